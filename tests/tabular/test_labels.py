"""What may follow a number in a table answer: the question's words and the asked value's unit, nothing else.

A prompt's tables hold every row name, column name and unit of the table; a right number followed by
another company, another column, a unit the table never gives this value in, or any unit at all after a
count, states something else and earns nothing. The question's own words and the asked column's unit
(``$453.5 million`` for a column in $ millions) are still fine.
"""

from __future__ import annotations

import pytest

from guru_envs import catalog
from guru_envs.core.scoring import score
from guru_envs.tabular.answers import number_item, score_items, task_items, text_item
from guru_envs.tabular.labels import label_rule, question_of
from guru_envs.tabular.tables import FORMATS

_ROWS = [
    ("Fairmont Foods", "TSX", 9.3, 329, 4.61, 442.7),
    ("Stonegate Logistics", "NYSE", 453.5, 818, 6.45, 351.0),
    ("Northwind Bancorp", "Nasdaq", 26.9, 17936, 2.1, 825.1),
]
_HEAD = [
    "Company",
    "Exchange",
    "R&D spending ($ millions)",
    "Employees",
    "Dividend yield (%)",
    "Net income ($ millions)",
]


def _table(fmt: str) -> str:
    if fmt == "markdown":
        lines = ["| " + " | ".join(_HEAD) + " |", "| " + " | ".join(["---"] * len(_HEAD)) + " |"]
        lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in _ROWS]
    elif fmt == "csv":
        lines = [",".join(_HEAD)] + [",".join(str(c) for c in r) for r in _ROWS]
    elif fmt == "html":
        lines = ["<table>", "<thead>", "<tr>" + "".join(f'<th scope="col">{h}</th>' for h in _HEAD) + "</tr>"]
        lines += ["</thead>", "<tbody>"]
        lines += ["<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in _ROWS]
        lines += ["</tbody>", "</table>"]
    else:
        lines = ["Rows as JSON records:", "["]
        lines += [
            "  {" + ", ".join(f'"{h}": {c!r}'.replace("'", '"') for h, c in zip(_HEAD, r)) + "},"
            for r in _ROWS
        ]
        lines.append("]")
    return "\n".join(lines)


def _prompt(
    fmt: str, question: str, instruction: str = "Give a number without units, as shown in the table."
) -> str:
    return (
        "You are given a table. Use the information to answer the question.\n\n"
        f"Fiscal 2023 results for 3 companies\n{_table(fmt)}\n\nQuestion: {question}\n\n"
        f"{instruction} Put your final answer within \\boxed{{}}."
    )


def _score(answer: str, item: dict, prompt: str) -> float:
    return score_items(f"The answer is \\boxed{{{answer}}}.", [item], question=prompt).reward


RD = "What is the R&D spending for Stonegate Logistics?"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "answer",
    [
        "453.5",
        "453.5 million",
        "$453.5",
        "\\$453.5 million",
        "453.5 million dollars",
        "453.5 \\text{ million dollars}",
        "453.5 USD",
        "USD 453.5 million",
        "453.5 M",
        "453.5 mn",  # the same scale as M (it was refused while M was paid)
        "453.5 mn dollars",
        "$453.5m",
        "453.5 Stonegate Logistics",  # the question's own row
        "453.5 million of spending",  # words of the question
    ],
)
def test_the_asked_columns_unit_and_the_questions_words_are_fine(fmt, answer):
    assert _score(answer, number_item(453.5), _prompt(fmt, RD)) == 1.0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "answer",
    [
        "453.5 cents",
        "453.5 kg",
        "453.5 m",
        "453.5 s",
        "453.5 h",
        "453.5 minutes",
        "453.5 yen",
        "\u00a5453.5",
        "\u00a3453.5",
        "\u20ac453.5",
        "453.5 EUR",
        "453.5\u00b0",
        "453.5 Net income",  # another column
        "453.5 Northwind Bancorp",  # another company
        "453.5 Employees",
        "453.5 Company",
        "453.5 billion",
        "453.5 thousand",
        "453.5 in",  # inches, though "in" is a word of the instructions
    ],
)
def test_a_wrong_unit_or_another_rows_name_is_refused(fmt, answer):
    assert _score(answer, number_item(453.5), _prompt(fmt, RD)) == 0.0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("2", True),
        ("2 companies", True),  # the question's counted noun, singular or plural
        ("2 \\text{ companies}", True),
        ("2 minutes", False),
        ("2 dollars", False),
        ("$2", False),
        ("2 million", False),
        ("2 people", False),
        ("2\u00b0", False),
        ("2 Employees", False),
        ("2.0", True),
        ("2%", False),
    ],
)
def test_a_count_carries_no_unit(fmt, answer, ok):
    prompt = _prompt(fmt, "How many companies have a dividend yield of more than 3?", "Give a whole number.")
    assert (_score(answer, number_item(2, "count"), prompt) == 1.0) is ok


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("6.45%", True),
        ("6.45", True),
        ("6.45 percent", True),
        ("6.45 per cent", True),
        ("6.45 %", True),
        ("6.45% dividend yield", True),
        ("6.45 million", False),  # a percentage is not scaled
        ("$6.45", False),
        ("6.45 %/yr", False),
        ("6.45 points", False),
    ],
)
def test_a_percentage_carries_only_its_percent_form(fmt, answer, ok):
    prompt = _prompt(fmt, "What is the dividend yield of Stonegate Logistics?", "Give a percentage.")
    assert (_score(answer, number_item(6.45, "percent", 2), prompt) == 1.0) is ok


def test_the_question_names_the_unit_of_its_kind():
    table = "| Site | Depth (m) | Nitrate (mg/L) | Time (s) |\n|---|---:|---:|---:|\n| A | 5.5 | 8.87 | 12 |"
    ask = f"{table}\nQuestion: What is the nitrate at site A?"
    item = number_item(8.87, "number", 2)
    assert _score("8.87 mg/L", item, ask) == 1.0
    assert _score("8.87 m", item, ask) == 0.0  # another column's unit
    assert _score("8.87 s", item, ask) == 0.0
    assert _score("8.87 g/L", item, ask) == 0.0
    depth = f"{table}\nQuestion: What is the depth of site A, in cm?"
    assert _score("550 cm", number_item(550, "number", 0), depth) == 1.0
    assert _score("550 mm", number_item(550, "number", 0), depth) == 0.0
    # a column without a unit of its own carries none of the others'
    unitless = "| Site | Absorbance | Time (s) |\n|---|---:|---:|\n| A | 0.299 | 12 |"
    absorbance = number_item(0.299, "number", 3)
    assert _score("0.299", absorbance, f"{unitless}\nQuestion: What is the absorbance of site A?") == 1.0
    assert _score("0.299 s", absorbance, f"{unitless}\nQuestion: What is the absorbance of site A?") == 0.0
    assert _score("0.299 s", absorbance, f"{unitless}\nQuestion: What is the absorbance at A?") == 0.0
    # the question names nothing in the table: every column's unit may be meant
    vague = f"{table}\nQuestion: What is the value?"
    assert _score("8.87 mg/L", item, vague) == 1.0
    assert _score("8.87 kg", item, vague) == 0.0


def test_a_currency_must_be_the_tables():
    euro = "| Team | Salary (\u20ac thousands) |\n|---|---:|\n| A | 512 |\nQuestion: What is the salary of team A?"
    item = number_item(512)
    assert _score("\u20ac512", item, euro) == 1.0
    assert _score("512 thousand euros", item, euro) == 1.0
    assert _score("$512", item, euro) == 0.0
    assert _score("512 dollars", item, euro) == 0.0
    assert _score("512 million", item, euro) == 0.0


def test_the_questions_scale_rules_over_the_tables():
    prompt = (
        "Table 1: Revenue\nIn millions of dollars.\n| Segment | 2018 |\n|---|---:|\n| A | 1,234.5 |\n"
        "Question: What was the revenue per employee in 2018, in thousands of dollars?"
    )
    item = number_item(302.36, "number", 2)
    assert _score("302.36", item, prompt) == 1.0
    assert _score("302.36 thousand dollars", item, prompt) == 1.0
    assert _score("302.36 million", item, prompt) == 0.0


@pytest.mark.parametrize(
    "answer",
    [
        "Filtration ...",
        "Filtration...",
        "Filtration \u2026",
        "Filtration \\ldots",
        "Filtration \\dots",
        "Filtration . . .",
        "... Filtration",
        "Filtration | \\ldots",
    ],
)
def test_an_ellipsis_is_no_answer_stated(answer):
    assert score_items(f"\\boxed{{{answer}}}", [text_item("Filtration")]).reward == 0.0
    assert score_items("\\boxed{Filtration.}", [text_item("Filtration")]).reward == 1.0
    assert score_items("\\boxed{St. Louis}", [text_item("St. Louis")]).reward == 1.0


def test_question_of_each_layout():
    assert question_of(_prompt("json", RD)) == RD
    assert (
        question_of("The question is:\nhow many?\nPlease output the final answer within \\boxed{}.")
        == "how many?"
    )
    assert question_of("| a | b |\n|---|---|\n| 1 | 2 |\nWhat is b?") == "What is b?"
    assert question_of("") == ""


def test_without_a_prompt_only_percent_words_and_dollars_follow_a_value():
    rule = label_rule(None, "number")
    assert "percent" in rule and "dollars" in rule and "kg" not in rule and "staff" not in rule
    assert not rule.unit_ok("kg") and rule.unit_ok("%")
    assert "dollars" not in label_rule(None, "count")


@pytest.mark.parametrize("name", ["lookup", "filter_count", "ranking", "aggregation", "ratio", "multi_table"])
def test_generated_numbers_take_no_foreign_unit(name):
    """Over generated tasks of every format: the reference is paid, a foreign unit or a count's unit is not."""
    for fmt in FORMATS:
        family = catalog().family("tabular", name, table_format=fmt)
        for seed in range(6):
            task = family.sample(seed, 1 + seed % 5)
            assert score(task, task.reference_response).correct
            items = task_items(task.answer, task.meta)
            if len(items) != 1 or items[0]["kind"] == "text":
                continue
            text = items[0]["text"]
            wrong = [f"{text} yen", f"{text} cents", f"{text} kg"]
            if items[0]["kind"] == "count":
                wrong += [f"{text} minutes", f"{text} dollars", f"${text}", f"{text}\u00b0"]
            for answer in wrong:
                assert not score(task, f"\\boxed{{{answer}}}").correct, (name, fmt, seed, answer)


# --- short words: a letter is no label, and "is" is not the plural of "i" (red team 2026-12) ---------------


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("What is the number of games?", "i"),  # "is" read as the plural of "i": 18925i is imaginary
        ("What was the margin, i.e. revenue minus expenses?", "e"),  # one-letter words of the question itself
        ("What was the margin, i.e. revenue minus expenses?", "i"),
        ("What is a game?", "a"),
        ("Which team has the most games?", "ha"),  # "has" is no plural of "ha"
        ("What does the team score?", "doe"),
        ("What does the team score?", "do"),
        ("What is this team's score?", "thi"),
        ("What are its games?", "it"),
        ("How many goes did the team take?", "go"),
        ("What was the score?", "wa"),
        ("How many TVs were sold?", "tv"),  # a word of two letters has no other form
    ],
)
def test_short_words_and_their_forms_are_no_labels(question, word):
    prompt = _prompt("markdown", question)
    for kind in ("number", "count", "percent", "quantity"):
        assert word not in label_rule(prompt, kind), (kind, word)


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("What is the number of games?", "games"),
        ("What is the number of games?", "game"),
        ("How many companies have a dividend yield of more than 3?", "companies"),
        ("How many boxes were sold?", "box"),
        ("How many boxes were sold?", "boxes"),
        ("What is the ID of the team?", "id"),  # two letters, written as the question writes it
    ],
)
def test_the_questions_words_and_their_plural_forms_still_follow_a_value(question, word):
    prompt = _prompt("markdown", question)
    assert word in label_rule(prompt, "number") and word in label_rule(prompt, "count")


@pytest.mark.parametrize("family", ["lookup", "filter_count", "aggregation", "multi_table"])
@pytest.mark.parametrize(
    "suffix", ["i", " i", "\\,i", "\\mathrm{i}", "\\text{ i}", " I", "\\,\\mathrm{i}", " e", "e", " a"]
)
def test_a_letter_after_the_number_is_refused(family, suffix):
    """``18925i`` is an imaginary number, not 18925 with a label, however the question reads."""
    task = catalog().family("tabular", family).sample(0, 1)
    gold = task_items(task.answer, task.meta)[0]["text"]
    assert score(task, task.reference_response).correct
    assert not score(task, f"\\boxed{{{gold}{suffix}}}").correct, (family, suffix)


def test_a_one_letter_word_of_the_question_is_no_label():
    """multi_table asks "..., i.e. revenue minus operating expenses as a percentage": ``23.89% e`` is not 23.89%."""
    task = catalog().family("tabular", "multi_table").sample(2, 3)
    assert "i.e." in question_of(task.prompt)
    gold = task_items(task.answer, task.meta)[0]["text"]  # 23.89%
    assert gold.endswith("%") and score(task, f"\\boxed{{{gold}}}").correct
    for suffix in (" e", "e", " i", "\\,\\mathrm{e}", " E"):
        assert not score(task, f"\\boxed{{{gold}{suffix}}}").correct, suffix


def test_a_guru_row_refuses_an_imaginary_unit():
    from guru_envs.integrations.verl import compute_score

    prompt = (
        "You are given one or more tables. Use the information in the table to answer the following question.\n"
        "| team | games |\n|---|---|\n| a | 48 |\nThe question is:\nWhat is the number of games?\n"
        "Please output the final answer within \\boxed{}."
    )
    for extra in ({"question": prompt}, None):
        assert compute_score("table__hitab", "\\boxed{48}", "48", extra) == 1.0
        for answer in ("48i", "48 i", "48\\mathrm{i}", "48\\,i", "48\\text{ i}"):
            assert compute_score("table__hitab", f"\\boxed{{{answer}}}", "48", extra) == 0.0, answer
    assert compute_score("table__hitab", "\\boxed{48 games}", "48", {"question": prompt}) == 1.0
