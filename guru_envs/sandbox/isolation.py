"""What this machine offers for isolation: cgroups (made by the scorer) and the worker's report.

Namespaces are probed by the worker itself at start-up (it tries them in order and reports what it got),
so nothing here forks the scorer. Cgroups are created here, per worker: a pids and a memory cgroup that
the worker joins, and a CPU-accounting cgroup with two children, ``sub`` and ``chk``, that each sandboxed
process joins according to its role (submission or trusted checker), so that an execution's CPU is
read for its whole process tree, forked children included, and a child cannot escape the count by
forking. Cgroup v1 ``cpuacct`` where it is mounted, otherwise cgroup v2, whose ``cpu.stat`` exists in
every cgroup without enabling a controller. All nest under the scorer's own cgroups, so that an outer
limit (a CI job, or the fork-bomb test's guard cgroup) still applies to everything below.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field

PREFIX = "guru-sandbox-"


@dataclass(frozen=True)
class IsolationInfo:
    """What a worker actually achieved.

    Attributes:
        mode: ``"root"`` (namespaces as real root, unprivileged uid per worker), ``"userns"``
            (unprivileged user namespace, capabilities dropped) or ``"none"`` (rlimits and a Python audit
            hook only; see ``docs/sandbox.md`` for what that does not stop).
        layers: human-readable list of active layers.
        errors: why stronger modes were not available.
    """

    mode: str
    layers: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def namespaces(self) -> bool:
        """True when the filesystem, network and process views are private."""
        return self.mode in ("root", "userns")


def _v1_mounts() -> dict[str, str]:
    """Map each cgroup v1 controller to its mount point, and "unified" to the cgroup2 mount point."""
    mounts: dict[str, str] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fstype, _, options = (right.split() + ["", "", ""])[:3]
                point = left.split()[4]
                if fstype == "cgroup":
                    for opt in options.split(","):
                        if opt in ("pids", "memory", "cpuacct"):
                            mounts[opt] = point
                elif fstype == "cgroup2":
                    mounts["unified"] = point
    except OSError:
        pass
    return mounts


def _own_paths() -> dict[str, str]:
    """Map each controller to this process's cgroup path ("unified" for v2)."""
    paths: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for c in controllers.split(","):
                    if c in ("pids", "memory", "cpuacct"):
                        paths[c] = path
                if controllers == "":
                    paths["unified"] = path
    except (OSError, ValueError):
        pass
    return paths


@dataclass
class WorkerCgroups:
    """The pids and memory cgroups of one worker; removed by :meth:`remove` once the worker is gone."""

    dirs: dict[str, str] = field(default_factory=dict)  # "pids"/"memory" -> directory
    memory_bytes: int = 0
    cpu_dir: str | None = None  # the CPU-accounting cgroup, with children "sub" and "chk"
    cpu_kind: str = ""  # "v1" (cpuacct.usage, ns) or "v2" (cpu.stat usage_usec)

    def join_spec(self) -> list[dict[str, str]]:
        """What the worker writes itself into at start-up."""
        return [
            {"procs": os.path.join(d, "cgroup.procs"), "label": f"{c} cgroup"} for c, d in self.dirs.items()
        ]

    def cpu_spec(self) -> dict[str, object] | None:
        """Where each role's processes go and where their CPU time is read (None without a CPU cgroup)."""
        if self.cpu_dir is None:
            return None
        usage = "cpuacct.usage" if self.cpu_kind == "v1" else "cpu.stat"
        return {
            "kind": self.cpu_kind,
            **{
                role: {
                    "procs": os.path.join(self.cpu_dir, role, "cgroup.procs"),
                    "usage": os.path.join(self.cpu_dir, role, usage),
                }
                for role in ("sub", "chk")
            },
        }

    def delegate(self, uid: int) -> None:
        """Let a worker running as ``uid`` move itself (and its children) into these cgroups."""
        dirs = list(self.dirs.values())
        if self.cpu_dir is not None:
            dirs += [self.cpu_dir, os.path.join(self.cpu_dir, "sub"), os.path.join(self.cpu_dir, "chk")]
        for d in dirs:
            for name in ("", "cgroup.procs", "tasks"):
                with contextlib.suppress(OSError):
                    os.chown(os.path.join(d, name) if name else d, uid, uid)

    def set_memory(self, limit_bytes: int) -> None:
        """Raise or lower the memory cap (only written when it changes)."""
        d = self.dirs.get("memory")
        if d is None or limit_bytes == self.memory_bytes:
            return
        name = (
            "memory.limit_in_bytes"
            if os.path.exists(os.path.join(d, "memory.limit_in_bytes"))
            else "memory.max"
        )
        with contextlib.suppress(OSError), open(os.path.join(d, name), "w") as fh:
            fh.write(str(limit_bytes))
            self.memory_bytes = limit_bytes

    def oom_kills(self) -> int:
        """OOM kills so far inside the memory cgroup (v1 ``memory.oom_control``, v2 ``memory.events``)."""
        d = self.dirs.get("memory")
        if d is None:
            return 0
        for name in ("memory.oom_control", "memory.events"):
            try:
                with open(os.path.join(d, name), encoding="ascii") as fh:
                    for line in fh:
                        key, _, value = line.partition(" ")
                        if key == "oom_kill":
                            return int(value)
            except (OSError, ValueError):
                continue
        return 0

    def remove(self) -> None:
        """Delete the cgroup directories (they must be empty: retry briefly while processes exit)."""
        dirs = list(self.dirs.values())
        if self.cpu_dir is not None:
            dirs = [os.path.join(self.cpu_dir, "sub"), os.path.join(self.cpu_dir, "chk"), self.cpu_dir, *dirs]
        for d in dirs:
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs.clear()
        self.cpu_dir = None


class CgroupFactory:
    """Creates per-worker cgroups when this process may (root, or a delegated v2 subtree)."""

    def __init__(self) -> None:
        self.parents: dict[str, str] = {}
        mounts, own = _v1_mounts(), _own_paths()
        for c in ("pids", "memory"):
            if c in mounts and c in own:
                parent = os.path.normpath(mounts[c] + "/" + own[c])
                if os.access(parent, os.W_OK):
                    self.parents[c] = parent
            elif "unified" in mounts and "unified" in own:
                parent = os.path.normpath(mounts["unified"] + "/" + own["unified"])
                try:
                    with open(os.path.join(parent, "cgroup.subtree_control"), encoding="ascii") as fh:
                        enabled = fh.read().split()
                except OSError:
                    enabled = []
                if c in enabled and os.access(parent, os.W_OK):
                    self.parents[c] = parent
        self.cpu_parent: str | None = None
        self.cpu_kind = ""
        if "cpuacct" in mounts and "cpuacct" in own:
            parent = os.path.normpath(mounts["cpuacct"] + "/" + own["cpuacct"])
            if os.access(parent, os.W_OK) and os.path.exists(os.path.join(parent, "cpuacct.usage")):
                self.cpu_parent, self.cpu_kind = parent, "v1"
        if self.cpu_parent is None and "unified" in mounts and "unified" in own:
            parent = os.path.normpath(mounts["unified"] + "/" + own["unified"])
            if os.access(parent, os.W_OK) and os.path.exists(os.path.join(parent, "cpu.stat")):
                self.cpu_parent, self.cpu_kind = parent, "v2"
        self._counter = 0
        self._remove_stale()

    @property
    def available(self) -> list[str]:
        """Controllers this process can use ("cpu" for CPU accounting)."""
        return sorted([*self.parents, *(["cpu"] if self.cpu_parent else [])])

    def _remove_stale(self) -> None:
        """Remove empty cgroups left by scorers that died without closing their sandbox."""
        for parent in set(self.parents.values()) | ({self.cpu_parent} if self.cpu_parent else set()):
            try:
                names = os.listdir(parent)
            except OSError:
                continue
            for name in names:
                if not name.startswith(PREFIX):
                    continue
                try:
                    owner = int(name[len(PREFIX) :].split("-")[0])
                except ValueError:
                    continue
                if owner != os.getpid() and not os.path.exists(f"/proc/{owner}"):
                    for sub in ("sub", "chk", ""):
                        with contextlib.suppress(OSError):
                            os.rmdir(os.path.join(parent, name, sub) if sub else os.path.join(parent, name))

    def create(self, max_pids: int, memory_bytes: int) -> WorkerCgroups:
        """Make one worker's cgroups; a controller that refuses is simply left out."""
        self._counter += 1
        group = WorkerCgroups()
        name = f"{PREFIX}{os.getpid()}-{id(self):x}-{self._counter}"
        for c, parent in self.parents.items():
            d = os.path.join(parent, name)
            try:
                os.mkdir(d)
            except OSError:
                continue
            group.dirs[c] = d
        d = group.dirs.get("pids")
        if d is not None:
            try:
                with open(os.path.join(d, "pids.max"), "w") as fh:
                    fh.write(str(max_pids))
            except OSError:
                group.dirs.pop("pids")
                with contextlib.suppress(OSError):
                    os.rmdir(d)
        group.set_memory(memory_bytes)
        if "memory" in group.dirs and group.memory_bytes != memory_bytes:
            with contextlib.suppress(OSError):
                os.rmdir(group.dirs.pop("memory"))
        if self.cpu_parent is not None:
            d = os.path.join(self.cpu_parent, name)
            try:
                os.mkdir(d)
                for role in ("sub", "chk"):
                    os.mkdir(os.path.join(d, role))
                group.cpu_dir, group.cpu_kind = d, self.cpu_kind
            except OSError:
                for sub in ("sub", "chk", ""):
                    with contextlib.suppress(OSError):
                        os.rmdir(os.path.join(d, sub) if sub else d)
        return group
