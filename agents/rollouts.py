"""One step's scored rollouts, and how they are packed into micro-batches for the update.

A group's responses share their prompt, so the update runs the prompt once with the responses packed
behind it (:func:`pack_rows`), and packs are binned by length under a token budget (:func:`micro_batches`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from guru_envs.core.task import Task
from guru_envs.verify.score import Score


def shaped_reward(
    score: Score, format_reward: float, *, truncated: bool = False, needs_stop: bool = False
) -> float:
    """The training reward: the verifier's reward, plus ``format_reward`` when an answer was read.

    Read means :attr:`Score.answered`: an empty box earns no bonus, or a policy learns to write one.
    With ``needs_stop`` a response cut off by the token budget (``truncated``) earns no bonus either.
    """
    bonus = score.answered and not (needs_stop and truncated)
    return float(score.reward) + (format_reward if bonus else 0.0)


@dataclass
class Rollouts:
    """One step's responses, ``group_size`` adjacent per task.

    Attributes:
        tasks: the task of each response.
        prompt_ids: the prompt tokens each response continues (shared by a group).
        response_ids: the sampled tokens, EOS included when the model stopped.
        texts: the decoded responses the verifiers saw.
        truncated: whether the response ran out of budget.
        scores: the verifiers' verdicts.
        rewards: the training rewards (``shaped_reward``), shape ``[N]``.
    """

    tasks: list[Task]
    prompt_ids: list[list[int]]
    response_ids: list[list[int]]
    texts: list[str]
    truncated: list[bool]
    scores: list[Score]
    rewards: torch.Tensor

    def __len__(self) -> int:
        return len(self.tasks)


def micro_batches(lengths: Sequence[int], indices: Sequence[int], token_budget: int) -> list[list[int]]:
    """Split ``indices`` into micro-batches whose padded size (rows x longest row) fits ``token_budget``.

    Sequences are sorted longest first, so rows of similar length share a batch and little padding is
    computed; a single sequence longer than the budget gets a batch of its own.
    """
    order = sorted(indices, key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        if current and (len(current) + 1) * longest > token_budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def pack_length(rollouts: Rollouts, pack: Sequence[int]) -> int:
    """Tokens of a pack: the shared prompt once, plus every response."""
    return len(rollouts.prompt_ids[pack[0]]) + sum(len(rollouts.response_ids[i]) for i in pack)


def pack_rows(rollouts: Rollouts, rows: Sequence[int], token_budget: int) -> list[list[int]]:
    """Group rows that continue the same prompt into packs of at most ``token_budget`` tokens.

    A group's responses share their prompt, so a pack holds the prompt once and as many of its
    responses as fit. ``token_budget <= 0`` turns sharing off: every row is its own pack.
    """
    if token_budget <= 0:
        return [[i] for i in rows]
    by_prompt: dict[tuple[int, ...], list[int]] = {}
    for i in rows:
        by_prompt.setdefault(tuple(rollouts.prompt_ids[i]), []).append(i)
    packs: list[list[int]] = []
    for members in by_prompt.values():
        prompt_len = len(rollouts.prompt_ids[members[0]])
        current: list[int] = []
        size = prompt_len
        for i in members:
            c = len(rollouts.response_ids[i])
            if current and size + c > token_budget:
                packs.append(current)
                current, size = [], prompt_len
            current.append(i)
            size += c
        packs.append(current)
    return packs
