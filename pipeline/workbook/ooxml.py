"""The fallback grid reader for OOXML packages python-calamine refuses though Excel opens
them (macro or dialog sheets, an odd dimension or shared-string table): openpyxl, values
only."""

from __future__ import annotations

import io
import re
import zipfile

from pipeline.limits import Limits
from pipeline.workbook.formulas import formulas_into
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Opened, check_sheets


def load(path: str, opened: Opened, limits: Limits) -> Book:
    import warnings

    import openpyxl

    data = opened.data
    check_sheets(opened, limits)  # openpyxl parses every sheet at once: all checked first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it skips
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    sheets = {ws.title: ws for ws in wb.worksheets}
    hidden = {t for t, ws in sheets.items() if ws.sheet_state != "visible"}

    def load_sheet(name: str) -> tuple[Grid, list[Merge]]:
        ws = sheets[name]
        # the pre-scan refused any value beyond the limits: formatting alone may reach further
        n_rows, n_cols = min(ws.max_row, limits.max_rows), min(ws.max_column, limits.max_columns)
        grid = [
            list(row)
            for row in ws.iter_rows(
                min_row=1, max_row=n_rows, min_col=1, max_col=n_cols, values_only=True
            )
        ]
        formulas_into(grid, data, opened, name, limits)
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ]
        return grid, merges

    visible = [t for t in sheets if t not in hidden]
    return visible + [t for t in sheets if t in hidden], load_sheet, hidden


# Strict OOXML (Excel's 「Strict Open XML 电子表格」) is the same package under other namespace
# and relationship-type names; openpyxl reads none of its sheets. Renamed back, it is the
# transitional package Excel also writes, and its copy keeps the original's look.
_STRICT = re.compile(
    rb"http://purl\.oclc\.org/ooxml/(officeDocument|spreadsheetml|drawingml)/(\w+)(/\w+)?"
)
_STRICT_OFFICE_DOCUMENT = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_TRANSITIONAL_NAMES = {
    b"extendedProperties": b"extended-properties",
    b"customProperties": b"custom-properties",
}
_XML_MEMBERS = (".xml", ".rels", ".vml")


def _transitional_name(m: re.Match[bytes]) -> bytes:
    name = _TRANSITIONAL_NAMES.get(m[2], m[2])
    tail = b"/" + _TRANSITIONAL_NAMES.get(m[3][1:], m[3][1:]) if m[3] else b""
    return b"http://schemas.openxmlformats.org/%s/2006/%s%s" % (m[1], name, tail)


def transitional(data: bytes, max_uncompressed: int) -> bytes | None:
    """A Strict OOXML package's bytes as the transitional package of the same parts (namespaces
    and relationship types renamed, ``conformance`` dropped); None when ``data`` is not a
    Strict package or inflates beyond ``max_uncompressed``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            infos = zin.infolist()
            if sum(i.file_size for i in infos) > max_uncompressed:
                return None
            names = {i.filename for i in infos}
            if "_rels/.rels" not in names or _STRICT_OFFICE_DOCUMENT not in zin.read("_rels/.rels"):
                return None
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in infos:
                    part = zin.read(info)
                    if info.filename.lower().endswith(_XML_MEMBERS):
                        part = _STRICT.sub(_transitional_name, part)
                        part = part.replace(b' conformance="strict"', b"", 1)
                    zout.writestr(info.filename, part)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError, RuntimeError):
        return None  # the reader read it: the caller rebuilds the copy from its values
    return out.getvalue()
