"""Live progress of a training run on the terminal (rich), and a plain line per step when not a TTY."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# the few numbers worth watching live; everything else is in metrics.jsonl
_LIVE = [
    ("reward", "reward", "{:.3f}"),
    ("reward_shaped", "shaped", "{:.3f}"),
    ("accuracy", "acc", "{:.3f}"),
    ("format_fail", "fmt-fail", "{:.2f}"),
    ("groups/zero_variance_frac", "flat", "{:.2f}"),
    ("response_len", "len", "{:.0f}"),
    ("policy/entropy", "H", "{:.2f}"),
    ("policy/clip_frac", "clip", "{:.3f}"),
    ("time/generate", "gen s", "{:.1f}"),
    ("time/score", "score s", "{:.2f}"),
    ("time/update", "upd s", "{:.1f}"),
]


def format_step(metrics: dict[str, Any]) -> str:
    """One line: step, the live numbers, and per-domain accuracy."""
    parts = [f"step {metrics['step']}"]
    for key, label, fmt in _LIVE:
        if key in metrics:
            parts.append(f"{label} {fmt.format(metrics[key])}")
    domains = sorted(k.split("/")[1] for k in metrics if k.startswith("accuracy/") and k.count("/") == 1)
    if len(domains) > 1:
        parts.append(" ".join(f"{d}:{metrics[f'accuracy/{d}']:.2f}" for d in domains))
    return " | ".join(parts)


class Display:
    """A rich progress bar with the latest metrics; a plain line per step when output is not a terminal."""

    def __init__(self, total: int, done: int = 0, enabled: bool = True, run_dir: Path | None = None) -> None:
        self.total, self.done, self.enabled, self.run_dir = total, done, enabled, run_dir
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Display:
        if self.enabled and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("[bold]GRPO"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[last]}"),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("train", total=self.total, completed=self.done, last="")
            if self.run_dir is not None:
                self._progress.console.print(f"run folder: {self.run_dir}")
        elif self.enabled and self.run_dir is not None:
            print(f"run folder: {self.run_dir}", flush=True)
        return self

    def update(self, metrics: dict[str, Any]) -> None:
        """Show one finished step."""
        if not self.enabled:
            return
        line = format_step(metrics)
        if self._progress is not None:
            self._progress.console.print(line)
            short = f"reward {metrics.get('reward', 0):.3f} acc {metrics.get('accuracy', 0):.3f}"
            self._progress.update(self._task, completed=metrics["step"], last=short)
        else:
            print(line, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
