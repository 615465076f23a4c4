"""Hostile programs: each tries to win a reward or hurt the host; each must fail, contained, leaving nothing.

Every program is written so that it would *pass* if its attack worked (it prints "pwned", or returns the
expected value, only on success), so "the report did not pass" is the real test, not a formality. After
each one: no process of the execution is left, every worker is alive, the host saw none of its files,
and the sandbox still runs a normal program. Fork bombs are in ``test_forkbomb.py`` (run under a guard).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from guru_envs.sandbox import CallTest, CheckTest, RunRequest, TestCase, Verdict
from tests.sandbox.conftest import HOSTILE_LIMITS, assert_clean
from tests.sandbox.test_forkbomb import BOMBS

TOKEN = secrets.token_hex(8)
MARK = f"guru_sbx_pwned_{TOKEN}"
PWNED = [TestCase("", "pwned\n")]
V = Verdict


@dataclass
class Hostile:
    name: str
    code: str
    tests: list = field(default_factory=lambda: PWNED)
    verdicts: tuple = ()  # allowed verdicts of the first failure (empty: anything but OK)
    needs_ns: bool = False  # only safe or meaningful with namespaces
    isolation: bool = False  # tests the namespace/uid layers (run in every mode by default)


HOST_PATHS = ["/tmp", "/work/main", "/root", "/etc", "/", "/usr", "/var/tmp", "/dev/shm", "/home"]

CASES = [
    Hostile("infinite_loop", "while True:\n    pass\n", verdicts=(V.TIMEOUT,)),
    Hostile("sleep_forever", "import time\ntime.sleep(3600)\nprint('pwned')\n", verdicts=(V.TIMEOUT,)),
    Hostile(
        "sigterm_ignoring_loop",
        "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n",
        verdicts=(V.TIMEOUT,),
    ),
    Hostile("memory_bomb_at_once", "x = bytearray(1 << 40)\nprint('pwned')\n", verdicts=(V.MEMORY_LIMIT,)),
    Hostile(
        "memory_bomb_gradual",
        "a = []\nwhile True:\n    a.append(bytearray(10**7))\n",
        verdicts=(V.MEMORY_LIMIT, V.TIMEOUT),  # on a loaded machine the wall clock may win
    ),
    Hostile(
        "mmap_bomb",
        "import mmap\nm = mmap.mmap(-1, 1 << 40, flags=mmap.MAP_PRIVATE)\nm[-1] = 1\nprint('pwned')\n",
        verdicts=(V.MEMORY_LIMIT, V.RUNTIME_ERROR),
    ),
    Hostile("infinite_output", "while True:\n    print('y' * 100)\n", verdicts=(V.OUTPUT_LIMIT,)),
    Hostile(
        "infinite_stderr",
        "import sys\nwhile True:\n    sys.stderr.write('e' * 1000)\n",
        verdicts=(V.OUTPUT_LIMIT,),
    ),
    Hostile(
        "one_huge_write",
        "import os\nos.write(1, b'z' * (200 << 20))\nprint('pwned')\n",
        verdicts=(V.OUTPUT_LIMIT, V.MEMORY_LIMIT, V.TIMEOUT),
    ),
    Hostile(
        "write_outside_workdir",
        "import os\nok = []\nfor d in HOST_PATHS:\n"
        "    try:\n        open(os.path.join(d, MARK), 'w').write('x')\n        ok.append(d)\n"
        "    except OSError:\n        pass\nprint('pwned' if any(d not in ('/tmp', '/var/tmp', '/dev/shm') for d in ok) "
        "else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "read_host_etc",
        "import os\nseen = ''\nfor p in ('/etc/shadow', '/etc/hostname', '/etc/passwd', '/etc/os-release'):\n"
        "    try:\n        seen += open(p).read()\n    except OSError:\n        pass\n"
        "print('pwned' if ('root:/root:' in seen or 'PRETTY_NAME' in seen or '$' in seen) else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "read_scorer_files",
        "import os\nfound = False\nfor p in ('/work/main/pyproject.toml', '/work/main/guru_envs/sandbox/pool.py', "
        "SECRET):\n    try:\n        found = found or bool(open(p).read())\n    except OSError:\n        pass\n"
        "for root, dirs, files in os.walk('/'):\n    if root in ('/proc', '/usr', '/sys') or root.startswith('/root'):\n"
        "        dirs[:] = []\n        continue\n    if any(TOKEN in f for f in files):\n        found = True\n"
        "print('pwned' if found else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "read_env_secrets",
        "import os, glob\nblob = repr(dict(os.environ))\nfor p in glob.glob('/proc/*/environ'):\n"
        "    try:\n        blob += open(p, 'rb').read().decode('latin-1')\n    except OSError:\n        pass\n"
        "print('pwned' if TOKEN in blob else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "read_expected_output",
        # The expected value is a secret token: look for it everywhere the process can see.
        "import gc, os, sys\ndef solve():\n    for o in gc.get_objects():\n"
        "        for v in (o if isinstance(o, (list, tuple, dict)) else [o]):\n"
        "            if isinstance(v, str) and v.startswith('expected-'):\n                return v\n"
        "    for root, dirs, files in os.walk('/x'):\n        for f in files:\n            try:\n"
        "                t = open(os.path.join(root, f)).read()\n            except OSError:\n                continue\n"
        "            if 'expected-' in t:\n                return t[t.index('expected-'):][:25]\n    return None\n",
        tests=[CallTest("solve", (), f"expected-{TOKEN}")],
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "network_outbound",
        "import socket\nok = False\nfor addr in (('1.1.1.1', 53), ('8.8.8.8', 53), ('127.0.0.1', PORT)):\n"
        "    try:\n        socket.create_connection(addr, timeout=0.5).sendall(b'pwned')\n        ok = True\n"
        "    except OSError:\n        pass\ntry:\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "    s.sendto(b'pwned', ('8.8.8.8', 53))\n    ok = True\nexcept OSError:\n    pass\n"
        "print('pwned' if ok else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "unix_sockets",
        "import socket\nok = False\nfor addr in (UNIX_PATH, '\\0' + ABSTRACT):\n    try:\n"
        "        s = socket.socket(socket.AF_UNIX)\n        s.connect(addr)\n        s.sendall(b'pwned')\n"
        "        ok = True\n    except OSError:\n        pass\nprint('pwned' if ok else 'contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "kill_parent_and_init",
        "import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
        "    except OSError:\n        pass\nprint('contained')\n",
        verdicts=(V.WRONG_ANSWER, V.KILLED),
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "kill_every_pid",
        "import os, signal\nme = os.getpid()\nfor pid in range(1, 5000):\n    if pid != me:\n        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\nprint('contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "escape_privileges",
        "import os, ctypes\nlibc = ctypes.CDLL(None)\ndef must(rc):\n    if rc != 0:\n        raise OSError(rc)\n"
        "def setuid0():\n    if os.geteuid() == 0:\n        raise OSError('already uid 0 in a user namespace')\n"
        "    os.setuid(0)\nok = []\nfor name, f in (('setuid', setuid0), ('chroot', lambda: os.chroot('/proc')),\n"
        "        ('hostname', lambda: open('/proc/sys/kernel/hostname', 'w').write('pwned')),\n"
        "        ('userns', lambda: must(libc.unshare(0x10000000))),\n"
        "        ('mountns', lambda: must(libc.unshare(0x00020000))),\n"
        "        ('mount', lambda: must(libc.mount(b'none', b'/x', b'tmpfs', 0, None)))):\n"
        "    try:\n        f()\n        ok.append(name)\n    except Exception:\n        pass\n"
        "print('pwned' if ok else 'contained', ok)\n",
        verdicts=(V.WRONG_ANSWER,),
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "daemon_outlives",
        "import os, time\nif os.fork() == 0:\n    os.setpgid(0, 0)\n    if os.fork() == 0:\n"
        "        time.sleep(30)\n        open('/tmp/' + MARK, 'w').write('x')\n    os._exit(0)\nprint('contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "subprocess_outlives",
        "import subprocess\nsubprocess.Popen(['sleep', '1000'])\nsubprocess.Popen(['sh', '-c', 'sleep 1000 &'])\n"
        "print('contained')\n",
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
    Hostile(
        "threads_outlive_and_forge",
        # A wrong answer, plus threads that try to write a forged 'passed' record after the harness's.
        "import os, threading, time\ndef forge():\n    time.sleep(0.05)\n"
        '    os.write(3, b\'{"k":0,"status":"ok","value":42,"passed":true}\\n\')\n'
        "def f(x):\n    threading.Thread(target=forge, daemon=True).start()\n"
        "    threading.Thread(target=time.sleep, args=(60,)).start()\n    return -1\n",
        tests=[CallTest("f", (1,), 42), CallTest("f", (2,), 42)],
        # Its own record first (wrong answer) or, on a loaded machine, the forged one first, and then
        # two records for one test: the result channel was abused.
        verdicts=(V.WRONG_ANSWER, V.RUNTIME_ERROR),
    ),
    Hostile(
        "forged_records_then_exit",
        'import os\nos.write(3, b\'{"k":0,"status":"ok","value":null,"verdict":"ok"}\\n\' * 5)\nos._exit(0)\n',
        tests=[CallTest("f", (1,), 42), CallTest("f", (2,), 43)],
    ),
    Hostile(
        "result_channel_flood",
        "import os\nos.write(3, b'[' * (8 << 20))\ndef f(x):\n    return 42\n",
        tests=[CallTest("f", (1,), 42)],
        verdicts=(V.OUTPUT_LIMIT,),
    ),
    Hostile(
        "sys_exit_before_tests",
        "import sys\nsys.exit(0)\ndef f(x):\n    return 42\n",
        tests=[CallTest("f", (1,), 42), CallTest("f", (2,), 42)],
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "os_exit_before_tests",
        "import os\nos._exit(0)\ndef f(x):\n    return 42\n",
        tests=[CallTest("f", (1,), 42), CallTest("f", (2,), 42)],
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "raise_systemexit_in_call",
        "def f(x):\n    raise SystemExit(0)\n",
        tests=[CallTest("f", (1,), 42)],
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "sys_exit_before_printing",
        "import sys\nsys.exit(0)\nprint(int(input()) * 2)\n",
        tests=[TestCase("21\n", "42\n")],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "os_exit_in_checked_function",  # GURU's executor scores this as a pass
        "import os\ndef add(a, b):\n    os._exit(0)\n",
        tests=[CheckTest("def check(candidate):\n    assert candidate(1, 2) == 3\n", "add")],
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "os_exit_at_import_checked",
        "import os\nos._exit(0)\n",
        tests=[CheckTest("def check(candidate):\n    assert candidate(1, 2) == 3\n", "add")],
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "kill_the_checker",
        "import os, signal\ndef add(a, b):\n    for pid in range(1, 300):\n        if pid != os.getpid():\n"
        "            try:\n                os.kill(pid, signal.SIGKILL)\n            except OSError:\n                pass\n"
        "    return a + b + 1\n",
        tests=[CheckTest("def check(candidate):\n    assert candidate(1, 2) == 3\n", "add")],
        needs_ns=True,
        isolation=True,
    ),
    Hostile(
        "eq_always_true",
        "class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def f(x):\n    return Liar()\n",
        tests=[CallTest("f", (1,), 42)],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "eq_always_true_in_check",
        "class Liar:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n"
        "def add(a, b):\n    return Liar()\n",
        tests=[CheckTest("def check(candidate):\n    assert candidate(1, 2) == 3\n", "add")],
    ),
    Hostile(
        "builtin_subclass_lies",
        "class I(int):\n    def __eq__(self, o):\n        return True\n    def __int__(self):\n        return 42\n"
        "    def __repr__(self):\n        return '42'\nclass L(list):\n    def __eq__(self, o):\n        return True\n"
        "    def __iter__(self):\n        return iter([42])\ndef f(x):\n    return I(7) if x == 1 else L([7])\n",
        tests=[CallTest("f", (1,), 42), CallTest("f", (2,), [42])],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "monkeypatch_builtins_and_json",
        'import builtins, json, sys\njson.dumps = lambda *a, **k: \'{"k":0,"status":"ok","value":42}\'\n'
        "builtins.isinstance = lambda *a: True\nbuiltins.type = lambda *a: int\nsys.exit = lambda *a: None\n"
        "def f(x):\n    return 7\n",
        tests=[CallTest("f", (1,), 42)],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "monkeypatch_assert_in_check",
        "import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n"
        "def add(a, b):\n    return 0\n",
        tests=[CheckTest("def check(candidate):\n    assert candidate(1, 2) == 3\n", "add")],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "patch_print_across_tests",
        # Test 0 patches print to emit 'pwned' forever after; test 1 must not inherit it.
        "import builtins, sys\nn = int(input())\nif n == 0:\n    builtins.print = lambda *a, **k: "
        "sys.stdout.write('pwned\\n')\n    sys.stdout.write('0\\n')\nelse:\n    print('contained')\n",
        tests=[TestCase("0\n", "0\n"), TestCase("1\n", "pwned\n")],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile(
        "deep_recursion",
        "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nprint(f(0))\n",
        verdicts=(V.RUNTIME_ERROR, V.MEMORY_LIMIT, V.TIMEOUT),
    ),
    Hostile(
        "deep_nesting_repr",
        "a = []\nfor _ in range(10**6):\n    a = [a]\nprint(a)\n",
        verdicts=(V.RUNTIME_ERROR, V.MEMORY_LIMIT, V.TIMEOUT),
    ),
    Hostile(
        "deeply_nested_result",
        "def f():\n    a = []\n    for _ in range(10**5):\n        a = [a]\n    return a\n",
        tests=[CallTest("f", (), 42)],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile("huge_integer_pow", "print(2 ** (2 ** 40))\n", verdicts=(V.MEMORY_LIMIT, V.TIMEOUT)),
    Hostile(
        "huge_integer_str",
        "print(7 ** 200000)\n",
        verdicts=(V.RUNTIME_ERROR,),  # int_max_str_digits, as in any CPython
    ),
    Hostile(
        "huge_integer_result",
        "def f():\n    return 7 ** 50000\n",
        tests=[CallTest("f", (), 42)],
        verdicts=(V.WRONG_ANSWER,),
    ),
    Hostile("ctypes_segfault", "import ctypes\nctypes.string_at(0)\n", verdicts=(V.RUNTIME_ERROR,)),
    Hostile("ctypes_abort", "import ctypes\nctypes.CDLL(None).abort()\n", verdicts=(V.RUNTIME_ERROR,)),
    Hostile(
        "disk_fill",
        "with open('big', 'wb') as f:\n    while True:\n        f.write(b'0' * (1 << 20))\n",
        verdicts=(V.OUTPUT_LIMIT, V.RUNTIME_ERROR),
    ),
    Hostile(
        "inode_exhaustion",
        "import os\nfor i in range(10**6):\n    open(f'f{i}', 'w').close()\nprint('pwned')\n",
        verdicts=(V.RUNTIME_ERROR, V.TIMEOUT),
    ),
    Hostile(
        "fd_exhaustion",
        "fs = []\nwhile True:\n    fs.append(open('/dev/null'))\n",
        verdicts=(V.RUNTIME_ERROR,),
    ),
    Hostile(
        "thread_bomb",
        "import threading, time\nts = []\nwhile True:\n    t = threading.Thread(target=time.sleep, args=(60,))\n"
        "    t.start()\n    ts.append(t)\n",
        verdicts=(V.RUNTIME_ERROR, V.MEMORY_LIMIT, V.TIMEOUT),  # CPython then joins the sleeping threads
    ),
    Hostile(
        "fifo_and_symlink_outputs",
        # Plant a FIFO and a symlink where the next tests' outputs go: the worker must not hang or follow.
        "import os, sys\nn = int(input())\nif n == 0:\n    out = os.path.dirname(os.readlink('/proc/self/fd/1'))\n"
        "    os.mkfifo(out + '/1')\n    os.symlink('/proc/self/environ', out + '/2')\nprint(n if n == 0 else 'pwned')\n",
        tests=[TestCase("0\n", "0\n"), TestCase("1\n", "1\n"), TestCase("2\n", "2\n")],
        verdicts=(V.WRONG_ANSWER,),
        isolation=True,
    ),
]


def test_suite_is_large_enough():
    assert len(CASES) + len(BOMBS) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def host_traps(tmp_path_factory):
    """A secret file, a listening TCP socket and UNIX sockets on the host, which programs try to reach."""
    secret = f"/tmp/{MARK}.secret"
    with open(secret, "w") as fh:
        fh.write(TOKEN)
    os.chmod(secret, 0o644)
    os.environ["GURU_SBX_TEST_SECRET"] = TOKEN  # must never reach the sandbox
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.settimeout(0.05)
    unix_path = str(tmp_path_factory.mktemp("sock") / "s")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    unix.listen(8)
    unix.settimeout(0.05)
    os.chmod(unix_path, 0o777)
    abstract = f"guru-sbx-{TOKEN}"
    abs_sock = socket.socket(socket.AF_UNIX)
    abs_sock.bind("\0" + abstract)
    abs_sock.listen(8)
    abs_sock.settimeout(0.05)
    accepted = []

    def poll() -> None:
        for s in (tcp, unix, abs_sock):
            try:
                accepted.append(s.accept())
            except OSError:
                pass

    traps = {"PORT": tcp.getsockname()[1], "UNIX_PATH": unix_path, "ABSTRACT": abstract, "poll": poll}
    yield traps, accepted
    for s in (tcp, unix, abs_sock):
        s.close()
    os.environ.pop("GURU_SBX_TEST_SECRET", None)
    os.unlink(secret)


def _host_marks() -> list[str]:
    found = []
    for d in HOST_PATHS:
        p = os.path.join(d, MARK)
        if os.path.lexists(p):
            found.append(p)
    return found


def _params():
    for mode in ("root", "userns"):
        for case in CASES:
            # Limit cases behave the same in both modes; their userns runs are in the slow set.
            marks = [pytest.mark.slow] if mode == "userns" and not case.isolation else []
            yield pytest.param(mode, case, marks=marks, id=f"{mode}-{case.name}")


@pytest.mark.parametrize(("mode", "case"), list(_params()))
def test_hostile_program_is_contained(mode, case, request, host_traps):
    sb = request.getfixturevalue("sandbox" if mode == "root" else "userns_sandbox")
    traps, accepted = host_traps
    if case.needs_ns and not sb.isolation.namespaces:
        pytest.skip("only meaningful with namespaces")
    names = {
        "PORT": traps["PORT"],
        "UNIX_PATH": traps["UNIX_PATH"],
        "ABSTRACT": traps["ABSTRACT"],
        "TOKEN": TOKEN,
        "MARK": MARK,
        "SECRET": f"/tmp/{MARK}.secret",
        "HOST_PATHS": HOST_PATHS,
    }
    prefix = "".join(f"{k} = {v!r}\n" for k, v in names.items() if k in case.code)
    code = prefix + case.code
    # Tight wall-clock limits only where a timeout is the expected outcome; elsewhere a loaded machine
    # must not turn a slow start into a timeout.
    limits = (
        HOSTILE_LIMITS
        if (V.TIMEOUT in case.verdicts or not case.verdicts)
        else HOSTILE_LIMITS.replace(wall_s=8)
    )
    report = sb.run_tests(code, case.tests, limits=limits)
    traps["poll"]()
    assert not report.passed, f"{case.name} passed: {report.results}"
    if case.verdicts:
        assert report.verdict in case.verdicts, (case.name, report.verdict, report.message[-500:])
    assert report.verdict is not Verdict.SANDBOX_ERROR
    assert accepted == [], "a sandboxed program reached a host socket"
    assert _host_marks() == []
    assert_clean(sb)
    # The sandbox is still healthy and isolated after the attack.
    after = sb.run("print(sum(range(10)))", limits=HOSTILE_LIMITS)
    assert after.ok and after.stdout == "45\n", after


def test_kill_attempts_leave_scorer_and_workers_alive(sandbox):
    before = {w.proc.pid for w in sandbox._live}
    code = (
        "import os, signal\nfor p in range(1, 2000):\n    try:\n        os.kill(p, signal.SIGKILL)\n"
        "    except OSError:\n        pass\n"
    )
    sandbox.run_many([RunRequest(code)] * 4)
    assert {w.proc.pid for w in sandbox._live} >= before
    assert threading.current_thread().is_alive()
    assert sandbox.run("print(1)").stdout == "1\n"


def test_a_result_of_one_hash_costs_the_scorer_nothing(sandbox):
    """A set whose values share one hash is cheap to build in the sandbox (an int subclass with a hash of
    its own) and was quadratic to rebuild in the scorer: ~8 s of the scorer's CPU per 1 MB result.
    """
    code = (
        "class H(int):\n    def __hash__(self):\n        return int(self) % 1000003\n"
        "    def __eq__(self, other):\n        return self is other\n"
        "def f():\n    return {H((2**61 - 1) * k) for k in range(1, 31000)}\n"
    )
    limits = HOSTILE_LIMITS.replace(output_bytes=1 << 20, wall_s=8, memory_mb=512)
    started = time.monotonic()
    report = sandbox.run_tests(code, [CallTest("f", (), [1])], limits=limits)
    assert report.verdict is V.WRONG_ANSWER and "one hash" in report.message, report.results
    assert time.monotonic() - started < 3
    assert_clean(sandbox)


@pytest.mark.parametrize("when", ["at import", "in the first call"])
def test_a_shared_process_cannot_claim_its_module_did_not_compile(sandbox, when):
    """The init's "module did not compile" line made every test copy test 0's verdict: a submission in a
    shared process (which holds the report pipe) answered the first call, wrote a record of its own and
    that line, and passed every test it never ran (HumanEval and GURU assert rows through their checks)."""
    forge = 'os.write(3, b\'{"status":"ok","value":1}\\n\'); os.write(4, b\'X\\n\'); os._exit(0)'
    if when == "at import":
        code = f"import os\n{forge}\ndef f(x):\n    return 0\n"
    else:
        code = f"import os\ndef f(x):\n    {forge}\n"
    tests = [CallTest("f", (k,), k) for k in (1, 2, 3, 4)]
    for stop in (True, False):
        report = sandbox.run_tests(code, tests, shared_process=True, stop_on_first_failure=stop)
        assert not report.passed and report.fraction == 0, (when, report.results)
    assert sandbox.run_tests("def f(x):\n    return x\n", tests, shared_process=True).passed


def test_a_shared_process_flooding_its_report_pipe_fails_alone(sandbox):
    """Reports are short lines; a submission writing megabytes without a newline to the init's report
    pipe grew the worker's buffer until the worker itself was killed for memory."""
    before = {w.proc.pid for w in sandbox._live}
    code = "import os\ndef f(x):\n    while True:\n        os.write(4, b'Z' * (1 << 20))\n"
    started = time.monotonic()
    report = sandbox.run_tests(code, [CallTest("f", (1,), 1), CallTest("f", (2,), 2)], shared_process=True)
    assert not report.passed and "malformed" in report.message, report.results
    assert time.monotonic() - started < 10
    assert {w.proc.pid for w in sandbox._live} == before  # the worker was not replaced
    assert_clean(sandbox)


def test_a_shared_process_cannot_crash_its_worker_with_a_forged_report(sandbox):
    """In a shared process (the calls of one check) the submission is the test init and holds its
    report pipe: a report that does not parse used to raise in the worker, which then exited."""
    before = {w.proc.pid for w in sandbox._live}
    for forged in (b"D x 0 0\n", b"D 0 0 nan\n", b"D 0 zz 0\n", b"D 0 0 inf\n", b"\xff\n"):
        code = f"import os\nos.write(4, {forged!r})\ndef f(x):\n    return 42\n"
        tests = [CallTest("f", (1,), 42), CallTest("f", (2,), 42)]
        report = sandbox.run_tests(code, tests, shared_process=True)
        assert not report.passed and report.verdict is V.RUNTIME_ERROR, (forged, report.results)
        assert "malformed" in report.message, report.message
    assert {w.proc.pid for w in sandbox._live} == before  # no worker had to be replaced
    assert sandbox.run("print(1)").stdout == "1\n"


def test_a_lone_surrogate_in_the_program_or_its_input_is_a_verdict_not_an_exception(sandbox):
    """No UTF-8 holds a lone surrogate: encoding the source raised out of run() and run_tests()."""
    assert sandbox.run('s = "\ud800"\nprint(len(s))\n').stdout == "3\n"  # read as replacement characters
    assert sandbox.run("print(input())", stdin="a\ud800b").stdout.startswith("a")
    report = sandbox.run_tests('def f(x):\n    return "\ud800" and x\n', [CallTest("f", (1,), 1)])
    assert report.passed
