"""Draw a fixed set of tasks from any registered id, the way every adapter builds its dataset."""

from __future__ import annotations

from typing import Any

from guru_envs.core.task import Task


def draw_tasks(env_id: str, size: int, seed: int = 0, **make_kwargs: Any) -> list[Task]:
    """``size`` tasks of ``env_id``: the env's reset with seeds ``seed``, ``seed + 1``, ...

    Args:
        env_id: any registered id.
        size: number of tasks (>= 0).
        seed: first seed; the same arguments always give the same tasks.
        **make_kwargs: what ``gym.make(env_id, ...)`` takes (``difficulty``, ``families``,
            ``dataset``, ``family_options``).
    """
    import gymnasium as gym

    import guru_envs  # noqa: F401 - registers the ids

    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"size must be an int >= 0, got {size!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    env = gym.make(env_id, **make_kwargs)
    try:
        tasks = []
        for i in range(size):
            env.reset(seed=seed + i)
            tasks.append(env.unwrapped.task)
        return tasks
    finally:
        env.close()
