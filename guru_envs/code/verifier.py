"""The Code verifier: read the program from a response, run its tests in the sandbox, and explain the verdict.

One rule for every Code family (generated, HumanEval, GURU rows):

- **Extraction**: the program is the *last* fenced block tagged ``python`` (or ``py``, ``python3``,
  ``py3``, in any case), or, when there is none, the last untagged fenced block
  (:func:`guru_envs.verify.extract.code_blocks`; text after ``</think>`` only). Earlier blocks are drafts
  and are ignored; GURU's own scorer instead joins every block, which runs drafts and final answer
  together. Two kinds of last block answer nothing and do not displace the answer: one with no statement
  (only comments) is skipped, and one of only ``assert`` statements (the response's own tests) runs after
  the block before it (:func:`extract_program`). No fenced block scores 0.
- **Execution**: only through :mod:`guru_envs.sandbox`. Call-based tests run every call in one process
  (module loaded once, arguments rebuilt per call); stdin/stdout tests run every input in one process
  with a fresh ``__main__`` each; functional tests (assert code) run in a separate trusted checker
  process that reaches the submission only through plain data (:mod:`.functional`). Expected outputs
  never enter the submission's process, and every comparison happens outside it.
- **Reward**: 1 when every test passes, else 0; with the family option ``partial_credit`` the reward is
  the fraction of tests passed (``correct`` still needs all). Without partial credit the run stops at the
  first failure.
- **Details** (``Score.details``, copied into the env's ``info``): ``io`` (``call``/``stdio``/``check``),
  ``tests``, ``passed``, per-test ``verdicts`` (``ok``, ``wrong_answer``, ``runtime_error``, ``timeout``,
  ``memory_limit``, ``output_limit``, ``killed``, ``skipped``), and ``first_failure`` (index, verdict,
  message, input, expected, actual). ``feedback`` (multi-turn mode) names the first failing test by its
  number and shows the candidate's own output or exception. Nothing of a hidden test reaches either:
  its input and expected output are shown only for the tests the prompt itself shows (``public``), and a
  failed check says which hidden assertion failed, not what it asserts. A model that saw the hidden
  tests could learn them instead of the task.
"""

from __future__ import annotations

import ast
import decimal
import math
import reprlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from guru_envs.sandbox import CallTest, CheckTest, Limits, TestCase, TestReport, Verdict, default_sandbox
from guru_envs.verify.extract import code_blocks
from guru_envs.verify.score import Score
from guru_envs.verify.structured import values_equal

# Per-test limits. CPU time is the intended bound (it hardly depends on machine load); generated tasks
# size their performance tests so that the intended method needs well under a tenth of
# GENERATED_LIMITS.cpu_s and a quadratic one several times it. In a multi-test process the sandbox only
# enforces the CPU limit of the whole run, so a runaway test is stopped by the per-test wall limit: it
# is kept short (4 s, over ten times what any reference needs) because every timeout costs that much.
GENERATED_LIMITS = Limits(cpu_s=1, wall_s=4, memory_mb=512)
DATASET_LIMITS = Limits(cpu_s=4, wall_s=15, memory_mb=1024)  # rows carry tests sized for other judges
CHECK_LIMITS = Limits(cpu_s=6, wall_s=20, memory_mb=1024)  # one check runs every assert of a task
MAX_CODE_CHARS = 200_000  # a longer "solution" is not a solution (and would only cost time)
SHOW_CHARS = 400  # characters of an input, expected or actual output shown in feedback
EXTRACTED_CHARS = 20_000  # characters of the program kept in Score.extracted

_VERDICT_WORDS = {
    Verdict.WRONG_ANSWER: "wrong answer",
    Verdict.RUNTIME_ERROR: "runtime error",
    Verdict.TIMEOUT: "time limit exceeded",
    Verdict.MEMORY_LIMIT: "memory limit exceeded",
    Verdict.OUTPUT_LIMIT: "output limit exceeded",
    Verdict.KILLED: "killed",
    Verdict.SANDBOX_ERROR: "sandbox error",
    Verdict.SKIPPED: "not run",
}


def extract_program(response: str) -> str | None:
    """The program a response submits (see the module docstring), or None when there is none.

    The last block is the answer, with two exceptions that cannot change which program answers: a last
    block that holds no statement (comments only: ``# input: 1 2 -> output: 3``) is skipped, and last
    blocks that hold only ``assert`` statements (the response's own tests of its solution) are run after
    the block before them. Everything else after the answer (a usage example that calls the function, a
    second program) still makes the last block the answer, as before.
    """
    blocks = code_blocks(response)
    if not blocks:
        return None
    code = blocks[-1]
    checks: list[str] = []
    for block in reversed(blocks):
        kind = _block_kind(block)
        if kind == "code":
            code = "\n".join([block, *checks])
            break
        if kind == "asserts":
            checks.insert(0, block)
    # no block with other statements: the last block, as before (it answers nothing and fails)
    return code if code.strip() else None


def _block_kind(code: str) -> str:
    """``"empty"`` (no statement: blank or comments), ``"asserts"`` (only ``assert`` statements) or ``"code"``.

    A block that does not parse, or is too long to parse cheaply, is ``"code"``: it stays the answer.
    """
    if len(code) > MAX_CODE_CHARS:
        return "code"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning and the like are about model text
            body = ast.parse(code).body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return "code"
    if not body:
        return "empty"
    return "asserts" if all(isinstance(node, ast.Assert) for node in body) else "code"


# ------------------------------------------------------------------------------------- comparison


def _number(token: str) -> int | float | None:
    try:
        return int(token)
    except ValueError:
        pass
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _expected_number(token: str) -> int | float | None:
    """The number an expected token is, when it reads as one and as nothing else.

    ``1E5`` or ``2e3`` can be a base-36 or hexadecimal word as well as a float, and an answer printed
    as ``100000`` must not match the word ``1E5``: an exponent counts only where a program printing a
    float would write it, with a point in the mantissa (``1.5E5``) or a sign in the exponent (Python's
    ``1e-05``, ``1e+20``).
    """
    mantissa, _, exponent = token.lower().partition("e")
    if exponent and "." not in mantissa and exponent[:1] not in ("+", "-"):
        return None
    return _number(token)


def _tokens_match(got: str, want: str, tol: float) -> bool:
    if got == want:
        return True
    if got.lower() in ("yes", "no") and want.lower() in ("yes", "no"):
        return got.lower() == want.lower()
    a, b = _number(got), _expected_number(want)
    if a is None or b is None:
        return False
    if isinstance(a, int) and isinstance(b, int):
        return a == b  # integers are exact, however long
    if isinstance(b, int):
        # an integer answer printed as a number with a point must be that integer exactly ("5.0" is 5),
        # not a float near it: 1000000.0 is not 999999, nor 1e9 1000000007
        return _exact(got) == b
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _exact(token: str) -> decimal.Decimal | None:
    """The number a token spells, without rounding (None when it is not a finite number)."""
    try:
        value = decimal.Decimal(token)
    except (decimal.InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def outputs_match(actual: str, expected: str, tol: float = 1e-6) -> bool:
    """Judge program output the way competitive judges do.

    Line endings are normalised and leading/trailing blank space of the whole output ignored; lines must
    correspond one to one, and within a line whitespace-separated tokens must match: exactly, or as
    numbers within ``tol`` (absolute or relative; two integers must be equal), or as ``yes``/``no`` in
    any letter case.
    """
    if not isinstance(actual, str) or not isinstance(expected, str):
        return False
    a = actual.replace("\r\n", "\n").strip()
    b = expected.replace("\r\n", "\n").strip()
    if a == b:
        return True
    a_lines, b_lines = a.split("\n"), b.split("\n")
    if len(a_lines) != len(b_lines):
        return False
    for got_line, want_line in zip(a_lines, b_lines):
        got, want = got_line.split(), want_line.split()
        if len(got) != len(want) or not all(_tokens_match(g, w, tol) for g, w in zip(got, want)):
            return False
    return True


def strict_equal(actual: Any, expected: Any) -> bool:
    """Return values of generated tasks, compared as a test judge does (:func:`~guru_envs.verify.structured.values_equal`).

    The expected value's types decide: a set is not a list (a tuple is, as JSON stores the expected
    value), a bool is not an int, an int must be exactly the expected int (``3.0`` is, ``3.0000001`` is
    not), and only a float may differ, by 1e-9.
    """
    return values_equal(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def lenient_equal(actual: Any, expected: Any) -> bool:
    """Return values of dataset rows: as :func:`strict_equal` with floats within 1e-6, or the single item of a list.

    APPS/TACO-style rows often wrap the expected result in a one-item list.
    """
    if values_equal(actual, expected, rel_tol=1e-6, abs_tol=1e-6):
        return True
    return (
        isinstance(expected, list)
        and len(expected) == 1
        and values_equal(actual, expected[0], rel_tol=1e-6, abs_tol=1e-6)
    )


# ------------------------------------------------------------------------------------------ suites


@dataclass
class Suite:
    """The tests of one task, ready for the sandbox, with how to show each of them in feedback.

    Attributes:
        io: ``call``, ``stdio`` or ``check``.
        tests: sandbox test cases (all of one kind).
        shown_inputs: per test, the input as shown to the model (a call expression or stdin text).
        shown_expected: per test, the expected result as shown to the model.
        compare: how results are compared (in the scorer).
        limits: per-test sandbox limits.
        prefix: trusted code put before the submission (a dataset's imports and helper classes).
        public: indices of the tests the prompt shows (their input and expected output may be shown in
            feedback; every other test is hidden and only named by its number).
        shared_process: the tests are the calls of one check (its literal asserts): they run one after
            another in one process, as that check would (each still sees its arguments only when it
            starts). Independent tests never set it: each runs in a fresh process of its own.
    """

    io: str
    tests: list[CallTest | TestCase | CheckTest]
    shown_inputs: list[str] = field(default_factory=list)
    shown_expected: list[str] = field(default_factory=list)
    compare: Callable[[Any, Any], bool] | None = None
    limits: Limits = DATASET_LIMITS
    prefix: str = ""
    public: frozenset[int] = frozenset()
    shared_process: bool = False


_repr = reprlib.Repr()
_repr.maxstring = SHOW_CHARS
_repr.maxother = SHOW_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 40
_repr.maxlevel = 6


def show_value(value: Any) -> str:
    """A short repr of a plain-data value for feedback."""
    try:
        return clip(_repr.repr(value))
    except Exception:
        return f"<{type(value).__name__}>"


def clip(text: str, limit: int = SHOW_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [{len(text) - limit} more characters]"


def call_suite(
    fn_name: str,
    inputs: Sequence[Sequence[Any]],
    outputs: Sequence[Any],
    compare: Callable[[Any, Any], bool] = strict_equal,
    limits: Limits = DATASET_LIMITS,
    prefix: str = "",
    public: Sequence[int] = (),
) -> Suite:
    """Call-based tests: ``fn_name(*inputs[i])`` must return ``outputs[i]`` (``public``: shown in the prompt)."""
    display = fn_name.rsplit(".", 1)[-1]
    tests = [CallTest(fn_name, tuple(args), expected) for args, expected in zip(inputs, outputs)]
    shown = [f"{display}({', '.join(show_value(a) for a in args)})" for args in inputs]
    return Suite(
        "call",
        tests,
        [clip(s) for s in shown],
        [show_value(o) for o in outputs],
        compare,
        limits,
        prefix,
        frozenset(public),
    )


def stdio_suite(
    inputs: Sequence[str],
    outputs: Sequence[str],
    compare: Callable[[Any, Any], bool] = outputs_match,
    limits: Limits = DATASET_LIMITS,
    prefix: str = "",
    public: Sequence[int] = (),
) -> Suite:
    """Stdin/stdout tests: the program run on ``inputs[i]`` must print ``outputs[i]`` (``public``: shown)."""
    tests = [TestCase(stdin=i, expected_stdout=o) for i, o in zip(inputs, outputs)]
    return Suite(
        "stdio",
        tests,
        [clip(i) for i in inputs],
        [clip(o) for o in outputs],
        compare,
        limits,
        prefix,
        frozenset(public),
    )


# ------------------------------------------------------------------------------------------ scoring


def score_program(
    response: str,
    suite: Suite,
    partial_credit: bool = False,
    prepare: Callable[[str], str] | None = None,
) -> Score:
    """Extract the program from ``response``, run ``suite`` on it, and turn the report into a Score.

    Args:
        response: the model's full response.
        suite: the task's tests.
        partial_credit: reward the fraction of tests passed (and run them all) instead of all-or-nothing.
        prepare: turns the extracted code into the program to run (e.g. adds the shim of functional tests).
    """
    code = extract_program(response)
    if code is None:
        return Score.wrong(
            None,
            "no ```python code block in the response",
            feedback="Put your complete solution in a ```python fenced code block.",
            error="no_code",
        )
    if len(code) > MAX_CODE_CHARS:
        return Score.wrong(None, f"the program is over {MAX_CODE_CHARS:,} characters", error="too_long")
    extracted = code if len(code) <= EXTRACTED_CHARS else code[:EXTRACTED_CHARS]
    if not suite.tests:
        return Score.wrong(extracted, "the task has no tests", error="no_tests")
    program = (suite.prefix + "\n" + code) if suite.prefix else code
    if prepare is not None:
        program = prepare(program)
    try:
        report = default_sandbox().run_tests(
            program,
            suite.tests,
            limits=suite.limits,
            stop_on_first_failure=not partial_credit,
            compare=suite.compare,
            shared_process=suite.shared_process,
        )
    except Exception as exc:  # the sandbox failing must cost one reward, never the scorer
        return Score.wrong(extracted, f"sandbox failure: {type(exc).__name__}: {exc}"[:300], error="sandbox")
    return report_score(report, suite, extracted, partial_credit)


def report_score(report: TestReport, suite: Suite, extracted: str | None, partial_credit: bool) -> Score:
    """The Score of a finished test run (see the module docstring for the fields)."""
    n = report.n_tests
    details: dict[str, Any] = {
        "io": suite.io,
        "tests": n,
        "passed": report.n_passed,
        "verdicts": [r.verdict.value for r in report.results],
        "wall_s": round(report.wall_s, 4),
    }
    if report.passed:
        return Score.right(extracted, f"passed all {n} test{'s' if n != 1 else ''}", **details)
    failure = report.first_failure
    if failure is None:  # nothing failed yet nothing passed: the run produced no results
        details["first_failure"] = None
        return Score.wrong(extracted, "the tests produced no result", error="no_result", **details)
    i = failure.index
    word = _VERDICT_WORDS.get(failure.verdict, failure.verdict.value)
    public = i in suite.public
    shown_input = (suite.shown_inputs[i] if i < len(suite.shown_inputs) else "") if public else None
    shown_expected = (suite.shown_expected[i] if i < len(suite.shown_expected) else "") if public else None
    actual = failure.actual
    if failure.verdict is Verdict.WRONG_ANSWER and actual is not None:
        shown_actual = clip(actual) if isinstance(actual, str) else show_value(actual)
    else:
        shown_actual = None
    message = _error_text(failure.message)
    details["first_failure"] = {
        "test": i,
        "verdict": failure.verdict.value,
        "message": clip(failure.message, 1000),
        "input": shown_input,
        "expected": shown_expected,
        "actual": shown_actual,
    }
    reason = f"failed test {i + 1} of {n}: {word}"
    feedback = _feedback(suite.io, i, n, word, shown_input, shown_expected, shown_actual, message)
    if partial_credit:
        fraction = report.n_passed / n if n else 0.0
        return Score(
            reward=fraction,
            correct=False,
            extracted=extracted,
            reason=f"{reason} ({report.n_passed}/{n} passed)",
            feedback=feedback,
            details=details,
        )
    return Score.wrong(extracted, reason, feedback=feedback, **details)


def _error_text(message: str) -> str:
    """The useful tail of a failure message: the exception line(s) of a traceback, or the message."""
    text = message.strip()
    if "Traceback (most recent call last)" not in text:
        return clip(text, 2 * SHOW_CHARS)
    lines = text.split("\n")
    start = len(lines) - 1
    for k in range(len(lines) - 1, -1, -1):
        if lines[k] and not lines[k].startswith(" "):
            start = k
            break
    return clip("\n".join(lines[start:]), 2 * SHOW_CHARS)


def _feedback(
    io: str,
    index: int,
    n: int,
    word: str,
    shown_input: str | None,
    shown_expected: str | None,
    shown_actual: str | None,
    message: str,
) -> str:
    hidden = shown_input is None
    parts = [
        f"Your program failed {'hidden ' if hidden and io != 'check' else ''}test {index + 1} of {n} ({word})."
    ]
    if io == "call":
        if not hidden:
            parts.append(f"Call: {shown_input}")
            parts.append(f"Expected: {shown_expected}")
        if shown_actual is not None:
            parts.append(f"Got: {shown_actual}")
    elif io == "stdio":
        if not hidden:
            parts.append(f"Input:\n{shown_input.rstrip()}")
            parts.append(f"Expected output:\n{(shown_expected or '').rstrip()}")
        if shown_actual is not None:
            parts.append(f"Your output:\n{shown_actual.rstrip()}")
    if message and (shown_actual is None or io == "check"):
        parts.append(f"Error:\n{message}" if io != "check" else message)
    parts.append("Fix the program and answer again with the complete solution in a ```python block.")
    return "\n".join(parts)
