"""What the worker waits on while an execution runs: its pid 1, its record pipe, the scorer, the clocks.

:class:`Watch` polls them; :class:`Budget` enforces a test's CPU limit from outside with a clock that
counts the execution's whole process tree: :class:`CgroupClock` (the role's CPU cgroup, where the scorer
could make one) or :class:`TreeClock` (``/proc``, the fallback). Stdlib-only; shipped to the worker as
bytecode.
"""

from __future__ import annotations

import os
import select
import time


class CgroupClock:
    """CPU seconds of every process in a role's CPU cgroup, forked children included."""

    def __init__(self, fd: int, kind: str) -> None:
        self.fd, self.kind = fd, kind

    def read(self) -> float | None:
        try:
            raw = os.pread(self.fd, 4096, 0)
            if self.kind == "v1":
                return int(raw) / 1e9
            for line in raw.split(b"\n"):
                if line.startswith(b"usage_usec "):
                    return int(line.split()[1]) / 1e6
        except (OSError, ValueError):
            pass
        return None


class TreeClock:
    """CPU seconds of a process tree from ``/proc``: live processes plus the children they reaped.

    The fallback where no cgroup can be had: a child whose parent ignores SIGCHLD is reaped without its
    time being counted, so the worker then also stacks a filter that refuses new processes
    (:func:`guru_envs.sandbox.seccomp.no_fork_program`).
    """

    _TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, root: int) -> None:
        self.root = root

    def read(self) -> float | None:
        total, stack, seen = 0, [self.root], 0
        while stack and seen < 4096:
            pid = stack.pop()
            seen += 1
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    raw = fh.read()
                fields = raw[raw.rindex(b")") + 2 :].split()
                total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
                with open(f"/proc/{pid}/task/{pid}/children", "rb") as fh:
                    stack.extend(int(x) for x in fh.read().split())
            except (OSError, ValueError, IndexError):
                if pid == self.root:
                    return None
        return total / self._TICK


class Budget:
    """A per-test CPU limit enforced from outside: the processes cannot reset it as they could an itimer.

    The clock is read only when the test could have spent its allowance: the execution's processes
    spend at most ``ncpu`` CPU seconds per wall second, so the first look is ``cpu_s / ncpu`` after the
    test starts, and the next one when the rest could have gone. A fast test costs two reads (start and
    end) where a cgroup counts, and none for a single run.
    """

    NCPU = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    def __init__(self, clock: CgroupClock | TreeClock, cpu_s: float) -> None:
        self.clock, self.cpu_s = clock, cpu_s
        self.base: float | None = 0.0
        self.last: float | None = None  # the clock's last reading
        self.check_at = float("inf")

    def start(self, now: float, base: float | None = None) -> None:
        """A new test starts ``now``; ``base``: the clock's reading at its start, if just read."""
        self.base = self.clock.read() if base is None else base
        self.check_at = now + self.cpu_s / self.NCPU

    def spent(self) -> float | None:
        cpu = self.last = self.clock.read()
        if cpu is None or self.base is None:
            return None
        return max(0.0, cpu - self.base)

    def over(self, now: float) -> bool:
        spent = self.spent()
        if spent is None:
            self.check_at = float("inf")
            return False
        if spent >= self.cpu_s:
            return True
        self.check_at = now + max(0.005, (self.cpu_s - spent) / self.NCPU)
        return False


class Watch:
    """Waits on one execution: its pid 1, its record pipe, the scorer's pipe, the clocks.

    Records are one JSON line each; during a test at most one is taken (the test in flight is the only
    one it can be about: the worker, not the record, says which), and a second line, or one longer than
    ``line_cap``, is a violation that ends the execution.
    """

    def __init__(self, read_parent, jid: int, pidfd: int, res_r: int, line_cap: int) -> None:
        self.read_parent, self.jid, self.pidfd, self.res_r, self.line_cap = (
            read_parent,
            jid,
            pidfd,
            res_r,
            line_cap,
        )
        os.set_blocking(res_r, False)
        self.poller = select.poll()
        for fd in (pidfd, res_r, 0):
            self.poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self.pending = bytearray()
        self.record: bytes | None = None
        self.violation = ""
        self.res_open = True
        self.extras: set[int] = set()

    def extra(self, fd: int) -> None:
        self.poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self.extras.add(fd)

    def drop(self, fd: int) -> None:
        try:
            self.poller.unregister(fd)
        except KeyError:
            pass
        self.extras.discard(fd)

    def new_window(self) -> None:
        self.record = None
        self.pending.clear()

    def _drain(self) -> None:
        while self.res_open:
            try:
                chunk = os.read(self.res_r, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                self.drop(self.res_r)
                self.res_open = False
                return
            self.pending += chunk
            self.take_record()
            if self.violation:
                return

    def take_record(self) -> None:
        nl = self.pending.find(b"\n")
        if nl < 0:
            if len(self.pending) > self.line_cap:
                self.violation = "a result record exceeded the output limit"
            return
        if self.record is not None:
            self.violation = "more result records than tests"
            return
        if nl > self.line_cap:
            self.violation = "a result record exceeded the output limit"
            return
        self.record = bytes(self.pending[:nl])
        del self.pending[: nl + 1]
        if self.pending.strip():
            self.violation = "more result records than tests"

    def until_event(self, deadline: float, budget: Budget, wake=None) -> dict:
        """Poll until something needs the caller: a ready extra fd, the end, a limit, an abort.

        Or, with ``wake`` (a callable), a frame of the scorer after which ``wake()`` is true.
        """
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                return {"stop": True, "timed_out": True}
            if budget.check_at <= now and budget.over(now):
                return {"stop": True, "cpu_over": True}
            left = min(left, max(0.0, budget.check_at - now))
            ready = []
            for fd, _ in self.poller.poll(max(1, int(left * 1000) + 1)):
                if fd == self.pidfd:
                    self._drain()
                    return {"stop": True, "exited": True, "ready": ready}
                if fd == self.res_r:
                    self._drain()
                elif fd == 0:
                    if not self.read_parent(self.jid):
                        return {"stop": True, "aborted": True}
                    if wake is not None and wake():
                        return {"granted": True, "ready": ready}
                elif fd in self.extras:
                    ready.append(fd)
            if self.violation:
                return {"stop": True, "violation": self.violation}
            if ready:
                return {"ready": ready}

    def until_exit(self, deadline: float, budget: Budget) -> dict:
        """A single execution: wait until its pid 1 exits (or a limit, or an abort); attach its record."""
        state = self.until_event(deadline, budget)
        self._drain()
        if self.record is None:
            self.take_record()
        if self.violation and not state.get("violation"):
            state["violation"] = self.violation
        state["record"] = self.record
        return state
