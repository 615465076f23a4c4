"""Hard time limits for trusted-but-unbounded work (sympy, big parsers): persistent killable workers.

``signal.alarm`` cannot interrupt a single long C call (``9**9**9**9`` in sympy) and does not work off
the main thread, so the only limit that always holds is a separate process that can be killed. Workers
are forked once and reused, so a call costs a pipe round trip (~0.1 ms), not a process start. A worker
that overruns its deadline or dies is killed and replaced; the caller gets a :class:`CallTimeout` or
:class:`WorkerCrashed`. Inside a worker, :func:`guarded_call` runs inline: the outer limit already holds.

This is not a sandbox for untrusted code (see :mod:`guru_envs.sandbox`): it only bounds time and memory.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

IN_WORKER = False  # True inside a guard worker: nested guarded calls run inline


class CallTimeout(Exception):
    """The call ran past its wall-clock limit; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker died (memory limit, segfault) before answering."""


class RemoteError(Exception):
    """The call raised inside the worker; the message carries the original type and text."""


def _worker_main(conn: Connection, memory_mb: int | None) -> None:
    global IN_WORKER
    IN_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("err", "MemoryError: worker memory limit reached")
        except BaseException as exc:  # noqa: BLE001 - everything must go back to the caller
            result = ("err", f"{type(exc).__name__}: {exc}"[:2000])
        try:
            conn.send(result)
        except Exception as exc:  # unpicklable result
            conn.send(("err", f"result could not be sent back: {exc}"[:2000]))


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int | None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        try:
            self.proc.kill()
        except Exception:
            pass
        self.proc.join(timeout=5)
        self.conn.close()


class GuardedPool:
    """A fixed set of forked worker processes running calls under a hard wall-clock limit each.

    Args:
        workers: number of processes (default: CPU count).
        memory_mb: address-space limit per worker (None: no limit).
        start_method: multiprocessing start method; ``fork`` keeps calls cheap and needs no main guard.
    """

    def __init__(self, workers: int | None = None, memory_mb: int | None = 4096, start_method: str = "fork"):
        self.size = max(1, workers or os.cpu_count() or 1)
        self.memory_mb = memory_mb
        self._ctx = mp.get_context(start_method)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("GuardedPool is closed")
            if self._idle:
                return self._idle.pop()
        return _Worker(self._ctx, self.memory_mb)

    def _give(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.size:
                self._idle.append(worker)
                return
        worker.conn.send(None)
        worker.kill()

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` in a worker; raise CallTimeout, WorkerCrashed or RemoteError."""
        (outcome,) = self.map(fn, [(args, kwargs)], timeout=timeout)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def map(
        self, fn: Callable[..., Any], jobs: Iterable[tuple[Sequence[Any], dict[str, Any]]], timeout: float
    ) -> list[Any]:
        """Run many calls concurrently on the pool; each result is a value or an exception instance.

        Each job has its own ``timeout`` seconds from the moment it starts, so one slow job never
        starves the rest.
        """
        pending = list(enumerate(jobs))[::-1]
        results: list[Any] = [None] * len(pending)
        running: dict[Connection, tuple[int, _Worker, float]] = {}
        try:
            while pending or running:
                while pending and len(running) < self.size:
                    index, (args, kwargs) = pending.pop()
                    worker = self._take()
                    try:
                        worker.conn.send((fn, tuple(args), dict(kwargs)))
                    except Exception as exc:
                        results[index] = RemoteError(f"arguments could not be sent: {exc}")
                        self._give(worker)
                        continue
                    running[worker.conn] = (index, worker, time.monotonic() + timeout)
                if not running:  # every call just taken failed to send: nothing to wait for
                    continue
                next_deadline = min(deadline for _, _, deadline in running.values())
                ready = wait(list(running), timeout=max(0.0, next_deadline - time.monotonic()))
                for conn in ready:
                    index, worker, _ = running.pop(conn)
                    try:
                        status, value = conn.recv()
                    except (EOFError, OSError):
                        results[index] = WorkerCrashed("worker died before answering (memory limit or crash)")
                        worker.kill()
                        continue
                    results[index] = value if status == "ok" else RemoteError(value)
                    self._give(worker)
                now = time.monotonic()
                for conn, (index, worker, deadline) in list(running.items()):
                    if now >= deadline and conn not in ready:
                        del running[conn]
                        worker.kill()
                        results[index] = CallTimeout(f"no answer within {timeout:g} s")
        finally:
            for _, worker, _ in running.values():  # interrupted: never leave half-used workers behind
                worker.kill()
        return results

    def close(self) -> None:
        """Stop every idle worker; safe to call twice."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            try:
                worker.conn.send(None)
            except Exception:
                pass
            worker.kill()

    def __enter__(self) -> GuardedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default: GuardedPool | None = None
_default_lock = threading.Lock()


def default_pool() -> GuardedPool:
    """The process-wide pool used by :func:`guarded_call` (created at first use, closed at exit)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = GuardedPool(workers=min(4, os.cpu_count() or 1))
            atexit.register(_default.close)
        return _default


def guarded_call(fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` under a hard ``timeout``; runs inline when already inside a guard worker."""
    if IN_WORKER:
        return fn(*args, **kwargs)
    return default_pool().call(fn, *args, timeout=timeout, **kwargs)
