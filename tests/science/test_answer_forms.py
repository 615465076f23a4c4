"""Free answers of every generated family, attacked and spelled out.

A final answer is one claim (:mod:`guru_envs.verify.claim`): the gold beside a hedge, an alternative, a
negation, a scale word, another value or a false equation scores 0, and so do two boxes that disagree.
Right answers in the spellings people use (scientific notation in every LaTeX and plain form, units in
``\\text{}``/``\\mathrm{}``/words/unicode, ``^\\circ``, an equation naming the quantity) score 1.
"""

from __future__ import annotations

import math

import pytest

from guru_envs.core.registry import catalog
from guru_envs.verify.extract import last_boxed

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
# other spellings of the units the families ask for
SPELLINGS = {
    "m/s^2": ["m/s²", "m\\,s^{-2}", "\\mathrm{m/s^2}", "m s^-2", "\\text{m/s}^2", "\\frac{m}{s^2}"],
    "Ω": ["\\Omega", "ohm", "ohms", "\\,\\Omega"],
    "kΩ": ["k\\Omega", "\\text{k}\\Omega", "kiloohms"],
    "μF": ["\\mu F", "uF", "µF", "\\mu\\text{F}", "microfarads"],
    "m^3": ["m³", "\\text{m}^3", "m^{3}", "cubic meters"],
    "L": ["l", "liters", "litres", "\\mathrm{L}"],
    "mol/L": ["M", "mol\\,L^{-1}", "mol·L⁻¹", "mol L-1"],
    "yr": ["years", "y", "yrs"],
    "Myr": ["million years", "Ma"],
    "Gyr": ["billion years", "Ga"],
    "kWh": ["kW h", "kW·h", "kilowatt hours"],
    "Lsun": ["L_\\odot", "L_{\\odot}", "solar luminosities"],
    "km/h": ["km h^{-1}", "kph", "km/hr"],
    "m/s": ["m s^{-1}", "\\mathrm{m\\,s^{-1}}", "\\frac{m}{s}", "meters per second"],
    "g/mol": ["g\\,mol^{-1}", "g·mol⁻¹"],
    "m^3/s": ["m³/s", "m^3 s^{-1}"],
    "eV": ["electron volts", "electronvolts"],
    "ly": ["light years", "light-years"],
    "μm": ["\\mu m", "um", "microns"],
    "mL": ["ml", "cm^3", "cc"],
    "kyr": ["thousand years", "ka"],
    "K": ["kelvin", "\\mathrm{K}"],
}
DEGREES = ["°", "^\\circ", "^{\\circ}", " \\text{ degrees}", " degrees", " deg", "\\degree"]
CELSIUS = [
    " °C",
    " ^\\circ C",
    "^{\\circ}\\text{C}",
    " degrees Celsius",
    "\\,^{\\circ}\\mathrm{C}",
    " ℃",
    " \\degree C",
]


def numbers(v: float) -> list[str]:
    e = math.floor(math.log10(abs(v))) if v else 0
    m = v / 10**e
    return [
        f"{v:.6g}",
        f"{m:.5f} \\times 10^{{{e}}}",
        f"{m:.5f}\\times10^{e}",
        f"{m:.5f} \\cdot 10^{{{e}}}",
        f"{m:.5f}e{e}",
        f"{m:.5f} × 10^{e}",
        f"{m:.5f} x 10^{e}",
    ]


def spellings(v: float, unit: str) -> list[str]:
    if unit == "°":
        units = DEGREES
    elif unit == "°C":
        units = CELSIUS
    elif unit == "%":
        units = ["\\%", " \\%", " percent"]
    elif unit == "":
        units = [""]
    else:
        units = [
            f" {unit}",
            f" \\text{{{unit}}}",
            f" \\text{{ {unit}}}",
            f"\\,\\mathrm{{{unit}}}",
            f"~{unit}",
        ]
        units += [f" {alt}" for alt in SPELLINGS.get(unit, [])]
    first, *others = numbers(v)
    out = [n + units[0] for n in others] + [first + u for u in units]
    return [*out, f"x = {first}{units[0]}", f"\\approx {first}{units[0]}"]


def tasks(seeds: range):
    for name in SUBJECTS:
        family = catalog().family("science", name)
        for level in range(1, family.levels + 1):
            for seed in seeds:
                yield family, family.sample(seed, level)


def check_spellings(seeds: range) -> int:
    checked = 0
    for family, task in tasks(seeds):
        value, unit = task.answer["value"], task.answer["unit"]
        if task.meta["abs_tol"]:  # pH and temperatures are asked to decimals: written that way below
            continue
        for form in spellings(value, unit):
            verdict = family.score(task, f"Working.\n\n\\boxed{{{form}}}")
            assert verdict.reward == 1.0, (task.id, form, verdict.reason)
            checked += 1
    return checked


def attacks(gold: str, wrong: str) -> list[str]:
    """Responses that contain the gold and say something else too; each must score 0."""
    boxed = [
        f"{gold} or {wrong}",
        f"{wrong} or {gold}",
        f"{gold} \\text{{ or }} {wrong}",
        f"{gold} (or {wrong})",
        f"{gold}, {wrong}",
        f"{gold}; {wrong}",
        f"\\text{{not }} {gold}",
        f"{gold} \\text{{ is wrong}}",
        f"{gold} \\text{{ thousand}}",
        f"{wrong} = {gold}",
        f"{gold} = {wrong}",
        f"x = {wrong} = {gold}",
        f"{gold} \\pm 10\\%",
        f"between {wrong} and {gold}",
        f"{gold}?",
        f"{gold} \\text{{ (approximately)}}",
        f"either {gold} or {wrong}",
        f"{gold} \\neq {wrong}",
        f"{gold} \\text{{, not }} {wrong}",
        f"{wrong} \\to {gold}",
        f"{gold} \\text{{ maybe}}",
        f"\\{{{gold}, {wrong}\\}}",
        f"[{gold}, {wrong}]",
        f"{gold} \\lor {wrong}",
        f"{gold} \\quad {wrong}",
        f"\\text{{{gold} or {wrong}}}",
        f"{wrong} ≈ {gold}",
        f"\\text{{the answer is }} {gold}",
        f"{gold} \\text{{ or so}}",
        f"{gold} \\text{{ to }} {wrong}",
        f"~{gold}",
        f"< {gold}",
    ]
    out = [f"\\boxed{{{a}}}" for a in boxed]
    return [
        *out,
        f"\\boxed{{{wrong}}} ... on reflection \\boxed{{{gold}}}",
        f"\\boxed{{{gold}}}\\boxed{{{wrong}}}",
        f"I get {gold}.\n\\boxed{{{gold}}} or \\boxed{{{wrong}}}",
    ]


def check_attacks(seeds: range) -> int:
    checked = 0
    for family, task in tasks(seeds):
        gold = last_boxed(task.reference_response)
        wrongs = [last_boxed(r) for r in family.wrong_responses(task)]
        wrong = next(w for w in wrongs if w and family.score(task, f"\\boxed{{{w}}}").reward == 0.0)
        for response in attacks(gold, wrong):
            verdict = family.score(task, response)
            assert verdict.reward == 0.0, (task.id, response, verdict.reason)
            checked += 1
    return checked


def test_right_answers_in_common_spellings():
    assert check_spellings(range(8)) > 2500


def test_the_gold_beside_anything_else_pays_nothing():
    assert check_attacks(range(4)) > 3000


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("\\frac{\\pi}{4} \\text{ rad}", True),
        ("\\pi/4 rad", True),
        ("0.25\\pi rad", True),
        ("45^\\circ", True),
        ("\\theta = 45^{\\circ}", True),
        ("\\pi = \\pi/4", False),
        ("45 rad", False),
    ],
)
def test_angles_in_radians_and_degrees(answer, ok):
    from guru_envs.core.task import Task
    from guru_envs.science.common import score_quantity

    task = Task(
        id="t",
        domain="science",
        family="optics",
        prompt="What angle? Give the answer in degrees.",
        answer={"value": 45.0, "unit": "°"},
        meta={"value": 45.0, "unit": "°", "rel_tol": 0.01, "abs_tol": 0.0},
    )
    assert score_quantity(task, f"\\boxed{{{answer}}}").reward == (1.0 if ok else 0.0)


@pytest.mark.slow
def test_spellings_and_attacks_over_many_seeds():
    assert check_spellings(range(8, 100)) > 25_000
    assert check_attacks(range(4, 40)) > 30_000


@pytest.mark.parametrize(
    ("answer", "reference", "ok"),
    [
        ("0.25\\%", "25\\%", False),  # both percentages: read as written, not one at face value
        ("2500\\%", "25\\%", False),
        ("25\\%", "25\\%", True),
        ("0.25", "25\\%", True),  # one side a percentage: either scale, as GURU's references store both
        ("25", "25\\%", True),
    ],
)
def test_percentages_on_both_sides_compare_as_written(answer, reference, ok):
    from guru_envs.science.web import rule_check

    assert rule_check(answer, reference)[0] is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("78.7 \\mathrm{~m}", True),  # SciBench's spelling: a tie opening the unit is spacing
        ("78.7 \\text{~m}", True),
        ("\\mathrm{~78.7} m", False),  # before a value it is still "about"
        ("~78.7 m", False),
        ("78.7 \\mathrm{~km}", False),
    ],
)
def test_a_tie_opening_a_unit_is_spacing(answer, ok):
    task = catalog().family("science", "mechanics").sample(1, 1)
    assert task.meta["unit"] == "m" and round(task.meta["value"], 1) == 78.7
    from guru_envs import score

    assert score(task, f"\\boxed{{{answer}}}").reward == (1.0 if ok else 0.0)
