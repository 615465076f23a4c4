"""Sandbox worker: builds the isolation once; a zygote forks one child per execution from a warm interpreter.

Run as ``python -I -S -B server.py CONFIG_JSON`` by :mod:`guru_envs.sandbox.pool`; never imported by the
scorer. It speaks :mod:`protocol` frames on stdin/stdout and uses only the standard library, because after
``chroot`` nothing but the Python standard library is visible.

Start-up (once per worker)
    1. Join the worker's pids/memory cgroups when the scorer made them (root, cgroup v1/v2 writable).
    2. ``unshare`` mount, pid, network, IPC and UTS namespaces; as root directly ("root" mode), otherwise
       inside a new user namespace that maps only our own uid ("userns" mode). If neither works and the
       scorer allowed it, stay in "none" mode (see below).
    3. Fork the server, which is pid 1 of the new pid namespace: nothing inside can see the scorer, a
       signal from inside cannot kill it, and when it exits the kernel kills everything inside.
    4. Build a new root on a tmpfs: read-only binds of /usr, /lib*, /bin and the Python prefix (with its
       site-packages hidden), a tiny /etc and /dev, a private /proc, and ``/x`` for executions; remount
       it read-only and ``chroot`` into it. The network namespace has only a downed loopback.
    5. Import common modules, freeze the heap for cheap copy-on-write forks, fork the *zygote* (which
       only forks children and reports their exits, so that the server's own memory is never shared
       with a child: each page it then wrote would be copied first), and say "ready".

Per execution
    * a *spare* child, forked by the zygote while the previous job ran and already set up, waits for
      its job: pid 1 of a pid namespace of its own, new session, fds 0-3 only, cwd in a fresh
      size-limited tmpfs that only it sees on ``/x`` (``work/`` is the cwd, ``io/`` holds stdin files
      and the stdout/stderr files, ``out/`` the per-test outputs; created with the new mount API and
      attached in a mount namespace of the child's own, the server reaching it by file descriptor), an
      unprivileged uid of this worker's (they rotate, root mode) or every capability dropped (userns
      mode); ``no_new_privs`` is inherited;
    * on the job it lowers its rlimits (CPU, address space, file size = output cap, open files,
      processes, stack, no core) and runs the harness (:mod:`harness`); the server waits on a pidfd, the
      result pipe and the scorer's pipe at once, forwarding each test's record as it comes;
    * when the harness says it is exiting (or the process dies, times out, abuses its result channel, or
      the scorer aborts), one SIGKILL to the child ends its pid namespace: the kernel kills every other
      process of the execution (a fork racing with it fails). The server reads the capped output files
      and replies at once; the zygote reaps the child and reports its status, and its uid is not used
      again before then. Nothing outlives the execution.

"none" mode (no namespaces available): same rlimits, session, scrubbed env and per-execution temporary
directory on the host, an unprivileged uid when root, children forked by the server itself,
descendants found through a child subreaper and killed, and a Python audit hook that refuses sockets
and signals to foreign processes. This is weaker (no filesystem or network isolation against native
code) and is reported as such.
"""

from __future__ import annotations

import _signal
import array
import ctypes
import errno
import fcntl
import gc
import importlib.util
import json
import marshal
import os
import resource
import select
import signal
import socket
import stat
import sys
import time
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NS_FLAGS = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

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

# The new mount API (Linux 5.2+; these numbers are the same on every architecture).
SYS_MOVE_MOUNT, SYS_FSOPEN, SYS_FSCONFIG, SYS_FSMOUNT, SYS_FSPICK = 429, 430, 431, 432, 433
FSOPEN_CLOEXEC = FSMOUNT_CLOEXEC = FSPICK_CLOEXEC = 1
FSPICK_EMPTY_PATH = 8
FSCONFIG_SET_STRING, FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE = 1, 6, 7
MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 0x2, 0x4
MOVE_MOUNT_F_EMPTY_PATH = 4
AT_FDCWD = -100

EXEC_ROOT = "/x"
CTL_FD = 6  # a child reads its job here, then closes it (3-5 are the harness's)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_libc.syscall.restype = ctypes.c_long


def _load(name: str):
    """Import a sibling stdlib-only module by path (the package itself is not importable here)."""
    spec = importlib.util.spec_from_file_location(f"_guru_sandbox_{name}", os.path.join(_HERE, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


protocol = _load("protocol")
codec = _load("codec")
harness = _load("harness")


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _prctl(option: int, arg: int = 0) -> int:
    return _libc.prctl(option, arg, 0, 0, 0)


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _syscall(number: int, *args, what: str) -> int:
    rc = _libc.syscall(number, *args)
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return rc


def _tmpfs_options(size: str) -> list[tuple[bytes, bytes]]:
    return [tuple(opt.encode().split(b"=", 1)) for opt in size.split(",")]


def _new_tmpfs(size: str) -> int:
    """A tmpfs that is mounted nowhere yet: a file descriptor to its root (the new mount API)."""
    fs = _syscall(SYS_FSOPEN, b"tmpfs", FSOPEN_CLOEXEC, what="fsopen")
    try:
        for key, value in [*_tmpfs_options(size), (b"mode", b"0755")]:
            _syscall(SYS_FSCONFIG, fs, FSCONFIG_SET_STRING, key, value, 0, what="fsconfig")
        _syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_CREATE, None, None, 0, what="fsconfig create")
        return _syscall(
            SYS_FSMOUNT, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, what="fsmount"
        )
    finally:
        os.close(fs)


def _resize_tmpfs(fd: int, size: str) -> None:
    fs = _syscall(SYS_FSPICK, fd, b"", FSPICK_CLOEXEC | FSPICK_EMPTY_PATH, what="fspick")
    try:
        for key, value in _tmpfs_options(size):
            _syscall(SYS_FSCONFIG, fs, FSCONFIG_SET_STRING, key, value, 0, what="fsconfig")
        _syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_RECONFIGURE, None, None, 0, what="fsconfig reconfigure")
    finally:
        os.close(fs)


def _write_file(path: str, text: str, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _send(header: dict, blobs: dict | None = None) -> None:
    protocol.write_all(1, protocol.pack(header, blobs))


# ------------------------------------------------------------------------------------------ start-up


def _enter_namespaces(errors: list[str]) -> str | None:
    """Unshare the namespaces; return "root", "userns" or None (with the reasons in ``errors``)."""
    if os.geteuid() == 0:
        if _libc.unshare(NS_FLAGS) == 0:
            return "root"
        errors.append(f"unshare as root: {os.strerror(ctypes.get_errno())}")
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(CLONE_NEWUSER | NS_FLAGS) != 0:
        errors.append(f"unshare with a user namespace: {os.strerror(ctypes.get_errno())}")
        return None
    try:
        _write_file("/proc/self/setgroups", "deny")
        _write_file("/proc/self/uid_map", f"0 {uid} 1")
        _write_file("/proc/self/gid_map", f"0 {gid} 1")
    except OSError as exc:
        errors.append(f"user namespace id map: {exc}")
        return None
    return "userns"


def _bind_ro(src: str, dst: str, stat_src: str | int | None = None) -> None:
    _mount(src, dst, None, MS_BIND | MS_REC)
    keep = os.statvfs(src if stat_src is None else stat_src).f_flag
    keep &= MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME
    _mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | keep)


def _makedirs(root: str, path: str) -> str:
    """Create ``root + path`` with world-traversable parents (the host's may be 0700, like /root)."""
    cur = root
    for part in path.strip("/").split("/"):
        cur = f"{cur}/{part}"
        if not os.path.lexists(cur):
            os.mkdir(cur, 0o755)
    return cur


def _python_roots() -> list[str]:
    roots = {os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)}
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(r + "/") for r in roots):
        roots.add(os.path.dirname(exe))
    return sorted(roots)


def _setup_root(cfg: dict, uid: int, mode: str) -> None:
    """Build the read-only root described in the module docstring and chroot into it."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Extra read-only paths are opened first: the tmpfs below may hide where they live.
    extra: list[tuple[int, str, bool]] = []
    pairs = [(p, p) for p in _python_roots()] + [(str(a), str(b)) for a, b in cfg.get("readonly", [])]
    for src, dst in pairs:
        try:
            fd = os.open(os.path.realpath(src), os.O_PATH)
        except OSError:
            continue
        extra.append((fd, dst, stat.S_ISDIR(os.fstat(fd).st_mode)))
    # The new root is built on a tmpfs mounted over a directory whose host contents we never need.
    root = next(
        p for p in ("/dev/shm", "/mnt", "/tmp", "/var/tmp") if os.path.isdir(p) and not os.path.islink(p)
    )
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=2048,mode=0755")
    bound: list[str] = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), root + top)
        elif os.path.isdir(top):
            os.mkdir(root + top, 0o755)
            _bind_ro(top, root + top)
            bound.append(top)
    for fd, dst, is_dir in extra:
        if not any(dst == b or dst.startswith(b + "/") for b in bound):
            if is_dir:
                target = _makedirs(root, dst)
            else:
                _makedirs(root, os.path.dirname(dst))
                target = root + dst
                _write_file(target, "")
            _bind_ro(f"/proc/self/fd/{fd}", target, fd)
            if is_dir:
                bound.append(dst)
        os.close(fd)
    # Hide third-party packages of the interpreter (the scorer's dependencies are no business of the code).
    for base in _python_roots():
        libdir = os.path.join(base, "lib")
        for name in os.listdir(libdir) if os.path.isdir(libdir) else []:
            sp = os.path.join(libdir, name, "site-packages")
            if name.startswith("python") and os.path.isdir(root + sp):
                _mount(
                    "tmpfs",
                    root + sp,
                    "tmpfs",
                    MS_RDONLY | MS_NOSUID | MS_NODEV,
                    "size=4k,nr_inodes=8,mode=0555",
                )
    os.mkdir(root + "/etc", 0o755)
    uids = sorted({uid, *(int(u) for u in cfg.get("sub_uids", ()))}) if mode == "root" else [uid]
    users = "".join(f"sandbox:x:{u}:{u}::/x/work:/bin/false\n" for u in uids)
    _write_file(root + "/etc/passwd", "root:x:0:0::/:/bin/false\n" + users)
    _write_file(root + "/etc/group", "root:x:0:\n" + "".join(f"sandbox:x:{u}:\n" for u in uids))
    _write_file(root + "/etc/hosts", "127.0.0.1 localhost\n")
    os.mkdir(root + "/dev", 0o755)
    for name in ("null", "zero", "full", "random", "urandom"):
        _write_file(root + "/dev/" + name, "", 0o666)
        _mount("/dev/" + name, root + "/dev/" + name, None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    os.symlink("/proc/self/fd/2", root + "/dev/stderr")
    os.symlink(EXEC_ROOT + "/shm", root + "/dev/shm")
    os.mkdir(root + "/proc", 0o555)
    proc_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    try:
        _mount("proc", root + "/proc", "proc", proc_flags, "hidepid=2")
    except OSError:
        _mount("proc", root + "/proc", "proc", proc_flags)
    os.mkdir(root + EXEC_ROOT, 0o755)
    os.symlink(EXEC_ROOT + "/tmp", root + "/tmp")
    os.mkdir(root + "/var", 0o755)
    os.symlink(EXEC_ROOT + "/tmp", root + "/var/tmp")
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir("/")
    exe = os.path.realpath(sys.executable)
    if os.path.exists(exe):
        sys.executable = exe


def main() -> None:
    """Launcher: cgroups, namespaces, then fork the pid-1 server (or serve directly in "none" mode)."""
    cfg = json.loads(sys.argv[1])
    os.umask(0o022)
    for key in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, key), signal.SIG_IGN)
    layers: list[str] = []
    for group in cfg.get("cgroups", []):
        try:
            _write_file(group["procs"], str(os.getpid()))
            layers.append(group["label"])
        except OSError as exc:
            layers.append(f"{group['label']}: join failed ({exc.strerror})")
    try:
        _write_file("/proc/self/oom_score_adj", "-1000")
    except OSError:
        pass
    errors: list[str] = []
    mode = _enter_namespaces(errors) if cfg.get("mode", "auto") != "none" else None
    if mode is None:
        if cfg.get("mode") == "namespaces":
            _send({"op": "fatal", "message": "namespaces unavailable: " + "; ".join(errors)})
            os._exit(2)
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        _serve(cfg, "none", layers, errors)
        return
    pid = os.fork()
    if pid == 0:
        try:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getpid() != 1:
                raise RuntimeError("the server is not pid 1 of a new pid namespace")
            os.setsid()
            uid = int(cfg.get("uid", 0)) if mode == "root" else 0
            _setup_root(cfg, uid, mode)
            _prctl(PR_SET_DUMPABLE, 0)
            _serve(cfg, mode, layers, errors)
        except BaseException:
            _send({"op": "fatal", "message": traceback.format_exc()[-3000:]})
            os._exit(3)
        os._exit(0)
    # The launcher keeps no copy of the scorer's pipes, so either side sees EOF when the other goes.
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


# --------------------------------------------------------------------------------------- the server


class _Area:
    """One execution's private tmpfs (a temporary directory in "none" mode), reached through ``fd``.

    Where the kernel has the new mount API the tmpfs is never attached in the worker's own mount
    namespace: the child attaches it at ``/x`` in a mount namespace of its own, and the worker reads
    and writes it through ``fd`` only. Nothing needs unmounting afterwards (an unmount waits for an
    RCU grace period, ~0.4 ms on the critical path); the tmpfs goes when the child's namespace and
    ``fd`` are both gone, and no execution can see another's files.
    """

    def __init__(self, base: str, fd: int, size: str, uid: int, detached: bool) -> None:
        self.base, self.fd, self.size, self.uid, self.detached = base, fd, size, uid, detached


class _Child:
    """A submission or checker process: set up ahead of its job, which it reads from ``CTL_FD``.

    In the namespace modes the zygote forks it (``pid``/``pidfd`` arrive with the zygote's reply) as
    pid 1 of a pid namespace of its own, so killing it kills every process of its execution.
    """

    def __init__(self, role: str, area: _Area, ctl_w: int, res_r: int | None) -> None:
        self.role, self.area, self.ctl_w, self.res_r = role, area, ctl_w, res_r
        self.pid = 0
        self.pidfd = -1


class _ZygoteGone(RuntimeError):
    pass


class Server:
    """The job loop (pid 1 of the sandbox namespaces, or the launcher itself in "none" mode)."""

    def __init__(self, cfg: dict, mode: str) -> None:
        self.cfg = cfg
        self.mode = mode
        self.buf = protocol.FrameBuffer()
        root = os.geteuid() == 0 and mode != "userns"
        self.uid = int(cfg["uid"]) if root else os.geteuid()
        # Submission uids rotate: the execution that just ended (still exiting), the running one and
        # the spares waiting for theirs each have a uid of their own, so that RLIMIT_NPROC counts one
        # execution's processes only and nothing has to wait for the kernel to tear the last one down.
        self.sub_uids = [int(u) for u in cfg.get("sub_uids", [self.uid])] if root else [self.uid]
        self.checker_uid = int(cfg.get("checker_uid", self.uid)) if root else self.uid
        self.drop_uid = root
        self.parent_gone = False
        self.detached_areas = False
        if mode != "none" and cfg.get("detached_areas", True):
            try:
                os.close(_new_tmpfs("size=4k"))
                self.detached_areas = True
            except OSError:
                pass  # an older kernel: mount each area at /x and unmount it afterwards
        # Spares are forked (by the zygote) while a job runs, two of them so that one is always ready,
        # only where they have areas and uids of their own: a submission must not be able to reach a
        # child waiting for a later job (same uid: ptrace, /proc/<pid>/root). Otherwise one spare,
        # forked after the reply, when nothing untrusted runs.
        self.overlap = self.detached_areas and self.drop_uid and len(set(self.sub_uids)) >= 4
        spares = int(cfg.get("spares", 2 if self.overlap else 1))
        self.want_spares = spares if cfg.get("prefork", True) else 0
        self.spares: list[_Child] = []
        self.awaiting_pid: list[_Child] = []  # asked of the zygote, in order; its replies come in order
        self.zygote = None  # our end of the socket to the zygote (namespace modes)
        self.exits: dict[int, tuple] = {}  # pid -> (wait status, cpu s, maxrss kB) of current processes
        self.dying: dict[int, int] = {}  # killed children not reaped yet -> their uid
        self.end_claim: dict | None = None
        self.last_size = _area_size({"disk_mb": 64, "output_bytes": 1 << 20}, 0, 0)

    # -- execution area --------------------------------------------------------------------------

    def _uid_of(self, role: str, area: _Area) -> int:
        """The uid a child of ``role`` runs as (a checker shares the submission's area without detached areas)."""
        return self.checker_uid if role == "checker" else area.uid

    def _next_sub_uid(self) -> int:
        self.sub_uids.append(self.sub_uids.pop(0))
        return self.sub_uids[-1]

    def _make_area(self, size: str, uid: int) -> _Area:
        if self.mode == "none":
            import tempfile

            base = tempfile.mkdtemp(prefix=f"guru-sbx-{self.uid}-")
            os.chmod(base, 0o755)
            fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
        elif self.detached_areas:
            base, fd = EXEC_ROOT, _new_tmpfs(size)
        else:
            base = EXEC_ROOT
            _mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, size + ",mode=0755")
            fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
        area = _Area(base, fd, size, uid, self.detached_areas)
        for name, mode in (("work", 0o700), ("out", 0o700), ("io", 0o755), ("tmp", 0o1777), ("shm", 0o1777)):
            os.mkdir(name, mode, dir_fd=fd)
            os.chmod(name, mode, dir_fd=fd)
        if self.drop_uid:
            os.chown("work", uid, uid, dir_fd=fd)
            os.chown("out", uid, uid, dir_fd=fd)
        for name in ("stdout", "stderr", "cstdout", "cstderr"):
            # root-owned: reachable by the child only as fds
            os.close(os.open(f"io/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=fd))
        return area

    def _resize_area(self, area: _Area, size: str) -> None:
        if self.mode == "none" or size == area.size:
            return
        if area.detached:
            _resize_tmpfs(area.fd, size)
        else:
            _mount(None, area.base, None, MS_REMOUNT | MS_NOSUID | MS_NODEV, size)
        area.size = size

    def _drop_area(self, area: _Area) -> None:
        os.close(area.fd)
        if area.detached:
            return
        if self.mode != "none":
            _check(_libc.umount2(area.base.encode(), MNT_DETACH), "umount")
            return
        import shutil
        import subprocess

        shutil.rmtree(area.base, ignore_errors=True)
        if os.path.lexists(area.base):
            subprocess.run(["rm", "-rf", "--one-file-system", area.base], check=False)

    # -- children --------------------------------------------------------------------------------

    def _launch(self, role: str, area: _Area, fds: dict[int, int], res_r: int | None) -> _Child:
        """Start a child of ``role`` in ``area`` with ``fds`` (target -> our fd, closed here)."""
        ctl_r, ctl_w = os.pipe()
        fds = {**fds, CTL_FD: ctl_r}
        child = _Child(role, area, ctl_w, res_r)
        if self.zygote is None:
            child.pid = self._fork_child(role, area, fds)
            child.pidfd = os.pidfd_open(child.pid)
        else:
            request = {"role": role, "base": area.base, "uid": area.uid, "detached": area.detached}
            request["targets"] = list(fds)
            try:
                socket.send_fds(self.zygote, [marshal.dumps(request)], [area.fd, *fds.values()])
            except OSError as exc:
                raise _ZygoteGone(f"the zygote is gone: {exc}") from None
            self.awaiting_pid.append(child)
        for fd in fds.values():
            os.close(fd)
        return child

    def _fork_child(self, role: str, area: _Area, fds: dict[int, int]) -> int:
        pid = os.fork()
        if pid:
            return pid
        try:
            self._child_prepare(role, fds, area)
            data = bytearray()
            while chunk := os.read(CTL_FD, 1 << 20):
                data += chunk
            os.close(CTL_FD)
            if data:
                self._child_run(role, marshal.loads(data), area)  # trusted: from us, before any user code
                os._exit(125)
            os._exit(0)
        except BaseException:
            _child_error()
        os._exit(125)

    def _ready(self, child: _Child) -> None:
        """Wait for the zygote's reply with ``child``'s pid and pidfd."""
        while child.pid == 0:
            self._from_zygote(block=True)

    def _from_zygote(self, block: bool) -> bool:
        """Handle one message of the zygote (a child forked or exited); False if none was waiting."""
        try:
            msg, fds = _recv_with_fds(self.zygote, 1, 0 if block else socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except InterruptedError:
            return True
        except OSError as exc:
            raise _ZygoteGone(f"the zygote is gone: {exc}") from None
        if not msg:
            raise _ZygoteGone("the zygote is gone")
        note = marshal.loads(msg)
        if note["op"] == "forked":
            child = self.awaiting_pid.pop(0)
            child.pid, child.pidfd = note["pid"], fds[0]
        else:  # "exited"
            self._exited(note["pid"], note["status"], note["cpu"], note["maxrss"])
        return True

    def _zygote_main(self, sock) -> None:
        """The zygote: fork children on request, each pid 1 of a new pid namespace; report their exits.

        The worker's own heap is then never shared with a child it has to wait for: every page the
        worker writes while handling a job would otherwise be copied first (~250 page faults, the
        largest cost of a trivial execution), and forks happen here while the worker serves a job.
        """
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)  # no copy of the scorer's pipes: it must see EOF when the worker goes
        os.dup2(null, 1)
        os.close(null)
        own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
        children: dict[int, int] = {}  # pidfd -> pid
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        while True:
            for fd, _ in poller.poll():
                if fd != sock.fileno():
                    pid = children.pop(fd)
                    poller.unregister(fd)
                    os.close(fd)
                    _, status, usage = os.wait4(pid, 0)
                    note = {"op": "exited", "pid": pid, "status": status}
                    note.update(cpu=usage.ru_utime + usage.ru_stime, maxrss=usage.ru_maxrss)
                    sock.send(marshal.dumps(note))
                    continue
                try:
                    msg, fds = _recv_with_fds(sock, 16)
                except OSError:
                    msg = b""
                if not msg:  # the worker is gone (the kernel is about to end us anyway)
                    os._exit(0)
                req = marshal.loads(msg)
                area = _Area(req["base"], fds[0], "", req["uid"], req["detached"])
                # The next child is pid 1 of a new pid namespace: unshare applies to our next fork
                # only once we have returned to our own namespace for children.
                _check(_libc.setns(own_pid_ns, CLONE_NEWPID), "setns")
                _check(_libc.unshare(CLONE_NEWPID), "unshare pid namespace")
                pid = self._fork_child(req["role"], area, dict(zip(req["targets"], fds[1:])))
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                children[pidfd] = pid
                poller.register(pidfd, select.POLLIN)
                socket.send_fds(sock, [marshal.dumps({"op": "forked", "pid": pid})], [pidfd])

    def _start_zygote(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                self._zygote_main(theirs)
            except ConnectionError:  # the worker is gone; the kernel ends us with it
                os._exit(0)
            except BaseException:
                _child_error()
            os._exit(3)  # the worker notices (EOF) and stops; the scorer starts a fresh one
        theirs.close()
        self.zygote = ours

    def _child_prepare(self, role: str, fds: dict[int, int], area: _Area) -> None:
        """Everything that does not depend on the job: area, session, fds, cwd, identity, environment."""
        base = area.base
        if area.detached:  # attach the area at /x, in a mount namespace of this child's own
            _check(_libc.unshare(CLONE_NEWNS), "unshare mount namespace")
            _syscall(
                SYS_MOVE_MOUNT,
                area.fd,
                b"",
                AT_FDCWD,
                base.encode(),
                MOVE_MOUNT_F_EMPTY_PATH,
                what="move_mount",
            )
        os.setsid()
        if self.mode == "none":  # no pid namespace to take the children down with the worker
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        # Other dispositions come from the server. ``_signal`` directly: the enum wrappers of
        # ``signal.signal`` touch ~60 pages, each a copy-on-write fault in a fresh child.
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        prefix = "c" if role == "checker" else ""
        targets = {
            0: os.open("/dev/null", os.O_RDONLY),
            1: os.open(f"{base}/io/{prefix}stdout", os.O_WRONLY | os.O_TRUNC),
            2: os.open(f"{base}/io/{prefix}stderr", os.O_WRONLY | os.O_TRUNC),
        }
        targets.update(fds)
        high = {t: fcntl.fcntl(src, fcntl.F_DUPFD, 64) for t, src in targets.items()}  # above every target
        for t, src in high.items():
            os.dup2(src, t)
        for fd in range(3, max(high)):
            if fd not in high:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.closerange(max(high) + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0] + 64)
        os.chdir(f"{base}/work" if role != "checker" else f"{base}/io")
        os.umask(0o022)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            _write_file("/proc/self/oom_score_adj", "1000")
        except OSError:
            pass
        if self.drop_uid:
            uid = self._uid_of(role, area)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            if os.getresuid() != (uid, uid, uid) or uid == 0:
                raise RuntimeError("could not drop to the sandbox uid")
        elif self.mode == "userns":
            _drop_capabilities()
        _prctl(PR_SET_DUMPABLE, 0 if role == "checker" else 1)  # setuid cleared it; /proc/self needs it
        if self.mode == "none":
            _install_audit_hook(os.getppid())
            _set_environment(base)

    def _child_run(self, role: str, job: dict, area: _Area) -> None:
        """Apply the job's limits (only ever lowering them, so no privilege is needed) and run it."""
        limits = job["limits"]
        if job["kind"] == "run" and role == "sub":
            fd = os.open(f"{area.base}/io/in.0", os.O_RDONLY)
            os.dup2(fd, 0)
            os.close(fd)
        n = max(1, int(job.get("n", 1)))
        cpu = float(limits["cpu_s"]) * (n if job["kind"] in ("stdio", "calls") else 1)
        cpu_soft = max(1, int(-(-cpu // 1)))
        mem = int(limits["memory_mb"]) * 2**20
        out = int(limits["output_bytes"]) + 1
        # Without a uid of its own the limit also counts the worker, its zygote and the spares.
        nproc = int(limits["max_processes"]) + (0 if self.drop_uid else 8)
        stack = int(limits["stack_mb"]) * 2**20
        for res, value in (
            (resource.RLIMIT_CPU, (cpu_soft, cpu_soft + 1)),
            (resource.RLIMIT_AS, (mem, mem)),
            (resource.RLIMIT_FSIZE, (out, out)),
            (resource.RLIMIT_NOFILE, (int(limits["max_open_files"]),) * 2),
            (resource.RLIMIT_NPROC, (nproc, nproc)),
            (resource.RLIMIT_STACK, (stack, stack)),
            (resource.RLIMIT_MEMLOCK, (0, 0)),
            (resource.RLIMIT_MSGQUEUE, (0, 0)),
        ):
            resource.setrlimit(res, value)
        kind = job["kind"]
        if role == "checker":
            harness.run_checker(job, 4, 5, codec)
        elif kind == "check":
            harness.serve_candidate(job, 4, 5, codec)
        elif kind == "run":
            harness.run_program(job)
        elif kind == "stdio":
            harness.run_stdio_tests(job)
        else:
            harness.run_call_tests(job, codec)

    # -- cleanup ---------------------------------------------------------------------------------

    def _exited(self, pid: int, status: int, cpu: float, maxrss: int) -> None:
        """Record a reaped child: a killed one of an earlier job is just forgotten."""
        if self.dying.pop(pid, None) is None:
            self.exits[pid] = (status, cpu, maxrss)

    def _reap(self, block: bool) -> bool:
        """Reap our own children ("none" mode); return False when there is none left."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return False
            except InterruptedError:
                continue
            if pid == 0:
                return True
            self._exited(pid, status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
            if block:
                return True

    def _wait(self, pid: int) -> None:
        """Block until our child ``pid`` is reaped ("none" mode)."""
        while pid not in self.exits:
            try:
                got, status, usage = os.wait4(pid, 0)
            except ChildProcessError:
                return
            except InterruptedError:
                continue
            self._exited(got, status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)

    def _collect(self, pids: list[int]) -> None:
        """Take in the exits reported so far, waiting for those of ``pids``."""
        if self.mode == "none":
            self._reap(block=False)
            for pid in pids:
                self._wait(pid)
            return
        while self._from_zygote(block=False):
            pass
        for pid in pids:
            while pid not in self.exits:
                self._from_zygote(block=True)

    def _sweep(self) -> bool:
        """Kill and reap every descendant ("none" mode); return False if one could not be killed."""
        for _ in range(1000):
            victims = _descendants(os.getpid())
            if not victims:
                self._reap(block=False)
                return True
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            while self._reap(block=False) and _descendants(os.getpid()):
                time.sleep(0.0005)
        return False

    def _kill(self, children: list[_Child]) -> None:
        """SIGKILL the processes; every other process of the execution dies with them.

        In the namespace modes each is pid 1 of its own pid namespace, so the kernel kills the rest of
        the namespace with it (a fork racing with it fails).
        """
        for child in children:
            if child.pid:
                try:
                    signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _release(self, children: list[_Child]) -> None:
        """Forget finished children; those still exiting are reaped before their uid runs again."""
        for child in children:
            for fd in (child.ctl_w, child.res_r, child.pidfd):
                if fd is not None and fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            child.ctl_w = child.res_r = child.pidfd = -1
            if child.pid and self.exits.pop(child.pid, None) is None and self.mode != "none":
                self.dying[child.pid] = self._uid_of(child.role, child.area)

    def _finish_dying(self, uids: set[int]) -> None:
        """Wait until no killed process of an earlier execution runs as one of ``uids``.

        Until it is reaped it counts against that uid's RLIMIT_NPROC.
        """
        while any(uid in uids for uid in self.dying.values()):
            self._from_zygote(block=True)

    def _discard(self, child: _Child) -> None:
        if self.zygote is not None:
            self._ready(child)
        self._kill([child])
        if self.mode == "none":
            self._wait(child.pid)
        self._release([child])
        self._drop_area(child.area)

    def _top_up_spares(self) -> None:
        """Start submission children ahead of their jobs (the zygote forks them while a job runs)."""
        while len(self.spares) < self.want_spares and not self.parent_gone:
            area = self._make_area(self.last_size, self._next_sub_uid())
            res_r, res_w = os.pipe()
            self.spares.append(self._launch("sub", area, {3: res_w}, res_r))

    # -- one job ---------------------------------------------------------------------------------

    def _hand_over(self, child: _Child, job: dict) -> None:
        if self.zygote is not None:
            self._ready(child)
        protocol.write_all(child.ctl_w, marshal.dumps(job))
        os.close(child.ctl_w)
        child.ctl_w = -1

    def _start(self, job: dict, blobs: dict, size: str) -> tuple[dict[str, _Area], _Child, _Child, int]:
        """Hand the job to its processes; return (areas by role, main child, submission child, result pipe)."""
        if job["kind"] == "check":
            # The submission and the checker may each fork up to the limit: nothing else may count.
            self._finish_dying(set(self.sub_uids) | {self.checker_uid})
            if not self.detached_areas:  # one area at a time on /x
                while self.spares:
                    self._discard(self.spares.pop())
            area = self._make_area(size, self._next_sub_uid())
            # A detached area is attached once; the checker gets its own (its output files are then
            # out of the submission's reach altogether).
            checker_area = self._make_area(size, self.checker_uid) if area.detached else area
            _write_inputs(area, blobs)
            job["io"], job["out"] = f"{area.base}/io", f"{area.base}/out"
            res_r, res_w = os.pipe()
            req_r, req_w = os.pipe()
            resp_r, resp_w = os.pipe()
            null = os.open("/dev/null", os.O_WRONLY)
            sub = self._launch("sub", area, {3: null, 4: req_r, 5: resp_w}, None)
            main = self._launch("checker", checker_area, {3: res_w, 4: req_w, 5: resp_r}, res_r)
            self._hand_over(sub, job)
            self._hand_over(main, job)
            return {"sub": area, "main": checker_area}, main, sub, res_r
        for attempt in range(2):
            child = self.spares.pop(0) if self.spares and attempt == 0 else None
            if child is None:
                res_r, res_w = os.pipe()
                child = self._launch("sub", self._make_area(size, self._next_sub_uid()), {3: res_w}, res_r)
            try:
                self._resize_area(child.area, size)
                _write_inputs(child.area, blobs)
                job["io"], job["out"] = f"{child.area.base}/io", f"{child.area.base}/out"
                self._finish_dying({child.area.uid})
                self._hand_over(child, job)
                break
            except OSError:  # the spare died while waiting (or its area could not be resized)
                self._discard(child)
                if attempt:
                    raise
        if self.overlap:
            self._top_up_spares()  # the replacement is forked by the zygote while this job runs
        return {"sub": child.area, "main": child.area}, child, child, child.res_r

    def run_job(self, header: dict, blobs: dict) -> None:
        jid = header["id"]
        kind = header["kind"]
        limits = header["limits"]
        n = max(1, int(header.get("n", 1)))
        job = {k: v for k, v in header.items() if k != "op"}
        job["code"] = blobs.get("code", b"").decode("utf-8", "replace")
        if kind == "calls":
            job["args"] = [blobs[f"args.{k}"].decode("ascii", "replace") for k in range(n)]
        if kind == "check":
            job["check_code"] = blobs.get("check_code", b"").decode("utf-8", "replace")
        out_cap = int(limits["output_bytes"])
        line_cap = out_cap + 65536
        job["message_bytes"] = line_cap
        wall = float(limits["wall_s"])
        inputs = sum(len(v) for k, v in blobs.items() if k.startswith("in."))
        size = _area_size(limits, inputs, n if kind == "stdio" else 0)
        job["deadline"] = time.monotonic() + wall
        areas, main, sub, res_r = self._start(job, blobs, size)
        area = areas["sub"]
        start = time.monotonic()
        pidfd = main.pidfd
        os.set_blocking(res_r, False)
        poller = select.poll()
        for fd in (pidfd, res_r, 0):
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        multi = kind in ("stdio", "calls")
        deadline = start + wall
        hard_deadline = start + wall * (n + 1) if multi else deadline
        cpu_clock = _CpuClock(sub.pid, float(limits["cpu_s"]), start)
        pending = bytearray()
        records = 0
        self.end_claim = None
        timed_out = aborted = exited = cpu_over = False
        violation = ""
        res_open = True
        while True:
            now = time.monotonic()
            left = min(deadline, hard_deadline) - now
            if left <= 0:
                timed_out = True
                break
            if cpu_clock.check_at <= now and cpu_clock.over(now):
                cpu_over = True
                break
            left = min(left, max(0.0, cpu_clock.check_at - now))
            events = poller.poll(max(1, int(left * 1000) + 1))
            for fd, _ in events:
                if fd == pidfd:
                    exited = True
                elif fd == res_r and res_open:
                    try:
                        chunk = os.read(res_r, 1 << 20)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        poller.unregister(res_r)
                        res_open = False
                        continue
                    pending += chunk
                    before = records
                    records, violation = self._forward(jid, kind, area, pending, records, n, line_cap)
                    if multi and records > before:
                        deadline = time.monotonic() + wall
                        cpu_clock.new_test(deadline - wall)
                elif fd == 0:
                    if not self._read_parent(jid):
                        aborted = True
            if exited or aborted or violation or self.end_claim is not None:
                break
        end = time.monotonic()
        cpu_clock.close()
        children = [main] if main is sub else [main, sub]
        clean = True
        if self.mode == "none":
            clean = self._sweep()
        else:
            # The reply need not wait for the killed processes to finish exiting.
            self._kill(children)
        # Whatever the processes wrote before they died is still in the pipe.
        while res_open and not violation:
            try:
                chunk = os.read(res_r, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                break
            pending += chunk
            records, violation = self._forward(jid, kind, area, pending, records, n, line_cap)
        self._collect([])
        claim = self.end_claim
        if main.pid not in self.exits and (claim is None or self.mode == "none"):
            self._collect([main.pid])  # it died without saying so: its real status is needed
        status, cpu, maxrss = self.exits.get(main.pid, (None, None, None))
        killed_by_us = status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        if claim is not None and (status is None or killed_by_us):
            # It said "exiting with status S" and was doing so (our SIGKILL may have overtaken the exit).
            status = (int(claim.get("status", 1)) & 0xFF) << 8
            cpu, maxrss = claim.get("cpu"), claim.get("maxrss")
        done = {
            "op": "done",
            "id": jid,
            "wall_s": end - start,
            "cpu_s": cpu,
            "maxrss_kb": maxrss,
            "records": records,
            "timed_out": timed_out,
            "cpu_over": cpu_over,
            "aborted": aborted,
            "violation": violation,
        }
        _describe_status(done, status, "")
        if kind == "check":
            self._collect([sub.pid])
            _describe_status(done, self.exits.get(sub.pid, (None,))[0], "sub_")
        files = {"stdout": ("sub", "stdout"), "stderr": ("sub", "stderr")}
        if kind == "check":
            files.update(checker_stdout=("main", "cstdout"), checker_stderr=("main", "cstderr"))
        out_blobs = {}
        for name, (role, fname) in files.items():
            data = _read_capped(areas[role], f"io/{fname}", out_cap + 1)
            out_blobs[name] = data
            if len(data) > out_cap:
                done[f"{name}_over"] = True
        if kind == "stdio" and records < n:
            data = _read_capped(area, f"out/{records}", out_cap + 1)
            out_blobs["inflight_stdout"] = data
            done["inflight_over"] = len(data) > out_cap
        if not self.parent_gone:
            _send(done, out_blobs)
        # Clean-up and the next spare happen while the scorer reads the result.
        for one in {id(a): a for a in areas.values()}.values():
            self._drop_area(one)  # lazily: the killed processes may still hold files there
        self.last_size = size
        self._release(children)
        if self.mode == "none":
            self.exits.clear()
        if not clean:
            os._exit(3)  # the scorer starts a fresh worker
        self._top_up_spares()

    def _forward(
        self, jid: int, kind: str, area: _Area, pending: bytearray, records: int, n: int, line_cap: int
    ) -> tuple[int, str]:
        """Send the complete record lines to the scorer (one frame for a burst); return count, violation."""
        blobs: dict[str, bytes] = {}
        over: list[bool] = []
        first = records
        violation = ""
        while True:
            nl = pending.find(b"\n")
            if nl < 0:
                if len(pending) > line_cap:
                    violation = "a result record exceeded the output limit"
                break
            line = bytes(pending[:nl])
            del pending[: nl + 1]
            if line.startswith(b'{"end":'):  # the harness is exiting; nothing after it counts
                try:
                    claim = json.loads(line)
                    int(claim["status"])
                except (ValueError, TypeError, KeyError):
                    violation = "malformed end record"
                    break
                self.end_claim = claim
                break
            if records >= n:
                violation = "more result records than tests"
                break
            if len(line) > line_cap:
                violation = "a result record exceeded the output limit"
                break
            i = records - first
            blobs[f"record.{i}"] = line
            if kind == "stdio":
                cap = line_cap - 65536
                data = _read_capped(area, f"out/{records}", cap + 1)
                blobs[f"stdout.{i}"] = data
                over.append(len(data) > cap)
            records += 1
        if records > first:
            _send({"op": "progress", "id": jid, "k": first, "count": records - first, "over": over}, blobs)
        return records, violation

    def _read_parent(self, jid: int) -> bool:
        """Handle frames from the scorer during a job; return False when the job must stop."""
        try:
            data = os.read(0, 1 << 16)
        except InterruptedError:
            return True
        if not data:
            self.parent_gone = True
            return False
        self.buf.feed(data)
        keep_going = True
        while (frame := self.buf.pop()) is not None:
            header, _ = frame
            if header.get("op") == "abort" and header.get("id") == jid:
                keep_going = False
            elif header.get("op") == "exit":
                self.parent_gone = True
                keep_going = False
        return keep_going

    def serve(self) -> None:
        if self.mode != "none":
            self._start_zygote()
        self._top_up_spares()
        while not self.parent_gone:
            try:
                header, blobs = protocol.read_frame(0, self.buf)
            except EOFError:
                break
            op = header.get("op")
            if op == "job":
                try:
                    self.run_job(header, blobs)
                except _ZygoteGone as exc:  # no more children can be had: the scorer starts a new worker
                    _send({"op": "error", "id": header.get("id"), "message": str(exc)})
                    os._exit(3)
                except Exception:
                    _send({"op": "error", "id": header.get("id"), "message": traceback.format_exc()[-3000:]})
            elif op == "exit":
                break
        if self.mode == "none":  # in the namespace modes everything dies with us (pid 1)
            for child in self.spares:
                self._discard(child)
            self._sweep()


class _CpuClock:
    """Per-test CPU limit, enforced from outside: the child cannot reset it as it could an itimer.

    RLIMIT_CPU can only bound a whole multi-test process (``cpu_s * n``, in whole seconds). This clock
    reads the submission's CPU time from ``/proc`` only when the test could have spent its allowance:
    a thread spends at most one CPU second per wall second, so the first look is ``cpu_s`` after the
    test starts, and the next one when the rest of the allowance could have gone. A fast test costs one
    ``/proc`` read per record burst and none at all for a single run (CPU timing is in 10 ms ticks).
    """

    _TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid: int, cpu_s: float, start: float) -> None:
        self.pid, self.cpu_s = pid, cpu_s
        self.fd: int | None = None
        self.base = 0.0  # the process's CPU time when the current test started (a fresh child: ~0)
        self.check_at = start + cpu_s

    def _cpu(self) -> float | None:
        try:
            if self.fd is None:
                self.fd = os.open(f"/proc/{self.pid}/stat", os.O_RDONLY)
            stat_line = os.pread(self.fd, 1024, 0)
            fields = stat_line[stat_line.rindex(b")") + 2 :].split()
            return (int(fields[11]) + int(fields[12])) / self._TICK  # utime + stime
        except (OSError, ValueError, IndexError):
            return None  # gone (it is exiting): the other limits still hold

    def new_test(self, now: float) -> None:
        cpu = self._cpu()
        if cpu is not None:
            self.base = cpu
        self.check_at = now + self.cpu_s

    def over(self, now: float) -> bool:
        cpu = self._cpu()
        if cpu is None:
            self.check_at = float("inf")
            return False
        spent = cpu - self.base
        if spent >= self.cpu_s:
            return True
        self.check_at = now + max(0.01, self.cpu_s - spent)
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _area_size(limits: dict, inputs: int, n_out: int) -> str:
    """Options of the tmpfs for one execution: the disk allowance plus room for inputs and capped outputs."""
    out_cap = int(limits["output_bytes"]) + 1
    size = int(limits["disk_mb"]) * 2**20 + inputs + (n_out + 5) * out_cap + 2**20
    return f"size={size},nr_inodes={4096 + 2 * n_out}"


def _write_inputs(area: _Area, blobs: dict) -> None:
    for name, data in blobs.items():
        if name.startswith("in."):
            fd = os.open(f"io/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=area.fd)
            try:
                protocol.write_all(fd, data)
            finally:
                os.close(fd)


def _recv_with_fds(sock: socket.socket, max_fds: int, flags: int = 0) -> tuple[bytes, list[int]]:
    """One message and the file descriptors sent with it (``socket.recv_fds`` ignores ``flags`` in 3.11)."""
    msg, ancillary, _, _ = sock.recvmsg(1 << 16, socket.CMSG_SPACE(max_fds * 4), flags)
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    return msg, list(fds)


def _child_error() -> None:
    try:
        os.write(2, traceback.format_exc()[-3000:].encode())
    except BaseException:
        pass


def _serve(cfg: dict, mode: str, layers: list[str], errors: list[str]) -> None:
    for name in cfg.get("preimport", protocol.DEFAULT_PREIMPORT):
        try:
            __import__(name)
        except ImportError:
            pass
    server = Server(cfg, mode)
    if mode == "root":
        layers += ["pid+mount+net+ipc+uts namespaces", "read-only chroot", f"unprivileged uid {server.uid}"]
    elif mode == "userns":
        layers += ["user+pid+mount+net+ipc+uts namespaces", "read-only chroot", "capabilities dropped"]
    else:
        layers += ["child subreaper", "python audit hook (sockets, signals)"]
        if server.drop_uid:
            layers.append(f"unprivileged uid {server.uid}")
            if not _world_readable(os.path.dirname(os.__file__)):
                errors.append(
                    "the standard library is not readable by the sandbox uid: only preloaded modules can be "
                    "imported (start the workers with a world-readable python)"
                )
    layers += ["rlimits", "no_new_privs"]
    # What every child inherits is set once here rather than after each fork.
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)  # pid 1 ignores them from inside anyway
    # CPython ignores SIGXFSZ; with the default action a write past the output cap stops the program
    # at once (a program may still ignore it: then its writes fail and the size check catches it).
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    if mode != "none":
        _set_environment(EXEC_ROOT)
    compile("pass", "<warm-up>", "exec")
    gc.collect()
    gc.freeze()
    _libc.malloc_trim(0)
    _send({"op": "ready", "mode": mode, "layers": layers, "errors": errors, "pid": os.getpid()})
    server.serve()


# ------------------------------------------------------------------------------------------- helpers


def _set_environment(base: str) -> None:
    os.environ.clear()
    os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": f"{base}/work", "LANG": "C.UTF-8"})
    os.environ["TMPDIR"] = f"{base}/tmp"


def _world_readable(path: str) -> bool:
    """True when every directory on ``path`` lets others in (what an unprivileged uid needs)."""
    cur = "/"
    for part in [p for p in path.split("/") if p]:
        cur = os.path.join(cur, part)
        try:
            if os.stat(cur).st_mode & 0o005 != 0o005:
                return False
        except OSError:
            return False
    return True


def _describe_status(done: dict, status: int | None, prefix: str) -> None:
    if status is None:
        done[prefix + "exit_code"] = None
        done[prefix + "signal"] = None
    elif os.WIFSIGNALED(status):
        done[prefix + "exit_code"] = None
        done[prefix + "signal"] = os.WTERMSIG(status)
    else:
        done[prefix + "exit_code"] = os.WEXITSTATUS(status)
        done[prefix + "signal"] = None


def _read_capped(area: _Area, path: str, cap: int) -> bytes:
    """Read at most ``cap`` bytes of a regular file, refusing symlinks and FIFOs planted by the child."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=area.fd)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
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


def _descendants(root_pid: int) -> list[int]:
    """All processes below ``root_pid`` (orphans re-parent to us, the child subreaper)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
            ppid = int(raw[raw.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, stack = [], [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def _drop_capabilities() -> None:
    """Give up every capability (userns mode): the child keeps our uid but none of its powers."""
    for cap in range(64):
        if _prctl(PR_CAPBSET_DROP, cap) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)

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
    _check(_libc.capset(ctypes.byref(hdr), ctypes.byref(data)), "capset")


def _install_audit_hook(server_pid: int) -> None:
    """Refuse network use and signals to processes outside the execution ("none" mode only).

    An audit hook cannot be removed from Python, but native code (ctypes) bypasses it; the namespaces
    of the other modes do not have that hole.
    """
    own_pgid = os.getpgid(0)
    blocked = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}

    def hook(event: str, args: tuple) -> None:
        if event in blocked:
            raise PermissionError(f"{event} is not allowed in the sandbox")
        if event == "os.kill":
            pid = args[0]
            if pid in (-1, 1, server_pid) or (pid < -1 and -pid != own_pgid):
                raise PermissionError("signals to processes outside the sandbox are not allowed")
        elif event == "os.killpg" and args[0] != own_pgid:
            raise PermissionError("signals to processes outside the sandbox are not allowed")

    sys.addaudithook(hook)


if __name__ == "__main__":
    main()
