"""Reported numbers: values as answers about tables and reports write them (currency, percentages, scale).

(Physical quantities with units that convert, ``3.0 km`` = ``3000 m``, are :mod:`guru_envs.verify.units`'
:class:`~guru_envs.verify.units.Measurement`; here a trailing unit word is only dropped, never converted.)

:func:`guru_envs.verify.numeric.parse_number` reads a bare number. Answers read off a table usually carry
more: ``$1,234.5 million``, ``12.5 kg``, ``\\text{47.1}\\%``, ``2.6:1``, ``-3.2 percentage points``. This
module strips that presentation (LaTeX text wrappers, currency, trailing unit words) and hands the bare
number to ``parse_number``, then compares it with a reference under an explicit *kind* that says how a
percent sign may be read. No text is evaluated; every step is a bounded regular expression.

Kinds (:func:`quantity_matches`):

- ``"count"``: an integer count; a percent sign makes the answer wrong.
- ``"number"``: an amount (an average, a change, a price); a percent sign makes the answer wrong, since
  ``36%`` is no change of 0.36 mg/L (a share is kind ``percent``).
- ``"percent"``: the reference is in percent units (12.5 means 12.5%); ``12.5%``, ``12.5`` and ``0.125``
  all match, ``0.125%`` does not.
- ``"either"``: the reference's scale is unknown (GURU rows store 47.1% as ``47.1`` or ``0.471``): the
  answer matches the reference, a hundredth of it, or a hundred times it, as GURU's table scorer allows.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Literal, NamedTuple

from guru_envs.verify.extract import strip_wrappers
from guru_envs.verify.numeric import close, parse_number
from guru_envs.verify.text import fold_unicode

MAX_REPORTED_CHARS = 200  # an answer longer than this is not a single reported number

Kind = Literal["count", "number", "percent", "either"]
KINDS: tuple[str, ...] = ("count", "number", "percent", "either")

_LATEX_WRAP = re.compile(r"\\(?:text|textrm|textbf|textit|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
# LaTeX spacing; a tie (``~``) only between a value and a word (``5~kg``): a leading ``~7`` is "about 7".
_LATEX_SPACE = re.compile(r"\\[,;:! ]|(?<=[\w.%}\s])~(?=\s*[^\W\d_])")
_CURRENCY_PREFIX = re.compile(r"^(?:US\$|C\$|A\$|USD|EUR|GBP|CAD|AUD|JPY|\$|€|£|¥)\s*", re.IGNORECASE)
_PERCENT_TAIL = re.compile(
    r"\s*(?:%|per\s?cent(?:age)?(?:\s+points?)?|percentage\s+points?|pct\.?|pp|p\.p\.)$", re.IGNORECASE
)
# Unit words after a number: letters, degree signs, slashes, and ``^2`` right after a letter (``m²`` is
# folded to ``m^{2}`` first); never a bare digit, so a range such as "5 to 10" is not mistaken for the number 5
# followed by a unit, and never an exponent of the number itself (``10^5`` and ``48²`` are not 10 and 48 of
# a unit ``^5`` or ``²``).
_UNIT_CHAR = r"[A-Za-zµμ°º'’/.\-]|\s"
_UNIT_TAIL = re.compile(rf"(?<=[\d.%}}])((?:{_UNIT_CHAR})(?:{_UNIT_CHAR}|(?<=[A-Za-zµμ°º])\^\{{?-?\d\}}?)*)$")
# Digit groups separated by spaces (``134 000``): a first group of one to three digits, not starting with 0.
_SPACE_GROUPS = re.compile(r"^[1-9]\d{0,2}(?: \d{3})+(?!\d)(?! \d)")
_RATIO = re.compile(r"^([^:]+):([^:]+)$")
_SIGN_THEN_CURRENCY = re.compile(r"^([-+\u2212])\s*(?=\S)")


class ReportedNumber(NamedTuple):
    """A number read from a reported answer: value, written as a percentage or not, unit text dropped."""

    value: Fraction
    percent: bool
    unit: str = ""


def plain_answer_text(text: str) -> str:
    """An answer with presentation removed: ``$..$`` and ``\\text{}`` wrappers, LaTeX spacing, ``\\$``, ``\\%``.

    Used for both numbers and names, so ``\\text{New Brunswick}`` and ``20 \\text{ to } 39`` read as text.
    """
    if not isinstance(text, str):
        return ""
    s = strip_wrappers(fold_unicode(text))  # ４８ is 48, but 48² is 48^{2}, not 48 with a unit ²
    for _ in range(4):  # innermost wrappers first; four levels is more than any real answer nests
        new = _LATEX_WRAP.sub(r" \1 ", s)
        if new == s:
            break
        s = new
    s = s.replace("\\$", "$").replace("\\%", "%").replace("\\&", "&")
    s = _LATEX_SPACE.sub(" ", s)
    return " ".join(s.split())


def parse_reported_number(text: str) -> ReportedNumber | None:
    """The number an answer states, ignoring currency, units and LaTeX; None when it states no single number.

    Examples: ``"$1,234.5 million"`` -> 1234.5; ``"12.5\\%"`` -> 12.5 (percent); ``"2.6:1"`` -> 2.6;
    ``"-$3"`` and ``"$(3)"`` (accounting) -> -3; ``"1.34 \\times 10^5"`` -> 134000; ``"134 000"`` -> 134000; ``"5 to 10"``, ``"~7"``,
    ``"10^5 kg"`` read as a unit ``^5``: None.
    """
    if not isinstance(text, str) or len(text) > 4 * MAX_REPORTED_CHARS:
        return None
    s = plain_answer_text(text)
    if not s or len(s) > MAX_REPORTED_CHARS:
        return None
    sign = ""
    m = _SIGN_THEN_CURRENCY.match(s)
    if m:
        sign = "-" if m.group(1) in "-\u2212" else ""
        s = s[m.end() :]
    s = _CURRENCY_PREFIX.sub("", s)
    if s.startswith("(") and s.endswith(")") and s.count("(") == 1 and s.count(")") == 1:
        if sign:
            return None  # -(5): a sign outside accounting brackets says the sign twice
        sign, s = "-", s[1:-1].strip()  # accounting notation: (1,234) and (1.83%) are negative
    s = _SPACE_GROUPS.sub(lambda m: m.group(0).replace(" ", ""), s)  # 134 000 -> 134000
    percent = False
    unit = ""
    m = _PERCENT_TAIL.search(s)
    if m:
        percent, s = True, s[: m.start()].rstrip()
    else:
        m = _UNIT_TAIL.search(s)
        if m:
            unit, s = m.group(1).strip(), s[: m.start()].rstrip()
            if unit and not any(ch.isalpha() or ch in "°º" for ch in unit):
                return None  # "1167-", "2%-": a trailing sign or mark is no unit, and may be a negative
            m = _PERCENT_TAIL.search(s)  # "12.5% of sales"
            if m:
                percent, s = True, s[: m.start()].rstrip()
    s = _CURRENCY_PREFIX.sub("", s)  # "USD 5" after a sign, or "$ 5"
    if "%" in s:
        return None  # "1.83%%", "5% 6": one percent sign closes one number
    value = parse_number(sign + s) if s else None
    if value is None:
        ratio = _RATIO.match(s)
        if ratio:
            num, den = parse_number(ratio.group(1)), parse_number(ratio.group(2))
            if num is not None and den:
                value = num / den
                value = -value if sign else value
    if value is None:
        return None
    return ReportedNumber(value, percent, unit)


def _candidates(got: ReportedNumber, kind: str) -> list[Fraction]:
    """The values an answer may mean for a reference of ``kind`` (in the reference's own units)."""
    v = got.value
    if kind in ("count", "number"):  # a count or an amount: a percent sign states another quantity
        return [] if got.percent else [v]
    if kind == "percent":
        return [v] if got.percent else [v, v * 100]
    return [v / 100] if got.percent else [v]  # "either": 25% is 0.25, matched at any of the three scales


def quantity_matches(
    answer: str | ReportedNumber | None,
    reference: float | Fraction | int,
    kind: Kind = "number",
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
) -> bool:
    """Whether ``answer`` states ``reference`` (within ``rel_tol``/``abs_tol``) under the rules of ``kind``.

    Args:
        answer: answer text (parsed with :func:`parse_reported_number`) or an already parsed one.
        reference: the exact value, in percent units when ``kind == "percent"``.
        kind: ``count``, ``number``, ``percent`` or ``either`` (see the module docstring).
        rel_tol: relative tolerance, as in ``math.isclose``.
        abs_tol: absolute tolerance, in the reference's units.
    """
    got = parse_reported_number(answer) if isinstance(answer, str) else answer
    if got is None or kind not in KINDS:
        return False
    if isinstance(reference, float) and not math.isfinite(reference):
        return False
    ref = Fraction(reference)
    if kind == "either":  # X% states X in percent units or X/100: never 100 X (9400% is no 0.94)
        wants = [ref, ref / 100] if got.percent else [ref, ref / 100, ref * 100]
    else:
        wants = [ref]
    return any(close(c, w, rel_tol, abs_tol) for c in _candidates(got, kind) for w in wants)
