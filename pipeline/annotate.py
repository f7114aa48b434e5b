"""Annotated copies of submitted files: each bad cell filled and commented with what is wrong
and how to fix it, saved as ``<原文件名>_批注.xlsx`` in the section's feedback folder.

An .xlsx/.xlsm original is opened itself (values only, no live formula or link); an .xls, .ods,
.xlsb or text table is rebuilt as a new workbook holding its values at the same cells. Originals
are only ever read; copies are saved atomically.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import vocab, xlsx
from pipeline.discover import text_table

log = logging.getLogger("pipeline.annotate")

# --------------------------------------------------------------------------------------
# Colours and limits (not user text)
# --------------------------------------------------------------------------------------
FILL_REJECT = "FFC7CE"
FILL_NOTE = "FFEB9C"
CALAMINE_EXTS = frozenset({".xls", ".ods", ".xlsb"})
CSV_EXTS = frozenset({".csv"})
MAX_NAME_CHARS = 60  # folder and file names: room for suffixes within 255 bytes
MAX_COMMENT_CHARS = 8000
TEXT_SNIFF_BYTES = 4096  # how much of a file tells a text table
CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# What to annotate
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Annotation:
    """One note to put on a cell: ``cell`` is '' for a file-level note (goes on A1)."""

    sheet: str
    cell: str
    action: str
    problem: str
    fix: str


@dataclass(frozen=True)
class AnnotateTask:
    """Everything a worker needs to write one annotated copy (plain data: picklable)."""

    source: str
    target: str
    ext: str
    main_sheet: str
    notes: tuple[Annotation, ...]
    max_uncompressed: int


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------
def safe_name(text: str) -> str:
    """User text as one file or folder name: no separators or '..', short, not a device name."""
    name = xlsx.safe_filename(text)[:MAX_NAME_CHARS].strip(" .") or xlsx.safe_filename("")
    return "_" + name if _WINDOWS_RESERVED.match(name) else name


def copy_name(file: str, used: set[str]) -> str:
    """<stem>_批注.xlsx, made unique within the folder (same stem in two sub-folders)."""
    rel = Path(file)
    stems = [rel.stem, "_".join([*rel.parent.parts, rel.stem]), rel.name]
    for stem in stems:
        name = safe_name(stem) + vocab.ANNOTATED_SUFFIX + ".xlsx"
        if name.casefold() not in used:
            used.add(name.casefold())
            return name
    base, n = safe_name(rel.stem), 2
    while True:
        name = f"{base}({n}){vocab.ANNOTATED_SUFFIX}.xlsx"
        if name.casefold() not in used:
            used.add(name.casefold())
            return name
        n += 1


# --------------------------------------------------------------------------------------
# Writing one copy
# --------------------------------------------------------------------------------------
def annotate_copy(task: AnnotateTask) -> str | None:
    """Write one annotated copy; None when the original cannot be opened (it stays listed
    in the feedback workbook's 异常清单)."""
    try:
        data = Path(task.source).read_bytes()
        wb = _open_copy(data, task)
        if wb is None:
            return None
        _annotate(wb, task)
        with xlsx.atomic_path(Path(task.target)) as tmp:
            wb.save(tmp)
        return task.target
    except Exception as exc:  # noqa: BLE001 - a bad user file means no copy, never a failed run
        log.warning("no annotated copy of %s: %s", task.source, exc)
        return None


def _open_copy(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """The workbook to annotate: the original itself (.xlsx/.xlsm, via openpyxl) or a new one
    holding the original's values at the same cells (.xls/.ods/.xlsb/.csv)."""
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    if task.ext in CSV_EXTS or (not is_zip and text_table(data[:TEXT_SNIFF_BYTES])):
        return _from_csv(data, task)  # a text table, whatever its extension
    if is_zip:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > task.max_uncompressed:
                return None
    if task.ext in CALAMINE_EXTS or not is_zip:
        return _from_calamine(data, task)  # calamine tells the format from the content
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions are dropped, fine here
        # data_only: a formula cell keeps the value the reader saw (its cached result), so the
        # copy carries no live formula or link from the inbox (none that was not there is added)
        return openpyxl.load_workbook(
            io.BytesIO(data), keep_links=False, rich_text=True, data_only=True
        )


def _set_text(cell: Any, value: object) -> None:
    """Write a value into a new cell; text stays text (never a formula)."""
    if isinstance(value, str):
        cell.value = xlsx.cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_TITLE_BAD.sub("_", name).strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.casefold())
    return title


def _from_calamine(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """.xls/.ods: a new workbook holding the values at the same cell positions."""
    from python_calamine import CalamineWorkbook

    source = CalamineWorkbook.from_filelike(io.BytesIO(data))
    ods_merges = _ods_merges(data) if task.ext == ".ods" else {}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name in source.sheet_names:
        sheet = source.get_sheet_by_name(name)
        ws = wb.create_sheet(_sheet_title(name, used))
        for r, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                _set_text(ws.cell(r, c), value)
        merges = getattr(sheet, "merged_cell_ranges", None) or ods_merges.get(name, [])
        for (r0, c0), (r1, c1) in merges:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
    return wb if wb.worksheets else None


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _ods_merges(data: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged ranges of an .ods (calamine does not report them), 0-based like calamine's."""
    import defusedxml.ElementTree as SafeET

    def attr(elem: Any, name: str, default: int = 1) -> int:
        try:
            return int(elem.get(f"{{{_ODS_TABLE}}}{name}", default))
        except ValueError:
            return default

    merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("content.xml") as fh:
            sheet, row, col = "", 0, 0
            for event, elem in SafeET.iterparse(fh, events=("start", "end")):
                tag = elem.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "table":
                    sheet, row = elem.get(f"{{{_ODS_TABLE}}}name", ""), 0
                elif event == "start" and tag == "table-row":
                    col = 0
                elif event == "end" and tag == "table-row":
                    row += attr(elem, "number-rows-repeated")
                    elem.clear()
                elif event == "end" and tag in ("table-cell", "covered-table-cell"):
                    rows, cols = (
                        attr(elem, "number-rows-spanned"),
                        attr(elem, "number-columns-spanned"),
                    )
                    if tag == "table-cell" and (rows > 1 or cols > 1):
                        merges.setdefault(sheet, []).append(
                            ((row, col), (row + rows - 1, col + cols - 1))
                        )
                    col += attr(elem, "number-columns-repeated")
    except (KeyError, zipfile.BadZipFile, SafeET.ParseError, ValueError) as exc:
        log.debug("no merge ranges from ods: %s", exc)
    return merges


def _from_csv(data: bytes, task: AnnotateTask) -> openpyxl.Workbook | None:
    """A text table (.csv, tab-separated, whatever its extension): a new workbook, one sheet,
    each field at the row and column the reader gave it, all as text."""
    from pipeline.read import csv_dialect, decode_text

    text = decode_text(data)
    if text is None:
        return None
    dialect = csv_dialect(text)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _sheet_title(task.main_sheet or Path(task.source).stem, set())
    for r, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        for c, value in enumerate(values, start=1):
            if value != "":
                _set_text(ws.cell(r, c), value)
    return wb


def _worksheet(wb: openpyxl.Workbook, name: str) -> Worksheet | None:
    if name and name in wb.sheetnames:
        ws = wb[name]
        if isinstance(ws, Worksheet):
            return ws
    return None


def _target_cell(ws: Worksheet, ref: str) -> tuple[int, int]:
    """(row, column) a note goes on: the cell itself, the top-left of its merge range,
    or A1 when the reference is empty or not a cell."""
    match = CELL_RE.match(ref.strip()) if ref else None
    if not match:
        return 1, 1
    try:
        row, col = int(match.group(2)), column_index_from_string(match.group(1).upper())
    except ValueError:
        return 1, 1
    if not (1 <= row <= 1_048_576 and 1 <= col <= 16_384):
        return 1, 1
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, col


def _annotate(wb: openpyxl.Workbook, task: AnnotateTask) -> None:
    """Fill and comment every cell a note names; several notes on one cell share a comment."""
    main = _worksheet(wb, task.main_sheet) or wb.worksheets[0]
    targets: dict[tuple[str, int, int], list[Annotation]] = {}
    sheets: dict[str, Worksheet] = {}
    for note in task.notes:
        ws = _worksheet(wb, note.sheet) or main
        row, col = _target_cell(ws, note.cell)
        sheets[ws.title] = ws
        targets.setdefault((ws.title, row, col), []).append(note)
    for (title, row, col), notes in targets.items():
        cell = sheets[title].cell(row, col)
        reject = any(n.action == vocab.ACTION_REJECT for n in notes)
        colour = FILL_REJECT if reject else FILL_NOTE
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        text = "\n\n".join(
            f"【{n.action}】{vocab.ISSUE_COLUMNS['problem']}：{n.problem}\n"
            f"{vocab.ISSUE_COLUMNS['fix']}：{n.fix}"
            for n in notes
        )
        if cell.comment is not None and cell.comment.text:
            text += f"\n\n{vocab.FEEDBACK_COMMENT_OLD_NOTE}{cell.comment.text}"
        text = xlsx.cell_text(text, MAX_COMMENT_CHARS) or ""
        n_lines = sum(max(1, math.ceil(xlsx.display_width(t) / 44)) for t in text.split("\n"))
        cell.comment = Comment(
            text, vocab.FEEDBACK_COMMENT_AUTHOR, height=min(600, 20 + 14 * n_lines), width=280
        )
