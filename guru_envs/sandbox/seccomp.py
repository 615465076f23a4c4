"""The system-call filter of sandboxed executions, built in the scorer with libseccomp (``pyseccomp``).

The filter is compiled here to a classic-BPF program (bytes) and shipped to the worker with its
configuration; every sandboxed process installs it before running untrusted code
(:func:`guru_envs.sandbox.linux.install_seccomp`), so the worker, which runs ``-I -S`` in a chroot,
needs neither libseccomp nor its bindings. Where libseccomp is missing the layer is reported missing
(:attr:`Sandbox.isolation.errors`) and the other layers still hold.

What it refuses (``EPERM`` unless said otherwise), as defence in depth beneath the namespaces and uids:

* kernel keyrings (``add_key``, ``request_key``, ``keyctl``): nothing of an execution can be left in
  or read from a keyring;
* reading or steering other processes: ``ptrace``, ``process_vm_readv/writev``, ``pidfd_getfd``, ``kcmp``;
* new namespaces and mounts: ``unshare``, ``setns``, ``clone`` with any ``CLONE_NEW*`` flag, ``clone3``
  (``ENOSYS``, so that the C library falls back to ``clone``, whose flags can be checked), the mount
  calls old and new, ``pivot_root``, ``chroot``;
* ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, file handles, kernel modules, kexec,
  accounting, swap, clock setting, host and domain names, raw I/O ports, ``syslog``;
* System V IPC and POSIX message queues (tests of one submission must not pass data to each other
  through them; executions each have a new IPC namespace as well);
* file-system watches (``inotify_*``, ``fanotify_*``): the read-only system files are inodes every
  execution shares (and, without the tmpfs copy, the host's own), so a watch on them would let
  concurrent executions signal each other, and see the host's opens;
* counters the whole host shares, which one execution could move and a later one read (see "The pid
  counter" in ``docs/sandbox.md``): pidfds (``pidfd_open``, ``clone`` with ``CLONE_PIDFD``, the socket
  options ``SO_PEERPIDFD`` and ``SO_PASSPIDFD``; a pidfd's inode number counts every process and thread
  made on the host), ``setsid`` (each new session takes the next autogroup id, which
  ``/proc/<pid>/autogroup`` shows), socket cookies (``SO_COOKIE``, ``SO_NETNS_COOKIE``: ``ENOPROTOOPT``);
* objects of the kernel's internal tmpfs, whose inode numbers come from one counter of the whole host
  (taken in per-CPU batches) that ``fstat`` and ``/proc/self/maps`` show: ``memfd_create`` (``ENOSYS``,
  as on a kernel without it, so that libraries fall back to a file) and ``mmap``/``mmap2`` whose flags
  hold both ``MAP_SHARED`` (``MAP_SHARED_VALIDATE`` includes it) and ``MAP_ANONYMOUS`` (``EPERM``; private
  anonymous mappings and shared mappings of files work); ``memfd_secret`` too (``ENOSYS``; its inode
  numbers come from the counter pipes use). The two other makers are System V shared memory, refused
  above, and a writable shared mapping of ``/dev/zero``, which no filter can tell from a file's: the
  executions' ``/dev/zero`` is the host's ``/dev/full`` (:data:`guru_envs.sandbox.rootfs.DEVICES`);
* file locks (``flock``, ``fcntl``'s record-lock commands): a lock on a shared system file is seen by
  every concurrent execution (a program's own files are private, so nothing else needs one; SQLite
  file databases cannot lock and fail);
* sockets of any family but ``AF_UNIX`` (``EAFNOSUPPORT``): no IP, netlink, packet or ``AF_VSOCK``;
* reading or steering the page cache, which every file the sandbox can see shares with the host (its
  system files are a tmpfs copy, whose pages are always resident, but read-only paths added with
  ``Sandbox(readonly_paths=...)`` are the host's own): ``fadvise64`` (``POSIX_FADV_DONTNEED`` evicts,
  ``WILLNEED`` reads ahead), ``readahead``, ``cachestat`` (residency counts of a range), ``mincore``
  (residency of mapped pages), ``madvise`` with ``MADV_COLD``, ``MADV_PAGEOUT`` (evict), ``MADV_HUGEPAGE``
  or ``MADV_COLLAPSE`` (would turn a shared file's pages into huge pages, which others can see),
  ``process_madvise`` (advice compared on its low 32 bits, as the kernel reads it), ``preadv2``/``pwritev2`` whose flags hold ``RWF_NOWAIT`` (fails with ``EAGAIN``
  exactly when the page is not cached; argument-checked, the calls themselves work), and Linux AIO
  (``io_setup``, ``io_submit``, ...: a request can carry ``RWF_NOWAIT`` where no filter sees it). Major
  page-fault counts and timing remain (see ``docs/sandbox.md``).

:func:`no_fork_program` is a second filter, stacked on the first only where no cgroup can account an
execution's CPU (see :mod:`guru_envs.sandbox.isolation`): it refuses new processes (threads still work),
so that CPU cannot be spread over children that no clock counts.

**Loaded in two parts** (:func:`split_programs`). The kernel compiles a filter for every process that
loads it (checking it, translating it and working out which calls it always allows; ~0.1 ms for the
whole filter on these machines), while a filter a process inherits costs nothing. So the worker's
zygote, which forks every sandboxed process, loads all of it but :data:`SETUP_CALLS` once, and each
child, whose own set-up still needs those calls (its namespaces, attaching its area), loads a second,
tiny filter refusing just them before anything untrusted runs. Filters stack and only ever add
refusals: every sandboxed process is under both, which refuse exactly what :func:`base_program` does.
"""

from __future__ import annotations

import errno
import functools
import os
import socket
import tempfile

CLONE_NEW_FLAGS = (
    0x00000080,
    0x00020000,
    0x02000000,
    0x04000000,
    0x08000000,
    0x10000000,
    0x20000000,
    0x40000000,
)
CLONE_THREAD = 0x00010000
CLONE_PIDFD = 0x00001000
SOL_SOCKET = 1
# Socket options that read or hand out a counter the whole host shares (answered ENOPROTOOPT, as on a
# kernel without them): SO_COOKIE (a socket's cookie, from a host-wide counter that each first query
# moves), SO_NETNS_COOKIE (the network namespace's, counting the namespaces made on the host) and
# SO_PEERPIDFD (a pidfd of the peer, whose inode number counts every process and thread made on the
# host); and the one that asks for pidfds in messages (SO_PASSPIDFD, SCM_PIDFD).
GETSOCKOPT_REFUSED = (57, 71, 77)
SETSOCKOPT_REFUSED = (76,)
RWF_NOWAIT = 0x00000008
# madvise advice that changes the page cache of a file others map too: MADV_HUGEPAGE, MADV_COLD,
# MADV_PAGEOUT, MADV_COLLAPSE.
MADV_REFUSED = (14, 20, 21, 25)
INT_MASK = 0xFFFFFFFF
# fcntl's record locks, classic and open-file-description (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*)
FCNTL_LOCKS = (5, 6, 7, 36, 37, 38)
# mmap's flags that make a shared anonymous mapping, backed by a new inode of the kernel's internal tmpfs
# (numbered from a counter of the whole host): MAP_SHARED (MAP_SHARED_VALIDATE, 0x03, includes it) and
# MAP_ANONYMOUS. Both bits lie in the low 32 the kernel reads, so a masked comparison of the two sees
# every spelling, whatever the other bits (the kernel ignores the high ones for MAP_SHARED).
MAP_SHARED = 0x01
MAP_ANONYMOUS = 0x20
SHARED_ANONYMOUS = MAP_SHARED | MAP_ANONYMOUS
# Refused with ENOSYS, as by a kernel without them, so that programs take their fallback (a file in
# /tmp or /dev/shm, the execution's own tmpfs): each memfd is a new inode of the internal tmpfs, and each
# secret memory area one from the counter pipes use.
UNIMPLEMENTED = ("memfd_create", "memfd_secret")
# Calls libseccomp may not know by name (it resolves names from its own table): the number, the same on
# every architecture that has them (new calls share one numbering since Linux 5.1).
_BY_NUMBER = {"cachestat": 451, "process_madvise": 440}

DENIED = (
    "add_key request_key keyctl "
    "ptrace process_vm_readv process_vm_writev pidfd_getfd kcmp "
    "unshare setns mount umount2 pivot_root chroot fsopen fsconfig fsmount fspick move_mount open_tree "
    "mount_setattr "
    "bpf perf_event_open userfaultfd io_uring_setup io_uring_enter io_uring_register "
    "name_to_handle_at open_by_handle_at init_module finit_module delete_module kexec_load "
    "kexec_file_load acct swapon swapoff reboot syslog quotactl quotactl_fd lookup_dcookie vhangup "
    "settimeofday clock_settime clock_adjtime adjtimex sethostname setdomainname iopl ioperm "
    "msgget msgsnd msgrcv msgctl semget semop semtimedop semctl shmget shmat shmdt shmctl "
    "mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr "
    "inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_init fanotify_mark "
    "fadvise64 readahead cachestat mincore process_madvise "
    "io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents "
    "flock "
    "pidfd_open setsid"
).split()


def _export(flt) -> bytes:
    with tempfile.TemporaryFile() as fh:
        flt.export_bpf(fh)
        fh.flush()
        fh.seek(0)
        return fh.read()


def _rule(flt, action, name: str, *args) -> None:
    try:
        flt.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):
        number = _BY_NUMBER.get(name)
        if number is not None and os.uname().machine in ("x86_64", "aarch64"):
            try:
                flt.add_rule(action, number, *args)
            except (OSError, ValueError, RuntimeError):
                pass
        # otherwise a call this architecture or libseccomp version does not know: nothing to refuse


# What a sandboxed child's own set-up calls before it loads its part of the filter (the zygote's part
# lets them through): new IPC, network, cgroup and mount namespaces, attaching its area at /x, mounting
# its own /proc, and starting its session. The zygote itself enters its own pid namespace (setns) to make
# each child pid 1 of a new one (unshare) and watches each child through a pidfd (pidfd_open).
SETUP_CALLS = ("unshare", "setns", "move_mount", "mount", "setsid", "pidfd_open")


def _program(denied: tuple[str, ...] | list[str], everything_else: bool) -> tuple[bytes | None, str]:
    """A filter refusing ``denied`` (and, with ``everything_else``, the argument-checked rules too)."""
    try:
        import pyseccomp as sc
    except Exception as exc:  # ImportError, or RuntimeError when libseccomp.so is missing
        return None, f"seccomp filter unavailable: {exc}"
    try:
        flt = sc.SyscallFilter(sc.ALLOW)
        for name in denied:
            _rule(flt, sc.ERRNO(errno.EPERM), name)
        if everything_else:
            for name in UNIMPLEMENTED:
                _rule(flt, sc.ERRNO(errno.ENOSYS), name)
            # flags are the fourth argument of mmap on x86-64 and aarch64 (and of mmap2, which only 32-bit
            # systems have: libseccomp emits no code for a call the architecture lacks; their old-style
            # mmap takes its arguments in memory, out of a filter's reach). The 32-bit entry points of a
            # 64-bit kernel are another architecture, which this filter kills (libseccomp's default).
            for name in ("mmap", "mmap2"):
                shared = sc.Arg(3, sc.MASKED_EQ, SHARED_ANONYMOUS, SHARED_ANONYMOUS)
                _rule(flt, sc.ERRNO(errno.EPERM), name, shared)
            for flag in (*CLONE_NEW_FLAGS, CLONE_PIDFD):
                _rule(flt, sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
            for name, options in (("getsockopt", GETSOCKOPT_REFUSED), ("setsockopt", SETSOCKOPT_REFUSED)):
                for option in options:
                    level = sc.Arg(1, sc.MASKED_EQ, INT_MASK, SOL_SOCKET)
                    _rule(
                        flt,
                        sc.ERRNO(errno.ENOPROTOOPT),
                        name,
                        level,
                        sc.Arg(2, sc.MASKED_EQ, INT_MASK, option),
                    )
            _rule(flt, sc.ERRNO(errno.ENOSYS), "clone3")
            for name in ("socket", "socketpair"):
                _rule(flt, sc.ERRNO(errno.EAFNOSUPPORT), name, sc.Arg(0, sc.NE, socket.AF_UNIX))
            for name in ("preadv2", "pwritev2"):  # flags are the sixth argument
                _rule(flt, sc.ERRNO(errno.EPERM), name, sc.Arg(5, sc.MASKED_EQ, RWF_NOWAIT, RWF_NOWAIT))
            # The kernel reads these as C ints: compare the low 32 bits only, or advice | 1 << 32
            # passes the filter and still means the advice (a bypass the red team used for MADV_COLLAPSE)
            for advice in MADV_REFUSED:
                _rule(flt, sc.ERRNO(errno.EPERM), "madvise", sc.Arg(2, sc.MASKED_EQ, INT_MASK, advice))
            for command in FCNTL_LOCKS:
                _rule(flt, sc.ERRNO(errno.EPERM), "fcntl", sc.Arg(1, sc.MASKED_EQ, INT_MASK, command))
        return _export(flt), ""
    except Exception as exc:  # noqa: BLE001 - any failure of the library is a missing layer, never a crash
        return None, f"seccomp filter could not be built: {type(exc).__name__}: {exc}"


@functools.cache
def base_program() -> tuple[bytes | None, str]:
    """``(BPF program, "")`` of the executions' whole filter, or ``(None, why it cannot be built)``."""
    return _program(DENIED, True)


@functools.cache
def split_programs() -> tuple[bytes | None, bytes | None, str]:
    """``(zygote's part, each child's part, "")`` of the filter, or ``(None, None, why)``.

    Together they refuse exactly what :func:`base_program` refuses: the zygote's part everything but
    :data:`SETUP_CALLS`, the child's part those (see the module docstring).
    """
    zygote, why = _program([name for name in DENIED if name not in SETUP_CALLS], True)
    child, why_child = _program(list(SETUP_CALLS), False)
    if zygote is None or child is None:
        return None, None, why or why_child
    return zygote, child, ""


@functools.cache
def no_fork_program() -> bytes | None:
    """A filter refusing new processes (``fork``, ``vfork``, ``clone`` without ``CLONE_THREAD``)."""
    try:
        import pyseccomp as sc

        flt = sc.SyscallFilter(sc.ALLOW)
        for name in ("fork", "vfork"):
            _rule(flt, sc.ERRNO(errno.EAGAIN), name)
        _rule(flt, sc.ERRNO(errno.EAGAIN), "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        return _export(flt)
    except Exception:  # noqa: BLE001
        return None


def describe() -> str:
    """One line for the isolation report."""
    return (
        "seccomp filter (keyrings, ptrace, namespaces, mounts, bpf, perf, SysV IPC, non-unix sockets, "
        "page-cache probes, pidfds, sessions, socket cookies, memfds and shared anonymous memory)"
    )


if __name__ == "__main__":  # pragma: no cover - a quick look at the filter
    prog, why = base_program()
    zygote, child, _ = split_programs()
    print(len(prog) // 8 if prog else why, "instructions", os.uname().machine)
    if zygote and child:
        print(
            f"split: the zygote's part {len(zygote) // 8}, each child's part {len(child) // 8} instructions"
        )
