"""Probability with exact fractions.

Description:
    Dice, coins, draws from a bag with and without replacement, repeated trials and Bayes' rule. Every
    probability is an exact ``sympy.Rational``: small sample spaces are enumerated outcome by outcome
    (``itertools.product``), the rest use ``binomial`` and rational arithmetic.

Prompt:
    ``A bag contains 4 red and 6 blue marbles. Two marbles are drawn without replacement. What is the
    probability that both are red? Express your answer as a common fraction.``

Answer format:
    A fraction in lowest terms (``\\frac{2}{15}``); equal forms such as ``2/15`` or an exact decimal are
    accepted.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer`.

Difficulty:
    1. one fair die, or one draw from a bag.
    2. the sum of two dice.
    3. two draws without replacement.
    4. at least one success in n trials, or exactly k heads in n fair flips.
    5. exactly k successes with a biased probability, or a conditional probability (Bayes).

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

import itertools
import random
from dataclasses import dataclass

import sympy

from guru_envs.core.family import Problem
from guru_envs.core.task import Task
from guru_envs.math.common import MathFamily, distinct_wrong, tex, unsimplified

FRACTION = "Express your answer as a common fraction."


@dataclass(frozen=True)
class ProbabilityConfig:
    """Knobs of one difficulty level: which problem kinds it draws from."""

    kinds: tuple[str, ...]


LEVELS: dict[int, ProbabilityConfig] = {
    1: ProbabilityConfig(("die", "bag")),
    2: ProbabilityConfig(("two_dice",)),
    3: ProbabilityConfig(("without_replacement",)),
    4: ProbabilityConfig(("at_least_one", "coins")),
    5: ProbabilityConfig(("binomial", "bayes")),
}
COLORS = ("red", "blue", "green", "white", "black", "yellow")


class ProbabilityFamily(MathFamily):
    """Probability with exact fractions (see the module docstring)."""

    name = "probability"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Pick a problem kind of the level, draw its numbers, compute the exact probability."""
        kind = rng.choice(LEVELS[difficulty].kinds)
        return getattr(self, f"_{kind}")(rng)

    def _die(self, rng: random.Random) -> Problem:
        sides = rng.choice([6, 8, 10, 12, 20, 30])
        k = rng.randint(1, sides - 2)
        favourable = sum(1 for face in range(1, sides + 1) if face > k)
        value = sympy.Rational(favourable, sides)
        return self.problem(
            f"A fair {sides}-sided die with faces 1 to {sides} is rolled once. What is the probability that "
            f"the result is greater than {k}? {FRACTION}",
            tex(value),
            [
                f"The faces greater than {k} are {k + 1} to {sides}: {favourable} of {sides}, so the probability "
                f"is $\\frac{{{favourable}}}{{{sides}}} = {tex(value)}$."
            ],
            meta={
                "value": str(value),
                "mistakes": [str(sympy.Rational(favourable + 1, sides)), str(1 - value)],
            },
        )

    def _bag(self, rng: random.Random) -> Problem:
        c1, c2 = rng.sample(COLORS, 2)
        a, b = rng.randint(1, 15), rng.randint(1, 15)
        value = sympy.Rational(a, a + b)
        return self.problem(
            f"A bag contains {a} {c1} and {b} {c2} marbles. One marble is drawn at random. What is the "
            f"probability that it is {c1}? {FRACTION}",
            tex(value),
            [
                f"{a} of the {a + b} marbles are {c1}, so the probability is $\\frac{{{a}}}{{{a + b}}} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str(sympy.Rational(a, b)), str(1 - value)]},
        )

    def _two_dice(self, rng: random.Random) -> Problem:
        s1, s2 = rng.choice([4, 6, 8, 10, 12]), rng.choice([4, 6, 8, 10, 12])
        target = rng.randint(3, s1 + s2 - 1)
        events = {
            f"the sum is exactly {target}": lambda a, b: a + b == target,
            f"the sum is at least {target}": lambda a, b: a + b >= target,
            f"the sum is at most {target}": lambda a, b: a + b <= target,
            "the product is even": lambda a, b: (a * b) % 2 == 0,
            "both dice show the same number": lambda a, b: a == b,
            "the first die shows a larger number than the second": lambda a, b: a > b,
        }
        event = rng.choice(list(events))
        outcomes = list(itertools.product(range(1, s1 + 1), range(1, s2 + 1)))
        favourable = sum(1 for a, b in outcomes if events[event](a, b))
        if favourable == 0:
            event, favourable = "both dice show the same number", min(s1, s2)
        value = sympy.Rational(favourable, len(outcomes))
        dice = (
            f"two fair {s1}-sided dice are"
            if s1 == s2
            else f"a fair {s1}-sided die (the first) and a fair {s2}-sided die (the second) are"
        )
        return self.problem(
            f"The faces of a fair n-sided die are numbered 1 to n. If {dice} rolled, what is the probability "
            f"that {event}? {FRACTION}",
            tex(value),
            [
                f"Of the ${s1} \\cdot {s2} = {len(outcomes)}$ equally likely outcomes, {favourable} are favourable, so "
                f"the probability is $\\frac{{{favourable}}}{{{len(outcomes)}}} = {tex(value)}$."
            ],
            meta={
                "value": str(value),
                "mistakes": [str(sympy.Rational(favourable, s1 + s2)), str(1 - value)],
            },
        )

    def _without_replacement(self, rng: random.Random) -> Problem:
        c1, c2 = rng.sample(COLORS, 2)
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        n = a + b
        if rng.random() < 0.5:
            value = sympy.Rational(a, n) * sympy.Rational(a - 1, n - 1)
            event = f"both are {c1}"
            steps = [f"$\\frac{{{a}}}{{{n}}} \\cdot \\frac{{{a - 1}}}{{{n - 1}}} = {tex(value)}$."]
            with_replacement = sympy.Rational(a, n) ** 2
        else:
            value = 2 * sympy.Rational(a, n) * sympy.Rational(b, n - 1)
            event = f"one is {c1} and one is {c2}"
            steps = [
                f"Either order: $2 \\cdot \\frac{{{a}}}{{{n}}} \\cdot \\frac{{{b}}}{{{n - 1}}} = {tex(value)}$."
            ]
            with_replacement = 2 * sympy.Rational(a * b, n * n)
        return self.problem(
            f"A bag contains {a} {c1} and {b} {c2} marbles. Two marbles are drawn at random without "
            f"replacement. What is the probability that {event}? {FRACTION}",
            tex(value),
            steps,
            meta={"value": str(value), "mistakes": [str(with_replacement), str(value / 2)]},
        )

    def _at_least_one(self, rng: random.Random) -> Problem:
        den = rng.randint(2, 10)
        num = rng.randint(1, den - 1)
        p = sympy.Rational(num, den)
        n = rng.randint(2, 6)
        value = 1 - (1 - p) ** n
        setting, success = rng.choice(
            (
                (
                    "A player hits a target with probability ${p}$ on each shot",
                    "at least one hit in {n} shots",
                ),
                (
                    "Each item a machine makes is defective with probability ${p}$",
                    "at least one defective item among {n}",
                ),
                (
                    "A basketball player makes each free throw with probability ${p}$",
                    "at least one basket in {n} throws",
                ),
            )
        )
        return self.problem(
            setting.format(p=tex(p))
            + f", independently. What is the probability of {success.format(n=n)}? {FRACTION}",
            tex(value),
            [
                f"The chance of no success is $\\left({tex(1 - p)}\\right)^{n} = {tex((1 - p) ** n)}$, so the answer is "
                f"$1 - {tex((1 - p) ** n)} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str((1 - p) ** n), str(n * p)]},
        )

    def _coins(self, rng: random.Random) -> Problem:
        n = rng.randint(3, 10)
        k = rng.randint(1, n - 1)
        relation, test = rng.choice(
            (("exactly", lambda h: h == k), ("at least", lambda h: h >= k), ("at most", lambda h: h <= k))
        )
        favourable = sum(1 for flips in itertools.product((0, 1), repeat=n) if test(sum(flips)))
        value = sympy.Rational(favourable, 2**n)
        return self.problem(
            f"A fair coin is flipped {n} times. What is the probability of getting {relation} {k} heads? {FRACTION}",
            tex(value),
            [
                f"{favourable} of the $2^{{{n}}} = {2**n}$ equally likely sequences have {relation} {k} heads "
                f"(summing binomial coefficients $\\binom{{{n}}}{{h}}$), so the probability is ${tex(value)}$."
            ],
            meta={
                "value": str(value),
                "mistakes": [str(sympy.Rational(int(sympy.binomial(n, k)), 2**n)), str(sympy.Rational(k, n))],
            },
        )

    def _binomial(self, rng: random.Random) -> Problem:
        den = rng.randint(2, 9)
        p = sympy.Rational(rng.randint(1, den - 1), den)
        n = rng.randint(3, 7)
        k = rng.randint(1, n - 1)
        value = sympy.binomial(n, k) * p**k * (1 - p) ** (n - k)
        event, trials = rng.choice(
            (("it rains", "days"), ("a seed sprouts", "seeds planted"), ("a call is answered", "calls made"))
        )
        return self.problem(
            f"Independently each time, {event} with probability ${tex(p)}$. What is the probability that this "
            f"happens exactly {k} times in {n} {trials}? {FRACTION}",
            tex(value),
            [
                f"$\\binom{{{n}}}{{{k}}} \\left({tex(p)}\\right)^{k} \\left({tex(1 - p)}\\right)^{n - k} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str(p**k * (1 - p) ** (n - k)), str(p**k)]},
        )

    def _bayes(self, rng: random.Random) -> Problem:
        prevalence = sympy.Rational(1, rng.choice([2, 4, 5, 8, 10, 20, 25, 50, 100]))
        sensitivity = sympy.Rational(rng.randint(12, 19), 20)
        false_positive = sympy.Rational(rng.randint(1, 5), 20)
        positive = prevalence * sensitivity + (1 - prevalence) * false_positive
        value = prevalence * sensitivity / positive
        return self.problem(
            f"A condition affects ${tex(prevalence)}$ of a population. A test detects it with probability "
            f"${tex(sensitivity)}$ when it is present and gives a false positive with probability "
            f"${tex(false_positive)}$ when it is absent. Given a positive test, what is the probability that "
            f"the condition is present? {FRACTION}",
            tex(value),
            [
                f"$P(+) = {tex(prevalence)} \\cdot {tex(sensitivity)} + {tex(1 - prevalence)} \\cdot "
                f"{tex(false_positive)} = {tex(positive)}$, so $P(\\text{{present}} \\mid +) = "
                f"\\frac{{{tex(prevalence * sensitivity)}}}{{{tex(positive)}}} = {tex(value)}$."
            ],
            meta={"value": str(value), "mistakes": [str(sensitivity), str(prevalence * sensitivity)]},
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """The kind's typical mistake (with replacement, complement, ...), an unsimplified wrong fraction."""
        value = sympy.Rational(task.meta["value"])
        mistakes = [sympy.Rational(m) for m in task.meta["mistakes"]]
        near = [value + sympy.Rational(1, value.q), 1 - value]
        answers = [tex(w) for w in distinct_wrong(value, mistakes + near)]
        return answers + [unsimplified(value, 3)]
