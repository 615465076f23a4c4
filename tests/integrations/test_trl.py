"""TRL adapter: the reward function called exactly as GRPOTrainer calls it, and one real GRPO step."""

import pytest

from guru_envs import Task, score, write_rows
from guru_envs.integrations.common import completion_text
from guru_envs.integrations.tasks import draw_tasks
from guru_envs.integrations.trl import GuruReward, make_trl_dataset, trl_rows

datasets = pytest.importorskip("datasets")


def call_like_trl(reward, dataset_rows, completions, num_generations):
    """What GRPOTrainer._calculate_rewards does: repeat each row per generation, pass every column but
    the prompt as a list keyword, plus the trainer hooks."""
    inputs = [row for row in dataset_rows for _ in range(num_generations)]
    assert len(inputs) == len(completions)
    keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids")]
    kwargs = {k: [ex[k] for ex in inputs] for k in keys}
    logged, metrics = {}, {}
    out = reward(
        prompts=[ex["prompt"] for ex in inputs],
        completions=completions,
        completion_ids=[[1, 2]] * len(completions),
        trainer_state=object(),
        log_extra=lambda column, values: logged.setdefault(column, []).extend(values),
        log_metric=lambda name, value: metrics.__setitem__(name, value),
        **kwargs,
    )
    return out, logged, metrics


def wrong_answer(task):
    return "The answer is \\boxed{-987654321}."


@pytest.fixture(scope="module")
def reward():
    r = GuruReward(workers=1)
    yield r
    r.close()


@pytest.mark.parametrize("conversational", [True, False])
def test_reward_as_trl_calls_it(reward, conversational):
    ds = make_trl_dataset("guru/Math.arithmetic-v0", 4, seed=3, difficulty=1, conversational=conversational)
    assert {"prompt", "data_source", "reward_model", "extra_info"} <= set(ds.column_names)
    rows = list(ds)
    tasks = draw_tasks("guru/Math.arithmetic-v0", 4, seed=3, difficulty=1)
    completions = []
    for task in tasks:
        for text in (task.reference_response, wrong_answer(task)):
            completions.append([{"role": "assistant", "content": text}] if conversational else text)
    if conversational:
        assert rows[0]["prompt"] == tasks[0].messages()
    else:
        assert rows[0]["prompt"] == tasks[0].prompt
    out, logged, metrics = call_like_trl(reward, rows, completions, num_generations=2)
    assert out == [1.0, 0.0] * 4
    assert len(logged["guru_reason"]) == 8 and logged["guru_extracted"][1] == "-987654321"
    assert metrics == {"guru/accuracy": 0.5, "guru/format_failure": 0.0}


def test_conversational_completion_scores_the_assistant_text_not_zero(reward):
    """The issue: a list of messages passed to `score` is a silent 0; here it is the assistant's text."""
    task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=0, difficulty=1)[0]
    as_list = [{"role": "assistant", "content": task.reference_response}]
    assert score(task, as_list).reward == 0.0  # what a hand-written reward function got
    out, _, _ = call_like_trl(reward, trl_rows([task]), [as_list], 1)
    assert out == [1.0]


def test_completion_shapes(reward):
    task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=1, difficulty=1)[0]
    ref, wrong = task.reference_response, wrong_answer(task)
    shapes = {
        "content parts": ([{"role": "assistant", "content": [{"type": "text", "text": ref}]}], 1.0),
        "tool loop, final turn right": (
            [
                {"role": "assistant", "content": wrong, "tool_calls": [{"function": {"name": "calc"}}]},
                {"role": "tool", "content": "42"},
                {"role": "assistant", "content": ref},
            ],
            1.0,
        ),
        "tool loop, final turn wrong": (
            [
                {"role": "assistant", "content": ref},
                {"role": "tool", "content": "x"},
                {"role": "assistant", "content": wrong},
            ],
            0.0,
        ),
        "reasoning field is not the answer": (
            [{"role": "assistant", "content": wrong, "reasoning_content": ref}],
            0.0,
        ),
        "single message dict": ({"role": "assistant", "content": ref}, 1.0),
    }
    for name, (completion, expected) in shapes.items():
        out, _, _ = call_like_trl(reward, trl_rows([task]), [completion], 1)
        assert out == [expected], name


@pytest.mark.parametrize(
    "completion, reason",
    [
        ([{"role": "user", "content": "hi"}], "no assistant message"),
        ([], "no assistant message"),
        (["not a message"], "list of message dicts"),
        (None, "string or a list of chat messages"),
        (b"bytes", "string or a list of chat messages"),
        ([{"role": "assistant", "content": 7}], "content must be a string"),
        ([{"role": "assistant"}], "empty"),  # a tool-call-only turn says nothing
        ("x" * 10_000_000, "limit"),
    ],
)
def test_bad_completions_score_zero_with_a_reason(reward, completion, reason):
    task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=2, difficulty=1)[0]
    out, logged, _ = call_like_trl(reward, trl_rows([task]), [completion], 1)
    assert out == [0.0]
    assert reason in logged["guru_reason"][0]


def test_completion_text_rules():
    assert completion_text("plain") == "plain"
    parts = [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]
    assert completion_text([{"role": "assistant", "content": parts}]) == "ab"
    numpy = pytest.importorskip("numpy")
    assert completion_text(numpy.array([{"role": "assistant", "content": "x"}], dtype=object)) == "x"


def test_missing_columns_is_a_setup_error(reward):
    with pytest.raises(KeyError, match="make_trl_dataset"):
        reward(prompts=["q"], completions=["a"], answer=["1"])


def test_mixed_domains_and_exported_rows(tmp_path):
    """Rows written by `guru export` (parquet), read back by `datasets`, score through the adapter."""
    tasks = (
        draw_tasks("guru/Logic-v0", 3, seed=0, difficulty=1)
        + draw_tasks("guru/Tabular-v0", 3, seed=0, difficulty=1)
        + draw_tasks("guru/Science-v0", 2, seed=0, difficulty=1)
    )
    path = write_rows([t.to_record() for t in tasks], tmp_path / "mixed.parquet")
    ds = datasets.load_dataset("parquet", data_files=str(path), split="train")
    completions = []
    for t in tasks:
        completions += [
            [{"role": "assistant", "content": t.reference_response}],
            [{"role": "assistant", "content": "no idea"}],
        ]
    reward = GuruReward(workers=2)
    try:
        out, _, _ = call_like_trl(reward, list(ds), completions, num_generations=2)
    finally:
        reward.close()
    assert out == [1.0, 0.0] * len(tasks)


def test_rows_without_the_guru_key_route_by_data_source(reward):
    """A GURU row that never went through guru-envs (no extra_info.guru) is read by its family."""
    task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=5, difficulty=1)[0]
    row = task.to_record()
    del row["extra_info"]["guru"]
    out, _, _ = call_like_trl(reward, [row], [task.reference_response, wrong_answer(task)], 2)
    assert out == [1.0, 0.0]


def test_reward_matches_score_for_each_completion(reward):
    tasks = draw_tasks("guru/Logic-v0", 4, seed=9, difficulty=(1, 2))
    texts = [t.reference_response for t in tasks]
    texts[1] = texts[1] + "\n\nActually, I am not sure."
    out, _, _ = call_like_trl(
        reward, trl_rows(tasks), [[{"role": "assistant", "content": x}] for x in texts], 1
    )
    assert out == [score(t, x).reward for t, x in zip(tasks, texts)]


def test_plain_prompts_refuse_tasks_with_a_system_prompt():
    task = Task(
        id="t", domain="math", family="arithmetic", prompt="q", answer="1", meta={"system_prompt": "s"}
    )
    with pytest.raises(ValueError, match="conversational=True"):
        trl_rows([task], conversational=False)


def test_reward_function_pickles_without_its_pool():
    import pickle

    r = GuruReward(workers=2)
    task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=0, difficulty=1)[0]
    call_like_trl(r, trl_rows([task]), [task.reference_response, "x"], 2)
    copy = pickle.loads(pickle.dumps(r))
    out, _, _ = call_like_trl(copy, trl_rows([task]), [task.reference_response, "x"], 2)
    assert out == [1.0, 0.0]
    r.close()
    copy.close()


def test_one_real_grpo_step(tmp_path):
    """One GRPOTrainer step on CPU with the bundled SmolLM2: TRL calls our reward function with its
    conversational completions, and the rewards it logs are the ones we returned."""
    trl = pytest.importorskip("trl")
    from guru_envs.rollout.models import resolve_model

    class Recording(GuruReward):
        calls = []

        def __call__(self, prompts, completions, completion_ids=None, **kwargs):
            out = super().__call__(prompts, completions, completion_ids, **kwargs)
            self.calls.append((completions, out))
            return out

    reward = Recording(workers=1)
    dataset = make_trl_dataset("guru/Math.arithmetic-v0", 2, seed=0, difficulty=1)
    config = trl.GRPOConfig(
        output_dir=str(tmp_path),
        max_steps=1,
        per_device_train_batch_size=2,
        num_generations=2,
        max_completion_length=4,
        gradient_checkpointing=False,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
    )
    trainer = trl.GRPOTrainer(
        model=resolve_model("smollm2"), reward_funcs=reward, train_dataset=dataset, args=config
    )
    trainer.train()
    assert reward.calls, "TRL never called the reward function"
    completions, out = reward.calls[0]
    assert all(isinstance(c, list) and c[-1]["role"] == "assistant" for c in completions)
    assert [s.reason for s in reward.last_scores] and all(isinstance(r, float) for r in out)
    logged = next(r for r in trainer.state.log_history if "rewards/guru_reward/mean" in r)
    assert logged["rewards/guru_reward/mean"] == pytest.approx(sum(out) / len(out))
    assert "guru/format_failure" in logged


def test_task_options_travel_with_the_rows(reward):
    """Options given when the dataset is made are stamped on each task: the reward follows them."""
    from guru_envs.core.registry import catalog

    partial = make_trl_dataset("guru/Logic.zebra-v0", 3, seed=0, difficulty=3)
    exact = make_trl_dataset(
        "guru/Logic.zebra-v0", 3, seed=0, difficulty=3, options={"zebra": {"exact_match": True}}
    )
    tasks = draw_tasks("guru/Logic.zebra-v0", 3, seed=0, difficulty=3)
    family = catalog().family("logic", "zebra")
    one_cell_off = [family.wrong_responses(t)[0] for t in tasks]
    got_partial, _, _ = call_like_trl(reward, list(partial), one_cell_off, 1)
    got_exact, _, _ = call_like_trl(reward, list(exact), one_cell_off, 1)
    assert all(0 < r < 1 for r in got_partial)
    assert got_exact == [0.0] * 3
