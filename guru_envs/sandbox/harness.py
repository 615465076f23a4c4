"""What runs inside sandboxed processes, after the worker has applied every limit and dropped privileges.

The harness executes the submission and reports *observations* only: exit status, exception type and
message, the plain-data value a function returned (see :mod:`codec`), per-test timings. It never sees an
expected output and never decides pass or fail; the scorer does that. A test's record is one JSON line
on fd 3, a pipe read by the worker, which attributes it to the test in flight and to nothing else.

Four job kinds:

* ``run``: one program as ``__main__`` with stdin and argv; the process ends the way CPython's does
  (non-daemon threads joined, ``atexit`` run, streams flushed, exit status from ``SystemExit``).
* ``stdio`` and ``calls``: many tests of one submission. The execution's pid 1 is a trusted *test init*
  (:func:`serve_tests`) that never runs the submission's code: it compiles the module once and, for each
  test, forks a fresh process from its own pristine state; that process reads its test's input (which
  the worker writes only when the test starts: no process ever sees a later test's input), runs the
  module (stdio: as ``__main__`` on the test's stdin; calls: then calls the named function with the
  arguments rebuilt from plain data) and reports. When it ends, the init kills and reaps every process
  left, so no state, process or precomputation of one test reaches the next.
* ``check``: a trusted checker (e.g. HumanEval's ``check(candidate)``) runs in a process of its own; its
  ``candidate`` is a proxy that calls the submission over a pipe, so the checker's asserts only ever
  compare plain data, and the submission's process never holds the check code. Exceptions the
  candidate raises reach the check as the same builtin type, except control-flow ones, which never
  arrive as themselves: ``StopIteration`` and ``StopAsyncIteration`` arrive wrapped in
  :class:`CandidateError` (a ``RuntimeError``, as PEP 479 does in generators) so they cannot end the
  check's loops, and ``GeneratorExit``, ``KeyboardInterrupt`` and ``SystemExit`` fail the check as
  :class:`CandidateFailure`, which no ``except Exception`` of the check can swallow.

Stdlib-only: the pool ships this file to the worker as bytecode, and it must work after ``chroot``.
"""

from __future__ import annotations

import atexit
import builtins
import gc
import io
import json
import linecache
import os
import select
import signal
import stat
import struct
import sys
import time
import traceback
import types
from typing import Any

FILENAME = "solution.py"
CHECKER_FILENAME = "checker.py"
RESULT_FD = 3
MESSAGE_CHARS = 4000

# The submission may rebind any module attribute; the harness keeps its own references.
_write = os.write
_read = os.read
_exit = os._exit
_loads = json.loads
_getattr = getattr
_hasattr = hasattr
_perf = time.perf_counter
_cpu = time.process_time
_type = type
_isinstance = isinstance
_len = len
_BaseException = BaseException
_SystemExit = SystemExit
_MemoryError = MemoryError
_U32 = struct.Struct(">I")
_S_ISDIR = stat.S_ISDIR


def _no_default(obj: Any) -> Any:
    raise TypeError("not JSON")


# The C encoder, built once: json.dumps would consult (patchable) builtins such as isinstance.
if json.encoder.c_make_encoder is not None:
    _c_encode = json.encoder.c_make_encoder(
        None, _no_default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
    )

    def _dumps(obj: Any) -> str:
        return "".join(_c_encode(obj, 0))

else:  # pragma: no cover - CPython without the _json accelerator
    _dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode


def _record(obj: dict[str, Any]) -> None:
    try:
        line = (_dumps(obj) + "\n").encode("ascii")
    except _BaseException:
        line = b'{"k":-1,"status":"error","message":"unencodable record"}\n'

    view = memoryview(line)
    while view:
        try:
            n = _write(RESULT_FD, view)
        except InterruptedError:
            continue
        except OSError:
            return
        view = view[n:]


def _clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    if _len(text) <= limit:
        return text
    return text[: limit // 2] + "\n...\n" + text[-limit // 2 :]


def _format_exception(exc: BaseException, filename: str = FILENAME) -> str:
    """Traceback limited to the submission's own frames (harness frames are noise to the model)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    try:
        lines = traceback.format_exception(_type(exc), exc, tb)
        return _clip("".join(lines))
    except _BaseException:  # formatting itself may fail (recursion, memory, hostile __str__)
        return _safe_name(exc)


def _safe_name(exc: BaseException) -> str:
    try:
        return _type(exc).__name__
    except _BaseException:
        return "Exception"


def _safe_message(exc: BaseException) -> str:
    try:
        return _clip(f"{_type(exc).__name__}: {exc}", 1000)
    except _BaseException:
        return _safe_name(exc)


def _exit_status(exc: SystemExit) -> int:
    """The process status CPython would give for this SystemExit (printing non-int codes to stderr)."""
    code = exc.code
    if code is None:
        return 0
    if _isinstance(code, int):
        return int.__and__(code, 0xFF)
    try:
        sys.stderr.write(f"{code}\n")
    except _BaseException:
        pass
    return 1


def _text_stream(fd: int, mode: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    if mode == "r":
        return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", errors="strict")
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", errors="strict")


def _install_streams(stdin: bool = True, stdout: bool = True, stderr: bool = True) -> None:
    if stdin:
        sys.stdin = sys.__stdin__ = _text_stream(0, "r")
    if stdout:
        sys.stdout = sys.__stdout__ = _text_stream(1, "w")
    if stderr:
        err = _text_stream(2, "w")
        err.reconfigure(errors="backslashreplace", line_buffering=True)
        sys.stderr = sys.__stderr__ = err


def _fresh_main(filename: str = FILENAME) -> types.ModuleType:
    mod = types.ModuleType("__main__")
    mod.__file__ = filename
    mod.__builtins__ = builtins
    sys.modules["__main__"] = mod
    return mod


def _compile(code: str, filename: str = FILENAME) -> types.CodeType:
    linecache.cache[filename] = (_len(code), None, code.splitlines(True), filename)
    return compile(code, filename, "exec", dont_inherit=True)


def _flush_all() -> BaseException | None:
    """Flush whatever sys.stdout/stderr now are, as interpreter shutdown would; return the first error."""
    error = None
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        try:
            if stream is not None:
                stream.flush()
        except _BaseException as exc:
            error = error or exc
    return error


def _join_threads() -> None:
    """Wait for non-daemon threads, as CPython does before exiting (the worker's wall limit bounds it).

    ``threading`` is not imported by the worker (its fork hook alone costs ~120 page faults per
    child); a program that never imported it has no threads to wait for.
    """
    threading = sys.modules.get("threading")
    if threading is None:
        return
    current = threading.current_thread()
    for t in list(threading.enumerate()):
        if t is not current and not t.daemon:
            try:
                t.join()
            except _BaseException:
                pass


def _run_atexit() -> None:
    try:
        atexit._run_exitfuncs()
    except _BaseException:
        pass


def _error_fields(exc: BaseException, filename: str = FILENAME) -> dict[str, Any]:
    return {
        "etype": _safe_name(exc),
        "message": _safe_message(exc),
        "traceback": _format_exception(exc, filename),
    }


# ---------------------------------------------------------------------------------------------- run


def run_program(job: dict[str, Any], enter: Any) -> None:
    """Run one program as ``__main__`` and exit the way CPython would."""
    # The worker never used its own sys.stdin/stdout/stderr (it speaks through raw fds), so they are
    # exactly what a fresh interpreter would have on fds 0-2.
    sys.argv = [FILENAME, *job.get("argv", [])]
    mod = _fresh_main()
    status = 0
    try:
        code = _compile(job["code"])
        del job
        enter()
        exec(code, mod.__dict__)
    except _SystemExit as exc:
        status = _exit_status(exc)
    except _BaseException as exc:
        status = 1
        if _isinstance(exc, _MemoryError):
            _record({"status": "error", "etype": "MemoryError", "message": "MemoryError"})
        try:
            sys.stderr.write(_format_exception(exc))
        except _BaseException:
            pass
    _join_threads()
    _run_atexit()
    if _flush_all() is not None and status == 0:
        status = 120  # CPython's status when flushing stdout fails at exit
    _exit(status)


# ------------------------------------------------------------------------------ many tests: the init

CTL_FD, GO_FD = 4, 5  # the init's reports to the worker; the worker's "go" of each test
# Standard modules with no side effect at import that submissions often import: the init imports those
# a submission names before forking its tests, so that each test does not import them again.
PRELOADABLE = frozenset(
    "array bisect calendar cmath collections contextlib copy dataclasses datetime decimal enum fractions "
    "functools heapq itertools json math numbers operator random re statistics string struct sys "
    "textwrap time typing unicodedata".split()
)


def _preload(source: str) -> None:
    names = set()
    for line in source.splitlines():
        words = line.split()
        if _len(words) >= 2 and words[0] in ("import", "from"):
            for part in words[1:] if words[0] == "import" else words[1:2]:
                names.add(part.split(".")[0].strip(","))
    for name in names & PRELOADABLE:
        try:
            __import__(name)
        except _BaseException:
            pass


def serve_tests(job: dict[str, Any], codec: Any, enter: Any) -> None:
    """The trusted init of a multi-test execution: one fresh fork of its pristine state per test.

    It never runs the submission's code. To the worker (fd 4) it writes ``D k status cpu`` once test
    ``k``'s process and every process it left are gone (``k = -1``: the module compiled), or ``X`` when
    the module does not compile (its error is then the record of test 0). Being pid 1 of the
    execution's pid namespace, it reaps every orphan and ``kill(-1)`` reaches all but itself.
    """
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)  # the default action of a signal sent to init is "ignore"
    try:
        code = _compile(job["code"])
    except _BaseException as exc:  # SyntaxError and friends: every test would fail the same way
        _record({"status": "error", "exit_code": 1, **_error_fields(exc)})
        _write(CTL_FD, b"X\n")
        _exit(0)
    _preload(job["code"])
    _install_streams()  # once, here: a test only points fds 0-2 elsewhere, it makes no new objects
    n = int(job["n"])
    if job.get("shared") and job["kind"] == "calls":
        _serve_shared_calls(job, code, codec, enter)
    if n == 1:  # no later test to keep anything from: the init runs it itself, no fork
        _write(CTL_FD, b"D -1 0 0\n")
        _run_one_test(job, code, 0, codec, enter)
    area = _Area(job["io"].rsplit("/", 1)[0])
    gc.collect()
    gc.freeze()  # a test's collections then never touch (and copy) the init's pages
    report = b"D -1 0 0\n"
    for k in range(n):
        # The report first: the worker reads the last test's outputs and writes this one's input while
        # the fork runs (its "go" waits in the pipe until the test's process reads it).
        _write(CTL_FD, report)
        pid = os.fork()
        if pid == 0:
            try:
                area.close()
                _run_one_test(job, code, k, codec, enter)
            except _BaseException:
                pass
            _exit(126)
        status, cpu = _reap_test(pid)
        report = b"D %d %d %.6f\n" % (k, status, cpu)
        if k + 1 < n and not area.tidy(k):
            break  # the area could not be made as new: the remaining tests run in a new execution
    _write(CTL_FD, report)
    _exit(0)


class _Area:
    """The execution's area as the init keeps it between tests: nothing of one test is left for the next.

    After each test: ``work``, ``tmp`` and ``shm`` are emptied, ``io`` holds only the worker's files and
    ``out`` only the finished test's output files (the worker reads and removes them), and nothing else
    is in the area's root: a stranger (or an impostor under one of the area's names) is removed, and one
    of the area's own directories that was renamed gets its name back. Nothing is followed: entries are
    removed by name relative to directories the init opened itself.

    What a test may change is found by *status-change time* (``ctime``), which every change of an
    inode moves (an entry made or removed, a write, ``chmod``, ``utime``, an extended attribute) and
    which no unprivileged process can set: a test that hid a file and then put the directory's
    modification time back with ``utime`` would otherwise keep it for the next test. Only directories
    whose ``ctime`` moved are listed (a test that wrote no file of its own costs a few ``stat`` calls),
    and not those the init itself could not change (``io/`` in root mode). Of each directory (and the
    root) that moved, the mode, access and modification times and extended attributes are put back as
    they were: each could carry bits from one test to the next. The worker's own files in ``io/`` are
    watched too where a test can write them (userns mode): one that was written, replaced or given other
    metadata is removed (the worker then reads nothing from it). The area is mounted ``noatime``, so
    that reading a directory does not record anything either (see :func:`linux.new_tmpfs`).
    """

    TOP = ("work", "tmp", "shm", "io", "out")
    WORKER_FILES = ("stdout", "stderr", "cstdout", "cstderr")  # in io/; "in" is replaced for every test
    XATTR_PREFIXES = ("user.", "system.posix_acl_")  # the extended attributes an unprivileged test can set
    MAX_ENTRIES = 20000

    def __init__(self, base: str) -> None:
        self.root = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        stats = {
            name: os.stat(name, dir_fd=self.root, follow_symlinks=False) if name else os.fstat(self.root)
            for name in ("", *self.TOP)
        }
        self.inodes = {name: stats[name].st_ino for name in self.TOP}
        # A directory the init cannot change (io/ is root's in root mode) no test can change either.
        self.dirs = [name for name in self.TOP if os.access(name, os.W_OK, dir_fd=self.root)]
        self.seen = {name: st.st_ctime_ns for name, st in stats.items()}
        self.meta = {
            name: (st.st_mode & 0o7777, st.st_atime_ns, st.st_mtime_ns) for name, st in stats.items()
        }
        # The worker's files in io/ where tests can reach them (not in root mode: io/ and they are root's).
        self.io_files: dict[str, tuple[int, int]] = {}
        if "io" in self.dirs:
            for name in self.WORKER_FILES:
                try:
                    st = os.stat(f"io/{name}", dir_fd=self.root, follow_symlinks=False)
                except OSError:
                    continue
                self.io_files[name] = (st.st_ino, st.st_ctime_ns)
        self.io_gone: set[str] = set()  # worker files removed because a test had touched them

    def close(self) -> None:
        os.close(self.root)

    def _ctime(self, name: str) -> int:
        try:
            return (
                os.stat(name, dir_fd=self.root, follow_symlinks=False).st_ctime_ns
                if name
                else os.fstat(self.root).st_ctime_ns
            )
        except OSError:
            return -1

    def _io_touched(self) -> bool:
        """Whether a test wrote, replaced or re-labelled one of the worker's files in io/ (userns mode)."""
        for name, (ino, ctime) in self.io_files.items():
            if name in self.io_gone:
                continue
            try:
                st = os.stat(f"io/{name}", dir_fd=self.root, follow_symlinks=False)
            except OSError:
                return True
            if st.st_ino != ino or st.st_ctime_ns != ctime:
                return True
        return False

    def _restore(self, fd: int, name: str) -> int:
        """Put back the mode, times and extended attributes of a directory that moved; its new ctime."""
        mode, atime, mtime = self.meta[name]
        if os.fstat(fd).st_mode & 0o7777 != mode:
            os.fchmod(fd, mode)  # only its owner could have changed it, and the init runs as its owner
        for attr in os.listxattr(fd):
            if attr.startswith(self.XATTR_PREFIXES):
                os.removexattr(fd, attr)
        try:
            os.utime(fd, ns=(atime, mtime))
        except PermissionError:  # a directory of root's that tests may write (tmp/, shm/ in root mode):
            os.utime(fd)  # whatever time a test set is replaced by this moment's
        return os.fstat(fd).st_ctime_ns

    def tidy(self, k: int) -> bool:
        """Restore the area after test ``k``; False if it could not be done (then no test may follow)."""
        budget = [self.MAX_ENTRIES]
        seen = self.seen
        try:
            if self._ctime("") != seen[""]:
                if os.fstat(self.root).st_mode & 0o7777 != self.meta[""][0]:  # 0o000 would keep us out
                    os.fchmod(self.root, self.meta[""][0])
                originals = {ino: name for name, ino in self.inodes.items()}
                renamed = []
                for entry in list(os.scandir(self.root)):
                    st = entry.stat(follow_symlinks=False)
                    name = originals.get(st.st_ino) if _S_ISDIR(st.st_mode) else None
                    if name == entry.name:
                        continue
                    if name is not None:  # one of the area's own directories, renamed: moved back below
                        renamed.append((entry.name, name))
                    else:  # a stranger, or an impostor under one of the area's names
                        self._remove(self.root, entry.name, budget)
                for now, name in renamed:
                    os.rename(now, name, src_dir_fd=self.root, dst_dir_fd=self.root)
                for name in self.TOP:
                    if os.stat(name, dir_fd=self.root, follow_symlinks=False).st_ino != self.inodes[name]:
                        return False  # one of its directories is gone or elsewhere: no use going on
                seen[""] = self._restore(self.root, "")
            for name in self.dirs:
                ctime = self._ctime(name)
                io_touched = name == "io" and self.io_files and self._io_touched()
                if ctime == seen[name] and not io_touched:
                    continue
                if name == "io":  # "in" (the worker replaces it for each test) and its untouched files
                    keep = {"in", *self.io_files} - self.io_gone
                elif name == "out":
                    keep = (str(k), f"{k}.err")
                else:
                    keep = ()
                st = os.stat(name, dir_fd=self.root, follow_symlinks=False)
                if st.st_ino != self.inodes[name] or not _S_ISDIR(st.st_mode):
                    return False
                if st.st_mode & 0o7777 != self.meta[name][0]:  # e.g. 0o000, which would keep the init out
                    os.chmod(name, self.meta[name][0], dir_fd=self.root)  # (the directory, checked above)
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=self.root)
                try:
                    for entry in list(os.scandir(fd)):
                        if entry.name not in keep or not entry.is_file(follow_symlinks=False):
                            self._remove(fd, entry.name, budget)
                        elif name == "io" and entry.name in self.io_files:
                            ino, ctime0 = self.io_files[entry.name]
                            st = entry.stat(follow_symlinks=False)
                            if st.st_ino != ino or st.st_ctime_ns != ctime0:
                                self._remove(fd, entry.name, budget)
                                self.io_gone.add(entry.name)
                    seen[name] = self._restore(fd, name)
                finally:
                    os.close(fd)
            return True
        except OSError:
            return False

    def _remove(self, dirfd: int, name: str, budget: list[int]) -> None:
        """Remove ``name`` below ``dirfd`` (a whole tree, depth first, by paths of verified directories)."""
        stack, dirs = [name], []
        while stack:
            path = stack.pop()
            budget[0] -= 1
            if budget[0] < 0:
                raise OSError("too many files to remove")
            st = os.stat(path, dir_fd=dirfd, follow_symlinks=False)
            if not _S_ISDIR(st.st_mode):
                os.unlink(path, dir_fd=dirfd)
                continue
            os.chmod(path, 0o700, dir_fd=dirfd)  # a directory (not a link: checked just above) of ours
            dirs.append(path)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dirfd)
            try:
                stack.extend(f"{path}/{entry.name}" for entry in os.scandir(fd))
            finally:
                os.close(fd)
        for path in reversed(dirs):
            os.rmdir(path, dir_fd=dirfd)


def _reap_test(pid: int) -> tuple[int, float]:
    """Wait for the test's process, then kill and reap everything else; its status and the CPU reaped."""
    status, cpu = -1, 0.0
    while True:
        try:
            got, st, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return status, cpu
        except InterruptedError:
            continue
        cpu += usage.ru_utime + usage.ru_stime
        if got == pid:
            status = st
            try:
                os.kill(-1, signal.SIGKILL)  # every process of the namespace but this init
            except ProcessLookupError:  # none, not even a zombie: nothing left to wait for
                return status, cpu
            except OSError:
                pass


def _read_go() -> list[str]:
    """The "go" of the test about to run: the function to call, or the program's argv (few bytes)."""
    raw = _recv_msg(GO_FD, 1 << 24)
    if raw is None:
        _exit(0)  # the worker is stopping the execution
    return raw.decode("utf-8", "surrogateescape").split("\0") if raw else []


def _run_one_test(job: dict[str, Any], code: types.CodeType, k: int, codec: Any, enter: Any) -> None:
    """One test in a fresh fork of the init: trusted until ``enter()``, the submission's after it."""
    go = _read_go()
    os.close(GO_FD)
    os.close(CTL_FD)
    io_dir, out_dir = job["io"], job["out"]
    stdio = job["kind"] == "stdio"
    # This test's own output files (the worker reads them once it is over, then removes them). The init
    # left nothing in out/ but the previous test's files, so these names are free (O_EXCL checks it).
    for target, name in ((1, str(k)), (2, f"{k}.err")):
        fd = os.open(f"{out_dir}/{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.dup2(fd, target)
        os.close(fd)
    if stdio:
        fd = os.open(f"{io_dir}/in", os.O_RDONLY | os.O_NOFOLLOW)
        os.dup2(fd, 0)
        os.close(fd)
        sys.argv = [FILENAME, *go]
        del job, go
        _run_stdio_test(code, enter)
    else:
        args_text = _read_input(io_dir)
        sys.argv = [FILENAME]
        fn_name = go[0] if go else ""
        del job, go
        _run_call_test(code, fn_name, args_text, codec, enter)


def _run_stdio_test(code: types.CodeType, enter: Any) -> None:
    mod = _fresh_main()
    rec: dict[str, Any] = {"status": "ok", "exit_code": 0}
    wall, cpu = _perf(), _cpu()
    try:
        enter()
        exec(code, mod.__dict__)
    except _SystemExit as exc:
        rec["exit_code"] = _exit_status(exc)
        if rec["exit_code"]:
            rec["status"] = "exit"
    except _BaseException as exc:
        rec.update(status="error", exit_code=1, **_error_fields(exc))
        try:
            sys.stderr.write(rec["traceback"])
        except _BaseException:
            pass
    _join_threads()
    _run_atexit()
    flush_error = _flush_all()
    if flush_error is not None and rec["status"] == "ok":
        rec.update(status="error", exit_code=120, **_error_fields(flush_error))
    rec["wall"] = _perf() - wall
    rec["cpu"] = _cpu() - cpu
    _record(rec)
    _exit(0)


def _resolve(namespace: dict[str, Any], name: str) -> Any:
    """``f`` -> a global; ``Cls.method`` -> a fresh ``Cls()``'s method; ``method`` -> ``Solution().method``."""
    if "." in name:
        cls_name, _, attr = name.partition(".")
        return _getattr(namespace[cls_name](), attr)
    if name in namespace:
        return namespace[name]
    sol = namespace.get("Solution")
    if _isinstance(sol, _type) and _hasattr(sol, name):
        return _getattr(sol(), name)
    raise NameError(f"function {name!r} is not defined")


def _load_module(code: types.CodeType, enter: Any) -> tuple[types.ModuleType, dict[str, Any] | None]:
    """Run the submission's module (untrusted from here on); its failure as a record, if it failed."""
    mod = _fresh_main()
    enter()
    try:
        exec(code, mod.__dict__)
    except _SystemExit as exc:
        return mod, {
            "status": "exit",
            "message": f"SystemExit({_safe_exit_code(exc)}) while loading the module",
        }
    except _BaseException as exc:
        return mod, {"status": "error", **_error_fields(exc), "phase": "module"}
    return mod, None


def _call(mod: types.ModuleType, fn_name: str, arguments: Any, codec: Any) -> dict[str, Any]:
    """One call of the submission's function on arguments rebuilt from plain data; its record.

    ``arguments``: the decoded ``[args, kwargs]``, or the encoded text (decoded here, after the module
    ran: only in a shared process, where what a decoding broken by the module's patches costs is its own).
    """
    rec: dict[str, Any] = {"status": "ok"}
    wall, cpu = _perf(), _cpu()
    try:
        args, kwargs = codec.loads(arguments) if _isinstance(arguments, bytes) else arguments
        del arguments
        fn = _resolve(mod.__dict__, fn_name)
        value = fn(*args, **kwargs)
        rec["wall"], rec["cpu"] = _perf() - wall, _cpu() - cpu
        try:
            rec["value"] = codec.encode(value)
        except codec.Unserialisable as exc:
            rec.update(status="unserialisable", message=str(exc))
        except RecursionError:
            rec.update(status="unserialisable", message="value nested too deeply")
    except _SystemExit as exc:
        rec.update(
            status="exit", etype="SystemExit", message=f"SystemExit({_safe_exit_code(exc)}) during the call"
        )
    except _BaseException as exc:
        rec.update(status="error", **_error_fields(exc))
    rec.setdefault("wall", _perf() - wall)
    rec.setdefault("cpu", _cpu() - cpu)
    _flush_all()
    return rec


def _run_call_test(code: types.CodeType, fn_name: str, args_text: bytes, codec: Any, enter: Any) -> None:
    try:  # decoded before any of the submission runs (it may patch the builtins the decoder uses)
        arguments: Any = codec.loads(args_text)
    except _BaseException as exc:
        _record({"status": "error", **_error_fields(exc)})
        _exit(0)
    del args_text
    mod, failed = _load_module(code, enter)
    _record(failed or _call(mod, fn_name, arguments, codec))
    _exit(0)


def _read_input(io_dir: str) -> bytes:
    fd = os.open(f"{io_dir}/in", os.O_RDONLY | os.O_NOFOLLOW)
    chunks = []
    while chunk := _read(fd, 1 << 20):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _serve_shared_calls(job: dict[str, Any], code: types.CodeType, codec: Any, enter: Any) -> None:
    """The calls of one check (e.g. its literal asserts) in this one process, one after another.

    Each call still gets its arguments only when it starts (the worker writes them then), but the
    module runs once and its state carries from call to call, as in the check it stands for: this
    process is the submission's from the first line of its module on, and what it reports about its
    tests is only what it could have returned anyway.
    """
    n, io_dir = int(job["n"]), job["io"]
    _write(CTL_FD, b"D -1 0 0\n")
    mod, failed = _load_module(code, enter)
    for k in range(n):
        go = _read_go()
        _record(failed or _call(mod, go[0] if go else "", _read_input(io_dir), codec))
        _write(CTL_FD, b"D %d 0 0\n" % k)
    _exit(0)


def _safe_exit_code(exc: SystemExit) -> str:
    try:
        return _clip(repr(exc.code), 200)
    except _BaseException:
        return "?"


# -------------------------------------------------------------------------------------------- check


def _send_msg(fd: int, payload: bytes) -> None:
    data = _U32.pack(_len(payload)) + payload
    view = memoryview(data)
    while view:
        n = _write(fd, view)
        view = view[n:]


def _recv_msg(fd: int, limit: int, deadline: float | None = None) -> bytes | None:
    """Read one length-prefixed message; None on EOF. Raises TimeoutError past ``deadline``."""
    buf = bytearray()
    need = 4
    size = None
    poller = select.poll() if deadline is not None else None
    if poller is not None:
        poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        while _len(buf) < need:
            if poller is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not poller.poll(max(1, int(left * 1000))):
                    if deadline - time.monotonic() <= 0:
                        raise TimeoutError
                    continue
            chunk = _read(fd, min(need - _len(buf), 1 << 20))
            if not chunk:
                return None
            buf += chunk
        if size is None:
            (size,) = _U32.unpack(bytes(buf[:4]))
            if size > limit:
                raise OverflowError("message too large")
            del buf[:4]
            need = size
            if size == 0:
                return b""
            continue
        return bytes(buf)


def serve_candidate(job: dict[str, Any], req_fd: int, resp_fd: int, codec: Any, enter: Any) -> None:
    """The submission's side of a check: load the module, then answer calls until the checker hangs up.

    Its job holds the submission and limits only: the check code never reaches this process.
    """
    _install_streams()
    sys.argv = [FILENAME]
    mod = _fresh_main()
    load_error: dict[str, Any] | None = None
    limit = int(job.get("message_bytes", 1 << 24))
    try:
        code = _compile(job["code"])
        del job
        enter()
        exec(code, mod.__dict__)
    except _SystemExit as exc:
        load_error = {
            "err": "SystemExit",
            "msg": f"SystemExit({_safe_exit_code(exc)}) while loading the module",
        }
    except _BaseException as exc:
        load_error = {"err": _safe_name(exc), "msg": _safe_message(exc), "tb": _format_exception(exc)}
    while True:
        try:
            raw = _recv_msg(req_fd, limit)
        except _BaseException:
            break
        if raw is None:
            break
        if load_error is not None:
            reply: dict[str, Any] = load_error
        else:
            try:
                fn_name, args, kwargs = codec.loads(raw)
                value = _resolve(mod.__dict__, fn_name)(*args, **kwargs)
                reply = {"ok": codec.encode(value)}
            except codec.Unserialisable as exc:
                reply = {"err": "Unserialisable", "msg": str(exc)}
            except _SystemExit as exc:
                reply = {"err": "SystemExit", "msg": f"SystemExit({_safe_exit_code(exc)}) during the call"}
            except _BaseException as exc:
                reply = {"err": _safe_name(exc), "msg": _safe_message(exc), "tb": _format_exception(exc)}
        _flush_all()
        try:
            out = _dumps(reply).encode("ascii")
        except _BaseException:
            out = b'{"err":"Unserialisable","msg":"result could not be encoded"}'
        try:
            _send_msg(resp_fd, out)
        except OSError:
            break
    _flush_all()
    _exit(0)


class CandidateFailure(BaseException):
    """The candidate crashed, exited, timed out or returned something that is not plain data.

    A ``BaseException`` so that a checker's ``except Exception`` cannot swallow it.
    """


class CandidateError(RuntimeError):
    """The candidate raised a control-flow exception, which must not steer the check as itself.

    A ``StopIteration`` raised through ``all(map(candidate, xs))`` would otherwise end the iteration and
    make ``all`` say True (as PEP 479 does for generators, it is turned into a ``RuntimeError``).
    """


# Exceptions the candidate may raise that reach the check as themselves (builtins, not control flow).
_CONTROL_FLOW = frozenset(
    ("StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit")
)


class CandidateProxy:
    """Stands in for the submission's function inside the checker; every call is a pipe round trip."""

    def __init__(
        self, fn_name: str, req_fd: int, resp_fd: int, deadline: float, codec: Any, limit: int
    ) -> None:
        self._fn = fn_name
        self._req, self._resp = req_fd, resp_fd
        self._deadline = deadline
        self._codec = codec
        self._limit = limit
        self.calls = 0
        self.last_error: BaseException | None = None
        self.__name__ = fn_name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        try:
            payload = self._codec.dumps([self._fn, list(args), kwargs])
        except (self._codec.Unserialisable, RecursionError) as exc:
            raise CandidateFailure(f"checker passed a non-plain argument: {exc}") from None
        try:
            _send_msg(self._req, payload.encode("ascii"))
            raw = _recv_msg(self._resp, self._limit, self._deadline)
        except TimeoutError:
            raise CandidateFailure("timeout: the candidate did not return in time") from None
        except OSError as exc:
            raise CandidateFailure(f"the candidate process is gone ({exc.strerror})") from None
        if raw is None:
            raise CandidateFailure("the candidate process exited before returning")
        try:
            reply = _loads(raw)
            if "ok" in reply:
                return self._codec.decode(reply["ok"])
            etype, msg = str(reply.get("err", "Exception")), str(reply.get("msg", ""))
        except (ValueError, TypeError, AttributeError, RecursionError):
            raise CandidateFailure("the candidate sent a malformed reply") from None
        if etype in ("StopIteration", "StopAsyncIteration"):  # as PEP 479 does in generators
            raise CandidateError(f"the candidate raised {etype}: {msg}"[:1000])
        if etype in _CONTROL_FLOW:  # exiting or interrupting is a failure no check may catch
            raise CandidateFailure(f"the candidate raised {etype}: {msg}"[:1000])
        exc_type = getattr(builtins, etype, None)
        if (
            _isinstance(exc_type, type)
            and issubclass(exc_type, Exception)
            and not issubclass(exc_type, (StopIteration, StopAsyncIteration))
            and etype not in ("Unserialisable", "SystemExit", "MemoryError", "RecursionError")
        ):
            try:
                err = exc_type(msg)
            except _BaseException:
                err = None
            if err is not None:
                self.last_error = err
                raise err
        raise CandidateFailure(msg or etype)


def run_checker(job: dict[str, Any], req_fd: int, resp_fd: int, codec: Any, enter: Any) -> None:
    """The trusted side of a check: run ``check_code`` and call ``check_fn(candidate_proxy)``.

    Its record reports ``status`` and, on failure, ``assertion`` (the number of the failed ``assert``
    in the check's source order, counted by line) and the candidate's own error, never the check's
    source: what reaches the model names the failing test, not its content.
    """
    _install_streams()
    sys.argv = [CHECKER_FILENAME]
    mod = _fresh_main(CHECKER_FILENAME)
    proxy = CandidateProxy(
        job["entry_point"],
        req_fd,
        resp_fd,
        float(job["deadline"]),
        codec,
        int(job.get("message_bytes", 1 << 24)),
    )
    wall, cpu = _perf(), _cpu()
    rec: dict[str, Any] = {"status": "ok"}
    try:
        exec(_compile(job["check_code"], CHECKER_FILENAME), mod.__dict__)
        mod.__dict__[job["check_fn"]](proxy)
    except CandidateFailure as exc:
        msg = str(exc)
        rec.update(status="timeout" if msg.startswith("timeout") else "candidate", message=_clip(msg, 1000))
    except _BaseException as exc:
        rec.update(status="fail", **_error_fields(exc, CHECKER_FILENAME))
        rec["assertion"] = _failed_line(exc)
        if _isinstance(exc, CandidateError) or (
            proxy.last_error is not None and exc is proxy.last_error
        ):  # the candidate's own exception: its type and message are the candidate's output
            rec["candidate_error"] = _safe_message(exc)
    rec.update(wall=_perf() - wall, cpu=_cpu() - cpu, calls=proxy.calls)
    _flush_all()
    _record(rec)
    _exit(0)


def _failed_line(exc: BaseException) -> int | None:
    """The line of the check's own code where ``exc`` surfaced (the innermost frame of the test files)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (CHECKER_FILENAME, "tests.py"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
