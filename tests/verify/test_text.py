"""Doubt marks (guru_envs.verify.text.doubts): a question mark in any script or spelling makes an answer ask."""

from __future__ import annotations

import pytest

from guru_envs.verify.text import doubts, elides, fold_unicode, normalize_text


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


# --- invisible characters: folded away, so a value reads as displayed (red team 2026-12) -------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
]


@pytest.mark.parametrize("zw", ZERO_WIDTH)
def test_zero_width_characters_fold_away(zw):
    assert fold_unicode(f"112{zw}") == "112"
    assert fold_unicode(f"{zw}1{zw}12{zw}") == "112"
    assert fold_unicode(f"112{zw}113") == "112113"  # as displayed: one wrong value, never two right ones
    assert fold_unicode(f"112{zw} or 113") == "112 or 113"
    assert fold_unicode(f"m{zw}aybe") == "maybe"  # a denied word is read whole
    assert fold_unicode(f"48{zw}\u00b2") == "48^{2}"
    assert normalize_text(f"Fr{zw}ank") == "frank"


@pytest.mark.parametrize("bidi", BIDI)
def test_bidirectional_controls_are_kept(bidi):
    assert bidi in fold_unicode(f"112{bidi}")


def _boxed_reference(task) -> str:
    text = task.reference_response.rsplit("\\boxed{", 1)[1]
    depth = 0
    for i, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return text[:i]
    raise AssertionError(task.reference_response)


@pytest.mark.parametrize(
    "envid",
    [
        "guru/Math.arithmetic-v0",
        "guru/Tabular.filter_count-v0",
        "guru/Tabular.multi_table-v0",
        "guru/Tabular.aggregation-v0",
        "guru/Tabular.multi_answer-v0",
        "guru/Science.chemistry-v0",
    ],
)
def test_a_value_with_an_invisible_character_reads_as_displayed(envid):
    import gymnasium as gym

    import guru_envs  # noqa: F401 - registers the envs

    env = gym.make(envid, difficulty=1)
    env.reset(seed=0)
    gold = _boxed_reference(env.unwrapped.task)

    def reward(answer: str) -> float:
        env.reset(seed=0)
        return env.step(f"The answer is \\boxed{{{answer}}}.")[1]

    assert reward(gold) == 1.0
    for zw in ZERO_WIDTH:
        for answer in (f"{gold}{zw}", f"{zw}{gold}", f"{gold[:1]}{zw}{gold[1:]}"):
            assert reward(answer) == 1.0, (envid, answer)
        for answer in (f"{gold}{zw}{gold}", f"{gold}{zw} or {gold}", f"{gold}{zw}or{zw}{gold}"):
            assert reward(answer) == 0.0, (envid, answer)
    for bidi in ("\u202e", "\u2066", "\u200f"):
        for answer in (f"{gold}{bidi}", f"{bidi}{gold}"):
            assert reward(answer) == 0.0, (envid, answer)


def test_a_guru_math_row_reads_a_value_with_an_invisible_character():
    from guru_envs.integrations.verl import compute_score

    for answer in ("112", "112\u200b", "\ufeff112", "1\u00ad12", "11\u20602"):
        assert compute_score("math__math", f"\\boxed{{{answer}}}", "112", {"index": 3}) == 1.0, answer
    for answer in ("112\u200b113", "112\u200b or 113", "112\u202e", "\u202e211"):
        assert compute_score("math__math", f"\\boxed{{{answer}}}", "112", {"index": 3}) == 0.0, answer
