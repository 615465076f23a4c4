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
   the caller allows it (``\\boxed{abc}`` for the string ``"abc"``).
4. A fenced and a boxed answer that differ are ambiguous and refused.
5. With no fence and no box, a response that is nothing but a literal (``[1, 2]``) is accepted.

Comparison is :func:`same_value`: one exact claim per answer type. Booleans, integers, floats, strings
and ``null`` are different types (``True`` is not ``1``, ``2.0`` is not ``2``); floats agree within a
tolerance; a set is never a list; object keys must match exactly. In the JSON view (the default, for
answers about JSON data) a tuple is an array, as JSON writes it; in the Python view (for ``==`` on
Python literals) tuples, lists and sets all differ and floats are exact.

Every step is linear in the response length, so hostile responses cost little.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from guru_envs.verify.claim import MAX_BOXES
from guru_envs.verify.extract import all_boxed, code_fences, strip_think, strip_wrappers
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

__all__ = [
    "MAX_CANDIDATES",
    "JsonAnswer",
    "NotOneClaimError",
    "RepeatedKeyError",
    "json_loads_unique",
    "last_json_object",
    "parse_literal",
    "read_json_answer",
    "same_value",
    "unwrap_key",
]

_PLAIN_FENCES = ("", "text", "plaintext", "python", "py", "python3")
MAX_CANDIDATES = MAX_BOXES  # answer blocks (fences or boxes) of one response; more is refused, not scanned
_BRACES = re.compile(r"[{}]")
_LATEX_ESCAPES = ("\\{", "\\}", "\\_", "\\&", "\\%", "\\#", "\\$")


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


def _parse_boxed(inner: str, bare_text: bool, max_chars: int, max_depth: int) -> Any:
    text = strip_wrappers(inner)
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
        if bare_text and text and len(text) <= max_chars and "\n" not in text:
            return text
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
    if tagged:
        for i, body in enumerate(tagged):
            try:
                fenced.append(JsonAnswer(parse_literal(body, max_chars, max_depth), body.strip(), "fence"))
            except RepeatedKeyError:
                raise
            except AnswerParseError as exc:
                if i == len(tagged) - 1:
                    error = exc  # the last json block is the answer: it must parse
        if error is not None:
            fenced = []
    else:
        for body in plain:
            try:
                fenced.append(JsonAnswer(parse_literal(body, max_chars, max_depth), body.strip(), "fence"))
            except RepeatedKeyError:
                raise
            except AnswerParseError as exc:
                error = error or exc  # working notes (a python block) are no candidate

    boxed: list[JsonAnswer] = []
    box_error: AnswerParseError | None = None
    for i, inner in enumerate(boxes):
        try:
            boxed.append(JsonAnswer(_parse_boxed(inner, bare_text, max_chars, max_depth), inner, "boxed"))
        except RepeatedKeyError:
            raise
        except AnswerParseError as exc:
            if i == len(boxes) - 1:
                box_error = exc  # the last box is the answer: it must parse (earlier ones may be notes)
    if box_error is not None:
        if not fenced:
            raise box_error
        boxed = []

    fence = _one_value(fenced, "fenced blocks", rel_tol, abs_tol)
    box = _one_value(boxed, "boxed answers", rel_tol, abs_tol)
    if fence is not None and box is not None:
        if not same_value(fence.value, box.value, rel_tol, abs_tol):
            raise NotOneClaimError(
                "ambiguous answer: the fenced block and the boxed answer give different values"
            )
        return box
    if fence is not None:
        return fence
    if box is not None:
        return box
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
    text: str, max_chars: int = MAX_ANSWER_CHARS, max_depth: int = MAX_DEPTH, *, key: str | None = None
) -> Any:
    """The last complete top-level ``{...}`` in free text that parses (for unfenced CodeI/O answers).

    With ``key``, objects whose only key is ``key`` (``{"output": ...}``) are the answer: the last one
    counts, and every other such object in the text must give the same value, or the text holds several
    answers. Without one, the last object that parses counts (GURU's reading). One left-to-right pass
    finds the top-level brace groups; at most :data:`MAX_CANDIDATES` are parsed, from the last, and at most
    ``max_chars`` characters in all.

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
        quoted = json.dumps(key)
        keyed = [s for s in spans if quoted in text[s[0] : s[1]] or repr(key) in text[s[0] : s[1]]]
        if len(keyed) > MAX_CANDIDATES:
            raise NotOneClaimError(f"several answers: more than {MAX_CANDIDATES} answer objects")
        if len(keyed) > 1 and sum(end - begin for begin, end in keyed) > max_chars:
            raise NotOneClaimError(f"several answers: {len(keyed)} answer objects, too long together")
        answers: list[JsonAnswer] = []
        for begin, end in keyed:
            if end - begin > max_chars:
                continue
            try:
                value = parse_literal(text[begin:end], max_chars, max_depth)
            except RepeatedKeyError:
                raise
            except AnswerParseError:
                continue
            if isinstance(value, dict) and len(value) == 1 and key in value:
                answers.append(JsonAnswer(value, text[begin:end], "object"))
        found = _one_value(answers, f'"{key}" objects', 0.0, 0.0)
        if found is not None:
            return found.value
    budget = max_chars  # characters parsed in all: failed parses must not add up to seconds
    for begin, end in reversed(spans[-MAX_CANDIDATES:]):
        if end - begin > max_chars:
            continue
        budget -= end - begin
        if budget < 0:
            break
        try:
            return parse_literal(text[begin:end], max_chars, max_depth)
        except RepeatedKeyError:
            raise
        except AnswerParseError:
            continue
    raise AnswerParseError("no JSON object found")
