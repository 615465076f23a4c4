"""What a table question asks, and what may follow a number in its answer.

A prompt about tables holds far more words than its question: every row and column label, every unit
of every column. Read as "words the task allows after a value", they let a right number carry a wrong
claim (``453.5 Net income`` for the R&D spending, ``453.5 Northwind Bancorp`` for another company,
``453.5 cents`` or ``453.5 kg`` for $ millions, ``0 minutes`` for a count of players). So this module
separates the two:

- :func:`question_of` finds the question itself (GURU's ``The question is:``, the generated families'
  ``Question:``; otherwise the prompt's text outside its tables), for its words and for whether it
  speaks of a share.
- :func:`label_rule` says what may follow a value of a given kind: the question's own words (its row
  and column names, its counted noun), percent words, and only the units the asked value is in: those
  the question names, those of the columns it names (``R&D spending ($ millions)``), those stated for a
  whole table (``(in millions of dollars)``, ``In millions of dollars.``). A count carries no unit at
  all, a percentage only its percent sign or word. A currency (``$``, ``€``, ``USD``, ``yen``) must be
  one the question, the asked column or the prompt shows.

All of it is read once per prompt (cached) with bounded regular expressions; answers are never handed
to anything but :func:`guru_envs.verify.units.parse_unit`, which caps its own input.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterator

from guru_envs.verify.claim import SCALE_ABBREVIATIONS, SCALE_WORDS, words
from guru_envs.verify.text import fold_unicode
from guru_envs.verify.units import Unit, parse_unit

__all__ = ["LabelRule", "answer_currencies", "label_rule", "question_of"]

MAX_PROMPT_CHARS = 200_000  # a prompt longer than this is read up to here
MAX_QUESTION_CHARS = 2_000  # a question is a sentence or two: longer text found as one is cut to its end

# --- the question ----------------------------------------------------------------------------------------

# GURU's "The question is:" and the generated families' "Question:", each at the start of a line.
_QUESTION_MARKER = re.compile(r"(?im)^[ \t]*(?:the[ \t]+question[ \t]+is|question)[ \t]*:[ \t]*")
# A line that tells how to answer, not what: it ends the question.
_INSTRUCTION = re.compile(
    r"[ \t]*(?:please\b|put[ \t]+(?:your|the)\b|give[ \t]+(?:a|an|the|each|all|your)\b|output\b|"
    r"answer[ \t]+(?:with|in|as)\b|return\b|respond\b|write[ \t]+(?:your|the|all|each)\b|"
    r"there[ \t]+(?:is|are|may)\b)",
    re.IGNORECASE,
)
# A CSV row: two commas each followed by something other than a space (prose puts a space after its commas).
_CSV_ROW = re.compile(r",[^\s,].*,[^\s,]|,,")


@functools.lru_cache(maxsize=1_024)
def question_of(prompt: str) -> str:
    """The question a table prompt asks, without its tables and its answer-format instructions.

    After the last ``The question is:`` or ``Question:`` line start: the lines up to a blank line or an
    instruction (``Please output ...``, ``Give a number ...``). A prompt without such a marker gives its
    last line holding a ``?`` outside the tables, or else all its text outside the tables (lines with a
    ``|``, HTML tables, JSON records, CSV rows).
    """
    if not isinstance(prompt, str):
        return ""
    text = prompt[:MAX_PROMPT_CHARS]
    last = None
    for m in _QUESTION_MARKER.finditer(text):
        last = m
    if last is not None:
        lines: list[str] = []
        for line in text[last.end() :].splitlines():
            if not line.strip():
                if lines:
                    break
                continue
            if lines and _INSTRUCTION.match(line):
                break
            lines.append(line.strip())
        return " ".join(lines)[-MAX_QUESTION_CHARS:]
    outside = [line.strip() for line in _outside_tables(text) if line.strip()]
    asking = [line for line in outside if "?" in line]
    return (asking[-1] if asking else " ".join(outside))[-MAX_QUESTION_CHARS:]


def _outside_tables(text: str) -> Iterator[str]:
    """The lines of ``text`` that belong to no table (of any format the prompts use)."""
    for line in _without_html_tables(text).splitlines():
        s = line.strip()
        if "?" not in s and ("|" in s or s[:1] in '[]{}"<' or _CSV_ROW.search(s)):
            continue
        yield s


def _without_html_tables(text: str) -> str:
    """``text`` with each ``<table ...</table>`` cut out (one left open runs to the end), in linear time."""
    lower = text.lower()
    pieces, pos = [], 0
    while (start := lower.find("<table", pos)) >= 0:
        pieces.append(text[pos:start])
        end = lower.find("</table", start)
        if end < 0:
            return "\n".join(pieces)
        close = lower.find(">", end)
        pos = len(text) if close < 0 else close + 1
        pieces.append("\n")
    pieces.append(text[pos:])
    return "".join(pieces)


# --- units, scales and currencies --------------------------------------------------------------------------

# Currencies by what writes them: symbols, ISO codes and words, each naming one family.
_CURRENCY_NAMES: dict[str, str] = {
    **dict.fromkeys(("$", "us$", "c$", "a$", "usd", "cad", "aud", "dollar", "dollars"), "$"),
    **dict.fromkeys(("€", "eur", "euro", "euros"), "€"),
    **dict.fromkeys(("£", "gbp", "sterling"), "£"),
    **dict.fromkeys(("¥", "jpy", "yen", "cny", "rmb", "yuan"), "¥"),
    **dict.fromkeys(("¢", "cent", "cents"), "¢"),
    **dict.fromkeys(("₹", "inr", "rupee", "rupees"), "₹"),
    **dict.fromkeys(("chf", "franc", "francs"), "chf"),
}
# The words of each family an answer may write after its value (``453.5 million dollars``).
_CURRENCY_WORDS: dict[str, frozenset[str]] = {
    "$": frozenset(("dollar", "dollars", "usd", "us", "cad", "aud")),
    "€": frozenset(("euro", "euros", "eur")),
    "£": frozenset(("pound", "pounds", "gbp", "sterling")),
    "¥": frozenset(("yen", "jpy", "yuan", "cny", "rmb")),
    "¢": frozenset(("cent", "cents")),
    "₹": frozenset(("rupee", "rupees", "inr")),
    "chf": frozenset(("franc", "francs", "chf")),
}
_CURRENCY_RE = re.compile(
    r"(?:\b(?:US|C|A))?\$|[€£¥¢₹]|"
    r"\b(?:usd|cad|aud|eur|gbp|jpy|cny|rmb|inr|chf|dollars?|euros?|sterling|yen|yuan|rupees?|francs?)\b|"
    r"(?<!per )(?<!per)\bcents?\b",
    re.IGNORECASE,
)
# "in millions of dollars", "in $ thousands", "In thousands of U.S. dollars": a whole table's unit.
_IN_PHRASE = re.compile(
    r"\bin[ \t]+((?:[$€£¥][ \t]*)?(?:[^\W\d_]+\.?[ \t]*){1,5})",
    re.IGNORECASE,
)
# "Label (unit)" in any table format: the label runs back to a cell delimiter.
_BRACKET = re.compile(r"[(\[][ \t]*([^()\[\]\n]{1,40}?)[ \t]*[)\]]")
_CELL_DELIMITERS = '|"<>\t\n:;'
MAX_LABEL_WORDS = 4  # a column label is short; longer text before a bracket is a title or a sentence
_LABEL_WINDOW = 120
_CELL_SPLIT = re.compile(r'[|"<>\t:;]')
_CSV_CELL_SPLIT = re.compile(r'[|"<>\t:;,]')
_MAX_CELLS = 20_000
_MAX_BRACKETS = 2_000  # distinct "label (unit)" pairs read from one prompt
# Percent words: the answer's percent sign written out (the kind of the item decides what it means).
_PERCENT_WORDS = frozenset(("percent", "percents", "percentage", "percentages", "pct", "pp"))
# Lower-case scale letters, also unit symbols: a scale only after a currency (``$5.5m``, ``€12k``), where the
# value may be scaled; ``453.5 m`` states metres.
_CASUAL_SCALES = {"m": "million", "k": "thousand", "b": "billion", "bn": "billion"}
_PERCENT_LABEL = re.compile(
    r"(?:%|per\s?cents?|percent(?:age)?s?(?:\s+points?)?|pct\.?|pp|p\.p\.)", re.IGNORECASE
)


def answer_currencies(text: str) -> frozenset[str]:
    """The currency families an answer (plain text) writes: ``$453.5`` -> ``{"$"}``, ``453.5 yen`` -> ``{"¥"}``."""
    return frozenset(_CURRENCY_NAMES[m.group(0).casefold()] for m in _CURRENCY_RE.finditer(text))


def _scales(text: str) -> frozenset[str]:
    """The scale words of ``text``, singular (``millions`` -> ``million``)."""
    return frozenset(_singular_scale(w) for w in words(text) if w in SCALE_WORDS)


def _singular_scale(word: str) -> str:
    """``millions`` -> ``million``, ``mn`` -> ``million``: the scale a scale word states."""
    if word in SCALE_ABBREVIATIONS:
        return SCALE_ABBREVIATIONS[word]
    return word[:-1] if word.endswith("s") and word[:-1] in SCALE_WORDS else word


@functools.lru_cache(maxsize=4_096)
def physical_unit(text: str) -> Unit | None:
    """The physical unit ``text`` writes, or None (not a unit, or a dimensionless one: ``%``, ``°``)."""
    s = fold_unicode(text).strip()
    if not s or len(s) > 60:
        return None
    try:
        unit = parse_unit(s)
    except Exception:  # noqa: BLE001 - any failure to read means "not a unit"
        return None
    return None if unit.dimensionless else unit


def _same_unit(a: Unit, b: Unit) -> bool:
    return a.dims == b.dims and math.isclose(a.scale, b.scale, rel_tol=1e-9) and a.offset == b.offset


class _Units:
    """Scales, currencies and physical units stated somewhere (a question, a column, a whole table)."""

    __slots__ = ("currencies", "physical", "scales")

    def __init__(self) -> None:
        self.scales: set[str] = set()
        self.currencies: set[str] = set()
        self.physical: list[Unit] = []

    def add(self, text: str, physical: bool = True) -> None:
        self.scales |= _scales(text)
        self.currencies |= answer_currencies(text)
        if physical:
            core = re.sub(r"^\s*in\s+", "", text, flags=re.IGNORECASE)
            unit = physical_unit(core)
            if unit is not None:
                self.physical.append(unit)


def _labelled_brackets(text: str) -> Iterator[tuple[str, str]]:
    """``(label, content)`` of each bracket in ``text``, once each: ``("R&D spending", "$ millions")``.

    The label is the cell text before the bracket, back to a cell delimiter (``|``, a quote, a tag, a tab;
    a comma in a CSV row), at most :data:`_LABEL_WINDOW` characters.
    """
    seen: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if "(" not in line and "[" not in line:
            continue
        delimiters = _CELL_DELIMITERS + ("," if _CSV_ROW.search(line) else "")
        for m in _BRACKET.finditer(line):
            before = line[max(0, m.start() - _LABEL_WINDOW) : m.start()]
            cut = max(before.rfind(ch) for ch in delimiters)
            key = (before[cut + 1 :].strip(), m.group(1))
            if key not in seen and len(seen) < _MAX_BRACKETS:
                seen.add(key)
                yield key


def _cells(text: str) -> Iterator[str]:
    """The short cell texts of the tables in ``text`` (any format), at most :data:`_MAX_CELLS`."""
    n = 0
    for line in text.splitlines():
        if "?" in line or _QUESTION_MARKER.match(line):
            continue  # the question, not a cell
        csv = _CSV_ROW.search(line) is not None
        if not csv and not any(ch in line for ch in _CELL_DELIMITERS):
            continue
        for cell in (_CSV_CELL_SPLIT if csv else _CELL_SPLIT).split(line):
            cell = cell.strip()
            if cell and len(cell) <= 60:
                yield cell
                n += 1
                if n >= _MAX_CELLS:
                    return


_MAX_ROW_LABELS = 2_000


@functools.lru_cache(maxsize=256)
def cell_labels(prompt: str) -> tuple[str, ...]:
    """The worded cells of the prompt's tables (``Halifax``, ``East Reach``, ``Pt``), at most 2,000.

    The values a worded answer could name; numbers, cells with units in brackets and two-letter cells
    that are no symbol (``of``, ``NA`` is kept) are left out.
    """
    seen: dict[str, None] = {}
    for cell in _cells(prompt):
        label = cell.strip(" *_`'\"")
        if len(label) == 2 and not (label[0].isupper() and label.isalpha()):
            continue  # two letters name a value only as a symbol ("Pt", "Ni"), kept in its case
        if len(label) >= 2 and any(c.isalpha() for c in label) and "(" not in label and label not in seen:
            seen[label] = None
            if len(seen) >= _MAX_ROW_LABELS:
                break
    return tuple(seen)


# Question words that end in "s" but are no plurals: no label is their singular (``is`` does not allow ``i``,
# ``does`` not ``doe``, ``this`` not ``thi``).
_NOT_PLURALS = frozenset(
    "is as us was has does goes its his hers ours yours theirs this thus yes less unless plus minus across "
    "perhaps always whereas besides towards afterwards nevertheless".split()
)
MIN_FORM_LETTERS = 3  # a plural or singular form is read only between words of three letters or more


def _plural_forms(word: str) -> tuple[str, ...]:
    """``word`` and its plural and singular forms (``game``: ``games``, ``gamees``; ``boxes``: ``box``).

    A word of one or two letters has no other form (``i`` is not the singular of ``is``, ``tv`` not of
    ``tvs``), and no form is shorter than :data:`MIN_FORM_LETTERS` letters (``gas`` is no plural of ``ga``).
    """
    if len(word) < MIN_FORM_LETTERS:
        return (word,)
    forms = [word, word + "s", word + "es"]
    if word.endswith("es") and len(word) - 2 >= MIN_FORM_LETTERS:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) - 1 >= MIN_FORM_LETTERS:
        forms.append(word[:-1])
    return tuple(forms)


class _Prompt:
    """What one prompt says: its question's words and units, its columns' and tables' units."""

    def __init__(self, prompt: str) -> None:
        text = prompt[:MAX_PROMPT_CHARS]
        self.question = question_of(text)
        self.question_words = frozenset(words(self.question))
        asked_units = _Units()
        asked_units.add(self.question, physical=False)
        for token in self.question.split():  # "(mg/L)", "in cm", "m" in the question's own words
            token = token.strip("()[]{},.:;!?'\"")
            if token and token.casefold() not in ("a", "in", "at", "as") and len(token) <= 24:
                unit = physical_unit(token)
                if unit is not None:
                    asked_units.physical.append(unit)
        for m in _BRACKET.finditer(self.question):
            asked_units.add(m.group(1))
        self.in_question = asked_units
        wide, named, others = _Units(), _Units(), _Units()
        names_a_column = False
        for label, content in _labelled_brackets(text):
            label_words = words(label)
            if content.lower().startswith("in ") or not label_words or len(label.split()) > MAX_LABEL_WORDS:
                wide.add(content)  # "(in millions of dollars)", "( $ )", a title's "(mg/L)"
            elif all(self.asks(w) for w in label_words):
                names_a_column = True
                named.add(content)  # the column the question names
            else:
                others.add(content)
        for m in _IN_PHRASE.finditer(text):
            wide.add(m.group(1), physical=False)
        if not names_a_column:  # the question names a row, or a column without a unit in brackets
            names_a_column = any(self._names(cell) for cell in _cells(text))
        # The asked value's units: the question's; else the named columns' and the tables'; where the
        # question names nothing in the tables, every column's (the prompt cannot tell which it means).
        self.table = _Units()
        for source in (wide, named) if names_a_column else (wide, others):
            self.table.scales |= source.scales
            self.table.currencies |= source.currencies
            self.table.physical += source.physical
        self.anywhere_scales = _scales(text)
        self.anywhere_currencies = answer_currencies(text)

    def _names(self, cell: str) -> bool:
        """Whether the question names a cell's text (every word of it, one to four words)."""
        cell_words = words(cell)
        return 0 < len(cell_words) <= MAX_LABEL_WORDS and all(self.asks(w) for w in cell_words)

    def asks(self, word: str) -> bool:
        """Whether the question uses ``word`` (a plural or singular form counts, not a word like ``is``)."""
        return word in self.question_words or any(
            form in self.question_words and form not in _NOT_PLURALS for form in _plural_forms(word)[1:]
        )


@functools.lru_cache(maxsize=256)
def _prompt(prompt: str) -> _Prompt:
    return _Prompt(prompt)


class LabelRule(Collection[str]):
    """The words and units that may follow a value in an answer to one question (an ``allow`` set).

    ``word in rule`` says whether a word may follow the value; :meth:`unit_ok` whether a label is a unit
    the value may carry; :attr:`currencies` which currency families it may be written in. Hashable by
    identity: rules are cached per prompt and kind.
    """

    __slots__ = ("_extra", "_physical", "_prompt", "_question_physical", "_scales", "currencies")

    def __init__(
        self,
        prompt: _Prompt | None,
        scales: frozenset[str] = frozenset(),
        currencies: frozenset[str] = frozenset(),
        physical: tuple[Unit, ...] = (),
        question_physical: tuple[Unit, ...] = (),
    ) -> None:
        self._prompt = prompt
        self._scales = scales
        self.currencies = currencies
        self._physical = physical
        self._question_physical = question_physical
        extra = set(_PERCENT_WORDS)
        for family in currencies:
            extra |= _CURRENCY_WORDS.get(family, frozenset())
        if scales or currencies:
            extra.add("of")  # "millions of dollars"
        self._extra = frozenset(extra)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word in SCALE_WORDS:
            return _singular_scale(word) in self._scales
        if word in self._extra:
            return True
        if word in _CURRENCY_NAMES:
            return False  # a currency the value may not carry ("cents", "yen" for a table in $)
        if self._prompt is None or len(word) == 1:
            return False  # a letter is no label: "18925 i" is imaginary, "23.89% e" (from "i.e.") Euler's
        if len(word) <= 2 and physical_unit(word) is not None:
            return (
                False  # "m", "s", "in" write a unit even where the question uses the letters: unit_ok decides
            )
        return self._prompt.asks(word)

    def unit_ok(self, label: str) -> bool:
        """Whether ``label`` is a unit the value may carry: a percent form, or the asked physical unit."""
        s = label.strip()
        if _PERCENT_LABEL.fullmatch(s):
            return True
        unit = physical_unit(s)
        if unit is None:
            return False
        same_kind = [u for u in self._question_physical if u.dims == unit.dims]
        if same_kind:  # the question's own unit of this kind: "in cm" rules out mm
            return any(_same_unit(unit, u) for u in same_kind)
        return any(_same_unit(unit, u) for u in self._physical)

    def money_unit_ok(self, label: str) -> bool:
        """:meth:`unit_ok` for a value written with a currency: ``$5.5m`` is 5.5 million, not metres."""
        scale = _CASUAL_SCALES.get(label.strip())
        if scale is not None and scale in self._scales:
            return True
        return self.unit_ok(label)

    def __iter__(self) -> Iterator[str]:  # noqa: D105 - the fixed words (the question's are looked up)
        return iter(self._extra | self._scales)

    def __len__(self) -> int:  # noqa: D105
        return len(self._extra | self._scales)


# Where nothing names a currency, nothing contradicts GURU's convention of dollar amounts (FinQA, filings).
_DEFAULT_CURRENCY = frozenset(("$",))
_NO_QUESTION = LabelRule(None, currencies=_DEFAULT_CURRENCY)
_NO_QUESTION_NO_UNIT = LabelRule(None)


@functools.lru_cache(maxsize=1_024)
def label_rule(prompt: str | None, kind: str) -> LabelRule:
    """What may follow a value of ``kind`` in an answer to ``prompt``'s question.

    - ``count``: the question's words only (``12 players``), no unit, scale or currency.
    - ``percent``: the question's words and percent words.
    - ``quantity`` (GURU's "how many" rows, whose tables may count in thousands): as ``number``, with
      no currency the question does not name.
    - ``number`` (and GURU's ``either``): besides, the units the asked value is in. Scales and currencies
      come from the question when it names some, else from the columns it names and the tables' own
      statements (``(in millions)``), else from anywhere in the prompt (a prompt that names no currency
      leaves dollars, GURU's convention); physical units from the question, the named columns and the
      tables' statements only.

    Without a prompt (verl's reward function gets none) nothing may follow a value but percent words and,
    for an amount, dollars.
    """
    if not prompt or not isinstance(prompt, str):
        return _NO_QUESTION_NO_UNIT if kind in ("count", "percent", "quantity") else _NO_QUESTION
    p = _prompt(prompt)
    if kind == "count" or kind == "percent":
        return LabelRule(p)
    asked = p.in_question
    scales = asked.scales or p.table.scales or p.anywhere_scales
    if kind == "quantity":  # "how many ...": counted things, in dollars only where the question says so
        currencies = asked.currencies
    else:
        currencies = asked.currencies or p.table.currencies or p.anywhere_currencies or _DEFAULT_CURRENCY
    return LabelRule(
        p,
        frozenset(scales),
        frozenset(currencies),
        tuple(asked.physical) + tuple(p.table.physical),
        tuple(asked.physical),
    )
