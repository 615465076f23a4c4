"""Difficulty filtering, GURU's curation step: measure each task's pass rate under a model, keep or bucket.

GRPO learns nothing from a group whose samples all score the same, so GURU dropped tasks the target model
always or never solved. ``filter_tasks`` writes the measured pass rate into each task (``meta["pass_rate"]``
and ``meta["bucket"]``, exported into ``extra_info``), and the sampler can then draw by bucket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from guru_envs.core.scoring import Scorer
from guru_envs.core.task import Task
from guru_envs.evaluation.harness import evaluate
from guru_envs.rollout.base import RolloutEngine, SamplingParams

DEFAULT_BUCKETS: dict[str, tuple[float, float]] = {
    "unsolved": (0.0, 0.0),
    "hard": (0.0, 0.34),
    "medium": (0.34, 0.67),
    "easy": (0.67, 1.0),
    "solved": (1.0, 1.0),
}


def bucket_of(pass_rate: float, buckets: Mapping[str, tuple[float, float]] = DEFAULT_BUCKETS) -> str:
    """The bucket holding ``pass_rate``: an exact range ``(a, a)`` wins, else the first with ``a < p <= b``."""
    for name, (low, high) in buckets.items():
        if low == high == pass_rate:
            return name
    for name, (low, high) in buckets.items():
        if low < pass_rate <= high:
            return name
    raise ValueError(f"pass rate {pass_rate} is in no bucket of {dict(buckets)}")


def parse_buckets(spec: str) -> dict[str, tuple[float, float]]:
    """``"hard:0-0.3,easy:0.3-1"`` -> ``{"hard": (0, 0.3), "easy": (0.3, 1)}``."""
    buckets = {}
    for part in spec.split(","):
        try:
            name, rng = part.split(":")
            low, high = (float(x) for x in rng.split("-"))
        except ValueError:
            raise ValueError(f"bad bucket {part!r}: write NAME:LOW-HIGH, e.g. hard:0-0.3") from None
        if not 0 <= low <= high <= 1:
            raise ValueError(f"bucket {name}: need 0 <= LOW <= HIGH <= 1")
        buckets[name.strip()] = (low, high)
    return buckets


def filter_tasks(
    engine: RolloutEngine,
    tasks: Sequence[Task],
    sampling: SamplingParams,
    keep: Sequence[str] | None = ("hard", "medium", "easy"),
    buckets: Mapping[str, tuple[float, float]] = DEFAULT_BUCKETS,
    progress: bool = True,
    scorer: Scorer | None = None,
) -> tuple[list[Task], dict[str, int]]:
    """Measure pass rates with ``sampling.n`` samples per task; return the kept tasks and bucket counts.

    Args:
        engine: the model to measure against (the one you will train).
        tasks: candidate tasks.
        sampling: decoding settings; use the training settings so the rates mean something.
        keep: buckets to keep (None keeps every task, annotated).
        buckets: name -> pass-rate range.
        progress: show progress.
        scorer: the scorer to use (default: one of its own for this call).
    """
    report = evaluate(engine, tasks, sampling, keep_responses=False, progress=progress, scorer=scorer)
    annotated, counts = [], {name: 0 for name in buckets}
    for task, result in zip(tasks, report.tasks):
        rate = sum(result.correct) / len(result.correct)
        name = bucket_of(rate, buckets)
        counts[name] += 1
        if keep is None or name in keep:
            meta = {**task.meta, "pass_rate": rate, "bucket": name, "pass_rate_samples": len(result.correct)}
            annotated.append(msgspec.structs.replace(task, meta=meta))
    return annotated, counts
