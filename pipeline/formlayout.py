"""The layout of our own forms, declared once.

Where every cell of the two templates is: the sheets in tab order, the title row, the header
block (label cell, value cells), the table header row, the first data row, the column order per
kind, and the 廉政承诺书 sheet's cells. ``templates`` writes exactly this, ``demo`` and
``prefill`` place their values and expected cells by it, and the tests' factories build forms
from it. Reading never relies on it (header matching is by label, wherever users moved it);
a fast path for forms that still have it may. Importable without pandas: only ``vocab``.

Rows and columns are 0-based (as xlsxwriter counts); ``ref`` gives Excel's ``B2``.
"""

from __future__ import annotations

from typing import NamedTuple

from pipeline import vocab

# --------------------------------------------------------------------------------------
# Sheets, in tab order (the 可选值 sheet is hidden; it holds the dropdown lists)
# --------------------------------------------------------------------------------------
SHEETS = {
    vocab.INDIVIDUAL: (
        vocab.SHEET_INDIVIDUAL,
        vocab.SHEET_PLEDGE,
        vocab.SHEET_GUIDE,
        vocab.SHEET_LISTS,
    ),
    vocab.UNIT: (vocab.SHEET_UNIT, vocab.SHEET_GUIDE, vocab.SHEET_LISTS),
}

# --------------------------------------------------------------------------------------
# The main sheet
# --------------------------------------------------------------------------------------
TITLE_ROW = 0  # the form's title, merged across the table's width
HEADER_ROW = 1  # the header block: 科室 / 姓名 / 岗位（职务） / 填表日期 (Excel row 2)
TABLE_HEADER_ROW = 2  # the table's column labels (Excel row 3)
FIRST_DATA_ROW = 3  # the first risk point (Excel row 4)
PRINT_TITLE_ROWS = (TITLE_ROW, TABLE_HEADER_ROW)  # repeated on every printed page


class HeaderCell(NamedTuple):
    """One header field on HEADER_ROW: its label's column and its value's columns (the value
    cell is merged over ``first_col..last_col`` when wider than one column)."""

    key: str  # vocab.HEADER_LABELS key
    label_col: int
    first_col: int
    last_col: int


HEADER_BLOCK: dict[str, tuple[HeaderCell, ...]] = {
    vocab.INDIVIDUAL: (
        HeaderCell("section", 0, 1, 2),
        HeaderCell("name", 3, 4, 4),
        HeaderCell("post", 5, 6, 7),
        HeaderCell("date", 8, 9, 10),
    ),
    vocab.UNIT: (
        HeaderCell("section", 0, 1, 2),
        HeaderCell("head", 3, 4, 5),
        HeaderCell("date", 6, 7, 8),
    ),
}
# The table's columns from column A, in order (vocab declares them with their labels).
COLUMNS = vocab.TABLE_COLUMNS
# Header fields prefill fills in from the roster and locks.
ROSTER_FILLED = {
    vocab.INDIVIDUAL: frozenset({"section", "name", "post"}),
    vocab.UNIT: frozenset({"section"}),
}

# --------------------------------------------------------------------------------------
# The 廉政承诺书 sheet (individual form only): column A labels and numbers, column B text
# --------------------------------------------------------------------------------------
PLEDGE_TITLE_ROW = 0  # merged over A:B
PLEDGE_INTRO_ROW = 1  # the pledge's opening paragraph, merged over A:B
PLEDGE_HEADER_ROW = 2  # 序号 | 承诺事项
PLEDGE_FIRST_ITEM_ROW = 3
PLEDGE_ROWS = 10  # item rows of a blank pledge sheet (more when more items are given)
PLEDGE_LABEL_COL = 0
PLEDGE_VALUE_COL = 1
PLEDGE_SIGN_FIELDS = ("pledger", "pledge_date")  # one row each, right below the items


def ref(row: int, col: int) -> str:
    """0-based row and column -> Excel's A1 reference."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def header_value_refs(kind: str) -> dict[str, str]:
    """Header key -> the cell holding its value (``{"section": "B2", ...}``)."""
    return {c.key: ref(HEADER_ROW, c.first_col) for c in HEADER_BLOCK[kind]}


def header_label_refs(kind: str) -> dict[str, str]:
    """Header key -> the cell holding its label (``{"section": "A2", ...}``)."""
    return {c.key: ref(HEADER_ROW, c.label_col) for c in HEADER_BLOCK[kind]}


def column_letters(kind: str) -> dict[str, str]:
    """Table column key -> its column letter (``{"seq": "A", "step": "B", ...}``)."""
    return {key: ref(0, i)[:-1] for i, key in enumerate(COLUMNS[kind])}


def pledge_item_count(items: int) -> int:
    """How many item rows a pledge sheet with ``items`` items has."""
    return max(PLEDGE_ROWS, items)


def pledge_sign_rows(items: int) -> dict[str, int]:
    """承诺人 / 承诺日期 -> its 0-based row, below a pledge sheet with ``items`` items."""
    below = PLEDGE_FIRST_ITEM_ROW + pledge_item_count(items)
    return {key: below + i for i, key in enumerate(PLEDGE_SIGN_FIELDS)}
