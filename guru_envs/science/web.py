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
      units (converted, 1 % relative tolerance; an angle is compared as an angle, so ``45 rad`` is not 45
      degrees), then as a plain number (percent and fraction forms equal), a chemical formula, normalised
      text, and finally mathematical equivalence (:mod:`guru_envs.verify.latex`, bounded). A reference with
      a physical unit needs an answer whose number and unit can be read.
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
        JSON string, strict verdict line (issue 17).
"""

from __future__ import annotations

import math
import re
from typing import Any

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.verify.claim import DENIED, final_answer, word_problem, words, words_of
from guru_envs.verify.extract import all_boxed, strip_think, strip_wrappers
from guru_envs.verify.judge import JudgeConfig, JudgeError, addresses_judge, ask_judge, url_from_env
from guru_envs.verify.latex import asks_for_percentage, matches_only_at_face
from guru_envs.verify.score import Score
from guru_envs.verify.text import normalize_text
from guru_envs.verify.units import (
    Measurement,
    compare_measurement,
    is_symbol,
    parse_measurement,
    read_labelled_number,
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
_ANGLE_UNIT = re.compile(r"rad|°|deg|sr|arc|′|″")


def _formula_key(text: str) -> str | None:
    """``H_2O``, ``\\mathrm{H_{2}O}``, ``H₂O`` -> ``H2O``; None when the text is not formula-like."""
    s = _LATEX_NOISE.sub(r"\1", strip_wrappers(text))
    s = s.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉⁺⁻", "0123456789+-"))
    s = re.sub(r"[\s_{}^$]", "", s)
    if len(s) > 60 or not _FORMULA.fullmatch(s) or not any(c.isupper() for c in s):
        return None
    return s


def _kind(m: Measurement) -> str:
    """``physical``, ``angle``, ``percent`` or ``number``: what a measurement's unit makes it."""
    if m.unit is None:
        return "number"
    if not m.unit.dimensionless:
        return "physical"
    if _ANGLE_UNIT.search(m.unit.text):
        return "angle"
    return "percent" if "%" in m.unit.text or "percent" in m.unit.text.lower() else "number"


def _close(a: float, b: float, rel_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol)  # no absolute slack: 1.6e-19 is not 9e-20


def compare_values(
    got: Measurement, ref: Measurement, rel_tol: float = 1e-2, percent_face: bool = True
) -> tuple[bool, str]:
    """A read answer against a read reference, by what their units say.

    A physical unit is converted (a bare number is read in the reference's unit); an angle is an angle
    (``45 rad`` is not 45 degrees; a bare number is read in the reference's angle unit); a percentage and
    a plain number compare at either scale (``25%``, ``25`` and ``0.25``), as GURU's references store both,
    except that a percent answer is read at face value only with ``percent_face`` (the question speaks
    of a percentage: :func:`~guru_envs.verify.latex.asks_for_percentage`); elsewhere ``0.25%`` is 0.0025.
    """
    got_kind, ref_kind = _kind(got), _kind(ref)
    if ref_kind == "physical" or (got_kind, ref_kind) == ("angle", "angle"):
        verdict = compare_measurement(got, ref.value, ref.unit, rel_tol=rel_tol)
        return bool(verdict.ok), verdict.reason
    if got_kind == "physical" or "percent" in (got_kind, ref_kind) and "angle" in (got_kind, ref_kind):
        return False, f"the answer is a {got_kind} value, the reference a {ref_kind} value"
    if "angle" in (got_kind, ref_kind):  # one side is a bare number: the angle unit shown is the one meant
        return _close(got.value, ref.value, rel_tol), "compared in the stated angle unit"
    # One side a percentage: either scale. Both: as written (0.25% is not 25%, read at face on one side).
    one_sided = (got_kind == "percent") != (ref_kind == "percent")
    wants = {ref.value} | ({ref.value / 100} if ref_kind == "percent" and one_sided else set())
    if got_kind == "percent" and one_sided:
        gots = {got.value / 100, got.value} if percent_face else {got.value / 100}
    else:
        gots = {got.value}
    if any(_close(g, w, rel_tol) for g in gots for w in wants):
        return True, "equal in value to the reference"
    return False, "differs in value from the reference"


def reference_measurement(reference: str) -> Measurement | None:
    """The reference as a number with an optional unit (``x = 5 m`` reads as ``5 m``), or None."""
    read = read_measured_answer(reference, allow=("thousand", "million", "billion"))
    return parse_measurement(read.text) if read.text is not None else None


def rule_check(
    answer: str,
    reference: str,
    rel_tol: float = 1e-2,
    timeout: float = 3.0,
    allow: frozenset[str] = frozenset(),
    percent_face: bool = True,
) -> tuple[bool, str]:
    """Whether a short free-form answer matches the reference by rules alone; (verdict, reason).

    The answer must be one claim (:mod:`guru_envs.verify.claim`) before it is compared: hedges
    (``0.47 or thirteen``), negations, comparisons and false equations are refused. Then numbers and
    quantities are compared by their units (:func:`compare_values`), formulas and text after
    normalisation, and anything else by the bounded math equivalence check of
    :mod:`guru_envs.verify.latex`. ``allow`` holds words that may follow a bare number (the question's).
    """
    answer, reference = answer.strip(), reference.strip()
    if not answer:
        return False, "the boxed answer is empty"
    if len(reference) > MAX_REFERENCE_CHARS:
        return answer == reference, "reference too long to parse; compared as text"
    ref = reference_measurement(reference)
    if ref is not None:
        claim = read_measured_answer(answer, rel_tol)
        if claim.text is None:
            return False, claim.refused or "not one claim"
        got = parse_measurement(claim.text)
        if got is None and ref.unit is None:  # "12 apples" for 12: a word the question uses may follow
            labelled = read_labelled_number(claim.text, allow=allow)
            if labelled.text is None:
                return False, labelled.refused or "not one number"
            got = parse_measurement(labelled.text)
        if got is None:
            return False, "could not read a number (and unit) from the answer"
        return compare_values(got, ref, rel_tol, percent_face)
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
    from guru_envs.verify.latex import check_answer

    verdict = check_answer(answer, reference, rel_tol=rel_tol, timeout=timeout)
    if verdict.equal and not percent_face and matches_only_at_face(answer, reference, rel_tol, timeout):
        return False, "a percentage that equals the reference only without its percent sign"
    return verdict.equal, verdict.reason


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
    """Whether two boxed answers say the same thing (for repeated boxes): same text, or same value."""
    if text_match(a, b):
        return True
    x, y = read_measured_answer(a, rel_tol).text, read_measured_answer(b, rel_tol).text
    return x is not None and y is not None and bool(same_measurement(x, y, rel_tol))


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
