"""validate(): header, roster, resubmission, empty forms, row checks, measures, points.

The ``files`` and ``rows`` frames are built by hand with the columns of pipeline/frames.py,
as the reader would produce them for forms in the decided template layout.
"""

from __future__ import annotations

import dataclasses
import string
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline import config, frames, normalize, vocab
from pipeline import run as pipeline_run
from pipeline.validate import CELL_FIELDS, ValidationBug, row_schema, validate
from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
from tests.forms import sample_row, write_form

SETTINGS = config.default_settings()
HEADER_CELLS = {
    vocab.INDIVIDUAL: {"section": "B2", "name": "E2", "post": "G2", "date": "J2"},
    vocab.UNIT: {"section": "B2", "head": "E2", "date": "H2"},
}
COLMAPS = {
    kind: {key: string.ascii_uppercase[i] for i, key in enumerate(vocab.TABLE_COLUMNS[kind])}
    for kind in vocab.FORM_KINDS
}
# individual: A 序号, B 职权事项, C 风险类别, D 风险点描述, E 发生几率, F 危害程度, G 自评等级,
# H 前期, I 中期, J 后期, K 备注. unit: one column later from 涉及岗位 (C) on.

GOOD = {
    "seq": "1",
    "step": "审批报销单据",
    "category": "岗位职责风险",
    "description": "违规审批不合规票据",
    "likelihood": "高",
    "harm": "严重",
    "self_level": "一级",
    "prevent": "学习财务制度",
    "monitor": "双人复核",
    "handle": "追回款项并问责",
    "remark": None,
}
GOOD_UNIT = {**GOOD, "posts_involved": "会计、出纳"}


def make_roster() -> config.Roster:
    people = pd.DataFrame(
        [
            ("办公室", "张三", "主任", "一般管理服务", True, 2),
            ("办公室", "李四", "文员", "其他", False, 3),
            ("财务科", "王五", "会计", "人财物管理", False, 4),
            ("财务科", "赵六", "出纳", "人财物管理", False, 5),
            ("领导班子", "孙七", "副主席", "领导班子正职", False, 6),
        ],
        columns=[*vocab.ROSTER_PEOPLE_COLUMNS, "excel_row"],
    )
    sections = pd.DataFrame(
        [("办公室", "张三", "孙七", 2), ("财务科", "王五", "孙七", 3), ("领导班子", "", "", 4)],
        columns=[*vocab.ROSTER_SECTION_COLUMNS, "excel_row"],
    )
    return config.Roster(
        people=people, sections=sections, body_name="示例区妇联", chair="周八", oversight="区纪委"
    )


def _folded(section: object, name: object) -> tuple[str, str]:
    return normalize.fold(section or ""), normalize.fold(name or "")


ROSTER_POSTS = {
    _folded(sec, name): post for sec, name, post, *_ in make_roster().people.itertuples(index=False)
}
ROSTER_HEADS = {"办公室": "张三", "财务科": "王五"}


def file_record(
    file: str,
    kind: str = vocab.INDIVIDUAL,
    section: str | None = "办公室",
    name: str | None = "张三",
    date: object = "2026-03-10",
    mtime: float = 1_700_000_000.0,
    status: str = frames.FILE_STATUS_READ,
    colmap: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {c: pd.NA for c in frames.FILE_COLUMNS}
    record.update(
        file=file,
        size=10_000,
        mtime=mtime,
        sha256=file,
        ext=".xlsx",
        kind=kind,
        status=status,
        sheet=vocab.MAIN_SHEET[kind],
        section=section,
        name=name if kind == vocab.INDIVIDUAL else pd.NA,
        # the roster's post and head, so that only what a test changes gets a note
        post=ROSTER_POSTS.get(_folded(section, name), "会计")
        if kind == vocab.INDIVIDUAL
        else pd.NA,
        head=ROSTER_HEADS.get(_folded(section, "")[0], "张三") if kind == vocab.UNIT else pd.NA,
        date=date,
        pledge_sheet=kind == vocab.INDIVIDUAL,
        pledge_items=3 if kind == vocab.INDIVIDUAL else 0,
        colmap=dict(COLMAPS[kind] if colmap is None else colmap),
        header_cells=dict(HEADER_CELLS[kind]),
    )
    record.update(extra)
    return record


def make_frames(
    forms: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(file record, data rows) pairs -> files and rows frames as read.py makes them."""
    files = pd.DataFrame([f for f, _ in forms], columns=list(frames.FILE_COLUMNS))
    records = []
    for form, data in forms:
        for i, values in enumerate(data):
            row: dict[str, Any] = {c: pd.NA for c in frames.ROW_COLUMNS}
            for col in ("file", "sheet", "kind", "section", "name", "post", "head", "date"):
                row[col] = form[col]
            row.update(excel_row=4 + i, accepted=True, **values)  # as read gives them
            records.append(row)
    rows = pd.DataFrame(records, columns=list(frames.ROW_COLUMNS))
    rows["row_id"] = range(len(rows))
    for col in frames.ROW_FIELDS:
        rows[col] = rows[col].astype("str")
    files["n_rows"] = files["file"].map(rows["file"].value_counts()).fillna(0).astype(int)
    return files, rows


def run(forms: list[tuple[dict[str, Any], list[dict[str, Any]]]], settings=SETTINGS):
    files, rows = make_frames(forms)
    return validate(files, rows, make_roster(), settings)


def only(issues: pd.DataFrame, code: str) -> pd.DataFrame:
    return issues[issues["code"] == code]


def status_of(files: pd.DataFrame, file: str) -> tuple[str, str]:
    rec = files.set_index("file").loc[file]
    return rec["status"], rec["reason"]


# --------------------------------------------------------------------------------------
# the happy path and the frames' shape
# --------------------------------------------------------------------------------------
def test_good_forms_become_points_with_canonical_values():
    raw = {**GOOD, "category": "1", "likelihood": "较大", "harm": "中", "self_level": "Ⅱ级"}
    unit_row = {**GOOD_UNIT, "posts_involved": "  会计、出纳 \n"}
    files, rows, points, issues = run(
        [
            (file_record("办公室/张三.xlsx", section="办公室 ", name="张 三"), [raw, GOOD]),
            (file_record("财务科/单位.xlsx", kind=vocab.UNIT, section="财务科"), [unit_row]),
        ]
    )
    assert issues.empty, issues[["code", "cell", "problem"]]
    assert list(files["status"]) == ["read", "read"]
    assert rows["accepted"].tolist() == [True, True, True]
    assert list(points.columns) == [*frames.ROW_COLUMNS, *(f"{f}_cell" for f in CELL_FIELDS)]
    first = points.iloc[0]
    assert (first.category, first.likelihood, first.harm, first.self_level) == (
        "岗位职责风险",
        "高",
        "较重",
        "二级",
    )
    assert (first["section"], first["name"], first["self_level_cell"]) == ("办公室", "张三", "G4")
    # raw text stays in rows
    assert rows.loc[0, "category"] == "1"
    unit = points.iloc[2]
    assert (unit["name"], unit["post"], unit["self_level_cell"]) == ("", "会计、出纳", "H4")
    assert files.loc[0, "section"] == "办公室" and files.loc[0, "name"] == "张三"
    assert list(issues.columns) == list(frames.ISSUE_COLUMNS)


def test_self_level_may_be_blank_and_cell_is_empty_without_column():
    colmap = {k: v for k, v in COLMAPS[vocab.INDIVIDUAL].items() if k != "self_level"}
    _, _, points, issues = run(
        [(file_record("a.xlsx", colmap=colmap), [{**GOOD, "self_level": None}])]
    )
    assert issues.empty
    assert pd.isna(points.loc[0, "self_level"])
    assert points.loc[0, "self_level_cell"] == ""


# --------------------------------------------------------------------------------------
# a. header
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "blank", "cell", "label"),
    [
        (vocab.INDIVIDUAL, "section", "B2", "科室"),
        (vocab.INDIVIDUAL, "name", "E2", "姓名"),
        (vocab.UNIT, "section", "B2", "科室"),
    ],
)
def test_missing_header_field_rejects_the_file(kind, blank, cell, label):
    row = GOOD_UNIT if kind == vocab.UNIT else GOOD
    # a blank 科室 beside a name the roster knows is that person's (the next test)
    unknown = {"name": "钱九"} if (kind, blank) == (vocab.INDIVIDUAL, "section") else {}
    record = file_record("x.xlsx", kind=kind, **{blank: "  "}, **unknown)
    files, rows, points, issues = run([(record, [row, row])])
    assert status_of(files, "x.xlsx") == ("rejected", "missing_header_field")
    assert not rows["accepted"].any() and points.empty
    (hit,) = only(issues, "missing_header_field").itertuples()
    assert (hit.action, hit.cell, hit.sheet) == ("退回", cell, vocab.MAIN_SHEET[kind])
    assert hit.problem == f"表头缺少「{label}」，无法确定是谁、哪个科室报送的。"
    assert len(issues) == 1


def test_a_blank_section_beside_a_name_of_one_roster_section_is_that_persons_with_a_note():
    files, _, points, issues = run([(file_record("x.xlsx", section="  ", name="王五"), [GOOD])])
    assert status_of(files, "x.xlsx")[0] == "read"
    assert points[["section", "name"]].values.tolist() == [["财务科", "王五"]]
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell, hit.section) == (
        "section_from_roster",
        vocab.ACTION_NOTE,
        "B2",
        "财务科",
    )
    assert "已按「财务科」计入" in hit.problem


def test_unit_form_needs_no_name():
    files, _, points, issues = run(
        [(file_record("u.xlsx", kind=vocab.UNIT, section="财务科"), [GOOD_UNIT])]
    )
    assert files.loc[0, "status"] == "read" and len(points) == 1 and issues.empty


def test_header_dates_become_iso_and_a_bad_date_is_only_a_note():
    files, _, points, issues = run(
        [
            (file_record("a.xlsx", date=45000, pledge_date="2026年3月2日"), [GOOD]),
            (file_record("b.xlsx", name="李四", date="三月中旬", pledge_date="不详"), [GOOD]),
        ]
    )
    assert files["date"].tolist()[0] == "2023-03-15"
    assert pd.isna(files.loc[1, "date"])
    assert files.loc[0, "pledge_date"] == "2026-03-02" and pd.isna(files.loc[1, "pledge_date"])
    assert files["status"].tolist() == ["read", "read"] and len(points) == 2
    bad = only(issues, "bad_date")
    assert bad["action"].tolist() == ["提示", "提示"]
    assert bad["cell"].tolist() == ["J2", ""]
    assert bad["sheet"].tolist() == [vocab.SHEET_INDIVIDUAL, vocab.SHEET_PLEDGE]
    assert bad["problem"].iloc[0] == "填表日期「三月中旬」不是可识别的日期。"
    assert bad["problem"].iloc[1] == "承诺日期「不详」不是可识别的日期。"
    assert set(bad["name"]) == {"李四"}


# --------------------------------------------------------------------------------------
# b. roster
# --------------------------------------------------------------------------------------
def test_person_not_in_roster_rejects_the_file():
    files, rows, points, issues = run([(file_record("x.xlsx", name="钱九"), [GOOD])])
    assert status_of(files, "x.xlsx") == ("rejected", "not_in_roster")
    assert not rows["accepted"].any() and points.empty
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell) == ("not_in_roster", "退回", "E2")
    assert hit.problem == "「钱九（办公室）」不在组织名册中，整份表格未计入。"
    assert (hit.section, hit.name) == ("办公室", "钱九")


def test_person_in_another_section_is_told_the_roster_section():
    files, _, _, issues = run([(file_record("x.xlsx", section="办公室", name="王五"), [GOOD])])
    assert status_of(files, "x.xlsx") == ("rejected", "not_in_roster")
    (hit,) = issues.itertuples()
    assert (hit.code, hit.cell, hit.value) == ("not_in_roster", "B2", "办公室")
    assert hit.problem == (
        "「王五（办公室）」不在组织名册中：名册中的「王五」属于「财务科」，整份表格未计入。"
    )
    assert "「财务科」" in hit.fix


def test_full_width_and_spaced_spelling_matches_the_roster():
    files, _, points, issues = run(
        [(file_record("x.xlsx", section="办 公 室", name="张\u3000三"), [GOOD])]
    )
    assert issues.empty
    assert (files.loc[0, "section"], files.loc[0, "name"]) == ("办公室", "张三")
    assert (points.loc[0, "section"], points.loc[0, "name"]) == ("办公室", "张三")


def test_issues_of_a_rejected_file_reach_the_roster_section():
    files, _, _, issues = run([(file_record("x.xlsx", section="办 公 室", name=None), [GOOD])])
    assert files.loc[0, "section"] == "办公室"
    assert issues[["code", "section"]].values.tolist() == [["missing_header_field", "办公室"]]


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        (None, "科室「后勤科」不在组织名册中，整份表格未计入。"),
        ("外人", "科室「后勤科」不在组织名册中，整份表格未计入。"),
        # the head of one roster section (the section renamed in the roster): it is named
        (
            "张三",
            "科室「后勤科」不在组织名册中：名册中「张三」负责的科室是「办公室」，整份表格未计入。",
        ),
    ],
)
def test_unit_section_not_in_roster(head, problem):
    files, _, _, issues = run(
        [(file_record("u.xlsx", kind=vocab.UNIT, section="后勤科", head=head), [GOOD_UNIT])]
    )
    assert status_of(files, "u.xlsx") == ("rejected", "section_not_in_roster")
    (hit,) = issues.itertuples()
    assert (hit.code, hit.cell, hit.name) == ("section_not_in_roster", "B2", "")
    assert hit.problem == problem


@pytest.mark.parametrize("written", ["财务室", "区妇联财务科", "财务", "财务科（室）"])
def test_a_slip_in_the_section_of_a_person_the_roster_knows_is_a_note(written: str) -> None:
    """王五 is in 财务科 only, and the 科室 written is no roster section but a slip of it."""
    files, _, points, issues = run([(file_record("x.xlsx", section=written, name="王五"), [GOOD])])
    assert status_of(files, "x.xlsx")[0] == "read"
    assert points[["section", "name"]].values.tolist() == [["财务科", "王五"]]
    if written == "财务科（室）":  # a bracketed remark was always read as the section
        assert issues.empty
        return
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell, hit.value) == ("section_similar", "提示", "B2", written)
    assert (hit.section, hit.name) == ("财务科", "王五")  # reaches 财务科's feedback
    assert f"科室写作「{written}」" in hit.problem and "已按「财务科」计入" in hit.problem


def test_a_unit_form_whose_section_is_a_slip_of_one_roster_section_is_that_sections() -> None:
    files, _, points, issues = run(
        [(file_record("u.xlsx", kind=vocab.UNIT, section="财务室", head="王五"), [GOOD_UNIT])]
    )
    assert status_of(files, "u.xlsx")[0] == "read"
    assert points["section"].tolist() == ["财务科"]
    (hit,) = issues.itertuples()
    assert (hit.code, hit.cell, hit.value, hit.section) == (
        "section_similar_unit",
        "B2",
        "财务室",
        "财务科",
    )


@pytest.mark.parametrize("written", ["后勤科", "财务二科"])
def test_a_section_that_is_no_slip_still_rejects(written: str) -> None:
    files, *_ = run([(file_record("x.xlsx", section=written, name="王五"), [GOOD])])
    assert status_of(files, "x.xlsx") == ("rejected", "not_in_roster")


# --------------------------------------------------------------------------------------
# c. resubmission
# --------------------------------------------------------------------------------------
def test_later_date_wins_and_superseded_rows_leave_the_rows_frame():
    old = file_record("张三-旧.xlsx", date="2026-03-01", mtime=2e9)  # newer mtime, older date
    new = file_record("张三-新.xlsx", date="2026/3/20", mtime=1e9)
    files, rows, points, issues = run([(old, [GOOD, GOOD, GOOD]), (new, [GOOD])])
    assert status_of(files, "张三-旧.xlsx") == ("superseded", "superseded")
    assert files.set_index("file").loc["张三-新.xlsx", "status"] == "read"
    assert set(rows["file"]) == {"张三-新.xlsx"} and len(points) == 1
    # the counted form has fewer rows than the one it replaced: a 提示 says so
    (fewer,) = issues[issues["code"] == "fewer_rows_than_replaced"].itertuples()
    assert (fewer.file, fewer.action) == ("张三-新.xlsx", "提示")
    (hit,) = issues[issues["code"] != "fewer_rows_than_replaced"].itertuples()
    assert (hit.code, hit.action, hit.file, hit.name) == (
        "superseded",
        "提示",
        "张三-旧.xlsx",
        "张三",
    )
    # 张三-旧.xlsx was saved later: the date decided, not which came later
    assert hit.problem == (
        "同一人（办公室 张三）的另一份表格「张三-新.xlsx」填表日期是 2026-03-20，晚于本文件的 "
        "2026-03-01；几份表格按填表日期以最晚的为准（不看哪一份后发来），本文件已被替代，未计入。"
    )


@pytest.mark.parametrize(
    ("first", "second", "winner"),
    [
        ({"mtime": 2e9}, {"mtime": 1e9}, "a.xlsx"),  # same date: later mtime
        ({"mtime": 1e9}, {"mtime": 1e9}, "b.xlsx"),  # full tie: file path
        # a missing date is unknown, not old: the dates decide nothing, the times do
        ({"date": pd.NA}, {"date": "2000-01-01"}, "b.xlsx"),
        ({"date": pd.NA, "mtime": 2e9}, {"date": "2000-01-01", "mtime": 1e9}, "a.xlsx"),
    ],
)
def test_resubmission_tie_breaks(first, second, winner):
    files, rows, _, _ = run(
        [(file_record("a.xlsx", **first), [GOOD]), (file_record("b.xlsx", **second), [GOOD])]
    )
    assert files.set_index("file")["status"].to_dict() == {
        "a.xlsx": "read" if winner == "a.xlsx" else "superseded",
        "b.xlsx": "read" if winner == "b.xlsx" else "superseded",
    }
    assert set(rows["file"]) == {winner}


def test_a_correction_without_a_date_mailed_later_replaces_the_dated_original(
    tmp_path: Path,
) -> None:
    """丁玲 mails her form (填表日期 3-04) on 03-05, then a correction on 03-24 whose 填表日期
    she left blank. The mail of 03-24 stands in for the missing date: the correction is
    counted and the original is the superseded one, not the other way round with a note
    telling her that the 03-05 file is the newer version."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    first = "2026-03-05 来自丁玲/丁玲.xlsx"
    again = "2026-03-24 来自丁玲/丁玲.xlsx"
    write_form(
        inbox / first,
        header={**header, "date": datetime(2026, 3, 4)},
        rows=[sample_row(1, description="原稿")],
    )
    write_form(
        inbox / again, header={**header, "date": None}, rows=[sample_row(1, description="改正稿")]
    )
    out = tmp_path / "out"
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, engine="calamine", dtype=str)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue.loc[catalogue["姓名"] == "丁玲", "风险点描述"].tolist() == ["改正稿"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    replaced = issues[issues["问题"].str.contains("已被替代", na=False)]
    assert replaced["文件"].tolist() == [first]
    assert f"新版本「{again}」" in replaced.iloc[0]["问题"]
    # 提交情况 says the mail's date stood in and which version was replaced, in one note
    note = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名").at["丁玲", "备注"]
    assert "按邮件文件夹的日期 2026-03-24" in note and f"替代了旧版本：{first}" in note
    assert "。；" not in note


def test_unit_resubmission_and_people_are_grouped_apart():
    forms = [
        (file_record("u1.xlsx", kind=vocab.UNIT, section="财务科", date="2026-03-01"), [GOOD_UNIT]),
        (file_record("u2.xlsx", kind=vocab.UNIT, section="财务科", date="2026-03-05"), [GOOD_UNIT]),
        (file_record("w.xlsx", section="财务科", name="王五", date="2026-03-09"), [GOOD]),
        (file_record("z.xlsx", section="财务科", name="赵六", date="2026-03-01"), [GOOD]),
    ]
    files, rows, points, issues = run(forms)
    status = files.set_index("file")["status"].to_dict()
    assert status == {
        "u1.xlsx": "superseded",
        "u2.xlsx": "read",
        "w.xlsx": "read",
        "z.xlsx": "read",
    }
    (hit,) = only(issues, "superseded").itertuples()
    assert hit.problem.startswith("同一科室（财务科）后来又报送了新版本「u2.xlsx」")
    assert len(rows) == 3 and len(points) == 3


def test_rejected_file_does_not_supersede():
    bad = file_record("new.xlsx", name="钱九", date="2026-04-01")
    files, _, points, _ = run([(file_record("old.xlsx"), [GOOD]), (bad, [GOOD])])
    assert files.set_index("file")["status"].to_dict() == {
        "old.xlsx": "read",
        "new.xlsx": "rejected",
    }
    assert len(points) == 1


# --------------------------------------------------------------------------------------
# d. empty forms
# --------------------------------------------------------------------------------------
def test_empty_form_is_rejected():
    files, rows, points, issues = run([(file_record("e.xlsx"), [])])
    assert status_of(files, "e.xlsx") == ("rejected", "empty_form")
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.problem) == (
        "empty_form",
        "退回",
        "表格中没有填写任何风险点。",
    )
    assert rows.empty and points.empty


# --------------------------------------------------------------------------------------
# e. row checks
# --------------------------------------------------------------------------------------
ALLOWED = {field: "、".join(values) for field, values in vocab.ENUMS.items()}


@pytest.mark.parametrize(
    ("change", "code", "cell", "problem"),
    [
        (
            {"category": "其他风险"},
            "bad_enum",
            "C4",
            "风险类别「其他风险」不在可选范围内：岗位职责风险、业务流程风险、制度机制风险、外部环境风险。",
        ),
        ({"likelihood": "偶尔"}, "bad_enum", "E4", "发生几率「偶尔」不在可选范围内：高、中、低。"),
        ({"harm": "5"}, "bad_enum", "F4", "危害程度「5」不在可选范围内：严重、较重、一般。"),
        (
            {"self_level": "四级"},
            "bad_enum",
            "G4",
            "自评等级「四级」不在可选范围内：一级、二级、三级。",
        ),
        (
            {"category": "=1+1"},
            "bad_enum",
            "C4",
            f"风险类别「=1+1」不在可选范围内：{ALLOWED['category']}。",
        ),
        ({"step": None}, "missing_value", "B4", "「职权事项（工作环节）」没有填写。"),
        ({"category": "  "}, "missing_value", "C4", "「风险类别」没有填写。"),
        ({"description": None}, "missing_value", "D4", "「风险点描述」没有填写。"),
        ({"likelihood": None}, "missing_value", "E4", "「发生几率」没有填写。"),
        ({"harm": ""}, "missing_value", "F4", "「危害程度」没有填写。"),
    ],
)
def test_each_row_failure_gives_code_cell_and_text(change, code, cell, problem):
    files, rows, points, issues = run([(file_record("a.xlsx"), [GOOD, {**GOOD, **change}])])
    # the failing row is the second data row (Excel row 5)
    cell = cell[0] + "5"
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell, hit.problem) == (code, "退回", cell, problem)
    assert (hit.file, hit.sheet, hit.section, hit.name, hit.row_id) == (
        "a.xlsx",
        vocab.SHEET_INDIVIDUAL,
        "办公室",
        "张三",
        1,
    )
    assert rows["accepted"].tolist() == [True, False]
    assert len(points) == 1 and files.loc[0, "status"] == "read"


def test_all_rows_rejected_keeps_file_read():
    files, rows, points, _issues = run([(file_record("a.xlsx"), [{**GOOD, "harm": "超级"}])])
    assert files.loc[0, "status"] == "read" and points.empty
    assert not rows["accepted"].any()


def test_unit_posts_involved_missing_is_only_a_note():
    record = file_record("u.xlsx", kind=vocab.UNIT, section="财务科")
    _files, rows, points, issues = run([(record, [{**GOOD_UNIT, "posts_involved": None}])])
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell, hit.name) == ("missing_value", "提示", "C4", "")
    assert hit.problem == "「涉及岗位」没有填写。"
    assert rows["accepted"].all() and len(points) == 1


def test_issues_are_ordered_by_file_row_and_column():
    bad1 = {**GOOD, "harm": "x", "step": None}
    bad2 = {**GOOD, "likelihood": "y", "category": "z"}
    _, _, _, issues = run(
        [(file_record("b.xlsx", name="李四"), [bad2]), (file_record("a.xlsx"), [GOOD, bad1, bad2])]
    )
    assert list(zip(issues["file"], issues["cell"])) == [
        ("a.xlsx", "B5"),
        ("a.xlsx", "F5"),
        ("a.xlsx", "C6"),
        ("a.xlsx", "E6"),
        ("b.xlsx", "C4"),
        ("b.xlsx", "E4"),
    ]


def test_long_text_is_a_note_and_is_cut_in_points():
    small = config.settings_from_dict(
        {**config.DEFAULTS, "limits": {**config.DEFAULTS["limits"], "max_cell_chars": 50}}
    )
    text = "很长的描述" * 20  # 100 characters
    _files, rows, points, issues = run(
        [(file_record("a.xlsx"), [{**GOOD, "description": text}])], settings=small
    )
    (hit,) = issues.itertuples()
    assert (hit.code, hit.action, hit.cell, hit.value) == ("text_too_long", "提示", "D4", "100")
    assert (
        hit.problem == "「风险点描述」的内容有 100 个字，超过了一个单元格能容纳的 50 个字，已截断。"
    )
    assert rows["accepted"].all() and rows.loc[0, "description"] == text
    cut = points.loc[0, "description"]
    assert len(cut) == 50 and cut.startswith("很长的描述") and cut.endswith("已截断）")


def test_text_starting_with_formula_characters_is_accepted_as_text():
    row = {**GOOD, "description": "=SUM(A1)", "prevent": "+1", "monitor": "-检查", "handle": "@x"}
    _, _, points, issues = run([(file_record("a.xlsx"), [row])])
    assert issues.empty
    assert points.loc[0, ["description", "prevent", "monitor", "handle"]].tolist() == [
        "=SUM(A1)",
        "+1",
        "-检查",
        "@x",
    ]


def test_crashing_check_is_a_bug_not_a_user_issue(monkeypatch):
    import pipeline.validate as validate_module

    def broken(s: pd.Series, field: str):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(validate_module.normalize, "fold_enum", broken)
    with pytest.raises(ValidationBug):
        run([(file_record("a.xlsx"), [GOOD])])


def test_schema_covers_every_field_and_odd_column_types_do_not_crash():
    schema = row_schema(pd.Series([vocab.INDIVIDUAL]), SETTINGS)
    assert set(schema.columns) == set(frames.ROW_FIELDS)
    # an empty Excel column arrives as all-NaN float64, numbers as numbers (pandera #2245)
    files, rows = make_frames([(file_record("a.xlsx"), [GOOD, {**GOOD, "seq": "2"}])])
    rows["remark"] = float("nan")
    rows["seq"] = [1.0, 2.0]
    rows["self_level"] = pd.Series([1, 2], dtype="Int64")
    _, rows, points, issues = validate(files, rows, make_roster(), SETTINGS)
    assert issues.empty and rows["accepted"].all()
    assert points["self_level"].tolist() == ["一级", "二级"]
    assert points["seq"].tolist() == ["1", "2"]


# --------------------------------------------------------------------------------------
# f. combined 防控措施
# --------------------------------------------------------------------------------------
def _combined(measures: str | None) -> dict[str, Any]:
    return {**GOOD, "prevent": None, "monitor": None, "handle": None, "measures": measures}


COMBINED_COLMAP = {
    **{k: v for k, v in COLMAPS[vocab.INDIVIDUAL].items() if k not in vocab.MEASURE_FIELDS},
    "measures": "H",
    "remark": "I",
}


def test_combined_measures_are_split_into_three_lines():
    text = "1.事前：学习制度；\n2.事中：双人复核；\n3.事后：追责"
    _, rows, points, issues = run(
        [(file_record("a.xlsx", colmap=COMBINED_COLMAP), [_combined(text)])]
    )
    assert issues.empty
    assert points.loc[0, ["prevent", "monitor", "handle"]].tolist() == [
        "学习制度",
        "双人复核",
        "追责",
    ]
    assert pd.isna(rows.loc[0, "prevent"])  # rows keep what the user wrote


def test_unsplit_and_missing_measures_are_notes():
    forms = [
        (
            file_record("a.xlsx", colmap=COMBINED_COLMAP),
            [_combined("加强学习，定期检查"), _combined(None)],
        )
    ]
    _, rows, points, issues = run(forms)
    assert rows["accepted"].all()
    assert points.loc[0, "prevent"] == "加强学习，定期检查" and pd.isna(points.loc[0, "monitor"])
    assert issues[["code", "action", "cell"]].values.tolist() == [
        ["measures_unsplit", "提示", "H4"],
        ["measures_missing", "提示", "H5"],
    ]
    assert issues["problem"].iloc[1] == "没有填写任何防控措施。"


def test_missing_measures_on_the_template_points_at_the_prevent_cell():
    row = {**GOOD, "prevent": None, "monitor": None, "handle": None}
    _, _, _, issues = run([(file_record("a.xlsx"), [row])])
    assert issues[["code", "cell", "field"]].values.tolist() == [
        ["measures_missing", "H4", "前期预防措施"]
    ]


# --------------------------------------------------------------------------------------
# accounting
# --------------------------------------------------------------------------------------
def test_every_row_is_accepted_or_rejected_with_a_reason():
    forms = [
        (file_record("ok.xlsx"), [GOOD, {**GOOD, "harm": "?"}, {**GOOD, "step": None}]),
        (file_record("old.xlsx", name="李四", date="2026-01-01"), [GOOD, GOOD]),
        (
            file_record("new.xlsx", name="李四", date="2026-02-01"),
            [GOOD, {**GOOD, "category": "9"}],
        ),
        (file_record("stranger.xlsx", name="钱九"), [GOOD]),
        (file_record("nohead.xlsx", name=None), [GOOD]),
        (
            file_record("u.xlsx", kind=vocab.UNIT, section="财务科"),
            [GOOD_UNIT, {**GOOD_UNIT, "likelihood": "??"}],
        ),
        (
            file_record("reader-rejected.xlsx", name="王五", section="财务科", status="rejected"),
            [GOOD],
        ),
    ]
    files_in, rows_in = make_frames(forms)
    files, rows, points, issues = validate(files_in, rows_in, make_roster(), SETTINGS)
    superseded = set(files.loc[files["status"] == "superseded", "file"])
    assert superseded == {"old.xlsx"}
    assert len(rows) == len(rows_in) - 2
    rejected_files = set(files.loc[files["status"] == "rejected", "file"])
    rejects = issues[issues["action"] == "退回"]
    for row in rows.itertuples():
        if row.accepted:
            assert row.row_id in set(points["row_id"])
        else:
            assert row.file in rejected_files or row.row_id in set(rejects["row_id"].dropna())
    assert int(rows["accepted"].sum()) == len(points) == 3
    assert len(files) == len(files_in)


# --------------------------------------------------------------------------------------
# property: junk in enum columns
# --------------------------------------------------------------------------------------
def _is_junk(field: str, text: str) -> bool:
    plain = text.strip()
    folded = vocab.fold(text)
    if not plain or folded in vocab.ENUM_LOOKUP[field]:
        return False
    suffixes = (*vocab.ENUM_VALUE_SUFFIXES, *vocab.CATEGORY_VALUE_SUFFIXES)
    if any(b in plain for b in "()（）[]【】〔〕") or plain.endswith(suffixes):
        return False  # a value with a hint in brackets or 风险 (类) after it may be that value
    import unicodedata

    return not any(ch.isdigit() for ch in unicodedata.normalize("NFKC", text))


JUNK = st.text(min_size=1, max_size=12)


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(st.sampled_from(("category", "likelihood", "harm", "self_level")), JUNK),
        min_size=1,
        max_size=6,
    )
)
def test_junk_in_enum_columns_never_crashes_and_is_rejected_at_its_cell(data):
    junk_rows = [{**GOOD, field: text} for field, text in data]
    _files, rows, points, issues = run([(file_record("a.xlsx"), [GOOD, *junk_rows])])
    assert rows.loc[0, "accepted"]
    letter = COLMAPS[vocab.INDIVIDUAL]
    for i, (field, text) in enumerate(data, start=1):
        junk = _is_junk(field, text)
        hits = issues[(issues["row_id"] == i) & (issues["code"] == "bad_enum")]
        if text.strip() in vocab.EXCEL_ERRORS:  # #NAME? is reported as an error value instead
            errors = issues[(issues["row_id"] == i) & (issues["code"] == "error_value")]
            # 退回 in a required field; a 提示 in 自评等级, which a form may leave blank
            assert rows.loc[i, "accepted"] == (field not in vocab.REQUIRED_VALUES) and hits.empty
            assert errors["cell"].tolist() == [f"{letter[field]}{4 + i}"]
        elif junk:
            assert not rows.loc[i, "accepted"]
            assert hits["cell"].tolist() == [f"{letter[field]}{4 + i}"]
            assert hits["value"].iloc[0] == text.strip()
        elif not text.strip():
            assert field == "self_level" or not rows.loc[i, "accepted"]
    assert len(points) == int(rows["accepted"].sum())
    assert set(normalize.fold_enum(points["category"], "category")[0]) <= set(vocab.CATEGORIES)


def test_a_level_with_its_dropdown_hint_is_accepted_as_that_level():
    rows = [{**GOOD, "self_level": "一级（高）"}, {**GOOD, "self_level": "二级（高）"}]
    _files, _rows, points, issues = run([(file_record("a.xlsx"), rows)])
    assert points["self_level"].tolist()[:1] == ["一级"]
    bad = only(issues, "bad_enum")
    assert bad["value"].tolist() == ["二级（高）"]  # the hint contradicts the value


def test_no_files_at_all_gives_empty_frames_with_the_declared_columns():
    files_in, rows_in = make_frames([])
    files, rows, points, issues = validate(files_in, rows_in, make_roster(), SETTINGS)
    assert files.empty and rows.empty and points.empty and issues.empty
    assert list(points.columns) == [*frames.ROW_COLUMNS, *(f"{f}_cell" for f in CELL_FIELDS)]
    assert list(issues.columns) == list(frames.ISSUE_COLUMNS)


# --------------------------------------------------------------------------------------
# dates as people type them
# --------------------------------------------------------------------------------------
def test_a_day_without_its_year_takes_the_year_most_forms_share_with_a_note():
    files, _, _, issues = run(
        [
            (file_record("a.xlsx", date="2026-03-10"), [GOOD]),
            (file_record("b.xlsx", name="李四", date=3.15), [GOOD]),
            (file_record("c.xlsx", section="财务科", name="王五", date="3月16日"), [GOOD]),
        ]
    )
    assert SETTINGS.year == 0
    assert files["date"].tolist() == ["2026-03-10", "2026-03-15", "2026-03-16"]
    notes = only(issues, "date_year_assumed")
    assert notes["file"].tolist() == ["b.xlsx", "c.xlsx"] and set(notes["cell"]) == {"J2"}
    assert notes["action"].tolist() == [vocab.ACTION_NOTE] * 2
    assert notes["problem"].iloc[0] == "填表日期「3.15」没有写年份，按 2026-03-15 处理。"
    assert only(issues, "bad_date").empty


def test_the_settings_year_is_the_body_year_and_far_dates_are_noted():
    settings = dataclasses.replace(SETTINGS, year=2026)
    files, _, _, issues = run(
        [
            (file_record("a.xlsx", date="3-15"), [GOOD]),
            (file_record("b.xlsx", name="李四", date="2019-03-15"), [GOOD]),
            (file_record("c.xlsx", section="财务科", name="王五", date="2025-12-30"), [GOOD]),
            (file_record("d.xlsx", section="财务科", name="赵六", date="2026-03-20"), [GOOD]),
        ],
        settings,
    )
    assert files["date"].tolist() == ["2026-03-15", "2019-03-15", "2025-12-30", "2026-03-20"]
    far = only(issues, "date_out_of_year")
    assert far["file"].tolist() == ["b.xlsx"] and far["cell"].tolist() == ["J2"]
    assert "2019-03-15" in far["problem"].iloc[0] and "2026" in far["problem"].iloc[0]
    assert only(issues, "settings_year_unshared").empty  # d.xlsx is in 2026
    assert len(only(issues, "date_year_assumed")) == 1


def test_a_settings_year_no_form_shares_is_told_once():
    settings = dataclasses.replace(SETTINGS, year=2025, source="config/settings.toml")
    _, _, _, issues = run(
        [
            (file_record("a.xlsx", date="2026-03-10"), [GOOD]),
            (file_record("b.xlsx", name="李四", date="2026-03-12"), [GOOD]),
        ],
        settings,
    )
    note = only(issues, "settings_year_unshared")
    assert len(note) == 1
    assert note["file"].iloc[0] == "config/settings.toml" and note["action"].iloc[0] == "提示"
    assert "2025" in note["problem"].iloc[0] and "2026" in note["fix"].iloc[0]


def test_forms_with_dates_as_typed_read_back_from_the_archive(tmp_path: Path) -> None:
    """3.15 typed into the date-formatted 填表日期 cell is that day of the body's year; an
    unreadable date is quoted as written, never called 未填写."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    header = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    typed = datetime(1900, 1, 3, 3, 36)  # written as serial 3.15 with a date format
    write_form(inbox / "丁玲.xlsx", header={**header, "name": "丁玲", "date": typed})
    write_form(inbox / "范彩兰.xlsx", header={**header, "name": "范彩兰", "date": "三月中旬"})
    write_form(
        inbox / "闫红.xlsx",
        header={**header, "name": "闫红", "post": "部长", "date": "2026-03-20"},
        rows=[sample_row(2)],
    )
    out = tmp_path / "out"
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    archive = next(out.glob("*.xlsx"))
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    submitted = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名")
    assert submitted.at["丁玲", "填表日期"] == "2026-03-15"
    assert submitted.at["丁玲", "提交状态"] == vocab.STATUS_ON_TIME
    note = submitted.at["范彩兰", "备注"]
    assert "「三月中旬」" in note and "未填写" not in note
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    assumed = issues[issues["文件"] == "丁玲.xlsx"]
    assert "没有写年份，按 2026-03-15 处理" in " ".join(assumed["问题"])
    assert set(assumed.loc[assumed["问题"].str.contains("年份"), "原值"]) == {"3.15"}
    bad = issues[(issues["文件"] == "范彩兰.xlsx") & issues["问题"].str.contains("不是可识别")]
    assert bad["原值"].tolist() == ["三月中旬"] and bad["处理"].tolist() == [vocab.ACTION_NOTE]


# --------------------------------------------------------------------------------------
# names as people type them
# --------------------------------------------------------------------------------------
def test_invisible_characters_in_a_name_do_not_stop_it_matching():
    files, _, points, issues = run([(file_record("a.xlsx", name="张\u200b三\ufeff"), [GOOD])])
    assert "\u200b" in file_record("a.xlsx", name="张\u200b三")["name"]
    assert files.loc[0, "status"] == "read" and files.loc[0, "name"] == "张三"
    assert len(points) == 1 and issues.empty


def test_a_name_one_character_from_a_roster_name_is_that_person_with_a_note():
    files, _, points, issues = run([(file_record("a.xlsx", name="李泗", post="文员"), [GOOD])])
    assert files.loc[0, "status"] == "read" and files.loc[0, "name"] == "李四"
    note = only(issues, "name_similar")
    assert len(note) == 1 and note["action"].iloc[0] == vocab.ACTION_NOTE
    assert note["cell"].iloc[0] == "E2" and note["value"].iloc[0] == "李泗"
    assert "名册中有「李四」，是否写错？" in note["problem"].iloc[0]
    assert "「泗」" in note["problem"].iloc[0] and "「四」" in note["problem"].iloc[0]
    assert len(points) == 1


def test_a_close_name_stays_rejected_when_the_roster_person_sent_their_own_form():
    files, _, _, issues = run(
        [
            (file_record("a.xlsx", name="李四"), [GOOD]),
            (file_record("b.xlsx", name="李泗", post="文员"), [GOOD]),
        ]
    )
    assert status_of(files, "b.xlsx") == ("rejected", "not_in_roster")
    bad = only(issues, "not_in_roster")
    assert bad["file"].tolist() == ["b.xlsx"] and bad["action"].tolist() == [vocab.ACTION_REJECT]
    assert "名册中有「李四」，是否写错？" in bad["problem"].iloc[0]


def test_a_close_name_counted_as_the_roster_persons_says_so_in_the_submissions(
    tmp_path: Path,
) -> None:
    """李美杰 of the same post is counted as the roster's 李美洁: 提交情况, where the office
    looks who has sent, says whose spelling was counted instead of a bare 按时."""
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "王芳", "主任", "一般管理服务", "是"),
        ("办公室", "李美洁", "会计", "人财物管理", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(
        inbox / "李美杰.xlsx", header={"section": "办公室", "name": "李美杰", "post": "会计"}
    )
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    archive = next(out.glob("*.xlsx"))
    submitted = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_SUBMISSIONS, dtype=str, engine="calamine"
    ).set_index("姓名")
    assert submitted.at["李美洁", "提交状态"] == vocab.STATUS_ON_TIME
    assert "表中姓名写作「李美杰」" in submitted.at["李美洁", "备注"]
    assert "请核对是否本人的表格" in submitted.at["李美洁", "备注"]


def test_a_close_name_of_another_post_is_no_slip_but_someone_else(tmp_path: Path) -> None:
    """李美杰 left the body; the roster now lists 李美洁 (会计) in her section. Her old form
    (岗位 文秘) was credited to 李美洁, who then counted as submitted and was never chased."""
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "王芳", "主任", "一般管理服务", "是"),
        ("办公室", "李美洁", "会计", "人财物管理", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = {"section": "办公室", "name": "李美杰", "post": "文秘"}
    write_form(inbox / "李美杰.xlsx", header=header)
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    submitted = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名")
    assert submitted.at["李美洁", "提交状态"] == vocab.STATUS_MISSING
    assert sheets[vocab.ARCHIVE_SHEET_CATALOGUE].empty
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    (sent_back,) = issues[issues["文件"] == "李美杰.xlsx"].itertuples()
    assert (sent_back.处理, sent_back.单元格, sent_back.原值) == ("退回", "E2", "李美杰")
    assert "名册中有「李美洁」" in sent_back.问题
    assert "其岗位是「会计」，表中写的是「文秘」" in sent_back.问题


@pytest.mark.parametrize(
    ("post", "noted"),
    [("司机", True), ("科员", False), ("科员岗", False), ("科员（兼出纳）", False)],
)
def test_a_post_other_than_the_rosters_is_noted_at_its_cell(
    tmp_path: Path, post: str, noted: bool
) -> None:
    """张三 is 科员 in the roster and writes 司机: the floor follows the roster's 岗位类别, so
    the section is asked which is right; the same post written with 岗 or a note is no slip."""
    people = [*CHILDREN_PEOPLE, ("家庭儿童工作部", "张三", "科员", "一般管理服务", "否")]
    cfg = write_config(tmp_path, people, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header={"section": "家庭儿童工作部", "post": post})
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    hits = issues[(issues["文件"] == "张三.xlsx") & (issues["字段"] == "岗位（职务）")]
    assert len(sheets[vocab.ARCHIVE_SHEET_CATALOGUE]) == 1
    if not noted:
        assert hits.empty
        return
    (hit,) = hits.itertuples()
    assert (hit.处理, hit.单元格, hit.原值) == ("提示", "H2", "司机")
    assert "组织名册中张三的岗位是「科员」" in hit.问题


@pytest.mark.parametrize(("head", "noted"), [("李四", True), ("张三", False)])
def test_a_unit_forms_head_is_checked_against_the_flagged_head_when_the_sheet_leaves_it_blank(
    head: str, noted: bool
) -> None:
    roster = make_roster()
    sections = roster.sections.copy()
    sections.loc[sections["section"] == "办公室", "head"] = ""  # 张三 is flagged 是 on 人员
    roster = dataclasses.replace(roster, sections=sections)
    files, rows = make_frames([(file_record("u.xlsx", kind=vocab.UNIT, head=head), [GOOD_UNIT])])
    *_, issues = validate(files, rows, roster, SETTINGS)
    hits = only(issues, "head_differs")
    assert len(hits) == int(noted)
    if noted:
        assert "本科室的负责人是「张三」" in hits["problem"].iloc[0]


def test_a_unit_forms_head_other_than_the_rosters_is_noted(tmp_path: Path) -> None:
    """The roster's head of 家庭儿童工作部 is 闫红; its unit form names 丁玲: 直接管理 follows the
    roster, so the section is asked to check."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    section = "家庭儿童工作部"
    write_form(inbox / "单位.xlsx", kind=vocab.UNIT, header={"section": section, "head": "丁玲"})
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    (hit,) = issues[issues["字段"] == "科室负责人"].itertuples()
    assert (hit.处理, hit.文件, hit.单元格, hit.原值) == ("提示", "单位.xlsx", "E2", "丁玲")
    assert "组织名册中本科室的负责人是「闫红」" in hit.问题


def test_an_unmatched_name_shows_its_invisible_characters():
    _, _, _, issues = run([(file_record("a.xlsx", name="钱\u200b九九"), [GOOD])])
    bad = only(issues, "not_in_roster")
    assert bad["value"].iloc[0] == "钱" + vocab.INVISIBLE_MARK + "九九"


def test_a_cell_read_at_excels_limit_is_noted_as_perhaps_cut(tmp_path: Path) -> None:
    """A script can write more than a cell's 32,767 characters; Excel and the reader keep the
    first 32,767. A text of exactly that length gets a 提示 to check the cell is whole."""
    from tests.test_realforms import graded

    inbox = tmp_path / "inbox"
    long = "群众来信登记不全，无人跟踪。" * 3000  # 42,000 characters
    write_form(inbox / "张三.xlsx", header={"name": "张三"}, rows=[sample_row(1, description=long)])
    _files, rows, points, issues = graded(inbox)
    assert len(rows.loc[0, "description"]) == 32767  # the precondition: cut by writer or reader
    (hit,) = issues[issues["code"] == "text_at_limit"].itertuples()
    assert (hit.action, hit.cell, hit.value) == ("提示", "D4", "32767")
    assert "后面的内容可能已被截掉" in hit.problem
    assert rows["accepted"].all() and len(points) == 1
