"""Ordering puzzles: put N things in a row from constraints such as "the owl is directly left of the crow".

Description:
    A hidden random order of N items; constraints true of it (absolute places, left/right, adjacency,
    "exactly k between") are added until that order is the only one left, proven by
    :mod:`guru_envs.logic.positions`; from level 5 up, constraints that can be dropped without losing
    uniqueness are dropped.

Prompt:
    The items, the numbered constraints and the answer format (GURU's ordering-puzzle style).

Answer format:
    The items from left to right inside ``<answer>...</answer>``: a JSON or Python list
    (``["owl", "crow", "hawk"]``), or a plain list separated by commas, forward arrows (``->``, ``→``) or
    lines. Backward arrows and comparisons (``owl <- crow``, ``owl > crow``, ``owl < crow``) state another
    order or a ranking, and are refused.
    Numbered items must be numbered 1, 2, 3 ... as listed (``3. owl, 1. crow`` says two orders).

Scoring:
    Exact list: the same items in the same order (case, surrounding quotes, leading articles and
    numbering are ignored). 1 or 0. Several different ``<answer>`` blocks, a repeated key and anything
    that is not one list (a set, a hedged item) score 0. GURU rows ``logic__ordering_puzzle*`` (ground truth: the list) are
    scored the same way.

Difficulty:
    1: 3 items with absolute-position clues ... 8: 12 items, relative constraints, minimal set.
    See :data:`LEVELS`.

Version History:
    v0: initial release.
    v0 (unreleased): several different answer blocks score 0 (the last one was read) (issue 17). A list
        joined by backward arrows or comparisons (``<-``, ``<``, ``>``, ``←``) scores 0 (it was read left to
        right); an answer that trails off (``...``) scores 0.
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
    ordinal,
    weighted_order,
)
from guru_envs.logic.positions import PositionCSP
from guru_envs.verify.json_answer import parse_literal
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError
from guru_envs.verify.text import normalize_text

# plural noun, scene, items, whether items take "the"
CATEGORIES: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("birds", "are perched in a row on a wire", (
        "hawk", "owl", "crow", "robin", "sparrow", "finch", "heron", "swan", "raven", "magpie", "wren", "pigeon",
        "falcon", "parrot")
     , True),
    ("fruits", "lie in a row on a shelf", (
        "apple", "banana", "cherry", "mango", "peach", "plum", "pear", "lemon", "lime", "grape", "kiwi", "melon",
        "papaya", "fig"), True),
    ("people", "stand in a line", (
        "Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Henry", "Ivy", "Jack", "Karen", "Leo",
        "Mona", "Nate"), False),
    ("instruments", "hang in a row on a wall", (
        "guitar", "violin", "cello", "flute", "trumpet", "harp", "banjo", "drum", "oboe", "tuba", "piano",
        "ukulele", "clarinet", "mandolin"), True),
    ("trees", "grow in a row along a road", (
        "oak", "maple", "birch", "pine", "cedar", "willow", "elm", "ash", "beech", "spruce", "poplar", "cypress",
        "alder", "larch"), True),
    ("cars", "are parked in a row", (
        "sedan", "coupe", "jeep", "minivan", "truck", "wagon", "hatchback", "convertible", "roadster", "limousine",
        "pickup", "camper", "taxi", "bus"), True),
)  # fmt: skip

EASY = {"at": 3.0, "at_right": 1.0, "not_at": 0.5, "left": 1.5, "right": 1.0, "imm_left": 1.0, "next": 0.5}
MEDIUM = {**EASY, "at": 1.0, "at_right": 0.6, "imm_right": 1.0, "gap": 1.0, "not_next": 0.4}
HARD = {
    "at": 0.15, "at_right": 0.15, "not_at": 0.4, "left": 1.2, "right": 1.2, "imm_left": 1.2, "imm_right": 1.2,
    "next": 1.2, "not_next": 0.8, "gap": 1.5,
}  # fmt: skip


@dataclass(frozen=True)
class OrderingConfig:
    """Knobs of one difficulty level.

    Attributes:
        items: number of things to order.
        weights: relative frequency of each constraint kind.
        minimal: drop every constraint whose removal keeps the order unique.
    """

    items: int
    weights: dict[str, float]
    minimal: bool


LEVELS: dict[int, OrderingConfig] = {
    1: OrderingConfig(3, EASY, False),
    2: OrderingConfig(4, EASY, False),
    3: OrderingConfig(5, EASY, False),
    4: OrderingConfig(6, MEDIUM, False),
    5: OrderingConfig(7, MEDIUM, True),
    6: OrderingConfig(8, HARD, True),
    7: OrderingConfig(10, HARD, True),
    8: OrderingConfig(12, HARD, True),
}

MAX_NODES = 50_000
ATTEMPTS = 20
MAX_LIST_ITEMS = 64

Constraint = tuple[str, int, int, int]  # (kind, item1, item2 or -1, position or gap parameter)


def _candidates(pos: list[int], n: int) -> list[Constraint]:
    out: list[Constraint] = []
    for x in range(n):
        out.append(("at", x, -1, pos[x]))
        out.append(("at_right", x, -1, pos[x]))
        out.extend(("not_at", x, -1, q) for q in range(n) if q != pos[x])
        for y in range(x + 1, n):
            d = pos[y] - pos[x]
            first, second = (x, y) if d > 0 else (y, x)
            out.append(("left", first, second, 0))
            out.append(("right", second, first, 0))
            if abs(d) == 1:
                out.append(("imm_left", first, second, 0))
                out.append(("imm_right", second, first, 0))
                out.append(("next", x, y, 0))
            else:
                out.append(("not_next", x, y, 0))
                out.append(("gap", x, y, abs(d) - 1))
    return out


def _add(csp: PositionCSP, c: Constraint) -> None:
    kind, x, y, k = c
    if kind in ("at", "at_right"):
        csp.add_unary(x, 1 << k)
    elif kind == "not_at":
        csp.add_unary(x, csp.full & ~(1 << k))
    else:
        csp.add_binary(x, y, kind, k)


def _csp(n: int, constraints: list[Constraint]) -> PositionCSP:
    csp = PositionCSP(n, [list(range(n))])
    for c in constraints:
        _add(csp, c)
    return csp


def count_orders_brute_force(n: int, constraints: list[Constraint], limit: int = 2) -> int:
    """Orders satisfying the constraints, by trying all n! permutations (the benchmark's baseline)."""
    import itertools

    csp = _csp(n, constraints)
    found = 0
    for perm in itertools.permutations(range(n)):
        if csp.satisfied_by(list(perm)):
            found += 1
            if found >= limit:
                break
    return found


class OrderingFamily(TaskFamily):
    """Ordering puzzles with a solver-proven unique order; scores GURU's ordering rows too."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "ordering"
    levels: ClassVar[int] = len(LEVELS)
    guru_scorer: ClassVar[str] = "puzzles_dataset"

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one puzzle; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"ordering level {difficulty}"
        )

    def _attempt(self, rng: random.Random, cfg: OrderingConfig) -> Problem | None:
        n = cfg.items
        plural, scene, pool, article = rng.choice(CATEGORIES)
        items = rng.sample(pool, n)
        pos = list(range(n))
        rng.shuffle(pos)  # pos[item] = place from the left
        candidates = _candidates(pos, n)
        counts: dict[str, int] = {}
        for c in candidates:
            counts[c[0]] = counts.get(c[0], 0) + 1
        order = weighted_order(rng, candidates, lambda c: cfg.weights.get(c[0], 0.0) / counts[c[0]])

        csp = _csp(n, [])
        dom = csp.initial()
        chosen: list[Constraint] = []
        for c in order:
            trial_csp = csp.copy()
            _add(trial_csp, c)
            if trial_csp.entailed(dom, len(csp.unary), len(csp.binary)):
                continue
            trial = list(dom)
            for var, allowed in trial_csp.unary[len(csp.unary) :]:
                trial[var] &= allowed
            if not trial_csp.propagate(trial):
                raise AssertionError("a true constraint contradicted the hidden order")
            csp, dom = trial_csp, trial
            chosen.append(c)
            if all(d & (d - 1) == 0 for d in dom) or len(csp.solve(2, MAX_NODES, dom=dom)) == 1:
                break
        else:
            return None
        if cfg.minimal:
            kept = list(chosen)
            for c in rng.sample(chosen, len(chosen)):
                without = [k for k in kept if k is not c]
                try:
                    if _csp(n, without).is_unique(MAX_NODES):
                        kept = without
                except BudgetExceeded:
                    pass
            chosen = kept
        solutions = _csp(n, chosen).solve(limit=2, max_nodes=MAX_NODES * 4)
        if len(solutions) != 1 or solutions[0] != pos:
            return None
        rng.shuffle(chosen)

        def the(i: int) -> str:
            return f"the {items[i]}" if article else items[i]

        lines = []
        for kind, x, y, k in chosen:
            if kind == "at":
                text = (
                    f"{the(x)} is the {ordinal(k + 1)} from the left."
                    if 0 < k < n - 1
                    else (f"{the(x)} is the leftmost." if k == 0 else f"{the(x)} is the rightmost.")
                )
            elif kind == "at_right":
                text = f"{the(x)} is the {ordinal(n - k)} from the right."
            elif kind == "not_at":
                text = f"{the(x)} is not the {ordinal(k + 1)} from the left."
            elif kind == "left":
                text = f"{the(x)} is somewhere to the left of {the(y)}."
            elif kind == "right":
                text = f"{the(x)} is somewhere to the right of {the(y)}."
            elif kind == "imm_left":
                text = f"{the(x)} is immediately to the left of {the(y)}."
            elif kind == "imm_right":
                text = f"{the(x)} is immediately to the right of {the(y)}."
            elif kind == "next":
                text = f"{the(x)} and {the(y)} are next to each other."
            elif kind == "not_next":
                text = f"{the(x)} and {the(y)} are not next to each other."
            else:
                noun = plural if k != 1 else ("person" if plural == "people" else plural[:-1])
                text = f"There {'is' if k == 1 else 'are'} exactly {k} {noun} between {the(x)} and {the(y)}."
            lines.append(capitalize(text))

        answer = [items[i] for i in sorted(range(n), key=lambda i: pos[i])]
        listing = ", ".join(sorted(items))
        example, kind = (
            ('["kiwi", "lime", "fig"]', "fruits")
            if plural != "fruits"
            else ('["owl", "crow", "hawk"]', "birds")
        )
        prompt = (
            f"{capitalize(str(n))} {plural} {scene}: {listing}. Work out their order from left to right.\n\n"
            f"Constraints:\n{numbered(lines)}\n\n"
            f"Give all {n} {plural} inside <answer> and </answer> tags as a JSON list, "
            f"leftmost first; for three {kind} that would look like <answer>{example}</answer>."
        )
        reference = (
            f"Only one order satisfies all {len(lines)} constraints.\n\n<answer>{json.dumps(answer)}</answer>"
        )
        return Problem(
            prompt=prompt,
            answer=answer,
            reference_response=reference,
            meta={"constraints": len(lines), "items": items, "spec": [list(c) for c in chosen]},
        )

    # ------------------------------------------------------------------------------------- scoring
    def score(self, task: Task, response: str) -> Score:
        """Exact list match (see the module docstring)."""
        try:
            items = {normalize_text(str(x)) for x in task.answer}
            raw = final_answer(response, read=lambda text: _read_order(text, items))
        except AnswerBlockError as exc:
            return Score.wrong(None, str(exc), feedback="Give the order inside one <answer></answer> block.")
        extracted = raw[:2000]
        got = parse_item_list(raw)
        if got is None:
            return Score.wrong(extracted, "the answer is not one list of items")
        want = [normalize_text(str(x)) for x in task.answer]
        got_norm = [normalize_text(x) for x in got]
        if got_norm == want:
            return Score.right(extracted, "the order is right")
        prose = prose_item_list(raw)  # "Left to right: a, b and c", "a then b then c": one order too
        if prose is not None and [normalize_text(x) for x in prose] == want:
            return Score.right(extracted, "the order is right")
        if len(got_norm) != len(want):
            return Score.wrong(extracted, f"{len(got_norm)} items given, {len(want)} expected")
        if sorted(got_norm) != sorted(want):
            return Score.wrong(extracted, "the items are not the puzzle's items")
        misplaced = sum(a != b for a, b in zip(got_norm, want))
        return Score.wrong(
            extracted, f"{misplaced} of {len(want)} items are out of place", misplaced=misplaced
        )

    def wrong_responses(self, task: Task) -> list[str]:
        """A swapped pair, the reverse, one item missing, a hedge with every item twice, no tags."""
        want = [str(x) for x in task.answer]
        swapped = list(want)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        return [
            f"<answer>{json.dumps(swapped)}</answer>",
            f"<answer>{', '.join(reversed(want))}</answer>",
            f"<answer>{json.dumps(want[:-1])}</answer>",
            f"<answer>{json.dumps(want + want)}</answer>",
            f"The order is {', '.join(want)}.",
        ]

    def guru_unscorable(self, task: Task) -> str:
        """GURU's scorer lower-cases the answer's items and keeps only word characters; not the ground truth's."""
        if all(isinstance(x, str) and _GURU_ITEM.fullmatch(x) for x in task.answer):
            return ""
        return (
            "GURU's puzzles_dataset scorer lower-cases the answer's items (and keeps only letters, digits, "
            "_ and spaces) but not the ground truth's, so items like these are never paid"
        )

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """GURU's ground truth: the list of items (a list, numpy array, or its text)."""
        value = ground_truth.tolist() if hasattr(ground_truth, "tolist") else ground_truth
        if isinstance(value, str):
            value = parse_item_list(value)
        if (
            not isinstance(value, list | tuple)
            or not value
            or not all(isinstance(x, str | int) for x in value)
        ):
            raise ValueError("ordering ground truth must be a non-empty list of item names")
        return [str(x) for x in value]


_GURU_ITEM = re.compile(r"[a-z0-9_]+(?: [a-z0-9_]+)*")  # what GURU's ordering scorer reads back unchanged
# Separators that list the items in the order written: commas, semicolons, lines, bars and forward arrows.
_SPLIT = re.compile(r"\s*(?:,|;|\n|-+>|=+>|[\u2192\u27f6\u21d2\u27f9]|\|)\s*")
_FORWARD_ARROW = re.compile(r"-+>|=+>")
# What is left of an arrow or a comparison once the forward arrows are gone: "a <- b" and "a <= b" point the
# other way, "a > b > c" ranks (is it left to right, or largest first?), "a <-> b" says no order at all.
_NOT_FORWARD = re.compile(
    "[<>\u2190\u27f5\u21d0\u27f8\u2194\u21d4\u27f7\u2264\u2265\u226a\u226b\u227a\u227b\u00ab\u00bb]"
)
_NUMBERING = re.compile(r"^(?:\(?(\d{1,3})[.):]|[-*•])\s*")


# A lead-in may only name the order or its forward direction: "Right to left:" or "Reversed:" would state
# the reverse of the list that follows.
_PROSE_LEAD = re.compile(
    r"^\s*(?:(?:the\s+)?(?:final\s+)?(?:answer|order|ordering|arrangement|sequence)(?:\s+is)?"
    r"|(?:from\s+)?(?:left\s+to\s+right|first\s+to\s+last|top\s+to\s+bottom))\s*:\s*",
    re.IGNORECASE,
)
_PROSE_JOIN = re.compile(r"\s*,?\s+(?:and|then)\s+", re.IGNORECASE)


def prose_item_list(raw: str) -> list[str] | None:
    """The items of an order written as prose (``Left to right: a, b and c``, ``a then b then c``).

    Tried only after the exact reading fails, so an item whose name holds "and" still reads.
    """
    if len(raw) > MAX_LIST_ITEMS * 100 or "\n" in raw.strip():
        return None
    text = raw.strip()
    lead = _PROSE_LEAD.match(text)
    return parse_item_list(_PROSE_JOIN.sub(", ", text[lead.end() :] if lead else text))


def _read_order(raw: str, items: set[str]) -> list[str] | None:
    """The order of the task's ``items`` an answer states (a list, or a prose order), normalised.

    None when it names anything else (``["a", "b"] (left to right)`` is prose): to tell a restatement
    after the answer from a second answer.
    """
    got = parse_item_list(raw) or prose_item_list(raw)
    order = [normalize_text(x) for x in got] if got else []
    return order if order and all(x in items for x in order) else None


def parse_item_list(raw: str) -> list[str] | None:
    """A list of item names from JSON/Python list text or a separated plain list; None otherwise."""
    if len(raw) > MAX_LIST_ITEMS * 100:
        return None
    try:
        value = parse_literal(raw)
    except AnswerParseError:
        value = None
    if isinstance(value, list | tuple):
        if (
            not value
            or len(value) > MAX_LIST_ITEMS
            or not all(isinstance(x, str | int) and not isinstance(x, bool) for x in value)
        ):
            return None
        return [str(x) for x in value]
    if value is not None and not isinstance(value, str):
        return None
    s = raw.strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    if _NOT_FORWARD.search(_FORWARD_ARROW.sub(" ", s)):
        # Why: only separators that read left to right state the order asked for ("Right to left:" is
        # refused for the same reason); "birch <- alder" and "birch > alder" state the reverse, or a ranking.
        return None
    parts = [p for p in _SPLIT.split(s) if p.strip()]
    if not parts or len(parts) > MAX_LIST_ITEMS:
        return None
    items = []
    for position, part in enumerate(parts, 1):
        numbered = _NUMBERING.match(part.strip())
        if numbered is not None and numbered.group(1) is not None and int(numbered.group(1)) != position:
            # Why: "3. owl, 1. crow, 2. hawk" gives one order by its numbers and another by its listing;
            # the answer is one claim, so numbers must count the places as listed (1, 2, 3, ...).
            return None
        item = _NUMBERING.sub("", part.strip()).strip().strip("\"'`*").strip()
        if not item or len(item) > 100:
            return None
        items.append(item)
    return items
