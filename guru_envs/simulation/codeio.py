"""GURU CodeI/O rows (``simulation__codeio*``): predict a program's output or a feasible input as JSON.

Description:
    Verifier for the CodeI/O rows of GURU (LLM360/guru-RL-92k). Each prompt describes a function in
    words, gives a reference snippet, and asks for the output on a given input (or an input for a given
    output) as a JSON object ``{"output": ...}`` / ``{"input": ...}``. This family generates nothing.

Ground truth (as GURU stores it):
    Text such as ``"output": 42`` or ``"input": {"n": 5}`` (a key/value pair without braces), a whole
    JSON object, or a bare JSON or Python literal. The ``output``/``input`` wrapper is removed.

Answer format:
    A JSON value in a ```json fenced block (or ``\\boxed{}``), usually ``{"output": ...}``. Responses that
    write the object without a fence are read too: an unfenced ``{"output": ...}`` object in the text
    (the last, and every such object must agree), else the last complete ``{...}`` object, as GURU's
    scorer does. The wrapper the row asks for (the ground truth's key, else the one the prompt's format
    line names) is removed when it is the object's only key; an answer wrapped under the other key
    (``{"input": X}`` for an output) is refused, and an object with more keys
    (``{"output": X, "alternative_output": Y}``) is not unwrapped, so it matches nothing.

Scoring:
    1 when the answer is exactly the ground truth after GURU's normalisation (strings holding a JSON
    array/object are parsed, ``"true"``/``"false"`` read as booleans) and one-claim comparison
    (:func:`guru_envs.verify.json_answer.same_value`: the ground truth's types, so ``25.0`` is not ``25``
    and ``true`` not ``1``; tuples read as arrays, sets never; key order ignored; a float exactly, up
    to float noise, or correctly rounded at its last printed digit with six or more significant digits,
    :func:`guru_envs.verify.numeric.float_matches`), else 0. Several different answers (fenced, boxed
    or unfenced objects, other blocks holding a value, another value or a hedge in the text beside the
    answer, an object under an escaped or re-cased key such as ``{"\\u006futput": ..}``) and objects that
    repeat a key score 0. Differences from GURU's scorer, all deliberate: the last fenced block counts
    rather than the first (a model may revise, but every block must agree), float noise and correct
    rounding are accepted where GURU has exact ``==``, booleans never equal 1/0, integers never equal floats, and parsing is
    bounded in size and depth (answers over 50,000 characters are refused). As in GURU,
    input-prediction rows are compared with the recorded input: the rows carry no runnable reference
    program, so another valid input cannot be checked and scores 0.

Version History:
    v0: initial release.
    v0 (unreleased): one exact claim: answers under the wrong wrapper key, with extra or repeated keys,
        several disagreeing answers, a set for an array and a number of the other type (``25.0`` for ``25``)
        score 0; answers are capped at 50,000 characters (200,000 before) (issue 17). Floats: the 1e-6
        relative tolerance (``123456700.0`` paid for ``123456789.0``) gives way to exact, float noise or
        correct rounding; a second value beside the answer (another block, ``or maybe {"answer": [3]}``,
        an escaped ``"output"`` key) scores 0.
"""

from __future__ import annotations

import json
import re
from typing import Any

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import ABS_TOL, MAX_ANSWER_CHARS, REL_TOL, short
from guru_envs.verify.extract import strip_think
from guru_envs.verify.json_answer import (
    NotOneClaimError,
    json_loads_unique,
    last_json_object,
    read_json_answer,
    same_value,
)
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError, parse_structured

MAX_GT_CHARS = 2_000_000
WRAPPERS = ("output", "input")
_FORMAT_KEY = re.compile(r"""\{\s*["'](output|input)["']\s*:""")


def _unwrap(value: Any, order: tuple[str, ...]) -> Any:
    """GURU's ``obj.get(a, obj.get(b, obj))`` for dicts; other values unchanged."""
    if isinstance(value, dict):
        for key in order:
            if key in value:
                return value[key]
    return value


def parse_codeio_truth(ground_truth: Any) -> dict[str, Any]:
    """``{"key": "input"|"output"|None, "value": ...}`` from a CodeI/O ground truth (text or data)."""
    if not isinstance(ground_truth, str):
        value = ground_truth
        key = next((k for k in WRAPPERS if isinstance(value, dict) and k in value), None)
        return {"key": key, "value": _unwrap(value, ("input", "output"))}
    text = ground_truth.strip()
    if len(text) > MAX_GT_CHARS:
        raise ValueError("ground truth is too long")
    if '"input":' in text or '"output":' in text:
        wrapped = text if (text.startswith("{") and text.endswith("}")) else "{" + text + "}"
        try:
            obj = json.loads(wrapped)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            key = next((k for k in ("input", "output") if k in obj), None)
            return {"key": key, "value": _unwrap(obj, ("input", "output"))}
    try:
        obj = parse_structured(text, max_chars=MAX_GT_CHARS, max_depth=200)
    except AnswerParseError:
        return {"key": None, "value": ground_truth}
    key = next((k for k in WRAPPERS if isinstance(obj, dict) and k in obj), None)
    return {"key": key, "value": _unwrap(obj, ("output", "input"))}


def normalize(value: Any, depth: int = 0) -> Any:
    """GURU's normalisation: JSON-looking strings parsed, ``"true"``/``"false"`` as booleans, recursively."""
    if depth > 64:
        return value
    if isinstance(value, str):
        s = value.strip()
        if (s.startswith("{") and s.endswith("}")) or (s.startswith("[") and s.endswith("]")):
            try:
                return normalize(json_loads_unique(s), depth + 1) if len(s) <= MAX_GT_CHARS else value
            except (ValueError, RecursionError):  # a repeated key too: the string stays a string
                pass
        low = s.lower()
        if low in ("true", "false"):
            return low == "true"
        return value
    if isinstance(value, list | tuple):
        return [normalize(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v, depth + 1) for k, v in value.items()}
    return value


def expected_key(truth: dict[str, Any], prompt: str) -> str | None:
    """The wrapper the answer is asked in: the ground truth's, else the one the prompt's format line names."""
    if truth.get("key") in WRAPPERS:
        return truth["key"]
    found = [m.group(1) for m in _FORMAT_KEY.finditer(prompt[-4000:])]
    return found[-1] if found else None


def read_prediction(response: str, key: str | None) -> tuple[Any, str]:
    """The predicted value: a fenced/boxed JSON answer, else an unfenced ``{key: ...}`` object in the text.

    Unfenced, only objects whose single key is the asked wrapper count (every such object must agree);
    with no such object the last object in the text is read, as GURU does.

    Raises:
        AnswerParseError: when neither is found, or the answers disagree.
    """
    wrapper = key or "output"
    try:
        answer = read_json_answer(response, max_chars=MAX_ANSWER_CHARS, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    except NotOneClaimError:
        raise
    except AnswerParseError as first:
        try:
            value = last_json_object(strip_think(response), MAX_ANSWER_CHARS, key=wrapper)
        except NotOneClaimError:
            raise
        except AnswerParseError:
            raise first from None
        return value, short(value, 500)
    # An unfenced {"output": ...} object is an answer too (the one read when nothing is fenced): beside a
    # fenced or boxed answer it must say the same, or '{"output": 8} ... \\boxed{7}' is two answers.
    try:
        stated = last_json_object(strip_think(response), MAX_ANSWER_CHARS, key=wrapper, keyed_only=True)
    except NotOneClaimError:
        raise
    except AnswerParseError:
        stated = None
    if stated is not None:
        mine = (
            answer.value[wrapper]
            if isinstance(answer.value, dict) and list(answer.value) == [wrapper]
            else answer.value
        )
        theirs = next(iter(stated.values()))
        if not (
            same_value(theirs, mine, REL_TOL, ABS_TOL) or same_value(stated, answer.value, REL_TOL, ABS_TOL)
        ):
            raise NotOneClaimError(f'several answers: a "{wrapper}" object in the text gives another value')
    return answer.value, answer.text[:500]


def unwrap_prediction(value: Any, key: str | None, expected: Any) -> Any:
    """``{key: X}`` -> ``X``; a single other wrapper key is refused; anything else is the value itself.

    ``{"output": X, "alternative_output": Y}`` is not unwrapped (it is then an object with two keys, and
    matches only such a reference). When the reference itself is a one-key object of that shape, the
    answer is compared as written.

    Raises:
        AnswerParseError: the answer is wrapped under the other key (``{"input": X}`` for an output).
    """
    if not (isinstance(value, dict) and len(value) == 1):
        return value
    (name,) = value
    if isinstance(expected, dict) and len(expected) == 1 and name in expected:
        return value  # the reference has this shape itself
    if key is None:
        return value[name] if name in WRAPPERS else value
    if name == key:
        return value[key]
    if name in WRAPPERS:
        raise AnswerParseError(f'the answer is wrapped under "{name}", but this row asks for "{key}"')
    return value


class CodeIOFamily(TaskFamily):
    """Verifier for GURU's CodeI/O output/input prediction rows."""

    domain = "simulation"
    name = "codeio"
    generator = False

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """The unwrapped ground-truth value and which wrapper it had."""
        return parse_codeio_truth(ground_truth)

    def score(self, task: Task, response: str) -> Score:
        """Normalised structural comparison with the ground truth."""
        truth = (
            task.answer
            if isinstance(task.answer, dict) and "value" in task.answer
            else parse_codeio_truth(task.answer)
        )
        key = expected_key(truth, task.prompt)
        expected = normalize(truth["value"])
        try:
            value, text = read_prediction(response, key)
        except AnswerParseError as exc:
            return Score.wrong(None, str(exc), error="no_answer")
        try:
            predicted = normalize(unwrap_prediction(value, key, expected))
        except AnswerParseError as exc:
            return Score.wrong(text, str(exc), feedback=str(exc))
        if same_value(predicted, expected, stated=True):
            return Score.right(text)
        return Score.wrong(
            text, "answer differs from the ground truth", feedback="That is not the right value."
        )
