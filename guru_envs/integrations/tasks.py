"""Draw a fixed set of tasks from any registered id, the way every adapter builds its dataset."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from guru_envs.core.source import TaskSource
from guru_envs.core.task import Task


def task_source(
    env_id: str,
    *,
    difficulty: Any = None,
    families: Sequence[str] | Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    dataset: str | Path | Sequence[str | Path] | None = None,
) -> TaskSource:
    """The :class:`~guru_envs.TaskSource` behind ``env_id`` (what ``gym.make(env_id, ...)`` serves).

    Args:
        env_id: any registered id (a domain, a single family, a plugin's).
        difficulty: a level, an inclusive ``(low, high)`` range, a preset (``"easy"``, ``"medium"``,
            ``"hard"``) or None for each family's full range.
        families: family names or ``{name: weight}`` (domain ids only).
        options: ``{family or "domain.family": {option: value}}``, stamped on every task (scoring
            reads them from the task).
        dataset: GURU/verl files to serve instead of generated tasks.
    """
    kwargs: dict[str, Any] = {"difficulty": difficulty, "options": options}
    if families is not None:
        kwargs["families"] = families
    if dataset is not None:
        kwargs["dataset"] = dataset
    return TaskSource.from_id(env_id, **kwargs)


def draw_tasks(env_id: str, size: int, seed: int = 0, **source: Any) -> list[Task]:
    """``size`` tasks of ``env_id``: task ``i`` is what ``reset(seed=seed + i)`` serves.

    Keyword arguments are those of :func:`task_source`.
    """
    return task_source(env_id, **source).split(size, seed)


def endless_tasks(env_id: str, seed: int = 0, chunk: int = 64, **source: Any) -> Iterator[Task]:
    """Tasks of ``env_id`` for seeds ``seed``, ``seed + 1``, ... without end, drawn ``chunk`` at a time."""
    src = task_source(env_id, **source)
    while True:
        yield from src.split(chunk, seed)
        seed += chunk
