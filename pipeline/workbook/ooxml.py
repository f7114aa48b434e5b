"""The fallback grid reader for OOXML packages python-calamine refuses though Excel opens
them (macro or dialog sheets, an odd dimension or shared-string table): openpyxl, values
only."""

from __future__ import annotations

import io

from pipeline.limits import Limits
from pipeline.workbook.formulas import formulas_into
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Opened, check_sheets


def load(path: str, opened: Opened, limits: Limits) -> Book:
    import warnings

    import openpyxl

    data = opened.data
    check_sheets(opened, limits)  # openpyxl parses every sheet at once: all checked first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it skips
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    sheets = {ws.title: ws for ws in wb.worksheets}
    hidden = {t for t, ws in sheets.items() if ws.sheet_state != "visible"}

    def load_sheet(name: str) -> tuple[Grid, list[Merge]]:
        ws = sheets[name]
        # the pre-scan refused any value beyond the limits: formatting alone may reach further
        n_rows, n_cols = min(ws.max_row, limits.max_rows), min(ws.max_column, limits.max_columns)
        grid = [
            list(row)
            for row in ws.iter_rows(
                min_row=1, max_row=n_rows, min_col=1, max_col=n_cols, values_only=True
            )
        ]
        formulas_into(grid, data, opened, name, limits)
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ]
        return grid, merges

    visible = [t for t in sheets if t not in hidden]
    return visible + [t for t in sheets if t in hidden], load_sheet, hidden
