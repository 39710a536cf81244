"""Freed memory handed back to the system between the steps of a monitors run: after each
PostgreSQL COPY block and each frame read, after each rule of a whole-city or shard run, and
once a whole-city run has let its frames go, before it queues the e-mails of its new alerts.

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

import pyarrow


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def give_back(*, arrow: bool = False) -> None:
    """Return the pages of freed memory to the system (glibc); a few milliseconds. `arrow`:
    Arrow's pool's too (frames read from Parquet live there, and it keeps what they free)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
    if arrow:
        pyarrow.default_memory_pool().release_unused()
