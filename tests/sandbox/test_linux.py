"""The Linux helpers of the sandbox worker that are not about isolation (``guru_envs.sandbox.linux``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guru_envs.sandbox import linux

# Runs in a fresh interpreter (the helper changes the process it runs in): the permissions of every
# mapping before and after, and the minor faults of a child that exits at once, before and after.
PROBE = r"""
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("linux", sys.argv[1])  # stdlib-only, as in the worker
linux = importlib.util.module_from_spec(spec)
spec.loader.exec_module(linux)

def maps():
    with open("/proc/self/maps") as fh:
        return {line.split()[0]: line.split()[1] for line in fh if len(line.split()) >= 6}

def child_faults():
    counts = []
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        counts.append(os.wait4(pid, 0)[2].ru_minflt)
    return sorted(counts)[2]

before, faults_before = maps(), child_faults()
prepared = linux.copy_file_page_tables_on_fork()
after, faults_after = maps(), child_faults()
changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k, v) != v}
print(prepared, faults_before, faults_after, changed)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_children_inherit_the_page_tables_of_code_and_no_mapping_changes_protection():
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, linux.__file__],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split(maxsplit=3)
    prepared, faults_before, faults_after, changed = int(out[0]), int(out[1]), int(out[2]), out[3].strip()
    assert prepared > 0
    assert changed == "{}"  # every mapping kept its protection (nothing left writable or executable)
    # The child no longer faults the interpreter's code back in (about 45 fewer faults for a bare exit).
    assert faults_after < faults_before - 20, (faults_before, faults_after)
