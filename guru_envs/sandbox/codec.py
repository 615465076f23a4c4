"""Plain-data codec between the scorer and sandboxed code: values cross the boundary as JSON text.

A submission's return value is turned into plain data *inside* the sandbox and rebuilt *in the
scorer*, so the scorer only ever compares builtin ``None/bool/int/float/str/bytes/list/tuple/dict/
set/frozenset/complex`` values. An object whose ``__eq__`` always says True, or an ``int`` subclass
that lies about its value, cannot survive the trip: subclasses of builtins are reduced to their true
builtin value through the base type's own methods (a ``namedtuple`` becomes a ``tuple``), and any
other object is refused with :class:`Unserialisable`.

JSON has no tuples, sets, bytes, big integers or NaN, so those travel as one-key tagged objects
(``{"$tuple": [...]}``, ``{"$int": "0x..."}``); a dict whose keys are not all plain strings, or that
has a key starting with ``$``, travels as ``{"$dict": [[k, v], ...]}`` so tags are never ambiguous.

This module is stdlib-only: the pool ships it to the sandbox worker as bytecode, outside the package.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Sandboxed code runs in the same process as the encoder and may rebind builtins or module attributes;
# the encoder keeps its own references, taken when the module is loaded.
_type, _id, _isinstance, _hex, _repr = type, id, isinstance, hex, repr
_isfinite = math.isfinite
_set, _map, _min, _max, _list, _len, _hash = set, map, min, max, list, len, hash

MAX_DEPTH = 200  # nesting depth of one value; deeper is refused (and bounds the recursion below)
# Items of one set (or keys of one dict) that may share a hash value when decoded (see _check_hashes).
MAX_SAME_HASH = 64
_SAFE_INT = 2**53  # ints beyond this travel as hex text: exact, and free of int_max_str_digits
_TAGS = ("$int", "$float", "$tuple", "$set", "$frozenset", "$bytes", "$complex", "$dict")


def _base64() -> Any:
    """``base64``, imported on first use (for the rare bytes value).

    In the sandbox worker it would add two shared libraries (``binascii``, ``libz``) to the image every
    test's process is forked from. A submission that replaced ``sys.modules["base64"]`` only garbles its own returned value, which it
    could have returned wrong anyway; arguments are decoded before any of it runs.
    """
    import base64

    return base64


class Unserialisable(ValueError):
    """A value that cannot be reduced to plain data (custom object, cycle, too deep)."""


class DecodeError(ValueError):
    """Malformed encoded data (only a hostile or broken peer produces it)."""


def encode(value: Any) -> Any:
    """Return a JSON-compatible form of ``value``; raise :class:`Unserialisable` when impossible."""
    return _enc(value, 0, set())


def _enc(x: Any, depth: int, path: set[int]) -> Any:
    # Exact type checks first: the common cases cost one comparison each.
    t = _type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return x if -_SAFE_INT < x < _SAFE_INT else {"$int": _hex(x)}
    if t is float:
        return x if _isfinite(x) else {"$float": _repr(x)}
    if depth >= MAX_DEPTH:
        raise Unserialisable(f"value nested deeper than {MAX_DEPTH}")
    if t is list or t is tuple or t is dict or t is set or t is frozenset:
        key = _id(x)
        if key in path:
            raise Unserialisable("value contains a reference cycle")
        if (t is list or t is tuple) and _plain_items(x):
            return _list(x) if t is list else {"$tuple": _list(x)}
        path.add(key)
        try:
            if t is list:
                return [_enc(v, depth + 1, path) for v in x]
            if t is tuple:
                return {"$tuple": [_enc(v, depth + 1, path) for v in x]}
            if t is dict:
                if all(_type(k) is str and not str.startswith(k, "$") for k in x):
                    return {k: _enc(v, depth + 1, path) for k, v in x.items()}
                return {"$dict": [[_enc(k, depth + 1, path), _enc(v, depth + 1, path)] for k, v in x.items()]}
            tag = "$set" if t is set else "$frozenset"
            return {tag: [_enc(v, depth + 1, path) for v in x]}
        finally:
            path.discard(key)
    if t is bytes or t is bytearray:
        return {"$bytes": _base64().b64encode(bytes(x)).decode("ascii")}
    if t is complex:
        return {"$complex": [_enc(x.real, depth + 1, path), _enc(x.imag, depth + 1, path)]}
    return _enc(_reduce_subclass(x), depth, path)


_UNTAGGED = frozenset((str, bool, type(None)))
_JSON_SCALARS = _UNTAGGED | {int, float}


def _plain_items(x: list | tuple) -> bool:
    """True when every item is a scalar that travels as itself, checked at C speed.

    A list of ten thousand ints would otherwise cost ten thousand recursive calls. Only exact types
    are accepted, and the comparisons below are between exact ints, so no method of the
    submission's runs here.
    """
    types = _set(_map(_type, x))
    if types <= _UNTAGGED:
        return True
    if types == {int}:
        return -_SAFE_INT < _min(x) and _max(x) < _SAFE_INT
    return False


def _reduce_subclass(x: Any) -> Any:
    """The true builtin value of an instance of a builtin's subclass, read with the base's own methods.

    ``int.__add__(x, 0)`` reads the C-level value and ignores any override on ``type(x)``; the same
    holds for the other calls here. An override of ``__eq__``, ``__int__`` or ``__iter__`` is never used.
    """
    if _isinstance(x, int):
        return int.__add__(x, 0)
    if _isinstance(x, float):
        return float.__float__(x)
    if _isinstance(x, str):
        return str.__str__(x)
    if _isinstance(x, complex):
        return complex.__complex__(x)
    if _isinstance(x, bytes | bytearray):
        return bytes(memoryview(x))
    if _isinstance(x, tuple):
        return tuple(tuple.__iter__(x))
    if _isinstance(x, list):
        return list(list.__iter__(x))
    if _isinstance(x, dict):
        return dict(dict.items(x))
    if _isinstance(x, frozenset):
        return frozenset(frozenset.__iter__(x))
    if _isinstance(x, set):
        return set(set.__iter__(x))
    raise Unserialisable(f"cannot return an object of type {_type(x).__name__!s:.80}: only plain data")


def dumps(value: Any) -> str:
    """Encode ``value`` to compact ASCII JSON text (no newlines, so records can be line-delimited)."""
    return json.dumps(encode(value), ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def decode(data: Any) -> Any:
    """Rebuild a value from its JSON-compatible form; raise :class:`DecodeError` on malformed input."""
    try:
        return _dec(data, 0)
    except DecodeError:
        raise
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, OverflowError, MemoryError) as exc:
        raise DecodeError(f"malformed value: {type(exc).__name__}") from None


def _dec(x: Any, depth: int) -> Any:
    t = type(x)
    if x is None or t is bool or t is str or t is int or t is float:
        return x
    if depth >= MAX_DEPTH + 2:
        raise DecodeError("value nested too deeply")
    if t is list:
        if _set(_map(_type, x)) <= _JSON_SCALARS:  # JSON scalars stand for themselves
            return _list(x)
        return [_dec(v, depth + 1) for v in x]
    if t is not dict:
        raise DecodeError(f"unexpected JSON type {t.__name__}")
    if len(x) == 1:
        ((tag, body),) = x.items()
        if tag in _TAGS:
            return _dec_tag(tag, body, depth)
    if any(k.startswith("$") for k in x):
        raise DecodeError("unknown tag")
    return {k: _dec(v, depth + 1) for k, v in x.items()}


def _dec_tag(tag: str, body: Any, depth: int) -> Any:
    if tag == "$int":
        if type(body) is not str or len(body) > 1 << 22:
            raise DecodeError("bad $int")
        return int(body, 16)
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise DecodeError("bad $float")
        return float(body)
    if tag == "$bytes":
        if type(body) is not str:
            raise DecodeError("bad $bytes")
        return _base64().b64decode(body.encode("ascii"), validate=True)
    if type(body) is not list:
        raise DecodeError(f"bad {tag}")
    if tag == "$complex":
        if len(body) != 2 or not all(type(v) in (int, float) or type(v) is dict for v in body):
            raise DecodeError("bad $complex")
        re_, im = (_dec(v, depth + 1) for v in body)
        return complex(re_, im)
    items = _dec(body, depth)
    if tag == "$tuple":
        return tuple(items)
    if tag == "$set":
        _check_hashes(items)
        return set(items)
    if tag == "$frozenset":
        _check_hashes(items)
        return frozenset(items)
    # $dict
    for pair in items:
        if type(pair) is not list or len(pair) != 2:
            raise DecodeError("bad $dict")
    _check_hashes([pair[0] for pair in items])
    return {pair[0]: pair[1] for pair in items}


def _check_hashes(keys: list) -> None:
    """Refuse items that would make a set or dict quadratic to build: more than MAX_SAME_HASH of one hash.

    The hashes of ints are public arithmetic (``hash(k * (2**61 - 1)) == 0`` for every ``k``), and the
    sandboxed side can send any values it likes (an ``int`` subclass with a hash of its own builds such a
    set in linear time there): 30,000 ints of one hash in a 1 MB result cost the *decoder* ~8 s of CPU,
    in the scorer, holding the GIL. A set whose values really share a hash that often is not data a
    test expects, so it is refused as malformed (a wrong answer), at the cost of one ``hash`` per item.
    """
    if _len(keys) <= MAX_SAME_HASH:
        return
    hashes = _list(_map(_hash, keys))  # an unhashable key raises TypeError: malformed, as before
    if _len(_set(hashes)) == _len(hashes):
        return
    counts: dict[int, int] = {}
    for h in hashes:
        n = counts[h] = counts.get(h, 0) + 1
        if n > MAX_SAME_HASH:
            raise DecodeError(f"more than {MAX_SAME_HASH} items of one hash in a set or dict")


def loads(text: str | bytes) -> Any:
    """Parse JSON text produced by :func:`dumps` (or by a hostile peer) back into a value."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise DecodeError(f"bad JSON: {type(exc).__name__}") from None
    return decode(data)
