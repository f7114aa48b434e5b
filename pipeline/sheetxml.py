"""Table rows written straight into worksheet XML, for tables too big for xlsxwriter's cells.

xlsxwriter spends ~15 µs per cell, far too slow for 100,000 risk points. The writers lay out
a sheet (header row, widths, formats, print setup) with xlsxwriter, queue the records as
``Rows``, and after ``close()`` ``splice`` copies the package inserting the records' XML after
each table's header row. Text is always an inline string (never a formula or link), control
characters and what XML cannot hold are dropped, and row heights are estimated for wrapped
text (LibreOffice does not grow rows on load).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import xlsx

LINE_HEIGHT = 15.0  # points per line of 11pt 宋体
DEFAULT_ROW_HEIGHT = 18.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def texts(series: pd.Series) -> list[str | None]:
    """A column of user text -> safe cell strings (None for missing or empty).

    Same result as ``xlsx.cell_text`` per value, but checks the whole column at once so a
    clean column (the usual case) costs one pass in C."""
    if len(series) == 0:
        return []
    missing = series.isna().to_numpy()
    values: list[str | None] = [
        None if gone else (v if v.__class__ is str else str(v))
        for v, gone in zip(series.tolist(), missing.tolist(), strict=True)
    ]
    present = [v for v in values if v]
    joined = "\n".join(present)
    if xlsx.ILLEGAL_CHARACTERS_RE.search(joined):
        values = [xlsx.ILLEGAL_CHARACTERS_RE.sub("", v) if v else v for v in values]
    if present and max(map(len, present)) > xlsx.MAX_CELL_CHARS:
        values = [xlsx.cell_text(v) if v else v for v in values]
    return [v or None for v in values]


def numbers(series: pd.Series) -> list[object]:
    out: list[object] = []
    for v in (xlsx.output_value(v) for v in series.tolist()):
        if isinstance(v, float):
            # counts read from a float column (NaN elsewhere) are still whole numbers;
            # infinities have no cell form
            v = int(v) if v.is_integer() else (v if math.isfinite(v) else None)
        out.append(v)
    return out


def display_units(texts: list[str]) -> np.ndarray:
    """Width of each text in column units: CJK (3 UTF-8 bytes) counts 2, ASCII 1."""
    chars = np.fromiter(map(len, texts), np.float64, len(texts))
    octets = np.fromiter(map(len, map(str.encode, texts)), np.float64, len(texts))
    return chars + (octets - chars) / 2


def line_counts(values: Sequence[object], width: float) -> np.ndarray:
    """Lines a wrapped cell needs, each paragraph wrapping on its own.

    Estimated and vectorised: LibreOffice does not grow rows on load, so we set heights."""
    # Excel's 10-11 pt 宋体 fits a little more than ``width`` half-width characters less
    # padding; the margin left covers line-breaking rules (no line starts with ，。)
    usable = max(width * 1.05 - 0.6, 1.0)
    texts = [v if v.__class__ is str else "" for v in values]
    lines = np.maximum(np.ceil(display_units(texts) / usable), 1)
    multi = [i for i, t in enumerate(texts) if "\n" in t]
    if multi:
        owners: list[int] = []
        paragraphs: list[str] = []
        for i in multi:
            parts = texts[i].split("\n")
            owners.extend([i] * len(parts))
            paragraphs.extend(parts)
        per_paragraph = np.maximum(np.ceil(display_units(paragraphs) / usable), 1)
        lines[multi] = 0
        np.add.at(lines, np.array(owners), per_paragraph)
    return lines


def row_heights(
    values: Sequence[Sequence[object]],
    widths: Sequence[float],
    wraps: Sequence[bool],
    line_height: float = LINE_HEIGHT,
) -> np.ndarray:
    """Height of each record: enough lines for its tallest wrapped cell, within Excel's cap.
    ``values`` holds one list per column; ``wraps[c]`` says whether column ``c`` wraps;
    ``line_height`` is the points one line of the sheet's font needs."""
    n = len(values[0]) if values else 0
    lines = np.ones(n)
    for wrap, column_values, width in zip(wraps, values, widths, strict=True):
        if wrap and n:
            lines = np.maximum(lines, line_counts(column_values, width))
    heights = np.where(lines > 1, lines * line_height + 4, DEFAULT_ROW_HEIGHT)
    return np.minimum(heights, MAX_ROW_HEIGHT)


def xf(f: Any) -> int:
    # The style index xlsxwriter gives a format when a cell uses it (stable once assigned).
    return f._get_xf_index()


@dataclass
class Rows:
    """Table records to splice into ``xl/worksheets/sheet<sheet_number>.xml``."""

    sheet_number: int
    header_row: int  # 0-based row of the header; records follow it
    values: list[list[object]]  # per column: str | number | None
    styles: list[int | list[int]]  # per column: one xf index, or one per record
    heights: list[float]
    escape: list[bool]  # per column: holds & < > or _x that XML needs escaped

    @property
    def n_rows(self) -> int:
        return len(self.heights)


_XML_ESCAPED_MARK = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _xml_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "_x" in text:  # a literal _x0041_ would otherwise be read as an escaped character
        text = _XML_ESCAPED_MARK.sub(r"_x005F_\1", text)
    return text


def needs_escape(values: Sequence[object]) -> bool:
    joined = "\n".join(v for v in values if v.__class__ is str)
    return any(mark in joined for mark in ("&", "<", ">", "_x"))


def _xml_element(text: str, escape: bool) -> str:
    """The ``<t>`` element of an inline string."""
    if escape:
        text = _xml_text(text)
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def rows_xml(rows: Rows, start: int, stop: int) -> str:
    """The <row> elements for records ``start:stop``."""
    n_cols = len(rows.values)
    first = rows.header_row + 2  # 1-based Excel row of record 0
    numbers = [str(first + i) for i in range(start, stop)]
    openers = []
    for number, height in zip(numbers, rows.heights[start:stop], strict=True):
        if height > DEFAULT_ROW_HEIGHT:
            openers.append(f'<row r="{number}" ht="{height:g}" customHeight="1">')
        else:
            openers.append(f'<row r="{number}">')
    cells = []
    for c in range(n_cols):
        prefix = f'<c r="{xlsx.col_letter(c)}'
        style = rows.styles[c]
        col_styles = style[start:stop] if isinstance(style, list) else [style] * (stop - start)
        escape = rows.escape[c]
        # what follows the cell reference, once per distinct (style, value): most columns
        # (section, level, supervisors, category) repeat a few values over many rows
        tails: dict[tuple[object, object], str] = {}
        frag = []
        append = frag.append
        for number, s, v in zip(numbers, col_styles, rows.values[c][start:stop], strict=True):
            key = (s, v)
            tail = tails.get(key)
            if tail is None:
                if v is None:
                    tail = f'" s="{s}"/>'
                elif v.__class__ is str:
                    tail = f'" s="{s}" t="inlineStr"><is>{_xml_element(v, escape)}</is></c>'
                else:
                    tail = f'" s="{s}"><v>{v!r}</v></c>'
                tails[key] = tail
            append(prefix + number + tail)
        cells.append(frag)
    return "".join(["".join(parts) + "</row>" for parts in zip(openers, *cells, strict=True)])


_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)?\d*:?([A-Z]+)?(\d+)?"/>')
CHUNK_ROWS = 5000


def splice(base: Path | io.BytesIO, final: Path, pending: list[Rows]) -> None:
    """Copy the xlsxwriter package ``base`` to ``final``, inserting the queued records
    after each table's header row (entries keep xlsxwriter's fixed timestamps)."""
    by_name = {f"xl/worksheets/sheet{p.sheet_number}.xml": p for p in pending}
    with (
        zipfile.ZipFile(base) as src,
        zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            rows = by_name.get(info.filename)
            if rows is None:
                dst.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            header = re.search(f'<row r="{rows.header_row + 1}"[ >]', xml)
            if header is None:
                raise RuntimeError(f"header row missing in {info.filename}")  # a bug, not input
            at = xml.index("</row>", header.start()) + len("</row>")
            head, tail = xml[:at], xml[at:]
            last_row = rows.header_row + 1 + rows.n_rows
            match = _DIMENSION.search(head)
            if match:
                ref = _dimension(match, last_row, len(rows.values))
                head = head[: match.start()] + ref + head[match.end() :]
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # big generated XML: fast compression (level 1) costs ~20% size, saves seconds
            level_attr = "compress_level" if hasattr(entry, "compress_level") else "_compresslevel"
            setattr(entry, level_attr, 1)
            # Zip64 only when the sheet could pass 2 GiB: some Excel builds dislike it
            with dst.open(entry, "w", force_zip64=_may_be_huge(rows)) as out:
                out.write(head.encode("utf-8"))
                for start in range(0, rows.n_rows, CHUNK_ROWS):
                    stop = min(start + CHUNK_ROWS, rows.n_rows)
                    out.write(rows_xml(rows, start, stop).encode("utf-8"))
                out.write(tail.encode("utf-8"))


def _may_be_huge(rows: Rows) -> bool:
    chars = sum(sum(map(len, (v for v in col if v.__class__ is str))) for col in rows.values)
    return 3 * chars + 100 * rows.n_rows * len(rows.values) > 1_500_000_000


def _dimension(match: re.Match[str], last_row: int, n_cols: int) -> str:
    """Widen the sheet's used range to cover the spliced records."""
    last_col = match.group(2) or match.group(1) or "A"
    rows = int(match.group(3) or 1)
    cols = max(xlsx.col_index(last_col), n_cols - 1)
    return f'<dimension ref="A1:{xlsx.col_letter(cols)}{max(rows, last_row)}"/>'
