"""Structured answers (lists, objects, numbers): one bounded parser and one comparator, shared by every domain.

**Parsing** (:func:`parse_structured`). Model text is never evaluated. JSON goes through the json parser;
Python-literal syntax (tuples, single quotes, ``True``/``None``) through ``ast.literal_eval``, which only
builds literals. Both run only under a size cap and a nesting-depth cap checked first, in linear time, so a
hostile answer costs microseconds. An object that repeats a key is refused (:class:`RepeatedKeyError`):
JSON parsers keep the last value, so ``{"a": 1, "a": 2}`` would say two things.

**Comparison** (:func:`same_value`): one exact claim per answer type; the reference's types decide.
Booleans, integers, floats, strings and ``null`` are different types (``True`` is not ``1``, ``2.0`` is not
``2``); floats agree within a tolerance (or, with ``stated=True``, as a stated answer to a reference:
exactly, up to float noise, or correctly rounded to six or more significant digits); a set is never a list;
object keys must match exactly. Three views:

- JSON (the default, for answers about JSON data): a tuple is an array, as JSON writes it; integer object
  keys are their decimal strings.
- Python (``python=True``, for ``==`` on Python literals): tuples, lists and sets all differ, floats exact.
- Judge (``judge=True``, :func:`values_equal`, for the values a program returns, which a test compares the
  way Python's ``==`` does): the JSON view, except that numbers compare by value; a float where an int is
  expected only when exactly equal (``3.0`` for ``3``, never ``1000000.4``), an int where a float is
  expected within the tolerance. The tolerance never applies between two ints, and a bool is never a
  number.
"""

from __future__ import annotations

import ast
import io
import json
import math
import tokenize
import warnings
from typing import Any

from guru_envs.verify.numeric import float_matches

MAX_ANSWER_CHARS = 200_000
MAX_DEPTH = 64

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_DEPTH",
    "AnswerParseError",
    "NotOneClaimError",
    "RepeatedKeyError",
    "canonical",
    "has_comment",
    "json_loads_unique",
    "nesting_depth",
    "parse_literal",
    "parse_structured",
    "same_value",
    "values_equal",
]


class AnswerParseError(ValueError):
    """The answer text is not a bounded JSON or Python literal."""


def nesting_depth(text: str) -> int:
    """Maximum bracket nesting depth of ``text`` (strings not excluded: a safe over-estimate)."""
    depth = best = 0
    for ch in text:
        if ch in "[{(":
            depth += 1
            if depth > best:
                best = depth
        elif ch in "]})":
            depth = max(0, depth - 1)
    return best


# ------------------------------------------------------------------------------------------ parsing
class NotOneClaimError(AnswerParseError):
    """The response says several things where one answer is asked for; no other reading is tried."""


class RepeatedKeyError(NotOneClaimError):
    """An object in the answer gives one key twice (JSON parsers would silently keep the last)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RepeatedKeyError(f"the object repeats the key {key!r}")
        out[key] = value
    return out


_UNIQUE_KEYS = json.JSONDecoder(
    object_pairs_hook=_unique_pairs
)  # built once: json.loads(**kw) builds one per call


def json_loads_unique(text: str) -> Any:
    """``json.loads`` that refuses an object repeating a key (:class:`RepeatedKeyError`) instead of keeping the last."""
    return _UNIQUE_KEYS.decode(text)


def _check_dict_keys(tree: ast.AST) -> None:
    """Refuse a dict display whose keys collide as Python's dict would merge them (``1``, ``1.0``, ``True``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            seen: set[Any] = set()
            for key in node.keys:
                if key is None:  # {**x}: not a literal; literal_eval refuses it
                    continue
                try:
                    value = ast.literal_eval(key)
                    repeated = value in seen
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue  # not a hashable literal: literal_eval of the whole refuses it
                if repeated:
                    raise RepeatedKeyError(f"the object repeats the key {value!r}")
                seen.add(value)


def _strip_fence(text: str) -> str:
    s = text.strip()
    if s.startswith("```"):
        s = s.split("\n", 1)[1] if "\n" in s else s[3:]
        s = s[: s.rfind("```")] if s.rstrip().endswith("```") else s
        s = s.strip()
    return s


def has_comment(s: str) -> bool:
    """Whether Python source ``s`` (already parsed) holds a ``#`` comment outside its string literals."""
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(s).readline))
    except (tokenize.TokenError, SyntaxError):
        return True


def parse_structured(text: str, max_chars: int = MAX_ANSWER_CHARS, max_depth: int = MAX_DEPTH) -> Any:
    """A JSON value, or failing that a Python literal, from ``text``; objects that repeat a key are refused.

    A surrounding markdown code fence (```json ... ```) is removed first. An answer is one claim, and
    ``{"a": 1, "a": 2}`` is two.

    Raises:
        AnswerParseError: too long, too deep, a repeated key, or not a literal (the message says which).
    """
    if not isinstance(text, str):
        raise AnswerParseError(f"answer must be text, got {type(text).__name__}")
    s = _strip_fence(text)
    if len(s) > max_chars:
        raise AnswerParseError(f"answer has {len(s):,} characters, over the {max_chars:,} limit")
    if not s:
        raise AnswerParseError("answer is empty")
    if nesting_depth(s) > max_depth:
        raise AnswerParseError(f"answer nests deeper than {max_depth} levels")
    try:
        return _UNIQUE_KEYS.decode(s)
    except RepeatedKeyError:
        raise
    except (json.JSONDecodeError, RecursionError, ValueError):
        pass
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like are about model text
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)  # invalid escapes in string literals (3.11)
            tree = ast.parse(s, mode="eval")
        if "{" in s:  # only a dict display can repeat a key
            _check_dict_keys(tree)
        if "#" in s and has_comment(s):  # [12, 14]  # or [12, 15]: the parser drops what a reader sees
            raise NotOneClaimError(
                "a comment beside the literal: an answer is one claim, with nothing beside it"
            )
        return ast.literal_eval(tree)
    except NotOneClaimError:
        raise
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise AnswerParseError(f"not a JSON or Python literal: {type(exc).__name__}") from None


parse_literal = parse_structured  # the name the JSON answer readers use


# --------------------------------------------------------------------------------------- comparison
def _json_key(key: Any) -> str | None:
    """An object key as JSON writes it: strings as they are, integers in decimal; other keys have no JSON form."""
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    return None


def _json_dict(value: dict[Any, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _json_key(key)
        if name is None or name in out:  # a key JSON cannot hold, or {1: .., "1": ..}: two claims for one key
            return None
        out[name] = item
    return out


def _same(
    a: Any, b: Any, rel_tol: float, abs_tol: float, python: bool, judge: bool = False, stated: bool = False
) -> bool:
    if type(b) is bool or b is None:
        return a is b
    if type(b) is int:
        if judge and type(a) is float:
            return (
                a == b
            )  # exactly, as Python compares an int and a float: 3.0 is 3, 1000000.4 is not 1000000
        return type(a) is int and a == b
    if type(b) is float:
        if judge and type(a) is int:
            a = float(a)  # an int where a float is expected is a number like any other
        if type(a) is not float:
            return False
        if math.isnan(b) or math.isnan(a):
            return math.isnan(a) and math.isnan(b)
        if python:
            return a == b
        if stated:
            return float_matches(a, b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
    if type(b) is str:
        return type(a) is str and a == b
    if isinstance(b, list | tuple):
        if python:
            if type(a) is not type(b):
                return False
        elif not isinstance(a, list | tuple):
            return False
        return len(a) == len(b) and all(
            _same(x, y, rel_tol, abs_tol, python, judge, stated) for x, y in zip(a, b)
        )
    if isinstance(b, set | frozenset):
        if not isinstance(a, set | frozenset) or (python and type(a) is not type(b)) or len(a) != len(b):
            return False
        return _tagged(a) == _tagged(b)
    if isinstance(b, dict):
        if not isinstance(a, dict) or len(a) != len(b):
            return False
        ja, jb = (None, None) if python else (_json_dict(a), _json_dict(b))
        if ja is not None and jb is not None:
            if ja.keys() != jb.keys():
                return False
            return all(_same(ja[k], jb[k], rel_tol, abs_tol, python, judge, stated) for k in jb)
        if not (python or judge):
            return False  # a key JSON cannot hold, or {1: .., "1": ..}
        keys_a = {_tag(k): v for k, v in a.items()}  # Python's keys ({(1, 2): "x"} returned by a program)
        keys_b = {_tag(k): v for k, v in b.items()}
        if keys_a.keys() != keys_b.keys():
            return False
        return all(_same(keys_a[k], keys_b[k], rel_tol, abs_tol, python, judge, stated) for k in keys_b)
    return type(a) is type(b) and bool(a == b)


def _tag(value: Any) -> Any:
    """A hashable form of ``value`` that keeps its type: ``1``, ``1.0``, ``True`` and ``(1,)`` stay apart."""
    kind = type(value)
    if kind is float and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, list | tuple):
        return (kind.__name__, tuple(_tag(v) for v in value))
    if isinstance(value, set | frozenset):
        return (kind.__name__, _tagged(value))
    if isinstance(value, dict):
        return ("dict", frozenset((_tag(k), _tag(v)) for k, v in value.items()))
    return (kind.__name__, value)


def _tagged(items: Any) -> frozenset[Any]:
    return frozenset(_tag(v) for v in items)


def same_value(
    got: Any,
    want: Any,
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
    *,
    python: bool = False,
    judge: bool = False,
    stated: bool = False,
) -> bool:
    """Whether ``got`` makes exactly the claim ``want`` makes (rules in the module docstring).

    Args:
        got: the answer's value.
        want: the reference value; its types decide what counts.
        rel_tol: relative float tolerance (JSON view only).
        abs_tol: absolute float tolerance (JSON view only).
        python: compare as Python literals: tuple, list, set and frozenset differ, floats are exact.
        judge: the JSON view with numbers compared by value, as a test judge compares a returned value
            (Code): an int is accepted where a float is expected (within the tolerance), and a float where
            an int is expected only when exactly equal (``3.0`` for ``3``, never ``1000000.4`` for
            ``1000000``). Booleans are still not numbers, and a set is still not an array.
        stated: floats compare as a stated answer to a reference, by
            :func:`guru_envs.verify.numeric.float_matches` (exact, float noise, or correctly rounded with
            six significant digits) instead of the tolerances: ``123456700.0`` is not ``123456789.0``.
    """
    try:
        return _same(got, want, rel_tol, abs_tol, python, judge, stated)
    except (RecursionError, TypeError, ValueError, OverflowError):  # absurd values are no match
        return False


def values_equal(got: Any, want: Any, rel_tol: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    """Whether a returned value ``got`` is the expected ``want``, as a test judge decides.

    :func:`same_value` in its judge view (see the module docstring). ``want``'s types decide: a set is not
    a list, a bool is not an int, and the float tolerance applies only where ``want`` holds a float.
    """
    return same_value(got, want, rel_tol, abs_tol, judge=True)


def canonical(value: Any) -> Any:
    """JSON's view of a value, for showing it (tuples as lists, sets as sorted lists, keys as strings).

    For display only: it forgets the differences :func:`same_value` keeps (a set becomes a list).
    """
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    return value
