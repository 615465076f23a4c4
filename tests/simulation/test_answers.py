"""The domain's answer format: fenced JSON or boxed, structural comparison, and hostile answers within limits."""

import json
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
    "an answer, then brackets": "```json\n[9]\n```\n" + "[" * 40_000 + "]" * 39_999,
    "an answer, then a book": "```json\n[9]\n```\n" + "and so on " * 1_000_000,
    "an answer, then quotes": "```json\n[9]\n```\n[" + '"x\\"' * 10_000 + "]",
    "an answer, then lists": "```json\n[9]\n```\n" + "[9] " * 20_000,
    "many tilde fences": "~~~\n[1]\n~~~\n" * 50_000,
    "many blocks that look like values": "```text\n(" + "a" * 1_000 + "\n```\n" * 5_000,
    "many braceless boxes": "\\boxed [" * 100_000,
    "many answer tags": "<answer>[1]</answer>" * 100_000,
    "an answer, then a line of =": "```json\n[9]\n```\n" + "=" * 49_000,
    "an answer, then many short lines": "```json\n[9]\n```\n" + "x = 1\n" * 8_000,
    "a long comment": "```python\n[1]  #" + "x" * 100_000 + "\n```",
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


# --------------------------------------------------------- one claim: every value the response states
WRONG = [0, 0, 0, 0, 1, 1]
RIGHT = [0, 0, 0, 1, 1, 1]


def _json(value):
    return "```json\n" + json.dumps(value) + "\n```"


SECOND_VALUES = {
    # another block, of any language or fence, before or after the answer (the ```json block was read alone)
    "python block before": "```python\n" + repr(WRONG) + "\n```\n" + _json(RIGHT),
    "untagged block before": "```\n" + json.dumps(WRONG) + "\n```\n" + _json(RIGHT),
    "text block before": "```text\n" + json.dumps(WRONG) + "\n```\n" + _json(RIGHT),
    "yaml block before": "```yaml\n" + json.dumps(WRONG) + "\n```\n" + _json(RIGHT),
    "javascript block before": "```javascript\n" + json.dumps(WRONG) + "\n```\n" + _json(RIGHT),
    "json5 block before": "```json5\n" + json.dumps(WRONG) + "\n```\n" + _json(RIGHT),
    "tilde json block before": "~~~json\n" + json.dumps(WRONG) + "\n~~~\n" + _json(RIGHT),
    "python block after": _json(RIGHT) + "\n```python\n" + repr(WRONG) + "\n```",
    "python block with a comment": "```python\n" + repr(WRONG) + "  # after step 2\n```\n" + _json(RIGHT),
    "a comment hedging beside the same value": _json(RIGHT)
    + "\n```python\n"
    + repr(RIGHT)
    + "  # or possibly "
    + repr(WRONG)
    + "\n```",
    "an answer tag before": "<answer>" + json.dumps(WRONG) + "</answer>\n" + _json(RIGHT),
    "an answer line before": "Answer: " + json.dumps(WRONG) + "\n" + _json(RIGHT),
    "a braceless box before": "\\boxed " + json.dumps(WRONG) + "\n" + _json(RIGHT),
    # the prose beside or after the answer
    "or possibly after": _json(RIGHT) + "\nor possibly " + json.dumps(WRONG),
    "a bare list after": _json(RIGHT) + "\n" + json.dumps(WRONG),
    "inline code after": _json(RIGHT) + "\nThat is, `" + json.dumps(WRONG) + "`.",
    "a hedge on a value after": _json(RIGHT) + "\nMaybe [0, 0, 0, 0, 1, 1].",
    "a retraction with a value after": _json(RIGHT) + "\nActually that is wrong; the fourth entry is 2.",
    "between two agreeing answers": _json(RIGHT)
    + "\nor "
    + json.dumps(WRONG)
    + "\n\\boxed{"
    + json.dumps(RIGHT)
    + "}",
    "a tuple after": _json(RIGHT) + "\n(0, 0, 0, 0, 1, 1)",
    "values on a line of their own after": _json(RIGHT) + "\n\n0, 0, 0, 0, 1, 1",
    "display math after": _json(RIGHT) + "\n\\[" + json.dumps(WRONG) + "\\]",
    "a semicolon list after": _json(RIGHT) + "\n[0; 0; 0; 0; 1; 1]",
    "full-width brackets after": _json(RIGHT) + "\n\uff3b0, 0, 0, 0, 1, 1\uff3d",
    "a labelled claim after": _json(RIGHT) + "\nSo the output is " + json.dumps(WRONG) + ".",
}


@pytest.mark.parametrize("label", sorted(SECOND_VALUES))
def test_a_second_stated_value_is_several_answers(label):
    verdict = score_value(SECOND_VALUES[label], RIGHT)
    assert verdict.reward == 0.0, verdict.reason


ONE_VALUE = {
    "reasoning, then the block": "Step 1 gives [1, 0, 0, 0, 0, 0], step 2 [0, 0, 0, 0, 1, 1].\n\n"
    + _json(RIGHT),
    "working notes in code before": "```python\nxs = [0, 0, 0, 0, 1, 1]\nxs.sort()\n```\n" + _json(RIGHT),
    "code that prints, before": "```python\nprint(f([3, 1, 2]))\n```\n" + _json(RIGHT),
    "a python literal restating it": "```python\n" + repr(tuple(RIGHT)) + "\n```\n" + _json(RIGHT),
    "the same value boxed": _json(RIGHT) + "\n\\boxed{" + json.dumps(RIGHT) + "}",
    "plain prose after": _json(RIGHT) + "\nThis is the final state of the list.",
    "the value restated after": _json(RIGHT) + "\nSo the output is " + json.dumps(RIGHT) + ".",
    "a count after (not a list)": _json(RIGHT) + "\nThe list has 6 elements.",
    "an answer tag around the block": "<answer>\n" + _json(RIGHT) + "\n</answer>",
    "an answer line with the same value": "Answer: " + json.dumps(RIGHT) + "\n" + _json(RIGHT),
    "a text block of prose": "```text\nstep 1: shift left\n```\n" + _json(RIGHT),
    # A hedge word that offers no value offers no second answer (the block is what is read), and refusing
    # it teaches that a right answer is wrong: these two were refused by 053713c's any-hedge-word rule.
    "a bare hedge word after": _json(RIGHT) + "\nMaybe.",
    "a retraction naming no value": _json(RIGHT) + "\nActually that is wrong.",
}


@pytest.mark.parametrize("label", sorted(ONE_VALUE))
def test_one_value_stated_is_read(label):
    verdict = score_value(ONE_VALUE[label], RIGHT)
    assert verdict.reward == 1.0, verdict.reason


def test_parts_of_the_answer_may_be_restated_after_it():
    grid = ["#..", ".#."]
    assert score_value(_json(grid) + '\nThe last row is ".#.".', grid).reward == 1.0
    assert score_value(_json(grid) + '\nThe grid: ["#..", "##."]', grid).reward == 0.0
    robot = {"row": 2, "col": 3, "facing": "N"}
    # a count or a position in another shape is not a second object
    assert score_value(_json(robot) + "\nIt ends at (2, 3) after 7 moves.", robot).reward == 1.0
    assert score_value(_json(robot) + '\n{"row": 2, "col": 4, "facing": "N"}', robot).reward == 0.0
    assert score_value(_json(7) + "\n8", 7).reward == 0.0  # a number beside a number answer
    assert score_value(_json(7) + "\nThe answer is 8.", 7).reward == 0.0  # a line ending on a claim
    assert score_value(_json(7) + "\n`8`", 7).reward == 0.0
    assert score_value(_json(7) + "\nThe function returns 7.", 7).reward == 1.0
    assert score_value(_json(7) + "\nIt adds 3 and 4: 3 + 4 = 7.", 7).reward == 1.0  # numbers in a sentence
    row = "#..##."
    assert (
        score_value(_json(row) + "\n`#.###.`", row, bare_text=True).reward == 0.0
    )  # code ticks set it apart
    assert score_value(_json(row) + "\nStep 2 was #.#...", row, bare_text=True).reward == 1.0
    assert score_value(_json("abc") + '\nor "abd"', "abc", bare_text=True).reward == 0.0
    assert score_value(_json(True) + "\nfalse", True).reward == 0.0


# -------------------------------------------------------------------- LaTeX-escaped characters in a box
@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ("\\boxed{\\#..\\#\\#.}", "#..##."),
        ("\\boxed{\\texttt{\\#..\\#\\#.}}", "#..##."),
        ("\\boxed{\\text{\\texttt{\\#..\\#}}}", "#..#"),
        ("\\boxed{\\mathtt{\\#.\\#}}", "#.#"),
        ("\\boxed{\\verb|#..#|}", "#..#"),
        ("\\boxed{50\\%}", "50%"),
        ("\\boxed{a\\_b \\& c}", "a_b & c"),
        ("\\boxed{\\$5}", "$5"),
    ],
)
def test_latex_escapes_in_a_bare_text_box_are_the_characters(box, expected):
    assert score_value(box, expected, bare_text=True).reward == 1.0
    assert score_value(box, expected + "x", bare_text=True).reward == 0.0


# --------------------------------------------------------------------------------- floats as stated
@pytest.mark.parametrize(
    ("answer", "expected", "reward"),
    [
        ("123456789.0", 123456789.0, 1.0),
        ("123456700.0", 123456789.0, 0.0),  # 89 off, within the old 1e-6 relative tolerance
        ("1.2e8", 123456789.0, 0.0),
        ("0.30000000000000004", 0.1 + 0.2, 1.0),  # the float Python prints
        ("0.3", 0.1 + 0.2, 1.0),  # the value the computation means (float noise)
        ("0.333333", 1 / 3, 1.0),  # correctly rounded, six digits
        ("0.3333334", 1 / 3, 0.0),  # not correctly rounded
        ("0.33", 1 / 3, 0.0),  # too few digits
        ("0.0", 0.1 + 0.2 - 0.3, 0.0),  # zero states no digit of a nonzero value
        ("3.14159", 3.141592653589793, 1.0),
        ("3.1416", 3.141592653589793, 0.0),
    ],
)
def test_floats_are_exact_noise_or_correctly_rounded(answer, expected, reward):
    assert score_value(_json(json.loads(answer)), expected).reward == reward
