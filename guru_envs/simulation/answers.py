"""The Simulation domain's answer format and value scoring, shared by every family.

Answer format (stated in every prompt): the final answer is a JSON value, in a ```json fenced block at
the end of the response or inside ``\\boxed{}``; when both are given they must agree, and so must every
other fenced or boxed answer in the response (several different answers are refused). Python literal
syntax (single quotes, tuples, ``True``/``None``) is read too, by :mod:`ast.literal_eval`, never
``eval``; an object that repeats a key is refused (:mod:`guru_envs.verify.json_answer`).

Comparison is one exact claim (:func:`guru_envs.verify.json_answer.same_value` in its JSON view): the
answer must have the reference's types. Booleans, integers, floats, strings and ``null`` never stand in
for each other (``2.0`` is not the integer ``2``, ``true`` is not ``1``); integers are exact; a float is
the reference, the reference up to float noise (``0.3`` for ``0.1 + 0.2``) or the reference correctly
rounded at its last printed digit with six or more significant digits (``0.333333`` for one third), by
:func:`guru_envs.verify.numeric.float_matches`: ``123456700.0`` does not answer ``123456789.0``. A tuple
is read as the JSON array it is written as, a set is never an array; object keys must be exactly the
reference's (key order ignored).

Besides its answer, a response must state no other value: every other fenced block (any language),
``<answer>`` tag or ``Answer:`` line that holds a literal must give the same value, and from the first
answer block on the prose must neither hedge (``or``, ``maybe``) nor state another value of the answer's
kind (``or possibly [0, 1]``) (:func:`guru_envs.verify.json_answer.read_json_answer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from guru_envs.verify.json_answer import read_json_answer, same_value, unwrap_key
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError, canonical

REL_TOL = 1e-6  # floats: how close two answers of one response must be to be the same answer
ABS_TOL = 1e-9
MAX_ANSWER_CHARS = 50_000  # generated tasks have short answers; anything longer is not an answer
MAX_ANSWER_DEPTH = 24

FORMAT_LINE = (
    "Give your final answer as JSON in a ```json fenced block at the end of your response "
    "(or inside \\boxed{})."
)


def json_block(value: Any) -> str:
    """``value`` as a ```json fenced block, the documented answer form."""
    return "```json\n" + json.dumps(value, ensure_ascii=False) + "\n```"


def short(value: Any, limit: int = 200) -> str:
    """Compact JSON text of ``value`` for reasons and extracted fields; never raises.

    An answer may hold what JSON cannot (a set ``{0}``, tuple keys, a huge int): sets are shown as
    sorted lists, and anything else JSON refuses by its ``repr``.
    """
    try:
        text = json.dumps(value, ensure_ascii=isinstance(value, str), default=_shown)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except (ValueError, RecursionError):  # an int past Python's digit limit, absurd nesting
            text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(value: Any) -> Any:
    """What ``json.dumps`` shows for a value it cannot write: a set as its sorted items, else its repr."""
    if isinstance(value, set | frozenset):
        return canonical(value)
    return repr(value)


def read_value(
    response: str,
    *,
    bare_text: bool = False,
    max_chars: int = MAX_ANSWER_CHARS,
    max_depth: int = MAX_ANSWER_DEPTH,
) -> tuple[Any, str]:
    """(value, answer text) of a response, or raise :class:`AnswerParseError` with the reason."""
    answer = read_json_answer(
        response,
        bare_text=bare_text,
        max_chars=max_chars,
        max_depth=max_depth,
        rel_tol=REL_TOL,
        abs_tol=ABS_TOL,
    )
    return answer.value, answer.text[:500]


def score_value(
    response: str,
    expected: Any,
    *,
    normalize: Callable[[Any], Any] | None = None,
    bare_text: bool = False,
    unwrap: str | None = None,
    max_chars: int = MAX_ANSWER_CHARS,
) -> Score:
    """Full credit when the response's JSON answer is exactly ``expected`` (see the module docstring), else 0.

    Args:
        response: the model response.
        expected: the reference value.
        normalize: maps an accepted alternative spelling onto the canonical form (e.g. a grid given as a
            list of strings or one string); raising ``ValueError``/``TypeError`` means the shape is wrong.
        bare_text: a boxed answer that is not a literal counts as a string.
        unwrap: a key such as ``"output"``: ``{"output": X}`` is read as ``X`` unless ``expected`` has that shape.
        max_chars: longest answer text read.
    """
    try:
        value, text = read_value(response, bare_text=bare_text, max_chars=max_chars)
    except AnswerParseError as exc:
        return Score.wrong(None, str(exc), error="no_answer")
    if unwrap:
        value = unwrap_key(value, unwrap, expected)
    if normalize is not None:
        try:
            value = normalize(value)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return Score.wrong(text, f"answer has the wrong shape: {exc}"[:300], feedback=str(exc)[:300])
    if same_value(value, expected, stated=True):
        return Score.right(text)
    return Score.wrong(text, "answer differs from the reference", feedback="That is not the right value.")


def perturb(value: Any, variant: int = 0) -> Any:
    """A value close to ``value`` but different (a plausible slip), deterministic per ``variant``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + (1 if variant % 2 == 0 else -1)
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, str):
        if not value:
            return "a"
        if variant % 2 == 0:
            last = value[-1]
            return value[:-1] + ("b" if last == "a" else "a")
        return value[1:] if len(value) > 1 else value + value
    if isinstance(value, list):
        if not value:
            return [0]
        if variant % 3 == 0:
            return [perturb(value[0], variant // 3), *value[1:]]
        if variant % 3 == 1:
            return value[:-1]
        return [*value, value[-1]]
    if isinstance(value, dict):
        if not value:
            return {"x": 0}
        keys = sorted(value)
        if variant % 2 == 0:
            out = dict(value)
            out[keys[-1]] = perturb(value[keys[-1]], variant // 2)
            return out
        return {k: value[k] for k in keys[:-1]}
    if value is None:
        return 0
    return None


def distinct_wrongs(expected: Any, candidates: list[Any], limit: int = 3) -> list[Any]:
    """Candidates that differ from ``expected`` and from each other, at most ``limit``."""
    out: list[Any] = []
    for cand in candidates:
        if same_value(cand, expected, REL_TOL, ABS_TOL):
            continue
        if any(same_value(cand, o, REL_TOL, ABS_TOL) for o in out):
            continue
        out.append(cand)
        if len(out) >= limit:
            break
    return out
