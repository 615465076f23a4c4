"""Math-Verify's public test cases (vendored in ``data/math_verify``) as boxed-answer scoring cases.

A case keeps Math-Verify's expected verdict. The response is the prediction when its answer is boxed, or
the prediction's one math expression put in a box (``$x \\geq 5$`` -> ``\\boxed{x \\geq 5}``); predictions
in prose without a box are left out (our rule needs a box). The reference is the gold's box (several
different boxes joined as a list) or its one math expression; golds in prose, and golds longer than
:data:`SHORT_GOLD` characters, are left out. Cases with a non-default option (precision, strictness) are
left out too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

from guru_envs.verify.extract import all_boxed

DATA = Path(__file__).parent / "data" / "math_verify" / "cases.json"
SHORT_GOLD = 60
_DELIMITED = re.compile(r"\s*(?:\$\$(.*)\$\$|\$(.*)\$|\\\((.*)\\\)|\\\[(.*)\\\])\s*\.?\s*", re.DOTALL)


class Case(NamedTuple):
    """One comparison: Math-Verify's gold and prediction, our reference and response, the expected verdict."""

    source: str
    gold: str
    pred: str
    reference: str
    response: str
    expected: bool


def _one_expression(text: str) -> str | None:
    m = _DELIMITED.fullmatch(text)
    if m is None:
        return None
    inner = next(g for g in m.groups() if g is not None)
    return None if "$" in inner else inner.strip()


def _reference(gold: str) -> str | None:
    boxes = all_boxed(gold)
    if boxes:
        distinct = list(dict.fromkeys(boxes))
        return ", ".join(distinct)
    return _one_expression(gold)


def _response(pred: str) -> str | None:
    if all_boxed(pred):
        return pred
    inner = _one_expression(pred)
    return None if inner is None else f"The answer is $\\boxed{{{inner}}}$."


def load_cases() -> list[Case]:
    """The boxed-answer cases with short golds (see the module docstring)."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
    cases = []
    for row in rows:
        if any(key in row for key in ("precision", "strict", "allow_set_relation_comp")):
            continue
        reference, response = _reference(row["gold"]), _response(row["pred"])
        if reference is None or response is None or not reference or len(reference) > SHORT_GOLD:
            continue
        cases.append(
            Case(row["source"], row["gold"], row["pred"], reference, response, bool(row["expected"]))
        )
    return cases


def math_verify_verdict(gold: str, pred: str) -> bool:
    """Raw math-verify with its defaults, as a user calls it: ``verify(parse(gold), parse(pred))``."""
    from math_verify import parse, verify

    try:
        return bool(verify(parse(gold), parse(pred)))
    except Exception:  # noqa: BLE001 - a raise counts as "not equal", as a trainer would have to treat it
        return False
