"""Sandboxed children: how they are forked (by the zygote), set up ahead of their job, and run it.

Every execution's process is forked by the worker's *zygote*, a copy of the warm worker that does
nothing but fork children and report their exits, so that a child never shares memory with a process
that has held a job: each child starts from the same pristine state, with no job, test or result of any
other execution in its memory (in every mode). A child is pid 1 of a pid namespace of its own (the
namespace modes); killing it kills every process of its execution, and the zygote reaps it only once
all of them are gone.

Set-up (:meth:`Children.prepare`, before the job is known, so it runs while the previous job does): the
child is born in the submissions' CPU-accounting cgroup, where the zygote lives (a checker moves to its
own), enters a new cgroup namespace, unshares new mount, IPC and network namespaces (an execution
shares no System V object, abstract socket or loopback with any other), attaches its area at ``/x``,
hands the worker a reference to its mount namespace (freed by the worker after the reply, so the exit
of pid 1 never waits for the unmount), starts a session, keeps fds 0-6 (the last its job pipe), mounts
a ``/proc`` of its own pid namespace over the worker's (:func:`rootfs.mount_exec_proc`: the execution
sees its own pids only), drops to its uid (root mode) or every capability (userns mode), and loads its
part of the seccomp filter.
Then it reads its job, lowers its rlimits and runs the harness (:mod:`harness`). The filter comes in
two parts: the zygote loads all of it but the calls a child's set-up needs, once, and every child
inherits that part (no compilation per process) and loads the tiny rest itself once its set-up is done.

Stdlib-only; shipped to the worker as bytecode.
"""

from __future__ import annotations

import _signal
import _socket
import marshal
import os
import resource
import select
import signal
import sys
import traceback

if __package__:
    from guru_envs.sandbox import area as area_mod
    from guru_envs.sandbox import codec, harness, linux, rootfs
else:  # inside the worker
    import _guru_sandbox_area as area_mod
    import _guru_sandbox_codec as codec
    import _guru_sandbox_harness as harness
    import _guru_sandbox_linux as linux
    import _guru_sandbox_rootfs as rootfs

CTL_FD = 6  # a child reads its job here, then closes it (3-5 are the harness's)
MULTI_KINDS = ("stdio", "calls")


class Child:
    """A submission or checker process: set up ahead of its job, which it reads from ``CTL_FD``.

    Attributes:
        role: "sub" (runs the submission) or "checker" (runs trusted check code).
        area: its execution area.
        ctl_w: the worker's end of the job pipe.
        pipes: the worker's ends of the child's other pipes, by name.
        pid, pidfd: filled in when the zygote reports the fork (namespace modes) or at once ("none").
    """

    def __init__(self, role: str, area: area_mod.Area, ctl_w: int, pipes: dict[str, int]) -> None:
        self.role, self.area, self.ctl_w, self.pipes = role, area, ctl_w, pipes
        self.pid = 0
        self.pidfd = -1


# The worker's processes use ``_socket`` directly: the ``socket`` module would bring ``selectors`` and the
# ``array`` extension into the image every sandboxed process is forked from (each shared library adds
# five mappings, which every fork and every exit pays for: ~8 us a library per test on these VMs).


def fds_of(data: bytes) -> list[int]:
    """The descriptors in the data of an ``SCM_RIGHTS`` message (native ints)."""
    return [int.from_bytes(data[i : i + 4], sys.byteorder, signed=True) for i in range(0, len(data) - 3, 4)]


def send_with_fds(sock: _socket.socket, data: bytes, fds: list[int]) -> None:
    """One message with file descriptors attached (``SCM_RIGHTS``)."""
    rights = b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds)
    sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])


def recv_with_fds(sock: _socket.socket, max_fds: int, flags: int = 0) -> tuple[bytes, list[int]]:
    """One message and the file descriptors sent with it."""
    msg, ancillary, _, _ = sock.recvmsg(1 << 16, _socket.CMSG_SPACE(max_fds * 4), flags)
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds += fds_of(data)
    return msg, fds


def child_error() -> None:
    """Report the current exception on stderr (a child's only channel before its job)."""
    try:
        os.write(2, traceback.format_exc()[-3000:].encode())
    except BaseException:
        pass


def set_environment(base: str) -> None:
    """The scrubbed environment every execution sees."""
    os.environ.clear()
    os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": f"{base}/work", "LANG": "C.UTF-8"})
    os.environ["TMPDIR"] = f"{base}/tmp"


def install_audit_hook(server_pid: int) -> None:
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


def hand_over_mount_namespace(keep_fd: int) -> None:
    """Send the worker a reference to this child's (new) mount namespace, over the socket ``keep_fd``.

    The last process to leave a mount namespace unmounts everything in it, and an unmount waits for an
    RCU grace period: ~0.05 ms on an idle machine, often milliseconds under load, and it would happen in
    the exit of the execution's pid 1, before the worker may reply. With the worker holding a reference
    the namespace outlives the execution (nothing can enter it: ``setns`` needs privileges no sandboxed
    process has, and the worker never uses it), and the worker drops it once the execution is gone, in
    a thread of its own (:meth:`server.Server.release`). Trusted set-up code; the socket is closed with
    every other descriptor before the job runs. If the worker's queue is full the namespace is simply
    torn down by the execution's own exit, as before.
    """
    ns = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM, 0, keep_fd)
    try:
        rights = ns.to_bytes(4, sys.byteorder)
        sock.sendmsg([b"m"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)], _socket.MSG_DONTWAIT)
    except OSError:
        pass
    finally:
        sock.detach()
        os.close(ns)


class Children:
    """What every child of one worker shares: its mode, uids, cgroups and seccomp filters."""

    def __init__(
        self, mode: str, drop_uid: bool, checker_uid: int, cfg: dict, cgroup_procs: dict[str, int]
    ) -> None:
        self.mode, self.drop_uid, self.checker_uid = mode, drop_uid, checker_uid
        self.cgroup_procs = cgroup_procs  # role -> fd of that role's cgroup.procs (opened before chroot)
        # The filter in two parts (seccomp.split_programs): the zygote's, loaded once in the zygote and
        # inherited by every child, and the child's own, loaded by each child once its set-up is done.
        self.seccomp = linux.SeccompProgram(cfg["seccomp"]) if cfg.get("seccomp") else None
        self.seccomp_child = linux.SeccompProgram(cfg["seccomp_child"]) if self.seccomp else None
        self.exec_namespaces = bool(cfg.get("exec_namespaces", True))  # off only to measure their cost
        # Each execution's own /proc (rootfs.mount_exec_proc): what the worker found possible, "off" only
        # to measure what it costs.
        how = cfg.get("exec_proc")
        self.exec_proc = how if mode != "none" and how in rootfs.EXEC_PROC else None
        self.keep_fd = -1  # the worker's socket for references to the children's mount namespaces
        # Stacked on untrusted code where no cgroup counts CPU.
        self.no_fork = linux.SeccompProgram(cfg["no_fork"]) if cfg.get("no_fork") else None

    def uid_of(self, role: str, area: area_mod.Area) -> int:
        """The uid a child of ``role`` runs as (the checker never shares the submission's)."""
        return self.checker_uid if role == "checker" else area.uid

    # -- in the zygote --------------------------------------------------------------------------

    def zygote_main(self, sock: _socket.socket) -> None:
        """Fork children on request, each pid 1 of a new pid namespace; report their exits."""
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)  # no copy of the scorer's pipes: it must see EOF when the worker goes
        os.dup2(null, 1)
        os.close(null)
        own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY) if self.mode != "none" else -1
        sub = self.cgroup_procs.get("sub")
        if sub is not None:
            # Children are born in the submissions' CPU cgroup: moving each one there would cost an RCU
            # grace period per execution (cgroup migrations take a global lock). Only checkers move.
            os.write(sub, b"0")
        if self.seccomp is not None:  # every child inherits it (see Children.__init__)
            self.seccomp.install()
        children: dict[int, int] = {}  # pidfd -> pid
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        while True:
            for fd, _ in poller.poll():
                if fd != sock.fileno():
                    pid = children.pop(fd)
                    poller.unregister(fd)
                    os.close(fd)
                    # The pid 1 of a namespace is reapable only once every other process in it is gone.
                    _, status, usage = os.wait4(pid, 0)
                    note = {"op": "exited", "pid": pid, "status": status}
                    note.update(cpu=usage.ru_utime + usage.ru_stime, maxrss=usage.ru_maxrss)
                    sock.send(marshal.dumps(note))
                    continue
                try:
                    msg, fds = recv_with_fds(sock, 16)
                except OSError:
                    msg = b""
                if not msg:  # the worker is gone (the kernel is about to end us anyway)
                    os._exit(0)
                req = marshal.loads(msg)
                area = area_mod.Area(req["base"], fds[0], "", req["uid"], req["detached"])
                if own_pid_ns >= 0:  # the next fork is pid 1 of a new pid namespace
                    # unshare(CLONE_NEWPID) applies to our next fork, from our own namespace for children.
                    linux.check(linux.libc.setns(own_pid_ns, linux.CLONE_NEWPID), "setns")
                    linux.unshare(linux.CLONE_NEWPID, "unshare pid namespace")
                pid = self.fork_child(req["role"], area, dict(zip(req["targets"], fds[1:])))
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                children[pidfd] = pid
                poller.register(pidfd, select.POLLIN)
                send_with_fds(sock, marshal.dumps({"op": "forked", "pid": pid}), [pidfd])

    def fork_child(self, role: str, area: area_mod.Area, fds: dict[int, int]) -> int:
        """Fork a child that prepares itself, waits for its job on ``CTL_FD`` and runs it."""
        pid = os.fork()
        if pid:
            return pid
        try:
            self.prepare(role, fds, area)
            data = bytearray()
            while chunk := os.read(CTL_FD, 1 << 20):
                data += chunk
            os.close(CTL_FD)
            if data:
                job = marshal.loads(data)  # trusted: from the worker, before any untrusted code
                del data
                self.run(role, job, area)
                os._exit(125)
            os._exit(0)
        except BaseException:
            child_error()
        os._exit(125)

    # -- in the child ---------------------------------------------------------------------------

    def prepare(self, role: str, fds: dict[int, int], area: area_mod.Area) -> None:
        """Everything that does not depend on the job (see the module docstring), in that order."""
        cg = self.cgroup_procs.get("chk" if role == "checker" else "sub")
        if cg is not None and role == "checker":
            os.write(cg, b"0")  # a checker's CPU is not the submission's: into the checkers' cgroup
        if self.mode != "none":
            flags = linux.CLONE_NEWIPC | linux.CLONE_NEWNET if self.exec_namespaces else 0
            flags |= linux.CLONE_NEWCGROUP if cg is not None and self.exec_namespaces else 0
            flags |= linux.CLONE_NEWNS if area.detached or self.exec_proc else 0
            if flags:
                linux.unshare(flags, "unshare the execution's namespaces")
            if area.detached:  # attach the area at /x, in this child's own mount namespace
                linux.attach(area.fd, area.base)
                if self.keep_fd >= 0:
                    hand_over_mount_namespace(self.keep_fd)
        os.setsid()
        if self.mode == "none":  # no pid namespace to take the children down with the worker
            linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        # ``_signal`` directly: the enum wrappers of ``signal.signal`` touch ~60 pages, each a fault here.
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        base = area.base
        prefix = "c" if role == "checker" else ""
        targets = {
            0: os.open("/dev/null", os.O_RDONLY),
            1: os.open(f"{base}/io/{prefix}stdout", os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW),
            2: os.open(f"{base}/io/{prefix}stderr", os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW),
        }
        targets.update(fds)
        high = {t: linux.dup_above(src, 64) for t, src in targets.items()}  # above every target
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
            linux.write_file("/proc/self/oom_score_adj", "1000")
        except OSError:
            pass
        if self.exec_proc:  # a /proc of this execution's own pid namespace, over the worker's
            rootfs.mount_exec_proc(self.exec_proc)
        if self.drop_uid:
            uid = self.uid_of(role, area)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            if os.getresuid() != (uid, uid, uid) or uid == 0:
                raise RuntimeError("could not drop to the sandbox uid")
        elif self.mode == "userns":
            linux.drop_capabilities()
        # Non-dumpable until untrusted code runs (then only the process running it becomes dumpable,
        # for its own /proc/self): nothing of the same uid can ptrace it or open its /proc files.
        linux.prctl(linux.PR_SET_DUMPABLE, 0)
        if self.mode == "none":
            install_audit_hook(os.getppid())
            set_environment(base)
        if self.seccomp_child is not None:  # the zygote's part is inherited: this completes the filter
            self.seccomp_child.install()

    def enter_untrusted(self) -> None:
        """The last step before a process runs untrusted code: dumpable for /proc/self, no-fork filter."""
        if self.no_fork is not None:
            self.no_fork.install()
        linux.prctl(linux.PR_SET_DUMPABLE, 1)

    def run(self, role: str, job: dict, area: area_mod.Area) -> None:
        """Apply the job's limits (only ever lowering them, so no privilege is needed) and run it."""
        limits = job["limits"]
        kind = job["kind"]
        if kind == "run":
            fd = os.open(f"{area.base}/io/in", os.O_RDONLY | os.O_NOFOLLOW)
            os.dup2(fd, 0)
            os.close(fd)
        n = max(1, int(job.get("n", 1)))
        cpu = float(limits["cpu_s"]) * (n + 1 if kind in MULTI_KINDS else 1)
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
        enter = self.enter_untrusted
        if role == "checker":
            harness.run_checker(job, 4, 5, codec, enter)
        elif kind == "check":
            harness.serve_candidate(job, 4, 5, codec, enter)
        elif kind == "run":
            harness.run_program(job, enter)
        else:
            harness.serve_tests(job, codec, enter)
