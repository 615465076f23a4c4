"""Multiple-choice answers: read the one option letter a response chose, strictly, or say why there is none.

GURU's GPQA/SuperGPQA scorer picks a *random* letter when it finds none, and takes the first option letter
it meets in a boxed phrase, so ``\\boxed{C. or D}`` reads as C and a response with no answer is paid 1/4 of
the time. Here a final answer is one claim (:mod:`guru_envs.verify.claim`): exactly one letter, stated
cleanly, or no letter at all. Rules, on the text after any ``</think>``:

1. Every ``\\boxed{}`` must hold one choice: a letter (``B``, ``(B)``, ``B)``, ``B.``, ``\\text{B}``,
   ``Option B``), a letter with the text of that same option (``B) 30 km``), or exactly the text of one
   option. Anything else (``A, C``, ``C. or D``, ``A.B.C.D``, ``not A``, ``B) 3 km`` when B is 30 km, a
   text that two options share) is no choice, and so is the whole response.
2. Explicit answer statements (``Answer: B``, ``Final answer: (B)``, ``The correct option is **B**.``,
   the GPQA simple-evals format) count as well; a statement that names a letter and then hedges or lists
   more (``The answer is C or D``, ``Answer: A, B``) makes the response no choice.
3. All the choices found must be the same letter: a box and a statement that disagree, or two boxes
   that do, are several answers, and score no letter (identical repeats are fine).

Only upper-case letters are letters (``e.g.`` and ``i.e.`` in prose are not choices E and I); a letter
must stand alone (the ``A`` of ``Answer`` or ``Definitely`` is not one). Full-width letters (``Ｂ``) read as
their ASCII form; other scripts' look-alikes (Cyrillic ``С``) are not letters.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from guru_envs.verify.claim import MAX_BOXES
from guru_envs.verify.extract import _balanced, all_boxed, strip_think, strip_wrappers
from guru_envs.verify.text import normalize_text

LETTERS = string.ascii_uppercase[:10]  # A..J: SuperGPQA's ten options
MAX_CHOICE_CHARS = 400  # a boxed "letter" longer than this is not a letter
MAX_SCAN_CHARS = 20_000  # statements are read from the end of the response

_WRAPPERS = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mathit|textit|mbox)\s*\{([^{}]*)\}")
_MARKUP = "*_$` \t"
_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*\{")
# a letter standing alone, optionally bracketed, optionally led by "option"/"choice"/"answer"
_LETTER = re.compile(
    r"(?:(?i:option|choice|answer)\s*:?\s*)?(?:\((?P<p>[A-Z])\)|\[(?P<b>[A-Z])\]|(?P<bare>[A-Z])(?P<close>\))?)"
    r"(?![A-Za-z0-9])"
)
_LONE_LOWER = re.compile(r"[(\[]?([a-j])[)\]]?\.?")
_STATEMENT = re.compile(
    r"(?i:\b(?:final\s+answer|correct\s+(?:answer|option|choice)|best\s+(?:answer|option|choice)|answer))"
    r"(?i:\s+(?:is|would\s+be|should\s+be|will\s+be))?\s*[:：=]?[ \t]*"
)
_SENTENCE_END = re.compile(r"\s*(?:[.!](?=\s|$)|$)")
_REASON = re.compile(r",?\s+(?i:because|since|as)\b")
# another choice listed after the first: "A. B. C.", "A, C", "A/B", "A & B"
_ANOTHER_ITEM = re.compile(r"[\s.,;:/&|+]*(?:\(|\[)?[A-Z](?:[)\].,;:/&|]|\s*$)")


class Choice(NamedTuple):
    """The extracted letter (None when there is none) and how it was found or why not, for the Score."""

    letter: str | None
    how: str


def _plain(text: str) -> str:
    """NFKC (full-width letters to ASCII), LaTeX text wrappers and end markup removed, spaces collapsed."""
    s = strip_wrappers(unicodedata.normalize("NFKC", text))
    for _ in range(3):
        new = _WRAPPERS.sub(r"\1", s)
        if new == s:
            break
        s = new
    return " ".join(s.strip(_MARKUP).split())


# A leading "A" that is the option letter, not the article: upper case, or lower case before a non-word
# ("a 1.49"; an article comes before a word).
_LETTER_NOT_ARTICLE = re.compile(r"A\s|a\s+(?=[^A-Za-z\s])")


def _same_option_text(text: str, option: str) -> bool:
    """Whether ``text`` is exactly the text of ``option`` (case, spacing, end punctuation, articles aside).

    Why the letter check: :func:`normalize_text` drops a leading article, and ``A`` is both an article and
    an option letter, so ``A 1.49`` would read as the text ``1.49`` of another option (C): a box naming
    letter A and option C's text is two claims, not a choice of C.
    """
    plain_text, plain_option = _plain(text), _plain(option)
    said = normalize_text(plain_text)
    if not said or said != normalize_text(plain_option):
        return False
    return not (_LETTER_NOT_ARTICLE.match(plain_text) and not _LETTER_NOT_ARTICLE.match(plain_option))


def _after_letter(m: re.Match[str], rest: str) -> str:
    """The option text that follows a boxed letter (``B) 30 km``, ``B. 30 km``, ``B - 30 km``), or ``""``.

    Why: a separator is dropped only where it separates. ``C) -1.49`` is the letter C with the text
    ``-1.49`` (which may be another option's text, and then the box is no choice), not ``C)`` with ``1.49``;
    a dash is a separator only when a space follows it, and a bare letter needs a separator at all.
    """
    closed = bool(m.group("p") or m.group("b") or m.group("close"))
    if rest[:1] in ":.)" or (rest[:1] == "-" and rest[1:2].isspace()):
        if not closed or rest[1:2].isspace():
            return rest[1:].strip()
    if closed:
        return rest
    return ""


def _letter_of(m: re.Match[str]) -> str:
    return m.group("p") or m.group("b") or m.group("bare")


def _option_by_text(text: str, options: Mapping[str, str] | None, letters: str) -> Choice:
    """The one option whose whole text the answer is; options sharing that text make it ambiguous."""
    if options:
        hits = [k for k, v in options.items() if k in letters and _same_option_text(text, v)]
        if len(hits) == 1:
            return Choice(hits[0], "boxed text of one option")
        if len(hits) > 1:
            return Choice(None, f"the boxed text is the text of several options ({', '.join(hits)})")
    return Choice(None, f"the boxed answer is not one option letter: {text[:60]!r}")


def _valid(letter: str, letters: str, how: str) -> Choice:
    if letter in letters:
        return Choice(letter, how)
    return Choice(None, f"letter {letter} is not one of the options {letters[0]}-{letters[-1]}")


def read_box(content: str, letters: str, options: Mapping[str, str] | None = None) -> Choice:
    """One box's choice: a lone letter, a letter with its own option's text, or one option's whole text."""
    if len(content) > MAX_CHOICE_CHARS:
        return Choice(None, "the boxed answer is too long to be an option letter")
    bare = content.strip()
    if len(bare) == 1 and bare in letters:  # the common case, \boxed{B}
        return Choice(bare, "boxed letter")
    text = _plain(content)
    lower = _LONE_LOWER.fullmatch(text)
    if lower is not None:  # \boxed{b}: a lone lower-case letter is still that letter
        return _valid(lower.group(1).upper(), letters, "boxed letter")
    m = _LETTER.match(text)
    if m is not None:
        letter, rest = _letter_of(m), text[m.end() :].strip()
        if rest in ("", "."):
            return _valid(letter, letters, "boxed letter")
        said = _after_letter(m, rest)
        if said and options and letter in options and _same_option_text(said, options[letter]):
            return _valid(letter, letters, "boxed letter with its option's text")
    return _option_by_text(text, options, letters)  # "A. Smith" may be an option's whole text


def _without_boxes(text: str) -> str:
    """``text`` with every box replaced by a marker, so statements are read outside boxes only."""
    out, pos = [], 0
    for m in _BOX_START.finditer(text):
        if m.start() < pos:
            continue
        inner = _balanced(text, m.end() - 1)
        if inner is None:
            break
        out.append(text[pos : m.start()] + " [box] ")
        pos = m.end() + len(inner) + 1
    out.append(text[pos:])
    return "".join(out)


def _statement_choices(text: str, letters: str, options: Mapping[str, str] | None) -> list[Choice]:
    """Letters stated by explicit answer statements, in order; a hedged statement gives a None choice.

    A question (``Is the answer B?``) states nothing and is skipped.
    """
    found: list[Choice] = []
    for m in _STATEMENT.finditer(text):
        line_end = text.find("\n", m.end(), m.end() + MAX_CHOICE_CHARS)
        tail = _plain(text[m.end() : line_end if line_end >= 0 else m.end() + MAX_CHOICE_CHARS])
        item = _LETTER.match(tail)
        if item is None:
            lone = _LONE_LOWER.fullmatch(tail.strip().rstrip("."))
            if lone is not None:  # "Answer: c", the letter alone on its line (not "Answer: a value of 5")
                found.append(_valid(lone.group(1).upper(), letters, "stated answer line"))
            continue  # else prose ("the answer to part A is ..."), not a statement of a choice
        letter, rest = _letter_of(item), tail[item.end() :]
        if rest.lstrip(" *_$").startswith("?"):
            continue
        stop = _SENTENCE_END.match(rest)
        clean = (stop is not None and _ANOTHER_ITEM.match(rest[stop.end() :]) is None) or bool(
            _REASON.match(rest)
        )
        if not clean and options and letter in options and rest[:1] in (":", ")", ".", " "):
            said = re.split(r"[.!](?:\s|$)", rest[1:].strip(), maxsplit=1)[0].strip().strip("()")
            clean = _same_option_text(said, options[letter])
        if not clean:
            found.append(Choice(None, f"the answer statement is not one letter: {tail[:60]!r}"))
        else:
            found.append(_valid(letter, letters, "stated answer line"))
    return found


def extract_choice(
    response: str, letters: str = LETTERS[:4], options: Mapping[str, str] | None = None
) -> Choice:
    """The option letter a response chose, by the rules in the module docstring.

    Args:
        response: the full model response.
        letters: the valid letters, in order (``"ABCD"``).
        options: letter -> option text, to accept a box holding exactly one option's text (and a letter
            followed by its own option's text).
    """
    if not isinstance(response, str):
        return Choice(None, "response is not text")
    text = strip_think(response)
    boxes = all_boxed(text)
    if len(boxes) > MAX_BOXES:
        return Choice(None, f"{len(boxes)} boxed answers; give one final answer")
    choices = [read_box(box, letters, options) for box in boxes]
    tail = text[-MAX_SCAN_CHARS:]
    lowered = tail.lower()
    if ("answer" in lowered or "option" in lowered or "choice" in lowered) and _STATEMENT.search(tail):
        choices += _statement_choices(_without_boxes(tail) if boxes else tail, letters, options)
    if not choices:
        return Choice(None, "no \\boxed{} letter and no 'Answer: X' line")
    refused = next((c for c in choices if c.letter is None), None)
    if refused is not None:
        return refused
    chosen = sorted({c.letter for c in choices if c.letter})
    if len(chosen) > 1:
        return Choice(None, f"the response gives several different answers ({', '.join(chosen)})")
    return choices[0] if boxes else choices[-1]


_GPQA_OPTION = re.compile(r"^\s*\(?([A-J])\)\s*:?\s*(.+?)\s*$", re.MULTILINE)


def parse_options(prompt: str) -> dict[str, str]:
    """Options listed in a prompt as ``A) text`` (GPQA) or ``(A): text`` (SuperGPQA), in order.

    Returns an empty dict unless the letters run A, B, C ... without gaps (so stray lines are ignored).
    """
    found: dict[str, str] = {}
    for m in _GPQA_OPTION.finditer(prompt[:200_000]):
        letter = m.group(1)
        expected = LETTERS[len(found)] if len(found) < len(LETTERS) else None
        if letter == expected:
            found[letter] = m.group(2)
        elif letter == "A":  # a new list starts: keep the later one
            found = {"A": m.group(2)}
    return found if len(found) >= 2 else {}
