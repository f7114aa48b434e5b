"""Per-section feedback folders: the section's own workbook and annotated copies of its files."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pipeline import frames, vocab, write_feedback
from pipeline.annotate import FILL_NOTE, FILL_REJECT
from tests import result_factory as rf
from tests.builders import add_file
from tests.result_factory import make_result

SHEETS = [
    vocab.ARCHIVE_SHEET_COVER,
    vocab.FEEDBACK_SHEET_POINTS,
    vocab.ARCHIVE_SHEET_ISSUES,
    vocab.ARCHIVE_SHEET_SUBMISSIONS,
    vocab.ARCHIVE_SHEET_CHANGES,
]


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def feedback_root(out: Path) -> Path:
    return out / vocab.FEEDBACK_DIR


def folder_of(out: Path, section: str) -> Path:
    return feedback_root(out) / write_feedback.xlsx.safe_filename(section)


def workbook_of(out: Path, section: str) -> Path:
    name = write_feedback.xlsx.safe_filename(section)
    return folder_of(out, section) / vocab.FEEDBACK_FILE_TEMPLATE.format(section=name)


def copy_name(file: str) -> str:
    return Path(file).stem + vocab.ANNOTATED_SUFFIX + ".xlsx"


def all_text(path: Path) -> list[str]:
    """Every cell value and comment of every sheet, as text."""
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        texts.append(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    texts.append(str(cell.value))
                if cell.comment is not None:
                    texts.append(cell.comment.text)
    return texts


def sheet_frame(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, engine="calamine", dtype=str)


def hash_tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def add_issues(result: frames.RunResult, *rows: dict) -> frames.RunResult:
    result.issues = frames.concat_issues(result.issues, frames.issues_frame(list(rows)))
    return result


def reject(
    file: str, cell: str, section: str, name: str = "", sheet: str = "", field_key: str = "harm"
) -> dict:
    """A 退回 issue on one cell, a value missing (a file with one gets an annotated copy)."""
    sheet = sheet or vocab.SHEET_INDIVIDUAL
    return frames.issue(
        "missing_value",
        file=file,
        sheet=sheet,
        cell=cell,
        field_key=field_key,
        section=section,
        name=name,
    )


def with_rejections(result: frames.RunResult) -> frames.RunResult:
    """Give every section's files a 退回 so each folder has annotated copies."""
    return add_issues(
        result,
        reject(rf.FILE_WANG, "F5", rf.SECTION_FINANCE, "王五"),
        reject(rf.FILE_UNIT, "G4", rf.SECTION_LIAISON, sheet=vocab.SHEET_UNIT),
        reject(rf.FILE_ZHANG, "F4", rf.SECTION_OFFICE, "张三"),
    )


@pytest.fixture
def run(tmp_path: Path) -> tuple[frames.RunResult, Path, list[Path]]:
    result = with_rejections(make_result(tmp_path))
    out = tmp_path / "out"
    written = write_feedback.write_feedback(result, out)
    return result, out, written


# --------------------------------------------------------------------------------------
# folders and the feedback workbook
# --------------------------------------------------------------------------------------
def test_every_section_gets_a_folder_with_its_workbook(run) -> None:
    result, out, written = run
    for section in result.roster.sections["section"]:
        path = workbook_of(out, section)
        assert path.is_file(), section
        assert path in written
        assert openpyxl.load_workbook(path).sheetnames == SHEETS
    # a section name with '/' stays one folder level
    assert folder_of(out, rf.SECTION_FINANCE).parent == feedback_root(out)
    assert all(p.is_relative_to(feedback_root(out)) for p in written)
    assert written == sorted(written)


def test_points_sheet_holds_exactly_the_sections_points(run) -> None:
    result, out, _ = run
    for section in rf.SECTIONS:
        sheet = sheet_frame(workbook_of(out, section), vocab.FEEDBACK_SHEET_POINTS)
        assert list(sheet.columns) == [
            vocab.COLUMN_LABELS["seq"],
            *vocab.CATALOGUE_COLUMNS.values(),
            vocab.POINT_ID_LABEL,
        ]
        assert set(sheet["科室"]) == {section}
        # a point too tall for one row goes on over continuation rows without a 序号
        sheet = sheet[sheet["序号"].notna()]
        assert sheet["序号"].astype(int).tolist() == list(range(1, len(sheet) + 1))
        expected = result.points[result.points["section"] == section]
        assert len(sheet) == len(expected)
        assert sorted(sheet["风险点描述"].map(rf.frames_safe)) == sorted(
            expected["description"].map(rf.frames_safe)
        )
        # grades and supervisors are shown
        assert sheet["评定等级"].isin(vocab.LEVELS).all()
        assert sheet[["评定依据", "直接管理", "负责领导", "处置方式"]].notna().all().all()
    # '=...' text is written as text, not as a formula
    office = openpyxl.load_workbook(workbook_of(out, rf.SECTION_OFFICE))[
        vocab.FEEDBACK_SHEET_POINTS
    ]
    cells = [c for row in office.iter_rows() for c in row if c.value == rf.TEXT_FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)


def test_each_folder_holds_only_its_own_sections_data(run) -> None:
    result, out, _ = run
    people = result.roster.people
    files_by_section = result.files.dropna(subset=["section"]).groupby("section")["file"]
    for section in rf.SECTIONS:
        mine = result.points[result.points["section"] == section]
        supervisors = set(mine["direct"]) | set(mine["leader"])
        foreign_names = set(people.loc[people["section"] != section, "name"]) - supervisors
        foreign_files = {f for sec, group in files_by_section for f in group if sec != section} | {
            rf.FILE_STRAY
        }
        foreign_sections = set(rf.SECTIONS) - {section}
        forbidden = foreign_names | foreign_files | foreign_sections
        paths = sorted(folder_of(out, section).rglob("*.xlsx"))
        assert len(paths) >= 2  # the workbook and at least one annotated copy
        for path in paths:
            for text in all_text(path):
                hits = [word for word in forbidden if word in text]
                assert not hits, (path.name, text[:80], hits)


def _package_text(path: Path) -> str:
    """Every XML part of a workbook's package as text (the shared strings included, which
    hold texts no cell may show)."""
    with zipfile.ZipFile(path) as package:
        return "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")
        )


def test_a_batch_of_folders_writes_each_folder_only_its_own_data(
    tmp_path: Path, monkeypatch
) -> None:
    """The workbooks of several folders prepared in one job (each table of all of them sorted
    and coded together) are those written one folder at a time, and no package holds another
    section's texts, not even unused in its shared strings."""
    result = with_rejections(make_result(tmp_path))
    monkeypatch.setattr(write_feedback, "BATCH_MAX_FOLDERS", 1)
    alone = write_feedback.write_feedback(result, tmp_path / "alone")
    monkeypatch.setattr(write_feedback, "BATCH_MAX_FOLDERS", 100)
    monkeypatch.setattr(write_feedback, "BATCH_SHARE", 1)
    books = _books(tmp_path / "alone")
    assert len(books) >= 3  # the precondition: several folders, all in one batch
    jobs = []
    real_job = write_feedback.write_books_job

    def counted(batch):
        jobs.append(len(batch.tasks))
        return real_job(batch)

    monkeypatch.setattr(write_feedback, "write_books_job", counted)
    together = write_feedback.write_feedback(result, tmp_path / "together")
    assert jobs == [len(books)]
    assert [p.relative_to(tmp_path / "alone") for p in alone] == [
        p.relative_to(tmp_path / "together") for p in together
    ]
    joined = _books(tmp_path / "together")
    for name, path in books.items():
        assert _shown(joined[name]) == _shown(path), name
    # a batch is also bounded by its records: here every folder has more than one, so each
    # is its own job however many folders a batch may hold
    monkeypatch.setattr(write_feedback, "BATCH_MAX_RECORDS", 1)
    jobs.clear()
    write_feedback.write_feedback(result, tmp_path / "by_records")
    assert jobs == [1] * len(books)
    by_records = _books(tmp_path / "by_records")
    for name, path in books.items():
        assert _shown(by_records[name]) == _shown(path), name
    files_by_section = result.files.dropna(subset=["section"]).groupby("section")["file"]
    for section in rf.SECTIONS:
        mine = result.points[result.points["section"] == section]
        others = result.points[result.points["section"] != section]
        foreign = set(others["description"].map(rf.frames_safe)) - set(
            mine["description"].map(rf.frames_safe)
        )
        foreign |= {f for sec, group in files_by_section for f in group if sec != section}
        foreign |= set(rf.SECTIONS) - {section}
        assert foreign  # the precondition: the other sections have texts of their own
        text = _package_text(workbook_of(tmp_path / "together", section))
        hits = [word for word in foreign if word and word in text]
        assert not hits, (section, hits)


def test_issues_sheet_puts_rejections_first(run) -> None:
    result, out, _ = run
    sheet = sheet_frame(workbook_of(out, rf.SECTION_OFFICE), vocab.ARCHIVE_SHEET_ISSUES)
    assert list(sheet.columns) == list(vocab.ISSUE_COLUMNS.values())
    actions = list(sheet["处理"])
    assert actions[0] == vocab.ACTION_REJECT
    assert actions == sorted(actions, key=lambda a: a != vocab.ACTION_REJECT)
    rejected = sheet[sheet["处理"] == vocab.ACTION_REJECT]
    assert list(rejected["文件"]) == sorted(rejected["文件"])
    bad = rejected[rejected["文件"] == rf.FILE_LI].iloc[0]
    assert (bad["单元格"], bad["原值"]) == ("E5", rf.BAD_LIKELIHOOD)
    office = result.issues[result.issues["section"] == rf.SECTION_OFFICE]
    assert len(sheet) == len(office)


def test_submissions_sheet_shows_who_is_missing_late_or_without_pledge(run) -> None:
    _, out, _ = run
    office = sheet_frame(workbook_of(out, rf.SECTION_OFFICE), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    status = dict(zip(office["姓名"] + office["表格"], office["提交状态"], strict=True))
    assert status["周六个人表"] == vocab.STATUS_MISSING
    pledge = dict(zip(office["姓名"], office["承诺书"], strict=True))
    assert pledge["李四"] == vocab.PLEDGE_STATUS_EMPTY
    assert office["提交状态"].iloc[0] == vocab.STATUS_MISSING  # problems first
    liaison = sheet_frame(workbook_of(out, rf.SECTION_LIAISON), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    unit = liaison[liaison["表格"] == vocab.FORM_KIND_LABEL[vocab.UNIT]]
    assert list(unit["提交状态"]) == [vocab.STATUS_LATE]


def test_cover_lists_file_level_problems_and_next_steps(run) -> None:
    _, out, _ = run
    cover = openpyxl.load_workbook(workbook_of(out, rf.SECTION_OFFICE))[vocab.ARCHIVE_SHEET_COVER]
    text = "\n".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert rf.SECTION_OFFICE in text and rf.BODY in text
    assert rf.FILE_ZHANG_OLD in text  # its superseded note has no cell
    assert vocab.ACTION_REJECT in text and vocab.ANNOTATED_SUFFIX in text


def test_the_cover_lists_as_many_file_problems_as_its_row_prints_then_says_how_many_more(
    tmp_path: Path,
) -> None:
    """A section whose 40 people all copied one colleague's file: 40 「承诺人写的是…」 notes,
    each naming no cell. The cover's 整份文件的问题 held all of them in one cell of ~4,000
    characters; its row stops at 409 pt, so the paper showed the first dozen and cut the rest
    mid-line (LibreOffice printed them over the next rows). Now the cell lists what its row
    holds, 退回 first, and then how many more the 异常清单 lists, which holds every one."""
    result = make_result(tmp_path)
    signed = [
        frames.issue(
            "pledge_other_signer",
            file=f"办公室/职员{i:02d}_个人廉政风险自查表.xlsx",
            sheet=vocab.SHEET_PLEDGE,
            section=rf.SECTION_OFFICE,
            name=f"职员{i:02d}",
            value="张三",
        )
        for i in range(40)
    ]
    add_issues(result, *signed)
    out = tmp_path / "out"
    write_feedback.write_feedback(result, out)
    book = workbook_of(out, rf.SECTION_OFFICE)
    ws = openpyxl.load_workbook(book)[vocab.ARCHIVE_SHEET_COVER]
    row = next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 1).value == vocab.FEEDBACK_COVER_LABEL_FILE_PROBLEMS
    )
    text = str(ws.cell(row, 2).value)
    width = ws.column_dimensions["B"].width
    lines = write_feedback.styles.text_lines(text, width)
    assert lines * write_feedback.LINE_HEIGHT + 4 <= 409  # it prints whole in its row
    listed = [line for line in text.split("\n") if line.startswith("【")]
    assert 5 <= len(listed) < 40
    n_more = 40 + 2 - len(listed)  # the 40 notes, the superseded file's and 李四's empty pledge
    assert text.split("\n")[-1] == vocab.FEEDBACK_COVER_PROBLEMS_MORE.format(n=n_more)
    issues = sheet_frame(book, vocab.ARCHIVE_SHEET_ISSUES)
    for i in range(40):  # every one of them is on the 异常清单
        assert (issues["姓名"] == f"职员{i:02d}").sum() == 1


def test_the_cover_tells_to_correct_in_the_annotated_copy_as_the_reminder_does(run) -> None:
    """The cover's 下一步 said 「在原来的表格文件（不是批注副本）中逐项修改」 while 催报名单.txt
    (and the 异常清单's notes, the README) say a corrected annotated copy may be sent back,
    and it replaces its original: two outputs of one run told the section opposite things."""
    _, out, written = run
    assert any(vocab.ANNOTATED_SUFFIX in p.name for p in written)  # the precondition: copies
    cover = openpyxl.load_workbook(workbook_of(out, rf.SECTION_OFFICE))[vocab.ARCHIVE_SHEET_COVER]
    text = "\n".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert "不是批注副本" not in text
    assert "批注副本中修改" in text and "批注副本中修改" in vocab.ROUND_REMINDER_FOOTER


# --------------------------------------------------------------------------------------
# annotated copies
# --------------------------------------------------------------------------------------
def test_annotated_copy_marks_the_bad_cell(run) -> None:
    _, out, written = run
    path = folder_of(out, rf.SECTION_OFFICE) / copy_name(rf.FILE_LI)
    assert path in written
    ws = openpyxl.load_workbook(path)[vocab.SHEET_INDIVIDUAL]
    cell = ws["E5"]
    assert cell.value == rf.BAD_LIKELIHOOD and cell.data_type == "s"
    assert cell.fill.fgColor.rgb.endswith(FILL_REJECT)
    assert cell.comment.author == vocab.FEEDBACK_COMMENT_AUTHOR
    assert "发生几率「=高」不在可选范围内" in cell.comment.text
    assert "请从下拉列表中选择" in cell.comment.text
    # a 提示 is yellow; an unmarked cell is untouched
    assert ws["I7"].fill.fgColor.rgb.endswith(FILL_NOTE)
    assert ws["E4"].comment is None and ws["E4"].fill.fgColor.rgb != "00" + FILL_REJECT
    # a problem named on another sheet goes to that sheet
    pledge = openpyxl.load_workbook(path)[vocab.SHEET_PLEDGE]
    assert "承诺事项" in pledge["A1"].comment.text


def test_file_level_problem_goes_on_a1_of_the_main_sheet(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    add_issues(
        result, frames.issue("empty_form", file=rf.FILE_ZHANG_OLD, section=rf.SECTION_OFFICE)
    )
    write_feedback.write_feedback(result, tmp_path / "out")
    path = folder_of(tmp_path / "out", rf.SECTION_OFFICE) / copy_name(rf.FILE_ZHANG_OLD)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == vocab.SHEET_INDIVIDUAL
    text = wb[vocab.SHEET_INDIVIDUAL]["A1"].comment.text
    assert "没有填写任何风险点" in text and "已被替代" in text  # both file-level notes
    assert wb[vocab.SHEET_INDIVIDUAL]["A1"].fill.fgColor.rgb.endswith(FILL_REJECT)


def test_files_with_only_notes_get_no_copy(run) -> None:
    _, out, _ = run
    # 张三's old version carries only a 提示 (superseded): listed, but no copy
    assert not (folder_of(out, rf.SECTION_OFFICE) / copy_name(rf.FILE_ZHANG_OLD)).exists()
    sheet = sheet_frame(workbook_of(out, rf.SECTION_OFFICE), vocab.ARCHIVE_SHEET_ISSUES)
    assert rf.FILE_ZHANG_OLD in set(sheet["文件"])


def test_files_without_problems_get_no_copy(tmp_path: Path) -> None:
    result = with_rejections(make_result(tmp_path))
    result.issues = result.issues[result.issues["file"] != rf.FILE_WANG].reset_index(drop=True)
    write_feedback.write_feedback(result, tmp_path / "out")
    assert not (folder_of(tmp_path / "out", rf.SECTION_FINANCE) / copy_name(rf.FILE_WANG)).exists()


def test_formula_like_text_stays_text_in_the_copy(run) -> None:
    _, out, _ = run
    path = folder_of(out, rf.SECTION_OFFICE) / copy_name(rf.FILE_ZHANG)
    ws = openpyxl.load_workbook(path)[vocab.SHEET_INDIVIDUAL]
    assert ws["D4"].value == rf.TEXT_FORMULA and ws["D4"].data_type == "s"
    assert ws["H4"].value == rf.TEXT_MINUS and ws["H4"].data_type == "s"


def test_merged_cell_comment_goes_to_top_left_and_notes_on_one_cell_join(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    add_issues(
        result,
        frames.issue(
            "bad_date",
            file=rf.FILE_ZHANG,
            sheet=vocab.SHEET_INDIVIDUAL,
            cell="K2",  # inside the merged J2:K2 date value
            field_key="date",
            value="三月",
            section=rf.SECTION_OFFICE,
            name="张三",
        ),
        reject(rf.FILE_ZHANG, "J2", rf.SECTION_OFFICE, "张三", field_key="date"),
    )
    write_feedback.write_feedback(result, tmp_path / "out")
    path = folder_of(tmp_path / "out", rf.SECTION_OFFICE) / copy_name(rf.FILE_ZHANG)
    ws = openpyxl.load_workbook(path)[vocab.SHEET_INDIVIDUAL]
    assert ws["K2"].comment is None
    text = ws["J2"].comment.text
    assert "「三月」不是可识别的日期" in text and "「填表日期」没有填写" in text
    assert ws["J2"].fill.fgColor.rgb.endswith(FILL_REJECT)


def test_originals_are_never_modified(tmp_path: Path) -> None:
    result = with_rejections(make_result(tmp_path))
    before = hash_tree(result.inbox)
    write_feedback.write_feedback(result, tmp_path / "out")
    write_feedback.write_feedback(result, tmp_path / "out")
    assert hash_tree(result.inbox) == before


def test_csv_original_gets_an_annotated_xlsx(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    rel = "办公室/周六.csv"
    rows = [
        ["科室", "办公室", "姓名", "周六"],
        ["序号", "职权事项（工作环节）", "风险类别", "风险点描述", "发生几率"],
        ["1", "档案管理", "岗位职责风险", "=cmd|' /C calc'!A0", "很可能"],
    ]
    path = result.inbox / rel
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_OFFICE, name="周六")
    add_issues(
        result,
        frames.issue(
            "bad_enum",
            file=rel,
            sheet="周六",
            cell="E3",
            field_key="likelihood",
            value="很可能",
            section=rf.SECTION_OFFICE,
            name="周六",
            allowed=vocab.allowed_text(vocab.LIKELIHOODS),
        ),
    )
    written = write_feedback.write_feedback(result, tmp_path / "out")
    copy = folder_of(tmp_path / "out", rf.SECTION_OFFICE) / copy_name(rel)
    assert copy in written
    ws = openpyxl.load_workbook(copy).worksheets[0]
    assert ws["B1"].value == "办公室" and ws["D2"].value == "风险点描述"
    assert ws["E3"].value == "很可能" and "很可能" in ws["E3"].comment.text
    assert ws["E3"].fill.fgColor.rgb.endswith(FILL_REJECT)
    assert ws["D3"].value == rows[2][3] and ws["D3"].data_type == "s"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_legacy_original_gets_an_annotated_xlsx(tmp_path: Path, ext: str) -> None:
    result = make_result(tmp_path)
    source = result.inbox / rf.FILE_WANG
    convert = tmp_path / "convert"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", ext, "--outdir", str(convert), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    rel = f"财务审计科/王五旧格式.{ext}"
    shutil.copy(convert / f"{source.stem}.{ext}", result.inbox / rel)
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_FINANCE, name="王五")
    add_issues(
        result,
        frames.issue(
            "legacy_format",
            file=rel,
            section=rf.SECTION_FINANCE,
            name="王五",
            detail=ext,
        ),
        # C2 is inside the merged section value B2:C2
        reject(rel, "C2", rf.SECTION_FINANCE, "王五", field_key="section"),
    )
    write_feedback.write_feedback(result, tmp_path / "out")
    copy = folder_of(tmp_path / "out", rf.SECTION_FINANCE) / copy_name(rel)
    wb = openpyxl.load_workbook(copy)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    assert ws["D4"].value == "-未按规定审核支付凭证" and ws["D4"].data_type == "s"
    assert ws["B2"].value == rf.SECTION_FINANCE
    assert "没有填写" in ws["B2"].comment.text  # the merge survived: top-left got it
    assert f"「{ext}」格式" in ws["A1"].comment.text


def test_unopenable_files_get_no_copy_but_are_listed(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    rel = "办公室/坏文件.xlsx"
    (result.inbox / rel).write_bytes(b"PK\x03\x04 this is not a workbook")
    add_file(result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_OFFICE, name="周六")
    add_issues(
        result,
        reject(rel, "B4", rf.SECTION_OFFICE, "周六", field_key="step"),
    )
    written = write_feedback.write_feedback(result, tmp_path / "out")
    folder = folder_of(tmp_path / "out", rf.SECTION_OFFICE)
    assert not (folder / copy_name(rel)).exists()
    assert (folder / copy_name(rf.FILE_LI)) in written  # the others still get theirs
    sheet = sheet_frame(workbook_of(tmp_path / "out", rf.SECTION_OFFICE), "异常清单")
    assert rel in set(sheet["文件"])


# --------------------------------------------------------------------------------------
# what has no section
# --------------------------------------------------------------------------------------
def test_files_without_a_roster_section_go_to_the_unknown_folder(tmp_path: Path) -> None:
    """The stray text file (no section) is the office's, in 未能识别科室. The form of someone
    the roster does not hold that names 办公室 is the one 催报名单 asks 办公室 about
    (「…对应不到名册中的报送人，请科室确认…」), so its reason and copy are in 办公室's
    folder, not in the office's (qbC: before, 办公室 was asked and had neither)."""
    result = make_result(tmp_path)
    # a form of someone not in the roster who wrote a real section into it
    stranger = "办公室/陌生人.xlsx"
    shutil.copy(result.inbox / rf.FILE_LI, result.inbox / stranger)
    add_file(
        result,
        stranger,
        kind=vocab.INDIVIDUAL,
        status=frames.FILE_STATUS_REJECTED,
        reason="not_in_roster",
        section=rf.SECTION_OFFICE,
        name="陌生人",
        sheet=vocab.SHEET_INDIVIDUAL,
    )
    add_issues(
        result,
        frames.issue(
            "not_in_roster",
            file=stranger,
            sheet=vocab.SHEET_INDIVIDUAL,
            cell="E2",
            section=rf.SECTION_OFFICE,
            name="陌生人",
            detail="办公室 陌生人",
        ),
    )
    out = tmp_path / "out"
    written = write_feedback.write_feedback(result, out)
    unknown = feedback_root(out) / vocab.FEEDBACK_UNKNOWN_SECTION_DIR
    book = unknown / vocab.FEEDBACK_FILE_TEMPLATE.format(section=vocab.FEEDBACK_UNKNOWN_SECTION_DIR)
    assert book in written
    sheet = sheet_frame(book, vocab.ARCHIVE_SHEET_ISSUES)
    assert rf.FILE_STRAY in set(sheet["文件"]) and stranger not in set(sheet["文件"])
    assert sheet["问题"].str.contains("不是 Excel").any()
    assert sorted(p.name for p in unknown.iterdir()) == [book.name]  # the text file: no copy
    # the openable one gets a copy, in the folder of the section it names
    office = folder_of(out, rf.SECTION_OFFICE)
    copy = office / copy_name(stranger)
    assert copy in written
    assert (
        "不在组织名册中" in openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]["E2"].comment.text
    )
    book = office / vocab.FEEDBACK_FILE_TEMPLATE.format(section=rf.SECTION_OFFICE)
    assert stranger in set(sheet_frame(book, vocab.ARCHIVE_SHEET_ISSUES)["文件"])


@pytest.mark.parametrize("evil", ["../x", "..", "/etc/x", "a\\..\\..\\b", "CON:", "nul", "x" * 300])
def test_malicious_section_name_stays_inside_the_feedback_folder(tmp_path: Path, evil: str) -> None:
    result = make_result(tmp_path)
    extra = pd.DataFrame([{"section": evil, "head": "", "vice_chair": "", "excel_row": 9}])
    result.roster.sections = pd.concat([result.roster.sections, extra], ignore_index=True)
    add_issues(result, rf._completeness_issue("no_unit_form", evil, ""))
    out = tmp_path / "work" / "out"
    written = write_feedback.write_feedback(result, out)
    root = feedback_root(out).resolve()
    assert all(p.resolve().is_relative_to(root) for p in written)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx")) == sorted(
        [p.relative_to(tmp_path).as_posix() for p in written]
        + [p.relative_to(tmp_path).as_posix() for p in result.inbox.rglob("*.xlsx")]
    )
    folders = [p for p in feedback_root(out).iterdir()]
    assert len(folders) == len(set(folders)) == len(rf.SECTIONS) + 3  # +领导班子, evil, unknown
    assert all(len(p.name.encode()) < 200 for p in written)  # fits a file-name limit
    names = {p.name.split(".")[0].upper() for p in folders}
    assert not names & {"CON", "NUL", "PRN", "AUX", "COM1", "LPT1"}


def test_two_sections_with_the_same_safe_name_get_two_folders(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    twin = "财务_审计科"  # safe_filename('财务/审计科') gives the same text
    extra = pd.DataFrame([{"section": twin, "head": "", "vice_chair": "", "excel_row": 9}])
    result.roster.sections = pd.concat([result.roster.sections, extra], ignore_index=True)
    write_feedback.write_feedback(result, tmp_path / "out")
    books = sorted(feedback_root(tmp_path / "out").glob(f"{twin}*/*_反馈.xlsx"))
    assert len(books) == 2
    shown = [set(sheet_frame(book, vocab.FEEDBACK_SHEET_POINTS)["科室"].dropna()) for book in books]
    assert sorted(shown, key=len) == [set(), {rf.SECTION_FINANCE}]


def test_a_section_named_like_another_sections_package_gets_its_own_folder(
    tmp_path: Path,
) -> None:
    """Sections 「财务」 and 「财务.zip」: the folder of the second must not be the package
    科室反馈/财务.zip of the first. Before, the run stopped (exit 2) saying 财务.zip was open in
    Excel; now each section has its folder and its package, holding only its own data."""
    from pipeline import run
    from tests.builders import write_config
    from tests.forms import pledge_grid, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("财务", "甲", "科员", "一般管理服务", "否"),
        ("财务.zip", "乙", "科员", "一般管理服务", "否"),
    ]
    sections = [("领导班子", "陈主席", ""), ("财务", "", "陈主席"), ("财务.zip", "", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    for section, name in (("财务", "甲"), ("财务.zip", "乙")):
        write_form(
            inbox / f"{name}.xlsx",
            header={"section": section, "name": name},
            rows=[sample_row(1, description=f"{name}的风险"), sample_row(2, likelihood="超高")],
            pledge=pledge_grid(["不收受礼金"], pledger=name),
        )
    assert {s for s, *_ in sections} >= {"财务", "财务.zip"}
    out = tmp_path / "out"
    run.process(inbox, config, out, run_time="2026-04-01T09:00:00")
    root = feedback_root(out)
    packages = {p.name: p for p in root.iterdir() if p.is_file() and p.suffix == ".zip"}
    folders = {p.name: p for p in root.iterdir() if p.is_dir()}
    assert "财务" in folders and "财务.zip" in packages
    other = [name for name in folders if name not in ("财务", "领导班子", "未能识别科室")]
    assert len(other) == 1 and f"{other[0]}.zip" in packages  # 财务.zip's own folder
    for folder, mine, theirs in (("财务", "甲", "乙"), (other[0], "乙", "甲")):
        books = sorted(folders[folder].glob("*.xlsx"))
        text = "".join(t for book in books for t in all_text(book))
        assert f"{mine}的风险" in text and f"{theirs}的风险" not in text
        with zipfile.ZipFile(packages[f"{folder}.zip"]) as zf:
            assert sorted(Path(n).name for n in zf.namelist()) == [b.name for b in books]


# --------------------------------------------------------------------------------------
# repeat runs
# --------------------------------------------------------------------------------------
def test_second_run_removes_stale_copies(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    out = tmp_path / "out"
    write_feedback.write_feedback(result, out)
    stale = folder_of(out, rf.SECTION_OFFICE) / copy_name(rf.FILE_LI)
    assert stale.exists()
    (feedback_root(out) / "旧科室").mkdir()
    (out / "keep.txt").write_text("not ours", encoding="utf-8")
    # 李四 fixed the file: no issue names it any more
    result.issues = result.issues[result.issues["file"] != rf.FILE_LI].reset_index(drop=True)
    written = write_feedback.write_feedback(result, out)
    assert not stale.exists()
    assert not (feedback_root(out) / "旧科室").exists()
    assert (out / "keep.txt").exists()
    on_disk = sorted(p for p in feedback_root(out).rglob("*") if p.is_file())
    assert on_disk == written


def test_same_result_gives_same_cells(tmp_path: Path) -> None:
    result = with_rejections(make_result(tmp_path))
    first = write_feedback.write_feedback(result, tmp_path / "a")
    shuffled = with_rejections(make_result(tmp_path))
    shuffled.issues = shuffled.issues.iloc[::-1].reset_index(drop=True)
    shuffled.points = shuffled.points.iloc[::-1].reset_index(drop=True)
    second = write_feedback.write_feedback(shuffled, tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert all_text(a) == all_text(b), a.name


def test_parallel_copies_match_serial_ones(tmp_path: Path, monkeypatch) -> None:
    result = with_rejections(make_result(tmp_path))
    serial = write_feedback.write_feedback(result, tmp_path / "serial")
    monkeypatch.setattr(write_feedback, "PARALLEL_MIN_JOBS", 1)
    monkeypatch.setattr(write_feedback.os, "cpu_count", lambda: 2)
    parallel = write_feedback.write_feedback(result, tmp_path / "parallel")
    assert len(serial) == len(parallel)
    for a, b in zip(serial, parallel, strict=True):
        assert all_text(a) == all_text(b), a.name


def test_comment_text_has_no_control_characters_and_keeps_an_existing_note(
    tmp_path: Path,
) -> None:
    result = make_result(tmp_path)
    rel = "财务审计科/王五-有批注.xlsx"
    wb = openpyxl.load_workbook(result.inbox / rf.FILE_WANG)
    wb[vocab.SHEET_INDIVIDUAL]["D4"].comment = openpyxl.comments.Comment("科长：请细化", "孙七")
    wb.save(result.inbox / rel)
    add_file(
        result, rel, kind=vocab.INDIVIDUAL, section=rf.SECTION_FINANCE, sheet=vocab.SHEET_INDIVIDUAL
    )
    add_issues(
        result,
        frames.issue(
            "bad_enum",
            file=rel,
            sheet=vocab.SHEET_INDIVIDUAL,
            cell="D4",
            field_key="category",
            value=rf.TEXT_CONTROL,
            section=rf.SECTION_FINANCE,
            name="王五",
            allowed=vocab.allowed_text(vocab.CATEGORIES),
        ),
    )
    write_feedback.write_feedback(result, tmp_path / "out")
    copy = folder_of(tmp_path / "out", rf.SECTION_FINANCE) / copy_name(rel)
    text = openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]["D4"].comment.text
    assert "\x07" not in text and "超标准接待，虚报接待人数" in text
    assert "科长：请细化" in text


@pytest.mark.parametrize(
    ("cell", "sheet", "expected"),
    [
        ("$E$5", vocab.SHEET_INDIVIDUAL, "E5"),
        ("E5:F6", vocab.SHEET_INDIVIDUAL, "E5"),
        ("e5", "没有这个工作表", "E5"),  # unknown sheet: the main sheet
        ("第5行", vocab.SHEET_INDIVIDUAL, "A1"),
        ("XFE1", vocab.SHEET_INDIVIDUAL, "A1"),
        ("A0", vocab.SHEET_INDIVIDUAL, "A1"),
    ],
)
def test_odd_cell_references_land_on_a_sensible_cell(
    tmp_path: Path, cell: str, sheet: str, expected: str
) -> None:
    result = make_result(tmp_path)
    add_issues(
        result,
        reject(rf.FILE_WANG, cell, rf.SECTION_FINANCE, "王五", sheet=sheet),
    )
    write_feedback.write_feedback(result, tmp_path / "out")
    copy = folder_of(tmp_path / "out", rf.SECTION_FINANCE) / copy_name(rf.FILE_WANG)
    ws = openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]
    assert "「危害程度」没有填写" in ws[expected].comment.text


def test_feedback_workbook_is_formatted_for_people(run) -> None:
    _, out, _ = run
    wb = openpyxl.load_workbook(workbook_of(out, rf.SECTION_OFFICE))
    points = wb[vocab.FEEDBACK_SHEET_POINTS]
    headers = [c.value for c in points[1]]
    level_col = headers.index(vocab.CATALOGUE_COLUMNS["level"]) + 1
    for row in range(2, points.max_row + 1):
        cell = points.cell(row, level_col)
        if cell.value is None:  # a continuation row of a point too tall for one row
            assert points.cell(row, 1).value is None
            continue
        assert cell.fill.fgColor.rgb.endswith(write_feedback.LEVEL_FILLS[cell.value])
        assert cell.font.name == "宋体" and cell.alignment.wrap_text
    assert points.freeze_panes == "E2" and points.auto_filter.ref  # 序号 and who stay
    assert points.page_setup.orientation == "landscape" and points.page_setup.paperSize == 9
    issues = wb[vocab.ARCHIVE_SHEET_ISSUES]
    assert issues["A2"].value == vocab.ACTION_REJECT
    assert issues["A2"].fill.fgColor.rgb.endswith(FILL_REJECT)


def test_empty_result_writes_an_empty_feedback_folder(tmp_path: Path) -> None:
    result = make_result(
        tmp_path,
        files=pd.DataFrame(columns=list(frames.FILE_COLUMNS)),
        rows=pd.DataFrame(columns=list(frames.ROW_COLUMNS)),
        points=pd.DataFrame(),
        posts=pd.DataFrame(),
        submissions=pd.DataFrame(),
        pledges=pd.DataFrame(),
        issues=frames.empty_issues(),
        roster=None,
    )
    assert write_feedback.write_feedback(result, tmp_path / "out") == []
    assert feedback_root(tmp_path / "out").is_dir()


# --------------------------------------------------------------------------------------
# A rerun in the same OUT: copies of unchanged files are the previous run's, linked
# --------------------------------------------------------------------------------------
def _copies(out: Path) -> dict[str, Path]:
    suffix = vocab.ANNOTATED_SUFFIX + ".xlsx"
    return {
        p.relative_to(out).as_posix(): p
        for p in feedback_root(out).rglob("*" + suffix)
        if p.is_file()
    }


def test_rerun_links_unchanged_files_copies_and_remakes_a_changed_ones(tmp_path: Path) -> None:
    from pipeline import run
    from pipeline.demo import write_demo

    write_demo(tmp_path, people=30, seed=5, error_rate=0.3)
    inbox, config, out = tmp_path / "inbox", tmp_path / "config", tmp_path / "out"
    run.process(inbox, config, out, run_time="2026-04-01T09:00:00")
    first = _copies(out)
    assert len(first) >= 2  # the precondition: files sent back, with copies
    inodes = {rel: p.stat().st_ino for rel, p in first.items()}
    # one copied file changes (a remark typed in): its copy must be made anew
    changed_rel = min(first)
    original = next(p for p in inbox.rglob("*.xlsx") if copy_name(p.name) == Path(changed_rel).name)
    wb = openpyxl.load_workbook(original)
    wb.worksheets[0]["A1"] = str(wb.worksheets[0]["A1"].value or "") + "（已修改）"
    wb.save(original)

    run.process(inbox, config, out, run_time="2026-04-02T09:00:00")
    second = _copies(out)
    assert set(second) == set(first)
    for rel, path in second.items():
        if rel == changed_rel:
            assert path.stat().st_ino != inodes[rel]
            assert any("（已修改）" in text for text in all_text(path))
        else:
            assert path.stat().st_ino == inodes[rel], rel  # the previous run's file, linked
    # the linked copies hold what a fresh run writes (openpyxl stamps the time of saving)
    fresh = tmp_path / "fresh"
    run.process(inbox, config, fresh, run_time="2026-04-02T09:00:00")
    for rel, path in _copies(fresh).items():
        assert _members(path) == _members(second[rel]), rel


def _members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def test_pledge_status_is_joined_on_section_and_name_not_on_their_concatenation() -> None:
    """科室「办公」的「室张三」and 科室「办公室」的「张三」are two people: each 提交情况 row shows
    its own pledge status (joined texts would make them one key)."""
    form = vocab.FORM_KIND_LABEL[vocab.INDIVIDUAL]
    subs = pd.DataFrame({"section": ["办公", "办公室"], "name": ["室张三", "张三"], "form": form})
    pledges = pd.DataFrame(
        {"section": ["办公", "办公室"], "name": ["室张三", "张三"], "status": ["已签", "缺失"]}
    )
    assert subs["section"].str.cat(subs["name"]).nunique() == 1  # the case: same concatenation
    shown = write_feedback._with_pledges(subs, pledges)
    assert shown["pledge"].tolist() == ["已签", "缺失"]


# --------------------------------------------------------------------------------------
# A rerun in the same OUT: a section's workbook is rendered only when its data changed
# --------------------------------------------------------------------------------------
def _books(out: Path) -> dict[str, Path]:
    return {p.parent.name: p for p in feedback_root(out).rglob("*_反馈.xlsx")}


def _shown(path: Path) -> dict[str, list[tuple]]:
    """What a workbook shows: every sheet's cells (value, fill, bold), comments, merges,
    row heights and column widths."""
    wb = openpyxl.load_workbook(path)
    shown = {}
    for ws in wb.worksheets:
        cells = [
            (c.coordinate, c.value, c.fill.fgColor.rgb, c.font.b, c.comment and c.comment.text)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.comment is not None
        ]
        heights = sorted((k, d.height) for k, d in ws.row_dimensions.items() if d.height)
        widths = sorted((k, d.width) for k, d in ws.column_dimensions.items())
        merges = sorted(str(m) for m in ws.merged_cells.ranges)
        shown[ws.title] = [*cells, heights, widths, merges, ws.auto_filter.ref, ws.print_title_rows]
    return shown


def _cover_value(path: Path, label: str) -> object:
    ws = openpyxl.load_workbook(path)[vocab.ARCHIVE_SHEET_COVER]
    return next(
        ws.cell(r, 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label
    )


def test_rerun_reuses_the_workbooks_of_unchanged_sections_and_renders_a_changed_one(
    tmp_path: Path,
) -> None:
    from pipeline import run
    from pipeline.bench import CHANGE_MARK, _change_form
    from pipeline.demo import write_demo

    write_demo(tmp_path, people=30, seed=5, error_rate=0.3)
    inbox, config, out = tmp_path / "inbox", tmp_path / "config", tmp_path / "out"
    first_time, later = "2026-04-01T09:00:00", "2026-04-03T15:30:00"

    def process(run_time: str) -> dict[str, Path]:
        """Run in OUT and, from a copy of OUT without the workbooks' index, the same run
        rendering every workbook: each reused workbook must show what a rendered one does."""
        fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
        shutil.copytree(out, fresh, symlinks=True)
        (fresh / ".cache" / write_feedback.BOOKS_INDEX).unlink()
        run.process(inbox, config, fresh, run_time=run_time)
        run.process(inbox, config, out, run_time=run_time)
        books, rendered = _books(out), _books(fresh)
        assert set(books) == set(rendered)
        for name, path in books.items():
            assert _shown(path) == _shown(rendered[name]), name
        return books

    run.process(inbox, config, out, run_time=first_time)
    first = _books(out)
    assert len(first) >= 3  # the precondition: several sections
    # the second run in OUT: each 本轮变化 sheet now compares with the first run
    second = process(first_time)
    # one form of one section changes, nothing else: that section's workbook alone is made
    inodes = {name: path.stat().st_ino for name, path in second.items()}
    mtimes = {name: path.stat().st_mtime_ns for name, path in second.items()}
    changed = next(p for p in sorted(inbox.rglob("*.xlsx")) if _change_form(p))
    third = process(first_time)
    remade = [name for name, path in third.items() if path.stat().st_ino != inodes[name]]
    assert len(remade) == 1, remade
    (section,) = remade
    assert any(CHANGE_MARK in text for text in all_text(third[section]))
    for name, path in third.items():
        if name != section:
            assert path.stat().st_mtime_ns == mtimes[name]  # the previous run's file, linked
            assert not any(CHANGE_MARK in text for text in all_text(path))

    # another run time: every workbook shows it (and its 本轮变化 the previous run's)
    fourth = process(later)
    for path in fourth.values():
        assert _cover_value(path, vocab.FEEDBACK_COVER_LABEL_RUN_TIME) == later
        changes = openpyxl.load_workbook(path)[vocab.ARCHIVE_SHEET_CHANGES]
        assert first_time in str(changes["A1"].value)

    # a setting the workbooks show (the body's name on every cover) renders them all again
    (config / "settings.toml").write_text('[body]\nname = "某某县纪委"\n', encoding="utf-8")
    fifth = process(later)
    for path in fifth.values():
        ws = openpyxl.load_workbook(path)[vocab.ARCHIVE_SHEET_COVER]
        assert "某某县纪委" in str(ws["A1"].value)
    assert changed.exists()


def test_a_sent_back_senders_section_is_told_why_and_gets_the_copy(tmp_path: Path) -> None:
    """A form the run attributes to a roster person though it could not be filed under the
    section it names (科室 written wrongly, a corrupt file named after its sender): the
    person's section is told 已报送但被退回 and 原因见异常清单, so its 异常清单 has the reason
    and its folder the annotated copy; the office's folder for unplaced files does not."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("办公室", "赵六", "科员", "一般管理服务", False),
    ]
    sections = [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    write_form(inbox / "王芳.xlsx", header=dict(HEADER, name="王芳"))
    # 张三 wrote the body's name as 科室: no roster section, but the roster knows 张三
    write_form(inbox / "张三.xlsx", header=dict(HEADER, section="测试妇联"))
    (inbox / "赵六.xlsx").write_bytes(b"PK\x03\x04 cut short")  # corrupt, named after 赵六
    out = tmp_path / "out"
    assert process_cli(inbox, config, out) == 0
    office = workbook_of(out, "办公室")
    subs = sheet_frame(office, vocab.ARCHIVE_SHEET_SUBMISSIONS)
    sent_back = subs[subs["提交状态"] == vocab.STATUS_SENT_BACK]
    assert set(sent_back["姓名"]) == {"张三", "赵六"}  # precondition: both told 被退回
    issues = sheet_frame(office, vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert {"张三.xlsx", "赵六.xlsx"} <= set(rejected["文件"])
    assert rejected.loc[rejected["文件"] == "张三.xlsx", "问题"].str.contains("测试妇联").all()
    assert rejected.loc[rejected["文件"] == "赵六.xlsx", "问题"].str.contains("损坏").all()
    copy = folder_of(out, "办公室") / copy_name("张三.xlsx")
    assert copy.exists()
    assert "不在组织名册中" in " ".join(all_text(copy))
    unknown = feedback_root(out) / vocab.FEEDBACK_UNKNOWN_SECTION_DIR
    assert not unknown.exists() or not list(unknown.glob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx"))
    with zipfile.ZipFile(feedback_root(out) / "办公室.zip") as package:
        assert f"办公室/{copy.name}" in package.namelist()


def test_cover_describes_every_sheet_of_the_workbook(run) -> None:
    """The cover's 各工作表 tells the section what each sheet holds: every sheet, 本轮变化
    included (it is in every feedback workbook)."""
    written = run[2]
    books = [p for p in written if p.name.endswith("_反馈.xlsx")]
    assert len(books) >= 2
    for book in books:
        wb = openpyxl.load_workbook(book)
        assert vocab.ARCHIVE_SHEET_CHANGES in wb.sheetnames  # precondition
        cover = wb[vocab.ARCHIVE_SHEET_COVER]
        (text,) = [
            str(row[1].value)
            for row in cover.iter_rows()
            if row[0].value == vocab.FEEDBACK_COVER_LABEL_SHEETS
        ]
        described = {line.split("：")[0] for line in text.splitlines()}
        assert described == set(wb.sheetnames) - {vocab.ARCHIVE_SHEET_COVER}, book.name


def _texts_of_folder(folder: Path) -> str:
    """Every text of every file of a section's folder: each part of each workbook (cells,
    shared strings, comments, sheet names)."""
    texts = []
    for path in sorted(folder.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as package:
            texts += [package.read(n).decode("utf-8", "replace") for n in package.namelist()]
    return "\n".join(texts)


def test_a_workbook_of_two_sections_sheets_sends_each_its_own_through_the_real_run(
    tmp_path: Path,
) -> None:
    """A workbook holding one sheet per person of two sections (办公室's 张三, 财务科's 钱七),
    each with a rejected row and no 承诺书: each section's folder holds a copy with only its
    own sheet, and its 异常清单 its own person's rejection and missing pledge; neither folder
    holds a word of the other's. Before, the rows frame kept the file's first sheet and
    section for every row, so 财务科 got no copy and no reason and 办公室's copy and 异常清单
    held 钱七's sheet and notes."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import form_grid, sample_row, write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("财务科", "赵六", "科长", "人财物管理", True),
        ("财务科", "钱七", "出纳", "人财物管理", False),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务科", "赵六", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    office = form_grid(
        header={"section": "办公室", "name": "张三", "post": "科员"},
        rows=[sample_row(1, description="办公室的风险点"), sample_row(2, likelihood="超高")],
    )
    finance = form_grid(
        header={"section": "财务科", "name": "钱七", "post": "出纳"},
        rows=[sample_row(1, description="财务科的风险点"), sample_row(2, harm="无敌")],
    )
    write_xlsx(inbox / "合集.xlsx", {"张三": office, "钱七": finance})
    out = tmp_path / "out"
    assert process_cli(inbox, config, out) == 0

    for section, own, other, bad in (
        ("办公室", ("张三", "办公室的风险点"), ("钱七", "财务科"), "超高"),
        ("财务科", ("钱七", "财务科的风险点"), ("张三", "办公室"), "无敌"),
    ):
        copy = folder_of(out, section) / copy_name("合集.xlsx")
        assert openpyxl.load_workbook(copy).sheetnames[0] == own[0]
        assert own[0] in openpyxl.load_workbook(copy).sheetnames
        assert other[0] not in openpyxl.load_workbook(copy).sheetnames
        issues = sheet_frame(workbook_of(out, section), vocab.ARCHIVE_SHEET_ISSUES)
        rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
        assert rejected["原值"].tolist() == [bad]
        assert rejected["工作表"].tolist() == [own[0]]
        assert issues["问题"].str.contains(f"{own[0]}的自查表中没有").any()
        points = sheet_frame(workbook_of(out, section), vocab.FEEDBACK_SHEET_POINTS)
        assert points["风险点描述"].tolist() == [own[1]]
        text = _texts_of_folder(folder_of(out, section))
        assert own[0] in text and own[1] in text
        for word in other:
            assert word not in text, (section, word)


def test_a_body_table_tells_each_section_its_own_rejected_rows(tmp_path: Path) -> None:
    """A table with 科室/姓名 columns listing people of 办公室 and 财务科 (no header block, so
    no section of its own): each section's 异常清单 lists the rejection of its own row and
    not the other's, and gets no copy of the shared sheet; the office's folder for unplaced
    files keeps the copy with both cells marked. Before, both rejections went only to
    未能识别科室: the sections never heard their rows were sent back."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("财务科", "赵六", "科长", "人财物管理", True),
        ("财务科", "钱七", "出纳", "人财物管理", False),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务科", "赵六", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    head = ["序号", "科室", "姓名", "岗位", "职权事项", "风险类别", "风险点描述"]
    head += ["发生几率", "危害程度", "自评等级", "前期预防措施", "中期监控措施", "后期处置措施"]
    measures = ["教育", "检查", "问责"]
    table = [
        ["某妇联廉政风险点汇总表"],
        head,
        [1, "办公室", "张三", "科员", "公文", "岗位职责风险", "张三的点", "中", "一般", "三级"],
        [2, "办公室", "王芳", "主任", "审核", "岗位职责风险", "王芳的点", "超高", "一般", "三级"],
        [3, "财务科", "钱七", "出纳", "报销", "岗位职责风险", "钱七的点", "中", "无敌", "一级"],
        [4, "财务科", "赵六", "科长", "审批", "岗位职责风险", "赵六的点", "中", "较重", "一级"],
    ]
    for row in table[2:]:
        row += measures
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "全局汇总.xlsx", {"汇总表": table})
    out = tmp_path / "out"
    assert process_cli(inbox, config, out) == 0

    unknown = feedback_root(out) / vocab.FEEDBACK_UNKNOWN_SECTION_DIR
    copy = unknown / copy_name("全局汇总.xlsx")
    sheet = openpyxl.load_workbook(copy)["汇总表"]
    marked = {c.coordinate for row in sheet.iter_rows() for c in row if c.comment}
    assert {"H4", "I5"} <= marked  # precondition: both rows are sent back
    for section, cell, own, other in (
        ("办公室", "H4", "王芳", ("钱七", "赵六")),
        ("财务科", "I5", "钱七", ("张三", "王芳")),
    ):
        issues = sheet_frame(workbook_of(out, section), vocab.ARCHIVE_SHEET_ISSUES)
        rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
        assert rejected["单元格"].tolist() == [cell]
        assert rejected["姓名"].tolist() == [own]
        assert not list(folder_of(out, section).glob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx"))
        text = _texts_of_folder(folder_of(out, section))
        for word in other:
            assert word not in text, (section, word)


def test_another_sections_copy_of_a_shared_workbook_holds_only_its_own_sheets(
    tmp_path: Path,
) -> None:
    """A workbook of 办公室's 张三 and 财务科's 钱七, each with a 承诺书 sheet, plus a guide
    sheet: 财务科's copy holds 钱七's sheets only, 办公室's holds none of 钱七's. Before,
    财务科's copy kept 张三承诺书 and the guide (the copy was told which sheets to keep
    through a record field itertuples renames, so it only ever left out the others')."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import form_grid, pledge_grid, sample_row, write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "主任", "一般管理服务", True),
        ("财务科", "钱七", "科长", "人财物管理", True),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "张三", "陈主席"),
        ("财务科", "钱七", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    sheets = {}
    for name, section, bad in (("张三", "办公室", "超高"), ("钱七", "财务科", "极高")):
        sheets[name] = form_grid(
            header={"section": section, "name": name, "post": "科长"},
            rows=[sample_row(1), sample_row(2, likelihood=bad)],
        )
        sheets[f"{name}承诺书"] = pledge_grid([f"{name}承诺不收礼"], pledger=name)
    sheets[vocab.SHEET_GUIDE] = [["填表说明"]]
    write_xlsx(inbox / "合集.xlsx", sheets)
    out = tmp_path / "out"
    assert process_cli(inbox, config, out) == 0

    finance = openpyxl.load_workbook(folder_of(out, "财务科") / copy_name("合集.xlsx"))
    assert [s for s in finance.sheetnames if s != vocab.COPY_NOTES_SHEET] == ["钱七", "钱七承诺书"]
    office = openpyxl.load_workbook(folder_of(out, "办公室") / copy_name("合集.xlsx"))
    assert "钱七" not in "".join(office.sheetnames)
    assert {"张三", "张三承诺书"} <= set(office.sheetnames)


def test_a_sections_table_holding_another_sections_rows_keeps_its_copy(tmp_path: Path) -> None:
    """办公室's unit form lists rows of its own people and one of 财务科's (科室/姓名 columns),
    one bad value each: 办公室's folder keeps the copy of its file with both cells marked
    (the sheet cannot be split), 财务科's 异常清单 lists its own row's rejection, with no copy.
    Once rows carried their own sections, the mixed sheet had no owner and the copy was
    left out of 办公室's folder altogether."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("财务科", "钱七", "出纳", "人财物管理", True),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务科", "钱七", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    head = ["序号", "科室", "姓名", "岗位", "职权事项", "风险类别", "风险点描述"]
    head += ["发生几率", "危害程度", "自评等级", "前期预防措施", "中期监控措施", "后期处置措施"]
    table = [
        [vocab.FORM_TITLES[vocab.UNIT]],
        ["科室", "办公室", None, "科室负责人", "王芳"],
        head,
        [1, "办公室", "张三", "科员", "公文", "岗位职责风险", "张三的点", "中", "一般", "三级"],
        [2, "办公室", "王芳", "主任", "审核", "岗位职责风险", "王芳的点", "超高", "一般", "三级"],
        [3, "财务科", "钱七", "出纳", "报销", "岗位职责风险", "钱七的点", "中", "无敌", "一级"],
    ]
    for row in table[3:]:
        row += ["教育", "检查", "问责"]
    write_xlsx(tmp_path / "inbox" / "办公室汇总.xlsx", {"汇总表": table})
    out = tmp_path / "out"
    assert process_cli(tmp_path / "inbox", config, out) == 0

    copy = folder_of(out, "办公室") / copy_name("办公室汇总.xlsx")
    sheet = openpyxl.load_workbook(copy)["汇总表"]
    assert {c.coordinate for row in sheet.iter_rows() for c in row if c.comment} >= {"H5", "I6"}
    issues = sheet_frame(workbook_of(out, "财务科"), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert rejected["单元格"].tolist() == ["I6"]
    assert not list(folder_of(out, "财务科").glob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx"))


def test_a_persons_points_are_listed_in_the_order_of_their_rows(tmp_path: Path) -> None:
    """张三's form has ten risk points on rows 4 to 13, all of one level. The 风险点 sheet of
    办公室's feedback listed rows 10-13 before rows 4-9 (the row sorted as text: 「10」 before
    「4」), so the points of his form read 07, 08, 09, 10, 01, 02… Now they come in the order of
    the form's rows, as in the archive's catalogue."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "科员", "一般管理服务", True),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"),
               rows=[sample_row(i) for i in range(1, 11)])  # fmt: skip
    assert process_cli(inbox, config, out) == 0

    points = sheet_frame(workbook_of(out, "办公室"), vocab.FEEDBACK_SHEET_POINTS)
    assert set(points["评定等级"]) == {"二级"}  # precondition: one level, so rows decide
    assert points["来源行"].tolist() == [str(r) for r in range(4, 14)]
    assert points["风险点编号"].tolist() == [f"办公室-张三-{i:02d}" for i in range(1, 11)]


def test_long_names_are_shortened_to_fit_windows_and_the_run_says_so(tmp_path: Path) -> None:
    """A 70-character section and a mail client's long attachment name: every path under
    科室反馈/ stays within 120 characters (so with an OUT like C:\\Users\\办公室\\Desktop\\廉政风险\\
    output, or unpacked from the section's package, Excel still opens it: it refuses full
    paths over 218 characters), the copy keeps its marks and the run's log names what was
    shortened. Before, the copy's name alone could be 68 characters and the workbook's too."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import pledge_grid, sample_row, write_form

    section = "妇女儿童权益保障与家庭教育工作指导服务中心综合协调管理科" * 2 + "第一办公室"
    name = "欧阳娜娜·阿不都热合曼·买买提"
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        (section, name, "科长", "一般管理服务", True),
    ]
    config = write_config(tmp_path, people, [("领导班子", "陈主席", ""), (section, name, "陈主席")])
    inbox = tmp_path / "inbox"
    long_file = (
        f"{name}_2026年度个人廉政风险自查表（修改稿第三版，已按科室会议意见修改）最终版.xlsx"
    )
    write_form(
        inbox / "2026-03-24 来自 欧阳娜娜的邮件" / long_file,
        header={"section": section, "name": name, "post": "科长"},
        rows=[sample_row(1, likelihood="极高")],
        pledge=pledge_grid(["不收受礼金"], pledger=name),
    )
    out = tmp_path / "out"
    assert process_cli(inbox, config, out) == 0

    root = out / vocab.FEEDBACK_DIR
    written = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    assert written and max(len(p) for p in written) <= 120
    copies = [p for p in root.rglob("*" + vocab.ANNOTATED_SUFFIX + ".xlsx")]
    assert len(copies) == 1 and copies[0].name.startswith(name + "_2026")
    assert any("极高" in text for text in all_text(copies[0]))
    books = [p for p in root.rglob("*" + vocab.FEEDBACK_FILE_TEMPLATE.format(section=""))]
    assert len(books) == 2  # 领导班子 and the long section, both readable
    issues = sheet_frame(next(b for b in books if "领导班子" not in b.name), "异常清单")
    assert "极高" in issues["原值"].tolist()
    log_text = (out / vocab.LOG_FILE).read_text(encoding="utf-8")
    assert "名称过长" in log_text and long_file in log_text and copies[0].name in log_text


def test_a_point_taller_than_a_row_goes_on_over_continuation_rows_of_the_feedback(
    tmp_path: Path,
) -> None:
    """A point with 39 numbered measures and a description of 1,200 characters: the 风险点
    sheet's one row stopped at Excel's 409 pt and the section's printout lost the rest. Now
    the point goes on over continuation rows (「（续）」; 科室, 岗位, 姓名 and ID repeated;
    序号 and grades once), each tall enough for its text, and all of it is on the sheet."""
    from pipeline import sheetxml, styles

    result = make_result(tmp_path)
    points = result.points.copy()
    first = points.index[points["section"] == rf.SECTION_OFFICE][0]
    description = "在审核补助资金申报材料、组织项目评审和验收拨付资金过程中，" * 40 + "优亲厚友。"
    measures = [f"{i}. 建立健全制度措施第{i}条，严格执行审批程序。" for i in range(1, 40)]
    points.loc[first, "description"] = description
    points.loc[first, "prevent"] = "\n".join(measures)
    write_feedback.write_feedback(dataclasses.replace(result, points=points), tmp_path / "out")

    book = workbook_of(tmp_path / "out", rf.SECTION_OFFICE)
    ws = openpyxl.load_workbook(book)[vocab.FEEDBACK_SHEET_POINTS]
    header = [c.value for c in ws[1]]
    col = {k: header.index(v) + 1 for k, v in styles.point_headers().items()}
    top = next(
        r
        for r in range(2, ws.max_row + 1)
        if str(ws.cell(r, col["description"]).value).startswith("在审核")
    )

    def continues(r: int) -> bool:
        cells = [str(ws.cell(r, col[k]).value or "") for k in ("description", "prevent")]
        return any(c.startswith(vocab.CONTINUED_MARK) for c in cells)

    block = [top, *itertools.takewhile(continues, range(top + 1, ws.max_row + 1))]
    assert len(block) > 1
    texts = {}
    for key in ("description", "prevent"):
        cells = [ws.cell(r, col[key]).value or "" for r in block]
        texts[key] = "".join(c.removeprefix(vocab.CONTINUED_MARK) for c in cells)
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(col[key])].width
        for r, text in zip(block, cells, strict=True):
            lines = sheetxml.line_counts([text], width)[0]
            assert lines * write_feedback.LINE_HEIGHT + 4 <= ws.row_dimensions[r].height <= 409
    assert texts["description"] == description
    assert all(m in texts["prevent"] for m in measures)
    for r in block[1:]:
        assert ws.cell(r, col[styles.SEQ_KEY]).value is None
        assert ws.cell(r, col["level"]).value is None
        for key in ("section", "name", styles.POINT_ID_KEY):
            assert ws.cell(r, col[key]).value == ws.cell(top, col[key]).value


def _office_point_with_measures(tmp_path: Path, n: int) -> tuple[list[str], Any, int]:
    """Office's first point given ``n`` numbered 前期 measures, the feedback written: (the
    measures, its 风险点 sheet, the 前期预防措施 column's number)."""
    result = make_result(tmp_path)
    points = result.points.copy()
    first = points.index[points["section"] == rf.SECTION_OFFICE][0]
    measures = [f"{i}. 建立健全制度措施第{i}条，严格执行审批程序。" for i in range(1, n + 1)]
    points.loc[first, "prevent"] = "\n".join(measures)
    write_feedback.write_feedback(dataclasses.replace(result, points=points), tmp_path / "out")
    ws = openpyxl.load_workbook(workbook_of(tmp_path / "out", rf.SECTION_OFFICE))[
        vocab.FEEDBACK_SHEET_POINTS
    ]
    header = [c.value for c in ws[1]]
    return measures, ws, header.index(vocab.CATALOGUE_COLUMNS["prevent"]) + 1


def test_a_tall_points_rows_fill_the_printed_pages_of_the_feedback(tmp_path: Path) -> None:
    """A point with 39 measure lines went on over rows of 352 pt: rows never split over
    pages, so each took a page of its own (of about 576 pt under the header at the sheet's
    scale), and the point printed on five pages a half with a third of each left blank.
    Now its rows are an equal share of a page: every page but its last is nearly full, and
    the sheet still prints at 8 pt or more."""
    from pipeline import styles

    _measures, ws, prevent = _office_point_with_measures(tmp_path, 39)
    block = [r for r in range(2, ws.max_row + 1) if "建立健全" in str(ws.cell(r, prevent).value)]
    assert "".join(str(ws.cell(r, prevent).value) for r in block).count("建立健全") == 39
    scale = ws.page_setup.scale
    assert scale * styles.FONT_SIZE / 100 >= styles.MIN_PRINTED_PT
    room = styles.printable_height() * 100 / scale - ws.row_dimensions[1].height
    pages, used = [], 0.0
    for r in block:
        height = ws.row_dimensions[r].height
        if used + height > room:
            pages.append(used)
            used = 0.0
        used += height
    assert len(pages) >= 1  # precondition: the point takes more than one page
    assert all(filled >= 0.75 * room for filled in pages), (pages, room)


def test_a_point_that_fits_one_row_of_the_feedback_is_not_cut_over_two(tmp_path: Path) -> None:
    """Seven measures of three lines each (21 lines) fit one row (409 pt): the point stays
    one row, not cut after 19 lines with a 「（续）」 row for the last two."""
    measures, ws, prevent = _office_point_with_measures(tmp_path, 7)
    cells = [str(ws.cell(r, prevent).value) for r in range(2, ws.max_row + 1)]
    assert "\n".join(measures) in cells
    assert not any("建立健全" in c and c.startswith(vocab.CONTINUED_MARK) for c in cells)
