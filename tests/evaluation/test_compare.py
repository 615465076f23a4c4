"""Before/after comparison: the accuracy change split into what format explains and what it does not."""

import pytest

from guru_envs.evaluation.compare import change_table, compare, compare_results
from guru_envs.evaluation.harness import TaskResult


def result(task_id, correct, format_failures, domain="math"):
    return TaskResult(
        task_id=task_id,
        domain=domain,
        family="f",
        difficulty=1,
        rewards=[float(c) for c in correct],
        correct=correct,
        format_failures=format_failures,
        tokens=[1] * len(correct),
    )


def test_split_by_hand():
    # before: 1 right of 8 samples, 2 readable (cond 1/2); after: 3 right, all 8 readable (cond 3/8)
    before = [result("a", [True, False, False, False], 2), result("b", [False] * 4, 4)]
    after = [result("a", [True, True, False, False], 0), result("b", [True, False, False, False], 0)]
    c = compare_results(before, after)
    assert c.accuracy_before == pytest.approx(1 / 8) and c.accuracy_after == pytest.approx(3 / 8)
    assert c.gain == pytest.approx(0.25)
    assert c.format_part == pytest.approx((1 - 2 / 8) * 0.5)  # readable share up, at the old hit rate
    assert c.beyond_format == pytest.approx(1.0 * (3 / 8 - 1 / 2))  # readable answers got worse
    assert c.format_part + c.beyond_format == pytest.approx(c.gain)
    assert c.format_fail_before == pytest.approx(6 / 8) and c.format_fail_after == 0
    assert c.cond_before == pytest.approx(0.5) and c.cond_after == pytest.approx(3 / 8)
    assert c.gain_ci == pytest.approx(0.0)  # both tasks gained one right answer of four


def test_a_pure_format_gain_is_not_counted_beyond_format():
    # half the samples readable and half of those right, then every sample readable, still half right
    before = [result(f"t{i}", [True, False, False, False], 2) for i in range(10)]
    after = [result(f"t{i}", [True, True, False, False], 0) for i in range(10)]
    c = compare_results(before, after)
    assert c.gain == pytest.approx(0.25) and c.format_part == pytest.approx(0.25)
    assert c.beyond_format == pytest.approx(0.0) and c.beyond_format_ci == pytest.approx(0.0)


def test_nothing_readable_before_counts_every_gain_beyond_format_and_says_so():
    before = [result("a", [False, False], 2)]
    after = [result("a", [True, False], 0)]
    c = compare_results(before, after)
    assert c.cond_before is None and c.format_part == 0 and c.beyond_format == pytest.approx(0.5)
    assert "n/a" in change_table({"all": c})


def test_per_domain_and_refusals():
    before = [result("a", [True, False], 0, "math"), result("b", [False, False], 1, "logic")]
    after = [result("a", [True, True], 0, "math"), result("b", [True, False], 0, "logic")]
    changes = compare(type("R", (), {"tasks": before})(), type("R", (), {"tasks": after})())
    assert list(changes) == ["all", "logic", "math"]
    assert changes["math"].beyond_format == pytest.approx(0.5) and changes["math"].format_part == 0
    with pytest.raises(ValueError, match="same tasks"):
        compare_results(before, after[::-1])
    with pytest.raises(ValueError):
        compare_results([], [])
