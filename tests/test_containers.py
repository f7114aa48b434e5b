"""Containers: a section's .zip of its members' forms and a saved .eml are opened within the
workbook limits and every file inside is read or reported as ``外层.zip/内层.xlsx``; names
mangled by unzipping elsewhere are shown decoded."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email
import email.errors
import email.header
import email.policy
import io
import json
import os
import struct
import zipfile
import zlib
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import containers, frames, run, vocab
from tests.builders import write_config
from tests.forms import form_grid, rewrite_zip, sample_row, write_form, write_xlsx
from tests.outlook import SENT, compound_file, message, write_msg
from tests.test_realforms import graded

SEVEN_ZIP_DAMAGED = "container_corrupt"  # py7zr is a dependency: a damaged .7z is opened
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _form(path: Path, name: str, section: str = "办公室", n: int = 1) -> bytes:
    write_form(path, header={"name": name, "section": section}, rows=[sample_row(n)])
    return path.read_bytes()


def _bomb(tmp: Path) -> bytes:
    base = tmp / "base.xlsx"
    _form(base, "张三")
    bomb = tmp / "bomb.xlsx"
    rewrite_zip(base, bomb, {"xl/media/image1.bin": b"\x00" * (8 * 1024 * 1024)})
    return bomb.read_bytes()


class _GbkInfo(zipfile.ZipInfo):
    """A member whose name is stored as GBK bytes without the UTF-8 flag."""

    def _encodeFilenameFlags(self):  # zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _gbk_zip(path: Path, members: dict[str, bytes]) -> None:
    """A zip as Chinese Windows writes it: names in GBK, no UTF-8 flag, forms stored."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(_GbkInfo(name, (2026, 3, 20, 9, 0, 0)), data)
    with zipfile.ZipFile(path) as zf:  # the precondition: the names are not flagged UTF-8
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())


def test_zip_of_three_forms_one_a_bomb_is_read_file_by_file(tmp_path: Path) -> None:
    work = tmp_path / "work"
    inbox = tmp_path / "inbox"
    _gbk_zip(
        inbox / "办公室.zip",
        {
            "办公室自查表/张三.xlsx": _form(work / "a.xlsx", "张三", n=1),
            "办公室自查表/李四.xlsx": _form(work / "b.xlsx", "李四", n=2),
            "办公室自查表/炸弹.xlsx": _bomb(work),
        },
    )
    before = (inbox / "办公室.zip").read_bytes()
    files, rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    outer = "办公室.zip"
    assert by_file.loc[outer, "status"] == containers.STATUS_OPENED  # until run settles it
    zhang = f"{outer}/办公室自查表/张三.xlsx"
    li = f"{outer}/办公室自查表/李四.xlsx"
    bomb = f"{outer}/办公室自查表/炸弹.xlsx"
    assert by_file.loc[[zhang, li, bomb], "status"].tolist() == [
        frames.FILE_STATUS_READ,
        frames.FILE_STATUS_READ,
        frames.FILE_STATUS_REJECTED,
    ]
    assert by_file.loc[bomb, "reason"] == "zip_bomb"
    assert (issues[issues["file"] == bomb]["code"] == "zip_bomb").all()
    assert sorted(points["name"]) == ["张三", "李四"]
    assert sorted(points["file"]) == sorted([li, zhang])
    # the inbox holds only the zip, unchanged: the files inside went to a private folder
    assert [p.name for p in inbox.rglob("*")] == [outer]
    assert (inbox / outer).read_bytes() == before
    for path in by_file.loc[[zhang, li], "source_path"]:
        assert not Path(path).is_relative_to(inbox)
    # accounting: the zip is one file under INBOX, the files inside are counted apart
    counts = run.count(containers.settle(files), rows, points)
    assert counts["files"] == {"total": 1, "read": 1, "rejected": 0, "superseded": 0}
    assert counts["contained_files"] == {"total": 3, "read": 2, "rejected": 1, "superseded": 0}
    assert counts["rows"]["total"] == 2


def test_an_attachment_name_split_inside_a_character_is_decoded_whole(tmp_path: Path) -> None:
    # mail clients cut a long GBK name into encoded words anywhere, even inside a character
    raw = "王五_廉政风险自查表.xlsx".encode("gbk")
    words = [base64.b64encode(raw[:8]).decode(), base64.b64encode(raw[8:]).decode()]
    assert raw[:8].decode("gbk", errors="replace").endswith("\ufffd")  # precondition
    data = base64.encodebytes(_form(tmp_path / "w.xlsx", "王五", "财务科", 2)).decode()
    mail = (
        "From: cwk@example.cn\nSubject: zicha\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\n'
        "Content-Type: text/plain; charset=utf-8\n\nhi\n--B\n"
        f'Content-Type: application/octet-stream;\n name="=?GBK?B?{words[0]}?=\n'
        f' =?GBK?B?{words[1]}?="\nContent-Transfer-Encoding: base64\n'
        f"Content-Disposition: attachment\n\n{data}\n--B--\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(mail.replace("\n", "\r\n").encode())
    files, _rows, points, _issues = graded(inbox)
    assert "来信.eml/王五_廉政风险自查表.xlsx" in set(files["file"])
    assert set(points["name"]) == {"王五"}


def test_mail_with_two_attachments_is_read_attachment_by_attachment(tmp_path: Path) -> None:
    work = tmp_path / "work"
    inbox = tmp_path / "inbox"
    msg = EmailMessage()
    msg["From"] = "财务科 <cwk@example.cn>"
    msg["Subject"] = "财务科廉政风险自查表"
    msg["Date"] = "Fri, 20 Mar 2026 09:30:00 +0800"
    msg.set_content("请查收附件。")
    msg.add_attachment(
        _form(work / "w.xlsx", "王五", "财务科", 3),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename="王五自查表.xlsx",
    )
    msg.add_attachment(
        _form(work / "z.xlsx", "赵六", "财务科", 4),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename="赵六自查表.xlsx",
    )
    inbox.mkdir()
    (inbox / "财务科来信.eml").write_bytes(msg.as_bytes())
    files, _rows, points, _issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["财务科来信.eml", "status"] == containers.STATUS_OPENED
    inner = ["财务科来信.eml/王五自查表.xlsx", "财务科来信.eml/赵六自查表.xlsx"]
    assert by_file.loc[inner, "status"].tolist() == [frames.FILE_STATUS_READ] * 2
    assert by_file.loc[inner, "container"].tolist() == ["财务科来信.eml"] * 2
    assert sorted(points["name"]) == ["王五", "赵六"]
    assert sorted(points["section"]) == ["财务科", "财务科"]


def test_an_outlook_mail_is_read_attachment_by_attachment(tmp_path: Path) -> None:
    """A mail dragged out of Outlook is a .msg (an OLE compound file, not MIME): its
    attachments, and those of a mail attached to it, are read like an .eml's, the mail's
    send time standing for their date. Before, 「这不是 Excel 表格文件」 and every form in it
    was lost to the count."""
    work = tmp_path / "work"
    forwarded = message(
        [("赵六自查表.xlsx", _form(work / "z.xlsx", "赵六", "财务科", 4))], top=False
    )
    attachments = [
        ("王五_个人廉政风险自查表.xlsx", _form(work / "w.xlsx", "王五", "财务科", 3)),
        ("说明.txt", "请查收".encode()),
        forwarded,
    ]
    inbox = tmp_path / "inbox"
    mail = write_msg(inbox / "财务科来信.msg", attachments, sent=SENT)
    empty = write_msg(inbox / "空邮件.msg", [])
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (mail, empty)}
    assert mail.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # the precondition: OLE, no MIME
    files, rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["财务科来信.msg", "status"] == containers.STATUS_OPENED
    forms = ["财务科来信.msg/王五_个人廉政风险自查表.xlsx", "财务科来信.msg/赵六自查表.xlsx"]
    assert by_file.loc[forms, "status"].tolist() == [frames.FILE_STATUS_READ] * 2
    assert by_file.loc[forms, "container"].tolist() == ["财务科来信.msg"] * 2
    assert by_file.loc[forms, "mtime"].tolist() == [SENT.timestamp()] * 2
    assert sorted(points["name"]) == ["王五", "赵六"]
    note = issues[issues["file"] == "财务科来信.msg/说明.txt"]
    assert note["code"].tolist() == ["not_excel"]  # reported, not lost
    (nothing,) = issues[issues["file"] == "空邮件.msg"].to_dict("records")
    assert nothing["code"] == "container_empty" and nothing["action"] == vocab.ACTION_REJECT
    assert "Outlook 邮件中没有任何文件" in nothing["problem"]
    counts = run.count(containers.settle(files), rows, points)
    assert counts["files"] == {"total": 2, "read": 1, "rejected": 1, "superseded": 0}
    assert counts["contained_files"] == {"total": 3, "read": 2, "rejected": 1, "superseded": 0}
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (mail, empty)} == before


def test_a_broken_outlook_mail_is_told_as_such(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    mail = write_msg(inbox / "来信.msg", [("王五.xlsx", _form(tmp_path / "w.xlsx", "王五"))])
    data = mail.read_bytes()
    mail.write_bytes(data[:1536])  # cut short in the download: the directory is gone
    _files, _rows, points, issues = graded(inbox)
    assert points.empty
    (issue,) = issues[issues["file"] == "来信.msg"].to_dict("records")
    assert issue["action"] == vocab.ACTION_REJECT
    assert issue["code"] == "mail_corrupt"
    assert issue["problem"].startswith("这个Outlook 邮件文件已损坏或不完整")
    assert "附件直接重新发送" in issue["fix"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("科室.rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "archive_unsupported"),
        # opened with py7zr where it is installed (a dependency), else reported
        ("科室.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, SEVEN_ZIP_DAMAGED),
        ("空.zip", b"PK\x05\x06" + b"\x00" * 18, "container_empty"),
        # a download cut short: a member's header, no central directory (was 「这不是 Excel
        # 表格文件（压缩包）」, as if a zip were simply the wrong kind of file)
        ("科室.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x9c" * 200, "container_corrupt"),
    ],
)
def test_containers_that_cannot_be_read_say_what_to_do(
    tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(content)
    files, _rows, _points, issues = graded(inbox)
    assert files.loc[0, "reason"] == code
    (issue,) = issues.to_dict("records")
    assert issue["code"] == code and issue["action"] == vocab.ACTION_REJECT
    if code == "archive_unsupported":
        assert "请解压后放入收件箱" in issue["fix"]
    if code == "container_corrupt":
        assert "压缩包已损坏或不完整" in issue["problem"]


def test_a_zip_inside_a_zip_is_opened_too(tmp_path: Path) -> None:
    work = tmp_path / "work"
    inner = work / "内层.zip"
    _gbk_zip(inner, {"张三.xlsx": _form(work / "a.xlsx", "张三")})
    inbox = tmp_path / "inbox"
    _gbk_zip(inbox / "外层.zip", {"内层.zip": inner.read_bytes(), "说明.txt": "请查收".encode()})
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["外层.zip/内层.zip/张三.xlsx", "status"] == frames.FILE_STATUS_READ
    assert by_file.loc["外层.zip/内层.zip/张三.xlsx", "container"] == "外层.zip/内层.zip"
    assert points["name"].tolist() == ["张三"]
    note = issues[issues["file"] == "外层.zip/说明.txt"]
    assert note["code"].tolist() == ["not_excel"]  # reported, not lost


def test_a_zip_inflating_past_the_ratio_is_refused_without_extracting(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "包.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("大.xlsx", b"\x00" * (20 * 1024 * 1024))
    assert (inbox / "包.zip").stat().st_size < 100_000  # the precondition: a 20 MB bomb
    files, _rows, _points, issues = graded(inbox)
    assert files["file"].tolist() == ["包.zip"]  # nothing inside was extracted
    assert files.loc[0, "reason"] == "zip_bomb"
    assert issues["code"].tolist() == ["zip_bomb"]


def test_a_name_mangled_by_unzipping_elsewhere_is_shown_decoded(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    mangled = "张三自查表.xlsx".encode("gbk").decode("cp437")
    assert mangled != "张三自查表.xlsx" and "張" not in mangled  # the precondition
    write_xlsx(inbox / mangled, {"Sheet1": form_grid(rows=[sample_row(1)])})
    files, _rows, points, _issues = graded(inbox)
    assert files.loc[0, "file"] == "张三自查表.xlsx"
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert points["file"].tolist() == ["张三自查表.xlsx"]
    assert containers.decode_mangled("╡Ñ╬╗.xlsx") == "单位.xlsx"


def test_names_that_are_raw_bytes_on_disk_are_shown_decoded_and_the_run_ends(
    tmp_path: Path,
) -> None:
    """An archive unpacked on Linux keeps its GBK names as bytes; a name may also hold bytes
    no encoding reads. The run reads the form under its Chinese name, reports the other, and
    writes every output (the summary and round files are UTF-8 text)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = inbox / "form.xlsx"
    write_form(form, header={"name": "张三", "section": "办公室"}, rows=[sample_row(1)])
    gbk = os.path.join(os.fsencode(inbox), "张三自查表.xlsx".encode("gbk"))
    os.rename(os.fsencode(form), gbk)
    junk = os.path.join(os.fsencode(inbox), b"\xff\xfe.xlsx")
    with open(junk, "wb") as fh:
        fh.write(b"not a workbook")
    names = os.listdir(inbox)
    raw = [n for n in names if any("\udc80" <= c <= "\udcff" for c in n)]  # bytes kept
    assert len(names) == len(raw) == 2
    out = tmp_path / "out"
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])
    result = run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    shown = dict(zip(result.files["file"], result.files["status"], strict=True))
    assert shown == {
        "张三自查表.xlsx": frames.FILE_STATUS_READ,
        "\ufffd\ufffd.xlsx": frames.FILE_STATUS_REJECTED,
    }
    assert result.points["file"].tolist() == ["张三自查表.xlsx"]
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["files"] == {"total": 2, "read": 1, "rejected": 1, "superseded": 0}


def test_gbk_names_whose_bytes_are_valid_utf8_are_shown_decoded(tmp_path: Path) -> None:
    """郑一 in GBK (D6 A3 D2 BB) is valid UTF-8 too: a GBK name on disk, or in a zip without
    the UTF-8 flag, was shown 「֣һ.xlsx」 (a Hebrew accent and a Cyrillic letter) in every
    output. A name whose UTF-8 reading is no writing and whose GBK reading is common Chinese is
    shown decoded; a real Cyrillic name stays as it is."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = "郑一.xlsx".encode("gbk")
    assert raw.decode("utf-8") == "\u05a3\u04bb.xlsx"  # the precondition: valid UTF-8
    with open(os.path.join(os.fsencode(inbox), raw), "wb") as fh:
        fh.write(_form(tmp_path / "a.xlsx", "郑一"))
    _gbk_zip(inbox / "办公室.zip", {"郑一自查表.xlsx": _form(tmp_path / "b.xlsx", "郑一", n=2)})
    (inbox / "Иванов.xlsx").write_bytes(_form(tmp_path / "c.xlsx", "张三", n=3))
    files, _rows, points, _issues = graded(inbox)
    shown = set(files["file"])
    assert {"郑一.xlsx", "办公室.zip/郑一自查表.xlsx", "Иванов.xlsx"} <= shown
    assert not any("\u05a3" in name for name in shown)
    assert sorted(set(points["file"])) == ["Иванов.xlsx"]  # 郑一 is in no roster: not counted
    reason = files.set_index("file")["reason"]
    assert reason["郑一.xlsx"] == reason["办公室.zip/郑一自查表.xlsx"] == "not_in_roster"


def test_forms_sent_back_inside_a_zip_and_a_mail_get_their_annotated_copies(
    tmp_path: Path,
) -> None:
    """A section's .zip and a mail holding forms of two sections, each with a rejected value:
    each form's copy, its bad cell commented, goes to its own section's folder and package
    (and nowhere else). Before, every member got no copy: its bytes lie in the run's private
    folder, which the copy writer took for a link out of the inbox."""
    import openpyxl

    work = tmp_path / "work"
    inbox = tmp_path / "inbox"
    bad = {"张三": "超高", "钱七": "不好说", "赵六": "极高"}

    def form(name: str, section: str) -> bytes:
        path = work / f"{name}.xlsx"
        rows = [sample_row(1), sample_row(2, likelihood=bad[name])]
        write_form(path, header={"name": name, "section": section}, rows=rows)
        return path.read_bytes()

    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("办公室/张三.xlsx", form("张三", "办公室"))
        zf.writestr("财务科/钱七.xlsx", form("钱七", "财务科"))
    msg = EmailMessage()
    msg["From"] = "财务科 <cwk@example.cn>"
    msg["Subject"] = "自查表"
    msg["Date"] = "Fri, 20 Mar 2026 09:30:00 +0800"
    msg.set_content("请查收附件。")
    msg.add_attachment(
        form("赵六", "财务科"), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename="赵六.xlsx"
    )
    (inbox / "来信.eml").write_bytes(msg.as_bytes())
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
        ("财务科", "赵六", "科长", "人财物管理", "是"),
        ("财务科", "钱七", "出纳", "人财物管理", "否"),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("办公室", "张三", "陈主席"),
        ("财务科", "赵六", "陈主席"),
    ]
    cfg = write_config(tmp_path, people, sections)
    out = tmp_path / "out"
    result = run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    rejected = result.issues[result.issues["action"] == vocab.ACTION_REJECT]
    assert sorted(rejected["value"]) == sorted(bad.values())  # precondition: one 退回 each
    feedback = out / vocab.FEEDBACK_DIR
    for section, names in (("办公室", ["张三"]), ("财务科", ["赵六", "钱七"])):
        copies = sorted(p.name for p in (feedback / section).glob(f"*{vocab.ANNOTATED_SUFFIX}*"))
        assert copies == sorted(f"{n}{vocab.ANNOTATED_SUFFIX}.xlsx" for n in names)
        for name in names:
            sheet = openpyxl.load_workbook(
                feedback / section / f"{name}{vocab.ANNOTATED_SUFFIX}.xlsx"
            )[vocab.SHEET_INDIVIDUAL]
            assert sheet["E5"].value == bad[name]
            assert bad[name] in sheet["E5"].comment.text
        with zipfile.ZipFile(feedback / f"{section}.zip") as package:
            assert sum(vocab.ANNOTATED_SUFFIX in n for n in package.namelist()) == len(names)


def test_the_terminal_and_the_cover_count_the_files_inside_containers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One zip of two forms, one of them corrupt: the terminal and the archive's 说明 say how
    many files the zip held and that one was 退回 (before, both showed only 「共 1 个，读取 1
    个，退回 0 个」: the refused file was in 异常清单 but in no count the office reads)."""
    from openpyxl import load_workbook

    from pipeline.cli import main

    work, inbox, out = tmp_path / "work", tmp_path / "inbox", tmp_path / "out"
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "主任", "其他", "是"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")])
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(work / "a.xlsx", "张三"))
        zf.writestr("李四.xlsx", b"PK\x03\x04 cut short")
    args = ["process", "--inbox", str(inbox), "--config", str(cfg), "--out", str(out)]
    assert main([*args, "--no-progress", "--run-time", "2026-04-01T09:00:00"]) == 0
    shown = capsys.readouterr().out
    assert "文件：共 1 个，读取 1 个，退回 0 个" in shown
    assert "压缩包、邮件里的文件：共 2 个，读取 1 个，退回 1 个，被新版本替代 0 个" in shown
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    ws = load_workbook(archive)[vocab.ARCHIVE_SHEET_COVER]
    cells = {r[0].value: r[1].value for r in ws.iter_rows(max_col=2) if r[0].value}
    labels = vocab.ARCHIVE_CONTAINED_LABELS
    assert [cells[labels[k]] for k in ("total", "read", "rejected", "superseded")] == [2, 1, 1, 0]


def test_a_symbolic_link_stored_in_a_zip_is_reported_as_a_link(tmp_path: Path) -> None:
    """A zip made on Linux or a Mac keeps a symbolic link as a member whose content is the
    path it points to. It is reported as the link it is (never followed), not as a corrupt
    file whose extension was changed; the form beside it is read."""
    work = tmp_path / "work"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = _form(work / "outside.xlsx", "李四", n=2)
    assert outside
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(work / "a.xlsx", "张三"))
        link = zipfile.ZipInfo("李四.xlsx")
        link.external_attr = 0o120777 << 16  # S_IFLNK: what `zip --symlinks` writes
        zf.writestr(link, str(work / "outside.xlsx"))
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:
        assert (zf.getinfo("李四.xlsx").external_attr >> 16) & 0o170000 == 0o120000
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    member = "办公室.zip/李四.xlsx"
    assert by_file.loc[member, "status"] == frames.FILE_STATUS_REJECTED
    assert by_file.loc[member, "reason"] == "symlink"
    assert "符号链接" in issues[issues["file"] == member]["problem"].iloc[0]
    assert points["name"].tolist() == ["张三"]


@pytest.mark.parametrize("stored", [(1980, 1, 1, 0, 0, 0), (2000, 1, 1, 0, 0, 0)])
def test_a_form_in_a_zip_without_real_dates_is_judged_by_the_zips_date(
    tmp_path: Path, stored: tuple[int, ...]
) -> None:
    """A section mails back its feedback (or prefill) package with 张三's form, no 填表日期,
    after the deadline. The tool's packages store every file with a fixed date (1980-01-01,
    2000-01-01), and 提交情况 said 「按文件修改日期 1980-01-01 判断」: 按时. Now such a
    placeholder date is no date: the zip's own date decides (逾期, and the note names it)."""
    from tests.conftest import process_cli

    people = [("领导班子", "陈主席", "主席", "领导班子正职", False)]
    people.append(("办公室", "张三", "科员", "一般管理服务", True))
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    package = inbox / "办公室.zip"
    package.parent.mkdir(parents=True)
    with zipfile.ZipFile(package, "w") as zf:
        data = _no_date(_form(tmp_path / "work" / "张三.xlsx", "张三"))
        zf.writestr(zipfile.ZipInfo("办公室/张三.xlsx", date_time=stored), data)
    sent = datetime(2026, 4, 8, 9, 30).timestamp()
    os.utime(package, (sent, sent))
    assert process_cli(inbox, config, out) == 0
    (book,) = out.glob("*_廉政风险信息档案.xlsx")
    subs = pd.read_excel(
        book, sheet_name=vocab.ARCHIVE_SHEET_SUBMISSIONS, dtype=str, engine="calamine"
    ).fillna("")
    (row,) = subs[subs["姓名"] == "张三"].itertuples()
    assert row.提交状态 == vocab.STATUS_LATE, subs.to_string()
    assert "2026-04-08" in row.备注 and str(stored[0]) not in row.备注


def _no_date(data: bytes) -> bytes:
    """The form's bytes with its 填表日期 cell emptied."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[vocab.SHEET_INDIVIDUAL]
    for row in ws.iter_rows(min_row=1, max_row=3):
        for cell in row:
            if cell.value == vocab.HEADER_LABELS["date"]:
                ws.cell(cell.row, cell.column + 1).value = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _people_config(tmp_path: Path) -> Path:
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
        ("办公室", "李四", "文员", "其他", "否"),
    ]
    return write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])


def test_a_mail_attachment_named_in_raw_gbk_bytes_is_read_and_the_run_ends(
    tmp_path: Path,
) -> None:
    """Old Foxmail and some webmail write an attachment's GBK name into the header as raw
    8-bit bytes, unencoded. The form is read under its Chinese name and the run writes every
    output (before, the bytes stayed lone surrogates and the run died writing its round
    files, after every stage had run)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = "李四自查表.xlsx".encode("gbk")
    data = base64.encodebytes(_form(tmp_path / "w.xlsx", "李四"))
    mail = (
        b"From: ls@foxmail.com\r\nSubject: zicha\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain\r\n\r\nhi\r\n--B\r\n"
        b'Content-Type: application/octet-stream; name="' + raw + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="'
        + raw
        + b'"\r\n\r\n'
        + data
        + b"\r\n--B--\r\n"
    )
    (inbox / "来信.eml").write_bytes(mail)
    parsed = email.message_from_bytes(mail, policy=email.policy.default)
    name = next(parsed.iter_attachments()).get_filename()
    assert "\ufffd" in name  # the precondition: the parser cannot read the name
    out = tmp_path / "out"
    result = run.process(inbox, _people_config(tmp_path), out, run_time="2026-04-01T09:00:00")
    member = "来信.eml/李四自查表.xlsx"
    shown = dict(zip(result.files["file"], result.files["status"], strict=True))
    assert shown[member] == frames.FILE_STATUS_READ
    assert result.points["file"].tolist() == [member]
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["rows"]["accepted"] == 1


def test_zip_member_names_climbing_out_are_shown_inside_the_zip(tmp_path: Path) -> None:
    """A member named ``../../x.xlsx``, ``/etc/x.xlsx`` or ``C:\\…`` is read and shown inside
    its zip (``外层.zip/x.xlsx``), never as a path that climbs out of it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("../../张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr("C:\\Users\\li\\李四.xlsx", _form(tmp_path / "b.xlsx", "李四", n=2))
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:
        assert zf.namelist()[0].startswith("../")  # the precondition
    files, _rows, points, _issues = graded(inbox)
    assert sorted(points["file"]) == ["办公室.zip/Users/li/李四.xlsx", "办公室.zip/张三.xlsx"]
    assert not any(".." in f for f in files["file"])
    assert [p.name for p in tmp_path.rglob("张三.xlsx")] == []


def _zipcrypto_zip(path: Path, name: str, data: bytes, password: bytes) -> None:
    """A zip whose member is encrypted with the traditional PKWARE cipher (what WinRAR,
    7-Zip and Windows' own 「加密」 write by default), stored."""
    import struct
    import zlib

    def crc(old: int, byte: int) -> int:
        return (zlib.crc32(bytes([byte]), old ^ 0xFFFFFFFF) ^ 0xFFFFFFFF) & 0xFFFFFFFF

    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = crc(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc(keys[2], keys[1] >> 24)

    def encrypt(plain: bytes) -> bytes:
        out = bytearray()
        for byte in plain:
            temp = (keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            update(byte)
        return bytes(out)

    for byte in password:
        update(byte)
    check = zlib.crc32(data)
    body = encrypt(bytes(11) + bytes([check >> 24])) + encrypt(data)
    raw = name.encode("utf-8")
    head = struct.pack(
        "<HHHHHIIIHH", 20, 0x801, 0, 0, 0x5A74, check, len(body), len(data), len(raw), 0
    )
    local = b"PK\x03\x04" + head + raw
    central = (
        b"PK\x01\x02"
        + struct.pack("<H", 20)
        + head
        + struct.pack("<HHHII", 0, 0, 0, 0o100644 << 16, 0)
        + raw
    )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(body), 0
    )
    path.write_bytes(local + body + central + end)


def test_a_form_locked_by_the_zip_password_says_so_and_how_to_send_it(tmp_path: Path) -> None:
    """A member encrypted by the zip's password is told as the zip's password (how to send
    it again without one), not as a workbook's 打开密码 to remove in Excel's 文件→信息."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = _form(tmp_path / "a.xlsx", "张三")
    _zipcrypto_zip(inbox / "办公室.zip", "张三.xlsx", data, b"1234")
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:  # the precondition: really encrypted
        assert zf.infolist()[0].flag_bits & 0x1
        assert zf.read("张三.xlsx", pwd=b"1234") == data
    files, _rows, points, issues = graded(inbox)
    member = "办公室.zip/张三.xlsx"
    by_file = files.set_index("file")
    assert by_file.loc[member, "status"] == frames.FILE_STATUS_REJECTED
    told = issues[issues["file"] == member].iloc[0]
    assert "解压密码" in told["problem"]
    assert "重新打包" in told["fix"] and "文件→信息" not in told["fix"]
    assert points.empty


_GB_NAME = "李四_喆自查表.xlsx"  # 喆 is GBK, not GB2312: clients label such names GB2312 anyway
_GB_BYTES = _GB_NAME.encode("gbk")
_GB_QUOTED = "".join(f"%{b:02X}" for b in _GB_BYTES)


@pytest.mark.parametrize(
    "disposition",
    [
        'filename="=?gb2312?B?' + base64.b64encode(_GB_BYTES).decode() + '?="',
        'filename="=?GB2312?Q?' + _GB_QUOTED.replace("%", "=") + '?="',
        "filename*=gb2312''" + _GB_QUOTED,
        # RFC 2231 pieces, as Outlook and Thunderbird cut a long name
        "filename*0*=gb2312''" + _GB_QUOTED[:21] + ";\r\n filename*1*=" + _GB_QUOTED[21:],
    ],
    ids=["encoded-word-B", "encoded-word-Q", "rfc2231", "rfc2231-pieces"],
)
def test_an_attachment_name_labelled_gb2312_is_read_as_its_sender_wrote_it(
    tmp_path: Path, disposition: str
) -> None:
    """Chinese mail clients label GBK names GB2312; Python's GB2312 codec stops at the first
    character GB2312 lacks (喆, 镕, 堃 …) and the name came out as 「李四_�醋圆楸�.xlsx」."""
    data = base64.encodebytes(_form(tmp_path / "w.xlsx", "李四")).decode()
    mail = (
        "From: ls@163.com\r\nSubject: zicha\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        "Content-Type: text/plain; charset=gb2312\r\n\r\nhi\r\n--B\r\n"
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {disposition}\r\n\r\n{data}\r\n--B--\r\n"
    ).encode()
    parsed = email.message_from_bytes(mail, policy=email.policy.default)
    assert next(parsed.iter_attachments()).get_filename() != _GB_NAME  # the precondition
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(mail)
    files, _rows, points, _issues = graded(inbox)
    assert f"来信.eml/{_GB_NAME}" in set(files["file"])
    assert points["file"].tolist() == [f"来信.eml/{_GB_NAME}"]


@pytest.mark.parametrize("subtype", ["plain", "html"])
def test_a_mail_with_only_a_download_link_says_to_download_it(tmp_path: Path, subtype: str) -> None:
    """QQ邮箱's 超大附件 and a cloud drive's share are a link in the mail's text, no
    attachment: the mail is told as such with the link (never opened), not as a mail that
    「没有任何文件」 sent by mistake."""
    link = "https://wx.mail.qq.com/ftn/download?func=3&k=6f2a9c"
    text = f"从QQ邮箱发来的超大附件\n张三自查表.xlsx (15.3K, 2026年04月20日 到期)\n进入下载页面：{link}"
    msg = EmailMessage()
    msg["From"] = "zs@qq.com"
    msg["Subject"] = "自查表"
    if subtype == "html":
        msg.set_content(f'<p>超大附件</p><a href="{link}">进入下载页面</a>', subtype="html")
    else:
        msg.set_content(text)
    assert not list(msg.iter_attachments())  # the precondition: no file in the mail
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "超大附件.eml").write_bytes(msg.as_bytes())
    files, _rows, _points, issues = graded(inbox)
    assert files.set_index("file").loc["超大附件.eml", "status"] == frames.FILE_STATUS_REJECTED
    told = issues[issues["file"] == "超大附件.eml"].iloc[0]
    assert told["code"] == "mail_link_only"
    assert link in told["problem"] and "下载" in told["fix"]


def test_an_mbox_of_many_mails_is_read_mail_by_mail(tmp_path: Path) -> None:
    """Thunderbird keeps a folder (and ImportExportTools exports one) as an mbox: many mails
    in one file, each after a 「From 」 line. It was 「这不是 Excel 表格文件」 and every form in
    it was lost. Each mail's attachments are read as 导出.mbox/邮件N/附件.xlsx, a mail that is
    only a 超大附件 link is told as that mail, and a folder file without extension (Inbox) is
    read the same; a body line starting with 「From 」 (quoted 「>From 」) starts no mail."""
    mails = []
    for n, (name, sender) in enumerate((("张三", "zs"), ("李四", "ls")), 1):
        msg = EmailMessage()
        msg["From"] = f"{sender}@example.cn"
        msg["Subject"] = "自查表"
        msg["Date"] = f"Tue, 2{n} Apr 2026 09:00:00 +0800"
        msg.set_content("附件是自查表。\n>From the office: 请查收。")
        msg.add_attachment(
            _form(tmp_path / f"{n}.xlsx", name, n=n), *XLSX_TYPE, filename=f"{name}.xlsx"
        )
        mails.append(msg)
    link = msg = EmailMessage()
    msg["From"] = "ww@qq.com"
    msg["Subject"] = "超大附件"
    msg.set_content("从QQ邮箱发来的超大附件\n进入下载页面：https://wx.mail.qq.com/ftn/download?k=1")
    mails.insert(1, link)
    box = b"".join(
        b"From - Tue Apr 21 09:00:00 2026\r\n" + m.as_bytes().replace(b"\n", b"\r\n") + b"\r\n"
        for m in mails
    )
    assert box.count(b"\nFrom ") == 2  # the precondition: three mails, one file
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "导出.mbox").write_bytes(box)
    (inbox / "Inbox").write_bytes(box)
    files, _rows, points, issues = graded(inbox)
    status = files.set_index("file")["status"]
    for box_name in ("导出.mbox", "Inbox"):
        assert status[f"{box_name}/邮件1/张三.xlsx"] != frames.FILE_STATUS_REJECTED
        assert f"{box_name}/邮件3/李四.xlsx" in status.index
        told = issues[issues["file"] == f"{box_name}/邮件2"]
        assert told["code"].tolist() == ["mail_link_only"]
    # the same forms twice: the first (Inbox) read, the other copies duplicates
    assert sorted(set(points["file"])) == ["Inbox/邮件1/张三.xlsx", "Inbox/邮件3/李四.xlsx"]
    assert status["导出.mbox/邮件3/李四.xlsx"] == frames.FILE_STATUS_SUPERSEDED
    assert "not_excel" not in issues["code"].tolist()


def _ole10_native(name: str, data: bytes) -> bytes:
    """A Packager object's \\x01Ole10Native stream, as Windows writes it (names in GBK)."""
    label = name.encode("gbk") + b"\x00"
    source = f"C:\\Users\\张三\\Desktop\\{name}".encode("gbk") + b"\x00"
    tmp = f"C:\\Temp\\{name}".encode("gbk") + b"\x00"
    body = b"\x02\x00" + label + source + struct.pack("<II", 0x00030000, len(tmp)) + tmp
    body += struct.pack("<I", len(data)) + data
    return struct.pack("<I", len(body)) + body


def test_a_workbook_embedded_as_an_object_in_an_outlook_mail_is_read(tmp_path: Path) -> None:
    """An Outlook RTF mail holds a form put into its text (插入→对象) as an OLE object, not an
    attachment file: it was 「这不是 Excel 表格文件（邮件正文里嵌入的对象，不是附件文件）」 even
    when it was the form. An Excel 2007+ object (its Package stream, named 「Microsoft Excel
    工作表」) and a file packaged into the text (Ole10Native, 李四.xlsx) are read; an Excel
    97-2003 object is told truly as one, with how to save it; a picture object stays told
    as no file."""
    from tests.outlook import message

    def embedded(display: str, storage: dict) -> dict:
        return {
            "__properties_version1.0": b"\x00" * 8,
            "__substg1.0_3001001F": display.encode("utf-16-le"),
            "__substg1.0_3701000D": storage,
        }

    tree = message([])
    objects = [
        (
            "Microsoft Excel 工作表",
            {"\x01CompObj": b"\x01\x00", "Package": _form(tmp_path / "a.xlsx", "张三")},
        ),
        (
            "包",
            {
                "\x01Ole10Native": _ole10_native(
                    "李四.xlsx", _form(tmp_path / "b.xlsx", "李四", n=2)
                )
            },
        ),
        (
            "Microsoft Excel 97-2003 工作表",
            {"\x01CompObj": b"\x01\x00", "Workbook": b"\x09\x08" * 300},
        ),
        ("图片", {"\x01CompObj": b"\x01\x00", "CONTENTS": b"\x00" * 64}),
    ]
    for i, (display, storage) in enumerate(objects):
        tree[f"__attach_version1.0_#{i:08X}"] = embedded(display, storage)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.msg").write_bytes(compound_file(tree))
    files, _rows, points, issues = graded(inbox)
    status = files.set_index("file")["status"]
    assert status["来信.msg/Microsoft Excel 工作表.xlsx"] != frames.FILE_STATUS_REJECTED
    assert status["来信.msg/李四.xlsx"] != frames.FILE_STATUS_REJECTED
    assert sorted(set(points["name"])) == ["张三", "李四"]
    told = issues.set_index("file")
    book = told.loc["来信.msg/Microsoft Excel 97-2003 工作表"]
    assert book["code"] == "mail_object_book" and "另存为 .xlsx" in book["fix"]
    picture = told.loc["来信.msg/图片"]
    assert picture["code"] == "not_excel" and vocab.DETAIL_MAIL_OBJECT in picture["problem"]


def test_a_download_link_beside_a_mails_attachments_is_told(tmp_path: Path) -> None:
    """QQ邮箱 turns a big file into a 超大附件 link while the small ones stay attached (a form,
    its logo): the mail was opened, its attachments read or told, and the file behind the link
    lost without a word. The link is told as one more row of the mail, to download; a site's
    address in a signature is no file and is not told."""
    link = "https://wx.mail.qq.com/ftn/download?func=3&k=6f2a9c"
    mails = {}
    for name, text in (
        ("超大附件.eml", f"从QQ邮箱发来的超大附件\n李四自查表.xlsx (52M)\n进入下载页面：{link}"),
        ("签名.eml", "请查收。\n--\n办公室 https://www.example.gov.cn/"),
    ):
        msg = EmailMessage()
        msg["From"] = "zs@qq.com"
        msg["Subject"] = "自查表"
        msg.set_content(text)
        msg.add_attachment(
            _form(tmp_path / f"{name}.xlsx", "张三"), *XLSX_TYPE, filename="张三.xlsx"
        )
        mails[name] = msg
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, msg in mails.items():
        (inbox / name).write_bytes(msg.as_bytes())
    files, _rows, points, issues = graded(inbox)
    told = issues[issues["code"] == "mail_link_beside"]
    assert told["file"].tolist() == [f"超大附件.eml/{vocab.MAIL_LINK_NAME}"]
    assert link in told["problem"].iloc[0] and "下载" in told["fix"].iloc[0]
    assert "超大附件.eml/张三.xlsx" in set(files["file"])
    assert set(points["name"]) == {"张三"}
    assert not issues["file"].str.startswith("签名.eml/（").any()


def test_an_outlook_mail_with_a_download_link_is_told_so(tmp_path: Path) -> None:
    """An Outlook .msg whose form came as a 超大附件 link (none attached) was 「这个Outlook 邮件中
    没有任何文件…请确认附件是否发错」; one with the link beside an attachment lost the linked
    file without a word. Both tell the link, as a saved .eml does."""
    from tests.outlook import message

    link = "https://wx.mail.qq.com/ftn/download?func=3&k=6f2a9c"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, attachments in (
        ("只有链接.msg", []),
        ("附件和链接.msg", [("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))]),
    ):
        tree = message(attachments)
        tree["__substg1.0_1000001F"] = f"从QQ邮箱发来的超大附件\r\n进入下载页面：{link}".encode(
            "utf-16-le"
        )
        (inbox / name).write_bytes(compound_file(tree))
    _files, _rows, points, issues = graded(inbox)
    told = issues.set_index("file")
    assert told.loc["只有链接.msg", "code"] == "mail_link_only"
    assert link in told.loc["只有链接.msg", "problem"]
    beside = told.loc[f"附件和链接.msg/{vocab.MAIL_LINK_NAME}"]
    assert beside["code"] == "mail_link_beside" and link in beside["problem"]
    assert set(points["name"]) == {"张三"}


def test_an_outlook_winmail_dat_is_opened_attachment_by_attachment(tmp_path: Path) -> None:
    """Outlook sends an RTF mail's attachments to other mail programs as one part,
    winmail.dat (application/ms-tnef): its forms are read as 邮件.eml/winmail.dat/张三.xlsx
    (the long name, else the short title in the sender's code page), not lost as 「这不是
    Excel 表格文件」."""
    from tests.outlook import winmail_dat

    work = tmp_path / "work"
    tnef = winmail_dat(
        [
            ("张三自~1.XLS", "张三自查表.xlsx", _form(work / "a.xlsx", "张三")),
            ("李四自查表.xlsx", "", _form(work / "b.xlsx", "李四", n=2)),
        ]
    )
    msg = EmailMessage()
    msg["From"] = "办公室 <bgs@example.cn>"
    msg["Subject"] = "自查表"
    msg["Date"] = "Fri, 20 Mar 2026 09:30:00 +0800"
    msg.set_content("请查收附件。")
    msg.add_attachment(tnef, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(msg.as_bytes())
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    inner = "来信.eml/winmail.dat"
    assert by_file.loc[inner, "status"] == containers.STATUS_OPENED
    assert by_file.loc[f"{inner}/张三自查表.xlsx", "status"] == frames.FILE_STATUS_READ
    assert by_file.loc[f"{inner}/李四自查表.xlsx", "status"] == frames.FILE_STATUS_READ
    sent = by_file.loc[f"{inner}/张三自查表.xlsx", "mtime"]
    assert sent == pytest.approx(1773970200.0)  # dated by the mail, not when it was unpacked
    assert sorted(points["name"]) == ["张三", "李四"]
    assert not issues["code"].eq("not_excel").any()
    # saved on its own from the mail
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "winmail.dat").write_bytes(
        winmail_dat([("王五.xlsx", "", _form(work / "c.xlsx", "王五", "财务科"))])
    )
    files, _rows, points, _issues = graded(alone)
    assert points["file"].tolist() == ["winmail.dat/王五.xlsx"]


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_zips_nested_to_multiply_what_each_level_allows_are_stopped(tmp_path: Path) -> None:
    """Each level of a zip in a zip passes its own checks (members under a megabyte are not
    ratio-checked, a level's total is under the limit), but nesting multiplies them: what one
    file of the inbox unpacks, at every depth, is capped by the same limit as one workbook.
    The forms unpacked first are read; the rest are refused as a bomb, nothing is lost."""
    from pipeline import config as config_module
    from pipeline import discover

    settings = config_module.default_settings()
    limits = dataclasses.replace(settings.limits, max_uncompressed_bytes=2 * 1024 * 1024)
    settings = dataclasses.replace(settings, limits=limits)
    filler = b"\x00" * (900 * 1024)  # under a megabyte: no ratio check of its own
    inner = _zip_bytes({"part.bin": filler})
    outer = _zip_bytes({f"{i:02d}.zip": inner for i in range(8)})
    assert len(outer) < 64 * 1024 and len(inner) * 8 < limits.max_uncompressed_bytes  # precondition
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "套娃.zip").write_bytes(outer)
    files, issues = discover.discover(inbox, settings)
    by_file = files.set_index("file")
    parts = [f for f in by_file.index if f.endswith(".bin")]
    written = sum(int(by_file.loc[f, "size"]) for f in parts)
    assert written <= limits.max_uncompressed_bytes  # before: 8 × 900 KB written out
    refused = [f for f in parts if by_file.loc[f, "reason"] == "zip_bomb"]
    assert (len(parts), len(refused)) == (8, 6)  # every member is listed, read or refused
    told = issues.set_index("file").loc[refused[0]]
    assert told["code"] == "zip_bomb" and "合计超过 2 MB" in told["problem"]


def test_a_member_that_cannot_be_unpacked_is_told_so_and_the_run_goes_on(tmp_path: Path) -> None:
    """When the temporary folder is gone (a cleaner emptied /tmp) or its disk is full, the
    member is 退回 saying so, not a traceback that stops the run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
    gone = tmp_path / "scratch"
    gone.mkdir()
    gone.rmdir()  # the precondition: the folder files are written to is not there
    saved = containers._Scratch.root
    containers._Scratch.root = gone
    try:
        files, _rows, points, issues = graded(inbox)
    finally:
        containers._Scratch.root = saved
    member = "办公室.zip/张三.xlsx"
    assert files.set_index("file").loc[member, "reason"] == "scratch_failed"
    told = issues[issues["file"] == member].iloc[0]
    assert "临时文件夹" in told["problem"] and "磁盘空间" in told["fix"]
    assert points.empty


class _FalseUtf8Info(zipfile.ZipInfo):
    """A member whose GBK name is flagged UTF-8, as some Chinese archivers write it."""

    def _encodeFilenameFlags(self):  # zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits | 0x800


def test_a_zip_whose_gbk_names_are_flagged_utf8_is_read_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    """7-Zip and Explorer open such a zip; Python's zipfile raised UnicodeDecodeError, which
    stopped the whole run in discover. Its forms are read under their Chinese names."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr(_FalseUtf8Info("办公室/张三自查表.xlsx"), _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr(_FalseUtf8Info("李四.xlsx"), _form(tmp_path / "b.xlsx", "李四", n=2))
    with pytest.raises(UnicodeDecodeError):  # the precondition
        zipfile.ZipFile(inbox / "办公室.zip")
    files, _rows, points, _issues = graded(inbox)
    assert files.set_index("file").loc["办公室.zip", "status"] == containers.STATUS_OPENED
    assert sorted(points["file"]) == ["办公室.zip/办公室/张三自查表.xlsx", "办公室.zip/李四.xlsx"]


def test_a_zip_damaged_in_transit_reports_the_member_and_reads_the_rest(tmp_path: Path) -> None:
    """A byte changed inside a member's compressed data (a mail gateway, a bad download):
    that member is 退回 as damaged and the form beside it is read. Before, zlib's error
    escaped discover and stopped the whole run with a traceback."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = _form(tmp_path / "a.xlsx", "张三")
    with zipfile.ZipFile(inbox / "办公室.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("说明.txt", "请查收各位的自查表。" * 200)
        zf.writestr("张三.xlsx", good)
    data = bytearray((inbox / "办公室.zip").read_bytes())
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:
        info = zf.getinfo("说明.txt")
    start = info.header_offset + 30 + len(info.filename.encode()) + 4
    data[start : start + 4] = b"\xff\xff\xff\xff"
    (inbox / "办公室.zip").write_bytes(bytes(data))
    with zipfile.ZipFile(inbox / "办公室.zip") as zf, pytest.raises(zlib.error):
        zf.read("说明.txt")  # the precondition: the member's data is damaged
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["办公室.zip/说明.txt", "reason"] == "corrupt"
    assert points["file"].tolist() == ["办公室.zip/张三.xlsx"]
    assert "损坏" in issues.set_index("file").loc["办公室.zip/说明.txt", "problem"]


def test_a_mail_whose_attachment_name_is_damaged_is_still_opened(tmp_path: Path) -> None:
    """An encoded word cut to one base64 character (a mail saved half-way) made the header
    decoder raise HeaderParseError, which stopped the whole run; the attachment is read
    under the name the parser could make of it."""
    data = base64.encodebytes(_form(tmp_path / "w.xlsx", "李四")).decode()
    mail = (
        "From: ls@163.com\r\nSubject: zicha\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        "Content-Type: text/plain\r\n\r\nhi\r\n--B\r\n"
        'Content-Type: application/octet-stream; name="=?GBK?B?1?=.xlsx"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="=?GBK?B?1?=.xlsx"\r\n\r\n'
        f"{data}\r\n--B--\r\n"
    )
    with pytest.raises(email.errors.HeaderParseError):  # the precondition
        email.header.decode_header("=?GBK?B?1?=.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(mail.encode())
    files, _rows, points, _issues = graded(inbox)
    assert files.set_index("file").loc["来信.eml", "status"] == containers.STATUS_OPENED
    assert len(points) == 1 and points["name"].tolist() == ["李四"]


def test_attachments_sharing_one_name_stay_three_files_of_three_people(tmp_path: Path) -> None:
    """Everyone sends the form as 「个人廉政风险自查表.xlsx」: a section head forwarding three
    in one mail gave three files of one name, so the reader took them for one file — a bad
    row of 王五's was charged to 张三, and 李四, whose form was fine, was told it was sent
    back. Now they are shown as Windows names copies: 「…自查表 (2).xlsx」, 「… (3).xlsx」."""
    work = tmp_path / "work"
    msg = EmailMessage()
    msg["From"] = "bgs@example.cn"
    msg["Subject"] = "转发：自查表"
    msg.set_content("见附件")
    forms = [
        _form(work / "a.xlsx", "张三"),
        _form(work / "b.xlsx", "李四", n=2),
        write_form(
            work / "c.xlsx",
            header={"name": "王五", "section": "财务科"},
            rows=[sample_row(1, category="乱写")],
        ).read_bytes(),
    ]
    for data in forms:
        msg.add_attachment(
            data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename="个人廉政风险自查表.xlsx"
        )
    assert {p.get_filename() for p in msg.iter_attachments()} == {"个人廉政风险自查表.xlsx"}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(msg.as_bytes())
    files, _rows, points, issues = graded(inbox)
    first, second, third = (
        "来信.eml/个人廉政风险自查表.xlsx",
        "来信.eml/个人廉政风险自查表 (2).xlsx",
        "来信.eml/个人廉政风险自查表 (3).xlsx",
    )
    assert files["file"].tolist() == ["来信.eml", first, second, third]
    by_file = files.set_index("file")
    assert by_file.loc[[first, second, third], "name"].tolist() == ["张三", "李四", "王五"]
    assert dict(zip(points["file"], points["name"], strict=True)) == {first: "张三", second: "李四"}
    bad = issues[issues["action"] == vocab.ACTION_REJECT]
    assert bad["file"].tolist() == [third] and bad["name"].tolist() == ["王五"]
    assert "乱写" in bad["problem"].iloc[0]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_pictures_of_a_mails_own_text_are_no_attachments_sent_back(tmp_path: Path) -> None:
    """A signature's logo and a pasted screenshot (shown inline, or by ``cid:``) are part of
    the mail's text: not a submission, so not 退回 as 「这不是 Excel 表格文件」 (before, each
    was one row of 异常清单 and of the section's feedback). A picture attached on purpose is
    still reported (it may be a photographed pledge), and a picture named as a pledge is
    the sender's wherever the mail shows it."""
    from email.mime.application import MIMEApplication
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    def picture(name: str, cid: str = "", disposition: str = "") -> MIMEImage:
        part = MIMEImage(PNG, "png")
        if cid:
            part.add_header("Content-ID", f"<{cid}>")
        if disposition:
            part.add_header("Content-Disposition", disposition, filename=("utf-8", "", name))
        else:
            part.set_param("name", name)
        return part

    mail = MIMEMultipart("mixed")
    mail["Subject"], mail["Date"] = "自查表", "Fri, 20 Mar 2026 09:30:00 +0800"
    text = MIMEMultipart("alternative")
    text.attach(MIMEText("请查收", "plain", "utf-8"))
    text.attach(MIMEText('<p>请查收</p><img src="cid:image001.png@01DC">', "html", "utf-8"))
    mail.attach(text)
    mail.attach(picture("image001.png", cid="image001.png@01DC"))  # by cid:, no disposition
    mail.attach(picture("截图.png", disposition="inline"))  # as Apple Mail pastes one
    form = MIMEApplication(_form(tmp_path / "w.xlsx", "张三"), Name="张三.xlsx")
    form.add_header("Content-Disposition", "attachment", filename="zhangsan.xlsx")
    mail.attach(form)
    mail.attach(picture("IMG_0012.jpg", disposition="attachment"))
    mail.attach(picture("张三廉政承诺书.jpg", disposition="inline"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(mail.as_bytes())
    mails = [
        ("logo.png", PNG, {"__properties_version1.0": _hidden_properties()}),
        ("IMG_0013.jpg", PNG, {}),
    ]
    tree = message([(n, d) for n, d, _extra in mails])
    for i, (_n, _d, extra) in enumerate(mails):
        tree[f"__attach_version1.0_#{i:08X}"].update(extra)
    (inbox / "来信.msg").write_bytes(compound_file(tree))

    files, _rows, points, issues = graded(inbox)
    shown = set(files["file"])
    assert "来信.eml/zhangsan.xlsx" in shown and points["name"].tolist() == ["张三"]
    for gone in ("来信.eml/image001.png", "来信.eml/截图.png", "来信.msg/logo.png"):
        assert gone not in shown and not issues["file"].eq(gone).any()
    kept = issues.set_index("file")
    assert kept.loc["来信.eml/IMG_0012.jpg", "code"] == "not_excel"
    assert kept.loc["来信.msg/IMG_0013.jpg", "code"] == "not_excel"
    assert "来信.eml/张三廉政承诺书.jpg" in shown


def _hidden_properties() -> bytes:
    """An Outlook attachment's properties: PidTagAttachmentHidden = true."""
    return b"\x00" * 8 + struct.pack("<IIQ", 0x7FFE000B, 6, 1)


def test_what_all_the_containers_of_an_inbox_unpack_is_capped(tmp_path: Path) -> None:
    """Each zip is checked against one file's limits, but 200 zips each just under them
    would fill the disk all the same: once the inbox's containers have unpacked
    ``limits.max_inbox_unpacked_mb``, the member that would pass it and every container
    after it are 退回 naming the setting; what was unpacked before is read, nothing is lost."""
    import pandas as pd

    from pipeline.cli import main

    work, inbox, out = tmp_path / "work", tmp_path / "inbox", tmp_path / "out"
    people = [("领导班子", "陈主席", "主席", "领导班子正职", "否")]
    people += [("办公室", n, "科员", "其他", "否") for n in ("张三", "李四", "王五", "赵六")]
    cfg = write_config(
        tmp_path,
        people,
        [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")],
        settings="[limits]\nmax_inbox_unpacked_mb = 1\n",
    )
    inbox.mkdir()
    scans = [os.urandom(400 * 1024) for _ in range(3)]  # scanned: they do not compress
    for i, name in enumerate(("张三", "李四", "王五", "赵六")):
        with zipfile.ZipFile(inbox / f"来信{i}.zip", "w") as zf:
            zf.writestr(f"{name}.xlsx", _form(work / f"{name}.xlsx", name, n=i + 1))
            if i < 3:
                zf.writestr(f"扫描件{i}.pdf", scans[i])
    args = ["process", "--inbox", str(inbox), "--config", str(cfg), "--out", str(out)]
    assert main([*args, "--no-progress"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"]["total"] == 4 and summary["files"]["rejected"] == 1
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    listed = pd.read_excel(archive, sheet_name=vocab.ARCHIVE_SHEET_ISSUES, engine="calamine")
    capped = listed[listed["问题"].str.contains("max_inbox_unpacked_mb", na=False)]
    assert sorted(capped["文件"]) == ["来信2.zip/扫描件2.pdf", "来信3.zip"]
    assert (capped["处理"] == vocab.ACTION_REJECT).all()
    assert capped["问题"].str.contains("合计解压已超过 1 MB").all()
    catalogue = pd.read_excel(archive, sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE, engine="calamine")
    assert sorted(set(catalogue["姓名"])) == ["张三", "李四", "王五"]


def _emlx(message: EmailMessage) -> bytes:
    """An Apple Mail .emlx: the message's length on a line, the message, a property list."""
    raw = message.as_bytes().replace(b"\r\n", b"\n")
    plist = b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
    plist += b"\t<key>flags</key>\n\t<integer>8590195713</integer>\n</dict>\n</plist>\n"
    return str(len(raw)).encode() + b"        \n" + raw + plist


def test_an_apple_mail_emlx_is_read_attachment_by_attachment(tmp_path: Path) -> None:
    """A mail saved from Apple Mail's folder is an .emlx (the message's length on its first
    line, the MIME message, then a property list): its forms are read like an .eml's, under
    the mail's date. Before, 「这不是 Excel 表格文件（文本文件）」 and the form was lost. An
    attachment Apple Mail kept apart (.partial.emlx) is told so, with where to get it."""
    mail = EmailMessage()
    mail["Subject"], mail["Date"] = "自查表", "Fri, 20 Mar 2026 09:30:00 +0800"
    mail.set_content("请查收")
    mail.add_attachment(
        _form(tmp_path / "z.xlsx", "张三"),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename="张三.xlsx",
    )
    partial = EmailMessage()
    partial["Subject"], partial["Date"] = "自查表", "Sat, 21 Mar 2026 09:30:00 +0800"
    partial.set_content("请查收")
    partial.add_attachment(b"", maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename="李四.xlsx")
    partial.get_payload()[1]["X-Apple-Content-Length"] = "10335"
    inbox = tmp_path / "inbox"
    (inbox / "Messages").mkdir(parents=True)
    (inbox / "Messages" / "12345.emlx").write_bytes(_emlx(mail))
    (inbox / "Messages" / "12346.partial.emlx").write_bytes(_emlx(partial))
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    form = "Messages/12345.emlx/张三.xlsx"
    assert by_file.loc[form, "status"] == frames.FILE_STATUS_READ
    assert (
        by_file.loc[form, "mtime"] == datetime.fromisoformat("2026-03-20T09:30+08:00").timestamp()
    )
    assert points["name"].tolist() == ["张三"]
    (apart,) = issues[issues["file"] == "Messages/12346.partial.emlx/李四.xlsx"].to_dict("records")
    assert apart["code"] == "mail_part_apart" and apart["action"] == vocab.ACTION_REJECT
    assert "存储（拖出）到收件箱" in apart["fix"]


def test_a_member_named_in_a_hundred_chinese_characters_is_read(tmp_path: Path) -> None:
    """Windows and zips allow 255 characters in a name; a hundred Chinese characters are
    over 300 bytes, which Linux refuses for a file name. Such a member was 退回 as
    「没能从压缩包中解压到临时文件夹（磁盘空间不足…）」, untrue, and the form lost; now it is
    written out under a name cut to fit and read, shown under its whole name."""
    long_name = "办公室张三个人廉政风险自查表" * 8 + ".xlsx"
    assert len(long_name.encode()) > 255  # the precondition
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "长名.zip", "w") as zf:
        zf.writestr(long_name, _form(tmp_path / "a.xlsx", "张三"))
    files, _rows, points, issues = graded(inbox)
    member = f"长名.zip/{long_name}"
    assert files.set_index("file").loc[member, "status"] == frames.FILE_STATUS_READ
    assert points["name"].tolist() == ["张三"]
    assert not issues["code"].eq("scratch_failed").any()


def test_a_7z_archive_is_read_file_by_file_within_the_limits(tmp_path: Path) -> None:
    """A section's .7z (7-Zip is common on office PCs) is opened with py7zr, in memory
    (nothing of it is written by the library): its forms are read under
    「科室.7z/内层.xlsx」; a link and a name climbing out of the archive are reported, never
    followed; a password or a damaged archive is told as such. Before, every .7z was
    「本工具不能直接打开」 and its forms lost to the count."""
    import py7zr

    work = tmp_path / "work"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    zhang, li = _form(work / "a.xlsx", "张三", n=1), _form(work / "b.xlsx", "李四", n=2)
    (work / "link").symlink_to("/etc/passwd")
    with py7zr.SevenZipFile(inbox / "办公室.7z", "w") as archive:
        archive.set_encoded_header_mode(False)  # names in the clear, to rename one below
        archive.write(work / "link", "王五.xlsx")
        archive.writestr(zhang, "办公室/张三.xlsx")
        archive.writestr(li, "AA/李四.xlsx")
    _rename_in_7z(inbox / "办公室.7z", "AA/李四.xlsx", "../李四.xlsx")  # py7zr writes no such
    with py7zr.SevenZipFile(inbox / "加密.7z", "w", password="1", header_encryption=True) as a:
        a.writestr(li, "李四.xlsx")
    data = (inbox / "办公室.7z").read_bytes()
    (inbox / "截断.7z").write_bytes(data[: len(data) // 2])
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["办公室.7z/办公室/张三.xlsx", "status"] == frames.FILE_STATUS_READ
    assert points["name"].tolist() == ["张三"]
    told = issues.set_index("file")
    assert told.loc["办公室.7z/李四.xlsx", "code"] == "unsafe_member_name"
    assert "../李四.xlsx" in told.loc["办公室.7z/李四.xlsx", "problem"]
    assert told.loc["办公室.7z/王五.xlsx", "code"] == "symlink"
    assert told.loc["加密.7z", "code"] == "zip_encrypted_whole"
    assert "设置了解压密码" in told.loc["加密.7z", "problem"]
    assert told.loc["截断.7z", "code"] == "container_corrupt"
    assert not list(Path.cwd().glob("李四.xlsx")) and not (tmp_path / "李四.xlsx").exists()


def _rename_in_7z(path: Path, old: str, new: str) -> None:
    """Rename a member of a 7z whose header is not encoded (same length), CRCs fixed."""
    data = bytearray(path.read_bytes())
    offset, size = struct.unpack_from("<QQ", data, 12)
    start = 32 + offset
    header = bytes(data[start : start + size])
    assert old.encode("utf-16-le") in header  # the precondition
    header = header.replace(old.encode("utf-16-le"), new.encode("utf-16-le"))
    data[start : start + size] = header
    struct.pack_into("<I", data, 28, zlib.crc32(header))
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:32])))
    path.write_bytes(bytes(data))


def test_a_mail_file_cut_short_says_its_last_attachment_was_cut(tmp_path: Path) -> None:
    """A saved mail cut short (a download or a copy interrupted) ends inside its last
    attachment: that form was 「文件内容不是 Excel 表格，可能是扩展名被改过」 with 「请用 Excel
    打开确认」, untrue. Now it says the mail file is incomplete and the attachment cut, and
    what to do; the attachments before it are read, and a mail cut only after its last
    attachment ended (its closing line lost) is read whole."""

    def mail(*people: tuple[str, str]) -> bytes:
        message = EmailMessage()
        message["Subject"], message["Date"] = "自查表", "Fri, 20 Mar 2026 09:30:00 +0800"
        message.set_content("请查收")
        for name, section in people:
            message.add_attachment(
                _form(tmp_path / f"{name}.xlsx", name, section),
                maintype=XLSX_TYPE[0],
                subtype=XLSX_TYPE[1],
                filename=f"{name}.xlsx",
            )
        return message.as_bytes()

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = mail(("张三", "办公室"), ("李四", "办公室"))
    (inbox / "截断.eml").write_bytes(raw[: raw.rindex(b"Content-Disposition: attachment") + 3000])
    raw = mail(("王五", "财务科"))
    (inbox / "少结尾.eml").write_bytes(raw[: raw.rstrip().rindex(b"\n--")])
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["截断.eml/张三.xlsx", "status"] == frames.FILE_STATUS_READ
    (cut,) = issues[issues["file"] == "截断.eml/李四.xlsx"].to_dict("records")
    assert cut["code"] == "mail_cut_short" and "附件在邮件中被截断" in cut["problem"]
    assert "扩展名" not in cut["problem"]
    assert by_file.loc["少结尾.eml/王五.xlsx", "status"] == frames.FILE_STATUS_READ
    assert sorted(points["name"]) == ["张三", "王五"]


def test_a_link_to_a_zip_of_the_inbox_is_a_duplicate_not_a_stray_file(tmp_path: Path) -> None:
    """A link (inside the inbox) to a zip of the inbox: the zip is opened where it lies and
    the link is a duplicate of it, as a link to a form is. Before, the link was 退回 as
    「这不是 Excel 表格文件（压缩包）」 while the forms of the very same zip were read."""
    inbox = tmp_path / "inbox"
    (inbox / "转发").mkdir(parents=True)
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
    (inbox / "转发" / "办公室.zip").symlink_to("../办公室.zip")
    files, rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["转发/办公室.zip", "status"] == frames.FILE_STATUS_SUPERSEDED
    (told,) = issues[issues["file"] == "转发/办公室.zip"].to_dict("records")
    assert told["code"] == "duplicate_file" and "「办公室.zip」" in told["problem"]
    assert points["file"].tolist() == ["办公室.zip/张三.xlsx"]
    counts = run.count(containers.settle(files), rows, points)
    assert counts["files"] == {"total": 2, "read": 1, "rejected": 0, "superseded": 1}


def test_a_damaged_file_beside_a_persons_form_in_their_zip_keeps_its_own_reason(
    tmp_path: Path,
) -> None:
    """张三's zip holds his form and a damaged file naming him. They came together, so the
    damaged one is no earlier version replaced by the form: it stays 退回 with its own
    reason. Before, it was 「同一人后来又报送了「张三.zip/张三.xlsx」…原来的问题不再需要处理」,
    untrue, and the damaged file's problem was hidden."""
    import pandas as pd

    from pipeline.cli import main

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("办公室", "张三", "科员", "其他", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")])
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "张三.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr("张三_单位表.xlsx", b"PK\x03\x04 cut short")
    args = ["process", "--inbox", str(inbox), "--config", str(cfg), "--out", str(out)]
    assert main([*args, "--no-progress"]) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    listed = pd.read_excel(archive, sheet_name=vocab.ARCHIVE_SHEET_ISSUES, engine="calamine")
    told = listed[listed["文件"] == "张三.zip/张三_单位表.xlsx"]
    assert told["处理"].tolist() == [vocab.ACTION_REJECT]
    assert "文件已损坏或不完整" in told["问题"].iloc[0]
    assert not listed["问题"].str.contains("后来又报送", na=False).any()


def test_a_7z_whose_decoder_crashes_the_process_is_sent_back_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """py7zr's compiled decoders crash the process on some damaged archives (pyppmd
    segfaults on a PPMd stream with a few bytes changed: found by fuzzing). The archive is
    read in a child process of its own: its death is that archive's 退回, never the run's."""
    import signal

    def crash(_path: Path, _limits: object):  # what the native decoder does
        os.kill(os.getpid(), signal.SIGSEGV)
        yield from ()

    monkeypatch.setattr(containers, "_7z_read", crash)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "办公室.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64)
    write_form(inbox / "张三.xlsx", header={"name": "张三", "section": "办公室"})
    _files, _rows, points, issues = graded(inbox)
    (told,) = issues[issues["file"] == "办公室.7z"].to_dict("records")
    assert told["code"] == "container_corrupt" and "7z 压缩包已损坏" in told["problem"]
    assert points["name"].tolist() == ["张三"]


def test_a_tab_or_line_break_in_a_file_name_is_shown_as_a_space(tmp_path: Path) -> None:
    """A file saved as 「丁玲<TAB>自查表.xlsx」 and a zip member 「范彩兰<LF>自查表.xlsx」 are
    read and shown 「丁玲 自查表.xlsx」, 「家庭部.zip/范彩兰 自查表.xlsx」 in 文件, 来源文件,
    提交情况, 催报名单 and the annotated copy's name. Before, the tab and the line break were
    kept: a cell split in two lines, a name Windows cannot write."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    tabbed = write_form(inbox / "丁玲\t自查表.xlsx", header={**header, "name": "丁玲"})
    bad = write_form(
        tmp_path / "b.xlsx",
        header={**header, "name": "范彩兰"},
        rows=[sample_row(1, category="乱写的类别")],
    )
    with zipfile.ZipFile(inbox / "家庭部.zip", "w") as zf:
        zf.writestr("范彩兰\n自查表.xlsx", bad.read_bytes())
    before = tabbed.read_bytes()
    run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    assert sheets[vocab.ARCHIVE_SHEET_CATALOGUE]["来源文件"].tolist() == ["丁玲 自查表.xlsx"]
    submitted = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].set_index("姓名")["文件"]
    assert (submitted["丁玲"], submitted["范彩兰"]) == (
        "丁玲 自查表.xlsx",
        "家庭部.zip/范彩兰 自查表.xlsx",
    )
    listed = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert "家庭部.zip/范彩兰 自查表.xlsx" in listed["文件"].tolist()
    shown = [*listed["文件"], *(p.name for p in out.rglob("*"))]
    shown += (out / "催报名单.txt").read_text(encoding="utf-8-sig").splitlines()
    assert not [s for s in shown if "\t" in s or "\n" in s]
    assert (out / "科室反馈" / "家庭儿童工作部" / "范彩兰 自查表_批注.xlsx").exists()
    assert tabbed.read_bytes() == before  # the input is read where it is, never renamed


def _three_forms_zip(tmp: Path, compression: int) -> bytes:
    """A section's zip of three forms in a folder, GBK names as Chinese Windows writes them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for i, name in enumerate(("张三", "李四", "王五"), start=1):
            info = _GbkInfo(f"办公室自查表/{name}.xlsx", (2026, 3, 20, 9, 0, 0))
            info.compress_type = compression
            zf.writestr(info, _form(tmp / f"{name}.xlsx", name, n=i))
    return buf.getvalue()


def test_a_zip_cut_short_reads_the_forms_before_the_cut_and_names_the_cut_one(
    tmp_path: Path,
) -> None:
    """A zip cut short in the download (its central directory lost): the forms whole before
    the cut are read, and the one the cut falls in is named and told the zip is
    incomplete from there. Before, the whole zip was 「已损坏或不完整…其中的文件未读取」 and
    two good forms were sent back with it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    whole = _three_forms_zip(tmp_path / "w", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(io.BytesIO(whole)) as zf:
        third = zf.infolist()[2].header_offset
    cut = inbox / "办公室.zip"
    cut.write_bytes(whole[: third + 2000])
    with pytest.raises(zipfile.BadZipFile):  # the precondition: no directory to open it by
        zipfile.ZipFile(cut)
    before = cut.read_bytes()
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert sorted(set(points["name"])) == ["张三", "李四"]
    assert by_file.loc["办公室.zip/办公室自查表/张三.xlsx", "status"] == frames.FILE_STATUS_READ
    (told,) = issues[issues["code"] == "zip_cut_short"].to_dict("records")
    assert told["file"] == "办公室.zip/办公室自查表/王五.xlsx"
    assert told["action"] == vocab.ACTION_REJECT
    assert "压缩包不完整" in told["problem"] and "前面的文件已照常读取" in told["problem"]
    counts = run.count(containers.settle(files), _rows, points)
    assert counts["files"]["read"] == 1  # the zip itself was opened
    assert cut.read_bytes() == before


def test_a_stored_zip_cut_short_is_not_read_as_its_first_form(tmp_path: Path) -> None:
    """A zip whose forms are stored, not compressed (WinRAR's 「存储」, many web exports),
    cut short: the last directory left in the file is the first form's own, and the zip was
    read as that one form under the zip's name, the others lost without a word. It is a
    container again: the first form is read as 办公室.zip/…/张三.xlsx and the cut told."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    whole = _three_forms_zip(tmp_path / "w", zipfile.ZIP_STORED)
    with zipfile.ZipFile(io.BytesIO(whole)) as zf:
        second = zf.infolist()[1].header_offset
    cut = inbox / "办公室.zip"
    cut.write_bytes(whole[: second + 3000])
    with zipfile.ZipFile(cut) as zf:  # the precondition: zipfile finds the form's directory
        assert "xl/workbook.xml" in zf.namelist()
    files, _rows, points, issues = graded(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["办公室.zip", "status"] == containers.STATUS_OPENED
    assert points["file"].unique().tolist() == ["办公室.zip/办公室自查表/张三.xlsx"]
    (told,) = issues[issues["code"] == "zip_cut_short"].to_dict("records")
    assert told["file"] == "办公室.zip/办公室自查表/李四.xlsx"


class _WinRarInfo(zipfile.ZipInfo):
    """A member as WinRAR on Chinese Windows stores a name with a character GBK lacks: the
    name in GBK with 「?」 for it, unflagged, and the true name in Info-ZIP's Unicode Path
    extra field (0x7075: version 1, the CRC-32 of the stored name, the name in UTF-8)."""

    def __init__(self, name: str, stored_for: str | None = None) -> None:
        super().__init__(name, (2026, 3, 20, 9, 0, 0))
        self.raw = name.encode("gbk", errors="replace")
        utf8 = (stored_for or name).encode()
        crc = zlib.crc32((stored_for or name).encode("gbk", errors="replace"))
        self.extra = struct.pack("<HHBI", 0x7075, 5 + len(utf8), 1, crc) + utf8

    def _encodeFilenameFlags(self):  # zipfile's own hook
        return self.raw, self.flag_bits & ~0x800


def test_a_name_with_a_character_gbk_lacks_is_shown_as_the_archiver_kept_it(
    tmp_path: Path,
) -> None:
    """李䶮's form zipped by WinRAR: the name in GBK reads 「李?.xlsx」, the true one is in the
    Unicode Path field beside it, which is what the file is shown as. A field written for
    another name (the member renamed afterwards by a tool that kept it) is not believed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr(_WinRarInfo("办公室/李䶮.xlsx"), _form(tmp_path / "a.xlsx", "李四"))
        zf.writestr(
            _WinRarInfo("办公室/张三.xlsx", stored_for="办公室/旧名.xlsx"),
            _form(tmp_path / "b.xlsx", "张三", n=2),
        )
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:  # the precondition: 「?」 in the name
        assert zf.infolist()[0].filename.encode("cp437") == "办公室/李?.xlsx".encode("gbk")
    files, _rows, points, _issues = graded(inbox)
    assert sorted(files["file"]) == [
        "办公室.zip",
        "办公室.zip/办公室/张三.xlsx",
        "办公室.zip/办公室/李䶮.xlsx",
    ]
    assert set(points["file"]) == {"办公室.zip/办公室/李䶮.xlsx", "办公室.zip/办公室/张三.xlsx"}


def test_a_form_apple_mail_shows_inside_the_text_is_read(tmp_path: Path) -> None:
    """Apple Mail sends a file placed in the text as multipart/alternative → text/plain and
    multipart/mixed (html, the file, html), and a client may put a file beside the HTML's
    pictures in multipart/related: the form was never looked for there, and the mail was
    told 「这个邮件中没有任何文件」. Both forms are read; the body texts and the logo of
    the text are no attachments."""
    form = base64.encodebytes(_form(tmp_path / "a.xlsx", "张三")).decode()
    other = base64.encodebytes(_form(tmp_path / "b.xlsx", "李四", n=2)).decode()
    logo = base64.encodebytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
    mail = (
        "From: zs@icloud.com\r\nSubject: =?UTF-8?B?6Ieq5p+l6KGo?=\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="A"\r\n\r\n'
        "--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请查收\r\n"
        '--A\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        "--M\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>请查收</p>\r\n"
        "--M\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;"
        ' name="=?UTF-8?B?5byg5LiJLnhsc3g=?="\r\nContent-Disposition: inline;'
        ' filename="=?UTF-8?B?5byg5LiJLnhsc3g=?="\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{form}\r\n"
        "--M\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p></p>\r\n--M--\r\n"
        '--A\r\nContent-Type: multipart/related; boundary="R"\r\n\r\n'
        '--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<img src="cid:logo1">\r\n'
        "--R\r\nContent-Type: image/png\r\nContent-ID: <logo1>\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{logo}\r\n"
        '--R\r\nContent-Type: application/octet-stream; name="lisi.xlsx"\r\n'
        'Content-Disposition: attachment; filename="lisi.xlsx"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{other}\r\n--R--\r\n--A--\r\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "自查表.eml").write_text(mail, encoding="utf-8")
    parsed = email.message_from_string(mail, policy=email.policy.default)
    assert list(parsed.iter_attachments()) == []  # the precondition: none at the top level
    files, _rows, points, issues = graded(inbox)
    assert sorted(files["file"]) == ["自查表.eml", "自查表.eml/lisi.xlsx", "自查表.eml/张三.xlsx"]
    assert sorted(set(points["name"])) == ["张三", "李四"]
    assert "container_empty" not in issues["code"].tolist()


def test_a_zip_entry_named_as_a_folder_that_holds_a_form_is_read(tmp_path: Path) -> None:
    """An entry whose name ends in 「/」 (a folder) but holds bytes, as a faulty archiver
    writes one: it was dropped without a word, the form in it lost. It is read as the file
    it is; an empty folder entry stays nothing."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("办公室/", b"")
        zf.writestr("办公室/张三.xlsx/", _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr("办公室/李四.xlsx", _form(tmp_path / "b.xlsx", "李四", n=2))
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:  # the precondition: a folder with bytes
        assert [i.is_dir() and i.file_size > 0 for i in zf.infolist()] == [False, True, False]
    files, _rows, points, _issues = graded(inbox)
    assert sorted(files["file"]) == [
        "办公室.zip",
        "办公室.zip/办公室/张三.xlsx",
        "办公室.zip/办公室/李四.xlsx",
    ]
    assert sorted(set(points["name"])) == ["张三", "李四"]


def _spanned(whole: bytes, cut: int) -> tuple[bytes, bytes]:
    """A zip as WinZip and Info-ZIP (zip -s) span it over two volumes (分卷.z01, 分卷.zip):
    a spanning mark first, the bytes cut at ``cut``, and every offset of the directory (which
    lies wholly in the last volume) counted from the start of its own volume."""
    data = bytearray(b"PK\x07\x08" + whole)
    cut += 4
    end = data.rfind(b"PK\x05\x06")
    entries, _size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    cd = cd_offset + 4
    assert cd >= cut  # the precondition: the directory is in the last volume
    at = cd
    for _ in range(entries):
        offset = struct.unpack_from("<I", data, at + 42)[0] + 4
        disk = int(offset >= cut)
        struct.pack_into("<H", data, at + 34, disk)
        struct.pack_into("<I", data, at + 42, offset - cut * disk)
        names = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + sum(names)
    struct.pack_into("<HH", data, end + 4, 1, 1)
    struct.pack_into("<HHII", data, end + 8, 0, entries, _size, cd - cut)
    return bytes(data[:cut]), bytes(data[cut:])


def test_volumes_of_a_split_archive_in_one_folder_are_joined_and_read(tmp_path: Path) -> None:
    """A zip split to fit a mail (7-Zip's 材料.zip.001, .002, .003; a .7z.001; WinZip's and
    zip -s's 分卷.z01 … 分卷.zip) was told 「本工具不能直接打开分卷压缩包」 and its forms went
    unread though every volume lay in the folder. The volumes are joined in memory and the
    forms read as 材料.zip/张三.xlsx; each volume counts as read. A workbook 7-Zip cut itself
    (李四自查表.xlsx.001, .002: 「这不是 Excel 表格文件（压缩包）」) is read as 李四自查表.xlsx. A zip that fitted one
    volume (整卷.zip.001, or zip -s's one piece with a spanning mark before it) is read too."""
    py7zr = pytest.importorskip("py7zr")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr("李四.xlsx", _form(tmp_path / "b.xlsx", "李四", n=2))
    whole = buf.getvalue()
    third = len(whole) // 3
    for n, piece in enumerate((whole[:third], whole[third : 2 * third], whole[2 * third :]), 1):
        (inbox / "材料" / f"材料.zip.{n:03d}").parent.mkdir(exist_ok=True)
        (inbox / "材料" / f"材料.zip.{n:03d}").write_bytes(piece)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("赵六.xlsx", _form(tmp_path / "d.xlsx", "赵六", n=4))
        zf.writestr("照片.bin", os.urandom(20000))  # the directory falls in the last volume
    first, last = _spanned(buf.getvalue(), 1000)
    (inbox / "分卷.z01").write_bytes(first)
    (inbox / "分卷.zip").write_bytes(last)
    with py7zr.SevenZipFile(tmp_path / "x.7z", "w") as sz:
        sz.writestr(_form(tmp_path / "c.xlsx", "王五", n=3), "王五.xlsx")
    seven = (tmp_path / "x.7z").read_bytes()
    (inbox / "七.7z.001").write_bytes(seven[: len(seven) // 2])
    (inbox / "七.7z.002").write_bytes(seven[len(seven) // 2 :])
    one = io.BytesIO()
    with zipfile.ZipFile(one, "w") as zf:
        zf.writestr("孙七.xlsx", _form(tmp_path / "e.xlsx", "孙七", n=5))
    cut = _form(tmp_path / "f.xlsx", "李四", n=6)  # 7-Zip's 分割文件 of the workbook itself
    (inbox / "李四自查表.xlsx.001").write_bytes(cut[: len(cut) // 2])
    (inbox / "李四自查表.xlsx.002").write_bytes(cut[len(cut) // 2 :])
    (inbox / "整卷.zip.001").write_bytes(one.getvalue())
    (inbox / "一段.zip").write_bytes(b"PK\x07\x08" + one.getvalue())
    with pytest.raises(zipfile.BadZipFile):  # the precondition: no volume opens alone
        zipfile.ZipFile(inbox / "材料" / "材料.zip.001")
    with pytest.raises(zipfile.BadZipFile), zipfile.ZipFile(inbox / "分卷.zip") as zf:
        zf.read("赵六.xlsx")  # its bytes are in 分卷.z01
    files, _rows, points, issues = graded(inbox)
    status = containers.settle(files).set_index("file")["status"]
    assert not issues["code"].str.startswith("archive_split").any()
    assert "not_excel" not in issues.loc[~issues["file"].str.endswith(".bin"), "code"].tolist()
    for volume in ("材料/材料.zip.001", "材料/材料.zip.002", "材料/材料.zip.003", "分卷.z01"):
        assert status[volume] == frames.FILE_STATUS_READ
    reason = files.set_index("file")["reason"]
    for inner in (
        "材料/材料.zip/张三.xlsx",
        "材料/材料.zip/李四.xlsx",
        "分卷.zip/赵六.xlsx",  # read: 赵六 is of 财务科 in the roster, not of 办公室
        "七.7z/王五.xlsx",
        "整卷.zip.001/孙七.xlsx",
        "一段.zip/孙七.xlsx",
        "李四自查表.xlsx",
    ):
        assert inner in status.index
        assert reason[inner] not in ("not_excel", "corrupt", *frames.UNOPENABLE_REASONS)
    assert {"张三", "李四"} <= set(points["name"])
    assert "李四自查表.xlsx" in set(points["file"])
    assert status["李四自查表.xlsx.002"] == frames.FILE_STATUS_READ


def test_the_first_piece_of_a_cut_xls_is_no_damaged_form(tmp_path: Path) -> None:
    """7-Zip's 分割文件 of an .xls: the first piece starts as a compound file, passed for a
    workbook and was told 「文件已损坏或不完整」 while the second counted as a volume read. Every
    piece is a volume; the joined 旧表.xls is the file examined (here no form: told so)."""
    xls = Path(
        "/work/shared/corpus/public/apache+poi/test-data/spreadsheet/testArraysAndTables.xls"
    )
    if not xls.is_file():
        pytest.skip("the public corpus is absent")
    whole = xls.read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "旧表.xls.001").write_bytes(whole[: len(whole) // 2])
    (inbox / "旧表.xls.002").write_bytes(whole[len(whole) // 2 :])
    assert whole.startswith(b"\xd0\xcf\x11\xe0")  # the precondition: an OLE file's start
    from pipeline.workbook import sniff

    first = inbox / "旧表.xls.001"
    assert sniff.sniff(first, ".001", first.read_bytes()[:4096]) is None  # passes for a workbook
    files, _rows, _points, issues = graded(inbox)
    by_file = containers.settle(files).set_index("file")
    assert by_file.loc["旧表.xls.001", "status"] == frames.FILE_STATUS_READ
    assert by_file.loc["旧表.xls.002", "status"] == frames.FILE_STATUS_READ
    assert by_file.loc["旧表.xls", "container"] == "旧表.xls.001"
    assert not issues["file"].str.startswith("旧表.xls.00").any()


def test_a_split_archive_missing_a_volume_names_it(tmp_path: Path) -> None:
    """A split archive one volume of which did not come (材料.zip.002 of three; WinZip's
    分卷.z01 without its 分卷.zip) cannot be opened: each volume there says so and names the
    volume missing, so the clerk asks for that one file. A volume that is a link out of the
    inbox is never read: the set is not joined."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
    whole = buf.getvalue()
    third = len(whole) // 3
    (inbox / "材料.zip.001").write_bytes(whole[:third])
    (inbox / "材料.zip.003").write_bytes(whole[2 * third :])
    (inbox / "分卷.z01").write_bytes(b"PK\x07\x08" + whole[:third])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "链.zip.002").write_bytes(whole[third:])
    (inbox / "链.zip.001").write_bytes(whole[:third])
    (inbox / "链.zip.002").symlink_to(outside / "链.zip.002")  # never followed out of the inbox
    files, _rows, points, issues = graded(inbox)
    told = issues[issues["code"] == "archive_split_missing"].set_index("file")
    assert sorted(told.index) == ["分卷.z01", "材料.zip.001", "材料.zip.003"]
    reason = files.set_index("file")["reason"]
    assert reason["链.zip.001"] == "archive_split" and reason["链.zip.002"] == "symlink"
    assert not files["file"].str.startswith("链.zip/").any()
    assert "第 1 卷，但同一文件夹里缺少「材料.zip.002」" in told.loc["材料.zip.001", "problem"]
    assert "第 3 卷" in told.loc["材料.zip.003", "problem"]
    assert "缺少「分卷.zip」" in told.loc["分卷.z01", "problem"]
    assert all("补发缺少的分卷" in fix for fix in told["fix"])
    assert points.empty


def test_a_zip_member_without_a_name_does_not_stop_the_run(tmp_path: Path) -> None:
    """A member whose name is empty (a damaged or hostile zip): zipfile's is_dir raised
    IndexError, which escaped discover and stopped the whole run with a traceback. The
    nameless member is reported, the form beside it read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))
        zf.writestr(zipfile.ZipInfo("", (2026, 3, 20, 9, 0, 0)), b"what has no name")
    with zipfile.ZipFile(inbox / "办公室.zip") as zf:  # the precondition: a member named ""
        assert [i.filename for i in zf.infolist()] == ["张三.xlsx", ""]
        with pytest.raises(IndexError):
            zf.infolist()[1].is_dir()
    files, _rows, points, issues = graded(inbox)
    assert points["file"].unique().tolist() == ["办公室.zip/张三.xlsx"]
    nameless = files[files["file"].ne("办公室.zip") & files["file"].ne("办公室.zip/张三.xlsx")]
    assert nameless["status"].tolist() == [frames.FILE_STATUS_REJECTED]
    assert nameless["file"].iloc[0] in set(issues["file"])


def test_a_mail_saved_as_a_web_page_says_its_attachments_were_not_saved(tmp_path: Path) -> None:
    """Outlook's 「另存为 MHT」 of a mail keeps its text, not its attachments. It was 「这不是
    Excel 表格文件（网页文件）…请确认附件是否发错」 (or, with a To: line, 「这个邮件中没有任何文件」):
    the office is told the attachments were left out and how to save them."""
    gb = lambda text: base64.b64encode(text.encode("gb2312")).decode()
    page = (
        f"From: =?gb2312?B?{gb('张三')}?= <zs@x.cn>\r\n{{to}}Subject: =?gb2312?B?{gb('自查表')}?=\r\n"
        "Date: Mon, 16 Mar 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="R"; type="text/html"\r\n\r\n'
        '--R\r\nContent-Type: text/html; charset="gb2312"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "<html><body><p>=C7=EB=B2=E9=CA=D5</p></body></html>\r\n--R--\r\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.mht").write_text(page.format(to=""), encoding="ascii")
    (inbox / "来信2.mht").write_text(page.format(to="To: office@x.cn\r\n"), encoding="ascii")
    browser = page.replace("=?gb2312?B?1cXI/Q==?= <zs@x.cn>", "<Saved by Blink>")
    (inbox / "通知网页.mht").write_text(browser.format(to=""), encoding="ascii")
    files, _rows, _points, issues = graded(inbox)
    assert files.set_index("file")["reason"].to_dict() == {
        "来信.mht": "mail_web_page",
        "来信2.mht": "mail_web_page",
        "通知网页.mht": "not_excel",  # a page a browser saved is no mail
    }
    for told in issues[issues["code"] == "mail_web_page"].to_dict("records"):
        assert "附件不会一起保存" in told["problem"] and "另存下来放入收件箱" in told["fix"]


def test_a_form_uuencoded_in_a_mails_text_is_read(tmp_path: Path) -> None:
    """Outlook Express, old Foxmail and mail scripts put a file in the text itself
    (「begin 644 钱七.xlsx」, uuencoded lines, 「end」), with no MIME part naming it: the mail
    was told 「这个邮件中没有任何文件」 and the form lost. It is read under its name, written in
    the text's GBK."""
    data = _form(tmp_path / "a.xlsx", "张三")
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    body = b"\r\n".join(
        [b"\xc7\xeb\xb2\xe9\xca\xd5", b"", b"begin 644 " + "张三.xlsx".encode("gbk")]
    )
    body += b"\r\n" + b"".join(line.replace(b"\n", b"\r\n") for line in lines) + b"`\r\nend\r\n"
    mail = b"From: zs@163.com\r\nSubject: zicha\r\nContent-Type: text/plain; charset=gbk\r\n\r\n"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(mail + body)
    parsed = email.message_from_bytes(mail + body, policy=email.policy.default)
    assert not parsed.is_multipart() and parsed.get_filename() is None  # the precondition
    files, _rows, points, issues = graded(inbox)
    assert sorted(files["file"]) == ["来信.eml", "来信.eml/张三.xlsx"]
    assert points["file"].unique().tolist() == ["来信.eml/张三.xlsx"]
    assert "container_empty" not in issues["code"].tolist()


def test_an_attachment_whose_file_is_not_in_the_mail_says_where_it_went(tmp_path: Path) -> None:
    """Attachments whose file is not in the mail: one Thunderbird detached to the office's
    computer (the note left in its place, X-Mozilla-External-Attachment-URL), one it deleted
    (text/x-moz-deleted), and a reference to a file elsewhere (message/external-body naming
    /etc/passwd). Before, their notes were read as the files (「无法识别这个表格」, 「文件是空
    的」); now each says what happened and where the file is, nothing outside the inbox is
    opened, and the mail's real attachment is read."""
    note = "You deleted an attachment from this message. The original MIME headers were:\r\n"
    real = base64.b64encode(_form(tmp_path / "a.xlsx", "张三")).decode()
    raw = (
        "From: a@example.cn\r\nSubject: =?UTF-8?B?6Ieq5p+l6KGo?=\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nsee\r\n"
        f'--B\r\nContent-Type: {"/".join(XLSX_TYPE)}; name="=?UTF-8?B?5byg5LiJLnhsc3g=?="\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="=?UTF-8?B?5byg5LiJLnhsc3g=?="\r\n\r\n'
        f"{real}\r\n"
        f'--B\r\nContent-Type: {"/".join(XLSX_TYPE)}; name="=?UTF-8?B?5p2O5ZubLnhsc3g=?="\r\n'
        'Content-Disposition: attachment; filename="=?UTF-8?B?5p2O5ZubLnhsc3g=?="\r\n'
        "X-Mozilla-External-Attachment-URL: file:///C:/Users/office/Documents/"
        "%E6%9D%8E%E5%9B%9B.xlsx\r\n"
        'X-Mozilla-Altered: AttachmentDetached; date="Mon Mar 16 10:00:00 2026"\r\n\r\n'
        f"{note}"
        '--B\r\nContent-Type: text/x-moz-deleted; name="Deleted: =?UTF-8?B?546L5LqULnhsc3g=?="\r\n'
        'Content-Disposition: attachment; filename="Deleted: =?UTF-8?B?546L5LqULnhsc3g=?="\r\n'
        'X-Mozilla-Altered: AttachmentDeleted; date="Mon Mar 16 10:00:00 2026"\r\n\r\n'
        f"{note}"
        '--B\r\nContent-Type: message/external-body; access-type=local-file; name="/etc/passwd"'
        "\r\n\r\nContent-Type: application/vnd.ms-excel\r\n"
        'Content-Disposition: attachment; filename="passwd.xlsx"\r\n\r\n'
        "--B--\r\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.eml").write_bytes(raw.encode())
    parsed = email.message_from_bytes(raw.encode(), policy=email.policy.default)
    kinds = [p.get_content_type() for p in parsed.walk()]
    assert "text/x-moz-deleted" in kinds and "message/external-body" in kinds  # precondition
    files, _rows, points, issues = graded(inbox)
    assert points["name"].tolist() == ["张三"]  # the attachment that is in the mail
    status = files.set_index("file")["status"]
    assert status["来信.eml/张三.xlsx"] == frames.FILE_STATUS_READ
    by_file = issues.set_index("file")
    detached = by_file.loc["来信.eml/李四.xlsx"]
    assert detached["code"] == "mail_part_detached" and detached["action"] == vocab.ACTION_REJECT
    assert "另存到了「C:\\Users\\office\\Documents\\李四.xlsx」" in detached["problem"]
    assert by_file.loc["来信.eml/王五.xlsx", "code"] == "mail_part_deleted"
    reference = by_file.loc["来信.eml/passwd.xlsx"]
    assert reference["code"] == "mail_part_reference" and "/etc/passwd" in reference["problem"]
    for gone in ("来信.eml/李四.xlsx", "来信.eml/王五.xlsx", "来信.eml/passwd.xlsx"):
        assert status[gone] == frames.FILE_STATUS_REJECTED


def test_an_outlook_attachment_by_reference_names_where_the_file_is(tmp_path: Path) -> None:
    """An Outlook .msg attachment sent as a link (a OneDrive 云附件, a path on a shared
    drive: a name and where the file is, no bytes) was 退回 as 「邮件正文里嵌入的对象，不是附件
    文件」, untrue; now it says the file is elsewhere and where, and is never opened. A file
    attached by value whose pathname Outlook also kept is read as before."""
    tree = message([("张三.xlsx", _form(tmp_path / "a.xlsx", "张三"))])
    tree["__attach_version1.0_#00000000"]["__substg1.0_370D001F"] = (
        "C:\\Users\\张三\\Desktop\\张三.xlsx".encode("utf-16-le")
    )
    link = "https://example-my.sharepoint.com/personal/li/Documents/李四.xlsx"
    tree["__attach_version1.0_#00000001"] = {
        "__properties_version1.0": b"\x00" * 8,
        "__substg1.0_3707001F": "李四.xlsx".encode("utf-16-le"),
        "__substg1.0_370D001F": link.encode("utf-16-le"),
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "来信.msg").write_bytes(compound_file(tree))
    files, _rows, points, issues = graded(inbox)
    assert points["name"].tolist() == ["张三"]
    status = files.set_index("file")["status"]
    assert status["来信.msg/李四.xlsx"] == frames.FILE_STATUS_REJECTED
    (ref,) = issues[issues["file"] == "来信.msg/李四.xlsx"].to_dict("records")
    assert ref["code"] == "mail_part_reference" and "sharepoint.com/personal/li" in ref["problem"]
    assert vocab.DETAIL_MAIL_OBJECT not in ref["problem"]
