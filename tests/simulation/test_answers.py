"""The domain's answer format: fenced JSON or boxed, structural comparison, and hostile answers within limits."""

import time

import pytest

from guru_envs.simulation.answers import score_value
from guru_envs.verify.json_answer import last_json_object, read_json_answer
from guru_envs.verify.structured import AnswerParseError


@pytest.mark.parametrize(
    ("response", "expected", "reward"),
    [
        ("```json\n[1, 2, 3]\n```", [1, 2, 3], 1.0),
        ("\\boxed{[1, 2, 3]}", [1, 2, 3], 1.0),
        ("Answer:\n```\n[1, 2, 3]\n```", [1, 2, 3], 1.0),  # untagged fence
        ("```python\n(1, 2, 3)\n```", [1, 2, 3], 1.0),  # a tuple is a list
        ('```json\n{"b": 2, "a": 1}\n```', {"a": 1, "b": 2}, 1.0),  # key order ignored
        ("```json\n{'a': 1, 'b': 2}\n```", {"a": 1, "b": 2}, 1.0),  # Python literal syntax
        ("```json\n0.30000000000000004\n```", 0.3, 1.0),  # float tolerance
        ("```json\n0.3001\n```", 0.3, 0.0),
        ("```json\n2.0\n```", 2, 0.0),  # a float is not the integer 2
        ("```json\n2\n```", 2.0, 0.0),  # nor an integer the float 2.0
        ("```json\ntrue\n```", 1, 0.0),  # booleans never equal numbers
        ("```json\n1\n```", True, 0.0),
        ("```json\nnull\n```", None, 1.0),
        ('```json\n"abc"\n```', "abc", 1.0),
        ("\\boxed{abc}", "abc", 1.0),  # bare text for a string answer
        ("\\boxed{\\text{abc}}", "abc", 1.0),
        ('\\boxed{\\{"a": 1\\}}', {"a": 1}, 1.0),  # LaTeX-escaped braces
        ("```json\n[1, 2]\n```\n\\boxed{[1, 2]}", [1, 2], 1.0),  # both forms, agreeing
        ("```json\n[1, 2]\n```\n\\boxed{[2, 1]}", [1, 2], 0.0),  # both forms, disagreeing: ambiguous
        ("```json\n[2, 1]\n```\n\\boxed{[1, 2]}", [1, 2], 0.0),
        ("<think>```json\n[1, 2]\n```</think>The answer is\n```json\n[9]\n```", [1, 2], 0.0),  # think ignored
        ("<think>\\boxed{[9]}</think>\\boxed{[1, 2]}", [1, 2], 1.0),
        ("[1, 2]", [1, 2], 1.0),  # the whole response is the literal
        ("The answer is [1, 2]", [1, 2], 0.0),  # prose without a fence or box
        ("```python\nprint(f([1]))\n```\n\\boxed{[1, 2]}", [1, 2], 1.0),  # working notes beside the answer
        ('```json\n{"output": [1, 2]}\n```', [1, 2], 0.0),  # no unwrap unless asked
        ("```json\n[1, 2, 3]\n```\n```json\n[1, 2]\n```", [1, 2], 0.0),  # several answers
        ("```json\n[1, 2]\n```\nAgain:\n```json\n[1,2]\n```", [1, 2], 1.0),  # the same answer twice
    ],
)
def test_score_value_table(response, expected, reward):
    assert score_value(response, expected, bare_text=isinstance(expected, str)).reward == reward


def test_unwrap_output_only_when_reference_lacks_that_shape():
    assert score_value('```json\n{"output": [1, 2]}\n```', [1, 2], unwrap="output").reward == 1.0
    assert score_value('```json\n{"output": 5}\n```', {"output": 5}, unwrap="output").reward == 1.0


def test_normalize_errors_are_wrong_not_crashes():
    def need_str(v):
        if not isinstance(v, str):
            raise TypeError("need a string")
        return v

    verdict = score_value("```json\n[1]\n```", "x", normalize=need_str)
    assert verdict.reward == 0.0 and "shape" in verdict.reason


HOSTILE = {
    "huge JSON list": "```json\n[" + "1, " * 3_000_000 + "1]\n```",
    "huge JSON string": '```json\n"' + "a" * 5_000_000 + '"\n```',
    "deeply nested JSON": "```json\n" + "[" * 200_000 + "]" * 200_000 + "\n```",
    "deeply nested dicts": "```json\n" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "\n```",
    "nested boxed": "\\boxed{" + "{" * 100_000 + "}" * 100_000 + "}",
    "code in a fence": "```python\nimport os\nos.system('touch /tmp/guru_sim_pwned')\n```",
    "code in a box": "\\boxed{__import__('os').system('touch /tmp/guru_sim_pwned')}",
    "lambda literal": "```json\n(lambda: __import__('os'))()\n```",
    "huge exponent": "```json\n9**9**9**9\n```",
    "huge int": "```json\n" + "9" * 100_000 + "\n```",
    "many fences": "```json\n[1]\n```\n" * 50_000,
    "unclosed fence": "```json\n" + "[1, " * 100_000,
    "binary junk": "\x00\x01\xff" * 100_000,
    "a line of backticks": "```" * 300_000,
    "backticks then one newline": "```json" * 100_000 + "\n[1, 2]",
    "many unclosed boxes": "\\boxed{[1, 2]" * 50_000,
}


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_answers_score_zero_fast(label, tmp_path):
    start = time.perf_counter()
    verdict = score_value(HOSTILE[label], [1, 2], bare_text=False)
    assert verdict.reward == 0.0 and not verdict.correct
    verdict = score_value(HOSTILE[label], "abc", bare_text=True)
    assert verdict.reward == 0.0
    assert time.perf_counter() - start < 2.0, label


def test_code_in_answers_is_never_run():
    import os

    marker = "/tmp/guru_sim_pwned"
    if os.path.exists(marker):
        os.remove(marker)
    for label in ("code in a fence", "code in a box", "lambda literal"):
        score_value(HOSTILE[label], 0)
    assert not os.path.exists(marker)


def test_read_json_answer_reports_reasons():
    with pytest.raises(AnswerParseError, match="no answer"):
        read_json_answer("I do not know.")
    with pytest.raises(AnswerParseError, match="ambiguous"):
        read_json_answer("```json\n1\n```\\boxed{2}")
    with pytest.raises(AnswerParseError, match="nests deeper"):
        read_json_answer("```json\n" + "[" * 100 + "]" * 100 + "\n```")


def test_last_json_object():
    text = 'I think {"output": 1} is wrong; it is {"output": {"x": [1, 2]}} in the end.'
    assert last_json_object(text) == {"output": {"x": [1, 2]}}
    with pytest.raises(AnswerParseError):
        last_json_object("no braces here")
    with pytest.raises(AnswerParseError):
        last_json_object("{" * 100_000)
