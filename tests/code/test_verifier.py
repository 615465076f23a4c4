"""The Code verifier's rules: extraction, output comparison, value comparison, verdict details and feedback."""

import time

import pytest

from guru_envs.code.verifier import (
    GENERATED_LIMITS,
    call_suite,
    extract_program,
    lenient_equal,
    outputs_match,
    score_program,
    stdio_suite,
    strict_equal,
)


def fence(code, lang="python"):
    return f"```{lang}\n{code}\n```"


@pytest.mark.parametrize(
    "response, expected",
    [
        (fence("x = 1"), "x = 1\n"),
        ("draft:\n" + fence("x = 1") + "\nfinal:\n" + fence("x = 2"), "x = 2\n"),  # the last block wins
        (fence("x = 1") + "\n" + fence("output", ""), "x = 1\n"),  # a tagged block beats a later untagged one
        (fence("x = 3", ""), "x = 3\n"),  # no python block: the last untagged one
        (fence("print(1)", "bash"), None),  # other languages are not Python
        ("<think>" + fence("x = 1") + "</think>no code after thinking", None),  # only text after </think>
        ("<think>scratch</think>" + fence("x = 5"), "x = 5\n"),
        ("def f(): return 1", None),  # code without a fence is not extracted
        (fence("   \n"), None),  # an empty block is no program
        ("```python\nx = 1", None),  # an unclosed fence is no block
        # every tag that names Python, in any case (GURU's coder1 reads any tag)
        (fence("x = 1", "py"), "x = 1\n"),
        (fence("x = 1", "python3"), "x = 1\n"),
        (fence("x = 1", "Python3"), "x = 1\n"),
        (fence("x = 1", "PY"), "x = 1\n"),
        (fence("x = 1", "py3"), "x = 1\n"),
        (fence("x = 1", "python") + "\n" + fence("x = 2", "py"), "x = 2\n"),  # the last of them wins
        (fence("x = 1", "py") + "\n" + fence("x = 2", ""), "x = 1\n"),  # and beats an untagged block
        (fence("x = 1", "pyth"), None),
        (fence("x = 1", "cython"), None),
        # a last block that answers nothing does not displace the answer
        (fence("x = 1") + "\nExample:\n" + fence("# input: 1 2 -> output: 3"), "x = 1\n"),  # comments only
        (
            fence("x = 1") + "\n" + fence("assert x == 1"),
            "x = 1\n\nassert x == 1\n",
        ),  # its own tests run after it
        (
            fence("x = 1") + fence("# c") + fence("assert x") + fence("assert x > 0"),
            "x = 1\n\nassert x\n\nassert x > 0\n",
        ),
        (
            fence("x = 1") + "\n" + fence("assert x == 1\nprint(x)"),
            "assert x == 1\nprint(x)\n",
        ),  # more than asserts
        (fence("x = 1") + "\n" + fence("print(x)"), "print(x)\n"),  # a usage example is still the last block
        (fence("x = 1") + "\n" + fence("assert x ==", ""), "x = 1\n"),  # (a tagged block beats it anyway)
        (fence("x = 1") + "\n" + fence("assert (x ="), "assert (x =\n"),  # does not parse: it is the answer
        (fence("assert 1 == 1"), "assert 1 == 1\n"),  # asserts alone: the last block, as before
        (fence("# only a comment"), "# only a comment\n"),
    ],
)
def test_extraction_rule(response, expected):
    assert extract_program(response) == expected


@pytest.mark.parametrize(
    "actual, expected, same",
    [
        ("3\n", "3", True),
        ("3  \n\n", "3\n", True),  # trailing blanks
        ("1 2 3\r\n", "1 2 3\n", True),
        ("1  2 3", "1 2 3", True),  # token split
        ("YES", "yes", True),
        ("Yes", "NO", False),
        ("0.3333333", "0.33333333", True),  # within 1e-6
        ("0.33", "0.333", False),
        ("1000000000000000001", "1000000000000000000", False),  # integers are exact
        ("1e3", "1000.0", True),
        ("100000", "1E5", False),  # an expected 1E5 may be a base-36 word, not a float
        ("99999.95", "1E5", False),
        ("14", "e", False),
        ("0.00001", "1e-05", True),  # Python's own float spelling
        ("150000", "1.5E5", True),
        ("5.0", "5", True),  # an integer printed with a point is that integer
        ("1000000.0", "999999", False),  # ... exactly: a float near an integer answer is wrong
        ("1e9", "1000000007", False),
        ("1000000007.0000001", "1000000007", False),
        ("1 2", "1\n2", False),  # lines must correspond
        ("", "", True),
        ("", "0", False),
        ("nan", "nan", True),  # identical text is equal text
        ("abc", "abd", False),
    ],
)
def test_outputs_match(actual, expected, same):
    assert outputs_match(actual, expected) is same


@pytest.mark.parametrize(
    "actual, expected, strict, lenient",
    [
        ([1, 2], [1, 2], True, True),
        ((1, 2), [1, 2], True, True),
        (True, 1, False, False),  # a bool is not an int
        (5, [5], False, True),  # APPS wraps results in a list
        ([5], [5], True, True),
        (0.1 + 0.2, 0.3, True, True),
        (1.0000001, 1.0, False, True),
        ({"a": 1}, {"a": 1}, True, True),
        ("5", 5, False, False),
    ],
)
def test_value_comparisons(actual, expected, strict, lenient):
    assert strict_equal(actual, expected) is strict
    assert lenient_equal(actual, expected) is lenient


SQUARE = call_suite(
    "square", [[2], [3], [-4], [0]], [4, 9, 16, 0], strict_equal, GENERATED_LIMITS, public=[0, 1, 2]
)
HIDDEN_SQUARE = call_suite("square", [[2], [3], [-4], [0]], [4, 9, 16, 0], strict_equal, GENERATED_LIMITS)


def test_all_tests_pass_for_reward_one_with_details():
    score = score_program(fence("def square(x):\n    return x * x"), SQUARE)
    assert score.reward == 1.0 and score.correct
    assert score.details["verdicts"] == ["ok"] * 4 and score.details["passed"] == 4
    assert score.details["io"] == "call" and score.feedback is None


def test_first_failure_is_reported_and_the_run_stops_early():
    # The last test would loop forever: stopping at the first failure keeps it from costing its time limit.
    code = "def square(x):\n    while x == 0:\n        pass\n    return x * x if x > 0 else -x"
    started = time.monotonic()
    score = score_program(fence(code), SQUARE)
    assert time.monotonic() - started < GENERATED_LIMITS.wall_s
    assert score.reward == 0.0 and not score.correct
    assert score.details["verdicts"] == ["ok", "ok", "wrong_answer", "skipped"]
    failure = score.details["first_failure"]
    assert failure["test"] == 2 and failure["verdict"] == "wrong_answer"
    assert failure["input"] == "square(-4)" and failure["expected"] == "16" and failure["actual"] == "4"
    assert "test 3 of 4" in score.reason
    assert "square(-4)" in score.feedback and "Expected: 16" in score.feedback and "Got: 4" in score.feedback


def test_a_hidden_test_is_named_by_its_number_and_the_candidates_own_output_only():
    score = score_program(fence("def square(x):\n    return x * x if x > 0 else -x"), HIDDEN_SQUARE)
    failure = score.details["first_failure"]
    assert failure["test"] == 2 and failure["actual"] == "4"
    assert failure["input"] is None and failure["expected"] is None
    assert "hidden test 3 of 4" in score.feedback and "Got: 4" in score.feedback
    assert (
        "-4" not in score.feedback
        and "16" not in score.feedback
        and "16" not in str({k: v for k, v in score.details.items() if k != "wall_s"})
    )


def test_partial_credit_pays_the_fraction_and_runs_every_test():
    score = score_program(
        fence("def square(x):\n    return x * x if x > 0 else -x"), SQUARE, partial_credit=True
    )
    assert score.reward == pytest.approx(0.75) and not score.correct
    assert score.details["verdicts"] == ["ok", "ok", "wrong_answer", "ok"]
    assert score.feedback and "square(-4)" in score.feedback


def test_runtime_error_feedback_names_the_exception():
    score = score_program(fence("def square(x):\n    return [][x]"), SQUARE)
    assert score.details["first_failure"]["verdict"] == "runtime_error"
    assert "IndexError" in score.feedback


def test_stdio_feedback_shows_input_expected_and_actual():
    suite = stdio_suite(["1 2\n", "5 7\n"], ["3\n", "12\n"], limits=GENERATED_LIMITS, public=[0, 1])
    good = score_program(fence("a, b = map(int, input().split())\nprint(a + b)"), suite)
    assert good.reward == 1.0
    bad = score_program(fence("a, b = map(int, input().split())\nprint(a * b if a > 1 else a + b)"), suite)
    assert bad.reward == 0.0 and bad.details["first_failure"]["test"] == 1
    assert (
        "Input:\n5 7" in bad.feedback
        and "Expected output:\n12" in bad.feedback
        and "Your output:\n35" in bad.feedback
    )


def test_timeouts_are_verdicts_not_hangs():
    suite = call_suite("square", [[2]], [4], strict_equal, GENERATED_LIMITS)
    score = score_program(fence("def square(x):\n    while True:\n        pass"), suite)
    assert score.reward == 0.0 and score.details["first_failure"]["verdict"] == "timeout"


def test_no_code_block_scores_zero_with_a_hint():
    score = score_program("The answer is x * x.", SQUARE)
    assert score.reward == 0.0 and score.details["error"] == "no_code"
    assert "```python" in score.feedback


def test_huge_programs_are_refused_without_running():
    score = score_program(fence("x = 1\n" * 60_000), SQUARE)
    assert score.reward == 0.0 and score.details["error"] == "too_long"


def test_feedback_is_truncated():
    suite = stdio_suite(["x" * 5000 + "\n"], ["y" * 5000 + "\n"], limits=GENERATED_LIMITS)
    score = score_program(fence("print('z' * 5000)"), suite)
    assert score.reward == 0.0 and len(score.feedback) < 2500 and "more characters" in score.feedback
