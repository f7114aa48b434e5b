"""One look and one page set-up for every workbook a section or the commission prints.

Both writers (archive and section feedback) take their fonts, row heights, column plans of
the risk-point table and A4 page set-up from here, so what is legible in one is legible in
the other.

Paper legibility is computed, not hoped for: the printed size of text is the font size times
the page scale, so every sheet gets an explicit print scale, the largest whole percentage at
which its columns fit the page width, and never below ``MIN_SCALE`` (table text at 10 pt
prints at 8 pt or more). A table too wide for that (the 21-column risk-point table) prints on
two pages side by side (over, then down) with its identifying columns repeated on each.

Widths are budgeted for the wider of the two renderers offices use: LibreOffice, where the CJK
fonts standing in for 宋体 make a column unit about 6.35 pt, against Excel's 5.25 pt. Row
heights are set for LibreOffice's line pitch (1.45 x the font size), since neither Excel nor
LibreOffice grows a row that a writer gave an explicit height.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from pipeline import vocab, xlsx

FONT_NAME = xlsx.FONT_NAME
FONT_SIZE = 10  # table text, both writers
TITLE_SIZE = 14
MIN_PRINTED_PT = 8.0
MIN_SCALE = math.ceil(100 * MIN_PRINTED_PT / FONT_SIZE)  # 80 %: 10 pt text prints at 8 pt
LINE_PITCH = 1.45  # points of row height per point of font size (LibreOffice, Noto CJK)
ROW_PADDING = 4.0
DEFAULT_ROW_HEIGHT = 18.0

# Paper and margins (inches)
A4 = 9
A4_PT = (841.9, 595.3)  # landscape width x height
MARGIN_SIDE = 0.3
MARGIN_TOP = 0.6
MARGIN_BOTTOM = 0.6
MARGIN_HEADER = 0.25
COLUMN_PT = 6.35  # printed width of one column unit in LibreOffice (Excel: 5.25)
COLUMN_PAD = 5 / 7  # xlsxwriter stores width + 5/7 of a unit
NUDGE_MAX_PAGES = 10  # tables up to this long are scaled a little down to save a last page
PAGE_SAFETY = 0.97  # keep a little room: renderers round widths and heights differently

# Fills: one palette for both writers (print-friendly, calm)
LEVEL_FILLS = dict(zip(vocab.LEVELS, ("#F4CCCC", "#FCE5CD", "#D9EAD3"), strict=True))
HEADER_FILL = "#DDE4EE"
REJECT_FILL = "#F4CCCC"
WARN_FILL = "#FFF2CC"
BORDER_COLOUR = "#808080"

MAX_HEADER_BODY = 100  # of the body name in the page header (Excel: 255 characters in all)

# --------------------------------------------------------------------------------------
# The risk-point table (archive catalogue and the feedback's 风险点 sheet)
# --------------------------------------------------------------------------------------
SEQ_KEY = "seq"
POINT_ID_KEY = "point_id"
# key -> (kind, max width); kind: text | center | number | level. Narrow enough that each of
# the two halves prints one page wide at MIN_SCALE or more.
POINT_COLUMNS: dict[str, tuple[str, int]] = {
    SEQ_KEY: ("number", 5),
    "section": ("text", 8),
    "post": ("text", 10),
    "name": ("text", 8),
    "step": ("text", 14),
    "category": ("center", 8),
    "description": ("text", 30),
    "likelihood": ("center", 5),
    "harm": ("center", 5),
    "self_level": ("center", 5),
    "level": ("level", 5),
    "level_reason": ("text", 22),
    "direct": ("center", 7),
    "leader": ("center", 7),
    "measure": ("center", 6),
    "prevent": ("text", 19),
    "monitor": ("text", 19),
    "handle": ("text", 19),
    "source_file": ("text", 14),
    "source_row": ("center", 6),
    POINT_ID_KEY: ("center", 12),
}
POINT_REPEAT_KEYS = (SEQ_KEY, "section", "post", "name")  # printed on both halves
POINT_SECOND_HALF = "direct"  # the second printed half starts at this column


def point_headers() -> dict[str, str]:
    """序号, SPEC's catalogue columns in order, then the point's ID."""
    return {
        SEQ_KEY: vocab.COLUMN_LABELS["seq"],
        **vocab.CATALOGUE_COLUMNS,
        POINT_ID_KEY: vocab.POINT_ID_LABEL,
    }


# --------------------------------------------------------------------------------------
# Heights and widths
# --------------------------------------------------------------------------------------
def line_height(size: float = FONT_SIZE) -> float:
    """Row height one line of text of this size needs."""
    return round(size * LINE_PITCH, 2)


def lines_height(lines: int, size: float = FONT_SIZE) -> float:
    """Row height for ``lines`` wrapped lines (at least the default row)."""
    return max(DEFAULT_ROW_HEIGHT, min(409.0, lines * line_height(size) + ROW_PADDING))


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` units wide (CJK counts 2)."""
    usable = max(int(width) - 1, 1)
    return sum(max(1, -(-xlsx.display_width(line) // usable)) for line in str(text).split("\n"))


def printable_width(landscape: bool = True) -> float:
    width = A4_PT[0] if landscape else A4_PT[1]
    return (width - 2 * MARGIN_SIDE * 72) * PAGE_SAFETY


def printable_height(landscape: bool = True) -> float:
    height = A4_PT[1] if landscape else A4_PT[0]
    return (height - (MARGIN_TOP + MARGIN_BOTTOM) * 72) * PAGE_SAFETY


def columns_pt(widths: Sequence[float]) -> float:
    """Printed width (at 100 %) of columns of these widths."""
    return sum((w + COLUMN_PAD) * COLUMN_PT for w in widths)


def width_scale(widths: Sequence[float], landscape: bool = True) -> int:
    """The largest whole percentage (<= 100) at which these columns fit one page wide."""
    total = columns_pt(widths)
    if total <= 0:
        return 100
    return max(10, min(100, math.floor(100 * printable_width(landscape) / total)))


def page_count(heights: Sequence[float], repeat: float, scale: int, landscape: bool) -> int:
    """Pages a column of rows takes (rows never split; ``repeat`` = repeated title rows)."""
    room = printable_height(landscape) * 100 / scale
    pages, used = 1, repeat
    for h in heights:
        if used + h > room and used > repeat:
            pages += 1
            used = repeat
        used += h
    return pages


def starts_a_page(
    heights: Sequence[float], tail: Sequence[float], repeat: float, scale: int, landscape: bool
) -> bool:
    """Whether the rows ``tail`` under the sheet's rows ``heights`` (all of them, from the
    first) may begin a page of their own: as LibreOffice breaks pages (the page's full
    height) or with the safety margin. LibreOffice can leave out a last page that holds only
    lines under a table (the 公示's closing lines after 300 risk points were not printed);
    a manual break before them makes it print that page."""
    full = (A4_PT[1] if landscape else A4_PT[0]) - (MARGIN_TOP + MARGIN_BOTTOM) * 72
    for room in (full * 100 / scale, printable_height(landscape) * 100 / scale):
        used, page, last_page = 0.0, 1, 1
        for n, h in enumerate([*heights, *tail]):
            if used + h > room and used > repeat:
                page, used = page + 1, repeat
            used += h
            if n == len(heights) - 1:
                last_page = page
        if page > last_page:
            return True
    return False


def print_scale(
    widths: Sequence[float],
    heights: Sequence[float] = (),
    repeat: float = 0.0,
    *,
    landscape: bool = True,
    minimum: int = MIN_SCALE,
) -> int:
    """The print scale of a sheet: its columns one page wide, text never below 8 pt, and a
    little smaller (never below ``minimum``) when that saves a last page holding only a few
    rows (岗位等级汇总's single spilled row)."""
    scale = max(minimum, width_scale(widths, landscape))
    # only short tables: one spilled row on page 40 of 40 is no matter, and a big
    # catalogue is not paginated row by row over and over
    if not heights or sum(heights) * scale / 100 > NUDGE_MAX_PAGES * printable_height(landscape):
        return scale
    pages = page_count(heights, repeat, scale, landscape)
    if pages < 2:
        return scale
    for smaller in range(scale - 1, minimum - 1, -1):
        if smaller < scale * 0.85:  # only nudge: a big change is not worth one page
            break
        if page_count(heights, repeat, smaller, landscape) < pages:
            return smaller
    return scale


# --------------------------------------------------------------------------------------
# Page set-up
# --------------------------------------------------------------------------------------
def escape_header(text: str) -> str:
    return text.replace("&", "&&")


def sized(header: str, size: int) -> str:
    """Header/footer text with each section (&L, &C, &R) set in ``size`` points."""

    def section(match: re.Match[str]) -> str:
        # a digit right after the size code would be read as part of the size
        gap = " " if match.group(2)[:1].isdigit() else ""
        return f"{match.group(1)}&{size}{gap}{match.group(2)}"

    return re.sub(r"(&[LCR])([^&]?)", section, header)


def page_setup(
    ws: Any,
    *,
    scale: int,
    header_left: str | None = None,
    sheet_name: bool = True,
    landscape: bool = True,
    repeat_rows: tuple[int, int] | None = None,
    repeat_cols: tuple[int, int] | None = None,
    v_breaks: Sequence[int] = (),
) -> None:
    """A4, explicit scale (never fit-to-page: a renderer's own fit can go below 8 pt),
    page numbers in the footer, the body and sheet name in the header."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(A4)
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_BOTTOM)
    ws.set_print_scale(int(scale))
    # renderers scale the header and footer with the sheet: their size keeps them at 8 pt+
    size = max(FONT_SIZE, math.ceil(100 * MIN_PRINTED_PT / scale))
    left = f"&L{escape_header(header_left[:MAX_HEADER_BODY])}" if header_left else ""
    right = "&R&A" if sheet_name else ""
    if left or right:
        ws.set_header(sized(left + right, size), {"margin": MARGIN_HEADER})
    ws.set_footer(sized(vocab.PAGE_FOOTER, size), {"margin": MARGIN_HEADER})
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    if v_breaks:
        ws.set_v_pagebreaks(list(v_breaks))
        ws.print_across()


def split_scale(
    widths: Sequence[float], repeat: int, second: int, *, landscape: bool = True
) -> int:
    """Print scale of a table printed in two halves side by side: columns ``[0, second)``,
    then columns ``[0, repeat)`` again with ``[second, end)``."""
    first_half = widths[:second]
    second_half = [*widths[:repeat], *widths[second:]]
    return max(
        MIN_SCALE, min(width_scale(first_half, landscape), width_scale(second_half, landscape))
    )


def point_table_page(
    ws: Any, widths: Sequence[float], keys: Sequence[str], header_left: str | None
) -> None:
    """Page set-up of the risk-point table: two halves side by side, 序号 and who repeated."""
    repeat = len(POINT_REPEAT_KEYS)
    second = list(keys).index(POINT_SECOND_HALF)
    page_setup(
        ws,
        scale=split_scale(widths, repeat, second),
        header_left=header_left,
        repeat_rows=(0, 0),
        repeat_cols=(0, repeat - 1),
        v_breaks=[second],
    )


WIDEN_FIRST_HALF = {"description": 0.6, "level_reason": 0.4}  # who takes the spare width


def balance_halves(widths: Sequence[float], keys: Sequence[str]) -> list[float]:
    """Widths of the risk-point table with the first printed half widened (description,
    评定依据) to fill its page at the scale the second half needs: fewer lines, no blank band."""
    keys = list(keys)
    repeat, second = len(POINT_REPEAT_KEYS), keys.index(POINT_SECOND_HALF)
    scale = split_scale(widths, repeat, second)
    room = printable_width() * 100 / scale - columns_pt(widths[:second])
    extra = math.floor(room / COLUMN_PT) - 1
    out = list(widths)
    if extra <= 0:
        return out
    for key, share in WIDEN_FIRST_HALF.items():
        if key in keys[:second]:
            out[keys.index(key)] += math.floor(extra * share)
    return out


def sequence(n: int) -> list[object]:
    """序号 1..n."""
    return list(range(1, n + 1))
