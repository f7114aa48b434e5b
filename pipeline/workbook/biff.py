"""Old Excel (BIFF) files: which version a file is, whether it is password-protected, and a
grid loader through xlrd for what python-calamine does not read (Excel 2.1-4.0, and BIFF5/8
files calamine gives up on).

Excel 2.1-4.0 write a bare BIFF stream (no OLE container): it starts with a BOF record,
type 0x0009 / 0x0209 / 0x0409. Excel 5.0/95 and 97-2003 put the stream in an OLE container,
named ``Book`` (BIFF5) or ``Workbook`` (BIFF8). A FILEPASS record (0x002F) among the
workbook globals means the file is encrypted (XOR or RC4): with an open password, or with
Excel's own (``DEFAULT_PASSWORD``), which opens without asking."""

from __future__ import annotations

import codecs
import io
import itertools
import logging
import struct
from collections.abc import Iterator
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

BARE_BOF_TYPES = {0x0009: 2, 0x0209: 3, 0x0409: 4}  # BOF record type -> Excel version
FILEPASS = 0x002F
EOF_RECORD = 0x000A
_BOF_DOC_TYPES = {0x0010, 0x0020, 0x0040, 0x0100}  # worksheet, chart, macro sheet, workbook
_MAX_GLOBAL_RECORDS = 4096  # FILEPASS comes right after the BOF; never scan a whole stream


def bare_biff_version(head: bytes) -> int | None:
    """2, 3 or 4 when ``head`` starts a bare BIFF2/3/4 stream (Excel 2.1-4.0), else None."""
    if len(head) < 8:
        return None
    rtype, length = struct.unpack_from("<HH", head)
    version = BARE_BOF_TYPES.get(rtype)
    if version is None or length not in (4, 6, 8, 16):
        return None
    doc_type = struct.unpack_from("<H", head, 6)[0]
    return version if doc_type in _BOF_DOC_TYPES else None


def _records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, body) of each record of a BIFF stream, in order, to its end."""
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        yield pos, rtype, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length


def has_filepass(stream: bytes) -> bool:
    """Whether the workbook globals of a BIFF stream hold a FILEPASS record."""
    for _pos, rtype, _body in itertools.islice(_records(stream), _MAX_GLOBAL_RECORDS):
        if rtype == FILEPASS:
            return True
        if rtype == EOF_RECORD:
            return False
    return False


# Excel's own password: an .xls whose workbook structure is protected (or a workbook marked
# read-only) is encrypted with it, and Excel and WPS open it without asking for any
DEFAULT_PASSWORD = "VelvetSweatshop"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An agile-encrypted package states how many times its password is hashed (spinCount): Excel
# writes 100,000 (about 0.06 CPU s to try one password). The format allows 10,000,000 (about
# 6 CPU s a try): a package asking for more than Excel's count is not tried, so an inbox of
# such files cannot hold the run for minutes.
MAX_SPIN = 100_000


def without_default_password(data: bytes) -> bytes | None:
    """The decrypted bytes of an encrypted .xls or OOXML package (an OLE file) that opens with
    Excel's own password; None for any other file (not encrypted, a password of the
    sender's, BIFF5)."""
    import msoffcrypto

    if not data.startswith(OLE_MAGIC):
        return None
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            return None
        if getattr(office, "type", None) == "agile" and not (
            0 <= int(office.info.get("spinValue", 0)) <= MAX_SPIN
        ):
            return None
        office.load_key(password=DEFAULT_PASSWORD)
        plain = io.BytesIO()
        office.decrypt(plain)
    except Exception:  # noqa: BLE001 - a wrong password, BIFF5, a malformed container
        return None
    return plain.getvalue()


def ole_encrypted(path: str, stream: bytes | None) -> bool:
    """Whether an OLE spreadsheet has an open password: msoffcrypto-tool's verdict (BIFF8 XOR
    and RC4, encrypted OOXML packages), else a FILEPASS record in ``stream`` (the ``Book``
    or ``Workbook`` stream; msoffcrypto does not know BIFF5)."""
    import msoffcrypto

    try:
        with open(path, "rb") as fh:
            if msoffcrypto.OfficeFile(fh).is_encrypted():
                return True
    except Exception:  # noqa: BLE001 - it raises many types on BIFF5 and malformed files
        log.debug("msoffcrypto could not tell whether %s is encrypted", path)
    return stream is not None and has_filepass(stream)


Grid = list[list[Any]]


def load_xlrd(path: str, max_rows: int, max_columns: int) -> tuple[list[str], Any, set[str]]:
    """(sheet names, a loader of one sheet -> (grid, merges), hidden sheet names) through
    xlrd; error cells read as their Excel text (``#N/A``). Raises ``TooBig(sheet, row, col)``
    for a sheet beyond the limits."""
    import xlrd

    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True, logfile=_Quiet())
    except (NotImplementedError, xlrd.XLRDError):  # no formatting records in some versions
        book = xlrd.open_workbook(path, on_demand=True, logfile=_Quiet())
    names = book.sheet_names()
    hidden = {n for i, n in enumerate(names) if _visibility(book, i)}

    def load(name: str) -> tuple[Grid, list[tuple[int, int, int, int]]]:
        sheet = book.sheet_by_name(name)
        if sheet.nrows > max_rows or sheet.ncols > max_columns:
            raise TooBig(name, sheet.nrows - 1, sheet.ncols - 1)
        grid = [
            [_value(sheet.cell(r, c), book.datemode) for c in range(sheet.ncols)]
            for r in range(sheet.nrows)
        ]
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        return grid, merges

    visible = [n for n in names if n not in hidden]
    return visible + [n for n in names if n in hidden], load, hidden


class TooBig(Exception):
    """Raised by a loader when a sheet holds more rows or columns than the limits allow."""

    def __init__(self, sheet: str, row: int, col: int) -> None:
        super().__init__(sheet)
        self.sheet, self.row, self.col = sheet, row, col


class _Quiet:
    """xlrd writes warnings about odd files to a log file: keep them out of the terminal."""

    def write(self, _text: str) -> None:
        pass


def _visibility(book: Any, index: int) -> int:
    try:
        return int(book.sheet_visibility[index])
    except (AttributeError, IndexError, TypeError):
        return 0


def _value(cell: Any, datemode: int) -> Any:
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#N/A")
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return datetime(*xlrd.xldate_as_tuple(value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value
    return value


_BOUNDSHEET = 0x0085
_BOF = 0x0809
_ROW = 0x0208
_ROW_HIDDEN = 0x20  # ROW record, option flags: fDyZero (the row is hidden)
_CODEPAGE = 0x0042
# CODEPAGE values that are no 'cp<n>' codec (xlrd's encoding_from_codepage)
_CODEPAGES = {1200: "utf-16-le", 10000: "mac_roman", 32768: "mac_roman", 32769: "cp1252"}


def _codepage_encoding(value: int) -> str:
    encoding = _CODEPAGES.get(value, f"cp{value}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        return "latin-1"
    return encoding


def _decoded(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode(encoding, "replace")


def hidden_rows(data: bytes) -> dict[str, set[int]]:
    """The rows (0-based) each sheet of an Excel 97-2003 .xls (``Workbook`` stream) or an
    Excel 5.0/95 one (``Book``, its sheet names in its CODEPAGE, as xlrd decodes them) hides
    (ROW records with fDyZero); {} for anything that cannot be read (a note is never worth a
    refusal)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return {}
            stream = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - olefile raises many types for malformed containers
        return {}
    biff5 = name == "Book"
    encoding = "latin-1"  # BIFF8's compressed names; a BIFF5 file's CODEPAGE says its own
    sheets: dict[int, str] = {}  # the offset of a sheet's BOF record -> its name
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for pos, rtype, body in _records(stream):
        if rtype == _CODEPAGE and biff5 and len(body) >= 2:
            encoding = _codepage_encoding(struct.unpack_from("<H", body)[0])
        elif rtype == _BOUNDSHEET and biff5 and len(body) >= 7:
            offset, n = struct.unpack_from("<I2xB", body)
            sheets[offset] = _decoded(body[7 : 7 + n], encoding)
        elif rtype == _BOUNDSHEET and len(body) >= 8:
            offset, n, high = struct.unpack_from("<I2xBB", body)
            raw = body[8 : 8 + (2 * n if high & 1 else n)]
            sheets[offset] = raw.decode("utf-16-le" if high & 1 else "latin-1", "replace")
        elif rtype == _BOF:
            name = sheets.get(pos)
            current = None if name is None else out.setdefault(name, set())
        elif rtype == _ROW and current is not None and len(body) >= 16:
            row, flags = struct.unpack_from("<H10xH", body)
            if flags & _ROW_HIDDEN:
                current.add(row)
    return {name: rows for name, rows in out.items() if rows}
