"""Freed memory goes back to the system between a run's steps (monitoring/memory.py)."""

import numpy as np
import pytest

from service.monitoring import memory

MB = 1 << 20


def _resident_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4


@pytest.mark.skipif(memory._libc() is None, reason="not the GNU C library: nothing to give back")
def test_the_holes_freed_arrays_leave_in_the_heap_go_back_to_the_system():
    # Freeing a mapped 16 MB block raises glibc's threshold for mapping blocks on their own:
    # the 2 MB arrays after it come from the heap, as a rule's working arrays do.
    np.ones(16 * MB, dtype=np.uint8)
    arrays = [np.ones(2 * MB, dtype=np.uint8) for _ in range(40)]
    last = arrays.pop()  # kept: the holes below it are not at the heap's top
    arrays.clear()
    before = _resident_kib()
    memory.give_back()
    assert before - _resident_kib() > 40 * 1024  # most of the 78 MB of holes
    assert last.sum() == 2 * MB
