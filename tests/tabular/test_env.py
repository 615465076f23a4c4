"""guru/Tabular-v0 and its single-family ids pass Gymnasium's checker and the reasoning-env contract."""

from __future__ import annotations

import gymnasium as gym
import pytest

from guru_envs import Task, catalog
from guru_envs.testing import check_guru_env

FAMILIES = [
    "lookup",
    "filter_count",
    "aggregation",
    "ranking",
    "ratio",
    "multi_table",
    "hierarchical",
    "multi_answer",
]


def test_manifest_loads():
    assert "tabular.toml" not in catalog().errors
    manifest = catalog().domain("tabular")
    assert manifest.id == "guru/Tabular-v0" and manifest.ability == "table"
    assert [f.name for f in catalog().families("tabular", generators_only=True)] == FAMILIES
    assert not catalog().family_spec("tabular", "guru_rows").generator


def test_domain_env():
    check_guru_env("guru/Tabular-v0")
    check_guru_env(
        "guru/Tabular-v0", difficulty=5, family_options={f: {"table_format": "html"} for f in FAMILIES}
    )


@pytest.mark.parametrize("name", FAMILIES)
def test_single_family_env(name):
    check_guru_env(f"guru/Tabular.{name}-v0", seeds=(0, 1, 2), difficulty=(1, 5))


def test_multi_turn_feedback():
    env = gym.make("guru/Tabular-v0", families=["ranking"], max_turns=2)
    env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step("\\boxed{surely not a row}")
    assert reward == 0.0 and not terminated and not truncated and isinstance(obs, str)
    task = env.unwrapped.task
    _, reward, terminated, _, _ = env.step(task.reference_response)
    assert reward == 1.0 and terminated
    env.close()


def test_exported_rows_round_trip_and_route():
    family = catalog().family("tabular", "hierarchical")
    task = family.sample(7, 3)
    record = task.to_record()
    assert record["data_source"] == "table__guru_hierarchical" and record["ability"] == "table"
    assert record["reward_model"]["ground_truth"] == task.answer
    assert Task.from_record(record) == task
    # Without our extra_info the row still scores, by the GURU rules applied to its ground truth.
    bare = {k: v for k, v in record.items() if k != "extra_info"}
    loaded = Task.from_record(bare)
    assert loaded.family == "hierarchical"
    from guru_envs.core.scoring import score

    assert score(loaded, task.reference_response).correct
