"""Shared fixtures for the sandbox tests: one warm sandbox per isolation mode, and host-side checks."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from guru_envs.sandbox import Limits, Sandbox

HOSTILE_LIMITS = Limits(
    cpu_s=1, wall_s=1.5, memory_mb=256, output_bytes=64 << 10, max_processes=16, disk_mb=16
)
SYSTEM_PYTHON = "/usr/bin/python3"  # world-readable interpreter for the unprivileged-worker tests
NOBODY = 65534


def _ns_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        return int(raw[raw.rindex(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def execution_processes(sb: Sandbox) -> list[int]:
    """Host pids of processes belonging to executions (not the workers, not a waiting spare child).

    A worker is a launcher plus its pid-1 server and the server's zygote (namespace modes), or a server
    and its zygote ("none" mode). Spare children, forked ahead of their jobs by the zygote, wait
    childless on their job pipe; up to two may exist between executions.
    """
    leftovers: list[int] = []
    for w in list(sb._live):
        launcher = w.proc.pid
        if w.info.mode == "none":
            server = launcher
        else:
            inits = _children(launcher)
            if not inits:
                continue
            server = inits[0]
        # Every process of an execution descends from the server, nested pid namespaces included.
        members = [p for p in _descendants(server) if _state(p) not in ("Z", "X", "gone")]
        # The zygote is the server's first child (in "none" mode orphans re-parent to the server too).
        firsts = sorted((p for p in members if _ppid(p) == server), key=_started)
        helpers = firsts[:1]
        parents = helpers or [server]
        spares = [p for p in members if _ppid(p) in parents and not _children(p) and "pipe" in _wchan(p)][:2]
        leftovers.extend(p for p in members if p not in helpers and p not in spares)
    return leftovers


def _started(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        return int(raw[raw.rindex(b")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return 1 << 62


def _wchan(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/wchan", encoding="ascii") as fh:
            return fh.read()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    out, stack = [], [root]
    while stack:
        for c in _children(stack.pop()):
            out.append(c)
            stack.append(c)
    return out


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        return raw[raw.rindex(b")") + 2 :].split()[0].decode()
    except (OSError, ValueError, IndexError):
        return "gone"


def assert_clean(sb: Sandbox, timeout: float = 3.0) -> None:
    """No process of a finished execution keeps running, and every worker is still alive.

    The worker answers only once every process of an execution is gone (``test_integrity.py`` checks
    that with no grace period); the grace period here only lets a spare that is still being set up
    settle into its wait, so that it is told apart from a leftover.
    """
    deadline = time.monotonic() + timeout
    while True:
        left = execution_processes(sb)
        if not left:
            break
        assert time.monotonic() < deadline, (
            f"processes outlived their execution: {[(p, _state(p), _ppid(p)) for p in left]}"
        )
        time.sleep(0.02)
    for w in list(sb._live):
        assert w.proc.poll() is None, "a sandbox worker died"


@pytest.fixture(scope="session")
def sandbox():
    """The strongest isolation this machine offers (root mode here), two workers."""
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=2)
    yield sb
    sb.close()


def _userns_sandbox() -> Sandbox | None:
    if os.geteuid() != 0 or not os.access(SYSTEM_PYTHON, os.X_OK) or shutil.which("unshare") is None:
        return None
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=1, python=SYSTEM_PYTHON, worker_uid=NOBODY)
    try:
        if sb.isolation.mode != "userns":
            sb.close()
            return None
    except Exception:
        sb.close()
        return None
    return sb


@pytest.fixture(scope="session")
def userns_sandbox():
    """A worker started as an unprivileged uid, so it isolates itself with a user namespace."""
    sb = _userns_sandbox()
    if sb is None:
        pytest.skip("needs root (to start a worker as nobody) and unprivileged user namespaces")
    yield sb
    sb.close()


@pytest.fixture(scope="session")
def none_sandbox():
    """The documented fallback without namespaces (rlimits, uid drop as root, audit hook)."""
    python = SYSTEM_PYTHON if os.access(SYSTEM_PYTHON, os.X_OK) else None  # its stdlib is world-readable
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=1, isolation="none", python=python)
    yield sb
    sb.close()
