"""MixedSampler: a deterministic, resumable stream of tasks drawn from several environments.

GURU's result is about mixtures: which domains, in what proportion, at what difficulty. The sampler
draws each task from a source chosen by weight (optionally re-weighted by source size with a
temperature), at a difficulty from the source's range or its curriculum, skips repeats, and yields GRPO
batches (each prompt repeated ``group_size`` times, grouped). Draw ``i`` depends only on ``(seed, i)``
and the sampler's small state, so ``state_dict()`` / ``load_state_dict()`` resume the exact stream.
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import msgspec
import numpy as np

from guru_envs.core.source import TaskSource, cumulative
from guru_envs.core.task import Task, prompt_key

DEFAULT_HELDOUT_EXCLUSION = 100


class SourceSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One stream in a mixture (the arguments of a :class:`~guru_envs.core.source.TaskSource`).

    Attributes:
        env: a registered id (``guru/Math-v0`` or ``guru/Logic.zebra-v0``); with ``dataset`` it names the
            source: a registered id (whose env class draws the rows), or any name without a ``/``.
        weight: relative share of draws (before temperature re-weighting).
        families: generator families to use, or ``{family: weight}`` (default: the env's own).
        difficulty: a level, an inclusive ``[low, high]`` range, or a preset (``"easy"``, ``"medium"``,
            ``"hard"``); default: each family's full range. A level a family lacks is an error.
        dataset: GURU/verl files to draw rows from instead of generating.
        buckets: with a filtered dataset (``guru filter``), the pass-rate buckets to draw from and their weights.
        family_options: ``{family: {option: value}}`` (or ``"domain.family"`` keys), stamped on every task.
    """

    env: str
    weight: float = 1.0
    families: list[str] | dict[str, float] | None = None
    difficulty: tuple[int, int] | int | str | None = None
    dataset: list[str] | None = None
    buckets: dict[str, float] | None = None
    family_options: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)

    def task_source(self) -> TaskSource:
        """The TaskSource this spec describes (built by the env's own ``source_class``).

        Raises:
            ValueError: naming the source and what is wrong with it.
        """
        if not (isinstance(self.weight, int | float) and self.weight >= 0):
            raise ValueError(f"source {self.env}: weight must be >= 0")
        try:
            if self.dataset and "/" not in self.env:
                source = TaskSource(
                    None,
                    families=self.families,
                    difficulty=self.difficulty,
                    dataset=list(self.dataset),
                    buckets=self.buckets,
                    options=self.family_options,
                    name=self.env,
                )
            elif self.dataset:
                source = TaskSource.from_id(
                    self.env,
                    families=self.families,
                    difficulty=self.difficulty,
                    dataset=list(self.dataset),
                    buckets=self.buckets,
                    options=self.family_options,
                )
            else:
                source = TaskSource.from_id(
                    self.env, families=self.families, difficulty=self.difficulty, options=self.family_options
                )
        except ValueError as exc:
            raise ValueError(f"source {self.env}: {exc}") from None
        return source


class Curriculum(Protocol):
    """Chooses the difficulty range of a source at each draw, and learns from rewards."""

    def level_range(self, source: str, low: int, high: int) -> tuple[int, int]:
        """The range to draw from now, inside the source's own ``[low, high]``."""
        ...

    def observe(self, task: Task, reward: float) -> None:
        """Record one scored response."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`state_dict`."""
        ...


class ScheduleCurriculum:
    """Difficulty that rises with the number of draws: the upper level grows linearly to the source's max."""

    def __init__(self, draws_to_max: int) -> None:
        if draws_to_max < 1:
            raise ValueError("draws_to_max must be >= 1")
        self.draws_to_max = draws_to_max
        self.draws = 0

    def level_range(self, source: str, low: int, high: int) -> tuple[int, int]:
        self.draws += 1
        reach = low + (high - low) * min(1.0, self.draws / self.draws_to_max)
        return low, max(low, int(reach))

    def observe(self, task: Task, reward: float) -> None:
        pass

    def state_dict(self) -> dict[str, Any]:
        return {"draws": self.draws}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.draws = int(state["draws"])


class PassRateCurriculum:
    """Per-source level that moves up when recent pass rate exceeds ``promote`` and down below ``demote``.

    Keeps training where the group has variance: GRPO learns nothing from tasks always or never solved.
    """

    def __init__(
        self, promote: float = 0.8, demote: float = 0.2, window: int = 64, start_level: int = 1
    ) -> None:
        if not 0 <= demote < promote <= 1:
            raise ValueError("need 0 <= demote < promote <= 1")
        self.promote, self.demote, self.window, self.start_level = promote, demote, window, start_level
        self.levels: dict[str, int] = {}
        self.recent: dict[str, deque[float]] = {}
        self._source_of: dict[str, str] = {}

    def level_range(self, source: str, low: int, high: int) -> tuple[int, int]:
        level = min(high, max(low, self.levels.setdefault(source, self.start_level)))
        return level, level

    def bind(self, task: Task, source: str) -> None:
        """Remember which source a task came from (the sampler calls this)."""
        self._source_of[task.id] = source
        if len(self._source_of) > 100_000:
            self._source_of.pop(next(iter(self._source_of)))

    def observe(self, task: Task, reward: float) -> None:
        source = self._source_of.get(task.id)
        if source is None:
            return
        recent = self.recent.setdefault(source, deque(maxlen=self.window))
        recent.append(float(reward))
        if len(recent) == self.window:
            rate = sum(recent) / len(recent)
            if rate >= self.promote:
                self.levels[source] = self.levels.get(source, self.start_level) + 1
                recent.clear()
            elif rate <= self.demote and self.levels.get(source, self.start_level) > 1:
                self.levels[source] -= 1
                recent.clear()

    def state_dict(self) -> dict[str, Any]:
        return {"levels": dict(self.levels), "recent": {k: list(v) for k, v in self.recent.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.levels = dict(state["levels"])
        self.recent = {k: deque(v, maxlen=self.window) for k, v in state["recent"].items()}


class MixedSampler:
    """Draw tasks from several sources by weight, deterministically and resumably.

    Args:
        sources: ``{env_id: weight}``, a list of :class:`SourceSpec`, or ready
            :class:`~guru_envs.core.source.TaskSource` objects.
        seed: the stream's seed; draw ``i`` is a function of ``(seed, i)`` and the state.
        temperature: re-weight sources by size, ``p ~ weight * size ** (1 / temperature)``; None keeps
            the weights as given (dataset sources are then not favoured for being large).
        dedup: skip tasks whose prompt was already served (up to ``dedup_window`` remembered).
        curriculum: a :class:`Curriculum` choosing difficulty ranges over time.
        exclude_heldout: never serve a prompt among the first this-many held-out tasks of the family
            and level drawn (:meth:`TaskSource.heldout`, what ``guru eval`` evaluates on), so held-out
            splits stay disjoint from training by prompt, not only by seed (0 turns it off).
        exclude_prompts: more prompts (or tasks) never to serve, e.g. a dataset's test rows.

    Example:
        >>> sampler = MixedSampler({"guru/Math-v0": 2, "guru/Logic-v0": 1}, seed=0)
        >>> batch = sampler.groups(num_prompts=4, group_size=8)  # 32 tasks, 8 copies of each prompt in a row
    """

    def __init__(
        self,
        sources: Mapping[str, float] | Sequence[SourceSpec | TaskSource],
        seed: int = 0,
        temperature: float | None = None,
        dedup: bool = True,
        dedup_window: int = 200_000,
        curriculum: Curriculum | None = None,
        max_retries: int = 20,
        exclude_heldout: int = DEFAULT_HELDOUT_EXCLUSION,
        exclude_prompts: Iterable[str | Task] = (),
    ) -> None:
        items = (
            [SourceSpec(env=k, weight=float(v)) for k, v in sources.items()]
            if isinstance(sources, Mapping)
            else list(sources)
        )
        if not items:
            raise ValueError("a sampler needs at least one source")
        self.sources = [item if isinstance(item, TaskSource) else item.task_source() for item in items]
        source_weights = [1.0 if isinstance(item, TaskSource) else float(item.weight) for item in items]
        if temperature is not None and temperature <= 0:
            raise ValueError("temperature must be > 0")
        weights = [
            w * (s.size ** (1.0 / temperature) if temperature else 1.0)
            for w, s in zip(source_weights, self.sources)
        ]
        if sum(weights) <= 0:
            raise ValueError("source weights must have a positive sum")
        total = sum(weights)
        self.probabilities = [w / total for w in weights]
        self._cdf = cumulative(np.array(self.probabilities))
        self._bits = np.random.PCG64(0)
        self._generator = np.random.Generator(self._bits)
        if exclude_heldout < 0:
            raise ValueError("exclude_heldout must be >= 0")
        self.seed = seed
        self.dedup = dedup
        self.dedup_window = dedup_window
        self.curriculum = curriculum
        self.max_retries = max_retries
        self.exclude_heldout = exclude_heldout
        self._excluded = frozenset(
            item.prompt_key if isinstance(item, Task) else prompt_key(item) for item in exclude_prompts
        )
        self.draws = 0
        self._seen: dict[str, None] = {}  # insertion-ordered set of the prompt keys served
        self.repeats = 0
        self.excluded = 0

    def _rng(self, attempt: int) -> np.random.Generator:
        """The generator of draw ``self.draws``, attempt ``attempt``: its state is a hash of those and the seed.

        One generator is re-seeded by setting its state (a few microseconds, against ~40 for a new one).
        """
        digest = hashlib.blake2b(f"{self.seed}:{self.draws}:{attempt}".encode(), digest_size=32).digest()
        state, increment = int.from_bytes(digest[:16], "little"), int.from_bytes(digest[16:], "little") | 1
        self._bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": increment},
            "has_uint32": 0,
            "uinteger": 0,
        }
        return self._generator

    def _held_out(self, source: TaskSource, task: Task, key: str) -> bool:
        if key in self._excluded:
            return True
        if not self.exclude_heldout or source.is_dataset:
            return False
        family = source.family_of(task)
        return family is not None and key in source.heldout_keys(
            family, task.difficulty, self.exclude_heldout
        )

    def next_task(self) -> Task:
        """The next task of the stream.

        Raises:
            RuntimeError: when every attempt drew a held-out prompt (the source's prompt space is too
                small for its held-out split).
        """
        fallback: tuple[Task, TaskSource, str] | None = None
        for attempt in range(self.max_retries + 1):
            rng = self._rng(attempt)
            source = self.sources[bisect_right(self._cdf, rng.random())]
            level_range = (
                functools.partial(self.curriculum.level_range, source.name)
                if self.curriculum is not None
                else None
            )
            task = source.draw(rng, level_range=level_range)
            key = task.prompt_key
            if self._held_out(source, task, key):
                self.excluded += 1
                continue
            if not self.dedup or key not in self._seen:
                break
            fallback = fallback or (task, source, key)
        else:
            if fallback is None:
                raise RuntimeError(
                    f"{self.max_retries + 1} draws in a row were held-out prompts; the sources' prompt space "
                    "is too small for their held-out split (lower exclude_heldout or widen the difficulty)"
                )
            task, source, key = fallback
            self.repeats += 1  # the source is exhausted at this difficulty: serve the repeat, and count it
        self.draws += 1
        self._seen.pop(key, None)
        self._seen[key] = None
        if len(self._seen) > self.dedup_window:
            self._seen.pop(next(iter(self._seen)))
        if isinstance(self.curriculum, PassRateCurriculum):
            self.curriculum.bind(task, source.name)
        return task

    def next_batch(self, num_prompts: int) -> list[Task]:
        """``num_prompts`` distinct tasks."""
        return [self.next_task() for _ in range(num_prompts)]

    def groups(self, num_prompts: int, group_size: int) -> list[Task]:
        """A GRPO batch: each of ``num_prompts`` tasks repeated ``group_size`` times, copies adjacent."""
        if group_size < 1 or num_prompts < 1:
            raise ValueError("num_prompts and group_size must be >= 1")
        return [task for task in self.next_batch(num_prompts) for _ in range(group_size)]

    def observe(self, tasks: Sequence[Task], rewards: Sequence[float]) -> None:
        """Feed rewards back to the curriculum (a no-op without one)."""
        if self.curriculum is not None:
            for task, reward in zip(tasks, rewards):
                self.curriculum.observe(task, reward)

    def served_prompt_keys(self) -> list[str]:
        """Keys (:func:`~guru_envs.core.task.prompt_key`) of the prompts served, oldest first (up to the window)."""
        return list(self._seen)

    def state_dict(self) -> dict[str, Any]:
        """The whole state (JSON-able): resuming from it reproduces the rest of the stream exactly.

        ``seen`` lists the prompt keys served (up to ``dedup_window``); ``guru eval --train-run`` reads it
        to report overlap between a run's training draws and its held-out tasks.
        """
        return {
            "seed": self.seed,
            "draws": self.draws,
            "repeats": self.repeats,
            "excluded": self.excluded,
            "seen": list(self._seen),
            "curriculum": self.curriculum.state_dict() if self.curriculum is not None else None,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict` taken from a sampler built with the same sources."""
        self.seed = state["seed"]
        self.draws = state["draws"]
        self.repeats = state.get("repeats", 0)
        self.excluded = state.get("excluded", 0)
        self._seen = dict.fromkeys(state["seen"])
        if self.curriculum is not None and state.get("curriculum") is not None:
            self.curriculum.load_state_dict(state["curriculum"])
