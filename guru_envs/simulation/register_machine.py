"""Register machine: trace a small assembly program with loops and jumps, and give the final registers.

Description:
    A toy machine with four registers runs a numbered program of ``set/mov/add/sub/mul/div/mod/inc/dec``
    and jump instructions. Programs are built from structured pieces (straight-line arithmetic, counted
    loops whose counter the body never touches, forward conditional skips, nested loops) with random
    registers and constants, so every program halts; the interpreter still runs it under a step budget
    and draws that leave the value range are redrawn.

Prompt:
    The instruction set with exact semantics, the program with line numbers, and the start values
    (all registers 0).

Answer format:
    A JSON object with every register's final value: ``{"A": 3, "B": -1, "C": 0, "D": 12}``.

Scoring:
    1 when every register matches, else 0 (one exact claim, :mod:`.answers`: integers, exactly the
    registers as keys).

Difficulty:
    1: straight-line code, 4-5 instructions. 2: one counted loop. 3: a loop and a conditional skip,
    ``mod``. 4: two loops or a loop containing a conditional, ``jgt``. 5: nested loops with
    conditionals, 12+ instructions.

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

REGS = "ABCD"
MAX_VALUE = 100_000
STEP_BUDGET = 5_000


@dataclass(frozen=True)
class MachineConfig:
    """Knobs of one level."""

    straight: tuple[int, int]  # straight-line instructions per block
    loops: int  # counted loops (0-2)
    nested: bool
    skips: bool  # forward conditional jumps
    ops: tuple[str, ...]


LEVELS: dict[int, MachineConfig] = {
    1: MachineConfig((4, 5), 0, False, False, ("set", "add", "sub", "inc", "dec", "mov")),
    2: MachineConfig((2, 3), 1, False, False, ("add", "sub", "inc", "dec", "mov", "mul")),
    3: MachineConfig((2, 3), 1, False, True, ("add", "sub", "inc", "dec", "mov", "mul", "mod")),
    4: MachineConfig((2, 3), 2, False, True, ("add", "sub", "inc", "dec", "mov", "mul", "mod", "div")),
    5: MachineConfig((2, 3), 1, True, True, ("add", "sub", "inc", "dec", "mov", "mul", "mod", "div")),
}

SEMANTICS = """Instructions (X and Y are registers; v is an integer or a register):
- set X v: X = v
- mov X Y: X = Y
- add X v / sub X v / mul X v: X = X + v / X - v / X * v
- div X n / mod X n: X = floor(X / n) / X mod n, for a positive integer n (results round toward minus infinity, so the remainder is never negative)
- inc X / dec X: X = X + 1 / X - 1
- jnz X L: if X is not 0, continue at line L
- jz X L: if X is 0, continue at line L
- jgt X v L: if X > v, continue at line L
The program starts at line 1 and halts after its last line. Any instruction that does not jump continues with the next line."""


def execute(
    program: list[tuple[str, ...]], budget: int = STEP_BUDGET
) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Final registers and the register state after each executed instruction.

    Raises:
        RuntimeError: over ``budget`` steps (never for generated programs, which are structured to halt).
    """
    regs = dict.fromkeys(REGS, 0)
    states: list[dict[str, int]] = []
    pc = 0

    def val(x: str) -> int:
        return regs[x] if x in regs else int(x)

    while 0 <= pc < len(program):
        if len(states) >= budget:
            raise RuntimeError("step budget exceeded")
        op, *args = program[pc]
        nxt = pc + 1
        if op == "set" or op == "mov":
            regs[args[0]] = val(args[1])
        elif op == "add":
            regs[args[0]] += val(args[1])
        elif op == "sub":
            regs[args[0]] -= val(args[1])
        elif op == "mul":
            regs[args[0]] *= val(args[1])
        elif op == "div":
            regs[args[0]] //= int(args[1])
        elif op == "mod":
            regs[args[0]] %= int(args[1])
        elif op == "inc":
            regs[args[0]] += 1
        elif op == "dec":
            regs[args[0]] -= 1
        elif op == "jnz":
            nxt = int(args[1]) - 1 if regs[args[0]] != 0 else nxt
        elif op == "jz":
            nxt = int(args[1]) - 1 if regs[args[0]] == 0 else nxt
        elif op == "jgt":
            nxt = int(args[2]) - 1 if regs[args[0]] > val(args[1]) else nxt
        else:
            raise ValueError(f"unknown instruction {op}")
        states.append(dict(regs))
        pc = nxt
    return regs, states


class _Builder:
    """Emits instructions with symbolic jump targets, resolved to line numbers at the end."""

    def __init__(self, rng: random.Random, cfg: MachineConfig) -> None:
        self.rng = rng
        self.cfg = cfg
        self.code: list[list[str]] = []
        self.labels: dict[str, int] = {}
        self.counter = 0

    def label(self) -> str:
        self.counter += 1
        return f"@{self.counter}"

    def place(self, label: str) -> None:
        self.labels[label] = len(self.code)

    def emit(self, *parts: str) -> None:
        self.code.append(list(parts))

    def arith(self, free: list[str], count: int) -> None:
        """``count`` arithmetic instructions writing only registers in ``free``."""
        rng = self.rng
        for _ in range(count):
            op = rng.choice(self.cfg.ops)
            x = rng.choice(free)
            other = rng.choice([r for r in REGS if r != x])
            if op == "set":
                self.emit("set", x, str(rng.randint(-5, 12)))
            elif op == "mov":
                self.emit("mov", x, other)
            elif op in ("add", "sub"):
                self.emit(op, x, other if rng.random() < 0.5 else str(rng.randint(1, 9)))
            elif op == "mul":
                self.emit("mul", x, str(rng.randint(2, 3)) if rng.random() < 0.8 else other)
            elif op in ("div", "mod"):
                self.emit(op, x, str(rng.randint(2, 7)))
            else:
                self.emit(op, x)

    def skip(self, free: list[str]) -> None:
        """A forward conditional jump over one or two instructions."""
        end = self.label()
        x = self.rng.choice(REGS)
        if "div" in self.cfg.ops and self.rng.random() < 0.5:
            self.emit("jgt", x, str(self.rng.randint(-2, 10)), end)
        else:
            self.emit(self.rng.choice(("jz", "jnz")), x, end)
        self.arith(free, self.rng.randint(1, 2))
        self.place(end)

    def loop(self, counter: str, free: list[str], inner: str | None = None) -> None:
        """``set counter k; body; dec counter; jnz counter body``; the body never writes ``counter``."""
        top = self.label()
        self.emit("set", counter, str(self.rng.randint(2, 4)))
        self.place(top)
        self.arith(free, self.rng.randint(1, 2))
        if inner is not None:
            self.loop(inner, [r for r in free if r != inner])
        elif self.cfg.skips and self.rng.random() < 0.5:
            self.skip(free)
        self.emit("dec", counter)
        self.emit("jnz", counter, top)

    def program(self) -> list[tuple[str, ...]]:
        out = []
        for parts in self.code:
            out.append(tuple(str(self.labels[p] + 1) if p.startswith("@") else p for p in parts))
        return out


def draw(rng: random.Random, cfg: MachineConfig) -> list[tuple[str, ...]]:
    """One structured program (terminates by construction)."""
    b = _Builder(rng, cfg)
    regs = list(REGS)
    rng.shuffle(regs)
    if cfg.loops == 0:
        b.arith(regs, rng.randint(*cfg.straight))
        return b.program()
    for r in regs[:2]:
        b.emit("set", r, str(rng.randint(-3, 9)))
    counter, inner = regs[3], regs[2]
    free = [r for r in regs if r not in (counter, inner)] if cfg.nested else [r for r in regs if r != counter]
    b.arith(free, rng.randint(1, 2))
    if cfg.nested:
        b.loop(counter, free + [inner], inner=inner)
    else:
        for _ in range(cfg.loops):
            b.loop(counter, free)
    if cfg.skips:
        b.skip(regs)
    b.arith(regs, rng.randint(*cfg.straight) - 1)
    return b.program()


class RegisterMachineFamily(TaskFamily):
    """Final register values of a small assembly program."""

    domain = "simulation"
    name = "register_machine"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw a structured program whose values stay in range and whose registers are not all zero."""
        cfg = LEVELS[difficulty]
        for _ in range(300):
            program = draw(rng, cfg)
            try:
                final, states = execute(program)
            except RuntimeError:
                continue
            if any(abs(v) > MAX_VALUE for s in states for v in s.values()):
                continue
            if sum(1 for v in final.values() if v != 0) < 2:
                continue
            return self._problem(program, final, states)
        raise RuntimeError("no valid register program in 300 draws")

    def _problem(
        self, program: list[tuple[str, ...]], final: dict[str, int], states: list[dict[str, int]]
    ) -> Problem:
        listing = "\n".join(f"{i:>2}: {' '.join(ins)}" for i, ins in enumerate(program, 1))
        prompt = (
            f"A machine has four integer registers {', '.join(REGS)}, all 0 at the start.\n\n{SEMANTICS}\n\n"
            f"Program:\n{listing}\n\n"
            "What are the values of the registers when the program halts?\n\n"
            f'{FORMAT_LINE} The answer is a JSON object with all four registers, e.g. {{"A": 1, "B": 0, "C": -2, "D": 7}}.'
        )
        shown = states if len(states) <= 60 else states[:30] + states[-10:]
        lines = [f"step {i}: " + ", ".join(f"{r}={v}" for r, v in s.items()) for i, s in enumerate(shown, 1)]
        if len(states) > 60:
            lines.insert(30, f"... ({len(states) - 40} more steps) ...")
        reference = (
            f"Executing the program instruction by instruction ({len(states)} steps):\n"
            + "\n".join(lines)
            + "\n\n"
            + json_block(final)
        )
        near = [states[-2]] if len(states) >= 2 else []
        meta = {"program": [list(p) for p in program], "steps": len(states), "near": near}
        return Problem(prompt=prompt, answer=final, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """All registers must match."""
        return score_value(response, task.answer)

    def wrong_responses(self, task: Task) -> list[str]:
        """The state one instruction before halting, and one register off by one."""
        answer: dict[str, Any] = task.answer
        slip = dict(answer)
        slip["A"] = answer["A"] + 1
        candidates = [*task.meta.get("near", []), slip]
        return [f"Tracing the registers:\n\n{json_block(v)}" for v in distinct_wrongs(answer, candidates)]
