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


def _stamped_workbook(path: Path, cover: list[str], table: list[str]) -> None:
    """A cover sheet with ``cover`` down column A and a table sheet whose records are
    spliced (as the writers do)."""
    base = path.with_suffix(".base.xlsx")
    wb = xlsx.new_workbook(base)
    ws = wb.add_worksheet("说明")
    for r, text in enumerate(cover):
        ws.write_string(r, 0, text)
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "内容")
    wb.close()
    column = sheetxml.text_column(pd.Series(table))
    rows = sheetxml.Rows(2, 0, [column], [0], [18.0] * len(table))
    sheetxml.splice(base, path, [rows])


def test_rework_changes_the_one_cell_holding_a_text_and_nothing_else(tmp_path: Path) -> None:
    source, final = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _stamped_workbook(source, ["标题", "2026-04-01T09:00"], ["2026-04-01", "其他"])
    assert sheetxml.rework(source, final, {"2026-04-01T09:00": "2026-05-01T10:00"})
    wb = openpyxl.load_workbook(final)
    assert [c.value for c in wb["说明"]["A"]] == ["标题", "2026-05-01T10:00"]
    assert [c.value for c in wb["表"]["A"]] == ["内容", "2026-04-01", "其他"]
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(final) as b:  # the table copied as is
        name = "xl/worksheets/sheet2.xml"
        assert a.getinfo(name).CRC == b.getinfo(name).CRC and b.testzip() is None


def test_rework_refuses_a_text_that_two_cells_show(tmp_path: Path) -> None:
    source, final = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _stamped_workbook(source, ["2026-04-01T09:00", "2026-04-01T09:00"], ["甲"])
    assert openpyxl.load_workbook(source)["说明"]["A2"].value == "2026-04-01T09:00"  # the case
    assert not sheetxml.rework(source, final, {"2026-04-01T09:00": "2026-05-01T10:00"})
    assert not final.exists()  # nothing written: the caller renders the workbook
    # a record of the table showing the same text as the cover's cell: refused as well
    _stamped_workbook(source, ["标题", "2026-04-01T09:00"], ["2026-04-01T09:00"])
    assert not sheetxml.rework(source, final, {"2026-04-01T09:00": "2026-05-01T10:00"})
    # a text the package does not hold, or one XML would need escaped, is refused too
    assert not sheetxml.rework(source, final, {"2026-03-01T09:00": "2026-05-01T10:00"})
    assert not sheetxml.rework(source, final, {"2026-04-01T09:00": "<b>"})


def test_text_chunks_cut_text_into_pieces_that_fit_as_the_row_heights_measure_them() -> None:
    """The pieces a tall point is cut into (公示, the feedback's 风险点) each need no more
    lines than a row holds, measured as row heights are measured (``line_counts``), and
    together they hold the whole text: no line is lost or counted on another scale."""
    import random

    rng = random.Random(7)
    alphabet = "风险点描述防控措施abc 12，。；😀\n"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 900)))
        width, fits = rng.choice([8.0, 12.5, 20.0, 36.0]), rng.randint(3, 12)
        chunks = sheetxml.text_chunks(text, width, fits, most=10**6)
        assert all(sheetxml.line_counts([c], width)[0] <= fits - 1 for c in chunks), (text, width)
        assert "\n".join(chunks).replace("\n", "") == text.replace("\n", "")
