"""Pieces every logic family shares: bounded generation, word pools, answer reading, grid scoring.

Generation is bounded by work, never by wall-clock time, so a seed gives the same puzzle on a fast and
on a slow machine: each attempt draws a fresh rng derived from the task's rng, each solver call has a
node budget (:class:`BudgetExceeded`), and after a fixed number of attempts :func:`generate_unique`
gives up with :class:`GenerationError` instead of looping.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from guru_envs.verify.claim import final_answer as one_final_answer
from guru_envs.verify.extract import HedgedClause, answer_tags, hedges, later_answers, strip_think
from guru_envs.verify.grids import parse_int_grid
from guru_envs.verify.json_answer import hedged_words
from guru_envs.verify.score import Score
from guru_envs.verify.text import doubts, elides

T = TypeVar("T")


class GenerationError(RuntimeError):
    """No puzzle with a unique solution was found within the attempt budget (raised, never looped)."""


class BudgetExceeded(Exception):
    """A solver ran past its node budget; the candidate puzzle is discarded, not trusted."""


def generate_unique(
    rng: random.Random, build: Callable[[random.Random], T | None], tries: int, what: str
) -> T:
    """Call ``build`` with fresh rngs derived from ``rng`` until it returns a puzzle.

    ``build`` returns None (or raises :class:`BudgetExceeded`) when its candidate is not provably
    unique. The derived rngs depend only on ``rng``, so the result is reproducible.

    Raises:
        GenerationError: after ``tries`` failed attempts.
    """
    for _ in range(tries):
        sub = random.Random(rng.getrandbits(64))
        try:
            result = build(sub)
        except BudgetExceeded:
            continue
        if result is not None:
            return result
    raise GenerationError(f"{what}: no uniquely solvable puzzle in {tries} attempts")


def weighted_order(rng: random.Random, items: Sequence[T], weight: Callable[[T], float]) -> list[T]:
    """A random order in which heavier items tend to come first (weighted sampling without replacement).

    Items of weight 0 are dropped.
    """
    keyed = []
    for item in items:
        w = weight(item)
        if w > 0:
            keyed.append((rng.random() ** (1.0 / w), item))
    keyed.sort(key=lambda kv: kv[0], reverse=True)
    return [item for _, item in keyed]


def ordinal(k: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ..., ``11th``, ``12th``, ``21st``."""
    suffix = "th" if 11 <= k % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def numbered(lines: Sequence[str]) -> str:
    """Lines as a numbered list, one per line."""
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def capitalize(sentence: str) -> str:
    """Upper-case the first character only (``str.capitalize`` would lower-case names)."""
    return sentence[:1].upper() + sentence[1:]


FIRST_NAMES = (
    "Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Henry", "Ivy", "Jack", "Karen", "Leo",
    "Mona", "Nate", "Olga", "Peter", "Quinn", "Rosa", "Sam", "Tina", "Umar", "Vera", "Walt", "Xena",
    "Yusuf", "Zara", "Amir", "Bianca", "Chen", "Dmitri", "Elena", "Farid", "Gita", "Hugo", "Ines",
    "Jonas", "Kenji", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Ravi", "Sofia", "Tomas", "Uma",
)  # fmt: skip

_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gl",
    "kr",
    "pl",
    "st",
    "tr",
    "sn",
)
_VOWELS = ("a", "e", "i", "o", "u", "au", "ee", "oo")
_CODAS = ("", "", "", "n", "m", "p", "rt", "sk", "x", "ld", "mp", "nd")


def made_up_words(
    rng: random.Random, n: int, syllables: int = 2, exclude: frozenset[str] = frozenset()
) -> list[str]:
    """``n`` distinct pronounceable nonsense words (letters only), e.g. ``brauzim``, ``tepolk``.

    Words that are real English are not filtered out, but with two or more syllables they are rare;
    the point is that the model cannot lean on world knowledge.
    """
    words: list[str] = []
    seen = set(exclude)
    while len(words) < n:
        parts = []
        for i in range(syllables):
            parts.append(rng.choice(_ONSETS) + rng.choice(_VOWELS))
            if i == syllables - 1:
                parts.append(rng.choice(_CODAS))
        word = "".join(parts)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class AnswerBlockError(ValueError):
    """No usable ``<answer>`` block: none, or several that say different things (the message says which)."""


_BLANKS = re.compile(r"\s+")


_ANSWER_CLOSE = re.compile(r"</answer>", re.IGNORECASE)  # extract.answer_tags' closing tag


def answer_blocks(response: str) -> list[str]:
    """The contents of every ``<answer>...</answer>`` after the last ``</think>``, in order, stripped."""
    return answer_tags(response)


def _same_block(a: str, b: str) -> bool:
    return _BLANKS.sub("", a).casefold() == _BLANKS.sub("", b).casefold()


_ALTERNATIVE = re.compile(r"(?<![^\W\d_])(?:or|either|oder|ou|o|или|vel)(?![^\W\d_])|或|还是", re.IGNORECASE)


_LITERAL_IN_CLAUSE = re.compile(r"[\[{(][^\[\]{}()]{1,2000}[\]})]")
MAX_HEDGED_CLAUSES = 8  # sentences after the answer that hedge or correct; more is not one claim
MAX_SPAN_WORDS = 12  # a clause's every run of words is read up to this length (78 runs); longer, its ends


# A condition, from its opener to the next comma, colon or semicolon: what a puzzle's argument supposes
_CONDITION = re.compile(
    r"(?<![^\W\d_])(?:if(?![ \t]+not(?![^\W\d_]))|when|whenever|suppose|supposing|assuming|assume)(?![^\W\d_])[^,;:]*",
    re.IGNORECASE,
)


def _contradicts(got: object, answer: object, whole: bool) -> bool:
    """Whether a value read in a hedge differs from the answer.

    A part of a mapping answer said in words agrees with it ("Alice is a knight" when the answer has Alice
    a knight); a literal (``{"Hugo": "knave"}``) is a whole answer, and must be the answer.
    """
    if not whole and isinstance(got, dict) and isinstance(answer, dict):
        return not got.items() <= answer.items()
    return got != answer


_PAIRS = {")": "(", "]": "[", "}": "{"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def _unbracketed(run: str) -> str:
    """``run`` without the brackets it closes or opens but does not match ("zisnon)", "(50%")."""
    run = run.strip(" ;,.?？!:")
    for _ in range(8):
        if run and run[-1] in _PAIRS and run.count(run[-1]) > run.count(_PAIRS[run[-1]]):
            run = run[:-1].rstrip(" ;,.?？!:")
        elif run and run[0] in _CLOSERS and run.count(run[0]) > run.count(_CLOSERS[run[0]]):
            run = run[1:].lstrip()
        else:
            break
    return run


def _read_or_none(read: Callable[[str], object], text: str) -> object:
    """What ``read`` reads in ``text``, None when it refuses (a reader may raise on what is no value)."""
    try:
        return read(text)
    except Exception:  # noqa: BLE001 - a reader's refusal: not a value it reads
        return None


def _readings(clause: str, read: Callable[[str], object]) -> list[tuple[object, bool]]:
    """What a hedged clause states inside its words, as ``read`` reads them.

    Each bracketed literal, then the longest runs of words it reads ("Just kidding, it is harp, drum,
    guitar", "Though sotu is also plausible"); a run inside one already read is not read again
    (``"hawk", "raven"`` of a whole list).
    """
    found: list[tuple[object, bool]] = []  # (value, whether a bracketed literal stated it)
    for m in _LITERAL_IN_CLAUSE.finditer(clause):
        got = _read_or_none(read, m.group())
        if got is not None:
            found.append((got, True))
            clause = clause.replace(m.group(), " ; ")
    words = clause.strip().rstrip("?？.!;:").split()[:40]
    n = len(words)
    if n > MAX_SPAN_WORDS:  # a long clause: the runs that start or end it, and each word
        runs = (
            [(i, n) for i in range(1, n)]
            + [(0, j) for j in range(n - 1, 0, -1)]
            + [(i, i + 1) for i in range(n)]
        )
    else:
        runs = [(i, i + size) for size in range(n - 1, 0, -1) for i in range(n - size + 1)]
    covered: set[int] = set()
    for i, j in runs:
        if set(range(i, j)) <= covered:
            continue
        run = _unbracketed(" ".join(words[i:j]))
        got = _read_or_none(read, run)
        if got is not None:
            found.append((got, run.startswith(("[", "{"))))
            covered.update(range(i, j))
    return found


def _reads_otherwise(
    stated: str,
    final: str,
    read: Callable[[str], object] | None,
    read_hedged: Callable[[str], object] | None = None,
) -> bool:
    """Whether ``stated`` (after the final answer) is another answer than ``final``.

    The family's reader must read it, and read it otherwise; what it cannot read is prose ("crow, hawk
    (left to right)") unless it offers alternatives ("trevauld or trusaump") or hedges with a value
    ``read_hedged`` (default: ``read``) reads in its words ("The correct answer is actually sotu.").
    """
    if _same_block(stated, final):
        return False
    if read is None:
        return True
    answer = _read_or_none(read, final)
    said = _read_or_none(read, stated)
    if said is None and isinstance(stated, HedgedClause):  # "So harp, drum, guitar." after the answer
        said = _read_or_none(read, stated.strip(" .!;:"))
    if said is None:  # prose, unless it offers alternatives ("trevauld or trusaump") or hedges with a value
        if _ALTERNATIVE.search(stated) is not None:
            return True
        cleared = _CONDITION.sub(" ", stated)  # "if Alice were a knave, ..." argues, it offers nothing
        if answer is None or not hedges(cleared):
            return False
        return any(_contradicts(got, answer, whole) for got, whole in _readings(cleared, read_hedged or read))
    return answer is not None and said != answer


def final_answer(
    response: str,
    read: Callable[[str], object] | None = None,
    read_hedged: Callable[[str], object] | None = None,
) -> str:
    """The one final answer of a response: its ``<answer>`` block.

    The project's rule for several final answers (:func:`guru_envs.verify.claim.final_answer`): the
    same answer may be repeated (spacing and case aside), and the last block is read; blocks that
    differ are several answers, and so are more than :data:`guru_envs.verify.claim.MAX_BOXES` blocks.

    The text after the last block may argue for the answer, but a clause there that hedges on a value of
    it ("Nate might be a knight too.", "Alternatively Nate is a knight.", "The owl could be 5th") offers a
    second answer (:func:`guru_envs.verify.json_answer.hedged_words`).

    A value stated after the last block in another form (a box, a fenced block, "Final answer: ..",
    "Wait, no: ..": :func:`guru_envs.verify.extract.later_answers`) must not be another answer: ``read``,
    the family's reader, must not read it as a different value (a JSON object and the same roles in words
    are one answer; what it cannot read is prose). A clause there that hedges or corrects ("The correct
    answer is actually sotu.", "Just kidding, it is harp, drum, guitar.") is read in its words, by
    ``read_hedged`` when given (a reader that takes only the task's own values), else by ``read``.

    Raises:
        AnswerBlockError: no block, several different ones, one that asks ('?') or trails off ('...'), or
            a hedge on it after it.
    """
    blocks = answer_blocks(response)
    if not blocks:
        raise AnswerBlockError("no <answer>...</answer> block")
    if len(blocks) == 1:
        text = blocks[0]
    else:
        pick = one_final_answer(blocks, same=_same_block)
        if pick.text is None:
            raise AnswerBlockError(
                f"several answers: {len(blocks)} <answer> blocks that say different things"
            )
        text = pick.text
    if doubts(text):  # "a, b, c?", a cell "Frank？" or "Frank\u003f": an answer that asks claims nothing
        raise AnswerBlockError("the answer is not one claim: it contains '?'")
    if elides(text):  # "steevort...", "a, b, …, e": trailing off or leaving out is not stating
        raise AnswerBlockError("the answer is not one claim: it trails off or leaves something out ('...')")
    body = strip_think(response)
    closes = list(_ANSWER_CLOSE.finditer(body))
    if closes:
        hedge = hedged_words(body[closes[-1].end() :], text)
        if hedge is not None:
            raise AnswerBlockError(f"the answer is not one claim: {hedge!r} after it offers another value")
    # a box, a fence, "Wait, no: ..", "The correct answer is actually .." after the tag
    stated_after = later_answers(response, reads="tag", worded=read is not None)
    hedged = sum(isinstance(s, HedgedClause) and hedges(s) for s in stated_after)
    if hedged > MAX_HEDGED_CLAUSES:  # each is read in its words: a bounded cost, and no honest ending
        raise AnswerBlockError(f"the answer is not one claim: {hedged} sentences after it hedge or correct")
    for stated in stated_after:
        if _reads_otherwise(stated, text, read, read_hedged):
            raise AnswerBlockError("several answers: a value stated after the <answer> block differs from it")
    return text


def clean_word(text: str) -> str:
    """Strip quotes, markdown emphasis, code ticks and end punctuation around a short answer."""
    s = text.strip()
    for _ in range(3):
        s = s.strip().strip("*_`\"'“”‘’").strip().rstrip(".!;:,").strip()
    return s


def score_exact_grid(want: list[list[int]], response: str) -> Score:
    """Exact-grid verdict used by ARC-style and sudoku families: one grid, its shape and every cell must match."""
    try:
        raw = final_answer(response, read=parse_int_grid)
    except AnswerBlockError as exc:
        return Score.wrong(None, str(exc), feedback="Put the one output grid inside <answer></answer>.")
    got = parse_int_grid(raw)
    extracted = raw[:2000]
    if got is None:
        return Score.wrong(extracted, "the answer is not one grid of integers")
    rows, cols = len(want), len(want[0]) if want else 0
    if len(got) != rows or any(len(r) != cols for r in got):
        shape = (
            f"{len(got)}x{len(got[0]) if got else 0}"
            if got and all(len(r) == len(got[0]) for r in got)
            else "ragged"
        )
        return Score.wrong(extracted, f"wrong shape: {shape}, expected {rows}x{cols}", shape_ok=False)
    wrong_cells = sum(a != b for ga, wa in zip(got, want) for a, b in zip(ga, wa))
    if wrong_cells:
        return Score.wrong(
            extracted,
            f"{wrong_cells} of {rows * cols} cells differ",
            shape_ok=True,
            cell_accuracy=1 - wrong_cells / (rows * cols),
        )
    return Score.right(extracted, "the grid matches exactly", shape_ok=True, cell_accuracy=1.0)


def grid_json(grid: Sequence[Sequence[int]]) -> str:
    """A grid as compact JSON with one row per line (readable, and parseable as JSON)."""
    return "[" + ",\n ".join("[" + ", ".join(str(v) for v in row) + "]" for row in grid) + "]"


def plain_grid(value: object) -> list[list[int]]:
    """A plain ``list[list[int]]`` from numpy arrays, tuples or nested lists (GURU stores numpy arrays).

    Raises:
        ValueError: when the value is not a non-empty rectangular grid of integers.
    """
    if hasattr(value, "tolist"):
        value = value.tolist()  # numpy array (or array of arrays)
    if isinstance(value, str):
        parsed = parse_int_grid(value)
        if parsed is None:
            raise ValueError("ground truth text is not a grid of integers")
        value = parsed
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("a grid must be a non-empty list of rows")
    rows = []
    for row in value:
        if hasattr(row, "tolist"):
            row = row.tolist()
        if not isinstance(row, list | tuple) or not row:
            raise ValueError("each grid row must be a non-empty list")
        cells = []
        for v in row:
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, bool) or not isinstance(v, int | float) or int(v) != v:
                raise ValueError(f"grid cells must be integers, got {v!r}")
            cells.append(int(v))
        rows.append(cells)
    if any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("grid rows differ in length")
    return rows


def grid_wrong_responses(answer: list[list[int]], test_input: list[list[int]] | None = None) -> list[str]:
    """Near misses for an exact-grid task: one cell off, a row missing (or added), a mirror, the input, no tags."""
    one_off = [list(r) for r in answer]
    one_off[-1][-1] = (one_off[-1][-1] + 1) % 10
    mirrored = [list(reversed(r)) for r in answer]
    if mirrored == answer:
        mirrored = [list(r) for r in reversed(answer)]
    out = [
        f"<answer>{grid_json(one_off)}</answer>",
        f"<answer>{grid_json(answer[:-1] if len(answer) > 1 else answer + answer)}</answer>",
        grid_json(answer),
    ]
    if mirrored != answer:
        out.append(f"<answer>{grid_json(mirrored)}</answer>")
    if test_input is not None and test_input != answer:
        out.append(f"The grid does not change.\n<answer>{grid_json(test_input)}</answer>")
    return out


def arc_prompt(
    train: Sequence[tuple[Sequence[Sequence[int]], Sequence[Sequence[int]]]],
    test_input: Sequence[Sequence[int]],
) -> str:
    """The prompt for an ARC task: numbered example pairs, the test input, the answer format."""
    shown = "\n\n".join(
        f"Example {i}\nInput: {grid_literal(a)}\nOutput: {grid_literal(b)}"
        for i, (a, b) in enumerate(train, 1)
    )
    return (
        "Each example below turns an input grid into an output grid by the same rule. Grids are lists of rows; "
        "each number 0-9 is a colour.\n\n"
        f"{shown}\n\nTest input: {grid_literal(test_input)}\n\n"
        "Apply the rule to the test input. Give the output grid inside <answer> and </answer> tags as a list "
        "of rows, for example <answer>[[1, 0], [0, 1]]</answer>."
    )


def grid_literal(g: Sequence[Sequence[int]]) -> str:
    """A grid on one line, as GURU's ARC prompts show it: ``[[0, 1], [2, 3]]``."""
    return "[" + ", ".join("[" + ", ".join(map(str, row)) + "]" for row in g) + "]"
