"""Fork bombs, run so that they cannot take the machine down even if the sandbox failed.

The whole scorer (a driver process with its own Sandbox) runs inside a *guard* pids cgroup created
here, with room for far more processes than the sandbox should ever allow. The sandbox's own cgroups
nest below the guard, so the guard bounds everything. The guard's ``pids.events`` counts forks that hit
its limit: it must stay at zero, which proves the sandbox contained each bomb by itself (through its
per-worker uid and RLIMIT_NPROC, or its user namespace, and its own pids cgroup), with the guard unused.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
import time

import pytest

from guru_envs.sandbox.isolation import _own_paths, _v1_mounts
from tests.sandbox.conftest import NOBODY, SYSTEM_PYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUARD_MAX = 400

BOMBS = {
    "classic": "import os\nwhile True:\n    os.fork()\n",
    "fork_and_wait": "import os, time\nfor _ in range(100000):\n    try:\n        os.fork()\n"
    "    except OSError:\n        pass\ntime.sleep(60)\n",
    "daemonizing": "import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n            os.setpgid(0, 0)\n"
    "    except OSError:\n        time.sleep(0.01)\n",
    "subprocess": "import subprocess\nwhile True:\n    subprocess.Popen(['sleep', '60'])\n",
    "threads_and_forks": "import os, threading, time\nwhile True:\n    try:\n"
    "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n        os.fork()\n"
    "    except (OSError, RuntimeError):\n        time.sleep(0.01)\n",
    "fork_and_allocate": "import os, time\nfor _ in range(6):\n    try:\n        os.fork()\n    except OSError:\n"
    "        pass\nx = bytearray(200 << 20)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\ntime.sleep(60)\n",
}

DRIVER = textwrap.dedent(
    """
    import json, os, sys
    with open(sys.argv[1] + "/cgroup.procs", "w") as fh:  # first of all: enter the guard
        fh.write(str(os.getpid()))
    sys.path.insert(0, {root!r})
    from guru_envs.sandbox import Limits, Sandbox
    bombs, options = json.loads(sys.argv[2]), json.loads(sys.argv[3])
    limits = Limits(cpu_s=1, wall_s=1.5, memory_mb=256, max_processes=32)
    sb = Sandbox(limits=limits, workers=1, **options)
    out = {{"mode": sb.isolation.mode, "layers": list(sb.isolation.layers)}}
    for name, code in bombs.items():
        r = sb.run(code)
        after = sb.run("print(6 * 7)")
        out[name] = [r.verdict.value, round(r.wall_s, 2), after.stdout, r.message[-300:]]
    sb.close()
    print(json.dumps(out))
    """
).format(root=ROOT)


def _guard() -> str | None:
    mounts, own = _v1_mounts(), _own_paths()
    if "pids" not in mounts or "pids" not in own:
        return None
    parent = os.path.normpath(mounts["pids"] + "/" + own["pids"])
    path = os.path.join(parent, f"guru-guard-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "pids.max"), "w") as fh:
            fh.write(str(GUARD_MAX))
    except OSError:
        return None
    return path


def _events(path: str) -> int:
    with open(os.path.join(path, "pids.events"), encoding="ascii") as fh:
        return int(fh.read().split()[1])


VARIANTS = {
    "root": {},
    "root-no-cgroups": {"cgroups": False},  # the per-worker uid and RLIMIT_NPROC alone
    "userns": {"python": SYSTEM_PYTHON, "worker_uid": NOBODY},  # as an unprivileged scorer would
}


@pytest.mark.parametrize(
    "variant",
    [
        "root",
        pytest.param("root-no-cgroups", marks=pytest.mark.slow),
        pytest.param("userns", marks=pytest.mark.slow),
    ],
)
def test_fork_bombs_are_contained_under_a_guard(variant):
    options = VARIANTS[variant]
    if os.geteuid() != 0:
        pytest.skip("the guard cgroup needs root")
    if variant == "userns" and not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip("needs a world-readable system python")
    guard = _guard()
    if guard is None:
        pytest.skip("no writable pids cgroup for the guard")
    bombs = dict(BOMBS)
    if options.get("cgroups") is False:  # without a memory cgroup this one may use max_processes x memory_mb
        bombs.pop("fork_and_allocate")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER, guard, json.dumps(bombs), json.dumps(options)],
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        if variant == "userns" and out["mode"] != "userns":
            pytest.skip(f"user namespaces unavailable: {out['mode']}")
        for name in bombs:
            verdict, wall, after, message = out[name]
            assert verdict != "ok", (name, message)
            assert after == "42\n", f"sandbox unusable after {name}"
            assert wall < 10, (name, wall)
        assert _events(guard) == 0, "the guard cgroup had to stop a fork: the sandbox did not contain it"
        with open(os.path.join(guard, "pids.current"), encoding="ascii") as fh:
            assert int(fh.read()) == 0, "processes outlived the driver"
    finally:
        for _ in range(100):
            try:
                os.rmdir(guard)
                break
            except OSError:
                time.sleep(0.05)
