"""A structured final answer read from a response, and compared as one exact claim.

Domains whose answers are values (lists, objects, strings, numbers) share one rule for finding them (the
parser and the comparator themselves are :mod:`guru_envs.verify.structured`'s, named here too):

1. Only text after the last ``</think>`` counts.
2. Candidates: the ```json fenced blocks (else the literal-only untagged, ``text`` or ``python`` blocks)
   and the ``\\boxed{...}`` answers. The last of each kind is the answer; every other candidate of the
   response that parses must give the same value, or the response is refused as several answers (a
   ```python block of working notes, which is not a literal, is no candidate). This is the project's
   rule for several final answers (:func:`guru_envs.verify.claim.final_answer`) applied to values:
   repeats are one answer, different values are several, and more than :data:`MAX_CANDIDATES`
   blocks, or several blocks that together exceed the size cap for one answer, are refused outright,
   which also bounds the work.
3. Each candidate is parsed by :func:`parse_literal` (JSON first, then a Python literal; never
   evaluated) under size and depth caps; an object that repeats a key is refused (JSON parsers keep the
   last value, so ``{"a": 1, "a": 2}`` would say two things). A boxed candidate may be bare text when
   the caller allows it (``\\boxed{abc}`` for the string ``"abc"``; LaTeX's escapes ``\\#`` ``\\_``
   ``\\&`` ``\\%`` ``\\$`` ``\\{`` ``\\}`` are the characters, and ``\\texttt{}`` is presentation).
4. A fenced and a boxed answer that differ are ambiguous and refused.
5. With no fence and no box, a response that is nothing but a literal (``[1, 2]``) is accepted.
6. Nothing else the response states may give another value (:func:`_only_claim`): every other block
   holding a literal, in any language or fence (```python, ```yaml, ```, ~~~json), every ``<answer>``
   tag and ``Answer:`` line holding one, and a brace-less ``\\boxed [..]`` must give the answer's value
   (wrapped in one key or not). From the first answer block on, a clause of the prose (sentence ends,
   line breaks) must not both hedge (``or``, ``may``, ``if``, ``not certain`` ...) and state a value
   that is not the answer or a part of it ("The top value may be 5."), nor, unless labelled as working
   ("After the if block", "at step 3"), state another value of the answer's kind (``[0, 1]`` on its
   own) or label one (``Last: 5``); a hedge word alone, or a value alone, is explanation
   (:func:`_check_prose`). Prose before the first answer block is reasoning and free.

Comparison is :func:`same_value`: one exact claim per answer type. Booleans, integers, floats, strings
and ``null`` are different types (``True`` is not ``1``, ``2.0`` is not ``2``); floats agree within a
tolerance; a set is never a list; object keys must match exactly. In the JSON view (the default, for
answers about JSON data) a tuple is an array, as JSON writes it; in the Python view (for ``==`` on
Python literals) tuples, lists and sets all differ and floats are exact.

Every step is linear in the response length, so hostile responses cost little.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import tokenize
from collections import deque
from typing import Any, NamedTuple

from guru_envs.verify.claim import MAX_BOXES
from guru_envs.verify.extract import (
    all_boxed,
    answer_lines,
    answer_tags,
    box_spans,
    changes_of_mind,
    code_fences,
    strip_think,
    strip_wrappers,
)
from guru_envs.verify.structured import (  # the parser and comparator live there; named here for readers
    MAX_ANSWER_CHARS,
    MAX_DEPTH,
    AnswerParseError,
    NotOneClaimError,
    RepeatedKeyError,
    json_loads_unique,
    parse_literal,
    same_value,
)
from guru_envs.verify.text import fold_unicode

__all__ = [
    "MAX_CANDIDATES",
    "JsonAnswer",
    "NotOneClaimError",
    "RepeatedKeyError",
    "hedged_words",
    "json_loads_unique",
    "last_json_object",
    "parse_literal",
    "read_json_answer",
    "same_value",
    "unwrap_key",
]

_PLAIN_FENCES = ("", "text", "plaintext", "python", "py", "python3")
MAX_CANDIDATES = MAX_BOXES  # answer blocks (fences or boxes) of one response; more is refused, not scanned
MAX_FENCES = 256  # fenced blocks of any kind in one response (code notes included); more is refused
_BRACES = re.compile(r"[{}]")
_LATEX_ESCAPES = ("\\{", "\\}", "\\_", "\\&", "\\%", "\\#", "\\$")
_BRACE_TOKENS = re.compile(r"\\[{}]|[{}]")
_TYPE_WRAPPER = re.compile(
    r"\\(?:texttt|mathtt|textsf|mathsf|textrm|textnormal|textup|mbox)\s*(\{).*", re.DOTALL
)
_VERB = re.compile(r"\\verb\*?([^\sA-Za-z*])(.*)\1", re.DOTALL)


class JsonAnswer(NamedTuple):
    """A parsed final answer.

    Attributes:
        value: the parsed value (a str when a boxed answer was taken as bare text).
        text: the answer text it was parsed from (for ``Score.extracted``).
        source: ``"fence"``, ``"boxed"``, ``"whole"`` (the whole response was the literal) or
            ``"object"`` (an object found in free text by :func:`last_json_object`).
    """

    value: Any
    text: str
    source: str


# ----------------------------------------------------------------------------------------- reading
def _unescape_latex(text: str) -> str:
    for esc in _LATEX_ESCAPES:
        text = text.replace(esc, esc[1])
    return text


def _closes_at_end(text: str, open_at: int) -> bool:
    """Whether the brace group opened at ``open_at`` closes at the last character (escaped braces skipped)."""
    depth = 0
    for m in _BRACE_TOKENS.finditer(text, open_at):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                return m.end() == len(text)
    return False


def _plain_box_text(inner: str) -> str:
    """A box's contents without presentation: ``$..$``, ``\\text{}`` and typewriter or sans wrappers.

    ``\\texttt{\\#..\\#}`` is how LaTeX sets a row of symbols; the wrapper says how it looks, not what.
    """
    text = strip_wrappers(inner)
    for _ in range(4):  # a few wrappers deep (\texttt{\text{..}}), no more
        m = _TYPE_WRAPPER.fullmatch(text)
        if m is not None and _closes_at_end(text, m.start(1)):
            text = strip_wrappers(text[m.start(1) + 1 : -1])
            continue
        m = _VERB.fullmatch(text)
        if m is not None:
            text = m.group(2).strip()
            continue
        break
    return text


def _parse_boxed(inner: str, bare_text: bool, max_chars: int, max_depth: int) -> Any:
    text = _plain_box_text(inner)
    try:
        return parse_literal(text, max_chars=max_chars, max_depth=max_depth)
    except RepeatedKeyError:
        raise
    except AnswerParseError as first:
        unescaped = _unescape_latex(text)  # \{"a": 1\} as some models write braces in LaTeX
        if unescaped != text:
            try:
                return parse_literal(unescaped, max_chars=max_chars, max_depth=max_depth)
            except RepeatedKeyError:
                raise
            except AnswerParseError:
                pass
        if bare_text and unescaped and len(unescaped) <= max_chars and "\n" not in unescaped:
            return unescaped  # \boxed{\#..\#}: LaTeX makes # (and _ & % $ { }) be escaped; the text is "#..#"
        raise first


def _one_value(candidates: list[JsonAnswer], what: str, rel_tol: float, abs_tol: float) -> JsonAnswer | None:
    """The last candidate, after checking that every candidate gives its value."""
    if not candidates:
        return None
    last = candidates[-1]
    for other in candidates[:-1]:
        if not same_value(other.value, last.value, rel_tol, abs_tol):
            raise NotOneClaimError(f"several answers: the {what} give different values")
    return last


# ------------------------------------------------------------------------------ one claim in all
# The answer is read from the ```json blocks (else the plain ones) and the boxes; everything else the
# response states must not give another value. That is every other block that holds a literal, in any
# language or fence (```python, ```yaml, ```, ~~~json), every <answer> tag and "Answer:" line that holds
# one, and, from the first answer block on, the prose: a model reasons first and then states its answer,
# so a value of the answer's kind stated beside or after it ("or possibly [0, 0, 1]") is a second claim,
# and so is a hedge ("maybe", "or"). Prose before the first answer block is reasoning, and free.


class _Fence(NamedTuple):
    start: int
    end: int
    lang: str  # lower case, "" when untagged
    body: str
    closed: bool
    backticks: bool  # ``` (what code_fences reads) rather than ~~~


class _Read(NamedTuple):
    """Where the answer came from: the answer blocks that were read and which of them parsed."""

    fences: list[str]  # the answer blocks code_fences gave (json, else plain)
    tagged: bool  # whether they are the json blocks
    fenced_at: list[int]  # indexes of those that parsed
    boxes: list[str]  # all_boxed's contents
    boxed_at: list[int]  # indexes of those that parsed


_FENCE_LANG = re.compile(r"[ \t]*([A-Za-z0-9_+-]*)")
_TILDE_LINE = re.compile(r"^[ \t]{0,3}(~{3,})([^\n]*)$", re.MULTILINE)
_SQUASH = re.compile(r"[\s'\"]+")  # {'out' 'put': ..}: Python joins adjacent strings
_KEY_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8}|N\{|[0-7])")
_ANSWER_WORD = re.compile(r"answer", re.IGNORECASE)
_BARE_BOX = re.compile(r"\\(?:boxed|fbox)\s+(?=[\[(])")
_LITERAL_START = re.compile(r"[\[{(\"'\d+\-.]|(?:true|false|null|True|False|None)\b")
# A cue that a clause offers an alternative, a condition or a doubt. It refuses only together with a value
# the answer does not state (:func:`_hedged_value`): "Each step pushes or pops one value" is explanation.
_PROSE_HEDGE = re.compile(
    r"\b(?:or|maybe|may|might|could|possibly|perhaps|probably|likely|unlikely|alternatively|alternative|"
    r"otherwise|instead|either|if|unless|unsure|uncertain|doubt\w*|guess\w*|plausibl[ey]|wrong|incorrect|"
    r"mistaken?|would|in\s+case|not\s+(?:certain|sure|confident)|low\s+confidence|"
    r"second\s+(?:candidate|guess|option)|actually|kidding|joking|gut|suspect|also|too|accept|backup|vs|versus|"
    r"so|thus|therefore|hence|however|it'?s|(?:that|this|which)\s+gives|"
    r"(?:real|true|correct|right|actual|final)\s+(?:answer|result|value|output)|"
    r"(?:answer|output|value|result)\s+(?:is|was))\b"
    r"|\?",
    re.IGNORECASE,
)
# Phrases that hold a cue word but offer no alternative: "2 or more people", "either way", "whether or not".
_NOT_A_HEDGE = re.compile(
    r"\b(?:\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten)\s+or\s+(?:more|fewer|less|greater|"
    r"higher|lower|above|below|over|under|so)\b|\b(?:more\s+or\s+less|either\s+way|whether\s+or\s+not|"
    r"or\s+not|if\s+and\s+only\s+if|as\s+if|even\s+if|the\s+(?:if|or|else|either))\b|\b(?:if|or|and|xor|else|either)[`'\"]?\s+(?:block|branch|"
    r"statement|clause|instruction|op|opcode|command|condition|body)s?\b",
    re.IGNORECASE,
)
# A condition, from its "if" to the next comma, semicolon, colon, closing parenthesis or "then".
_CONDITION = re.compile(
    r"\b(?:if|unless|in\s+case|when|whenever)\b[^,;:)\n]*?(?=[,;:)]|\bthen\b|$)", re.IGNORECASE
)
# A clause that reports working, not the result: "After the if block the stack was [0, 4]", "at step 3".
_INTERMEDIATE = re.compile(
    r"\b(?:after|before|initially|originally|at\s+first|at\s+the\s+start|step|steps|until|while|"
    r"during|earlier|previously|intermediate|midway|partway|halfway|in\s+between|so\s+far)\b",
    re.IGNORECASE,
)
_FINAL_WORD = re.compile(
    r"\b(?:final(?:ly)?|in\s+the\s+end|at\s+the\s+end|answer|result|output)\b", re.IGNORECASE
)
# Where prose is cut into clauses: a sentence end, a line break (never inside brackets, quotes or ticks).
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|\n")
# A number in prose; one right after a label word ("line 12", "step 3", "#4") names a place, not a value.
_PROSE_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
# A number before a plural noun counts things ("5 customers were served"): no value of the answer's.
_COUNT_AFTER = re.compile(
    r"\s+(?!(?:is|was|has|does|plus|minus|gives|yields|becomes|returns|equals|remains|stays|as|us|its|this)\b)"
    r"[A-Za-z]{2,}s\b"
)
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:line|lines|step|steps|instruction|instructions|row|rows|column|columns|col|cycle|tick|round|"
    r"iteration|turn|index|position|entry|item|op|operation|command|pass)|#)\s*$",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# A number word is a value in a run of them ("zero, four, four, five") or as what a clause says a thing is
# ("may be five", "the top is five", ": five"); "pops one value" is a count.
_WORD_CLAIM_BEFORE = re.compile(
    r"(?:\b(?:be|is|are|was|equals?|becomes?|gives?|returns?)|[=:\u2192])\s*$", re.I
)
_QUOTED = re.compile(r"\"([^\"\n]{1,4000})\"")
# "Last: 5", "Top = 5": a line that is a short label and one value states that value.
_LABEL = re.compile(r"[\s>*_#-]*[A-Za-z][\w ]{0,30}?\s*[:=]\s*")
_INLINE_CODE = re.compile(r"`([^`\n]{1,4000})`")
# What a line of its own may put around a value: markdown (quote, list, emphasis, code ticks), an "is" or
# "=" lead, end punctuation.
_LINE_LEAD = re.compile(r"(?:[\s>*_`#=-]|\\[(\[]|\$)*")
_LINE_TAIL = frozenset(" \t\n\r\f\v*_`.,;:!$")


def _undecorate(said: str) -> str:
    """``said`` without the decoration a line may put around a value, lead and tail.

    The tail is stripped by one backward scan: a regex ``(..)*$`` retries from every position of a long
    run of spaces that does not end the line, quadratic (8 s for 19,000 spaces before a letter).
    """
    begin = _LINE_LEAD.match(said).end()
    end = len(said)
    while end > begin:
        if said[end - 1] in _LINE_TAIL or said[end - 1].isspace():
            end -= 1
        elif end - 2 >= begin and said[end - 2] == "\\" and said[end - 1] in ")]":
            end -= 2
        else:
            break
    return said[begin:end]


_CODE_LINE = re.compile(r"[\s>*_-]*`([^`\n]+)`[\s*_.,;:!]*")
_CLAIM_VERB = re.compile(
    r"\b(?:is|was|are|equals?|gives?|returns?|prints?|outputs?|yields?|becomes?)\b|[=:\u2192]"
)
_GROUP_TOKEN = re.compile(r"[\[\]{}()\"'\\\n]")
_PAIRS = {"]": "[", "}": "{", ")": "("}
_MAX_PROSE_VALUES = 64  # values of the answer's kind in the prose after it; more is not one claim
_MAX_PARTS = 2_000  # parts of the answer a prose value may restate ("the last row is "#..#"")


def _fence_spans(text: str) -> list[_Fence]:
    """Every fenced block with its place: ``` blocks as :func:`code_fences` finds them, then ~~~ blocks.

    An unclosed fence after a closed one is one more block holding the rest of the text (as
    :func:`code_fences` has it for one language); ~~~ blocks are looked for outside ``` blocks only.

    Raises:
        NotOneClaimError: more than :data:`MAX_FENCES` blocks (no answer is written so; scanning stops).
    """
    blocks: list[_Fence] = []
    pos = 0
    while True:
        if len(blocks) > MAX_FENCES:
            raise NotOneClaimError(f"several answers: more than {MAX_FENCES} fenced blocks")
        start = text.find("```", pos)
        if start < 0:
            break
        newline = text.find("\n", start + 3)
        if newline < 0:
            break
        end = text.find("```", newline + 1)
        lang = _FENCE_LANG.match(text, start + 3).group(1).lower()
        if end < 0:
            rest = text[newline + 1 :]
            if blocks and rest.strip():
                blocks.append(_Fence(start, len(text), lang, rest, False, True))
            break
        blocks.append(_Fence(start, end + 3, lang, text[newline + 1 : end], True, True))
        pos = end + 3
    if "~~~" not in text:
        return blocks
    ticks = list(blocks)
    opened: re.Match[str] | None = None
    k = 0
    for m in _TILDE_LINE.finditer(text):
        while k < len(ticks) and ticks[k].end <= m.start():
            k += 1
        if k < len(ticks) and ticks[k].start <= m.start():
            continue  # inside a ``` block
        if len(blocks) > MAX_FENCES:
            raise NotOneClaimError(f"several answers: more than {MAX_FENCES} fenced blocks")
        if opened is None:
            opened = m
        elif len(m.group(1)) >= len(opened.group(1)) and not m.group(2).strip():
            lang = _FENCE_LANG.match(opened.group(2)).group(1).lower()
            blocks.append(
                _Fence(opened.start(), m.end(), lang, text[opened.end() + 1 : m.start()], True, False)
            )
            opened = None
    if opened is not None and blocks:
        rest = text[opened.end() + 1 :]
        if rest.strip():
            lang = _FENCE_LANG.match(opened.group(2)).group(1).lower()
            blocks.append(_Fence(opened.start(), len(text), lang, rest, False, False))
    blocks.sort(key=lambda b: b.start)
    return blocks


def _answer_fences(fences: list[_Fence], languages: tuple[str, ...]) -> list[_Fence]:
    """The ``` blocks :func:`code_fences` gives for ``languages``, with their places."""
    out: list[_Fence] = []
    for f in fences:
        if f.backticks and f.lang in languages and (f.closed or out):
            out.append(f)
    return out


def _without_comments(body: str) -> str | None:
    """Python source ``body`` with its ``#`` comments cut out, or None when it does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(body).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    lines = body.splitlines(keepends=True)
    for t in reversed([t for t in tokens if t.type == tokenize.COMMENT]):
        row, col = t.start
        line = lines[row - 1]
        lines[row - 1] = line[:col] + line[t.end[1] :]
    return "".join(lines)


def _block_literal(body: str, max_chars: int, max_depth: int) -> tuple[Any, bool] | None:
    """(value, whether it stands alone) of a block that holds a literal, else None (code, prose).

    A literal with a comment beside it (``[0, 1]  # after step 2``) still states its value; it does not
    stand alone, so its text stays prose to be read with the rest.
    """
    stripped = body.strip()
    if not stripped or len(stripped) > max_chars or not _LITERAL_START.match(stripped):
        return None
    try:
        return parse_literal(stripped, max_chars, max_depth), True
    except RepeatedKeyError:
        raise
    except NotOneClaimError:  # a comment beside it
        bare = _without_comments(stripped)
        if bare is None:
            return None
        try:
            return parse_literal(bare, max_chars, max_depth), False
        except AnswerParseError:
            return None
    except AnswerParseError:
        return None


_NOTHING = object()


def _inner(value: Any) -> Any:
    """The value of a one-key object (``{"output": X}`` -> ``X``), else a marker that matches nothing."""
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.values()))
    return _NOTHING


def _same_claim(got: Any, final: Any, rel_tol: float, abs_tol: float) -> bool:
    """Whether ``got`` states the answer ``final``: the same value, wrapped in one key or unwrapped."""
    if same_value(got, final, rel_tol, abs_tol):
        return True
    inner_final, inner_got = _inner(final), _inner(got)
    if inner_final is not _NOTHING and same_value(got, inner_final, rel_tol, abs_tol):
        return True
    if inner_got is not _NOTHING and same_value(inner_got, final, rel_tol, abs_tol):
        return True
    return (
        inner_got is not _NOTHING
        and inner_final is not _NOTHING
        and same_value(inner_got, inner_final, rel_tol, abs_tol)
    )


def _kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "constant"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple | set | frozenset):
        return "list"
    return "other"


def _parts(final: Any) -> list[Any]:
    """The answer and the values inside it (items, object values), at most :data:`_MAX_PARTS`."""
    out = [final]
    i = 0
    while i < len(out) and len(out) < _MAX_PARTS:
        value = out[i]
        i += 1
        if isinstance(value, dict):
            out.extend(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            out.extend(value)
    return out[:_MAX_PARTS]


def _shape(value: Any, memo: dict[int, Any]) -> Any:
    """A hashable form of ``value`` equal for values :func:`same_value` (JSON view) calls the same, floats aside.

    A tuple is the list it stands for and an integer key its decimal string, as JSON writes them; types
    are kept (``1``, ``1.0`` and ``True`` differ). ``memo`` holds the forms already built, by ``id``.
    """
    known = memo.get(id(value))
    if known is not None:
        return known
    if isinstance(value, list | tuple):
        shape: Any = ("list", tuple(_shape(v, memo) for v in value))
    elif isinstance(value, set | frozenset):
        shape = ("set", frozenset(_shape(v, memo) for v in value))
    elif isinstance(value, dict):
        shape = (
            "object",
            frozenset(
                (
                    k if type(k) is str else str(k) if type(k) is int else (type(k).__name__, k),
                    _shape(v, memo),
                )
                for k, v in value.items()
            ),
        )
    elif isinstance(value, float) and math.isnan(value):
        shape = ("float", "nan")
    else:
        shape = (type(value).__name__, value)
    memo[id(value)] = shape
    return shape


def _has_float(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float):
        return True
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_has_float(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_float(v, depth + 1) for v in value)
    return False


class _Parts:
    """The answer and the values inside it (items, object values), at most :data:`_MAX_PARTS`, for lookups."""

    def __init__(self, final: Any) -> None:
        self.final = final
        self.parts = _parts(final)
        memo: dict[int, Any] = {}
        try:
            self.shapes = {_shape(p, memo) for p in self.parts}
        except TypeError:  # an unhashable key inside: no quick lookups
            self.shapes = set()
        self.numbers = [p for p in self.parts if _kind(p) == "number"]


def _restates(value: Any, parts: _Parts, rel_tol: float, abs_tol: float) -> bool:
    """Whether a value in the prose after the answer restates it, or a part of it (an item, a row)."""
    if _same_claim(value, parts.final, rel_tol, abs_tol):
        return True
    kind = _kind(value)
    if kind == "number":  # prose has no number types: 2 restates 2.0
        return any(math.isclose(value, p, rel_tol=max(rel_tol, 1e-9), abs_tol=abs_tol) for p in parts.numbers)
    try:
        if _shape(value, {}) in parts.shapes:
            return True
    except TypeError:
        pass
    if not _has_float(value):
        return False  # exact values: the lookup decided
    size = len(value) if isinstance(value, list | tuple | dict | set | frozenset) else -1
    return any(
        _kind(p) == kind
        and (len(p) if isinstance(p, list | tuple | dict | set | frozenset) else -1) == size
        and same_value(value, p, rel_tol, abs_tol)
        for p in parts.parts
    )


def _groups(prose: str, *, first: bool = False) -> list[tuple[int, int]]:
    """The top-level bracket groups of ``prose`` (``[..]``, ``{..}``, ``(..)``), quotes inside them skipped.

    An apostrophe after a letter (``robot's``) is no quote; a group that meets a line end inside a quote,
    or a closing bracket of another kind, is dropped. With ``first``, only a group that opens at the start.
    """
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    quote = ""
    skip_to = -1
    for m in _GROUP_TOKEN.finditer(prose):
        i = m.start()
        if i < skip_to:
            continue
        ch = m.group()
        if quote:
            if ch == "\\":
                skip_to = i + 2
            elif ch == quote:
                quote = ""
            elif ch == "\n":
                quote, stack = "", []
            continue
        if ch == "\\":
            skip_to = i + 2  # \[ and \( are LaTeX's math delimiters, \{ an escaped brace: no group
            continue
        if first and not stack and (i > 0 or ch not in "[{("):
            return []
        if ch in "[{(":
            if not stack:
                start = i
            stack.append(ch)
        elif ch in "]})":
            if stack and stack[-1] == _PAIRS[ch]:
                stack.pop()
                if not stack:
                    spans.append((start, i + 1))
                    if first:
                        return spans
            else:
                stack = []
        elif ch in "\"'" and stack and not (ch == "'" and i > 0 and prose[i - 1].isalpha()):
            quote = ch
    return spans


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by one space (what is left is read on, never joined across)."""
    pieces = []
    pos = 0
    for begin, end in spans:
        pieces.append(text[pos:begin])
        pieces.append(" ")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _prose_values(prose: str, kinds: set[str], max_chars: int, max_depth: int) -> list[Any]:
    """The values of the answer's kinds that ``prose`` states.

    Lists and objects wherever they stand (in brackets or code ticks); any literal on a line of its own
    (``8``, ``"abd"``, ``true``, ``0, 0, 1``). A number or string in a sentence ("summing 1 and 2") is
    explanation, and ``or 8`` is caught as a hedge. A kind the answer does not have is not read at all:
    a count is no second list.
    """
    values: list[Any] = []
    budget = max_chars

    def literal(text: str) -> Any:
        nonlocal budget
        budget -= len(text)
        if budget < 0:
            raise NotOneClaimError("not one claim: the text after the answer states too much")
        return _parsed_or_nothing(text, max_chars, max_depth)

    def keep(value: Any, wanted: set[str]) -> None:
        if value is not _NOTHING and (_kind(value) in wanted or _kind(_inner(value)) in wanted):
            values.append(value)
            if len(values) > _MAX_PROSE_VALUES:
                raise NotOneClaimError("not one claim: the text after the answer states too many values")

    containers = kinds & {"list", "object"}
    if containers:
        ticks = list(_INLINE_CODE.finditer(prose))
        for m in ticks:
            if _LITERAL_START.match(m.group(1).strip()):
                keep(literal(m.group(1).strip()), containers)
        blanked = _blank(prose, [m.span() for m in ticks])
        for begin, end in _groups(blanked):
            keep(literal(blanked[begin:end]), containers)
    for line in prose.splitlines():
        # A line of its own ("0, 0, 1" is a tuple, "8" a number, `#..#` in code ticks a string), or the
        # value a line ends on after "is", "=", "gives", "returns" ... ("The answer is 8.").
        last = deque(_CLAIM_VERB.finditer(line), maxlen=1)  # the last "is", "=", "gives" ... of the line
        for said in (line, *(line[m.end() :] for m in last)):
            code = _CODE_LINE.fullmatch(said)
            said = _undecorate(said)
            if not said or len(said) > max_chars:
                continue
            value = literal(said) if _LITERAL_START.match(said) else _NOTHING
            if value is _NOTHING and code is not None:
                value = code.group(1).strip()  # code ticks set a value apart, quoted or not
            keep(value, kinds)
    return values


def _clauses(prose: str) -> list[str]:
    """``prose`` cut at sentence ends and line breaks, never inside brackets, quotes or code ticks."""
    ticks = [m.span() for m in _INLINE_CODE.finditer(prose)]
    flat = prose
    for begin, end in ticks:
        flat = flat[:begin] + " " * (end - begin) + flat[end:]
    kept = sorted([*ticks, *_groups(flat)])
    out: list[str] = []
    pos = 0
    k = 0
    for m in _CLAUSE_END.finditer(prose):
        at = m.start()
        while k < len(kept) and kept[k][1] <= at:
            k += 1
        if m.group() != "\n" and k < len(kept) and kept[k][0] <= at:
            continue  # a sentence end inside a bracket, quote or tick
        out.append(prose[pos:at])
        pos = m.end()
    out.append(prose[pos:])
    return [c for c in out if c.strip()]


def _clause_values(clause: str, strings: bool, max_chars: int, max_depth: int) -> list[Any]:
    """Every value a clause states, of any kind.

    Literals in brackets or code ticks; with ``strings`` (the answer holds strings) quoted and ticked text;
    numbers, but not those naming a place ("line 12", "step 3"); number words in a run ("zero, four, five")
    or as what something is said to be ("may be five"), not as a count ("pops one value").
    """
    values: list[Any] = []
    ticks = list(_INLINE_CODE.finditer(clause))
    rest = _blank(clause, [m.span() for m in ticks])
    for m in ticks:
        piece = m.group(1).strip()
        value = _literal_or_nothing(piece, max_chars, max_depth)
        if value is not _NOTHING:
            values.append(value)
        elif strings:
            values.append(piece)
    parsed = []
    spans = _groups(rest)
    for _ in range(_MAX_PROSE_VALUES):  # bounded: each group is opened at most once
        if not spans:
            break
        begin, end = spans.pop(0)
        value = _literal_or_nothing(rest[begin:end], max_chars, max_depth)
        if value is not _NOTHING:
            values.append(value)
            parsed.append((begin, end))
        elif end - begin > 2:  # no literal ("(or possibly [1, 1, 2])"): its groups are read, then its words
            spans[:0] = [(begin + 1 + b, begin + 1 + e) for b, e in _groups(rest[begin + 1 : end - 1])]
    rest = _blank(rest, parsed)
    if strings:
        values.extend(m.group(1) for m in _QUOTED.finditer(rest))
    rest = _QUOTED.sub(" ", rest)
    for m in _PROSE_NUMBER.finditer(rest):
        if _LABEL_BEFORE.search(rest[max(0, m.start() - 20) : m.start()]) or _COUNT_AFTER.match(
            rest, m.end()
        ):
            continue
        text = m.group()
        values.append(float(text) if any(c in text for c in ".eE") else int(text))
        if len(values) > _MAX_PROSE_VALUES:
            return values
    words = list(_NUMBER_WORD.finditer(rest))
    for i, m in enumerate(words):
        near = (i > 0 and not rest[words[i - 1].end() : m.start()].strip(" ,;and")) or (
            i + 1 < len(words) and not rest[m.end() : words[i + 1].start()].strip(" ,;and")
        )
        if near or _WORD_CLAIM_BEFORE.search(rest[max(0, m.start() - 20) : m.start()]):
            values.append(_NUMBER_WORDS[m.group().lower()])
        if len(values) > _MAX_PROSE_VALUES:
            break
    return values


def _literal_or_nothing(text: str, max_chars: int, max_depth: int) -> Any:
    if len(text) > max_chars:
        raise NotOneClaimError("not one claim: the text after the answer states too much")
    return _parsed_or_nothing(text, max_chars, max_depth)


def _parsed_or_nothing(text: str, max_chars: int, max_depth: int) -> Any:
    """``text`` parsed as a literal (``[0; 1]`` as a list too), or ``_NOTHING``; a repeated key still raises."""
    for attempt in (text, text.replace(";", ",") if ";" in text else None):
        if attempt is None:
            break
        try:
            return parse_literal(attempt, max_chars, max_depth)
        except RepeatedKeyError:
            raise
        except AnswerParseError:
            continue
    return _NOTHING


def _hedged_value(
    clause: str, parts: _Parts, max_chars: int, max_depth: int, rel_tol: float, abs_tol: float
) -> str | None:
    """The hedge of a clause that offers a value the answer does not state ("The top may be 5."), else None.

    A cue word alone is explanation ("Each step pushes or pops one value", "Either way, the result is the
    same"), and so is a value alone; together they offer another answer, or a part of one.
    """
    cleared = _NOT_A_HEDGE.sub(" ", clause)
    hedge = _PROSE_HEDGE.search(_INLINE_CODE.sub(" ", cleared))  # `or`, `if` in code ticks name code
    if hedge is None:
        return None
    strings = any(isinstance(p, str) for p in parts.parts)
    # A condition's own values are what it tests ("if a register is 0, jz jumps"): the values a hedge
    # offers stand outside it ("If the mod is applied first, the top is 5.", "D: 448 (if I am off)").
    cleared = _CONDITION.sub(" if ", cleared)
    for value in _clause_values(cleared, strings, max_chars, max_depth):
        if not _restates(value, parts, rel_tol, abs_tol):
            return hedge.group()
    return None


# The cues a worded answer's hedge carries (:func:`hedged_words`). "if", "or", "either", "otherwise" and
# "instead" are left out: "if she were a knight, her statement would be false", "otherwise Nate would lie"
# and "Nate or Peter lies" are how a puzzle is argued.
_WORD_HEDGE = re.compile(
    r"\b(?:maybe|may|might|could|possibly|perhaps|probably|likely|alternatively|alternative|"
    r"unless|in\s+case|unsure|uncertain|doubt\w*|guess\w*|plausibl[ey]|seems?|"
    r"not\s+(?:certain|sure|confident)|low\s+confidence|second\s+(?:candidate|guess|option)|"
    r"also\s+(?:consistent|works?|valid|possible|fits?))\b",
    re.IGNORECASE,
)
_NOT_A_WORD_HEDGE = re.compile(r"\b(?:could|may|might)\s+not\b|\bcouldn't\b|\beither\s+way\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,}")
_ORDINAL = re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)?(?!\w)", re.IGNORECASE)
_COMMON_WORDS = frozenset(
    "the and for are but not you all any can had her was one our out has him his how its may new now "
    "see two who did yes she too use that with have this will your from they been were said each which "
    "their there what when then them than only must also into more some such because since".split()
)
MAX_HEDGE_PROSE = 20_000  # prose after a worded answer read for hedges; longer is cut to its end


def hedged_words(prose: str, answer: str) -> str | None:
    """The hedge of a clause of ``prose`` (the text after a worded answer) that names one of its values.

    ``prose`` is cut into clauses at sentence ends and line breaks. A clause hedges on the answer when it
    carries a cue of doubt or of another option (``might``, ``alternatively``, ``not certain``, ``could``
    ...) and a value word: a word of ``answer`` (a name, ``knight``, ``owl``) or a number or ordinal
    ("5th"). "Nate might be a knight too." and "Alternatively Nate is a knight." hedge; "Nate must be a
    knave because ..." argues. Returns the cue, or None.
    """
    prose = fold_unicode(prose[-MAX_HEDGE_PROSE:])
    vocabulary = {w.casefold() for w in _WORD.findall(answer[:MAX_HEDGE_PROSE])} - _COMMON_WORDS
    for clause in _clauses(prose):
        cleared = _NOT_A_WORD_HEDGE.sub(" ", clause)
        hedge = _WORD_HEDGE.search(cleared)
        if hedge is None:
            continue
        if any(w.casefold() in vocabulary for w in _WORD.findall(cleared)):
            return hedge.group()
        for m in _ORDINAL.finditer(cleared):
            if not _LABEL_BEFORE.search(
                cleared[max(0, m.start() - 20) : m.start()]
            ) and not _COUNT_AFTER.match(cleared, m.end()):
                return hedge.group()
    return None


def _check_prose(
    text: str,
    region: int,
    masked: list[tuple[int, int]],
    final: Any,
    max_chars: int,
    max_depth: int,
    rel_tol: float,
    abs_tol: float,
) -> None:
    """Refuse, in ``text[region:]`` outside ``masked``, a clause that hedges on a value or states another one.

    The prose is cut into clauses (sentence ends, line breaks). A clause refuses the answer when it carries
    a cue of an alternative, a condition or a doubt (``or``, ``may``, ``if``, ``not certain`` ...) together
    with a value that is not the answer or a part of it ("The top value may be 5."); a cue alone, or words
    like "2 or more", are explanation. A clause that is not labelled as working ("After the if block",
    "at step 3", "initially") refuses when it states another value of the answer's kind, and a short label
    line ("Last: 5") when its value is no part of the answer.

    Raises:
        NotOneClaimError: the prose from the first answer block on states something else too.
    """
    spans = sorted((max(b, region), e) for b, e in masked if e > region)
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    pieces = []
    pos = region
    for begin, end in merged:
        pieces.append(text[pos:begin])
        pos = max(pos, end)
    pieces.append(text[pos:])
    prose = "\n".join(pieces)
    if not prose.strip():
        return
    if len(prose) > max_chars:
        raise NotOneClaimError("not one claim: more text after the answer than an answer may hold")
    prose = fold_unicode(prose)
    inner = _inner(final)  # {"output": X} is X in a wrapper: X's kind is the answer's
    kinds = {_kind(final) if inner is _NOTHING else _kind(inner)}
    parts = _Parts(final)
    part_kinds = {_kind(p) for p in parts.parts} - {"other"}
    found = 0
    for clause in _clauses(prose):
        hedge = _hedged_value(clause, parts, max_chars, max_depth, rel_tol, abs_tol)
        if hedge is not None:
            raise NotOneClaimError(f"not one claim: {hedge!r} beside another value than the answer's")
        if _INTERMEDIATE.search(clause) and not _FINAL_WORD.search(clause):
            continue  # working, labelled as such
        values = _prose_values(clause, kinds, max_chars, max_depth)
        labelled = _LABEL.match(clause)
        said = _undecorate(clause[labelled.end() :]).rstrip("?\u203d") if labelled is not None else ""
        if said and "\n" not in said and _LITERAL_START.match(said):
            values += _prose_values(said, part_kinds, max_chars, max_depth)
        found += len(values)
        if found > _MAX_PROSE_VALUES:
            raise NotOneClaimError("not one claim: the text after the answer states too many values")
        for value in values:
            if not _restates(value, parts, rel_tol, abs_tol):
                raise NotOneClaimError("several answers: the text beside the answer states another value")


def _only_claim(
    text: str,
    final: Any,
    read: _Read,
    max_chars: int,
    max_depth: int,
    rel_tol: float,
    abs_tol: float,
) -> None:
    """Refuse a response that states, beside its answer ``final``, another value (rules above).

    Raises:
        NotOneClaimError: another block, tag, answer line or the prose after the answer says something else.
    """
    fences = _fence_spans(text)
    answers = _answer_fences(fences, ("json",) if read.tagged else _PLAIN_FENCES)
    answers = answers[len(answers) - len(read.fences) :] if len(answers) >= len(read.fences) else []
    starts: list[int] = []
    masked: list[tuple[int, int]] = []
    if [f.body for f in answers] == read.fences:
        for i in read.fenced_at:
            starts.append(answers[i].start)
            masked.append((answers[i].start, answers[i].end))
    else:  # the two scans disagree: read from the first block on, and mask none of these
        answers = []
        starts.extend(f.start for f in fences[:1])
    taken = {(f.start, f.end) for f in answers}
    literal_blocks = 0
    budget = 2 * max_chars  # characters parsed in all: failed parses must not add up to seconds
    for i, f in enumerate(fences):
        if (f.start, f.end) in taken or (not f.closed and i == 0):
            continue  # an answer block, or a block left open with none before it (a response cut off)
        if f.backticks and f.lang == "json" and read.tagged:
            continue  # an earlier json block that does not parse: working notes
        stripped = f.body.strip()
        if not stripped or not _LITERAL_START.match(stripped):
            continue  # code or prose, never a literal
        budget -= len(stripped)
        if budget < 0:
            raise NotOneClaimError("several answers: too many blocks that look like values")
        found = _block_literal(stripped, max_chars, max_depth)
        if found is None:
            continue
        literal_blocks += 1
        if literal_blocks > MAX_CANDIDATES:
            raise NotOneClaimError(f"several answers: more than {MAX_CANDIDATES} blocks that hold a value")
        value, alone = found
        if not _same_claim(value, final, rel_tol, abs_tol):
            fence = "```" if f.backticks else "~~~"
            what = f"a {fence}{f.lang} block" if f.lang else "a fenced block"
            raise NotOneClaimError(f"several answers: {what} gives another value than the answer")
        starts.append(f.start)
        if alone:
            masked.append((f.start, f.end))
    spans = [(start, end) for start, end, _ in box_spans(text)]
    if len(spans) == len(read.boxes):
        for i in read.boxed_at:
            starts.append(spans[i][0])
            masked.append(spans[i])
    else:
        starts.extend(b for b, _ in spans[:1])
    if starts:
        _check_prose(text, min(starts), masked, final, max_chars, max_depth, rel_tol, abs_tol)
    bare_boxes = []
    for m in itertools.islice(_BARE_BOX.finditer(text), MAX_CANDIDATES):
        rest = text[m.end() : m.end() + max_chars]
        group = _groups(rest, first=True)
        if group:
            bare_boxes.append(rest[: group[0][1]])
    labelled = _ANSWER_WORD.search(text) is not None  # no "answer" in the text: no tag, no line to read
    answer_end = max((end for _, end in masked), default=-1)
    for what, said in (
        ("a change of mind after the answer", changes_of_mind(text[answer_end:]) if answer_end >= 0 else []),
        ("an <answer> tag", answer_tags(text) if labelled else []),
        ("an Answer: line", answer_lines(text) if labelled else []),
        ("a \\boxed without braces", bare_boxes),  # \boxed [1, 2]: LaTeX boxes only "[", a reader sees a list
    ):
        for item in said[-MAX_CANDIDATES:]:
            if len(item) > max_chars or not _LITERAL_START.match(item):
                continue
            try:
                value = parse_literal(item, max_chars, max_depth)
            except RepeatedKeyError:
                raise
            except AnswerParseError:
                continue
            if not _same_claim(value, final, rel_tol, abs_tol):
                raise NotOneClaimError(f"several answers: {what} gives another value than the answer")


def read_json_answer(
    response: str,
    *,
    bare_text: bool = False,
    max_chars: int = MAX_ANSWER_CHARS,
    max_depth: int = MAX_DEPTH,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-9,
) -> JsonAnswer:
    """The final structured answer of ``response`` (rules in the module docstring).

    Args:
        response: the full model response.
        bare_text: take a boxed answer that is not a literal as a plain string.
        max_chars: longest answer text parsed.
        max_depth: deepest bracket nesting parsed.
        rel_tol: tolerance used only to decide whether two candidates agree.
        abs_tol: see ``rel_tol``.

    Raises:
        AnswerParseError: no answer, an unparsable one, or candidates that disagree.
    """
    if not isinstance(response, str):
        raise AnswerParseError(f"response must be text, got {type(response).__name__}")
    text = strip_think(response)
    tagged = code_fences(text, ("json",))
    plain = [] if tagged else code_fences(text, _PLAIN_FENCES)
    boxes = all_boxed(text)
    if len(tagged) > MAX_CANDIDATES or len(boxes) > MAX_CANDIDATES:
        raise NotOneClaimError(f"several answers: more than {MAX_CANDIDATES} answer blocks")
    plain = plain[-MAX_CANDIDATES:]
    candidates = [*tagged, *plain, *boxes]
    if len(candidates) > 1 and sum(map(len, candidates)) > max_chars:
        # Parsing is linear, but a Python literal costs ~3 us a character: 16 blocks at the size cap would
        # cost seconds. Several blocks that together exceed the cap for one answer are not one claim.
        raise NotOneClaimError(
            f"several answers: {len(candidates)} answer blocks, over {max_chars:,} characters together"
        )

    error: AnswerParseError | None = None
    fenced: list[JsonAnswer] = []
    fenced_at: list[int] = []  # which of the answer blocks parsed (their index), to find them in the text
    if tagged:
        for i, body in enumerate(tagged):
            try:
                fenced.append(JsonAnswer(parse_literal(body, max_chars, max_depth), body.strip(), "fence"))
                fenced_at.append(i)
            except RepeatedKeyError:
                raise
            except AnswerParseError as exc:
                if i == len(tagged) - 1:
                    error = exc  # the last json block is the answer: it must parse
        if error is not None:
            fenced, fenced_at = [], []
    else:
        for i, body in enumerate(plain):
            try:
                fenced.append(JsonAnswer(parse_literal(body, max_chars, max_depth), body.strip(), "fence"))
                fenced_at.append(i)
            except RepeatedKeyError:
                raise
            except AnswerParseError as exc:
                error = error or exc  # working notes (a python block) are no candidate

    boxed: list[JsonAnswer] = []
    boxed_at: list[int] = []
    box_error: AnswerParseError | None = None
    for i, inner in enumerate(boxes):
        try:
            boxed.append(JsonAnswer(_parse_boxed(inner, bare_text, max_chars, max_depth), inner, "boxed"))
            boxed_at.append(i)
        except RepeatedKeyError:
            raise
        except AnswerParseError as exc:
            if i == len(boxes) - 1:
                box_error = exc  # the last box is the answer: it must parse (earlier ones may be notes)
    if box_error is not None:
        if not fenced:
            raise box_error
        boxed, boxed_at = [], []

    fence = _one_value(fenced, "fenced blocks", rel_tol, abs_tol)
    box = _one_value(boxed, "boxed answers", rel_tol, abs_tol)
    if fence is not None and box is not None:
        if not same_value(fence.value, box.value, rel_tol, abs_tol):
            raise NotOneClaimError(
                "ambiguous answer: the fenced block and the boxed answer give different values"
            )
        answer = box
    else:
        answer = fence if fence is not None else box
    if answer is not None:
        _only_claim(
            text,
            answer.value,
            _Read(tagged or plain, bool(tagged), fenced_at, boxes, boxed_at),
            max_chars,
            max_depth,
            rel_tol,
            abs_tol,
        )
        return answer
    if not boxes and not tagged and not plain:
        stripped = text.strip()
        if stripped and len(stripped) <= max_chars:
            try:
                return JsonAnswer(parse_literal(stripped, max_chars, max_depth), stripped, "whole")
            except RepeatedKeyError:
                raise
            except AnswerParseError:
                pass
        raise AnswerParseError("no answer found: give it in a ```json fenced block or \\boxed{}")
    raise error or AnswerParseError("no parsable answer")


def unwrap_key(value: Any, key: str, reference: Any = None) -> Any:
    """``{"output": X}`` -> ``X`` (GURU CodeI/O's wrapper), unless the reference itself has that shape.

    Only an object whose single key is ``key`` is unwrapped: ``{"output": X, "alternative_output": Y}``
    stays an object (and so matches no reference but such an object).
    """
    if isinstance(value, dict) and len(value) == 1 and key in value:
        if not (isinstance(reference, dict) and len(reference) == 1 and key in reference):
            return value[key]
    return value


def last_json_object(
    text: str,
    max_chars: int = MAX_ANSWER_CHARS,
    max_depth: int = MAX_DEPTH,
    *,
    key: str | None = None,
    keyed_only: bool = False,
) -> Any:
    """The last complete top-level ``{...}`` in free text that parses (for unfenced CodeI/O answers).

    With ``key``, objects whose only key is ``key`` (``{"output": ...}``) are the answer: the last one
    counts, and every other such object in the text must give the same value, or the text holds several
    answers. A key is matched as the parser reads it, escapes decoded and in any case or width
    (``{"\\u006futput": ..}``, ``{'out' 'put': ..}``, ``{"OUTPUT": ..}`` are such objects too). Without
    one, the last object that parses counts (GURU's reading). Either way, from the first answer object on
    the text must state nothing else: no hedge, no other value of the answer's kind
    (``{"output": [1, 2]} or maybe {"answer": [3]}`` is two answers). One left-to-right pass finds the
    top-level brace groups; at most :data:`MAX_CANDIDATES` are parsed, from the last, and at most
    ``max_chars`` characters in all. With ``keyed_only``, only ``key`` objects are read (no fallback).

    Raises:
        AnswerParseError: when no such object exists, or the answers disagree.
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = -1
    for m in _BRACES.finditer(text):  # only the braces are visited, not every character
        if m.group() == "{":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    if key is not None:
        folded = key.casefold()
        answers: list[tuple[Any, tuple[int, int]]] = []
        budget = 2 * max_chars  # characters parsed in all: failed parses must not add up to seconds
        tries = 0
        for begin, end in spans:
            if end - begin > max_chars:
                continue
            if (
                _KEY_ESCAPE.search(text, begin, end) is None
                and folded not in _SQUASH.sub("", fold_unicode(text[begin:end])).casefold()
            ):
                continue  # no spelling of the key in it
            budget -= end - begin
            tries += 1
            if budget < 0 or tries > MAX_FENCES:
                raise NotOneClaimError("several answers: too many answer objects, too long together")
            try:
                value = parse_literal(text[begin:end], max_chars, max_depth)
            except RepeatedKeyError:
                raise
            except AnswerParseError:
                continue
            if isinstance(value, dict) and len(value) == 1:
                (name,) = value
                if isinstance(name, str) and fold_unicode(name).casefold() == folded:
                    answers.append((value, (begin, end)))
                    if len(answers) > MAX_CANDIDATES:
                        raise NotOneClaimError(f"several answers: more than {MAX_CANDIDATES} answer objects")
        if answers:
            exact = [a for a in answers if key in a[0]]
            found = (exact or answers)[-1][0]
            for value, _ in answers:
                if not same_value(_inner(value), _inner(found)):
                    raise NotOneClaimError(f'several answers: the "{key}" objects give different values')
            spans_of = [span for _, span in answers]
            _check_prose(text, spans_of[0][0], spans_of, found, max_chars, max_depth, 1e-9, 1e-9)
            return found
    if keyed_only:
        raise AnswerParseError(f'no "{key}" object found')
    budget = max_chars  # characters parsed in all: failed parses must not add up to seconds
    for begin, end in reversed(spans[-MAX_CANDIDATES:]):
        if end - begin > max_chars:
            continue
        budget -= end - begin
        if budget < 0:
            break
        try:
            value = parse_literal(text[begin:end], max_chars, max_depth)
        except RepeatedKeyError:
            raise
        except AnswerParseError:
            continue
        _check_prose(text, begin, [(begin, end)], value, max_chars, max_depth, 1e-9, 1e-9)
        return value
    raise AnswerParseError("no JSON object found")
