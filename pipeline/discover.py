"""Walk the inbox: one record per file, with the files that will not be read set aside.

Every file under INBOX gets a row (hidden ones too); lock files, empty files, files that are
not spreadsheets, oversize files and exact duplicates are rejected or superseded here, each
with an issue row. The rest keep status NA and go to ``read``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import containers, frames, vocab
from pipeline.config import Settings
from pipeline.workbook.biff import bare_biff_version

SPREADSHEET_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LOCK_PREFIX = "~$"
_HASH_BLOCK = 1 << 20
TEXT_HEAD_BYTES = 4096  # enough of a file's start to tell a text table from binary

# What a rejected file most likely is, for the not_excel message ({detail}).
FORMAT_NAMES = {
    "pdf": "PDF 文档",
    "word": "Word 文档",
    "powerpoint": "PowerPoint 演示文稿",
    "image": "图片",
    "archive": "压缩包",
    "iwork": "苹果 Numbers/Pages 文档，请在 Numbers 中用「导出为 › Excel」另存为 .xlsx",
    "text": "文本文件",
    "html": "网页文件",
    "email": "邮件文件",
    "special": "特殊文件",
    "other": "无法识别的文件类型",
}
_MAGIC_FORMATS = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"BM", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"{\\rtf", "word"),
)
_EXT_FORMATS = {
    ".pdf": "pdf",
    ".doc": "word",
    ".docx": "word",
    ".wps": "word",
    ".rtf": "word",
    ".ppt": "powerpoint",
    ".pptx": "powerpoint",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".bmp": "image",
    ".zip": "archive",
    ".numbers": "iwork",
    ".pages": "iwork",
    ".key": "iwork",
    ".rar": "archive",
    ".7z": "archive",
    ".txt": "text",
    ".htm": "html",
    ".html": "html",
    ".eml": "email",
    ".msg": "email",
}


def _walk(inbox: Path) -> list[tuple[str, Path]]:
    """Every entry under ``inbox`` (relative posix path, absolute path), sorted; directory
    symlinks are listed as entries, never followed. A sub-folder that cannot be listed is an
    entry too (``_examine`` rejects it as folder_unreadable), so nothing vanishes silently."""
    out: list[tuple[str, Path]] = []

    def unlistable(exc: OSError) -> None:
        path = Path(exc.filename) if exc.filename else None
        if path is not None and path != inbox and _inside(path, inbox):
            out.append((path.relative_to(inbox).as_posix(), path))

    for dirpath, dirnames, filenames in os.walk(inbox, onerror=unlistable, followlinks=False):
        base = Path(dirpath)
        dirnames.sort()
        for d in list(dirnames):
            if (base / d).is_symlink():
                dirnames.remove(d)
                filenames.append(d)
        for name in filenames:
            path = base / name
            out.append((path.relative_to(inbox).as_posix(), path))
    out.sort(key=lambda item: item[0])
    return out


# A mail client's attachment folder: '2026-03-24 来自方淑琪', '2026.3.24', '20260324_…', '2026年3月24日…'
_FOLDER_DATE = re.compile(r"^\s*(\d{4})[-./_年]?(\d{1,2})[-./_月]?(\d{1,2})(?!\d)")


def folder_date(rel: str) -> str | None:
    """The date (ISO) in the name of the nearest folder of ``rel`` that starts with one."""
    for part in reversed(rel.split("/")[:-1]):
        m = _FOLDER_DATE.match(part)
        if not m:
            continue
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            continue
    return None


def _inside(path: Path, inbox: Path) -> bool:
    try:
        path.resolve().relative_to(inbox.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return True


def _hash(path: Path) -> tuple[str, bytes]:
    """(sha256 hex, first bytes) of a file, read in blocks."""
    digest = hashlib.sha256()
    head = b""
    with path.open("rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            if not head:
                head = block[:TEXT_HEAD_BYTES]
            digest.update(block)
    return digest.hexdigest(), head


def _zip_kind(path: Path) -> str:
    """'excel' | 'ods' | 'word' | 'powerpoint' | 'archive' | 'corrupt' for a zip file."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError, RuntimeError):
        return "corrupt"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "excel"
    if b"spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names or b"text" in mimetype:
        return "word"
    if "ppt/presentation.xml" in names or b"presentation" in mimetype:
        return "powerpoint"
    if any(n.endswith((".iwa", "Index.zip")) for n in names):
        return "iwork"
    return "archive"


def _ole_kind(path: Path) -> str:
    """'excel' (legacy workbook or encrypted package) | 'word' | 'powerpoint' | 'other'."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except Exception:  # noqa: BLE001 - olefile raises many types for malformed containers
        # a broken spreadsheet is reported as corrupt by read; anything else (Thumbs.db …)
        # is simply not a spreadsheet
        return "excel" if path.suffix.lower() in SPREADSHEET_EXTS else "other"
    if {"workbook", "book", "encryptedpackage"} & streams:
        return "excel"
    if "worddocument" in streams:
        return "word"
    if "powerpoint document" in streams:
        return "powerpoint"
    # an .xls container without a workbook stream is a broken workbook, not another format
    return "corrupt_ole" if path.suffix.lower() in SPREADSHEET_EXTS else "other"


_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_table(head: bytes) -> bool:
    """Whether a file's first bytes read as a text table: CSV or tab-separated text in UTF-16
    (with a BOM, Excel's 'Unicode text'), UTF-8 or GB18030, with a separator or line break."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if text.strip() and not _TEXT_CONTROLS.search(text):
            return any(sep in text for sep in (",", "\t", "\n", "，"))
    return False


def _looks_text(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))
    return True


def _sniff(path: Path, ext: str, head: bytes) -> str | None:
    """None when the file should be read; otherwise a FORMAT_NAMES key or 'corrupt'."""
    if head.startswith(ZIP_MAGIC):
        if ext in (".xlsx", ".xlsm", ".ods"):
            return None  # read checks the zip itself, once
        kind = _zip_kind(path)
        if kind in ("excel", "ods"):
            return None
        if kind == "corrupt":
            return "corrupt" if ext in SPREADSHEET_EXTS else "archive"
        return kind
    if head.startswith(OLE_MAGIC):
        kind = _ole_kind(path)
        return None if kind == "excel" else kind
    if bare_biff_version(head) is not None:
        return None  # Excel 2.1-4.0 (no OLE container): read by xlrd
    for magic, kind in _MAGIC_FORMATS:
        if head.startswith(magic):
            return kind
    if ext == ".csv":
        return None if _looks_text(head) else "corrupt"
    if ext in SPREADSHEET_EXTS:
        if head.lstrip()[:1] == b"<" or head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"<":
            return "html"  # "xls" files exported by web systems are often HTML
        if text_table(head):
            return None  # ... or tab-separated text: read as a text table
        return "corrupt"
    if ext in _EXT_FORMATS:
        return _EXT_FORMATS[ext]
    return "text" if _looks_text(head) else "other"


def _examine(rel: str, path: Path, inbox: Path, settings: Settings) -> dict[str, Any]:
    """The record of one file; a rejected one carries its issue under the key 'issue'."""
    limits = settings.limits
    rec: dict[str, Any] = {
        "file": rel,
        "size": 0,
        "mtime": float("nan"),
        "sha256": pd.NA,
        "ext": path.suffix.lower(),
        "status": pd.NA,
        "reason": pd.NA,
        "folder_date": folder_date(rel) or pd.NA,
        "_link": False,  # a symlink to a file inside the inbox (not a column)
    }

    def reject(code: str, **detail: object) -> dict[str, Any]:
        rec["status"] = frames.FILE_STATUS_REJECTED
        rec["reason"] = code
        rec["issue"] = frames.issue(code, file=rel, **detail)
        return rec

    try:
        st = path.lstat()
        rec["mtime"] = float(st.st_mtime)
        if stat.S_ISLNK(st.st_mode):
            # read only links to regular files inside the inbox; never follow one out of it
            if not _inside(path, inbox) or not path.is_file():
                return reject("symlink")
            st = path.stat()
            rec["_link"] = True
    except OSError:
        return reject("read_failed", detail=vocab.DETAIL_CANNOT_OPEN)
    rec["size"] = int(st.st_size)
    if stat.S_ISDIR(st.st_mode):  # only an unlistable folder is ever an entry (see _walk)
        return reject("folder_unreadable")
    if path.name.startswith(LOCK_PREFIX):
        return reject("lock_file")
    if not stat.S_ISREG(st.st_mode):
        return reject("not_excel", detail=FORMAT_NAMES["special"])
    if st.st_size == 0:
        return reject("empty_file")
    if st.st_size > limits.max_file_bytes:
        mb = 1024 * 1024
        return reject(
            "too_large", detail=f"{st.st_size / mb:.1f} MB > {limits.max_file_bytes / mb:.0f} MB"
        )
    try:
        rec["sha256"], head = _hash(path)
    except OSError:
        return reject("read_failed", detail=vocab.DETAIL_CANNOT_OPEN)
    verdict = _sniff(path, rec["ext"], head)
    if verdict == "corrupt":
        return reject("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    if verdict == "corrupt_ole":
        return reject("corrupt", detail=vocab.DETAIL_BROKEN_OLE)
    if verdict is not None:
        return reject("not_excel", detail=FORMAT_NAMES.get(verdict, FORMAT_NAMES["other"]))
    return rec


def discover(inbox: Path, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per file under ``inbox`` (frames.FILE_COLUMNS) and the issues of rejected ones."""
    records: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    kept_by_hash: dict[str, dict[str, Any]] = {}

    def examine_inner(rel: str, path: Path) -> dict[str, Any]:
        return _examine(rel, path, path.parent, settings)

    # a container (.zip, .eml) is followed by the files inside it (containers.py)
    walked = (
        rec
        for rel, path in _walk(inbox)
        for rec in containers.expand(
            _examine(rel, path, inbox, settings), path, settings, examine_inner
        )
    )
    for rec in walked:
        records.append(rec)
        if "issue" in rec:
            issues.append(rec.pop("issue"))
            continue
        kept = kept_by_hash.get(rec["sha256"])
        if kept is not None and kept["_link"] and not rec["_link"]:
            # the file itself is kept, not a link to it that happens to sort first
            kept, rec = rec, kept
            kept_by_hash[kept["sha256"]] = kept
        if kept is not None:
            rec["status"] = frames.FILE_STATUS_SUPERSEDED
            rec["reason"] = "duplicate_file"
            issues.append(frames.issue("duplicate_file", file=rec["file"], detail=kept["file"]))
            continue
        kept_by_hash[rec["sha256"]] = rec
    return files_frame(records), frames.issues_frame(issues)


def files_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records (any subset of FILE_COLUMNS) -> a files frame with every column and its dtype."""
    n = len(records)

    def column(name: str, default: object) -> list[object]:
        return [r.get(name, default) for r in records]

    data: dict[str, Any] = {}
    for col in frames.FILE_COLUMNS:
        if col == "size":
            data[col] = pd.Series(column(col, 0), dtype="int64")
        elif col == "mtime":
            data[col] = pd.Series(column(col, float("nan")), dtype="float64")
        elif col in ("pledge_items", "n_rows"):
            data[col] = pd.Series(column(col, 0), dtype="int64")
        elif col == "pledge_sheet":
            data[col] = pd.Series(column(col, False), dtype="bool")
        elif col in ("colmap", "header_cells"):
            values = np.empty(n, dtype=object)
            for i, r in enumerate(records):
                values[i] = dict(r.get(col) or {})
            data[col] = pd.Series(values, dtype="object")
        else:
            data[col] = pd.Series(column(col, pd.NA), dtype="str")
    return pd.DataFrame(data, columns=list(frames.FILE_COLUMNS))
