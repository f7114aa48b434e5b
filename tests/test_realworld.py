"""Real-world submissions the robustness sweep found mishandled: each builds the workbook,
reads it back through discover + read (+ validate) and checks the exact reason and cell."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config, discover, frames, layout, read, vocab, xlsx
from pipeline.validate import validate
from tests.forms import form_grid, pledge_grid, rewrite_zip, sample_row, write_form, write_xlsx
from tests.test_validate import make_roster

MAIN = vocab.SHEET_INDIVIDUAL
SHEET_XML = "xl/worksheets/sheet1.xml"
SETTINGS = config.default_settings()


def run(inbox: Path):
    files, found = discover.discover(inbox, SETTINGS)
    files, rows, issues = read.read_files(files, inbox, SETTINGS)
    return files, rows, frames.concat_issues(found, issues)


def checked(inbox: Path):
    """discover + read + validate against the test roster (办公室: 张三, 李四; 财务科: …)."""
    files, rows, issues = run(inbox)
    files, rows, points, more = validate(files, rows, make_roster(), SETTINGS)
    return files, points, frames.concat_issues(issues, more)


def one(issues: pd.DataFrame, code: str) -> dict:
    (issue,) = issues[issues["code"] == code].to_dict("records")
    return issue


# --------------------------------------------------------------------------------------
# discover
# --------------------------------------------------------------------------------------
def test_symlink_loop_is_refused_not_a_crash(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx")
    os.symlink(inbox / "loop.xlsx", inbox / "loop.xlsx")
    _files, rows, issues = run(inbox)
    assert one(issues, "symlink")["file"] == "loop.xlsx"
    assert len(rows) == 1


def test_a_link_to_a_form_never_displaces_the_form_itself(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx")
    os.symlink(inbox / "张三.xlsx", inbox / "a_link.xlsx")  # sorts first
    _files, rows, issues = run(inbox)
    dup = one(issues, "duplicate_file")
    assert dup["file"] == "a_link.xlsx"
    assert dup["problem"] == "与文件「张三.xlsx」内容完全相同，按重复文件处理，未重复计入。"
    assert set(rows["file"]) == {"张三.xlsx"}


def test_broken_ole_file_that_is_no_spreadsheet_is_not_called_a_corrupt_form(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "资料.db").write_bytes(discover.OLE_MAGIC + b"\x00" * 504)
    (inbox / "表.xls").write_bytes(discover.OLE_MAGIC + b"\x00" * 504)
    _files, _rows, issues = run(inbox)
    by_file = issues.set_index("file")
    assert by_file.loc["资料.db", "code"] == "not_excel"
    assert by_file.loc["表.xls", "code"] == "corrupt"
    assert by_file.loc["表.xls", "problem"] == (
        "文件已损坏或不完整，无法打开（旧版 Excel（.xls）文件结构损坏）。"
    )


# --------------------------------------------------------------------------------------
# broken files: the reason is said in Chinese, never an exception name
# --------------------------------------------------------------------------------------
def _truncated(path: Path) -> None:
    write_form(path)
    path.write_bytes(path.read_bytes()[:-40])


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(1, 9)) * 400)


@pytest.mark.parametrize(
    ("build", "detail"),
    [(_truncated, vocab.DETAIL_BROKEN_ZIP), (_garbage, vocab.DETAIL_NOT_SPREADSHEET)],
    ids=["truncated", "garbage"],
)
def test_corrupt_file_reason_is_chinese(tmp_path: Path, build, detail: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build(inbox / "坏.xlsx")
    _files, _rows, issues = run(inbox)
    issue = one(issues, "corrupt")
    assert issue["problem"] == f"文件已损坏或不完整，无法打开（{detail}）。"
    assert not re.search("[A-Za-z]{4,}", issue["problem"].replace("Excel", ""))


# --------------------------------------------------------------------------------------
# text tables: UTF-16 (Excel's Unicode text), GBK, and with a spreadsheet extension
# --------------------------------------------------------------------------------------
def _text_table(delimiter: str) -> str:
    out = io.StringIO()
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    grid[1][grid[1].index(vocab.HEADER_LABELS["date"]) + 1] = "2026/3/5"
    csv.writer(out, delimiter=delimiter).writerows([[c or "" for c in r] for r in grid])
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("张三.csv", ",", "utf-16"),
        ("张三.xls", "\t", "utf-16"),  # web systems' "xls" exports
        ("张三.xlsx", ",", "gbk"),
        ("张三.txt", "\t", "utf-16"),  # Excel's 「Unicode 文本」
        ("张三.txt", "\t", "gbk"),  # Excel's 「文本文件（制表符分隔）」
        ("张三.tsv", "\t", "utf-8"),
    ],
)
def test_text_table_is_read_whatever_its_extension(
    tmp_path: Path, name: str, delimiter: str, encoding: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(_text_table(delimiter).encode(encoding))
    files, rows, issues = run(inbox)
    rec = files.set_index("file").loc[name]
    assert (rec["status"], rec["name"], rec["date"]) == (
        frames.FILE_STATUS_READ,
        "张三",
        "2026-03-05",
    )
    assert rows["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息2"]
    assert rows["excel_row"].tolist() == [4, 5]
    assert issues["code"].tolist() == ["legacy_format"]


def test_a_web_exports_text_fields_written_as_formulas_are_their_text(tmp_path: Path) -> None:
    """Web systems write CSV fields as ``="…"`` so that Excel keeps them as typed (zeros,
    dates): Excel shows the text inside, and so does the reader (never evaluating anything
    else: ``=1+1`` stays as written)."""
    grid = form_grid(rows=[sample_row(1, remark="=1+1"), sample_row(2)])
    grid[1][grid[1].index(vocab.HEADER_LABELS["date"]) + 1] = "2026-03-05"
    lines = [
        ",".join("" if v is None else v if str(v).startswith("=") else f'="{v}"' for v in row)
        for row in grid
    ]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "张三.csv").write_bytes("\r\n".join(lines).encode("gbk"))
    assert '="张三",' in lines[1] and '="2026-03-05"' in lines[1]  # the precondition
    files, rows, issues = run(inbox)
    rec = files.set_index("file").loc["张三.csv"]
    assert (rec["status"], rec["section"], rec["name"], rec["date"]) == (
        frames.FILE_STATUS_READ,
        "办公室",
        "张三",
        "2026-03-05",
    )
    assert rows["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息2"]
    assert rows["remark"].tolist()[0] == "=1+1"
    assert issues["code"].tolist() == ["legacy_format"]


def test_text_table_saved_as_xls_gets_an_annotated_copy(tmp_path: Path) -> None:
    """A web system's tab-separated "xls" is read as text, so its annotated copy is too: the
    note lands on the same cell the reader named."""
    import openpyxl

    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy

    source = tmp_path / "张三.xls"
    source.write_bytes(_text_table("\t").encode("utf-16"))
    _files, rows, _issues = run(tmp_path)
    col = vocab.TABLE_COLUMNS[vocab.INDIVIDUAL].index("description")
    cell = f"{xlsx.col_letter(col)}{rows['excel_row'].iloc[0]}"
    note = Annotation(MAIN, cell, vocab.ACTION_REJECT, "风险点描述过于笼统。", "请具体描述。")
    target = tmp_path / "out" / "张三_批注.xlsx"
    task = AnnotateTask(str(source), str(target), ".xls", MAIN, (note,), 10**8)
    assert annotate_copy(task) == str(target)
    ws = openpyxl.load_workbook(target).worksheets[0]
    assert ws[cell].value == "泄露未公开信息1"
    assert "风险点描述过于笼统" in ws[cell].comment.text


# --------------------------------------------------------------------------------------
# labels with hints, header values under their labels, more header synonyms
# --------------------------------------------------------------------------------------
def test_bracketed_hints_after_labels_are_ignored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = form_grid(
        labels={
            "description": "风险点描述（必填）",
            "likelihood": "发生几率\n（高、中、低）",
            "harm": "危害程度【严重/较重/一般】",
            "self_level": "风险等级(一级、二级、三级)",
        }
    )
    grid[1][grid[1].index("姓名")] = "姓名（签字）"
    write_form(inbox / "a.xlsx", grid=grid, marker=False)
    files, rows, issues = run(inbox)
    rec = files.set_index("file").loc["a.xlsx"]
    assert (rec["status"], rec["name"]) == (frames.FILE_STATUS_READ, "张三")
    assert rec["colmap"]["self_level"] == "G" and rec["colmap"]["likelihood"] == "E"
    assert rows[["likelihood", "harm", "self_level"]].values.tolist() == [["中", "较重", "二级"]]
    assert issues.empty


def test_header_values_in_the_row_under_their_labels(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = [
        ["个人廉政风险自查表"],
        ["科室", "姓名", "岗位（职务）", "填表时间"],
        ["办公室", "张三", "科员", "2026年3月5日"],
        [],
        list(form_grid()[2]),
        list(form_grid()[3]),
    ]
    write_form(inbox / "a.xlsx", grid=grid, marker=False, merges={})
    files, rows, _issues = run(inbox)
    rec = files.set_index("file").loc["a.xlsx"]
    assert (rec["section"], rec["name"], rec["post"], rec["date"]) == (
        "办公室",
        "张三",
        "科员",
        "2026-03-05",
    )
    assert rec["header_cells"] == {"section": "A3", "name": "B3", "post": "C3", "date": "D3"}
    assert rows["excel_row"].tolist() == [6]


# --------------------------------------------------------------------------------------
# two forms stacked in one sheet: each is read as its own person's, never mixed in
# (a form on each sheet is read sheet by sheet: tests/test_realforms.py)
# --------------------------------------------------------------------------------------
def test_second_form_below_the_first_in_one_sheet_is_read_as_its_own_persons(
    tmp_path: Path,
) -> None:
    """Another person's form pasted under the first on one sheet, with its own title, header
    block and table: it was 退回 「还有另一份自查表（办公室 李四）」 and its rows not read."""
    inbox = tmp_path / "inbox"
    first = form_grid(rows=[sample_row(1), sample_row(2)])
    second = form_grid(header={"name": "李四"}, rows=[sample_row(5)])
    write_form(inbox / "两人.xlsx", grid=first + [[], []] + second, marker=False)
    files, points, issues = checked(inbox)
    rec = files.set_index("file").loc["两人.xlsx"]
    assert (rec["name"], rec["n_rows"]) == ("张三", 3)
    got = points[["name", "description", "excel_row"]].values.tolist()
    assert got == [["张三", "泄露未公开信息1", 4], ["张三", "泄露未公开信息2", 5]] + [
        ["李四", "泄露未公开信息5", 11]
    ]
    assert "second_form" not in set(issues["code"])
    assert "blank_rows_skipped" not in set(issues["code"])  # the lines between the two forms


@pytest.mark.parametrize("again", ["top", "续表"])
def test_a_table_continued_over_a_page_break_is_the_same_form(tmp_path: Path, again: str) -> None:
    """The table goes on after a page break under 「续表」 and its header, or under a copy of
    the page's top (title, this person's header block, header): it was 退回 as 「还有另一份
    自查表（办公室 张三）」, its rows not read, and the title line counted as a blank row."""
    inbox = tmp_path / "inbox"
    first = form_grid(rows=[sample_row(1), sample_row(2)])
    top = first[:3] if again == "top" else [["续表"], first[2]]
    more = form_grid(rows=[sample_row(3)])[3:]
    write_form(inbox / "张三.xlsx", grid=first + top + more, marker=False)
    assert top[-1] == first[2] and (top[0] == ["续表"] or top[1] == first[1])  # precondition
    files, rows, issues = run(inbox)
    rec = files.set_index("file").loc["张三.xlsx"]
    assert (rec["name"], rec["n_rows"]) == ("张三", 3)
    assert rows["accepted"].all()
    assert rows["description"].tolist() == [f"泄露未公开信息{i}" for i in (1, 2, 3)]
    assert issues.empty
    # another person's form stacked under it is another form: read as theirs
    second = form_grid(header={"name": "李四"}, rows=[sample_row(5)])
    write_form(inbox / "张三.xlsx", grid=first + top + more + second, marker=False)
    _files, rows, issues = run(inbox)
    assert rows["row_name"].tolist() == ["张三"] * 3 + ["李四"]
    assert issues.empty


def test_a_line_of_only_measures_under_a_point_is_that_points(tmp_path: Path) -> None:
    """Measures typed one per line, the second on the next row with nothing else (no 序号, no
    description): it was 退回 with five 「没有填写」 as a risk point of its own."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    width = len(grid[2])
    more = [None] * width
    for key, text in (("prevent", "签订保密承诺"), ("handle", "通报批评")):
        more[grid[2].index(vocab.COLUMN_LABELS[key])] = text
    grid.insert(4, more)  # under the first point
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    assert grid[4][0] is None and grid[4].count(None) == width - 2  # precondition
    files, rows, issues = run(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert rows["excel_row"].tolist() == [4, 6]
    first = rows.iloc[0]
    assert (first["prevent"], first["monitor"], first["handle"]) == (
        "加强保密教育\n签订保密承诺",
        "定期检查",
        "追究责任\n通报批评",
    )
    note = one(issues, "measures_line_joined")
    assert (note["cell"], note["action"]) == ("H5", vocab.ACTION_NOTE)  # its first measure
    assert "第 5 行" in note["problem"] and "第 4 行" in note["problem"]
    assert set(issues["code"]) == {"measures_line_joined"}


@pytest.mark.parametrize(
    ("cells", "description", "prevent"),
    [
        ({"description": "，导致信息泄露"}, "泄露未公开信息1，导致信息泄露", "加强保密教育"),
        (
            {"description": "以及擅自复制文件", "prevent": "签订保密承诺"},
            "泄露未公开信息1以及擅自复制文件",
            "加强保密教育\n签订保密承诺",
        ),
    ],
)
def test_a_point_whose_text_runs_on_in_the_row_below_is_one_point(
    tmp_path: Path, cells: dict[str, str], description: str, prevent: str
) -> None:
    """A description typed over two rows, the second with no 序号 and no values: it was 退回 as
    a risk point of its own with four 「没有填写」, the point above lacking the rest of its text."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    more = [None] * len(grid[2])
    for key, text in cells.items():
        more[grid[2].index(vocab.COLUMN_LABELS[key])] = text
    grid.insert(4, more)  # under the first point
    assert grid[4][0] is None and grid[3][0] == 1  # precondition: no 序号 under a numbered point
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert points["excel_row"].tolist() == [4, 6]
    first = points.iloc[0]
    assert (first["description"], first["prevent"]) == (description, prevent)
    note = one(issues, "point_line_continued")
    assert (note["cell"], note["action"]) == ("D5", vocab.ACTION_NOTE)
    assert "第 5 行" in note["problem"] and "第 4 行" in note["problem"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


@pytest.mark.parametrize("merged", ["A", "ABC", "ABCEFGHIJ"])
def test_a_description_over_two_rows_under_a_merged_seq_is_one_point(
    tmp_path: Path, merged: str
) -> None:
    """序号 (and maybe 职权事项, 风险类别, the levels and measures) merged over two rows, the
    风险点描述 typed in two cells (违规借出涉密档案， | 导致信息泄露): the second row was 退回
    as a point of its own with 「没有填写」s (or counted as a second point), the first lacking
    the rest of its text. One numbered item is one point: the second row runs on."""
    inbox = tmp_path / "inbox"
    rows = [
        sample_row(1, description="违规借出涉密档案，"),
        {"description": "导致信息泄露"},  # row 5
        sample_row(2),
    ]
    merges = ["A1:D1", *(f"{c}4:{c}5" for c in merged)]
    write_form(inbox / "张三.xlsx", rows=rows, marker=False, merges={MAIN: merges})
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert points[["excel_row", "description"]].values.tolist() == [
        [4, "违规借出涉密档案，导致信息泄露"],
        [6, "泄露未公开信息2"],
    ]
    note = one(issues, "point_line_continued")
    assert (note["cell"], note["action"]) == ("D5", vocab.ACTION_NOTE)
    assert "与上一行合并" in note["problem"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_rows_of_their_own_under_a_merged_seq_stay_points(tmp_path: Path) -> None:
    """A 序号 merged over a block of points each with its own 发生几率, 危害程度 and 等级: each
    row is a point, as before."""
    inbox = tmp_path / "inbox"
    rows = [sample_row(1), sample_row(None, description="另一个风险点", likelihood="高")]
    write_form(inbox / "张三.xlsx", rows=rows, marker=False, merges={MAIN: ["A1:D1", "A4:A5"]})
    _files, points, issues = checked(inbox)
    assert points["description"].tolist() == ["泄露未公开信息1", "另一个风险点"]
    assert "point_line_continued" not in set(issues["code"])


def test_a_row_without_a_number_but_with_values_is_a_point_of_its_own(tmp_path: Path) -> None:
    """A row with no 序号 that has a 风险类别 or level of its own is a risk point, not a run-on."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(None, description="另一个风险点")])
    assert grid[4][0] is None  # precondition
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    assert points["description"].tolist() == ["泄露未公开信息1", "另一个风险点"]
    assert "point_line_continued" not in set(issues["code"])


def test_the_same_persons_form_on_two_sheets_is_said(tmp_path: Path) -> None:
    """A person kept a copy of their sheet (a draft: 「个人廉政风险自查表 (2)」) in the workbook
    they sent: both sheets are read as theirs and the draft's points went into the catalogue
    without a word. Now a 提示 at the later sheet's 姓名 says so."""
    inbox = tmp_path / "inbox"
    final = form_grid(rows=[sample_row(1), sample_row(2)])
    draft = form_grid(rows=[sample_row(1), sample_row(3, description="旧稿中的描述")])
    assert final[1][:4] == draft[1][:4]  # precondition: the same 科室 and 姓名 on both
    write_xlsx(inbox / "张三.xlsx", {MAIN: final, f"{MAIN} (2)": draft})
    _files, rows, issues = run(inbox)
    assert rows["accepted"].all() and len(rows) == 4
    note = one(issues, "same_person_sheets")
    assert (note["sheet"], note["cell"], note["action"]) == (f"{MAIN} (2)", "E2", vocab.ACTION_NOTE)
    assert f"「{MAIN}」和「{MAIN} (2)」都是张三的自查表" in note["problem"]
    assert set(issues["code"]) == {"same_person_sheets"}


def test_filled_copy_is_read_when_the_template_sheet_was_left_empty(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_xlsx(
        inbox / "a.xlsx",
        {MAIN: form_grid(rows=[]), "Sheet2": form_grid(rows=[sample_row(1)])},
    )
    files, rows, issues = run(inbox)
    assert files.set_index("file").loc["a.xlsx", "sheet"] == "Sheet2"
    assert len(rows) == 1 and issues.empty


def test_a_hidden_sheet_holding_a_form_is_read_with_a_note(tmp_path: Path) -> None:
    """A workbook of one sheet per person with a person's sheet hidden (or an old form kept
    on a hidden sheet): its rows were neither read nor reported, so that person's points left
    no trace and they were 未报送. They are read like a visible sheet's (nothing a file holds
    is dropped) with one 提示 at the hidden sheet's table header naming it."""
    inbox = tmp_path / "inbox"

    def hide_second(name: str, second: list[list[object]]) -> None:
        path = write_xlsx(tmp_path / name, {MAIN: form_grid(), "李四": second})
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml")
        hidden = workbook.replace(b'sheetId="2"', b'sheetId="2" state="hidden"')
        rewrite_zip(path, inbox / name, {"xl/workbook.xml": hidden})

    inbox.mkdir()
    hide_second("a.xlsx", form_grid(header={"name": "李四"}, rows=[sample_row(9)]))
    # precondition: the second sheet is hidden and holds 李四's form with one point
    with zipfile.ZipFile(inbox / "a.xlsx") as zf:
        assert '"李四" sheetId="2" state="hidden"'.encode() in zf.read("xl/workbook.xml")
    _files, rows, issues = run(inbox)
    assert rows["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息9"]
    assert rows["row_name"].tolist() == ["张三", "李四"]
    note = one(issues, "hidden_sheet_read")
    assert (note["sheet"], note["cell"], note["action"]) == ("李四", "A3", vocab.ACTION_NOTE)
    assert (note["section"], note["name"]) == ("办公室", "李四")
    assert note["problem"] == "工作表「李四」是隐藏的（打开时看不到），其中的自查表已照常读取。"
    assert set(issues["code"]) == {"hidden_sheet_read"}
    # a hidden sheet with a table but no points (a spare blank copy) says nothing
    (inbox / "a.xlsx").unlink()
    hide_second("b.xlsx", form_grid(header={"name": "李四"}, rows=[]))
    _files, rows, issues = run(inbox)
    assert rows["description"].tolist() == ["泄露未公开信息1"] and issues.empty


# --------------------------------------------------------------------------------------
# formatting far away is not a reason to refuse a form; values far away still are
# --------------------------------------------------------------------------------------
def _dimension(xml: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:IV65536"/>', xml)


def _styled_far_cell(xml: bytes) -> bytes:
    far = b'<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    return xml.replace(b"</sheetData>", far + b"</sheetData>")


def _styled_rows(xml: bytes) -> bytes:
    rows = b"".join(
        b'<row r="%d">%s</row>'
        % (r, b"".join(b'<c r="%s%d" s="1"/>' % (bytes([c]), r) for c in b"ABCDEFGHIJK"))
        for r in range(100, 8100)
    )
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


@pytest.mark.parametrize("edit", [_dimension, _styled_far_cell, _styled_rows])
def test_formatting_beyond_the_limits_does_not_refuse_the_form(tmp_path: Path, edit) -> None:
    base = write_form(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        xml = zf.read(SHEET_XML)
    (tmp_path / "inbox").mkdir()
    rewrite_zip(base, tmp_path / "inbox" / "a.xlsx", {SHEET_XML: edit(xml)})
    files, rows, issues = run(tmp_path / "inbox")
    assert files["status"].tolist() == [frames.FILE_STATUS_READ]
    assert rows["description"].tolist() == ["泄露未公开信息1"] and issues.empty


def test_a_value_beyond_the_limits_among_formatting_is_still_refused(tmp_path: Path) -> None:
    base = write_form(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        xml = _styled_far_cell(zf.read(SHEET_XML))
    xml = xml.replace(b"</sheetData>", b'<row r="7000"><c r="C7000"><v>1</v></c></row></sheetData>')
    (tmp_path / "inbox").mkdir()
    rewrite_zip(base, tmp_path / "inbox" / "a.xlsx", {SHEET_XML: xml})
    _files, _rows, issues = run(tmp_path / "inbox")
    issue = one(issues, "too_many_cells")
    assert (issue["sheet"], issue["cell"]) == (MAIN, "C7000")


# --------------------------------------------------------------------------------------
# the pledge sheet under another name; placeholder rows
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sheet", ["承诺书", "Sheet2"])
def test_pledge_sheet_found_by_its_name_or_its_labels(tmp_path: Path, sheet: str) -> None:
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "a.xlsx", {MAIN: form_grid(), sheet: pledge_grid(["不收礼", "不吃请"])})
    files, _rows, _issues = run(inbox)
    rec = files.set_index("file").loc["a.xlsx"]
    assert (bool(rec["pledge_sheet"]), rec["pledge_items"], rec["pledger"]) == (True, 2, "张三")


def test_placeholder_rows_are_not_risk_points(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    rows = [sample_row(1), {"seq": 2, "step": "无", "description": "无"}, sample_row(3)]
    rows.append({"step": "以下空白"})
    write_form(inbox / "a.xlsx", rows=rows)
    _files, got, issues = run(inbox)
    assert got["excel_row"].tolist() == [4, 6]
    assert one(issues, "blank_rows_skipped")["cell"] == "A5"


# --------------------------------------------------------------------------------------
# validate: an unfilled template, a missing column, a remark after a name
# --------------------------------------------------------------------------------------
def test_unfilled_template_gets_one_plain_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = form_grid(header={"section": None, "name": None, "post": None, "date": None}, rows=[])
    write_form(inbox / "模板.xlsx", grid=grid)
    _files, _points, issues = checked(inbox)
    assert issues["code"].tolist() == ["empty_form"]
    assert issues["problem"].tolist() == ["这是一份没有填写的空白模板：表头和风险点都是空的。"]
    assert issues["action"].tolist() == [vocab.ACTION_REJECT]


def test_a_missing_column_is_named_and_the_row_pointed_at(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    # no 危害程度 column and no level to grade by instead (with one, the rows are graded by
    # it: test_realforms::test_a_level_table_with_only_one_of_likelihood_and_harm_…)
    columns = [k for k in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL] if k not in ("harm", "self_level")]
    write_form(inbox / "a.xlsx", columns=columns, rows=[sample_row(1), sample_row(2)])
    _files, points, issues = checked(inbox)
    missing = issues[issues["code"] == "missing_value"]
    assert missing["cell"].tolist() == ["A4", "A5"]
    assert set(missing["problem"]) == {"表格中没有「危害程度」列，这一项无法填写。"}
    assert points.empty


@pytest.mark.parametrize(
    ("section", "name"),
    [("办公室", "张三（科员）"), ("办公室（党办）", "张三"), (" 办公室", "张 三")],
)
def test_a_remark_in_brackets_after_a_name_or_section_still_finds_the_person(
    tmp_path: Path, section: str, name: str
) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "a.xlsx", header={"section": section, "name": name})
    files, points, _issues = checked(inbox)
    rec = files.set_index("file").loc["a.xlsx"]
    assert (rec["status"], rec["section"], rec["name"]) == (
        frames.FILE_STATUS_READ,
        "办公室",
        "张三",
    )
    assert len(points) == 1


def test_text_decoder_keeps_a_cut_multibyte_character_out_of_the_verdict() -> None:
    text = "科室,办公室\n".encode("gbk") * 300
    assert discover.text_table(text[:4095])
    assert not discover.text_table(codecs.BOM_UTF8 + b"\x00\x01\x02binary")


@pytest.mark.parametrize(
    ("section_label", "post_label", "date_label"),
    [
        ("部门名称", "职务名称", "填报时间"),
        ("处室名称", "所在岗位", "填表时间"),
        ("所在处室", "现任职务", "报送日期"),
    ],
)
def test_header_labels_real_forms_use_are_read(
    tmp_path: Path, section_label: str, post_label: str, date_label: str
) -> None:
    """部门名称 / 职务名称 / 填报时间, as forms of other bodies label the header block: read as
    科室, 岗位（职务）, 填表日期 (before, the form was 退回 for a missing 科室, or its 填表日期 was
    not seen and the file's modification time decided lateness)."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1)])
    labels = {"科室": section_label, "岗位（职务）": post_label, "填表日期": date_label}
    grid[1] = [labels.get(v, v) if isinstance(v, str) else v for v in grid[1]]
    assert section_label in grid[1] and date_label in grid[1]  # the precondition
    write_xlsx(inbox / "a.xlsx", {"个人廉政风险自查表": grid})
    files, points, issues = checked(inbox)
    rec = files.set_index("file").loc["a.xlsx"]
    assert (rec["status"], rec["section"], rec["name"]) == (
        frames.FILE_STATUS_READ,
        "办公室",
        "张三",
    )
    assert (rec["post"], rec["date"]) == ("科员", "2026-03-10")
    assert len(points) == 1
    assert "section_from_roster" not in issues["code"].tolist()


def test_notes_on_the_tables_lines_name_the_forms_section_and_person(tmp_path: Path) -> None:
    """The 提示 on a line joined to the point above, an example row or a single level column had
    an empty 科室 and 姓名 in 异常清单: filtering the list by section missed them."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row("例"), sample_row(1), sample_row(2)])
    more = [None] * len(grid[2])
    more[grid[2].index(vocab.COLUMN_LABELS["prevent"])] = "签订保密承诺"
    grid.insert(5, more)  # a measures line under point 1
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, _rows, issues = run(inbox)
    notes = issues[issues["code"].isin(["example_row", "measures_line_joined"])]
    assert sorted(notes["code"]) == ["example_row", "measures_line_joined"]  # precondition
    assert notes["section"].tolist() == ["办公室", "办公室"]
    assert notes["name"].tolist() == ["张三", "张三"]


@pytest.mark.parametrize("when", ["2026年3月15日", datetime(2026, 3, 15)])
def test_a_sign_off_block_under_the_table_is_no_risk_point(tmp_path: Path, when: object) -> None:
    """本人签字： with its date on the line below and 审核意见：| 同意 under the table: each was
    退回 as a risk point (「自评等级「2026年3月15日」不在可选范围内」, 「风险类别「同意」…」)
    and the form counted as partly sent back."""
    inbox = tmp_path / "inbox"
    grid = form_grid(header={"date": None}, rows=[sample_row(1)])
    width = len(grid[2])
    sign = [None] * width
    sign[6] = "本人签字："
    dated = [None] * width
    dated[6] = when
    opinion = [None] * width
    opinion[0], opinion[2] = "审核意见：", "同意"
    grid += [[None] * width, sign, dated, opinion]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    files, points, issues = checked(inbox)
    assert len(points) == 1
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    rec = files.set_index("file").loc["张三.xlsx"]
    assert rec["n_rows"] == 1
    assert rec["date"] == "2026-03-15"  # the date signed stands for the missing 填表日期


def test_a_level_column_of_higher_middle_lower_reads_its_middle_as_level_two(
    tmp_path: Path,
) -> None:
    """风险等级 written 较高 / 一般 / 较低: its 一般 is the middle level, 二级 (it was read as
    三级, the risk register's 重大 / 较大 / 一般, and graded one level too low); a table of
    重大 / 较大 / 一般 keeps 一般 = 三级."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "self_level", "measures"]

    def grid(name: str, levels: list[str]) -> list[list[object]]:
        rows = [sample_row(i + 1, self_level=lv, measures="教育") for i, lv in enumerate(levels)]
        return form_grid(header={"name": name}, columns=cols, rows=rows)

    write_form(inbox / "张三.xlsx", grid=grid("张三", ["较高", "一般", "较低", "一般风险"]))
    write_form(inbox / "李四.xlsx", grid=grid("李四", ["重大", "一般"]))
    _files, points, issues = checked(inbox)
    levels = points.groupby("name")["self_level"].apply(list).to_dict()
    assert levels == {"张三": ["一级", "二级", "三级", "二级"], "李四": ["一级", "三级"]}
    note = one(issues, "level_middle_word")
    assert (note["file"], note["cell"], note["action"]) == ("张三.xlsx", "E5", vocab.ACTION_NOTE)
    assert "「一般」是中间一档，已按二级计入（共 2 处）" in note["problem"]


def test_a_table_of_other_columns_under_the_form_is_not_read_with_the_forms_columns(
    tmp_path: Path,
) -> None:
    """A second table under the points that is no measures table (here 序号 | 风险点描述 |
    风险等级 | 防控措施: a summary by level): its rows were read with the first table's
    columns, and 退回 at cells that hold something else. Now it is one 退回 naming where it
    starts, its rows counted."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "likelihood", "harm", "self_level"]
    first = form_grid(columns=cols, rows=[sample_row(1), sample_row(2)])
    other = form_grid(columns=["seq", "description", "self_level", "measures"])
    more = [2, "泄露未公开信息2", "三级", "定期检查"]
    grid = first + [
        [],
        ["二、风险等级汇总"],
        other[2],
        [1, "泄露未公开信息1", "二级", "教育"],
        more,
    ]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, rows, issues = run(inbox)
    assert rows.loc[rows["accepted"], "description"].tolist() == [
        "泄露未公开信息1",
        "泄露未公开信息2",
    ]
    assert rows.loc[~rows["accepted"], "excel_row"].tolist() == [9, 10]  # counted, not read
    issue = one(issues, "second_table")  # (its heading 「二、风险等级汇总」 on row 7)
    assert (issue["cell"], issue["action"]) == ("A8", vocab.ACTION_REJECT)
    assert (
        issue["problem"]
        == "本工作表第 7 行起还有一个表格，共 2 行，它的列与上面的表格不同，未读取。"
    )
    assert set(issues["code"]) == {"second_table"}


def test_a_measures_table_under_the_form_gives_its_measures_to_the_points_above(
    tmp_path: Path,
) -> None:
    """A second table under the points (「二、防控措施」: 序号 | 风险点描述 | 前期 | 中期 | 后期)
    refers to the points above by 序号 or by their description. It was 退回 as a whole
    (`second_table`) and the points had no measures. Now each of its rows goes to its point
    (a line of only measures under a row too), one 提示 says so, and a row naming no point of
    the table above is 退回 at its cell."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "likelihood", "harm", "self_level"]
    first = form_grid(columns=cols, rows=[sample_row(1), sample_row(2), sample_row(3)])
    head = form_grid(columns=["seq", "description", "prevent", "monitor", "handle"])[2]
    grid = first + [
        [],
        ["二、防控措施"],
        head,  # row 9
        [1, "泄露未公开信息1", "加强保密教育", "定期检查", "追究责任"],
        [None, None, "签订保密承诺", None, None],  # a further measure of point 1
        [None, "泄露未公开信息3", "专人保管", None, "通报批评"],  # by its description
        [7, "虚报冒领", "严格审核", None, None],  # no such point
    ]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    got = points.set_index("description")[["prevent", "monitor", "handle"]].fillna("")
    assert got.loc["泄露未公开信息1"].tolist() == [
        "加强保密教育\n签订保密承诺",
        "定期检查",
        "追究责任",
    ]
    assert got.loc["泄露未公开信息3"].tolist() == ["专人保管", "", "通报批评"]
    assert got.loc["泄露未公开信息2"].tolist() == ["", "", ""]  # the table gave it none
    assert "second_table" not in set(issues["code"])
    joined = one(issues, "measures_table_joined")
    assert (joined["cell"], joined["action"]) == ("A9", vocab.ACTION_NOTE)
    assert joined["problem"] == (
        "第 9 行起的防控措施表（共 4 行）已按序号或风险点描述并入上面表格对应的风险点。"
    )
    lost = one(issues, "measures_table_unmatched")
    assert (lost["cell"], lost["action"], lost["value"]) == ("A13", vocab.ACTION_REJECT, "7")
    assert lost["problem"] == (
        "防控措施表第 13 行（序号「7」，风险点「虚报冒领」）在上面的表格中找不到对应的风险点，"
        "这一行的措施未计入。"
    )
    missing = one(issues, "measures_missing")  # 泄露未公开信息2, at its row
    assert (missing["problem"], missing["cell"]) == ("没有填写任何防控措施。", "A5")
    _files, rows, _issues = run(inbox)
    assert rows.loc[~rows["accepted"], "excel_row"].tolist() == [13]  # counted, sent back


def test_a_measures_table_of_one_column_is_split_like_a_combined_column(tmp_path: Path) -> None:
    """The measures table with one 防控措施 column, its points named by 风险点 (merged over
    two lines of measures): the text is split on its 前期/中期/后期 labels as a combined
    column is, every line kept."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "likelihood", "harm", "self_level"]
    first = form_grid(columns=cols, rows=[sample_row(1), sample_row(2)])
    grid = first + [
        ["二、防控措施"],
        ["序号", "风险点", "防控措施"],  # row 7
        [None, "泄露未公开信息2", "前期：签订保密承诺；后期：约谈"],
        [None, None, "中期：每月抽查"],
        [1, "公文", "前期：加强教育"],
    ]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False, merges={MAIN: ["B8:B9"]})
    _files, points, issues = checked(inbox)
    got = points.set_index("description")[["prevent", "monitor", "handle"]].fillna("")
    assert got.loc["泄露未公开信息2"].tolist() == ["签订保密承诺", "每月抽查", "约谈"]
    assert got.loc["泄露未公开信息1"].tolist() == ["加强教育", "", ""]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


@pytest.mark.parametrize("mark", [lambda i: i, lambda i: chr(64 + i), lambda i: f"（{i}）"])
def test_a_row_numbering_the_columns_under_the_header_is_no_risk_point(
    tmp_path: Path, mark: object
) -> None:
    """Official forms print the columns' numbers (栏次) under the header: 1 2 3 … or A B C ….
    That row was read as a risk point and 退回 (「发生几率「5」不在可选范围内」), the form counted
    as partly sent back."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    grid.insert(3, [mark(i) for i in range(1, len(grid[2]) + 1)])  # type: ignore[operator]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert points["excel_row"].tolist() == [5, 6]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_lines_holding_only_dropdown_choices_are_unused_template_lines(tmp_path: Path) -> None:
    """Template lines where only the dropdowns hold a value (风险类别, 发生几率, 危害程度, 等级
    left as chosen or copied down) and nothing is written: each was 退回 with 「职权事项…」
    「风险点描述没有填写」, the form counted as partly sent back. Now one 提示 names them."""
    inbox = tmp_path / "inbox"
    unused = {"step": None, "description": None, "prevent": None, "monitor": None, "handle": None}
    rows = [sample_row(1), sample_row(2)] + [sample_row(i, **unused) for i in (3, 4, 5)]
    write_form(inbox / "张三.xlsx", grid=form_grid(rows=rows), marker=False)
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert points["excel_row"].tolist() == [4, 5]
    # (the form's 岗位 is not the test roster's: post_differs, a 提示 of its own)
    assert set(issues.loc[issues["code"] != "post_differs", "code"]) == {"choices_only_rows"}
    note = one(issues, "choices_only_rows")
    assert (note["cell"], note["action"]) == ("C6", vocab.ACTION_NOTE)
    assert note["problem"].startswith("第 6–8 行共 3 行只有下拉选项")


def test_a_table_written_turned_is_named_so_not_an_unknown_form(tmp_path: Path) -> None:
    """A form with its labels down column A and one risk point per column: it was refused
    「找不到自查表的表头（如「风险点描述」）」 though 风险点描述 is in A9 — untrue and no help.
    Now the reason says the table is turned, where, and how to turn it."""
    inbox = tmp_path / "inbox"
    labels = [vocab.COLUMN_LABELS[k] for k in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]]
    points = [list(sample_row(i).values()) for i in (1, 2)]
    block = [["科室", "办公室"], ["姓名", "张三"], ["填表日期", "2026-03-10"]]
    table = [[label, *(p[i] for p in points)] for i, label in enumerate(labels)]
    write_xlsx(inbox / "张三.xlsx", {MAIN: [["个人廉政风险自查表"], *block, *table]})
    files, _rows, issues = run(inbox)
    assert files.set_index("file").loc["张三.xlsx", "reason"] == "turned_table"
    issue = one(issues, "turned_table")
    assert (issue["sheet"], issue["cell"], issue["action"]) == (MAIN, "A8", vocab.ACTION_REJECT)
    assert issue["problem"].startswith("表格是竖着填的：「风险点描述」等项目写在 A 列")
    assert "转置" in issue["fix"]


def test_the_same_persons_form_stacked_twice_on_one_sheet_says_where(tmp_path: Path) -> None:
    """张三's form, then under it (another title, so no page's continuation) 张三's again: the
    note said 「工作表「个人廉政风险自查表」和「个人廉政风险自查表」都是张三的自查表」."""
    inbox = tmp_path / "inbox"
    first = form_grid(rows=[sample_row(1)])
    again = [["个人廉政风险自查表（修改稿）"], *form_grid(rows=[sample_row(2)])[1:]]
    write_form(inbox / "张三.xlsx", grid=first + [[]] + again, marker=False)
    _files, rows, issues = run(inbox)
    assert rows["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息2"]
    note = one(issues, "same_person_stacked")
    assert note["problem"].startswith(f"工作表「{MAIN}」第 8 行起又有一份张三的自查表")
    assert (note["cell"], note["action"]) == ("E7", vocab.ACTION_NOTE)


def test_hidden_rows_of_points_are_read_and_named_in_one_note(tmp_path: Path) -> None:
    """Rows hidden in Excel (last year's points a sender hid instead of deleting) were read
    like the visible ones with no word: the office counted points the sender may not even
    see. They are still read (nothing is dropped), and one 提示 per sheet names them."""
    import xlsxwriter

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    grid = form_grid(rows=[sample_row(i) for i in range(1, 6)])  # points on rows 4-8
    wb = xlsxwriter.Workbook(str(inbox / "张三.xlsx"), {"strings_to_numbers": False})
    ws = wb.add_worksheet(MAIN)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write(r, c, value)
    for r in (4, 5, 7):  # rows 5, 6 and 8
        ws.set_row(r, None, None, {"hidden": True})
    wb.close()
    _files, points, issues = checked(inbox)
    assert points["excel_row"].tolist() == [4, 5, 6, 7, 8]  # all read, as before
    note = one(issues, "hidden_rows_read")
    assert (note["cell"], note["action"], note["sheet"]) == ("A5", vocab.ACTION_NOTE, MAIN)
    assert note["problem"] == (
        "第 5–6、8 行在表格中是隐藏的（打开时看不到），已照常读取（共 3 行）。"
    )
    write_form(inbox / "李四.xlsx", header={"name": "李四"})  # no hidden rows: no note
    _files, _points, issues = checked(inbox)
    assert issues.loc[issues["code"] == "hidden_rows_read", "file"].tolist() == ["张三.xlsx"]


def test_a_measures_table_keeps_its_remarks_and_names_the_columns_it_does_not_read(
    tmp_path: Path,
) -> None:
    """A measures table with a 备注 and a 责任人 column: the 备注 goes to the point's 备注 (it
    was 退回 with the whole table), and the 责任人 column, which the join does not read, gets
    the 提示 extra_column a form's own extra column gets (its text was dropped without a word)."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "likelihood", "harm", "self_level"]
    first = form_grid(columns=cols, rows=[sample_row(1), sample_row(2)])
    grid = first + [
        ["二、防控措施"],
        ["序号", "风险点", "防控措施", "责任人", "备注"],  # row 7
        [2, "泄露未公开信息2", "前期：签订保密承诺", "王五", "每季度复查"],
    ]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    got = points.set_index("description")[["prevent", "remark"]].fillna("")
    assert got.loc["泄露未公开信息2"].tolist() == ["签订保密承诺", "每季度复查"]
    extra = one(issues, "extra_column")
    assert (extra["cell"], extra["value"]) == ("D7", "责任人")
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_a_form_stacked_under_another_with_its_columns_in_another_order_is_read_with_them(
    tmp_path: Path,
) -> None:
    """李四's form pasted under 张三's on one sheet, its columns in another order (each person
    started from another template): it was 退回 whole as second_table (a sheet's cell
    references were of one layout), and 李四 counted as sent back though the form was there.
    Now it is read with its own columns, and a note on its cells names its own columns."""
    inbox = tmp_path / "inbox"
    first = form_grid(rows=[sample_row(1), sample_row(2)])  # rows 4-5
    cols = ["seq", "description", "likelihood", "harm", "self_level", "step", "category"]
    cols += ["prevent", "monitor", "handle"]
    second = form_grid(
        header={"name": "李四"},
        columns=cols,
        rows=[sample_row(7), sample_row(8, likelihood="说不准")],  # rows 11-12
    )
    third = form_grid(header={"section": "财务科", "name": "王五"}, rows=[sample_row(9)])
    grid = first + [[], []] + second + [[], []] + third  # 王五's on row 18
    write_form(inbox / "三人.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    got = points.groupby("name")["description"].apply(list).to_dict()
    assert got == {
        "张三": ["泄露未公开信息1", "泄露未公开信息2"],
        "李四": ["泄露未公开信息7"],
        "王五": ["泄露未公开信息9"],
    }
    assert points.loc[points["name"] == "李四", "step"].tolist() == ["公文处理7"]
    assert "second_table" not in set(issues["code"])
    bad = issues[issues["field"] == "发生几率"].to_dict("records")
    assert [(i["cell"], i["name"], i["action"]) for i in bad] == [
        ("C12", "李四", vocab.ACTION_REJECT)
    ]
    cells = points.set_index("name")[["likelihood_cell", "description_cell"]]
    assert cells.loc["李四"].tolist() == ["C11", "B11"]
    assert cells.loc["王五"].tolist() == ["E18", "D18"]  # the first form's columns again


def test_a_measures_table_whose_point_column_is_elsewhere_is_still_found(tmp_path: Path) -> None:
    """A section's table naming its people per row (序号 | 科室 | 姓名 | 职权事项 | … |
    风险点描述 in F) with the measures table under it (序号 | 风险点 in B | 前期 …): its header
    was not seen (only the columns of the table's own 风险点 and 职权事项 were looked at), so
    its header and rows were read as points and 退回 with 「风险类别「后期处置措施」不在可选范围内」
    and 「这一行的「措施1（…）」不在组织名册中」. Now it is found by its 序号 label and joined."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "row_section", "row_name", "step", "category", "description"]
    cols += ["likelihood", "harm", "self_level"]
    rows = [sample_row(i, row_section="办公室", row_name=n) for i, n in ((1, "张三"), (2, "李四"))]
    grid = form_grid(vocab.UNIT, columns=cols, rows=rows) + [
        ["二、防控措施"],
        ["序号", "风险点", "前期预防措施", "中期监控措施", "后期处置措施"],
        [1, "泄露未公开信息1", "措施1", None, None],
    ]
    write_form(inbox / "办公室.xlsx", vocab.UNIT, grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    assert points.set_index("name")["prevent"].fillna("").to_dict() == {"张三": "措施1", "李四": ""}
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    assert one(issues, "measures_table_joined")["cell"] == "A7"


def test_a_measures_table_numbers_the_points_of_a_form_without_seq_in_order(
    tmp_path: Path,
) -> None:
    """A form without a 序号 column and its measures table numbered 1, 2 …: each number is the
    point so many down (every row was 退回 「找不到对应的风险点」)."""
    inbox = tmp_path / "inbox"
    cols = ["step", "category", "description", "likelihood", "harm", "self_level"]
    grid = form_grid(columns=cols, rows=[sample_row(1), sample_row(2)]) + [
        ["二、防控措施"],
        ["序号", "风险点", "前期预防措施", "中期监控措施", "后期处置措施"],
        [2, "保密", "措施2", None, "处置2"],
    ]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    got = points.set_index("description")[["prevent", "handle"]].fillna("")
    assert got.loc["泄露未公开信息2"].tolist() == ["措施2", "处置2"]
    assert got.loc["泄露未公开信息1"].tolist() == ["", ""]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_a_table_under_the_form_moved_across_is_no_more_points(tmp_path: Path) -> None:
    """A second table under the points whose 序号 and 风险点描述 are both in other columns than
    the form's (pasted one column to the right: 序号 in B, 风险点描述 in E): its header was
    not seen, so its header row and rows were read as more points of the form (a point
    「风险类别」 at row 8). Now it is the table of other columns it is: one 退回 naming where
    it starts, its rows counted."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "likelihood", "harm", "self_level"]
    cols += ["prevent", "monitor", "handle"]
    lower = [None, "序号", "职权事项", "风险类别", "风险点描述", "发生几率", "危害程度", "自评等级"]
    grid = form_grid(columns=cols, rows=[sample_row(1), sample_row(2)]) + [
        [],
        ["二、其他风险点"],
        lower,  # row 8
        [None, 1, "审批", "岗位职责风险", "违规审批", "高", "严重", "一级"],
    ]
    assert grid[2].index("序号") != lower.index("序号")  # the precondition: moved across
    assert grid[2].index("风险点描述") != lower.index("风险点描述")
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, rows, issues = run(inbox)
    assert rows.loc[rows["accepted"], "description"].tolist() == [
        "泄露未公开信息1",
        "泄露未公开信息2",
    ]
    assert rows.loc[~rows["accepted"], "excel_row"].tolist() == [9]  # counted, not read
    issue = one(issues, "second_table")
    assert (issue["cell"], issue["action"]) == ("B8", vocab.ACTION_REJECT)


def test_one_measures_column_under_a_form_of_three_is_split_on_its_labels(tmp_path: Path) -> None:
    """The form has 前期 | 中期 | 后期 columns and, under it, a measures table of one 防控措施
    column (「前期：…\\n中期：…\\n后期：…」): the whole text went into 前期预防措施, labels
    and all, for a point whose own cells held measures. Now it is split into the three cells
    as a combined column is; a text with no label goes to 前期 with the 提示 measures_unsplit
    at its cell in the measures table."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(2)]) + [
        ["二、防控措施"],
        ["序号", "风险点", "防控措施"],  # row 7
        [1, None, "前期：签订承诺书\n中期：每月抽查\n后期：约谈提醒"],
        [2, None, "加强教育，定期检查"],  # no label to split on
    ]
    assert {"前期预防措施", "中期监控措施", "后期处置措施"} <= set(grid[2])  # three columns
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    _files, points, issues = checked(inbox)
    got = points.set_index("description")[["prevent", "monitor", "handle"]]
    assert got.loc["泄露未公开信息1"].tolist() == [
        "加强保密教育\n签订承诺书",
        "定期检查\n每月抽查",
        "追究责任\n约谈提醒",
    ]
    assert got.loc["泄露未公开信息2"].tolist() == [
        "加强保密教育\n加强教育，定期检查",
        "定期检查",
        "追究责任",
    ]
    note = one(issues, "measures_unsplit")
    assert (note["sheet"], note["cell"], note["action"]) == (MAIN, "C9", vocab.ACTION_NOTE)
    assert note["problem"] == "「防控措施」没有按前期/中期/后期分开，已全部放入「前期预防措施」。"
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


@pytest.mark.parametrize("guide", ["说明", "填报须知", "填写示例（1）"])
def test_a_guide_sheet_before_the_form_is_not_read_as_the_form(tmp_path: Path, guide: str) -> None:
    """Another body's form with a 说明 sheet first, holding an example table (序号 | 风险点描述
    | 说明): that sheet was read as the form, its example 退回 for 「表格中没有「发生几率」列」
    and 「这一行没有填写科室或姓名」, and the real form's 科室 and 姓名 lost. A guide or example
    sheet is never the form while another sheet holds one."""
    inbox = tmp_path / "inbox"
    form = form_grid(rows=[sample_row(1)])
    sheets = {
        guide: [
            ["填表说明"],
            ["1. 风险点描述要具体"],
            ["序号", "风险点描述", "说明"],
            [1, "示例", "x"],
        ],
        "自查表": form,
    }
    write_xlsx(inbox / "张三.xlsx", sheets)
    assert next(iter(sheets)) == guide  # the precondition: the guide comes first
    files, points, issues = checked(inbox)
    rec = files.set_index("file").loc["张三.xlsx"]
    assert (rec["section"], rec["name"], rec["n_rows"]) == ("办公室", "张三", 1)
    assert points["description"].tolist() == ["泄露未公开信息1"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_a_level_written_in_stars_is_read_as_its_level(tmp_path: Path) -> None:
    """Some bodies' forms mark the 风险等级 with stars (★★★ the highest): each was 退回
    「自评等级「★★★」不在可选范围内」. More stars, more risk: ★★★ 一级, ★★ 二级, ★ 三级."""
    inbox = tmp_path / "inbox"
    cols = ["seq", "step", "category", "description", "self_level", "prevent"]
    rows = [sample_row(i, self_level=s) for i, s in ((1, "★★★"), (2, "★★"), (3, "☆"))]
    grid = form_grid(columns=cols, rows=rows, labels={"self_level": "风险等级"})
    write_form(inbox / "李四.xlsx", grid=grid, header={"name": "李四"}, marker=False)
    _files, points, issues = checked(inbox)
    assert points["self_level"].tolist() == ["一级", "二级", "三级"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_a_header_line_with_a_phone_number_after_the_name_keeps_the_name(tmp_path: Path) -> None:
    """Other bodies' forms put 「填表人：张三  联系电话：138…」 in one cell: the name was read as
    「张三  联系电话：13800000000」, not in the roster, and the whole form 退回. A label the
    header block does not read ends the value before it."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1)])
    grid[1] = ["填表人：张三  联系电话：13800000000", None, None, "科室：办公室，手机：13900000000"]
    write_form(inbox / "张三.xlsx", grid=grid, marker=False)
    files, points, issues = checked(inbox)
    rec = files.set_index("file").loc["张三.xlsx"]
    assert (rec["status"], rec["section"], rec["name"]) == ("read", "办公室", "张三")
    assert points["description"].tolist() == ["泄露未公开信息1"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


@pytest.mark.parametrize("title", [None, "个人廉政风险自查表（续）"])
def test_points_going_on_on_a_sheet_without_a_header_are_read(
    tmp_path: Path, title: str | None
) -> None:
    """A long form split over two sheets, the second holding only more rows (or a 续 title
    and rows), no header: its rows were dropped without a word, though the run said every
    row was counted. They are read with the first sheet's columns, as the same person's
    points, and one 提示 says so at the first of them."""
    inbox = tmp_path / "inbox"
    first = form_grid(rows=[sample_row(1), sample_row(2)])
    more = [[sample_row(i).get(k) for k in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]] for i in (3, 4)]
    second = ([[title]] if title else []) + more
    sheets = {MAIN: first, "续表": second, vocab.SHEET_PLEDGE: pledge_grid(["不收受礼金"])}
    write_xlsx(inbox / "张三.xlsx", sheets)
    assert layout_header(second) is None  # the precondition: no header on the second sheet
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 4
    assert points["description"].tolist() == [f"泄露未公开信息{i}" for i in (1, 2, 3, 4)]
    assert points[["sheet", "excel_row"]].values.tolist()[2:] == [
        ["续表", len(second) - 1],
        ["续表", len(second)],
    ]
    assert set(points["name"]) == {"张三"}
    note = one(issues, "sheet_without_header")
    assert (note["sheet"], note["cell"], note["action"]) == (
        "续表",
        f"D{len(second) - 1}",
        vocab.ACTION_NOTE,
    )
    assert note["problem"] == (
        f"工作表「续表」没有表头，其中的 2 行已按工作表「{MAIN}」的表格各列读取，"
        "作为同一份自查表的风险点。"
    )
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def layout_header(grid: list[list[object]]) -> object:
    from pipeline import layout

    return layout.find_header(grid)


def test_a_line_heading_a_block_of_points_gives_them_its_step(tmp_path: Path) -> None:
    """Forms group points under a line 「（一）| 公文处理」 (序号 a Chinese number, only the
    职权事项 written) and leave the 职权事项 of the points below blank: that line was read as a
    point and 退回 for 「风险类别」「风险点描述」「发生几率」「危害程度」没有填写, and the points
    had no 职权事项. The line heads its block: its points take its 职权事项 (a point's own
    is kept after it: 「采购：验收」), and it is no point."""
    inbox = tmp_path / "inbox"
    blank = {"step": None}

    def heading(seq: str, step: str) -> dict[str, object]:
        return {"seq": seq, "step": step}  # every other cell of the line empty

    rows = [
        heading("（一）", "公文处理"),  # row 4
        sample_row(1, **blank),
        sample_row(2, **blank),
        heading("二、", "采购"),  # row 7
        sample_row(3, **blank),
        sample_row(4, step="验收"),
        sample_row(5, step="采购评审"),
    ]
    write_form(inbox / "张三.xlsx", rows=rows, marker=False)
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 5
    assert points[["excel_row", "step"]].values.tolist() == [
        [5, "公文处理"],
        [6, "公文处理"],
        [8, "采购"],
        [9, "采购：验收"],  # its own, after its heading's (which was lost)
        [10, "采购评审"],  # its own already says it
    ]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


def test_a_point_merged_over_its_lines_of_measures_is_one_point(tmp_path: Path) -> None:
    """A point whose 序号 … 风险等级 cells are merged down over two lines, one line per
    measure (教育 | | ; 培训 | 检查 | 追责), as forms lay out several measures: each line was
    read as a point of its own (the merged values carried to both), the point counted twice.
    The second line's own cells are measures: they go to the point, with the 提示 a line of
    measures gets."""
    inbox = tmp_path / "inbox"
    rows = [
        sample_row(1, monitor=None, handle=None),
        {"prevent": "培训", "monitor": "检查", "handle": "追责"},  # row 5
        sample_row(2),
    ]
    merged = [f"{c}4:{c}5" for c in "ABCDEFG"]  # 序号 … 自评等级 over rows 4-5
    write_form(inbox / "张三.xlsx", rows=rows, marker=False, merges={MAIN: merged})
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    got = points.set_index("excel_row")[["description", "prevent", "monitor", "handle"]]
    assert got.loc[4].tolist() == ["泄露未公开信息1", "加强保密教育\n培训", "检查", "追责"]
    assert got.loc[6, "description"] == "泄露未公开信息2"
    note = one(issues, "measures_line_joined")
    assert (note["cell"], note["action"]) == ("H5", vocab.ACTION_NOTE)
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    # no row got the merged cells' values: the note saying every row did would be untrue
    assert "merged_cells" not in set(issues["code"])


def test_a_range_merged_over_two_points_is_still_told(tmp_path: Path) -> None:
    # 风险类别 merged over two points beside a point merged over its two lines of measures
    inbox = tmp_path / "inbox"
    rows = [
        sample_row(1, monitor=None, handle=None),
        {"prevent": "培训", "monitor": "检查", "handle": "追责"},  # row 5
        sample_row(2, category=None),
    ]
    merged = [f"{c}4:{c}5" for c in "ABDEFG"] + ["C4:C6"]
    write_form(inbox / "张三.xlsx", rows=rows, marker=False, merges={MAIN: merged})
    _files, points, issues = checked(inbox)
    assert points["category"].tolist() == ["岗位职责风险"] * 2
    note = one(issues, "merged_cells")
    assert note["cell"] == "C4" and "C4:C6" in note["problem"]
    assert "A4:A5" not in note["problem"]


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("step", "职权事项/工作环节"),
        ("step", "职权事项、工作环节"),
        ("category", "风险种类"),
        ("description", "风险点描述及表现形式"),
        ("description", "主要风险点"),
        ("description", "岗位廉政风险点"),
        ("step", "岗位职责"),
        ("description", "风险内容描述"),
        ("description", "风险描述及表现形式"),
    ],
)
def test_more_column_wording_of_other_bodies_forms_is_read(
    tmp_path: Path, key: str, label: str
) -> None:
    """Column labels seen on other bodies' forms: the template's two names of 职权事项 in one
    label, 风险种类, 风险点描述及表现形式 …. A form so headed was read without that column
    (退回 「表格中没有…」, or its 风险点 unread)."""
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", rows=[sample_row(1)], labels={key: label}, marker=False)
    _files, points, issues = checked(inbox)
    assert label in set(form_grid(labels={key: label})[2])  # the precondition
    assert points[key].tolist() == [sample_row(1)[key]]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    assert not issues["code"].str.startswith("no_").any()


@pytest.mark.parametrize(
    ("lines", "merges"),
    [
        # a 注 merged across the table, then its further items, one with 科室盖章 beside it
        (
            [
                ["注：1.风险类别分为岗位职责、业务流程、制度机制、外部环境四类。"],
                ["2.风险等级按高、中、低填写。"],
                ["3.本表一式两份。", None, None, None, "科室盖章"],
            ],
            ["A6:K6"],
        ),
        # a label and one statement merged across the rest of the table
        ([["个人承诺", "本人承诺以上内容真实、完整，如有隐瞒愿承担责任。"]], ["B6:K6"]),
        # an opinion's label without its colon on a line naming who signs it
        ([["审核意见", None, None, "同意", None, None, "审核人", "李四"]], []),
    ],
)
def test_lines_under_the_table_that_are_no_points_are_not_sent_back(
    tmp_path: Path, lines: list[list[object]], merges: list[str]
) -> None:
    """Lines other bodies' forms have under the points: a 注 and its numbered items, a
    signed statement merged across, 审核意见 | 同意 | 审核人 | 李四. Each was read as a point
    and 退回 with reasons about a point (「发生几率「科室盖章」不在可选范围内」, 风险类别「本人
    承诺以上内容…」), and the note's item 2 was called 「表格中有 1 个空行」."""
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(1), sample_row(2)]) + lines  # lines from row 6
    write_form(inbox / "张三.xlsx", grid=grid, marker=False, merges={MAIN: merges})
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 2
    assert points["excel_row"].tolist() == [4, 5]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    assert "blank_rows_skipped" not in set(issues["code"])


def test_a_level_ticked_in_high_middle_low_columns_is_read_on_a_sheet_going_on(
    tmp_path: Path,
) -> None:
    """风险等级 merged over three tick columns 高 | 中 | 低, a √ or ✓ in one of them, and the
    points going on on a second sheet without a header: the second sheet's ticks were read as
    a 风险等级 「√」 (退回 「不在可选范围内」) or none (退回 for 发生几率 and 危害程度), and the
    columns of that sheet were told missing again at a cell 「A0」."""
    inbox = tmp_path / "inbox"
    head = ["序号", "岗位", "风险点", "风险等级", None, None, "防控措施"]
    ticks = [None, None, None, "高", "中", "低", None]

    def point(i: int, level: int, mark: str = "√") -> list[object]:
        return [
            i,
            "主任",
            f"泄露未公开信息{i}",
            *(mark if c == level else None for c in range(3)),
            "教育",
        ]

    top = [["办公室廉政风险点自查表"], ["科室：办公室", None, "姓名：张三"], head, ticks]
    first = top + [point(1, 0), point(2, 1, "✓"), point(3, 2)]
    second = [point(4, 1), point(5, 0, "✓")]
    write_xlsx(inbox / "张三.xlsx", {"自查表": first, "续表": second}, merges={"自查表": ["D3:F3"]})
    assert layout_header(second) is None  # the precondition: no header on the second sheet
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 5
    got = points.set_index("description")["self_level"].to_dict()
    assert got == {
        "泄露未公开信息1": "一级",
        "泄露未公开信息2": "二级",
        "泄露未公开信息3": "三级",
        "泄露未公开信息4": "二级",
        "泄露未公开信息5": "一级",
    }
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    assert not issues["cell"].str.fullmatch(r"[A-Z]+0").any()
    assert (issues["code"] == "no_category_column").sum() == 1  # told once, on the form's sheet


def test_a_two_row_header_is_no_header_block_and_names_its_columns(tmp_path: Path) -> None:
    """A two-row header (风险等级 over 高 | 中 | 低) whose first row has a 岗位 column: that row
    was read as the header block, 岗位（职务） 「风险点」 (the label beside it), told
    post_differs; and a column labelled over both rows (责任人) was told 「模板之外的列「None」」
    at the blank cell under its label."""
    inbox = tmp_path / "inbox"
    head = ["序号", "岗位", "风险点", "风险等级", None, None, "防控措施", "责任人"]
    ticks = [None, None, None, "高", "中", "低", None, None]
    point = [1, "主任", "泄露未公开信息1", "√", None, None, "教育", "张三"]
    grid = [["办公室廉政风险点自查表"], ["科室：办公室", None, "姓名：张三"], head, ticks, point]
    write_xlsx(inbox / "张三.xlsx", {"自查表": grid}, merges={"自查表": ["D3:F3"]})
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "post"] == "主任"
    assert points["post"].tolist() == ["主任"] and points["self_level"].tolist() == ["一级"]
    assert "风险点" not in set(issues["value"])
    column = one(issues, "extra_column")
    assert (column["cell"], column["value"]) == ("H3", "责任人")
    assert "「责任人」" in column["problem"] and "None" not in column["problem"]


def test_lone_heading_lines_and_stamp_lines_of_a_section_table_are_no_points(
    tmp_path: Path,
) -> None:
    """A body's table grouping its rows under 「一、办公室」 lines typed in the 科室 column (not
    merged), 「二、财务科」 alone in the 序号 column and 「（一）公文处理」 alone under 职权事项,
    with 「单位（盖章）… 2026年3月20日」 under it: the 科室 line was 退回 as a point (「风险点描述」
    没有填写, 「张三（一、办公室）」不在组织名册中), the 序号 line was told as a 空行 though
    nothing is blank, and the stamp line was 退回 with 自评等级「2026年3月20日」. Now none of
    them is a point, the step heading gives its points their 职权事项, and no 退回 is left."""
    inbox = tmp_path / "inbox"
    head = ["序号", "科室", "姓名", "职权事项", "风险点", "风险等级", "防控措施"]
    grid = [
        ["示例区妇联廉政风险点汇总表"],
        head,
        [None, "一、办公室"],  # row 3
        [1, "办公室", "张三", "公文处理", "泄露未公开信息", "中", "前期：教育"],
        [2, "办公室", "李四", "采购", "采购不规范", "低", "前期：比价"],
        ["二、财务科"],  # row 6
        [None, None, None, "（一）报销审核"],  # row 7
        [3, "财务科", "王五", None, "报账审核不严", "高", "前期：复核"],
        ["单位（盖章）", None, None, None, None, "2026年3月20日"],  # row 9
        ["本人（签字）：", None, None, "审核人：张三"],
    ]
    write_xlsx(inbox / "汇总.xlsx", {"Sheet1": grid})
    assert grid[2][0] is None and grid[5][1:] == []  # precondition: lone, unmerged cells
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["汇总.xlsx", "n_rows"] == 3
    assert points[["excel_row", "section", "name", "step"]].values.tolist() == [
        [4, "办公室", "张三", "公文处理"],
        [5, "办公室", "李四", "采购"],
        [8, "财务科", "王五", "报销审核"],
    ]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()
    assert "blank_rows_skipped" not in set(issues["code"])


def test_text_alone_in_the_seq_column_that_is_no_heading_is_still_told(tmp_path: Path) -> None:
    """Only a numbered heading alone in 序号 (「二、财务科」) is passed over in silence: a risk
    typed into the 序号 column by mistake is told (its row named), never dropped unseen."""
    inbox = tmp_path / "inbox"
    head = ["序号", "职权事项", "风险点描述", "风险等级", "防控措施"]
    grid = [
        ["科室：办公室", None, "姓名：张三"],
        head,
        [1, "公文处理", "泄露未公开信息", "中", "前期：教育"],
        ["车辆使用登记不全"],  # row 4: a risk typed in the 序号 column
        [2, "采购", "采购不规范", "低", "前期：比价"],
    ]
    write_xlsx(inbox / "张三.xlsx", {"Sheet1": grid})
    assert layout.part_heading("车辆使用登记不全") is None  # precondition: no heading
    _files, points, issues = checked(inbox)
    assert points["excel_row"].tolist() == [3, 5]
    told = issues[issues["file"] == "张三.xlsx"]
    assert (told["cell"].str[1:] == "4").any(), told[["code", "cell"]].values.tolist()


@pytest.mark.parametrize("text", ["一、违规借出档案，导致泄密", "1、办公室"])
def test_a_lone_cell_that_is_no_heading_is_still_a_row_missing_its_fields(
    tmp_path: Path, text: str
) -> None:
    """A lone cell with a sentence after its number, or numbered 1、 as points are, is a row
    someone began: it stays in 异常清单 with what is missing, never silently dropped."""
    inbox = tmp_path / "inbox"
    rows = [sample_row(1), {"category": text}, sample_row(2)]
    write_form(inbox / "张三.xlsx", rows=rows, marker=False)
    files, points, issues = checked(inbox)
    assert files.set_index("file").loc["张三.xlsx", "n_rows"] == 3
    assert points["excel_row"].tolist() == [4, 6]
    assert (issues[issues["action"] == vocab.ACTION_REJECT]["cell"].str[1:] == "5").any()


def test_choices_written_out_with_their_field_s_word_are_read(tmp_path: Path) -> None:
    """Staff write a choice out in words: 「可能性较高」, 「发生几率：中」 under 发生几率,
    「危害较大」, 「危害程度严重」, 「危害大」 under 危害程度, 「风险等级：二级」 under 自评等级.
    They were 退回 as 「不在可选范围内」; they mean 高, 中, 较重, 严重, 严重 and 二级."""
    inbox = tmp_path / "inbox"
    rows = [
        sample_row(1, likelihood="可能性较高", harm="危害较大", self_level="风险等级：一级"),
        sample_row(2, likelihood="发生几率：中", harm="危害程度严重", self_level="等级一级"),
        sample_row(3, likelihood="几率低", harm="危害大", self_level="二级"),
        sample_row(4, likelihood="可能性很难说", harm="影响一般"),  # no value after the word
    ]
    written = {v for r in rows for k, v in r.items() if k in ("likelihood", "harm")}
    assert not written & set(vocab.ENUM_LOOKUP["likelihood"])  # precondition: no synonyms
    write_form(inbox / "张三.xlsx", rows=rows, marker=False)
    _files, points, issues = checked(inbox)
    got = points.set_index("excel_row")[["likelihood", "harm", "self_level"]]
    assert got.loc[[4, 5, 6]].values.tolist() == [
        ["高", "较重", "一级"],
        ["中", "严重", "一级"],
        ["低", "严重", "二级"],
    ]
    rejected = issues[issues["action"] == vocab.ACTION_REJECT]
    assert rejected[["cell", "value"]].values.tolist() == [["E7", "可能性很难说"]]
