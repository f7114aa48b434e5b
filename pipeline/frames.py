"""The frames stages pass to each other: their columns, declared once.

Columns use English keys; vocab.py gives the Chinese labels. Text columns hold ``str`` or
missing (``pd.NA``/NaN); never write a frame cell to Excel without ``output_value``.

files (one row per file under INBOX) — from discover, completed by read and merge:
    file        str   path relative to INBOX, '/'-separated (what 来源文件 / 文件 show)
    size        int   bytes
    mtime       float modification time (epoch seconds)
    sha256      str   content hash (duplicates by content)
    ext         str   lower-case suffix, e.g. '.xlsx'
    kind        str   'individual' | 'unit' | NA when not a form
    status      str   'read' | 'rejected' | 'superseded'
    reason      str   reason code of the rejection/supersession (vocab.MESSAGES key) or NA
    sheet       str   the sheet the table was read from
    section, name, post, head   header block values (str or NA)
    date        str   填表日期 as ISO 'YYYY-MM-DD' or NA
    pledge_sheet bool the 廉政承诺书 sheet exists
    pledge_items int  number of non-empty pledge items
    pledger, pledge_date  str or NA
    pledge_sheet_name str the sheet the pledge was read from (廉洁从政承诺书, 承诺书 …) or NA
    pledge_date_cell str  the A1 cell of its 承诺日期 on that sheet, or NA
    n_rows      int   data rows read from the table
    colmap      object dict: column key -> Excel column letter, for cell references
    header_cells object dict: header key -> A1 cell holding its value (or its label)
    sheet_colmaps object dict: sheet -> its colmap, for a workbook of one sheet per person
                (every form sheet read, the first included); {} otherwise
    sheet_pledges object dict: folded name -> [pledge items, pledger, pledge date, sheet] of each
                person of such a workbook besides the first whose own 承诺书 sheet it holds
    sheet_dates object dict: folded name -> [填表日期 (as written; validate: ISO or None), its
                cell, sheet, the name its header gives (, validate: what was written when
                it is no date)] of each person of such a workbook besides the first
    empty_sheets object dict: folded name -> [sheet, 科室 or None, name, table header cell] of
                each person of such a workbook whose own sheet's table is empty
    labels      object dict: column key -> its header as the form wrote it, for the columns
                whose notes name the column so (stated supervisors: 防控责任人); {} otherwise
    container   str   for a file inside a .zip/.eml: the container's ``file`` (NA otherwise)
    source_path str   where the bytes are when not at INBOX/file: the private copy of a file
                      inside a container, or the real name of a file shown decoded (NA otherwise)

    folder_date str   ISO date in the name of the nearest mail folder ('2026-03-24 来自…') or NA
    copy_of     str   SHA-256 of the file this one is the annotated copy of (its marker) or NA
    superseded_by str the file that replaced this one (status 'superseded') or NA

rows (one row per data row of every non-superseded file whose table was found) — from read:
    row_id      int   unique, stable within a run (file order, then excel_row)
    file, sheet, kind, section, name, post, head, date   copied from files
    excel_row   int   1-based row number in the sheet
    seq, step, posts_involved, category, description, likelihood, harm, self_level,
    prevent, monitor, handle, remark, measures           raw text as the user wrote it
    row_section, row_name, row_post, row_sheet   the row's own owner (owner columns, or the
                header of its sheet in a workbook of one sheet per person); NA otherwise
    stated_direct, stated_leader   supervisors the form itself names (直接责任人, 责任领导 …)
    accepted    bool  from read: False for rows only counted (a second form not read);
                then set by validate: False when any 退回 issue names the row or its file

points (accepted rows, normalised) — from validate, then merge, grade, assign add columns:
    all ``rows`` columns with category/likelihood/harm/self_level canonical (self_level may be NA),
    prevent/monitor/handle filled (a combined 防控措施 split), plus
    self_level_cell str  A1 reference of the 自评等级 cell ('' when the form has no such column)
    category_cell, likelihood_cell, harm_cell, description_cell, posts_involved_cell  the same
    merge:  point_id str (readable 科室-姓名-序号, unit points 科室-单位-序号),
            names str (姓名 joined with '、'), source_file str, source_row str (joined with '；'),
            sources object list[(file, excel_row)],
            source_levels object None, or for several sources one tuple per source: its file,
                   sheet, 自评等级 cell, 自评等级, section, name, row_id, 发生几率, 危害程度
                   (merge.SOURCE_LEVEL_FIELDS)
    grade:  post_type str, matrix_level str, floor_level str|NA, level str,
            level_reason str, level_differs bool
    assign: direct str, leader str, measure str
    For unit-form points: name is '' and post is the 涉及岗位 text (posts_involved).

issues (the future 异常清单) — every stage may add rows:
    action      '退回' | '提示'
    code        stable reason code (a vocab.MESSAGES key; roster problems: roster_*)
    file, sheet, cell, field, value, problem, fix, section, name   str ('' when not applicable)
    row_id      Int64 (NA for file-level and completeness issues)
"""

from __future__ import annotations

import functools
import itertools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline import vocab
from pipeline.records import (  # noqa: F401 - plain parts of the frames, without pandas
    FILE_STATUS_READ,
    FILE_STATUS_REJECTED,
    FILE_STATUS_SUPERSEDED,
    FORM_FIELDS,
    ISSUE_COLUMNS,
    ROW_FIELDS,
    UNOPENABLE_REASONS,
    issue,
)
from pipeline.records import text as _text

if TYPE_CHECKING:  # config imports frames: only the type checker needs these names
    from pipeline.config import Roster, Settings

# the files frame's columns that hold a dict per file ({} when there is nothing)
DICT_FILE_COLUMNS = (
    "colmap",
    "header_cells",
    "sheet_colmaps",
    "sheet_pledges",
    "sheet_dates",
    "empty_sheets",
    "labels",
)
FILE_COLUMNS = (
    "file",
    "size",
    "mtime",
    "sha256",
    "ext",
    "kind",
    "status",
    "reason",
    *FORM_FIELDS,
    "container",
    "source_path",
    "folder_date",
    "copy_of",
    "superseded_by",
)
ROW_COLUMNS = (
    "row_id",
    "file",
    "sheet",
    "kind",
    "section",
    "name",
    "post",
    "head",
    "date",
    "excel_row",
    *ROW_FIELDS,
    "accepted",
)
MERGE_COLUMNS = ("point_id", "names", "source_file", "source_row", "sources")
GRADE_COLUMNS = (
    "post_type",
    "matrix_level",
    "floor_level",
    "level",
    "level_reason",
    "level_differs",
)
ASSIGN_COLUMNS = ("direct", "leader", "measure")


def text_series(values: pd.Series) -> pd.Series:
    """A column as ``str`` with '' for missing."""
    if values.dtype == "str":  # already text: only its missing cells change
        return values.fillna("")
    return values.astype("object").where(values.notna(), "").astype("str")


def empty_issues() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in ISSUE_COLUMNS})
    frame["row_id"] = pd.Series([], dtype="Int64")
    return frame


def issues_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Issue dicts -> an issues frame with the declared columns and dtypes."""
    if not rows:
        return empty_issues()
    frame = pd.DataFrame(rows)
    for col in ISSUE_COLUMNS:
        if col not in frame:
            frame[col] = "" if col != "row_id" else None
    frame = frame[list(ISSUE_COLUMNS)]
    text_cols = [c for c in ISSUE_COLUMNS if c != "row_id"]
    frame[text_cols] = frame[text_cols].fillna("").astype("str")
    frame["row_id"] = pd.array(frame["row_id"], dtype="Int64")
    return frame


def _texts(values: object, n: int) -> np.ndarray | str:
    """A scalar as ``str``; a column as an object array of ``str`` ('' for missing)."""
    if isinstance(values, str):
        return values
    if values is None or np.ndim(values) == 0:  # type: ignore[arg-type]
        return _text(values)
    if (
        isinstance(values, np.ndarray)
        and values.dtype == object
        and len(values) == n
        and pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")
    ):
        return values  # already text only (the stages' usual case): no copy
    series = pd.Series(values, dtype="object") if not isinstance(values, pd.Series) else values
    if len(series) != n:
        raise ValueError(f"column of {len(series)} values for {n} issues")
    out = series.to_numpy(dtype=object, na_value="")
    kinds = pd.api.types.infer_dtype(out, skipna=False)
    if kinds not in ("string", "empty"):
        out = np.array([_text(v) if not isinstance(v, str) else v for v in out], dtype=object)
    return out


def fill_template(
    template: str, values: Mapping[str, np.ndarray | str], n: int, share: bool = True
) -> np.ndarray:
    """``template.format(**values)`` for ``n`` rows at once; values are ``str`` scalars or
    object arrays of ``str`` (each row's text joined once from the template's parts).
    ``share``: equal texts are held as one object (worth it for texts kept in a frame;
    hashing every text costs as much as joining it, so texts only joined further skip it)."""
    parts: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if spec or conversion or name not in values:  # not a plain {name}: format row by row
            return _fill_rows(template, values, n)
        parts.append(values[name])
    if all(isinstance(p, str) for p in parts):  # the same text for every row: one object
        return repeated("".join(parts), n)
    joined = map(
        "".join, zip(*(itertools.repeat(p, n) if isinstance(p, str) else p for p in parts))
    )
    if not share:
        out = np.empty(n, dtype=object)
        out[:] = list(joined)
        return out
    one: dict[str, str] = {}  # equal texts share one object (issue frames repeat them a lot)
    out = np.empty(n, dtype=object)
    out[:] = [one.setdefault(text, text) for text in joined]
    return out


@functools.lru_cache(maxsize=512)
def _has_no_fields(template: str) -> bool:
    """True when ``template`` has no ``{placeholder}`` (its ``format()`` is its text)."""
    return all(name is None for _, name, _, _ in string.Formatter().parse(template))


def _fill_rows(template: str, values: Mapping[str, np.ndarray | str], n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = [
        template.format(**{k: v if isinstance(v, str) else v[i] for k, v in values.items()})
        for i in range(n)
    ]
    return out


def issues_table(code: str, n: int, **fields: Any) -> pd.DataFrame:
    """``n`` issues of one reason code as an issues frame, the same rows ``issue()`` would
    give one by one. ``fields`` are ``issue_columns``'s: every one a scalar or a column of
    ``n`` values (array, list or Series, aligned by position); the message texts are built
    column-wise, not per row.

    ``message_of`` (codes 0..m-1, one per issue): issues with one code share one message,
    built once; the placeholders are then given per message (scalars or columns of ``m``),
    and the issues of a message must agree on every column its template reads."""
    if n == 0:
        return empty_issues()
    return stacked_issues([(issue_columns(code, n, **fields), n)])


def issue_columns(
    code: str,
    n: int,
    *,
    file: object = "",
    sheet: object = "",
    cell: object = "",
    field_key: object = "",
    value: object = "",
    section: object = "",
    name: object = "",
    row_id: object = None,
    message_of: np.ndarray | None = None,
    **placeholders: object,
) -> dict[str, Any]:
    """The columns of ``issues_table`` (same arguments, ``n`` > 0) before they become a frame:
    each a ``str`` (the same for every issue) or an object array of ``n`` texts, and
    ``row_id`` an Int64 array. ``stacked_issues`` makes one frame of several such parts."""
    keys = _texts(field_key, n)
    if isinstance(keys, str):
        label: np.ndarray | str = vocab.field_label(keys) if keys else ""
    else:
        labels = {k: (vocab.field_label(k) if k else "") for k in pd.unique(keys)}
        label = pd.Series(keys).map(labels).to_numpy(dtype=object)
    columns: dict[str, Any] = {
        "action": "",
        "code": code,
        "file": _texts(file, n),
        "sheet": _texts(sheet, n),
        "cell": _texts(cell, n),
        "field": label,
        "value": _texts(value, n),
        "problem": "",
        "fix": "",
        "section": _texts(section, n),
        "name": _texts(name, n),
    }
    m, first = n, None
    if message_of is not None:
        first = _first_rows(message_of)
        m = len(first)
    texts = {k: _texts(v, m) for k, v in placeholders.items()}
    for col in ("section", "name"):
        texts.setdefault(col, _at(columns[col], first))
    for col in ("field", "value"):
        texts[col] = _at(columns[col], first)
    message = vocab.MESSAGES[code]
    columns["action"] = message.action
    for col in ("problem", "fix"):
        template = getattr(message, col)
        if _has_no_fields(template):  # the same text for every issue: kept as one ``str``
            columns[col] = template.format()
        elif message_of is None:
            columns[col] = _shown_all(fill_template(template, texts, m))
        else:  # each message is built once already: the issues holding it share it
            columns[col] = _at(_shown_all(fill_template(template, texts, m, False)), message_of)
    columns["row_id"] = _row_ids(row_id, n)
    return columns


def _shown_all(messages: Any) -> Any:
    """``messages`` with direction controls quoted from a cell marked (``vocab.shown``);
    looked for once over all of them (distinct messages, before they are shared out)."""
    if isinstance(messages, str) or not vocab.BIDI.search("".join(messages)):
        return messages
    return np.array([vocab.shown(t) for t in messages], dtype=object)


def stacked_issues(
    parts: list[tuple[dict[str, Any], int]], order: np.ndarray | None = None
) -> pd.DataFrame:
    """One issues frame of ``issue_columns`` parts (each with its number of issues), one after
    the other, then in ``order`` (positions into the stacked rows) when given: every column
    is joined and taken once, as numpy arrays, not part by part as frames."""
    parts = [(columns, n) for columns, n in parts if n]
    if not parts:
        return empty_issues()
    data: dict[str, Any] = {}
    for col in ISSUE_COLUMNS:
        if col == "row_id":
            ids = [columns[col] for columns, _ in parts]
            stacked = ids[0] if len(ids) == 1 else type(ids[0])._concat_same_type(ids)
            data[col] = stacked if order is None else stacked.take(order)
            continue
        if all(isinstance(c[col], str) for c, _ in parts):
            # one text per part: each part's text made ``str`` once, its rows take it
            texts = np.empty(len(parts), dtype=object)
            texts[:] = [c[col] for c, _ in parts]
            codes = np.repeat(np.arange(len(parts)), [n for _, n in parts])
            if order is not None:
                codes = codes[order]
            data[col] = pd.Series(pd.array(texts, dtype="str").take(codes))
            continue
        pieces = [repeated(c[col], n) if isinstance(c[col], str) else c[col] for c, n in parts]
        column = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        if order is not None:
            column = column[order]
        data[col] = pd.Series(column, dtype="str")
    frame = pd.DataFrame({c: v for c, v in data.items() if c != "row_id"})
    frame["row_id"] = data["row_id"]
    return frame


def _at(values: np.ndarray | str, rows: np.ndarray | None) -> np.ndarray | str:
    """``values`` (a column, or one ``str`` for all) at ``rows`` (None: all of them)."""
    if rows is None or isinstance(values, str):
        return values
    return values[rows]


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first position holding each of the codes 0..m-1."""
    first = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the last write (the first row) wins
    return first


def repeated(text: str, n: int) -> np.ndarray:
    """An object array of ``n`` references to the one ``text`` (``np.full`` would make ``n``
    copies of it: 164,000 issue rows would each hold their own 「退回」)."""
    out = np.empty(n, dtype=object)
    out[:] = text
    return out


def _row_ids(row_id: object, n: int) -> pd.api.extensions.ExtensionArray:
    """``row_id`` (a scalar or a column of ``n`` ints, None/NA for none) as an Int64 array."""
    if row_id is None or np.ndim(row_id) == 0:  # type: ignore[arg-type]
        return pd.array([row_id] * n, dtype="Int64")
    if isinstance(getattr(row_id, "dtype", None), np.dtype) and row_id.dtype.kind in "iu":  # type: ignore[union-attr]
        return pd.array(np.asarray(row_id, dtype=np.int64), dtype="Int64")
    return pd.array(pd.Series(row_id).to_numpy(dtype=object, na_value=None), dtype="Int64")


def concat_issues(*frames: pd.DataFrame) -> pd.DataFrame:
    parts = [f for f in frames if f is not None and len(f)]
    if not parts:
        return empty_issues()
    return pd.concat(parts, ignore_index=True)[list(ISSUE_COLUMNS)]


@dataclass
class RunResult:
    """Everything a run produced; the writers read only this."""

    files: pd.DataFrame
    rows: pd.DataFrame
    points: pd.DataFrame  # graded and assigned risk points (one per merged point)
    posts: pd.DataFrame  # section, post, names, post_type, level, level_reason, n_points
    submissions: pd.DataFrame  # roster vs received (see completeness.py)
    pledges: pd.DataFrame  # 承诺书登记 (see completeness.py)
    issues: pd.DataFrame
    counts: dict[str, Any]
    body_name: str
    year: int
    run_time: str  # ISO timestamp shown on the cover; fixed by --run-time for determinism
    settings: Settings | None = None
    roster: Roster | None = None
    inbox: Path | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # CPU seconds per stage, main process and workers (cpuclock.StageClock.summary())
    stage_cpu: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # Chinese lines for the terminal
    read_cache: dict[str, int] = field(default_factory=dict)  # cache.ReadCache.stats()
    history: Any = None  # 年度对比: history.Comparison (None: no [history] last_archive)
    changes: Any = None  # 本轮变化: rounds.CHANGE_COLUMNS frame (None: no previous run)
    round_state: Any = None  # rounds: {"current": state, "previous_run": run time or None}
