"""One guru task as a SkyRL episode, in plain Python: what :class:`agents.skyrl.env.GuruSkyRLEnv` does.

SkyRL needs Python 3.12, so its env class is only tested in the ``skyrl`` suite; everything it decides
(which task a row is, the reward, when the episode ends, the feedback, the metrics) lives here, where
the default test run checks it against the env, the trainer and eval on the same responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guru_envs.core.rows import SKYRL_ENV_CLASS_PREFIX, task_from_skyrl_extras
from guru_envs.core.scoring import Scorer
from guru_envs.core.task import Task

IN_PROCESS = Scorer(workers=1)  # SkyRL runs one env per rollout; each scores one response


def env_class_for(domain: str) -> str:
    """The SkyRL ``env_class`` of a domain: ``guru_<domain>``."""
    return f"{SKYRL_ENV_CLASS_PREFIX}{domain}"


@dataclass
class EpisodeStep:
    """What one step returns: SkyRL's ``BaseTextEnvStepOutput`` fields."""

    observations: list[dict[str, str]]
    reward: float
    done: bool
    metadata: dict[str, Any] = field(default_factory=dict)


class GuruEpisode:
    """A task from a SkyRL row, scored by the task alone; single-turn, or retries with feedback.

    Args:
        extras: the dataset row SkyRL passes (every column but ``prompt`` and ``env_class``).
        scorer: the :class:`~guru_envs.core.scoring.Scorer` (default: in this process).

    Raises:
        ValueError: when the row names neither an exported task nor a ``data_source`` with ground truth.
    """

    def __init__(self, extras: dict[str, Any] | None, scorer: Scorer | None = None) -> None:
        extras = dict(extras or {})
        self.task: Task = task_from_skyrl_extras(extras)
        self.max_turns = int(extras.get("max_turns") or 1)
        self.scorer = scorer or IN_PROCESS
        self.turns = 0
        self.last: dict[str, float] = {}

    def step(self, action: str) -> EpisodeStep:
        """Score the response; on a wrong answer with turns left, the feedback is the next user message."""
        self.turns += 1
        verdict = self.scorer.score(self.task, action)
        done = verdict.correct or self.turns >= self.max_turns
        self.last = {
            "reward": float(verdict.reward),
            "correct": float(verdict.correct),
            "format_fail": float(not verdict.answered),
        }
        observations = []
        if not done:
            hint = verdict.feedback or f"Your answer was not accepted: {verdict.reason}. Try again."
            observations = [{"role": "user", "content": hint}]
        metadata = {
            "domain": self.task.domain,
            "family": self.task.family,
            "task_id": self.task.id,
            "correct": verdict.correct,
            "extracted": verdict.extracted,
            "reason": verdict.reason,
        }
        return EpisodeStep(
            observations=observations, reward=float(verdict.reward), done=done, metadata=metadata
        )

    def metrics(self) -> dict[str, float]:
        """Per-episode numbers SkyRL averages per env class: reward, accuracy, format failures, turns."""
        return {**self.last, "turns": float(self.turns)}
