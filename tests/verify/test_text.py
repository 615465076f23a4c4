"""Doubt marks (guru_envs.verify.text.doubts): a question mark in any script or spelling makes an answer ask."""

from __future__ import annotations

import pytest

from guru_envs.verify.text import doubts, elides, normalize_text


@pytest.mark.parametrize(
    "text",
    [
        "Frank?",
        "Frank\uff1f",  # full width, folds to ?
        "Frank\ufe56",  # small form
        "Frank \u2047",  # double question mark
        "\u00bfFrank",  # inverted
        "Frank\u037e",  # Greek question mark: NFKC makes it a semicolon
        "Frank\u061f",  # Arabic
        "Frank\u203d",  # interrobang
        '"Frank\\u003f"',  # a JSON escape
        "'Frank\\x3f'",  # Python escapes
        "'Frank\\077'",
        "'Frank\\N{QUESTION MARK}'",
    ],
)
def test_every_question_mark_doubts(text):
    assert doubts(text)


@pytest.mark.parametrize(
    "text",
    ["Frank", "Frank;", "\\frac{1}{2}", "1\\\\277", "\\underline{x}", "'\\N{NO SUCH NAME}'", "a\\u0041"],
)
def test_no_question_mark_no_doubt(text):
    assert not doubts(text)


def test_a_question_mark_is_not_end_punctuation():
    assert normalize_text("Frank?") != normalize_text("Frank")
    assert normalize_text("The Frank.") == normalize_text("frank")


@pytest.mark.parametrize(
    "text",
    [
        "steevort...",
        "steevort …",  # the ellipsis character
        "steevort..",
        "steevort. . .",
        "a, b, \u2026, e",
        "a \u22ef e",  # midline ellipsis, which NFKC keeps
        "a, \\ldots, e",
        "a \\dots",
        '"steevort\\u2026"',  # a JSON escape
        "'steevort\\x2e\\x2e'",
        '"steevort.\\u002e"',
    ],
)
def test_every_ellipsis_elides(text):
    assert elides(text)


@pytest.mark.parametrize("text", ["steevort", "steevort.", "3.5", "A. B.", "a.b.c", "\\ldotsx", "e.g. this"])
def test_single_dots_do_not_elide(text):
    assert not elides(text)
