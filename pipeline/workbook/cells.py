"""Cell references, parsed in one place: 0-based (row, column) <-> 'B3'."""

from __future__ import annotations

import re

__all__ = [
    "A1",
    "A1_START",
    "MAX_CELL_CHARS",
    "a1",
    "col_index",
    "col_letter",
    "excel_len",
    "over_cell",
    "parse_a1",
]

MAX_CELL_CHARS = 32767  # Excel's limit of characters in one cell, counted in UTF-16 units


def excel_len(text: str) -> int:
    """A text's length as Excel counts it: UTF-16 units (a character past U+FFFF, an emoji
    or a rare CJK ideograph, counts two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def over_cell(text: str, limit: int = MAX_CELL_CHARS) -> bool:
    """True when ``text`` is longer than ``limit`` as Excel counts it (only a text of more
    than half the limit is measured)."""
    return len(text) > limit or (2 * len(text) > limit and excel_len(text) > limit)


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


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1
