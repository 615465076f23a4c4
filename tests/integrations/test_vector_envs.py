"""Gymnasium vector envs: SAME_STEP autoreset pays every action; the default mode drops every other one."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import guru_envs  # noqa: F401 - registers the ids

N = 3


def make(mode, vectorization="sync", **kwargs):
    return gym.make_vec(
        "guru/Math.arithmetic-v0",
        num_envs=N,
        vectorization_mode=vectorization,
        vector_kwargs={"autoreset_mode": mode, **kwargs},
        difficulty=1,
    )


@pytest.mark.parametrize(
    "vectorization, extra", [("sync", {}), ("async", {}), ("async", {"shared_memory": False})]
)
def test_same_step_autoreset_pays_every_action(vectorization, extra):
    envs = make(AutoresetMode.SAME_STEP, vectorization, **extra)
    try:
        prompts, _ = envs.reset(seed=0)
        for _ in range(4):
            tasks = envs.get_attr("task")
            assert [t.prompt for t in tasks] == list(prompts)
            prompts, rewards, terminated, truncated, info = envs.step(
                tuple(t.reference_response for t in tasks)
            )
            assert rewards.tolist() == [1.0] * N and terminated.all() and not truncated.any()
            final = info["final_info"]  # the vector form: {key: one value per env}
            assert info["_final_info"].all() and final["correct"].all()
            assert list(final["task_id"]) == [t.id for t in tasks]
            assert all(p and p not in [t.prompt for t in tasks] for p in prompts)  # already the next task
    finally:
        envs.close()


def test_same_step_wrong_answers_score_zero_with_the_reason():
    envs = make(AutoresetMode.SAME_STEP)
    try:
        envs.reset(seed=1)
        _, rewards, _, _, info = envs.step(("\\boxed{-1.5}", "no answer", ""))
        assert rewards.tolist() == [0.0] * N
        reasons = list(info["final_info"]["reason"])
        assert all(reasons) and "empty" in reasons[2]
    finally:
        envs.close()


def test_default_next_step_autoreset_ignores_every_other_action():
    """What the docs warn about: after a terminal step, the next step only resets, pays 0 and never
    looks at the action, even a right one."""
    envs = make(AutoresetMode.NEXT_STEP)
    try:
        envs.reset(seed=0)
        paid = []
        for _ in range(4):
            tasks = envs.get_attr("task")
            _, rewards, terminated, _, info = envs.step(tuple(t.reference_response for t in tasks))
            paid.append(rewards.tolist())
            if not terminated.any():
                assert "correct" not in info  # the reset step: no verdict at all
        assert paid == [[1.0] * N, [0.0] * N, [1.0] * N, [0.0] * N]
        assert np.mean(paid) == 0.5
    finally:
        envs.close()


def test_async_shared_memory_carries_any_unicode_prompt_as_the_sync_env_serves_it():
    """Gymnasium keeps a Text in shared memory as charset indexes read once: prompts arrived blank."""
    from gymnasium.vector.utils.shared_memory import (
        create_shared_memory,
        read_from_shared_memory,
        write_to_shared_memory,
    )

    space = gym.make("guru/Math-v0").observation_space
    memory = create_shared_memory(space, n=2)
    view = read_from_shared_memory(space, memory, n=2)
    for text in ("Löse $x^2 = 4$ — ∫ 𝔼[X]\n", "\ud800 lone surrogate", ""):
        write_to_shared_memory(space, 1, text, memory)
        assert view[1] == text and view[0] == ""  # a live view: written after it was made
    sync, batched = make(AutoresetMode.SAME_STEP), make(AutoresetMode.SAME_STEP, "async")
    try:
        expected, got = sync.reset(seed=3)[0], batched.reset(seed=3)[0]
        assert isinstance(got, tuple) and got == expected and all(got)
        responses = tuple(t.reference_response for t in batched.get_attr("task"))
        assert batched.step(responses)[0] == sync.step(responses)[0]
    finally:
        sync.close()
        batched.close()
