"""Cellular automata: apply a local update rule, stated in words, for a few generations.

Description:
    A row (levels 1-3) or grid (levels 4-5) of cells, each alive (``#``) or dead (``.``), evolves in
    synchronous steps. One-dimensional rules are random elementary rules (one of 256) written out as a
    full table of the eight neighbourhoods, so no rule number has to be known by heart; two-dimensional
    rules are Conway's Life or a random "birth/survival" Life-like rule spelled out in words. Draws whose
    final state is empty, full, or (in 2D) unchanged are redrawn, so the answer cannot be guessed.

Prompt:
    The rule, the boundary condition (dead beyond the edges, or wrap-around), the initial state and the
    number of steps.

Answer format:
    1D: the final row as a JSON string of ``.`` and ``#`` (``"..##.#"``), or boxed as bare text, LaTeX
    escapes read as the characters (``\\boxed{\\#..\\#}``, also inside ``\\texttt{}``). 2D: a JSON list of row
    strings, or one newline-separated string. A JSON list of integer cells, ``1`` alive and ``0`` dead
    (``[0, 1, 1]``, ``[[0, 1], [1, 0]]``: the grid form of reasoning-gym's Game of Life), is the same state;
    ``0``/``1`` in a string or a bare number is not (``"0110"``, ``\\boxed{1001}``: text the prompt's symbols
    do not spell).

Scoring:
    1 when the final state matches cell for cell, else 0. Several different answers and anything
    but a row string (1D) or a list of row strings (2D) score 0.

Difficulty:
    1: 9 cells, 1 step, dead edges. 2: 12 cells, 2-3 steps. 3: 16 cells, 3-4 steps, wrap-around.
    4: 6x6 Conway's Life, 1-2 steps. 5: 7x7 random Life-like rule, 2-3 steps, wrap-around.

Version History:
    v0: initial release.
    v0 (unreleased): several different fenced or boxed answers score 0 (the last was read); a 2D grid may be a
        tuple of row strings (issue 17). A boxed row with LaTeX-escaped ``\\#`` is read (it scored 0);
        ``0``/``1`` strings are no longer read as ``.``/``#`` (a boxed ``1001`` read as a number while
        ``\\boxed{0110}`` read as a row); lists of integer cells still are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import FORMAT_LINE, json_block, score_value
from guru_envs.verify.score import Score

ALIVE, DEAD = "#", "."
DULL_RULES = frozenset({0, 255, 204, 51, 170, 240, 15, 85})  # constant, identity, negation, pure shifts


@dataclass(frozen=True)
class CAConfig:
    """Knobs of one level."""

    dims: int
    width: int
    height: int
    steps: tuple[int, int]
    wrap: bool
    conway: bool = True  # 2D only: Conway's rule, else a random Life-like rule


LEVELS: dict[int, CAConfig] = {
    1: CAConfig(1, 9, 1, (1, 1), False),
    2: CAConfig(1, 12, 1, (2, 3), False),
    3: CAConfig(1, 16, 1, (3, 4), True),
    4: CAConfig(2, 6, 6, (1, 2), False),
    5: CAConfig(2, 7, 7, (2, 3), True, conway=False),
}


def step_1d(row: str, rule: int, wrap: bool) -> str:
    """One synchronous update of an elementary automaton (Wolfram numbering)."""
    n = len(row)
    out = []
    for i in range(n):
        left = row[(i - 1) % n] if wrap or i > 0 else DEAD
        right = row[(i + 1) % n] if wrap or i < n - 1 else DEAD
        index = (left == ALIVE) * 4 + (row[i] == ALIVE) * 2 + (right == ALIVE)
        out.append(ALIVE if rule >> index & 1 else DEAD)
    return "".join(out)


def step_2d(grid: list[str], birth: frozenset[int], survive: frozenset[int], wrap: bool) -> list[str]:
    """One synchronous update of a Life-like automaton on the Moore neighbourhood."""
    h, w = len(grid), len(grid[0])
    out = []
    for r in range(h):
        row = []
        for c in range(w):
            live = 0
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if dr == dc == 0:
                        continue
                    rr, cc = r + dr, c + dc
                    if wrap:
                        rr, cc = rr % h, cc % w
                    elif not (0 <= rr < h and 0 <= cc < w):
                        continue
                    live += grid[rr][cc] == ALIVE
            alive = grid[r][c] == ALIVE
            row.append(ALIVE if (live in survive if alive else live in birth) else DEAD)
        out.append("".join(row))
    return out


def _rule_table(rule: int) -> str:
    lines = []
    for index in range(7, -1, -1):
        pattern = "".join(ALIVE if index >> b & 1 else DEAD for b in (2, 1, 0))
        lines.append(f"  {pattern} -> {ALIVE if rule >> index & 1 else DEAD}")
    return "\n".join(lines)


def _counts(values: frozenset[int]) -> str:
    items = sorted(values)
    if len(items) == 1:
        return str(items[0])
    return ", ".join(str(v) for v in items[:-1]) + f" or {items[-1]}"


def normalize_1d(value: Any) -> str:
    """A row answer in canonical form (a string of ``.``/``#``; other characters kept, and then mismatch).

    A list of integer cells (``[0, 1, 1]``) is read, ``1`` alive; ``0``/``1`` in a string is not.
    """
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        value = value[0]
    cells = _int_cells(value)
    if cells is not None:
        return cells
    if not isinstance(value, str):
        raise TypeError("the answer must be a string of '.' and '#'")
    return value.strip()


def normalize_2d(value: Any) -> list[str]:
    """A grid answer in canonical form (a list of row strings of ``.``/``#``; one string of lines too)."""
    if isinstance(value, str):
        value = value.split()
    if isinstance(value, tuple):
        value = list(value)  # a Python tuple literal is the JSON array it stands for
    if not isinstance(value, list):
        raise TypeError("the answer must be a list of row strings")
    rows = []
    for row in value:
        cells = _int_cells(row)
        if cells is not None:
            rows.append(cells)
        elif isinstance(row, str):
            rows.append(row.strip())
        else:
            raise TypeError("each row must be a string of '.' and '#' or a list of 0/1 cells")
    return rows


def _int_cells(value: Any) -> str | None:
    """A list of integer cells (``1`` alive, ``0`` dead) as a row string; None for anything else.

    Only true ints count: ``True``/``1.0`` are other values, and a string of digits is text.
    """
    if isinstance(value, list) and value and all(type(v) is int and v in (0, 1) for v in value):
        return "".join(ALIVE if v else DEAD for v in value)
    return None


class CellularAutomatonFamily(TaskFamily):
    """Evolve a 1D elementary or 2D Life-like cellular automaton for a few steps."""

    domain = "simulation"
    name = "cellular_automaton"
    levels = len(LEVELS)
    row_meta_keys = ("dims",)  # a 1-D state may be answered as bare text

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw a rule and a start state whose evolution is neither dead, full nor frozen."""
        cfg = LEVELS[difficulty]
        for _ in range(200):
            steps = rng.randint(*cfg.steps)
            if cfg.dims == 1:
                problem = self._draw_1d(rng, cfg, steps)
            else:
                problem = self._draw_2d(rng, cfg, steps)
            if problem is not None:
                return problem
        raise RuntimeError("no interesting automaton in 200 draws")

    def _draw_1d(self, rng: random.Random, cfg: CAConfig, steps: int) -> Problem | None:
        rule = rng.choice([r for r in range(256) if r not in DULL_RULES])
        row = "".join(ALIVE if rng.random() < 0.45 else DEAD for _ in range(cfg.width))
        history = [row]
        for _ in range(steps + 1):
            history.append(step_1d(history[-1], rule, cfg.wrap))
        final = history[steps]
        if set(final) != {ALIVE, DEAD} or final == row:
            return None
        edge = (
            "The row wraps around: the leftmost and rightmost cells are neighbours."
            if cfg.wrap
            else "Cells beyond either end count as dead (.)."
        )
        prompt = (
            f"A row of {cfg.width} cells evolves in steps. Each cell is alive (#) or dead (.). At every step all "
            "cells update at once: a cell's next state depends on its left neighbour, itself and its right "
            "neighbour, by this table (left, self, right -> next):\n"
            f"{_rule_table(rule)}\n{edge}\n\n"
            f"Initial row:\n{row}\n\n"
            f"What is the row after {steps} step{'s' if steps > 1 else ''}?\n\n"
            f'{FORMAT_LINE} The answer is the row as a JSON string, e.g. ".#..#".'
        )
        lines = [f"Step 0: {row}"] + [f"Step {i}: {history[i]}" for i in range(1, steps + 1)]
        reference = (
            "Applying the table to every cell at once:\n" + "\n".join(lines) + "\n\n" + json_block(final)
        )
        meta = {
            "rule": rule,
            "steps": steps,
            "wrap": cfg.wrap,
            "dims": 1,
            "near": [history[steps - 1], history[steps + 1]],
        }
        return Problem(prompt=prompt, answer=final, reference_response=reference, meta=meta)

    def _draw_2d(self, rng: random.Random, cfg: CAConfig, steps: int) -> Problem | None:
        if cfg.conway:
            birth, survive = frozenset({3}), frozenset({2, 3})
            rule_text = (
                "A dead cell with exactly 3 live neighbours becomes alive; a live cell with 2 or 3 live "
                "neighbours stays alive; every other cell is dead in the next step."
            )
        else:
            birth = frozenset(rng.sample(range(1, 7), rng.randint(1, 2)))
            survive = frozenset(rng.sample(range(1, 7), rng.randint(1, 3)))
            rule_text = (
                f"A dead cell with exactly {_counts(birth)} live neighbours becomes alive; a live cell with "
                f"exactly {_counts(survive)} live neighbours stays alive; every other cell is dead in the next step."
            )
        grid = [
            "".join(ALIVE if rng.random() < 0.4 else DEAD for _ in range(cfg.width))
            for _ in range(cfg.height)
        ]
        history = [grid]
        for _ in range(steps + 1):
            history.append(step_2d(history[-1], birth, survive, cfg.wrap))
        final = history[steps]
        cells = set("".join(final))
        if cells != {ALIVE, DEAD} or final == grid or final == history[steps - 1]:
            return None
        edge = (
            "The grid wraps around on both axes (a torus): opposite edges are neighbours."
            if cfg.wrap
            else "Cells outside the grid count as dead."
        )
        start = "\n".join(grid)
        prompt = (
            f"A {cfg.height}x{cfg.width} grid of cells evolves in steps. Each cell is alive (#) or dead (.). A "
            "cell's neighbours are the 8 cells around it (horizontally, vertically and diagonally adjacent). "
            f"At every step all cells update at once. {rule_text} {edge}\n\n"
            f"Initial grid:\n{start}\n\n"
            f"What is the grid after {steps} step{'s' if steps > 1 else ''}?\n\n"
            f"{FORMAT_LINE} The answer is a JSON list of the {cfg.height} rows, top to bottom, each a string "
            'of . and #, e.g. [".#.", "##."].'
        )
        shown = [f"After step {i}:\n" + "\n".join(history[i]) for i in range(1, steps + 1)]
        reference = (
            "Counting live neighbours for every cell, step by step.\n\n"
            + "\n\n".join(shown)
            + "\n\n"
            + json_block(final)
        )
        meta = {
            "birth": sorted(birth),
            "survive": sorted(survive),
            "steps": steps,
            "wrap": cfg.wrap,
            "dims": 2,
            "near": [history[steps - 1], history[steps + 1]],
        }
        return Problem(prompt=prompt, answer=final, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """Cell-for-cell comparison of the final state."""
        normalize = normalize_1d if task.meta.get("dims") == 1 else normalize_2d
        return score_value(response, task.answer, normalize=normalize, bare_text=task.meta.get("dims") == 1)

    def wrong_responses(self, task: Task) -> list[str]:
        """One step too few, one step too many, and one cell flipped."""
        answer = task.answer
        if isinstance(answer, str):
            flipped: Any = answer[:-1] + (DEAD if answer[-1] == ALIVE else ALIVE)
        else:
            last = answer[-1]
            flipped = [*answer[:-1], last[:-1] + (DEAD if last[-1] == ALIVE else ALIVE)]
        candidates = [*task.meta.get("near", []), flipped]
        return [f"After simulating the steps:\n\n{json_block(c)}" for c in candidates if c != answer]
