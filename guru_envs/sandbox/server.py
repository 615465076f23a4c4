"""The sandbox worker's job loop: one execution at a time, from a spare child to the reply.

The worker is started by :mod:`guru_envs.sandbox.worker` and set up by :mod:`launcher`; this module is
the pid-1 server it then runs, speaking :mod:`protocol` frames on stdin/stdout.

Per execution (see :mod:`child` for how each process is set up, :mod:`harness` for what runs in it)
    * a *spare* child, forked by the zygote ahead of its job and already set up, gets the job;
    * the server waits on its pidfd, its pipes and the scorer's pipe at once, enforcing the wall clock of
      each test and its CPU time, read for the whole process tree of the execution from the role's CPU
      cgroup (forked children included), and forwards each test's record as it comes;
    * a multi-test execution's pid 1 is the harness's trusted test init: the server writes each test's
      input into the area and sends its "go" only once the previous test's processes are all gone and,
      with stop-on-first-failure, once the scorer has said that test passed ("next");
    * at the end, one SIGKILL to each pid 1 ends its pid namespace; the zygote can reap a pid 1 only once
      every other process of its namespace is gone, and the server replies only after that: nothing of
      an execution runs, or holds a socket, when the next one starts.

"none" mode (no namespaces available): same rlimits, session, scrubbed env, zygote and per-execution
temporary directory on the host, an unprivileged uid when root, descendants found through a child
subreaper and killed, and a Python audit hook that refuses sockets and signals to foreign processes.
It is weaker in every way (no filesystem or network isolation against native code: the program can
read whatever the host lets its uid read, and without root it runs as the scorer's own uid) and is
reported as such: use it only for trusted code.
"""

from __future__ import annotations

import _socket
import _thread
import marshal
import os
import signal
import sys
import time
import traceback

if __package__:
    from guru_envs.sandbox import area as area_mod
    from guru_envs.sandbox import child, linux, protocol, rootfs
    from guru_envs.sandbox.watch import Budget, CgroupClock, TreeClock, Watch
else:  # inside the worker
    import _guru_sandbox_area as area_mod
    import _guru_sandbox_child as child
    import _guru_sandbox_linux as linux
    import _guru_sandbox_protocol as protocol
    import _guru_sandbox_rootfs as rootfs
    from _guru_sandbox_watch import Budget, CgroupClock, TreeClock, Watch

EXEC_ROOT = rootfs.EXEC_ROOT
RECORD_EXTRA = 65536  # a record line may exceed the output cap by this much (JSON framing, messages)
REPORT_CAP = 4096  # unread test-init reports held at most: each is a short line, so more is a flood
VERDICT_WAIT_S = 3600.0  # the scorer answers each progress frame at once; it is gone long before this


def send(header: dict, blobs: dict | None = None) -> None:
    """One frame to the scorer (fd 1)."""
    protocol.write_all(1, protocol.pack(header, blobs))


class _ZygoteGone(RuntimeError):
    pass


# --------------------------------------------------------------------------------------- the server


class Server:
    """The job loop (pid 1 of the sandbox namespaces, or the launcher itself in "none" mode)."""

    def __init__(self, cfg: dict, mode: str, cpu: dict | None) -> None:
        self.cfg = cfg
        self.mode = mode
        self.buf = protocol.FrameBuffer()
        root = os.geteuid() == 0 and mode != "userns"
        self.uid = int(cfg["uid"]) if root else os.geteuid()
        # Submission uids rotate, so that a spare waiting beside a running submission never shares its uid.
        self.sub_uids = [int(u) for u in cfg.get("sub_uids", [self.uid])] if root else [self.uid]
        self.checker_uid = int(cfg.get("checker_uid", self.uid)) if root else self.uid
        self.drop_uid = root
        self.cpu = cpu  # {"kind", "procs": {role: fd}, "usage": {role: fd}} or None
        self.children = child.Children(mode, root, self.checker_uid, cfg, dict(cpu["procs"]) if cpu else {})
        self.parent_gone = False
        self.granted: tuple[int, int] | None = None  # (job, test) the scorer last said passed ("next")
        self.detached_areas = False
        if mode != "none" and cfg.get("detached_areas", True):
            try:
                os.close(linux.new_tmpfs("size=4k"))
                self.detached_areas = True
            except OSError:
                pass  # an older kernel: mount each area at /x and unmount it afterwards
        # Spares are forked (by the zygote) while a job runs only where they have areas and uids of
        # their own: a submission must not reach a child waiting for a later job. Otherwise one spare,
        # forked after the reply, when nothing untrusted runs.
        self.overlap = self.detached_areas and self.drop_uid and len(set(self.sub_uids)) >= 4
        spares = int(cfg.get("spares", 2 if self.overlap else 1))
        self.want_spares = spares if cfg.get("prefork", True) else 0
        self.spares: list[child.Child] = []
        self.awaiting_pid: list[child.Child] = []  # asked of the zygote, in order; its replies come in order
        self.zygote: _socket.socket | None = None
        self.zygote_pid = 0
        self.exits: dict[int, tuple] = {}  # pid -> (wait status, cpu s, maxrss kB)
        # References to the children's mount namespaces, released once each child is gone (see release).
        self.keep: _socket.socket | None = None
        self.kept: dict[int, int] = {}  # pid -> namespace fd
        self.release_w = -1
        self.handed = self.released = 0
        self.last_size = area_mod.size_options({"disk_mb": 64, "output_bytes": 1 << 20}, 0, 0)

    # -- areas and children ------------------------------------------------------------------------

    def _next_sub_uid(self) -> int:
        self.sub_uids.append(self.sub_uids.pop(0))
        return self.sub_uids[-1]

    def _make_area(self, size: str, uid: int, files: tuple[str, ...] = area_mod.SUB_FILES) -> area_mod.Area:
        return area_mod.make(
            self.mode,
            self.detached_areas,
            size,
            uid,
            uid if self.drop_uid else None,
            f"guru-sbx-{self.uid}-",
            files,
        )

    def _clock(self, role: str, pid: int) -> CgroupClock | TreeClock:
        if self.cpu is not None:
            return CgroupClock(self.cpu["usage"]["chk" if role == "checker" else "sub"], self.cpu["kind"])
        return TreeClock(pid)

    def _launch(
        self, role: str, area: area_mod.Area, fds: dict[int, int], pipes: dict[str, int]
    ) -> child.Child:
        """Start a child of ``role`` in ``area`` with ``fds`` (target -> our fd, closed here)."""
        ctl_r, ctl_w = os.pipe()
        fds = {**fds, child.CTL_FD: ctl_r}
        kid = child.Child(role, area, ctl_w, pipes)
        # Every child comes from the zygote, whose memory never held a job.
        request = {"role": role, "base": area.base, "uid": area.uid, "detached": area.detached}
        request["targets"] = list(fds)
        try:
            child.send_with_fds(self.zygote, marshal.dumps(request), [area.fd, *fds.values()])
        except OSError as exc:
            raise _ZygoteGone(f"the zygote is gone: {exc}") from None
        self.awaiting_pid.append(kid)
        for fd in fds.values():
            os.close(fd)
        return kid

    def _launch_sub(self, area: area_mod.Area) -> child.Child:
        """A submission child with its record pipe (fd 3), report pipe (fd 4) and go pipe (fd 5)."""
        res_r, res_w = os.pipe()
        rep_r, rep_w = os.pipe()
        go_r, go_w = os.pipe()
        return self._launch(
            "sub", area, {3: res_w, 4: rep_w, 5: go_r}, {"res": res_r, "rep": rep_r, "go": go_w}
        )

    def _ready(self, kid: child.Child) -> None:
        """Wait for the zygote's reply with ``kid``'s pid and pidfd."""
        while kid.pid == 0:
            self._from_zygote(block=True)

    def _from_zygote(self, block: bool) -> bool:
        """Handle one message of the zygote (a child forked or exited); False if none was waiting."""
        try:
            msg, fds = child.recv_with_fds(self.zygote, 1, 0 if block else _socket.MSG_DONTWAIT)
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
            kid = self.awaiting_pid.pop(0)
            kid.pid, kid.pidfd = note["pid"], fds[0]
        else:
            self.exits[note["pid"]] = (note["status"], note["cpu"], note["maxrss"])
            if self.keep is not None:  # the child is gone: its mount namespace may go too, elsewhere
                self._take_kept()
                fd = self.kept.pop(note["pid"], -1)
                if fd >= 0:
                    self.release(fd)
        return True

    # -- mount namespaces outliving their executions -------------------------------------------------

    def _start_keeping(self) -> None:
        """A socket on which children send references to their mount namespaces, and a releasing thread.

        Without them the exit of an execution's pid 1 unmounts its namespace, and the unmount waits for
        an RCU grace period (~0.05 ms idle, milliseconds under load) before the worker may reply.
        """
        self.keep, keep_w = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_DGRAM)
        self.keep.setsockopt(_socket.SOL_SOCKET, _socket.SO_PASSCRED, 1)  # each message names its sender
        self.keep.setblocking(False)
        self.keep_w = keep_w  # the zygote and its children inherit it; they only ever send on it
        self.children.keep_fd = keep_w.fileno()
        self.release_r, self.release_w = os.pipe()

    def _take_kept(self) -> None:
        """Receive every reference waiting on the socket, by the sender's pid (as this process sees it)."""
        while True:
            try:
                _, ancillary, _, _ = self.keep.recvmsg(
                    1, _socket.CMSG_SPACE(4 * 4) + _socket.CMSG_SPACE(3 * 4), _socket.MSG_DONTWAIT
                )
            except (BlockingIOError, InterruptedError):
                return
            pid, fds = 0, []
            for level, kind, data in ancillary:
                if level != _socket.SOL_SOCKET:
                    continue
                if kind == _socket.SCM_RIGHTS:
                    fds += child.fds_of(data)
                elif kind == _socket.SCM_CREDENTIALS:
                    pid = int.from_bytes(data[:4], sys.byteorder, signed=True)
            for fd in fds[1:]:  # one is sent; anything more is released at once
                self.release(fd)
            if fds:
                if pid in self.kept or pid in self.exits or pid <= 0:
                    self.release(fds[0])  # a duplicate, or the sender is already gone
                else:
                    self.kept[pid] = fds[0]

    def release(self, fd: int) -> None:
        """Drop a namespace reference in the releasing thread (where the unmount may wait its turn)."""
        if self.release_w < 0 or self.handed - self.released >= 16:  # far behind: wait here instead
            os.close(fd)
            return
        self.handed += 1
        os.write(self.release_w, fd.to_bytes(4, sys.byteorder))

    def _release_loop(self) -> None:
        buf = b""
        while True:
            try:
                buf += os.read(self.release_r, 4096)
            except InterruptedError:
                continue
            while len(buf) >= 4:
                fd, buf = int.from_bytes(buf[:4], sys.byteorder), buf[4:]
                try:
                    os.close(fd)
                except OSError:
                    pass
                self.released += 1

    def _start_zygote(self) -> None:
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                self.children.zygote_main(theirs)
            except ConnectionError:  # the worker is gone; the kernel ends us with it
                os._exit(0)
            except BaseException:
                child.child_error()
            os._exit(3)  # the worker notices (EOF) and stops; the scorer starts a fresh one
        theirs.close()
        self.zygote, self.zygote_pid = ours, pid

    def _hand_over(self, kid: child.Child, job: dict) -> None:
        if self.zygote is not None:
            self._ready(kid)
        protocol.write_all(kid.ctl_w, marshal.dumps(job))
        os.close(kid.ctl_w)
        kid.ctl_w = -1

    def _kill(self, kids: list[child.Child]) -> None:
        """SIGKILL each pid 1; the kernel kills every other process of its namespace with it."""
        for kid in kids:
            if kid.pid:
                try:
                    signal.pidfd_send_signal(kid.pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _gone(self, kids: list[child.Child]) -> bool:
        """Wait until every process of these executions is gone; False if one could not be killed."""
        clean = self._sweep() if self.mode == "none" else True
        while self._from_zygote(block=False):
            pass
        for kid in kids:
            while kid.pid and kid.pid not in self.exits:
                self._from_zygote(block=True)
        return clean

    def _release(self, kids: list[child.Child]) -> None:
        for kid in kids:
            for fd in (kid.ctl_w, kid.pidfd, *kid.pipes.values()):
                if fd is not None and fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            kid.ctl_w = kid.pidfd = -1
            kid.pipes = {}
            self.exits.pop(kid.pid, None)

    def _discard(self, kid: child.Child) -> None:
        if self.zygote is not None:
            self._ready(kid)
        self._kill([kid])
        self._gone([kid])
        self._release([kid])
        area_mod.drop(self.mode, kid.area)

    def _top_up_spares(self) -> None:
        """Start submission children ahead of their jobs (the zygote forks them while a job runs)."""
        while len(self.spares) < self.want_spares and not self.parent_gone:
            self.spares.append(self._launch_sub(self._make_area(self.last_size, self._next_sub_uid())))

    def _take_spare(self, size: str) -> child.Child:
        for attempt in range(2):
            kid = self.spares.pop(0) if self.spares and attempt == 0 else None
            if kid is None:
                kid = self._launch_sub(self._make_area(size, self._next_sub_uid()))
            try:
                area_mod.resize(self.mode, kid.area, size)
                if self.zygote is not None:
                    self._ready(kid)
                return kid
            except OSError:  # the spare died while waiting (or its area could not be resized)
                self._discard(kid)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # -- "none" mode reaping --------------------------------------------------------------------

    def _reap(self) -> None:
        """Reap orphans re-parented to us, the child subreaper ("none" mode)."""
        while True:
            try:
                pid, _, _ = os.wait4(-1, os.WNOHANG)
            except (ChildProcessError, InterruptedError):
                return
            if pid == 0:
                return

    def _sweep(self) -> bool:
        """Kill every descendant but the zygote and the spares ("none" mode); False if one survives."""
        keep = {self.zygote_pid, *(kid.pid for kid in self.spares)}
        for _ in range(1000):
            victims = [p for p in _descendants(os.getpid()) if p not in keep]
            alive = [p for p in victims if _state(p) not in ("Z", "X")]
            if not alive:
                self._reap()
                return True
            for pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.0005)
            self._reap()
        return False

    # -- one job --------------------------------------------------------------------------------

    def run_job(self, header: dict, blobs: dict) -> None:
        kind = header["kind"]
        limits = header["limits"]
        n = max(1, int(header.get("n", 1)))
        job = {"kind": kind, "n": n, "limits": limits, "shared": bool(header.get("shared"))}
        job["code"] = blobs.get("code", b"").decode("utf-8", "replace")
        inputs = sum(len(v) for k, v in blobs.items() if k.startswith("in."))
        size = area_mod.size_options(limits, inputs, 1 if kind == "stdio" else 0)
        self.last_size = size
        if kind == "check":
            self._job_check(header, job, blobs, size)
        elif kind == "run":
            self._job_run(header, job, blobs, size)
        else:
            self._job_multi(header, job, blobs, size)

    def _job_run(self, header: dict, job: dict, blobs: dict, size: str) -> None:
        jid, limits = header["id"], job["limits"]
        job["argv"] = [str(a) for a in header.get("argv", [])]
        kid = self._take_spare(size)
        kid.area.write_input(blobs.get("in.0", b""))
        self._hand_over(kid, job)
        if self.overlap:
            self._top_up_spares()
        start = time.monotonic()
        budget = Budget(self._clock("sub", kid.pid), float(limits["cpu_s"]))
        budget.start(start)
        watch = Watch(
            self.read_parent, jid, kid.pidfd, kid.pipes["res"], int(limits["output_bytes"]) + RECORD_EXTRA
        )
        state = watch.until_exit(start + float(limits["wall_s"]), budget)
        cpu = budget.spent() if self.cpu is not None else None
        files = {"stdout": ("sub", "stdout"), "stderr": ("sub", "stderr")}
        self._end(jid, [kid], state, start, cpu, files, int(limits["output_bytes"]))

    def _job_check(self, header: dict, job: dict, blobs: dict, size: str) -> None:
        jid, limits = header["id"], job["limits"]
        line_cap = int(limits["output_bytes"]) + RECORD_EXTRA
        if not self.detached_areas:  # one area at a time on /x
            while self.spares:
                self._discard(self.spares.pop())
        shared = area_mod.SUB_FILES + (() if self.detached_areas else area_mod.CHECKER_FILES)
        sub_area = self._make_area(size, self._next_sub_uid(), shared)
        # The checker gets an area of its own (its output files are out of the submission's reach).
        if sub_area.detached:
            chk_area = self._make_area(size, self.checker_uid, area_mod.CHECKER_FILES)
        else:
            chk_area = sub_area
        res_r, res_w = os.pipe()
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        null = os.open("/dev/null", os.O_WRONLY)
        sub = self._launch("sub", sub_area, {3: null, 4: req_r, 5: resp_w}, {})
        checker = self._launch("checker", chk_area, {3: res_w, 4: req_w, 5: resp_r}, {"res": res_r})
        start = time.monotonic()
        wall = float(limits["wall_s"])
        # The submission's job holds its code and limits; the check code goes to the checker only.
        self._hand_over(sub, {**job, "message_bytes": line_cap})
        check_job = {
            "kind": "check",
            "limits": limits,
            "code": "",
            "check_code": blobs.get("check_code", b"").decode("utf-8", "replace"),
            "entry_point": str(header.get("entry_point", "")),
            "check_fn": str(header.get("check_fn", "check")),
            "deadline": start + wall,
            "message_bytes": line_cap,
        }
        self._hand_over(checker, check_job)
        del check_job
        budget = Budget(self._clock("sub", sub.pid), float(limits["cpu_s"]))
        budget.start(start)
        watch = Watch(self.read_parent, jid, checker.pidfd, res_r, line_cap)
        state = watch.until_exit(start + wall, budget)
        cpu = budget.spent() if self.cpu is not None else None
        files = {
            "stdout": ("sub", "stdout"),
            "stderr": ("sub", "stderr"),
            "checker_stdout": ("main", "cstdout"),
            "checker_stderr": ("main", "cstderr"),
        }
        self._end(jid, [checker, sub], state, start, cpu, files, int(limits["output_bytes"]))

    def _job_multi(self, header: dict, job: dict, blobs: dict, size: str) -> None:
        jid, limits, kind, n = header["id"], job["limits"], job["kind"], job["n"]
        out_cap = int(limits["output_bytes"])
        line_cap = out_cap + RECORD_EXTRA
        wall, cpu_s = float(limits["wall_s"]), float(limits["cpu_s"])
        kid = self._take_spare(size)
        job["io"], job["out"] = f"{kid.area.base}/io", f"{kid.area.base}/out"
        self._hand_over(kid, job)
        if self.overlap:
            self._top_up_spares()
        start = time.monotonic()
        budget = Budget(self._clock("sub", kid.pid), cpu_s)
        budget.start(start)
        watch = Watch(self.read_parent, jid, kid.pidfd, kid.pipes["res"], line_cap)
        rep = kid.pipes["rep"]
        os.set_blocking(rep, False)
        watch.extra(rep)
        reports = bytearray()
        current, done_tests, test_start = -1, 0, start
        deadline = start + wall
        # With stop-on-first-failure the scorer, which alone knows the expected outputs, decides whether
        # a test passed: the next test starts (its input written, its "go" sent) only once the scorer
        # says "next" for the last one. Otherwise a test after a failed one would run, and read its
        # input, before the scorer's "abort" arrived.
        gate = bool(header.get("gate"))
        waiting = False  # test `current` is ready; the scorer's verdict on the one before is awaited
        state: dict = {}

        def granted() -> bool:
            return waiting and self.granted == (jid, current - 1)

        def start_test() -> dict | None:
            """Write test ``current``'s input and send its "go"; a state that ends the job, or None."""
            nonlocal test_start, deadline
            # The "go": the function to call, or the program's argv, NUL-separated UTF-8.
            if kind == "calls":
                words = [str(header["fns"][current])]
            else:
                words = [str(a) for a in header["argvs"][current]]
            try:
                kid.area.write_input(blobs.get(f"in.{current}", b""))
            except OSError:  # the execution made its io/ unwritable (userns mode can): its loss
                return {"stop": True, "violation": "the execution tampered with its input area"}
            watch.new_window()
            go = "\0".join(words).encode("utf-8", "surrogateescape")
            try:
                protocol.write_all(kid.pipes["go"], len(go).to_bytes(4, "big") + go)
            except BrokenPipeError:  # the init is gone (os._exit at import, say): the loop sees it
                pass  # exit next, and the test in flight fails as any early exit does
            test_start = time.monotonic()
            deadline = test_start + wall
            # The reading that ended the last test starts this one (one read of the clock per test).
            budget.start(test_start, budget.last if current > 0 and self.cpu is not None else None)
            return None

        while True:
            state = watch.until_event(deadline, budget, granted if waiting else None)
            if state.get("granted"):
                waiting = False
                state = start_test() or {}
            if state.get("exited") or rep in state.get("ready", ()):
                # An init that exits has written its last report first: read it before stopping.
                while len(reports) <= REPORT_CAP:
                    try:
                        chunk = os.read(rep, 4096)
                    except (BlockingIOError, OSError):
                        break
                    if not chunk:
                        watch.drop(rep)
                        break
                    reports += chunk
                if len(reports) > REPORT_CAP and b"\n" not in reports[:REPORT_CAP]:
                    # only a shared process's submission can write here; it must not grow the worker
                    state = {"stop": True, "violation": "the test init's report is malformed"}
                    break
                while b"\n" in reports and not state.get("violation"):
                    line, _, rest = bytes(reports).partition(b"\n")
                    reports[:] = rest
                    report = line.split()
                    if waiting or (report[:1] == [b"X"] and current >= 0):
                        # "X" comes at import, before the first ready line; later it is forged. And no
                        # report can come while a test waits for its "go".
                        state = {"stop": True, "violation": "the test init's report is malformed"}
                        break
                    if report[:1] == [b"X"]:  # the module does not compile: its error is test 0's record
                        watch.take_record()
                        send(
                            {"op": "progress", "id": jid, "k": 0, "fatal": True, "cpu": None, "wall": None},
                            {"record": watch.record or b""},
                        )
                        done_tests = n
                        continue
                    # In a shared process (the calls of one check) the submission itself is the init
                    # and may write anything here: a report that does not parse ends the execution as a
                    # violation, never the worker.
                    parsed = _parse_report(report)
                    if parsed is None or parsed[0] != current:
                        state = {"stop": True, "violation": "the test init's report is malformed"}
                        break
                    now = time.monotonic()
                    if current >= 0:
                        self._test_done(
                            jid,
                            kind,
                            kid,
                            watch,
                            current,
                            parsed[1],
                            parsed[2],
                            budget,
                            now - test_start,
                            out_cap,
                        )
                        done_tests = current + 1
                    current += 1
                    if current >= n:
                        deadline = now + wall  # the init exits right after its last report
                        continue
                    if gate and current > 0:
                        # No clock runs while the scorer decides (nothing of the execution does either:
                        # the last test's processes are gone and the next waits for its "go").
                        waiting = True
                        deadline = now + VERDICT_WAIT_S
                        budget.check_at = float("inf")
                        continue
                    ended = start_test()
                    if ended is not None:
                        state = ended
                        break
            if watch.violation:
                state = {"stop": True, "violation": watch.violation}
            if state.get("stop"):
                break
        if n == 1 and current == 0 and done_tests == 0 and state.get("exited"):
            # A single test runs in the init itself: it ended when the process did (all of it gone).
            self._gone([kid])
            status = self.exits.get(kid.pid, (None,))[0]
            watch.take_record()
            wall_s = time.monotonic() - test_start
            self._test_done(
                jid, kind, kid, watch, 0, -1 if status is None else status, 0.0, budget, wall_s, out_cap
            )
            done_tests = 1
        state["tests"] = done_tests
        state["inflight"] = current if 0 <= current < n and done_tests <= current else None
        cpu = budget.spent() if self.cpu is not None else None
        files = {"stdout": ("sub", "stdout"), "stderr": ("sub", "stderr")}
        if state["inflight"] is not None:
            files["inflight_stderr"] = ("out", f"{state['inflight']}.err")
            if kind == "stdio":
                files["inflight_stdout"] = ("out", str(state["inflight"]))
        self._end(jid, [kid], state, test_start if current >= 0 else start, cpu, files, out_cap)

    def _test_done(self, jid, kind, kid, watch, k, status, cpu_reaped, budget, wall, out_cap) -> None:
        """Forward test ``k``'s record, output and the facts the worker knows of it (status, CPU)."""
        watch.take_record()
        cpu = budget.spent() if self.cpu is not None else cpu_reaped
        header = {"op": "progress", "id": jid, "k": k, "status": status, "cpu": cpu, "wall": wall}
        blobs = {"record": watch.record or b""}
        data = kid.area.read_test_output(str(k), out_cap + 1 if kind == "stdio" else None)
        if kind == "stdio":
            header["stdout_over"] = len(data) > out_cap
            blobs["stdout"] = data[:out_cap]
        blobs["stderr"] = kid.area.read_test_output(f"{k}.err", out_cap)
        send(header, blobs)

    def _end(
        self, jid: int, kids: list[child.Child], state: dict, start: float, cpu, files: dict, out_cap: int
    ) -> None:
        """Kill, wait until every process is gone, read the outputs and reply; then the next spare."""
        end = time.monotonic()
        self._kill(kids)
        clean = self._gone(kids)
        main = kids[0]
        status, cpu_reaped, maxrss = self.exits.get(main.pid, (None, None, None))
        done = {
            "op": "done",
            "id": jid,
            "wall_s": end - start,
            "cpu_s": cpu if cpu is not None else cpu_reaped,
            "maxrss_kb": maxrss,
            **{k: v for k, v in state.items() if k not in ("stop", "ready", "record")},
        }
        _describe_status(done, status, "")
        if len(kids) > 1:
            _describe_status(done, self.exits.get(kids[1].pid, (None,))[0], "sub_")
        areas = {"sub": kids[-1].area, "main": main.area}
        blobs = {}
        for name, (role, fname) in files.items():
            if role == "out":
                data = main.area.read_test_output(fname, out_cap + 1)
            else:
                data = areas[role].read_output(fname, out_cap + 1)
            if len(data) > out_cap:
                done[f"{name}_over"] = True
            blobs[name] = data
        if state.get("record") is not None:
            blobs["record"] = state["record"]
        if not self.parent_gone:
            send(done, blobs)
        for one in {id(k.area): k.area for k in kids}.values():
            area_mod.drop(self.mode, one)
        self._release(kids)
        if self.mode == "none":
            self.exits.clear()
        if not clean:
            os._exit(3)  # the scorer starts a fresh worker
        self._top_up_spares()

    # -- the scorer's pipe --------------------------------------------------------------------------

    def read_parent(self, jid: int) -> bool:
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
            elif header.get("op") == "next" and header.get("id") == jid:
                k = header.get("k")
                self.granted = (jid, k) if isinstance(k, int) else None
            elif header.get("op") == "exit":
                self.parent_gone = True
                keep_going = False
        return keep_going

    def serve(self) -> None:
        if self.mode != "none" and self.detached_areas and self.cfg.get("keep_namespaces", True):
            self._start_keeping()  # (switched off only to measure what it saves)
        self._start_zygote()
        if self.keep is not None:  # after the zygote's fork: no process is ever forked from two threads
            _thread.start_new_thread(self._release_loop, ())
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
                    send({"op": "error", "id": header.get("id"), "message": str(exc)})
                    os._exit(3)
                except Exception:
                    send({"op": "error", "id": header.get("id"), "message": traceback.format_exc()[-3000:]})
                    os._exit(3)  # state unknown: nothing of this worker may serve another job
            elif op == "exit":
                break
        if self.mode == "none":  # in the namespace modes everything dies with us (pid 1)
            for kid in self.spares:
                self._discard(kid)
            self._sweep()


# ------------------------------------------------------------------------------------------ helpers


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


def _parse_report(words: list[bytes]) -> tuple[int, int, float] | None:
    """``D k status cpu`` from the test init as ``(k, status, cpu)``, or None when it is not one."""
    if len(words) != 4 or words[0] != b"D":
        return None
    try:
        k, status, cpu = int(words[1]), int(words[2]), float(words[3])
    except ValueError:
        return None
    if not (0.0 <= cpu < 1e9) or not -1 <= status < 1 << 16:  # NaN fails the first test too
        return None
    return k, status, cpu


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
        for kid in children.get(stack.pop(), []):
            out.append(kid)
            stack.append(kid)
    return out


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        return raw[raw.rindex(b")") + 2 :].split()[0].decode()
    except (OSError, ValueError, IndexError):
        return "X"
