"""True reasons for the workbook formats offices send: old BIFF, passwords, odd packages,
formula cells without a result and Excel error values."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import config, discover, frames, read, vocab
from pipeline import run as pipeline_run
from pipeline.cli import main
from pipeline.validate import validate
from pipeline.workbook import biff
from tests.builders import write_config
from tests.forms import (
    HEADER,
    biff5_stream,
    form_grid,
    pledge_grid,
    rewrite_zip,
    sample_row,
    write_fods,
    write_form,
    write_xlsb_over,
    write_xlsx,
)
from tests.test_validate import make_roster

CORPUS = Path("/work/shared/corpus/public")
SETTINGS = config.default_settings()
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the public corpus is absent")


def run(inbox: Path):
    files, found = discover.discover(inbox, SETTINGS)
    files, rows, issues = read.read_files(files, inbox, SETTINGS)
    return files.set_index("file"), rows, frames.concat_issues(found, issues)


def checked(inbox: Path):
    """discover + read + validate against the test roster (办公室: 张三, 李四 …)."""
    files, found = discover.discover(inbox, SETTINGS)
    files, rows, issues = read.read_files(files, inbox, SETTINGS)
    files, rows, points, more = validate(files, rows, make_roster(), SETTINGS)
    return files.set_index("file"), rows, points, frames.concat_issues(found, issues, more)


def corpus_copy(tmp_path: Path, relpaths: list[str]) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for rel in relpaths:
        shutil.copyfile(CORPUS / rel, inbox / Path(rel).name)
    return inbox


# --------------------------------------------------------------------------------------
# old Excel and passwords
# --------------------------------------------------------------------------------------
BARE_BIFF = [
    "SheetJS+test_files/crlf/CRLFX5_2.XLS",
    "SheetJS+test_files/crlf/CRLFX5_3.XLS",
    "apache+poi/test-data/spreadsheet/testEXCEL_4.xls",
]


@needs_corpus
def test_excel_2_to_4_files_are_opened_not_called_renamed(tmp_path: Path) -> None:
    inbox = corpus_copy(tmp_path, BARE_BIFF)
    versions = {p.name: biff.bare_biff_version(p.read_bytes()[:16]) for p in inbox.iterdir()}
    assert sorted(versions.values()) == [2, 3, 4]  # precondition: bare BIFF2/3/4 streams
    files, _rows, issues = run(inbox)
    # opened and looked at: they hold no 自查表, which is the true reason
    assert set(files["reason"]) == {"unknown_template"}
    assert not issues["problem"].str.contains("扩展名").any()


def test_an_excel_4_form_is_read(tmp_path: Path) -> None:
    """A bare BIFF4 form (as Excel 4.0 saves it) is read by xlrd with its rows."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    grid = form_grid(rows=[sample_row(1), sample_row(2)])
    (inbox / "张三.xls").write_bytes(_biff4(grid))
    files, rows, issues = run(inbox)
    assert files.loc["张三.xls", "status"] == frames.FILE_STATUS_READ
    assert rows["description"].tolist() == ["泄露未公开信息1", "泄露未公开信息2"]
    note = issues[issues["code"] == "legacy_format"].iloc[0]
    assert "Excel 4.0" in note["problem"]


def _biff4(grid: list[list[object]]) -> bytes:
    """A minimal BIFF4 worksheet stream: BOF, LABEL (code page 936 text) and NUMBER, EOF."""
    import struct

    out = [struct.pack("<HHHHH", 0x0409, 6, 0, 0x0010, 0)]
    out.append(struct.pack("<HHH", 0x0042, 2, 936))  # CODEPAGE: GBK
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)):
                out.append(struct.pack("<HHHHHd", 0x0203, 14, r, c, 0, float(value)))
            else:
                text = str(value).encode("gbk")
                body = struct.pack("<HHHH", r, c, 0, len(text)) + text
                out.append(struct.pack("<HH", 0x0204, len(body)) + body)
    out.append(struct.pack("<HH", 0x000A, 0))
    return b"".join(out)


ENCRYPTED_XLS = [
    "SheetJS+test_files/password_2002_40_xor.xls",  # BIFF8, XOR obfuscation
    "apache+poi/test-data/spreadsheet/xor-encryption-abc.xls",  # BIFF8, XOR
    "SheetJS+test_files/password_2002_40_basecrypto.xls",  # BIFF8, RC4
]


@needs_corpus
def test_password_protected_xls_says_password(tmp_path: Path) -> None:
    inbox = corpus_copy(tmp_path, ENCRYPTED_XLS)
    bif5 = CORPUS / "SheetJS+test_files/biff5/password_2002_40_xor.xls"
    shutil.copyfile(bif5, inbox / "biff5_xor.xls")
    for path in inbox.iterdir():  # precondition: a FILEPASS record in the workbook stream
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            name = next(n for n in ("Workbook", "Book") if ole.exists(n))
            assert biff.has_filepass(ole.openstream(name).read())
    files, _rows, issues = run(inbox)
    assert set(files["reason"]) == {"encrypted"}
    assert issues["problem"].str.contains("设置了打开密码").all()


def _rc4_encrypted(workbook: bytes, password: str) -> bytes:
    """A BIFF8 workbook stream encrypted as Excel encrypts it (RC4, MS-XLS 2.2.10): a
    FILEPASS record after the first BOF, every record body but those the format leaves
    plain XORed with the key stream of ``password`` (rekeyed every 1024 bytes)."""
    import hashlib
    import os

    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    from cryptography.hazmat.primitives.ciphers import Cipher
    from msoffcrypto.method.rc4 import _makekey

    salt, verifier = os.urandom(16), os.urandom(16)
    check = Cipher(ARC4(_makekey(password, salt, 0)), mode=None).encryptor()
    proof = check.update(verifier) + check.update(hashlib.md5(verifier).digest())
    filepass = struct.pack("<HHHHH", 0x002F, 54, 1, 1, 1) + salt + proof
    records, pos = [], 0
    while pos + 4 <= len(workbook):
        kind, size = struct.unpack_from("<HH", workbook, pos)
        records.append((kind, workbook[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    bof_size = 4 + len(records[0][1])
    plain = bytearray(workbook[:bof_size] + filepass + workbook[bof_size:])
    keep = bytearray(len(plain))  # 1 where a byte stays plain
    keep[: bof_size + len(filepass)] = b"\x01" * (bof_size + len(filepass))
    pos = bof_size + len(filepass)
    for kind, body in records[1:]:
        keep[pos : pos + 4] = b"\x01\x01\x01\x01"  # a record header is never encrypted
        if kind == 0x0085:  # BoundSheet8: its stream position moves by the FILEPASS record
            (at,) = struct.unpack_from("<I", plain, pos + 4)
            struct.pack_into("<I", plain, pos + 4, at + len(filepass))
            keep[pos + 4 : pos + 8] = b"\x01" * 4
        elif kind in (0x0809, 0x0194, 0x0193, 0x00E1, 0x0138, 0x0196):  # BOF, UsrExcl …
            keep[pos + 4 : pos + 4 + len(body)] = b"\x01" * len(body)
        pos += 4 + len(body)
    out = bytearray(plain)
    for block in range(-(-len(plain) // 1024)):
        stream = Cipher(ARC4(_makekey(password, salt, block)), mode=None).encryptor()
        key = stream.update(b"\x00" * 1024)
        for i in range(block * 1024, min(len(plain), block * 1024 + 1024)):
            if not keep[i]:
                out[i] ^= key[i - block * 1024]
    return bytes(out)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_an_xls_encrypted_with_excels_own_password_is_read(tmp_path: Path) -> None:
    """Excel 97-2003 encrypts an .xls whose workbook structure is protected with its own
    password 「VelvetSweatshop」 and opens it without asking: it is read, never told
    「设置了打开密码」. A password of the sender's is still that."""
    import subprocess

    import olefile
    import python_calamine

    from tests.outlook import compound_file

    src = write_form(
        tmp_path / "src" / "张三.xlsx", rows=[sample_row(1), sample_row(2, harm="说不准")]
    )
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path / "src"),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with olefile.OleFileIO(str(tmp_path / "src" / "张三.xls")) as ole:
        workbook = ole.openstream("Workbook").read()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    protected = inbox / "张三.xls"
    protected.write_bytes(compound_file({"Workbook": _rc4_encrypted(workbook, "VelvetSweatshop")}))
    (inbox / "李四.xls").write_bytes(compound_file({"Workbook": _rc4_encrypted(workbook, "abc")}))
    with pytest.raises(python_calamine.PasswordError):  # the precondition: encrypted
        python_calamine.CalamineWorkbook.from_path(str(protected))
    files, rows, _points, issues = checked(inbox)
    assert files.loc["张三.xls", "status"] == frames.FILE_STATUS_READ
    assert rows[rows["file"] == "张三.xls"]["description"].tolist() == [
        "泄露未公开信息1",
        "泄露未公开信息2",
    ]
    mine = issues[issues["file"] == "张三.xls"]
    assert mine[mine["action"] == vocab.ACTION_REJECT]["cell"].tolist() == ["F5"]
    assert not mine["problem"].str.contains("密码").any()
    assert files.loc["李四.xls", "reason"] == "encrypted"  # the sender's own password

    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy

    note = Annotation(vocab.SHEET_INDIVIDUAL, "F5", vocab.ACTION_REJECT, "危害程度不对。", "请改。")
    target = tmp_path / "out" / "张三_批注.xlsx"
    task = AnnotateTask(str(protected), str(target), ".xls", vocab.SHEET_INDIVIDUAL, (note,), 10**8)
    assert annotate_copy(task) == str(target)
    ws = openpyxl.load_workbook(target)[vocab.SHEET_INDIVIDUAL]
    assert ws["F5"].value == "说不准" and "危害程度不对" in ws["F5"].comment.text


def test_an_xlsx_encrypted_with_excels_own_password_is_read(tmp_path: Path) -> None:
    """An .xlsx in an encrypted package that opens with Excel's own password
    「VelvetSweatshop」 (Excel opens it without asking) is read with its rows and gets its
    annotated copy; one with the sender's password is still 「设置了打开密码」."""
    from msoffcrypto.method.ecma376_agile import ECMA376Agile

    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy

    src = write_form(tmp_path / "src.xlsx", rows=[sample_row(1), sample_row(2, harm="说不准")])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    protected = inbox / "张三.xlsx"
    protected.write_bytes(ECMA376Agile.encrypt("VelvetSweatshop", io.BytesIO(src.read_bytes())))
    (inbox / "李四.xlsx").write_bytes(ECMA376Agile.encrypt("abc", io.BytesIO(src.read_bytes())))
    assert not zipfile.is_zipfile(protected)  # the precondition: an encrypted OLE package
    files, rows, _points, issues = checked(inbox)
    assert files.loc["张三.xlsx", "status"] == frames.FILE_STATUS_READ
    assert rows[rows["file"] == "张三.xlsx"]["description"].tolist() == [
        "泄露未公开信息1",
        "泄露未公开信息2",
    ]
    mine = issues[issues["file"] == "张三.xlsx"]
    assert mine[mine["action"] == vocab.ACTION_REJECT]["cell"].tolist() == ["F5"]
    assert not mine["problem"].str.contains("密码").any()
    assert files.loc["李四.xlsx", "reason"] == "encrypted"
    note = Annotation(vocab.SHEET_INDIVIDUAL, "F5", vocab.ACTION_REJECT, "危害程度不对。", "请改。")
    target = tmp_path / "out" / "张三_批注.xlsx"
    task = AnnotateTask(
        str(protected), str(target), ".xlsx", vocab.SHEET_INDIVIDUAL, (note,), 10**8
    )
    assert annotate_copy(task) == str(target)
    ws = openpyxl.load_workbook(target)[vocab.SHEET_INDIVIDUAL]
    assert ws["F5"].value == "说不准" and "危害程度不对" in ws["F5"].comment.text


def test_encrypted_packages_asking_for_endless_hashing_are_refused_at_once(
    tmp_path: Path,
) -> None:
    """Encrypted packages whose EncryptionInfo asks for 10,000,000 rounds of hashing of the
    password (the most the format allows; Excel writes 100,000) are 「设置了打开密码」 at
    once: trying Excel's own password on each would cost about 6 CPU s, so an inbox of such
    files would hold the run for minutes. Run in a child with a time limit (20 files: about
    2 minutes of hashing without the cap), so the test fails instead of taking that long."""
    import subprocess
    import sys

    import olefile
    from msoffcrypto.method.ecma376_agile import ECMA376Agile

    from tests.outlook import compound_file

    src = write_form(tmp_path / "src.xlsx", rows=[sample_row(1)])
    encrypted = ECMA376Agile.encrypt("VelvetSweatshop", io.BytesIO(src.read_bytes()))
    with olefile.OleFileIO(io.BytesIO(encrypted)) as ole:
        info = ole.openstream("EncryptionInfo").read()
        package = ole.openstream("EncryptedPackage").read()
    assert b'spinCount="100000"' in info  # the precondition: Excel's count, made endless
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(20):  # counts told apart: equal files would be read once
        spin = b'spinCount="%d"' % (10_000_000 - i)
        endless = {"EncryptionInfo": info.replace(b'spinCount="100000"', spin)}
        (inbox / f"张三{i}.xlsx").write_bytes(
            compound_file({**endless, "EncryptedPackage": package})
        )
    code = (
        "import sys; from pathlib import Path; from tests.test_workbook_formats import run; "
        "files, _rows, _issues = run(Path(sys.argv[1])); "
        "print(*sorted(set(zip(files['status'], files['reason']))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(inbox)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert done.stdout.strip() == str((frames.FILE_STATUS_REJECTED, "encrypted"))


# --------------------------------------------------------------------------------------
# packages calamine reads though our pre-scan used to refuse them; files Excel opens
# --------------------------------------------------------------------------------------
def test_package_with_backslash_member_names_is_read(tmp_path: Path) -> None:
    src = write_form(tmp_path / "src.xlsx", rows=[sample_row(1), sample_row(2)])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(inbox / "张三.xlsx", "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename.replace("/", "\\"), zin.read(info))
    with zipfile.ZipFile(inbox / "张三.xlsx") as zf:
        assert any("\\" in n for n in zf.namelist())  # precondition
    files, rows, _issues = run(inbox)
    assert files.loc["张三.xlsx", "status"] == frames.FILE_STATUS_READ
    assert len(rows) == 2


@needs_corpus
@pytest.mark.parametrize(
    "rel",
    [
        "tafia+calamine/tests/minimal_package.xlsx",  # workbook part at /workbook.xml
        "tafia+calamine/tests/issue_530.xlsx",  # backslash member names
        "apache+poi/test-data/spreadsheet/xlmmacro.xlsm",  # an Excel 4.0 macro sheet
        "exceljs+exceljs/spec/integration/data/test-issue-176.xlsx",  # an odd <dimension>
    ],
)
def test_packages_excel_opens_are_read_not_called_corrupt(tmp_path: Path, rel: str) -> None:
    inbox = corpus_copy(tmp_path, [rel])
    files, _rows, issues = run(inbox)
    # read (no 自查表 inside), never refused as broken
    assert files["reason"].tolist() == ["unknown_template"]
    assert not issues["problem"].str.contains("损坏|重新保存").any()


@needs_corpus
def test_an_xlsb_with_a_macro_sheet_has_its_worksheets_read(tmp_path: Path) -> None:
    """An .xlsb holding an Excel 4.0 macro sheet (and a chart and a dialog sheet) beside the
    form: python-calamine refuses the whole workbook for the macro sheet, and it was 退回
    「含有本工具无法识别的内容」; its worksheet is the form, and is read."""
    inbox = tmp_path / "inbox"
    base = CORPUS / "SheetJS+test_files/BlankSheetTypes.xlsb"  # worksheet, macro, chart, dialog
    rows = [sample_row(1, description="泄露\n未公开信息"), sample_row(2)]
    write_xlsb_over(base, inbox / "张三.xlsb", form_grid(rows=rows))
    files, rows_read, issues = run(inbox)
    rec = files.loc["张三.xlsb"]
    assert (rec["status"], rec["name"], rec["n_rows"]) == ("read", "张三", 2)
    assert rows_read["description"].tolist() == ["泄露\n未公开信息", "泄露未公开信息2"]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


FLAT_ODS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
    "<office:body><office:spreadsheet/></office:body></office:document>"
)


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        ("张三.slk", 'ID;PWXL;N;E\r\nC;Y1;X1;K"科室"\r\nE\r\n', "SYLK 表格（.slk）"),
        ("张三.dif", 'TABLE\r\n0,1\r\n"EXCEL"\r\nVECTORS\r\n', "DIF 数据交换表格（.dif）"),
    ],
)
def test_other_programs_text_spreadsheets_are_named_for_what_they_are(
    tmp_path: Path, name: str, text: str, named: str
) -> None:
    """Before, these were 「这不是 Excel 表格文件（文本文件）」: the sender could not tell that
    the file is a spreadsheet to save again as .xlsx, nor how."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_text(text, encoding="utf-8")
    (inbox / "说明.txt").write_text("附件是我的自查表，请查收。\n", encoding="utf-8")
    files, _rows, issues = run(inbox)
    assert files.loc[name, "reason"] == "not_excel"
    problem = issues.set_index("file")["problem"]
    assert problem[name].startswith(f"这不是 Excel 表格文件（{named}，")
    assert "另存为" in problem[name]
    assert problem["说明.txt"] == "这不是 Excel 表格文件（文本文件），未读取。"  # still a text


def test_a_flat_ods_form_is_read_like_an_ods(tmp_path: Path) -> None:
    """LibreOffice's 「单文件 XML 表格」 (.fods, pretty-printed XML) of a form: it was only
    named (「请在 LibreOffice 中用「另存为」保存为 .xlsx」) and not read; now its rows and
    pledge are read, with the legacy_format 提示 naming the format."""
    inbox = tmp_path / "inbox"
    rows = [sample_row(1, description="泄露未公开信息\n导致失密"), sample_row(2)]
    write_fods(
        inbox / "张三.fods",
        {vocab.SHEET_INDIVIDUAL: form_grid(rows=rows), vocab.SHEET_PLEDGE: pledge_grid(["x"])},
    )
    files, rows_read, issues = run(inbox)
    rec = files.loc["张三.fods"]
    assert (rec["status"], rec["name"], rec["date"], rec["n_rows"]) == (
        "read",
        "张三",
        "2026-03-10",
        2,
    )
    assert rows_read["description"].tolist() == ["泄露未公开信息\n导致失密", "泄露未公开信息2"]
    assert rec["pledge_items"] == 1
    (note,) = issues.loc[issues["code"] == "legacy_format", "problem"].tolist()
    assert "LibreOffice 单文件 XML 表格（.fods）" in note
    # an entity declaration in one is refused as for any other XML
    bomb = FLAT_ODS.replace("\n", '\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n', 1)
    (inbox / "张三.fods").write_text(bomb, encoding="utf-8")
    files, _rows, _issues = run(inbox)
    assert files.loc["张三.fods", "reason"] == "xml_entities"


# --------------------------------------------------------------------------------------
# formula cells without a result, error values
# --------------------------------------------------------------------------------------
def _openpyxl_form(path: Path, grid: list[list[object]]) -> Path:
    """A form written by a script (openpyxl saves formulas without a result)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = vocab.SHEET_INDIVIDUAL
    for r, row in enumerate(grid, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_formula_without_result_is_read_as_its_text_and_error_values_as_errors(
    tmp_path: Path,
) -> None:
    link = '=HYPERLINK("http://example.org/a","点击")'
    grid = form_grid(
        rows=[
            sample_row(1, description=link),
            sample_row(2, likelihood="#N/A"),
            sample_row(3, description="#DIV/0!"),
        ]
    )
    path = _openpyxl_form(tmp_path / "inbox" / "张三.xlsx", grid)
    with zipfile.ZipFile(path) as zf:  # precondition: a formula without <v>, an error cell
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>HYPERLINK" in xml and 't="e"' in xml
    assert pd.isna(pd.read_excel(path, engine="calamine", header=None).iloc[3, 3])

    _files, _rows, points, issues = checked(tmp_path / "inbox")

    assert points["description"].tolist() == [link]  # text, never evaluated
    note = issues[issues["code"] == "formula_text"].iloc[0]
    assert (note["action"], note["cell"]) == (vocab.ACTION_NOTE, "D4")
    errors = issues[issues["code"] == "error_value"].set_index("cell")
    assert (
        errors.loc["E5", "problem"]
        == "「发生几率」单元格是错误值 #N/A（公式计算出错），不是填写的内容。"
    )
    assert errors.loc["D6", "value"] == "#DIV/0!"
    assert set(errors["action"]) == {vocab.ACTION_REJECT}
    assert not issues["problem"].str.contains("没有填写").any()


def test_a_shared_formula_block_without_results_reads_every_cell_as_its_formula(
    tmp_path: Path,
) -> None:
    """A 职权事项 filled down with ``=B4`` (「同上」) by a script: the file stores the text once,
    in the block's first cell (``<f t="shared" ref="B5:B6" si="0">B4</f>``), the others only
    point at it. Each is read as its own formula text, as Excel shows it, not as empty."""
    grid = form_grid(rows=[sample_row(i, step="公文处理") for i in (1, 2, 3)])
    path = _openpyxl_form(tmp_path / "inbox" / "张三.xlsx", grid)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    cells = re.findall(r'<c r="B([56])"[^>]*>.*?</c>', sheet)
    assert cells == ["5", "6"]  # the precondition: the two cells under B4 hold text
    block = {5: '<f t="shared" ref="B5:B6" si="0">B4</f>', 6: '<f t="shared" si="0"/>'}
    for row, f in block.items():
        sheet = re.sub(rf'<c r="B{row}"[^>]*>.*?</c>', f'<c r="B{row}">{f}</c>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert 't="shared" si="0"/>' in sheet and "<v>" not in re.search(r'<c r="B6">.*?</c>', sheet)[0]

    _files, _rows, points, issues = checked(tmp_path / "inbox")

    assert points["step"].tolist() == ["公文处理", "=B4", "=B5"]  # text, never evaluated
    note = issues[issues["code"] == "formula_text"]
    assert note["problem"].str.contains("2 个公式单元格").all()
    assert not issues["problem"].str.contains("没有填写").any()


# --------------------------------------------------------------------------------------
# rows outside the totals: a second form on another sheet
# --------------------------------------------------------------------------------------
def test_a_second_form_stacked_on_one_sheet_is_read_as_its_persons(tmp_path: Path) -> None:
    """A second person's form stacked below the first on one sheet is that person's
    submission: its rows are in the catalogue under its own person (before: all 3 退回
    「还有另一份自查表」, and 闫红 listed as sent back)."""
    repo = Path(__file__).resolve().parents[1]
    first = form_grid(
        header={"section": "领导班子", "name": "陶卫琴", "post": "主席"},
        rows=[sample_row(1), sample_row(2)],
    )
    second = form_grid(
        header={"section": "领导班子", "name": "闫红", "post": "副主席"},
        rows=[sample_row(7), sample_row(8), sample_row(9)],
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_xlsx(
        inbox / "两人.xlsx",
        {vocab.SHEET_INDIVIDUAL: first + [[], []] + second, vocab.SHEET_PLEDGE: pledge_grid(["x"])},
    )
    code = main(
        ["process", "--inbox", str(inbox), "--config", str(repo / "config"), "--out", str(out)]
        + ["--no-progress"]
    )
    assert code == 0
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["rows"] == {"total": 5, "accepted": 5, "rejected": 0}
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].fillna("")
    who = catalogue.groupby("姓名")["来源行"].apply(list).to_dict()
    assert who == {"陶卫琴": ["4", "5"], "闫红": ["11", "12", "13"]}
    assert catalogue.loc[catalogue["姓名"] == "闫红", "岗位（职务）"].tolist() == ["副主席"] * 3
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert not issues["问题"].str.contains("另一份自查表").any()


# --------------------------------------------------------------------------------------
# limits: real rows over the limit are not "blank rows"
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_sheet_with_more_real_rows_than_the_limit_says_so(tmp_path: Path, fmt: str) -> None:
    limits = dataclasses.replace(SETTINGS.limits, max_rows=50)
    st = dataclasses.replace(SETTINGS, limits=limits)
    inbox = tmp_path / "inbox"
    grid = form_grid(rows=[sample_row(i) for i in range(1, 61)])
    if fmt == "xlsx":
        write_form(inbox / "长表.xlsx", grid=grid)
    else:
        inbox.mkdir()
        text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in grid)
        (inbox / "长表.csv").write_text(text, encoding="utf-8")
    files, _found = discover.discover(inbox, st)
    files, _rows, issues = read.read_files(files, inbox, st)
    (issue,) = issues.to_dict("records")
    assert issue["code"] == "too_many_rows"
    assert f"有 {len(grid)} 行内容，上限为 50 行" in issue["problem"]
    assert "空白" not in issue["problem"] + issue["fix"]


@needs_corpus
def test_a_shared_string_bomb_is_refused_as_hostile(tmp_path: Path) -> None:
    rel = "apache+poi/test-data/spreadsheet/poc-shared-strings.xlsx"
    with zipfile.ZipFile(CORPUS / rel) as zf:  # precondition: one string over a cell's limit
        assert zf.getinfo("xl/sharedStrings.xml").file_size > 1_000_000
    files, _rows, issues = run(corpus_copy(tmp_path, [rel]))
    assert files["reason"].tolist() == ["zip_bomb"]
    assert "共享文字" in issues["problem"].iloc[0]


# --------------------------------------------------------------------------------------
# one form, as other writers spell the same cells
# --------------------------------------------------------------------------------------
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"


def _prefixed(xml: str) -> str:
    """Every element of the main namespace as ``x:name`` (the .NET Open XML SDK's way)."""
    xml = re.sub(r"<(/?)(?![?!])([A-Za-z]+)([\s>/])", r"<\1x:\2\3", xml)
    return xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:x="{MAIN_NS}"')


def _rich(sst: str) -> str:
    """Each string as two runs (the first character bold) plus a phonetic run and its
    properties, which a reader must leave out (Excel writes them for Japanese input)."""

    def runs(m: re.Match[str]) -> str:
        attrs, text = m.group(1), m.group(2)
        if len(text) < 2:
            return m.group(0)
        return (
            f"<si><r><rPr><b/></rPr><t{attrs}>{text[:1]}</t></r><r><t{attrs}>{text[1:]}</t></r>"
            '<rPh sb="0" eb="1"><t>ヨミ</t></rPh><phoneticPr fontId="0"/></si>'
        )

    return re.sub(r"<si><t([^>]*)>(.*?)</t></si>", runs, sst, flags=re.DOTALL)


def _inline(sheet: str, sst: str) -> str:
    """Every shared-string cell with its text inline (``t="inlineStr"``)."""
    strings = re.findall(r"<si>(.*?)</si>", sst, re.DOTALL)
    return re.sub(
        r'<c([^>]*?) t="s"([^>]*)><v>(\d+)</v></c>',
        lambda m: (
            f'<c{m.group(1)} t="inlineStr"{m.group(2)}><is>{strings[int(m.group(3))]}</is></c>'
        ),
        sheet,
    )


def test_the_same_form_as_other_writers_spell_it_reads_the_same(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    plain = write_form(inbox / "plain.xlsx", rows=[sample_row(i) for i in (1, 2, 3)])
    with zipfile.ZipFile(plain) as zf:
        parts = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    sst, rels = parts["xl/sharedStrings.xml"], parts["xl/_rels/workbook.xml.rels"]
    serial = (HEADER["date"] - datetime(1899, 12, 30)).days
    date_cell = re.search(rf'<c r="([A-Z]+\d+)" s="(\d+)"><v>{serial}</v></c>', parts[sheets[0]])
    # the preconditions: the plain form has shared strings, cell and row references and the
    # 填表日期 as a serial number
    assert date_cell and ' t="s"' in parts[sheets[0]] and '<row r="' in parts[sheets[0]]

    def each_sheet(change):
        return {n: change(parts[n]) for n in sheets}

    content_types = parts["[Content_Types].xml"]
    spellings: dict[str, dict[str, str]] = {
        "inline": {n: _inline(parts[n], sst) for n in sheets},
        "rich": {"xl/sharedStrings.xml": _rich(sst)},
        "prefixed": {**each_sheet(_prefixed), "xl/sharedStrings.xml": _prefixed(sst)},
        "no_cell_refs": each_sheet(lambda x: re.sub(r'<c r="[A-Z]+\d+"', "<c", x)),
        "no_row_refs": each_sheet(lambda x: re.sub(r'<row r="\d+"', "<row", x)),
        "single_quotes": each_sheet(
            lambda x: re.sub(r'<c r="(\w+)"([^>]*?) t="s">', r"<c t='s'\2 r='\1'>", x)
        ),
        "pretty": each_sheet(lambda x: x.replace("><", ">\r\n  <")),
        "bom": each_sheet(lambda x: "\ufeff" + x),
        "iso_date": {
            sheets[0]: parts[sheets[0]].replace(
                date_cell.group(0),
                f'<c r="{date_cell.group(1)}" s="{date_cell.group(2)}" t="d">'
                f"<v>{HEADER['date']:%Y-%m-%d}T00:00:00</v></c>",
            )
        },
        "renamed_part": {
            sheets[0]: None,
            "xl/worksheets/form.xml": parts[sheets[0]],
            "xl/_rels/workbook.xml.rels": rels.replace(
                sheets[0].removeprefix("xl/"), "worksheets/form.xml"
            ),
            "[Content_Types].xml": content_types.replace(
                f"/{sheets[0]}", "/xl/worksheets/form.xml"
            ),
        },
        "absolute_targets": {
            "xl/_rels/workbook.xml.rels": rels.replace(
                'Target="worksheets/', 'Target="/xl/worksheets/'
            )
        },
        "strict": {
            **each_sheet(lambda x: x.replace(MAIN_NS, STRICT_NS)),
            "xl/sharedStrings.xml": sst.replace(MAIN_NS, STRICT_NS),
        },
    }
    for name, changed in spellings.items():
        assert any(changed[n] != parts.get(n) for n in changed), name  # really respelled
        with zipfile.ZipFile(inbox / f"{name}.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
            for part, text in {**parts, **changed}.items():
                if text is not None:
                    zf.writestr(part, text.encode("utf-8"))

    files, rows, issues = run(inbox)

    fields = ["section", "name", "post", "date", "status"]
    expected = files.loc["plain.xlsx", fields].tolist()
    assert expected[-1] == frames.FILE_STATUS_READ and len(rows[rows["file"] == "plain.xlsx"]) == 3
    table = rows.drop(columns=["row_id", "file"])
    first = table[rows["file"] == "plain.xlsx"].reset_index(drop=True)
    for name in spellings:
        assert files.loc[f"{name}.xlsx", fields].tolist() == expected, name
        got = table[rows["file"] == f"{name}.xlsx"].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, first, obj=name)
    assert issues.empty or not issues["file"].isin([f"{n}.xlsx" for n in spellings]).any()


def _directory_chain(data: bytes) -> list[int]:
    """The sectors of a compound file's directory, by its header and first FAT sector,
    stopping where the chain comes back to a sector it passed."""
    (first_dir,) = struct.unpack_from("<I", data, 48)
    (fat_sector,) = struct.unpack_from("<I", data, 76)
    fat = struct.unpack_from("<128I", data, 512 + fat_sector * 512)
    chain = [first_dir]
    while fat[chain[-1]] < len(fat) and fat[chain[-1]] not in chain:
        chain.append(fat[chain[-1]])
    return chain + [fat[chain[-1]]]


def test_an_xls_whose_directory_chain_loops_is_told_damaged_not_too_big(tmp_path: Path) -> None:
    """A damaged or hostile .xls whose directory's sector chain comes back on itself (the
    FAT sends its last sector to its first): python-calamine follows it without end until
    the reading process is stopped, and the sender was told the file was too big and to
    delete blank rows. They are told it is a damaged old Excel file; the form beside it
    is read."""
    from tests.outlook import compound_file

    bof = struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0) + b"\x00" * 4
    data = bytearray(compound_file({"Workbook": bof + struct.pack("<HH", 0x000A, 0) * 2000}))
    (first_dir,) = struct.unpack_from("<I", data, 48)
    (fat_sector,) = struct.unpack_from("<I", data, 76)
    struct.pack_into("<I", data, 512 + fat_sector * 512 + first_dir * 4, first_dir)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "张三.xls").write_bytes(bytes(data))
    write_form(inbox / "李四.xlsx", header={**HEADER, "name": "李四"}, rows=[sample_row(1)])
    chain = _directory_chain(bytes(data))
    assert chain[-1] == chain[0]  # the precondition: the directory's chain loops
    files, _rows, _points, issues = checked(inbox)
    assert files.loc["张三.xls", "reason"] == "corrupt"
    (told,) = issues[issues["file"] == "张三.xls"].to_dict("records")
    assert vocab.DETAIL_BROKEN_OLE in told["problem"]
    assert "内存" not in told["problem"] and "空白行列" not in told["fix"]
    assert files.loc["李四.xlsx", "status"] == frames.FILE_STATUS_READ


# A form whose points have no measures of their own and a measures table under it: point 2
# (row 5) and its measures (row 11) hidden, as a sender hides last year's lines
_HIDDEN_GRID = form_grid(
    rows=[sample_row(i, prevent=None, monitor=None, handle=None) for i in (1, 2, 3)]
) + [
    [],
    ["二、防控措施"],
    ["序号", "风险点", "前期预防措施", "中期监控措施", "后期处置措施"],  # row 9
    [1, None, "措施1", None, None],
    [2, None, "措施2", None, None],  # row 11
    [3, None, "措施3", None, None],
]
_HIDDEN = frozenset((4, 10))  # rows 5 and 11
_HIDDEN_NOTE = "第 5、11 行在表格中是隐藏的（打开时看不到），已照常读取（共 2 行）。"


def _hidden_xlsx(path: Path) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet(vocab.SHEET_INDIVIDUAL)
    for r, row in enumerate(_HIDDEN_GRID):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write(r, c, value)
    for r in _HIDDEN:
        ws.set_row(r, None, None, {"hidden": True})
    wb.close()
    return path


def _hidden_note_is_given(inbox: Path, name: str, sheet: str = vocab.SHEET_INDIVIDUAL) -> None:
    _files, _rows, points, issues = checked(inbox)
    assert points.set_index("excel_row")["prevent"].to_dict() == {
        4: "措施1",
        5: "措施2",
        6: "措施3",
    }
    notes = issues[(issues["code"] == "hidden_rows_read") & (issues["file"] == name)]
    assert notes[["sheet", "cell", "action", "problem"]].values.tolist() == [
        [sheet, "A5", vocab.ACTION_NOTE, _HIDDEN_NOTE]
    ]


def test_a_hidden_row_of_a_measures_table_is_named_with_the_points(tmp_path: Path) -> None:
    """The 提示 hidden_rows_read named the hidden rows of points but not a hidden row of the
    measures table under them, whose measures were joined to a point all the same."""
    inbox = tmp_path / "inbox"
    _hidden_xlsx(inbox / "张三.xlsx")
    _hidden_note_is_given(inbox, "张三.xlsx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_hidden_rows_of_an_xls_or_ods_are_named_as_in_an_xlsx(tmp_path: Path, fmt: str) -> None:
    """Rows hidden in an Excel 97-2003 .xls or a LibreOffice .ods (the same form saved by
    LibreOffice) were read with no word, where an .xlsx's got the 提示 hidden_rows_read."""
    import subprocess

    src = _hidden_xlsx(tmp_path / "src" / "张三.xlsx")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            fmt,
            "--outdir",
            str(tmp_path / "inbox"),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "inbox" / f"张三.{fmt}").is_file()
    _hidden_note_is_given(tmp_path / "inbox", f"张三.{fmt}")


def test_a_chinese_excel_95_form_is_read_and_its_hidden_rows_named(tmp_path: Path) -> None:
    """An Excel 5.0/95 (BIFF5) form in GBK (code page 936), as old Excel and WPS saved it:
    python-calamine read its text as 「�\x00�\x00…」 (the form 退回 as an unknown template),
    and the rows it hides were not noted as an Excel 97-2003 file's are."""
    from tests.outlook import compound_file

    sheet = vocab.SHEET_INDIVIDUAL
    stream = biff5_stream({sheet: _HIDDEN_GRID}, {sheet: _HIDDEN}, codepage=936)
    assert "张三".encode("gbk") in stream and b"Workbook" not in stream  # 8-bit GBK text
    path = tmp_path / "inbox" / "张三.xls"
    path.parent.mkdir()
    path.write_bytes(compound_file({"Book": stream}))
    _hidden_note_is_given(tmp_path / "inbox", "张三.xls")


def test_hidden_rows_of_a_flat_ods_are_named(tmp_path: Path) -> None:
    """A LibreOffice flat ODS (.fods) hiding rows (visibility collapse) gets the same 提示."""
    write_fods(tmp_path / "inbox" / "张三.fods", {vocab.SHEET_INDIVIDUAL: _HIDDEN_GRID}, _HIDDEN)
    assert 'table:visibility="collapse"' in (tmp_path / "inbox" / "张三.fods").read_text()
    _hidden_note_is_given(tmp_path / "inbox", "张三.fods")


@needs_corpus
def test_hidden_rows_of_an_xlsb_are_named(tmp_path: Path) -> None:
    """An .xlsb hiding rows (BrtRowHdr's fDyZero) gets the same 提示."""
    base = CORPUS / "SheetJS+test_files/BlankSheetTypes.xlsb"
    write_xlsb_over(base, tmp_path / "inbox" / "张三.xlsb", _HIDDEN_GRID, _HIDDEN)
    _hidden_note_is_given(tmp_path / "inbox", "张三.xlsb", "Sheet1")  # (the base's sheet)


def _wps_picture(xml: str, ref: str, picture_id: str) -> str:
    """A sheet's cell ``ref`` as WPS saves a picture embedded in it (「嵌入单元格」): a DISPIMG
    formula whose cached value is its own text."""
    cell = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    assert cell is not None
    picture = (
        f'<c r="{ref}" t="str"><f>_xlfn.DISPIMG("{picture_id}",1)</f>'
        f'<v>=DISPIMG("{picture_id}",1)</v></c>'
    )
    return xml.replace(cell.group(0), picture)


def test_a_wps_picture_in_a_cell_is_no_text(tmp_path: Path) -> None:
    """A form from WPS whose 承诺人 is a signature picture and whose 备注 is a photo, both
    embedded in their cells: the reader took the cached `=DISPIMG("ID_…",1)` for what was
    written, so the pledge was 「承诺人写的是「=DISPIMG(…)」，不是张三本人」 and the 备注 that
    formula. A picture holds no text: the pledge is signed, the 备注 empty, and a 提示 says
    that the form sheet's pictures were read as blank."""
    src = write_form(tmp_path / "src.xlsx", rows=[sample_row(1, remark="照片"), sample_row(2)])
    with zipfile.ZipFile(src) as zf:
        main_xml = zf.read("xl/worksheets/sheet1.xml").decode()
        pledge_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    parts = {
        "xl/worksheets/sheet1.xml": _wps_picture(main_xml, "K4", "ID_4F2A").encode(),
        "xl/worksheets/sheet2.xml": _wps_picture(pledge_xml, "B14", "ID_9C1E").encode(),
        "xl/cellimages.xml": b"<etc:cellImages xmlns:etc='http://www.wps.cn/officeDocument/2017/etCustomData'/>",
        "xl/media/image1.png": b"\x89PNG\r\n\x1a\n",
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = rewrite_zip(src, inbox / "张三.xlsx", parts)
    book = pd.read_excel(form, sheet_name=None, header=None, engine="calamine")
    # the precondition: the cells read as the pictures' formulas
    assert book[vocab.SHEET_PLEDGE].iat[13, 0] == vocab.PLEDGE_LABELS["pledger"]
    assert book[vocab.SHEET_PLEDGE].iat[13, 1] == '=DISPIMG("ID_9C1E",1)'
    assert book[vocab.SHEET_INDIVIDUAL].iat[3, 10] == '=DISPIMG("ID_4F2A",1)'

    files, rows, issues = run(inbox)
    assert files.loc["张三.xlsx", "status"] == frames.FILE_STATUS_READ
    assert rows["remark"].isna().all() and len(rows) == 2
    assert not issues["value"].astype(str).str.contains("DISPIMG").any()
    told = issues[issues["code"] == "cell_pictures"]  # only the form sheet's picture is told
    assert (told["cell"].tolist(), told["action"].tolist()) == (["K4"], [vocab.ACTION_NOTE])
    assert told["problem"].iat[0].startswith("表格中有 1 个单元格里是嵌入单元格的图片")

    cfg = write_config(
        tmp_path, [("办公室", "张三", "科员", "一般管理服务", "否")], [("办公室", "张三", "")]
    )
    out = tmp_path / "out"
    pipeline_run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    archive = next(out.glob("*.xlsx"))
    book = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    pledges = book[vocab.ARCHIVE_SHEET_PLEDGES].set_index("姓名")
    assert pledges.at["张三", "状态"] == vocab.PLEDGE_STATUS_OK
    listed = book[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert not (listed["原值"] + listed["问题"]).str.contains("DISPIMG").any()
