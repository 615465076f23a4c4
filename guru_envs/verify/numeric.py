"""Plain-number parsing and tolerant comparison, without sympy (the fast path of every numeric verifier).

Understands integers, decimals, thousands separators, fractions (``3/4``, ``\\frac{3}{4}``, ``\\dfrac``),
percentages, scientific notation (``1.2e-3``, ``1.2 \\times 10^{-3}``, ``1.2×10^3``) and a leading sign.
Anything else returns None, so callers can fall back to a symbolic check.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

MAX_NUMBER_CHARS = 400  # longer strings are not plain numbers; refusing them keeps Fraction() cheap
ROUNDED_DIGITS = 6  # a rounded decimal stands for a value only with this many significant digits (as Math's)
FLOAT_NOISE = 1e-12  # relative error of float arithmetic in a short program: 0.1 + 0.2 is 0.3 up to it

_DECIMAL = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[-+]?\.\d+"
_DECIMAL_RE = re.compile(rf"(?:{_DECIMAL})(?:[eE][-+]?\d{{1,4}})?")
_FRAC_RE = re.compile(r"([-+]?)\\[dt]?frac\s*\{\s*([-+]?[\d.,]+)\s*\}\s*\{\s*([-+]?[\d.,]+)\s*\}")
_SLASH_RE = re.compile(rf"({_DECIMAL})\s*/\s*({_DECIMAL})")
_SCI_RE = re.compile(rf"({_DECIMAL})\s*(?:\\times|\\cdot|×|\*|x)\s*10\s*\^\s*\{{?\s*([-+]?\d{{1,4}})\s*\}}?")
_PERCENT_RE = re.compile(r"(.*?)\s*(?:\\%|%|\s*percent)$")


def _clean(text: str) -> str:
    s = text.strip().replace("\u2212", "-").replace("\\!", "").replace("{,}", ",")
    s = re.sub(r"\\(?:left|right)\b", "", s)
    s = s.replace("$", "").strip()
    while s.startswith("(") and s.endswith(")") and s.count("(") == 1:
        s = s[1:-1].strip()
    return s


def _decimal(text: str) -> Fraction | None:
    if not _DECIMAL_RE.fullmatch(text):
        return None
    return Fraction(text.replace(",", ""))


def parse_number(text: str) -> Fraction | None:
    """The exact value of ``text`` if it is a plain number, else None.

    Percentages come back as their face value with no scaling (``"25%"`` -> 25); use
    :func:`number_variants` when ``0.25`` and ``25%`` should both match.
    """
    if not isinstance(text, str) or len(text) > MAX_NUMBER_CHARS:
        return None
    s = _clean(text)
    m = _PERCENT_RE.fullmatch(s)
    if m:
        s = m.group(1).strip()
    if not s:
        return None
    value = _decimal(s)
    if value is not None:
        return value
    m = _FRAC_RE.fullmatch(s)
    if m:
        num, den = _decimal(m.group(2)), _decimal(m.group(3))
        if num is None or den is None or den == 0:
            return None
        return -num / den if m.group(1) == "-" else num / den
    m = _SLASH_RE.fullmatch(s)
    if m:
        num, den = _decimal(m.group(1)), _decimal(m.group(2))
        if num is None or den is None or den == 0:
            return None
        return num / den
    m = _SCI_RE.fullmatch(s)
    if m:
        mantissa = _decimal(m.group(1))
        if mantissa is None:
            return None
        return mantissa * Fraction(10) ** int(m.group(2))
    return None


def is_percent(text: str) -> bool:
    """Whether the answer is written as a percentage."""
    return bool(_PERCENT_RE.fullmatch(_clean(text))) if isinstance(text, str) else False


def number_variants(text: str) -> list[Fraction]:
    """Values a numeric answer may mean: itself, and for percentages also the fraction (25% -> 25, 0.25)."""
    value = parse_number(text)
    if value is None:
        return []
    return [value, value / 100] if is_percent(text) else [value]


def close(a: float | Fraction, b: float | Fraction, rel_tol: float = 0.0, abs_tol: float = 0.0) -> bool:
    """Exact equality for fractions when both tolerances are 0, else ``math.isclose`` semantics."""
    if rel_tol == 0.0 and abs_tol == 0.0:
        return a == b
    try:
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:
        return a == b


def numbers_match(
    answer: str,
    reference: str | float | Fraction,
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
    percent_variants: bool = False,
) -> bool | None:
    """Whether ``answer`` equals ``reference`` numerically; None when ``answer`` is not a plain number.

    With ``percent_variants`` a percentage on either side also matches its fraction (0.25 vs 25%).
    """
    got = (
        number_variants(answer) if percent_variants else [v for v in [parse_number(answer)] if v is not None]
    )
    if not got:
        return None
    if isinstance(reference, str):
        want = (
            number_variants(reference)
            if percent_variants
            else [v for v in [parse_number(reference)] if v is not None]
        )
        if not want:
            return None
    else:
        want = [Fraction(reference)] if not isinstance(reference, float) or math.isfinite(reference) else []
        if percent_variants and want:
            want.append(want[0] * 100)
    return any(close(g, w, rel_tol, abs_tol) for g in got for w in want)


def float_matches(answer: float, reference: float) -> bool:
    """Whether a float answer states the float ``reference``: exactly, up to float noise, or correctly rounded.

    The answer's digits are the ones Python prints for it (``repr``: ``123456700.0`` states its units and
    tenths, ``0.3`` one digit). It matches when

    1. it is the reference (``0.30000000000000004`` for ``0.1 + 0.2``, ``2.50`` for ``2.5``);
    2. it differs by float arithmetic's error only, :data:`FLOAT_NOISE` relative (``0.3`` for
       ``0.1 + 0.2``, ``100.0`` for a thousand 0.1s summed to ``99.9999999999986``): the value the
       computation means, printed honestly;
    3. it is the reference correctly rounded at its last printed digit, with at least
       :data:`ROUNDED_DIGITS` significant digits (``0.333333`` for ``1/3``), the rule Math applies to a
       decimal standing for an exact value.

    So ``123456700.0`` never answers ``123456789.0`` (89 off, where the answer states the tenths), nor
    ``0.33`` one third (too few digits), nor ``0.0`` a tiny nonzero value. A rounding that ends in zeros
    after the point (``0.500000``) prints shorter (``0.5``) and is read by its printed digits.
    NaN and infinities match only themselves (NaN is for the caller: it is not equal to itself).
    """
    if answer == reference:
        return True
    if not (math.isfinite(answer) and math.isfinite(reference)):
        return False
    if abs(answer - reference) <= FLOAT_NOISE * abs(reference):
        return True
    printed = Decimal(repr(answer)).as_tuple()
    if not any(printed.digits) or len(printed.digits) < ROUNDED_DIGITS:
        return False
    half_unit = Fraction(1, 2) * Fraction(10) ** printed.exponent
    return abs(Fraction(Decimal(repr(answer))) - Fraction(reference)) <= half_unit
