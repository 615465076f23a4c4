"""The scorer's side: a pool of warm sandbox workers and the public :class:`Sandbox` API.

Each worker (:mod:`.worker`: one process, a fork server inside its own namespaces) runs one execution
at a time; the pool hands workers to calling threads, so ``run``/``run_tests`` are thread-safe and
``run_many`` runs a batch on all workers at once. Expected outputs never leave this process: the worker
receives code and inputs, sends back observations, and the comparison happens here (:mod:`.verdicts`).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import queue
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from guru_envs.sandbox import codec, image, seccomp
from guru_envs.sandbox.compare import returned_equal, stdout_equal
from guru_envs.sandbox.isolation import CgroupFactory, IsolationInfo
from guru_envs.sandbox.limits import Limits
from guru_envs.sandbox.results import (
    CallTest,
    CheckTest,
    ExecResult,
    TestCase,
    TestReport,
    TestResult,
    Verdict,
)
from guru_envs.sandbox.verdicts import (
    always_equal,
    clip,
    parse_record,
    process_verdict,
    test_result,
    text,
)
from guru_envs.sandbox.worker import SandboxUnavailable, Worker, WorkerBroken

MAX_CODE_BYTES = 4 << 20  # longer sources are refused without running
__all__ = ["RunRequest", "Sandbox", "SandboxUnavailable", "TestsRequest", "default_sandbox"]


def _utf8(text: str) -> bytes:
    """Text as the worker reads it, never an exception for a program or input passed as text.

    Bytes smuggled in as surrogates go back as they were; a lone surrogate (which no UTF-8 holds) is
    sent as its bytes, which the worker reads as replacement characters.
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class RunRequest:
    """One :meth:`Sandbox.run` call for :meth:`Sandbox.run_many`."""

    code: str
    stdin: str = ""
    argv: Sequence[str] = ()
    limits: Limits | None = None


@dataclass(frozen=True)
class TestsRequest:
    """One :meth:`Sandbox.run_tests` call for :meth:`Sandbox.run_many`."""

    __test__ = False

    code: str
    tests: Sequence[TestCase | CallTest | CheckTest]
    limits: Limits | None = None
    stop_on_first_failure: bool = True
    compare: Callable[[Any, Any], bool] | None = None


_RESERVED = ("/tmp", "/var/tmp", "/x", "/dev", "/proc", "/etc")


def _readonly_pair(spec: str | tuple[str, str]) -> tuple[str, str]:
    host, inside = (spec, spec) if isinstance(spec, str) else spec
    host, inside = os.path.abspath(host), os.path.normpath(inside)
    if not os.path.exists(host):
        raise ValueError(f"read-only path {host!r} does not exist")
    if (
        not inside.startswith("/")
        or inside == "/"
        or any(inside == r or inside.startswith(r + "/") for r in _RESERVED)
    ):
        raise ValueError(
            f"{inside!r} cannot be a read-only path inside the sandbox (reserved or not absolute)"
        )
    return host, inside


def _source(code: Any) -> str:
    if isinstance(code, bytes | bytearray):
        return bytes(code).decode("utf-8", "replace")
    if not isinstance(code, str):
        raise TypeError(f"code must be str or bytes, not {type(code).__name__}")
    return code


class Sandbox:
    """Runs untrusted Python in isolated, resource-limited processes forked from warm workers.

    Args:
        limits: default limits of every execution (a call may pass its own).
        workers: concurrent executions (default: number of CPU cores).
        isolation: ``"auto"`` (strongest available), ``"namespaces"`` (refuse to run without them) or
            ``"none"`` (rlimits only; for machines without namespaces, and for tests of that path).
        readonly_paths: extra host files or directories made visible read-only inside the sandbox,
            each as a path (same place inside) or a ``(host_path, sandbox_path)`` pair. Paths inside
            /tmp, /var/tmp, /x, /dev, /proc and /etc belong to the sandbox and cannot be used.
        preimport: modules imported by the worker before forking (defaults to common stdlib ones).
        cgroups: put each worker in its own pids and memory cgroup when this process may.
        start_timeout: seconds to wait for a worker to start.
        python: interpreter of the workers (default: this one). Only its standard library is visible
            to sandboxed code.
        worker_uid: start workers as this uid (needs root): they then isolate themselves as an
            unprivileged user would (user namespace). Mainly for testing that path on root machines.
        seccomp_filter: load the system-call filter of :mod:`guru_envs.sandbox.seccomp` in every
            sandboxed process (where libseccomp is installed; otherwise reported in ``isolation.errors``).
        system_image: show sandboxed programs a copy of the system files in a tmpfs, made once per host
            (:mod:`guru_envs.sandbox.image`), rather than the host's own, whose page cache they would
            share. Where none can be made the host's are bound, and ``isolation.errors`` says so.
    """

    def __init__(
        self,
        limits: Limits | None = None,
        workers: int | None = None,
        *,
        isolation: str = "auto",
        readonly_paths: Sequence[str | tuple[str, str]] = (),
        preimport: Sequence[str] | None = None,
        cgroups: bool = True,
        start_timeout: float = 30.0,
        python: str | None = None,
        worker_uid: int | None = None,
        seccomp_filter: bool = True,
        system_image: bool = True,
    ) -> None:
        if isolation not in ("auto", "namespaces", "none"):
            raise ValueError(f"isolation must be 'auto', 'namespaces' or 'none', not {isolation!r}")
        self.limits = limits or Limits()
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self._isolation = isolation
        self._readonly = [_readonly_pair(p) for p in readonly_paths]
        self._preimport = list(preimport) if preimport is not None else None
        self._cgroups = CgroupFactory() if cgroups else None
        self._start_timeout = start_timeout
        self._python = python or sys.executable
        self._worker_uid = worker_uid
        self._extra_config: dict[str, Any] = {}  # raw worker options for experiments, e.g. {"prefork": False}
        self._seccomp = seccomp_filter
        self._image = system_image and isolation != "none"
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self._live: set[Worker] = set()
        self._closed = False
        self._pid = os.getpid()
        self._ids = itertools.count(1)
        self._info: IsolationInfo | None = None
        self._executor: ThreadPoolExecutor | None = None

    # ---------------------------------------------------------------------------------- workers

    def _config(self) -> dict[str, Any]:
        uid = 1_000_000_000 + secrets.randbelow(1 << 30)  # unique per worker: RLIMIT_NPROC counts per uid
        cfg: dict[str, Any] = {
            "mode": self._isolation,
            "uid": uid,
            "checker_uid": uid + 1,
            "sub_uids": [uid, *range(uid + 2, uid + 6)],  # submissions rotate through these
            "readonly": self._readonly,
        }
        if self._preimport is not None:
            cfg["preimport"] = self._preimport
        cfg.update(self._extra_config)
        return cfg

    def _cgroup_memory(self, limits: Limits) -> int:
        # The checker and the submission may each use memory_mb; outputs and the tmpfs live in RAM too.
        return (2 * limits.memory_mb + limits.disk_mb + 256) * 2**20 + 8 * limits.output_bytes

    def _spawn(self) -> Worker:
        cgroups = None
        cfg = self._config()
        errors: list[str] = []
        if self._cgroups is not None and self._cgroups.available:
            cgroups = self._cgroups.create(
                2 * self.limits.max_processes + 16, self._cgroup_memory(self.limits)
            )
            if self._worker_uid is not None:
                cgroups.delegate(self._worker_uid)
            cfg["cgroups"] = cgroups.join_spec()
            cpu = cgroups.cpu_spec()
            if cpu is not None:  # the worker joins the CPU cgroup; its children join "sub" or "chk"
                cfg["cgroups"].append(
                    {"procs": os.path.join(cgroups.cpu_dir, "cgroup.procs"), "label": "cpu cgroup"}
                )
                cfg["cpu"] = cpu
        programs: dict[str, bytes] = {}
        if self._seccomp:
            # The zygote loads its part once; each child only the tiny rest (see seccomp's docstring).
            zygote_part, child_part, why = seccomp.split_programs()
            if zygote_part is None or child_part is None:
                errors.append(why)
            else:
                programs["seccomp"], programs["seccomp_child"] = zygote_part, child_part
                cfg["seccomp_label"] = seccomp.describe()
        if "cpu" not in cfg:
            no_fork = seccomp.no_fork_program() if self._seccomp else None
            if no_fork is not None:
                programs["no_fork"] = no_fork
                errors.append("no writable cgroup to count CPU of forked children: executions may not fork")
            else:
                errors.append("no writable cgroup and no seccomp: CPU of forked children is not counted")
        if self._image:
            where, why = image.ensure(self._python, os.geteuid() != 0 or self._worker_uid is not None)
            if where is not None:
                cfg["image"] = where
            else:
                errors.append(why)
        cfg["errors"] = errors
        try:
            worker = Worker(cfg, programs, cgroups, self._start_timeout, self._python, self._worker_uid)
        except BaseException:
            if cgroups is not None:
                cgroups.remove()
            raise
        with self._lock:
            self._live.add(worker)
            if self._info is None:
                self._info = worker.info
        return worker

    @contextlib.contextmanager
    def _worker(self):
        if self._closed:
            raise RuntimeError("the sandbox is closed")
        if os.getpid() != self._pid:
            raise RuntimeError("a Sandbox cannot be used across fork(); create one in the child process")
        self._slots.acquire()
        worker = None
        broken = False
        try:
            while worker is None:
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    worker = self._spawn()
                if worker.proc.poll() is not None:  # died while idle (killed from outside)
                    self._retire(worker)
                    worker = None
            yield worker
        except WorkerBroken:
            broken = True
            raise
        finally:
            if worker is not None:
                if broken or self._closed:
                    self._retire(worker)
                else:
                    self._idle.put(worker)
            self._slots.release()

    def _retire(self, worker: Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.close()

    @property
    def isolation(self) -> IsolationInfo:
        """What the workers achieved on this machine (starts a worker if none is running)."""
        if self._info is None:
            with self._worker():
                pass
        assert self._info is not None
        return self._info

    def worker_cpu_s(self) -> float:
        """CPU seconds used so far by the live workers and everything they ran (Linux ``/proc``).

        Each live process of a worker's tree counts its own time and that of the children it has
        reaped (the zygote reaps the executions), so every CPU second is counted once.
        """
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for worker in list(self._live):
            stack = [worker.proc.pid]
            while stack:
                p = stack.pop()
                try:
                    with open(f"/proc/{p}/stat", "rb") as fh:
                        fields = fh.read().rsplit(b")", 1)[1].split()
                    with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                        stack.extend(map(int, fh.read().split()))
                except OSError:
                    continue
                total += sum(int(x) for x in fields[11:15])  # utime, stime, reaped children's
        return total / tick

    def warm_up(self) -> None:
        """Start every worker now rather than on first use."""
        with self._lock:
            missing = self.workers - len(self._live)
        started = [self._spawn() for _ in range(max(0, missing))]
        for w in started:
            self._idle.put(w)

    def close(self) -> None:
        """Stop all workers (idempotent). Running calls finish first; later calls raise."""
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(worker)
        with self._lock:
            rest = list(self._live)
        for worker in rest:
            if worker.proc.poll() is not None:
                self._retire(worker)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if not self._closed and os.getpid() == self._pid:
                self.close()

    # ------------------------------------------------------------------------------------- jobs

    def _execute(
        self,
        header: dict[str, Any],
        blobs: dict[str, bytes],
        limits: Limits,
        on_progress: Callable[[dict[str, Any], dict[str, bytes]], bool] | None,
    ) -> tuple[dict[str, Any], dict[str, bytes], int]:
        """Run one job on a worker; returns the done frame, its blobs, and the OOM kills it caused."""
        header = {"op": "job", "id": next(self._ids), "limits": limits.wire(), **header}
        n = int(header.get("n", 1))
        budget = limits.wall_s * (n + 1) + 30.0
        with self._worker() as worker:
            cg = worker.cgroups
            if cg is not None:
                cg.set_memory(max(self._cgroup_memory(limits), self._cgroup_memory(self.limits)))
            done, out = worker.request(header, blobs, on_progress or _no_progress, time.monotonic() + budget)
            ooms = 0
            if cg is not None and "memory" in cg.dirs and (done.get("signal") or done.get("sub_signal")):
                # Only a killed process can have been the OOM killer's victim: read the counter then.
                total = cg.oom_kills()
                ooms, worker.ooms_seen = total - worker.ooms_seen, total
            return done, out, ooms

    def run(
        self, code: str, stdin: str = "", argv: Sequence[str] = (), limits: Limits | None = None
    ) -> ExecResult:
        """Run ``code`` as a program (``__main__``) with ``stdin`` and ``argv``.

        The verdict is OK when it exits with status 0 within every limit; compare ``stdout`` yourself
        or use :meth:`run_tests` with :class:`TestCase`.
        """
        limits = limits or self.limits
        source = _source(code)
        if len(source) > MAX_CODE_BYTES:
            return ExecResult(Verdict.RUNTIME_ERROR, message=f"source longer than {MAX_CODE_BYTES} bytes")
        stdin_bytes = _utf8(stdin) if isinstance(stdin, str) else bytes(stdin)
        header = {"kind": "run", "n": 1, "argv": [str(a) for a in argv]}
        try:
            done, out, ooms = self._execute(
                header, {"code": _utf8(source), "in.0": stdin_bytes}, limits, None
            )
        except WorkerBroken as exc:
            return ExecResult(Verdict.SANDBOX_ERROR, message=f"sandbox worker failed: {exc}")
        memory_error = parse_record(out.get("record", b"")).get("etype") == "MemoryError"
        verdict, message = process_verdict(done, limits, ooms, memory_error)
        stderr = text(out.get("stderr", b""))
        if verdict is Verdict.RUNTIME_ERROR and not message.startswith("killed"):
            message = clip(stderr.strip() or message)
        return ExecResult(
            verdict=verdict,
            stdout=text(out.get("stdout", b"")),
            stderr=stderr,
            exit_code=done.get("exit_code"),
            signal=done.get("signal"),
            wall_s=float(done.get("wall_s") or 0.0),
            cpu_s=done.get("cpu_s"),
            max_rss_mb=(done["maxrss_kb"] / 1024) if done.get("maxrss_kb") else None,
            message=message,
        )

    def run_tests(
        self,
        code: str,
        tests: Iterable[TestCase | CallTest | CheckTest],
        *,
        limits: Limits | None = None,
        stop_on_first_failure: bool = True,
        compare: Callable[[Any, Any], bool] | None = None,
        isolate_tests: bool = False,
        shared_process: bool = False,
    ) -> TestReport:
        """Run every test of one submission, each in a fresh process; many share one execution.

        Args:
            code: the submission.
            tests: all :class:`TestCase`, all :class:`CallTest`, or :class:`CheckTest` (one each).
            limits: per-test limits (defaults to the sandbox's).
            stop_on_first_failure: stop (and kill the process) at the first failing test; the rest are
                marked SKIPPED.
            compare: ``(actual, expected) -> bool``; defaults to :func:`~.compare.stdout_equal` for
                stdout and :func:`~.compare.returned_equal` for return values. It runs here, in the scorer.
            isolate_tests: run each test in an execution of its own (new namespaces and area; slower).
                Without it each test still runs in a fresh process of its own, with nothing left by
                the tests before it.
            shared_process: ``CallTest`` only: the tests are the calls of *one* test (the asserts of a
                check, say), run one after another in one process where the module's state carries
                from call to call, as in that check; each call still sees its arguments only when it
                starts. Much cheaper than a process per call; not for independent tests.
        """
        tests = list(tests)
        limits = limits or self.limits
        report = TestReport(results=[])
        if not tests:
            return report
        source = _source(code)
        kinds = {type(t) for t in tests}
        if len(kinds) != 1 or not kinds <= {TestCase, CallTest, CheckTest}:
            raise TypeError("tests must be all TestCase, all CallTest or all CheckTest")
        results: list[TestResult | None] = [None] * len(tests)
        if len(source) > MAX_CODE_BYTES:
            msg = f"source longer than {MAX_CODE_BYTES} bytes"
            report.results = [TestResult(i, Verdict.RUNTIME_ERROR, message=msg) for i in range(len(tests))]
            return report
        kind = {TestCase: "stdio", CallTest: "calls", CheckTest: "check"}[kinds.pop()]
        if compare is None:
            compare = stdout_equal if kind == "stdio" else returned_equal
        started = time.monotonic()
        stderr_parts: list[str] = []
        start = 0
        while start < len(tests):
            # Every test runs in a fresh process of its own; several share an execution (and its one
            # module compilation) unless asked otherwise. A check is always an execution of its own.
            stop_at = start + 1 if (isolate_tests or kind == "check") else len(tests)
            chunk = tests[start:stop_at]
            try:
                failed = self._run_chunk(
                    kind,
                    source,
                    chunk,
                    start,
                    results,
                    limits,
                    compare,
                    stop_on_first_failure,
                    stderr_parts,
                    shared_process and kind == "calls",
                )
            except WorkerBroken as exc:
                idx = next(i for i in range(start, len(tests)) if results[i] is None)
                results[idx] = TestResult(idx, Verdict.SANDBOX_ERROR, message=f"sandbox worker failed: {exc}")
                failed = True
            report.processes += 1
            if failed and stop_on_first_failure:
                break
            nxt = next((i for i in range(start, len(tests)) if results[i] is None), len(tests))
            start = max(nxt, start + 1)
        report.results = [
            r if r is not None else TestResult(i, Verdict.SKIPPED) for i, r in enumerate(results)
        ]
        report.stderr = clip("".join(stderr_parts), 8000)
        report.wall_s = time.monotonic() - started
        return report

    def _run_chunk(
        self,
        kind: str,
        source: str,
        chunk: list[Any],
        offset: int,
        results: list[TestResult | None],
        limits: Limits,
        compare: Callable[[Any, Any], bool],
        stop: bool,
        stderr_parts: list[str],
        shared: bool = False,
    ) -> bool:
        """Run ``chunk`` in one execution, filling ``results``; return True if a test failed."""
        n = len(chunk)
        blobs: dict[str, bytes] = {"code": _utf8(source)}
        # With stop-on-first-failure the worker starts each test only once this process has said the
        # one before passed (expected outputs never leave it): no test runs after a failed one.
        header: dict[str, Any] = {"kind": kind, "n": n, "shared": shared, "gate": stop and n > 1}
        if kind == "stdio":
            header["argvs"] = [[str(a) for a in t.argv] for t in chunk]
            for k, t in enumerate(chunk):
                blobs[f"in.{k}"] = _utf8(t.stdin)
        elif kind == "calls":
            header["fns"] = [str(t.fn_name) for t in chunk]
            for k, t in enumerate(chunk):
                blobs[f"in.{k}"] = codec.dumps([list(t.args), dict(t.kwargs)]).encode("ascii")
        else:
            (t,) = chunk
            header.update(entry_point=str(t.entry_point), check_fn=str(t.check_fn))
            blobs["check_code"] = _utf8(t.check_code)
        state: dict[str, Any] = {"failed": False, "fatal": None}

        def progress(h: dict[str, Any], b: dict[str, bytes]) -> bool:
            k = h.get("k")
            if not isinstance(k, int) or not 0 <= k < n or results[offset + k] is not None:
                raise WorkerBroken("a progress frame for no test in flight")
            rec = parse_record(b.get("record", b""))
            stderr_parts.append(text(b.get("stderr", b"")))
            if h.get("fatal"):  # the module did not compile (the trusted init says so, not the program)
                state["fatal"] = True
            res = test_result(kind, offset + k, chunk[k], rec, b, h, limits, compare)
            results[offset + k] = res
            if not res.ok:
                state["failed"] = True
            return stop and not res.ok

        done, out, ooms = self._execute(header, blobs, limits, progress if kind != "check" else None)
        stderr_parts.append(text(out.get("stderr", b"")))
        if kind == "check":
            # The checker's own output stays out of the report: it may quote the hidden test.
            rec = parse_record(out.get("record", b""))
            first = test_result(kind, offset, chunk[0], rec, out, {"cpu": done.get("cpu_s")}, limits, compare)
            ended = (
                done.get("timed_out")
                or done.get("cpu_over")
                or done.get("violation")
                or done.get("sub_signal")
            )
            if ended or not rec:
                # A limit, or the candidate's death, explains a failure better than what the checker saw.
                verdict, message = process_verdict(done, limits, ooms, False, sub=True)
                if not rec or verdict not in (Verdict.OK, Verdict.KILLED):
                    if verdict is Verdict.OK:
                        verdict, message = Verdict.RUNTIME_ERROR, "the check ended without a verdict"
                    first.verdict, first.message = verdict, message
            results[offset] = first
            return not first.ok
        if state["fatal"]:  # the module itself failed: every test of the chunk fails the same way
            first = results[offset]
            if first.ok:  # a shared process's submission can say "X" with a record of its own making
                first.verdict, first.message = Verdict.RUNTIME_ERROR, "the module did not compile"
                state["failed"] = True
            for k in range(1, n):
                if results[offset + k] is None:
                    results[offset + k] = TestResult(offset + k, first.verdict, message=first.message)
            return True
        idx = done.get("inflight")
        if isinstance(idx, int) and 0 <= idx < n and results[offset + idx] is None:
            # The test in flight when the execution ended: a limit, a violation, or the init died.
            if done.get("aborted"):
                return state["failed"]
            verdict, message = process_verdict(done, limits, ooms, False)
            actual = None
            if kind == "stdio":
                actual = text(out.get("inflight_stdout", b""))
            stderr = text(out.get("inflight_stderr", b""))
            stderr_parts.append(stderr)
            if verdict is Verdict.OK:
                verdict, message = Verdict.RUNTIME_ERROR, "the process exited before the test finished"
            elif verdict is Verdict.RUNTIME_ERROR and not message.startswith("killed"):
                message = clip(stderr.strip() or message)
            results[offset + idx] = TestResult(
                offset + idx, verdict, actual=actual, message=message, wall_s=done.get("wall_s")
            )
            state["failed"] = True
        elif int(done.get("tests") or 0) < n and not done.get("aborted") and not state["failed"]:
            verdict, message = process_verdict(done, limits, ooms, False)
            if verdict is not Verdict.OK:  # the init itself died between tests (a limit, the worker)
                first_missing = next(k for k in range(n) if results[offset + k] is None)
                results[offset + first_missing] = TestResult(offset + first_missing, verdict, message=message)
                state["failed"] = True
            # else it stopped early on purpose (its area could not be tidied): the rest run anew
        return state["failed"]

    # ------------------------------------------------------------------------------------ batches

    def run_inputs(self, code: str, stdins: Iterable[str], *, limits: Limits | None = None) -> TestReport:
        """Run one program on many inputs and collect its outputs (no expected outputs needed).

        For reference programs and model-proposed inputs: ``report.results[i].actual`` is the stdout
        of input ``i`` when its verdict is OK; a crash or limit on one input does not stop the others.
        """
        tests = [TestCase(stdin=s) for s in stdins]
        return self.run_tests(code, tests, limits=limits, stop_on_first_failure=False, compare=always_equal)

    def run_many(self, requests: Iterable[RunRequest | TestsRequest]) -> list[ExecResult | TestReport]:
        """Run a batch concurrently on all workers; results come back in order."""
        requests = list(requests)
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="sandbox")

        def one(req: RunRequest | TestsRequest) -> ExecResult | TestReport:
            if isinstance(req, RunRequest):
                return self.run(req.code, req.stdin, req.argv, req.limits)
            return self.run_tests(
                req.code,
                req.tests,
                limits=req.limits,
                stop_on_first_failure=req.stop_on_first_failure,
                compare=req.compare,
            )

        return list(self._executor.map(one, requests))


def _no_progress(header: dict[str, Any], blobs: dict[str, bytes]) -> bool:
    raise WorkerBroken("a progress frame for a single execution")


# ------------------------------------------------------------------------------- shared default

_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide shared sandbox, created on first use (default limits, one worker per core)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed or _default._pid != os.getpid():
            _default = Sandbox()
        return _default


@atexit.register
def _close_default() -> None:
    global _default
    with _default_lock:
        if _default is not None and _default._pid == os.getpid():
            _default.close()
        _default = None
