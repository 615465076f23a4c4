"""The env contract, GURU/verl rows, routing, and batched scoring, on the test-only toy domain."""

import gymnasium as gym
import pytest

import guru_envs
from guru_envs import Task, read_rows, score, score_batch, write_rows
from guru_envs.core.registry import Catalog, parse_manifest
from guru_envs.testing import check_rows_roundtrip
from tests.core.toy_family import MANIFEST


def test_reset_is_seeded_and_options_pass_through():
    env = gym.make("guru-test/Toy-v0", difficulty=3)
    a, info = env.reset(seed=11)
    b, _ = env.reset(seed=11)
    c, _ = env.reset(seed=12)
    assert a == b != c
    assert info["difficulty"] == 3 and info["family"] == "sum"
    _, _, _, _, info = env.step("\\boxed{0}")
    assert info["correct"] is False and info["extracted"] == "0" and info["reason"]


def test_step_before_reset_and_after_end_is_a_clear_error():
    env = gym.make("guru-test/Toy-v0").unwrapped
    with pytest.raises(gym.error.ResetNeeded):
        env.step("x")
    env.reset(seed=0)
    env.step(env.task.reference_response)
    with pytest.raises(gym.error.ResetNeeded):
        env.step("x")


def test_multi_turn_feedback_then_truncation():
    env = gym.make("guru-test/Toy-v0", max_turns=2)
    env.reset(seed=0)
    obs, reward, terminated, truncated, _ = env.step("\\boxed{-5}")
    assert (reward, terminated, truncated) == (0.0, False, False) and "-5 is wrong" in obs
    obs, reward, terminated, truncated, _ = env.step("\\boxed{-6}")
    assert (terminated, truncated, obs) == (False, True, "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"families": ["nope"]}, "no generator families"),
        ({"difficulty": 0}, "difficulty"),
        ({"difficulty": 9}, "out of range"),
        ({"max_turns": 0}, "max_turns"),
        ({"families": {"sum": -1.0}}, "weights"),
    ],
)
def test_bad_options_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gym.make("guru-test/Toy-v0", **kwargs)


def test_unknown_domain_and_family_errors_name_the_choices():
    with pytest.raises(KeyError, match="known"):
        guru_envs.catalog().domain("chemistry-lab")
    with pytest.raises(KeyError, match="toy has"):
        guru_envs.catalog().family_spec("toy", "product")


def _toy_tasks(n=6):
    family = guru_envs.catalog().family("toy", "sum")
    return [family.sample(seed, 1 + seed % 3) for seed in range(n)]


def test_rows_roundtrip_through_files(tmp_path):
    check_rows_roundtrip(_toy_tasks(), tmp_path)


def test_dataset_env_routes_foreign_rows_by_longest_prefix(tmp_path):
    rows = [t.to_record() for t in _toy_tasks(3)]
    rows.append(
        {  # a GURU-style row without our extra_info: routed by data_source prefix "toy" -> toy.rows
            "data_source": "toy_hand_written",
            "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],
            "ability": "toy",
            "reward_model": {"style": "rule", "ground_truth": "4"},
            "extra_info": {"index": 7},
        }
    )
    path = write_rows(rows, tmp_path / "mixed.parquet")
    env = gym.make("guru-test/Toy-v0", dataset=str(path))
    env.reset(options={"index": 3})
    task = env.unwrapped.task
    assert (task.family, task.answer, task.messages()[0]["content"]) == ("rows", 4, "Be brief.")
    _, reward, *_ = env.step("\\boxed{4}")
    assert reward == 1.0
    assert guru_envs.catalog().route("toy__sum_more").name == "sum"  # longer prefix beats "toy"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"data_source": "nobody__knows", "prompt": "x", "reward_model": {"ground_truth": "1"}},
            "no verifier claims",
        ),
        ({"prompt": "x"}, "no data_source"),
        ({"data_source": "toy", "prompt": [], "reward_model": {"ground_truth": "1"}}, "no prompt"),
        ({"data_source": "toy", "prompt": "x"}, "ground_truth"),
        ("not a dict", "must be a dict"),
    ],
)
def test_bad_rows_are_rejected_clearly(row, message):
    with pytest.raises(ValueError, match=message):
        Task.from_record(row)


def test_bad_dataset_files(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"data_source": "toy"}\nnot json\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        read_rows(bad)
    with pytest.raises(ValueError, match="must end in"):
        read_rows(tmp_path / "rows.csv")
    with pytest.raises(FileNotFoundError):
        read_rows(tmp_path / "missing.parquet")


def test_manifest_validation_and_clashes():
    with pytest.raises(ValueError, match="invalid manifest"):
        parse_manifest("id = 'x'")
    with pytest.raises(ValueError, match="namespace/Name-v0"):
        parse_manifest(MANIFEST.replace("guru-test/Toy-v0", "Toy"))
    with pytest.raises(ValueError, match="clashes"):
        guru_envs.catalog().add(parse_manifest(MANIFEST))
    fresh = Catalog()
    clash = parse_manifest(
        MANIFEST.replace("guru-test/Toy-v0", "guru-test/Toy2-v0").replace('domain = "toy"', 'domain = "toy2"')
    )
    with pytest.raises(ValueError, match="already claimed"):
        fresh._routes["toy__sum"] = ("toy", "sum")
        fresh.add(clash)


def test_score_rejects_bad_responses_with_reasons():
    task = _toy_tasks(1)[0]
    assert "must be a str" in score(task, None).reason
    assert "limit" in score(task, "1" * 2_000_000).reason
    assert "empty" in score(task, "  ").reason
    assert score(task, task.reference_response).reward == 1.0


def test_score_batch_keeps_order_and_isolates_a_hanging_verifier():
    tasks = _toy_tasks(8)
    responses = [t.reference_response if i % 2 else "\\boxed{-1}" for i, t in enumerate(tasks)]
    got = score_batch(tasks, responses, workers=2)
    assert [s.reward for s in got] == [0.0, 1.0] * 4
    hanging = guru_envs.catalog().family("broken", "hangs").sample(0, 1)
    batch = [hanging, tasks[1], hanging]
    out = score_batch(
        batch, ["x" * 200_000, tasks[1].reference_response, "\\boxed{1}"], workers=2, timeout=1.0
    )
    assert out[0].details["error"] == "timeout" and out[1].reward == 1.0 and out[2].reason
    with pytest.raises(ValueError, match="responses"):
        score_batch(tasks, [])


def test_score_batch_passes_family_options():
    tasks = _toy_tasks(4)
    wrong = ["\\boxed{-1}"] * 4
    assert [s.reward for s in score_batch(tasks, wrong, workers=2)] == [0.0] * 4
    # the broken "lenient" family accepts anything; options select a configured instance per family
    lenient = [guru_envs.catalog().family("broken", "lenient").sample(i, 1) for i in range(3)]
    assert [s.reward for s in score_batch(lenient, wrong[:3], workers=2, family_options={"lenient": {}})] == [
        1.0
    ] * 3
    for workers in (1, 2):
        with pytest.raises(TypeError, match="bogus"):
            score_batch(tasks, wrong, workers=workers, family_options={"sum": {"bogus": 1}})


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"dificulty": 1}, ValueError, "unknown reset option"),  # a typo must not serve the default
        ([1], TypeError, "must be a dict"),
        ({"task": "not a Task"}, TypeError, "must be a Task"),
        ({"index": 0}, ValueError, "dataset row"),  # a generator env has no rows
    ],
)
def test_reset_options_that_would_be_ignored_are_refused(options, error, message):
    env = gym.make("guru/Math-v0")
    with pytest.raises(error, match=message):
        env.reset(seed=0, options=options)


@pytest.mark.parametrize("index", [-1, True, 99, "0"])
def test_a_dataset_row_number_out_of_range_is_refused(tmp_path, index):
    path = write_rows([t.to_record() for t in _toy_tasks(3)], tmp_path / "rows.jsonl")
    env = gym.make("guru-test/Toy-v0", dataset=str(path))
    with pytest.raises(ValueError, match="row number"):
        env.reset(options={"index": index})
    env.reset(options={"index": 2})
