"""Free-form STEM rows (``stem_web*``, GURU's WebInstruct-verified subset): rules offline, a judge if served.

Description:
    Verifier for GURU's free-form STEM training rows: university-level physics, chemistry, biology,
    engineering and economics questions whose ground truth is a short answer (``0.0214 M``,
    ``$8,645.09``, ``-285.8 kJ/mol``, ``CH4``, ``\\frac{\\sqrt{3}}{2}``). The row's ``extra_info.question``
    is the question shown to a judge.

Prompt:
    The row's own prompt, unchanged (GURU asks for the final answer in ``\\boxed{}``).

Answer format:
    ``\\boxed{...}`` holding the final answer; reasoning before it is never scored. Several boxes are one
    answer only when they say the same thing (:func:`guru_envs.verify.claim.final_answer`).

Scoring:
    The boxed answer must be one claim (:mod:`guru_envs.verify.claim`): hedges (``0.47 or thirteen``),
    negations, comparisons and false equations score 0 under every option. Option ``verifier``:

    - ``"rules"`` (default, offline): the boxed answer against the reference, first as a quantity with
      units (converted; an angle is compared as an angle, so ``45 rad`` is not 45 degrees, a bare
      reference's angle unit is the question's or else read from its size; a steradian is no angle), then
      as a plain number (percent and fraction forms equal), a chemical formula, normalised text, and
      finally exact mathematical equivalence (:mod:`guru_envs.verify.latex`, bounded). Numbers agree as
      precisely as they are written, never more than 1 % apart: within the reference's last digit (``0.02142``
      for ``0.0214``; ``99`` is not ``100``) or the reference correctly rounded to 3 or more figures
      (``0.0214`` for ``0.02142``, ``3.14`` for π, ``0.866`` for √3/2); exact values must be equal
      (``22/7`` is not π) and expressions have no tolerance (``2.01x+1`` is not ``2x+1``). A reference
      with a scale word (``5 million``) is that number. A reference with a physical unit needs an answer
      whose number and unit can be read.
    - ``"judge"``: GURU's way: an LLM judge served behind an OpenAI-compatible endpoint
      (``judge_url``, or ``GURU_JUDGE_URL`` / ``STEM_LLM_JUDGE_URL``), e.g. vLLM serving
      ``TIGER-Lab/general-verifier``. A rule-based pre-check runs first (:func:`~guru_envs.verify.judge.
      addresses_judge`): an answer that speaks to a grader or hides text, however spelled, is never sent;
      only the chosen box is sent, as a fenced JSON string; the reply's last line must be its verdict
      (:mod:`guru_envs.verify.judge`). A down or slow endpoint scores 0 with the reason.
    - ``"hybrid"``: rules first; the judge is asked only when the rules do not find a match.

Difficulty:
    Not generated (dataset rows only).

Version History:
    v0: initial release.
    v0 (unreleased): one claim (hedges, negations, false equations, values set apart by spacing and several
        different boxes score 0); dimensionless units compared by kind (angles, percentages); no absolute
        slack on tiny values; judge pre-check against disguised verdicts and injections, the answer sent as a
        JSON string, strict verdict line (issue 17). Values agree as precisely as written instead of within
        1 % (99 was paid for 100, 3.12 and 22/7 for π, 0.86 for √3/2, 2.01x+1 for 2x+1) and repeated boxes
        likewise (99 then 100 is two answers); a bare angle reference is read in the unit the question or
        its size says (45 rad and 0.785° were paid for 45 and 0.785) and sr is not an angle; references
        with scale words are read (5000000 scored 0 for 5 million); a label in \\text{} labels as a word
        does.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.science.common import read_label
from guru_envs.verify.claim import DENIED, contradiction, final_answer, word_problem, words, words_of
from guru_envs.verify.extract import all_boxed, later_answers, strip_think, strip_wrappers
from guru_envs.verify.judge import JudgeConfig, JudgeError, addresses_judge, ask_judge, url_from_env
from guru_envs.verify.latex import asks_for_percentage, check_answer, matches_only_at_face
from guru_envs.verify.numeric import parse_number
from guru_envs.verify.score import Score
from guru_envs.verify.text import normalize_text
from guru_envs.verify.units import (
    Measurement,
    Unit,
    compare_measurement,
    is_symbol,
    parse_measurement,
    parse_unit,
    read_measured_answer,
    same_measurement,
    split_relations,
)

VERIFIERS = ("rules", "judge", "hybrid")
MAX_ANSWER_CHARS = 500  # WebInstruct answers are at most ~30 tokens; a longer box is not a final answer
MAX_REFERENCE_CHARS = 5_000

_LATEX_NOISE = re.compile(r"\\(?:text|mathrm|textrm|mathbf|rm)\s*\{([^{}]*)\}")
_FORMULA = re.compile(r"(?:[A-Z][a-z]?\d*|\(|\)\d*)+(?:[+-]\d*|\d*[+-])?")
_MATH_REFERENCE = re.compile(r"[\d\\^=+*/()]")
_NOT_ONE_VALUE = re.compile(r"[?~<>≤≥±∓≠]|\\(?:pm|mp|leq?|geq?|lt|gt|neq?|sim)(?![A-Za-z])")
_ANGLE_UNIT = re.compile(r"rad|°|deg|arc|′|″|circ")


def _formula_key(text: str) -> str | None:
    """``H_2O``, ``\\mathrm{H_{2}O}``, ``H₂O`` -> ``H2O``; None when the text is not formula-like."""
    s = _LATEX_NOISE.sub(r"\1", strip_wrappers(text))
    s = s.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉⁺⁻", "0123456789+-"))
    s = re.sub(r"[\s_{}^$]", "", s)
    if len(s) > 60 or not _FORMULA.fullmatch(s) or not any(c.isupper() for c in s):
        return None
    return s


_SOLID_ANGLE_UNIT = re.compile(r"\bsr\b|steradian")
_DEGREE_WORDS = re.compile(r"(?i:\bdeg(?:ree)?s?\b)|°|\\circ|\\degree")
_RADIAN_WORDS = re.compile(r"(?i:\brad(?:ian)?s?\b)")
_ANGLE_TARGET = re.compile(r"(?i:\b(?:in|to|into|as)\s+(deg|rad)(?:ree|ian)?s?\b)")
_SOLID_ANGLE_WORDS = re.compile(r"(?i:\bsteradians?\b|\bsolid\s+angles?\b|\bsr\b)")


def _kind(m: Measurement) -> str:
    """``physical``, ``angle``, ``solid angle``, ``percent``, ``number`` or ``other``: what a unit measures.

    A steradian is not an angle (``1.2 sr`` is no answer for an angle of 1.2); a dimensionless unit mixing
    kinds (``rad/sr``, ``%·rad``) is ``other`` and compares only with the same unit kind.
    """
    if m.unit is None:
        return "number"
    if not m.unit.dimensionless:
        return "physical"
    text = m.unit.text
    power = getattr(m.unit, "angle", None)  # plane-angle power, where units.py tracks it
    percent = "%" in text or "percent" in text.lower()
    if power is not None:
        kind = {0: "percent" if percent else "number", 1: "angle", 2: "solid angle"}.get(power, "other")
        return "other" if percent and power else kind
    solid, angle = bool(_SOLID_ANGLE_UNIT.search(text)), bool(_ANGLE_UNIT.search(text))
    if solid + angle + percent > 1:
        return "other"
    return "solid angle" if solid else "angle" if angle else "percent" if percent else "number"


def angle_unit_meant(question: str, reference: float) -> str:
    """The angle unit (``°`` or ``rad``) a bare reference number is in, for an answer that names one.

    The question's own unit when it names one (``in degrees``, ``30°``; where it names both, the one it
    asks the answer ``in``); else degrees for a whole number or one beyond a turn in radians (2π), and
    radians for the rest (``0.785``). Why: ``45 rad`` for a bare 45 and ``0.785°`` for a bare 0.785 were
    paid by comparing the numbers alone.
    """
    degrees, radians = bool(_DEGREE_WORDS.search(question)), bool(_RADIAN_WORDS.search(question))
    if degrees != radians:
        return "°" if degrees else "rad"
    if degrees:
        targets = {t.lower() for t in _ANGLE_TARGET.findall(question)}
        if len(targets) == 1:
            return "°" if targets == {"deg"} else "rad"
    return "°" if float(reference).is_integer() or abs(reference) > 2 * math.pi else "rad"


class Precision(NamedTuple):
    """How precisely a decimal number is written: half a unit in its last place, and its significant figures."""

    half: float
    sig: int


_WRITTEN_NUMBER = re.compile(
    r"(?P<int>\d{1,3}(?:[, ]\d{3})+(?!\d)|\d+)?(?:\.(?P<frac>\d+))?"
    r"(?:\s*(?:[eE](?P<e>[-+]?\d{1,4})|(?:\\times|\\cdot|×|\*|x)\s*10\s*\^\s*\{?\s*(?P<t>[-+−]?\d{1,4})\s*\}?))?"
)
_SPACING = re.compile(r"\\[,;:! ]|~|\\(?:left|right)\b")


def written_precision(text: str, value: float, scale: float = 1.0) -> Precision | None:
    """The precision of the decimal number ``text`` is written with (``0.0214``: half of 0.0001, 3 figures).

    ``value`` is the number ``text`` was read as (times ``scale`` for ``5 million``): a text whose first
    number is not that value (``\\frac{1}{3}``, ``2\\pi``, ``10^{-3}``) is exact and has no precision (None).
    Trailing zeros count: ``100`` is precise to 0.5 and ``1000`` to 0.5, so 99 is not 100.
    """
    s = _LATEX_NOISE.sub(r"\1", strip_wrappers(text)).replace("{,}", ",").replace("\\$", "").replace("$", "")
    s = _SPACING.sub(" ", s).replace("\u2212", "-")
    start = re.search(r"[\d.]", s)
    if start is None:
        return None
    m = _WRITTEN_NUMBER.match(s, start.start())
    if m is None or not (m.group("int") or m.group("frac")):
        return None
    whole, frac = re.sub(r"[, ]", "", m.group("int") or ""), m.group("frac") or ""
    exponent = int((m.group("e") or m.group("t") or "0").replace("−", "-"))
    try:
        written = float(f"{whole or 0}.{frac or 0}e{exponent}") * scale
    except (OverflowError, ValueError):
        return None
    if not math.isfinite(written) or not math.isclose(written, abs(value), rel_tol=1e-9, abs_tol=1e-300):
        return None
    return Precision(0.5 * 10.0 ** (exponent - len(frac)) * scale, len((whole + frac).lstrip("0")))


def _agrees(
    got: float, got_precision: Precision | None, ref: float, ref_precision: Precision | None, rel_tol: float
) -> bool:
    """Whether a value equals the reference as precisely as either is written, and within ``rel_tol``.

    The answer lies within the reference's own precision (``0.02142`` for ``0.0214``), or is the reference
    correctly rounded to at least 3 figures (``0.0214`` for ``0.02142``, ``3.14`` for π, ``0.866`` for
    √3/2). Never more than ``rel_tol`` apart: a reference written ``0.5`` is not taken to mean 0.45-0.55.
    Two exact values must be equal (22/7 is not π). Precisions are in the reference's unit.
    """
    diff = abs(got - ref)
    slack = 1e-9 * max(abs(got), abs(ref))
    if diff <= slack:
        return True
    if diff > rel_tol * abs(ref):
        return False
    if ref_precision is not None and diff <= ref_precision.half + slack:
        return True
    return (
        got_precision is not None
        and diff <= got_precision.half + slack
        and got_precision.sig >= min(3, ref_precision.sig if ref_precision else 3)
    )


def _rescaled(p: Precision | None, factor: float) -> Precision | None:
    return None if p is None else Precision(p.half * abs(factor), p.sig)


def _measured(
    got: Measurement,
    ref_value: float,
    ref_unit: Unit | str,
    rel_tol: float,
    got_precision: Precision | None,
    ref_precision: Precision | None,
) -> tuple[bool, str]:
    """A quantity against a reference in ``ref_unit``: converted, then compared as precisely as written."""
    verdict = compare_measurement(got, ref_value, ref_unit, rel_tol=rel_tol)
    if not verdict.ok or verdict.value is None:
        return False, verdict.reason
    want = parse_unit(ref_unit) if isinstance(ref_unit, str) else ref_unit
    converted = _rescaled(got_precision, got.unit.scale / want.scale) if got.unit else got_precision
    if _agrees(verdict.value, converted, ref_value, ref_precision, rel_tol):
        return True, verdict.reason
    return False, "differs from the reference beyond the precision either is written with"


def compare_values(
    got: Measurement,
    ref: Measurement,
    rel_tol: float = 1e-2,
    percent_face: bool = True,
    *,
    got_precision: Precision | None = None,
    ref_precision: Precision | None = None,
    angle_unit: str | None = None,
    solid_angle: bool = False,
) -> tuple[bool, str]:
    """A read answer against a read reference, by what their units say, as precisely as they are written.

    A physical unit is converted (a bare number is read in the reference's unit); an angle is an angle
    (``45 rad`` is not 45 degrees; a bare number answer is read in the reference's angle unit, a bare
    reference in ``angle_unit``, by default :func:`angle_unit_meant`); a solid angle (``sr``) is no angle,
    and meets a bare reference only where the question speaks of one (``solid_angle``); a percentage and
    a plain number compare at either scale (``25%``, ``25`` and ``0.25``), as GURU's references store
    both, except that a percent answer is read at face value only with ``percent_face`` (the question
    speaks of a percentage: :func:`~guru_envs.verify.latex.asks_for_percentage`); elsewhere ``0.25%`` is
    0.0025. Values then agree by :func:`_agrees` (precisions None: exact values).
    """
    got_kind, ref_kind = _kind(got), _kind(ref)
    kinds = {got_kind, ref_kind}
    if ref_kind == "physical" or (got_kind == ref_kind and got_kind in ("angle", "solid angle", "other")):
        return _measured(got, ref.value, ref.unit or "", rel_tol, got_precision, ref_precision)
    if got_kind == "physical" or "other" in kinds or kinds == {"percent", "angle"}:
        return False, f"the answer is a {got_kind} value, the reference a {ref_kind} value"
    if "solid angle" in kinds:
        if kinds != {"solid angle", "number"} or (ref_kind == "number" and not solid_angle):
            return False, f"the answer is a {got_kind} value, the reference a {ref_kind} value"
    elif ref_kind == "number" and got_kind == "angle":  # a bare reference: the angle unit meant
        meant = angle_unit or angle_unit_meant("", ref.value)
        ok, reason = _measured(got, ref.value, meant, rel_tol, got_precision, ref_precision)
        return ok, f"{reason} (the reference read in {meant})"
    if "angle" in kinds or "solid angle" in kinds:  # a bare answer, read in the reference's unit
        if _agrees(got.value, got_precision, ref.value, ref_precision, rel_tol):
            return True, "equal in value to the reference, in its unit"
        return False, "differs in value from the reference"
    # One side a percentage: either scale. Both: as written (0.25% is not 25%, read at face on one side).
    one_sided = (got_kind == "percent") != (ref_kind == "percent")
    wants = [(ref.value, ref_precision)]
    if ref_kind == "percent" and one_sided:
        wants.append((ref.value / 100, _rescaled(ref_precision, 0.01)))
    gots = [(got.value, got_precision)]
    if got_kind == "percent" and one_sided:
        gots = [(got.value / 100, _rescaled(got_precision, 0.01))] + (gots if percent_face else [])
    if any(_agrees(g, gp, w, wp, rel_tol) for g, gp in gots for w, wp in wants):
        return True, "equal in value to the reference"
    return False, "differs in value from the reference"


_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALED = re.compile(
    r"\s*(?P<number>[^A-Za-z]*?\d[^A-Za-z]*?)\s*(?P<scale>thousand|million|billion|trillion)\b\s*"
)


def _read_reference(reference: str) -> tuple[Measurement, Precision | None] | None:
    """The reference as a number with an optional unit and the precision it is written with, or None.

    ``x = 5 m`` reads as ``5 m``; a scale word multiplies (``5 million`` is 5000000, ``3.2 billion km``
    3.2e9 km), which :func:`~guru_envs.verify.units.read_measured_answer` refuses in answers.
    """
    read = read_measured_answer(reference)
    if read.text is not None:
        m = parse_measurement(read.text)
        return (m, written_precision(read.text, m.value)) if m is not None else None
    scaled = _SCALED.match(_LATEX_NOISE.sub(r"\1", reference))
    if scaled is None:
        return None
    number = parse_measurement(scaled.group("number"))
    if number is None or number.unit is not None:
        return None
    factor = _SCALE_WORDS[scaled.group("scale")]
    rest = scaled.string[scaled.end() :].strip()
    unit = parse_measurement(f"1 {rest}").unit if rest else None
    if rest and (unit is None or parse_measurement(f"1 {rest}").value != 1):
        return None
    precision = written_precision(scaled.group("number"), number.value * factor, factor)
    return Measurement(number.value * factor, unit), precision


def reference_measurement(reference: str) -> Measurement | None:
    """The reference as a number with an optional unit, or None.

    ``x = 5 m`` reads as ``5 m``, ``5 million`` as 5000000.
    """
    read = _read_reference(reference)
    return read[0] if read is not None else None


def rule_check(
    answer: str,
    reference: str,
    rel_tol: float = 1e-2,
    timeout: float = 3.0,
    allow: frozenset[str] = frozenset(),
    percent_face: bool = True,
    question: str = "",
) -> tuple[bool, str]:
    """Whether a short free-form answer matches the reference by rules alone; (verdict, reason).

    The answer must be one claim (:mod:`guru_envs.verify.claim`) before it is compared: hedges
    (``0.47 or thirteen``), negations, comparisons and false equations are refused. Then numbers and
    quantities are compared by their units (:func:`compare_values`) as precisely as they are written
    (:func:`_agrees`, never beyond ``rel_tol``), formulas and text after normalisation, and anything else
    by the bounded math equivalence check of :mod:`guru_envs.verify.latex`, exactly: an expression is
    not 1 % off (``2.01x+1`` is not ``2x+1``), though a decimal may be a constant correctly rounded to at
    least 3 figures (``0.866`` for ``\\frac{\\sqrt{3}}{2}``, not ``0.86``). ``allow`` holds words that
    may follow a bare number (the question's); ``question`` says which angle unit a bare angle is in.
    """
    answer, reference = answer.strip(), reference.strip()
    if not answer:
        return False, "the boxed answer is empty"
    if len(reference) > MAX_REFERENCE_CHARS:
        return answer == reference, "reference too long to parse; compared as text"
    read = _read_reference(reference)
    if read is not None:
        if text_match(answer, reference):  # "5 million" as the reference writes it
            return True, "matches the reference text"
        return _value_check(answer, read, rel_tol, timeout, allow, percent_face, question)
    ref_formula = _formula_key(reference)
    if ref_formula is not None:  # case matters in formulas: CO is not Co
        got_formula = _formula_key(answer)
        if got_formula is not None:
            same = got_formula == ref_formula
            return same, "same chemical formula" if same else "a different formula"
        return text_match(answer, reference), "compared as text with the reference formula"
    if text_match(answer, reference):
        return True, "matches the reference text"
    if not _MATH_REFERENCE.search(reference):
        return False, "differs from the reference text"
    relation = _MATH_REFERENCE_RELATION.search(reference)  # "x > 5": relations are the answer itself
    sign = None if relation else _NOT_ONE_VALUE.search(answer)
    problem = word_problem(answer, allow) or (
        f"the answer is not one claim: it contains {sign.group(0)!r}" if sign else None
    )
    if problem is not None:
        return False, problem
    sides = split_relations(answer)
    if len(sides) > 1 and not relation:
        if len(sides) == 2 and is_symbol(sides[0]):
            answer = sides[1]
        else:
            return False, "an equation whose sides cannot be checked equal"
    verdict = check_answer(answer, reference, rel_tol=0.0, timeout=timeout)
    equal, reason = verdict.equal, verdict.reason
    if not equal and verdict.method != "refused":
        equal, reason = _rounded_constant(answer, reference, rel_tol, timeout) or (equal, reason)
    if equal and not percent_face and matches_only_at_face(answer, reference, rel_tol, timeout):
        return False, "a percentage that equals the reference only without its percent sign"
    return equal, reason


def _rounded_constant(answer: str, reference: str, rel_tol: float, timeout: float) -> tuple[bool, str] | None:
    """(True, why) when ``answer`` is a closed-form ``reference`` correctly rounded; None otherwise.

    The answer must be a decimal of at least 3 figures: ``0.866`` for ``\\frac{\\sqrt{3}}{2}``, not ``0.86``.
    """
    value = parse_number(answer)
    if value is None or value == 0:
        return None
    precision = written_precision(answer, float(value))
    if precision is None or precision.sig < 3:
        return None
    within = min(rel_tol, precision.half / abs(float(value)))
    if check_answer(answer, reference, rel_tol=within, timeout=timeout).equal:
        return True, "the reference correctly rounded"
    return None


def _value_check(
    answer: str,
    read: tuple[Measurement, Precision | None],
    rel_tol: float,
    timeout: float,
    allow: frozenset[str],
    percent_face: bool,
    question: str,
) -> tuple[bool, str]:
    """An answer against a reference that is a number, with or without a unit (see :func:`rule_check`)."""
    ref, ref_precision = read
    claim = read_measured_answer(answer, rel_tol)
    if claim.text is None:
        return False, claim.refused or "not one claim"
    text = claim.text
    got = parse_measurement(text)
    if got is None and ref.unit is None:  # "12 apples" for 12: a word the question uses may follow
        labelled = read_label(text, allow=allow)  # \text{ apples} labels as "apples" does
        if labelled.text is None:
            symbolic = _symbolic_value(text, ref.value, ref_precision, rel_tol, timeout)
            return symbolic or (False, labelled.refused or "not one number")
        text = labelled.text
        got = parse_measurement(text)
        if got is None:  # no label: a closed form such as \sqrt{2} for 1.41
            symbolic = _symbolic_value(text, ref.value, ref_precision, rel_tol, timeout)
            return symbolic or (False, "could not read a number from the answer")
    if got is None:
        return False, "could not read a number (and unit) from the answer"
    return compare_values(
        got,
        ref,
        rel_tol,
        percent_face,
        got_precision=written_precision(text, got.value),
        ref_precision=ref_precision,
        angle_unit=angle_unit_meant(question, ref.value),
        solid_angle=bool(_SOLID_ANGLE_WORDS.search(question)),
    )


def _symbolic_value(
    answer: str, value: float, precision: Precision | None, rel_tol: float, timeout: float
) -> tuple[bool, str] | None:
    """(True, why) when a closed form has a plain reference's value; None otherwise.

    ``\\sqrt{2}`` for ``1.41``: equal as precisely as the reference is written.
    """
    if precision is None or value == 0 or word_problem(answer) or _NOT_ONE_VALUE.search(answer):
        return None
    within = min(rel_tol, precision.half / abs(value))
    if check_answer(answer, repr(value), rel_tol=within, timeout=timeout).equal:
        return True, "equal to the reference as precisely as it is written"
    return None


_MATH_REFERENCE_RELATION = re.compile(r"=|\\approx|≈|\\leq?|\\geq?|[<>≤≥]")


def text_match(answer: str, reference: str) -> bool:
    """Equality of short text answers after unwrapping LaTeX text and normalising case and spacing.

    A question mark is not punctuation to drop: ``mitochondria?`` asks, it does not answer.
    """
    if "?" in answer and "?" not in reference:
        return False
    a = normalize_text(_LATEX_NOISE.sub(r"\1", strip_wrappers(answer)))
    r = normalize_text(_LATEX_NOISE.sub(r"\1", strip_wrappers(reference)))
    return bool(a) and a == r


_TEXT_ANSWER_DENIED = frozenset(("hedge", "alternative"))


def judged_claim_problem(answer: str, reference: str) -> str | None:
    """Why an answer is not one claim, before a judge sees it; None when it is.

    Against a value (a number, a quantity, a formula or expression) the whole shared rule applies. Against
    a text reference only hedges and alternatives are refused (``A or B``, ``maybe A``), since a text
    answer may itself negate, compare or state (``does not change``, ``is more soluble``).
    """
    if reference_measurement(reference) is not None or _MATH_REFERENCE.search(reference):
        sign = _NOT_ONE_VALUE.search(answer)
        if sign is not None:
            return f"the answer is not one claim: it contains {sign.group(0)!r}"
        return word_problem(answer)
    for word in words(answer):
        category = DENIED.get(word)
        if category in _TEXT_ANSWER_DENIED and word != "and":
            return f"the answer is not one claim: {category} {word!r}"
    return None


def same_answer(a: str, b: str, rel_tol: float = 1e-2) -> bool:
    """Whether two boxed answers say the same thing (for repeated boxes): same text, or same value.

    Values are the same as precisely as either is written (``3 km`` and ``3000 m``, ``3.14`` and
    ``3.1416``), never merely within ``rel_tol``: ``\\boxed{99}`` then ``\\boxed{100}`` are two answers.
    """
    if text_match(a, b):
        return True
    x, y = read_measured_answer(a, rel_tol).text, read_measured_answer(b, rel_tol).text
    if x is None or y is None or not same_measurement(x, y, rel_tol):
        return False
    mx, my = parse_measurement(x), parse_measurement(y)
    if mx is None or my is None:
        return False
    values, halves = [], []
    for m, text in ((mx, x), (my, y)):
        precision = written_precision(text, m.value)
        scale = m.unit.scale if m.unit is not None else 1.0
        values.append(m.unit.to_si(m.value) if m.unit is not None else m.value)
        halves.append(precision.half * scale if precision is not None else 0.0)
    slack = 1e-9 * max(abs(values[0]), abs(values[1]))
    return abs(values[0] - values[1]) <= max(halves) + slack


class WebFamily(TaskFamily):
    """Scores GURU ``stem_web`` rows by rules, by an LLM judge, or both (see the module docstring).

    Options:
        verifier: ``"rules"`` (default), ``"judge"`` or ``"hybrid"``.
        judge_url: OpenAI-compatible server (default: ``GURU_JUDGE_URL`` or ``STEM_LLM_JUDGE_URL``).
        judge_model: model name to request (default ``TIGER-Lab/general-verifier``).
        judge_timeout: seconds per judge request (connection to last byte).
        judge_api_key: bearer token, if the server wants one.
        rel_tol: relative tolerance of numeric answers under the rules.
    """

    domain = "science"
    name = "web"
    generator = False

    def __init__(
        self,
        verifier: str = "rules",
        judge_url: str | None = None,
        judge_model: str = "TIGER-Lab/general-verifier",
        judge_timeout: float = 30.0,
        judge_api_key: str | None = None,
        rel_tol: float = 1e-2,
    ) -> None:
        if verifier not in VERIFIERS:
            raise ValueError(f"verifier must be one of {VERIFIERS}, got {verifier!r}")
        if not isinstance(rel_tol, int | float) or not 0 <= rel_tol < 0.5:
            raise ValueError(f"rel_tol must be a number in [0, 0.5), got {rel_tol!r}")
        self.verifier = verifier
        self.rel_tol = float(rel_tol)
        self.judge: JudgeConfig | None = None
        if verifier != "rules":
            url = judge_url or url_from_env()
            if not url:
                raise ValueError(
                    f"verifier={verifier!r} needs a judge endpoint: pass judge_url='http://host:8000' (an "
                    "OpenAI-compatible server such as vLLM) or set GURU_JUDGE_URL / STEM_LLM_JUDGE_URL"
                )
            try:
                self.judge = JudgeConfig(
                    url=url, model=judge_model, timeout=judge_timeout, api_key=judge_api_key
                )
            except JudgeError as exc:
                raise ValueError(str(exc)) from None

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """A Task with the reference answer as text and the question kept for the judge."""
        prompt, system = prompt_from_row(row)
        reward_model = row.get("reward_model") or {}
        if not isinstance(reward_model, dict) or "ground_truth" not in reward_model:
            raise ValueError("dataset row has no reward_model.ground_truth")
        truth = reward_model["ground_truth"]
        if isinstance(truth, list | tuple):
            truth = truth[0] if truth else ""
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        meta: dict[str, Any] = {"data_source": row["data_source"]}
        question = extra.get("question")
        meta["question"] = question if isinstance(question, str) and question.strip() else prompt
        for key in ("answer_type", "category", "difficulty"):
            if isinstance(extra.get(key), str):
                meta[key] = extra[key]
        if system:
            meta["system_prompt"] = system
        index = extra.get("index", extra.get("idx", extra.get("id")))
        return Task(
            id=f"{row['data_source']}/{index}" if index is not None else row["data_source"],
            domain=self.domain,
            family=self.name,
            prompt=prompt,
            answer=str(truth),
            meta=meta,
        )

    def score(self, task: Task, response: str) -> Score:
        """Rules, judge or both, per the ``verifier`` option."""
        boxes = all_boxed(strip_think(response))
        if not boxes:
            return Score.wrong(
                None, "no \\boxed{} final answer", feedback="Put the final answer inside \\boxed{}."
            )
        if any(len(box) > MAX_ANSWER_CHARS for box in boxes):
            longest = max(boxes, key=len)
            return Score.wrong(
                longest[:200], f"a boxed answer has {len(longest):,} characters; a final answer is short"
            )
        pick = final_answer(boxes, same=lambda a, b: same_answer(a, b, self.rel_tol))
        if pick.text is None:
            return Score.wrong(None, pick.refused or "no final answer", verifier=self.verifier)
        boxed = pick.text
        other = contradiction(boxed, later_answers(response), lambda a, b: same_answer(a, b, self.rel_tol))
        if other is not None:
            return Score.wrong(
                boxed[:200],
                f"several answers: {other[:80]!r} is stated after the final answer",
                verifier=self.verifier,
            )
        shown = boxed[:200]
        reference = str(task.answer)
        if self.verifier in ("rules", "hybrid"):
            question = str(task.meta.get("question") or task.prompt)
            ok, reason = rule_check(
                boxed,
                reference,
                rel_tol=self.rel_tol,
                allow=words_of(question),
                percent_face=asks_for_percentage(question),
                question=question,
            )
            if ok:
                return Score.right(shown, reason, verifier="rules")
            if self.verifier == "rules":
                return Score.wrong(shown, reason, verifier="rules")
        return self._judge(task, boxed, reference)

    def _judge(self, task: Task, boxed: str, reference: str) -> Score:
        shown = boxed[:200]
        if not boxed.strip():
            return Score.wrong(shown, "the boxed answer is empty", verifier="judge")
        if text_match(boxed, reference):
            return Score.right(shown, "identical to the reference (no judge needed)", verifier="rules")
        why = addresses_judge(boxed)
        if why is not None:
            return Score.wrong(
                shown, f"{why}; it was not sent to the judge", verifier="judge", error="addresses_judge"
            )
        why = judged_claim_problem(boxed, reference)
        if why is not None:  # an LLM judge may pay "0.47 or 0.5" for having the right value in it
            return Score.wrong(
                shown, f"{why}; it was not sent to the judge", verifier="judge", error="not_one_claim"
            )
        assert self.judge is not None
        question = str(task.meta.get("question") or task.prompt)
        try:
            verdict, reply = ask_judge(self.judge, question, reference, boxed)
        except JudgeError as exc:
            return Score.wrong(
                shown, f"judge gave no verdict: {exc}"[:400], verifier="judge", error=f"judge_{exc.kind}"
            )
        if verdict:
            return Score.right(
                shown,
                "the judge found it equivalent to the reference",
                verifier="judge",
                judge_reply=reply[-500:],
            )
        return Score.wrong(
            shown,
            "the judge found it not equivalent to the reference",
            verifier="judge",
            judge_reply=reply[-500:],
        )
