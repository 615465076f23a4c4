"""Reward integrity (issue 17): a Simulation answer is one exact claim, and only a right one is paid.

Tables of attacks (each contains the gold, or equals it under a loose reading, and must score 0) and of
right answers written in other ways (which must still score 1): for the shared JSON reading, each
generated family, GURU's CodeI/O rows and CRUXEval rows.
"""

import json

import pytest

import guru_envs
from guru_envs.core.registry import catalog
from guru_envs.core.task import Task
from guru_envs.simulation.answers import score_value
from guru_envs.simulation.cruxeval import bind_call, same_call
from guru_envs.verify.json_answer import (
    NotOneClaimError,
    RepeatedKeyError,
    last_json_object,
    parse_literal,
    read_json_answer,
    same_value,
)
from guru_envs.verify.structured import AnswerParseError


def fence(text):
    return f"Tracing it.\n\n```json\n{text}\n```"


# --------------------------------------------------------------------------------- one exact claim
@pytest.mark.parametrize(
    ("got", "want", "python", "same"),
    [
        ([1, 2], [1, 2], False, True),
        ((1, 2), [1, 2], False, True),  # JSON writes a tuple as an array
        ((1, 2), [1, 2], True, False),  # Python's == keeps them apart
        ({1, 2}, [1, 2], False, False),  # a set is never a list
        ({1, 2}, (1, 2), True, False),
        (frozenset({2, 1}), {1, 2}, True, False),
        ({2, 1}, {1, 2}, True, True),
        ({1.0, 2}, {1, 2}, True, False),  # hash-equal, but another type
        (True, 1, False, False),
        (1, True, False, False),
        (True, 1, True, False),  # True == 1 in Python; not the same claim
        (2.0, 2, False, False),
        (2, 2.0, False, False),
        (2, 2.0, True, False),
        (0.30000000000000004, 0.3, False, True),  # within the JSON view's tolerance
        (0.30000000000000004, 0.3, True, False),  # exact as Python literals
        (float("nan"), float("nan"), False, True),
        (float("nan"), 1.0, False, False),
        (None, 0, False, False),
        ("1", 1, False, False),
        ({"a": 1}, {"a": 1}, False, True),
        ({"a": 1, "b": 2}, {"a": 1}, False, False),  # an extra key
        ({1: "x"}, {"1": "x"}, False, True),  # JSON writes integer keys as strings
        ({1: "x", "1": "y"}, {"1": "y"}, False, False),  # two claims about one JSON key
        ({1: "x"}, {"1": "x"}, True, False),
        ({(1, 2): "x"}, {"(1, 2)": "x"}, False, False),
        ([[1, [2, {"a": (3,)}]]], [[1, [2, {"a": [3]}]]], False, True),
        ([[1, [2, {"a": {3}}]]], [[1, [2, {"a": [3]}]]], False, False),
    ],
)
def test_same_value(got, want, python, same):
    assert same_value(got, want, 1e-6, 1e-9, python=python) is same


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        "{'a': 1, 'a': 2}",
        '[{"x": [{"k": 1, "k": 1}]}]',
        "{1: 'a', True: 'b'}",  # Python would merge these keys
        "{1: 'a', 1.0: 'b'}",
    ],
)
def test_repeated_keys_are_refused(text):
    with pytest.raises(RepeatedKeyError):
        parse_literal(text)


SCORE_VALUE_CASES = [
    # (label, response, expected, reward)
    ("set for a list", fence("{1, 2, 3}"), [1, 2, 3], 0.0),
    ("frozenset-like set for a stack", "\\boxed{\\{4, -2, 9\\}}", [4, -2, 9], 0.0),
    ("tuple for a list", "```python\n(1, 2, 3)\n```", [1, 2, 3], 1.0),
    ("float for an int", fence("7.0"), 7, 0.0),
    ("int for a float", fence("7"), 7.0, 0.0),
    ("near int as a float", fence("1000000.4"), 1000000, 0.0),
    ("bool for an int", fence("true"), 1, 0.0),
    ("int for a bool", fence("1"), True, 0.0),
    ("NaN for a float", fence("NaN"), 1.5, 0.0),
    ("repeated key, last one right", fence('{"A": 9, "A": 3, "B": 1}'), {"A": 3, "B": 1}, 0.0),
    ("repeated key, python literal", fence("{'A': 9, 'A': 3, 'B': 1}"), {"A": 3, "B": 1}, 0.0),
    ("extra key", fence('{"A": 3, "B": 1, "alternative_answer": {"A": 4}}'), {"A": 3, "B": 1}, 0.0),
    ("renamed key", fence('{"A": 3, "B_alt": 1}'), {"A": 3, "B": 1}, 0.0),
    ("two fences, wrong then right", fence("[2, 1]") + "\n" + fence("[1, 2]"), [1, 2], 0.0),
    ("two fences, right then wrong", fence("[1, 2]") + "\n" + fence("[2, 1]"), [1, 2], 0.0),
    ("two boxes", "\\boxed{[2, 1]} and finally \\boxed{[1, 2]}", [1, 2], 0.0),
    ("two plain literal fences", "```\n[2, 1]\n```\n```\n[1, 2]\n```", [1, 2], 0.0),
    ("box in the reasoning, fence at the end", "So \\boxed{[2, 1]}.\n" + fence("[1, 2]"), [1, 2], 0.0),
    ("string hedge", "\\boxed{abc or abd}", "abc", 0.0),
    ("many identical fences", fence("[1, 2]") * 40, [1, 2], 0.0),
    ("the same value twice", fence("[1, 2]") + "\nChecked:\n" + fence("[1,2]"), [1, 2], 1.0),
    ("fence and box agree", fence('{"b": 2, "a": 1}') + "\n\\boxed{{'a': 1, 'b': 2}}", {"a": 1, "b": 2}, 1.0),
    ("notes then the answer", "```python\nx = f([1])\n```\n" + fence("[1, 2]"), [1, 2], 1.0),
]


@pytest.mark.parametrize(
    ("label", "response", "expected", "reward"), SCORE_VALUE_CASES, ids=[c[0] for c in SCORE_VALUE_CASES]
)
def test_score_value_one_claim(label, response, expected, reward):
    verdict = score_value(response, expected, bare_text=isinstance(expected, str))
    assert verdict.reward == reward, verdict.reason


def test_reasons_name_the_problem():
    with pytest.raises(NotOneClaimError, match="several answers"):
        read_json_answer(fence("1") + fence("2"))
    with pytest.raises(RepeatedKeyError, match="repeats the key 'a'"):
        read_json_answer(fence('{"a": 1, "a": 1}'))
    assert "several answers" in score_value(fence("1") + fence("2"), 2).reason


def test_unfenced_objects_must_agree():
    assert last_json_object('{"output": 1} then {"output": 2}') == {"output": 2}  # GURU's reading, no key
    assert last_json_object('Given {"n": 5}, I get {"output": 3}.', key="output") == {"output": 3}
    assert last_json_object('{"output": 3} and again {"output": 3}', key="output") == {"output": 3}
    with pytest.raises(NotOneClaimError):
        last_json_object('{"output": 1} or {"output": 2}', key="output")
    with pytest.raises(RepeatedKeyError):
        last_json_object('{"output": 1, "output": 2}', key="output")
    with pytest.raises(AnswerParseError):
        last_json_object("no object")


# ----------------------------------------------------------------------------- generated families
def family_task(name, seed=3, level=3):
    return catalog().family("simulation", name).sample(seed, level)


@pytest.mark.parametrize(
    "name",
    ["program_output", "bank_queue", "robot_grid", "register_machine", "stack_machine", "cellular_automaton"],
)
def test_generated_families_refuse_the_classes(name):
    task = family_task(name)
    gold = task.answer
    right = fence(json.dumps(gold))
    assert guru_envs.score(task, right).reward == 1.0
    wrong = next(w for w in catalog().family("simulation", name).wrong_responses(task) if "```json" in w)
    attacks = [wrong + "\n" + right, right + "\n" + wrong, right + "\n\\boxed{" + json.dumps("x") + "}"]
    if isinstance(gold, dict):
        first = next(iter(gold))
        attacks.append(fence(json.dumps({**gold, "alternative_answer": gold})))
        attacks.append(fence("{" + f'"{first}": null, ' + json.dumps(gold)[1:]))  # the key twice
    if isinstance(gold, list) and all(isinstance(v, int) for v in gold) and len(set(gold)) == len(gold) > 1:
        attacks.append(fence("{" + ", ".join(map(str, gold)) + "}"))
    ints = [k for k, v in (gold.items() if isinstance(gold, dict) else []) if type(v) is int]
    if ints:
        attacks.append(fence(json.dumps({**gold, ints[0]: float(gold[ints[0]])})))
        attacks.append(fence(json.dumps({**gold, ints[0]: gold[ints[0]] + 0.4})))
    for attack in attacks:
        verdict = guru_envs.score(task, attack)
        assert verdict.reward == 0.0, (attack, verdict.reason)


def test_program_input_refuses_repeated_and_extra_keys():
    task = family_task("program_input")
    ref = task.answer["input"]
    first = next(iter(ref))
    assert guru_envs.score(task, task.reference_response).reward == 1.0
    repeated = "{" + f'"{first}": null, ' + json.dumps(ref)[1:]
    assert guru_envs.score(task, fence(repeated)).reward == 0.0
    assert guru_envs.score(task, fence(json.dumps({**ref, "alternative_input": ref}))).reward == 0.0
    assert guru_envs.score(task, fence(json.dumps({"input": ref, "also": 1}))).reward == 0.0


# ------------------------------------------------------------------------------------- CodeI/O rows
CODEIO_PROMPT = (
    "You are given a question that requires some input and output variables as follows:\n\nSum a list.\n\n"
    'Given the following input:\n\n{"xs": [1, 2]}\n\nCan you predict the output without writing any code? '
    'Please reason and put your final answer in the following json format: {"output": <your output>}.'
)
CODEIO_INPUT_PROMPT = CODEIO_PROMPT.replace('{"output": <your output>}', '{"input": <your input>}')


def codeio(ground_truth, prompt=CODEIO_PROMPT):
    return Task.from_record(
        {
            "data_source": "simulation__codeio",
            "prompt": [{"role": "user", "content": prompt}],
            "ability": "simulation",
            "reward_model": {"style": "rule", "ground_truth": ground_truth},
            "extra_info": {"split": "train", "index": 1},
        }
    )


CODEIO_CASES = [
    # (label, ground truth, prompt, response, reward)
    ("wrapped under the wrong key", '"output": 3', CODEIO_PROMPT, fence('{"input": 3}'), 0.0),
    (
        "input row answered as output",
        '"input": {"xs": [3]}',
        CODEIO_INPUT_PROMPT,
        fence('{"output": {"xs": [3]}}'),
        0.0,
    ),
    (
        "extra alternative key",
        '"output": 3',
        CODEIO_PROMPT,
        fence('{"output": 3, "alternative_output": 4}'),
        0.0,
    ),
    ("extra key, output first", '"output": 3', CODEIO_PROMPT, fence('{"output": 3, "note": "or 4"}'), 0.0),
    ("repeated output key", '"output": 3', CODEIO_PROMPT, fence('{"output": 4, "output": 3}'), 0.0),
    (
        "repeated key inside a JSON string",
        '"output": {"a": 2}',
        CODEIO_PROMPT,
        fence('{"output": "{\\"a\\": 1, \\"a\\": 2}"}'),
        0.0,
    ),
    ("set for a list", '"output": [1, 2]', CODEIO_PROMPT, "```python\n{'output': {1, 2}}\n```", 0.0),
    ("float for an int", '"output": 3', CODEIO_PROMPT, fence('{"output": 3.0}'), 0.0),
    ("bool for an int", '"output": 1', CODEIO_PROMPT, fence('{"output": true}'), 0.0),
    (
        "two fenced answers",
        '"output": 3',
        CODEIO_PROMPT,
        fence('{"output": 4}') + fence('{"output": 3}'),
        0.0,
    ),
    ("two unfenced answers", '"output": 3', CODEIO_PROMPT, 'Either {"output": 4} or {"output": 3}.', 0.0),
    ("bare key from the prompt's format, wrong key", "3", CODEIO_PROMPT, fence('{"input": 3}'), 0.0),
    ("right, wrapped", '"output": 3', CODEIO_PROMPT, fence('{"output": 3}'), 1.0),
    ("right, bare", '"output": 3', CODEIO_PROMPT, fence("3"), 1.0),
    (
        "right, unfenced after the restated input",
        '"output": 3',
        CODEIO_PROMPT,
        'From {"xs": [1, 2]} I get {"output": 3}.',
        1.0,
    ),
    (
        "right input, wrapped",
        '"input": {"xs": [3]}',
        CODEIO_INPUT_PROMPT,
        fence('{"input": {"xs": [3]}}'),
        1.0,
    ),
    ("right, key from the prompt's format", "3", CODEIO_PROMPT, fence('{"output": 3}'), 1.0),
    ("right, tuple for a list", '"output": [1, 2]', CODEIO_PROMPT, "```python\n{'output': (1, 2)}\n```", 1.0),
    # a second answer beside the first, unfenced: another object, prose, an escaped or re-cased key
    (
        "unfenced, or maybe another object",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        'So {"output": [1, 2]} or maybe {"answer": [3]}',
        0.0,
    ),
    (
        "unfenced, then another object",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        'So {"output": [1, 2]}.\n{"answer": [3]}',
        0.0,
    ),
    (
        "unfenced, or possibly a list",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        'Final: {"output": [1, 2]}\nor possibly [3, 4]',
        0.0,
    ),
    (
        "unfenced, escaped key after",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        '{"output": [1, 2]} ... {"\\u006futput": [9]}',
        0.0,
    ),
    (
        "unfenced, escaped key before",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        '{"\\u006futput": [9]} ... {"output": [1, 2]}',
        0.0,
    ),
    (
        "unfenced, joined strings as key",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        "{'out' 'put': [9]} then {\"output\": [1, 2]}",
        0.0,
    ),
    (
        "unfenced, upper-case key",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        '{"OUTPUT": [9]} then {"output": [1, 2]}',
        0.0,
    ),
    (
        "fenced, then a python block",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        fence('{"output": [1, 2]}') + '\n```python\n{"output": [9]}\n```',
        0.0,
    ),
    (
        "fenced, then prose",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        fence('{"output": [1, 2]}') + '\nor {"output": [9]}',
        0.0,
    ),
    ("unfenced object, then a box", '"output": 7', CODEIO_PROMPT, '{"output": 8}\n\\boxed{7}', 0.0),
    ("unfenced object, then a fence", '"output": 7', CODEIO_PROMPT, 'So {"output": 8}.\n' + fence("7"), 0.0),
    ("another key after", '"output": 7', CODEIO_PROMPT, '{"output": 7}\n{"result": 8}', 0.0),
    (
        "a labelled claim after",
        '"output": 7',
        CODEIO_PROMPT,
        fence('{"output": 7}') + "\nThe answer is 8.",
        0.0,
    ),
    (
        "right, the input restated after",
        '"output": 7',
        CODEIO_PROMPT,
        fence('{"output": 7}') + '\nThe input was {"xs": [3, 4]}.',
        1.0,
    ),
    (
        "right, unfenced object then the same box",
        '"output": 7',
        CODEIO_PROMPT,
        '{"output": 7}\n\\boxed{7}',
        1.0,
    ),
    ("right, a sum after", '"output": 7', CODEIO_PROMPT, fence('{"output": 7}') + "\nCheck: 3 + 4 = 7.", 1.0),
    # floats as stated: exact, float noise, or correctly rounded with six digits (no 1e-6 window)
    (
        "large float, wrong digits",
        '"output": 123456789.0',
        CODEIO_PROMPT,
        fence('{"output": 123456700.0}'),
        0.0,
    ),
    ("large float, boxed wrong digits", '"output": 123456789.0', CODEIO_PROMPT, "\\boxed{123456700.0}", 0.0),
    ("large float, right", '"output": 123456789.0', CODEIO_PROMPT, fence('{"output": 123456789.0}'), 1.0),
    (
        "computed float, printed",
        '"output": 0.30000000000000004',
        CODEIO_PROMPT,
        fence('{"output": 0.30000000000000004}'),
        1.0,
    ),
    ("computed float, meant", '"output": 0.30000000000000004', CODEIO_PROMPT, fence('{"output": 0.3}'), 1.0),
    (
        "computed float, rounded",
        '"output": 0.3333333333333333',
        CODEIO_PROMPT,
        fence('{"output": 0.333333}'),
        1.0,
    ),
    (
        "computed float, too few digits",
        '"output": 0.3333333333333333',
        CODEIO_PROMPT,
        fence('{"output": 0.33}'),
        0.0,
    ),
    # honest forms still read
    (
        "right, the printed output then the wrapped one",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        "Running it prints\n```\n[1, 2]\n```\n" + fence('{"output": [1, 2]}'),
        1.0,
    ),
    (
        "right, code notes before",
        '"output": 3',
        CODEIO_PROMPT,
        "```python\ndef f(xs):\n    return sum(xs)\n```\n" + fence('{"output": 3}'),
        1.0,
    ),
    (
        "right, unfenced then restated",
        '"output": [1, 2]',
        CODEIO_PROMPT,
        'So {"output": [1, 2]}, i.e. [1, 2].',
        1.0,
    ),
]


@pytest.mark.parametrize(
    ("label", "truth", "prompt", "response", "reward"), CODEIO_CASES, ids=[c[0] for c in CODEIO_CASES]
)
def test_codeio_one_claim(label, truth, prompt, response, reward):
    verdict = guru_envs.score(codeio(truth, prompt), response)
    assert verdict.reward == reward, verdict.reason


# ------------------------------------------------------------------------------------ CRUXEval rows
def crux(mode, code, assert_line, reference=None):
    header = (
        "Complete the assertion with a literal containing the output."
        if mode == "o"
        else "Find any input such that executing f on the input leads to the given output."
    )
    prompt = f"{header}\n\n```python\n{code}\n{assert_line}\n```\n"
    extra = {"split": "test", "index": 2}
    if reference is not None:
        extra["reference"] = reference
    return Task.from_record(
        {
            "data_source": f"simulation__cruxeval-{mode}",
            "prompt": [{"role": "user", "content": prompt}],
            "ability": "simulation",
            "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": code})},
            "extra_info": extra,
        }
    )


CODE_DEFAULTS = "def f(text, times=2, *, sep='-'):\n    return sep.join([text] * times)"
CODE_BOOL = "def f(xs):\n    return len(xs) > 1"
CODE_FLOAT = "def f(a, b):\n    return a / b"


def py(line):
    return f"```python\n{line}\n```"


CRUX_CASES = [
    # (label, task, response, reward)
    (
        "keyword call of the prompt's input",
        crux("o", CODE_DEFAULTS, "assert f('ab', 3) == ??", "'ab-ab-ab'"),
        py("assert f(text='ab', times=3) == 'ab-ab-ab'"),
        1.0,
    ),
    (
        "keywords in another order",
        crux("o", CODE_DEFAULTS, "assert f('ab', 3) == ??", "'ab-ab-ab'"),
        py("assert f(times=3, text='ab') == 'ab-ab-ab'"),
        1.0,
    ),
    (
        "a default written out",
        crux("o", CODE_DEFAULTS, "assert f('ab') == ??", "'ab-ab'"),
        py("assert f('ab', 2, sep='-') == 'ab-ab'"),
        1.0,
    ),
    (
        "a different default",
        crux("o", CODE_DEFAULTS, "assert f('ab') == ??", "'ab-ab'"),
        py("assert f('ab', sep='+') == 'ab-ab'"),
        0.0,
    ),
    (
        "keyword for another parameter",
        crux("o", CODE_DEFAULTS, "assert f('ab', 3) == ??", "'ab-ab-ab'"),
        py("assert f(3, text='ab') == 'ab-ab-ab'"),
        0.0,
    ),
    (
        "unknown keyword",
        crux("o", CODE_DEFAULTS, "assert f('ab', 3) == ??", "'ab-ab-ab'"),
        py("assert f('ab', 3, other=1) == 'ab-ab-ab'"),
        0.0,
    ),
    (
        "True for 1... as 1 for True",
        crux("o", CODE_BOOL, "assert f([1, 2]) == ??", "True"),
        py("assert f([1, 2]) == 1"),
        0.0,
    ),
    ("int for a float", crux("o", CODE_FLOAT, "assert f(6, 2) == ??", "3.0"), py("assert f(6, 2) == 3"), 0.0),
    (
        "list for a tuple",
        crux("o", "def f(a):\n    return (a, a)", "assert f(1) == ??", "(1, 1)"),
        py("assert f(1) == [1, 1]"),
        0.0,
    ),
    (
        "two assertions, one right",
        crux("o", CODE_FLOAT, "assert f(6, 2) == ??", "3.0"),
        py("assert f(6, 2) == 2.0\nassert f(6, 2) == 3.0"),
        0.0,
    ),
    (
        "two answer blocks",
        crux("o", CODE_FLOAT, "assert f(6, 2) == ??", "3.0"),
        "[ANSWER]assert f(6, 2) == 3.0[/ANSWER] [ANSWER]assert f(6, 2) == 2.0[/ANSWER]",
        0.0,
    ),
    (
        "the same assertion twice",
        crux("o", CODE_FLOAT, "assert f(6, 2) == ??", "3.0"),
        py("assert f(6, 2) == 3.0") + py("assert f(6,2)==3.0"),
        1.0,
    ),
    (
        "input by keyword",
        crux("i", CODE_DEFAULTS, "assert f(??) == 'x-x-x'"),
        "[ANSWER]\nassert f(text='x', times=3) == 'x-x-x'\n[/ANSWER]",
        1.0,
    ),
    (
        "input: 1 for True",
        crux("i", "def f(x):\n    return x", "assert f(??) == True"),
        "[ANSWER]\nassert f(1) == True\n[/ANSWER]",
        0.0,
    ),
    (
        "input: two different inputs",
        crux("i", CODE_DEFAULTS, "assert f(??) == 'x-x'"),
        "[ANSWER]\nassert f('y') == 'x-x'\nassert f('x') == 'x-x'\n[/ANSWER]",
        0.0,
    ),
]


@pytest.mark.parametrize(("label", "task", "response", "reward"), CRUX_CASES, ids=[c[0] for c in CRUX_CASES])
def test_cruxeval_one_claim(label, task, response, reward):
    verdict = guru_envs.score(task, response)
    assert verdict.reward == reward, verdict.reason


def test_bind_call_follows_python():
    import ast

    fn = ast.parse("def f(a, /, b, c=3, *rest, d, e=5, **kw): pass").body[0]
    assert bind_call(fn, [1, 2], {"d": 4}) == {
        "a": ("given", 1), "b": ("given", 2), "c": ("given", 3), "*rest": ("given", ()),
        "d": ("given", 4), "e": ("given", 5), "**kw": ("given", {}),
    }  # fmt: skip
    assert bind_call(fn, [1], {"b": 2, "d": 4, "a": 9})["**kw"] == ("given", {"a": 9})  # a is positional-only
    assert bind_call(fn, [1, 2, 3, 4], {"d": 0})["*rest"] == ("given", (4,))
    assert bind_call(fn, [1, 2], {}) is None  # d is required
    assert bind_call(fn, [1, 2], {"b": 2, "d": 4}) is None  # b twice
    assert same_call("def f(x, y=[]):\n    pass", ([1], {}), ([1, []], {}))  # a literal default
    assert same_call(
        "def f(x, y=dict()):\n    pass", ([1], {}), ([], {"x": 1})
    )  # both omit a non-literal one
    assert not same_call("def f(x, y=dict()):\n    pass", ([1], {}), ([1, {}], {}))  # cannot be told equal


# ------------------------------------------------------------------------------- many seeds (slow)
def _type_flips(value):
    """Values equal to ``value`` under a loose reading (``==``, sets, tolerance) but another claim."""
    if isinstance(value, bool):
        return [int(value)]
    if type(value) is int:
        return [float(value)] + ([value + 0.4] if abs(value) >= 10**6 else [])
    if type(value) is float and value.is_integer():
        return [int(value)]
    if isinstance(value, list) and value and all(isinstance(v, int | str) for v in value):
        if len(set(value)) == len(value) and sorted(value, key=str) == value:
            return [set(value)] if all(isinstance(v, int) for v in value) else []
        return []
    if isinstance(value, dict) and value:
        key = sorted(value)[0]
        flips = [{**value, key: f} for f in _type_flips(value[key])]
        return [*flips, {**value, "alternative_answer": value}]
    return []


def _literal(value):
    """Python-literal text of a value (sets included, which JSON cannot write)."""
    return repr(value)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["program_output", "bank_queue", "robot_grid", "register_machine", "stack_machine", "cellular_automaton"],
)
def test_one_claim_over_many_seeds(name):
    fam = catalog().family("simulation", name)
    attacks_run = 0
    for seed in range(300):
        task = fam.sample(seed, 1 + seed % fam.levels)
        gold = task.answer
        assert fam.score(task, task.reference_response).reward == 1.0
        right = fence(json.dumps(gold))
        assert fam.score(task, right + "\nAgain:\n" + right).reward == 1.0
        wrongs = [w for w in fam.wrong_responses(task) if "```json" in w]
        attacks = [wrongs[0] + "\n" + right, right + "\n" + wrongs[0]] if wrongs else []
        attacks += [f"```python\n{_literal(v)}\n```" for v in _type_flips(gold)]
        if isinstance(gold, dict) and gold:
            key = sorted(gold)[0]
            attacks.append(fence("{" + f"{json.dumps(key)}: null, " + json.dumps(gold)[1:]))
        for attack in attacks:
            verdict = fam.score(task, attack)
            assert verdict.reward == 0.0, (seed, attack, verdict.reason)
        attacks_run += len(attacks)
    assert attacks_run >= 300


BIG_TUPLE = "(" + "1, " * 60_000 + "1)"
SLOW_BEFORE = {
    # (task, response): each took from 1.5 s to 27 s before its fix
    "16,000 unclosed [ANSWER] tags": ("crux_i", "[ANSWER]" * 100_000),
    "blank lines before a syntax error": ("crux_o", "```python\n" + "\n" * 19_000 + "(\n```"),
    "five large answer objects": ("codeio", ('{"output": ' + BIG_TUPLE + "} ") * 5),
    "five large objects without the key": ("codeio", ('{"x": ' + BIG_TUPLE + "} ") * 5),
    "five large fenced literals": ("codeio", ("```json\n" + BIG_TUPLE + "\n```\n") * 5),
    "eight boxed literals": ("codeio", ("\\boxed{" + BIG_TUPLE[:20_000] + ")}\n") * 8),
}


@pytest.mark.parametrize("label", sorted(SLOW_BEFORE))
def test_hostile_answers_stay_fast(label):
    import time

    kind, response = SLOW_BEFORE[label]
    task = {
        "crux_i": lambda: crux("i", CODE_DEFAULTS, "assert f(??) == 'x-x'"),
        "crux_o": lambda: crux("o", CODE_FLOAT, "assert f(6, 2) == ??", "3.0"),
        "codeio": lambda: codeio('"output": 3'),
    }[kind]()
    start = time.perf_counter()
    verdict = guru_envs.score(task, response)
    assert verdict.reward == 0.0
    assert time.perf_counter() - start < 1.0, label
