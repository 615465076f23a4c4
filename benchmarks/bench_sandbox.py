"""Throughput of the sandbox against a fresh ``subprocess.run([python, ...])`` per execution.

Two workloads, each measured for both methods in the same run, rounds interleaved so that machine
load hits both alike (medians are reported):

* a trivial program (``print(1)``): executions per second;
* a typical call-based submission with 20 tests (a small dynamic programme per test): test cases per
  second. The baseline starts one interpreter per test, as GURU's own executor does; the sandbox runs
  the 20 tests in one execution, each in a fresh fork of its trusted test init. The program's own cost
  (the same calls in this process, no isolation) is printed as the floor.

The floor of any design that gives each execution a fresh process is printed too: a warm interpreter
with the worker's modules loaded forks a child that runs the trivial program and exits, and waits for
it, with no isolation and no messages at all. Likewise the floor of a fresh process per test: the same
interpreter, the module compiled, forks a child per test that decodes the test's arguments, runs the
module, calls the function and writes the result (what a test needs from the kernel and CPython, and
nothing of the sandbox). Where namespaces can be made (root), a second floor
adds only what every execution of the sandbox needs from the kernel: the child is pid 1 of a new pid
namespace and has a mount namespace of its own (no area, uid, limits or messages yet).

Both sequentially (one worker, one subprocess at a time) and with one worker per core.

With ``--ablation`` it measures instead what each layer added by issue 18 costs, sequentially, rounds
interleaved: the full sandbox, then without the seccomp filter, without the per-execution IPC, network
and cgroup namespaces, and without both; and what keeping each execution's mount namespace until the
worker drops it in a thread of its own saves (the variant where the exit of the execution's pid 1
unmounts it, waiting for an RCU grace period before the worker may reply); and what each execution's own
``/proc`` costs (the variant where its processes see the worker's). (The per-test fork and the wait for every process of an
execution to be gone are structural: compare with the commit before them, run from a ``git worktree``.)

Run: ``python benchmarks/bench_sandbox.py [--rounds 5] [--runs 60] [--submissions 6] [--ablation]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from guru_envs.sandbox import CallTest, RunRequest, Sandbox, TestsRequest  # noqa: E402
from guru_envs.sandbox.protocol import DEFAULT_PREIMPORT  # noqa: E402

TRIVIAL = "print(1)\n"

SUBMISSION = """
def lis(nums):
    import bisect
    tails = []
    for x in nums:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)
"""


def _tests() -> list[CallTest]:
    import random

    rng = random.Random(0)
    tests = []
    for _ in range(20):
        nums = [rng.randint(0, 1000) for _ in range(rng.randint(50, 300))]
        ns: dict = {}
        exec(SUBMISSION, ns)
        tests.append(CallTest("lis", (nums,), ns["lis"](nums)))
    return tests


FORK_FLOOR = """
import ctypes, gc, os, sys, time
for name in sys.argv[1].split(): __import__(name)
code = compile(sys.argv[2], "solution.py", "exec")
namespaces = sys.argv[4] == "namespaces"
libc = ctypes.CDLL(None, use_errno=True)
own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
gc.collect(); gc.freeze()
def once():
    if namespaces and (libc.setns(own_pid_ns, 0x20000000) or libc.unshare(0x20000000)):
        sys.exit(f"no pid namespace: {os.strerror(ctypes.get_errno())}")
    pid = os.fork()
    if pid == 0:
        if namespaces and libc.unshare(0x00020000):
            os._exit(2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        exec(code, {"__name__": "__main__"})
        sys.stdout.flush()
        os._exit(0)
    if os.waitpid(pid, 0)[1]:
        sys.exit("no mount namespace")
for _ in range(20): once()
t = time.perf_counter()
for _ in range(int(sys.argv[3])): once()
print((time.perf_counter() - t) / int(sys.argv[3]))
"""


TEST_FLOOR = """
import gc, json, os, sys, time
for name in sys.argv[1].split(): __import__(name)
code = compile(sys.argv[2], "solution.py", "exec")
inputs = [json.dumps(args).encode() for args in json.loads(sys.argv[4])]
r, w = os.pipe()
gc.collect(); gc.freeze()
def once(k):
    pid = os.fork()
    if pid == 0:
        args = json.loads(inputs[k % len(inputs)])
        namespace = {"__name__": "__main__"}
        exec(code, namespace)
        os.write(w, json.dumps(namespace[sys.argv[5]](*args)).encode() + b"\\n")
        os._exit(0)
    os.read(r, 1 << 16)
    os.waitpid(pid, 0)
for k in range(20): once(k)
t = time.perf_counter()
for k in range(int(sys.argv[3])): once(k)
print((time.perf_counter() - t) / int(sys.argv[3]))
"""


def _test_floor(tests: list[CallTest], runs: int) -> float:
    """Seconds per test of a fresh process per test and nothing else: a warm interpreter (the worker's
    modules loaded, the module compiled) forks a child that decodes the arguments, runs the module,
    calls the function and writes the result, then waits for it. No isolation, no messages, no files.
    """
    argv = [sys.executable, "-I", "-S", "-c", TEST_FLOOR, " ".join(DEFAULT_PREIMPORT), SUBMISSION, str(runs)]
    argv += [json.dumps([list(t.args) for t in tests]), tests[0].fn_name]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    return float(proc.stdout)


def _fork_floor(runs: int, namespaces: bool = False) -> float:
    """Seconds per fork + trivial program + exit from a warm interpreter (no isolation, no messages).

    With ``namespaces`` the child also gets new pid and mount namespaces; NaN where that is refused.
    """
    argv = [sys.executable, "-I", "-S", "-c", FORK_FLOOR, " ".join(DEFAULT_PREIMPORT), TRIVIAL, str(runs)]
    proc = subprocess.run(
        [*argv, "namespaces" if namespaces else "plain"], capture_output=True, text=True, timeout=120
    )
    if proc.returncode and namespaces:
        return float("nan")
    proc.check_returncode()
    return float(proc.stdout)


def _baseline_run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout


def _baseline_test(test: CallTest) -> bool:
    """One fresh interpreter per test: the submission, one call, the result as JSON on stdout."""
    driver = SUBMISSION + "\nimport json, sys\nprint(json.dumps(lis(*json.loads(sys.stdin.read()))))\n"
    proc = subprocess.run(
        [sys.executable, "-c", driver],
        input=json.dumps(list(test.args)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode == 0 and json.loads(proc.stdout) == test.expected


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _cpu_ours(sb: Sandbox, fn) -> tuple[float, float]:
    """Wall and CPU seconds (this process + the sandbox workers and all they ran)."""
    c0, w0, t0 = os.times(), sb.worker_cpu_s(), time.perf_counter()
    fn()
    c1, w1, t1 = os.times(), sb.worker_cpu_s(), time.perf_counter()
    return t1 - t0, (c1.user + c1.system - c0.user - c0.system) + (w1 - w0)


def _cpu_base(fn) -> tuple[float, float]:
    """Wall and CPU seconds (this process + the reaped subprocesses)."""
    c0, t0 = os.times(), time.perf_counter()
    fn()
    c1, t1 = os.times(), time.perf_counter()
    cpu = lambda c: c.user + c.system + c.children_user + c.children_system  # noqa: E731
    return t1 - t0, cpu(c1) - cpu(c0)


def ablation(args: argparse.Namespace, tests: list[CallTest]) -> None:
    """Trivial executions/s and test cases/s with each issue-18 layer switched off in turn."""
    variants = {
        "full": ({}, {}),
        "no seccomp filter": ({"seccomp_filter": False}, {}),
        "no per-execution namespaces": ({}, {"exec_namespaces": False}),
        "neither": ({"seccomp_filter": False}, {"exec_namespaces": False}),
        "mount ns freed in pid 1's exit": ({}, {"keep_namespaces": False}),
        "no per-execution /proc": ({}, {"exec_proc": "off"}),
    }
    boxes = {}
    for name, (kwargs, extra) in variants.items():
        sb = Sandbox(workers=1, **kwargs)
        sb._extra_config = extra
        assert sb.run(TRIVIAL).stdout == "1\n" and sb.run_tests(SUBMISSION, tests).passed
        boxes[name] = sb
    # Per round and variant: trivial ms each, trivial CPU ms each, test ms each, test CPU ms each.
    rows: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, sb in boxes.items():
            wall, cpu = _cpu_ours(sb, lambda sb=sb: [sb.run(TRIVIAL) for _ in range(args.runs)])
            t_wall, t_cpu = _cpu_ours(
                sb, lambda sb=sb: [sb.run_tests(SUBMISSION, tests) for _ in range(args.submissions)]
            )
            cases = args.submissions * len(tests)
            rows[name].append((wall / args.runs, cpu / args.runs, t_wall / cases, t_cpu / cases))
    for sb in boxes.values():
        sb.close()
    print(f"{'variant (1 worker), ms':<32}{'trivial':>10}{'its CPU':>10}{'a test':>10}{'its CPU':>10}")
    for name, values in rows.items():
        cells = (statistics.median(x[i] for x in values) * 1000 for i in range(4))
        print(f"{name:<32}" + "".join(f"{c:>10.3f}" for c in cells))
    print(
        f"(medians of {args.rounds} interleaved rounds; wall clock per trivial execution and per test case, "
        "and CPU of this process plus the workers and all they ran)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=60, help="trivial executions per round")
    ap.add_argument("--submissions", type=int, default=6, help="20-test submissions per round")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--ablation", action="store_true", help="what each issue-18 layer costs")
    args = ap.parse_args()
    tests = _tests()
    if args.ablation:
        ablation(args, tests)
        return
    n_tests = len(tests)

    seq = Sandbox(workers=1)
    par = Sandbox(workers=args.workers)
    par.warm_up()
    print(f"isolation: {seq.isolation.mode} ({', '.join(seq.isolation.layers)})")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}"
    )
    # Warm both paths (and check that both give the right answers).
    assert seq.run(TRIVIAL).stdout == "1\n" and _baseline_run(TRIVIAL) == "1\n"
    assert seq.run_tests(SUBMISSION, tests).passed and all(_baseline_test(t) for t in tests[:2])

    ns: dict = {}
    exec(SUBMISSION, ns)
    own = min(_time(lambda: [ns["lis"](*t.args) for t in tests]) for _ in range(5))

    samples: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def add(name: str, seconds: float, count: int) -> None:
        samples.setdefault(name, []).append(count / seconds)

    def add_cpu(name: str, measured: tuple[float, float], count: int) -> None:
        add(name, measured[0], count)
        cpu.setdefault(name, []).append(measured[1] / count)

    pool = ThreadPoolExecutor(args.workers)
    runs, subs = args.runs, args.submissions
    floor: list[float] = []
    ns_floor: list[float] = []
    test_floor: list[float] = []
    for _ in range(args.rounds):
        floor.append(_fork_floor(runs))
        ns_floor.append(_fork_floor(runs, namespaces=True))
        test_floor.append(_test_floor(tests, subs * n_tests))
        add_cpu("trivial/sandbox/seq", _cpu_ours(seq, lambda: [seq.run(TRIVIAL) for _ in range(runs)]), runs)
        add_cpu(
            "trivial/subprocess/seq",
            _cpu_base(lambda: [_baseline_run(TRIVIAL) for _ in range(runs // 4)]),
            runs // 4,
        )
        add("trivial/sandbox/par", _time(lambda: par.run_many([RunRequest(TRIVIAL)] * runs)), runs)
        add(
            "trivial/subprocess/par",
            _time(lambda: list(pool.map(_baseline_run, [TRIVIAL] * (runs // 4)))),
            runs // 4,
        )
        add_cpu(
            "tests/sandbox/seq",
            _cpu_ours(seq, lambda: [seq.run_tests(SUBMISSION, tests) for _ in range(subs)]),
            subs * n_tests,
        )
        add_cpu("tests/subprocess/seq", _cpu_base(lambda: [_baseline_test(t) for t in tests]), n_tests)
        add(
            "tests/sandbox/par",
            _time(lambda: par.run_many([TestsRequest(SUBMISSION, tests)] * subs)),
            subs * n_tests,
        )
        add("tests/subprocess/par", _time(lambda: list(pool.map(_baseline_test, tests))), n_tests)
    pool.shutdown()
    seq.close()
    par.close()

    med = {k: statistics.median(v) for k, v in samples.items()}
    print()
    print(f"{'workload':<34}{'sandbox /s':>12}{'subprocess /s':>15}{'ms each (ours)':>16}{'speed-up':>10}")
    rows = [
        ("trivial program, sequential", "trivial", "seq", "executions"),
        (f"trivial program, {args.workers} workers", "trivial", "par", "executions"),
        ("20-test submission, sequential", "tests", "seq", "test cases"),
        (f"20-test submission, {args.workers} workers", "tests", "par", "test cases"),
    ]
    for label, kind, mode, _unit in rows:
        ours, base = med[f"{kind}/sandbox/{mode}"], med[f"{kind}/subprocess/{mode}"]
        print(f"{label:<34}{ours:>12.0f}{base:>15.1f}{1000 / ours:>16.3f}{ours / base:>9.1f}x")
    print()
    print(
        f"{'CPU per execution / test case':<34}{'sandbox ms':>12}{'subprocess ms':>15}{'':>16}{'ratio':>10}"
    )
    for label, kind in (("trivial program", "trivial"), ("one test of a 20-test submission", "tests")):
        ours, base = (statistics.median(cpu[f"{kind}/{m}/seq"]) * 1000 for m in ("sandbox", "subprocess"))
        print(f"{label:<34}{ours:>12.3f}{base:>15.3f}{'':>16}{base / ours:>9.1f}x")
    per_sub_ours = n_tests / med["tests/sandbox/seq"] * 1000
    fork_ms = statistics.median(floor) * 1000
    base_ms = 1000 / med["trivial/subprocess/seq"]
    ours_ms = 1000 / med["trivial/sandbox/seq"]
    print()
    print(
        f"floor: a warm interpreter forking a child that runs the trivial program, no isolation: "
        f"{fork_ms:.3f} ms ({base_ms / fork_ms:.1f}x the subprocess baseline at best); "
        f"the sandbox costs {ours_ms / fork_ms:.2f}x that"
    )
    ns_ms = statistics.median(ns_floor) * 1000
    if not math.isnan(ns_ms):  # namespaces could be made
        print(
            f"floor with a new pid and mount namespace per child (nothing else of the sandbox): {ns_ms:.3f} ms "
            f"({base_ms / ns_ms:.1f}x at best); the sandbox costs {ours_ms / ns_ms:.2f}x that"
        )
    test_ms = statistics.median(test_floor) * 1000
    base_test_ms = 1000 / med["tests/subprocess/seq"]
    ours_test_ms = 1000 / med["tests/sandbox/seq"]
    print(
        f"floor of a fresh process per test (a warm interpreter forks a child that decodes the arguments, "
        f"runs the module, calls the function and writes the result; no isolation, messages or files): "
        f"{test_ms:.3f} ms per test ({base_test_ms / test_ms:.1f}x the subprocess-per-test baseline at best); "
        f"the sandbox costs {ours_test_ms / test_ms:.2f}x that"
    )
    print(
        f"20-test submission: {per_sub_ours:.2f} ms in the sandbox vs {own * 1000:.2f} ms for the same calls "
        f"in-process (no isolation): overhead {per_sub_ours - own * 1000:.2f} ms per submission"
    )
    print(f"(medians of {args.rounds} interleaved rounds; executions and test cases per second, wall clock)")


if __name__ == "__main__":
    main()
