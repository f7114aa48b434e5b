"""Open a checked file with the grid reader of its format, the next maintained reader when
python-calamine cannot read it, and the reason code of a reader's failure."""

from __future__ import annotations

import logging
import re
import zipfile

from pipeline import vocab
from pipeline.limits import Limits
from pipeline.workbook import biff, calamine, html, ooxml, text, xml2003
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Opened, Refused, extent_refusal, too_many_cells

log = logging.getLogger("pipeline.read")


def open_book(path: str, opened: Opened, limits: Limits) -> Book:
    """The grid reader of the file's format (python-calamine unless CSV or Excel 2.1-4.0)."""
    if opened.fmt == "csv":
        return text.load_csv(path, opened.data, limits)
    if opened.fmt == "html":
        return html.load_html(path, opened.data, limits)
    if opened.fmt == "xml2003":
        return xml2003.load_xml2003(path, opened.data, limits)
    if opened.fmt == "biff":
        return load_xlrd(path, limits)
    if opened.fmt == "xls" and opened.legacy == vocab.LEGACY_BIFF5_NAME and not opened.package:
        # Excel 5.0/95: python-calamine garbles the text of a double-byte code page (936 GBK,
        # 950 Big5: 「张三」 read as 「�\x00�\x00」), xlrd decodes it by the file's CODEPAGE
        return load_xlrd(path, limits)
    return calamine.load(path, opened, limits)


def fallback_book(path: str, opened: Opened, limits: Limits) -> Book | None:
    """The next reader for a file python-calamine could not read: openpyxl for .xlsx/.xlsm,
    xlrd for .xls; None for the other formats."""
    if opened.fmt == "xlsx":
        return ooxml.load(path, opened, limits)
    if opened.fmt == "xls":
        return load_xlrd(path, limits)
    return None


def load_xlrd(path: str, limits: Limits) -> Book:
    """The reader for Excel 2.1-5.0 files, and Excel 97-2003 ones python-calamine gives up on."""
    names, load, hidden = biff.load_xlrd(path, limits.max_rows, limits.max_columns)

    def checked(name: str) -> tuple[Grid, list[Merge]]:
        try:
            return load(name)
        except biff.TooBig as exc:
            refused = extent_refusal(exc.sheet, exc.row, exc.col, limits)
            raise (refused or too_many_cells(exc.sheet, exc.row, exc.col, limits)) from exc

    return names, checked, hidden


def no_fallback(exc: BaseException) -> bool:
    """Errors another reader would meet too: a password, entity declarations, a size limit."""
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError):
        return True
    return bool(re.search("(?i)entit|doctype|cell limit", str(exc)))


def classify(exc: BaseException) -> Refused:
    """The reason code (and a Chinese detail) of a reader's failure."""
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
