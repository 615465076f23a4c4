"""Answers whose written form a reader used to rewrite into the gold: each class is a wrong answer that was paid.

- Unicode scripts glued to a number: NFKC folds ``48²`` into ``482`` and ``4.92₃`` into ``4.923``, while
  the table reader dropped ``²`` as a unit, so ``48²`` (2304) was paid for 48 (Tabular) and ``49.2² m``
  or ``4.92₃ m`` were read within tolerance of 49.2 m and 4.92 m (Science).
- Digits set apart by spaces: the Math comparison key dropped every space, so ``7 8`` was paid for 78 and
  ``12 34`` for 1234, though ``7 8`` is two values (docs/answers.md), generated tasks included.
- A subscript on a number: the symbolic checker drops it, so ``1234_{8}`` (a base-8 number, 668) was
  paid for 1234.

Each test also keeps the right spellings of the same class paid (``5 m²``, ``1 234``, ``1011_{2}``).
"""

from __future__ import annotations

import unicodedata

import pytest

import guru_envs
from guru_envs.tabular.answers import number_item, score_items, text_item
from guru_envs.verify.claim import read_claim
from guru_envs.verify.latex import score_boxed_answer
from guru_envs.verify.quantity import parse_reported_number
from guru_envs.verify.text import fold_unicode, normalize_text
from guru_envs.verify.units import read_measured_answer

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


# --- Unicode scripts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("48²", "48^{2}"),
        ("4.92₃ m", "4.92_{3} m"),
        ("9.8 m/s²", "9.8 m/s^{2}"),
        ("3 m·s⁻¹", "3 m·s^{-1}"),
        ("４８ ｋｇ", "48 kg"),  # full-width is spelling: folded as NFKC does
        ("Ｂ", "B"),
        ("48①", "48①"),  # circled and fraction characters are never digits of the number before them
        ("1½", "1½"),
        ("7 ᵒʳ 8", "7 ^{or} 8"),
        ("plain", "plain"),
    ],
)
def test_fold_unicode_keeps_scripts_apart_from_the_number(text, folded):
    assert fold_unicode(text) == folded


@pytest.mark.parametrize("script", ["²", "³", "⁴", "₃", "①"])
def test_a_script_after_a_number_is_not_one_more_digit(script):
    glued = unicodedata.normalize("NFKC", f"48{script}")  # what plain NFKC made of it: 482, 483, 481 ...
    assert read_claim(f"48{script}").text != glued
    assert parse_reported_number(f"48{script}") is None
    assert normalize_text(f"Batch 3{script}") != normalize_text(
        unicodedata.normalize("NFKC", f"Batch 3{script}")
    )


@pytest.mark.parametrize(
    ("answer", "item"),
    [
        ("48²", number_item(48, "count")),
        ("48³", number_item(48, "number")),
        ("48 ²", number_item(48, "count")),
        ("48①", number_item(48, "count")),
        ("23.71%²", number_item(23.71, "percent", 2, 1e-3)),
        ("Batch 3²", text_item("Batch 32")),
    ],
)
def test_tabular_refuses_a_number_with_a_script_glued_on(answer, item):
    assert score_items(f"\\boxed{{{answer}}}", [item], question="What is it?").reward == 0


@pytest.mark.parametrize(
    ("answer", "item"),
    [
        ("48", number_item(48, "count")),
        ("４８", number_item(48, "count")),
        ("−48", number_item(-48, "number")),
        ("5 m²", number_item(5, "number")),
        ("5 m^2", number_item(5, "number")),
    ],
)
def test_tabular_still_reads_units_and_full_width_digits(answer, item):
    assert score_items(f"\\boxed{{{answer}}}", [item], question="What is the area in m²?").reward == 1


def _science_task(family: str, seed: int = 1):
    return guru_envs.make_dataset(f"guru/Science.{family}-v0", size=1, seed=seed, difficulty=1)[0]


@pytest.mark.parametrize("where", ["superscript", "subscript"])
@pytest.mark.parametrize("family", ["mechanics", "genetics", "optics"])
def test_science_refuses_a_script_digit_glued_to_the_value(family, where):
    task = _science_task(family)
    value, unit = task.meta["value"], task.meta["unit"]
    number = f"{value:.4g}"
    assert guru_envs.score(task, f"\\boxed{{{number} {unit}}}").reward == 1
    glyphs = SUPERSCRIPTS if where == "superscript" else SUBSCRIPTS
    for digit in "0123":  # 2 after 0.5 reads as 0.52 (wrong), 0 after 49.2 as 49.20 (paid)
        claimed = f"{number}{glyphs[int(digit)]}"
        score = guru_envs.score(task, f"\\boxed{{{claimed} {unit}}}".rstrip())
        assert score.reward == 0, (claimed, unit, score.reason)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("9.8 m/s²", "m/s^2"), ("3.0 m·s⁻¹", "m/s"), ("2.5 cm³", "cm^3"), ("４９.２ ｍ", "m")],
)
def test_science_still_reads_superscript_units(text, unit):
    from guru_envs.verify.units import compare_measurement

    claim = read_measured_answer(text)
    assert claim.text is not None, claim.refused
    value = float(text.split()[0].replace("４９.２", "49.2"))
    assert compare_measurement(claim.text, value, unit, rel_tol=1e-2).ok


# --- digits set apart by spaces (Math) -----------------------------------------------------------------


def _math(answer: str, gold: str, final_form: bool = False) -> float:
    return score_boxed_answer(
        f"\\boxed{{{answer}}}", gold, question="Compute it.", timeout=5, final_form=final_form
    ).reward


@pytest.mark.parametrize("final_form", [False, True])
@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("7 8", "78"),
        ("12 34", "1234"),
        ("1 2 3 4", "1234"),
        ("1 23", "123"),
        ("12\\,34", "1234"),
        ("0 360", "360"),
    ],
)
def test_math_refuses_digits_set_apart_that_are_not_digit_groups(answer, gold, final_form):
    assert _math(answer, gold, final_form) == 0


@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("1 234", "1234"),
        ("-1 234", "-1234"),
        ("1 234 567", "1234567"),
        ("1\\,234", "1234"),
        ("12 34", "12 34"),
    ],
)
def test_math_still_pays_digit_groups_and_identical_text(answer, gold):
    assert _math(answer, gold) == 1


def test_generated_math_refuses_the_gold_split_by_a_space():
    checked = 0
    for difficulty in (1, 2):
        for seed in range(4):
            task = guru_envs.make_dataset(
                "guru/Math.arithmetic-v0", size=1, seed=seed, difficulty=difficulty
            )[0]
            digits = task.answer.lstrip("-")
            if not digits.isdigit() or len(digits) < 2 or len(digits) == 4:
                continue  # 1234 as "1 234" is a digit group, and right
            split = task.answer[:-1] + " " + task.answer[-1]  # 175 as "17 5"
            assert guru_envs.score(task, f"\\boxed{{{task.answer}}}").reward == 1
            assert guru_envs.score(task, f"\\boxed{{{split}}}").reward == 0, split
            checked += 1
    assert checked >= 3


# --- a subscript on a number (Math) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "gold"),
    [("1234_{8}", "1234"), ("1234_8", "1234"), ("10_2", "10"), ("6_{7}", "6"), ("(12)_{3}", "12")],
)
def test_math_refuses_a_subscript_the_checker_would_drop(answer, gold):
    assert _math(answer, gold) == 0


@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("1011_{2}", "1011_2"),
        ("1011_2", "1011_{2}"),
        ("A3_{16}", "A3_16"),
        ("x_{1} = 3", "3"),
        ("a_{n} = 2n", "2n"),
    ],
)
def test_math_still_pays_the_same_base_and_indexed_names(answer, gold):
    assert _math(answer, gold) == 1
