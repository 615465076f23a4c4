"""What every generated science family shares: worked problems with units, scoring, and distractors.

A family file only writes *topics*: functions ``(rng, config) -> Worked`` that state a problem, solve it
in SI, and list the values that common mistakes give (a forgotten factor of 2, a unit not converted, the
wrong sign, a swapped ratio). :class:`ScienceFamily` turns a ``Worked`` into a task in one of two forms:

- free answer (default): the prompt asks for the value in a stated unit, inside ``\\boxed{}``; the
  verifier takes the one final answer (:mod:`guru_envs.verify.claim`: hedges, negations, false equations
  and several different boxes score 0), reads its number and unit (:mod:`guru_envs.verify.units`),
  converts it into the stated unit and compares within a relative tolerance, so ``3000 m`` matches
  ``3.0 km`` and ``3.0 m`` does not;
- multiple choice (``choices=4`` option, or the ``multiple_choice`` family): the options are the right
  value and distractors drawn from the topic's mistakes (then generic ones: a factor of 2, the sign, a
  power of ten, the SI value under the stated unit); the verifier reads one letter strictly
  (:mod:`guru_envs.verify.choice`).

The task carries what its verifier needs: per-task data (value, unit, the tolerance set for its topic, the
listed options) in ``meta``, and the family options it was made with (``choices``, ``units``, ``rel_tol``)
in ``Task.options``, from which every scorer builds the family that scores it.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import msgspec

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.verify.choice import LETTERS, extract_choice
from guru_envs.verify.claim import contradiction, final_answer, words_of
from guru_envs.verify.extract import all_boxed, later_answers, strip_think
from guru_envs.verify.score import Score
from guru_envs.verify.units import (
    MeasuredAnswer,
    compare_measurement,
    convert,
    format_number,
    parse_measurement,
    parse_unit,
    read_labelled_number,
    read_measured_answer,
    same_measurement,
)

DEFAULT_REL_TOL = 1e-2  # answers are asked to 3 significant figures: rounding costs at most 0.5 %
BOX_INSTRUCTION = "Put the final answer inside \\boxed{}."
TEMPERATURE = (0, 0, 0, 0, 1, 0, 0)
TEMPERATURE_TOL = 0.1  # degrees (K, °C or °F): temperatures are asked to one decimal place


@dataclass(frozen=True)
class ScienceConfig:
    """Difficulty knobs shared by the quantitative families (each family's ``LEVELS`` maps level -> config).

    Attributes:
        steps: relations chained to reach the answer (1 = one formula).
        mixed_units: givens come in prefixed or non-SI units (km/h, g, mL, kPa, °C) that must be converted.
        convert_answer: the answer is asked for in a non-SI unit.
        sig: significant figures the prompt asks for.
    """

    steps: int = 1
    mixed_units: bool = False
    convert_answer: bool = False
    sig: int = 3


LEVELS: dict[int, ScienceConfig] = {
    1: ScienceConfig(steps=1, mixed_units=False, convert_answer=False),
    2: ScienceConfig(steps=1, mixed_units=True, convert_answer=False),
    3: ScienceConfig(steps=2, mixed_units=True, convert_answer=True),
}


class Given(NamedTuple):
    """A given quantity: the value as shown (in ``unit``) and the same value in the topic's base unit.

    ``base`` is expressed in the unit the topic passed to :func:`given` (``g`` for a chemistry mass, ``L``
    for a volume, ``m/s`` for a speed): that unit, not SI, is what a topic's formulas must assume.
    """

    value: float
    unit: str
    base: float
    sig: int = 2

    def __str__(self) -> str:
        text = format_number(self.value, self.sig)
        return f"{text} {self.unit}".strip() if self.unit not in ("°",) else f"{text}°"


@dataclass
class Worked:
    """A solved problem, as a topic returns it.

    Attributes:
        question: the problem statement (no answer instruction).
        value: the answer, expressed in ``unit``.
        unit: the unit the answer is asked in (text :func:`~guru_envs.verify.units.parse_unit` reads; "" for
            a pure number).
        steps: the worked solution, one line each, for the reference response.
        mistakes: ``(value in unit, what went wrong)`` for common mistakes; used as distractors and as
            wrong responses in tests.
        unit_words: how the prompt names the unit (default: the unit itself).
        sig: significant figures asked for.
        rel_tol: relative tolerance (default: the family's).
        abs_tol: absolute tolerance in ``unit`` (pH-like answers).
        decimals: ask for this many decimal places instead of significant figures (pH-like answers).
        topic: the topic name, kept in the task's meta.
    """

    question: str
    value: float
    unit: str = ""
    steps: list[str] = field(default_factory=list)
    mistakes: list[tuple[float, str]] = field(default_factory=list)
    unit_words: str = ""
    sig: int = 3
    rel_tol: float | None = None
    abs_tol: float = 0.0
    decimals: int | None = None
    topic: str = ""


Topic = Callable[[random.Random, ScienceConfig], Worked]


def round_sig(value: float, sig: int) -> float:
    """``value`` rounded to ``sig`` significant figures."""
    return float(f"{value:.{sig - 1}e}") if value else 0.0


def exact_text(value: float, min_sig: int = 3) -> str:
    """``value`` with at least ``min_sig`` figures and as many more as it needs to be shown exactly.

    For numbers a prompt states that are not drawn rounded (``1.3 M × 0.125 = 0.1625 M``): the problem is
    solved with the value shown, so the value shown must be the value used.
    """
    target = round_sig(value, 12)
    for sig in range(min_sig, 9):
        if round_sig(value, sig) == target:
            return format_number(value, sig)
    raise ValueError(f"{value!r} cannot be shown exactly in 8 figures")


def given(
    rng: random.Random,
    lo: float,
    hi: float,
    unit: str,
    cfg: ScienceConfig,
    alt: Sequence[str] = (),
    sig: int = 2,
) -> Given:
    """Draw a given quantity between ``lo`` and ``hi`` (in ``unit``, the topic's base unit).

    It is shown in ``unit`` or, at levels with mixed units, often in one of ``alt`` (a round value in that
    unit, so its value in ``unit`` is exactly what the problem uses).
    """
    shown = unit
    if cfg.mixed_units and alt and rng.random() < 0.75:
        shown = rng.choice(list(alt))
    a, b = convert(lo, unit, shown), convert(hi, unit, shown)
    value = round_sig(rng.uniform(min(a, b), max(a, b)), sig)
    if value == 0:
        value = round_sig(max(a, b), sig)
    return Given(value, shown, convert(value, shown, unit), sig)


def pick_answer_unit(rng: random.Random, cfg: ScienceConfig, unit: str, alt: Sequence[str] = ()) -> str:
    """The unit the answer is asked in: ``unit`` (SI) or, at levels that convert answers, one of ``alt``."""
    if cfg.convert_answer and alt:
        return rng.choice(list(alt))
    return unit


def fmt(value: float, sig: int = 3) -> str:
    """Plain-text number to ``sig`` significant figures (for prompts and worked steps)."""
    return format_number(value, sig)


def quantity_text(value: float, unit: str, sig: int = 3, latex: bool = False) -> str:
    """``3.20 km/h`` (or LaTeX ``3.20 \\times 10^{5} J``): a value with its unit, parseable back."""
    text = format_number(value, sig, latex=latex)
    if not unit:
        return text
    return f"{text}°" if unit == "°" else f"{text} {unit}"


class AnswerUnit:
    """The unit an answer is asked in (the topic's base unit, or an alternative at levels that convert answers).

    Topics solve in their base unit (``m/s``, ``L``, ``km/s``: whatever the formulas are written in);
    calling the object converts a value in that unit into the asked unit, and :meth:`worked` builds the
    :class:`Worked` with every mistake converted the same way.
    """

    def __init__(
        self, rng: random.Random, cfg: ScienceConfig, base_unit: str, alt: Sequence[str] = ()
    ) -> None:
        self.base_unit = base_unit
        self.unit = pick_answer_unit(rng, cfg, base_unit, alt)
        self._base = parse_unit(base_unit)
        self._to = parse_unit(self.unit)

    def __call__(self, base_value: float) -> float:
        return self._to.from_si(self._base.to_si(base_value))

    def worked(
        self,
        question: str,
        base_value: float,
        steps: list[str],
        mistakes: Sequence[tuple[float, str]] = (),
        sig: int = 3,
        **kwargs: Any,
    ) -> Worked:
        """The Worked problem; a conversion step is added when the asked unit is not the SI one."""
        value = self(base_value)
        steps = list(steps)
        if self.unit != self.base_unit:
            steps.append(
                f"In {self.unit}: {quantity_text(base_value, self.base_unit, sig + 1)} = {quantity_text(value, self.unit, sig + 1)}."
            )
        if self._to.dims == TEMPERATURE and "abs_tol" not in kwargs:
            # a relative tolerance on 300 K would accept ±3 K: temperatures are compared to 0.1 degree
            kwargs.update(rel_tol=0.0, abs_tol=TEMPERATURE_TOL, decimals=1)
        return Worked(
            question, value, self.unit, steps, [(self(m), why) for m, why in mistakes], sig=sig, **kwargs
        )


class ScienceFamily(TaskFamily):
    """Base of the generated science families: subclasses set ``TOPICS`` and ``LEVELS``.

    Options (``family_options``):
        choices: 0 for a free answer with a unit (default), or 2..10 for a multiple-choice variant.
        units: ``"convert"`` (any unit of the right dimension is converted; default) or ``"stated"`` (the
            answer must be written in the stated unit, or as a bare number meaning that unit).
        rel_tol: relative tolerance of free answers (default 0.01; a topic may set its own).
    """

    domain: ClassVar[str] = "science"
    levels: ClassVar[int] = 3
    LEVELS: ClassVar[dict[int, ScienceConfig]] = LEVELS
    TOPICS: ClassVar[dict[str, tuple[Topic, int]]] = {}  # name -> (topic, lowest level it appears at)
    row_meta_keys: ClassVar[tuple[str, ...]] = ("rel_tol", "abs_tol", "options")
    row_question: ClassVar[bool] = True  # a unitless count may carry a word of the question ("1250 deer")
    guru_gap: ClassVar[str] = (
        "GURU routes no scorer to stem__guru_* rows: it has no rule-based scorer for a value with a "
        "unit (its free-form stem_web rows are graded by an LLM judge)"
    )

    def __init__(self, choices: int = 0, units: str = "convert", rel_tol: float = DEFAULT_REL_TOL) -> None:
        if (
            not isinstance(choices, int)
            or isinstance(choices, bool)
            or not (choices == 0 or 2 <= choices <= 10)
        ):
            raise ValueError(f"choices must be 0 (free answer) or 2..10, got {choices!r}")
        if units not in ("convert", "stated"):
            raise ValueError(f"units must be 'convert' or 'stated', got {units!r}")
        if not isinstance(rel_tol, int | float) or not 0 <= rel_tol < 0.5:
            raise ValueError(f"rel_tol must be a number in [0, 0.5), got {rel_tol!r}")
        self.choices = choices
        self.units = units
        self.rel_tol = float(rel_tol)

    # --- generation -------------------------------------------------------------------------------------

    def draw(self, rng: random.Random, difficulty: int) -> Worked:
        """One worked problem at ``difficulty`` from a topic drawn with ``rng``."""
        cfg = self.LEVELS[difficulty]
        names = sorted(n for n, (_, low) in self.TOPICS.items() if low <= difficulty)
        name = rng.choice(names)
        worked = self.TOPICS[name][0](rng, cfg)
        worked.topic = worked.topic or name
        return worked

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """A free-answer or multiple-choice problem (per the ``choices`` option)."""
        worked = self.draw(rng, difficulty)
        if not math.isfinite(worked.value):
            raise ValueError(f"{self.name}.{worked.topic} produced a non-finite answer")
        rel_tol = worked.rel_tol if worked.rel_tol is not None else self.rel_tol
        meta: dict[str, Any] = {
            "topic": worked.topic,
            "value": worked.value,
            "unit": worked.unit,
            "rel_tol": rel_tol,
            "abs_tol": worked.abs_tol,
            "sig": worked.sig,
            "mistakes": [[v, why] for v, why in worked.mistakes if math.isfinite(v)],
        }
        solution = "\n".join(worked.steps)
        if self.choices:
            options, correct = make_options(rng, worked, self.choices, rel_tol)
            letters = LETTERS[: len(options)]
            meta["options"] = dict(zip(letters, options))
            listing = "\n".join(f"{letter}) {text}" for letter, text in zip(letters, options))
            prompt = (
                f"{worked.question}\n\n{listing}\n\n"
                f"Choose the correct option and put only its letter inside \\boxed{{}}, e.g. \\boxed{{A}}."
            )
            letter = letters[correct]
            reference = f"{solution}\nThis is option {letter}.\n\n\\boxed{{{letter}}}"
            return Problem(prompt=prompt, answer=letter, reference_response=reference, meta=meta)
        prompt = f"{worked.question}\n\n{answer_instruction(worked, stated_only=self.units == 'stated')}"
        if worked.decimals is not None:
            number = f"{worked.value:.{worked.decimals + 2}f}"
            boxed = f"{number}°" if worked.unit == "°" else f"{number} {worked.unit}".strip()
        else:
            boxed = quantity_text(worked.value, worked.unit, max(worked.sig, 4), latex=True)
        reference = f"{solution}\n\n\\boxed{{{boxed}}}"
        answer = {"value": worked.value, "unit": worked.unit}
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    # --- rows -------------------------------------------------------------------------------------------

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """As the base reader; a free answer's value and unit, which the verifier reads, come from the ground truth."""
        task = super().task_from_row(row)
        if not isinstance(task.answer, dict):
            return task  # a letter: the options travel in the row's guru_scoring
        value, unit = task.answer.get("value"), task.answer.get("unit")
        if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(unit, str):
            raise ValueError("a science ground truth must be {'value': number, 'unit': text} or a letter")
        if not math.isfinite(value):
            raise ValueError("a science ground truth value must be finite")
        return msgspec.structs.replace(task, meta={**task.meta, "value": value, "unit": unit})

    def guru_unscorable(self, task: Task) -> str:
        """As the base; multiple-choice tasks of a subject family are pointed at ``multiple_choice``."""
        if task.meta.get("options") and not self.guru_scorer:
            return (
                "GURU routes no scorer to stem__guru_* rows; multiple-choice questions reach its supergpqa "
                "scorer as science.multiple_choice rows"
            )
        return super().guru_unscorable(task)

    # --- scoring ----------------------------------------------------------------------------------------

    def score(self, task: Task, response: str) -> Score:
        """Letter for multiple-choice tasks; value and unit, converted, for free answers."""
        options = task.meta.get("options")
        if options:
            return score_choice(task, response, options)
        return score_quantity(task, response, stated_only=self.units == "stated")

    def wrong_responses(self, task: Task) -> list[str]:
        """Other letters; or the topic's mistakes, a wrong unit, a factor of 2, the sign, a wrong dimension."""
        options = task.meta.get("options")
        if options:
            wrong = [f"The answer is option {k}.\n\n\\boxed{{{k}}}" for k in options if k != task.answer]
            other = next(k for k in options if k != task.answer)
            hedged = [  # the right letter hedged or stuffed among others is not a choice
                f"\\boxed{{{task.answer}. or {other}}}",
                f"\\boxed{{{'.'.join(options)}}}",
                f"Answer: {': '.join(options)}",
                f"\\boxed{{{other}}} ... on reflection \\boxed{{{task.answer}}}",
            ]
            return [
                *wrong,
                *hedged,
                "I cannot decide between the options.",
                f"\\boxed{{{', '.join(options)}}}",
            ]
        return quantity_wrong_responses(task)


def answer_instruction(worked: Worked, stated_only: bool = False) -> str:
    """The sentence that says in which unit, to what precision and where the answer goes."""
    if not worked.unit:
        what = "Give the answer as a number"
    elif worked.unit == "%":
        what = "Give the answer as a percentage"
    else:
        words = worked.unit_words or worked.unit
        what = f"Give the answer in {words}" + (f" ({worked.unit})" if worked.unit_words else "")
    if worked.decimals is not None:
        precision = f" to {worked.decimals} decimal place{'s' if worked.decimals != 1 else ''}"
    else:
        precision = f" to {worked.sig} significant figures"
    unit_rule = " written in that unit" if stated_only and worked.unit not in ("", "%") else ""
    with_unit = " followed by its unit" if worked.unit and worked.unit != "%" else ""
    return f"{what}{precision}. {BOX_INSTRUCTION[:-1]}: the number{with_unit}{unit_rule}."


def final_box(response: str, rel_tol: float = DEFAULT_REL_TOL) -> tuple[str | None, str | None]:
    """(the one boxed final answer, None) or (None, why not): no box, or boxes giving different values.

    The shared rule (:func:`guru_envs.verify.claim.final_answer`): repeats of one value (``3 km`` and
    ``3000 m``) are one answer, and the last box is read; different values are several claims.
    """
    boxes = all_boxed(strip_think(response))
    if not boxes:
        return None, "no \\boxed{} final answer"

    def same(a: str, b: str) -> bool:
        x, y = read_measured_answer(a, rel_tol).text, read_measured_answer(b, rel_tol).text
        return x is not None and y is not None and bool(same_measurement(x, y, rel_tol))

    pick = final_answer(boxes, same=same)
    if pick.text is not None:
        # "Wait, no: 24.2 m/s." after the box; what the comparison cannot even hold against itself is prose
        other = contradiction(pick.text, later_answers(response), same, reads=lambda t: same(t, t))
        if other is not None:
            return None, f"several answers: {other[:80]!r} is stated after the final answer"
    return pick.text, pick.refused


_LABEL_WRAPPER = re.compile(r"\\(?:text|textrm|textit|mathrm|mathit|mbox|rm)\s*\{([^{}]*)\}")
_LABEL_SPACING = re.compile(r"\\[,;:! ]|~")


def read_label(text: str, allow: Collection[str]) -> MeasuredAnswer:
    """:func:`~guru_envs.verify.units.read_labelled_number` with the label read through LaTeX.

    ``1250 \\text{ deer}`` and ``1250\\,\\mathrm{deer}`` carry the same word as ``1250 deer``: the
    wrapper and the spacing are dropped first, so the label rule (a plain word the question uses) decides
    alone; ``1250 \\text{ or 1251}`` still reads ``or``.
    """
    return read_labelled_number(_LABEL_SPACING.sub(" ", _LABEL_WRAPPER.sub(r" \1 ", text)), allow=allow)


def score_quantity(task: Task, response: str, stated_only: bool = False) -> Score:
    """Free answers: the boxed final answer, one claim, read as number and unit and converted to the stated unit.

    Two readings are added for unitless answers: a count or probability may carry a label the question uses
    (``1250 deer``), and a percentage may be given as a fraction (``0.421`` for ``42.1 %``). With
    ``stated_only`` (the family option ``units="stated"``) the answer must use the stated unit itself.
    """
    value, unit = task.meta["value"], task.meta["unit"]
    rel_tol, abs_tol = task.meta.get("rel_tol", DEFAULT_REL_TOL), task.meta.get("abs_tol", 0.0)
    boxed, refused = final_box(response, rel_tol)
    if boxed is None:
        return Score.wrong(
            None, refused or "no final answer", feedback="Put one final answer inside \\boxed{}."
        )
    claim = read_measured_answer(boxed, rel_tol)
    if claim.text is None:
        return Score.wrong(boxed, claim.refused or "not one claim", feedback="Box one value with its unit.")
    verdict = compare_measurement(
        claim.text, value, unit, rel_tol=rel_tol, abs_tol=abs_tol, stated_only=stated_only
    )
    if verdict.ok is None and unit == "":  # "1250 deer": a word the question uses may follow a count
        labelled = read_label(claim.text, allow=words_of(task.prompt))
        if labelled.text is None:
            return Score.wrong(boxed, labelled.refused or "not one number", feedback="Box one number.")
        verdict = compare_measurement(labelled.text, value, unit, rel_tol=rel_tol, abs_tol=abs_tol)
    elif verdict.ok is False and unit == "%":
        got = parse_measurement(claim.text)
        if got is not None and got.unit is None:
            as_fraction = compare_measurement(got, value / 100, "", rel_tol=rel_tol, abs_tol=abs_tol / 100)
            verdict = as_fraction if as_fraction.ok else verdict
    if verdict.ok:
        return Score.right(boxed, verdict.reason)
    if verdict.ok is None:
        return Score.wrong(
            boxed,
            f"could not read a number and unit from {boxed[:80]!r}",
            feedback="Write a number and a unit.",
        )
    return Score.wrong(boxed, verdict.reason, feedback="That value is not right.")


def score_choice(task: Task, response: str, options: dict[str, str]) -> Score:
    """Multiple choice: one letter, extracted strictly (no letter found scores 0, never a guess)."""
    letters = "".join(options)
    choice = extract_choice(response, letters, options)
    if choice.letter is None:
        return Score.wrong(None, choice.how, feedback="Put only the letter of your choice inside \\boxed{}.")
    if choice.letter == task.answer:
        return Score.right(choice.letter, f"chose the right option ({choice.how})")
    return Score.wrong(choice.letter, f"chose option {choice.letter}, not the right one ({choice.how})")


def value_text(worked: Worked, value: float) -> str:
    """``value`` in the worked problem's unit, at the precision its prompt asks for (figures or decimals)."""
    if worked.decimals is None:
        return quantity_text(value, worked.unit, worked.sig)
    number = f"{value:.{worked.decimals}f}"
    return f"{number}°" if worked.unit == "°" else f"{number} {worked.unit}".strip()


def _distinct(value: float, taken: Sequence[float], rel: float, abs_tol: float) -> bool:
    for other in taken:
        gap = abs(value - other)
        if gap <= max(3 * rel * max(abs(value), abs(other)), 3 * abs_tol) or gap == 0:
            return False
    return True


def distractor_values(worked: Worked, rel_tol: float) -> list[tuple[float, str]]:
    """Candidate wrong values in order of plausibility: topic mistakes, then generic slips."""
    v = worked.value
    out = list(worked.mistakes)
    if worked.unit and worked.unit not in ("%", "°"):
        try:
            unit = parse_unit(worked.unit)
            si_unit_value = unit.to_si(v)
            if unit.offset == 0 and not math.isclose(unit.scale, 1.0, rel_tol=1e-9):
                out.append((si_unit_value, "SI value written with the stated unit (unit not converted)"))
        except ValueError:
            pass
    out += [(2 * v, "factor of 2 too large"), (v / 2, "factor of 2 too small"), (-v, "wrong sign")]
    out += [(10 * v, "power of ten too large"), (v / 10, "power of ten too small"), (3 * v, "factor of 3")]
    out += [(v / 3, "factor of 3 too small"), (4 * v, "factor of 4"), (v / 4, "factor of 4 too small")]
    if worked.abs_tol:  # near zero (0.1 °C, pH 0.05) the factors above all land within the tolerance
        step = 10 * worked.abs_tol
        out += [(v + k * step, "arithmetic slip") for k in (1, -1, 3, -3, 10, -10, 30, -30)]
    return [(x, why) for x, why in out if math.isfinite(x)]


def make_options(rng: random.Random, worked: Worked, n: int, rel_tol: float) -> tuple[list[str], int]:
    """``n`` option texts (the right value and ``n - 1`` distractors) and the index of the right one.

    Topic mistakes are preferred (drawn in random order), generic slips fill the rest; every option is
    at least three tolerances away from every other, and no two read the same.
    """
    mistakes = list(worked.mistakes)
    rng.shuffle(mistakes)
    generic = distractor_values(
        Worked(worked.question, worked.value, worked.unit, abs_tol=worked.abs_tol), rel_tol
    )
    chosen = [worked.value]
    texts = [value_text(worked, worked.value)]
    sign_ok = worked.value < 0 or any(m < 0 for m, _ in worked.mistakes)
    for value, why in mistakes + generic:
        if len(chosen) == n:
            break
        if value < 0 and not sign_ok and why != "wrong sign":
            continue
        text = value_text(worked, value)
        if text in texts or not _distinct(value, chosen, rel_tol, worked.abs_tol):
            continue
        chosen.append(value)
        texts.append(text)
    if len(chosen) < n:  # cannot happen for a nonzero value: the generic slips are all distinct
        raise ValueError(f"could not find {n - 1} distinct distractors for {worked.topic}")
    order = list(range(n))
    rng.shuffle(order)
    return [texts[i] for i in order], order.index(0)


def other_unit(unit: str) -> str | None:
    """A different unit of the same dimension whose scale differs by at least 1.5x (for wrong-unit tests)."""
    want = parse_unit(unit)
    pool = [
        "m",
        "km",
        "cm",
        "mm",
        "nm",
        "s",
        "min",
        "h",
        "ms",
        "kg",
        "g",
        "mg",
        "N",
        "kN",
        "J",
        "kJ",
        "eV",
        "W",
        "kW",
        "Pa",
        "kPa",
        "atm",
        "m/s",
        "km/h",
        "m/s^2",
        "V",
        "mV",
        "A",
        "mA",
        "Ω",
        "kΩ",
        "F",
        "μF",
        "C",
        "mol",
        "mmol",
        "M",
        "mM",
        "L",
        "mL",
        "K",
        "°C",
        "°F",
        "rad",
        "°",
        "%",
        "Hz",
        "kHz",
        "yr",
        "Myr",
        "AU",
        "pc",
        "ly",
        "kg/m^3",
        "g/mL",
        "J/(kg K)",
        "m^3",
        "mol/L",
        "W/m^2",
        "kg m/s",
        "N/m",
        "mol/min",
        "cal",
        "kcal",
        "g/mol",
        "kg/mol",
        "1/s",
        "1/yr",
        "d",
        "h^-1",
        "nm",
        "μm",
        "Mpc",
        "km/s",
        "km/s/Mpc",
        "Lsun",
        "Msun",
        "T",
        "Wb",
        "cm/s^2",
        "L/s",
        "m^3/s",
    ]
    for cand in pool:
        try:
            other = parse_unit(cand)
        except ValueError:
            continue
        if other.dims == want.dims and not (
            math.isclose(other.scale, want.scale, rel_tol=0.5)
            and math.isclose(other.offset, want.offset, abs_tol=1)
        ):
            return cand
    return None


def quantity_wrong_responses(task: Task) -> list[str]:
    """Wrong complete responses for a free-answer task (each must score 0)."""
    value, unit, sig = task.meta["value"], task.meta["unit"], max(task.meta.get("sig", 3), 4)
    rel, abs_tol = task.meta.get("rel_tol", DEFAULT_REL_TOL), task.meta.get("abs_tol", 0.0)
    out: list[str] = []

    def add(v: float, u: str, why: str) -> None:
        out.append(f"Working it through ({why}) gives\n\n\\boxed{{{quantity_text(v, u, sig, latex=True)}}}")

    candidates = [(m, why) for m, why in task.meta.get("mistakes", [])]
    candidates += [(2 * value, "factor of 2"), (value / 2, "half")]
    if value:
        candidates.append((-value, "sign"))
    for v, why in candidates:
        if not math.isclose(v, value, rel_tol=3 * rel, abs_tol=3 * abs_tol):
            add(v, unit, why)
    if unit and unit != "%":
        other = other_unit(unit)
        if other is not None:
            add(value, other, "same number, wrong unit")
        wrong_dim = "kg" if parse_unit(unit).dims != parse_unit("kg").dims else "m"
        add(value, wrong_dim, "wrong dimension")
        if unit not in ("°",):
            unit_obj = parse_unit(unit)
            si_value = unit_obj.to_si(value)
            if not math.isclose(si_value, value, rel_tol=3 * rel, abs_tol=3 * abs_tol):
                out.append(
                    f"In SI units this is\n\n\\boxed{{{quantity_text(si_value, '', sig, latex=True)}}}"
                )
    elif unit == "" and value and not math.isclose(value * 100, value, rel_tol=3 * rel):
        add(value, "%", "fraction written as a percentage")
    out.append("The final answer is " + quantity_text(value, unit, sig) + " (not boxed).")
    return out
