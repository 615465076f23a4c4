"""Reading the final answer out of a model response: one copy of each rule, shared by every domain.

All functions are linear in the response length and never raise on str input, so hostile responses
(10 MB strings, thousands of nested braces) cost little.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Literal

THINK_END = "</think>"
# A box: \boxed, \fbox, \framebox[..], \colorbox{c}, \fcolorbox{c}{c} (a star too), then its group, possibly
# through a text command (\boxed\text{113}); without braces, the one token after it (\boxed 3), or glued to
# \boxed (\boxedA: no such command, so a reader sees "boxed A").
_BOXED_RE = re.compile(
    r"\\(?:boxed|fbox|framebox(?:\s*\[[^\]{}]{0,40}\]){0,2}|colorbox(?:\s*\[[^\]{}]{0,20}\])?\s*\{[^{}]{0,40}\}"
    r"|fcolorbox(?:\s*\[[^\]{}]{0,20}\])?\s*\{[^{}]{0,40}\}\s*\{[^{}]{0,40}\})\*?"
    r"(?:\s*(?:\\(?:text|textbf|textrm|textnormal|mathrm|mathbf|mbox)\s*)?\{|\s+([-+]?[\w.,/]{1,40})"
    r"|(?<=\\boxed)([-+]?[A-Za-z0-9][\w.,/]{0,39}))"
)
_ANSWER_OPEN_RE = re.compile(r"<answer>", re.IGNORECASE)
_ANSWER_CLOSE_RE = re.compile(r"</answer>", re.IGNORECASE)
_FENCE_LANG_RE = re.compile(r"[ \t]*([A-Za-z0-9_+-]*)")
PYTHON_FENCE_TAGS = ("python", "py", "python3", "py3")
_FENCE_ALIASES = {"python": PYTHON_FENCE_TAGS, "py": PYTHON_FENCE_TAGS, "python3": PYTHON_FENCE_TAGS}
_BRACE_TOKEN_RE = re.compile(r"\\[{}]|[{}]")  # an escaped brace is one token, so it is skipped
# "Answer: 42" on a line of its own, as DAPO's prompt asks ("**Final Answer:** 42", "> Answer: 42" too).
_ANSWER_LINE_RE = re.compile(  # (.*) then a strip in Python: a lazy group before [ \t]*$ is quadratic
    r"^[ \t>*_#-]*(?:final[ \t]+)?answer[ \t*_]*:[ \t*_]*(.*)$", re.IGNORECASE | re.MULTILINE
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
    return [content for _, _, content in box_spans(response)]


def box_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, content)`` of every box :func:`all_boxed` reads, in order (the one scan of boxes)."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _BOXED_RE.search(text, pos)
        if m is None:
            return found
        if m.group(0)[-1] != "{":
            found.append((m.start(), m.end(), (m.group(1) or m.group(2)).rstrip(".,;:")))
            pos = m.end()
            continue
        inner = _balanced(text, m.end() - 1)
        if inner is None:
            # An unclosed box swallows the rest of the text: a second answer when one came before.
            if found:
                found.append((m.start(), len(text), text[m.end() :].strip()))
            return found
        pos = m.end() + len(inner) + 1
        found.append((m.start(), pos, inner.strip()))


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


# --- answers stated after the final answer ------------------------------------------------------------
# Tags a model may close its answer in, other than the one a domain reads (each with its closing tag).
_STATEMENT_TAGS = ("answer", "final_answer", "final answer", "final-answer", "final", "solution", "result")
_STATEMENT_TAG_RE = re.compile(r"<(answer|final[ _-]?answer|final|solution|result)>", re.IGNORECASE)
_STATEMENT_CLOSE_RE = {tag: re.compile(rf"</{re.escape(tag)}>", re.IGNORECASE) for tag in _STATEMENT_TAGS}
_COMMENT_RE = re.compile(r"<!--")
# A change of mind that opens a line or sentence, in the languages models answer in: what follows it is
# one more answer ("Wait, no: 57.", "Actually, B.", "Non, plutôt zisnon.", "不对，应该是57"). Cues that are
# also ordinary words ("No other value fits", "Instead of dividing") count only with punctuation after.
# Latin-script cues end at a word boundary; CJK cues may touch the value ("应该是A").
_STRONG_CUES = (
    r"(?:wait|actually|correction|i mean|on second thought|oops|hold on|my mistake|scratch that|"
    r"plutôt|en fait|attendez|eigentlich|vielmehr|warte|mejor dicho|en realidad|espera|na verdade|"
    r"точнее|вернее|подождите)(?![^\W\d_])|不对|应该是|其实|更正|等等|错了|答案应为|実は|訂正"
)
_WEAK_CUES = (
    r"(?:no|nope|non|nein|doch|rather|instead|sorry|hmm+|ah|err|um+|moment|pardon|perdón|não|нет)"
    r"(?![^\W\d_])|不是|不|いや"
)
# A sentence that opens with a hedge is a statement as a whole ("Maybe 19.", "Or 57.", "Possibly 57."):
# the hedge stays in it, for the caller to refuse.
_HEDGE_OPENER_RE = re.compile(
    r"[ \t>*_]*(?:maybe|perhaps|possibly|probably|alternatively|or|it (?:could|might) (?:also )?be|"
    r"(?:could|might) (?:also )?be|peut-être|vielleicht|quizás|tal vez|может быть|也许|可能)(?![^\W\d_])",
    re.IGNORECASE,
)
# A labelled value on its own line, in the labels answer_lines does not read ("Update: 57", "EDIT: 57",
# "Correct answer: 57", "Final: 57", "Result = 57", "=> 57", "Ans: 57", "Final answer - 57").
_LABEL_LINE_RE = re.compile(
    r"^[ \t>*_#-]*(?:(?:(?:final|correct|right|corrected|new|true|real)[ \t]+answer|final|answer|ans|result|"
    r"solution|correction|update|edit|p\.?[ \t]?s\.?)[ \t*_]*(?:[:=—–\-]|=>)|=>|⇒|→)[ \t*_]*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
# A line that is only a value, in markdown or display math ("**57**", "> 57", "$$57$$", "\[57\]", "19?",
# "19 or 57."): one or more numbers or option letters, joined by "or", "and", "/" or commas.
_VALUE_ATOM = r"(?:[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)%?|\(?[A-J]\)|\\[dt]?frac\{-?\d+\}\{\d+\})"
_VALUE_LINE_RE = re.compile(
    rf"{_VALUE_ATOM}(?:\s*(?:,|/|\bor\b|\band\b)\s*{_VALUE_ATOM})*\s*[?？]?", re.IGNORECASE
)
_LINE_WRAPPERS = "*_>$ \t`"
_CUE_GAP = r"(?:[\s,:;.!—–，：；。！]|-(?![\d\\.(]))*"  # "-6", "-\\frac{1}{2}" keep their sign
_RETRACTION_RE = re.compile(
    rf"[ \t>*_]*(?:(?:{_STRONG_CUES}){_CUE_GAP}|(?:{_WEAK_CUES})\s*[,:;—–!，：；！]{_CUE_GAP})+"
    r"(?:(?:(?:it'?s|it is|the answer is|the (?:correct|right|final) answer is|c'est|es ist|es|ist|est|"
    r"la respuesta es|la réponse est|die antwort ist)(?![^\W\d_])|答案是|应该是|是)[\s,:]*)?",
    re.IGNORECASE,
)
# Where a sentence ends (a point before a digit is a decimal point: "24.20 m/s").
_SENTENCE_END_RE = re.compile(r"[.!?。！？](?!\d)|\n")
_CALL_RE = re.compile(r"[A-Za-z_]\w*\s*\(")  # print(48), f(x): code, not a value
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Words that make a few words a sentence about the answer, not a value ("48 is right", "Yes.", "That's it").
_NOT_A_VALUE = frozenset(
    "yes yeah yep right correct true fine good great ok okay sure indeed exactly confirmed agreed same "
    "is was are be it it's its that that's this so then the i i'm we let let's problem worries doubt "
    "need more further other change changes mistake error issue wait really way nothing holds works "
    "checks check checked verified verify simple clear interesting typo consistent done equivalently "
    "equally i.e. e.g. "
    # the same affirmations in the other languages of the cues
    "oui bien ça cela voilà exact ja genau richtig stimmt sí bien correcto exacto sim certo да верно так "
    "对 对的 是的 没错 正确 はい".split()
)
# A statement that denies, doubts or hedges ("Actually, 48 is wrong.", "Final answer: maybe 48", "48?")
# is kept whatever its words: the caller refuses it when it names the answer's value.
_DOUBTING_RE = re.compile(
    r"(?<![^\W\d_])(?:not|wrong|incorrect|maybe|perhaps|probably|possibly|unsure|could|might|or|either|"
    r"alternatively)(?![^\W\d_])"
    r"|n't|\?|？",
    re.IGNORECASE,
)
# A clause after the final answer that hedges, offers another value or corrects the answer, wherever
# its cue stands ("(or possibly 57)", ", unless it is 57.", "Though 57 is also plausible.", "I'm not sure;
# it could be 57.", "The correct answer is actually 57.", "my gut says 57", "57?"): with a value in it, the
# whole clause is one more statement, for the caller to compare with the answer (a restatement such as
# "(or 0.5)" after 1/2, or a check "since 2 + 3 = 5" ending in the answer, is fine).
_HEDGE_MARK_RE = re.compile(
    r"(?<![^\W\d_])(?:or|unless|otherwise|else|alternatively|either|instead|rather|maybe|perhaps|possibly|"
    r"probably|likely|unlikely|might|could|may|should|would|unsure|uncertain|not sure|guess|gut|plausible|"
    r"confident|confidence|doubt|doubtful|suspect|think|believe|feel|bet|seems?|actually|really|kidding|"
    r"joking|mistake|mistaken|error|typo|wrong|incorrect|meant|wait|hmm+|oops|final|also|too|backup|"
    r"if[ \t]+not|accept|vs|versus|"
    r"(?:final|correct|right|true|real|actual|better|new|other)[ \t]+(?:answer|result|value|choice|option)|"
    r"(?:answer|result|value)[ \t]*(?:is|was|=|:)|"
    r"ou|oder|sinon|sonst|peut-être|vielleicht|quizás|tal vez|или|может)(?![^\W\d_])"
    r"|\?|？|或|可能|也许|应该|其实|答案",
    re.IGNORECASE,
)
# Where a clause ends: a sentence's end, a semicolon, a line's end, a dash between words (brackets stay
# inside: "(or possibly (13, 24))" is one clause, its tuple whole).
_CLAUSE_END_RE = re.compile(r"[.!?。！？；;](?!\d)|\n|\s[—–]\s")
_MAX_CLAUSE_CHARS = 300
_TIGHT_CALL_RE = re.compile(r"[A-Za-z_]\w*\(")  # print(48) is code; "actually (13, 24)" is not
_OPTION_IN_CLAUSE_RE = re.compile(r"(?<![^\W\d_])(?:[A-HJ]|\([A-J]\))(?![^\W\d_])")  # "or maybe C", "(C)"
_LIST_SPLIT_RE = re.compile(r"[,;|]|->|→")
_PROGRAM_FENCES = ("python", "py", "python3", "py3", "pycon", "bash", "sh", "shell", "console", "c", "cpp")
_MAX_STATEMENTS = 32
_MAX_STATEMENT_CHARS = 400  # a worded statement; a literal ([...], {...}) may be as long as an answer
_MAX_LITERAL_CHARS = 100_000
_SCAN_CHARS = 10_000  # of the text after the answer, this much at each end is read for statements


def denies_or_doubts(text: str) -> bool:
    """Whether a statement denies, doubts or hedges (``not``, ``wrong``, ``maybe``, ``or``, a ``?``)."""
    return _DOUBTING_RE.search(text) is not None


def _words(text: str) -> int:
    """Words of ``text``, each CJK character counted as one (CJK sentences have no spaces)."""
    return len(text.split()) + len(_CJK_RE.findall(text))


def _value_like(text: str) -> bool:
    """Whether ``text`` reads as a stated value, not a sentence or code: a literal, or a few words."""
    text = _bare(text)
    if not text:
        return False
    if text[0] in "[{":
        return len(text) <= _MAX_LITERAL_CHARS
    if len(text) > 1 and text[0] in "\"'“" and text[-1] == {"“": "”"}.get(text[0], text[0]):
        return len(text) <= _MAX_STATEMENT_CHARS  # a quoted string is one value ("sugar haze mango")
    if len(text) > _MAX_STATEMENT_CHARS or _CALL_RE.search(text) is not None or text.startswith(">>>"):
        return False
    if denies_or_doubts(text):
        return _words(text) <= 10  # a short denial or hedge: kept for the caller to judge

    def stop(word: str) -> bool:
        return word.strip(".,;:!?*_'\"").casefold() in _NOT_A_VALUE

    items = [item.split() for item in _LIST_SPLIT_RE.split(text) if item.strip()]
    if len(items) >= 2:  # a list of short items ("crow, hawk, raven", "Olga is a knave, Gita is a knight")
        return all(len(words) <= 4 and not stop(words[0]) for words in items) and not _CJK_RE.search(text)
    return _words(text) <= 4 and not any(stop(w) for w in text.split())


def later_answers(response: str, reads: Literal["box", "tag"] = "box", worded: bool = False) -> list[str]:
    """Values stated after a response's final answer in a form other than the one the domain reads.

    Why: a domain reads one container (boxes, or ``<answer>`` tags), and every container of that kind
    counts as a claim; but "\\boxed{48} ... <answer>57</answer>", "\\boxed{C} Final answer: A", a
    ```json block, a ``#### 57`` line, an HTML comment ``<!-- 57 -->`` or a change of mind ("Wait, no: 57.",
    "Non, plutôt zisnon.") after it state a second answer that the reader never saw. The caller decides
    which of these say something else than its final answer (:func:`guru_envs.verify.claim.contradiction`,
    or a family's own reader): a restatement is fine, another value is a second answer.

    Only text after the last container of the read kind counts (earlier statements are drafts, as earlier
    boxes are claims already; of a long rest, its first and last 10,000 characters), and only statements
    that read as a value: a literal, a few words (none of them a word of a sentence about the answer such
    as "is", "right", "yes"), a list of short items, or a short denial or hedge ("48 is wrong", "maybe
    48"). "Answer: see the table above", "Actually, 48 is right.", a ```python block or a ``>>>`` session
    are prose or code, not answers. The last 32 statements of each kind are read.

    Args:
        response: the whole response (read after any ``</think>``).
        reads: ``"box"`` (boxes are the answer: tags, lines, fences, comments and changes of mind after
            the last box count) or ``"tag"`` (``<answer>`` tags are: boxes after the last tag count too).
        worded: also the hedged clauses without a digit or option letter (:func:`hedged_clauses`), for
            a caller whose reader reads words (names, roles) and takes what it cannot read as prose.
    """
    text = strip_think(response)
    if reads == "box":
        spans = box_spans(text)
        if not spans:
            return []
        after = text[spans[-1][1] :]
    else:
        closes = list(_ANSWER_CLOSE_RE.finditer(text))
        if not closes:
            return []
        after = text[closes[-1].end() :]
        after = after if "<answer>" not in after.lower() else ""  # an unclosed tag: the tag reader's
    if not after.strip():
        return []
    if len(after) > 2 * _SCAN_CHARS:  # read at its two ends: the answer's sequel and the response's close
        after = after[:_SCAN_CHARS] + "\n" + after[-_SCAN_CHARS:]
    kinds: list[list[str]] = []
    if reads != "box":
        kinds.append([content for _, _, content in box_spans(after)])
    tagged, pos = [], 0
    for m in _STATEMENT_TAG_RE.finditer(after):
        if m.start() < pos or (reads != "box" and m.group(1).lower() == "answer"):
            continue
        close = _STATEMENT_CLOSE_RE[m.group(1).lower()].search(after, m.end())
        tagged.append(after[m.end() : close.start() if close else len(after)])
        if close is None:
            break
        pos = close.end()
    kinds.append(tagged)
    commented, pos = [], 0
    for m in _COMMENT_RE.finditer(after):
        if m.start() < pos:
            continue
        close = after.find("-->", m.end())
        commented.append(after[m.end() : close if close >= 0 else len(after)])
        if close < 0:
            break
        pos = close + 3
    prose = "\n".join(after.split("```")[::2])  # outside fenced blocks (a >>> session prints values)
    labelled = [m.group(1) for m in _LABEL_LINE_RE.finditer(prose)]
    valued = [v for v in map(_value_line, prose.splitlines()) if v is not None]
    kinds += [commented, answer_lines(after), hash_answers(after), labelled, valued]
    fenced = [
        body
        for lang, body in _fences_with_tags(after)
        if lang.lower() not in _PROGRAM_FENCES and not body.lstrip().startswith(">>>")
    ]
    kinds.append(fenced)
    found = [_bare(v) for kind in kinds for v in [v for v in kind if _value_like(v)][-_MAX_STATEMENTS:]]
    # a fence is a container: its one line is a value however many words it has ("- 2 \\sqrt{7} - 4, ...")
    found += [
        _bare(b)
        for b in fenced[-_MAX_STATEMENTS:]
        if b.strip()
        and "\n" not in b.strip()
        and len(b) <= _MAX_STATEMENT_CHARS
        and _CALL_RE.search(b) is None
    ]
    found = list(dict.fromkeys(found + changes_of_mind(prose)))  # a value said twice is one statement
    # and every sentence that hedges or states a value, whole (its value may have been read above too)
    return found + hedged_clauses(prose, worded)


class HedgedClause(str):
    """A clause after the final answer that hedges or corrects with a value in it (:func:`hedged_clauses`).

    Another answer when it names another value, a restatement when it names the answer's own ("Actually,
    48 is right."), prose after a worded answer (whose domain reads such clauses itself).
    """

    __slots__ = ()


class ConcludingClause(HedgedClause):
    """A sentence after the final answer that opens by concluding or relating ("So C.", "= 26").

    What follows its opener is stated as an answer, in any domain's form (an option letter too).
    """

    __slots__ = ()


def hedges(text: str) -> bool:
    """Whether ``text`` hedges, offers another value or corrects one (a cue of :func:`hedged_clauses`)."""
    return _HEDGE_MARK_RE.search(text) is not None


def offered_after_cue(clause: str) -> str | None:
    """What a hedged clause offers after its last cue when that reads as a value, else None.

    "but my gut says TSX": ``says TSX``; "I think that is right" is a sentence about the answer.
    """
    cues = list(_HEDGE_MARK_RE.finditer(clause))
    if not cues:
        return None
    rest = _COPULA_RE.sub("", clause[cues[-1].end() :].strip(" ,:;!?"), count=1)
    rest = _bare(rest)
    return rest if rest and _value_like(rest) else None


# what joins a hedge's cue to the value it offers: "unless it is Comets", "my gut says TSX"
_COPULA_RE = re.compile(
    r"^(?:(?:it|that|this|the answer|the value)[ \t]+)?(?:is|was|'s|would be|could be|might be|be|says|said)[ \t]+",
    re.IGNORECASE,
)


def hedged_clauses(text: str, worded: bool = False) -> list[HedgedClause]:
    """The clauses of ``text`` (the text after a final answer) that hedge, offer or correct a value.

    Why: a cue anywhere in a clause makes it a claim about the answer ("\\boxed{27} (or possibly 26)",
    "\\boxed{27}, unless it is 26.", "\\boxed{27} but my gut says 26"), not only a cue that opens a
    sentence (:func:`changes_of_mind`). Each clause with a cue (see ``_HEDGE_MARK_RE``) and a digit or an
    option letter (any clause with a cue when ``worded``) is returned whole, with its closing ``?``; the
    caller refuses the ones that name another value. Clauses are cut at sentence ends, semicolons, line
    ends and spaced dashes, not inside a bracket (up to 300 characters); the last 32 are kept, of a long
    text its first and last 10,000 characters.
    """
    if len(text) > 2 * _SCAN_CHARS:
        text = text[:_SCAN_CHARS] + "\n" + text[-_SCAN_CHARS:]
    found: list[HedgedClause] = []
    start = 0
    first = True  # the rest of the sentence the answer stands in ("\\boxed{9} \\pmod{11}", "after 5 years")
    for end in itertools.chain((m.start() for m in _CLAUSE_END_RE.finditer(text)), [len(text)]):
        if (
            end < len(text)
            and text[end] != "\n"
            and end - start < _MAX_CLAUSE_CHARS
            and text.count("(", start, end) > text.count(")", start, end)
        ):
            continue  # inside a bracket ("(3 s.f.)"): the clause goes on, but not past a clause's length
        clause = text[start:end]
        if end < len(text) and text[end] in "?？":
            clause += "?"
        start = end + 1
        lead = clause[: len(clause) - len(clause.lstrip())]
        continues, first = first and "\n" not in lead, False
        # a long sentence is read in its comma-separated parts, each at most a clause's length
        parts = (
            [clause]
            if len(clause) <= _MAX_CLAUSE_CHARS
            else [p[-_MAX_CLAUSE_CHARS:] for p in clause.split(",")]
        )
        for part in parts:
            if _TIGHT_CALL_RE.search(part) is not None:
                continue
            if not (worded or any(c.isdigit() for c in part) or _OPTION_IN_CLAUSE_RE.search(part)):
                continue
            core = part.strip(_LINE_WRAPPERS + ",:\n")
            # the rest of the answer's own sentence states a value only when it relates one ("/ 26")
            may_state = not continues or _RELATING_RE.match(part) is not None
            led = may_state and _CONNECTOR_RE.match(core) is not None
            cued = hedges(part)
            short = may_state and _short_statement(part, worded)
            if cued or led or short:
                said = _CLAUSE_LABEL_RE.sub("", core, count=1)
                if led or not cued:  # "So 26.", "However, 26 is the answer.": what it concludes
                    said = _CLAIMED_AFTER_RE.sub("", _CONNECTOR_RE.sub("", said, count=1))
                said = said.strip(_LINE_WRAPPERS + ",:")
                found.append(ConcludingClause(said) if led else HedgedClause(said))
    return found[-_MAX_STATEMENTS:]


# An answer's label, dropped from a clause's start: "Answer: T-41, T-40" says "T-41, T-40"
_CLAUSE_LABEL_RE = re.compile(
    r"^(?:the[ \t]+)?(?:(?:final|correct|right|true|real)[ \t]+)?(?:answer|result|ans)[ \t*_]*(?:is|was|=|:)[ \t*_]*",
    re.IGNORECASE,
)
# A sentence that opens by concluding or relating states what follows ("So 26.", "Therefore harp, drum.",
# "It's 26.", "That gives 26.", "However, 26 is the answer.", "= 26", "/ 26", "→ 26"); the opener is dropped
_CONNECTOR_RE = re.compile(
    r"(?:(?:so|thus|therefore|hence|however|also|then|finally|i\.e\.|that is|it'?s|it is|this is|that'?s|"
    r"(?:that|this|which) gives|giving|the value is|the result is|vs\.?|versus)(?![^\W\d_])[ \t,:]*|"
    r"(?:=>|=|→|⇒|/|≈)[ \t]*)+",
    re.IGNORECASE,
)
_CLAIMED_AFTER_RE = re.compile(
    r"[ \t]+(?:is|was|would be|must be)[ \t]+(?:(?:the|my|our)[ \t]+(?:final[ \t]+|real[ \t]+|correct[ \t]+)?"
    r"(?:answer|result|solution)|(?:also[ \t]+)?(?:possible|plausible|correct|right|valid))[ \t.!]*$",
    re.IGNORECASE,
)
_SHORT_STATEMENT_WORDS = 6
# what relates the rest of the answer's sentence to another value: "\\boxed{27} / 26", "→ 26", "= 26"
_RELATING_RE = re.compile(r"[\s$)}\]*_]*(?:/|→|⇒|=>|=|≈|\||vs\b|versus\b)")
_RELATION_INSIDE_RE = re.compile(r"\S\s*(?:=|≈|\\approx)")  # "62 - 35 = 27": a check, not a short claim


def _short_statement(clause: str, worded: bool = False) -> bool:
    """A few words with a number (any few words when ``worded``) after the answer ("So 26.", "= 26").

    Why: after the final answer, a short sentence that gives a value is a claim about the answer as
    much as a labelled line is ("It's 26.", "/ 26", "So Memphis."); a note in brackets ("(3 s.f.)") and
    a worked check ("-27 + 62 = 35") are not.
    """
    core = clause.strip(_LINE_WRAPPERS + ",:\n")
    if not core or _words(core) > _SHORT_STATEMENT_WORDS:
        return False
    if not worded and not any(c.isdigit() for c in core):
        return False
    if core[0] in "([" and core[-1] in ")]":
        return False
    return _RELATION_INSIDE_RE.search(core) is None


def _value_line(line: str) -> str | None:
    """The value a line holds when it holds nothing else ("**57**", "> 57", "$$57$$", "\\[57\\]", "19?")."""
    core = line.strip(_LINE_WRAPPERS)
    if core.startswith("\\[") and core.endswith("\\]"):
        core = core[2:-2].strip(_LINE_WRAPPERS)
    core = core.rstrip(".!").strip(_LINE_WRAPPERS)
    if not core or len(core) > 200:
        return None
    return core if _VALUE_LINE_RE.fullmatch(core) else None


def changes_of_mind(text: str) -> list[str]:
    """The values of the changes of mind in ``text`` ("Wait, no: 57.", "Actually, -6.", "Non, plutôt A.").

    For the text after a final answer: each sentence that opens with a cue is one more answer, when what
    follows the cue reads as a value (see :func:`later_answers`). The last 32; the first and last 10,000
    characters of a long text.
    """
    if len(text) > 2 * _SCAN_CHARS:
        text = text[:_SCAN_CHARS] + "\n" + text[-_SCAN_CHARS:]
    found: list[str] = []
    start = 0
    for end in itertools.chain((m.start() for m in _SENTENCE_END_RE.finditer(text)), [len(text)]):
        cue = _RETRACTION_RE.match(text, start, end)  # anchored at the sentence's start: linear overall
        said = None
        if cue is not None and cue.end() > start:
            said = text[cue.end() : end]
        elif _HEDGE_OPENER_RE.match(text, start, end) is not None:
            said = text[start:end]  # "Maybe 19.": the hedge is what is said
        if said is not None:
            if end < len(text) and text[end] in "?？":
                said += "?"  # "Wait, is it 57?": the question is part of what is said
            if _value_like(said):
                found.append(_bare(said))
        start = end + 1
    return found[-_MAX_STATEMENTS:]


def _fence_blocks(text: str) -> list[tuple[str, str, bool]]:
    """``(language tag, body, closed)`` of every fenced block of ``text``, in order.

    A fence is an opening ``` and the rest of its line, then the body up to the next ```. One forward
    search per fence: a regex (```...\n(.*?)```) rescans the rest of the line for every ``` with no
    newline after it, which is quadratic on a line of thousands of backticks. The last block may be
    unclosed (it then holds the rest of the text).
    """
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
        if end < 0:
            blocks.append((lang, text[newline + 1 :], False))
            break
        blocks.append((lang, text[newline + 1 : end], True))
        pos = end + 3
    return blocks


def _fences_with_tags(text: str, languages: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """``(language tag, body)`` of the fenced blocks :func:`code_fences` gives."""
    found: list[tuple[str, str]] = []
    for lang, body, closed in _fence_blocks(text):
        if languages is not None and lang.lower() not in languages:
            continue
        # An unclosed fence after closed ones is one more block (a second answer left open is still a
        # second answer), as in all_boxed; a blank one (a stray closing fence) is nothing.
        if closed or (found and body.strip()):
            found.append((lang, body))
    return found


def code_fences(response: str, languages: tuple[str, ...] | None = None) -> list[str]:
    """Bodies of fenced code blocks in order, optionally only those tagged with one of ``languages``."""
    return [body for _, body in _fences_with_tags(strip_think(response), languages)]


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
