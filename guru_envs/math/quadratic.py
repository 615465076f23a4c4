"""Quadratic equations: all roots, as a set.

Description:
    Find every solution of ``ax^2 + bx + c = 0``. The polynomial is built from chosen roots (levels 1-3)
    or chosen coefficients (levels 4-5); the roots come from the quadratic formula in sympy (the tests
    check them against ``sympy.roots``).

Prompt:
    ``Find all real solutions of $2x^2 - 5x + 3 = 0$.`` plus: list all solutions in one box, separated by
    commas.

Answer format:
    The roots separated by commas, in any order (``1, \\frac{3}{2}``); ``\\{1, \\frac{3}{2}\\}``,
    ``x = 1 \\text{ or } x = \\frac{3}{2}`` and ``\\frac{-b \\pm \\sqrt{D}}{2a}`` forms are accepted. A double
    root is a single value. A missing or an extra root scores 0.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer` (set equality of the roots).

Difficulty:
    1. monic, two small positive integer roots.
    2. monic, integer roots of either sign (sometimes a double root).
    3. leading coefficient 2-6, rational roots.
    4. monic with an irrational pair ``p \\pm \\sqrt{q}``.
    5. complex roots (negative discriminant) or a non-monic irrational pair.

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
from guru_envs.math.common import MathFamily, pick, same_value, tex, unique

VARIABLES = ("x", "y", "t", "z", "u")


@dataclass(frozen=True)
class QuadraticConfig:
    """Knobs of one difficulty level."""

    kind: str  # "small", "integer", "rational", "irrational", "hard"


LEVELS: dict[int, QuadraticConfig] = {
    1: QuadraticConfig("small"),
    2: QuadraticConfig("integer"),
    3: QuadraticConfig("rational"),
    4: QuadraticConfig("irrational"),
    5: QuadraticConfig("hard"),
}


def poly_tex(coeffs: list[int], var: str = "x") -> str:
    """``2x^2 - 5x + 3`` from ``[2, -5, 3]`` (highest degree first), as written by hand."""
    degree = len(coeffs) - 1
    parts: list[str] = []
    for i, c in enumerate(coeffs):
        power = degree - i
        if c == 0:
            continue
        mag = abs(c)
        body = f"{var}^{power}" if power > 1 else var if power == 1 else ""
        coef = "" if mag == 1 and body else str(mag)
        term = coef + body
        if not parts:
            parts.append(f"-{term}" if c < 0 else term)
        else:
            parts.append(f"- {term}" if c < 0 else f"+ {term}")
    return " ".join(parts) if parts else "0"


NON_SQUARES = tuple(n for n in range(2, 30) if not sympy.sqrt(n).is_Integer)


def quadratic_roots(coeffs: list[int]) -> list[sympy.Expr]:
    """The distinct roots of ``ax^2 + bx + c`` by the quadratic formula in sympy, sorted (real, then imaginary)."""
    a, b, c = (sympy.Integer(v) for v in coeffs)
    root = sympy.sqrt(b * b - 4 * a * c)
    return unique(sorted([(-b - root) / (2 * a), (-b + root) / (2 * a)], key=_sort_key))


def factored_tex(a: int, roots: list[sympy.Rational], var: str) -> str:
    """``2(x - 1)(3x + 2)``-style factorisation for rational roots (a double root is squared)."""
    factors = []
    rest = sympy.Integer(a)
    for r in roots if len(roots) == 2 else roots * 2:
        p, q = int(r.p), int(r.q)
        rest /= q
        head = var if q == 1 else f"{q}{var}"
        factors.append(
            f"\\left({head} - {p}\\right)" if p > 0 else f"\\left({head} + {-p}\\right)" if p < 0 else var
        )
    lead = "" if rest == 1 else "-" if rest == -1 else tex(rest)
    return lead + " ".join(factors)


def _sort_key(root: sympy.Expr) -> tuple[float, float]:
    value = complex(sympy.N(root, 20))
    return (value.real, value.imag)


class QuadraticFamily(MathFamily):
    """Quadratic equations, all roots (see the module docstring)."""

    name = "quadratic"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Choose roots or coefficients, then let sympy find the roots."""
        kind = LEVELS[difficulty].kind
        complex_ok = False
        var = rng.choice(VARIABLES)
        if kind == "small":
            r1, r2 = rng.randint(1, 15), rng.randint(1, 15)
            while r2 == r1:
                r2 = rng.randint(1, 15)
            coeffs = [1, -(r1 + r2), r1 * r2]
        elif kind == "integer":
            r1 = rng.randint(-12, 12)
            r2 = r1 if rng.random() < 0.15 else rng.randint(-12, 12)
            coeffs = [1, -(r1 + r2), r1 * r2]
        elif kind == "rational":
            a, c = rng.randint(2, 6), rng.randint(1, 3)
            b, d = pick(rng, -9, 9, {0}), rng.randint(-9, 9)
            coeffs = [a * c, -(a * d + b * c), b * d]  # (ax - b)(cx - d)
            common = int(sympy.igcd(*coeffs))
            coeffs = [v // common for v in coeffs]
        elif kind == "irrational":
            p = rng.randint(-6, 6)
            q = rng.choice(NON_SQUARES)
            coeffs = [1, -2 * p, p * p - q]  # roots p ± sqrt(q)
        else:
            a = rng.randint(1, 5)
            if rng.random() < 0.5:  # complex pair p ± q i
                p, q = rng.randint(-5, 5), rng.randint(1, 5)
                coeffs = [1, -2 * p, p * p + q * q]
                complex_ok = True
            else:
                while True:
                    b, c = rng.randint(-9, 9), rng.randint(-9, 9)
                    disc = b * b - 4 * a * c
                    if disc > 0 and not sympy.sqrt(disc).is_Integer:
                        break
                coeffs = [a, b, c]
        roots = quadratic_roots(coeffs)
        answer = ", ".join(tex(r) for r in roots)
        a, b, c = coeffs
        disc = b * b - 4 * a * c
        where = "complex" if complex_ok else "real"
        question = (
            f"Find all {where} solutions of ${poly_tex(coeffs, var)} = 0$. "
            "Write all solutions in one \\boxed{}, separated by commas."
        )
        steps = [f"Here $a = {a}$, $b = {b}$, $c = {c}$, so the discriminant is $b^2 - 4ac = {disc}$."]
        if disc == 0:
            steps.append(
                f"The discriminant is zero, so there is one (double) root ${var} = {tex(roots[0])}$."
            )
        elif all(r.is_Rational for r in roots):
            steps.append(f"It factors as ${factored_tex(a, roots, var)} = 0$.")
            steps.append(
                "Setting each factor to zero gives the roots " + ", ".join(f"${tex(r)}$" for r in roots) + "."
            )
        else:
            steps.append(
                f"By the quadratic formula, ${var} = \\frac{{{-b} \\pm \\sqrt{{{disc}}}}}{{{2 * a}}}$, which simplifies to "
                + " and ".join(f"${tex(r)}$" for r in roots)
                + "."
            )
        return self.problem(question, answer, steps, meta={"coeffs": coeffs})

    def wrong_answers(self, task: Task) -> list[str]:
        """A missing root, both signs flipped, one root off by one, an extra root."""
        roots = quadratic_roots(task.meta["coeffs"])
        candidates: list[list[sympy.Expr]] = []
        if len(roots) == 2:
            candidates += [[roots[0]], [roots[1]]]
        candidates.append([-r for r in roots])
        candidates.append([roots[0] + 1] + roots[1:])
        candidates.append(roots + [roots[-1] + 1])
        out = []
        right = roots
        for cand in candidates:
            if _same_set(cand, right):
                continue
            out.append(", ".join(tex(r) for r in unique(cand)))
        return out


def _same_set(a: list[sympy.Expr], b: list[sympy.Expr]) -> bool:
    return all(any(same_value(x, y) for y in b) for x in a) and all(
        any(same_value(x, y) for x in a) for y in b
    )
