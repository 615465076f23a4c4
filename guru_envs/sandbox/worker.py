"""One sandbox worker process as the scorer sees it: started, booted over its pipe, asked to run jobs.

The worker is ``python -I -S -B -c BOOT``. ``BOOT`` is fixed text with no path, uid or setting in it: it
reads one frame from stdin that carries the worker's modules (``server.py`` and its stdlib-only
siblings) as bytecode for the worker's interpreter, the seccomp programs and the configuration, loads
the modules and calls ``launcher.main(config, boot)`` (``boot``: the frame as read, which the launcher
hands on to the interpreter it re-executes from the tmpfs copy of the system files, then drops). So
``/proc/self/cmdline``, which every sandboxed process inherits, shows nothing of the host, and the
worker never reads the package's files (it runs in a chroot where they are not). Bytecode, not source:
compiling at start-up would leave ~4 MB of the compiler's freed memory in the worker's heap, which every
fork copies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

from guru_envs.sandbox import protocol
from guru_envs.sandbox.isolation import IsolationInfo, WorkerCgroups

HERE = os.path.dirname(os.path.abspath(__file__))
# The worker's modules in load order (each may import only those before it).
MODULES = ("linux", "protocol", "codec", "harness", "area", "rootfs", "child", "watch", "server", "launcher")
WORKER_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
BOOT = (
    "import json, marshal, os, struct, sys, types\n"
    "def _read(n):\n"
    "    data = bytearray()\n"
    "    while len(data) < n:\n"
    "        chunk = os.read(0, n - len(data))\n"
    "        if not chunk:\n"
    "            raise SystemExit(2)\n"
    "        data += chunk\n"
    "    return bytes(data)\n"
    "hlen, blen = struct.unpack('>II', _read(8))\n"
    "boot = [_read(hlen), _read(blen)]\n"
    "head = json.loads(boot[0])\n"
    "blobs, pos = {}, 0\n"
    "for name, size in head.pop('blobs'):\n"
    "    blobs[name], pos = boot[1][pos:pos + size], pos + size\n"
    "for name in head['modules']:\n"
    "    mod = types.ModuleType('_guru_sandbox_' + name)\n"
    "    sys.modules[mod.__name__] = mod\n"
    "    exec(marshal.loads(blobs.pop('mod.' + name)), mod.__dict__)\n"
    "config = head['config']\n"
    "config.update(blobs)\n"
    "del head, blobs, mod, name, size, pos, hlen, blen, _read\n"
    "sys.modules['_guru_sandbox_launcher'].main(config, boot)\n"
)
_COMPILE = (
    "import marshal, sys\n"
    "out = sys.stdout.buffer\n"
    "for path in sys.argv[1:]:\n"
    "    name = path.rsplit('/', 1)[-1]\n"
    "    with open(path, encoding='utf-8') as fh:\n"
    "        data = marshal.dumps(compile(fh.read(), name, 'exec', dont_inherit=True, optimize=0))\n"
    "    out.write(len(data).to_bytes(4, 'big') + data)\n"
)
_bytecode: dict[str, dict[str, bytes]] = {}
_bytecode_lock = threading.Lock()


class SandboxUnavailable(RuntimeError):
    """The requested isolation cannot be had on this machine (or a worker failed to start)."""


class WorkerBroken(Exception):
    """The worker died, hung or spoke out of turn: its job fails as a sandbox error."""


def worker_bytecode(python: str) -> dict[str, bytes]:
    """The worker's modules compiled by ``python`` itself (its bytecode version), once per interpreter.

    Code objects are named by file name only (``harness.py``), never by host path.
    """
    with _bytecode_lock:
        if python not in _bytecode:
            paths = [os.path.join(HERE, f"{name}.py") for name in MODULES]
            proc = subprocess.run(
                [python, "-I", "-S", "-B", "-c", _COMPILE, *paths],
                capture_output=True,
                timeout=120,
                check=False,
                env=dict(WORKER_ENV),
            )
            if proc.returncode != 0:
                raise SandboxUnavailable(f"cannot compile the worker with {python}: {proc.stderr[-500:]!r}")
            out, pos, code = proc.stdout, 0, {}
            for name in MODULES:
                (size,) = struct.unpack_from(">I", out, pos)
                code[name] = out[pos + 4 : pos + 4 + size]
                pos += 4 + size
            _bytecode[python] = code
        return _bytecode[python]


class Worker:
    """One sandbox worker process and its pipes; used by one thread at a time."""

    def __init__(
        self,
        config: dict[str, Any],
        programs: dict[str, bytes],
        cgroups: WorkerCgroups | None,
        start_timeout: float,
        python: str,
        user: int | None,
    ) -> None:
        self.cgroups = cgroups
        self.uids = (int(config["uid"]), int(config["checker_uid"]))
        extra: dict[str, Any] = {}
        if user is not None:
            extra.update(user=user, group=user, extra_groups=[])
        code = worker_bytecode(python)
        # The real interpreter, not a virtual environment's link to it: argv[0] is in every sandboxed
        # process's /proc/self/cmdline, and the worker needs nothing of the environment (-I -S).
        real = os.path.realpath(python)
        self.proc = subprocess.Popen(
            [real, "-I", "-S", "-B", "-c", BOOT],
            executable=real,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(WORKER_ENV),
            cwd="/",
            close_fds=True,
            start_new_session=True,
            bufsize=0,
            **extra,
        )
        self.rfd = self.proc.stdout.fileno()
        self.wfd = self.proc.stdin.fileno()
        self.buf = protocol.FrameBuffer()
        boot = {f"mod.{name}": code[name] for name in MODULES}
        boot.update(programs)
        try:
            protocol.write_all(self.wfd, protocol.pack({"modules": list(MODULES), "config": config}, boot))
            header, _ = protocol.read_frame(self.rfd, self.buf, time.monotonic() + start_timeout)
        except (OSError, EOFError, TimeoutError, protocol.ProtocolError) as exc:
            self.close()
            raise SandboxUnavailable(f"sandbox worker did not start: {exc}") from None
        if header.get("op") != "ready":
            self.close()
            raise SandboxUnavailable(f"sandbox worker failed: {header.get('message', header)}")
        self.ooms_seen = cgroups.oom_kills() if cgroups is not None else 0
        self.info = IsolationInfo(
            header["mode"], tuple(header.get("layers", ())), tuple(header.get("errors", ()))
        )

    def request(
        self,
        header: dict[str, Any],
        blobs: dict[str, bytes],
        on_progress: Callable[[dict[str, Any], dict[str, bytes]], bool],
        deadline: float,
    ) -> tuple[dict[str, Any], dict[str, bytes]]:
        """Send a job; feed progress frames to ``on_progress`` (True = abort); return the done frame.

        With ``header["gate"]`` each progress frame is answered: "abort", or "next" (the test passed,
        the worker may start the next one).
        """
        try:
            protocol.write_all(self.wfd, protocol.pack(header, blobs))
            aborted = False
            while True:
                reply, rblobs = protocol.read_frame(self.rfd, self.buf, deadline)
                op = reply.get("op")
                if reply.get("id") != header["id"]:
                    raise WorkerBroken(f"reply for another job: {op}")
                if op == "progress":
                    if on_progress(reply, rblobs) and not aborted:
                        aborted = True
                        protocol.write_all(self.wfd, protocol.pack({"op": "abort", "id": header["id"]}))
                    elif header.get("gate") and not aborted:
                        # It passed: the worker starts the next test only on this word (see server.py).
                        nxt = {"op": "next", "id": header["id"], "k": reply.get("k")}
                        protocol.write_all(self.wfd, protocol.pack(nxt))
                elif op == "done":
                    return reply, rblobs
                else:
                    raise WorkerBroken(str(reply.get("message", reply))[-2000:])
        except (OSError, EOFError, TimeoutError, protocol.ProtocolError) as exc:
            raise WorkerBroken(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        """Stop the worker (its namespace and everything in it die with it) and remove its cgroups."""
        with contextlib.suppress(OSError):
            protocol.write_all(self.wfd, protocol.pack({"op": "exit"}))
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        if self.cgroups is not None:
            self.cgroups.remove()
