"""Sequences and series.

Description:
    Terms and sums of arithmetic and geometric sequences, linear recurrences, polynomial sequences given
    by their first terms, and infinite geometric series. Sums use ``sympy.summation``, polynomial
    sequences ``sympy.interpolate``, recurrences are iterated with exact integers.

Prompt:
    ``The sequence 7, 11, 15, 19, ... is arithmetic. What is its 20th term?``

Answer format:
    A number (an integer, or a fraction in lowest terms for geometric sums and series).

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`.

Difficulty:
    1. the n-th term of an arithmetic sequence.
    2. the sum of the first n terms of an arithmetic sequence.
    3. the n-th term or the sum of the first n terms of a geometric sequence.
    4. a term of a linear recurrence ``a_n = p a_{n-1} + q a_{n-2}``.
    5. the next terms of a quadratic or cubic sequence, or the sum of an infinite geometric series.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, near_misses, pick, tex, tex_number

N = sympy.Symbol("n", integer=True)


@dataclass(frozen=True)
class SequenceConfig:
    """Knobs of one difficulty level: which problem kinds it draws from."""

    kinds: tuple[str, ...]


LEVELS: dict[int, SequenceConfig] = {
    1: SequenceConfig(("arithmetic_term",)),
    2: SequenceConfig(("arithmetic_sum",)),
    3: SequenceConfig(("geometric_term", "geometric_sum")),
    4: SequenceConfig(("recurrence",)),
    5: SequenceConfig(("polynomial", "series")),
}


def finite_sum(term: Callable[[int], Any], n: int) -> sympy.Rational:
    """``term(1) + ... + term(n)`` in exact sympy arithmetic (``sympy.summation`` is 100x slower here)."""
    return sympy.Add(*[sympy.Rational(term(k)) for k in range(1, n + 1)])


def geometric_series(a: sympy.Rational, r: sympy.Rational) -> sympy.Rational:
    """``a + ar + ar^2 + ...`` for ``|r| < 1``: the closed form, checked against ``sympy.summation`` in the tests."""
    if not abs(r) < 1:
        raise ValueError("the series diverges")
    return sympy.Rational(a / (1 - r))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _listing(terms: list[sympy.Rational]) -> str:
    return ", ".join(tex(t) for t in terms) + ", \\ldots"


class SequenceFamily(MathFamily):
    """Sequences and series (see the module docstring)."""

    name = "sequences"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Pick a problem kind of the level, draw its parameters, compute the answer with sympy."""
        kind = rng.choice(LEVELS[difficulty].kinds)
        return getattr(self, f"_{kind}")(rng)

    def _arithmetic_term(self, rng: random.Random) -> Problem:
        a, d, n = rng.randint(-10, 20), pick(rng, -6, 9, {0}), rng.randint(6, 30)
        term = a + (N - 1) * d
        value = int(term.subs(N, n))
        first = [a + i * d for i in range(4)]
        return self.problem(
            f"The sequence ${_listing(first)}$ is arithmetic. What is its {_ordinal(n)} term?",
            str(value),
            [
                f"The first term is ${a}$ and the common difference is ${d}$, so the {_ordinal(n)} term is "
                f"${a} + ({n} - 1) \\cdot {tex_number(d)} = {value}$."
            ],
            meta={
                "value": value,
                "mistakes": [int(term.subs(N, n + 1)), int(term.subs(N, n - 1)), a + n * d + d],
            },
        )

    def _arithmetic_sum(self, rng: random.Random) -> Problem:
        a, d, n = rng.randint(-10, 20), pick(rng, -5, 9, {0}), rng.randint(8, 40)
        value = int(finite_sum(lambda k: a + (k - 1) * d, n))
        last = a + (n - 1) * d
        first = [a + i * d for i in range(4)]
        return self.problem(
            f"What is the sum of the first {n} terms of the arithmetic sequence ${_listing(first)}$?",
            str(value),
            [
                f"The {_ordinal(n)} term is ${a} + {n - 1} \\cdot {tex_number(d)} = {last}$, so the sum is "
                f"$\\frac{{{n}({a} + {tex_number(last)})}}{{2}} = {value}$."
            ],
            meta={"value": value, "mistakes": [value - last, value + last + d, n * (a + last)]},
        )

    def _geometric_term(self, rng: random.Random) -> Problem:
        a, r, n = rng.randint(1, 12), pick(rng, -4, 4, {-1, 0, 1}), rng.randint(5, 10)
        value = int(a * sympy.Integer(r) ** (n - 1))
        first = [a * r**i for i in range(4)]
        return self.problem(
            f"The sequence ${_listing(first)}$ is geometric. What is its {_ordinal(n)} term?",
            str(value),
            [
                f"The first term is ${a}$ and the ratio is ${r}$, so the {_ordinal(n)} term is "
                f"${a} \\cdot {tex_number(r)}^{{{n - 1}}} = {value}$."
            ],
            meta={"value": value, "mistakes": [a * r**n, a * r ** (n - 2)]},
        )

    def _geometric_sum(self, rng: random.Random) -> Problem:
        a = rng.randint(1, 12)
        r = rng.choice(
            [
                sympy.Integer(2),
                sympy.Integer(3),
                sympy.Integer(-2),
                sympy.Rational(3, 2),
                sympy.Rational(1, 2),
                sympy.Rational(1, 3),
                sympy.Rational(2, 3),
            ]
        )
        n = rng.randint(4, 8)
        value = sympy.Rational(finite_sum(lambda k: a * r ** (k - 1), n))
        first = [a * r**i for i in range(4)]
        return self.problem(
            f"What is the sum of the first {n} terms of the geometric sequence ${_listing(first)}$?",
            tex(value),
            [
                f"With first term ${a}$ and ratio ${tex(r)}$, the sum is "
                f"${a} \\cdot \\frac{{1 - \\left({tex(r)}\\right)^{{{n}}}}}{{1 - {tex_number(r)}}} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str(value - a * r ** (n - 1)), str(value + a * r**n)]},
        )

    def _recurrence(self, rng: random.Random) -> Problem:
        p, q = pick(rng, -3, 3, {0}), pick(rng, -3, 3, {0})
        a1, a2 = rng.randint(-5, 5), rng.randint(-5, 5)
        n = rng.randint(6, 10)
        terms = [sympy.Integer(a1), sympy.Integer(a2)]
        while len(terms) < n:
            terms.append(p * terms[-1] + q * terms[-2])
        value = int(terms[n - 1])
        p_term = "a_{n-1}" if p == 1 else "-a_{n-1}" if p == -1 else f"{p}a_{{n-1}}"
        q_term = ("+ " if q > 0 else "- ") + ("" if abs(q) == 1 else str(abs(q))) + "a_{n-2}"
        rule = f"a_n = {p_term} {q_term}"
        nxt = p * terms[-1] + q * terms[-2]
        return self.problem(
            f"A sequence has $a_1 = {a1}$, $a_2 = {a2}$ and ${rule}$ for $n \\ge 3$. What is $a_{{{n}}}$?",
            str(value),
            [
                "Computing term by term: "
                + ", ".join(f"$a_{{{i + 1}}} = {t}$" for i, t in enumerate(terms))
                + "."
            ],
            meta={"value": value, "mistakes": [int(terms[n - 2]), int(nxt)]},
        )

    def _polynomial(self, rng: random.Random) -> Problem:
        degree = rng.choice([2, 3])
        coeffs = [pick(rng, -3, 3, {0})] + [rng.randint(-5, 5) for _ in range(degree)]
        poly = sum(c * N ** (degree - i) for i, c in enumerate(coeffs))
        shown = [int(poly.subs(N, i)) for i in range(1, degree + 3)]
        target = degree + 3 + rng.randint(0, 3)
        fitted = sympy.interpolate(list(zip(range(1, len(shown) + 1), shown)), N)
        value = int(fitted.subs(N, target))
        diffs = f"degree-{degree} polynomial"
        return self.problem(
            f"The terms ${', '.join(map(str, shown))}$ are the first {len(shown)} terms of a sequence given by a "
            f"polynomial in $n$ of degree {degree}. What is the {_ordinal(target)} term?",
            str(value),
            [
                f"Fitting a {diffs} through the given terms gives $a_n = {sympy.latex(sympy.expand(fitted))}$, so "
                f"$a_{{{target}}} = {value}$."
            ],
            meta={
                "value": value,
                "mistakes": [int(fitted.subs(N, target - 1)), int(fitted.subs(N, target + 1))],
            },
        )

    def _series(self, rng: random.Random) -> Problem:
        a = rng.randint(1, 12)
        r = sympy.Rational(pick(rng, -4, 4, {0}), rng.randint(5, 9))
        value = geometric_series(sympy.Integer(a), r)
        first = [a * r**i for i in range(3)]
        return self.problem(
            f"Find the sum of the infinite geometric series ${' + '.join(tex_number(t) for t in first)} + \\cdots$.",
            tex(value),
            [
                f"The first term is ${a}$ and the ratio is ${tex(r)}$ with $|r| < 1$, so the sum is "
                f"$\\frac{{{a}}}{{1 - {tex_number(r)}}} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str(a / (1 + r)), str(a * r / (1 - r))]},
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """The index off by one, the last term dropped, the ratio's sign slipped, and off by one."""
        value = sympy.Rational(task.meta["value"])
        mistakes = [sympy.Rational(m) for m in task.meta["mistakes"]]
        return [tex(w) for w in distinct_wrong(value, mistakes + near_misses(value)[:2])]
