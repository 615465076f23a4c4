"""Held-out evaluation splits, disjoint from training by seed and by prompt, and the overlap check.

Training draws (``GuruEnv.reset`` and ``MixedSampler``) use task seeds below ``2**62``; held-out tasks use
seeds from ``EVAL_SEED_BASE = 2**62`` up, in one fixed sequence per family and level
(:meth:`~guru_envs.core.source.TaskSource.heldout`). Seeds alone do not keep prompts apart where a
family's prompt space is small (level-1 arithmetic), so the sampler also refuses the prompts of those
held-out sequences, and :func:`overlap` reports any prompt a run was trained on that an evaluation uses.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from guru_envs.core.source import EVAL_SEED_BASE, Difficulty, TaskSource
from guru_envs.core.task import Task

__all__ = ["EVAL_SEED_BASE", "Overlap", "heldout_tasks", "overlap", "training_prompt_keys"]


def heldout_tasks(
    env_id: str,
    n: int,
    difficulty: Difficulty = None,
    families: Sequence[str] | None = None,
    offset: int = 0,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Task]:
    """``n`` held-out tasks of ``env_id``, cycling over its generator families and difficulty levels.

    Args:
        env_id: a registered id (a domain env or a single-family one).
        n: number of tasks.
        difficulty: a level, an inclusive range or a preset (default: every level of each family).
        families: restrict to these families.
        offset: start further into the split (for a second, disjoint held-out set).
        options: family options (``{family: {option: value}}``), stamped on the tasks.
    """
    source = TaskSource.from_id(env_id, families=families, difficulty=difficulty, options=options)
    return source.heldout(n, offset=offset)


class Overlap(msgspec.Struct, kw_only=True):
    """Held-out tasks whose prompt a training run was served.

    Attributes:
        training_prompts: distinct prompts the run was served (as far as its record goes).
        heldout_tasks: tasks evaluated.
        task_ids: ids of the held-out tasks whose prompt was served in training.
    """

    training_prompts: int
    heldout_tasks: int
    task_ids: list[str] = msgspec.field(default_factory=list)


def overlap(training_keys: Collection[str], tasks: Sequence[Task]) -> Overlap:
    """Which of ``tasks`` have a prompt among ``training_keys`` (prompt keys, see ``Task.prompt_key``)."""
    keys = set(training_keys)
    return Overlap(
        training_prompts=len(keys),
        heldout_tasks=len(tasks),
        task_ids=[t.id for t in tasks if t.prompt_key in keys],
    )


def training_prompt_keys(path: str | Path) -> list[str]:
    """The prompt keys a training run was served, from its latest checkpoint.

    ``path`` is a run directory (``<run>/checkpoints/step_*/trainer_state.json``), a checkpoint directory,
    a ``trainer_state.json``, or a JSON file holding a :meth:`MixedSampler.state_dict` (``seen``).

    Raises:
        FileNotFoundError: when no such record is found.
        ValueError: when the record holds no served prompts.
    """
    path = Path(path)
    if path.is_dir():
        candidates = [path / "trainer_state.json"] + sorted(
            (path / "checkpoints").glob("step_*/trainer_state.json"), reverse=True
        )
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise FileNotFoundError(f"{path} holds no trainer_state.json (a run or checkpoint directory)")
        path = found
    if not path.is_file():
        raise FileNotFoundError(f"training record not found: {path}")
    data = json.loads(path.read_text())
    sampler = data.get("sampler", data) if isinstance(data, dict) else None
    seen = sampler.get("seen") if isinstance(sampler, dict) else None
    if not isinstance(seen, list) or not all(isinstance(k, str) for k in seen):
        raise ValueError(f"{path} records no served prompts (a sampler state with 'seen')")
    return seen
