"""Cell references, parsed in one place: 0-based (row, column) <-> 'B3'."""

from __future__ import annotations

import re

from pipeline.xlsx import col_index, col_letter

__all__ = ["A1", "A1_START", "a1", "col_index", "col_letter", "parse_a1"]

# 'B3', '$B$3' (the last cell of a range is taken by the callers that need it)
A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# the cell a reference starts with: 'B3' of 'B3', '$B$3' or 'B3:D9' (where a note is anchored)
A1_START = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> 'B3'."""
    return f"{col_letter(col)}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int] | None:
    """'B3' / '$B$3' -> 0-based (row, col); None when ``ref`` is not one cell reference."""
    m = A1.match(ref.strip())
    if m is None:
        return None
    return int(m[2]) - 1, col_index(m[1])
