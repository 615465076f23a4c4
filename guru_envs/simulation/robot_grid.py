"""Robot on a grid: follow a command string through walls, coins and ice, and report where it ends.

Description:
    A robot stands on a drawn grid facing a compass direction and executes commands: move forward or
    back, turn, turn around, and (at higher levels) repeat groups such as ``3(F2 R)``. Walls and the grid
    edge block moves; coins are picked up when the robot enters their cell; ice makes the robot slide.
    Draws where the robot is never blocked (from level 2) or collects no coin (where coins exist) are
    redrawn, so the rules always matter.

Prompt:
    The grid with row and column numbers, the start cell and facing, the command rules and the program.

Answer format:
    A JSON object ``{"row": r, "col": c, "facing": "N"}`` (``facing`` one of N, E, S, W), plus
    ``"coins": n`` at levels with coins.

Scoring:
    1 when every field matches, else 0. Facing is read case-insensitively and full names (``"north"``)
    are accepted, in ASCII letters only (``"ſ"``, a long s, is not ``S``). Everything else is one exact claim (:mod:`.answers`): integers, exactly these keys.

Difficulty:
    1: open 5x5 grid, 5 commands. 2: 6x6 with walls, 8 commands, u-turns and backing up.
    3: 7x7, 10 commands, multi-cell moves (``F3``), coins. 4: 8x8, repeat groups. 5: 8x8, nested repeat
    groups and ice.

Version History:
    v0: initial release.
    v0 (unreleased): the answer must be one exact claim (:mod:`.answers`): several different fenced or boxed
        answers, repeated JSON keys, a set for a list and a number of another type (``2.0`` for ``2``) score 0
        (issue 17). A facing written in letters other than ASCII ones is not folded (``"ſ"`` read as ``S``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import FORMAT_LINE, distinct_wrongs, json_block, score_value
from guru_envs.verify.score import Score

DIRS = "NESW"
MOVES = {"N": (-1, 0), "E": (0, 1), "S": (1, 0), "W": (0, -1)}
FULL = {"north": "N", "east": "E", "south": "S", "west": "W"}
WALL, FREE, COIN, ICE = "#", ".", "*", "~"


@dataclass(frozen=True)
class RobotConfig:
    """Knobs of one level."""

    size: int
    commands: int
    walls: float
    coins: int
    multi: bool  # F2/F3 moves
    turn_back: bool  # U and B commands
    repeats: int  # 0: none, 1: flat repeat groups, 2: nested
    ice: int


LEVELS: dict[int, RobotConfig] = {
    1: RobotConfig(5, 5, 0.0, 0, False, False, 0, 0),
    2: RobotConfig(6, 8, 0.15, 0, False, True, 0, 0),
    3: RobotConfig(7, 10, 0.15, 3, True, True, 0, 0),
    4: RobotConfig(8, 8, 0.15, 4, True, True, 1, 0),
    5: RobotConfig(8, 8, 0.12, 4, True, True, 2, 5),
}


@dataclass
class State:
    """Where the robot is, where it faces, what it carries, and how often a wall stopped it."""

    row: int
    col: int
    facing: str
    coins: int = 0
    blocked: int = 0
    slid: int = 0
    taken: frozenset[tuple[int, int]] = frozenset()

    def answer(self, with_coins: bool) -> dict[str, Any]:
        """The answer object."""
        out: dict[str, Any] = {"row": self.row, "col": self.col, "facing": self.facing}
        if with_coins:
            out["coins"] = self.coins
        return out


def _enter(grid: list[str], s: State, dr: int, dc: int) -> bool:
    r, c = s.row + dr, s.col + dc
    if not (0 <= r < len(grid) and 0 <= c < len(grid[0])) or grid[r][c] == WALL:
        s.blocked += 1
        return False
    s.row, s.col = r, c
    if grid[r][c] == COIN and (r, c) not in s.taken:
        s.coins += 1
        s.taken = s.taken | {(r, c)}
    return True


def _step(grid: list[str], s: State, dr: int, dc: int) -> bool:
    """One cell of movement, then any sliding on ice; False when the first cell is blocked."""
    if not _enter(grid, s, dr, dc):
        return False
    while grid[s.row][s.col] == ICE:
        r, c = s.row + dr, s.col + dc
        if not (0 <= r < len(grid) and 0 <= c < len(grid[0])) or grid[r][c] == WALL:
            break
        _enter(grid, s, dr, dc)
        s.slid += 1
    return True


def run(grid: list[str], start: State, commands: list[str]) -> State:
    """Execute flat commands (``F``, ``F3``, ``B``, ``L``, ``R``, ``U``) from ``start``."""
    s = State(start.row, start.col, start.facing)
    for cmd in commands:
        op = cmd[0]
        if op in "LRU":
            turn = {"L": -1, "R": 1, "U": 2}[op]
            s.facing = DIRS[(DIRS.index(s.facing) + turn) % 4]
        elif op == "F":
            dr, dc = MOVES[s.facing]
            for _ in range(int(cmd[1:] or 1)):
                if not _step(grid, s, dr, dc):
                    break
        elif op == "B":
            dr, dc = MOVES[s.facing]
            _step(grid, s, -dr, -dc)
    return s


def _flatten(program: list[Any]) -> list[str]:
    out: list[str] = []
    for item in program:
        if isinstance(item, tuple):
            times, body = item
            for _ in range(times):
                out += _flatten(body)
        else:
            out.append(item)
    return out


def _render(program: list[Any]) -> str:
    parts = []
    for item in program:
        if isinstance(item, tuple):
            times, body = item
            parts.append(f"{times}({_render(body)})")
        else:
            parts.append(item)
    return " ".join(parts)


def _command(rng: random.Random, cfg: RobotConfig) -> str:
    ops = ["F", "F", "F", "L", "R"] + (["U", "B"] if cfg.turn_back else [])
    op = rng.choice(ops)
    if op == "F" and cfg.multi and rng.random() < 0.4:
        return f"F{rng.randint(2, 3)}"
    return op


def _program(rng: random.Random, cfg: RobotConfig, length: int, depth: int) -> list[Any]:
    program: list[Any] = []
    while len(program) < length:
        if depth > 0 and rng.random() < 0.25 and length - len(program) >= 2:
            body = _program(rng, cfg, rng.randint(2, 3), depth - 1)
            program.append((rng.randint(2, 3), body))
        else:
            program.append(_command(rng, cfg))
    return program


class RobotGridFamily(TaskFamily):
    """Where a robot ends up, which way it faces, and how many coins it holds."""

    domain = "simulation"
    name = "robot_grid"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw a grid and a program until walls (and coins) matter."""
        cfg = LEVELS[difficulty]
        for _ in range(500):
            n = cfg.size
            cells = [[WALL if rng.random() < cfg.walls else FREE for _ in range(n)] for _ in range(n)]
            free = [(r, c) for r in range(n) for c in range(n) if cells[r][c] == FREE]
            rng.shuffle(free)
            start_cell = free.pop()
            for r, c in free[: cfg.coins]:
                cells[r][c] = COIN
            for r, c in free[cfg.coins : cfg.coins + cfg.ice]:
                cells[r][c] = ICE
            grid = ["".join(row) for row in cells]
            start = State(start_cell[0], start_cell[1], rng.choice(DIRS))
            program = _program(rng, cfg, cfg.commands, cfg.repeats)
            flat = _flatten(program)
            end = run(grid, start, flat)
            if (end.row, end.col) == (start.row, start.col):
                continue
            if difficulty >= 2 and end.blocked == 0:
                continue
            if cfg.coins and end.coins == 0:
                continue
            if cfg.ice and end.slid == 0:
                continue
            return self._problem(grid, start, program, flat, end, cfg)
        raise RuntimeError("no informative robot walk in 500 draws")

    def _problem(
        self, grid: list[str], start: State, program: list[Any], flat: list[str], end: State, cfg: RobotConfig
    ) -> Problem:
        n = len(grid)
        coins = cfg.coins > 0
        header = "    " + " ".join(str(c) for c in range(n))
        drawn = "\n".join([header] + [f"{r:>2}  " + " ".join(row) for r, row in enumerate(grid)])
        rules = [
            "- F moves one cell forward; F2 and F3 move two or three cells, one at a time."
            if cfg.multi
            else "- F moves one cell forward.",
            "- L and R turn 90 degrees left or right on the spot.",
        ]
        if cfg.turn_back:
            rules += ["- U turns around (180 degrees).", "- B moves one cell backward without turning."]
        rules.append(
            "- A move into a wall (#) or off the grid does not happen: the robot stays where it is"
            + (", and the rest of that F2/F3 command is cancelled." if cfg.multi else ".")
        )
        if coins:
            rules.append("- Entering a cell with a coin (*) picks it up; each coin can be picked up once.")
        if cfg.ice:
            rules.append(
                "- Ice (~): after the robot enters an ice cell it keeps sliding one cell at a time in the same "
                "direction while it stands on ice and the next cell is inside the grid and not a wall. Sliding is "
                "part of the same move (it does not use up cells of an F2/F3)."
            )
        if cfg.repeats:
            rules.append("- k(...) repeats the commands in the brackets k times; groups may be nested.")
        facing_word = {"N": "north (up)", "E": "east (right)", "S": "south (down)", "W": "west (left)"}[
            start.facing
        ]
        fields = '{"row": r, "col": c, "facing": "N"' + (', "coins": n' if coins else "") + "}"
        prompt = (
            f"A robot moves on this {n}x{n} grid (rows numbered from 0 at the top, columns from 0 at the left; "
            f"'#' is a wall{', * a coin' if coins else ''}{', ~ ice' if cfg.ice else ''}, '.' open floor):\n\n"
            f"{drawn}\n\n"
            f"It starts at row {start.row}, column {start.col}, facing {facing_word}. North is up. Commands:\n"
            + "\n".join(rules)
            + f"\n\nProgram: {_render(program)}\n\n"
            + "Where does the robot end up, and which way does it face"
            + (", and how many coins has it collected?" if coins else "?")
            + f"\n\n{FORMAT_LINE} The answer is a JSON object {fields} with facing one of N, E, S, W."
        )
        answer = end.answer(coins)
        walk = []
        for i in range(1, len(flat) + 1):
            s = run(grid, start, flat[:i])
            walk.append(
                f"{flat[i - 1]} -> ({s.row}, {s.col}) facing {s.facing}"
                + (f", coins {s.coins}" if coins else "")
            )
        reference = (
            f"Expanding the program gives {len(flat)} commands. Following them from ({start.row}, {start.col}):\n"
            + "\n".join(walk)
            + "\n\n"
            + json_block(answer)
        )
        early = run(grid, start, flat[:-1]).answer(coins)
        meta = {"commands": len(flat), "blocked": end.blocked, "near": [early]}
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """All fields must match; facing may be a letter or a word in any case."""
        return score_value(response, task.answer, normalize=normalize_answer)

    def wrong_responses(self, task: Task) -> list[str]:
        """The state one command early, a wrong facing, a position off by one, a coin miscounted."""
        answer = dict(task.answer)
        turned = dict(answer, facing=DIRS[(DIRS.index(answer["facing"]) + 1) % 4])
        moved = dict(answer, row=answer["row"] + 1)
        candidates = [*task.meta.get("near", []), turned, moved]
        if "coins" in answer:
            candidates.append(dict(answer, coins=answer["coins"] + 1))
        return [f"Following the commands:\n\n{json_block(v)}" for v in distinct_wrongs(answer, candidates)]


def normalize_answer(value: Any) -> Any:
    """Facing as one upper-case letter; everything else unchanged (and compared exactly).

    Only an ASCII facing is folded: ``str.upper`` maps other letters onto ASCII ones (the long s ``ſ``
    becomes ``S``, and ``ﬆ`` becomes ``ST``), so a letter that is not N, E, S or W would read as one.
    Any other spelling is kept as written, and matches nothing.
    """
    if not isinstance(value, dict):
        raise TypeError("the answer must be a JSON object")
    out = dict(value)
    facing = out.get("facing")
    if isinstance(facing, str) and facing.isascii():
        f = facing.strip()
        out["facing"] = FULL.get(f.lower(), f.upper())
    return out
