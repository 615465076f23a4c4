"""verifiers adapter: a guru id loaded as a real verifiers.v1 environment, scored through its Task API."""

import asyncio
import importlib

import pytest

from guru_envs import score
from guru_envs.integrations.tasks import draw_tasks

pytest.importorskip("verifiers")  # the package root is light; verifiers.v1 takes ~15 s to import,
# so it is imported by the first test that runs here, not at collection in every test worker


def verifiers_v1():
    return importlib.import_module("verifiers.v1")


def adapter():
    return importlib.import_module("guru_envs.integrations.verifiers")


def load_environment(*args, **kwargs):
    return adapter().load_environment(*args, **kwargs)


def trace_for(task, reply):
    """A verifiers Trace whose one sampled assistant turn is ``reply`` (what a rollout records)."""
    vf = verifiers_v1()
    nodes = [
        vf.MessageNode(message=vf.UserMessage(content=task.data.prompt)),
        vf.MessageNode(parent=0, message=vf.AssistantMessage(content=reply), sampled=True),
    ]
    agent = vf.AgentInfo(config=vf.AgentConfig())
    return vf.Trace(task=vf.TraceTask(type=type(task).__name__, data=task.data), agent=agent, nodes=nodes)


def rewards(task, reply):
    trace = trace_for(task, reply)
    asyncio.run(task.score(trace))
    return {k: v.score for k, v in trace.rewards.items()}, trace


@pytest.fixture(scope="module")
def logic_env():
    return load_environment("guru/Logic-v0", size=6, seed=3, difficulty=1)


def test_load_environment_builds_a_real_verifiers_env(logic_env):
    assert isinstance(logic_env, verifiers_v1().SingleAgentEnv)
    assert isinstance(logic_env.taskset, adapter().GuruTaskset)
    assert logic_env.config.taskset.id == adapter().TASKSET_ID
    assert logic_env.config.agent.harness.id == "null"  # one chat reply, no tools
    tasks = list(logic_env.taskset)
    assert [t.data.idx for t in tasks] == list(range(6))
    assert all(isinstance(t, adapter().GuruTask) for t in tasks)
    expected = draw_tasks("guru/Logic-v0", 6, seed=3, difficulty=1)
    assert [t.data.prompt for t in tasks] == [e.prompt for e in expected]
    assert [t.key for t in tasks] == [e.id for e in expected]


def test_reward_is_the_guru_verdict(logic_env):
    for task in logic_env.taskset.take(4):
        guru = task.guru()
        got, trace = rewards(task, guru.reference_response)
        assert got == {"correct": 1.0}
        assert trace.metrics["format_ok"] == 1.0
        wrong = "<answer>nobody</answer>"
        got, trace = rewards(task, wrong)
        assert got["correct"] == score(guru, wrong).reward == 0.0
        assert trace.info["guru_reason"] == score(guru, wrong).reason


def test_validate_checks_the_reference(logic_env):
    assert all(asyncio.run(t.validate()) for t in logic_env.taskset.take(3))


def test_views_and_endless_stream():
    env = load_environment("guru/Math.arithmetic-v0", size=None, seed=0, difficulty=1)
    assert not env.taskset.bounded
    first = [t.data.prompt for t in env.taskset.take(5)]
    assert first == [t.prompt for t in draw_tasks("guru/Math.arithmetic-v0", 5, seed=0, difficulty=1)]
    shuffled = [t.data.prompt for t in env.taskset.take(5).shuffle(seed=1)]
    assert sorted(shuffled) == sorted(first)


def test_config_round_trips_through_verifiers_resolution():
    """verifiers re-validates a dumped config by taskset id (as its env server does)."""
    env = load_environment("guru/Tabular-v0", size=3, seed=1, difficulty=(1, 2), families=["lookup", "ratio"])
    dumped = env.config.model_dump()
    vf = verifiers_v1()
    again = vf.load_environment(vf.resolve_env_config(dumped))
    assert [t.data.guru_task for t in again.taskset] == [t.data.guru_task for t in env.taskset]
    assert {t.guru().family for t in again.taskset} <= {"lookup", "ratio"}


def test_hostile_replies_score_zero():
    env = load_environment("guru/Math-v0", size=2, seed=0)
    task = next(iter(env.taskset))
    for reply in ("", "x" * 2_000_000, "\\boxed{" * 50_000):
        got, _ = rewards(task, reply)
        assert got == {"correct": 0.0}


def test_code_tasks_score_through_the_sandbox():
    env = load_environment("guru/Code-v0", size=2, seed=0, difficulty=1)
    for task in env.taskset:
        assert rewards(task, task.guru().reference_response)[0] == {"correct": 1.0}
        assert rewards(task, "```python\nprint('no')\n```")[0] == {"correct": 0.0}


def test_options_and_presets_reach_the_reward():
    from guru_envs.core.registry import catalog

    exact = load_environment(
        "guru/Logic.zebra-v0", size=2, seed=0, difficulty="easy", options={"zebra": {"exact_match": True}}
    )
    loose = load_environment("guru/Logic.zebra-v0", size=2, seed=0, difficulty="easy")
    family = catalog().family("logic", "zebra")
    for strict, lenient in zip(exact.taskset, loose.taskset):
        assert strict.guru().options == {"exact_match": True}
        off = family.wrong_responses(strict.guru())[0]
        assert rewards(strict, off)[0] == {"correct": 0.0}
        assert 0 < rewards(lenient, off)[0]["correct"] < 1
