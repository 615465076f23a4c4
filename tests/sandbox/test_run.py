"""Running one program: it behaves as under ``python solution.py``, and every limit gives its verdict."""

from __future__ import annotations

import os
import signal

import pytest

from guru_envs.sandbox import Limits, RunRequest, Sandbox, Verdict
from tests.sandbox.conftest import assert_clean

FAST = Limits(cpu_s=1, wall_s=2, memory_mb=256, output_bytes=4096, max_processes=16, disk_mb=8)


def test_stdin_stdout_argv(sandbox):
    r = sandbox.run("import sys\nprint(input()[::-1], sys.argv[1:])", stdin="abc\n", argv=["-x", "é"])
    assert r.verdict is Verdict.OK and r.ok
    assert r.stdout == "cba ['-x', 'é']\n"
    assert r.exit_code == 0 and r.signal is None
    assert r.wall_s > 0 and r.cpu_s is not None


def test_unicode_and_binary_io(sandbox):
    r = sandbox.run("import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])", stdin="ab\u2603")
    assert r.stdout.encode("utf-8", "surrogateescape") == "ab\u2603".encode()[::-1].decode(
        "utf-8", "replace"
    ).encode("utf-8", "surrogateescape")
    r = sandbox.run("print(open(0).read().upper(), end='')", stdin="xé" * 1000)
    assert r.ok and r.stdout == "XÉ" * 1000
    big = sandbox.run("print(len(open(0).read()))", stdin="x" * 5_000_000)
    assert big.stdout == "5000000\n"
    over = sandbox.run("print(open(0).read())", stdin="x" * 200_000)
    assert over.verdict is Verdict.OUTPUT_LIMIT  # the cap of the hostile fixture is 64 KiB


@pytest.mark.parametrize(
    ("code", "status", "stderr_part"),
    [
        ("import sys\nsys.exit()", 0, ""),
        ("import sys\nsys.exit(3)", 3, ""),
        ("raise SystemExit(256)", 0, ""),  # like CPython: the status is taken modulo 256
        ("import sys\nsys.exit('bye')", 1, "bye"),
        ("1/0", 1, "ZeroDivisionError"),
        ("import os\nos._exit(7)", 7, ""),
        ("def f(:\n  pass", 1, "SyntaxError"),
        ("x = '\0'", 1, ""),
    ],
)
def test_exit_status_like_cpython(sandbox, code, status, stderr_part):
    r = sandbox.run(code)
    assert r.exit_code == status, r
    assert stderr_part in r.stderr
    assert r.verdict is (Verdict.OK if status == 0 else Verdict.RUNTIME_ERROR)


def test_traceback_shows_the_submission_only(sandbox):
    r = sandbox.run("def f():\n    return 1 / 0\nf()\n")
    assert 'File "solution.py", line 2, in f' in r.stderr
    assert "return 1 / 0" in r.stderr
    assert "harness" not in r.stderr and "server.py" not in r.stderr
    assert "ZeroDivisionError" in r.message


def test_interpreter_shutdown_semantics(sandbox):
    code = (
        "import atexit, threading, time, sys\n"
        "atexit.register(lambda: print('atexit'))\n"
        "def late():\n    time.sleep(0.2)\n    print('thread')\n"
        "threading.Thread(target=late).start()\n"
        "sys.stdout.write('unflushed')\n"
    )
    r = sandbox.run(code)
    assert r.stdout == "unflushedthread\natexit\n"


def test_name_main_and_main_module(sandbox):
    code = (
        "import dataclasses, pickle, sys\n@dataclasses.dataclass\nclass P:\n    x: int\n"
        "if __name__ == '__main__':\n    print(pickle.loads(pickle.dumps(P(3))).x, __file__)\n"
    )
    assert sandbox.run(code).stdout == "3 solution.py\n"


def test_environment_is_scrubbed(sandbox, monkeypatch):
    monkeypatch.setenv("GURU_SECRET_FOR_TEST", "s3cret")
    r = sandbox.run("import os\nprint(sorted(os.environ))")
    assert r.stdout == "['HOME', 'LANG', 'PATH', 'TMPDIR']\n"


def test_fresh_workdir_each_run(sandbox):
    r1 = sandbox.run("import os\nopen('left.txt', 'w').write('x')\nprint(os.listdir('.'), os.getcwd())")
    r2 = sandbox.run("import os\nprint(os.listdir('.'))")
    assert r1.stdout.startswith("['left.txt']")
    assert r2.stdout == "[]\n"


def test_site_packages_and_scorer_are_invisible(sandbox):
    r = sandbox.run("import guru_envs")
    assert r.verdict is Verdict.RUNTIME_ERROR and "ModuleNotFoundError" in r.stderr
    r = sandbox.run("import numpy")
    assert "ModuleNotFoundError" in r.stderr


def test_stdlib_imports_work(sandbox):
    code = (
        "import collections, heapq, bisect, itertools, functools, math, re, json, fractions, decimal\n"
        "import sqlite3, hashlib, zlib, datetime, statistics, ctypes, subprocess, tempfile\n"
        "with tempfile.TemporaryDirectory() as d:\n    pass\n"
        "print(subprocess.run(['echo', 'hi'], capture_output=True, text=True).stdout, end='')\n"
        "print(hashlib.sha256(b'x').hexdigest()[:8], statistics.mean([1, 2, 3]))\n"
    )
    r = sandbox.run(code)
    assert r.ok, r.stderr
    assert r.stdout == "hi\n2d711642 2\n"


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("while True:\n    pass", Verdict.TIMEOUT),
        ("import time\ntime.sleep(30)", Verdict.TIMEOUT),
        ("x = bytearray(1 << 33)", Verdict.MEMORY_LIMIT),
        ("print('x' * 10000)", Verdict.OUTPUT_LIMIT),
        ("import sys\nsys.stderr.write('x' * 10000)", Verdict.OUTPUT_LIMIT),
        ("import ctypes\nctypes.string_at(0)", Verdict.RUNTIME_ERROR),  # a real crash (SIGSEGV)
        ("import os\nos.abort()", Verdict.RUNTIME_ERROR),
    ],
)
def test_limits_give_verdicts(sandbox, code, verdict):
    r = sandbox.run(code, limits=FAST)
    assert r.verdict is verdict, r
    assert r.message
    assert_clean(sandbox)


def test_output_cap_is_enforced_while_streaming(sandbox):
    r = sandbox.run("import sys\nwhile True:\n    sys.stdout.write('y' * 1000)\n", limits=FAST)
    assert r.verdict is Verdict.OUTPUT_LIMIT
    assert len(r.stdout) <= FAST.output_bytes + 1
    assert r.wall_s < 1.0  # stopped at the cap, not at the time limit


def test_a_submission_is_init_of_its_own_pid_namespace(sandbox):
    """Like a container's init, it cannot be stopped or ended by signals it sends itself with the
    default action (they are ignored); handled signals and real faults behave as usual."""
    code = (
        "import os, signal\n"
        "print(os.getpid(), os.getppid())\n"
        "os.kill(os.getpid(), signal.SIGTERM)\nos.kill(0, signal.SIGSTOP)\n"
        "signal.signal(signal.SIGUSR1, lambda *a: print('handled'))\nos.kill(os.getpid(), signal.SIGUSR1)\n"
        "print('still running')\n"
    )
    r = sandbox.run(code, limits=FAST)
    assert r.ok, r
    assert r.stdout == "1 0\nhandled\nstill running\n"
    # A child it forks is an ordinary process: it can stop itself, and waiting for it times out.
    r = sandbox.run(
        "import os, signal\npid = os.fork()\nif pid == 0:\n    os.kill(os.getpid(), signal.SIGSTOP)\n"
        "    os._exit(0)\nos.waitpid(pid, 0)\nprint('never')\n",
        limits=FAST,
    )
    assert r.verdict is Verdict.TIMEOUT and r.stdout == ""
    assert_clean(sandbox)


def test_exact_output_cap_is_allowed(sandbox):
    r = sandbox.run(f"import sys\nsys.stdout.write('z' * {FAST.output_bytes})", limits=FAST)
    assert r.ok and len(r.stdout) == FAST.output_bytes


def test_bad_code_types(sandbox):
    with pytest.raises(TypeError):
        sandbox.run(None)
    assert sandbox.run(b"print(1)").stdout == "1\n"
    assert sandbox.run("").ok
    r = sandbox.run("(" * 100_000)
    assert r.verdict is Verdict.RUNTIME_ERROR
    r = sandbox.run("x = 1\n" * 10 + "#" * (5 << 20))
    assert r.verdict is Verdict.RUNTIME_ERROR and "longer than" in r.message


def test_run_many_is_concurrent_and_ordered(sandbox):
    reqs = [RunRequest(f"import time\ntime.sleep(0.3)\nprint({i})") for i in range(4)]
    results = sandbox.run_many(reqs)
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(4)]
    assert sandbox.workers == 2


def test_close_is_idempotent_and_final():
    sb = Sandbox(workers=1)
    assert sb.run("print(2)").stdout == "2\n"
    pids = [w.proc.pid for w in sb._live]
    sb.close()
    sb.close()
    with pytest.raises(RuntimeError):
        sb.run("print(1)")
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_a_dead_worker_is_replaced(sandbox):
    with sandbox._worker() as w:
        pass
    os.killpg(w.proc.pid, signal.SIGKILL)
    w.proc.wait()
    results = [sandbox.run("print(5)") for _ in range(3)]
    assert all(r.ok for r in results), results
    assert w not in sandbox._live
