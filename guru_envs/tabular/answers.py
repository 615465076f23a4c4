"""Answers to table questions: what a task expects, how it is stated in the prompt, and how it is scored.

An expected answer is a list of *items* (one for most questions, several for ``a | b`` questions), each a
JSON-able dict kept in ``Task.meta["items"]``:

- ``{"kind": "text", "text": "Alberta"}``: compared after normalisation (LaTeX ``\\text{}`` removed, case,
  whitespace, leading articles and end punctuation ignored, :func:`guru_envs.verify.normalize_text`).
- ``{"kind": "count" | "number" | "percent" | "either", "value": 12.345, "rel_tol": 1e-3, "abs_tol": 0.005,
  "text": "12.35"}``: compared with :func:`guru_envs.verify.quantity.quantity_matches`, so currency, units
  and the percent forms allowed by the kind are understood (``0.25`` vs ``25%``).

The response's answer is the last ``\\boxed{}`` after any ``</think>``. Several expected items are
matched as an unordered set (:func:`guru_envs.verify.sets.match_unordered`) against the ``|``-separated
parts of the box; a single expected item must be the box's only part, so hedging (``\\boxed{3 | 4}``)
earns nothing. A number's trailing text may only be words of the question or the unit the asked value is
in (:mod:`guru_envs.tabular.labels`); an ellipsis leaves an answer unstated. Nothing in a response is ever
evaluated as code.

Ground truths without items (GURU rows such as ``"47.1"``, ``"alberta|quebec"`` or FinQA's float
``0.94``) are turned into items by :func:`items_from_ground_truth` with GURU's own rules: relative
tolerance 1e-3 and a percent scale that may be either way (kind ``either``) where the question speaks of
a share; whole-number references exact.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction
from typing import Any

from guru_envs.tabular.labels import LabelRule, answer_currencies, cell_labels, label_rule, question_of
from guru_envs.verify import Score, normalize_text, split_multi
from guru_envs.verify.claim import contradiction, final_answer, read_claim
from guru_envs.verify.extract import (
    all_boxed,
    box_spans,
    hedged_clauses,
    later_answers,
    offered_after_cue,
    strip_think,
)
from guru_envs.verify.quantity import (
    KINDS,
    ReportedNumber,
    parse_reported_number,
    plain_answer_text,
    quantity_matches,
)
from guru_envs.verify.sets import MAX_SET_ITEMS, match_unordered
from guru_envs.verify.text import doubts

MAX_BOX_CHARS = 4000  # a boxed answer longer than this is not an answer to a table question
GURU_REL_TOL = 1e-3  # the tolerance of GURU's table scorer (prime_math.math_equal(..., tolerance=1e-3))
_YEAR_RANGE = (1800, 2100)


# ---------------------------------------------------------------------------------------------------------
# Building expected items
# ---------------------------------------------------------------------------------------------------------


def display_number(value: float, decimals: int) -> str:
    """``value`` with at most ``decimals`` digits after the point, trailing zeros dropped, never ``-0``."""
    text = f"{value:.{max(0, decimals)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_item(
    value: float, kind: str = "number", decimals: int | None = None, rel_tol: float = 0.0
) -> dict:
    """An expected numeric answer.

    Args:
        value: the exact value (percent units for ``kind == "percent"``).
        kind: ``count``, ``number`` or ``percent``.
        decimals: digits the prompt asks for; an answer correctly rounded to them is accepted. None
            means the value is shown as is (counts, cells read off the table).
        rel_tol: relative tolerance stated in the prompt (0 for counts and lookups).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    value = float(value)
    if kind == "count":
        value, decimals, rel_tol = float(round(value)), None, 0.0
    noise = 1e-9 * max(1.0, abs(value))  # float noise of sums of displayed decimals
    if decimals is None:
        shown = round(value, 6)
        abs_tol = noise
    else:
        shown = round(value, decimals)
        abs_tol = 0.5 * 10.0**-decimals + noise  # half a unit of the last asked digit: correctly rounded
    text = display_number(shown, 6 if decimals is None else decimals)
    return {
        "kind": kind,
        "value": value,
        "decimals": decimals,
        "rel_tol": float(rel_tol),
        "abs_tol": abs_tol,
        "text": text + "%" if kind == "percent" else text,
    }


def text_item(text: str, aliases: tuple[str, ...] | list[str] = ()) -> dict:
    """An expected name (a row or column label); ``aliases`` are other accepted spellings."""
    item: dict[str, Any] = {"kind": "text", "text": str(text)}
    if aliases:
        item["aliases"] = [str(a) for a in aliases]
    return item


def answer_text(items: list[dict]) -> str:
    """The ground-truth string in GURU's convention: items joined by ``|``."""
    return "|".join(item["text"] for item in items)


def tolerance_band(item: dict) -> float:
    """How far from ``value`` an answer may be and still be accepted (for choosing wrong answers)."""
    if item["kind"] == "text":
        return 0.0
    value = abs(item["value"])
    return max(item["rel_tol"] * value, item["abs_tol"])


def clearly_different(candidate: float, item: dict) -> bool:
    """Whether a wrong number is far enough from the item's value that no tolerance can accept it.

    Wrong percentages are written with their ``%`` sign, so only their face value needs to be far.
    """
    if not math.isfinite(candidate):
        return False
    value = item["value"]
    band = tolerance_band(item)
    return abs(candidate - value) > 3 * band + 1e-9 * max(1.0, abs(value))


def format_instructions(items: list[dict], several: bool, count_known: bool = True) -> str:
    """The sentences telling the model how to write its answer (format, rounding, tolerance, separator)."""
    parts = []
    kinds = {item["kind"] for item in items}
    if "text" in kinds and len(kinds) == 1:
        parts.append(
            "Give each name exactly as it appears in the table."
            if several
            else "Give the name exactly as it appears in the table."
        )
    numeric = [i for i in items if i["kind"] != "text"]
    if numeric:
        item = numeric[0]
        if item["kind"] == "count":
            parts.append("Give a whole number.")
        else:
            digits = item.get("decimals")
            what = (
                "a percentage (for example 12.5%)" if item["kind"] == "percent" else "a number without units"
            )
            if digits is not None:
                parts.append(f"Give {what}, rounded to {digits} decimal place{'s' if digits != 1 else ''}.")
            else:
                parts.append(f"Give {what}, as shown in the table.")
            if item["rel_tol"] > 0:
                parts.append(
                    f"Answers within a relative error of {_percent_text(item['rel_tol'])} of the exact value are "
                    "also accepted."
                )
    if several:
        how_many = f"There are {len(items)} answers" if count_known else "There may be several answers"
        parts.append(f"{how_many}: write all of them in one \\boxed{{}}, separated by ' | ', in any order.")
    parts.append("Put your final answer within \\boxed{}.")
    return " ".join(parts)


def _percent_text(rel_tol: float) -> str:
    return display_number(rel_tol * 100, 6) + "%"


# ---------------------------------------------------------------------------------------------------------
# Ground truths without items (GURU rows)
# ---------------------------------------------------------------------------------------------------------


def items_from_ground_truth(
    ground_truth: Any, rel_tol: float = GURU_REL_TOL, question: str | None = None
) -> list[dict]:
    """Items for a GURU ``ground_truth``: a float (FinQA), or text with ``|`` between answers (HiTab).

    GURU stores percentages both as 47.1 and as 0.471, and reads every number at both scales. Here a
    number may be read at either scale (kind ``either``) only where the question itself
    (:func:`guru_envs.tabular.labels.question_of`: never the tables, whatever their format) speaks of a
    share (``%``, percent, rate, ratio, proportion...): elsewhere a hundred times or a hundredth of a
    count or an amount is a wrong answer, not another scale (kind ``number``; a ``%`` the answer adds is
    still read at face value, as GURU stores 25.3% as 25.3, except after "how many"). Without any question
    (verl's reward function gets none) a bare number is read at face value and only an answer with its own
    ``%`` at either scale (``21.56%`` for 0.21556, ``47.1%`` for 47.1).

    GURU's relative tolerance is for values it rounded. A whole-number reference (a count, a cell, a year)
    is matched exactly, except in a share question, where it may be a rounded percentage: there the
    tolerance stays under half a unit, so that no answer (``600.5``) is paid for two references.
    """
    if isinstance(ground_truth, bool) or ground_truth is None:
        return []
    if isinstance(ground_truth, int | float):
        if not math.isfinite(float(ground_truth)):
            return []
        return [_guru_number(Fraction(ground_truth), str(ground_truth), rel_tol, question)]
    if not isinstance(ground_truth, str):
        ground_truth = str(ground_truth)
    items = []
    for part in split_multi(ground_truth, "|")[:MAX_SET_ITEMS]:
        q = parse_reported_number(part)
        if q is None:
            items.append(text_item(part))
        else:
            value = q.value / 100 if q.percent else q.value
            items.append(_guru_number(value, part, rel_tol, question))
    return items


# Words of a question whose answer may be a share written either way (47.1 or 0.471, or 47.1%).
_SHARE_WORDS = re.compile(
    r"%|percent|per\s*cent|\bpct\b|\brates?\b|ratios?|proportion|\bshares?\b|portion|fraction|"
    r"\byield|margin|\breturn",
    re.IGNORECASE,
)
# ... and of a question that asks for a percentage or a ratio outright: no scale, currency or unit follows it.
_PERCENT_QUESTION = re.compile(r"%|percent|per\s*cent|\bpct\b|ratios?\b|proportion|fraction", re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
_WHOLE_BAND = 0.49  # a whole-number reference's tolerance stays under half a unit


def _guru_number(value: Fraction, text: str, rel_tol: float, question: str | None = None) -> dict:
    plain = text.strip()
    is_year = value.denominator == 1 and _YEAR_RANGE[0] <= value <= _YEAR_RANGE[1] and plain.isdigit()
    asked = question_of(question) if question else ""
    share = bool(asked) and _SHARE_WORDS.search(asked) is not None
    if is_year:
        return {"kind": "count", "value": float(value), "rel_tol": 0.0, "abs_tol": 0.0, "text": plain}
    abs_tol = 1e-12
    if value.denominator == 1:
        if share:
            rel_tol = min(rel_tol, _WHOLE_BAND / abs(float(value))) if value else rel_tol
        else:
            rel_tol, abs_tol = 0.0, 0.0
    item = {
        "kind": "either" if share or not asked else "number",
        "percent_face": not share and not _HOW_MANY.search(asked),
        "value": float(value),
        "rel_tol": rel_tol,
        "abs_tol": abs_tol,
        "text": plain,
    }
    if share and _PERCENT_QUESTION.search(asked):
        item["percent_question"] = True
    elif not share and _HOW_MANY.search(asked):
        item["count_question"] = True
    if not asked:
        item["scale_needs_sign"] = True  # no question: 12.34 or 123400 is no reading of 1234
    return item


# ---------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8_192)
def _normal(text: str, loose: bool) -> str:
    s = normalize_text(plain_answer_text(text))
    return s.replace(" ", "") if loose else s


# A question mark anywhere, or an approximation sign before a value (``~12.5%``, ``\\approx 3``), hedges.
_HEDGE_RE = re.compile(r"\?|(?:^|[|(])\s*(?:~|\\sim\b|\\approx\b|\u2248)")
# An ellipsis says the answer goes on: "Filtration ..." names no row (normalising would drop the dots).
_ELLIPSIS_RE = re.compile(r"\.\s*\.|\u2026|\\(?:[lcvd]dots|dots[bcimo]?)(?![A-Za-z])")
_BARE_NUMBER = re.compile(r"\s*[-+]?(?:\\?\$)?\s*\d[\d,]*(?:\.\d+)?\s*(?:\\?%)?\s*")


@functools.lru_cache(maxsize=8_192)
def _quantity(text: str) -> ReportedNumber | None:
    """The number an answer part states, or None (cached: a group of samples repeats its answers).

    :func:`parse_reported_number` reads scientific notation and space thousands separators too
    (``1.34 \\times 10^5``, ``134 000``).
    """
    return parse_reported_number(text)


@functools.lru_cache(maxsize=8_192)
def _claim_refusal(text: str, rule: LabelRule) -> str | None:
    """Why a part read as a number is not one claim (cached: a group of samples repeats its answers).

    Its trailing text must be a word of the question or a unit the asked value is in, and a currency it
    writes one the value may carry (:func:`guru_envs.tabular.labels.label_rule`).
    """
    plain = plain_answer_text(text)
    currencies = answer_currencies(plain)
    if not _BARE_NUMBER.fullmatch(text):  # digits, separators, a sign, a currency or percent sign: one claim
        units = rule.money_unit_ok if currencies else rule.unit_ok
        refused = read_claim(plain, rule, units=units).refused
        if refused is not None:
            return refused
    foreign = currencies - rule.currencies
    if foreign:
        return (
            f"the answer's currency ({', '.join(sorted(foreign))}) is not one the table gives this value in"
        )
    return None


class _Part:
    """One answer part, normalised and parsed once however many expected items it is compared with.

    A part read as a number must be one claim (:func:`guru_envs.verify.claim.read_claim`): its trailing
    text is a word of the question or the asked value's unit (``rule``), and nothing in it hedges,
    negates or scales the value.
    """

    __slots__ = ("loose", "quantity", "refused", "text", "_normal")

    def __init__(self, text: str, loose: bool, rule: LabelRule | None = None) -> None:
        self.text = text
        self.loose = loose
        self.quantity = _quantity(text)
        self.refused: str | None = None
        if self.quantity is not None:
            self.refused = _claim_refusal(text, label_rule(None, "number") if rule is None else rule)
            if self.refused is not None:
                self.quantity = None
        self._normal: str | None = None

    @property
    def normal(self) -> str:
        if self._normal is None:
            self._normal = _normal(self.text, self.loose)
        return self._normal


def _text_forms(item: dict, loose: bool) -> list[str]:
    """The normalised spellings a text item accepts."""
    return [_normal(str(w), loose) for w in [item.get("text", ""), *item.get("aliases", [])]]


def _part_matches(part: _Part, item: dict, forms: list[str] | None = None) -> bool:
    kind = item.get("kind")
    if kind == "text":
        forms = _text_forms(item, part.loose) if forms is None else forms
        return bool(part.normal) and part.normal in forms
    try:
        value = float(item["value"])
        rel_tol, abs_tol = float(item.get("rel_tol", 0.0)), float(item.get("abs_tol", 0.0))
    except (KeyError, TypeError, ValueError):
        return False
    got = part.quantity
    if got is None:
        return False
    if kind == "either" and item.get("scale_needs_sign") and not got.percent:
        kind = "number"  # no question says this is a share: a bare number is read at face value only
    if (
        item.get("percent_face")
        and got.percent
        and quantity_matches(got._replace(percent=False), value, kind, rel_tol, abs_tol)
    ):
        return True  # 25.3% for a GURU reference stored as 25.3: the sign it dropped
    return quantity_matches(got, value, kind, rel_tol, abs_tol)


def item_matches(got: str, item: dict, loose_text: bool = False, question: str | None = None) -> bool:
    """Whether one answer part states the expected item (``question``: the task's prompt)."""
    return _part_matches(_Part(got, loose_text, items_rule(question, [item])), item)


def items_rule(question: str | None, items: list[dict]) -> LabelRule:
    """What may follow a number in an answer to ``question`` whose expected items are ``items``.

    A count's number carries no unit, a percentage's (or the answer to a GURU question asking for a
    percentage or a ratio) only its percent form, an amount (or another GURU number) the asked value's
    unit, the answer to a GURU "how many" question its scale but no currency the question does not name
    (:func:`guru_envs.tabular.labels.label_rule`).
    """
    kinds = set()
    for item in items:
        if item.get("kind") == "text":
            continue
        if item.get("percent_question"):
            kinds.add("percent")
        else:
            kinds.add("quantity" if item.get("count_question") else item.get("kind"))
    kind = kinds.pop() if len(kinds) == 1 and kinds <= {"count", "percent", "quantity"} else "number"
    return label_rule(question, kind)


def _same_part(a: str, b: str) -> bool:
    """Whether two boxes give the same answer (for the several-boxes rule): same text or same number."""
    if len(a) > MAX_BOX_CHARS or len(b) > MAX_BOX_CHARS:
        return a == b
    if _normal(a, True) == _normal(b, True):
        return True
    qa, qb = _quantity(a), _quantity(b)
    return qa is not None and qb is not None and qa.value == qb.value and qa.percent == qb.percent


def _same_answer(final: str, stated: str) -> bool:
    """Whether a statement after the box gives the boxed answer.

    The same part, or the same items in any order and with any separators ("T-37, T-40" after
    ``\\boxed{T-40 | T-37}``).
    """
    if _same_part(final, stated):
        return True
    items = split_multi(final, "|")
    said = [p for p in _ITEM_SEPARATORS.split(stated) if p.strip()]
    return (
        len(items) > 1
        and len(items) == len(said)
        and all(any(_same_part(x, y) for y in said) for x in items)
        and all(any(_same_part(x, y) for x in items) for y in said)
    )


_ITEM_SEPARATORS = re.compile(r"\s*(?:\||,|;|\band\b)\s*")


_NOT_OFFERED = frozenset("answer result value one it this that choice option name row column".split())


def _hedged_label(response: str, boxed: str, prompt: str | None) -> str | None:
    """A clause after the box that hedges with a table cell the answer does not give, else None.

    "(or possibly Memphis)", "Just kidding, it is Reed Bay.": a worded hedge names no number, so the
    table's own cells are what it is read for.
    """
    if not prompt:
        return None
    text = strip_think(response)
    spans = box_spans(text)
    clauses = hedged_clauses(text[spans[-1][1] :], worded=True) if spans else []
    if not clauses:
        return None
    given = [normalize_text(p) for p in split_multi(boxed, "|")]
    for clause in clauses:
        # "but my gut says TSX" after a worded answer: a value, in the table or not; a name offers itself
        # capitalised ("TSX", "Reed Bay"), "explain another method" talks
        offered = offered_after_cue(clause) if not any(c.isdigit() for c in boxed) else None
        if (
            offered is not None
            and offered.casefold() not in _NOT_OFFERED
            and any(w[:1].isupper() for w in offered.split())
            and not any(w in given for w in [normalize_text(offered), *offered.split()])
            and not _same_answer(boxed, offered)
            and not any(_same_answer(boxed, w) for w in offered.split())
        ):
            return clause
        folded = clause.casefold()
        for label in cell_labels(prompt):
            # a two-letter symbol ("Pt") is matched in its case
            said, name = (clause, label) if len(label) == 2 else (folded, label.casefold())
            at = said.find(name)
            if at < 0 or normalize_text(label) in given:
                continue
            before, after = said[at - 1 : at] if at else "", said[at + len(name) : at + len(name) + 1]
            if not (before.isalnum() or after.isalnum()):
                return clause
    return None


def score_items(
    response: str, items: list[dict], loose_text: bool = False, question: str | None = None
) -> Score:
    """Score a response against expected items (see the module docstring for the rules).

    Args:
        response: the model's response; its boxes after any ``</think>`` are read.
        items: the expected items.
        loose_text: compare names without spaces (GURU rows).
        question: the task's prompt. The words of its question may follow a number (``12 players``), and
            so may the unit the asked value is in (``$1,234.5 million`` where the column is in $ millions);
            see :func:`items_rule`. Without it nothing but a percent form or dollars may follow a number.
    """
    if not items:
        return Score.wrong(None, "the task has no usable ground truth", error="bad_ground_truth")
    if not isinstance(response, str):
        return Score.wrong(None, f"response must be a str, got {type(response).__name__}", error="bad_type")
    boxes = all_boxed(strip_think(response))
    if not boxes:
        return Score.wrong(
            None, "no \\boxed{} answer found", feedback="Put your final answer within \\boxed{}."
        )
    for box in boxes:
        if len(box) > MAX_BOX_CHARS:
            return Score.wrong(box[:100] + "...", f"the boxed answer is over {MAX_BOX_CHARS} characters")
    pick = final_answer(
        boxes,
        _same_part,
        several_items=len(items) > 1,
        single=lambda box: len(split_multi(box, "|")) == 1,
        join=" | ",
    )
    if pick.text is None:
        return Score.wrong(boxes[-1][:200], pick.refused or "no final answer", method="several_answers")
    boxed = pick.text
    other = contradiction(boxed, later_answers(response), _same_answer)  # "Wait, no: 57." after the box
    if other is not None:
        return Score.wrong(
            boxed[:200],
            f"several answers: {other[:80]!r} is stated after the final answer",
            method="several_answers",
        )
    hedged = _hedged_label(response, boxed, question)
    if hedged is not None:
        return Score.wrong(
            boxed[:200],
            f"several answers: {hedged[:80]!r} after the final answer offers another value",
            method="several_answers",
        )
    if doubts(boxed):
        return Score.wrong(boxed, "the answer is not one claim: it contains '?'", method="not_one_claim")
    hedge = _HEDGE_RE.search(boxed)
    if hedge is not None:
        return Score.wrong(
            boxed,
            f"the answer is not one claim: it contains {hedge.group(0).strip()!r}",
            method="not_one_claim",
        )
    trailing = _ELLIPSIS_RE.search(plain_answer_text(boxed))
    if trailing is not None:
        return Score.wrong(
            boxed, f"the answer is left unfinished: it contains {trailing.group(0)!r}", method="not_one_claim"
        )
    parts = split_multi(boxed, "|")
    if not parts:
        return Score.wrong(boxed, "the boxed answer is empty")
    rule = items_rule(question, items)
    if len(items) == 1:
        if len(parts) > 1:
            return Score.wrong(boxed, f"{len(parts)} answers given where one is expected")
        part = _Part(parts[0], loose_text, rule)
        if _part_matches(part, items[0]):
            return Score.right(boxed)
        if part.refused is not None:
            return Score.wrong(boxed, part.refused, method="not_one_claim")
        return Score.wrong(boxed, "does not match the reference answer", feedback=f"{boxed} is not correct.")
    if len(parts) != len(items):
        return Score.wrong(
            boxed,
            f"{len(parts)} answers given where {len(items)} are expected",
            feedback=f"The answer has {len(items)} parts.",
        )
    if len(items) > MAX_SET_ITEMS:
        return Score.wrong(boxed, f"over {MAX_SET_ITEMS} answers cannot be scored")
    prepared = [_Part(p, loose_text, rule) for p in parts]
    forms = [_text_forms(item, loose_text) if item.get("kind") == "text" else None for item in items]
    if match_unordered(prepared, range(len(items)), lambda part, j: _part_matches(part, items[j], forms[j])):
        return Score.right(boxed, "matches the reference answers (in any order)")
    refused = next((p.refused for p in prepared if p.refused is not None), None)
    if refused is not None:
        return Score.wrong(boxed, refused, method="not_one_claim")
    return Score.wrong(
        boxed, "the answers do not match the reference set", feedback=f"{boxed} is not correct."
    )


def task_items(answer: Any, meta: dict) -> list[dict]:
    """A task's expected items: ``meta["items"]`` when the generator stored them, else from ``answer``."""
    items = meta.get("items") if isinstance(meta, dict) else None
    if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
        return items
    return items_from_ground_truth(answer)
