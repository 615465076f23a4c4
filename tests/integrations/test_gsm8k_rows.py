"""GSM8K rows ask for the final answer after ``####``: it is read there, as one claim, and only there.

verl's ``examples/data_preprocess/gsm8k.py`` and SkyRL's GSM8K data end every question with
``Let's think step by step and output the final answer after "####".`` and use the ``data_source``
``openai/gsm8k``; their scorers read ``#### <number>`` (the last one). Ours reads every ``####`` answer
with the box rule: answers that disagree, hedges and a box that says something else score 0.
"""

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.integrations.verl import compute_score
from guru_envs.verify.extract import boxed, hash_answers

INSTRUCTION = 'Let\'s think step by step and output the final answer after "####".'
QUESTION = (
    "Natalia sold 48 clips in April and half as many clips in May. How many clips did she sell altogether?"
)
BOXED = " Please output the final answer within \\boxed{}."


def row(source, gold, prompt):
    return {
        "data_source": source,
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "math",
        "reward_model": {"style": "rule", "ground_truth": gold},
        "extra_info": {"split": "test", "index": 0},
    }


# what verl's gsm8k.py writes in extra_info (answer_raw is GSM8K's worked solution)
VERL_EXTRA = {"split": "test", "index": 0, "answer": "48/2 = <<48/2=24>>24\n#### 72", "question": QUESTION}


def reward(source, gold, response, prompt):
    return guru_envs.score(Task.from_record(row(source, gold, prompt)), response).reward


CASES = [
    # (response, reward) for the gold 72
    ("48 / 2 = 24 clips in May, 48 + 24 = 72.\n#### 72", 1.0),
    ("The answer is #### 72", 1.0),
    ("####72", 1.0),
    ("##### 72", 1.0),
    ("#### **72**.", 1.0),
    ("#### $72$", 1.0),
    ("#### 72 clips", 1.0),
    ("#### 072", 1.0),
    ("#### Final Answer: 72", 1.0),
    ("#### Step 1: April\n48\n#### Step 2: May\n24\n#### 72", 1.0),  # markdown headings are no answers
    ("#### 1. Setting up\n48 + 24\n#### 72", 1.0),
    ('I must write the answer after "####".\n#### 72', 1.0),  # a quoted mark is a mention
    ("#### 72\n#### 72", 1.0),  # the same answer twice
    ("#### 72\n\\boxed{72}", 1.0),
    ("\\boxed{72}", 1.0),  # a box is read as everywhere
    ("<think>#### 71</think>#### 72", 1.0),  # reasoning before </think> never counts
    ("#### 73", 0.0),
    ("The answer is 72", 0.0),  # no mark: the form the row asks for is missing
    ("#### 72\n#### 73", 0.0),  # two different answers
    ("#### 72 #### 73", 0.0),
    ("#### 73\n#### 72", 0.0),
    ("#### 72 or 73", 0.0),
    ("#### 72 (or 73)", 0.0),
    ("#### 72\n#### or 73", 0.0),  # a hedge is no heading
    ("#### 72\n#### Alternatively, 73", 0.0),
    ("#### 72\n#### maybe 73", 0.0),
    ("#### 72\n\\boxed{73}", 0.0),  # the mark and the box disagree
    ("\\boxed{72}\n#### 73", 0.0),
    ("#### 72?", 0.0),
    ("#### ~72", 0.0),
    ("#### 72, 73", 0.0),
    ("#### 72 \\text{ or } 73", 0.0),
    ("#### not 73", 0.0),
    ("#### 72}", 0.0),  # unpaired braces: the box would close elsewhere
    ("#### {72", 0.0),
    ("#### 1. 73\n#### 72", 0.0),  # a numbered line whose title is a number is an answer
    ("#### -72", 0.0),
    ("#### 48 + 24", 1.0),  # a value written as a sum is paid, as in a box (the question does not write it)
]


@pytest.mark.parametrize(("response", "expected"), CASES)
def test_gsm8k_rows_read_the_hash_answer(response, expected):
    assert reward("openai/gsm8k", "72", response, f"{QUESTION} {INSTRUCTION}") == expected
    # verl hands no prompt: the data_source says the row asks for "####"; its extra_info keeps the question
    assert compute_score("openai/gsm8k", response, "72", VERL_EXTRA) == expected


@pytest.mark.parametrize(
    "instruction",
    [
        INSTRUCTION,
        "Think step by step and also include a tentative numeric answer at the end in the exact format: '#### ANSWER'.",
        "Output the final answer after ####.",
    ],
)
def test_any_source_whose_prompt_asks_for_the_mark(instruction):
    prompt = f"{QUESTION} {instruction}"
    assert reward("math__my_gsm_copy", "72", "#### 72", prompt) == 1.0
    assert reward("math__my_gsm_copy", "72", "#### 72\n#### 73", prompt) == 0.0


def test_rows_that_ask_for_a_box_read_no_mark():
    # as an "Answer:" line in a row that asks for a box, a "####" line is prose there
    prompt = QUESTION + BOXED
    assert reward("math__math", "72", "#### 72", prompt) == 0.0
    assert reward("math__math", "72", "\\boxed{72}", prompt) == 1.0
    assert reward("math__math", "72", "#### Step 1\n\\boxed{72}", prompt) == 1.0


def test_no_answer_says_which_form_is_asked():
    verdict = guru_envs.score(Task.from_record(row("openai/gsm8k", "72", QUESTION)), "It is 72.")
    assert verdict.reward == 0.0 and "####" in verdict.reason and "####" in verdict.feedback


@pytest.mark.parametrize(
    ("response", "answers"),
    [
        ("#### 72", ["72"]),
        ("text #### 72 and #### 73", ["72 and", "73"]),
        ("#### Step 1: add\n#### 1. Setup\n#### 📌 Summary", []),
        ("#### Answer: **72**", ["72"]),
        ("#### or 73", ["or 73"]),
        ("####\n#### ...\n#### -", []),  # nothing with a letter or a digit
        ("#### \\boxed{72}", []),  # a box is read as a box
        ('after "####" and `####`', []),
        ("### 72", []),  # three marks are a heading level, not GSM8K's mark
    ],
)
def test_hash_answers(response, answers):
    assert hash_answers(response) == answers


@pytest.mark.parametrize(
    ("answer", "box"),
    [("72", "\\boxed{72}"), ("{a}", "\\boxed{{a}}"), ("a\\}", "\\boxed{a\\}}"), ("a}", None), ("}{", None)],
)
def test_boxed_keeps_the_answer_whole(answer, box):
    assert boxed(answer) == box
