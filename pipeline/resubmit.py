"""Resubmission (SPEC): which of a sender's files is the latest, and which files are corrected
annotated copies of earlier ones.

- "Latest" is decided by 填表日期, then the date in the mail folder's name
  (``2026-03-24 来自…``, discover's ``folder_date``), then the modification time, then the
  path. Among one sender's versions a date decides only when every version has one: a blank
  填表日期 is unknown, not old (a correction mailed later with the date left blank is the
  later version), so their mail folders' dates, else their times, decide.
- A 填表日期 later than the day its file was sent (its mail folder's date, else the run's
  day; a day's slack) cannot be true (a typo, a date typed ahead): it is
  unknown too (``credible_dates``), so it neither wins over a correction mailed later nor
  asks that correction for a date it cannot reach.
- A file carrying the annotated-copy marker (``copy_of``: the SHA-256 of the file it is a copy
  of, vocab.COPY_SOURCE_PROPERTY) supersedes that file whatever the dates say, also when the
  earlier file could not be attributed to anybody (rejected for a missing 姓名): a correction
  ends its original's 退回.
- An annotated copy that reads exactly as its original (the section mailed its whole feedback
  package back, a copy in it untouched) is no new version: it is that original's duplicate
  (``unchanged_copies``), so it neither replaces the original nor a correction sent meanwhile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline import frames, vocab
from pipeline.normalize import sorted_ranks, stripped
from pipeline.records import ROW_FIELDS

ORDER_COLUMNS = ("_date", "_folder_date", "_mtime", "_file")
# The issue codes a superseded file keeps in 异常清单 (all its other issues are obsolete).
SUPERSEDED_CODES = frozenset(
    {"superseded", "superseded_sent_back", "superseded_by_sent_back", "duplicate_file"}
)


# A day's slack over the day a file was sent: time zones, a clock a little off
_SLACK = pd.Timedelta(days=1)


def date_bounds(files: pd.DataFrame, today: str) -> pd.Series:
    """The last day (ISO text) on which each file's 填表日期 can have been typed: its mail
    folder's date, else ``today`` (the run's day), a day's slack added (validate keeps it as
    the files column ``date_bound``). A file's modification time bounds nothing: copies,
    zips and reset clocks give times older than the content."""
    folder = (
        frames.text_series(files["folder_date"])
        if "folder_date" in files
        else pd.Series("", index=files.index, dtype=object)
    )
    day = pd.to_datetime(folder.where(folder != "", today), errors="coerce", format="%Y-%m-%d")
    return (day + _SLACK).dt.strftime("%Y-%m-%d").fillna("").astype(object)


def credible_dates(files: pd.DataFrame) -> pd.Series:
    """Each file's 填表日期 (ISO text, '' for none), blank where it is later than the day
    the file was sent (``date_bound``): a date that cannot be true decides no order."""
    date = frames.text_series(files["date"])
    if "date_bound" not in files or date.eq("").all():
        return date
    bound = frames.text_series(files["date_bound"])
    return date.where(bound.eq("") | (date.str.slice(0, 10) <= bound), "")


def credible_date(rec: Any) -> str:
    """``credible_dates`` of one file record (a row of ``files``, itertuples or Series)."""
    date = stripped(getattr(rec, "date", ""))
    bound = stripped(getattr(rec, "date_bound", ""))
    return "" if date and bound and date[:10] > bound else date


def order_keys(files: pd.DataFrame) -> pd.DataFrame:
    """``files`` with the sort columns of ORDER_COLUMNS: sort ascending, the last is latest."""
    return files.assign(
        _date=credible_dates(files),
        _folder_date=frames.text_series(files["folder_date"]) if "folder_date" in files else "",
        _mtime=pd.to_numeric(files["mtime"], errors="coerce").fillna(-np.inf),
        _file=frames.text_series(files["file"]),
    )


def latest_order(files: pd.DataFrame, key: pd.Series | None = None) -> np.ndarray:
    """The positions of ``files`` in the order of
    ``order_keys(files).sort_values([key, *ORDER_COLUMNS], kind="stable")`` (``key``, text
    aligned with ``files``, first when given): each column ranked once, one stable lexsort."""
    # order_keys' columns, without a copy of the frame
    folder_date = frames.text_series(files["folder_date"]) if "folder_date" in files else None
    date = credible_dates(files)
    if key is not None:
        # per sender (``key``), a date decides only when all their versions have one
        date = _known_by_all(key, date)
        folder_date = None if folder_date is None else _known_by_all(key, folder_date)
    columns = [
        sorted_ranks(frames.text_series(files["file"])),
        pd.to_numeric(files["mtime"], errors="coerce").fillna(-np.inf).to_numpy(dtype=np.float64),
        np.zeros(len(files), dtype=np.intp) if folder_date is None else sorted_ranks(folder_date),
        sorted_ranks(date),
    ]
    if key is not None:
        columns.append(sorted_ranks(key))
    return np.lexsort(columns)


def _known_by_all(key: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` ('' for missing), blank for every file of a ``key`` some of whose files
    have none: a missing date cannot be compared, so it decides nothing for that sender."""
    key = frames.text_series(pd.Series(np.asarray(key, dtype=object), index=values.index))
    incomplete = (values == "").groupby(key.to_numpy(dtype=object)).transform("any")
    return values.where(~incomplete.to_numpy(bool), "")


def last_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions of the last occurrence of each distinct key, in position order
    (``drop_duplicates(keep="last")``)."""
    codes = pd.factorize(keys)[0]
    last = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    last[codes] = np.arange(len(codes))  # the last write wins
    return np.sort(last)


def copied_originals(files: pd.DataFrame) -> dict[int, str]:
    """Index of every file that a corrected annotated copy in ``files`` replaces -> that
    copy's path. Only files read or rejected (not already superseded) take part; when several
    copies name one original, the latest of them (ORDER_COLUMNS) is named."""
    if "copy_of" not in files or "sha256" not in files:
        return {}
    live = files["status"].isin([frames.FILE_STATUS_READ, frames.FILE_STATUS_REJECTED])
    copies = files.loc[
        live & files["copy_of"].notna() & frames.text_series(files["copy_of"]).ne("")
    ]
    if copies.empty:
        return {}
    copies = order_keys(copies).sort_values(list(ORDER_COLUMNS), kind="stable")
    newest_copy = dict(
        zip(frames.text_series(copies["copy_of"]), frames.text_series(copies["file"]), strict=True)
    )
    originals = files.loc[live & frames.text_series(files["sha256"]).isin(set(newest_copy))]
    out: dict[int, str] = {}
    for idx, sha, file in zip(
        originals.index,
        frames.text_series(originals["sha256"]),
        frames.text_series(originals["file"]),
        strict=True,
    ):
        if newest_copy[sha] != file:
            out[int(idx)] = newest_copy[sha]
    return out


# what a copy must read as its original's to be unchanged: the header and pledge, every row
_SAME_FILE_FIELDS = (
    "kind", "sheet", "section", "name", "post", "head", "date",
    "pledge_items", "pledger", "pledge_date",
)  # fmt: skip
_SAME_ROW_FIELDS = (
    "excel_row",
    *(f for f in ROW_FIELDS if f != "row_sheet" and f not in vocab.OWNER_KEYS),
)


def _row_sheets(rows: pd.DataFrame) -> list[str]:
    """Each row's own sheet (a workbook of one sheet per person), else its file's."""
    if "row_sheet" not in rows:
        return frames.text_series(rows["sheet"]).tolist()
    return frames.text_series(rows["row_sheet"].fillna(rows["sheet"])).tolist()


def _owner(rows: pd.DataFrame, own: str, file_field: str) -> list[str]:
    """Each row's own section/name, else its file's."""
    if own not in rows:
        return frames.text_series(rows[file_field]).tolist()
    return frames.text_series(rows[own].fillna(rows[file_field])).tolist()


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def unchanged_copies(files: pd.DataFrame, rows: pd.DataFrame) -> dict[int, str]:
    """Index of every annotated copy in ``files`` that reads exactly as its original (the same
    header, pledge and rows, cell for cell) -> the original's path. Only files read or
    rejected take part, and the original must be among them."""
    if "copy_of" not in files or "sha256" not in files:
        return {}
    live = files["status"].isin([frames.FILE_STATUS_READ, frames.FILE_STATUS_REJECTED])
    copy_of = frames.text_series(files["copy_of"])
    copies = files.loc[live & copy_of.ne("")]
    if copies.empty:
        return {}
    original_of = {
        sha: idx
        for idx, sha in zip(
            files.index[live], frames.text_series(files.loc[live, "sha256"]), strict=True
        )
    }
    file_fields = [c for c in _SAME_FILE_FIELDS if c in files]
    row_fields = [c for c in _SAME_ROW_FIELDS if c in rows]
    by_file = rows.groupby("file", sort=False).indices if len(rows) else {}

    def content(idx: int, sheets: set[str] | None = None) -> tuple:
        """The file's header and rows, each row with its own sheet and owner; only the rows
        on ``sheets`` and no file header when given (a section's copy leaves the other
        sections' sheets out: the header the file shows is its first sheet's)."""
        at = by_file.get(files.at[idx, "file"])
        if at is None:
            return (), ()
        part = rows.iloc[at]
        own = _row_sheets(part)
        section = _owner(part, "row_section", "section")
        name = _owner(part, "row_name", "name")
        body = part[row_fields].to_numpy().tolist()
        lines = tuple(
            (sheet, sec, who, *(_cell_text(v) for v in row))
            for row, sheet, sec, who in zip(body, own, section, name, strict=True)
            if sheets is None or sheet in sheets
        )
        head = (
            tuple(_cell_text(v) for v in files.loc[idx, file_fields])
            if sheets is None
            else (_cell_text(files.at[idx, "kind"]),)
        )
        return head, lines

    def sheets_of(idx: int) -> set[str]:
        at = by_file.get(files.at[idx, "file"])
        return set() if at is None else set(_row_sheets(rows.iloc[at]))

    out: dict[int, str] = {}
    for idx, sha in zip(copies.index, copy_of[copies.index], strict=True):
        original = original_of.get(sha)
        if original is None or original == idx:
            continue
        mine, theirs = sheets_of(int(idx)), sheets_of(int(original))
        fewer = mine if mine and mine < theirs else None
        if content(int(idx), fewer) == content(int(original), fewer):
            out[int(idx)] = str(files.at[original, "file"])
    return out


def replaced_by(files: pd.DataFrame) -> dict[str, list[str]]:
    """file -> the files it replaced, directly or through a chain of versions, in path order."""
    if "superseded_by" not in files:
        return {}
    replaced = files.loc[files["superseded_by"].notna(), ["file", "superseded_by"]]
    newer = {
        old: new
        for old, new in zip(
            frames.text_series(replaced["file"]),
            frames.text_series(replaced["superseded_by"]),
            strict=True,
        )
        if new
    }
    out: dict[str, list[str]] = {}
    for old in sorted(newer):
        seen = {old}
        new = newer[old]
        while new in newer and newer[new] not in seen:  # the end of the chain
            seen.add(new)
            new = newer[new]
        out.setdefault(new, []).append(old)
    return out


def drop_superseded_issues(issues: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """Issues without those of superseded files, except the note saying by which file: a
    replaced version's problems are no longer anybody's to fix."""
    gone = set(
        frames.text_series(files.loc[files["status"].eq(frames.FILE_STATUS_SUPERSEDED), "file"])
    )
    if not gone or issues.empty:
        return issues
    keep = ~issues["file"].isin(gone) | issues["code"].isin(SUPERSEDED_CODES)
    return issues.loc[keep].reset_index(drop=True)


def _plain(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def sent_after(rec: Any, kept: Any) -> bool:
    """Whether the file ``rec``, which lost to ``kept`` by an earlier 填表日期, was sent after
    it: by their mail folders' dates when both have one and they differ, else by their
    modification times. ``rec`` and ``kept``: rows of ``files`` (``itertuples``)."""
    mine, theirs = credible_date(rec), credible_date(kept)
    if not mine or not theirs or mine >= theirs:
        return False  # the date did not decide
    folder_mine = _plain(getattr(rec, "folder_date", ""))
    folder_theirs = _plain(getattr(kept, "folder_date", ""))
    if folder_mine and folder_theirs and folder_mine != folder_theirs:
        return folder_mine > folder_theirs
    mtime_mine = pd.to_numeric(pd.Series([rec.mtime]), errors="coerce").iloc[0]
    mtime_theirs = pd.to_numeric(pd.Series([kept.mtime]), errors="coerce").iloc[0]
    return bool(pd.notna(mtime_mine) and pd.notna(mtime_theirs) and mtime_mine > mtime_theirs)


def dated_out(files: pd.DataFrame) -> dict[str, list[str]]:
    """Counted file -> the files it replaced only by a later 填表日期 though they were sent
    after it (``sent_after``): a correction that kept, or turned back, its old date."""
    if "superseded_by" not in files or files.empty:
        return {}
    replaced = files.loc[frames.text_series(files["superseded_by"]).ne("")]
    kept_files = files.loc[frames.text_series(files["file"]).isin(set(replaced["superseded_by"]))]
    by_file = {rec.file: rec for rec in kept_files.itertuples()}
    out: dict[str, list[str]] = {}
    for rec in replaced.itertuples():
        kept = by_file.get(rec.superseded_by)
        if kept is not None and sent_after(rec, kept):
            out.setdefault(str(kept.file), []).append(str(rec.file))
    return out
