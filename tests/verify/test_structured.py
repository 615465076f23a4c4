"""One parser and one comparator for structured answers (guru_envs.verify.structured), and Code's judge view.

Issue 17, second round: ``values_equal`` turned a set into a sorted list and applied the float tolerance
between ints, so a Code solution returning ``{3, 1, 2}`` passed where ``[1, 2, 3]`` was expected and
``1000000.4`` passed for ``1000000``; ``parse_structured`` kept the last of two repeated keys.
"""

from __future__ import annotations

import pytest

from guru_envs.code.verifier import call_suite, lenient_equal, score_program, strict_equal
from guru_envs.sandbox.compare import returned_equal
from guru_envs.verify import json_answer
from guru_envs.verify.structured import (
    AnswerParseError,
    NotOneClaimError,
    RepeatedKeyError,
    canonical,
    parse_structured,
    same_value,
    values_equal,
)


@pytest.mark.parametrize(
    ("got", "want"),
    [
        ({3, 1, 2}, [1, 2, 3]),  # a set is not a list
        (frozenset({1, 2}), [1, 2]),
        ([1, 2, 3], {1, 2, 3}),  # nor a list a set
        (1000000.4, 1000000),  # no tolerance where an int is expected
        (3.0000001, 3),
        (2.5, 2),
        (True, 1),  # a bool is not a number
        (1, True),
        (0, False),
        (1.0, True),
        ({"a": 1, "b": 2}, {"a": 1}),  # extra key
        ({"a": 1}, {"a": 1, "b": 2}),
        ({1: "x"}, {"2": "x"}),
        ("1", 1),
        (None, 0),
        ([1, [2, {3}]], [1, [2, [3]]]),  # nested set for a list
        (float("inf"), 10**400),
        (10**400, 1.0),  # an int too large for a float is no match, and no crash
        ([1.5], [1]),
    ],
)
def test_a_judge_pays_only_the_expected_value(got, want):
    assert not values_equal(got, want)
    assert not strict_equal(got, want) and not lenient_equal(got, want) and not returned_equal(got, want)


@pytest.mark.parametrize(
    ("got", "want"),
    [
        ((1, 2), [1, 2]),  # JSON stores the expected value: a tuple is an array
        ([(1, 2), (3, 4)], [[1, 2], [3, 4]]),
        (3.0, 3),  # exactly the int: Python's == says so, and so do HumanEval's asserts
        (3, 3.0),  # an int where a float is expected
        (0.1 + 0.2, 0.3),  # floats within the tolerance
        ({1: "x"}, {"1": "x"}),  # JSON writes an int key as its decimal string
        ({"b": 1, "a": [1.0]}, {"a": [1], "b": 1}),
        ({1, 2, 3}, {3, 2, 1}),
        ({(1, 2): "x"}, {(1, 2): "x"}),  # a key JSON cannot hold, compared as Python's
        (float("nan"), float("nan")),
        (10**30, 10**30),
        (10**20, 1e20),
    ],
)
def test_a_judge_pays_the_expected_value_however_it_is_built(got, want):
    assert values_equal(got, want)
    assert strict_equal(got, want) and lenient_equal(got, want) and returned_equal(got, want)


def test_the_json_and_python_views_keep_their_types():
    assert not same_value(3.0, 3) and not same_value(3, 3.0)  # Simulation: 2.0 is not the integer 2
    assert not same_value((1, 2), [1, 2], python=True)
    assert same_value((1, 2), [1, 2])
    assert json_answer.same_value is same_value  # one comparator, named where answers are read too


@pytest.mark.parametrize(
    "text",
    ['{"a": 1, "a": 2}', "{'a': 1, 'a': 2}", '[{"k": [1]}, {"k": 1, "k": 1}]', "{1: 'x', 1.0: 'y'}"],
)
def test_parse_structured_refuses_repeated_keys(text):
    with pytest.raises(RepeatedKeyError):
        parse_structured(text)
    assert issubclass(RepeatedKeyError, AnswerParseError)
    assert json_answer.parse_literal is parse_structured  # one parser


def test_parse_structured_reads_literals_and_never_evaluates():
    assert parse_structured('```json\n{"a": [1, 2]}\n```') == {"a": [1, 2]}
    assert parse_structured("(1, 'a', None, True)") == (1, "a", None, True)
    for hostile in ["__import__('os').system('true')", "[" * 10_000, "9" * 300_000, "", "{**x}"]:
        with pytest.raises(AnswerParseError):
            parse_structured(hostile)


def test_canonical_is_for_showing_values():
    assert canonical({3, 1, 2}) == [1, 2, 3]
    assert canonical({"k": (1, 2)}) == {"k": [1, 2]}


def fence(code: str) -> str:
    return f"```python\n{code}\n```"


@pytest.mark.parametrize(
    ("body", "paid"),
    [
        ("return sorted(set(xs))", 1.0),
        ("return set(xs)", 0.0),  # {3, 1, 2} where [1, 2, 3] is expected
        ("return tuple(sorted(set(xs)))", 1.0),
        ("return [float(x) for x in sorted(set(xs))]", 1.0),  # 1.0 is exactly 1
        ("return [x + 0.4 for x in sorted(set(xs))]", 0.0),
        ("return [x == x for x in sorted(set(xs))]", 0.0),  # True is not 1
    ],
)
def test_code_solutions_are_judged_by_the_expected_types(body, paid):
    suite = call_suite("unique", [[[3, 1, 2, 3]], [[1000000, 1000000]]], [[1, 2, 3], [1000000]], strict_equal)
    score = score_program(fence(f"def unique(xs):\n    {body}"), suite)
    assert score.reward == paid, score.reason


@pytest.mark.parametrize(
    "text",
    [
        "[12, 14]  # or [12, 15]",
        '{"A": -1, "B": 1} # or B = 2',
        "```json\n[[1, 2], [3, 4]]  # or [[2, 1], [3, 4]]\n```",
        "[1, # 2\n 3]",
    ],
)
def test_a_comment_beside_a_literal_is_not_one_claim(text):
    with pytest.raises(NotOneClaimError, match="comment"):
        parse_structured(text)


def test_a_hash_inside_a_string_is_text():
    assert parse_structured("['a#b', 2]") == ["a#b", 2]


# ------------------------------------------------------------------------- floats stated as answers
@pytest.mark.parametrize(
    ("answer", "reference", "matches"),
    [
        (123456789.0, 123456789.0, True),
        (123456700.0, 123456789.0, False),  # 89 off: 123456700.0 states its units and tenths
        (1.2e8, 123456789.0, False),
        (123456800.0, 123456789.0, False),  # rounded, yet printed with its tenths
        (0.1 + 0.2, 0.1 + 0.2, True),
        (0.3, 0.1 + 0.2, True),  # float noise: the value 0.1 + 0.2 means
        (100.0, sum([0.1] * 1000), True),  # 99.9999999999986
        (0.30000000000000004, 0.3, True),
        (0.3001, 0.3, False),
        (0.333333, 1 / 3, True),  # correctly rounded at its last digit, six significant digits
        (0.3333333, 1 / 3, True),
        (0.3333334, 1 / 3, False),
        (0.33, 1 / 3, False),  # too few digits to stand for it
        (0.7071067, 0.7071067811865476, False),  # cut, not rounded
        (0.0, 0.1 + 0.2 - 0.3, False),
        (-0.0, 0.0, True),
        (float("inf"), float("inf"), True),
        (float("inf"), 1e308, False),
    ],
)
def test_float_matches_is_exact_noise_or_correct_rounding(answer, reference, matches):
    from guru_envs.verify.numeric import float_matches

    assert float_matches(answer, reference) is matches


def test_same_value_stated_applies_the_float_rule_inside_structures():
    assert same_value({"x": [123456789.0]}, {"x": [123456789.0]}, stated=True)
    assert not same_value({"x": [123456700.0]}, {"x": [123456789.0]}, stated=True)
    assert same_value({"x": [123456700.0]}, {"x": [123456789.0]}, 1e-6)  # the tolerance view, unchanged
    assert same_value([0.3], [0.1 + 0.2], stated=True)
    assert not same_value(2, 2.0, stated=True)  # types still decide
    assert same_value(float("nan"), float("nan"), stated=True)
