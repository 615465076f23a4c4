"""The verdict every verifier returns."""

from __future__ import annotations

from typing import Any

import msgspec

from guru_envs.verify.claim import has_content


class Score(msgspec.Struct, frozen=True, kw_only=True):
    """A verifier's verdict on one response.

    Attributes:
        reward: value in [0, 1] that RL optimises.
        correct: whether the response is fully right (what accuracy counts).
        extracted: the final answer read from the response, or None when none was found.
        reason: one short sentence saying why the response scored what it did.
        feedback: text shown to the model on the next turn in multi-turn mode (None: no retry hint).
        details: verifier-specific data (per-test verdicts, cell accuracy, ...), copied into ``info``.
    """

    reward: float
    correct: bool
    extracted: str | None = None
    reason: str = ""
    feedback: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)

    @classmethod
    def right(
        cls, extracted: str | None, reason: str = "matches the reference answer", **details: Any
    ) -> Score:
        """Full credit."""
        return cls(reward=1.0, correct=True, extracted=extracted, reason=reason, details=details)

    @classmethod
    def wrong(cls, extracted: str | None, reason: str, feedback: str | None = None, **details: Any) -> Score:
        """No credit, with the reason (and optional feedback for a retry)."""
        return cls(
            reward=0.0, correct=False, extracted=extracted, reason=reason, feedback=feedback, details=details
        )

    @classmethod
    def partial(cls, reward: float, extracted: str | None, reason: str, **details: Any) -> Score:
        """Partial credit in [0, 1]; only ``reward == 1`` counts as correct."""
        reward = min(1.0, max(0.0, float(reward)))
        return cls(reward=reward, correct=reward >= 1.0, extracted=extracted, reason=reason, details=details)

    @property
    def answered(self) -> bool:
        """Whether a final answer was read: ``extracted`` is set and says something (:func:`has_content`).

        What format rewards pay for and format-failure rates count. An empty box is a container, not an
        answer: a learning-check run whose format bonus paid for ``\\boxed{}`` learnt to answer every
        plain prompt with one.
        """
        return self.extracted is not None and (self.correct or has_content(self.extracted))

    def info(self) -> dict[str, Any]:
        """The ``info`` dict an env step returns: verdict fields first, then the details."""
        out: dict[str, Any] = dict(self.details)
        out.update(correct=self.correct, extracted=self.extracted, reason=self.reason)
        return out
