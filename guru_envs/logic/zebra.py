"""Zebra (Einstein) puzzles: houses in a row, people with one value of each attribute, clues.

Description:
    N houses in a row hold N people; each attribute (name, pet, drink, ...) gives every person a
    different value. Clues relate values ("The person who drinks tea lives directly left of Bob").
    Clues are drawn from facts true of a random hidden grid and added until the grid is the only one
    consistent with them (proven by :mod:`guru_envs.logic.positions`); at the harder levels every clue
    that can be dropped without losing uniqueness is then dropped.

Prompt:
    The houses, each attribute with its values, the numbered clues, and the answer format.

Answer format:
    The full grid inside ``<answer>...</answer>``: ``{"header": ["House", "Name", ...], "rows": [["1",
    "Alice", ...], ...]}`` (GURU's format), a list of row objects, a ``{"House 1": {...}}`` mapping, or a
    markdown table (alone in the block). Columns are matched by header name, rows by their house number
    when given.

    The answer is one assignment, so a grid that says more than one thing scores 0: a second table, a
    column named twice or not among the puzzle's attributes, more rows than houses, a house number
    given twice (a second, contradictory row), a house number out of range or not a number, rows of the
    wrong width, a repeated JSON key, keys beside ``header``/``rows``, or several different
    ``<answer>`` blocks. Rows or columns left out only cost their cells.

Scoring:
    Cell accuracy over the attribute cells (the house-number column is not scored): the fraction of
    cells that hold the right value, compared case- and whitespace-insensitively. ``correct`` only when
    every cell is right. Option ``exact_match=True`` pays 1 for a fully right grid and 0 otherwise.
    GURU rows (``logic__zebra_puzzle*``, ground truth ``{"header": [...], "rows": [[...]]}``) are scored
    the same way. (GURU's own scorer also counts the position column, which is right by construction,
    and compares rows by index; so its partial rewards run higher, and a grid with rows reordered but
    correctly numbered scores lower there than here.)

Difficulty:
    1: 2 houses x 2 attributes, direct clues ... 10: 7 houses x 6 attributes, relational clues only,
    minimal clue set. See :data:`LEVELS`.

    ``meta["spec"]`` holds the clues as ``[kind, entity1, entity2 or -1, parameter]`` with entity
    ``attribute * houses + value`` (``meta["values"]`` lists each attribute's values in that order), so
    tools can re-check a puzzle without parsing its text.

Version History:
    v0: initial release.
    v0 (unreleased): a grid must be one assignment (see Answer format): extra, contradictory or out-of-range
        rows, duplicate or unknown columns, repeated keys and several different answer blocks score 0 instead
        of being read past (issue 17).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import (
    AnswerBlockError,
    BudgetExceeded,
    capitalize,
    final_answer,
    generate_unique,
    numbered,
    weighted_order,
)
from guru_envs.logic.positions import PositionCSP
from guru_envs.verify.grids import parse_markdown_table
from guru_envs.verify.json_answer import RepeatedKeyError, parse_literal
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError, parse_structured
from guru_envs.verify.text import normalize_text

# name, values, subject phrase, "is/does" phrase, negated phrase ({v} is the value)
ATTRIBUTES: tuple[tuple[str, tuple[str, ...], str, str, str], ...] = (
    ("Name", ("Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Henry", "Ivy"), "{v}", "is {v}", "is not {v}"),
    ("Nationality", ("Brit", "Swede", "Dane", "German", "Norwegian", "Spaniard", "Italian", "Japanese", "Brazilian"),
     "the {v}", "is the {v}", "is not the {v}"),
    ("Color", ("red", "green", "white", "yellow", "blue", "purple", "orange", "gray", "pink"),
     "the person in the {v} house", "lives in the {v} house", "does not live in the {v} house"),
    ("Pet", ("cats", "dogs", "birds", "fish", "horses", "rabbits", "hamsters", "snakes", "turtles"),
     "the person who keeps {v}", "keeps {v}", "does not keep {v}"),
    ("Drink", ("coffee", "tea", "milk", "water", "juice", "soda", "cocoa", "lemonade", "kefir"),
     "the person who drinks {v}", "drinks {v}", "does not drink {v}"),
    ("Job", ("doctor", "teacher", "engineer", "pilot", "chef", "lawyer", "artist", "nurse", "farmer"),
     "the {v}", "is the {v}", "is not the {v}"),
    ("Hobby", ("painting", "gardening", "chess", "cycling", "fishing", "hiking", "knitting", "pottery", "dancing"),
     "the person who enjoys {v}", "enjoys {v}", "does not enjoy {v}"),
    ("Food", ("pizza", "sushi", "tacos", "pasta", "curry", "salad", "soup", "noodles", "stew"),
     "the person who eats {v}", "eats {v}", "does not eat {v}"),
    ("Music", ("jazz", "rock", "pop", "blues", "reggae", "classical", "folk", "metal", "country"),
     "the person who listens to {v}", "listens to {v}", "does not listen to {v}"),
    ("Car", ("sedan", "truck", "convertible", "minivan", "coupe", "jeep", "hatchback", "wagon", "roadster"),
     "the person who drives a {v}", "drives a {v}", "does not drive a {v}"),
    ("Flower", ("roses", "tulips", "lilies", "daisies", "orchids", "sunflowers", "peonies", "irises", "violets"),
     "the person who grows {v}", "grows {v}", "does not grow {v}"),
)  # fmt: skip

POSITION_NAMES = frozenset(
    {"house", "position", "house number", "house #", "#", "pos", "no", "index", "number"}
)

EASY = {
    "at": 3.0,
    "not_at": 1.0,
    "end": 0.5,
    "same": 3.0,
    "diff": 1.0,
    "left": 1.0,
    "imm_left": 1.0,
    "next": 1.0,
}
MEDIUM = {**EASY, "at": 1.0, "same": 2.5, "right": 1.0, "imm_right": 1.0, "not_next": 0.5, "gap": 0.7}
HARD = {
    "at": 0.2, "not_at": 0.6, "end": 0.4, "same": 2.0, "diff": 1.2, "left": 1.2, "right": 1.2,
    "imm_left": 1.4, "imm_right": 1.4, "next": 1.5, "not_next": 1.0, "gap": 1.0,
}  # fmt: skip


@dataclass(frozen=True)
class ZebraConfig:
    """Knobs of one difficulty level.

    Attributes:
        houses: number of houses (and people).
        attributes: attributes per person, the name included.
        weights: relative frequency of each clue kind among the clues drawn.
        minimal: drop every clue whose removal keeps the solution unique.
    """

    houses: int
    attributes: int
    weights: dict[str, float]
    minimal: bool


LEVELS: dict[int, ZebraConfig] = {
    1: ZebraConfig(2, 2, EASY, False),
    2: ZebraConfig(3, 2, EASY, False),
    3: ZebraConfig(3, 3, EASY, False),
    4: ZebraConfig(4, 3, MEDIUM, False),
    5: ZebraConfig(4, 4, MEDIUM, True),
    6: ZebraConfig(5, 4, MEDIUM, True),
    7: ZebraConfig(5, 5, HARD, True),
    8: ZebraConfig(6, 5, HARD, True),
    9: ZebraConfig(6, 6, HARD, True),
    10: ZebraConfig(7, 6, HARD, True),
}

MAX_NODES = 50_000
ATTEMPTS = 20

Clue = tuple[str, int, int, int]  # (kind, entity1, entity2 or -1, position or gap parameter)


def _candidate_clues(pos: list[int], n: int, m: int) -> list[Clue]:
    """Every true clue about the hidden grid; ``pos[e]`` is the house of entity ``e = attr * n + value``."""
    clues: list[Clue] = []
    entities = range(n * m)
    for e in entities:
        p = pos[e]
        clues.append(("at", e, -1, p))
        clues.extend(("not_at", e, -1, q) for q in range(n) if q != p)
        if n >= 3 and p in (0, n - 1):
            clues.append(("end", e, -1, 0))
    for e1 in entities:
        for e2 in entities:
            if e1 >= e2:
                continue
            a1, a2 = e1 // n, e2 // n
            d = pos[e2] - pos[e1]
            if a1 != a2:
                clues.append(("same" if d == 0 else "diff", e1, e2, 0))
            if d == 0:
                continue
            first, second = (e1, e2) if d > 0 else (e2, e1)
            clues.append(("left", first, second, 0))
            clues.append(("right", second, first, 0))
            if abs(d) == 1:
                clues.append(("imm_left", first, second, 0))
                clues.append(("imm_right", second, first, 0))
                clues.append(("next", e1, e2, 0))
            else:
                clues.append(("not_next", e1, e2, 0))
                if abs(d) == 2:
                    clues.append(("gap", e1, e2, 1))
    return clues


def _add_clue(csp: PositionCSP, clue: Clue) -> None:
    kind, e1, e2, k = clue
    if kind == "at":
        csp.add_unary(e1, 1 << k)
    elif kind == "not_at":
        csp.add_unary(e1, csp.full & ~(1 << k))
    elif kind == "end":
        csp.add_unary(e1, 1 | 1 << (csp.n - 1))
    else:
        csp.add_binary(e1, e2, kind, k)


def _csp(n: int, m: int, clues: list[Clue]) -> PositionCSP:
    csp = PositionCSP(n, [[a * n + v for v in range(n)] for a in range(m)])
    for clue in clues:
        _add_clue(csp, clue)
    return csp


class ZebraFamily(TaskFamily):
    """Zebra puzzles with a solver-proven unique grid; scores GURU's zebra rows too."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "zebra"
    levels: ClassVar[int] = len(LEVELS)
    guru_scorer: ClassVar[str] = "zebra_puzzle"

    def __init__(self, exact_match: bool = False) -> None:
        super().__init__()
        if not isinstance(exact_match, bool):
            raise TypeError(f"exact_match must be a bool, got {exact_match!r}")
        self.exact_match = exact_match

    # ----------------------------------------------------------------------------------- generation
    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one puzzle; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"zebra level {difficulty}"
        )

    def _attempt(self, rng: random.Random, cfg: ZebraConfig) -> Problem | None:
        n, m = cfg.houses, cfg.attributes
        attrs = [ATTRIBUTES[0], *rng.sample(ATTRIBUTES[1:], m - 1)]
        values = [rng.sample(attr[1], n) for attr in attrs]
        pos: list[int] = []
        for _ in range(m):
            perm = list(range(n))
            rng.shuffle(perm)
            pos.extend(perm)

        candidates = _candidate_clues(pos, n, m)
        counts: dict[str, int] = {}
        for clue in candidates:
            counts[clue[0]] = counts.get(clue[0], 0) + 1
        order = weighted_order(rng, candidates, lambda c: cfg.weights.get(c[0], 0.0) / counts[c[0]])

        csp = _csp(n, m, [])
        dom = csp.initial()
        chosen: list[Clue] = []
        for clue in order:
            trial_csp = csp.copy()
            _add_clue(trial_csp, clue)
            if trial_csp.entailed(dom, len(csp.unary), len(csp.binary)):
                continue  # already implied by what is known: adds words, not information
            trial = list(dom)
            for var, allowed in trial_csp.unary[len(csp.unary) :]:
                trial[var] &= allowed
            if not trial_csp.propagate(trial):
                raise AssertionError("a true clue contradicted the hidden grid")  # solver bug guard
            csp, dom = trial_csp, trial
            chosen.append(clue)
            if all(d & (d - 1) == 0 for d in dom):
                break
            if len(csp.solve(limit=2, max_nodes=MAX_NODES, dom=dom)) == 1:
                break
        else:
            return None

        if cfg.minimal:
            kept = list(chosen)
            for clue in rng.sample(chosen, len(chosen)):
                without = [c for c in kept if c is not clue]
                try:
                    if _csp(n, m, without).is_unique(max_nodes=MAX_NODES):
                        kept = without
                except BudgetExceeded:
                    pass  # cannot prove it redundant cheaply: keep it
            chosen = kept

        final = _csp(n, m, chosen)
        solutions = final.solve(limit=2, max_nodes=MAX_NODES * 4)
        if len(solutions) != 1 or solutions[0] != pos:
            return None
        rng.shuffle(chosen)
        return self._problem(attrs, values, pos, chosen, n, m)

    def _problem(
        self, attrs: list[Any], values: list[list[str]], pos: list[int], clues: list[Clue], n: int, m: int
    ) -> Problem:
        def subject(e: int) -> str:
            return attrs[e // n][2].format(v=values[e // n][e % n])

        def predicate(e: int, negated: bool = False) -> str:
            return attrs[e // n][4 if negated else 3].format(v=values[e // n][e % n])

        lines = []
        for kind, e1, e2, k in clues:
            s1 = subject(e1)
            if kind == "at":
                text = f"{s1} lives in house {k + 1}."
            elif kind == "not_at":
                text = f"{s1} does not live in house {k + 1}."
            elif kind == "end":
                text = f"{s1} lives in one of the two end houses."
            elif kind == "same":
                text = f"{s1} {predicate(e2)}."
            elif kind == "diff":
                text = f"{s1} {predicate(e2, negated=True)}."
            elif kind == "left":
                text = f"{s1} lives somewhere to the left of {subject(e2)}."
            elif kind == "right":
                text = f"{s1} lives somewhere to the right of {subject(e2)}."
            elif kind == "imm_left":
                text = f"{s1} lives directly to the left of {subject(e2)}."
            elif kind == "imm_right":
                text = f"{s1} lives directly to the right of {subject(e2)}."
            elif kind == "next":
                text = f"{s1} and {subject(e2)} live next to each other."
            elif kind == "not_next":
                text = f"{s1} and {subject(e2)} do not live next to each other."
            else:  # gap
                text = f"There is exactly one house between {s1} and {subject(e2)}."
            lines.append(capitalize(text))

        header = ["House"] + [a[0] for a in attrs]
        rows = [[str(h + 1)] for h in range(n)]
        for h in range(n):
            for a in range(m):
                v = next(v for v in range(n) if pos[a * n + v] == h)
                rows[h].append(values[a][v])
        answer = {"header": header, "rows": rows}
        attr_lines = "\n".join(f"- {a[0]}: {', '.join(sorted(vals))}" for a, vals in zip(attrs, values))
        example_rows = ", ".join(
            f'["{h + 1}", ' + ", ".join('"..."' for _ in range(m)) + "]" for h in range(min(n, 2))
        )
        example = json.dumps(header) + ', "rows": [' + example_rows + (", ...]" if n > 2 else "]")
        prompt = (
            f"There are {n} houses in a row, numbered 1 to {n} from left to right. Each house is home to one "
            f"person. For every attribute below, each person has a different value.\n\n"
            f"Attributes:\n{attr_lines}\n\nClues:\n{numbered(lines)}\n\n"
            "Work out the full grid: which value of every attribute belongs to each house. Give it inside "
            "<answer> and </answer> tags as JSON with one row per house, in house order, for example:\n"
            f'<answer>{{"header": {example}}}</answer>\n'
            "A markdown table with the same columns is also accepted."
        )
        reference = (
            f"Combining the {len(lines)} clues leaves exactly one arrangement.\n\n"
            f"<answer>{json.dumps(answer)}</answer>"
        )
        return Problem(
            prompt=prompt,
            answer=answer,
            reference_response=reference,
            meta={"clues": len(lines), "values": values, "spec": [list(c) for c in clues]},
        )

    # ------------------------------------------------------------------------------------- scoring
    def score(self, task: Task, response: str) -> Score:
        """Cell accuracy of the one grid in the response (see the module docstring)."""
        header, rows = task.answer["header"], task.answer["rows"]
        try:
            raw = final_answer(response, read=lambda text: align(read_table(text), header, rows))
        except AnswerBlockError as exc:
            return Score.wrong(None, str(exc), feedback="Give the one grid inside <answer></answer>.")
        extracted = raw[:4000]
        try:
            got = align(read_table(raw), header, rows)
        except NotOneGrid as exc:
            return Score.wrong(extracted, str(exc))
        scored_cols = [j for j in range(len(header)) if not (j == 0 and _is_position_column(header, rows))]
        total = len(rows) * len(scored_cols)
        right = sum(
            1
            for i, row in enumerate(rows)
            for j in scored_cols
            if got[i][j] is not None and _norm(got[i][j]) == _norm(row[j])
        )
        accuracy = right / total if total else 0.0
        if right == total:
            return Score.right(extracted, "every cell is right", cell_accuracy=1.0)
        reason = f"{right} of {total} cells right"
        if self.exact_match:
            return Score.wrong(extracted, reason, cell_accuracy=accuracy)
        return Score.partial(accuracy, extracted, reason, cell_accuracy=accuracy)

    def wrong_responses(self, task: Task) -> list[str]:
        """A swapped pair of values, a rotated column as a markdown table, reversed rows, no answer tags."""
        header, rows = task.answer["header"], task.answer["rows"]
        n = len(rows)
        col = len(header) - 1
        swapped = [list(r) for r in rows]
        swapped[0][col], swapped[n - 1][col] = swapped[n - 1][col], swapped[0][col]
        rotated = [list(r) for r in rows]
        for i in range(n):
            rotated[i][col] = rows[(i + 1) % n][col]
        md = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
        md += "\n".join("| " + " | ".join(r) + " |" for r in rotated)
        reversed_rows = [[rows[i][0], *rows[n - 1 - i][1:]] for i in range(n)]
        return [
            f"<answer>{json.dumps({'header': header, 'rows': swapped})}</answer>",
            f"Here is the grid:\n<answer>\n{md}\n</answer>",
            f"<answer>{json.dumps({'header': header, 'rows': reversed_rows})}</answer>",
            json.dumps({"header": header, "rows": rows}),
        ]

    # ------------------------------------------------------------------------------------ GURU rows
    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """GURU's ``{"header": [...], "rows": [[...]]}`` (a dict, JSON/Python text, or numpy-backed)."""
        value = ground_truth
        if isinstance(value, str):
            try:
                value = parse_structured(value)
            except AnswerParseError as exc:
                raise ValueError(f"zebra ground truth is not a header/rows table: {exc}") from None
        if not isinstance(value, dict) or "header" not in value or "rows" not in value:
            raise ValueError("zebra ground truth must be a dict with 'header' and 'rows'")
        header = [str(h) for h in _plain_list(value["header"])]
        rows = [[_cell_text(c) for c in _plain_list(r)] for r in _plain_list(value["rows"])]
        if not header or not rows or any(len(r) != len(header) for r in rows):
            raise ValueError("zebra ground truth rows must each have one cell per header column")
        return {"header": header, "rows": rows}


# ------------------------------------------------------------------------------- answer reading
def _plain_list(value: Any) -> list[Any]:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return list(value)


def _cell_text(value: Any) -> str:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _norm(value: Any) -> str:
    return normalize_text(_cell_text(value)) if isinstance(value, str | int | float) else "\0unscorable"


def _is_position_column(header: list[str], rows: list[list[str]]) -> bool:
    """Whether column 0 just numbers the houses 1..N in order (then it is not scored)."""
    return normalize_text(header[0]) in POSITION_NAMES and [r[0].strip() for r in rows] == [
        str(i + 1) for i in range(len(rows))
    ]


Table = tuple[list[str] | None, list[list[Any]]]
_HOUSE_KEY = re.compile(r"(?:(?:house|position|pos)\s?)?(?:(?:no\.?|number|#)\s?)?(\d{1,3})", re.IGNORECASE)


class NotOneGrid(ValueError):
    """The answer is not one grid: not a table, or a table that says more than one assignment."""


# Row objects and house maps are refused past these sizes before their columns are gathered: the largest
# puzzle has 7 houses and 7 columns, and gathering is rows x columns, so 8,000 one-key row objects
# (115 KB) cost 27 s before this cap.
MAX_ANSWER_ROWS = 64
MAX_ANSWER_COLUMNS = 64


def _gather_columns(objects: list[dict[Any, Any]]) -> list[str]:
    """The column names of row objects, in first-seen order; refused when there are too many rows or columns."""
    if len(objects) > MAX_ANSWER_ROWS:
        raise NotOneGrid(f"not one grid: {len(objects)} rows")
    columns: dict[str, None] = {}  # an ordered set: a list's "in" made this quadratic
    for obj in objects:
        if len(obj) > MAX_ANSWER_COLUMNS:
            raise NotOneGrid(f"not one grid: a row with {len(obj)} columns")
        columns.update(dict.fromkeys(_unique_names([str(c) for c in obj], "column")))
        if len(columns) > MAX_ANSWER_COLUMNS:
            raise NotOneGrid(f"not one grid: over {MAX_ANSWER_COLUMNS} columns")
    return list(columns)


def read_table(raw: str) -> Table:
    """``(header or None, rows)`` from a JSON/Python answer or a markdown table that is the whole answer.

    Raises:
        NotOneGrid: not a table, a repeated key, keys beside ``header``/``rows``, or a cell that is not
            a value.
    """
    try:
        value = parse_literal(raw)
    except RepeatedKeyError as exc:
        raise NotOneGrid(f"not one grid: {exc}") from None
    except AnswerParseError:
        md = parse_markdown_table(raw, alone=True)
        if md is None:
            raise NotOneGrid(
                "the answer is not one table (JSON header/rows, row objects or a markdown table alone)"
            ) from None
        return md[0], [list(r) for r in md[1]]
    return _table_from_value(value)


def _unique_names(names: list[str], what: str) -> list[str]:
    keys = [normalize_text(n) for n in names]
    if len(set(keys)) != len(keys):
        raise NotOneGrid(f"not one grid: a {what} is given twice")
    return [str(n) for n in names]


def _table_from_value(value: Any) -> Table:
    if isinstance(value, dict):
        keys = {normalize_text(str(k)): k for k in value}
        if len(keys) != len(value):
            raise NotOneGrid("not one grid: a key is given twice")
        if "rows" in keys:
            if set(keys) - {"rows", "header"}:
                raise NotOneGrid("the answer object may hold only 'header' and 'rows'")
            rows = value[keys["rows"]]
            header = value.get(keys["header"]) if "header" in keys else None
            if header is not None and not (
                isinstance(header, list) and all(isinstance(h, str) for h in header)
            ):
                raise NotOneGrid("the header must be a list of column names")
            if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
                table = _table_from_value(rows)
                if header is not None and {_column_key(h) for h in header} != {
                    _column_key(c) for c in table[0] or []
                }:
                    raise NotOneGrid("the header and the row objects name different columns")
                return table
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise NotOneGrid("'rows' must be a list of rows")
            return header, rows
        # {"House 1": {"Name": "Alice", ...}, ...} or {"1": {...}}
        if value and all(isinstance(v, dict) for v in value.values()):
            columns = _gather_columns(list(value.values()))
            header = ["House", *columns]
            rows = []
            for key, inner in value.items():
                named = {str(c): v for c, v in inner.items()}
                rows.append([str(key), *[named.get(c) for c in columns]])
            return header, rows
        raise NotOneGrid("the answer object is not a grid")
    if isinstance(value, list) and value:
        if all(isinstance(r, dict) for r in value):
            columns = _gather_columns(value)
            rows = [[{str(c): v for c, v in r.items()}.get(c) for c in columns] for r in value]
            return columns, rows
        if all(isinstance(r, list | tuple) for r in value):
            return None, [list(r) for r in value]
    raise NotOneGrid("the answer is not a table (JSON header/rows, row objects or markdown)")


def _column_key(name: Any) -> str:
    return normalize_text(str(name))


def _house_number(cell: Any) -> int | None:
    """The house a row names in its position cell (``3``, ``"3"``, ``"House 3"``, ``"#3"``), else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str) and len(cell) <= 40:
        m = _HOUSE_KEY.fullmatch(" ".join(cell.split()))
        if m:
            return int(m.group(1))
    return None


def align(table: Table, header: list[str], rows: list[list[str]]) -> list[list[Any]]:
    """The model's cells rearranged into the truth's row and column order (None for a missing cell).

    An answer is one assignment, so it is refused (:class:`NotOneGrid`) when it names a column twice or
    a column the puzzle does not have, has more rows than houses, rows of the wrong width, or house
    numbers that repeat, are out of range or are not numbers. Columns are matched by normalised header
    name (the house column also under names such as ``Position``); without usable names, by position
    when the widths agree. Rows are matched by their house number when the answer has a house column,
    else taken in order. Missing rows and columns only cost their cells.
    """
    got_header, got_rows = table
    n, width = len(rows), len(header)
    position_col = _is_position_column(header, rows)
    if len(got_rows) > n + (1 if got_header is None else 0):
        raise NotOneGrid(f"not one grid: {len(got_rows)} rows for {n} houses")
    mapping: list[int | None] = [None] * width
    if got_header is not None:
        names = [_column_key(h) for h in got_header]
        if len(set(names)) != len(names):
            raise NotOneGrid("not one grid: a column is given twice")
        targets = [_column_key(h) for h in header]
        for j, target in enumerate(targets):
            if target in names:
                mapping[j] = names.index(target)
            elif j == 0 and position_col:
                mapping[j] = next((i for i, h in enumerate(names) if h in POSITION_NAMES), None)
        if any(m is not None for m in mapping[1:]):
            unknown = [got_header[i] for i in range(len(names)) if i not in mapping]
            if unknown:
                raise NotOneGrid(f"the column {str(unknown[0])[:40]!r} is not one of the puzzle's attributes")
            if any(not isinstance(r, list) or len(r) != len(names) for r in got_rows):
                raise NotOneGrid("not one grid: a row does not have one cell per column")
        else:
            mapping = [None] * width
    if all(m is None for m in mapping):
        data_rows = got_rows
        if got_header is None and got_rows and _same_names(got_rows[0], header):
            data_rows = got_rows[1:]  # a list of lists whose first row is the header
        got_rows = data_rows
        widths = {len(r) for r in data_rows if isinstance(r, list)}
        if widths == {width}:
            mapping = list(range(width))
        elif widths == {width - 1} and position_col:
            mapping = [None, *range(width - 1)]
        else:
            raise NotOneGrid("the answer's columns do not match the puzzle's attributes")
    if len(got_rows) > n:
        raise NotOneGrid(f"not one grid: {len(got_rows)} rows for {n} houses")
    ordered: list[list[Any] | None] = [got_rows[i] if i < len(got_rows) else None for i in range(n)]
    if position_col and mapping[0] is not None:
        ordered = [None] * n
        for r in got_rows:
            k = _house_number(r[mapping[0]])
            if k is None or not 1 <= k <= n:
                raise NotOneGrid(f"not one grid: {str(r[mapping[0]])[:20]!r} is not a house number 1-{n}")
            if ordered[k - 1] is not None:
                raise NotOneGrid(f"not one grid: house {k} has two rows")
            ordered[k - 1] = r
    out = []
    for r in ordered:
        cells = []
        for j in range(width):
            src = mapping[j]
            ok = isinstance(r, list) and src is not None and src < len(r)
            cells.append(r[src] if ok else None)
        out.append(cells)
    return out


def _same_names(row: Any, header: list[str]) -> bool:
    if not isinstance(row, list) or len(row) != len(header):
        return False
    return all(isinstance(c, str) and normalize_text(c) == normalize_text(h) for c, h in zip(row, header))
