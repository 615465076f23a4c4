"""Scoring: the verdict on a response reads only the task, whoever asks (env, trainer, eval, SkyRL).

A task carries its family, version and options, so :func:`score` builds (and caches) the family exactly
as the task was made and asks it. A :class:`Scorer` adds what many responses need: worker processes
with hard timeouts, kept between calls. The env, the GRPO trainer, the eval harness, the difficulty
filter and the SkyRL env all score through one of these, so they pay the same reward for the same
response.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from guru_envs.core.registry import catalog
from guru_envs.core.source import options_for
from guru_envs.core.task import Task
from guru_envs.guard import CallTimeout, GuardedPool, RemoteError, WorkerCrashed
from guru_envs.verify.score import Score

MAX_RESPONSE_CHARS = 1_000_000  # ~250k tokens: longer is never a real rollout, and would only cost time


def plain_text(response: Any) -> Any:
    """An exact ``str`` for any ``str`` subclass (anything else as it is).

    A subclass may lie in ``__len__`` (slipping past the size cap), ``find`` (looping a reader forever)
    or ``strip`` (raising): verifiers read the text itself, never its methods.
    """
    if isinstance(response, str) and type(response) is not str:
        return str.__str__(response)
    return response


def check_response(response: Any) -> Score | None:
    """A zero Score when ``response`` cannot be scored at all (wrong type, too long); None when it can."""
    if not isinstance(response, str):
        return Score.wrong(None, f"response must be a str, got {type(response).__name__}", error="bad_type")
    if len(response) > MAX_RESPONSE_CHARS:
        return Score.wrong(
            None,
            f"response has {len(response):,} characters, over the {MAX_RESPONSE_CHARS:,} limit",
            error="too_long",
        )
    if not response.strip():
        return Score.wrong(None, "response is empty", error="empty")
    return None


def score(task: Task, response: Any, family: Any = None) -> Score:
    """The verdict on ``response`` for ``task``, in this process; never raises on bad responses.

    Args:
        task: the task (generated, or loaded from a row); its family is built from ``task.options``.
        response: the model's full response text (anything else scores 0 with a reason).
        family: score with this family instance instead (the contract kit checks family objects).

    Raises:
        KeyError, ImportError, TypeError, ValueError: the task names a family, version or options this
            install cannot build (a configuration error, not a bad response).
    """
    response = plain_text(response)
    rejected = check_response(response)
    if rejected is not None:
        return rejected
    if family is None:
        family = catalog().family_for(task)
    try:
        result = family.score(task, response)
    except Exception as exc:  # a verifier bug must cost one reward, not a training run
        return Score.wrong(None, f"verifier error: {type(exc).__name__}: {exc}"[:500], error="verifier_error")
    if not isinstance(result, Score):
        return Score.wrong(
            None, f"verifier returned {type(result).__name__}, not Score", error="verifier_error"
        )
    return result


def _score_chunk(pairs: list[tuple[Task, Any]]) -> list[Score]:
    return [score(task, response) for task, response in pairs]


def _failure(exc: Exception) -> Score:
    if isinstance(exc, CallTimeout):
        return Score.wrong(None, f"scoring timed out: {exc}", error="timeout")
    if isinstance(exc, WorkerCrashed | RemoteError):
        return Score.wrong(None, f"scoring failed: {exc}"[:500], error="verifier_error")
    return Score.wrong(None, f"scoring failed: {type(exc).__name__}: {exc}"[:500], error="verifier_error")


def check_families(tasks: Sequence[Task]) -> None:
    """Build each distinct family the tasks name, so a bad version or option raises here, once.

    Raises:
        KeyError, ImportError, TypeError, ValueError: naming the family that cannot be built.
    """
    cat = catalog()
    seen: set[tuple[str, str, int | None, bytes]] = set()
    for task in tasks:
        key = (task.domain, task.family, task.version, msgspec.json.encode(task.options, order="sorted"))
        if key not in seen:
            seen.add(key)
            try:
                cat.family_for(task)
            except TypeError as exc:
                raise TypeError(f"task {task.id}: options {task.options} are not valid: {exc}") from None


class Scorer:
    """Scores (task, response) pairs; many at once over worker processes with hard timeouts.

    Args:
        workers: scoring processes (default: CPU count); 1 scores in this process, without a hard limit.
        timeout: hard wall-clock limit per chunk of pairs, and per pair when a chunk is retried.
        chunk_size: pairs per call to a worker (default: spread evenly, at most 64).
        pool: a :class:`~guru_envs.guard.GuardedPool` to use (default: one of its own, started on the
            first batch and kept until :meth:`close`).

    A chunk that runs past ``timeout`` (or crashes its worker) is re-scored one pair at a time, so only
    the guilty response scores 0. Workers are forked from this process: start the scorer (see
    :meth:`start`) before loading anything big, so they stay small.
    """

    def __init__(
        self,
        workers: int | None = None,
        timeout: float = 30.0,
        chunk_size: int | None = None,
        pool: GuardedPool | None = None,
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be a positive int, got {workers!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0, got {timeout!r}")
        self.timeout = float(timeout)
        self.chunk_size = chunk_size
        self._pool = pool
        self._own_pool = pool is None

    def start(self) -> Scorer:
        """Fork the worker processes now rather than at the first batch; returns self."""
        if self.workers > 1 and self._pool is None:
            self._pool = GuardedPool(workers=self.workers)
            self._pool.map(_score_chunk, [(([],), {})] * self.workers, timeout=self.timeout)
        return self

    def score(self, task: Task, response: Any) -> Score:
        """The verdict on one response, in this process (see :func:`score`)."""
        return score(task, response)

    def score_batch(self, tasks: Sequence[Task], responses: Sequence[Any]) -> list[Score]:
        """Verdicts for the pairs, in input order; a bad response scores 0 with a reason, never raises.

        Raises:
            ValueError: when the lengths differ; see :func:`check_families` for tasks naming a family,
                version or options this install cannot build.
        """
        if len(tasks) != len(responses):
            raise ValueError(f"got {len(tasks)} tasks but {len(responses)} responses")
        pairs = list(zip(tasks, map(plain_text, responses)))
        if not pairs:
            return []
        check_families(tasks)
        if self.workers == 1 and self._pool is None:
            return _score_chunk(pairs)
        if self._pool is None:
            self._pool = GuardedPool(workers=self.workers)
        size = self.chunk_size or max(1, min(64, -(-len(pairs) // (self.workers * 4))))
        chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        outcomes = self._pool.map(_score_chunk, [((chunk,), {}) for chunk in chunks], timeout=self.timeout)
        results: list[Score] = []
        for chunk, outcome in zip(chunks, outcomes):
            if not isinstance(outcome, Exception):
                results.extend(outcome)
                continue
            singles = self._pool.map(_score_chunk, [(([pair],), {}) for pair in chunk], timeout=self.timeout)
            results.extend(_failure(s) if isinstance(s, Exception) else s[0] for s in singles)
        return results

    def close(self) -> None:
        """Stop the worker processes this scorer started (a later batch starts new ones); safe twice."""
        if self._pool is not None and self._own_pool:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self._own_pool:
            state["_pool"] = None  # processes do not travel; a copy starts its own
        return state


def with_options(tasks: Sequence[Task], family_options: Mapping[str, Mapping[str, Any]] | None) -> list[Task]:
    """The tasks with ``family_options`` stamped on (keys ``domain.family``, or a bare family name)."""
    if not family_options:
        return list(tasks)
    out = []
    for task in tasks:
        extra = options_for(family_options, task.domain, task.family)
        out.append(msgspec.structs.replace(task, options={**task.options, **extra}) if extra else task)
    return out


def score_batch(
    tasks: Sequence[Task],
    responses: Sequence[Any],
    workers: int | None = None,
    timeout: float = 30.0,
    chunk_size: int | None = None,
    pool: GuardedPool | None = None,
    family_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Score]:
    """Score many (task, response) pairs over worker processes, in input order (a one-off :class:`Scorer`).

    Args:
        tasks: one task per response (repeat a task for a group of samples).
        responses: the responses.
        workers: processes to use (default: CPU count); 1 scores in this process.
        timeout: hard wall-clock limit per chunk, and per pair on the retry.
        chunk_size: pairs per call (default: spread evenly, at most 64).
        pool: an existing pool to reuse across calls (or keep a :class:`Scorer`).
        family_options: options stamped onto the tasks first, keyed ``domain.family`` (or a bare family
            name); tasks from a :class:`~guru_envs.core.source.TaskSource` already carry theirs.
    """
    scorer = Scorer(workers=workers, timeout=timeout, chunk_size=chunk_size, pool=pool)
    try:
        return scorer.score_batch(with_options(tasks, family_options), responses)
    finally:
        scorer.close()
