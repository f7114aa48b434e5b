"""The archive's identity marker, and reading archives back (history, prefill, combine).

Every archive workbook carries custom document properties named ``vocab.ARCHIVE_PROPERTY_PREFIX``
+ ``format_version`` / ``body`` / ``year`` / ``run_time`` / ``content_hash``. The content hash is
SHA-256 over the catalogue's cells (the SPEC columns, found by their header labels, in row
order), so two archives with the same catalogue have the same hash whatever else changed, and
a catalogue edited by hand no longer matches its marker.

Archives are read back by header label, never by position: the catalogue may gain columns
(序号, 风险点编号) and archives of earlier versions of this tool lack the marker.
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException, ElementTree

from pipeline import vocab
from pipeline.workbook.grid import carry_merges

FORMAT_VERSION = 1
PROPERTY_KEYS = ("format_version", "body", "year", "run_time", "content_hash")
CUSTOM_XML = "docProps/custom.xml"
MAX_CUSTOM_XML_BYTES = 1 << 20  # a marker is a few hundred bytes; refuse anything huge

# Catalogue columns the hash covers, by header label (SPEC order).
HASHED_LABELS = tuple(vocab.CATALOGUE_COLUMNS.values())
_CELL_SEP = "\x1f"
_ROW_SEP = "\x1e"


def archives_in(folder: Path) -> str:
    """The archive file names directly in ``folder`` (last year's output folder given for last
    year's archive), for a message: ``2025_某单位_廉政风险信息档案.xlsx``, or ''."""
    suffix = vocab.ARCHIVE_FILE_TEMPLATE.format(year="", body="").lstrip("_")
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(suffix))
    except OSError:
        return ""
    return vocab.LIST_SEP.join(n for n in names if not n.startswith("~$"))


def property_name(key: str) -> str:
    return vocab.ARCHIVE_PROPERTY_PREFIX + key


def content_hash(cells: Mapping[str, Any]) -> str:
    """SHA-256 hex over the catalogue: ``cells`` maps a header label to its column's values
    (None or '' for an empty cell), a sequence or a coded column (``sheetxml.Coded``). Only SPEC's catalogue columns count, in SPEC order.

    The bytes hashed are the header labels, then per row ``_ROW_SEP`` and the row's cells
    joined by ``_CELL_SEP``; built column by column (one pass per column, one join)."""
    columns = [_cells(cells.get(label, ())) for label in HASHED_LABELS]
    n = max((len(c) for c in columns), default=0)
    columns = [c if len(c) == n else [*c, *([""] * (n - len(c)))] for c in columns]
    digest = hashlib.sha256()
    for label in HASHED_LABELS:
        digest.update(label.encode("utf-8") + _CELL_SEP.encode())
    if n:
        rows = _ROW_SEP.join(map(_CELL_SEP.join, zip(*columns, strict=True)))
        digest.update((_ROW_SEP + rows).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _cells(values: Any) -> list[str]:
    """A column's values as the hashed text (``_cell`` of each; text stays as it is). A coded
    column (``sheetxml.Coded``: ``codes`` into ``uniques``, -1 empty) is spelled per distinct
    value and taken by code."""
    codes = getattr(values, "codes", None)
    if codes is not None:
        table = np.array([*map(_cell, values.uniques), ""], dtype=object)
        return table[codes].tolist()
    return [v if v.__class__ is str else _cell(v) for v in values]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def mark(wb: Any, body: str, year: int, run_time: str, cells: Mapping[str, Any]):
    """Write the identity marker into an xlsxwriter workbook (before ``close()``)."""
    values = {
        "format_version": str(FORMAT_VERSION),
        "body": body,
        "year": str(year),
        "run_time": run_time,
        "content_hash": content_hash(cells),
    }
    for key in PROPERTY_KEYS:
        wb.set_custom_property(property_name(key), values[key])


@dataclass(frozen=True)
class Identity:
    """An archive's marker as read back."""

    format_version: int
    body: str
    year: int
    run_time: str
    content_hash: str


def custom_properties(path: Path) -> dict[str, str]:
    """The custom document properties of an xlsx file ({} when it has none or is no xlsx).
    Reads only docProps/custom.xml (defusedxml: entity declarations are refused)."""
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo(CUSTOM_XML)
            except KeyError:
                return {}
            if info.file_size > MAX_CUSTOM_XML_BYTES:
                return {}
            data = zf.read(info)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, NotImplementedError):
        return {}
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException):  # hostile or broken: no marker
        return {}
    out: dict[str, str] = {}
    for prop in root:
        name = prop.get("name")
        if not name:
            continue
        value = next(iter(prop), None)
        out[name] = "" if value is None or value.text is None else value.text
    return out


def pdf_message(path: Path) -> str | None:
    """For a ``.pdf`` named as last year's archive (the PDF written beside every archive, the
    file a clerk sees first): the Chinese sentence saying so and naming the .xlsx beside it
    when there is one; None for any other file."""
    if path.suffix.lower() != ".pdf":
        return None
    twin = path.with_suffix(".xlsx")
    beside = vocab.LAST_ARCHIVE_PDF_TWIN.format(xlsx=twin.name) if twin.is_file() else ""
    return vocab.LAST_ARCHIVE_IS_PDF.format(path=path, beside=beside)


def other_output(path: Path) -> str | None:
    """What the tool's other output ``path`` is (``vocab.OUTPUT_LABELS``: a district or a
    feedback workbook), or None for an archive or anything else."""
    kind = custom_properties(path).get(vocab.OUTPUT_PROPERTY, "").strip()
    return vocab.OUTPUT_LABELS.get(kind) if kind != vocab.OUTPUT_ARCHIVE else None


def read_identity(path: Path) -> Identity | None:
    """The archive marker of ``path``, or None when the file carries none (or a broken one)."""
    props = custom_properties(path)
    values = {key: props.get(property_name(key)) for key in PROPERTY_KEYS}
    if any(v is None for v in values.values()):
        return None
    try:
        version = int(values["format_version"])  # type: ignore[arg-type]
        year = int(values["year"])  # type: ignore[arg-type]
    except ValueError:
        return None
    return Identity(
        format_version=version,
        body=str(values["body"]),
        year=year,
        run_time=str(values["run_time"]),
        content_hash=str(values["content_hash"]),
    )


# this tool's archive file name, ``<year>_<body>_廉政风险信息档案`` (a copy re-saved as .xls or
# by WPS keeps the name when it loses the marker)
_ARCHIVE_NAME = re.compile(
    "^"
    + re.escape(vocab.ARCHIVE_FILE_TEMPLATE.removesuffix(".xlsx"))
    .replace(re.escape("{year}"), r"(20\d{2})")
    .replace(re.escape("{body}"), "(.+)")
    + "$"
)


def archive_body(path: Path) -> str:
    """The body an archive of this tool is of: its marker's, else its file name's; '' when
    neither says (a hand-made catalogue)."""
    identity = read_identity(path)
    if identity is not None:
        return identity.body.strip()
    named = _ARCHIVE_NAME.match(Path(path).stem.strip())
    return named.group(2).strip() if named else ""


def archive_year(path: Path) -> int:
    """The year an archive of this tool is of: its marker's, else its file name's; 0 when
    neither says."""
    identity = read_identity(path)
    if identity is not None:
        return identity.year
    named = _ARCHIVE_NAME.match(Path(path).stem.strip())
    return int(named.group(1)) if named else 0


def other_body(path: Path, *ours: str) -> str | None:
    """The body named by the archive ``path`` when it is surely none of ``ours`` (this
    run's body name), else None. Names are folded; one within the other
    is the same body (a file name cuts the body to 60 characters, 妇联 / 区妇联)."""
    theirs = archive_body(path)
    folded = vocab.fold(theirs)
    names = [vocab.fold(n) for n in ours if vocab.fold(n)]
    if not folded or not names:
        return None
    if any(n == folded or n in folded or folded in n for n in names):
        return None
    return theirs


# --------------------------------------------------------------------------------------
# Reading a catalogue back by its header labels
# --------------------------------------------------------------------------------------
# Output key -> labels accepted for it (this tool's labels first, then what earlier versions
# and hand-made catalogues use).
CATALOGUE_LABELS: dict[str, tuple[str, ...]] = {
    key: (label, *vocab.CATALOGUE_SYNONYMS.get(key, ()))
    for key, label in vocab.CATALOGUE_COLUMNS.items()
}
CATALOGUE_LABELS["point_id"] = (vocab.POINT_ID_LABEL,)
CATALOGUE_LABELS["body"] = (vocab.COMBINE_BODY_LABEL, *vocab.COMBINE_BODY_SYNONYMS)
_LOOKUP = {vocab.fold(labels[0]): key for key, labels in CATALOGUE_LABELS.items()}
for _key, _labels in CATALOGUE_LABELS.items():
    for _label in _labels[1:]:
        _LOOKUP.setdefault(vocab.fold(_label), _key)
for _key, _labels in vocab.CATALOGUE_SYNONYMS_MORE.items():  # the forms' wording, after ours
    for _label in _labels:
        _LOOKUP.setdefault(vocab.fold(_label), _key)
# A catalogue is recognised by these columns (every hand-made layout has them).
REQUIRED_KEYS = ("section", "post", "description", "level")
# combine also reads a body's catalogue that lists no 岗位 (its sections' points)
REQUIRED_KEYS_COMBINE = ("section", "description", "level")
HEADER_SCAN_ROWS = 10
MEASURE_KEYS = ("prevent", "monitor", "handle")


def _label_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    folded = vocab.fold(value)
    key = _LOOKUP.get(folded)
    if key is None:
        # a bracketed hint after a label: 风险等级（一二三级）
        for opener in ("(", "（", "【", "["):
            if opener in value:
                key = _LOOKUP.get(vocab.fold(value.split(opener, 1)[0]))
                break
    return key


def name_unsure(label: object) -> bool:
    """Whether a catalogue's 姓名 column is headed by a word that may name the supervisor
    rather than the point's own person (责任人, 风险责任人: some bodies' catalogues list there
    who answers for the point)."""
    return isinstance(label, str) and any(w in vocab.fold(label) for w in vocab.NAME_UNSURE_WORDS)


def name_label(rows: Sequence[Sequence[object]], header_row: int, column: int) -> str:
    """The text heading a catalogue's 姓名 column (in the header's last row or the one above)."""
    for r in (header_row, header_row - 1):
        if 0 <= r < len(rows) and column < len(rows[r]) and _label_key(rows[r][column]) == "name":
            return str(rows[r][column]).strip()
    return ""


def find_header(
    rows: Sequence[Sequence[object]], required: Sequence[str] = REQUIRED_KEYS
) -> tuple[int, dict[str, int]] | None:
    """(index of the header's last row, key -> column index) of the first of the top rows
    holding every ``required`` catalogue label, or None. A second header row under it (防控措施
    merged over 前期预防 | 中期监控 | 后期处置) adds its columns; the rows follow it."""
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            key = _label_key(value)
            if key is not None and key not in columns:
                columns[key] = c
            elif key == "name" and name_unsure(row[columns[key]]) and not name_unsure(value):
                columns[key] = c  # 姓名 beside a 责任人 column (who may be the supervisor)
        if all(k in columns for k in required):
            if r + 1 < len(rows):
                more = _sub_header(row, rows[r + 1], columns)
                if more:
                    return r + 1, {**columns, **more}
            return r, columns
    return None


def _sub_header(
    row: Sequence[object], below: Sequence[object], columns: dict[str, int]
) -> dict[str, int]:
    """The columns a header's second row adds: every filled cell of ``below`` is a label or
    repeats the label above it (a merged cell carried down), and some are labels of keys the
    first row lacks; {} when it is not such a row (a point's row, say)."""
    more: dict[str, int] = {}
    choices: dict[str, int] = {}
    for c, value in enumerate(below):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if c < len(row) and value == row[c]:
            continue
        above = _label_key(row[c]) if c < len(row) else None
        enum = TICK_FIELDS.get(above or "")
        if enum and isinstance(value, str) and vocab.fold(value) in vocab.ENUM_LOOKUP[enum]:
            choices[f"{TICK_KEY}{above}{TICK_KEY}{value.strip()}"] = c  # 风险等级 over 高|中|低
            continue
        key = _label_key(value)
        if key is None:
            return {}
        if key not in columns and key not in more:
            more[key] = c
    fields = [k.split(TICK_KEY)[1] for k in choices]
    if any(fields.count(f) < 2 for f in fields):  # one value alone under a label: a point
        return {}
    return {**more, **choices}


# A field graded by ticking (its label merged over its choices, √ under one): columns keys
# f"{TICK_KEY}{key}{TICK_KEY}{choice as written}" -> the choice's column.
TICK_KEY = "\x1f"
TICK_FIELDS = {
    "level": "self_level",
    "likelihood": "likelihood",
    "harm": "harm",
    "category": "category",
}


def apply_ticks(
    data: dict[str, list[str]], rows: Sequence[Sequence[object]], columns: dict[str, int]
) -> None:
    """Each ticked field's value per row: the choice it marked, as written (several joined by
    、, then unreadable and told at its cell; none: blank). As the forms' tick columns are read."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for name, c in columns.items():
        if name.startswith(TICK_KEY):
            _, key, choice = name.split(TICK_KEY)
            groups.setdefault(key, []).append((c, choice))
    no = {vocab.fold(m) for m in vocab.TICK_NO_MARKS}
    for key, choices in groups.items():
        values = []
        for r in rows:
            marks = [
                choice
                for c, choice in choices
                if c < len(r) and (text := _cell(r[c]).strip()) and vocab.fold(text) not in no
            ]
            values.append(vocab.TICK_JOIN.join(marks))
        data[key] = values


def split_combined_measures(data: dict[str, list[str]]) -> None:
    """A catalogue's single 防控措施 column (key ``measures``, with none of the three) split
    into 前期预防 / 中期监控 / 后期处置 as the reader splits a form's (``normalize``); the
    whole text is 前期预防 when it names no stage. The ``measures`` column is dropped."""
    combined = data.pop("measures", None)
    if combined is None or any(k in data for k in MEASURE_KEYS):
        return
    from pipeline.normalize import split_measures  # pandas: only when a catalogue needs it

    parts = {text: split_measures(text)[:3] for text in set(combined)}
    for i, key in enumerate(MEASURE_KEYS):
        data[key] = [parts[text][i] or "" for text in combined]


def catalogue_frame(
    rows: Sequence[Sequence[object]], section: str | None = None
) -> pd.DataFrame | None:
    """A catalogue sheet's rows (as calamine gives them) -> one text column per known key,
    or None when the sheet holds no catalogue header. Empty rows are dropped. ``section``:
    the sheet's name, every point's section when the table has no 科室 column."""
    required = REQUIRED_KEYS
    if section is not None:
        required = tuple(k for k in REQUIRED_KEYS if k != "section")
    found = find_header(rows, required)
    if found is None:
        return None
    header_row, columns = found
    body = rows[header_row + 1 :]
    width = max(columns.values()) + 1
    # columns at once (calamine rows are lists of equal length; pad any short ones)
    padded = [r if len(r) >= width else [*r, *([""] * (width - len(r)))] for r in body]
    transposed = list(zip(*padded, strict=False)) if padded else [()] * width
    data: dict[str, list[str]] = {}
    for key, c in columns.items():
        if key.startswith(TICK_KEY):
            continue
        column = transposed[c]
        if all(v.__class__ is str for v in column):
            data[key] = list(column)
        else:
            data[key] = [_cell(v) for v in column]
    apply_ticks(data, padded, columns)
    data["excel_row"] = [str(header_row + 2 + i) for i in range(len(body))]
    if "section" not in data and section is not None:
        data["section"] = [section] * len(body)
    split_combined_measures(data)
    frame = pd.DataFrame(data, dtype=object)  # plain str objects: cheap to build and pickle
    if len(frame):
        filled = (
            frame[[k for k in REQUIRED_KEYS if k != "level"]]
            .apply(lambda s: s.str.strip().ne(""))
            .any(axis=1)
        )
        filled &= ~pd.Series(footer_rows(body, columns), index=filled.index)
        frame = frame[filled.to_numpy()].reset_index(drop=True)
    frame.attrs["columns"] = dict(columns)  # key -> 0-based column, for cell references
    if "name" in columns:
        frame.attrs["name_label"] = name_label(rows, header_row, columns["name"])
    return frame


# a signature line under a catalogue (填表人：王五  审核人：赵六, 联系电话：…, 单位（盖章）：): no point
FOOTER = re.compile(
    r"^\s*(?:填表|填报|制表|审核|审定|审批|复核|经办|联系|报送|签字|盖章|日期|时间|单位负责|"
    r"单位\s*[（(]\s*盖章)[^：:]{0,10}[：:]"
)


# a 合计 / 小计 row (its count under 风险等级 or 风险点描述 is no level and no point)
TOTAL = re.compile(r"\s*(?:合|小|总|共)\s*计\s*[:：]?\s*")
COUNT = re.compile(r"\s*(?:共|合计)?\s*\d+\s*(?:个|项|条|处)?\s*(?:风险点)?\s*")


def footer_rows(rows: Sequence[Sequence[object]], columns: Mapping[str, int]) -> list[bool]:
    """Per row under a catalogue's header (raw cells; ``columns``: key -> 0-based column),
    whether it is no point but a line of the table's foot: a 合计/小计 row (its 风险点描述 blank
    or a count: 「3个」), or a signature line — some cell a 填表人：/审核人：/联系电话：… label and
    neither 风险点描述 nor the level holding anything else."""
    desc_col, level_col = columns.get("description"), columns.get("level")

    def text(row: Sequence[object], c: int | None) -> str:
        if c is None or c >= len(row) or row[c] is None:
            return ""
        return str(row[c]).strip()

    out = []
    for row in rows:
        desc, level = text(row, desc_col), text(row, level_col)
        if desc and not COUNT.fullmatch(desc) and not FOOTER.match(desc):
            out.append(False)  # the usual row: a description of its own
            continue
        cells = [str(v) for v in row if isinstance(v, str) and v.strip()]
        total = any(TOTAL.fullmatch(v) for v in cells) and (not desc or COUNT.fullmatch(desc))
        signed = (
            any(FOOTER.match(v) for v in cells)
            and (not desc or FOOTER.match(desc) is not None)
            and (not level or FOOTER.match(level) is not None)
        )
        out.append(bool(total or signed))
    return out


def catalogue_cells(frame: pd.DataFrame) -> dict[str, list[str]]:
    """A frame read by ``catalogue_frame`` -> the label -> values mapping ``content_hash``
    takes (so a read archive can be checked against its marker)."""
    return {
        label: frame[key].tolist() if key in frame.columns else [""] * len(frame)
        for key, label in vocab.CATALOGUE_COLUMNS.items()
    }


def read_catalogue(path: Path) -> pd.DataFrame | None:
    """The catalogue of an archive (this tool's, of any version), found by sheet name and
    then by header labels; None when no sheet holds one. Read with python-calamine.

    A hand-made workbook may keep one catalogue per section: every visible sheet holding one
    is read (a sheet without a 科室 column takes its name as the section) and their points
    are one catalogue; a sheet whose points all stand in another (a 汇总 beside the sections'
    sheets) is left out, so no point counts twice. ``attrs["sheet"]``: the sheets read."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    names = list(wb.sheet_names)
    if vocab.ARCHIVE_SHEET_CATALOGUE in names:  # this tool's archive: its catalogue sheet
        rows = wb.get_sheet_by_name(vocab.ARCHIVE_SHEET_CATALOGUE).to_python(skip_empty_area=False)
        frame = catalogue_frame(rows)
        if frame is not None:
            frame.attrs["sheet"] = vocab.ARCHIVE_SHEET_CATALOGUE
            return frame
    visible = {m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")}
    found: list[tuple[str, pd.DataFrame]] = []
    for name in sorted(names, key=lambda n: n not in visible):
        if name == vocab.ARCHIVE_SHEET_CATALOGUE or (found and name not in visible):
            continue
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        ranges = getattr(sheet, "merged_cell_ranges", None) or []
        carry_merges(rows, [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges])
        frame = catalogue_frame(rows, section=sheet_section(name))
        if frame is not None:
            found.append((name, frame))
    if not found:
        return None
    keys = [set(zip(f["section"], f["description"], strict=True)) for _, f in found]
    kept = [found[i] for i in distinct_sheets(keys)]
    if len(kept) == 1:
        frame = kept[0][1]
    else:
        frame = pd.concat([f for _, f in kept], ignore_index=True).fillna("")
        frame.attrs["columns"] = kept[0][1].attrs.get("columns", {})
        labels = [f.attrs["name_label"] for _, f in kept if f.attrs.get("name_label")]
        # one sheet's 责任人 makes the whole catalogue's names unsure
        unsure = [label for label in labels if name_unsure(label)]
        if labels:
            frame.attrs["name_label"] = (unsure or labels)[0]
    frame.attrs["sheet"] = "、".join(name for name, _ in kept)
    return frame


# words of a document's name (a file's, a sheet's), not of a body or section
# (档案 of 档案局, 档案馆, 档案室 names a body or a section, not the document)
DOCUMENT_WORDS = re.compile(
    "目录|档案(?![局馆室处科])|风险|汇总|一览表|清单|台账|自查|报送|终稿|定稿|修改|副本"
)
# a sheet name that names no section: Sheet1, 工作表2, 汇总, 说明, 附表
SHEET_NOT_SECTION = re.compile(r"(?i)(sheet|工作表|表|页)?\s*\d*|.*(说明|附件|附表).*")


def sheet_section(name: str) -> str | None:
    """A sheet's name as the section of its points when its table has no 科室 column (a body's
    workbook of one sheet per section), None for a name that names no section (Sheet1, 汇总)."""
    name = name.strip()
    if SHEET_NOT_SECTION.fullmatch(name) or DOCUMENT_WORDS.search(name):
        return None
    return name


def distinct_sheets(keys: Sequence[set[tuple[str, str]]]) -> list[int]:
    """Of sheets' (科室, 风险点描述) sets, the indices to keep: a sheet whose points all stand
    in another sheet (a 汇总 of the others, a copy: the first copy is kept) is left out."""
    return [
        i
        for i, mine in enumerate(keys)
        if not any(
            j != i and mine <= other and (mine != other or j < i) for j, other in enumerate(keys)
        )
    ]
