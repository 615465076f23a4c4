"""Isolation layers as reported and as observed from inside, per mode, and the weaker fallback."""

from __future__ import annotations

import ast
import glob
import os
import signal
import tempfile
import time

import pytest

import guru_envs.sandbox as sandbox_pkg
from guru_envs.sandbox import CallTest, CheckTest, Limits, Sandbox, Verdict
from tests.sandbox.conftest import _children, _descendants, assert_clean

PROBE = (
    "import os, socket\n"
    "print(os.getpid(), os.getppid(), os.geteuid())\n"
    "print(sorted(os.listdir('/')))\n"
    "print(sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
    "print([l.split(':')[0].strip() for l in open('/proc/self/net/dev').read().splitlines()[2:]])\n"
)


def test_root_mode_layers(sandbox):
    info = sandbox.isolation
    if os.geteuid() != 0:
        pytest.skip("root mode needs root")
    assert info.mode == "root" and info.namespaces
    assert any("namespaces" in layer for layer in info.layers)
    assert any(layer.startswith("unprivileged uid") for layer in info.layers)
    lines = sandbox.run(PROBE).stdout.splitlines()
    pid, ppid, euid = map(int, lines[0].split())
    assert (pid, ppid) == (1, 0)  # the init of a pid namespace of its own
    assert euid >= 1_000_000_000  # the worker's own unprivileged uid
    assert ast.literal_eval(lines[1]) == sorted(
        ["bin", "dev", "etc", "lib", "lib64", "proc", "root", "sbin", "tmp", "usr", "var", "x"]
    )
    assert len(ast.literal_eval(lines[2])) == 1  # hidepid: only itself is visible, not even the worker
    assert ast.literal_eval(lines[3]) == ["lo"]  # no network devices but a downed loopback


def test_workers_have_distinct_uids(sandbox):
    sandbox.warm_up()
    uids = [w.uids for w in sandbox._live]
    assert len({u for pair in uids for u in pair}) == 2 * len(uids)


def test_worker_cgroups_exist_and_are_removed():
    sb = Sandbox(workers=1, limits=Limits(max_processes=10))
    sb.run("pass")
    (worker,) = sb._live
    dirs = dict(worker.cgroups.dirs) if worker.cgroups else {}
    if not dirs:
        sb.close()
        pytest.skip("no writable cgroups on this machine")
    if "pids" in dirs:
        assert open(os.path.join(dirs["pids"], "pids.max")).read().strip() == "36"
    sb.close()
    assert not any(os.path.exists(d) for d in dirs.values())


def test_userns_mode_observed_from_inside(userns_sandbox):
    info = userns_sandbox.isolation
    assert info.mode == "userns" and "capabilities dropped" in info.layers
    out = userns_sandbox.run(
        PROBE + "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
    )
    lines = out.stdout.splitlines()
    assert lines[0].split()[:2] == ["1", "0"]
    assert lines[-1] == "0000000000000000"  # no capability at all, even as uid 0 of the namespace
    assert ast.literal_eval(lines[3]) == ["lo"]


def test_readonly_paths(tmp_path):
    data = tmp_path / "table.txt"
    data.write_text("42\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helper.py").write_text("VALUE = 7\n")
    with pytest.raises(ValueError):
        Sandbox(readonly_paths=[(str(data), "/tmp/x")])
    with pytest.raises(ValueError):
        Sandbox(readonly_paths=[str(tmp_path / "missing")])
    spec = [(str(data), "/data/table.txt"), (str(tmp_path / "lib"), "/opt/lib")]
    with Sandbox(workers=1, readonly_paths=spec) as sb:
        if not sb.isolation.namespaces:
            pytest.skip("needs namespaces")
        code = (
            "import sys\nsys.path.append('/opt/lib')\nimport helper\n"
            "print(open('/data/table.txt').read().strip(), helper.VALUE)\nopen('/data/table.txt', 'w')\n"
        )
        r = sb.run(code)
        assert r.stdout == "42 7\n" and "Read-only file system" in r.stderr, r


def test_execution_areas_are_private_and_fresh(sandbox):
    """Each execution sees only its own /x; a file left by one is gone for the next, and /x is not
    mounted in the worker's own namespace (it lives in the child's mount namespace)."""
    code = (
        "import os\n"
        "print(sorted(os.listdir('/x')), sorted(os.listdir('.')), open('/proc/self/mountinfo').read().count(' /x '))\n"
        "open('left.txt', 'w').write('x')\nopen('/tmp/left.txt', 'w').write('x')\n"
    )
    for _ in range(3):
        r = sandbox.run(code)
        assert r.ok, r.stderr
        assert r.stdout == "['io', 'out', 'shm', 'tmp', 'work'] [] 1\n"


PEEK = (
    "import os\n"
    "me = os.readlink('/proc/self')\n"
    "seen, reached = [], []\n"
    "for p in os.listdir('/proc'):\n"
    "    if p.isdigit() and p != me:\n"
    "        seen.append(p)\n"
    "        for what in ('root/x', 'mem', 'environ'):\n"
    "            try:\n"
    "                open(f'/proc/{p}/{what}', 'rb').close() if what != 'root/x' else os.listdir(f'/proc/{p}/root/x')\n"
    "                reached.append((p, what))\n"
    "            except OSError:\n"
    "                pass\n"
    "print(len(seen), reached)\n"
)


@pytest.mark.parametrize("mode", ["root", "userns"])
def test_a_submission_cannot_reach_the_worker_or_the_waiting_spares(mode, sandbox, request):
    """Spares for later jobs exist while a submission runs; it must not see or touch them."""
    sb = sandbox if mode == "root" else request.getfixturevalue("userns_sandbox")
    for _ in range(3):  # spares for the next jobs are forked while these run
        r = sb.run(PEEK)
        assert r.ok, r.stderr
        assert r.stdout.rstrip().endswith("[]"), r.stdout


def test_a_worker_whose_zygote_died_is_replaced():
    """If the zygote is killed (say by the OOM killer), the worker notices when it next asks for a
    child: that job fails as a sandbox error, never a pass, and the worker is replaced. Jobs that
    take a spare forked before the kill may still run normally until then."""
    sb = Sandbox(workers=1, limits=Limits(cpu_s=2, wall_s=10))
    try:
        if not sb.isolation.namespaces:
            pytest.skip("the zygote exists only in the namespace modes")
        assert sb.run("print(1)").stdout == "1\n"
        (worker,) = sb._live
        server = _children(worker.proc.pid)[0]
        (zygote,) = _children(server)
        os.kill(zygote, signal.SIGKILL)
        verdicts = []
        for i in range(6):
            r = sb.run(f"print({i})")
            assert (r.ok and r.stdout == f"{i}\n") or (r.verdict is Verdict.SANDBOX_ERROR and not r.stdout), r
            verdicts.append(r.verdict)
        assert Verdict.SANDBOX_ERROR in verdicts[:4]  # noticed within the spares in stock
        assert worker not in sb._live and verdicts[-1] is Verdict.OK
        assert_clean(sb)
    finally:
        sb.close()


def test_submissions_rotate_through_the_worker_uids(sandbox):
    if os.geteuid() != 0:
        pytest.skip("uids are dropped only as root")
    with Sandbox(workers=1) as sb:
        uids = [int(sb.run("import os\nprint(os.geteuid())").stdout) for _ in range(10)]
        (worker,) = sb._live
    assert (
        len(set(uids)) == 5 and worker.uids[0] in uids and worker.uids[1] not in uids
    )  # never the checker's
    assert all(a != b for a, b in zip(uids, uids[1:]))


def test_areas_mounted_in_the_worker_namespace_still_work():
    """Kernels without the new mount API (fsopen, 5.2+) mount each area at /x and unmount it after."""
    sb = Sandbox(workers=1, limits=Limits(cpu_s=2, wall_s=10))
    sb._extra_config = {"detached_areas": False}
    try:
        if not sb.isolation.namespaces:
            pytest.skip("no namespaces on this machine")
        assert sb.run("print(input()[::-1])", stdin="abc\n").stdout == "cba\n"
        assert sb.run("open('f', 'w').write('x')\nimport os\nprint(os.listdir('.'))").stdout == "['f']\n"
        assert sb.run("import os\nprint(os.listdir('.'))").stdout == "[]\n"
        report = sb.run_tests(
            "def add(a, b):\n    return a + b\n",
            [sandbox_pkg.CheckTest("def check(c):\n    assert c(1, 2) == 3\n", entry_point="add")],
        )
        assert report.passed, report.message
    finally:
        sb.close()


def test_none_mode_fallback(none_sandbox):
    info = none_sandbox.isolation
    assert info.mode == "none" and not info.namespaces
    assert "rlimits" in info.layers
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "guru-sbx-*")))
    assert none_sandbox.run("print(input())", stdin="hi\n").stdout == "hi\n"
    assert none_sandbox.run("while True:\n    pass").verdict is Verdict.TIMEOUT
    assert none_sandbox.run("while True:\n    print('x' * 99)").verdict is Verdict.OUTPUT_LIMIT
    assert none_sandbox.run("x = bytearray(1 << 34)").verdict is Verdict.MEMORY_LIMIT
    r = none_sandbox.run("import socket\nsocket.create_connection(('127.0.0.1', 9))")
    # refused by the seccomp filter (no IP sockets at all) or, without libseccomp, by the audit hook
    assert "Address family not supported" in r.stderr or "not allowed in the sandbox" in r.stderr
    r = none_sandbox.run(
        "import os, time\nif os.fork() == 0:\n    os.setpgid(0, 0)\n    time.sleep(60)\nprint('x')"
    )
    assert r.ok
    assert_clean(none_sandbox)
    report = none_sandbox.run_tests(
        "def f(x):\n    return x * 2\n", [CallTest("f", (i,), 2 * i) for i in range(5)]
    )
    assert report.passed
    if os.geteuid() == 0:
        assert int(none_sandbox.run("import os\nprint(os.geteuid())").stdout) >= 1_000_000_000
    # Only the spare's prepared directory may exist between runs; none is left after close.
    assert len(set(glob.glob(os.path.join(tempfile.gettempdir(), "guru-sbx-*"))) - before) <= 1


def test_none_mode_leaves_no_directories():
    with Sandbox(workers=1, isolation="none") as sb:
        sb.run("open('f', 'w').write('x' * 1000)\nimport os\nos.makedirs('a/b/c')")
        (worker,) = sb._live
        pattern = os.path.join(tempfile.gettempdir(), f"guru-sbx-{worker.uids[0]}-*")
        assert len(glob.glob(pattern)) <= 1  # the next execution's area, prepared in advance
    assert glob.glob(pattern) == []


def test_namespaces_required_is_honoured_or_refused():
    sb = Sandbox(workers=1, isolation="namespaces")
    try:
        assert sb.isolation.namespaces
    except sandbox_pkg.SandboxUnavailable:
        pass
    finally:
        sb.close()
    with pytest.raises(ValueError):
        Sandbox(isolation="docker")


def test_default_sandbox_and_module_functions():
    r = sandbox_pkg.run("print(input())", stdin="x\n")
    assert r.stdout == "x\n"
    report = sandbox_pkg.run_tests("def f():\n    return 1\n", [CallTest("f", (), 1)])
    assert report.passed
    assert sandbox_pkg.default_sandbox() is sandbox_pkg.default_sandbox()


def test_use_after_fork_is_refused(sandbox):
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.run("print(1)")
            code = 1
        except RuntimeError:
            code = 0
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sandbox.run("print(1)").stdout == "1\n"


def test_limits_validation():
    with pytest.raises(ValueError):
        Limits(cpu_s=0)
    with pytest.raises(ValueError):
        Limits(memory_mb=16)
    with pytest.raises(ValueError):
        Limits(wall_s=True)
    assert Limits().replace(cpu_s=3).cpu_s == 3


def _mount_ns_links(pids: list[int]) -> list[str]:
    """Every mount-namespace reference held by these processes: their own, and any descriptor of one."""
    found = []
    for pid in pids:
        for path in [f"/proc/{pid}/ns/mnt", *glob.glob(f"/proc/{pid}/fd/*")]:
            try:
                link = os.readlink(path)
            except OSError:
                continue
            if link.startswith("mnt:["):
                found.append(link)
    return found


@pytest.mark.parametrize("mode", ["root", "userns"])
def test_an_executions_mount_namespace_outlives_it_only_until_the_worker_drops_it(mode, sandbox, request):
    """The worker keeps each execution's mount namespace past the exit of its pid 1 (so that the exit
    does not wait on the unmount) and then drops it: afterwards no process refers to it (bar a waiting
    spare that got a freed inode number again), and the worker holds no more references than spares."""
    sb = sandbox if mode == "root" else request.getfixturevalue("userns_sandbox")
    if os.geteuid() != 0:
        pytest.skip("reading every process's descriptors needs root")
    probe = "import os\ndef f(x):\n    return os.readlink('/proc/self/ns/mnt')\n"
    seen = set()
    for _ in range(8):
        seen.add(sb.run("import os\nprint(os.readlink('/proc/self/ns/mnt'))\n").stdout.strip())
        report = sb.run_tests(
            probe, [CallTest("f", (k,), None) for k in range(2)], stop_on_first_failure=False
        )
        seen.update(r.actual for r in report.results)
    report = sb.run_tests(probe, [CheckTest("def check(f):\n    assert f(1) != 'x'\n", "f")])
    assert report.passed, report.results
    assert seen and all(name.startswith("mnt:[") for name in seen), seen
    servers, spares = [], []
    for w in list(sb._live):
        server = (_children(w.proc.pid) or [0])[0]
        zygote = min(_children(server), default=0)
        servers.append(server)
        spares += [p for p in _children(zygote) if not _children(p)]

    def server_surplus() -> list[list[str]]:
        """Per server, the namespace references it holds beyond its own (the waiting spares' at most 3)."""
        surplus = []
        for server in servers:
            own = os.readlink(f"/proc/{server}/ns/mnt")
            surplus.append([link for link in _mount_ns_links([server]) if link != own])
        return surplus

    deadline = time.monotonic() + 5
    while True:
        # Only this sandbox's processes: namespace inode numbers are reused at once, and sandboxes of
        # other tests running beside this one (pytest -n 2) hold namespaces numbered like ours.
        ours = [p for w in list(sb._live) for p in (w.proc.pid, *_descendants(w.proc.pid))]
        others = [p for p in ours if p not in servers + spares]
        left = seen & set(_mount_ns_links(others))
        # The worker drops a finished execution's reference in its releasing thread, after the reply:
        # under load the last one may still be queued there when run_tests returns.
        held = server_surplus()
        if not left and all(len(refs) <= 3 for refs in held):
            break
        assert time.monotonic() < deadline, f"namespaces still held: by executions {left}, by workers {held}"
        time.sleep(0.05)
