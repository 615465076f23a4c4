"""Multi-step arithmetic with integers and fractions.

Description:
    Evaluate an expression built from a random tree of ``+ - × ÷`` (and squares at the top level), with
    operator precedence and parentheses exactly as written.

Prompt:
    ``Compute $\\frac{2}{3} + \\frac{5}{7}$.`` followed by the boxed-answer instruction.

Answer format:
    An integer or a fraction in lowest terms (``\\frac{29}{21}``); any equal value is accepted (``29/21``,
    or a decimal correctly rounded to at least six significant digits, ``1.38095``).

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`; copying the expression from the question into the
    box scores 0.

Difficulty:
    1. two two-digit integers, one of ``+ - ×``.
    2. three integers, two operations, precedence matters.
    3. two fractions, ``+`` or ``-``.
    4. three fractions or integers, all four operations, parentheses.
    5. four operands with a negative number, all four operations and a square.

Version History:
    v0: initial release.
    v0 (unreleased): scoring only, generated tasks unchanged. The answer must be one claim: hedges, negations,
        scale words, false equations, LaTeX connectives (``\\lor``, ``\\mid``, ``\\pm``) and values set apart
        by spacing score 0, and a label is dropped only when a unit or a word of the question; a plain number
        where the reference is one (``83 - 52`` scores 0); no copy of the question in any order or grouping; a
        set is not a tuple; boxes that each give one solution make a set; malformed formulas never reach the
        symbolic checker (issue 17).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, near_misses, tex, tex_number, unsimplified


@dataclass(frozen=True)
class ArithmeticConfig:
    """Knobs of one difficulty level."""

    operands: int
    ops: str  # characters from "+-*/"
    leaf: str  # "int2" two-digit ints, "int" small ints, "frac" fractions, "mixed", "signed"
    square: bool = False


LEVELS: dict[int, ArithmeticConfig] = {
    1: ArithmeticConfig(operands=2, ops="+-*", leaf="int2"),
    2: ArithmeticConfig(operands=3, ops="+-*", leaf="int"),
    3: ArithmeticConfig(operands=2, ops="+-", leaf="frac"),
    4: ArithmeticConfig(operands=3, ops="+-*/", leaf="mixed"),
    5: ArithmeticConfig(operands=4, ops="+-*/", leaf="signed", square=True),
}

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "sq": 3, "n": 4}
_TEX_OP = {"+": "+", "-": "-", "*": "\\times", "/": "\\div"}
MAX_DENOMINATOR = 5_000
MAX_ABS = 10**6


def _leaf(rng: random.Random, kind: str) -> int | Fraction:
    if kind == "int2":
        return rng.randint(10, 99)
    if kind == "int":
        return rng.randint(2, 50)
    if kind == "frac" or (kind in ("mixed", "signed") and rng.random() < 0.6):
        den = rng.randint(2, 9)
        num = rng.randint(1, 2 * den)
        while num % den == 0:
            num = rng.randint(1, 2 * den)
        return Fraction(num, den)
    value = rng.randint(2, 12)
    return -value if kind == "signed" and rng.random() < 0.4 else value


def _tree(rng: random.Random, n: int, cfg: ArithmeticConfig) -> tuple[Any, ...]:
    if n == 1:
        return ("n", _leaf(rng, cfg.leaf))
    k = rng.randint(1, n - 1)
    return (rng.choice(cfg.ops), _tree(rng, k, cfg), _tree(rng, n - k, cfg))


def _value(node: tuple[Any, ...]) -> int | Fraction:
    kind = node[0]
    if kind == "n":
        return node[1]
    if kind == "sq":
        return _value(node[1]) ** 2
    a, b = _value(node[1]), _value(node[2])
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if b == 0:
        raise ZeroDivisionError
    return Fraction(a) / b


def _render(node: tuple[Any, ...]) -> str:
    kind = node[0]
    if kind == "n":
        return tex_number(node[1])
    if kind == "sq":
        inner = node[1]
        body = _render(inner)
        if inner[0] != "n" or inner[1].denominator != 1 or inner[1] < 0:
            body = f"\\left({body}\\right)"
        return f"{body}^2"
    left, right = node[1], node[2]
    ls, rs = _render(left), _render(right)
    if _PREC[left[0]] < _PREC[kind]:
        ls = f"\\left({ls}\\right)"
    if _PREC[right[0]] < _PREC[kind] or (kind in "-/" and _PREC[right[0]] == _PREC[kind]):
        rs = f"\\left({rs}\\right)"
    return f"{ls} {_TEX_OP[kind]} {rs}"


def _steps(node: tuple[Any, ...], out: list[str]) -> None:
    """Post-order: each operation with its already-computed operands, as a solution would write it."""
    kind = node[0]
    if kind == "n":
        return
    if kind == "sq":
        _steps(node[1], out)
        inner = _value(node[1])
        base = tex(inner) if inner.denominator == 1 and inner >= 0 else f"\\left({tex(inner)}\\right)"
        out.append(f"${base}^2 = {tex(_value(node))}$.")
        return
    _steps(node[1], out)
    _steps(node[2], out)
    a, b = _value(node[1]), _value(node[2])
    out.append(f"${tex_number(a)} {_TEX_OP[kind]} {tex_number(b)} = {tex(_value(node))}$.")


def _left_to_right(node: tuple[Any, ...]) -> int | Fraction | None:
    """The value a careless solver gets by ignoring precedence (reading the written operators left to right)."""
    if node[0] not in "+-*/" or node[1][0] not in "+-*/" or node[1][0] == "sq":
        return None
    try:
        inner = _value(node[1])
        return _value((node[0], ("n", inner), node[2]))
    except ZeroDivisionError:
        return None


class ArithmeticFamily(MathFamily):
    """Multi-step arithmetic with integers and fractions (see the module docstring)."""

    name = "arithmetic"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw expression trees until one has a defined, moderate value."""
        cfg = LEVELS[difficulty]
        while True:
            tree = _tree(rng, cfg.operands, cfg)
            if cfg.square:
                tree = (tree[0], ("sq", tree[1]), tree[2]) if tree[0] in "+-" else ("sq", tree)
            try:
                value = _value(tree)
            except ZeroDivisionError:
                continue
            if value.denominator <= MAX_DENOMINATOR and abs(value) <= MAX_ABS:
                break
        expression = _render(tree)
        steps: list[str] = []
        _steps(tree, steps)
        if len(steps) > 1:
            steps = ["We work inside out, respecting the order of operations."] + steps
        answer = tex(value)
        return self.problem(
            f"Compute ${expression}$.",
            answer,
            steps,
            meta={"expression": expression, "value": str(value), "careless": str(_left_to_right(tree))},
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """Off by one, wrong sign, flipped fraction, an unsimplified wrong fraction, the expression copied."""
        value = sympy.Rational(task.meta["value"])
        wrong = near_misses(value)
        careless = task.meta.get("careless")
        if careless and careless != "None":
            wrong += distinct_wrong(value, [sympy.Rational(careless)])
        answers = [tex(w) for w in distinct_wrong(value, wrong)]
        if value.q != 1:
            answers.append(unsimplified(value))
        answers.append(task.meta["expression"])  # merely repeats the question
        return answers
