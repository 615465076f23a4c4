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
earns nothing. Nothing in a response is ever evaluated as code.

Ground truths without items (GURU rows such as ``"47.1"``, ``"alberta|quebec"`` or FinQA's float
``0.94``) are turned into items by :func:`items_from_ground_truth` with GURU's own rules: relative
tolerance 1e-3 and a percent scale that may be either way (kind ``either``).
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction
from typing import Any

from guru_envs.verify import Score, normalize_text, split_multi
from guru_envs.verify.claim import final_answer, read_claim, words_of
from guru_envs.verify.extract import all_boxed, strip_think
from guru_envs.verify.quantity import (
    KINDS,
    ReportedNumber,
    parse_reported_number,
    plain_answer_text,
    quantity_matches,
)
from guru_envs.verify.sets import MAX_SET_ITEMS, match_unordered
from guru_envs.verify.text import doubts
from guru_envs.verify.units import foreign_unit, question_units

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

    Numbers get kind ``either`` (GURU stores percentages both as 47.1 and as 0.471) with ``rel_tol``,
    but only where the question speaks of a share (``%``, percent, rate, ratio, proportion...): elsewhere
    a hundred times or a hundredth of a count or an amount is a wrong answer, not another scale
    (kind ``number``; a ``%`` the answer adds is still read at face value too, as GURU stores 25.3% as
    25.3). Whole numbers that look like years (1800-2100, no decimal point) must match
    exactly, since a relative tolerance would accept the neighbouring year.
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


def _outside_tables(prompt: str) -> str:
    """The prompt without its markdown table rows: a ``%`` column says nothing of what the question asks."""
    return "\n".join(line for line in prompt.splitlines() if not line.lstrip().startswith("|"))


def _guru_number(value: Fraction, text: str, rel_tol: float, question: str | None = None) -> dict:
    plain = text.strip()
    is_year = value.denominator == 1 and _YEAR_RANGE[0] <= value <= _YEAR_RANGE[1] and plain.isdigit()
    either = not question or _SHARE_WORDS.search(_outside_tables(question)) is not None
    return {
        "kind": "count" if is_year else "either" if either else "number",
        "percent_face": not either,
        "value": float(value),
        "rel_tol": 0.0 if is_year else rel_tol,
        "abs_tol": 0.0 if is_year else 1e-12,
        "text": plain,
    }


# ---------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8_192)
def _normal(text: str, loose: bool) -> str:
    s = normalize_text(plain_answer_text(text))
    return s.replace(" ", "") if loose else s


# A question mark anywhere, or an approximation sign before a value (``~12.5%``, ``\\approx 3``), hedges.
_HEDGE_RE = re.compile(r"\?|(?:^|[|(])\s*(?:~|\\sim\b|\\approx\b|\u2248)")
_BARE_NUMBER = re.compile(r"\s*[-+]?(?:\\?\$)?\s*\d[\d,]*(?:\.\d+)?\s*(?:\\?%)?\s*")


@functools.lru_cache(maxsize=8_192)
def _quantity(text: str) -> ReportedNumber | None:
    """The number an answer part states, or None (cached: a group of samples repeats its answers).

    :func:`parse_reported_number` reads scientific notation and space thousands separators too
    (``1.34 \\times 10^5``, ``134 000``).
    """
    return parse_reported_number(text)


@functools.lru_cache(maxsize=8_192)
def _claim_refusal(text: str, allow: frozenset[str]) -> str | None:
    """Why a part read as a number is not one claim (cached: a group of samples repeats its answers)."""
    if _BARE_NUMBER.fullmatch(text):  # digits, separators, a sign, a currency or percent sign: one claim
        return None
    return read_claim(plain_answer_text(text), allow).refused


class _Part:
    """One answer part, normalised and parsed once however many expected items it is compared with.

    A part read as a number must be one claim (:func:`guru_envs.verify.claim.read_claim`): its trailing
    text is a unit or a word of the question, and nothing in it hedges, negates or scales the value.
    """

    __slots__ = ("allow", "loose", "quantity", "refused", "text", "_normal")

    def __init__(
        self, text: str, loose: bool, allow: frozenset[str] = frozenset(), units: tuple[Any, ...] = ()
    ) -> None:
        self.text = text
        self.loose = loose
        self.allow = allow
        self.quantity = _quantity(text)
        self.refused: str | None = None
        if self.quantity is not None:
            self.refused = _claim_refusal(text, allow)
            if self.refused is None and units:
                self.refused = foreign_unit(self.quantity.unit, units)
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
    guru = kind == "either" or item.get("percent_face")  # an item read from a GURU ground truth
    if guru and rel_tol and _whole_number_text(item.get("text")) and _whole(got):
        # Why: GURU's 1e-3 tolerance is for values it rounded; a whole-number reference (a count, a cell)
        # and a whole-number answer that differ state different values (1235 is not 1234).
        rel_tol, abs_tol = 0.0, 0.0
    if (
        item.get("percent_face")
        and got.percent
        and quantity_matches(got._replace(percent=False), value, kind, rel_tol, abs_tol)
    ):
        return True  # 25.3% for a GURU reference stored as 25.3: the sign it dropped
    return quantity_matches(got, value, kind, rel_tol, abs_tol)


def _whole_number_text(text: Any) -> bool:
    return isinstance(text, str) and text.removeprefix("-").isdigit()


def _whole(got: ReportedNumber) -> bool:
    return not got.percent and got.value.denominator == 1


def item_matches(got: str, item: dict, loose_text: bool = False) -> bool:
    """Whether one answer part states the expected item."""
    return _part_matches(_Part(got, loose_text), item)


def _same_part(a: str, b: str) -> bool:
    """Whether two boxes give the same answer (for the several-boxes rule): same text or same number."""
    if len(a) > MAX_BOX_CHARS or len(b) > MAX_BOX_CHARS:
        return a == b
    if _normal(a, True) == _normal(b, True):
        return True
    qa, qb = _quantity(a), _quantity(b)
    return qa is not None and qb is not None and qa.value == qb.value and qa.percent == qb.percent


def score_items(
    response: str, items: list[dict], loose_text: bool = False, question: str | None = None
) -> Score:
    """Score a response against expected items (see the module docstring for the rules).

    Args:
        response: the model's response; its boxes after any ``</think>`` are read.
        items: the expected items.
        loose_text: compare names without spaces (GURU rows).
        question: the task's prompt; its words may follow a number (``12 apples``), and its scale words
            too (``1,234.5 million`` where the table is in millions).
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
    if doubts(boxed):
        return Score.wrong(boxed, "the answer is not one claim: it contains '?'", method="not_one_claim")
    hedge = _HEDGE_RE.search(boxed)
    if hedge is not None:
        return Score.wrong(
            boxed,
            f"the answer is not one claim: it contains {hedge.group(0).strip()!r}",
            method="not_one_claim",
        )
    parts = split_multi(boxed, "|")
    if not parts:
        return Score.wrong(boxed, "the boxed answer is empty")
    allow = words_of(question, scales=True) if question else frozenset()
    units = question_units(question) if question else ()
    if len(items) == 1:
        if len(parts) > 1:
            return Score.wrong(boxed, f"{len(parts)} answers given where one is expected")
        part = _Part(parts[0], loose_text, allow, units)
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
    prepared = [_Part(p, loose_text, allow, units) for p in parts]
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
