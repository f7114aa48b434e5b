"""Annotated copies of submitted files: the marker, a returned copy, links, bounds, fallbacks
and routing. Every test writes a real workbook, annotates it and reads the copy back."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, PatternFill, Side

from pipeline import annotate, frames, vocab, write_feedback
from pipeline.annotate import (
    FILL_NOTE,
    FILL_REJECT,
    AnnotateTask,
    Annotation,
    annotate_copy,
)
from tests import result_factory as rf
from tests.builders import add_file
from tests.forms import rewrite_zip
from tests.result_factory import make_result

MAIN = vocab.SHEET_INDIVIDUAL
CORPUS = Path("/work/shared/corpus/public")
MB = 1024 * 1024
SHEET_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def write_form(path: Path, cells: dict[str, object], sheet: str = MAIN, **extra: object) -> Path:
    """A small workbook: ``cells`` on ``sheet``; extra sheets as {title: {ref: value}}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for ref, value in cells.items():
        ws[ref] = value
    for title, more in extra.items():
        other = wb.create_sheet(title)
        for ref, value in dict(more).items():
            other[ref] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def replace_in_package(path: Path, old: str, new: str) -> None:
    """Rewrite a saved workbook's XML with ``old`` text replaced (what openpyxl would refuse)."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    assert any(old.encode() in data for data in members.values())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data.replace(old.encode(), new.encode()))


def reject(cell: str, problem: str = "「发生几率」没有填写。", sheet: str = MAIN) -> Annotation:
    return Annotation(sheet, cell, vocab.ACTION_REJECT, problem, "请从下拉列表中选择。")


def task_for(
    source: Path, target: Path, *notes: Annotation, inbox: Path | None = None, **kw: object
) -> AnnotateTask:
    return AnnotateTask(
        str(source),
        str(target),
        source.suffix.lower(),
        MAIN,
        tuple(notes),
        100 * MB,
        inbox=str(inbox or source.parent),
        **kw,
    )


def form_sheets(path: Path) -> list[str]:
    """The copy's sheets but the notes list it ends with."""
    return [n for n in openpyxl.load_workbook(path).sheetnames if n != vocab.COPY_NOTES_SHEET]


def marker(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    values = [p.value for p in wb.custom_doc_props.props if p.name == vocab.COPY_SOURCE_PROPERTY]
    assert len(values) == 1
    return values[0]


def is_filled(cell, colour: str) -> bool:
    return cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb).endswith(colour)


def add_issues(result: frames.RunResult, *rows: dict) -> None:
    result.issues = frames.concat_issues(result.issues, frames.issues_frame(list(rows)))


def missing(file: str, cell: str, section: str, sheet: str = MAIN, name: str = "") -> dict:
    return frames.issue(
        "missing_value",
        file=file,
        sheet=sheet,
        cell=cell,
        field_key="harm",
        section=section,
        name=name,
    )


def folder_of(out: Path, section: str) -> Path:
    return out / vocab.FEEDBACK_DIR / write_feedback.xlsx.safe_filename(section)


def copy_name(file: str) -> str:
    return Path(file).stem + vocab.ANNOTATED_SUFFIX + ".xlsx"


def copies_line(workbook: Path) -> str:
    """The cover's 批注副本 line of a section workbook."""
    ws = openpyxl.load_workbook(workbook)[vocab.ARCHIVE_SHEET_COVER]
    for row in ws.iter_rows(values_only=True):
        if row[0] == vocab.FEEDBACK_COVER_LABEL_COPIES:
            return str(row[1])
    raise AssertionError("no 批注副本 line on the cover")


def all_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    parts = []
    for ws in wb.worksheets:
        parts.append(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    parts.append(str(cell.value))
                if cell.comment is not None:
                    parts.append(cell.comment.text)
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# the marker and a returned copy
# --------------------------------------------------------------------------------------
def test_copy_carries_the_source_hash(tmp_path: Path) -> None:
    source = write_form(tmp_path / "inbox" / "张三.xlsx", {"A1": "科室", "E5": None})
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"))) == str(target)
    assert marker(target) == hashlib.sha256(source.read_bytes()).hexdigest()


def test_returned_copy_loses_last_rounds_marks_and_keeps_other_comments(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    source = write_form(inbox / "张三.xlsx", {"E5": "", "F6": "", "B2": "办公室"})
    round1 = tmp_path / "out1" / "张三_批注.xlsx"
    annotate_copy(task_for(source, round1, reject("E5"), reject("F6", "「危害程度」没有填写。")))
    # he fixes E5 in the copy, leaves F6, adds a note of his own, and sends the copy back
    wb = openpyxl.load_workbook(round1)
    ws = wb[MAIN]
    assert is_filled(ws["E5"], FILL_REJECT) and ws["E5"].comment is not None
    ws["E5"] = "很可能"
    ws["B2"].comment = Comment("科室名称已核对", "张三")
    returned = inbox / "张三_批注.xlsx"
    wb.save(returned)

    round2 = tmp_path / "out2" / "张三_批注.xlsx"
    assert annotate_copy(task_for(returned, round2, reject("F6", "「危害程度」没有填写。")))
    ws = openpyxl.load_workbook(round2)[MAIN]
    assert ws["E5"].value == "很可能"
    assert ws["E5"].comment is None and not is_filled(ws["E5"], FILL_REJECT)
    assert is_filled(ws["F6"], FILL_REJECT)
    assert ws["F6"].comment.text.count("「危害程度」没有填写") == 1  # not last round's text again
    assert vocab.FEEDBACK_COMMENT_OLD_NOTE not in ws["F6"].comment.text
    assert ws["B2"].comment.text == "科室名称已核对"
    sheets = openpyxl.load_workbook(round2).sheetnames
    assert sheets == [MAIN, vocab.COPY_NOTES_SHEET]  # last round's list replaced, not kept
    assert marker(round2) == hashlib.sha256(returned.read_bytes()).hexdigest()


def test_an_original_with_our_colours_keeps_them(tmp_path: Path) -> None:
    """Only a copy we wrote (it carries the marker) is cleared: a user's own red stays."""
    path = write_form(tmp_path / "inbox" / "张三.xlsx", {"C3": "重点", "E5": ""})
    wb = openpyxl.load_workbook(path)
    wb[MAIN]["C3"].fill = PatternFill("solid", start_color=FILL_REJECT, end_color=FILL_REJECT)
    wb.save(path)
    target = tmp_path / "out" / "c.xlsx"
    annotate_copy(task_for(path, target, reject("E5")))
    assert is_filled(openpyxl.load_workbook(target)[MAIN]["C3"], FILL_REJECT)


# --------------------------------------------------------------------------------------
# links, limits, hostile content
# --------------------------------------------------------------------------------------
def test_link_out_of_the_inbox_is_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="ascii")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    link = inbox / "passwd"
    link.symlink_to(secret)
    assert link.read_text(encoding="ascii").startswith("root:x")  # the link works
    target = tmp_path / "out" / "passwd_批注.xlsx"
    assert annotate_copy(task_for(link, target, reject("A1"), inbox=inbox)) is None
    assert not target.exists()


def test_symlink_rejected_by_discover_gets_no_copy_in_the_feedback(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="ascii")
    (result.inbox / "passwd").symlink_to(secret)
    add_file(result, "passwd", status=frames.FILE_STATUS_REJECTED, reason="symlink")
    add_issues(result, frames.issue("symlink", file="passwd"))
    written = write_feedback.write_feedback(result, tmp_path / "out")
    for path in written:
        assert "root:x" not in all_text(path)
    assert not any(p.name.startswith("passwd") for p in written)


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    big = inbox / "大文件.xlsx"
    with big.open("wb") as fh:  # sparse: 3 GB on paper, nothing on disk
        fh.truncate(3 * 1024 * MB)
    link = inbox / "链接.xlsx"
    link.symlink_to(big)
    assert big.stat().st_size == 3 * 1024 * MB
    for source in (big, link):
        target = tmp_path / "out" / f"{source.stem}_批注.xlsx"
        task = task_for(source, target, reject("A1"), inbox=inbox, max_bytes=20 * MB)
        assert annotate_copy(task) is None


def test_a_source_changed_since_it_was_read_gets_no_copy(tmp_path: Path) -> None:
    source = write_form(tmp_path / "inbox" / "张三.xlsx", {"E5": ""})
    stale = hashlib.sha256(b"what the reader read").hexdigest()
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"), sha256=stale)) is None
    fresh = hashlib.sha256(source.read_bytes()).hexdigest()
    assert annotate_copy(task_for(source, target, reject("E5"), sha256=fresh)) == str(target)


def test_external_hyperlinks_are_removed_and_said(tmp_path: Path) -> None:
    path = tmp_path / "inbox" / "张三.xlsx"
    write_form(path, {"D4": "制度文件", "D5": "网站", "D6": "本表", "E5": ""})
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN]
    ws["D4"].hyperlink = "file:///C:/Windows/System32/cmd.exe"
    ws["D5"].hyperlink = "https://example.com/x"
    ws["D6"].hyperlink = openpyxl.worksheet.hyperlink.Hyperlink(ref="D6", location="'Sheet'!A1")
    wb.save(path)
    assert b"cmd.exe" in zipfile.ZipFile(path).read("xl/worksheets/_rels/sheet1.xml.rels")
    target = tmp_path / "out" / "c.xlsx"
    annotate_copy(task_for(path, target, reject("E5")))
    with zipfile.ZipFile(target) as zf:
        rels = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".rels"))
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"cmd.exe" not in rels and b"example.com" not in rels and b"cmd.exe" not in sheet
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["D4"].hyperlink is None and ws["D5"].hyperlink is None
    assert ws["D4"].value == "制度文件"
    assert "已去掉该链接" in ws["D4"].comment.text and "cmd.exe" in ws["D4"].comment.text
    assert "example.com" in ws["D5"].comment.text
    assert ws["D6"].hyperlink.location == "'Sheet'!A1"  # a link within the workbook stays


def test_overlong_text_is_cut_to_what_a_cell_holds(tmp_path: Path) -> None:
    path = tmp_path / "inbox" / "张三.xlsx"
    # a 40,000-character cell, as a script or web export writes it (Excel itself cannot)
    write_form(path, {"D4": "占位文字", "E5": ""})
    replace_in_package(path, "占位文字", rf.LONG_TEXT)
    assert len(pd.read_excel(path, header=None, engine="calamine").iloc[3, 3]) == 40000
    target = tmp_path / "out" / "c.xlsx"
    annotate_copy(task_for(path, target, reject("E5")))
    text = openpyxl.load_workbook(target)[MAIN]["D4"].value
    assert len(text) == 32767 and text.endswith(vocab.TRUNCATION_MARK)


def test_many_merged_ranges_with_a_note_per_row_land_on_their_top_left(tmp_path: Path) -> None:
    path = tmp_path / "inbox" / "张三.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN
    n = 3000
    for r in range(1, n + 1):
        ws.cell(r, 1, f"第{r}行")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
    wb.save(path.parent.mkdir(parents=True) or path)
    notes = [reject(f"C{r}") for r in range(1, n + 1)]  # inside B:D of each row
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(path, target, *notes)) == str(target)
    ws = openpyxl.load_workbook(target)[MAIN]
    assert len(ws.merged_cells.ranges) == n
    for r in (1, n // 2, n):
        assert ws.cell(r, 2).comment is not None and is_filled(ws.cell(r, 2), FILL_REJECT)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the public corpus is not here")
def test_strict_ooxml_gets_a_copy_of_its_sheets(tmp_path: Path) -> None:
    source = CORPUS / "apache+poi/test-data/spreadsheet/SimpleStrict.xlsx"
    assert openpyxl.load_workbook(source).sheetnames == []  # openpyxl sees nothing in it
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(source, inbox / "strict.xlsx")
    target = tmp_path / "out" / "strict_批注.xlsx"
    task = task_for(inbox / "strict.xlsx", target, reject("B2", sheet="Sheet1"))
    assert annotate_copy(task) == str(target)
    wb = openpyxl.load_workbook(target)
    assert form_sheets(target) == ["Sheet1", "Sheet Number 2"]
    assert any(c.value is not None for row in wb["Sheet1"].iter_rows() for c in row)
    assert wb["Sheet1"]["B2"].comment is not None


STRICT_NAMES = [  # what Excel's 「Strict Open XML 电子表格」 writes instead
    ("spreadsheetml/2006/main", "spreadsheetml/main"),
    (
        "officeDocument/2006/relationships/extended-properties",
        "officeDocument/relationships/extendedProperties",
    ),
    ("officeDocument/2006/relationships", "officeDocument/relationships"),
    ("officeDocument/2006/extended-properties", "officeDocument/extendedProperties"),
    ("officeDocument/2006/docPropsVTypes", "officeDocument/docPropsVTypes"),
    ("drawingml/2006/main", "drawingml/main"),
]


def _marked_copy_with_its_look(path: Path, tmp_path: Path) -> Path:
    """The annotated copy of ``path`` with E4 sent back: marked, commented, and keeping the
    original's D width (41) and A3 fill; its path."""
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(path, target, reject("E4"))) == str(target)
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["E4"].value == "说不准" and is_filled(ws["E4"], FILL_REJECT)
    assert ws["E4"].comment is not None
    assert ws.column_dimensions["D"].width == 41
    assert ws["A3"].fill.fgColor.rgb == "FFDDEEFF"
    return target


def test_a_strict_ooxml_form_gets_a_copy_with_its_own_look(tmp_path: Path) -> None:
    """A form saved by Excel as 「Strict Open XML 电子表格」: openpyxl reads none of its sheets,
    so its copy was rebuilt from the values, losing the section's column widths, borders and
    fills; now the package is read under its transitional names and keeps its look."""
    path = write_form(
        tmp_path / "inbox" / "张三.xlsx", {"A3": "序号", "D3": "风险点描述", "E4": "说不准"}
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN]
    ws.column_dimensions["D"].width = 41
    ws["D3"].border = Border(bottom=Side(style="medium"))
    ws["A3"].fill = PatternFill("solid", fgColor="FFDDEEFF")
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            for old, new in STRICT_NAMES:
                data = data.replace(
                    f"http://schemas.openxmlformats.org/{old}".encode(),
                    f"http://purl.oclc.org/ooxml/{new}".encode(),
                )
            zf.writestr(name, data)
    assert openpyxl.load_workbook(path).sheetnames == []  # the precondition: Strict OOXML
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("_rels/.rels")
    target = _marked_copy_with_its_look(path, tmp_path)
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["D3"].border.bottom.style == "medium"
    with zipfile.ZipFile(target) as zf:
        assert not any(b"purl.oclc.org" in zf.read(n) for n in zf.namelist())


def test_a_form_whose_parts_are_named_in_another_case_gets_a_copy_with_its_own_look(
    tmp_path: Path,
) -> None:
    """A form re-zipped on a Mac (pandas #39250): the members are ``xl/worksheets/Sheet1.xml``
    while the relationships name ``sheet1.xml``. Excel compares part names without case and
    opens it, the reader read it, but openpyxl found no sheet and the copy was rebuilt from
    the values without the section's widths and fills; now it is the original, marked."""
    path = write_form(tmp_path / "inbox" / "张三.xlsx", {"A3": "序号", "E4": "说不准"})
    wb = openpyxl.load_workbook(path)
    wb[MAIN].column_dimensions["D"].width = 41
    wb[MAIN]["A3"].fill = PatternFill("solid", fgColor="FFDDEEFF")
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if name == "[Content_Types].xml":
                data = data.replace(b"/worksheets/sheet", b"/worksheets/Sheet")
            zf.writestr(name.replace("worksheets/sheet", "worksheets/Sheet"), data)
    with zipfile.ZipFile(path) as zf:  # the precondition: members and rels differ in case
        assert "xl/worksheets/Sheet1.xml" in zf.namelist()
        assert b'Target="/xl/worksheets/sheet1.xml"' in zf.read("xl/_rels/workbook.xml.rels")
    assert pd.read_excel(path, header=None, engine="calamine").iat[3, 4] == "说不准"
    assert openpyxl.load_workbook(path).sheetnames == []  # openpyxl finds no sheet
    _marked_copy_with_its_look(path, tmp_path)


@pytest.mark.parametrize("ext", [".xltx", ".xltm"])
def test_a_template_saved_form_gets_a_copy_excel_opens_as_xlsx(tmp_path: Path, ext: str) -> None:
    """A form saved as an Excel template (.xltx, .xltm: the office's blank form kept as a
    template and filled): the copy is an .xlsx, so its workbook must be typed as one; a
    template's type in an .xlsx is a file Excel refuses (「文件格式或文件扩展名无效」)."""
    path = write_form(tmp_path / "inbox" / "张三.xlsx", {"D4": "接待超标", "E4": "说不准"})
    source = path.with_suffix(ext)
    macro = "ms-excel.template.macroEnabled" if ext == ".xltm" else None
    template = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
    kind = f"application/vnd.{macro}.main+xml" if macro else template
    replace_in_package(path, SHEET_MAIN_TYPE, kind)
    path.rename(source)
    with zipfile.ZipFile(source) as zf:  # the precondition: a template's workbook type
        assert kind in zf.read("[Content_Types].xml").decode()
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4"))) == str(target)
    with zipfile.ZipFile(target) as zf:
        types = zf.read("[Content_Types].xml").decode()
    assert SHEET_MAIN_TYPE in types and "template" not in types
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["E4"].value == "说不准" and is_filled(ws["E4"], FILL_REJECT)


def test_raw_control_characters_still_get_a_copy(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    path = write_form(inbox / "张三.xlsx", {"D4": "接待XX超标", "E5": ""})
    # a raw control character in the cell text, as some exporters write it
    replace_in_package(path, "接待XX超标", "接待\x07超标")
    with pytest.raises(Exception):  # noqa: B017 - openpyxl refuses the file, any way
        openpyxl.load_workbook(path)
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(path, target, reject("E5"))) == str(target)
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["D4"].value == "接待超标" and is_filled(ws["E5"], FILL_REJECT)


def test_cover_counts_only_copies_really_written(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    rel = "办公室/周六.xlsx"
    write_form(result.inbox / rel, {"E5": ""})
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_OFFICE, name="周六")
    add_issues(result, missing(rel, "E5", rf.SECTION_OFFICE))
    # it changes after it was read: its copy is refused
    write_form(result.inbox / rel, {"E5": "很可能"})
    add_issues(result, missing(rf.FILE_LI, "F5", rf.SECTION_OFFICE))
    out = tmp_path / "out"
    written = write_feedback.write_feedback(result, out)
    folder = folder_of(out, rf.SECTION_OFFICE)
    copies = [p for p in written if p.parent == folder and vocab.ANNOTATED_SUFFIX in p.name]
    assert folder / copy_name(rf.FILE_LI) in copies
    assert folder / copy_name(rel) not in copies
    workbook = folder / vocab.FEEDBACK_FILE_TEMPLATE.format(section=folder.name)
    assert copies_line(workbook).startswith(f"{len(copies)} 份")


# --------------------------------------------------------------------------------------
# one workbook, two sections
# --------------------------------------------------------------------------------------
def test_a_workbook_with_two_sections_forms_sends_each_only_its_own_sheets(
    tmp_path: Path,
) -> None:
    result = make_result(tmp_path)
    rel = "办公室/两份表.xlsx"
    finance_sheet = "王五的表"
    write_form(
        result.inbox / rel,
        {"B2": rf.SECTION_OFFICE, "D2": "赵六", "E5": ""},
        **{finance_sheet: {"B2": rf.SECTION_FINANCE, "D2": "钱七", "D5": "钱七的风险点"}},
    )
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_OFFICE, name="赵六", sheet=MAIN)
    last = int(result.rows["row_id"].max()) if len(result.rows) else 0
    rows = pd.DataFrame(
        [
            {"row_id": last + 1, "file": rel, "sheet": MAIN, "section": rf.SECTION_OFFICE},
            {
                "row_id": last + 2,
                "file": rel,
                "sheet": finance_sheet,
                "section": rf.SECTION_FINANCE,
            },
        ]
    )
    result.rows = pd.concat([result.rows, rows], ignore_index=True)
    add_issues(
        result,
        missing(rel, "E5", rf.SECTION_OFFICE, name="赵六"),
        missing(rel, "E5", rf.SECTION_FINANCE, sheet=finance_sheet, name="钱七"),
    )
    out = tmp_path / "out"
    write_feedback.write_feedback(result, out)

    assert form_sheets(folder_of(out, rf.SECTION_OFFICE) / copy_name(rel)) == [MAIN]
    assert "钱七" not in all_text(folder_of(out, rf.SECTION_OFFICE) / copy_name(rel))
    finance_copy = folder_of(out, rf.SECTION_FINANCE) / copy_name(rel)
    finance = openpyxl.load_workbook(finance_copy)
    assert form_sheets(finance_copy) == [finance_sheet]
    assert finance[finance_sheet]["E5"].comment is not None
    assert "赵六" not in all_text(finance_copy)
    # the finance section's problem is listed in its own feedback workbook only
    for section, name in ((rf.SECTION_OFFICE, "钱七"), (rf.SECTION_FINANCE, "赵六")):
        folder = folder_of(out, section)
        book = folder / vocab.FEEDBACK_FILE_TEMPLATE.format(section=folder.name)
        assert name not in all_text(book)


def test_names_pointing_into_another_sections_sheet_leave_the_copy_with_it(
    tmp_path: Path,
) -> None:
    """A workbook-level name over 钱七's sheet (a named range, '钱七'!$A$1:$K$5): the copy
    for 张三's section, which leaves that sheet out, holds neither the name nor its sheet's
    name (before, the dangling name stayed: 钱七's name in 办公室's copy, #REF! in Excel);
    names over the kept sheet and the form's own marker stay."""
    from openpyxl.workbook.defined_name import DefinedName

    source = write_form(tmp_path / "inbox" / "两人.xlsx", {"E5": ""}, 钱七={"D5": "钱七的点"})
    wb = openpyxl.load_workbook(source)
    wb.defined_names["钱七区域"] = DefinedName("钱七区域", attr_text="'钱七'!$A$1:$K$5")
    wb.defined_names["别处"] = DefinedName("别处", attr_text="钱七!$D$5")
    wb.defined_names["本表"] = DefinedName("本表", attr_text=f"'{MAIN}'!$A$1:$K$5")
    wb.defined_names[vocab.TEMPLATE_MARKER_NAME] = DefinedName(
        vocab.TEMPLATE_MARKER_NAME, attr_text='"individual:1"'
    )
    wb.save(source)
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"), drop_sheets=("钱七",)))
    with zipfile.ZipFile(target) as zf:
        text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    assert "钱七" not in text
    names = openpyxl.load_workbook(target).defined_names
    assert {"本表", vocab.TEMPLATE_MARKER_NAME} <= set(names)


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_names_holding_a_formula_or_link_leave_the_copy(
    tmp_path: Path, monkeypatch, patched: bool
) -> None:
    """A defined name is a formula the copy would carry back to the section: a DDE call
    (cmd|' /c calc'!A0), a function, a link into another workbook. Only names that are plain
    references into the copy or constants (the template marker) stay; before, every name
    stayed in the patched copy and in the openpyxl one alike."""
    from openpyxl.workbook.defined_name import DefinedName

    source = write_form(tmp_path / "inbox" / "张三.xlsx", {"E5": ""})
    wb = openpyxl.load_workbook(source)
    hostile = {
        "DDE": "cmd|' /c calc'!A0",
        "函数": 'HYPERLINK("http://example.com","点我")',
        "外部": "[1]Sheet1!$A$1",
        "间接": 'INDIRECT("A1")',
    }
    for name, text in hostile.items():
        wb.defined_names[name] = DefinedName(name, attr_text=text)
    wb[MAIN].defined_names["本表DDE"] = DefinedName("本表DDE", attr_text="cmd|'/c calc'!A1")
    wb.defined_names["本表"] = DefinedName("本表", attr_text=f"'{MAIN}'!$A$1:$K$5,'{MAIN}'!$A:$B")
    wb.defined_names[vocab.TEMPLATE_MARKER_NAME] = DefinedName(
        vocab.TEMPLATE_MARKER_NAME, attr_text='"individual:1"'
    )
    wb.save(source)
    with zipfile.ZipFile(source) as zf:
        assert b"/c calc" in zf.read("xl/workbook.xml") and b"HYPERLINK" in zf.read(
            "xl/workbook.xml"
        )
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5")))
    with zipfile.ZipFile(target) as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
    assert "/c calc" not in book and "HYPERLINK" not in book and "INDIRECT" not in book
    assert "[1]" not in book
    copy = openpyxl.load_workbook(target)
    assert {"本表", vocab.TEMPLATE_MARKER_NAME} <= set(copy.defined_names)
    assert not set(hostile) & set(copy.defined_names)
    assert is_filled(copy[MAIN]["E5"], FILL_REJECT)


def test_dropdowns_and_rules_over_another_sections_sheet_leave_the_copy_with_it(
    tmp_path: Path,
) -> None:
    """张三's sheet has a dropdown listing 钱七's cells and a colour rule comparing with them:
    the copy for 张三's section leaves 钱七's sheet out, and with it these (they carried 钱七's
    name and a dangling reference). A dropdown of its own values stays."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.worksheet.datavalidation import DataValidation

    source = write_form(tmp_path / "inbox" / "两人.xlsx", {"E5": ""}, 钱七={"D5": "钱七的点"})
    wb = openpyxl.load_workbook(source)
    ws = wb[MAIN]
    for formula, cells in (("'钱七'!$D$5:$D$9", "D5:D9"), ('"高,中,低"', "E5:E9")):
        dv = DataValidation(type="list", formula1=formula)
        dv.add(cells)
        ws.add_data_validation(dv)
    ws.conditional_formatting.add(
        "F5:F9", FormulaRule(formula=["F5=钱七!$D$5"], fill=PatternFill("solid", "FFFF00"))
    )
    wb.save(source)
    with zipfile.ZipFile(source) as zf:
        assert "钱七!$D$5" in zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"), drop_sheets=("钱七",)))
    with zipfile.ZipFile(target) as zf:
        text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    assert "钱七" not in text
    kept = openpyxl.load_workbook(target)[MAIN].data_validations.dataValidation
    assert [dv.formula1 for dv in kept] == ['"高,中,低"']


def test_a_formula_reading_another_sections_sheet_leaves_no_result_in_the_copy(
    tmp_path: Path,
) -> None:
    """张三's sheet shows, by formulas, cells of 钱七's sheet (directly, summed, through a
    name). The copy holds formula results, not formulas: those results are 钱七's data, and
    they go with 钱七's sheet. A formula over 张三's own cells keeps its result."""
    import re

    from openpyxl.workbook.defined_name import DefinedName

    first = write_form(tmp_path / "first.xlsx", {"E5": ""}, 钱七={"D5": "钱七的点", "A1": 7})
    wb = openpyxl.load_workbook(first)
    ws = wb[MAIN]
    formulas = {"M1": "钱七!D5", "M2": "SUM(钱七!A1:A3)", "M3": "钱七范围", "M4": "B2"}
    for ref, formula in formulas.items():
        ws[ref] = "=" + formula
    wb.defined_names["钱七范围"] = DefinedName("钱七范围", attr_text="'钱七'!$D$5")
    wb.save(first)
    results = {"M1": "钱七的点", "M2": "7", "M3": "钱七的点", "M4": "自己的值"}
    with zipfile.ZipFile(first) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    for ref, formula in formulas.items():  # the results Excel saved with the formulas
        kind = "" if results[ref].isdigit() else ' t="str"'
        sheet, n = re.subn(
            rf'<c r="{ref}"([^>]*)><f>{re.escape(formula)}</f><v\s*/>',
            rf'<c r="{ref}"\1{kind}><f>{formula}</f><v>{results[ref]}</v>',
            sheet,
        )
        assert n == 1, ref  # the precondition: each formula is in the file with its result
    source = tmp_path / "inbox" / "两人.xlsx"
    source.parent.mkdir()
    rewrite_zip(first, source, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})
    assert openpyxl.load_workbook(source, data_only=True)[MAIN]["M1"].value == "钱七的点"
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"), drop_sheets=("钱七",)))
    with zipfile.ZipFile(target) as zf:
        text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    assert "钱七" not in text
    kept = openpyxl.load_workbook(target)[MAIN]
    assert [kept[ref].value for ref in ("M1", "M2", "M3")] == [None, None, None]
    assert kept["M4"].value == "自己的值"


def test_a_rebuilt_copys_sheet_name_fits_excels_31_characters(tmp_path: Path) -> None:
    """A text table's sheet is named after its file: a name of 20 emoji is 20 characters to
    Python but 40 to Excel (UTF-16 units), past a sheet name's 31, and Excel would call the
    copy damaged. The copy's sheet name is cut to 31 as Excel counts; the note lands."""
    stem = "😀" * 20 + "张三"
    assert len(stem) <= 31 < len(stem.encode("utf-16-le")) // 2
    source = tmp_path / "inbox" / f"{stem}.csv"
    source.parent.mkdir(parents=True)
    source.write_text("科室,办公室\n姓名,张三\n", encoding="utf-8")
    target = tmp_path / "out" / "c.xlsx"
    note = reject("B2", sheet=stem)
    task = AnnotateTask(
        str(source), str(target), ".csv", stem, (note,), 100 * MB, inbox=str(source.parent)
    )
    assert annotate_copy(task)
    wb = openpyxl.load_workbook(target)
    assert all(len(ws.title.encode("utf-16-le")) // 2 <= 31 for ws in wb.worksheets)
    assert wb.worksheets[0].title.startswith("😀") and is_filled(
        wb.worksheets[0]["B2"], FILL_REJECT
    )


def test_an_unread_second_form_stays_out_of_the_copy(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    rel = "办公室/两人.xlsx"
    write_form(
        result.inbox / rel,
        {"B2": rf.SECTION_OFFICE, "D2": "赵六", "E5": ""},
        别人的表={"B2": rf.SECTION_FINANCE, "D2": "钱七"},
    )
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_OFFICE, name="赵六", sheet=MAIN)
    second = frames.issue(
        "second_form",
        file=rel,
        sheet="别人的表",
        cell="A3",
        section=rf.SECTION_OFFICE,
        name="赵六",
        where="工作表「别人的表」",
        who="",
        n=1,
    )
    add_issues(result, missing(rel, "E5", rf.SECTION_OFFICE, name="赵六"), second)
    out = tmp_path / "out"
    write_feedback.write_feedback(result, out)
    copy = folder_of(out, rf.SECTION_OFFICE) / copy_name(rel)
    wb = openpyxl.load_workbook(copy)
    assert form_sheets(copy) == [MAIN]
    assert "钱七" not in all_text(copy)
    assert "另一份自查表" in wb[MAIN]["A1"].comment.text  # the note itself is kept, on A1


def test_copy_comments_print_at_the_end(tmp_path: Path) -> None:
    source = write_form(tmp_path / "inbox" / "张三.xlsx", {"E5": ""})
    target = tmp_path / "out" / "c.xlsx"
    annotate_copy(task_for(source, target, reject("E5")))
    assert openpyxl.load_workbook(target)[MAIN].page_setup.cellComments == "atEnd"
    with zipfile.ZipFile(target) as zf:
        assert b'cellComments="atEnd"' in zf.read("xl/worksheets/sheet1.xml")


def test_symlink_inside_the_inbox_to_a_file_inside_is_copied(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    real = write_form(inbox / "张三.xlsx", {"E5": ""})
    link = inbox / "链接.xlsx"
    os.symlink(real, link)
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(link, target, reject("E5"), inbox=inbox)) == str(target)


# --------------------------------------------------------------------------------------
# paper: the look of rebuilt copies, comments on the printout
# --------------------------------------------------------------------------------------
needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and pdftotext are not installed",
)
DATE_TEXT = "2026年3月28日"
LONG_DESCRIPTION = (
    "对报销凭证审核把关不严，存在以文代审、先支付后补手续等问题，可能导致资金被挪用。"
)


def soffice(args: list[str], home: Path) -> None:
    subprocess.run(
        ["soffice", "--headless", *args],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )


def pdf_text(path: Path, home: Path) -> str:
    soffice(["--convert-to", "pdf", "--outdir", str(path.parent), str(path)], home)
    pdf = path.with_suffix(".pdf")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def styled_originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A styled form (narrow A, wide wrapped D, a 16-wide 填表日期 with a Chinese date format,
    a bordered table, a tall row) saved as .xlsx, and by LibreOffice as .xls and .ods."""
    folder = tmp_path_factory.mktemp("styled")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN
    ws["A1"], ws["A2"], ws["B2"], ws["I2"] = "个人廉政风险自查表", "科室", "办公室", "填表日期"
    ws["J2"] = datetime.datetime(2026, 3, 28)
    ws["J2"].number_format = 'yyyy"年"m"月"d"日"'
    for col, width in (("A", 6), ("D", 40), ("J", 16)):
        ws.column_dimensions[col].width = width
    thin = Side(style="thin")
    for r in range(3, 7):
        for c in range(1, 12):
            ws.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["D4"] = LONG_DESCRIPTION
    ws["D4"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[4].height = 48
    wb.save(folder / "styled.xlsx")
    paths = {"xlsx": folder / "styled.xlsx"}
    if shutil.which("soffice"):
        for ext in ("xls", "ods"):
            soffice(["--convert-to", ext, "--outdir", str(folder), str(paths["xlsx"])], folder)
            paths[ext] = folder / f"styled.{ext}"
    return paths


@needs_office
@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_rebuilt_copy_keeps_widths_borders_wrapping_and_formats(
    styled_originals: dict[str, Path], tmp_path: Path, ext: str
) -> None:
    source = styled_originals[ext]
    target = tmp_path / f"copy_{ext}.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4"))) == str(target)
    ws = openpyxl.load_workbook(target)[MAIN]
    widths = {col: ws.column_dimensions[col].width for col in "ADJ"}
    assert widths == pytest.approx({"A": 6, "D": 40, "J": 16}, abs=0.6)
    assert ws["D4"].value == LONG_DESCRIPTION and ws["D4"].alignment.wrap_text
    assert ws.row_dimensions[4].height == pytest.approx(48, abs=1)
    assert ws["C5"].border.left.style == "thin" and ws["K3"].border.bottom.style == "thin"
    assert "年" in ws["J2"].number_format
    assert is_filled(ws["E4"], FILL_REJECT)


@needs_office
@pytest.mark.parametrize("ext", ["xlsx", "xls", "ods"])
def test_printed_copy_shows_every_comment_and_an_uncut_date(
    styled_originals: dict[str, Path], tmp_path: Path, ext: str
) -> None:
    source = styled_originals[ext]
    target = tmp_path / f"copy_{ext}.xlsx"
    notes = (
        reject("E4", "「发生几率」没有填写。"),
        Annotation(MAIN, "J2", vocab.ACTION_NOTE, "填表日期晚于截止日期。", "请核对填表日期。"),
    )
    assert annotate_copy(task_for(source, target, *notes)) == str(target)
    text = pdf_text(target, tmp_path)
    flat = "".join(text.split())
    for note in notes:
        assert note.problem in flat and note.fix in flat
    assert DATE_TEXT in flat and "###" not in text
    assert "".join(LONG_DESCRIPTION.split()) in flat  # the wrapped description is whole


# --------------------------------------------------------------------------------------
# the patched package (plain .xlsx) and the openpyxl round trip give the same copy
# --------------------------------------------------------------------------------------
def copy_content(path: Path) -> dict[str, object]:
    """What a reader of the copy sees: values, fills, comments, marker, print setting."""
    wb = openpyxl.load_workbook(path)
    seen: dict[str, object] = {"sheets": wb.sheetnames, "marker": marker(path)}
    for ws in wb.worksheets:
        seen[f"{ws.title}!print"] = ws.page_setup.cellComments
        for row in ws.iter_rows():
            for cell in row:
                key = f"{ws.title}!{cell.coordinate}"
                if cell.value is not None:
                    seen[key] = cell.value
                if cell.comment is not None:
                    seen[key + "#comment"] = (cell.comment.author, cell.comment.text)
                if is_filled(cell, FILL_REJECT) or is_filled(cell, FILL_NOTE):
                    seen[key + "#fill"] = str(cell.fill.fgColor.rgb)[-6:]
    return seen


def test_patched_copy_equals_the_openpyxl_copy(tmp_path: Path, monkeypatch) -> None:
    result = make_result(tmp_path)
    source = result.inbox / rf.FILE_ZHANG  # J2:K2 merged, a pledge sheet
    notes = (
        reject("K2", "「填表日期」没有填写。"),  # inside the merge: goes on J2
        reject("E5"),
        reject("Z40", "一个还没有的单元格"),  # a cell and a row the sheet does not have
        Annotation(MAIN, "F4", vocab.ACTION_NOTE, "自评等级与评定等级不同。", "请核对。"),
        Annotation(vocab.SHEET_PLEDGE, "", vocab.ACTION_REJECT, "承诺事项为空。", "请填写。"),
    )
    patched = tmp_path / "patched.xlsx"
    assert annotate_copy(task_for(source, patched, *notes, inbox=result.inbox))
    monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    rebuilt = tmp_path / "openpyxl.xlsx"
    assert annotate_copy(task_for(source, rebuilt, *notes, inbox=result.inbox))
    # the patched copy keeps the original's members that hold no mark byte for byte
    with zipfile.ZipFile(source) as zs, zipfile.ZipFile(patched) as zp:
        kept = [n for n in zs.namelist() if n.startswith("xl/theme/") or n == "docProps/app.xml"]
        assert kept and all(zs.read(n) == zp.read(n) for n in kept)
    seen = copy_content(patched)
    assert seen == copy_content(rebuilt)
    assert seen[f"{MAIN}!J2#fill"] == FILL_REJECT and f"{MAIN}!K2#comment" not in seen
    assert seen[f"{MAIN}!F4#fill"] == FILL_NOTE and seen[f"{MAIN}!Z40#fill"] == FILL_REJECT
    assert "承诺事项为空" in seen[f"{vocab.SHEET_PLEDGE}!A1#comment"][1]


@pytest.mark.parametrize("names", [False, True], ids=["no-names", "names"])
@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_the_notes_list_repeats_its_header_row_on_every_printed_page(
    tmp_path: Path, monkeypatch, patched: bool, names: bool
) -> None:
    """A form of 60 rows each with a bad cell: its 批注清单 runs over several pages. The copy
    made through openpyxl repeated the list's header row (工作表, 单元格, 批注内容) on each
    page; the patched copy (every plain .xlsx) did not, so pages 2.. were columns of cells and
    texts without a heading. Now both do, also beside the workbook's own names."""
    from openpyxl.workbook.defined_name import DefinedName

    cells = {f"E{r}": "" for r in range(5, 65)}
    source = write_form(tmp_path / "inbox" / "张三.xlsx", cells, 说明={"A1": "填表说明"})
    if names:
        wb = openpyxl.load_workbook(source)
        wb.defined_names[vocab.TEMPLATE_MARKER_NAME] = DefinedName(
            vocab.TEMPLATE_MARKER_NAME, attr_text='"individual:1"'
        )
        wb[MAIN].print_title_rows = "4:4"
        wb.save(source)
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(source, target, *(reject(ref) for ref in cells)))
    copy = openpyxl.load_workbook(target)
    notes = copy[vocab.COPY_NOTES_SHEET]
    assert notes.max_row == 61  # the precondition: a header and 60 notes, pages of them
    assert notes.print_title_rows == "$1:$1"
    assert copy.sheetnames[-1] == vocab.COPY_NOTES_SHEET and copy[MAIN].cell(5, 5).comment
    if names:
        assert copy[MAIN].print_title_rows == "$4:$4"
        assert vocab.TEMPLATE_MARKER_NAME in copy.defined_names


def test_unusual_packages_fall_back_to_openpyxl(tmp_path: Path) -> None:
    """A formula, a link or a comment already there: the copy is still right (via openpyxl)."""
    path = tmp_path / "inbox" / "张三.xlsx"
    write_form(path, {"A1": "=1+1", "D4": "链接", "E5": ""})
    wb = openpyxl.load_workbook(path)
    wb[MAIN]["D4"].hyperlink = "https://example.com/"
    wb[MAIN]["E5"].comment = Comment("我的批注", "张三")
    wb.save(path)
    target = tmp_path / "out" / "c.xlsx"
    assert annotate_copy(task_for(path, target, reject("E5")))
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["A1"].value is None or not str(ws["A1"].value).startswith("=")
    assert ws["D4"].hyperlink is None and is_filled(ws["E5"], FILL_REJECT)
    assert (
        "我的批注" in ws["E5"].comment.text
        and vocab.FEEDBACK_COMMENT_OLD_NOTE in ws["E5"].comment.text
    )


def test_a_copy_that_cannot_keep_the_originals_pictures_says_so(tmp_path: Path) -> None:
    """A form with a picture (a scanned signature or seal) and a comment of its own: the copy
    goes through openpyxl, which drops pictures without Pillow; the section was not told and
    a corrected copy came back without its signature."""
    import base64
    import io

    import xlsxwriter

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    path = tmp_path / "inbox" / "张三.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(MAIN)
    ws.write("D4", "制度文件")
    ws.write_comment("D4", "本人的批注")  # the original's own comment: no patched copy
    ws.insert_image("H10", "签名.png", {"image_data": io.BytesIO(png)})
    wb.close()
    assert any(n.startswith("xl/media/") for n in zipfile.ZipFile(path).namelist())
    target = tmp_path / "out" / "c.xlsx"
    annotate_copy(task_for(path, target, reject("E5")))
    assert not any(n.startswith("xl/media/") for n in zipfile.ZipFile(target).namelist())
    ws = openpyxl.load_workbook(target)[MAIN]
    assert "1 张图片" in ws["A1"].comment.text and "原文件未改动" in ws["A1"].comment.text
    assert ws["D4"].comment.text == "本人的批注" and "没有填写" in ws["E5"].comment.text


# --------------------------------------------------------------------------------------
# dropdowns: a comment that says 请从下拉列表中选择 finds a dropdown in the copy
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["xlsx-patched", "xlsx-openpyxl", "csv"])
def test_a_copy_offers_dropdowns_on_the_choice_columns_that_had_none(
    tmp_path: Path, monkeypatch, kind: str
) -> None:
    """A form written by a script (no dropdowns), or a .csv / .xls / .ods form whose copy is
    rebuilt from its values (the original's dropdowns lost): the comment on a bad 发生几率
    says 请从下拉列表中选择, but the copy had no dropdown anywhere. Now the form's 风险类别,
    发生几率, 危害程度 and 自评等级 columns offer their choices, from the first point down to
    rows under the last; a column that has a dropdown of its own keeps only that one."""
    import csv

    from tests.forms import form_grid, sample_row
    from tests.forms import write_form as write_script_form

    grid = form_grid(rows=[sample_row(1, likelihood="很多"), sample_row(2)])
    if kind == "csv":
        source = tmp_path / "inbox" / "张三.csv"
        source.parent.mkdir()
        with open(source, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([[("" if v is None else v) for v in row] for row in grid])
    else:
        source = write_script_form(tmp_path / "inbox" / "张三.xlsx", grid=grid)
        wb = openpyxl.load_workbook(source)
        assert not wb[MAIN].data_validations.dataValidation  # the precondition: none
        from openpyxl.worksheet.datavalidation import DataValidation

        own = DataValidation(type="list", formula1='"甲,乙"')
        own.add("G4:G9")  # 自评等级 with a dropdown of its own
        wb[MAIN].add_data_validation(own)
        wb.save(source)
    if kind == "xlsx-openpyxl":
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "张三_批注.xlsx"
    note = Annotation(
        MAIN, "E4", vocab.ACTION_REJECT, "发生几率「很多」不在可选范围内：高、中、低。",
        "请从下拉列表中选择：高、中、低。",
    )  # fmt: skip
    assert annotate_copy(task_for(source, target, note)) == str(target)
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["E4"].value == "很多" and is_filled(ws["E4"], FILL_REJECT)

    def offered(ref: str) -> list[str]:
        return [
            dv.formula1
            for dv in ws.data_validations.dataValidation
            if ref in dv.sqref and dv.type == "list"
        ]

    assert offered("E4") == ['"高,中,低"'] and offered("E25") == ['"高,中,低"']
    assert offered("F5") == ['"严重,较重,一般"']
    assert offered("C4") == ['"' + ",".join(vocab.CATEGORIES) + '"']
    assert offered("D4") == [] and offered("E3") == []  # not on text, not on the header
    if kind != "csv":
        assert offered("G4") == ['"甲,乙"']


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_a_marked_cell_in_a_hidden_row_or_column_is_shown_in_the_copy(
    tmp_path: Path, monkeypatch, patched: bool
) -> None:
    """A sender hid row 5 and column F of the form. The copy filled and commented E5 and F4,
    but in Excel or WPS they stayed out of sight: the sender saw no mark. The rows and
    columns of marked cells are shown now; what else was hidden stays hidden."""
    import xlsxwriter

    from tests.forms import form_grid, sample_row

    source = tmp_path / "inbox" / "张三.xlsx"
    source.parent.mkdir()
    wb = xlsxwriter.Workbook(str(source))
    ws = wb.add_worksheet(MAIN)
    grid = form_grid(rows=[sample_row(i) for i in range(1, 5)])
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, (str, int)):
                ws.write(r, c, value)
    for r in (4, 5):  # rows 5 and 6
        ws.set_row(r, None, None, {"hidden": True})
    ws.set_column("F:F", None, None, {"hidden": True})
    ws.set_column("H:H", None, None, {"hidden": True})
    wb.close()
    original = openpyxl.load_workbook(source)[MAIN]
    assert original.row_dimensions[5].hidden and original.column_dimensions["F"].hidden
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E5"), reject("F4", "「危害程度」不对。")))
    copy = openpyxl.load_workbook(target)[MAIN]
    assert copy["E5"].comment is not None and is_filled(copy["F4"], FILL_REJECT)
    assert not copy.row_dimensions[5].hidden and not copy.column_dimensions["F"].hidden
    assert copy.row_dimensions[6].hidden and copy.column_dimensions["H"].hidden


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_a_hidden_sheet_holding_a_mark_is_shown_in_the_copy(
    tmp_path: Path, monkeypatch, patched: bool
) -> None:
    """A section's workbook with 李四's sheet hidden: the reader reads that sheet (提示
    hidden_sheet_read) and sends back its bad cells, but the copy kept the sheet hidden, so
    the sender saw neither the fill nor the comment. A hidden sheet holding a mark is shown
    now; a hidden sheet without one stays hidden."""
    import xlsxwriter

    source = tmp_path / "inbox" / "办公室.xlsx"
    source.parent.mkdir()
    wb = xlsxwriter.Workbook(str(source))
    for title in (MAIN, "李四", "旧表"):
        ws = wb.add_worksheet(title)
        ws.write("E4", "很多")
        if title != MAIN:
            ws.hide()
    wb.close()
    original = openpyxl.load_workbook(source)
    assert [ws.sheet_state for ws in original.worksheets] == ["visible", "hidden", "hidden"]
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "办公室_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4", sheet="李四")))
    copy = openpyxl.load_workbook(target)
    assert copy["李四"]["E4"].comment is not None and is_filled(copy["李四"]["E4"], FILL_REJECT)
    assert copy["李四"].sheet_state == "visible"
    assert copy["旧表"].sheet_state == "hidden" and copy[MAIN].sheet_state == "visible"


def test_a_rebuilt_copy_repeats_the_table_header_on_every_printed_page(tmp_path: Path) -> None:
    """A .csv (or .xls, .ods) form of 40 points is rebuilt as an .xlsx whose print setup is
    ours: its pages 2.. printed columns of values with no 序号/风险点描述 heading, and no
    page numbers. The table header row is repeated on every page now, pages numbered."""
    import csv

    from tests.forms import form_grid, sample_row

    grid = form_grid(rows=[sample_row(i, likelihood="很多") for i in range(1, 41)])
    source = tmp_path / "inbox" / "张三.csv"
    source.parent.mkdir()
    with open(source, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([[("" if v is None else v) for v in row] for row in grid])
    assert grid[2][0] == vocab.COLUMN_LABELS["seq"]  # the precondition: the header is row 3
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4")))
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["E4"].comment is not None
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text  # page numbers


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_a_copy_opens_on_the_sheet_with_the_marks(tmp_path: Path, monkeypatch, patched) -> None:
    """The form is the second sheet, behind a 说明 sheet the workbook opens on: the copy
    opened on 说明, where there is no mark, and the sender thought nothing was wrong. It
    opens on the form now; a copy whose own open sheet holds a mark still opens there."""
    source = write_form(
        tmp_path / "inbox" / "张三.xlsx", {"A1": "请在第二个工作表填写"}, sheet="说明"
    )
    wb = openpyxl.load_workbook(source)
    form = wb.create_sheet(MAIN)
    form["E4"] = "很多"
    wb.active = 0
    wb.save(source)
    assert openpyxl.load_workbook(source).active.title == "说明"  # the precondition
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4")))
    copy = openpyxl.load_workbook(target)
    assert copy.active.title == MAIN and copy[MAIN]["E4"].comment is not None
    assert [ws.sheet_view.tabSelected for ws in copy.worksheets[:2]] == [False, True]
    other = tmp_path / "out" / "second.xlsx"
    note = Annotation("说明", "A1", vocab.ACTION_NOTE, "说明。", "请看。")
    assert annotate_copy(task_for(source, other, reject("E4"), note))
    assert openpyxl.load_workbook(other).active.title == "说明"


def test_a_workbook_naming_its_relationships_on_each_sheet_gets_a_copy_that_opens(
    tmp_path: Path,
) -> None:
    """A writer (Rust's and JavaScript's libraries do) that declares the relationships
    namespace on each <sheet> element, not on the workbook, and writes an empty
    <definedNames/>: the patched copy's 批注清单 sheet used a prefix bound nowhere and a
    second <definedNames>, a package Excel repairs and openpyxl cannot read at all."""
    from tests.forms import form_grid, sample_row, write_xlsx

    source = write_xlsx(tmp_path / "src.xlsx", {MAIN: form_grid(rows=[sample_row(1)])})
    with zipfile.ZipFile(source) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
    ns = ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    xml = xml.replace(ns, "", 1).replace("<sheet ", f"<sheet{ns} ")
    xml = xml.replace("</sheets>", "</sheets><definedNames/>")
    assert "<definedNames/>" in xml and xml.count(ns) == 1  # the precondition
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = rewrite_zip(source, inbox / "张三.xlsx", {"xl/workbook.xml": xml.encode("utf-8")})
    assert openpyxl.load_workbook(form).sheetnames == [MAIN]
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(form, target, reject("E4")))
    with zipfile.ZipFile(target) as zf:
        assert zf.read("xl/workbook.xml").count(b"<definedNames") == 1
    copy = openpyxl.load_workbook(target)
    assert copy.sheetnames == [MAIN, vocab.COPY_NOTES_SHEET]
    assert copy[MAIN]["E4"].comment is not None
    assert copy[vocab.COPY_NOTES_SHEET].print_title_rows == "$1:$1"


def test_a_form_behind_a_chart_sheet_gets_its_print_titles_and_opens_in_the_copy(
    tmp_path: Path,
) -> None:
    """A chart sheet before the form: the patched copy counted only worksheets, so the
    form's header rows were set to repeat on the chart's page (a sheet index off by one)
    and the copy did not open on the form."""
    import xlsxwriter

    from tests.forms import form_grid, sample_row

    source = tmp_path / "inbox" / "张三.xlsx"
    source.parent.mkdir()
    wb = xlsxwriter.Workbook(str(source))
    chart_sheet = wb.add_chartsheet("图表")
    ws = wb.add_worksheet(MAIN)
    for r, row in enumerate(form_grid(rows=[sample_row(i) for i in range(1, 4)])):
        for c, value in enumerate(row):
            if isinstance(value, (str, int)):
                ws.write(r, c, value)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"='{MAIN}'!$A$4:$A$6"})
    chart_sheet.set_chart(chart)
    wb.close()
    assert openpyxl.load_workbook(source).active.title == "图表"  # the precondition
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4")))
    with zipfile.ZipFile(target) as zf:
        assert b'localSheetId="1">\'' + MAIN.encode() + b"'!$3:$3" in zf.read("xl/workbook.xml")
    copy = openpyxl.load_workbook(target)
    assert copy[MAIN].print_title_rows == "$3:$3" and copy.active.title == MAIN


THREAD_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
THREAD_PLACEHOLDER = (
    "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; "
    "however, any edits to it will get removed if the file is opened in a newer version of "
    "Excel. Learn more: https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    {text}"
)


def add_members(path: Path, edits: dict[str, tuple[bytes, bytes]], new: dict[str, bytes]) -> None:
    """Rewrite a saved package: ``edits`` replace text in members, ``new`` adds members."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    for name, (old, repl) in edits.items():
        assert old in members[name]
        members[name] = members[name].replace(old, repl)
    members.update(new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_threaded_comments_keep_their_thread_without_excels_english_placeholder(
    tmp_path: Path,
) -> None:
    """An Excel 365 form with threaded comments: openpyxl keeps only the placeholder notes
    Excel writes for older versions, so the copy showed 「[Threaded comment] Your version of
    Excel allows you…」 as the sender's note and quoted it in our comment on a marked cell."""
    source = tmp_path / "inbox" / "张三.xlsx"
    source.parent.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN
    ws["E4"], ws["H6"] = "待定", "参考去年"
    ids = {
        "E4": "{33333333-0000-0000-0000-000000000001}",
        "H6": "{33333333-0000-0000-0000-00000000000A}",
    }
    ws["E4"].comment = Comment(THREAD_PLACEHOLDER.format(text="发生几率待定"), f"tc={ids['E4']}")
    ws["H6"].comment = Comment(THREAD_PLACEHOLDER.format(text="请科长确认"), f"tc={ids['H6']}")
    wb.save(source)
    person = "{11111111-0000-0000-0000-000000000001}"
    boss = "{11111111-0000-0000-0000-000000000002}"
    thread = (
        f'<ThreadedComments xmlns="{THREAD_NS}">'
        f'<threadedComment ref="E4" personId="{person}" id="{ids["E4"]}"><text>发生几率待定</text>'
        "</threadedComment>"
        f'<threadedComment ref="H6" personId="{person}" id="{ids["H6"]}"><text>请科长确认</text>'
        "</threadedComment>"
        f'<threadedComment ref="H6" personId="{boss}" id="{{44444444-0000-0000-0000-000000000001}}"'
        f' parentId="{ids["H6"].lower()}"><text>可以</text></threadedComment></ThreadedComments>'
    )
    persons = (
        f'<personList xmlns="{THREAD_NS}"><person displayName="张三" id="{person}"/>'
        f'<person displayName="李科长" id="{boss}"/></personList>'
    )
    add_members(
        source,
        {},
        {
            "xl/threadedComments/threadedComment1.xml": thread.encode(),
            "xl/persons/person.xml": persons.encode(),
        },
    )
    original = openpyxl.load_workbook(source)[MAIN]  # the precondition: Excel's placeholders
    assert original["E4"].comment.text.startswith("[Threaded comment]")
    assert zipfile.ZipFile(source).getinfo("xl/threadedComments/threadedComment1.xml")
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4", "发生几率「待定」不在可选范围内。")))
    ws = openpyxl.load_workbook(target)[MAIN]
    assert ws["E4"].comment.author == vocab.FEEDBACK_COMMENT_AUTHOR
    assert ws["E4"].comment.text.endswith(f"{vocab.FEEDBACK_COMMENT_OLD_NOTE}发生几率待定")
    assert ws["H6"].comment.author == "张三"
    assert ws["H6"].comment.text == "请科长确认\n" + vocab.COPY_THREAD_REPLY.format(
        who="李科长", text="可以"
    )
    notes = openpyxl.load_workbook(target)[vocab.COPY_NOTES_SHEET]
    assert not any("Threaded" in str(c.value) for row in notes.iter_rows() for c in row)


VBA_RELATIONSHIP = (
    b'<Relationship Id="rIdVba" Target="vbaProject.bin" '
    b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/>'
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the public corpus is not here")
def test_a_macro_workbooks_copy_says_its_macros_are_not_kept(tmp_path: Path) -> None:
    """An .xlsm with VBA: the copy is an .xlsx without the macros, and nothing said so (a
    section correcting in the copy would send back a form its macros no longer run in)."""
    vba = zipfile.ZipFile(CORPUS / "tafia+calamine/tests/vba.xlsm").read("xl/vbaProject.bin")
    source = write_form(
        tmp_path / "inbox" / "张三.xlsm", {"A1": "个人廉政风险自查表", "E4": "待定"}
    )
    add_members(
        source,
        {
            "[Content_Types].xml": (
                SHEET_MAIN_TYPE.encode(),
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            ),
            "xl/_rels/workbook.xml.rels": (
                b"</Relationships>",
                VBA_RELATIONSHIP + b"</Relationships>",
            ),
        },
        {"xl/vbaProject.bin": vba},
    )
    assert "xl/vbaProject.bin" in zipfile.ZipFile(source).namelist()  # the precondition
    target = tmp_path / "out" / "张三_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("E4")))
    assert "xl/vbaProject.bin" not in zipfile.ZipFile(target).namelist()
    ws = openpyxl.load_workbook(target)[MAIN]
    assert vocab.COPY_MACROS_DROPPED in ws["A1"].comment.text
    assert is_filled(ws["E4"], FILL_REJECT)
    assert "xl/vbaProject.bin" in zipfile.ZipFile(source).namelist()  # the original untouched


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the public corpus is not here")
@pytest.mark.parametrize(
    ("name", "macros"), [("SimpleMacro.xls", True), ("44010-TwoCharts.xls", False)]
)
def test_an_xls_copy_says_macros_only_when_the_project_has_a_module(
    tmp_path: Path, name: str, macros: bool
) -> None:
    """An .xls with a VBA module gets the 提示 on its rebuilt copy; one whose project holds
    only the workbook's own module (what Excel leaves behind) is not said to have macros."""
    source = tmp_path / "inbox" / name
    source.parent.mkdir()
    shutil.copy(CORPUS / "apache+poi/test-data/spreadsheet" / name, source)
    assert "_VBA_PROJECT_CUR".encode("utf-16-le") in source.read_bytes()  # the precondition
    target = tmp_path / "out" / "copy_批注.xlsx"
    assert annotate_copy(task_for(source, target, reject("B2")))
    texts = [
        c.comment.text
        for ws in openpyxl.load_workbook(target).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment is not None
    ]
    assert any(vocab.COPY_MACROS_DROPPED in t for t in texts) is macros
