"""verl adapter: compute_score / compute_score_batch as verl's reward managers call them."""

import importlib.util
import sys

import pytest

import guru_envs.integrations.verl as verl_adapter
from guru_envs import read_rows, score, write_rows
from guru_envs.core.registry import catalog
from guru_envs.integrations.tasks import draw_tasks
from guru_envs.integrations.verl import compute_score, compute_score_batch

WRONG = "I think it is \\boxed{-987654321}.\n<answer>none</answer>"

BUILTIN_DOMAINS = ("math", "code", "science", "logic", "simulation", "tabular")


def generated_families():
    cat = catalog()
    for domain in BUILTIN_DOMAINS:
        for spec in cat.families(domain, generators_only=True):
            if spec.name in ("humaneval", "arc_agi"):  # real benchmarks: covered by their own tests
                continue
            yield domain, spec.name


FAMILIES = sorted(generated_families())


def verl_args(task, extra_info=None):
    row = task.to_record()
    return (
        row["data_source"],
        row["reward_model"]["ground_truth"],
        row["extra_info"] if extra_info is None else extra_info,
    )


@pytest.mark.parametrize("domain, family", FAMILIES)
def test_every_family_scores_its_exported_rows(domain, family):
    tasks = [catalog().family(domain, family).sample(seed, 1) for seed in range(2)]
    for task in tasks:
        source, truth, extra = verl_args(task)
        assert compute_score(source, task.reference_response, truth, extra) == 1.0
        assert compute_score(source, WRONG, truth, extra) == 0.0
        detail = compute_score(source, task.reference_response, truth, extra, details=True)
        assert detail == {"score": 1.0, "acc": 1.0, "format_ok": 1.0}


def test_batch_form_matches_score_and_the_single_form():
    tasks = (
        draw_tasks("guru/Math-v0", 4, seed=1, difficulty=1)
        + draw_tasks("guru/Logic-v0", 4, seed=1, difficulty=1)
        + draw_tasks("guru/Simulation-v1", 3, seed=1, difficulty=1)
        + draw_tasks("guru/Code-v0", 2, seed=1, difficulty=1)
    )
    responses = [t.reference_response if i % 3 else WRONG for i, t in enumerate(tasks)]
    args = [verl_args(t) for t in tasks]
    batch = compute_score_batch(
        data_sources=[a[0] for a in args],
        solution_strs=responses,
        ground_truths=[a[1] for a in args],
        extra_infos=[a[2] for a in args],
        workers=2,
    )
    expected = [score(t, r).reward for t, r in zip(tasks, responses)]
    assert batch == expected
    assert batch == [compute_score(a[0], r, a[1], a[2]) for a, r in zip(args, responses)]
    assert 0 < sum(batch) < len(batch)


def test_rows_read_back_from_parquet_as_verl_does(tmp_path):
    """verl reads the parquet with datasets/pandas: extra_info arrives as a dict (numpy inside)."""
    pandas = pytest.importorskip("pandas")
    tasks = draw_tasks("guru/Tabular-v0", 3, seed=0, difficulty=1) + draw_tasks("guru/Science-v0", 3, seed=0)
    path = write_rows([t.to_record() for t in tasks], tmp_path / "rows.parquet")
    frame = pandas.read_parquet(path)
    out = [
        compute_score(row.data_source, t.reference_response, row.reward_model["ground_truth"], row.extra_info)
        for row, t in zip(frame.itertuples(), tasks)
    ]
    assert out == [1.0] * len(tasks)
    assert read_rows(path)[0]["extra_info"]["guru"]


@pytest.mark.parametrize("domain, family", FAMILIES)
def test_rows_without_the_guru_key(domain, family):
    """A pipeline that keeps only the verl fields: the reference still earns 1 and a wrong answer 0
    (tests/core/test_rows_reduced.py compares every verdict with the full task's)."""
    for seed in range(2):
        task = catalog().family(domain, family).sample(seed, 1)
        source, truth, extra = verl_args(task)
        reduced = {k: v for k, v in extra.items() if k != "guru"}
        right = compute_score(source, task.reference_response, truth, reduced, details=True)
        assert compute_score(source, WRONG, truth, reduced) == 0.0
        assert right == {"score": 1.0, "acc": 1.0, "format_ok": 1.0}


def test_guru_rows_from_guru_pipeline():
    """Rows in GURU's own shape (no extra_info.guru): routed by data_source."""
    assert (
        compute_score("math__deepscaler_preview", "so \\boxed{\\frac{1}{2}}", "\\frac{1}{2}", {"index": 3})
        == 1.0
    )
    assert compute_score("math__deepscaler_preview", "so \\boxed{\\frac{1}{3}}", "\\frac{1}{2}", None) == 0.0


# GURU's rows keep the question in extra_info (data_preprocess/math/*.py: original_question;
# stem/supergpqa.py, simulation/cruxeval-*.py, codegen/*.py: original_prompt): verl hands no prompt.
COPY = "Thus $\\boxed{\\frac{5}{3} + \\frac{15}{8}}$."  # the question's own expression, unevaluated
QUESTION = "What is $\\frac{5}{3} + \\frac{15}{8}$?"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, 1.0),  # no question anywhere: nothing to compare with (the hole the keys below close)
        ({"original_question": QUESTION}, 0.0),
        ({"original_prompt": QUESTION + " Please output the final answer within \\boxed{}."}, 0.0),
        ({"question": QUESTION}, 0.0),
        ({"question": "  ", "original_question": QUESTION}, 0.0),  # a blank key gives way to the next
        (
            {"question": None, "original_prompt": 3, "original_question": QUESTION},
            0.0,
        ),  # so does a non-string
        # ours comes first: a row we wrote keeps its own question beside any copied-in GURU key
        ({"question": "Compute $1+1$.", "original_question": QUESTION}, 1.0),
    ],
)
def test_guru_rows_keep_their_question_in_extra_info(extra, expected):
    extra = {"split": "train", "index": 0, **extra}
    assert compute_score("math__deepscaler_preview", COPY, "\\frac{85}{24}", extra) == expected
    assert (
        compute_score("math__deepscaler_preview", "$\\boxed{\\frac{85}{24}}$", "\\frac{85}{24}", extra) == 1.0
    )


def test_a_row_with_its_prompt_reads_that_prompt_not_extra_info():
    from guru_envs import Task

    row = {
        "data_source": "math__deepscaler_preview",
        "prompt": [{"role": "user", "content": "Compute $1+1$."}],
        "reward_model": {"style": "rule", "ground_truth": "\\frac{85}{24}"},
        "extra_info": {"original_question": QUESTION},
    }
    assert Task.from_record(row).prompt == "Compute $1+1$."


@pytest.mark.parametrize(
    "source, response, truth, extra",
    [
        ("no_such_source", "\\boxed{1}", "1", None),  # no family claims it
        ("math__deepscaler", "\\boxed{1}", None, None),  # no ground truth
        ("math__deepscaler", None, "1", None),  # not a string
        ("math__deepscaler", "x" * 2_000_000, "1", None),  # too long
        ("math__deepscaler", "\\boxed{1}", "1", {"guru": "{not json"}),  # corrupt task
        (None, "\\boxed{1}", "1", None),
    ],
)
def test_bad_inputs_score_zero_with_a_reason(source, response, truth, extra):
    out = compute_score(source, response, truth, extra, details=True)
    assert out["score"] == 0.0 and out["acc"] == 0.0


def test_batch_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="ground truths"):
        compute_score_batch(["math__x"], ["a", "b"], ["1"])


def test_loaded_by_path_like_verl_custom_reward_function():
    """verl imports the file at custom_reward_function.path under its own module name and wraps the
    function with reward_kwargs."""
    spec = importlib.util.spec_from_file_location("custom_module", verl_adapter.__file__)
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_module"] = module
    try:
        spec.loader.exec_module(module)
        reward_kwargs = {"details": True}

        def wrapped(*args, **kwargs):
            return module.compute_score(*args, **kwargs, **reward_kwargs)

        task = draw_tasks("guru/Math.arithmetic-v0", 1, seed=4, difficulty=1)[0]
        source, truth, extra = verl_args(task)
        out = wrapped(
            data_source=source, solution_str=task.reference_response, ground_truth=truth, extra_info=extra
        )
        assert out["score"] == 1.0
        batch = module.compute_score_batch(
            data_sources=[source],
            solution_strs=[WRONG],
            ground_truths=[truth],
            extra_infos=[extra],
            workers=1,
        )
        assert batch == [0.0]
    finally:
        del sys.modules["custom_module"]
