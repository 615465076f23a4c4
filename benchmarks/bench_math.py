"""Math verification: our verifier vs raw math-verify vs a plain sympy baseline, on the same labelled answers.

Run: ``python benchmarks/bench_math.py [--n 3000] [--seed 0]``.

The mix imitates model rollouts on GURU-style math: a few hundred characters of reasoning inside
``<think>``, a short wrap-up, and a final ``\\boxed{}`` holding an integer (AIME-like, most common), a fraction,
a radical, a polynomial, an interval, a set of roots or an ordered pair, written the way models write
them (``\\dfrac``, ``x = ...``, ``\\pm``, reordered roots, inequalities for intervals, thousands separators,
units). About 45% are wrong (off by one, flipped fraction, missing root, swapped pair, wrong bracket ...).
Every pair is distinct and every label comes from the construction (sympy), not from any verifier.
Decimal approximations of irrational values are left out: whether ``1.414`` "is" ``\\sqrt{2}`` is a
convention, not a fact, and the three verifiers follow different conventions.

Compared, one process each unless stated:
- guru-envs: :func:`guru_envs.verify.latex.score_boxed_answer`, caches cleared first; and the batch form
  :func:`guru_envs.score_batch` over 2 worker processes (the trainer path), also from cold caches.
- math-verify: ``verify(parse(gold), parse(response))`` with its defaults (its own extraction and timeouts).
- sympy: last ``\\boxed{}`` (shared extractor), ``latex2sympy`` on both sides (the LaTeX-to-sympy converter
  math-verify ships), ``sympy.simplify(a - b) == 0``.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import sympy

import guru_envs
from guru_envs.core.task import Task
from guru_envs.guard import GuardedPool
from guru_envs.verify.extract import last_boxed
from guru_envs.verify.latex import clear_caches, score_boxed_answer

X = sympy.Symbol("x")
WEIGHTS = {
    "integer": 35,
    "fraction": 20,
    "radical": 10,
    "expression": 10,
    "interval": 8,
    "roots": 10,
    "pair": 7,
}
FILLER = (
    "Let me set up the problem carefully. We have to be careful with signs and with the order of operations. "
    "First I compute the intermediate quantity, then I substitute it back and simplify. Checking: the value "
    "is consistent with the constraints, and the edge cases do not change anything. "
)


def tex(value: sympy.Expr) -> str:
    return sympy.latex(value)


def _fraction(rng: random.Random) -> tuple[str, list[str], list[str]]:
    q = rng.randint(2, 30)
    p = rng.choice([k for k in range(-40, 41) if k and sympy.gcd(k, q) == 1 and k % q])
    v = sympy.Rational(p, q)
    right = [tex(v), tex(v).replace("\\frac", "\\dfrac"), f"{p}/{q}", f"\\frac{{{2 * p}}}{{{2 * q}}}"]
    if sympy.Integer(q).factors().keys() <= {2, 5}:
        right.append(str(sympy.N(v, 15)).rstrip("0"))
    wrong = [tex(sympy.Rational(p + 1, q)), tex(1 / v), tex(-v), f"\\frac{{{p}}}{{{q + 1}}}"]
    if (v * 100).q != 1:  # a two-place decimal that is not the value
        wrong.append(f"{round(float(v), 2)}")
    return tex(v), right, wrong


def _radical(rng: random.Random) -> tuple[str, list[str], list[str]]:
    a, b = rng.randint(1, 9), rng.choice([2, 3, 5, 6, 7, 10, 11, 13])
    c, d = rng.randint(-9, 9), rng.randint(2, 9)
    v = (c + a * sympy.sqrt(b)) / d
    right = [
        tex(v),
        f"\\frac{{{c} + \\sqrt{{{a * a * b}}}}}{{{d}}}",
        f"\\frac{{{c}}}{{{d}}} + \\frac{{{a}\\sqrt{{{b}}}}}{{{d}}}",
    ]
    wrong = [
        tex((c - a * sympy.sqrt(b)) / d),
        tex((c + a * sympy.sqrt(b + 1)) / d),
        tex((c + 1 + a * sympy.sqrt(b)) / d),
    ]
    return tex(v), right, wrong


def _expression(rng: random.Random) -> tuple[str, list[str], list[str]]:
    r1, r2, k = rng.randint(-6, 6), rng.randint(-6, 6), rng.randint(1, 3)
    poly = sympy.expand(k * (X - r1) * (X - r2))
    terms = sympy.Poly(poly, X).all_coeffs()
    reordered = " + ".join(
        f"({c}){'x^' + str(2 - i) if i < 2 else ''}" for i, c in reversed(list(enumerate(terms)))
    )
    right = [tex(poly), tex(sympy.factor(poly)), reordered.replace("x^1", "x")]
    wrong = [
        tex(poly + 1),
        tex(sympy.expand(k * (X + r1) * (X - r2))) if r1 else tex(poly + X),
        tex(poly.subs(X, 2 * X)),
    ]
    return tex(poly), right, wrong


def _interval(rng: random.Random) -> tuple[str, list[str], list[str]]:
    a = rng.randint(-9, 5)
    b = a + rng.randint(1, 9)
    lo, hi = rng.choice("(["), rng.choice(")]")
    ref = f"{lo}{a}, {b}{hi}"
    lt = {"(": "<", "[": "\\le"}[lo]
    gt = {")": "<", "]": "\\le"}[hi]
    right = [f"\\left{lo}{a},{b}\\right{hi}", f"{a} {lt} x {gt} {b}", f"x \\in {lo}{a}, {b}{hi}"]
    flip_lo = "[" if lo == "(" else "("
    wrong = [f"{flip_lo}{a}, {b}{hi}", f"{lo}{a}, {b + 1}{hi}", f"{lo}{-b}, {-a}{hi}"]
    return ref, right, wrong


def _roots(rng: random.Random) -> tuple[str, list[str], list[str]]:
    r1 = rng.randint(-9, 9)
    r2 = rng.choice([k for k in range(-9, 10) if k != r1])
    lo, hi = sorted((r1, r2))
    ref = f"{lo}, {hi}"
    right = [f"{hi}, {lo}", f"\\{{{lo}, {hi}\\}}", f"x = {hi} \\text{{ or }} x = {lo}", f"x={lo}, x={hi}"]
    wrong = [str(lo), str(hi), f"{-lo}, {-hi}" if lo != -hi else f"{lo}, {hi + 1}", f"{lo}, {hi}, {hi + 1}"]
    return ref, right, wrong


def _pair(rng: random.Random) -> tuple[str, list[str], list[str]]:
    a, b = rng.randint(-9, 9), rng.randint(-9, 9)
    while b == a:
        b = rng.randint(-9, 9)
    ref = f"({a}, {b})"
    right = [f"\\left({a},{b}\\right)", f"x = {a}, y = {b}", f"(x, y) = ({a}, {b})"]
    wrong = [f"({b}, {a})", f"({a}, {b + 1})", f"x = {b}, y = {a}"]
    return ref, right, wrong


def _integer(rng: random.Random) -> tuple[str, list[str], list[str]]:
    v = rng.randint(0, 99_999) if rng.random() < 0.2 else rng.randint(0, 999)
    right = [str(v), f"{v:,}" if v >= 1000 else f"{v}.0", f"{v} \\text{{ ways}}"]
    wrong = [str(v + 1), str(v - 1), str(v + 10), str(-v) if v else "1"]
    return str(v), right, wrong


MAKERS: dict[str, Callable[[random.Random], tuple[str, list[str], list[str]]]] = {
    "integer": _integer,
    "fraction": _fraction,
    "radical": _radical,
    "expression": _expression,
    "interval": _interval,
    "roots": _roots,
    "pair": _pair,
}


def build_mix(n: int, seed: int) -> list[tuple[str, str, str, bool]]:
    """``n`` distinct (category, reference, response, label) cases, about 45% wrong."""
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    seen: set[tuple[str, str]] = set()
    cases = []
    while len(cases) < n:
        kind = rng.choices(kinds, weights)[0]
        ref, right, wrong = MAKERS[kind](rng)
        label = rng.random() < 0.55
        answer = rng.choice(right if label else wrong)
        if (ref, answer) in seen:
            continue
        seen.add((ref, answer))
        think = FILLER * rng.randint(1, 3)
        response = f"<think>\n{think}\n</think>\n\nWorking it through, we get the result. Therefore the final answer is $\\boxed{{{answer}}}$."
        cases.append((kind, ref, response, label))
    return cases


def run_ours(cases):
    return [score_boxed_answer(resp, ref).correct for _, ref, resp, _ in cases]


def run_math_verify(cases):
    from math_verify import parse, verify

    out = []
    for _, ref, resp, _ in cases:
        try:
            out.append(bool(verify(parse("$" + ref + "$"), parse(resp))))
        except Exception:
            out.append(False)
    return out


def run_sympy(cases):
    from latex2sympy2_extended import latex2sympy

    out = []
    for _, ref, resp, _ in cases:
        answer = last_boxed(resp)
        try:
            a, b = latex2sympy(ref), latex2sympy(answer)
            out.append(bool(sympy.simplify(a - b) == 0))
        except Exception:
            out.append(False)
    return out


def load_guru_scorer(checkout: str) -> Callable[[str, str], bool]:
    """GURU's default math scorer (``naive_dapo.compute_score``) from a Reasoning360 checkout, run as is.

    Only the scorer's own files are imported (into a temporary package, so verl's heavy ``__init__`` with its
    torch imports is skipped); it needs ``pylatexenc`` importable. Nothing of it is copied into guru-envs.
    """
    import importlib
    import shutil
    import sys
    import tempfile

    root = tempfile.mkdtemp(prefix="r360_")
    src = os.path.join(checkout, "verl", "utils")
    dst = os.path.join(root, "verl", "utils")
    os.makedirs(os.path.join(dst, "reward_score"))
    for package in ("verl", "verl/utils", "verl/utils/reward_score"):
        open(os.path.join(root, package, "__init__.py"), "w").close()
    shutil.copy(os.path.join(src, "py_functional.py"), dst)
    shutil.copy(os.path.join(src, "reward_score", "naive_dapo.py"), os.path.join(dst, "reward_score"))
    shutil.copytree(
        os.path.join(src, "reward_score", "prime_math"), os.path.join(dst, "reward_score", "prime_math")
    )
    sys.path.insert(0, root)
    module = importlib.import_module("verl.utils.reward_score.naive_dapo")

    def score(response: str, reference: str) -> bool:
        try:
            return bool(module.compute_score(response, reference, extra_info={})["acc"])
        except Exception:  # it raises on some inputs; count that as a zero, as a trainer would have to
            return False

    return score


def run_guru(cases, scorer):
    return [scorer(resp, ref) for _, ref, resp, _ in cases]


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="answers in the mix")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="processes for the batch figure")
    parser.add_argument("--gen", type=int, default=100, help="tasks per level for the generation figure")
    parser.add_argument(
        "--reasoning360",
        default=None,
        help="a Reasoning360 checkout: also run GURU's default math scorer (naive_dapo); needs pylatexenc",
    )
    parser.add_argument(
        "--ours-only",
        action="store_true",
        help="time only guru-envs (for before/after runs of a change: PYTHONPATH=<old checkout> ...)",
    )
    args = parser.parse_args()
    logging.getLogger("math_verify").setLevel(logging.ERROR)

    cases = build_mix(args.n, args.seed)
    labels = [c[3] for c in cases]
    import math_verify  # noqa: F401  (loaded before timing, like the other two)
    from latex2sympy2_extended import latex2sympy

    latex2sympy("1")

    results: dict[str, list[bool]] = {}
    seconds: dict[str, float] = {}
    clear_caches()
    results["guru-envs"], seconds["guru-envs"] = timed(run_ours, cases)
    if args.ours_only:
        results["guru-envs (again, warm caches)"], seconds["guru-envs (again, warm caches)"] = timed(
            run_ours, cases
        )
    else:
        results["math-verify"], seconds["math-verify"] = timed(run_math_verify, cases)
        results["sympy"], seconds["sympy"] = timed(run_sympy, cases)
    if args.reasoning360:
        scorer = load_guru_scorer(args.reasoning360)
        results["GURU naive_dapo"], seconds["GURU naive_dapo"] = timed(run_guru, cases, scorer)

    tasks = [
        Task(id=f"bench/{i}", domain="math", family="guru", prompt="", answer=ref)
        for i, (_, ref, _, _) in enumerate(cases)
    ]
    responses = [resp for _, _, resp, _ in cases]
    clear_caches()  # workers are forked after this, so they start cold too
    with GuardedPool(workers=args.workers) as pool:
        guru_envs.score_batch(tasks[:2], ["\\boxed{?}", "\\boxed{?}"], pool=pool)  # start the workers
        batch, batch_s = timed(lambda: guru_envs.score_batch(tasks, responses, pool=pool))
    results[f"guru-envs batch x{args.workers}"] = [s.correct for s in batch]
    seconds[f"guru-envs batch x{args.workers}"] = batch_s

    print(
        f"\nMath verification on {len(cases):,} labelled answers ({sum(labels):,} correct), "
        f"{os.cpu_count()} CPU cores, mix: " + ", ".join(f"{k} {v}%" for k, v in WEIGHTS.items())
    )
    header = (
        f"{'verifier':<22}{'answers/s':>11}{'accuracy':>10}{'false +':>9}{'false -':>9}{'vs math-verify':>16}"
    )
    print(header)
    print("-" * len(header))
    mv_rate = len(cases) / seconds.get("math-verify", seconds["guru-envs"])
    for name, verdicts in results.items():
        fp = sum(v and not y for v, y in zip(verdicts, labels))
        fn = sum(y and not v for v, y in zip(verdicts, labels))
        rate = len(cases) / seconds[name]
        acc = 1 - (fp + fn) / len(cases)
        print(f"{name:<22}{rate:>11,.0f}{acc:>10.2%}{fp:>9}{fn:>9}{rate / mv_rate:>15.1f}x")

    print("\nAccuracy by answer kind:")
    kinds = list(WEIGHTS)
    print(f"{'verifier':<22}" + "".join(f"{k:>12}" for k in kinds))
    for name, verdicts in results.items():
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for (kind, *_), v, y in zip(cases, verdicts, labels):
            total[kind] += 1
            right[kind] += v == y
        print(f"{name:<22}" + "".join(f"{right[k] / total[k]:>12.1%}" for k in kinds))

    if "math-verify" in results:
        ours, mv = results["guru-envs"], results["math-verify"]
        print(
            f"\nguru-envs and math-verify agree on {sum(a == b for a, b in zip(ours, mv)):,} of {len(cases):,} "
            "answers."
        )
    print("Examples of wrong verdicts (up to 3 false positives and 3 false negatives per verifier):")
    for name, verdicts in results.items():
        errors = defaultdict(list)
        for (kind, ref, resp, label), verdict in zip(cases, verdicts):
            if verdict != label:
                errors["false +" if verdict else "false -"].append((kind, ref, last_boxed(resp)))
        for key in ("false +", "false -"):
            for kind, ref, answer in errors[key][:3]:
                print(f"  {name:<20} {key}  {kind:<10} reference {ref!r:<28} answer {answer!r}")

    print("\nTasks generated per second (family.sample over all levels):")
    cat = guru_envs.catalog()
    rates = []
    for spec in cat.families("math", generators_only=True):
        family = cat.family("math", spec.name)
        start = time.perf_counter()
        count = 0
        for level in range(1, family.levels + 1):
            for seed in range(args.gen):
                family.sample(seed, level)
                count += 1
        rate = count / (time.perf_counter() - start)
        rates.append(rate)
        print(f"  {spec.name:<18}{rate:>10,.0f}/s")
    print(f"  {'(median)':<18}{sorted(rates)[len(rates) // 2]:>10,.0f}/s")


if __name__ == "__main__":
    main()
