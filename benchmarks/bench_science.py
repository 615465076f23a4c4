"""Science: tasks generated and responses verified per second, against math-verify on the same responses.

Run: ``python benchmarks/bench_science.py [--tasks 300] [--seed 0]``.

For every generated science family, ``--tasks`` tasks are generated (timed), then each gets eight
rollout-like responses (a paragraph of reasoning, then a box) whose labels come from the construction:

- right: the reference; the value converted into another unit of the same dimension (``3000 m`` for
  ``3.0 km``); the bare number (read in the stated unit); LaTeX scientific notation;
- wrong: the same number under another unit; a factor of 2; the sign flipped; a unit of another dimension.

Both verifiers see the same responses. The baseline is math-verify (``verify(parse(gold), parse(response))``
with gold = the reference box), the equivalence checker GURU's math rows use: it is a fair speed baseline
for reading a boxed number, and its accuracy column shows what unit-blind checking costs on science
answers. Multiple-choice rows (``choices=4``) are scored by letter.
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import time

from guru_envs.core.registry import catalog
from guru_envs.science.common import other_unit, quantity_text
from guru_envs.verify.units import parse_unit

SUBJECTS = [
    "mechanics",
    "circuits",
    "optics",
    "thermodynamics",
    "chemistry",
    "genetics",
    "ecology",
    "astronomy",
    "earth",
]
FILLER = (
    "First I list the givens and convert them to SI units. Then I apply the relevant relation, keep track of "
    "the units through each step, and round at the end to the requested number of significant figures. "
)


def responses_for(task) -> list[tuple[str, bool]]:
    """(response, is_right) pairs built from the task's own value and unit."""
    meta = task.meta
    if "options" in meta:
        wrong = next(k for k in meta["options"] if k != task.answer)
        return [
            (task.reference_response, True),
            (f"{FILLER}\\boxed{{{task.answer}}}", True),
            (f"{FILLER}Answer: {task.answer}", True),
            (f"{FILLER}\\boxed{{{wrong}}}", False),
            (f"{FILLER}I would pick {task.answer} or {wrong}.", False),
        ]
    value, unit = meta["value"], meta["unit"]
    rel, abs_tol = meta["rel_tol"], meta["abs_tol"]
    out = [(task.reference_response, True)]

    def add(v: float, u: str, right: bool, latex: bool = False) -> None:
        out.append((f"{FILLER}\n\n\\boxed{{{quantity_text(v, u, 5, latex=latex)}}}", right))

    def distinct(v: float) -> bool:
        return not math.isclose(v, value, rel_tol=rel, abs_tol=abs_tol)

    add(value, unit, True, latex=True)
    add(value, "", True)
    if distinct(2 * value):
        add(2 * value, unit, False)
    if distinct(-value):
        add(-value, unit, False)
    if unit and unit != "%":
        alt = other_unit(unit)
        src, dst = parse_unit(unit), parse_unit(alt)
        add(dst.from_si(src.to_si(value)), alt, True)
        if distinct(src.from_si(dst.to_si(value))):
            add(value, alt, False)
        add(value, "kg" if src.dims != parse_unit("kg").dims else "m", False)
    return out


def gold_text(task) -> str:
    if "options" in task.meta:
        return task.answer
    return quantity_text(task.meta["value"], task.meta["unit"], 5, latex=True)


def run_family(name: str, n: int, seed: int, options: dict, mv_parse, mv_verify) -> dict:
    family = catalog().family("science", name, **options)
    for i in range(30):  # warm-up: unit symbols are resolved through sympy once, at first use
        warm = family.sample(10**6 + i, 1 + i % family.levels)
        for response, _ in responses_for(warm):
            family.score(warm, response)
    start = time.perf_counter()
    tasks = [family.sample(seed + i, 1 + i % family.levels) for i in range(n)]
    gen_s = time.perf_counter() - start
    pairs = [(task, response, label) for task in tasks for response, label in responses_for(task)]
    start = time.perf_counter()
    ours = [family.score(task, response).reward == 1.0 for task, response, _ in pairs]
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = []
    for task, response, _ in pairs:
        try:
            theirs.append(bool(mv_verify(mv_parse(f"${gold_text(task)}$"), mv_parse(response))))
        except Exception:
            theirs.append(False)
    mv_s = time.perf_counter() - start
    labels = [label for _, _, label in pairs]
    return {
        "family": name + (" (choices=4)" if options else ""),
        "gen_per_s": n / gen_s,
        "ours_per_s": len(pairs) / ours_s,
        "mv_per_s": len(pairs) / mv_s,
        "ours_acc": sum(o == y for o, y in zip(ours, labels)) / len(pairs),
        "mv_acc": sum(t == y for t, y in zip(theirs, labels)) / len(pairs),
        "mv_wrong_accepted": sum(t and not y for t, y in zip(theirs, labels)),
        "wrong": sum(not y for y in labels),
        "pairs": len(pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300, help="tasks per family")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # math-verify logs every answer it cannot parse
    from math_verify import parse as mv_parse
    from math_verify import verify as mv_verify

    # warm math-verify (imports, grammar) outside the timings
    mv_verify(mv_parse("$1$"), mv_parse("\\boxed{1}"))

    rows = [run_family(name, args.tasks, args.seed, {}, mv_parse, mv_verify) for name in SUBJECTS]
    rows.append(run_family("multiple_choice", args.tasks, args.seed, {}, mv_parse, mv_verify))
    rows.append(run_family("chemistry", args.tasks, args.seed, {"choices": 4}, mv_parse, mv_verify))

    head = f"{'family':26} {'gen/s':>9} {'verify/s':>9} {'math-verify/s':>14} {'speed x':>8} {'acc':>7} {'mv acc':>7} {'mv wrong→1':>11}"
    print(
        f"science benchmark: {args.tasks} tasks per family, {sum(r['pairs'] for r in rows):,} labelled responses"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['family']:26} {r['gen_per_s']:9,.0f} {r['ours_per_s']:9,.0f} {r['mv_per_s']:14,.0f} "
            f"{r['ours_per_s'] / r['mv_per_s']:8.1f} {r['ours_acc']:7.1%} {r['mv_acc']:7.1%} "
            f"{r['mv_wrong_accepted']:5d}/{r['wrong']:<5d}"
        )
    print("-" * len(head))
    total_pairs = sum(r["pairs"] for r in rows)
    print(
        f"{'median / overall':26} {statistics.median(r['gen_per_s'] for r in rows):9,.0f} "
        f"{statistics.median(r['ours_per_s'] for r in rows):9,.0f} {statistics.median(r['mv_per_s'] for r in rows):14,.0f} "
        f"{statistics.median(r['ours_per_s'] / r['mv_per_s'] for r in rows):8.1f} "
        f"{sum(r['ours_acc'] * r['pairs'] for r in rows) / total_pairs:7.1%} "
        f"{sum(r['mv_acc'] * r['pairs'] for r in rows) / total_pairs:7.1%}"
    )
    print("speed x = our verifications per second / math-verify's on the same responses (single process).")
    print(
        "mv wrong→1 = wrong responses (wrong unit, factor, sign, dimension or letter) math-verify scored correct."
    )


if __name__ == "__main__":
    main()
