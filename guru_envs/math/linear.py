"""Linear equations in one unknown.

Description:
    Solve one linear equation with a unique solution, computed with sympy (the tests re-solve the printed
    equation with ``sympy.solve``).

Prompt:
    ``Solve for $x$: $3x + 5 = 20$.`` followed by the boxed-answer instruction.

Answer format:
    The value of the unknown (``5``, ``-\\frac{7}{3}``); ``x = 5`` is accepted too.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`.

Difficulty:
    1. ``x + a = b`` (or ``x - a``, ``a + x``) with whole numbers up to 50.
    2. ``ax + b = c`` with an integer solution.
    3. ``ax + b = cx + d`` with a rational solution.
    4. ``a(x + b) - c(x - d) = e``: distribute first.
    5. ``\\frac{x + a}{b} - \\frac{x - c}{d} = e``: clear denominators first.

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

import sympy

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, near_misses, pick, tex


@dataclass(frozen=True)
class LinearConfig:
    """Knobs of one difficulty level."""

    form: str  # "shift", "two_step", "both_sides", "distribute", "fractions"
    coef_max: int


LEVELS: dict[int, LinearConfig] = {
    1: LinearConfig("shift", 20),
    2: LinearConfig("two_step", 9),
    3: LinearConfig("both_sides", 12),
    4: LinearConfig("distribute", 9),
    5: LinearConfig("fractions", 9),
}
VARIABLES = ("x", "y", "t", "n", "z")


def linear_tex(a: int | sympy.Rational, var: str, b: int | sympy.Rational = 0) -> str:
    """``ax + b`` as written by hand: ``x``, ``-x``, ``3x - 2``, ``\\frac{1}{2}x + 1``."""
    a, b = sympy.Rational(a), sympy.Rational(b)
    if a == 0:
        return tex(b)
    head = var if a == 1 else f"-{var}" if a == -1 else f"{tex(a)}{var}"
    if b == 0:
        return head
    return f"{head} - {tex(-b)}" if b < 0 else f"{head} + {tex(b)}"


def _signed(value: int, var: str) -> str:
    """``(x + 3)`` / ``(x - 3)`` inner text for a shift by ``value``."""
    return linear_tex(1, var, value)


class LinearEquationFamily(MathFamily):
    """Linear equations in one unknown (see the module docstring)."""

    name = "linear_equation"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw coefficients until the equation has exactly one solution, then solve it with sympy."""
        cfg = LEVELS[difficulty]
        var = VARIABLES[0] if difficulty <= 2 else rng.choice(VARIABLES)
        x = sympy.Symbol(var)
        m = cfg.coef_max
        while True:
            if cfg.form == "shift":
                sol_int, a = rng.randint(1, 50), rng.randint(1, 50)
                form = rng.randrange(3)
                if form == 0:
                    lhs, rhs, text = x + a, sol_int + a, f"{var} + {a} = {sol_int + a}"
                elif form == 1:
                    lhs, rhs, text = x - a, sol_int - a, f"{var} - {a} = {sol_int - a}"
                else:
                    lhs, rhs, text = a + x, sol_int + a, f"{a} + {var} = {sol_int + a}"
            elif cfg.form == "two_step":
                a, sol_int, b = rng.randint(2, m), rng.randint(-10, 10), pick(rng, -20, 20, {0})
                lhs, rhs = a * x + b, a * sol_int + b
                text = f"{linear_tex(a, var, b)} = {a * sol_int + b}"
            elif cfg.form == "both_sides":
                a, c = pick(rng, -m, m, {0}), pick(rng, -m, m, {0})
                b, d = rng.randint(-20, 20), rng.randint(-20, 20)
                lhs, rhs = a * x + b, c * x + d
                text = f"{linear_tex(a, var, b)} = {linear_tex(c, var, d)}"
            elif cfg.form == "distribute":
                a, c = rng.randint(2, m), rng.randint(2, m)
                b, d, e = pick(rng, -9, 9, {0}), pick(rng, -9, 9, {0}), rng.randint(-30, 30)
                lhs, rhs = a * (x + b) - c * (x - d), e
                text = f"{a}\\left({_signed(b, var)}\\right) - {c}\\left({_signed(-d, var)}\\right) = {e}"
            else:
                b, d = rng.randint(2, m), rng.randint(2, m)
                a, c, e = pick(rng, -9, 9, {0}), pick(rng, -9, 9, {0}), pick(rng, -5, 5, {0})
                lhs, rhs = (x + a) / b - (x - c) / d, e
                text = f"\\frac{{{_signed(a, var)}}}{{{b}}} - \\frac{{{_signed(-c, var)}}}{{{d}}} = {e}"
            collected = sympy.Poly(sympy.expand(lhs - rhs), x)  # coef * x + const
            if collected.degree() == 1:
                break
        coef, const = (sympy.Rational(c) for c in collected.all_coeffs())
        solution = -const / coef
        steps = []
        if cfg.form in ("shift", "two_step"):
            steps.append(f"Isolate ${var}$: ${linear_tex(coef, var)} = {tex(-const)}$.")
        else:
            steps.append(
                f"Expanding and collecting the ${var}$ terms on one side gives ${linear_tex(coef, var)} = {tex(-const)}$."
            )
        if coef != 1:
            steps.append(f"Dividing by ${tex(coef)}$ gives ${var} = {tex(solution)}$.")
        return self.problem(
            f"Solve for ${var}$: ${text}$.",
            tex(solution),
            steps,
            meta={"variable": var, "value": str(solution), "coef": str(coef), "rhs": str(-const)},
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """Off by one, sign error, dividing the wrong way round, stopping before the division."""
        value = sympy.Rational(task.meta["value"])
        coef, rhs = sympy.Rational(task.meta["coef"]), sympy.Rational(task.meta["rhs"])
        extra = [rhs] + ([coef / rhs] if rhs != 0 else [])
        wrong = distinct_wrong(value, near_misses(value) + extra)
        return [tex(w) for w in wrong] + [f"{task.meta['variable']} = {tex(value + 1)}"]
