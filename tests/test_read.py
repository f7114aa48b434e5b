"""read: tolerant reading of real-world forms and refusal of hostile files, cell by cell."""

from __future__ import annotations

import dataclasses
import pickle
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config, discover, frames, read, vocab
from tests.forms import (
    form_grid,
    pledge_grid,
    rewrite_zip,
    sample_row,
    write_form,
    write_xlsx,
)

MAIN = vocab.SHEET_INDIVIDUAL


def settings(**limits: object) -> config.Settings:
    base = config.default_settings()
    return dataclasses.replace(base, limits=dataclasses.replace(base.limits, **limits))


def run(inbox: Path, st: config.Settings | None = None):
    st = st or settings()
    files, found = discover.discover(inbox, st)
    files, rows, issues = read.read_files(files, inbox, st)
    return files, rows, frames.concat_issues(found, issues)


def only(inbox: Path, name: str, st: config.Settings | None = None):
    """(file record, its rows, its issues) after discover + read."""
    files, rows, issues = run(inbox, st)
    record = files.set_index("file").loc[name]
    return record, rows[rows["file"] == name].reset_index(drop=True), issues[issues["file"] == name]


def codes(issues: pd.DataFrame) -> list[str]:
    return sorted(issues["code"])


# --------------------------------------------------------------------------------------
# Hostile and broken files: refused with the exact reason (and cell), never a crash
# --------------------------------------------------------------------------------------
SHEET_XML = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def _sheet_with(extra: bytes):
    def edit(base: Path, dst: Path) -> None:
        with zipfile.ZipFile(base) as zf:
            xml = zf.read(SHEET_XML)
        rewrite_zip(base, dst, {SHEET_XML: xml.replace(b"</sheetData>", extra + b"</sheetData>")})

    return edit


def _truncated(base: Path, dst: Path) -> None:
    dst.write_bytes(base.read_bytes()[: base.stat().st_size // 2])


def _zip_bomb(base: Path, dst: Path) -> None:
    rewrite_zip(base, dst, {"xl/media/image1.bin": b"\x00" * (8 * 1024 * 1024)})


def _entities(base: Path, dst: Path) -> None:
    rewrite_zip(base, dst, {SHEET_XML: BILLION_LAUGHS})


def _encrypted(base: Path, dst: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with base.open("rb") as src, dst.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)


def _unknown_template(base: Path, dst: Path) -> None:
    write_xlsx(dst, {"通讯录": [["姓名", "电话"], ["张三", "123"]]})


def _png() -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _pictures(text: str | None):
    """A scanned form pasted into Excel: a picture on an empty sheet (and, with ``text``, a
    line of text beside it: then it is an unknown table, not only pictures)."""

    def build(base: Path, dst: Path) -> None:
        import io

        import xlsxwriter

        wb = xlsxwriter.Workbook(str(dst))
        ws = wb.add_worksheet("Sheet1")
        ws.insert_image("B2", "scan.png", {"image_data": io.BytesIO(_png())})
        if text:
            ws.write_string("A1", text)
        wb.close()
        with zipfile.ZipFile(dst) as zf:  # the precondition: the picture is in the package
            assert any(n.startswith("xl/media/") for n in zf.namelist())

    return build


HOSTILE = [
    ("truncated", _truncated, "corrupt", "", ""),
    ("scanned_form", _pictures(None), "only_pictures", "", ""),
    ("picture_and_text", _pictures("张三的自查表见图"), "unknown_template", "", ""),
    ("zip_bomb", _zip_bomb, "zip_bomb", "", ""),
    ("entities", _entities, "xml_entities", "", ""),
    ("encrypted", _encrypted, "encrypted", "", ""),
    (
        "far_cell",
        _sheet_with(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        "too_many_cells",
        MAIN,
        "XFD1048576",
    ),
    (
        "far_row",
        _sheet_with(b'<row r="900000"><c r="B900000"><v>1</v></c></row>'),
        "too_many_cells",
        MAIN,
        "B900000",
    ),
    (
        "wide",
        _sheet_with(b'<row r="30"><c r="GZ30" t="inlineStr"><is><t>x</t></is></c></row>'),
        "too_many_cells",
        MAIN,
        "GZ30",
    ),
    ("unknown_template", _unknown_template, "unknown_template", "", ""),
]


@pytest.mark.parametrize(
    ("label", "build", "code", "sheet", "cell"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_is_refused_and_the_rest_is_read(
    tmp_path: Path, label: str, build, code: str, sheet: str, cell: str
) -> None:
    inbox = tmp_path / "inbox"
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    inbox.mkdir()
    build(base, inbox / "bad.xlsx")
    write_form(inbox / "good.xlsx", rows=[sample_row(1), sample_row(2)])
    files, rows, issues = run(inbox)
    bad = files.set_index("file").loc["bad.xlsx"]
    assert (bad["status"], bad["reason"]) == (frames.FILE_STATUS_REJECTED, code)
    (issue,) = issues[issues["file"] == "bad.xlsx"].to_dict("records")
    assert (issue["code"], issue["sheet"], issue["cell"]) == (code, sheet, cell)
    assert issue["action"] == vocab.ACTION_REJECT
    assert set(rows["file"]) == {"good.xlsx"} and len(rows) == 2


def test_worker_killed_by_a_file_costs_only_that_file(tmp_path: Path) -> None:
    """Enough files to use the worker pool; one has a million shared strings and the worker
    memory budget is tiny: that file is worker_crashed, every other one is read."""
    inbox = tmp_path / "inbox"
    for i in range(read.IN_PROCESS_MAX_FILES + 4):
        write_form(inbox / f"p{i:03d}.xlsx", header={"name": f"人{i}"}, rows=[sample_row(i + 1)])
    base = inbox / "p000.xlsx"
    with zipfile.ZipFile(base) as zf:
        old = zf.read("xl/sharedStrings.xml")
    items = b"".join(re.findall(rb"<si>.*?</si>", old, re.DOTALL))
    n = 1_500_000
    huge = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main">'
        + items
        + b"".join(b"<si><t>%d</t></si>" % i for i in range(n))
        + b"</sst>"
    )
    rewrite_zip(base, inbox / "huge.xlsx", {"xl/sharedStrings.xml": huge})
    st = settings(
        worker_memory_bytes=24 * 1024 * 1024,
        max_uncompressed_bytes=1024 * 1024 * 1024,
        max_compression_ratio=1e6,
        workers=2,
    )
    files, rows, issues = run(inbox, st)
    by = files.set_index("file")
    assert by.loc["huge.xlsx", "reason"] == "worker_crashed"
    assert (by.drop("huge.xlsx")["status"] == frames.FILE_STATUS_READ).all()
    assert rows["file"].nunique() == read.IN_PROCESS_MAX_FILES + 4
    assert rows["row_id"].tolist() == list(range(len(rows)))
    assert issues.loc[issues["file"] == "huge.xlsx", "code"].tolist() == ["worker_crashed"]


SPAWNED_WORKER = """
import pickle, sys
func, tasks, limits = pickle.loads(sys.stdin.buffer.read())
[(_key, batch)] = func(tasks, limits)
heavy = [m for m in ("pandas", "numpy", "pandera", "openpyxl", "xlsxwriter") if m in sys.modules]
print(batch["files"]["status"][0], batch["files"]["n_out"][0], batch["meta"]["name"][0], *heavy)
"""


def test_a_spawned_read_worker_imports_no_pandas(tmp_path: Path) -> None:
    """Where read workers are spawned (Windows: no fork), each starts a fresh interpreter that
    imports its task's module and what that needs, at every run: not pandas, numpy, pandera
    or a writer (a second a worker on an office PC). A fresh interpreter unpickles the pool's
    task as a spawned worker does and reads a real form with it."""
    form = write_form(tmp_path / "张三.xlsx", header={"name": "张三"}, rows=[sample_row(1)])
    call = pickle.dumps((read.read_chunk, [(0, str(form), form.name)], settings().limits))
    done = subprocess.run(
        [sys.executable, "-c", SPAWNED_WORKER],
        input=call,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.decode("utf-8").split() == [frames.FILE_STATUS_READ, "1", "张三"]


def test_far_cell_inside_a_big_inbox_is_refused_by_the_prescan_in_a_worker(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for i in range(read.IN_PROCESS_MAX_FILES):
        write_form(inbox / f"p{i:03d}.xlsx", header={"name": f"人{i}"})
    _sheet_with(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')(
        inbox / "p000.xlsx", inbox / "far.xlsx"
    )
    files, _rows, issues = run(inbox)
    far = issues[issues["file"] == "far.xlsx"].iloc[0]
    assert (far["code"], far["cell"]) == ("too_many_cells", "XFD1048576")
    assert (files["status"] == frames.FILE_STATUS_READ).sum() == read.IN_PROCESS_MAX_FILES


# --------------------------------------------------------------------------------------
# Real-world variants
# --------------------------------------------------------------------------------------
def test_template_form_header_table_and_pledge(tmp_path: Path) -> None:
    rows = [sample_row(1), sample_row(2, description="多行\n描述", remark="=SUM(A1)")]
    write_form(
        tmp_path / "in" / "张三.xlsx",
        rows=rows,
        pledge=pledge_grid(["不收礼", "不吃请", "不违规"], "张三", datetime(2026, 3, 11)),
        formatted_rows=20,
    )
    rec, got, issues = only(tmp_path / "in", "张三.xlsx")
    assert rec["status"] == "read" and rec["kind"] == vocab.INDIVIDUAL and rec["sheet"] == MAIN
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "办公室",
        "张三",
        "科员",
        "2026-03-10",
    )
    assert rec["header_cells"] == {"section": "B2", "name": "E2", "post": "H2", "date": "K2"}
    assert rec["colmap"]["description"] == "D" and rec["colmap"]["remark"] == "K"
    assert (rec["pledge_sheet"], rec["pledge_items"], rec["pledger"], rec["pledge_date"]) == (
        True,
        3,
        "张三",
        "2026-03-11",
    )
    assert rec["n_rows"] == 2
    assert list(got.columns) == list(frames.ROW_COLUMNS)
    assert got["excel_row"].tolist() == [4, 5]
    assert got["description"].tolist() == ["泄露未公开信息1", "多行\n描述"]
    assert got["seq"].tolist() == ["1", "2"]
    assert got.loc[1, "remark"] == "=SUM(A1)"
    assert got["accepted"].all() and got["section"].eq("办公室").all()
    assert issues.empty  # template merges and trailing formatted rows are silent


def test_moved_header_block_synonyms_reordered_columns_and_no_marker(tmp_path: Path) -> None:
    keys = [
        "description",
        "seq",
        "self_level",
        "step",
        "category",
        "likelihood",
        "harm",
        "prevent",
        "monitor",
        "handle",
    ]
    labels = {
        "description": "廉政风险点",
        "self_level": "风险等级",
        "step": "工作环节",
        "seq": "编 号",
        "category": "风险类别：",
    }
    grid = form_grid(rows=[sample_row(7)], columns=keys, labels=labels)
    block = [
        None,
        None,
        "部门",
        "财务科",
        None,
        "职务",
        "会计",
        None,
        "填报日期",
        "2026年3月5日",
        "*姓 名",
        "王五",
    ]
    moved = [
        [],
        ["说明文字"],
        [],
        [None, None, *grid[0]],
        [],
        block,
        *([None, None, *r] for r in grid[2:]),
    ]
    write_form(tmp_path / "in" / "王五.xlsx", grid=moved, marker=False, merges={})
    rec, got, issues = only(tmp_path / "in", "王五.xlsx")
    assert rec["kind"] == vocab.INDIVIDUAL
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "财务科",
        "王五",
        "会计",
        "2026-03-05",
    )
    assert rec["header_cells"] == {"section": "D6", "post": "G6", "date": "J6", "name": "L6"}
    assert rec["colmap"]["description"] == "C" and rec["colmap"]["step"] == "F"
    assert got["excel_row"].tolist() == [8]
    assert got.loc[0, "step"] == "公文处理7" and got.loc[0, "self_level"] == "二级"
    assert got.loc[0, "category"] == "岗位职责风险"
    assert issues.empty


def test_label_and_value_in_one_cell(tmp_path: Path) -> None:
    grid = form_grid(rows=[sample_row(1)])
    grid[1] = [
        "科室：办公室",
        None,
        None,
        "姓名:  张三",
        None,
        "岗位（职务）：科员  填表日期：2026.3.9",
    ]
    write_form(tmp_path / "in" / "a.xlsx", grid=grid, merges={})
    rec, _, _ = only(tmp_path / "in", "a.xlsx")
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "办公室",
        "张三",
        "科员",
        "2026-03-09",
    )
    assert rec["header_cells"] == {"section": "A2", "name": "D2", "post": "F2", "date": "F2"}


def test_missing_header_value_points_at_the_empty_value_cell(tmp_path: Path) -> None:
    write_form(tmp_path / "in" / "a.xlsx", header={"name": None})
    rec, _, _ = only(tmp_path / "in", "a.xlsx")
    assert pd.isna(rec["name"]) and rec["header_cells"]["name"] == "E2"
    assert rec["section"] == "办公室"


def test_extra_column_blank_rows_and_seq_only_rows(tmp_path: Path) -> None:
    keys = [*vocab.TABLE_COLUMNS[vocab.INDIVIDUAL], "phone"]
    rows = [sample_row(1, phone="123"), {}, {"seq": 3}, sample_row(4), {}, sample_row(6)]
    rows += [{"seq": i} for i in range(7, 12)]
    write_form(
        tmp_path / "in" / "a.xlsx",
        columns=keys,
        labels={"phone": "联系电话"},
        rows=rows,
        formatted_rows=10,
    )
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["excel_row"].tolist() == [4, 7, 9]
    assert rec["n_rows"] == 3
    extra = issues[issues["code"] == "extra_column"].iloc[0]
    assert (extra["cell"], extra["value"], extra["action"]) == ("L3", "联系电话", vocab.ACTION_NOTE)
    blank = issues[issues["code"] == "blank_rows_skipped"].iloc[0]
    assert "3 个空行" in blank["problem"]
    assert codes(issues) == ["blank_rows_skipped", "extra_column"]


def test_merged_cells_carry_their_value_down(tmp_path: Path) -> None:
    rows = [sample_row(1), sample_row(2, step=None), sample_row(3, step=None), sample_row(4)]
    merges = {MAIN: ["A1:K1", "B2:C2", "B4:B6", "E5:F5"]}
    write_form(tmp_path / "in" / "a.xlsx", rows=rows, merges=merges)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["step"].tolist() == ["公文处理1", "公文处理1", "公文处理1", "公文处理4"]
    assert got.loc[1, "harm"] == got.loc[1, "likelihood"] == "中"
    assert rec["section"] == "办公室"
    (merged,) = issues[issues["code"] == "merged_cells"].to_dict("records")
    assert merged["cell"] == "B4" and "B4:B6、E5:F5" in merged["problem"]
    assert codes(issues) == ["merged_cells"]


def test_numbers_and_dates_as_text_and_as_numbers(tmp_path: Path) -> None:
    rows = [
        sample_row(1.0, likelihood=2, remark=datetime(2026, 4, 1), self_level=1.5),
        sample_row("2", remark="2026/4/2"),
    ]
    write_form(tmp_path / "in" / "a.xlsx", rows=rows, header={"date": "2026/3/15"})
    rec, got, _ = only(tmp_path / "in", "a.xlsx")
    assert rec["date"] == "2026-03-15"
    assert got["seq"].tolist() == ["1", "2"]
    assert got["likelihood"].tolist() == ["2", "中"]
    assert got["remark"].tolist() == ["2026-04-01", "2026/4/2"]
    assert got.loc[0, "self_level"] == "1.5"


def test_total_and_signature_lines_under_the_table_are_not_risk_points(tmp_path: Path) -> None:
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    grid += [
        [],
        ["合  计", "2项"],
        ["小计：", None, None, "一级0个，二级2个", None, None, "2"],
        ["填表人", "张三", "审核人", "李四", "联系电话", "12345678", "日期", "2026.3.11"],
    ]
    assert len(grid[-1]) > 4 and grid[-3][0].startswith("合")  # precondition: long lines
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["seq"].tolist() == ["1", "2"] and rec["n_rows"] == 2
    assert issues.empty  # no blank row before a 合计 line to report either


def test_a_signature_line_whose_label_ends_in_qianzi_is_no_risk_point(tmp_path: Path) -> None:
    """填表人签字： under the 序号 column and 日期： under another: a short signature line whose
    labels are no header label (it was sent back with four 「没有填写」)."""
    grid = form_grid(rows=[sample_row(1)])
    grid += [["填表人签字：", None, None, "日期："], ["科室负责人（签名）", None, "盖章"]]
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["seq"].tolist() == ["1"] and rec["n_rows"] == 1
    assert issues.empty


def test_a_pledge_written_under_the_table_is_the_pledge_not_a_risk_point(tmp_path: Path) -> None:
    """The 廉政承诺书 on the table's own sheet, under the points (no 承诺书 sheet), as many
    bodies' one-page forms have it: its 承诺人 line was sent back as a risk point with three
    「没有填写」 and the person was listed 缺少承诺书."""
    grid = form_grid(rows=[sample_row(1)])
    width = len(grid[2])
    grid += [
        [],
        ["廉政承诺书", *[None] * (width - 1)],
        ["本人郑重承诺：一、严守纪律；二、不谋私利；三、接受监督。", *[None] * (width - 1)],
        ["承诺人：张三", None, None, None, None, None, "承诺日期：2026年3月10日"],
    ]
    sheets = {vocab.MAIN_SHEET[vocab.INDIVIDUAL]: grid, vocab.SHEET_GUIDE: [["填表说明"]]}
    write_xlsx(tmp_path / "in" / "a.xlsx", sheets)
    assert vocab.SHEET_PLEDGE not in sheets  # precondition: no pledge sheet of its own
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["seq"].tolist() == ["1"] and rec["n_rows"] == 1
    assert (rec["pledge_sheet"], rec["pledge_items"], rec["pledger"], rec["pledge_date"]) == (
        True,
        3,
        "张三",
        "2026-03-10",
    )
    assert rec["pledge_sheet_name"] == vocab.MAIN_SHEET[vocab.INDIVIDUAL]
    assert issues.empty


def test_a_sentence_naming_cheng_nuo_under_the_table_is_no_pledge(tmp_path: Path) -> None:
    """「本人承诺以上填报内容真实准确。」 under the points is no 廉政承诺书: without a 承诺书 title
    or a 承诺人 line the person still has no pledge (and is told so)."""
    grid = form_grid(rows=[sample_row(1)])
    grid += [[], ["本人承诺以上填报内容真实准确。"], ["填表人签字：", None, None, "日期："]]
    sheets = {vocab.MAIN_SHEET[vocab.INDIVIDUAL]: grid, vocab.SHEET_GUIDE: [["填表说明"]]}
    write_xlsx(tmp_path / "in" / "a.xlsx", sheets)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["seq"].tolist() == ["1"]
    assert (rec["pledge_sheet"], rec["pledge_items"]) == (False, 0)
    assert issues.empty


@pytest.mark.parametrize("label", ["单位（科室）", "填报单位(部门)"])
def test_a_section_label_written_as_unit_with_its_word_in_brackets(
    tmp_path: Path, label: str
) -> None:
    """「单位（科室）：办公室  填表人：张三 …」 in one cell: the form was refused for a missing
    科室 and 姓名, though both are written."""
    grid = form_grid(rows=[sample_row(1)])
    grid[1] = [f"{label}：办公室  填表人：张三  岗位：科员  时间：2026.03.10"]
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "办公室",
        "张三",
        "科员",
        "2026-03-10",
    )
    assert len(got) == 1 and issues.empty


def test_header_block_written_as_a_signature_line_under_the_table(tmp_path: Path) -> None:
    grid = form_grid(rows=[sample_row(1)])
    grid[1] = [None] * len(grid[1])  # no header block above the table
    grid.append(
        ["科室：", "办公室", "姓名：", "张三", "岗位（职务）：", "科员", "填表日期：", "2026-03-10"]
    )
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, _ = only(tmp_path / "in", "a.xlsx")
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "办公室",
        "张三",
        "科员",
        "2026-03-10",
    )
    assert got["seq"].tolist() == ["1"]


def test_a_point_whose_step_begins_like_a_total_is_read(tmp_path: Path) -> None:
    rows = [sample_row(None, step="总计划编制"), sample_row(None, step="小计量器具采购")]
    write_form(tmp_path / "in" / "a.xlsx", rows=rows)
    _, got, _ = only(tmp_path / "in", "a.xlsx")
    assert got["step"].tolist() == ["总计划编制", "小计量器具采购"]


def test_header_block_on_a_cover_sheet_before_the_table(tmp_path: Path) -> None:
    grid = form_grid(rows=[sample_row(1)])
    grid[1] = [None] * len(grid[1])  # the table's sheet has no header block
    cover = [
        ["个人廉政风险自查表"],
        ["科室：", "办公室"],
        ["姓名：", "张三"],
        ["填表日期：", "2026年3月10日"],
    ]
    write_xlsx(
        tmp_path / "in" / "a.xlsx",
        {"封面": cover, MAIN: grid, vocab.SHEET_PLEDGE: pledge_grid(["不收受礼金"])},
    )
    rec, got, _ = only(tmp_path / "in", "a.xlsx")
    assert (rec["sheet"], rec["section"], rec["name"], rec["date"]) == (
        MAIN,
        "办公室",
        "张三",
        "2026-03-10",
    )
    assert got["seq"].tolist() == ["1"]
    assert rec["header_cells"]["name"] == ""  # on another sheet: no cell of the table's


def test_a_header_block_on_the_tables_sheet_wins_over_a_cover(tmp_path: Path) -> None:
    cover = [["科室：", "财务科"], ["姓名：", "王五"]]
    write_xlsx(tmp_path / "in" / "a.xlsx", {"封面": cover, MAIN: form_grid()})
    rec, _, _ = only(tmp_path / "in", "a.xlsx")
    assert (rec["section"], rec["name"]) == ("办公室", "张三")


def test_dates_in_chinese_numerals_are_dates(tmp_path: Path) -> None:
    # official papers write dates in Chinese numerals: 填表日期 and 承诺日期 as typed so
    day = "二〇二六年三月五日"
    write_form(
        tmp_path / "in" / "a.xlsx",
        header={"date": day},
        pledge=pledge_grid(["不收受礼金"], when=day),
    )
    rec, _, issues = only(tmp_path / "in", "a.xlsx")
    assert (rec["date"], rec["pledge_date"]) == ("2026-03-05", "2026-03-05")
    assert issues.empty


def test_combined_measures_column_goes_to_measures(tmp_path: Path) -> None:
    keys = ["seq", "step", "category", "description", "likelihood", "harm", "measures"]
    text = "前期：学习\n中期：检查\n后期：问责"
    write_form(
        tmp_path / "in" / "a.xlsx",
        columns=keys,
        labels={"measures": "防控要点及防控措施"},
        rows=[sample_row(1, measures=text)],
    )
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got.loc[0, "measures"] == text
    assert got[["prevent", "monitor", "handle"]].isna().all().all()
    assert rec["colmap"]["measures"] == "G" and issues.empty


def test_unit_form_without_marker_is_a_unit_form(tmp_path: Path) -> None:
    write_form(
        tmp_path / "in" / "u.xlsx",
        kind=vocab.UNIT,
        marker=False,
        rows=[sample_row(1, posts_involved="会计、出纳")],
    )
    rec, got, _ = only(tmp_path / "in", "u.xlsx")
    assert (rec["kind"], rec["head"], rec["section"]) == (vocab.UNIT, "李四", "办公室")
    assert got.loc[0, "posts_involved"] == "会计、出纳"
    assert not rec["pledge_sheet"]


def test_empty_form_is_read_with_no_rows(tmp_path: Path) -> None:
    write_form(
        tmp_path / "in" / "a.xlsx", rows=[{"seq": i} for i in range(1, 31)], formatted_rows=5
    )
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert (rec["status"], rec["n_rows"], len(got)) == ("read", 0, 0)
    assert issues.empty


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv(tmp_path: Path, encoding: str) -> None:
    grid = form_grid(rows=[sample_row(1, description="含,逗号\n两行"), sample_row(2)])
    grid[1] = ["科室", "办公室", "", "姓名", "张三"]
    out = tmp_path / "in" / "表.csv"
    out.parent.mkdir()
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in grid])
    out.write_bytes(buf.getvalue().encode(encoding))
    rec, got, issues = only(tmp_path / "in", "表.csv")
    assert (rec["status"], rec["section"], rec["name"], rec["sheet"]) == (
        "read",
        "办公室",
        "张三",
        "表",
    )
    assert got["description"].tolist() == ["含,逗号\n两行", "泄露未公开信息2"]
    assert got["excel_row"].tolist() == [4, 5]
    assert codes(issues) == ["legacy_format"]
    assert issues.iloc[0]["action"] == vocab.ACTION_NOTE


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_legacy_formats_converted_by_libreoffice(tmp_path: Path, fmt: str) -> None:
    src = write_form(
        tmp_path / "src" / "张三.xlsx",
        rows=[sample_row(1), sample_row(2, step=None), sample_row(3)],
        merges={MAIN: ["A1:D1", "B4:B5"]},
    )
    inbox = tmp_path / "in"
    inbox.mkdir()
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            fmt,
            "--outdir",
            str(inbox),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    name = f"张三.{fmt}"
    rec, got, issues = only(inbox, name)
    assert (rec["status"], rec["kind"], rec["name"], rec["date"]) == (
        "read",
        "individual",
        "张三",
        "2026-03-10",
    )
    assert rec["pledge_items"] == 1
    assert got["step"].tolist() == ["公文处理1", "公文处理1", "公文处理3"]
    assert got["seq"].tolist() == ["1", "2", "3"]
    assert codes(issues) == ["legacy_format", "merged_cells"]


def test_rows_frame_ids_follow_file_order_then_row(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    write_form(inbox / "b.xlsx", header={"name": "乙"}, rows=[sample_row(1), sample_row(2)])
    write_form(inbox / "a" / "a.xlsx", header={"name": "甲"}, rows=[sample_row(1)])
    files, rows, _ = run(inbox)
    assert rows[["file", "excel_row", "row_id"]].values.tolist() == [
        ["a/a.xlsx", 4, 0],
        ["b.xlsx", 4, 1],
        ["b.xlsx", 5, 2],
    ]
    assert str(rows["description"].dtype) == "str" and str(rows["excel_row"].dtype) == "int64"
    assert list(files.columns) == list(frames.FILE_COLUMNS)


def test_xlsx_renamed_to_xls_is_read_by_its_content(tmp_path: Path) -> None:
    src = write_form(tmp_path / "src.xlsx", rows=[sample_row(1)])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "张三.xls").write_bytes(src.read_bytes())
    rec, got, issues = only(tmp_path / "in", "张三.xls")
    assert (rec["status"], rec["name"], len(got)) == ("read", "张三", 1)
    assert issues.empty


def test_individual_form_without_pledge_sheet(tmp_path: Path) -> None:
    grid = form_grid(rows=[sample_row(1)])
    write_xlsx(tmp_path / "in" / "a.xlsx", {MAIN: grid})
    rec, _, _ = only(tmp_path / "in", "a.xlsx")
    assert (rec["pledge_sheet"], rec["pledge_items"]) == (False, 0)
    assert pd.isna(rec["pledger"])


@pytest.mark.parametrize("how", ["cleared", "header_row_deleted"])
def test_a_template_whose_form_table_is_gone_is_told_so_not_read_from_its_guide(
    tmp_path: Path, how: str
) -> None:
    """The office's template sent back with the form sheet emptied (or its table's header
    row deleted): before, the 填表说明's four examples were read as the sender's 29 rows and
    sent back for a missing 科室 and 姓名. Now no row is read from the guide and the reason
    says the template's table is gone."""
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    from pipeline import templates

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    blank = tmp_path / "blank.xlsx"
    templates.write_form(blank, vocab.INDIVIDUAL, {}, [])
    wb = openpyxl.load_workbook(blank)
    guide = [c.value for row in wb[vocab.SHEET_GUIDE].iter_rows() for c in row]
    assert vocab.COLUMN_LABELS["description"] in guide  # the precondition: an example table
    ws = wb[vocab.MAIN_SHEET[vocab.INDIVIDUAL]]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == vocab.COLUMN_LABELS["seq"])
    for row in ws.iter_rows(min_row=2 if how == "cleared" else header, max_row=header):
        for c in row:
            if not isinstance(c, MergedCell):
                c.value = None
    wb.save(inbox / "张三.xlsx")
    rec, got, issues = only(inbox, "张三.xlsx")
    assert (rec["status"], rec["reason"]) == ("rejected", "template_without_table")
    assert got.empty
    assert issues["problem"].tolist() == [vocab.MESSAGES["template_without_table"].problem]


def test_a_workbook_whose_directory_offset_was_damaged_is_sent_back_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    """A few bytes changed in transit in the zip's end record (the central directory's
    offset made larger): zipfile still finds the directory and puts every part before the
    file's start (a negative offset), and the pre-scan read the bytes from the end of the
    file, raising struct.error in the main process: the whole run stopped with a traceback.
    Now the file is 退回 as damaged, and the other files are read."""
    import struct

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(inbox / "张三.xlsx")
    write_form(tmp_path / "李四.xlsx", header={"name": "李四"})
    data = bytearray((tmp_path / "李四.xlsx").read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 100_000)
    (inbox / "李四.xlsx").write_bytes(bytes(data))
    with zipfile.ZipFile(inbox / "李四.xlsx") as zf:  # the precondition: zipfile opens it
        assert zf.infolist()[0].header_offset < 0
    files, _rows, issues = run(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["李四.xlsx", "status"] == frames.FILE_STATUS_REJECTED
    (told,) = issues[issues["file"] == "李四.xlsx"].to_dict("records")
    assert told["code"] == "corrupt" and "文件已损坏或不完整" in told["problem"]
    assert by_file.loc["张三.xlsx", "status"] == frames.FILE_STATUS_READ


@pytest.mark.parametrize("mark", ["★", "※", "▲"])
def test_labels_marked_required_with_a_star_are_read(tmp_path: Path, mark: str) -> None:
    # some bodies mark a required column with ★ (or ※, ▲) where others write *: 「★风险点描述」
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    grid[1] = [f"{mark}{v}" if i % 3 == 0 and v else v for i, v in enumerate(grid[1])]
    marked = {vocab.COLUMN_LABELS[k] for k in ("step", "category", "description")}
    grid[2] = [f"{mark}{v}" if v in marked else v for v in grid[2]]
    assert grid[2][3] == f"{mark}风险点描述" and grid[1][3] == f"{mark}姓名"
    write_form(tmp_path / "in" / "张三.xlsx", grid=grid, marker=False)
    rec, got, issues = only(tmp_path / "in", "张三.xlsx")
    assert rec["status"] == frames.FILE_STATUS_READ
    assert (rec["section"], rec["name"], rec["post"]) == ("办公室", "张三", "科员")
    assert got["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息2"]
    assert got["step"].tolist() == ["公文处理1", "公文处理2"]
    assert got["category"].tolist() == ["岗位职责风险"] * 2
    assert issues.empty


@pytest.mark.parametrize("label", ["危害后果", "影响后果", "后果严重程度"])
def test_a_harm_column_labelled_by_its_consequence_is_the_harm_column(
    tmp_path: Path, label: str
) -> None:
    """「危害后果」 over the 危害程度 values (as public forms label it): the column was an extra
    column kept in 备注 and every row was graded as if it had no 危害程度."""
    grid = form_grid(rows=[sample_row(1, harm="严重"), sample_row(2, harm="一般")])
    grid[2] = [label if v == vocab.COLUMN_LABELS["harm"] else v for v in grid[2]]
    assert label in grid[2]  # precondition: the label replaced the template's
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["harm"].tolist() == ["严重", "一般"] and rec["n_rows"] == 2
    assert issues.empty


@pytest.mark.parametrize(
    "line",
    [
        ["联系人：张三", None, None, "电话：12345678"],
        ["经办人：张三", None, None, "联系方式：12345678"],
        ["单位（盖章）", None, None, None, None, "2026年3月20日"],
        ["本人（签字）：", None, None, "审定人：李四"],
    ],
)
def test_a_contact_or_stamp_line_under_the_table_is_no_risk_point(
    tmp_path: Path, line: list[object]
) -> None:
    """「联系人：张三 … 电话：…」 and 「单位（盖章） … 2026年3月20日」 under the points were read
    as a third point (then 退回 with 「风险点描述」没有填写 and 自评等级「2026年3月20日」)."""
    grid = form_grid(rows=[sample_row(1), sample_row(2)]) + [line]
    write_form(tmp_path / "in" / "a.xlsx", grid=grid)
    rec, got, issues = only(tmp_path / "in", "a.xlsx")
    assert got["seq"].tolist() == ["1", "2"] and rec["n_rows"] == 2
    assert issues.empty
