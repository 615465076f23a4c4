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


def plot_smoothed(
    ax: Any,
    steps: Sequence[float],
    values: Sequence[float],
    window: int,
    label: str,
    *,
    raw_alpha: float = 0.25,
    raw_width: float | None = 0.8,
) -> None:
    """A metric by step: the raw values as a faint line, their ``window``-step moving average thick."""
    (line,) = ax.plot(steps, values, alpha=raw_alpha, linewidth=raw_width)
    ax.plot(steps, smooth(values, window), color=line.get_color(), linewidth=2, label=label)


def plot_run(metrics_path: str | Path, out_path: str | Path, window: int = 5) -> Path:
    """Plot accuracy, reward, format failures, length, entropy and flat groups against step.

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
    fig, axes = plt.subplots(2, 3, figsize=(16, 7))
    panels = [
        (axes[0, 0], "accuracy", "accuracy (verifier: correct)"),
        (axes[0, 1], "reward_shaped", "training reward (with format term)"),
        (axes[0, 2], "policy/entropy", "policy entropy (nats/token, updated groups)"),
        (axes[1, 0], "format_fail", "format failures (no answer extracted)"),
        (axes[1, 1], "response_len", "response length (tokens)"),
        (axes[1, 2], "groups/zero_variance_frac", "groups with one reward for all (skipped)"),
    ]
    per_domain = {"accuracy", "format_fail", "response_len"}
    for ax, key, title in panels:
        series = [("all", key)]
        if key in per_domain and len(domains) > 1:
            series += [(d, f"{key}/{d}") for d in domains]
        for label, name in series:
            plot_smoothed(ax, steps, [r.get(name, np.nan) for r in rows], window, label)
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


def main(argv: list[str] | None = None) -> int:
    """``python -m agents.plots RUN_DIR``: draw (or redraw) a run's ``reward_curves.png``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m agents.plots RUN_DIR", file=sys.stderr)
        return 2
    run = Path(args[0])
    print(plot_run(run / "metrics.jsonl", run / "reward_curves.png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
