"""Simulation, greedy and dynamic-programming problems: write a function or a stdin/stdout program.

Description:
    Seven templates, each a parameterised problem with a reference solution and generated tests:

    - ``min_coins``: fewest coins that make an amount (DP; greedy fails on ``[1, 3, 4]`` and 6);
    - ``grid_paths``: monotone paths through a grid with blocked cells, modulo 1_000_000_007 (DP);
    - ``min_meeting_rooms``: rooms needed for half-open meetings (sweep / greedy);
    - ``edit_distance``: Levenshtein distance (DP);
    - ``josephus``: the survivor of a counting-out circle (simulation, or its recurrence);
    - ``robot_walk``: a robot following moves on a grid with walls and borders (simulation);
    - ``max_nonadjacent_sum``: the best sum of elements no two of which are adjacent (DP).

    Edge cases are always among the tests (nothing to do, blocked start, touching meetings, empty
    strings, one person, moves into a wall or off the grid, ``[2, 1, 1, 2]``). Levels 4 and 5 add
    performance tests (10**4 meetings, 10**6 people, 10**4 houses) that a quadratic method cannot finish.

Prompt:
    Call-based or stdin/stdout, as described in :mod:`.templates`.

Answer format:
    The complete function or program in the last ```python fenced block.

Scoring:
    Every test must pass (:mod:`.verifier`), each within 1 s of CPU time; option ``partial_credit``
    pays the fraction passed.

Difficulty:
    :data:`LEVELS`: ``size`` bounds grid sides, string lengths and list lengths (4 at level 1, 100 at
    level 5); ``large`` scales the performance tests.

Version History:
    v0: initial release.
    v0 (unreleased): returned values are compared as a judge does (a set is not a list, no tolerance between
        integers, a bool is not an int) (issue 17); each test runs in a fresh process that sees only its own
        input, the CPU of forked children counts, and hidden tests are named, not shown, in feedback (issue
        18, see docs/code.md).
"""

from __future__ import annotations

import random

from guru_envs.code.templates import Arg, Cases, CodeLevel, Template, TemplateFamily

LEVELS: dict[int, CodeLevel] = {
    1: CodeLevel(size=4, value=10, tests=3),
    2: CodeLevel(size=8, value=50, tests=4),
    3: CodeLevel(size=15, value=300, tests=6),
    4: CodeLevel(size=40, value=2000, tests=8, large=2000, large_tests=1),
    5: CodeLevel(size=100, value=10000, tests=10, large=10000, large_tests=2),
}


# ------------------------------------------------------------------------------------------- coins


def min_coins(coins: list[int], amount: int) -> int:
    """Unbounded knapsack DP over amounts 0..amount."""
    unreachable = amount + 1
    best = [0] + [unreachable] * amount
    for total in range(1, amount + 1):
        for coin in coins:
            if coin <= total and best[total - coin] + 1 < best[total]:
                best[total] = best[total - coin] + 1
    return best[amount] if best[amount] != unreachable else -1


def _min_coins_bug(coins: list[int], amount: int) -> int:
    used = 0
    for coin in sorted(coins, reverse=True):
        take, amount = divmod(amount, coin)
        used += take
    return used if amount == 0 else -1


def _coin_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[1], 0], [[2], 3], [[1, 3, 4], 6], [[5, 10], 3], [[7], 14], [[1, 5, 6, 9], 11]]
    rand = []
    for _ in range(cfg.tests):
        coins = sorted(
            rng.sample(range(1, max(3, min(cfg.value, 60)) + 1), rng.randint(1, min(8, 1 + level)))
        )
        rand.append([coins, rng.randint(0, cfg.value)])
    large = [[sorted(rng.sample(range(2, 200), 8)), cfg.large * 5] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


COINS = Template(
    solution=min_coins,
    buggy=_min_coins_bug,
    args=(Arg("coins", "ints"), Arg("amount", "int")),
    returns="int",
    statement=(
        "You have an unlimited number of coins of each value in `coins`. Pay exactly `amount` with as "
        "few coins as possible."
    ),
    result="the smallest number of coins, or -1 if `amount` cannot be paid exactly",
    cases=_coin_cases,
    notes=("the values in `coins` are distinct and positive",),
    approach="Dynamic programming over all amounts up to the target (greedy is not optimal in general).",
)


# ------------------------------------------------------------------------------------- grid paths


def grid_paths(grid: list[list[int]]) -> int:
    """Row-by-row DP; a blocked cell contributes no paths."""
    mod = 1_000_000_007
    cols = len(grid[0])
    ways = [0] * cols
    ways[0] = 1
    for row in grid:
        for c in range(cols):
            if row[c] == 1:
                ways[c] = 0
            elif c > 0:
                ways[c] = (ways[c] + ways[c - 1]) % mod
    return ways[-1]


def _grid_paths_bug(grid: list[list[int]]) -> int:
    rows, cols = len(grid), len(grid[0])
    ways = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            if r == 0 and c == 0:
                ways[r][c] = 1
            elif grid[r][c] == 0:
                ways[r][c] = ((ways[r - 1][c] if r else 0) + (ways[r][c - 1] if c else 0)) % 1_000_000_007
    return ways[-1][-1]


def _grid_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [
        [[[0]]],
        [[[1]]],
        [[[0, 1], [1, 0]]],
        [[[0, 0], [0, 0]]],
        [[[0, 0, 0], [0, 1, 0], [0, 0, 0]]],
        [[[0], [0], [0]]],
        [[[1, 0], [0, 0]]],
    ]
    rand = []
    for _ in range(cfg.tests):
        rows, cols = rng.randint(1, cfg.size), rng.randint(1, cfg.size)
        density = rng.choice([0.0, 0.1, 0.2, 0.35])
        rand.append([[[1 if rng.random() < density else 0 for _ in range(cols)] for _ in range(rows)]])
    return Cases(edge, rand)


GRID_PATHS = Template(
    solution=grid_paths,
    buggy=_grid_paths_bug,
    args=(Arg("grid", "grid"),),
    returns="int",
    statement=(
        "`grid` is a rectangle of cells, 0 for free and 1 for blocked. A path starts in the top-left cell, "
        "ends in the bottom-right cell, moves only right or down, and visits only free cells (so there is "
        "no path when either end is blocked)."
    ),
    result="the number of paths modulo 1000000007",
    cases=_grid_cases,
    approach="Count paths cell by cell: each free cell gets the paths from above plus from the left.",
)


# ---------------------------------------------------------------------------------- meeting rooms


def min_meeting_rooms(meetings: list[list[int]]) -> int:
    """Sweep the sorted starts and ends; an end at time t frees its room before a start at t."""
    starts = sorted(s for s, _ in meetings)
    ends = sorted(e for _, e in meetings)
    rooms = best = 0
    j = 0
    for s in starts:
        while j < len(ends) and ends[j] <= s:
            rooms -= 1
            j += 1
        rooms += 1
        best = max(best, rooms)
    return best


def _min_meeting_rooms_bug(meetings: list[list[int]]) -> int:
    events = sorted(
        [(s, 1) for s, _ in meetings] + [(e, -1) for _, e in meetings], key=lambda x: (x[0], -x[1])
    )
    rooms = best = 0
    for _, delta in events:
        rooms += delta
        best = max(best, rooms)
    return best


def _meeting_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[]], [[[1, 5]]], [[[1, 5], [5, 10]]], [[[0, 30], [5, 10], [15, 20]]], [[[1, 2], [1, 2], [1, 2]]]]

    def meetings(n: int, span: int) -> list[list[int]]:
        out = []
        for _ in range(n):
            s = rng.randint(0, span)
            out.append([s, s + rng.randint(1, max(1, span // 5))])
        return out

    rand = [[meetings(rng.randint(1, cfg.size), max(10, cfg.value))] for _ in range(cfg.tests)]
    large = [[meetings(cfg.large, cfg.large * 10)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


MEETINGS = Template(
    solution=min_meeting_rooms,
    buggy=_min_meeting_rooms_bug,
    args=(Arg("meetings", "pairs"),),
    returns="int",
    statement=(
        "Each element `[s, e]` of `meetings` is a meeting that occupies a room from time `s` up to, but "
        "not including, time `e` (`s < e`); a meeting ending at time t and one starting at time t can use "
        "the same room. Each meeting needs a room of its own while it runs."
    ),
    result="the smallest number of rooms that can hold all the meetings",
    cases=_meeting_cases,
    approach="Sweep sorted start and end times; the most meetings running at once is the answer.",
)


# ---------------------------------------------------------------------------------- edit distance


def edit_distance(a: str, b: str) -> int:
    """Levenshtein DP, one row at a time."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def _edit_distance_bug(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def _edit_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [["", ""], ["", "abc"], ["abc", ""], ["kitten", "sitting"], ["ab", "ba"], ["same", "same"]]
    rand = []
    for _ in range(cfg.tests):
        alphabet = "abcd"[: rng.randint(2, 4)]
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 2 * cfg.size)))
        b = list(a)
        for _ in range(rng.randint(0, max(1, len(b) // 2))):
            op = rng.random()
            if op < 0.4 and b:
                b[rng.randrange(len(b))] = rng.choice(alphabet)
            elif op < 0.7 and b:
                del b[rng.randrange(len(b))]
            else:
                b.insert(rng.randint(0, len(b)), rng.choice(alphabet))
        rand.append([a, "".join(b)])
    return Cases(edge, rand)


EDIT = Template(
    solution=edit_distance,
    buggy=_edit_distance_bug,
    args=(Arg("a", "str"), Arg("b", "str")),
    returns="int",
    statement=(
        "An edit inserts one character, deletes one character, or replaces one character by another. "
        "Turn `a` into `b` with as few edits as possible."
    ),
    result="the smallest number of edits (the Levenshtein distance)",
    cases=_edit_cases,
    notes=("`a` and `b` consist of lowercase letters",),
    approach="Dynamic programming over prefixes of both strings, one row at a time.",
)


# ---------------------------------------------------------------------------------------- josephus


def josephus(n: int, k: int) -> int:
    """The survivor's 0-based position obeys J(m) = (J(m - 1) + k) mod m; answer 1-based."""
    survivor = 0
    for m in range(2, n + 1):
        survivor = (survivor + k) % m
    return survivor + 1


def _josephus_bug(n: int, k: int) -> int:
    survivor = 0
    for m in range(2, n + 1):
        survivor = (survivor + k) % m
    return survivor


def _josephus_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[1, 1], [1, 5], [5, 1], [5, 2], [7, 3], [6, 7]]
    rand = [[rng.randint(1, cfg.value), rng.randint(1, max(2, cfg.size))] for _ in range(cfg.tests)]
    large = [
        [rng.randint(cfg.large * 50, cfg.large * 100), rng.randint(2, 10**6)] for _ in range(cfg.large_tests)
    ]
    return Cases(edge, rand, large)


JOSEPHUS = Template(
    solution=josephus,
    buggy=_josephus_bug,
    args=(Arg("n", "int"), Arg("k", "int")),
    returns="int",
    statement=(
        "People numbered 1 to `n` stand in a circle. Counting starts at person 1; every `k`-th person "
        "counted leaves the circle, and counting continues with the next person still in it, until one "
        "person remains."
    ),
    result="the number of the last person remaining",
    cases=_josephus_cases,
    approach="The Josephus recurrence J(m) = (J(m - 1) + k) mod m, built up from one person.",
)


# -------------------------------------------------------------------------------------- robot walk


def robot_walk(grid: list[str], commands: str) -> list[int]:
    """Apply each move unless it would leave the grid or enter a wall."""
    rows, cols = len(grid), len(grid[0])
    r, c = next((i, row.index("S")) for i, row in enumerate(grid) if "S" in row)
    steps = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
    for move in commands:
        dr, dc = steps[move]
        nr, nc = r + dr, c + dc
        if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#":
            r, c = nr, nc
    return [r, c]


def _robot_walk_bug(grid: list[str], commands: str) -> list[int]:
    r, c = next((i, row.index("S")) for i, row in enumerate(grid) if "S" in row)
    steps = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
    for move in commands:
        dr, dc = steps[move]
        try:
            if grid[r + dr][c + dc] != "#":
                r, c = r + dr, c + dc
        except IndexError:
            pass
    return [r, c]


def _robot_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [
        [["S"], ""],
        [["S#"], "R"],
        [["S.", ".."], "RDLU"],
        [["S.."], "RRRR"],
        [["S.."], "L"],
        [[".#.", "#S#", ".#."], "UDLR"],
    ]
    rand = []
    side = max(2, cfg.size // 3)
    for _ in range(cfg.tests):
        rows, cols = rng.randint(1, side), rng.randint(1, side)
        cells = [["#" if rng.random() < 0.25 else "." for _ in range(cols)] for _ in range(rows)]
        cells[rng.randrange(rows)][rng.randrange(cols)] = "S"
        commands = "".join(rng.choice("UDLR") for _ in range(rng.randint(0, 4 * cfg.size)))
        rand.append([["".join(row) for row in cells], commands])
    return Cases(edge, rand)


ROBOT = Template(
    solution=robot_walk,
    buggy=_robot_walk_bug,
    args=(Arg("grid", "rows"), Arg("commands", "str")),
    returns="ints",
    statement=(
        "`grid` is a map whose rows are strings of `.` (floor), `#` (wall) and exactly one `S`, the "
        "robot's start (floor). Rows are numbered from 0 at the top, columns from 0 at the left. The robot "
        "follows `commands` one letter at a time: `U` up, `D` down, `L` left, `R` right. A move that would "
        "leave the grid or enter a wall is skipped."
    ),
    result="the robot's final position as `[row, column]`",
    cases=_robot_cases,
    approach="Simulate the moves, checking the border and walls before each step.",
)


# -------------------------------------------------------------------------------- non-adjacent sum


def max_nonadjacent_sum(nums: list[int]) -> int:
    """DP with two states: best total with the previous element taken or not."""
    take = skip = 0
    for x in nums:
        take, skip = skip + x, max(take, skip)
    return max(take, skip)


def _max_nonadjacent_sum_bug(nums: list[int]) -> int:
    return max(sum(nums[0::2]), sum(nums[1::2]))


def _nonadjacent_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[]], [[5]], [[2, 1, 1, 2]], [[0, 0]], [[3, 10, 3, 1, 2]]]
    rand = [[[rng.randint(0, cfg.value) for _ in range(rng.randint(1, cfg.size))]] for _ in range(cfg.tests)]
    large = [[[rng.randint(0, cfg.value) for _ in range(cfg.large)]] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


NONADJACENT = Template(
    solution=max_nonadjacent_sum,
    buggy=_max_nonadjacent_sum_bug,
    args=(Arg("nums", "ints"),),
    returns="int",
    statement="Choose some elements of `nums`, no two of them at neighbouring positions, to maximise their sum.",
    result="the largest possible sum (0 when nothing is chosen)",
    cases=_nonadjacent_cases,
    notes=("the elements of `nums` are non-negative",),
    approach="Dynamic programming with two states: the best sum with the previous element taken or skipped.",
)


class AlgorithmsFamily(TemplateFamily):
    """Simulation, greedy and DP problems as functions or stdin/stdout programs (see the module docstring)."""

    name = "algorithms"
    templates = (COINS, GRID_PATHS, MEETINGS, EDIT, JOSEPHUS, ROBOT, NONADJACENT)
    LEVELS = LEVELS
