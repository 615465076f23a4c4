"""The scorer's side: a pool of warm sandbox workers and the public :class:`Sandbox` API.

Each worker is one ``server.py`` process (a fork server inside its own namespaces) that runs one
execution at a time; the pool hands workers to calling threads, so ``run``/``run_tests`` are thread-safe
and ``run_many`` runs a batch on all workers at once. Expected outputs never leave this process: the
worker receives code and inputs, sends back observations, and the comparison happens here.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from guru_envs.sandbox import codec, protocol
from guru_envs.sandbox.compare import returned_equal, stdout_equal
from guru_envs.sandbox.isolation import CgroupFactory, IsolationInfo, WorkerCgroups
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

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")
# The worker runs server.py from its bytecode: compiling its source at start-up would leave ~4 MB of the
# compiler's freed memory in the worker's heap, which every fork copies and every child tears down.
_WORKER_BOOT = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('_guru_sandbox_server', sys.argv[1])\n"
    "server = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(server)\n"
    "del sys.argv[0]\n"
    "server.main()\n"
)
_WORKER_SOURCES = [
    os.path.join(os.path.dirname(SERVER), f"{n}.py") for n in ("server", "protocol", "codec", "harness")
]
_compiled_for: set[str] = set()
MAX_CODE_BYTES = 4 << 20  # longer sources are refused without running
MESSAGE_CHARS = 2000
_CRASH_SIGNALS = {
    int(getattr(signal, n)) for n in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS", "SIGTRAP")
}
_WORKER_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


class SandboxUnavailable(RuntimeError):
    """The requested isolation cannot be had on this machine (or a worker failed to start)."""


class _WorkerBroken(Exception):
    pass


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


def _clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _source(code: Any) -> str:
    if isinstance(code, bytes | bytearray):
        return bytes(code).decode("utf-8", "replace")
    if not isinstance(code, str):
        raise TypeError(f"code must be str or bytes, not {type(code).__name__}")
    return code


def _ensure_bytecode(python: str) -> None:
    """Write the worker modules' bytecode for ``python`` once (it runs with ``-B``, which writes none)."""
    if python in _compiled_for:
        return
    _compiled_for.add(python)
    script = "import compileall, sys\nfor f in sys.argv[1:]:\n    compileall.compile_file(f, quiet=2)\n"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run([python, "-I", "-S", "-c", script, *_WORKER_SOURCES], timeout=60, check=False)


class _Worker:
    """One sandbox worker process and its pipes; used by one thread at a time."""

    def __init__(
        self,
        config: dict[str, Any],
        cgroups: WorkerCgroups | None,
        start_timeout: float,
        python: str,
        user: int | None,
    ) -> None:
        self.cgroups = cgroups
        self.uids = (int(config["uid"]), int(config["checker_uid"]))
        extra: dict[str, Any] = {}
        if user is not None:
            extra.update(user=user, group=user, extra_groups=[])
        _ensure_bytecode(python)
        self.proc = subprocess.Popen(
            [python, "-I", "-S", "-B", "-c", _WORKER_BOOT, SERVER, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(_WORKER_ENV),
            cwd="/",
            close_fds=True,
            start_new_session=True,
            bufsize=0,
            **extra,
        )
        self.rfd = self.proc.stdout.fileno()
        self.wfd = self.proc.stdin.fileno()
        self.buf = protocol.FrameBuffer()
        try:
            header, _ = protocol.read_frame(self.rfd, self.buf, time.monotonic() + start_timeout)
        except (EOFError, TimeoutError, protocol.ProtocolError) as exc:
            self.close()
            raise SandboxUnavailable(f"sandbox worker did not start: {exc}") from None
        if header.get("op") != "ready":
            self.close()
            raise SandboxUnavailable(f"sandbox worker failed: {header.get('message', header)}")
        self.ooms_seen = cgroups.oom_kills() if cgroups is not None else 0
        self.info = IsolationInfo(
            header["mode"], tuple(header.get("layers", ())), tuple(header.get("errors", ()))
        )

    def request(
        self,
        header: dict[str, Any],
        blobs: dict[str, bytes],
        on_progress: Callable[[dict[str, Any], dict[str, bytes]], bool],
        deadline: float,
    ) -> tuple[dict[str, Any], dict[str, bytes]]:
        """Send a job; feed progress frames to ``on_progress`` (True = abort); return the done frame."""
        try:
            protocol.write_all(self.wfd, protocol.pack(header, blobs))
            aborted = False
            while True:
                reply, rblobs = protocol.read_frame(self.rfd, self.buf, deadline)
                op = reply.get("op")
                if reply.get("id") != header["id"]:
                    raise _WorkerBroken(f"reply for another job: {op}")
                if op == "progress":  # a burst of test records
                    over = reply.get("over") or []
                    stop = False
                    for i in range(int(reply.get("count", 0))):
                        one = {
                            "k": int(reply["k"]) + i,
                            "stdout_over": bool(over[i]) if i < len(over) else False,
                        }
                        parts = {
                            "record": rblobs.get(f"record.{i}", b""),
                            "stdout": rblobs.get(f"stdout.{i}", b""),
                        }
                        stop = on_progress(one, parts) or stop
                    if stop and not aborted:
                        aborted = True
                        protocol.write_all(self.wfd, protocol.pack({"op": "abort", "id": header["id"]}))
                elif op == "done":
                    return reply, rblobs
                else:
                    raise _WorkerBroken(str(reply.get("message", reply))[-2000:])
        except (OSError, EOFError, TimeoutError, protocol.ProtocolError) as exc:
            raise _WorkerBroken(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        """Stop the worker (its namespace and everything in it die with it) and remove its cgroups."""
        with contextlib.suppress(OSError):
            protocol.write_all(self.wfd, protocol.pack({"op": "exit"}))
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        if self.cgroups is not None:
            self.cgroups.remove()


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
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
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

    def _spawn(self) -> _Worker:
        cgroups = None
        cfg = self._config()
        if self._cgroups is not None and self._cgroups.available:
            cgroups = self._cgroups.create(
                2 * self.limits.max_processes + 16, self._cgroup_memory(self.limits)
            )
            if self._worker_uid is not None:
                cgroups.delegate(self._worker_uid)
            cfg["cgroups"] = cgroups.join_spec()
        try:
            worker = _Worker(cfg, cgroups, self._start_timeout, self._python, self._worker_uid)
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
        except _WorkerBroken:
            broken = True
            raise
        finally:
            if worker is not None:
                if broken or self._closed:
                    self._retire(worker)
                else:
                    self._idle.put(worker)
            self._slots.release()

    def _retire(self, worker: _Worker) -> None:
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
        on_progress: Callable[[dict[str, Any], dict[str, bytes]], bool],
    ) -> tuple[dict[str, Any], dict[str, bytes], int]:
        """Run one job on a worker; returns the done frame, its blobs, and the OOM kills it caused."""
        header = {"op": "job", "id": next(self._ids), "limits": limits.wire(), **header}
        n = int(header.get("n", 1))
        budget = limits.wall_s * (n + 1) + 30.0
        with self._worker() as worker:
            cg = worker.cgroups
            if cg is not None:
                cg.set_memory(max(self._cgroup_memory(limits), self._cgroup_memory(self.limits)))
            done, out = worker.request(header, blobs, on_progress, time.monotonic() + budget)
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
        stdin_bytes = stdin.encode("utf-8", "surrogateescape") if isinstance(stdin, str) else bytes(stdin)
        records: list[bytes] = []

        def progress(h: dict[str, Any], b: dict[str, bytes]) -> bool:
            records.append(b.get("record", b""))
            return False

        header = {"kind": "run", "n": 1, "argv": [str(a) for a in argv]}
        try:
            done, out, ooms = self._execute(
                header, {"code": source.encode(), "in.0": stdin_bytes}, limits, progress
            )
        except _WorkerBroken as exc:
            return ExecResult(Verdict.SANDBOX_ERROR, message=f"sandbox worker failed: {exc}")
        memory_error = any(_parse_record(r).get("etype") == "MemoryError" for r in records)
        verdict, message = _process_verdict(done, limits, ooms, memory_error)
        stderr = _text(out.get("stderr", b""))
        if verdict is Verdict.RUNTIME_ERROR and not message.startswith("killed"):
            message = _clip(stderr.strip() or message)
        return ExecResult(
            verdict=verdict,
            stdout=_text(out.get("stdout", b"")),
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
    ) -> TestReport:
        """Run every test of one submission; many tests share one process where that is safe.

        Args:
            code: the submission.
            tests: all :class:`TestCase`, all :class:`CallTest`, or :class:`CheckTest` (one each).
            limits: per-test limits (defaults to the sandbox's).
            stop_on_first_failure: stop (and kill the process) at the first failing test; the rest are
                marked SKIPPED.
            compare: ``(actual, expected) -> bool``; defaults to :func:`~.compare.stdout_equal` for
                stdout and :func:`~.compare.returned_equal` for return values. It runs here, in the scorer.
            isolate_tests: run each test in a fresh process (slower; for programs with global effects).
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
            stop_at = start + 1 if (isolate_tests or kind == "check") else len(tests)
            chunk = tests[start:stop_at]
            try:
                failed = self._run_chunk(
                    kind, source, chunk, start, results, limits, compare, stop_on_first_failure, stderr_parts
                )
            except _WorkerBroken as exc:
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
        report.stderr = _clip("".join(stderr_parts), 8000)
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
    ) -> bool:
        """Run ``chunk`` in one process, filling ``results``; return True if a test failed."""
        n = len(chunk)
        blobs: dict[str, bytes] = {"code": source.encode("utf-8", "surrogateescape")}
        header: dict[str, Any] = {"kind": kind, "n": n, "stop_on_error": stop}
        if kind == "stdio":
            header["argvs"] = [[str(a) for a in t.argv] for t in chunk]
            for k, t in enumerate(chunk):
                blobs[f"in.{k}"] = t.stdin.encode("utf-8", "surrogateescape")
        elif kind == "calls":
            header["fns"] = [str(t.fn_name) for t in chunk]
            for k, t in enumerate(chunk):
                blobs[f"args.{k}"] = codec.dumps([list(t.args), dict(t.kwargs)]).encode("ascii")
        else:
            (t,) = chunk
            header.update(entry_point=str(t.entry_point), check_fn=str(t.check_fn))
            blobs["check_code"] = t.check_code.encode("utf-8", "surrogateescape")
        state: dict[str, Any] = {"failed": False, "fatal": None, "unsafe": False}

        def progress(h: dict[str, Any], b: dict[str, bytes]) -> bool:
            k = int(h["k"])
            rec = _parse_record(b.get("record", b""))
            if rec.get("k") != k:  # written by the program, not the harness
                rec = {"status": "error", "message": "the result channel was tampered with"}
            if rec.get("fatal") and state["fatal"] is None:
                state["fatal"] = rec
            if rec.get("unsafe"):  # the harness stopped on purpose; the rest runs in a new process
                state["unsafe"] = True
            res = _test_result(kind, offset + k, chunk[k], rec, b, h, limits, compare)
            results[offset + k] = res
            if not res.ok:
                state["failed"] = True
            return stop and not res.ok

        done, out, ooms = self._execute(header, blobs, limits, progress)
        stderr_parts.append(_text(out.get("stderr", b"")))
        if kind == "check":
            stderr_parts.append(_text(out.get("checker_stderr", b"")))
            first = results[offset]
            if first is not None and first.verdict is Verdict.RUNTIME_ERROR and done.get("sub_signal"):
                # The candidate died: a limit (SIGXCPU, SIGXFSZ, OOM) explains it better than "crashed".
                sub_done = {"signal": done["sub_signal"], "exit_code": None}
                verdict, message = _process_verdict(sub_done, limits, ooms, False)
                if verdict is not Verdict.KILLED:
                    first.verdict, first.message = verdict, message
        fatal = state["fatal"]
        if fatal is not None:  # the module itself failed: every test of the chunk fails the same way
            first = results[offset]
            for k in range(1, n):
                if results[offset + k] is None:
                    verdict = first.verdict if first is not None else Verdict.RUNTIME_ERROR
                    results[offset + k] = TestResult(
                        offset + k, verdict, message=first.message if first else ""
                    )
            return True
        records = int(done.get("records") or 0)
        if state["unsafe"] and not done.get("timed_out") and done.get("exit_code") == 0:
            return state["failed"]
        if records < n and results[offset + records] is None:
            idx = offset + records
            if done.get("aborted"):
                return state["failed"]
            memory_error = False
            verdict, message = _process_verdict(done, limits, ooms, memory_error, sub=(kind == "check"))
            actual = None
            if kind == "stdio":
                actual = _text(out.get("inflight_stdout", b""))
                if verdict is Verdict.OK:  # os._exit(0) after printing: judge the output like any other
                    verdict, message = _judge(compare, actual, chunk[records].expected_stdout)
            elif verdict is Verdict.OK:
                verdict, message = Verdict.RUNTIME_ERROR, "the process exited before the test finished"
            if verdict is Verdict.RUNTIME_ERROR and not message.startswith("killed"):
                message = _clip(_text(out.get("stderr", b"")).strip() or message)
            results[idx] = TestResult(idx, verdict, actual=actual, message=message, wall_s=done.get("wall_s"))
            if verdict is not Verdict.OK:
                state["failed"] = True
        return state["failed"]

    # ------------------------------------------------------------------------------------ batches

    def run_inputs(self, code: str, stdins: Iterable[str], *, limits: Limits | None = None) -> TestReport:
        """Run one program on many inputs and collect its outputs (no expected outputs needed).

        For reference programs and model-proposed inputs: ``report.results[i].actual`` is the stdout
        of input ``i`` when its verdict is OK; a crash or limit on one input does not stop the others.
        """
        tests = [TestCase(stdin=s) for s in stdins]
        return self.run_tests(code, tests, limits=limits, stop_on_first_failure=False, compare=_always_equal)

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


# ---------------------------------------------------------------------------------------- verdicts


def _always_equal(actual: Any, expected: Any) -> bool:
    return True


def _parse_record(raw: bytes) -> dict[str, Any]:
    """A child's record line, or {} if it is not a JSON object (only a hostile child sends such)."""
    try:
        rec = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return rec if isinstance(rec, dict) else {}


def _judge(compare: Callable[[Any, Any], bool], actual: Any, expected: Any) -> tuple[Verdict, str]:
    try:
        same = bool(compare(actual, expected))
    except Exception as exc:  # a comparator must not crash the scorer
        return Verdict.WRONG_ANSWER, f"comparison failed: {type(exc).__name__}"
    if same:
        return Verdict.OK, ""
    shown = actual if isinstance(actual, str) else _safe_repr(actual)
    return Verdict.WRONG_ANSWER, _clip(f"wrong answer; got: {shown}", 1000)


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        return "<unprintable value>"
    return _clip(text, 1000)


def _error_verdict(rec: dict[str, Any]) -> tuple[Verdict, str]:
    etype = str(rec.get("etype", ""))
    message = str(rec.get("traceback") or rec.get("message") or etype or "runtime error")
    if etype == "MemoryError":
        return Verdict.MEMORY_LIMIT, "MemoryError: memory limit exceeded"
    if etype == "OSError" and "[Errno 27]" in message:  # EFBIG: past the output cap with SIGXFSZ ignored
        return Verdict.OUTPUT_LIMIT, "output limit exceeded"
    return Verdict.RUNTIME_ERROR, _clip(message)


def _test_result(
    kind: str,
    index: int,
    test: Any,
    rec: dict[str, Any],
    blobs: dict[str, bytes],
    header: dict[str, Any],
    limits: Limits,
    compare: Callable[[Any, Any], bool],
) -> TestResult:
    """Turn one record from the child into a verdict, comparing here with the expected value."""
    status = rec.get("status")
    wall, cpu = rec.get("wall"), rec.get("cpu")
    wall = float(wall) if isinstance(wall, int | float) else None
    cpu = float(cpu) if isinstance(cpu, int | float) else None
    actual: Any = None
    if kind == "stdio":
        actual = _text(blobs.get("stdout", b""))
        if header.get("stdout_over"):
            verdict, message = Verdict.OUTPUT_LIMIT, f"output exceeded {limits.output_bytes} bytes"
        elif status == "ok":
            verdict, message = _judge(compare, actual, test.expected_stdout)
        elif status == "exit":
            verdict, message = Verdict.RUNTIME_ERROR, f"exit status {rec.get('exit_code')}"
        else:
            verdict, message = _error_verdict(rec)
    elif kind == "calls":
        if status == "ok":
            try:
                actual = codec.decode(rec.get("value"))
            except codec.DecodeError as exc:
                verdict, message = Verdict.WRONG_ANSWER, f"malformed result: {exc}"
            else:
                verdict, message = _judge(compare, actual, test.expected)
        elif status == "unserialisable":
            verdict, message = (
                Verdict.WRONG_ANSWER,
                _clip(str(rec.get("message", "result is not plain data"))),
            )
        elif status == "exit":
            verdict, message = Verdict.RUNTIME_ERROR, _clip(str(rec.get("message", "SystemExit")))
        else:
            verdict, message = _error_verdict(rec)
    else:  # check
        if status == "ok":
            verdict, message = Verdict.OK, ""
        elif status == "timeout":
            verdict, message = Verdict.TIMEOUT, "the candidate did not return in time"
        elif status == "fail" and rec.get("etype") == "AssertionError":
            verdict, message = Verdict.WRONG_ANSWER, _clip(str(rec.get("traceback") or "assertion failed"))
        elif status == "candidate":
            message = _clip(str(rec.get("message", "candidate failed")))
            verdict = Verdict.MEMORY_LIMIT if message.startswith("MemoryError") else Verdict.RUNTIME_ERROR
        else:
            verdict, message = _error_verdict(rec)
    if verdict is Verdict.OK and cpu is not None and cpu > limits.cpu_s:
        verdict, message = Verdict.TIMEOUT, f"CPU time {cpu:.2f}s over the {limits.cpu_s}s limit"
    return TestResult(index, verdict, actual=actual, message=message, wall_s=wall, cpu_s=cpu)


def _process_verdict(
    done: dict[str, Any], limits: Limits, ooms: int, memory_error: bool, sub: bool = False
) -> tuple[Verdict, str]:
    """Verdict of a process from how it ended (worker facts only; the child's own claims are ignored)."""
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
    if any(done.get(k) for k in ("stdout_over", "stderr_over", "inflight_over")) or sig == signal.SIGXFSZ:
        return Verdict.OUTPUT_LIMIT, f"output exceeded {limits.output_bytes} bytes"
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_s):
        return Verdict.TIMEOUT, f"CPU time limit of {limits.cpu_s}s exceeded"
    if ooms > 0 or (memory_error and code) or (sig is not None and rss_mb >= 0.95 * limits.memory_mb):
        return Verdict.MEMORY_LIMIT, f"memory limit of {limits.memory_mb} MB exceeded"
    if sig is not None:
        name = _signame(sig)
        if sig in _CRASH_SIGNALS:
            return Verdict.RUNTIME_ERROR, f"killed by {name}"
        return Verdict.KILLED, f"killed by {name}"
    if code is None:
        return Verdict.SANDBOX_ERROR, "no exit status"
    if code != 0:
        return Verdict.RUNTIME_ERROR, f"exit status {code}"
    return Verdict.OK, ""


def _signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


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
