"""Hypothesis strategies that mutate responses: anything goes, or only what cannot make a wrong answer right.

``mutated(draw, text, gold)`` applies one to three random edits of any kind: inserted text (answer markup,
unicode, control characters), deletions, swapped answer tokens, wrappers, unicode confusables, huge or
deeply nested input. Such an edit may turn a wrong answer right (swap ``118`` into ``117``), so only the
verifier's robustness is asserted on it.

``kept_wrong(draw, text, gold)`` applies edits that cannot turn a wrong response into a right one: prose
around it (no digits, no answer markup, no word of the gold), letters swapped for lookalikes outside the
final answer, its final answer repeated, the whole response said twice, or hidden in a ``<think>`` block.
"""

from __future__ import annotations

import random
import re
import unicodedata

from hypothesis import strategies as st

from guru_envs.testing import find_answer_slot

# Lookalikes: Cyrillic and Greek letters, full-width and mathematical forms, odd minus signs and spaces.
CONFUSABLES = {
    "a": "а",
    "c": "с",
    "e": "е",
    "o": "оο",
    "p": "р",
    "x": "х",
    "y": "у",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "D": "Ꭰ",
    "E": "ЕΕ",
    "H": "Н",
    "K": "К",
    "M": "М",
    "O": "ОΟ",
    "P": "Р",
    "T": "Т",
    "X": "Х",
    "0": "０𝟎",
    "1": "１𝟏l",
    "2": "２",
    "3": "３З",
    "5": "５",
    "7": "７",
    "-": "−–‐",
    ".": "．",
    ",": "，",
    "=": "＝",
    "{": "｛",
    "}": "｝",
    "(": "（",
    ")": "）",
    " ": "\u00a0\u2009\u200b",
}
LETTER_CONFUSABLES = {k: v for k, v in CONFUSABLES.items() if k.isalpha()}

MARKUP = [
    "\\boxed{",
    "}",
    "{",
    "<answer>",
    "</answer>",
    "```",
    "```json\n",
    "```python\n",
    "$",
    "\\(",
    "\\)",
    "</think>",
    "<think>",
    "\\text{",
    "\\frac{1}{2}",
    "\\left(",
    "\\right)",
    " or ",
    " not ",
    " = ",
    ", ",
    " | ",
    "[",
    "]",
    '"',
    "\\",
    "\n",
    "%",
    " thousand",
    "\x00",
    "\ufeff",
    "\u202e",
]
WRAPPERS = [
    ("\\boxed{", "}"),
    ("<answer>", "</answer>"),
    ("```json\n", "\n```"),
    ("```python\n", "\n```"),
    ("$", "$"),
    ("**", "**"),
    ("<think>", "</think>"),
    ("\\text{", "}"),
    ("[", "]"),
    ('{"output": ', "}"),
]
NESTS = [
    ("{", "}"),
    ("(", ")"),
    ("[", "]"),
    ("\\boxed{", "}"),
    ("\\left(", "\\right)"),
    ("<answer>", "</answer>"),
]
TOKEN = re.compile(r"\w+|[^\w\s]")

any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
markup = st.sampled_from(MARKUP)


def _span(draw, text: str) -> tuple[int, int]:
    """A random slice of ``text``, biased towards its final answer (where the edits matter)."""
    slot = find_answer_slot(text)
    if slot is not None and draw(st.booleans()):
        lo, hi = slot.inner
    else:
        lo, hi = 0, len(text)
    i = draw(st.integers(lo, hi))
    j = draw(st.integers(i, min(hi, i + 200)))
    return i, j


def _insert(draw, text, gold):
    i, _ = _span(draw, text)
    piece = draw(st.one_of(any_text, markup, st.lists(markup, max_size=6).map("".join), st.just(gold)))
    return text[:i] + piece + text[i:]


def _delete(draw, text, gold):
    i, j = _span(draw, text)
    return text[:i] + text[j:]


def _swap_tokens(draw, text, gold):
    i, j = _span(draw, text)
    tokens = [m.span() for m in TOKEN.finditer(text, i, max(j, i + 1))]
    if len(tokens) < 2:
        return text
    a, b = sorted(draw(st.lists(st.sampled_from(tokens), min_size=2, max_size=2, unique=True)))
    return text[: a[0]] + text[b[0] : b[1]] + text[a[1] : b[0]] + text[a[0] : a[1]] + text[b[1] :]


def _wrap(draw, text, gold):
    left, right = draw(st.sampled_from(WRAPPERS))
    i, j = _span(draw, text) if draw(st.booleans()) else (0, len(text))
    return text[:i] + left + text[i:j] + right + text[j:]


def _confuse(draw, text, gold, table=CONFUSABLES):
    i, j = _span(draw, text)
    rate = draw(st.sampled_from([0.2, 0.5, 1.0]))
    rng = random.Random(draw(st.integers(0, 2**16)))
    out = [rng.choice(table[ch]) if ch in table and rng.random() < rate else ch for ch in text[i:j]]
    return text[:i] + "".join(out) + text[j:]


def _huge(draw, text, gold):
    i, j = _span(draw, text)
    piece = text[i:j] or draw(markup)
    times = draw(st.sampled_from([100, 1_000, 20_000]))
    return text[:j] + (piece * times)[:300_000] + text[j:]


def _nest(draw, text, gold):
    left, right = draw(st.sampled_from(NESTS))
    depth = draw(st.sampled_from([2, 20, 500, 5_000]))
    i, j = _span(draw, text)
    return text[:i] + left * depth + text[i:j] + right * depth + text[j:]


def _truncate(draw, text, gold):
    return text[: draw(st.integers(0, len(text)))]


def _case(draw, text, gold):
    return text.upper() if draw(st.booleans()) else text.lower()


ANY_EDITS = [_insert, _delete, _swap_tokens, _wrap, _confuse, _huge, _nest, _truncate, _case]


@st.composite
def mutated(draw, text: str, gold: str) -> str:
    """``text`` after one to three edits of any kind."""
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(ANY_EDITS))(draw, text, gold)
    return text


# ---- edits that keep a wrong response wrong


HARMLESS_WORDS = (
    "let me check this again carefully the work above is complete thanks for reading question steps fine "
    "we see that so it follows here now well okay indeed"
).split()


def _prose(gold: str):
    """A sentence of harmless words and non-Latin letters: no digit, no markup, no word of the gold."""
    banned = {unicodedata.normalize("NFKC", w).casefold() for w in re.findall(r"\w+", gold)}
    foreign = st.text(st.characters(categories=("Lo",)), min_size=2, max_size=8)
    word = st.one_of(st.sampled_from(HARMLESS_WORDS), foreign).filter(
        lambda w: unicodedata.normalize("NFKC", w).casefold() not in banned
    )
    return st.lists(word, min_size=1, max_size=8).map(lambda words: " ".join(words).capitalize() + ".")


def _prefix(draw, text, gold):
    return draw(_prose(gold)) + "\n\n" + text


def _suffix(draw, text, gold):
    return text + "\n\n" + draw(_prose(gold))


def _confuse_reasoning(draw, text, gold):
    slot = find_answer_slot(text)
    end = slot.outer[0] if slot is not None else 0  # no final answer container: leave it all alone
    return _confuse(draw, text[:end], gold, LETTER_CONFUSABLES) + text[end:] if end else text


def _repeat_final(draw, text, gold):
    slot = find_answer_slot(text)
    if slot is None:
        return text
    container = text[slot.outer[0] : slot.outer[1]]
    return text + "\n\nAgain: " + container


def _say_twice(draw, text, gold):
    return text + "\n\n" + text


def _think(draw, text, gold):
    return "<think>" + text + "</think>"


def _whitespace(draw, text, gold):
    return (
        draw(st.sampled_from(["", "\n", "  ", "\t"])) + text + draw(st.sampled_from(["", "\n", "  ", "\n\n"]))
    )


KEEP_WRONG_EDITS = [_prefix, _suffix, _confuse_reasoning, _repeat_final, _say_twice, _think, _whitespace]


@st.composite
def kept_wrong(draw, text: str, gold: str) -> str:
    """``text`` after one to three edits that cannot make a wrong response right."""
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(KEEP_WRONG_EDITS))(draw, text, gold)
    return text
