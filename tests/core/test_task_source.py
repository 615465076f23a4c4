"""One TaskSource behind the env, the sampler, held-out splits and export: weights, difficulty, options."""

import json
from collections import Counter

import gymnasium as gym
import msgspec
import pytest

import guru_envs
from guru_envs import MixedSampler, Scorer, SourceSpec, Task, TaskSource, make_dataset, score
from guru_envs.cli import main
from guru_envs.core.family import default_presets
from guru_envs.core.rows import from_row, read_rows, to_row
from guru_envs.core.source import EVAL_SEED_BASE, family_levels, parse_difficulty
from guru_envs.evaluation.splits import heldout_tasks
from tests.core.toy_family import SumFamily

# --- difficulty --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "easy", "medium", "hard"),
    [(1, (1, 1), (1, 1), (1, 1)), (2, (1, 1), (1, 2), (2, 2)), (3, (1, 1), (2, 2), (3, 3)),
     (5, (1, 2), (3, 3), (4, 5)), (7, (1, 2), (3, 5), (6, 7)), (10, (1, 3), (4, 7), (8, 10))],
)  # fmt: skip
def test_default_presets_split_the_levels_in_thirds(levels, easy, medium, hard):
    assert default_presets(levels) == {"easy": easy, "medium": medium, "hard": hard}


def test_a_family_may_override_a_preset():
    class Tuned(SumFamily):
        difficulty_presets = {"hard": (3, 3), "expert": (3, 3)}

    assert Tuned.presets() == {"easy": (1, 1), "medium": (2, 2), "hard": (3, 3), "expert": (3, 3)}
    assert family_levels(Tuned(), "expert") == (3, 3)


def test_presets_are_accepted_everywhere_a_difficulty_is(tmp_path):
    hard = {3}  # toy.sum has 3 levels: hard is level 3
    env = gym.make("guru-test/Toy-v0", difficulty="hard")
    assert {(env.reset(seed=s), env.unwrapped.task.difficulty)[1] for s in range(10)} == hard
    sampler = MixedSampler([SourceSpec(env="guru-test/Toy-v0", difficulty="hard")], seed=0)
    assert {t.difficulty for t in sampler.next_batch(10)} == hard
    assert {t.difficulty for t in heldout_tasks("guru-test/Toy-v0", 6, difficulty="hard")} == hard
    assert {t.difficulty for t in make_dataset("guru-test/Toy-v0", 6, difficulty="hard")} == hard
    out = tmp_path / "rows.jsonl"
    assert main(["export", "guru-test/Toy-v0", "--n", "4", "--out", str(out), "--difficulty", "hard"]) == 0
    assert {from_row(r).difficulty for r in read_rows(out)} == hard
    assert parse_difficulty(["easy"]) == "easy" and parse_difficulty(["2", "3"]) == (2, 3)


def test_a_level_a_family_lacks_is_the_same_clear_error_everywhere(tmp_path, capsys):
    want = r"toy.sum has levels 1..3; difficulty 4 is out of range \(presets fit every family"
    with pytest.raises(ValueError, match=want):
        gym.make("guru-test/Toy-v0", difficulty=4)
    with pytest.raises(ValueError, match=want):
        MixedSampler([SourceSpec(env="guru-test/Toy-v0", difficulty=4)])
    with pytest.raises(ValueError, match=want):
        heldout_tasks("guru-test/Toy-v0", 3, difficulty=4)
    with pytest.raises(ValueError, match=want):
        make_dataset("guru-test/Toy-v0", 3, difficulty=4)
    env = gym.make("guru-test/Toy-v0")
    with pytest.raises(ValueError, match=want):
        env.reset(seed=0, options={"difficulty": 4})
    assert (
        main(
            [
                "export",
                "guru-test/Toy-v0",
                "--n",
                "2",
                "--out",
                str(tmp_path / "x.jsonl"),
                "--difficulty",
                "4",
            ]
        )
        == 2
    )
    assert "out of range" in capsys.readouterr().err
    with pytest.raises(ValueError, match="no difficulty preset 'brutal'"):
        gym.make("guru-test/Toy-v0", difficulty="brutal")


# --- draws -------------------------------------------------------------------------------------------


def test_family_weights_count_in_the_sampler_as_in_the_env():
    weights = {"bad_reference": 3.0, "lenient": 1.0}
    sampler = MixedSampler([SourceSpec(env="guru-test/Broken-v0", families=weights)], seed=0, dedup=False)
    drawn = Counter(t.family for t in sampler.next_batch(2000))
    assert 0.70 < drawn["bad_reference"] / 2000 < 0.80 and set(drawn) == set(weights)
    env = gym.make("guru-test/Broken-v0", families=weights)
    served = Counter((env.reset(seed=s), env.unwrapped.task.family)[1] for s in range(2000))
    assert 0.70 < served["bad_reference"] / 2000 < 0.80


def test_make_dataset_is_what_reset_serves_and_exports_rows_with_index_and_split():
    tasks = make_dataset("guru-test/Toy-v0", 5, seed=10)
    env = gym.make("guru-test/Toy-v0")
    assert [t.id for t in tasks] == [(env.reset(seed=10 + i), env.unwrapped.task.id)[1] for i in range(5)]
    test = make_dataset("guru-test/Toy-v0", 5, split="test")
    assert all(int(t.id.rsplit("/s", 1)[1]) >= EVAL_SEED_BASE for t in test)
    ds = make_dataset("guru-test/Toy-v0", 5, seed=10, as_dataset=True)
    assert [row["extra_info"]["index"] for row in ds] == list(range(5))
    assert {row["extra_info"]["split"] for row in ds} == {"train"}
    assert [from_row(row) for row in ds] == tasks
    with pytest.raises(ValueError, match="size must be a positive int"):
        make_dataset("guru-test/Toy-v0", 0)


def test_export_rows_have_unique_indexes_across_domain_files(tmp_path):
    out = tmp_path / "mix.jsonl"
    args = [
        "export",
        "guru-test/Toy-v0",
        "--n",
        "6",
        "--out",
        str(out),
        "--split",
        "test",
        "--split-by-domain",
    ]
    assert main(args) == 0
    rows = read_rows(tmp_path / "mix.toy.jsonl")
    assert [r["extra_info"]["index"] for r in rows] == list(range(6))
    assert {r["extra_info"]["split"] for r in rows} == {"test"}
    assert [from_row(r) for r in rows] == heldout_tasks("guru-test/Toy-v0", 6)


def test_heldout_tasks_are_one_sequence_per_family_and_level():
    """A domain split and a single-family split take the same tasks of a (family, level)."""
    domain = heldout_tasks("guru-test/Broken-v0", 8, difficulty=1, families=["bad_reference", "lenient"])
    alone = heldout_tasks("guru-test/Broken.bad_reference-v0", 4, difficulty=1)
    assert [t.id for t in domain if t.family == "bad_reference"] == [t.id for t in alone]
    assert heldout_tasks("guru-test/Toy-v0", 3, offset=3) == heldout_tasks("guru-test/Toy-v0", 6)[3:]


# --- options ------------------------------------------------------------------------------------------

OFF_BY_ONE = "So \\boxed{{{}}}."


def test_options_are_stamped_on_every_task_and_change_the_verdict():
    plain = TaskSource.from_id("guru-test/Toy-v0").task_at(3)
    lenient = TaskSource.from_id("guru-test/Toy-v0", options={"sum": {"partial_credit": True}}).task_at(3)
    assert plain.prompt == lenient.prompt and lenient.options == {"partial_credit": True}
    response = OFF_BY_ONE.format(plain.answer + 1)
    assert score(plain, response).reward == 0.0
    assert score(lenient, response).reward == 0.5  # read from the task alone: no family passed
    assert score(from_row(to_row(lenient)), response).reward == 0.5  # and from its exported row


def test_options_are_keyed_by_domain_and_family():
    """``sum`` exists in two domains; a qualified key reaches one, a bare name reaches both."""
    tasks = [catalog_task("toy"), catalog_task("toyb")]
    only_b = TaskSource(None, dataset=tasks, options={"toyb.sum": {"partial_credit": True}}).tasks
    assert [t.options for t in only_b] == [{}, {"partial_credit": True}]
    both = TaskSource(None, dataset=tasks, options={"sum": {"partial_credit": True}}).tasks
    assert [t.options for t in both] == [{"partial_credit": True}] * 2
    env = gym.make("guru-test/ToyB-v0", family_options={"toyb.sum": {"partial_credit": True}})
    env.reset(seed=0)
    assert env.unwrapped.task.options == {"partial_credit": True}
    with pytest.raises(ValueError, match="does not serve"):
        gym.make("guru-test/ToyB-v0", family_options={"toy.sum": {"partial_credit": True}})


def catalog_task(domain):
    return guru_envs.catalog().family(domain, "sum").sample(1, 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sum": {"bogus": 1}}, "bad options"),
        ({"sum": {"partial_credit": object()}}, "plain JSON"),
        ({"nope": {}}, "does not serve"),
    ],
)
def test_bad_options_fail_when_the_source_is_built(options, message):
    with pytest.raises(ValueError, match=message):
        TaskSource.from_id("guru-test/Toy-v0", options=options)


def test_dataset_rows_get_the_source_options_too(tmp_path):
    task = catalog_task("toy")
    path = guru_envs.write_rows([to_row(task)], tmp_path / "rows.jsonl")
    env = gym.make("guru-test/Toy-v0", dataset=str(path), family_options={"sum": {"partial_credit": True}})
    env.reset(seed=0)
    assert env.unwrapped.task.options == {"partial_credit": True}
    _, reward, *_ = env.step(OFF_BY_ONE.format(task.answer + 1))
    assert reward == 0.5


def test_scorer_and_score_batch_read_only_the_task():
    lenient = TaskSource.from_id("guru-test/Toy-v0", options={"sum": {"partial_credit": True}})
    tasks = lenient.tasks_at(range(6))
    responses = [OFF_BY_ONE.format(t.answer + 1) for t in tasks]
    with Scorer(workers=2, timeout=20) as scorer:
        assert [s.reward for s in scorer.score_batch(tasks, responses)] == [0.5] * 6
    plain = [msgspec.structs.replace(t, options={}) for t in tasks]
    assert [s.reward for s in guru_envs.score_batch(plain, responses, workers=1)] == [0.0] * 6
    stamped = guru_envs.score_batch(
        plain, responses, workers=1, family_options={"toy.sum": {"partial_credit": True}}
    )
    assert [s.reward for s in stamped] == [0.5] * 6


def test_a_task_is_a_plain_value_that_exports_without_its_plugin():
    """A task of a family this install does not know still becomes a row and comes back identical."""
    ghost = Task(
        id="g/1", domain="ghost", family="spooky", prompt="Boo?", answer=[1, 2], options={"k": 1}, version=3
    )
    row = to_row(ghost, index=0, split="train")
    assert row["data_source"] == "guru__ghost__spooky" and row["ability"] == "ghost"
    assert json.loads(row["extra_info"]["guru"])["options"] == {"k": 1}
    assert from_row(row) == ghost


def test_a_single_family_id_refuses_other_families_rather_than_serving_them_under_its_name():
    with pytest.raises(ValueError, match="serves one family"):
        gym.make("guru/Math.arithmetic-v0", families=["linear_equation"])
    with pytest.raises(ValueError, match="serves one family"):
        SourceSpec(env="guru/Math.arithmetic-v0", families=["linear_equation"]).task_source()
    env = gym.make("guru/Math.arithmetic-v0", difficulty=2)
    _, info = env.reset(seed=0)
    assert (info["family"], info["difficulty"]) == ("arithmetic", 2)
    assert env.spec.id == "guru/Math.arithmetic-v0"


def test_a_dataset_env_refuses_families_and_difficulty_it_would_not_apply():
    task = make_dataset("guru/Math.arithmetic-v0", 1, seed=0)[0]
    for extra in ({"families": ["linear_equation"]}, {"difficulty": 3}):
        with pytest.raises(ValueError, match="a dataset serves its own rows"):
            gym.make("guru/Math-v0", dataset=[task], **extra)
        with pytest.raises(ValueError, match="a dataset serves its own rows"):
            SourceSpec(env="guru/Math-v0", dataset=["rows.jsonl"], **extra).task_source()
    # a single-family id with a dataset serves the rows as before
    env = gym.make("guru/Math.arithmetic-v0", dataset=[task])
    assert env.reset(seed=0)[0] == task.prompt
