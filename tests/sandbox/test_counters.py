"""No counter that outlives an execution can be read by a later one (the red team's pid oracle).

The red team's program never read its input: each test moved the pid counter of the worker's pid
namespace (every fork of every execution takes a pid there) to a value that said which answers had
passed so far, and the next submission read it back through the worker's ``/proc`` (``/proc/self``,
``NSpid`` in ``/proc/self/status``, ``/proc/self/task/*/children``); with stop-on-first-failure it learned
a Code task's hidden outputs one verdict at a time. Each execution now mounts a ``/proc`` of its own pid
namespace (``subset=pid``: nothing but its own pid directories), and the filter refuses the other ways to
reach a counter the whole host shares (pidfds, whose inode numbers count every process made on the
host; socket cookies; ``setsid``, whose autogroup ids count every session). Here one execution moves
those counters by an amount of its choosing and the next one reads them by every means we know: what it
reads must not depend on what the one before it did.

The kernel's internal tmpfs numbers memfds, shared anonymous mappings, writable shared mappings of
``/dev/zero`` and System V segments from one counter of the host, as clean a channel: the filter refuses
the calls that make them and executions' ``/dev/zero`` cannot be mapped, and the scorer itself reads
that counter around an execution that tries to move it.
"""

from __future__ import annotations

import json
import os

import pytest

from guru_envs.sandbox import CallTest, Sandbox
from tests.sandbox.conftest import HOSTILE_LIMITS

MODES = ["root", "userns"]
ROOMY = HOSTILE_LIMITS.replace(cpu_s=5, wall_s=10)

# Moves every counter it can reach, n steps each: pids (forks), sessions (setsid), socket cookies.
WRITE = r"""
import os, socket
n = int(input())
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.getsockopt(socket.SOL_SOCKET, 57, 8)  # SO_COOKIE
    except OSError:
        pass
    s.close()
print("written")
"""

# Everything through which the worker's pid counter (or another counter of the host) showed.
READ = r"""
import json, os, socket, struct

def text(path):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError as exc:
        return f"error {exc.errno}"

def ids(path):
    lines = text(path).splitlines()
    return [l for l in lines if l.split(":")[0] in ("Pid", "PPid", "Tgid", "NStgid", "NSpid", "NSpgid", "NSsid")]

def attempt(fn):
    try:
        return fn()
    except OSError as exc:
        return f"error {exc.errno}"

out = {"getpid": os.getpid(), "getppid": os.getppid(), "self": os.readlink("/proc/self")}
out["thread-self"] = os.readlink("/proc/thread-self")
out["status"] = ids("/proc/self/status")
stat = text("/proc/self/stat")
out["stat"] = stat[stat.rindex(")") + 2 :].split()[:5]
out["stat pid"] = stat.split()[0]
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
child = os.fork()
if child == 0:
    seen = {"self": os.readlink("/proc/self"), "status": ids("/proc/self/status")}
    seen["autogroup after setsid"] = attempt(lambda: (os.setsid(), text("/proc/self/autogroup"))[1])
    os.write(ready_w, json.dumps(seen).encode())
    os.read(go_r, 1)
    os._exit(0)
out["child"] = child
out["child saw"] = json.loads(os.read(ready_r, 1 << 16))
out["children"] = {t: text(f"/proc/self/task/{t}/children") for t in os.listdir("/proc/self/task")}
out["child status"] = ids(f"/proc/{child}/status")
out["child pidfd"] = attempt(lambda: os.fstat(os.pidfd_open(child)).st_ino)
os.write(go_w, b"x")
os.waitpid(child, 0)
out["own pidfd"] = attempt(lambda: os.fstat(os.pidfd_open(os.getpid())).st_ino)
for path in ("/proc/loadavg", "/proc/stat", "/proc/vmstat", "/proc/sys/kernel/ns_last_pid",
             "/proc/sys/kernel/pid_max", "/proc/sched_debug"):
    out[path] = text(path)
a, b = socket.socketpair()
out["peercred"] = struct.unpack("3i", a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
for name, option in (("cookie", 57), ("netns cookie", 71), ("peer pidfd", 77)):
    out[name] = attempt(lambda: a.getsockopt(socket.SOL_SOCKET, option, 8))
out["pass pidfd"] = attempt(lambda: a.setsockopt(socket.SOL_SOCKET, 76, 1))
print(json.dumps(out, sort_keys=True, default=str))
"""


PID_READERS = ("self", "thread-self", "status", "stat pid", "child", "child saw", "children", "child status")


@pytest.fixture(scope="module")
def one_worker():
    """Root mode with one worker, so that every execution of a test runs in the same worker."""
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=1)
    yield sb
    sb.close()


def _sb(request, mode: str) -> Sandbox:
    return request.getfixturevalue({"root": "one_worker", "userns": "userns_sandbox"}[mode])


@pytest.mark.parametrize("mode", MODES)
def test_what_one_execution_writes_in_a_counter_the_next_cannot_read(mode, request):
    """The next execution reads the same whatever the one before it wrote (3 or 29 steps, twice)."""
    sb = _sb(request, mode)
    seen = []
    for n in (3, 29, 3, 29):
        wrote = sb.run(WRITE, stdin=f"{n}\n", limits=ROOMY)
        assert wrote.stdout == "written\n", wrote
        read = sb.run(READ, limits=ROOMY)
        assert read.ok, read
        seen.append(json.loads(read.stdout))
    # The worker's pid counter first (what the red team read), then everything else.
    pids = [{k: s[k] for k in PID_READERS} for s in seen]
    assert all(p == pids[0] for p in pids), pids
    assert all(s == seen[0] for s in seen), seen
    first = seen[0]
    # ... and reads only execution-local pids, or nothing.
    assert first["self"] == first["stat pid"] == "1" and first["thread-self"] == "1/task/1", first
    assert first["status"] == [
        "Tgid:\t1",
        "Pid:\t1",
        "PPid:\t0",
        "NStgid:\t1",
        "NSpid:\t1",
        "NSpgid:\t1",
        "NSsid:\t1",
    ]
    assert first["child"] == 2 and first["child saw"]["self"] == "2", first
    assert first["children"] == {"1": "2 "}, first
    assert "NSpid:\t2" in first["child status"] and first["peercred"] == 1, first
    assert first["child saw"]["autogroup after setsid"] == "error 1", first  # EPERM
    for key in ("child pidfd", "own pidfd"):
        assert first[key] == "error 1", first
    for key in ("cookie", "netns cookie", "peer pidfd", "pass pidfd"):
        assert first[key] == "error 92", first  # ENOPROTOOPT
    for path in ("/proc/loadavg", "/proc/stat", "/proc/vmstat", "/proc/sys/kernel/ns_last_pid"):
        assert first[path] == "error 2", first  # ENOENT: no host-wide file in an execution's /proc


PROC_VIEW = r"""
import os

def ns_pids(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("NSpid:"):
            return line.split()[1:]

def view(*_):
    names = os.listdir("/proc")
    pids = sorted(int(p) for p in names if p.isdigit())
    me = os.getpid()
    return {
        "self": int(os.readlink("/proc/self")) == me,
        "levels": sorted({len(ns_pids(p)) for p in pids if os.path.exists(f"/proc/{p}/status")}),
        "local": all(ns_pids(p) == [str(p)] for p in pids if os.path.exists(f"/proc/{p}/status")),
        "few": len(pids) <= 4 and max(pids) <= 64,
        "other": sorted(p for p in names if not p.isdigit()),
    }
"""
EXPECTED_VIEW = {"self": True, "levels": [1], "local": True, "few": True, "other": ["self", "thread-self"]}


@pytest.mark.parametrize("mode", MODES)
def test_proc_shows_only_the_executions_own_pids(mode, request):
    """In a program, in each forked test and in a shared process: /proc is the execution's own."""
    sb = _sb(request, mode)
    r = sb.run(PROC_VIEW + "print(view())\n")
    assert r.stdout == f"{EXPECTED_VIEW}\n", r
    tests = [CallTest("view", (k,), EXPECTED_VIEW) for k in range(3)]
    for shared in (False, True):
        report = sb.run_tests(PROC_VIEW, tests, shared_process=shared)
        assert report.passed, report.results
    assert any("its own /proc" in layer for layer in sb.isolation.layers), sb.isolation.layers


def test_without_a_procfs_an_execution_sees_no_proc_at_all():
    """The fallback where no procfs can be mounted for an execution: no /proc, said in the errors."""
    with Sandbox(limits=HOSTILE_LIMITS, workers=1) as sb:
        sb._extra_config = {"exec_proc": "hide"}
        assert any("no /proc at all" in e for e in sb.isolation.errors), sb.isolation.errors
        r = sb.run("import os\nprint(os.listdir('/proc'), os.getpid())\n")
        assert r.stdout == "[] 1\n", r
        report = sb.run_tests("def f(x):\n    return x\n", [CallTest("f", (i,), i) for i in range(3)])
        assert report.passed, report.results
        assert os.getpid() > 1  # (the scorer's own view is untouched)


# The kernel's internal tmpfs numbers its inodes from one counter of the whole host, in per-CPU batches of
# 1,024; memfds, shared anonymous mappings (mmap.mmap(-1, n)'s default), writable shared mappings of
# /dev/zero and System V segments each take the next one, which fstat and /proc/self/maps show. Before
# they were refused, 200 memfds made by one execution read as exactly +200 in the next one on the same
# CPU. SHMEM_WRITE makes n of each, by every spelling (the flags' high bits, MAP_SHARED_VALIDATE, a
# read-only or writable /dev/zero), on the CPU it is given, and says how each was answered; SHMEM_READ
# reads the counter by every means, and the execution's own tmpfs (/tmp, /dev/shm), whose numbers must be
# its own. Both follow SHMEM_COMMON.
SHMEM_COMMON = r"""
import ctypes, json, mmap, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_long, ctypes.c_int, ctypes.c_long]
FAILED = ctypes.c_void_p(-1).value

def maps_ino(addr):
    for line in open("/proc/self/maps"):
        if int(line.split("-")[0], 16) == addr:
            return int(line.split()[4])

def mapped(flags, fd=-1, prot=mmap.PROT_READ | mmap.PROT_WRITE):
    addr = libc.mmap(None, 4096, prot, flags, fd, 0)
    if addr in (None, FAILED):
        raise OSError(ctypes.get_errno(), "mmap")
    return maps_ino(addr)

def inode(fd):
    try:
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)

def called(*args):
    rc = libc.syscall(*args)
    if rc < 0:
        raise OSError(ctypes.get_errno(), "syscall")
    return inode(rc)

def segment():
    shmid = libc.syscall(29, 0, 4096, 0o1600)  # shmget(IPC_PRIVATE, ...)
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    return shmid

def zero(flags, mode, prot=mmap.PROT_READ):
    def make():
        fd = os.open("/dev/zero", mode)
        try:
            return mapped(flags, fd, prot)
        finally:
            os.close(fd)
    return make

MAKERS = {
    "memfd_create": lambda: inode(os.memfd_create("x")),
    "memfd_secret": lambda: called(447, 0),
    "mmap shared anonymous": lambda: mapped(mmap.MAP_SHARED | mmap.MAP_ANONYMOUS),
    "mmap shared anonymous, high bits": lambda: mapped((1 << 40) | mmap.MAP_SHARED | mmap.MAP_ANONYMOUS),
    "mmap shared_validate anonymous": lambda: mapped(0x03 | mmap.MAP_ANONYMOUS),
    "mmap shared anonymous, read-only": lambda: mapped(mmap.MAP_SHARED | mmap.MAP_ANONYMOUS, prot=mmap.PROT_READ),
    "python mmap(-1, n)": lambda: len(mmap.mmap(-1, 4096)),
    "/dev/zero shared, writable": zero(mmap.MAP_SHARED, os.O_RDWR, mmap.PROT_READ | mmap.PROT_WRITE),
    "/dev/zero shared, read-only": zero(mmap.MAP_SHARED, os.O_RDONLY),
    "/dev/zero private": zero(mmap.MAP_PRIVATE, os.O_RDWR),
    "shmget": segment,
}

def attempt(fn):
    try:
        return fn()
    except OSError as exc:
        return f"error {exc.errno}"
"""

SHMEM_WRITE = r"""
cpu, n = map(int, input().split())
os.sched_setaffinity(0, {cpu})
answers = {}
for name, make in MAKERS.items():
    answers[name] = sorted({str(attempt(make)) for _ in range(n)})
for where in ("/tmp", "/dev/shm"):
    for i in range(n):
        os.close(os.open(f"{where}/f{i}", os.O_CREAT | os.O_WRONLY))
print(json.dumps(answers, sort_keys=True))
"""

SHMEM_READ = r"""
cpu = int(input())
os.sched_setaffinity(0, {cpu})
out = {name: attempt(make) for name, make in MAKERS.items()}
for where in ("/tmp", "/dev/shm"):
    out[where] = os.fstat(os.open(where, os.O_TMPFILE | os.O_RDWR)).st_ino
    with open(f"{where}/mine", "w") as fh:
        out[where + " file"] = os.fstat(fh.fileno()).st_ino
out["zeros"] = open("/dev/zero", "rb").read(4).hex()
out["shared mappings"] = [line.split()[3:] for line in open("/proc/self/maps") if line.split()[1][3] == "s"]
print(json.dumps(out, sort_keys=True))
"""

REFUSED = {
    "memfd_create": "error 38",  # ENOSYS: as on a kernel without it, so that libraries fall back
    "memfd_secret": "error 38",
    "mmap shared anonymous": "error 1",  # EPERM
    "mmap shared anonymous, high bits": "error 1",
    "mmap shared_validate anonymous": "error 1",
    "mmap shared anonymous, read-only": "error 1",
    "python mmap(-1, n)": "error 1",
    "/dev/zero shared, writable": "error 19",  # ENODEV: the executions' /dev/zero is the host's /dev/full
    "/dev/zero shared, read-only": "error 19",
    "/dev/zero private": "error 19",
    "shmget": "error 1",
}


def _internal_tmpfs_ino() -> int:
    """The next inode number of the kernel's internal tmpfs on this CPU, as the host sees it."""
    fd = os.memfd_create("probe")
    try:
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


@pytest.mark.parametrize("mode", MODES)
def test_the_internal_tmpfs_inode_numbers_carry_nothing(mode, request):
    """No execution can make an object of the kernel's internal tmpfs, and so none can move its counter
    or read it: memfds, shared anonymous mappings and System V segments are refused, and /dev/zero
    cannot be mapped. The host, reading the counter on the writer's CPU around a writer that tried 300
    of each, sees it move by the noise of the machine, not by 300 (it did by exactly 300 before); the
    next execution reads the same whatever the one before it tried, and its /tmp and /dev/shm number
    their inodes from 1 again (a tmpfs mounted per execution counts on its own)."""
    sb = _sb(request, mode)
    if not any("seccomp" in layer for layer in sb.isolation.layers):
        pytest.skip("libseccomp unavailable: reported in isolation.errors")
    if os.uname().machine != "x86_64":
        pytest.skip("the writer uses x86-64 system call numbers")
    cpu = min(os.sched_getaffinity(0))
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        reads, moved, answers = [], [], []
        for n in (3, 300, 3, 300):
            before = _internal_tmpfs_ino()
            wrote = sb.run(SHMEM_COMMON + SHMEM_WRITE, stdin=f"{cpu} {n}\n", limits=ROOMY)
            moved.append(_internal_tmpfs_ino() - before)
            assert wrote.ok, wrote
            answers.append(json.loads(wrote.stdout))
            read = sb.run(SHMEM_COMMON + SHMEM_READ, stdin=f"{cpu}\n", limits=ROOMY)
            assert read.ok, read
            reads.append(json.loads(read.stdout))
    finally:
        os.sched_setaffinity(0, affinity)
    assert all(m < 100 for m in moved), moved  # +300 (or more) where any maker got through
    assert all(r == reads[0] for r in reads), reads
    assert all(a == {k: [v] for k, v in REFUSED.items()} for a in answers), answers
    first = reads[0]
    assert {k: first[k] for k in REFUSED} == REFUSED, first
    assert first["zeros"] == "00000000" and first["shared mappings"] == [], first
    assert first["/tmp"] < 64 and first["/dev/shm"] < 64, first  # the execution's own tmpfs: its own count


SHARING = r"""
import concurrent.futures as cf, ctypes, mmap, multiprocessing as mp, subprocess, sys, tempfile
from multiprocessing import shared_memory, sharedctypes

def square(x):
    return x * x

def bump(v, a, q):
    with v.get_lock():
        v.value += 1
    a[0] += 1
    q.put("hi")

def run(*_):
    out = {}
    with mp.Pool(2) as pool:
        out["pool"] = pool.map(square, range(4))
    v, a, q = mp.Value("i", 0), mp.Array("d", 2), mp.Queue()
    procs = [mp.Process(target=bump, args=(v, a, q)) for _ in range(2)]
    for p in procs:
        p.start()
    out["queue"] = [q.get(timeout=20) for _ in procs]
    for p in procs:
        p.join()
    out["value"] = [v.value, a[0]]
    raw = sharedctypes.RawArray(ctypes.c_int, 3)
    raw[1] = 7
    out["raw"] = list(raw)
    shm = shared_memory.SharedMemory(create=True, size=64)
    shm.buf[0] = 9
    out["shared_memory"] = shm.buf[0]
    shm.close()
    shm.unlink()
    with cf.ProcessPoolExecutor(2) as ex:
        out["executor"] = list(ex.map(square, range(3)))
    cmd = [sys.executable, "-c", "print(6 * 7)"]
    out["subprocess"] = subprocess.run(cmd, capture_output=True, text=True).stdout
    out["ctypes callback"] = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)(41)
    with tempfile.TemporaryFile() as fh:
        fh.truncate(4096)
        m = mmap.mmap(fh.fileno(), 4096)
        m[:2] = b"ok"
        out["file mmap"] = m[:2].decode()
    out["private mmap"] = len(mmap.mmap(-1, 1 << 16, flags=mmap.MAP_PRIVATE))
    return out
"""
SHARED = {
    "pool": [0, 1, 4, 9],
    "queue": ["hi", "hi"],
    "value": [2, 2.0],
    "raw": [0, 7, 0],
    "shared_memory": 9,
    "executor": [0, 1, 4],
    "subprocess": "42\n",
    "ctypes callback": 42,
    "file mmap": "ok",
    "private mmap": 1 << 16,
}


@pytest.mark.parametrize("mode", MODES)
def test_programs_still_share_memory_through_files(mode, request):
    """multiprocessing (Pool, Value, Array, Queue, sharedctypes, shared_memory), ProcessPoolExecutor,
    subprocess, ctypes callbacks and mmap of a file keep working: they share memory through files of
    /dev/shm and /tmp (the execution's own tmpfs), not through memfds or shared anonymous mappings."""
    sb = _sb(request, mode)
    limits = ROOMY.replace(cpu_s=20, wall_s=60, memory_mb=1024, max_processes=64)
    r = sb.run(SHARING + "print(run())\n", limits=limits)
    assert r.stdout == f"{SHARED}\n", r
    report = sb.run_tests(SHARING, [CallTest("run", (0,), SHARED)], limits=limits)
    assert report.passed, report.results
