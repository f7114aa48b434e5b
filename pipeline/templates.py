"""Blank forms (input_templates/) and the writer of filled forms used by demo.py.

One function writes both: a template is a form with no rows. Where every cell goes is declared
once in ``formlayout`` (title in row 1, header block in row 2, table header in row 3, data from
row 4; sheets in the order main sheet, 廉政承诺书 (individual only), 填表说明, hidden 可选值).
Reading never relies on these positions; writing always produces exactly them.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from pipeline import formlayout, styles, vocab, xlsx
from pipeline.config import Settings, default_settings

TEMPLATE_FILES = {
    vocab.INDIVIDUAL: f"{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx",
    vocab.UNIT: f"{vocab.FORM_TITLES[vocab.UNIT]}.xlsx",
}
ROSTER_TEMPLATE_FILE = f"{vocab.ROSTER_TITLE}.xlsx"

TEMPLATE_ROWS = 30  # empty input rows of a blank form
PLEDGE_ITEM_WIDTH = 86
ROSTER_NOTES_WIDTH = 110
ROSTER_VALIDATION_ROWS = 500  # roster dropdowns reach this far below the last person

# Column widths in Excel character units (a CJK character counts 2).
# Narrow enough that the unit form (the wider) prints one A4 page wide with its 11 pt text at
# 8 pt or more (styles.py); text wraps and rows grow as people type.
COLUMN_WIDTHS = {
    "seq": 5,
    "step": 14,
    "posts_involved": 12,
    "category": 12,
    "description": 30,
    "likelihood": 7,
    "harm": 8,
    "self_level": 7,
    "prevent": 15,
    "monitor": 15,
    "handle": 15,
    "remark": 10,
}
CENTERED_COLUMNS = frozenset({"seq", "category", "likelihood", "harm", "self_level"})
DATE_KEYS = frozenset({"date", "pledge_date"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FONT_SIZE = 11
LINE_HEIGHT = styles.line_height(FONT_SIZE)  # points per line of 11-point 宋体
MIN_SCALE = math.ceil(100 * styles.MIN_PRINTED_PT / FONT_SIZE)  # 11 pt prints at 8 pt
ONE_LINE_ROW = LINE_HEIGHT  # a one-line row as LibreOffice prints 11 pt text (Excel: 15 pt)
MIN_BLANK_ROWS = 3  # blank rows under filled ones may stop at the page's end, but not fewer
LEVEL_COLOURS = dict(zip(vocab.LEVELS, ("#F8CBAD", "#FFE699", "#C6E0B4"), strict=True))
HEADER_FILL = "#D9E1F2"
LABEL_FILL = "#F2F2F2"

# Protection without a password: users may format, resize and insert/delete rows, but the
# labels and table header cannot be overwritten by accident.
PROTECTION = {
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "delete_rows": True,
    "sort": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


# --------------------------------------------------------------------------------------
# Formats (built once per workbook)
# --------------------------------------------------------------------------------------
def _formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": xlsx.FONT_NAME, "font_size": FONT_SIZE, "valign": "vcenter"}
    border = {"border": 1}

    def fmt(**props: Any) -> Any:
        return wb.add_format({**base, **props})

    f = {
        "title": fmt(bold=True, font_size=16, align="center"),
        "label": fmt(bold=True, align="center", bg_color=LABEL_FILL, text_wrap=True, **border),
        "value": fmt(locked=False, text_wrap=True, align="left", indent=1, **border),
        "value_date": fmt(locked=False, num_format="yyyy-mm-dd", align="left", indent=1, **border),
        # pre-filled from the roster (prefill): locked, on the label's grey
        "value_locked": fmt(text_wrap=True, align="left", indent=1, bg_color=LABEL_FILL, **border),
        "th": fmt(bold=True, align="center", text_wrap=True, bg_color=HEADER_FILL, **border),
        "text": fmt(locked=False, text_wrap=True, align="left", indent=1, **border),
        "center": fmt(locked=False, align="center", text_wrap=True, **border),
        "date": fmt(locked=False, num_format="yyyy-mm-dd", align="center", **border),
        "plain": fmt(),
        "note": fmt(text_wrap=True, align="left"),
        "heading": fmt(bold=True, font_size=12),
        "cell": fmt(text_wrap=True, **border),
        "cell_center": fmt(align="center", text_wrap=True, **border),
        "number": fmt(align="center", **border),
    }
    for level, colour in LEVEL_COLOURS.items():
        f[level] = fmt(align="center", bold=True, bg_color=colour, **border)
    return f


# --------------------------------------------------------------------------------------
# Cell writing
# --------------------------------------------------------------------------------------
def _as_date(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return datetime.strptime(value.strip(), "%Y-%m-%d")
        except ValueError:
            return None
    return None


def _write(ws: Any, row: int, col: int, value: object, fmt: Any, date_fmt: Any = None) -> None:
    """Write one user value: dates (when ``date_fmt`` is given) as date cells, numbers as
    numbers, everything else as text (never a formula or link)."""
    if xlsx.is_missing(value) or value == "":
        ws.write_blank(row, col, None, fmt)
        return
    if date_fmt is not None:
        when = _as_date(value)
        if when is not None:
            ws.write_datetime(row, col, when, date_fmt)
            return
    if isinstance(value, bool):
        ws.write_string(row, col, xlsx.output_value(value), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, date):  # a date outside a date field: show it, not its serial
        ws.write_string(row, col, value.isoformat()[:10], fmt)
    else:
        ws.write_string(row, col, xlsx.cell_text(value), fmt)


def _write_value(
    ws: Any, row: int, first: int, last: int, value: object, fmt: Any, date_fmt: Any = None
) -> None:
    """A header value cell, merged over ``first..last`` when wider than one column."""
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    _write(ws, row, first, value, fmt, date_fmt)


@lru_cache(maxsize=8192)  # the guide's texts repeat in every form the demo writes
def _lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column ``width`` characters wide."""
    usable = max(int(width) - 1, 1)
    return sum(max(1, -(-xlsx.display_width(line) // usable)) for line in text.split("\n"))


def _fit_row(ws: Any, row: int, values: list[object], widths: list[float]) -> float:
    """Size a row for its wrapped text: neither Excel nor LibreOffice re-fits rows on opening
    a file, so without this long text is cut off on screen and in print. Returns the height
    the row prints at (a one-line row: as much as a renderer may give it)."""
    lines = max(
        _lines(v, w) if isinstance(v, str) else 1 for v, w in zip(values, widths, strict=True)
    )
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines + 4)
        return LINE_HEIGHT * lines + 4
    return ONE_LINE_ROW


def _merged_text(ws: Any, row: int, last_col: int, text: str, fmt: Any, width: float) -> None:
    """A paragraph merged across the sheet; merged cells never auto-fit, so size the row."""
    ws.merge_range(row, 0, row, last_col, text, fmt)
    _fit_row(ws, row, [text], [width])


def _range(col: int, first_row: int, last_row: int) -> str:
    letter = xl_col_to_name(col, col_abs=True)
    return f"'{vocab.SHEET_LISTS}'!{letter}${first_row + 1}:{letter}${last_row + 1}"


def _hint(ws: Any, r1: int, c1: int, r2: int, c2: int, title: str, message: str) -> None:
    ws.data_validation(
        r1,
        c1,
        r2,
        c2,
        {"validate": "any", "input_title": title[:32], "input_message": message[:255]},
    )


def _dropdown(
    ws: Any,
    r1: int,
    c1: int,
    r2: int,
    c2: int,
    title: str,
    values: tuple[str, ...],
    source: str | None = None,
) -> None:
    """A list validation offering ``values``: read from the range ``source`` when given (a
    list typed into the validation itself is limited to 255 characters), else typed in."""
    message = vocab.MESSAGES["bad_enum"].fix.format(allowed=vocab.allowed_text(values))[:255]
    ws.data_validation(
        r1,
        c1,
        r2,
        c2,
        {
            "validate": "list",
            "source": "=" + source if source else list(values),
            "input_title": title[:32],
            "input_message": message,
            "error_title": vocab.FORM_ERROR_TITLE_ENUM,
            "error_message": message,
            "error_type": "stop",
        },
    )


def _print_setup(
    ws: Any, widths: list[float], landscape: bool = True, repeat: tuple[int, int] | None = None
) -> None:
    """A4 at an explicit scale that fits the columns one page wide and keeps the text at 8 pt
    or more. No print area: a filled form or roster prints every row people added."""
    scale = styles.print_scale(widths, landscape=landscape, minimum=MIN_SCALE)
    styles.page_setup(ws, scale=scale, sheet_name=False, landscape=landscape, repeat_rows=repeat)
    ws.center_horizontally()


# --------------------------------------------------------------------------------------
# Sheets of a form
# --------------------------------------------------------------------------------------
def _lists(choices: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """The 可选值 sheet's lists: the enums, then any header field's choices (prefill)."""
    return {**vocab.ENUMS, **{f"header:{k}": v for k, v in (choices or {}).items() if v}}


def _list_refs(choices: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """List key -> its range on the 可选值 sheet (one column per list, values from row 2)."""
    return {
        key: _range(col, 1, len(values))
        for col, (key, values) in enumerate(_lists(choices).items())
    }


def _write_lists(
    wb: Any, f: dict[str, Any], choices: dict[str, tuple[str, ...]] | None = None
) -> None:
    """The hidden 可选值 sheet the dropdowns read (a list typed into the validation itself is
    limited to 255 characters)."""
    ws = wb.add_worksheet(vocab.SHEET_LISTS)
    for col, (key, values) in enumerate(_lists(choices).items()):
        label = key.removeprefix("header:")
        label = (
            vocab.HEADER_LABELS[label] if key.startswith("header:") else vocab.COLUMN_LABELS[key]
        )
        ws.write_string(0, col, label, f["plain"])
        for i, value in enumerate(values, start=1):
            ws.write_string(i, col, value, f["plain"])
        ws.set_column(col, col, max(xlsx.display_width(v) for v in values) + 4)
    ws.hide()
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _column_width(key: str) -> float:
    """Preset width, widened so the column's label fits on at most two lines."""
    return float(max(COLUMN_WIDTHS[key], xlsx.display_width(vocab.COLUMN_LABELS[key]) // 2 + 3))


def _write_main(
    wb: Any,
    f: dict[str, Any],
    kind: str,
    header: dict[str, Any],
    rows: list[dict[str, Any]],
    blank_rows: int,
    refs: dict[str, str],
    locked: frozenset[str] = frozenset(),
    choices: dict[str, tuple[str, ...]] | None = None,
) -> None:
    columns = formlayout.COLUMNS[kind]
    last_col = len(columns) - 1
    ws = wb.add_worksheet(vocab.MAIN_SHEET[kind])
    widths = [_column_width(key) for key in columns]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    title_row, header_row = formlayout.TITLE_ROW, formlayout.HEADER_ROW
    table_header_row, first_data_row = formlayout.TABLE_HEADER_ROW, formlayout.FIRST_DATA_ROW
    ws.set_row(title_row, 36)
    # a label may wrap onto two lines; a long value (a prefilled section of 60 characters)
    # onto more: size the row for the tallest, as neither Excel nor LibreOffice re-fits it
    header_lines = max(
        (
            _lines(xlsx.cell_text(header[c.key]), sum(widths[c.first_col : c.last_col + 1]))
            for c in formlayout.HEADER_BLOCK[kind]
            if isinstance(header.get(c.key), str) and header[c.key]
        ),
        default=2,
    )
    header_height = max(36, LINE_HEIGHT * header_lines + 4)
    ws.set_row(header_row, header_height)
    ws.set_row(table_header_row, 36)
    ws.merge_range(title_row, 0, title_row, last_col, vocab.FORM_TITLES[kind], f["title"])

    for key, label_col, first, last in formlayout.HEADER_BLOCK[kind]:
        ws.write_string(header_row, label_col, vocab.HEADER_LABELS[key], f["label"])
        date_fmt = f["value_date"] if key in DATE_KEYS else None
        value_fmt = f["value_locked"] if key in locked else f["value"]
        _write_value(ws, header_row, first, last, header.get(key), value_fmt, date_fmt)
        label = vocab.HEADER_LABELS[key]
        if choices and choices.get(key):  # a roster list (prefill): the value is one of them
            source = refs[f"header:{key}"]
            _dropdown(ws, header_row, first, header_row, last, label, choices[key], source)
        else:
            hint = vocab.FORM_PREFILLED_HINT if key in locked else vocab.FORM_HEADER_HINTS[key]
            _hint(ws, header_row, first, header_row, last, label, hint)

    for col, key in enumerate(columns):
        ws.write_string(table_header_row, col, vocab.COLUMN_LABELS[key], f["th"])

    col_fmt = [f["center"] if key in CENTERED_COLUMNS else f["text"] for key in columns]
    row = first_data_row
    heights = []
    for n, record in enumerate(rows, start=1):
        values = [record.get(key, n) if key == "seq" else record.get(key) for key in columns]
        for col, value in enumerate(values):
            _write(ws, row, col, value, col_fmt[col])
        heights.append(_fit_row(ws, row, values, widths))
        row += 1
    scale = styles.print_scale(widths, minimum=MIN_SCALE)
    repeat = 36 + header_height + 36  # title, header block and table header, on every page
    extra = (
        _blank_rows(heights, blank_rows, repeat, scale) if rows else max(blank_rows, TEMPLATE_ROWS)
    )
    for _ in range(extra):
        for col in range(len(columns)):
            ws.write_blank(row, col, None, col_fmt[col])
        row += 1
    last_row = max(row - 1, table_header_row)

    if row > first_data_row:
        for col, key in enumerate(columns):
            label = vocab.COLUMN_LABELS[key]
            if key in refs:
                values = vocab.ENUMS[key]
                _dropdown(ws, first_data_row, col, last_row, col, label, values, refs[key])
            elif key in vocab.FORM_COLUMN_HINTS:
                _hint(ws, first_data_row, col, last_row, col, label, vocab.FORM_COLUMN_HINTS[key])

    ws.freeze_panes(first_data_row, 0)
    _print_setup(ws, widths, repeat=formlayout.PRINT_TITLE_ROWS)
    ws.protect("", PROTECTION)


def _blank_rows(heights: list[float], wanted: int, repeat: float, scale: int) -> int:
    """Blank rows under filled ones: ``wanted``, but only as many as still fit on the page
    where the filled rows end, when at least MIN_BLANK_ROWS do (never a page holding only
    the header over a few empty rows)."""
    room = styles.printable_height() * 100 / scale
    used = repeat
    for h in heights:
        if used + h > room and used > repeat:
            used = repeat
        used += h
    fit = int((room - used) // ONE_LINE_ROW)
    return min(wanted, fit) if fit >= MIN_BLANK_ROWS else wanted


def _write_pledge(
    wb: Any,
    f: dict[str, Any],
    items: list[str] | None,
    pledger: object,
    pledge_date: object,
) -> None:
    fl = formlayout
    label_col, value_col = fl.PLEDGE_LABEL_COL, fl.PLEDGE_VALUE_COL
    first_item = fl.PLEDGE_FIRST_ITEM_ROW
    ws = wb.add_worksheet(vocab.SHEET_PLEDGE)
    ws.set_column(label_col, label_col, 12)
    ws.set_column(value_col, value_col, PLEDGE_ITEM_WIDTH)
    ws.set_row(fl.PLEDGE_TITLE_ROW, 36)
    ws.merge_range(
        fl.PLEDGE_TITLE_ROW,
        label_col,
        fl.PLEDGE_TITLE_ROW,
        value_col,
        vocab.PLEDGE_TITLE,
        f["title"],
    )
    intro, width = vocab.FORM_PLEDGE_INTRO, PLEDGE_ITEM_WIDTH + 12
    _merged_text(ws, fl.PLEDGE_INTRO_ROW, value_col, intro, f["note"], width)
    ws.write_string(fl.PLEDGE_HEADER_ROW, label_col, vocab.COLUMN_LABELS["seq"], f["th"])
    ws.write_string(fl.PLEDGE_HEADER_ROW, value_col, vocab.PLEDGE_ITEMS_LABEL, f["th"])
    items = list(items or [])
    n_items = fl.pledge_item_count(len(items))
    for i in range(n_items):
        item = items[i] if i < len(items) else None
        ws.write_number(first_item + i, label_col, i + 1, f["number"])
        _write(ws, first_item + i, value_col, item, f["text"])
        height = max(24, LINE_HEIGHT * _lines(item or "", PLEDGE_ITEM_WIDTH) + 4)
        ws.set_row(first_item + i, height)
    last_item = first_item + n_items - 1
    hint = vocab.FORM_PLEDGE_ITEM_HINT
    _hint(ws, first_item, value_col, last_item, value_col, vocab.PLEDGE_ITEMS_LABEL, hint)
    values = {"pledger": pledger, "pledge_date": pledge_date}
    for key, row in fl.pledge_sign_rows(len(items)).items():
        ws.set_row(row, 24)
        ws.write_string(row, label_col, vocab.PLEDGE_LABELS[key], f["label"])
        date_fmt = f["value_date"] if key in DATE_KEYS else None
        _write(ws, row, value_col, values[key], f["value"], date_fmt)
        label, hint = vocab.PLEDGE_LABELS[key], vocab.FORM_HEADER_HINTS[key]
        _hint(ws, row, value_col, row, value_col, label, hint)
    _print_setup(ws, [12, PLEDGE_ITEM_WIDTH], landscape=False, repeat=(0, 0))
    ws.protect("", PROTECTION)


@lru_cache(maxsize=1)
def _default_rules() -> Settings:
    return default_settings()  # validated once: demo-data writes thousands of forms


def _guide_columns(kind: str) -> list[str]:
    skip = {"seq", "category", "remark"}
    return ["category", "meaning"] + [k for k in formlayout.COLUMNS[kind] if k not in skip]


def _write_guide(wb: Any, f: dict[str, Any], kind: str, settings: Settings | None) -> None:
    """The 填表说明 sheet; its matrix, floors, supervision and deadlines are ``settings``'
    (prefill: the body's settings.toml), else the defaults (the blank templates)."""
    rules = settings or _default_rules()
    ws = wb.add_worksheet(vocab.SHEET_GUIDE)
    columns = _guide_columns(kind)
    last_col = len(columns) - 1
    preset = {**COLUMN_WIDTHS, "meaning": 20, "category": 14, "description": 22}
    widths = [float(preset[key]) for key in columns]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    total = sum(widths)
    ws.set_row(0, 36)
    ws.merge_range(0, 0, 0, last_col, vocab.SHEET_GUIDE, f["title"])
    row = 2

    def heading(text: str) -> None:
        nonlocal row
        ws.set_row(row, 22)
        ws.write_string(row, 0, text, f["heading"])
        row += 1

    def paragraph(text: str) -> None:
        nonlocal row
        _merged_text(ws, row, last_col, text, f["note"], total)
        row += 1

    def table_row(values: list[object], fmts: list[Any]) -> None:
        nonlocal row
        for col, (value, fmt) in enumerate(zip(values, fmts, strict=True)):
            _write(ws, row, col, value, fmt)
        _fit_row(ws, row, values, widths[: len(values)])
        row += 1

    headings = iter(vocab.GUIDE_HEADINGS)
    heading(next(headings))
    for step in vocab.GUIDE_STEPS[kind]:
        paragraph(step)
    row += 1

    # Four categories, each with a worked example row in the form's own columns.
    heading(next(headings))
    labels = [
        vocab.GUIDE_MEANING_LABEL if k == "meaning" else vocab.COLUMN_LABELS[k] for k in columns
    ]
    table_row(labels, [f["th"]] * len(columns))
    matrix = rules.matrix
    for category in vocab.CATEGORIES:
        step, posts, description, likelihood, harm, prevent, monitor, handle = (
            vocab.GUIDE_CATEGORY_EXAMPLES[category]
        )
        example = {
            "category": category,
            "meaning": vocab.GUIDE_CATEGORY_MEANINGS[category],
            "step": step,
            "posts_involved": posts,
            "description": description,
            "likelihood": likelihood,
            "harm": harm,
            "self_level": matrix[harm][likelihood],
            "prevent": prevent,
            "monitor": monitor,
            "handle": handle,
        }
        fmts = [f["cell_center"] if k in CENTERED_COLUMNS else f["cell"] for k in columns]
        table_row([example[k] for k in columns], fmts)
    row += 1

    # Grading: the rule, the matrix, the post-type floors, what the levels mean.
    ws.set_h_pagebreaks([row])  # page 1: how to fill; page 2: grading and supervision
    heading(next(headings))
    for text in vocab.GUIDE_GRADING_RULES:
        paragraph(text)
    table_row(
        [vocab.GUIDE_MATRIX_CORNER, *vocab.LIKELIHOODS],
        [f["th"]] * (1 + len(vocab.LIKELIHOODS)),
    )
    for harm in vocab.HARMS:
        levels = [matrix[harm][likelihood] for likelihood in vocab.LIKELIHOODS]
        table_row([harm, *levels], [f["th"], *(f[level] for level in levels)])
    row += 1
    table_row(list(vocab.GUIDE_FLOOR_HEADER), [f["th"], f["th"]])
    for post_type, floor in rules.floors.items():
        if floor in vocab.LEVELS:
            table_row([post_type, floor], [f["cell"], f[floor]])
        else:
            table_row([post_type, vocab.GUIDE_NO_FLOOR], [f["cell"], f["cell_center"]])
    row += 1
    ws.merge_range(row, 1, row, last_col, vocab.GUIDE_MEANING_LABEL, f["th"])
    ws.write_string(row, 0, vocab.GUIDE_LEVEL_HEADER[0], f["th"])
    row += 1
    for level in vocab.LEVELS:
        ws.write_string(row, 0, level, f[level])
        ws.merge_range(row, 1, row, last_col, vocab.GUIDE_LEVEL_MEANINGS[level], f["cell"])
        _fit_row(ws, row, [vocab.GUIDE_LEVEL_MEANINGS[level]], [total - widths[0]])
        row += 1
    row += 1

    # Supervision by level (the digest's table, as settings give it by default).
    heading(next(headings))
    table_row(list(vocab.GUIDE_SUPERVISION_HEADER), [f["th"]] * 4)
    for level in vocab.LEVELS:
        entry = rules.supervision[level]
        table_row(
            [level, entry["direct"], entry["leader"], entry["measure"]],
            [f[level], f["cell_center"], f["cell_center"], f["cell_center"]],
        )
    paragraph(vocab.GUIDE_SUPERVISION_NOTE)
    row += 1

    heading(next(headings))
    table_row(list(vocab.GUIDE_DEADLINE_HEADER), [f["th"], f["th"]])
    for phase, label in vocab.PHASES.items():
        month, day = rules.deadlines[phase].split("-")
        deadline = vocab.GUIDE_MONTH_DAY.format(month=int(month), day=int(day))
        table_row([label, deadline], [f["cell"], f["cell_center"]])
    paragraph(vocab.GUIDE_DEADLINE_NOTE)

    _print_setup(ws, widths)
    ws.protect("", PROTECTION)


def _properties(wb: Any, title: str) -> None:
    """Fixed document properties: the same input gives the same bytes."""
    wb.set_properties(
        {"title": title, "created": xlsx.FIXED_DATE, "author": "lianzheng-risk", "company": ""}
    )


def _mark(wb: Any, kind: str) -> None:
    marker = f"{kind}:{vocab.TEMPLATE_VERSION}"
    wb.define_name(vocab.TEMPLATE_MARKER_NAME, f'="{marker}"')
    wb.set_custom_property(vocab.TEMPLATE_PROPERTY_KIND, kind)
    wb.set_custom_property(vocab.TEMPLATE_PROPERTY_VERSION, vocab.TEMPLATE_VERSION)
    _properties(wb, vocab.FORM_TITLES[kind])


def form_row(
    step: object,
    category: object,
    description: object,
    likelihood: object,
    harm: object,
    self_level: object,
    prevent: object,
    monitor: object,
    handle: object,
    remark: object = "",
    posts_involved: object = None,
) -> dict[str, Any]:
    """One risk point as ``write_form`` takes it, in the order a person fills the row."""
    return {
        "step": step,
        "posts_involved": posts_involved,
        "category": category,
        "description": description,
        "likelihood": likelihood,
        "harm": harm,
        "self_level": self_level,
        "prevent": prevent,
        "monitor": monitor,
        "handle": handle,
        "remark": remark,
    }


def write_form(
    path: Path,
    kind: str,
    header: dict[str, Any],
    rows: list[dict[str, Any]],
    pledge_items: list[str] | None = None,
    pledger: str | None = None,
    pledge_date: str | None = None,
    blank_rows: int = 0,
    locked: frozenset[str] = frozenset(),
    choices: dict[str, tuple[str, ...]] | None = None,
    settings: Settings | None = None,
) -> None:
    """Write a filled form exactly like the template (same sheets, layout, marker).

    ``rows`` are dicts keyed by vocab.TABLE_COLUMNS[kind] keys ('seq' defaults to 1..n);
    no rows gives the blank template with its empty input rows. Dates given as 'YYYY-MM-DD'
    become date cells; any other value is written as it is (text stays text). Header fields in
    ``locked`` are written locked (the sheet is protected, no password); ``choices`` gives a
    header field a dropdown of allowed values (prefill: the roster's sections); ``settings``
    give the 填表说明 its grading rules and deadlines (default: the built-in ones)."""
    if kind not in vocab.FORM_KINDS:
        raise ValueError(f"unknown form kind {kind!r}")
    wb = xlsx.new_workbook(Path(path))
    wb.in_memory = True  # no temporary files per sheet: faster for thousands of demo forms
    f = _formats(wb)
    # The lists sheet comes last in the tab order; the main sheet's dropdowns point into it.
    refs = _list_refs(choices)
    writers = {
        vocab.MAIN_SHEET[kind]: lambda: _write_main(
            wb, f, kind, header, rows, blank_rows, refs, frozenset(locked), choices
        ),
        vocab.SHEET_PLEDGE: lambda: _write_pledge(wb, f, pledge_items, pledger, pledge_date),
        vocab.SHEET_GUIDE: lambda: _write_guide(wb, f, kind, settings),
        vocab.SHEET_LISTS: lambda: _write_lists(wb, f, choices),
    }
    for sheet in formlayout.SHEETS[kind]:  # in tab order
        writers[sheet]()
    _mark(wb, kind)
    wb.close()


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------
def _roster_sheet(
    wb: Any,
    f: dict[str, Any],
    name: str,
    columns: dict[str, str],
    records: list[dict[str, Any]],
) -> Any:
    ws = wb.add_worksheet(name)
    keys = list(columns)
    widths = []
    for col, key in enumerate(keys):
        values = [xlsx.output_value(r.get(key)) for r in records]
        widths.append(xlsx.fit_width(values, columns[key], minimum=14, maximum=40))
        ws.set_column(col, col, widths[-1])
        ws.write_string(0, col, columns[key], f["th"])
    for i, record in enumerate(records, start=1):
        for col, key in enumerate(keys):
            _write(ws, i, col, xlsx.output_value(record.get(key)), f["value"])
    ws.set_row(0, 24)
    ws.freeze_panes(1, 0)
    _print_setup(ws, widths, repeat=(0, 0))
    return ws


def write_roster(
    path: Path,
    people: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    unit: dict[str, Any] | None,
) -> None:
    """Write a roster workbook (人员 / 科室 / 单位 sheets); empty lists give the blank template."""
    wb = xlsx.new_workbook(Path(path))
    wb.in_memory = True
    f = _formats(wb)
    ws = _roster_sheet(wb, f, vocab.ROSTER_SHEET_PEOPLE, vocab.ROSTER_PEOPLE_COLUMNS, people)
    keys = list(vocab.ROSTER_PEOPLE_COLUMNS)
    last = len(people) + ROSTER_VALIDATION_ROWS
    yes_no = (xlsx.output_value(True), xlsx.output_value(False))
    for key, values in (("post_type", vocab.POST_TYPES), ("is_head", yes_no)):
        col = keys.index(key)
        _dropdown(ws, 1, col, last, col, vocab.ROSTER_PEOPLE_COLUMNS[key], values)
    ws.autofilter(0, 0, max(len(people), 1), len(keys) - 1)
    _roster_sheet(wb, f, vocab.ROSTER_SHEET_SECTIONS, vocab.ROSTER_SECTION_COLUMNS, sections)
    _roster_sheet(wb, f, vocab.ROSTER_SHEET_UNIT, vocab.ROSTER_UNIT_COLUMNS, [unit] if unit else [])
    notes = wb.add_worksheet(vocab.ROSTER_NOTES_SHEET)
    notes.set_column(0, 0, ROSTER_NOTES_WIDTH)
    notes.write_string(0, 0, vocab.ROSTER_TITLE, f["heading"])
    for i, text in enumerate(vocab.ROSTER_NOTES, start=1):
        notes.write_string(i, 0, text, f["note"])
        _fit_row(notes, i, [text], [ROSTER_NOTES_WIDTH])
    _print_setup(notes, [ROSTER_NOTES_WIDTH])
    _properties(wb, vocab.ROSTER_TITLE)
    wb.close()


def write_templates(out: Path) -> list[Path]:
    """Write 个人廉政风险自查表.xlsx, 单位廉政风险自查表.xlsx and 组织名册.xlsx to ``out``."""
    out = Path(out)
    jobs = [(out / TEMPLATE_FILES[kind], kind) for kind in vocab.FORM_KINDS]
    jobs.append((out / ROSTER_TEMPLATE_FILE, None))
    for final, kind in jobs:
        with xlsx.atomic_path(final) as tmp:
            if kind is None:
                write_roster(tmp, [], [], None)
            else:
                write_form(tmp, kind, {}, [])
            tmp.chmod(0o644)  # handed out: readable by all (the temporary file is private)
    return [final for final, _ in jobs]
