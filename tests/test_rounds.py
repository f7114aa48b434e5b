"""Three correction rounds on a generated body, through the real command (SPEC Resubmission and
Outputs item 4): corrections end their originals' 退回 whether they come as the annotated copy
or as a fixed original with old dates, 本轮变化 lists exactly the fixes, each section's zip is
exactly its folder, 催报名单.txt names exactly who still owes a form."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import vocab
from pipeline.demo import write_demo

ROUND1_FOLDER = "2026-03-24 来自{who}"
ROUND2_FOLDER = "2026-04-03 来自{who}"
CHANGES_HEADER_ROW = 2  # 0-based: title, summary line, header


def run(root: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "process",
        "--inbox",
        str(root / "inbox"),
        "--config",
        str(root / "config"),
        "--out",
        str(root / "out"),
        "--no-progress",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archive(root: Path) -> Path:
    (found,) = (root / "out").glob("*_廉政风险信息档案.xlsx")
    return found


def sheet(path: Path, name: str, header: int = 0) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, header=header, dtype=str, engine="openpyxl").fillna(
        ""
    )


def table_cells(path: Path) -> dict[str, str]:
    """Field label -> column letter of the form's table, and '姓名' -> its value cell."""
    ws = openpyxl.load_workbook(path)[vocab.SHEET_INDIVIDUAL]
    cells: dict[str, str] = {}
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            text = str(cell.value or "").strip()
            if text == vocab.HEADER_LABELS["name"]:
                cells["name"] = ws.cell(cell.row, cell.column + 1).coordinate
            for key in ("likelihood", "description"):
                if text == vocab.COLUMN_LABELS[key]:
                    cells[key] = f"{cell.column_letter}{cell.row + 1}"  # first data row
    return cells


def edit(src: Path, dst: Path, values: dict[str, object], marker: str | None = None) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    for ref, value in values.items():
        ws[ref].value = value
    if marker is not None:  # precondition: the tool's copy carries its source's hash
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        assert props.get(vocab.COPY_SOURCE_PROPERTY) == marker
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)


def reminder_names(text: str) -> set[str]:
    """The people 催报名单.txt names (not-submitted lists and per-person lines)."""
    names: set[str] = set()
    for line in text.splitlines():
        if m := re.match(r"^  尚未报送个人自查表：(.+)$", line):
            names.update(m[1].split("、"))
        elif m := re.match(r"^    ([^：\s]+)：", line):
            names.add(m[1])
    return names


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("rounds")
    manifest = write_demo(root, people=40, seed=7, error_rate=0.0)
    inbox = root / "inbox"
    # a clean body to start from: only the files the generator made without a problem
    bad = {e["file"] for e in manifest["errors"] if e["action"] == vocab.ACTION_REJECT}
    for entry in manifest["files"]:
        if entry["file"] in bad or entry.get("anomaly"):
            (inbox / entry["file"]).unlink()
    forms = [
        f
        for f in manifest["files"]
        if f["kind"] == vocab.INDIVIDUAL
        and f["file"] not in bad
        and not f.get("anomaly")
        and "/" not in f["file"]
        and not f.get("superseded")
        and not f.get("superseded_by")
    ]
    # four people of four sections; everyone's round-1 mail in a dated mail folder
    picked: dict[str, dict] = {}
    for f in forms:
        if f["section"] not in {p["section"] for p in picked.values()} and len(picked) < 4:
            picked[("copy", "original", "nameless", "unfixed")[len(picked)]] = f
    assert len(picked) == 4
    for f in forms:
        mail = inbox / ROUND1_FOLDER.format(who=f["name"])
        mail.mkdir()
        (inbox / f["file"]).rename(mail / f["file"])

    def where(role: str) -> Path:
        f = picked[role]
        return inbox / ROUND1_FOLDER.format(who=f["name"]) / f["file"]

    # round 1: four errors
    cells = {role: table_cells(where(role)) for role in picked}
    edit(where("copy"), where("copy"), {cells["copy"]["likelihood"]: "很高很高"})
    edit(where("original"), where("original"), {cells["original"]["description"]: None})
    nameless = inbox / ROUND1_FOLDER.format(who="科室") / "附件1.xlsx"
    edit(where("nameless"), nameless, {cells["nameless"]["name"]: None})
    where("nameless").unlink()
    edit(where("unfixed"), where("unfixed"), {cells["unfixed"]["name"]: None})
    first = run(root)
    out = root / "out"
    issues1 = sheet(archive(root), vocab.ARCHIVE_SHEET_ISSUES)
    r1 = {
        "copy": where("copy").relative_to(inbox).as_posix(),
        "original": where("original").relative_to(inbox).as_posix(),
        "nameless": nameless.relative_to(inbox).as_posix(),
        "unfixed": where("unfixed").relative_to(inbox).as_posix(),
    }
    rejected1 = issues1[issues1["处理"] == vocab.ACTION_REJECT]
    reminder1 = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    changes1 = sheet(archive(root), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)

    # round 2: the 'copy' section corrects the annotated copy; 'original' fixes its original
    # keeping 填表日期 with an older modification time; 'nameless' sends back the corrected
    # annotated copy of the form without a name; 'unfixed' sends nothing
    folder = lambda role: out / vocab.FEEDBACK_DIR / picked[role]["section"]
    copy_of = next(folder("copy").glob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx"))
    fixed_copy = inbox / ROUND2_FOLDER.format(who=picked["copy"]["name"]) / copy_of.name
    edit(copy_of, fixed_copy, {cells["copy"]["likelihood"]: "中"}, marker=sha256(where("copy")))
    fixed_original = (
        inbox / ROUND2_FOLDER.format(who=picked["original"]["name"]) / where("original").name
    )
    edit(where("original"), fixed_original, {cells["original"]["description"]: "补填的风险点描述"})
    old = where("original").stat().st_mtime - 7 * 86400
    os.utime(fixed_original, (old, old))
    nameless_copy = folder("nameless") / f"附件1{vocab.ANNOTATED_SUFFIX}.xlsx"
    fixed_nameless = (
        inbox / ROUND2_FOLDER.format(who=picked["nameless"]["name"]) / nameless_copy.name
    )
    edit(
        nameless_copy,
        fixed_nameless,
        {cells["nameless"]["name"]: picked["nameless"]["name"]},
        marker=sha256(nameless),
    )
    zips2 = {}
    second = run(root)
    for z in sorted((out / vocab.FEEDBACK_DIR).glob("*.zip")):
        zips2[z.stem] = z
    state2 = {
        "issues": sheet(archive(root), vocab.ARCHIVE_SHEET_ISSUES),
        "subs": sheet(archive(root), vocab.ARCHIVE_SHEET_SUBMISSIONS),
        "changes": sheet(archive(root), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW),
        "reminder": (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig"),
        "zip_check": {
            stem: (
                sorted(zipfile.ZipFile(z).namelist()),
                sorted(
                    f"{stem}/{p.relative_to(out / vocab.FEEDBACK_DIR / stem).as_posix()}"
                    for p in (out / vocab.FEEDBACK_DIR / stem).rglob("*")
                    if p.is_file()
                ),
                all(
                    zipfile.ZipFile(z).read(n) == (out / vocab.FEEDBACK_DIR / n).read_bytes()
                    for n in zipfile.ZipFile(z).namelist()
                ),
            )
            for stem, z in zips2.items()
        },
        "folders": sorted(p.name for p in (out / vocab.FEEDBACK_DIR).iterdir() if p.is_dir()),
        "feedback_changes": {
            p.name: sheet(
                p / vocab.FEEDBACK_FILE_TEMPLATE.format(section=p.name),
                vocab.ARCHIVE_SHEET_CHANGES,
                header=CHANGES_HEADER_ROW,
            )
            for p in (out / vocab.FEEDBACK_DIR).iterdir()
            if p.is_dir()
        },
        "stdout": second.stdout,
    }
    third = run(root)
    state3 = {
        "changes": sheet(archive(root), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW),
        "summary": json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8")),
        "history": sorted(p.name for p in (out / vocab.HISTORY_DIR).iterdir()),
    }
    return {
        "root": root,
        "manifest": manifest,
        "picked": picked,
        "r1": r1,
        "cells": cells,
        "rejected1": rejected1,
        "reminder1": reminder1,
        "changes1": changes1,
        "first": first.stdout,
        "fixed": {
            "copy": fixed_copy.relative_to(inbox).as_posix(),
            "original": fixed_original.relative_to(inbox).as_posix(),
            "nameless": fixed_nameless.relative_to(inbox).as_posix(),
        },
        "r2": state2,
        "r3": state3,
        "third": third.stdout,
    }


def test_round_one_reports_the_four_errors(rounds: dict) -> None:
    rejected, r1 = rounds["rejected1"], rounds["r1"]
    for role in ("copy", "original", "nameless", "unfixed"):
        assert (rejected["文件"] == r1[role]).any(), role
    assert rounds["changes1"].empty  # first run in this OUT: nothing to compare with
    picked = rounds["picked"]
    names = reminder_names(rounds["reminder1"])
    # sent back, not "not submitted": the nameless form could not be attributed to anybody
    assert {picked[r]["name"] for r in ("copy", "original", "unfixed")} <= names
    assert "尚未报送" not in next(
        line for line in rounds["reminder1"].splitlines() if picked["unfixed"]["name"] in line
    )


def test_after_round_two_no_corrected_error_is_still_sent_back(rounds: dict) -> None:
    issues, picked, r1, fixed = (
        rounds["r2"]["issues"],
        rounds["picked"],
        rounds["r1"],
        rounds["fixed"],
    )
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    for role in ("copy", "original", "nameless"):
        assert not (rejected["文件"].isin([r1[role], fixed[role]])).any(), role
        assert not (rejected["姓名"] == picked[role]["name"]).any(), role
    assert (rejected["文件"] == r1["unfixed"]).any()  # the one not corrected still is


def test_every_original_is_listed_as_superseded_by_its_correction(rounds: dict) -> None:
    issues, subs = rounds["r2"]["issues"], rounds["r2"]["subs"]
    r1, fixed, picked = rounds["r1"], rounds["fixed"], rounds["picked"]
    for role in ("copy", "original", "nameless"):
        note = issues[(issues["文件"] == r1[role]) & (issues["处理"] == vocab.ACTION_NOTE)]
        assert note["问题"].str.contains(fixed[role], regex=False).any(), role
        row = subs[(subs["姓名"] == picked[role]["name"]) & (subs["表格"] == "个人表")].iloc[0]
        assert row["文件"] == fixed[role] and row["提交状态"] in (
            vocab.STATUS_ON_TIME,
            vocab.STATUS_LATE,
        )
        # the accepted file says which version it replaced; never that it was replaced
        assert vocab.NOTE_REPLACED.format(files=r1[role]) in row["备注"]
        assert vocab.STATUS_SUPERSEDED not in row["备注"]


def test_changes_list_exactly_the_fixes(rounds: dict) -> None:
    changes, r1, picked = rounds["r2"]["changes"], rounds["r1"], rounds["picked"]
    fixed = changes[changes["变化"] == vocab.ROUND_CHANGE_FIXED]
    expected = {
        (
            r1[role],
            rounds["rejected1"].loc[rounds["rejected1"]["文件"] == r1[role], "单元格"].iloc[0],
        )
        for role in ("copy", "original", "nameless")
    }
    assert set(zip(fixed["文件"], fixed["单元格"], strict=True)) == expected
    assert len(fixed) == 3
    assert changes[changes["变化"] == vocab.ROUND_CHANGE_NEW_REJECT].empty
    accepted = changes[changes["变化"] == vocab.ROUND_CHANGE_ACCEPTED]
    assert list(accepted["姓名"]) == [picked["nameless"]["name"]]
    # each section's feedback shows its own part
    for role in ("copy", "original"):
        own = rounds["r2"]["feedback_changes"][picked[role]["section"]]
        assert list(own["文件"]) == [r1[role]]


def test_each_section_zip_holds_exactly_its_folder(rounds: dict) -> None:
    checks = rounds["r2"]["zip_check"]
    folders = [f for f in rounds["r2"]["folders"] if f != vocab.FEEDBACK_UNKNOWN_SECTION_DIR]
    assert sorted(checks) == folders
    for stem, (members, files, same) in checks.items():
        assert members == files and same, stem


def test_reminder_names_exactly_who_still_owes_a_form(rounds: dict) -> None:
    manifest, picked = rounds["manifest"], rounds["picked"]
    expected = {p["name"] for p in manifest["not_submitted"]} | {picked["unfixed"]["name"]}
    text = rounds["r2"]["reminder"]
    assert reminder_names(text) == expected
    for section in manifest["no_unit_form"]:
        block = text.split(f"【{section}】", 1)[1].split("【", 1)[0]
        assert "单位自查表：尚未报送" in block
    # the terminal names them too, people and unit forms counted apart
    stdout = rounds["r2"]["stdout"]
    assert all(name in stdout for name in expected)
    assert "个人表：应报送" in stdout and "单位表：应报送" in stdout


def test_round_three_with_nothing_new_changes_nothing(rounds: dict) -> None:
    r3 = rounds["r3"]
    assert r3["changes"].empty
    assert r3["summary"]["changes"] == dict.fromkeys(vocab.ROUND_CHANGES, 0)
    assert len(r3["history"]) == 3  # every run's summary kept under 历次/


def test_changes_sheet_rows_are_tall_enough_for_their_wrapped_text(tmp_path: Path) -> None:
    """本轮变化 prints every line of a long file path or problem: LibreOffice does not grow
    rows when it opens a workbook, so each row's height must hold its tallest wrapped cell."""
    import math

    import xlsxwriter

    from pipeline import rounds, xlsx

    long_file = "2026-04-10 来自各科室/单位廉政风险自查表（家庭儿童工作部）修改后第二版.xlsx"
    problem = "风险类别「廉洁风险」不在可选范围内：岗位职责风险、业务流程风险、制度机制风险、外部环境风险。"
    note = f"已由新版本「{long_file}」替代"
    changes = pd.DataFrame(
        [
            [
                vocab.ROUND_CHANGE_FIXED,
                "家庭儿童工作部",
                "侯国怡",
                "个人表",
                long_file,
                "C9",
                problem,
                note,
            ],
            [vocab.ROUND_CHANGE_ACCEPTED, "办公室", "张三", "个人表", "张三.xlsx", "", "按时", ""],
        ],
        columns=list(rounds.CHANGE_COLUMNS),
    )
    path = tmp_path / "changes.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    open_counts = {"problems": 1, "missing": 0, "sent_back": 0, "units": 0}
    rounds.write_changes_sheet(wb, changes, open_counts, "2026-04-01T09:00:00")
    wb.close()
    ws = openpyxl.load_workbook(path)[vocab.SHEET_CHANGES]
    widths = [ws.column_dimensions[chr(65 + c)].width for c in range(len(rounds.CHANGE_COLUMNS))]
    for r in (4, 5):
        texts = [ws.cell(r, c + 1).value or "" for c in range(len(widths))]
        lines = max(math.ceil(xlsx.display_width(t) / max(w - 1, 1)) for t, w in zip(texts, widths))
        height = ws.row_dimensions[r].height or 15.0  # no height: the default row
        if r == 4:
            assert lines >= 2  # precondition: the first change needs several lines
        assert height >= lines * 10 * 1.2, (r, lines, height)


def test_terminal_names_who_is_missing_in_a_screenful_even_for_a_large_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SPEC: the terminal lists who is missing by name, up to a screenful. A section of 120
    people who have not sent anything must not print 120 names (several screens on an
    80-column console): a few names, the count, and 催报名单.txt for the whole list."""
    from tests.builders import write_config
    from tests.conftest import process_cli

    surnames, given = "赵钱孙李周吴郑王冯陈褚卫", "伟芳娜敏静丽强磊洋艳"
    names = [s + g + g2 for s in surnames for g in given[:5] for g2 in given[5:7]][:120]
    people = [("领导班子", "陈主席", "主席", "领导班子正职", False)]
    people += [("办公室", n, "科员", "一般管理服务", i == 0) for i, n in enumerate(names)]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", names[0], "陈主席")]
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert process_cli(inbox, config, tmp_path / "out") == 0
    screen = capsys.readouterr().out
    reminder = (tmp_path / "out" / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert all(n in reminder for n in names)  # precondition: all 120 are owed
    (line,) = [ln for ln in screen.splitlines() if ln.strip().startswith("办公室：")]
    assert sum(n in line for n in names) <= 10
    assert "120" in line and len(line) <= 160
    assert len(screen) < 3000


def _chair_form(inbox: Path, rel: str | None = None) -> None:
    """The chair's good form at ``inbox/rel`` (default: sent in round 1's mail folder)."""
    from tests.forms import HEADER, sample_row, write_form

    rel = rel or f"{ROUND1_FOLDER.format(who='陈主席')}/陈主席.xlsx"
    write_form(
        inbox / rel,
        header=dict(HEADER, section="领导班子", name="陈主席", post="主席"),
        rows=[sample_row(1)],
    )


def _locked(plain: Path, target: Path) -> None:
    """``plain`` (a workbook) saved at ``target`` with an opening password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    target.parent.mkdir(parents=True, exist_ok=True)
    with plain.open("rb") as src, target.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)


def _chair_and_zhang_san(tmp_path: Path) -> Path:
    """tmp_path/config of a body of two: the chair, and 张三 heading 办公室."""
    from tests.builders import write_config

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "科员", "一般管理服务", True),
    ]
    return write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s["problems"].append({"section": "办公室"}),  # a record without its fields
        lambda s: s.update(sequence="二"),
        lambda s: s.update(senders="?"),
        lambda s: s["senders"].append(["办公室", "张三"]),
    ],
)
def test_a_damaged_earlier_state_is_skipped_not_a_crash(tmp_path: Path, damage) -> None:
    """历次/<run>/state.json is the tool's own file, but it lives in the office's folder (and
    is copied, synced, edited): one that no longer has the expected shape is passed over
    like an unreadable one, and the run compares with the last good one, never crashes."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"))
    assert process_cli(inbox, config, out, run_time="2026-04-01T09:00:00") == 0
    assert process_cli(inbox, config, out, run_time="2026-04-02T09:00:00") == 0
    (_good, latest) = sorted((out / vocab.HISTORY_DIR).iterdir())
    state = json.loads((latest / "state.json").read_text(encoding="utf-8"))
    assert state["problems"] is not None and state["senders"]  # precondition: its shape
    damage(state)
    (latest / "state.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=None)
    assert "2026-04-01T09:00:00" in changes.iloc[0, 0]  # compared with the last good run


def test_reminder_stays_short_when_a_rejected_value_is_a_pasted_blob(tmp_path: Path) -> None:
    """催报名单.txt is short text to paste into a message: a sent-back form whose bad cell
    holds thousands of characters gets a line naming the person, the cell and the start of
    the problem, pointing to 异常清单 for the rest, not the whole blob."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    blob = "廉洁" * 8000
    write_form(
        inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1, category=blob)]
    )
    assert process_cli(inbox, config, out) == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert issues["问题"].str.contains(blob[:200]).any()  # precondition: the blob is the reason
    reminder = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    (line,) = [ln for ln in reminder.splitlines() if ln.strip().startswith("张三：")]
    assert "C4" in line and "风险类别" in line and vocab.ARCHIVE_SHEET_ISSUES in line
    assert len(line) <= 200
    assert len(reminder) < 2000


def test_a_file_sent_back_as_a_whole_is_closed_by_its_senders_later_form(tmp_path: Path) -> None:
    """Round 1: 张三's attachment is corrupt, 李四's form names a section he is not in (both
    sent back as a whole, named by their path); 王五's form is good. Round 2: 张三 and 李四
    send good forms, 王五 a corrupt one. The first two 退回 end (the latest wins, SPEC
    Resubmission): listed as replaced, 已改正 in 本轮变化, nothing left open for them; 王五's
    newer file that cannot be read stays 退回 (his older form still counts)."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "科员", "一般管理服务", True),
        ("办公室", "李四", "科员", "一般管理服务", False),
        ("办公室", "王五", "科员", "一般管理服务", False),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    r1 = {who: inbox / ROUND1_FOLDER.format(who=who) for who in ("张三", "李四", "王五")}
    r2 = {who: inbox / ROUND2_FOLDER.format(who=who) for who in ("张三", "李四", "王五")}
    good = write_form(tmp_path / "good.xlsx", header=dict(HEADER, name="张三"))
    r1["张三"].mkdir(parents=True)
    (r1["张三"] / "张三.xlsx").write_bytes(good.read_bytes()[:700])  # cut off in transit
    write_form(r1["李四"] / "李四.xlsx", header=dict(HEADER, name="李四", section="综合科"))
    write_form(r1["王五"] / "王五.xlsx", header=dict(HEADER, name="王五"))
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    issues1 = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    sent_back1 = set(issues1.loc[issues1["处理"] == vocab.ACTION_REJECT, "文件"])
    first = {f"{ROUND1_FOLDER.format(who=w)}/{w}.xlsx" for w in ("张三", "李四")}
    assert sent_back1 == first  # precondition: both sent back as a whole in round 1

    write_form(r2["张三"] / "张三.xlsx", header=dict(HEADER, name="张三"))
    write_form(r2["李四"] / "李四.xlsx", header=dict(HEADER, name="李四"))
    r2["王五"].mkdir(parents=True)
    (r2["王五"] / "王五.xlsx").write_bytes(good.read_bytes()[:800])
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0

    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues.loc[issues["处理"] == vocab.ACTION_REJECT, "文件"]
    assert set(rejected) == {f"{ROUND2_FOLDER.format(who='王五')}/王五.xlsx"}
    for who in ("张三", "李四"):
        (note,) = issues.loc[
            issues["文件"] == f"{ROUND1_FOLDER.format(who=who)}/{who}.xlsx"
        ].itertuples()
        assert note.处理 == vocab.ACTION_NOTE and ROUND2_FOLDER.format(who=who) in note.问题
        assert (note.科室, note.姓名) == ("办公室", who)
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    status = dict(zip(subs["姓名"], subs["提交状态"], strict=False))
    assert status["张三"] == status["李四"] == status["王五"] == vocab.STATUS_ON_TIME
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    fixed = changes[changes["变化"] == vocab.ROUND_CHANGE_FIXED]
    assert set(fixed["文件"]) == first
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["files"] == {"total": 6, "read": 3, "rejected": 1, "superseded": 2}
    reminder = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "张三" not in reminder and "李四" not in reminder


def test_a_new_years_first_run_in_last_years_out_compares_with_nothing(tmp_path: Path) -> None:
    """The office keeps one output folder: 2027's first run there is no round of 2026's. It
    must not call 2026's open 退回 已改正 (nobody fixed them: another year's forms came), and
    says it is the year's first run; 2027's second run compares with 2027's first."""
    from tests.builders import write_settings
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    out = tmp_path / "out"
    last_year, this_year = tmp_path / "inbox2026", tmp_path / "inbox2027"
    bad = sample_row(1, category="作风风险")
    write_form(last_year / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[bad])
    write_settings(config, "[body]\nyear = 2026\n")
    assert process_cli(last_year, config, out, run_time="2026-03-31T09:00:00") == 0
    (older,) = (out / vocab.HISTORY_DIR).glob("*/state.json")  # as an earlier version wrote it
    state = json.loads(older.read_text(encoding="utf-8"))
    older.write_text(json.dumps({k: v for k, v in state.items() if k != "year"}), encoding="utf-8")
    assert process_cli(last_year, config, out, run_time="2026-04-01T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert (issues["处理"] == vocab.ACTION_REJECT).sum() == 1  # precondition: open in 2026

    header = dict(HEADER, name="张三", date=HEADER["date"].replace(year=2027))
    write_form(this_year / "张三.xlsx", header=header, rows=[sample_row(1)])
    write_settings(config, "[body]\nyear = 2027\n")
    assert process_cli(this_year, config, out, run_time="2027-03-20T09:00:00") == 0
    (new,) = out.glob("2027_*_廉政风险信息档案.xlsx")
    changes = sheet(new, vocab.ARCHIVE_SHEET_CHANGES, header=None)
    assert changes.iloc[3:].eq("").all().all()  # no change rows: nothing 已改正, 新接受
    assert changes.iloc[1, 0] == vocab.ROUND_CHANGES_FIRST_OF_YEAR.format(year=2027, years="2026")
    feedback = (
        out / vocab.FEEDBACK_DIR / "办公室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="办公室")
    )
    assert (
        sheet(feedback, vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0] == (changes.iloc[1, 0])
    )
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["changes"] is None  # a first run: nothing to compare with

    assert process_cli(this_year, config, out, run_time="2027-03-21T09:00:00") == 0
    changes = sheet(new, vocab.ARCHIVE_SHEET_CHANGES, header=None)
    assert "2027-03-20T09:00:00" in changes.iloc[0, 0]  # compared with 2027's first run


def test_every_version_sent_under_a_misspelt_name_is_that_persons(tmp_path: Path) -> None:
    """The roster says 李美洁, 李美杰 writes her name so on every form: round 1 is hers with a
    提示 (one character from the roster name). Her round-2 correction, under the same spelling,
    is hers too and replaces round 1; it was refused as 「不在组织名册中」 (the roster person was
    «taken» by her first form) while the old version went on counting."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "主任", "一般管理服务", True),
        ("办公室", "李美洁", "科员", "一般管理服务", False),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = inbox / ROUND1_FOLDER.format(who="李美杰") / "李美杰.xlsx"
    second = inbox / ROUND2_FOLDER.format(who="李美杰") / "李美杰.xlsx"
    header = dict(HEADER, name="李美杰")
    write_form(first, header=header, rows=[sample_row(1)])
    write_form(second, header=dict(header, date=datetime(2026, 4, 2)), rows=[sample_row(2)])
    assert process_cli(inbox, config, out) == 0

    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert not (issues["处理"] == vocab.ACTION_REJECT).any()
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["李美洁", "文件"] == second.relative_to(inbox).as_posix()
    assert first.relative_to(inbox).as_posix() in subs.loc["李美洁", "备注"]  # replaced
    catalogue = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE)
    assert list(catalogue["风险点描述"]) == [sample_row(2)["description"]]
    assert set(catalogue["姓名"]) == {"李美洁"}


def test_a_counted_persons_later_version_sent_back_is_in_the_reminder_and_their_feedback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """张三's round-1 form counts; his round-2 resend cannot be opened. His old form still
    counts, but he must hear that the new one did not: 催报名单 and the terminal name him with
    the reason, and 办公室's feedback holds the resend's 退回 and a 提示 saying which version
    counts (before, it went only to 未能识别科室 and 催报名单 said nothing of him)."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = write_form(inbox / ROUND1_FOLDER.format(who="张三") / "张三.xlsx",
                       header=dict(HEADER, name="张三"))  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    resend = inbox / ROUND2_FOLDER.format(who="张三") / "张三.xlsx"
    resend.parent.mkdir(parents=True)
    resend.write_bytes(first.read_bytes()[:700])  # cut off in transit
    capsys.readouterr()
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    screen = capsys.readouterr().out

    shown = resend.relative_to(inbox).as_posix()
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["张三", "提交状态"] == vocab.STATUS_ON_TIME  # precondition: old one counts
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert (issues.loc[issues["处理"] == vocab.ACTION_REJECT, "文件"] == shown).any()
    reminder = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    (line,) = [ln for ln in reminder.splitlines() if ln.strip().startswith("张三：")]
    assert "损坏" in line
    assert any("办公室" in ln and "张三" in ln for ln in screen.splitlines())
    feedback = (
        out / vocab.FEEDBACK_DIR / "办公室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="办公室")
    )
    mine = sheet(feedback, vocab.ARCHIVE_SHEET_ISSUES)
    mine = mine[mine["文件"] == shown]
    assert set(mine["处理"]) == {vocab.ACTION_REJECT, vocab.ACTION_NOTE}
    assert first.relative_to(inbox).as_posix() in " ".join(mine["问题"])


def test_a_problem_moved_by_an_inserted_row_is_neither_fixed_nor_new(tmp_path: Path) -> None:
    """张三 corrects his form: he fixes one bad 发生几率 and inserts a new point above the
    other bad row, whose 风险类别 is still wrong. 本轮变化 says the 发生几率 was 已改正 and
    nothing else: the still-wrong 风险类别 moved from row 4 to row 5, it is not 「已改正」 at C4
    and 「新退回」 at C5."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    bad_category = sample_row(1, category="作风风险")
    bad_likelihood = sample_row(2, likelihood="很高很高")
    header = dict(HEADER, name="张三")
    write_form(inbox / ROUND1_FOLDER.format(who="张三") / "张三.xlsx", header=header,
               rows=[bad_category, bad_likelihood])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    rejected = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = rejected[rejected["处理"] == vocab.ACTION_REJECT]
    assert sorted(rejected["单元格"]) == ["C4", "E5"]  # precondition

    write_form(inbox / ROUND2_FOLDER.format(who="张三") / "张三.xlsx",
               header=dict(header, date=datetime(2026, 4, 2)),
               rows=[sample_row(3), bad_category, sample_row(2)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    rejected = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = rejected[rejected["处理"] == vocab.ACTION_REJECT]
    assert list(rejected["单元格"]) == ["C5"]  # precondition: the same problem, a row lower
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert list(zip(changes["变化"], changes["单元格"])) == [
        (vocab.ROUND_CHANGE_FIXED, "E5"),
        (vocab.ROUND_CHANGE_ACCEPTED, ""),  # round 1 had every row sent back
    ]


def test_an_uncorrected_copy_of_a_nameless_form_is_not_fixed(tmp_path: Path) -> None:
    """A form without 姓名 is sent back; its annotated copy comes back opened and saved but
    not corrected. Its problem is still open: 本轮变化 lists nothing, not 「已改正」 at the
    original and 「新退回」 at the copy (a nameless form's problem is keyed by its file)."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    original = write_form(inbox / ROUND1_FOLDER.format(who="办公室") / "附件.xlsx",
                          header=dict(HEADER, name=None))  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    (copy,) = (out / vocab.FEEDBACK_DIR).rglob("*_批注.xlsx")
    back = inbox / ROUND2_FOLDER.format(who="办公室") / copy.name
    back.parent.mkdir(parents=True)
    openpyxl.load_workbook(copy).save(back)  # opened and saved, nothing corrected
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    # precondition: still sent back; the untouched copy is its original's duplicate
    assert list(rejected["文件"]) == [original.relative_to(inbox).as_posix()]
    assert (issues["文件"] == back.relative_to(inbox).as_posix()).any()
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert changes.empty, changes.to_string()


def test_an_unchanged_copy_in_the_returned_package_does_not_undo_a_correction(
    tmp_path: Path,
) -> None:
    """张三's form has a bad 风险类别. He corrects his annotated copy and mails it (4-03); two
    days later 办公室 mails its whole feedback package back, in which his copy is as the tool
    wrote it. That untouched copy is no new version: his correction counts, the bad row is
    gone, 本轮变化 says 已改正, 催报名单 does not name him. Before, the untouched copy was the
    latest by its mail folder and replaced the correction: the bad row was 退回 again."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = dict(HEADER, name="张三")
    write_form(inbox / ROUND1_FOLDER.format(who="张三") / "张三.xlsx", header=header,
               rows=[sample_row(1, category="作风风险"), sample_row(2)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    (copy,) = (out / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    package = (out / vocab.FEEDBACK_DIR / "办公室.zip").read_bytes()
    cells = table_cells(copy)
    category = "C" + cells["description"][1:]  # 风险类别 of the first data row
    assert openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL][category].value == "作风风险"

    fixed = inbox / ROUND2_FOLDER.format(who="张三") / copy.name
    fixed.parent.mkdir(parents=True)
    wb = openpyxl.load_workbook(copy)
    wb[vocab.SHEET_INDIVIDUAL][category] = "岗位职责风险"
    wb.save(fixed)
    returned = inbox / "2026-04-05 来自办公室" / "办公室.zip"
    returned.parent.mkdir(parents=True)
    returned.write_bytes(package)  # the whole package, his copy untouched inside
    with zipfile.ZipFile(returned) as zf:  # precondition: the untouched copy is in it
        assert f"办公室/{copy.name}" in zf.namelist()
    assert process_cli(inbox, config, out, run_time="2026-04-06T09:00:00") == 0

    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert not (issues["处理"] == vocab.ACTION_REJECT).any(), issues.to_string()
    catalogue = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE)
    assert set(catalogue["来源文件"]) == {fixed.relative_to(inbox).as_posix()}
    assert len(catalogue) == 2
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert list(changes["变化"]) == [vocab.ROUND_CHANGE_FIXED]
    reminder = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "张三" not in reminder


@pytest.mark.skipif(
    __import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) not installed"
)
@pytest.mark.parametrize("ext", ["ods", "xls"])
def test_a_corrected_copy_resaved_by_libreoffice_ends_its_originals_sent_back(
    tmp_path: Path, ext: str
) -> None:
    """A form without 姓名 is sent back. The section fills the 姓名 into the annotated copy and
    saves it in LibreOffice as .ods (or .xls): LibreOffice keeps the copy's marker. The copy
    replaces its original (SPEC: even when the original could not be attributed), the 退回 is
    已改正. Before, only an .xlsx copy's marker was read: the .ods/.xls correction was read as
    张三's form and the nameless original stayed 退回."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    original = write_form(inbox / ROUND1_FOLDER.format(who="办公室") / "附件.xlsx",
                          header=dict(HEADER, name=None))  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    (copy,) = (out / vocab.FEEDBACK_DIR).rglob("*_批注.xlsx")
    work = tmp_path / "work"
    work.mkdir()
    wb = openpyxl.load_workbook(copy)
    wb[vocab.SHEET_INDIVIDUAL][table_cells(copy)["name"]] = "张三"
    wb.save(work / copy.name)
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work}/lo", "--headless",
         "--convert-to", ext, "--outdir", str(work), str(work / copy.name)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    resaved = work / f"{copy.stem}.{ext}"
    assert resaved.exists(), done.stderr
    back = inbox / ROUND2_FOLDER.format(who="办公室") / resaved.name
    back.parent.mkdir(parents=True)
    back.write_bytes(resaved.read_bytes())
    assert vocab.COPY_SOURCE_PROPERTY.encode() in (  # precondition: LibreOffice kept the marker
        zipfile.ZipFile(back).read("meta.xml") if ext == "ods" else back.read_bytes()
    )
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0

    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert not (issues["处理"] == vocab.ACTION_REJECT).any(), issues.to_string()
    shown = original.relative_to(inbox).as_posix()
    note = " ".join(issues.loc[issues["文件"] == shown, "问题"])
    assert back.relative_to(inbox).as_posix() in note and "批注副本" in note
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert vocab.ROUND_CHANGE_FIXED in set(changes["变化"])


def _two_sections_workbook(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """(config, inbox, out, 办公室's annotated copy) after round 1 of one workbook holding
    张三's sheet (办公室, a bad 风险类别 in 张三's first row) and 李四's (财务室, fine)."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, form_grid, pledge_grid, sample_row, write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "科员", "一般管理服务", True),
        ("财务室", "李四", "会计", "一般管理服务", True),
    ]
    config = write_config(
        tmp_path,
        people,
        [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席"), ("财务室", "李四", "陈主席")],
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    zhang = form_grid(vocab.INDIVIDUAL, header=dict(HEADER, name="张三"),
                      rows=[sample_row(1, category="作风风险"), sample_row(2)])  # fmt: skip
    li = form_grid(vocab.INDIVIDUAL, header=dict(HEADER, section="财务室", name="李四", post="会计"),
                   rows=[sample_row(3), sample_row(4)])  # fmt: skip
    inbox.mkdir()
    write_xlsx(inbox / "两人.xlsx", {"张三": zhang, "李四": li,
                                     vocab.SHEET_PLEDGE: pledge_grid(["不收受礼金"])},
               marker=f"{vocab.INDIVIDUAL}:1")  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["李四", "提交状态"] == vocab.STATUS_ON_TIME  # precondition
    (copy,) = (out / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    return config, inbox, out, copy


def test_a_corrected_copy_without_another_sections_sheet_keeps_that_sheet(
    tmp_path: Path,
) -> None:
    """One workbook holds 张三's sheet (办公室, a bad 风险类别) and 李四's (财务室, fine). 办公室's
    annotated copy leaves 李四's sheet out (a section's folder holds only its own data); 办公室
    corrects it and sends it back. The copy replaces 张三's sheet only: 李四 stays counted with
    his points. Before, the copy replaced the whole workbook: 李四's points left the
    catalogue and he was 未报送, and 本轮变化 said nothing of it."""
    from tests.conftest import process_cli
    from tests.forms import sample_row

    config, inbox, out, copy = _two_sections_workbook(tmp_path)
    wb = openpyxl.load_workbook(copy)
    assert "李四" not in wb.sheetnames  # precondition: the copy holds 办公室's sheet only
    ws = wb["张三"]
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == "作风风险"]
    cell.value = "岗位职责风险"
    back = inbox / ROUND2_FOLDER.format(who="办公室") / copy.name
    back.parent.mkdir(parents=True)
    wb.save(back)
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0

    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["李四", "提交状态"] == vocab.STATUS_ON_TIME
    assert subs.loc["张三", "文件"] == back.relative_to(inbox).as_posix()
    catalogue = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE)
    assert sorted(catalogue["风险点描述"]) == sorted(
        sample_row(i)["description"] for i in (1, 2, 3, 4)
    )
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert not (issues["处理"] == vocab.ACTION_REJECT).any(), issues.to_string()
    changes = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert list(changes["变化"]) == [vocab.ROUND_CHANGE_FIXED]


def test_an_untouched_section_copy_does_not_undo_a_correction_of_that_section(
    tmp_path: Path,
) -> None:
    """The same workbook: 张三 sends his corrected copy (4-03), then 办公室 mails its whole
    package back (4-05) with the copy untouched. That copy (only 办公室's sheet) reads as the
    original's 张三 sheet: it is no new version, and his correction stands."""
    from tests.conftest import process_cli

    config, inbox, out, copy = _two_sections_workbook(tmp_path)
    package = (out / vocab.FEEDBACK_DIR / "办公室.zip").read_bytes()
    wb = openpyxl.load_workbook(copy)
    (cell,) = [c for row in wb["张三"].iter_rows() for c in row if c.value == "作风风险"]
    cell.value = "岗位职责风险"
    fixed = inbox / ROUND2_FOLDER.format(who="张三") / copy.name
    fixed.parent.mkdir(parents=True)
    wb.save(fixed)
    returned = inbox / "2026-04-05 来自办公室" / "办公室.zip"
    returned.parent.mkdir(parents=True)
    returned.write_bytes(package)
    with zipfile.ZipFile(returned) as zf:  # precondition: the untouched copy is in it
        assert f"办公室/{copy.name}" in zf.namelist()
    assert process_cli(inbox, config, out, run_time="2026-04-06T09:00:00") == 0

    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["张三", "文件"] == fixed.relative_to(inbox).as_posix()
    assert subs.loc["李四", "提交状态"] == vocab.STATUS_ON_TIME
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert not (issues["处理"] == vocab.ACTION_REJECT).any(), issues.to_string()


def test_a_counted_form_gone_from_the_inbox_is_said_in_the_changes(tmp_path: Path) -> None:
    """张三's form was counted in round 1; before round 2 it was deleted from the inbox (by
    mistake). His points left the catalogue and 本轮变化 said nothing: 「新接受 0 份，新退回
    0 处」. Now a row 不再计入 names him and the file, and the summary and terminal count it."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    form = inbox / ROUND1_FOLDER.format(who="张三") / "张三.xlsx"
    write_form(form, header=dict(HEADER, name="张三"), rows=[sample_row(1), sample_row(2)])
    _chair_form(inbox)  # the inbox is not emptied (an empty one is refused, results kept)
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    catalogue = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE)
    assert "张三" in set(catalogue["姓名"])  # precondition: counted in round 1

    form.unlink()
    done = run(tmp_path)
    submissions = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    assert vocab.STATUS_MISSING in set(submissions[submissions["姓名"] == "张三"]["提交状态"])
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert list(zip(table["变化"], table["姓名"], table["文件"], strict=True)) == [
        (vocab.ROUND_CHANGE_DROPPED, "张三", f"{ROUND1_FOLDER.format(who='张三')}/张三.xlsx")
    ]
    summary = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0]
    assert "不再计入 1 份" in summary
    assert "不再计入 1 份" in done.stdout


@pytest.mark.parametrize("resent", [False, True])
def test_a_sent_back_row_whose_file_left_the_inbox_is_not_called_corrected(
    tmp_path: Path, resent: bool
) -> None:
    """张三's form was counted in round 1 with one row sent back (发生几率「很高很高」). Before
    round 2 the file was deleted from the inbox. 本轮变化 listed that row as 已改正 and the
    summary said 「已改正 1 处」: nobody had corrected anything. Now it is 文件已移出 with a note
    that it was not corrected, and the summary counts it apart. When he sent a corrected form
    under another name instead, the row is 已改正 and names that form."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    form = inbox / ROUND1_FOLDER.format(who="张三") / "张三.xlsx"
    write_form(form, header=dict(HEADER, name="张三"),
               rows=[sample_row(1), sample_row(2, likelihood="很高很高")])  # fmt: skip
    _chair_form(inbox)  # the inbox is not emptied (an empty one is refused, results kept)
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert (issues["处理"] == vocab.ACTION_REJECT).sum() == 1  # precondition: one row sent back

    form.unlink()
    if resent:
        again = inbox / ROUND2_FOLDER.format(who="张三") / "张三（改）.xlsx"
        write_form(again, header=dict(HEADER, name="张三"), rows=[sample_row(1), sample_row(2)])
    done = run(tmp_path)
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    rows = table[table["单元格"] != ""]
    summary = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0]
    if resent:
        assert list(rows["变化"]) == [vocab.ROUND_CHANGE_FIXED]
        assert again.name in rows["说明"].iloc[0]
        assert "已改正 1 处" in summary and "随文件移出" not in summary
    else:
        assert list(rows["变化"]) == [vocab.ROUND_CHANGE_GONE]
        assert "并未改正" in rows["说明"].iloc[0]
        assert summary.startswith("已改正 0 处") and "1 处问题随文件移出收件箱" in summary
        assert "已改正 0 处" in done.stdout and "1 处问题随文件移出收件箱" in done.stdout


def test_the_reminder_speaks_of_annotated_copies_only_when_a_form_was_sent_back(
    tmp_path: Path,
) -> None:
    """催报名单.txt ended 「修改时可以直接在科室反馈中的批注副本…里改正后发回」 also when nothing
    was sent back (only forms not yet sent, or nothing owed at all): there is no copy to
    correct. Now that line comes only under a form sent back (whole or in part)."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "陈主席" in text and "退回" not in text  # the precondition: only 未报送
    assert vocab.ROUND_REMINDER_FOOTER not in text

    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"),
               rows=[sample_row(1, likelihood="很高很高")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "退回" in text and vocab.ROUND_REMINDER_FOOTER in text


def test_a_moved_or_renamed_sections_people_are_told_in_their_sections_feedback(
    tmp_path: Path,
) -> None:
    """Between two rounds the office moved 张三 from 办公室 to 财务科 and renamed 宣传科 to
    宣传教育科 in the roster; both forms still name the old section and are 退回. 催报名单 and
    提交情况 tell 财务科 and 宣传教育科, but 张三's reason and annotated copy went to the
    office's 未能识别科室 folder (财务科's package said 「按异常清单和批注副本修改」 and held
    neither), his 新退回 row to 办公室's 本轮变化, and 李四's 新退回 row to no section's 本轮变化.
    Now each goes to the section the person is in, and 办公室 hears nothing of 张三. 周国栋 left
    (taken out of the roster): 催报名单 asks 办公室 about his form, so its reason, its copy
    and its 新退回 and 不再计入 rows are in 办公室's package (qbC; before, in the office's
    未能识别科室 folder only)."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("办公室", "周国栋", "科员", "一般管理服务", False),
        ("财务科", "赵会计", "科长", "人财物管理", True),
        ("宣传科", "李四", "科员", "一般管理服务", True),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务科", "赵会计", "陈主席"),
        ("宣传科", "李四", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    write_form(
        inbox / "李四.xlsx",
        header=dict(HEADER, section="宣传科", name="李四"),
        rows=[sample_row(2)],
    )
    write_form(inbox / "周国栋.xlsx", header=dict(HEADER, name="周国栋"), rows=[sample_row(3)])
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0

    moved = [("财务科", *p[1:]) if p[1] == "张三" else p for p in people if p[1] != "周国栋"]
    moved = [("宣传教育科", *p[1:]) if p[0] == "宣传科" else p for p in moved]
    renamed = [("宣传教育科", *s[1:]) if s[0] == "宣传科" else s for s in sections]
    write_config(tmp_path, moved, renamed)
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["张三", "科室"] == "财务科"  # precondition: both told in their new sections
    assert subs.loc["李四", "科室"] == "宣传教育科"
    assert subs.loc["张三", "提交状态"] == subs.loc["李四", "提交状态"] == vocab.STATUS_SENT_BACK

    feedback = out / vocab.FEEDBACK_DIR
    for section, name in (("财务科", "张三"), ("宣传教育科", "李四")):
        book = feedback / section / vocab.FEEDBACK_FILE_TEMPLATE.format(section=section)
        issues = sheet(book, vocab.ARCHIVE_SHEET_ISSUES)
        rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
        assert list(rejected["文件"]) == [f"{name}.xlsx"], (section, issues.to_string())
        assert (feedback / section / f"{name}{vocab.ANNOTATED_SUFFIX}.xlsx").exists()
        changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
        assert list(zip(changes["变化"], changes["姓名"], strict=True)) == [
            (vocab.ROUND_CHANGE_NEW_REJECT, name),
            (vocab.ROUND_CHANGE_DROPPED, name),  # counted last run, no longer (qbC)
        ], section
    office = feedback / "办公室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="办公室")
    changes = sheet(office, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    issues = sheet(office, vocab.ARCHIVE_SHEET_ISSUES)
    assert "张三" not in set(changes["姓名"]) | set(issues["姓名"])
    assert not (feedback / "办公室" / f"张三{vocab.ANNOTATED_SUFFIX}.xlsx").exists()
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "周国栋.xlsx" in text.split("【办公室】")[1].split("【")[0]  # precondition: asked
    assert list(zip(changes["变化"], changes["文件"], strict=True)) == [
        (vocab.ROUND_CHANGE_NEW_REJECT, "周国栋.xlsx"),
        (vocab.ROUND_CHANGE_DROPPED, "周国栋.xlsx"),
    ]
    assert "周国栋.xlsx" in set(issues[issues["处理"] == vocab.ACTION_REJECT]["文件"])
    assert (feedback / "办公室" / f"周国栋{vocab.ANNOTATED_SUFFIX}.xlsx").exists()
    unknown = feedback / vocab.FEEDBACK_UNKNOWN_SECTION_DIR
    assert not unknown.exists() or not list(unknown.glob("周国栋*"))


def test_the_copy_of_a_returned_annotated_copy_is_not_named_twice_annotated(
    tmp_path: Path,
) -> None:
    """张三 corrected one of his two problems in the annotated copy and sent it back; the
    copy of that copy was 张三_批注_批注.xlsx (a third round: _批注_批注_批注). Now it is
    张三_批注.xlsx again."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [sample_row(1, likelihood="很高很高"), sample_row(2, harm="极重")]
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=rows)
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    copy = out / vocab.FEEDBACK_DIR / "办公室" / f"张三{vocab.ANNOTATED_SUFFIX}.xlsx"
    cells = table_cells(copy)
    returned = inbox / ROUND2_FOLDER.format(who="张三") / copy.name
    edit(copy, returned, {cells["likelihood"]: "中"}, marker=sha256(inbox / "张三.xlsx"))
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert set(rejected["文件"]) == {returned.relative_to(inbox).as_posix()}  # precondition
    names = sorted(p.name for p in (out / vocab.FEEDBACK_DIR / "办公室").glob("*.xlsx"))
    assert f"张三{vocab.ANNOTATED_SUFFIX}.xlsx" in names, names
    assert not [n for n in names if n.count(vocab.ANNOTATED_SUFFIX) > 1], names


def test_a_unit_form_under_a_renamed_sections_old_name_is_sent_back_not_missing(
    tmp_path: Path,
) -> None:
    """The office renamed 宣传科 to 宣传教育科 in the roster between rounds; the section's
    unit form (科室负责人 李四) still says 宣传科 and is 退回. 催报名单 told 宣传教育科
    「单位自查表：尚未报送」 and its feedback held neither the reason nor the copy (they went
    to 未能识别科室). Now the form is the section's that its 科室负责人 heads: 已报送但被退回,
    the reason in its feedback (naming the section its head heads) and the copy in its
    folder."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import UNIT_HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("宣传科", "李四", "科长", "一般管理服务", True),
    ]
    sections = [("领导班子", "陈主席", ""), ("宣传科", "李四", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    unit = inbox / "单位表.xlsx"
    write_form(
        unit, vocab.UNIT, header=dict(UNIT_HEADER, section="宣传科", head="李四"),
        rows=[sample_row(1, post="科长")],
    )  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    assert vocab.STATUS_ON_TIME in set(subs[subs["表格"] == "单位表"]["提交状态"])  # precondition

    renamed = [("宣传教育科", *p[1:]) if p[0] == "宣传科" else p for p in people]
    write_config(
        tmp_path, renamed, [("宣传教育科", *s[1:]) if s[0] == "宣传科" else s for s in sections]
    )
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    mine = subs[(subs["表格"] == "单位表") & (subs["科室"] == "宣传教育科")]
    assert list(zip(mine["提交状态"], mine["文件"], strict=True)) == [
        (vocab.STATUS_SENT_BACK, "单位表.xlsx")
    ]
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    part = text.split("【宣传教育科】")[1]
    assert "单位自查表：尚未报送" not in part and "单位自查表「单位表.xlsx」被退回" in part, text
    folder = out / vocab.FEEDBACK_DIR / "宣传教育科"
    issues = sheet(folder / vocab.FEEDBACK_FILE_TEMPLATE.format(section="宣传教育科"),
                   vocab.ARCHIVE_SHEET_ISSUES)  # fmt: skip
    (problem,) = issues[issues["处理"] == vocab.ACTION_REJECT]["问题"]  # says which section
    assert "名册中「李四」负责的科室是「宣传教育科」" in problem
    assert (folder / f"单位表{vocab.ANNOTATED_SUFFIX}.xlsx").exists()


def test_a_bodys_first_run_in_an_out_of_another_bodys_runs_compares_with_nothing(
    tmp_path: Path,
) -> None:
    """The office tried the tool on another body's files (the demo) into output/, then ran
    its own inbox and config into the same output/: its archive's 本轮变化 (filed upward)
    listed the demo's people as 已改正 and 不再计入. Now a body's first run there compares
    with nothing and says why; its second run compares with its first."""
    from tests.builders import write_settings
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    out = tmp_path / "out"
    demo = tmp_path / "demo_inbox"
    write_settings(config, '[body]\nname = "示例妇联"\n')
    write_form(demo / "张三.xlsx", header=dict(HEADER, name="张三"),
               rows=[sample_row(1, likelihood="很高很高")])  # fmt: skip
    assert process_cli(demo, config, out, run_time="2026-03-25T09:00:00") == 0

    write_settings(config, '[body]\nname = "本单位妇联"\n')
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    (book,) = out.glob("*本单位妇联*档案.xlsx")
    top = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=None)
    assert top.iloc[0, 0] == vocab.ROUND_CHANGES_TITLE_FIRST
    assert "示例妇联" in top.iloc[1, 0] and "不作比较" in top.iloc[1, 0]
    rows = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert rows.empty, rows  # no 已改正, 不再计入 … of the other body

    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"),
               rows=[sample_row(1, harm="极重")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-27T09:00:00") == 0
    table = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    # against its own first run: his one point now 退回, so what counted no longer does
    assert list(table["变化"]) == [vocab.ROUND_CHANGE_NEW_REJECT, vocab.ROUND_CHANGE_DROPPED]


def test_a_problem_settled_by_a_roster_change_says_so(tmp_path: Path) -> None:
    """李四's form was 退回 「不在组织名册中」; the office added him to the roster and ran
    again. 本轮变化 said 已改正 with an empty 说明, as if he had sent a correction. Now it
    says no new version came: after the roster (or settings) change the same file counts."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "科员", "一般管理服务", True),
    ]
    sections = [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "李四.xlsx", header=dict(HEADER, name="李四"), rows=[sample_row(1)])
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert "李四.xlsx" in set(issues[issues["处理"] == vocab.ACTION_REJECT]["文件"])

    write_config(tmp_path, [*people, ("办公室", "李四", "科员", "一般管理服务", False)], sections)
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    fixed = table[table["变化"] == vocab.ROUND_CHANGE_FIXED]
    assert list(zip(fixed["文件"], fixed["说明"], strict=True)) == [
        ("李四.xlsx", vocab.ROUND_CHANGE_SAME_FILE)
    ]


def test_a_form_sent_back_that_names_no_roster_sender_is_in_the_reminder(tmp_path: Path) -> None:
    """A form of 办公室 with no 姓名 (and one of a name the roster does not hold) was 退回,
    but 催报名单 said nothing of it under 办公室, or even 「全部人员和科室都已报送，没有被
    退回的表格」: the office pasted that to the section and nobody corrected the form. Now
    each such form is listed under its section, with its first problem."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"),
               rows=[sample_row(3, posts_involved="科员")])  # fmt: skip
    write_form(inbox / "附件1.xlsx", header=dict(HEADER, name=None), rows=[sample_row(4)])
    write_form(inbox / "附件2.xlsx", header=dict(HEADER, name="赵新人"), rows=[sample_row(5)])
    assert process_cli(inbox, config, out) == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    owed = subs[subs["提交状态"].isin([vocab.STATUS_MISSING, vocab.STATUS_SENT_BACK])]
    assert owed.empty, owed  # precondition: every roster sender is counted
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert vocab.ROUND_REMINDER_NOTHING not in text, text
    office = text.split("【办公室】")[1]
    assert vocab.ROUND_REMINDER_UNCLAIMED in office
    assert "    附件1.xlsx：E2：表头缺少「姓名」" in office, text
    assert "    附件2.xlsx：E2：「赵新人（办公室）」不在组织名册中" in office, text


def test_a_row_of_another_section_in_a_sections_table_is_in_both_changes(tmp_path: Path) -> None:
    """办公室's table lists a row of 财务科's 钱七 (科室/姓名 columns). Its 退回 is in both
    sections' 异常清单 (办公室 sent the file and must correct it; 财务科 owns the row), and so
    are its 本轮变化 rows now. Before, they followed the section written on the row only:
    办公室, who corrected its file, never read 已改正 for 钱七's row, nor 新退回 for the next
    slip in it, though its 异常清单 and annotated copy listed it."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
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

    def table(wang: tuple[str, str], qian: tuple[str, str]) -> list[list[object]]:
        rows = [
            [1, "办公室", "王芳", "主任", "审核", "岗位职责风险", "王芳的点", *wang, "三级"],
            [2, "财务科", "钱七", "出纳", "报销", "岗位职责风险", "钱七的点", *qian, "一级"],
        ]
        head_block = ["科室", "办公室", None, "科室负责人", "王芳"]
        return [
            [vocab.FORM_TITLES[vocab.UNIT]],
            head_block,
            head,
            *[r + ["教育"] * 3 for r in rows],
        ]

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_xlsx(inbox / "办公室汇总.xlsx", {"汇总表": table(("超高", "一般"), ("中", "无敌"))})
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    write_xlsx(inbox / "办公室汇总.xlsx", {"汇总表": table(("中", "一般"), ("超级", "严重"))})
    assert process_cli(inbox, config, out, run_time="2026-03-26T09:00:00") == 0

    feedback = out / vocab.FEEDBACK_DIR
    fixed, new = vocab.ROUND_CHANGE_FIXED, vocab.ROUND_CHANGE_NEW_REJECT
    seen = {}
    for section in ("办公室", "财务科"):
        book = feedback / section / vocab.FEEDBACK_FILE_TEMPLATE.format(section=section)
        changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
        pairs = zip(changes["变化"], changes["单元格"], strict=True)
        seen[section] = sorted(p for p in pairs if p[0] in (fixed, new))
    assert seen["办公室"] == sorted([(fixed, "H4"), (fixed, "I5"), (new, "H5")])
    assert seen["财务科"] == sorted([(fixed, "I5"), (new, "H5")])


def test_every_printed_page_of_the_changes_says_whose_it_is(tmp_path: Path) -> None:
    """A loose printed page of 本轮变化 had no page header, while every other sheet's says the
    body (and, in a feedback, the section): now it does too, in the archive and the feedback
    (the 公示, to be posted, has none on purpose)."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    config = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    write_form(tmp_path / "inbox" / "丁玲.xlsx", header=header, rows=[sample_row(1)])
    out = tmp_path / "out"
    assert process_cli(tmp_path / "inbox", config, out) == 0
    section = "家庭儿童工作部"
    book = out / vocab.FEEDBACK_DIR / section / vocab.FEEDBACK_FILE_TEMPLATE.format(section=section)
    for path, words in ((archive(tmp_path), ["测试妇联"]), (book, ["测试妇联", section])):
        for ws in openpyxl.load_workbook(path).worksheets:
            if ws.title == vocab.ARCHIVE_SHEET_NOTICE:
                continue
            left = ws.oddHeader.left.text or ""
            assert all(w in left for w in words), (path.name, ws.title, left)


def test_an_empty_unit_form_of_the_leadership_is_its_sections_in_the_reminder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The leadership owes no unit form, but one it sent came back empty: 催报名单 listed it
    under 「对应不到名册中的报送人」 though its file name (and 科室) say 领导班子, and the
    terminal did not name it. Now it is 领导班子's unit form sent back, in 提交情况, in
    催报名单 and on the terminal, like any section's."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"),
               rows=[sample_row(3, posts_involved="科员")])  # fmt: skip
    write_form(inbox / "领导班子_单位廉政风险自查表.xlsx", vocab.UNIT,
               header=dict(UNIT_HEADER, section="领导班子", head="陈主席"), rows=[])  # fmt: skip
    assert process_cli(inbox, config, out) == 0
    screen = capsys.readouterr().out
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    unit = subs[(subs["科室"] == "领导班子") & (subs["表格"] == "单位表")]
    assert unit["提交状态"].tolist() == [vocab.STATUS_SENT_BACK], subs
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    leaders = text.split("【领导班子】")[1]
    assert vocab.ROUND_REMINDER_UNCLAIMED not in leaders, text
    sent_back = vocab.ROUND_REMINDER_UNIT_SENT_BACK.format(file="领导班子_单位廉政风险自查表.xlsx")
    assert sent_back + "表格中没有填写任何风险点" in leaders, text
    assert "    领导班子：单位表被退回" in screen.splitlines(), screen


@pytest.mark.parametrize(
    "where", ["办公室单位自查表.xlsx", "2026-03-24 来自办公室/单位自查表.xlsx"]
)
def test_a_unit_form_no_reader_opened_is_its_sections_by_its_name(
    tmp_path: Path, where: str
) -> None:
    """「办公室单位自查表.xlsx」 with an opening password: no reader can say what it is, and it
    went to 未能识别科室 while 办公室 was told its unit form was 尚未报送. A person's locked
    form is theirs by its file name; a locked file named after one section and 单位 is that
    section's unit form, sent back with its reason, in 提交情况, 催报名单 and its feedback."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    plain = write_form(tmp_path / "plain.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"),
                       rows=[sample_row(3, posts_involved="科员")])  # fmt: skip
    _locked(plain, inbox / where)
    assert process_cli(inbox, config, out) == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    unit = subs[(subs["科室"] == "办公室") & (subs["表格"] == "单位表")]
    assert unit["提交状态"].tolist() == [vocab.STATUS_SENT_BACK], subs
    assert unit["文件"].tolist() == [where]
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    office = text.split("【办公室】")[1]
    assert vocab.ROUND_REMINDER_UNIT_MISSING not in office, text
    sent_back = vocab.ROUND_REMINDER_UNIT_SENT_BACK.format(file=where)
    assert sent_back + "文件设置了打开密码" in office, text
    feedback = out / vocab.FEEDBACK_DIR / "办公室" / "办公室_反馈.xlsx"
    issues = sheet(feedback, vocab.ARCHIVE_SHEET_ISSUES)
    assert issues.loc[issues["文件"] == where, "科室"].tolist() == ["办公室"], issues


def test_the_reminder_sends_no_one_to_a_copy_of_a_file_that_could_not_be_opened(
    tmp_path: Path,
) -> None:
    """张三.xlsx with an opening password is sent back, and no annotated copy of it is made;
    催报名单.txt still ended 「修改时可以直接在科室反馈的批注副本中修改（文件名以「_批注」结尾）
    后发回」: the section looked for a copy that is not there. Now that line comes only when
    some form listed was opened (so has a copy)."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    plain = write_form(tmp_path / "plain.xlsx", header=dict(HEADER, name="张三"),
                       rows=[sample_row(2)])  # fmt: skip
    _locked(plain, inbox / "张三.xlsx")
    assert process_cli(inbox, config, out, run_time="2026-03-20T09:00:00") == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    office = text.split("【办公室】")[1]
    assert vocab.ROUND_REMINDER_SENT_BACK in office and "设置了打开密码" in office, text
    assert not list((out / vocab.FEEDBACK_DIR).rglob("*_批注*"))  # the precondition: no copy
    assert vocab.ROUND_REMINDER_FOOTER not in text

    # the chair's form sent back for a cell: it has a copy, and the line is back
    write_form(inbox / "陈主席.xlsx", header=dict(HEADER, section="领导班子", name="陈主席",
               post="主席"), rows=[sample_row(1, likelihood="很高很高")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-21T09:00:00") == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert list((out / vocab.FEEDBACK_DIR).rglob("*_批注*"))
    assert vocab.ROUND_REMINDER_FOOTER in text


def test_the_terminal_names_a_section_the_reminder_asks_about_a_form_of_nobody(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Everyone had sent, and 办公室 also sent a form with 姓名 left blank: 催报名单.txt asked
    办公室 to say whose it is, but the terminal said nothing was still owed (no 「还需要催报或
    修改的」 line), so the office took the round as done. Now the terminal names 办公室 too."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"))
    write_form(inbox / "办公室新人.xlsx", header=dict(HEADER, name=None), rows=[sample_row(3)])
    capsys.readouterr()
    assert process_cli(inbox, config, out) == 0
    screen = capsys.readouterr().out
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    # the precondition: nobody owes a form, and the reminder asks 办公室 about the nameless one
    assert "尚未报送" not in text and "办公室新人.xlsx" in text.split("【办公室】")[1], text
    assert vocab.CLI_SUMMARY_OWED in screen, screen
    line = next(ln for ln in screen.splitlines() if ln.strip().startswith("办公室："))
    assert line.strip() == "办公室：" + vocab.ROUND_SCREEN_UNCLAIMED.format(n=1)


def test_the_reminder_says_a_locked_file_of_nobody_may_hold_a_missing_persons_form(
    tmp_path: Path,
) -> None:
    """张三 sent his form as 附件3.xlsx with an opening password: nothing in it or its name says
    whose it is, and 催报名单.txt told 办公室 only 「尚未报送个人自查表：张三」, to a man who had
    sent it. Now the reminder ends with the unreadable files of nobody and their reasons."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"))
    plain = write_form(tmp_path / "plain.xlsx", header=dict(HEADER, name="张三"),
                       rows=[sample_row(2)])  # fmt: skip
    _locked(plain, inbox / "附件3.xlsx")
    (inbox / "通知.txt").write_text("请于月底前报送", encoding="utf-8")  # no form: not listed
    assert process_cli(inbox, config, out) == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert vocab.ROUND_REMINDER_MISSING.format(names="张三") in text  # the precondition
    after = text.split(vocab.ROUND_REMINDER_STRAY)[1]
    assert [ln.strip() for ln in after.splitlines() if ln.strip()] == [
        "附件3.xlsx：文件设置了打开密码，无法读取"
    ], text
    assert vocab.ROUND_REMINDER_FOOTER not in text  # no copy of a locked file

    (inbox / "附件3.xlsx").unlink()  # nothing unreadable: no such paragraph
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    write_form(inbox / "附件3.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    assert process_cli(inbox, config, out, run_time="2026-04-02T09:00:00") == 0
    assert vocab.ROUND_REMINDER_STRAY not in (out / vocab.REMINDER_FILE).read_text("utf-8-sig")


def test_a_locked_form_sent_back_is_its_senders_in_the_issues_and_its_sections_changes(
    tmp_path: Path,
) -> None:
    """张三.xlsx with an opening password is 张三's form sent back (by its file name), but its
    异常清单 line named no 科室 or 姓名 (the office filters by 科室), and when 张三 sent it again
    without the password the 已改正 line stood in the archive's 本轮变化 only, with no 科室:
    办公室's feedback said 已改正 0 处. Now the line names 办公室 and 张三 in both rounds."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    plain = write_form(tmp_path / "plain.xlsx", header=dict(HEADER, name="张三"),
                       rows=[sample_row(2)])  # fmt: skip
    _locked(plain, inbox / "张三.xlsx")
    assert process_cli(inbox, config, out, run_time="2026-03-20T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    line = issues[issues["文件"] == "张三.xlsx"]
    assert line["问题"].str.contains("设置了打开密码").all() and len(line) == 1, issues
    assert line[["科室", "姓名"]].values.tolist() == [["办公室", "张三"]]

    again = inbox / "2026-03-24 来自张三" / "张三.xlsx"
    again.parent.mkdir()
    again.write_bytes(plain.read_bytes())
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    feedback = out / vocab.FEEDBACK_DIR / "办公室" / "办公室_反馈.xlsx"
    changes = sheet(feedback, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    fixed = changes[changes["变化"] == vocab.ROUND_CHANGE_FIXED]
    assert fixed[["科室", "姓名", "文件"]].values.tolist() == [["办公室", "张三", "张三.xlsx"]]


def test_a_damaged_zip_named_after_a_section_is_in_that_sections_reminder(
    tmp_path: Path,
) -> None:
    """「办公室报送材料.zip」 cut short in the mail: nothing in it could be read, and 催报名单
    told 办公室 only that 张三 had not sent his form; the zip's reason stood in the office's
    folder, and nobody in 办公室 knew to send it again. Now 办公室's part names the zip and
    why it could not be read."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    form = write_form(
        tmp_path / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)]
    )
    packed = tmp_path / "packed.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(form, "办公室/张三.xlsx")
    data = packed.read_bytes()
    (inbox / "办公室报送材料.zip").write_bytes(data[: len(data) // 2])
    assert process_cli(inbox, config, out) == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    office = text.split("【办公室】")[1]
    assert vocab.ROUND_REMINDER_MISSING.format(names="张三") in office  # true: none was read
    lines = [ln for ln in office.splitlines() if "办公室报送材料.zip" in ln]
    assert len(lines) == 1 and "压缩包已损坏或不完整" in lines[0], text
    assert vocab.ROUND_REMINDER_UNREAD in office, text


def test_the_people_of_a_section_whose_zip_could_not_be_read_are_told_so_in_the_submissions(
    tmp_path: Path,
) -> None:
    """「办公室报送材料.zip」 cut short in the mail: 张三 is 未报送 (nothing of him was read),
    but 提交情况 (archive and 办公室's feedback) said only that, while his form may be in the
    zip that 催报名单 names: the office would chase him for a form he sent. Now his line's
    备注 names the zip that could not be read and asks to send it again, as does 办公室's
    unit form's; 陈主席's (another section's) says nothing of it."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    form = write_form(
        tmp_path / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)]
    )
    packed = tmp_path / "packed.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(form, "办公室/张三.xlsx")
    data = packed.read_bytes()
    (inbox / "办公室报送材料.zip").write_bytes(data[: len(data) // 2])
    assert process_cli(inbox, config, out) == 0
    feedback = out / vocab.FEEDBACK_DIR / "办公室" / "办公室_反馈.xlsx"
    for book in (archive(tmp_path), feedback):
        subs = sheet(book, vocab.ARCHIVE_SHEET_SUBMISSIONS)
        zhang = subs[subs["姓名"] == "张三"]
        assert zhang["提交状态"].tolist() == [vocab.STATUS_MISSING]  # the precondition
        note = str(zhang["备注"].iloc[0])
        assert "「办公室报送材料.zip」无法读取" in note and "重新发送" in note, subs
        unit = subs[(subs["科室"] == "办公室") & (subs["表格"] == "单位表")]
        assert unit["备注"].astype(str).str.contains("办公室报送材料.zip").all(), subs
        others = subs[subs["科室"] != "办公室"]["备注"].fillna("").astype(str)
        assert not others.str.contains("办公室报送材料.zip").any(), subs


def test_a_fixed_line_names_the_person_whose_correction_closed_it(tmp_path: Path) -> None:
    """Round 1: 张三's form leaves 姓名 blank (sent back as a whole). Round 2: he corrects the
    annotated copy, renamed 「张三-已改.xlsx」. 本轮变化's 已改正 line named nobody (the wrong
    form named nobody), so 办公室 could not tell whose problem was closed; it now names 张三,
    whose corrected form closed it, beside 新接受 张三."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    original = write_form(inbox / ROUND1_FOLDER.format(who="办公室") / "附件1.xlsx",
                          header=dict(HEADER, name=None))  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    nameless = issues[(issues["处理"] == vocab.ACTION_REJECT)]
    assert list(nameless["文件"]) == [original.relative_to(inbox).as_posix()]
    assert list(nameless["姓名"]) == [""]  # precondition: the wrong form names nobody
    (copy,) = (out / vocab.FEEDBACK_DIR).rglob("*_批注.xlsx")
    cells = table_cells(copy)
    back = inbox / ROUND2_FOLDER.format(who="张三") / "张三-已改.xlsx"
    edit(copy, back, {cells["name"]: "张三"}, marker=sha256(original))
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    for book in (archive(tmp_path), out / vocab.FEEDBACK_DIR / "办公室" / "办公室_反馈.xlsx"):
        changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
        fixed = changes[changes["变化"] == vocab.ROUND_CHANGE_FIXED]
        assert fixed[["科室", "姓名", "表格"]].values.tolist() == [["办公室", "张三", "个人表"]]
        accepted = changes[changes["变化"] == vocab.ROUND_CHANGE_ACCEPTED]
        assert list(accepted["姓名"]) == ["张三"]


def test_the_reminder_names_the_file_of_a_unit_form_sent_back(tmp_path: Path) -> None:
    """办公室 sent two unit tables (an old one, then 「办公室单位表-改.xlsx」) and the later has
    a bad 危害程度: 催报名单 said only 「单位自查表已计入，但有风险点被退回：F4：…」, and the
    section could not tell which of its files to open. The line now names the file."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"),
               rows=[sample_row(3, posts_involved="科员")])  # fmt: skip
    later = inbox / ROUND2_FOLDER.format(who="张三") / "办公室单位表-改.xlsx"
    write_form(later, vocab.UNIT, header=dict(UNIT_HEADER, head="张三", date=datetime(2026, 3, 20)),
               rows=[sample_row(3, posts_involved="科员"),
                     sample_row(4, posts_involved="科员", harm="很大")])  # fmt: skip
    assert process_cli(inbox, config, out) == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    file = later.relative_to(inbox).as_posix()
    assert rejected["文件"].tolist() == [file]  # precondition: the later table, in part
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    office = text.split("【办公室】")[1]
    (line,) = [ln for ln in office.splitlines() if ln.startswith("  单位自查表")]
    assert f"「{file}」" in line and "很大" in line, text


def test_a_correction_dated_before_its_original_is_told_why_it_was_not_counted(
    tmp_path: Path,
) -> None:
    """张三's form of 3月26日 has a bad 风险类别; his correction comes a week later in a mail
    folder, but he typed 填表日期 3月20日. The later 填表日期 wins (SPEC), and the note on the
    correction said 「同一人后来又报送了新版本「张三.xlsx」」: untrue, the kept file came first,
    and 催报名单 repeated the old problem without a word of the correction. Both now say the
    date decided, and how to make the correction count."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _chair_form(inbox, "陈主席.xlsx")
    first = write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三",
                       date=datetime(2026, 3, 26)), rows=[sample_row(2, category="廉洁风险")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-27T09:00:00") == 0
    fix = inbox / ROUND2_FOLDER.format(who="张三") / "张三-改.xlsx"
    write_form(fix, header=dict(HEADER, name="张三", date=datetime(2026, 3, 20)),
               rows=[sample_row(2)])  # fmt: skip
    later = first.stat().st_mtime + 7 * 86400
    os.utime(fix, (later, later))
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert rejected["文件"].tolist() == ["张三.xlsx"]  # precondition: the dated-later one counts
    (note,) = issues[issues["文件"] == fix.relative_to(inbox).as_posix()].itertuples()
    assert "后来又报送" not in note.问题, note.问题
    assert "2026-03-26" in note.问题 and "2026-03-20" in note.问题, note.问题
    assert "填表日期改为" in note.修改建议
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    assert subs.loc[subs["姓名"] == "张三", "文件"].tolist() == ["张三.xlsx"]
    # 催报名单 told 张三 only that C4 is wrong, though he had sent a correction: now it says why
    # that correction did not count
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("    张三：")]
    assert "廉洁风险" in line and fix.relative_to(inbox).as_posix() in line, text
    assert "填表日期改为今天" in line, text


def test_a_date_typed_ahead_does_not_keep_a_form_over_its_correction(tmp_path: Path) -> None:
    """张三 mailed his form on 3月24日 with 填表日期 typed 2026-04-30 (for 03-30) and a bad 风险类别;
    his correction came on 4月3日 dated 4月3日. The impossible later date won: the wrong form
    stayed counted and 退回, the correction was told to set today's date (still before
    04-30), and 张三 was 逾期 by it. A 填表日期 after the day its file was sent (its mail
    folder's, else the run's day) now decides no order: the correction counts."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = write_form(inbox / "2026-03-24 来自张三" / "张三.xlsx",
                       header=dict(HEADER, name="张三", date=datetime(2026, 4, 30)),
                       rows=[sample_row(1, category="廉洁风险"), sample_row(2)])  # fmt: skip
    fix = write_form(inbox / "2026-04-03 来自张三" / "张三.xlsx",
                     header=dict(HEADER, name="张三", date=datetime(2026, 4, 3)),
                     rows=[sample_row(1), sample_row(2)])  # fmt: skip
    # 陈主席's form, in no mail folder, dated after the run's day: a 提示 says so
    write_form(inbox / "陈主席.xlsx", header=dict(HEADER, section="领导班子", name="陈主席",
               post="主席", date=datetime(2026, 4, 20)), rows=[sample_row(3)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    first_rel, fix_rel = (f.relative_to(inbox).as_posix() for f in (first, fix))
    assert not (issues["处理"] == vocab.ACTION_REJECT).any(), issues
    (note,) = issues[issues["文件"] == first_rel].itertuples()
    assert "后来又报送了新版本" in note.问题 and fix_rel in note.问题, note.问题
    assert not (issues["文件"] == fix_rel).any()
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.at["张三", "文件"] == fix_rel
    assert subs.at["张三", "提交状态"] == vocab.STATUS_ON_TIME  # the first mail came 03-24
    assert first_rel in subs.at["张三", "备注"]
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert "张三：" not in text, text
    chair = issues.loc[issues["文件"] == "陈主席.xlsx", "问题"]
    (said,) = [t for t in chair if "不会是" in t and "今天" in t]
    assert "2026-04-20" in said and "今天（2026-04-04）" in said, said


def test_a_single_form_dated_after_its_mail_is_judged_by_the_mail_not_the_date(
    tmp_path: Path,
) -> None:
    """张三's only form came in a mail of 3月24日 with 填表日期 typed 2026-04-30 (for 03-30): he
    was 逾期 by a date that cannot be true. A 填表日期 after the day its mail came decides
    lateness no more than it decides the order of versions: the mail's date does, and
    提交情况 says why. 陈主席's came on 4月2日 dated 05-20: late by the mail, and told so."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "2026-03-24 来自张三" / "张三.xlsx",
               header=dict(HEADER, name="张三", date=datetime(2026, 4, 30)),
               rows=[sample_row(1)])  # fmt: skip
    chair = write_form(inbox / "2026-04-02 来自陈主席" / "陈主席.xlsx",
                       header=dict(HEADER, section="领导班子", name="陈主席", post="主席",
                                   date=datetime(2026, 5, 20)), rows=[sample_row(2)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.at["张三", "提交状态"] == vocab.STATUS_ON_TIME
    assert "2026-04-30" in subs.at["张三", "备注"] and "2026-03-24" in subs.at["张三", "备注"]
    assert subs.at["陈主席", "提交状态"] == vocab.STATUS_LATE
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    mine = issues[issues["文件"] == chair.relative_to(inbox).as_posix()]
    (late,) = [t for t in mine["问题"] if "截止日期" in t]
    assert "2026-05-20" in late and "2026-04-02" in late and "没有可识别" not in late, late


def test_a_resent_form_with_fewer_rows_says_which_rows_no_longer_count(tmp_path: Path) -> None:
    """张三 mailed three risk points on 3月24日 and on 3月28日 a form with only the first (the
    others deleted by mistake). The latest wins (SPEC), and two counted points left the
    catalogue without a word anywhere. The counted form now gets a 提示 saying it has fewer
    rows than the version it replaced; a resent form with as many rows or more gets none."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = write_form(inbox / "2026-03-24 来自张三" / "张三.xlsx", header=dict(HEADER, name="张三"),
                       rows=[sample_row(1), sample_row(2), sample_row(3)])  # fmt: skip
    later = write_form(inbox / "2026-03-28 来自张三" / "张三.xlsx", header=dict(HEADER, name="张三"),
                       rows=[sample_row(1)])  # fmt: skip
    chair = dict(HEADER, section="领导班子", name="陈主席", post="主席")
    write_form(inbox / "2026-03-24 来自陈主席" / "陈主席.xlsx", header=chair, rows=[sample_row(4)])
    write_form(inbox / "2026-03-25 来自陈主席" / "陈主席.xlsx", header=chair,
               rows=[sample_row(4), sample_row(5)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-29T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    first_rel, later_rel = (f.relative_to(inbox).as_posix() for f in (first, later))
    (old,) = issues.loc[issues["文件"] == first_rel, "问题"]
    assert "后来又报送了新版本" in old  # precondition: the later one counts
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.at["张三", "文件"] == later_rel
    (note,) = issues[issues["文件"] == later_rel].itertuples()
    assert note.处理 == vocab.ACTION_NOTE
    assert "1 条" in note.问题 and f"「{first_rel}」（3 条）少 2 条" in note.问题, note.问题
    assert "补上后重新发送" in note.修改建议
    # 陈主席's later form has more rows: no such note
    assert issues["问题"].str.contains("比它替代的旧版本").sum() == 1


def test_two_forms_of_one_person_in_one_mail_are_not_called_old_and_new(tmp_path: Path) -> None:
    """张三's one mail of 3月24日 held 张三.xlsx and 张三(1).xlsx, alike in every date. One is
    counted (by file name), and the other was told 「后来又报送了新版本」: untrue, they came
    together. It now says they came in one mail and asks which is final."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    mail = inbox / "2026-03-24 来自张三"
    one = write_form(mail / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    two = write_form(mail / "张三(1).xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(2)])
    same = datetime(2026, 3, 24, 10).timestamp()
    for path in (one, two):
        os.utime(path, (same, same))
    assert process_cli(inbox, config, out, run_time="2026-03-29T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    counted = subs.at["张三", "文件"]
    (other,) = {p.relative_to(inbox).as_posix() for p in (one, two)} - {counted}
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    (note,) = issues[issues["文件"] == other].itertuples()
    assert "后来又报送" not in note.问题, note.问题
    assert "同一封邮件" in note.问题 and counted in note.问题, note.问题
    assert "确认哪一份是最终版本" in note.修改建议


def test_a_heads_correction_for_two_staff_tells_each_only_of_their_own_old_form(
    tmp_path: Path,
) -> None:
    """李四's and 王五's forms of 3月10日 (王五's sent back); on 4月3日 their head 张三 mails one
    workbook with a sheet for each, corrected, dated 4月2日. 提交情况 told each of them
    「替代了旧版本：李四.xlsx、王五.xlsx」 and 王五 「截止日期前已报送「李四.xlsx」」: a colleague's
    file in his own line. Each now hears of their own old form only."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, form_grid, sample_row, write_form, write_xlsx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "主任", "一般管理服务", True),
        ("办公室", "李四", "科员", "一般管理服务", False),
        ("办公室", "王五", "科员", "一般管理服务", False),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for who in ("陈主席", "张三"):
        section = "领导班子" if who == "陈主席" else "办公室"
        write_form(inbox / f"{who}.xlsx", header=dict(HEADER, section=section, name=who),
                   rows=[sample_row(1)])  # fmt: skip
    write_form(inbox / "李四.xlsx", header=dict(HEADER, name="李四"), rows=[sample_row(2)])
    write_form(inbox / "王五.xlsx", header=dict(HEADER, name="王五"),
               rows=[sample_row(3, category="乱写")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    fixed = datetime(2026, 4, 2)
    both = inbox / ROUND2_FOLDER.format(who="张三") / "办公室更正（李四、王五）.xlsx"
    write_xlsx(both, {
        who: form_grid(vocab.INDIVIDUAL, header=dict(HEADER, name=who, date=fixed),
                       rows=[sample_row(n)])
        for who, n in (("李四", 2), ("王五", 3))
    }, marker=f"{vocab.INDIVIDUAL}:1")  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-04T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    mine = both.relative_to(inbox).as_posix()
    assert subs.loc[["李四", "王五"], "文件"].tolist() == [mine, mine]  # precondition
    for who, other in (("李四", "王五"), ("王五", "李四")):
        note = subs.at[who, "备注"]
        assert f"「{who}.xlsx」" in note and vocab.NOTE_REPLACED.format(files=f"{who}.xlsx") in note
        assert f"{other}.xlsx" not in note, note


def test_a_moved_persons_earlier_version_is_replaced_and_its_fix_told_where_he_is_now(
    tmp_path: Path,
) -> None:
    """张三's form (办公室) was 退回 for a bad 危害程度. The office then moved him to 财务室 in
    the roster; he sent a correction that still names 办公室, and it was 退回 for that. His
    first form, now also naming his former section, stood as a form of nobody: 催报名单 asked
    办公室 「请科室确认是谁的表格」, its copy went to 未能识别科室, and the 已改正 line of its
    old problem went to 办公室's 本轮变化 while the 新退回 line went to 财务室. Now the later
    version replaces the earlier (the latest wins), and both lines, with the note of the
    replaced version, are in 财务室's package; 办公室 hears nothing of him."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("财务室", "赵会计", "主任", "人财物管理", True),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务室", "赵会计", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = "2026-03-20 来自张三/张三.xlsx"
    write_form(inbox / first, header=dict(HEADER, name="张三"),
               rows=[sample_row(1, harm="很重很重")])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert "很重很重" in set(issues[issues["文件"] == first]["原值"])  # precondition

    write_config(tmp_path, [("财务室", *p[1:]) if p[1] == "张三" else p for p in people], sections)
    second = "2026-04-02 来自张三/张三.xlsx"
    write_form(inbox / second, header=dict(HEADER, name="张三", date=datetime(2026, 4, 2)),
               rows=[sample_row(1)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    assert subs.loc["张三", "科室"] == "财务室"  # precondition: his later form is told there
    assert subs.loc["张三", "文件"] == second
    assert subs.loc["张三", "提交状态"] == vocab.STATUS_SENT_BACK
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert first not in text, text
    assert vocab.ROUND_REMINDER_UNCLAIMED not in text, text

    feedback = out / vocab.FEEDBACK_DIR
    book = feedback / "财务室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="财务室")
    changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert sorted(zip(changes["变化"], changes["科室"], changes["文件"], strict=True)) == sorted(
        [
            (vocab.ROUND_CHANGE_FIXED, "财务室", first),
            (vocab.ROUND_CHANGE_NEW_REJECT, "办公室", second),
        ]
    ), changes.to_string()
    issues = sheet(book, vocab.ARCHIVE_SHEET_ISSUES)
    assert first in set(issues[issues["处理"] == vocab.ACTION_NOTE]["文件"])
    office = feedback / "办公室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="办公室")
    changes = sheet(office, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    issues = sheet(office, vocab.ARCHIVE_SHEET_ISSUES)
    assert "张三" not in set(changes["姓名"]) | set(issues["姓名"]), changes.to_string()
    assert not list(feedback.glob(f"{vocab.FEEDBACK_UNKNOWN_SECTION_DIR}/张三*"))


def test_the_problems_still_open_are_those_a_section_can_fix(tmp_path: Path) -> None:
    """张三 corrected his form; the inbox still holds the Excel lock file his mail client
    saved (~$张三.xlsx) and the office's own circular (通知.pdf), both 退回. The archive's
    本轮变化 said 「仍未解决：退回的问题 2 处」, which no section could ever bring to 0. Now
    the problems to fix are 0, and the two files are said apart, for the office to look at."""
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    config = _chair_and_zhang_san(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "2026-03-20 来自张三/张三.xlsx", header=dict(HEADER, name="张三"),
               rows=[sample_row(1, harm="很重很重")])  # fmt: skip
    (inbox / "2026-03-20 来自张三/~$张三.xlsx").write_bytes(b"\x06lock" + b"\x00" * 160)
    (inbox / "通知.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    write_form(inbox / "2026-04-02 来自张三/张三.xlsx",
               header=dict(HEADER, name="张三", date=datetime(2026, 4, 2)), rows=[sample_row(1)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    rejected = set(issues[issues["处理"] == vocab.ACTION_REJECT]["文件"])
    assert rejected == {"2026-03-20 来自张三/~$张三.xlsx", "通知.pdf"}  # precondition
    summary = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0]
    assert "已改正 1 处" in summary, summary
    assert "仍未解决：退回的问题 0 处" in summary, summary
    assert vocab.ROUND_CHANGES_NOBODYS_PART.format(n=2) in summary, summary
    book = (
        out / vocab.FEEDBACK_DIR / "办公室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="办公室")
    )
    summary = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0]
    assert "退回的问题 0 处" in summary and "另有" not in summary, summary


def test_points_that_left_the_catalogue_after_a_roster_change_are_said_no_longer_counted(
    tmp_path: Path,
) -> None:
    """张三's and 周丽's forms were counted. The office then moved 张三 to 财务室 and took 周丽
    out of the roster; the same files are now 退回 as a whole, and their points left the
    catalogue. 本轮变化 said only 新退回 (「…不在组织名册中」), never that what had counted no
    longer did. Now each has a 不再计入 line saying why, 张三's in 财务室's package, and the
    summary counts them."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
        ("办公室", "周丽", "科员", "一般管理服务", False),
        ("财务室", "赵会计", "主任", "人财物管理", True),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "王芳", "陈主席"),
        ("财务室", "赵会计", "陈主席"),
    ]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    write_form(inbox / "周丽.xlsx", header=dict(HEADER, name="周丽"), rows=[sample_row(2)])
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    catalogue = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE)
    assert set(catalogue["姓名"]) == {"张三", "周丽"}  # precondition: both counted

    moved = [("财务室", *p[1:]) if p[1] == "张三" else p for p in people if p[1] != "周丽"]
    write_config(tmp_path, moved, sections)
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    assert sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CATALOGUE).empty  # precondition
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    dropped = table[table["变化"] == vocab.ROUND_CHANGE_DROPPED].set_index("姓名")
    assert set(dropped.index) == {"张三", "周丽"}, table.to_string()
    assert dropped.loc["张三", "科室"] == "财务室"
    assert dropped.loc["张三", "说明"].startswith(
        vocab.ROUND_CHANGE_DROPPED_MOVED.format(was="办公室", section="财务室")
    )
    assert "张三.xlsx" in dropped.loc["张三", "说明"]
    assert dropped.loc["周丽", "说明"] == vocab.ROUND_CHANGE_DROPPED_ROSTER_NOTE
    summary = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=None).iloc[1, 0]
    assert "不再计入 2 份" in summary, summary
    book = (
        out / vocab.FEEDBACK_DIR / "财务室" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="财务室")
    )
    changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert sorted(zip(changes["变化"], changes["姓名"], strict=True)) == sorted(
        [(vocab.ROUND_CHANGE_NEW_REJECT, "张三"), (vocab.ROUND_CHANGE_DROPPED, "张三")]
    ), changes.to_string()


def test_a_form_of_someone_taken_out_of_the_roster_is_in_the_package_of_the_section_asked(
    tmp_path: Path,
) -> None:
    """周丽 (权益部) sent a Word file, then her form, which replaced it and counted. The office
    then took her out of the roster. 催报名单 asked 权益部 about her form (「以下表格被退回，
    但对应不到名册中的报送人…」), but its copy and its 本轮变化 line were only in the office's
    未能识别科室 folder, and her Word file came back as a 新退回 with no 科室. Now 权益部's
    package holds the reason, the copy and the lines (新退回, 不再计入), and the Word file
    stays replaced by her form."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form
    from tests.test_pledges import write_docx

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("权益部", "刘敏", "部长", "一般管理服务", True),
        ("权益部", "周丽", "科员", "一般管理服务", False),
    ]
    sections = [("领导班子", "陈主席", ""), ("权益部", "刘敏", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    word = "2026-03-19 来自周丽/周丽_廉政风险自查表.docx"
    form = "2026-03-21 来自周丽/周丽.xlsx"
    write_docx(inbox / word, ["个人廉政风险自查表", "周丽", "权益部"])
    write_form(inbox / form, header=dict(HEADER, section="权益部", name="周丽"),
               rows=[sample_row(1)])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0
    files = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS)
    assert word in " ".join(files["备注"])  # precondition: her form replaced the Word file

    write_config(tmp_path, [p for p in people if p[1] != "周丽"], sections)
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    text = (out / vocab.REMINDER_FILE).read_text(encoding="utf-8-sig")
    assert form in text.split("【权益部】")[1], text  # precondition: 权益部 is asked
    issues = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_ISSUES)
    assert set(issues[issues["处理"] == vocab.ACTION_REJECT]["文件"]) == {form}
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert word not in set(table["文件"]), table.to_string()

    feedback = out / vocab.FEEDBACK_DIR
    book = feedback / "权益部" / vocab.FEEDBACK_FILE_TEMPLATE.format(section="权益部")
    changes = sheet(book, vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert sorted(zip(changes["变化"], changes["文件"], strict=True)) == sorted(
        [(vocab.ROUND_CHANGE_NEW_REJECT, form), (vocab.ROUND_CHANGE_DROPPED, form)]
    ), changes.to_string()
    mine = sheet(book, vocab.ARCHIVE_SHEET_ISSUES)
    assert form in set(mine[mine["处理"] == vocab.ACTION_REJECT]["文件"])
    with zipfile.ZipFile(feedback / "权益部.zip") as zf:
        assert f"权益部/周丽{vocab.ANNOTATED_SUFFIX}.xlsx" in zf.namelist()
    unknown = feedback / vocab.FEEDBACK_UNKNOWN_SECTION_DIR
    assert not unknown.exists() or not list(unknown.glob("周丽*"))


def test_a_renamed_sections_forms_counted_again_are_not_newly_accepted(tmp_path: Path) -> None:
    """Between rounds the office renamed 办公室 to 综合办公室 and entered a new hire, 孙新,
    whose form had been 退回 「不在组织名册中」. 王芳's and 张三's forms (naming 办公室) count
    as before, under the new name, but 本轮变化 listed both as 新接受, as if they had just
    come in. Now only 孙新's form is: 已改正 (settled by the roster) and 新接受."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
    ]
    sections = [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")]
    config = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    write_form(inbox / "王芳.xlsx", header=dict(HEADER, name="王芳", post="主任"),
               rows=[sample_row(2)])  # fmt: skip
    write_form(inbox / "孙新.xlsx", header=dict(HEADER, name="孙新"), rows=[sample_row(3)])
    assert process_cli(inbox, config, out, run_time="2026-03-25T09:00:00") == 0

    renamed = [("综合办公室", *p[1:]) if p[0] == "办公室" else p for p in people]
    renamed.append(("综合办公室", "孙新", "科员", "一般管理服务", False))
    write_config(tmp_path, renamed, [("综合办公室", *s[1:]) if s[0] == "办公室" else s
                                     for s in sections])  # fmt: skip
    assert process_cli(inbox, config, out, run_time="2026-04-03T09:00:00") == 0
    subs = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_SUBMISSIONS).set_index("姓名")
    for name in ("王芳", "张三", "孙新"):  # precondition: all counted under the new name
        assert subs.loc[name, "科室"] == "综合办公室"
        assert subs.loc[name, "提交状态"] == vocab.STATUS_ON_TIME
    table = sheet(archive(tmp_path), vocab.ARCHIVE_SHEET_CHANGES, header=CHANGES_HEADER_ROW)
    assert sorted(zip(table["变化"], table["姓名"], strict=True)) == sorted(
        [(vocab.ROUND_CHANGE_FIXED, "孙新"), (vocab.ROUND_CHANGE_ACCEPTED, "孙新")]
    ), table.to_string()
