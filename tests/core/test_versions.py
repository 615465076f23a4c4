"""Per-family versions: two versions side by side, ids derived from them, a retired id that explains itself."""

import gymnasium as gym
import pytest

import guru_envs
from guru_envs import Task, TaskSource, catalog, score
from guru_envs.core.registry import RetiredFamily, parse_manifest
from guru_envs.core.rows import from_row, to_row
from tests.core.toy_family import MANIFEST


def test_two_versions_are_makeable_side_by_side_and_tasks_carry_theirs():
    old, new = gym.make("guru-test/Versioned.arith-v0"), gym.make("guru-test/Versioned.arith-v1")
    old.reset(seed=5)
    new.reset(seed=5)
    v0, v1 = old.unwrapped.task, new.unwrapped.task
    assert (v0.version, v1.version) == (0, 1)
    assert v0.id.startswith("versioned.arith-v0/") and v1.id.startswith("versioned.arith-v1/")
    assert "+" in v0.prompt and "*" in v1.prompt  # a version change is a different task for the same seed
    # each task is scored by its own version, whichever is current
    assert score(v0, v0.reference_response).reward == 1.0
    assert score(v1, v1.reference_response).reward == 1.0
    assert score(v0, v1.reference_response).reward == 0.0
    assert from_row(to_row(v0)) == v0  # the version travels with the row


def test_the_domain_mix_and_bare_names_use_the_current_version():
    source = TaskSource.from_id("guru-test/Versioned-v0")
    assert [(f.name, f.version) for f in source.families] == [("arith", 1), ("old", 1)]
    assert [
        f.version for f in TaskSource.from_id("guru-test/Versioned-v0", families=["arith-v0"]).families
    ] == [0]
    assert catalog().family("versioned", "arith").version == 1
    assert catalog().family("versioned", "arith", version=0).version == 0
    assert catalog().envs["guru-test/Versioned-v0"].family_ids() == {
        "arith": "guru-test/Versioned.arith-v1",
        "old": "guru-test/Versioned.old-v1",
    }


def test_a_retired_version_raises_a_deprecation_error_everywhere():
    with pytest.raises(gym.error.DeprecatedEnv, match="retired: v0 double-counted carries"):
        gym.make("guru-test/Versioned.old-v0")
    with pytest.raises(RetiredFamily, match="use guru-test/Versioned.old-v1"):
        TaskSource.from_id("guru-test/Versioned.old-v0")
    with pytest.raises(RetiredFamily, match=r"v0 is retired.*current: v1"):
        catalog().family("versioned", "old", version=0)
    task = Task(id="x", domain="versioned", family="old", prompt="What is 1 + 1?", answer=2, version=0)
    with pytest.raises(RetiredFamily):
        guru_envs.score_batch([task], ["\\boxed{2}"], workers=1)
    gym.make("guru-test/Versioned.old-v1").reset(seed=0)  # the current one is unaffected


def test_versions_are_validated_in_manifests():
    with pytest.raises(ValueError, match="each name and version once"):
        parse_manifest(MANIFEST + '\n[[families]]\nname = "sum"\nentry_point = "m:C"\n')
    with pytest.raises(ValueError, match="every version of family 'sum' is retired"):
        parse_manifest(MANIFEST.replace('name = "sum"', 'name = "sum"\nretired = "gone"'))
    with pytest.raises(ValueError, match="must be an identifier"):
        parse_manifest(MANIFEST.replace('name = "sum"', 'name = "sum-v2"'))
    with pytest.raises(KeyError, match="has no version 7"):
        catalog().family_spec("versioned", "arith", 7)


def test_adding_a_family_renames_no_other_id():
    """Single-family ids come from each family's own version, not from the domain's."""
    base = parse_manifest(MANIFEST.replace("guru-test/Toy-v0", "guru-test/Grow-v0").replace("toy", "grow"))
    grown = parse_manifest(
        MANIFEST.replace("guru-test/Toy-v0", "guru-test/Grow-v1").replace("toy", "grow")
        + '\n[[families]]\nname = "extra"\nversion = 0\nentry_point = "tests.core.toy_family:SumFamily"\n'
    )
    assert base.family_ids()["sum"] == "guru-test/Grow.sum-v0"
    assert grown.family_ids()["sum"] == "guru-test/Grow.sum-v0"  # the domain mix moved to v1, sum did not


def test_generated_task_ids_name_family_version_level_and_seed():
    task = catalog().family("toy", "sum").sample(17, 2)
    assert task.id == "toy.sum-v0/d2/s17"
