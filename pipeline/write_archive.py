"""The archive workbook filed upward: ``<year>_<body>_廉政风险信息档案.xlsx``.

One xlsxwriter workbook in constant-memory mode: every sheet is written row by row, in
order, so a catalogue of 100,000 risk points stays fast and small in memory. Every user
value goes through ``xlsx.cell_text`` (control characters stripped, cut visibly when too
long) and ``write_string``: text that looks like a formula stays text.
"""

from __future__ import annotations

import itertools
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import archives, frames, history, printing, rounds, sheetxml, styles, vocab, xlsx

# --------------------------------------------------------------------------------------
# Labels composed from vocab (every Chinese text is spelled in vocab.py)
# --------------------------------------------------------------------------------------
LEADERSHIP_LABELS = (vocab.ROLE_CHAIR, vocab.ROLE_OVERSIGHT)

MATRIX_HEADERS = {
    "section": vocab.CATALOGUE_COLUMNS["section"],
    "post": vocab.CATALOGUE_COLUMNS["post"],
    "name": vocab.CATALOGUE_COLUMNS["name"],
    "description": vocab.CATALOGUE_COLUMNS["description"],
    "level": vocab.CATALOGUE_COLUMNS["level"],
    "prevent": vocab.CATALOGUE_COLUMNS["prevent"],
    "monitor": vocab.CATALOGUE_COLUMNS["monitor"],
    "handle": vocab.CATALOGUE_COLUMNS["handle"],
    "direct": vocab.CATALOGUE_COLUMNS["direct"],
    "leader": vocab.CATALOGUE_COLUMNS["leader"],
    "measure": vocab.CATALOGUE_COLUMNS["measure"],
    "point_id": vocab.POINT_ID_LABEL,
}
POSTS_CONTINUED = ("names", "level_reason")
MATRIX_CONTINUED = ("description", "prevent", "monitor", "handle")
MATRIX_REPEATED = ("section", "post", "name", "point_id")
SUBMISSION_HEADERS = {k: v for k, v in vocab.SUBMISSION_COLUMNS.items() if k != "pledge"}
NOTICE_FOOTER_HEIGHT = 36.0  # the 公示期 text under the notice (two lines)
NOTICE_HEADERS = {
    "section": vocab.CATALOGUE_COLUMNS["section"],
    "post": vocab.CATALOGUE_COLUMNS["post"],
    "description": vocab.CATALOGUE_COLUMNS["description"],
    "level": vocab.CATALOGUE_COLUMNS["level"],
    "measures": vocab.COLUMN_LABELS["measures"],
    "direct": vocab.CATALOGUE_COLUMNS["direct"],
    "leader": vocab.CATALOGUE_COLUMNS["leader"],
}

# One palette for both writers (pipeline/styles.py); the same hues for charts.
LEVEL_FILLS = styles.LEVEL_FILLS
LEVEL_CHART_COLOURS = dict(zip(vocab.LEVELS, ("#CC4125", "#E69138", "#6AA84F"), strict=True))
CATEGORY_COLOURS = ("#3D85C6", "#6FA8DC", "#93C47D", "#F6B26B", "#B7B7B7")  # last: 未分类
HEADER_FILL = styles.HEADER_FILL
REJECT_FILL = styles.REJECT_FILL
WARN_FILL = styles.WARN_FILL
BORDER_COLOUR = styles.BORDER_COLOUR

MAX_NAME_CHARS = 60  # of the body name in the file name: within 255 bytes with year and suffix
WRAP_WIDTH = 36  # cap for long text columns (they wrap)
COVER_WIDTHS = (26, 16, 16, 16, 16, 30)
COVER_TEXT_WIDTH = sum(COVER_WIDTHS[1:])  # the merged text cells of the cover
FILING_COL = 3  # the filing block stands to the right of the counts
FILING_ROWS = (4, 2, 2)  # rows of 18 pt per entry: the stamp needs room
STATS_WIDTHS = (22, 11, 11, 11, 11, 3)
CHART_WIDTH_PX = 520
LEVEL_CHART_HEIGHT_PX = 330
CHART_GAP_PX = 100  # between the level chart and the category chart under it
SHORT_WIDTH = 24  # cap for short text columns


# --------------------------------------------------------------------------------------
# Formats: created once per workbook, reused for every cell
# --------------------------------------------------------------------------------------
class _Formats:
    def __init__(self, wb: Any) -> None:
        self.pending: list[sheetxml.Rows] = []  # table records spliced in after close()
        # (key, numeric) -> cells of a column of the sorted points (catalogue, matrix, notice)
        self.point_columns: dict[tuple[str, bool], sheetxml.Coded] = {}
        # sheet index -> (title rows' height, every row's height): for the print scale
        self.heights: dict[int, tuple[float, list[float]]] = {}
        base = {"font_name": styles.FONT_NAME, "font_size": styles.FONT_SIZE, "valign": "top"}
        cell = {**base, "border": 1, "border_color": BORDER_COLOUR}
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": styles.TITLE_SIZE + 2, "valign": "vcenter"}
        )
        self.title_center = wb.add_format(
            {**base, "bold": True, "font_size": 18, "align": "center", "valign": "vcenter"}
        )
        self.subtitle = wb.add_format({**base, "bold": True, "font_size": 12, "valign": "vcenter"})
        self.plain = wb.add_format(base)
        self.plain_wrap = wb.add_format({**base, "text_wrap": True})
        self.note = wb.add_format({**base, "text_wrap": True, "font_color": "#444444"})
        self.signature = wb.add_format({**base, "align": "right"})
        self.header = wb.add_format(
            {
                **cell,
                "bold": True,
                "bg_color": HEADER_FILL,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.label = wb.add_format(
            {**cell, "bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"}
        )
        self.text = wb.add_format({**cell, "text_wrap": True})  # every text cell wraps
        self.center = wb.add_format({**cell, "align": "center", "text_wrap": True})
        self.number = wb.add_format({**cell, "align": "right", "num_format": "0"})
        self.total = wb.add_format({**cell, "bold": True, "num_format": "0"})
        self.total_label = wb.add_format({**cell, "bold": True})
        self.level = {
            lv: wb.add_format({**cell, "align": "center", "bg_color": fill, "text_wrap": True})
            for lv, fill in LEVEL_FILLS.items()
        }
        # 评定等级 differing from 自评等级: same fill, bold italic
        self.level_differs = {
            lv: wb.add_format(
                {**cell, "align": "center", "bg_color": fill, "bold": True, "italic": True}
            )
            for lv, fill in LEVEL_FILLS.items()
        }
        self.heat = {
            lv: wb.add_format(
                {
                    **cell,
                    "align": "center",
                    "valign": "vcenter",
                    "bg_color": fill,
                    "font_size": 14,
                    "bold": True,
                }
            )
            for lv, fill in LEVEL_FILLS.items()
        }
        self.reject = {
            "text": wb.add_format({**cell, "bg_color": REJECT_FILL, "text_wrap": True}),
            "center": wb.add_format(
                {**cell, "bg_color": REJECT_FILL, "align": "center", "text_wrap": True}
            ),
            "number": wb.add_format({**cell, "bg_color": REJECT_FILL, "num_format": "0"}),
        }
        self.warn = {
            "text": wb.add_format({**cell, "bg_color": WARN_FILL, "text_wrap": True}),
            "center": wb.add_format(
                {**cell, "bg_color": WARN_FILL, "align": "center", "text_wrap": True}
            ),
            "number": wb.add_format({**cell, "bg_color": WARN_FILL, "num_format": "0"}),
        }

    def kind(self, kind: str) -> Any:
        return {"text": self.text, "center": self.center, "number": self.number}[kind]


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    kind: str = "text"  # text | center | number | level (all text wraps)
    max_width: int = SHORT_WIDTH


# --------------------------------------------------------------------------------------
# Vectorised cell preparation
# --------------------------------------------------------------------------------------


def _point_column(fmt: _Formats, frame: pd.DataFrame, key: str, kind: str) -> sheetxml.Coded:
    """``_column`` of a frame of the sorted points (same records, same order; ``name`` the
    display names): each column made once for every sheet that shows it."""
    cache = (key, kind == "number")
    found = fmt.point_columns.get(cache)
    if found is None:
        found = fmt.point_columns[cache] = _column(frame, key, kind)
    return found


def _column(frame: pd.DataFrame, key: str, kind: str) -> sheetxml.Coded:
    """A column's cells, coded (each distinct value cleaned, measured and rendered once)."""
    if key not in frame.columns:
        return sheetxml.Coded(np.full(len(frame), -1, dtype=np.intp), [])
    if kind == "number":
        return sheetxml.number_column(frame[key])
    return sheetxml.text_column(frame[key])


def _restyles(
    column: sheetxml.Coded, style_of: dict[str, dict[str, Any]]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Records restyled by their value in ``column`` (``style_of``: value -> a kind -> format
    dict): each record's code (0: as it is, ``i``: ``restyles[i - 1]``) and the restyles."""
    restyles: list[dict[str, Any]] = []
    index: dict[int, int] = {}
    table = []
    for value in column.uniques:
        style = style_of.get(value) if isinstance(value, str) else None
        if style and id(style) not in index:
            index[id(style)] = len(restyles) + 1
            restyles.append(style)
        table.append(index[id(style)] if style else 0)
    missing = style_of.get("")
    if missing and id(missing) not in index:
        index[id(missing)] = len(restyles) + 1
        restyles.append(missing)
    return column.map_codes(np.array(table, dtype=np.intp), index.get(id(missing), 0)), restyles


def _format_codes(
    column: sheetxml.Coded, format_of: dict[str, Any], default: Any
) -> tuple[np.ndarray, list[Any]]:
    """Each record's format by its value (``format_of``, else ``default``), as each record's
    code into a list of formats (see ``_write_table``'s ``column_formats``)."""
    formats = [format_of.get(v, default) for v in column.uniques] + [default]
    return np.where(column.codes < 0, len(column.uniques), column.codes), formats


# --------------------------------------------------------------------------------------
# Sheet plumbing
# --------------------------------------------------------------------------------------
def _print_setup(
    ws: Any,
    fmt: _Formats,
    body: str,
    repeat: tuple[int, int] | None,
    widths: Sequence[float],
    *,
    header: bool = True,
) -> int:
    """A4 landscape at the largest scale at which ``widths`` fit one page wide (never below
    8 pt text), nudged down when that saves a page holding a few spilled rows."""
    repeat_height, heights = fmt.heights.get(ws.index, (0.0, []))
    scale = styles.print_scale(widths, heights, repeat_height)
    styles.page_setup(ws, scale=scale, header_left=body if header else None, repeat_rows=repeat)
    return scale


def _widths(
    ws: Any, frame_values: Sequence[sheetxml.Coded], columns: Sequence[_Column]
) -> list[float]:
    widths = []
    for c, (col, values) in enumerate(zip(columns, frame_values, strict=True)):
        minimum = 6 if col.kind in ("number", "center", "level") else 8
        # the header may wrap onto two lines, so it only counts up to the cap; the width
        # fits the first 2,000 records (``fit_width``'s sample), each distinct value once
        width = xlsx.fit_width(values.head(2000), "", minimum, col.max_width)
        header = min(xlsx.display_width(col.header) + 2, col.max_width)
        width = max(width, min(header, 8 if col.kind != "number" else header))
        ws.set_column(c, c, width)
        widths.append(width)
    return widths


def _write_table(
    ws: Any,
    fmt: _Formats,
    first_row: int,
    columns: Sequence[_Column],
    values: Sequence[sheetxml.Coded],
    *,
    widths: Sequence[float],
    freeze_cols: int = 0,
    column_formats: dict[int, tuple[np.ndarray, list[Any]]] | None = None,
    row_styles: tuple[np.ndarray, list[dict[str, Any]]] | None = None,
    above: Sequence[float] = (),
) -> int:
    """Header row at ``first_row``, then one row per record (``values`` holds one coded
    column each). ``column_formats[c]`` gives record-by-record formats for column ``c`` (each
    record's code into a list of formats);
    ``row_styles`` (each record's code, the restyles: see ``_restyles``) restyles whole
    records; ``above`` holds the heights of the rows above the header (for the print scale).

    The header goes through xlsxwriter; the records are queued on ``fmt.pending`` and
    spliced into the sheet XML after ``close()`` (see ``sheetxml.splice``): xlsxwriter spends
    ~15 µs per cell, far too slow for 100,000 risk points. Returns the last row."""
    header_lines = [
        sheetxml.line_counts([col.header], w)[0] for col, w in zip(columns, widths, strict=True)
    ]
    header_height = styles.lines_height(int(max(header_lines)))
    ws.set_row(first_row, header_height)
    for c, col in enumerate(columns):
        ws.write_string(first_row, c, col.header, fmt.header)
    n = len(values[0]) if values else 0
    heights = (
        sheetxml.row_heights(
            values, widths, [c.kind != "number" for c in columns], styles.line_height()
        )
        if n
        else np.empty(0)
    )
    # restyled records: each record's code (0: none) into the distinct restyles
    codes, restyles = row_styles if row_styles is not None else (None, [])
    if not restyles:
        codes = None
    cell_styles: list[int | np.ndarray] = []
    for c, col in enumerate(columns):
        kind = "center" if col.kind == "level" else col.kind
        base = sheetxml.xf(fmt.kind(kind))
        per_row: np.ndarray | None = None
        if codes is not None:
            table = np.array([base, *(sheetxml.xf(s[kind]) for s in restyles)])
            per_row = table[codes]
        if column_formats and c in column_formats:
            # xf indices are given in the order formats are first used (as cell by cell)
            format_codes, formats = column_formats[c]
            used = pd.unique(format_codes).tolist()
            xf_of = {id(formats[i]): sheetxml.xf(formats[i]) for i in used}
            table = np.zeros(len(formats), dtype=np.int64)
            table[used] = [xf_of[id(formats[i])] for i in used]
            per_row = table[format_codes]
        cell_styles.append(per_row if per_row is not None else base)
    if n:
        fmt.pending.append(
            sheetxml.Rows(
                sheet_number=ws.index + 1,
                header_row=first_row,
                values=list(values),
                styles=cell_styles,
                heights=heights,
            )
        )
    fmt.heights[ws.index] = (header_height, [*above, header_height, *heights.tolist()])
    last = first_row + n
    ws.freeze_panes(first_row + 1, freeze_cols)
    ws.autofilter(first_row, 0, max(last, first_row + 1), len(columns) - 1)
    return last


def _section_order(result: frames.RunResult, *frames_with_sections: pd.DataFrame) -> list[str]:
    """Sections in roster order, then any other section seen in the data, sorted."""
    order: list[str] = []
    roster = result.roster
    if roster is not None and len(roster.sections):
        order = [s for s in roster.sections["section"].tolist() if isinstance(s, str) and s]
    seen = set(order)
    extra: set[str] = set()
    for frame in frames_with_sections:
        if len(frame) and "section" in frame.columns:
            sections = frame["section"].dropna().unique()  # each distinct section once
            extra.update(s for s in map(str, sections) if s and s not in seen)
    return list(dict.fromkeys(order)) + sorted(extra)


def _sorted_points(result: frames.RunResult) -> pd.DataFrame:
    points = result.points
    if not len(points):
        return points
    order = {s: i for i, s in enumerate(_section_order(result, points))}
    key = points["section"].map(order).fillna(len(order)).astype(int)
    return points.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


def _display_names(points: pd.DataFrame) -> pd.Series:
    if "names" in points.columns:
        names = points["names"].astype("object")
        if "name" in points.columns:
            names = names.where(names.notna() & (names != ""), points["name"].astype("object"))
        return names
    return points.get("name", pd.Series([None] * len(points), index=points.index))


# --------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------
def _cover(wb: Any, fmt: _Formats, result: frames.RunResult) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_COVER)
    settings = result.settings
    body = xlsx.cell_text(result.body_name) or ""
    for c, width in enumerate(COVER_WIDTHS):
        ws.set_column(c, c, width)
    last_col = len(COVER_WIDTHS) - 1
    row = 0
    ws.set_row(0, 30)
    ws.merge_range(
        row,
        0,
        row,
        last_col,
        vocab.ARCHIVE_COVER_TITLE.format(body=body, year=result.year),
        fmt.title,
    )
    row += 2
    info = {
        "body": body,
        "year": str(result.year),
        "run_time": (xlsx.cell_text(result.run_time) or "").replace("T", " "),
        "source": xlsx.cell_text(settings.source if settings else "") or "",
    }
    for key, label in vocab.ARCHIVE_COVER_INFO.items():
        ws.write_string(row, 0, label, fmt.label)
        ws.merge_range(row, 1, row, 3, info[key], fmt.text)
        row += 1

    row += 1
    _subtitle(ws, fmt, row, vocab.ARCHIVE_COVER_COUNTS_TITLE)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_COVER_COUNTS_HEADER[0], fmt.header)
    ws.write_string(row, 1, vocab.ARCHIVE_COVER_COUNTS_HEADER[1], fmt.header)
    _filing_block(ws, fmt, row)
    row += 1
    counts = result.counts or {}
    for (group, key), label in vocab.ARCHIVE_COUNT_LABELS.items():
        if key == vocab.LEVELS[0]:
            ws.write_string(row, 0, vocab.ARCHIVE_POINTS_LABEL, fmt.label)
            ws.write_number(row, 1, int(counts.get("points", len(result.points))), fmt.number)
            row += 1
        value = counts.get(group, {}).get(key, 0)
        ws.write_string(row, 0, label, fmt.label)
        ws.write_number(row, 1, int(value), fmt.number)
        row += 1
        contained = counts.get("contained_files") or {}
        if (group, key) == ("files", "superseded") and contained.get("total"):
            for part, part_label in vocab.ARCHIVE_CONTAINED_LABELS.items():
                ws.write_string(row, 0, part_label, fmt.label)
                ws.write_number(row, 1, int(contained.get(part, 0)), fmt.number)
                row += 1
    row = history.cover_rows(ws, fmt, result.history, row)  # 年度对比 counts, if any
    ws.set_row(row, 18)
    ws.merge_range(row, 0, row, last_col, vocab.ARCHIVE_COVER_COUNTS_NOTE, fmt.note)
    row += 2

    breaks = [row]  # each part of the cover starts a printed page
    _subtitle(ws, fmt, row, vocab.ARCHIVE_COVER_SHEETS_TITLE)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_COVER_SHEETS_HEADER[0], fmt.header)
    ws.merge_range(row, 1, row, last_col, vocab.ARCHIVE_COVER_SHEETS_HEADER[1], fmt.header)
    row += 1
    for sheet in vocab.ARCHIVE_SHEETS:
        text = vocab.ARCHIVE_SHEET_HELP[sheet]
        ws.set_row(row, styles.lines_height(styles.text_lines(text, COVER_TEXT_WIDTH)))
        ws.write_string(row, 0, sheet, fmt.label)
        ws.merge_range(row, 1, row, last_col, text, fmt.text)
        row += 1

    row += 1
    breaks.append(row)
    ws.set_h_pagebreaks(breaks)
    _subtitle(ws, fmt, row, vocab.ARCHIVE_COVER_RULES_TITLE)
    row += 1
    if settings is not None:
        row = _cover_rules(ws, fmt, result, row)
    # each part of the cover prints on one page: the scale fits the tallest part too
    heights = [_row_height(ws, r) for r in range(row)]
    bounds = [0, *breaks, row]
    tallest = max(sum(heights[a:b]) for a, b in itertools.pairwise(bounds))
    scale = min(
        styles.width_scale(COVER_WIDTHS),
        math.floor(100 * styles.printable_height() / max(tallest, 1.0)),
    )
    styles.page_setup(ws, scale=max(scale, styles.MIN_SCALE), header_left=body)
    ws.hide_gridlines(2)
    ws.activate()


def _row_height(ws: Any, row: int) -> float:
    """The height given to a row (xlsxwriter keeps it in ``row_info``), else the default."""
    info = getattr(ws, "row_info", {}).get(row)
    height = getattr(info, "height", None)
    return float(height) if height else sheetxml.DEFAULT_ROW_HEIGHT


def _filing_block(ws: Any, fmt: _Formats, row: int) -> None:
    """报送单位（盖章）, 负责人, 报送日期 beside the counts: room to stamp and sign the cover's
    first printed page."""
    ws.merge_range(row, FILING_COL, row, FILING_COL + 2, vocab.ARCHIVE_FILING_TITLE, fmt.header)
    row += 1
    for label, n_rows in zip(vocab.ARCHIVE_FILING_LABELS, FILING_ROWS, strict=True):
        last = row + n_rows - 1
        ws.merge_range(row, FILING_COL, last, FILING_COL, label, fmt.label)
        ws.merge_range(row, FILING_COL + 1, last, FILING_COL + 2, "", fmt.text)
        row = last + 1


def _cover_rules(ws: Any, fmt: _Formats, result: frames.RunResult, row: int) -> int:
    settings = result.settings
    ws.write_string(row, 0, vocab.ARCHIVE_MATRIX_TITLE, fmt.plain)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_MATRIX_CORNER, fmt.header)
    for c, likelihood in enumerate(vocab.LIKELIHOODS, start=1):
        ws.write_string(row, c, likelihood, fmt.header)
    row += 1
    for harm in vocab.HARMS:
        ws.write_string(row, 0, harm, fmt.label)
        for c, likelihood in enumerate(vocab.LIKELIHOODS, start=1):
            level = settings.matrix[harm][likelihood]
            ws.write_string(row, c, level, fmt.level.get(level, fmt.center))
        row += 1
    row += 1

    ws.write_string(row, 0, vocab.ARCHIVE_FLOORS_TITLE, fmt.plain)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_FLOORS_HEADER[0], fmt.header)
    ws.write_string(row, 1, vocab.ARCHIVE_FLOORS_HEADER[1], fmt.header)
    row += 1
    for post_type, floor in settings.floors.items():
        ws.write_string(row, 0, post_type, fmt.label)
        ws.write_string(row, 1, floor or vocab.NO_FLOOR, fmt.level.get(floor or "", fmt.center))
        row += 1
    row += 1

    ws.write_string(row, 0, vocab.ARCHIVE_SUPERVISION_TITLE, fmt.plain)
    row += 1
    for c, label in enumerate(vocab.ARCHIVE_SUPERVISION_HEADER):
        ws.write_string(row, c, label, fmt.header)
    row += 1
    for level in vocab.LEVELS:
        entry = settings.supervision[level]
        ws.write_string(row, 0, level, fmt.level[level])
        ws.write_string(row, 1, entry["direct"], fmt.center)
        ws.write_string(row, 2, entry["leader"], fmt.center)
        ws.write_string(row, 3, entry["measure"], fmt.center)
        row += 1
    row += 1

    ws.write_string(row, 0, vocab.ARCHIVE_DEADLINES_TITLE, fmt.plain)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_DEADLINES_HEADER[0], fmt.header)
    ws.write_string(row, 1, vocab.ARCHIVE_DEADLINES_HEADER[1], fmt.header)
    row += 1
    for phase, label in vocab.PHASES.items():
        deadline = settings.deadlines.get(phase, "")
        ws.write_string(row, 0, label, fmt.label)
        ws.write_string(row, 1, f"{result.year}-{deadline}" if deadline else "", fmt.center)
        row += 1

    roster = result.roster
    if roster is not None:
        row += 1
        ws.write_string(row, 0, vocab.ARCHIVE_LEADERSHIP_TITLE, fmt.plain)
        row += 1
        for label, value in zip(LEADERSHIP_LABELS, (roster.chair, roster.oversight), strict=True):
            ws.write_string(row, 0, label, fmt.label)
            ws.merge_range(row, 1, row, 3, xlsx.cell_text(value) or "", fmt.text)
            row += 1
    return row


def _catalogue(wb: Any, fmt: _Formats, result: frames.RunResult, points: pd.DataFrame) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_CATALOGUE)
    columns = [
        _Column(key, header, *styles.POINT_COLUMNS[key])
        for key, header in styles.point_headers().items()
    ]
    frame = points.copy(deep=False)
    if len(frame):
        frame["name"] = _display_names(frame)
    frame[styles.SEQ_KEY] = styles.sequence(len(frame))
    values = [_point_column(fmt, frame, col.key, col.kind) for col in columns]
    level_col = [col.key for col in columns].index("level")
    levels = values[level_col]
    level_formats = _format_codes(levels, fmt.level, fmt.center)
    if "level_differs" in frame.columns:
        differs = frame["level_differs"].fillna(False).astype(bool).to_numpy()
        same, same_formats = level_formats
        other, other_formats = _format_codes(levels, fmt.level_differs, fmt.center)
        level_formats = (
            np.where(differs, other + len(same_formats), same),
            same_formats + other_formats,
        )

    body, run_time = xlsx.cell_text(result.body_name) or "", result.run_time or ""
    cells = {  # coded: the hash spells each distinct value once
        col.header: v
        for col, v in zip(columns, values, strict=True)
        if col.header in archives.HASHED_LABELS
    }
    archives.mark(wb, body, result.year, run_time, cells)  # identity marker (combine, history)
    keys = [col.key for col in columns]
    widths = styles.balance_halves(_widths(ws, values, columns), keys)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    last = _write_table(
        ws,
        fmt,
        0,
        columns,
        values,
        widths=widths,
        freeze_cols=len(styles.POINT_REPEAT_KEYS),
        column_formats={level_col: level_formats},
    )
    # 来源行 and similar digit text are meant as text: no green triangles
    ws.ignore_errors({"number_stored_as_text": f"A1:{xlsx.col_letter(len(columns) - 1)}{last + 1}"})
    styles.point_table_page(ws, widths, keys, xlsx.cell_text(result.body_name) or "")


def _sheet(wb: Any, name: str) -> Any:
    ws = wb.add_worksheet(name)
    ws.set_default_row(sheetxml.DEFAULT_ROW_HEIGHT)
    return ws


def _subtitle(ws: Any, fmt: _Formats, row: int, text: str) -> None:
    ws.set_row(row, 22)
    ws.write_string(row, 0, text, fmt.subtitle)


def _level_formats(
    fmt: _Formats, levels: sheetxml.Coded, level_col: int
) -> dict[int, tuple[np.ndarray, list[Any]]]:
    return {level_col: _format_codes(levels, fmt.level, fmt.center)}


def _posts(wb: Any, fmt: _Formats, result: frames.RunResult) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_POSTS)
    kinds = {
        "section": ("text", 14),
        "post": ("text", 16),
        "names": ("text", 20),
        "post_type": ("center", 14),
        "level": ("level", 10),
        "level_reason": ("text", 36),
        "n_points": ("number", 10),
    }
    columns = [
        _Column(key, header, *kinds.get(key, ("number", 8)))
        for key, header in vocab.ARCHIVE_POST_HEADERS.items()
    ]
    posts = result.posts if result.posts is not None else pd.DataFrame()
    if len(posts):
        order = {s: i for i, s in enumerate(_section_order(result, posts))}
        key = posts["section"].map(order).fillna(len(order)).astype(int).to_numpy()
        posts = posts.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    values = [_column(posts, col.key, col.kind) for col in columns]
    widths = _widths(ws, values, columns)
    # a post held by a whole section (200 「科员」) names more people than a row prints:
    # its names go on over continuation rows, 科室 and 岗位 said again, counted once
    long = {col.key: widths[c] for c, col in enumerate(columns) if col.key in POSTS_CONTINUED}
    continued = _continued(posts, long)
    if len(continued) != len(posts):
        values = [_column(continued, col.key, col.kind) for col in columns]
    level_formats = _level_formats(fmt, values[4], 4)
    _write_table(
        ws, fmt, 0, columns, values, widths=widths, freeze_cols=2, column_formats=level_formats
    )
    _print_setup(ws, fmt, xlsx.cell_text(result.body_name) or "", (0, 0), widths)


def _matrix(wb: Any, fmt: _Formats, result: frames.RunResult, points: pd.DataFrame) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_MATRIX)
    kinds = {
        "section": ("text", 8),
        "post": ("text", 10),
        "name": ("text", 8),
        "description": ("text", 22),
        "level": ("level", 5),
        "prevent": ("text", 18),
        "monitor": ("text", 18),
        "handle": ("text", 18),
        "direct": ("center", 7),
        "leader": ("center", 7),
        "measure": ("center", 6),
        "point_id": ("text", 12),
    }
    columns = [_Column(key, header, *kinds[key]) for key, header in MATRIX_HEADERS.items()]
    frame = points.copy(deep=False)
    if len(frame):
        frame["name"] = _display_names(frame)
    values = [_point_column(fmt, frame, col.key, col.kind) for col in columns]
    widths = _widths(ws, values, columns)
    # the matrix is read on paper for its measures: a point taller than a row (409 pt) goes
    # on over continuation rows, as on the 公示, its person and ID said again
    long = {k: widths[i] for i, k in enumerate(MATRIX_HEADERS) if k in MATRIX_CONTINUED}
    shown = [col.key for col in columns if col.key in frame.columns]
    frame = _continued(frame[shown], long, repeat=MATRIX_REPEATED)
    if len(frame) != len(points):
        values = [_column(frame, col.key, col.kind) for col in columns]
    level_formats = _level_formats(fmt, values[4], 4)
    _write_table(
        ws, fmt, 0, columns, values, widths=widths, freeze_cols=3, column_formats=level_formats
    )
    _print_setup(ws, fmt, xlsx.cell_text(result.body_name) or "", (0, 0), widths)


def section_summary(result: frames.RunResult) -> pd.DataFrame:
    """Per section: points by level and category, 自评不一致 and rejected rows."""
    points = result.points
    rows = result.rows
    sections = _section_order(result, points)
    table = pd.DataFrame({"section": sections})
    table = table.set_index("section")
    if len(points):
        by_level = points.groupby(["section", "level"]).size().unstack(fill_value=0)
        by_category = points.groupby(["section", "category"]).size().unstack(fill_value=0)
        table["n_points"] = points.groupby("section").size()
        for lv in vocab.LEVELS:
            table[lv] = by_level[lv] if lv in by_level.columns else 0
        for cat in vocab.CATEGORIES:
            table[cat] = by_category[cat] if cat in by_category.columns else 0
        if vocab.UNCATEGORISED in by_category.columns:  # points of forms without 风险类别
            table[vocab.UNCATEGORISED] = by_category[vocab.UNCATEGORISED]
        differs = points["level_differs"].fillna(False).astype(bool)
        table["differs"] = points[differs].groupby("section").size()
    else:
        for key in ("n_points", *vocab.LEVELS, *vocab.CATEGORIES, "differs"):
            table[key] = 0
    if len(rows) and "accepted" in rows.columns:
        rejected = rows[~rows["accepted"].fillna(True).astype(bool)]
        table["rejected"] = rejected.groupby("section").size()
        # rows of forms whose 科室 is no roster section (or none): one row of their own, so
        # that 合计 is the cover's 退回的数据行 (before, those rows were left out of it)
        elsewhere = int((~rejected["section"].isin(set(table.index))).sum())
        if elsewhere:
            table.loc[vocab.FEEDBACK_UNKNOWN_SECTION_DIR, "rejected"] = elsewhere
    else:
        table["rejected"] = 0
    table = table.fillna(0).astype(int).reset_index()
    return table[list(section_headers(table))]


def section_headers(table: pd.DataFrame) -> dict[str, str]:
    """科室汇总's columns: a 未分类 column after the four categories only when ``table`` has it."""
    if vocab.UNCATEGORISED not in table.columns:
        return vocab.ARCHIVE_SECTION_HEADERS
    headers: dict[str, str] = {}
    for key, header in vocab.ARCHIVE_SECTION_HEADERS.items():
        headers[key] = header
        if key == vocab.CATEGORIES[-1]:
            headers[vocab.UNCATEGORISED] = vocab.UNCATEGORISED
    return headers


def _sections(wb: Any, fmt: _Formats, result: frames.RunResult, table: pd.DataFrame) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_SECTIONS)
    columns = [
        _Column(key, header, "text" if key == "section" else "number", 16)
        for key, header in section_headers(table).items()
    ]
    values = [_column(table, col.key, col.kind) for col in columns]
    widths = _widths(ws, values, columns)
    last = _write_table(ws, fmt, 0, columns, values, widths=widths, freeze_cols=1)
    total_row = last + 1
    ws.write_string(total_row, 0, vocab.ARCHIVE_TOTAL_LABEL, fmt.total_label)
    for c, col in enumerate(columns[1:], start=1):
        ws.write_number(total_row, c, int(table[col.key].sum()), fmt.total)
    _print_setup(ws, fmt, xlsx.cell_text(result.body_name) or "", (0, 0), widths)


def _status_sheet(
    wb: Any,
    fmt: _Formats,
    result: frames.RunResult,
    name: str,
    frame: pd.DataFrame | None,
    headers: dict[str, str],
    kinds: dict[str, tuple[str, int]],
    flagged: dict[str, dict[str, Any]],
) -> None:
    ws = _sheet(wb, name)
    frame = frame if frame is not None else pd.DataFrame()
    columns = [_Column(k, h, *kinds.get(k, ("text", SHORT_WIDTH))) for k, h in headers.items()]
    values = [_column(frame, col.key, col.kind) for col in columns]
    status_col = list(headers).index("status")
    row_styles = _restyles(values[status_col], flagged)
    widths = _widths(ws, values, columns)
    _write_table(ws, fmt, 0, columns, values, widths=widths, freeze_cols=2, row_styles=row_styles)
    _print_setup(ws, fmt, xlsx.cell_text(result.body_name) or "", (0, 0), widths)


def _pledges(wb: Any, fmt: _Formats, result: frames.RunResult) -> None:
    kinds = {
        "section": ("text", 16),
        "name": ("text", 12),
        "post": ("text", 20),
        "date": ("center", 12),
        "items": ("number", 10),
        "status": ("center", 14),
    }
    flagged = {
        vocab.PLEDGE_STATUS_MISSING: fmt.warn,
        vocab.PLEDGE_STATUS_EMPTY: fmt.warn,
        vocab.PLEDGE_STATUS_OTHER_SIGNER: fmt.warn,
        vocab.PLEDGE_STATUS_NO_FORM: fmt.reject,
    }
    _status_sheet(
        wb,
        fmt,
        result,
        vocab.ARCHIVE_SHEET_PLEDGES,
        result.pledges,
        vocab.ARCHIVE_PLEDGE_HEADERS,
        kinds,
        flagged,
    )


def _submissions(wb: Any, fmt: _Formats, result: frames.RunResult) -> None:
    kinds = {
        "section": ("text", 14),
        "name": ("text", 10),
        "post": ("text", 14),
        "form": ("center", 8),
        "status": ("center", 10),
        "date": ("center", 12),
        "deadline": ("center", 12),
        "file": ("text", 24),
        "note": ("text", 28),
    }
    flagged = {
        vocab.STATUS_MISSING: fmt.reject,
        vocab.STATUS_SENT_BACK: fmt.reject,
        vocab.STATUS_LATE: fmt.warn,
    }
    _status_sheet(
        wb,
        fmt,
        result,
        vocab.ARCHIVE_SHEET_SUBMISSIONS,
        result.submissions,
        SUBMISSION_HEADERS,
        kinds,
        flagged,
    )


def _continued(
    frame: pd.DataFrame, widths: dict[str, float], repeat: tuple[str, ...] = ("section", "post")
) -> pd.DataFrame:
    """``frame`` with each record whose text in a column of ``widths`` needs more lines than
    one row holds split over continuation rows: the first keeps every column, each further
    row repeats the columns of ``repeat`` (科室 and 岗位) and holds the rest of each long text after 「（续）」, the other
    columns blank (a point is graded, and counted, once). A text is first cut at a cell's
    limit as every cell is (``xlsx.cell_text``), so the 公示 holds what the catalogue holds."""
    fits = int((sheetxml.MAX_ROW_HEIGHT - 4) / styles.line_height() * 0.9)
    keys = [k for k in widths if k in frame.columns]
    if not len(frame) or not keys:
        return frame
    tall = np.zeros(len(frame), dtype=bool)
    for key in keys:
        tall |= sheetxml.line_counts(_column(frame, key, "text"), widths[key]) > fits
    if not tall.any():
        return frame
    # each record's rows (one, or its first and its continuations) are taken from the frame
    # together; then only the cells that differ from a copy of the record are put, column by
    # column (the frame is a few tall records among tens of thousands)
    kept = {c for c in repeat if c in frame.columns}
    tall_at = np.flatnonzero(tall)
    chunks: dict[str, list[list[str]]] = {k: [] for k in keys}
    for key in keys:
        values = frame[key].to_numpy(dtype=object)[tall_at].tolist()
        for value in values:
            text = xlsx.cell_text(value) or ""
            chunks[key].append(
                sheetxml.text_chunks(text, widths[key], fits, mark=vocab.CONTINUED_CUT_MARK)
            )
    n_rows = np.ones(len(frame), dtype=np.int64)
    n_rows[tall_at] = [max(len(chunks[k][j]) for k in keys) for j in range(len(tall_at))]
    starts = np.cumsum(n_rows) - n_rows  # each record's first row in the output
    source = np.repeat(np.arange(len(frame)), n_rows)
    further = np.ones(len(source), dtype=bool)
    further[starts] = False  # continuation rows
    out = {}
    for c in frame.columns:
        text = frame[c].dtype == "str"  # text stays text; every other column is object
        if text and c not in chunks:  # taken as it is (no text checked again), then blanked
            series = frame[c].take(source).reset_index(drop=True)
            out[c] = series if c in kept else series.where(~further)
            continue
        column = frame[c].to_numpy(dtype=object)[source]
        if c in chunks:
            for j, i in enumerate(tall_at.tolist()):
                pieces, at = chunks[c][j], int(starts[i])
                column[at] = pieces[0]
                for n in range(1, int(n_rows[i])):
                    column[at + n] = vocab.CONTINUED_MARK + pieces[n] if n < len(pieces) else None
        elif c not in kept:
            column[further] = pd.NA
        out[c] = pd.Series(column, dtype="str" if text else object)
    return pd.DataFrame(out, columns=frame.columns)


def _measures_summary(points: pd.DataFrame) -> pd.Series:
    """前期：…\\n中期：…\\n后期：… (only the parts present; runs of line breaks made one).

    Made once per distinct combination of the three texts, taken by code."""
    keys = [key for key in vocab.MEASURE_FIELDS if key in points.columns]
    if not keys:
        return pd.Series([""] * len(points), index=points.index)
    combined = np.zeros(len(points), dtype=np.int64)
    field_uniques = []
    for key in keys:
        codes, uniques = _text_codes(points[key])
        combined = combined * (len(uniques) + 1) + (codes + 1)
        field_uniques.append(uniques)
    codes, combos = pd.factorize(combined)
    summaries = []
    for combo in np.asarray(combos).tolist():
        parts = []
        for key, uniques in zip(reversed(keys), reversed(field_uniques), strict=True):
            combo, code = divmod(combo, len(uniques) + 1)
            text = uniques[code - 1] if code else None
            if text is not None and text.strip() != "":
                parts.append(vocab.MEASURE_MARKERS[key][0] + "：" + text)
        joined = "\n".join(reversed(parts))
        summaries.append((_NEWLINES.sub("\n", joined) if "\n\n" in joined else joined).strip("\n"))
    table = np.empty(len(summaries), dtype=object)
    table[:] = summaries
    return pd.Series(table[codes], index=points.index, dtype="object")


def _text_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(code of each value, the distinct values as text), missing values coded -1."""
    values = series.astype("object")
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.map(str, na_action="ignore")
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques.tolist()]


_NEWLINES = re.compile(r"\n+")


def _notice(wb: Any, fmt: _Formats, result: frames.RunResult, points: pd.DataFrame) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_NOTICE)
    body = xlsx.cell_text(result.body_name) or ""
    kinds = {
        "section": ("text", 12),
        "post": ("text", 14),
        "description": ("text", 36),
        "level": ("level", 8),
        "measures": ("text", 44),
        "direct": ("center", 9),
        "leader": ("center", 9),
    }
    columns = [_Column(key, header, *kinds[key]) for key, header in NOTICE_HEADERS.items()]
    frame = points.copy(deep=False)
    if len(frame):
        frame["measures"] = _measures_summary(frame)
    values = [_point_column(fmt, frame, col.key, col.kind) for col in columns]
    widths = _widths(ws, values, columns)
    # a point taller than a row can be (409 pt) goes on over continuation rows: on paper a
    # cell shows no more than its row's height
    shown = [col.key for col in columns if col.key in frame.columns]
    frame = _continued(frame[shown], {"description": widths[2], "measures": widths[4]})
    if len(frame) != len(points):
        values = [_column(frame, col.key, col.kind) for col in columns]
    level_formats = _level_formats(fmt, values[3], 3)
    last_col = len(columns) - 1
    ws.set_row(0, 36)
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        vocab.ARCHIVE_NOTICE_TITLE.format(body=body, year=result.year),
        fmt.title_center,
    )
    last = _write_table(
        ws, fmt, 1, columns, values, widths=widths, column_formats=level_formats, above=(36,)
    )
    ws.set_row(last + 2, NOTICE_FOOTER_HEIGHT)
    ws.merge_range(last + 2, 0, last + 2, last_col, vocab.ARCHIVE_NOTICE_FOOTER, fmt.plain_wrap)
    ws.merge_range(
        last + 3,
        0,
        last + 3,
        last_col,
        vocab.ARCHIVE_NOTICE_SIGNATURE.format(body=body, date=_date_text(result.run_time)),
        fmt.signature,
    )
    # the closing lines (gap, 公示期 text, signature) count for the scale; when they may
    # spill onto a page of their own, a manual break starts it, or LibreOffice omits it
    repeat_height, heights = fmt.heights[ws.index]
    tail = (styles.DEFAULT_ROW_HEIGHT, NOTICE_FOOTER_HEIGHT, styles.DEFAULT_ROW_HEIGHT)
    fmt.heights[ws.index] = (repeat_height, [*heights, *tail])
    scale = _print_setup(ws, fmt, body, (1, 1), widths, header=False)
    if styles.starts_a_page(heights, tail, repeat_height, scale, landscape=True):
        ws.set_h_pagebreaks([last + 2])


def _date_text(run_time: str) -> str:
    try:
        ts = pd.Timestamp(str(run_time))
    except (ValueError, TypeError):
        return ""
    return vocab.ARCHIVE_DATE_FORMAT.format(y=ts.year, m=ts.month, d=ts.day)


def _issues(wb: Any, fmt: _Formats, result: frames.RunResult) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_ISSUES)
    kinds = {
        "action": ("center", 6),
        "file": ("text", 18),
        "sheet": ("text", 10),
        "cell": ("center", 7),
        "field": ("center", 10),
        "value": ("text", 18),
        "problem": ("text", 30),
        "fix": ("text", 26),
        "section": ("text", 8),
        "name": ("text", 7),
    }
    columns = [_Column(k, h, *kinds[k]) for k, h in vocab.ISSUE_COLUMNS.items()]
    issues = result.issues if result.issues is not None else frames.empty_issues()
    values = [_column(issues, col.key, col.kind) for col in columns]
    row_styles = _restyles(values[0], {vocab.ACTION_REJECT: fmt.reject})
    widths = _widths(ws, values, columns)
    _write_table(ws, fmt, 0, columns, values, widths=widths, freeze_cols=2, row_styles=row_styles)
    _print_setup(ws, fmt, xlsx.cell_text(result.body_name) or "", (0, 0), widths)


def _major_unit(largest: int) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, 50, ...) giving at most six ticks."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if largest <= 6 * step:
                return step
        magnitude *= 10


def category_counts(
    ws: Any, fmt: Any, row: int, points: pd.DataFrame
) -> tuple[int, int, pd.Series]:
    """The 风险类别 | 数量 table (header at ``row``, one row per category) that the category
    chart reads, for the archive's and the district's 统计; (first, last data row, counts)."""
    ws.write_string(row, 0, vocab.ARCHIVE_STATS_CATEGORY_HEADER[0], fmt.header)
    ws.write_string(row, 1, vocab.ARCHIVE_STATS_CATEGORY_HEADER[1], fmt.header)
    counts = points["category"].value_counts() if len(points) else pd.Series(dtype=int)
    # points of tables without a 风险类别 column are counted too, as their own row
    shown = (*vocab.CATEGORIES, *([vocab.UNCATEGORISED] if counts.get(vocab.UNCATEGORISED) else []))
    for offset, cat in enumerate(shown, start=1):
        ws.write_string(row + offset, 0, cat, fmt.text)
        ws.write_number(row + offset, 1, int(counts.get(cat, 0)), fmt.number)
    return row + 1, row + len(shown), counts


CHART_FONT = {"name": xlsx.FONT_NAME}
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


def level_chart(
    wb: Any, sheet: str, header_row: int, first: int, last: int, *, top: int, gap: int
) -> Any:
    """A stacked column chart of points by level (one series per level, categories in column
    A, counts in the columns after it), for the archive's and the district's 统计 sheets."""
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for c, lv in enumerate(vocab.LEVELS, start=1):
        chart.add_series(
            {
                "name": [sheet, header_row, c],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, c, last, c],
                "fill": {"color": LEVEL_CHART_COLOURS[lv]},
                "border": {"none": True},
                "gap": gap,
            }
        )
    # horizontal labels: LibreOffice wraps a long section name under its column instead of
    # turning all the labels on their side, shrinking the plot and their text below 8 pt
    chart.set_x_axis({"num_font": {**CHART_FONT, "rotation": 0}})
    chart.set_y_axis(
        {
            "name": vocab.ARCHIVE_AXIS_COUNT,
            "name_font": {**CHART_FONT, "bold": False},
            "num_font": CHART_FONT,
            "min": 0,
            "major_unit": _major_unit(max(top, 1)),
            "num_format": "0",
            "major_gridlines": GRIDLINES,
        }
    )
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    return chart


def category_chart(wb: Any, sheet: str, first: int, last: int, *, top: int) -> Any:
    """A bar chart of points by 风险类别 (names in column A, counts in column B)."""
    bar = wb.add_chart({"type": "bar"})
    bar.add_series(
        {
            "name": vocab.ARCHIVE_STATS_CATEGORY_TITLE,
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 1, last, 1],
            "points": [{"fill": {"color": colour}} for colour in CATEGORY_COLOURS],
            "data_labels": {"value": True, "font": CHART_FONT},
            "gap": 60,
        }
    )
    bar.set_title(
        {"name": vocab.ARCHIVE_STATS_CATEGORY_TITLE, "name_font": {**CHART_FONT, "size": 12}}
    )
    bar.set_x_axis(
        {
            "num_font": CHART_FONT,
            "min": 0,
            "num_format": "0",
            "major_unit": _major_unit(max(top, 1)),
            "major_gridlines": GRIDLINES,
        }
    )
    bar.set_y_axis({"num_font": CHART_FONT, "reverse": True})
    bar.set_legend({"none": True})
    return bar


def heat_counts(points: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(危害程度, 发生几率) -> number of points."""
    counts = {(h, lk): 0 for h in vocab.HARMS for lk in vocab.LIKELIHOODS}
    if len(points):
        grouped = points.groupby(["harm", "likelihood"]).size()
        for (harm, likelihood), n in grouped.items():
            if (harm, likelihood) in counts:
                counts[(harm, likelihood)] = int(n)
    return counts


def _stats(
    wb: Any, fmt: _Formats, result: frames.RunResult, points: pd.DataFrame, table: pd.DataFrame
) -> None:
    ws = _sheet(wb, vocab.ARCHIVE_SHEET_STATS)
    body = xlsx.cell_text(result.body_name) or ""
    sheet = vocab.ARCHIVE_SHEET_STATS
    for c, width in enumerate(STATS_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_row(0, 30)
    ws.merge_range(
        0, 0, 0, 4, vocab.ARCHIVE_STATS_TITLE.format(body=body, year=result.year), fmt.title
    )

    # levels by section (``table``: section_summary)
    row = 2
    _subtitle(ws, fmt, row, vocab.ARCHIVE_STATS_LEVELS_TITLE)
    row += 1
    header_row = row
    for c, label in enumerate(
        (vocab.ARCHIVE_SECTION_HEADERS["section"], *vocab.LEVELS, vocab.ARCHIVE_TOTAL_LABEL)
    ):
        ws.write_string(row, c, label, fmt.header)
    for rec in table.itertuples(index=False):
        row += 1
        name = xlsx.cell_text(rec.section) or ""
        lines = styles.text_lines(name, STATS_WIDTHS[0])
        if lines > 1:  # a long section name wraps: the row is tall enough for its lines
            ws.set_row(row, styles.lines_height(lines))
        ws.write_string(row, 0, name, fmt.text)
        for c, lv in enumerate(vocab.LEVELS, start=1):
            ws.write_number(row, c, int(getattr(rec, lv)), fmt.number)
        ws.write_number(row, 4, int(rec.n_points), fmt.number)
    first_data, last_data = header_row + 1, row
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_TOTAL_LABEL, fmt.total_label)
    for c, lv in enumerate(vocab.LEVELS, start=1):
        ws.write_number(row, c, int(table[lv].sum()), fmt.total)
    ws.write_number(row, 4, int(table["n_points"].sum()), fmt.total)

    # heat map
    row += 2
    _subtitle(ws, fmt, row, vocab.ARCHIVE_STATS_HEAT_TITLE)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_MATRIX_CORNER, fmt.header)
    for c, likelihood in enumerate(vocab.LIKELIHOODS, start=1):
        ws.write_string(row, c, likelihood, fmt.header)
    counts = heat_counts(points)
    for harm in vocab.HARMS:
        row += 1
        ws.set_row(row, 30)
        ws.write_string(row, 0, harm, fmt.label)
        for c, likelihood in enumerate(vocab.LIKELIHOODS, start=1):
            level = result.settings.matrix[harm][likelihood] if result.settings else ""
            ws.write_number(row, c, counts[(harm, likelihood)], fmt.heat.get(level, fmt.number))
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_STATS_LEGEND, fmt.plain)
    for c, lv in enumerate(vocab.LEVELS, start=1):
        ws.write_string(row, c, lv, fmt.level[lv])

    # categories
    row += 2
    _subtitle(ws, fmt, row, vocab.ARCHIVE_STATS_CATEGORY_TITLE)
    cat_first, cat_last, by_category = category_counts(ws, fmt, row + 1, points)
    row = cat_last

    if last_data >= first_data:
        top = int(table["n_points"].max())
        chart = level_chart(wb, sheet, header_row, first_data, last_data, top=top, gap=80)
        chart.set_title(
            {"name": vocab.ARCHIVE_STATS_LEVELS_TITLE, "name_font": {**CHART_FONT, "size": 12}}
        )
        chart.set_size({"width": CHART_WIDTH_PX, "height": LEVEL_CHART_HEIGHT_PX})
        ws.insert_chart(2, 6, chart, {"object_position": 2})
    if len(points):
        bar = category_chart(wb, sheet, cat_first, cat_last, top=int(by_category.max()))
        bar.set_size({"width": CHART_WIDTH_PX, "height": 240})
        # placed below the level chart, not at a row: long section names make the table's
        # rows taller, and a chart anchored at a row went down with them onto a second page
        below = LEVEL_CHART_HEIGHT_PX + CHART_GAP_PX
        ws.insert_chart(2, 6, bar, {"object_position": 2, "y_offset": below})
    # a chart spans the columns Excel's 7-pixel unit gives it; LibreOffice widens those too
    chart_units = CHART_WIDTH_PX / 7
    _print_setup(ws, fmt, body, None, [*STATS_WIDTHS, chart_units])
    ws.hide_gridlines(2)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------
def archive_path(result: frames.RunResult, out: Path) -> Path:
    body = xlsx.safe_filename(result.body_name)[:MAX_NAME_CHARS].strip(" .")
    name = vocab.ARCHIVE_FILE_TEMPLATE.format(year=result.year, body=body or xlsx.safe_filename(""))
    return out / name


def write_archive(result: frames.RunResult, out: Path) -> Path:
    """Write the archive workbook into ``out`` atomically and return its path; with
    LibreOffice installed, also its PDF beside it (see ``printing.archive_pdf``)."""
    final = archive_path(result, out)
    points = _sorted_points(result)
    with tempfile.TemporaryDirectory(prefix="lz-archive-") as work, xlsx.atomic_path(final) as tmp:
        base = Path(work) / "base.xlsx"
        wb = xlsx.new_workbook(base)
        wb.set_properties(
            {
                "title": vocab.ARCHIVE_COVER_TITLE.format(body=result.body_name, year=result.year),
                "created": xlsx.FIXED_DATE,
                "author": "lianzheng-risk",
                "company": "",
            }
        )
        fmt = _Formats(wb)
        _cover(wb, fmt, result)
        _catalogue(wb, fmt, result, points)
        _posts(wb, fmt, result)
        _matrix(wb, fmt, result, points)
        summary = section_summary(result)
        _sections(wb, fmt, result, summary)
        _pledges(wb, fmt, result)
        _submissions(wb, fmt, result)
        _notice(wb, fmt, result, points)
        _issues(wb, fmt, result)
        rounds.add_changes_sheet(wb, result)
        # 统计 charts the sections' points: the row of rejected rows of no section has none
        sections_only = summary[summary["section"] != vocab.FEEDBACK_UNKNOWN_SECTION_DIR]
        _stats(wb, fmt, result, points, sections_only)
        history.write_sheet(wb, fmt, result.history)  # 年度对比 ([history] last_archive)
        wb.close()
        fmt.heights.clear()  # the print scales are set: only the queued records are needed
        fmt.point_columns.clear()
        sheetxml.splice(base, tmp, fmt.pending)
    printing.archive_pdf(final, len(points))
    return final
