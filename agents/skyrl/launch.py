"""Launch GRPO on guru environments with SkyRL: presets for 1 GPU, 8 GPUs and multi-node Ray clusters.

SkyRL (``pip install "skyrl[skyrl-train]"`` on Python 3.12 with CUDA torch) trains with FSDP and samples with
vLLM on GPUs; this launcher only assembles its config (``key.path=value`` overrides of
``skyrl.train.config.SkyRLTrainConfig``) and starts :mod:`agents.skyrl.entrypoint`, which registers the
guru environments inside the Ray entrypoint and runs SkyRL's trainer.

1. Export data, one parquet per domain with a per-row ``env_class``::

       guru export guru/Math-v0 --n 20000 --format skyrl --out data/math.parquet
       guru export guru/Logic-v0 --n 20000 --format skyrl --out data/logic.parquet

2. Launch (``--dry-run`` prints the command and checks the config without starting anything)::

       python -m agents.skyrl.launch --preset 1gpu --model Qwen/Qwen2.5-0.5B-Instruct \\
           --train data/math.parquet data/logic.parquet --val data/math_val.parquet
       python -m agents.skyrl.launch --preset 8gpu --model Qwen/Qwen2.5-7B-Instruct --train ...
       ray start --head   # on the head node, `ray start --address=HEAD:6379` on the others, then:
       python -m agents.skyrl.launch --preset multinode --nodes 4 --model Qwen/Qwen2.5-32B-Instruct --train ...

   Any further ``key=value`` arguments after ``--`` override the preset, e.g.
   ``-- trainer.policy.optimizer_config.lr=5e-7 generator.n_samples_per_prompt=8``.

3. ``--from-config run.json`` maps the GRPO settings of one of our own runs (``agents.config.GRPOConfig``:
   clip ranges, loss reduction, KL, group size, ...) onto SkyRL's, so a recipe tried on CPU scales out
   with the same algorithm.

The GRPO presets follow GURU's recipe (verl, Qwen2.5-7B/32B): no KL, token-mean loss, clip 0.2 (with DAPO's
clip-higher 0.28 here), lr 1e-6, 16 samples per prompt and, on a cluster, 512 prompts per step.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

GRPO_BASE: dict[str, Any] = {
    "trainer.algorithm.advantage_estimator": "grpo",
    "trainer.algorithm.grpo_norm_by_std": True,
    "trainer.algorithm.use_kl_loss": False,
    "trainer.algorithm.use_kl_in_reward": False,
    "trainer.algorithm.loss_reduction": "token_mean",
    "trainer.algorithm.eps_clip_low": 0.2,
    "trainer.algorithm.eps_clip_high": 0.28,
    "trainer.algorithm.zero_variance_filter": True,
    "trainer.policy.optimizer_config.lr": 1e-6,
    "trainer.policy.optimizer_config.weight_decay": 0.0,
    "trainer.policy.optimizer_config.max_grad_norm": 1.0,
    "trainer.strategy": "fsdp",
    "trainer.epochs": 1,
    "trainer.update_epochs_per_batch": 1,
    "trainer.max_prompt_length": 2048,
    "trainer.logger": "console",
    "trainer.project_name": "guru-envs",
    "trainer.eval_before_train": True,
    "trainer.eval_interval": 10,
    "trainer.ckpt_interval": 20,
    "generator.sampling_params.max_generate_length": 4096,
    "generator.sampling_params.temperature": 1.0,
    "generator.sampling_params.top_p": 1.0,
    "generator.inference_engine.backend": "vllm",
    "generator.max_turns": 1,
    "environment.env_class": "guru_math",  # only for rows without an env_class column
}

PRESETS: dict[str, dict[str, Any]] = {
    "1gpu": {
        "trainer.placement.colocate_all": True,
        "trainer.placement.policy_num_nodes": 1,
        "trainer.placement.policy_num_gpus_per_node": 1,
        "trainer.placement.ref_num_gpus_per_node": 1,
        "generator.inference_engine.num_engines": 1,
        "generator.inference_engine.tensor_parallel_size": 1,
        "generator.n_samples_per_prompt": 8,
        "trainer.train_batch_size": 32,
        "trainer.policy_mini_batch_size": 32,
        "trainer.micro_train_batch_size_per_gpu": 4,
        "trainer.micro_forward_batch_size_per_gpu": 8,
        "generator.sampling_params.max_generate_length": 2048,
    },
    "8gpu": {
        "trainer.placement.colocate_all": True,
        "trainer.placement.policy_num_nodes": 1,
        "trainer.placement.policy_num_gpus_per_node": 8,
        "trainer.placement.ref_num_gpus_per_node": 8,
        "generator.inference_engine.num_engines": 8,
        "generator.inference_engine.tensor_parallel_size": 1,
        "generator.n_samples_per_prompt": 16,
        "trainer.train_batch_size": 128,
        "trainer.policy_mini_batch_size": 64,
        "trainer.micro_train_batch_size_per_gpu": 4,
        "trainer.micro_forward_batch_size_per_gpu": 8,
    },
    "multinode": {  # GURU's scale: 512 prompts x 16 samples per step; --nodes sets the node count
        "trainer.placement.colocate_all": True,
        "trainer.placement.policy_num_gpus_per_node": 8,
        "trainer.placement.ref_num_gpus_per_node": 8,
        "generator.inference_engine.tensor_parallel_size": 2,
        "generator.n_samples_per_prompt": 16,
        "trainer.train_batch_size": 512,
        "trainer.policy_mini_batch_size": 64,
        "trainer.micro_train_batch_size_per_gpu": 2,
        "trainer.micro_forward_batch_size_per_gpu": 4,
        "trainer.policy.sequence_parallel_size": 1,
    },
}

_REDUCTIONS = {"token-mean": "token_mean", "seq-mean": "sequence_mean", "dr-grpo": "seq_mean_token_sum_norm"}


def preset_overrides(preset: str, nodes: int = 1) -> dict[str, Any]:
    """The full override set of a preset (GRPO base + placement and batch sizes)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}")
    if nodes < 1:
        raise ValueError(f"--nodes must be >= 1, got {nodes}")
    out = {**GRPO_BASE, **PRESETS[preset]}
    if preset == "multinode":
        out["trainer.placement.policy_num_nodes"] = nodes
        out["trainer.placement.ref_num_nodes"] = nodes
        out["generator.inference_engine.num_engines"] = (
            nodes * 8 // out["generator.inference_engine.tensor_parallel_size"]
        )
    return out


def overrides_from_grpo_config(config: Any) -> dict[str, Any]:
    """Map an :class:`agents.config.GRPOConfig` onto SkyRL overrides (same algorithm, SkyRL's names)."""
    algo, data, optim, rollout = config.algo, config.data, config.optim, config.rollout
    out: dict[str, Any] = {
        "trainer.algorithm.grpo_norm_by_std": algo.advantage_scale == "std",
        "trainer.algorithm.loss_reduction": _REDUCTIONS[algo.loss_reduction],
        "trainer.algorithm.eps_clip_low": algo.clip_low,
        "trainer.algorithm.eps_clip_high": algo.clip_high,
        "trainer.algorithm.use_kl_loss": algo.kl_coef > 0,
        "trainer.algorithm.zero_variance_filter": algo.filter_zero_variance,
        "trainer.algorithm.use_entropy_loss": algo.entropy_coef > 0,
        "trainer.update_epochs_per_batch": algo.epochs,
        "trainer.train_batch_size": data.prompts_per_step,
        "trainer.policy_mini_batch_size": data.prompts_per_step // algo.mini_batches,
        "generator.n_samples_per_prompt": data.group_size,
        "generator.sampling_params.max_generate_length": rollout.max_new_tokens,
        "generator.sampling_params.temperature": rollout.temperature,
        "generator.sampling_params.top_p": rollout.top_p,
        "trainer.policy.optimizer_config.lr": optim.lr,
        "trainer.policy.optimizer_config.weight_decay": optim.weight_decay,
        "trainer.policy.optimizer_config.max_grad_norm": optim.grad_clip,
        "trainer.policy.optimizer_config.num_warmup_steps": optim.warmup_steps,
        "trainer.seed": config.seed,
    }
    out.update(_lora_overrides(config.model))
    if algo.kl_coef > 0:
        out["trainer.algorithm.kl_loss_coef"] = algo.kl_coef
        out["trainer.algorithm.kl_estimator_type"] = "k3"
    if algo.entropy_coef > 0:
        out["trainer.algorithm.entropy_loss_coef"] = algo.entropy_coef
    if algo.loss_reduction == "dr-grpo":
        out["trainer.algorithm.max_seq_len"] = rollout.max_new_tokens
    return out


def _lora_overrides(model: Any) -> dict[str, Any]:
    """Our LoRA settings as SkyRL's ``trainer.policy.model.lora`` overrides.

    SkyRL's alpha is an int; its module selector ``all-linear`` is every linear layer but the output
    head, which is our default seven projections. A run whose adapters were dropped would train every
    weight at an adapter's learning rate (3e-4 by default), so what cannot be mapped is refused rather
    than left out.
    """
    from ..config import ModelConfig

    if model.lora_rank == 0:
        return {"trainer.policy.model.lora.rank": 0}
    if model.lora_alpha != int(model.lora_alpha):
        raise ValueError(f"model.lora_alpha: SkyRL takes an integer alpha, got {model.lora_alpha}")
    if sorted(model.lora_targets) != sorted(ModelConfig().lora_targets):
        raise ValueError(
            "model.lora_targets: only the default projections map onto SkyRL ('all-linear'); set "
            "trainer.policy.model.lora.target_modules yourself with an extra override"
        )
    return {
        "trainer.policy.model.lora.rank": model.lora_rank,
        "trainer.policy.model.lora.alpha": int(model.lora_alpha),
        "trainer.policy.model.lora.target_modules": "all-linear",
    }


def format_value(value: Any) -> str:
    """A value in SkyRL's ``key=value`` CLI syntax (lists as ``['a','b']``, booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ",".join(f"'{v}'" if isinstance(v, str) else format_value(v) for v in value) + "]"
    return str(value)


def build_overrides(
    preset: str,
    model: str,
    train: Sequence[str],
    val: Sequence[str] = (),
    nodes: int = 1,
    grpo_config: Any = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``key=value`` list for :mod:`agents.skyrl.entrypoint`: preset, model and data, then ``extra``."""
    if not train:
        raise ValueError("give at least one training file (--train), e.g. from `guru export --format skyrl`")
    values = preset_overrides(preset, nodes)
    if grpo_config is not None:
        values.update(overrides_from_grpo_config(grpo_config))
    values["trainer.policy.model.path"] = model
    values["data.train_data"] = [str(Path(p)) for p in train]
    values["data.val_data"] = [str(Path(p)) for p in (val or train[:1])]
    for item in extra:
        if "=" not in item:
            raise ValueError(f"extra override {item!r} must look like key.path=value")
    return [f"{k}={format_value(v)}" for k, v in values.items()] + list(extra)


def validate(overrides: Sequence[str]) -> Any:
    """Parse the overrides into SkyRL's typed config and run SkyRL's own checks (no GPU needed)."""
    from skyrl.train.config import SkyRLTrainConfig
    from skyrl.train.utils import validate_cfg

    cfg = SkyRLTrainConfig.from_cli_overrides(list(overrides))
    validate_cfg(cfg)
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    """Print the SkyRL command for a preset and run it (or only validate it with ``--dry-run``)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument("--model", required=True, help="HF model id or directory")
    parser.add_argument(
        "--train", nargs="+", required=True, help="SkyRL parquet files (guru export --format skyrl)"
    )
    parser.add_argument(
        "--val", nargs="*", default=[], help="validation files (default: the first training file)"
    )
    parser.add_argument("--nodes", type=int, default=1, help="nodes of 8 GPUs (multinode preset)")
    parser.add_argument(
        "--from-config", type=Path, help="take the GRPO settings of an agents config (TOML/JSON)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the command (and validate if skyrl is installed)"
    )
    args, extra = parser.parse_known_args(argv)
    extra = [e for e in extra if e != "--"]
    grpo_config = None
    if args.from_config is not None:
        from ..config import load_config

        grpo_config = load_config(args.from_config)
    overrides = build_overrides(args.preset, args.model, args.train, args.val, args.nodes, grpo_config, extra)
    cmd = [sys.executable, "-m", f"{__package__}.entrypoint", *overrides]
    print(" ".join(shlex.quote(c) for c in cmd))
    if args.dry_run:
        try:
            validate(overrides)
            print("config valid for SkyRL", file=sys.stderr)
        except ImportError:
            print("skyrl is not installed here: the config was not validated", file=sys.stderr)
        return 0
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
