"""stem_web rules: values compared as precisely as they are written, angles in the unit meant, scale words.

Before (all paid 1.0 unless noted): a bare 45 for ``45 rad``, a bare 0.785 for ``0.785°``, 1.2 for
``1.2 sr``; ``2.01x+1`` for ``2x+1`` and ``1.01x^2`` for ``x^2`` (1 % at sample points); ``3.12`` and
``22/7`` for π, ``0.86`` for √3/2; 99 for 100 and 990 for 1000 (1 % on any number). References written
with scale words (``5 million``) read as text, so 5000000 scored 0; ``5 \\text{ apples}`` scored 0 where
``5 apples`` was paid.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guru_envs.core.scoring import score
from guru_envs.core.task import Task
from guru_envs.science.web import Precision, _kind, rule_check, same_answer, written_precision
from guru_envs.verify.claim import words_of
from guru_envs.verify.latex import asks_for_percentage
from guru_envs.verify.units import Measurement, parse_measurement

QUESTION = "Compute the quantity."


def check(reference: str, answer: str, question: str = QUESTION) -> bool:
    ok, _ = rule_check(
        answer,
        reference,
        allow=words_of(question),
        percent_face=asks_for_percentage(question),
        question=question,
    )
    return ok


@pytest.mark.parametrize(
    ("reference", "answer", "question"),
    [
        ("45", "45 rad", "What is the angle of refraction?"),
        ("0.785", "0.785°", "What is the angle of refraction?"),
        ("0.785", "0.785 ^\\circ", "What is the angle of refraction?"),
        ("1.2", "1.2 sr", "What is the angle of refraction?"),  # a steradian is not an angle
        ("1.2 sr", "1.2 rad", QUESTION),
        ("1.2 rad", "1.2 sr", QUESTION),
        ("25", "25 sr", QUESTION),
        ("45", "0.785", "What is the angle in degrees?"),
        ("0.5", "0.5°", "What is the angle in radians?"),
        ("30", "30 rad", "A ray meets the glass at 45°. What is the angle of refraction?"),
    ],
)
def test_a_bare_angle_is_read_in_the_unit_meant(reference, answer, question):
    assert not check(reference, answer, question)


@pytest.mark.parametrize(
    ("reference", "answer", "question"),
    [
        ("45", "45°", "What is the angle of refraction?"),
        ("45", "45 degrees", "What is the angle of refraction?"),
        ("45", "\\frac{\\pi}{4} rad", "What is the angle of refraction?"),
        ("45", "45", "What is the angle of refraction?"),
        ("0.785", "0.785 rad", "What is the angle of refraction?"),
        ("0.785", "45°", "What is the angle of refraction?"),
        ("0.785", "\\frac{\\pi}{4}", "What is the angle of refraction?"),
        ("0.5236", "30°", "What is the angle in radians?"),
        ("3.4", "3.4°", "What is the angle of the first maximum, in degrees?"),
        ("1.2", "1.2 sr", "What solid angle does the detector subtend?"),
        ("1.2 sr", "1.2", QUESTION),
        ("45 degrees", "0.7854 rad", QUESTION),
    ],
)
def test_right_angles_still_paid(reference, answer, question):
    assert check(reference, answer, question)


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        # no tolerance on expressions: a coefficient 1 % off is a different expression
        ("2x+1", "2.01x+1"),
        ("x^2", "1.01x^2"),
        ("2x+1", "2x+1.001"),
        # an exact constant is not approximated, and a decimal must be it correctly rounded (3+ figures)
        ("\\pi", "3.12"),
        ("\\pi", "\\frac{22}{7}"),
        ("\\frac{\\sqrt3}{2}", "0.86"),
        ("\\frac{\\sqrt{3}}{2}", "0.87"),
        ("e^{2}", "7.38"),
        ("e^{2}", "7.4"),
        ("\\frac{1}{3}", "0.33"),
        # a number is as precise as it is written: 100 is 99.5..100.5
        ("100", "99"),
        ("1000", "990"),
        ("1000", "0.0990 \\times 10^{4}"),
        ("7", "6.93"),
        ("0.0214", "0.0215"),
        ("0.0214 M", "0.0215 M"),
        ("8645.09", "8650"),
        # too few figures to be "correctly rounded"
        ("0.0214", "0.02"),
        ("8645.09", "8.6e3"),
    ],
)
def test_no_tolerance_beyond_the_written_precision(reference, answer):
    assert not check(reference, answer)


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("0.0214 M", "0.02142 M"),  # within the reference's precision
        ("0.02142 M", "0.0214 M"),  # the reference correctly rounded
        ("0.0214 M", "21.4 mM"),
        ("$8,645.09", "8645"),
        ("$8,645.09", "8.65 \\times 10^3"),
        ("-285.8 kJ/mol", "-2.858 \\times 10^5 J/mol"),
        ("25 °C", "298 K"),
        ("298.15 K", "25 °C"),
        ("100", "99.5"),
        ("100", "100.0"),
        ("1.5e3", "1500"),
        ("1.6 \\times 10^{-19}", "1.60 \\times 10^{-19}"),
        ("\\pi", "3.14"),
        ("\\pi", "3.1416"),
        ("2\\pi", "6.28"),
        ("\\frac{\\sqrt3}{2}", "0.866"),
        ("\\frac{\\sqrt{3}}{2}", "0.8660"),
        ("e^{2}", "7.39"),
        ("\\ln 2", "0.693"),
        ("1.41", "\\sqrt{2}"),
        ("0.333", "\\frac{1}{3}"),
        ("\\frac{1}{3}", "0.333"),
        ("0.471", "47.1\\%"),
        ("2x+1", "1+2x"),
        ("0.5x + 1.25", "\\frac{x}{2}+\\frac{5}{4}"),
    ],
)
def test_right_values_still_paid(reference, answer):
    assert check(reference, answer)


@pytest.mark.parametrize(
    ("reference", "answer", "ok"),
    [
        ("5 million", "5000000", True),
        ("5 million", "5 \\times 10^{6}", True),
        ("5 million", "5.0 \\times 10^6", True),
        ("5 \\text{ million}", "5000000", True),
        ("3.2 billion", "3.2 \\times 10^9", True),
        ("3.2 billion", "3200000000", True),
        ("2 thousand", "2000", True),
        ("3.2 billion km", "3.2 \\times 10^{12} m", True),
        ("5 million", "5 million", True),
        ("5 million", "5", False),
        ("5 million", "5 M", False),
        ("3.2 billion", "3.2", False),
        ("3.2 billion km", "3.2 \\times 10^{9} m", False),
    ],
)
def test_scale_words_in_references(reference, answer, ok):
    assert check(reference, answer) is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("5 apples", True),
        ("5 \\text{ apples}", True),
        ("5\\,\\text{apples}", True),
        ("5 \\mathrm{apples}", True),
        ("5~apples", True),
        ("5 \\text{ pears}", False),
        ("5 pears", False),
        ("5 \\text{ or } 6", False),
        ("5 \\text{apples or more}", False),
    ],
)
def test_a_label_in_latex_is_the_same_label(answer, ok):
    assert check("5", answer, "How many apples are left?") is ok


def test_label_in_latex_in_generated_counts():
    from guru_envs import catalog

    fam = catalog().family("science", "ecology")
    task = next(t for s in range(200) if (t := fam.sample(s, 1)).meta["unit"] == "" and "frogs" in t.prompt)
    value = f"{task.meta['value']:.0f}"
    for label, reward in (
        ("frogs", 1.0),
        ("\\text{ frogs}", 1.0),
        ("\\,\\mathrm{frogs}", 1.0),
        ("\\text{ pears}", 0.0),
    ):
        assert score(task, f"\\boxed{{{value} {label}}}").reward == reward, label


def test_repeated_boxes_agree_only_as_precisely_as_written():
    assert same_answer("3 km", "3000 m")
    assert same_answer("0.0214 M", "21.4 mM")
    assert same_answer("3.14", "3.1416")
    assert not same_answer("99", "100")  # 1 % apart, but two different answers
    task = Task(id="t", domain="science", family="web", prompt="Q", answer="100", meta={"question": "Q"})
    from guru_envs.science.web import WebFamily

    assert WebFamily().score(task, "\\boxed{99} ... so \\boxed{100}").reward == 0.0
    assert WebFamily().score(task, "\\boxed{100} ... so \\boxed{100.0}").reward == 1.0


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("0.0214 M", 0.0214, Precision(0.00005, 3)),
        ("100", 100.0, Precision(0.5, 3)),
        ("8,645.09", 8645.09, Precision(0.005, 6)),
        ("2.14 \\times 10^{-2}", 0.0214, Precision(0.00005, 3)),
        ("1.5e3", 1500.0, Precision(50.0, 2)),
        ("134 000 J", 134000.0, Precision(0.5, 6)),
        ("\\frac{1}{3}", 1 / 3, None),  # exact
        ("2\\pi", 6.283185307179586, None),
        ("10^{-3}", 0.001, None),
    ],
)
def test_written_precision(text, value, precision):
    got = written_precision(text, value)
    if precision is None:
        assert got is None
    else:
        assert got is not None and abs(got.half - precision.half) < 1e-12 * max(1, precision.half)
        assert got.sig == precision.sig


def test_kinds_without_the_angle_power():
    """The kind is read from the unit's text where units.py does not track plane-angle powers."""

    def unit(text: str) -> SimpleNamespace:
        return SimpleNamespace(text=text, dimensionless=True, scale=1.0)

    assert _kind(Measurement(1.0, unit("sr"))) == "solid angle"
    assert _kind(Measurement(1.0, unit("rad"))) == "angle"
    assert _kind(Measurement(1.0, unit("°"))) == "angle"
    assert _kind(Measurement(1.0, unit("%"))) == "percent"
    assert _kind(Measurement(1.0, unit("rad/sr"))) == "other"
    assert _kind(parse_measurement("1.2 sr")) == "solid angle"
    assert _kind(parse_measurement("1.2 rad")) == "angle"
