"""ARC-style grid transformations, generated: rotate, reflect, recolour, gravity, object counting, and pairs.

Description:
    A hidden program (one primitive, or a composition of two) maps input grids to output grids. The
    model sees a few input/output examples and must produce the output for a test input. Primitives:
    the seven non-trivial rotations and reflections, gravity in four directions (coloured cells slide
    until they hit the edge or another cell), recolouring (a fixed colour-to-colour map), and object
    counting (a 1 x k row holding the colour of each of the k objects, in reading order).

    Uniqueness is checked by a solver over the whole hypothesis space, not just the hidden program:
    every sequence of up to two primitives, each optionally followed by the recolouring that best fits
    the examples, is run on the examples; every program that reproduces all of them must give the same
    test output, or the puzzle is redrawn. So no simpler or different rule in that space explains the
    examples yet answers differently.

Prompt:
    Numbered example pairs and the test input as JSON lists of rows (GURU's ARC layout).

Answer format:
    The output grid inside ``<answer>...</answer>`` as a JSON/Python list of rows, or one row per line.

Scoring:
    Exact grid (shape and every cell): 1 or 0. The answer must be one grid
    (:func:`guru_envs.verify.grids.parse_int_grid`): a second grid, prose that qualifies it ("not",
    "or", "maybe") and several different ``<answer>`` blocks score 0.

Difficulty:
    1: one rotation or reflection of a 3x3 grid ... 7: two composed primitives (counting and gravity
    included) on grids up to 12x12 with two examples. See :data:`LEVELS`.

Version History:
    v0: initial release.
    v0 (unreleased): one grid only (see Scoring): several different answer blocks score 0; a grid inside prose
        is read only after a plain lead-in such as "The output grid is" (issue 17).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import (
    arc_prompt,
    generate_unique,
    grid_json,
    grid_wrong_responses,
    plain_grid,
    score_exact_grid,
)
from guru_envs.verify.score import Score

Grid = tuple[tuple[int, ...], ...]


def rot90(g: Grid) -> Grid:
    """Rotate a quarter turn clockwise."""
    return tuple(zip(*g[::-1]))


def rot180(g: Grid) -> Grid:
    """Rotate half a turn."""
    return tuple(tuple(r[::-1]) for r in g[::-1])


def rot270(g: Grid) -> Grid:
    """Rotate a quarter turn counter-clockwise."""
    return tuple(zip(*g))[::-1]


def flip_h(g: Grid) -> Grid:
    """Mirror left to right."""
    return tuple(tuple(r[::-1]) for r in g)


def flip_v(g: Grid) -> Grid:
    """Mirror top to bottom."""
    return g[::-1]


def transpose(g: Grid) -> Grid:
    """Reflect across the main diagonal."""
    return tuple(zip(*g))


def anti_transpose(g: Grid) -> Grid:
    """Reflect across the anti-diagonal."""
    return rot180(transpose(g))


def _fall_rows(g: Grid) -> Grid:
    """Every row's coloured cells slide right, keeping their order."""
    out = []
    for row in g:
        cells = [v for v in row if v]
        out.append(tuple([0] * (len(row) - len(cells)) + cells))
    return tuple(out)


def gravity_right(g: Grid) -> Grid:
    """Coloured cells slide right until blocked."""
    return _fall_rows(g)


def gravity_left(g: Grid) -> Grid:
    """Coloured cells slide left until blocked."""
    return flip_h(_fall_rows(flip_h(g)))


def gravity_down(g: Grid) -> Grid:
    """Coloured cells fall down until blocked."""
    return rot90(_fall_rows(rot270(g)))


def gravity_up(g: Grid) -> Grid:
    """Coloured cells rise until blocked."""
    return rot270(_fall_rows(rot90(g)))


def objects(g: Grid) -> list[tuple[int, int, int]]:
    """``(row, col, colour)`` of the first cell of each object (4-connected cells of one colour), in reading order."""
    h, w = len(g), len(g[0])
    seen = [[False] * w for _ in range(h)]
    found = []
    for r in range(h):
        for c in range(w):
            if g[r][c] and not seen[r][c]:
                colour = g[r][c]
                found.append((r, c, colour))
                stack = [(r, c)]
                seen[r][c] = True
                while stack:
                    y, x = stack.pop()
                    for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                        if 0 <= ny < h and 0 <= nx < w and not seen[ny][nx] and g[ny][nx] == colour:
                            seen[ny][nx] = True
                            stack.append((ny, nx))
    return found


def count_objects(g: Grid) -> Grid:
    """A 1 x k row: the colour of each of the k objects in reading order (empty grid when none)."""
    return (tuple(colour for _, _, colour in objects(g)),) if g and g[0] else ()


PRIMITIVES: dict[str, Callable[[Grid], Grid]] = {
    "rot90": rot90,
    "rot180": rot180,
    "rot270": rot270,
    "flip_h": flip_h,
    "flip_v": flip_v,
    "transpose": transpose,
    "anti_transpose": anti_transpose,
    "gravity_down": gravity_down,
    "gravity_up": gravity_up,
    "gravity_left": gravity_left,
    "gravity_right": gravity_right,
    "count": count_objects,
}
GEOMETRIC = ("rot90", "rot180", "rot270", "flip_h", "flip_v", "transpose", "anti_transpose")
GRAVITY = ("gravity_down", "gravity_up", "gravity_left", "gravity_right")
DESCRIPTIONS = {
    "rot90": "rotate 90 degrees clockwise", "rot180": "rotate 180 degrees", "rot270": "rotate 90 degrees counter-clockwise",
    "flip_h": "mirror left to right", "flip_v": "mirror top to bottom", "transpose": "reflect across the main diagonal",
    "anti_transpose": "reflect across the anti-diagonal", "gravity_down": "let coloured cells fall down",
    "gravity_up": "let coloured cells rise", "gravity_left": "slide coloured cells left",
    "gravity_right": "slide coloured cells right", "count": "list each object's colour in a row",
}  # fmt: skip


@dataclass(frozen=True)
class ArcConfig:
    """Knobs of one difficulty level.

    Attributes:
        kinds: primitive kinds the hidden program may use (``geometric``, ``recolour``, ``gravity``, ``count``).
        steps: primitives in the hidden program (1 or 2).
        size: (smallest, largest) side of the input grids.
        examples: example pairs shown.
        colours: (fewest, most) colours in the inputs.
    """

    kinds: tuple[str, ...]
    steps: int
    size: tuple[int, int]
    examples: int
    colours: tuple[int, int]


LEVELS: dict[int, ArcConfig] = {
    1: ArcConfig(("geometric",), 1, (3, 3), 3, (2, 3)),
    2: ArcConfig(("geometric", "recolour"), 1, (3, 5), 3, (2, 3)),
    3: ArcConfig(("geometric", "recolour", "gravity"), 1, (4, 6), 3, (2, 4)),
    4: ArcConfig(("geometric", "recolour", "gravity", "count"), 1, (5, 8), 3, (2, 4)),
    5: ArcConfig(("geometric", "recolour", "gravity"), 2, (5, 8), 3, (2, 4)),
    6: ArcConfig(("geometric", "recolour", "gravity", "count"), 2, (7, 10), 3, (3, 5)),
    7: ArcConfig(("geometric", "recolour", "gravity", "count"), 2, (9, 12), 2, (3, 6)),
}

ATTEMPTS = 40


def fit_recolour(produced: list[Grid], wanted: list[Grid]) -> dict[int, int] | None:
    """The colour map f (background fixed at 0) with ``f(produced[i]) == wanted[i]`` cell by cell, or None."""
    for p, w in zip(produced, wanted):  # shapes first: most candidate programs fail here, cheaply
        if not p or not w or len(p) != len(w) or len(p[0]) != len(w[0]):
            return None
    mapping: dict[int, int] = {0: 0}
    for p, w in zip(produced, wanted):
        for pr, wr in zip(p, w):
            if pr == wr:  # common case: the row is unchanged, so each of its colours maps to itself
                for a in set(pr):
                    if mapping.setdefault(a, a) != a:
                        return None
                continue
            for a, b in zip(pr, wr):
                if mapping.setdefault(a, b) != b:
                    return None
    return mapping


def predictions(train: list[tuple[Grid, Grid]], test: Grid) -> set[Grid | None]:
    """Test outputs of every program (up to two primitives, then a fitted recolouring) that fits all examples.

    ``None`` in the set stands for a fitting program whose test output is undefined (it needs the
    recolouring of a colour the examples never show), which also makes the answer ambiguous.
    """
    inputs = [i for i, _ in train] + [test]
    wanted = [o for _, o in train]
    results: set[Grid | None] = set()
    frontier: list[list[Grid]] = [inputs]
    for depth in range(3):
        next_frontier = []
        for grids in frontier:
            mapping = fit_recolour(grids[:-1], wanted)
            if mapping is not None:
                out = grids[-1]
                if any(v not in mapping for row in out for v in row):
                    results.add(None)
                else:
                    results.add(tuple(tuple(mapping[v] for v in row) for row in out))
            if depth < 2:
                for op in PRIMITIVES.values():
                    moved = [op(g) if g and g[0] else () for g in grids]
                    if all(g and g[0] for g in moved):
                        next_frontier.append(moved)
        frontier = next_frontier
    return results


class ArcProceduralFamily(TaskFamily):
    """Procedural ARC-style tasks whose answer is unique over a whole space of candidate programs."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "arc_procedural"
    levels: ClassVar[int] = len(LEVELS)
    guru_scorer: ClassVar[str] = "arcagi"

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one task; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"arc_procedural level {difficulty}"
        )

    def _program(self, rng: random.Random, cfg: ArcConfig) -> list[str]:
        kinds = rng.sample(cfg.kinds, cfg.steps) if cfg.steps <= len(cfg.kinds) else list(cfg.kinds)
        if (
            "count" in kinds
        ):  # counting makes a 1-row grid: it goes first, and what follows acts on its output
            kinds.remove("count")
            if (
                "gravity" in kinds
            ):  # gravity does nothing to a full row: use a rotation or recolouring instead
                kinds[kinds.index("gravity")] = rng.choice(
                    [k for k in ("geometric", "recolour") if k in cfg.kinds]
                )
            kinds.insert(0, "count")
        steps = []
        for kind in kinds:
            if kind == "geometric":
                steps.append(rng.choice(GEOMETRIC))
            elif kind == "gravity":
                steps.append(rng.choice(GRAVITY))
            else:
                steps.append(kind)
        return steps

    def _input(self, rng: random.Random, cfg: ArcConfig, palette: list[int], program: list[str]) -> Grid:
        h, w = rng.randint(*cfg.size), rng.randint(*cfg.size)
        if program[0] == "count":
            grid = [[0] * w for _ in range(h)]
            colour = rng.choice(palette)
            for _ in range(rng.randint(1, max(2, h * w // 12))):
                oh, ow = rng.randint(1, 2), rng.randint(1, 2)
                r, c = rng.randrange(h - oh + 1), rng.randrange(w - ow + 1)
                # keep a one-cell margin (diagonals included) so objects never touch
                clear = all(
                    grid[y][x] == 0
                    for y in range(max(0, r - 1), min(h, r + oh + 1))
                    for x in range(max(0, c - 1), min(w, c + ow + 1))
                )
                if clear:
                    for y in range(r, r + oh):
                        for x in range(c, c + ow):
                            grid[y][x] = colour
            return tuple(tuple(row) for row in grid)
        density = rng.uniform(0.15, 0.35) if any(p in GRAVITY for p in program) else rng.uniform(0.3, 0.6)
        return tuple(
            tuple(rng.choice(palette) if rng.random() < density else 0 for _ in range(w)) for _ in range(h)
        )

    def _attempt(self, rng: random.Random, cfg: ArcConfig) -> Problem | None:
        program = self._program(rng, cfg)
        palette = rng.sample(range(1, 10), rng.randint(*cfg.colours))
        recolour: dict[int, int] = {}
        if "recolour" in program:
            sources = rng.sample(palette, rng.randint(1, min(3, len(palette))))
            targets = rng.sample([c for c in range(1, 10) if c not in sources], len(sources))
            recolour = dict(zip(sources, targets))

        def run(g: Grid) -> Grid:
            for step in program:
                if step == "recolour":
                    g = tuple(tuple(recolour.get(v, v) for v in row) for row in g)
                else:
                    g = PRIMITIVES[step](g)
            return g

        pairs = []
        for _ in range(cfg.examples + 1):
            grid = self._input(rng, cfg, palette, program)
            out = run(grid)
            if not out or not out[0] or out == grid:
                return None  # an example where nothing happens teaches nothing
            pairs.append((grid, out))
        train, (test_in, test_out) = pairs[:-1], pairs[-1]
        seen = {v for g, _ in train for row in g for v in row}
        if any(v not in seen for row in test_in for v in row):
            return None  # the test would need a colour the examples never show
        if predictions(train, test_in) != {test_out}:
            return None  # another rule fits the examples but answers differently
        prompt = arc_prompt(train, test_in)
        answer = [list(r) for r in test_out]
        steps = [
            DESCRIPTIONS.get(s, "recolour " + ", ".join(f"{a}->{b}" for a, b in sorted(recolour.items())))
            for s in program
        ]
        reference = f"The rule: {', then '.join(steps)}.\n\n<answer>{grid_json(answer)}</answer>"
        meta: dict[str, Any] = {"program": program, "test_input": [list(r) for r in test_in]}
        if recolour:
            meta["recolour"] = {str(k): v for k, v in sorted(recolour.items())}
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """The output grid (a list of lists, numpy arrays from pandas, or JSON text) as a plain grid."""
        return plain_grid(ground_truth)

    def score(self, task: Task, response: str) -> Score:
        """Exact grid (see the module docstring)."""
        return score_exact_grid(task.answer, response)

    def wrong_responses(self, task: Task) -> list[str]:
        """One cell off, a row missing, a mirror, the unchanged test input, the grid without tags."""
        return grid_wrong_responses(task.answer, task.meta.get("test_input"))
