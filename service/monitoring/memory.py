"""Freed memory handed back to the system between the steps of a monitors run: after each
PostgreSQL COPY block and each frame read, and after each rule of a whole-city or shard run.

glibc keeps the pages of a freed block for reuse unless the block was mapped on its own; after
the first large block is freed it maps on their own only blocks over 32 MB, so the arrays of a
few megabytes that every rule makes and drops (hundreds at L) stay in the process as holes in
its heap: a run at L grew by ~100 MB over its rules. `malloc_trim` returns those holes' pages.
Elsewhere (another C library) there is nothing to do.
"""

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def give_back() -> None:
    """Return the pages of freed memory to the system (glibc); a few milliseconds."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
