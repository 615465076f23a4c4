"""Held-out evaluation splits: seeded task lists that can never overlap training draws.

Training draws (``GuruEnv.reset`` and ``MixedSampler``) use task seeds below ``2**62``; held-out tasks use
seeds from ``EVAL_SEED_BASE = 2**62`` up, so the two sets are disjoint by construction, not by chance.
"""

from __future__ import annotations

from collections.abc import Sequence

from guru_envs.core.registry import catalog
from guru_envs.core.task import Task

EVAL_SEED_BASE = 2**62


def heldout_tasks(
    env_id: str,
    n: int,
    difficulty: int | tuple[int, int] | None = None,
    families: Sequence[str] | None = None,
    offset: int = 0,
) -> list[Task]:
    """``n`` held-out tasks of ``env_id``, cycling over its generator families and difficulty levels.

    Args:
        env_id: a registered id (a domain env or a single-family one).
        n: number of tasks.
        difficulty: a level or an inclusive range (default: every level of each family).
        families: restrict to these families.
        offset: start further into the split (for a second, disjoint held-out set).
    """
    cat = catalog()
    manifest, own = cat.resolve(env_id)
    names = list(families) if families else ([own] if own else cat.default_families(manifest.domain))
    instances = [cat.family(manifest.domain, name) for name in names]
    tasks = []
    for i in range(offset, offset + n):
        family = instances[i % len(instances)]
        if difficulty is None:
            low, high = 1, family.levels
        else:
            low, high = (difficulty, difficulty) if isinstance(difficulty, int) else difficulty
            high = min(high, family.levels)
            low = min(low, high)
        level = low + (i // len(instances)) % (high - low + 1)
        tasks.append(family.sample(EVAL_SEED_BASE + i, level))
    return tasks
