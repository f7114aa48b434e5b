"""Pledges sent on their own: a signed 廉政承诺书 scanned to PDF or a photo, or written in Word.

discover refuses such files as not spreadsheets; once the roster is known, ``find`` takes back
every one whose name (or, for a ``.docx``, whose text) says 承诺 and names one roster person:
the file is ``read`` (kind ``pledge``) and its person's 承诺书登记 row says
``单独报送（文件名）`` (``register``, called by completeness).
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import containers, frames, normalize, records, vocab
from pipeline.config import Roster, Settings
from pipeline.records import stripped_text as _text

log = logging.getLogger(__name__)

KIND = vocab.PLEDGE_KIND
PLEDGE_EXTS = (
    *(".docx", ".doc", ".wps", ".pdf", ".ofd"),
    *(".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".heic", ".heif", ".webp"),
)
DOCX_TEXT_PART = "word/document.xml"
MAX_DOCX_XML_BYTES = 8 * 1024 * 1024
_W_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_KEY_SEP = vocab.KEY_SEP


def docx_text(path: Path, settings: Settings) -> str:
    """The text of a .docx (word/document.xml), within the workbook limits; '' when unsafe or
    unreadable."""
    from defusedxml.ElementTree import fromstring

    limits = settings.limits
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(DOCX_TEXT_PART)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > min(MAX_DOCX_XML_BYTES, limits.max_uncompressed_bytes) or (
                info.file_size > 1024 * 1024 and ratio > limits.max_compression_ratio
            ):
                return ""
            with zf.open(info) as fh:
                xml = fh.read(info.file_size + 1)
        if len(xml) > info.file_size:
            return ""
        fromstring(xml)  # refuses entity declarations (defusedxml) and malformed XML
    except Exception as exc:  # noqa: BLE001 - a foreign document must never stop the run
        log.info("pledge document %s not read: %s", path.name, exc)
        return ""
    return "".join(_W_TEXT.findall(xml.decode("utf-8", "replace")))


class _People:
    """Roster people by folded name, for finding who a pledge names."""

    def __init__(self, roster: Roster) -> None:
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        for section, name in zip(
            roster.people["section"].tolist(), roster.people["name"].tolist(), strict=True
        ):
            if _text(name):
                self.by_name.setdefault(normalize.fold(name), []).append(
                    (_text(section), _text(name))
                )
        self.longest = max((len(n) for n in self.by_name), default=0)

    def named_in(self, text: str, where: str = "") -> tuple[str, str] | None:
        """The one roster person ``text`` names (the longest name written wins; a name two
        sections share needs its section in ``where`` or the text)."""
        folded = normalize.fold(text)
        found = {
            folded[i : i + n]
            for n in range(2, self.longest + 1)
            for i in range(len(folded) - n + 1)
            if folded[i : i + n] in self.by_name
        }
        found = {f for f in found if not any(f != o and f in o for o in found)}
        people = {p for f in found for p in self.by_name[f]}
        if len(people) > 1:
            context = normalize.fold(where + text)
            people = {p for p in people if normalize.fold(p[0]) in context}
        return people.pop() if len(people) == 1 else None

    def names_anyone(self, text: str) -> bool:
        """Whether ``text`` holds any roster name (one person or several)."""
        folded = normalize.fold(text)
        return any(
            folded[i : i + n] in self.by_name
            for n in range(2, self.longest + 1)
            for i in range(len(folded) - n + 1)
        )


class _LazyPeople:
    """``_People`` of the roster, built at the first ``named_in``."""

    def __init__(self, roster: Roster) -> None:
        self._roster = roster
        self._people: _People | None = None

    def named_in(self, text: str, where: str = "") -> tuple[str, str] | None:
        if self._people is None:
            self._people = _People(self._roster)
        return self._people.named_in(text, where)

    def names_anyone(self, text: str) -> bool:
        if self._people is None:
            self._people = _People(self._roster)
        return self._people.names_anyone(text)


def find(
    files: pd.DataFrame, issues: pd.DataFrame, roster: Roster, inbox: Path, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Take back the pledges sent on their own from the files refused as not spreadsheets;
    return (files, issues) without the refusals of those files."""
    if files.empty:
        return files, issues
    refused = files["status"].eq(frames.FILE_STATUS_REJECTED) & files["reason"].eq("not_excel")
    refused = refused.fillna(False).astype(bool)
    # workbooks the reader found to hold only a 廉政承诺书 (readform._pledge_book)
    books = files["status"].eq(frames.FILE_STATUS_READ) & files["kind"].eq(KIND)
    books = books.fillna(False).astype(bool)
    if not refused.any() and not books.any():
        return files, issues
    people = _LazyPeople(roster)  # the roster is looked at only for a file that may be one
    hint = normalize.fold(vocab.PLEDGE_SHEET_HINT)
    taken: dict[int, tuple[str, str]] = {}
    told: dict[str, tuple[bool, str, str]] = {}  # file -> (says 承诺, ext, what it is)
    taken.update(_pledge_books(files.loc[books], people))
    unknown = [i for i in files.index[books] if i not in taken]
    for idx, rec in files.loc[refused].iterrows():
        name = Path(_text(rec["file"])).name
        ext = Path(name).suffix.lower()
        if ext not in PLEDGE_EXTS:
            continue
        person = None
        # the file says it is a pledge, or the folder it is in does (「承诺书/张三.jpg」)
        said = hint in normalize.fold(_text(rec["file"]).rsplit("/", 1)[-1]) or (
            hint in normalize.fold(_text(rec["file"]).rpartition("/")[0])
        )
        if said:
            person = people.named_in(Path(name).stem, _text(rec["file"]))
        if person is None and ext == ".docx":
            text = docx_text(containers.source_of(inbox, rec), settings)
            if hint in normalize.fold(text):
                said = True
                signer = text.split(vocab.PLEDGE_LABELS["pledger"], 1)
                person = (people.named_in(signer[1][:40]) if len(signer) > 1 else None) or (
                    people.named_in(Path(name).stem + text, _text(rec["file"]))
                )
        if person is None and said and not people.names_anyone(Path(name).stem):
            person = _named_by_folder(_text(rec["file"]), people)
        if person is not None:
            taken[idx] = person
        elif said or _format(ext) == "image" or people.names_anyone(Path(name).stem):
            # a photo, or a document named after someone, may be a pledge (a notice is not)
            told[_text(rec["file"])] = (said, ext, vocab.FORMAT_NAMES.get(_format(ext), ""))
    if told:
        issues = _tell_unregistered(issues, told)
        of_nobody = [f for f, (says, _ext, _what) in told.items() if says]
        if of_nobody:
            files = files.copy(deep=False)
            files.loc[refused & files["file"].isin(of_nobody), "reason"] = "pledge_file_unknown"
    if not taken and not unknown:
        return files, issues
    files = files.copy(deep=False)
    if unknown:
        issues = frames.concat_issues(issues, _unknown_issues(files.loc[unknown]))
        files.loc[unknown, "status"] = frames.FILE_STATUS_REJECTED
        files.loc[unknown, "reason"] = "pledge_unknown"
    if not taken:
        return files, issues
    rows = list(taken)
    files.loc[rows, "status"] = frames.FILE_STATUS_READ
    files.loc[rows, "reason"] = pd.NA
    files.loc[rows, "kind"] = KIND
    files.loc[rows, "section"] = [taken[i][0] for i in rows]
    files.loc[rows, "name"] = [taken[i][1] for i in rows]
    files.loc[rows, "pledger"] = [taken[i][1] for i in rows]
    gone = set(files.loc[rows, "file"].tolist())
    keep = ~(issues["file"].isin(gone) & issues["code"].eq("not_excel"))
    return files, issues.loc[keep].reset_index(drop=True)


def _named_by_folder(file: str, people: _LazyPeople) -> tuple[str, str] | None:
    """The roster person the nearest folder, zip or mail holding ``file`` is named after
    (「2026-03-24 来自张三/廉政承诺书.pdf」, 「张三.zip/承诺书.jpg」), or None."""
    for part in reversed(file.split("/")[:-1]):
        person = people.named_in(Path(part).stem, file)
        if person is not None:
            return person
    return None


def _format(ext: str) -> str:
    """The vocab.FORMAT_NAMES key of a pledge file's extension."""
    if ext in (".pdf", ".ofd"):
        return ext[1:]
    return "word" if ext in (".docx", ".doc", ".wps") else "image"


def _tell_unregistered(
    issues: pd.DataFrame, told: dict[str, tuple[bool, str, str]]
) -> pd.DataFrame:
    """The not_excel refusals of what may be a pledge no roster person was found in (photos,
    files naming someone or saying 承诺): one that says 承诺 is told as a pledge of nobody
    known (pledge_file_unknown); the others keep their reason, with how to send a pledge so
    that it is registered."""
    mine = issues["code"].eq("not_excel") & issues["file"].isin(set(told))
    if not mine.any():
        return issues
    issues = issues.copy()
    for i in issues.index[mine]:
        said, ext, what = told[issues.at[i, "file"]]
        if said:
            row = records.issue(
                "pledge_file_unknown", file=issues.at[i, "file"], detail=what, ext=ext
            )
            for key in ("action", "code", "problem", "fix"):
                issues.at[i, key] = row[key]
        else:
            issues.at[i, "fix"] = vocab.NOT_EXCEL_PLEDGE_FIX.format(ext=ext)
    return issues


def _pledge_books(books: pd.DataFrame, people: _LazyPeople) -> dict[int, tuple[str, str]]:
    """Row -> (section, name) of the pledge workbooks whose person is known: by the 承诺人
    signed (when signed, only by that), else by the file's name."""
    out: dict[int, tuple[str, str]] = {}
    for idx, file, pledger in zip(books.index, books["file"], books["pledger"], strict=True):
        file, pledger = _text(file), _text(pledger)
        if pledger:
            person = people.named_in(pledger, file)
        else:
            person = people.named_in(Path(file).stem, file)
        if person is not None:
            out[idx] = person
    return out


def _unknown_issues(books: pd.DataFrame) -> pd.DataFrame:
    """The 退回 of pledge workbooks whose person is not known (signed by nobody of the roster,
    or unsigned and named after nobody)."""
    rows = []
    for file, sheet, pledger in zip(books["file"], books["sheet"], books["pledger"], strict=True):
        signed = _text(pledger)
        detail = vocab.PLEDGE_SIGNED_UNKNOWN.format(name=signed) if signed else ""
        rows.append(
            records.issue("pledge_unknown", file=_text(file), sheet=_text(sheet), detail=detail)
        )
    return frames.issues_frame(rows)


def standalone(files: pd.DataFrame) -> dict[str, str]:
    """Person key (folded 科室|姓名, as completeness keys them) -> the pledge file sent alone."""
    if files.empty or "kind" not in files:
        return {}
    mine = files[files["kind"].eq(KIND).fillna(False).astype(bool)].sort_values("file")
    out: dict[str, str] = {}
    for section, name, file in zip(mine["section"], mine["name"], mine["file"], strict=True):
        out.setdefault(
            normalize.fold(_text(section)) + _KEY_SEP + normalize.fold(_text(name)), file
        )
    return out


def register(
    pledge_rows: list[dict[str, Any]], issues: list[dict[str, Any]], sent: dict[str, str]
) -> None:
    """Mark the 承诺书登记 rows of the people who sent their pledge on its own (in place) and
    drop the 缺少承诺书 / 承诺书为空 notes about them."""
    if not sent:
        return
    done: set[tuple[str, str]] = set()
    for row in pledge_rows:
        key = normalize.fold(row["section"]) + _KEY_SEP + normalize.fold(row["name"])
        if key in sent:
            row["status"] = vocab.PLEDGE_STATUS_ALONE.format(file=Path(sent[key]).name)
            done.add((row["section"], row["name"]))
    issues[:] = [
        i
        for i in issues
        if not (
            i["code"] in ("pledge_missing", "pledge_empty", "pledge_other_signer")
            and (i["section"], i["name"]) in done
        )
    ]
