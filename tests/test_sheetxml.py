"""Coded columns spliced as sheet XML: a slice of a column (one section's records) writes
only its own texts, read back as a user would."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline import sheetxml, xlsx


def _workbook_with_header(path: Path, header: str) -> int:
    wb = xlsx.new_workbook(path)
    ws = wb.add_worksheet("表")
    fmt = wb.add_format({"text_wrap": True})
    ws.write_string(0, 0, header, fmt)
    style = sheetxml.xf(fmt)
    wb.close()
    return style


def test_a_slice_of_a_coded_column_writes_only_its_own_texts(tmp_path: Path) -> None:
    column = sheetxml.text_column(pd.Series(["甲科室", "乙科室的风险\n第二行", "甲科室", "丙科室"]))
    part = column[2:4]  # 甲科室, 丙科室: 乙科室's text is not among them
    base, final = tmp_path / "base.xlsx", tmp_path / "out.xlsx"
    style = _workbook_with_header(base, "科室")
    heights = sheetxml.row_heights([part], [10.0], [True])
    rows = sheetxml.Rows(
        sheet_number=1, header_row=0, values=[part], styles=[style], heights=heights
    )
    sheetxml.splice(base, final, [rows])

    ws = openpyxl.load_workbook(final)["表"]
    assert [c.value for c in ws["A"]] == ["科室", "甲科室", "丙科室"]
    with zipfile.ZipFile(final) as package:
        strings = package.read(sheetxml.SHARED_STRINGS).decode("utf-8")
    assert "乙科室" not in strings
    # the slice's heights come from the whole column's measures: one line each
    assert heights.tolist() == [sheetxml.DEFAULT_ROW_HEIGHT] * 2
