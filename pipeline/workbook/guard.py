"""The safety guard: a file is checked before any parser sees it, within ``settings.limits``.

What is refused, and why (each a ``Refused`` with the reason code users see):
- a zip directory that declares more than the limits allow, in all or for one part, or a
  part that inflates to more than its directory entry says (a lying zip bomb): ``zip_bomb``;
- an XML part with a DOCTYPE / ENTITY declaration (billion laughs, external entities):
  ``xml_entities``;
- a worksheet whose dimension, cell references or rows reach beyond the limits (calamine
  allocates the whole rectangle): ``too_many_cells`` / ``too_many_rows``;
- an encrypted package or workbook: ``encrypted``; what is not a workbook at all: ``corrupt``.

``prescan`` reads the file once; the bytes travel on in ``Opened.data`` to the grid readers.
"""

from __future__ import annotations

import html
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipeline import vocab
from pipeline.limits import Limits
from pipeline.workbook import biff, ods
from pipeline.workbook.cells import A1, MAX_CELL_CHARS, a1, col_index, col_letter
from pipeline.workbook.mhtml import looks_saved_mail, looks_web_archive, web_archive_pages
from pipeline.workbook.sniff import (
    EMPTY_ZIP_MAGIC,
    OLE_MAGIC,
    TEXT_HEAD_BYTES,
    WEB_PAGE_EXTS,
    ZIP_MAGIC,
    has_table,
    looks_html,
    looks_spreadsheet_ml,
    other_spreadsheet,
    text_table,
    xml_as_utf8,
)

try:  # ISA-L's inflate: the output zlib gives, for about 60 % of its CPU (see _inflate_whole)
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - the dependency is declared; zlib alone still works
    _isal = None

MB = 1024 * 1024
XML_HEAD_BYTES = 64 * 1024  # a DOCTYPE must come before the root element: scan this much
SCAN_BLOCK = 1 * MB
MEMO_MAX_BYTES = 4 * MB  # parts declared this small are inflated once and kept for the scan
OLE_HEAD_BYTES = 64 * 1024
SST_SCAN_BYTES = 256 * 1024  # shared-string tables larger than this are checked string by string

_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})(\d{1,7})\"")
_CELL_REF_FAST = re.compile(rb"<c r=\"([A-Z]{1,3})(\d{1,7})\"")
_ROW_REF = re.compile(rb"<row\b[^>]*?\br=\"(\d{1,7})\"")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?\bref=\"([^\"]*)\"")
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# A name starts after a non-name character (a match inside a name would have matched from
# the name's start) and is possessive (no shorter name is followed by '=' either): the same
# matches, without retrying every position of every tag and attribute name.
_ATTR = re.compile(r"(?<![\w:])([\w:]++)=\"([^\"]*)\"")
CELL_ELEMENT = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
R_ATTR = re.compile(rb"\br=\"([A-Z]{1,3})(\d{1,7})\"")


class Refused(Exception):
    """Raised inside read when a file is refused; carries the reason code and where."""

    def __init__(self, code: str, detail: str = "", sheet: str = "", cell: str = "") -> None:
        super().__init__(code)
        self.code, self.detail, self.sheet, self.cell = code, detail, sheet, cell


DECRYPTED = "decrypted"  # Opened.fmt of an OOXML package Excel's own password decrypts


@dataclass
class Opened:
    """What the pre-scan learned about a file that may be parsed."""

    fmt: str  # 'xlsx' | 'xlsb' | 'ods' | 'xls' | 'biff' (Excel 2.1-4.0) | 'csv' | 'html'
    marker: str | None = None  # form kind from the template marker
    copy_source: str | None = None  # SHA-256 of the file this is the annotated copy of
    output: str | None = None  # vocab.OUTPUT_*: the tool's own archive, feedback or district
    sheet_xml: dict[str, str] = field(default_factory=dict)  # worksheet part -> sheet name
    legacy: str | None = None  # the format's name for the legacy_format note, when not fmt's
    formula_parts: set[str] = field(default_factory=set)  # sheet parts with formulas / errors
    formula_text: dict[str, list[str]] = field(default_factory=dict)  # sheet -> formula cells
    picture_cells: dict[str, list[str]] = field(default_factory=dict)  # sheet -> WPS pictures
    data: bytes = field(default=b"", repr=False)  # the file's bytes, read once
    # the package again with the parts the guard inflated whole stored uncompressed (the same
    # bytes it checked): what python-calamine reads, without inflating them a second time
    package: bytes = field(default=b"", repr=False)
    # worksheet parts not yet checked (part -> sheet name): in a worker, a sheet's extent is
    # checked just before it is parsed (``check_sheet``), so a guide or list sheet the reader
    # never opens is never inflated nor scanned
    unscanned: dict[str, str] = field(default_factory=dict)
    zip: Zip | None = field(default=None, repr=False)


def check_sheet(opened: Opened, sheet: str, limits: Limits) -> None:
    """Check the extent of ``sheet`` before a grid reader parses it (see ``Opened.unscanned``);
    every unchecked sheet when its part is not known by that name (nothing unchecked is
    parsed)."""
    if not opened.unscanned:
        return
    parts = [p for p, name in opened.unscanned.items() if name == sheet]
    check_sheets(opened, limits, parts or list(opened.unscanned))


def check_sheets(opened: Opened, limits: Limits, parts: list[str] | None = None) -> None:
    """Check the extent of the unchecked sheets ``parts`` (all of them by default: before a
    reader that parses every sheet at once)."""
    z = opened.zip
    for part in list(opened.unscanned) if parts is None else parts:
        sheet = opened.unscanned.pop(part, None)
        if sheet is None or z is None:
            continue
        if _scan_sheet_extent(z, part, sheet, limits):
            opened.formula_parts.add(part)


class _Entry:
    """A central-directory entry: the fields the guard reads (as zipfile.ZipInfo names them),
    and the record itself (``_CENTRAL`` fields and the raw name) for ``Zip.repacked``."""

    __slots__ = ("CRC", "compress_size", "compress_type", "file_size", "filename", "flag_bits")
    __slots__ += ("header_offset", "record", "raw_name")

    def __init__(self, filename: str, record: tuple[Any, ...], raw_name: bytes) -> None:
        self.filename, self.record, self.raw_name = filename, record, raw_name
        self.flag_bits, self.compress_type, self.CRC = record[5], record[6], record[9]
        self.compress_size, self.file_size, self.header_offset = record[10:12] + record[18:19]


def _inflate_whole(raw: bytes, cap: int, crc: int) -> bytes | None:
    """A deflated part inflated by ISA-L, when its stream ends within ``cap`` bytes and the
    output has the CRC-32 its directory entry declares (then it is the part's content, the
    bytes zlib gives); None otherwise, for zlib to read (and judge) as before."""
    if _isal is None:
        return None
    inflate = _isal.decompressobj(-15)
    try:
        out = inflate.decompress(raw, cap)
    except _isal.error:
        return None
    return out if inflate.eof and _isal.crc32(out) == crc else None


_EOCD = struct.Struct("<4s4H2LH")
_LOCAL = struct.Struct("<4s5H3L2H")
_NAME_EXTRA = struct.Struct("<HH")  # a local header's name and extra field lengths, at 26
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_ZIP64_LOCATOR = b"PK\x06\x07"
_MAX_EXTRACT_VERSION = 63  # zipfile's


def _plain_directory(data: bytes) -> list[Any] | None:
    """The entries of a plain zip (no comment, no zip64, no extra fields, nothing before the
    first member), read straight from the bytes — what zipfile would read, in a fraction of
    its time; None for any other zip, which zipfile then reads (and judges)."""
    end = len(data) - _EOCD.size
    if end < 0 or data[end : end + 4] != EMPTY_ZIP_MAGIC:
        return None
    _sig, disk, disk_cd, _n_disk, _n, size_cd, offset_cd, comment = _EOCD.unpack_from(data, end)
    if comment or disk or disk_cd or offset_cd + size_cd != end:
        return None
    if end >= 20 and data[end - 20 : end - 16] == _ZIP64_LOCATOR:
        return None
    out: list[Any] = []
    pos, stop = offset_cd, end
    unpack = _CENTRAL.unpack_from
    while pos < stop:
        if pos + 46 > stop:
            return None
        c = unpack(data, pos)
        if c[0] != b"PK\x01\x02" or c[3] > _MAX_EXTRACT_VERSION:
            return None
        name_len, extra_len, comment_len = c[12], c[13], c[14]
        compress_size, file_size, offset = c[10], c[11], c[18]
        if extra_len or 0xFFFFFFFF in (compress_size, file_size, offset):
            return None
        raw_name = data[pos + 46 : pos + 46 + name_len]
        if len(raw_name) != name_len or b"\0" in raw_name:
            return None
        try:  # an ASCII name reads the same in both (cp437 is a Python-level codec)
            name = raw_name.decode(
                "utf-8" if c[5] & 0x800 else "ascii" if raw_name.isascii() else "cp437"
            )
        except UnicodeDecodeError:
            return None
        out.append(_Entry(name, c, raw_name))
        pos += 46 + name_len + extra_len + comment_len
    return out if pos == stop else None


class Zip:
    """A zip read from memory: the directory via zipfile, members inflated directly from the
    bytes with a cap on the output (cheaper than ZipFile.open for a dozen small parts)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        infos = _plain_directory(data)
        if infos is None:  # anything unusual: zipfile's reading (and its verdict) is the rule
            try:
                infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP) from exc
        else:
            self.plain = True
        self.infos: list[Any] = infos
        # some writers store member names with backslashes; readers treat them as '/'
        self.by_name = {i.filename.replace("\\", "/"): i for i in self.infos}
        self._memo: dict[int, tuple[bytes, int] | None] = {}  # small parts, inflated once
        # the parts inflated to the end of their stream, exactly their declared size
        self._whole: dict[int, bytes] = {}
        self._raws: dict[int, bytes] = {}

    plain = False  # the directory was read by _plain_directory (its entries carry records)

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        """The part's bytes as stored (sliced once: head, inflation and repacking share them)."""
        raw = self._raws.get(id(info))
        if raw is not None:
            return raw
        off = info.header_offset
        data = self.data
        if info.flag_bits & 0x1:  # a zip-encrypted part
            raise Refused("encrypted")
        # a directory whose own offset was damaged puts members before the file's start
        # (zipfile subtracts the difference): a negative offset would count from the end
        if off < 0 or off + 30 > len(data) or not data.startswith(ZIP_MAGIC, off):
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP)
        name_len, extra_len = _NAME_EXTRA.unpack_from(data, off + 26)
        start = off + 30 + name_len + extra_len
        raw = data[start : start + info.compress_size]
        if len(raw) < info.compress_size:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP)
        self._raws[id(info)] = raw
        return raw

    def _inflated(self, info: zipfile.ZipInfo) -> tuple[bytes, int] | None:
        """(output, cap) of a small deflated part inflated once, at most ``cap`` bytes (its
        declared size plus two scan blocks: past that every caller has refused it as a
        lying zip bomb); None for a large part, or one whose stream is broken (read in
        blocks, as the callers expect)."""
        if info.file_size > MEMO_MAX_BYTES or info.compress_type != zipfile.ZIP_DEFLATED:
            return None
        key = id(info)
        if key not in self._memo:
            cap = info.file_size + 2 * SCAN_BLOCK
            raw = self._raw(info)
            out = _inflate_whole(raw, cap, info.CRC)
            if out is None:  # zlib's reading (and its verdict) is the rule
                inflate = zlib.decompressobj(-15)
                try:
                    out = inflate.decompress(raw, cap)
                except zlib.error:
                    self._memo[key] = None
                    return None
                if not inflate.eof:
                    self._memo[key] = (out, cap)
                    return self._memo[key]
            self._memo[key] = (out, cap)
            if len(out) == info.file_size:
                self._whole[key] = out
        return self._memo[key]

    def repacked(self) -> bytes:
        """The package with every part inflated whole (``_whole``) stored uncompressed and the
        others copied as they are: the same names, order, sizes and CRC-32s, so a reader
        finds the same content (and the same faults) without inflating those parts again.
        Empty when there is nothing to gain or the directory is not a plain one (parts
        sharing their bytes are not copied twice)."""
        whole = self._whole
        if not (self.plain and whole) or sum(i.compress_size for i in self.infos) > len(self.data):
            return b""
        pieces: list[bytes] = []
        central: list[bytes] = []
        pos = 0
        for info in self.infos:
            c, name = info.record, info.raw_name
            content = whole.get(id(info))
            if content is None:
                try:
                    content = self._raw(info)
                except Refused:
                    return b""
                method, size = info.compress_type, info.compress_size
            else:
                method, size = zipfile.ZIP_STORED, len(content)
            flags = c[5] & ~0x8  # the sizes are in the local header: no data descriptor
            fields = (flags, method, c[7], c[8], c[9], size, c[11], len(name))
            pieces += (_LOCAL.pack(ZIP_MAGIC, c[3], *fields, 0), name, content)
            central += (
                _CENTRAL.pack(b"PK\x01\x02", *c[1:5], *fields, 0, 0, *c[15:18], pos),
                name,
            )
            pos += _LOCAL.size + len(name) + size
        directory = b"".join(central)
        n = len(self.infos)
        end = _EOCD.pack(EMPTY_ZIP_MAGIC, 0, 0, n, n, len(directory), pos, 0)
        return b"".join(pieces) + directory + end

    def blocks(self, name: str, limit: int, block: int = SCAN_BLOCK) -> Iterator[bytes]:
        """Yield the member's content in blocks, at most ``limit`` bytes in all (each block
        exactly ``block`` bytes but the last, as zlib gives them)."""
        info = self.by_name[name]
        memo = self._inflated(info)
        if memo is not None and (len(memo[0]) < memo[1] or limit <= memo[1]):
            out = memo[0]
            for i in range(0, min(len(out), limit), block):
                yield out[i : min(i + block, limit)]
            return
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            for i in range(0, min(len(raw), limit), block):
                yield raw[i : min(i + block, limit)]
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART)
        inflate = zlib.decompressobj(-15)
        total = 0
        try:
            while raw and total < limit:
                out = inflate.decompress(raw, min(block, limit - total))
                raw = inflate.unconsumed_tail
                if not out:
                    break
                total += len(out)
                yield out
        except zlib.error as exc:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART) from exc

    def head(self, name: str, n: int) -> bytes:
        """The member's first ``n`` bytes (a part already inflated gives them from memory;
        otherwise only that much is inflated)."""
        info = self.by_name[name]
        memo = self._memo.get(id(info))
        if memo is not None:
            return memo[0][:n]
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            return raw[:n]
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART)
        try:
            return zlib.decompressobj(-15).decompress(raw, n)
        except zlib.error as exc:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART) from exc

    def read(self, name: str, limit: int) -> bytes:
        info = self.by_name[name]
        memo = self._inflated(info)
        if memo is not None and (len(memo[0]) < memo[1] or limit <= memo[1]):
            return memo[0][:limit]
        return b"".join(self.blocks(name, limit, block=limit))


def check_zip_directory(z: Zip, size: int, limits: Limits) -> None:
    total = sum(i.file_size for i in z.infos)
    if total > limits.max_uncompressed_bytes:
        raise Refused(
            "zip_bomb", detail=f"{total / MB:.0f} MB > {limits.max_uncompressed_bytes / MB:.0f} MB"
        )
    ratio = total / max(size, 1)
    if total > MB and ratio > limits.max_compression_ratio:
        raise Refused(
            "zip_bomb", detail=f"{ratio:.0f} : 1 > {limits.max_compression_ratio:.0f} : 1"
        )
    for info in z.infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_compression_ratio:
            raise Refused(
                "zip_bomb", detail=f"{ratio:.0f} : 1 > {limits.max_compression_ratio:.0f} : 1"
            )


def _check_entities(data: bytes) -> None:
    # '!' first: one byte is searched with memchr, '<!' byte by byte (every '<' of XML a
    # candidate); a part without '!' has no declaration
    if b"!" in data and b"<!" in data and _DANGEROUS.search(data):
        raise Refused("xml_entities")


def _attrs(tag: str) -> dict[str, str]:
    attrs = dict(_ATTR.findall(tag))
    if "&" in tag:
        return {k: html.unescape(v) if "&" in v else v for k, v in attrs.items()}
    return attrs


def _normpath(path: str) -> str:
    """``os.path.normpath``, which leaves a path without '.' segments, '//' or a trailing
    '/' as it is: such a path is returned without the call."""
    if "/." in path or "//" in path or path.startswith(".") or path.endswith("/") or not path:
        return os.path.normpath(path)
    return path


PROLOG_HEAD_BYTES = 1024  # a part's prolog (XML declaration, DOCTYPE) fits in this, as a rule
_PROLOG_MARKUP = re.compile(rb"<!--.*?-->|<\?.*?\?>|<", re.DOTALL)


def _prolog_end(data: bytes) -> int | None:
    """Where the prolog of ``data`` ends: the start of the root element's tag, past the XML
    declaration, processing instructions and comments; None when ``data`` ends first or a
    declaration (``<!DOCTYPE``) is met (the caller then scans the whole head)."""
    pos = 0
    while True:
        m = _PROLOG_MARKUP.search(data, pos)
        if m is None:
            return None
        token = m[0]
        if token == b"<":  # not a whole comment or processing instruction
            nxt = data[m.end() : m.end() + 1]
            # '<!' starts a declaration (or a comment cut off): the whole head is scanned
            return None if not nxt or nxt in b"?!" else m.start()
        pos = m.end()


def check_prolog(z: Zip, name: str) -> None:
    """Refuse DOCTYPE / ENTITY declarations in an XML part. XML allows them only in the
    prolog, before the root element: when the root element starts within the first
    ``PROLOG_HEAD_BYTES``, only that much is inflated and the prolog is what is scanned;
    otherwise the first ``XML_HEAD_BYTES`` are, as for every part before."""
    head = z.head(name, PROLOG_HEAD_BYTES)
    end = _prolog_end(head)
    if end is None:
        _check_entities(z.head(name, XML_HEAD_BYTES))
    else:
        _check_entities(head[:end])


def _sheet_parts(workbook: str, rels: str, folder: str = "xl") -> dict[str, str]:
    """Worksheet part name -> sheet name, from workbook.xml and its relationships (targets
    are relative to the workbook part's ``folder``)."""
    return dict(_sheet_parts_of(workbook, rels, folder))


@lru_cache(maxsize=64)
def _sheet_parts_of(workbook: str, rels: str, folder: str) -> tuple[tuple[str, str], ...]:
    """``_sheet_parts`` (a pure function of the texts: forms of one template share them)."""
    targets: dict[str, str] = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        a = _attrs(tag)
        target = a.get("Target", "").replace("\\", "/")
        if target.startswith("/"):
            target = target.lstrip("/")
        elif folder:
            target = f"{folder}/{target}"
        targets[a.get("Id", "")] = _normpath(target).replace("\\", "/")
    parts: dict[str, str] = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        if rid in targets:
            parts[targets[rid]] = a.get("name", "")
    return tuple(parts.items())


@lru_cache(maxsize=64)
def _marker(workbook: str, custom: str) -> str | None:
    """Form kind from the LZ_FORM defined name or the custom document property."""
    for tag, value in re.findall(r"<definedName\b([^>]*)>([^<]*)</definedName>", workbook):
        if _attrs(tag).get("name") == vocab.TEMPLATE_MARKER_NAME:
            kind = html.unescape(value).strip().lstrip("=").strip('"').split(":")[0]
            if kind in vocab.FORM_KINDS:
                return kind
    if custom:
        pattern = rf"name=\"{re.escape(vocab.TEMPLATE_PROPERTY_KIND)}\"[^>]*>\s*<[^>]+>([^<]*)<"
        m = re.search(pattern, custom)
        if m and m[1].strip() in vocab.FORM_KINDS:
            return m[1].strip()
    return None


def _output_of(custom: str) -> str | None:
    """Which of the tool's outputs a workbook is (its custom properties), or None."""
    if vocab.ARCHIVE_PROPERTY_PREFIX in custom:
        return vocab.OUTPUT_ARCHIVE
    if vocab.OUTPUT_PROPERTY not in custom:
        return None
    pattern = rf"name=\"{re.escape(vocab.OUTPUT_PROPERTY)}\"[^>]*>\s*<[^>]+>([^<]*)<"
    m = re.search(pattern, custom)
    return m[1].strip() if m and m[1].strip() in vocab.OUTPUT_LABELS else None


def _copy_of(custom: str) -> str | None:
    """The source hash an annotated copy carries (vocab.COPY_SOURCE_PROPERTY), or None."""
    if vocab.COPY_SOURCE_PROPERTY not in custom:
        return None
    pattern = rf"name=\"{re.escape(vocab.COPY_SOURCE_PROPERTY)}\"[^>]*>\s*<[^>]+>\s*([0-9A-Fa-f]{{64}})\s*<"
    m = re.search(pattern, custom)
    return m[1].lower() if m else None


def _ods_custom(z: Any, names: dict[str, Any]) -> str:
    """An .ods's user-defined properties (meta.xml, where LibreOffice keeps the custom
    properties of a workbook it re-saves) in the shape of docProps/custom.xml, for
    ``_copy_of`` and ``_output_of``; '' when there are none."""
    info = names.get("meta.xml")
    if info is None or info.file_size > MB:
        return ""
    meta = z.read("meta.xml", MB).decode("utf-8", "replace")
    if "lianzheng_" not in meta:
        return ""
    found = re.findall(r'<meta:user-defined\s[^>]*?meta:name="([^"]*)"[^>]*>([^<]*)<', meta)
    return _as_custom(found)


def _ole_custom(ole: Any, entries: dict[str, Any]) -> str:
    """An .xls's user-defined properties (the second section of the DocumentSummaryInformation
    stream, where Excel and LibreOffice keep custom properties) in the shape of
    docProps/custom.xml; '' when there are none or the stream is not as expected."""
    entry = entries.get("\x05documentsummaryinformation")
    if entry is None:
        return ""
    with ole.openstream(entry) as fh:
        data = fh.read(OLE_HEAD_BYTES)
    if b"lianzheng_" not in data and "lianzheng_".encode("utf-16-le") not in data:
        return ""
    try:
        return _as_custom(_property_set_strings(data))
    except (struct.error, IndexError, LookupError, ValueError):
        return ""


def _property_set_strings(data: bytes) -> list[tuple[str, str]]:
    """(name, text) of the named properties of a property-set stream's sections (MS-OLEPS):
    the dictionary (property 0) names them; string values (VT_LPSTR in the section's code
    page, VT_LPWSTR) and integers (VT_I2, VT_I4) are given as text."""
    (count,) = struct.unpack_from("<I", data, 24)
    out: list[tuple[str, str]] = []
    for k in range(min(count, 4)):
        (offset,) = struct.unpack_from("<I", data, 28 + 20 * k + 16)
        _size, n = struct.unpack_from("<II", data, offset)
        where = dict(
            struct.unpack_from("<II", data, offset + 8 + 8 * i) for i in range(min(n, 256))
        )
        codepage = 1252
        if 1 in where and struct.unpack_from("<H", data, offset + where[1])[0] == 2:
            codepage = struct.unpack_from("<H", data, offset + where[1] + 4)[0]
        encoding = "utf-16-le" if codepage == 1200 else f"cp{codepage}"
        if 0 not in where:
            continue
        at = offset + where[0]
        (entries,) = struct.unpack_from("<I", data, at)
        at += 4
        named: dict[int, str] = {}
        for _ in range(min(entries, 256)):
            pid, length = struct.unpack_from("<II", data, at)
            at += 8
            width = 2 if codepage == 1200 else 1
            named[pid] = data[at : at + length * width].decode(encoding).rstrip("\x00")
            at += length * width
            if codepage == 1200:
                at += -at % 4
        for pid, name in named.items():
            if pid not in where:
                continue
            at = offset + where[pid]
            (vt,) = struct.unpack_from("<H", data, at)
            if vt == 0x1E:
                (length,) = struct.unpack_from("<I", data, at + 4)
                text = data[at + 8 : at + 8 + length].decode(encoding).rstrip("\x00")
            elif vt == 0x1F:
                (length,) = struct.unpack_from("<I", data, at + 4)
                text = data[at + 8 : at + 8 + 2 * length].decode("utf-16-le").rstrip("\x00")
            elif vt in (2, 3):
                text = str(struct.unpack_from("<h" if vt == 2 else "<i", data, at + 4)[0])
            else:
                continue
            out.append((name, text))
    return out


def _as_custom(properties: list[tuple[str, str]]) -> str:
    """(name, text) pairs written as docProps/custom.xml writes them."""
    return "".join(
        f'<property name="{html.escape(name)}"><vt:lpwstr>{html.escape(text)}</vt:lpwstr></property>'
        for name, text in properties
    )


def _col_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


# every letter of a reference as 'A', every digit as '0': the shapes the limits care about
_REF_SHAPES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)


@lru_cache(maxsize=16)
def _reaching(max_rows: int, max_columns: int) -> tuple[bytes, ...]:
    r"""What every ``r="..."`` reference that could exceed the limits starts with, in
    ``_REF_SHAPES`` form: a column of as many letters as the first column beyond them, or a
    row of as many digits as the row limit (a superset: data without any of these holds no
    reference beyond the limits). It is the pattern ``r="(?:[A-Z]{L}|[A-Z]{1,3}\d{D}|\d{D})``
    as plain substrings, which bytes search finds many times faster than a regex."""
    letters = min(len(col_letter(max_columns)), 3)
    digits = len(str(max_rows))
    needles = {b'r="' + b"A" * letters, b'r="' + b"0" * digits}
    needles |= {b'r="' + b"A" * k + b"0" * digits for k in range(1, 4)}
    # a needle that starts with another is found wherever that one is: one search is enough
    return tuple(sorted(n for n in needles if not any(n != o and n.startswith(o) for o in needles)))


def _may_reach(scan: bytes, needles: tuple[bytes, ...]) -> bool:
    shapes = scan.translate(_REF_SHAPES)
    for n in needles:
        if n in shapes:
            return True
    return False


def _quick_extent(z: Zip, part: str, limits: Limits) -> bool | None:
    """The verdict of ``_scan_sheet_extent`` for a small part inflated whole, when it is
    plainly within the limits: whether it holds formulas. None when the full scan must
    decide (a dimension, reference or count that could pass the limits, a part that is
    large, stored or inflates past its size): that scan then runs from the start, so the
    verdict and the cell it names are the full scan's. The checks here look at a superset
    of what the full scan looks at (the whole part, its last tag included), so a part
    passed here is one the full scan passes."""
    info = z.by_name[part]
    memo = z._inflated(info)
    if memo is None:
        return None
    data, cap = memo
    size = len(data)
    if size >= cap or size > SCAN_BLOCK or size > info.file_size + SCAN_BLOCK:
        return None
    if size > limits.max_uncompressed_bytes:
        return None
    _check_entities(data[:XML_HEAD_BYTES])
    m = _DIMENSION.search(data[:XML_HEAD_BYTES])
    if m is not None:
        if size > XML_HEAD_BYTES:
            m = _DIMENSION.search(data)
        mm = A1.match(m[1].decode("ascii", "replace").split(":")[-1]) if m else None
        if mm and (int(mm[2]) > limits.max_rows or col_index(mm[1]) >= limits.max_columns):
            return None
    elif b"<dimension" in data:
        return None  # a dimension further in: the full scan reads it
    if _may_reach(data, _reaching(limits.max_rows, limits.max_columns)):
        return None
    if size // 4 > limits.max_rows and data.count(b"<row") > limits.max_rows:
        return None
    max_cells = limits.max_rows * limits.max_columns
    if size // 3 > max_cells and data.count(b"<c ") + data.count(b"<c>") > max_cells:
        return None
    # formulas: in what the full scan scans (all but a last tag cut off at the end)
    cut = data.rfind(b"<")
    end = cut if 0 < cut and size - cut < 4096 else size
    find = data.find
    return (
        find(b"<f", 0, end) >= 0 and (find(b"<f>", 0, end) >= 0 or find(b"<f ", 0, end) >= 0)
    ) or find(b't="e"', 0, end) >= 0


def _scan_sheet_extent(
    z: Zip, part: str, sheet: str, limits: Limits, prefilter: bool = True
) -> bool:
    """Refuse a worksheet whose dimension, cell references or row numbers exceed the limits;
    return whether it holds formulas or error values (read from the XML: see ``formulas``).

    Only cells with a value make calamine allocate, but a dimension or a formatted cell that
    far out is refused as well: the form is meant to be small. With ``prefilter``, blocks in
    which no reference can reach the limits (``_reaching``: one search in C) are only counted,
    not parsed reference by reference; the verdict is the same."""
    if prefilter:
        quick = _quick_extent(z, part, limits)
        if quick is not None:
            return quick
    reaching = _reaching(limits.max_rows, limits.max_columns) if prefilter else None
    formulas = False
    max_row, max_col = 0, b"A"
    far = ""
    n_cells = n_rows = 0
    tail = b""
    first = True
    out_total = 0
    declared = z.by_name[part].file_size
    for block in z.blocks(part, limits.max_uncompressed_bytes + 1):
        out_total += len(block)
        if out_total > max(declared, 0) + SCAN_BLOCK or out_total > limits.max_uncompressed_bytes:
            raise Refused(
                "zip_bomb", detail=vocab.DETAIL_PART_INFLATES.format(part=part, mb=declared / MB)
            )
        data = tail + block
        if first:
            first = False
            _check_entities(data[:XML_HEAD_BYTES])
            m = _DIMENSION.search(data)
            if m:
                mm = A1.match(m[1].decode("ascii", "replace").split(":")[-1])
                if mm and (int(mm[2]) > limits.max_rows or col_index(mm[1]) >= limits.max_columns):
                    far = f"{mm[1].upper()}{int(mm[2])}"
        cut = data.rfind(b"<")  # scan complete tags; a cut tag goes on with the next block
        scan, tail = (data[:cut], data[cut:]) if 0 < cut and len(data) - cut < 4096 else (data, b"")
        cells = scan.count(b"<c ") + scan.count(b"<c>")
        formulas = (
            formulas or (b"<f" in scan and (b"<f>" in scan or b"<f " in scan)) or b't="e"' in scan
        )
        n_cells += cells
        n_rows += scan.count(b"<row")
        if reaching is not None and not _may_reach(scan, reaching):
            continue
        refs = _CELL_REF_FAST.findall(scan)
        if len(refs) != cells:  # attributes in another order: the slower general pattern
            refs = _CELL_REF.findall(scan)
        if refs:
            letters, digits = zip(*refs)
            col = max(set(letters), key=_col_key)
            if _col_key(col) > _col_key(max_col):
                max_col = col
            row = max(map(int, digits))
            max_row = max(max_row, row)
            if not far and (row > limits.max_rows or col_index(col.decode()) >= limits.max_columns):
                far = next(
                    (L + d).decode()
                    for L, d in refs
                    if int(d) > limits.max_rows or col_index(L.decode()) >= limits.max_columns
                )
        rows = _ROW_REF.findall(scan)
        if rows:
            max_row = max(max_row, *map(int, rows))
    max_c = col_index(max_col.decode())
    too_big = (
        far
        or max_row > limits.max_rows
        or max_c >= limits.max_columns
        or n_rows > limits.max_rows
        or n_cells > limits.max_rows * limits.max_columns
    )
    if too_big:
        far_value, value_rows = _far_value_cell(z, part, limits)
        if far_value == "":
            return formulas  # only formatting (borders, empty styled rows) reaches that far
        if value_rows > limits.max_rows:  # real rows, not a stray far cell
            raise too_many_rows(sheet, value_rows, limits)
        if not far_value and not far and reaching is not None:
            # the cell named below needs the extent over every block: scan them all
            _scan_sheet_extent(z, part, sheet, limits, prefilter=False)
        cell = far_value or far or a1(max(n_rows, max_row, 1) - 1, max_c)
        raise Refused(
            "too_many_cells",
            detail=vocab.EXTENT_DETAIL.format(
                cell=cell, rows=limits.max_rows, cols=limits.max_columns
            ),
            sheet=sheet,
            cell=cell,
        )
    return formulas


# Side parts that passed the prolog check, by their stored bytes: forms of one template share
# them byte for byte (theme, content types, styles, document properties), and the verdict is
# a function of those bytes alone. Only passes are remembered: a part refused is checked again
# every time. (Sheets rarely repeat: their shared-string indices differ from form to form.)
_PASSED: set[tuple[int, bytes]] = set()
PASSED_MAX = 512  # entries (each holds a part's stored bytes: a few KB)


def _check_prolog_remembered(z: Zip, name: str) -> None:
    """``check_prolog``, its pass remembered for a part with the same bytes."""
    info = z.by_name[name]
    key = (info.compress_type, z._raw(info))
    if key not in _PASSED:
        check_prolog(z, name)  # raises when refused: nothing is remembered then
        if len(_PASSED) >= PASSED_MAX:
            _PASSED.clear()
        _PASSED.add(key)


def _far_value_cell(z: Zip, part: str, limits: Limits) -> tuple[str | None, int]:
    """(the first cell holding a value or formula beyond the limits, the number of rows that
    hold values); the cell is '' when every such cell is within them (the parser skips empty
    cells, however far they are formatted), None when it cannot tell (cells without a
    reference)."""
    data = z.read(part, limits.max_uncompressed_bytes)
    far: str | None = ""
    value_rows: set[bytes] = set()
    for m in CELL_ELEMENT.finditer(data):
        body = m[2]
        if not body or not (b"<v" in body or b"<is" in body or b"<f" in body):
            continue
        ref = R_ATTR.search(m[1])
        if ref is None:
            return None, len(value_rows)
        value_rows.add(ref[2])
        if far == "" and (
            int(ref[2]) > limits.max_rows or col_index(ref[1].decode()) >= limits.max_columns
        ):
            far = (ref[1] + ref[2]).decode()
    return far, len(value_rows)


def too_many_cells(sheet: str, row: int, col: int, limits: Limits) -> Refused:
    """A sheet whose extent (0-based last row and column) passes the limits."""
    cell = a1(row, col)
    detail = vocab.EXTENT_DETAIL.format(cell=cell, rows=limits.max_rows, cols=limits.max_columns)
    return Refused("too_many_cells", detail=detail, sheet=sheet, cell=cell)


def extent_refusal(sheet: str, row: int, col: int, limits: Limits) -> Refused | None:
    """The refusal for a sheet whose last cell is (row, col), 0-based; None within the limits."""
    if row >= limits.max_rows and col < limits.max_columns:
        return too_many_rows(sheet, row + 1, limits)
    if row >= limits.max_rows or col >= limits.max_columns:
        return too_many_cells(sheet, row, col, limits)
    return None


def too_many_rows(sheet: str, n: int, limits: Limits) -> Refused:
    """A sheet whose rows are real (they hold values) but more than the limit allows."""
    detail = vocab.TOO_MANY_ROWS_DETAIL.format(sheet=sheet, n=n, limit=limits.max_rows)
    return Refused("too_many_rows", detail=detail, sheet=sheet, cell=a1(limits.max_rows, 0))


def _check_member(z: Zip, name: str, is_xml: bool, limits: Limits) -> None:
    """Inflate a part without keeping it: refuse entity declarations at its start and a part
    that inflates to more than its directory entry declares (a lying zip bomb)."""
    declared = z.by_name[name].file_size
    total = 0
    for block in z.blocks(name, limits.max_uncompressed_bytes + 1):
        if is_xml and total == 0:
            _check_entities(block[:XML_HEAD_BYTES])
        total += len(block)
        if total > declared + 1024 or total > limits.max_uncompressed_bytes:
            raise Refused(
                "zip_bomb", detail=vocab.DETAIL_PART_INFLATES.format(part=name, mb=declared / MB)
            )


def prescan(path: str, limits: Limits, thorough: bool = True) -> Opened:
    """Check a file before parsing; raise Refused with the reason when it must not be parsed.

    ``thorough=False`` is for worker processes, whose memory limit catches what it skips.
    The file is read once: its bytes are ``Opened.data``."""
    data = read_bytes(path, limits)
    opened = _prescan(path, data, limits, thorough)
    if opened.fmt == DECRYPTED:  # a package encrypted with Excel's own password: its content
        data = opened.package
        opened = _prescan(path, data, limits, thorough)
    opened.data = data
    return opened


def read_bytes(path: str, limits: Limits) -> bytes:
    """The file's bytes; Refused when it is too large or cannot be opened."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_file_bytes:
                raise Refused("too_large", detail=f"{size / MB:.1f} MB")
            return fh.read()
    except OSError as exc:
        raise Refused("cannot_open") from exc


def _prescan(path: str, data: bytes, limits: Limits, thorough: bool) -> Opened:
    size = len(data)
    if data.startswith(OLE_MAGIC):
        return prescan_ole(path)
    version = biff.bare_biff_version(data[:16])
    if version is not None:  # Excel 2.1-4.0: a bare BIFF stream, read by xlrd
        return Opened("biff", legacy=vocab.LEGACY_BIFF_NAME.format(version=version))
    if data.startswith(EMPTY_ZIP_MAGIC):
        raise Refused("corrupt", detail=vocab.DETAIL_NO_WORKBOOK)
    if not data.startswith(ZIP_MAGIC):
        if looks_spreadsheet_ml(data):
            _check_entities(xml_as_utf8(data))  # a declaration in UTF-16 or GB text too
            return Opened("xml2003")  # Excel 2003 XML (「XML 电子表格」), often named .xls
        if other_spreadsheet(data[:TEXT_HEAD_BYTES]) == "flat_ods":
            # LibreOffice's 「单文件 XML 表格」 (.fods): read as the .ods of the same content
            _check_entities(data)
            return Opened("ods", legacy=vocab.LEGACY_FLAT_ODS_NAME, package=ods.flat_package(data))
        if not path.lower().endswith(".csv") and looks_web_archive(data[:TEXT_HEAD_BYTES]):
            # a web archive (Excel's 「单个文件网页」 .mht, report systems' "xls"): its pages
            if any(has_table(page) for _name, page in web_archive_pages(data)):
                return Opened("html", legacy=vocab.LEGACY_WEB_ARCHIVE_NAME)
            if looks_saved_mail(data[:TEXT_HEAD_BYTES]):
                raise Refused("mail_web_page")
            raise Refused("not_excel", detail=vocab.FORMAT_NAMES["html"])
        if not path.lower().endswith(".csv") and looks_html(data):
            # a web table saved as .xls (office systems' exports): read as Excel opens it
            if has_table(data):
                page = path.lower().endswith(WEB_PAGE_EXTS)  # saved as a web page, not as .xls
                return Opened("html", legacy=vocab.LEGACY_WEB_PAGE_NAME if page else None)
            raise Refused("not_excel", detail=vocab.FORMAT_NAMES["html"])
        if path.lower().endswith(".csv") or text_table(data[:TEXT_HEAD_BYTES]):
            return Opened("csv")  # also a text table saved as .xls (web systems do that)
        if looks_saved_mail(data[:TEXT_HEAD_BYTES]):
            raise Refused("mail_web_page")  # saved with its To: no web archive of Excel's
        raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    z = Zip(data)
    check_zip_directory(z, size, limits)
    names = z.by_name
    xml_parts = {n for n in names if n.endswith((".xml", ".rels")) or n == "mimetype"}
    workbook_part = find_workbook_part(z)
    if workbook_part is not None:
        workbook = z.read(workbook_part, 4 * MB).decode("utf-8", "replace")
        folder, _, base = workbook_part.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        rels = z.read(rels_name, 4 * MB).decode("utf-8", "replace") if rels_name in names else ""
        parts = _sheet_parts(workbook, rels, folder)
        sheets_folder = f"{folder}/worksheets/" if folder else "worksheets/"
        sst = f"{folder}/sharedStrings.xml" if folder else "sharedStrings.xml"
        custom_name = "docProps/custom.xml"
        # parts read whole later (by the grid reader, or below): inflated whole at once, their
        # prolog checked from that (the bytes a head inflates are the first of them)
        whole = {sst, f"{folder}/styles.xml" if folder else "styles.xml", custom_name}
        formula_parts: set[str] = set()
        unscanned: dict[str, str] = {}
        for name in names:
            # thorough (parsing in this process): every XML part is scanned as if it were a
            # sheet and every part fully inflated, so nothing unchecked reaches the parser;
            # in a worker the memory limit backs up a lighter scan, and a sheet the workbook
            # names is scanned when the reader opens it (check_sheet)
            if name in parts and not thorough and parts[name]:
                unscanned[name] = parts[name]
                z._inflated(names[name])  # a small part inflated now: stored in the repack
            elif name in parts or name.startswith(sheets_folder):
                if _scan_sheet_extent(z, name, parts.get(name, ""), limits):
                    formula_parts.add(name)
            elif thorough and name.endswith(".xml"):
                _scan_sheet_extent(z, name, "", limits)
            elif thorough:
                _check_member(z, name, name in xml_parts, limits)
            elif name in xml_parts:
                if name in whole:
                    z._inflated(names[name])
                _check_prolog_remembered(z, name)
        if sst in names and names[sst].file_size > SST_SCAN_BYTES:
            _check_shared_strings(z, sst, limits)
        custom = z.read(custom_name, MB).decode("utf-8", "replace") if custom_name in names else ""
        return Opened(
            "xlsx",
            marker=_marker(workbook, custom),
            sheet_xml=parts,
            formula_parts=formula_parts,
            copy_source=_copy_of(custom),
            output=_output_of(custom),
            package=z.repacked(),
            unscanned=unscanned,
            zip=z if unscanned else None,
        )
    for name in names:
        if thorough:
            _check_member(z, name, name in xml_parts, limits)
        elif name in xml_parts:
            check_prolog(z, name)
    if "xl/workbook.bin" in names:
        return Opened("xlsb")
    if "content.xml" in names:
        custom = _ods_custom(z, names)
        return Opened("ods", copy_source=_copy_of(custom), output=_output_of(custom))
    if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names) or not names:
        raise Refused("corrupt", detail=vocab.DETAIL_NO_WORKBOOK)  # a package missing its core
    raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)


_SHARED_STRING = re.compile(rb"<si\b[^>]*>(.*?)</si>", re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")


def _check_shared_strings(z: Zip, part: str, limits: Limits) -> None:
    """Refuse a shared string longer than a cell can hold: Excel never writes one, and every
    cell referring to it would expand it again (a 1 MB string named by 12,000 cells is 12 GB
    of text for the parser and for every copy made of the file)."""
    data = z.read(part, limits.max_uncompressed_bytes)
    for m in _SHARED_STRING.finditer(data):
        if len(m[1]) <= MAX_CELL_CHARS:
            continue  # fewer bytes than the limit: fewer characters too
        n = len(html.unescape(_TAG.sub(b"", m[1]).decode("utf-8", "replace")))
        if n > MAX_CELL_CHARS:
            detail = vocab.DETAIL_HUGE_SHARED_STRING.format(n=n, limit=MAX_CELL_CHARS)
            raise Refused("zip_bomb", detail=detail)


def find_workbook_part(z: Zip) -> str | None:
    """The package's workbook XML part: the officeDocument relationship of ``_rels/.rels``
    (minimal packages keep it at ``/workbook.xml``), else ``xl/workbook.xml``."""
    names = z.by_name
    if "_rels/.rels" in names:
        rels = z.read("_rels/.rels", MB).decode("utf-8", "replace")
        for target in _office_targets(rels):
            if target in names and target.endswith(".xml"):
                return target
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


@lru_cache(maxsize=64)
def _office_targets(rels: str) -> tuple[str, ...]:
    """The officeDocument targets of a package's ``_rels/.rels``, in order (a pure function
    of the text: forms of one template share it, so it is read once)."""
    out = []
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        a = _attrs(tag)
        if a.get("Type", "").endswith("/officeDocument"):
            out.append(_normpath(a.get("Target", "").lstrip("/")).replace("\\", "/"))
    return tuple(out)


def _chain_loops(fat: Any, start: int) -> bool:
    """Whether the sector chain from ``start`` in ``fat`` comes back to a sector it passed."""
    passed: set[int] = set()
    at = start
    while 0 <= at < len(fat):  # END, FREE and the other markers fall outside
        if at in passed:
            return True
        passed.add(at)
        at = fat[at]
    return False


def _ole_chain_loops(ole: Any) -> bool:
    """Whether the directory's or the mini FAT's sector chain of a compound file loops (a
    damaged or hostile .xls). Their lengths are told nowhere else: olefile stops within the
    file, python-calamine follows such a chain for ever, allocating until the worker is
    stopped, and the sender would be told the file is too big. A stream's chain is read
    within the stream's own size by both and is not judged here."""
    return _chain_loops(ole.fat, ole.first_dir_sector) or _chain_loops(
        ole.fat, ole.first_mini_fat_sector
    )


def prescan_ole(path: str) -> Opened:
    import olefile

    stream: bytes | None = None
    try:
        with olefile.OleFileIO(path) as ole:
            entries = {"/".join(entry).lower(): entry for entry in ole.listdir()}
            name = "workbook" if "workbook" in entries else "book" if "book" in entries else ""
            if name:
                with ole.openstream(entries[name]) as fh:
                    stream = fh.read(OLE_HEAD_BYTES)
            custom = _ole_custom(ole, entries)
            looping = _ole_chain_loops(ole)
    except Exception as exc:  # olefile raises several types for malformed containers
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_OLE) from exc
    if looping:  # calamine follows such a chain for ever, allocating until the worker dies
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_OLE)
    streams = set(entries)
    if {"encryptedpackage", "encryptioninfo"} & streams:
        with open(path, "rb") as fh:
            plain = biff.without_default_password(fh.read())
        if plain is None or not plain.startswith(ZIP_MAGIC):
            raise Refused("encrypted")
        return Opened(DECRYPTED, package=plain)  # Excel's own password: opens without asking
    if stream is None:
        raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    if biff.ole_encrypted(path, stream):  # BIFF5/8 with an open password (XOR or RC4)
        with open(path, "rb") as fh:
            plain = biff.without_default_password(fh.read())
        if plain is None:
            raise Refused("encrypted")
        # encrypted with Excel's own password (a protected workbook): opens without asking;
        # the decrypted bytes are what the grid reader reads
        return Opened("xls", package=plain, copy_source=_copy_of(custom), output=_output_of(custom))
    if name == "book":  # Excel 5.0/95
        return Opened("xls", legacy=vocab.LEGACY_BIFF5_NAME)
    return Opened("xls", copy_source=_copy_of(custom), output=_output_of(custom))
