"""The page cache carries nothing from one execution to the next (the red team's oracle).

The red team's program kept bits in the host's page cache through the read-only system files every
execution sees: it set a bit by reading a page of a large library and cleared it with
``posix_fadvise(POSIX_FADV_DONTNEED)``; a later execution read the bits back with ``preadv2`` and
``RWF_NOWAIT`` (``EAGAIN`` exactly when the page is not cached), and learned a Code task's hidden outputs
one verdict at a time. Here one execution writes a pattern that way and later executions try to read it
by every means named in the report: ``RWF_NOWAIT``, ``cachestat``, ``mincore`` and ``/proc/self/pagemap``
after fault-around, and major page faults. Each is refused (the seccomp filter) or reads the same
whatever was written (the system files are a tmpfs copy, whose pages are always resident), with the
filter and without it. (The filter's refusals themselves: ``test_integrity.py``.)
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import pytest

from guru_envs.sandbox import CallTest, Sandbox, image
from tests.sandbox.conftest import HOSTILE_LIMITS

ROOMY = HOSTILE_LIMITS.replace(cpu_s=5, wall_s=10)
PATTERN = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0]
METHODS = ["cachestat", "mincore", "pagemap", "nowait", "faults"]

# Bit i lives in page 16 * i + 8 of the largest library the program can see and has not mapped: one
# bit per fault-around window (64 KiB), so that touching the window's first page maps the bit's page
# exactly when it is cached.
PROGRAM = (
    f"PATTERN = {PATTERN!r}\n"
    + r"""
import ctypes, json, mmap, os, resource, sys
PAGE, STRIDE = 4096, 16
NEED = (len(PATTERN) * STRIDE + 1) * PAGE
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long

def pick():
    maps = open("/proc/self/maps").read()
    best = (0, None)
    dirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
            sys.prefix + "/lib"]
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for name in names:
            path = os.path.join(d, name)
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if os.path.isfile(path) and size >= NEED and name not in maps and size > best[0]:
                best = (size, path)
    return best[1]

def page(i):
    return STRIDE * i + STRIDE // 2

def write(fd):
    for advice in (os.POSIX_FADV_DONTNEED, os.POSIX_FADV_RANDOM):
        try:
            os.posix_fadvise(fd, 0, 0, advice)
        except OSError:
            pass
    for i, bit in enumerate(PATTERN):
        if bit:
            os.pread(fd, 1, page(i) * PAGE)
    return "written"

def mapping(fd):
    base = libc.mmap(None, NEED, mmap.PROT_READ, mmap.MAP_PRIVATE, fd, 0)
    libc.madvise(base, NEED, mmap.MADV_RANDOM)  # no read-around: a fault reads only its own page
    return base

def touch(base, n):
    return ctypes.c_char.from_address(base + n * PAGE).value

def cachestat(fd):
    class Range(ctypes.Structure):
        _fields_ = [("off", ctypes.c_uint64), ("len", ctypes.c_uint64)]
    stats = (ctypes.c_uint64 * 5)()
    bits = []
    for i in range(len(PATTERN)):
        r = Range(page(i) * PAGE, PAGE)
        if libc.syscall(451, fd, ctypes.byref(r), stats, 0) != 0:
            return "refused %d" % ctypes.get_errno()
        bits.append(int(stats[0]))
    return bits

def mincore(fd):
    base = mapping(fd)
    for i in range(len(PATTERN)):
        touch(base, STRIDE * i)
    vec = (ctypes.c_ubyte * (NEED // PAGE))()
    if libc.mincore(base, NEED, vec) != 0:
        return "refused %d" % ctypes.get_errno()
    return [vec[page(i)] & 1 for i in range(len(PATTERN))]

def pagemap(fd):
    base = mapping(fd)
    bits = []
    with open("/proc/self/pagemap", "rb") as pm:
        for i in range(len(PATTERN)):
            touch(base, STRIDE * i)
            pm.seek((base // PAGE + page(i)) * 8)
            bits.append(int.from_bytes(pm.read(8), "little") >> 63)
    return bits

def nowait(fd):
    bits = []
    for i in range(len(PATTERN)):
        try:
            os.preadv(fd, [bytearray(1)], page(i) * PAGE, os.RWF_NOWAIT)
            bits.append(1)
        except BlockingIOError:
            bits.append(0)
        except OSError as exc:
            return "refused %d" % exc.errno
    return bits

def faults(fd):
    base = mapping(fd)
    bits = []
    for i in range(len(PATTERN)):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
        touch(base, page(i))
        bits.append(int(resource.getrusage(resource.RUSAGE_SELF).ru_majflt == before))
    return bits

path = pick()
fd = os.open(path, os.O_RDONLY)
print(json.dumps([path, globals()[sys.argv[1]](fd)]))
"""
)


def _read_back(sb: Sandbox, method: str, pattern: list[int]) -> object:
    """What ``method`` reads in one execution after another wrote ``pattern``."""
    bits = "".join(map(str, pattern))
    written = sb.run(PROGRAM, argv=["write", bits], limits=ROOMY)
    assert written.ok, written
    path, _ = json.loads(written.stdout)
    time.sleep(0.05)  # any read the writer started has finished
    r = sb.run(PROGRAM, argv=[method, bits], limits=ROOMY)
    assert r.ok, r
    seen_path, seen = json.loads(r.stdout)
    assert seen_path == path
    return seen


def _assert_nothing_carried(sb: Sandbox, method: str) -> object:
    """A pattern and its complement, each written by one execution, read the same in the next one."""
    complement = [1 - b for b in PATTERN]
    first, second = _read_back(sb, method, PATTERN), _read_back(sb, method, complement)
    assert first != PATTERN and second != complement, f"{method} read back what another execution wrote"
    assert first == second, f"{method} sees page-cache state another execution set: {first} vs {second}"
    return first


@pytest.mark.parametrize("method", METHODS)
def test_no_page_cache_bit_reaches_a_later_execution(sandbox, method):
    if not sandbox.isolation.namespaces:
        pytest.skip("needs namespaces")
    seen = _assert_nothing_carried(sandbox, method)
    if method in ("mincore", "nowait") and any("seccomp" in layer for layer in sandbox.isolation.layers):
        assert seen == "refused 1", seen  # EPERM from the filter (cachestat: the kernel's own check too)


@pytest.fixture(scope="module")
def unfiltered_sandbox():
    """No seccomp filter: the tmpfs copy of the system files must hold on its own."""
    sb = Sandbox(limits=HOSTILE_LIMITS, workers=1, seccomp_filter=False)
    yield sb
    sb.close()


@pytest.mark.parametrize("method", METHODS)
def test_without_the_filter_no_probe_sees_another_execution(unfiltered_sandbox, method):
    """Where nothing refuses the calls, what they see of the tmpfs copy does not depend on what an
    earlier execution did (on these kernels ``cachestat`` is refused to a file's non-owners anyway,
    and a tmpfs does not take ``RWF_NOWAIT``)."""
    if not unfiltered_sandbox.isolation.namespaces:
        pytest.skip("needs namespaces")
    seen = _assert_nothing_carried(unfiltered_sandbox, method)
    if method in ("mincore", "pagemap", "faults"):
        assert isinstance(seen, list), seen  # nothing refused it: it really looked


@pytest.mark.parametrize("mode", ["root", "userns"])
def test_the_page_cache_carries_nothing_in_userns_mode_either(mode, request):
    sb = request.getfixturevalue({"root": "sandbox", "userns": "userns_sandbox"}[mode])
    for method in ("nowait", "pagemap", "faults"):
        _assert_nothing_carried(sb, method)


MAPS = r"""
import json

def system_mounts():
    tmpfs, mounts = set(), []
    for line in open("/proc/self/mountinfo"):
        left, _, right = line.partition(" - ")
        fields = left.split()
        if right.split()[0] == "tmpfs":
            major, minor = fields[2].split(":")
            tmpfs.add((int(major), int(minor)))
        if fields[4] in ("/usr", "/lib", "/lib64", "/bin", "/root"):
            mounts.append([fields[4], right.split()[0]])
    return tmpfs, mounts

def host_files(*_):
    tmpfs, _ = system_mounts()
    found = []
    for line in open("/proc/self/maps"):
        parts = line.split()
        if len(parts) >= 6 and parts[4] != "0":
            major, minor = (int(x, 16) for x in parts[3].split(":"))
            if (major, minor) not in tmpfs:
                found.append(parts[5])
    return found
"""


@pytest.mark.parametrize("mode", ["root", "userns"])
def test_every_system_file_and_mapping_is_on_a_tmpfs(mode, request):
    """The image is bound in place of the host's directories, and the worker re-executed its interpreter
    from it: no sandboxed process maps a host file (its pages would be the host's page cache)."""
    sb = request.getfixturevalue({"root": "sandbox", "userns": "userns_sandbox"}[mode])
    assert any("tmpfs" in layer for layer in sb.isolation.layers), sb.isolation
    code = (
        MAPS
        + "import ssl, sqlite3, ctypes, hashlib, zlib\nprint(json.dumps([system_mounts()[1], host_files()]))\n"
    )
    r = sb.run(code)
    assert r.ok, r
    mounts, found = json.loads(r.stdout)
    assert found == [], found
    assert mounts and all(kind == "tmpfs" for _, kind in mounts), mounts
    report = sb.run_tests(
        MAPS, [CallTest("host_files", (k,), []) for k in range(2)], stop_on_first_failure=False
    )
    assert report.passed, report.results


def test_without_a_tmpfs_the_host_files_are_bound_and_reported(monkeypatch):
    monkeypatch.setattr(image, "CANDIDATES", ("/nonexistent-guru-tmpfs",))
    image._ensure.cache_clear()
    try:
        with Sandbox(workers=1, limits=HOSTILE_LIMITS) as sb:
            if not sb.isolation.namespaces:
                pytest.skip("needs namespaces")
            assert any("no tmpfs copy of the system files" in e for e in sb.isolation.errors), sb.isolation
            assert not any("tmpfs" in layer for layer in sb.isolation.layers)
            r = sb.run("import json, sqlite3\nprint(json.dumps([1]))\n")
            assert r.stdout == "[1]\n", r
    finally:
        monkeypatch.undo()
        image._ensure.cache_clear()


def test_the_image_is_made_once_and_shared(sandbox):
    """A second process finds the image the first one made (no copy), and its files are read-only and
    world-readable, under directories only the scorer can write."""
    if not sandbox.isolation.namespaces:
        pytest.skip("needs namespaces")
    where, why = image.ensure(sandbox._python, os.geteuid() != 0)
    assert where is not None, why
    top = os.path.dirname(where)
    st = os.stat(top)
    assert st.st_uid == os.geteuid() and st.st_mode & 0o777 == 0o755
    for here, dirs, files in os.walk(where):
        for name in dirs + files:
            st = os.lstat(os.path.join(here, name))
            if stat.S_ISDIR(st.st_mode):
                assert st.st_mode & 0o777 == 0o755 and st.st_uid == os.geteuid(), (here, name)
            elif stat.S_ISREG(st.st_mode):
                assert st.st_mode & 0o222 == 0 and st.st_mode & 0o444 == 0o444, (here, name, oct(st.st_mode))
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, time; from guru_envs.sandbox import image; t = time.perf_counter();"
            f" print(image.ensure({sandbox._python!r}, {os.geteuid() != 0})[0], time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found[0] == where
    assert float(found[1]) < 1.0  # found and checked, not copied


def test_a_squatted_image_name_gets_a_lasting_name_of_our_own(monkeypatch, sandbox):
    """Another user can plant the image's (predictable) name: the scorer must then keep its copy under a
    name of its own that later processes find, never under a temporary name that another scorer's
    clean-up of dead builders would delete while workers still bind it."""
    if not image._candidates(os.geteuid() != 0):
        pytest.skip("no usable tmpfs")
    base = tempfile.mkdtemp(prefix="guru-squat-", dir=image._candidates(os.geteuid() != 0)[0])
    monkeypatch.setattr(image, "CANDIDATES", (base,))
    image._ensure.cache_clear()
    try:
        first, why = image.ensure(sandbox._python, os.geteuid() != 0)
        assert first is not None, why
        final = os.path.dirname(first)
        shutil.rmtree(final)
        os.mkdir(final)  # planted, and not empty (rename() replaces an empty directory)
        with open(os.path.join(final, "manifest.json"), "w") as fh:
            fh.write("{}")
        os.chmod(final, 0o777)  # not ours to trust (a foreign owner is refused the same way)
        image._ensure.cache_clear()
        second, why = image.ensure(sandbox._python, os.geteuid() != 0)
        assert second is not None, why
        top = os.path.dirname(second)
        assert top.startswith(final + "-") and not os.path.basename(top).startswith("."), top
        assert os.path.isfile(os.path.join(second, sandbox._python.lstrip("/"))) or os.listdir(second)
        image._ensure.cache_clear()
        assert image.ensure(sandbox._python, os.geteuid() != 0)[0] == second  # found again, not rebuilt
    finally:
        monkeypatch.undo()
        image._ensure.cache_clear()
        shutil.rmtree(base, ignore_errors=True)
