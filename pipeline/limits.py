"""The resource limits of reading one file (settings.toml [limits]; ``config`` builds them).

A module of its own, without pandas: the read workers receive a ``Limits`` and import only
what the per-file reading needs (pipeline/readform.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one file (see settings.toml [limits])."""

    max_file_bytes: int
    max_uncompressed_bytes: int
    max_compression_ratio: float
    max_rows: int
    max_columns: int
    max_cell_chars: int
    worker_memory_bytes: int
    worker_timeout_s: float
    workers: int  # 0 = one per core
    # what all the containers of one inbox may unpack together (containers._Budget)
    max_inbox_unpacked_bytes: int = 2048 * 1024 * 1024
