"""Responses that are str subclasses with lying methods, and arguments that cannot reach a worker."""

from __future__ import annotations

import time

import gymnasium as gym
import pytest

import guru_envs
from guru_envs import catalog, score_batch
from guru_envs.guard import GuardedPool


class LyingFind(str):
    def find(self, *args):  # a reader that trusts find() to move forward would loop forever
        return 0


class RaisingLen(str):
    def __len__(self):
        raise RuntimeError("len boom")


class ShortLen(str):
    def __len__(self):  # past the size cap while claiming 5 characters
        return 5


class Unpicklable(str):
    def __reduce__(self):
        raise TypeError("no pickling")


@pytest.mark.parametrize(
    ("env_id", "make_action", "why"),
    [
        ("guru/Code-v0", lambda: LyingFind("junk"), "no ```python"),
        ("guru/Simulation-v1", lambda: LyingFind("junk"), "no answer"),
        ("guru/Math-v0", lambda: RaisingLen("x"), "no \\boxed"),
        ("guru/Math-v0", lambda: ShortLen("a" * (2 << 20) + " \\boxed{1}"), "over the 1,000,000 limit"),
    ],
    ids=["code-lying-find", "simulation-lying-find", "math-raising-len", "math-short-len"],
)
def test_a_str_subclass_is_scored_as_the_text_it_holds(env_id, make_action, why):
    action = make_action()
    env = gym.make(env_id)
    env.reset(seed=5)
    started = time.monotonic()
    _, reward, terminated, _, info = env.step(action)
    assert reward == 0.0 and terminated and why in info["reason"], info["reason"]
    assert time.monotonic() - started < 5


def test_a_str_subclass_holding_the_reference_is_paid():
    task = catalog().family("math", "arithmetic").sample(1, 1)
    assert guru_envs.score(task, LyingFind(task.reference_response)).reward == 1.0


def test_arguments_that_cannot_reach_a_worker_score_zero_in_a_batch():
    task = catalog().family("math", "arithmetic").sample(1, 1)
    scores = score_batch([task, task], [Unpicklable("x"), task.reference_response], workers=2)
    assert [s.reward for s in scores] == [0.0, 1.0]


def test_a_pool_whose_every_call_fails_to_send_answers_each_with_its_error():
    with GuardedPool(2) as pool:
        results = pool.map(lambda: 1, [((), {}), ((), {})], timeout=5)  # a lambda does not pickle
    assert all("could not be sent" in str(r) for r in results)
