"""The output folder's lifecycle, through the real command: the tool deletes only what it
wrote, a run is built aside and swapped in whole, what a killed run leaves is cleaned up by the
next run, and run.log says what each run read and refused."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from pipeline import outputs, vocab
from pipeline.demo import write_demo
from tests.forms import sample_row, write_form
from tests.test_output_robustness import (
    OFFICE,
    OFFICE_SECTION,
    archive,
    process,
    rows_of,
    write_body,
)


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != vocab.LOG_FILE
    }


def office_body(tmp_path: Path) -> Path:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    return root


def test_office_files_under_feedback_are_kept_and_named(tmp_path: Path, capsys) -> None:
    root = office_body(tmp_path)
    # a form rejected for a missing name gets an annotated copy in 办公室/
    bad = root / "inbox" / "王五.xlsx"
    write_form(bad, header={"section": "办公室", "name": ""})
    assert process(root, capsys)[0] == 0
    office = root / "out" / vocab.FEEDBACK_DIR / "办公室"
    (copy,) = office.glob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx")
    mine = office / "我的记录.docx"
    mine.write_bytes(b"notes of the office")
    theirs = root / "out" / vocab.FEEDBACK_DIR / "汇总" / "总表.xlsx"
    theirs.parent.mkdir()
    theirs.write_bytes(b"a table of the office")

    bad.unlink()  # the bad form is withdrawn: its copy is the tool's and goes
    code, out, _ = process(root, capsys)
    assert code == 0
    assert not copy.exists()
    assert mine.read_bytes() == b"notes of the office"
    assert theirs.read_bytes() == b"a table of the office"
    assert "2 个文件不是本工具生成的" in out and "我的记录.docx" in out
    log = (root / "out" / vocab.LOG_FILE).read_text(encoding="utf-8")
    assert "我的记录.docx" in log


def test_a_run_killed_midway_leaves_the_previous_outputs_whole(tmp_path: Path) -> None:
    write_demo(tmp_path, people=60, seed=5, error_rate=0.2)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "process",
        "--inbox",
        str(tmp_path / "inbox"),
        "--config",
        str(tmp_path / "config"),
        "--out",
        str(out),
        "--no-progress",
    ]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    before = tree(out)

    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while run.poll() is None and not list(out.glob(outputs.STAGING_PREFIX + "*")):
        pass
    assert run.poll() is None, "the run ended before it could be killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert list(out.glob(outputs.STAGING_PREFIX + "*"))  # the killed run's leftovers
    after = tree(out)
    assert outputs.RUNNING_FILE in after  # the killed run is marked unfinished
    assert {
        k: v
        for k, v in after.items()
        if not k.startswith(outputs.STAGING_PREFIX) and k != outputs.RUNNING_FILE
    } == before

    third = subprocess.run(command, capture_output=True, text=True, check=False)
    assert third.returncode == 0, third.stderr
    assert "没有正常结束" in third.stdout
    assert not list(out.glob(outputs.STAGING_PREFIX + "*"))
    assert not (out / outputs.RUNNING_FILE).exists()
    assert not [p for p in out.rglob(".tmp-*")]


def test_leftover_temporary_files_are_removed(tmp_path: Path, capsys) -> None:
    root = office_body(tmp_path)
    assert process(root, capsys)[0] == 0
    out = root / "out"
    leftovers = [
        out / ".tmp-k3j2h1.xlsx",
        out / (vocab.SUMMARY_FILE + ".tmp"),
        out / vocab.FEEDBACK_DIR / "办公室" / ".tmp-abc.xlsx",
        out / (outputs.STAGING_PREFIX + "99-1") / vocab.FEEDBACK_DIR / "办公室" / "x.xlsx",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    assert process(root, capsys)[0] == 0
    assert not [p for p in leftovers if p.exists()]
    assert not (out / (outputs.STAGING_PREFIX + "99-1")).exists()


def test_a_swap_interrupted_is_finished_by_the_next_run(tmp_path: Path, capsys) -> None:
    root = office_body(tmp_path)
    assert process(root, capsys)[0] == 0
    out = root / "out"
    manifest = json.loads((out / outputs.MANIFEST_FILE).read_text(encoding="utf-8"))
    staged = out / (outputs.STAGING_PREFIX + "7-7")
    (staged / vocab.FEEDBACK_DIR / "办公室").mkdir(parents=True)
    (staged / vocab.FEEDBACK_DIR / "办公室" / "新_批注.xlsx").write_bytes(b"new")
    plan = {
        "format": 1,
        "state": outputs.STATE_SWAPPING,
        "staging": staged.name,
        "new": [f"{vocab.FEEDBACK_DIR}/办公室/新_批注.xlsx"],
        "old": manifest["files"],
        "drop": [],
    }
    (out / outputs.MANIFEST_FILE).write_text(json.dumps(plan), encoding="utf-8")
    code, text, _ = process(root, capsys)
    assert code == 0 and "替换输出文件时中断" in text
    assert not staged.exists()
    # the finished swap's file is the tool's: this run, which did not write it, removed it
    assert not (out / vocab.FEEDBACK_DIR / "办公室" / "新_批注.xlsx").exists()


def test_a_full_disk_is_named_and_the_previous_outputs_stay(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = office_body(tmp_path)
    assert process(root, capsys)[0] == 0
    before = tree(root / "out")

    def full(result, out):
        path = out / "x.xlsx"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr("pipeline.write_archive.write_archive", full)
    code, _, err = process(root, capsys)
    assert code == 2 and "磁盘空间不足" in err and "权限" not in err
    assert tree(root / "out") == before
    assert archive(root / "out").exists()


def test_an_unlistable_subfolder_is_counted_and_reported(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = office_body(tmp_path)
    locked = root / "inbox" / "2026-03-24 来自王五"
    locked.mkdir()
    write_form(locked / "王五.xlsx", header={"section": "办公室", "name": "王五"})
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if (
            isinstance(path, str | os.PathLike) and Path(path) == locked
        ):  # stands in for a folder without read permission
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    code, _, _ = process(root, capsys)
    monkeypatch.setattr(os, "scandir", real_scandir)
    assert code == 0
    summary = json.loads((root / "out" / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["files"]["total"] == 2 and summary["files"]["rejected"] == 1
    import openpyxl

    ws = openpyxl.load_workbook(archive(root / "out"), read_only=True)[vocab.ARCHIVE_SHEET_ISSUES]
    rows = [r for r in ws.iter_rows(values_only=True) if r and "2026-03-24 来自王五" in r]
    assert rows and "文件夹无法打开" in "".join(str(v) for v in rows[0])


def test_run_log_shows_control_characters_of_names_escaped(tmp_path: Path, capsys) -> None:
    """A file or person named with terminal escapes (ESC[2J clears the screen, ESC]0;…BEL
    retitles the window) is written to run.log as visible text, so `cat run.log` or `type
    run.log` shows what was read instead of obeying it: the person as \\x1b…, the file as it
    is shown everywhere, its control characters as spaces."""
    root = office_body(tmp_path)
    evil = root / "inbox" / "\x1b[2J清屏\x07.xlsx"
    write_form(evil, header={"section": "办公室", "name": "陌生\x1b]0;改标题\x07人"})
    assert "\x1b" in evil.name
    assert process(root, capsys)[0] == 0
    log = (root / "out" / vocab.LOG_FILE).read_text(encoding="utf-8")
    assert "\x1b" not in log and "\x07" not in log
    assert "rejected  [2J清屏 .xlsx" in log and "陌生\\x1b]0;改标题\\x07人" in log
    assert "read      张三.xlsx" in log  # lines and tabs as before


def test_a_right_to_left_override_in_a_name_reverses_no_message(tmp_path: Path, capsys) -> None:
    """A name with U+202E (张三<RLO>xcod.xlsx shows as 张三xslx.docx) is shown with the override
    as [不可见字符]: quoted inside a message (被新版本替代), the override turned the rest of the
    tool's own Chinese text backwards, in cells, 催报名单, the terminal, run.log and the name of
    the annotated copy. So is a value pasted with one that a message quotes (「<RLO>极其高」)."""
    root = office_body(tmp_path)
    evil = root / "inbox" / "张三\u202excod.xlsx"
    later = {"section": "办公室", "name": "张三", "date": datetime(2026, 3, 20)}
    write_form(evil, header=later, rows=[sample_row(1), sample_row(2, likelihood="\u202e极其高")])
    assert evil.exists() and "\u202e" in evil.name
    code, out, _ = process(root, capsys)
    assert code == 0
    shown = "张三[不可见字符]xcod.xlsx"
    texts = [out, (root / "out" / vocab.LOG_FILE).read_text(encoding="utf-8")]
    texts.append((root / "out" / vocab.REMINDER_FILE).read_text(encoding="utf-8"))
    import openpyxl

    for book in (root / "out").rglob("*.xlsx"):
        for ws in openpyxl.load_workbook(book, read_only=True):
            texts += [str(v) for r in ws.iter_rows(values_only=True) for v in r if v]
    names = [p.name for p in (root / "out").rglob("*")]
    # only the cell as written keeps it (原值, the annotated copy's cell): no name, no message
    assert {t for t in texts + names if "\u202e" in t} == {"\u202e极其高"}
    issues = rows_of(archive(root / "out"), vocab.ARCHIVE_SHEET_ISSUES)
    assert any(f"新版本「{shown}」" in str(r["问题"]) for r in issues)  # 张三.xlsx superseded
    (bad,) = [r for r in issues if r["文件"] == shown]  # its own row sent back, its value
    assert "发生几率「[不可见字符]极其高」不在可选范围内" in str(bad["问题"])  # quoted as the name
    assert f"张三[不可见字符]xcod{vocab.ANNOTATED_SUFFIX}.xlsx" in names


def test_run_log_says_what_was_read_refused_and_why(tmp_path: Path, capsys) -> None:
    root = office_body(tmp_path)
    (root / "inbox" / "通知.pdf").write_bytes(b"%PDF-1.4 not a form")
    assert process(root, capsys)[0] == 0
    log = (root / "out" / vocab.LOG_FILE).read_text(encoding="utf-8")
    assert "read      张三.xlsx" in log
    assert "rejected  通知.pdf  [not_excel]" in log and "PDF" in log
    assert "stage times:" in log and "read " in log


def _held_open(monkeypatch: pytest.MonkeyPatch, held: Path):
    """``os.replace`` refuses ``held`` as Windows refuses a file Excel holds open; returns the
    real ``os.replace`` to put back."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == held:
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return real_replace


def test_an_archive_held_open_stops_the_swap_before_its_pdf_is_replaced(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive open in Excel (Windows refuses to replace it): the message says the
    outputs are the previous run's, so its PDF must not already be this run's (the PDF sorted
    before the .xlsx and was moved first)."""
    from pipeline import printing

    runs = iter(range(1, 10))

    def fake_pdf(workbook: Path, n_points: int) -> Path:  # LibreOffice stand-in
        pdf = printing.pdf_path(workbook)
        pdf.write_bytes(f"%PDF-1.4 run {next(runs)}".encode())
        return pdf

    monkeypatch.setattr(printing, "archive_pdf", fake_pdf)
    root = office_body(tmp_path)
    out = root / "out"
    assert process(root, capsys)[0] == 0
    held = archive(out)
    pdf = printing.pdf_path(held)
    assert pdf.read_bytes() == b"%PDF-1.4 run 1"  # the precondition: a PDF beside the archive
    before = {p: p.read_bytes() for p in (held, pdf)}
    real_replace = _held_open(monkeypatch, held)
    code, _, err = process(root, capsys)
    monkeypatch.setattr(os, "replace", real_replace)
    assert code == 2 and held.name in err and "上一次运行的结果" in err, err
    assert {p: p.read_bytes() for p in (held, pdf)} == before


def test_an_archive_held_open_keeps_the_files_this_run_would_drop(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that makes no PDF (LibreOffice gone) drops the last one's; with the archive open
    in Excel the swap stops, and the previous outputs must be whole: the PDF was deleted
    before the first move was tried."""
    from pipeline import printing

    def fake_pdf(workbook: Path, n_points: int) -> Path:  # LibreOffice stand-in
        pdf = printing.pdf_path(workbook)
        pdf.write_bytes(b"%PDF-1.4 last run")
        return pdf

    monkeypatch.setattr(printing, "archive_pdf", fake_pdf)
    root = office_body(tmp_path)
    out = root / "out"
    assert process(root, capsys)[0] == 0
    held = archive(out)
    pdf = printing.pdf_path(held)
    assert pdf.is_file()  # the precondition: the last run's PDF beside its archive
    monkeypatch.setattr(printing, "archive_pdf", lambda workbook, n_points: None)
    real_replace = _held_open(monkeypatch, held)
    code, _, err = process(root, capsys)
    monkeypatch.setattr(os, "replace", real_replace)
    assert code == 2 and "上一次运行的结果" in err, err
    assert pdf.read_bytes() == b"%PDF-1.4 last run"


def test_a_folder_holding_an_output_name_is_named_as_a_folder(tmp_path: Path, capsys) -> None:
    """A folder in OUT under the archive's name (made by hand, or an unpacked copy): the
    message says a folder is in the way, not that the file is open in Excel."""
    root = office_body(tmp_path)
    assert process(root, capsys)[0] == 0
    held = archive(root / "out")
    held.unlink()
    held.mkdir()
    assert held.is_dir()  # the precondition: a folder where the archive is written
    code, _, err = process(root, capsys)
    assert code == 2 and held.name in err, err
    assert "Excel" not in err and "是一个文件夹" in err, err
