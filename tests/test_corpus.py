"""The whole public corpus (451 hostile and odd spreadsheets of other libraries' test suites)
as one inbox, through the real command: the run completes, everything adds up, every file is
accounted for, and the reasons given are true for what the files are.

What a file *is* comes from facts about its bytes (magic numbers, OLE streams, FILEPASS
records, zip members), never from a list of our own outputs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline import vocab
from pipeline.workbook import biff
from tests.conftest import hash_tree

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = (REPO.parent / "shared/corpus/public", Path("/work/shared/corpus/public"))
CORPUS = next((p for p in CANDIDATES if p.is_dir()), None)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PANIC_NAME = "clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls"

pytestmark = pytest.mark.skipif(CORPUS is None, reason="the public corpus is not on this machine")


# --------------------------------------------------------------------------------------
# facts about a file
# --------------------------------------------------------------------------------------
def _ole_streams(path: Path) -> dict[str, bytes] | None:
    """The first bytes of the workbook streams of an OLE file (None when unreadable)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            out: dict[str, bytes] = {}
            for entry in ole.listdir():
                name = "/".join(entry).lower()
                if name in ("workbook", "book"):
                    out[name] = ole.openstream(entry).read(65536)
                elif name == "encryptedpackage":
                    out[name] = b""
            return out
    except Exception:  # noqa: BLE001 - fuzzed containers: no fact to state
        return None


def password_protected(path: Path) -> bool:
    """An encrypted OOXML package (EncryptedPackage stream) or a BIFF5/8 workbook whose
    stream carries a FILEPASS record, and that Excel's own password does not open."""
    head = path.read_bytes()[:8]
    if head != OLE_MAGIC:
        return False
    streams = _ole_streams(path)
    if not streams:
        return False
    encrypted = "encryptedpackage" in streams or any(
        biff.has_filepass(s) for k, s in streams.items() if k in ("workbook", "book")
    )
    return encrypted and not opens_with_excels_own_password(path)


def opens_with_excels_own_password(path: Path) -> bool:
    """An .xls encrypted with 「VelvetSweatshop」 (a protected workbook): Excel opens it
    without asking for a password."""
    import io

    import msoffcrypto

    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password="VelvetSweatshop")
            office.decrypt(io.BytesIO())
    except Exception:  # noqa: BLE001 - any failure: not opened by Excel's own password
        return False
    return True


def old_biff(path: Path) -> bool:
    """Excel 2.1-5.0: a bare BIFF2/3/4 stream, or an OLE file with a BIFF5 ``Book`` stream
    and no ``Workbook`` one."""
    head = path.read_bytes()[:16]
    if biff.bare_biff_version(head) is not None:
        return True
    if not head.startswith(OLE_MAGIC):
        return False
    streams = _ole_streams(path) or {}
    return "book" in streams and "workbook" not in streams


def odd_valid_package(path: Path) -> bool:
    """An OOXML package calamine reads though it is laid out unusually: member names with
    backslashes, or the workbook part outside ``xl/`` (officeDocument of ``_rels/.rels``),
    or an Excel 4.0 macro sheet."""
    if path.read_bytes()[:4] != b"PK\x03\x04":
        return False  # zipfile also finds an archive embedded in another file
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if any("\\" in n for n in names):
                return True
            if any(n.startswith("xl/macrosheets/") for n in names):
                return True
            if "_rels/.rels" in names:
                rels = zf.read("_rels/.rels").decode("utf-8", "replace")
                m = re.search(r'Target="/?([^"]*)"[^>]*Type="[^"]*/officeDocument"', rels)
                m = m or re.search(r'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]*)"', rels)
                return bool(m) and not m[1].startswith("xl/") and m[1] in names
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError):
        return False
    return False


# --------------------------------------------------------------------------------------
# the run, once
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory):
    assert CORPUS is not None
    root = tmp_path_factory.mktemp("corpus")
    inbox, out = root / "inbox", root / "out"
    shutil.copytree(CORPUS, inbox, symlinks=True)
    before = hash_tree(inbox)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "process", "--inbox", str(inbox)]
        + ["--config", str(REPO / "config"), "--out", str(out), "--no-progress"],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    archives = sorted(out.glob("*_廉政风险信息档案.xlsx"))
    sheets = (
        pd.read_excel(archives[0], sheet_name=None, engine="calamine", dtype=str)
        if archives
        else {}
    )
    return {
        "inbox": inbox,
        "out": out,
        "done": done,
        "before": before,
        "archives": archives,
        "sheets": {k: v.fillna("") for k, v in sheets.items()},
    }


def _files_in(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )


def _lines(run: dict) -> dict[str, list[str]]:
    """File -> the 问题 texts of its 异常清单 lines."""
    issues = run["sheets"][vocab.ARCHIVE_SHEET_ISSUES]
    out: dict[str, list[str]] = {}
    for file, problem in zip(issues["文件"], issues["问题"], strict=True):
        out.setdefault(file, []).append(problem)
    return out


def _own_lines(run: dict, rel: str) -> list[str]:
    """The lines about a file itself; [] when it is a byte-identical duplicate of another."""
    lines = _lines(run).get(rel, [])
    if any("内容完全相同" in p for p in lines):
        return []
    return lines


def test_the_run_completes_and_writes_the_archive(corpus_run: dict) -> None:
    done = corpus_run["done"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert len(corpus_run["archives"]) == 1
    assert vocab.ARCHIVE_SHEET_ISSUES in corpus_run["sheets"]


def test_summary_adds_up(corpus_run: dict) -> None:
    summary = json.loads((corpus_run["out"] / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    files, rows = summary["files"], summary["rows"]
    n = len(_files_in(corpus_run["inbox"]))
    assert n == len(_files_in(CORPUS)) > 400  # precondition: the whole corpus was copied
    assert files["total"] == files["read"] + files["rejected"] + files["superseded"] == n
    assert rows["total"] == rows["accepted"] + rows["rejected"]


def test_every_file_is_in_the_catalogue_or_the_exceptions(corpus_run: dict) -> None:
    catalogue = corpus_run["sheets"][vocab.ARCHIVE_SHEET_CATALOGUE]
    sources = {f for cell in catalogue["来源文件"] for f in cell.split("；") if f}
    named = sources | set(_lines(corpus_run))
    # a container (a .zip among the corpus) is named through the files inside it: 外层.zip/内层
    outer = {name.split(".zip/", 1)[0] + ".zip" for name in named if ".zip/" in name}
    missing = [f for f in _files_in(corpus_run["inbox"]) if f not in named | outer]
    assert not missing, missing[:20]


def test_reasons_are_chinese_sentences(corpus_run: dict) -> None:
    issues = corpus_run["sheets"][vocab.ARCHIVE_SHEET_ISSUES]
    technical = issues["问题"].str.contains(r"Error|Exception|Traceback|panic|pyo3", regex=True)
    assert not technical.any(), issues.loc[technical, ["文件", "问题"]].head().to_string()


def test_password_protected_files_are_said_to_have_a_password(corpus_run: dict) -> None:
    inbox = corpus_run["inbox"]
    protected = [f for f in _files_in(inbox) if password_protected(inbox / f)]
    assert len(protected) >= 10  # precondition: the corpus holds XOR, RC4 and OOXML ones
    untrue = {f: _own_lines(corpus_run, f) for f in protected}
    untrue = {f: ls for f, ls in untrue.items() if ls and not any("密码" in p for p in ls)}
    assert not untrue, untrue


def test_files_excel_opens_with_its_own_password_are_never_said_to_have_one(
    corpus_run: dict,
) -> None:
    inbox = corpus_run["inbox"]
    protected = [f for f in _files_in(inbox) if opens_with_excels_own_password(inbox / f)]
    assert protected  # precondition: calamine's issue_385.xls
    untrue = {f: _own_lines(corpus_run, f) for f in protected}
    untrue = {f: ls for f, ls in untrue.items() if any("密码" in p for p in ls)}
    assert not untrue, untrue


def test_old_excel_files_are_never_called_renamed(corpus_run: dict) -> None:
    inbox = corpus_run["inbox"]
    old = [f for f in _files_in(inbox) if old_biff(inbox / f)]
    assert len(old) >= 10  # precondition: BIFF2, 3, 4 and 5 files
    untrue = {f: _own_lines(corpus_run, f) for f in old}
    untrue = {f: ls for f, ls in untrue.items() if any("扩展名" in p for p in ls)}
    assert not untrue, untrue


def test_packages_excel_opens_are_not_called_corrupt(corpus_run: dict) -> None:
    inbox = corpus_run["inbox"]
    odd = [f for f in _files_in(inbox) if odd_valid_package(inbox / f)]
    assert len(odd) >= 3  # precondition: backslash names, a root workbook part, macro sheets
    untrue = {f: _own_lines(corpus_run, f) for f in odd}
    untrue = {
        f: ls for f, ls in untrue.items() if any(re.search("损坏|扩展名|重新保存", p) for p in ls)
    }
    assert not untrue, untrue


def test_the_file_that_makes_the_parser_panic_is_named(corpus_run: dict) -> None:
    (rel,) = [f for f in _files_in(corpus_run["inbox"]) if f.endswith(PANIC_NAME)]
    issues = corpus_run["sheets"][vocab.ARCHIVE_SHEET_ISSUES]
    lines = issues[issues["文件"] == rel]
    assert (lines["处理"] == vocab.ACTION_REJECT).any()
    assert not lines["问题"].str.contains("扩展名").any()


def test_inputs_are_unchanged(corpus_run: dict) -> None:
    assert hash_tree(corpus_run["inbox"]) == corpus_run["before"]
    assert corpus_run["before"] == hash_tree(CORPUS)
