"""Resource limits of one sandboxed execution."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Per-execution limits; for multi-test runs ``cpu_s`` and ``wall_s`` apply to each test.

    Attributes:
        cpu_s: CPU seconds of each test (or run), fractions allowed, counted for the test's whole process
            tree (forked children included): the worker stops a test once it has used them. RLIMIT_CPU
            of each process (rounded up to whole seconds) is the backstop.
        wall_s: wall-clock seconds of each test, enforced by the worker (it kills every process of the
            execution).
        memory_mb: address space per process (RLIMIT_AS); also sizes the worker's memory cgroup.
        output_bytes: cap on stdout, on stderr and on each test's output; exceeding it stops the
            program at once (RLIMIT_FSIZE on the output files), not after the fact.
        max_processes: processes and threads of the execution (RLIMIT_NPROC on a uid of its own, or a
            user namespace; the worker's pids cgroup is a second bound).
        max_open_files: RLIMIT_NOFILE.
        disk_mb: size of the private tmpfs that holds the working directory and /tmp.
        stack_mb: RLIMIT_STACK of the main thread (deep recursion needs more than the 8 MB default).
    """

    cpu_s: float = 2.0
    wall_s: float = 5.0
    memory_mb: int = 512
    output_bytes: int = 1 << 20
    max_processes: int = 32
    max_open_files: int = 128
    disk_mb: int = 64
    stack_mb: int = 64

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")
        if self.memory_mb < 64:
            raise ValueError("Limits.memory_mb below 64 cannot hold a Python interpreter")
        if self.max_open_files < 16:
            raise ValueError("Limits.max_open_files must be at least 16")

    def replace(self, **changes: Any) -> Limits:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def wire(self) -> dict[str, Any]:
        """The plain dict sent to the worker."""
        return dataclasses.asdict(self)
