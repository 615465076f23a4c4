"""Multiple-choice boxes that name one option's letter and another option's text are no choice.

The options here are the real case that broke: a pH question whose options are ``-1.49`` and ``1.49``.
"""

from __future__ import annotations

import pytest

from guru_envs.verify.choice import extract_choice

OPTIONS = {"A": "-1.49", "B": "12.51", "C": "1.49", "D": "3.44"}


@pytest.mark.parametrize(
    "response",
    [
        pytest.param("\\boxed{A 1.49}", id="letter-A-read-as-article-then-C-text"),
        pytest.param("\\boxed{a 1.49}", id="lower-a-before-a-number"),
        pytest.param("\\boxed{C) -1.49}", id="closed-letter-then-A-text"),
        pytest.param("\\boxed{(C) -1.49}", id="parenthesised-letter-then-A-text"),
        pytest.param("\\boxed{C)-1.49}", id="closed-letter-glued-A-text"),
        pytest.param("\\boxed{C -1.49}", id="bare-letter-then-signed-text"),
    ],
)
def test_letter_with_another_options_text_is_no_choice(response):
    """Before: A 1.49 and C) -1.49 both read as C (1.0); the letter and the text name different options."""
    assert extract_choice(response, "ABCD", OPTIONS).letter is None


@pytest.mark.parametrize(
    ("response", "letter"),
    [
        pytest.param("\\boxed{C}", "C", id="letter"),
        pytest.param("\\boxed{C) 1.49}", "C", id="closed-letter-own-text"),
        pytest.param("\\boxed{C. 1.49}", "C", id="dotted-letter-own-text"),
        pytest.param("\\boxed{C - 1.49}", "C", id="dash-separated-own-text"),
        pytest.param("\\boxed{(C): 1.49}", "C", id="parenthesised-colon-own-text"),
        pytest.param("\\boxed{1.49}", "C", id="option-text-alone"),
        pytest.param("\\boxed{-1.49}", "A", id="negative-option-text-alone"),
        pytest.param("\\boxed{A) -1.49}", "A", id="closed-letter-own-negative-text"),
        pytest.param("\\boxed{A: -1.49}", "A", id="colon-letter-own-negative-text"),
    ],
)
def test_letter_with_its_own_text_still_reads(response, letter):
    """``A) -1.49`` for A = -1.49 was refused before (the dash was taken for a separator)."""
    assert extract_choice(response, "ABCD", OPTIONS).letter == letter


def test_option_text_beginning_with_an_article_still_reads():
    options = {"A": "A decrease in pressure", "B": "An increase in pressure", "C": "no change"}
    assert extract_choice("\\boxed{A decrease in pressure}", "ABC", options).letter == "A"
    assert extract_choice("\\boxed{a decrease in pressure}", "ABC", options).letter == "A"
    assert extract_choice("\\boxed{an increase in pressure}", "ABC", options).letter == "B"
