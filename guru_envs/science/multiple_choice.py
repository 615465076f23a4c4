"""Multiple choice across every generated science family, with distractors from common mistakes.

Description:
    Draws a family (mechanics, circuits, optics, thermodynamics, chemistry, genetics, ecology, astronomy,
    earth), then one of its problems, and offers the right value among distractors that common mistakes
    produce: the topic's own slips first (a factor ½ forgotten, °C used for kelvin, a prefix not
    converted, a ratio inverted), then generic ones (factor of 2, sign, power of ten, SI value under the
    stated unit). This is the same conversion every family applies with its ``choices`` option; this
    family only mixes them, like GPQA and SuperGPQA mix subjects.

Prompt:
    The problem, the options as ``A) ...`` lines, and the instruction to box only the letter.

Answer format:
    ``\\boxed{B}`` (also ``(B)``, ``\\text{B}``, ``B) 3.0 km``, or the exact text of one option); without a
    box, a final ``Answer: B`` line.

Scoring:
    1 for the right letter, 0 otherwise; a response without a clearly chosen letter scores 0 (never a
    random guess, unlike GURU's SuperGPQA scorer).

Difficulty:
    The drawn family's level (1..3).

Version History:
    v0: initial release.
    v0 (unreleased): the subject families' new golds; options are shown to the precision the free answer asks
        for (decimals for pH and temperatures); hedged or stuffed letters score 0 (issue 17).
"""

from __future__ import annotations

import random
from typing import ClassVar

from guru_envs.science.astronomy import AstronomyFamily
from guru_envs.science.chemistry import ChemistryFamily
from guru_envs.science.circuits import CircuitsFamily
from guru_envs.science.common import DEFAULT_REL_TOL, ScienceFamily, Worked
from guru_envs.science.earth import EarthFamily
from guru_envs.science.ecology import EcologyFamily
from guru_envs.science.genetics import GeneticsFamily
from guru_envs.science.mechanics import MechanicsFamily
from guru_envs.science.optics import OpticsFamily
from guru_envs.science.thermodynamics import ThermodynamicsFamily

SOURCES: dict[str, type[ScienceFamily]] = {
    cls.name: cls
    for cls in (
        MechanicsFamily,
        CircuitsFamily,
        OpticsFamily,
        ThermodynamicsFamily,
        ChemistryFamily,
        GeneticsFamily,
        EcologyFamily,
        AstronomyFamily,
        EarthFamily,
    )
}


class MultipleChoiceFamily(ScienceFamily):
    """Multiple-choice science questions drawn from all generated families (see the module docstring).

    Options:
        choices: number of options, 2..10 (default 4, as GPQA).
        subjects: which families to draw from (default: all).
        rel_tol: how far apart (in tolerances) distractors must be from the answer.
    """

    name = "multiple_choice"
    TOPICS: ClassVar[dict] = {}
    row_question: ClassVar[bool] = False  # the letter is read against the options, not the question
    guru_scorer: ClassVar[str] = "supergpqa"

    def __init__(
        self, choices: int = 4, subjects: list[str] | None = None, rel_tol: float = DEFAULT_REL_TOL
    ) -> None:
        if choices == 0:
            raise ValueError("multiple_choice needs choices >= 2; use a subject family for free answers")
        super().__init__(choices=choices, rel_tol=rel_tol)
        names = list(subjects) if subjects is not None else list(SOURCES)
        unknown = sorted(set(names) - set(SOURCES))
        if not names or unknown:
            raise ValueError(f"subjects must be a non-empty subset of {sorted(SOURCES)}, got {subjects!r}")
        self.subjects = names
        self._sources = {name: SOURCES[name]() for name in names}

    def draw(self, rng: random.Random, difficulty: int) -> Worked:
        """A problem from a subject family drawn with ``rng``."""
        subject = rng.choice(self.subjects)
        worked = self._sources[subject].draw(rng, difficulty)
        worked.topic = f"{subject}.{worked.topic}"
        return worked
