"""Reading the final answer out of a model response: one copy of each rule, shared by every domain.

All functions are linear in the response length and never raise on str input, so hostile responses
(10 MB strings, thousands of nested braces) cost little.
"""

from __future__ import annotations

import re
import unicodedata

THINK_END = "</think>"
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)(?:\s*\{|\s+([-+]?[\w.,/]{1,40}))")
_ANSWER_OPEN_RE = re.compile(r"<answer>", re.IGNORECASE)
_ANSWER_CLOSE_RE = re.compile(r"</answer>", re.IGNORECASE)
_FENCE_LANG_RE = re.compile(r"[ \t]*([A-Za-z0-9_+-]*)")
PYTHON_FENCE_TAGS = ("python", "py", "python3", "py3")
_FENCE_ALIASES = {"python": PYTHON_FENCE_TAGS, "py": PYTHON_FENCE_TAGS, "python3": PYTHON_FENCE_TAGS}
_BRACE_TOKEN_RE = re.compile(r"\\[{}]|[{}]")  # an escaped brace is one token, so it is skipped
# "Answer: 42" on a line of its own, as DAPO's prompt asks ("**Final Answer:** 42", "> Answer: 42" too).
_ANSWER_LINE_RE = re.compile(
    r"^[ \t>*_#-]*(?:final[ \t]+)?answer[ \t*_]*:[ \t*_]*(.*?)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|-?\.\d+")
# GSM8K's final-answer mark: "#### 72", a run of four or more '#' anywhere in a line.
_HASH_MARK_RE = re.compile(r"#{4,}")
_HASH_LABEL_RE = re.compile(r"(?:final[ \t]+)?answer[ \t*_]*:(.*)", re.IGNORECASE)  # "#### Final Answer: 72"
# What follows the mark of a markdown heading: a word ("#### Step 2"), or a numbered title ("#### 1. Setup").
_HEADING_RE = re.compile(r"(?:\d{1,3}[.)][ \t]+)?[^\W\d_]{2,}")
# A "heading" that opens with a hedge is an answer, refused as one: "#### 42" then "#### or 43".
_HEDGE_START_RE = re.compile(
    r"(?:or|either|alternatively|otherwise|else|maybe|perhaps|possibly|probably|likely|not|nor|"
    r"approximately|roughly|nearly|almost)\b",
    re.IGNORECASE,
)
_QUOTES = "\"'`“”‘’«»"


def strip_think(response: str) -> str:
    """The part after the last ``</think>``: reasoning before it never counts as the answer."""
    cut = response.rfind(THINK_END)
    return response if cut < 0 else response[cut + len(THINK_END) :]


def _balanced(text: str, open_at: int) -> str | None:
    """Contents of the brace group whose ``{`` is at ``open_at``; None when it never closes.

    Escaped braces (``\\{``, ``\\}``) do not count. Only brace positions are visited (a compiled regex
    finds them), not every character: 16 boxes of 40,000 characters cost a few milliseconds.
    """
    close = text.find("}", open_at + 1)
    if close < 0:
        return None
    if text.find("{", open_at + 1, close) < 0 and text[close - 1] != "\\":
        return text[open_at + 1 : close]  # no group inside (most answers): the first "}" closes it
    depth = 0
    for m in _BRACE_TOKEN_RE.finditer(text, open_at):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : m.start()]
    return None


def all_boxed(response: str) -> list[str]:
    """Every ``\\boxed{...}`` / ``\\fbox{...}`` content in order.

    An unclosed box after closed ones gives the rest of the text as one more answer, so a second guess
    left open (``\\boxed{175} or \\boxed{176``) disagrees with the first instead of vanishing; an unclosed
    box with none before it (a response cut off mid-answer) gives nothing.

    Nested boxes count once (the outer one), so ``\\boxed{\\boxed{3}}`` gives ``["\\boxed{3}"]``. A box
    without braces holds the one token after it, as in LaTeX (``\\boxed 3``, ``\\boxed 42.``: ``42``).
    """
    found: list[str] = []
    pos = 0
    while True:
        m = _BOXED_RE.search(response, pos)
        if m is None:
            return found
        if m.group(0)[-1] != "{":
            found.append(m.group(1).rstrip(".,;:"))
            pos = m.end()
            continue
        inner = _balanced(response, m.end() - 1)
        if inner is None:
            # An unclosed box swallows the rest of the text: a second answer when one came before.
            if found:
                found.append(response[m.end() :].strip())
            return found
        found.append(inner.strip())
        pos = m.end() + len(inner) + 1


def last_boxed(response: str) -> str | None:
    """The last boxed answer after any ``</think>``, or None."""
    boxes = all_boxed(strip_think(response))
    return boxes[-1] if boxes else None


def _bare(value: str) -> str:
    """A labelled answer without its markdown emphasis and one end period (``**42**.``: ``42``)."""
    value = value.strip().strip("*_").strip()
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip().strip("*_").strip()
    return value


def answer_lines(response: str) -> list[str]:
    """The answers of every ``Answer: X`` line after any ``</think>``, in order (DAPO's answer form).

    Why: DAPO-Math rows (verl's ``math_dapo`` and ``aime*`` sources) ask for the final answer on a last
    line ``Answer: $Answer``, not in a box, so a right answer written that way must be read. Only a line
    that starts with the label counts (prose such as "the answer: is 5" mid-line does not); a line that
    holds a box is left out (its box is read as a box); markdown emphasis and one end period are dropped.
    The caller treats every line as a claim, so lines that disagree make several answers.
    """
    found = []
    for m in _ANSWER_LINE_RE.finditer(strip_think(response)):
        value = _bare(m.group(1))
        if value and _BOXED_RE.search(value) is None:
            found.append(value)
    return found


def hash_answers(response: str) -> list[str]:
    """The answers after every ``####`` mark after any ``</think>``, in order (GSM8K's answer form).

    Why: GSM8K rows (verl's and SkyRL's ``openai/gsm8k`` preprocessing) ask for the final answer after
    ``####``, not in a box, so a right answer written that way must be read. A mark is four or more ``#``
    anywhere in a line; its answer is the text up to the next mark or the end of the line, so two marks
    on a line are two answers. What a markdown heading puts after its ``####`` is no answer: a word
    (``#### Step 2: ...``), a numbered title (``#### 1. Setting up``) or a symbol (an emoji), except a
    label ``Answer:`` / ``Final Answer:``, whose value is read, and a hedge (``#### or 43``), which is
    read as the answer it is. A quoted mark (``after "####"``), a mark with no letter or digit after it,
    or one whose text holds a box (read as a box) gives nothing; markdown emphasis and one end period are
    dropped. The caller treats every answer as a claim, so marks that disagree make several answers.
    """
    found = []
    for line in strip_think(response).splitlines():
        if "####" not in line:
            continue
        marks = list(_HASH_MARK_RE.finditer(line))
        for mark, after in zip(marks, [*marks[1:], None]):
            if mark.start() > 0 and line[mark.start() - 1] in _QUOTES:
                continue  # the mark quoted, not used: 'the answer after "####".'
            value = _bare(line[mark.end() : after.start() if after is not None else len(line)])
            label = _HASH_LABEL_RE.match(value)
            if label is not None:
                value = _bare(label.group(1))
            elif _HEDGE_START_RE.match(value) is None and (
                _HEADING_RE.match(value) or (value and unicodedata.category(value[0]) == "So")
            ):
                continue  # "#### Step 2", "#### 1. Setting up", "#### 📌 Summary"
            if any(c.isalnum() for c in value) and _BOXED_RE.search(value) is None:
                found.append(value)
    return found


def boxed(answer: str) -> str | None:
    """``\\boxed{answer}``, or None when ``answer``'s braces do not pair up (the box would close elsewhere).

    For answers read another way (an ``Answer:`` line, a ``####`` mark) that the box reader should read
    as it reads a box: :func:`all_boxed` gives back exactly ``answer``, stripped.
    """
    text = "{" + answer + "}"
    return "\\boxed" + text if _balanced(text, 0) == answer else None


def answer_tags(response: str) -> list[str]:
    """The contents of every ``<answer>...</answer>`` after any ``</think>``, in order, stripped.

    Each tag is searched for once (a lazy ``<answer>(.*?)</answer>`` regex rescans to the end for every
    unclosed ``<answer>``, which is quadratic on hostile responses); an unclosed ``<answer>`` ends the scan,
    its rest of the text one more answer when a closed tag came before (as :func:`all_boxed` does).
    """
    text = strip_think(response)
    found: list[str] = []
    pos = 0
    while True:
        opened = _ANSWER_OPEN_RE.search(text, pos)
        if opened is None:
            return found
        closed = _ANSWER_CLOSE_RE.search(text, opened.end())
        if closed is None:
            if found:
                found.append(text[opened.end() :].strip())
            return found
        found.append(text[opened.end() : closed.start()].strip())
        pos = closed.end()


def answer_tag(response: str) -> str | None:
    """The content of the last ``<answer>...</answer>`` after any ``</think>`` (GURU's logic convention)."""
    tags = answer_tags(response)
    return tags[-1] if tags else None


def code_fences(response: str, languages: tuple[str, ...] | None = None) -> list[str]:
    """Bodies of fenced code blocks in order, optionally only those tagged with one of ``languages``."""
    # A fence is an opening ``` and the rest of its line, then the body up to the next ```. One forward
    # search per fence: a regex (```...\n(.*?)```) rescans the rest of the line for every ``` with no
    # newline after it, which is quadratic on a line of thousands of backticks.
    text = strip_think(response)
    blocks = []
    pos = 0
    while True:
        start = text.find("```", pos)
        if start < 0:
            break
        newline = text.find("\n", start + 3)
        if newline < 0:
            break
        end = text.find("```", newline + 1)
        lang = _FENCE_LANG_RE.match(text, start + 3).group(1)
        wanted = languages is None or lang.lower() in languages
        if end < 0:
            # An unclosed fence after closed ones is one more block (a second answer left open is still
            # a second answer), as in all_boxed; a blank one (a stray closing fence) is nothing.
            rest = text[newline + 1 :]
            if wanted and blocks and rest.strip():
                blocks.append(rest)
            break
        if wanted:
            blocks.append(text[newline + 1 : end])
        pos = end + 3
    return blocks


def fence_tags(language: str) -> tuple[str, ...]:
    """The fence tags that name ``language`` (lower case): ``python`` is also ``py``, ``python3``, ``py3``.

    Why: models tag Python blocks all these ways (and in any case: tags are compared lower-cased), and a
    right program must not be refused for its tag.
    """
    language = language.lower()
    return _FENCE_ALIASES.get(language, (language,))


def code_blocks(response: str, language: str = "python") -> list[str]:
    """The fenced blocks tagged ``language`` (any of :func:`fence_tags`), or, when none is, the untagged ones."""
    tagged = code_fences(response, fence_tags(language))
    return tagged if tagged else code_fences(response, ("",))


def last_code_block(response: str, language: str = "python") -> str | None:
    """The last fenced block tagged ``language`` (any of :func:`fence_tags`); falls back to the last untagged block."""
    blocks = code_blocks(response, language)
    return blocks[-1] if blocks else None


def last_number(text: str) -> str | None:
    """The last number-looking token (thousands separators kept), or None."""
    matches = _NUMBER_RE.findall(text)
    return matches[-1] if matches else None


def strip_wrappers(answer: str) -> str:
    """Remove presentation-only wrappers models put around an answer: ``$..$``, ``\\(..\\)``, ``\\text{}``."""
    s = answer.strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right):
            s = s[len(left) : len(s) - len(right)].strip()
    m = re.fullmatch(r"\\(?:text|textbf|mathrm|mathbf)\{(.*)\}", s, re.DOTALL)
    if m and _balanced(s, s.index("{")) == m.group(1):
        s = m.group(1).strip()
    return s
