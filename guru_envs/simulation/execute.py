"""Running simulation programs: our own generated ones under a step budget, model-chosen inputs in the sandbox.

Two trust levels, two mechanisms:

- **Generation time** (:func:`run_trusted`): the program is ours and so is the input. It runs in a
  :func:`guru_envs.guard.guarded_call` worker (a hard wall-clock limit) under a *line budget*
  counted by ``sys.settrace``. The budget, not the clock, decides whether a program "terminates quickly",
  so the verdict, and therefore the task a seed yields, is the same on a fast or a loaded machine.
- **Scoring time** (:func:`run_untrusted`): the input comes from model text (input prediction). The
  program still is ours (or a dataset's), and the input travels as plain data, never as code, but it
  runs only through :mod:`guru_envs.sandbox`, which bounds time, memory and system access.

Results are compared by the caller (the scorer), never inside the child.
"""

from __future__ import annotations

import copy
import gc
import math
import resource
import sys
from collections.abc import Callable, Sequence
from typing import Any

from guru_envs.guard import CallTimeout, RemoteError, WorkerCrashed, guarded_call

TRUSTED_MEMORY_MB = 512  # address space a generated program may add while it runs (far more than any needs)
TRUSTED_RECURSION_LIMIT = 2000  # Python frames a generated program runs under, in every worker
GUARD_TIMEOUT = 10.0  # wall-clock safety net for a whole batch of trusted runs; the line budget decides


def _mapped_bytes() -> int:
    """The address space of the calling process, in bytes (0 where /proc cannot say)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class StepLimit(Exception):
    """The program executed more lines than its budget."""


class NotJson(TypeError):
    """A program returned something JSON cannot hold (a set, an object, NaN)."""


def to_json_value(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data: tuples become lists; sets, objects, NaN and non-str keys are refused."""
    if depth > 50:
        raise NotJson("value nests too deeply")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJson("non-finite float")
        return value
    if isinstance(value, list | tuple):
        return [to_json_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotJson(f"dict key {k!r} is not a string")
            out[k] = to_json_value(v, depth + 1)
        return out
    raise NotJson(f"{type(value).__name__} is not JSON data")


def _run_one(code: Any, entry: str, args: Sequence[Any], max_steps: int) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "guru_program"}
    snapshots: list[tuple[str, Any]] = []

    def snap(label: str, value: Any) -> None:
        snapshots.append((label, to_json_value(copy.deepcopy(value))))

    namespace["__snap__"] = snap
    exec(code, namespace)  # our own generated source, compiled by the caller's process
    fn = namespace[entry]
    steps = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal steps
        if event == "line" or event == "call":
            steps += 1
            if steps > max_steps:
                raise StepLimit(f"over {max_steps} executed lines")
        return tracer

    old = sys.gettrace()
    # No cyclic collection while the program runs: a collection may run finalizers left by earlier jobs
    # of this worker (sympy's, say), whose lines the tracer would count as the program's, so the step
    # count (part of the task) and the budget's verdict would depend on what the worker ran before.
    collecting = gc.isenabled()
    gc.disable()
    sys.settrace(tracer)
    try:
        result = fn(*copy.deepcopy(list(args)))
    finally:
        sys.settrace(old)
        if collecting:
            gc.enable()
    return {"value": to_json_value(result), "steps": steps, "trace": snapshots}


def run_batch(
    source: str, entry: str, inputs: Sequence[Sequence[Any]], max_steps: int
) -> list[dict[str, Any]]:
    """Run ``entry`` on each input in this process; each outcome is ``{"value", "steps", "trace"}`` or ``{"error"}``.

    Meant to run inside a guard worker (:func:`run_trusted`); exposed for tests.
    """
    code = compile(source, "<program>", "exec")
    outcomes = []
    limit = sys.getrecursionlimit()
    # Exactly this depth, whatever the worker inherited: a worker forked while hypothesis had raised the
    # limit (it does so around each test) let programs recurse deeper than one forked before, so the
    # same seed drew another program depending on which worker ran it.
    sys.setrecursionlimit(TRUSTED_RECURSION_LIMIT)
    # The same room for the program on every machine and in every worker, however much the process
    # already maps: a probe that ran out of memory in a crowded worker and not in a fresh one made the
    # same seed draw another program (the draw reads which probes fail).
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    room = _mapped_bytes() + TRUSTED_MEMORY_MB * 1024 * 1024
    if hard == resource.RLIM_INFINITY or room <= hard:
        resource.setrlimit(resource.RLIMIT_AS, (room, hard))
    try:
        for args in inputs:
            try:
                outcomes.append(_run_one(code, entry, args, max_steps))
            except RecursionError:
                outcomes.append({"error": "RecursionError: recursion too deep"})
            except Exception as exc:  # the program's own failure is a verdict, not a crash
                outcomes.append({"error": f"{type(exc).__name__}: {exc}"[:300]})
    finally:
        sys.setrecursionlimit(limit)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return outcomes


def run_trusted(
    source: str, entry: str, inputs: Sequence[Sequence[Any]], max_steps: int, timeout: float = GUARD_TIMEOUT
) -> list[dict[str, Any]]:
    """Run our own program on our own inputs in a guard worker; a hung or crashed batch is all errors.

    The line budget decides what a program may do and ``run_batch`` turns the program's own failures into
    outcomes, so a batch that times out or loses its worker met a loaded machine, not a bad program: it
    is tried twice more, with six and twelve times the time, before it counts as failed (a draw that
    moved on after such a failure would differ from the same seed's draw on an idle machine).
    """
    failure: Exception = CallTimeout("not run")
    for limit in (timeout, 6 * timeout, 12 * timeout):
        try:
            return guarded_call(run_batch, source, entry, list(inputs), max_steps, timeout=limit)
        except (CallTimeout, WorkerCrashed, RemoteError) as exc:
            failure = exc
    return [{"error": f"{type(failure).__name__}: {failure}"[:300]} for _ in inputs]


UNTRUSTED_LIMITS = {"cpu_s": 2.0, "wall_s": 5.0, "memory_mb": 256}


def run_untrusted(
    source: str,
    entry: str,
    args: Sequence[Any],
    expected: Any,
    compare: Callable[[Any, Any], bool],
    wall_s: float = UNTRUSTED_LIMITS["wall_s"],
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``entry(*args, **kwargs)`` in :mod:`guru_envs.sandbox` and judge it here with ``compare``.

    The arguments cross into the sandbox as plain data (its ``calls`` mode), and the returned value comes
    back as plain data, so neither the input nor the program's result is ever code in this process.

    Returns:
        ``{"ok": bool, "value": returned value}`` when ``entry`` returned, else ``{"error": reason}``.
    """
    from guru_envs.sandbox import CallTest, Limits, Verdict, run_tests

    limits = Limits(
        cpu_s=UNTRUSTED_LIMITS["cpu_s"], wall_s=wall_s, memory_mb=int(UNTRUSTED_LIMITS["memory_mb"])
    )
    try:
        report = run_tests(
            source,
            [CallTest(entry, tuple(args), expected, dict(kwargs or {}))],
            limits=limits,
            compare=compare,
        )
    except Exception as exc:  # the sandbox failing must cost one reward, never the scorer
        return {"error": f"sandbox failure: {type(exc).__name__}: {exc}"[:300]}
    if not report.results:
        return {"error": "sandbox returned no result"}
    result = report.results[0]
    if result.verdict is Verdict.OK:
        return {"ok": True, "value": result.actual}
    if result.verdict is Verdict.WRONG_ANSWER and "malformed" not in result.message:
        return {"ok": False, "value": result.actual}
    return {"error": f"{result.verdict.value}: {result.message}"[:300]}
