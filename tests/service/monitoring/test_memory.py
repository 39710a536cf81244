"""Freed memory goes back to the system between a run's steps (monitoring/memory.py)."""

import subprocess
import sys

import pytest

from service.monitoring import memory

# In a process of its own, so no earlier test's heap decides the outcome. Freeing a mapped
# 16 MB block raises glibc's threshold for mapping blocks on their own: the 2 MB arrays after
# it come from the heap, as a rule's working arrays do. A small array kept after each leaves
# each freed one a hole in the middle of the heap, which only a trim hands back.
HOLES = """
import numpy as np
from service.monitoring import memory

def resident_kib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4

np.ones(16 << 20, dtype=np.uint8)
arrays, pins = [], []
for _ in range(40):
    arrays.append(np.ones(2 << 20, dtype=np.uint8))
    pins.append(np.ones(4096, dtype=np.uint8))
arrays.clear()
before = resident_kib()
{give_back}
print(before - resident_kib())
"""


def _kib_handed_back(give_back: bool) -> int:
    code = HOLES.format(give_back="memory.give_back()" if give_back else "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(memory._libc() is None, reason="not the GNU C library: nothing to give back")
def test_the_holes_freed_arrays_leave_in_the_heap_go_back_to_the_system():
    assert _kib_handed_back(give_back=False) < 10 * 1024  # the holes stay without it
    assert _kib_handed_back(give_back=True) > 60 * 1024  # most of the 80 MB of holes
