"""TRL: a reward function for ``GRPOTrainer`` and a dataset whose columns carry what scoring needs.

::

    from trl import GRPOConfig, GRPOTrainer
    from guru_envs.integrations.trl import GuruReward, make_trl_dataset

    dataset = make_trl_dataset("guru/Math-v0", size=1000, seed=0, difficulty=(1, 2))
    trainer = GRPOTrainer(model=..., reward_funcs=GuruReward(), train_dataset=dataset, args=GRPOConfig(...))

TRL calls a reward function as ``f(prompts=..., completions=..., completion_ids=..., **columns)``, one
list entry per completion, where ``columns`` are the dataset's other columns (repeated across a
group) plus ``trainer_state``, ``log_extra`` and ``log_metric``. The dataset rows are GURU/verl rows
(``prompt``, ``data_source``, ``ability``, ``reward_model``, ``extra_info``), so a file written by
``guru export`` loads with ``datasets.load_dataset("parquet", data_files=...)`` and trains as is.
Completions may be strings (plain prompts) or chat messages (conversational prompts): the last
assistant message is scored (:func:`~guru_envs.integrations.common.completion_text`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from guru_envs.core.rows import to_row
from guru_envs.core.task import Task
from guru_envs.integrations.common import (
    CompletionError,
    TaskCache,
    completion_text,
    make_scorer,
    score_pairs,
)
from guru_envs.integrations.tasks import draw_tasks
from guru_envs.verify.score import Score

logger = logging.getLogger(__name__)

ROW_COLUMNS = ("data_source", "reward_model", "extra_info")
"""Dataset columns the reward function reads (besides the prompt): those of a GURU/verl row."""


def trl_rows(
    tasks: Sequence[Task], conversational: bool = True, split: str = "train"
) -> list[dict[str, Any]]:
    """GURU/verl rows for TRL: ``prompt`` is chat messages (conversational) or the prompt text.

    Each row's ``extra_info`` carries the exact task, its ``index`` in ``tasks`` and the ``split``. A
    plain-text prompt keeps no system prompt, so tasks that have one are refused there.
    """
    rows = []
    for i, task in enumerate(tasks):
        row = to_row(task, index=i, split=split)
        if not conversational:
            if task.meta.get("system_prompt"):
                raise ValueError(
                    f"{task.id} has a system prompt, which a plain-text prompt cannot carry; "
                    "use conversational=True"
                )
            row["prompt"] = task.prompt
        rows.append(row)
    return rows


def make_trl_dataset(
    env_id: str,
    size: int,
    seed: int = 0,
    *,
    conversational: bool = True,
    **source: Any,
) -> Any:
    """A ``datasets.Dataset`` of ``size`` tasks of ``env_id`` for ``GRPOTrainer``.

    Args:
        env_id: any registered id (``guru/Math-v0``, ``guru/Logic.zebra-v0``, a plugin's).
        size: number of rows.
        seed: row ``i`` is the task ``reset(seed=seed + i)`` serves (same seed, same rows).
        conversational: prompts as chat messages (True: the trainer applies the chat template) or as
            plain text.
        **source: ``difficulty`` (a level, a range or ``"easy"``/``"medium"``/``"hard"``),
            ``families``, ``options`` (stamped on every task, so scoring uses them), ``dataset``.
    """
    try:
        from datasets import Dataset
    except ImportError as err:  # pragma: no cover - trl depends on datasets
        raise ImportError("make_trl_dataset needs `datasets`: pip install 'guru-envs[trl]'") from err
    return Dataset.from_list(trl_rows(draw_tasks(env_id, size, seed, **source), conversational))


class GuruReward:
    """A ``GRPOTrainer`` reward function that scores each completion with its task's verifier.

    The same verdict as ``env.step`` and ``guru_envs.score``: reward in [0, 1]. It also logs, when
    TRL offers the hooks, the reason and extracted answer per completion (``log_extra``) and the
    batch's accuracy and format-failure rate (``log_metric``).

    Scoring options travel with each task (``Task.options``, set when the dataset is made), so the
    reward is the one the env pays for the same task.

    Args:
        workers: scoring processes kept between calls (``1``: score in the trainer's process; default
            up to 4).
        timeout: hard wall-clock limit per chunk of completions, in seconds.
    """

    __name__ = "guru_reward"  # TRL names the reward column after it

    def __init__(self, workers: int | None = None, timeout: float = 30.0) -> None:
        self.workers = workers
        self.timeout = timeout
        self.scorer = make_scorer(workers, timeout)
        self.tasks = TaskCache()
        self.last_scores: list[Score] = []

    def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        completion_ids: Sequence[Any] | None = None,
        *,
        log_extra: Callable[[str, list], None] | None = None,
        log_metric: Callable[[str, float], None] | None = None,
        **columns: Any,
    ) -> list[float]:
        """One reward per completion (TRL's calling convention; dataset columns arrive as lists)."""
        missing = [c for c in ("data_source", "reward_model") if c not in columns]
        if missing:
            raise KeyError(
                f"the dataset has no {missing} column(s): GuruReward scores GURU/verl rows; build the "
                "dataset with guru_envs.integrations.trl.make_trl_dataset or load rows written by "
                f"`guru export` (columns given: {sorted(k for k in columns if k != 'trainer_state')})"
            )
        n = len(completions)
        extra_infos = columns.get("extra_info") or [None] * n
        tasks: list[Task | Exception] = []
        texts: list[str | Exception] = []
        for i in range(n):
            try:
                tasks.append(
                    self.tasks.task(
                        columns["data_source"][i], columns["reward_model"][i], extra_infos[i], prompts[i]
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("guru reward: row %d cannot be scored: %s", i, exc)
                tasks.append(exc)
            try:
                texts.append(completion_text(completions[i]))
            except CompletionError as exc:
                texts.append(exc)
        scores = score_pairs(self.scorer, tasks, texts)
        self.last_scores = scores
        if log_extra is not None:
            log_extra("guru_reason", [s.reason for s in scores])
            log_extra("guru_extracted", [s.extracted for s in scores])
        if log_metric is not None and scores:
            log_metric("guru/accuracy", sum(s.correct for s in scores) / len(scores))
            log_metric("guru/format_failure", sum(not s.answered for s in scores) / len(scores))
        return [float(s.reward) for s in scores]

    def close(self) -> None:
        """Stop the scoring processes (a later call starts new ones)."""
        self.scorer.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["scorer"] = None  # worker processes do not travel; the copy starts its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.scorer = make_scorer(self.workers, self.timeout)
