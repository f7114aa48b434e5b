"""What a file is, from its first bytes (and, for zip and OLE containers, their directory):
a spreadsheet to read, or the kind of document it is instead.

``sniff`` is discover's verdict; the reader's guard (``guard.prescan``) then checks the
spreadsheets themselves before any parser sees them.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from pipeline.workbook.biff import bare_biff_version
from pipeline.workbook.mhtml import looks_web_archive

SPREADSHEET_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # a zip archive with no members
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OFD_ROOT = "OFD.xml"  # an OFD document (GB/T 33190, China's fixed-layout format) is a zip
TEXT_HEAD_BYTES = 4096  # enough of a file's start to tell a text table from binary

MAGIC_FORMATS = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"BM", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"{\\rtf", "word"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "shortcut"),  # a Windows shortcut (.lnk)
)
EXT_FORMATS = {
    ".pdf": "pdf",
    ".doc": "word",
    ".docx": "word",
    ".wps": "word",
    ".rtf": "word",
    ".ppt": "powerpoint",
    ".pptx": "powerpoint",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".bmp": "image",
    ".heic": "image",
    ".heif": "image",
    ".webp": "image",
    ".tif": "image",
    ".tiff": "image",
    ".ofd": "ofd",
    ".zip": "archive",
    ".lnk": "shortcut",
    ".url": "shortcut",
    ".numbers": "iwork",
    ".pages": "iwork",
    ".key": "iwork",
    ".rar": "archive",
    ".7z": "archive",
    ".txt": "text",
    ".htm": "html",
    ".html": "html",
    ".eml": "email",
    ".msg": "email",
}


def own_directory(zf: zipfile.ZipFile, head: bytes) -> bool:
    """Whether the directory zipfile found is the file's own, describing it from its first
    byte. A zip cut short in the download loses its directory; when its first member was
    stored (not compressed) and is itself a workbook or a zip, that member's directory is
    the last one in the file and zipfile takes it for the file's: the cut zip would be read
    as its first member, and the rest lost without a word."""
    infos = zf.infolist()
    return not head.startswith(ZIP_MAGIC) or not infos or any(i.header_offset == 0 for i in infos)


def _first_bytes(path: Path | str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(len(ZIP_MAGIC))


def zip_kind(path: Path | str) -> str:
    """'excel' | 'ods' | 'word' | 'powerpoint' | 'iwork' | 'ofd' | 'archive' | 'corrupt' for a
    zip file."""
    try:
        with zipfile.ZipFile(path) as zf:
            if not own_directory(zf, _first_bytes(path)):
                return "corrupt"
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except UnicodeDecodeError:  # a name flagged UTF-8 that is not (GBK from a Chinese tool):
        return "archive"  # no Office file is named so; containers opens such a zip
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError, RuntimeError):
        return "corrupt"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "excel"
    if b"spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names or b"text" in mimetype:
        return "word"
    if "ppt/presentation.xml" in names or b"presentation" in mimetype:
        return "powerpoint"
    if any(n.endswith((".iwa", "Index.zip")) for n in names):
        return "iwork"
    if OFD_ROOT in names:
        return "ofd"
    return "archive"


def ole_kind(path: Path | str) -> str:
    """'excel' (legacy workbook or encrypted package) | 'word' | 'powerpoint' | 'email' (an
    Outlook .msg) | 'other'."""
    import olefile

    path = Path(path)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except Exception:  # noqa: BLE001 - olefile raises many types for malformed containers
        # a broken spreadsheet is reported as corrupt by read; anything else (Thumbs.db …)
        # is simply not a spreadsheet
        if path.suffix.lower() in SPREADSHEET_EXTS:
            return "excel"
        return EXT_FORMATS.get(path.suffix.lower(), "other")  # a broken .msg: a mail
    if {"workbook", "book", "encryptedpackage"} & streams:
        return "excel"
    if "worddocument" in streams:
        return "word"
    if "powerpoint document" in streams:
        return "powerpoint"
    if "__properties_version1.0" in streams and any(s.startswith("__substg1.0_") for s in streams):
        return "email"  # an Outlook mail (.msg): containers opens it for its attachments
    # an .xls container without a workbook stream is a broken workbook, not another format
    return "corrupt_ole" if path.suffix.lower() in SPREADSHEET_EXTS else "other"


_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_table(head: bytes) -> bool:
    """Whether a file's first bytes read as a text table: CSV or tab-separated text in UTF-16
    (with a BOM, Excel's 'Unicode text'), UTF-8 or GB18030, with a separator or line break."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if text.strip() and not _TEXT_CONTROLS.search(text):
            return any(sep in text for sep in (",", "\t", "\n", "，"))
    return False


WEB_PAGE_EXTS = (".htm", ".html")  # what Excel and WPS save a sheet as 「网页」 as
TAB_TEXT_EXTS = (".txt", ".tsv")  # what Excel saves its tab-separated text as
_TAB_LINES = 2  # lines holding a tab that make a text a table, not a note


def tab_table(head: bytes) -> bool:
    """Whether a text file's first bytes are a tab-separated table (two lines or more with a
    tab), as Excel saves a sheet as text; a note or a list of names is not."""
    if not text_table(head):
        return False
    enc = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    text = head[: len(head) // 2 * 2] if enc == "utf-16" else head
    lines = codecs.decode(text, enc, "replace").splitlines()
    return sum("\t" in line for line in lines[:50]) >= _TAB_LINES


_HTML_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<")
_HTML_CELL = re.compile(rb"<t[dh]\b", re.IGNORECASE)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _utf16(data: bytes) -> str | None:
    """The text of UTF-16 bytes with a BOM (some web exports write it), else None."""
    if not data.startswith(_UTF16_BOMS):
        return None
    return data[: len(data) // 2 * 2].decode("utf-16", "replace")


def looks_html(data: bytes) -> bool:
    """Whether a file's bytes start as markup (a web page or a web table), also in UTF-16."""
    text = _utf16(data[:512])
    if text is not None:
        return text.lstrip("\ufeff \t\r\n").startswith("<")
    return bool(_HTML_START.match(data[:256]))


def has_table(data: bytes) -> bool:
    """Whether markup holds a table cell at all (else it is a web page, not a sheet)."""
    text = _utf16(data)
    if text is not None:
        return re.search(r"<t[dh]\b", text, re.IGNORECASE) is not None
    return _HTML_CELL.search(data) is not None


_SPREADSHEET_ML = re.compile(
    rb"<\?mso-application\s+progid=\"Excel\.Sheet\"|urn:schemas-microsoft-com:office:spreadsheet"
)


def looks_spreadsheet_ml(data: bytes) -> bool:
    """Whether a file's first bytes declare an Excel 2003 XML workbook (SpreadsheetML), in
    UTF-8, GB 2312/GBK or UTF-16 (.NET writers)."""
    head = data[:TEXT_HEAD_BYTES]
    text = _utf16(head)
    if text is not None:
        head = text.encode("utf-8", "replace")
    return b"<Workbook" in head and _SPREADSHEET_ML.search(head) is not None


_XML_DECLARATION = re.compile(rb"""\A<\?xml\b[^>]*?\?>""")
_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']([\w.:-]+)["']""")
_GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "936", "euc-cn", "hz-gb-2312"}


def xml_as_utf8(data: bytes) -> bytes:
    """An XML document's bytes in UTF-8 with its encoding declaration dropped: the XML parser
    reads no multi-byte encoding but UTF-8 and UTF-16, and Chinese report systems write their
    Excel 2003 XML in GB 2312. Read by its BOM, else its declared encoding (the GB names as
    GB 18030), else UTF-8, else GB 18030; undecodable bytes as U+FFFD."""
    text = _utf16(data)
    if text is None:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        declared = _XML_DECLARATION.match(data)
        name = ""
        if declared is not None:
            found = _ENCODING.search(declared.group(0))
            name = found.group(1).decode("ascii").lower() if found else ""
        if name in ("", "utf-8", "utf8", "us-ascii", "ascii"):
            try:
                return data.decode("utf-8").encode("utf-8")  # as it is: nothing to change
            except UnicodeDecodeError:
                name = "gb18030"  # no (or a wrong) declaration over GBK bytes
        if name in _GB_NAMES:
            name = "gb18030"
        try:
            text = data.decode(name, "replace")
        except LookupError:
            text = data.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    declared_text = re.match(r"<\?xml\b[^>]*?\?>", text)
    if declared_text is not None:
        text = '<?xml version="1.0"?>' + text[declared_text.end() :]
    return text.encode("utf-8")


_FLAT_ODS = re.compile(rb"<office:document\b[^>]*opendocument\.spreadsheet")
_SYLK = re.compile(rb"ID;P")  # a SYLK file's first record
_DIF = re.compile(rb"TABLE\r?\n0,1\r?\n")  # a DIF file's header


def other_spreadsheet(head: bytes) -> str | None:
    """'flat_ods' | 'sylk' | 'dif' for the text spreadsheets of other programs (Excel opens
    the last two, LibreOffice all): named for what they are, not as mere text files."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") and _FLAT_ODS.search(head):
        return "flat_ods"
    if _SYLK.match(start):
        return "sylk"
    if _DIF.match(start):
        return "dif"
    return None


def looks_text(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))
    return True


def sniff(path: Path | str, ext: str, head: bytes) -> str | None:
    """None when the file should be read; otherwise a vocab.FORMAT_NAMES key, 'corrupt' or
    'corrupt_ole'."""
    if head.startswith(ZIP_MAGIC):
        if ext in (".xlsx", ".xlsm", ".ods"):
            return None  # read checks the zip itself, once
        kind = zip_kind(path)
        if kind in ("excel", "ods"):
            return None
        if kind == "corrupt":
            return "corrupt" if ext in SPREADSHEET_EXTS else "archive"
        return kind
    if head.startswith(OLE_MAGIC):
        kind = ole_kind(path)
        return None if kind == "excel" else kind
    if bare_biff_version(head) is not None:
        return None  # Excel 2.1-4.0 (no OLE container): read by xlrd
    for magic, kind in MAGIC_FORMATS:
        if head.startswith(magic):
            return kind
    other = other_spreadsheet(head)
    if other == "flat_ods":
        return None  # LibreOffice's one-file XML spreadsheet: read as the .ods it holds
    if other is not None:
        return other
    if ext == ".csv":
        return None if looks_text(head) else "corrupt"
    if ext == ".xml" and looks_spreadsheet_ml(head):
        return None  # an Excel 2003 XML workbook (report systems write these)
    if ext in SPREADSHEET_EXTS:
        if looks_html(head):
            return None  # "xls" files exported by web systems are often HTML: the reader
            # reads their tables (a page without one is refused there as a web page)
        if text_table(head):
            return None  # ... or tab-separated text: read as a text table
        return "corrupt"
    if ext in (".mht", ".mhtml") and looks_web_archive(head):
        return None  # Excel's 「单个文件网页」: the reader reads its sheets' tables
    if ext in WEB_PAGE_EXTS and looks_html(head):
        return None  # a form saved as a web page (Excel/WPS 「另存为网页」): the reader reads its
        # tables (a page without one, or without a form, is refused there as a web page)
    if ext in TAB_TEXT_EXTS and tab_table(head):
        return None  # Excel's 「文本文件（制表符分隔）」/「Unicode 文本」: read as a text table
    if ext in EXT_FORMATS:
        return EXT_FORMATS[ext]
    return "text" if looks_text(head) else "other"
