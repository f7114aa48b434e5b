"""discover: every file under the inbox gets a row; what will not be read gets a reason."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config, discover, frames, prehash, vocab
from pipeline.workbook import sniff
from tests.forms import sample_row, write_form


def settings(**limits: object) -> config.Settings:
    base = config.default_settings()
    return dataclasses.replace(base, limits=dataclasses.replace(base.limits, **limits))


def _docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")


def _ofd(path: Path) -> None:
    """An OFD document (GB/T 33190, what WPS and government systems export): a zip of XML."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "OFD.xml", f"<ofd:OFD {ns}><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:OFD>"
        )
        zf.writestr("Doc_0/Document.xml", f"<ofd:Document {ns}/>")
        zf.writestr("Doc_0/Pages/Page_0/Content.xml", f"<ofd:Page {ns}/>")
        zf.writestr("Doc_0/Res/image_1.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)


# a Windows shell link's header (size 0x4C, the ShellLink CLSID), then the target's path
LNK = (
    b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F"
    + b"\x00" * 56
    + "C:\\Users\\张三\\Desktop\\张三.xlsx".encode("utf-16-le")
)
URL_SHORTCUT = "[InternetShortcut]\nURL=file:///C:/Users/张三/Desktop/张三.xlsx\n"

# (file name, how to build it, reason code, detail shown in the problem text)
CASES = [
    ("~$张三.xlsx", lambda p: p.write_bytes(b"\x05owner" + b"\x00" * 160), "lock_file", ""),
    ("空.xlsx", lambda p: p.write_bytes(b""), "empty_file", ""),
    ("扫描件.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n%binary"), "not_excel", "PDF 文档"),
    ("假表格.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n%binary"), "not_excel", "PDF 文档"),
    ("说明.docx", _docx, "not_excel", "Word 文档"),
    # an OFD notice was opened as a parcel and each of its XML parts 退回 one by one
    ("通知.ofd", _ofd, "not_excel", "OFD 版式文档"),
    (
        "IMG_0012.HEIC",
        lambda p: p.write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(64)),
        "not_excel",
        "图片",
    ),
    ("说明.txt", lambda p: p.write_text("请查收", encoding="utf-8"), "not_excel", "文本文件"),
    ("乱码.xls", lambda p: p.write_bytes(b"\x01\x02\x03garbage" * 10), "corrupt", ""),
    # a shortcut dragged in from the desktop: named as such, never followed (was 「这不是
    # Excel 表格文件（无法识别的文件类型）」 / 「（文本文件）」 / 「已损坏」)
    ("张三.xlsx.lnk", lambda p: p.write_bytes(LNK), "shortcut_file", "快捷方式"),
    ("张三.xlsx", lambda p: p.write_bytes(LNK), "shortcut_file", "快捷方式"),
    ("自查表.url", lambda p: p.write_text(URL_SHORTCUT, encoding="utf-8"), "shortcut_file", ""),
]
# a web page saved as .xls is judged by the reader (a web table is read): test_html_tables


@pytest.mark.parametrize(
    ("name", "build", "code", "detail"), CASES, ids=[c[2] + ":" + c[0] for c in CASES]
)
def test_rejected_files(tmp_path: Path, name: str, build, code: str, detail: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build(inbox / name)
    write_form(inbox / "正常.xlsx")
    files, issues = discover.discover(inbox, settings())
    row = files.set_index("file").loc[name]
    assert row["status"] == frames.FILE_STATUS_REJECTED
    assert row["reason"] == code
    (issue,) = issues[issues["file"] == name].to_dict("records")
    assert issue["code"] == code and issue["action"] == vocab.ACTION_REJECT
    assert detail in issue["problem"]
    assert files.set_index("file").loc["正常.xlsx", "status"] is not None
    assert files.set_index("file")["status"].isna().sum() == 1  # only the real form goes on


def test_a_month_folder_is_no_date_of_a_day(tmp_path: Path) -> None:
    """WeChat keeps received files in month folders (FileStorage/File/2026-12/), and offices
    file by month (202611/): 「2026-12」 was read as 2026-01-02 (month 1, day 2), a date that
    then decided which of a person's two forms came later. A folder names a day only with one
    separator throughout (2026-03-24, 2026.3.24), 年月日, or eight digits (20260324)."""
    inbox = tmp_path / "inbox"
    for rel in (
        "微信/FileStorage/File/2026-12/张三.xlsx",
        "202611/李四.xlsx",
        "2026-03-24 来自王五/王五.xlsx",
        "2026年3月25日/赵六.xlsx",
        "20260326_孙七/孙七.xlsx",
    ):
        write_form(inbox / rel, rows=[sample_row(len(rel))])
    files, _issues = discover.discover(inbox, settings())
    dated = files.set_index("file")["folder_date"]
    assert pd.isna(dated["微信/FileStorage/File/2026-12/张三.xlsx"])
    assert pd.isna(dated["202611/李四.xlsx"])
    assert dated["2026-03-24 来自王五/王五.xlsx"] == "2026-03-24"
    assert dated["2026年3月25日/赵六.xlsx"] == "2026-03-25"
    assert dated["20260326_孙七/孙七.xlsx"] == "2026-03-26"


def test_too_large(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "大.xlsx", rows=[sample_row(i) for i in range(1, 200)])
    files, issues = discover.discover(inbox, settings(max_file_bytes=1024))
    assert files.loc[0, "reason"] == "too_large"
    assert issues.loc[0, "code"] == "too_large"


def test_a_zip_or_mail_too_large_is_not_told_as_a_workbook_full_of_pictures(
    tmp_path: Path,
) -> None:
    """A section's zip of forms and scanned 承诺书, or a Thunderbird mbox, over the file limit
    was told 「文件过大…自查表通常只有几十 KB；请检查是否误插入图片或大量空白格式」, advice for a
    workbook. It is told as the archive or mail it is, with what to do: take the forms out
    (or raise max_file_mb); a workbook too large keeps its own advice."""
    inbox = tmp_path / "inbox"
    write_form(inbox / "大.xlsx", rows=[sample_row(i) for i in range(1, 200)])
    big = os.urandom(4096)
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("扫描件.jpg", big)
    (inbox / "收件箱.mbox").write_bytes(b"From - Tue Apr 21 09:00:00 2026\nFrom: a@b.cn\n\n" + big)
    (inbox / "材料.zip.001").write_bytes(big)
    files, issues = discover.discover(inbox, settings(max_file_bytes=2048))
    assert (files.set_index("file")["size"] > 2048).all()  # the precondition: all too large
    told = issues.set_index("file")
    assert told.loc["大.xlsx", "code"] == "too_large"
    for name, kind in (
        ("办公室.zip", "ZIP 压缩包"),
        ("收件箱.mbox", "mbox"),
        ("材料.zip.001", "分卷压缩包"),
    ):
        assert told.loc[name, "code"] == "too_large_container"
        assert kind in told.loc[name, "problem"] and "max_file_mb" in told.loc[name, "fix"]
        assert "图片" not in told.loc[name, "fix"]


def test_walks_subfolders_hidden_files_sorted_with_columns(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "b" / "乙.xlsx", rows=[sample_row(2)])
    write_form(inbox / "a" / "深" / "甲.xlsx", rows=[sample_row(1)])
    write_form(inbox / ".隐藏" / "丙.xlsx", rows=[sample_row(3)])
    (inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    files, _ = discover.discover(inbox, settings())
    assert list(files.columns) == list(frames.FILE_COLUMNS)
    assert files["file"].tolist() == [".DS_Store", ".隐藏/丙.xlsx", "a/深/甲.xlsx", "b/乙.xlsx"]
    assert files["status"].isna().tolist() == [False, True, True, True]
    assert files.loc[0, "reason"] == "folder_system_file"  # the Finder's, nobody's form
    first = files.iloc[2]
    assert first["ext"] == ".xlsx" and first["size"] == (inbox / "a/深/甲.xlsx").stat().st_size
    assert len(first["sha256"]) == 64


def test_duplicate_content_is_superseded_naming_the_kept_file(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "a" / "张三.xlsx")
    (inbox / "b").mkdir()
    (inbox / "b" / "张三(1).xlsx").write_bytes((inbox / "a" / "张三.xlsx").read_bytes())
    files, issues = discover.discover(inbox, settings())
    assert files["status"].isna().tolist() == [True, False]
    assert files.loc[1, "status"] == frames.FILE_STATUS_SUPERSEDED
    assert files.loc[1, "reason"] == "duplicate_file"
    (issue,) = issues.to_dict("records")
    assert issue["file"] == "b/张三(1).xlsx" and "a/张三.xlsx" in issue["problem"]
    assert issue["action"] == vocab.ACTION_NOTE


def test_symlink_out_of_inbox_and_special_files_are_not_followed(tmp_path: Path) -> None:
    outside = write_form(tmp_path / "outside" / "secret.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.xlsx").symlink_to(outside)
    (inbox / "linkdir").symlink_to(outside.parent, target_is_directory=True)
    os.mkfifo(inbox / "pipe.xlsx")
    write_form(inbox / "real.xlsx")
    (inbox / "inner.xlsx").symlink_to(inbox / "real.xlsx")
    files, _ = discover.discover(inbox, settings())
    by = files.set_index("file")
    assert by.loc["link.xlsx", "reason"] == "symlink"
    assert by.loc["linkdir", "reason"] == "symlink"
    assert by.loc["pipe.xlsx", "reason"] == "not_excel"
    # a link to a file inside the inbox is a duplicate of its target, which is read
    # even though the link sorts first
    assert by.loc["real.xlsx", "status"] != by.loc["real.xlsx", "status"]  # NA: read
    assert by.loc["inner.xlsx", "reason"] == "duplicate_file"
    assert "secret.xlsx" not in " ".join(files["file"])


def test_an_inbox_of_many_files_has_each_files_own_hash_and_verdict(tmp_path: Path) -> None:
    # more files than one hashing task takes: the digests, read by several threads, must
    # land on their own files, and the rejected ones among them keep their own reasons
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    n = discover.HASH_CHUNK * 3 + 5
    for i in range(n):
        (inbox / f"表{i:03d}.csv").write_text(f"序号,风险点\n{i},描述{i}\n", encoding="utf-8")
    (inbox / "表070-空.csv").write_bytes(b"")
    (inbox / "表100-扫描件.pdf").write_bytes(b"%PDF-1.7\n%binary")
    (inbox / "表190-重发.csv").write_bytes((inbox / "表001.csv").read_bytes())
    files, issues = discover.discover(inbox, settings())
    assert len(files) == n + 3 > discover.HASH_CHUNK
    by = files.set_index("file")
    for i in range(n):
        name = f"表{i:03d}.csv"
        assert by.loc[name, "sha256"] == hashlib.sha256((inbox / name).read_bytes()).hexdigest()
        assert by.loc[name, "size"] == (inbox / name).stat().st_size
    assert by["status"].isna().sum() == n
    assert by.loc["表070-空.csv", "reason"] == "empty_file"
    assert by.loc["表100-扫描件.pdf", "reason"] == "not_excel"
    assert by.loc["表190-重发.csv", "reason"] == "duplicate_file"
    (dup,) = issues[issues["code"] == "duplicate_file"].to_dict("records")
    assert dup["file"] == "表190-重发.csv" and "表001.csv" in dup["problem"]


def _hashed_at_start(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Start the command line's early hashing on ``inbox`` (files of any age) and wait for it;
    what it found, by path (it stays waiting for ``discover`` to take it)."""
    monkeypatch.setattr(prehash, "RECENT_NS", 0)
    prehash.start(inbox)
    assert prehash._running is not None
    return {path: result for path, (_stamp, result) in prehash._running.wait().items()}


def test_hashes_taken_at_start_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = write_form(tmp_path / "outside" / "secret.xlsx")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    write_form(inbox / "a.xlsx")
    write_form(inbox / "sub" / "b.xlsx")
    (inbox / "c.csv").write_bytes((inbox / "a.xlsx").read_bytes()[:100])
    (inbox / "~$a.xlsx").write_bytes(b"lock")
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / "link.xlsx").symlink_to(outside)
    (inbox / "again.xlsx").write_bytes((inbox / "a.xlsx").read_bytes())
    plain, plain_issues = discover.discover(inbox, settings())
    early = _hashed_at_start(inbox, monkeypatch)
    # the plain files were hashed early; the lock file, the empty one and the link were not
    names = {Path(p).relative_to(inbox).as_posix() for p in early}
    assert names == {"a.xlsx", "sub/b.xlsx", "c.csv", "again.xlsx"}
    assert prehash.HEAD_BYTES == sniff.TEXT_HEAD_BYTES
    files, issues = discover.discover(inbox, settings())
    assert prehash._running is None  # taken
    columns = ["file", "size", "sha256", "status", "reason"]
    assert files[columns].astype(str).equals(plain[columns].astype(str))
    assert issues["code"].tolist() == plain_issues["code"].tolist()
    by = files.set_index("file")
    assert by.loc["again.xlsx", "reason"] == "duplicate_file"
    assert by.loc["link.xlsx", "reason"] == "symlink"


def test_a_file_changed_after_the_start_is_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the early hash must never be trusted over the file itself: a file rewritten in place
    # with other bytes of the same size, its modification time put back, is hashed anew
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = write_form(inbox / "form.xlsx")
    before = form.stat()
    old = hashlib.sha256(form.read_bytes()).hexdigest()
    early = _hashed_at_start(inbox, monkeypatch)
    assert early[str(form)][0] == old
    time.sleep(0.05)  # past a tick of the file system's clock
    data = form.read_bytes()
    new_bytes = data[:-1] + bytes([data[-1] ^ 0xFF])
    with open(form, "r+b") as fh:
        fh.write(new_bytes)
    os.utime(form, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert form.stat().st_size == before.st_size and form.stat().st_mtime_ns == before.st_mtime_ns
    files, _ = discover.discover(inbox, settings())
    assert (
        files.set_index("file").loc["form.xlsx", "sha256"] == hashlib.sha256(new_bytes).hexdigest()
    )
    assert hashlib.sha256(new_bytes).hexdigest() != old


def test_files_written_just_before_the_start_are_left_to_discover(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(inbox / "form.xlsx")
    prehash.start(inbox)
    early = prehash.take(inbox)
    assert early == {}
    files, _ = discover.discover(inbox, settings())
    digest = hashlib.sha256((inbox / "form.xlsx").read_bytes()).hexdigest()
    assert files.set_index("file").loc["form.xlsx", "sha256"] == digest


def test_what_a_mac_writes_beside_each_file_is_no_form_and_no_sender(tmp_path: Path) -> None:
    """A folder copied from a Mac onto a USB stick or a Windows share gets a hidden
    ``._名.xlsx`` beside every file (AppleDouble: the file's attributes). Each is listed as
    what it is, not as a corrupt form whose extension was changed, and never makes its
    namesake 「已报送但被退回」: 张三 is counted from his form, 李四 (only the ``._`` file
    arrived) has not submitted."""
    from pipeline import run
    from tests.builders import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(
        inbox / "张三.xlsx", header={"name": "张三", "section": "办公室"}, rows=[sample_row(1)]
    )
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 60
    for name in ("._张三.xlsx", "._李四.xlsx"):
        (inbox / name).write_bytes(apple_double)
    assert sniff.sniff(inbox / "._李四.xlsx", ".xlsx", apple_double) == "corrupt"  # precondition
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
        ("办公室", "李四", "文员", "其他", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])
    result = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T09:00:00")
    by_file = result.files.set_index("file")
    assert by_file.loc[["._张三.xlsx", "._李四.xlsx"], "reason"].tolist() == ["mac_metadata"] * 2
    told = result.issues[result.issues["file"] == "._李四.xlsx"]
    assert "苹果电脑" in told["problem"].iloc[0] and "损坏" not in told["problem"].iloc[0]
    assert result.points["file"].tolist() == ["张三.xlsx"]
    people_rows = result.submissions[
        result.submissions["form"] == vocab.FORM_KIND_LABEL[vocab.INDIVIDUAL]
    ]
    status = people_rows.set_index("name")["status"]
    assert status["李四"] == vocab.STATUS_MISSING
    assert status["张三"] != vocab.STATUS_SENT_BACK
    assert result.counts["files"]["total"] == 3


def test_what_windows_and_a_mac_write_into_a_folder_is_nobodys_file(tmp_path: Path) -> None:
    """An inbox on a share, or copied from a Mac, holds the folder's own hidden files:
    Explorer's thumbnail cache Thumbs.db (an OLE file), desktop.ini (the folder's icon), a
    Mac's .DS_Store, in the inbox and in its mail folders. Each is told as what it is
    (「无需处理」) and makes nobody 「已报送但被退回」. Before, each was 「这不是 Excel 表格文件……请
    确认附件是否发错」, asking the office about an attachment nobody sent."""
    from pipeline import run
    from tests.builders import write_config

    inbox = tmp_path / "inbox"
    mail = inbox / "2026-03-24 来自张三"
    mail.mkdir(parents=True)
    write_form(
        mail / "张三.xlsx", header={"name": "张三", "section": "办公室"}, rows=[sample_row(1)]
    )
    thumbs = discover.OLE_MAGIC + b"\x00" * 1528
    (inbox / "Thumbs.db").write_bytes(thumbs)
    (mail / "Thumbs.db").write_bytes(thumbs)
    (inbox / "desktop.ini").write_bytes(
        "\ufeff[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\imageres.dll,-3\r\n".encode(
            "utf-16-le"
        )
    )
    (mail / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 2040)
    system = ["2026-03-24 来自张三/.DS_Store", "2026-03-24 来自张三/Thumbs.db", "Thumbs.db"]
    system.append("desktop.ini")
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])
    result = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T09:00:00")
    by_file = result.files.set_index("file")
    assert sorted(by_file.index) == sorted([*system, "2026-03-24 来自张三/张三.xlsx"])
    assert by_file.loc[system, "reason"].tolist() == ["folder_system_file"] * 4
    told = result.issues.set_index("file").loc[system]
    assert told["problem"].tolist() == [
        f"这是 Windows 或苹果电脑在文件夹里自动生成的隐藏文件（「{name.rpartition('/')[2]}」，"
        "记录缩略图或文件夹的显示设置），不是报送的表格。"
        for name in system
    ]
    assert set(told["fix"]) == {"无需处理。"}
    assert result.points["file"].tolist() == ["2026-03-24 来自张三/张三.xlsx"]
    status = result.submissions.set_index("name")["status"]
    assert status["张三"] not in (vocab.STATUS_SENT_BACK, vocab.STATUS_MISSING)
    assert result.counts["files"]["total"] == 5


def test_a_download_note_and_an_unfinished_download_are_told_as_what_they_are(
    tmp_path: Path,
) -> None:
    """Attachments saved from a browser and copied over with WSL or some unzip tools bring
    Windows' note of their origin as a file of its own (张三.xlsx:Zone.Identifier), and a
    download not finished stays as 李四.xlsx.crdownload (Chrome, Edge, 360), .part (Firefox)
    or .baiduyun.downloading. Each was 「这不是 Excel 表格文件（文本文件 / 压缩包）…请确认附件是
    否发错」. The note is told as nobody's file (张三 is not 「被退回」 by it), the downloads as unfinished, to be
    downloaded again; a whole workbook under such a name is read."""
    from pipeline import run
    from tests.builders import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(
        inbox / "张三.xlsx", header={"name": "张三", "section": "办公室"}, rows=[sample_row(1)]
    )
    note = b"[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.qq.com/\r\n"
    (inbox / "张三.xlsx:Zone.Identifier").write_bytes(note)
    (inbox / "李四.xlsx_Zone.Identifier").write_bytes(note)
    whole = write_form(
        tmp_path / "李四.xlsx", header={"name": "李四", "section": "办公室"}, rows=[sample_row(2)]
    ).read_bytes()
    (inbox / "李四.xlsx.crdownload").write_bytes(whole[:3000])
    (inbox / "李四.xlsx.part").write_bytes(whole[:2000])
    (inbox / "王五.xlsx.baiduyun.downloading").write_bytes(whole[:1000])
    (inbox / "赵六.xlsx.crdownload").write_bytes(
        write_form(
            tmp_path / "赵六.xlsx",
            header={"name": "赵六", "section": "办公室"},
            rows=[sample_row(3)],
        ).read_bytes()
    )
    assert sniff.sniff(inbox / "李四.xlsx.crdownload", ".crdownload", whole[:3000]) is not None
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
        ("办公室", "李四", "文员", "其他", "否"),
        ("办公室", "赵六", "文员", "其他", "否"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])
    result = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T09:00:00")
    reason = result.files.set_index("file")["reason"]
    assert reason["张三.xlsx:Zone.Identifier"] == reason["李四.xlsx_Zone.Identifier"]
    assert reason["李四.xlsx_Zone.Identifier"] == "zone_identifier"
    for name in ("李四.xlsx.crdownload", "李四.xlsx.part", "王五.xlsx.baiduyun.downloading"):
        assert reason[name] == "download_unfinished"
    told = result.issues.set_index("file")
    assert "没有下载完" in told.loc["李四.xlsx.crdownload", "problem"]
    assert "重新下载" in told.loc["李四.xlsx.crdownload", "fix"]
    assert "Zone.Identifier" in told.loc["张三.xlsx:Zone.Identifier", "problem"]
    assert "not_excel" not in result.issues["code"].tolist()
    assert sorted(set(result.points["file"])) == ["张三.xlsx", "赵六.xlsx.crdownload"]
    people_rows = result.submissions[
        result.submissions["form"] == vocab.FORM_KIND_LABEL[vocab.INDIVIDUAL]
    ]
    assert people_rows.set_index("name")["status"]["张三"] != vocab.STATUS_SENT_BACK


def test_a_form_still_being_copied_is_told_to_wait_not_to_send_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office runs the tool while a form is still being copied into the inbox: what the
    run reads is the first half of it. It was 「文件已损坏或不完整…请让报送人…重新发送」,
    though the form is whole where it came from. The copy ends while the tool reads: the
    file is told to be still changing, to wait and run again; the form beside it is read."""
    from pipeline import read, run
    from tests.builders import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(
        inbox / "李四.xlsx", header={"name": "李四", "section": "办公室"}, rows=[sample_row(1)]
    )
    whole = write_form(tmp_path / "张三.xlsx", rows=[sample_row(2)]).read_bytes()
    copying = inbox / "张三.xlsx"
    copying.write_bytes(whole[: len(whole) // 2])
    real_read = read.read_files

    def read_while_the_copy_ends(files, *args, **kw):
        out = real_read(files, *args, **kw)
        copying.write_bytes(whole)  # the copy has ended meanwhile
        return out

    monkeypatch.setattr(read, "read_files", read_while_the_copy_ends)
    people = [("办公室", "张三", "主任", "其他", "是"), ("办公室", "李四", "科员", "其他", "否")]
    cfg = write_config(tmp_path, people, [("办公室", "张三", "")])
    result = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T09:00:00")
    by_file = result.files.set_index("file")
    assert by_file.loc["李四.xlsx", "status"] == frames.FILE_STATUS_READ
    assert by_file.loc["张三.xlsx", "reason"] == "file_changing"
    (told,) = result.issues[result.issues["file"] == "张三.xlsx"].to_dict("records")
    assert "还在变化" in told["problem"] and "复制" in told["problem"]
    assert "重新运行" in told["fix"] and "无需让报送人重新发送" in told["fix"]


def test_a_file_that_cannot_be_opened_here_is_not_sent_back_to_its_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form the office cannot open (no read permission on a share, locked by a sync tool
    or an antivirus): it was 「读取文件时出错…文件可能已损坏或格式异常。请让报送人…另存为
    .xlsx 后重新发送」, though nothing is wrong with what was sent. The office is told to
    free the file and run again."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(inbox / "张三.xlsx", rows=[sample_row(1)])
    write_form(
        inbox / "李四.xlsx", header={"name": "李四", "section": "办公室"}, rows=[sample_row(2)]
    )
    locked = os.fspath(inbox / "张三.xlsx")
    real_hash = prehash.hash_file

    def denied(path: str, *args: object) -> tuple[str, bytes]:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_hash(path, *args)

    monkeypatch.setattr(prehash, "hash_file", denied)
    files, issues = discover.discover(inbox, settings())
    by_file = files.set_index("file")
    assert by_file.loc["张三.xlsx", "reason"] == "cannot_open"
    assert by_file["status"].isna()["李四.xlsx"]  # left to read
    (told,) = issues.to_dict("records")
    assert "没有读取权限" in told["problem"] and "损坏" not in told["problem"]
    assert "无需让报送人重新发送" in told["fix"]
