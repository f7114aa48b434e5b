"""OpenDocument spreadsheets: the merged ranges python-calamine does not report, and flat
ODS (.fods, one XML file) packaged as the .ods python-calamine reads.

The one ODS merge parser of the package: the reader carries merged values with it and the
annotated copies rebuild the merges with it."""

from __future__ import annotations

import io
import re
import zipfile

Merge = tuple[int, int, int, int]  # 0-based (first row, first col, last row, last col)

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def merges(data: bytes) -> dict[str, list[Merge]]:
    """Merged ranges per sheet of an .ods file's bytes (cells with number-rows/columns-
    spanned), 0-based. Raises KeyError / zipfile.BadZipFile / ParseError / ValueError for
    a package that is not a readable ODS."""
    from defusedxml.ElementTree import iterparse

    t = _TABLE
    out: dict[str, list[Merge]] = {}
    current: list[Merge] = []
    row = col = row_repeat = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("content.xml") as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == t + "table":
                    current = out.setdefault(el.get(t + "name", ""), [])
                    row = 0
                elif tag == t + "table-row":
                    col = 0
                    row_repeat = int(el.get(t + "number-rows-repeated", "1"))
                elif tag in (t + "table-cell", t + "covered-table-cell"):
                    rows_span = int(el.get(t + "number-rows-spanned", "1"))
                    cols_span = int(el.get(t + "number-columns-spanned", "1"))
                    if tag == t + "table-cell" and (rows_span > 1 or cols_span > 1):
                        current.append((row, col, row + rows_span - 1, col + cols_span - 1))
                    col += int(el.get(t + "number-columns-repeated", "1"))
            else:
                if tag == t + "table-row":
                    row += row_repeat
                el.clear()
    return out


MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    b' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
    b' manifest:media-type="' + MIMETYPE + b'"/><manifest:file-entry'
    b' manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
# the indentation a pretty-printed document has between its elements (a line break and the
# spaces after it): python-calamine refuses it between a table row and its cells. Never inside
# a paragraph's text, where ODF collapses white space and writes kept spaces as <text:s/>.
_INDENT = re.compile(rb">[ \t]*\r?\n[ \t\r\n]*<")


def flat_package(data: bytes) -> bytes:
    """A flat ODS document (LibreOffice's 「单文件 XML 表格」, .fods: the whole spreadsheet in
    one XML file) as the zipped .ods of the same content, which python-calamine and
    ``merges`` read. The caller has refused entity declarations and bounded the size."""
    content = _INDENT.sub(b"><", data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


_HIDDEN_MARKS = (b'visibility="collapse"', b'visibility="filter"')


def hidden_rows(data: bytes) -> dict[str, set[int]]:
    """The rows (0-based) each sheet of an .ods hides (a table row whose visibility is
    ``collapse``, hidden by hand, or ``filter``, by a filter); {} when the document hides
    none or cannot be read (a note is never worth a refusal)."""
    from defusedxml.ElementTree import iterparse

    t = _TABLE
    out: dict[str, set[int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = zf.read("content.xml")
        if not any(mark in content for mark in _HIDDEN_MARKS):
            return {}
        current: set[int] = set()
        row = 0
        for event, el in iterparse(io.BytesIO(content), events=("start", "end")):
            if event == "start":
                if el.tag == t + "table":
                    current = out.setdefault(el.get(t + "name", ""), set())
                    row = 0
                continue
            if el.tag == t + "table-row":
                repeat = int(el.get(t + "number-rows-repeated", "1"))
                if el.get(t + "visibility", "visible") != "visible":
                    current.update(range(row, row + min(repeat, 100_000)))
                row += repeat
            el.clear()
    except Exception:  # noqa: BLE001 - a malformed document: the grid reader reports it
        return {}
    return out
