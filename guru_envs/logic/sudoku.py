"""Sudoku-style grid puzzles (4x4, 6x6, 9x9) with exactly one solution.

Description:
    Fill an n x n grid (boxes of 2x2, 2x3 or 3x3) so that every row, column and box holds 1..n once.
    A random full grid is built by shuffling a valid pattern (digits, rows within bands, bands, columns
    within stacks, stacks); givens are then removed one by one in random order, each removal kept only
    when a solver proves the solution is still unique. The most demanding levels remove every given
    that can go.

Prompt:
    The grid with ``.`` for blanks, the box shape, and the answer format.

Answer format:
    The solved grid inside ``<answer>...</answer>``: a JSON list of rows (``[[1, 2, 3, 4], ...]``), rows
    as digit strings (``["1234", ...]``), or one row of digits per line.

Scoring:
    Exact grid: 1 when every cell equals the unique solution, else 0. The answer must be one grid
    (:func:`guru_envs.verify.grids.parse_int_grid`): extra rows or cells, a second grid, prose that
    qualifies it ("not", "or", "maybe") and several different ``<answer>`` blocks score 0.

Difficulty:
    1: 4x4 with 10 givens ... 7: 9x9 with a minimal set of givens (about 22-26). See :data:`LEVELS`.

Version History:
    v0: initial release.
    v0 (unreleased): one grid only (see Scoring): several different answer blocks score 0; a grid inside prose
        is read only after a plain lead-in such as "The solved grid is" (issue 17).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import BudgetExceeded, generate_unique, grid_json, score_exact_grid
from guru_envs.verify.score import Score


@dataclass(frozen=True)
class SudokuConfig:
    """Knobs of one difficulty level.

    Attributes:
        box_rows: rows per box (the grid has ``box_rows * box_cols`` rows and columns).
        box_cols: columns per box.
        givens: stop removing once this many givens are left (0: remove all that can go).
    """

    box_rows: int
    box_cols: int
    givens: int


LEVELS: dict[int, SudokuConfig] = {
    1: SudokuConfig(2, 2, 10),
    2: SudokuConfig(2, 2, 0),
    3: SudokuConfig(2, 3, 20),
    4: SudokuConfig(2, 3, 0),
    5: SudokuConfig(3, 3, 36),
    6: SudokuConfig(3, 3, 30),
    7: SudokuConfig(3, 3, 0),
}

MAX_NODES = 20_000
ATTEMPTS = 10


def solve(
    grid: list[int], box_rows: int, box_cols: int, limit: int = 2, max_nodes: int = MAX_NODES
) -> list[list[int]]:
    """Up to ``limit`` solutions of a flat grid (0 = blank), by bitmask search on the most constrained cell.

    Raises:
        BudgetExceeded: past ``max_nodes`` search nodes.
    """
    n = box_rows * box_cols
    full = (1 << n) - 1
    rows, cols, boxes = [0] * n, [0] * n, [0] * n
    cells = list(grid)
    empties = []
    for i, v in enumerate(cells):
        r, c = divmod(i, n)
        b = (r // box_rows) * box_rows + c // box_cols
        if v:
            bit = 1 << (v - 1)
            if rows[r] & bit or cols[c] & bit or boxes[b] & bit:
                return []
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
        else:
            empties.append((i, r, c, b))
    out: list[list[int]] = []
    nodes = 0

    def search(todo: list[tuple[int, int, int, int]]) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise BudgetExceeded(f"more than {max_nodes} search nodes")
        if not todo:
            out.append(list(cells))
            return
        best = -1
        best_mask = 0
        best_count = n + 1
        for k, (_, r, c, b) in enumerate(todo):
            mask = full & ~(rows[r] | cols[c] | boxes[b])
            count = mask.bit_count()
            if count < best_count:
                best, best_mask, best_count = k, mask, count
                if count <= 1:
                    break
        if best_count == 0:
            return
        i, r, c, b = todo[best]
        rest = todo[:best] + todo[best + 1 :]
        mask = best_mask
        while mask:
            bit = mask & -mask
            mask ^= bit
            cells[i] = bit.bit_length()
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
            search(rest)
            rows[r] ^= bit
            cols[c] ^= bit
            boxes[b] ^= bit
            cells[i] = 0
            if len(out) >= limit:
                return

    search(empties)
    return out


def count_naive(grid: list[int], box_rows: int, box_cols: int, limit: int = 2) -> int:
    """Solutions by plain backtracking in reading order with no bitmasks (the benchmark's baseline)."""
    n = box_rows * box_cols
    cells = list(grid)

    def ok(i: int, v: int) -> bool:
        r, c = divmod(i, n)
        if any(cells[r * n + k] == v for k in range(n)) or any(cells[k * n + c] == v for k in range(n)):
            return False
        r0, c0 = r - r % box_rows, c - c % box_cols
        return not any(
            cells[(r0 + dr) * n + c0 + dc] == v for dr in range(box_rows) for dc in range(box_cols)
        )

    found = 0

    def search(i: int) -> None:
        nonlocal found
        while i < n * n and cells[i]:
            i += 1
        if i == n * n:
            found += 1
            return
        for v in range(1, n + 1):
            if ok(i, v):
                cells[i] = v
                search(i + 1)
                cells[i] = 0
                if found >= limit:
                    return

    search(0)
    return found


def _full_grid(rng: random.Random, br: int, bc: int) -> list[int]:
    n = br * bc
    digits = list(range(1, n + 1))
    rng.shuffle(digits)
    bands = rng.sample(range(bc), bc)  # there are n / br = bc bands of br rows
    stacks = rng.sample(range(br), br)  # and n / bc = br stacks of bc columns
    row_order = [band * br + r for band in bands for r in rng.sample(range(br), br)]
    col_order = [stack * bc + c for stack in stacks for c in rng.sample(range(bc), bc)]
    grid = [digits[(bc * (r % br) + r // br + c) % n] for r in row_order for c in col_order]
    if br == bc and rng.random() < 0.5:
        grid = [grid[c * n + r] for r in range(n) for c in range(n)]
    return grid


class SudokuFamily(TaskFamily):
    """Sudoku puzzles whose unique solution is proven by search before they are served."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "sudoku"
    levels: ClassVar[int] = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one puzzle; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"sudoku level {difficulty}"
        )

    def _attempt(self, rng: random.Random, cfg: SudokuConfig) -> Problem | None:
        br, bc = cfg.box_rows, cfg.box_cols
        n = br * bc
        solution = _full_grid(rng, br, bc)
        puzzle = list(solution)
        givens = n * n
        for i in rng.sample(range(n * n), n * n):
            if givens <= cfg.givens:
                break
            puzzle[i] = 0
            try:
                unique = len(solve(puzzle, br, bc, limit=2)) == 1
            except BudgetExceeded:
                unique = False  # not provable within budget: keep this given
            if unique:
                givens -= 1
            else:
                puzzle[i] = solution[i]
        found = solve(puzzle, br, bc, limit=2, max_nodes=MAX_NODES * 10)
        if len(found) != 1 or found[0] != solution:
            return None
        rows = [puzzle[r * n : (r + 1) * n] for r in range(n)]
        answer = [solution[r * n : (r + 1) * n] for r in range(n)]
        shown = "\n".join(" ".join(str(v) if v else "." for v in row) for row in rows)
        prompt = (
            f"Solve this {n}x{n} sudoku. Fill every blank (.) with a digit from 1 to {n} so that each row, each "
            f"column and each of the {n} boxes of {br} rows by {bc} columns contains every digit from 1 to {n} "
            f"exactly once. The puzzle has exactly one solution.\n\n{shown}\n\n"
            "Give the completed grid inside <answer> and </answer> tags as a JSON list of rows, for example "
            f"<answer>[[{', '.join(str(d) for d in range(1, n + 1))}], ...]</answer>."
        )
        reference = f"The completed grid:\n\n<answer>{grid_json(answer)}</answer>"
        return Problem(
            prompt=prompt,
            answer=answer,
            reference_response=reference,
            meta={"givens": givens, "box": [br, bc], "puzzle": rows},
        )

    def score(self, task: Task, response: str) -> Score:
        """Exact grid (see the module docstring)."""
        return score_exact_grid(task.answer, response)

    def wrong_responses(self, task: Task) -> list[str]:
        """Two digits swapped in a row, the puzzle's first row dropped, a transposed grid, no tags."""
        grid = [list(r) for r in task.answer]
        swapped = [list(r) for r in grid]
        swapped[0][0], swapped[0][1] = swapped[0][1], swapped[0][0]
        transposed = [list(col) for col in zip(*grid)]
        if transposed == grid:
            transposed = [list(reversed(r)) for r in grid]
        return [
            f"<answer>{grid_json(swapped)}</answer>",
            f"<answer>{grid_json(grid[1:])}</answer>",
            "<answer>\n" + "\n".join("".join(map(str, r)) for r in transposed) + "\n</answer>",
            grid_json(grid),
        ]
