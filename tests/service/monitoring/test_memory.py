"""Freed memory goes back to the system between a run's steps (monitoring/memory.py)."""

import subprocess
import sys

import pytest

from service.monitoring import memory

# In a process of its own, so no earlier test's heap decides the outcome, and through the C
# library itself, as numpy's arrays are (whose own allocator differs between versions).
# Blocks of 64 KB come from the heap whatever the threshold for mapping blocks on their own
# (at least 128 KB; after a large free glibc raises it up to 32 MB, and a rule's arrays of a
# few megabytes then come from the heap too). Every other one freed leaves holes in the middle
# of the heap, between blocks still held, which only a trim hands back.
HOLES = """
import ctypes
from service.monitoring import memory

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def resident_kib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4

def touched(size):
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    return block

blocks = [touched(64 << 10) for _ in range(2560)]
for block in blocks[::2]:
    libc.free(block)
before = resident_kib()
{give_back}
print(before - resident_kib())
"""


def _kib_handed_back(give_back: bool) -> int:
    code = HOLES.format(give_back="memory.give_back()" if give_back else "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(memory._libc() is None, reason="not the GNU C library: nothing to give back")
def test_the_holes_freed_blocks_leave_in_the_heap_go_back_to_the_system():
    assert _kib_handed_back(give_back=False) < 10 * 1024  # the holes stay without it
    assert _kib_handed_back(give_back=True) > 60 * 1024  # most of the 80 MB of holes
