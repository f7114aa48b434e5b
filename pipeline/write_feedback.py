"""Per-section feedback: a workbook of the section's own rows, grades and problems, and an
annotated copy of each of its files that has a problem (bad cells filled and commented).

A section's folder holds only that section's data. Files and problems that cannot be placed in
a roster section go to one extra folder for the office. Originals are only ever read: annotated
copies are opened from ``result.inbox`` and saved (atomically) under ``out``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils.cell import (
    column_index_from_string,
)

from pipeline import containers, frames, rounds, sheetxml, styles, vocab, xlsx
from pipeline import workers as pipeline_workers
from pipeline.annotate import (
    DEFAULT_MAX_FILE_BYTES,
    FILL_NOTE,
    FILL_REJECT,
    AnnotateTask,
    Annotation,
    annotate_copy,
    copy_name,
    safe_name,
)

log = logging.getLogger("pipeline.write_feedback")

# --------------------------------------------------------------------------------------
# Chinese texts vocab.py does not have yet (to move there: see the report of this module)
# --------------------------------------------------------------------------------------
FEEDBACK_SHEET_COVER = vocab.ARCHIVE_SHEET_COVER  # 说明
FEEDBACK_SHEET_ISSUES = vocab.ARCHIVE_SHEET_ISSUES  # 异常清单
FEEDBACK_SHEET_SUBMISSIONS = vocab.ARCHIVE_SHEET_SUBMISSIONS  # 提交情况
FOOTER = vocab.PAGE_FOOTER
LINE_HEIGHT = styles.line_height()  # points per line of 10pt 宋体 (LibreOffice's pitch)
SUBMISSION_LABELS = vocab.SUBMISSION_COLUMNS
COVER_FILE_PROBLEM_LINE = "【{action}】{file}：{problem}{fix_label}：{fix}"

# --------------------------------------------------------------------------------------
# Colours and limits (not user text)
# --------------------------------------------------------------------------------------
# one palette for both writers (pipeline/styles.py)
LEVEL_FILLS = {level: fill.lstrip("#") for level, fill in styles.LEVEL_FILLS.items()}
HEADER_FILL = styles.HEADER_FILL
ACTION_FILLS = {vocab.ACTION_REJECT: FILL_REJECT, vocab.ACTION_NOTE: FILL_NOTE}
ACTION_RANK = {vocab.ACTION_REJECT: 0, vocab.ACTION_NOTE: 1}
# A file gets an annotated copy when one of its issues has one of these actions; the copy then
# carries all its issues. Not 提示: most forms carry a 提示 (a self-assessed level differing
# from the computed one), and a copy costs ~20-30 ms of openpyxl per file.
COPY_ACTIONS = frozenset({vocab.ACTION_REJECT})

# A file rejected for one of these reasons was never parsed (or is hostile): no copy.
UNOPENABLE_REASONS = frozenset(
    {
        "lock_file",
        "not_excel",
        "empty_file",
        "corrupt",
        "encrypted",
        "too_large",
        "zip_bomb",
        "xml_entities",
        "too_many_cells",
        "read_failed",
        "worker_crashed",
        "reader_crashed",
        "symlink",
        "unsupported_content",
        "too_many_rows",
    }
)
# A file rejected for one of these reasons cannot be trusted to belong to the section it names.
UNROUTABLE_REASONS = frozenset({"not_in_roster", "section_not_in_roster"})
PARALLEL_MIN_JOBS = 24  # workbooks + copies; below this a process pool costs more than it saves
DEFAULT_MAX_UNCOMPRESSED = 100 * 1024 * 1024
_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------
def write_feedback(result: frames.RunResult, out: Path) -> list[Path]:
    """Write ``out/科室反馈/<科室>/`` for every section (and one folder for what has no section).

    Previous contents of ``out/科室反馈`` are removed first, so fixed files leave no stale copies.
    Returns the paths written, sorted.
    """
    return start_feedback(result, out).finish()


def start_feedback(result: frames.RunResult, out: Path) -> FeedbackJobs:
    """Plan every section workbook and annotated copy and start writing them: in worker
    processes when there are many (the caller writes the archive meanwhile), else on
    ``finish()``."""
    root = out / vocab.FEEDBACK_DIR
    _clear(root)
    root.mkdir(parents=True, exist_ok=True)

    sections = _known_sections(result)
    file_routes = _route_files(result.files, sections)
    owners = _sheet_owners(result, file_routes, sections)
    # sorted once here: splitting keeps the order within each section
    issues = _sorted_issues(_route_issues(result.issues, file_routes, sections, owners))
    points = _frame(result.points)
    submissions = _with_pledges(_frame(result.submissions), _frame(result.pledges))
    files = _frame(result.files)
    files = files.assign(_route=files["file"].map(file_routes)) if len(files) else files

    folders = _folder_names(sections)
    issues_by = _split(issues, "_route")
    files_by = _split(files, "_route")
    points_by = _split(points, "section")
    subs_by = _split(submissions, "section")
    cells = _row_cells(result.rows, issues)
    changes = rounds.section_sheet_args(result, sections)
    candidates = _copy_candidates(files, issues)
    books: list[SectionTask] = []
    copies: list[AnnotateTask] = []
    for section in [*sections, None]:
        sec_issues = issues_by.get(section, issues.iloc[0:0])
        if section is None and sec_issues.empty:
            continue
        folder = root / folders[section]
        folder.mkdir(parents=True, exist_ok=True)
        sec_files = files_by.get(section, files.iloc[0:0])
        sec_copies = _annotate_tasks(result, candidates, sec_issues, folder, cells, section, owners)
        copies.extend(sec_copies)
        # what has no section has no points or people: those always carry a roster section
        empty_points, empty_subs = points.iloc[0:0], submissions.iloc[0:0]
        books.append(
            SectionTask(
                path=str(folder / vocab.FEEDBACK_FILE_TEMPLATE.format(section=folders[section])),
                body=xlsx.cell_text(result.body_name) or "",
                year=result.year,
                run_time=str(result.run_time),
                section=section,
                points=points_by.get(section, empty_points) if section else empty_points,
                issues=sec_issues,
                submissions=subs_by.get(section, empty_subs) if section else empty_subs,
                files=sec_files,
                n_copies=len(sec_copies),
                changes=changes[section],
            )
        )
    return FeedbackJobs(books, copies, result)


# --------------------------------------------------------------------------------------
# Which section owns what
# --------------------------------------------------------------------------------------
def _frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    return frame if frame is not None else pd.DataFrame()


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype="object")
    series = frame[column]
    if isinstance(series.dtype, pd.StringDtype):  # already text: only the gaps to fill
        values = series.to_numpy(dtype=object, na_value="")
        return pd.Series(values, index=frame.index, dtype="object")
    # one vectorised isna, then plain str(): four pandas passes cost more on small frames
    missing = series.isna().to_numpy().tolist()
    values = ["" if gone else str(v) for v, gone in zip(series.tolist(), missing, strict=True)]
    return pd.Series(values, index=frame.index, dtype="object")


def _known_sections(result: frames.RunResult) -> list[str]:
    """Roster sections (科室 sheet and people's sections) plus any section holding points."""
    names: set[str] = set()
    roster = result.roster
    if roster is not None:
        for frame in (roster.sections, roster.people):
            if frame is not None and "section" in frame:
                names.update(_text_column(frame, "section"))
    points = _frame(result.points)
    if "section" in points:
        names.update(_text_column(points, "section"))
    names.discard("")
    return sorted(names)


def _route_files(files: pd.DataFrame | None, sections: list[str]) -> dict[str, str | None]:
    """file -> its section, or None when it belongs to no (trustworthy) roster section."""
    files = _frame(files)
    if files.empty:
        return {}
    known = set(sections)
    section = _text_column(files, "section")
    reason = _text_column(files, "reason")
    ok = section.isin(known) & ~reason.isin(UNROUTABLE_REASONS)
    routes = section.where(ok, None)
    return dict(zip(_text_column(files, "file"), routes, strict=True))


def _sheet_owners(
    result: frames.RunResult, file_routes: dict[str, str | None], sections: list[str]
) -> dict[str, dict[str, str | None]]:
    """file -> {sheet: section} for the sheets of a routable file that hold a form: the
    section of the rows read from it, the file's own section for the sheet its form was read
    from, None for a form whose section is not known (another form left unread, rows of two
    sections on one sheet, a section not in the roster). A file's data goes only to the
    folders of the sections its sheets hold."""
    known = set(sections)
    owners: dict[str, dict[str, str | None]] = {}
    rows = _frame(result.rows)
    if len(rows) and {"file", "sheet", "section"} <= set(rows.columns):
        seen = pd.DataFrame({c: _text_column(rows, c) for c in ("file", "sheet", "section")})
        for file, sheet, section in seen.drop_duplicates().itertuples(index=False):
            if file_routes.get(file) is None or not section:
                continue
            sheets = owners.setdefault(file, {})
            owner = section if section in known else None
            sheets[sheet] = owner if sheets.get(sheet, owner) == owner else None
    files = _frame(result.files)
    if len(files) and "sheet" in files:
        for file, sheet in zip(
            _text_column(files, "file"), _text_column(files, "sheet"), strict=True
        ):
            if file_routes.get(file) is not None and sheet:
                owners.setdefault(file, {}).setdefault(sheet, file_routes[file])
    issues = _frame(result.issues)
    if len(issues) and {"code", "file", "sheet"} <= set(issues.columns):
        other = issues[_text_column(issues, "code") == "second_form"]
        for file, sheet in zip(
            _text_column(other, "file"), _text_column(other, "sheet"), strict=True
        ):
            if file_routes.get(file) is not None and sheet:
                owners.setdefault(file, {}).setdefault(sheet, None)
    return owners


def _route_issues(
    issues: pd.DataFrame | None,
    file_routes: dict[str, str | None],
    sections: list[str],
    owners: dict[str, dict[str, str | None]] | None = None,
) -> pd.DataFrame:
    """Issues with a ``_route`` column: the section of the issue's sheet when that sheet of
    the file holds another roster section's form, else the file's section when the issue
    names a known file, else the issue's own section when it is a roster section, else None."""
    issues = _frame(issues)
    if issues.empty:
        issues = frames.empty_issues()
    issues = issues.copy()
    for col in frames.ISSUE_COLUMNS:
        if col != "row_id":
            issues[col] = _text_column(issues, col)
    own = issues["section"].where(issues["section"].isin(set(sections)), None)
    known = issues["file"].isin(set(file_routes))
    by_file = issues["file"].map(file_routes).where(known, None)
    route = by_file.where(known, own).astype("object")
    route = route.where(route.notna(), None)
    owners = owners or {}
    if owners:
        # the owner of the issue's sheet, when the file's sheets have owners and one is named
        sheet_owner = {
            (file, sheet): owner
            for file, sheets in owners.items()
            for sheet, owner in sheets.items()
            if owner
        }
        pairs = zip(issues["file"].tolist(), issues["sheet"].tolist(), strict=True)
        owner = pd.Series(map(sheet_owner.get, pairs), index=issues.index, dtype="object")
        named = owner.notna() & route.notna()
        route = owner.where(named, route).astype("object")
        route = route.where(route.notna(), None)
    issues["_route"] = route
    return issues


def _split(frame: pd.DataFrame, column: str) -> dict[str | None, pd.DataFrame]:
    """Rows of ``frame`` by the value of ``column`` (missing values under None), in one pass."""
    if frame.empty or column not in frame:
        return {}
    missing = frame[column].isna()
    parts: dict[str | None, pd.DataFrame] = {}
    if missing.any():
        parts[None] = frame[missing]
    present = frame[~missing]
    for key, grp in present.groupby(present[column].astype(str), sort=False):
        parts[str(key)] = grp
    return parts


def _folder_names(sections: list[str]) -> dict[str | None, str]:
    """Section -> folder name: safe (no path separators, no '..'), short and unique."""
    used: set[str] = set()
    names: dict[str | None, str] = {}
    for section in [None, *sections]:
        base = vocab.FEEDBACK_UNKNOWN_SECTION_DIR if section is None else safe_name(section)
        name, n = base, 2
        while name.casefold() in used:
            name = f"{base}({n})"
            n += 1
        used.add(name.casefold())
        names[section] = name
    return names


def _clear(root: Path) -> None:
    """Remove a previous run's feedback folder (only that folder, never what a link points to)."""
    if root.is_symlink() or root.is_file():
        root.unlink()
    elif root.exists():
        shutil.rmtree(root)


def _with_pledges(submissions: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
    """Submissions with the person's pledge status as a ``pledge`` column."""
    if submissions.empty:
        return submissions
    subs = submissions.copy()
    if pledges.empty or not {"section", "name", "status"} <= set(pledges.columns):
        subs["pledge"] = ""
        return subs
    key = _text_column(pledges, "section") + "\0" + _text_column(pledges, "name")
    status = dict(zip(key, _text_column(pledges, "status"), strict=True))
    individual = _text_column(subs, "form") != vocab.FORM_KIND_LABEL[vocab.UNIT]
    sub_key = _text_column(subs, "section") + "\0" + _text_column(subs, "name")
    subs["pledge"] = sub_key.map(status).where(individual, "").fillna("")
    return subs


# --------------------------------------------------------------------------------------
# The feedback workbook
# --------------------------------------------------------------------------------------
class _Formats:
    """The xlsxwriter formats of one workbook, created once."""

    def __init__(self, wb: Any) -> None:
        base = {
            "font_name": styles.FONT_NAME,
            "font_size": styles.FONT_SIZE,
            "valign": "top",
            "text_wrap": True,
        }
        cell = {**base, "border": 1}
        self.text = wb.add_format(cell)
        self.header = wb.add_format(
            {**cell, "bold": True, "bg_color": HEADER_FILL, "align": "center", "valign": "vcenter"}
        )
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": styles.TITLE_SIZE, "valign": "vcenter"}
        )
        self.label = wb.add_format({**cell, "bold": True, "bg_color": HEADER_FILL})
        self.fills = {
            colour: wb.add_format({**cell, "bg_color": colour})
            for colour in sorted({*LEVEL_FILLS.values(), *ACTION_FILLS.values()})
        }
        centred = {**cell, "align": "center"}
        self.fills_centred = {
            colour: wb.add_format({**centred, "bg_color": colour}) for colour in self.fills
        }
        # Data rows are written as XML by ``_table``: fix the formats' style numbers now.
        self.styles = {key: sheetxml.xf(f) for key, f in self.fills.items()}
        self.styles_centred = {key: sheetxml.xf(f) for key, f in self.fills_centred.items()}
        self.plain = sheetxml.xf(self.text)
        self.plain_centred = sheetxml.xf(wb.add_format(centred))

    def style(self, colour: object) -> int:
        """Style number of a data cell with this fill colour (plain when none)."""
        return self.styles.get(colour, self.plain) if isinstance(colour, str) else self.plain

    def style_centred(self, colour: object) -> int:
        """The same, centred (levels, short enumerated values, dates)."""
        if isinstance(colour, str):
            return self.styles_centred.get(colour, self.plain_centred)
        return self.plain_centred


@dataclass(frozen=True)
class SectionTask:
    """Everything a worker needs to write one section's feedback workbook (picklable)."""

    path: str
    body: str
    year: int
    run_time: str
    section: str | None
    points: pd.DataFrame
    issues: pd.DataFrame
    submissions: pd.DataFrame
    files: pd.DataFrame
    n_copies: int
    changes: tuple[Any, ...] | None = None  # rounds.write_changes_sheet's arguments


def write_section(task: SectionTask) -> str:
    """Write one ``<科室>_反馈.xlsx``; returns its path."""
    section = task.section
    with xlsx.atomic_path(Path(task.path)) as tmp:
        base = io.BytesIO()  # a section's workbook is small: built in memory, then spliced
        wb = xlsx.new_workbook(base)
        fmt = _Formats(wb)
        tables: list[sheetxml.Rows | None] = []
        _cover_sheet(wb, fmt, task)
        header = _page_header(task)
        if section is not None:
            points = _points_table(task.points)
            tables.append(
                _table(wb, fmt, vocab.FEEDBACK_SHEET_POINTS, *points, POINT_CAPS, header, True)
            )
        issues = _issues_table(task.issues)
        tables.append(_table(wb, fmt, FEEDBACK_SHEET_ISSUES, *issues, ISSUE_CAPS, header))
        if section is not None:
            subs = _submissions_table(task.submissions)
            tables.append(
                _table(wb, fmt, FEEDBACK_SHEET_SUBMISSIONS, *subs, SUBMISSION_CAPS, header)
            )
        if task.changes is not None:
            rounds.write_changes_sheet(wb, *task.changes)
        wb.close()
        base.seek(0)
        sheetxml.splice(base, tmp, [t for t in tables if t is not None])
    return task.path


def _page_header(task: SectionTask) -> str:
    """The page header's left part: body and section, so a loose page says whose it is."""
    return " ".join(t for t in (task.body, task.section or "") if t)


def _setup_page(
    ws: Any,
    n_rows: int,
    n_cols: int,
    widths: list[float],
    heights: list[float],
    header: str,
    split: bool,
    keys: list[str],
) -> None:
    if n_cols:
        ws.repeat_rows(0)
        ws.freeze_panes(1, len(styles.POINT_REPEAT_KEYS) if split else 0)
        ws.autofilter(0, 0, max(n_rows, 1), n_cols - 1)
    if split:
        styles.point_table_page(ws, widths, keys, header)
        return
    scale = styles.print_scale(widths, heights, heights[0] if heights else 0.0)
    styles.page_setup(ws, scale=scale, header_left=header, repeat_rows=(0, 0))


def _sample_text(value: object) -> object:
    """A value shortened for width fitting (widths are capped anyway): keeps big sheets fast."""
    if isinstance(value, str) and len(value) > 60:
        return "\n".join(line[:60] for line in value.split("\n"))
    return value


NUMERIC_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "boolean"})


def _cell_values(column: pd.Series) -> list[object]:
    """A column as cell values: numbers stay numbers, everything else safe text."""
    if pd.api.types.infer_dtype(column, skipna=True) in NUMERIC_KINDS:
        return sheetxml.numbers(column)
    return sheetxml.texts(column)


def _table(
    wb: Any,
    fmt: _Formats,
    name: str,
    headers: list[str],
    data: pd.DataFrame,
    fills: pd.DataFrame,
    caps: dict[str, int],
    page_header: str,
    split: bool = False,
) -> sheetxml.Rows | None:
    """One data sheet: header row and layout by xlsxwriter; the data rows are returned to be
    spliced in as XML after ``close()`` (see ``sheetxml``). ``caps`` bounds each column's
    width (by key) so the sheet prints legibly; ``split`` prints the risk-point table in two
    halves side by side (see ``styles.point_table_page``)."""
    ws = wb.add_worksheet(name)
    keys = [str(k) for k in data.columns]
    values = [_cell_values(data.iloc[:, c]) for c in range(len(headers))]
    widths = []
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, fmt.header)
        sample = [_sample_text(v) for v in values[c][:100]]
        cap = caps.get(keys[c], 24)
        # a header wraps onto two lines at most: it counts up to half its width
        width = xlsx.fit_width(sample, "", minimum=4, maximum=cap)
        widths.append(max(width, min(cap, -(-xlsx.display_width(header) // 2) + 2)))
    if split:
        widths = styles.balance_halves(widths, keys)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    header_lines = max(int(sheetxml.line_counts([h], w)[0]) for h, w in zip(headers, widths))
    header_height = styles.lines_height(header_lines)
    ws.set_row(0, header_height)
    heights = (
        sheetxml.row_heights(values, widths, [True] * len(headers), LINE_HEIGHT).tolist()
        if len(data)
        else []
    )
    _setup_page(
        ws, len(data), len(headers), widths, [header_height, *heights], page_header, split, keys
    )
    if not len(data):
        return None
    return sheetxml.Rows(
        sheet_number=ws.index + 1,
        header_row=0,
        values=values,
        styles=[
            fills.iloc[:, c].map(fmt.style_centred if keys[c] in CENTRED else fmt.style).tolist()
            for c in range(len(headers))
        ],
        heights=heights,
    )


COVER_WIDTHS = (18, 100)
CENTRED = frozenset(
    {k for k, (kind, _w) in styles.POINT_COLUMNS.items() if kind in ("center", "level")}
    | {"action", "cell", "form", "status", "date", "deadline", "pledge"}
)
POINT_CAPS = {key: width for key, (_kind, width) in styles.POINT_COLUMNS.items()}
ISSUE_CAPS = {
    "action": 6,
    "file": 18,
    "sheet": 10,
    "cell": 7,
    "field": 10,
    "value": 18,
    "problem": 30,
    "fix": 26,
    "section": 8,
    "name": 7,
}
SUBMISSION_CAPS = {
    "section": 12,
    "name": 10,
    "post": 14,
    "form": 8,
    "status": 10,
    "date": 12,
    "deadline": 12,
    "pledge": 12,
    "file": 24,
    "note": 28,
}


def _points_table(points: pd.DataFrame) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    columns = styles.point_headers()
    keys = list(columns)
    headers = list(columns.values())
    frame = points.copy()
    if "names" in frame:  # merged points list every name of the post
        frame["name"] = frame["names"]
    for key in keys:
        if key not in frame:
            frame[key] = None
    frame["_rank"] = frame["level"].map(vocab.LEVEL_RANK).fillna(9)
    order = ["_rank", "post", "name", "source_file", "source_row", "description"]
    for col in order[1:]:
        frame["_" + col] = _text_column(frame, col)
    frame = frame.sort_values(["_rank", *("_" + c for c in order[1:])], kind="stable")
    frame[styles.SEQ_KEY] = styles.sequence(len(frame))
    # only the level cell is coloured: whole coloured rows print as stripes
    colours = frame["level"].map(LEVEL_FILLS).astype("object")
    fills = pd.DataFrame({k: pd.Series(None, index=frame.index, dtype="object") for k in keys})
    fills["level"] = colours
    return headers, frame[keys], fills


def _sorted_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """退回 first, then by file, sheet and cell in reading order; fully deterministic."""
    if issues.empty:
        return issues
    frame = issues.copy()
    # each distinct cell reference parsed once
    codes, cells = pd.factorize(frame["cell"], use_na_sentinel=False)
    parts = pd.Series(cells, dtype="object").str.upper().str.extract(_CELL_RE.pattern)
    letters = parts[0].fillna("").astype(str)
    rows = pd.to_numeric(parts[1], errors="coerce").fillna(0).to_numpy()
    cols = np.array([column_index_from_string(s) if s else 0 for s in letters], dtype=np.int64)
    frame["_action"] = frame["action"].map(ACTION_RANK).fillna(2)
    frame["_row"] = rows[codes] if len(cells) else 0.0
    frame["_col"] = cols[codes] if len(cells) else 0
    text = [c for c in frames.ISSUE_COLUMNS if c not in ("action", "row_id")]
    order = ["_action", "file", "sheet", "_row", "_col", *text]
    return frame.iloc[_lexsort(frame, order, 6)]


def _lexsort(frame: pd.DataFrame, keys: list[str], primary: int) -> np.ndarray:
    """Positions of ``frame`` sorted by ``keys`` (stable), as ``sort_values(keys,
    kind="stable")`` gives them: one lexsort by the first ``primary`` keys, then the rows
    tied on those (usually few) sorted by the rest, so long texts are compared only there."""
    n = len(frame)
    codes = []
    for key in keys[:primary]:
        values = frame[key].to_numpy()
        codes.append(pd.factorize(values, sort=True)[0] if values.dtype == object else values)
    order = np.lexsort(codes[::-1]) if codes else np.arange(n)
    if n < 2 or primary >= len(keys):
        return order
    same = np.ones(n - 1, dtype=bool)
    for code in codes:
        ranked = code[order]
        same &= ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    tied = np.zeros(n, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    rows = order[at]
    group = np.concatenate(([0], np.cumsum(~same)))[at]
    rest = [k for k in keys[primary:] if k not in keys[:primary]]
    sub = pd.DataFrame({"_g": group, **{k: frame[k].to_numpy()[rows] for k in rest}})
    order[at] = rows[sub.sort_values(["_g", *rest], kind="stable").index.to_numpy()]
    return order


def _issues_table(issues: pd.DataFrame) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    keys = list(vocab.ISSUE_COLUMNS)
    data = pd.DataFrame({k: _text_column(issues, k) for k in keys}, index=issues.index)
    fills = pd.DataFrame({k: pd.Series(None, index=issues.index, dtype="object") for k in keys})
    fills["action"] = data["action"].map(ACTION_FILLS).astype("object")
    return list(vocab.ISSUE_COLUMNS.values()), data.where(data != "", None), fills


def _submissions_table(subs: pd.DataFrame) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    keys = list(SUBMISSION_LABELS)
    headers = list(SUBMISSION_LABELS.values())
    frame = pd.DataFrame({k: _text_column(subs, k) for k in keys}, index=subs.index)
    frame["form"] = frame["form"].map(lambda v: vocab.FORM_KIND_LABEL.get(v, v))
    status_rank = {vocab.STATUS_MISSING: 0, vocab.STATUS_SENT_BACK: 0, vocab.STATUS_LATE: 1}
    pledge_bad = frame["pledge"].isin({vocab.PLEDGE_STATUS_MISSING, vocab.PLEDGE_STATUS_EMPTY})
    frame["_rank"] = frame["status"].map(status_rank).fillna(2 - pledge_bad.astype(int) * 0.5)
    frame = frame.sort_values(["_rank", "form", "name", "file", "date"], kind="stable")
    fills = pd.DataFrame({k: pd.Series(None, index=frame.index, dtype="object") for k in keys})
    fills["status"] = (
        frame["status"]
        .map(
            {
                vocab.STATUS_MISSING: FILL_REJECT,
                vocab.STATUS_SENT_BACK: FILL_REJECT,
                vocab.STATUS_LATE: FILL_NOTE,
            }
        )
        .astype("object")
    )
    fills.loc[pledge_bad.loc[frame.index], "pledge"] = FILL_NOTE
    data = frame[keys]
    return headers, data.where(data != "", None), fills


def _cover_sheet(wb: Any, fmt: _Formats, task: SectionTask) -> None:
    section, issues, files = task.section, task.issues, task.files
    points, subs, n_copies = task.points, task.submissions, task.n_copies
    ws = wb.add_worksheet(FEEDBACK_SHEET_COVER)
    for c, width in enumerate(COVER_WIDTHS):
        ws.set_column(c, c, width)
    styles.page_setup(ws, scale=styles.print_scale(COVER_WIDTHS), header_left=_page_header(task))
    body, year = task.body, task.year
    if section is None:
        title = vocab.FEEDBACK_COVER_TITLE_UNKNOWN.format(body=body, year=year)
    else:
        title = vocab.FEEDBACK_COVER_TITLE.format(body=body, year=year, section=section)
    ws.merge_range(0, 0, 0, 1, "", fmt.title)
    ws.write_string(0, 0, xlsx.cell_text(title) or "", fmt.title)
    ws.set_row(0, 28)

    lines: list[tuple[str, str]] = []
    if section is not None:
        lines.append((vocab.FEEDBACK_COVER_LABEL_SECTION, section))
    lines.append((vocab.FEEDBACK_COVER_LABEL_RUN_TIME, task.run_time))
    file_level = issues
    if len(issues):
        file_level = issues[
            (issues["cell"] == "") & (issues["file"] != "") & issues["row_id"].isna()
        ]
    problems = [
        COVER_FILE_PROBLEM_LINE.format(
            action=r.action,
            file=r.file,
            problem=r.problem,
            fix_label=vocab.ISSUE_COLUMNS["fix"],
            fix=r.fix,
        )
        for r in file_level.itertuples()
    ]
    lines.append(
        (vocab.FEEDBACK_COVER_LABEL_FILE_PROBLEMS, "\n".join(problems) or vocab.FEEDBACK_COVER_NONE)
    )
    status = _text_column(files, "status").value_counts() if len(files) else pd.Series()
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_FILES,
            vocab.FEEDBACK_COVER_FILES_TEXT.format(
                total=len(files),
                read=int(status.get(frames.FILE_STATUS_READ, 0)),
                rejected=int(status.get(frames.FILE_STATUS_REJECTED, 0)),
                superseded=int(status.get(frames.FILE_STATUS_SUPERSEDED, 0)),
            ),
        )
    )
    if section is not None:
        levels = _text_column(points, "level").value_counts() if len(points) else pd.Series()
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_POINTS,
                vocab.FEEDBACK_COVER_POINTS_TEXT.format(
                    total=len(points), **{lv: int(levels.get(lv, 0)) for lv in vocab.LEVELS}
                ),
            )
        )
    actions = issues["action"].value_counts() if len(issues) else pd.Series()
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_ISSUES,
            vocab.FEEDBACK_COVER_ISSUES_TEXT.format(
                reject=int(actions.get(vocab.ACTION_REJECT, 0)),
                note=int(actions.get(vocab.ACTION_NOTE, 0)),
            ),
        )
    )
    if section is not None:
        people = subs[_text_column(subs, "form") != vocab.FORM_KIND_LABEL[vocab.UNIT]]
        status_people = _text_column(people, "status")
        pledge = _text_column(people, "pledge")
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_PEOPLE,
                vocab.FEEDBACK_COVER_PEOPLE_TEXT.format(
                    total=len(people),
                    missing=int((status_people == vocab.STATUS_MISSING).sum()),
                    sent_back=int((status_people == vocab.STATUS_SENT_BACK).sum()),
                    late=int((status_people == vocab.STATUS_LATE).sum()),
                    pledge=int(
                        pledge.isin({vocab.PLEDGE_STATUS_MISSING, vocab.PLEDGE_STATUS_EMPTY}).sum()
                    ),
                ),
            )
        )
        unit = _text_column(
            subs[_text_column(subs, "form") == vocab.FORM_KIND_LABEL[vocab.UNIT]], "status"
        )
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_UNIT,
                unit.iloc[0] if len(unit) else vocab.FEEDBACK_COVER_UNIT_NOT_OWED,
            )
        )
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_COPIES,
            vocab.FEEDBACK_COVER_COPIES_TEXT.format(n=n_copies, suffix=vocab.ANNOTATED_SUFFIX),
        )
    )
    if section is None:
        lines.append((vocab.FEEDBACK_COVER_LABEL_NEXT, vocab.FEEDBACK_COVER_NEXT_TEXT_UNKNOWN))
        lines.append((vocab.FEEDBACK_COVER_LABEL_SHEETS, vocab.FEEDBACK_COVER_SHEETS_TEXT_UNKNOWN))
    else:
        lines.append((vocab.FEEDBACK_COVER_LABEL_NEXT, vocab.FEEDBACK_COVER_NEXT_TEXT))
        lines.append((vocab.FEEDBACK_COVER_LABEL_SHEETS, vocab.FEEDBACK_COVER_SHEETS_TEXT))
    for r, (label, text) in enumerate(lines, start=2):
        ws.write_string(r, 0, label, fmt.label)
        ws.write_string(r, 1, xlsx.cell_text(text) or "", fmt.text)
        n_lines = styles.text_lines(text, COVER_WIDTHS[1])
        if n_lines > 1:
            ws.set_row(r, styles.lines_height(n_lines))


# --------------------------------------------------------------------------------------
# Annotated copies of the section's files
# --------------------------------------------------------------------------------------
COPY_RECORD_COLUMNS = ("file", "reason", "kind", "ext", "sheet", "sha256", "source_path", "_route")


def _copy_candidates(files: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """The records (only the columns a copy needs) of the files with an issue asking for an
    annotated copy (COPY_ACTIONS): the only files ``_annotate_tasks`` may copy."""
    if files.empty or issues.empty:
        return files.iloc[0:0]
    wanted = set(issues.loc[issues["action"].isin(COPY_ACTIONS), "file"].tolist())
    columns = [c for c in COPY_RECORD_COLUMNS if c in files.columns]
    return files.loc[files["file"].isin(wanted), columns]


def _annotate_tasks(
    result: frames.RunResult,
    files: pd.DataFrame,
    issues: pd.DataFrame,
    folder: Path,
    cells: dict[int, str],
    section: str | None = None,
    owners: dict[str, dict[str, str | None]] | None = None,
) -> list[AnnotateTask]:
    """One task per openable file with an issue routed to this folder whose action is in
    COPY_ACTIONS (``issues`` sorted by ``_sorted_issues``: a cell's notes keep that order).

    The copy holds only this section's sheets of the file: in the file's own section's folder
    every sheet but those holding another's form, in another section's folder only the sheets
    holding that section's form."""
    if result.inbox is None or files.empty or issues.empty:
        return []
    inbox = Path(result.inbox)
    limits = result.settings.limits if result.settings is not None else None
    max_bytes = limits.max_uncompressed_bytes if limits else DEFAULT_MAX_UNCOMPRESSED
    max_file = limits.max_file_bytes if limits else DEFAULT_MAX_FILE_BYTES
    owners = owners or {}
    # only files with an issue asking for a copy get one: their issues alone are collected
    wanted = issues.loc[issues["action"].isin(COPY_ACTIONS), "file"]
    issues = issues[issues["file"].isin(set(wanted.tolist()) - {""})]
    if issues.empty:
        return []
    notes_by_file: dict[str, list[Annotation]] = {}
    columns = [issues[c].tolist() for c in ("file", "sheet", "cell", "action", "problem", "fix")]
    for file, sheet, cell, action, problem, fix, row_id in zip(
        *columns, issues["row_id"].tolist(), strict=True
    ):
        if not file:
            continue
        if not cell and not xlsx.is_missing(row_id):
            cell = cells.get(int(row_id), "")
        notes_by_file.setdefault(file, []).append(Annotation(sheet, cell, action, problem, fix))
    records = files[files["file"].isin(set(notes_by_file))].sort_values("file", kind="stable")
    records = records.drop_duplicates("file")
    used: set[str] = set()
    tasks = []
    for rec in records.itertuples():
        notes = notes_by_file[rec.file]
        if not any(n.action in COPY_ACTIONS for n in notes):
            continue
        reason = "" if xlsx.is_missing(rec.reason) else str(rec.reason)
        if reason in UNOPENABLE_REASONS:
            continue
        kind = getattr(rec, "kind", None)
        if xlsx.is_missing(kind) and not any(n.cell for n in notes):
            # not a form and nothing to point at: a copy would repeat the 异常清单 line on an
            # unmarked stranger's workbook (the corpus has hundreds), so none is made
            continue
        source = containers.source_of(inbox, rec)
        ext = str(rec.ext).lower() if not xlsx.is_missing(rec.ext) else source.suffix.lower()
        sheet = "" if xlsx.is_missing(rec.sheet) else str(rec.sheet)
        if not sheet and not xlsx.is_missing(getattr(rec, "kind", None)):
            sheet = vocab.MAIN_SHEET.get(str(rec.kind), "")
        sheets = owners.get(rec.file, {})
        own = getattr(rec, "_route", None)
        if section is None or xlsx.is_missing(own) or own == section:
            drop = tuple(sorted(sh for sh, o in sheets.items() if o != section))
            only: tuple[str, ...] = ()
        else:
            drop, only = (), tuple(sorted(sh for sh, o in sheets.items() if o == section))
            if not only:
                continue
        digest = "" if xlsx.is_missing(rec.sha256) else str(rec.sha256)
        target = folder / copy_name(rec.file, used)
        tasks.append(
            AnnotateTask(
                str(source),
                str(target),
                ext,
                sheet,
                tuple(notes),
                max_bytes,
                inbox=str(inbox),
                max_bytes=max_file,
                sha256=digest,
                drop_sheets=drop if section is not None else (),
                only_sheets=only,
            )
        )
    return tasks


def _row_cells(rows: pd.DataFrame | None, issues: pd.DataFrame) -> dict[int, str]:
    """row_id -> 'A<excel_row>' for the row issues that name no cell."""
    rows = _frame(rows)
    if rows.empty or issues.empty or not {"row_id", "excel_row"} <= set(rows.columns):
        return {}
    wanted = issues.loc[(issues["cell"] == "") & issues["row_id"].notna(), "row_id"]
    found = rows[rows["row_id"].isin({int(r) for r in wanted})]
    return {int(r): f"A{int(e)}" for r, e in zip(found["row_id"], found["excel_row"], strict=True)}


class FeedbackJobs:
    """Writes the section workbooks and annotated copies: in worker processes, started at
    once so they work while the caller writes the archive, when there are many; else on
    ``finish()``. A workbook that fails is a bug and fails the run; a copy that fails is a bad
    user file and is only logged (the file stays listed in its section's 异常清单).

    A section's workbook is written after its copies, so its cover counts the copies that
    were really written."""

    def __init__(
        self, books: list[SectionTask], copies: list[AnnotateTask], result: frames.RunResult
    ) -> None:
        self.books = books
        self.copies = copies
        self.pool: ProcessPoolExecutor | None = None
        self.book_futures: list[Any] = []
        self.copy_futures: list[Any] = []
        self.written_copies: list[Path] = []
        self._feeder: threading.Thread | None = None
        self._feeder_error: BaseException | None = None
        limits = result.settings.limits if result.settings is not None else None
        jobs = len(books) + len(copies)
        workers = min((limits.workers if limits else 0) or os.cpu_count() or 1, jobs)
        if workers > 1 and jobs >= PARALLEL_MIN_JOBS:
            # capped, dies with the run, inherited frames frozen out of the GC (workers.py)
            memory = limits.worker_memory_bytes if limits else 0
            self.pool = pipeline_workers.new_pool(workers, memory, freeze_gc=True)
            # copies first: each costs more than a small workbook, so the pool ends level
            self.copy_futures = [self.pool.submit(annotate_copy, task) for task in copies]
            self._feeder = threading.Thread(target=self._feed_books, daemon=True)
            self._feeder.start()

    def _folder_copies(self) -> dict[str, list[int]]:
        """Folder -> indexes of its copies."""
        by_folder: dict[str, list[int]] = {}
        for i, task in enumerate(self.copies):
            by_folder.setdefault(str(Path(task.target).parent), []).append(i)
        return by_folder

    def _counted(self, book: SectionTask, done: dict[int, str | None]) -> SectionTask:
        indexes = self._folder_copies().get(str(Path(book.path).parent), [])
        return replace(book, n_copies=sum(1 for i in indexes if done.get(i)))

    def _feed_books(self) -> None:
        """Submit each section's workbook as soon as its copies are done (in a thread: the
        caller writes the archive meanwhile)."""
        try:
            assert self.pool is not None
            by_folder = self._folder_copies()
            waiting = {
                i: len(by_folder.get(str(Path(book.path).parent), []))
                for i, book in enumerate(self.books)
            }
            folder_book = {str(Path(b.path).parent): i for i, b in enumerate(self.books)}
            futures: dict[int, Any] = {}
            done: dict[int, str | None] = {}
            for i, book in enumerate(self.books):
                if not waiting[i]:
                    futures[i] = self.pool.submit(write_section, replace(book, n_copies=0))
            index = {id(f): i for i, f in enumerate(self.copy_futures)}
            for future in as_completed(self.copy_futures):
                i = index[id(future)]
                try:
                    done[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker means no copy of it
                    log.warning("no annotated copy of %s: %s", self.copies[i].source, exc)
                    done[i] = None
                b = folder_book.get(str(Path(self.copies[i].target).parent))
                if b is None:
                    continue
                waiting[b] -= 1
                if not waiting[b]:
                    futures[b] = self.pool.submit(write_section, self._counted(self.books[b], done))
            self.written_copies = [Path(t) for t in done.values() if t]
            self.book_futures = [futures[i] for i in sorted(futures)]
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish()
            self._feeder_error = exc

    def finish(self) -> list[Path]:
        """Wait for (or do) every job; the paths written, sorted."""
        try:
            if self.pool is None:
                done = dict(enumerate(map(annotate_copy, self.copies)))
                written = [Path(t) for t in done.values() if t]
                written += [Path(write_section(self._counted(b, done))) for b in self.books]
                return sorted(written)
            assert self._feeder is not None
            self._feeder.join()
            if self._feeder_error is not None:
                raise self._feeder_error
            written = [Path(future.result()) for future in self.book_futures]
            return sorted([*written, *self.written_copies])
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
