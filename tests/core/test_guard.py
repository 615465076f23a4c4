"""Guarded workers bound time and memory, survive crashes, and work from threads."""

import os
import threading
import time

import pytest

from guru_envs.guard import CallTimeout, GuardedPool, RemoteError, WorkerCrashed, guarded_call


def _square(x):
    return x * x


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def _big_power():
    return len(str(9 ** (9**9)))  # one long C call: no signal can interrupt it


def _die():
    os._exit(3)


def _allocate():
    return len(bytearray(8 * 1024**3))


def _fail():
    raise ValueError("boom")


def test_results_in_order_and_timeouts_are_per_job():
    with GuardedPool(workers=2) as pool:
        out = pool.map(_spin, [((0.0,), {}), ((5.0,), {}), ((0.0,), {})], timeout=0.5)
        assert out[0] == "done" and out[2] == "done"
        assert isinstance(out[1], CallTimeout)
        assert pool.call(_square, 7, timeout=5) == 49  # the pool recovered


def test_uninterruptible_c_call_is_killed():
    start = time.monotonic()
    with GuardedPool(workers=1) as pool, pytest.raises(CallTimeout):
        pool.call(_big_power, timeout=0.5)
    assert time.monotonic() - start < 5


def test_crash_memory_and_exceptions_are_reported():
    with GuardedPool(workers=1, memory_mb=1024) as pool:
        with pytest.raises(WorkerCrashed):
            pool.call(_die, timeout=5)
        with pytest.raises(RemoteError, match="MemoryError"):
            pool.call(_allocate, timeout=10)
        with pytest.raises(RemoteError, match="ValueError: boom"):
            pool.call(_fail, timeout=5)
        assert pool.call(_square, 3, timeout=5) == 9


def test_guarded_call_from_threads():
    results = []

    def work(i):
        results.append(guarded_call(_square, i, timeout=10))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [i * i for i in range(6)]
