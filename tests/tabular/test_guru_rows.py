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
VALUE_QUESTION = "what was the value for alberta in 2016?"  # no share, no count: a cell


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
        ("1234567", "1234567 persons", False),  # a word of neither the question nor the value's unit
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
    assert verdict(source, ground_truth, answer, question=VALUE_QUESTION) is ok
    if ok:
        assert verdict(source, ground_truth, answer) is ok


@pytest.mark.parametrize("source", ["table__hitab", "table__multihier", "table__finqa"])
@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("1234567", "1234567", True),
        ("1234567", "1234567 people", True),  # the question's counted noun
        ("25.3", "25.3\\%", False),  # "how many" asks for a count: a percentage is another claim
        ("1234567", "1234567\\%", False),
    ],
)
def test_a_how_many_question_takes_no_percent_sign(source, ground_truth, answer, ok):
    assert verdict(source, ground_truth, answer, question=COUNT_QUESTION) is ok


def test_a_how_many_answer_takes_the_tables_scale_but_no_currency():
    """HiTab counts people in thousands: the table's scale may follow the count, money may not."""
    record = row("table__hitab", "1234")
    table = "| region | population (thousands) | income ($) |\n|---|---|---|\n| alberta | 1234 | 5 |"
    prompt = PROMPT.replace("| region | 2016 (in millions) |\n|---|---|\n| alberta | 47.1 |", table)
    record["prompt"] = [{"role": "user", "content": prompt.format(question=COUNT_QUESTION)}]
    task = Task.from_record(record)
    for answer, ok in [
        ("1234", True),
        ("1234 thousand", True),
        ("1,234 thousand people", True),
        ("$1234", False),
        ("1234 dollars", False),
        ("1234 million", False),
        ("1234 kg", False),
    ]:
        assert score(task, f"\\boxed{{{answer}}}").correct is ok, answer


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
        ("1450.0", "$1,450 million", False),  # the question asks for a percentage: no scale or currency
        ("research and development", "Research and Development", True),
    ],
)
def test_multihiertt(ground_truth, answer, ok):
    assert verdict("table__multihier", ground_truth, answer) is ok


def test_an_amount_may_carry_the_tables_scale_and_dollars():
    """The table is "(in millions)" and names no currency: dollars, GURU's convention, are not contradicted."""
    for answer in ("$1,450 million", "1450 million", "1,450 mn", "1450"):
        assert verdict("table__multihier", "1450.0", answer, question=VALUE_QUESTION), answer
    for answer in ("1450 thousand", "1450 billion", "1450 euros", "1450 kg", "1450 alberta region"):
        assert not verdict("table__multihier", "1450.0", answer, question=VALUE_QUESTION), answer


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


def test_without_a_question_only_a_percent_sign_reads_another_scale():
    """verl's compute_score has no prompt: a bare number is read at face value, and GURU's two scales only
    where the answer writes its own ``%`` (47.1% for HiTab's 47.1, 21.56% for FinQA's 0.21556)."""
    from guru_envs.integrations.verl import compute_score

    assert compute_score("table__finqa", "\\boxed{94\\%}", 0.94, None) == 1.0
    assert compute_score("table__finqa", "\\boxed{0.94}", 0.94, None) == 1.0
    assert compute_score("table__finqa", "\\boxed{94}", 0.94, None) == 0.0
    assert compute_score("table__hitab", "\\boxed{47.1\\%}", "47.1", None) == 1.0
    assert compute_score("table__hitab", "\\boxed{0.471}", "47.1", None) == 0.0
    assert compute_score("table__hitab", "\\boxed{4710}", "47.1", None) == 0.0


# ---- a whole-number reference is not paid by a rounded answer -------------------------------------------


@pytest.mark.parametrize("source", ["table__hitab", "table__multihier", "table__finqa"])
@pytest.mark.parametrize("question", [COUNT_QUESTION, VALUE_QUESTION, None])
@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("1234", "1234", True),
        ("1234", "1,234.0", True),
        ("1234", "1234.5", False),  # GURU's 1e-3 is 1.2 here: x.5 would be paid for 1234 and for 1235
        ("1235", "1234.5", False),
        ("1234", "1234.9", False),
        ("1234", "1233.5", False),
        ("1234", "1234.4", False),
        ("600", "600.5", False),
        ("601", "600.5", False),
        ("12", "12.01", False),
        ("266.0", "266.2", False),  # a whole value, however it is written
        ("266.0", "266", True),
        ("12.5", "12.51", True),  # a value GURU rounded keeps its tolerance
    ],
)
def test_a_whole_number_reference_is_exact(source, question, ground_truth, answer, ok):
    if question is None:
        from guru_envs.integrations.verl import compute_score

        got = compute_score(source, f"\\boxed{{{answer}}}", ground_truth, {"split": "test", "index": 0})
        assert (got == 1.0) is ok
    else:
        assert verdict(source, ground_truth, answer, question=question) is ok


@pytest.mark.parametrize(
    ("ground_truth", "answer", "ok"),
    [
        ("47", "47", True),
        ("47", "46.96", True),  # a share may be a rounded percentage: GURU's tolerance stays
        ("47", "0.4696", True),
        ("47", "46.9", False),
        ("600", "600.4", True),
        ("600", "600.5", False),  # but under half a unit: no answer is paid for two whole references
        ("601", "600.5", False),
        ("601", "600.51", False),
        ("601", "600.6", True),
    ],
)
def test_a_whole_share_keeps_a_tolerance_under_half_a_unit(ground_truth, answer, ok):
    assert verdict("table__hitab", ground_truth, answer, question=SHARE_QUESTION) is ok


# ---- the question's own words decide whether a number is a share, whatever the table's format --------------

_STAFF_TABLES = {
    "markdown": "| Region | Staff | Growth rate (%) |\n|---|---|---|\n| North | 12 | 3.5% |\n| South | 1234 | 4.0% |",
    "pipes without the outer bars": "region | staff | growth rate\n---|---|---\nnorth | 12 | 3.5%\nsouth | 1234 | 4.0%",
    "html": (
        "<table><tr><th>Region</th><th>Staff</th><th>Growth rate (%)</th></tr>\n"
        "<tr><td>North</td><td>12</td><td>3.5%</td></tr>\n<tr><td>South</td><td>1234</td><td>4.0%</td></tr>\n</table>"
    ),
    "html on one line": (
        "<table><tr><th>Region</th><th>Staff</th><th>Growth rate (%)</th></tr><tr><td>North</td><td>12</td>"
        "<td>3.5%</td></tr><tr><td>South</td><td>1234</td><td>4.0%</td></tr></table>"
    ),
    "json": (
        '[{"Region": "North", "Staff": 12, "Growth rate (%)": 3.5},\n'
        ' {"Region": "South", "Staff": 1234, "Growth rate (%)": 4.0}]'
    ),
    "json on one line": '[{"Region": "North", "Staff": 12, "Growth rate (%)": 3.5}, {"Region": "South", "Staff": 1234, "Growth rate (%)": 4.0}]',
    "csv": "Region,Staff,Growth rate (%)\nNorth,12,3.5%\nSouth,1234,4.0%",
}
_TEMPLATES = {
    "guru": "You are given one or more tables. Use the information in the table to answer the following question.\n"
    "{table}\nThe question is:\n{question}\nPlease output the final answer within \\boxed{{}}.",
    "question line": "Read the table.\n{table}\nQuestion: {question}\nPut your final answer within \\boxed{{}}.",
    "no marker": "Read the table (shares in %, growth rates).\n{table}\n{question}",
}


@pytest.mark.parametrize("template", sorted(_TEMPLATES))
@pytest.mark.parametrize("table", sorted(_STAFF_TABLES))
@pytest.mark.parametrize("source", ["table__hitab", "table__multihier", "table__finqa"])
def test_a_share_in_the_table_does_not_make_a_count_a_share(template, table, source):
    for region, gold in (("north", "12"), ("south", "1234")):
        question = f"How many staff work in {region}?"
        record = row(source, gold)
        prompt = _TEMPLATES[template].format(table=_STAFF_TABLES[table], question=question)
        record["prompt"] = [{"role": "user", "content": prompt}]
        task = Task.from_record(record)
        value = int(gold)
        assert score(task, f"\\boxed{{{gold}}}").correct
        for wrong in (f"{value / 100:g}", f"{value * 100}", f"{value / 100:g}\\%"):
            assert not score(task, f"\\boxed{{{wrong}}}").correct, (template, table, wrong)
        share = Task.from_record(
            {
                **record,
                "prompt": [{"role": "user", "content": prompt.replace(question, "What is the growth rate?")}],
            }
        )
        assert score(share, f"\\boxed{{{value / 100:g}}}").correct  # the question's own share word


def test_the_question_is_found_in_every_prompt_layout():
    from guru_envs.tabular.labels import question_of

    for template in _TEMPLATES.values():
        for table in _STAFF_TABLES.values():
            asked = question_of(template.format(table=table, question="How many staff work in north?"))
            assert asked == "How many staff work in north?", (template, table, asked)


# ---- peer cases (GURU's rows through verl's reward function, which hands no prompt) ------------------------


@pytest.mark.parametrize(
    ("source", "gold", "answer", "expected"),
    [
        ("table__hitab", "1234", "12.34", 0.0),
        ("table__hitab", "1234", "123400", 0.0),
        ("table__hitab", "7", "700", 0.0),
        ("table__finqa", "266.0", "2.66", 0.0),
        ("table__hitab", "1234", "1,234", 1.0),  # control
        ("table__finqa", "0.21556", "21.56\\%", 1.0),  # an explicit % keeps its reading
        ("table__finqa", "0.21556", "21.56", 0.0),
        ("table__finqa", "266.0", "\\$266", 1.0),
        ("table__hitab", "1234", "1234 \\text{ kg}", 0.0),  # no question: no unit to carry
        ("table__hitab", "1234", "1234.5", 0.0),
    ],
)
def test_peer_verl_rows_without_question(source, gold, answer, expected):
    from guru_envs.integrations.verl import compute_score

    assert compute_score(source, f"\\boxed{{{answer}}}", gold, {"split": "test", "index": 0}) == expected


_PEER_TABLE = (
    "You are given one or more tables. Use the information in the table to answer the following question.\n"
    "| region | 2019 | 2020 |\n|---|---|---|\n| north america | 1234 | 1500 |\n| europe | 980 | 1020 |\n"
    "| asia | 15.5 | 22.75 |\nThe question is:\n{q}\nPlease output the final answer within \\boxed{{}}. "
    "If there are multiple answers, please output them separated by |."
)
_PEER_TEXT = (
    "You are given some text and tables. Use the information in the given context to answer the following "
    "question.\nrevenue grew from $ 1234 million in 2019 to $ 1500 million in 2020 .\nThe question is:\n{q}\n"
    "Please output the final numeric answer within \\boxed{{}}."
)


@pytest.mark.parametrize(
    ("source", "template", "question", "gold", "answer", "expected"),
    [
        ("table__hitab", _PEER_TABLE, "what was the value for north america in 2019?", "1234", "1234", 1.0),
        ("table__hitab", _PEER_TABLE, "what was the value for north america in 2019?", "1234", "1235", 0.0),
        ("table__hitab", _PEER_TABLE, "what was the value for north america in 2019?", "1234", "12.34", 0.0),
        ("table__hitab", _PEER_TABLE, "what was the value for north america in 2019?", "1234", "123400", 0.0),
        ("table__hitab", _PEER_TABLE, "what was the value for north america in 2019?", "1234", "1234.5", 0.0),
        (
            "table__hitab",
            _PEER_TABLE,
            "what was the value for north america in 2019?",
            "1234",
            "1234 kg",
            0.0,
        ),
        (
            "table__hitab",
            _PEER_TABLE,
            "what was the value for north america in 2019?",
            "1234",
            "1234 europe",
            0.0,
        ),
        ("table__hitab", _PEER_TABLE, "what percentage did asia grow?", "46.77", "46.77\\%", 1.0),
        ("table__hitab", _PEER_TABLE, "what percentage did asia grow?", "46.77", "0.4677", 1.0),
        ("table__hitab", _PEER_TABLE, "what percentage did asia grow?", "46.77", "47", 0.0),
        ("table__multihier", _PEER_TABLE, "how many regions are listed?", "3", "3 regions", 1.0),
        ("table__multihier", _PEER_TABLE, "how many regions are listed?", "3", "3.5", 0.0),
        ("table__multihier", _PEER_TABLE, "how many regions are listed?", "3", "3\\%", 0.0),
        ("table__multihier", _PEER_TABLE, "how many regions are listed?", "3", "3 minutes", 0.0),
        ("table__finqa", _PEER_TEXT, "what is the growth rate of revenue?", "0.21556", "21.56\\%", 1.0),
        ("table__finqa", _PEER_TEXT, "what is the growth rate of revenue?", "0.21556", "21.56", 1.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "\\$266 million", 1.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "266 \\text{ million}", 1.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "266 mn", 1.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "266 cents", 0.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "\u00a5266", 0.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "266 thousand", 0.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "2.66", 0.0),
        ("table__finqa", _PEER_TEXT, "what is the change in revenue?", "266.0", "266.5", 0.0),
    ],
)
def test_peer_table_rows(source, template, question, gold, answer, expected):
    record = row(source, gold)
    record["prompt"] = [{"role": "user", "content": template.format(q=question)}]
    got = guru_envs.score(Task.from_record(record), f"The answer is $\\boxed{{{answer}}}$.").reward
    assert got == expected
