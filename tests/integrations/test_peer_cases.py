"""Peer projects' own scorer test cases, mapped onto our families and GURU/verl rows.

Each case names the peer file it comes from. The expected verdict is what is right for the task, not
what the peer's scorer returns: where a peer pays a wrong answer (a float tolerance the task never
states, partial credit, a random letter when no choice is found) the case is marked "deliberate".
Peers read: volcengine/verl (tests/utils/reward_score), LLM360/Reasoning360 (verl/utils/reward_score:
math_dapo, codeio, supergpqa, tablereason, graph_dataset, arcagi) and open-thought/reasoning-gym (tests/).
"""

from __future__ import annotations

import json

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.integrations.verl import compute_score

BOXED = " Please output the final answer within \\boxed{}."


def row(source, ground_truth, prompt, ability="math"):
    return {
        "data_source": source,
        "prompt": [{"role": "user", "content": prompt}],
        "ability": ability,
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {"index": 0, "split": "test"},
    }


def reward(source, ground_truth, response, prompt="Solve it." + BOXED, ability="math"):
    return guru_envs.score(Task.from_record(row(source, ground_truth, prompt, ability)), response).reward


# ------------------------------------------------ verl: test_numeric_canonicalization_on_cpu.py
@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        ("033", "33", 1.0),
        ("+033", "33", 1.0),
        ("-0", "0", 1.0),
        ("000", "0", 1.0),
        ("33", "033", 1.0),
        ("33", "3.3", 0.0),  # the helper leaves "3.3" alone: it is another number
        ("33", "33a", 0.0),
    ],
)
def test_verl_numeric_canonicalization(gold, answer, expected):
    assert reward("lighteval/MATH", gold, f"\\boxed{{{answer}}}") == expected


# ------------------------------------------------ Reasoning360 / verl: reward_score/math_dapo.py
# DAPO-Math rows ask for a last line "Answer: $Answer"; verl scores math_dapo and aime* sources by it.
DAPO_PROMPT = (
    "Solve the following math problem step by step. The last line of your response should be of the form "
    "Answer: $Answer (without quotes) where $Answer is the answer to the problem.\n\nWhat is 6 times 7?\n\n"
    'Remember to put your answer on its own line after "Answer:".'
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("6 times 7 is 42.\nAnswer: 42", 1.0),
        ("Answer: $42$", 1.0),
        ("**Answer:** 42", 1.0),
        ("Answer: \\boxed{42}", 1.0),
        ("Answer: **42**.", 1.0),  # emphasis before an end period
        ("\\boxed{42}\nAnswer: 42", 1.0),
        ("<think>Answer: 41</think>\nAnswer: 42", 1.0),  # reasoning before </think> never counts
        ("Answer: 41", 0.0),
        ("Answer: 42 or 43", 0.0),  # a hedge stays refused on this line too
        ("Answer: 41\nAnswer: 42", 0.0),  # two different final answers
        ("\\boxed{41}\nAnswer: 42", 0.0),
        ("Answer: 42 = 43", 0.0),  # a false equation
        ("The answer: 42", 0.0),  # only a line that starts with the label is the answer line
    ],
)
@pytest.mark.parametrize("source", ["math_dapo", "aime2024", "math__merged_deduped_dapo_or1_dataset"])
def test_dapo_answer_line(source, response, expected):
    assert reward(source, "42", response, prompt=DAPO_PROMPT) == expected


def test_dapo_answer_line_through_verl_without_the_prompt():
    # verl hands a reward function no prompt: the source alone says the row is scored by its answer line
    assert compute_score("math_dapo", "so\nAnswer: 42", "42") == 1.0
    assert compute_score("math_dapo", "so\nAnswer: 41", "42") == 0.0


def test_rows_that_ask_for_a_box_still_need_one():
    assert reward("math__deepscaler_preview", "42", "Answer: 42", prompt="What is 6 times 7?" + BOXED) == 0.0


# ------------------------------------------------ Reasoning360: reward_score/codeio.py (__main__ examples)
@pytest.mark.parametrize(
    ("ground_truth", "answer", "expected"),
    [
        ('"input": {"upper_limit": 2719}', {"input": {"upper_limit": 2924}}, 0.0),
        ('"input": {"preorder": "[97]", "inorder": "[97]"}', {"preorder": "[97]", "inorder": "[97]"}, 1.0),
        ('"output": {"result": 42}', {"output": {"result": 42}}, 1.0),
        # GURU's preprocessing wrote booleans as "true" strings; its scorer (and ours) reads them back
        ('"output": {"answer": "true"}', {"answer": True}, 1.0),
    ],
)
def test_reasoning360_codeio_examples(ground_truth, answer, expected):
    response = "```json\n" + json.dumps(answer) + "\n```"
    assert reward("simulation__codeio", ground_truth, response, ability="simulation") == expected


# ------------------------------------------------ Reasoning360: reward_score/supergpqa.py
CHOICES = "Which is three?\nA) one\nB) two\nC) three\nD) four\nPut the letter of your answer in \\boxed{}."


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("\\boxed{C}", 1.0),
        ("Final Answer: C\n", 1.0),  # the scorer's fallback when nothing is boxed
        ("The answer is: C\n", 1.0),
        ("\\boxed{D}", 0.0),
        ("I cannot tell.", 0.0),  # deliberate: supergpqa.py draws a random letter, which pays 1 time in 10
        ("\\boxed{ABCD}", 0.0),  # deliberate: supergpqa.py takes the first option letter it finds in the box
    ],
)
def test_reasoning360_supergpqa_answer_forms(response, expected):
    assert reward("stem__supergpqa", "C", response, prompt=CHOICES, ability="stem") == expected


# ------------------------------------------------ Reasoning360: reward_score/tablereason.py
TABLE_PROMPT = "| year | sales |\n|---|---|\n| 2019 | 1234 |\nAnswer the question." + BOXED


@pytest.mark.parametrize(
    ("ground_truth", "answer", "expected"),
    [
        ("1234", "\\$1,234", 1.0),
        ("china|japan", "japan | china", 1.0),  # several answers in any order
        ("china|japan", "china", 0.0),
        ("12|15", "15|13", 0.0),
        ("25.3", "25.3\\%", 1.0),
        ("yes", "\\text{Yes}", 1.0),
        # deliberate: GURU's 1e-3 relative tolerance pays 1235 for the whole number 1234
        ("1234", "1235", 0.0),
        ("3.5448717948717947", "3.545", 1.0),  # the tolerance still serves values GURU stored unrounded
    ],
)
def test_reasoning360_tablereason(ground_truth, answer, expected):
    response = f"\\boxed{{{answer}}}"
    assert reward("table__hitab", ground_truth, response, prompt=TABLE_PROMPT, ability="table") == expected


# ------------------------------------------------ Reasoning360: graph_dataset.py and arcagi.py answer forms
def test_reasoning360_graph_answer_is_case_insensitive():
    assert reward("logic__graph_logical_dataset", "fdebme", "<answer>FDEBME</answer>", ability="logic") == 1.0
    assert reward("logic__graph_logical_dataset", "fdebme", "<answer>fdebmf</answer>", ability="logic") == 0.0


def test_reasoning360_arcagi_grid_over_several_lines():
    response = "<answer>\n[[1, 0],\n [0, 2]]\n</answer>"
    assert reward("simulation__arcagi1", [[1, 0], [0, 2]], response, ability="logic") == 1.0
    assert reward("simulation__arcagi1", [[1, 0], [0, 3]], response, ability="logic") == 0.0


# ------------------------------------------------ reasoning-gym: tests/test_knights_knaves.py (test_score_answer)
@pytest.fixture(scope="module")
def two_islanders():
    family = guru_envs.catalog().family("logic", "knights_knaves")
    task = family.sample(3, 1)
    assert len(task.answer) == 2
    return task


def _knights_cases(task):
    (a, ra), (b, rb) = task.answer.items()
    other = {"knight": "knave", "knave": "knight"}
    return [
        (f"{a} is a {ra}, and {b} is a {rb}.", 1.0),  # the peer's own answer sentence
        (f"({a}, {ra}), ({b}, {rb})", 1.0),  # "modified_answer": pairs in parentheses
        (f"({b},{rb}), ({a},{ra})", 1.0),  # "flipped_answer": the other order, no spaces
        (f"[('{a}', '{ra}'), ('{b}', '{rb}')]", 1.0),  # the same pairs as a Python list
        (f"{a} {other[ra]} {b} {rb}", 0.0),  # "wrong_answer"
        # "half_answer": the peer pays 0.65 for one islander right; deliberate: every islander must be right
        (f"{a} is a {ra} and {b} is a {other[rb]}.", 0.0),
        (f"({a}, {ra}), ({a}, {other[ra]}), ({b}, {rb})", 0.0),  # one islander given both roles
        (f"({a}, {ra} or {other[ra]}), ({b}, {rb})", 0.0),  # a hedge inside a pair
    ]


def test_reasoning_gym_knights_and_knaves(two_islanders):
    for text, expected in _knights_cases(two_islanders):
        assert guru_envs.score(two_islanders, f"<answer>{text}</answer>").reward == expected, text


# ------------------------------------------------ reasoning-gym: tests/test_scoring.py (cascade_score)
@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        ("42", "42", 1.0),
        ("42", "\\text{42}", 1.0),
        ("42", "\\(42\\)", 1.0),
        ("42", "99", 0.0),
        ("42", "", 0.0),
        ("5\\text{ cm}", "5\\mathrm{cm}", 1.0),  # \mathrm{cm} read as the unit it is
        # deliberate: float_match's 1% tolerance; an exact question's 100.05 is not 100
        ("100", "100.05", 0.0),
        ("100", "100.5", 0.0),
        ("-5.0", "5.0", 0.0),
    ],
)
def test_reasoning_gym_cascade(gold, answer, expected):
    assert reward("math__math", gold, f"\\boxed{{{answer}}}") == expected


# ------------------------------------------------ reasoning-gym: test_decimal_chain_sum.py, test_power_function.py
@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        ("1.2", "1.200", 1.0),
        ("1.200", "1.20", 1.0),
        ("-0.500", "-0.5", 1.0),
        ("0.100", "0.1", 1.0),
        ("0.300", "0.3", 1.0),
        ("1.200", "1.200000001", 0.0),
        ("1.200", "1.199999999", 0.0),
        ("1.200", "invalid", 0.0),
        ("1.200", "1.2.3", 0.0),
        ("1.0", "1.000e+00", 1.0),
        ("-8.000", "-8.00", 1.0),
        ("0.000001", "1.00e-6", 1.0),
        ("1000.0", "999.0", 0.0),
        # deliberate: the peer's task asks for 3 significant figures; a row that asks for none wants 0.9999
        ("0.9999", "1.00", 0.0),
    ],
)
def test_reasoning_gym_decimal_forms(gold, answer, expected):
    assert reward("math__math", gold, f"\\boxed{{{answer}}}") == expected


# ------------------------------------------------ reasoning-gym: tests/test_prime_factorization.py
FACTOR_PROMPT = "Find the prime factorization of 12. Write the factors separated by \\times." + BOXED


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("2 \\times 2 \\times 3", 1.0),
        ("2×2×3", 1.0),  # no spaces
        ("2 \\times 3 \\times 2", 1.0),  # shuffled
        ("2^2 \\cdot 3", 1.0),
        ("2 \\times 6", 0.0),  # the peer pays 0.5 for a partial factoring; it is not the factorization
        ("2 \\times 5", 0.0),
        ("12", 0.0),  # the number itself, equal in value, is not its factorization
        ("", 0.0),
    ],
)
def test_reasoning_gym_prime_factorization(answer, expected):
    assert (
        reward("math__math", "2 \\times 2 \\times 3", f"\\boxed{{{answer}}}", prompt=FACTOR_PROMPT)
        == expected
    )


def test_factorization_rule_only_where_a_factorization_is_asked():
    assert reward("math__math", "2^2 \\times 3", "\\boxed{12}", prompt="Compute $4 \\cdot 3$." + BOXED) == 1.0


# ------------------------------------------------ reasoning-gym: tests/test_polynomial_equations.py
def test_reasoning_gym_polynomial_roots():
    task = guru_envs.catalog().family("math", "quadratic").sample(0, 1)
    assert task.answer == "2, 12"
    for answer, expected in [
        ("2, 12", 1.0),
        ("12, 2", 1.0),
        ("2.0001, 12", 0.0),  # deliberate: the peer pays 0.9994 for a near miss
        ("2", 0.0),  # a missing root (peer: 0.5)
        ("2, 12, 5", 0.0),  # an extra root (peer: 0.5)
        ("-2, -12", 0.0),
    ]:
        assert guru_envs.score(task, f"\\boxed{{{answer}}}").reward == expected, answer


# ------------------------------------------------ reasoning-gym: test_arc_agi.py, test_game_of_life.py, test_sudoku.py
def test_reasoning_gym_grid_forms():
    catalog = guru_envs.catalog()
    arc = catalog.family("logic", "arc_procedural").sample(0, 1)
    rows = "\n".join(" ".join(str(c) for c in r) for r in arc.answer)
    assert guru_envs.score(arc, f"<answer>\n{rows}\n</answer>").reward == 1.0  # the peer's own grid text
    assert guru_envs.score(arc, "<answer>invalid grid format</answer>").reward == 0.0
    assert guru_envs.score(arc, "<answer>1 0 0 0\n0 0 0 1</answer>").reward == 0.0  # peer: 0.05

    sudoku = catalog.family("logic", "sudoku").sample(0, 1)
    rows = "\n".join(" ".join(str(c) for c in r) for r in sudoku.answer)
    assert guru_envs.score(sudoku, f"<answer>\n{rows}\n</answer>").reward == 1.0

    life = catalog.family("simulation", "cellular_automaton").sample(0, 4)
    cells = [[1 if ch == "#" else 0 for ch in r] for r in life.answer]
    assert guru_envs.score(life, "```json\n" + json.dumps(cells) + "\n```").reward == 1.0  # 0/1 int grid
    assert guru_envs.score(life, "invalid json").reward == 0.0
    cells[0][0] ^= 1
    # the peer pays a share of the cells; deliberate: the final state must match cell for cell
    assert guru_envs.score(life, "```json\n" + json.dumps(cells) + "\n```").reward == 0.0


# ------------------------------------------------ huggingface/Math-Verify: tests/ (gold, prediction)
@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        # semicolons separate a tuple's coordinates in some curricula (numina_cases)
        ("(0;0;0),(0;-2;0)", "(0, 0, 0), (0, -2, 0)", 1.0),
        ("(0;-2;6)", "(0,-2,6)", 1.0),
        ("(0;-2;6)", "(0,6,-2)", 0.0),
        # solutions joined by "and", given with semicolons (numina_cases)
        ("p = 5, q = 2 \\quad\\text{and}\\quad p = 7, q = 2", "p=5,q=2;p=7,q=2", 1.0),
        ("p = 5, q = 2 \\quad\\text{and}\\quad p = 7, q = 2", "p=5,q=7;p=2,q=2", 0.0),
        # a list whose last comma is English (yujianll)
        ("19, 46, and 82", "19, 46, \\text{ and } 82", 1.0),
        ("19, 46, and 82", "19, 46, 82", 1.0),
        ("19, 46, and 82", "19, 46, 83", 0.0),
        # a matrix whose last row ends with a row break (complex_math_expressions)
        ("\\begin{pmatrix}1&0\\\\0&1\\\\\\end{pmatrix}", "\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}", 1.0),
        ("\\begin{pmatrix}1&0\\\\0&1\\\\\\end{pmatrix}", "\\begin{pmatrix}1&0\\\\0&2\\end{pmatrix}", 0.0),
        # an equation is not answered by the value of one side (older test_all cases, expected 0)
        ("a +z = 0", "0", 0.0),
        ("x+z=1", "1", 0.0),
    ],
)
def test_math_verify_cases(gold, answer, expected):
    assert reward("lighteval/MATH", gold, f"\\boxed{{{answer}}}") == expected


def test_the_value_of_an_equation_the_question_asks_for_is_paid():
    prompt = "Then $m$ and $n$ are coprime. Find $m+n$." + BOXED
    assert reward("lighteval/MATH", "m+n=7", "\\boxed{7}", prompt=prompt) == 1.0


# ------------------------------------------------ Reasoning360: data_preprocess/math/*.py (verl path)
# GURU's math rows keep the question in extra_info.original_question (deepscaler_preview.py,
# dapo_or1_merge_deduped.py); verl hands a reward function no prompt, so the copy-of-the-question check
# reads it there. naive_dapo/prime_math pay the copies (they evaluate them); deliberate: a copy of the
# question's expression is not an answer.
@pytest.mark.parametrize(
    ("question", "gold", "answer", "expected"),
    [
        ("Compute $3+4$.", "7", "3+4", 0.0),
        ("Compute $2^{10}$.", "1024", "2^{10}", 0.0),
        ("Simplify $\\frac{6}{8}$.", "\\frac{3}{4}", "\\frac{6}{8}", 0.0),
        ("Compute $12 \\times 13$.", "156", "13 \\times 12", 0.0),
        ("What is $\\frac{5}{3} + \\frac{15}{8}$?", "\\frac{85}{24}", "\\frac{5}{3} + \\frac{15}{8}", 0.0),
        ("Compute $\\frac{10!}{8!}$.", "90", "\\frac{10!}{8!}", 0.0),
        ("Compute 7 choose 2.", "21", "\\binom{7}{2}", 0.0),
        (
            "Sam has 5 apples and eats 2. How many apples are left?",
            "3",
            "3 \\text{ apples}",
            1.0,
        ),  # a word of it
    ],
)
def test_verl_reads_guru_original_question(question, gold, answer, expected):
    extra = {"split": "train", "index": 0, "reward_metric": "default", "original_question": question}
    response = f"Thus $\\boxed{{{answer}}}$."
    assert compute_score("math__merged_deduped_dapo_or1_dataset", response, gold, extra) == expected


# ------------------------------------------------ Reasoning360: data_preprocess/simulation/cruxeval-o.py (verl path)
# The prompt (function and call) is in extra_info.original_prompt, the output in extra_info.reference.
CRUX_F = "def f(s):\n    return s[::-1]"
CRUX_O = (
    "You will be given a Python function and an assertion containing an input to the function. Complete the "
    "assertion with a literal ... provide the full assertion with the correct output in ```python and ``` tags, "
    f"following the examples.\n\n```python\n{CRUX_F}\nassert f('abc') == ??\n```\n"
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("```python\nassert f('abc') == 'cba'\n```", 1.0),
        ("```python\nassert f(s='abc') == 'cba'\n```", 1.0),
        ("```python\nassert 'cba' == f('abc')\n```", 1.0),  # GURU executes the assertion: either order passes
        ("```python\nassert f('abc') == 'abc'\n```", 0.0),
    ],
)
def test_verl_cruxeval_reads_original_prompt(response, expected):
    extra = {
        "split": "test",
        "index": 0,
        "reference": "'cba'",
        "original_prompt": CRUX_O,
        "dataset": "cruxeval-o",
    }
    assert (
        compute_score("simulation__cruxeval-o", response, json.dumps({"functional": CRUX_F}), extra)
        == expected
    )


# ------------------------------------------------ Reasoning360: data_preprocess/stem/supergpqa.py (verl path)
# The options are in extra_info.original_prompt; supergpqa.py reads the letter with its option text.
SG = (
    "What is the SI unit of force?\nA) joule\nB) watt\nC) newton\nD) pascal\n\nPlease reason step by step, and put "
    "your final answer option within \\boxed{}. Only put the letter in the box, e.g. \\boxed{A}. There is only one "
    "correct answer."
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("\\boxed{C) newton}", 1.0),
        ("\\boxed{C. newton}", 1.0),
        ("\\boxed{newton}", 1.0),
        ("\\boxed{C) joule}", 0.0),
        ("\\boxed{C}", 1.0),
    ],
)
def test_verl_supergpqa_reads_original_prompt(response, expected):
    extra = {"split": "test", "index": 0, "original_prompt": SG, "dataset": "m-a-p/SuperGPQA"}
    assert compute_score("stem__supergpqa", response, "C", extra) == expected


# ------------------------------------------------ NovaSky-AI/SkyRL: skyrl-gym/tests/test_gsm8k.py; verl gsm8k.py strict
# verl's and SkyRL's GSM8K rows (data_source openai/gsm8k) ask for the final answer after "####".
GSM = (
    "Natalia sold 48 clips in April and half as many in May. How many altogether? "
    'Let\'s think step by step and output the final answer after "####".'
)


@pytest.mark.parametrize(
    ("gold", "response", "expected"),
    [
        ("42", "The answer is #### 42", 1.0),  # skyrl-gym
        ("43", "The answer is #### 42", 0.0),  # skyrl-gym
        ("42", "The answer is 42", 0.0),  # skyrl-gym: not in the expected format
        ("1000", "#### 1,000", 1.0),  # verl strict drops the thousands separator
        ("-5", "#### -5", 1.0),
        ("72", "48/2 = 24 and 48 + 24 = 72\n#### 72", 1.0),
        ("72", "#### 72\n#### 73", 0.0),  # deliberate: verl reads the last mark; two answers are two claims
        (
            "72",
            "\\boxed{72}",
            1.0,
        ),  # deliberate: verl strict reads only the mark; a box is an answer here too
    ],
)
def test_gsm8k_hash_answer(gold, response, expected):
    assert reward("openai/gsm8k", gold, response, prompt=GSM) == expected
    assert compute_score("openai/gsm8k", response, gold, {"split": "test", "index": 0}) == expected


# ------------------------------------------------ Reasoning360: reward_score/coder1 (reads ```(\w+)? fences, joins all)
CODE_STDIO = json.dumps({"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]})
CODE_SUM = "a, b = map(int, input().split())\nprint(a + b)"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (f"```py\n{CODE_SUM}\n```", 1.0),
        (f"```python3\n{CODE_SUM}\n```", 1.0),
        (f"```python\n{CODE_SUM}\n```\nExample usage:\n```python\n# input: 1 2 -> output: 3\n```", 1.0),
        # deliberate: the last block is the answer; coder1 joins every block (drafts too)
        (
            "```python\ndef add(a, b):\n    return a + b\n```\nThen:\n```python\na, b = map(int, input().split())\n"
            "print(add(a, b))\n```",
            0.0,
        ),
    ],
)
def test_code_fences(response, expected):
    assert (
        reward("codegen__primeintellect", CODE_STDIO, response, "Read two integers and print their sum.")
        == expected
    )


CODE_MBPP = json.dumps({"functional": "assert add(1, 2) == 3\nassert add(-1, 1) == 0"})


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            "```python\ndef add(a, b):\n    return a + b\n```\n```python\nassert add(1,2)==3\n```",
            1.0,
        ),  # its own test
        # deliberate: the last block is the answer (an import split from the function is not read)
        ("```python\nimport math\n```\n```python\ndef add(a, b):\n    return math.fsum([a, b])\n```", 0.0),
    ],
)
def test_code_solution_then_test_block(response, expected):
    assert reward("codegen__mbpp", CODE_MBPP, response, "Write add(a, b).") == expected
