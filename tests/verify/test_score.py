"""What counts as an answer: the line format rewards and format-failure rates draw."""

import pytest

import guru_envs
from guru_envs.verify.claim import has_content
from guru_envs.verify.score import Score


@pytest.mark.parametrize(
    "text",
    [
        *[
            "",
            "  ",
            "\\boxed{}",
            "\\text{ }",
            "\\mathrm{}",
            "\\,",
            "\\quad",
            "$ $",
            "{}",
            "?",
            ".",
            "…",
            "？",
        ],
        *["\\hspace{1em}", "\\phantom{0}", "\\mbox{}", "\\left.\\right.", "\\enspace", "\\fbox{ }"],
    ],
)
def test_containers_spacing_and_punctuation_state_nothing(text):
    assert not has_content(text)


@pytest.mark.parametrize(
    "text", ["0", "B", "[]", "()", "\\{\\}", "\\emptyset", "-7", "+", "€", "x", "否", "\\text{yes}"]
)
def test_values_state_something(text):
    assert has_content(text)


def test_answered_needs_a_stated_answer():
    assert not Score.wrong(None, "no box").answered
    assert not Score.wrong("", "the boxed answer is empty").answered
    assert not Score.wrong("\\text{ }", "empty").answered
    assert Score.wrong("4", "wrong").answered
    # a right answer always reads as one, even when it is an empty structure
    assert Score.right("{}").answered


def test_an_empty_box_is_a_format_failure_on_a_real_task():
    task = guru_envs.catalog().family("math", "arithmetic").sample(0, 1)
    empty = guru_envs.score(task, "Let me think. \\boxed{}")
    assert empty.reward == 0.0 and not empty.answered
    assert guru_envs.score(task, task.reference_response).answered
