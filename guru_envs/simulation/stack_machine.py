"""Stack machine: trace a program of push, arithmetic, stack shuffles, repeat and if blocks; give the final stack.

Description:
    A Forth-like machine with one integer stack. Programs are generated with the stack depth tracked
    statically: an instruction is only drawn when the stack holds enough values for it, and the bodies of
    ``repeat`` and ``if``/``else`` blocks leave the depth unchanged, so no draw underflows and every
    program halts. The interpreter still runs under a step budget, and draws whose values leave the
    range, or whose final stack is empty, are redrawn.

Prompt:
    The instruction semantics, the program (one instruction per line, blocks indented), and an empty
    start stack.

Answer format:
    The final stack as a JSON list from bottom to top: ``[4, -2, 9]`` (9 on top).

Scoring:
    1 when the list matches exactly, else 0 (one exact claim, :mod:`.answers`: integers in order; a set
    is not a stack).

Difficulty:
    1: 5-6 instructions of push/add/sub/mul/dup/swap. 2: 7-9 instructions, adds over/pop/neg/rot.
    3: a ``repeat`` block. 4: ``repeat`` and ``if``/``else`` blocks, ``mod``. 5: nested blocks, longer
    programs.

Version History:
    v0: initial release.
    v0 (unreleased): the answer must be one exact claim (:mod:`.answers`): several different fenced or boxed
        answers, repeated JSON keys, a set for a list and a number of another type (``3.0`` for ``3``) score 0
        (issue 17).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import FORMAT_LINE, distinct_wrongs, json_block, score_value
from guru_envs.verify.score import Score

MAX_VALUE = 100_000
STEP_BUDGET = 5_000

# name -> (values needed, net change of depth)
ARITY = {
    "push": (0, 1), "pop": (1, -1), "dup": (1, 1), "swap": (2, 0), "over": (2, 1), "rot": (3, 0),
    "add": (2, -1), "sub": (2, -1), "mul": (2, -1), "neg": (1, 0), "mod": (1, 0),
}  # fmt: skip

SEMANTICS = """Instructions (the stack starts empty; "top" is the last value pushed):
- push n: push the integer n
- pop: remove the top value
- dup: push a copy of the top value
- swap: exchange the top two values
- over: push a copy of the second value from the top
- rot: move the third value from the top to the top (a b c -> b c a, top on the right)
- add / sub / mul: remove the top value b and then the next value a, and push a + b / a - b / a * b
- neg: replace the top value x by -x
- mod n: replace the top value x by x mod n, for a positive n (the result is never negative)
- repeat k ... end: run the enclosed instructions k times
- if ... else ... end: remove the top value; if it is not 0 run the first part, otherwise the part after else"""


@dataclass(frozen=True)
class StackConfig:
    """Knobs of one level."""

    length: tuple[int, int]  # top-level instructions
    ops: tuple[str, ...]
    repeats: bool
    ifs: bool
    nesting: int


LEVELS: dict[int, StackConfig] = {
    1: StackConfig((5, 6), ("push", "add", "sub", "mul", "dup", "swap"), False, False, 0),
    2: StackConfig(
        (7, 9), ("push", "add", "sub", "mul", "dup", "swap", "over", "pop", "neg", "rot"), False, False, 0
    ),
    3: StackConfig(
        (6, 8), ("push", "add", "sub", "mul", "dup", "swap", "over", "pop", "neg", "rot"), True, False, 1
    ),
    4: StackConfig(
        (7, 9), ("push", "add", "sub", "mul", "dup", "swap", "over", "neg", "rot", "mod"), True, True, 1
    ),
    5: StackConfig(
        (8, 11), ("push", "add", "sub", "mul", "dup", "swap", "over", "neg", "rot", "mod"), True, True, 2
    ),
}

Block = list[Any]  # items: ("op", arg|None) tuples, ("repeat", k, body), ("if", then, else)


def run(program: Block, budget: int = STEP_BUDGET) -> tuple[list[int], int]:
    """The final stack and the number of instructions executed.

    Raises:
        RuntimeError: on underflow or an exceeded step budget (never for generated programs).
    """
    stack: list[int] = []
    steps = 0

    def go(block: Block) -> None:
        nonlocal steps
        for item in block:
            steps += 1
            if steps > budget:
                raise RuntimeError("step budget exceeded")
            kind = item[0]
            if kind == "repeat":
                for _ in range(item[1]):
                    go(item[2])
                continue
            if kind == "if":
                if not stack:
                    raise RuntimeError("stack underflow")
                go(item[1] if stack.pop() != 0 else item[2])
                continue
            need = ARITY[kind][0]
            if len(stack) < need:
                raise RuntimeError("stack underflow")
            arg = item[1]
            if kind == "push":
                stack.append(arg)
            elif kind == "pop":
                stack.pop()
            elif kind == "dup":
                stack.append(stack[-1])
            elif kind == "swap":
                stack[-1], stack[-2] = stack[-2], stack[-1]
            elif kind == "over":
                stack.append(stack[-2])
            elif kind == "rot":
                stack.append(stack.pop(-3))
            elif kind == "neg":
                stack[-1] = -stack[-1]
            elif kind == "mod":
                stack[-1] %= arg
            else:
                b, a = stack.pop(), stack.pop()
                stack.append(a + b if kind == "add" else a - b if kind == "sub" else a * b)
            if stack and abs(stack[-1]) > MAX_VALUE:
                raise RuntimeError("value out of range")

    go(program)
    return stack, steps


def _op(
    rng: random.Random, ops: tuple[str, ...], depth: int, prefer_net: int | None = None
) -> tuple[str, Any]:
    options = [o for o in ops if ARITY[o][0] <= depth]
    if prefer_net is not None:
        narrowed = [o for o in options if ARITY[o][1] == prefer_net]
        options = narrowed or options
    op = rng.choice(options)
    if op == "push":
        return ("push", rng.randint(-5, 12))
    if op == "mod":
        return ("mod", rng.randint(2, 7))
    return (op, None)


def _neutral_block(rng: random.Random, cfg: StackConfig, depth: int, level: int) -> Block:
    """A block that needs at most ``depth`` values and leaves the depth unchanged."""
    body: Block = []
    d = depth
    for _ in range(rng.randint(2, 4)):
        body.append(_op(rng, cfg.ops, d))
        d += ARITY[body[-1][0]][1]
    if level > 0 and cfg.nesting > 1 and rng.random() < 0.5 and d >= 1:
        body.append(("repeat", rng.randint(2, 3), _neutral_block(rng, cfg, d, level - 1)))
    while d > depth:  # fold extra values back with binary operations
        body.append((rng.choice(("add", "sub", "mul" if d - depth == 1 else "add")), None))
        d -= 1
    while d < depth:
        body.append(("push", rng.randint(-5, 12)))
        d += 1
    return body


def draw(rng: random.Random, cfg: StackConfig) -> Block:
    """One program; the depth is tracked so no instruction underflows."""
    program: Block = [("push", rng.randint(-5, 12)), ("push", rng.randint(1, 12))]
    depth = 2
    length = rng.randint(*cfg.length)
    block_at = {rng.randint(2, length - 1)} if cfg.repeats else set()
    if cfg.ifs:
        block_at.add(rng.randint(2, length - 1))
    while len(program) < length:
        if len(program) in block_at and depth >= 2:
            block_at.discard(len(program))
            if cfg.ifs and (not cfg.repeats or rng.random() < 0.5):
                # the condition value is consumed by the if; both branches keep the remaining depth
                then = _neutral_block(rng, cfg, depth - 1, cfg.nesting - 1)
                other = _neutral_block(rng, cfg, depth - 1, cfg.nesting - 1)
                program.append(("if", then, other))
                depth -= 1
            else:
                program.append(
                    ("repeat", rng.randint(2, 3), _neutral_block(rng, cfg, depth, cfg.nesting - 1))
                )
            continue
        prefer = -1 if depth >= 4 else 1 if depth <= 1 else None
        item = _op(rng, cfg.ops, depth, prefer)
        program.append(item)
        depth += ARITY[item[0]][1]
    return program


def render(block: Block, indent: int = 0) -> list[str]:
    """Program lines, blocks indented by two spaces per level."""
    pad = "  " * indent
    lines = []
    for item in block:
        if item[0] == "repeat":
            lines.append(f"{pad}repeat {item[1]}")
            lines += render(item[2], indent + 1)
            lines.append(f"{pad}end")
        elif item[0] == "if":
            lines.append(f"{pad}if")
            lines += render(item[1], indent + 1)
            lines.append(f"{pad}else")
            lines += render(item[2], indent + 1)
            lines.append(f"{pad}end")
        else:
            lines.append(pad + (f"{item[0]} {item[1]}" if item[1] is not None else item[0]))
    return lines


def _to_json(block: Block) -> list[Any]:
    out: list[Any] = []
    for item in block:
        if item[0] == "repeat":
            out.append(["repeat", item[1], _to_json(item[2])])
        elif item[0] == "if":
            out.append(["if", _to_json(item[1]), _to_json(item[2])])
        else:
            out.append([item[0], item[1]])
    return out


class StackMachineFamily(TaskFamily):
    """Final stack of a small stack-machine program."""

    domain = "simulation"
    name = "stack_machine"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw a depth-checked program with in-range values and a non-empty final stack."""
        cfg = LEVELS[difficulty]
        for _ in range(300):
            program = draw(rng, cfg)
            try:
                stack, steps = run(program)
            except RuntimeError:
                continue
            if not stack:
                continue
            return self._problem(program, stack, steps)
        raise RuntimeError("no valid stack program in 300 draws")

    def _problem(self, program: Block, stack: list[int], steps: int) -> Problem:
        listing = "\n".join(render(program))
        prompt = (
            f"A stack machine runs the program below.\n\n{SEMANTICS}\n\n"
            f"Program:\n{listing}\n\n"
            "What is on the stack when the program ends?\n\n"
            f"{FORMAT_LINE} The answer is a JSON list of the values from bottom to top, e.g. [3, -1, 8] "
            "(8 on top)."
        )
        reference = (
            "Running the program instruction by instruction (stack bottom to top after each top-level line):\n"
            + "\n".join(
                f"{line.strip()}: {state}" for line, state in zip(_top_lines(program), _top_states(program))
            )
            + f"\n\n{json_block(stack)}"
        )
        near = [stack[:-1], stack[::-1]] if len(stack) > 1 else [[stack[0] + 1]]
        meta = {"program": _to_json(program), "steps": steps, "near": near}
        return Problem(prompt=prompt, answer=stack, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """The final stack must match exactly, in order."""
        return score_value(response, task.answer)

    def wrong_responses(self, task: Task) -> list[str]:
        """A stack missing its top, the stack listed top-first, and one value off by one."""
        answer: list[int] = task.answer
        slip = [*answer[:-1], answer[-1] + 1]
        candidates = [*task.meta.get("near", []), slip]
        return [f"Running the program:\n\n{json_block(v)}" for v in distinct_wrongs(answer, candidates)]


def _top_lines(program: Block) -> list[str]:
    """A one-line label per top-level item (a block is labelled by its head)."""
    return [
        render([item])[0] if item[0] not in ("repeat", "if") else render([item])[0] + " ... end"
        for item in program
    ]


def _top_states(program: Block) -> list[list[int]]:
    """The stack after each top-level item."""
    return [run(program[: i + 1])[0] for i in range(len(program))]
