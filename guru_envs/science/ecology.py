"""Population biology: exponential and logistic growth, doubling, decay and mark-recapture, with units.

Description:
    Continuous exponential growth, doubling time from a growth rate, bacterial growth by generations,
    logistic growth rate and logistic population size, elimination of a drug by half-lives, and the
    Lincoln-Petersen population estimate.

Prompt:
    The population and its parameters (rates per year, per hour or in % per year; times in min, h, yr).

Answer format:
    ``\\boxed{<number> <unit>}`` for times (``\\boxed{17.3 yr}``, ``\\boxed{6.2 h}``), a bare number for
    population sizes. With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one formula. 2: unit conversions (rates in %/yr, times in h vs min). 3: adds logistic population
    size at a given time.

Version History:
    v0: initial release.
    v0 (unreleased): answers must be one claim (hedges, negations, scale words, false equations, LaTeX
        connectives such as ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes
        score 0; a label after a count only when the question uses it) (issue 17).
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import AnswerUnit, ScienceConfig, ScienceFamily, Topic, Worked, fmt

ORGANISMS = ["deer", "rabbits", "fish", "beetles", "voles", "frogs", "squirrels", "lizards"]


def exponential_growth(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """N = N0 e^(r t)."""
    n0 = rng.choice([50, 80, 100, 120, 200, 250, 400, 500, 1000])
    r = round(rng.uniform(0.02, 0.35), 3)
    t = rng.randint(3, 20)
    who = rng.choice(ORGANISMS)
    n = n0 * math.exp(r * t)
    q = f"A population of {n0} {who} grows exponentially at a continuous rate r = {r} per year. How many {who} are there after {t} years?"
    steps = [f"N = N0 e^(r t) = {n0} × e^({r} × {t}) = {fmt(n, 4)}."]
    mistakes = [
        (n0 * (1 + r * t), "linear growth"),
        (n0 * math.exp(r) * t, "e^r multiplied by t"),
        (n0 * r * t, "N0 r t"),
    ]
    return Worked(q, n, "", steps, mistakes, sig=3)


def doubling_time(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Doubling time: t_d = ln 2 / r."""
    pct = round(rng.uniform(0.5, 12), 1)
    r = pct / 100
    ans = AnswerUnit(rng, cfg, "yr", ("d",))
    td = math.log(2) / r
    q = f"A population grows continuously at {pct}% per year. What is its doubling time?"
    steps = [f"t_d = ln 2 / r = 0.6931 / {fmt(r, 3)} per year = {fmt(td, 4)} years."]
    mistakes = [
        (1 / r, "1/r"),
        (math.log(2) / pct, "rate used in percent"),
        (math.log10(2) / r, "log10 used"),
    ]
    w = ans.worked(q, td, steps, mistakes)
    w.unit_words = "years" if w.unit == "yr" else "days"
    return w


def bacterial_generations(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """N = N0 2^(t/g)."""
    n0 = rng.choice([100, 200, 500, 1000, 2000, 5000])
    g = rng.choice([15, 20, 25, 30, 40, 45, 60])
    hours = rng.choice([1, 1.5, 2, 2.5, 3, 4, 5, 6])
    gens = hours * 60 / g
    n = n0 * 2**gens
    q = f"A culture starts with {n0} bacteria that divide every {g} minutes. Assuming unlimited growth, how many bacteria are there after {fmt(hours, 2)} hours?"
    steps = [
        f"Generations: {fmt(hours, 2)} h × 60 / {g} min = {fmt(gens, 4)}.",
        f"N = N0 × 2^n = {n0} × 2^{fmt(gens, 4)} = {fmt(n, 4)}.",
    ]
    mistakes = [
        (n0 * 2 * gens, "2n instead of 2^n"),
        (n0 * math.exp(gens), "e^n instead of 2^n"),
        (n0 * 2 ** (hours / g), "hours not converted to minutes"),
    ]
    return Worked(q, n, "", steps, mistakes, sig=3)


def logistic_rate(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Logistic rate: dN/dt = r N (1 − N/K)."""
    k = rng.choice([500, 800, 1000, 1500, 2000, 5000, 10000])
    n = round(k * rng.uniform(0.1, 0.9))
    r = round(rng.uniform(0.05, 0.8), 2)
    who = rng.choice(ORGANISMS)
    rate = r * n * (1 - n / k)
    q = f"A population of {n} {who} follows logistic growth with r = {r} per year and carrying capacity K = {k}. At what rate (individuals per year) is it growing now?"
    steps = [f"dN/dt = r N (1 − N/K) = {r} × {n} × (1 − {n}/{k}) = {fmt(rate, 4)} per year."]
    mistakes = [
        (r * n, "exponential rate r N"),
        (r * n * n / k, "r N (N/K)"),
        (r * k * (1 - n / k), "r K (1 − N/K)"),
    ]
    return Worked(q, rate, "", steps, mistakes, sig=3)


def logistic_population(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """N(t) = K / (1 + ((K − N0)/N0) e^(−r t))."""
    k = rng.choice([500, 800, 1000, 2000, 5000])
    n0 = round(k * rng.uniform(0.02, 0.3))
    r = round(rng.uniform(0.1, 0.9), 2)
    t = rng.randint(2, 15)
    who = rng.choice(ORGANISMS)
    n = k / (1 + (k - n0) / n0 * math.exp(-r * t))
    q = f"A population of {n0} {who} grows logistically with r = {r} per year and carrying capacity K = {k}. What is its size after {t} years?"
    steps = [
        f"N(t) = K / (1 + ((K − N0)/N0) e^(−r t)) = {k} / (1 + ({k - n0}/{n0}) e^(−{fmt(r * t, 3)})) = {fmt(n, 4)}."
    ]
    mistakes = [
        (min(n0 * math.exp(r * t), 1e12), "exponential growth (no carrying capacity)"),
        (k * (1 - math.exp(-r * t)), "K (1 − e^(−rt))"),
        (k / (1 + (k - n0) / n0 * math.exp(r * t)), "sign of the exponent"),
    ]
    return Worked(q, n, "", steps, mistakes, sig=3)


def drug_elimination(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """A = A0 (1/2)^(t/t½)."""
    dose = rng.choice([100, 200, 250, 400, 500, 800, 1000])
    half = rng.choice([2, 3, 4, 5, 6, 8, 12])
    t = rng.choice([3, 5, 6, 8, 10, 12, 18, 24, 30, 36])
    ans = AnswerUnit(rng, cfg, "mg", ("g",))
    left = dose * 0.5 ** (t / half)
    q = f"A patient takes a {dose} mg dose of a drug with a half-life of {half} hours (first-order elimination). How much of the drug remains in the body after {t} hours?"
    steps = [f"A = A0 (1/2)^(t/t½) = {dose} mg × 0.5^({t}/{half}) = {fmt(left, 4)} mg."]
    mistakes = [
        (max(dose * (1 - t / (2 * half)), dose / 1000), "linear decay"),
        (dose * 0.5 ** (half / t), "t and t½ swapped"),
        (dose / (t / half), "divided by the number of half-lives"),
    ]
    return ans.worked(q, left, steps, mistakes)


def mark_recapture(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Lincoln-Petersen: N = M C / R."""
    marked = rng.randint(20, 200)
    caught = rng.randint(30, 250)
    recaptured = rng.randint(3, min(marked, caught) // 2 + 3)
    who = rng.choice(ORGANISMS)
    n = marked * caught / recaptured
    q = f"Ecologists mark {marked} {who} and release them. Later they catch {caught} {who}, of which {recaptured} are marked. Estimate the population size (Lincoln-Petersen)."
    steps = [f"N = M C / R = {marked} × {caught} / {recaptured} = {fmt(n, 4)}."]
    mistakes = [
        (marked * recaptured / caught, "M R / C"),
        (marked + caught - recaptured, "distinct animals seen"),
        (caught * recaptured / marked, "C R / M"),
    ]
    return Worked(q, n, "", steps, mistakes, sig=3)


TOPICS: dict[str, tuple[Topic, int]] = {
    "exponential_growth": (exponential_growth, 1),
    "doubling_time": (doubling_time, 1),
    "bacterial_generations": (bacterial_generations, 1),
    "logistic_rate": (logistic_rate, 1),
    "drug_elimination": (drug_elimination, 1),
    "mark_recapture": (mark_recapture, 1),
    "logistic_population": (logistic_population, 3),
}


class EcologyFamily(ScienceFamily):
    """Population growth and decay problems (see the module docstring)."""

    name = "ecology"
    TOPICS = TOPICS
