"""From what the worker observed to verdicts: the scorer's side of judging, on plain data only.

A test's *record* is written by the sandboxed process and is therefore only what the submission could
have claimed anyway (its own output, value or exception); it is parsed defensively and never trusted
for anything else. The facts that decide limits (exit status, signal, CPU time of the whole process
tree, wall time, output sizes, which test was in flight) come from the worker. Messages are what the
model may be shown: the candidate's own output or exception, never a hidden test's content (a failed
check's assert, its source or its expected value stay out).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from typing import Any

from guru_envs.sandbox import codec
from guru_envs.sandbox.limits import Limits
from guru_envs.sandbox.results import TestResult, Verdict

MESSAGE_CHARS = 2000
_CRASH_SIGNALS = {
    int(getattr(signal, n)) for n in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS", "SIGTRAP")
}


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut in the middle to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]


def text(data: bytes) -> str:
    """Bytes from the sandbox as text (invalid UTF-8 replaced)."""
    return data.decode("utf-8", "replace")


def always_equal(actual: Any, expected: Any) -> bool:
    """The comparator of :meth:`Sandbox.run_inputs`, where there is nothing to compare with."""
    return True


def parse_record(raw: bytes) -> dict[str, Any]:
    """A record line, or {} if it is not a JSON object (only a hostile process sends such)."""
    try:
        rec = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return rec if isinstance(rec, dict) else {}


def judge(compare: Callable[[Any, Any], bool], actual: Any, expected: Any) -> tuple[Verdict, str]:
    """Compare in the scorer; a comparator that raises is a wrong answer, never a crash."""
    try:
        same = bool(compare(actual, expected))
    except Exception as exc:  # a comparator must not crash the scorer
        return Verdict.WRONG_ANSWER, f"comparison failed: {type(exc).__name__}"
    if same:
        return Verdict.OK, ""
    shown = actual if isinstance(actual, str) else safe_repr(actual)
    return Verdict.WRONG_ANSWER, clip(f"wrong answer; got: {shown}", 1000)


def safe_repr(value: Any) -> str:
    """``repr`` of a plain-data value, clipped, or a placeholder if it fails."""
    try:
        out = repr(value)
    except Exception:
        return "<unprintable value>"
    return clip(out, 1000)


def error_verdict(rec: dict[str, Any]) -> tuple[Verdict, str]:
    """The verdict of a record reporting the submission's own exception."""
    etype = str(rec.get("etype", ""))
    message = str(rec.get("traceback") or rec.get("message") or etype or "runtime error")
    if etype == "MemoryError":
        return Verdict.MEMORY_LIMIT, "MemoryError: memory limit exceeded"
    if etype == "OSError" and "[Errno 27]" in message:  # EFBIG: past the output cap with SIGXFSZ ignored
        return Verdict.OUTPUT_LIMIT, "output limit exceeded"
    return Verdict.RUNTIME_ERROR, clip(message)


def check_verdict(rec: dict[str, Any]) -> tuple[Verdict, str]:
    """The verdict of a check's record, told without the check's content."""
    status = rec.get("status")
    if status == "ok":
        return Verdict.OK, ""
    if status == "timeout":
        return Verdict.TIMEOUT, "the candidate did not return in time"
    if status == "candidate":
        message = clip(str(rec.get("message", "candidate failed")))
        verdict = Verdict.MEMORY_LIMIT if message.startswith("MemoryError") else Verdict.RUNTIME_ERROR
        return verdict, message
    line = rec.get("assertion")
    where = (
        f" (the hidden check's line {line})" if isinstance(line, int) and not isinstance(line, bool) else ""
    )
    own = rec.get("candidate_error")
    if isinstance(own, str) and own:  # the candidate's own exception, as the check met it
        return Verdict.RUNTIME_ERROR, clip(f"the candidate raised {own}{where}", 1000)
    if status == "fail" and rec.get("etype") == "AssertionError":
        return Verdict.WRONG_ANSWER, f"a hidden assertion failed{where}"
    if status == "fail":
        return Verdict.RUNTIME_ERROR, f"the check failed with {str(rec.get('etype', 'an error'))[:80]}{where}"
    return Verdict.RUNTIME_ERROR, "the check produced no verdict"


def test_result(
    kind: str,
    index: int,
    test: Any,
    rec: dict[str, Any],
    blobs: dict[str, bytes],
    header: dict[str, Any],
    limits: Limits,
    compare: Callable[[Any, Any], bool],
) -> TestResult:
    """Turn one test's record and the worker's facts into a verdict, comparing here with the expected value."""
    status = rec.get("status")
    wall = header.get("wall")
    wall = float(wall) if isinstance(wall, int | float) else None
    cpu = header.get("cpu")  # measured by the worker, for the test's whole process tree
    cpu = float(cpu) if isinstance(cpu, int | float) else None
    actual: Any = None
    exit_status = header.get("status")
    died = isinstance(exit_status, int) and exit_status >= 0 and not rec
    if kind == "stdio":
        actual = text(blobs.get("stdout", b""))
        if header.get("stdout_over"):
            verdict, message = Verdict.OUTPUT_LIMIT, f"output exceeded {limits.output_bytes} bytes"
        elif died:  # it ended without a record (os._exit, a signal): judge by how it ended
            verdict, message = process_verdict(_status_facts(exit_status), limits, 0, False)
            if verdict is Verdict.OK:  # os._exit(0) after printing: judge the output like any other run
                verdict, message = judge(compare, actual, test.expected_stdout)
        elif status == "ok":
            verdict, message = judge(compare, actual, test.expected_stdout)
        elif status == "exit":
            verdict, message = Verdict.RUNTIME_ERROR, f"exit status {rec.get('exit_code')}"
        else:
            verdict, message = error_verdict(rec)
    elif kind == "calls":
        if died:
            verdict, message = process_verdict(_status_facts(exit_status), limits, 0, False)
            if verdict is Verdict.OK:
                verdict, message = Verdict.RUNTIME_ERROR, "the process exited before the test finished"
        elif status == "ok":
            try:
                actual = codec.decode(rec.get("value"))
            except codec.DecodeError as exc:
                verdict, message = Verdict.WRONG_ANSWER, f"malformed result: {exc}"
            else:
                verdict, message = judge(compare, actual, test.expected)
        elif status == "unserialisable":
            verdict, message = (
                Verdict.WRONG_ANSWER,
                clip(str(rec.get("message", "result is not plain data"))),
            )
        elif status == "exit":
            verdict, message = Verdict.RUNTIME_ERROR, clip(str(rec.get("message", "SystemExit")))
        else:
            verdict, message = error_verdict(rec)
    else:
        verdict, message = check_verdict(rec)
    if verdict is Verdict.OK and cpu is not None and cpu > limits.cpu_s:
        verdict, message = Verdict.TIMEOUT, f"CPU time {cpu:.2f}s over the {limits.cpu_s}s limit"
    return TestResult(index, verdict, actual=actual, message=message, wall_s=wall, cpu_s=cpu)


def _status_facts(status: int) -> dict[str, Any]:
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status), "exit_code": None}
    return {"signal": None, "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}


def process_verdict(
    done: dict[str, Any], limits: Limits, ooms: int, memory_error: bool, sub: bool = False
) -> tuple[Verdict, str]:
    """Verdict of a process from how it ended (worker facts only; the process's own claims are ignored)."""
    sig, code = done.get("signal"), done.get("exit_code")
    if sub and done.get("sub_signal"):  # check mode: the submission's death explains the checker's failure
        sig = done.get("sub_signal")
    cpu = done.get("cpu_s") or 0.0
    rss_mb = (done.get("maxrss_kb") or 0) / 1024
    if done.get("violation"):
        v = str(done["violation"])
        return (Verdict.OUTPUT_LIMIT if "output limit" in v else Verdict.RUNTIME_ERROR), v
    if done.get("timed_out"):
        return Verdict.TIMEOUT, f"wall-clock limit of {limits.wall_s}s exceeded"
    if done.get("cpu_over"):
        return Verdict.TIMEOUT, f"CPU time limit of {limits.cpu_s}s exceeded"
    if (
        any(done.get(k) for k in ("stdout_over", "stderr_over", "inflight_stdout_over"))
        or sig == signal.SIGXFSZ
    ):
        return Verdict.OUTPUT_LIMIT, f"output exceeded {limits.output_bytes} bytes"
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_s):
        return Verdict.TIMEOUT, f"CPU time limit of {limits.cpu_s}s exceeded"
    if ooms > 0 or (memory_error and code) or (sig is not None and rss_mb >= 0.95 * limits.memory_mb):
        return Verdict.MEMORY_LIMIT, f"memory limit of {limits.memory_mb} MB exceeded"
    if sig is not None:
        name = signame(sig)
        if sig in _CRASH_SIGNALS:
            return Verdict.RUNTIME_ERROR, f"killed by {name}"
        return Verdict.KILLED, f"killed by {name}"
    if code is None:
        return Verdict.SANDBOX_ERROR, "no exit status"
    if code != 0:
        return Verdict.RUNTIME_ERROR, f"exit status {code}"
    return Verdict.OK, ""


def signame(sig: int) -> str:
    """``SIGKILL`` for 9, and so on."""
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"
