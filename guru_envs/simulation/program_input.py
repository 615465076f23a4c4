"""Input prediction: given a generated Python function and a value, find arguments that make it return that value.

Description:
    The inverse of :mod:`.program_output`, on the same checked programs. Many inputs usually work, so
    the verifier does not compare with the reference input: it runs the program on the model's input
    (in :mod:`guru_envs.sandbox`, because the input comes from model text) and compares the result with
    the target. The input is passed to the program as JSON data, never as code.

Prompt:
    The source of ``f``, the target value ``f(??) == target``, each parameter's type and bounds, and the
    answer format.

Answer format:
    A JSON object mapping every parameter name to its value (``{"xs": [3, 1], "k": 2}``), in a ```json
    fenced block (or ``\\boxed{}``). For a one-parameter function the bare value is accepted too, and a
    ``{"input": {...}}`` wrapper is read through.

Scoring:
    1 when the arguments have the stated types and bounds and ``f`` returns exactly the target
    (:func:`guru_envs.verify.json_answer.same_value`: the target's types, tuples read as lists, key
    order ignored, floats up to float noise) within the sandbox limits; 0 when the answer is
    missing, malformed, several different answers, repeats a key, is out of bounds, makes ``f`` raise
    or run too long, or gives another value. The reference input scores 1 without running anything.

Difficulty:
    As in :mod:`.program_output` (levels 1-5 of :data:`.programs.PROGRAM_LEVELS`).

Version History:
    v0: initial release.
    v0 (unreleased): several different answers and repeated keys score 0; ``f``'s result must have the
        target's types (a float near an integer target no longer matches) (issue 17).
    v1: no target is itself a right input. v0 served such tasks (``f(t) == t``: 27 of the first 60
        seeds at level 1, 7 at level 2, 1-4 at levels 3-5), which an answer that echoes the target
        solves without reading the program; v1 redraws them. Scoring is unchanged; v0 stays served.
"""

from __future__ import annotations

import random
from typing import Any

import msgspec

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task, json_ground_truth
from guru_envs.simulation.answers import FORMAT_LINE, json_block, read_value, short
from guru_envs.simulation.execute import run_trusted, run_untrusted
from guru_envs.simulation.programs import PROGRAM_LEVELS, WORDS, Param, Program, generate_program
from guru_envs.verify.json_answer import same_value, unwrap_key
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError, canonical

RUN_TIMEOUT = 5.0  # seconds of sandbox wall time for one model input


def _same(actual: Any, expected: Any) -> bool:
    """Whether ``f`` returned the target, floats as a stated answer is compared.

    :func:`guru_envs.verify.numeric.float_matches`: the value up to float noise, not within a 1e-6
    window (123456700.0 is not 123456789.0).
    """
    return same_value(actual, expected, stated=True)


def _params(task: Task) -> list[Param]:
    return [Param(**p) for p in task.meta["params"]]


def read_arguments(value: Any, params: list[Param]) -> tuple[list[Any] | None, str]:
    """Positional arguments from an answer value, or (None, why not)."""
    names = [p.name for p in params]
    if isinstance(value, dict) and set(value) != set(names):
        value = unwrap_key(value, "input")
    if isinstance(value, dict) and set(value) == set(names):
        args = [value[n] for n in names]
    elif len(params) == 1 and params[0].check(value) is None:
        args = [value]
    else:
        return None, f"the answer must be a JSON object with exactly the keys {names}"
    for param, arg in zip(params, args):
        problem = param.check(arg)
        if problem:
            return None, problem
    return args, ""


class ProgramInputFamily(TaskFamily):
    """Find an input that makes a generated Python function return a given value."""

    domain = "simulation"
    name = "program_input"
    levels = len(PROGRAM_LEVELS)
    row_meta_keys = ("source", "params")  # another input is right when f returns the target on it
    guru_scorer = "codeio"

    def row_ground_truth(self, task: Task) -> str:
        """``{"output": ..., "input": {...}}`` as JSON text, the form GURU's codeio scorer reads (its input)."""
        return msgspec.json.encode(task.answer).decode()

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """The answer of :meth:`row_ground_truth`: the target and the reference input."""
        value = json_ground_truth(ground_truth)
        if not isinstance(value, dict) or "output" not in value or not isinstance(value.get("input"), dict):
            raise ValueError("program_input ground truth must be {'output': value, 'input': {name: value}}")
        return {"output": value["output"], "input": value["input"]}

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw and check a program; its result on the drawn input becomes the target.

        From v1 a program is redrawn while the target itself is a right input (``f(t) == t``): at
        level 1 that was 45% of v0's tasks, and a policy learns to echo the target, not to read code.
        """
        program = generate_program(rng, difficulty)
        while self.version >= 1 and _target_is_an_answer(program, difficulty):
            program = generate_program(rng, difficulty)
        bounds = "\n".join(f"- {p.describe()}" for p in program.params)
        names = ", ".join(f'"{p.name}": ...' for p in program.params)
        target = repr(program.value)
        prompt = (
            "Find an input for which the function below returns the target value. Several inputs may work; "
            "give any one of them. Reason about what the program does before answering.\n\n"
            f"```python\n{program.source}```\n\n"
            f"Target: `f(??) == {target}`\n\n"
            f"Parameters:\n{bounds}\n\n"
            f"{FORMAT_LINE} The answer is a JSON object mapping each parameter name to its value: "
            f"{{{names}}}."
        )
        reference_input = {p.name: a for p, a in zip(program.params, program.args)}
        reference = (
            f"Working backwards from the target {short(program.value)}, the call `{program.call_text()}` "
            f"returns exactly that value.\n\n{json_block(reference_input)}"
        )
        meta = {
            "source": program.source,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "min_value": p.min_value,
                    "max_value": p.max_value,
                    "max_len": p.max_len,
                    "max_str": p.max_str,
                }
                for p in program.params
            ],  # fmt: skip
            "stages": program.stages,
            "steps": program.steps,
            "max_steps": PROGRAM_LEVELS[difficulty].max_steps,
        }
        answer = {"output": program.value, "input": reference_input}
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """Check the arguments, run ``f`` on them in the sandbox, and compare with the target."""
        try:
            value, text = read_value(response)
        except AnswerParseError as exc:
            return Score.wrong(None, str(exc), error="no_answer")
        params = _params(task)
        args, problem = read_arguments(value, params)
        if args is None:
            return Score.wrong(text, problem, feedback=problem)
        target = task.answer["output"]
        reference = [task.answer["input"][p.name] for p in params]
        if same_value(args, reference):
            return Score.right(text, "the reference input")
        outcome = run_untrusted(task.meta["source"], "f", args, target, _same, wall_s=RUN_TIMEOUT)
        if "error" in outcome:
            return Score.wrong(text, f"f raised or did not finish on this input: {outcome['error']}"[:300])
        if outcome["ok"]:
            return Score.right(
                text, "f returns the target on this input", returned=short(canonical(outcome["value"]))
            )
        got = short(canonical(outcome["value"]))
        return Score.wrong(
            text,
            f"f returns {got} on this input, not the target",
            feedback=f"On your input f returns {got}, not the target.",
            returned=got,
        )

    def wrong_responses(self, task: Task) -> list[str]:
        """Inputs near the reference that give another value (checked by running), and a malformed answer."""
        params = _params(task)
        reference = [task.answer["input"][p.name] for p in params]
        rng = random.Random(task.id)
        candidates = [_mutate(reference, params, rng) for _ in range(12)]
        outcomes = run_trusted(task.meta["source"], "f", candidates, task.meta["max_steps"])
        wrongs: list[str] = []
        for cand, out in zip(candidates, outcomes):
            if "error" in out or _same(out["value"], task.answer["output"]):
                continue
            obj = {p.name: a for p, a in zip(params, cand)}
            wrongs.append(f"An input that should work:\n\n{json_block(obj)}")
            if len(wrongs) == 2:
                break
        bad = dict(task.answer["input"])
        bad["unexpected"] = 1
        wrongs.append(f"Here is my input:\n\n{json_block(bad)}")
        return wrongs


def _target_is_an_answer(program: Program, difficulty: int) -> bool:
    """Whether the target, given back as the answer, is an input on which ``f`` returns the target."""
    args, _ = read_arguments(program.value, program.params)
    if args is None:
        return False
    outcome = run_trusted(program.source, "f", [args], PROGRAM_LEVELS[difficulty].max_steps)[0]
    return "error" not in outcome and _same(outcome["value"], program.value)


def _mutate(args: list[Any], params: list[Param], rng: random.Random) -> list[Any]:
    out = list(args)
    i = rng.randrange(len(params))
    p, v = params[i], args[i]
    if p.type == "int":
        out[i] = max(p.min_value, min(p.max_value, v + rng.choice((-3, -2, -1, 1, 2, 3))))
    elif p.type == "ilist":
        lst = list(v)
        if lst and rng.random() < 0.6:
            j = rng.randrange(len(lst))
            lst[j] = max(p.min_value, min(p.max_value, lst[j] + rng.choice((-5, -1, 1, 2, 7))))
        elif lst and rng.random() < 0.5:
            lst.pop(rng.randrange(len(lst)))
        else:
            lst.append(rng.randint(-9, 9))
        out[i] = lst[: p.max_len]
    elif p.type == "str":
        words = v.split()
        if words and rng.random() < 0.5:
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        else:
            words.append(rng.choice(WORDS))
        out[i] = " ".join(words)[: p.max_len]
    elif p.type == "slist":
        lst = list(v)
        if lst:
            lst[rng.randrange(len(lst))] = rng.choice(WORDS)
        else:
            lst.append(rng.choice(WORDS))
        out[i] = lst
    else:
        d = dict(v)
        key = rng.choice(WORDS)
        d[key] = rng.randint(-9, 9)
        out[i] = d
    return out
