"""Many tests of one submission: call-based, stdin/stdout and checker-based, with early exit."""

from __future__ import annotations

import pytest

from guru_envs.sandbox import CallTest, CheckTest, Limits, TestCase, TestsRequest, Verdict, stdout_equal

ADD = "def add(a, b):\n    return a + b\n"
DOUBLE = "n = int(input())\nprint(n * 2)\n"


def test_call_tests_pass_in_one_process(sandbox):
    tests = [CallTest("add", (i, i), 2 * i) for i in range(20)] + [CallTest("add", ([1], [2]), [1, 2])]
    report = sandbox.run_tests(ADD, tests)
    assert report.passed and report.n_passed == 21 and report.processes == 1
    assert report.verdict is Verdict.OK and report.message == ""
    assert report.results[-1].actual == [1, 2]
    assert all(r.cpu_s is not None and r.wall_s is not None for r in report.results)


def test_call_values_cross_as_plain_data(sandbox):
    code = (
        "def f(kind):\n    return {'tuple': (1, 2), 'set': {1, 2}, 'big': 3 ** 100, 'bytes': b'ab', 'nan': float('nan'),"
        " 'dict': {(1, 2): 'x'}, 'none': None}[kind]\n"
    )
    cases = {
        "tuple": [1, 2],
        "set": {1, 2},
        "big": 3**100,
        "bytes": b"ab",
        "dict": {(1, 2): "x"},
        "none": None,
    }
    report = sandbox.run_tests(
        code, [CallTest("f", (k,), v) for k, v in cases.items()], stop_on_first_failure=False
    )
    assert report.passed, report.results
    assert report.results[0].actual == (1, 2)  # tuples stay tuples; the comparator treats them like lists


def test_arguments_are_fresh_for_every_test(sandbox):
    code = "def f(xs):\n    xs.append(1)\n    return len(xs)\n"
    report = sandbox.run_tests(code, [CallTest("f", ([],), 1)] * 3)
    assert report.passed


def test_kwargs_class_methods_and_solution_class(sandbox):
    code = (
        "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n"
        "        for i, x in enumerate(nums):\n            if target - x in seen:\n"
        "                return [seen[target - x], i]\n            seen[x] = i\n"
        "class Counter:\n    def __init__(self):\n        self.n = 0\n    def bump(self, by=1):\n"
        "        self.n += by\n        return self.n\n"
    )
    tests = [
        CallTest("twoSum", ([2, 7, 11, 15], 9), [0, 1]),
        CallTest("Solution.twoSum", ([3, 2, 4],), [1, 2], kwargs={"target": 6}),
        CallTest("Counter.bump", (), 5, kwargs={"by": 5}),
        CallTest("Counter.bump", (), 1),  # a fresh instance per test
    ]
    assert sandbox.run_tests(code, tests).passed


def test_wrong_answer_stops_early_and_skips_the_rest(sandbox):
    code = "import time\ndef f(x):\n    time.sleep(0.3)\n    return x + 1\n"
    tests = [CallTest("f", (1,), 2), CallTest("f", (2,), 99), CallTest("f", (3,), 4), CallTest("f", (4,), 5)]
    report = sandbox.run_tests(code, tests, limits=Limits(wall_s=3))
    verdicts = [r.verdict for r in report.results]
    assert verdicts[:2] == [Verdict.OK, Verdict.WRONG_ANSWER]
    assert verdicts[3] is Verdict.SKIPPED  # the process was killed before reaching it
    assert report.verdict is Verdict.WRONG_ANSWER and "3" in report.message
    full = sandbox.run_tests(code, tests, stop_on_first_failure=False, limits=Limits(wall_s=3))
    assert [r.verdict for r in full.results] == [Verdict.OK, Verdict.WRONG_ANSWER, Verdict.OK, Verdict.OK]
    assert full.fraction == 0.75 and full.n_passed == 3


def test_errors_and_timeouts_per_test(sandbox):
    code = "def f(x):\n    if x == 1:\n        raise ValueError('bad x')\n    while x == 2:\n        pass\n    return x\n"
    tests = [CallTest("f", (0,), 0), CallTest("f", (1,), 1), CallTest("f", (2,), 2), CallTest("f", (3,), 3)]
    report = sandbox.run_tests(code, tests, stop_on_first_failure=False, limits=Limits(cpu_s=1, wall_s=4))
    verdicts = [r.verdict for r in report.results]
    assert verdicts == [Verdict.OK, Verdict.RUNTIME_ERROR, Verdict.TIMEOUT, Verdict.OK]
    assert "ValueError: bad x" in report.results[1].message
    assert report.processes == 2  # the timeout killed the first process; test 3 ran in a new one


@pytest.mark.parametrize("kind", ["calls", "stdio"])
def test_each_test_has_its_own_cpu_limit_well_before_the_wall_clock(sandbox, kind):
    """A test that spins is stopped once it has used its CPU allowance, not when the wall clock runs out."""
    spin = "import time\ndef f(x):\n    t = time.process_time()\n    while x and time.process_time() - t < 30:\n        pass\n    return x\n"
    limits = Limits(cpu_s=0.4, wall_s=20)
    if kind == "calls":
        tests = [CallTest("f", (0,), 0), CallTest("f", (1,), 1), CallTest("f", (0,), 0)]
        code = spin
    else:
        tests = [TestCase("0\n", "0\n"), TestCase("1\n", "1\n"), TestCase("0\n", "0\n")]
        code = spin + "print(f(int(input())))\n"
    report = sandbox.run_tests(code, tests, limits=limits, stop_on_first_failure=False)
    assert [r.verdict for r in report.results] == [Verdict.OK, Verdict.TIMEOUT, Verdict.OK]
    assert "CPU time limit of 0.4s" in report.results[1].message
    assert report.wall_s < 10  # stopped by the CPU limit (~0.4 s), long before the 20 s wall limit


def test_a_single_run_is_stopped_at_its_fractional_cpu_limit(sandbox):
    r = sandbox.run("while True:\n    pass\n", limits=Limits(cpu_s=0.3, wall_s=20))
    assert r.verdict is Verdict.TIMEOUT and "CPU" in r.message
    assert r.wall_s < 10  # RLIMIT_CPU alone would round 0.3 s up to a whole second


def test_missing_function_and_module_errors(sandbox):
    report = sandbox.run_tests("def g():\n    pass\n", [CallTest("f", (), 1)] * 2)
    assert report.verdict is Verdict.RUNTIME_ERROR and "NameError" in report.message
    report = sandbox.run_tests("def f(:\n", [CallTest("f", (), 1)] * 3, stop_on_first_failure=False)
    assert [r.verdict for r in report.results] == [Verdict.RUNTIME_ERROR] * 3
    assert "SyntaxError" in report.message and report.processes == 1


def test_stdio_tests_share_a_process_but_not_state(sandbox):
    code = (
        "import sys, builtins\nsys.setrecursionlimit(50)\nbuiltins.input = None\n"
        "seen = globals().setdefault('seen', [])\nseen.append(1)\nprint(len(seen), sys.stdin.read().strip(), sys.argv[1:])\n"
    )
    tests = [TestCase(f"{i}\n", f"1 {i} ['a{i}']\n", argv=[f"a{i}"]) for i in range(5)]
    report = sandbox.run_tests(code, tests)
    assert report.passed, report.results
    assert report.processes == 1


def test_stdio_comparison_and_exit_codes(sandbox):
    report = sandbox.run_tests(
        DOUBLE, [TestCase("1\n", "2"), TestCase("5\n", "10  \n\n"), TestCase("7\n", "14\n")]
    )
    assert report.passed
    report = sandbox.run_tests("import sys\nprint(2)\nsys.exit(1)", [TestCase("", "2\n")])
    assert report.verdict is Verdict.RUNTIME_ERROR and "exit status 1" in report.message
    report = sandbox.run_tests("import sys\nprint(2)\nsys.exit(0)", [TestCase("", "2\n")] * 2)
    assert report.passed and report.processes == 1
    report = sandbox.run_tests(
        "print('1   2\\n3')", [TestCase("", "1 2 3")], compare=lambda a, e: stdout_equal(a, e, "tokens")
    )
    assert report.passed


def test_stdio_os_exit_after_flushing_is_judged_on_its_output(sandbox):
    code = "import os\nprint(int(input()) * 2, flush=True)\nos._exit(0)\n"
    report = sandbox.run_tests(code, [TestCase("1\n", "2\n"), TestCase("2\n", "4\n"), TestCase("3\n", "7\n")])
    assert [r.verdict for r in report.results] == [Verdict.OK, Verdict.OK, Verdict.WRONG_ANSWER]
    assert report.processes == 1  # each test has a process of its own within the one execution


def test_stdio_lingering_threads_and_processes_end_with_their_test(sandbox):
    code = (
        "import os, threading, time\nthreading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
        "if os.fork() == 0:\n    time.sleep(5)\n    os._exit(0)\nprint(input())\n"
    )
    report = sandbox.run_tests(code, [TestCase(f"{i}\n", f"{i}\n") for i in range(3)])
    assert report.passed and report.processes == 1
    assert report.wall_s < 4  # nothing waited for the sleepers: the test init killed them


def test_isolate_tests_uses_a_process_per_test(sandbox):
    report = sandbox.run_tests(DOUBLE, [TestCase("1\n", "2\n")] * 3, isolate_tests=True)
    assert report.passed and report.processes == 3


HUMANEVAL_LIKE = """
def check(candidate):
    assert candidate([1, 2, 3]) == 6
    assert abs(candidate([0.5, 0.25]) - 0.75) < 1e-9
    import random
    rng = random.Random(0)
    for _ in range(50):
        xs = [rng.randint(-9, 9) for _ in range(rng.randint(0, 6))]
        assert candidate(xs) == sum(xs)
    try:
        candidate(None)
    except TypeError:
        pass
    else:
        assert False, "no TypeError"
"""


def test_check_tests(sandbox):
    good = "def total(xs):\n    return sum(xs)\n"
    report = sandbox.run_tests(good, [CheckTest(HUMANEVAL_LIKE, "total")])
    assert report.passed, report.message
    buggy = "def total(xs):\n    return sum(xs[1:])\n"
    report = sandbox.run_tests(buggy, [CheckTest(HUMANEVAL_LIKE, "total")])
    assert report.verdict is Verdict.WRONG_ANSWER and "hidden assertion failed" in report.message
    assert "candidate(" not in report.message and "sum" not in report.message  # nothing of the check
    slow = "def total(xs):\n    while True:\n        pass\n"
    report = sandbox.run_tests(slow, [CheckTest(HUMANEVAL_LIKE, "total")], limits=Limits(cpu_s=1, wall_s=1.5))
    assert report.verdict is Verdict.TIMEOUT
    crash = "def total(xs):\n    import ctypes\n    ctypes.string_at(0)\n"
    report = sandbox.run_tests(crash, [CheckTest(HUMANEVAL_LIKE, "total")])
    assert report.verdict is Verdict.RUNTIME_ERROR


def test_check_sees_only_plain_data(sandbox):
    code = "def total(xs):\n    return type('T', (), {'__eq__': lambda s, o: True})()\n"
    report = sandbox.run_tests(code, [CheckTest(HUMANEVAL_LIKE, "total")])
    assert not report.passed and "plain data" in report.message


def test_mixed_or_empty_tests(sandbox):
    with pytest.raises(TypeError):
        sandbox.run_tests(ADD, [CallTest("add", (1, 2), 3), TestCase("", "")])
    empty = sandbox.run_tests(ADD, [])
    assert not empty.passed and empty.verdict is Verdict.SANDBOX_ERROR and empty.message == "no tests"


def test_comparator_errors_do_not_crash(sandbox):
    report = sandbox.run_tests(ADD, [CallTest("add", (1, 2), 3)], compare=lambda a, e: 1 / 0)
    assert report.verdict is Verdict.WRONG_ANSWER and "comparison failed" in report.message


def test_run_many_mixes_runs_and_tests(sandbox):
    out = sandbox.run_many(
        [TestsRequest(ADD, [CallTest("add", (1, 2), 3)]), TestsRequest(DOUBLE, [TestCase("2\n", "4\n")])] * 3
    )
    assert all(r.passed for r in out)


def test_run_inputs_collects_outputs(sandbox):
    code = "n = int(input())\nprint(10 // n)\n"
    report = sandbox.run_inputs(code, ["1\n", "0\n", "5\n"])
    assert [r.verdict for r in report.results] == [Verdict.OK, Verdict.RUNTIME_ERROR, Verdict.OK]
    assert report.results[0].actual == "10\n" and report.results[2].actual == "2\n"
    assert "ZeroDivisionError" in report.results[1].message


def test_shared_process_runs_the_calls_of_one_check_in_one_process(sandbox):
    """The asserts of one check: module state carries from call to call, inputs still come one by one."""
    code = (
        "import gc\nseen = []\n"
        "def f(x):\n"
        "    seen.append(x)\n"
        "    later = [o for o in gc.get_objects() if isinstance(o, list) and 'secret-later' in o]\n"
        "    return [len(seen), bool(later)]\n"
    )
    tests = [
        CallTest("f", ("a",), [1, False]),
        CallTest("f", ("b",), [2, False]),
        CallTest("f", ("secret-later",), [3, True]),
    ]
    report = sandbox.run_tests(code, tests, shared_process=True)
    assert report.passed and report.processes == 1, report.results
    apart = sandbox.run_tests(code, tests)  # independent tests: a fresh process each
    assert [r.actual for r in apart.results[:2]] == [[1, False], [1, False]], apart.results
