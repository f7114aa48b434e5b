"""Read every form that discover kept: header fields, table rows (as text) and pledge sheet.

Hostile files are refused before any parser sees them (zip directory, XML entity
declarations and sheet extents are pre-scanned within ``settings.limits``), and parsing runs in
worker processes with a memory limit, so a file that still kills its worker costs only itself
(``worker_crashed``). Workers return small plain dicts; the frames are built here, column-wise.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import math
import os
import re
import struct
import sys
import zipfile
import zlib
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import cache, frames, layout, normalize, vocab, xlsx
from pipeline.config import Limits, Settings
from pipeline.discover import OLE_MAGIC, TEXT_HEAD_BYTES, ZIP_MAGIC, text_table
from pipeline.workbook import biff

log = logging.getLogger(__name__)

MB = 1024 * 1024
IN_PROCESS_MAX_FILES = 50  # below this, files that pass the pre-scan are parsed in-process
MAX_CHUNK = 32  # files per worker task
XML_HEAD_BYTES = 64 * 1024  # a DOCTYPE must come before the root element: scan this much
SCAN_BLOCK = 1 * MB
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # a zip archive with no members
OLE_HEAD_BYTES = 64 * 1024
SST_SCAN_BYTES = (
    256 * 1024
)  # shared-string tables larger than this are checked string by string  # a FILEPASS record comes among the first records of the stream
HEADER_SCAN_ROWS = 60  # the table header must start within these rows
HEADER_BLOCK_ROWS = 20  # header fields are looked for in these rows above the table
LABEL_MAX_CHARS = 40  # longer cells are never labels
PLEDGE_SCAN_ROWS = 200

PROGRESS_DESC = "读取表格"
PROGRESS_UNIT = "份"
LEGACY_FORMAT_NAMES = {
    "xls": "Excel 97-2003（.xls）",
    "ods": "OpenDocument（.ods）",
    "csv": "文本表格（CSV，逗号或制表符分隔）",
}
CRASH_DETAIL_MEMORY = "内存上限 {mb:.0f} MB"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
MEMORY_SIGNALS = {6, 9}  # SIGABRT: a Rust allocation failure; SIGKILL: the OOM killer
CRASH_DETAIL_TIME = "时间上限 {seconds:.0f} 秒"
EXTENT_DETAIL = "{cell}，上限为 {rows} 行 × {cols} 列"

FORMAT_EXTS = {
    "xlsx": (".xlsx", ".xlsm"),
    "xlsb": (".xlsb",),
    "xls": (".xls",),
    "biff": (".xls",),
    "ods": (".ods",),
    "csv": (".csv",),
}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads utf-8 without a BOM

_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})(\d{1,7})\"")
_CELL_REF_FAST = re.compile(rb"<c r=\"([A-Z]{1,3})(\d{1,7})\"")
_ROW_REF = re.compile(rb"<row\b[^>]*?\br=\"(\d{1,7})\"")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?\bref=\"([^\"]*)\"")
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ATTR = re.compile(r"([\w:]+)=\"([^\"]*)\"")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_LABEL_COLON = re.compile(r"([^\s：:]{1,20})\s*[：:]")
_COLONS = ("：", ":")


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> 'B3'."""
    return f"{xlsx.col_letter(col)}{row + 1}"


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return vocab.fold(text)


# A hint in brackets after a label: 风险等级（一级、二级、三级）, 姓名（签字）, 风险点描述【必填】.
_LABEL_HINT = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")


def _lookup_label(table: dict[str, str], folded: str) -> str | None:
    key = table.get(folded)
    if key is None and folded:
        bare = _LABEL_HINT.sub("", folded)
        if bare and bare != folded:
            key = table.get(bare)
    return key


@lru_cache(maxsize=8192)
def _column_key(folded: str) -> str | None:
    """Table column key of a folded label (a bracketed hint after the label is ignored)."""
    return _lookup_label(vocab.COLUMN_LOOKUP, folded)


@lru_cache(maxsize=8192)
def _header_key(folded: str) -> str | None:
    """Header field key of a folded label (a bracketed hint after the label is ignored)."""
    return _lookup_label(vocab.HEADER_LOOKUP, folded)


def _label_fold(value: object) -> str:
    """Folded text of a cell that could be a label ('' for anything else)."""
    if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
        return ""
    return _fold(value)


def cell_text(value: object) -> str | None:
    """A cell value as the text the user sees; None when empty."""
    t = type(value)
    if t is str:
        if not value:
            return None
        s = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return s or None
    if value is None:
        return None
    if t is float:
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if t is int:
        return str(value)
    if t is bool:
        return "TRUE" if value else "FALSE"
    if t is datetime:
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if t is date:
        return value.isoformat()
    if t is time:
        return value.isoformat(timespec="seconds")
    if t is timedelta:
        return str(value)
    s = str(value).strip()
    return s or None


def iso_date(value: object) -> str | None:
    """A date cell -> 'YYYY-MM-DD' when it is a full date, else its text as written (validate
    resolves a day without its year and reports the rest). The package's one date parser is
    ``normalize.read_date``."""
    return normalize.date_cell(value)


# --------------------------------------------------------------------------------------
# Pre-scan: refuse hostile or oversize files before a parser sees them
# --------------------------------------------------------------------------------------
class Refused(Exception):
    """Raised inside read when a file is refused; carries the reason code and where."""

    def __init__(self, code: str, detail: str = "", sheet: str = "", cell: str = "") -> None:
        super().__init__(code)
        self.code, self.detail, self.sheet, self.cell = code, detail, sheet, cell


@dataclass
class Opened:
    """What the pre-scan learned about a file that may be parsed."""

    fmt: str  # 'xlsx' | 'xlsb' | 'ods' | 'xls' | 'biff' (Excel 2.1-4.0) | 'csv'
    marker: str | None = None  # form kind from the template marker
    copy_source: str | None = None  # SHA-256 of the file this is the annotated copy of
    sheet_xml: dict[str, str] = field(default_factory=dict)  # worksheet part -> sheet name
    legacy: str | None = None  # the format's name for the legacy_format note, when not fmt's
    formula_parts: set[str] = field(default_factory=set)  # sheet parts with formulas / errors
    formula_text: dict[str, list[str]] = field(default_factory=dict)  # sheet -> formula cells


class _Zip:
    """A zip read from memory: the directory via zipfile, members inflated directly from the
    bytes with a cap on the output (cheaper than ZipFile.open for a dozen small parts)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP) from exc
        # some writers store member names with backslashes; readers treat them as '/'
        self.by_name = {i.filename.replace("\\", "/"): i for i in self.infos}

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        off = info.header_offset
        data = self.data
        if info.flag_bits & 0x1:  # a zip-encrypted part
            raise Refused("encrypted")
        if data[off : off + 4] != ZIP_MAGIC:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP)
        name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
        start = off + 30 + name_len + extra_len
        raw = data[start : start + info.compress_size]
        if len(raw) < info.compress_size:
            raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP)
        return raw

    def blocks(self, name: str, limit: int, block: int = SCAN_BLOCK):
        """Yield the member's content in blocks, at most ``limit`` bytes in all."""
        info = self.by_name[name]
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

    def read(self, name: str, limit: int) -> bytes:
        return b"".join(self.blocks(name, limit, block=limit))


def _check_zip_directory(z: _Zip, size: int, limits: Limits) -> None:
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
    if _DANGEROUS.search(data):
        raise Refused("xml_entities")


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def _sheet_parts(workbook: str, rels: str, folder: str = "xl") -> dict[str, str]:
    """Worksheet part name -> sheet name, from workbook.xml and its relationships (targets
    are relative to the workbook part's ``folder``)."""
    targets: dict[str, str] = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        a = _attrs(tag)
        target = a.get("Target", "").replace("\\", "/")
        if target.startswith("/"):
            target = target.lstrip("/")
        elif folder:
            target = f"{folder}/{target}"
        targets[a.get("Id", "")] = os.path.normpath(target).replace("\\", "/")
    parts: dict[str, str] = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        if rid in targets:
            parts[targets[rid]] = a.get("name", "")
    return parts


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


def _copy_of(custom: str) -> str | None:
    """The source hash an annotated copy carries (vocab.COPY_SOURCE_PROPERTY), or None."""
    if vocab.COPY_SOURCE_PROPERTY not in custom:
        return None
    pattern = rf"name=\"{re.escape(vocab.COPY_SOURCE_PROPERTY)}\"[^>]*>\s*<[^>]+>\s*([0-9A-Fa-f]{{64}})\s*<"
    m = re.search(pattern, custom)
    return m[1].lower() if m else None


def _col_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


@lru_cache(maxsize=16)
def _reaching(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """A pattern found in every ``r="..."`` reference that could exceed the limits: a column of
    as many letters as the first column beyond them, or a row of as many digits as the row
    limit (a superset: blocks without a match hold no reference beyond the limits)."""
    letters = len(xlsx.col_letter(max_columns))
    digits = len(str(max_rows))
    return re.compile(
        rb'r="(?:[A-Z]{%d}|[A-Z]{1,3}\d{%d}|\d{%d})' % (min(letters, 3), digits, digits)
    )


def _scan_sheet_extent(
    z: _Zip, part: str, sheet: str, limits: Limits, prefilter: bool = True
) -> bool:
    """Refuse a worksheet whose dimension, cell references or row numbers exceed the limits;
    return whether it holds formulas or error values (read from the XML: see ``formulas``).

    Only cells with a value make calamine allocate, but a dimension or a formatted cell that
    far out is refused as well: the form is meant to be small. With ``prefilter``, blocks in
    which no reference can reach the limits (``_reaching``: one search in C) are only counted,
    not parsed reference by reference; the verdict is the same."""
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
                mm = _A1.match(m[1].decode("ascii", "replace").split(":")[-1])
                if mm and (
                    int(mm[2]) > limits.max_rows or xlsx.col_index(mm[1]) >= limits.max_columns
                ):
                    far = f"{mm[1].upper()}{int(mm[2])}"
        cut = data.rfind(b"<")  # scan complete tags; a cut tag goes on with the next block
        scan, tail = (data[:cut], data[cut:]) if 0 < cut and len(data) - cut < 4096 else (data, b"")
        cells = scan.count(b"<c ") + scan.count(b"<c>")
        formulas = formulas or b"<f>" in scan or b"<f " in scan or b't="e"' in scan
        n_cells += cells
        n_rows += scan.count(b"<row")
        if reaching is not None and reaching.search(scan) is None:
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
            if not far and (
                row > limits.max_rows or xlsx.col_index(col.decode()) >= limits.max_columns
            ):
                far = next(
                    (L + d).decode()
                    for L, d in refs
                    if int(d) > limits.max_rows or xlsx.col_index(L.decode()) >= limits.max_columns
                )
        rows = _ROW_REF.findall(scan)
        if rows:
            max_row = max(max_row, *map(int, rows))
    max_c = xlsx.col_index(max_col.decode())
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
            raise _too_many_rows(sheet, value_rows, limits)
        if not far_value and not far and reaching is not None:
            # the cell named below needs the extent over every block: scan them all
            _scan_sheet_extent(z, part, sheet, limits, prefilter=False)
        cell = far_value or far or a1(max(n_rows, max_row, 1) - 1, max_c)
        raise Refused(
            "too_many_cells",
            detail=EXTENT_DETAIL.format(cell=cell, rows=limits.max_rows, cols=limits.max_columns),
            sheet=sheet,
            cell=cell,
        )
    return formulas


_CELL_ELEMENT = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_R_ATTR = re.compile(rb"\br=\"([A-Z]{1,3})(\d{1,7})\"")


def _far_value_cell(z: _Zip, part: str, limits: Limits) -> tuple[str | None, int]:
    """(the first cell holding a value or formula beyond the limits, the number of rows that
    hold values); the cell is '' when every such cell is within them (the parser skips empty
    cells, however far they are formatted), None when it cannot tell (cells without a
    reference)."""
    data = z.read(part, limits.max_uncompressed_bytes)
    far: str | None = ""
    value_rows: set[bytes] = set()
    for m in _CELL_ELEMENT.finditer(data):
        body = m[2]
        if not body or not (b"<v" in body or b"<is" in body or b"<f" in body):
            continue
        ref = _R_ATTR.search(m[1])
        if ref is None:
            return None, len(value_rows)
        value_rows.add(ref[2])
        if far == "" and (
            int(ref[2]) > limits.max_rows or xlsx.col_index(ref[1].decode()) >= limits.max_columns
        ):
            far = (ref[1] + ref[2]).decode()
    return far, len(value_rows)


def _too_many_rows(sheet: str, n: int, limits: Limits) -> Refused:
    """A sheet whose rows are real (they hold values) but more than the limit allows."""
    detail = vocab.TOO_MANY_ROWS_DETAIL.format(sheet=sheet, n=n, limit=limits.max_rows)
    return Refused("too_many_rows", detail=detail, sheet=sheet, cell=a1(limits.max_rows, 0))


def _check_member(z: _Zip, name: str, is_xml: bool, limits: Limits) -> None:
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

    ``thorough=False`` is for worker processes, whose memory limit catches what it skips."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_file_bytes:
                raise Refused("too_large", detail=f"{size / MB:.1f} MB")
            data = fh.read()
    except OSError as exc:
        raise Refused("read_failed", detail=vocab.DETAIL_CANNOT_OPEN) from exc
    if data.startswith(OLE_MAGIC):
        return _prescan_ole(path)
    version = biff.bare_biff_version(data[:16])
    if version is not None:  # Excel 2.1-4.0: a bare BIFF stream, read by xlrd
        return Opened("biff", legacy=vocab.LEGACY_BIFF_NAME.format(version=version))
    if data.startswith(EMPTY_ZIP_MAGIC):
        raise Refused("corrupt", detail=vocab.DETAIL_NO_WORKBOOK)
    if not data.startswith(ZIP_MAGIC):
        if path.lower().endswith(".csv") or text_table(data[:TEXT_HEAD_BYTES]):
            return Opened("csv")  # also a text table saved as .xls (web systems do that)
        raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    z = _Zip(data)
    _check_zip_directory(z, size, limits)
    names = z.by_name
    xml_parts = [n for n in names if n.endswith((".xml", ".rels")) or n == "mimetype"]
    workbook_part = _workbook_part(z)
    if workbook_part is not None:
        workbook = z.read(workbook_part, 4 * MB).decode("utf-8", "replace")
        folder, _, base = workbook_part.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        rels = z.read(rels_name, 4 * MB).decode("utf-8", "replace") if rels_name in names else ""
        parts = _sheet_parts(workbook, rels, folder)
        sheets_folder = f"{folder}/worksheets/" if folder else "worksheets/"
        formula_parts: set[str] = set()
        for name in names:
            # thorough (parsing in this process): every XML part is scanned as if it were a
            # sheet and every part fully inflated, so nothing unchecked reaches the parser;
            # in a worker the memory limit backs up a lighter scan
            if name in parts or name.startswith(sheets_folder):
                if _scan_sheet_extent(z, name, parts.get(name, ""), limits):
                    formula_parts.add(name)
            elif thorough and name.endswith(".xml"):
                _scan_sheet_extent(z, name, "", limits)
            elif thorough:
                _check_member(z, name, name in xml_parts, limits)
            elif name in xml_parts:
                _check_entities(z.read(name, XML_HEAD_BYTES))
        sst = f"{folder}/sharedStrings.xml" if folder else "sharedStrings.xml"
        if sst in names and names[sst].file_size > SST_SCAN_BYTES:
            _check_shared_strings(z, sst, limits)
        custom_name = "docProps/custom.xml"
        custom = z.read(custom_name, MB).decode("utf-8", "replace") if custom_name in names else ""
        return Opened(
            "xlsx",
            marker=_marker(workbook, custom),
            sheet_xml=parts,
            formula_parts=formula_parts,
            copy_source=_copy_of(custom),
        )
    for name in names:
        if thorough:
            _check_member(z, name, name in xml_parts, limits)
        elif name in xml_parts:
            _check_entities(z.read(name, XML_HEAD_BYTES))
    if "xl/workbook.bin" in names:
        return Opened("xlsb")
    if "content.xml" in names:
        return Opened("ods")
    if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names) or not names:
        raise Refused("corrupt", detail=vocab.DETAIL_NO_WORKBOOK)  # a package missing its core
    raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)


_SHARED_STRING = re.compile(rb"<si\b[^>]*>(.*?)</si>", re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")


def _check_shared_strings(z: _Zip, part: str, limits: Limits) -> None:
    """Refuse a shared string longer than a cell can hold: Excel never writes one, and every
    cell referring to it would expand it again (a 1 MB string named by 12,000 cells is 12 GB
    of text for the parser and for every copy made of the file)."""
    data = z.read(part, limits.max_uncompressed_bytes)
    for m in _SHARED_STRING.finditer(data):
        if len(m[1]) <= xlsx.MAX_CELL_CHARS:
            continue  # fewer bytes than the limit: fewer characters too
        n = len(html.unescape(_TAG.sub(b"", m[1]).decode("utf-8", "replace")))
        if n > xlsx.MAX_CELL_CHARS:
            detail = vocab.DETAIL_HUGE_SHARED_STRING.format(n=n, limit=xlsx.MAX_CELL_CHARS)
            raise Refused("zip_bomb", detail=detail)


def _workbook_part(z: _Zip) -> str | None:
    """The package's workbook XML part: the officeDocument relationship of ``_rels/.rels``
    (minimal packages keep it at ``/workbook.xml``), else ``xl/workbook.xml``."""
    names = z.by_name
    if "_rels/.rels" in names:
        rels = z.read("_rels/.rels", MB).decode("utf-8", "replace")
        for tag in re.findall(r"<Relationship\b[^>]*>", rels):
            a = _attrs(tag)
            if a.get("Type", "").endswith("/officeDocument"):
                target = os.path.normpath(a.get("Target", "").lstrip("/")).replace("\\", "/")
                if target in names and target.endswith(".xml"):
                    return target
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _prescan_ole(path: str) -> Opened:
    import olefile

    stream: bytes | None = None
    try:
        with olefile.OleFileIO(path) as ole:
            entries = {"/".join(entry).lower(): entry for entry in ole.listdir()}
            name = "workbook" if "workbook" in entries else "book" if "book" in entries else ""
            if name:
                with ole.openstream(entries[name]) as fh:
                    stream = fh.read(OLE_HEAD_BYTES)
    except Exception as exc:  # olefile raises several types for malformed containers
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_OLE) from exc
    streams = set(entries)
    if {"encryptedpackage", "encryptioninfo"} & streams:
        raise Refused("encrypted")
    if stream is None:
        raise Refused("corrupt", detail=vocab.DETAIL_NOT_SPREADSHEET)
    if biff.ole_encrypted(path, stream):  # BIFF5/8 with an open password (XOR or RC4)
        raise Refused("encrypted")
    if name == "book":  # Excel 5.0/95
        return Opened("xls", legacy=vocab.LEGACY_BIFF5_NAME)
    return Opened("xls")


# --------------------------------------------------------------------------------------
# Parsing one workbook
# --------------------------------------------------------------------------------------
Grid = list[list[Any]]


def _load_calamine(path: str, opened: Opened, limits: Limits) -> tuple[list[str], Any, set[str]]:
    """(sheet names, visible first; a loader of one sheet; the hidden sheet names)."""
    from python_calamine import CalamineWorkbook

    if path.lower().endswith(FORMAT_EXTS[opened.fmt]):
        wb = CalamineWorkbook.from_path(path)
    else:  # renamed file (an .xlsx saved as .xls): let calamine go by the content
        with open(path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
    visible = [m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")]
    hidden = [n for n in wb.sheet_names if n not in visible]
    ods_merges: list[dict[str, list[tuple[int, int, int, int]]]] = []

    def load(name: str) -> tuple[Grid, list[tuple[int, int, int, int]]]:
        sheet = wb.get_sheet_by_name(name)
        end = sheet.end
        if end is not None and end[0] >= limits.max_rows and end[1] < limits.max_columns:
            raise _too_many_rows(name, end[0] + 1, limits)
        if end is not None and (end[0] >= limits.max_rows or end[1] >= limits.max_columns):
            cell = a1(end[0], end[1])
            raise Refused(
                "too_many_cells",
                detail=EXTENT_DETAIL.format(
                    cell=cell, rows=limits.max_rows, cols=limits.max_columns
                ),
                sheet=name,
                cell=cell,
            )
        grid = sheet.to_python(skip_empty_area=False)
        _formulas_into(grid, path, opened, name, limits)
        if opened.fmt == "ods":  # calamine does not report ODS merges: read content.xml
            if not ods_merges:
                ods_merges.append(_ods_merges(path))
            merges = ods_merges[0].get(name, [])
        else:
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []]
        return grid, merges

    return visible + hidden, load, set(hidden)


def _load_openpyxl(path: str, opened: Opened, limits: Limits) -> tuple[list[str], Any, set[str]]:
    """The loader for OOXML packages python-calamine refuses though Excel opens them (macro
    or dialog sheets, an odd dimension or shared-string table): openpyxl, values only."""
    import warnings

    import openpyxl

    with open(path, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it skips
        wb = openpyxl.load_workbook(fh, data_only=True, keep_links=False)
    sheets = {ws.title: ws for ws in wb.worksheets}
    hidden = {t for t, ws in sheets.items() if ws.sheet_state != "visible"}

    def load(name: str) -> tuple[Grid, list[tuple[int, int, int, int]]]:
        ws = sheets[name]
        # the pre-scan refused any value beyond the limits: formatting alone may reach further
        n_rows, n_cols = min(ws.max_row, limits.max_rows), min(ws.max_column, limits.max_columns)
        grid = [
            list(row)
            for row in ws.iter_rows(
                min_row=1, max_row=n_rows, min_col=1, max_col=n_cols, values_only=True
            )
        ]
        _formulas_into(grid, path, opened, name, limits)
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ]
        return grid, merges

    visible = [t for t in sheets if t not in hidden]
    return visible + [t for t in sheets if t in hidden], load, hidden


def _load_xlrd(path: str, limits: Limits) -> tuple[list[str], Any, set[str]]:
    """The loader for Excel 2.1-5.0 files, and Excel 97-2003 ones python-calamine gives up on."""
    names, load, hidden = biff.load_xlrd(path, limits.max_rows, limits.max_columns)

    def checked(name: str) -> tuple[Grid, list[tuple[int, int, int, int]]]:
        try:
            return load(name)
        except biff.TooBig as exc:
            if exc.row >= limits.max_rows and exc.col < limits.max_columns:
                raise _too_many_rows(exc.sheet, exc.row + 1, limits) from exc
            cell = a1(exc.row, exc.col)
            detail = EXTENT_DETAIL.format(cell=cell, rows=limits.max_rows, cols=limits.max_columns)
            raise Refused("too_many_cells", detail=detail, sheet=exc.sheet, cell=cell) from exc

    return names, checked, hidden


# --------------------------------------------------------------------------------------
# Formula cells without a cached value, and error values, from the sheet XML
# --------------------------------------------------------------------------------------
_F_ELEMENT = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
_V_ELEMENT = re.compile(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.DOTALL)
_T_ATTR = re.compile(rb"\bt=\"([A-Za-z]+)\"")
FORMULA_CELLS_KEY = "_formula_cells"  # the parse result carries them under this key


def formula_cells(xml: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, col) -> ('formula', '=TEXT') for formula cells saved without a result (files
    written by scripts and web exports), ('error', '#N/A') for error values; the parsers
    return both as empty cells. A cached empty text result (t="str") is a result."""
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for m in _CELL_ELEMENT.finditer(xml):
        attrs, body = m[1], m[2]
        if not body:
            continue
        ref = _R_ATTR.search(attrs)
        if ref is None:
            continue
        pos = (int(ref[2]) - 1, xlsx.col_index(ref[1].decode()))
        t = _T_ATTR.search(attrs)
        kind = t[1] if t else b"n"
        v = _V_ELEMENT.search(body)
        value = html.unescape(v[1].decode("utf-8", "replace")) if v and v[1] else ""
        if kind == b"e":
            out[pos] = ("error", value.strip() or "#N/A")
            continue
        f = _F_ELEMENT.search(body)
        if f is None or value or (kind == b"str" and v is not None) or not f[1]:
            continue  # a cached result; or a shared formula's follower (its text is elsewhere)
        out[pos] = ("formula", "=" + html.unescape(f[1].decode("utf-8", "replace")))
    return out


def _formulas_into(grid: Grid, path: str, opened: Opened, sheet: str, limits: Limits) -> None:
    """Put formula texts and error values (see ``formula_cells``) into the empty cells of
    ``grid``; the cells that got a formula text are listed in ``opened.formula_text``."""
    part = next((k for k, v in opened.sheet_xml.items() if v == sheet), None)
    if part is None or part not in opened.formula_parts:
        return
    with open(path, "rb") as fh:
        cells = formula_cells(_Zip(fh.read()).read(part, limits.max_uncompressed_bytes))
    width = max((len(r) for r in grid), default=0)
    for (r, c), (kind, text) in sorted(cells.items()):
        if r >= limits.max_rows or c >= limits.max_columns:
            continue
        while len(grid) <= r:
            grid.append([None] * width)
        row = grid[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None or row[c] == "":
            row[c] = text
            if kind == "formula":
                opened.formula_text.setdefault(sheet, []).append(a1(r, c))


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(path: str) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges per sheet of an ODS file (cells with number-rows/columns-spanned)."""
    from defusedxml.ElementTree import iterparse

    t = _ODS_TABLE
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    current: list[tuple[int, int, int, int]] = []
    row = col = row_repeat = 0
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
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


def csv_dialect(text: str) -> Any:
    """Tab-separated text (Excel's 'Unicode text', web exports) or CSV."""
    head = "\n".join(text[:8192].splitlines()[:20])
    if head.count("\t") and head.count("\t") >= head.count(","):
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(head, delimiters=",\t;")
    except csv.Error:
        return csv.excel


def _load_csv(path: str, limits: Limits) -> tuple[list[str], Any, set[str]]:
    raw = Path(path).read_bytes()
    text = decode_text(raw)
    if text is None or "\x00" in text:
        raise Refused("corrupt", detail=vocab.DETAIL_TEXT_ENCODING)
    grid: Grid = []
    dialect = csv_dialect(text)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            grid.append(row)
            if len(grid) > limits.max_rows and len(row) <= limits.max_columns:
                rows = csv.reader(io.StringIO(text, newline=""), dialect)
                raise _too_many_rows(Path(path).stem, sum(1 for r in rows if any(r)), limits)
            if len(grid) > limits.max_rows or len(row) > limits.max_columns:
                cell = a1(len(grid) - 1, max(len(row) - 1, 0))
                raise Refused(
                    "too_many_cells",
                    detail=EXTENT_DETAIL.format(
                        cell=cell, rows=limits.max_rows, cols=limits.max_columns
                    ),
                    sheet=Path(path).stem,
                    cell=cell,
                )
    except csv.Error as exc:
        raise Refused("corrupt", detail=vocab.DETAIL_BROKEN_TEXT) from exc
    name = Path(path).stem
    return [name], lambda _name: (grid, []), set()


def _carry_merges(grid: Grid, merges: list[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """Copy each merged range's top-left value into every cell of the range (clipped to the
    grid); return the cells that received a carried value."""
    carried: set[tuple[int, int]] = set()
    if not grid:
        return carried
    n_rows = len(grid)
    width = max(len(r) for r in grid)
    for r0, c0, r1, c1 in merges:
        if r0 >= n_rows or c0 >= width:
            continue
        r1, c1 = min(r1, n_rows - 1), min(c1, width - 1)
        row0 = grid[r0]
        value = row0[c0] if c0 < len(row0) else ""
        if value is None or value == "":
            continue
        for r in range(r0, r1 + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
                    carried.add((r, c))
    return carried


def _find_table_header(grid: Grid) -> tuple[int, dict[str, int], list[int]] | None:
    """(row, column key -> index, unknown header columns) of the best table header row."""
    return layout.find_header(grid)


def _split_pair(text: str) -> list[tuple[str, str]]:
    """'科室：办公室  姓名：张三' -> [(header key, value), ...]; [] unless it starts with a label."""
    text = text.strip()
    hits = []
    for m in _LABEL_COLON.finditer(text):
        key = _header_key(_fold(m[1]))
        if key:
            hits.append((m.start(), m.end(), key))
    if not hits or hits[0][0] != 0:
        return []
    pairs = []
    for j, (_start, end, key) in enumerate(hits):
        stop = hits[j + 1][0] if j + 1 < len(hits) else len(text)
        pairs.append((key, text[end:stop].strip()))
    return pairs


def _header_fields(grid: Grid, rows: range, found: dict[str, tuple[object, str]]) -> None:
    """Look for header labels in ``rows``; ``found`` gets key -> (raw value, A1 cell)."""
    for r in rows:
        row = grid[r]
        for c, value in enumerate(row):
            if type(value) is not str or not value:
                continue
            f = _label_fold(value)
            key = _header_key(f) if f else None
            if key:
                if key in found:
                    continue
                raw: object = None
                where = a1(r, c)
                blank = None  # the first cell right of the label: where an empty value goes
                for cc in range(c + 1, len(row)):
                    v = row[cc]
                    if v == value:  # the label's own merged range
                        continue
                    if blank is None:
                        blank = cc
                    if cell_text(v) is None:
                        continue
                    if _header_key(_label_fold(v)) or _split_pair(v if type(v) is str else ""):
                        break  # the next label: this one has no value
                    raw, where = v, a1(r, cc)
                    break
                if raw is None and r + 1 in rows:
                    # labels side by side with their values in the row below
                    # (科室 | 姓名 | …  /  办公室 | 张三 | …)
                    below = _value_below(grid, r + 1, c)
                    if below is not None:
                        raw, where = below, a1(r + 1, c)
                        found[key] = (raw, where)
                        continue
                if raw is None:
                    where = a1(r, blank if blank is not None else c + 1)
                found[key] = (raw, where)
            elif any(colon in value for colon in _COLONS):
                for key2, text in _split_pair(value):
                    if key2 not in found:
                        found[key2] = (text or None, a1(r, c))


def _is_label_cell(value: object) -> bool:
    f = _label_fold(value)
    return bool(f and (_header_key(f) or _column_key(f) or _split_pair(str(value))))


def _value_below(grid: Grid, r: int, c: int) -> object | None:
    """The value under a header label, when the row below holds values only (no labels)."""
    row = grid[r]
    if c >= len(row) or cell_text(row[c]) is None:
        return None
    if any(_is_label_cell(v) for v in row):
        return None
    return row[c]


def _is_headerish(grid_row: list[Any]) -> bool:
    """A row below the table that holds header fields (e.g. '填表人：张三'), not a risk point."""
    texts = [v for v in grid_row if cell_text(v) is not None]
    if not texts or len(texts) > 4 or type(texts[0]) is not str:
        return False
    first = texts[0]
    return bool(_header_key(_label_fold(first)) or _split_pair(first))


def _ranges_text(ranges: list[tuple[int, int, int, int]]) -> str:
    return "、".join(f"{a1(r0, c0)}:{a1(r1, c1)}" for r0, c0, r1, c1 in ranges)


def _pledge(grid: Grid) -> tuple[int, object, object]:
    """(number of pledge items, pledger, pledge date) of a 廉政承诺书 sheet."""
    items_label = _fold(vocab.PLEDGE_ITEMS_LABEL)
    found: dict[str, tuple[object, str]] = {}
    items_at: tuple[int, int] | None = None
    pledger_row = None
    labels = {_fold(v): k for k, v in vocab.PLEDGE_LABELS.items()}
    n = min(len(grid), PLEDGE_SCAN_ROWS)
    for r in range(n):
        row = grid[r]
        for c, value in enumerate(row):
            f = _label_fold(value)
            if not f:
                continue
            if f == items_label and items_at is None:
                items_at = (r, c)
                continue
            key = labels.get(f)
            label_text = value
            inline = None
            if key is None:
                for colon in _COLONS:
                    if colon in value:
                        left, _, right = value.partition(colon)
                        key = labels.get(_fold(left))
                        inline = right.strip() or None
                        break
            if key is None or key in found:
                continue
            if key == "pledger" and pledger_row is None:
                pledger_row = r
            raw: object = inline
            if inline is None:
                for cc in range(c + 1, len(row)):
                    v = row[cc]
                    if cell_text(v) is None or v == label_text:
                        continue
                    if labels.get(_label_fold(v)):
                        break
                    raw = v
                    break
            found[key] = (raw, "")
    stop = pledger_row if pledger_row is not None else n
    items = 0
    if items_at is not None:
        r0, c0 = items_at
        for r in range(r0 + 1, stop):
            row = grid[r]
            if c0 < len(row) and cell_text(row[c0]) is not None:
                items += 1
    pledger = cell_text(found.get("pledger", (None, ""))[0])
    pledge_date = iso_date(found.get("pledge_date", (None, ""))[0])
    return items, pledger, pledge_date


def _pledge_sheet(names: list[str], table_sheet: str, hidden: set[str], grid_of: Any) -> str | None:
    """The 廉政承诺书 sheet: by its name, else a sheet whose name has 承诺 in it, else a visible
    sheet (not the table's, nor the guide) that holds the 承诺事项 / 承诺人 labels."""
    pledge_fold = _fold(vocab.SHEET_PLEDGE)
    for n in names:
        if _fold(n) == pledge_fold:
            return n
    candidates = [n for n in names if n != table_sheet and not _is_side_sheet(n)]
    for n in candidates:
        if vocab.PLEDGE_SHEET_HINT in _fold(n):
            return n
    labels = {_fold(vocab.PLEDGE_ITEMS_LABEL), _fold(vocab.PLEDGE_LABELS["pledger"])}
    for n in candidates:
        if n in hidden:
            continue
        grid = grid_of(n)
        if any(_label_fold(v) in labels for row in grid[:PLEDGE_SCAN_ROWS] for v in row):
            return n
    return None


def _sheet_order(names: list[str]) -> list[str]:
    """Sheets to look for the table in: the form titles first, the other form sheets last."""
    titles = {_fold(t) for t in vocab.FORM_TITLES.values()}
    last = {_fold(vocab.SHEET_PLEDGE), _fold(vocab.SHEET_GUIDE), _fold(vocab.SHEET_LISTS)}
    first = [n for n in names if _fold(n) in titles]
    end = [n for n in names if _fold(n) in last]
    middle = [n for n in names if n not in first and n not in end]
    return first + middle + end


_SIDE_SHEETS = frozenset(
    _fold(n) for n in (vocab.SHEET_PLEDGE, vocab.SHEET_GUIDE, vocab.SHEET_LISTS)
)
_PLACEHOLDERS = frozenset(_fold(t) for t in vocab.PLACEHOLDER_TEXTS)


def _is_side_sheet(name: str) -> bool:
    """The pledge, guide and list sheets of the template (never a second form)."""
    return _fold(name) in _SIDE_SHEETS


def _is_placeholder(text: str | None) -> bool:
    """'以下空白', '无', '/', '——' …: a cell that says there is nothing here."""
    if text is None:
        return True
    if len(text) > 12:
        return False
    return _fold(text).strip("()[]【】") in _PLACEHOLDERS or not _fold(text).strip("/\\()[]【】")


def _row_keys(row: list[Any]) -> tuple[dict[str, int], list[int]]:
    """(column key -> index, unknown filled columns) of a row read as a table header."""
    keys, unknown, _kept = layout.row_keys(row)
    return keys, unknown


def _has_rows(grid: Grid, hr: int) -> bool:
    """Whether anything but a 序号 is filled below the table header at ``hr``."""
    for row in grid[hr + 1 :]:
        filled = [c for c, v in enumerate(row) if cell_text(v) is not None]
        if len(filled) > 1 or (filled and not isinstance(row[filled[0]], (int, float))):
            return True
    return False


def _next_form(grid: Grid, hr: int, keys: dict[str, int]) -> tuple[int, int | None]:
    """(end of this form's rows, header row of the next form or None) in one sheet.

    A later row that reads as a table header again starts another form; its title and
    header block (label rows, a title line, blank rows) just above it go with it."""
    probes = [keys[k] for k in ("description", "step") if k in keys]
    for r in range(hr + 1, len(grid)):
        row = grid[r]
        if not any(
            c < len(row) and _column_key(_label_fold(row[c])) in ("description", "step")
            for c in probes
        ):
            continue
        found, _ = _row_keys(row)
        if "description" not in found or len(found) < 3:
            continue
        start = r
        while start - 1 > hr and _is_form_top(grid[start - 1]):
            start -= 1
        while start < r and all(cell_text(v) is None for v in grid[start]):
            start += 1  # the next form starts at its first filled row
        return start, r
    return len(grid), None


def _is_form_top(row: list[Any]) -> bool:
    """A row above a table header that belongs to that form: blank, labels, a title."""
    texts = [t for t in (cell_text(v) for v in row) if t is not None]
    if not texts:
        return True
    if any(_header_key(_label_fold(v)) or _split_pair(v) for v in row if type(v) is str):
        return True
    return len(set(texts)) == 1 and len(texts[0]) <= LABEL_MAX_CHARS and "表" in texts[0]


def _other_form(grid: Grid, sheet: str, start: int, hr: int, same_sheet: bool) -> dict[str, Any]:
    """What the second_form issue says about a form that is not read."""
    found: dict[str, tuple[object, str]] = {}
    _header_fields(grid, range(max(start, hr - HEADER_BLOCK_ROWS), hr), found)
    section, name = (cell_text(found.get(k, (None, ""))[0]) for k in ("section", "name"))
    who = " ".join(t for t in (section, name) if t)
    rows = [
        r + 1
        for r in range(hr + 1, len(grid))
        if any(cell_text(v) is not None for v in grid[r][1:])
    ]
    n_rows = len(rows)
    keys, _ = _row_keys(grid[hr])
    return {
        "section": section,
        "name": name,
        "excel_rows": rows,
        "sheet": sheet,
        "cell": a1(hr, min(keys.values()) if keys else 0),
        "where": vocab.SECOND_FORM_ROWS.format(row=start + 1)
        if same_sheet
        else vocab.SECOND_FORM_SHEET.format(sheet=sheet),
        "who": vocab.SECOND_FORM_WHO.format(who=who) if who else "",
        "n": n_rows,
    }


def _kind_of(
    marker: str | None,
    keys: dict[str, int],
    header: dict[str, Any],
    sheet: str,
    grid: Grid,
    hr: int,
) -> str:
    if marker in vocab.FORM_KINDS:
        return marker
    if "posts_involved" in keys:
        return vocab.UNIT
    if "name" in header:
        return vocab.INDIVIDUAL
    title_folds = {_fold(sheet)} | {
        _label_fold(v) for row in grid[: min(hr, HEADER_BLOCK_ROWS)] for v in row
    }
    for kind, title in vocab.FORM_TITLES.items():
        if _fold(title) in title_folds:
            return kind
    if "head" in header:
        return vocab.UNIT
    return vocab.INDIVIDUAL


# Header block field -> the per-row owner column that can stand in for it.
_HEADER_OWNER = {"section": "row_section", "name": "row_name", "post": "row_post"}


@dataclass
class _TableRows:
    """The data rows of one table: Excel rows (0-based), values by field, skipped rows and
    example rows (row, 序号)."""

    rows: list[int]
    values: dict[str, list[str | None]]
    skipped: list[int]
    examples: list[tuple[int, str]]


def _table_rows(
    grid: Grid,
    hr: int,
    keys: dict[str, int],
    carried: set[tuple[int, int]],
    stop: int,
    header_raw: dict[str, tuple[object, str]],
) -> _TableRows:
    """Read the rows below the header at ``hr`` up to ``stop``; header fields found below the
    table (填表人：…) go into ``header_raw``."""
    field_cols = [(k, keys[k]) for k in frames.ROW_FIELDS if k in keys]
    kept = layout.kept_columns(grid, hr)
    seq_col = keys.get("seq", -1)
    out = _TableRows([], {k: [] for k, _ in field_cols}, [], [])
    kept_texts: list[list[tuple[str, str | None]]] = []
    for r in range(hr + 1, stop):
        row = grid[r]
        texts = [cell_text(v) for v in row]
        filled = [c for c, t in enumerate(texts) if t is not None]
        if not filled:
            out.skipped.append(r)
            continue
        if len(filled) >= 3 and all((r, c) in carried for c in filled[1:]):
            continue  # one merged note line across the table (e.g. 注：…), not a risk point
        if filled == [seq_col]:  # a numbered but empty line of the form
            out.skipped.append(r)
            continue
        if all(_is_placeholder(texts[c]) for c in filled if c != seq_col):
            out.skipped.append(r)  # 以下空白, 无 …: nothing to read
            continue
        if layout.is_note_row(texts, filled):
            continue  # 注：… / 填表说明 under the table
        if len(filled) <= 4 and _is_headerish(row):
            _header_fields(grid, range(r, r + 1), header_raw)
            continue
        if 0 <= seq_col < len(texts) and layout.is_example_row(texts[seq_col]):
            out.examples.append((r, texts[seq_col] or ""))
            continue
        out.rows.append(r)
        width = len(row)
        for k, c in field_cols:
            out.values[k].append(texts[c] if c < width else None)
        if kept:
            kept_texts.append([(label, texts[c] if c < width else None) for c, label in kept])
    if kept:
        remarks = out.values.get("remark") or [None] * len(out.rows)
        out.values["remark"] = [
            layout.with_kept(rm, kt) for rm, kt in zip(remarks, kept_texts, strict=True)
        ]
    return out


def _open_book(path: str, opened: Opened, limits: Limits) -> tuple[list[str], Any, set[str]]:
    if opened.fmt == "csv":
        return _load_csv(path, limits)
    if opened.fmt == "biff":
        return _load_xlrd(path, limits)
    return _load_calamine(path, opened, limits)


def parse(path: str, rel: str, opened: Opened, limits: Limits) -> dict[str, Any]:
    """Parse one pre-scanned file; returns the plain result dict (see ``read_one``).

    A package or old workbook python-calamine cannot read (though Excel opens it) is read by
    the next maintained reader: openpyxl for .xlsx/.xlsm, xlrd for .xls. When that fails too,
    the first reader's error names the reason."""
    try:
        result = _parse(path, rel, opened, limits, _open_book(path, opened, limits))
    except (Refused, MemoryError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a native panic included: try the other reader
        if opened.fmt not in ("xlsx", "xls") or _no_fallback(exc):
            raise
        log.info("calamine could not read %s (%s): trying the next reader", rel, exc)
        opened.formula_text.clear()
        loader = _load_openpyxl if opened.fmt == "xlsx" else None
        try:
            book = loader(path, opened, limits) if loader else _load_xlrd(path, limits)
            result = _parse(path, rel, opened, limits, book)
        except (Refused, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - neither reader could: the first one's error says why
            raise exc from None
    cells = opened.formula_text.get(result["meta"].get("sheet") or "")
    if cells:
        meta = result["meta"]
        result["issues"].append(
            frames.issue(
                "formula_text",
                file=rel,
                sheet=meta["sheet"],
                cell=cells[0],
                section=meta.get("section"),
                name=meta.get("name"),
                detail=len(cells),
            )
        )
    return result


def _no_fallback(exc: BaseException) -> bool:
    """Errors another reader would meet too: a password, entity declarations, a size limit."""
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError):
        return True
    text = str(exc)
    return bool(re.search("(?i)entit|doctype|cell limit", text))


def _parse(
    path: str, rel: str, opened: Opened, limits: Limits, book: tuple[list[str], Any, set[str]]
) -> dict[str, Any]:
    names, load, hidden = book
    loaded: dict[str, tuple[Grid, list[tuple[int, int, int, int]], set[tuple[int, int]]]] = {}

    def sheet_grid(
        name: str,
    ) -> tuple[Grid, list[tuple[int, int, int, int]], set[tuple[int, int]]]:
        if name not in loaded:
            grid, merges = load(name)
            loaded[name] = (grid, merges, _carry_merges(grid, merges))
        return loaded[name]

    order = _sheet_order(names)
    form_sheets = [n for n in order if n not in hidden and not _is_side_sheet(n)]
    # the first visible form sheet whose table has rows, else the first visible form sheet
    # with a table, else a table on a hidden or side sheet (填表说明 may hold an example)
    table = None
    headers: dict[str, tuple[int, dict[str, int], list[int]] | None] = {}
    for name in form_sheets + [n for n in order if n not in form_sheets]:
        grid = sheet_grid(name)[0]
        found = headers[name] = _find_table_header(grid)
        if found is None:
            continue
        if name in form_sheets and not _has_rows(grid, found[0]):
            table = table or (name, *found)
            continue
        table = table or (name, *found)
        if name in form_sheets:
            table = (name, *found)
        break
    if table is None:
        raise Refused("unknown_template")
    sheet, hr, keys, unknown = table
    grid, merges, carried = loaded[sheet]

    header_raw: dict[str, tuple[object, str]] = {}
    _header_fields(grid, range(max(0, hr - HEADER_BLOCK_ROWS), hr), header_raw)

    # data rows
    issues: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []  # other forms in this workbook: reported, not read
    stop, next_header = _next_form(grid, hr, keys)
    if next_header is not None:
        others.append(_other_form(grid, sheet, stop, next_header, same_sheet=True))
    table_rows = _table_rows(grid, hr, keys, carried, stop, header_raw)
    data_rows, values, skipped = table_rows.rows, table_rows.values, table_rows.skipped
    examples = [(sheet, r, seq) for r, seq in table_rows.examples]
    # every other visible sheet holding a form with rows is a submission of its own (one sheet
    # per person, as sections collect them): its rows are read with the owner its header names
    extra: list[tuple[str, _TableRows, dict[str, tuple[object, str]]]] = []
    for name in form_sheets:
        if name == sheet:
            continue
        other_grid, _merges, other_carried = sheet_grid(name)
        found = headers[name] if name in headers else _find_table_header(other_grid)
        if found is None or not _has_rows(other_grid, found[0]):
            continue
        o_hr, o_keys, _o_unknown = found
        o_header: dict[str, tuple[object, str]] = {}
        _header_fields(other_grid, range(max(0, o_hr - HEADER_BLOCK_ROWS), o_hr), o_header)
        o_stop, o_next = _next_form(other_grid, o_hr, o_keys)
        if o_next is not None:
            others.append(_other_form(other_grid, name, o_stop, o_next, same_sheet=True))
        o_rows = _table_rows(other_grid, o_hr, o_keys, other_carried, o_stop, o_header)
        if o_rows.rows:
            extra.append((name, o_rows, o_header))
            examples += [(name, r, seq) for r, seq in o_rows.examples]
    if extra:
        # owners per row: each sheet's rows carry the person its own header block names
        parts = [(sheet, table_rows, header_raw), *extra]
        data_rows, values = [], {k: [] for k in frames.ROW_FIELDS}
        for part_sheet, part, part_header in parts:
            n = len(part.rows)
            if not n:
                continue
            data_rows += part.rows
            for k in frames.ROW_FIELDS:
                values[k] += part.values.get(k) or [None] * n
            values["row_sheet"][-n:] = [part_sheet] * n
            for hkey, okey in _HEADER_OWNER.items():
                own = cell_text(part_header.get(hkey, (None, ""))[0])
                column = values[okey][-n:]
                values[okey][-n:] = [v if v is not None else own for v in column]
    else:
        # a table whose owner columns all name one section / person stands for the header
        for hkey, okey in _HEADER_OWNER.items():
            if cell_text(header_raw.get(hkey, (None, ""))[0]) is None and okey in keys:
                one = layout.uniform(values.get(okey, []))
                if one is not None:
                    first = next(i for i, v in enumerate(values[okey]) if v is not None)
                    header_raw[hkey] = (one, a1(data_rows[first], keys[okey]))
    for ex_sheet, r, seq in examples:
        issues.append(
            frames.issue(
                "example_row",
                file=rel,
                sheet=ex_sheet,
                cell=a1(r, keys.get("seq", 0)),
                value=seq,
                detail=r + 1,
            )
        )
    if data_rows and layout.single_level(keys):
        issues.append(
            frames.issue("single_level", file=rel, sheet=sheet, cell=a1(hr, keys["self_level"]))
        )
    blank_between = 0
    if data_rows:
        first, last = data_rows[0], data_rows[-1]
        blank_between = sum(1 for r in skipped if first < r < last)

    header: dict[str, Any] = {}
    header_cells: dict[str, str] = {}
    for key, (raw, where) in header_raw.items():
        header[key] = iso_date(raw) if key == "date" else cell_text(raw)
        header_cells[key] = where
    kind = _kind_of(opened.marker, keys, header, sheet, grid, hr)
    section, name = header.get("section"), header.get("name")

    def note(code: str, **kw: Any) -> None:
        issues.append(frames.issue(code, file=rel, sheet=sheet, section=section, name=name, **kw))

    for other in others:
        issues.append(
            frames.issue(
                "second_form",
                file=rel,
                sheet=other["sheet"],
                cell=other["cell"],
                section=other["section"] or section,  # the form's own person, not the first's
                name=other["name"] or "",
                where=other["where"],
                who=other["who"],
                n=other["n"],
            )
        )
    for c in unknown:
        if (hr, c) in carried:
            continue
        note(
            "extra_column",
            cell=a1(hr, c),
            value=cell_text(grid[hr][c]),
            detail=cell_text(grid[hr][c]),
        )
    if blank_between:
        first_blank = next(r for r in skipped if data_rows[0] < r < data_rows[-1])
        note("blank_rows_skipped", cell=a1(first_blank, 0), detail=blank_between)
    if data_rows:
        data_set = set(data_rows)
        in_data = sorted(
            m for m in merges if m[2] > hr and any(r in data_set for r in range(m[0], m[2] + 1))
        )
        if in_data:
            note(
                "merged_cells", cell=a1(in_data[0][0], in_data[0][1]), detail=_ranges_text(in_data)
            )
    if opened.legacy or opened.fmt in LEGACY_FORMAT_NAMES:
        note("legacy_format", detail=opened.legacy or LEGACY_FORMAT_NAMES[opened.fmt])

    pledge_sheet = False
    pledge_items, pledger, pledge_date = 0, None, None
    pledge_name = _pledge_sheet(names, sheet, hidden, lambda n: sheet_grid(n)[0])
    if pledge_name is not None:
        pledge_sheet = True
        pledge_items, pledger, pledge_date = _pledge(sheet_grid(pledge_name)[0])

    return {
        "status": frames.FILE_STATUS_READ,
        "reason": None,
        "meta": {
            "kind": kind,
            "copy_of": opened.copy_source,
            "sheet": sheet,
            "section": section,
            "name": header.get("name"),
            "post": header.get("post"),
            "head": header.get("head"),
            "date": header.get("date"),
            "pledge_sheet": pledge_sheet,
            "pledge_items": pledge_items,
            "pledger": pledger,
            "pledge_date": pledge_date,
            "n_rows": len(data_rows),
            "colmap": {k: xlsx.col_letter(c) for k, c in keys.items()},
            "header_cells": header_cells,
        },
        "excel_rows": [r + 1 for r in data_rows],
        "values": values,
        "issues": issues,
        # rows of the forms not read (second_form): counted, as rejected rows
        "unread_rows": [(o["sheet"], r) for o in others for r in o["excel_rows"]],
    }


def _rejected(rel: str, exc: Refused) -> dict[str, Any]:
    return {
        "status": frames.FILE_STATUS_REJECTED,
        "reason": exc.code,
        "meta": {},
        "excel_rows": [],
        "values": {},
        "issues": [
            frames.issue(exc.code, file=rel, sheet=exc.sheet, cell=exc.cell, detail=exc.detail)
        ],
    }


def _crashed(rel: str, detail: str) -> dict[str, Any]:
    return _rejected(rel, Refused("worker_crashed", detail=detail))


def read_one(path: str, rel: str, limits: Limits, opened: Opened | None = None) -> dict[str, Any]:
    """Pre-scan (unless done) and parse one file in a worker; never raises for a bad file."""
    try:
        if opened is None:
            opened = prescan(path, limits, thorough=False)
        return parse(path, rel, opened, limits)
    except Refused as exc:
        return _rejected(rel, exc)
    except MemoryError:
        return _crashed(rel, CRASH_DETAIL_MEMORY.format(mb=limits.worker_memory_bytes / MB))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native panic (pyo3) is a BaseException
        return _rejected(rel, _classify(exc))


def _classify(exc: BaseException) -> Refused:
    import python_calamine as pc

    # the technical text goes to the developers' log; users get a sentence in Chinese
    log.warning("could not read a file: %s: %s", type(exc).__name__, str(exc)[:200])
    if not isinstance(exc, Exception):  # pyo3_runtime.PanicException: the parser gave up
        return Refused("reader_crashed", detail=vocab.DETAIL_PARSER_PANIC)
    if isinstance(exc, pc.CalamineError) and "unrecognized" in str(exc).lower():
        # sheet kinds or attribute values the readers do not know (Excel 4.0 macro sheets)
        return Refused("unsupported_content", detail=vocab.DETAIL_UNKNOWN_PARTS)
    if "cell limit" in str(exc).lower():  # the sheet declares billions of cells
        return Refused("too_many_cells", detail=vocab.DETAIL_HUGE_DECLARED)
    if type(exc).__module__.startswith("xlrd"):  # an old .xls only xlrd could have read
        if "encrypted" in str(exc).lower():
            return Refused("encrypted")
        return Refused("corrupt", detail=vocab.DETAIL_BROKEN_OLE)
    if isinstance(exc, pc.PasswordError):
        return Refused("encrypted")
    if isinstance(exc, (pc.XmlError,)) and re.search("(?i)entit|doctype", str(exc)):
        return Refused("xml_entities")
    if isinstance(exc, (pc.ZipError, zipfile.BadZipFile, EOFError)):
        return Refused("corrupt", detail=vocab.DETAIL_BROKEN_ZIP)
    if isinstance(exc, (pc.CalamineError, pc.XmlError)):
        return Refused("corrupt", detail=vocab.DETAIL_BROKEN_PART)
    return Refused("read_failed", detail=vocab.DETAIL_UNREADABLE)


# --------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------
def _virtual_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def die_with_parent(parent: int) -> None:
    """On Linux the kernel kills this worker when the process that started it ends, so a run
    killed with ``kill -9`` leaves no orphaned worker holding memory (elsewhere the pool's
    own shutdown ends the workers)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the pool's shutdown still applies
            pass
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def _init_worker(memory_bytes: int, parent: int = 0) -> None:
    """Cap the worker's address space: what it has after start-up plus the memory budget."""
    if parent:
        die_with_parent(parent)
    # a parser that runs out of memory aborts with a Rust backtrace: keep the terminal clean
    import faulthandler

    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        import resource
    except ImportError:  # not on POSIX: no cap, the pre-scan still applies
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _virtual_size() + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _read_chunk(
    tasks: list[tuple[int, str, str]], limits: Limits
) -> list[tuple[int, dict[str, Any]]]:
    return [(i, read_one(path, rel, limits)) for i, path, rel in tasks]


def _new_pool(workers: int, limits: Limits) -> ProcessPoolExecutor:
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(limits.worker_memory_bytes, os.getpid()),
    )


def _died(rel: str, processes: list[Any], limits: Limits) -> dict[str, Any]:
    """The result of a file whose worker died: out of memory (the address-space cap makes the
    parser abort, or the system's OOM killer sends SIGKILL), else killed by another signal."""
    codes = [p.exitcode for p in processes if p.exitcode is not None]
    log.warning("the worker reading %s died (exit codes %s)", rel, codes)
    signals = [-c for c in codes if c < 0]
    if not signals or set(signals) & MEMORY_SIGNALS:
        return _crashed(rel, CRASH_DETAIL_MEMORY.format(mb=limits.worker_memory_bytes / MB))
    detail = vocab.DETAIL_WORKER_SIGNAL.format(signal=signals[0])
    return _rejected(rel, Refused("reader_crashed", detail=detail))


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=5)


def _read_pooled(
    tasks: list[tuple[int, str, str]], limits: Limits, bar: Any
) -> dict[int, dict[str, Any]]:
    """Read ``tasks`` in worker processes; a chunk whose worker dies or hangs is retried file
    by file in a fresh single-worker pool, and the culprit gets worker_crashed."""
    results: dict[int, dict[str, Any]] = {}
    if not tasks:
        return results
    workers = max(1, min(limits.workers or os.cpu_count() or 1, len(tasks)))
    size = max(1, min(MAX_CHUNK, math.ceil(len(tasks) / (workers * 4))))
    queue = deque(tasks[i : i + size] for i in range(0, len(tasks), size))
    suspects: list[tuple[int, str, str]] = []
    timeout = limits.worker_timeout_s
    while queue:
        pool = _new_pool(workers, limits)
        inflight: dict[Future[Any], list[tuple[int, str, str]]] = {}
        broken = False
        try:
            while (queue or inflight) and not broken:
                while queue and len(inflight) < workers * 2:
                    chunk = queue.popleft()
                    try:
                        inflight[pool.submit(_read_chunk, chunk, limits)] = chunk
                    except BrokenProcessPool:
                        queue.appendleft(chunk)
                        broken = True
                        break
                if not inflight:
                    break
                done, _ = wait(inflight, timeout=timeout, return_when=FIRST_COMPLETED)
                if not done:
                    broken = True
                for fut in done:
                    chunk = inflight.pop(fut)
                    try:
                        results.update(fut.result())
                        bar.update(len(chunk))
                    except Exception as exc:  # noqa: BLE001 - no result: retry file by file
                        # a dead worker breaks the pool; an error sent back (a result that
                        # cannot be pickled) leaves it usable
                        log.warning("a read chunk failed: %s: %s", type(exc).__name__, exc)
                        suspects.extend(chunk)
                        broken = broken or isinstance(exc, (BrokenProcessPool, OSError, EOFError))
        finally:
            if broken:
                for chunk in inflight.values():
                    suspects.extend(chunk)
                _kill(pool)
            else:
                pool.shutdown(wait=True)
    if suspects:
        results.update(_read_one_by_one(sorted(suspects), limits, bar))
    return results


def _read_one_by_one(
    tasks: list[tuple[int, str, str]], limits: Limits, bar: Any
) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    pool: ProcessPoolExecutor | None = None
    try:
        for task in tasks:
            i, _path, rel = task
            if pool is None:
                pool = _new_pool(1, limits)
            fut = pool.submit(_read_chunk, [task], limits)
            processes = list((getattr(pool, "_processes", None) or {}).values())
            try:
                results.update(fut.result(timeout=limits.worker_timeout_s))
            except TimeoutError:
                results[i] = _crashed(
                    rel, CRASH_DETAIL_TIME.format(seconds=limits.worker_timeout_s)
                )
                _kill(pool)
                pool = None
            except (BrokenProcessPool, OSError, EOFError):
                _kill(pool)
                pool = None
                results[i] = _died(rel, processes, limits)
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                log.warning("reading %s failed: %s: %s", rel, type(exc).__name__, exc)
                results[i] = _rejected(
                    rel, Refused("reader_crashed", detail=vocab.DETAIL_PARSER_PANIC)
                )
            bar.update(1)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return results


# --------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------
class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def read_files(
    files: pd.DataFrame,
    inbox: Path,
    settings: Settings,
    progress: bool = False,
    cache_dir: Path | None = None,
    cache_stats: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read every file whose status is NA; return (files, rows, issues).

    With ``cache_dir``, files whose result is in the read cache are not parsed again
    (pipeline/cache.py); ``cache_stats`` receives its counts."""
    limits = settings.limits
    files = files.reset_index(drop=True).copy()
    todo = [int(i) for i in files.index[files["status"].isna()]]
    names = files["file"].tolist()
    # a file inside a container (or under a decoded name) is read from where its bytes are
    sources = files["source_path"].tolist() if "source_path" in files else [None] * len(files)
    tasks = [
        (i, sources[i] if isinstance(sources[i], str) else str(inbox / names[i]), names[i])
        for i in todo
    ]
    results: dict[int, dict[str, Any]] = {}
    read_cache = cache.ReadCache(cache_dir, settings) if cache_dir is not None else None
    if read_cache is not None:
        tasks, keys = cache.split_tasks(read_cache, files, tasks, results)

    bar: Any = _NoBar()
    if progress and tasks:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=PROGRESS_DESC, unit=PROGRESS_UNIT, file=sys.stderr)
    try:
        pooled = tasks
        if len(tasks) < IN_PROCESS_MAX_FILES:
            pooled = []
            for i, path, rel in tasks:
                try:
                    opened = prescan(path, limits)
                except Refused as exc:
                    results[i] = _rejected(rel, exc)
                    bar.update(1)
                    continue
                if opened.fmt in ("xlsx", "csv"):  # extents checked: safe in this process
                    results[i] = read_one(path, rel, limits, opened)
                    bar.update(1)
                else:
                    pooled.append((i, path, rel))
        results.update(_read_pooled(pooled, limits, bar))
    finally:
        bar.close()
    if read_cache is not None:
        cache.store(read_cache, keys, results)
        if cache_stats is not None:
            cache_stats.update(read_cache.stats())
    return _assemble(files, results)


def _object_column(values: list[Any]) -> pd.Series:
    """A Series of arbitrary objects (dicts) without pandas trying to unpack them."""
    arr = np.empty(len(values), dtype=object)
    for j, v in enumerate(values):
        arr[j] = v
    return pd.Series(arr, dtype="object")


def _assemble(
    files: pd.DataFrame, results: dict[int, dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fold the per-file results into the files frame and build rows and issues column-wise."""
    order = sorted(results)
    status = files["status"].astype("object").tolist()
    reason = files["reason"].astype("object").tolist()
    meta_cols = {
        c: files[c].astype("object").tolist()
        for c in frames.FILE_COLUMNS
        if c not in ("file", "size", "mtime", "sha256", "ext", "status", "reason")
    }
    names = files["file"].tolist()
    issues: list[dict[str, Any]] = []
    row_cols: dict[str, list[Any]] = {c: [] for c in frames.ROW_COLUMNS if c != "row_id"}
    for i in order:
        res = results[i]
        status[i] = res["status"]
        reason[i] = res["reason"] if res["reason"] is not None else pd.NA
        meta = res["meta"]
        for c, value in meta.items():
            meta_cols[c][i] = pd.NA if value is None else value
        issues.extend(res["issues"])
        n = len(res["excel_rows"])
        rel = names[i]
        if n:
            for c in ("sheet", "kind", "section", "name", "post", "head", "date"):
                row_cols[c].extend([meta.get(c)] * n)
            row_cols["file"].extend([rel] * n)
            row_cols["excel_row"].extend(res["excel_rows"])
            for c in frames.ROW_FIELDS:
                row_cols[c].extend(res["values"].get(c) or [None] * n)
            row_cols["accepted"].extend([True] * n)
        unread = res.get("unread_rows") or []
        if unread:  # never accepted (validate checks only rows the reader read as a form's)
            m = len(unread)
            for c in ("kind", "section", "name", "post", "head", "date"):
                row_cols[c].extend([meta.get(c)] * m)
            row_cols["sheet"].extend(sheet for sheet, _ in unread)
            row_cols["file"].extend([rel] * m)
            row_cols["excel_row"].extend(r for _, r in unread)
            for c in frames.ROW_FIELDS:
                row_cols[c].extend([None] * m)
            row_cols["accepted"].extend([False] * m)

    files["status"] = pd.Series(status, dtype="str")
    files["reason"] = pd.Series(reason, dtype="str")
    for c, values in meta_cols.items():
        if c in ("pledge_items", "n_rows"):
            files[c] = pd.Series(values, dtype="int64")
        elif c == "pledge_sheet":
            files[c] = pd.Series(values, dtype="bool")
        elif c in ("colmap", "header_cells"):
            files[c] = _object_column([v if isinstance(v, dict) else {} for v in values])
        else:
            files[c] = pd.Series(values, dtype="str")

    n_total = len(row_cols["file"])
    rows = pd.DataFrame(
        {
            "row_id": pd.Series(range(n_total), dtype="int64"),
            **{
                c: pd.Series(
                    row_cols[c],
                    dtype="int64" if c == "excel_row" else "bool" if c == "accepted" else "str",
                )
                for c in frames.ROW_COLUMNS
                if c != "row_id"
            },
        },
        columns=list(frames.ROW_COLUMNS),
    )
    return files, rows, frames.issues_frame(issues)
