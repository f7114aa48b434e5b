"""What every grid reader returns: a workbook as (sheet names, a loader of one sheet, the
hidden sheet names); a sheet as a list of rows of raw cell values plus its merged ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Grid = list[list[Any]]
Merge = tuple[int, int, int, int]  # 0-based (first row, first col, last row, last col)
SheetLoader = Callable[[str], tuple[Grid, list[Merge]]]
Book = tuple[list[str], SheetLoader, set[str]]  # (names, visible first; loader; hidden names)

FORMAT_EXTS = {
    "xlsx": (".xlsx", ".xlsm"),
    "xlsb": (".xlsb",),
    "xls": (".xls",),
    "biff": (".xls",),
    "ods": (".ods",),
    "csv": (".csv",),
    "html": (".xls", ".xlsx"),
    "xml2003": (".xls", ".xml"),
}


def carry_merges(grid: Grid, merges: list[Merge]) -> set[tuple[int, int]]:
    """Copy each merged range's top-left value into every cell of the range (clipped to the
    grid); return the cells that received a carried value."""
    carried: set[tuple[int, int]] = set()
    if not grid:
        return carried
    n_rows = len(grid)
    width = max(map(len, grid))
    for r0, c0, r1, c1 in merges:
        if r0 >= n_rows or c0 >= width:
            continue
        r1, c1 = min(r1, n_rows - 1), min(c1, width - 1)
        row0 = grid[r0]
        value = row0[c0] if c0 < len(row0) else ""
        if value is None or value == "":
            continue
        for r in range(r0, r1 + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
                    carried.add((r, c))
    return carried
