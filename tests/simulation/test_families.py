"""Every Simulation generator family over many seeds: the contract kit, zero for every wrong response, determinism."""

import json
import os
import subprocess
import sys

import pytest

import guru_envs
from guru_envs.testing import check_family, check_guru_env

GENERATORS = [
    "program_output",
    "program_input",
    "cellular_automaton",
    "bank_queue",
    "robot_grid",
    "register_machine",
    "stack_machine",
]
DEFAULT_SEEDS = {"program_input": 40, "program_output": 60}  # per level; the others get 80 (400 tasks)
CATALOG = guru_envs.catalog()


def test_manifest_loads_and_routes():
    assert CATALOG.errors == {}
    names = [f.name for f in CATALOG.families("simulation")]
    assert set(GENERATORS) <= set(names)
    assert CATALOG.route("simulation__codeio_fixed_12.1k").name == "codeio"
    assert CATALOG.route("simulation__cruxeval-o").name == "cruxeval"
    assert CATALOG.route("simulation__cruxeval-i_800").name == "cruxeval"
    assert CATALOG.route("simulation__guru_robot_grid").name == "robot_grid"


@pytest.mark.parametrize("name", GENERATORS)
def test_contract(name):
    counts = check_family("simulation", name, seeds=range(DEFAULT_SEEDS.get(name, 80)))
    assert counts["tasks"] >= 200 and counts["hostile"] >= 10


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATORS)
def test_contract_thousands_of_seeds(name):
    counts = check_family("simulation", name, seeds=range(1000))
    assert counts["tasks"] == 5000


@pytest.mark.parametrize("name", GENERATORS)
def test_wrong_responses_score_exactly_zero(name):
    family = CATALOG.family("simulation", name)
    for level in range(1, family.levels + 1):
        for seed in range(12):
            task = family.sample(seed, level)
            ref = family.score(task, task.reference_response)
            assert ref.reward == 1.0 and ref.correct, (task.id, ref.reason)
            for wrong in family.wrong_responses(task):
                verdict = family.score(task, wrong)
                assert verdict.reward == 0.0 and not verdict.correct, (task.id, wrong[-200:])


@pytest.mark.parametrize("name", GENERATORS)
def test_answer_in_boxed_form_also_scores(name):
    family = CATALOG.family("simulation", name)
    for level in (1, family.levels):
        task = family.sample(3, level)
        answer = task.answer["input"] if name == "program_input" else task.answer
        boxed = f"My final answer is \\boxed{{{json.dumps(answer)}}}"
        assert family.score(task, boxed).reward == 1.0, task.id
        both = f"```json\n{json.dumps(answer)}\n```\nso \\boxed{{{json.dumps(answer)}}}"
        assert family.score(task, both).reward == 1.0, task.id


@pytest.mark.parametrize("name", GENERATORS)
def test_a_perturbed_reference_scores_zero(name):
    """The reference response with its final JSON changed by one character no longer scores."""
    family = CATALOG.family("simulation", name)
    for seed in range(20):
        task = family.sample(seed, 1 + seed % family.levels)
        block = task.reference_response.rsplit("```json\n", 1)[1].split("\n```", 1)[0]
        value = json.loads(block)
        if name == "program_input":
            key = next(iter(value))
            value[key] = {"int": 10_001, "ilist": [10_001], "str": "\n", "slist": [1], "dict": []}[
                task.meta["params"][0]["type"]
            ]
        else:
            from guru_envs.simulation.answers import perturb

            value = perturb(value)
        perturbed = task.reference_response.replace(block, json.dumps(value))
        assert family.score(task, perturbed).reward == 0.0, task.id


def test_env_contract():
    check_guru_env("guru/Simulation-v1")
    for env_id in CATALOG.envs["guru/Simulation-v1"].family_ids().values():
        check_guru_env(env_id, seeds=(0, 1, 2))


_DUMP = """
import json, sys
import guru_envs
out = []
for name in sys.argv[1:]:
    fam = guru_envs.catalog().family("simulation", name)
    for level in range(1, fam.levels + 1):
        for seed in range(6):
            t = fam.sample(seed, level)
            out.append([t.id, t.prompt, json.dumps(t.answer, sort_keys=True)])
print(json.dumps(out))
"""


def test_tasks_do_not_depend_on_the_hash_seed():
    """Two interpreters with different PYTHONHASHSEED produce the same tasks (no set-order dependence)."""
    runs = []
    for hash_seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", _DUMP, *GENERATORS], capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
