"""Annotated copies of submitted files: each bad cell filled and commented with what is wrong
and how to fix it, saved as ``<原文件名>_批注.xlsx`` in the section's feedback folder.

An .xlsx/.xlsm original is opened itself (values only, no live formula or link); an .xls, .ods,
.xlsb or text table is rebuilt as a new workbook holding its values at the same cells. Originals
are only ever read; copies are saved atomically.
"""

from __future__ import annotations

import bisect
import copy
import datetime
import hashlib
import io
import logging
import math
import os
import re
import stat
import warnings
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import styles, vocab, xlsx
from pipeline.annotate_copies import (  # noqa: F401 - the tasks and names, as before
    DEFAULT_MAX_FILE_BYTES,
    FILL_NOTE,
    FILL_REJECT,
    MAX_NAME_CHARS,
    AnnotateTask,
    Annotation,
    copy_name,
    reuse_key,
    reuse_previous,
    safe_name,
)
from pipeline.annotate_patch import (
    DATE_WIDTH,
    DEFAULT_WIDTH,
    DROPDOWN_SPARE_ROWS,
    dropdown_message,
    dropdown_plan,
    footer_size,
    inert_name,
    page_plan,
    patch_copy,
    title_rows,
)
from pipeline.discover import text_table
from pipeline.limits import Limits
from pipeline.workbook import ods, ooxml, xlsb
from pipeline.workbook.biff import without_default_password
from pipeline.workbook.cells import A1_START
from pipeline.workbook.guard import Refused
from pipeline.workbook.html import page_sheets
from pipeline.workbook.mhtml import looks_web_archive
from pipeline.workbook.sniff import has_table, looks_html, looks_spreadsheet_ml, other_spreadsheet
from pipeline.workbook.xml2003 import load_xml2003

log = logging.getLogger("pipeline.annotate")

# --------------------------------------------------------------------------------------
# Colours and limits (not user text)
# --------------------------------------------------------------------------------------
OUR_FILLS = frozenset({FILL_REJECT, FILL_NOTE})
CALAMINE_EXTS = frozenset({".xls", ".ods", ".xlsb"})
CSV_EXTS = frozenset({".csv"})
PATCH_EXTS = frozenset({".xlsx"})  # patched in place when plain (annotate_patch), else openpyxl
MAX_COMMENT_CHARS = 8000
TEXT_SNIFF_BYTES = 4096  # how much of a file tells a text table
COMMENT_WIDTH = 280  # points
COMMENT_CHARS_PER_LINE = 44  # display columns of 9pt text in a comment box that wide
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


# --------------------------------------------------------------------------------------
# Writing one copy
# --------------------------------------------------------------------------------------
def annotate_copy(task: AnnotateTask) -> str | None:
    """Write one annotated copy; None when the original cannot be read or opened (it stays
    listed in the feedback workbook's 异常清单)."""
    if reuse_previous(task):
        return task.target
    try:
        data = read_source(task)
        if data is None:
            return None
        digest = hashlib.sha256(data).hexdigest()
        if task.sha256 and digest != task.sha256:
            log.warning("no annotated copy of %s: changed since it was read", task.source)
            return None
        # a protected workbook Excel encrypted with its own password: its decrypted cells
        data = without_default_password(data) or data
        if task.ext not in CALAMINE_EXTS | CSV_EXTS:  # Strict OOXML, part names in another case
            data = ooxml.plain_package(data, task.max_uncompressed) or data
        if task.ext in PATCH_EXTS:
            patched = patch_copy(data, task, digest)
            if patched is not None:
                with xlsx.atomic_path(Path(task.target)) as tmp:
                    tmp.write_bytes(patched)
                return task.target
        wb = _open_copy(data, task)
        if wb is None or not _keep_sheets(wb, task, data):
            return None
        if _source_marker(wb):  # a copy we wrote, sent back: last round's marks go first
            _clear_marks(wb)
        _plain_threads(wb, data)
        links = _neutralise(wb)
        lost = []  # what the copy cannot keep, said on A1 of the main sheet (a file-level note)
        dropped = _pictures_dropped(data, wb)
        if dropped:
            lost.append(
                (vocab.COPY_PICTURES_DROPPED.format(n=dropped), vocab.COPY_PICTURES_DROPPED_FIX)
            )
        if _has_macros(data):
            lost.append((vocab.COPY_MACROS_DROPPED, vocab.COPY_MACROS_DROPPED_FIX))
        for problem, fix in lost:
            note = Annotation(task.main_sheet, "", vocab.ACTION_NOTE, problem, fix)
            task = replace(task, notes=(*task.notes, note))
        placed = _annotate(wb, task, links)
        _open_on_marks(wb, {sheet for sheet, _, _ in placed})
        _notes_sheet(wb, placed)
        _set_marker(wb, digest)
        _dropdowns(wb, task.main_sheet)
        _plain_pages(wb, task.main_sheet)
        _print_comments(wb)
        with xlsx.atomic_path(Path(task.target)) as tmp:
            wb.save(tmp)
        return task.target
    except Exception as exc:  # noqa: BLE001 - a bad user file means no copy, never a failed run
        log.warning("no annotated copy of %s: %s", task.source, exc)
        return None


def read_source(task: AnnotateTask) -> bytes | None:
    """The source's bytes, or None when it is (or leads through) a link out of the inbox, is
    not a regular file, or is larger than ``task.max_bytes`` (then nothing is read)."""
    path = Path(task.source)
    try:
        if task.inbox:
            real = path.resolve(strict=True)
            if not real.is_relative_to(Path(task.inbox).resolve(strict=True)):
                log.warning("no annotated copy of %s: a link out of the inbox", task.source)
                return None
            path = real  # no link left to follow: O_NOFOLLOW refuses one swapped in since
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except (OSError, RuntimeError, ValueError) as exc:
        log.warning("no annotated copy of %s: %s", task.source, exc)
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > task.max_bytes:
            log.warning("no annotated copy of %s: not a file within the limits", task.source)
            return None
        data = fh.read(task.max_bytes + 1)
    return data if len(data) <= task.max_bytes else None


def _open_copy(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """The workbook to annotate: the original itself (.xlsx/.xlsm, via openpyxl) or a new one
    holding the original's values at the same cells (.xls/.ods/.xlsb/.csv, and any package
    openpyxl cannot open: Strict OOXML, raw control characters)."""
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    if not is_zip and looks_spreadsheet_ml(data):
        return _from_xml2003(data, task)  # Excel 2003 XML (「XML 电子表格」)
    if (
        task.ext not in CSV_EXTS
        and not is_zip
        and (looks_html(data) and has_table(data) or looks_web_archive(data[:TEXT_SNIFF_BYTES]))
    ):
        return _from_html(data, task)  # a web table saved as .xls (office systems' exports)
    if not is_zip and other_spreadsheet(data[:TEXT_SNIFF_BYTES]) == "flat_ods":
        return _from_calamine(ods.flat_package(data), task)  # LibreOffice's one-file .fods
    if task.ext in CSV_EXTS or (not is_zip and text_table(data[:TEXT_SNIFF_BYTES])):
        return _from_csv(data, task)  # a text table, whatever its extension
    if is_zip:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > task.max_uncompressed:
                return None
    if task.ext in CALAMINE_EXTS or not is_zip:
        return _from_calamine(data, task)  # calamine tells the format from the content
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions are dropped, fine here
            # data_only: a formula cell keeps the value the reader saw (its cached result), so
            # the copy carries no live formula or link from the inbox
            wb = openpyxl.load_workbook(
                io.BytesIO(data), keep_links=False, rich_text=True, data_only=True
            )
    except Exception as exc:  # noqa: BLE001 - the reader read it: rebuild from its values
        log.info("rebuilding the copy of %s from its values: %s", task.source, exc)
        return _from_calamine(data, task)
    if not any(isinstance(ws, Worksheet) for ws in wb.worksheets):  # Strict OOXML reads empty
        return _from_calamine(data, task)
    # the copy is an .xlsx: a template's workbook type (.xltx, .xltm) in an .xlsx is a file
    # Excel refuses to open
    wb.template = False
    return wb


def _keep_sheets(wb: openpyxl.Workbook, task: AnnotateTask, data: bytes = b"") -> bool:
    """Remove the sheets that are not this section's; False when none is left. What pointed
    into them goes too: names, dropdowns and colour rules, and the result of a kept cell's
    formula that read them (``data``: the original, for its formulas)."""
    drop = set(task.drop_sheets)
    only = set(task.only_sheets)
    removed = []
    for ws in list(wb.worksheets):
        if ws.title in drop or (only and ws.title not in only):
            removed.append(ws.title)
            wb.remove(ws)
    if not wb.worksheets:
        return False
    # a workbook-level name pointing into a removed sheet (a named range of another section's
    # form) would carry its sheet's name and a dangling reference into this copy
    refs = [f"{title}!" for title in removed]
    refs += ["'" + title.replace("'", "''") + "'!" for title in removed]
    gone = []
    for name, defined in list(wb.defined_names.items()):
        if any(ref in str(defined.attr_text or "") for ref in refs):
            gone.append(name)
            del wb.defined_names[name]
    if refs:
        for ws in wb.worksheets:
            if isinstance(ws, Worksheet):
                _drop_rules_into(ws, refs)
        _drop_results_of(wb, data, refs, gone)
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.worksheets[0]
    return True


def _drop_results_of(wb: openpyxl.Workbook, data: bytes, refs: list[str], names: list[str]) -> None:
    """Empty each kept cell whose formula reads a removed sheet (or a name into one): the copy
    holds formula results (``data_only``), and that result is another section's data."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return  # rebuilt from values (.xls, .ods): calamine gives no formulas to check
    named = (
        re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w(])")
        if names
        else None
    )
    kept = {ws.title: ws for ws in wb.worksheets if isinstance(ws, Worksheet)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = openpyxl.load_workbook(io.BytesIO(data), read_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - opened once already: no formulas to check then
        return
    try:
        for title, ws in kept.items():
            if title not in source.sheetnames:
                continue
            for row in source[title].iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    text = str(getattr(cell.value, "text", cell.value) or "")
                    if any(ref in text for ref in refs) or (named and named.search(text)):
                        ws.cell(row=cell.row, column=cell.column).value = None
    finally:
        source.close()


def _drop_rules_into(ws: Worksheet, refs: list[str]) -> None:
    """A kept sheet's dropdowns and colour rules whose formulas point into a removed sheet
    (another section's) go with it: they carried its name and a dangling reference."""

    def into(formulas: Any) -> bool:
        return any(ref in str(f or "") for f in formulas for ref in refs)

    validations = ws.data_validations.dataValidation
    validations[:] = [dv for dv in validations if not into((dv.formula1, dv.formula2))]
    rules = ws.conditional_formatting._cf_rules
    for key in list(rules):
        kept = [rule for rule in rules[key] if not into(rule.formula or ())]
        if kept:
            rules[key] = kept
        else:
            del rules[key]


# --------------------------------------------------------------------------------------
# The marker, last round's marks, links and long text
# --------------------------------------------------------------------------------------
def _source_marker(wb: openpyxl.Workbook) -> str:
    """The source hash a copy we wrote carries ('' for any other workbook)."""
    for prop in wb.custom_doc_props.props:
        if prop.name == vocab.COPY_SOURCE_PROPERTY:
            return str(prop.value or "")
    return ""


def _set_marker(wb: openpyxl.Workbook, digest: str) -> None:
    """Mark the copy with its source's SHA-256 (replacing a marker the source carried)."""
    props = wb.custom_doc_props
    props.props = [p for p in props.props if p.name != vocab.COPY_SOURCE_PROPERTY]
    props.append(StringProperty(name=vocab.COPY_SOURCE_PROPERTY, value=digest))


def _is_our_fill(cell: Any) -> bool:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return False
    rgb = fill.fgColor.rgb if fill.fgColor is not None else None
    return isinstance(rgb, str) and rgb[-6:].upper() in OUR_FILLS


def _clear_marks(wb: openpyxl.Workbook) -> None:
    """Remove the fills, comments and notes sheet a previous round put on a copy we wrote:
    our comments (by their author) and our two fill colours; other people's comments stay."""
    for ws in list(wb.worksheets):
        if ws.title == vocab.COPY_NOTES_SHEET and len(wb.worksheets) > 1:
            wb.remove(ws)
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet):
            continue
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == vocab.FEEDBACK_COMMENT_AUTHOR:
                cell.comment = None
            if cell.has_style and _is_our_fill(cell):
                cell.fill = PatternFill(fill_type=None)


def _plain_threads(wb: openpyxl.Workbook, data: bytes) -> None:
    """Excel 365's threaded comments (``xl/threadedComments``, which openpyxl drops) are in
    the copy as the note Excel writes beside each for older versions (author ``tc={id}``):
    an English placeholder around the thread. Such a note becomes the thread itself, each
    entry with its writer (``xl/persons``), so neither the sender nor our comment quoting it
    shows the placeholder."""
    threads = _threads(data)
    if not threads:
        return
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet):
            continue
        for cell in list(ws._cells.values()):
            note = cell.comment
            if note is None or not str(note.author or "").startswith("tc="):
                continue
            found = threads.get(str(note.author)[3:].lower())
            if found:
                author, text = found
                author = author or vocab.COPY_THREAD_SOMEONE
                cell.comment = Comment(text, author, height=note.height, width=note.width)


def _threads(data: bytes) -> dict[str, tuple[str, str]]:
    """Each threaded comment's id -> (its writer, its text and replies: 「回复（writer）：…」)."""
    import defusedxml.ElementTree as SafeET

    ns = "{http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments}"
    people: dict[str, str] = {}
    entries: list[Any] = []
    if not zipfile.is_zipfile(io.BytesIO(data)):  # a rebuilt copy: no threads to read
        return {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if n.startswith(("xl/threadedComments/", "xl/persons/"))]
        for name in names:
            try:
                root = SafeET.fromstring(zf.read(name))
            except Exception as exc:  # noqa: BLE001 - a broken part: its notes stay as they are
                log.info("threaded comments of %s not read: %s", name, exc)
                continue
            for person in root.iter(f"{ns}person"):
                people[person.get("id", "").lower()] = person.get("displayName", "")
            entries += list(root.iter(f"{ns}threadedComment"))
    found: dict[str, tuple[str, str]] = {}
    replies: dict[str, list[str]] = {}
    for entry in entries:
        who = people.get(entry.get("personId", "").lower(), "")
        body = entry.find(f"{ns}text")
        text = "".join(body.itertext()) if body is not None else ""
        parent = entry.get("parentId", "").lower()
        if parent:
            replies.setdefault(parent, []).append(
                vocab.COPY_THREAD_REPLY.format(who=who or vocab.COPY_THREAD_SOMEONE, text=text)
            )
        else:
            found[entry.get("id", "").lower()] = (who, text)
    return {
        key: (who, "\n".join([text, *replies.get(key, [])])) for key, (who, text) in found.items()
    }


def _neutralise(wb: openpyxl.Workbook) -> dict[tuple[str, int, int], str]:
    """Make nothing in the copy live or oversized: external hyperlinks are removed (their
    targets returned by cell, to be said in the cell's comment), so are defined names that
    hold a formula, and text over a cell's 32,767 characters is cut like in the archive."""
    links: dict[tuple[str, int, int], str] = {}
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet):
            continue
        for (row, col), cell in list(ws._cells.items()):
            value = cell._value
            if type(value) is str and xlsx.over_cell(value):
                cell._value = xlsx.cell_text(value)
            link = getattr(cell, "_hyperlink", None)  # a merged cell carries none
            if link is not None and (link.target or not link.location):
                links[(ws.title, row, col)] = str(link.target or "")
                cell.hyperlink = None
        ws._hyperlinks = []
    # a defined name holding a formula (a DDE call, a function, another book) goes
    for names in [wb.defined_names, *(getattr(ws, "defined_names", {}) for ws in wb.worksheets)]:
        for name, defined in list(names.items()):
            if not inert_name(str(defined.attr_text or "")):
                del names[name]
    return links


def _pictures_dropped(data: bytes, wb: openpyxl.Workbook) -> int:
    """How many pictures of the original (signatures, seals: ``xl/media``) the copy lost:
    openpyxl keeps none without Pillow."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        media = sum(1 for n in zf.namelist() if n.startswith("xl/media/") and not n.endswith("/"))
    kept = sum(len(getattr(ws, "_images", ())) for ws in wb.worksheets)
    return max(0, media - kept)


def _has_macros(data: bytes) -> bool:
    """Whether the original holds VBA macros the copy (an .xlsx) cannot carry: a project
    (``vbaProject.bin`` of an .xlsm/.xlsb, ``_VBA_PROJECT_CUR`` of an .xls) whose ``PROJECT``
    stream names a module, class or form of its own. A project of only the sheets' and the
    workbook's own modules (what Excel leaves in many an .xls) is not said to be macros."""
    import olefile

    path = ["PROJECT"]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith("vbaproject.bin")]
            if not names:
                return False
            data = zf.read(names[0])
    elif data[:8] == OLE_MAGIC and "_VBA_PROJECT_CUR".encode("utf-16-le") in data:
        path = ["_VBA_PROJECT_CUR", "PROJECT"]
    else:
        return False
    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("/".join(path)):
                return False
            text = ole.openstream(path).read(1 << 20)
    except Exception as exc:  # noqa: BLE001 - an unreadable project: nothing is said
        log.info("VBA project not read: %s", exc)
        return False
    return re.search(rb"(?m)^(?:Module|Class|BaseClass)=", text) is not None


def _dropdowns(wb: openpyxl.Workbook, main_sheet: str) -> None:
    """The form sheet's enumerated columns (风险类别, 发生几率, 危害程度, 自评等级) with no
    dropdown of their own get one: a copy rebuilt from an .xls, .ods or text table lost the
    original's, a script's form never had them, and the comments say 请从下拉列表中选择."""
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = _worksheet(wb, main_sheet)
    if ws is None:
        return
    last = ws.max_row
    first, columns = dropdown_plan(_head_grid(ws))
    last = max(last, first) + DROPDOWN_SPARE_ROWS
    for col, label, choices in columns:
        at = f"{get_column_letter(col)}{first}"
        if any(at in dv.sqref for dv in ws.data_validations.dataValidation):
            continue
        message = dropdown_message(choices)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            errorTitle=vocab.FORM_ERROR_TITLE_ENUM,
            error=message,
            promptTitle=label[:32],
            prompt=message,
        )
        dv.add(f"{at}:{get_column_letter(col)}{last}")
        ws.add_data_validation(dv)


def _head_grid(ws: Worksheet) -> list[list[Any]]:
    """The values of a sheet's first rows, where its table header is (no cell created)."""
    from pipeline.layout import HEADER_SCAN_ROWS

    rows = min(ws.max_row, HEADER_SCAN_ROWS)
    return [list(r) for r in ws.iter_rows(max_row=rows, values_only=True)]


def _has_own_page(ws: Worksheet) -> bool:
    """Whether a sheet has a print setup of its own (as ``annotate_patch.has_own_page``)."""
    ps = ws.page_setup
    own = (ps.paperSize, ps.scale, ps.fitToWidth, ps.fitToHeight, ps.orientation)
    fit = ws.sheet_properties.pageSetUpPr
    return (
        any(v is not None for v in own) or bool(fit and fit.fitToPage) or bool(ws.print_title_rows)
    )


def _plain_pages(wb: openpyxl.Workbook, main_sheet: str) -> None:
    """Sheets with no print setup of their own (a script's, a web export's) get the tool's:
    A4, portrait or landscape at a scale that fits their columns one page wide at 8 pt or
    more, narrow margins, page numbers, the form's table header on every page, and dates in
    columns of no width of their own widened so that they print as dates, not ###.
    Before, such a copy printed portrait on Letter, its columns on pages across. A copy
    rebuilt from an .xls, .ods, web or text table repeats its table header on every page
    too, and every sheet of it has page numbers."""
    main = _worksheet(wb, main_sheet) or next(
        (ws for ws in wb.worksheets if isinstance(ws, Worksheet)), None
    )
    normal = wb._named_styles["Normal"].font if "Normal" in wb._named_styles else None
    size = float(normal.sz) if normal is not None and normal.sz else 11.0
    cjk = normal is not None and normal.name in ("宋体", "SimSun", "新宋体", "NSimSun")
    plain = []
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet) or _has_own_page(ws):
            continue
        plain.append(ws)
        fmt = ws.sheet_format
        default = fmt.defaultColWidth or (fmt.baseColWidth + 0.43 if fmt.baseColWidth else 0)
        default = default or DEFAULT_WIDTH
        spans = [(d.min or 0, d.max or 0, d) for d in ws.column_dimensions.values()]
        if default < DATE_WIDTH:
            dated = {
                cell.column
                for row in ws.iter_rows()
                for cell in row
                if isinstance(cell.value, (int, float, datetime.date)) and cell.is_date
            }
            for c in sorted(dated):
                if _own_width(spans, c) is None:
                    ws.column_dimensions[get_column_letter(c)].width = DATE_WIDTH
                    spans.append((c, c, ws.column_dimensions[get_column_letter(c)]))
        widths = [_own_width(spans, c) or default for c in range(1, ws.max_column + 1)]
        landscape, scale = page_plan(widths, size, cjk)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.scale = scale
        ws.page_margins.left = ws.page_margins.right = styles.MARGIN_SIDE
        ws.page_margins.top, ws.page_margins.bottom = styles.MARGIN_TOP, styles.MARGIN_BOTTOM
        ws.page_margins.header = ws.page_margins.footer = styles.MARGIN_HEADER
        if not ws.oddFooter.center.text and not ws.oddFooter.left.text:
            ws.oddFooter.center.text = vocab.PAGE_FOOTER.removeprefix("&C")
            ws.oddFooter.center.size = footer_size(scale)
    # a rebuilt copy (a new workbook: no theme loaded) has our print setup, not the sender's
    rebuilt = wb.loaded_theme is None
    for ws in wb.worksheets if rebuilt else ():
        if isinstance(ws, Worksheet) and not (ws.oddFooter.center.text or ws.oddFooter.left.text):
            ws.oddFooter.center.text = vocab.PAGE_FOOTER.removeprefix("&C")
            ws.oddFooter.center.size = footer_size(ws.page_setup.scale or 100)
    if main is not None and not main.print_title_rows and (rebuilt or main in plain):
        rows = title_rows(_head_grid(main))
        if rows is not None:
            main.print_title_rows = f"{rows[0]}:{rows[1]}"


def _own_width(spans: list[tuple[int, int, Any]], c: int) -> float | None:
    """Column ``c``'s own width (0 when hidden), None when it has none."""
    for lo, hi, dim in spans:
        if lo <= c <= hi:
            if dim.hidden:
                return 0.0
            return dim.width if dim.customWidth or dim.width != 13 else None
    return None


def _print_comments(wb: openpyxl.Workbook) -> None:
    """Comments print after the sheet (OOXML pageSetup cellComments="atEnd"), so a printed
    copy shows why a cell is marked."""
    for ws in wb.worksheets:
        if isinstance(ws, Worksheet):
            ws.page_setup.cellComments = "atEnd"


# --------------------------------------------------------------------------------------
# Rebuilt copies (.xls, .ods, .xlsb, text tables, what openpyxl cannot open)
# --------------------------------------------------------------------------------------
def _set_text(cell: Any, value: object) -> None:
    """Write a value into a new cell; text stays text (never a formula)."""
    if isinstance(value, str):
        cell.value = xlsx.cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _first_units(text: str, units: int) -> str:
    """The start of ``text`` that is at most ``units`` UTF-16 units, as Excel counts (an
    emoji is two; half of one is dropped)."""
    if len(text) <= units // 2 or xlsx.excel_len(text) <= units:
        return text
    return text.encode("utf-16-le", "surrogatepass")[: 2 * units].decode("utf-16-le", "ignore")


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet name Excel takes: no \\ / * ? : [ ], 31 characters as Excel counts them."""
    base = _first_units(_SHEET_TITLE_BAD.sub("_", name).strip("'"), 31) or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f"({n})"
        title = _first_units(base, 31 - len(suffix)) + suffix
        n += 1
    used.add(title.casefold())
    return title


def _from_calamine(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """.xls/.ods: a new workbook holding the values at the same cell positions."""
    from python_calamine import CalamineWorkbook

    try:
        source = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        package = xlsb.without_macro_sheets(data)  # an .xlsb with an Excel 4.0 macro sheet
        if package is None:
            raise
        source, data = CalamineWorkbook.from_filelike(io.BytesIO(package)), package
    ods_merges = _ods_merges(data) if task.ext in (".ods", ".fods") else {}
    looks = _looks(data)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _songti_normal(wb)
    used: set[str] = set()
    for meta in source.sheets_metadata:
        if str(meta.typ).endswith(("ChartSheet", "DialogSheet", "Vba")):
            continue  # no cells (calamine cannot load them)
        name = meta.name
        sheet = source.get_sheet_by_name(name)
        ws = wb.create_sheet(_sheet_title(name, used))
        grid = sheet.to_python(skip_empty_area=False)
        for r, values in enumerate(grid, start=1):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                _set_text(ws.cell(r, c), value)
        if name in looks:
            width = max((len(v) for v in grid), default=0)
            looks[name].apply(ws, len(grid) + LOOK_MARGIN, width + LOOK_MARGIN)
            _look_page(ws, looks[name], width)
        merges = getattr(sheet, "merged_cell_ranges", None) or ods_merges.get(name, [])
        for (r0, c0), (r1, c1) in merges:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
    return wb if wb.worksheets else None


# --------------------------------------------------------------------------------------
# The look of a rebuilt copy: column widths, row heights, borders, wrapping, fonts
# --------------------------------------------------------------------------------------
LOOK_MARGIN = 20  # styled (bordered) empty rows and columns kept beyond the values
ODS_POINTS_PER_CHAR = 7.0
LOOK_MAX_CELLS = 200_000  # styled cells applied per sheet at most
_XLS_BORDERS = {
    1: "thin",
    2: "medium",
    3: "dashed",
    4: "dotted",
    5: "thick",
    6: "double",
    7: "hair",
    8: "mediumDashed",
    9: "dashDot",
    10: "mediumDashDot",
    11: "dashDotDot",
    12: "mediumDashDotDot",
    13: "slantDashDot",
}
_XLS_HORIZONTAL = {1: "left", 2: "center", 3: "right", 4: "fill", 5: "justify", 7: "distributed"}
_XLS_VERTICAL = {0: "top", 1: "center", 2: "bottom", 3: "justify", 4: "distributed"}


@dataclass
class CellLook:
    """What a cell looks like, in openpyxl's terms (None: the default)."""

    font: Font | None = None
    border: Border | None = None
    alignment: Alignment | None = None
    number_format: str | None = None


@dataclass
class SheetLook:
    """Column widths (characters), row heights (points) and cell looks of one sheet (0-based)."""

    widths: dict[int, float]
    heights: dict[int, float]
    cells: dict[tuple[int, int], CellLook]
    default_width: float | None = None

    def apply(self, ws: Worksheet, max_rows: int, max_cols: int) -> None:
        """Give ``ws`` this look, within ``max_rows`` × ``max_cols`` (styled empty cells beyond
        the values are kept, up to a margin)."""
        if self.default_width:
            ws.sheet_format.defaultColWidth = round(self.default_width, 2)
        for c, width in self.widths.items():
            if c < max_cols and width > 0:
                ws.column_dimensions[get_column_letter(c + 1)].width = round(width, 2)
        for r, height in self.heights.items():
            if r < max_rows and height > 0:
                ws.row_dimensions[r + 1].height = round(min(height, 409.0), 2)
        done: dict[int, Any] = {}  # one style array per look: later cells share it
        for n, ((r, c), look) in enumerate(self.cells.items()):
            if n >= LOOK_MAX_CELLS:
                break
            if r >= max_rows or c >= max_cols:
                continue
            cell = ws.cell(r + 1, c + 1)
            if id(look) in done:
                cell._style = copy.copy(done[id(look)])
                continue
            if look.font is not None:
                cell.font = look.font
            if look.border is not None:
                cell.border = look.border
            if look.alignment is not None:
                cell.alignment = look.alignment
            if look.number_format and look.number_format != "General":
                cell.number_format = look.number_format
            done[id(look)] = copy.copy(cell._style)


def _songti_normal(wb: openpyxl.Workbook) -> None:
    """The rebuilt copy's Normal font is 宋体 10, as the tool's own workbooks': LibreOffice
    sizes a column unit by it, and with openpyxl's Calibri 11 (absent on most office PCs and
    on Linux) the kept widths printed ~20 % wider than the original's (its 11 columns no
    longer one page wide). Cells keep the fonts their look gives them."""
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=xlsx.FONT_NAME, sz=styles.FONT_SIZE)
    wb._fonts = IndexedList([font])  # the default cell format's font (fontId 0)
    wb._named_styles["Normal"].font = font


def _look_page(ws: Worksheet, look: SheetLook, n_cols: int) -> None:
    """A4 for a copy rebuilt from an .xls/.ods, whose page setup calamine and xlrd do not
    give: portrait when its kept columns fit at 100 %, else landscape at the largest scale
    at which they fit one page wide, never below what keeps its smallest text at 8 pt
    (columns beyond go on pages across). Before, every such copy printed portrait at 100 %:
    a form of 11 columns on three pages across and the page numbers lost."""
    default = look.default_width or 8.43
    widths = [look.widths.get(c) or default for c in range(n_cols)]
    columns = widths  # in units of the copy's 宋体 10 Normal font (``_songti_normal``)
    sizes = [cl.font.sz for cl in look.cells.values() if cl.font is not None and cl.font.sz]
    smallest = min(sizes, default=11.0)
    floor = min(100, math.ceil(100 * styles.MIN_PRINTED_PT / max(smallest, 1.0)))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if styles.width_scale(columns, landscape=False) >= 100:
        ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
        ws.page_setup.scale = 100
    else:
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.page_setup.scale = max(floor, styles.width_scale(columns))
    ws.oddFooter.center.text = vocab.PAGE_FOOTER.removeprefix("&C")


def _looks(data: bytes) -> dict[str, SheetLook]:
    """The look of each sheet of an .xls (xlrd) or .ods (its content.xml); {} when unknown."""
    try:
        if data[:8] == OLE_MAGIC:
            return _xls_looks(data)
        if zipfile.is_zipfile(io.BytesIO(data)):
            return _ods_looks(data)
    except Exception as exc:  # noqa: BLE001 - the look is a nicety: values and notes matter
        log.debug("no look from the original: %s", exc)
    return {}


def _xls_looks(data: bytes) -> dict[str, SheetLook]:
    import xlrd

    book = xlrd.open_workbook(
        file_contents=data, formatting_info=True, logfile=io.StringIO(), on_demand=True
    )
    cache: dict[int, CellLook] = {}

    def look(xf_index: int) -> CellLook:
        if xf_index in cache:
            return cache[xf_index]
        xf = book.xf_list[xf_index]
        font = None
        if 0 <= xf.font_index < len(book.font_list):
            f = book.font_list[xf.font_index]
            font = Font(name=f.name or None, sz=f.height / 20 if f.height else None, b=bool(f.bold))
        b = xf.border
        sides = {
            side: Side(style=_XLS_BORDERS.get(getattr(b, f"{side}_line_style", 0)))
            for side in ("left", "right", "top", "bottom")
        }
        al = xf.alignment
        alignment = Alignment(
            horizontal=_XLS_HORIZONTAL.get(al.hor_align),
            vertical=_XLS_VERTICAL.get(al.vert_align, "bottom"),
            wrap_text=bool(al.text_wrapped) or None,
        )
        fmt = book.format_map.get(xf.format_key)
        cache[xf_index] = CellLook(
            font=font,
            border=Border(**sides),
            alignment=alignment,
            number_format=fmt.format_str if fmt is not None else None,
        )
        return cache[xf_index]

    looks: dict[str, SheetLook] = {}
    for index, name in enumerate(book.sheet_names()):
        sheet = book.sheet_by_index(index)
        widths = {c: info.width / 256 for c, info in sheet.colinfo_map.items()}
        heights = {r: info.height / 20 for r, info in sheet.rowinfo_map.items()}
        cells: dict[tuple[int, int], CellLook] = {}
        for r in range(sheet.nrows):
            for c in range(sheet.row_len(r)):
                cells[(r, c)] = look(sheet.cell_xf_index(r, c))
                if len(cells) >= LOOK_MAX_CELLS:
                    break
        default = sheet.standardwidth / 256 if sheet.standardwidth else sheet.defcolwidth
        looks[name] = SheetLook(widths, heights, cells, float(default) if default else None)
        book.unload_sheet(index)
    return looks


_ODS_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_ODS_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_UNIT_POINTS = {"pt": 1.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pc": 12.0, "px": 0.75}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|cm|mm|in|pc|px)\s*$")


def _points(length: str | None) -> float | None:
    match = _LENGTH.match(length or "")
    if not match:
        return None
    try:
        return float(match.group(1)) * _UNIT_POINTS[match.group(2)]
    except ValueError:
        return None


def _chars(points: float) -> float:
    """A column width in points -> character units, as LibreOffice converts them (7 pt a
    character): an .ods saved from an .xlsx gets its widths back."""
    return max(0.0, points / ODS_POINTS_PER_CHAR)


def _ods_border(value: str | None) -> Side | None:
    """'0.06pt solid #000000' -> a thin side; 'none' or nothing -> None."""
    if not value or value.strip() == "none":
        return None
    width = _points(value.split()[0]) or 0.0
    style = "double" if "double" in value else "medium" if width > 1.0 else "thin"
    return Side(style=style)


def _ods_looks(data: bytes) -> dict[str, SheetLook]:
    import defusedxml.ElementTree as SafeET

    def a(elem: Any, ns: str, name: str) -> str | None:
        return elem.get(f"{{{ns}}}{name}")

    def count(elem: Any, name: str) -> int:
        try:
            return max(1, int(a(elem, _ODS_TABLE, name) or 1))
        except ValueError:
            return 1

    col_width: dict[str, float] = {}
    row_height: dict[str, float] = {}
    cell_look: dict[str, CellLook] = {}
    date_formats: dict[str, str] = {}
    looks: dict[str, SheetLook] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if "styles.xml" in zf.namelist():  # the date formats cells refer to may live there
            with zf.open("styles.xml") as fh:
                for _event, elem in SafeET.iterparse(fh, events=("end",)):
                    if elem.tag.rsplit("}", 1)[-1] == "date-style":
                        name = a(elem, _ODS_STYLE, "name")
                        if name:
                            date_formats[name] = _ods_date_format(elem)
                        elem.clear()
        fh = zf.open("content.xml")
        current: SheetLook | None = None
        row = col = 0
        row_default: str | None = None
        col_defaults: list[str | None] = []
        for event, elem in SafeET.iterparse(fh, events=("start", "end")):
            tag = elem.tag.rsplit("}", 1)[-1]
            if event == "end" and tag == "style" and a(elem, _ODS_STYLE, "family"):
                name, family = a(elem, _ODS_STYLE, "name") or "", a(elem, _ODS_STYLE, "family")
                props = {c.tag.rsplit("}", 1)[-1]: c for c in elem}
                if family == "table-column" and "table-column-properties" in props:
                    width = _points(a(props["table-column-properties"], _ODS_STYLE, "column-width"))
                    if width:
                        col_width[name] = _chars(width)
                elif family == "table-row" and "table-row-properties" in props:
                    height = _points(a(props["table-row-properties"], _ODS_STYLE, "row-height"))
                    if height:
                        row_height[name] = height
                elif family == "table-cell":
                    look = _ods_cell_look(props, a)
                    look.number_format = date_formats.get(a(elem, _ODS_STYLE, "data-style-name"))
                    cell_look[name] = look
                elem.clear()
            elif event == "end" and tag == "date-style":
                name = a(elem, _ODS_STYLE, "name")
                if name:
                    date_formats[name] = _ods_date_format(elem)
            elif event == "start" and tag == "table":
                current = SheetLook({}, {}, {})
                looks[a(elem, _ODS_TABLE, "name") or ""] = current
                row, col_defaults = 0, []
            elif current is None:
                continue
            elif event == "start" and tag == "table-column":
                style = a(elem, _ODS_TABLE, "style-name")
                default = a(elem, _ODS_TABLE, "default-cell-style-name")
                for _ in range(min(count(elem, "number-columns-repeated"), 1024)):
                    if style in col_width:
                        current.widths[len(col_defaults)] = col_width[style]
                    col_defaults.append(default)
            elif event == "start" and tag == "table-row":
                col = 0
                row_default = a(elem, _ODS_TABLE, "default-cell-style-name")
                style = a(elem, _ODS_TABLE, "style-name")
                if style in row_height and row < LOOK_MAX_CELLS:
                    for r in range(row, row + min(count(elem, "number-rows-repeated"), 1024)):
                        current.heights[r] = row_height[style]
            elif event == "end" and tag == "table-row":
                row += count(elem, "number-rows-repeated")
                elem.clear()
            elif event == "end" and tag in ("table-cell", "covered-table-cell"):
                n = count(elem, "number-columns-repeated")
                style = a(elem, _ODS_TABLE, "style-name") or row_default
                if n <= 1024 and len(current.cells) < LOOK_MAX_CELLS:
                    for c in range(col, col + n):
                        name = style or (col_defaults[c] if c < len(col_defaults) else None)
                        if name in cell_look:
                            current.cells[(row, c)] = cell_look[name]
                col += n
    return looks


_ODS_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"


def _ods_date_format(elem: Any) -> str:
    """An ODS number:date-style -> an Excel number format (year, month, day and literals)."""
    parts = []
    for child in elem:
        tag = child.tag.rsplit("}", 1)[-1]
        long = child.get(f"{{{_ODS_NUMBER}}}style") == "long"
        if tag == "year":
            parts.append("yyyy" if long else "yy")
        elif tag == "month":
            parts.append("mm" if long else "m")
        elif tag == "day":
            parts.append("dd" if long else "d")
        elif tag == "text" and child.text:
            parts.append('"' + child.text.replace('"', "") + '"')
    return "".join(parts) or "yyyy-mm-dd"


def _ods_cell_look(props: dict[str, Any], a: Any) -> CellLook:
    cell = props.get("table-cell-properties")
    para = props.get("paragraph-properties")
    text = props.get("text-properties")
    border = alignment = font = None
    if cell is not None:
        every = _ods_border(a(cell, _ODS_FO, "border"))
        sides = {
            side: _ods_border(a(cell, _ODS_FO, f"border-{side}")) or every
            for side in ("left", "right", "top", "bottom")
        }
        border = Border(**{k: v for k, v in sides.items() if v is not None})
        vertical = {"middle": "center", "top": "top", "bottom": "bottom"}.get(
            a(cell, _ODS_STYLE, "vertical-align") or ""
        )
        wrap = a(cell, _ODS_FO, "wrap-option") == "wrap"
        horizontal = None
        if para is not None:
            horizontal = {
                "center": "center",
                "end": "right",
                "right": "right",
                "start": "left",
            }.get(a(para, _ODS_FO, "text-align") or "")
        alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap or None)
    if text is not None:
        size = _points(a(text, _ODS_FO, "font-size"))
        name = a(text, _ODS_STYLE, "font-name")
        font = Font(name=name, sz=size, b=a(text, _ODS_FO, "font-weight") == "bold")
    return CellLook(font=font, border=border, alignment=alignment)


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _ods_merges(data: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged ranges of an .ods (calamine does not report them), 0-based like calamine's."""
    import defusedxml.ElementTree as SafeET

    from pipeline.workbook import ods

    try:
        found = ods.merges(data)
    except (KeyError, zipfile.BadZipFile, SafeET.ParseError, ValueError) as exc:
        log.debug("no merge ranges from ods: %s", exc)
        return {}
    return {
        sheet: [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in ranges]
        for sheet, ranges in found.items()
        if ranges
    }


def _from_csv(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """A text table (.csv, tab-separated, whatever its extension): a new workbook, one sheet,
    each field at the row and column the reader gave it, all as text."""
    from pipeline.read import csv_dialect, decode_text
    from pipeline.workbook.text import text_rows

    text = decode_text(data)
    if text is None:
        return None
    grid = list(text_rows(text, csv_dialect(text)))
    # a text table has no widths or wrapping of its own: the rebuilt grids' look (widths
    # that fit, wrapped text, borders, A4 landscape), not 11 columns of clipped text
    return _from_grids([(task.main_sheet or Path(task.source).stem, grid, [])], set())


# a copy rebuilt from our own readers' grid (web tables, Excel 2003 XML): any grid the reader
# read (it was within the read limits) fits
_REBUILT_COPY_LIMITS = Limits(
    max_file_bytes=1 << 40,
    max_uncompressed_bytes=1 << 40,
    max_compression_ratio=float("inf"),
    max_rows=1_048_576,
    max_columns=16_384,
    max_cell_chars=32_767,
    worker_memory_bytes=0,
    worker_timeout_s=0.0,
    workers=0,
)
_GRID_BORDER = Border(*(Side(style="thin", color="808080"),) * 4)


def _from_html(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """A web table saved as .xls: a new workbook of the sheets the reader made of it (one,
    or one per headed table), each cell's text where the reader put it, its colspan/rowspan
    merged, thin borders and wrapping as a web table shows."""
    stem = Path(task.source).stem
    try:
        sheets = page_sheets(data, _REBUILT_COPY_LIMITS, stem)
    except Refused:
        return None
    if len(sheets) == 1:
        sheets = [(task.main_sheet or stem, *sheets[0][1:])]
    return _from_grids(sheets, set())


def _from_xml2003(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """An Excel 2003 XML workbook: a new workbook of its sheets (hidden ones hidden), each
    cell's value where the reader put it, its merged ranges merged."""
    try:
        names, load, hidden = load_xml2003(task.source, data, _REBUILT_COPY_LIMITS)
        sheets = [(name, *load(name)) for name in names]
    except Refused:
        return None
    return _from_grids(sheets, hidden)


def _from_grids(
    sheets: list[tuple[str, list[list[Any]], list[tuple[int, int, int, int]]]], hidden: set[str]
) -> openpyxl.Workbook:
    """A new workbook of grids (sheet name, rows of values, 0-based merged ranges) read by a
    reader of ours: values at their cells, merges, thin borders, wrapping and ``_grid_look``."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="center")
    for name, grid, merges in sheets:
        ws = wb.create_sheet(_sheet_title(name, used))
        if name in hidden:
            ws.sheet_state = "hidden"
        for r, values in enumerate(grid, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r, c)
                if value != "" and value is not None:
                    _set_text(cell, value)
                    cell.alignment = wrap
                cell.border = _GRID_BORDER
        spanned = set()
        for r0, c0, r1, c1 in merges:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
                spanned.add((r0, c0))
        _grid_look(ws, grid, spanned)
    if wb.worksheets and all(ws.sheet_state == "hidden" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # a workbook shows at least one sheet
    return wb


GRID_WIDTHS = (6.0, 30.0)  # the narrowest and widest column of a rebuilt copy
GRID_COLUMN_FACTOR = 1.2  # LibreOffice prints a column unit wider with Calibri 11 (no such font)
GRID_NARROWEST = 12.0  # the widest columns are narrowed down to this to fit the page
GRID_MIN_SCALE = math.ceil(100 * styles.MIN_PRINTED_PT / 11)  # openpyxl's 11 pt text at 8 pt


def _grid_scale(widths: dict[int, float], lo: float = GRID_WIDTHS[0]) -> int:
    """The scale at which a rebuilt copy's columns fit one page wide: its Normal font is
    openpyxl's Calibri 11, whose column unit LibreOffice prints wider (GRID_COLUMN_FACTOR)."""
    columns = [widths.get(c, lo) * GRID_COLUMN_FACTOR for c in range(max(widths, default=-1) + 1)]
    return styles.width_scale(columns)


def _grid_look(ws: Worksheet, grid: list[list[Any]], spanned: set[tuple[int, int]]) -> None:
    """Widths that fit each column's longest line (CJK counted double, within GRID_WIDTHS),
    rows tall enough for their wrapped lines (LibreOffice does not grow them on load), and
    A4 landscape one page wide: these formats have no widths the grid readers keep."""
    lo, hi = GRID_WIDTHS
    widths: dict[int, float] = {}
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            if value and (r, c) not in spanned:
                longest = max(xlsx.display_width(line) for line in str(value).split("\n"))
                widths[c] = max(widths.get(c, lo), min(hi, longest + 2.0))
    # the widest columns narrowed (their text wraps) until the sheet fits one page wide at
    # 8 pt, as far as GRID_NARROWEST: a form's 11 columns are one page, not two across
    # (when even that does not fit, the columns keep their widths and go on pages across)
    cap = hi
    narrowed = widths
    while cap > GRID_NARROWEST and _grid_scale(narrowed) < GRID_MIN_SCALE:
        cap -= 1
        narrowed = {c: min(w, cap) for c, w in widths.items()}
    if _grid_scale(narrowed) >= GRID_MIN_SCALE:
        widths = narrowed
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    for r, values in enumerate(grid):
        lines = max(
            (
                styles.text_lines(str(v), widths.get(c, lo))
                for c, v in enumerate(values)
                if v and (r, c) not in spanned
            ),
            default=1,
        )
        if lines > 1:
            ws.row_dimensions[r + 1].height = styles.lines_height(lines)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    # an explicit scale, never fit-to-width (which printed 11 wide columns at ~4 pt): the
    # columns one page wide where the 11 pt text stays at 8 pt or more, else pages across
    ws.page_setup.scale = max(GRID_MIN_SCALE, min(100, _grid_scale(widths, lo)))


def _worksheet(wb: openpyxl.Workbook, name: str) -> Worksheet | None:
    if name and name in wb.sheetnames:
        ws = wb[name]
        if isinstance(ws, Worksheet):
            return ws
    return None


def _cell_of(ref: str) -> tuple[int, int]:
    """(row, column) of a reference; A1 when it is empty or not a cell."""
    match = A1_START.match(ref.strip()) if ref else None
    if not match:
        return 1, 1
    try:
        row, col = int(match.group(2)), column_index_from_string(match.group(1).upper())
    except ValueError:
        return 1, 1
    if not (1 <= row <= 1_048_576 and 1 <= col <= 16_384):
        return 1, 1
    return row, col


def _top_left(ws: Worksheet, cells: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell -> the top-left cell of the merged range holding it (itself when none).

    One pass over the sheet's merged ranges, each looking up the cells in its rows by
    bisection: a sheet with 200,000 ranges and a note per row costs ranges × log(notes)."""
    found = {cell: cell for cell in cells}
    ranges = ws.merged_cells.ranges
    if not ranges or not cells:
        return found
    ordered = sorted(cells)
    rows = [r for r, _ in ordered]
    for merged in ranges:
        lo = bisect.bisect_left(rows, merged.min_row)
        hi = bisect.bisect_right(rows, merged.max_row)
        for row, col in ordered[lo:hi]:
            if merged.min_col <= col <= merged.max_col:
                found[(row, col)] = (merged.min_row, merged.min_col)
    return found


def _comment_text(notes: list[Annotation], link: str | None, old: str) -> str:
    parts = [
        f"【{n.action}】{vocab.ISSUE_COLUMNS['problem']}：{n.problem}\n"
        f"{vocab.ISSUE_COLUMNS['fix']}：{n.fix}"
        for n in notes
    ]
    if link is not None:
        parts.append(vocab.COPY_LINK_REMOVED.format(target=link or vocab.COPY_LINK_UNNAMED))
    if old:
        parts.append(f"{vocab.FEEDBACK_COMMENT_OLD_NOTE}{old}")
    return xlsx.cell_text("\n\n".join(parts), MAX_COMMENT_CHARS) or ""


def _annotate(
    wb: openpyxl.Workbook,
    task: AnnotateTask,
    links: dict[tuple[str, int, int], str] | None = None,
) -> list[tuple[str, str, str]]:
    """Fill and comment every cell a note names (several notes on one cell share a comment);
    a cell whose link was removed says so in its comment. Returns (sheet, cell, comment
    text) of every cell commented, in reading order."""
    main = _worksheet(wb, task.main_sheet) or wb.worksheets[0]
    wanted: dict[str, list[tuple[tuple[int, int], Annotation]]] = {}
    sheets: dict[str, Worksheet] = {}
    for note in task.notes:
        ws = _worksheet(wb, note.sheet) or main
        left_out = note.sheet in task.drop_sheets or (
            task.only_sheets and note.sheet and note.sheet not in task.only_sheets
        )
        sheets[ws.title] = ws
        # a note on a sheet left out of this copy goes on A1 of the main sheet
        cell = (1, 1) if left_out else _cell_of(note.cell)
        wanted.setdefault(ws.title, []).append((cell, note))
    targets: dict[tuple[str, int, int], list[Annotation]] = {}
    for title, items in wanted.items():
        top = _top_left(sheets[title], {cell for cell, _ in items})
        for cell, note in items:
            targets.setdefault((title, *top[cell]), []).append(note)
    links = links or {}
    for key in links:
        targets.setdefault(key, [])
    placed: list[tuple[str, int, int, str]] = []
    for (title, row, col), notes in targets.items():
        ws = sheets.get(title) or wb[title]
        cell = ws.cell(row, col)
        if notes:
            reject = any(n.action == vocab.ACTION_REJECT for n in notes)
            colour = FILL_REJECT if reject else FILL_NOTE
            cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
            _show(ws, row, col)
        old = cell.comment.text if cell.comment is not None and cell.comment.text else ""
        text = _comment_text(notes, links.get((title, row, col)), old)
        n_lines = sum(
            max(1, math.ceil(xlsx.display_width(t) / COMMENT_CHARS_PER_LINE))
            for t in text.split("\n")
        )
        cell.comment = Comment(
            text,
            vocab.FEEDBACK_COMMENT_AUTHOR,
            height=min(600, 20 + 14 * n_lines),
            width=COMMENT_WIDTH,
        )
        placed.append((title, row, col, text))
    order = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    placed.sort(key=lambda p: (order.get(p[0], 0), p[1], p[2]))
    return [(t, f"{get_column_letter(c)}{r}", text) for t, r, c, text in placed]


def _open_on_marks(wb: openpyxl.Workbook, marked: set[str]) -> None:
    """The copy opens on the first visible sheet holding a mark when the sheet it would
    open on holds none (a form behind a 说明 sheet: the sender saw no mark)."""
    sheets = wb.worksheets
    for ws in sheets:  # a hidden sheet holding a mark is shown: the sender would not see it
        if ws.title in marked and ws.sheet_state != "visible":
            ws.sheet_state = "visible"
    active = wb.active
    if active is not None and active.title in marked:
        return
    target = next((ws for ws in sheets if ws.title in marked and ws.sheet_state == "visible"), None)
    if target is None:
        return
    wb.active = target
    for ws in sheets:
        for view in ws.views.sheetView:
            view.tabSelected = ws is target


def _show(ws: Worksheet, row: int, col: int) -> None:
    """A marked cell's hidden row or column shown: the sender would not see the mark."""
    if row in ws.row_dimensions and ws.row_dimensions[row].hidden:
        ws.row_dimensions[row].hidden = False
    for dim in ws.column_dimensions.values():
        if dim.hidden and (dim.min or 0) <= col <= (dim.max or 0):
            dim.hidden = False


def _notes_sheet(wb: openpyxl.Workbook, placed: list[tuple[str, str, str]]) -> None:
    """A last sheet listing every comment with its cell, printed on A4: a printout shows why
    each cell is marked whatever the program prints comments or not (LibreOffice reads only
    cellComments="asDisplayed" as printing them; Excel prints "atEnd" ones)."""
    if not placed:
        return
    used = {ws.title.casefold() for ws in wb.worksheets}
    ws = wb.create_sheet(_sheet_title(vocab.COPY_NOTES_SHEET, used))
    headers = vocab.COPY_NOTES_HEADERS
    bold = Font(b=True)
    line = Side(style="thin")
    box = Border(left=line, right=line, top=line, bottom=line)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(1, c, header)
        cell.font, cell.border, cell.alignment = bold, box, wrap
    widths = (16, 8, 70)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, (title, ref, text) in enumerate(placed, start=2):
        for c, value in enumerate((title, ref, text), start=1):
            cell = ws.cell(r, c)
            _set_text(cell, value)
            cell.border, cell.alignment = box, wrap
        n_lines = sum(
            max(1, math.ceil(xlsx.display_width(t) / (widths[2] - 2))) for t in text.split("\n")
        )
        ws.row_dimensions[r].height = min(409.0, 15.0 * n_lines + 3)
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # landscape: its 94 units fit the page at 100 % (portrait, fit-to-width printed ~7 pt)
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
