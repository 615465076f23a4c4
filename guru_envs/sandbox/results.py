"""What goes into the sandbox (test cases) and what comes out (verdicts, results, reports)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.StrEnum):
    """Outcome of one execution or one test. Only ``OK`` counts as a pass."""

    OK = "ok"
    WRONG_ANSWER = "wrong_answer"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"
    SKIPPED = "skipped"  # not run: an earlier test failed and the run stopped early
    SANDBOX_ERROR = "sandbox_error"  # the sandbox itself failed; never a pass


@dataclass(frozen=True)
class TestCase:
    """A stdin/stdout test: run the program on ``stdin`` and compare its stdout with ``expected_stdout``."""

    __test__ = False  # not a pytest test class

    stdin: str = ""
    expected_stdout: str = ""
    argv: Sequence[str] = ()


@dataclass(frozen=True)
class CallTest:
    """A call-based test: ``fn_name(*args, **kwargs)`` must return ``expected`` (plain data).

    ``fn_name`` may be ``"f"``, ``"Cls.method"`` (a fresh ``Cls()`` per test) or a method of a
    LeetCode-style ``Solution`` class. Arguments are rebuilt from plain data for every test, so one
    test's mutations never reach the next.
    """

    __test__ = False

    fn_name: str
    args: Sequence[Any] = ()
    expected: Any = None
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckTest:
    """An assertion-based test such as HumanEval's: trusted ``check_code`` defines ``check_fn(candidate)``.

    The checker runs in its own sandboxed process; ``candidate`` is a proxy that calls the submission's
    ``entry_point`` in another process and returns plain data, so asserts never touch submission objects,
    and the submission's process never holds ``check_code``. Exceptions the candidate raises arrive as
    the same builtin type, control-flow ones never as themselves (``StopIteration`` as a
    ``RuntimeError``; ``SystemExit`` and the like fail the check). A
    failed check is reported by the line of its failed assert, never by its content. Arguments and
    results must be plain data (no callables); in-place mutation of arguments is not seen.
    """

    __test__ = False

    check_code: str
    entry_point: str
    check_fn: str = "check"


@dataclass
class ExecResult:
    """One program run: its output, how it ended and why (``verdict``, ``message``)."""

    verdict: Verdict
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float = 0.0
    cpu_s: float | None = None
    max_rss_mb: float | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the program exited with status 0 within every limit."""
        return self.verdict is Verdict.OK


@dataclass
class TestResult:
    """One test's outcome; ``actual`` is the stdout text or the returned plain-data value."""

    __test__ = False

    index: int
    verdict: Verdict
    actual: Any = None
    message: str = ""
    wall_s: float | None = None
    cpu_s: float | None = None

    @property
    def ok(self) -> bool:
        """True when the test passed."""
        return self.verdict is Verdict.OK


@dataclass
class TestReport:
    """All tests of one submission. ``passed`` only when every test is ``OK``."""

    __test__ = False

    results: list[TestResult]
    stderr: str = ""
    wall_s: float = 0.0
    processes: int = 0  # sandboxed processes used (1 when every test ran in one process)

    @property
    def n_tests(self) -> int:
        """Number of tests."""
        return len(self.results)

    @property
    def n_passed(self) -> int:
        """Number of tests with verdict OK."""
        return sum(r.ok for r in self.results)

    @property
    def passed(self) -> bool:
        """True when there is at least one test and all passed."""
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def fraction(self) -> float:
        """Share of tests passed (for optional partial credit)."""
        return self.n_passed / len(self.results) if self.results else 0.0

    @property
    def first_failure(self) -> TestResult | None:
        """The first test that did not pass (skipped tests excluded), if any."""
        return next((r for r in self.results if not r.ok and r.verdict is not Verdict.SKIPPED), None)

    @property
    def verdict(self) -> Verdict:
        """OK if all passed, else the first failure's verdict."""
        failure = self.first_failure
        if failure is not None:
            return failure.verdict
        return Verdict.OK if self.passed else Verdict.SANDBOX_ERROR

    @property
    def message(self) -> str:
        """The first failure's message ("" when all passed)."""
        failure = self.first_failure
        if failure is not None:
            return failure.message
        return "" if self.passed else "no tests"
