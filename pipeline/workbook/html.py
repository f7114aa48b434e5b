"""Web tables saved as .xls: what office systems (OA, 钉钉 and other web exports) and Excel's own
"网页" format send. Excel opens them as a sheet, so the reader does too: one grid of the
file's tables, one under another as Excel lays them out, with colspan/rowspan as merged ranges.

Parsed with the standard library's ``html.parser`` (no DTD, no entity declarations: nothing
to expand beyond HTML's own character references). Every cell is text, as in a CSV; ``<br>``
is a line break, other white space runs collapse to one space, as a browser shows them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from pipeline import vocab
from pipeline.limits import Limits
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Refused, too_many_cells, too_many_rows
from pipeline.workbook.mhtml import looks_web_archive, web_archive_pages
from pipeline.workbook.sniff import has_table
from pipeline.workbook.text import decode_text

Sheet = tuple[str, Grid, list[Merge]]  # a sheet's name, grid and merged ranges

HEAD_BYTES = 64 * 1024  # where a <meta charset> must be
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")  # a browser shows each run as one space
_BREAK = "\ue000"  # a <br> (or a block's end) in a cell's text, until the text is made
_HEADING = re.compile("h[1-6]")
# Excel's web format writes text that runs over empty cells to its right as a colspan that
# Excel itself ignores when it opens the page
_OVERFLOW = re.compile(r"mso-ignore\s*:\s*colspan", re.IGNORECASE)
MAX_SPAN = 1000  # a colspan/rowspan beyond this is a mistake (or a trap), not a layout


def decode_html(data: bytes) -> str | None:
    """The page's text: its declared charset (gb2312/gbk read as GB18030), else UTF-8, else
    GB18030; None when nothing fits."""
    match = _CHARSET.search(data[:HEAD_BYTES])
    if match:
        declared = match.group(1).decode("ascii", "replace").lower()
        if declared in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936"):
            declared = "gb18030"
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


class _Tables(HTMLParser):
    """Rows of every top-level table in document order; a table inside a cell is that
    cell's text."""

    def __init__(self, limits: Limits, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.limits, self.name = limits, name
        self.grid: Grid = []
        self.merges: list[Merge] = []
        self.depth = 0  # open <table> elements
        # the spans reaching below their own row, as (first row, last row, first col, last
        # col): the cells they cover in later rows are taken (rectangles, not cells)
        self.below: list[tuple[int, int, int, int]] = []
        self.row: int | None = None  # grid row of the open <tr>
        self.col = 0
        self.cell: list[str] | None = None  # the open cell's text parts
        self.spans = (1, 1)
        self.overflow = False  # the open cell's colspan is Excel's text overflow
        self.in_ignored = 0  # <style>/<script>/<head> text is no cell
        # headings outside the tables: LibreOffice saves each sheet as "Sheet 1: <em>name</em>"
        # over its table; (grid row where a top-level table starts, the heading before it)
        self.heading: list[str] | None = None  # the open heading's text (its <em>'s if any)
        self.heading_em: list[str] | None = None
        self.named = ""  # the last heading's name, until a table takes it
        self.tables: list[tuple[int, str]] = []

    # a cell's text -------------------------------------------------------------------
    def _close_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        text = _SPACES.sub(" ", "".join(self.cell).replace("\x00", ""))
        text = "\n".join(line.strip() for line in text.split(_BREAK)).strip("\n")
        r, c = self.row, self.col
        rows, cols = self.spans
        c = self._free(r, c)
        if c >= self.limits.max_columns:
            raise too_many_cells(self.name, r, c, self.limits)
        cols = min(cols, self.limits.max_columns - c)  # a span is clipped to the limits
        rows = min(rows, self.limits.max_rows - r)
        row = self.grid[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        row[c] = text
        if rows > 1 or cols > 1 and not self.overflow:
            # an overflow (Excel's mso-ignore:colspan) is one cell whose text runs on over
            # empty neighbours, not a merge: they stay empty
            self.merges.append((r, c, r + rows - 1, c + (cols if not self.overflow else 1) - 1))
        if rows > 1:
            self.below.append((r, r + rows - 1, c, c + cols - 1))
        self.col = c + cols
        self.cell = None

    def _free(self, r: int, c: int) -> int:
        """The first column from ``c`` on in row ``r`` that no span from above covers."""
        moved = True
        while moved:
            moved = False
            for first, last, c0, c1 in self.below:
                if first < r <= last and c0 <= c <= c1:
                    c, moved = c1 + 1, True
        return c

    def _open_row(self) -> None:
        self._close_row()
        self.row = len(self.grid)
        if self.row >= self.limits.max_rows:
            raise too_many_rows(self.name, self.row + 1, self.limits)
        self.grid.append([])
        self.col = 0
        self.below = [span for span in self.below if span[1] >= self.row]  # still reaching

    def _close_row(self) -> None:
        self._close_cell()
        if self.row is not None:
            # a row spanned into from above still has those cells (as Excel shows them)
            r = self.row
            width = max((c1 for first, last, _, c1 in self.below if first < r <= last), default=-1)
            width += 1
            row = self.grid[self.row]
            if len(row) < width:
                row.extend([""] * (width - len(row)))
        self.row = None

    # the parser's events -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.in_ignored += 1
            return
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                if self.grid:
                    self._close_row()
                    self.grid.append([])  # a blank row between two tables
                self.tables.append((len(self.grid), self.named))
                self.named = ""
            return
        if self.depth == 0 and _HEADING.fullmatch(tag):
            self.heading, self.heading_em = [], None
            return
        if self.heading is not None and tag == "em" and self.heading_em is None:
            self.heading_em = []
            return
        if self.depth > 1:  # inside a nested table: its cells are the outer cell's text
            if tag in ("td", "th", "br") and self.cell is not None:
                self.cell.append(" " if tag != "br" else _BREAK)
            return
        if self.depth != 1:
            return
        if tag == "tr":
            self._open_row()
        elif tag in ("td", "th"):
            if self.row is None:
                self._open_row()
            self._close_cell()
            attr = dict(attrs)
            self.cell = []
            self.spans = (_span(attr.get("rowspan")), _span(attr.get("colspan")))
            self.overflow = _OVERFLOW.search(attr.get("style") or "") is not None
        elif tag == "br" and self.cell is not None or tag in ("p", "div") and self.cell:
            self.cell.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.cell is not None:
            self.cell.append(_BREAK)
        elif tag not in ("td", "th", "tr", "table"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.in_ignored = max(0, self.in_ignored - 1)
            return
        if self.heading is not None and self.depth == 0 and _HEADING.fullmatch(tag):
            words = self.heading if not self.heading_em else self.heading_em
            self.named = _SPACES.sub(" ", "".join(words)).strip()
            self.heading = self.heading_em = None
            return
        if tag == "table":
            if self.depth == 1:
                self._close_row()
            self.depth = max(0, self.depth - 1)
            if self.depth == 0:
                self.below = []  # a span ends with its table
            return
        if self.depth != 1:
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.in_ignored:
            self.cell.append(data)
        elif self.heading is not None and not self.in_ignored:
            self.heading.append(data)
            if self.heading_em is not None:
                self.heading_em.append(data)


def html_sheets(data: bytes, limits: Limits, name: str) -> list[Sheet]:
    """The sheets of a web table file: (name, grid, 0-based inclusive merged ranges).

    One sheet named ``name`` holding every table one under another, as Excel shows the page;
    but when two or more tables each follow a heading (LibreOffice saves a workbook so, a
    "Sheet 1: <em>个人廉政风险自查表</em>" over each sheet's table), each heading starts a sheet
    of that name: a pledge or the 填表说明 saved after the form is then its own sheet, not
    rows of the form."""
    text = decode_html(data)
    if text is None:
        raise Refused("corrupt", detail=vocab.DETAIL_TEXT_ENCODING)
    parser = _Tables(limits, name)
    parser.feed(text)
    parser.close()
    parser._close_row()
    grid = parser.grid
    starts = [(row, title) for row, title in parser.tables if title]
    if len(starts) < 2:
        starts = [(0, name)]
    elif starts[0][0] > 0:
        starts.insert(0, (0, name))  # tables before the first heading: a sheet of the file's name
    sheets: list[Sheet] = []
    for i, (first, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(grid)
        rows = grid[first:end]
        while rows and not any(v != "" for v in rows[-1]):
            rows.pop()
        merges = [
            (r0 - first, c0, r1 - first, c1)
            for r0, c0, r1, c1 in parser.merges
            if first <= r0 < first + len(rows)
        ]
        sheets.append((title, rows, merges))
    return _unique(sheets)


def _unique(sheets: list[Sheet]) -> list[Sheet]:
    """The sheets with every name made unique (a second 「表1」 is 「表1(2)」)."""
    used: set[str] = set()
    out: list[Sheet] = []
    for title, rows, merges in sheets:
        unique, n = title, 2
        while unique in used:
            unique, n = f"{title}({n})", n + 1
        used.add(unique)
        out.append((unique, rows, merges))
    return out


def page_sheets(data: bytes, limits: Limits, name: str) -> list[Sheet]:
    """The sheets of a web page file (``html_sheets``) or of a web archive (.mht, also
    saved as .xls): each page's, in the order the archive names its sheets."""
    if not looks_web_archive(data[:HEAD_BYTES]):
        return html_sheets(data, limits, name)
    sheets: list[Sheet] = []
    for title, page in web_archive_pages(data):
        if has_table(page):
            sheets += html_sheets(page, limits, title or name)
    if not sheets:
        raise Refused("not_excel", detail=vocab.FORMAT_NAMES["html"])
    return _unique(sheets)


def html_grid(data: bytes, limits: Limits, name: str) -> tuple[Grid, list[Merge]]:
    """The grid of a web table file's first sheet (see ``html_sheets``) and its merges."""
    _name, grid, merges = html_sheets(data, limits, name)[0]
    return grid, merges


def load_html(path: str, data: bytes, limits: Limits) -> Book:
    """The sheets of a web table file or web archive (see ``page_sheets``), every cell as
    text."""
    sheets = {
        name: (grid, merges) for name, grid, merges in page_sheets(data, limits, Path(path).stem)
    }
    return list(sheets), sheets.__getitem__, set()
