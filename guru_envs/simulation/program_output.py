"""Output prediction: read a generated Python function and a call, and give the value it returns.

Description:
    CodeI/O-style mental execution. Each task is a fresh program from :mod:`.programs`: a chain of
    templated stages (string manipulation, list and dict algorithms, loops carrying state, while loops
    with moving indices, stacks, bubble passes, recursion, small classes) with random constants,
    operators and conditions, plus a random input. Before a task is served the program is run twice
    under a line budget (it must terminate within the budget and agree with itself), on other inputs
    (its result must depend on the input), and its result must be plain JSON data of bounded size.

Prompt:
    The source of ``f`` (and any helper functions or classes), the call with Python literals, and the
    answer format.

Answer format:
    The return value as JSON in a ```json fenced block (or ``\\boxed{}``); tuples are written as lists,
    dicts as objects. Python literal syntax is read too.

Scoring:
    1 when the value is exactly the reference (:func:`guru_envs.verify.json_answer.same_value`: the
    reference's types, so ``3`` is not ``3.0`` and ``true`` not ``1``; tuples read as lists, sets
    never; key order ignored; integers exact, floats by :func:`guru_envs.verify.numeric.float_matches`:
    exact, up to float noise, or correctly rounded with six or more significant digits), else 0.
    Several different answers (another block holding a value, a hedge or another value beside the
    answer) and repeated keys score 0. The model's text is parsed, never executed.

Difficulty:
    1: one stage, short inputs, small values. 2: two stages, loops with state, an optional second
    parameter. 3: up to three stages, while loops, stacks, bubble passes, recursion. 4: up to four
    stages, classes, nested loops. 5: four or five stages, deeper expressions, larger inputs.

Version History:
    v0: initial release.
    v0 (unreleased): the answer must be one exact claim (:mod:`.answers`): several different fenced or boxed
        answers, repeated JSON keys, a set for a list and a number of another type (``3.0`` for ``3``) score 0
        (issue 17). A block of another language or prose beside the answer that states another value
        scores 0 (the ```json block was read alone); floats are exact, float noise or correctly rounded.
"""

from __future__ import annotations

import random
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import FORMAT_LINE, distinct_wrongs, json_block, perturb, score_value, short
from guru_envs.simulation.programs import PROGRAM_LEVELS, generate_program
from guru_envs.verify.score import Score


def trace_text(call: str, trace: list[tuple[str, Any]], value: Any) -> str:
    """A reference walk-through: the value each stage leaves, then the result."""
    lines = [f"I trace `{call}` stage by stage."]
    for i, (name, val) in enumerate(trace, 1):
        lines.append(f"{i}. After stage {i}, `{name}` = {short(val, 300)}.")
    lines.append(f"The function returns {short(value, 300)}.")
    return "\n".join(lines)


class ProgramOutputFamily(TaskFamily):
    """Predict the value a generated Python function returns."""

    domain = "simulation"
    name = "program_output"
    levels = len(PROGRAM_LEVELS)
    guru_gap = (
        "GURU's codeio scorer reads only a JSON object answer ({\"output\": ...}); this family's "
        "references answer with the bare value, which it scores 0"
    )

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw and check a program, then ask for its result on the drawn input."""
        program = generate_program(rng, difficulty)
        call = program.call_text()
        prompt = (
            "Predict the exact value returned by the function call below. Work through the program step by "
            "step before answering.\n\n"
            f"```python\n{program.source}```\n\n"
            f"Call: `{call}`\n\n"
            f"{FORMAT_LINE} Write lists and tuples as JSON arrays, dicts as JSON objects, strings in double "
            "quotes, and true/false/null for True/False/None."
        )
        reference = trace_text(call, program.trace, program.value) + "\n\n" + json_block(program.value)
        meta = {
            "call": call,
            "stages": program.stages,
            "steps": program.steps,
            "intermediate": [v for _, v in program.trace[-2:]],
        }
        return Problem(prompt=prompt, answer=program.value, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """Structural comparison of the JSON answer with the recorded result."""
        return score_value(response, task.answer, bare_text=isinstance(task.answer, str), unwrap="output")

    def wrong_responses(self, task: Task) -> list[str]:
        """Off-by-one slips, a dropped or repeated element, and the value one stage too early."""
        candidates = [
            *reversed(task.meta.get("intermediate", [])),
            perturb(task.answer, 0),
            perturb(task.answer, 1),
        ]
        candidates.append(perturb(task.answer, 2))
        return [
            f"Tracing it through, the result is:\n\n{json_block(v)}"
            for v in distinct_wrongs(task.answer, candidates)
        ]
