"""Memory a step's process keeps from the step before it, given back before the next one."""

from __future__ import annotations

import pyarrow as pa


def release_arrow_memory() -> None:
    """Give the system back the memory Arrow's allocator keeps from freed buffers.

    Arrow's allocator (mimalloc) keeps freed memory for its next buffers: after the raw load of a
    month of 1 M records per source the process held 0.45 GB of it, beside the memory limit that
    DuckDB and the lookups' parser processes share."""
    pa.default_memory_pool().release_unused()
