"""Walk the inbox: one record per file, with the files that will not be read set aside.

Every file under INBOX gets a row (hidden ones too); lock files, empty files, files that are
not spreadsheets, oversize files and exact duplicates are rejected or superseded here, each
with an issue row. The rest keep status NA and go to ``read``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import containers, frames, normalize, prehash, vocab
from pipeline.config import Settings
from pipeline.workbook import sniff
from pipeline.workbook.sniff import (  # noqa: F401 - re-exported for the stages that sniff too
    OLE_MAGIC,
    SPREADSHEET_EXTS,
    TEXT_HEAD_BYTES,
    ZIP_MAGIC,
    text_table,
)

LOCK_PREFIX = prehash.LOCK_PREFIX  # "~$": Excel's and WPS's lock files
# what a Mac writes beside each file it copies to a USB stick or a Windows share (``._名.xlsx``)
APPLE_DOUBLE_MAGIC = b"\x00\x05\x16\x07"
# Windows' note of where a downloaded file came from (an NTFS stream 「:Zone.Identifier」),
# copied out as a file of its own by WSL, some unzip tools and shares: 张三.xlsx:Zone.Identifier
ZONE_IDENTIFIER = re.compile(r"[:_\uf03a]Zone\.Identifier$", re.IGNORECASE)
ZONE_MAGIC = b"[ZoneTransfer]"
# what Windows (Explorer's thumbnails, a folder's icon and view) and a Mac's Finder write into a
# folder on their own, hidden: in an inbox on a share or copied from a Mac; nobody's submission
FOLDER_SYSTEM_FILE = re.compile(
    r"^(Thumbs\.db|ehthumbs(_vista)?\.db|desktop\.ini|\.DS_Store)$", re.IGNORECASE
)
# what a browser or download tool names a file it has not finished downloading: Chrome/Edge/
# 360/QQ 浏览器 .crdownload, Firefox .part, Opera .opdownload, 迅雷 .td/.xltd, 百度网盘
# .baiduyun.downloading, 夸克 .qkdownloading, BitComet .bc!
UNFINISHED_DOWNLOAD = re.compile(
    r"\.(?:crdownload|part|partial|opdownload|download|td|xltd|bc!|[a-z.]*downloading)$",
    re.IGNORECASE,
)
FORMAT_NAMES = vocab.FORMAT_NAMES  # what a rejected file most likely is (not_excel's detail)
_sniff = sniff.sniff  # combine.py checks archives the same way


def has_entries(inbox: Path) -> bool:
    """Whether ``_walk`` would list anything: a file, a link or a sub-folder it cannot list
    anywhere under ``inbox`` (stops at the first). An inbox it cannot list is not called
    empty."""
    pending = [inbox]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
                        return True
                    pending.append(Path(entry.path))
        except OSError:
            return True
    return False


def _walk(inbox: Path) -> list[tuple[str, Path | str]]:
    """Every entry under ``inbox`` (relative posix path, absolute path), sorted; directory
    symlinks are listed as entries, never followed. A sub-folder that cannot be listed is an
    entry too (``_examine`` rejects it as folder_unreadable), so nothing vanishes silently."""
    out: list[tuple[str, Path | str]] = []

    def unlistable(exc: OSError) -> None:
        path = Path(exc.filename) if exc.filename else None
        if path is not None and path != inbox and _inside(path, inbox):
            out.append((path.relative_to(inbox).as_posix(), path))

    for dirpath, dirnames, filenames in os.walk(inbox, onerror=unlistable, followlinks=False):
        base = Path(dirpath)
        folder = base.relative_to(inbox).as_posix()  # once per folder, not per file
        prefix = "" if folder == "." else folder + "/"
        dirnames.sort()
        for d in list(dirnames):
            if (base / d).is_symlink():
                dirnames.remove(d)
                filenames.append(d)
        sep = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in filenames:  # plain strings: a Path per file costs more than its stat
            out.append((prefix + name, sep + name))
    out.sort(key=lambda item: item[0])
    return out


# A mail client's attachment folder: '2026-03-24 来自方淑琪', '2026.3.24', '20260324_…', '2026年3月24日…'
# (one separator throughout, or 年月日, or eight digits: WeChat's month folder '2026-12' and
# '202612' are no 2026-01-02)
_FOLDER_DATE = re.compile(
    r"^\s*(\d{4})(?:([-./_])(\d{1,2})\2(\d{1,2})|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})|(\d{2})(\d{2}))(?!\d)"
)


def _ymd(m: re.Match[str]) -> tuple[int, int, int]:
    """(year, month, day) of a ``_FOLDER_DATE`` match."""
    month = m[3] or m[5] or m[7]
    day = m[4] or m[6] or m[8]
    return int(m[1]), int(month), int(day)


def folder_date(rel: str) -> str | None:
    """The date (ISO) in the name of the nearest folder of ``rel`` that starts with one."""
    return _folder_date(rel.rpartition("/")[0])


@lru_cache(maxsize=4096)
def _folder_date(folder: str) -> str | None:
    for part in reversed(folder.split("/") if folder else []):
        m = _FOLDER_DATE.match(part)
        if not m:
            continue
        try:
            return date(*_ymd(m)).isoformat()
        except ValueError:
            continue
    return None


def parcels(file: object, container: object) -> frozenset[str]:
    """What a file came in: its zip or mail (``container``) and its mail folder ('2026-03-24
    来自王五/', as mail clients save one mail's attachments). Files sharing one came together."""
    inside = normalize.stripped(container)
    folder = mail_folder(normalize.stripped(file))
    return frozenset(p for p in (inside, folder + "/" if folder else "") if p)


def mail_folder(rel: str) -> str | None:
    """The nearest folder of ``rel`` named as a mail client names one mail's attachments, a
    date and then its sender or subject ('2026-03-24 来自王五'), as its path in the inbox. A
    folder of a date alone ('2026-03-24') is the office's folder of a day's mails: none."""
    return _mail_folder(rel.rpartition("/")[0])


@lru_cache(maxsize=4096)
def _mail_folder(folder: str) -> str | None:
    parts = folder.split("/") if folder else []
    for i in range(len(parts) - 1, -1, -1):
        m = _FOLDER_DATE.match(parts[i])
        if m and _folder_date(parts[i]) is not None:
            if not parts[i][m.end() :].strip(" _-.日号"):
                return None  # the nearest dated folder is a day's: no one mail
            return "/".join(parts[: i + 1])
    return None


def _inside(path: Path, inbox: Path) -> bool:
    try:
        path.resolve().relative_to(inbox.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return True


def _suffix(name: str) -> str:
    """``Path(name).suffix``, without building a Path."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _hash(path: Path | str, size: int = 0) -> tuple[str, bytes]:
    """(sha256 hex, first bytes) of a file (at most ``limits.max_file_bytes``: read whole).
    ``size``: what stat said; the file is read to its end whatever it holds now."""
    return prehash.hash_file(os.fspath(path), size)


HashResult = prehash.HashResult


def _hash_chunk(items: list[tuple[str, int]]) -> list[HashResult]:
    """``_hash`` of each (path, size), or the OSError it raised (run in a thread: the reads
    and the digests release the GIL)."""
    out: list[HashResult] = []
    for path, size in items:
        try:
            out.append(_hash(path, size))
        except OSError as exc:
            out.append(exc)
    return out


HASH_CHUNK = 64  # files per hashing task
HASH_THREADS = 2


def _examine(rel: str, path: Path | str, inbox: Path, settings: Settings) -> dict[str, Any]:
    """The record of one file; a rejected one carries its issue under the key 'issue'."""
    rec, size = _stat(rel, path, inbox, settings)
    if size is None:
        return rec
    try:
        hashed: HashResult = _hash(path, size)
    except OSError as exc:
        hashed = exc
    return _judge(rec, path, hashed)


def _reject(rec: dict[str, Any], code: str, **detail: object) -> dict[str, Any]:
    rec["status"] = frames.FILE_STATUS_REJECTED
    rec["reason"] = code
    rec["issue"] = frames.issue(code, file=rec["file"], **detail)
    return rec


def _stat(
    rel: str, path: Path | str, inbox: Path, settings: Settings
) -> tuple[dict[str, Any], int | None]:
    """The record of one file from its directory entry, and its size when its bytes are to
    be hashed and sniffed (``_judge``); None when the record is already decided."""
    limits = settings.limits
    path = os.fspath(path)
    name = os.path.basename(path)
    rec: dict[str, Any] = {
        "file": rel,
        "size": 0,
        "mtime": float("nan"),
        "sha256": pd.NA,
        "ext": _suffix(name).lower(),
        "status": pd.NA,
        "reason": pd.NA,
        "folder_date": folder_date(rel) or pd.NA,
        "_link": False,  # a symlink to a file inside the inbox (not a column)
    }

    def reject(code: str, **detail: object) -> tuple[dict[str, Any], None]:
        return _reject(rec, code, **detail), None

    try:
        st = os.lstat(path)
        rec["mtime"] = float(st.st_mtime)
        rec["_stamp"] = prehash.stamp(st)  # matched against a hash taken at start (prehash)
        if stat.S_ISLNK(st.st_mode):
            # read only links to regular files inside the inbox; never follow one out of it
            if not _inside(Path(path), inbox) or not os.path.isfile(path):
                return reject("symlink")
            st = os.stat(path)
            rec["_link"] = True
    except OSError:
        return reject("cannot_open")
    rec["size"] = int(st.st_size)
    if stat.S_ISDIR(st.st_mode):  # only an unlistable folder is ever an entry (see _walk)
        return reject("folder_unreadable")
    if name.startswith(LOCK_PREFIX):
        return reject("lock_file")
    if FOLDER_SYSTEM_FILE.match(name):
        return reject("folder_system_file", detail=name)
    if not stat.S_ISREG(st.st_mode):
        return reject("not_excel", detail=FORMAT_NAMES["special"])
    if st.st_size == 0:
        return reject("empty_file")
    if st.st_size > limits.max_file_bytes:
        mb = 1024 * 1024
        size = f"{st.st_size / mb:.1f} MB > {limits.max_file_bytes / mb:.0f} MB"
        parcel = containers.parcel_name(name)
        if parcel is not None:  # a zip or mail of many files, not a workbook too big
            return reject("too_large_container", detail=f"{parcel}（{size}）")
        return reject("too_large", detail=size)
    return rec, rec["size"]


def _judge(rec: dict[str, Any], path: Path | str, hashed: HashResult) -> dict[str, Any]:
    """The record of a file given its bytes' digest and first bytes (or the read's error)."""
    if isinstance(hashed, OSError):
        return _reject(rec, "cannot_open")
    rec["sha256"], head = hashed
    if head.startswith(APPLE_DOUBLE_MAGIC) and rec["file"].rpartition("/")[2].startswith("._"):
        return _reject(rec, "mac_metadata")  # a Mac's record of a file's attributes
    name = rec["file"].rpartition("/")[2]
    if ZONE_IDENTIFIER.search(name) or head.lstrip(b"\xef\xbb\xbf").startswith(ZONE_MAGIC):
        return _reject(rec, "zone_identifier")  # Windows' note of a download's origin
    verdict = _sniff(path, rec["ext"], head)
    unfinished = UNFINISHED_DOWNLOAD.search(name)
    if verdict is not None and unfinished:  # a whole workbook under such a name is read
        return _reject(rec, "download_unfinished", detail=unfinished[0])
    if verdict == "corrupt":
        return _reject(rec, "corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    if verdict == "corrupt_ole":
        return _reject(rec, "corrupt", detail=vocab.DETAIL_BROKEN_OLE)
    if verdict == "shortcut":  # what it points to is never opened
        return _reject(rec, "shortcut_file")
    if verdict is not None:
        return _reject(rec, "not_excel", detail=FORMAT_NAMES.get(verdict, FORMAT_NAMES["other"]))
    return rec


def _examine_all(
    entries: list[tuple[str, Path | str]], inbox: Path, settings: Settings
) -> Iterator[tuple[dict[str, Any], Path | str]]:
    """``_examine`` of every walked entry, in order: first every entry's stat, then the
    files' bytes read and hashed by a few threads (the reads and the digests release the
    GIL; this thread waits meanwhile, so they do not queue for it), then the verdicts."""
    early = prehash.take(inbox)  # hashed while the program started, if it did
    if len(entries) <= HASH_CHUNK and not early:
        for rel, path in entries:
            yield _examine(rel, path, inbox, settings), path
        return
    staged = [(*_stat(rel, path, inbox, settings), path) for rel, path in entries]
    known: dict[int, HashResult] = {}
    for i, (rec, size, path) in enumerate(staged):
        found = early.get(path) if size is not None and isinstance(path, str) else None
        if found is not None and found[0] == rec["_stamp"]:  # the file as it was hashed
            known[i] = found[1]
    todo = [
        (os.fspath(path), size)
        for i, (_rec, size, path) in enumerate(staged)
        if size is not None and i not in known
    ]
    chunks = [todo[a : a + HASH_CHUNK] for a in range(0, len(todo), HASH_CHUNK)]
    try:
        with ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="discover-hash") as pool:
            done = list(pool.map(_hash_chunk, chunks))
    except RuntimeError:  # no thread could be started (a process near its limits): serially
        done = [_hash_chunk(chunk) for chunk in chunks]
    hashed = iter([h for chunk in done for h in chunk])
    for i, (rec, size, path) in enumerate(staged):
        if size is None:
            yield rec, path
        else:
            yield _judge(rec, path, known[i] if i in known else next(hashed)), path


def discover(inbox: Path, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per file under ``inbox`` (frames.FILE_COLUMNS) and the issues of rejected ones."""
    records: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    kept_by_hash: dict[str, dict[str, Any]] = {}

    def examine_inner(rel: str, path: Path) -> dict[str, Any]:
        return _examine(rel, path, path.parent, settings)

    # a container (.zip, .eml) is followed by the files inside it (containers.py)
    unpacked = containers.inbox_budget(settings)
    walked = (
        rec
        for examined, path in _examine_all(_walk(inbox), inbox, settings)
        for rec in containers.expand(examined, path, settings, examine_inner, unpacked)
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


# a file of the inbox refused for one of these may only have been caught half-written
UNFINISHED_REASONS = frozenset(
    {"corrupt", "empty_file", "not_excel", "container_corrupt", "mail_corrupt", "unknown_template"}
)


def still_changing(
    files: pd.DataFrame, inbox: Path, *issue_frames: pd.DataFrame
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Files of the inbox refused as damaged, empty or no form whose size or modification
    time is no longer what ``discover`` saw: they were being copied, downloaded or saved
    while the run read them. Each is told so (``file_changing``: wait and run again), its
    other lines dropped from ``issue_frames``; the sender was told to send it again before,
    though it was whole where it came from. Call after ``read``."""
    top = files["container"].isna() if "container" in files else pd.Series(True, files.index)
    refused = files["status"].eq(frames.FILE_STATUS_REJECTED).fillna(False).astype(bool)
    reasons = files["reason"].isin(UNFINISHED_REASONS).fillna(False).astype(bool)
    changed: list[int] = []
    for i in files.index[top & refused & reasons]:
        source = files.at[i, "source_path"] if "source_path" in files else None
        path = source if isinstance(source, str) else os.path.join(inbox, files.at[i, "file"])
        try:  # as _stat saw it: the time of the entry itself, the size of what a link names
            st = os.lstat(path)
            size = os.stat(path).st_size if stat.S_ISLNK(st.st_mode) else st.st_size
        except OSError:
            continue  # gone, or moved away: what was told stands
        if int(size) != int(files.at[i, "size"]) or float(st.st_mtime) != float(
            files.at[i, "mtime"]
        ):
            changed.append(i)
    if not changed:
        return files, list(issue_frames)
    files = files.copy()
    files.loc[changed, "reason"] = "file_changing"
    names = set(files.loc[changed, "file"])
    kept = [f[~f["file"].isin(names)] if len(f) else f for f in issue_frames]
    told = frames.issues_frame([frames.issue("file_changing", file=name) for name in sorted(names)])
    return files, [frames.concat_issues(kept[0] if kept else None, told), *kept[1:]]


def files_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records (any subset of FILE_COLUMNS) -> a files frame with every column and its dtype."""
    n = len(records)
    present = set().union(*records)  # a column no record has is made whole, not per record

    def column(name: str, default: object) -> list[object]:
        if name not in present:
            return [default] * n
        try:  # most columns are in every record: taken in one C-level pass
            return list(map(itemgetter(name), records))
        except KeyError:
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
        elif col in frames.DICT_FILE_COLUMNS:
            values = np.empty(n, dtype=object)
            if col in present:
                for i, r in enumerate(records):
                    values[i] = dict(r.get(col) or {})
            else:
                for i in range(n):
                    values[i] = {}
            data[col] = pd.Series(values, dtype="object")
        elif col not in present:  # missing throughout: no value to check, row by row
            data[col] = pd.Series(_NO_TEXT.take(np.zeros(n, dtype=np.intp)))
        else:  # from an object array: far faster than from a list when most are missing
            texts = np.fromiter(column(col, pd.NA), dtype=object, count=n)
            data[col] = pd.Series(texts, dtype="str")
    return pd.DataFrame(data, columns=list(frames.FILE_COLUMNS))


_NO_TEXT = pd.array([pd.NA], dtype="str")  # one missing text, taken for a whole column
