"""Excel 2003 XML spreadsheets (SpreadsheetML, Excel's 「XML 电子表格 2003」), which report and
office systems write, often named .xls: every worksheet, its cells where ``ss:Index`` puts them,
``ss:MergeAcross``/``ss:MergeDown`` as merged ranges, hidden sheets as hidden.

Parsed with defusedxml (no DTD, no entities; the guard refuses a declaration before), values as
their ``ss:Type`` says: Number as a number, DateTime as a date, Boolean, String and Error as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline import vocab
from pipeline.limits import Limits
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Refused, too_many_cells, too_many_rows
from pipeline.workbook.sniff import xml_as_utf8

NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SS = f"{{{NS}}}"
HIDDEN = frozenset({"SheetHidden", "SheetVeryHidden"})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _value(data: Any) -> Any:
    """A ``<Data>`` element's value by its ``ss:Type`` (its text, formatting tags dropped)."""
    text = "".join(data.itertext())
    kind = data.get(f"{_SS}Type", "String")
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "DateTime":
        try:
            return datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text


def _sheet(table: Any, name: str, limits: Limits) -> tuple[Grid, list[Merge]]:
    grid: Grid = []
    merges: list[Merge] = []
    if table is None:
        return grid, merges
    r = -1
    for row in table.iter(f"{_SS}Row"):
        r = _int(row.get(f"{_SS}Index"), r + 2) - 1
        if r < 0:
            r = len(grid)
        if r >= limits.max_rows:
            raise too_many_rows(name, r + 1, limits)
        while len(grid) <= r:
            grid.append([])
        c = -1
        for cell in row.iter(f"{_SS}Cell"):
            c = _int(cell.get(f"{_SS}Index"), c + 2) - 1
            c = max(c, 0)
            if c >= limits.max_columns:
                raise too_many_cells(name, r, c, limits)
            across = max(0, min(_int(cell.get(f"{_SS}MergeAcross"), 0), limits.max_columns - 1 - c))
            down = max(0, min(_int(cell.get(f"{_SS}MergeDown"), 0), limits.max_rows - 1 - r))
            data = cell.find(f"{_SS}Data")
            if data is None:  # also <ss:Data> in another prefix of the same namespace
                data = next(cell.iter(f"{_SS}Data"), None)
            value = _value(data) if data is not None else ""
            line = grid[r]
            if len(line) <= c:
                line.extend([""] * (c + 1 - len(line)))
            line[c] = value
            if across or down:
                merges.append((r, c, r + down, c + across))
            c += across
    return grid, merges


def load_xml2003(path: str, data: bytes, limits: Limits) -> Book:
    """Every worksheet of an Excel 2003 XML workbook (visible first), cells as typed."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(xml_as_utf8(data))  # GB 2312 or UTF-16 text too
    except DefusedXmlException as exc:
        raise Refused("xml_entities") from exc
    except SafeET.ParseError as exc:
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART) from exc
    sheets: dict[str, tuple[Grid, list[Merge]]] = {}
    hidden: set[str] = set()
    for i, ws in enumerate(root.iter(f"{_SS}Worksheet")):
        name = (ws.get(f"{_SS}Name") or f"Sheet{i + 1}").strip() or f"Sheet{i + 1}"
        while name in sheets:
            name += "_"
        visible = next(ws.iter("{urn:schemas-microsoft-com:office:excel}Visible"), None)
        if visible is not None and (visible.text or "").strip() in HIDDEN:
            hidden.add(name)
        sheets[name] = _sheet(ws.find(f"{_SS}Table"), name, limits)
    if not sheets:
        raise Refused("corrupt", detail=vocab.DETAIL_NO_WORKBOOK)
    names = [n for n in sheets if n not in hidden] + [n for n in sheets if n in hidden]
    return names, lambda name: sheets[name], hidden
