"""GURU/verl rows of the Simulation domain: CodeI/O and CRUXEval score as GURU intends, without its holes."""

import json
import time

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.testing import HOSTILE_RESPONSES

CODEIO_PROMPT = (
    "You are given a question that requires some input and output variables as follows:\n\n"
    "Count the primes below an upper limit.\n\nThe input and output requirements are as follows:\n\n"
    'Input: upper_limit (int). Output: count (int).\n\nGiven the following input:\n\n{"upper_limit": 100}\n\n'
    "Can you predict the output without writing any code? Please reason and put your final answer in the "
    'following json format: {"output": <your output>}, where <your output> should strictly match the output '
    "requirement as specified."
)


def codeio_row(ground_truth, source="simulation__codeio"):
    return {
        "data_source": source,
        "prompt": [{"role": "user", "content": CODEIO_PROMPT}],
        "ability": "simulation",
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {"split": "train", "index": 7},
    }


def fenced(obj):
    return "Let me think.\n```json\n" + json.dumps(obj) + "\n```"


@pytest.mark.parametrize(
    ("ground_truth", "response", "reward"),
    [
        ('"output": 25', fenced({"output": 25}), 1.0),
        ('"output": 25', fenced({"output": 26}), 0.0),
        ('"output": 25', 'So the answer is {"output": 25}.', 1.0),  # unfenced object, as GURU reads it
        ('"output": 25', "\\boxed{25}", 1.0),
        ('"output": 25', fenced(25.0), 0.0),  # a float is not the integer output
        ('"output": 25', fenced({"output": "25"}), 0.0),  # a string is not a number
        ('"output": {"answer": "true"}', fenced({"answer": True}), 1.0),  # GURU's bool normalisation
        ('"output": {"answer": "true"}', fenced({"answer": False}), 0.0),
        ('"input": {"upper_limit": 2719}', fenced({"input": {"upper_limit": 2719}}), 1.0),
        ('"input": {"upper_limit": 2719}', fenced({"upper_limit": 2719}), 1.0),
        ('"input": {"upper_limit": 2719}', fenced({"input": {"upper_limit": 2924}}), 0.0),
        (
            '"input": {"preorder": "[97]", "inorder": "[97]"}',
            fenced({"preorder": "[97]", "inorder": "[97]"}),
            1.0,
        ),
        (
            '"input": {"preorder": "[97]", "inorder": "[97]"}',
            fenced({"preorder": [97], "inorder": [97]}),
            1.0,
        ),
        ('{"output": [1, 2]}', fenced({"output": [1, 2]}), 1.0),
        ('{"output": [1, 2]}', fenced({"output": [2, 1]}), 0.0),
        ("[1, 2]", fenced([1, 2]), 1.0),
        ('"output": 0.3333', fenced({"output": 0.3333}), 1.0),
        ('"output": 0.3333', fenced({"output": 0.3334}), 0.0),
        ('"output": {"b": 1, "a": [1.5, "x"]}', fenced({"output": {"a": [1.5, "x"], "b": 1}}), 1.0),
        ('"output": 25', "I cannot tell.", 0.0),
        ('"output": 25', "<think>" + fenced({"output": 25}) + "</think>" + fenced({"output": 3}), 0.0),
    ],
)
def test_codeio_rows(ground_truth, response, reward):
    task = Task.from_record(codeio_row(ground_truth))
    assert (task.domain, task.family) == ("simulation", "codeio")
    assert guru_envs.score(task, response).reward == reward


@pytest.mark.parametrize(
    "source", ["simulation__codeio", "simulation__codeio_fixed_12.1k", "simulation__codeio_500"]
)
def test_codeio_sources_route_here(source):
    task = Task.from_record(codeio_row('"output": 3', source))
    assert task.family == "codeio" and guru_envs.score(task, fenced({"output": 3})).reward == 1.0


@pytest.mark.parametrize("label", sorted(HOSTILE_RESPONSES))
def test_codeio_hostile(label):
    task = Task.from_record(codeio_row('"output": 25'))
    start = time.perf_counter()
    assert guru_envs.score(task, HOSTILE_RESPONSES[label]).reward == 0.0
    assert time.perf_counter() - start < 3.0


CODE_O = 'def f(text):\n    return text[::-1] + "!"'
CODE_T = "def f(a, b):\n    return (a + b, a * b)"


def crux_o_row(code, call, reference=None):
    prompt = (
        "You are given a Python function and an assertion containing an input to the function. Complete the "
        "assertion with a literal containing the output when executing the provided code on the given input. "
        "Provide the full assertion with the correct output in ```python and ``` tags.\n\n"
        f"```python\n{code}\nassert {call} == ??\n```\n"
    )
    extra = {"split": "test", "index": 3, "dataset": "cruxeval-o"}
    if reference is not None:
        extra["reference"] = reference
    return {
        "data_source": "simulation__cruxeval-o",
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "simulation",
        "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": code})},
        "extra_info": extra,
    }


def crux_i_row(code, output, functional=None):
    prompt = (
        "You will be given a function f and an output in the form f(??) == output. Your task is to find any input "
        "such that executing f on the input leads to the given output. You MUST surround the answer with [ANSWER] "
        "and [/ANSWER] tags.\n\n[PYTHON]\ndef f(x):\n    return x + 1\nassert f(??) == 17\n[/PYTHON]\n"
        "[ANSWER]\nassert f(16) == 17\n[/ANSWER]\n\n"
        f"[PYTHON]\n{code}\nassert f(??) == {output}\n[/PYTHON]\n[THOUGHT]\n"
    )
    return {
        "data_source": "simulation__cruxeval-i",
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "simulation",
        "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": functional or code})},
        "extra_info": {"split": "test", "index": 4},
    }


def py(text):
    return f"<think>Tracing it.</think>\n```python\n{text}\n```"


@pytest.mark.parametrize("with_reference", [True, False])
@pytest.mark.parametrize(
    ("response", "reward"),
    [
        (py('assert f("abc") == "cba!"'), 1.0),
        ('[ANSWER]\nassert f("abc") == "cba!"\n[/ANSWER]', 1.0),
        ('assert f("abc") == "cba!"', 1.0),  # a bare assertion line
        (py('assert f("abc") == "abc!"'), 0.0),
        (py('assert f("x") == "x!"'), 0.0),  # a different input than the prompt's
        (py("assert True"), 0.0),  # GURU's scorer would execute this and pass it
        (py('def f(text):\n    return 1\nassert f("abc") == 1'), 0.0),  # redefining f
        (py('assert f("abc") == f("abc")'), 0.0),  # not a literal
        (py('assert f("abc") == "cba!" or True'), 0.0),
        (py("import sys\nsys.exit(0)"), 0.0),
        (py('assert f("abc") == __import__("os").system("true")'), 0.0),
        ("no idea", 0.0),
    ],
)
def test_cruxeval_output_rows(response, reward, with_reference):
    row = crux_o_row(CODE_O, 'f("abc")', '"cba!"' if with_reference else None)
    task = Task.from_record(row)
    assert (task.family, task.answer["mode"]) == ("cruxeval", "output")
    assert guru_envs.score(task, response).reward == reward


def test_cruxeval_output_uses_python_equality():
    for reference in ("(3, 2)", None):  # from the reference, and by running f in the sandbox
        task = Task.from_record(crux_o_row(CODE_T, "f(1, 2)", reference))
        assert guru_envs.score(task, py("assert f(1, 2) == (3, 2)")).reward == 1.0
        assert guru_envs.score(task, py("assert f(1, 2) == [3, 2]")).reward == 0.0  # as executing would judge
        assert guru_envs.score(task, py("assert f(a=1, b=2) == (3, 2)")).reward == 1.0  # the same call
        assert guru_envs.score(task, py("assert f(b=1, a=2) == (3, 2)")).reward == 0.0  # a different call


@pytest.mark.parametrize(
    ("response", "reward"),
    [
        ('[ANSWER]\nassert f("abc") == "cba!"\n[/ANSWER]', 1.0),
        ('[ANSWER]\nassert f(text="abc") == "cba!"\n[/ANSWER]', 1.0),
        (py('assert f("abc") == "cba!"'), 1.0),
        ('[ANSWER]\nassert f("abd") == "dba!"\n[/ANSWER]', 0.0),  # asserts another output
        ('[ANSWER]\nassert f("abd") == "cba!"\n[/ANSWER]', 0.0),  # runs, returns something else
        ("[ANSWER]\nassert f(5) == 'cba!'\n[/ANSWER]", 0.0),  # f raises on an int
        ('[ANSWER]\nassert f(__import__("os").getcwd()) == "cba!"\n[/ANSWER]', 0.0),
        ("[ANSWER]\nassert True\n[/ANSWER]", 0.0),
    ],
)
def test_cruxeval_input_rows(response, reward):
    task = Task.from_record(crux_i_row(CODE_O, '"cba!"'))
    assert (task.family, task.answer["mode"]) == ("cruxeval", "input")
    assert guru_envs.score(task, response).reward == reward


def test_cruxeval_input_accepts_every_valid_input_and_bounds_runaways():
    task = Task.from_record(crux_i_row("def f(xs):\n    return sorted(xs)", "[1, 2, 3]"))
    for guess in ("[3, 1, 2]", "[1, 2, 3]", "(2, 3, 1)"):
        assert guru_envs.score(task, f"[ANSWER]\nassert f({guess}) == [1, 2, 3]\n[/ANSWER]").reward == 1.0
    spin = "def f(n):\n    while n != 0:\n        n -= 1\n    return 0"
    task = Task.from_record(crux_i_row(spin, "0"))
    assert guru_envs.score(task, "[ANSWER]\nassert f(5) == 0\n[/ANSWER]").reward == 1.0
    start = time.perf_counter()
    verdict = guru_envs.score(task, "[ANSWER]\nassert f(-1) == 0\n[/ANSWER]")
    assert verdict.reward == 0.0 and time.perf_counter() - start < 15


def test_cruxeval_function_read_from_prompt_when_ground_truth_lacks_it():
    # an early GURU export stored the expected output, not the code, under "functional"
    task = Task.from_record(crux_i_row(CODE_O, '"cba!"', functional='"cba!"'))
    assert "def f(text)" in task.answer["code"]
    assert guru_envs.score(task, '[ANSWER]\nassert f("abc") == "cba!"\n[/ANSWER]').reward == 1.0


@pytest.mark.parametrize("label", sorted(HOSTILE_RESPONSES))
def test_cruxeval_hostile(label):
    for row in (crux_o_row(CODE_O, 'f("abc")', '"cba!"'), crux_i_row(CODE_O, '"cba!"')):
        task = Task.from_record(row)
        start = time.perf_counter()
        assert guru_envs.score(task, HOSTILE_RESPONSES[label]).reward == 0.0
        assert time.perf_counter() - start < 3.0


def test_arc_rows_filed_under_simulation_belong_to_logic():
    catalog = guru_envs.catalog()
    for source in ("simulation__arcagi1", "simulation__barc"):
        try:
            spec = catalog.route(source)
        except ValueError:
            pytest.skip("the Logic manifest is not loaded")
        assert spec.domain == "logic"
