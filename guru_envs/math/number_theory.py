"""Elementary number theory: gcd and lcm, remainders, divisors, modular powers, congruences, CRT.

Description:
    Integer questions whose answers come from sympy's number theory (``igcd``, ``ilcm``, ``divisor_count``,
    ``divisor_sigma``, ``totient``, ``mod_inverse``, ``crt``) and Python's exact modular power.

Prompt:
    ``What is the greatest common divisor of 84 and 126?``

Answer format:
    A whole number.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`.

Difficulty:
    1. gcd of two numbers up to 150.
    2. lcm of two numbers up to 60, or the remainder of a product.
    3. number or sum of the positive divisors of a number up to 5,000.
    4. ``a^b mod m`` with ``b`` up to 2,000, or Euler's totient.
    5. the least positive solution of ``ax ≡ b (mod m)``, or of two congruences (CRT).

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
from sympy.ntheory.modular import crt

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, near_misses, tex


@dataclass(frozen=True)
class NumberTheoryConfig:
    """Knobs of one difficulty level: which problem kinds it draws from."""

    kinds: tuple[str, ...]


LEVELS: dict[int, NumberTheoryConfig] = {
    1: NumberTheoryConfig(("gcd",)),
    2: NumberTheoryConfig(("lcm", "remainder")),
    3: NumberTheoryConfig(("divisor_count", "divisor_sum")),
    4: NumberTheoryConfig(("power_mod", "totient")),
    5: NumberTheoryConfig(("congruence", "crt")),
}


def _factorization(n: int) -> str:
    return " \\cdot ".join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in sorted(sympy.factorint(n).items()))


class NumberTheoryFamily(MathFamily):
    """Elementary number theory (see the module docstring)."""

    name = "number_theory"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Pick a problem kind of the level, draw its numbers, answer with sympy."""
        kind = rng.choice(LEVELS[difficulty].kinds)
        return getattr(self, f"_{kind}")(rng)

    def _gcd(self, rng: random.Random) -> Problem:
        g = rng.randint(2, 15)
        a, b = g * rng.randint(1, 150 // g), g * rng.randint(1, 150 // g)
        while a == b:
            b = g * rng.randint(1, 150 // g)
        value = int(sympy.igcd(a, b))
        return self.problem(
            f"What is the greatest common divisor of {a} and {b}?",
            str(value),
            [f"${a} = {_factorization(a)}$ and ${b} = {_factorization(b)}$; the common part is ${value}$."],
            meta={"value": value, "mistakes": [int(sympy.ilcm(a, b)), min(a, b)]},
        )

    def _lcm(self, rng: random.Random) -> Problem:
        a, b = rng.randint(4, 60), rng.randint(4, 60)
        while a == b:
            b = rng.randint(4, 60)
        value = int(sympy.ilcm(a, b))
        return self.problem(
            f"What is the least common multiple of {a} and {b}?",
            str(value),
            [
                f"$\\operatorname{{lcm}}({a}, {b}) = \\frac{{{a} \\cdot {b}}}{{\\gcd({a}, {b})}} = "
                f"\\frac{{{a * b}}}{{{sympy.igcd(a, b)}}} = {value}$."
            ],
            meta={"value": value, "mistakes": [a * b, int(sympy.igcd(a, b))]},
        )

    def _remainder(self, rng: random.Random) -> Problem:
        a, b, m = rng.randint(20, 999), rng.randint(20, 999), rng.randint(3, 13)
        value = int(sympy.Mod(a * b, m))
        return self.problem(
            f"What is the remainder when ${a} \\times {b}$ is divided by ${m}$?",
            str(value),
            [
                f"${a} \\equiv {a % m}$ and ${b} \\equiv {b % m} \\pmod{{{m}}}$, so the product is "
                f"$\\equiv {(a % m) * (b % m)} \\equiv {value} \\pmod{{{m}}}$."
            ],
            meta={"value": value, "mistakes": [(a % m) * (b % m), m - value]},
        )

    def _divisor_count(self, rng: random.Random) -> Problem:
        n = rng.randint(100, 5000)
        value = int(sympy.divisor_count(n))
        factors = sympy.factorint(n)
        product = " \\cdot ".join(f"({e} + 1)" for e in factors.values())
        return self.problem(
            f"How many positive divisors does {n} have?",
            str(value),
            [f"${n} = {_factorization(n)}$, so it has ${product} = {value}$ divisors."],
            meta={"value": value, "mistakes": [value - 2, len(factors)]},
        )

    def _divisor_sum(self, rng: random.Random) -> Problem:
        n = rng.randint(20, 1000)
        value = int(sympy.divisor_sigma(n))
        return self.problem(
            f"What is the sum of all positive divisors of {n}?",
            str(value),
            [f"${n} = {_factorization(n)}$ and $\\sigma$ is multiplicative, which gives ${value}$."],
            meta={"value": value, "mistakes": [value - n, int(sympy.divisor_count(n))]},
        )

    def _power_mod(self, rng: random.Random) -> Problem:
        a, b, m = rng.randint(2, 50), rng.randint(10, 2000), rng.randint(5, 97)
        value = pow(a, b, m)
        order = sympy.n_order(a, m) if sympy.igcd(a, m) == 1 else None
        step = (
            f"The order of ${a}$ modulo ${m}$ is ${order}$ and ${b} \\equiv {b % order} \\pmod{{{order}}}$, so "
            f"${a}^{{{b}}} \\equiv {a}^{{{b % order}}} \\equiv {value} \\pmod{{{m}}}$."
            if order
            else f"Repeated squaring gives ${a}^{{{b}}} \\equiv {value} \\pmod{{{m}}}$."
        )
        return self.problem(
            f"What is the remainder when ${a}^{{{b}}}$ is divided by ${m}$?",
            str(value),
            [step],
            meta={"value": value, "mistakes": [pow(a, b - 1, m), (a * b) % m]},
        )

    def _totient(self, rng: random.Random) -> Problem:
        n = rng.randint(30, 2000)
        value = int(sympy.totient(n))
        return self.problem(
            f"How many integers from 1 to {n} are relatively prime to {n}?",
            str(value),
            [
                f"${n} = {_factorization(n)}$, so $\\varphi({n}) = {n}"
                + "".join(f"\\left(1 - \\frac{{1}}{{{p}}}\\right)" for p in sorted(sympy.factorint(n)))
                + f" = {value}$."
            ],
            meta={"value": value, "mistakes": [n - len(sympy.factorint(n)), value + 1]},
        )

    def _congruence(self, rng: random.Random) -> Problem:
        while True:
            m = rng.randint(7, 60)
            a = rng.randint(2, m - 1)
            if sympy.igcd(a, m) == 1:
                break
        b = rng.randint(1, m - 1)
        inverse = int(sympy.mod_inverse(a, m))
        value = (inverse * b) % m or m
        return self.problem(
            f"Find the least positive integer $x$ such that ${a}x \\equiv {b} \\pmod{{{m}}}$.",
            str(value),
            [
                f"The inverse of ${a}$ modulo ${m}$ is ${inverse}$, so $x \\equiv {inverse} \\cdot {b} "
                f"\\equiv {value} \\pmod{{{m}}}$."
            ],
            meta={"value": value, "mistakes": [(b * a) % m, value + m]},
        )

    def _crt(self, rng: random.Random) -> Problem:
        while True:
            m1, m2 = rng.randint(3, 15), rng.randint(3, 15)
            if sympy.igcd(m1, m2) == 1:
                break
        r1, r2 = rng.randint(0, m1 - 1), rng.randint(0, m2 - 1)
        solution, modulus = crt([m1, m2], [r1, r2])
        value = int(solution) or int(modulus)
        return self.problem(
            f"Find the least positive integer that leaves remainder {r1} when divided by {m1} and "
            f"remainder {r2} when divided by {m2}.",
            str(value),
            [
                f"By the Chinese remainder theorem the solution is unique modulo ${m1} \\cdot {m2} = {modulus}$; "
                f"checking the numbers $\\equiv {r1} \\pmod{{{m1}}}$ gives ${value}$."
            ],
            meta={"value": value, "mistakes": [value + int(modulus), r1 + r2]},
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """Off by one and the kind's typical slip (lcm for gcd, forgetting to reduce, one exponent off ...)."""
        value = sympy.Integer(task.meta["value"])
        mistakes = [sympy.Integer(m) for m in task.meta["mistakes"]]
        return [tex(w) for w in distinct_wrong(value, mistakes + near_misses(value)[:2])]
