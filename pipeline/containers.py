"""Files that hold other files: a section's ``.zip`` of its members' forms, a saved ``.eml``
or Outlook ``.msg`` mail.

discover hands every file it walks to ``expand``: a container is opened within the same
limits as a workbook (its own size, the sum and ratio of what it inflates to, how many files it
holds), each file inside is written to a private temporary folder (never next to the inbox;
inputs are never modified) and examined like any file of the inbox, under the name
``外层.zip/内层.xlsx``. Containers inside containers are opened too, a few levels deep.

Accounting: the container itself is one file under INBOX, ``read`` when it could be opened
(whatever became of the files inside) and ``rejected`` when not; the files inside are rows of
their own with ``container`` set, counted apart (summary ``contained_files``), and their data
rows count in ``rows`` like any other. While the run reads and validates, an opened container
carries the status ``STATUS_OPENED``; ``settle`` turns it into ``read``.

File names are shown decoded: zip names without the UTF-8 flag are GBK (Chinese Windows) unless
the archiver kept the name in UTF-8 beside them (Info-ZIP's Unicode Path field), and a
name that was GBK bytes decoded as cp437 by an unzip tool elsewhere (``╡Ñ╬╗.xlsx``) is turned
back into what its sender wrote.
"""

from __future__ import annotations

import atexit
import binascii
import email
import email.errors
import email.header
import email.policy
import io
import logging
import os
import re
import shutil
import stat
import struct
import tempfile
import time
import urllib.parse
import zipfile
import zlib
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from pipeline import frames, vocab
from pipeline.config import Settings
from pipeline.workbook.sniff import own_directory

log = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_MEMBERS = 2000  # files one container may hold
MAX_DEPTH = 3  # containers inside containers
MAX_TREE_MEMBERS = 5 * MAX_MEMBERS  # files one file of the inbox may hold, at every depth
MAX_INBOX_MEMBERS = 10 * MAX_TREE_MEMBERS  # files all the containers of one inbox may hold
STATUS_OPENED = "container"  # an opened container until ``settle``
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# a zip of one piece written as a split one (zip -s, WinZip): a spanning mark before its first
# header (PK\x07\x08, or PK00 for one that was to be split and fitted whole)
SPANNED_ZIP_MAGIC = (b"PK\x07\x08PK\x03\x04", b"PK00PK\x03\x04")
RAR_MAGIC = b"Rar!"
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"  # winmail.dat: Outlook's attachments sent as one part
# Headers a saved mail starts with (RFC 5322), enough to tell an .eml without its extension.
_MAIL_HEADER = re.compile(
    rb"^(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|"
    rb"Delivered-To|X-[\w-]+|Content-Type):[^\r\n]*\r?\n)",
    re.IGNORECASE,
)
# an Apple Mail .emlx (.partial.emlx) starts with the message's length on a line of its own
_EMLX_LENGTH = re.compile(rb"\s*(\d{1,12})[ \t]*\r?\n")
# the header Apple Mail leaves on a part it saved apart (.partial.emlx: not in the message)
APPLE_PART_LENGTH = "X-Apple-Content-Length"
# What an archiver adds that is not a file of the sender (macOS resource forks, folders' cache).
_ARCHIVER_JUNK = re.compile(
    r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE
)
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")
_CJK = re.compile(r"[\u3400-\u9fff]")
# cp437 letters an unzip tool shows for GBK bytes (box drawing, accented Latin, Greek …)
_CP437_HIGH = re.compile(r"[\u00c0-\u00ff\u0192\u0393-\u03c6\u2010-\u25a0]")

Examine = Callable[[str, Path], dict[str, Any]]


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------
def decode_mangled(name: str) -> str:
    """A name that is GBK bytes shown as cp437 (``╡Ñ╬╗.xlsx``) -> the Chinese its sender
    wrote (``单位.xlsx``); any other name unchanged."""
    if not _CP437_HIGH.search(name) or _CJK.search(name):
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gbk"):
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CJK.search(decoded):
            return decoded
    return name


# letters of two bytes in UTF-8 (Latin accents … NKo): what GBK bytes read as UTF-8 give
_TWO_BYTE = re.compile("[\u0080-\u07ff]")
# of those, what no name of a person or a file is written in: Latin Extended-B, IPA, spacing
# modifiers, combining marks, Armenian, Hebrew points and accents, Syriac … NKo
_RARE_LETTERS = re.compile("[\u0180-\u036f\u0530-\u058f\u0591-\u05c7\u0700-\u07ff]")
# the scripts of two-byte letters: Latin, IPA and marks, Greek, Cyrillic, Armenian, Hebrew,
# Arabic, Syriac … NKo (a name mixing two is no name)
_SCRIPT_STARTS = (0x0080, 0x0250, 0x0370, 0x0400, 0x0530, 0x0590, 0x0600, 0x0700)


def _script(char: str) -> int:
    return sum(ord(char) >= start for start in _SCRIPT_STARTS)


def decode_gbk_read_as_utf8(name: str) -> str:
    """A name that is GBK bytes which happen to be valid UTF-8 (郑一 in GBK on disk or in a
    zip is read 「֣һ」) -> the Chinese its sender wrote; any other name unchanged. Such a
    name is taken for GBK only when its UTF-8 reading is no writing (a rare letter, or
    letters of two scripts) and its GBK reading is common Chinese (GB 2312) throughout:
    Иванов.xlsx, Café.xlsx and Ελλάδα.xlsx stay as they are."""
    if not _TWO_BYTE.search(name) or any(ord(c) >= 0x800 for c in name):
        return name
    if not _RARE_LETTERS.search(name) and len({_script(c) for c in name if ord(c) >= 0x80}) < 2:
        return name
    try:
        decoded = name.encode("utf-8").decode("gbk")
        "".join(c for c in decoded if ord(c) >= 0x80).encode("gb2312")
    except UnicodeError:
        return name
    return decoded if _CJK.search(decoded) else name


def shown_path(rel: str) -> str:
    """A relative path with every mangled part decoded: names that are raw bytes on disk (an
    archive unpacked on Linux keeps its GBK names; Python holds the bytes that are no UTF-8 as
    lone surrogates, which no output can store), GBK bytes that are valid UTF-8 too
    (``decode_gbk_read_as_utf8``), names shown as cp437, control characters (a tab or line
    break in a name: a mail's folded header, a script's file) as a space, and direction
    controls as ``vocab.INVISIBLE_MARK`` (U+202E shows ``张三\u202excod.xlsx`` as 张三xslx.docx
    and turns every message quoting the name backwards after it)."""
    if _RAW_BYTE.search(rel):
        rel = _raw_name(rel)
    if _CONTROL.search(rel):
        rel = "/".join(_CONTROL.sub(" ", part).strip() or "_" for part in rel.split("/"))
    if _TWO_BYTE.search(rel):
        rel = "/".join(decode_gbk_read_as_utf8(part) for part in rel.split("/"))
    if _CP437_HIGH.search(rel):  # a part may be mangled (few paths)
        rel = "/".join(decode_mangled(part) for part in rel.split("/"))
    return vocab.shown(rel)


# control characters in a name: a cell or a line of text cannot show them (a tab is nothing,
# a line break splits 文件 and 催报名单's lines), Windows cannot name a file with them
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]+")


# a byte that is no UTF-8, as ``os.fsdecode`` keeps it (surrogateescape)
_RAW_BYTE = re.compile("[\udc80-\udcff]")


def _raw_name(rel: str) -> str:
    """A path holding raw bytes -> its text: each part as GBK (GB 18030) when it decodes so,
    else its UTF-8 with each undecodable byte shown as U+FFFD."""
    parts = []
    for part in rel.split("/"):
        if not _RAW_BYTE.search(part):
            parts.append(part)
            continue
        raw = part.encode("utf-8", "surrogateescape")
        try:
            parts.append(raw.decode("gb18030"))
        except UnicodeDecodeError:
            parts.append(raw.decode("utf-8", "replace"))
    return "/".join(parts)


def member_name(name: str) -> str:
    """A name found inside a container as it is shown: raw bytes and cp437 mangling decoded
    (a mail client that wrote a GBK name unencoded leaves bytes the parser keeps as lone
    surrogates, which no output can store), without the ``..``, ``.`` and drive parts a name
    may carry (never used as a path: the bytes go to the private folder by base name)."""
    parts = [
        p
        for p in shown_path(name.replace("\\", "/")).split("/")
        if p not in ("", ".", "..") and not re.fullmatch(r"[A-Za-z]:", p)
    ]
    shown = "/".join(parts) or "file"
    return _SURROGATE.sub("\ufffd", shown)


_SURROGATE = re.compile("[\ud800-\udfff]")


def open_zip(path: Path) -> zipfile.ZipFile:
    """``zipfile.ZipFile(path)``, also for a zip whose names are flagged UTF-8 but are not
    (GBK, written by some Chinese archivers; 7-Zip and Explorer open it, zipfile raises
    UnicodeDecodeError): the flag is cleared in a copy in memory, so the names are read as
    unflagged ones are (``_zip_name``: GBK)."""
    try:
        zf = zipfile.ZipFile(path)
    except UnicodeDecodeError:
        try:
            zf = zipfile.ZipFile(io.BytesIO(_unflag_names(path.read_bytes())))
        except (UnicodeDecodeError, struct.error) as exc:  # a directory damaged past that
            raise zipfile.BadZipFile(str(exc)) from exc
    if not own_directory(zf, _head(path)[: len(ZIP_MAGIC)]):
        zf.close()
        raise zipfile.BadZipFile("the directory found is a stored member's, not the file's")
    return zf


_CENTRAL = struct.Struct("<4s4xH18xHHH8xI")  # a central directory entry's fixed part
_END = struct.Struct("<4s8xII")  # the end of central directory record


def _unflag_names(data: bytes) -> bytes:
    """The zip's bytes with the UTF-8 flag (bit 11) cleared on every entry whose name is not
    UTF-8, in the central directory and the local headers."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or end + _END.size > len(data):
        raise zipfile.BadZipFile("no end of central directory")
    _sig, _size, at = _END.unpack_from(data, end)
    out = bytearray(data)
    while 0 <= at <= len(data) - _CENTRAL.size and data[at : at + 4] == b"PK\x01\x02":
        _sig, flags, name_len, extra_len, comment_len, local = _CENTRAL.unpack_from(data, at)
        name = data[at + 46 : at + 46 + name_len]
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            if flags & 0x800:
                struct.pack_into("<H", out, at + 8, flags & ~0x800)
                if data[local : local + 4] == b"PK\x03\x04":
                    (local_flags,) = struct.unpack_from("<H", data, local + 6)
                    struct.pack_into("<H", out, local + 6, local_flags & ~0x800)
        at += 46 + name_len + extra_len + comment_len
    return bytes(out)


_UNICODE_PATH = 0x7075  # Info-ZIP's Unicode Path extra field: the name in UTF-8


def _unicode_path(extra: bytes, raw: bytes) -> str | None:
    """The UTF-8 name an archiver put beside a member's name in its code page (WinRAR,
    Info-ZIP, Bandizip: a name with a character GBK lacks, such as a rare 姓名 character,
    stored as 「王?.xlsx」), when it was made for that very name (its CRC-32 matches)."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + size]
        at += 4 + size
        if tag != _UNICODE_PATH or len(body) < 5 or body[0] != 1:
            continue
        if struct.unpack_from("<I", body, 1)[0] != zlib.crc32(raw):
            return None  # the name was changed after the field was written: it is stale
        try:
            return body[5:].decode("utf-8") or None
        except UnicodeDecodeError:
            return None
    return None


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its sender wrote it: UTF-8 when flagged, else GBK (what Chinese
    Windows writes; zipfile shows those bytes as cp437)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = b""
        unicode_path = _unicode_path(info.extra, raw)
        if unicode_path is not None:
            return unicode_path.replace("\\", "/").strip("/")
        for encoding in ("utf-8", "gbk"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/").strip("/")


# --------------------------------------------------------------------------------------
# What a file is
# --------------------------------------------------------------------------------------
IWORK_SUFFIXES = frozenset({".numbers", ".pages", ".key"})


def kind_of(path: Path, head: bytes) -> str | None:
    """'zip' | 'eml' | 'emlx' | 'mbox' | 'msg' | 'tnef' | 'rar' | '7z' for a container (by content, the extension only for an
    empty zip), else None. Office files are zips too: those are never containers."""
    if head.startswith(ZIP_MAGIC) or head.startswith(SPANNED_ZIP_MAGIC):
        try:
            with open_zip(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            # read / discover report a broken workbook as such; a broken .zip (cut short in
            # the download) is refused as a container that cannot be opened, not "not Excel"
            return "zip" if path.suffix.lower() == ".zip" else None
        office = ("[Content_Types].xml", "mimetype", "xl/workbook.xml", "word/document.xml")
        office += ("OFD.xml",)  # an OFD document (GB/T 33190) is a zip, not a parcel
        if any(n in names for n in office) or any(n.startswith("META-INF/") for n in names):
            return None
        if path.suffix.lower() in IWORK_SUFFIXES or any(
            n.endswith((".iwa", "/Index.zip")) or n == "Index.zip" for n in names
        ):
            return None  # an Apple Numbers/Pages/Keynote document is a zip, not a parcel
        return "zip"
    if head.startswith(EMPTY_ZIP_MAGIC):
        return "zip"
    if head.startswith(RAR_MAGIC):
        return "rar"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if head.startswith(TNEF_MAGIC):
        return "tnef"
    emlx = _EMLX_LENGTH.match(head)
    if emlx and (path.suffix.lower() == ".emlx" or _MAIL_HEADER.match(head[emlx.end() :])):
        return "emlx"  # Apple Mail's: the message's length in bytes on a line, then the message
    mbox = _MBOX_FROM.match(head)
    # many mails in one file, each after its 「From 」 line (an .eml may start with one too)
    if (
        mbox
        and path.suffix.lower() != ".eml"
        and (path.suffix.lower() == ".mbox" or _MAIL_HEADER.match(head[mbox.end() :]))
    ):
        return "mbox"
    if path.suffix.lower() == ".eml" or _MAIL_HEADER.match(head.lstrip()):
        return "eml"
    if head.startswith(OLE_MAGIC) and (path.suffix.lower() == ".msg" or is_outlook_msg(path)):
        return "msg"  # a broken one named .msg is told as a mail that cannot be opened
    return None


# MS-OXMSG: a message's property streams, its attachments' storages and what they hold
MSG_PROPERTIES = "__properties_version1.0"
MSG_ATTACHMENT = "__attach_version1.0_#"
MSG_DATA = "__substg1.0_37010102"  # PidTagAttachDataBinary: the attached file's bytes
MSG_EMBEDDED = "__substg1.0_3701000d"  # PidTagAttachDataObject: an attached mail (or object)
# the attached file's name: PidTagAttachLongFilename, PidTagAttachFilename, PidTagDisplayName
# (…001F in UTF-16, …001E in the mail's 8-bit code page: GBK on Chinese Windows)
MSG_NAMES = ("__substg1.0_3707", "__substg1.0_3704", "__substg1.0_3001")
MSG_MIME = "__substg1.0_370e"  # PidTagAttachMimeTag
# PidTagAttachLongPathname, PidTagAttachPathname: where an attachment by reference is kept
MSG_PATHS = ("__substg1.0_370d", "__substg1.0_3708")
# PidTagClientSubmitTime, PidTagMessageDeliveryTime (PtypTime) in the top properties stream
MSG_TIMES = (0x00390040, 0x0E060040)
MSG_TOP_HEADER = 32  # bytes before the top-level message's property entries
FILETIME_EPOCH = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def is_outlook_msg(path: Path) -> bool:
    """Whether an OLE compound file is an Outlook mail (its top-level property stream and
    ``__substg1.0_`` properties), not a workbook, document or anything else."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            top = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - olefile raises many kinds for malformed files
        return False
    return MSG_PROPERTIES in top and any(n.startswith("__substg1.0_") for n in top)


# --------------------------------------------------------------------------------------
# The private folder files inside containers are written to
# --------------------------------------------------------------------------------------
class _Scratch:
    """One private temporary folder per process, removed when the process ends."""

    root: Path | None = None
    count = 0

    @classmethod
    def place(cls, name: str) -> Path:
        if cls.root is None:
            cls.root = Path(tempfile.mkdtemp(prefix="lianzheng-containers-"))
            atexit.register(shutil.rmtree, cls.root, True)
        cls.count += 1
        folder = cls.root / f"{cls.count:06d}"
        folder.mkdir()
        base = _UNSAFE.sub("_", name.rsplit("/", 1)[-1]).strip(". ") or "file"
        return folder / _fitting(base)


MAX_NAME_BYTES = 200  # a file name's bytes on disk (most file systems: 255)


def _fitting(base: str) -> str:
    """``base`` cut to ``MAX_NAME_BYTES`` of UTF-8, its extension kept: a Chinese name of
    a hundred characters (Windows allows 255) is over 255 bytes, which Linux refuses."""
    if len(base.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES:
        return base
    stem, dot, ext = base.rpartition(".") if "." in base else (base, "", "")
    ext = (dot + ext)[:16]
    room = MAX_NAME_BYTES - len(ext.encode("utf-8", "surrogateescape"))
    cut = stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return (cut or "file") + ext


# --------------------------------------------------------------------------------------
# Opening containers
# --------------------------------------------------------------------------------------
class _Refused(Exception):
    """Raised when a container as a whole cannot be opened; carries the reason code."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _check_totals(members: int, total: int, path: Path, limits: Any) -> None:
    """Refuse a container of too many members, or unpacking to more than the limits allow
    in all or against its own size (a zip or a 7z alike)."""
    if members > MAX_MEMBERS:
        raise _Refused("container_too_many", str(members))
    if total > limits.max_uncompressed_bytes:
        raise _Refused(
            "zip_bomb", f"{total / MB:.0f} MB > {limits.max_uncompressed_bytes / MB:.0f} MB"
        )
    size = max(path.stat().st_size, 1)
    if total > MB and total / size > limits.max_compression_ratio:
        raise _Refused("zip_bomb", _ratio_detail(total / size, limits.max_compression_ratio))


def _ratio_detail(ratio: float, limit: float) -> str:
    return f"{ratio:.0f} : 1 > {limit:.0f} : 1"


# zip member dates that are no real date: the DOS epoch (the feedback packages', and what zips
# written without dates carry) and the prefill packages' fixed date (prefill.write_packages)
PLACEHOLDER_ZIP_DATES = frozenset({(1980, 1, 1, 0, 0, 0), (2000, 1, 1, 0, 0, 0)})


def _zip_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """(name, content or None when refused, mtime or refusal (code, detail)) of each file."""
    limits = settings.limits
    try:
        zf = open_zip(path)
        # a folder holds nothing; an entry named as a folder that holds bytes (written by a
        # faulty tool, or to hide a file) is read as the file it is, never dropped unseen
        infos = [i for i in zf.infolist() if not i.filename.endswith("/") or i.file_size]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        salvaged = _salvaged(path, limits)
        if salvaged is None:
            raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["zip"]) from exc
        yield from salvaged
        return
    with zf:
        infos = [i for i in infos if not _ARCHIVER_JUNK.search(_zip_name(i))]
        _check_totals(len(infos), sum(i.file_size for i in infos), path, limits)
        for info in infos:
            name = _zip_name(info)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.flag_bits & 0x1:
                yield name, None, ("zip_encrypted", "")
            elif stat.S_ISLNK(info.external_attr >> 16):  # its content is a path: never followed
                yield name, None, ("symlink", "")
            elif info.file_size > limits.max_file_bytes:
                yield name, None, ("too_large", f"{info.file_size / MB:.1f} MB")
            elif info.file_size > MB and ratio > limits.max_compression_ratio:
                yield name, None, ("zip_bomb", _ratio_detail(ratio, limits.max_compression_ratio))
            else:
                try:
                    with zf.open(info) as fh:
                        data = fh.read(info.file_size + 1)
                except (
                    zipfile.BadZipFile,
                    OSError,
                    EOFError,
                    NotImplementedError,
                    zlib.error,  # its compressed bytes damaged (cut short, changed in transit)
                    ValueError,  # its local header's name no UTF-8 though flagged so
                ) as exc:
                    log.warning("zip member %s: %s", name, exc)
                    yield name, None, ("corrupt", vocab.DETAIL_BROKEN_ZIP)
                    continue
                except RuntimeError:  # a password-protected member zipfile cannot open
                    yield name, None, ("zip_encrypted", "")
                    continue
                if len(data) > info.file_size:  # the directory lied about the size
                    yield name, None, ("zip_bomb", vocab.DETAIL_CONTAINER_LIES)
                    continue
                when = info.date_time
                # a placeholder date (this tool's packages: feedback 1980-01-01, prefill
                # 2000-01-01; a zip without dates) says nothing of when the file was made:
                # the zip's own date stands in (None)
                yield (
                    name,
                    data,
                    None if when in PLACEHOLDER_ZIP_DATES else time.mktime((*when, 0, 0, -1)),
                )


ContainerRefused = _Refused  # raised by ``zip_members`` for a zip refused whole


def zip_members(path: Path, limits: Any) -> Iterator[tuple[str, bytes | None, Any]]:
    """A zip's files as the inbox opens them (``_zip_members``), with ``limits`` of one's own
    (combine's): (name, content or None, its mtime or (refusal code, detail))."""
    return _zip_members(path, SimpleNamespace(limits=limits))  # type: ignore[arg-type]


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # a local file header's fixed part
_DESCRIPTOR = b"PK\x07\x08"


def _dos_time(dos_time: int, dos_date: int) -> tuple[int, int, int, int, int, int]:
    return (
        (dos_date >> 9) + 1980,
        (dos_date >> 5) & 15,
        dos_date & 31,
        dos_time >> 11,
        (dos_time >> 5) & 63,
        (dos_time & 31) * 2,
    )


def _salvaged(path: Path, limits: Any) -> list[tuple[str, bytes | None, Any]] | None:
    """The members of a zip cut short (its central directory lost in the download or the
    copy), found by their local headers from the start: those whole before the cut are read,
    the one the cut falls in (and what came after it, unnamed anywhere) is told cut. None
    when not one member was found whole: the zip is then told it cannot be opened."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    found: list[tuple[str, bytes | None, Any]] = []
    at, cut = 0, vocab.ZIP_REST_NAME
    while data.startswith(ZIP_MAGIC, at) and at + _LOCAL.size <= len(data):
        _sig, _ver, flags, method, dos_time, dos_date, crc, size, _full, n_name, n_extra = (
            _LOCAL.unpack_from(data, at)
        )
        raw = data[at + _LOCAL.size : at + _LOCAL.size + n_name]
        name = _zip_name(_local_info(raw, flags))
        cut = name or vocab.ZIP_REST_NAME
        start = at + _LOCAL.size + n_name + n_extra
        end = _member_end(data, start, flags, method, size, limits)
        if end is None:
            break
        at = end
        if flags & 0x8:  # a data descriptor follows: the member's CRC and sizes
            at += 4 if data.startswith(_DESCRIPTOR, end) else 0
            if at + 12 > len(data):
                break
            (crc,) = struct.unpack_from("<I", data, at)
            at += 12
        cut = vocab.ZIP_REST_NAME
        if not name or _ARCHIVER_JUNK.search(name):
            continue
        content, refusal = _salvaged_member(data[start:end], flags, method, crc, limits)
        if raw.endswith((b"/", b"\\")) and not content:
            continue  # a folder
        when = _dos_time(dos_time, dos_date)
        stamp = None if when in PLACEHOLDER_ZIP_DATES else _mktime(when)
        found.append((name, content, refusal if content is None else stamp))
    if not any(content is not None for _name, content, _extra in found):
        return None
    total = sum(len(content) for _name, content, _extra in found if content is not None)
    _check_totals(len(found), total, path, limits)
    if not data.startswith((b"PK\x01\x02", b"PK\x05\x06"), at):  # short of the directory
        found.append((cut, None, ("zip_cut_short", vocab.ARCHIVE_NAMES["zip"])))
    return found


def _mktime(when: tuple[int, ...]) -> float | None:
    try:
        return time.mktime((*when, 0, 0, -1))
    except (OverflowError, ValueError):
        return None


def _local_info(raw: bytes, flags: int) -> zipfile.ZipInfo:
    """A ZipInfo named as zipfile names a member from its header's bytes."""
    try:
        text = raw.decode("utf-8") if flags & 0x800 else raw.decode("cp437")
    except UnicodeDecodeError:
        text, flags = raw.decode("cp437"), flags & ~0x800
    info = zipfile.ZipInfo(text.replace("\x00", ""))
    info.flag_bits = flags
    return info


def _member_end(
    data: bytes, start: int, flags: int, method: int, size: int, limits: Any
) -> int | None:
    """Where a member's compressed bytes end, or None when the cut falls inside them."""
    if start > len(data):
        return None
    if not flags & 0x8 or size:
        return start + size if start + size <= len(data) else None
    if method != zipfile.ZIP_DEFLATED:  # stored with a descriptor: its end is told nowhere
        return None
    inflate = zlib.decompressobj(-15)  # the end is sought: what it inflates to is dropped
    at, out = start, 0
    while at < len(data) and not inflate.eof and out <= limits.max_uncompressed_bytes:
        block = data[at : at + MB]
        at += len(block)
        while block and not inflate.eof and out <= limits.max_uncompressed_bytes:
            try:
                out += len(inflate.decompress(block, MB))
            except zlib.error:
                return None
            block = inflate.unconsumed_tail
    return at - len(inflate.unused_data) if inflate.eof else None


def _salvaged_member(
    raw: bytes, flags: int, method: int, crc: int, limits: Any
) -> tuple[bytes | None, tuple[str, str] | None]:
    """A salvaged member's bytes, or None and why it is refused (as ``_zip_members``)."""
    if flags & 0x1:
        return None, ("zip_encrypted", "")
    if method == zipfile.ZIP_STORED:
        content = raw
    elif method == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompressobj(-15).decompress(raw, limits.max_file_bytes + 1)
        except zlib.error:
            return None, ("corrupt", vocab.DETAIL_BROKEN_ZIP)
    else:
        return None, ("corrupt", vocab.DETAIL_BROKEN_ZIP)
    if len(content) > limits.max_file_bytes:
        return None, ("too_large", f"> {limits.max_file_bytes / MB:.0f} MB")
    ratio = len(content) / max(len(raw), 1)
    if len(content) > MB and ratio > limits.max_compression_ratio:
        return None, ("zip_bomb", _ratio_detail(ratio, limits.max_compression_ratio))
    if zlib.crc32(content) != crc:
        return None, ("corrupt", vocab.DETAIL_BROKEN_ZIP)
    return content, None


class _Capped:
    """A member's bytes as py7zr writes them (its ``Py7zIO``), kept up to ``limit`` bytes:
    nothing of a 7z archive is ever written to disk by the library."""

    def __init__(self, limit: int) -> None:
        self.limit, self.buffer = limit, io.BytesIO()

    def write(self, data: bytes | bytearray) -> int:
        room = self.limit - self.buffer.tell()
        if room > 0:
            self.buffer.write(bytes(data[:room]))
        return len(data)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def size(self) -> int:
        return len(self.buffer.getbuffer())


def _7z_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """The files of a ``.7z`` archive, read by py7zr in a child process of its own (its
    compiled decoders crash the process on some damaged archives: pyppmd segfaults), with
    the read workers' memory cap and time limit; a child that dies or hangs means a damaged
    archive, never a stopped run."""
    import importlib.util
    import multiprocessing

    if importlib.util.find_spec("py7zr") is None:  # an installation without it: reported
        raise _Refused("archive_unsupported", vocab.ARCHIVE_NAMES["7z"])
    limits = settings.limits
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_7z_child, args=(str(path), limits, send), daemon=True)
    child.start()
    send.close()
    result: Any = None
    try:
        if receive.poll(limits.worker_timeout_s):
            result = receive.recv()
    except (EOFError, OSError):  # the child died (a native crash, out of memory)
        result = None
    finally:
        receive.close()
        child.join(1)
        if child.is_alive():
            child.kill()
            child.join()
    if not isinstance(result, tuple):
        log.warning("7z %s: the reading process died or hung (exit %s)", path, child.exitcode)
        raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["7z"])
    if result[0] == "refused":
        raise _Refused(result[1], result[2])
    yield from result[1]


def _7z_child(path: str, limits: Any, send: Any) -> None:
    """A child process's work: the 7z's members (``_7z_read``), or its refusal, sent back."""
    from pipeline import workers

    workers.cap_memory(limits.worker_memory_bytes)
    try:
        result: tuple[Any, ...] = ("ok", list(_7z_read(Path(path), limits)))
    except _Refused as exc:
        result = ("refused", exc.code, exc.detail)
    except BaseException:  # noqa: BLE001 - anything else: a damaged archive, told as such
        result = ("refused", "container_corrupt", vocab.ARCHIVE_NAMES["7z"])
    send.send(result)
    send.close()


def _7z_read(path: Path, limits: Any) -> Iterator[tuple[str, bytes | None, Any]]:
    """The files of a ``.7z`` archive, read by py7zr into memory (never extracted to a
    path): the same limits as a zip's; links, password-protected members and names that
    climb out of the archive are reported, never followed."""
    import py7zr
    from py7zr import helpers as py7zr_helpers
    from py7zr import io as py7zr_io

    products: dict[str, _Capped] = {}

    class Factory(py7zr_io.WriterFactory):
        def create(self, filename: str) -> Any:
            products[filename] = _Capped(limits.max_file_bytes + 1)
            return products[filename]

    try:
        archive = py7zr.SevenZipFile(path, mode="r", max_extract_size=limits.max_uncompressed_bytes)
    except py7zr.PasswordRequired as exc:  # even the names are encrypted
        raise _Refused("zip_encrypted_whole", vocab.ARCHIVE_NAMES["7z"]) from exc
    except Exception as exc:  # py7zr raises many kinds on a damaged archive
        raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["7z"]) from exc
    with archive:
        try:
            infos = [i for i in archive.list() if not i.is_directory]
            locked = archive.needs_password()
        except Exception as exc:
            raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["7z"]) from exc
        infos = [i for i in infos if not _ARCHIVER_JUNK.search(i.filename)]
        _check_totals(len(infos), sum(i.uncompressed or 0 for i in infos), path, limits)
        verdicts: list[tuple[str, Any]] = []  # (name, refusal or the key of its bytes)
        seen: dict[str, int] = {}
        wanted: list[str] = []
        for info in infos:
            name = info.filename
            if locked:
                verdicts.append((name, ("zip_encrypted", "")))
            elif info.is_symlink or not info.is_file:
                verdicts.append((name, ("symlink", "")))
            elif (info.uncompressed or 0) > limits.max_file_bytes:
                verdicts.append((name, ("too_large", f"{info.uncompressed / MB:.1f} MB")))
            else:
                # the key py7zr's extraction names the member's bytes by (a repeated name
                # gets _0, _1 …; a name that climbs out of the archive is refused)
                out = name if name not in seen else f"{name}_{seen[name]}"
                seen[name] = seen.get(name, -1) + 1
                try:
                    key = py7zr_helpers.get_sanitized_output_path(out, None).as_posix()
                except Exception:  # noqa: BLE001 - Bad7zFile, an absolute path
                    verdicts.append((name, ("unsafe_member_name", name)))
                    continue
                wanted.append(name)
                verdicts.append((name, key))
        try:
            if wanted:
                archive.extract(targets=wanted, factory=Factory())
        except py7zr.exceptions.DecompressionBombError as exc:  # it lied about its sizes
            raise _Refused("zip_bomb", vocab.DETAIL_CONTAINER_LIES) from exc
        except Exception as exc:  # a damaged stream, a CRC
            log.warning("7z %s: %s", path.name, exc)
            raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["7z"]) from exc
    declared = {i.filename: i.uncompressed or 0 for i in infos}
    for name, verdict in verdicts:
        if isinstance(verdict, tuple):
            yield name, None, verdict
            continue
        product = products.get(verdict)
        if product is None:
            yield name, None, ("corrupt", vocab.DETAIL_BROKEN_ZIP)
        elif product.size() > max(declared[name], 0) or product.size() > limits.max_file_bytes:
            yield name, None, ("zip_bomb", vocab.DETAIL_CONTAINER_LIES)
        else:
            yield name, product.buffer.getvalue(), None


# a quoted name parameter as the header's source has it: name="=?GBK?B?…?= =?GBK?B?…?="
_RAW_NAME = re.compile(r'(?:^|[;\s])(file)?name\s*=\s*"([^"]*)"', re.IGNORECASE)
# an RFC 2231 name parameter or one piece of it: filename*=GBK''%D5%C5…, filename*0*=…
_RFC2231_NAME = re.compile(
    r'(?:^|[;\s])(file)?name\*(\d+)?(\*)?\s*=\s*("[^"]*"|[^;\s]*)', re.IGNORECASE
)
# what mail clients label GBK names with; GB 18030 reads them all (GB2312 lacks 喆, 镕, 堃 …)
_GB_CHARSETS = frozenset(
    {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "x-euc-cn", "csgb2312", "gb18030"}
)
_GB_LABEL = re.compile(r"gb2312|gbk|cp936|ms936|euc-cn|gb18030", re.IGNORECASE)


def _charset(label: str | None) -> str:
    """The codec to decode a name labelled ``label`` with: GB 18030 for every GB label."""
    label = (label or "ascii").strip().lower()
    return "gb18030" if label in _GB_CHARSETS else label


def _rfc2231_name(text: str) -> str | None:
    """The (file)name an RFC 2231 parameter (its pieces joined in order) gives, or None."""
    pieces: dict[bool, dict[int, tuple[bool, str]]] = {}
    for match in _RFC2231_NAME.finditer(text):
        index = int(match[2]) if match[2] else 0
        pieces.setdefault(bool(match[1]), {}).setdefault(
            index, (bool(match[3]) or not match[2], match[4].strip('"'))
        )
    found = pieces.get(True) or pieces.get(False)
    if not found:
        return None
    charset, quoted = "ascii", ""
    for i, index in enumerate(sorted(found)):
        encoded, value = found[index]
        if i == 0 and encoded and value.count("'") >= 2:
            charset, _lang, value = value.split("'", 2)
        # joined before unquoting: a client may cut a %XX escape across two pieces
        quoted += value if encoded else urllib.parse.quote(value, safe="", errors="surrogateescape")
    return urllib.parse.unquote_to_bytes(quoted).decode(_charset(charset))


def _name_from_source(part: EmailMessage) -> str | None:
    """An attachment's name decoded from its header's source: adjacent encoded words of one
    charset joined before decoding (mail clients split a long GBK name into several words
    anywhere, even inside a character, which the parser decodes word by word, as �), the
    pieces of an RFC 2231 name joined, and names labelled GB2312 read as GB 18030 (what the
    sender's client wrote; Python's gb2312 codec stops at the first character GB2312 lacks)."""
    found: dict[bool, str] = {}
    sources = []
    for key, raw in part.raw_items():
        if key.lower() in ("content-disposition", "content-type"):
            text = re.sub(r"\r?\n[ \t]+", " ", str(raw))
            sources.append(text)
            for match in _RAW_NAME.finditer(text):
                found.setdefault(bool(match[1]), match[2])
    try:
        for text in sources:
            name = _rfc2231_name(text)
            if name:
                return name
        value = found.get(True) or found.get(False)
        if not value:
            return None
        chunks = email.header.decode_header(value)
        return "".join(
            data.decode(_charset(charset)) if isinstance(data, bytes) else data
            for data, charset in chunks
        )
    except (LookupError, UnicodeDecodeError, ValueError, email.errors.HeaderParseError):
        return None  # a name damaged past reading: the parser's own reading is kept


def _gb_labelled(part: EmailMessage) -> bool:
    """Whether the part's name headers carry a GB charset label (decoded again, to be sure)."""
    return any(
        key.lower() in ("content-disposition", "content-type") and _GB_LABEL.search(str(raw))
        for key, raw in part.raw_items()
    )


# a picture's extension, for a part or an Outlook attachment whose type is not said
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".emz", ".wmz"}
)
_CID = re.compile(r"cid:([^\s\"'<>()]+)", re.IGNORECASE)


def _cids(html: str) -> set[str]:
    """The Content-IDs a mail's HTML shows as pictures (``<img src="cid:…">``), folded."""
    return {urllib.parse.unquote(c).strip("<>").casefold() for c in _CID.findall(html)}


def _body_cids(msg: EmailMessage) -> set[str]:
    """``_cids`` of every HTML part of a mail (not of the mails attached to it)."""
    if msg.get_content_type() == "text/html":
        try:
            return _cids(str(msg.get_content()))
        except Exception:  # noqa: BLE001 - an unknown charset or a broken encoding
            return set()
    found: set[str] = set()
    if msg.is_multipart():
        for part in msg.iter_parts():
            found |= _body_cids(part)  # type: ignore[arg-type]
    return found


def _inline_picture(name: str, is_image: bool, inline: bool, cid: str, cids: set[str]) -> bool:
    """Whether an attachment is a picture of the mail's own text (a signature's logo, a
    pasted screenshot: shown inline or by ``cid:``), not a file its sender attached. A
    picture named as a pledge (「廉政承诺书.jpg」) is the sender's, wherever it is shown."""
    if not (is_image or Path(name).suffix.lower() in IMAGE_SUFFIXES):
        return False
    if vocab.PLEDGE_SHEET_HINT in name:
        return False
    return inline or (bool(cid) and cid.strip("<>").casefold() in cids)


def _leaves(msg: EmailMessage) -> Iterator[EmailMessage]:
    """Every part of a mail that holds no other part, in order, wherever it is nested, and
    each attached mail (message/rfc822) whole. ``iter_attachments`` looks only at the top
    level's children: an attachment inside a multipart/alternative or multipart/related
    (Apple Mail puts a file shown in the text there, as ``multipart/alternative`` → ``multipart
    /mixed`` → html, the file, html) was never found, and the mail told 「没有任何文件」."""
    if msg.get_content_type() in _WHOLE_PARTS or not msg.is_multipart():
        yield msg
        return
    for part in msg.iter_parts():
        yield from _leaves(part)  # type: ignore[arg-type]


# parts kept whole: an attached mail, and a reference to a file kept elsewhere (its headers
# as a part inside it, no file)
_WHOLE_PARTS = ("message/rfc822", "message/external-body")


def _attachments(
    msg: EmailMessage, cids: set[str] | None = None
) -> Iterator[tuple[str, EmailMessage]]:
    """(file name, part) of every attachment, those of attached mails included; the
    pictures of a mail's own text are none (``_inline_picture``)."""
    if cids is None:
        cids = _body_cids(msg)
    for part in _leaves(msg):
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            for sub in inner if isinstance(inner, list) else [inner]:
                if isinstance(sub, EmailMessage):
                    yield from _attachments(sub, _body_cids(sub))
            continue
        name = _elsewhere_name(part) if _elsewhere(part) else part.get_filename() or ""
        if "\ufffd" in name or (name and _gb_labelled(part)):
            name = _name_from_source(part) or name
        if _inline_picture(
            name,
            part.get_content_maintype() == "image",
            part.get_content_disposition() == "inline",
            str(part.get("Content-ID") or ""),
            cids,
        ):
            log.info("mail picture %s skipped: part of the mail's text", name or "(unnamed)")
            continue
        if not name:
            if part.get_content_maintype() in ("text", "multipart"):
                continue  # an alternative body, not an attachment
            name = vocab.CONTAINER_UNNAMED.format(type=part.get_content_type())
        yield name.replace("\\", "/").rsplit("/", 1)[-1], part


_URL = re.compile(r"https?://[^\s<>\"'()（）「」，。；]+", re.IGNORECASE)
MAX_LINK_CHARS = 80


# links of a mail service's 超大附件, a cloud drive's share or an online document: a file
# the sender meant to send that is not in the mail (a site's address in a signature is not)
_FILE_LINK = re.compile(
    r"https?://(?:[\w-]+\.)*(?:"
    r"(?:mail|exmail|ftn)\.qq\.com/(?:ftn|cgi-bin/ftn)|wx\.mail\.qq\.com/ftn|"
    r"mail\.163\.com/large-attachment|mail\.126\.com/large-attachment|dashi\.163\.com|"
    r"mail\.sina\.com\.cn/.*(?:attach|download)|"
    r"pan\.baidu\.com|share\.weiyun\.com|weiyun\.com|aliyundrive\.com|alipan\.com|"
    r"pan\.quark\.cn|123pan\.com|lanzou[a-z]?\.com|cloud\.189\.cn|caiyun\.139\.com|"
    r"yun\.139\.com|kdocs\.cn|docs\.qq\.com|shimo\.im|"
    r"feishu\.cn/(?:docs|docx|sheets|file|drive|wiki)|drive\.wps\.cn|onedrive\.live\.com|1drv\.ms|"
    r"sharepoint\.com)",
    re.IGNORECASE,
)


def _links(msg: EmailMessage, only_files: bool = False) -> str:
    """The first links in a mail's text (never opened), shortened, for the message; ''.
    ``only_files``: only links to a file or document (``_FILE_LINK``)."""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
    except Exception:  # noqa: BLE001 - a body in an unknown charset or a broken encoding
        return ""
    return _text_links(str(text), only_files)


def _text_links(text: str, only_files: bool = False) -> str:
    """The first links in ``text`` (``_links``)."""
    found: list[str] = []
    for url in _URL.findall(text):
        url = url.rstrip(".,;:!?")
        if only_files and not _FILE_LINK.match(url):
            continue
        if url not in found:
            found.append(url)
    shown = [u if len(u) <= MAX_LINK_CHARS else u[: MAX_LINK_CHARS - 1] + "…" for u in found[:2]]
    return "、".join(shown)


_UU_BEGIN = re.compile(rb"^begin [0-7]{3,4} (.+?)[ \t]*$")


def _uuencoded(msg: EmailMessage) -> list[tuple[str, EmailMessage]]:
    """(file name, a part holding its bytes) of each file uuencoded in a mail's plain text
    (「begin 644 张三.xlsx」 … 「end」: Outlook Express, Foxmail and mail scripts sent files so),
    which no MIME part names: such a mail was told 「没有任何文件」."""
    found: list[tuple[str, EmailMessage]] = []
    for part in _leaves(msg):
        if part.get_content_type() != "text/plain" or part.get_filename():
            continue
        body = part.get_payload(decode=True)
        if not isinstance(body, bytes) or b"begin " not in body:
            continue
        name, data = None, bytearray()
        for line in body.splitlines():
            begin = _UU_BEGIN.match(line)
            if name is None:
                if begin:
                    name, data = _uu_name(begin[1], part.get_content_charset()), bytearray()
                continue
            if line.strip() == b"end":
                found.append((name, _part_of(bytes(data))))
                name = None
            elif line.strip():
                data += _uu_line(line)
    return found


def _uu_name(raw: bytes, charset: str | None) -> str:
    """A uuencoded file's name: in the text's charset, else UTF-8, else GB 18030."""
    for encoding in (_charset(charset) if charset else "utf-8", "utf-8", "gb18030"):
        try:
            return raw.decode(encoding).replace("\\", "/").rsplit("/", 1)[-1]
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def _uu_line(line: bytes) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:  # trailing garbage some encoders leave: cut to the told length
        try:
            return binascii.a2b_uu(line[: (((line[0] - 32) & 63) * 4 + 5) // 3])
        except binascii.Error:  # a damaged line: the file it is in will not open
            return b""


def _part_of(data: bytes) -> EmailMessage:
    part = EmailMessage()
    part.set_content(data, maintype="application", subtype="octet-stream")
    return part


def _eml_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    return _mail_members(path.read_bytes(), path, settings, "eml")


def _emlx_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """The attachments of an Apple Mail ``.emlx``: its first line is the message's length in
    bytes, then the message (MIME, as an .eml), then a property list of the mail's flags."""
    data = path.read_bytes()
    head = _EMLX_LENGTH.match(data)
    if head is None:
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["emlx"])
    raw = data[head.end() : head.end() + int(head[1])]
    return _mail_members(raw, path, settings, "emlx")


def _mail_members(
    raw: bytes, path: Path, settings: Settings, kind: str
) -> Iterator[tuple[str, bytes | None, Any]]:
    limits = settings.limits
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the email parser raises many kinds on bad input
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES[kind]) from exc
    if not isinstance(msg, EmailMessage):
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES[kind])
    try:
        sent = parsedate_to_datetime(str(msg["Date"])).timestamp() if msg["Date"] else None
    except (TypeError, ValueError, OverflowError):
        sent = None
    mtime = sent if sent is not None else path.stat().st_mtime
    try:
        parts = list(_attachments(msg))
        parts += _uuencoded(msg)
    except Exception as exc:  # the parser raises many kinds on a damaged mail
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES[kind]) from exc
    if not parts:
        links = _links(msg)
        if links:  # a cloud drive's or a mail service's 超大附件 link, no file
            raise _Refused("mail_link_only", links)
        if path.suffix.lower() in (".mht", ".mhtml"):  # saved as a web page: its files left out
            raise _Refused("mail_web_page")
    if len(parts) > MAX_MEMBERS:
        raise _Refused("container_too_many", str(len(parts)))
    beside = _links(msg, only_files=True) if parts else ""
    if beside:  # a 超大附件 or a cloud drive's link beside the attachments: its file is not here
        yield vocab.MAIL_LINK_NAME, None, ("mail_link_beside", beside)
    cut = _cut_short(msg)
    total = 0
    for i, (name, part) in enumerate(parts):
        elsewhere = _elsewhere(part)
        if elsewhere is not None:  # its file is not in the mail: never looked for
            yield name, None, elsewhere
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - a broken transfer encoding
            yield name, None, ("corrupt", vocab.DETAIL_BROKEN_MAIL)
            continue
        if cut and i == len(parts) - 1 and not _whole_zip(data):
            yield name, None, ("mail_cut_short", vocab.ARCHIVE_NAMES[kind])
            continue
        if not data.strip() and part.get(APPLE_PART_LENGTH):  # kept by Apple Mail apart
            yield name, None, ("mail_part_apart", "")
            continue
        total += len(data)
        if total > limits.max_uncompressed_bytes:
            raise _Refused(
                "zip_bomb", f"{total / MB:.0f} MB > {limits.max_uncompressed_bytes / MB:.0f} MB"
            )
        if len(data) > limits.max_file_bytes:
            yield name, None, ("too_large", f"{len(data) / MB:.1f} MB")
            continue
        yield name, data, mtime


def _elsewhere(part: EmailMessage) -> tuple[str, str] | None:
    """(reason, detail) of an attachment whose file is not in the mail, or None: a reference
    to a file kept elsewhere (message/external-body: a path, a URL or an FTP site, never
    opened), an attachment Thunderbird detached to a folder of the office's computer (the
    path it saved it to) or deleted (text/x-moz-deleted). Before, the note left in its place
    was read as the file: 「文件是空的」, 「无法识别这个表格」."""
    if part.get_content_type() == "message/external-body":
        where = part.get_param("name") or part.get_param("url") or part.get_param("site")
        return "mail_part_reference", _pointing_to(str(where or ""))
    altered = str(part.get("X-Mozilla-Altered") or "")
    if part.get_content_type() == "text/x-moz-deleted" or "AttachmentDeleted" in altered:
        return "mail_part_deleted", ""
    detached = part.get("X-Mozilla-External-Attachment-URL")
    if detached or "AttachmentDetached" in altered:
        where = _shown_location(str(detached or ""))
        return "mail_part_detached", f"「{where}」" if where else vocab.DETACHED_SOMEWHERE
    return None


def _elsewhere_name(part: EmailMessage) -> str:
    """The file name of an attachment not in the mail (``_elsewhere``): a reference's inner
    headers' (or the last part of where it points), Thunderbird's without 「Deleted: 」."""
    if part.get_content_type() == "message/external-body":
        inner = part.get_payload()
        for sub in inner if isinstance(inner, list) else [inner]:
            if isinstance(sub, EmailMessage) and sub.get_filename():
                return str(sub.get_filename())
        where = str(part.get_param("name") or part.get_param("url") or "")
        return urllib.parse.unquote(where.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1])
    name = str(part.get_filename() or "")
    return name.removeprefix("Deleted: ")


def _pointing_to(where: str) -> str:
    """The ``mail_part_reference`` detail: （「where it points」）, or '' when it says not."""
    shown = _shown_location(where)
    return vocab.REFERENCE_TO.format(where=shown) if shown else ""


def _shown_location(where: str) -> str:
    """Where an attachment not in the mail points, as a person reads it: a ``file:`` URL as
    its path (%-escapes decoded, ``C:/…`` as ``C:\\…``), shortened like a link."""
    if where.lower().startswith("file:"):
        where = urllib.parse.unquote(re.sub(r"^file:/*", "", where, flags=re.IGNORECASE))
        where = where.replace("/", "\\") if re.match(r"[A-Za-z]:", where) else "/" + where
    where = shown_path(where)
    return where if len(where) <= MAX_LINK_CHARS else where[: MAX_LINK_CHARS - 1] + "…"


def _cut_short(msg: EmailMessage) -> bool:
    """Whether a mail file ends before its closing boundary (cut short while it was saved or
    downloaded): its last part then runs to the end of the file, cut too."""
    try:
        return any(
            isinstance(d, email.errors.CloseBoundaryNotFoundDefect)
            for part in msg.walk()
            for d in part.defects
        )
    except Exception:  # noqa: BLE001 - a tree damaged past walking
        return False


def _whole_zip(data: bytes) -> bool:
    """Whether ``data`` is a zip (an .xlsx, a .docx, a .zip) that ends with its end record:
    the last part of a mail cut just before its closing boundary is whole."""
    return data.startswith(ZIP_MAGIC) and data.rfind(b"PK\x05\x06", -(65536 + 22)) >= 0


def _msg_text(ole: Any, stream: list[str]) -> str:
    """A string property of an Outlook mail: UTF-16 (…001F) or 8-bit (…001E: UTF-8 when it
    decodes so, else GB 18030, what Chinese Outlook writes)."""
    data = ole.openstream(stream).read(4096)
    if stream[-1].upper().endswith("001F"):
        return data.decode("utf-16-le", "replace").rstrip("\x00")
    data = data.rstrip(b"\x00")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def _msg_attachments(
    ole: Any, paths: list[list[str]], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, list[str] | None, str | tuple[str, str] | None]]:
    """(file name, its data stream or None for an object that is no file, and for an object
    embedded in the text the kind of stream holding its file: ``MSG_OBJECT_STREAMS``) of every
    attachment of the message at ``prefix``, those of attached mails included. An attachment
    by reference (no bytes, only where the file is) has (reason, detail) as its third."""
    n = len(prefix)
    by_storage: dict[str, list[list[str]]] = {}
    for p in paths:
        if len(p) > n + 1 and tuple(p[:n]) == prefix and p[n].lower().startswith(MSG_ATTACHMENT):
            by_storage.setdefault(p[n], []).append(p)
    for storage in sorted(by_storage):
        inside = by_storage[storage]
        kids = {p[n + 1].lower(): p for p in inside if len(p) == n + 2}
        embedded = next((p[n + 1] for p in inside if p[n + 1].lower() == MSG_EMBEDDED), None)
        inner = {p[n + 2].lower(): p for p in inside if len(p) == n + 3 and p[n + 1] == embedded}
        if embedded is not None and MSG_PROPERTIES in inner:
            yield from _msg_attachments(ole, paths, (*prefix, storage, embedded))
            continue
        # an object in the mail's text (an RTF mail's 插入→对象): the file it holds, if any
        held = next(((inner[k], k) for k in MSG_OBJECT_STREAMS if k in inner), (None, None))
        name = ""
        for key in MSG_NAMES:
            for kind in ("001f", "001e"):
                if not name and key + kind in kids:
                    name = _msg_text(ole, kids[key + kind]).strip()
        if not name:
            mime = next((kids[k] for k in kids if k.startswith(MSG_MIME)), None)
            kind_of_file = _msg_text(ole, mime) if mime else "application/octet-stream"
            name = vocab.CONTAINER_UNNAMED.format(type=kind_of_file)
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
        if _msg_inline_picture(ole, kids, name, paths, prefix):
            log.info("mail picture %s skipped: part of the mail's text", name)
            continue
        if held[0] is not None:
            yield name, held[0], held[1]
            continue
        if MSG_DATA not in kids:  # attached by reference (a share's path, a OneDrive link)
            where = next(
                (
                    _msg_text(ole, kids[key + kind]).strip()
                    for key in MSG_PATHS
                    for kind in ("001f", "001e")
                    if key + kind in kids
                ),
                "",
            )
            if where:
                yield name, None, ("mail_part_reference", _pointing_to(where))
                continue
        yield name, kids.get(MSG_DATA), None


# what an object embedded in a mail's text holds its file in: an Office 2007+ document
# (Excel.Sheet.12: the .xlsx itself), a file packaged into the text (Packager: its name and
# bytes), an Excel 97–2003 workbook (its BIFF stream: the object's storage is the .xls)
MSG_OBJECT_PACKAGE, MSG_OBJECT_NATIVE = "package", "\x01ole10native"
MSG_OBJECT_BOOKS = ("workbook", "book")
MSG_OBJECT_STREAMS = (MSG_OBJECT_PACKAGE, MSG_OBJECT_NATIVE, *MSG_OBJECT_BOOKS)


def _ole10_native(data: bytes) -> tuple[str, bytes] | None:
    """(file name, bytes) of a Packager object's ``\x01Ole10Native`` stream: its size, its
    label, the file's path and a temporary path in the ANSI code page (GBK on Chinese
    Windows), then the bytes, then the names again in UTF-16 (newer Windows); None if broken."""

    def cstr(at: int) -> tuple[str, int]:
        end = data.index(b"\x00", at)
        raw = data[at:end]
        for encoding in ("utf-8", "gbk"):
            try:
                return raw.decode(encoding), end + 1
            except UnicodeDecodeError:
                continue
        return raw.decode("latin-1"), end + 1

    try:
        label, at = cstr(6)
        source, at = cstr(at)
        at += 4
        (tmp_len,) = struct.unpack_from("<I", data, at)
        at += 4 + tmp_len
        (size,) = struct.unpack_from("<I", data, at)
        at += 4
        if at + size > len(data):
            return None
        content = data[at : at + size]
        at += size
        try:  # the UTF-16 names after the bytes, when written
            for k in range(3):  # the temporary path, the label, the file's path
                (count,) = struct.unpack_from("<I", data, at)
                text = data[at + 4 : at + 4 + 2 * count].decode("utf-16-le")
                at += 4 + 2 * count
                label = text if k == 1 and text else label
                source = text if k == 2 and text else source
        except (struct.error, UnicodeDecodeError):
            pass
    except (ValueError, struct.error):
        return None
    name = (source or label).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or label, content


def _object_name(name: str, data: bytes) -> str:
    """An embedded Office document's name with the extension its bytes call for (the name
    Outlook gives it is 「Microsoft Excel 工作表」 or the like, with none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return name
    ext = next((e for key, e in MSG_OBJECT_EXTS.items() if key in names), "")
    return name if not ext or name.lower().endswith(ext) else name + ext


MSG_OBJECT_EXTS = {"xl/workbook.xml": ".xlsx", "word/document.xml": ".docx"}


MSG_HIDDEN = 0x7FFE000B  # PidTagAttachmentHidden: not shown as an attachment
MSG_ATTACH_FLAGS = 0x37140003  # PidTagAttachFlags
ATT_MHTML_REF = 0x4  # … referenced by the HTML body (cid:)
MSG_CONTENT_ID = "__substg1.0_3712"  # PidTagAttachContentId
MSG_HTML = ("__substg1.0_10130102", "__substg1.0_1013001f", "__substg1.0_1013001e")
MAX_HTML_BYTES = 4 * MB


def _msg_inline_picture(
    ole: Any, kids: dict[str, list[str]], name: str, paths: list[list[str]], prefix: tuple
) -> bool:
    """Whether an Outlook attachment is a picture of the mail's own text: hidden, flagged as
    referenced by the HTML body, or its Content-ID shown there (``_inline_picture``)."""
    mime = next((kids[k] for k in kids if k.startswith(MSG_MIME)), None)
    is_image = bool(mime) and _msg_text(ole, mime).lower().startswith("image/")
    if not (is_image or Path(name).suffix.lower() in IMAGE_SUFFIXES):
        return False
    inline = False
    props = kids.get(MSG_PROPERTIES)
    if props is not None:
        data = ole.openstream(props).read(64 * 1024)
        for start in range(8, len(data) - 15, 16):  # an attachment's header is 8 bytes
            tag, _flags, value = struct.unpack_from("<IIQ", data, start)
            hidden = tag == MSG_HIDDEN and value & 0xFF
            inline = inline or bool(hidden or (tag == MSG_ATTACH_FLAGS and value & ATT_MHTML_REF))
    cid = next((_msg_text(ole, kids[k]) for k in kids if k.startswith(MSG_CONTENT_ID)), "")
    cids: set[str] = set()
    if cid and not inline:
        n = len(prefix)
        for p in paths:
            if len(p) == n + 1 and tuple(p[:n]) == prefix and p[n].lower() in MSG_HTML:
                html = ole.openstream(p).read(MAX_HTML_BYTES)
                if p[n].lower().endswith("001f"):
                    cids |= _cids(html.decode("utf-16-le", "replace"))
                else:
                    cids |= _cids(html.decode("latin-1"))
    return _inline_picture(name, is_image, inline, cid, cids)


def _msg_time(ole: Any) -> float | None:
    """When the mail was sent (or delivered), from its top-level properties; None without."""
    try:
        data = ole.openstream(MSG_PROPERTIES).read(64 * 1024)
    except OSError:
        return None
    found: dict[int, float] = {}
    for start in range(MSG_TOP_HEADER, len(data) - 15, 16):
        tag, _flags, value = struct.unpack_from("<IIQ", data, start)
        if tag in MSG_TIMES and value:
            seconds = value / 10_000_000 - FILETIME_EPOCH
            if 631152000 <= seconds <= 4102444800:  # 1990 to 2100: else no real date
                found.setdefault(tag, seconds)
    return next((found[t] for t in MSG_TIMES if t in found), None)


MSG_BODY = ("__substg1.0_1000001f", "__substg1.0_1000001e")  # PidTagBody: the plain text


def _msg_body(ole: Any, paths: list[list[str]]) -> str:
    """The plain text of an Outlook mail, else its HTML ('' when neither can be read)."""
    top = {p[0].lower(): p for p in paths if len(p) == 1}
    for name in (*MSG_BODY, *MSG_HTML):
        if name in top:
            try:
                data = ole.openstream(top[name]).read(MAX_HTML_BYTES)
            except Exception as exc:  # noqa: BLE001 - a chain cut short or looping
                log.warning("mail text %s not read: %s", name, exc)
                continue
            if name.endswith("001f"):
                return data.decode("utf-16-le", "replace")
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("gb18030", "replace")
    return ""


def _msg_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """The attachments of an Outlook ``.msg`` mail (an OLE compound file, read by olefile)."""
    import olefile

    limits = settings.limits
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception as exc:
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["msg"]) from exc
    with ole:
        try:
            paths = ole.listdir(streams=True, storages=True)
            parts = list(_msg_attachments(ole, paths))
            sent = _msg_time(ole)
        except Exception as exc:
            raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["msg"]) from exc
        if len(parts) > MAX_MEMBERS:
            raise _Refused("container_too_many", str(len(parts)))
        body = _msg_body(ole, paths)
        if not parts and _text_links(body):  # a 超大附件 or a cloud drive's link, no file
            raise _Refused("mail_link_only", _text_links(body))
        if parts and _text_links(body, only_files=True):
            yield vocab.MAIL_LINK_NAME, None, ("mail_link_beside", _text_links(body, True))
        mtime = sent if sent is not None else path.stat().st_mtime
        total = 0
        for name, stream, held in parts:
            if isinstance(held, tuple):  # its file is not in the mail: never looked for
                yield name, None, held
                continue
            if stream is None:  # an object in the mail's text (a picture), not a file
                yield name, None, ("not_excel", vocab.DETAIL_MAIL_OBJECT)
                continue
            if held in MSG_OBJECT_BOOKS:  # its storage is the .xls: no file to take out
                yield name, None, ("mail_object_book", "")
                continue
            size = ole.get_size(stream)
            total += size
            if total > limits.max_uncompressed_bytes:
                raise _Refused(
                    "zip_bomb",
                    f"{total / MB:.0f} MB > {limits.max_uncompressed_bytes / MB:.0f} MB",
                )
            if size > limits.max_file_bytes:
                yield name, None, ("too_large", f"{size / MB:.1f} MB")
                continue
            try:
                data = ole.openstream(stream).read(size + 1)
            except Exception:  # noqa: BLE001 - a chain cut short or looping
                yield name, None, ("corrupt", vocab.DETAIL_BROKEN_MAIL)
                continue
            if held == MSG_OBJECT_NATIVE:
                packaged = _ole10_native(data)
                if packaged is None:
                    yield name, None, ("corrupt", vocab.DETAIL_BROKEN_MAIL)
                    continue
                name, data = packaged
            elif held == MSG_OBJECT_PACKAGE:
                name = _object_name(name, data)
            yield name, data, mtime


# MS-OXTNEF: attribute ids (id | type << 16) of what a winmail.dat holds
TNEF_ATTACH_START = 0x00069002  # attAttachRendData: a new attachment begins
TNEF_ATTACH_TITLE = 0x00018010  # attAttachTitle: its file name (8-bit, the OEM code page)
TNEF_ATTACH_DATA = 0x0006800F  # attAttachData: its bytes
TNEF_ATTACH_PROPS = 0x00069005  # attAttachment: its MAPI properties (the long file name)
TNEF_CODEPAGE = 0x00069007  # attOemCodepage
TNEF_LEVEL_ATTACHMENT = 2
PT_STRING8, PT_UNICODE = 0x001E, 0x001F
PR_ATTACH_LONG_FILENAME = 0x3707
# fixed sizes of the MAPI property types an attAttachment may hold (others are counted)
_PT_FIXED = {
    0x2: 4,
    0x3: 4,
    0x4: 4,
    0x5: 8,
    0x6: 8,
    0x7: 8,
    0xA: 4,
    0xB: 4,
    0x14: 8,
    0x40: 8,
    0x48: 16,
}


def _tnef_text(data: bytes, codepage: str) -> str:
    data = data.split(b"\x00", 1)[0]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(codepage, "replace")


def _tnef_long_name(props: bytes, codepage: str) -> str:
    """PR_ATTACH_LONG_FILENAME from an attAttachment's MAPI properties; '' without."""
    try:
        (count,) = struct.unpack_from("<I", props, 0)
        at = 4
        for _ in range(min(count, 1000)):
            ptype, pid = struct.unpack_from("<HH", props, at)
            at += 4
            if pid >= 0x8000:  # a named property: GUID, kind, then an id or a name
                (kind,) = struct.unpack_from("<I", props, at + 16)
                at += 20
                if kind == 1:
                    (length,) = struct.unpack_from("<I", props, at)
                    at += 4 + length + (-length % 4)
                else:
                    at += 4
            multi, base = ptype & 0x1000, ptype & 0x0FFF
            if base in _PT_FIXED and not multi:
                at += max(_PT_FIXED[base], 4)
                continue
            (values,) = struct.unpack_from("<I", props, at)
            at += 4
            for _ in range(min(values, 1000)):
                if base in _PT_FIXED:
                    at += _PT_FIXED[base]
                    continue
                (length,) = struct.unpack_from("<I", props, at)
                value = props[at + 4 : at + 4 + length]
                at += 4 + length + (-length % 4)
                if pid == PR_ATTACH_LONG_FILENAME and base == PT_UNICODE:
                    return value.decode("utf-16-le", "replace").split("\x00", 1)[0]
                if pid == PR_ATTACH_LONG_FILENAME and base == PT_STRING8:
                    return _tnef_text(value, codepage)
    except struct.error:
        pass
    return ""


def _tnef_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """The attachments of an Outlook ``winmail.dat`` (TNEF, MS-OXTNEF): what Outlook sends
    to a mail program other than its own when the mail is written in RTF."""
    limits = settings.limits
    data = path.read_bytes()
    if len(data) < 6 or not data.startswith(TNEF_MAGIC):
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["tnef"])
    codepage = "gb18030"
    found: list[dict[str, Any]] = []
    at = 6
    while at + 9 <= len(data):
        level, attr, length = struct.unpack_from("<BII", data, at)
        value = data[at + 9 : at + 9 + length]
        at += 9 + length + 2
        if len(value) < length:
            raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["tnef"])
        if attr == TNEF_CODEPAGE and length >= 4:
            page = struct.unpack_from("<I", value)[0]
            codepage = "gb18030" if page == 936 else f"cp{page}"
            try:
                "".encode(codepage)
            except LookupError:
                codepage = "gb18030"
        if level != TNEF_LEVEL_ATTACHMENT:
            continue
        if attr == TNEF_ATTACH_START or not found:
            found.append({})
        if attr == TNEF_ATTACH_TITLE:
            found[-1]["title"] = _tnef_text(value, codepage)
        elif attr == TNEF_ATTACH_DATA:
            found[-1]["data"] = value
        elif attr == TNEF_ATTACH_PROPS:
            found[-1]["long"] = _tnef_long_name(value, codepage)
    if len(found) > MAX_MEMBERS:
        raise _Refused("container_too_many", str(len(found)))
    for part in found:
        name = part.get("long") or part.get("title") or ""
        name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        name = name or vocab.CONTAINER_UNNAMED.format(type="application/octet-stream")
        if "data" not in part:  # an attached mail or an object in the text, not a file
            yield name, None, ("not_excel", vocab.DETAIL_MAIL_OBJECT)
        elif len(part["data"]) > limits.max_file_bytes:
            yield name, None, ("too_large", f"{len(part['data']) / MB:.1f} MB")
        else:
            yield name, part["data"], None  # dated as the winmail.dat (its mail's date)


# the line an mbox (Thunderbird's folders and exports, mutt's, Apple Mail's 导出) starts each
# mail with: 「From 发件人 日期」 with no colon, before the mail's own header lines
_MBOX_FROM = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)


def _mbox_mails(data: bytes) -> list[bytes]:
    """The mails of an mbox, each without its From line: a From line begins one only where a
    header line follows it (a body's own 「From 」 is quoted 「>From 」, or is no mail)."""
    starts = [
        m for m in _MBOX_FROM.finditer(data) if _MAIL_HEADER.match(data[m.end() : m.end() + 998])
    ]
    return [
        data[m.end() : starts[i + 1].start() if i + 1 < len(starts) else len(data)]
        for i, m in enumerate(starts)
    ]


def _mbox_members(path: Path, settings: Settings) -> Iterator[tuple[str, bytes | None, Any]]:
    """The attachments of every mail in an mbox file, as 邮件N/附件.xlsx: one mail that cannot
    be read (or holds only a link) is told as that mail, the others read."""
    mails = _mbox_mails(path.read_bytes())
    if not mails:
        raise _Refused("mail_corrupt", vocab.ARCHIVE_NAMES["mbox"])
    if len(mails) > MAX_MEMBERS:
        raise _Refused("container_too_many", str(len(mails)))
    count = 0
    for n, raw in enumerate(mails, 1):
        folder = vocab.MBOX_MAIL.format(n=n)
        try:
            for name, data, extra in _mail_members(raw, path, settings, "eml"):
                count += 1
                if count > MAX_MEMBERS:
                    raise _Refused("container_too_many", f"> {MAX_MEMBERS}")
                yield f"{folder}/{name}", data, extra
        except _Refused as exc:
            if exc.code == "container_too_many" and count > MAX_MEMBERS:
                raise
            yield folder, None, (exc.code, exc.detail)


_MEMBERS = {
    "zip": _zip_members,
    "eml": _eml_members,
    "mbox": _mbox_members,
    "emlx": _emlx_members,
    "msg": _msg_members,
    "tnef": _tnef_members,
    "7z": _7z_members,
}


def _refused_record(rec: dict[str, Any], rel: str, code: str, detail: str) -> dict[str, Any]:
    rec["status"] = frames.FILE_STATUS_REJECTED
    rec["reason"] = code
    rec["issue"] = frames.issue(code, file=rel, detail=detail)
    return rec


def expand(
    rec: dict[str, Any],
    path: Path | str,
    settings: Settings,
    examine: Examine,
    inbox_budget: _Budget | None = None,
) -> list[dict[str, Any]]:
    """The record of a walked file followed, for a container, by the records of every file
    inside it (each examined by ``examine(rel, path)``); other files come back alone.
    ``inbox_budget`` (``inbox_budget(settings)``, one per inbox) caps what all of them unpack."""
    budget = _Budget(settings.limits.max_uncompressed_bytes, MAX_TREE_MEMBERS, inbox_budget)
    return list(_expand(rec, path, settings, examine, depth=0, budget=budget))


class _Budget:
    """What one file of the inbox may unpack, over every container inside it: each level is
    checked on its own (size, ratio, count), but nesting multiplies them (a zip of 2,000
    small zips, each inflating a megabyte of zeros, passes every check of each level). Its
    ``parent`` is the whole inbox's: 200 zips each just under one file's limit would fill the
    disk all the same."""

    def __init__(self, max_bytes: int, max_files: int, parent: _Budget | None = None) -> None:
        self.bytes_left, self.files_left = max_bytes, max_files
        self.max_bytes, self.max_files = max_bytes, max_files
        self.parent = parent
        self.exhausted = False  # once a file was refused: later containers are not opened

    def take(self, size: int) -> bool:
        """Whether one more file of ``size`` bytes may be written out (counted when so)."""
        if size > self.bytes_left or self.files_left <= 0:
            self.exhausted = True
            return False
        if self.parent is not None and not self.parent.take(size):
            return False
        self.bytes_left -= size
        self.files_left -= 1
        return True


def inbox_budget(settings: Settings) -> _Budget:
    """What all the containers of one inbox may unpack together (``limits``)."""
    return _Budget(settings.limits.max_inbox_unpacked_bytes, MAX_INBOX_MEMBERS)


def _inbox_detail(budget: _Budget) -> str:
    return vocab.DETAIL_INBOX_UNPACKED.format(mb=budget.max_bytes / MB, files=budget.max_files)


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … (before the extension, as Windows names
    copies) when a file of the container was already shown so: people all send
    「个人廉政风险自查表.xlsx」, and a mail forwarding five of them must show five files."""
    shown, n = name, 1
    folder, _, base = name.rpartition("/")
    stem, dot, ext = base.rpartition(".") if "." in base.lstrip(".") else (base, "", "")
    while shown.casefold() in used:
        n += 1
        shown = f"{folder + '/' if folder else ''}{stem} ({n}){dot}{ext}"
    used.add(shown.casefold())
    return shown


def _budget_detail(budget: _Budget) -> str:
    return vocab.DETAIL_CONTAINER_TREE.format(mb=budget.max_bytes / MB, files=MAX_TREE_MEMBERS)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(4096)
    except OSError:
        return b""


def _linked(rec: dict[str, Any], path: Path, walked: str) -> dict[str, Any]:
    """The record of a link (inside the inbox) to a container of the inbox: a duplicate of
    it (the container is opened where it lies), as a link to a form is. Before, it was
    「这不是 Excel 表格文件（压缩包）」 while the files of its container were read."""
    target = Path(os.path.realpath(path))
    root = path
    for _part in walked.split("/"):
        root = root.parent
    try:
        inside = target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return rec
    if kind_of(target, _head(target)) is None:
        return rec
    rec["status"], rec["reason"] = frames.FILE_STATUS_SUPERSEDED, "duplicate_file"
    rec["issue"] = frames.issue("duplicate_file", file=rec["file"], detail=shown_path(inside))
    return rec


# volumes of a split archive: 7-Zip's and WinRAR's 材料.zip.001 (the archive's bytes cut in
# pieces), WinZip's and Info-ZIP's 材料.z01 … 材料.zip
# (7-Zip cuts any file so: 张三自查表.xlsx.001 is a workbook's first piece)
_SPLIT_NAME = re.compile(r"[^/.]\.[^/.]+\.(\d{3})$|\.z(\d{2})$", re.IGNORECASE)
# 7-Zip's byte splits, joined into the file they were cut from
_BYTE_SPLIT = re.compile(r"^(.*[^.]\.[^.]+)\.(\d{3})$", re.IGNORECASE)
_SPANNED_PART = re.compile(r"^(.+)\.z(\d{2})$", re.IGNORECASE)
_END_OF_ZIP = struct.Struct("<4sH")  # the end of central directory record: its disk number
_EOCD = struct.Struct("<4sHHHHIIH")  # the whole fixed part of the end record
_CENTRAL_ENTRY = struct.Struct("<4sHHHHHHIIIHHHHHII")  # a central directory entry's fixed part
MAX_VOLUMES = 999


def _split_volume(path: Path) -> str | None:
    """Which volume of a split archive ``path`` is (「第 2 卷」), or None when it is none. The
    last volume of a WinZip split (材料.zip) is told by its end record's disk number."""
    match = _SPLIT_NAME.search(path.name)
    if match:
        return vocab.SPLIT_VOLUME.format(n=int(match[1] or match[2]))
    return vocab.SPLIT_LAST_VOLUME if _zip_disk(path) else None


def _zip_disk(path: Path) -> int:
    """The disk number in the end record of a .zip (0 for a whole zip or none)."""
    if path.suffix.lower() != ".zip":
        return 0
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 65557))
            tail = fh.read()
    except OSError:
        return 0
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + _END_OF_ZIP.size > len(tail):
        return 0
    return int(_END_OF_ZIP.unpack_from(tail, end)[1])


class _Volumes:
    """The volumes of one split archive lying in one folder, as any of them finds them: the
    name it is read as (材料.zip), the volume that opens it (the first of 7-Zip's, the .zip
    of WinZip's), every volume in order, and the numbers of the ones missing."""

    def __init__(self, name: str, owner: Path, parts: list[Path], missing: list[str]) -> None:
        self.name, self.owner, self.parts, self.missing = name, owner, parts, missing
        self.spanned = owner.suffix.lower() == ".zip"  # WinZip's: offsets per volume


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)  # a link is never followed to a volume
    except OSError:
        return False


def _siblings(folder: Path) -> dict[str, Path]:
    try:
        return {p.name.casefold(): p for p in folder.iterdir()}
    except OSError:
        return {}


def _volumes(path: Path) -> _Volumes | None:
    """The split archive ``path`` is a volume of (None: it is none that can be joined, or
    one of its volumes is a link, never followed)."""
    found = _volumes_named(path)
    if found is not None and not all(_regular(part) for part in found.parts):
        return None
    return found


def _volumes_named(path: Path) -> _Volumes | None:
    byte = _BYTE_SPLIT.match(path.name)
    if byte:
        base, here = byte[1], byte[2]
        found = _siblings(path.parent)
        numbers = [
            int(m[2])
            for key in found
            if (m := _BYTE_SPLIT.match(key)) and m[1] == base.casefold() and len(m[2]) == len(here)
        ]
        last = max(numbers, default=0)
        if not 0 < last <= MAX_VOLUMES:
            return None
        parts, missing = _present(found, [f"{base}.{n:0{len(here)}d}" for n in range(1, last + 1)])
        owner = parts[0] if not missing else path
        return _Volumes(base, owner, parts, missing)
    spanned = _SPANNED_PART.match(path.name)
    if spanned is None and _zip_disk(path) == 0:
        return None
    base = spanned[1] if spanned else path.name[: -len(path.suffix)]
    found = _siblings(path.parent)
    last = found.get(f"{base}.zip".casefold())
    if last is None:  # the last volume (the .zip) is what says how many there are
        return _Volumes(f"{base}.zip", path, [], [f"{base}.zip"])
    disks = _zip_disk(last)
    if not 0 < disks <= MAX_VOLUMES:
        return None
    parts, missing = _present(found, [f"{base}.z{n:02d}" for n in range(1, disks + 1)])
    return _Volumes(last.name, last, [*parts, last], missing)


def _present(found: dict[str, Path], names: list[str]) -> tuple[list[Path], list[str]]:
    """Of the volumes ``names`` (in order), those lying in the folder (``found``: casefolded
    name -> path) and the names of those missing."""
    parts: list[Path] = []
    missing: list[str] = []
    for name in names:
        part = found.get(name.casefold())
        if part is None:
            missing.append(name)
        else:
            parts.append(part)
    return parts, missing


def _unspan(volumes: list[bytes]) -> bytes | None:
    """WinZip's volumes as one zip: joined, each central directory entry's offset (counted
    from the start of its own volume) made one from the start of the whole; None when the
    directory is not one this reads (zip64, or damaged)."""
    starts = [0]
    for data in volumes:
        starts.append(starts[-1] + len(data))
    whole = bytearray(b"".join(volumes))
    end = whole.rfind(b"PK\x05\x06")
    if end < 0 or end + _EOCD.size > len(whole):
        return None
    sig, _disk, cd_disk, _here, entries, cd_size, cd_offset, comment = _EOCD.unpack_from(whole, end)
    if cd_disk >= len(volumes) or 0xFFFF in (entries,) or 0xFFFFFFFF in (cd_size, cd_offset):
        return None
    at = starts[cd_disk] + cd_offset
    for _ in range(entries):
        if at + _CENTRAL_ENTRY.size > end or whole[at : at + 4] != b"PK\x01\x02":
            return None
        fields = list(_CENTRAL_ENTRY.unpack_from(whole, at))
        disk, offset = fields[13], fields[16]
        if disk >= len(volumes) or offset == 0xFFFFFFFF:
            return None
        fields[13], fields[16] = 0, starts[disk] + offset
        _CENTRAL_ENTRY.pack_into(whole, at, *fields)
        at += _CENTRAL_ENTRY.size + fields[10] + fields[11] + fields[12]
    _EOCD.pack_into(
        whole, end, sig, 0, 0, entries, entries, cd_size, starts[cd_disk] + cd_offset, comment
    )
    return bytes(whole)


# what a file named so holds: many files (its kind for the message), not one workbook
_PARCEL_EXTS = {
    ".zip": "zip",
    ".7z": "7z",
    ".rar": "rar",
    ".eml": "eml",
    ".emlx": "emlx",
    ".msg": "msg",
    ".mbox": "mbox",
}


def parcel_name(name: str) -> str | None:
    """What a file of this name holds when it is an archive or a mail (「ZIP 压缩包」, a split
    archive's volume too), else None: told when it is too large to open."""
    if _SPLIT_NAME.search(name):
        return vocab.SPLIT_ARCHIVE
    dot = name.rfind(".")
    kind = _PARCEL_EXTS.get(name[dot:].lower()) if dot > 0 else None
    return vocab.ARCHIVE_NAMES[kind] if kind else None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _joined(found: _Volumes, budget: _Budget) -> Path:
    """The volumes of ``found`` joined into one archive in the private folder (7-Zip's cut
    bytes put back together; WinZip's with their offsets made whole)."""
    try:
        volumes = [part.read_bytes() for part in found.parts]
    except OSError as exc:
        raise _Refused("cannot_open") from exc
    data = _unspan(volumes) if found.spanned else b"".join(volumes)
    if data is None:
        raise _Refused("container_corrupt", vocab.ARCHIVE_NAMES["zip"])
    if not budget.take(len(data)):
        raise _Refused("zip_bomb", _budget_detail(budget))
    try:
        where = _Scratch.place(found.name)
        where.write_bytes(data)
    except OSError as exc:
        raise _Refused("scratch_failed") from exc
    return where


def _joined_record(
    rec: dict[str, Any], found: _Volumes, where: Path, examine: Examine
) -> dict[str, Any]:
    """The record of the file 7-Zip's volumes join into, examined as a file of the inbox:
    named as it was before it was cut (材料.zip, 张三自查表.xlsx) beside its volumes, or under
    the first volume when a file of that name lies there too."""
    folder, _, _ = rec["file"].rpartition("/")
    taken = (found.owner.parent / found.name).exists()
    rel = f"{rec['file']}/{found.name}" if taken else f"{folder}/{found.name}".lstrip("/")
    inner = examine(rel, where)
    inner["container"] = rec["file"]
    inner["source_path"] = str(where)
    inner["mtime"] = rec.get("mtime", float("nan"))
    return inner


def _expand(
    rec: dict[str, Any],
    path: Path | str,
    settings: Settings,
    examine: Examine,
    depth: int,
    budget: _Budget,
) -> Iterator[dict[str, Any]]:
    walked = rec["file"]  # as the inbox has it (the name below may be shown decoded)
    if depth == 0:
        shown = shown_path(rec["file"])
        if shown != rec["file"]:  # a name mangled by unzipping elsewhere: shown decoded
            rec["file"], rec["source_path"] = shown, str(path)
            if "issue" in rec:
                rec["issue"]["file"] = shown
    reason = rec.get("reason")
    reason = reason if isinstance(reason, str) else ""
    # a piece of a file 7-Zip cut may pass for a workbook (the first of 张三.xls.001, .002)
    # or a damaged one: every piece of one is a volume, not a form
    pieces = None
    if (
        depth == 0
        and reason in ("", "not_excel", "corrupt")
        and not rec.get("_link")
        and _BYTE_SPLIT.match(os.path.basename(path))
    ):
        pieces = _volumes(Path(path))
        if pieces is not None and len(pieces.parts) < 2 and not pieces.missing:
            pieces = None  # the only piece: the whole file, read as what it is
    if reason != "not_excel" and pieces is None:
        yield rec
        return
    if rec.get("_link"):  # a link to a file of the inbox: never opened twice
        yield _linked(rec, Path(path), walked)
        return
    path = Path(path)
    try:  # only a regular file can be a container (a FIFO would block the read)
        regular = stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        regular = False
    kind = kind_of(path, _head(path)) if regular else None
    volume = _split_volume(path) if regular else None
    # a volume of a split archive has no whole container to open, unless it is the only one
    # (7-Zip names a split archive that fits one volume 材料.zip.001: a whole zip)
    rel = rec["file"]
    if pieces is not None or (
        volume is not None and not (kind == "zip" and path.suffix.lower() != ".zip")
    ):
        # every volume in one folder of the inbox: joined and read as the file they are
        found = pieces or (_volumes(path) if depth == 0 else None)
        volume = volume or vocab.SPLIT_VOLUME.format(n=1)
        if found is None:
            yield _refused_record(rec, rel, "archive_split", volume)
            return
        if found.missing:
            missing = "、".join(f"「{name}」" for name in found.missing)
            detail = vocab.SPLIT_MISSING.format(volume=volume, missing=missing)
            yield _refused_record(rec, rel, "archive_split_missing", detail)
            return
        total = sum(_size(part) for part in found.parts)
        if total > settings.limits.max_file_bytes:
            detail = vocab.SPLIT_TOO_LARGE.format(
                mb=total / MB, limit=settings.limits.max_file_bytes / MB
            )
            yield _refused_record(rec, rel, "too_large_container", detail)
            return
        rec.pop("issue", None)
        rec["status"], rec["reason"], rec["kind"] = STATUS_OPENED, pd.NA, pd.NA
        if path != found.owner:  # read with the volume that opens them
            yield rec
            return
        try:
            path = _joined(found, budget)
        except _Refused as exc:
            yield _refused_record(rec, rel, exc.code, exc.detail)
            return
        if not found.spanned:  # the file 7-Zip cut (an archive or any file): one file inside
            yield rec
            yield from _expand(
                _joined_record(rec, found, path, examine),
                path,
                settings,
                examine,
                depth + 1,
                budget,
            )
            return
        kind = kind_of(path, _head(path))
    if kind is None:
        yield rec
        return
    rec.pop("issue", None)
    rec["status"], rec["reason"] = pd.NA, pd.NA
    if kind == "rar":  # needs an unrar program (rarfile): reported
        yield _refused_record(rec, rel, "archive_unsupported", vocab.ARCHIVE_NAMES[kind])
        return
    if depth >= MAX_DEPTH:
        yield _refused_record(rec, rel, "container_too_deep", str(MAX_DEPTH))
        return
    inbox = budget.parent
    if inbox is not None and inbox.exhausted:  # the inbox's containers unpacked enough
        yield _refused_record(rec, rel, "inbox_unpack_limit", _inbox_detail(inbox))
        return
    members: list[dict[str, Any]] = []
    try:
        source = _MEMBERS[kind](path, settings)
        used: set[str] = set()
        for found, data, extra in source:
            name = _unique(member_name(found), used)
            inner_rel = f"{rel}/{name}"
            if data is not None and not budget.take(len(data)):
                if inbox is not None and inbox.exhausted:
                    data, extra = None, ("inbox_unpack_limit", _inbox_detail(inbox))
                else:
                    data, extra = None, ("zip_bomb", _budget_detail(budget))
            if data is None:
                code, detail = extra
                inner = {
                    "file": inner_rel,
                    "size": 0,
                    "mtime": float("nan"),
                    "ext": Path(name).suffix.lower(),
                }
                _refused_record(inner, inner_rel, code, detail)
                inner["container"] = rel
                members.append(inner)
                continue
            try:
                where = _Scratch.place(name)
                where.write_bytes(data)
            except OSError as exc:  # the temporary folder's disk is full, or no longer there
                log.warning("container member %s not written out: %s", inner_rel, exc)
                inner = {"file": inner_rel, "size": len(data), "mtime": float("nan")}
                inner["ext"] = Path(name).suffix.lower()
                _refused_record(inner, inner_rel, "scratch_failed", "")
                inner["container"] = rel
                members.append(inner)
                continue
            inner = examine(inner_rel, where)
            inner["container"] = rel
            inner["source_path"] = str(where)
            if isinstance(extra, float):
                inner["mtime"] = extra
            elif extra is None:  # no date of its own: the container's
                inner["mtime"] = rec.get("mtime", float("nan"))
            members.append(inner)
    except _Refused as exc:
        yield _refused_record(rec, rel, exc.code, exc.detail)
        return
    if not members:
        yield _refused_record(rec, rel, "container_empty", vocab.ARCHIVE_NAMES[kind])
        return
    rec["status"] = STATUS_OPENED
    rec["kind"] = pd.NA
    yield rec
    for inner in members:
        inner_path = Path(inner["source_path"]) if inner.get("source_path") else None
        if inner_path is None:
            yield inner
            continue
        yield from _expand(inner, inner_path, settings, examine, depth + 1, budget)


def settle(files: pd.DataFrame) -> pd.DataFrame:
    """Opened containers become ``read`` (call once the stages that read files are done)."""
    if "status" not in files:
        return files
    opened = files["status"].eq(STATUS_OPENED).fillna(False).astype(bool)
    if opened.any():
        files = files.copy()
        files.loc[opened, "status"] = frames.FILE_STATUS_READ
    return files


def source_of(inbox: Path, rec: Any) -> Path:
    """Where a file's bytes are: its copy in the private folder for a file inside a container
    (or under a decoded name), else the inbox."""
    source = getattr(rec, "source_path", None)
    if isinstance(source, str) and source:
        return Path(source)
    return inbox / rec.file


def root_of(inbox: Path, rec: Any) -> Path:
    """The folder a file's bytes must lie in (``source_of``'s, links resolved): this run's
    private folder for a file taken out of a container, else the inbox."""
    container = getattr(rec, "container", None)
    if _Scratch.root is not None and isinstance(container, str) and container:
        return _Scratch.root
    return inbox


def counts(files: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """(the files under INBOX itself, the counts of the files inside containers)."""
    inside = files["container"].notna() if "container" in files else pd.Series(False)
    if not inside.any():
        return files, {"total": 0, "read": 0, "rejected": 0, "superseded": 0}
    status = files.loc[inside, "status"].value_counts()
    contained = {
        "total": int(inside.sum()),
        "read": int(status.get(frames.FILE_STATUS_READ, 0)),
        "rejected": int(status.get(frames.FILE_STATUS_REJECTED, 0)),
        "superseded": int(status.get(frames.FILE_STATUS_SUPERSEDED, 0)),
    }
    return files.loc[~inside], contained
