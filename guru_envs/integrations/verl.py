"""verl: ``compute_score`` for ``custom_reward_function``, one row at a time or a batch at once.

verl's reward managers call the function named in ``custom_reward_function`` with a row's
``data_source``, the decoded response, ``reward_model.ground_truth`` and ``extra_info``; the batch
manager passes lists under plural names. Point verl at this file::

    custom_reward_function.path=<site-packages>/guru_envs/integrations/verl.py
    custom_reward_function.name=compute_score                      # reward_model.reward_manager=naive
    custom_reward_function.name=compute_score_batch                # reward_model.reward_manager=batch

(``python -c "import guru_envs.integrations.verl as m; print(m.__file__)"`` prints the path.) Rows
written by ``guru export`` carry the exact task in ``extra_info.guru``; other GURU rows are routed
by ``data_source`` to the family that reads them. verl does not hand the prompt to a reward
function; a row of ours that lost ``extra_info.guru`` still scores as the task does, from its
``ground_truth``, ``extra_info.guru_scoring`` and (where the verdict reads the prompt)
``extra_info.question`` (see :mod:`guru_envs.core.rows` and docs/integrations.md).
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Sequence
from typing import Any

from guru_envs.core.scoring import Scorer
from guru_envs.core.task import Task
from guru_envs.integrations.common import TaskCache, make_scorer, score_pairs
from guru_envs.verify.score import Score

logger = logging.getLogger(__name__)

_tasks = TaskCache()
_scorers: dict[tuple[int | None, float], Scorer] = {}


def _scorer(workers: int | None, timeout: float) -> Scorer:
    """One scorer per (workers, timeout), kept for the life of the process (verl calls once per batch)."""
    key = (workers, float(timeout))
    if key not in _scorers:
        _scorers[key] = make_scorer(workers, timeout)
    return _scorers[key]


@atexit.register
def _close_scorers() -> None:
    for scorer in _scorers.values():
        scorer.close()
    _scorers.clear()


def _result(verdict: Score, details: bool) -> float | dict[str, Any]:
    if not details:
        return float(verdict.reward)
    return {
        "score": float(verdict.reward),
        "acc": float(verdict.correct),
        "format_ok": float(verdict.answered),
    }


def _task(data_source: Any, ground_truth: Any, extra_info: Any) -> Task | Exception:
    try:
        return _tasks.task(data_source, {"style": "rule", "ground_truth": ground_truth}, extra_info)
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("guru compute_score: a %s row cannot be scored: %s", data_source, exc)
        return exc


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    *,
    details: bool = False,
    workers: int = 1,
    timeout: float = 30.0,
    **kwargs: Any,
) -> float | dict[str, Any]:
    """The reward of one response (verl's naive / prime reward managers).

    Args:
        data_source: the row's ``data_source``.
        solution_str: the decoded response.
        ground_truth: the row's ``reward_model.ground_truth``.
        extra_info: the row's ``extra_info`` (``guru`` in it: the exact task).
        details: return ``{"score", "acc", "format_ok"}`` (verl logs the extra keys) instead of a float;
            set it with ``custom_reward_function.reward_kwargs.details=true``.
        workers: 1 scores in verl's process; more scores in a pool with hard timeouts.
        timeout: hard limit in seconds when ``workers > 1``.
        **kwargs: other keywords verl passes (ignored).
    """
    return compute_score_batch(
        [data_source],
        [solution_str],
        [ground_truth],
        [extra_info],
        details=details,
        workers=workers,
        timeout=timeout,
    )[0]


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[dict[str, Any] | None] | None = None,
    *,
    details: bool = False,
    workers: int | None = None,
    timeout: float = 30.0,
    **kwargs: Any,
) -> list[float | dict[str, Any]]:
    """Rewards of a batch (verl's batch reward manager), scored over worker processes.

    Args:
        data_sources: one ``data_source`` per response.
        solution_strs: the decoded responses.
        ground_truths: one ``ground_truth`` per response.
        extra_infos: one ``extra_info`` per response (or None).
        details: return ``{"score", "acc", "format_ok"}`` per response instead of floats.
        workers: scoring processes (default up to 4), kept between calls.
        timeout: hard limit in seconds per chunk of responses.
        **kwargs: other keywords verl passes (ignored).
    """
    n = len(solution_strs)
    if not (len(data_sources) == len(ground_truths) == n):
        raise ValueError(
            f"got {len(data_sources)} data sources, {n} responses and {len(ground_truths)} ground truths"
        )
    extras = list(extra_infos) if extra_infos is not None else [None] * n
    if len(extras) != n:
        raise ValueError(f"got {len(extras)} extra_infos for {n} responses")
    tasks = [_task(ds, gt, ex) for ds, gt, ex in zip(data_sources, ground_truths, extras)]
    verdicts = score_pairs(_scorer(workers, timeout), tasks, list(solution_strs))
    return [_result(v, details) for v in verdicts]
