"""Input prediction: any valid input scores 1, invalid or hostile inputs score 0, all execution in the sandbox."""

import json
import os
import random
import time

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.simulation.execute import run_batch

FAMILY = guru_envs.catalog().family("simulation", "program_input")


def _task(source, params, target, reference):
    """A hand-made input-prediction task on a known program."""
    return Task(
        id="simulation.program_input/handmade",
        domain="simulation",
        family="program_input",
        prompt="(hand-made)",
        answer={"output": target, "input": reference},
        meta={
            "source": source,
            "params": [
                {
                    "name": n,
                    "type": t,
                    "min_value": -10_000,
                    "max_value": 10_000,
                    "max_len": 60 if t == "str" else 20,
                    "max_str": 40,
                }
                for n, t in params
            ],
            "max_steps": 10_000,
        },
    )


SUM = _task("def f(xs):\n    return sum(xs)\n", [("xs", "ilist")], 10, {"xs": [10]})
SLOW = _task(
    "def f(n):\n    i = 0\n    while i != n:\n        i += 1\n    return 7\n", [("n", "int")], 7, {"n": 3}
)


def _answer(obj):
    return f"```json\n{json.dumps(obj)}\n```"


@pytest.mark.parametrize(
    ("answer", "reward"),
    [
        ({"xs": [10]}, 1.0),  # the reference
        ({"xs": [1, 2, 3, 4]}, 1.0),  # another valid input
        ({"xs": [20, -10]}, 1.0),
        ({"input": {"xs": [5, 5]}}, 1.0),  # CodeI/O-style wrapper
        ([4, 6], 1.0),  # bare value for a one-parameter function
        ({"xs": [1]}, 0.0),  # f returns 1
        ({"xs": [10], "k": 1}, 0.0),  # unknown parameter
        ({"ys": [10]}, 0.0),
        ({"xs": [10_001, -10_000, 9999]}, 0.0),  # sums to 10 but out of bounds
        ({"xs": [True] * 10}, 0.0),  # booleans are not integers
        ({"xs": "10"}, 0.0),
        ({"xs": list(range(30))}, 0.0),  # too long
    ],
)
def test_any_valid_input_scores(answer, reward):
    assert FAMILY.score(SUM, _answer(answer)).reward == reward


def test_inputs_that_crash_or_hang_score_zero_within_limits():
    crash = _task("def f(xs):\n    return xs[5]\n", [("xs", "ilist")], 3, {"xs": [0, 0, 0, 0, 0, 3]})
    verdict = FAMILY.score(crash, _answer({"xs": [1]}))
    assert verdict.reward == 0.0 and "IndexError" in verdict.reason
    start = time.perf_counter()
    verdict = FAMILY.score(SLOW, _answer({"n": -1}))  # never reaches -1 counting up
    assert verdict.reward == 0.0 and "timeout" in verdict.reason
    assert time.perf_counter() - start < 15
    assert FAMILY.score(SLOW, _answer({"n": 5})).reward == 1.0


def test_code_in_the_answer_is_data_not_code():
    marker = "/tmp/guru_sim_input_pwned"
    if os.path.exists(marker):
        os.remove(marker)
    echo = _task("def f(s):\n    return len(s)\n", [("s", "str")], 44, {"s": "x" * 44})
    payload = "__import__('os').system('touch /tmp/guru_sim_input_pwned')"
    assert len(payload) != 44
    assert FAMILY.score(echo, _answer({"s": payload})).reward == 0.0
    exact = payload[:44]
    assert FAMILY.score(echo, _answer({"s": exact})).reward == 1.0  # a valid string, passed as data
    assert not os.path.exists(marker)
    for hostile in (
        "```python\nimport os\nos.system('touch /tmp/guru_sim_input_pwned')\n```",
        "\\boxed{__import__('os').system('touch /tmp/guru_sim_input_pwned')}",
        '```json\n{"s": ' + "[" * 10_000 + "]" * 10_000 + "}\n```",
        '```json\n{"s": "' + "a" * 2_000_000 + '"}\n```',
    ):
        assert FAMILY.score(echo, hostile).reward == 0.0
    assert not os.path.exists(marker)


def _alternative(task):
    """Search (by running the program on our own mutations) for a different input with the same output."""
    from guru_envs.simulation.program_input import _mutate, _params

    params = _params(task)
    reference = [task.answer["input"][p.name] for p in params]
    rng = random.Random(task.id)
    frontier = [reference]
    for _ in range(6):
        candidates = [_mutate(rng.choice(frontier), params, rng) for _ in range(40)]
        outcomes = run_batch(task.meta["source"], "f", candidates, task.meta["max_steps"])
        for cand, out in zip(candidates, outcomes):
            if cand != reference and out.get("value") == task.answer["output"]:
                if all(p.check(a) is None for p, a in zip(params, cand)):
                    return {p.name: a for p, a in zip(params, cand)}
        frontier += candidates
    return None


def test_generated_tasks_accept_inputs_other_than_the_reference():
    found = 0
    for seed in range(40):
        task = FAMILY.sample(seed, 1 + seed % 5)
        alt = _alternative(task)
        if alt is None:
            continue
        verdict = FAMILY.score(task, _answer(alt))
        assert verdict.reward == 1.0, (task.id, alt, verdict.reason)
        assert verdict.reason == "f returns the target on this input"  # checked by running, not by lookup
        found += 1
    assert found >= 15


def test_a_returned_float_is_the_target_only_up_to_float_noise():
    from guru_envs.simulation.program_input import _same

    assert _same(0.1 + 0.2, 0.3)  # another input, the same value up to float noise
    assert _same([123456789.0], [123456789.0])
    assert not _same(123456700.0, 123456789.0)  # within the 1e-6 window this was paid
    assert not _same(2, 2.0)  # types still decide


def _echo(task):
    """The answer that gives the target back as the input (a bare value, or the lone parameter's object)."""
    target = task.answer["output"]
    params = task.meta["params"]
    return _answer({params[0]["name"]: target} if len(params) == 1 else target)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_no_current_task_is_solved_by_echoing_its_target(level):
    """v0 served f(t) == t (an echo of the target solved 27 of 60 level-1 seeds); v1 redraws those."""
    old = guru_envs.catalog().family("simulation", "program_input", version=0)
    assert FAMILY.version >= 1
    echoed_v0 = sum(old.score(t, _echo(t)).reward for t in (old.sample(s, level) for s in range(60)))
    assert echoed_v0 >= 1  # the shortcut this test is about exists in v0 at every level checked
    for seed in range(60):
        task = FAMILY.sample(seed, level)
        assert FAMILY.score(task, _echo(task)).reward == 0.0, task.id
        assert FAMILY.score(task, task.reference_response).reward == 1.0, task.id
