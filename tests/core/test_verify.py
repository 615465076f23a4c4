"""Shared extraction and comparison rules, case by case."""

from fractions import Fraction

import pytest

from guru_envs.verify import (
    AnswerParseError,
    all_boxed,
    answer_tag,
    last_boxed,
    last_code_block,
    normalize_text,
    numbers_match,
    parse_number,
    parse_structured,
    split_multi,
    strip_wrappers,
    values_equal,
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("so \\boxed{42}.", "42"),
        ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("<think>\\boxed{7}</think> final \\boxed{8}", "8"),
        ("<think>\\boxed{7}</think> no box after", None),
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),
        ("\\fbox{x=3}", "x=3"),
        ("\\boxed {5}", "5"),
        ("The answer is $\\boxed 3$.", "3"),  # no braces: the one token after it, as LaTeX reads it
        ("so \\boxed 42.", "42"),
        ("\\boxed{unclosed", None),
        ("", None),
    ],
)
def test_last_boxed(response, expected):
    assert last_boxed(response) == expected


def test_all_boxed_counts_nested_once():
    assert all_boxed("\\boxed{\\boxed{3}} and \\boxed{4}") == ["\\boxed{3}", "4"]


def test_extraction_is_linear_on_hostile_input():
    assert last_boxed("\\boxed{" * 50_000) is None
    assert last_boxed("{" * 200_000) is None


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("<answer> [1, 2] </answer>", "[1, 2]"),
        ("<ANSWER>a</ANSWER> then <answer>b</answer>", "b"),
        ("<think><answer>x</answer></think>", None),
        ("no tags", None),
    ],
)
def test_answer_tag(response, expected):
    assert answer_tag(response) == expected


def test_last_code_block_prefers_tagged():
    text = "```python\nprint(1)\n```\n```\nplain\n```\n```python\nprint(2)\n```"
    assert last_code_block(text) == "print(2)\n"
    assert last_code_block("```\nx = 1\n```") == "x = 1\n"
    assert last_code_block("no code") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", Fraction(42)),
        ("-3.5", Fraction(-7, 2)),
        ("1,234,567", Fraction(1234567)),
        ("\\frac{3}{4}", Fraction(3, 4)),
        ("-\\dfrac{1}{3}", Fraction(-1, 3)),
        ("3/4", Fraction(3, 4)),
        ("25%", Fraction(25)),
        ("2.5 \\times 10^{3}", Fraction(2500)),
        ("1.5e-3", Fraction(3, 2000)),
        ("$7$", Fraction(7)),
        ("1,23", None),
        ("x + 1", None),
        ("1/0", None),
        ("9" * 1000, None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_numbers_match_tolerance_and_percent():
    assert numbers_match("0.333", "1/3", rel_tol=1e-2)
    assert not numbers_match("0.333", "1/3")
    assert numbers_match("25%", "0.25", percent_variants=True)
    assert numbers_match("25", 0.25, percent_variants=True)  # a percentage written without its sign
    assert numbers_match("25%", "25%", percent_variants=True)
    assert not numbers_match("25%", "0.25")
    assert numbers_match("abc", "1") is None


def test_strip_wrappers_and_text():
    assert strip_wrappers("$\\text{Paris}$") == "Paris"
    assert normalize_text("  The  Eiffel Tower. ") == "eiffel tower"
    assert split_multi("a | b; c") == ["a", "b", "c"]


def test_parse_structured_is_bounded_and_never_evaluates():
    assert parse_structured("```json\n[[1, 2], [3]]\n```") == [[1, 2], [3]]
    assert parse_structured("(1, 'a', None)") == (1, "a", None)
    for hostile in ["__import__('os').system('true')", "[" * 10_000, "9" * 300_000, ""]:
        with pytest.raises(AnswerParseError):
            parse_structured(hostile)


@pytest.mark.parametrize(
    ("got", "want", "equal"),
    [
        ((1, 2), [1, 2], True),
        ({"b": 1, "a": [1.0]}, {"a": [1], "b": 1}, True),
        (True, 1, False),
        (0.1 + 0.2, 0.3, True),
        ([1, 2], [2, 1], False),
        (float("nan"), float("nan"), True),
        ("1", 1, False),
    ],
)
def test_values_equal(got, want, equal):
    assert values_equal(got, want) is equal
