"""The worker's start-up isolation: its namespaces and the read-only root it ``chroot``s into.

Run once per worker, before the server forks anything (:func:`guru_envs.sandbox.server.main`).
Stdlib-only; shipped to the worker as bytecode.
"""

from __future__ import annotations

import os
import stat
import sys

if __package__:
    from guru_envs.sandbox import linux
else:  # inside the worker, where the pool shipped the modules
    import _guru_sandbox_linux as linux

EXEC_ROOT = "/x"  # where each execution's own tmpfs is attached, in its own mount namespace
_RESERVED = frozenset(("etc", "dev", "proc", "sys", "tmp", "var", "x"))  # made here, never the image's
_HOST_FILES = "executions see the host's /usr, /lib and Python prefix, and through them its page cache"
NS_FLAGS = (
    linux.CLONE_NEWNS
    | linux.CLONE_NEWPID
    | linux.CLONE_NEWNET
    | linux.CLONE_NEWIPC
    | linux.CLONE_NEWUTS
    | linux.CLONE_NEWCGROUP
)


# Each execution's own /proc (see mount_exec_proc), best first: only the pid directories (and self,
# thread-self) of the execution's own pid namespace; the same with the host-wide files (kernels before
# 5.8 know no subset=pid); no /proc at all, where no procfs can be mounted there.
EXEC_PROC = ("subset", "plain", "hide")
_PROC_FLAGS = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
_PROC_OPTIONS = {"subset": "hidepid=2,subset=pid", "plain": "hidepid=2"}
# The devices executions get, each the host's device of that name but /dev/zero: a writable shared
# mapping of /dev/zero makes a new inode of the kernel's internal tmpfs, numbered from a counter of the
# whole host that a later execution can read (fstat, /proc/self/maps), and no filter can tell mmap of
# /dev/zero from mmap of a file. /dev/full reads zeros too, but cannot be mapped at all (ENODEV), and
# writes to it fail (ENOSPC).
DEVICES = {"null": "null", "zero": "full", "full": "full", "random": "random", "urandom": "urandom"}


def enter_namespaces(errors: list[str]) -> str | None:
    """Unshare the worker's namespaces; return "root", "userns" or None (with the reasons in ``errors``)."""
    if os.geteuid() == 0:
        if linux.libc.unshare(NS_FLAGS) == 0:
            return "root"
        errors.append(f"unshare as root: {os.strerror(linux.ctypes.get_errno())}")
    uid, gid = os.geteuid(), os.getegid()
    if linux.libc.unshare(linux.CLONE_NEWUSER | NS_FLAGS) != 0:
        errors.append(f"unshare with a user namespace: {os.strerror(linux.ctypes.get_errno())}")
        return None
    try:
        linux.write_file("/proc/self/setgroups", "deny")
        linux.write_file("/proc/self/uid_map", f"0 {uid} 1")
        linux.write_file("/proc/self/gid_map", f"0 {gid} 1")
    except OSError as exc:
        errors.append(f"user namespace id map: {exc}")
        return None
    return "userns"


def _bind_ro(src: str, dst: str, stat_src: str | int | None = None, runnable: bool = False) -> None:
    """Bind ``src`` read-only at ``dst``.

    The source mount's ``noexec`` (unless ``runnable``) and access-time flags stay: a user namespace may
    not drop them.
    """
    linux.mount(src, dst, None, linux.MS_BIND | linux.MS_REC)
    keep = os.statvfs(src if stat_src is None else stat_src).f_flag
    keep &= (0 if runnable else linux.MS_NOEXEC) | linux.MS_NOATIME | linux.MS_NODIRATIME | linux.MS_RELATIME
    linux.mount(
        None,
        dst,
        None,
        linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV | keep,
    )


def _bind_device(name: str, dst: str) -> None:
    """Bind the host's ``/dev/<name>`` at ``dst``, read-only: the device reads and writes as usual.

    (What each path gets is :data:`DEVICES`.)

    A writable bind would let any sandboxed process ``touch`` the host's device inode (``utime`` with
    no times needs only write access, which ``/dev/null`` gives everyone), and every later execution
    could read the time it chose: a channel from one execution to the next, through the host. On a
    read-only mount the inode's times cannot change (``EROFS``) while the device itself still works.
    """
    src = "/dev/" + name
    linux.mount(src, dst, None, linux.MS_BIND)
    keep = os.statvfs(src).f_flag  # a user namespace may not drop the flags the host's mount has
    keep &= linux.MS_NOSUID | linux.MS_NOEXEC | linux.MS_NOATIME | linux.MS_NODIRATIME | linux.MS_RELATIME
    linux.mount(None, dst, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | keep)


def _makedirs(root: str, path: str) -> str:
    """Create ``root + path`` with world-traversable parents (the host's may be 0700, like /root)."""
    cur = root
    for part in path.strip("/").split("/"):
        cur = f"{cur}/{part}"
        if not os.path.lexists(cur):
            os.mkdir(cur, 0o755)
    return cur


def python_roots() -> list[str]:
    """Directories holding the interpreter and its standard library."""
    roots = {os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)}
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(r + "/") for r in roots):
        roots.add(os.path.dirname(exe))
    return sorted(roots)


def _open_image(path: str) -> list[tuple[str, int | str]]:
    """The image's top-level entries: (name, O_PATH fd of a directory, or a link's target)."""
    entries: list[tuple[str, int | str]] = []
    top = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for name in sorted(os.listdir(f"/proc/self/fd/{top}")):
            st = os.stat(name, dir_fd=top, follow_symlinks=False)
            if name in _RESERVED:
                continue
            if stat.S_ISLNK(st.st_mode):
                entries.append((name, os.readlink(name, dir_fd=top)))
            elif stat.S_ISDIR(st.st_mode):
                entries.append((name, os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)))
    except OSError:
        for _, what in entries:
            if isinstance(what, int):
                os.close(what)
        raise
    finally:
        os.close(top)
    return entries


def _place_image(root: str, entries: list[tuple[str, int | str]]) -> list[str]:
    """Put the image's entries in the new root; return the directories bound (all undone on failure)."""
    made: list[str] = []
    bound: list[str] = []
    try:
        for name, what in entries:
            target = f"{root}/{name}"
            if isinstance(what, str):
                os.symlink(what, target)
                made.append(target)
            else:
                os.mkdir(target, 0o755)
                made.append(target)
                # runnable even where the image's tmpfs is noexec: the scorer uses such a tmpfs only
                # for workers that are real root, which may clear it
                _bind_ro(f"/proc/self/fd/{what}", target, runnable=True)
                bound.append(target)
    except OSError:
        for target in reversed(bound):
            linux.libc.umount2(target.encode(), linux.MNT_DETACH)
        for target in reversed(made):
            try:
                os.rmdir(target) if not os.path.islink(target) else os.unlink(target)
            except OSError:
                pass
        raise
    finally:
        for _, what in entries:
            if isinstance(what, int):
                os.close(what)
    return ["/" + name for name, what in entries if isinstance(what, int)]


def setup_root(cfg: dict, uids: list[int], errors: list[str] | None = None) -> bool:
    """Build a read-only root on a tmpfs and ``chroot`` into it; True when it holds the image.

    Its system files are the scorer's copy of them in a tmpfs (``cfg["image"]``, see
    :mod:`guru_envs.sandbox.image`: the host's page cache stays out of reach), or, where there is no
    such copy or it cannot be bound, read-only binds of the host's /usr, /lib*, /bin and the Python
    prefix (with its site-packages hidden), with the reason in ``errors``. Then any extra read-only
    paths of the configuration, a tiny /etc (``uids`` in /etc/passwd) and /dev, the worker's own /proc
    (``hidepid=2``; each execution mounts one of its own over it: :func:`mount_exec_proc`), and the
    empty ``/x`` where executions attach their areas.
    """
    errors = [] if errors is None else errors
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    image: list[tuple[str, int | str]] | None = None
    if cfg.get("image"):
        try:
            image = _open_image(str(cfg["image"]))
        except OSError as exc:
            errors.append(
                f"the tmpfs copy of the system files cannot be opened ({exc.strerror}): {_HOST_FILES}"
            )
    # Extra read-only paths are opened first: the tmpfs below may hide where they live. The host's
    # Python prefix is one of them only where the image is not bound.
    extra: list[tuple[int, str, bool]] = []
    prefix: list[tuple[int, str, bool]] = []
    pairs = [(p, p, prefix) for p in python_roots()]
    pairs += [(str(a), str(b), extra) for a, b in cfg.get("readonly", [])]
    for src, dst, into in pairs:
        try:
            fd = os.open(os.path.realpath(src), os.O_PATH)
        except OSError:
            continue
        into.append((fd, dst, stat.S_ISDIR(os.fstat(fd).st_mode)))
    # The new root is built on a tmpfs mounted over a directory whose host contents we never need.
    root = next(
        p for p in ("/dev/shm", "/mnt", "/tmp", "/var/tmp") if os.path.isdir(p) and not os.path.islink(p)
    )
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=4m,nr_inodes=2048,mode=0755")
    bound: list[str] = []
    if image is not None:
        try:
            bound = _place_image(root, image)
        except OSError as exc:
            errors.append(
                f"the tmpfs copy of the system files cannot be bound ({exc.strerror}): {_HOST_FILES}"
            )
            image = None
    if image is not None:
        for fd, _, _ in prefix:
            os.close(fd)
    else:
        extra = prefix + extra
        for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                os.symlink(os.readlink(top), root + top)
            elif os.path.isdir(top):
                os.mkdir(root + top, 0o755)
                _bind_ro(top, root + top)
                bound.append(top)
    for fd, dst, is_dir in extra:
        inside = next((b for b in bound if dst == b or dst.startswith(b + "/")), None)
        if inside is None:
            if is_dir:
                target = _makedirs(root, dst)
            else:
                _makedirs(root, os.path.dirname(dst))
                target = root + dst
                linux.write_file(target, "")
            _bind_ro(f"/proc/self/fd/{fd}", target, fd)
            if is_dir:
                bound.append(dst)
        elif image is not None:  # inside the read-only image, where no mount point can be made
            target = root + dst
            if os.path.isdir(target) == is_dir and os.path.exists(target):
                _bind_ro(f"/proc/self/fd/{fd}", target, fd)
            else:
                errors.append(f"read-only path {dst} lies inside the system files and is not shown")
        os.close(fd)
    # Hide third-party packages of the interpreter (the scorer's dependencies are no business of the code;
    # the image holds an empty site-packages).
    for base in python_roots() if image is None else ():
        libdir = os.path.join(base, "lib")
        for name in os.listdir(libdir) if os.path.isdir(libdir) else []:
            sp = os.path.join(libdir, name, "site-packages")
            if name.startswith("python") and os.path.isdir(root + sp):
                linux.mount(
                    "tmpfs",
                    root + sp,
                    "tmpfs",
                    linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV,
                    "size=4k,nr_inodes=8,mode=0555",
                )
    os.mkdir(root + "/etc", 0o755)
    users = "".join(f"sandbox:x:{u}:{u}::/x/work:/bin/false\n" for u in sorted(set(uids)))
    linux.write_file(root + "/etc/passwd", "root:x:0:0::/:/bin/false\n" + users)
    linux.write_file(
        root + "/etc/group", "root:x:0:\n" + "".join(f"sandbox:x:{u}:\n" for u in sorted(set(uids)))
    )
    linux.write_file(root + "/etc/hosts", "127.0.0.1 localhost\n")
    os.mkdir(root + "/dev", 0o755)
    for name, host in DEVICES.items():
        linux.write_file(root + "/dev/" + name, "", 0o666)
        _bind_device(host, root + "/dev/" + name)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("shm", EXEC_ROOT + "/shm"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    os.mkdir(root + "/proc", 0o555)
    proc_flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    try:
        linux.mount("proc", root + "/proc", "proc", proc_flags, "hidepid=2")
    except OSError:
        linux.mount("proc", root + "/proc", "proc", proc_flags)
    os.mkdir(root + EXEC_ROOT, 0o755)
    os.symlink(EXEC_ROOT + "/tmp", root + "/tmp")
    os.mkdir(root + "/var", 0o755)
    os.symlink(EXEC_ROOT + "/tmp", root + "/var/tmp")
    linux.mount(None, root, None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)
    os.chroot(root)
    os.chdir("/")
    exe = os.path.realpath(sys.executable)
    if os.path.exists(exe):
        sys.executable = exe
    return image is not None


def mount_exec_proc(how: str) -> None:
    """Mount a fresh ``/proc`` for the calling process's pid namespace, over the worker's.

    Called by each execution's pid 1 in its own mount namespace, before it gives up its privileges. A
    procfs shows the pids of the pid namespace its mounter was in: through the worker's ``/proc`` every
    sandboxed process saw its pid in the worker's namespace too (``/proc/self``, ``NSpid``, the
    ``children`` files), and that namespace's pid counter, which every execution moves, carried a dozen
    bits from one execution to the next. Through this one the execution sees only its own pids, counted
    from 1 each time. With ``subset=pid`` it holds nothing but the pid directories: no ``/proc/stat``
    (whose ``processes`` counts every fork on the host), ``/proc/vmstat``, ``/proc/loadavg``, ``/proc/sys``
    or any other host-wide file. ``how`` "hide" (where no procfs can be mounted) puts an empty read-only
    tmpfs there instead: no ``/proc`` at all.
    """
    if how == "hide":
        linux.mount("tmpfs", "/proc", "tmpfs", _PROC_FLAGS | linux.MS_RDONLY, "size=4k,nr_inodes=4,mode=0555")
    else:
        linux.mount("proc", "/proc", "proc", _PROC_FLAGS, _PROC_OPTIONS[how])


def probe_exec_proc() -> str | None:
    """Which ``/proc`` executions can have (:data:`EXEC_PROC`), or None: tried once, by the worker.

    In a child made as each execution's pid 1 is (a new pid namespace, then a new mount namespace), after
    the worker has ``chroot``ed; a procfs counts only if it shows that child as pid 1 (and, with
    ``subset=pid``, no host-wide file). Called by the worker (pid 1 of its own namespace) before it forks
    anything else; its later children are born in its own pid namespace again.
    """
    own = os.open("/proc/self/ns/pid", os.O_RDONLY)
    try:
        linux.unshare(linux.CLONE_NEWPID, "unshare pid namespace")
        try:
            pid = os.fork()
            if pid == 0:
                code = 100
                try:
                    linux.unshare(linux.CLONE_NEWNS, "unshare mount namespace")
                    for i, how in enumerate(EXEC_PROC):
                        try:
                            mount_exec_proc(how)
                        except OSError:
                            continue
                        if how == "hide" or (
                            os.readlink("/proc/self") == "1"
                            and (how != "subset" or not os.path.exists("/proc/stat"))
                        ):
                            code = i
                            break
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
        finally:
            linux.check(linux.libc.setns(own, linux.CLONE_NEWPID), "setns to the worker's pid namespace")
    finally:
        os.close(own)
    code = os.waitstatus_to_exitcode(status)
    return EXEC_PROC[code] if 0 <= code < len(EXEC_PROC) else None
