"""GURU/verl table rows (table__hitab, table__multihier, table__finqa) load, route and score correctly.

Ground-truth forms follow LLM360/Reasoning360's preprocessing: HiTab joins the answer list with ``|``
(``str`` of each entry), MultiHiertt keeps ``str(answer)`` (often a long float), and FinQA stores a float
(``94%`` became 0.94). Scoring follows its table scorer (relative tolerance 1e-3, a reference that may be
a hundredth or a hundred times itself, unordered ``|`` sets), without ``eval`` of model text.
"""

from __future__ import annotations

import pytest

import guru_envs
from guru_envs import Task, catalog, read_rows, write_rows
from guru_envs.core.scoring import score

PROMPT = (
    "You are given one or more tables. Use the information in the table to answer the following question.\n"
    "| region | 2016 (in millions) |\n|---|---|\n| alberta | 47.1 |\nThe question is:\n{question}\n"
    "Please output the final answer within \\boxed{{}}. If there are multiple answers, please output them separated by |."
)
SHARE_QUESTION = "which region, and what percentage of the total was it?"  # either scale may be meant
COUNT_QUESTION = "how many people lived in alberta in 2016?"


def row(source: str, ground_truth, index: int = 0, question: str = SHARE_QUESTION) -> dict:
    return {
        "data_source": source,
        "prompt": [{"role": "user", "content": PROMPT.format(question=question)}],
        "ability": "table",
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {"split": "test", "index": index},
    }


def verdict(source: str, ground_truth, answer: str, question: str = SHARE_QUESTION) -> bool:
    task = Task.from_record(row(source, ground_truth, question=question))
    return score(task, f"<think>let me read the table</think>So the answer is \\boxed{{{answer}}}.").correct


def test_routes_to_the_row_verifier():
    assert not any("tabular" in k for k in catalog().errors)
    for source in ("table__hitab", "table__multihier", "table__finqa", "table__hitab_v2", "table__other"):
        task = Task.from_record(row(source, "1"))
        assert (task.domain, task.family) == ("tabular", "guru_rows")
        assert task.meta["data_source"] == source
    assert catalog().route("table__guru_lookup").name == "lookup"  # longest prefix beats "table"


@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("47.1", "47.1", True),
        ("47.1", "47.1\\%", True),
        ("47.1", "0.471", True),
        ("47.1", "47.14", True),
        ("47.1", "47.2", False),
        ("47.1", "4.71", False),
        ("1234567", "1,234,567", True),
        ("1234567", "1234567 persons", True),
        ("alberta", "Alberta", True),
        ("alberta", "\\text{Alberta}", True),
        ("alberta", "quebec", False),
        ("new brunswick", "New  Brunswick", True),
        ("new brunswick", "newbrunswick", True),  # GURU compares strings with spaces removed
        ("alberta|quebec", "Quebec | Alberta", True),
        ("alberta|quebec", "alberta|quebec", True),
        ("alberta|quebec", "alberta", False),
        ("alberta|quebec", "alberta | quebec | ontario", False),
        ("12.3|45.6", "45.6 | 12.3", True),
        ("12.3|45.6", "45.6 | 12.4", False),
        ("20 to 39", "20 \\text{ to } 39", True),
        ("20 to 39", "20", False),
        ("2016", "2016", True),
        ("2016", "2017", False),  # a year is exact, though 1e-3 of 2016 is 2.0
        ("2016", "201600", False),
    ],
)
def test_hitab(ground_truth, answer, ok):
    assert verdict("table__hitab", ground_truth, answer) is ok


@pytest.mark.parametrize("source", ["table__hitab", "table__multihier", "table__finqa"])
@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("1234", "1234", True),
        ("1234", "12.34", False),  # GURU reads every number a hundred times either way; a count is one value
        ("1234", "123400", False),
        ("25.3", "25.3\\%", True),  # the sign GURU's preprocessing drops
        ("25.3", "0.253", False),
        # only the sign GURU dropped (the 25.3 case): read as a hundredth too, 25% would cover 25 and 0.25
        ("0.25", "25\\%", False),
        ("0.25", "0.0025", False),
        ("0.25", "25", False),
    ],
)
def test_a_question_about_no_share_reads_one_scale(source, ground_truth, answer, ok):
    assert verdict(source, ground_truth, answer, question=COUNT_QUESTION) is ok
    if ok:
        assert verdict(source, ground_truth, answer) is ok


@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("3.5448717948717947", "3.545", True),
        ("3.5448717948717947", "3.54", False),  # 1.4e-3 off: GURU's tolerance is 1e-3
        ("3.5448717948717947", "354.49%", True),
        ("0.17843", "17.84%", True),
        ("0.17843", "17.84", True),
        ("0.17843", "0.18", False),
        ("-12.5", "-12.5", True),
        ("-12.5", "12.5", False),
        ("1450.0", "$1,450 million", True),
        ("research and development", "Research and Development", True),
    ],
)
def test_multihiertt(ground_truth, answer, ok):
    assert verdict("table__multihier", ground_truth, answer) is ok


@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        (0.94, "94%", True),
        (0.94, "94", True),
        (0.94, "0.94", True),
        (0.94, "0.9", False),
        (-0.03124, "-3.124%", True),
        (-0.03124, "-3.12%", False),  # 1.3e-3 off: outside GURU's tolerance
        (-0.03124, "3.12%", False),
        (1234.5, "1234.5", True),
        (1234.5, "1,234.5", True),
        (1234.5, "1240", False),
        (2.6, "2.6:1", True),
        (7, "7", True),
    ],
)
def test_finqa(ground_truth, answer, ok):
    assert verdict("table__finqa", ground_truth, answer) is ok


def test_no_box_scores_zero_unlike_guru_fallback():
    task = Task.from_record(row("table__hitab", "47.1"))
    assert not score(task, "The answer is 47.1").correct


def test_bad_ground_truth_is_refused_at_load():
    with pytest.raises(ValueError):
        Task.from_record(row("table__hitab", None))
    with pytest.raises(ValueError):
        Task.from_record(row("table__hitab", "|"))


def test_rows_survive_parquet_and_jsonl(tmp_path):
    rows = [
        row("table__hitab", "alberta|quebec", 1),
        row("table__multihier", "3.5448717948717947", 2),
        row("table__finqa", 0.94, 3),
    ]
    answers = ["quebec | alberta", "3.545", "94%"]
    for suffix in (".parquet", ".jsonl"):
        for i, (r, a) in enumerate(zip(rows, answers)):  # one file per source, as GURU ships them
            path = write_rows([r], tmp_path / f"table{i}{suffix}")
            (back,) = read_rows(path)
            assert back["reward_model"]["ground_truth"] == r["reward_model"]["ground_truth"]
            assert score(Task.from_record(back), f"\\boxed{{{a}}}").correct


def test_env_scores_rows_from_a_file(tmp_path):
    import gymnasium as gym

    path = write_rows([row("table__hitab", "47.1", i) for i in range(3)], tmp_path / "rows.jsonl")
    env = gym.make("guru/Tabular-v0", dataset=str(path))
    prompt, info = env.reset(seed=0)
    assert "\\boxed{}" in prompt
    _, reward, terminated, _, info = env.step("\\boxed{47.1\\%}")
    assert reward == 1.0 and terminated and info["correct"]
    env.close()
    assert guru_envs.__version__


def test_a_percent_column_does_not_make_a_sum_a_share():
    """Only the question's own words say whether a number may be a share: FinQA tables carry % columns."""
    table = "| ( in millions ) | 2018 | 2017 | % change |\n|---|---|---|---|\n| net revenue | $ 5,120 | $ 4,800 | 6.7% |"
    question = "what is the sum of net revenue in 2018 and 2017 , in millions?"
    prompt = PROMPT.replace("| region | 2016 (in millions) |\n|---|---|\n| alberta | 47.1 |", table)
    for source, truth in (("table__finqa", 9920.0), ("table__multihier", "9920.0"), ("table__hitab", "9920")):
        record = row(source, truth)
        record["prompt"] = [{"role": "user", "content": prompt.format(question=question)}]
        task = Task.from_record(record)
        assert score(task, "\\boxed{9920}").correct
        assert not score(task, "\\boxed{99.2}").correct and not score(task, "\\boxed{992000}").correct


def test_without_a_question_both_scales_stay_open():
    """verl's compute_score has no prompt: GURU's own reading (either scale) is all there is to go on."""
    from guru_envs.integrations.verl import compute_score

    assert compute_score("table__finqa", "\\boxed{94}", 0.94, None) == 1.0
    assert compute_score("table__hitab", "\\boxed{0.471}", "47.1", None) == 1.0
