"""CRUXEval answers are one claim: ``assert f(...) == X`` and nothing beside it that says something else.

A red team's holes (each was paid 1.0): repeated dict keys in the asserted value or the call (the last
wins), a ``#`` comment or an assertion message holding an alternative, and other assertions beside the
right one (``!=``, ``not``, ``in``), which were silently dropped. GURU's scorer executes the assertion,
so ``assert X == f(...)`` (the reversed form) is paid there and here. Rows are built as Reasoning360's
``data_preprocess/simulation/cruxeval-o.py`` / ``cruxeval-i.py`` write them.
"""

import json

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.integrations.verl import compute_score

F = "def f(d):\n    return {k: v * 2 for k, v in d.items()}"
CALL = "f({'a': 1, 'b': 2})"
RIGHT = "{'a': 2, 'b': 4}"
OUT_PROMPT = (
    "You will be given a Python function and an assertion containing an input to the function. Complete the "
    "assertion with a literal (no unsimplified expressions, no function calls) containing the output when "
    "executing the provided code on the given input, even if the function is incorrect or incomplete. Do NOT "
    "output any extra information. Execute the program step by step before arriving at an answer, and provide "
    "the full assertion with the correct output in ```python and ``` tags, following the examples.\n\n"
    f"```python\n{F}\nassert {CALL} == ??\n```\n"
)
IN_PROMPT = (
    "You will be given a function f and an output in the form f(??) == output. Your task is to find any input "
    "such that executing f on the input leads to the given output. Express your answer as a passing assertion "
    "containing the input and the given output.\n\n"
    f"```python\n{F}\nassert f(??) == {RIGHT}\n```\n"
)


def extra(mode):
    info = {"split": "test", "index": 0, "dataset": f"cruxeval-{mode}", "task_id": "sample_0"}
    info["original_prompt"] = OUT_PROMPT if mode == "o" else IN_PROMPT
    if mode == "o":
        info["reference"] = RIGHT
    return info


def task(mode, reference=True):
    info = extra(mode)
    if not reference:
        info.pop("reference", None)
    return Task.from_record(
        {
            "data_source": f"simulation__cruxeval-{mode}",
            "prompt": [{"role": "user", "content": info["original_prompt"]}],
            "ability": "simulation",
            "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": F})},
            "extra_info": info,
        }
    )


def py(text, tag="python"):
    return f"Tracing f step by step.\n\n```{tag}\n{text}\n```"


def rewards(mode, response):
    """The reward on the task path (with and without the reference) and on the verl path."""
    truth = json.dumps({"functional": F})
    paths = [guru_envs.score(task(mode), response).reward]
    if mode == "o":
        paths.append(guru_envs.score(task(mode, reference=False), response).reward)  # f runs in the sandbox
    paths.append(compute_score(f"simulation__cruxeval-{mode}", response, truth, extra(mode)))
    return set(paths)


ALT = "{'a': 3, 'b': 5}"

OUTPUT_CASES = [
    # (label, response, reward)
    ("the answer", py(f"assert {CALL} == {RIGHT}"), 1.0),
    ("the answer, restated function", py(f"{F}\nassert {CALL} == {RIGHT}"), 1.0),
    (
        "a comment inside the restated function",
        py(f"def f(d):\n    # doubles\n{F[9:]}\nassert {CALL} == {RIGHT}"),
        1.0,
    ),
    ("reversed: the value first", py(f"assert {RIGHT} == {CALL}"), 1.0),
    ("reversed, wrong value", py(f"assert {ALT} == {CALL}"), 0.0),
    ("both orders together", py(f"assert {CALL} == {RIGHT}\nassert {RIGHT} == {CALL}"), 1.0),
    ("the same assertion twice", py(f"assert {CALL} == {RIGHT}\nassert {CALL} == {RIGHT}"), 1.0),
    ("parenthesized", py(f"assert ({CALL} == {RIGHT})"), 1.0),
    ("a literal over two lines", py(f"assert {CALL} == {{'a': 2,\n    'b': 4}}"), 1.0),
    ("a keyword call", py(f"assert f(d={{'a': 1, 'b': 2}}) == {RIGHT}"), 1.0),
    ("```py fence", py(f"assert {CALL} == {RIGHT}", "py"), 1.0),
    ("```Python3 fence", py(f"assert {CALL} == {RIGHT}", "Python3"), 1.0),
    ("[ANSWER] tags", f"[ANSWER]\nassert {CALL} == {RIGHT}\n[/ANSWER]", 1.0),
    ("a bare line in prose", f"So the result is:\nassert {CALL} == {RIGHT}\nDone.", 1.0),
    # repeated keys: the last one wins in Python, so the literal says two things
    ("repeated keys in the value", py(f"assert {CALL} == {{'a': 3, 'b': 5, 'a': 2, 'b': 4}}"), 0.0),
    ("a key repeated with the same value", py(f"assert {CALL} == {{'a': 2, 'b': 4, 'a': 2}}"), 0.0),
    ("keys that collide (True and 1)", py(f"assert {CALL} == {{True: 2, 1: 2}}"), 0.0),
    ("repeated keys in the call", py(f"assert f({{'a': 7, 'b': 2, 'a': 1}}) == {RIGHT}"), 0.0),
    ("repeated keys, reversed", py(f"assert {{'a': 3, 'a': 2, 'b': 4}} == {CALL}"), 0.0),
    # comments and messages beside the literal
    ("a comment holding an alternative", py(f"assert {CALL} == {RIGHT}  # or {ALT}"), 0.0),
    ("a comment on the next line", py(f"assert {CALL} == {RIGHT}\n# or maybe {ALT}"), 0.0),
    ("a comment before the assertion", py(f"# {ALT}?\nassert {CALL} == {RIGHT}"), 0.0),
    ("a comment inside the literal", py(f"assert {CALL} == {{'a': 2,  # or 3\n    'b': 4}}"), 0.0),
    ("an assertion message", py(f"assert {CALL} == {RIGHT}, 'or maybe {{\"a\": 3}}'"), 0.0),
    ("a message in [ANSWER] tags", f"[ANSWER]\nassert {CALL} == {RIGHT}, 'x'\n[/ANSWER]", 0.0),
    ("a comment on a bare line", f"So:\nassert {CALL} == {RIGHT}  # or {ALT}\nDone.", 0.0),
    # other assertions and statements beside the one claim
    ("assert !=", py(f"assert {CALL} == {RIGHT}\nassert {CALL} != {ALT}"), 0.0),
    ("assert not ==", py(f"assert {CALL} == {RIGHT}\nassert not {CALL} == {ALT}"), 0.0),
    ("assert in", py(f"assert {CALL} == {RIGHT}\nassert {CALL} in ({RIGHT}, {ALT})"), 0.0),
    ("assert in alone", py(f"assert {CALL} in ({RIGHT}, {ALT})"), 0.0),
    ("a chained comparison", py(f"assert {CALL} == {RIGHT} == {RIGHT}"), 0.0),
    ("two statements on a line", py(f"assert {CALL} == {RIGHT}; assert {CALL} != 1"), 0.0),
    ("assert != on a bare line", f"So:\nassert {CALL} == {RIGHT}\nassert {CALL} != {ALT}\nDone.", 0.0),
    ("assert not on a bare line", f"So:\nassert {CALL} == {RIGHT}\nassert not {CALL} == {ALT}\nDone.", 0.0),
    ("an assignment beside it", py(f"result = {ALT}\nassert {CALL} == {RIGHT}"), 0.0),
    ("a print beside it", py(f"print({CALL})\nassert {CALL} == {RIGHT}"), 0.0),
    ("a string statement beside it", py(f'assert {CALL} == {RIGHT}\n"or {ALT}"'), 0.0),
    (
        "an assertion inside a definition",
        py(f"def g():\n    assert {CALL} == {ALT}\nassert {CALL} == {RIGHT}"),
        0.0,
    ),
    ("the assertion under an if", py(f"if True:\n    assert {CALL} == {RIGHT}"), 0.0),
    ("a wrong value", py(f"assert {CALL} == {ALT}"), 0.0),
    # a block that does not parse cannot hide what else it says: its assertion is not read
    ("junk hides a comment", py(f"assert {CALL} == {RIGHT}\n# or {ALT}\n???"), 0.0),
    ("junk hides a print", py(f"assert {CALL} == {RIGHT}\nprint({ALT})\nsee above ->"), 0.0),
    ("junk in [ANSWER] tags", f"[ANSWER]\nassert {CALL} == {RIGHT}\nresult = {ALT} ?\n[/ANSWER]", 0.0),
    (
        "the prompt's block copied, then the answer",
        py(f"{F}\nassert {CALL} == ??") + py(f"assert {CALL} == {RIGHT}"),
        1.0,
    ),
    # after the answer block: a second assertion or a stated output is a second answer (round-2 red team, D)
    ("a bare assertion after the fence", py(f"assert {CALL} == {RIGHT}") + f"\nassert {CALL} == {ALT}", 0.0),
    (
        "alternatively the output is",
        py(f"assert {CALL} == {RIGHT}") + f"\nAlternatively the output is {ALT}.",
        0.0,
    ),
    ("the output could also be", py(f"assert {CALL} == {RIGHT}") + f"\nThe output could also be {ALT}.", 0.0),
    ("the output is, after", py(f"assert {CALL} == {RIGHT}") + f"\nThe output is {ALT}.", 0.0),
    ("a box after", py(f"assert {CALL} == {RIGHT}") + f"\n\\boxed{{{ALT}}}", 0.0),
    ("an Answer: line after", py(f"assert {CALL} == {RIGHT}") + f"\nAnswer: {ALT}", 0.0),
    (
        "f returns, after [ANSWER]",
        f"[ANSWER]\nassert {CALL} == {RIGHT}\n[/ANSWER]\n{CALL} returns {ALT}.",
        0.0,
    ),
    ("assert != after the fence", py(f"assert {CALL} == {RIGHT}") + f"\nassert {CALL} != {RIGHT}", 0.0),
    # the same value or assertion restated, and explanations, are fine
    ("the output restated after", py(f"assert {CALL} == {RIGHT}") + f"\nThe output is {RIGHT}.", 1.0),
    ("the assertion restated after", py(f"assert {CALL} == {RIGHT}") + f"\nassert {CALL} == {RIGHT}", 1.0),
    ("the same box after", py(f"assert {CALL} == {RIGHT}") + f"\n\\boxed{{{RIGHT}}}", 1.0),
    (
        "an explanation after",
        py(f"assert {CALL} == {RIGHT}") + "\nEach value is doubled, so 1 becomes 2 and 2 becomes 4.",
        1.0,
    ),
    (
        "a literal that does not end the clause",
        py(f"assert {CALL} == {RIGHT}") + f"\nf returns {CALL[2:-1]} with each value doubled.",
        1.0,
    ),
]


@pytest.mark.parametrize(("label", "response", "reward"), OUTPUT_CASES, ids=[c[0] for c in OUTPUT_CASES])
def test_output_prediction_is_one_claim(label, response, reward):
    assert rewards("o", response) == {reward}


INPUT_CASES = [
    ("an input that works", py(f"assert f({{'a': 1, 'b': 2}}) == {RIGHT}"), 1.0),
    ("reversed", py(f"assert {RIGHT} == f({{'b': 2, 'a': 1}})"), 1.0),
    ("repeated keys in the input", py(f"assert f({{'a': 7, 'b': 2, 'a': 1}}) == {RIGHT}"), 0.0),
    ("repeated keys in the target", py("assert f({'a': 1, 'b': 2}) == {'a': 9, 'a': 2, 'b': 4}"), 0.0),
    ("a comment with another input", py(f"assert f({{'a': 1, 'b': 2}}) == {RIGHT}  # or f({{'a': 5}})"), 0.0),
    (
        "another assertion beside it",
        py(f"assert f({{'a': 1, 'b': 2}}) == {RIGHT}\nassert f({{}}) != {RIGHT}"),
        0.0,
    ),
]


@pytest.mark.parametrize(("label", "response", "reward"), INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_input_prediction_is_one_claim(label, response, reward):
    assert rewards("i", response) == {reward}


def test_the_functions_own_assertions_may_be_restated():
    code = "def f(xs):\n    assert isinstance(xs, list)\n    return xs[::-1]"
    prompt = f"Complete the assertion.\n\n```python\n{code}\nassert f([1, 2]) == ??\n```\n"
    row = {
        "data_source": "simulation__cruxeval-o",
        "prompt": [{"role": "user", "content": prompt}],
        "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": code})},
        "extra_info": {"index": 0, "reference": "[2, 1]"},
    }
    t = Task.from_record(row)
    assert guru_envs.score(t, py(f"{code}\nassert f([1, 2]) == [2, 1]")).reward == 1.0
    changed = code.replace("list)", "tuple)")
    assert guru_envs.score(t, py(f"{changed}\nassert f([1, 2]) == [2, 1]")).reward == 0.0
