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
4. What follows an answer may explain it, naming other options in any wording (``The answer is C, not
   A``, ``Unlike A, ...``, ``A is too big``, ``Answer: C — 200 offspring``, allele and compound names):
   only the first stated choice is read, so naming more cannot raise the reward. It may not offer another
   option as an answer: a hedge or change-of-mind cue beside another option's letter or text (``Or maybe
   A.``, ``A could work too``, ``It might also be B``, ``Actually, D.``, ``C or D``, ``If not C, then D``,
   ``Correction: the answer is 500``), an affirmation of one (``A is correct in practice``, ``Both C and D
   fit``, ``I wouldn't say A is wrong``), a question about one (``Is it A?``), a lone letter, or a later
   statement of another letter. A rejection later in the sentence takes a cue back (``A looks plausible,
   but it ignores friction``). Letters that are not options are not read: the article (``A quick
   check``), the pronoun (``I think``), a unit after a number (``5 A``), a symbol in a formula or
   reaction scheme (``F = ma``, ``A + B → C``) or named by a noun (``the field B``, ``compound A``).
   Letters named before the final answer are reasoning.

Only upper-case letters are letters (``e.g.`` and ``i.e.`` in prose are not choices E and I); a letter
must stand alone (the ``A`` of ``Answer`` or ``Definitely`` is not one). Full-width letters (``Ｂ``) read as
their ASCII form; other scripts' look-alikes (Cyrillic ``С``) are not letters.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from guru_envs.verify.claim import MAX_BOXES
from guru_envs.verify.extract import (
    ConcludingClause,
    HedgedClause,
    all_boxed,
    box_spans,
    later_answers,
    strip_think,
    strip_wrappers,
)
from guru_envs.verify.text import normalize_text

LETTERS = string.ascii_uppercase[:10]  # A..J: SuperGPQA's ten options
MAX_CHOICE_CHARS = 400  # a boxed "letter" longer than this is not a letter
MAX_SCAN_CHARS = 20_000  # statements are read from the end of the response

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
    for start, end, _ in box_spans(text):
        out.append(text[pos:start] + " [box] ")
        pos = end
        last_end = sum(len(part) for part in out)
    out.append(text[pos:])
    return "".join(out), last_end


# --- what follows the answer -------------------------------------------------------------------------
# Only the first stated choice is ever read, so text after the answer cannot raise the reward by naming
# more options; but a response that offers two options is not one claim. The default is therefore to
# allow: an explanation may name other options in any wording (rejections, comparisons, lists, "The
# answer is C, not A", "Unlike A, ...", "A is too big", compound and allele names). Refused is only text
# that offers another option as an answer: a hedge or change-of-mind cue in the clause (or, for the
# strong cues, the sentence) of another option's letter or text ("Or maybe A.", "A could work too", "It
# might also be B", "Actually, D.", "C or D", "If not C, then D", "Correction: the answer is 500"), an
# affirmation of another option ("A is correct in practice", "Both D and A fit", "I wouldn't say A is
# wrong"), a question about one ("Is it A?"), or a bare letter with at most a few words ("A", "Though
# honestly A."). A rejection later in the sentence takes a cue back ("A looks plausible, but it ignores
# friction"). Each sentence is read once, so the scan is linear in the text.

_MENTION = re.compile(r"(?<![A-Za-z0-9\\])[A-J](?![A-Za-z0-9])")
# a unit after a number (10 J, 25 °C, 3 A), a symbol inside a formula (F = ma, E_k, x^A, F(x)) or a
# reaction scheme (A + B -> C)
_MATH_BEFORE = re.compile(
    r"(?:[=^_<>≈×·+→⇌⟶]|->|\\(?:cdot|times|approx|propto|leq?|geq?|to|rightarrow|longrightarrow)|\d|°|\\circ|\})"
    r"\s*(?:\\[,;:! ]|~)?\s*\$?$"
)
_MATH_AFTER = re.compile(
    r"\$?\s*(?:[=^_<>≈×·+→⇌⟶]|->|\\(?:cdot|times|approx|propto|leq?|geq?|to|rightarrow|longrightarrow)"
    r"(?![A-Za-z]))|\("
)
_CHOICE_WORD_BEFORE = re.compile(r"(?i:\b(?:options?|choices?|answers?|letters?))\s*[:#=]?[\s*_$`\"'(\[]*$")
_BRACKETED = re.compile(r"[(\[][\s*_$`]*$")
_CLOSED_AFTER = re.compile(r"[*_$`]*[)\]]")
_WORD_AFTER = re.compile(r"[*_$`]*\s+(?:(?P<word>[a-z][a-z'’-]*)|\d)")
_WORD_BEFORE = re.compile(r"\b([A-Za-z]+(?:['’][a-z]+)?)[\s*_$`\"'(\[]*$")
_ALONE = re.compile(r"[\s*_#>\-$`.:()\[\]\"'|?!]*")
# words after which "A" is the option letter, not the article ("A is wrong", "A also works")
_LETTER_PREDICATES = frozenset(
    "is was are were would could might may can will should must also too and or nor as seems seem appears "
    "appear looks look works work fits fit matches match remains gives give does did has had ignores "
    "neglects omits overlooks forgets misses confuses fails uses assumes inverts drops doubles yields "
    "corresponds since because if though although but so while whereas instead alone only either not "
    "isn't wasn't doesn't can't won't wouldn't couldn't overcounts undercounts exceeds requires equals "
    "actually probably perhaps maybe".split()
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
    "favor favour from between among into what about correction guess reflection".split()
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
    "vitamin vitamins statement statements claim claims".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those its their his her our your each every of in on at by".split()
)


def _is_option_letter(line: str, start: int, end: int) -> bool:
    """Whether the capital letter at ``line[start:end]`` names an option (see the comment above)."""
    before, after = line[max(0, start - 40) : start], line[end : end + 40]
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
    previous = _WORD_BEFORE.search(before)
    if previous is None or previous.group(1).lower() in _CONNECTORS:
        return True
    # a symbol a noun names: "the field B points up", "compound A", "where E is the energy"
    named = previous.group(1).lower()
    determiner = re.search(r"\b([a-z]+)\s+$", before[: previous.start(1)].lower())
    return named not in _SYMBOL_NOUNS and (determiner is None or determiner.group(1) not in _DETERMINERS)


# a lower-case letter names an option only plainly: "option b", "choice (c)", alone on its line, or after
# a change of mind ("Actually (a).", "maybe it's a")
_LOWER_MENTION = re.compile(r"(?i:\b(?:options?|choices?))\s*[:#]?\s*[(\[]?\s*([a-j])(?![A-Za-z0-9])")
_LOWER_AFTER_CUE = re.compile(
    r"(?i:\b(?:actually|maybe|perhaps|possibly|or|it's|it’s|it\s+is|go\s+with))[\s,*_$`]*[(\[]?([a-j])[)\]]?"
    r"[\s*_$`]*[.!?]?[\s*_$`]*$"
)
_ORDINAL = re.compile(r"(?i:\b(first|second|third|fourth|fifth|last)\s+(?:option|choice|one)\b)")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}


def _mentions(sentence: str, letters: str) -> list[tuple[int, int, str]]:
    """(start, end, letter) of the option letters ``sentence`` names (only ``letters``), in order."""
    found = [
        (m.start(1), m.end(1), m.group(1).upper())
        for m in _LOWER_MENTION.finditer(sentence)
        if m.group(1).upper() in letters
    ]
    chars = _MARKUP + ">#-.!?\n"
    offset = len(sentence) - len(sentence.lstrip(chars))
    alone = _LONE_LOWER.fullmatch(sentence.strip(chars))
    if alone is not None and alone.group(1).upper() in letters:
        found.append((offset + alone.start(1), offset + alone.end(1), alone.group(1).upper()))
    else:
        after_cue = _LOWER_AFTER_CUE.search(sentence)
        if after_cue is not None and after_cue.group(1).upper() in letters:
            found.append((after_cue.start(1), after_cue.end(1), after_cue.group(1).upper()))
    for m in _ORDINAL.finditer(sentence):
        at = _ORDINALS.get(m.group(1).lower(), len(letters) - 1)
        if at < len(letters):
            found.append((m.start(), m.end(), letters[at]))
    found += [
        (m.start(), m.end(), m.group(0))
        for m in _MENTION.finditer(sentence)
        if m.group(0) in letters and _is_option_letter(sentence, m.start(), m.end())
    ]
    return sorted(set(found))


_SENTENCE = re.compile(r"[^\n]*?(?:[.!?;](?=[\s*_$`)\]\"']|$)|\n|$)")
_CLAUSE_STOP = re.compile(r"[,:()\[\]—–]|\s-\s")
# a rejection after a cue takes the cue back ("A looks plausible, but it ignores friction")
_TAKEN_BACK = re.compile(
    r"(?i:\b(?:wrong|incorrect|false|invalid|untrue|impossible|unphysical|ruled\s+out|eliminat\w*|exclud\w*|"
    r"mistak\w*|distractors?|traps?|ignor\w*|neglect\w*|fail\w*|overcount\w*|undercount\w*|double[- ]?count\w*|"
    r"overestimat\w*|underestimat\w*|misread\w*|confus\w*|forg[eo]t\w*|omit\w*|invert\w*|"
    r"exceed\w*|too\s+(?:big|large|small|high|low|much|many|few|little|long|short|fast|slow)|"
    r"not\s+(?:the\s+)?(?:right|correct|true|valid|possible|plausible|answer|best|it|work|fit|apply|hold)|"
    r"cannot|can't|won't|isn't|aren't|doesn't|don't)\b)"
)
# change-of-mind cues: anywhere in the sentence of another option
_STRONG_CUE = re.compile(
    r"(?i:\b(?:correction|wait|on\s+reflection|on\s+second\s+thoughts?|second\s+guess|alternatively|"
    r"or\s+rather|if\s+not|unless|otherwise|kidding|backup|fallback|joking|my\s+gut|gut\s+(?:says|feeling|tells)|"
    r"(?:real|true|correct|right|actual|final)\s+(?:answer|choice|option)|"
    r"scratch\s+that|then\s+again|lean(?:ing)?\s+towards?|(?:i'd|i’d|i\s+would|i'll|i’ll|i\s+will|i\s+might|i\s+could)\s+(?:rather\s+|also\s+)?"
    r"(?:go\s+with|pick|choose|select|say|answer|accept|lean\s+towards?))\b)"
)
# hedges: in the clause of another option
_WEAK_CUE = re.compile(
    r"(?i:\b(?:maybe|perhaps|possibly|probably|likely|arguably|equally|actually|conceivably|honestly|"
    r"as\s+well|also\s+(?:works?|fits?|holds?|applies|possible|plausible|acceptable|valid|correct|right|"
    r"true|good|fine|viable|reasonable)|either(?=.*\bor\b)|too(?=[\s*_$`'\"]*$))\b)"
)
_CUE_NEGATED = re.compile(r"(?i:\b(?:not|less|never|hardly|un)\s*|n't\s+|n’t\s+)$")
# "might also be A", "A could work too", "It must be B"
_MODAL_CUE = re.compile(
    r"(?i:\b(?P<modal>might|could|may|must|should|would|can)\s+(?:also\s+|well\s+|equally\s+|even\s+|still\s+)?"
    r"(?:be\s+(?:(?:option|choice)\s+)?(?=[(\[]?[A-J](?![A-Za-z0-9]))|be\s+(?:right|correct|true|valid|"
    r"the\s+answer|an?\s+(?:answer|option)|possible|plausible|acceptable|fine|it)\b|work|fit|apply|hold)\b)"
)
# another option affirmed: "A is correct", "but correct in practice", "Both D and A fit"
_AFFIRM = re.compile(
    r"(?i:\b(?:is|are|was|were|be|been|being|seems?|looks?|appears?|sounds?|also|equally|too|but|yet|or|"
    r"still)\s+(?:(?:also|equally|quite|very|still|just|perhaps|probably|maybe|partly|partially|entirely|"
    r"technically|arguably|as|another|almost|nearly)\s+)*(?:correct|right|valid|the\s+(?:right|correct|better|best|true)\s+"
    r"(?:one|choice|option|answer)|plausible|possible|acceptable|viable|"
    r"reasonable|defensible|close(?!\s+to\b)|fine|okay|best|the\s+answer|an?\s+(?:valid\s+|possible\s+|good\s+)?"
    r"(?:answer|option))\b)"
)
_AFFIRM_VERB = re.compile(
    r"[\s*_$`)\]'\"]*(?i:(?:also|too|equally|still)\s+)?(?i:works?|fits?|holds?|applies|apply|is\s+it)\b"
)
# "It is not true that A is wrong", "I wouldn't say A is wrong", "Can't rule out A"
_NEGATED_REJECTION = re.compile(
    r"(?i:(?:\b(?:not|never|cannot|no|hardly|barely)\b|n't\b|n’t\b)\s*(?:[a-z'’]+\s+){0,4}?(?:wrong|incorrect|false|invalid|"
    r"untrue|rul(?:e|es|ed|ing)\s+out|eliminat\w*|exclud\w*|reject\w*|discard\w*|a\s+mistake|an?\s+error)\b)"
)
_CLAUSE_NEGATED = re.compile(r"(?i:\b(?:not|neither|nor|never|none|no)\b|n't\b|n’t\b)")
_COUNTERFACTUAL = re.compile(r"(?i:\b(?:if|unless|when|were|had)\b)")
_OR_BETWEEN = re.compile(
    r"[\s)\]*_$`'\"]*(?:,\s*)?(?:(?i:or|and/or)\b|/|\|)[\s(\[*_$`'\"]*(?:(?i:options?|choices?)\s+)?[(\[]?$"
)
_LEADING_OR = re.compile(
    r"[\s*_$`'\"(\[\\]*(?:(?i:or|and/or|/)\s*)(?:(?i:maybe|perhaps|possibly|even|else|rather|is\s+it)\s+)?"
    r"(?:(?i:options?|choices?)\s+)?[(\[]?[\s*_$`]*$"
)
_AS_IS = re.compile(
    r"(?i:\b(?:as|so)\s+(?:is|does|do|would|could|might)\s+(?:(?:options?|choices?)\s+)?)[(\[]?$"
)
# a clause that goes on about the option before it: "A is wrong, or maybe not", "A, is plausible"
_CONJUNCTION_START = re.compile(
    r"[\s*_$`'\"]*(?i:or|but|yet|though|although|is|are|was|were|seems?|looks?|appears?|also|could|might|may)\b"
)
_ELLIPTICAL_WORDS = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?|\d")
# the only words a sentence that merely offers a letter has: "Or A.", "Actually, D.", "Though honestly A."
_FILLER_WORDS = frozenset(
    "option options choice choices answer final my the quad qquad text textbf boxed or and though although "
    "honestly actually maybe perhaps possibly probably likely alternatively also too wait hmm hm so well "
    "then else otherwise second guess correction it it's it’s is i i'd i’d mean rather even but yet still "
    "just again sorry ok okay on reflection thought thoughts say go with pick choose really definitely "
    "instead could might may be would should must arguably scratch that you know kidding".split()
)


_ANY_CUE = re.compile(
    "|".join(p.pattern for p in (_STRONG_CUE, _WEAK_CUE, _MODAL_CUE, _AFFIRM, _NEGATED_REJECTION))
    + r"|(?i:\b(?:or|as|so|works?|fits?|holds?|applies|apply|is\s+it)\b)|/|\|"
)


@functools.lru_cache(maxsize=1024)
def _quoted_pattern(option: str) -> tuple[str, re.Pattern[str] | None]:
    """An option's plain lower-case text, and how it is quoted in prose (None under 3 characters)."""
    said = _plain(option)
    if len(said) < 3:
        return said.lower(), None
    return said.lower(), re.compile(r"(?<![\w.])" + re.escape(said) + r"(?![\w]|\.\d)", re.IGNORECASE)


def _option_text_mentions(
    text: str, options: Mapping[str, str] | None, letters: str
) -> list[tuple[int, int, str]]:
    """Where ``text`` quotes an option's own text (of 3 characters or more), as (start, end, letter)."""
    found: list[tuple[int, int, str]] = []
    for letter, option in (options or {}).items():
        pattern = _quoted_pattern(option)[1]
        if letter in letters and pattern is not None:
            found += [(m.start(), m.end(), letter) for m in pattern.finditer(text)]
    return found


def _sentence_problem(sentence: str, mentions: list[tuple[int, int, str]], chosen: str) -> str | None:
    """Why ``sentence`` (after the answer ``chosen``) offers another option; None if it does not."""
    others = [m for m in mentions if m[2] != chosen]
    if not others:
        return None
    letter = others[0][2]
    shown = sentence.strip()[:80]
    stripped = sentence.strip().strip(_MARKUP)
    if stripped.endswith("?") and not stripped.lower().startswith("why"):
        return f"after its answer {chosen} the response asks about option {letter}: {shown!r}"
    # a bare letter with at most a few words: "A", "Or A.", "Actually, D.", "Though honestly A."
    rest = sentence
    for start, end, _ in reversed(mentions):  # letters and "the first option", not quoted option texts
        if end - start == 1 or _ORDINAL.fullmatch(sentence, start, end):
            rest = rest[:start] + " " + rest[end:]
    if all(w.lower() in _FILLER_WORDS for w in _ELLIPTICAL_WORDS.findall(rest)):
        return f"after its answer {chosen} the response names option {letter} too: {shown!r}"
    taken_back = [m.start() for m in _TAKEN_BACK.finditer(sentence)]

    def kept(cue_end: int) -> bool:  # no rejection after the cue takes it back
        return not taken_back or taken_back[-1] < cue_end

    for cue in (*_STRONG_CUE.finditer(sentence), *_NEGATED_REJECTION.finditer(sentence)):
        if kept(cue.end()):
            return f"after its answer {chosen} the response offers option {letter} too: {shown!r}"
    # "C or D", "C/D": the chosen letter and another joined by "or"
    for (_, end1, l1), (start2, _, l2) in zip(mentions, mentions[1:], strict=False):
        if l1 != l2 and chosen in (l1, l2) and _OR_BETWEEN.fullmatch(sentence, end1, start2):
            return f"after its answer {chosen} the response offers {l1} or {l2}: {shown!r}"
    counterfactual = _COUNTERFACTUAL.search(sentence) is not None
    bounds = [0, *(m.end() for m in _CLAUSE_STOP.finditer(sentence)), len(sentence) + 1]
    previous: tuple[int, int, str] | None = None
    at = 0
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        inside = []
        while at < len(mentions) and mentions[at][0] < hi:
            if mentions[at][0] >= lo:
                inside.append(mentions[at])
            at += 1
        clause = sentence[lo:hi]
        if not inside and previous is not None and _CONJUNCTION_START.match(clause):
            inside = [previous]  # "A is wrong, or maybe not", "..., but it could also be right"
            anchor = lo
        else:
            anchor = None
        problem = _clause_problem(
            sentence, lo, min(hi, len(sentence)), inside, anchor, chosen, counterfactual, kept
        )
        if problem is not None:
            return f"after its answer {chosen} the response {problem}: {shown!r}"
        if inside:
            previous = inside[-1]
    return None


def _clause_problem(sentence, lo, hi, inside, anchor, chosen, counterfactual, kept) -> str | None:
    """How the clause ``sentence[lo:hi]`` offers another option among ``inside``; None if it does not."""
    other = next((m for m in inside if m[2] != chosen), None)
    if other is None:
        return None
    negated = _CLAUSE_NEGATED.search(sentence, lo, hi) is not None  # "Neither A nor B fits"
    for start, end, letter in inside:
        if letter == chosen:
            continue
        head = sentence[max(lo, start - 40) : start]
        if anchor is None and (_LEADING_OR.fullmatch(sentence, lo, start) or _AS_IS.search(head)):
            return f"offers option {letter} too"
        if not counterfactual and anchor is None and not negated:
            verb = _AFFIRM_VERB.match(sentence, end, min(hi, end + 40))
            if (
                verb is not None
                and kept(verb.end())
                and not _CUE_NEGATED.search(sentence[max(lo, end) : verb.start() + 1])
            ):
                return f"affirms option {letter}"
    for cue in _WEAK_CUE.finditer(sentence, lo, hi):
        if not _CUE_NEGATED.search(sentence[max(lo, cue.start() - 8) : cue.start()]) and kept(cue.end()):
            return f"hedges toward option {other[2]}"
    for cue in _MODAL_CUE.finditer(sentence, lo, hi):
        if counterfactual and cue.group("modal").lower() in ("would", "should", "must", "can"):
            continue
        if kept(cue.end()):
            return f"offers option {other[2]} too"
    if counterfactual:
        return None
    for cue in _AFFIRM.finditer(sentence, lo, hi):
        if _CUE_NEGATED.search(sentence[max(lo, cue.start() - 8) : cue.start() + 1]) or not kept(cue.end()):
            continue
        if re.search(r"(?i:\bnot\b|n't\b)", sentence[cue.start() : cue.end()]):
            continue
        nearest = [m for m in inside if m[0] < cue.start()] if anchor is None else inside
        if nearest and nearest[-1][2] != chosen:
            return f"affirms option {nearest[-1][2]}"
    return None


def _may_offer(sentence: str) -> bool:
    """Whether ``sentence`` could offer an option at all: a question, only a few filler words, or a cue."""
    if "?" in sentence or _ANY_CUE.search(sentence):
        return True
    words = _ELLIPTICAL_WORDS.findall(sentence)
    return all(w.lower() in _FILLER_WORDS or len(w) == 1 for w in words)


def _coda_problem(
    text: str, chosen: str, letters: str, options: Mapping[str, str] | None = None
) -> str | None:
    """Why ``text``, which follows the final answer ``chosen``, offers another option; None if not."""
    if not text.strip(" \t\n.!*_$`,;:"):  # "Answer: C." ends there
        return None
    plain = unicodedata.normalize("NFKC", text)
    for _ in range(3):
        new = _WRAPPERS.sub(r"\1", plain)
        if new == plain:
            break
        plain = new
    quoted = sorted(_option_text_mentions(plain, options, letters))
    at = 0
    for m in _SENTENCE.finditer(plain):
        a, b = m.span()
        if a == b:
            continue
        sentence = plain[a:b]
        if not _may_offer(sentence):
            continue
        mentions = _mentions(sentence, letters)
        while at < len(quoted) and quoted[at][0] < a:
            at += 1
        while at < len(quoted) and quoted[at][1] <= b:
            start, end, letter = quoted[at]
            mentions.append((start - a, end - a, letter))
            at += 1
        if not mentions:
            continue
        problem = _sentence_problem(sentence, sorted(set(mentions)), chosen)
        if problem is not None:
            return problem
    return None


# what, right after a letter, rejects it: "Answer A is wrong" is no statement of A
_REJECTED_AFTER = re.compile(
    r"[\s*_$`)\]'\"]*(?:[:\-–—,]\s*)?(?i:(?:is|was|seems|appears|looks|would\s+be|must\s+be)\s+)?"
    r"(?i:(?:clearly|definitely|certainly|obviously|actually|in\s+fact|also)\s+)*"
    r"(?i:wrong|incorrect|false|invalid|impossible|ruled\s+out|eliminated|not\s+(?:the\s+)?(?:right|correct|best|"
    r"true|valid|answer)|isn't\s+(?:the\s+)?(?:right|correct|answer)|a\s+distractor)\b"
)


def _statement_choices(
    text: str, letters: str, options: Mapping[str, str] | None
) -> tuple[list[Choice], int]:
    """Letters stated by explicit answer statements, in order, and where the last one's line ends.

    A statement that lists more letters (``Answer: C or D``) or goes on to offer another option on its
    line (``Answer: D since A also works``, ``Answer: D (or A)``, ``Answer: D. Alternatively A.``) gives a
    None choice. A question (``Is the answer B?``) and a rejection (``Answer A is wrong``) state nothing.
    Each statement's line is read up to the next statement, so every character is read once.
    """
    found: list[Choice] = []
    last_end = 0
    matches = list(_STATEMENT.finditer(text))
    for i, m in enumerate(matches):
        limit = min(m.end() + MAX_CHOICE_CHARS, matches[i + 1].start() if i + 1 < len(matches) else len(text))
        line_end = text.find("\n", m.end(), limit)
        line_end = line_end if line_end >= 0 else max(limit, m.end())
        tail = _plain(text[m.end() : line_end])
        item = _LETTER.match(tail)
        if item is None:
            lone = _LONE_LOWER.fullmatch(tail.strip().rstrip("."))
            if lone is not None:  # "Answer: c", the letter alone on its line (not "Answer: a value of 5")
                found.append(_valid(lone.group(1).upper(), letters, "stated answer line"))
                last_end = line_end
            continue  # else prose ("the answer to part A is ..."), not a statement of a choice
        letter, rest = _letter_of(item), tail[item.end() :]
        if rest.lstrip(" *_$").startswith("?") or _REJECTED_AFTER.match(rest):
            continue
        last_end = line_end
        choice = _stated(letter, rest, letters, options)
        found.append(
            choice
            if choice is not None
            else Choice(None, f"the answer statement is not one letter: {tail[:60]!r}")
        )
    return found, last_end


def _stated(letter: str, rest: str, letters: str, options: Mapping[str, str] | None) -> Choice | None:
    """The choice of a statement naming ``letter`` followed on its line by ``rest``; None if not one letter.

    The statement may end (``Answer: D.``), give a reason or a remark (``because ...``, ``(the third
    law)``, ``— 200 offspring``, ``, i.e. 200``) or the option's own text (``(B) 30 km``); it may not list
    another letter (``Answer: A, B``), go on with another option's text (``Answer: B 3.0 km``) or offer
    another option after it (:func:`_coda_problem`).
    """
    rest = rest.lstrip("*_$`")  # the markup that closes "**D**"
    stop = _SENTENCE_END.match(rest)
    if _ANOTHER_ITEM.match(rest) or (stop is not None and _ANOTHER_ITEM.match(rest[stop.end() :])):
        return None
    word = re.match(r"\s+([a-z][a-z'’-]*)", rest)
    if letter == "A" and word is not None and word.group(1).replace("’", "'") not in _LETTER_PREDICATES:
        return None  # "Answer: A large value": the article, not a letter
    head = rest.lstrip(" :.)(-–—,").lower()
    if options:
        own = _quoted_pattern(options.get(letter, ""))[0]
        for other, text in options.items():
            said = _quoted_pattern(text)[0]
            if other == letter or not said or (own and head.startswith(own)):
                continue
            if head.startswith(said) and not re.match(r"[\w.]", head[len(said) : len(said) + 1]):
                return None  # a letter with another option's text
    problem = _coda_problem(rest, letter, letters, options)
    if problem is not None:
        return Choice(None, problem)
    return _valid(letter, letters, "stated answer line")


def extract_choice(
    response: str,
    letters: str = LETTERS[:4],
    options: Mapping[str, str] | None = None,
) -> Choice:
    """The option letter a response chose, by the rules in the module docstring.

    Args:
        response: the full model response.
        letters: the valid letters, in order (``"ABCD"``).
        options: letter -> option text, to accept a box holding exactly one option's text (and a letter
            followed by its own option's text), and to read an option quoted by its text after the answer.
    """
    if not isinstance(response, str):
        return Choice(None, "response is not text")
    text = strip_think(response)
    boxes = all_boxed(text)
    if len(boxes) > MAX_BOXES:
        return Choice(None, f"{len(boxes)} boxed answers; give one final answer")
    choices = [read_box(box, letters, options) for box in boxes]
    # an option stated after the box in another form (<answer>A</answer>, "Eigentlich A.") is a second answer,
    # and so are several at once (<answer>A.B.C.D</answer>); a sentence after it that hedges is the coda's
    # to read, below, unless it offers every option at once ("Though A, B, C, D is also plausible.")
    hedged: set[str] = set()
    for value in later_answers(text):
        if isinstance(value, HedgedClause) and not isinstance(value, ConcludingClause):
            named = _lone_letters(value, letters)  # every option at once, hedged: "A, B, C, D is plausible"
            if (
                len(named) == len(letters) > 1
                and _OFFERING_HEDGE.search(value)
                and not _REJECTING.search(value)
            ):
                hedged |= named
            continue
        got = read_box(value, letters, options)
        if got.letter is not None:
            choices.append(got)
        elif len(_lone_letters(value, letters)) > 1:
            return Choice(
                None, f"after its answer the response states several options at once: {value[:40]!r}"
            )
    tail = text[-MAX_SCAN_CHARS:]
    scan, answer_end = _without_boxes(tail) if boxes else (tail, 0)
    lowered = tail.lower()
    if ("answer" in lowered or "option" in lowered or "choice" in lowered) and _STATEMENT.search(tail):
        stated, statement_end = _statement_choices(scan, letters, options)
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
    if hedged - {chosen[0]}:
        return Choice(
            None, f"after its answer {chosen[0]} the response offers option {min(hedged - {chosen[0]})} too"
        )
    problem = _coda_problem(scan[answer_end:], chosen[0], letters, options)
    if problem is not None:
        return Choice(None, problem)
    return choices[0] if boxes else choices[-1]


_OFFERING_HEDGE = re.compile(
    r"(?i:\b(?:or|also|too|either|maybe|perhaps|possibly|probably|plausible|possible|might|could|"
    r"alternatively|otherwise|unless|backup|fallback|gut|kidding|actually|really)\b)"
)
_REJECTING = re.compile(
    r"(?i:\b(?:wrong|incorrect|not|no|never|false|invalid|impossible|ruled\s+out|eliminated|excluded|"
    r"rejected?)\b|n't|n’t)"
)
_LONE_LETTER = re.compile(r"(?<![A-Za-z])([A-J])(?![A-Za-z])")


def _lone_letters(text: str, letters: str) -> set[str]:
    """The option letters ``text`` names standing alone (``A.B.C.D``, ``A, B``), not inside words."""
    return {m.group(1) for m in _LONE_LETTER.finditer(text) if m.group(1) in letters}


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
