"""The district workbook ``combine`` writes: ``<year>_各单位廉政风险信息汇总.xlsx``.

Small sheets (cover, per-body table, heat map) through xlsxwriter; the catalogue and the 一级
points, which run to hundreds of thousands of rows for a district, as sheet XML spliced in after
``close()`` (``sheetxml``), like the archive. Charts are native Excel charts.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline import sheetxml, styles, vocab, xlsx
from pipeline.styles import BORDER_COLOUR, HEADER_FILL, LEVEL_FILLS, REJECT_FILL, WARN_FILL
from pipeline.write_archive import CHART_FONT, category_chart, category_counts, level_chart

if TYPE_CHECKING:
    from pipeline.combine import Combined

# The district's catalogue: what the commission reads (a body's 自评等级, 评定依据 and its own
# source files stay in that body's archive, named in 来源档案).
CATALOGUE_KEYS = (
    "body",
    "section",
    "post",
    "name",
    "step",
    "category",
    "description",
    "likelihood",
    "harm",
    "level",
    "direct",
    "leader",
    "measure",
    "prevent",
    "monitor",
    "handle",
    "file",
)
MAJOR_KEYS = (
    "body",
    "section",
    "post",
    "name",
    "step",
    "category",
    "description",
    "level",
    "direct",
    "leader",
    "measure",
    "prevent",
    "monitor",
    "handle",
)
HEADERS = {
    "body": vocab.COMBINE_BODY_LABEL,
    **vocab.CATALOGUE_COLUMNS,
    "file": vocab.COMBINE_SOURCE_LABEL,
}
KINDS = {  # (kind, max width) of each column
    "body": ("text", 16),
    "section": ("text", 12),
    "post": ("text", 12),
    "name": ("text", 10),
    "step": ("text", 14),
    "category": ("center", 14),
    "description": ("text", 30),
    "likelihood": ("center", 6),
    "harm": ("center", 6),
    "level": ("level", 6),
    "direct": ("center", 10),
    "leader": ("center", 10),
    "measure": ("center", 8),
    "prevent": ("text", 22),
    "monitor": ("text", 22),
    "handle": ("text", 22),
    "file": ("text", 22),
}
WIDTH_CAP = {"text": 36, "center": 14}


FONT_SIZE = 11  # the district workbook's text


class _Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": xlsx.FONT_NAME, "font_size": FONT_SIZE, "valign": "top"}
        cell = {**base, "border": 1, "border_color": BORDER_COLOUR}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "valign": "vcenter"})
        self.subtitle = wb.add_format({**base, "bold": True, "font_size": 12})
        self.plain = wb.add_format(base)
        self.header = wb.add_format(
            {**cell, "bold": True, "bg_color": HEADER_FILL, "align": "center", "text_wrap": True}
        )
        self.label = wb.add_format({**cell, "bold": True, "bg_color": HEADER_FILL})
        self.text = wb.add_format({**cell, "text_wrap": True})
        self.flat = wb.add_format(cell)  # one line per row (the big catalogue)
        self.center = wb.add_format({**cell, "align": "center", "text_wrap": True})
        self.number = wb.add_format({**cell, "align": "right", "num_format": "0"})
        self.total = wb.add_format({**cell, "bold": True, "num_format": "0"})
        self.level = {
            lv: wb.add_format({**cell, "align": "center", "bg_color": fill})
            for lv, fill in LEVEL_FILLS.items()
        }
        self.heat = {
            lv: wb.add_format(
                {**cell, "align": "center", "valign": "vcenter", "bg_color": fill, "bold": True}
            )
            for lv, fill in LEVEL_FILLS.items()
        }
        self.reject = wb.add_format({**cell, "bg_color": REJECT_FILL, "text_wrap": True})
        self.warn = wb.add_format({**cell, "bg_color": WARN_FILL, "text_wrap": True})
        self.missing = wb.add_format({**cell, "bg_color": REJECT_FILL, "text_wrap": True})

    def of(self, kind: str) -> Any:
        return {"text": self.text, "center": self.center, "level": self.center}.get(
            kind, self.number
        )


# the district's text is 11 pt: the scale at which it still prints at 8 pt
MIN_SCALE = math.ceil(100 * styles.MIN_PRINTED_PT / FONT_SIZE)
CHART_UNIT_PX = 7  # pixels of one column unit, as a chart's width is laid over columns


def _print_setup(ws: Any, widths: Sequence[float], repeat: bool = True) -> None:
    """A4 landscape at an explicit scale (never fit-to-page, which shrinks a wide table's
    text far below 8 pt): the columns one page wide where that keeps 8 pt, else spread."""
    scale = styles.print_scale(widths, minimum=MIN_SCALE)
    styles.page_setup(ws, scale=scale, repeat_rows=(0, 0) if repeat else None)


def _big_table(
    ws: Any,
    fmt: _Formats,
    pending: list[sheetxml.Rows],
    cells: dict[str, list[str | None]],
    keys: Sequence[str],
    fit_rows: bool = True,
) -> None:
    """Header through xlsxwriter, records queued as sheet XML; level cells coloured. With
    ``fit_rows`` rows are as tall as their wrapped text (for print), else one line each (the
    district catalogue: hundreds of thousands of rows, filtered on screen, not printed).
    ``cells`` holds each key's column of safe cell texts (``sheetxml.texts``)."""
    values = [cells[k] for k in keys]
    n = len(values[0]) if values else 0
    widths = []
    for c, key in enumerate(keys):
        kind, cap = KINDS.get(key, ("text", 24))
        width = xlsx.fit_width(values[c], "", 6, cap)
        width = max(width, min(xlsx.display_width(HEADERS[key]) + 2, cap))
        ws.set_column(c, c, width)
        widths.append(width)
        ws.write_string(0, c, HEADERS[key], fmt.header)
    ws.set_row(0, 2 * sheetxml.LINE_HEIGHT + 4)
    styles: list[int | list[int]] = []
    for key, column in zip(keys, values, strict=True):
        kind = KINDS.get(key, ("text", 24))[0]
        if key == "level":
            xf = {lv: sheetxml.xf(f) for lv, f in fmt.level.items()}
            base = sheetxml.xf(fmt.center)
            styles.append(pd.Series(column, dtype=object).map(xf).fillna(base).astype(int).tolist())
        else:
            styles.append(sheetxml.xf(fmt.of(kind) if fit_rows else fmt.flat))
    if n:
        pending.append(
            sheetxml.Rows(
                sheet_number=ws.index + 1,
                header_row=0,
                values=[list(v) for v in values],
                styles=styles,
                heights=(
                    sheetxml.row_heights(values, widths, [True] * len(keys)).tolist()
                    if fit_rows
                    else [sheetxml.DEFAULT_ROW_HEIGHT] * n
                ),
            )
        )
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(n, 1), len(keys) - 1)
    _print_setup(ws, widths)


def _small_table(
    ws: Any, fmt: _Formats, row: int, frame: pd.DataFrame, headers: dict[str, str]
) -> int:
    """A table written cell by cell (a few hundred rows at most); returns the next row."""
    keys = list(headers)
    for c, key in enumerate(keys):
        ws.write_string(row, c, headers[key], fmt.header)
    for rec in frame.to_dict("records"):
        row += 1
        missing = rec.get("status") == vocab.COMBINE_STATUS_MISSING
        for c, key in enumerate(keys):
            value = rec.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(row, c, value, fmt.number)
            else:
                text = xlsx.cell_text(value) or ""
                ws.write_string(row, c, text, fmt.missing if missing else fmt.text)
    return row + 1


def _widths(ws: Any, frame: pd.DataFrame, headers: dict[str, str]) -> list[float]:
    widths = []
    for c, key in enumerate(headers):
        values = frame[key].tolist() if key in frame.columns else []
        widths.append(xlsx.fit_width(values, headers[key], 8, 40))
        ws.set_column(c, c, widths[-1])
    return widths


COVER_WIDTHS = (30, 20, 12, 12, 12, 12)
STATS_WIDTHS = (24, 11, 11, 11, 11, 8.43)  # the tables; the charts start in column G


def _cover(wb: Any, fmt: _Formats, result: Combined, run_time: str) -> None:
    ws = wb.add_worksheet(vocab.COMBINE_SHEET_COVER)
    for c, width in enumerate(COVER_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, 5, vocab.COMBINE_TITLE.format(year=result.year), fmt.title)
    statuses = [f.status for f in result.filed]
    n_rejected = int((result.issues["action"] == vocab.ACTION_REJECT).sum())
    files_text = vocab.COMBINE_FILES_TEXT.format(
        total=len(result.filed) + n_rejected,
        current=statuses.count("current"),
        stale=statuses.count("stale"),
        duplicate=statuses.count("duplicate"),
        other_year=statuses.count("other_year"),
        rejected=n_rejected,
    )
    info = {"year": str(result.year), "run_time": run_time.replace("T", " "), "files": files_text}
    row = 2
    for key, label in vocab.COMBINE_INFO.items():
        ws.write_string(row, 0, label, fmt.label)
        ws.merge_range(row, 1, row, 5, info[key], fmt.text)
        row += 1
    row += 1
    ws.write_string(row, 0, vocab.COMBINE_COUNTS_TITLE, fmt.subtitle)
    row += 1
    for key, n in counts(result).items():
        ws.write_string(row, 0, vocab.COMBINE_COUNT_LABELS[key], fmt.label)
        ws.write_number(row, 1, n, fmt.number)
        row += 1
    row += 1
    ws.write_string(row, 0, vocab.COMBINE_BODIES_TITLE, fmt.subtitle)
    row += 1
    headers = {
        k: vocab.COMBINE_BODY_HEADERS[k] for k in ("body", "status", "n_points", *vocab.LEVELS)
    }
    row = _small_table(ws, fmt, row, result.bodies, headers)
    row += 1
    ws.write_string(row, 0, vocab.COMBINE_SHEETS_TITLE, fmt.subtitle)
    row += 1
    for sheet, text in vocab.COMBINE_SHEET_HELP.items():
        ws.write_string(row, 0, sheet, fmt.label)
        ws.merge_range(row, 1, row, 5, text, fmt.text)
        row += 1
    _print_setup(ws, COVER_WIDTHS, repeat=False)
    ws.hide_gridlines(2)
    ws.activate()


def counts(result: Combined) -> dict[str, int]:
    """The cover's counts (also what the command line prints)."""
    bodies = result.bodies
    status = bodies["status"] if len(bodies) else pd.Series([], dtype="str")
    levels = result.points["level"] if len(result.points) else pd.Series([], dtype="str")
    out = {
        "expected": len(result.expected),
        "filed": int((status != vocab.COMBINE_STATUS_MISSING).sum()),
        "missing": int((status == vocab.COMBINE_STATUS_MISSING).sum()),
        "unexpected": int((status == vocab.COMBINE_STATUS_UNEXPECTED).sum()),
        "stale": sum(f.status == "stale" for f in result.filed),
        "rejected": int((result.issues["action"] == vocab.ACTION_REJECT).sum()),
        "points": len(result.points),
        **{lv: int((levels == lv).sum()) for lv in vocab.LEVELS},
    }
    if not result.expected:
        del out["expected"], out["missing"], out["unexpected"]
    return out


def _stats(wb: Any, fmt: _Formats, result: Combined) -> None:
    name = vocab.COMBINE_SHEET_STATS
    ws = wb.add_worksheet(name)
    for c, width in enumerate(STATS_WIDTHS[:5]):
        ws.set_column(c, c, width)
    chart_px = 0
    ws.merge_range(0, 0, 0, 4, vocab.COMBINE_TITLE.format(year=result.year), fmt.title)
    points = result.points
    # heat map: 危害程度 rows × 发生几率 columns, coloured by the level the default matrix gives
    row = 2
    ws.write_string(row, 0, vocab.ARCHIVE_STATS_HEAT_TITLE, fmt.subtitle)
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_MATRIX_CORNER, fmt.header)
    for c, lk in enumerate(vocab.LIKELIHOODS, start=1):
        ws.write_string(row, c, lk, fmt.header)
    grouped = points.groupby(["harm", "likelihood"]).size() if len(points) else pd.Series()
    from pipeline.combine import MATRIX, counted_categories

    for harm in vocab.HARMS:
        row += 1
        ws.set_row(row, 30)
        ws.write_string(row, 0, harm, fmt.label)
        for c, lk in enumerate(vocab.LIKELIHOODS, start=1):
            n = int(grouped.get((harm, lk), 0))
            ws.write_number(row, c, n, fmt.heat[MATRIX[harm][lk]])
    row += 1
    ws.write_string(row, 0, vocab.ARCHIVE_STATS_LEGEND, fmt.plain)
    for c, lv in enumerate(vocab.LEVELS, start=1):
        ws.write_string(row, c, lv, fmt.level[lv])
    in_map = int(sum(grouped.get((h, lk), 0) for h in vocab.HARMS for lk in vocab.LIKELIHOODS))
    if in_map < len(points):  # hand-made catalogues seldom give 发生几率 and 危害程度
        row += 1
        note = vocab.COMBINE_HEAT_LEFT_OUT.format(n=len(points) - in_map, total=len(points))
        ws.merge_range(row, 0, row, 4, note, fmt.plain)
    # categories
    row += 2
    ws.write_string(row, 0, vocab.ARCHIVE_STATS_CATEGORY_TITLE, fmt.subtitle)
    counted = points.assign(category=counted_categories(points)) if len(points) else points
    cat_first, cat_last, by_cat = category_counts(ws, fmt, row + 1, counted)
    row = cat_last
    # levels by body (the data the column chart reads)
    row += 2
    ws.write_string(row, 0, vocab.COMBINE_STATS_LEVELS_TITLE, fmt.subtitle)
    row += 1
    header_row = row
    ws.write_string(row, 0, vocab.COMBINE_BODY_LABEL, fmt.header)
    for c, lv in enumerate(vocab.LEVELS, start=1):
        ws.write_string(row, c, lv, fmt.header)
    filed = result.bodies[result.bodies["status"] != vocab.COMBINE_STATUS_MISSING]
    for rec in filed.to_dict("records"):
        row += 1
        ws.write_string(row, 0, xlsx.cell_text(rec["body"]) or "", fmt.text)
        for c, lv in enumerate(vocab.LEVELS, start=1):
            ws.write_number(row, c, int(rec[lv]), fmt.number)
    first, last = header_row + 1, row

    if last >= first:
        top = int(filed["n_points"].max()) if len(filed) else 1
        chart = level_chart(wb, name, header_row, first, last, top=top, gap=60)
        chart.set_title(
            {"name": vocab.COMBINE_STATS_LEVELS_TITLE, "name_font": {**CHART_FONT, "size": 12}}
        )
        chart.set_x_axis({"num_font": {**CHART_FONT, "rotation": -45}})
        chart_px = max(620, min(40 * (last - first + 1), 2400))
        chart.set_size({"width": chart_px, "height": 360})
        ws.insert_chart(2, 6, chart, {"object_position": 2})
    if len(points):
        top = int(by_cat.max()) if len(by_cat) else 1
        bar = category_chart(wb, name, cat_first, cat_last, top=top)
        bar.set_size({"width": 620, "height": 280})
        ws.insert_chart(22, 6, bar, {"object_position": 2})
        chart_px = max(chart_px, 620)
    _print_setup(ws, [*STATS_WIDTHS, chart_px / CHART_UNIT_PX], repeat=False)
    ws.hide_gridlines(2)


def _issues(wb: Any, fmt: _Formats, result: Combined) -> None:
    ws = wb.add_worksheet(vocab.COMBINE_SHEET_ISSUES)
    headers = {k: v for k, v in vocab.ISSUE_COLUMNS.items()}
    issues = result.issues
    widths = []
    for c, (key, label) in enumerate(headers.items()):
        values = issues[key].tolist() if key in issues.columns else []
        cap = 50 if key in ("problem", "fix") else 24
        widths.append(xlsx.fit_width(values, label, 8, cap))
        ws.set_column(c, c, widths[-1])
        ws.write_string(0, c, label, fmt.header)
    for r, rec in enumerate(issues.to_dict("records"), start=1):
        style = fmt.reject if rec["action"] == vocab.ACTION_REJECT else fmt.warn
        for c, key in enumerate(headers):
            ws.write_string(r, c, xlsx.cell_text(rec.get(key, "")) or "", style)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(issues), 1), len(headers) - 1)
    _print_setup(ws, widths)


def _texts(frame: pd.DataFrame, key: str) -> list[str | None]:
    return sheetxml.texts(frame[key]) if key in frame.columns else [None] * len(frame)


def _take(values: list[str | None], rows: np.ndarray) -> list[str | None]:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array[rows].tolist()


def district_path(result: Combined, out: Path) -> Path:
    return out / vocab.COMBINE_FILE_TEMPLATE.format(year=result.year)


def write_district(result: Combined, out: Path, run_time: str) -> Path:
    """Write the district workbook into ``out`` atomically and return its path."""
    final = district_path(result, out)
    points = result.points
    with (
        tempfile.TemporaryDirectory(prefix="lz-district-") as work,
        xlsx.atomic_path(final) as tmp,
    ):
        base = Path(work) / "base.xlsx"
        wb = xlsx.new_workbook(base)
        wb.set_custom_property(vocab.OUTPUT_PROPERTY, vocab.OUTPUT_DISTRICT)  # not a form
        wb.set_properties(
            {
                "title": vocab.COMBINE_TITLE.format(year=result.year),
                "created": xlsx.FIXED_DATE,
                "author": "lianzheng-risk",
                "company": "",
            }
        )
        fmt = _Formats(wb)
        pending: list[sheetxml.Rows] = []
        _cover(wb, fmt, result, run_time)
        ws = wb.add_worksheet(vocab.COMBINE_SHEET_BODIES)
        body_headers = dict(vocab.COMBINE_BODY_HEADERS)
        if vocab.UNCATEGORISED in result.bodies:  # bodies filed points without a 风险类别
            body_headers[vocab.UNCATEGORISED] = vocab.UNCATEGORISED
        widths = _widths(ws, result.bodies, body_headers)
        _small_table(ws, fmt, 0, result.bodies, body_headers)
        ws.freeze_panes(1, 1)
        _print_setup(ws, widths)
        # each column's cell texts once, for the catalogue and (a slice) the 一级 points
        cells = {k: _texts(points, k) for k in CATALOGUE_KEYS}
        major_rows = np.flatnonzero((points["level"] == vocab.LEVELS[0]).to_numpy(bool))
        major = {k: _take(cells[k], major_rows) for k in MAJOR_KEYS}
        _big_table(wb.add_worksheet(vocab.COMBINE_SHEET_MAJOR), fmt, pending, major, MAJOR_KEYS)
        sheet = wb.add_worksheet(vocab.COMBINE_SHEET_CATALOGUE)
        _big_table(sheet, fmt, pending, cells, CATALOGUE_KEYS, fit_rows=False)
        _stats(wb, fmt, result)
        ws = wb.add_worksheet(vocab.COMBINE_SHEET_FILING)
        widths = _widths(ws, result.bodies, vocab.COMBINE_FILING_HEADERS)
        _small_table(ws, fmt, 0, result.bodies, vocab.COMBINE_FILING_HEADERS)
        ws.freeze_panes(1, 1)
        _print_setup(ws, widths)
        _issues(wb, fmt, result)
        wb.close()
        sheetxml.splice(base, tmp, pending)
    return final
