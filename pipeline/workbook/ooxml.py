"""The fallback grid reader for OOXML packages python-calamine refuses though Excel opens
them (macro or dialog sheets, an odd dimension or shared-string table): openpyxl, values
only."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from pipeline.limits import Limits
from pipeline.workbook.formulas import formulas_into
from pipeline.workbook.grid import Book, Grid, Merge
from pipeline.workbook.guard import Opened, check_sheets


def load(path: str, opened: Opened, limits: Limits) -> Book:
    import warnings

    import openpyxl

    data = opened.data
    check_sheets(opened, limits)  # openpyxl parses every sheet at once: all checked first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it skips
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    sheets = {ws.title: ws for ws in wb.worksheets}
    hidden = {t for t, ws in sheets.items() if ws.sheet_state != "visible"}

    def load_sheet(name: str) -> tuple[Grid, list[Merge]]:
        ws = sheets[name]
        # the pre-scan refused any value beyond the limits: formatting alone may reach further
        n_rows, n_cols = min(ws.max_row, limits.max_rows), min(ws.max_column, limits.max_columns)
        grid = [
            list(row)
            for row in ws.iter_rows(
                min_row=1, max_row=n_rows, min_col=1, max_col=n_cols, values_only=True
            )
        ]
        formulas_into(grid, data, opened, name, limits)
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ]
        return grid, merges

    visible = [t for t in sheets if t not in hidden]
    return visible + [t for t in sheets if t in hidden], load_sheet, hidden


# Strict OOXML is the same package under other namespace and relationship-type names;
# openpyxl reads none of its sheets. Renamed back, it is the transitional package Excel also
# writes, and its copy keeps the original's look.
_STRICT = re.compile(
    rb"http://purl\.oclc\.org/ooxml/(officeDocument|spreadsheetml|drawingml)/(\w+)(/\w+)?"
)
_STRICT_OFFICE_DOCUMENT = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_TRANSITIONAL_NAMES = {
    b"extendedProperties": b"extended-properties",
    b"customProperties": b"custom-properties",
}
_XML_MEMBERS = (".xml", ".rels", ".vml")


def _transitional_name(m: re.Match[bytes]) -> bytes:
    name = _TRANSITIONAL_NAMES.get(m[2], m[2])
    tail = b"/" + _TRANSITIONAL_NAMES.get(m[3][1:], m[3][1:]) if m[3] else b""
    return b"http://schemas.openxmlformats.org/%s/2006/%s%s" % (m[1], name, tail)


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_TARGET = re.compile(rb"""\bTarget\s*=\s*(["'])(.*?)\1""")
_PART_NAME = re.compile(rb"""(\bPartName\s*=\s*["']/?)([^"']*)""")


def _rels_owner(rels: str) -> str | None:
    """The part a relationships member belongs to (``xl/_rels/workbook.xml.rels`` ->
    ``xl/workbook.xml``; ``_rels/.rels`` -> '' for the package)."""
    folder, name = posixpath.split(rels)
    if posixpath.basename(folder) != "_rels" or not name.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


def _target_part(owner: str, target: str) -> str:
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


def _case_fixed(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The relationships members whose targets name a member in another case, rewritten to
    name it as spelled: part names are compared without case (ECMA-376 Part 2), so Excel opens
    a package whose rels name ``worksheets/sheet1.xml`` for ``worksheets/Sheet1.xml`` (a
    package re-zipped on a Mac, hand-made writers); openpyxl finds no sheet in it."""
    by_folded: dict[str, list[str]] = {}
    for name in parts:
        by_folded.setdefault(name.lower(), []).append(name)
    fixed: dict[str, bytes] = {}
    for rels, xml in parts.items():
        owner = _rels_owner(rels)
        if owner is None:
            continue

        def spelled(tag: re.Match[bytes], owner: str = owner) -> bytes:
            target = _TARGET.search(tag[0])
            if target is None or b"External" in tag[0]:
                return tag[0]
            text = target[2].decode("utf-8", "replace")
            part = _target_part(owner, text)
            found = by_folded.get(part.lower(), [])
            if part in parts or len(found) != 1:
                return tag[0]
            name = found[0]
            new = (
                "/" + name
                if text.startswith("/")
                else posixpath.relpath(name, posixpath.dirname(owner) or ".")
            )
            start, end = target.span(2)  # within the tag
            return tag[0][:start] + new.encode("utf-8") + tag[0][end:]

        text = _RELATIONSHIP.sub(spelled, xml)
        if text != xml:
            fixed[rels] = text
    return fixed


def plain_package(data: bytes, max_uncompressed: int) -> bytes | None:
    """The package as openpyxl and the patcher read it: a Strict OOXML package (Excel's
    「Strict Open XML 电子表格」) under its transitional names (namespaces and relationship
    types renamed, ``conformance`` dropped); relationships and content types naming a member
    in another case than it is spelled rewritten to its spelling.
    None when nothing needs it, or the package inflates beyond ``max_uncompressed``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            infos = zin.infolist()
            if sum(i.file_size for i in infos) > max_uncompressed:
                return None
            # the relationships tell (a copy costs a few ms: the rest is read only if needed)
            parts = {i.filename: b"" for i in infos}
            parts.update({n: zin.read(n) for n in parts if n.lower().endswith(".rels")})
            strict = _STRICT_OFFICE_DOCUMENT in parts.get("_rels/.rels", b"")
            if not strict and not _case_fixed(parts):
                return None
            parts = {i.filename: zin.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError, RuntimeError):
        return None  # the reader read it: the caller rebuilds the copy from its values
    if strict:
        for name, part in parts.items():
            if name.lower().endswith(_XML_MEMBERS):
                part = _STRICT.sub(_transitional_name, part)
                parts[name] = part.replace(b' conformance="strict"', b"", 1)
    fixed = _case_fixed(parts)
    if not strict and not fixed:
        return None
    if fixed and "[Content_Types].xml" in parts:  # its part names as the members spell them
        spelled = {name.lower(): name for name in parts}

        def part_name(m: re.Match[bytes]) -> bytes:
            name = m[2].decode("utf-8", "replace")
            return m[1] + spelled.get(name.lower(), name).encode("utf-8")

        parts["[Content_Types].xml"] = _PART_NAME.sub(part_name, parts["[Content_Types].xml"])
    parts.update(fixed)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, part in parts.items():
            zout.writestr(name, part)
    return out.getvalue()
