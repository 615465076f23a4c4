"""The worker's start-up: cgroups, namespaces, the pid-1 server and its read-only root.

:func:`main` is what the boot code of :mod:`guru_envs.sandbox.worker` calls (``python -I -S -B -c
BOOT``, the modules as bytecode and the configuration read from stdin: nothing of them in ``argv``, so
``/proc/self/cmdline`` shows no path, uid or cgroup). Once per worker:

1. Join the worker's pids/memory cgroups and its CPU-accounting cgroup; keep descriptors of the
   per-role CPU cgroups (their files are out of sight after ``chroot``).
2. ``unshare`` mount, pid, network, IPC, UTS and cgroup namespaces; as root directly ("root" mode),
   otherwise inside a new user namespace that maps only our own uid ("userns" mode). If neither works
   and the scorer allowed it, stay in "none" mode.
3. Fork the server, pid 1 of the new pid namespace: nothing inside can see the scorer, a signal from
   inside cannot kill it, and when it exits the kernel kills everything inside.
4. Build the read-only root (:mod:`rootfs`) and ``chroot`` into it. Where its system files are the
   scorer's tmpfs copy (:mod:`guru_envs.sandbox.image`), re-execute the interpreter from it, handing
   the boot frame to the new one (with what this stage found) through a memfd on its stdin: until then
   the worker maps the host's interpreter and libraries, whose page-cache state every sandboxed
   process (all forks of this one) could otherwise read through its own mappings.
5. Import common modules, freeze the heap, and serve (:class:`server.Server`, which forks the zygote
   of :mod:`child` and says "ready").

Stdlib-only; shipped to the worker as bytecode.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import struct
import sys
import traceback

if __package__:
    from guru_envs.sandbox import child, linux, protocol, rootfs
    from guru_envs.sandbox.server import Server, send
else:  # inside the worker
    import _guru_sandbox_child as child
    import _guru_sandbox_linux as linux
    import _guru_sandbox_protocol as protocol
    import _guru_sandbox_rootfs as rootfs
    from _guru_sandbox_server import Server, send


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


def _open_cpu_cgroups(spec: dict | None, layers: list[str], errors: list[str]) -> dict | None:
    """Descriptors of each role's CPU cgroup (``cgroup.procs`` to join, the usage file to read)."""
    if not spec:
        return None
    try:
        out = {"kind": spec["kind"], "procs": {}, "usage": {}}
        for role in ("sub", "chk"):
            out["procs"][role] = os.open(spec[role]["procs"], os.O_WRONLY)
            out["usage"][role] = os.open(spec[role]["usage"], os.O_RDONLY)
    except OSError as exc:
        errors.append(f"CPU cgroup unusable ({exc.strerror}): CPU is read from /proc instead")
        return None
    layers.append(f"CPU cgroup per role ({spec['kind']}: forked children counted)")
    return out


def _reexec(boot: list, mode: str, layers: list[str], errors: list[str], cpu: dict | None) -> None:
    """Replace this process (pid 1, in the new root) with the interpreter of the image.

    The new interpreter gets the same boot frame on its stdin (a memfd), its configuration carrying
    ``resume``: what this stage found, and the descriptor of the scorer's pipe to put back on fd 0.
    Returns only if the interpreter cannot be executed (said in ``errors``).
    """
    raw, body = boot
    boot.clear()
    head = json.loads(raw)
    keep = os.dup(0)
    fds = [keep, *((*cpu["procs"].values(), *cpu["usage"].values()) if cpu else ())]
    head["config"]["resume"] = {"mode": mode, "layers": layers, "errors": errors, "cpu": cpu, "stdin": keep}
    raw = json.dumps(head, separators=(",", ":")).encode("utf-8")
    frame = os.memfd_create("boot", 0)
    data = memoryview(struct.pack(">II", len(raw), len(body)) + raw + body)
    del raw, body, head
    while data:
        data = data[os.write(frame, data) :]
    os.lseek(frame, 0, os.SEEK_SET)
    for fd in fds:
        os.set_inheritable(fd, True)
    os.dup2(frame, 0)
    os.close(frame)
    argv = getattr(sys, "orig_argv", None)  # Python 3.10+; before, the kernel's copy of it
    try:
        if not argv:
            with open("/proc/self/cmdline", "rb") as fh:
                argv = [os.fsdecode(a) for a in fh.read().split(b"\0")[:-1]]
        os.execv(sys.executable, argv)
    except OSError as exc:
        os.dup2(keep, 0)
        for fd in fds:
            os.set_inheritable(fd, False)
        os.close(keep)
        errors.append(f"the worker could not re-execute its interpreter from the tmpfs copy: {exc}")


def _resume(cfg: dict, state: dict) -> None:
    """The re-executed interpreter: take the scorer's pipe back and serve as the first stage would."""
    os.dup2(int(state["stdin"]), 0)  # the memfd with the boot frame goes
    os.close(int(state["stdin"]))
    cpu = state.get("cpu")
    if cpu:
        for fd in (*cpu["procs"].values(), *cpu["usage"].values()):
            os.set_inheritable(fd, False)
    layers, errors = list(state["layers"]), list(state["errors"])
    layers.append("system files copied into a tmpfs (the host's page cache out of sight)")
    linux.prctl(linux.PR_SET_DUMPABLE, 0)
    _serve(cfg, str(state["mode"]), layers, errors, cpu)


def main(cfg: dict, boot: list | None = None) -> None:
    """Launcher: cgroups, namespaces, then fork the pid-1 server (or serve directly in "none" mode).

    ``boot``: the boot frame as read (header, body), kept only as long as a re-execution may need it.
    """
    os.umask(0o022)
    for key in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, key), signal.SIG_IGN)
    boot = boot if boot is not None else []
    state = cfg.pop("resume", None)
    if state is not None:
        boot.clear()
        try:
            _resume(cfg, state)
        except BaseException:
            send({"op": "fatal", "message": traceback.format_exc()[-3000:]})
            os._exit(3)
        os._exit(0)
    layers: list[str] = []
    errors: list[str] = list(cfg.get("errors", []))
    for group in cfg.get("cgroups", []):
        try:
            linux.write_file(group["procs"], str(os.getpid()))
            layers.append(group["label"])
        except OSError as exc:
            layers.append(f"{group['label']}: join failed ({exc.strerror})")
    cpu = _open_cpu_cgroups(cfg.get("cpu"), layers, errors)
    try:
        linux.write_file("/proc/self/oom_score_adj", "-1000")
    except OSError:
        pass
    mode = rootfs.enter_namespaces(errors) if cfg.get("mode", "auto") != "none" else None
    if mode is None:
        if cfg.get("mode") == "namespaces":
            send({"op": "fatal", "message": "namespaces unavailable: " + "; ".join(errors)})
            os._exit(2)
        boot.clear()
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
        _serve(cfg, "none", layers, errors, cpu)
        return
    pid = os.fork()
    if pid != 0:
        boot.clear()
    if pid == 0:
        try:
            linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getpid() != 1:
                raise RuntimeError("the server is not pid 1 of a new pid namespace")
            os.setsid()
            uid = int(cfg.get("uid", 0)) if mode == "root" else 0
            uids = [uid, *(int(u) for u in cfg.get("sub_uids", ()))] if mode == "root" else [uid]
            if rootfs.setup_root(cfg, uids, errors) and boot:
                _reexec(boot, mode, layers, errors, cpu)
            boot.clear()
            linux.prctl(linux.PR_SET_DUMPABLE, 0)
            _serve(cfg, mode, layers, errors, cpu)
        except BaseException:
            send({"op": "fatal", "message": traceback.format_exc()[-3000:]})
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


def _serve(cfg: dict, mode: str, layers: list[str], errors: list[str], cpu: dict | None) -> None:
    for name in cfg.get("preimport", protocol.DEFAULT_PREIMPORT):
        try:
            __import__(name)
        except ImportError:
            pass
    if mode != "none":
        # Each execution's own /proc, mounted by its pid 1 (rootfs.mount_exec_proc): what this kernel
        # allows, tried once here, before the server forks anything. "off" only to measure what it costs.
        cfg["exec_proc"] = cfg.get("exec_proc") or rootfs.probe_exec_proc()
        if cfg["exec_proc"] is None:
            raise RuntimeError("no /proc of its own can be given to an execution (procfs and tmpfs refused)")
    server = Server(cfg, mode, cpu)
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
    if mode != "none":
        layers.append("per execution: pid, mount, IPC, network and cgroup namespaces")
        how = cfg["exec_proc"]
        if how == "subset":
            layers.append("per execution: its own /proc (its own pids only, no host-wide file)")
        elif how == "plain":
            layers.append("per execution: its own /proc (its own pids only)")
            errors.append("procfs has no subset=pid here: host-wide /proc files (stat, vmstat) are visible")
        elif how == "hide":
            layers.append("per execution: no /proc")
            errors.append("no procfs can be mounted for an execution: executions see no /proc at all")
    else:
        linux.prctl(linux.PR_SET_DUMPABLE, 0)  # its memory held jobs: out of the children's reach
    layers.append("a fresh process per test (forked by a trusted init; inputs one test at a time)")
    if cfg.get("seccomp"):
        layers.append(cfg.get("seccomp_label", "seccomp filter"))
    if cfg.get("no_fork"):
        layers.append("no new processes (no CPU cgroup to count them)")
    layers += ["rlimits", "no_new_privs"]
    # What every child inherits is set once here rather than after each fork.
    linux.check(linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)  # pid 1 ignores them from inside anyway
    # CPython ignores SIGXFSZ; with the default action a write past the output cap stops the program
    # at once (a program may still ignore it: then its writes fail and the size check catches it).
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    if mode != "none":
        child.set_environment(rootfs.EXEC_ROOT)
    for key in ("readonly", "cgroups", "cpu", "errors", "image"):  # host paths: no child's business
        cfg.pop(key, None)
    compile("pass", "<warm-up>", "exec")
    gc.collect()
    gc.freeze()
    linux.libc.malloc_trim(0)
    send({"op": "ready", "mode": mode, "layers": layers, "errors": errors, "pid": os.getpid()})
    server.serve()
