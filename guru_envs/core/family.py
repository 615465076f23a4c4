"""TaskFamily: a seeded problem generator plus the verifier for its answers (one file per family)."""

from __future__ import annotations

import abc
import inspect
import random
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from guru_envs.core.task import Task, prompt_from_row
from guru_envs.verify.score import Score

PRESET_NAMES = ("easy", "medium", "hard")


class Problem(msgspec.Struct, kw_only=True):
    """What a generator produces; :meth:`TaskFamily.sample` adds ids, domain and difficulty."""

    prompt: str
    answer: Any
    reference_response: str
    meta: dict[str, Any] = msgspec.field(default_factory=dict)


def default_presets(levels: int) -> dict[str, tuple[int, int]]:
    """Easy, medium and hard as the lower, middle and upper third of ``1..levels``.

    Five levels give easy 1-2, medium 3, hard 4-5; three give one level each; one level serves all three.
    """
    third = max(1, round(levels / 3))
    easy_top, hard_bottom = min(third, levels), max(1, levels - third + 1)
    medium = (easy_top + 1, hard_bottom - 1) if easy_top + 1 <= hard_bottom - 1 else (easy_top, hard_bottom)
    return {"easy": (1, easy_top), "medium": medium, "hard": (hard_bottom, levels)}


def _passed_options(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments a caller passed, by name (defaults left out); {} when they do not bind."""
    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return {}  # __init__ raises the real error
    params = inspect.signature(cls.__init__).parameters
    options: dict[str, Any] = {}
    for name, value in list(bound.arguments.items())[1:]:  # skip self
        if params[name].kind is inspect.Parameter.VAR_KEYWORD:
            options.update(value)
        elif params[name].kind is not inspect.Parameter.VAR_POSITIONAL:
            options[name] = value
    return options


class TaskFamily(abc.ABC):
    """Base class of every task family.

    Subclasses set ``domain`` and ``name`` and implement :meth:`generate` and :meth:`score`.
    Verifier-only families (GURU dataset rows) set ``generator = False`` and implement
    :meth:`score` and, when the row needs parsing, :meth:`task_from_row`.

    Options are constructor keyword arguments (``ZebraFamily(exact_match=True)``). Every instance
    remembers the ones it was built with in :attr:`options`, and every task it samples carries them in
    ``Task.options``, so the task is scored by a family configured the same way wherever it goes (env,
    trainer, eval, an exported row). Options must be plain JSON values.

    ``score`` receives a ``str`` (type and size checks happen once, in :func:`guru_envs.score`) and must
    not raise or run unbounded work: anything that may hang goes through
    :func:`guru_envs.guard.guarded_call` or :mod:`guru_envs.sandbox`.

    Class attributes:
        domain, name: what the family is registered as (its manifest must say the same).
        levels: difficulty runs ``1..levels``.
        generator: False for verifier-only families.
        difficulty_presets: named level ranges that replace the defaults of :func:`default_presets`
            (``{"hard": (6, 8)}``); any name may be added.
        exploit_exemptions: ``{probe name: reason}`` for probes of the contract kit's exploit battery
            that do not apply to this family (e.g. a family whose answer is a set has no "tuple for a
            set" attack); each entry needs a reason a reviewer can check.
        row_meta_keys: the ``meta`` keys the verifier reads beyond the answer (tolerances, the tests a
            prompt shows); rows carry them in ``extra_info.guru_scoring``, so a row stripped of
            ``extra_info.guru`` still scores as the task does.
        row_question: the verdict reads the prompt (a label word the question uses, a person it names);
            rows then carry it as ``extra_info.question``, since verl gives a reward function no prompt.
        guru_scorer: the scorer of Reasoning360's ``default_compute_score`` that pays the family's rows
            under its canonical ``data_source`` (checked by ``tests/integrations/test_guru_dispatch.py``);
            empty when GURU cannot score them, and ``guru_gap`` says why.

    Rows (:mod:`guru_envs.core.rows`): :meth:`row_ground_truth` writes ``reward_model.ground_truth``
    in the form GURU's scorer reads, and :meth:`parse_ground_truth` reads it back (from that value or
    its JSON text) to the task's answer.

    Instance attributes:
        options: the constructor arguments this instance was built with.
        version: the family version the catalog registered this instance under (0 when built by hand).
    """

    domain: ClassVar[str]
    name: ClassVar[str]
    levels: ClassVar[int] = 5
    generator: ClassVar[bool] = True
    difficulty_presets: ClassVar[Mapping[str, tuple[int, int]]] = {}
    exploit_exemptions: ClassVar[dict[str, str]] = {}
    row_meta_keys: ClassVar[tuple[str, ...]] = ()
    row_question: ClassVar[bool] = False
    guru_scorer: ClassVar[str] = ""
    guru_gap: ClassVar[str] = "GURU has no dataset or scorer for this family"

    options: dict[str, Any]
    version: int

    def __new__(cls, *args: Any, **kwargs: Any) -> TaskFamily:
        # Recorded here, not in __init__, so subclasses that define their own __init__ need no super() call.
        instance = super().__new__(cls)
        instance.options = _passed_options(cls, args, kwargs)
        instance.version = 0
        return instance

    def __init__(self, **options: Any) -> None:
        if options:
            raise TypeError(f"{type(self).__name__} takes no options, got {sorted(options)}")

    @classmethod
    def presets(cls) -> dict[str, tuple[int, int]]:
        """Named difficulty ranges: easy, medium and hard by default, overridden by ``difficulty_presets``."""
        return {**default_presets(cls.levels), **dict(cls.difficulty_presets)}

    def sample(self, seed: int, difficulty: int = 1) -> Task:
        """The task for ``(seed, difficulty)``: the same pair gives the same task on every machine."""
        if not self.generator:
            raise TypeError(f"{self.domain}.{self.name} only scores dataset rows; it generates no tasks")
        if not isinstance(difficulty, int) or not 1 <= difficulty <= self.levels:
            raise ValueError(
                f"{self.domain}.{self.name}: difficulty must be an int in 1..{self.levels}, got {difficulty!r}"
            )
        rng = random.Random(f"{self.domain}.{self.name}:{difficulty}:{seed}")
        return self.make_task(self.generate(rng, difficulty), seed, difficulty)

    def make_task(self, problem: Problem, seed: int, difficulty: int) -> Task:
        """The Task of a generated problem: its id (family, version, level, seed), version and options.

        A family that overrides :meth:`sample` (to enumerate a fixed pool, say) builds its tasks here,
        so they carry what every other task carries.
        """
        return Task(
            id=f"{self.domain}.{self.name}-v{self.version}/d{difficulty}/s{seed}",
            domain=self.domain,
            family=self.name,
            version=self.version,
            difficulty=difficulty,
            prompt=problem.prompt,
            answer=problem.answer,
            reference_response=problem.reference_response,
            meta=problem.meta,
            options=dict(self.options),
        )

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one problem from ``rng`` only (no global randomness) at ``difficulty``."""
        raise NotImplementedError(f"{self.domain}.{self.name} does not generate tasks")

    @abc.abstractmethod
    def score(self, task: Task, response: str) -> Score:
        """Score a response (already checked to be a str of sane size) against ``task``."""

    def wrong_responses(self, task: Task) -> list[str]:
        """Plausible but wrong complete responses (off-by-one, wrong unit, one cell changed ...).

        The contract kit (:mod:`guru_envs.testing`) checks that each scores below 1 and is not correct;
        every generator family must return at least one.
        """
        raise NotImplementedError(f"{self.domain}.{self.name} does not provide wrong_responses()")

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """A Task from a GURU/verl row this family claims; the default keeps ``ground_truth`` as is."""
        prompt, system = prompt_from_row(row)
        reward_model = row.get("reward_model") or {}
        if not isinstance(reward_model, dict) or "ground_truth" not in reward_model:
            raise ValueError("dataset row has no reward_model.ground_truth")
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        meta: dict[str, Any] = {"data_source": row["data_source"]}
        if system:
            meta["system_prompt"] = system
        index = extra.get("index", extra.get("id"))
        return Task(
            id=f"{row['data_source']}/{index}" if index is not None else row["data_source"],
            domain=self.domain,
            family=self.name,
            version=self.version,
            prompt=prompt,
            answer=self.parse_ground_truth(reward_model["ground_truth"], row),
            meta=meta,
            options=dict(self.options),
        )

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """Turn a row's ``ground_truth`` into this family's answer form (default: unchanged)."""
        return ground_truth

    def row_ground_truth(self, task: Task) -> Any:
        """What an exported row's ``reward_model.ground_truth`` holds: the answer as GURU's scorer reads it.

        Default: the answer itself. A value that is not a string is written as JSON text unless the
        export keeps native types (``guru export --typed-ground-truth``), so return a non-string only
        where GURU's scorer needs that type (a zebra grid's dict); :meth:`parse_ground_truth` must turn
        the value, and its JSON text, back into ``task.answer``.
        """
        return task.answer

    def guru_unscorable(self, task: Task) -> str:
        """Why Reasoning360's ``default_compute_score`` cannot score ``task``'s row ("" when it can).

        A verifier-only family's tasks are dataset rows read as they were (their own ``data_source`` and
        ground truth): written back, they are as scorable by GURU as the rows they came from, and "" is
        returned.
        """
        return "" if self.guru_scorer or not self.generator else self.guru_gap
