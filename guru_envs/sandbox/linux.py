"""Linux system calls the sandbox worker needs and Python does not wrap, through ctypes on the C library.

Namespaces (``unshare``, ``setns``), mounts (old and new mount API), ``prctl``, capabilities, path
resolution that never follows a symlink (``openat2`` with ``RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS``,
or ``O_NOFOLLOW`` on every component where the kernel predates ``openat2``), and installing a seccomp
filter program built by the scorer (:mod:`guru_envs.sandbox.seccomp`).

Stdlib-only and free of sandbox policy: the worker loads this file from bytecode shipped by the pool.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECCOMP_MODE_FILTER = 2
F_DUPFD = 0

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

# System call numbers that are the same on every architecture (the new mount API, Linux 5.2+; openat2, 5.6+).
SYS_MOVE_MOUNT, SYS_FSOPEN, SYS_FSCONFIG, SYS_FSMOUNT, SYS_FSPICK = 429, 430, 431, 432, 433
SYS_OPENAT2 = 437
FSOPEN_CLOEXEC = FSMOUNT_CLOEXEC = FSPICK_CLOEXEC = 1
FSPICK_EMPTY_PATH = 8
FSCONFIG_SET_STRING, FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE = 1, 6, 7
MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOATIME = 0x2, 0x4, 0x10
MOVE_MOUNT_F_EMPTY_PATH = 4
AT_FDCWD = -100
RESOLVE_NO_XDEV, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_BENEATH = 0x01, 0x02, 0x04, 0x08

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.syscall.restype = ctypes.c_long


def check(rc: int, what: str) -> None:
    """Raise OSError (with errno) when a libc call returned non-zero."""
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, arg: int = 0) -> int:
    """``prctl(option, arg, 0, 0, 0)``."""
    return libc.prctl(option, arg, 0, 0, 0)


def unshare(flags: int, what: str = "unshare") -> None:
    """``unshare(2)``, raising OSError on failure."""
    check(libc.unshare(flags), what)


def mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """``mount(2)`` with text arguments."""
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    check(libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def syscall(number: int, *args, what: str) -> int:
    """A raw system call; its result, or OSError."""
    rc = libc.syscall(number, *args)
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return rc


def dup_above(fd: int, lowest: int) -> int:
    """A copy of ``fd`` numbered ``lowest`` or more (``fcntl(F_DUPFD)``; not close-on-exec).

    Through ctypes, which the worker loads anyway: the ``fcntl`` extension would add five mappings to
    the image every sandboxed process is forked from.
    """
    new = libc.fcntl(fd, F_DUPFD, lowest)
    if new < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"fcntl(F_DUPFD): {os.strerror(err)}")
    return new


def write_file(path: str, text: str, mode: int = 0o644) -> None:
    """Create or truncate ``path`` and write ``text``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------- the new mount API


def _tmpfs_options(size: str) -> list[tuple[bytes, bytes]]:
    return [tuple(opt.encode().split(b"=", 1)) for opt in size.split(",")]


def new_tmpfs(size: str) -> int:
    """A tmpfs that is mounted nowhere yet: a file descriptor to its root (the new mount API).

    Mounted ``noatime``: reading a file or listing a directory then records nothing, so that no test
    can leave the next one a time of its choosing by when it read something (only changes, which the
    test init sees by their ``ctime`` and undoes, move an inode's times).
    """
    fs = syscall(SYS_FSOPEN, b"tmpfs", FSOPEN_CLOEXEC, what="fsopen")
    try:
        for key, value in [*_tmpfs_options(size), (b"mode", b"0755")]:
            syscall(SYS_FSCONFIG, fs, FSCONFIG_SET_STRING, key, value, 0, what="fsconfig")
        syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_CREATE, None, None, 0, what="fsconfig create")
        return syscall(
            SYS_FSMOUNT,
            fs,
            FSMOUNT_CLOEXEC,
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME,
            what="fsmount",
        )
    finally:
        os.close(fs)


def resize_tmpfs(fd: int, size: str) -> None:
    """Change the size options of the tmpfs whose root ``fd`` is."""
    fs = syscall(SYS_FSPICK, fd, b"", FSPICK_CLOEXEC | FSPICK_EMPTY_PATH, what="fspick")
    try:
        for key, value in _tmpfs_options(size):
            syscall(SYS_FSCONFIG, fs, FSCONFIG_SET_STRING, key, value, 0, what="fsconfig")
        syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_RECONFIGURE, None, None, 0, what="fsconfig reconfigure")
    finally:
        os.close(fs)


def attach(fd: int, target: str) -> None:
    """Attach the detached mount ``fd`` at ``target`` (``move_mount``)."""
    syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH, what="move_mount")


# ---------------------------------------------------------------------------- paths in an area


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


_openat2_works: bool | None = None


def open_beneath(dirfd: int, path: str, flags: int, mode: int = 0) -> int:
    """Open ``path`` below the directory ``dirfd`` without following any symlink on any component.

    ``openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)``
    where the kernel has it (5.6+); otherwise each directory component is opened with
    ``O_NOFOLLOW | O_DIRECTORY`` and the last one with ``O_NOFOLLOW``. ``..`` and absolute paths are
    refused either way. Raises OSError (ELOOP for a symlink, EXDEV or EACCES for an escape).
    """
    global _openat2_works
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OSError(errno.EACCES, f"not a plain relative path: {path!r}")
    flags |= os.O_CLOEXEC
    if _openat2_works is not False:
        how = _OpenHow(
            flags, mode, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV
        )
        rc = libc.syscall(SYS_OPENAT2, dirfd, path.encode(), ctypes.byref(how), ctypes.sizeof(how))
        if rc >= 0:
            _openat2_works = True
            return rc
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EPERM) or _openat2_works:
            raise OSError(err, f"{os.strerror(err)}: {path!r}")
        _openat2_works = False  # no openat2 here (or a filter refuses it): walk component by component
    cur = dirfd
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=cur)
            if cur != dirfd:
                os.close(cur)
            cur = nxt
        return os.open(parts[-1], flags | os.O_NOFOLLOW, mode, dir_fd=cur)
    finally:
        if cur != dirfd:
            os.close(cur)


def read_regular(dirfd: int, path: str, cap: int) -> bytes:
    """At most ``cap`` bytes of a regular file below ``dirfd`` (b"" for anything else: FIFO, symlink, gone).

    For files nothing writes any more (an execution's outputs, read once it is over).
    """
    try:
        if "/" not in path:  # an empty output (the common case) costs one stat instead of four calls
            st = os.stat(path, dir_fd=dirfd, follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_size == 0:
                return b""
    except OSError:
        return b""
    try:
        if "/" in path:
            fd = open_beneath(dirfd, path, os.O_RDONLY | os.O_NONBLOCK)
        else:  # one component of a directory we hold: O_NOFOLLOW is all it takes
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dirfd)
    except OSError:
        return b""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b""
        # Every writer is gone when the worker reads an output: its size is final (no read to find EOF).
        cap = min(cap, st.st_size)
        chunks, total = [], 0
        while total < cap:
            chunk = os.read(fd, min(1 << 20, cap - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


def replace_file(dirfd: int, name: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` as a new regular file ``name`` directly in ``dirfd`` (whatever was there is unlinked)."""
    try:
        os.unlink(name, dir_fd=dirfd)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        os.rmdir(name, dir_fd=dirfd)
    fd = os.open(
        name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dirfd
    )
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------ privileges


def drop_capabilities() -> None:
    """Give up every capability (userns mode): the process keeps its uid but none of its powers."""
    for cap in range(64):
        if prctl(PR_CAPBSET_DROP, cap) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    hdr = Header(0x20080522, 0)
    data = (Data * 2)()
    check(libc.capset(ctypes.byref(hdr), ctypes.byref(data)), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class SeccompProgram:
    """A classic-BPF seccomp program (``struct sock_filter`` array, as libseccomp exports it), ready to load.

    Built once, before the processes that load it are forked, so that loading it in each of them is
    one ``prctl`` and makes no new object (each would cost a copy-on-write fault in a fresh child).
    """

    def __init__(self, program: bytes) -> None:
        if not program or len(program) % 8:
            raise ValueError("a seccomp program is a non-empty array of 8-byte instructions")
        self._buf = ctypes.create_string_buffer(program, len(program))
        self._prog = _SockFprog(len(program) // 8, ctypes.addressof(self._buf))
        self.address = ctypes.addressof(self._prog)

    def install(self) -> None:
        """Load it into the calling thread (needs ``no_new_privs``; filters stack: only ever stricter)."""
        check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self.address, 0, 0), "seccomp")
