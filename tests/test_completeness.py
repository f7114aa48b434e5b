"""Completeness against the roster: missing, late, undated, rejected and superseded forms,
pledges missing or empty, sections without a unit form."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import completeness, config, frames, vocab
from tests.builders import make_point, make_points, make_roster, sample_body, write_settings

YEAR = 2026
PEOPLE, SECTIONS = sample_body(
    "领导班子正职",
    people=[
        ("办公室", "张三", "文秘", "一般管理服务", False),
        ("办公室", "李四", "档案员", "其他", False),
        ("财务科", "周会计", "会计", "人财物管理", True),
        ("财务科", "吴出纳", "出纳", "人财物管理", False),
    ],
    sections=[("财务科", "周会计", "李副主席")],
)
HEADER_CELLS = {"section": "B2", "name": "E2", "post": "G2", "date": "J2"}


def form(name: str, section: str, **values: Any) -> dict[str, Any]:
    """One files row: an individual form read without trouble, pledge signed, on time."""
    row: dict[str, Any] = {c: pd.NA for c in frames.FILE_COLUMNS}
    row.update(
        file=f"{section}/{name or '单位表'}.xlsx",
        size=9000,
        mtime=datetime(YEAR, 3, 20, 10).timestamp(),
        sha256=f"{section}{name}",
        ext=".xlsx",
        kind=vocab.INDIVIDUAL,
        status=frames.FILE_STATUS_READ,
        sheet=vocab.SHEET_INDIVIDUAL,
        section=section,
        name=name,
        date=f"{YEAR}-03-20",
        pledge_sheet=True,
        pledge_items=5,
        pledger=name,
        pledge_date=f"{YEAR}-03-20",
        n_rows=3,
        colmap={},
        header_cells=HEADER_CELLS,
    )
    row.update(values)
    return row


def unit_form(section: str, **values: Any) -> dict[str, Any]:
    values = {
        "kind": vocab.UNIT,
        "sheet": vocab.SHEET_UNIT,
        "pledge_sheet": False,
        "pledge_items": 0,
        "header_cells": {"section": "B2", "head": "E2", "date": "H2"},
        **values,
    }
    row = form("", section, **values)
    row["name"] = pd.NA  # a unit form's header has no 姓名
    return row


def everyone_on_time() -> list[dict[str, Any]]:
    return [form(n, s) for s, n, *_ in PEOPLE] + [unit_form("办公室"), unit_form("财务科")]


def run(
    files: list[dict[str, Any]], settings: config.Settings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    roster = make_roster(PEOPLE, SECTIONS)
    frame = pd.DataFrame(files, columns=list(frames.FILE_COLUMNS))
    read = frame[frame["status"] == frames.FILE_STATUS_READ]
    points = make_points(
        [
            make_point(file=f, section=s, name=n)
            for f, s, n in zip(read["file"], read["section"], read["name"], strict=True)
        ]
    )
    return completeness.completeness(
        frame, points, roster, settings or config.default_settings(), YEAR
    )


def row_of(submissions: pd.DataFrame, section: str, name: str, form_kind: str) -> pd.Series:
    label = vocab.FORM_KIND_LABEL[form_kind]
    hit = submissions[
        (submissions["section"] == section)
        & (submissions["name"] == name)
        & (submissions["form"] == label)
    ]
    assert len(hit) == 1, (section, name, form_kind)
    return hit.iloc[0]


def test_everyone_on_time_gives_a_clean_table() -> None:
    submissions, pledges, issues = run(everyone_on_time())
    assert list(submissions.columns) == list(completeness.SUBMISSION_COLUMNS)
    assert list(pledges.columns) == list(completeness.PLEDGE_COLUMNS)
    # one row per person and per section owing a unit form; 领导班子 owes none
    assert len(submissions) == len(PEOPLE) + 2
    assert (submissions["status"] == vocab.STATUS_ON_TIME).all()
    assert (submissions["deadline"] == f"{YEAR}-03-31").all()
    assert (submissions["note"] == "").all()
    assert list(submissions["section"].unique()) == ["领导班子", "办公室", "财务科"]
    assert row_of(submissions, "办公室", "", vocab.UNIT)["file"] == "办公室/单位表.xlsx"
    assert (pledges["status"] == vocab.PLEDGE_STATUS_OK).all()
    assert pledges["items"].tolist() == [5] * len(PEOPLE)
    assert issues.empty


def test_missing_person_and_missing_unit_form() -> None:
    dropped = {"办公室/李四.xlsx", "财务科/单位表.xlsx"}
    files = [f for f in everyone_on_time() if f["file"] not in dropped]
    submissions, pledges, issues = run(files)
    li = row_of(submissions, "办公室", "李四", vocab.INDIVIDUAL)
    assert (li["status"], li["file"], li["date"]) == (vocab.STATUS_MISSING, "", "")
    assert row_of(submissions, "财务科", "", vocab.UNIT)["status"] == vocab.STATUS_MISSING
    assert pledges.set_index("name").loc["李四", "status"] == vocab.PLEDGE_STATUS_NO_FORM
    assert pd.isna(pledges.set_index("name").loc["李四", "items"])
    by_code = {code: grp for code, grp in issues.groupby("code")}
    assert set(by_code) == {"not_submitted", "no_unit_form"}
    missing = by_code["not_submitted"].iloc[0]
    assert (missing["section"], missing["name"]) == ("办公室", "李四")
    assert missing["problem"] == "李四（办公室）尚未报送个人廉政风险自查表。"
    unit = by_code["no_unit_form"].iloc[0]
    assert (unit["section"], unit["name"], unit["action"]) == ("财务科", "", vocab.ACTION_NOTE)
    assert "财务科" in unit["problem"]


@pytest.mark.parametrize(
    "date, status",
    [
        ("2026-03-31", vocab.STATUS_ON_TIME),
        ("2026-04-01", vocab.STATUS_LATE),
        ("2025-12-30", vocab.STATUS_ON_TIME),
    ],
)
def test_late_means_after_the_deadline_day(date: str, status: str) -> None:
    files = [form("张三", "办公室", date=date)]
    submissions, _, issues = run(files)
    assert row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)["status"] == status
    late = issues[issues["code"] == "late"]
    if status == vocab.STATUS_LATE:
        assert len(late) == 1
        note = late.iloc[0]
        assert (note["file"], note["sheet"], note["cell"]) == (
            "办公室/张三.xlsx",
            vocab.SHEET_INDIVIDUAL,
            "J2",
        )
        assert (note["value"], note["section"], note["name"]) == (date, "办公室", "张三")
        assert "「查找风险」" in note["problem"] and "2026-03-31" in note["problem"]
    else:
        assert late.empty


def test_a_late_unit_form_is_noted_at_its_date_cell() -> None:
    submissions, _, issues = run([unit_form("办公室", date="2026-04-10")])
    assert row_of(submissions, "办公室", "", vocab.UNIT)["status"] == vocab.STATUS_LATE
    late = issues[issues["code"] == "late"].iloc[0]
    assert (late["cell"], late["section"], late["name"]) == ("H2", "办公室", "")


@pytest.mark.parametrize(
    "mtime, status",
    [
        (datetime(2026, 3, 30, 23), vocab.STATUS_ON_TIME),
        (datetime(2026, 4, 2, 8), vocab.STATUS_LATE),
    ],
)
def test_without_a_date_the_file_modification_date_decides_and_the_note_says_so(
    mtime: datetime, status: str
) -> None:
    submissions, _, _ = run([form("张三", "办公室", date=pd.NA, mtime=mtime.timestamp())])
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert row["status"] == status
    assert row["date"] == mtime.date().isoformat()
    assert "未填写填表日期" in row["note"] and mtime.date().isoformat() in row["note"]


@pytest.mark.parametrize("written", [None, "三月中旬"])  # unreadable (2026年3月 goes by its month)
def test_lateness_by_the_modification_date_is_never_called_the_forms_date(written) -> None:
    when = datetime(2026, 4, 2, 8)
    files = pd.DataFrame(
        [form("张三", "办公室", date=pd.NA, mtime=when.timestamp())],
        columns=list(frames.FILE_COLUMNS),
    )
    files["date_written"] = written  # validate keeps an unreadable 填表日期 as written
    points = make_points([make_point(file=files.loc[0, "file"], section="办公室", name="张三")])
    roster = make_roster(PEOPLE, SECTIONS)
    _, _, issues = completeness.completeness(files, points, roster, config.default_settings(), YEAR)
    late = issues[issues["code"].str.startswith("late")]
    assert late["code"].tolist() == ["late_by_mtime"]
    assert "按文件修改日期 2026-04-02" in late["problem"].iloc[0]
    assert not late["problem"].iloc[0].startswith("填表日期 2026-04-02")
    assert late["value"].iloc[0] == (written or "")  # what the cell held, not the file's date


def test_a_rejected_form_leaves_its_sender_sent_back_not_missing() -> None:
    bounced = form("张三", "办公室", status=frames.FILE_STATUS_REJECTED, reason="corrupt")
    submissions, pledges, issues = run([bounced])
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert row["status"] == vocab.STATUS_SENT_BACK and row["file"] == "办公室/张三.xlsx"
    assert "已报送但被退回" in row["note"] and "办公室/张三.xlsx" in row["note"]
    assert pledges.set_index("name").loc["张三", "status"] == vocab.PLEDGE_STATUS_NO_FORM
    mine = issues[issues["name"] == "张三"]
    # told the form came back, never that it was not sent
    assert "sent_back" in set(mine["code"]) and "not_submitted" not in set(mine["code"])
    assert not mine["problem"].str.contains("尚未报送").any()


def test_the_superseded_file_is_not_the_submission() -> None:
    old = form(
        "张三",
        "办公室",
        file="办公室/张三-旧.xlsx",
        date="2026-04-09",
        status=frames.FILE_STATUS_SUPERSEDED,
        reason="superseded",
        superseded_by="办公室/张三-新.xlsx",
    )
    new = form("张三", "办公室", file="办公室/张三-新.xlsx", date="2026-03-25")
    submissions, _, issues = run([old, new])
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert (row["file"], row["status"], row["date"]) == (
        "办公室/张三-新.xlsx",
        vocab.STATUS_ON_TIME,
        "2026-03-25",
    )
    # the accepted file says which old version it replaced (not that it was replaced)
    assert row["note"] == vocab.NOTE_REPLACED.format(files="办公室/张三-旧.xlsx")
    assert vocab.STATUS_SUPERSEDED not in row["note"]
    assert not (issues["code"] == "late").any()
    only_old, _, _ = run([old])
    assert row_of(only_old, "办公室", "张三", vocab.INDIVIDUAL)["status"] == vocab.STATUS_MISSING


def test_a_read_form_whose_rows_were_all_rejected_is_sent_back_with_a_note() -> None:
    roster = make_roster(PEOPLE, SECTIONS)
    files = pd.DataFrame([form("张三", "办公室")], columns=list(frames.FILE_COLUMNS))
    no_points = make_points([make_point()]).iloc[0:0]
    submissions, _, _ = completeness.completeness(
        files, no_points, roster, config.default_settings(), YEAR
    )
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert row["status"] == vocab.STATUS_SENT_BACK and "全部被退回" in row["note"]


@pytest.mark.parametrize(
    "values, status, code, sheet",
    [
        (
            {"pledge_sheet": False, "pledge_items": 0},
            vocab.PLEDGE_STATUS_MISSING,
            "pledge_missing",
            "",
        ),
        (
            {"pledge_items": 0, "pledge_date": pd.NA},
            vocab.PLEDGE_STATUS_EMPTY,
            "pledge_empty",
            vocab.SHEET_PLEDGE,
        ),
        ({"pledge_items": 3}, vocab.PLEDGE_STATUS_OK, None, ""),
    ],
)
def test_pledges(values: dict, status: str, code: str | None, sheet: str) -> None:
    _, pledges, issues = run([form("张三", "办公室", **values)])
    row = pledges.set_index("name").loc["张三"]
    assert row["status"] == status
    assert row["items"] == values["pledge_items"]
    found = issues[issues["code"].isin(["pledge_missing", "pledge_empty"])]
    if code is None:
        assert found.empty
    else:
        assert list(found["code"]) == [code]
        note = found.iloc[0]
        assert (note["file"], note["sheet"], note["name"], note["section"]) == (
            "办公室/张三.xlsx",
            sheet,
            "张三",
            "办公室",
        )
        assert note["problem"].startswith("张三的")


def test_a_unit_form_from_the_leadership_section_is_still_listed() -> None:
    submissions, _, issues = run(everyone_on_time() + [unit_form("领导班子")])
    assert row_of(submissions, "领导班子", "", vocab.UNIT)["status"] == vocab.STATUS_ON_TIME
    assert issues.empty


def test_late_phase_and_deadlines_come_from_settings(tmp_path: Path) -> None:
    settings = config.load_settings(
        write_settings(
            tmp_path, '[deadlines]\ngrade = "04-20"\n\n[submission]\nlate_phase = "grade"\n'
        )
    )
    submissions, _, issues = run([form("张三", "办公室", date="2026-04-10")], settings)
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert (row["status"], row["deadline"]) == (vocab.STATUS_ON_TIME, "2026-04-20")
    submissions, _, issues = run([form("张三", "办公室", date="2026-04-21")], settings)
    late = issues[issues["code"] == "late"].iloc[0]
    assert "「确定等级」" in late["problem"] and "2026-04-20" in late["problem"]


def test_names_match_the_roster_after_folding() -> None:
    submissions, _, _ = run([form("张 三", "办公室 ")])
    assert row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)["status"] == vocab.STATUS_ON_TIME


@pytest.mark.parametrize(
    "file, kind, section, name, who",
    [
        # corrupt: nothing read, the name in the file name tells who sent it
        ("2026-03-30 来自吴出纳/吴出纳.xlsx", pd.NA, pd.NA, pd.NA, ("财务科", "吴出纳")),
        # the header names 吴出纳 under another roster section: the roster's 吴出纳 sent it
        ("自查表.xlsx", vocab.INDIVIDUAL, "办公室", "吴出纳", ("财务科", "吴出纳")),
        # header misspelled the section, the name still identifies the sender
        ("财务科_吴出纳_自查表.xlsx", vocab.INDIVIDUAL, "财务股", pd.NA, ("财务科", "吴出纳")),
        # a unit form whose section is misspelled: the section named in the path
        ("财务科单位自查表.xlsx", vocab.UNIT, "财务股", pd.NA, ("财务科", "")),
        # two roster names in the path: nobody is guessed
        ("张三和李四.xlsx", pd.NA, pd.NA, pd.NA, None),
    ],
)
def test_a_rejected_file_is_traced_to_its_sender_by_header_or_file_name(
    file: str, kind: object, section: object, name: object, who: tuple[str, str] | None
) -> None:
    bounced = form("x", "x", file=file, kind=kind, status=frames.FILE_STATUS_REJECTED)
    bounced.update(section=section, name=name, reason="corrupt")
    submissions, _, _ = run([bounced])
    noted = submissions[submissions["note"].str.contains("已报送但被退回")]
    if who is None:
        assert noted.empty
    else:
        assert list(zip(noted["section"], noted["name"])) == [who]
        assert noted.iloc[0]["status"] == vocab.STATUS_SENT_BACK and file in noted.iloc[0]["note"]


def test_sections_and_names_that_join_alike_stay_two_people() -> None:
    # 「工会|团委」's 王五 and 「工会」's 团委|王五: joined with a '|' they would read alike
    people, sections = sample_body(
        "领导班子正职",
        people=[
            ("工会|团委", "王五", "干事", "其他", False),
            ("工会", "团委|王五", "干事", "其他", False),
        ],
        sections=[("工会|团委", "王五", "李副主席"), ("工会", "团委|王五", "李副主席")],
    )
    roster = make_roster(people, sections)
    assert {"工会|团委", "工会"} <= set(roster.people["section"])  # the precondition
    sent = [form("王五", "工会|团委")]
    frame = pd.DataFrame(sent, columns=list(frames.FILE_COLUMNS))
    points = make_points([make_point(file=sent[0]["file"], section="工会|团委", name="王五")])

    submissions, _pledges, issues = completeness.completeness(
        frame, points, roster, config.default_settings(), YEAR
    )

    assert row_of(submissions, "工会|团委", "王五", vocab.INDIVIDUAL)["status"] == (
        vocab.STATUS_ON_TIME
    )
    other = row_of(submissions, "工会", "团委|王五", vocab.INDIVIDUAL)
    assert (other["status"], other["file"]) == (vocab.STATUS_MISSING, "")
    missing = issues[issues["code"] == "not_submitted"]
    assert ("工会", "团委|王五") in set(zip(missing["section"], missing["name"], strict=True))


def test_a_form_whose_points_all_merged_into_anothers_is_counted(tmp_path: Path) -> None:
    """Colleagues of one post often send the same points (one copied the other's form), and
    a unit form repeats its people's points: merged into one catalogue point, each keeps its
    source. Such a form counts as sent (its points are in the catalogue), never as
    「已报送但被退回」 with a 提示 that every point was sent back, when none was."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "科员", "一般管理服务", "是"),
        ("办公室", "李四", "科员", "一般管理服务", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [sample_row(1), sample_row(2)]
    for name in ("张三", "李四"):
        write_form(inbox / f"{name}.xlsx", header=dict(HEADER, name=name), rows=rows)
    unit_rows = [dict(r, posts_involved="科员") for r in rows]
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=UNIT_HEADER, rows=unit_rows)
    assert process_cli(inbox, cfg, out) == 0

    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    sources = "\n".join(catalogue["来源文件"].fillna(""))
    assert len(catalogue) == 2  # precondition: the three forms' points are two points
    assert all(f in sources for f in ("张三.xlsx", "李四.xlsx", "办公室单位表.xlsx"))
    subs = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("")
    status = dict(zip(subs["姓名"] + "/" + subs["表格"], subs["提交状态"], strict=True))
    assert status == {
        "/单位表": vocab.STATUS_ON_TIME,
        "张三/个人表": vocab.STATUS_ON_TIME,
        "李四/个人表": vocab.STATUS_ON_TIME,
        "陈主席/个人表": vocab.STATUS_MISSING,
    }
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    assert not issues["问题"].str.contains("被退回").any()


def test_without_a_date_the_mail_folders_date_decides_lateness_not_when_it_was_saved(
    tmp_path: Path,
) -> None:
    """A form without 填表日期 in the folder a mail client saved it to (``2026-03-28 来自张三``):
    the mail came on that day. The office often saves attachments days later, so the file's
    modification date is the saving, not the sending: 张三, mailed on 03-28 and saved on
    04-10, is on time; 李四, mailed on 04-05, is late whatever the file's date says."""
    import os

    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "科员", "一般管理服务", "是"),
        ("办公室", "李四", "科员", "一般管理服务", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for name, mailed, saved in (
        ("张三", "2026-03-28", datetime(2026, 4, 10, 9)),
        ("李四", "2026-04-05", datetime(2026, 3, 20, 9)),
    ):
        path = write_form(
            inbox / f"{mailed} 来自{name}" / f"{name}.xlsx",
            header=dict(HEADER, name=name, date=None),
        )
        os.utime(path, (saved.timestamp(), saved.timestamp()))
    assert process_cli(inbox, cfg, out) == 0

    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    subs = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("").set_index("姓名")
    assert subs.loc["张三", "填表日期"] == "2026-03-28"
    assert subs.loc["张三", "提交状态"] == vocab.STATUS_ON_TIME
    assert "邮件文件夹" in subs.loc["张三", "备注"] and "2026-03-28" in subs.loc["张三", "备注"]
    assert subs.loc["李四", "提交状态"] == vocab.STATUS_LATE
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    (late,) = issues.loc[issues["问题"].str.contains("晚于"), "问题"]
    assert "李四" in issues.loc[issues["问题"] == late, "姓名"].iloc[0]
    assert "邮件文件夹的日期 2026-04-05" in late and "文件修改日期" not in late


def test_of_two_forms_sent_back_the_later_is_the_one_named() -> None:
    """张三 sent a form that could not be read, then another one that could not be read
    either: 提交情况 and 催报名单 name the later (the one he is to fix), not the first in
    path order."""
    older, newer = (
        form("x", "x", file=f"{folder}/张三.xlsx", status=frames.FILE_STATUS_REJECTED)
        | {"section": pd.NA, "name": pd.NA, "reason": "corrupt", "kind": pd.NA, "date": pd.NA}
        | {"folder_date": when}
        for folder, when in (("a 张三的邮件", "2026-03-24"), ("b 张三重发", "2026-04-03"))
    )
    assert older["file"] < newer["file"]  # precondition: the older one first in path order
    submissions, _, _ = run([older, newer])
    row = row_of(submissions, "办公室", "张三", vocab.INDIVIDUAL)
    assert row["status"] == vocab.STATUS_SENT_BACK
    assert row["file"] == newer["file"] and newer["file"] in row["note"]


def test_a_form_under_another_sections_name_is_sent_back_not_missing(tmp_path: Path) -> None:
    """王芳 of 财务科 wrote 科室 办公室 (another roster section): her form is 退回, and the
    archive and 催报名单 say so. Before, 王芳 was 「尚未报送」 everywhere while the reason sat in
    未能识别科室's folder: she was told she sent nothing."""
    from pipeline import run
    from tests.builders import write_config
    from tests.forms import pledge_grid, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "主任", "一般管理服务", "是"),
        ("财务科", "王芳", "会计", "人财物管理", "否"),
    ]
    sections = [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席"), ("财务科", "", "陈主席")]
    config_dir = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    write_form(
        inbox / "个人自查表.xlsx",
        header={"section": "办公室", "name": "王芳"},
        rows=[sample_row(1)],
        pledge=pledge_grid(["不收受礼金"], pledger="王芳"),
    )
    assert all("王芳" not in p.name for p in inbox.iterdir())  # only the header names her
    out = tmp_path / "out"
    result = run.process(inbox, config_dir, out, run_time="2026-04-01T09:00:00")
    row = row_of(result.submissions, "财务科", "王芳", vocab.INDIVIDUAL)
    assert row["status"] == vocab.STATUS_SENT_BACK and row["file"] == "个人自查表.xlsx"
    reminder = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    finance = reminder.split("【财务科】")[1].split("【")[0]
    assert "王芳" in finance and "尚未报送个人自查表：王芳" not in finance


def test_a_sender_whose_file_cannot_be_opened_is_not_sent_to_an_annotated_copy(
    tmp_path: Path,
) -> None:
    """张三's 「张三_廉政风险自查表.xlsx」 is a broken file and 李四 sent a Word document under
    his name: neither can be opened, so neither gets an annotated copy. Their 被退回 notes told
    them 「请本人按异常清单和批注副本修改后重新报送」: a copy nobody can find. Now the note
    sends them to the reason in 异常清单 and says there is no copy; a form that was read (王芳's,
    one cell sent back) still points to its copy."""
    from pipeline import run
    from tests.builders import write_config
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "王芳", "主任", "一般管理服务", "是"),
        ("办公室", "张三", "科员", "一般管理服务", "否"),
        ("办公室", "李四", "科员", "一般管理服务", "否"),
    ]
    sections = [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")]
    config_dir = write_config(tmp_path, people, sections)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "张三_廉政风险自查表.xlsx").write_bytes(b"PK\x03\x04" + b"\x00broken" * 40)
    (inbox / "李四_廉政风险自查表.docx").write_bytes(b"PK\x03\x04" + b"\x00word" * 40)
    write_form(inbox / "王芳.xlsx", header=dict(HEADER, name="王芳", post="主任"),
               rows=[sample_row(1, harm="很重很重")])  # fmt: skip
    out = tmp_path / "out"
    result = run.process(inbox, config_dir, out, run_time="2026-04-01T09:00:00")
    for name in ("张三", "李四", "王芳"):  # precondition: all three are sent back
        row = row_of(result.submissions, "办公室", name, vocab.INDIVIDUAL)
        assert row["status"] == vocab.STATUS_SENT_BACK, name
    copies = {p.name for p in (out / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")}
    assert copies == {"王芳_批注.xlsx"}

    notes = result.issues[result.issues["code"] == "sent_back"].set_index("name")
    for name in ("张三", "李四"):
        assert "批注副本修改" not in notes.loc[name, "fix"]
        assert "没有批注副本" in notes.loc[name, "fix"]
    assert "按异常清单和批注副本修改" in notes.loc["王芳", "fix"]


@pytest.mark.parametrize("nameless_first", [True, False])
def test_a_colleagues_nameless_form_in_a_persons_mail_is_not_theirs(
    tmp_path: Path, nameless_first: bool
) -> None:
    """王芳 (主任) mailed her own form and, along with it, a colleague's (科员) without a 姓名.
    The mail folder named her, so the nameless form was hers: 催报名单 told 王芳 「重新报送的
    个人自查表被退回」, or (saved before hers) it was 「已被新版本替代」 by her form, its 退回
    gone and nobody asked to fix it. Now a mail folder whose sender's own form lies in it
    names them no form of another post: the nameless form stays 退回, 王芳 is only 按时."""
    import os

    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "王芳", "主任", "一般管理服务", "是"),
        ("办公室", "张三", "科员", "一般管理服务", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    mail = inbox / "2026-03-22 来自王芳"
    own = write_form(mail / "王芳.xlsx", header=dict(HEADER, name="王芳", post="主任"),
                     rows=[sample_row(1)])  # fmt: skip
    other = write_form(mail / "附件2.xlsx", header=dict(HEADER, name=None, post="科员"),
                       rows=[sample_row(2)])  # fmt: skip
    first, second = (other, own) if nameless_first else (own, other)
    os.utime(first, (1_774_000_000, 1_774_000_000))
    os.utime(second, (1_774_000_100, 1_774_000_100))
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert list(rejected["文件"]) == ["2026-03-22 来自王芳/附件2.xlsx"]  # still to be fixed
    assert not issues["问题"].str.contains("王芳（办公室）后来又报送|已被新版本替代").any()
    subs = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("").set_index("姓名")
    assert subs.loc["王芳", "提交状态"] == vocab.STATUS_ON_TIME
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "王芳：" not in text and vocab.ROUND_REMINDER_RESENT not in text, text


def test_a_pledge_signed_by_a_colleague_is_not_called_signed(tmp_path: Path) -> None:
    """李四 took 张三's form over: her header is right, the 承诺书 still says 承诺人 张三. Her
    承诺书登记 row says 承诺人不是本人 (not 已签署) and 异常清单 tells her at the pledge sheet;
    张三's own 「张三（签字）」 is his signature."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, pledge_grid, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "科员", "一般管理服务", "是"),
        ("办公室", "李四", "科员", "一般管理服务", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for name, pledger in (("张三", "张三（签字）"), ("李四", "张三")):
        write_form(
            inbox / f"{name}.xlsx",
            header=dict(HEADER, name=name),
            pledge=pledge_grid(["不收受礼金"], pledger=pledger),
        )
    assert process_cli(inbox, cfg, out) == 0

    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    pledges = sheets[vocab.ARCHIVE_SHEET_PLEDGES].set_index("姓名")
    assert pledges.loc["张三", "状态"] == vocab.PLEDGE_STATUS_OK
    assert pledges.loc["李四", "状态"] == "承诺人不是本人"
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    (note,) = issues[issues["字段"] == "承诺人"].itertuples()
    assert (note.文件, note.工作表, note.原值, note.姓名) == (
        "李四.xlsx",
        "廉政承诺书",
        "张三",
        "李四",
    )
    assert "不是李四本人" in note.问题 and note.处理 == vocab.ACTION_NOTE


@pytest.mark.parametrize(
    ("first", "status"), [(datetime(2026, 3, 20), vocab.STATUS_ON_TIME), (None, vocab.STATUS_LATE)]
)
def test_a_correction_after_the_deadline_of_a_form_sent_in_time_is_on_time(
    tmp_path: Path, first: datetime | None, status: str
) -> None:
    """丁玲 sent her form on 03-20; the office sent a row back and her correction came on
    04-08. She met the deadline: 按时, with a note naming the version sent in time, and no
    提示 that she was late. Without the earlier version the correction is 逾期 as before."""
    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.forms import sample_row, write_form

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    if first is not None:
        write_form(
            inbox / "2026-03-20 来自丁玲" / "丁玲.xlsx",
            header={**header, "date": first},
            rows=[sample_row(1, likelihood="很高很高")],
        )
    write_form(
        inbox / "2026-04-08 来自丁玲" / "丁玲.xlsx",
        header={**header, "date": datetime(2026, 4, 8)},
        rows=[sample_row(1)],
    )
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-10T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    row = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名").loc["丁玲"]
    assert (row["提交状态"], row["文件"]) == (status, "2026-04-08 来自丁玲/丁玲.xlsx")
    late = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")["问题"].str.contains("晚于")
    assert late.any() == (first is None)
    if first is not None:
        assert "截止日期前已报送「2026-03-20 来自丁玲/丁玲.xlsx」（2026-03-20）" in row["备注"]


def test_files_of_one_mail_folder_are_no_later_versions_of_each_other(tmp_path: Path) -> None:
    """One mail of 丁玲's, saved by the mail client as '2026-03-24 来自丁玲/', holds her form,
    a damaged 丁玲_单位表.xlsx (older on disk) and a damaged 丁玲.pdf (newer). They came
    together: each damaged file keeps its own 退回 and reason. Before, the older one was
    「同一人后来又报送了…原来的问题不再需要处理」 and the newer one 「后来又报送了这份文件，
    但它被退回…仍按较早的…计入」, both untrue."""
    import os

    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.forms import write_form

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    mail = inbox / "2026-03-24 来自丁玲"
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    form = write_form(mail / "丁玲.xlsx", header=header)
    older = mail / "丁玲_单位表.xlsx"
    older.write_bytes(b"PK\x03\x04 cut short")
    newer = mail / "丁玲.pdf"
    newer.write_bytes(b"%PDF-1.4\n cut short")
    stamp = form.stat().st_mtime
    os.utime(older, (stamp - 3600, stamp - 3600))
    os.utime(newer, (stamp + 3600, stamp + 3600))
    pipeline_run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    listed = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert not listed["问题"].str.contains("后来又报送").any()
    for damaged in (older, newer):
        rel = damaged.relative_to(inbox).as_posix()
        assert listed[listed["文件"] == rel]["处理"].tolist() == [vocab.ACTION_REJECT]
    row = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名").loc["丁玲"]
    assert (row["提交状态"], row["文件"]) == ("按时", "2026-03-24 来自丁玲/丁玲.xlsx")


@pytest.mark.parametrize("sent_from", ["财务科", None])
def test_a_name_the_roster_lists_in_two_sections_owes_one_form(
    tmp_path: Path, sent_from: str | None
) -> None:
    """丁玲 is on the 人员 sheet under 家庭儿童工作部 and again under 财务科. She owes one form:
    sent from 财务科, she is 按时 there and not 「丁玲（家庭儿童工作部）尚未报送」; sent from
    nowhere, she is missing once, under the first section. The roster's 提示 names both rows
    and says so."""
    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.forms import write_form

    people = [*CHILDREN_PEOPLE, ("财务科", "钱七", "科长", "人财物管理", "是")]
    people.append(("财务科", "丁玲", "会计", "人财物管理", "否"))  # row 8
    cfg = write_config(tmp_path, people, [*CHILDREN_SECTIONS, ("财务科", "钱七", "李副主席")])
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    if sent_from:
        write_form(
            inbox / "丁玲.xlsx", header={"section": sent_from, "name": "丁玲", "post": "会计"}
        )
    pipeline_run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    listed = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("")
    mine = listed[listed["姓名"] == "丁玲"]
    expected = [("财务科", "按时")] if sent_from else [("家庭儿童工作部", "未报送")]
    assert list(zip(mine["科室"], mine["提交状态"], strict=True)) == expected
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    missing = issues["问题"].str.contains("丁玲（.*）尚未报送", regex=True)
    assert missing.sum() == (0 if sent_from else 1)
    (note,) = issues[issues["问题"].str.contains("出现在多个科室")].to_dict("records")
    assert (note["工作表"], note["单元格"]) == ("人员", "B8")
    assert "第5行、第8行" in note["问题"] and "只需报送一份" in note["问题"]
    assert "尚未报送时列在「家庭儿童工作部」" in note["问题"]


@pytest.mark.parametrize(
    ("namesake", "status"), [(None, "按时"), ("丁玲（小）", "未报送")], ids=["one", "namesakes"]
)
def test_a_roster_name_with_a_note_in_brackets_is_the_form_of_that_name(
    tmp_path: Path, namesake: str | None, status: str
) -> None:
    """The roster lists 「丁玲（借调）」; her form says 丁玲 and she signed her pledge 丁玲. The
    form is hers: 按时, the pledge 已签署. Before, the form was 退回 「不在组织名册中」 and she was
    未报送. Two namesakes told apart by notes (丁玲（借调）, 丁玲（小）) are not guessed between."""
    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.forms import pledge_grid, write_form

    people = [(s, "丁玲（借调）" if n == "丁玲" else n, *r) for s, n, *r in CHILDREN_PEOPLE]
    if namesake:
        people.append(("家庭儿童工作部", namesake, "干事", "一般管理服务", "否"))
    cfg = write_config(tmp_path, people, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(
        inbox / "丁玲.xlsx",
        header={"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"},
        pledge=pledge_grid(["不收受礼金"], pledger="丁玲"),
    )
    pipeline_run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    row = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名").loc["丁玲（借调）"]
    assert row["提交状态"] == status
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    rejected = issues[(issues["文件"] == "丁玲.xlsx") & (issues["处理"] == vocab.ACTION_REJECT)]
    assert rejected.empty == (namesake is None)
    if namesake is None:
        pledge = sheets[vocab.ARCHIVE_SHEET_PLEDGES].set_index("姓名").loc["丁玲（借调）"]
        assert "不是本人" not in pledge.to_string()
        assert not issues["问题"].str.contains("不是丁玲").any()
