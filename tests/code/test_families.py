"""Every Code generator family through the contract kit, the env, options and multi-turn feedback."""

import gymnasium as gym
import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.testing import check_family, check_guru_env

GENERATORS = ["strings", "arrays", "numbers", "algorithms", "humaneval"]
CATALOG = guru_envs.catalog()


def test_manifest_loads_and_routes():
    assert CATALOG.errors == {}
    assert [f.name for f in CATALOG.families("code")] == [*GENERATORS, "guru"]
    assert CATALOG.domain("code").ability == "codegen"
    routes = {
        "codegen__leetcode2k": "guru",
        "codegen__livecodebench": "guru",
        "codegen__primeintellect": "guru",
        "codegen__taco": "guru",
        "codegen__mbpp": "guru",
        "codegen_mbpp": "guru",
        "codegen__deduped_taco_11.1k": "guru",
        "codegen__humaneval": "humaneval",
        "humaneval": "humaneval",
        "codegen__guru_arrays": "arrays",
        "taco": "guru",
        "apps": "guru",
    }
    for source, family in routes.items():
        assert CATALOG.route(source).name == family, source


@pytest.mark.parametrize("name", GENERATORS)
def test_contract(name):
    counts = check_family("code", name, seeds=range(10))
    assert counts["tasks"] == 50 and counts["wrong_responses"] >= 150 and counts["hostile"] >= 10


@pytest.mark.parametrize("io", ["call", "stdio"])
def test_contract_for_each_io_mode(io):
    for name in ("strings", "algorithms"):
        check_family("code", name, seeds=range(3), options={"io": io})


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATORS[:4])
def test_contract_many_seeds(name):
    assert check_family("code", name, seeds=range(200))["tasks"] == 1000


def test_env_contract():
    check_guru_env("guru/Code-v0")
    check_guru_env("guru/Code.arrays-v0", difficulty=5)


def test_same_seed_same_problem_in_both_modes():
    call = CATALOG.family("code", "strings", io="call").sample(7, 3)
    stdio = CATALOG.family("code", "strings", io="stdio").sample(7, 3)
    assert call.meta["template"] == stdio.meta["template"]
    assert call.meta["io"] == "call" and stdio.meta["io"] == "stdio"
    assert len(call.answer["inputs"]) == len(stdio.answer["inputs"])
    assert "standard input" in stdio.prompt and "def " in call.prompt


def test_unknown_options_are_refused():
    with pytest.raises(ValueError):
        CATALOG.family("code", "arrays", io="bogus")
    with pytest.raises(TypeError):
        CATALOG.family("code", "arrays", verbose=True)


def test_partial_credit_through_family_options():
    env = gym.make("guru/Code.arrays-v0", family_options={"arrays": {"partial_credit": True, "io": "call"}})
    env.reset(seed=3)
    task = env.unwrapped.task
    family = CATALOG.family("code", "arrays")
    buggy = family.wrong_responses(task)[0]
    _, reward, terminated, _, info = env.step(buggy)
    assert 0.0 < reward < 1.0 and not info["correct"] and terminated
    assert info["passed"] / info["tests"] == pytest.approx(reward)


def test_multi_turn_feedback_then_success():
    env = gym.make("guru/Code-v0", max_turns=3)
    prompt, _ = env.reset(seed=11, options={"family": "numbers", "difficulty": 2})
    task = env.unwrapped.task
    buggy = CATALOG.family("code", "numbers").wrong_responses(task)[0]
    observation, reward, terminated, truncated, info = env.step(buggy)
    assert reward == 0.0 and not terminated and not truncated
    failure = info["first_failure"]
    shown = failure["test"] in task.meta["examples"]  # a test of the prompt's examples, or a hidden one
    hidden = "" if shown else "hidden "
    assert observation.startswith(
        f"Your program failed {hidden}test {failure['test'] + 1} of {info['tests']}"
    )
    assert (failure["expected"] in observation) if shown else failure["expected"] is None
    observation, reward, terminated, _, info = env.step(task.reference_response)
    assert reward == 1.0 and terminated and observation == ""


def test_multi_turn_runs_out_of_turns():
    env = gym.make("guru/Code-v0", max_turns=2)
    env.reset(seed=5, options={"family": "strings"})
    _, _, terminated, truncated, _ = env.step("no code here")
    assert not terminated and not truncated
    observation, reward, terminated, truncated, info = env.step("```python\nimport os\nos._exit(0)\n```")
    assert reward == 0.0 and truncated and not terminated


def test_rows_round_trip_through_files(tmp_path):
    from guru_envs.testing import check_rows_roundtrip

    tasks = [CATALOG.family("code", n).sample(s, 1 + s % 5) for n in GENERATORS for s in range(3)]
    check_rows_roundtrip(tasks, tmp_path)
    row = tasks[0].to_record()
    assert row["ability"] == "codegen" and row["data_source"] == "codegen__guru_strings"
    assert Task.from_record(row) == tasks[0]


def test_stdio_rows_are_guru_format():
    import json

    task = CATALOG.family("code", "algorithms", io="stdio").sample(2, 2)
    truth = json.loads(task.to_record()["reward_model"]["ground_truth"])
    assert set(truth) == {"inputs", "outputs"} and all(isinstance(x, str) for x in truth["inputs"])
