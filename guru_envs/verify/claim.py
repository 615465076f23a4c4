"""A final answer is one claim: the rule every verifier that reads a final answer applies, written once.

A verifier pays an answer only when it states one thing and that thing is right. Scorers get gamed where
they normalise an answer until it matches: ``7 \\text{ or eight}``, ``134000 is wrong``, ``7 thousand``
and ``5 = 3`` each *contain* the gold, and each says something else too. This module decides whether an
answer is one claim, before any domain compares it with the gold, and says why not when it is not.

How to use it (Math, Science, Tabular, and any domain that reads a value from a final answer):

1. **One answer text** (a box's contents, an answer line) that should state a value::

       from guru_envs.verify.claim import read_claim

       claim = read_claim(text, allow=task_words)
       if claim.refused:
           return Score.wrong(text, claim.refused, method="not_one_claim")
       compare(claim.text, gold)   # the value, with its trailing unit or allowed word removed

   ``allow`` holds the words the task accepts after a value (``{"apples"}``, or the words of the
   question: ``words_of(task.prompt)``, looked up lazily, so a long prompt costs nothing until a label
   needs it; ``words_of(prompt, scales=True)`` also allows the scale words the prompt uses, as a table
   "in millions" does). Physical units, currencies and percent words are always accepted. Where the gold
   is a set, ``word_problem(text, joins=True)`` lets ``and``/``or`` join its items.
   Text answers (names, choices) are compared as text and need no claim check: extra words make
   them unequal anyway.

   A domain that finds the trailing label itself (Math reads ``\\text{..}`` after a formula) asks
   :func:`label_problem` about that label only, and :func:`word_problem` about the rest.

2. **Several boxes** in one response::

       from guru_envs.verify.claim import final_answer

       pick = final_answer(boxes, same=lambda a, b: ..., several_items=gold_is_a_set)
       if pick.refused:
           return Score.wrong(None, pick.refused, method="several_answers")
       text = pick.text

   Identical repeats are one answer (the last box is read). When the gold is a set of solutions,
   boxes that each hold one item together give the set (joined with ``join``). Otherwise several
   different boxes are several claims, and refused.

3. **Equations**: :func:`equation_value` reads a chain ``x = 2 + 3 = 5`` as its value when every side
   is equal, and refuses ``5 = 3``, ``2 + 2 = 5`` and ``x = 5 = 3``; the caller supplies the equality.

What is refused (each with a reason): hedges (``maybe``, ``?``), alternatives (``or``, ``either``),
negations (``not``, ``is wrong``, ``isn't``), approximations and comparisons (``about``, ``at least``,
``more than``), scale words (``thousand``, ``million``: they change the value, so a task must allow them
explicitly), number words (``7 or eight``), statements (``is correct``), a second number in the
trailing text, and any trailing word that is neither a unit nor allowed by the task. LaTeX commands
count as words and separators: only markup, spacing and value commands are presentation, so
``5 \\lor 6``, ``7 \\mid 8``, ``\\pm 7`` and a label made of commands (``7 \\lor \\pi``) are refused, and
two values side by side (``7 8``, ``7 \\quad 8``) are two claims (:func:`spaced_values` for LaTeX a domain
reads itself).

Everything here is linear in the input (no backtracking regular expressions on hostile text) and
never raises on ``str`` input; other input is refused.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from typing import NamedTuple

from guru_envs.verify.extract import HedgedClause, hedges
from guru_envs.verify.text import fold_unicode

MAX_CLAIM_CHARS = 1_000  # an answer longer than this is an essay, not a claim
MAX_LABEL_CHARS = 60  # a unit or a counted noun is short
MAX_BOXES = 16  # more boxed answers than this in one response is spraying, not answering
MAX_SET_BOXES = 64

__all__ = [
    "MAX_BOXES",
    "Claim",
    "FinalAnswer",
    "SCALE_ABBREVIATIONS",
    "SCALE_WORDS",
    "UNIT_WORDS",
    "TextWords",
    "digit_groups",
    "equation_value",
    "final_answer",
    "label_problem",
    "read_claim",
    "spaced_values",
    "split_label",
    "word_problem",
    "words",
    "words_of",
]

# --- vocabulary -------------------------------------------------------------------------------------------

_CATEGORIES: dict[str, str] = {
    "negation": (
        "not no non never none neither nor wrong incorrect false untrue invalid cannot cant nope except "
        "isnt arent wasnt werent dont doesnt didnt wont without"
    ),
    "hedge": (
        "maybe perhaps possibly probably likely unlikely guess guessing unsure sure uncertain think "
        "believe might could should would may assume assuming hopefully presumably"
    ),
    "alternative": "or either alternatively otherwise else instead vs versus and whereas",
    "approximation or comparison": (
        "about approximately approx around roughly nearly almost circa ca estimate estimated over under "
        "above below more less fewer greater smaller larger bigger least most than exceeds exceeding "
        "plus minus upto within between close"
    ),
    "scale word": (
        "thousand thousands million millions billion billions trillion trillions hundred hundreds dozen "
        "dozens lakh lakhs crore crores mn bn thou"
    ),
    "number word": (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety half "
        "halves quarter quarters twice double triple thrice"
    ),
    "statement": "is are was were be being been equal equals equaling right correct true answer final",
    # words after a value that change it, even when the question uses them ("0.36 decrease" for +0.36,
    # "5 squared" for 5); "square" and "cube" stay out: "24 square units" is a unit
    "operation or direction": (
        "squared cubed reciprocal reciprocals inverse inverted factorial root roots sqrt exponent "
        "logarithm negative negated opposite decrease decreases decreased decline declined drop dropped "
        "fall fell loss lost increase increases increased gain gained rise rose deficit surplus"
    ),
}
DENIED: dict[str, str] = {w: cat for cat, text in _CATEGORIES.items() for w in text.split()}
SCALE_WORDS = frozenset(_CATEGORIES["scale word"].split())

# Counted nouns, currencies and percent words accepted after a value in any task (physical units are
# read by :func:`guru_envs.verify.units.parse_unit` as well).
UNIT_WORDS = frozenset(
    (
        "unit units sq square cubic cu dollar dollars usd cent cents euro euros eur pound pounds gbp yen "
        "jpy cad aud rupee rupees yuan percent percentage pct pp points point people person persons "
        "students student ways way items item times degree degrees deg radian radians rad sec secs "
        "second seconds min mins minute minutes hr hrs hour hours day days week weeks month months year "
        "years yr yrs inch inches ft foot feet yard yards yd mile miles mi mph kph meter meters metre "
        "metres km cm mm kg mg gram grams kilogram kilograms liter liters litre litres ml oz ounce "
        "ounces lb lbs ton tons tonne tonnes"
    ).split()
)

# Scale abbreviations that are also units in another case (``mN`` millinewton, ``MN`` meganewton): only
# these spellings scale a value.
_SCALE_SPELLINGS = {"mn": frozenset(("mn", "Mn")), "bn": frozenset(("bn", "Bn", "BN"))}

# Abbreviated scales after a number (``134M``, ``2.5bn``, ``12k``). Some are also unit symbols (K kelvin,
# M molar, T tesla), but after a reported value they scale it, so a label that is only one of them is a
# scale word: refused unless the task allows the scale (``words_of(prompt, scales=True)`` of a table "in
# millions" allows ``M``).
SCALE_ABBREVIATIONS = {
    **dict.fromkeys(("k", "K", "thou", "ths"), "thousand"),
    **dict.fromkeys(("M", "MM", "mn", "Mn", "mln", "mil", "mio", "Mio"), "million"),
    **dict.fromkeys(("B", "bn", "Bn", "BN", "bln", "bil", "mrd", "Mrd"), "billion"),
    **dict.fromkeys(("T", "tn", "trn", "Tn"), "trillion"),
}

# LaTeX commands, by what they may do in a value answer. A command in none of these sets (``\\lor``,
# ``\\mid``, ``\\approx``, ``\\pm``, ``\\dots``, ``\\&`` ...) relates, joins or hedges values: it is
# never presentation, so it makes the answer more than one claim.
MARKUP_COMMANDS = frozenset(
    (
        "left right bigl bigr Bigl Bigr biggl biggr Biggl Biggr big Big bigg Bigg displaystyle textstyle "
        "scriptstyle text textrm textnormal textbf textit textsf texttt mathrm mathbf mathit mathsf "
        "mathnormal mbox hbox boldsymbol bm operatorname"
    ).split()
)
SPACE_COMMANDS = frozenset(
    (
        ", ; : ! > quad qquad enspace thinspace medspace thickspace negthinspace negmedspace "
        "negthickspace hspace space nobreakspace"
    ).split()
    + [" "]
)
# Thin spaces, which may separate digit groups (``1\\,000``) or a whole number from its fraction.
_THIN_SPACES = frozenset((",", "!", "thinspace", "negthinspace", " "))
VALUE_COMMANDS = frozenset(
    (
        "frac dfrac tfrac cfrac sqrt times cdot div pi infty circ degree textdegree % $ mu micro Omega "
        "ohm AA angstrom euro pounds yen"
    ).split()
)
_COMMAND_RE = re.compile(r"\\([A-Za-z]+|[^A-Za-z])", re.DOTALL)
# A command's argument that holds digits without stating a value (``\\hspace{1em}``, ``\\phantom{0}``).
_SPACE_ARGUMENT_RE = re.compile(r"\\(?:hspace|hphantom|phantom|vphantom|kern|mkern)\*?\s*\{[^{}]{0,40}\}")

_LABEL_SPACING_RE = re.compile(
    r"\\[,;:!> ]|\\(?:q?quad|enspace|thinspace|medspace|thickspace|negthinspace|negmedspace|negthickspace"
    r"|space|nobreakspace)(?![A-Za-z])|~(?=\s*[^\W\d_\\\u00b0])"
)

# A LaTeX command is skipped (``\\frac``), a word is a run of letters with inner apostrophes (``isn't``).
_WORD_RE = re.compile(r"\\[A-Za-z]+|([^\W\d_]+(?:['\u2019][^\W\d_]+)*)")
_APOSTROPHE = re.compile(r"['\u2019]")
# Characters that make trailing text more than a unit: questions, approximations, relations, lists.
_BAD_LABEL_CHARS = frozenset("?~\u2248\u00b1<>\u2264\u2265=\u2260|,;:!&")
_NAME_EQUALS = re.compile(r"[^\W\d][\w ]{0,19}=(?!=)")
# A tie opening a unit wrapper (``\mathrm{~kJ}``): spacing, never "about".
UNIT_WRAPPER_TIE = re.compile(
    r"(\\(?:mathrm|text|textrm|textnormal|rm|operatorname)\s*\{)\s*~(?=\s*[^\W\d_])"
)
# In a plain value, these approximate, compare or question it (``~7``, ``<5``, ``7?``).
_HEDGE_CHARS = frozenset("?~\u2248<>\u2264\u2265\u00b1\u2260=")
_EXPONENT_RE = re.compile(r"\^\s*\{?\s*[-+]?\s*\d{1,2}\s*\}?")
_LABEL_PUNCT = " \t\n.()[]{}-/*\u00b7^\u00b0\u00b2\u00b3%$\u20ac\u00a3\u00a5'\"\u2019"
# Where the task rules on units: a degree sign or a percent sign in a label states a unit, so the rule decides.
_PLAIN_LABEL_PUNCT = _LABEL_PUNCT.replace("\u00b0", "").replace("%", "")


def _fold(word: str) -> str:
    return _APOSTROPHE.sub("", unicodedata.normalize("NFKC", word).casefold())


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, apostrophes dropped (``isn't`` -> ``isnt``); LaTeX commands skipped."""
    text = unicodedata.normalize("NFKC", text)
    return [_fold(m.group(1)) for m in _WORD_RE.finditer(text) if m.group(1)]


def _spelled_words(text: str) -> list[tuple[str, str]]:
    """``(as written, folded)`` for each word of ``text`` (NFKC applied to both)."""
    text = unicodedata.normalize("NFKC", text)
    return [(m.group(1), _fold(m.group(1))) for m in _WORD_RE.finditer(text) if m.group(1)]


class TextWords(Collection[str]):
    """The words of a task's text, looked up one at a time (``"apples" in words_of(prompt)``).

    A prompt with tables has thousands of words, while an answer's label has one or two: each lookup
    searches the text for that word (cached per word), so nothing is paid for prompts whose answers
    carry no label. Iterating builds the full set.
    """

    __slots__ = ("_found", "_scales", "_text")

    def __init__(self, text: str, scales: bool = False) -> None:
        self._text = text[:200_000]
        self._scales = scales
        self._found: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        known = self._found.get(word)
        if known is None:
            known = self._lookup(word)
            self._found[word] = known
        return known

    def _lookup(self, word: str) -> bool:
        if word in SCALE_WORDS:
            if not self._scales:
                return False
            other = word[:-1] if word.endswith("s") else word + "s"  # "in millions" allows "million"
            return _word_pattern(word).search(self._text) is not None or (
                other in SCALE_WORDS and _word_pattern(other).search(self._text) is not None
            )
        return _word_pattern(word).search(self._text) is not None

    def __iter__(self):  # noqa: D105 - the full set, built on demand
        found = set(words(self._text))
        if not self._scales:
            found -= SCALE_WORDS
        return iter(found)

    def __len__(self) -> int:  # noqa: D105
        return sum(1 for _ in self)


@functools.lru_cache(maxsize=4_096)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", re.IGNORECASE)


@functools.lru_cache(maxsize=1_024)
def words_of(text: str, *, scales: bool = False) -> TextWords:
    """Words a task's own text allows after a value (cached: samples of one prompt share it).

    Scale words are left out unless ``scales`` is set (``7 thousand`` changes the value); with it, a
    scale word allows its singular and plural. Denied words never count, whatever the text says.
    """
    return TextWords(text, scales)


@functools.cache
def _unit_parser() -> Callable[[str], object] | None:
    try:
        from guru_envs.verify.units import parse_unit
    except ImportError:  # pragma: no cover - units is part of the package
        return None
    return parse_unit


def _is_unit(label: str) -> bool:
    parse = _unit_parser()
    if parse is None:
        return False
    try:
        parse(label)
    except Exception:  # noqa: BLE001 - any failure to read means "not a unit"
        return False
    return True


# --- one answer -------------------------------------------------------------------------------------------


class Claim(NamedTuple):
    """One answer read as a claim.

    Attributes:
        text: the value to compare with the gold (the trailing unit or allowed word removed).
        label: the trailing text that was removed (``""`` when none).
        refused: why the answer is not one claim; None when it is.
    """

    text: str
    label: str
    refused: str | None


# Commands that lay out, space or wrap a value without being one, and the containers an answer comes in.
_LAYOUT_COMMANDS = MARKUP_COMMANDS | SPACE_COMMANDS | {"boxed", "fbox", "framebox"}
# Grouping braces, math delimiters and spacing; sentence punctuation and quotes (brackets are kept: ``[]``
# is a value, and so is ``\\{\\}``, whose backslashes survive).
_LAYOUT_MARKS = re.compile(r"[{}~$\s]")
_FILLER = frozenset(".,;:!?\"'`\u2026\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u00bf\u00a1")


def has_content(answer: str) -> bool:
    """Whether ``answer`` states anything once layout LaTeX, braces, spacing and punctuation are set aside.

    ``\\boxed{}``, ``\\text{ }``, ``\\hspace{1em}`` and ``?`` state nothing; ``0``, ``[]``,
    ``\\{\\}`` and ``\\emptyset`` do. Uses the vocabulary :func:`read_claim` treats as presentation.
    """
    rest = _SPACE_ARGUMENT_RE.sub("", answer)
    rest = _COMMAND_RE.sub(lambda m: "" if m.group(1) in _LAYOUT_COMMANDS else m.group(0), rest)
    return any(c not in _FILLER for c in _LAYOUT_MARKS.sub("", rest))


def word_problem(text: str, allow: Collection[str] = (), *, joins: bool = False) -> str | None:
    """Why the words of ``text`` make it more than one claim (a hedge, a negation ...), or None.

    Scale words pass only when ``allow`` lists them; every other denied word is refused whatever
    ``allow`` says. With ``joins`` (the gold is a set: ``x = 2 \\text{ or } x = 3``), ``and``/``or``
    join the items of the answer and pass.
    """
    for written, word in _spelled_words(text):
        category = DENIED.get(word)
        if category is None:
            continue
        if category == "scale word" and (
            word in allow
            or _scale_allowed(written, allow)
            or written not in _SCALE_SPELLINGS.get(word, (written,))
        ):
            continue  # allowed by the task (``mn`` where it allows millions), or a unit spelled like one (mN, MN)
        if joins and word in ("and", "or"):
            continue
        return f"the answer is not one claim: {category} {word!r}"
    return None


def _scale_allowed(written: str, allow: Collection[str]) -> bool:
    """Whether an abbreviated scale (``mn``, ``bn``, ``thou``, ``M``) is allowed: its word is."""
    scale = SCALE_ABBREVIATIONS.get(written.rstrip("."))
    return scale is not None and (scale in allow or scale + "s" in allow)


def label_problem(
    label: str, allow: Collection[str] = (), *, units: Callable[[str], bool] | None = None
) -> str | None:
    """Why ``label``, the text after a value, may not be dropped; None when it is a unit or an allowed word.

    Args:
        label: the trailing text (``"cm"``, ``"apples"``, ``"is wrong"``), LaTeX wrappers already removed.
        allow: words the task accepts (case-folded), e.g. :func:`words_of` of its question.
        units: the task's own rule for units, where it knows which units its answer may carry (a table's
            column): the label passes when every word is in ``allow`` or when ``units(label)`` holds.
            Without it, any physical unit, currency or counted noun (:data:`UNIT_WORDS`) passes.
    """
    s = fold_unicode(label).strip()
    if not s:
        return None
    if len(s) > MAX_LABEL_CHARS:
        return f"the text after the value is too long to be a unit ({len(s)} characters)"
    if "\\" in s or "~" in s:  # spacing (5\\,\\text{kg}, 5~m) is presentation, not part of the label
        s = _LABEL_SPACING_RE.sub(" ", _SPACE_ARGUMENT_RE.sub(" ", s)).strip()
        if not s:
            return None
    problem = word_problem(s, allow)
    if problem is not None:
        return problem
    scale = SCALE_ABBREVIATIONS.get(s.rstrip("."))
    if scale is not None:
        if _scale_allowed(s, allow):
            return None
        return f"the answer is not one claim: scale word {s!r} ({scale})"
    bad = next((ch for ch in s if ch in _BAD_LABEL_CHARS), None)
    if bad is not None:
        return f"the text after the value is not a unit: it contains {bad!r}"
    is_unit = _is_unit if units is None else units
    if "\\" in s:
        command = next((c for c in _COMMAND_RE.findall(s) if c not in MARKUP_COMMANDS), None)
        if command is not None:  # only a unit may hold commands other than markup (\\circ, \\mu m, \\Omega)
            if is_unit(s):
                return None
            return f"the text after the value is not a unit: it contains \\{command}"
    without_exponents = _EXPONENT_RE.sub(" ", s)
    if any(ch.isdigit() for ch in without_exponents):
        return "the text after the value holds another number"
    found = words(s)
    free = UNIT_WORDS if units is None else frozenset()
    punct = _LABEL_PUNCT if units is None else _PLAIN_LABEL_PUNCT
    if all(w in free or w in allow for w in found):
        rest = _WORD_RE.sub(" ", without_exponents)
        if all(ch in punct or ch.isspace() for ch in rest):
            return None
    if is_unit(s):
        return None
    return f"the text after the value is neither a unit nor a word the task allows: {s[:40]!r}"


def _value_end(text: str) -> int:
    """Index just past the value part of a plain answer: its last digit outside an exponent, or ``%``."""
    end = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "^":  # an exponent after a unit word (m^2) belongs to the unit, not to the value
            m = _EXPONENT_RE.match(text, i)
            if m is not None and any(c.isalpha() or c in "\u00b0\u00b5" for c in text[end:i]):
                i = m.end()
                continue
        if ch.isdigit() or ch == "%":
            end = i + 1
        i += 1
    while end < n:
        if text[end] in ")]}%":
            end += 1
        elif text.startswith("\\right", end) and end + 6 < n and text[end + 6] in ")]|.":
            end += 7  # \right) closes the value, it is no label
        else:
            break
    return end


def split_label(text: str) -> tuple[str, str]:
    """``(value, trailing text)`` of a plain answer: ``"12.5 kg"`` -> ``("12.5", "kg")``.

    The value runs to the last digit (or ``%``) that is not an exponent of a unit; what follows is the
    label. Text with no digit is all label.
    """
    end = _value_end(text)
    return text[:end].strip(), text[end:].strip()


_LIST_RE = re.compile(r"[,;]\s+[-+$\u20ac\u00a3(]?\d")
_VALUE_TOKEN_RE = re.compile(r"\\([A-Za-z]+|[^A-Za-z])|([^\W\d_]+)|(\d+)|(\S)", re.DOTALL)


def digit_groups(runs: Sequence[str]) -> bool:
    """Whether runs of digits set apart by spaces are the thousands groups of one number (``134 000``).

    Every run after the first has three digits, and the first has three, or one or two not starting
    with 0: ``1 234 567`` is one number, ``12 34``, ``7 8`` and ``0 360`` are two.
    """
    return all(
        len(cur) == 3 and (len(prev) == 3 or (len(prev) < 3 and prev[:1] != "0"))
        for prev, cur in zip(runs, runs[1:])
    )


def _several_values(value: str) -> str | None:
    """Why a plain value part holds more than one number, or None.

    Two numbers make one value only when something that computes joins them: a decimal point, a digit
    group comma, an operator, ``\\times``, ``\\frac``. Refused: a list (``7, 8``), words between numbers
    (``7 apples 8``), numbers side by side with only space between them (``7 8``, ``0\\quad 7``; digit
    groups ``134 000`` and ``1\\,000`` excepted), and any command that relates, joins or hedges values
    (``7 \\lor 8``, ``7 \\mid 8``, ``\\pm 7``): only markup, spacing and value commands are presentation.
    """
    if _LIST_RE.search(value):
        return "the answer lists several values"
    if "\\" in value:
        value = _SPACE_ARGUMENT_RE.sub(r"\\quad ", value)
    previous: str | None = None  # the last run of digits
    gap = ""  # since that run: "w" a word, "o" an operator, "s" a wide space, "t" a thin space
    end = 0
    for m in _VALUE_TOKEN_RE.finditer(value):
        command, word, digits, other = m.groups()
        if previous is not None and m.start() > end:
            gap += "t"  # plain whitespace
        end = m.end()
        if command is not None:
            if command in SPACE_COMMANDS:
                gap += "t" if command in _THIN_SPACES else "s"
            elif command in VALUE_COMMANDS:
                gap += "o"
            elif command not in MARKUP_COMMANDS:
                return f"the answer is not one claim: it contains \\{command}"
        elif word is not None:
            gap += "o" if word in ("e", "E", "x") else "w"
        elif digits is not None:
            if previous is not None:
                if "w" in gap:
                    return "the answer holds more than one number"
                group = digit_groups((previous, digits))
                if "o" not in gap and not (gap and set(gap) == {"t"} and group):
                    return "the answer holds more than one number"  # side by side: not a digit group
            previous, gap = digits, ""
        elif other == "{" and m.start() > 0 and value[m.start() - 1] == "}":
            gap += "o"  # }{ between the arguments of \frac or \binom
        elif other not in "{}":
            gap += "o"
    return None


# Wide spaces: between two values they separate them (a thin space may join digit groups or a mixed number).
_WIDE_SPACE = (
    r"\\(?:q?quad|enspace|medspace|thickspace)(?![A-Za-z])|\\[;:> ]|~"
    r"|\\hspace\*?\s*\{[^{}]{0,40}\}|\\(?:text|textrm|textnormal|mbox|hbox|mathrm)\s*\{\s*\}"
)
_WIDE_GAP_RE = re.compile(rf"\s*(?:{_WIDE_SPACE})(?:\s|{_WIDE_SPACE})*")
_TEXT_WRAPPER_RE = re.compile(
    r"\\(?:text|textrm|textnormal|textbf|textit|textsf|mathrm|mathbf|mathit|mathsf|mbox|hbox|operatorname)"
    r"\s*\{[^{}]*[^{}\s][^{}]*\}"
)
_ENDS_VALUE = frozenset(")]}!%'.")
# What starts a second value after a wide space: a number, a bracket, a number-making command, or a sign
# before anything (``- x``). A bare letter may be a unit (``3.2~J``), so it does not.
_VALUE_COMMAND_NAMES = (
    r"[dtc]?frac|sqrt|[dt]?binom|pi|infty|emptyset|varnothing|mathbb|sin|cos|tan|sec|csc|cot|arcsin|arccos|"
    r"arctan|sinh|cosh|tanh|ln|log|exp"
)
_STARTS_VALUE_RE = re.compile(
    rf"[-+\u2212]\s*(?:[^\W_]|[(\[|.])"
    rf"|(?:[-+\u2212]\s*)?(?:\d|\.\d|[(\[|]|\\[{{|]|\\left\b|\\(?:{_VALUE_COMMAND_NAMES})(?![A-Za-z]))"
)


def spaced_values(text: str) -> str | None:
    """Why ``text`` (LaTeX) sets two values apart with a wide space (``0 \\quad \\frac{1}{4}``), or None.

    ``\\quad``, ``\\;``, ``~``, ``\\hspace{..}`` or an empty ``\\text{ }`` between the end of one value and
    the start of another separate two claims, however a reader that drops spacing would join them
    (``0 \\quad - 2i`` is not ``0 - 2i``). Spacing before a label or at either end is presentation.
    """
    if not isinstance(text, str) or ("\\" not in text and "~" not in text):
        return None
    s = _TEXT_WRAPPER_RE.sub(" \x01 ", text)  # words in a wrapper are a label or a joiner, never a value
    for m in _WIDE_GAP_RE.finditer(s):
        start = m.start()
        while start > 0 and s[start - 1].isspace():
            start -= 1
        if start == 0 or m.end() >= len(s):
            continue
        before = s[start - 1]
        if not (before.isalnum() or before in _ENDS_VALUE):
            continue
        if _STARTS_VALUE_RE.match(s, m.end()):
            spacing = " ".join(m.group(0).split())
            return f"the answer is not one claim: two values set apart by {spacing!r}"
    return None


def read_claim(
    text: str, allow: Collection[str] = (), *, units: Callable[[str], bool] | None = None
) -> Claim:
    """Read a plain value answer (``"134000"``, ``"$1,234.5 million"``, ``"12 apples"``) as one claim.

    Refused when it is not text or too long, when any word in it hedges, negates, offers an alternative,
    approximates, compares, scales (unless allowed) or makes a statement, or when the text after the value
    is neither a unit nor a word in ``allow`` (``units``: the task's own rule for units, see
    :func:`label_problem`).
    """
    if not isinstance(text, str):
        return Claim("", "", f"answer must be text, got {type(text).__name__}")
    if len(text) > MAX_CLAIM_CHARS:
        return Claim("", "", f"answer has {len(text):,} characters, over the {MAX_CLAIM_CHARS:,} limit")
    s = fold_unicode(text).strip()  # 48² is 48^{2}, not 482
    # 78.7 \mathrm{~m} (SciBench's spelling): a tie before a unit is spacing
    s = UNIT_WRAPPER_TIE.sub(r"\1", s)
    m = _NAME_EQUALS.match(s)
    if m is not None:  # "x = 5", "total = $3": the name is presentation, the value is the claim
        s = s[m.end() :].strip()
    value, label = split_label(s)
    hedge = next((ch for ch in value if ch in _HEDGE_CHARS), None)
    if hedge is not None:
        return Claim(value, label, f"the answer is not one claim: it contains {hedge!r}")
    problem = word_problem(value, allow) or _several_values(value)
    if problem is None:
        problem = label_problem(label, allow, units=units)
    if problem is not None:
        return Claim(value, label, problem)
    return Claim(without_label(value, label), label, None)


def without_label(value: str, label: str) -> str:
    """The value once its (acceptable) label is dropped: a percent sign or word in it stays, as ``\\%``.

    ``0.5 percent`` is 0.5%, not 0.5: dropped like a unit, it would match a reference of 50%.
    """
    return f"{value}\\%" if _PERCENT_IN_LABEL.search(label) else value


# A percent sign or word anywhere in a label: "190 percents", "0.7 percent red" and "190 %s" are percentages
# too (read as a plain 190 or 0.7, they were paid at face value on questions that ask for no percentage).
_PERCENT_IN_LABEL = re.compile(r"%|(?i:\b(?:per\s*cents?|percent(?:age)?s?|pcts?|pp)\b)")


# --- several boxes ----------------------------------------------------------------------------------------


class FinalAnswer(NamedTuple):
    """The one final answer of a response with one or more boxes.

    Attributes:
        text: the answer to compare (the last box, or the boxes joined as a set); None when refused.
        refused: why the boxes are not one answer; None when they are.
        boxes: how many boxes were read.
    """

    text: str | None
    refused: str | None
    boxes: int


def final_answer(
    boxes: Sequence[str],
    same: Callable[[str, str], bool],
    *,
    several_items: bool = False,
    single: Callable[[str], bool] | None = None,
    join: str = ", ",
) -> FinalAnswer:
    """The one answer that several boxes give, or why they give more than one.

    Args:
        boxes: the box contents in order (after any ``</think>``).
        same: whether two box contents are the same answer (the domain's equality, no symbolic work).
        several_items: the gold is a set of several items (roots, names): boxes that each hold one item
            together give the set.
        single: whether one box holds a single item (default: every box does).
        join: the separator that joins the items of a set in the domain's answer syntax.

    Rule: identical repeats are one answer (the last box counts). Different boxes are one answer only
    when ``several_items`` and every box is a single item; their distinct items, in order, make the set.
    Otherwise the response gives several claims and is refused; so is any response with more than
    :data:`MAX_BOXES` boxes (:data:`MAX_SET_BOXES` when the gold is a set).
    """
    n = len(boxes)
    if n == 0:
        return FinalAnswer(None, "no final answer", 0)
    if n > (MAX_SET_BOXES if several_items else MAX_BOXES):
        return FinalAnswer(None, f"{n} boxed answers; give one final answer", n)
    distinct: list[str] = []
    for box in boxes:
        if not any(box == d or same(box, d) for d in distinct):
            distinct.append(box)
    if len(distinct) == 1:
        return FinalAnswer(boxes[-1], None, n)
    if several_items and (single is None or all(single(b) for b in distinct)):
        return FinalAnswer(join.join(distinct), None, n)
    return FinalAnswer(None, "the response boxes several different answers", n)


# a number, with its sign also when a command or bracket stands between them (-\frac{1}{2}, -(3))
# a number, with its sign also when a command or bracket stands between them (-\frac{1}{2}, -(3))
_STATED_NUMBER = re.compile(
    r"(-\s*(?:\\[A-Za-z]+\s*)?[{(]?\s*)?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)"
)
_STATED_WORD = re.compile(r"[^\W\d_]+")
# "48 (6 × 8)", "1/3 (≈ 0.333)", a check mark; not LaTeX's \( \) or \[ \]
_TRAILING_NOTE = re.compile(r"\s*(?:(?<!\\)\(([^()]*)\)|(?<!\\)\[([^\[\]]*)\]|[✓✔✅☑])\s*[.!]?\s*$")
# a denial or doubt of what it names ("48 is wrong", "maybe 48", "48?"), and a choice between values
_DENIAL = re.compile(
    r"(?<![^\W\d_])(?:not|no|wrong|incorrect|maybe|perhaps|probably|possibly|unsure|could|might|actually|wait)"
    r"(?![^\W\d_])|n't|\?|？",
    re.IGNORECASE,
)
_ALTERNATIVES = re.compile(
    r"(?<![^\W\d_])(?:or|either|alternatively|equivalently)(?![^\W\d_])|,", re.IGNORECASE
)
_RELATION = re.compile(r"=|≈|\\approx")
_MEASURED = re.compile(r"\s*(-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?:\\[,;: ]\s*)?[^\W\d_°]")
# What changes a number's value when written beside it: a scale word, a percent, a LaTeX command.
_MODIFIER = re.compile(
    r"(?<![^\W\d_])(?:thousand|million|billion|trillion|hundred|k|m|mn|bn|b)(?![^\W\d_])|%|\\[A-Za-z]+",
    re.IGNORECASE,
)


def _stated_numbers(text: str) -> list[float]:
    values = []
    for sign, token in _STATED_NUMBER.findall(fold_unicode(text)):
        try:
            value = float(token.replace(",", ""))
        except ValueError:  # pragma: no cover - the pattern only finds numbers
            continue
        values.append(-value if sign else value)
    return values


def _stated_words(text: str) -> set[str]:
    return {w.casefold() for w in _STATED_WORD.findall(fold_unicode(text))}


_BRACKETED = re.compile(r"(?<!\\)\([^()]*\)")
# A number where a stated value may start; what follows it (a unit, "× 10^3") is tried word by word
_SPAN_NUMBER = re.compile(
    r"(?<![\w.^/])[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*(?:[eE][-+]?\d+|(?:×|x|\\times|\\cdot)\s*10\^\{?[-+−]?\d+\}?))?"
)


def _read_spans(text: str, reads: Callable[[str], bool]) -> list[str]:
    """The values a domain's reader takes from a sentence ("Though 1.016 J is plausible").

    Each number with the most words after it (up to three: "1.016 J", "3.2 m/s^2") the reader still reads.
    """
    spans: list[str] = []
    taken = 0  # where the last span read ends: a number inside it ("m/s^2") starts none
    for m in itertools.islice(_SPAN_NUMBER.finditer(text), 16):
        if m.start() < taken:
            continue
        rest = text[m.end() : m.end() + 60].split()
        for k in range(min(3, len(rest)), -1, -1):
            span = " ".join([m.group(), *rest[:k]]).rstrip(".,;:!?)✓✔✅☑ ")
            if reads(span):
                spans.append(span)
                taken = text.find(span, m.start()) + len(span)
                break
    return spans


def contradiction(
    final: str,
    stated: Sequence[str],
    same: Callable[[str, str], bool],
    reads: Callable[[str], bool] | None = None,
) -> str | None:
    """The first of ``stated`` (values stated after the final answer) that gives another answer, or None.

    Why: a value stated after the final answer in another form ("Wait, no: 57.", ``<answer>57</answer>``,
    :func:`guru_envs.verify.extract.later_answers`) is a second claim, but a restatement with words the
    reader does not take ("Final answer: 19 apples", "2.881 m/s^2 (rounded)") is not.

    A trailing note in brackets is dropped first ("48 (6 × 8)"). A statement that denies, doubts or hedges
    and names the answer's value ("48 is wrong", "maybe 48", "48?") gives another answer. Otherwise one
    the domain's ``same`` finds equal to ``final`` is a restatement. With ``reads`` (the domain's reader:
    whether it reads the statement as a value), a statement it reads is another answer and one it cannot
    read is prose. Without it: a statement with numbers gives another answer unless its numbers are the
    answer's, in order and with their signs (``-\\frac{1}{2}`` is not ``\\frac{1}{2}``, ``(5, 2)`` not
    ``(2, 5)``), and it adds no scale word, percent or command (``12 million``, ``5\\pi``); one without
    numbers after a numeric answer is prose, and after a worded answer gives another answer when it has a
    word the answer does not.
    """
    numbers = _stated_numbers(final)
    words = _stated_words(final)
    modifiers = {m.casefold() for m in _MODIFIER.findall(final)}
    lead = _MEASURED.match(fold_unicode(final))  # a value with a unit: 2.881 m/s^2 is 2.881
    measured = _stated_numbers(lead.group(1)) if lead is not None else None

    def names_answer(text: str) -> bool:
        return bool((numbers and set(_stated_numbers(text)) & set(numbers)) or (_stated_words(text) & words))

    def restates(text: str) -> bool:
        """Whether ``text`` gives the final answer again (in the domain's terms, or by its numbers)."""
        text = text.strip()
        if not text or text == final or same(final, text):
            return True
        if not _STATED_WORD.search(fold_unicode(text)) and _stated_numbers(text) in (numbers, measured):
            return True  # the answer's number(s) alone, its unit left out ("Answer: 49.2" for 49.2 m/s)
        if reads is not None:
            return not reads(text)  # what the domain cannot read is prose
        said_numbers = _stated_numbers(text)
        if said_numbers:
            added = {m.casefold() for m in _MODIFIER.findall(text)} - modifiers
            if added:
                return False
            if said_numbers == numbers:
                return True
            # named values in another order ("y = 29, x = 10" for (10, 29))
            return len(_RELATION.findall(text)) > 1 and sorted(said_numbers) == sorted(numbers)
        if numbers:
            return True  # no number after a numeric answer: prose
        if "|" in final:  # items: only the domain's comparison says whether they are the answer's
            return False
        said_words = _stated_words(text)
        first = re.split(r"[,;(—–]", text, maxsplit=1)[0]
        return said_words <= words or (first.strip() != text and restates(first))

    for text in stated:
        if isinstance(text, HedgedClause):
            # a hedge or correction in a sentence: another answer only when it names another value
            # ("though 26 is plausible"); the answer's own ("Actually, 48 is right.") or, after a worded
            # answer, words (which its domain reads) are no second answer
            if reads is None:
                if numbers and not (restates(text) or _restates_by_parts(text, restates)):
                    return text
            else:  # the values the domain reads in the sentence; a note in brackets is none ("(3 s.f.)")
                notes = _BRACKETED.sub(lambda m: m.group() if hedges(m.group()) else " ", text)
                if any(not restates(v) for v in _read_spans(notes, reads)):
                    return text
            continue
        note = _TRAILING_NOTE.search(text)
        if note is not None and numbers and not _stated_numbers(text[: note.start()]):
            note = None  # "actually (13, 24)": the bracket is the value, not a note on one
        said = text[: note.start()] if note is not None and note.start() > 0 else text
        inside = next((g for g in note.groups() if g), "") if note is not None else ""
        if inside and _DENIAL.search(inside) and _stated_numbers(inside):  # "19 (no, 57)", "(actually 57)"
            return text
        if _DENIAL.search(said) and names_answer(said):
            return text
        if restates(said) or _restates_by_parts(said, restates):
            continue
        return text
    return None


def _restates_by_parts(said: str, restates: Callable[[str], bool]) -> bool:
    """Whether a relation's last side or every alternative restates the answer.

    "x = 5", "14.4125% ≈ 14.41%", "a or b", "(or 0.5)" after 1/2.
    """
    last = _RELATION.split(said)[-1]
    if _RELATION.search(said) and restates(last):
        return True
    parts = [q for p in _ALTERNATIVES.split(last) if (q := p.strip(" \t\n()[]"))]
    alternatives = len(parts) > 1 or (bool(parts) and _ALTERNATIVES.search(last) is not None)  # "(or 0.5)"
    return alternatives and all(restates(p) for p in parts)


# --- equations --------------------------------------------------------------------------------------------


def equation_value(
    sides: Sequence[str],
    *,
    is_name: Callable[[str], bool],
    same: Callable[[str, str], bool | None],
) -> tuple[str | None, str | None]:
    """``(value side, None)`` for a true chain ``x = 2 + 3 = 5``; ``(None, reason)`` for a false or unclear one.

    A name (``x``, ``f(x)``) may stand only first (or last, in ``5 = x``); every other side must equal
    the last one under ``same`` (``None`` from ``same`` means undecided, which refuses too: a claim that
    cannot be checked is not paid). The value is the last side that is not a name.
    """
    parts = [s.strip() for s in sides]
    if len(parts) < 2 or any(not p for p in parts):
        return None, "an equation with an empty side"
    # "\text{not } v = 3 m/s", "maybe = 3 m/s": a denied word as a name; a name may spell a scale word (mn)
    for name in (p for p in parts if is_name(p)):
        problem = word_problem(name, SCALE_WORDS)
        if problem is not None:
            return None, problem
    if len(parts) == 2 and is_name(parts[1]) and not is_name(parts[0]):
        parts = [parts[1], parts[0]]
    values = parts[1:] if is_name(parts[0]) else parts
    if any(is_name(v) for v in values):
        return None, "the equation relates names, not a value"
    last = values[-1]
    for other in values[:-1]:
        verdict = same(other, last)
        if verdict is False:
            return None, f"a false equation: {other[:40]} = {last[:40]}"
        if verdict is None:
            return None, "an equation whose sides cannot be checked equal"
    return last, None
