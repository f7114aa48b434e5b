"""Text tables (CSV, tab-separated 'Unicode text', web exports saved as .xls): decoding and
the grid of one sheet named after the file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import vocab
from pipeline.limits import Limits
from pipeline.workbook.grid import Book, Grid
from pipeline.workbook.guard import Refused, too_many_cells, too_many_rows

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads utf-8 without a BOM


def decode_text(raw: bytes) -> str | None:
    """A text table's bytes -> str: UTF-16 with a BOM (Excel's 'Unicode text'), UTF-8 (with or
    without BOM) or GB18030 (which also reads GBK); None when none of them fits."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = CSV_ENCODINGS
    for enc in encodings:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


# ="0123": a text written as a formula giving that text, as web exports keep a number's zeros
# (and a date or a name as typed); Excel shows the text in it
_TEXT_LITERAL = re.compile(r'="((?:[^"]|"")*)"')


def field_text(field: str) -> str:
    """A text table's field as Excel shows it: ``="0123"`` is ``0123``; anything else as is
    (never evaluated)."""
    if field.startswith('="'):
        literal = _TEXT_LITERAL.fullmatch(field.strip())
        if literal is not None:
            return literal.group(1).replace('""', '"')
    return field


def text_rows(text: str, dialect: Any) -> Iterator[list[str]]:
    """The rows of a text table, each field as Excel shows it (``field_text``)."""
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        yield [field_text(f) for f in row] if '="' in "".join(row) else row


def csv_dialect(text: str) -> Any:
    """Tab-separated text (Excel's 'Unicode text', web exports) or CSV."""
    head = "\n".join(text[:8192].splitlines()[:20])
    if head.count("\t") and head.count("\t") >= head.count(","):
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(head, delimiters=",\t;")
    except csv.Error:
        return csv.excel


def load_csv(path: str, data: bytes, limits: Limits) -> Book:
    """The one sheet of a text table (named after the file), every field as text."""
    text = decode_text(data)
    if text is None or "\x00" in text:
        raise Refused("corrupt", detail=vocab.DETAIL_TEXT_ENCODING)
    name = Path(path).stem
    grid: Grid = []
    dialect = csv_dialect(text)
    try:
        for row in text_rows(text, dialect):
            grid.append(row)
            if len(grid) > limits.max_rows and len(row) <= limits.max_columns:
                rows = csv.reader(io.StringIO(text, newline=""), dialect)
                raise too_many_rows(name, sum(1 for r in rows if any(r)), limits)
            if len(grid) > limits.max_rows or len(row) > limits.max_columns:
                raise too_many_cells(name, len(grid) - 1, max(len(row) - 1, 0), limits)
    except csv.Error as exc:
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_TEXT) from exc
    return [name], lambda _name: (grid, []), set()
