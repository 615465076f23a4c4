"""Units in answers: a unit is part of the value, never a free label.

Red-team findings: ``30 \\text{ rad}`` paid for an angle asked in degrees and ``1^\\circ`` for one asked in
radians; ``9 \\text{ cm}``, ``9 \\text{ cm}^3`` and ``9 \\text{ m}^2`` for an area asked in square
centimeters (the question reader took single words only); ``5 \\text{ cents}`` and ``5 \\text{ euros}``
for dollars; ``5 \\text{ dollars}`` and ``5 \\text{ people}`` for ``5\\text{ cm}``. In Science,
dimensionless units converted into each other (52.2 % paid as 0.522 rad or 29.9°, 0.399 rad as 39.9 %
or 0.399 sr, a plain number as a number of degrees).
"""

import math

import pytest

import guru_envs
from guru_envs.verify.latex import score_boxed_answer
from guru_envs.verify.units import (
    asked_currency,
    asked_units,
    compare_measurement,
    parse_unit,
    question_units,
    read_currency,
    same_measurement,
)

AREA = "The area of a square of side 3 cm, in square centimeters?"


def boxed(answer: str) -> str:
    return f"So the answer is $\\boxed{{{answer}}}$."


@pytest.mark.parametrize(
    ("answer", "reference", "question"),
    [
        # angles: the measure the question asks in
        ("30 \\text{ rad}", "30", "Find the angle in degrees."),
        ("1^\\circ", "1", "Find the angle in radians."),
        ("0.5^\\circ", "0.5", "Find the angle in radians."),
        ("2 \\text{ deg}", "2", "Find the angle in radians."),
        ("2 \\text{ degrees}", "2", "Find the angle in radians."),
        ("30 \\text{ rad}", "30^\\circ", None),
        ("30^\\circ", "\\frac{\\pi}{6}", None),
        # areas and volumes asked in square or cubic units
        ("9 \\text{ cm}", "9", AREA),
        ("9 \\text{ cm}^3", "9", AREA),
        ("9 \\text{ m}^2", "9", AREA),
        ("9 \\text{ mm}^2", "9", AREA),
        ("120 \\text{ ft}", "120", "How many square feet of carpet are needed?"),
        ("8 \\text{ m}^2", "8", "Give the volume in cubic meters."),
        # another unit than the one asked
        ("75 \\text{ m/s}", "75", "A car travels 150 km in 2 hours. What is its average speed in km/h?"),
        ("75 \\text{ mph}", "75", "A car travels 150 km in 2 hours. What is its average speed in km/h?"),
        ("2 \\text{ hours}", "120", "How many minutes are in 2 hours?"),
        ("2 \\text{ m}", "200", "A rope is 2 m long. How long is it in centimeters?"),
        ("10 \\text{ cm}", "10", "How many inches long is it?"),
        ("5 \\text{ dollars}", "5", AREA),
        # money: the same currency at the same scale
        ("5 \\text{ cents}", "5", "How many dollars does it cost?"),
        ("\\$3", "300", "John has 5 dollars and spends 2 dollars. How much money is left, in cents?"),
        ("5 \\text{ cents}", "5 \\text{ dollars}", None),
        ("5 \\text{ euros}", "5 \\text{ dollars}", None),
        ("5 \\text{ cents}", "\\$5", None),
        ("5 \\text{ yen}", "\\$5", None),
        # a label of another kind than the reference's unit
        ("5 \\text{ dollars}", "5\\text{ cm}", None),
        ("5 \\text{ people}", "5\\text{ cm}", None),
        ("5 \\text{ cm}", "\\$5", None),
        ("5 \\text{ kg}", "5 \\text{ apples}", "How many apples?"),
        ("5€", "5", "How many dollars?"),
        ("50¢", "50", "How many dollars?"),
        ("€5", "\\$5", None),
        ("5 \\text{ kg}", "5", "How many pounds does it weigh?"),
    ],
)
def test_a_unit_of_another_kind_or_scale_is_refused(answer, reference, question):
    score = score_boxed_answer(boxed(answer), reference, question=question)
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    ("answer", "reference", "question"),
    [
        ("30^\\circ", "30", "Find the angle in degrees."),
        ("30 \\text{ degrees}", "30", "What is the measure of angle ABC, in degrees?"),
        ("\\frac{\\pi}{6} \\text{ rad}", "\\frac{\\pi}{6}", "What is the angle in radians?"),
        ("1", "1", "Find the angle in radians."),
        ("9 \\text{ cm}^2", "9", AREA),
        ("9 \\text{ square cm}", "9", AREA),
        ("9", "9", AREA),
        ("120 \\text{ ft}^2", "120", "How many square feet of carpet are needed?"),
        ("120 \\text{ sq ft}", "120", "How many square feet of carpet are needed?"),
        ("24 \\text{ square units}", "24", "What is the area of the triangle?"),
        ("75 \\text{ km/h}", "75", "A car travels 150 km in 2 hours. What is its average speed in km/h?"),
        ("75 \\text{ kilometers per hour}", "75", "What is its speed in kilometers per hour?"),
        ("120 \\text{ minutes}", "120", "How many minutes are in 2 hours?"),
        ("10 \\text{ in}", "10", "How many inches long is it?"),
        ("3 \\text{ hours}", "3", "A train travels 150 miles in 3 hours. How long did it take?"),
        ("25^\\circ", "25", "What is the temperature in degrees Celsius?"),
        ("25 \\text{ degrees}", "25", "What is the temperature in degrees Celsius?"),
        ("\\$5", "5", "How many dollars does it cost?"),
        ("5 \\text{ dollars}", "5", "How many dollars does it cost?"),
        ("50 \\text{ cents}", "50", "How many cents?"),
        ("\\$5.00", "\\$5", None),
        ("5 \\text{ dollars}", "\\$5", None),
        ("\\$5", "5 \\text{ dollars}", None),
        ("5 \\text{ USD}", "\\$5", None),
        ("5", "\\$5", None),
        ("5 \\text{ units}", "5\\text{ cm}", None),
        ("5 \\text{ centimeters}", "5\\text{ cm}", None),
        ("6 \\text{ ways}", "6", "In how many ways can the books be arranged?"),
        ("12 \\text{ m}", "12", "The legs of a right triangle are 5 m and 12 m. What is x?"),
        ("2", "\\sin 30^\\circ \\cdot 4", None),
        ("£5", "5", "How many pounds does it cost?"),  # pounds sterling, not a mass
        ("5€", "5", "How many euros?"),
        ("50¢", "50", "How many cents?"),
    ],
)
def test_the_unit_asked_for_is_paid(answer, reference, question):
    score = score_boxed_answer(boxed(answer), reference, question=question)
    assert score.reward == 1.0, score


def test_the_question_reader_takes_units_of_several_words():
    only_area = "What is the area of the garden in square meters?"
    assert [u.dims for u in question_units(only_area)] == [parse_unit("m^2").dims]  # not a length too
    assert {u.dims for u in question_units(AREA)} == {parse_unit("cm^2").dims, parse_unit("cm").dims}
    assert [u.text for u in asked_units(AREA)] == ["square centimeters"]
    assert (
        asked_units("Give the acceleration in meters per second squared.")[0].dims == parse_unit("m/s^2").dims
    )
    assert asked_units("What is x in terms of y?") == ()  # a variable is no unit
    assert question_units("What is x in terms of y?") == ()
    assert asked_units("Its mass in kg is 5 and it moves at 3 m/s. What is its momentum?") == ()
    assert asked_currency("How many dollars does it cost?") == ("USD", 1.0)
    assert asked_currency("How much money is left, in cents?") == ("USD", 0.01)
    assert read_currency("US dollars") == ("USD", 1.0)
    assert read_currency("Canadian dollars") == ("CAD", 1.0)
    assert read_currency("apples") is None


@pytest.mark.parametrize(
    ("answer", "value", "unit"),
    [
        ("0.522 rad", 52.2, "%"),  # Carnot efficiency
        ("29.9°", 52.2, "%"),
        ("39.9 %", 0.399, "rad"),  # Snell angle
        ("0.399 sr", 0.399, "rad"),
        ("78.0 %", 44.7, "°"),
        ("181.2°", 3.16, ""),  # an amplitude ratio
        ("3.16 rad", 3.16, ""),
        ("0.399 rad", 0.399, "sr"),
    ],
)
def test_dimensionless_units_of_another_kind_never_convert(answer, value, unit):
    assert compare_measurement(answer, value, unit).ok is False


@pytest.mark.parametrize(
    ("answer", "value", "unit"),
    [
        ("52.2 %", 52.2, "%"),
        ("52.2", 52.2, "%"),
        ("22.86°", 0.399, "rad"),  # angles convert into angles
        ("0.780 rad", 44.7, "°"),
        ("0.399", 0.399, "rad"),
        ("3.16", 3.16, ""),
        ("316 %", 3.16, ""),  # a percentage is a plain number
        ("25 \\%", 0.25, ""),
    ],
)
def test_dimensionless_units_of_one_kind_still_convert(answer, value, unit):
    assert compare_measurement(answer, value, unit).ok is True


def test_same_measurement_keeps_angles_apart():
    assert same_measurement("0.5 rad", "50 %") is False
    assert same_measurement("0.5 rad", "28.65°", rel_tol=1e-3) is True


def test_science_families_refuse_their_value_in_another_dimensionless_unit():
    catalog = guru_envs.catalog()
    paid = []
    for name in ("optics", "thermodynamics", "genetics", "ecology", "earth", "chemistry"):
        family = catalog.family("science", name)
        for seed in range(15):
            task = family.sample(seed, 2)
            if "value" not in task.meta:
                continue
            value, unit = task.meta["value"], task.meta["unit"]
            assert family.score(task, task.reference_response).reward == 1.0
            if unit in ("°", "rad"):
                attacks = [f"{value * 100:.4g} \\%", f"{value:.4g} \\text{{ sr}}"]
            elif unit == "%":
                attacks = [f"{value / 100:.4g} \\text{{ rad}}", f"{math.degrees(value / 100):.4g}^\\circ"]
            else:
                attacks = [f"{math.degrees(value):.4g}^\\circ", f"{value:.4g} \\text{{ rad}}"]
            for attack in attacks:
                if family.score(task, boxed(attack)).reward > 0:
                    paid.append((name, seed, unit, attack))
    assert not paid, paid[:5]
