"""Before/after comparison of two evaluations of the same tasks, with the share that format alone explains.

A small model trained with RL first learns to end with an answer the verifier can read; that alone lifts
accuracy even if it knows nothing more. :func:`compare` splits an accuracy change into two parts:

- **format**: ``(valid_after - valid_before) * cond_before``, what accuracy would have gained had only the
  share of readable answers (``valid = 1 - format failures``) changed, each readable answer still right
  as often as before (``cond``: accuracy among readable answers);
- **beyond format**: the rest, ``valid_after * (cond_after - cond_before)``: readable answers got right more
  often.

The two parts add up to the change exactly. The split assumes that answers which became readable are
right as often as the readable ones were before; when no answer was readable before, ``cond_before`` is
unknown and taken as 0 (every gain then counts as beyond format), which is flagged. Confidence intervals
come from a paired bootstrap over tasks (the same resampled tasks for before and after).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np

from guru_envs.evaluation.harness import EvalReport, TaskResult


class Change(msgspec.Struct, kw_only=True):
    """One group's before/after numbers (fractions in [0, 1]; CIs are 95% half-widths)."""

    tasks: int
    accuracy_before: float
    accuracy_after: float
    gain: float
    gain_ci: float
    format_fail_before: float
    format_fail_after: float
    cond_before: float | None  # accuracy among readable answers (None: no answer was readable)
    cond_after: float | None
    format_part: float
    beyond_format: float
    beyond_format_ci: float


def _arrays(results: Sequence[TaskResult]) -> tuple[np.ndarray, np.ndarray]:
    """Per task: correct samples and readable samples."""
    correct = np.array([sum(r.correct) for r in results], dtype=float)
    readable = np.array([len(r.correct) - r.format_failures for r in results], dtype=float)
    return correct, readable


def _parts(cb, rb, ca, ra, n_before: float, n_after: float) -> tuple[float, float, float]:
    """(gain, format part, beyond format) from summed counts."""
    acc_b, acc_a = cb / n_before, ca / n_after
    valid_b, valid_a = rb / n_before, ra / n_after
    cond_b = cb / rb if rb else 0.0
    cond_a = ca / ra if ra else 0.0
    return acc_a - acc_b, (valid_a - valid_b) * cond_b, valid_a * (cond_a - cond_b)


def compare_results(
    before: Sequence[TaskResult], after: Sequence[TaskResult], resamples: int = 2000, seed: int = 0
) -> Change:
    """The change from ``before`` to ``after``, two evaluations of the same tasks in the same order.

    Raises:
        ValueError: when the task lists differ.
    """
    if [r.task_id for r in before] != [r.task_id for r in after]:
        raise ValueError("before and after must evaluate the same tasks in the same order")
    if not before:
        raise ValueError("nothing to compare: no tasks")
    cb, rb = _arrays(before)
    ca, ra = _arrays(after)
    samples_b = np.array([len(r.correct) for r in before], dtype=float)
    samples_a = np.array([len(r.correct) for r in after], dtype=float)
    gain, fmt, beyond = _parts(cb.sum(), rb.sum(), ca.sum(), ra.sum(), samples_b.sum(), samples_a.sum())
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(before), size=(resamples, len(before)))
    boot = np.array(
        [
            _parts(cb[i].sum(), rb[i].sum(), ca[i].sum(), ra[i].sum(), samples_b[i].sum(), samples_a[i].sum())
            for i in idx
        ]
    )
    gain_ci, _, beyond_ci = (1.96 * boot.std(axis=0, ddof=1)).tolist() if len(before) > 1 else (0.0, 0.0, 0.0)
    return Change(
        tasks=len(before),
        accuracy_before=float(cb.sum() / samples_b.sum()),
        accuracy_after=float(ca.sum() / samples_a.sum()),
        gain=float(gain),
        gain_ci=float(gain_ci),
        format_fail_before=float(1 - rb.sum() / samples_b.sum()),
        format_fail_after=float(1 - ra.sum() / samples_a.sum()),
        cond_before=float(cb.sum() / rb.sum()) if rb.sum() else None,
        cond_after=float(ca.sum() / ra.sum()) if ra.sum() else None,
        format_part=float(fmt),
        beyond_format=float(beyond),
        beyond_format_ci=float(beyond_ci),
    )


def compare(before: EvalReport, after: EvalReport, resamples: int = 2000, seed: int = 0) -> dict[str, Change]:
    """:func:`compare_results` for all tasks (``"all"``) and for each domain."""
    out = {"all": compare_results(before.tasks, after.tasks, resamples, seed)}
    for domain in sorted({r.domain for r in before.tasks}):
        b = [r for r in before.tasks if r.domain == domain]
        a = [r for r in after.tasks if r.domain == domain]
        out[domain] = compare_results(b, a, resamples, seed)
    return out


def change_table(changes: dict[str, Change], title: str = "group") -> str:
    """Markdown: accuracy before/after, gain, its format part and the part beyond format, format failures."""

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f}"

    lines = [
        f"| {title} | tasks | accuracy before | accuracy after | gain (pts, 95% CI) | of it: format | "
        "of it: beyond format (95% CI) | format failures before | after | accuracy among readable answers "
        "before | after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in changes.items():
        lines.append(
            f"| {name} | {c.tasks} | {pct(c.accuracy_before)}% | {pct(c.accuracy_after)}% "
            f"| {100 * c.gain:+.1f} ± {100 * c.gain_ci:.1f} | {100 * c.format_part:+.1f} "
            f"| {100 * c.beyond_format:+.1f} ± {100 * c.beyond_format_ci:.1f} | {pct(c.format_fail_before)}% "
            f"| {pct(c.format_fail_after)}% | {pct(c.cond_before)}% | {pct(c.cond_after)}% |"
        )
    return "\n".join(lines)
