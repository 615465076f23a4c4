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
4. What follows an answer may explain it but not name another option: the rest of a statement's line
   after its reason or sentence end (``Answer: D since A also works``, ``Answer: D. Alternatively A.``,
   ``Answer: D (or A)``) and everything after the final box or statement (``Actually it could also be
   A.``, a second ``Final answer: A?``, a lone ``A``). A later letter is allowed only where its sentence
   explicitly rejects it (``Option A is wrong because ...``, ``A ignores friction``, ``rules out A and
   B``, ``not A``) and does not take that back (``A is wrong, or maybe not``); the chosen letter
   rejected there (``D is wrong``) takes the answer back. Letters that are not options are not read:
   the article (``A quick check``), the pronoun (``I think``), a unit after a number (``5 A``), a symbol
   in a formula (``F = ma``) or named by a noun (``the field B``, ``compound A``). Letters named before
   the final answer are reasoning.

Only upper-case letters are letters (``e.g.`` and ``i.e.`` in prose are not choices E and I); a letter
must stand alone (the ``A`` of ``Answer`` or ``Definitely`` is not one). Full-width letters (``Ｂ``) read as
their ASCII form; other scripts' look-alikes (Cyrillic ``С``) are not letters.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from guru_envs.verify.claim import MAX_BOXES
from guru_envs.verify.extract import _BOXED_RE, _balanced, all_boxed, strip_think, strip_wrappers
from guru_envs.verify.text import normalize_text

LETTERS = string.ascii_uppercase[:10]  # A..J: SuperGPQA's ten options
MAX_CHOICE_CHARS = 400  # a boxed "letter" longer than this is not a letter
MAX_SCAN_CHARS = 20_000  # statements are read from the end of the response
MAX_LATER_MENTIONS = 40  # option letters an explanation after the final answer may name (and reject)

_WRAPPERS = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mathit|textit|mbox)\s*\{([^{}]*)\}")
_MARKUP = "*_$` \t"
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


def _without_boxes(text: str) -> tuple[str, int]:
    """``text`` with every box replaced by a marker, and where the last closed box ends in it (or 0).

    Statements are read outside boxes only; what follows the last box is read by :func:`_coda_problem`.

    Boxes are found as :func:`~guru_envs.verify.extract.all_boxed` finds them, a box without braces
    (``\\boxed B``) included.
    """
    out, pos, last_end = [], 0, 0
    while True:
        m = _BOXED_RE.search(text, pos)
        if m is None:
            break
        if m.group(0)[-1] == "{":
            inner = _balanced(text, m.end() - 1)
            if inner is None:
                break
            end = m.end() + len(inner) + 1
        else:
            end = m.end()
        out.append(text[pos : m.start()] + " [box] ")
        pos = end
        last_end = sum(len(part) for part in out)
    out.append(text[pos:])
    return "".join(out), last_end


# --- what follows the answer -------------------------------------------------------------------------
# After its final answer a response may explain itself, but it may not name another option as a choice:
# "Answer: D. Alternatively A.", "Answer: D since A also works", "\boxed{D}\n\nIt could also be A." name
# two options. A later letter is allowed only where it is explicitly rejected ("Option A is wrong because
# ...", "not A", "rules out B and C"); letters that are not option letters (the article "A", the pronoun
# "I", a unit after a number, a symbol in a formula or named by a noun: "the field B") are not mentions.

_MENTION = re.compile(r"(?<![A-Za-z0-9\\])[A-J](?![A-Za-z0-9])")
_SKIP = "*_$`\"'"
# a unit after a number (10 J, 25 °C, 3 A) or a symbol inside a formula (F = ma, E_k, x^A, F(x))
_MATH_BEFORE = re.compile(
    r"(?:[=^_<>≈×·]|\\(?:cdot|times|approx|propto|leq?|geq?)|\d|°|\\circ|\})\s*(?:\\[,;:! ]|~)?\s*\$?$"
)
_MATH_AFTER = re.compile(r"\$?\s*(?:[=^_<>≈×·]|\\(?:cdot|times|approx|propto|leq?|geq?)(?![A-Za-z]))|\(")
_CHOICE_WORD_BEFORE = re.compile(r"(?i:\b(?:options?|choices?|answers?|letters?))\s*[:#=]?[\s*_$`\"'(\[]*$")
_BRACKETED = re.compile(r"[(\[][\s*_$`]*$")
_CLOSED_AFTER = re.compile(r"[*_$`]*[)\]]")
_WORD_AFTER = re.compile(r"[*_$`]*\s+(?:(?P<word>[a-z][a-z'’-]*)|\d)")
_WORD_BEFORE = re.compile(r"\b([A-Za-z]+(?:['’][a-z]+)?)[\s*_$`\"'(\[]*$")
_ALONE = re.compile(r"[\s*_#>\-$`.:()\[\]\"'|]*")
# words after which "A" is the option letter, not the article ("A is wrong", "A also works")
_LETTER_PREDICATES = frozenset(
    "is was are were would could might may can will should must also too and or nor as seems seem appears "
    "appear works work fits fit matches match remains gives give does did has had ignores neglects omits "
    "overlooks forgets misses confuses fails uses assumes inverts drops doubles yields corresponds since "
    "because if though although but so while whereas instead alone only either not isn't wasn't doesn't "
    "can't won't wouldn't couldn't".split()
)
# words after which a capital letter is an option letter ("or A", "be A", "since A"), not a named symbol
_CONNECTORS = frozenset(
    "or and nor be been being is are was were it's that's it’s that’s alternatively maybe perhaps possibly "
    "probably likely also even either neither than vs versus like not rather instead unlike because since "
    "as though although but so then while whereas if unless choose chose choosing pick picked picking "
    "select selected selecting prefer preferred consider considering say said with to toward towards for "
    "including plus except besides both equally too actually arguably still yet hence thus therefore "
    "however otherwise just only definitely clearly certainly surely honestly really obviously could would "
    "might may can should must well hmm um oh wait no yes go against eliminate eliminates eliminated "
    "exclude excludes excluded reject rejects rejected discard discards discarded rule rules ruled out over "
    "favor favour from between among into what about".split()
)
# nouns that name a symbol or an object by a capital letter, and words before such a noun
_SYMBOL_NOUNS = frozenset(
    "where let denote denotes denoted call called named labeled labelled field point points block blocks "
    "object objects particle particles charge charges mass masses vector vectors region regions state states "
    "compound compounds molecule molecules star stars planet planets species gene genes allele alleles site "
    "sites node nodes vertex vertices side sides angle angles plate plates capacitor capacitors resistor "
    "resistors wire wires loop loops sphere spheres ball balls car cars cart carts body bodies system systems "
    "container containers tank tanks sample samples solution solutions reagent reagents product products "
    "intermediate intermediates isomer isomers ion ions atom atoms energy force forces component components "
    "matrix operator case cases part parts step steps phase phases level levels type types class classes "
    "group groups figure fig equation eq table scenario path process reaction reactions structure peak peaks "
    "band line lines curve curves graph ring carbon position positions term terms constant constants "
    "population populations strain strains protein proteins enzyme enzymes cell cells tube tubes box boxes "
    "room rooms city cities country countries person people player players team firm firms good goods "
    "market markets bond bonds stock stocks asset assets portfolio project projects company companies "
    "plan plans plant plants machine machines material materials substance substances medium media "
    "spring springs pulley pulleys mirror mirrors lens lenses slit slits source sources detector detectors "
    "electrode electrodes terminal terminals battery batteries bulb bulbs lamp lamps switch switches "
    "vitamin vitamins".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those its their his her our your each every of in on at by".split()
)
_SENTENCE_STOP = re.compile(r"[.!;?](?=[\s*_$`)\]\"']|$)")
_LIST_BEFORE = re.compile(
    r"(?:[(\[]?\b[a-j](?![a-z])[)\]]?[*_$`]*\s*(?:,\s*(?:and|or|nor)\b|,|&|/|-|–|\band\b|\bor\b|\bnor\b|\bto\b|\bthrough\b)\s*(?:(?:options?|choices?)\s+)?[*_$`(\[]*\s*)+$"
)
_LIST_AFTER = re.compile(
    r"[)\]*_$`'\"]*(?:\s*(?:,\s*(?:and|or|nor)\b|,|&|/|-|–|\band\b|\bor\b|\bnor\b|\bto\b|\bthrough\b)\s*(?:(?:options?|choices?)\s+)?[(\[]?\b[a-j](?![a-z])[)\]]?[*_$`]*)*"
)
_OPTION_WORD_BEFORE = re.compile(
    r"(?:\b(?:the\s+)?(?:options?|choices?|answers?|letters?))?\s*[:#]?[\s*_$`\"'(\[]*$"
)
_REJECT_BEFORE = re.compile(
    r"\b(?:not|rather\s+than|instead\s+of|unlike|neither|nor|rules?\s+out|ruled\s+out|ruling\s+out|"
    r"eliminat(?:e|es|ed|ing)|exclud(?:e|es|ed|ing)|reject(?:s|ed|ing)?|discard(?:s|ed|ing)?|against|over)$"
)
_NEGATED_BEFORE = re.compile(r"\b(?:not|no|never|without|hardly|barely)\s*$")
_REJECT_AFTER = re.compile(
    r"\s*(?:[:\-–—,]\s*)?"
    r"(?:(?:is|was|are|were|seems?|appears?|looks?|remains?|(?:would|must|should|will|can|could)\s+be)\s+)?"
    r"(?:(?:clearly|definitely|certainly|obviously|also|therefore|thus|hence|then|plainly|simply|likewise|"
    r"similarly|both|all|just|actually|in\s+fact)\s+)*"
    r"(?:(?:wrong|incorrect|false|invalid|untrue|impossible|ruled\s+out|excluded|eliminated|unphysical|"
    r"inconsistent|(?:a|the)\s+(?:wrong|incorrect)|(?:an?\s+)?(?:distractors?|traps?)|an?\s+common\s+(?:mistake|error|trap))"
    r"|not(?=\s*[.!;,]?\s*$)|not\s+(?:the\s+)?(?:(?:right|correct|best|true|valid)(?:\s+(?:answer|option|choice))?|possible|it|answer|"
    r"an?\s+(?:option|answer|choice)|supported|consistent|applicable)"
    r"|(?:(?:wrongly|incorrectly|mistakenly)\s+)?(?:ignor(?:e|es|ed)|neglect(?:s|ed)?|omit(?:s|ted)?|"
    r"overlook(?:s|ed)?|forg[eo]t(?:s)?|miss(?:es|ed)?|confus(?:e|es|ed)|fail(?:s|ed)?|double[- ]counts?|"
    r"invert(?:s|ed)?|drop(?:s|ped)?|misappl(?:y|ies|ied)|misreads?|mix(?:es)?\s+up|"
    r"assum(?:e|es|ed)\s+incorrectly|us(?:e|es|ed)\s+(?:the\s+|an?\s+)?(?:wrong|incorrect))"
    r"|(?:does|do|did|can|could|would|will)\s+not\s+(?:be\s+(?:right|correct|true|valid|the\s+answer)|work|"
    r"fit|match|hold|apply|satisfy|account|agree|explain|give|produce|yield|follow|include|consider))\b"
)
# what, after a rejection, takes it back ("A is wrong, or maybe not", "A is wrong, but it is also right")
_HEDGE_AFTER = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|arguably|might|alternatively|equally|otherwise|unless|though|"
    r"although|however|sometimes|partially|partly|not\s+necessarily|in\s+some\s+cases|either\s+way|"
    r"then\s+again|on\s+second\s+thought|actually)\b"
    r"|\bor\s+(?:(?:it|that|this)\s+)?(?:is\s+)?(?:also\s+)?(?:right|correct|true|valid|plausible|possible|not)\b"
)
_AFFIRMED_AFTER = re.compile(
    r"\b(?:but|yet|still|or|and|though|although)\b(?P<mid>.*?)\b(?:(?:is|are|be|was|were|seems?|looks?|also|too)"
    r"\s+(?:(?:also|still|equally|quite|partly|partially)\s+)*(?:right|correct|true|valid|plausible|possible|"
    r"acceptable|fine|reasonable|the\s+answer)|works?|fits?)\b"
)


def _uncontract(text: str) -> str:
    """Lower case with negations spelled out: ``isn't`` -> ``is not``, ``can't``/``cannot`` -> ``can not``."""
    s = text.lower().replace("’", "'")
    s = re.sub(r"\bcan't\b|\bcannot\b", "can not", s)
    s = re.sub(r"\bwon't\b", "will not", s)
    return re.sub(r"n't\b", " not", s)


def _is_option_letter(line: str, start: int, end: int, names: str = "") -> bool:
    """Whether the capital letter at ``line[start:end]`` names an option (see the comment above)."""
    before, after = line[max(0, start - 80) : start], line[end : end + 80]
    if _MATH_BEFORE.search(before) or _MATH_AFTER.match(after):
        return False
    if _CHOICE_WORD_BEFORE.search(before) or _CLOSED_AFTER.match(after) and _BRACKETED.search(before):
        return True  # "option A", "(A)"
    letter, word = line[start], _WORD_AFTER.match(after)
    if word is not None and letter in "AI":
        following = (word.group("word") or "").replace("’", "'")
        if letter == "I" and following not in ("is", "or"):
            return False  # the pronoun: "I think", "I am"
        if letter == "A" and following not in _LETTER_PREDICATES:
            return False  # the article: "A force acts", "A 5 kg block"
    if letter == "I" and re.match(r"['’](?:m|d|ve|ll)\b", after):
        return False
    if _ALONE.fullmatch(before[before.rfind("\n") + 1 :]) and _ALONE.fullmatch(after.split("\n", 1)[0]):
        return True  # the letter alone on its line
    if letter in names:
        return False  # the question names something by this letter ("compound B", "star A")
    previous = _WORD_BEFORE.search(before)
    if previous is None or previous.group(1).lower() in _CONNECTORS:
        return True
    # a symbol a noun names: "the field B points up", "compound A", "where E is the energy"
    named = previous.group(1).lower()
    determiner = re.search(r"\b([a-z]+)\s+$", before[: previous.start(1)].lower())
    return named not in _SYMBOL_NOUNS and (determiner is None or determiner.group(1) not in _DETERMINERS)


# a lower-case letter names an option only plainly: "option b", "choice (c)", or alone on its line
_LOWER_MENTION = re.compile(r"(?i:\b(?:options?|choices?))\s*[:#]?\s*[(\[]?\s*([a-j])(?![A-Za-z0-9])")


def _mentions(line: str, letters: str, names: str = "") -> Iterator[tuple[int, int]]:
    """Spans of the option letters ``line`` names (only letters among ``letters``), in order."""
    lower = [(m.start(1), m.end(1)) for m in _LOWER_MENTION.finditer(line) if m.group(1).upper() in letters]
    alone = _LONE_LOWER.fullmatch(line.strip(_MARKUP + ">#-"))
    if alone is not None and alone.group(1).upper() in letters:  # only markup around it: its first letter
        at = line.index(alone.group(1))
        lower.append((at, at + 1))
    upper = (
        (m.start(), m.end())
        for m in _MENTION.finditer(line)
        if m.group(0) in letters and _is_option_letter(line, m.start(), m.end(), names)
    )
    if not lower:
        yield from upper
        return
    yield from sorted([*lower, *upper])


def _rejected(line: str, start: int, end: int, chosen: str, taken_back: bool = True) -> bool:
    """Whether the sentence around the letter at ``line[start:end]`` explicitly rejects that option.

    With ``taken_back`` a rejection that the sentence goes on to hedge or contradict (``A is wrong, or
    maybe not``, ``A is wrong, but it is also right``) is none; without it (the chosen letter's own
    rejection, ``D is incorrect, though``) it still counts.
    """
    window = max(0, start - 300)  # a sentence longer than this is read from here
    opened = [m.end() for m in _SENTENCE_STOP.finditer(line, window, start)]
    sentence_start = opened[-1] if opened else window
    closing = _SENTENCE_STOP.search(line, end, end + 300)
    sentence_end = closing.end() if closing else min(len(line), end + 300)
    if "?" in line[sentence_start:sentence_end]:
        return False
    before = _uncontract(line[sentence_start:start][-100:])
    after = _uncontract(line[end:sentence_end][:200])
    for tail in (_LIST_BEFORE, _OPTION_WORD_BEFORE):  # "rules out options a, b and" before c
        found = tail.search(before)
        before = before[: found.start()] if found else before
    before = before.rstrip()
    pre = _REJECT_BEFORE.search(before)
    if pre is not None and not _NEGATED_BEFORE.search(before[: pre.start()]):
        rest = after
    else:
        listed = _LIST_AFTER.match(after)
        post = _REJECT_AFTER.match(after, listed.end() if listed else 0)
        if post is None:
            return False
        rest = after[post.end() :]
    if not taken_back:
        return True
    if _HEDGE_AFTER.search(rest):
        return False
    affirmed = _AFFIRMED_AFTER.search(rest)
    return affirmed is None or re.search(rf"\b{chosen.lower()}\b", affirmed.group("mid")) is not None


def _coda_problem(text: str, chosen: str, letters: str, names: str = "") -> str | None:
    """Why ``text``, which follows the final answer ``chosen``, makes the response no choice; None if not.

    Another option letter named and not explicitly rejected is a second choice; the chosen letter
    explicitly rejected takes the answer back.
    """
    plain = unicodedata.normalize("NFKC", text)
    for _ in range(3):
        new = _WRAPPERS.sub(r"\1", plain)
        if new == plain:
            break
        plain = new
    seen = 0
    for line in plain.split("\n"):
        for start, end in _mentions(line, letters, names):
            seen += 1
            if seen > MAX_LATER_MENTIONS:
                return f"after its answer {chosen} the response names options more than {MAX_LATER_MENTIONS} times"
            letter = line[start].upper()
            shown = line[max(0, start - 30) : end + 30].strip()
            if letter != chosen and not _rejected(line, start, end, chosen):
                return f"after its answer {chosen} the response names option {letter} too: {shown!r}"
            if letter == chosen and _rejected(line, start, end, chosen, taken_back=False):
                return f"after its answer {chosen} the response rejects {chosen}: {shown!r}"
    return None


_REMARK = re.compile(r"\s*\(([^()]{0,200})\)")


def _statement_choices(
    text: str, letters: str, options: Mapping[str, str] | None, names: str = ""
) -> tuple[list[Choice], int]:
    """Letters stated by explicit answer statements, in order, and where the last one's line ends.

    A hedged statement gives a None choice: one that lists more letters, or whose own line goes on to
    name another option (``Answer: D because A also works``, ``Answer: D (or A)``, ``Answer: D.
    Alternatively A.``). A question (``Is the answer B?``) states nothing and is skipped.
    """
    found: list[Choice] = []
    last_end = 0
    for m in _STATEMENT.finditer(text):
        line_end = text.find("\n", m.end(), m.end() + MAX_CHOICE_CHARS)
        line_end = line_end if line_end >= 0 else min(len(text), m.end() + MAX_CHOICE_CHARS)
        line = tail = _plain(text[m.end() : line_end])  # the rest of a longer line is read as the coda
        item = _LETTER.match(tail)
        if item is None:
            lone = _LONE_LOWER.fullmatch(tail.strip().rstrip("."))
            if lone is not None:  # "Answer: c", the letter alone on its line (not "Answer: a value of 5")
                found.append(_valid(lone.group(1).upper(), letters, "stated answer line"))
                last_end = line_end
            continue  # else prose ("the answer to part A is ..."), not a statement of a choice
        letter, rest = _letter_of(item), line[item.end() :]
        if rest.lstrip(" *_$").startswith("?"):
            continue
        last_end = line_end
        choice = _stated(letter, rest, letters, options, names)
        found.append(
            choice
            if choice is not None
            else Choice(None, f"the answer statement is not one letter: {tail[:60]!r}")
        )
    return found, last_end


def _stated(
    letter: str, rest: str, letters: str, options: Mapping[str, str] | None, names: str = ""
) -> Choice | None:
    """The choice of a statement naming ``letter`` followed on its line by ``rest``; None if not one letter.

    The statement may end (``Answer: D.``), give a reason (``because ...``, ``since ...``), add a remark in
    brackets (``Answer: D (the third law)``) or the option's own text (``(B) 30 km``); what follows on the
    line may name no other option unless it rejects it (:func:`_coda_problem`).
    """
    rest = rest.lstrip("*_$`")  # the markup that closes "**D**"
    remark = _REMARK.match(rest)
    if remark is not None:  # "(the third law)" is a remark; "(or A)" and "(not A)" name another option
        if any(remark.group(1)[a].upper() != letter for a, _ in _mentions(remark.group(1), letters, names)):
            return None
        rest = rest[remark.end() :]
    stop = _SENTENCE_END.match(rest)
    reason = _REASON.match(rest)
    if stop is not None and _ANOTHER_ITEM.match(rest[stop.end() :]) is None:
        after = rest[stop.end() :]
    elif reason is not None:
        after = rest[reason.end() :]
    elif options and letter in options and rest[:1] in (":", ")", ".", " "):
        said, *more = re.split(r"[.!](?:\s|$)", rest[1:].strip(), maxsplit=1)
        if not _same_option_text(said.strip().strip("()"), options[letter]):
            return None
        after = more[0] if more else ""
    else:
        return None
    problem = _coda_problem(after, letter, letters, names)
    if problem is not None:
        return Choice(None, problem)
    return _valid(letter, letters, "stated answer line")


def extract_choice(
    response: str,
    letters: str = LETTERS[:4],
    options: Mapping[str, str] | None = None,
    names: str = "",
) -> Choice:
    """The option letter a response chose, by the rules in the module docstring.

    Args:
        response: the full model response.
        letters: the valid letters, in order (``"ABCD"``).
        options: letter -> option text, to accept a box holding exactly one option's text (and a letter
            followed by its own option's text).
        names: letters the question itself uses as names (``compound A``, ``star B``; see
            :func:`named_letters`): after the answer they are read as those names, except where they
            plainly name an option (``option B``, ``(B)``, ``B`` alone on a line).
    """
    if not isinstance(response, str):
        return Choice(None, "response is not text")
    text = strip_think(response)
    boxes = all_boxed(text)
    if len(boxes) > MAX_BOXES:
        return Choice(None, f"{len(boxes)} boxed answers; give one final answer")
    choices = [read_box(box, letters, options) for box in boxes]
    tail = text[-MAX_SCAN_CHARS:]
    scan, answer_end = _without_boxes(tail) if boxes else (tail, 0)
    lowered = tail.lower()
    if ("answer" in lowered or "option" in lowered or "choice" in lowered) and _STATEMENT.search(tail):
        stated, statement_end = _statement_choices(scan, letters, options, names)
        choices += stated
        answer_end = max(answer_end, statement_end)
    if not choices:
        return Choice(None, "no \\boxed{} letter and no 'Answer: X' line")
    refused = next((c for c in choices if c.letter is None), None)
    if refused is not None:
        return refused
    chosen = sorted({c.letter for c in choices if c.letter})
    if len(chosen) > 1:
        return Choice(None, f"the response gives several different answers ({', '.join(chosen)})")
    problem = _coda_problem(scan[answer_end:], chosen[0], letters, names)
    if problem is not None:
        return Choice(None, problem)
    return choices[0] if boxes else choices[-1]


_GPQA_OPTION = re.compile(r"^\s*\(?([A-J])\)\s*:?\s*(.+?)\s*$", re.MULTILINE)
_FIRST_OPTION = re.compile(r"^\s*\(?A\)", re.MULTILINE)
_NAME = re.compile(r"(?<![A-Za-z0-9\\{])[A-J](?![A-Za-z0-9}])")


def named_letters(prompt: str, letters: str = LETTERS) -> str:
    """The option letters a multiple-choice question uses as names before its options (``compound A``).

    GPQA chemistry names compounds A, B, C ... and physics names stars, points and states so; an
    explanation after the answer that says ``A reacts with B`` names those, not options. The article
    ``A`` and the pronoun ``I`` before a lower-case word, a unit after a number (``2 A``) and letters in
    ``\\boxed{A}`` (the format example) are no names.
    """
    starts = [m.start() for m in _FIRST_OPTION.finditer(prompt[:200_000])]
    stem = prompt[: starts[-1]] if starts else ""
    found = set()
    for m in _NAME.finditer(stem):
        letter, after = m.group(0), stem[m.end() : m.end() + 3]
        if letter not in letters or re.match(r"\s+[a-z0-9]", after) and letter in "AI":
            continue
        if (
            letter == "I"
            and after[:1] in "'’"
            or re.search(r"\d\s*$", stem[max(0, m.start() - 3) : m.start()])
        ):
            continue
        found.add(letter)
    return "".join(sorted(found))


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
