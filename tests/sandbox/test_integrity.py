"""Reward integrity of the sandbox (issue 18): hidden tests never reach the submission, no execution reaches the next.

One test (or more) per hole of the issue, a dump test in which a submission reads everything it can
(frames, gc, its own and other processes' memory, /proc, fds, environment, argv, files, System V IPC,
keyrings) looking for a test, an expected output or reference code, and further attacks of our own.
Every hostile program is written so that it would *pass* if its attack worked (it returns or prints what
it was after only on success), so "the report did not pass" is the real test. Each runs in root and
user-namespace modes (the dump tests in "none" mode too, as root: the submission then runs as another
uid, and every child still comes from a zygote that never held a job).
"""

from __future__ import annotations

import os
import secrets
import time

import pytest

from guru_envs.sandbox import CallTest, CheckTest, Limits, Sandbox, TestCase, Verdict, codec
from tests.sandbox.conftest import HOSTILE_LIMITS, _children, _descendants, _started, assert_clean

ROOMY = HOSTILE_LIMITS.replace(cpu_s=6, wall_s=20, memory_mb=512)
MODES = ["root", "userns"]
DUMP_MODES = ["root", "userns", "none"]


def _sb(request, mode: str) -> Sandbox:
    sb = request.getfixturevalue(
        {"root": "sandbox", "userns": "userns_sandbox", "none": "none_sandbox"}[mode]
    )
    if mode == "none" and os.geteuid() != 0:
        pytest.skip("in 'none' mode only root puts the submission under another uid")
    return sb


def _lingering(sb: Sandbox) -> list[int]:
    """Processes of finished executions, the moment a reply arrives (no grace period).

    Every process of an execution descends from its pid 1, a child of the worker's zygote (the server's
    first child); a spare waiting for its job, possibly still being set up, is a childless child of the
    zygote. So any grandchild of the zygote is left over from an execution.
    """
    found = []
    for w in list(sb._live):
        server = w.proc.pid if w.info.mode == "none" else (_children(w.proc.pid) or [0])[0]
        zygote = min(_children(server), key=_started, default=0)
        for execution in _children(zygote):
            found += _descendants(execution)
    return found


def _secret() -> str:
    return "SECRET-" + secrets.token_hex(8)


# A submission's search through everything it can read for "SECRET-" and 16 hex digits (its own text
# never holds such a string). It returns the first one found, or None.
HUNT = r"""
import ctypes, gc, os, re, stat, sys
_PATTERN = re.compile(rb"SECRET" + rb"-[0-9a-f]{16}")
_SKIP = ("/proc", "/sys", "/usr", "/lib", "/lib64", "/bin", "/sbin")

def _look(blob, found):
    if isinstance(blob, str):
        blob = blob.encode("utf-8", "replace")
    m = _PATTERN.search(blob)
    if m:
        found.append(m.group().decode())

def _memory(pid, found):
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
            for line in maps:
                addr, perms = line.split()[:2]
                lo, hi = (int(x, 16) for x in addr.split("-"))
                if "r" not in perms or hi - lo > 1 << 28:
                    continue
                try:
                    mem.seek(lo)
                    _look(mem.read(hi - lo), found)
                except (OSError, ValueError, OverflowError):
                    pass
    except OSError:
        pass

def _file(path, found):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            _look(os.read(fd, 1 << 22), found)
    except OSError:
        pass
    finally:
        os.close(fd)

def hunt():
    found = []
    frame = sys._getframe()
    while frame is not None:
        for space in (frame.f_locals, frame.f_globals):
            try:
                _look(repr(space), found)
            except Exception:
                pass
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if isinstance(obj, (dict, list, tuple)):
                _look(repr(obj)[:200000], found)
        except Exception:
            pass
    _look(repr(dict(os.environ)) + repr(sys.argv), found)
    _memory("self", found)
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for what in ("cmdline", "environ", "status"):
                _file(f"/proc/{pid}/{what}", found)
            _memory(pid, found)
    for what in ("shm", "msg", "sem"):
        _file(f"/proc/sysvipc/{what}", found)
    for fd in range(256):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            try:
                _look(os.pread(fd, 1 << 22, 0), found)
            except OSError:
                pass
        _file(f"/proc/self/fd/{fd}", found)
    budget = [4000]  # files: the whole tree of a sandbox, a bounded sample of a host ("none" mode)
    for root, dirs, files in os.walk("/"):
        if root in _SKIP or budget[0] <= 0:
            dirs[:] = []
            continue
        dirs.sort(key=lambda d: d not in ("x", "tmp", "dev", "var", "etc"))  # the sandbox's own first
        for name in files[:200]:
            budget[0] -= 1
            _file(os.path.join(root, name), found)
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(1 << 16)
    for ring in (-1, -2, -3, -4, -5):  # thread, process, session, user, user-session keyrings
        n = libc.syscall(250, 11, ring, buf, len(buf))  # keyctl(KEYCTL_READ)
        if n > 0:
            _look(buf.raw[:n], found)
    ids = libc.syscall(64, 0, 0, 0)  # an attempt at System V IPC at all (shmget)
    if ids >= 0:
        found.append("shmget worked")
    return found[0] if found else None
"""


@pytest.mark.parametrize("mode", DUMP_MODES)
def test_dump_finds_no_later_test_input_call_mode(mode, request):
    """Hole 3: a call sees only its own arguments; test 0 hunts for test 1's."""
    sb = _sb(request, mode)
    later = _secret()
    code = HUNT + "def f(x):\n    return hunt() if x == 'probe' else 0\n"
    tests = [CallTest("f", ("probe",), later), CallTest("f", (later,), 0)]
    report = sb.run_tests(code, tests, limits=ROOMY)
    assert report.results[0].verdict is not Verdict.OK, report.results[0]
    assert report.results[0].verdict is Verdict.WRONG_ANSWER, report.results[0]  # it ran, found nothing
    assert_clean(sb)


@pytest.mark.parametrize("mode", DUMP_MODES)
def test_dump_finds_no_later_test_input_stdio_mode(mode, request):
    sb = _sb(request, mode)
    later = _secret()
    code = HUNT + "line = input()\nprint(hunt() if line == 'probe' else line)\n"
    tests = [TestCase("probe\n", f"{later}\n"), TestCase(f"{later}\n", f"{later}\n")]
    report = sb.run_tests(code, tests, limits=ROOMY)
    assert report.results[0].verdict is Verdict.WRONG_ANSWER, report.results[0]
    assert report.results[0].actual == "None\n"


@pytest.mark.parametrize("mode", DUMP_MODES)
def test_dump_finds_nothing_of_the_check(mode, request):
    """Hole 1: the check code (asserts, expected values, reference solution) never reaches the candidate."""
    sb = _sb(request, mode)
    expected, reference = _secret(), _secret()
    check = (
        f"REFERENCE = {reference!r}  # stands for a canonical solution loaded beside the check\n"
        "def check(candidate):\n"
        f"    assert candidate() == {expected!r}\n"
    )
    code = HUNT + "def solve():\n    return hunt()\n"
    report = sb.run_tests(code, [CheckTest(check, "solve")], limits=ROOMY)
    assert not report.passed
    assert report.verdict is Verdict.WRONG_ANSWER, report.results  # the candidate ran and found nothing
    assert (
        expected not in report.message and reference not in report.message and expected not in report.stderr
    )
    assert_clean(sb)


@pytest.mark.parametrize("mode", MODES)
def test_the_submission_cannot_replay_the_check_from_its_frames(mode, request):
    """Hole 1 as the issue found it: the job with the check code in a caller's frame of the candidate."""
    sb = _sb(request, mode)
    answer = _secret()
    check = f"def check(candidate):\n    assert candidate() == {answer!r}\n"
    code = (
        "import gc, re, sys\n"
        "def solve():\n"
        "    texts = []\n"
        "    f = sys._getframe()\n"
        "    while f is not None:\n"
        "        texts += [repr(v) for v in list(f.f_locals.values()) + list(f.f_globals.values())]\n"
        "        f = f.f_back\n"
        "    texts += [o.get('check_code', '') for o in gc.get_objects() if isinstance(o, dict)]\n"
        "    for t in texts:\n"
        "        m = re.search(r\"== '(SECRET-[0-9a-f]+)'\", str(t))\n"
        "        if m:\n"
        "            return m.group(1)\n"
    )
    report = sb.run_tests(code, [CheckTest(check, "solve")], limits=ROOMY)
    assert report.verdict is Verdict.WRONG_ANSWER, report.results


FORKED_SPIN = (
    "import os, signal, time\n"
    "{prelude}"
    "def spin(s):\n"
    "    t = time.process_time()\n"
    "    while time.process_time() - t < s:\n"
    "        pass\n"
    "def f(n):\n"
    "    if n == 0:\n"
    "        return 'small'\n"
    "    r, w = os.pipe()\n"
    "    for _ in range(4):\n"
    "        if os.fork() == 0:\n"
    "            {child}\n"
    "            os._exit(0)\n"
    "    os.close(w)\n"
    "    got = b''\n"
    "    while len(got) < 4:\n"  # each worker says when its share is done
    "        chunk = os.read(r, 4)\n"
    "        if not chunk:\n"
    "            break\n"
    "        got += chunk\n"
    "    {wait}\n"
    "    return 'big' if len(got) == 4 else 'lost'\n"
)
FORK_VARIANTS = {
    "waited children": ("", "spin(0.6)\n            os.write(w, b'x')", "[os.wait() for _ in range(4)]"),
    "auto-reaped children": (
        "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n",
        "spin(0.6)\n            os.write(w, b'x')",
        "pass",
    ),
    "orphaned grandchildren": (
        "",
        "if os.fork() == 0:\n                spin(0.6)\n                os.write(w, b'x')\n                os._exit(0)",
        "pass",
    ),
}


@pytest.mark.parametrize("variant", sorted(FORK_VARIANTS))
@pytest.mark.parametrize("mode", MODES)
def test_cpu_of_forked_children_counts(mode, variant, request):
    """Hole 2: 2.4 CPU-seconds spread over four forked children is still over a 1 s per-test limit."""
    sb = _sb(request, mode)
    prelude, kid, wait = FORK_VARIANTS[variant]
    code = FORKED_SPIN.format(prelude=prelude, child=kid, wait=wait)
    limits = HOSTILE_LIMITS.replace(cpu_s=1, wall_s=20)
    started = time.monotonic()
    report = sb.run_tests(code, [CallTest("f", (0,), "small"), CallTest("f", (1,), "big")], limits=limits)
    assert [r.verdict for r in report.results] == [Verdict.OK, Verdict.TIMEOUT], report.results
    assert "CPU" in report.results[1].message
    assert time.monotonic() - started < 15  # the CPU clock stopped it, not the 20 s wall clock
    assert_clean(sb)


CARRY = {
    # A value left in an imported module by one test, read by the next.
    "module state": "import sys\ndef f(x):\n    prev = getattr(sys, 'stash', None)\n    sys.stash = x\n    return prev\n",
    # A file written by one test, read by the next (cwd, /tmp and /dev/shm).
    "files": (
        "import os\nDIRS = ('.', '/tmp', '/dev/shm', '/x/tmp', '/x/shm', '/x/work')\n"
        "def f(x):\n    prev = None\n    for d in DIRS:\n        p = os.path.join(d, 'stash')\n"
        "        if os.path.exists(p):\n            prev = open(p).read()\n"
        "    for d in DIRS:\n        try:\n            open(os.path.join(d, 'stash'), 'w').write(x)\n"
        "        except OSError:\n            pass\n    return prev\n"
    ),
    # A process left running by one test that hands the previous input to the next.
    "background process": (
        "import os, socket, time\n"
        "def f(x):\n"
        "    prev = None\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX)\n"
        "        s.connect('\\0guru-stash')\n"
        "        prev = s.recv(100).decode()\n"
        "    except OSError:\n"
        "        pass\n"
        "    if os.fork() == 0:\n"
        "        os.setpgid(0, 0)\n"
        "        srv = socket.socket(socket.AF_UNIX)\n"
        "        try:\n"
        "            srv.bind('\\0guru-stash')\n"
        "        except OSError:\n"
        "            os._exit(0)\n"
        "        srv.listen(4)\n"
        "        while True:\n"
        "            c, _ = srv.accept()\n"
        "            c.sendall(x.encode())\n"
        "            c.close()\n"
        "    time.sleep(0.05)\n"
        "    return prev\n"
    ),
    # Hard links to this test's own input file (which the worker replaces for the next test).
    "hard links": (
        "import json, os\ndef f(x):\n    prev = None\n    for p in ('/x/work/keep', '/x/tmp/keep', '/x/shm/keep'):\n"
        "        try:\n            prev = json.loads(open(p).read())[0][0]\n        except (OSError, ValueError):\n"
        "            pass\n    for p in ('/x/work/keep', '/x/tmp/keep', '/x/shm/keep'):\n        try:\n"
        "            os.link('/x/io/in', p)\n        except OSError:\n            pass\n    return prev\n"
    ),
    # A file hidden in one of the area's directories whose modification time is then put back with
    # utime: a tidy-up that looked for changes by mtime never listed the directory.
    "directory times put back": (
        "import os\nDIRS = ('/x/work', '/x/tmp', '/x/shm', '/x/out', '/x/io', '/x')\n"
        "def f(x):\n    prev = None\n    for d in DIRS:\n        if os.path.exists(d + '/stash'):\n"
        "            prev = open(d + '/stash').read()\n    for d in DIRS:\n        try:\n"
        "            st = os.stat(d)\n            open(d + '/stash', 'w').write(x)\n"
        "            os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))\n        except OSError:\n"
        "            pass\n    return prev\n"
    ),
    # Extended attributes (a user attribute, a default ACL) on the area's own directories.
    "extended attributes": (
        "import os, struct\nDIRS = ('/x/work', '/x/tmp', '/x/shm', '/x/out', '/x/io', '/x')\n"
        "ACL = 'system.posix_acl_default'\n"
        "def acl(uid):\n    e = lambda tag, perm, i=0xFFFFFFFF: struct.pack('<HHI', tag, perm, i)\n"
        "    return struct.pack('<I', 2) + e(1, 7) + e(2, 7, uid) + e(4, 5) + e(0x10, 7) + e(0x20, 5)\n"
        "def f(x):\n    prev = None\n    for d in DIRS:\n        for name in ('user.stash', ACL):\n"
        "            try:\n                v = os.getxattr(d, name)\n            except OSError:\n"
        "                continue\n            if name == ACL:\n"
        "                prev = prev or 'acl:%d' % struct.unpack('<I', v[16:20])[0]\n"
        "            else:\n                prev = v.decode()\n"
        "    for d in DIRS:\n        for name, value in (('user.stash', x.encode()), (ACL, acl(4242))):\n"
        "            try:\n                os.setxattr(d, name, value)\n            except OSError:\n"
        "                pass\n    return prev\n"
    ),
    # Times, permission bits set by one test and read by the next (0o000 also locks the tidy-up out).
    "directory times and modes": (
        "import os\nDIRS = ('/x/work', '/x/tmp', '/x/shm', '/x/out', '/x/io', '/x')\n"
        "def f(x):\n    prev = None\n    for d in DIRS:\n        st = os.stat(d)\n"
        "        if st.st_atime_ns == 123456789 or st.st_mtime_ns == 987654321 or st.st_mode & 0o777 == 0:\n"
        "            prev = 'seen'\n    for d in DIRS:\n        try:\n"
        "            os.utime(d, ns=(123456789, 987654321))\n        except OSError:\n            pass\n"
        "        try:\n            os.chmod(d, 0)\n        except OSError:\n            pass\n"
        "    return prev\n"
    ),
    # The worker's own output files in io/ (a test can write them in userns mode).
    "the worker's output files": (
        "import os\nFILES = ('/x/io/stdout', '/x/io/stderr', '/x/io/cstdout', '/x/io/cstderr')\n"
        "def f(x):\n    prev = None\n    for p in FILES:\n        try:\n            t = open(p).read()\n"
        "        except OSError:\n            continue\n        if 'stash:' in t:\n"
        "            prev = t.split('stash:')[1].split()[0]\n    for p in FILES:\n        try:\n"
        "            with open(p, 'a') as fh:\n                fh.write('stash:' + x + '\\n')\n"
        "        except OSError:\n            pass\n    return prev\n"
    ),
    # A hidden directory made by renaming one of the area's own directories (userns mode can).
    "renamed area directory": (
        "import os\ndef f(x):\n    prev = None\n    for p in ('/x/stash/v', '/x/work2/v'):\n"
        "        if os.path.exists(p):\n            prev = open(p).read()\n"
        "    for d in ('/x/stash', '/x/work2'):\n        try:\n            os.makedirs(d, exist_ok=True)\n"
        "            open(d + '/v', 'w').write(x)\n        except OSError:\n            pass\n    return prev\n"
    ),
}


@pytest.mark.parametrize("channel", sorted(CARRY))
@pytest.mark.parametrize("mode", MODES)
def test_no_state_carries_from_one_test_to_the_next(mode, channel, request):
    """Hole 3: each test in a fresh process with a fresh area; the second test passes only if it sees the first."""
    sb = _sb(request, mode)
    first = _secret()
    tests = [CallTest("f", (first,), None), CallTest("f", ("second",), first)]
    report = sb.run_tests(CARRY[channel], tests, limits=HOSTILE_LIMITS.replace(wall_s=8))
    assert report.results[0].verdict is Verdict.OK, report.results[0]
    assert report.results[1].verdict is Verdict.WRONG_ANSWER and report.results[1].actual is None, (
        report.results
    )
    assert report.processes == 1
    assert_clean(sb)


@pytest.mark.parametrize("mode", MODES)
def test_reading_the_area_leaves_no_trace_for_the_next_test(mode, request):
    """What a test only reads changes nothing the next can see: the area is mounted noatime.

    With relatime, listing a directory set its access time (to a moment of the test's choosing), and
    no change time moved for the tidy-up to notice.
    """
    sb = _sb(request, mode)
    code = (
        "import os\nDIRS = ('/x/work', '/x/tmp', '/x/shm', '/x/out', '/x/io', '/x')\n"
        "def f(x):\n    if x == 'read':\n        for d in DIRS:\n            os.listdir(d)\n"
        "        return None\n    return any(os.stat(d).st_atime_ns > os.stat(d).st_mtime_ns for d in DIRS)\n"
    )
    tests = [CallTest("f", ("read",), None), CallTest("f", ("probe",), True)]
    report = sb.run_tests(code, tests, limits=HOSTILE_LIMITS.replace(wall_s=8))
    assert report.results[0].verdict is Verdict.OK, report.results[0]
    assert report.results[1].verdict is Verdict.WRONG_ANSWER and report.results[1].actual is False, (
        report.results
    )


@pytest.mark.parametrize("mode", MODES)
def test_the_hosts_devices_carry_nothing_from_one_execution_to_the_next(mode, request):
    """/dev/null and its kind are the host's inodes: a touch of one was seen by every later execution.

    ``utime`` with no times needs only write access, which /dev/null gives everyone; the program waits
    for a clock reading of its choosing and touches it, the next reads the time back. The devices are
    bound read-only now: they work, their inodes cannot change.
    """
    sb = _sb(request, mode)
    devices = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
    before = {d: os.stat(d).st_mtime_ns for d in devices}
    code = (
        f"import os\ntouched = []\nfor d in {devices!r}:\n    try:\n        os.utime(d)\n"
        "        touched.append(d)\n    except OSError:\n        pass\n"
        "os.write(os.open('/dev/null', os.O_WRONLY), b'still a device')\n"
        "print(len(open('/dev/zero', 'rb').read(8)), 'pwned' if touched else 'contained', touched)\n"
    )
    r = sb.run(code)
    assert r.stdout == "8 contained []\n", r
    assert {d: os.stat(d).st_mtime_ns for d in devices} == before


# Every storage an execution might keep a counter in: the next execution reads it. The program answers
# its attempt number; the task wants 3, so it passes only if three earlier executions left it a trace.
PERSIST = r"""
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def counters():
    seen = [0]
    for p in ("/tmp/count", "/dev/shm/count", "/x/work/count", "/var/tmp/count"):
        try:
            seen.append(int(open(p).read()))
        except (OSError, ValueError):
            pass
    shmid = libc.syscall(29, 0x6775, 4096, 0o1666)  # shmget(key, size, IPC_CREAT | 0666)
    if shmid >= 0:
        addr = libc.syscall(30, shmid, 0, 0)  # shmat
        if addr not in (-1, 0):
            seen.append(ctypes.c_int.from_address(addr).value)
    buf = ctypes.create_string_buffer(64)
    key = libc.syscall(250, 10, b"user".ljust(8, b"\0"), b"guru-count", -4, 0)  # KEYCTL_SEARCH in @u
    if key > 0 and libc.syscall(250, 11, key, buf, 64) > 0:
        seen.append(int(buf.value or b"0"))
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(0.2)
        s.connect("\0guru-count")
        seen.append(int(s.recv(16)))
    except (OSError, ValueError):
        pass
    return max(seen)

def remember(n):
    for p in ("/tmp/count", "/dev/shm/count", "/x/work/count", "/var/tmp/count"):
        try:
            open(p, "w").write(str(n))
        except OSError:
            pass
    shmid = libc.syscall(29, 0x6775, 4096, 0o1666)
    if shmid >= 0:
        addr = libc.syscall(30, shmid, 0, 0)
        if addr not in (-1, 0):
            ctypes.c_int.from_address(addr).value = n
    value = str(n).encode()
    libc.syscall(248, b"user", b"guru-count", value, len(value), -4)  # add_key to @u
    if os.fork() == 0:  # a daemon that serves the count to whoever comes next
        os.setpgid(0, 0)
        if os.fork() == 0:
            srv = socket.socket(socket.AF_UNIX)
            try:
                srv.bind("\0guru-count")
                srv.listen(8)
                while True:
                    c, _ = srv.accept()
                    c.sendall(value)
                    c.close()
            except OSError:
                pass
        os._exit(0)

def attempt():
    n = counters() + 1
    remember(n)
    return n
"""


@pytest.mark.parametrize("mode", MODES)
def test_no_execution_leaves_anything_for_the_next(mode, request):
    """Holes 4, 5, 6: System V IPC, keyrings, files, abstract sockets and lingering daemons carry nothing.

    The issue's oracle reached reward 1 after 5 identical submissions by keeping a table in System V
    shared memory. Here no run ever sees a count left by an earlier one.
    """
    sb = _sb(request, mode)
    for _ in range(6):
        report = sb.run_tests(PERSIST, [CallTest("attempt", (), 3)], limits=HOSTILE_LIMITS.replace(wall_s=8))
        assert report.results[0].verdict is Verdict.WRONG_ANSWER and report.results[0].actual == 1, (
            report.results
        )
        assert _lingering(sb) == []  # the reply came only once every process of the execution was gone


@pytest.fixture(scope="module")
def bare_sandbox():
    """The namespace layers alone: no seccomp filter (as where libseccomp is missing)."""
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=1, seccomp_filter=False)
    yield sb
    sb.close()


def test_without_seccomp_the_namespaces_still_keep_executions_apart(bare_sandbox):
    """System V IPC and abstract sockets are per execution even where no filter refuses them.

    (Keyrings are the one channel that needs the filter: see docs/sandbox.md.)
    """
    if not bare_sandbox.isolation.namespaces:
        pytest.skip("needs namespaces")
    assert any("seccomp" in e or "fork" in e for e in bare_sandbox.isolation.errors) or not any(
        "seccomp" in layer for layer in bare_sandbox.isolation.layers
    )
    code = PERSIST.replace('libc.syscall(248, b"user"', '0 and libc.syscall(248, b"user"')  # no keyring
    for _ in range(5):
        report = bare_sandbox.run_tests(
            code, [CallTest("attempt", (), 3)], limits=HOSTILE_LIMITS.replace(wall_s=8)
        )
        assert report.results[0].actual == 1, report.results
    r = bare_sandbox.run(
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "shmid = libc.syscall(29, 0x77, 1 << 20, 0o1666)\nprint(shmid >= 0)\n"
    )
    assert r.stdout == "True\n"  # the call works without the filter, in the execution's own namespace


def test_no_keyring_is_left_on_the_host():
    """Hole 5: keyring calls are refused, so none of the sandbox's uids owns a key on the host."""
    if os.geteuid() != 0:
        pytest.skip("the sandbox uids exist only as root")
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "k = libc.syscall(248, b'user', b'guru-left', b'x', 1, -4)\n"
        "s = libc.syscall(250, 1, 0)  # KEYCTL_JOIN_SESSION_KEYRING\n"
        "print('pwned' if k > 0 or s > 0 else 'contained', ctypes.get_errno())\n"
    )
    with Sandbox(workers=1, limits=HOSTILE_LIMITS) as sb:
        for _ in range(3):
            r = sb.run(code)
            assert r.stdout.startswith("contained 1"), r  # EPERM from the filter
        sb.run_tests(PERSIST, [CallTest("attempt", (), 3)])
        (worker,) = sb._live
        uids = set(range(worker.uids[0], worker.uids[0] + 6))  # the worker's, its checker's, its submissions'
    with open("/proc/key-users") as fh:
        owners = {int(line.split(":")[0]) for line in fh if line.strip()}
    assert not uids & owners


@pytest.mark.parametrize("mode", MODES)
def test_nothing_of_an_execution_outlives_its_reply(mode, request):
    """Hole 6: a daemon serving a secret on an abstract socket is gone before the next execution starts."""
    sb = _sb(request, mode)
    serve = (
        "import os, socket, time\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        os.setpgid(0, 0)\n"
        "        srv = socket.socket(socket.AF_UNIX)\n"
        "        try:\n"
        "            srv.bind('\\0guru-race')\n"
        "            srv.listen(8)\n"
        "            while True:\n"
        "                c, _ = srv.accept()\n"
        "                c.sendall(b'pwned')\n"
        "        except OSError:\n"
        "            time.sleep(30)\n"
        "print('served')\n"
    )
    fetch = (
        "import socket, time\n"
        "got = b'contained'\n"
        "for _ in range(40):\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX)\n"
        "        s.connect('\\0guru-race')\n"
        "        got = s.recv(10)\n"
        "        break\n"
        "    except OSError:\n"
        "        time.sleep(0.005)\n"
        "print(got.decode())\n"
    )
    for _ in range(5):
        assert sb.run(serve).stdout == "served\n"
        assert _lingering(sb) == []
        assert sb.run(fetch).stdout == "contained\n"


CONTROL_FLOW = ["StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit"]


@pytest.mark.parametrize("exc", CONTROL_FLOW)
@pytest.mark.parametrize("mode", MODES)
def test_control_flow_exceptions_reach_the_check_wrapped(mode, exc, request):
    """Hole 7: ``raise StopIteration`` must not end ``all(map(candidate, ...))`` early and pass it."""
    sb = _sb(request, mode)
    checks = [
        "def check(candidate):\n    assert all(map(candidate, [2, 4, 8]))\n",
        "def check(candidate):\n    assert list(map(candidate, [2, 4])) == []\n",
        "def check(candidate):\n    assert not any(True for _ in map(candidate, [1]))\n",
        "def check(candidate):\n    try:\n        candidate(2)\n    except Exception:\n        return\n    assert False\n",
    ]
    code = f"def is_even(n):\n    raise {exc}\n"
    for check in checks[:3]:
        report = sb.run_tests(code, [CheckTest(check, "is_even")])
        assert not report.passed, (exc, check, report.results)
    expected = sb.run_tests(code, [CheckTest(checks[3], "is_even")])
    if exc in ("StopIteration", "StopAsyncIteration"):  # wrapped as an ordinary error a check may expect
        assert expected.passed, expected.results
    else:  # exiting or interrupting fails the check: no `except Exception` of it can swallow that
        assert not expected.passed, expected.results


@pytest.mark.parametrize("mode", MODES)
def test_symlinks_planted_in_the_area_are_never_followed(mode, request):
    """Hole 8: a test replaces the output and input directories by symlinks; the worker reads its own."""
    sb = _sb(request, mode)
    code = (
        "import os\n"
        "n = int(input())\n"
        "if n == 0:\n"
        "    os.makedirs('/x/work/fake', exist_ok=True)\n"
        "    for k in range(1, 4):\n"
        "        open(f'/x/work/fake/{k}', 'w').write('pwned\\n')\n"
        "    for d, target in (('/x/out', '/x/work/fake'), ('/x/io', '/proc/self')):\n"
        "        try:\n"
        "            os.rename(d, d + '.old')\n"
        "            os.symlink(target, d)\n"
        "        except OSError:\n"
        "            pass\n"
        "    for k in range(1, 4):\n"
        "        try:\n"
        "            os.symlink('/x/work/fake/1', f'/x/out/{k}')\n"
        "        except OSError:\n"
        "            pass\n"
        "    print(0)\n"
    )
    tests = [TestCase("0\n", "0\n")] + [TestCase(f"{k}\n", "pwned\n") for k in range(1, 4)]
    report = sb.run_tests(code, tests, limits=HOSTILE_LIMITS.replace(wall_s=8), stop_on_first_failure=False)
    assert report.results[0].ok, report.results[0]
    assert not any(r.ok for r in report.results[1:]), report.results
    assert not any("pwned" in str(r.actual) for r in report.results[1:])
    assert_clean(sb)


@pytest.mark.parametrize("mode", MODES)
def test_proc_shows_no_host_path_uid_or_cgroup(mode, request):
    """Fragile: /proc/self/cmdline showed host paths, uids and cgroup paths (config came in argv)."""
    sb = _sb(request, mode)
    worker_uids = [str(u) for w in sb._live for u in w.uids] or ["1000000000"]
    code = (
        "import os\nleaks = []\n"
        "for p in ('/proc/self/cmdline', '/proc/1/cmdline', '/proc/self/cgroup', '/proc/self/environ'):\n"
        "    try:\n        t = open(p, 'rb').read().decode('latin-1')\n    except OSError:\n        continue\n"
        f"    for word in ('/work', 'guru_envs', 'guru-sandbox', 'site-packages', *{worker_uids!r}):\n"
        "        if word in t:\n            leaks.append((p, word))\n"
        "print('pwned' if leaks else 'contained', leaks)\n"
    )
    r = sb.run(code)
    assert r.stdout.startswith("contained"), r.stdout


@pytest.mark.parametrize("mode", MODES)
def test_only_unix_sockets_can_be_made(mode, request):
    """Fragile: AF_VSOCK sockets could be created. Every family but AF_UNIX is refused now."""
    sb = _sb(request, mode)
    code = (
        "import socket\nmade = []\n"
        "for fam in (40, socket.AF_INET, socket.AF_INET6, 16, 17, 38, 42):  # vsock inet inet6 netlink packet alg qipcrtr\n"
        "    try:\n        socket.socket(fam, socket.SOCK_STREAM if fam in (40, 2, 10) else socket.SOCK_RAW).close()\n"
        "        made.append(fam)\n    except OSError:\n        pass\n"
        "a, b = socket.socketpair()\n"
        "print('pwned' if made else 'contained', made)\n"
    )
    r = sb.run(code)
    assert r.stdout.startswith("contained"), r


@pytest.mark.parametrize("mode", MODES)
def test_forged_record_fields_are_not_believed(mode, request):
    """Fragile: ``fatal``/``unsafe``/``k`` in a record the submission wrote were taken at face value."""
    sb = _sb(request, mode)
    code = (
        "import os\n"
        "def f(x):\n"
        '    for rec in (b\'{"k":1,"status":"ok","value":42,"fatal":true}\\n\',\n'
        '                b\'{"k":0,"status":"ok","value":42,"unsafe":"x"}\\n\'):\n'
        "        os.write(3, rec)\n"
        "    os._exit(0)\n"
    )
    tests = [CallTest("f", (1,), 42), CallTest("f", (2,), 43), CallTest("f", (3,), 44)]
    report = sb.run_tests(code, tests, stop_on_first_failure=False)
    assert report.n_passed == 0, report.results


@pytest.mark.parametrize("mode", MODES)
def test_the_test_init_is_out_of_reach(mode, request):
    """A test cannot signal, trace, read or write the trusted init that forks the tests (pid 1)."""
    sb = _sb(request, mode)
    code = (
        "import ctypes, os, signal\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "def f(x):\n"
        "    reached = []\n"
        "    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGSTOP, signal.SIGUSR1):\n"
        "        try:\n            os.kill(1, sig)\n        except OSError:\n            pass\n"
        "    if libc.ptrace(16, 1, 0, 0) == 0:\n        reached.append('ptrace')\n"
        "    for p in ('/proc/1/mem', '/proc/1/fd/4', '/proc/1/fd/5', '/proc/1/environ'):\n"
        "        try:\n            fd = os.open(p, os.O_RDWR if 'fd' in p else os.O_RDONLY)\n"
        "            if 'fd/4' in p:\n                os.write(fd, b'D 1 0 0\\nD 2 0 0\\n')\n"
        "            reached.append(p)\n        except OSError:\n            pass\n"
        "    return reached or x\n"
    )
    tests = [CallTest("f", (k,), k) for k in range(4)]
    report = sb.run_tests(code, tests, stop_on_first_failure=False)
    assert report.passed, report.results  # every test ran, each in its own process, and reached nothing


# The calls the filter must refuse (x86-64 numbers), each made for real through libc; ``probe()``
# returns those that were not refused with EPERM or ENOSYS. ``unshare``, ``setns`` and ``move_mount``
# are refused by each child's own part of the filter, the rest by the part every child inherits from
# the zygote (seccomp.split_programs): both must hold in every kind of sandboxed process. The last ones
# read or steer the page cache (the red team's oracle, see test_pagecache.py): ``preadv2`` and
# ``pwritev2`` only with ``RWF_NOWAIT``, ``madvise`` also with bits above the 32 the kernel reads; and
# file locks, which concurrent executions would share on the system files.
FILTER_PROBE = (
    "import ctypes, socket\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n"
    "CALLS = {'keyctl': (250, 0, -3), 'add_key': (248, 0, 0, 0, 0, -3), 'ptrace': (101, 0, 0),\n"
    "         'unshare': (272, 0x40000000), 'unshare ipc': (272, 0x08000000), 'setns': (308, 0, 0),\n"
    "         'mount': (165, 0, 0, 0, 0, 0), 'move_mount': (429, -1, 0, -100, 0, 4), 'fsopen': (430, 0, 0),\n"
    "         'clone newnet': (56, 0x40000000 | 17, 0, 0, 0, 0), 'clone3': (435, 0, 0),\n"
    "         'bpf': (321, 0, 0, 0), 'perf_event_open': (298, 0, 0, -1, -1, 0), 'userfaultfd': (323, 0),\n"
    "         'io_uring_setup': (425, 1, 0), 'process_vm_readv': (310, 1, 0, 0, 0, 0, 0),\n"
    "         'shmget': (29, 0, 4096, 0o1600), 'msgget': (68, 0, 0o1600), 'inotify_init1': (294, 0),\n"
    "         'inotify_init': (253,), 'fanotify_init': (300, 0, 0),\n"
    "         'fadvise64': (221, 0, 0, 0, 4), 'readahead': (187, 0, 0, 4096), 'cachestat': (451, 0, 0, 0, 0),\n"
    "         'mincore': (27, 0, 4096, 0), 'madvise cold': (28, 0, 4096, 20), 'madvise pageout': (28, 0, 4096, 21),\n"
    "         'madvise hugepage': (28, 0, 4096, 14), 'madvise collapse': (28, 0, 4096, 25),\n"
    "         'process_madvise': (440, -1, 0, 0, 21, 0), 'preadv2 nowait': (327, 0, 0, 0, 0, 0, 8),\n"
    "         'pwritev2 nowait': (328, 1, 0, 0, 0, 0, 9), 'io_setup': (206, 1, 0), 'io_submit': (209, 0, 0, 0),\n"
    "         'madvise collapse, high bits set': (28, 0, 4096, ctypes.c_long((1 << 32) | 25)),\n"
    "         'madvise pageout, high bits set': (28, 0, 4096, ctypes.c_long((1 << 32) | 21)),\n"
    "         'flock': (73, 0, 2), 'fcntl setlk': (72, 0, 6, 0), 'fcntl ofd setlk': (72, 0, 37, 0),\n"
    "         'pidfd_open': (434, 1, 0), 'clone pidfd': (56, 0x1000 | 17, 0, 0, 0, 0), 'setsid': (112,),\n"
    "         'memfd_create': (319, ctypes.c_char_p(b'x'), 0), 'memfd_secret': (447, 0),\n"
    "         'mmap shared anonymous': (9, 0, 4096, 3, 0x21, -1, 0),\n"
    "         'mmap shared_validate anonymous': (9, 0, 4096, 3, 0x23, -1, 0),\n"
    "         'mmap shared anonymous, high bits set': (9, 0, 4096, 3, ctypes.c_long((1 << 40) | 0x21), -1, 0)}\n"
    "def probe(*_):\n"
    "    ok = []\n"
    "    for name, args in CALLS.items():\n"
    "        rc = libc.syscall(*args)\n"
    "        if rc >= 0 or ctypes.get_errno() not in (1, 38):\n"
    "            ok.append((name, rc, ctypes.get_errno()))\n"
    "    s = socket.socket(socket.AF_UNIX)\n"
    "    for name, option in (('getsockopt', 57), ('getsockopt', 71), ('getsockopt', 77), ('setsockopt', 76)):\n"
    "        try:\n"
    "            s.getsockopt(1, option, 8) if name == 'getsockopt' else s.setsockopt(1, option, 1)\n"
    "            ok.append((name, option))\n"
    "        except OSError:\n"
    "            pass\n"
    "    s.close()\n"
    "    try:\n"
    "        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()\n"
    "        ok.append('AF_INET')\n"
    "    except OSError:\n"
    "        pass\n"
    "    return ok\n"
)


@pytest.mark.parametrize("mode", MODES)
def test_the_filter_refuses_what_the_issue_lists(mode, request):
    """In a program, in each forked test process, in a shared process, in a check's candidate process and
    in the trusted checker itself: each is a differently made child, and every one is under the whole
    filter."""
    sb = _sb(request, mode)
    if not any("seccomp" in layer for layer in sb.isolation.layers):
        pytest.skip("libseccomp unavailable: reported in isolation.errors")
    if os.uname().machine != "x86_64":
        pytest.skip("the probe uses x86-64 system call numbers")
    r = sb.run(FILTER_PROBE + "print(probe())\n")
    assert r.stdout == "[]\n", r
    tests = [CallTest("probe", (k,), []) for k in range(3)]
    report = sb.run_tests(FILTER_PROBE, tests, stop_on_first_failure=False)
    assert report.passed, report.results
    report = sb.run_tests(FILTER_PROBE, tests, shared_process=True, stop_on_first_failure=False)
    assert report.passed, report.results
    report = sb.run_tests(FILTER_PROBE, [CheckTest("def check(f):\n    assert f(1) == []\n", "probe")])
    assert report.passed, report.results
    check = FILTER_PROBE + "def check(f):\n    assert probe() == []\n    assert f(1) == []\n"
    report = sb.run_tests(FILTER_PROBE, [CheckTest(check, "probe")])
    assert report.passed, report.results


ALLOWED = r"""
import ctypes, mmap, os
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
out = []
fd = os.open("/proc/self/exe", os.O_RDONLY)
out.append(os.preadv(fd, [bytearray(4)], 0))
for flags in (os.RWF_NOWAIT, os.RWF_NOWAIT | os.RWF_HIPRI):
    try:
        os.preadv(fd, [bytearray(4)], 0, flags)
        out.append("read")
    except OSError as exc:
        out.append(exc.errno)
try:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    out.append("advised")
except OSError as exc:
    out.append(exc.errno)
m = mmap.mmap(-1, 1 << 16, flags=mmap.MAP_PRIVATE)  # (shared anonymous memory is refused)
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
for advice in (mmap.MADV_DONTNEED, mmap.MADV_RANDOM, 21, 20):  # 21: MADV_PAGEOUT, 20: MADV_COLD
    out.append(0 if libc.madvise(addr, 1 << 16, advice) == 0 else ctypes.get_errno())
print(out)
"""


def test_the_filter_refuses_page_cache_probes_and_nothing_else(sandbox):
    """``preadv2`` without ``RWF_NOWAIT`` and ordinary ``madvise`` advice still work; with it, and
    ``posix_fadvise``, ``MADV_PAGEOUT`` and ``MADV_COLD``, ``EPERM``."""
    if not any("seccomp" in layer for layer in sandbox.isolation.layers):
        pytest.skip("libseccomp unavailable: reported in isolation.errors")
    r = sandbox.run(ALLOWED)
    assert r.stdout == "[4, 1, 1, 1, 0, 0, 1, 1]\n", r


def test_isolation_reports_every_layer(sandbox):
    layers = " ".join(sandbox.isolation.layers)
    if sandbox.isolation.mode != "root":
        pytest.skip("root mode only")
    for word in ("per execution", "seccomp", "CPU cgroup", "fresh process per test"):
        assert word in layers, layers


def test_a_cpu_fallback_without_cgroups_refuses_forks():
    """Without a cgroup to count children, the filter refuses new processes, and says so."""
    with Sandbox(workers=1, cgroups=False, limits=HOSTILE_LIMITS) as sb:
        if not any("seccomp" in layer for layer in sb.isolation.layers):
            pytest.skip("needs libseccomp")
        assert any("may not fork" in e for e in sb.isolation.errors), sb.isolation.errors
        r = sb.run(
            "import os\ntry:\n    os.fork()\n    print('forked')\nexcept OSError as e:\n    print(e.errno)\n"
        )
        assert r.stdout == "11\n", r  # EAGAIN
        r = sb.run(
            "import threading\nt = threading.Thread(target=print, args=('thread',))\nt.start()\nt.join()\n"
        )
        assert r.stdout == "thread\n", r
        report = sb.run_tests("def f(x):\n    return x\n", [CallTest("f", (i,), i) for i in range(3)])
        assert report.passed, report.results
        spin = "import time\ndef f():\n    t = time.process_time()\n    while time.process_time() - t < 5:\n        pass\n"
        report = sb.run_tests(spin, [CallTest("f", (), None)], limits=Limits(cpu_s=0.5, wall_s=20))
        assert report.verdict is Verdict.TIMEOUT and report.wall_s < 10


@pytest.mark.parametrize("mode", MODES)
def test_a_shared_process_that_wrecks_its_area_fails_alone(mode, request):
    """In a shared process (the asserts of one check) nothing tidies the area between calls: a program
    that puts a directory where the worker writes the next input, or locks its own directories, only
    fails; the worker survives and the next submission runs normally."""
    sb = _sb(request, mode)
    code = (
        "import os\n"
        "def f(x):\n"
        "    for d in ('/x/io/in.d', '/x/io/in', '/x/io/in/deep'):\n"
        "        try:\n            os.unlink('/x/io/in') if d == '/x/io/in' else None\n            os.makedirs(d)\n"
        "        except OSError:\n            pass\n"
        "    for d in ('/x/out', '/x/io', '/x'):\n"
        "        try:\n            os.chmod(d, 0)\n        except OSError:\n            pass\n"
        "    return x\n"
    )
    tests = [CallTest("f", (k,), k) for k in range(3)]
    report = sb.run_tests(code, tests, shared_process=True, stop_on_first_failure=False)
    assert all(r.verdict is not Verdict.SANDBOX_ERROR for r in report.results), report.results
    if mode == "userns":  # as root it could wreck nothing (io/ and the area's root are root's)
        assert not report.passed, report.results
    assert sb.run_tests("def f(x):\n    return x\n", tests).passed
    assert_clean(sb)


# A submission looking for a socket among its descriptors: the worker's socket for mount-namespace
# references (and the zygote's) must be closed in every sandboxed process before its job runs.
SOCKET_HUNT = (
    "import os, stat\n"
    "def sockets(*_):\n"
    "    found = []\n"
    "    for name in os.listdir('/proc/self/fd'):\n"
    "        try:\n"
    "            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):\n"
    "                found.append(name)\n"
    "        except OSError:\n"
    "            pass\n"
    "    return found\n"
)


@pytest.mark.parametrize("mode", DUMP_MODES)
def test_no_sandboxed_process_holds_a_socket_of_the_worker(mode, request):
    sb = _sb(request, mode)
    assert sb.run(SOCKET_HUNT + "print(sockets())\n").stdout == "[]\n"
    tests = [CallTest("sockets", (k,), []) for k in range(3)]
    report = sb.run_tests(SOCKET_HUNT, tests, stop_on_first_failure=False)
    assert report.passed, report.results
    report = sb.run_tests(SOCKET_HUNT, [CheckTest("def check(f):\n    assert f(1) == []\n", "sockets")])
    assert report.passed, report.results


# --------------------------------------------------------------------- no test after a failed one

GATED = (
    "import os, time\n"
    "def f(x):\n"
    "    os.write(2, b'STARTED %d\\n' % x)\n"
    "    if x == 2:\n"
    "        time.sleep(5)\n"
    "    return -1 if x == 1 else x\n"
)


def test_no_test_starts_before_the_scorer_knows_the_last_one_passed(sandbox):
    """The worker used to write test k+1's input and send its "go" right after forwarding test k's
    result; with stop-on-first-failure the scorer's "abort" came after test k+1 had started (and read
    its hidden input). A scorer slow to decide (0.3 s per test here) shows it: test 2 must not start
    after test 1 failed."""
    header = {"kind": "calls", "n": 3, "shared": False, "gate": True, "fns": ["f"] * 3}
    blobs = {"code": GATED.encode(), **{f"in.{k}": codec.dumps([[k], {}]).encode() for k in range(3)}}
    verdicts = []

    def progress(h, b):
        time.sleep(0.3)
        verdicts.append(h.get("k"))
        return h.get("k") == 1  # test 1 failed: abort

    done, out, _ = sandbox._execute(header, blobs, ROOMY, progress)
    assert verdicts == [0, 1] and done.get("aborted"), done
    assert b"STARTED 2" not in out.get("inflight_stderr", b""), out
    # Through the public API: the failed test's successors are skipped and never ran.
    report = sandbox.run_tests(GATED, [CallTest("f", (k,), k) for k in range(4)], limits=ROOMY)
    assert [r.verdict.value for r in report.results] == ["ok", "wrong_answer", "skipped", "skipped"]
    assert "STARTED 2" not in report.stderr and report.wall_s < 4, report


def test_without_stop_on_first_failure_every_test_runs(sandbox):
    code = "def f(x):\n    return -1 if x == 1 else x\n"
    report = sandbox.run_tests(code, [CallTest("f", (k,), k) for k in range(4)], stop_on_first_failure=False)
    assert [r.verdict.value for r in report.results] == ["ok", "wrong_answer", "ok", "ok"]
