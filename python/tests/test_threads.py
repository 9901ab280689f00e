"""The GIL rules of src/python/mod.rs: a copy out of an immutable exporter (bytes)
into fresh memory runs with the GIL released; copies out of writable memory, and
copyto into existing memory, keep it.

No timing thresholds: the switch interval is made huge, so that the main thread gives
the GIL away only where it releases it explicitly; a worker thread counts while it
holds the GIL. The count moves during a call only if the call released the GIL."""
import sys
import threading
import time

import numpy as np
import pytest

import mview

BIG = 48 << 20  # long enough a copy for the worker to be scheduled in it


class Counter:
    def __init__(self):
        self.count = 0
        self.stop = False
        self.started = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        self.started.set()
        while not self.stop:
            self.count += 1
            time.sleep(0.0002)  # without the GIL: the main thread takes it back at once

    def __enter__(self):
        self.interval = sys.getswitchinterval()
        sys.setswitchinterval(1000.0)
        self.thread.start()
        self.started.wait()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()
        sys.setswitchinterval(self.interval)

    def moved_during(self, f, tries):
        """Whether the count moved during one of `tries` calls of f()."""
        for _ in range(tries):
            before = self.count
            f()
            if self.count != before:
                return True
        return False


@pytest.fixture(scope="module")
def big_bytes():
    return bytes(range(256)) * (BIG // 256)


def test_copies_of_bytes_release_the_gil(big_bytes):
    grid = mview.view(big_bytes).cast("B", (BIG >> 12, 1 << 12))
    with Counter() as counter:
        assert counter.moved_during(lambda: mview.ascontiguous(big_bytes), tries=20)
        assert counter.moved_during(lambda: mview.ascontiguous(grid.T), tries=20)
        assert counter.moved_during(lambda: grid.T.copy(), tries=20)
        assert counter.moved_during(lambda: grid.__dlpack__(max_version=(1, 0), copy=True), tries=20)
    # and the copies are right
    assert bytes(mview.ascontiguous(big_bytes)) == big_bytes


def test_copies_of_writable_memory_keep_the_gil(big_bytes):
    writable = bytearray(big_bytes)
    array = np.frombuffer(writable, dtype=np.uint8).reshape(BIG >> 12, 1 << 12)
    dst = np.empty_like(array)
    with Counter() as counter:
        assert not counter.moved_during(lambda: mview.ascontiguous(writable), tries=3)
        assert not counter.moved_during(lambda: mview.ascontiguous(array.T), tries=3)
        assert not counter.moved_during(lambda: mview.view(array).T.copy(), tries=3)
        # copyto writes memory others may see: it keeps the GIL, whatever the source
        assert not counter.moved_during(lambda: mview.copyto(dst, array), tries=3)
        assert not counter.moved_during(lambda: mview.copyto(writable, big_bytes), tries=3)
        # (the counter works: a plain sleep lets it move)
        assert counter.moved_during(lambda: time.sleep(0.01), tries=20)
    assert writable == big_bytes


def test_views_are_usable_from_other_threads():
    a = np.arange(1 << 16, dtype=np.float64).reshape(256, 256)
    v = mview.view(a)
    results = [None] * 4

    def work(i):
        results[i] = np.asarray(mview.ascontiguous(v.T)).sum()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [a.sum()] * 4
