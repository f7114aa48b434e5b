"""Outlook ``.msg`` files for the container tests, written as Outlook writes them: an OLE
compound file (MS-CFB, version 3) holding the message's property streams (MS-OXMSG), each
attachment in its own ``__attach_version1.0_#…`` storage, an attached mail as a storage of its
own. Only what a reader of attachments looks at is written."""

from __future__ import annotations

import itertools
import struct
from datetime import UTC, datetime
from pathlib import Path

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5

Tree = dict[str, "bytes | Tree"]


def compound_file(tree: Tree) -> bytes:
    """A compound file of ``tree``: name -> bytes (a stream) or a dict (a storage)."""
    entries: list[dict] = [{"name": "Root Entry", "type": ROOT, "kids": []}]

    def add(name: str, node: bytes | Tree) -> int:
        index = len(entries)
        entry: dict = {"name": name}
        entries.append(entry)
        if isinstance(node, dict):
            entry["type"], entry["kids"] = STORAGE, [add(k, v) for k, v in node.items()]
        else:
            entry["type"], entry["data"] = STREAM, node
        return index

    entries[0]["kids"] = [add(k, v) for k, v in tree.items()]
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[tuple[int, bytes]] = []  # (entry, data) stored in sectors of their own
    for i, entry in enumerate(entries):
        data = entry.get("data")
        if data is None or not data:
            continue
        if len(data) < MINI_CUTOFF:
            first = len(mini) // MINI_SECTOR
            n = -(-len(data) // MINI_SECTOR)
            entry["start"] = first
            mini_fat += [first + k + 1 for k in range(n - 1)] + [END]
            mini += data + b"\x00" * (n * MINI_SECTOR - len(data))
        else:
            big.append((i, data))
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes, marker: int | None = None) -> int:
        first = len(sectors)
        n = max(1, -(-len(data) // SECTOR))
        for k in range(n):
            sectors.append(data[k * SECTOR : (k + 1) * SECTOR].ljust(SECTOR, b"\x00"))
            fat.append(marker if marker is not None else (first + k + 1 if k < n - 1 else END))
        return first

    for i, data in big:
        entries[i]["start"] = place(data)
    root_start = place(bytes(mini)) if mini else END
    mini_fat_start = place(struct.pack(f"<{len(mini_fat)}I", *mini_fat)) if mini_fat else END
    n_mini_fat = -(-len(mini_fat) * 4 // SECTOR) if mini_fat else 0
    directory = b"".join(_entry(e, entries, root_start, len(mini)) for e in entries)
    while len(directory) % SECTOR:
        directory += _entry({"name": "", "type": 0}, entries, 0, 0)
    dir_start = place(directory)
    n_fat = 1
    while n_fat * SECTOR // 4 < len(sectors) + n_fat:
        n_fat += 1
    fat_ids = list(range(len(sectors), len(sectors) + n_fat))
    fat += [FAT_SECTOR] * n_fat
    fat += [FREE] * (n_fat * SECTOR // 4 - len(fat))
    assert n_fat <= 109  # the header's own list of FAT sectors suffices
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\x00" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        n_fat,
        dir_start,
        0,
        MINI_CUTOFF,
        mini_fat_start,
        n_mini_fat,
        END,
        0,
    )
    difat = fat_ids + [FREE] * (109 - n_fat)
    header += struct.pack("<109I", *difat)
    assert len(header) == SECTOR
    return header + b"".join(sectors) + fat_bytes


def _entry(entry: dict, entries: list[dict], root_start: int, mini_size: int) -> bytes:
    name = entry["name"].encode("utf-16-le")
    kind = entry["type"]
    left = right = child = NO_STREAM
    kids = entry.get("kids") or []
    if kids:
        child = kids[0]
        for a, b in itertools.pairwise(kids):
            entries[a]["right"] = b
    right = entry.get("right", NO_STREAM)
    if kind == ROOT:
        start, size = root_start, mini_size
    elif kind == STREAM:
        data = entry["data"]
        start, size = (entry.get("start", END), len(data)) if data else (END, 0)
    else:
        start, size = 0, 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name + b"\x00\x00" if kind else b"",
        len(name) + 2 if kind else 0,
        kind,
        1,
        left,
        right,
        child,
        b"\x00" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def _filetime(when: datetime) -> int:
    return int((when.timestamp() + 11644473600) * 10_000_000)


def _properties(header: bytes, times: dict[int, datetime] | None = None) -> bytes:
    out = header
    for tag, when in (times or {}).items():
        out += struct.pack("<IIQ", tag, 6, _filetime(when))
    return out


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def message(
    attachments: list[tuple[str, bytes] | Tree],
    subject: str = "自查表",
    sent: datetime | None = None,
    top: bool = True,
) -> Tree:
    """A message's storage tree; an attachment is (long file name, bytes) or the tree of an
    attached mail (``message(..., top=False)``)."""
    times = {0x00390040: sent} if sent else {}
    head = b"\x00" * (32 if top else 24)
    tree: Tree = {
        "__properties_version1.0": _properties(head, times),
        "__substg1.0_0037001F": _text(subject),
        "__substg1.0_1000001F": _text("请查收附件。"),
    }
    for i, attachment in enumerate(attachments):
        storage: Tree = {"__properties_version1.0": b"\x00" * 8}
        if isinstance(attachment, dict):
            storage["__substg1.0_3701000D"] = attachment
        else:
            name, data = attachment
            storage["__substg1.0_3707001F"] = _text(name)
            storage["__substg1.0_3704001F"] = _text(name[:8])
            storage["__substg1.0_37010102"] = data
        tree[f"__attach_version1.0_#{i:08X}"] = storage
    return tree


def write_msg(path: Path, attachments: list[tuple[str, bytes] | Tree], **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(compound_file(message(attachments, **kw)))
    return path


SENT = datetime(2026, 3, 20, 1, 30, tzinfo=UTC)


# --------------------------------------------------------------------------------------
# winmail.dat (TNEF, MS-OXTNEF): what Outlook sends to other mail programs for an RTF mail
# --------------------------------------------------------------------------------------
def _tnef_attribute(level: int, attr: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", checksum)


def _mapi_unicode(prop_id: int, text: str) -> bytes:
    """One PT_UNICODE MAPI property as an attAttachment holds it (value padded to 4)."""
    value = text.encode("utf-16-le") + b"\x00\x00"
    return (
        struct.pack("<HHII", 0x001F, prop_id, 1, len(value)) + value + b"\x00" * (-len(value) % 4)
    )


def winmail_dat(attachments: list[tuple[str, str, bytes]], codepage: int = 936) -> bytes:
    """A TNEF stream: (short title in the OEM code page, long file name, bytes) per
    attachment; an empty long name leaves the MAPI properties out (older Outlook)."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _tnef_attribute(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _tnef_attribute(1, 0x00069007, struct.pack("<II", codepage, 0))  # attOemCodepage
    out += _tnef_attribute(1, 0x00018004, "自查表".encode("gbk") + b"\x00")  # attSubject
    for title, long_name, data in attachments:
        out += _tnef_attribute(2, 0x00069002, b"\x01\x00" + b"\xff" * 4 + b"\x00" * 8)
        out += _tnef_attribute(2, 0x00018010, title.encode("gbk") + b"\x00")
        out += _tnef_attribute(2, 0x0006800F, data)
        if long_name:
            props = struct.pack("<I", 2) + struct.pack("<HHI", 0x0003, 0x0E21, 7)  # PR_ATTACH_NUM
            props += _mapi_unicode(0x3707, long_name)
            out += _tnef_attribute(2, 0x00069005, props)
    return out
