"""Math answer equivalence: whether the final answer is the same mathematical object as the reference.

The rule (see ``docs/math.md``): the final answer is the last ``\\boxed{...}`` after any ``</think>``. It is
compared with the reference in stages, cheapest first, and the first stage that can decide does:

1. **Caps.** Answers over :data:`MAX_ANSWER_CHARS` characters or nested deeper than :data:`MAX_DEPTH` are
   refused before any parsing.
2. **Normalised string.** Presentation is removed (``$``, ``\\left``, ``\\dfrac``, ``\\text{ cm}``, ``^\\circ``,
   thin spaces, ``x \\in``); equal strings are equal answers.
3. **Structure and value** (:mod:`guru_envs.verify.latex_expr`, no sympy): the answer is read as a number,
   an expression, an unordered list of roots (``\\{..\\}``, ``2, 3``, ``x=2 \\text{ or } x=3``, ``\\pm``), an
   ordered tuple, an interval or union, a matrix, an assignment (``x=3``) or text, and compared by value:
   exactly for rationals, numerically for radicals and constants, at fixed points for variables.
4. **Symbolic** (math-verify on sympy), only for what stage 3 cannot read or decide, run through
   :func:`guru_envs.guard.guarded_call`: a killable worker process with a hard wall-clock limit
   (inline when already inside a guard worker, where a timer signal bounds it instead). Answers that
   would build astronomically large numbers (``9^{9^{9^9}}``) never reach sympy.

Verdicts are cached (per normalised pair, and per parsed reference), so a group of samples for one
prompt costs one parse of the reference.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import signal
import threading
import unicodedata
from collections.abc import Iterator
from fractions import Fraction
from math import gcd
from typing import Any, NamedTuple

from guru_envs.guard import CallTimeout, RemoteError, WorkerCrashed, guarded_call
from guru_envs.verify.claim import (
    UNIT_WORDS,
    contradiction,
    digit_groups,
    equation_value,
    final_answer,
    label_problem,
    spaced_values,
    without_label,
    word_problem,
    words_of,
)
from guru_envs.verify.extract import (
    _balanced,
    all_boxed,
    answer_lines,
    later_answers,
    strip_think,
    strip_wrappers,
)
from guru_envs.verify.latex_expr import (
    FUNCTION_COMMANDS as _FUNC_COMMANDS,
)
from guru_envs.verify.latex_expr import (
    Node,
    TooBig,
    Unsupported,
    closed_value,
    compare_exprs,
    exact_value,
    free_vars,
    has_const,
    parse_expr,
    rational_value,
    tokenize,
)
from guru_envs.verify.numeric import parse_number
from guru_envs.verify.score import Score
from guru_envs.verify.structured import nesting_depth
from guru_envs.verify.text import doubts, fold_unicode, normalize_text
from guru_envs.verify.units import (
    asked_currency,
    asked_units,
    foreign_unit,
    parse_measurement,
    parse_unit,
    question_units,
    read_currency,
)

MAX_ANSWER_CHARS = 1_000  # a final answer longer than this is not an answer but an essay
MAX_DEPTH = 24  # bracket nesting of a final answer
MAX_BOXES = 16  # more boxed answers than this in one response is spraying, not answering
MAX_ITEMS = 64  # elements of a list, set, tuple or matrix
MAX_QUESTION_CHARS = 200_000
DEFAULT_TIMEOUT = 3.0  # seconds of symbolic work per answer, hard limit

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_ANSWER_CHARS",
    "Equivalence",
    "answers_equal",
    "asked_forms",
    "check_answer",
    "clear_caches",
    "form_problem",
    "normalize_answer",
    "reference_text",
    "repeats_question",
    "score_boxed_answer",
]


class Equivalence(NamedTuple):
    """The outcome of one comparison: equal or not, which stage decided, and why (for ``Score.reason``).

    Named apart from :class:`guru_envs.sandbox.results.Verdict`, the outcome of running code.
    """

    equal: bool
    method: str  # string | value | symbolic | refused | timeout
    reason: str


# --- normalisation ----------------------------------------------------------------------------------------

_UNICODE = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\uff0d": "-",  # full-width hyphen-minus
        "\ufe63": "-",  # small hyphen-minus
        "\u00d7": "\\times ",
        "\u00b7": "\\cdot ",
        "\u22c5": "\\cdot ",
        "\u00f7": "\\div ",
        "\u03c0": "\\pi ",
        "\u221e": "\\infty ",
        "\u2264": "\\le ",
        "\u2265": "\\ge ",
        "\u2260": "\\ne ",
        "\u00b1": "\\pm ",
        "\u2213": "\\mp ",
        "\u222a": "\\cup ",
        "\u00b0": "^\\circ ",
        "\u221a": "\\sqrt ",
        "\u2208": "\\in ",
        "\u2205": "\\emptyset ",
        "\u00a0": " ",
        "\u2248": "\\approx ",
        "\u223c": "\\sim ",
        "\u2026": "\\ldots ",
        "\u22ef": "\\cdots ",
        "\u2228": "\\lor ",
        "\u2227": "\\land ",
        "\u00ac": "\\neg ",
        "\u2223": "\\mid ",
        "\u2229": "\\cap ",
        "\u2192": "\\to ",
        "\u21d2": "\\Rightarrow ",
        # money signs are read by unit_problem (which currency, which scale); the value is the number
        "\u00a3": " ",
        "\u20ac": " ",
        "\u00a5": " ",
        "\u00a2": " ",
        "\u20b9": " ",
    }
)
_DEGREE_RE = re.compile(
    r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])|\\textdegree(?![a-zA-Z])"
)
# (pattern, replacement, a substring without which the pattern cannot match: most answers skip most rules)
_SUBS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^\s*=(?![=<>])\s*(?=\S)"), "", "="),  # "= 346": the value after the sign
    (re.compile(r"\\\\\s*(?=\\end\{)"), "", "\\end"),  # a row break right before \end ends no row
    (re.compile(r",\s*and\s+"), ", ", "and"),  # 19, 46, and 82: a list, its last comma English
    (re.compile(r"\\\\(?=[a-zA-Z])"), r"\\", "\\\\"),  # \\frac: an escaped backslash, not a line break
    (
        re.compile(
            r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])"
        ),
        "",
        "\\",
    ),
    (re.compile(r"\\(?:displaystyle|textstyle|limits|nolimits)(?![a-zA-Z])"), "", "\\"),
    (re.compile(r"(?<=\d)(?:\\[,!]|\{,\}|,\s*\\!)\s*(?=\d{3}(?!\d))"), ",", ","),  # 1\,000 1{,}000 1,\!000
    (re.compile(r"(?<!\\)\\!"), "", "\\"),
    (re.compile(r"(?<!\\)\\[,;:> ]|~|\\q?quad(?![a-zA-Z])|\\enspace|\\thinspace"), " ", ""),
    (re.compile(r"\\[dtc]frac(?![a-zA-Z])"), r"\\frac", "frac"),
    (re.compile(r"\\[dt]binom(?![a-zA-Z])"), r"\\binom", "binom"),
    (re.compile(r"\\(?:leqslant|leq)(?![a-zA-Z])|<="), r"\\le ", ""),
    (re.compile(r"\\(?:geqslant|geq)(?![a-zA-Z])|>="), r"\\ge ", ""),
    (re.compile(r"\\(?:neq)(?![a-zA-Z])|!="), r"\\ne ", ""),
    (re.compile(r"\\lt(?![a-zA-Z])"), "<", "\\lt"),
    (re.compile(r"\\gt(?![a-zA-Z])"), ">", "\\gt"),
    (re.compile(r"\\ast(?![a-zA-Z])"), "*", "\\ast"),
    (re.compile(r"\\lbrack(?![a-zA-Z])"), "[", "\\lbrack"),
    (re.compile(r"\\rbrack(?![a-zA-Z])"), "]", "\\rbrack"),
    (re.compile(r"\\varnothing(?![a-zA-Z])"), r"\\emptyset", "\\varnothing"),
    (_DEGREE_RE, "", "\\"),
    (re.compile(r"\*\*"), "", "**"),  # markdown bold
    (re.compile(r"\\\$|\$"), "", "$"),
    (re.compile(r"\\%"), "%", "\\%"),
    (re.compile(r"\s*\b(?:per\s?cent(?:age)?|pct)\b\.?", re.IGNORECASE), "%", ""),
]
_PLAIN_ANSWER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
_WRAPPER_RE = re.compile(
    r"\\(?:text|textbf|textrm|textit|textnormal|textsf|mathrm|mathbf|mathit|mathsf|mathnormal|mbox|"
    r"operatorname|boxed|fbox|mathbb|mathcal|bm|boldsymbol)\s*\{"
)
# A label after the value: a text wrapper (``\text{ cm}``, ``\textnormal{ miles}``), then perhaps ``^2``.
_WRAPPED_LABEL_RE = re.compile(
    r"\\(?:text|textnormal|textrm|textbf|textit|textsf|mathrm|mathbf|mathit|mbox|rm)\s*\{([^{}]{0,60})\}"
    r"\s*(?:\^\s*\{?\s*[23]\s*\}?|\u00b2|\u00b3)?\s*\.?\s*$"
)
_LABEL_EXPONENT_RE = re.compile(r"\s*(?:\^\s*\{?\s*[23]\s*\}?|\u00b2|\u00b3)\s*\.?\s*$")
_UPRIGHT_CONSTANT = re.compile(r"\\(?:mathrm|text|textrm|operatorname|mathit|rm)\s*\{\s*([ie])\s*\}")
_TRIG_RE = re.compile(r"\\(?:sin|cos|tan|sec|csc|cot)(?![a-zA-Z])")
_DEGREES_IN_TRIG_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z]))"
)
_REPEATING_RE = re.compile(r"(-?)(\d*)\.(\d*)\\overline\s*\{(\d{1,12})\}")
_WORDS_TO_COMMANDS = re.compile(r"(?<![\\a-zA-Z])(sqrt|pi|infty|cdot|times|frac)(?![a-zA-Z])")
_IN_PREFIX_RE = re.compile(r"^[a-zA-Z]\s*\\in\s*")
_SPACES = re.compile(r"\s+")
_KEY_SPACES = re.compile(r"(?<![a-zA-Z])\s+|\s+(?![a-zA-Z])")
_LONG_WORD = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")
_COMMAND = re.compile(r"\\[a-zA-Z]+")


def _unwrap(text: str) -> str:
    """Replace ``\\text{..}``-style wrappers by their contents (bounded: at most 64 wrappers)."""
    for _ in range(64):
        m = _WRAPPER_RE.search(text)
        if m is None:
            break
        inner = _balanced(text, m.end() - 1)
        if inner is None:
            break
        text = text[: m.start()] + " " + inner + " " + text[m.end() + len(inner) + 1 :]
    return text


def _repeating(m: re.Match[str]) -> str:
    """``0.1\\overline{6}`` as the exact fraction it stands for (``\\frac{1}{6}``)."""
    sign, whole, fixed, period = m.groups()
    value = Fraction(int(whole or "0")) + (Fraction(int(fixed), 10 ** len(fixed)) if fixed else 0)
    value += Fraction(int(period), (10 ** len(period) - 1) * 10 ** len(fixed))
    frac = f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value)
    return f"{sign}({frac})" if sign else f"({frac})"


def _degrees(text: str) -> str:
    """Degrees inside a trigonometric function are radians to the reader (``\\sin 60^\\circ``)."""
    if _TRIG_RE.search(text) is None:
        return text
    return _DEGREES_IN_TRIG_RE.sub(r"(\\frac{\1\\pi}{180})", text)


@functools.lru_cache(maxsize=16_384)
def _presentation(answer: str) -> str:
    """The answer with presentation rewritten (unicode, spacing, sizing, ``\\dfrac``, ``>=``, degrees, ``$``)."""
    if _PLAIN_ANSWER.fullmatch(answer):  # most final answers: nothing to rewrite
        return answer
    s = fold_unicode(answer.translate(_UNICODE))  # 7² is 7^{2}, １０ is 10 (after the symbols above)
    if "{" in s:
        s = _UPRIGHT_CONSTANT.sub(r" \1 ", s)  # 2\mathrm{i}: the imaginary unit set upright, not a label
    s = strip_wrappers(s)
    s = _degrees(s)
    if "\\overline" in s:
        s = _REPEATING_RE.sub(_repeating, s)
    for pattern, repl, needed in _SUBS:
        if needed in s:
            s = pattern.sub(repl, s)
    return s.strip()


def split_label(text: str) -> tuple[str, str]:
    """``(formula, trailing label)`` of a presentation-normalised answer: ``5\\text{ cm}^2`` -> ``("5", "cm")``.

    A label is a text wrapper at the end (``\\text{..}``, ``\\textnormal{..}``, ``\\mbox{..}``), or bare words
    after a space at the end of which one has three letters or more or is a known unit word
    (``125 miles``, ``12 dollars``, ``5 cm``); single letters (``2 x``) and LaTeX commands are not labels.
    Whether the label may be dropped is :func:`guru_envs.verify.claim.label_problem`'s decision.
    """
    s = text.rstrip(" .")
    labels: list[str] = []
    for _ in range(3):  # "5 \text{ square } \text{ units}" has two wrappers
        m = _WRAPPED_LABEL_RE.search(s)
        if m is None or not s[: m.start()].strip():
            break
        labels.insert(0, m.group(1).strip())
        s = s[: m.start()].rstrip(" .")
    if not labels:
        head, label = _bare_label(s)
        if label:
            return head, label
    return s, " ".join(labels)


def _bare_label(s: str) -> tuple[str, str]:
    exponent = _LABEL_EXPONENT_RE.search(s)
    body = (
        s[: exponent.start()]
        if exponent and exponent.start() > 0 and s[exponent.start() - 1].isalpha()
        else s
    )
    j = len(body)
    while j > 0 and (body[j - 1].isalpha() or body[j - 1] in " ./"):
        j -= 1
    if j > 0 and body[j - 1] == "\\":  # the first word belongs to a command (\cos a)
        while j < len(body) and body[j].isalpha():
            j += 1
    candidate = body[j:]
    head = body[:j].rstrip()
    if not candidate[:1].isspace() or not head or head[-1] not in "0123456789})]|.%":
        return s, ""
    found = candidate.split()
    if not found or not any(len(w.strip("./")) >= 3 or w.strip("./").lower() in UNIT_WORDS for w in found):
        return s, ""
    return head, candidate.strip()


def _finish(s: str) -> str:
    s = _unwrap(s)
    s = _WORDS_TO_COMMANDS.sub(r"\\\1", s)
    s = _IN_PREFIX_RE.sub("", s.strip())
    return _SPACES.sub(" ", s).strip().rstrip(".").strip()


@functools.lru_cache(maxsize=16_384)
def normalize_answer(answer: str) -> str:
    """The answer without presentation: wrappers, sizing commands, spacing, units, degree signs, ``$``.

    A trailing label is dropped only when it is a unit or a counting word
    (:func:`guru_envs.verify.claim.label_problem`); any other trailing words stay and make the answer text.
    The result is still LaTeX (``\\frac{1}{2}`` stays), with single spaces; callers must cap the length
    first (this function is linear, but its cache should hold answers, not essays).
    """
    s = _presentation(answer)
    head, label = split_label(s)
    if label and label_problem(label) is None:
        s = without_label(head, label)
    return _finish(s)


_SPACED_DIGITS = re.compile(r"\d+(?: \d+)+")
_BRACED_SUBSCRIPT = re.compile(r"_\{(\w{1,8})\}(?!\w)")
_APART = "\x00"  # keeps two runs of digits apart in a key; never in normalised text


def _join_digit_groups(m: re.Match[str]) -> str:
    runs = m.group(0).split(" ")
    return "".join(runs) if digit_groups(runs) else _APART.join(runs)


def _key(normalized: str) -> str:
    """A comparison key: the normalised answer without insignificant spaces.

    A space between digits is insignificant only between thousands groups (``1 234``): ``12 34`` and
    ``7 8`` are two values, so their keys never equal those of ``1234`` and ``78``. A subscript that
    ends the term is written either way (``1011_{2}`` is ``1011_2``, ``A3_{16}`` is ``A3_16``).
    """
    if " " in normalized and _SPACED_DIGITS.search(normalized) is not None:
        normalized = _SPACED_DIGITS.sub(_join_digit_groups, normalized)
    if "_{" in normalized:
        normalized = _BRACED_SUBSCRIPT.sub(r"_\1", normalized)
    return _KEY_SPACES.sub("", normalized)


# --- structure --------------------------------------------------------------------------------------------

_LIST_SEPARATORS = (",", ";", " or ", " and ")
_RELATION_RE = re.compile(r"\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\ne(?![a-zA-Z])|\\approx(?![a-zA-Z])|=|<|>")
_VAR_RE = re.compile(r"^[a-zA-Z](?:_\{?[a-zA-Z0-9]{1,8}\}?)?$")
_FUNC_LHS_RE = re.compile(r"^[a-zA-Z]\s*\(\s*[a-zA-Z]\s*\)$")
_VAR_TUPLE_RE = re.compile(r"^\(\s*[a-zA-Z](?:_\{?\w{1,8}\}?)?(?:\s*,\s*[a-zA-Z](?:_\{?\w{1,8}\}?)?)+\s*\)$")
_MATRIX_RE = re.compile(r"^\\begin\{([pbBvV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.DOTALL)
_PLAIN_MIXED = re.compile(r"(-?)([1-9]\d{0,11}) (\d{1,12})/(\d{1,12})")
_DET_RE = re.compile(r"^\\det\s*\\begin\{([pbB]?matrix)\}(.*)\\end\{\1\}$", re.DOTALL)
_RATIO_RE = re.compile(r"(\d{1,12}(?:\.\d{1,12})?)\s*:\s*(\d{1,12}(?:\.\d{1,12})?)")
_SEMICOLON_TUPLE = re.compile(r"\((?:[^(),;]{1,100};)+[^(),;]{1,100}\)")
_EMPTY_SET = {"\\emptyset", "\\{\\}", "\\{ \\}", "{}"}
_UNSURE = ("unknown", "rel")
_NUMBERISH = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d{1,4})?\s*%?")


def _split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """Split ``text`` at separators outside any bracket pair (``(``, ``[``, ``{`` in any combination)."""
    parts = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in separators:
                if text.startswith(sep, i):
                    parts.append(text[start:i])
                    i += len(sep)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _enclosed(text: str) -> bool:
    """Whether the first bracket of ``text`` closes at its last character."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def _set_body(text: str) -> str | None:
    if text.startswith("\\{") and text.endswith("\\}") and len(text) >= 4:
        inner = text[2:-2]
        if _balanced("{" + inner.replace("\\{", "{").replace("\\}", "}") + "}", 0) is not None:
            return inner
    return None


def _expand_pm(text: str) -> list[str] | None:
    """``a \\pm b`` as ``[a + b, a - b]``; None when there is no single ``\\pm``/``\\mp``."""
    count = text.count("\\pm") + text.count("\\mp")
    if count != 1 or re.search(r"\\(?:pm|mp)[a-zA-Z]", text):
        return None
    if "\\pm" in text:
        return [text.replace("\\pm", "+"), text.replace("\\pm", "-")]
    return [text.replace("\\mp", "-"), text.replace("\\mp", "+")]


@functools.lru_cache(maxsize=16_384)
def _structure(text: str, depth: int = 0) -> tuple[Any, ...]:
    """The answer's shape: ``("expr", node)``, ``("list", items)``, ``("tuple", items)``, ``("interval", ..)``...

    Kinds: ``text``, ``expr``, ``huge`` (too large to evaluate), ``assign`` (``x = v``), ``list`` (unordered:
    bare commas, ``\\{..\\}``, ``or``, ``\\pm``), ``tuple`` (ordered), ``interval``, ``union``, ``matrix``,
    and ``unknown``/``rel`` for what only the symbolic checker can read.
    """
    s = text.strip()
    if ";" in s and "(" in s:  # (0;-2;6): a tuple written with semicolons, as some curricula do
        s = _SEMICOLON_TUPLE.sub(lambda m: m.group(0).replace(";", ","), s)
    s = _strip_redundant(s)
    if depth > 6:
        return ("unknown", s)
    if not s:
        return ("text", "")
    if s in _EMPTY_SET:
        return ("list", ())
    mixed = _PLAIN_MIXED.fullmatch(s)
    if mixed and 0 < int(mixed.group(3)) < int(mixed.group(4)):  # 2 1/2 in plain text: two and a half
        sign, whole, num, den = mixed.groups()
        number: Node = (
            "add",
            ("num", Fraction(int(whole)), None),
            ("div", ("num", Fraction(int(num)), None), ("num", Fraction(int(den)), None)),
            "mixed",
        )
        return ("expr", ("neg", number) if sign else number)
    ratio = _RATIO_RE.fullmatch(s)
    if ratio:  # 7:32, a ratio, is the quotient
        s = f"\\frac{{{ratio.group(1)}}}{{{ratio.group(2)}}}"
    if _NUMBERISH.fullmatch(s):  # 1,000 / 2.5e-3 / 12%: numbers the expression reader does not take
        value = parse_number(s)
        if value is not None:
            m = re.search(r"\.(\d+)", s)
            node: Node = ("num", value, len(m.group(1)) if m and "e" not in s.lower() else None)
            return ("expr", ("pct", node) if s.endswith("%") else node)
    det = _DET_RE.match(s)
    if det:  # \det \begin{pmatrix}..\end{pmatrix} is the vmatrix
        s = f"\\begin{{vmatrix}}{det.group(2)}\\end{{vmatrix}}"
    m = _MATRIX_RE.match(s)
    if m:
        rows = [r for r in _split_top(m.group(2), ("\\\\",)) if r]
        cells = [tuple(_structure(c, depth + 1) for c in _split_top(r, ("&",))) for r in rows]
        if not cells or len(cells) * len(cells[0]) > MAX_ITEMS or len({len(r) for r in cells}) != 1:
            return ("unknown", s)
        if m.group(1) == "Vmatrix":
            return ("false", "a \\begin{Vmatrix} is a norm, not a matrix or a value")
        if m.group(1) == "vmatrix":  # a determinant: its value
            return _determinant(cells, s)
        return ("matrix", tuple(cells))
    if _is_text(s):
        return ("text", _text_key(s))
    parts = _split_top(s, ("\\cup",))
    if len(parts) > 1:
        pieces = tuple(_structure(p, depth + 1) for p in parts)
        if len(pieces) <= MAX_ITEMS and all(p[0] in ("interval", "tuple") for p in pieces):
            return ("union", pieces)
        return ("unknown", s)
    if parse_number(s) is None:  # "1,000" is a number, not a list
        solutions = _solution_tuples(s, depth) if ";" in s else None
        if solutions is not None:
            return solutions
        parts = _split_top(s, _LIST_SEPARATORS)
        if len(parts) > 1:
            if len(parts) > MAX_ITEMS or any(not p for p in parts):
                return ("unknown", s)
            items = _flatten(_structure(p, depth + 1) for p in parts)
            if " or " in s and len(_split_top(s, (" or ",))) > 1:
                return ("list", items, "or")  # alternatives joined by "or": see _compare on repeats
            return ("list", items)
    pm = _expand_pm(s)
    if pm is not None:
        plus, minus = (_structure(p, depth + 1) for p in pm)
        try:
            same = _compare(plus, minus, 0.0)
        except (_Refused, _NotOneClaim, RecursionError):
            same = None
        if same is True:
            return ("false", "'\\pm 0' gives one value twice: not two solutions")
        return ("list", _flatten((plus, minus)))
    body = _set_body(s)
    if body is not None:
        parts = [p for p in _split_top(body, _LIST_SEPARATORS) if p]
        if len(parts) > MAX_ITEMS:
            return ("unknown", s)
        return ("list", _flatten(_structure(p, depth + 1) for p in parts), "set")  # a set, never a tuple
    if s[0] in "([" and s[-1] in ")]" and _enclosed(s):
        parts = _split_top(s[1:-1], (",",))
        if len(parts) == 1:
            if s[0] == "(" and s[-1] == ")":
                return _structure(parts[0], depth + 1)
            return ("unknown", s)
        if len(parts) > MAX_ITEMS or any(not p for p in parts):
            return ("unknown", s)
        items = tuple(_structure(p, depth + 1) for p in parts)
        if len(parts) == 2 and not (s[0] == "(" and s[-1] == ")"):
            return ("interval", s[0] == "[", items[0], items[1], s[-1] == "]")
        return ("tuple", items)
    relation = _relation(s, depth)
    if relation is not None:
        return relation
    try:
        return ("expr", parse_expr(s))
    except TooBig:
        return ("huge", s)
    except Unsupported:
        return ("unknown", s)


def _determinant(cells: list[tuple[Any, ...]], text: str) -> tuple[Any, ...]:
    """The value of ``\\begin{vmatrix}..\\end{vmatrix}`` (a determinant), as an expression; square, up to 4x4."""
    n = len(cells)
    if n != len(cells[0]) or n > 4 or any(c[0] != "expr" for row in cells for c in row):
        return ("unknown", text)
    matrix = [[c[1] for c in row] for row in cells]

    def det(rows: list[list[Node]]) -> Node:
        if len(rows) == 1:
            return rows[0][0]
        total: Node | None = None
        for j, pivot in enumerate(rows[0]):
            minor = [row[:j] + row[j + 1 :] for row in rows[1:]]
            term: Node = ("mul", pivot, det(minor))
            if total is None:
                total = term if j % 2 == 0 else ("neg", term)
            else:
                total = ("add" if j % 2 == 0 else "sub", total, term)
        assert total is not None
        return total

    return ("expr", det(matrix))


def _strip_redundant(s: str) -> str:
    """``((5))``, ``{{5}}``, ``[\\begin{matrix}..\\end{matrix}]``: brackets that only group, removed in a loop.

    Parentheses around a comma list stay (a tuple); braces never make a set in LaTeX (``\\{..\\}`` does).
    A loop, not recursion, so redundant brackets cost microseconds whatever their number.
    """
    for _ in range(MAX_DEPTH + 2):
        if len(s) < 2 or (s[0], s[-1]) not in (("(", ")"), ("{", "}"), ("[", "]")) or not _enclosed(s):
            return s
        inner = s[1:-1].strip()
        if not inner:
            return s
        if s[0] == "[" and not (inner.startswith("\\begin{") and _MATRIX_RE.match(inner)):
            return s  # an interval or a bracketed list
        if s[0] == "(" and len(_split_top(inner, (",",))) > 1:
            return s  # a tuple or an open interval
        s = inner
    return s


def _solution_tuples(s: str, depth: int) -> tuple[Any, ...] | None:
    """``p=5, q=2; p=7, q=2``: solutions separated by ``;``, each the same names assigned: a set of tuples."""
    groups = _split_top(s, (";",))
    if len(groups) < 2 or len(groups) > MAX_ITEMS:
        return None
    solutions = []
    names = None
    for group in groups:
        items = [_structure(p, depth + 1) for p in _split_top(group, (",",))]
        if len(items) < 2 or any(item[0] != "assign" for item in items):
            return None
        items.sort(key=lambda item: item[1])  # values in alphabetical order of their names
        these = tuple(item[1] for item in items)
        if names is not None and these != names:
            return None
        names = these
        solutions.append(("tuple", tuple(item[2] for item in items)))
    return ("list", tuple(solutions))


def _flatten(items: Any) -> tuple[Any, ...]:
    out: list[Any] = []
    for item in items:
        if item[0] == "list" and len(out) + len(item[1]) <= MAX_ITEMS:
            out.extend(item[1])
        else:
            out.append(item)
    return tuple(out)


def _is_text(s: str) -> bool:
    stripped = _COMMAND.sub(" ", _SUBSCRIPT_RE.sub(" ", s))  # S_{MBCN} is a name, not a word
    return any(w.group(0).lower() not in ("and", "or") for w in _LONG_WORD.finditer(stripped))


def _text_key(s: str) -> str:
    s = _COMMAND.sub(" ", s).replace("{", " ").replace("}", " ")
    s = re.sub(r"^\(?([A-Ea-e])\)$", r"\1", s.strip())  # "(B)" is the choice B
    return normalize_text(s)


def _relation(s: str, depth: int) -> tuple[Any, ...] | None:
    """``x = 3`` as an assignment, ``2 < x \\le 5`` as an interval, other relations as ``rel``."""
    if not _RELATION_RE.search(s):
        return None
    pieces = []
    ops = []
    level = 0
    start = 0
    i = 0
    while i < len(s):
        ch = s[i]
        if ch in "([{":
            level += 1
        elif ch in ")]}":
            level -= 1
        elif level == 0:
            m = _RELATION_RE.match(s, i)
            if m:
                pieces.append(s[start:i].strip())
                ops.append(m.group(0))
                i = start = m.end()
                continue
        i += 1
    pieces.append(s[start:].strip())
    if not ops:
        return None
    if all(op in ("=", "\\approx") for op in ops):
        return _equation(pieces, ops, s, depth)
    return _inequality(pieces, ops, s, depth)


_CHOOSE_RE = re.compile(r"^C\s*\(\s*(\d{1,6})\s*,\s*(\d{1,6})\s*\)$")
_SUBSCRIPT_RE = re.compile(r"_\s*(?:\{[A-Za-z0-9 ,]{1,12}\}|[A-Za-z0-9])")
_NAME_RE = re.compile(r"[A-Za-z{}()|:' ]{1,30}")


def _is_name(side: str) -> bool:
    """Whether an equation side names a quantity (``x``, ``f(x)``, ``|AB|``, ``V_1:V_2``, ``\\frac{NO}{BO}``)."""
    if _VAR_RE.match(side) or _FUNC_LHS_RE.match(side):
        return True
    rest = _SUBSCRIPT_RE.sub("", side).replace("\\frac", "")
    return bool(_NAME_RE.fullmatch(rest)) and any(ch.isalpha() for ch in rest) and _enclosed_ok(rest)


def _enclosed_ok(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "({"
        depth -= ch in ")}"
        if depth < 0:
            return False
    return depth == 0


def _name_key(side: str) -> str:
    return _SPACES.sub("", side).replace("{", "").replace("}", "")


def _constant(text: str) -> Node | None:
    """The expression tree of a side without variables, or None."""
    try:
        node = parse_expr(text)
    except (Unsupported, TooBig):
        return None
    return None if free_vars(node) else node


def _same_constant(a: str, b: str) -> bool | None:
    x, y = _constant(a), _constant(b)
    if x is None or y is None:
        return None
    try:
        return compare_exprs(x, y)
    except TooBig:
        return None


def _close_constant(a: str, b: str) -> bool | None:
    """Whether ``a`` is a fair approximation of ``b`` (within 1%), for the sides after ``\\approx``."""
    x, y = _constant(a), _constant(b)
    if x is None or y is None:
        return None
    try:
        return compare_exprs(x, y, rel_tol=1e-2)
    except TooBig:
        return None


def _equation(pieces: list[str], ops: list[str], s: str, depth: int) -> tuple[Any, ...]:
    """``x = 3`` as an assignment, ``x = 2 + 3 = 5`` as its value; ``5 = 3`` and ``x = 5 = 3`` as false.

    Sides after an ``\\approx`` are approximations of the exact value: a wrong one makes the answer false.
    An equation in variables (``2x + 4y = 3``) is a relation for the symbolic checker.
    """
    if any(not p for p in pieces):
        return ("rel", s)
    pieces = [_CHOOSE_RE.sub(r"\\binom{\1}{\2}", p) for p in pieces]  # C(7,2) = 21: a binomial, restated
    cut = ops.index("\\approx") + 1 if "\\approx" in ops else len(pieces)
    exact, approx = pieces[:cut], pieces[cut:]
    if len(exact) == 1 and approx and _is_name(exact[0]):  # x \approx 11
        exact, approx = [exact[0], approx[0]], approx[1:]
    if len(exact) == 2 and _VAR_TUPLE_RE.match(exact[0]):  # (x, y) = (2, 3): x = 2 and y = 3
        named = _named_tuple(exact[0], exact[1], depth)
        if named is not None and not approx:
            return named
        value, name = exact[1], None
    elif len(exact) == 2 and _is_name(exact[0]) != _is_name(exact[1]):
        name, value = (exact[0], exact[1]) if _is_name(exact[0]) else (exact[1], exact[0])
    elif len(exact) == 1:
        name, value = None, exact[0]
    else:
        found, problem = equation_value(exact, is_name=_is_name, same=_same_constant)
        if problem is not None:
            values = [p for p in exact if not _is_name(p)]
            if not values or any(_constant(p) is None for p in values):
                return ("rel", s)  # an equation in variables or names, not a chain of values
            return ("false", problem)
        name, value = (exact[0] if _is_name(exact[0]) else None), found
    for side in approx:
        close = _close_constant(side, value)
        if close is not True:  # wrong, or a side that cannot be checked: either way not a claim we can pay
            why = "a false" if close is False else "an unchecked"
            return ("false", f"{why} approximation: {value[:40]} \\approx {side[:40]}")
    inner = _structure(value, depth + 1)
    return ("assign", _name_key(name), inner) if name is not None else inner


def _named_tuple(names: str, values: str, depth: int) -> tuple[Any, ...] | None:
    """``(y, x) = (16, 26)`` as the assignments ``y = 16, x = 26`` (names kept), or None.

    None where the sides do not pair up (another count of values, or no tuple of values).
    """
    keys = [_name_key(n) for n in _split_top(names.strip()[1:-1], (",",))]
    value = _structure(values, depth + 1)
    if value[0] != "tuple" or len(value[1]) != len(keys) or len(set(keys)) != len(keys):
        return None
    return ("tuple", tuple(("assign", k, v) for k, v in zip(keys, value[1])))  # one solution, kept whole


_LESS = {"<": (True, False), "\\le": (True, True), ">": (False, False), "\\ge": (False, True)}


def _inequality(pieces: list[str], ops: list[str], s: str, depth: int) -> tuple[Any, ...]:
    if any(op not in _LESS for op in ops) or len(ops) > 2:
        return ("rel", s)
    var_at = [i for i, p in enumerate(pieces) if _VAR_RE.match(p)]
    if len(var_at) != 1:
        return ("rel", s)
    v = var_at[0]
    lo: tuple[Any, ...] = ("expr", ("neg", ("const", "inf")))
    hi: tuple[Any, ...] = ("expr", ("const", "inf"))
    lo_closed = hi_closed = False
    for k, op in enumerate(ops):
        less, closed = _LESS[op]
        left, right = k, k + 1
        if right == v:  # bound op x
            bound = _structure(pieces[left], depth + 1)
            if less:
                lo, lo_closed = bound, closed
            else:
                hi, hi_closed = bound, closed
        elif left == v:  # x op bound
            bound = _structure(pieces[right], depth + 1)
            if less:
                hi, hi_closed = bound, closed
            else:
                lo, lo_closed = bound, closed
        else:
            return ("rel", s)
    return ("interval", lo_closed, lo, hi, hi_closed)


# --- comparison of structures -----------------------------------------------------------------------------


class _Refused(Exception):
    """A side is too large to evaluate; it must not reach sympy."""


class _NotOneClaim(Exception):
    """The answer states something false or several things (``5 = 3``); the message says what."""


def _compare(g: tuple[Any, ...], r: tuple[Any, ...], rel_tol: float) -> bool | None:
    """True/False when decided without sympy, None when only the symbolic checker can tell."""
    kg, kr = g[0], r[0]
    if kg == "huge" or kr == "huge":
        raise _Refused
    if kg == "false":
        raise _NotOneClaim(g[1])
    if kr == "false":
        return False  # a false reference: nothing equals it
    if kg == "rel" and kr not in (*_UNSURE, "interval", "union"):
        return False  # an equation in variables is not a value or a list (an inequality may be an interval)
    if kg == "text" or kr == "text":
        return kg == kr and g[1] == r[1]
    if kg in _UNSURE or kr in _UNSURE:
        return None
    if kg == "assign" and kr == "assign":
        return _compare(g[2], r[2], rel_tol) if g[1] == r[1] else False
    if kg in ("list", "tuple") and kr in ("list", "tuple") and (_all_assign(g) or _all_assign(r)):
        return _compare_assignments(g, r, rel_tol)
    if kg == "assign":
        return _compare(g[2], r, rel_tol)
    if kr == "assign":
        return _compare(g, r[2], rel_tol)
    if (
        kg == "list"
        and len(g) > 2
        and g[2] == "or"
        and _repeats(g[1], rel_tol) > _repeats(_items(r), rel_tol)
    ):
        return False  # "-i, i or -i": an item said again after "or" is a hedge between two answers
    if kg == "list" and len(g[1]) == 1:
        return _compare(g[1][0], r, rel_tol)
    if kr == "list" and len(r[1]) == 1:
        return _compare(g, r[1][0], rel_tol)
    if kr == "expr" and kg == "expr":
        return _compare_values(g[1], r[1], rel_tol)
    if kr == "list":
        if kg in ("list", "union"):
            return _same_set(g[1], r[1], rel_tol)
        if kg == "expr":
            return _same_set((g,), r[1], rel_tol)
        return False
    if kg == "list" and kr == "expr":
        return _same_set(g[1], (r,), rel_tol)
    if kr == "tuple":
        if kg == "list" and len(g) > 2 and g[2] == "set":
            return False  # a set is not an ordered tuple
        if kg in ("tuple", "list"):
            return _same_sequence(g[1], r[1], rel_tol)
        if kg == "interval" and len(r[1]) == 2 and not g[1] and not g[4]:
            return _same_sequence((g[2], g[3]), r[1], rel_tol)
        if kg == "matrix":
            return _same_sequence(_flat_vector(g), r[1], rel_tol)
        return False
    if kr == "interval":
        if kg == "interval":
            if (g[1], g[4]) != (r[1], r[4]):
                return False
            return _same_sequence((g[2], g[3]), (r[2], r[3]), rel_tol)
        if kg == "tuple" and len(g[1]) == 2 and not r[1] and not r[4]:
            return _same_sequence(g[1], (r[2], r[3]), rel_tol)
        return False
    if kr == "union":
        if kg in ("union", "list"):
            return _same_set(g[1], r[1], rel_tol)
        return False
    if kr == "matrix":
        if kg == "matrix":
            if len(g[1]) != len(r[1]) or len(g[1][0]) != len(r[1][0]):
                return False
            return _same_sequence(_flat(g), _flat(r), rel_tol)
        if kg == "tuple":
            return _same_sequence(g[1], _flat_vector(r), rel_tol)
        return False
    return False


def _items(x: tuple[Any, ...]) -> tuple[Any, ...]:
    return x[1] if x[0] in ("list", "tuple", "union") else (x,)


def _repeats(items: tuple[Any, ...], rel_tol: float) -> int:
    """How many items equal an earlier item of the same list (0 for a list of distinct values)."""
    if len(items) > MAX_ITEMS:
        return 0
    count = 0
    for j in range(1, len(items)):
        if any(_compare(items[i], items[j], rel_tol) is True for i in range(j)):
            count += 1
    return count


def _flat(m: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(cell for row in m[1] for cell in row)


def _flat_vector(m: tuple[Any, ...]) -> tuple[Any, ...]:
    rows = m[1]
    if len(rows) == 1 or len(rows[0]) == 1:
        return _flat(m)
    return (("unknown", "matrix"),)


def _all_assign(x: tuple[Any, ...]) -> bool:
    return x[0] in ("list", "tuple") and len(x[1]) > 1 and all(item[0] == "assign" for item in x[1])


def _compare_assignments(g: tuple[Any, ...], r: tuple[Any, ...], rel_tol: float) -> bool | None:
    """The given ``g`` against the reference ``r``, where either names its values.

    ``x=2, y=3`` matches ``(2, 3)`` (variables in alphabetical order) and ``y=3, x=2``.

    A name given more than once is a set of values of one variable (``x=2, x=3``: two roots) only
    where the reference gives it more than once too, or is a bare list of values of one variable:
    against ``x=13, y=15`` or ``(13, 15)``, the answer ``x=13, x=15, y=13, y=15`` names every order at
    once and is no answer.
    """
    if _all_assign(g) and _all_assign(r):
        given, wanted = _values_by_name(g), _values_by_name(r)
        if set(given) != set(wanted):
            return False
        if any(len(given[k]) != 1 for k in wanted if len(wanted[k]) == 1):
            return False  # one value asked for, several given
        one_solution = all(len(v) == 1 for v in wanted.values())
        if len(given) > 1 and _joined_by_or(g) and one_solution:
            return False  # x=2 or y=3: one of them, where both are asked for
        if one_solution:
            return _same_sequence(
                tuple(given[k][0] for k in sorted(given)),
                tuple(wanted[k][0] for k in sorted(wanted)),
                rel_tol,
            )
        r_solutions = _solutions(r, sorted(wanted)) if len(wanted) > 1 else None
        if r_solutions is not None:  # x=1, y=5 or x=4, y=-1: solutions, each a pairing of values
            g_solutions = _solutions(g, sorted(wanted))
            return False if g_solutions is None else _same_set(g_solutions, r_solutions, rel_tol)
        verdict: bool | None = True
        for name in sorted(wanted):
            v = _same_set(tuple(given[name]), tuple(wanted[name]), rel_tol)
            if v is False:
                return False
            if v is None:
                verdict = None
        return verdict
    named, plain = (g, r) if _all_assign(g) else (r, g)
    names = [item[1] for item in named[1]]
    repeated = len(set(names)) != len(names)
    if repeated and len(set(names)) > 1 and plain[0] == "list" and all(i[0] == "tuple" for i in plain[1]):
        # p=5, q=2 and p=7, q=2 against p=5, q=2; p=7, q=2 or (5, 2), (7, 2): solutions, values in
        # alphabetical order of their names, each solution giving every name once
        solutions = _solutions(named, sorted(set(names)))
        return False if solutions is None else _same_set(solutions, plain[1], rel_tol)
    if named is g and len(set(names)) > 1 and _joined_by_or(g):
        return False  # x=2 or y=3 for (2, 3)
    if len(set(names)) != len(names):
        # x=2, x=3 against 2, 3: roots of one variable; never for an ordered tuple, nor an answer that
        # repeats one name and gives another too
        if len(set(names)) > 1 or (named is g and plain[0] == "tuple"):
            return False
        values = tuple(item[2] for item in named[1])
        return _same_set(values, plain[1], rel_tol)
    if named is g:  # x = 2, y = 3 given for (2, 3): the variables in alphabetical order
        ordered = tuple(item[2] for item in sorted(named[1], key=lambda item: item[1]))
        return _same_sequence(ordered, plain[1], rel_tol)
    # a reference written as x = -5, p = 14/3: its values in the order written
    return _same_sequence(plain[1], tuple(item[2] for item in named[1]), rel_tol)


def _joined_by_or(x: tuple[Any, ...]) -> bool:
    return len(x) > 2 and x[2] == "or"


def _solutions(x: tuple[Any, ...], names: list[str]) -> tuple[Any, ...] | None:
    """``x=1, y=5, x=4, y=-1`` as the solutions ``(1, 5)`` and ``(4, -1)`` (values in ``names`` order).

    A solution ends where a name comes again; each must give every name once, else None.
    """
    solutions: list[dict[str, Any]] = [{}]
    for item in x[1]:
        if item[1] in solutions[-1]:
            solutions.append({})
        solutions[-1][item[1]] = item[2]
    if any(sorted(sol) != names for sol in solutions):
        return None
    return tuple(("tuple", tuple(sol[n] for n in names)) for sol in solutions)


def _values_by_name(x: tuple[Any, ...]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for item in x[1]:
        found.setdefault(item[1], []).append(item[2])
    return found


def _inf_sign(node: Node) -> int:
    if node == ("const", "inf"):
        return 1
    if node[0] == "neg" and node[1] == ("const", "inf"):
        return -1
    return 0


def _compare_values(a: Node, b: Node, rel_tol: float) -> bool | None:
    sa, sb = _inf_sign(a), _inf_sign(b)
    if sa or sb:
        return sa == sb
    if has_const(a, "inf") or has_const(b, "inf"):
        return None
    # 25% may be written for 0.25 or for 25: a percent sign on one side also matches its face value.
    # On both sides the two are compared as written: 0.25% is not 25% (read at face on one side only).
    one_sided = (a[0] == "pct") != (b[0] == "pct")
    options_a = [a, a[1]] if a[0] == "pct" and one_sided else [a]
    options_b = [b, b[1]] if b[0] == "pct" and one_sided else [b]
    verdict: bool | None = False
    for x in options_a:
        for y in options_b:
            try:
                v = compare_exprs(x, y, rel_tol)
            except TooBig:
                raise _Refused from None
            if v is True:
                return True
            if v is None:
                verdict = None
    return verdict


def _same_sequence(gs: tuple[Any, ...], rs: tuple[Any, ...], rel_tol: float) -> bool | None:
    if len(gs) != len(rs):
        return False
    verdict: bool | None = True
    for g, r in zip(gs, rs):
        v = _compare(g, r, rel_tol)
        if v is False:
            return False
        if v is None:
            verdict = None
    return verdict


def _same_set(gs: tuple[Any, ...], rs: tuple[Any, ...], rel_tol: float) -> bool | None:
    """Set equality (duplicates ignored, as for roots): every item on each side has an equal on the other."""
    if len(gs) > MAX_ITEMS or len(rs) > MAX_ITEMS:
        return False
    table = [[_compare(g, r, rel_tol) for r in rs] for g in gs]
    verdict: bool | None = True
    for row in table:
        if True not in row:
            if None not in row:
                return False
            verdict = None
    for j in range(len(rs)):
        column = [table[i][j] for i in range(len(gs))]
        if True not in column:
            if None not in column:
                return False
            verdict = None
    return verdict


# --- symbolic fallback (runs in a guard worker) -----------------------------------------------------------

_HAZARD_DIGITS = re.compile(
    r"\d{400,}|\d{5,}\s*!|\\binom\s*\{?\s*\d{6,}"
    r"|\^\s*(?:\d+|[a-zA-Z]|\\[a-zA-Z]+|\{[^{}]*\})\s*\^"  # a^b^c: a tower whatever way it is read
    r"|[)}]\s*!\s*\)?\s*!"  # (n!)!
)


def _hazardous(text: str) -> bool:
    """Whether sympy could spend unbounded time in one C call on ``text`` (power towers, huge factorials)."""
    if _HAZARD_DIGITS.search(text):
        return True
    pos = text.find("^")
    while pos >= 0:
        rest = text[pos + 1 :].lstrip()
        if rest.startswith("{"):
            exponent = _balanced(rest, 0) or rest
        elif rest.startswith("("):
            close = rest.find(")")
            exponent = rest[: close + 1] if close > 0 else rest
        else:
            m = re.match(r"-?\d+|\\[a-zA-Z]+|.", rest)
            exponent = m.group(0) if m else rest
        if "^" in exponent or "!" in exponent or "\\uparrow" in exponent or re.search(r"\d{6,}", exponent):
            return True
        pos = text.find("^", pos + 1)
    return False


# Notation the symbolic checker may see in an answer. Anything else (arrows, logic, strike-outs, ``\\sim``,
# ``\\mid``, dots, ``\\bmod``, colours) is refused first: math-verify reads the part it understands and drops
# the rest, so ``5 \\Rightarrow 3``, ``0 \\ldots 3`` or ``\\cancel{5} 3`` would be read as 3.
_SYMBOLIC_COMMANDS = frozenset(
    (
        "frac sqrt binom pi infty cdot times div pm mp sin cos tan sec csc cot arcsin arccos arctan sinh "
        "cosh tanh ln log exp sum prod int lim le ge ne approx cup cap in emptyset circ prime lfloor rfloor "
        "lceil rceil gcd lcm min max det begin end mathbb mathrm operatorname partial "
        "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho "
        "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega "
        "dx mathit vec overline hat setminus subseteq subset angle perp parallel"
    ).split()
)
_LIMIT_COMMANDS = ("\\lim", "\\sum", "\\int", "\\prod")


def _unreadable(given: str) -> str | None:
    """Why ``given`` may not go to the symbolic checker (notation it would read only in part), or None."""
    if doubts(given):
        return "the answer is not one claim: it contains '?'"
    if "\\\\" in given and "\\begin" not in given:
        return "the answer is not one claim: it breaks into several lines"
    for m in _COMMAND.finditer(given):
        name = m.group(0)[1:]
        if name == "to" and any(c in given for c in _LIMIT_COMMANDS):
            continue
        if name not in _SYMBOLIC_COMMANDS:
            return f"the answer uses notation that is not checked: \\{name}"
    if _split_top(given, ("|",)).__len__() % 2 == 0:  # an odd number of bars: a separator, not |x|
        return "the answer is not one claim: it contains a lone '|'"
    return _malformed(given)


# What math-verify must never be left to guess: it reads the part of a malformed formula it understands
# and drops the rest (``8 \\cup 7``, ``\\binom{8}{9} 7``, ``7 \\times`` all read as 7).
_BINARY_TOKENS = frozenset(
    "\\times \\cdot \\div \\cup \\cap \\setminus \\circ \\in \\subset \\subseteq \\perp "
    "\\parallel \\le \\ge \\ne \\approx * / = < > ^ _ &".split()
)
_SIGN_TOKENS = frozenset(("+", "-", "\\pm", "\\mp"))
_PREFIX_TOKENS = frozenset(
    (
        "\\sqrt \\frac \\binom \\vec \\hat \\overline \\mathbb \\lim \\sum \\prod \\int \\det \\gcd \\lcm "
        "\\min \\max \\partial \\operatorname \\mathrm \\mathit \\angle"
    ).split()
) | frozenset(_FUNC_COMMANDS)
_ATOM_TOKENS = frozenset(("\\pi", "\\infty", "\\emptyset"))
_OPEN_TOKENS = frozenset(("(", "[", "{", ",", "\\{"))
_CLOSE_TOKENS = frozenset((")", "]", "}", ",", "\\}"))
_PAIRED = (("\\lfloor", "\\rfloor"), ("\\lceil", "\\rceil"), ("\\begin", "\\end"))


def _malformed(given: str) -> str | None:
    """Why ``given`` is not one well-formed formula, or None: a scan of its tokens before sympy sees it.

    Refused: values side by side with nothing between them (``8 7``, ``\\binom{8}{9} 7``, ``\\emptyset 7``),
    an operator or function missing its operand (``7 \\times``, ``\\cup 7``, ``7 \\sin``), a subscript on a
    number (``1234_{8}``, a base the checker drops), and unpaired ``\\lfloor``/``\\lceil``/``\\begin``.
    """
    odd = next((ch for ch in given if ord(ch) > 127 and unicodedata.category(ch)[0] in "SP"), None)
    if odd is not None or "'" in given:  # ⊕, ≺ ... and primes, which math-verify drops
        return f"the answer uses notation that is not checked: {odd or chr(39)!r}"
    try:
        tokens = tokenize(given)
    except Unsupported:
        return "the answer is too long to check symbolically"
    values = [value for _, value in tokens]
    for opening, closing in _PAIRED:
        if values.count(opening) != values.count(closing):
            return f"the answer is not one formula: unpaired {opening} and {closing}"
    groups: list[str] = []  # per open brace: "name" (\\begin{pmatrix}), "sub" (x_{1}) or ""
    closed = ""  # what the brace group closed by the previous token belonged to
    ends_value = False  # the previous token ends a value (a number, a closing bracket, a constant)
    previous = ""
    n = len(values)
    for i, (kind, tok) in enumerate(tokens):
        following = values[i + 1] if i + 1 < n else None
        number = kind == "num"
        if (number or tok == "\\emptyset") and ends_value:
            return "the answer is not one claim: two values side by side"
        if previous == "\\emptyset" and (number or kind == "let" or tok in _ATOM_TOKENS):
            return "the answer is not one claim: two values side by side"
        if tok == "_" and ends_value:  # 1011_2 is a base (or an index): the checker would read 1011
            return "the answer uses notation that is not checked: a subscript on a number"
        if tok in _BINARY_TOKENS or tok in _SIGN_TOKENS:
            if following is None or following in _BINARY_TOKENS or following in _CLOSE_TOKENS:
                return f"the answer is not one formula: {tok} lacks an operand"
            binary = tok not in _SIGN_TOKENS
            if binary and (not previous or previous in _OPEN_TOKENS or previous in _BINARY_TOKENS):
                return f"the answer is not one formula: {tok} lacks an operand"
        elif tok in _PREFIX_TOKENS and (
            following is None
            or (following in _BINARY_TOKENS and following not in ("^", "_"))  # \\sin^2 x, \\log_2 8
            or following in _CLOSE_TOKENS
        ):
            return f"the answer is not one formula: {tok} lacks an argument"
        if tok == "{":
            name = previous in ("\\begin", "\\end") or (previous == "}" and closed == "name")
            groups.append("name" if name else "sub" if previous == "_" else "")
        if tok == "}":
            closed = groups.pop() if groups else ""
            ends_value = closed not in ("name", "sub")
        else:
            ends_value = (number and previous != "_") or tok in (")", "]") or tok in _ATOM_TOKENS
        previous = tok
    return None


class _Deadline(BaseException):
    """Raised by the timer signal inside a guard worker (a BaseException, so library code cannot swallow it)."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """A soft time limit from ``SIGALRM`` where signals work (a worker's main thread); else nothing.

    It interrupts Python-level loops (most of sympy). A single long C call cannot be interrupted this
    way; the hazard check keeps those inputs away, and outside a worker the process kill is the hard limit.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def _preload() -> None:
    """Import math-verify and warm it once in this process, so guard workers forked later start ready.

    The first parse builds math-verify's LaTeX grammar and the first comparison fills sympy's caches
    (~1 s together, several times that on a loaded machine): paid here, outside any time limit, once per
    process, and not by each worker against the symbolic stage's limit.
    """
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    from math_verify import verify

    with contextlib.suppress(Exception):  # a warm-up only: the real call reports any failure
        verify(list(_mv_parse("\\sin x")), list(_mv_parse("\\tan x \\cos x")), timeout_seconds=None)


@functools.lru_cache(maxsize=4_096)
def _mv_parse(text: str) -> tuple[Any, ...]:
    from math_verify import LatexExtractionConfig, parse

    # LaTeX extraction only: the plain-expression extractor finds a number anywhere in text it cannot parse
    # as a whole, so ``\\min{8}{9} 7`` or ``8 \\cup 7`` would be read as 7.
    return tuple(
        parse(
            "$" + text + "$",
            extraction_config=[LatexExtractionConfig()],
            parsing_timeout=None,  # our own limits apply; math-verify's alarm breaks off the main thread
        )
    )


def symbolic_equal(given: str, reference: str, budget: float) -> str:
    """math-verify's verdict on two normalised answers: ``"equal"``, ``"different"`` or ``"timeout"``.

    Runs inside a guard worker (module-level so it can be sent there); ``budget`` seconds is a soft limit
    by timer signal, below the caller's hard limit.
    """
    _preload()  # before the timer starts: a worker forked before the parent imported it pays here
    from math_verify import verify

    try:
        with _deadline(budget):
            gold = list(_mv_parse(reference))
            pred = list(_mv_parse(given))
            if not gold or not pred:
                return "different"
            return "equal" if verify(gold, pred, timeout_seconds=None) else "different"
    except _Deadline:
        return "timeout"
    except RecursionError:
        return "different"


# --- public API -------------------------------------------------------------------------------------------


def _refuse_reason(answer: str) -> str | None:
    if len(answer) > MAX_ANSWER_CHARS:
        return f"answer has {len(answer):,} characters, over the {MAX_ANSWER_CHARS:,} limit"
    if nesting_depth(answer) > MAX_DEPTH:
        return f"answer nests brackets deeper than {MAX_DEPTH} levels"
    return None


def check_answer(
    given: str,
    reference: str,
    *,
    rel_tol: float = 0.0,
    timeout: float = DEFAULT_TIMEOUT,
    symbolic: bool = True,
    final_form: bool = False,
) -> Equivalence:
    """Whether the extracted answer ``given`` equals ``reference``; never raises, never exceeds ``timeout``.

    Args:
        given: the model's final answer (the contents of its box).
        reference: the ground truth (LaTeX or plain).
        rel_tol: relative tolerance for numeric values (0: exact, with the decimal rule of
            :func:`guru_envs.verify.latex_expr.compare_exprs`).
        timeout: hard limit in seconds for the symbolic stage.
        symbolic: False to stop after the sympy-free stages (an undecided pair counts as different).
        final_form: where the reference is a plain number (``31``, ``\\frac{7}{12}``, ``2.5``), accept only a
            plain number (not ``83 - 52``, ``2^{5} - 1`` or ``\\binom{5}{2}``): the task asked for the value.
    """
    if not isinstance(given, str) or not isinstance(reference, str):
        return Equivalence(False, "refused", "answer is not text")
    refused = _refuse_reason(given)
    if refused is not None:
        return Equivalence(False, "refused", refused)
    equation = value_for_equation(given, reference, None)
    if equation is not None:
        return Equivalence(False, "refused", equation)
    return _equivalence(given, reference, rel_tol, timeout, symbolic, final_form)


def _equivalence(
    given: str, reference: str, rel_tol: float, timeout: float, symbolic: bool, final_form: bool
) -> Equivalence:
    """:func:`check_answer` once ``given`` has passed the caps."""
    if len(reference) > 20 * MAX_ANSWER_CHARS:
        return Equivalence(
            given.strip() == reference.strip(), "string", "reference too long to parse; compared as text"
        )
    return _check_normalized(
        normalize_answer(given), normalize_answer(reference), rel_tol, timeout, symbolic, final_form
    )


def _decimal_comma(given: str, reference: tuple[Any, ...]) -> str:
    """``0,5`` or ``1000,99`` read as a decimal, when the reference is one number.

    Only where the comma cannot separate thousands: not three digits after it, or only 0 before it.
    """
    m = _DECIMAL_COMMA.fullmatch(given)
    if m is None or reference[0] != "expr":
        return given
    sign, whole, fraction = m.groups()
    if len(fraction) == 3 and whole.lstrip("0"):
        return given
    return f"{sign}{whole}.{fraction}"


@functools.lru_cache(maxsize=65_536)
def _check_normalized(
    given: str, reference: str, rel_tol: float, timeout: float, symbolic: bool, final_form: bool = True
) -> Equivalence:
    if not given:
        return Equivalence(False, "string", "the answer is empty")
    if _key(given) == _key(reference):
        return Equivalence(True, "string", "matches the reference answer")
    try:
        reference_struct = _structure(reference)
        given = _decimal_comma(given, reference_struct)
        given_struct = _structure(given)
        if final_form and _plain_value(reference_struct) and given_struct[0] not in ("text", "false"):
            if not _plain(given_struct):
                return Equivalence(
                    False, "refused", "the answer is not in final form: the task asks for a plain number"
                )
        verdict = _compare(given_struct, reference_struct, rel_tol)
    except _Refused:
        return Equivalence(False, "refused", "the answer is too large to evaluate safely")
    except _NotOneClaim as exc:
        return Equivalence(False, "refused", str(exc))
    except RecursionError:
        return Equivalence(False, "refused", "the answer nests too deeply")
    if verdict is not None:
        return Equivalence(
            verdict, "value", "equal in value to the reference" if verdict else "differs from the reference"
        )
    if not symbolic:
        return Equivalence(False, "value", "could not be shown equal without symbolic algebra")
    if _hazardous(given) or _hazardous(reference):
        return Equivalence(False, "refused", "the answer builds numbers too large to check symbolically")
    unread = _unreadable(given)
    if unread is not None:
        return Equivalence(False, "refused", unread)
    _preload()
    try:
        outcome = guarded_call(symbolic_equal, given, reference, max(0.1, timeout * 0.8), timeout=timeout)
    except CallTimeout:
        outcome = "timeout"
    except (RemoteError, WorkerCrashed) as exc:
        return Equivalence(False, "symbolic", f"symbolic check failed: {exc}"[:300])
    if outcome == "timeout":
        return Equivalence(False, "timeout", f"could not be checked within {timeout:g} s")
    equal = outcome == "equal"
    return Equivalence(
        equal, "symbolic", "symbolically equal to the reference" if equal else "differs from the reference"
    )


def clear_caches() -> None:
    """Forget cached verdicts and parses in this process (benchmarks measure cold performance with it)."""
    for cached in (
        normalize_answer,
        _presentation,
        _structure,
        _check_normalized,
        _question_key,
        _question_forms,
        _question_fractions,
        _question_values,
        _question_names,
        _computes_reference,
        _several_items,
        _claim_problem,
        _mv_parse,
    ):
        cached.cache_clear()


def answers_equal(
    given: str, reference: str, *, rel_tol: float = 0.0, timeout: float = DEFAULT_TIMEOUT
) -> bool:
    """Shorthand for ``check_answer(...).equal``."""
    return check_answer(given, reference, rel_tol=rel_tol, timeout=timeout).equal


_CHOICES = re.compile(r"\(\s*[Aa]\s*\).*\(\s*[Bb]\s*\)", re.DOTALL)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PLAIN_FRACTION = re.compile(r"(-?)(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+)/(\d+))")
_MATH_SEGMENT = re.compile(
    r"\$\$([^$]{1,2000})\$\$|\$([^$]{1,2000})\$|\\\((.{1,2000}?)\\\)|\\\[(.{1,2000}?)\\\]", re.DOTALL
)
_DECIMAL_COMMA = re.compile(r"(-?)(\d+),(\d+)")


def _is_plain(key: str) -> bool:
    """A bare integer, decimal or reduced fraction: writing one is never 'repeating the question'."""
    if _PLAIN_NUMBER.fullmatch(key):
        return True
    m = _PLAIN_FRACTION.fullmatch(key)
    if m:
        num, den = (int(m.group(2)), int(m.group(3))) if m.group(2) else (int(m.group(4)), int(m.group(5)))
        return den > 0 and gcd(num, den) == 1
    return False


# --- final form -------------------------------------------------------------------------------------------


def _int_literal(node: Node) -> bool:
    if node[0] == "neg":
        node = node[1]
    return node[0] == "num" and node[2] is None and node[1].denominator == 1


def _plain_node(node: Node) -> bool:
    """Whether ``node`` is a number as a final answer writes it, not an operation still to be carried out.

    Plain: ``-3``, ``2.5``, ``\\frac{7}{12}``, ``3\\frac{1}{2}``, ``25\\%``, ``1.2 \\times 10^{5}``, ``\\infty``.
    """
    if node[0] == "neg":
        node = node[1]
    kind = node[0]
    if kind == "num":
        return True
    if kind == "pct":
        return _plain_node(node[1])
    if kind == "const":
        return node[1] == "inf"
    if kind == "div":
        return _int_literal(node[1]) and _int_literal(node[2])
    if kind == "add":
        return len(node) > 3 and node[3] == "mixed"
    if kind == "mul":  # scientific notation
        power = node[2]
        return (
            node[1][0] == "num"
            and power[0] == "pow"
            and power[1] == ("num", Fraction(10), None)
            and _int_literal(power[2])
        )
    return False


def _plain(struct: tuple[Any, ...]) -> bool:
    """Whether every value in the answer's structure is a plain number (see :func:`_plain_node`)."""
    kind = struct[0]
    if kind == "expr":
        return _plain_node(struct[1])
    if kind in ("list", "tuple", "union"):
        return all(_plain(item) for item in struct[1])
    if kind == "assign":
        return _plain(struct[2])
    if kind == "interval":
        return _plain(struct[2]) and _plain(struct[3])
    if kind == "matrix":
        return all(_plain(cell) for row in struct[1] for cell in row)
    return False


def _plain_value(struct: tuple[Any, ...]) -> bool:
    """A reference that asks for plain numbers: a number, or a list, tuple or assignment of them."""
    kind = struct[0]
    if kind in ("list", "tuple"):
        return all(_plain_value(item) for item in struct[1])
    if kind == "assign":
        return _plain_value(struct[2])
    return kind == "expr" and _plain_node(struct[1])


def _canonical(node: Node) -> Any:
    """A form that forgets order, grouping and no-op terms: ``-52 + 83``, ``(83 - 52) + 0`` and ``83 - 52`` agree."""
    kind = node[0]
    if kind in ("add", "sub", "neg"):
        terms: list[Any] = []
        _terms(node, 1, terms)
        terms = [t for t in terms if t[1] != ("num", Fraction(0))]
        for term in list(terms):  # + 1 - 1: a pair of opposite terms does nothing
            opposite = (-term[0], term[1])
            if term in terms and opposite in terms:
                terms.remove(term)
                terms.remove(opposite)
        if len(terms) == 1 and terms[0][0] == 1:
            return terms[0][1]  # (x) + 0 is x
        return ("sum", tuple(sorted(terms, key=repr)))
    if kind == "mul":
        factors: list[Any] = []
        _factors(node, factors)
        factors = [f for f in factors if f != ("num", Fraction(1))]
        if len(factors) == 1:
            return factors[0]  # x \cdot 1 is x
        return ("prod", tuple(sorted(factors, key=repr)))
    if kind == "num":
        return ("num", node[1])
    if kind in ("div", "pow") and node[2][0] == "num" and node[2][1] == 1:
        return _canonical(node[1])
    return (
        kind,
        *(_canonical(c) if isinstance(c, tuple) and c and isinstance(c[0], str) else c for c in node[1:]),
    )


def _terms(node: Node, sign: int, out: list[Any]) -> None:
    kind = node[0]
    if kind == "add" and len(node) == 3:
        _terms(node[1], sign, out)
        _terms(node[2], sign, out)
    elif kind == "sub":
        _terms(node[1], sign, out)
        _terms(node[2], -sign, out)
    elif kind == "neg":
        _terms(node[1], -sign, out)
    else:
        out.append((sign, _canonical(node)))


def _factors(node: Node, out: list[Any]) -> None:
    if node[0] == "mul":
        _factors(node[1], out)
        _factors(node[2], out)
    else:
        out.append(_canonical(node))


def _subtrees(node: Node, out: list[Node], limit: int = 256) -> None:
    if len(out) >= limit:
        return
    out.append(node)
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            _subtrees(child, out, limit)


# Arithmetic written in plain text ("What is 6*7?", "12 × 3 - 4"): digits, brackets and operators only.
_PLAIN_ARITHMETIC = re.compile(r"[0-9(][0-9.()\s+\-*/\u00d7\u00f7^\u00b7\u2212]*[0-9)]")
_PLAIN_OPERATOR = re.compile(r"[0-9)]\s*[-+*/\u00d7\u00f7^\u00b7\u2212]\s*[0-9(]")
_BARE_EXPONENT = re.compile(r"\^\s*(\d+)")


def _question_segments(question: str) -> Iterator[str]:
    """The question's math (``$..$``, ``\\(..\\)``), then any arithmetic it writes in plain text.

    Why: a plain-text question ("What is 6*7?") has no math delimiters, and ``\\boxed{6 \\times 7}``
    only copies it.
    """
    text = question[:MAX_QUESTION_CHARS]
    for m in _MATH_SEGMENT.finditer(text):
        yield next(g for g in m.groups() if g is not None)
    for m in _PLAIN_ARITHMETIC.finditer(_MATH_SEGMENT.sub(" ", text)):
        if _PLAIN_OPERATOR.search(m.group(0)):
            yield _BARE_EXPONENT.sub(r"^{\1}", m.group(0))


@functools.lru_cache(maxsize=1_024)
def _question_forms(question: str) -> frozenset[Any]:
    """Canonical forms of the operations written in the question (see :func:`_question_segments`), cached."""
    forms: set[Any] = set()
    for segment in _question_segments(question):
        for part in _split_top(normalize_answer(segment), (",", ";", "=")):
            try:
                node = parse_expr(part)
            except (Unsupported, TooBig):
                continue
            nodes: list[Node] = []
            _subtrees(node, nodes)
            forms.update(_canonical(n) for n in nodes if n[0] not in ("num", "var", "const"))
        if len(forms) > 4_096:
            break
    return frozenset(forms)


@functools.lru_cache(maxsize=1_024)
def _question_fractions(question: str) -> frozenset[tuple[int, int]]:
    """Numerator and denominator pairs of the fractions written in the question (``\\frac{6}{8}``, ``6/8``)."""
    text = normalize_answer(question[:MAX_QUESTION_CHARS])
    pairs = re.findall(
        r"\\frac\s*\{\s*(\d{1,12})\s*\}\s*\{\s*(\d{1,12})\s*\}|(\d{1,12})\s*(?:/|\\div)\s*(\d{1,12})", text
    )
    return frozenset((int(a or c), int(b or d)) for a, b, c, d in pairs)


def _copies_question(struct: tuple[Any, ...], question: str) -> bool:
    """Whether the answer is an operation of the question written again, reordered or regrouped."""
    if struct[0] == "assign":
        struct = struct[2]
    if struct[0] != "expr":
        return False
    node = struct[1]
    core = node[1] if node[0] == "neg" else node
    fraction = _int_fraction(core)
    if fraction is not None:
        return gcd(*fraction) != 1 and fraction in _question_fractions(question)
    if core[0] in ("num", "var", "const", "pct"):
        return False
    return _canonical(node) in _question_forms(question)


def _int_fraction(node: Node) -> tuple[int, int] | None:
    """``(|numerator|, |denominator|)`` of a quotient of two integer literals (``\\frac{6}{8}``), else None."""
    if node[0] == "div" and _int_literal(node[1]) and _int_literal(node[2]):
        return abs(exact_int(node[1])), abs(exact_int(node[2]))
    return None


def exact_int(node: Node) -> int:
    """The integer of an integer literal (``-3`` too)."""
    return -node[1][1].numerator if node[0] == "neg" else node[1].numerator


@functools.lru_cache(maxsize=1_024)
def _question_key(question: str) -> str:
    """The question as one comparison key (cached: a group of samples shares its question)."""
    return _key(normalize_answer.__wrapped__(question[:MAX_QUESTION_CHARS]))


def repeats_question(given: str, reference: str, question: str) -> bool:
    """Whether the boxed answer merely copies an expression from the question (``\\boxed{47+38}``).

    Decided on structure first: the answer is an operation of the question's math written again, in any
    order or grouping, with no-op terms (``-52 + 83``, ``\\left(83 - 52\\right)``, ``83 - 52 + 0``), or an
    unreduced fraction of the question (``\\frac{6}{8}``); then as text (plain-text questions). Plain numbers
    and reduced fractions never count, nor does an answer written exactly as the reference, nor any answer
    to a multiple-choice question (one that lists options ``(A)``, ``(B)``, ...).
    """
    normalized = normalize_answer(given)
    g = _key(_strip_redundant(normalized))
    if len(g) < 3 or _is_plain(g) or g == _key(normalize_answer(reference)):
        return False
    if _CHOICES.search(question[:MAX_QUESTION_CHARS]):  # multiple choice: copying an option is the task
        return False
    try:
        struct = _structure(normalized)
        if _copies_question(struct, question):
            return True
        if _plain_value(_structure(normalize_answer(reference))) and _restates_numbers(struct, question):
            return True
    except RecursionError:
        return False
    return g in _question_key(question)


_QUESTION_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_UNEVALUATED = re.compile(r"\\(?:int|iint|oint|sum|prod|lim)(?![A-Za-z])")


@functools.lru_cache(maxsize=1_024)
def _question_numbers(question: str) -> frozenset[Fraction]:
    """Every number written in the question (digits, in words' company or in its math)."""
    return frozenset(Fraction(m.group(0)) for m in _QUESTION_NUMBER.finditer(question[:MAX_QUESTION_CHARS]))


def _restates_numbers(struct: tuple[Any, ...], question: str) -> bool:
    """Whether an answer to a question that asks for a number only works on the question's own numbers.

    ``123 + 456`` for "What is the sum of 123 and 456?", ``2^{10}`` for "2 to the power of 10",
    ``\\frac{100}{4}`` for "100 divided by 4": an operation of literals, each one the question wrote, is
    the question again, not its value (a reduced fraction or scientific notation is a value). An integral,
    sum, product or limit left unevaluated that the question also writes counts too, however spelled.
    """
    if struct[0] == "unknown":
        kinds = set(_UNEVALUATED.findall(struct[1]))
        return bool(kinds) and kinds <= set(_UNEVALUATED.findall(question[:MAX_QUESTION_CHARS]))
    if struct[0] == "assign":
        struct = struct[2]
    if struct[0] != "expr":
        return False
    numbers = _question_numbers(question)
    fraction = _int_fraction(struct[1][1] if struct[1][0] == "neg" else struct[1])
    if fraction is not None:
        return gcd(*fraction) != 1 and all(Fraction(n) in numbers for n in fraction)
    if _plain_node(struct[1]):
        return False
    literals: list[Fraction] = []
    if not _literals_only(struct[1], literals) or not literals:
        return False
    return all(v in numbers for v in literals)


def _literals_only(node: Any, out: list[Fraction]) -> bool:
    """Collect the number literals of ``node``; False where it holds a variable or a named constant."""
    if not isinstance(node, tuple) or not node:
        return True
    if node[0] == "num":
        out.append(node[1])
        return True
    if node[0] in ("var", "const", "func", "unknown"):
        return False
    if node[0] == "root" and len(node) > 2 and node[2] == ("num", Fraction(2), None):
        node = node[:2]  # \sqrt[2]{..} is \sqrt{..}: its index is no number of the question's
    return all(_literals_only(child, out) for child in node[1:] if isinstance(child, tuple))


# --- evaluation: a question that writes the value it asks for ---------------------------------------------

# Words that ask for a fraction in lowest terms: an unreduced fraction is then no answer, whatever its value.
_ASKS_LOWEST_TERMS = re.compile(
    r"\bsimplif(?:y|ied|ies|ication)\b|\blowest\s+terms\b|\bsimplest\s+(?:form|terms)\b"
    r"|\b(?:fully|completely)\s+reduced\b|\breduced?\s+(?:the\s+|this\s+|your\s+|a\s+)?fractions?\b"
    r"|\birreducible\s+fractions?\b",
    re.IGNORECASE,
)
MAX_QUESTION_VALUES = 64  # operations on numbers read from one question
_EVALUATION_BUDGET = 128  # subtrees of one answer examined


def _numeral(node: Node) -> bool:
    """Whether ``node`` is made of numbers alone (no variable, no infinity)."""
    return not free_vars(node) and not has_const(node, "inf")


def _lowest_fraction(node: Node) -> bool:
    """A quotient of two integer literals in lowest terms, not over 1 (``\\frac{3}{4}``, ``-7/2``)."""
    if node[0] != "div" or not _int_literal(node[1]) or not _int_literal(node[2]):
        return False
    num, den = exact_int(node[1]), exact_int(node[2])
    return abs(den) > 1 and gcd(num, den) == 1


def _evaluated_form(node: Node) -> bool:
    """Whether ``node`` is a value as a final answer writes it, with nothing left to compute.

    ``-3``, ``2.5``, a constant (``\\pi``, ``e``, ``i``), a fraction of integers in lowest terms, a mixed
    number with such a fraction (``3\\frac{1}{2}``), ``25\\%``, scientific notation (``1.2 \\times 10^{5}``).
    """
    if node[0] == "neg":
        node = node[1]
    kind = node[0]
    if kind in ("num", "const"):
        return True
    if kind == "pct":
        return node[1][0] == "num"
    if kind == "div":
        if _lowest_fraction(node):
            return True
        # (1 + i)/2: a complex number over its common denominator, in lowest terms
        num, den = node[1], node[2]
        if num[0] not in ("add", "sub") or not _complex_form(num) or not _int_literal(den):
            return False
        return abs(exact_int(den)) > 1 and gcd(_content(num[1]), _content(num[2]), exact_int(den)) == 1
    if kind == "add" and len(node) > 3:
        return node[3] == "mixed" and _lowest_fraction(node[2])
    if kind in ("add", "sub"):
        return _complex_form(node)
    if _imaginary_form(node):
        return True
    if kind == "mul":  # scientific notation
        power = node[2]
        return (
            node[1][0] == "num"
            and node[1][1] != 0
            and power[0] == "pow"
            and power[1] == ("num", Fraction(10), None)
            and _int_literal(power[2])
            and exact_int(power[2]) != 0
        )
    return False


def _operands(node: Node, kind: str, out: list[Node]) -> None:
    """The operands of a chain of ``kind`` (``mul``) as one list (``2 \\cdot (3 \\cdot \\sqrt{5})``: three)."""
    if node[0] == kind and len(out) < 64:
        _operands(node[1], kind, out)
        _operands(node[2], kind, out)
    else:
        out.append(node)


def _imaginary_form(node: Node) -> bool:
    """``i``, ``2i``, ``\\frac{3}{4}i``, ``i\\sqrt{2}``, ``\\frac{i}{2}``: a real value written beside ``i`` once."""
    if node[0] == "neg":
        node = node[1]
    if node == ("const", "i"):
        return True
    if node[0] == "div" and node[1] == ("const", "i") and _int_literal(node[2]):
        return True
    if node[0] != "mul":
        return False
    factors: list[Node] = []
    _operands(node, "mul", factors)
    units = [f for f in factors if f == ("const", "i")]
    rest = [f for f in factors if f != ("const", "i")]
    return (
        len(units) == 1
        and len(rest) == 1
        and _evaluated_form(rest[0])
        and not has_const(rest[0], "i")
        and _exact(rest[0]) != 0  # 7 + 0i is 7 with a no-op
    )


def _complex_form(node: Node) -> bool:
    """``a + bi`` (``1 - i``, ``\\frac{1}{2} + \\frac{\\sqrt{3}}{2}i``): a real part and an imaginary part."""
    if node[0] not in ("add", "sub") or len(node) != 3:
        return False
    real, imaginary = node[1], node[2]
    if _imaginary_form(real) and not _imaginary_form(imaginary):
        real, imaginary = imaginary, real
    return (
        _imaginary_form(imaginary)
        and not has_const(real, "i")
        and (_exact(real) != 0 or real == ("num", Fraction(0), None))  # 0 - 2i: the form a + bi, a = 0
        and (_evaluated_form(real) or (_exact(real) is None and _unsimplified_tree(real) is None))
    )


def _unsimplified_tree(node: Node) -> str | None:
    return _unevaluated(node, [_EVALUATION_BUDGET])


def _flat_terms(node: Node, out: list[Node]) -> None:
    """The terms of a sum or difference, signs dropped (a zero or a repeat is what matters here)."""
    if node[0] in ("add", "sub") and len(node) == 3 and len(out) < 64:
        _flat_terms(node[1], out)
        _flat_terms(node[2], out)
    elif node[0] == "neg":
        _flat_terms(node[1], out)
    else:
        out.append(node)


def _exact(node: Node) -> Fraction | None:
    """The exact rational value of ``node``, or None (irrational, undefined, too large)."""
    try:
        return exact_value(node)
    except Exception:  # noqa: BLE001 - every refusal of the exact evaluator, its private one included
        return None


def _content(node: Node) -> int:
    """The integer factor written in front of a product (``4`` of ``4\\sqrt{3}``), 1 when none."""
    factors: list[Node] = []
    _operands(node[1] if node[0] == "neg" else node, "mul", factors)
    content = 1
    for factor in factors:
        if _int_literal(factor):
            content *= abs(exact_int(factor))
    return content


def _has_power_factor(n: int, index: int) -> bool:
    """Whether the integer ``n`` has a factor ``p^index`` with ``p > 1`` (``12 = 2^2 \\cdot 3``)."""
    if n < 4 or index < 2:
        return False
    if n.bit_length() > 64:
        return False  # too large to factor here; such radicands are no honest final answer anyway
    p = 2
    while p**index <= n and p < 1_000:
        if n % p**index == 0:
            return True
        p += 1
    root = _iroot_int(n, index)
    return root is not None and root > 1


def _iroot_int(n: int, index: int) -> int | None:
    guess = round(n ** (1.0 / index))
    for cand in (guess - 1, guess, guess + 1):
        if cand > 0 and cand**index == n:
            return cand
    return None


def _unsimplified(node: Node) -> str | None:
    """What in an irrational ``node`` of numbers alone is still to be simplified, or None.

    A double negative, an absolute value, a function with a closed-form value (``\\sin 30^\\circ``), a
    radical with a perfect power or a fraction inside (``\\sqrt{12}``), a no-op power, a power of a radical
    at least its index, numbers or radicals still to be multiplied (``2 \\cdot 3\\sqrt{5}``, ``\\sqrt{2}
    \\sqrt{3}``), a factor 1, numbers or like terms still to be added (``\\sqrt{2} + \\sqrt{2}``), a quotient
    still to be reduced (``\\frac{4\\sqrt{3}}{2}``, ``\\frac{\\sqrt{6}}{\\sqrt{2}}``, ``\\frac{\\pi}{1}``).
    """
    kind = node[0]
    if kind == "neg" and node[1][0] == "neg":
        return "a double negative"
    if kind == "abs":
        return "an absolute value still to be taken"
    if kind == "func" and closed_value(node):
        return "a function whose value has a closed form"
    if kind == "root":
        radicand = _exact(node[1])
        index = 2 if node[2] is None else _exact(node[2])
        if radicand is None or index is None or index.denominator != 1:
            return None
        if _has_power_factor(abs(radicand.numerator), int(index)) or _has_power_factor(
            radicand.denominator, int(index)
        ):
            return "a radical with a perfect power inside"  # \\sqrt{12}, \\sqrt{\\frac{3}{4}}
        return None
    if kind == "pow":
        exponent = _exact(node[2])
        if exponent == 1:
            return "a power of 1"
        base = node[1]
        if base[0] == "root" and exponent is not None and exponent.denominator == 1:
            index = 2 if base[2] is None else _exact(base[2])
            if index is not None and abs(exponent) >= index:
                return "a power of a radical still to be taken"
        return None
    if kind == "mul":
        factors: list[Node] = []
        _operands(node, "mul", factors)
        values = [_exact(f) for f in factors]
        rational = [v for v in values if v is not None]
        if len(rational) > 1:
            return "numbers still to be multiplied"
        if any(v in (1, -1) for v in rational):
            return "a factor of 1"
        indices = [2 if f[2] is None else _exact(f[2]) for f in factors if f[0] == "root"]
        if len(indices) != len(set(indices)):
            return "radicals still to be multiplied"
        irrational = [_canonical(f) for f, v in zip(factors, values) if v is None]
        if len(irrational) != len(set(map(repr, irrational))):
            return "a factor still to be raised to a power"
        return None
    if kind in ("add", "sub") and len(node) == 3:
        terms: list[Node] = []
        _flat_terms(node, terms)
        values = [_exact(t) for t in terms]
        rational = [v for v in values if v is not None]
        if len(rational) > 1:
            return "numbers still to be added"
        if 0 in rational:
            return "a term of 0"
        keys = []
        for term, value in zip(terms, values):
            if value is not None:
                continue
            factors = []
            _operands(term, "mul", factors)
            keys.append(repr(sorted(repr(_canonical(f)) for f in factors if _exact(f) is None)))
        if len(keys) != len(set(keys)):
            return "like terms still to be combined"
        return None
    if kind == "div":
        num, den = node[1], node[2]
        den_value = _exact(den)
        if den_value in (1, -1):
            return "a division by 1"
        if gcd(_content(num), _content(den)) > 1:
            return "a quotient still to be reduced"
        if num[0] == "root" and den[0] == "root" and num[2] == den[2]:
            return "a quotient of radicals still to be taken"
        below: list[Node] = []
        _operands(den, "mul", below)
        for factor in below:  # \frac{6}{\sqrt{3}} is 2\sqrt{3}; \frac{1}{\sqrt{3}} is left as written
            radicand = _exact(factor[1]) if factor[0] == "root" else None
            if (
                radicand is not None
                and radicand.denominator == 1
                and gcd(_content(num), radicand.numerator) > 1
            ):
                return "a quotient still to be reduced"
        return None
    return None


def _form(node: Node) -> Any:
    """How ``node`` is written, up to the order of terms and factors (``\\sqrt{3} \\cdot 2`` is ``2\\sqrt{3}``).

    Unlike :func:`_canonical` it keeps no-op terms, so ``2^{10} + 0`` is not written as ``2^{10}``.
    """
    kind = node[0]
    if kind in ("add", "sub") and len(node) == 3:
        terms: list[tuple[int, Node]] = []
        _signed_terms(node, 1, terms)
        return ("sum", tuple(sorted((sign, repr(_form(t))) for sign, t in terms)))
    if kind == "mul":
        factors: list[Node] = []
        _operands(node, "mul", factors)
        return ("prod", tuple(sorted(repr(_form(f)) for f in factors)))
    if kind == "num":
        return ("num", node[1])
    return (
        kind,
        *(_form(c) if isinstance(c, tuple) and c and isinstance(c[0], str) else c for c in node[1:]),
    )


def _signed_terms(node: Node, sign: int, out: list[tuple[int, Node]]) -> None:
    kind = node[0]
    if kind in ("add", "sub") and len(node) == 3 and len(out) < 64:
        _signed_terms(node[1], sign, out)
        _signed_terms(node[2], -sign if kind == "sub" else sign, out)
    else:
        out.append((sign, node))


def _unevaluated(node: Node, budget: list[int]) -> str | None:
    """What in ``node`` (numbers alone) is an operation still to be carried out, or None.

    An operation whose result is rational is one (``17 \\times 23 - 40 - 5``, ``\\frac{12}{16}``, ``4!``,
    ``\\sqrt{49}``, ``2^{10}``), unless written as a plain number (:func:`_evaluated_form`); so is any part
    of an irrational value that :func:`_unsimplified` names.
    """
    if budget[0] <= 0 or _evaluated_form(node):
        return None
    budget[0] -= 1
    if rational_value(node) is True:
        return "an operation on numbers still to be carried out"
    problem = _unsimplified(node)
    if problem is not None:
        return problem
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            problem = _unevaluated(child, budget)
            if problem is not None:
                return problem
    return None


@functools.lru_cache(maxsize=1_024)
def _question_values(question: str) -> tuple[Node, ...]:
    """The operations on numbers alone the question writes (``17 \\times 23 - 45``, ``4!``, ``\\frac{6}{8}``).

    Plain numbers and fractions in lowest terms are values, not operations; anything with a variable is not
    numbers alone.
    """
    found: list[Node] = []
    for segment in _question_segments(question):
        for part in _split_top(normalize_answer(segment), (",", ";", "=")):
            try:
                struct = _structure(part)
            except RecursionError:
                continue
            node = struct[1]
            if struct[0] == "expr" and _numeral(node) and not _evaluated_form(node):
                found.append(node)
                if len(found) >= MAX_QUESTION_VALUES:
                    return tuple(found)
    return tuple(found)


def _value_node(struct: tuple[Any, ...]) -> Node | None:
    """The expression of a one-value structure (``346``, ``x = 346``), else None."""
    if struct[0] == "assign":
        struct = struct[2]
    if struct[0] == "list" and len(struct[1]) == 1:
        struct = struct[1][0]
    return struct[1] if struct[0] == "expr" else None


@functools.lru_cache(maxsize=1_024)
def _computes_reference(question: str, reference: str) -> bool:
    """Whether the question writes an operation on numbers whose value is the reference.

    The task is then to evaluate it: ``What is $17 \\times 23 - 45$?`` for 346, ``Compute $4!$`` for 24,
    ``Simplify $\\sqrt{12}$`` for ``2\\sqrt{3}``.
    """
    values = _question_values(question)
    if not values:
        return False
    try:
        node = _value_node(_structure(reference))
    except RecursionError:
        return False
    if node is None or not _numeral(node):
        return False
    for value in values:
        try:
            if compare_exprs(value, node) is True:
                return True
        except (TooBig, RecursionError):
            continue
    return False


def _answer_values(struct: tuple[Any, ...], out: list[Any]) -> None:
    """Every value the answer states: the expressions in its assignments, lists and tuples (others as-is)."""
    kind = struct[0]
    if kind == "assign":
        _answer_values(struct[2], out)
    elif kind in ("list", "tuple") and len(out) < MAX_ITEMS:
        for item in struct[1]:
            _answer_values(item, out)
    else:
        out.append(struct)


def _unreduced_fraction(node: Node, budget: list[int]) -> bool:
    """Whether ``node`` holds a fraction not in lowest terms.

    ``\\frac{12}{16}``, ``\\frac{3 \\cdot 2}{8}``, ``\\frac{4\\sqrt{3}}{2}``, ``\\frac{6x}{8}``, ``\\frac{5}{1}``.
    """
    if budget[0] <= 0:
        return False
    budget[0] -= 1
    if node[0] == "div":
        num, den = _exact(node[1]), _exact(node[2])
        if num is not None and den is not None and not _lowest_fraction(node):
            return True
        if den in (1, -1) or gcd(_content(node[1]), _content(node[2])) > 1:
            return True
    if node[0] == "add" and len(node) > 3 and not _lowest_fraction(node[2]):
        return True  # 2\frac{2}{4}
    return any(
        _unreduced_fraction(child, budget)
        for child in node[1:]
        if isinstance(child, tuple) and child and isinstance(child[0], str)
    )


def evaluation_problem(given: str, reference: str, question: str | None) -> str | None:
    """Why ``given`` does not give the value the question asks to compute, or None when that rule is moot.

    Two rules, both about what the question asks, not what the values are:

    - **The question writes the computation.** Where it holds an operation on numbers alone whose value is
      the reference (``What is $17 \\times 23 - 45$?`` for 346, ``Compute $4!$`` for 24, ``Simplify
      $\\sqrt{12}$`` for ``2\\sqrt{3}``), an answer that is itself an operation on numbers still to be
      carried out is the question again, not its value: ``17 \\times 23 - 40 - 5``, ``2(17 \\times 23 -
      45)/2``, ``\\sqrt{(17 \\times 23 - 45)^2}``, ``4!``, ``\\frac{692}{2}``, ``\\sqrt{4 \\cdot 3}``. Plain
      numbers, fractions in lowest terms and simplified exact forms (``2\\sqrt{3}``, ``\\frac{\\pi}{2}``)
      are values, and so is any answer written as the reference is (``2^{10}`` where the reference is
      ``2^{10}``). A question without such an operation (a counting question answered ``\\binom{7}{2}``)
      is not held to this rule; :func:`repeats_question` still refuses an operation on its own numbers.
    - **The question asks for lowest terms** (``simplify``, ``lowest terms``, ``simplest form``): a fraction
      not in lowest terms (``\\frac{12}{16}``, ``\\frac{3 \\cdot 2}{8}``, ``\\frac{4\\sqrt{3}}{2}``) is no answer.
    """
    if not question:
        return None
    q = question[:MAX_QUESTION_CHARS]
    if _CHOICES.search(q):  # multiple choice: an option is the answer however it is written
        return None
    lowest = _ASKS_LOWEST_TERMS.search(q) is not None
    if not lowest and not _question_values(q):
        return None
    g_text, r_text = normalize_answer(given), normalize_answer(reference)
    if _key(g_text) == _key(r_text):
        return None
    try:
        values: list[Any] = []
        _answer_values(_structure(g_text), values)
        if lowest:
            for struct in values:
                if struct[0] == "expr" and _unreduced_fraction(struct[1], [_EVALUATION_BUDGET]):
                    return "the question asks for lowest terms; the answer holds a fraction that is not"
        if not _computes_reference(q, r_text):
            return None
        wanted = _value_node(_structure(r_text))
        for struct in values:
            if struct[0] in ("unknown", "huge"):
                return "the question asks for the value of an expression; the answer is not a value"
            if struct[0] == "expr" and free_vars(struct[1]):
                return "the question asks for the value of an expression; the answer has a variable in it"
            if struct[0] != "expr" or not _numeral(struct[1]):
                continue  # text, a relation, infinity: the comparison decides
            if wanted is not None and _form(struct[1]) == _form(wanted):
                continue  # written as the reference is
            problem = _unevaluated(struct[1], [_EVALUATION_BUDGET])
            if problem is not None:
                return f"the question asks for the value of an expression; the answer leaves {problem}"
    except RecursionError:
        return None
    return None


# --- the form the question asks for -----------------------------------------------------------------------

_ASKED_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "decimal",
        re.compile(
            r"\b(?:as|to|into|in)\s+(?:a\s+)?decimal\b(?!\s*(?:digit|place|point|representation|expansion))",
            re.IGNORECASE,
        ),
    ),
    (
        "fraction",
        re.compile(
            r"\b(?:as|to|into|in)\s+(?:an?\s+)?(?:(?:common|simple|improper|proper|reduced|ordinary)\s+)?"
            r"fraction\b|\blowest\s+terms\b",
            re.IGNORECASE,
        ),
    ),
    (
        "percent",
        re.compile(r"\b(?:as|to|into|in)\s+(?:a\s+)?(?:percent(?:age)?|per\s*cent)\b", re.IGNORECASE),
    ),
    ("mixed", re.compile(r"\bmixed\s+(?:number|numeral|fraction)", re.IGNORECASE)),
    ("scientific", re.compile(r"\bscientific\s+notation", re.IGNORECASE)),
    ("radical", re.compile(r"\b(?:simplest|simplified)\s+radical\s+form", re.IGNORECASE)),
)
_NUMBER_FORMS = frozenset(("decimal", "fraction", "percent", "mixed", "scientific"))
_E_NOTATION = re.compile(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d{1,4}")
_FORM_NAMES = {
    "decimal": "as a decimal",
    "fraction": "as a fraction",
    "percent": "as a percentage",
    "mixed": "as a mixed number",
    "scientific": "in scientific notation",
    "radical": "in simplest radical form",
}


def asked_forms(question: str | None) -> frozenset[str]:
    """The forms the question asks its answer in (``decimal``, ``fraction``, ``percent``, ``mixed``, ...).

    ``scientific`` and ``radical`` too; ``Express your answer as a common fraction in simplest radical form``
    asks for two.

    A question that names two number forms (``Write 3/8 as a decimal and as a percent``) asks for neither
    in particular: only ``radical`` is kept then.
    """
    if not question:
        return frozenset()
    q = question[:MAX_QUESTION_CHARS]
    found = frozenset(name for name, pattern in _ASKED_FORMS if pattern.search(q))
    if len(found & _NUMBER_FORMS) > 1:
        found -= _NUMBER_FORMS
    return found


def _has_decimal(node: Node, integers_too: bool = True) -> bool:
    """Whether ``node`` holds a decimal literal (``0.375``; with ``integers_too=False``, not ``4.0``)."""
    parts: list[Node] = []
    _subtrees(node, parts)
    return any(p[0] == "num" and p[2] is not None and (integers_too or p[1].denominator != 1) for p in parts)


def _has_kind(node: Node, kind: str) -> bool:
    parts: list[Node] = []
    _subtrees(node, parts)
    return any(p[0] == kind for p in parts)


def _scientific(node: Node) -> bool:
    """``4.2 \\times 10^{-4}``: a number from 1 to under 10 times an integer power of ten."""
    if node[0] == "neg":
        node = node[1]
    if node[0] == "pow":
        return node[1] == ("num", Fraction(10), None) and _int_literal(node[2])
    return (
        node[0] == "mul"
        and node[1][0] == "num"
        and 1 <= node[1][1] < 10
        and node[2][0] == "pow"
        and node[2][1] == ("num", Fraction(10), None)
        and _int_literal(node[2][2])
    )


def written_in(node: Node, form: str, text: str = "") -> bool:
    """Whether the value ``node`` (read from ``text``) is written in ``form`` (see :func:`asked_forms`).

    An integer is a decimal, a fraction, a mixed number and a percentage's number alike: ``7`` answers
    "as a common fraction" when the value is 7; only a decimal point or a percent sign is another form.
    """
    bare = node[1] if node[0] == "neg" else node
    if form == "decimal":
        return bare[0] == "num"
    if form == "fraction":
        return not _has_decimal(node) and not _has_kind(node, "pct")
    if form == "percent":
        return bare[0] == "num" or (bare[0] == "pct" and bare[1][0] == "num")
    if form == "mixed":
        return _int_literal(bare) or (bare[0] == "add" and len(bare) > 3 and bare[3] == "mixed")
    if form == "scientific":
        return _scientific(node) or _E_NOTATION.fullmatch(text.strip()) is not None
    if form == "radical":  # no radical left to simplify, no decimal for an exact value
        return (
            _numeral(node)
            and not _has_decimal(node, integers_too=False)
            and _unevaluated(node, [_EVALUATION_BUDGET]) is None
        )
    return True


def _form_values(text: str) -> list[tuple[Node, str]] | None:
    """The answer's values as expression trees (each with its text where it is one value), or None."""
    struct = _structure(normalize_answer(text))
    values: list[Any] = []
    _answer_values(struct, values)
    if not values or any(v[0] != "expr" for v in values):
        return None
    whole = normalize_answer(text) if len(values) == 1 else ""
    return [(v[1], whole) for v in values]


def _fraction_for_percent(node: Node, wanted: list[tuple[Node, str]]) -> bool:
    """``0.625`` where the reference is ``62.5\\%``: the fraction the percentage stands for, not its number."""
    bare = node[1] if node[0] == "neg" else node
    if bare[0] != "num" or len(wanted) != 1 or wanted[0][0][0] != "pct":
        return False
    return bare[1] != wanted[0][0][1][1]


def form_problem(given: str, reference: str, question: str | None) -> str | None:
    """Why ``given`` is not written in the form the question asks for, or None.

    ``Express $0.375$ as a common fraction`` refuses ``0.375``; ``Convert $3/8$ to a decimal`` refuses
    ``\\frac{3}{8}``; ``as a mixed number`` refuses ``\\frac{7}{4}``; ``as a percent`` refuses
    ``\\frac{5}{8}``; ``in scientific notation`` refuses ``0.00042``; ``in simplest radical form`` refuses
    ``\\sqrt{12}``. The rule holds only where the reference itself is written in that form: a question
    that says "as a common fraction" of an answer that came out whole is answered by the integer, and a
    phrase that is not about the answer (``If $0.\\overline{42}$ is written as a fraction $a/b$, what is
    $a+b$?``) finds an integer reference, which an integer answer is written as. Multiple-choice questions
    are exempt.
    """
    forms = asked_forms(question)
    if not forms or _CHOICES.search((question or "")[:MAX_QUESTION_CHARS]):
        return None
    try:
        wanted = _form_values(reference)
        values = _form_values(given)
        if wanted is None or values is None:
            return None
        for form in sorted(forms):
            if not all(written_in(node, form, text) for node, text in wanted):
                continue  # the reference is not in this form: the phrase is not about the answer
            for node, text in values:
                if not written_in(node, form, text) or (
                    form == "percent" and _fraction_for_percent(node, wanted)
                ):
                    return f"the question asks for the answer {_FORM_NAMES[form]}; the answer is not"
    except (RecursionError, TooBig):
        return None
    return None


_BASE_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_ASKED_BASE = re.compile(
    r"\bbase[\s-]*\$?\s*(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE
)
_BASE_NUMERAL = re.compile(
    r"\s*\$?\s*([0-9A-Fa-f]{1,40})\s*_\s*(?:\{\s*(?:\\(?:text|mathrm)\s*\{)?\s*([0-9a-z]{1,5})\s*\}?\s*\}|(\d))\s*\$?\s*"
)


def in_asked_base(box: str, question: str) -> str:
    """``11_{10}`` as ``11`` where the question asks for base 10 (its last "base b"): the subscript restates it.

    Only a whole answer that is one numeral with a base subscript equal to the asked base, its digits valid
    in that base; any other subscript stays (and is refused as notation that is not checked).
    """
    m = _BASE_NUMERAL.fullmatch(box)
    if m is None:
        return box
    asked = _ASKED_BASE.findall(question[:MAX_QUESTION_CHARS])
    if not asked:
        return box
    word = (m.group(2) or m.group(3)).lower()
    base = int(word) if word.isdigit() else _BASE_WORDS.get(word)
    last = asked[-1].lower()
    wanted = int(last) if last.isdigit() else _BASE_WORDS[last]
    if base != wanted or not 2 <= base <= 16:
        return box
    try:
        int(m.group(1), base)
    except ValueError:
        return box
    return m.group(1)


_ASKS_FACTORIZATION = re.compile(r"factori[sz]|prime\s+factor", re.IGNORECASE)
_PRIME_POWER = re.compile(r"\(?\s*(\d{1,12})\s*(?:\^\s*(?:\{\s*(\d{1,3})\s*\}|(\d)))?\s*\)?")
_PRODUCT_SIGN = re.compile(r"\\times|\\cdot|\*|(?<=\))\s*(?=\()")


def _is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin (exact below 3.3e24; factors here have at most 12 digits)."""
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime_powers(text: str) -> dict[int, int] | None:
    """``{base: exponent}`` of a product of integer powers (``2^2 \\times 3``, ``(2^2)(3)``), else None."""
    if len(text) > 400:
        return None
    counts: dict[int, int] = {}
    for part in _PRODUCT_SIGN.split(text):
        m = _PRIME_POWER.fullmatch(part.strip())
        if m is None:
            return None
        base, exponent = int(m.group(1)), int(m.group(2) or m.group(3) or 1)
        counts[base] = counts.get(base, 0) + exponent
    return counts


def factorization_problem(given: str, reference: str, question: str | None) -> str | None:
    """Why ``given`` is not the prime factorization the question asks for, or None when that rule is moot.

    Why: a factorization is equal in value to the number factored (``12``) and to any partial factoring
    (``2 \\times 6``), so a value comparison would pay them; when the question asks to factor and the
    reference is written as a product of primes, the answer must be a product of the same primes
    (in any order, with powers written out or not).
    """
    if not question or _ASKS_FACTORIZATION.search(question[:MAX_QUESTION_CHARS]) is None:
        return None
    want = _prime_powers(normalize_answer(reference))
    if not want or sum(want.values()) < 2 or not all(_is_prime(b) for b in want):
        return None
    got = _prime_powers(normalize_answer(given))
    if got is None or not all(_is_prime(b) for b in got):
        return "the question asks for a prime factorization; the answer is not a product of primes"
    if got != want:
        return "a product of primes other than the reference's"
    return None


@functools.lru_cache(maxsize=4_096)
def _several_items(reference: str) -> bool:
    """Whether the reference is a set of several items (roots, solutions), which several boxes may give."""
    try:
        struct = _structure(normalize_answer(reference))
    except RecursionError:
        return False
    return struct[0] in ("list", "union") and len(struct[1]) > 1


def _single_item(box: str) -> bool:
    try:
        struct = _structure(normalize_answer(box))
    except RecursionError:
        return False
    return struct[0] not in ("list", "union", "unknown", "huge")


_APPROX_START = re.compile(r"\s*~\s*[-+.\d\\(\[{|]")
# x \approx 7: a name said to be about a value (x = 7 \approx 7.0 states x = 7 and is read as such)
_NAMED_APPROX = re.compile(
    r"^\s*(?:\\[a-zA-Z]+\s*\{\s*)?[A-Za-z](?:_\{?\w{1,8}\}?)?\s*\}?\s*(?:\\approx|\\simeq|\\thickapprox|\u2248|\u2243)(?![a-zA-Z])"
)
_ASKS_APPROXIMATION = re.compile(
    r"\bround|\bnearest\b|approximat|\bestimate|decimal\s+places?|significant\s+(?:figures|digits)"
    r"|\bto\s+\w+\s+decimal",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=16_384)
def _claim_problem(given: str, reference: str, question: str | None) -> tuple[str, str | None]:
    """``(answer to compare, why it is not one claim)``: the shared rule of :mod:`guru_envs.verify.claim`.

    A trailing label is dropped only when it is a unit or a word of the question; hedges, negations,
    alternatives and the like anywhere in the answer refuse it. Text references (names, choices) are
    compared as text and skip this.
    """
    if doubts(given):
        return given, "the answer is not one claim: it contains '?'"
    if _APPROX_START.match(given):
        return given, "the answer is not one claim: it approximates ('~')"
    if _NAMED_APPROX.match(given) and not (
        question and _ASKS_APPROXIMATION.search(question[:MAX_QUESTION_CHARS])
    ):
        return given, "the answer only approximates: x \\approx 7 does not say x = 7"
    reference_struct = _structure(normalize_answer(reference))
    if reference_struct[0] == "text":
        return given, None
    apart = spaced_values(given)  # before presentation turns \\quad into a space: 0 \\quad -2i is not -2i
    if apart is not None:
        return given, apart
    allow = words_of(question) if question else frozenset()
    head, label = split_label(_presentation(given))
    if label:
        problem = label_problem(label, allow)
        if problem is not None:
            return given, problem
        given = without_label(head, label)
    joins = (
        reference_struct[0] in ("list", "union", "tuple")
        or "\\text{ or }" in reference
        or " or " in reference
    )
    problem = word_problem(_unwrap(_presentation(given)), allow, joins=joins)
    return given, problem


def score_boxed_answer(
    response: str,
    reference: Any,
    *,
    question: str | None = None,
    rel_tol: float = 0.0,
    timeout: float = DEFAULT_TIMEOUT,
    final_form: bool = False,
    answer_line: bool = False,
) -> Score:
    """Score a full response whose final answer is boxed: the math rule shared by every math-style verifier.

    With ``answer_line`` (a task that asks for a last line ``Answer: X``, as DAPO's rows do), every such
    line is read as one more box (:func:`guru_envs.verify.extract.answer_lines`), under the same rules.

    Zero when: no ``\\boxed{}`` after ``</think>``; the box is empty or over the caps; the boxes give
    several different answers (:func:`guru_envs.verify.claim.final_answer`: repeats are fine, and boxes
    that each hold one item make a set when the reference is a set); the answer is not one claim
    (a hedge, a negation, a false equation, a label that is neither a unit nor a word of the question);
    it merely repeats an expression of ``question`` (in any order or grouping), or leaves a computation the
    question writes still to be carried out, or a fraction unreduced where the question asks for lowest
    terms (:func:`evaluation_problem`), or is not in the form the question asks for (``as a decimal``,
    ``as a common fraction``, ...: :func:`form_problem`); with ``final_form`` (a
    task that asks for a value), it is not a plain number where the reference is one; or it differs from
    ``reference``.
    """
    if not isinstance(response, str):
        return Score.wrong(None, f"response must be a str, got {type(response).__name__}", error="bad_type")
    try:
        reference = reference_text(reference)
    except ValueError as exc:
        return Score.wrong(None, str(exc), error="bad_reference")
    boxes = all_boxed(strip_think(response))
    if answer_line:
        boxes += answer_lines(response)
    if not boxes:
        if answer_line:
            return Score.wrong(
                None,
                "no \\boxed{} answer and no 'Answer:' line after the reasoning",
                feedback="End with a line 'Answer: <your answer>'.",
            )
        return Score.wrong(
            None, "no \\boxed{} answer after the reasoning", feedback="Put the final answer in \\boxed{}."
        )
    if question:
        boxes = [in_asked_base(box, question) for box in boxes]
    for box in boxes:
        refused = _refuse_reason(box)
        if refused is not None:
            return Score.wrong(box[:200], refused, method="refused")
    if len(reference) > 20 * MAX_ANSWER_CHARS:
        several = False
    else:
        several = _several_items(reference)

    def same(a: str, b: str) -> bool:
        return _check_normalized(normalize_answer(a), normalize_answer(b), 0.0, timeout, False, False).equal

    pick = final_answer(boxes, same, several_items=several, single=_single_item)
    if pick.text is None:
        return Score.wrong(
            boxes[-1][:200],
            pick.refused or "no final answer",
            feedback="Box exactly one final answer.",
            method="several_answers",
        )
    given = pick.text
    shown = given[:200]
    if not given.strip():
        return Score.wrong("", "the boxed answer is empty", method="string")
    other = contradiction(given, later_answers(response), same)  # "\\boxed{112} Wait, no: 113."
    if other is not None:
        return Score.wrong(
            shown,
            f"several answers: {other[:80]!r} is stated after the final answer",
            method="several_answers",
        )
    if len(reference) <= 20 * MAX_ANSWER_CHARS:
        given, problem = _claim_problem(given, reference, question)
        if problem is not None:
            return Score.wrong(shown, problem, method="not_one_claim")
    if question and repeats_question(given, reference, question):
        return Score.wrong(
            shown, "the boxed answer repeats an expression from the question", method="repeats_question"
        )
    point = point_problem(given, reference, question)
    if point is not None:
        return Score.wrong(shown, point, method="not_a_point")
    names = names_problem(given, reference, question)
    if names is not None:
        return Score.wrong(shown, names, method="names")
    given = in_question_order(given, reference, question)
    evaluation = evaluation_problem(given, reference, question)
    if evaluation is not None:
        return Score.wrong(shown, evaluation, method="not_evaluated")
    form = form_problem(given, reference, question)
    if form is not None:
        return Score.wrong(shown, form, method="form")
    equation = value_for_equation(given, reference, question)
    if equation is not None:
        return Score.wrong(shown, equation, method="equation")
    units = unit_problem(pick.text, reference, question)  # as written: the claim rule dropped the unit
    if units is not None:
        return Score.wrong(shown, units, method="unit")
    factoring = factorization_problem(given, reference, question)
    if factoring is not None:
        return Score.wrong(shown, factoring, method="factorization")
    verdict = _equivalence(given, reference, rel_tol, timeout, True, final_form)  # the boxes passed the caps
    if verdict.equal and percent_face_only(given, reference, question, rel_tol, timeout):
        return Score.wrong(
            shown,
            "the answer is a percentage that equals the reference only without its percent sign, and "
            "the question asks for no percentage",
            method="percent",
        )
    if verdict.equal:
        return Score.right(shown, verdict.reason, method=verdict.method)
    details: dict[str, Any] = {"method": verdict.method}
    if verdict.method == "timeout":
        details["error"] = "timeout"
    return Score.wrong(shown, verdict.reason, feedback=f"{shown} is not correct.", **details)


_DEGREE_MARK = re.compile(r"\^\s*\{?\s*\\circ|°|\\degree")
_DEGREE_SCALE = 0.017453292519943295  # pi / 180: a degree in radians


_WRAPPED_EXPONENT = re.compile(r"\}\s*\^\s*\{?\s*(-?\d{1,2})\s*\}?\s*$")  # \text{ cm}^2: the label's power


def _label_unit(text: str) -> tuple[str, Any]:
    """``(label, unit)`` written after the value of ``text`` (``5 \\text{ cm}^2``: ``cm^2``).

    The unit is None when there is no label or the label is a word, not a unit.
    """
    presented = _presentation(text)
    _, label = split_label(presented)
    if not label:
        return "", None
    whole = parse_measurement(text)  # the whole unit, where wrappers split it (5 \text{ km}/\text{h})
    if whole is not None and whole.unit is not None:
        return label, whole.unit
    power = _WRAPPED_EXPONENT.search(presented)
    if power is not None:
        label = f"{label}^{power.group(1)}"
    try:
        return label, parse_unit(label)
    except Exception:  # noqa: BLE001 - a counted noun or any other word is not a unit
        return label, None


def _is_degree(unit: Any) -> bool:
    return unit is not None and not any(unit.dims) and abs(unit.scale - _DEGREE_SCALE) < 1e-12


# A degree sign before C or F is a temperature (25^\circ C, 25 °F), not an angle
_TEMPERATURE_MARK = re.compile(
    r"(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree)\s*(?:\\(?:text|mathrm|textrm|rm)\s*\{\s*)?([CF])(?![A-Za-z])"
)
# Money signs (an unescaped $ is a math delimiter, not a dollar)
_MONEY_SIGN = re.compile(
    r"\\\$|US\\\$|[€£¥¢₹]|\\(?:euro|texteuro|pounds|textsterling|yen|textcent|cent)(?![A-Za-z])"
)
# Labels that name no kind of quantity: "24 square units" measures whatever the question measures
_NEUTRAL_LABEL = re.compile(
    r"(?:(?:square|sq\.?|cubic|cu\.?)\s+)?units?(?:\s*\^\s*\{?[23]\}?)?", re.IGNORECASE
)


class _Measure(NamedTuple):
    """What the label of an answer says it measures.

    ``kind`` is ``unit`` (a physical unit or an angle, ``value`` its :class:`~guru_envs.verify.units.Unit`),
    ``currency`` (``value`` its ``(code, scale)``), ``word`` (any other label: a counted noun) or ``""``.
    """

    kind: str
    value: Any
    text: str


def _measure(text: str) -> _Measure:
    """The label of ``text`` as a kind of quantity (see :class:`_Measure`)."""
    temperature = _TEMPERATURE_MARK.search(text)
    if temperature is not None:
        symbol = "°" + temperature.group(1)
        return _Measure("unit", parse_unit(symbol), symbol)
    label, unit = _label_unit(text)
    if unit is not None:
        return _Measure("unit", unit, label)
    if label:  # 5 dollars, 5 dollars each, 5 cm long: the first word says what is counted
        first = label.split()[0]
        money = read_currency(label) or read_currency(first)
        if money is not None:
            return _Measure("currency", money, label)
        try:
            return _Measure("unit", parse_unit(first), first)
        except Exception:  # noqa: BLE001, S110 - a counted noun, not a unit
            pass
    sign = _MONEY_SIGN.search(text)
    if sign is not None:
        money = read_currency(sign.group(0).lower())
        if money is not None:
            return _Measure("currency", money, sign.group(0))
    if _DEGREE_MARK.search(text) and not _TRIG_RE.search(text):  # \sin 30^\circ is a number, not an angle
        return _Measure("unit", parse_unit("°"), "degrees")
    if label:
        return _Measure("word", None, label)
    return _Measure("", None, "")


def _same_unit(a: Any, b: Any) -> bool:
    """The same unit; a degree stands for a degree Celsius or Fahrenheit too (``25^\\circ``, ``25 degrees``)."""
    if _is_degree(a) and b.offset and b.dims == parse_unit("K").dims:
        return True
    same_scale = abs(a.scale - b.scale) <= 1e-9 * max(abs(a.scale), abs(b.scale))
    return a.kind == b.kind and abs(a.offset - b.offset) <= 1e-9 and same_scale


def unit_problem(given: str, reference: str, question: str | None = None) -> str | None:
    """Why the unit written with ``given`` contradicts the reference's or the question's, or None.

    The value comparison drops units (the reference ``5 \\text{ cm}`` and the answer ``5 \\text{ km}`` both
    read 5), so:

    - a unit on both sides must be the same unit, powers included (``cm^2`` is not ``cm``), and an angle
      the same measure (degrees against radians or arc-minutes, either way, is another value);
    - where the reference has a unit or a currency, an answer labelled with something of another kind is
      another quantity (``5 \\text{ dollars}`` or ``5 \\text{ people}`` for ``5\\text{ cm}``), and money
      must be the same currency at the same scale (``5 \\text{ cents}``, ``5 \\text{ euros}`` for ``\\$5``);
    - where only the answer has a unit, it must be a unit the question asks in, if it asks in one
      (:func:`~guru_envs.verify.units.asked_units`: ``in square centimeters`` refuses ``cm``, ``cm^3`` and
      ``m^2``; ``in degrees`` refuses ``rad``; ``how many dollars`` refuses ``cents``), and otherwise not
      another scale of a unit the question shows (``7 mm`` for a length given in cm).
    """
    if len(given) > MAX_ANSWER_CHARS or len(reference) > MAX_ANSWER_CHARS:
        return None
    g, r = _measure(given), _measure(reference)
    if g.kind == "unit" and r.kind == "unit":
        if not _same_unit(g.value, r.value) and not _same_unit(r.value, g.value):
            if _is_degree(r.value) and g.value.angle == 1:
                return f"the reference is in degrees; the answer is in {g.value.text or g.text}"
            return f"the answer's unit ({g.value.text or g.text}) is not the reference's ({r.value.text or r.text})"
        return None
    if r.kind in ("unit", "currency") and g.kind and g.kind != r.kind:
        if not (g.kind == "word" and _NEUTRAL_LABEL.fullmatch(g.text.strip())):
            return f"the reference is in {r.text}; the answer's {g.text!r} measures something else"
    if r.kind == "currency" and g.kind == "currency" and g.value != r.value:
        return f"the answer's currency ({g.text}) is not the reference's ({r.text})"
    if r.kind == "word" and g.kind in ("unit", "currency"):
        return f"the reference counts {r.text}; the answer is in {g.text}"
    if (
        g.kind == "unit"
        and _is_degree(g.value)
        and r.kind == ""
        and ("\\pi" in reference or "π" in reference)
    ):
        return "the answer is in degrees; the reference is in radians"
    if r.kind or not question or g.kind not in ("unit", "currency"):
        return None
    q = question[:MAX_QUESTION_CHARS]
    asked, money = asked_units(q), asked_currency(q)
    if g.kind == "currency":
        if g.value[0] == "GBP" and any(_same_unit(parse_unit("lb"), unit) for unit in asked):
            return None  # "how many pounds": money, not a mass, where the answer is in pounds sterling
        if money is not None and g.value != money:
            return f"the question asks for an amount in another currency or scale than {g.text}"
        if asked and money is None:
            return f"the question asks in {asked[0].text}; the answer is an amount of money"
        return None
    if asked:
        if not any(_same_unit(g.value, unit) for unit in asked):
            return f"the question asks in {', '.join(u.text for u in asked[:3])}; the answer is in {g.text}"
        return None
    if money is not None:
        return f"the question asks for an amount of money; the answer is in {g.text}"
    return foreign_unit(g.text, question_units(q))


_PERCENT_SIGN = re.compile(r"\\?%")
_ASKS_PERCENT = re.compile(r"%|percent|per\s*cent", re.IGNORECASE)


# The left side of a line's, a plane's or a curve's equation: two or more terms in one-letter variables
# (x + y, a + z, 2x - 3y + z, x^2 + y^2), nothing else
_EQUATION_TERM = r"[\d.]*\s*(?:\\cdot\s*)?[a-zA-Z](?:\^\{?\d\}?)?"
_VARIABLE_SUM = re.compile(rf"\s*-?\s*{_EQUATION_TERM}(?:\s*[-+]\s*{_EQUATION_TERM})+\s*")


# A question that asks for a set of values: an open interval (a, b) is then written like a point
_ASKS_INTERVAL = re.compile(
    r"inequalit|interval|\bdomain\b|\brange\b|solution\s+set|set\s+of\s+(?:all\s+)?(?:real\s+)?"
    r"(?:values|numbers|solutions)|for\s+(?:what|which)\s+(?:real\s+)?(?:values?|numbers?|x)",
    re.IGNORECASE,
)
_INEQUALITY_SIGN = re.compile(r"[<>\u2264\u2265]|\\(?:le|ge|leq|geq|lt|gt|leqslant|geqslant)(?![a-zA-Z])")
_ASKS_POINT = re.compile(r"ordered\s+(?:pair|triple)|\bpoint\b|coordinates|\bsystem\b", re.IGNORECASE)
_MEMBERSHIP = re.compile(r"^\s*[a-zA-Z](?:_\{?\w{1,8}\}?)?\s*\\in(?![a-zA-Z])")


def _asks_interval(question: str) -> bool:
    """Whether the question asks for a set of values (an inequality to solve, a domain, an interval)."""
    q = question[:MAX_QUESTION_CHARS]
    if _ASKS_POINT.search(q):
        return False
    if _ASKS_INTERVAL.search(q):
        return True
    return any(_INEQUALITY_SIGN.search(segment) for segment in _question_segments(q))


def point_problem(given: str, reference: str, question: str | None) -> str | None:
    """Why ``given`` is a set of values where the reference is a point, or None.

    ``(16, 26)`` is an ordered pair or an open interval. Read as an interval, it is matched by
    ``16 < x < 26`` and ``x \\in (16, 26)``; read as a point (the solution of a system), those answers say
    that a variable lies anywhere between the coordinates. So they count only where the question asks for
    a set of values (an inequality, a domain or range, an interval, a solution set) and not for an ordered
    pair or a point; a pair with an infinite end is always an interval (``(0, \\infty)`` for ``x > 0``).
    """
    if len(given) > MAX_ANSWER_CHARS or len(reference) > MAX_ANSWER_CHARS:
        return None
    try:
        wanted = _structure(normalize_answer(reference))
        if wanted[0] != "tuple" or any(_infinite(item) for item in wanted[1]):
            return None
        if question and _asks_interval(question):
            return None
        if _MEMBERSHIP.match(_unwrap(_presentation(given))):
            return "the reference is a point; the answer says only where a variable lies"
        got = _structure(normalize_answer(given))
    except RecursionError:
        return None
    if got[0] in ("interval", "union"):
        return "the reference is a point; the answer is an interval or an inequality"
    return None


def _infinite(struct: tuple[Any, ...]) -> bool:
    return struct[0] == "expr" and has_const(struct[1], "inf")


_QUESTION_NAME = re.compile(r"(?<![\\a-zA-Z])([a-zA-Z])(?:_\{?(\w{1,8})\}?)?(?![a-zA-Z])")


@functools.lru_cache(maxsize=1_024)
def _question_names(question: str) -> frozenset[str]:
    """The variable names the question's math writes (``x``, ``y``, ``a_1``, and ``a`` for ``a_1``)."""
    names: set[str] = set()
    for segment in _question_segments(question):
        for m in _QUESTION_NAME.finditer(normalize_answer(segment)):
            letter, sub = m.groups()
            names.add(letter)
            if sub:
                names.add(f"{letter}_{sub}")
        if len(names) > 256:
            break
    return frozenset(names)


def _assigned_names(struct: tuple[Any, ...], out: set[str]) -> None:
    if struct[0] == "assign":
        out.add(struct[1])
    elif struct[0] in ("list", "tuple") and len(out) <= MAX_ITEMS:
        for item in struct[1]:
            _assigned_names(item, out)


@functools.lru_cache(maxsize=1_024)
def _question_order(question: str) -> tuple[str, ...] | None:
    """The order of the variables in a tuple the question writes (``ordered pair $(y, x)$``), or None."""
    for segment in _question_segments(question):
        text = normalize_answer(segment)
        for m in re.finditer(r"\([^()]{1,80}\)", text):
            if _VAR_TUPLE_RE.match(m.group(0)):
                return tuple(_name_key(n) for n in _split_top(m.group(0)[1:-1], (",",)))
    return None


def in_question_order(given: str, reference: str, question: str | None) -> str:
    """``given`` as the plain tuple of its named values in the order of the question's own tuple.

    Named values pair with an unnamed reference tuple in alphabetical order of the names, which is the
    order of nearly every question (``(x, y)``, ``(a, b, c)``); where the question writes another order
    (``Give the answer as $(y, x)$``), ``x = 2, y = 3`` is the tuple ``(3, 2)``. Anything else is returned
    unchanged.
    """
    if not question or len(given) > MAX_ANSWER_CHARS or len(reference) > MAX_ANSWER_CHARS:
        return given
    order = _question_order(question[:MAX_QUESTION_CHARS])
    if order is None or list(order) == sorted(order):
        return given
    try:
        if _structure(normalize_answer(reference))[0] != "tuple":
            return given
        text = normalize_answer(given)
        struct = _structure(text)
    except RecursionError:
        return given
    if not _all_assign(struct) or sorted(item[1] for item in struct[1]) != sorted(order):
        return given
    values: dict[str, str] = {}
    sides = _split_top(text, ("=",))
    if len(sides) == 2 and _VAR_TUPLE_RE.match(sides[0]):  # (x, y) = (2, 3)
        names = [_name_key(n) for n in _split_top(sides[0][1:-1], (",",))]
        values = dict(zip(names, _split_top(sides[1].strip()[1:-1], (",",))))
    else:
        for part in _split_top(text, (",", ";")):
            name, _, value = part.partition("=")
            values[_name_key(name)] = value.strip()
    if sorted(values) != sorted(order):
        return given
    return "(" + ", ".join(values[name] for name in order) + ")"


def names_problem(given: str, reference: str, question: str | None) -> str | None:
    """Why the names the answer assigns are not the question's variables, or None.

    ``y = 16, z = 26`` or ``a = 16, b = 26`` for the solution ``(16, 26)`` of a system in ``x`` and ``y``
    pair values with names in alphabetical order, but name variables the question does not have: the
    answer does not say which value is ``x``. Only one-letter names (with a subscript or not) are checked,
    and only where the question's math writes variables; the reference's own names always count.
    """
    if not question or len(given) > MAX_ANSWER_CHARS or len(reference) > MAX_ANSWER_CHARS:
        return None
    try:
        used: set[str] = set()
        _assigned_names(_structure(normalize_answer(given)), used)
        if not used:
            return None
        known: set[str] = set()
        _assigned_names(_structure(normalize_answer(reference)), known)
    except RecursionError:
        return None
    available = _question_names(question[:MAX_QUESTION_CHARS])
    if not available:
        return None
    strange = sorted(
        n
        for n in used
        if _VAR_RE.match(n) and n not in available and n not in known and n.split("_")[0] not in available
    )  # x_1, x_2: the roots of the question's x
    if strange:
        return f"the answer names {', '.join(strange[:3])}, which the question does not have"
    return None


def value_for_equation(given: str, reference: str, question: str | None) -> str | None:
    """Why a bare value is no answer to a reference that is the equation of a line, plane or curve, or None.

    ``x + z = 1`` asks for the equation; the symbolic checker compares a bare ``1`` with its right-hand
    side and says equal. Only where the question asks for the left-hand side
    itself ("Find m+n", reference ``m+n=7``) is its value the answer.
    """
    if "=" not in reference or len(reference) > MAX_ANSWER_CHARS or "=" in given:
        return None
    parts = _split_top(normalize_answer(reference), ("=",))
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return None
    lhs = parts[0].strip()
    if not _VARIABLE_SUM.fullmatch(lhs) or _RELATION_RE.search(normalize_answer(given)):
        return None  # a named quantity (x, f(x), \angle ABC, (x, y)) = its value: the value answers
    if question and _key(normalize_answer(lhs)).replace(" ", "") in _question_key(question).replace(" ", ""):
        return None
    return "the reference is an equation; the answer gives only the value of one side"


def asks_for_percentage(question: str | None) -> bool:
    """Whether a percent answer may be read at face value (25% for a reference of 25).

    Yes where the question speaks of a percentage, or there is no question to tell (``compute_score``).
    """
    return not question or _ASKS_PERCENT.search(question[:MAX_QUESTION_CHARS]) is not None


def percent_face_only(
    given: str, reference: str, question: str | None, rel_tol: float, timeout: float
) -> bool:
    """Whether ``given`` carries a percent sign the reference lacks and matches it only at face value.

    A percent answer is read both as its value (70% for 7/10) and at face value (25% for a reference
    of 25, where a question asks for a percentage and the reference dropped the sign). Read at face
    value everywhere, ``\\%`` would cost nothing and pay an answer a hundredfold off (0.7% for 0.7,
    99% for a count of 99), so that reading needs a question that speaks of a percentage. Without a
    question (a bare ``compute_score``) both readings stay.
    """
    return not asks_for_percentage(question) and matches_only_at_face(given, reference, rel_tol, timeout)


def matches_only_at_face(given: str, reference: str, rel_tol: float, timeout: float) -> bool:
    """Whether ``given`` has a percent sign the reference lacks and is not the reference as a hundredth."""
    g, r = normalize_answer(given), normalize_answer(reference)
    if "%" not in g or "%" in r:
        return False
    as_value = _PERCENT_SIGN.sub("/100", g)
    return not _check_normalized(as_value, r, rel_tol, timeout, True, False).equal


def reference_text(reference: Any) -> str:
    """Ground truth as answer text.

    GURU rows hold a string, sometimes a list (its first item counts, as in GURU's preprocessing) or a
    number (integral floats lose their ``.0``).

    Raises:
        ValueError: for ``None``, booleans and empty lists, which are not answers.
    """
    if isinstance(reference, str):
        return reference
    if isinstance(reference, list | tuple) and reference:
        return reference_text(reference[0])
    if isinstance(reference, float) and reference.is_integer():
        return str(int(reference))
    if isinstance(reference, int | float | Fraction) and not isinstance(reference, bool):
        return str(reference)
    raise ValueError(f"a math reference must be text or a number, got {reference!r}")
