"""Generated science families over many seeds: references score 1; wrong unit, factor, sign and letter score 0.

The default run covers a few hundred tasks per family (the contract kit plus in-process sweeps); the
``slow`` tests repeat the sweeps over thousands of seeds per family.
"""

import math
import re

import pytest

import guru_envs
from guru_envs.core.registry import catalog
from guru_envs.core.task import Task
from guru_envs.science.common import ScienceFamily, other_unit, quantity_text
from guru_envs.testing import check_family, check_guru_env
from guru_envs.verify.units import parse_unit

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
GENERATORS = [*SUBJECTS, "multiple_choice"]


def test_manifest_loads_and_routes():
    cat = guru_envs.catalog()
    assert cat.errors == {}
    names = [f.name for f in cat.families("science")]
    assert names == [*GENERATORS, "gpqa", "web"]
    assert cat.route("stem__gpqa_diamond_no_box").name == "gpqa"
    assert cat.route("stem__supergpqa_200").name == "gpqa"
    assert cat.route("stem_web").name == "web"
    assert cat.route("stem__guru_mechanics").name == "mechanics"


@pytest.mark.parametrize("name", GENERATORS)
def test_contract_kit(name):
    check_family("science", name, seeds=range(100))


@pytest.mark.parametrize("name", SUBJECTS)
def test_contract_kit_multiple_choice_and_stated_units(name):
    check_family("science", name, seeds=range(25), options={"choices": 4})
    check_family("science", name, seeds=range(15), options={"units": "stated"})


@pytest.mark.parametrize(
    "env_id", ["guru/Science-v0", "guru/Science.chemistry-v0", "guru/Science.multiple_choice-v0"]
)
def test_env_contract(env_id):
    check_guru_env(env_id)


def test_env_family_options_reach_the_family():
    check_guru_env(
        "guru/Science-v0", families=["optics", "genetics"], family_options={"optics": {"choices": 5}}
    )


def boxed(text: str) -> str:
    return f"Working shown above.\n\n\\boxed{{{text}}}"


def sweep(name: str, seeds: range, **options) -> int:
    """In-process checks on every task; returns the number of tasks checked."""
    family: ScienceFamily = catalog().family("science", name, **options)
    checked = 0
    for level in range(1, family.levels + 1):
        for seed in seeds:
            task = family.sample(seed, level)
            assert family.score(task, task.reference_response).reward == 1.0, task.id
            if "options" in task.meta:
                check_letters(family, task)
            else:
                check_quantity(family, task, stated=options.get("units") == "stated")
            checked += 1
    return checked


def check_letters(family: ScienceFamily, task: Task) -> None:
    options = task.meta["options"]
    assert task.answer in options and len(set(options.values())) == len(options)
    for letter in options:
        verdict = family.score(task, f"\\boxed{{{letter}}}")
        assert verdict.reward == (1.0 if letter == task.answer else 0.0), (task.id, letter)
    assert family.score(task, f"Answer: {task.answer}").reward == 1.0
    for text in ("I am not sure.", "\\boxed{}", f"\\boxed{{{', '.join(options)}}}"):
        assert family.score(task, text).reward == 0.0


def check_quantity(family: ScienceFamily, task: Task, stated: bool) -> None:
    value, unit = task.meta["value"], task.meta["unit"]
    rel, abs_tol = task.meta["rel_tol"], task.meta["abs_tol"]
    assert unit == "" or unit in task.prompt or "degrees" in task.prompt or "percentage" in task.prompt, (
        task.id
    )

    def wrong(x: float) -> bool:  # a value the tolerance cannot confuse with the answer
        return not math.isclose(x, value, rel_tol=rel, abs_tol=abs_tol)

    # wrong factor and sign
    for factor in (2.0, 0.5, 10.0):
        if wrong(value * factor):
            assert (
                family.score(task, boxed(quantity_text(value * factor, unit, 5, latex=True))).reward == 0.0
            ), (task.id, factor)
    if wrong(-value):
        assert family.score(task, boxed(quantity_text(-value, unit, 5))).reward == 0.0, task.id
    if not unit or unit == "%":
        return
    # the same number under another unit of the same dimension is wrong ...
    alt = other_unit(unit)
    assert alt is not None, unit
    src, dst = parse_unit(unit), parse_unit(alt)
    if wrong(src.from_si(dst.to_si(value))):
        assert family.score(task, boxed(quantity_text(value, alt, 5))).reward == 0.0, (task.id, alt)
    # ... and the right value converted into it is right (unless the stated unit is required)
    converted = dst.from_si(src.to_si(value))
    verdict = family.score(task, boxed(quantity_text(converted, alt, 6, latex=True)))
    assert verdict.reward == (0.0 if stated else 1.0), (task.id, alt, verdict.reason)
    # a unit of another dimension is wrong whatever the number
    other_dim = "kg" if src.dims != parse_unit("kg").dims else "m"
    assert family.score(task, boxed(quantity_text(value, other_dim, 5))).reward == 0.0
    # the SI number written bare is wrong when the stated unit is not SI
    if wrong(src.to_si(value)):
        assert family.score(task, boxed(quantity_text(src.to_si(value), "", 6))).reward == 0.0, task.id


@pytest.mark.parametrize("name", SUBJECTS)
def test_sweep_free_answers(name):
    assert sweep(name, range(100)) == 300


@pytest.mark.parametrize("name", SUBJECTS)
def test_sweep_variants(name):
    assert sweep(name, range(40), choices=4) == 120
    assert sweep(name, range(30), units="stated") == 90


def test_sweep_mixed_multiple_choice():
    assert sweep("multiple_choice", range(150)) == 450
    assert sweep("multiple_choice", range(30), choices=10, subjects=["chemistry"]) == 90


@pytest.mark.slow
@pytest.mark.parametrize("name", SUBJECTS)
def test_sweep_thousands_of_seeds(name):
    assert sweep(name, range(2000)) == 6000
    assert sweep(name, range(1000), choices=4) == 3000
    assert sweep(name, range(700), units="stated") == 2100


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATORS)
def test_contract_kit_thousands_of_seeds(name):
    check_family("science", name, seeds=range(1000), min_distinct=0.6)


def test_same_seed_same_task_and_distinct_topics():
    family = catalog().family("science", "mechanics")
    assert family.sample(3, 2) == family.sample(3, 2)
    topics = {family.sample(seed, 3).meta["topic"] for seed in range(200)}
    assert topics == set(family.TOPICS)


def test_levels_change_the_problems():
    family = catalog().family("science", "circuits")
    level1 = [family.sample(s, 1) for s in range(60)]
    level3 = [family.sample(s, 3) for s in range(60)]
    assert not any(t.meta["topic"] in ("series_pair_power", "appliance_energy") for t in level1)
    assert any(t.meta["topic"] in ("series_pair_power", "appliance_energy") for t in level3)
    assert all(t.meta["unit"] in ("A", "Ω", "W", "V", "s", "J") for t in level1)  # SI answers at level 1
    assert any(t.meta["unit"] in ("mA", "kΩ", "mW", "mV", "ms", "mJ", "kWh", "MJ") for t in level3)


def test_temperatures_are_compared_on_their_own_scale():
    family = catalog().family("science", "thermodynamics")
    task = next(t for s in range(300) if (t := family.sample(s, 1)).meta["topic"] == "mixing_temperature")
    value = task.meta["value"]
    assert family.score(task, boxed(f"{value + 273.15:.2f} K")).reward == 1.0
    assert family.score(task, boxed(f"{value * 9 / 5 + 32:.2f} °F")).reward == 1.0
    assert family.score(task, boxed(f"{value + 1:.2f} °C")).reward == 0.0  # 1 % of 300 K would accept it


def test_options_are_validated():
    for bad in ({"choices": 1}, {"choices": 11}, {"units": "any"}, {"rel_tol": -1}):
        with pytest.raises(ValueError):
            catalog().family("science", "optics", **bad)
    with pytest.raises(ValueError):
        catalog().family("science", "multiple_choice", subjects=["alchemy"])


def test_distractors_come_from_mistakes():
    family = catalog().family("science", "mechanics", choices=4)
    hits = 0
    for seed in range(100):
        task = family.sample(seed, 1)
        mistakes = {quantity_text(v, task.meta["unit"], task.meta["sig"]) for v, _ in task.meta["mistakes"]}
        hits += sum(text in mistakes for text in task.meta["options"].values())
    assert hits >= 200  # most of the 300 distractors are the topic's own mistakes


def test_scoring_options_travel_with_the_task():
    from guru_envs.core.scoring import score, score_batch

    mc = catalog().family("science", "astronomy", choices=4)
    stated = catalog().family("science", "astronomy", units="stated")
    tasks = [mc.sample(s, 2) for s in range(10)] + [stated.sample(s, 3) for s in range(10)]
    assert all(t.options == {"units": "stated"} for t in tasks[10:])
    assert all("stated_only" not in t.meta for t in tasks)  # an option, not per-task data
    responses = [t.reference_response for t in tasks]
    # every scorer builds the family from the task's own options
    assert [s.reward for s in score_batch(tasks, responses, workers=2)] == [1.0] * 20
    task = next(t for t in tasks[10:] if other_unit(t.meta["unit"]) and t.meta["unit"] not in ("", "%"))
    alt = other_unit(task.meta["unit"])
    src, dst = parse_unit(task.meta["unit"]), parse_unit(alt)
    converted = boxed(quantity_text(dst.from_si(src.to_si(task.meta["value"])), alt, 6))
    assert score(task, converted).reward == 0.0  # the stated unit is required, as the task's options say
    assert catalog().family("science", "astronomy").score(task, converted).reward == 1.0  # a default family
    assert score(Task.from_record(task.to_record()), converted).reward == 0.0  # and so does its row


# How a question may name the unit it wants: "in solar luminosities (L_sun)?", "in W?" ...
_UNIT_IN_QUESTION = re.compile(
    r"\bin\s+((?:solar|Earth|light|astronomical)\s+\w+|[A-Za-z]+s)\s*(?:\(([^)]{1,15})\))?\s*\?"
)


@pytest.mark.parametrize("family", SUBJECTS)
def test_a_question_asks_for_the_unit_its_instruction_and_gold_use(family):
    """Before: stellar luminosity asked "in solar luminosities (L_sun)?" while the instruction and the
    gold were in W (a right bare 7130 scored 0, 7130 L_sun was paid only through conversion)."""
    fam = catalog().family("science", family)
    for level in range(1, fam.levels + 1):
        for seed in range(120):
            task = fam.sample(seed, level)
            question = task.prompt.split("\n\n")[0]
            for m in _UNIT_IN_QUESTION.finditer(question):
                named = m.group(2) or m.group(1)
                try:
                    asked = parse_unit(named)
                except Exception:  # "in excess?", "in series": words, not units
                    continue
                want = parse_unit(task.meta["unit"])
                assert asked.dims == want.dims and math.isclose(asked.scale, want.scale), (question, want)


def test_stellar_luminosity_in_watts_states_the_suns_luminosity():
    fam = catalog().family("science", "astronomy")
    tasks = [fam.sample(seed, 3) for seed in range(300)]
    tasks = [t for t in tasks if t.meta["topic"] == "stellar_luminosity"]
    assert tasks
    for task in tasks:
        if task.meta["unit"] == "W":
            assert "solar luminosities" not in task.prompt
            assert "L_sun = 3.828 × 10^26 W" in task.prompt
        else:
            assert "in solar luminosities (L_sun)?" in task.prompt
