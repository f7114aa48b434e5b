"""The main grid reader: python-calamine for .xlsx/.xlsm/.xlsb/.xls/.ods."""

from __future__ import annotations

import io

from pipeline.limits import Limits
from pipeline.workbook import ods, xlsb
from pipeline.workbook.formulas import formulas_into
from pipeline.workbook.grid import FORMAT_EXTS, Book, Grid, Merge
from pipeline.workbook.guard import Opened, check_sheet, extent_refusal

_CELL_SHEET_TYPES = ("WorkSheet", "MacroSheet")  # python-calamine's SheetTypeEnum names


def load(path: str, opened: Opened, limits: Limits) -> Book:
    """(sheet names, visible first; a loader of one sheet; the hidden sheet names)."""
    from python_calamine import CalamineWorkbook

    data = opened.data
    wb = None
    if opened.package:  # the parts the guard inflated, stored: the same content, read faster
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(opened.package))
            data = opened.package
        except (MemoryError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - the file as it is names the problem (below)
            wb = None
    if wb is None:
        try:  # from the bytes the guard read (calamine goes by the content)
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (MemoryError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a native panic too: from_path names the error
            # an .xlsb with an Excel 4.0 macro sheet, which calamine refuses the whole
            # workbook for: its worksheets without it
            package = xlsb.without_macro_sheets(data) if opened.fmt == "xlsb" else None
            if package is not None:
                wb = CalamineWorkbook.from_filelike(io.BytesIO(package))
                data = package
            elif not path.lower().endswith(FORMAT_EXTS[opened.fmt]):
                raise  # renamed file (an .xlsx saved as .xls): the content is all there is
            else:  # the reader of the file's own format names the real problem
                wb = CalamineWorkbook.from_path(path)
    # sheets of cells only: a chart or dialog sheet holds none (calamine cannot load them)
    cells = [m for m in wb.sheets_metadata if str(m.typ).endswith(_CELL_SHEET_TYPES)]
    visible = [m.name for m in cells if str(m.visible).endswith("Visible")]
    hidden = [m.name for m in cells if m.name not in visible]
    ods_merges: list[dict[str, list[Merge]]] = []

    def load_sheet(name: str) -> tuple[Grid, list[Merge]]:
        check_sheet(opened, name, limits)  # its extent, before calamine allocates its grid
        sheet = wb.get_sheet_by_name(name)
        end = sheet.end
        if end is not None:
            refused = extent_refusal(name, end[0], end[1], limits)
            if refused is not None:
                raise refused
        grid = sheet.to_python(skip_empty_area=False)
        formulas_into(grid, data, opened, name, limits)
        if opened.fmt == "ods":  # calamine does not report ODS merges: read content.xml
            if not ods_merges:
                ods_merges.append(ods.merges(data))
            merges = ods_merges[0].get(name, [])
        else:
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []]
        return grid, merges

    return visible + hidden, load_sheet, set(hidden)
