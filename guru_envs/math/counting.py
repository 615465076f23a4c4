"""Counting and combinatorics.

Description:
    Count arrangements and selections: factorials, permutations, combinations, rearrangements of a word
    with repeated letters, selections with an "at least one" condition, inclusion-exclusion, integer
    compositions and derangements. Counts come from sympy (``factorial``, ``binomial``, ``subfactorial``,
    ``ff``); the word problems are templated, the numbers are drawn from ``rng``.

Prompt:
    ``In how many ways can 5 different books be arranged in a row on a shelf?``

Answer format:
    A whole number (thousands separators are fine).

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`.

Difficulty:
    1. ``n!`` for n <= 6, or choosing 2 of at most 8.
    2. ordered vs unordered selections (``P(n, k)``, ``C(n, k)``) up to 15.
    3. distinct rearrangements of a word with repeated letters.
    4. "at least one" committees, or inclusion-exclusion on divisibility.
    5. positive integer solutions of ``x_1 + ... + x_k = n``, or derangements.

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
from collections import Counter
from dataclasses import dataclass

import sympy

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, near_misses, tex


@dataclass(frozen=True)
class CountingConfig:
    """Knobs of one difficulty level: which problem kinds it draws from."""

    kinds: tuple[str, ...]


LEVELS: dict[int, CountingConfig] = {
    1: CountingConfig(("line", "pairs", "outfits")),
    2: CountingConfig(("officers", "committee")),
    3: CountingConfig(("word",)),
    4: CountingConfig(("at_least_one", "divisible")),
    5: CountingConfig(("compositions", "derangements")),
}
OBJECTS = (
    "books",
    "paintings",
    "students",
    "trophies",
    "flags",
    "cards",
    "cars",
    "plants",
    "chairs",
    "runners",
    "photos",
    "toys",
)
GROUPS = ("club", "class", "team", "choir", "committee", "band")
CLOTHES = (
    ("shirts", "pairs of trousers"),
    ("hats", "scarves"),
    ("jackets", "pairs of shoes"),
    ("soups", "salads"),
    ("main courses", "desserts"),
    ("bus routes", "train routes"),
)


class CountingFamily(MathFamily):
    """Counting and combinatorics (see the module docstring)."""

    name = "counting"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Pick a problem kind of the level, draw its numbers, count with sympy."""
        kind = rng.choice(LEVELS[difficulty].kinds)
        return getattr(self, f"_{kind}")(rng)

    def _outfits(self, rng: random.Random) -> Problem:
        a, b = rng.randint(2, 15), rng.randint(2, 15)
        first, second = rng.choice(CLOTHES)
        value = int(sympy.Mul(a, b))
        return self.problem(
            f"There are {a} {first} and {b} {second}. How many ways are there to pick one of each?",
            str(value),
            [f"By the multiplication principle, ${a} \\times {b} = {value}$."],
            meta={"value": value, "mistakes": [a + b]},
        )

    def _line(self, rng: random.Random) -> Problem:
        n = rng.randint(3, 8)
        thing = rng.choice(OBJECTS)
        value = int(sympy.factorial(n))
        return self.problem(
            f"In how many ways can {n} different {thing} be arranged in a row?",
            str(value),
            [f"Each ordering of the {n} {thing} is a permutation, so there are ${n}! = {value}$ ways."],
            meta={"value": value, "mistakes": [n, n * (n - 1)]},
        )

    def _pairs(self, rng: random.Random) -> Problem:
        n = rng.randint(4, 25)
        value = int(sympy.binomial(n, 2))
        return self.problem(
            f"A {rng.choice(GROUPS)} has {n} members. In how many ways can a pair of its members be chosen?",
            str(value),
            [
                f"Order does not matter, so the count is $\\binom{{{n}}}{{2}} = \\frac{{{n} \\cdot {n - 1}}}{{2}} = {value}$."
            ],
            meta={"value": value, "mistakes": [n * (n - 1), n]},
        )

    def _officers(self, rng: random.Random) -> Problem:
        n, k = rng.randint(5, 25), rng.randint(2, 3)
        roles = rng.sample(["a president", "a vice-president", "a treasurer", "a secretary"], k)
        value = int(sympy.ff(n, k))
        return self.problem(
            f"A {rng.choice(GROUPS)} has {n} members. In how many ways can it choose {', '.join(roles[:-1])} and "
            f"{roles[-1]}, "
            "if no member may hold more than one office?",
            str(value),
            [
                f"The offices are distinct, so order matters: ${n}$ choices for the first, ${n - 1}$ for the next"
                + (f", ${n - 2}$ for the last" if k == 3 else "")
                + f", giving ${value}$."
            ],
            meta={"value": value, "mistakes": [int(sympy.binomial(n, k)), n**k]},
        )

    def _committee(self, rng: random.Random) -> Problem:
        n, k = rng.randint(6, 20), rng.randint(2, 6)
        value = int(sympy.binomial(n, k))
        who = rng.choice(("people", "students", "candidates", "volunteers", "players"))
        return self.problem(
            f"In how many ways can a committee of {k} be chosen from {n} {who}?",
            str(value),
            [f"Order does not matter: $\\binom{{{n}}}{{{k}}} = {value}$."],
            meta={"value": value, "mistakes": [int(sympy.ff(n, k)), int(sympy.binomial(n, k - 1))]},
        )

    def _word(self, rng: random.Random) -> Problem:
        letters = rng.sample("ABCDEFGHKLMNPRST", rng.randint(2, 4))
        counts = {ch: rng.randint(1, 3) for ch in letters}
        if all(c == 1 for c in counts.values()):
            counts[letters[0]] = 2
        word = "".join(ch * c for ch, c in counts.items())
        word = "".join(rng.sample(word, len(word)))
        tally = Counter(word)
        n = len(word)
        value = int(sympy.factorial(n) / sympy.prod([sympy.factorial(c) for c in tally.values()]))
        denominators = " \\cdot ".join(f"{c}!" for c in tally.values() if c > 1)
        return self.problem(
            f"How many distinct strings can be made by rearranging all the letters of {word}?",
            str(value),
            [
                f"There are {n} letters with repeats "
                + ", ".join(f"{ch} ({c})" for ch, c in sorted(tally.items()) if c > 1)
                + f", so the count is $\\frac{{{n}!}}{{{denominators}}} = {value}$."
            ],
            meta={"value": value, "mistakes": [int(sympy.factorial(n))]},
        )

    def _at_least_one(self, rng: random.Random) -> Problem:
        men, women, k = rng.randint(3, 8), rng.randint(2, 7), rng.randint(2, 4)
        total, none = int(sympy.binomial(men + women, k)), int(sympy.binomial(men, k))
        value = total - none
        return self.problem(
            f"A group has {men} men and {women} women. In how many ways can a committee of {k} people be "
            "chosen so that it includes at least one woman?",
            str(value),
            [
                f"All committees: $\\binom{{{men + women}}}{{{k}}} = {total}$. Committees with no woman: "
                f"$\\binom{{{men}}}{{{k}}} = {none}$. So ${total} - {none} = {value}$."
            ],
            meta={"value": value, "mistakes": [total, women * int(sympy.binomial(men + women - 1, k - 1))]},
        )

    def _divisible(self, rng: random.Random) -> Problem:
        a, b = rng.sample([2, 3, 4, 5, 6, 7, 9, 11], 2)
        n = rng.randint(50, 1000)
        both = sympy.ilcm(a, b)
        value = int(sympy.floor(n / a) + sympy.floor(n / b) - sympy.floor(n / both))
        return self.problem(
            f"How many integers from 1 to {n} inclusive are divisible by {a} or by {b}?",
            str(value),
            [
                f"Multiples of {a}: ${n // a}$. Multiples of {b}: ${n // b}$. Multiples of both (of {both}): "
                f"${n // both}$. By inclusion-exclusion, ${n // a} + {n // b} - {n // both} = {value}$."
            ],
            meta={"value": value, "mistakes": [n // a + n // b]},
        )

    def _compositions(self, rng: random.Random) -> Problem:
        k, n = rng.randint(3, 6), rng.randint(6, 30)
        names = ", ".join(f"x_{i}" for i in range(1, k + 1))
        total = " + ".join(f"x_{i}" for i in range(1, k + 1))
        if rng.random() < 0.5:
            value = int(sympy.binomial(n - 1, k - 1))
            kind, why = "positive", f"choose {k - 1} of the {n - 1} gaps between {n} stars"
            formula = f"\\binom{{{n - 1}}}{{{k - 1}}}"
            mistakes = [int(sympy.binomial(n + k - 1, k - 1)), int(sympy.binomial(n, k))]
        else:
            value = int(sympy.binomial(n + k - 1, k - 1))
            kind, why = "non-negative", f"arrange {n} stars and {k - 1} bars"
            formula = f"\\binom{{{n + k - 1}}}{{{k - 1}}}"
            mistakes = [int(sympy.binomial(n - 1, k - 1)), int(sympy.binomial(n + k, k))]
        return self.problem(
            f"How many ordered {k}-tuples $({names})$ of {kind} integers satisfy ${total} = {n}$?",
            str(value),
            [f"By stars and bars, {why}: ${formula} = {value}$."],
            meta={"value": value, "mistakes": mistakes},
        )

    def _derangements(self, rng: random.Random) -> Problem:
        n, fixed = rng.randint(4, 10), rng.randint(0, 3)
        things, places = rng.choice(
            (("letters", "addressed envelopes"), ("guests", "name cards"), ("students", "assigned seats"))
        )
        value = int(sympy.binomial(n, fixed) * sympy.subfactorial(n - fixed))
        condition = "none of them" if fixed == 0 else f"exactly {fixed} of them"
        return self.problem(
            f"{n} {things} are matched at random with their {n} {places}, one each. In how many of the "
            f"possible matchings do {condition} get their own?",
            str(value),
            [
                f"Choose the {fixed} that match, $\\binom{{{n}}}{{{fixed}}}$ ways, and derange the other {n - fixed}: "
                f"$!{n - fixed} = {sympy.subfactorial(n - fixed)}$. That gives ${value}$."
            ],
            meta={
                "value": value,
                "mistakes": [int(sympy.subfactorial(n - fixed)), int(sympy.factorial(n - fixed)) - 1],
            },
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """Off by one, and the typical mistake of the problem kind (order confused, overcounting ...)."""
        value = sympy.Integer(task.meta["value"])
        mistakes = [sympy.Integer(m) for m in task.meta["mistakes"]]
        return [tex(w) for w in distinct_wrong(value, mistakes + near_misses(value)[:2])]
