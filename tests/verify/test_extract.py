"""Reading final answers (guru_envs.verify.extract): every <answer> block, and brace matching in linear time."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guru_envs.logic.common import answer_blocks
from guru_envs.verify.extract import all_boxed, answer_tag, answer_tags, code_fences


@pytest.mark.parametrize(
    ("response", "tags"),
    [
        ("<answer> 1 </answer>", ["1"]),
        ("<answer>1</answer> then <ANSWER>2</Answer>", ["1", "2"]),
        ("<answer>1</answer><answer>2", ["1", "2"]),  # an unclosed tag ends the scan: a second answer
        ("<answer>2", []),  # cut off before any closed tag: nothing
        ("<answer>draft</answer></think><answer>final</answer>", ["final"]),  # only after the reasoning
        ("no tags", []),
        ("</answer><answer>x</answer>", ["x"]),
        ("<answer><answer>x</answer></answer>", ["<answer>x"]),
    ],
)
def test_answer_tags(response, tags):
    assert answer_tags(response) == tags
    assert answer_tag(response) == (tags[-1] if tags else None)
    assert answer_blocks(response) == tags  # Logic reads its blocks with the same scan


@pytest.mark.parametrize(
    ("response", "boxes"),
    [
        ("\\boxed{a\\{b\\}c}", ["a\\{b\\}c"]),  # escaped braces do not count
        ("\\boxed{\\frac{1}{2}} and \\boxed{3}", ["\\frac{1}{2}", "3"]),
        ("\\boxed{{{7}}}", ["{{7}}"]),
        ("\\boxed{7", []),
        ("\\boxed{7}} \\boxed{8", ["7", "8"]),  # a second guess left open is still a second answer
        ("\\boxed{\\\\{x}}", ["\\\\{x"]),
    ],
)
def test_boxes_are_matched_by_their_braces(response, boxes):
    assert all_boxed(response) == boxes


@pytest.mark.parametrize(
    ("response", "blocks"),
    [
        ("```json\n[1]\n```", ["[1]\n"]),
        ("```json\n[1]\n```\nor maybe\n```json\n[2]", ["[1]\n", "[2]"]),  # a second answer left open
        ("```json\n[1]", []),  # cut off before any closed block: nothing
        ("```json\n[1]\n```\n```\n", ["[1]\n"]),  # a stray closing fence is no block
        ("```python\nx\n```\n```json\n[2]", []),  # notes in another language make no first answer
    ],
)
def test_code_fences(response, blocks):
    assert code_fences(response, ("json",) if "python" in response else None) == blocks


@pytest.mark.parametrize(
    "response",
    [
        ("\\boxed{" + "x" * 40_000 + "}") * 16,  # ~0.3 s when every character was visited in Python
        "\\boxed{" * 50_000,
        "\\boxed{" + "{" * 100_000 + "}" * 100_000 + "}",
        "<answer>" * 100_000,
        "<answer>x</answer>" * 50_000,
    ],
)
def test_extraction_of_hostile_responses_costs_milliseconds(response):
    start = time.perf_counter()
    all_boxed(response)
    answer_tags(response)
    assert time.perf_counter() - start < 0.2


def _balanced_by_walking(text: str, open_at: int) -> str | None:
    """The brace matcher as it was, walking every character: the reference for the fast one."""
    depth, i = 0, open_at
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : i]
        i += 1
    return None


@settings(max_examples=500, derandomize=True, database=None)
@given(st.text(alphabet="{}\\ab ", max_size=40))
def test_brace_matching_agrees_with_walking_every_character(tail):
    from guru_envs.verify.extract import _balanced

    text = "{" + tail
    assert _balanced(text, 0) == _balanced_by_walking(text, 0)
