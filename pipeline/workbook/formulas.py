"""Formula cells saved without a result, and error values, read from the sheet XML.

The parsers return both as empty cells; a reader that says "empty" about a cell the user
sees filled (``=A1*2`` written by a script, ``#N/A``) would be wrong, so their text is put
into the grid (formulas listed, for the formula_text note)."""

from __future__ import annotations

import html
import re
from typing import Any

from pipeline.limits import Limits
from pipeline.workbook.cells import a1, col_index
from pipeline.workbook.guard import CELL_ELEMENT, R_ATTR, Opened, Zip

_F_ELEMENT = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
_V_ELEMENT = re.compile(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.DOTALL)
_T_ATTR = re.compile(rb"\bt=\"([A-Za-z]+)\"")
_SI_ATTR = re.compile(rb"\bsi=\"(\d+)\"")
# WPS 「嵌入单元格」 pictures (a signature in 承诺人, a photo in 备注): a formula whose cached
# value is its own text (=DISPIMG("ID_…",1)); Excel shows #NAME?, WPS the picture
_PICTURE = re.compile(r"\s*(?:_xlfn\.)?DISPIMG\(", re.IGNORECASE)


def formula_cells(xml: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, col) -> ('formula', '=TEXT') for formula cells saved without a result (files
    written by scripts and web exports), ('error', '#N/A') for error values; the parsers
    return both as empty cells; ('picture', '') for a WPS picture in a cell, whose cached
    value is its formula's text. A cached empty text result (t="str") is a result. A shared
    formula's follower (``<f t="shared" si="0"/>``) has its master's text, moved."""
    out: dict[tuple[int, int], tuple[str, str]] = {}
    shared: dict[bytes, tuple[str, tuple[int, int]]] = {}  # si -> (master's text, its cell)
    for m in CELL_ELEMENT.finditer(xml):
        attrs, body = m[1], m[2]
        if not body:
            continue
        ref = R_ATTR.search(attrs)
        if ref is None:
            continue
        pos = (int(ref[2]) - 1, col_index(ref[1].decode()))
        t = _T_ATTR.search(attrs)
        kind = t[1] if t else b"n"
        v = _V_ELEMENT.search(body)
        value = html.unescape(v[1].decode("utf-8", "replace")) if v and v[1] else ""
        if kind == b"e":
            out[pos] = ("error", value.strip() or "#N/A")
            continue
        f = _F_ELEMENT.search(body)
        if f is None:
            continue
        text = html.unescape(f[1].decode("utf-8", "replace")) if f[1] else ""
        if _PICTURE.match(text):  # WPS's picture in a cell: it holds no text to read
            out[pos] = ("picture", "")
            continue
        si = _SI_ATTR.search(f[0]) if b'"shared"' in f[0] else None
        if si is not None and text:  # a shared formula's master: its followers' text
            shared[si[1]] = (text, pos)
        elif si is not None and si[1] in shared:  # a follower: the master's, moved to here
            text = _moved(*shared[si[1]], pos)
        if value or (kind == b"str" and v is not None) or not text:
            continue  # a cached result
        out[pos] = ("formula", "=" + text)
    return out


def _moved(text: str, origin: tuple[int, int], pos: tuple[int, int]) -> str:
    """A shared formula's text as a follower at ``pos`` has it (``A4+1`` from A5 is ``A5+1``
    at A6), as Excel shows it; the master's text when it cannot be moved."""
    from openpyxl.formula.translate import Translator, TranslatorError

    try:
        moved = Translator("=" + text, origin=a1(*origin)).translate_formula(a1(*pos))
    except (TranslatorError, ValueError):
        return text
    return moved.removeprefix("=")


def formulas_into(
    grid: list[list[Any]], data: bytes, opened: Opened, sheet: str, limits: Limits
) -> None:
    """Put formula texts and error values (see ``formula_cells``) into the empty cells of
    ``grid``; the cells that got a formula text are listed in ``opened.formula_text``."""
    part = next((k for k, v in opened.sheet_xml.items() if v == sheet), None)
    if part is None or part not in opened.formula_parts:
        return
    cells = formula_cells(Zip(data).read(part, limits.max_uncompressed_bytes))
    width = max((len(r) for r in grid), default=0)
    for (r, c), (kind, text) in sorted(cells.items()):
        if r >= limits.max_rows or c >= limits.max_columns:
            continue
        while len(grid) <= r:
            grid.append([None] * width)
        row = grid[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if kind == "picture":
            row[c] = None
            opened.picture_cells.setdefault(sheet, []).append(a1(r, c))
        elif row[c] is None or row[c] == "":
            row[c] = text
            if kind == "formula":
                opened.formula_text.setdefault(sheet, []).append(a1(r, c))
