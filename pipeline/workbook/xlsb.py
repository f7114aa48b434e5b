"""Excel binary workbooks (.xlsb): the package without its Excel 4.0 macro sheets, which
python-calamine refuses the whole workbook for (its worksheets are read without them)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator

_BUNDLE_SHEET = 0x9C  # BrtBundleSh: one sheet of the workbook (state, tab id, rel id, name)
_WORKBOOK = "xl/workbook.bin"
_RELS = "xl/_rels/workbook.bin.rels"
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)\s*=\s*"([^"]*)"')
_MACRO_TARGET = (
    "macrosheets/"  # where Excel keeps 4.0 macro sheets (xlMacrosheet, xlIntlMacrosheet)
)


def _varint(data: bytes, pos: int, most: int) -> tuple[int, int]:
    """A record header field: 7 bits a byte, the high bit saying another byte follows."""
    value = shift = 0
    for _ in range(most):
        if pos >= len(data):
            raise ValueError("truncated record header")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, pos


def _rel_id(body: bytes) -> str | None:
    """The relationship id of a BrtBundleSh record's body (after hsState and iTabID)."""
    if len(body) < 12:
        return None
    (n,) = struct.unpack_from("<I", body, 8)
    if n == 0xFFFFFFFF or 12 + 2 * n > len(body):
        return None
    return body[12 : 12 + 2 * n].decode("utf-16-le", "replace")


def macro_sheet_ids(rels: bytes) -> set[str]:
    """The relationship ids of a workbook's macro sheets."""
    out: set[str] = set()
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        if _MACRO_TARGET in target.replace("\\", "/").lower():
            out.add(attrs.get(b"Id", b"").decode("utf-8", "replace"))
    return out


def without_macro_sheets(data: bytes) -> bytes | None:
    """The .xlsb package ``data`` with its macro sheets left out of the workbook's sheet list
    (the parts stay, unreferenced); None when it has none or cannot be rewritten. The guard
    bounded the package's parts before."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if _WORKBOOK not in names or _RELS not in names:
                return None
            macros = macro_sheet_ids(zf.read(_RELS))
            if not macros:
                return None
            workbook = zf.read(_WORKBOOK)
            kept = bytearray()
            pos = dropped = 0
            while pos < len(workbook):
                start = pos
                kind, pos = _varint(workbook, pos, 2)
                size, pos = _varint(workbook, pos, 4)
                end = pos + size
                if end > len(workbook):
                    return None
                if kind == _BUNDLE_SHEET and _rel_id(workbook[pos:end]) in macros:
                    dropped += 1
                else:
                    kept += workbook[start:end]
                pos = end
            if not dropped:
                return None
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zf.infolist():
                    part = bytes(kept) if info.filename == _WORKBOOK else zf.read(info)
                    zout.writestr(info.filename, part)
            return out.getvalue()
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError, struct.error):
        return None


_ROW_HDR = 0x00  # BrtRowHdr: rw, ixfe, miyRw, then flags (fDyZero: the row is hidden)
_ROW_HIDDEN = 1 << 12


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(record type, body) of each BIFF12 record of a part."""
    pos = 0
    while pos < len(data):
        kind, pos = _varint(data, pos, 2)
        size, pos = _varint(data, pos, 4)
        if pos + size > len(data):
            raise ValueError("truncated record")
        yield kind, data[pos : pos + size]
        pos += size


def _wide(body: bytes, at: int) -> tuple[str, int]:
    """An XLWideString of a record body at ``at``: (text, where it ends)."""
    (n,) = struct.unpack_from("<I", body, at)
    if n == 0xFFFFFFFF:
        return "", at + 4
    return body[at + 4 : at + 4 + 2 * n].decode("utf-16-le", "replace"), at + 4 + 2 * n


def hidden_rows(data: bytes, sheet: str) -> set[int]:
    """The rows (0-based) the worksheet ``sheet`` of an .xlsb hides; none when it hides none
    or cannot be read (a note is never worth a refusal). The guard bounded the parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            rel = None
            for kind, body in _records(zf.read(_WORKBOOK)):
                if kind == _BUNDLE_SHEET and len(body) >= 12:
                    rel_id, at = _wide(body, 8)
                    if _wide(body, at)[0] == sheet:
                        rel = rel_id
                        break
            if rel is None:
                return set()
            for tag in _RELATIONSHIP.findall(zf.read(_RELS)):
                attrs = dict(_ATTR.findall(tag))
                if attrs.get(b"Id", b"").decode("utf-8", "replace") == rel:
                    target = attrs.get(b"Target", b"").decode("utf-8", "replace")
                    break
            else:
                return set()
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out: set[int] = set()
            for kind, body in _records(zf.read(target)):
                if kind == _ROW_HDR and len(body) >= 12:
                    row, flags = struct.unpack_from("<I6xH", body)
                    if flags & _ROW_HIDDEN:
                        out.add(row)
            return out
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError, struct.error):
        return set()
