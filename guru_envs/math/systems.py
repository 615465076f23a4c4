"""Systems of linear equations with a unique solution.

Description:
    Solve a 2x2 or 3x3 linear system. Coefficients are drawn until the determinant is non-zero; the
    solution is computed with sympy's exact ``LUsolve`` (the tests re-solve the printed equations).

Prompt:
    ``Solve the system $2x + 3y = 7$, $x - y = 1$. Give the answer as an ordered pair $(x, y)$.``

Answer format:
    The ordered tuple ``(x, y)`` or ``(x, y, z)``; ``x = 2, y = 1`` (in any order of the equations) is
    accepted too. Swapped components score 0.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer` (ordered comparison).

Difficulty:
    1. ``x + y = s``, ``x - y = d``, positive integer solution.
    2. 2x2, integer coefficients and integer solution.
    3. 2x2 with a rational solution.
    4. 3x3 with an integer solution.
    5. 3x3 with a rational solution.

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
from guru_envs.math.common import MathFamily, near_misses, tex

NAMES = ("x", "y", "z")


@dataclass(frozen=True)
class SystemConfig:
    """Knobs of one difficulty level."""

    size: int
    coef_max: int
    integer_solution: bool
    simple: bool = False


LEVELS: dict[int, SystemConfig] = {
    1: SystemConfig(2, 1, True, simple=True),
    2: SystemConfig(2, 6, True),
    3: SystemConfig(2, 9, False),
    4: SystemConfig(3, 5, True),
    5: SystemConfig(3, 9, False),
}


def equation_tex(coeffs: list[int], names: tuple[str, ...], rhs: int) -> str:
    """``2x - y + 3z = 7`` from coefficients."""
    parts: list[str] = []
    for c, name in zip(coeffs, names):
        if c == 0:
            continue
        term = name if abs(c) == 1 else f"{abs(c)}{name}"
        if not parts:
            parts.append(f"-{term}" if c < 0 else term)
        else:
            parts.append(f"- {term}" if c < 0 else f"+ {term}")
    return f"{' '.join(parts) or '0'} = {rhs}"


class LinearSystemFamily(MathFamily):
    """Systems of linear equations (see the module docstring)."""

    name = "linear_system"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw a non-singular system, then solve it with sympy."""
        cfg = LEVELS[difficulty]
        names = NAMES[: cfg.size]
        while True:
            if cfg.simple:
                x0, y0 = rng.randint(1, 30), rng.randint(1, 30)
                matrix = sympy.Matrix([[1, 1], [1, -1]])
                rhs = sympy.Matrix([x0 + y0, x0 - y0])
            else:
                m = cfg.coef_max
                matrix = sympy.Matrix(
                    [[rng.randint(-m, m) for _ in range(cfg.size)] for _ in range(cfg.size)]
                )
                if matrix.det() == 0 or any(all(v == 0 for v in matrix.row(i)) for i in range(cfg.size)):
                    continue
                if cfg.integer_solution:
                    target = sympy.Matrix([rng.randint(-9, 9) for _ in range(cfg.size)])
                    rhs = matrix * target
                else:
                    rhs = sympy.Matrix([rng.randint(-20, 20) for _ in range(cfg.size)])
            solution = [sympy.Rational(v) for v in matrix.LUsolve(rhs)]
            if cfg.integer_solution or any(v.q != 1 for v in solution):
                break
        equations = [
            equation_tex([int(v) for v in matrix.row(i)], names, int(rhs[i])) for i in range(cfg.size)
        ]
        tuple_names = ", ".join(names)
        answer = "(" + ", ".join(tex(v) for v in solution) + ")"
        kind = "ordered pair" if cfg.size == 2 else "ordered triple"
        question = (
            "Solve the system of equations\n"
            + "\n".join(f"${e}$" for e in equations)
            + f"\nGive the answer as an {kind} $({tuple_names})$."
        )
        det = matrix.det()
        steps = [f"The coefficient determinant is ${det}$, so the solution is unique."]
        for i, name in enumerate(names):
            replaced = matrix.copy()
            replaced[:, i] = rhs
            steps.append(
                f"By Cramer's rule, ${name} = \\frac{{{replaced.det()}}}{{{det}}} = {tex(solution[i])}$."
            )
        return self.problem(question, answer, steps, meta={"solution": [str(v) for v in solution]})

    def wrong_answers(self, task: Task) -> list[str]:
        """Components swapped, one component off by one or with the wrong sign, a component missing."""
        sol = [sympy.Rational(v) for v in task.meta["solution"]]
        out: list[list[sympy.Rational]] = []
        if sol[0] != sol[1]:
            out.append([sol[1], sol[0], *sol[2:]])
        out.append([near_misses(sol[0])[0], *sol[1:]])
        if sol[-1] != 0:
            out.append([*sol[:-1], -sol[-1]])
        answers = ["(" + ", ".join(tex(v) for v in cand) + ")" for cand in out]
        answers.append("(" + ", ".join(tex(v) for v in sol[:-1]) + ")")
        return answers
