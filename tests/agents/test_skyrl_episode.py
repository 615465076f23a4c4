"""The SkyRL env's logic without SkyRL (its own tests need Python 3.12: ``pytest -m skyrl``)."""

import pytest

from agents.skyrl.episode import GuruEpisode, env_class_for
from guru_envs import catalog
from guru_envs.core.rows import to_row, to_skyrl_row


def extras_of(row, **more):
    return {**{k: v for k, v in row.items() if k not in ("prompt", "env_class")}, **more}


def test_an_exported_row_is_one_episode_scored_by_its_task():
    task = catalog().family("toy", "sum").sample(4, 2)
    row = to_skyrl_row(task, index=3, split="train")
    assert row["env_class"] == env_class_for("toy") == "guru_toy"
    episode = GuruEpisode(extras_of(row))
    assert episode.task == task
    out = episode.step(task.reference_response)
    assert (out.reward, out.done, out.observations) == (1.0, True, [])
    assert episode.metrics() == {"reward": 1.0, "correct": 1.0, "format_fail": 0.0, "turns": 1.0}


def test_multi_turn_feedback_then_the_end():
    task = catalog().family("toy", "sum").sample(4, 2)
    episode = GuruEpisode(extras_of(to_skyrl_row(task), max_turns=2))
    first = episode.step("\\boxed{-5}")
    assert (
        not first.done
        and first.observations[0]["role"] == "user"
        and "-5" in first.observations[0]["content"]
    )
    assert episode.step("\\boxed{-6}").done


def test_a_guru_row_without_our_task_is_routed_by_data_source():
    task = catalog().family("toy", "sum").sample(4, 2)
    verl = to_row(task)
    extras = {"data_source": "toy__rows", "reward_spec": verl["reward_model"], "raw_prompt": verl["prompt"]}
    episode = GuruEpisode(extras)
    assert episode.task.family == "rows" and episode.step(task.reference_response).reward == 1.0
    with pytest.raises(ValueError, match="data_source"):
        GuruEpisode({})
