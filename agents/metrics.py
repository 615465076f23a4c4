"""Per-step metrics of a run (overall, per domain and per family) and the ``metrics.jsonl`` file."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .grpo import zero_variance_groups
from .rollouts import Rollouts

METRICS_FILE = "metrics.jsonl"


def rollout_metrics(rollouts: Rollouts, group_size: int) -> dict[str, float]:
    """Reward, accuracy, format failures and lengths, overall, per domain and per domain/family."""
    buckets: dict[str, list[int]] = defaultdict(list)
    for i, task in enumerate(rollouts.tasks):
        buckets[""].append(i)
        buckets[f"/{task.domain}"].append(i)
        buckets[f"/{task.domain}/{task.family}"].append(i)
    out: dict[str, float] = {}
    for suffix, rows in buckets.items():
        scores = [rollouts.scores[i] for i in rows]
        out[f"reward{suffix}"] = float(np.mean([s.reward for s in scores]))
        out[f"accuracy{suffix}"] = float(np.mean([s.correct for s in scores]))
        out[f"format_fail{suffix}"] = float(np.mean([not s.answered for s in scores]))
        if suffix.count("/") < 2:
            out[f"response_len{suffix}"] = float(np.mean([len(rollouts.response_ids[i]) for i in rows]))
    rewards = rollouts.rewards.view(-1, group_size)
    flat = zero_variance_groups(rollouts.rewards, group_size)
    correct = torch.tensor([s.correct for s in rollouts.scores], dtype=torch.float32).view(-1, group_size)
    out["reward_shaped"] = float(rollouts.rewards.mean())
    out["response_len_max"] = float(max(len(r) for r in rollouts.response_ids))
    out["truncated_frac"] = float(np.mean(rollouts.truncated))
    out["groups/zero_variance_frac"] = float(flat.float().mean())
    out["groups/all_correct_frac"] = float((correct.min(dim=1).values == 1).float().mean())
    out["groups/none_correct_frac"] = float((correct.max(dim=1).values == 0).float().mean())
    out["groups/reward_std"] = float(rewards.std(dim=1).mean())
    out["tokens/generated"] = float(sum(len(r) for r in rollouts.response_ids))
    return out


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``metrics.jsonl``."""
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def truncate_metrics(path: Path, step: int) -> None:
    """Drop metric rows after ``step`` (written by the run after its last checkpoint)."""
    if not path.exists():
        return
    rows = [r for r in read_metrics(path) if r.get("step", 0) <= step]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
