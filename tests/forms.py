"""Small builders of form files for the discover/read tests (xlsxwriter, no project writer).

A sheet is a grid: a list of rows, each a list of cell values (None = no cell). ``form_grid``
builds the decided layout (title, header block, table header, data rows) so tests can
move, rename or merge things before writing it.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from pipeline import vocab

HEADER = {"section": "办公室", "name": "张三", "post": "科员", "date": datetime(2026, 3, 10)}
UNIT_HEADER = {"section": "办公室", "head": "李四", "date": datetime(2026, 3, 12)}


def sample_row(i: int, **over: Any) -> dict[str, Any]:
    row = {
        "seq": i,
        "step": f"公文处理{i}",
        "category": "岗位职责风险",
        "description": f"泄露未公开信息{i}",
        "likelihood": "中",
        "harm": "较重",
        "self_level": "二级",
        "prevent": "加强保密教育",
        "monitor": "定期检查",
        "handle": "追究责任",
        "remark": None,
    }
    row.update(over)
    return row


def form_grid(
    kind: str = vocab.INDIVIDUAL,
    header: dict[str, Any] | None = None,
    rows: list[dict[str, Any]] | None = None,
    columns: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> list[list[Any]]:
    """Title row, header block row, table header row and data rows of the decided layout.

    ``columns`` are column keys (default: the template's); ``labels`` overrides a key's label.
    """
    header = dict(HEADER if kind == vocab.INDIVIDUAL else UNIT_HEADER, **(header or {}))
    columns = list(columns or vocab.TABLE_COLUMNS[kind])
    labels = labels or {}
    title = [vocab.FORM_TITLES[kind]] + [None] * (len(columns) - 1)
    block: list[Any] = []
    for key in vocab.HEADER_FIELDS[kind]:
        block += [vocab.HEADER_LABELS[key], header.get(key), None]
    head_row = [labels.get(k, vocab.COLUMN_LABELS.get(k, k)) for k in columns]
    data = [[r.get(k) for k in columns] for r in (rows if rows is not None else [sample_row(1)])]
    return [title, block, head_row, *data]


def pledge_grid(items: list[str], pledger: str | None = "张三", when: Any = date(2026, 3, 10)):
    grid: list[list[Any]] = [[vocab.PLEDGE_TITLE, None], ["本人郑重承诺：", None]]
    grid.append([vocab.COLUMN_LABELS["seq"], vocab.PLEDGE_ITEMS_LABEL])
    for i in range(10):
        grid.append([i + 1, items[i] if i < len(items) else None])
    grid.append([vocab.PLEDGE_LABELS["pledger"], pledger])
    grid.append([vocab.PLEDGE_LABELS["pledge_date"], when])
    return grid


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    merges: dict[str, list[str]] | None = None,
    marker: str | None = None,
    formatted_rows: int = 0,
) -> Path:
    """Write grids as sheets; ``merges`` per sheet as A1 ranges; ``marker`` e.g. 'individual:1'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    border = wb.add_format({"border": 1})
    wrap = wb.add_format({"text_wrap": True})
    for name, grid in sheets.items():
        ws = wb.add_worksheet(name)
        merged_cells: set[tuple[int, int]] = set()
        for ref in (merges or {}).get(name, []):
            first, last = ref.split(":")
            r0, c0 = xlsxwriter.utility.xl_cell_to_rowcol(first)
            r1, c1 = xlsxwriter.utility.xl_cell_to_rowcol(last)
            value = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else None
            ws.merge_range(r0, c0, r1, c1, "", border)
            if isinstance(value, (datetime, date)):
                ws.write_datetime(r0, c0, value, date_fmt)
            elif value is not None:
                ws.write(r0, c0, value, border)
            merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged_cells:
                    continue
                if isinstance(value, (datetime, date)):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value, wrap if "\n" in value else None)
                else:
                    ws.write(r, c, value)
        for r in range(len(grid), len(grid) + formatted_rows):
            for c in range(len(grid[2]) if len(grid) > 2 else 1):
                ws.write_blank(r, c, None, border)
    if marker:
        wb.define_name(vocab.TEMPLATE_MARKER_NAME, f'="{marker}"')
    wb.close()
    return path


def write_form(
    path: Path,
    kind: str = vocab.INDIVIDUAL,
    grid: list[list[Any]] | None = None,
    *,
    pledge: list[list[Any]] | None = None,
    merges: dict[str, list[str]] | None = None,
    marker: bool = True,
    formatted_rows: int = 0,
    **grid_kw: Any,
) -> Path:
    """A whole form workbook: main sheet (+ pledge sheet for individual forms) + guide sheet."""
    grid = grid if grid is not None else form_grid(kind, **grid_kw)
    sheets = {vocab.MAIN_SHEET[kind]: grid}
    if kind == vocab.INDIVIDUAL:
        sheets[vocab.SHEET_PLEDGE] = pledge if pledge is not None else pledge_grid(["不收受礼金"])
    sheets[vocab.SHEET_GUIDE] = [["填表说明"]]
    default_merges = {vocab.MAIN_SHEET[kind]: ["A1:D1"]}
    return write_xlsx(
        path,
        sheets,
        merges=merges if merges is not None else default_merges,
        marker=f"{kind}:1" if marker else None,
        formatted_rows=formatted_rows,
    )


def rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes], compress: bool = True) -> Path:
    """Copy an xlsx with some parts replaced (or added)."""
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", mode) as zout:
        for info in zin.infolist():
            data = replace.pop(info.filename, None)
            zout.writestr(info.filename, data if data is not None else zin.read(info.filename))
        for name, data in replace.items():
            zout.writestr(name, data)
    return dst


def write_fods(
    path: Path, sheets: dict[str, list[list[Any]]], hidden: frozenset[int] = frozenset()
) -> Path:
    """Grids as a flat ODS (.fods), pretty-printed as LibreOffice saves it: one XML file with
    an indented line per element; a text's line breaks as paragraphs; the rows ``hidden``
    (0-based) hidden as LibreOffice hides them (visibility collapse)."""
    from xml.sax.saxutils import escape

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (
            f'<office:document {ns} office:version="1.3" '
            'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
        ),
        " <office:body>",
        "  <office:spreadsheet>",
    ]
    for name, grid in sheets.items():
        lines.append(f'   <table:table table:name="{escape(name)}">')
        for r, row in enumerate(grid):
            shown = ' table:visibility="collapse"' if r in hidden else ""
            lines.append(f"    <table:table-row{shown}>")
            for value in row:
                if value is None:
                    lines.append("     <table:table-cell/>")
                elif isinstance(value, (datetime, date)):
                    iso = value.strftime("%Y-%m-%d")
                    lines.append(
                        f'     <table:table-cell office:value-type="date" office:date-value='
                        f'"{iso}">\n      <text:p>{iso}</text:p>\n     </table:table-cell>'
                    )
                elif isinstance(value, (int, float)):
                    lines.append(
                        f'     <table:table-cell office:value-type="float" office:value='
                        f'"{value}">\n      <text:p>{value}</text:p>\n     </table:table-cell>'
                    )
                else:
                    paras = "\n".join(
                        f"      <text:p>{escape(t)}</text:p>" for t in str(value).split("\n")
                    )
                    lines.append(
                        f'     <table:table-cell office:value-type="string">\n{paras}\n'
                        "     </table:table-cell>"
                    )
            lines.append("    </table:table-row>")
        lines.append("   </table:table>")
    lines += ["  </office:spreadsheet>", " </office:body>", "</office:document>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _biff12_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _biff12(kind: int, body: bytes = b"") -> bytes:
    return _biff12_varint(kind) + _biff12_varint(len(body)) + body


def xlsb_sheet(grid: list[list[Any]], hidden: frozenset[int] = frozenset()) -> bytes:
    """A worksheet part of an .xlsb (BIFF12 records): text cells inline, numbers as reals,
    dates as their text; the rows ``hidden`` (0-based) hidden (BrtRowHdr's fDyZero)."""
    import struct

    width = max(len(r) for r in grid)
    out = _biff12(0x81) + _biff12(0x94, struct.pack("<IIII", 0, len(grid) - 1, 0, width - 1))
    out += _biff12(0x91)  # BrtBeginSheetData
    for r, row in enumerate(grid):
        flags = 1 << 12 if r in hidden else 0  # fDyZero
        out += _biff12(0x00, struct.pack("<IIHHBBI", r, 0, 300, flags, 0, 0, 0))  # BrtRowHdr
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out += _biff12(0x05, struct.pack("<IId", c, 0, float(value)))  # BrtCellReal
            else:
                text = value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)
                wide = struct.pack("<I", len(text)) + text.encode("utf-16-le")
                out += _biff12(0x06, struct.pack("<II", c, 0) + wide)  # BrtCellSt
    return out + _biff12(0x92) + _biff12(0x82)


def write_xlsb_over(
    base: Path, path: Path, grid: list[list[Any]], hidden: frozenset[int] = frozenset()
) -> Path:
    """``base`` (an .xlsb) with its first worksheet's cells replaced by ``grid`` (the rows
    ``hidden`` hidden)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.bin":
                data = xlsb_sheet(grid, hidden)
            zout.writestr(info.filename, data)
    return path


def _biff(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff5_stream(
    sheets: dict[str, list[list[Any]]],
    hidden: dict[str, frozenset[int]] | None = None,
    codepage: int = 936,
) -> bytes:
    """The ``Book`` stream of an Excel 5.0/95 workbook (BIFF5) as old Excel and WPS wrote it:
    8-bit text in the workbook's code page (936: GBK), a ROW record per row (``hidden``: the
    0-based rows flagged fDyZero), LABEL and NUMBER cells (a date is written as its text)."""
    encoding = f"cp{codepage}"
    bodies: list[bytes] = []
    for name, grid in sheets.items():
        rows = [_biff(0x0809, struct.pack("<HHHH", 0x0500, 0x0010, 0x0DBB, 0x07CC))]
        width = max((len(r) for r in grid), default=0)
        rows.append(_biff(0x0000, struct.pack("<HHHHH", 0, len(grid), 0, width, 0)))
        for r, row in enumerate(grid):
            flags = 0x0100 | (0x0060 if r in (hidden or {}).get(name, ()) else 0)
            rows.append(_biff(0x0208, struct.pack("<HHHHHHHH", r, 0, width, 0xFF, 0, 0, flags, 15)))
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    rows.append(_biff(0x0203, struct.pack("<HHHd", r, c, 15, float(value))))
                    continue
                if isinstance(value, (datetime, date)):
                    value = value.strftime("%Y-%m-%d")
                text = str(value).encode(encoding)
                rows.append(_biff(0x0204, struct.pack("<HHHH", r, c, 15, len(text)) + text))
        rows.append(_biff(0x000A))
        bodies.append(b"".join(rows))
    head = [_biff(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x0DBB, 0x07CC))]
    head.append(_biff(0x0042, struct.pack("<H", codepage)))
    font = struct.pack("<HHHH", 200, 0, 0x7FFF, 400) + struct.pack("<HBBBB", 0, 0, 0, 0, 0)
    head += [_biff(0x0031, font + bytes([5]) + b"Arial")] * 5
    xf = struct.pack("<HHHHHHHH", 0, 0, 0xFFF5, 0x20, 0x20C0, 0, 0, 0)
    head += [_biff(0x00E0, xf)] * 15 + [
        _biff(0x00E0, struct.pack("<HHHHHHHH", 0, 0, 1, 0x20, 0x20C0, 0, 0, 0))
    ]
    names = [n.encode(encoding) for n in sheets]
    sheet_records = len(b"".join(head)) + sum(4 + 7 + len(n) for n in names) + 4  # + EOF
    offset = sheet_records
    bound = []
    for n, body in zip(names, bodies):
        bound.append(_biff(0x0085, struct.pack("<IBBB", offset, 0, 0, len(n)) + n))
        offset += len(body)
    stream = b"".join(head) + b"".join(bound) + _biff(0x000A) + b"".join(bodies)
    return stream.ljust(4096, b"\x00")  # (in sectors of its own, as Excel's are)
