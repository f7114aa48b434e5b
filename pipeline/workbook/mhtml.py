"""Web archives (MHTML): Excel's 「单个文件网页」 (.mht, .mhtml) and report systems' "xls"
exports that are one. Excel opens them as a workbook; they are a MIME message whose parts are
the pages: one page holding the sheet's table, or (a workbook of several sheets) a frame page
naming each sheet and the part that holds it.

Only the pages are taken out here (stdlib ``email``, no entity expansion, no decompression:
a part decodes to at most its own size); ``html`` reads their tables."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from urllib.parse import unquote

_HEADER_BLOCK = re.compile(rb"\A(?:[\w-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+")
_TO_HEADER = re.compile(rb"^to:", re.IGNORECASE | re.MULTILINE)
# Excel's frame page: <x:ExcelWorksheet><x:Name>名称</x:Name><x:WorksheetSource HRef="…"/>
_WORKSHEET = re.compile(
    r"<x:ExcelWorksheet>.*?<x:Name>(.*?)</x:Name>.*?<x:WorksheetSource\s+HRef=\"([^\"]*)\"",
    re.IGNORECASE | re.DOTALL,
)


def looks_web_archive(head: bytes) -> bool:
    """Whether a file's first bytes are a web archive's MIME headers: a multipart/related
    message that is no mail (Excel writes ``X-Document-Type: Workbook``; a mail has a To)."""
    block = _HEADER_BLOCK.match(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if block is None:
        return False
    headers = block.group(0).lower()
    if b"multipart/related" not in headers:
        return False
    return b"x-document-type:" in headers or _TO_HEADER.search(headers) is None


_MAIL_FIELD = re.compile(rb"^(?:from|subject|to|date):", re.IGNORECASE | re.MULTILINE)


def looks_saved_mail(head: bytes) -> bool:
    """Whether a file's first bytes are a mail's headers over a web page (multipart/related,
    or the page itself): Outlook's 「另存为 MHT」 of a mail, which keeps the mail's text and
    pictures but not its attachments. Excel's web archives carry no From or Subject."""
    block = _HEADER_BLOCK.match(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if block is None:
        return False
    headers = block.group(0).lower()
    fields = {m.group(0).lower() for m in _MAIL_FIELD.finditer(headers)}
    related = b"multipart/related" in headers or b"text/html" in headers
    # a browser's saved page (「From: <Saved by Blink>」, Internet Explorer's) is no mail
    page = b"x-document-type:" in headers or b"saved by" in headers
    return related and not page and len(fields) >= 2


def _location(part: EmailMessage) -> str:
    where = unquote(str(part.get("Content-Location", "") or "")).replace("\\", "/")
    return where.lower()


def _text(page: bytes) -> str:
    """A page's text: UTF-8, else GB 18030 (Chinese Excel writes its pages in gb2312)."""
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError:
        return page.decode("gb18030", "replace")


def web_archive_pages(data: bytes) -> list[tuple[str | None, bytes]]:
    """(sheet name or None, page bytes) of a web archive's sheets in order: the parts its
    frame page names when it names any, else every HTML page it holds; [] when it holds none
    (or is not a MIME message)."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:  # noqa: BLE001 - the email parser raises many kinds on bad input
        return []
    pages: list[tuple[str, bytes]] = []
    for part in msg.walk():
        if not isinstance(part, EmailMessage) or part.get_content_type() != "text/html":
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - a broken transfer encoding: no page
            payload = None
        if isinstance(payload, bytes):
            pages.append((_location(part), payload))
    if not pages:
        return []
    frame = _text(pages[0][1])
    named = [
        (name.strip(), unquote(href).replace("\\", "/").lower())
        for name, href in _WORKSHEET.findall(frame)
    ]
    sheets: list[tuple[str | None, bytes]] = []
    for name, href in named:
        tail = href.removeprefix("cid:").lstrip("./")
        page = next((p for where, p in pages[1:] if where and where.endswith(tail)), None)
        if page is not None:
            sheets.append((name or None, page))
    return sheets or [(None, page) for _where, page in pages]
