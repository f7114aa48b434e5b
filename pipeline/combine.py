"""The commission's side: ``python -m pipeline combine ARCHIVE... --out DIR``.

Reads the archives many bodies filed (this tool's, recognised by their identity marker, of any
version; and hand-made catalogues in the layouts the reader knows: a sheet whose header holds
科室, 风险点描述 and a level, maybe 岗位, in the forms' wording, merged cells carried over their
rows, a second header row under a merged 防控措施, one 防控措施 column split) and writes one district workbook: per-body counts, levels and
categories, every 一级 point, one catalogue with a 单位 column, the heat map and native charts,
who has filed (against an optional list of expected bodies) and which archives are older than
their body's latest. A file that is not an archive is listed with its reason, as in 异常清单;
one bad file never stops the run.

Fast on purpose: reading is python-calamine (about 5 ms for an archive of 100 people), the big
tables are written as sheet XML (``sheetxml``), everything else is column operations.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import itertools
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import archives, containers, discover, frames, read, vocab, workers, xlsx
from pipeline.config import DEFAULTS, Limits
from pipeline.workbook.grid import carry_merges

log = logging.getLogger("pipeline.combine")

MB = 1024 * 1024
LIMITS = Limits(  # an archive of 20,000 people is ~160,000 rows and tens of MB
    max_file_bytes=512 * MB,
    max_uncompressed_bytes=4096 * MB,
    max_compression_ratio=400.0,
    max_rows=1_048_576,
    max_columns=200,
    max_cell_chars=32767,
    worker_memory_bytes=2048 * MB,  # address space a worker may add reading one archive
    worker_timeout_s=600.0,  # seconds without any chunk of archives read: a worker hangs
    workers=0,  # one per core
)
WORKBOOK_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".csv")
FILE_NAME = re.compile(
    r"^(?P<year>\d{4})_(?P<body>.+?)_" + vocab.ARCHIVE_FILE_TEMPLATE.split("}_")[-1]
)
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)(?:年度|年)?")
MATRIX = DEFAULTS["grading"]["matrix"]

STATUS_CURRENT = "current"
STATUS_STALE = "stale"
STATUS_DUPLICATE = "duplicate"
STATUS_OTHER_YEAR = "other_year"

# The catalogue columns the district workbook shows (a body's 自评等级, 评定依据 and source
# files stay in its archive): only these travel back from the read workers.
KEPT_KEYS = tuple(
    k
    for k in vocab.CATALOGUE_COLUMNS
    if k not in ("self_level", "level_reason", "source_file", "source_row")
)


@dataclass
class Filed:
    """One archive read: who filed it, when, and its points (one text column per key)."""

    file: str  # as the user named it
    body: str
    year: int
    run_time: str  # ISO; '' when unknown (hand-made catalogues)
    mtime: float
    kind: str  # 'marked' | 'tool' (earlier version, no marker) | 'hand'
    points: dict[str, list[str]]  # key -> column of texts (KEPT_KEYS, body, excel_row)
    content_hash: str = ""
    status: str = STATUS_CURRENT
    newer: str = ""  # the file that supersedes this one
    sheet: str = ""  # the catalogue's sheet
    level_col: int | None = None  # 0-based column of the level, for cell references
    body_from_column: bool = False  # a hand-made catalogue's body from its 单位 column
    body_from_title: bool = False  # ... from its title or 填报单位 line above the header

    @property
    def n_points(self) -> int:
        return len(self.points["excel_row"])


@dataclass
class Combined:
    """What ``combine`` read and wrote."""

    filed: list[Filed]
    issues: pd.DataFrame
    points: pd.DataFrame  # current archives' points with a 'body' column
    bodies: pd.DataFrame  # one row per body: counts by level and category, status
    year: int
    path: Path | None = None
    expected: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def expand(paths: Iterable[Path], skip: Path | None = None) -> list[tuple[str, Path]]:
    """Command-line arguments -> (shown name, path), folders walked in name order; links are
    never followed out of a named folder. Names are shown as the inbox's are
    (``containers.shown_path``: a line break as a space, a right-to-left override marked). ``skip``: the output folder, left out of a walked
    folder that holds it (``combine 收到的档案 --out 收到的档案/汇总``: the last run's district
    workbook is no body's archive, and was 「未能读取」 on every rerun)."""
    out: list[tuple[str, Path]] = []
    skipped = Path(skip).resolve() if skip is not None else None
    for given in paths:
        given = Path(given)
        if given.is_dir():
            # only a folder inside the one named: `--out` the named folder itself skips nothing
            inside = skipped is not None and skipped != given.resolve()
            inside = inside and skipped.is_relative_to(given.resolve())
            for p in sorted(given.rglob("*")):
                if inside and p.resolve().is_relative_to(skipped):
                    continue
                if p.is_file() and not p.is_symlink():
                    shown = f"{given.name}/{p.relative_to(given).as_posix()}"
                    out.append((containers.shown_path(shown), p))
        else:
            shown = given.name if given.parent == Path(".") else str(given)
            out.append((containers.shown_path(shown), given))
    return out


def _unpacked(
    named: list[tuple[str, Path]], scratch: Path
) -> list[tuple[str, Path] | list[dict[str, Any]]]:
    """``named`` with each .zip opened (a body mails its archive zipped, a commission saves a
    mail's zips as they came): its files as ``外层.zip/档案.xlsx``, written into ``scratch``,
    with the limits a zip of the inbox has (count, size, ratio; no nested containers); a file
    or zip refused comes as its issues. Other containers (.7z, .rar, mails) stay as they are
    (``combine_packed``: unzip them)."""
    out: list[tuple[str, Path] | list[dict[str, Any]]] = []
    for shown, path in named:
        try:
            with path.open("rb") as fh:
                is_zip = fh.read(len(read.ZIP_MAGIC)) == read.ZIP_MAGIC
        except OSError:
            is_zip = False
        if not is_zip or path.suffix.lower() != ".zip":
            out.append((shown, path))
            continue
        try:  # one member in memory at a time: each is written out before the next is read
            for name, data, when in containers.zip_members(path, LIMITS):
                inner = f"{shown}/{name}"
                if data is None:
                    code, detail = when
                    out.append([_issue(code, inner, detail=detail)])
                    continue
                target = scratch / str(len(out)) / (Path(name).name or "file")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                del data
                if when is not None:
                    os.utime(target, (when, when))  # the member's own date: which is later
                out.append((inner, target))
        except containers.ContainerRefused as exc:
            detail = exc.detail or vocab.ARCHIVE_NAMES["zip"]
            out.append([_issue(exc.code, shown, detail=detail)])
        except OSError as exc:  # the scratch folder full or gone
            log.warning("unpacking %s: %s", shown, exc)
            out.append([_issue("scratch_failed", shown)])
    return out


def _issue(code: str, file: str, **values: Any) -> dict[str, Any]:
    return frames.issue(code, file=file, **values)


def _cover_info(load: Any, names: list[str]) -> dict[str, str]:
    """An earlier archive's cover: label -> value of its 单位 / 年度 / 生成时间 rows."""
    if vocab.ARCHIVE_SHEET_COVER not in names:
        return {}
    grid, _ = load(vocab.ARCHIVE_SHEET_COVER)
    labels = {v: k for k, v in vocab.ARCHIVE_COVER_INFO.items()}
    info: dict[str, str] = {}
    for row in grid[:20]:
        cells = [c for c in row if c not in (None, "")]
        if len(cells) >= 2 and isinstance(cells[0], str) and cells[0].strip() in labels:
            info[labels[cells[0].strip()]] = str(cells[1]).strip()
    return info


def _normalise(
    frame: pd.DataFrame, key: str, lookup: dict[str, str]
) -> tuple[pd.Series, pd.Series]:
    """(canonical values, mask of filled values that are not recognised)."""
    raw = frame[key] if key in frame.columns else pd.Series([""] * len(frame), dtype="str")
    table = {v: lookup.get(vocab.fold(v), "" if vocab.fold(v) else None) for v in raw.unique()}
    mapped = raw.map(table)
    bad = mapped.eq("").fillna(False).astype(bool)  # filled but not recognised
    return mapped.fillna("").astype("str"), bad


def _guard(path: Path) -> read.Opened:
    """The checks before a parser sees the file, cheap enough for hundreds of archives: size,
    the zip directory (bombs), the container's kind. What they cannot see (a far cell that
    makes calamine allocate without bound) is caught by the worker's memory limit."""
    with path.open("rb") as fh:
        head = fh.read(len(read.ZIP_MAGIC))
    if head != read.ZIP_MAGIC:
        return read.prescan(str(path), LIMITS)  # .xls, .csv: the reader's own checks
    size = path.stat().st_size
    if size > LIMITS.max_file_bytes:
        raise read.Refused("too_large", detail=f"{size / MB:.1f} MB")
    z = read._Zip(path.read_bytes())
    read._check_zip_directory(z, size, LIMITS)
    names = z.by_name
    if "xl/workbook.xml" in names:
        return read.Opened("xlsx")
    if "xl/workbook.bin" in names:
        return read.Opened("xlsb")
    if "content.xml" in names:
        return read.Opened("ods")
    raise read.Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)


def read_archive(shown: str, path: Path) -> tuple[Filed | None, list[dict[str, Any]]]:
    """Read one filed workbook; (None, [its issue]) when it is not an archive."""
    name = path.name
    if name.startswith(discover.LOCK_PREFIX):
        return None, [_issue("lock_file", shown)]
    try:
        st = path.stat()
        with path.open("rb") as fh:
            head = fh.read(discover.TEXT_HEAD_BYTES)
    except OSError:
        return None, [_issue("read_failed", shown, detail=vocab.DETAIL_CANNOT_OPEN)]
    if st.st_size == 0:
        return None, [_issue("empty_file", shown)]
    ext = path.suffix.lower()
    verdict = discover._sniff(path, ext, head)
    if verdict == "corrupt":
        return None, [_issue("corrupt", shown, detail=vocab.DETAIL_NOT_SPREADSHEET)]
    if verdict == "archive":  # a zip, rar or 7z as mailed: its archives are inside
        return None, [_issue("combine_packed", shown)]
    if verdict is not None:
        detail = discover.FORMAT_NAMES.get(verdict, discover.FORMAT_NAMES["other"])
        return None, [_issue("combine_not_excel", shown, detail=detail)]
    try:
        opened = _guard(path)
        identity = archives.read_identity(path) if opened.fmt == "xlsx" else None
        if identity is None and opened.fmt == "xlsx":
            # not our archive: the reader's own pre-scan, which also finds the formula cells
            # saved without a result (a catalogue a script wrote), read as their text
            opened = read.prescan(str(path), LIMITS)
        if opened.fmt == "csv":
            names, load, _ = read._load_csv(str(path), LIMITS)
        else:
            names, load, hidden = read._load_calamine(str(path), opened, LIMITS)
        other = archives.other_output(path) if identity is None and opened.fmt == "xlsx" else None
        if other is not None:  # a district or feedback workbook: its points are a body's own
            return None, [_issue("combine_tool_output", shown, detail=other)]
        found, sheet = _catalogue_sheets(names, load, hidden, identity is not None)
        info = _cover_info(load, names) if found is not None and identity is None else {}
        title_year, title_body = 0, ""
        if found is not None and identity is None:
            first = next((n for n in names if sheet == n or sheet.startswith(n + "、")), "")
            top = load(first)[0] if first else []
            title_body = _title_body(top)
            title_year = 0 if YEAR_IN_NAME.search(path.stem) else _title_year(top)
    except read.Refused as exc:
        return None, [_issue(exc.code, shown, detail=exc.detail, sheet=exc.sheet, cell=exc.cell)]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native panic (pyo3) is a BaseException
        refused = read._classify(exc)
        return None, [_issue(refused.code, shown, detail=refused.detail)]
    if found is None:
        return None, [_not_a_catalogue(shown, names, load)]
    points, columns = found

    issues: list[dict[str, Any]] = []
    for name in sheet.split("、"):  # the catalogue's sheets: formulas read as their text
        cells = opened.formula_text.get(name)
        if cells:
            issues.append(
                _issue("formula_text", shown, sheet=name, cell=cells[0], detail=len(cells))
            )
    content = identity.content_hash if identity else ""
    if identity is not None:
        # the marker's hash is of the catalogue as written: edited by hand, it no longer holds
        content = archives.content_hash(points.pop("_hashed"))
        if content != identity.content_hash:
            issues.append(_issue("combine_edited", shown, sheet=sheet, body=identity.body))
    by_name = FILE_NAME.match(vocab.visible(path.stem + path.suffix))
    from_title = False
    if identity is not None:
        kind, body, year, run_time = "marked", identity.body, identity.year, identity.run_time
    elif sheet == vocab.ARCHIVE_SHEET_CATALOGUE and (info or by_name):
        kind = "tool"
        body = info.get("body") or (by_name.group("body") if by_name else "")
        year_text = info.get("year") or (by_name.group("year") if by_name else "")
        year = int(year_text) if year_text.isdigit() else 0
        run_time = info.get("run_time", "").replace(" ", "T")
    else:
        kind, run_time = "hand", ""
        # a copy of it is 重复 (the bytes the guard read: the file is not read again)
        content = hashlib.sha256(opened.data or path.read_bytes()).hexdigest()
        body = by_name.group("body") if by_name else ""
        found_year = by_name.group("year") if by_name else None
        if found_year is None:
            match = YEAR_IN_NAME.search(path.stem)
            found_year = match.group(1) if match else None
        year = int(found_year) if found_year else title_year  # 「2025年度…风险点目录」
        if not body:
            body = body_from_name(path.stem)
        # the title names the body (「2026年度甲区教育局廉政风险点目录」 saved as 附件2.xlsx), or
        # in full where the office's file name shortens it (审计局2026.xls)
        if title_body and (not body or (title_body != body and title_body.endswith(body))):
            body, from_title = title_body, True

    n = len(points["excel_row"])
    from_column = False
    if "body" in points:  # a catalogue naming the body row by row
        named = [v.strip() for v in points["body"] if v.strip()]
        if named and kind == "hand":  # its 单位 column says whose it is, not the file name
            body, from_column = max(dict.fromkeys(named), key=named.count), True
        points["body"] = [v.strip() or body for v in points["body"]]
    else:
        points["body"] = [body] * n
    for key in KEPT_KEYS:
        if key not in points:
            points[key] = [""] * n
    if body == "":  # whose points they are is unknown: not counted under a made-up name
        return None, [*issues, _issue("combine_no_body", shown)]
    filed = Filed(
        file=shown,
        body=body,
        year=year,
        run_time=run_time,
        mtime=float(st.st_mtime),
        kind=kind,
        points=points,
        content_hash=content,
        sheet=sheet,
        level_col=columns.get("level"),
        body_from_column=from_column,
        body_from_title=from_title and not from_column,
    )
    return filed, issues


FORM_WORDS = re.compile("自查表|承诺书")
COLLECTED_WORDS = re.compile("汇总|目录|一览|台账|清单|档案")  # a catalogue it failed to read


def _not_a_catalogue(shown: str, names: list[str], load: Any) -> dict[str, Any]:
    """The issue for a workbook without a catalogue, saying what it is when it is plainly
    something else a body keeps: a person's or section's self-check form, a pledge, the
    roster (组织名册: sheets 人员 and 科室)."""
    roster = {vocab.ROSTER_SHEET_PEOPLE, vocab.ROSTER_SHEET_SECTIONS}
    if roster <= {n.strip() for n in names}:
        return _issue("combine_is_roster", shown)
    for name in names:  # a form's own sheet names (个人廉政风险自查表, 廉政承诺书)
        if FORM_WORDS.search(name) and not COLLECTED_WORDS.search(name):
            return _issue("combine_is_form", shown, detail=name.strip())
    try:
        top = load(names[0])[0][:5] if names else []
    except Exception:  # noqa: BLE001 - only a better reason is at stake
        top = []
    for row in top:  # a form's title 「个人廉政风险自查表」 over its header block
        for value in row:
            if (
                isinstance(value, str)
                and FORM_WORDS.search(value)
                and not COLLECTED_WORDS.search(value)
                and len(value) <= 40
            ):
                return _issue("combine_is_form", shown, detail=value.strip())
    return _issue("combine_no_catalogue", shown)


def _one_per_body(filed: list[Filed]) -> tuple[list[Filed], list[int]]:
    """A hand-made catalogue whose 单位 column names several bodies (a bureau's catalogue with
    its subordinate units'): one Filed per body, so that each body's counts are its own rows.
    Also each one's index in ``filed``."""
    out: list[Filed] = []
    origin: list[int] = []
    for j, f in enumerate(filed):
        bodies: dict[str, str] = {}  # folded -> the first spelling (「甲区 教育局」 is 甲区教育局)
        for b in f.points["body"] if f.kind == "hand" else ():
            bodies.setdefault(vocab.fold(b), b)
        if bodies:  # each row under its body's one spelling, the file's body among them
            f.points["body"] = [bodies[vocab.fold(b)] for b in f.points["body"]]
            f.body = bodies.get(vocab.fold(f.body), f.body)
        if len(bodies) <= 1:
            out.append(f)
            origin.append(j)
            continue
        for body in bodies.values():
            rows = [i for i, b in enumerate(f.points["body"]) if b == body]
            points = {k: [v[i] for i in rows] for k, v in f.points.items()}
            out.append(dataclasses.replace(f, body=body, points=points))
            origin.append(j)
    return out, origin


# 「填报单位（盖章）：甲区教育局」, 「单位名称：甲区教育局」 above a catalogue's header
UNIT_LINE = re.compile(
    r"^\s*(?:填报|报送)?单位(?:名称)?\s*(?:[（(]\s*(?:盖章|公章)\s*[）)])?\s*[:：]\s*"
)
# what a title says after the body: 「甲区民政局岗位廉政风险点目录」, 「甲区民政局机关…」
TITLE_TAIL = re.compile(r"(?:岗位|廉政|廉洁|机关|各科室|全局|本单位|年度|年)+$")
# a line above the header that is no title: a note, a notice's 关于…的通知, a sentence
NOT_A_TITLE = re.compile(r"^\s*(?:注|说明|备注|填表|填报|关于|附件)|[：:，,。；;]|通知")


def _title_body(grid: Sequence[Sequence[object]]) -> str:
    """The body a hand-made catalogue names above its header: a 填报单位/单位名称 line (its
    value after the colon, or in the next cell), else a title that names the document
    (「2026年度甲区教育局廉政风险点目录」 -> 甲区教育局); '' without one."""
    titled = ""
    for row in grid[: archives.HEADER_SCAN_ROWS]:
        if any(archives._label_key(v) == "description" for v in row):
            break  # the header: what is below it is the points' own words
        cells = [v.strip() if isinstance(v, str) else "" for v in row]
        for i, text in enumerate(cells):
            if not text:
                continue
            line = UNIT_LINE.match(text)
            if line:
                rest = text[line.end() :].split("填", 1)[0]  # 「单位：X   填报日期：…」
                value = rest.strip() or next((c for c in cells[i + 1 :] if c), "")
                value = re.split(r"\s{2,}|\s*(?:填报|报送)?日期", value)[0].strip()
                if len(value) >= 2 and not DOCUMENT_WORDS.search(value):
                    return value
            elif not titled and DOCUMENT_WORDS.search(text) and not NOT_A_TITLE.search(text):
                found = TITLE_TAIL.sub("", body_from_name(text))
                titled = found if len(found) >= 2 else ""
    return titled


def _title_year(grid: Sequence[Sequence[object]]) -> int:
    """The year a hand-made catalogue's title gives (「2025年度甲区审计局廉政风险点目录」): the
    first 20xx in the rows above its header; 0 without one."""
    for row in grid[: archives.HEADER_SCAN_ROWS]:
        if any(archives._label_key(v) == "description" for v in row):
            break  # the header: years below it are the points' own words
        for value in row:
            if isinstance(value, str) and (match := YEAR_IN_NAME.search(value)):
                return int(match.group(1))
    return 0


def _catalogue_sheets(
    names: list[str], load: Any, hidden: set[str], marked: bool
) -> tuple[tuple[dict[str, Any], dict[str, int]] | None, str]:
    """(points and columns, sheet) of the workbook's catalogue, or (None, '').

    This tool's archive (its catalogue sheet by name, or marked) has one catalogue. A
    hand-made workbook may keep one per section: every visible sheet holding one is read (a
    sheet without a 科室 column takes its name as the section) and their points are one list,
    each row with its sheet; a sheet whose points all stand in another sheet (a 汇总 beside
    the sections' sheets, a copy) is left out, so no point counts twice."""
    order = sorted(names, key=lambda n: n != vocab.ARCHIVE_SHEET_CATALOGUE)
    sheets: list[tuple[str, dict[str, Any], dict[str, int]]] = []
    for sheet in order:
        if sheets and sheet in hidden:
            continue
        grid, merges = load(sheet)
        if not marked:  # a section merged over its block of rows: every row's
            carry_merges(grid, merges)
        found = catalogue_columns(grid, hashed=marked, section=archives.sheet_section(sheet))
        if found is None:
            continue
        sheets.append((sheet, *found))
        if marked or sheet == vocab.ARCHIVE_SHEET_CATALOGUE:
            break
    if not sheets:
        return None, ""
    keys = [set(zip(p["section"], p["description"], strict=True)) for _, p, _ in sheets]
    kept = archives.distinct_sheets(keys)
    _, points, columns = sheets[kept[0]]
    if len(kept) > 1:  # each row's sheet and level column, for the cells issues name
        for sheet, part, cols in (sheets[i] for i in kept):
            n = len(part["excel_row"])
            part["_sheet"] = [sheet] * n
            part["_level_col"] = [cols.get("level", -1)] * n
        parts = [sheets[i][1] for i in kept]
        every = dict.fromkeys(k for part in parts for k in part)
        points = {
            k: [v for part in parts for v in part.get(k, [""] * len(part["excel_row"]))]
            for k in every
        }
    return (points, columns), "、".join(sheets[i][0] for i in kept)


def catalogue_columns(
    grid: Sequence[Sequence[object]], hashed: bool = False, section: str | None = None
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """A sheet's rows -> (key -> column of texts for KEPT_KEYS and body, plus ``excel_row``;
    key -> 0-based column of every label found), or None when no catalogue header is there.
    The rows ``archives.catalogue_frame`` keeps (those with a section, post or description),
    as plain lists: equal texts of a column are one object, so they pickle once. ``hashed``:
    also ``_hashed``, label -> the cells ``archives.content_hash`` takes (every catalogue
    column, the same rows), to check the catalogue against its marker."""
    required = archives.REQUIRED_KEYS_COMBINE
    if section is not None:  # the sheet's name serves when the table has no 科室 column
        required = tuple(k for k in required if k != "section")
    header = archives.find_header(grid, required)
    if header is None:
        return None
    header_row, columns = header
    rows = grid[header_row + 1 :]
    width = max(columns.values()) + 1
    if any(len(r) < width for r in rows):
        rows = [r if len(r) >= width else [*r, *([""] * (width - len(r)))] for r in rows]
    out: dict[str, list[str]] = {}
    for key, c in columns.items():
        if key not in KEPT_KEYS and key not in ("body", "measures"):
            continue
        column = [r[c] for r in rows]
        if set(map(type, column)) - {str}:
            column = [v if v.__class__ is str else archives._cell(v) for v in column]
        seen = {v: v for v in column}  # equal texts -> one object
        out[key] = list(map(seen.__getitem__, column))
    archives.apply_ticks(out, rows, columns)  # 风险等级 merged over 高 | 中 | 低, √ under one
    excel_rows = [str(header_row + 2 + i) for i in range(len(rows))]
    tests = [out[k] for k in ("section", "post", "description") if k in out]
    keep: list[int] | None = None
    # a line merged across the table (注：…, 填表人 …) was carried into every column: no point
    across = (
        not hashed
        and "section" in out
        and any(
            a == b and a.strip() for a, b in zip(out["section"], out["description"], strict=True)
        )
    )
    # 合计 / 小计 rows and 填表人：… 审核人：… under the table
    footer = [] if hashed else archives.footer_rows(rows, columns)
    if across or any(footer) or any("" in set(map(str.strip, column)) for column in tests):
        keep = [
            i
            for i, cells in enumerate(zip(*tests, strict=True))
            if any(v.strip() for v in cells)
            and not (across and cells[0] == cells[-1])
            and not (footer and footer[i])
        ]
        if len(keep) < len(rows):
            out = {k: [v[i] for i in keep] for k, v in out.items()}
            excel_rows = [excel_rows[i] for i in keep]
        else:
            keep = None
    if "section" not in out:
        out["section"] = [section or ""] * len(excel_rows)
    archives.split_combined_measures(out)  # a hand-made catalogue's one 防控措施 column
    if hashed:
        kept = rows if keep is None else [rows[i] for i in keep]
        out["_hashed"] = {
            label: [r[columns[key]] for r in kept] if key in columns else []
            for key, label in vocab.CATALOGUE_COLUMNS.items()
        }
    out["excel_row"] = excel_rows
    return out, columns


DOCUMENT_WORDS = archives.DOCUMENT_WORDS
NAME_PARTS = re.compile(r"[_\s\-—·（）()]+")
# parts of a file name that name no body: a copy's (1), a date 20260415, a version v2 / 第2版
NAME_NOISE = re.compile(r"(?i)\d+|v\d+(?:\.\d+)*|第?\d+版|copy\d*")
ATTACHMENT = re.compile(r"^\s*附件\s*[\d一二三四五六七八九十]*\s*[：:、.\-_ ]?\s*")


# a version or state a file name gives (甲区教育局风险点目录（修订版）, …-正式版, （附件1）)
NAME_VERSION = re.compile(
    r"(?:最终|终|修订|修改|正式|最新|新|旧|盖章|签章|扫描|打印|送审|征求意见|初|终审)(?:版|稿)"
    r"|新|旧|最新|附件[\d一二三四五六七八九十]*|备份|已?盖章|扫描件"
)
NAME_LEAD = re.compile(r"^(?:关于)?(?:报送|上报|呈报)?")  # 关于报送甲区教育局…的报告


def body_from_name(stem: str) -> str:
    """A hand-made catalogue's body from its file name: each part of the name cut where the
    words that name the document begin (目录, 风险点, 汇总 …), the year, a copy's (1), a date
    and a version (修订版, 定稿, 附件1) taken away (``2026_甲区民政局_风险点目录`` -> 甲区民政局,
    ``甲区教育局风险点目录(修订版)`` -> 甲区教育局); '' when nothing else is left
    (``风险点目录``). Characters that show nothing (a right-to-left override) are no part of it."""
    rest = YEAR_IN_NAME.sub(" ", ATTACHMENT.sub("", vocab.visible(stem)))
    heads = []
    for part in NAME_PARTS.split(rest):
        part = NAME_LEAD.sub("", part.strip())
        cut = DOCUMENT_WORDS.search(part)
        head = (part[: cut.start()] if cut else part).strip(" _-—·")
        head = TITLE_TAIL.sub("", head) if cut else head  # 甲区教育局廉政|岗位 风险点目录
        if head and not NAME_NOISE.fullmatch(head) and not NAME_VERSION.fullmatch(head):
            heads.append(head)
    return "".join(heads)


def _match_expected(filed: list[Filed], expected: list[str]) -> None:
    """A hand-made catalogue's body named in its file name: the expected body it names, when
    exactly one expected name is part of the name."""
    for f in filed:
        if f.kind != "hand" or f.body_from_column:
            continue
        stem = vocab.fold(Path(f.file).stem)
        hits = [e for e in expected if vocab.fold(e) and vocab.fold(e) in stem]
        if len(hits) == 1 and hits[0] != f.body:
            f.points["body"] = [hits[0] if b == f.body else b for b in f.points["body"]]
            f.body = hits[0]


def _expected_as_filed(
    expected: list[str], filed: list[Filed]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The expected list with each name that matches no filed body exactly but is the end of
    one (教育局 for 甲区教育局, or the other way round) written as that body, when the pair is
    unique both ways; and those (as written, body) pairs, each told in a 提示."""
    bodies = sorted({f.body for f in filed if f.status == STATUS_CURRENT})
    folded = {vocab.fold(b): b for b in bodies}
    taken = {vocab.fold(e) for e in expected if vocab.fold(e) in folded}
    free = [b for b in bodies if vocab.fold(b) not in taken]
    candidates: dict[int, list[str]] = {}
    for i, name in enumerate(expected):
        short = vocab.fold(name)
        if short in folded or len(short) < 2:
            continue
        candidates[i] = [
            b for b in free if vocab.fold(b).endswith(short) or short.endswith(vocab.fold(b))
        ]
    claims: dict[str, int] = {}
    for hits in candidates.values():
        for b in hits:
            claims[b] = claims.get(b, 0) + 1
    out, variants = list(expected), []
    for i, hits in candidates.items():
        if len(hits) == 1 and claims[hits[0]] == 1:
            variants.append((expected[i], hits[0]))
            out[i] = hits[0]
    return out, variants


def _read_chunk(chunk: list[tuple[int, str, Path]]) -> list[tuple[int, Any]]:
    # in a worker: the objects inherited from the parent stay out of the garbage collector
    # (every collection would walk them while calamine's rows are allocated)
    gc.freeze()
    return [(i, read_archive(shown, path)) for i, shown, path in chunk]


def _crashed(task: tuple[int, str, Path], failure: workers.Failure) -> Any:
    log.warning("combine: reading %s failed (%s)", task[1], failure.kind)
    detail = vocab.COMBINE_CRASH_DETAIL.format(mb=LIMITS.worker_memory_bytes // MB)
    return None, [_issue("worker_crashed", task[1], detail=detail)]


def read_all(named: list[tuple[str, Path]]) -> list[tuple[Filed | None, list[dict]]]:
    """Read every file in the capped worker pool (``workers.run_chunks``: a file that kills or
    hangs its worker costs only itself), results in the order given."""
    tasks = [(i, shown, path) for i, (shown, path) in enumerate(named)]
    results = workers.run_chunks(
        _read_chunk,
        tasks,
        (),
        workers=LIMITS.workers,
        memory_bytes=LIMITS.worker_memory_bytes,
        timeout=LIMITS.worker_timeout_s,
        on_failure=_crashed,
    )
    return [results[i] for i in range(len(tasks))]


def _read_expected(path: Path) -> list[str]:
    """Expected bodies: one per line of a text file, or the 单位名称/单位 column of a workbook's
    first sheet or a .csv file (its header within the first rows, under a title), else each
    row's first text that is no number (a 序号 column before the names)."""
    from pipeline.errors import PipelineError

    path = Path(path)
    if path.is_dir():
        raise PipelineError(vocab.COMBINE_EXPECTED_IS_FOLDER.format(path=path))
    if not path.is_file():
        raise PipelineError(vocab.COMBINE_EXPECTED_MISSING.format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_index(0).to_python()
        except Exception as exc:
            raise PipelineError(vocab.COMBINE_EXPECTED_UNREADABLE.format(path=path)) from exc
        names = _expected_names(rows)
    else:
        raw = path.read_bytes()
        text = read.decode_text(raw)
        if text is None:
            raise PipelineError(vocab.COMBINE_EXPECTED_UNREADABLE.format(path=path))
        if suffix == ".csv":
            import csv
            import io

            names = _expected_names(list(csv.reader(io.StringIO(text))))
        else:
            names = [line.strip() for line in text.splitlines() if line.strip()]
    return list(dict.fromkeys(names))


def _expected_names(rows: Sequence[Sequence[object]]) -> list[str]:
    labels = (vocab.ROSTER_UNIT_COLUMNS["body"], vocab.COMBINE_BODY_LABEL)
    labels += (*vocab.COMBINE_BODY_SYNONYMS, *vocab.COMBINE_EXPECTED_LABELS)
    wanted = {vocab.fold(label) for label in labels}
    for r, row in enumerate(rows[: archives.HEADER_SCAN_ROWS]):
        folded = [vocab.fold(c) if isinstance(c, str) else "" for c in row]
        col = next((i for i, label in enumerate(folded) if label in wanted), None)
        if col is not None:
            cells = (row[col] for row in rows[r + 1 :] if col < len(row))
            return [str(c).strip() for c in cells if str(c).strip()]
    names = []
    for row in rows:
        texts = [c.strip() for c in row if isinstance(c, str) and c.strip()]
        texts = [t for t in texts if not _NUMBER.fullmatch(t)]
        if texts:
            names.append(texts[0])
    return names


_NUMBER = re.compile(r"\d+(\.\d*)?[.、)）]?")


# --------------------------------------------------------------------------------------
# Combining
# --------------------------------------------------------------------------------------
def _latest(filed: list[Filed]) -> int:
    """The district's year: the most common among the archives (ties: the later year)."""
    years = pd.Series([f.year for f in filed if f.year], dtype="int64")
    if years.empty:
        return datetime.now().year
    counts = years.value_counts()
    return int(max(counts[counts == counts.max()].index))


def _statuses(filed: list[Filed], year: int) -> list[dict[str, Any]]:
    """Mark archives of another year, duplicates and older versions of a body's archive."""
    issues: list[dict[str, Any]] = []
    groups: dict[str, list[Filed]] = {}
    for f in filed:
        if f.year and f.year != year:
            f.status = STATUS_OTHER_YEAR
            issues.append(
                _issue("combine_other_year", f.file, value=f.year, year=year, body=f.body)
            )
            continue
        groups.setdefault(vocab.fold(f.body), []).append(f)
    for group in groups.values():
        # latest by run time, then modification time, then name: deterministic
        ranked = sorted(group, key=lambda f: (f.run_time, f.mtime, f.file), reverse=True)
        newest = ranked[0]
        for f in ranked[1:]:
            f.newer = newest.file
            same = f.content_hash and f.content_hash == newest.content_hash
            if same and f.run_time == newest.run_time:
                f.status = STATUS_DUPLICATE
                issues.append(_issue("combine_duplicate", f.file, other=newest.file, body=f.body))
            elif (
                f.run_time == newest.run_time
                and f.run_time
                and f.content_hash
                and newest.content_hash
            ):  # both marked, one run, two catalogues: one of them edited by hand
                f.status = STATUS_STALE
                issues.append(
                    _issue("combine_same_run_differs", f.file, other=newest.file, body=f.body)
                )
            elif not f.run_time and not newest.run_time:  # two hand-made: the later saved
                f.status = STATUS_STALE
                issues.append(
                    _issue(
                        "combine_stale_saved",
                        f.file,
                        body=f.body,
                        other=newest.file,
                        run_time=_saved_time(f.mtime),
                        newer_time=_saved_time(newest.mtime),
                    )
                )
            else:
                f.status = STATUS_STALE
                issues.append(
                    _issue(
                        "combine_stale",
                        f.file,
                        body=f.body,
                        other=newest.file,
                        run_time=_shown_time(f.run_time) or vocab.COMBINE_NO_RUN_TIME,
                        newer_time=_shown_time(newest.run_time) or vocab.COMBINE_NO_RUN_TIME,
                    )
                )
    return issues


def _saved_time(mtime: float) -> str:
    return datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M") if mtime else ""


def _shown_time(iso: str) -> str:
    return iso.replace("T", " ")


def body_table(points: pd.DataFrame, filed: list[Filed], expected: list[str]) -> pd.DataFrame:
    """One row per body: filing status, archive, run time, counts by level and category."""
    current = [f for f in filed if f.status == STATUS_CURRENT]
    counts = (
        points.groupby(["body", "level"]).size().unstack(fill_value=0)
        if len(points)
        else pd.DataFrame()
    )
    cats = (
        points.groupby([points["body"], counted_categories(points)]).size().unstack(fill_value=0)
        if len(points)
        else pd.DataFrame()
    )
    sections = points.groupby("body")["section"].nunique() if len(points) else pd.Series()
    totals = points.groupby("body").size() if len(points) else pd.Series()
    # body -> {column: count} dicts, looked up once per body (a few hundred bodies)
    by_level = counts.reindex(columns=list(vocab.LEVELS), fill_value=0).to_dict("index")
    # points of forms without a 风险类别 column are counted in a 未分类 column, when there are any
    shown = [*vocab.CATEGORIES, *([vocab.UNCATEGORISED] if vocab.UNCATEGORISED in cats else [])]
    by_category = cats.reindex(columns=shown, fill_value=0).to_dict("index")
    sections_of, totals_of = sections.to_dict(), totals.to_dict()
    no_level = dict.fromkeys(vocab.LEVELS, 0)
    no_category = dict.fromkeys(shown, 0)
    rows: list[dict[str, Any]] = []
    # one row per body as folded: 「甲区 教育局」 expected is the 甲区教育局 that filed
    named: dict[str, str] = {}
    for one in [*expected, *sorted({f.body for f in current})]:
        named.setdefault(vocab.fold(one), one)
    order = list(named.values())
    filed_by = {vocab.fold(f.body): f for f in current}
    expected_folded = {vocab.fold(e) for e in expected}
    stale = {}
    for f in filed:
        if f.status == STATUS_STALE:
            stale.setdefault(vocab.fold(f.body), []).append(f.file)
    for body in order:
        f = filed_by.get(vocab.fold(body))
        if f is None:
            status = vocab.COMBINE_STATUS_MISSING
        elif expected and vocab.fold(body) not in expected_folded:
            status = vocab.COMBINE_STATUS_UNEXPECTED
        else:
            status = vocab.COMBINE_STATUS_FILED
        name = f.body if f else body
        row: dict[str, Any] = {
            "body": name,
            "status": status,
            "file": f.file if f else "",
            "kind": vocab.COMBINE_KINDS[f.kind] if f else "",
            "run_time": _shown_time(f.run_time) if f else "",
            "stale": "；".join(stale.get(vocab.fold(body), [])),
            "sections": int(sections_of.get(name, 0)) if f else 0,
        }
        row.update(
            {lv: int(n) for lv, n in (by_level.get(name, no_level) if f else no_level).items()}
        )
        row["n_points"] = int(totals_of.get(name, 0)) if f else 0
        cat_counts = by_category.get(name, no_category) if f else no_category
        row.update({cat: int(n) for cat, n in cat_counts.items()})
        rows.append(row)
    columns = ["body", "status", "file", "kind", "run_time", "stale", "sections", "n_points"]
    return pd.DataFrame(rows, columns=[*columns, *vocab.LEVELS, *shown])


def _points_frame(filed: list[Filed]) -> tuple[pd.DataFrame, pd.Series]:
    """Every archive's points in one frame (``archive``: index into ``filed``), the levels,
    likelihoods, harms and categories normalised once for all (``level_raw``: as written);
    and the mask of levels filled but not recognised."""
    keys = ["body", *KEPT_KEYS, "file", "excel_row", "_sheet", "_level_col"]
    columns: dict[str, Any] = {}
    sizes = [f.n_points for f in filed]
    for key in keys:
        array = np.empty(sum(sizes), dtype=object)
        if key == "file":
            array[:] = np.repeat(np.array([f.file for f in filed], dtype=object), sizes)
        elif key in ("_sheet", "_level_col"):  # per row only in a workbook of several
            own = [f.sheet if key == "_sheet" else f.level_col for f in filed]
            array[:] = list(
                itertools.chain.from_iterable(
                    f.points.get(key) or [v] * n for f, v, n in zip(filed, own, sizes, strict=True)
                )
            )
        else:
            array[:] = list(itertools.chain.from_iterable(f.points[key] for f in filed))
        columns[key] = array
    columns["archive"] = np.repeat(np.arange(len(filed)), sizes)
    frame = pd.DataFrame(columns, copy=False)
    frame["level_raw"] = frame["level"]
    frame["level"], bad_level = _normalise(frame, "level", vocab.ENUM_LOOKUP["self_level"])
    # a point whose level is blank is not counted by level either: said as an unreadable one
    bad_level = bad_level | frame["level_raw"].map(_blank, na_action="ignore").fillna(True)
    frame["likelihood"], _ = _normalise(frame, "likelihood", vocab.ENUM_LOOKUP["likelihood"])
    frame["harm"], _ = _normalise(frame, "harm", vocab.ENUM_LOOKUP["harm"])
    category, _ = _normalise(frame, "category", vocab.ENUM_LOOKUP["category"])
    frame["category"] = category.where(category != "", frame["category"])
    # a catalogue without 风险类别 (a hand-made one): its points are 未分类, as in our archives
    blank = frame["category"].isna() | frame["category"].astype(str).str.strip().eq("")
    frame.loc[blank.to_numpy(), "category"] = vocab.UNCATEGORISED
    return frame, bad_level


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def _blank(value: object) -> bool:
    return not str(value).strip()


def counted_categories(points: pd.DataFrame) -> pd.Series:
    """Each point's category as the counts take it: one of the four, else 未分类 (a category
    written otherwise in a hand-made catalogue is shown as written but counted there), so that
    a body's categories add up to its points."""
    category = points["category"]
    return category.where(category.isin(vocab.CATEGORIES), vocab.UNCATEGORISED)


def _bad_levels(
    frame: pd.DataFrame, bad: pd.Series, filed: list[Filed]
) -> dict[int, list[dict[str, Any]]]:
    """archive index -> its issues for levels that are not one of 一级/二级/三级."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not bad.any():
        return out
    picked = frame.loc[
        bad.to_numpy(),
        ["archive", "excel_row", "level_raw", "section", "name", "_sheet", "_level_col"],
    ]
    for rec in picked.to_dict("records"):
        f = filed[rec["archive"]]
        col = rec["_level_col"]
        cell = f"{xlsx.col_letter(col)}{rec['excel_row']}" if col is not None and col >= 0 else ""
        out.setdefault(rec["archive"], []).append(
            _issue(
                "combine_bad_level" if _filled(rec["level_raw"]) else "combine_no_level",
                f.file,
                sheet=rec["_sheet"],
                cell=cell,
                value=rec["level_raw"],
                field_key="self_level",
                section=rec["section"],
                name=rec["name"],
            )
        )
    return out


def check_arguments(paths: Sequence[Path]) -> None:
    """Refuse archives named on the command line that are not there (a typo): before, each was
    a 异常清单 row blaming its permissions and an empty district workbook was written (exit 0)."""
    from pipeline.errors import PipelineError

    missing = [str(p) for p in map(Path, paths) if not p.exists() and not p.is_symlink()]
    if missing:
        raise PipelineError(
            vocab.COMBINE_ARCHIVE_MISSING.format(paths=vocab.LIST_SEP.join(missing))
        )


def combine(
    paths: Sequence[Path], out: Path, expected: Path | None = None, run_time: str | None = None
) -> Combined:
    """Read every archive named (folders walked), and write the district workbook into ``out``."""
    check_arguments(paths)
    expected_names = _read_expected(expected) if expected is not None else []
    with tempfile.TemporaryDirectory(prefix="lianzheng-combine-") as scratch:
        entries = _unpacked(expand(paths, skip=out), Path(scratch))
        results = iter(read_all([e for e in entries if isinstance(e, tuple)]))
        read_back = [next(results) if isinstance(e, tuple) else (None, e) for e in entries]
    filed = [one for one, _ in read_back if one is not None]
    _match_expected(filed, expected_names)
    filed, origin = _one_per_body(filed)
    everything, bad = _points_frame(filed)
    bad_levels = _bad_levels(everything, bad, filed)
    issues: list[dict[str, Any]] = []
    i = 0
    for one, found in read_back:  # each file's issues together, in the order given
        if one is not None:
            for j in (j for j, o in enumerate(origin) if o == i):
                issues.extend(bad_levels.get(j, []))
            i += 1
        issues.extend(found)
    for f in filed:
        if f.kind == "hand":
            code = (
                "combine_hand_made_column"
                if f.body_from_column
                else "combine_hand_made_title"
                if f.body_from_title
                else "combine_hand_made"
            )
            issues.append(_issue(code, f.file, sheet=f.sheet, n=f.n_points, body=f.body))
    year = _latest(filed)
    issues.extend(_statuses(filed, year))
    expected_names, variants = _expected_as_filed(expected_names, filed)
    list_name = Path(expected).name if expected is not None else ""
    for written, body in variants:
        issues.append(_issue("combine_expected_variant", list_name, value=written, body=body))
    current = np.array([f.status == STATUS_CURRENT for f in filed], dtype=bool)
    of_current = current[everything["archive"].to_numpy()] if len(filed) else np.zeros(0, bool)
    points = everything[of_current].drop(columns=["archive", "level_raw", "_sheet", "_level_col"])
    points = points.reset_index(drop=True)
    bodies = body_table(points, filed, expected_names)
    result = Combined(
        filed=filed,
        issues=frames.issues_frame(issues),
        points=points,
        bodies=bodies,
        year=year,
        expected=expected_names,
    )
    from pipeline import write_district

    result.path = write_district.write_district(
        result, Path(out), run_time or datetime.now().isoformat(timespec="seconds")
    )
    return result
