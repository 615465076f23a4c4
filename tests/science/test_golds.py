"""Every generated science gold, recomputed from the prompt text by an independent pint solution.

For each task the question is solved by :mod:`tests.science.pint_solutions` (templates of the prompt's
wording, physics written afresh, units through pint), never from ``task.meta``. Then:

- free answers: the gold equals the independent answer in the unit the prompt asks for, and that answer,
  rounded to the precision the prompt asks for (significant figures or decimal places) and written with
  the asked unit, scores 1;
- multiple choice: the keyed option is the one the independent answer rounds to, and every other option
  is clearly away from it (more than two tolerances), so exactly one option is right.

The default run checks a few hundred tasks per family; the ``slow`` run thousands.
"""

from __future__ import annotations

import math
import re

import msgspec
import pytest

from guru_envs.core.registry import catalog
from tests.science.pint_solutions import UNITS, number, quantity, solve

SUBJECTS = [
    "mechanics",
    "circuits",
    "optics",
    "thermodynamics",
    "chemistry",
    "genetics",
    "ecology",
    "astronomy",
    "earth",
]
# Golds are solved with the constants their prompts state, so they agree with the independent answer to a
# few parts in 10^5; what is left is pint's exact eV, speed of light and AU against the stated 4-figure ones
# (photon energies in J, light travel times) and Kepler's law from G M_sun against T^2 = a^3 (1.00002 yr).
GOLD_REL = 3e-4
PH_SOLUTIONS = {"strong_ph", "weak_acid_ph", "buffer_ph"}
_INSTRUCTION = re.compile(
    r"Give the answer (?:in (?P<words>.+?)(?: \((?P<unit>[^()]+)\))?|as a (?P<plain>number|percentage)) "
    r"to (?P<n>\d+) (?P<kind>significant figures|decimal places?)\. "
)
_OPTION = re.compile(r"([A-J])\) (.+)")


def asked(prompt: str) -> tuple[str, int, str]:
    """(unit text, n, 'sig' or 'dec') from the prompt's answer instruction."""
    m = _INSTRUCTION.search(prompt)
    assert m is not None, prompt
    if m.group("plain"):
        unit = "%" if m.group("plain") == "percentage" else ""
    else:
        unit = m.group("unit") or m.group("words")
    return unit, int(m.group("n")), "sig" if m.group("kind").startswith("sig") else "dec"


def rounded(value: float, n: int, kind: str) -> str:
    """``value`` as a careful student writes it: ``n`` significant figures or ``n`` decimals."""
    if kind == "dec":
        return f"{value:.{n}f}"
    return (
        f"{float(f'{value:.{n - 1}e}'):.{max(n - 1 - math.floor(math.log10(abs(value))), 0)}f}"
        if value
        else "0"
    )


def option_value(text: str, unit: str) -> float:
    """An option's value expressed in ``unit`` (the options of one task share a unit)."""
    got = quantity(text)
    return got.to(UNITS[unit]).magnitude


def check_free_answer(family, task) -> str:
    question = task.prompt.split("\n\n")[0]
    name, answer = solve(question)
    unit, n, kind = asked(task.prompt)
    gold = task.answer
    assert gold["unit"] == unit, (task.id, gold, unit)
    expected = answer.to(UNITS[unit]).magnitude
    assert math.isclose(gold["value"], expected, rel_tol=GOLD_REL), (
        task.id,
        name,
        question,
        gold,
        expected,
    )
    text = rounded(expected, n, kind)
    response = f"Working.\n\n\\boxed{{{text}{'' if unit in ('', '°') else ' '}{unit}}}"
    verdict = family.score(task, response)
    assert verdict.reward == 1.0, (task.id, name, response, gold, verdict.reason)
    return name


def last_digit(text: str, unit: str) -> float:
    """One unit in the last digit an option shows (``16200 W`` -> 100, ``3.42`` -> 0.01, ``100`` -> 1)."""
    shown = re.match(r"[-−]?([\d.,]+)(?: × 10\^([-−]?\d+))?", text)
    mantissa, exponent = shown.group(1).replace(",", ""), shown.group(2)
    whole, _, fraction = mantissa.partition(".")
    if fraction:
        step = 10.0 ** -len(fraction)
    else:  # options are shown to 3 figures: 16200 -> 100, 100 -> 1 (its zeros are significant)
        step = 10.0 ** max(len(whole.lstrip("-")) - 3, 0)
    return step * (10.0 ** number(exponent) if exponent else 1.0)


def check_options(task) -> str:
    question, listing = task.prompt.split("\n\n")[:2]
    name, answer = solve(question)
    options = dict(_OPTION.fullmatch(line).groups() for line in listing.splitlines())
    assert task.answer in options, (task.id, options)
    first = re.fullmatch(r"[-−]?[\d.,]+(?: × 10\^[-−]?\d+)? ?(.*)", options["A"])
    unit = first.group(1)
    expected = answer.to(UNITS[unit]).magnitude
    values = {k: option_value(v, unit) for k, v in options.items()}
    # how far a displayed option may be from the exact value: half a unit in its last significant digit
    half_step = 0.5 * last_digit(options[task.answer], unit)
    keyed = values[task.answer]
    assert abs(keyed - expected) <= half_step + GOLD_REL * abs(expected), (
        task.id,
        name,
        question,
        options,
        task.answer,
        expected,
    )
    if name in PH_SOLUTIONS:
        tolerance = 0.02
    elif unit in ("°C", "K", "°F"):
        tolerance = 0.1
    else:
        tolerance = 0.01 * abs(expected)
    for letter, value in values.items():
        if letter != task.answer:
            assert abs(value - expected) > 2 * max(tolerance, half_step), (
                task.id,
                name,
                question,
                options,
                task.answer,
                letter,
                expected,
            )
    return name


def check_family_golds(name: str, seeds: range, **options) -> set[str]:
    family = catalog().family("science", name, **options)
    solved = set()
    for level in range(1, family.levels + 1):
        for seed in seeds:
            task = family.sample(seed, level)
            if "options" in task.meta:
                solved.add(check_options(task))
            else:
                solved.add(check_free_answer(family, task))
    return solved


@pytest.mark.parametrize("name", SUBJECTS)
def test_free_answer_golds(name):
    solved = check_family_golds(name, range(100))
    topics = catalog().family("science", name).TOPICS
    # every topic was met and solved (genetics' crosses share two solutions across three topics)
    assert len(solved) >= (len(topics) - 1 if name == "genetics" else len(topics)), sorted(solved)


@pytest.mark.parametrize("name", SUBJECTS)
def test_multiple_choice_keys(name):
    check_family_golds(name, range(40), choices=4)


def test_mixed_multiple_choice_keys():
    check_family_golds("multiple_choice", range(100))
    check_family_golds("multiple_choice", range(20), choices=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", SUBJECTS)
def test_golds_over_thousands_of_seeds(name):
    check_family_golds(name, range(2000))
    check_family_golds(name, range(700), choices=4)
    check_family_golds(name, range(300), choices=10)


def test_the_check_catches_a_gold_1000x_off():
    # the bug this test file was written for: a chemistry mass read in kg where the prompt says g
    family = catalog().family("science", "chemistry")
    task = next(t for s in range(200) if (t := family.sample(s, 1)).meta["topic"] == "moles_from_mass")
    broken = msgspec.structs.replace(task, answer={**task.answer, "value": task.answer["value"] * 1000})
    with pytest.raises(AssertionError):
        check_free_answer(family, broken)
