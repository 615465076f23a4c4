"""Every guru domain as a ``skyrl_gym`` environment, for GRPO at scale with SkyRL.

SkyRL's generator builds one environment per rollout with ``skyrl_gym.make(env_class, env_config=...,
extras=row)``, where ``row`` is the dataset row minus its ``prompt`` and ``env_class`` columns. Rows written
by ``guru export --format skyrl`` (:func:`guru_envs.core.rows.to_skyrl_row`) carry the exact task, its
scoring options included, in ``extra_info["guru"]``, so :class:`GuruSkyRLEnv` pays what ``gym.make``, the
trainer and eval pay; GURU's own rows without it are routed by ``data_source`` like any dataset row. The
episode logic is :class:`agents.skyrl.episode.GuruEpisode` (plain Python, tested without SkyRL).

The env classes are named ``guru_<domain>`` (``guru_math``, ``guru_logic``, ...). SkyRL's registry lives
in each process, so :func:`register_guru_envs` must run inside the Ray entrypoint (see
:mod:`agents.skyrl.entrypoint`), not only in the driver.
"""

from __future__ import annotations

from typing import Any

from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput

from guru_envs.core.rows import task_from_skyrl_extras

from .episode import GuruEpisode, env_class_for

__all__ = ["GuruSkyRLEnv", "env_class_for", "register_guru_envs", "task_from_extras"]

task_from_extras = task_from_skyrl_extras  # the name this module gave it before rows moved to the core


class GuruSkyRLEnv(BaseTextEnv):
    """One guru task as a SkyRL text environment.

    Single-turn by default: the first response is scored and the episode ends. With ``max_turns > 1`` (SkyRL
    sets ``extras["max_turns"]`` from ``generator.max_turns``) a wrong answer gets the verifier's feedback as
    the next user message until it is right or the turns run out, as :class:`guru_envs.core.env.GuruEnv`.

    Args:
        env_config: SkyRL's per-env-class config (``environment.skyrl_gym.<env_class>``); unused.
        extras: the dataset row (``reward_spec``, ``extra_info``, ``data_source``, ...).
    """

    def __init__(self, env_config: Any = None, extras: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.episode = GuruEpisode(extras)
        self.task = self.episode.task
        self.max_turns = self.episode.max_turns

    def step(self, action: str) -> BaseTextEnvStepOutput:
        """Score the response; on a wrong answer with turns left, return the feedback as the next message."""
        self.turns += 1
        out = self.episode.step(action)
        return BaseTextEnvStepOutput(
            observations=out.observations,
            reward=out.reward,
            done=out.done,
            metadata=out.metadata,
            postprocessed_action=None,
        )

    def get_metrics(self) -> dict[str, Any]:
        """Per-episode numbers SkyRL averages per env class: reward, accuracy, format failures, turns."""
        return self.episode.metrics()


def register_guru_envs(domains: list[str] | None = None) -> list[str]:
    """Register ``guru_<domain>`` for every domain in the catalog (or ``domains``) with skyrl_gym.

    Idempotent: ids already registered are left alone. Returns the env classes now available.
    """
    from skyrl_gym.envs.registration import register, registry

    import guru_envs

    names = domains if domains is not None else guru_envs.catalog().domains()
    out = []
    for domain in names:
        env_class = env_class_for(domain)
        if env_class not in registry:
            register(id=env_class, entry_point=f"{__name__}:GuruSkyRLEnv")
        out.append(env_class)
    return out
