"""An execution's area: its private, size-limited tmpfs (a temporary directory in "none" mode).

Layout: ``work/`` (the cwd), ``tmp/`` and ``shm/`` belong to the execution; ``io/`` holds its stdin file
(``in``) and the root-owned stdout/stderr files it reaches only as fds; ``out/`` the per-test outputs.
The worker keeps file descriptors of the area's root, ``io/`` and ``out/`` and only ever works through
them, one component at a time and with ``O_NOFOLLOW``, so a symlink, FIFO or hard link planted by the
execution (which owns some of these directories, and in userns mode is the same uid as the worker)
cannot make the worker read or write anything else.

Where the kernel has the new mount API the tmpfs is never attached in the worker's own mount namespace:
the child attaches it at ``/x`` in a mount namespace of its own (nothing to unmount afterwards, no
execution can see another's files). Stdlib-only; shipped to the worker as bytecode.
"""

from __future__ import annotations

import os

if __package__:
    from guru_envs.sandbox import linux
else:  # inside the worker
    import _guru_sandbox_linux as linux

DIRS = (("work", 0o700), ("out", 0o700), ("io", 0o755), ("tmp", 0o1777), ("shm", 0o1777))
SUB_FILES = ("stdout", "stderr")  # a submission's own output files in io/
CHECKER_FILES = ("cstdout", "cstderr")  # a checker's (in an area of its own where areas are detached)


class Area:
    """One execution's tmpfs, reached through ``fd`` (its root), ``io_fd`` and ``out_fd``."""

    def __init__(self, base: str, fd: int, size: str, uid: int, detached: bool) -> None:
        self.base, self.fd, self.size, self.uid, self.detached = base, fd, size, uid, detached
        self.io_fd = self.out_fd = -1

    def read_output(self, name: str, cap: int) -> bytes:
        """At most ``cap`` bytes of ``io/<name>`` (a root-owned output file), or b"" if it is not a file."""
        return linux.read_regular(self.io_fd, name, cap)

    def read_test_output(self, name: str, cap: int | None) -> bytes:
        """A test's output file in ``out/`` (``k`` or ``k.err``), then removed: later tests never see it.

        ``cap=None`` only removes it.
        """
        data = linux.read_regular(self.out_fd, name, cap) if cap is not None else b""
        try:
            os.unlink(name, dir_fd=self.out_fd)
        except OSError:
            pass
        return data

    def write_input(self, data: bytes) -> None:
        """``io/in``: the stdin (or call arguments) of the test about to start, and nothing else."""
        linux.replace_file(self.io_fd, "in", data)

    def close(self) -> None:
        """Close the worker's descriptors (the tmpfs goes with the last of them and the child's namespace)."""
        for fd in (self.io_fd, self.out_fd, self.fd):
            if fd >= 0:
                os.close(fd)
        self.io_fd = self.out_fd = self.fd = -1


def make(
    mode: str,
    detached: bool,
    size: str,
    uid: int,
    owner: int | None,
    none_prefix: str,
    files: tuple[str, ...] = SUB_FILES + CHECKER_FILES,
) -> Area:
    """A fresh area with the output ``files`` in ``io/``.

    ``owner`` gets ``work/`` and ``out/`` (root mode, and "none" mode as root).
    """
    if mode == "none":
        import tempfile

        base = tempfile.mkdtemp(prefix=none_prefix)
        os.chmod(base, 0o755)
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    elif detached:
        base, fd = "/x", linux.new_tmpfs(size)
    else:
        base = "/x"
        linux.mount(
            "tmpfs", base, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOATIME, size + ",mode=0755"
        )  # noatime: see linux.new_tmpfs
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    area = Area(base, fd, size, uid, detached)
    old_umask = os.umask(0)  # so that mkdir gives each directory its mode (sticky bit included) at once
    try:
        for name, mode_bits in DIRS:
            os.mkdir(name, mode_bits, dir_fd=fd)
    finally:
        os.umask(old_umask)
    if owner is not None:
        os.chown("work", owner, owner, dir_fd=fd)
        os.chown("out", owner, owner, dir_fd=fd)
    area.io_fd = os.open("io", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
    area.out_fd = os.open("out", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
    for name in files:  # root-owned: reachable by the child only as fds
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=area.io_fd))
    return area


def resize(mode: str, area: Area, size: str) -> None:
    """Give the area the size options of the job it is about to serve."""
    if mode == "none" or size == area.size:
        return
    if area.detached:
        linux.resize_tmpfs(area.fd, size)
    else:
        linux.mount(
            None,
            area.base,
            None,
            linux.MS_REMOUNT | linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOATIME,
            size,
        )
    area.size = size


def drop(mode: str, area: Area) -> None:
    """Forget the area: close it (detached), unmount it (mounted at /x), or remove it ("none" mode)."""
    base, detached = area.base, area.detached
    area.close()
    if detached:
        return
    if mode != "none":
        linux.check(linux.libc.umount2(base.encode(), linux.MNT_DETACH), "umount")
        return
    import shutil
    import subprocess

    shutil.rmtree(base, ignore_errors=True)
    if os.path.lexists(base):
        subprocess.run(["rm", "-rf", "--one-file-system", base], check=False)


def size_options(limits: dict, inputs: int, n_out: int) -> str:
    """Options of the tmpfs for one execution: the disk allowance plus room for inputs and capped outputs."""
    out_cap = int(limits["output_bytes"]) + 1
    size = int(limits["disk_mb"]) * 2**20 + inputs + (n_out + 5) * out_cap + 2**20
    return f"size={size},nr_inodes={4096 + 2 * n_out}"
