"""Reward curves of a run from its ``metrics.jsonl`` (matplotlib, headless)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Trailing moving average over the values that exist; the first points average what exists so far.

    NaN marks a step without that metric (e.g. no task of a domain was drawn): it is skipped, not spread.
    """
    arr = np.asarray(values, dtype=float)
    if window <= 1 or arr.size == 0:
        return arr
    present = np.isfinite(arr)
    sums = np.cumsum(np.insert(np.where(present, arr, 0.0), 0, 0.0))
    counts = np.cumsum(np.insert(present.astype(float), 0, 0.0))
    out = np.full_like(arr, np.nan)
    for i in range(arr.size):
        lo = max(0, i + 1 - window)
        n = counts[i + 1] - counts[lo]
        if n:
            out[i] = (sums[i + 1] - sums[lo]) / n
    return out


def plot_run(metrics_path: str | Path, out_path: str | Path, window: int = 5) -> Path:
    """Plot accuracy and reward per domain, format failures and response length against step.

    Thin lines are the raw per-step values, thick ones a ``window``-step moving average.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .metrics import read_metrics

    rows: list[dict[str, Any]] = read_metrics(metrics_path)
    if not rows:
        raise ValueError(f"{metrics_path} holds no metrics")
    steps = [r["step"] for r in rows]
    domains = sorted(
        {k.split("/")[1] for r in rows for k in r if k.startswith("accuracy/") and k.count("/") == 1}
    )
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    panels = [
        (axes[0, 0], "accuracy", "accuracy (verifier: correct)"),
        (axes[0, 1], "reward_shaped", "training reward (with format term)"),
        (axes[1, 0], "format_fail", "format failures (no answer extracted)"),
        (axes[1, 1], "response_len", "response length (tokens)"),
    ]
    for ax, key, title in panels:
        series = (
            [("all", key)]
            if key == "reward_shaped"
            else [("all", key)] + [(d, f"{key}/{d}") for d in domains]
        )
        for label, name in series if len(domains) > 1 or key == "reward_shaped" else series[:1]:
            values = [r.get(name, np.nan) for r in rows]
            (line,) = ax.plot(steps, values, alpha=0.25, linewidth=0.8)
            ax.plot(steps, smooth(values, window), color=line.get_color(), linewidth=2, label=label)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"GRPO run: {Path(metrics_path).parent.name}")
    fig.tight_layout()
    out = Path(out_path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
