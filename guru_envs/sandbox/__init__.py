"""Sandboxed execution of untrusted Python: isolated, resource-limited, fast, and hard to game.

Shared by the Code and Simulation domains (and community environments). Everything model-written runs
here, never in the scorer::

    from guru_envs.sandbox import Sandbox, Limits, TestCase, CallTest

    with Sandbox(limits=Limits(cpu_s=2, wall_s=5, memory_mb=512)) as sb:
        r = sb.run("print(input()[::-1])", stdin="abc\\n")          # ExecResult: r.stdout == "cba\\n"
        report = sb.run_tests(code, [CallTest("add", (1, 2), 3), CallTest("add", (2, 2), 4)])
        report.passed, report.verdict, report.message, report.results[0].actual
        outputs = sb.run_inputs(reference_program, ["3\\n", "7\\n"])  # stdout per input, no expectations

How it works (details in ``docs/sandbox.md``): a pool of worker processes (one per core), each a fork
server that has set up its isolation once (a read-only chroot holding only the Python standard library
and system libraries, private namespaces), whose zygote forks every sandboxed process from a state that
never held a job: each execution is pid 1 of its own pid namespace with new mount, IPC, network and
cgroup namespaces, a fresh tmpfs working directory, a scrubbed environment, rlimits, an unprivileged uid
unique to the worker (or, without root, a user namespace with every capability dropped) and a seccomp
filter. Tests of one submission each run in a fresh fork of a trusted init that never runs the
submission, with their own input only and nothing left by the test before; a test's CPU time counts
its whole process tree (a CPU cgroup per role). The worker replies only once every process of an
execution is gone. What was achieved is reported by :attr:`Sandbox.isolation`; without namespaces the
sandbox falls back to rlimits, the filter and a Python audit hook (mode ``"none"``), which is weaker and
says so.

Reward hacking is closed by construction: no sandboxed process ever holds an expected output, a later
test's input, a check's code or a reference solution; it reports observations (stdout, exit status,
returned values reduced to plain data), and the comparison runs in the scorer. Exiting early
(``sys.exit(0)``, ``os._exit(0)``) leaves tests without results, which fail; an object whose ``__eq__``
always says True cannot cross the boundary; patched builtins only affect the submission's own process;
the scorer, the worker and the test init are invisible or unreachable from inside. Assertion-based
tests (HumanEval's ``check(candidate)``) run in a separate trusted checker process that calls the
submission through a plain-data proxy (:class:`CheckTest`); failure messages name the failing test,
never its content.
"""

from guru_envs.sandbox.codec import Unserialisable
from guru_envs.sandbox.compare import returned_equal, stdout_equal
from guru_envs.sandbox.isolation import IsolationInfo
from guru_envs.sandbox.limits import Limits
from guru_envs.sandbox.pool import (
    RunRequest,
    Sandbox,
    SandboxUnavailable,
    TestsRequest,
    default_sandbox,
)
from guru_envs.sandbox.results import (
    CallTest,
    CheckTest,
    ExecResult,
    TestCase,
    TestReport,
    TestResult,
    Verdict,
)

__all__ = [
    "CallTest",
    "CheckTest",
    "ExecResult",
    "IsolationInfo",
    "Limits",
    "RunRequest",
    "Sandbox",
    "SandboxUnavailable",
    "TestCase",
    "TestReport",
    "TestResult",
    "TestsRequest",
    "Unserialisable",
    "Verdict",
    "default_sandbox",
    "returned_equal",
    "run",
    "run_tests",
    "stdout_equal",
]


def run(code: str, stdin: str = "", argv=(), limits: Limits | None = None) -> ExecResult:
    """:meth:`Sandbox.run` on the shared default sandbox."""
    return default_sandbox().run(code, stdin, argv, limits)


def run_tests(code: str, tests, **kwargs) -> TestReport:
    """:meth:`Sandbox.run_tests` on the shared default sandbox."""
    return default_sandbox().run_tests(code, tests, **kwargs)
