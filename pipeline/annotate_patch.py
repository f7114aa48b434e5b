"""Annotated copies of plain .xlsx packages by patching the original package: only the sheet
XML of the marked cells, the styles, the comments and VML parts, the notes sheet, the custom
properties and the relationships/content types that name them change; every other member is
copied as it is. An openpyxl round trip costs ~25 ms a form; this costs ~2 ms.

``patch_copy`` returns None for anything unusual (formulas, links, existing comments, macros,
Strict OOXML, prefixed XML, rows or cells without references, text openpyxl would cut or
refuse, a copy we wrote sent back, sheets to leave out): the caller then uses openpyxl.
"""

from __future__ import annotations

import bisect
import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr, unescape

from pipeline import sheetxml, vocab, xlsx

if TYPE_CHECKING:
    from pipeline.annotate import AnnotateTask, Annotation

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = REL_NS + "/custom-properties"
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

# Elements that follow <pageSetup> / <legacyDrawing> in a worksheet (CT_Worksheet order).
_AFTER_PAGE_SETUP = (
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_AFTER_LEGACY_DRAWING = _AFTER_PAGE_SETUP[_AFTER_PAGE_SETUP.index("legacyDrawingHF") :]

# Members and sheet elements the openpyxl path drops (or that could run or fetch something).
# A defined name a copy may keep: references into the workbook (A1, $A:$B, $1:$1, #REF!, a
# list of them) or a constant (the template marker). Anything else (a DDE call
# cmd|' /c calc'!A0, a function, [1]Sheet1!A1 in another book) is a formula the submitter
# wrote, which a copy never carries.
_NAME_SHEET = r"(?:'(?:[^']|'')+'|[^\s!'\"\[\]()=,+\-*/&^<>|:;{}]+)!"
_NAME_AREA = (
    r"(?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
    r"|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+|#REF!)"
)
_NAME_REF = f"(?:{_NAME_SHEET})?{_NAME_AREA}"
_INERT_NAME = re.compile(
    rf'\s*=?\s*(?:"(?:[^"]|"")*"|-?\d+(?:\.\d+)?(?:[Ee][+-]?\d+)?|TRUE|FALSE'
    rf"|{_NAME_REF}(?:,{_NAME_REF})*)\s*",
    re.IGNORECASE,
)
_DEFINED_NAME_TEXT = re.compile(r"<(?:\w+:)?definedName\b[^>]*>([^<]*)<")


def inert_name(text: str) -> bool:
    """True for a defined name's text that is a plain reference or a constant."""
    return _INERT_NAME.fullmatch(text) is not None


_LIVE_PARTS = ("xl/embeddings/", "xl/activex/", "xl/ctrlprops/", "xl/externallinks/")
_LIVE_TAGS = (b"<hyperlinks", b"<legacyDrawing", b"<oleObjects", b"<controls")
_FORMULA = re.compile(rb"<f[\s>/]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#x?0*(?:[0-8]|1[0-9a-fA-F]?|[bBcCeEfF]);")
_LONG_RUN = re.compile(rb">[^<]{%d,}<" % xlsx.MAX_CELL_CHARS)
_CELL_TAG = re.compile(rb"<c[\s>/]")
_CELL_WITH_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_TAG = re.compile(rb"<row[\s>/]")
_ROW_WITH_REF = re.compile(rb'<row r="([0-9]{1,7})"')
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
_REL = re.compile(r"<Relationship\b[^>]*>")
_ATTR = re.compile(r'(\w[\w:.-]*)="([^"]*)"')


class Unusual(Exception):
    """The package is not one this module patches: use openpyxl."""


@dataclass
class _Sheet:
    title: str
    part: str  # e.g. xl/worksheets/sheet1.xml
    xml: bytes
    position: int = 0  # among all the workbook's sheets (chartsheets too), 0-based


def patch_copy(data: bytes, task: AnnotateTask, digest: str) -> bytes | None:
    """The annotated copy's bytes, or None when the package is unusual (see the module)."""
    if task.drop_sheets or task.only_sheets:
        return None
    try:
        return _Patcher(data, task, digest).run()
    except (Unusual, KeyError, ValueError, IndexError, zipfile.BadZipFile, UnicodeError):
        return None


class _Patcher:
    def __init__(self, data: bytes, task: AnnotateTask, digest: str) -> None:
        self.task = task
        self.digest = digest
        self.zin = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.zin.namelist()
        if len(set(self.names)) != len(self.names):
            raise Unusual("duplicate members")
        self.changed: dict[str, bytes] = {}
        self.grids: dict[str, list[list[object]]] = {}

    def read(self, name: str) -> bytes:
        return self.changed[name] if name in self.changed else self.zin.read(name)

    # ----------------------------------------------------------------------------------
    def run(self) -> bytes:
        types = self.read("[Content_Types].xml").decode("utf-8")
        workbook_part = self._workbook_part()
        if WORKBOOK_CT.decode() not in types or "vbaProject" in types:
            raise Unusual("not a plain workbook")
        wb_xml = self.read(workbook_part)
        if MAIN_NS not in wb_xml or b"<workbook" not in wb_xml:
            raise Unusual("not transitional SpreadsheetML")
        for text in _DEFINED_NAME_TEXT.findall(wb_xml.decode("utf-8")):
            if not inert_name(unescape(text, {"&quot;": '"', "&apos;": "'"})):
                raise Unusual("defined names holding formulas")
        wb_rels_part = _rels_of(workbook_part)
        wb_rels = self.read(wb_rels_part).decode("utf-8")
        if "externalLink" in wb_rels:
            raise Unusual("external links")
        sheets = self._sheets(workbook_part, wb_xml.decode("utf-8"), wb_rels)
        if not sheets:
            raise Unusual("no worksheet")
        for sheet in sheets:
            self._check_sheet(sheet)
        for name in self.names:
            lower = name.lower()
            if lower.startswith(_LIVE_PARTS) or "connections" in lower or "querytable" in lower:
                raise Unusual("embedded objects, controls, macros or data connections")
            if lower.endswith(".rels") and b'TargetMode="External"' in self.read(name):
                raise Unusual("external targets")
        custom = "docProps/custom.xml"
        if custom in self.names and vocab.COPY_SOURCE_PROPERTY.encode() in self.read(custom):
            raise Unusual("a copy we wrote: last round's marks need openpyxl")
        for name in self.names:
            if name.endswith("sharedStrings.xml"):
                strings = self.read(name)
                if _CONTROL.search(strings) or _LONG_RUN.search(strings):
                    raise Unusual("text openpyxl would refuse or cut")

        targets = self._targets(sheets)
        styles_part = self._part_of(wb_rels, workbook_part, "/styles")
        styles = Styles(self.read(styles_part).decode("utf-8"))
        placed: list[tuple[str, str, str]] = []
        order = {s.title: i for i, s in enumerate(sheets)}
        titled = _titled_sheets(wb_xml.decode("utf-8"))
        main = next((s for s in sheets if s.title == self.task.main_sheet), sheets[0])
        for index, sheet in enumerate(sheets):
            cells = {k[1:]: v for k, v in targets.items() if k[0] == sheet.title}
            xml = sheet.xml.decode("utf-8")
            if cells:
                xml = self._mark_cells(xml, cells, styles)
                xml = self._add_comments(sheet, xml, cells, index + 1)
                for (row, col), notes in cells.items():
                    placed.append((sheet.title, _ref(row, col), _comment_text(notes)))
            if sheet is main:
                xml = add_dropdowns(xml, self._grid(workbook_part, wb_rels, sheet))
            if not has_own_page(xml, sheet.position in titled):
                xml = give_page(xml, styles)
                if sheet is main:
                    self._repeat_header(workbook_part, wb_rels, sheet, sheet.position)
            xml = _set_page_setup(xml)
            self.changed[sheet.part] = xml.encode("utf-8")
        placed.sort(key=lambda p: (order[p[0]], _cell_key(p[1])))
        self._open_on_marks(workbook_part, sheets, {p[0] for p in placed})
        if placed:
            self._add_notes_sheet(workbook_part, wb_rels_part, sheets, placed, styles)
        self.changed[styles_part] = styles.xml().encode("utf-8")
        self._set_marker()
        return self._write()

    def _show_marked(
        self, workbook_part: str, wb_xml: str, sheets: list[_Sheet], marked: set[str]
    ) -> str:
        """``wb_xml`` with every hidden sheet that holds a mark shown (the sender would not
        see its marks otherwise); the changed part is kept."""
        end = wb_xml.find("</sheets>")
        tags = list(re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb_xml[: max(end, 0)]))
        show = {s.position for s in sheets if s.title in marked and s.position < len(tags)}
        pieces, at = [], 0
        for position, tag in enumerate(tags):
            if position in show and _STATE.search(tag.group(0)):
                pieces += [wb_xml[at : tag.start()], _STATE.sub("", tag.group(0))]
                at = tag.end()
        if not pieces:
            return wb_xml
        wb_xml = "".join(pieces) + wb_xml[at:]
        self.changed[workbook_part] = wb_xml.encode("utf-8")
        return wb_xml

    def _open_on_marks(self, workbook_part: str, sheets: list[_Sheet], marked: set[str]) -> None:
        """The copy opens on the first visible sheet holding a mark when the sheet it would
        open on holds none (a form behind a 说明 sheet: the sender saw no mark)."""
        wb_xml = self.read(workbook_part).decode("utf-8")
        wb_xml = self._show_marked(workbook_part, wb_xml, sheets, marked)
        view = re.search(r"<(?:\w+:)?workbookView\b[^>]*?/?>", wb_xml)
        tags = re.findall(r"<(?:\w+:)?sheet\b[^>]*>", wb_xml[: wb_xml.find("</sheets>")])
        if view is None:
            return
        attrs = dict(_ATTR.findall(view.group(0)))
        active = int(attrs.get("activeTab", "0") or 0)
        visible = [not re.search(r'\sstate="(?:hidden|veryHidden)"', t) for t in tags]
        by_position = {s.position: s for s in sheets}
        if active in by_position and by_position[active].title in marked:
            return
        target = next(
            (
                s.position
                for s in sheets
                if s.title in marked and s.position < len(tags) and visible[s.position]
            ),
            None,
        )
        if target is None:
            return
        first = min(int(attrs.get("firstSheet", "0") or 0), target)
        element = _set_attrs(view.group(0), activeTab=str(target), firstSheet=str(first))
        wb_xml = wb_xml[: view.start()] + element + wb_xml[view.end() :]
        self.changed[workbook_part] = wb_xml.encode("utf-8")
        for sheet in sheets:
            xml = self.changed.get(sheet.part, sheet.xml).decode("utf-8")
            tag = re.search(r"<sheetView\b[^>]*?/?>", xml)
            if tag is None:
                continue
            chosen = "1" if sheet.position == target else "0"
            selected = _set_attrs(tag.group(0), tabSelected=chosen)
            self.changed[sheet.part] = (xml[: tag.start()] + selected + xml[tag.end() :]).encode(
                "utf-8"
            )

    def _grid(self, workbook_part: str, wb_rels: str, sheet: _Sheet) -> list[list[object]]:
        """The values of the sheet's first rows, where its table header is."""
        from pipeline.layout import HEADER_SCAN_ROWS

        if sheet.part in self.grids:
            return self.grids[sheet.part]
        strings: list[str] = []
        for attrs in _rels(wb_rels):
            if attrs.get("Type", "").endswith("/sharedStrings"):
                part = _resolve(workbook_part, attrs["Target"])
                if part in self.names:
                    strings = shared_strings(self.read(part).decode("utf-8"))
        self.grids[sheet.part] = sheet_grid(sheet.xml.decode("utf-8"), strings, HEADER_SCAN_ROWS)
        return self.grids[sheet.part]

    def _repeat_header(self, workbook_part: str, wb_rels: str, sheet: _Sheet, index: int) -> None:
        """The form sheet's table header printed on every page (print titles)."""
        rows = title_rows(self._grid(workbook_part, wb_rels, sheet))
        if rows is None:
            return
        wb_xml = self.read(workbook_part).decode("utf-8")
        span = f"${rows[0]}:${rows[1]}"
        self.changed[workbook_part] = _with_print_titles(wb_xml, sheet.title, index, span).encode(
            "utf-8"
        )

    # ----------------------------------------------------------------------------------
    def _workbook_part(self) -> str:
        rels = self.read("_rels/.rels").decode("utf-8")
        for attrs in _rels(rels):
            if attrs.get("Type", "").endswith("/officeDocument"):
                target = attrs["Target"].lstrip("/")
                if target in self.names:
                    return target
        raise Unusual("no workbook part")

    def _part_of(self, rels: str, owner: str, type_end: str) -> str:
        for attrs in _rels(rels):
            if attrs.get("Type", "").endswith(type_end) and attrs.get("TargetMode") != "External":
                part = _resolve(owner, attrs["Target"])
                if part in self.names:
                    return part
        raise Unusual(f"no {type_end} part")

    def _sheets(self, workbook_part: str, wb_xml: str, wb_rels: str) -> list[_Sheet]:
        by_id = {a["Id"]: a for a in _rels(wb_rels) if "Id" in a}
        out = []
        for position, match in enumerate(re.finditer(r"<sheet\b[^>]*>", wb_xml)):
            attrs = dict(_ATTR.findall(match.group(0)))
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            rel = by_id.get(rid)
            if rel is None or not rel.get("Type", "").endswith("/worksheet"):
                if rel is not None and rel.get("Type", "").endswith("/chartsheet"):
                    continue
                raise Unusual("a sheet that is not a worksheet")
            part = _resolve(workbook_part, rel["Target"])
            if part not in self.names:
                raise Unusual("missing sheet part")
            title = _unescape(attrs.get("name", ""))
            out.append(_Sheet(title, part, self.read(part), position))
        return out

    def _check_sheet(self, sheet: _Sheet) -> None:
        xml = sheet.xml
        head = xml[:400].lstrip()
        if not head.startswith((b"<?xml", b"<worksheet")):
            raise Unusual("odd sheet start")
        if b"<worksheet" not in xml[:600] or MAIN_NS not in xml[:2000]:
            raise Unusual("prefixed or strict sheet")
        if _FORMULA.search(xml) or any(tag in xml for tag in _LIVE_TAGS):
            raise Unusual("formulas, links or comments")
        if _CONTROL.search(xml) or _LONG_RUN.search(xml):
            raise Unusual("text openpyxl would refuse or cut")
        if len(_CELL_TAG.findall(xml)) != len(_CELL_WITH_REF.findall(xml)):
            raise Unusual("cells without references")
        if len(_ROW_TAG.findall(xml)) != len(_ROW_WITH_REF.findall(xml)):
            raise Unusual("rows without numbers")
        rels = _rels_of(sheet.part)
        if rels in self.names:
            text = self.read(rels).decode("utf-8")
            if "/hyperlink" in text or "/comments" in text or "/vmlDrawing" in text:
                raise Unusual("links or comments")

    def _targets(self, sheets: list[_Sheet]) -> dict[tuple[str, int, int], list[Annotation]]:
        from pipeline.annotate import _cell_of

        titles = {s.title: s for s in sheets}
        main = titles.get(self.task.main_sheet) or sheets[0]
        wanted: dict[str, list[tuple[tuple[int, int], Annotation]]] = {}
        for note in self.task.notes:
            sheet = titles.get(note.sheet) or main
            wanted.setdefault(sheet.title, []).append((_cell_of(note.cell), note))
        targets: dict[tuple[str, int, int], list[Annotation]] = {}
        for title, items in wanted.items():
            top = _top_left(titles[title].xml, {cell for cell, _ in items})
            for cell, note in items:
                targets.setdefault((title, *top[cell]), []).append(note)
        return targets

    # ----------------------------------------------------------------------------------
    def _mark_cells(
        self, xml: str, cells: dict[tuple[int, int], list[Annotation]], styles: Styles
    ) -> str:
        from pipeline.annotate import FILL_NOTE, FILL_REJECT

        by_row: dict[int, dict[int, str]] = {}
        for (row, col), notes in cells.items():
            reject = any(n.action == vocab.ACTION_REJECT for n in notes)
            by_row.setdefault(row, {})[col] = FILL_REJECT if reject else FILL_NOTE
        start = xml.find("<sheetData")
        if start < 0:
            raise Unusual("no sheetData")
        open_end = xml.index(">", start)
        if xml[open_end - 1] == "/":  # <sheetData/>
            xml = xml[: open_end - 1] + "></sheetData>" + xml[open_end + 1 :]
        head_end = xml.index(">", start) + 1
        close = xml.index("</sheetData>", head_end)
        body = xml[head_end:close]
        pieces: list[str] = []
        pos = 0
        pending = sorted(by_row)
        for m in re.finditer(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', body, re.DOTALL):
            number = int(m.group(1))
            pieces.append(body[pos : m.start()])
            while pending and pending[0] < number:  # rows that do not exist yet
                pieces.append(_new_row(pending.pop(0), by_row, styles))
            if pending and pending[0] == number:
                pieces.append(_mark_row(m.group(0), number, by_row[pending.pop(0)], styles))
            else:
                pieces.append(m.group(0))
            pos = m.end()
        pieces.append(body[pos:])
        for number in pending:
            pieces.append(_new_row(number, by_row, styles))
        xml = xml[:head_end] + "".join(pieces) + xml[close:]
        return _show_columns(xml, {col for _, col in cells})

    def _add_comments(
        self,
        sheet: _Sheet,
        xml: str,
        cells: dict[tuple[int, int], list[Annotation]],
        number: int,
    ) -> str:
        comments_part = self._free(f"xl/comments/comment{number}.xml")
        vml_part = self._free(f"xl/drawings/commentsDrawing{number}.vml")
        author = escape(vocab.FEEDBACK_COMMENT_AUTHOR)
        items = []
        shapes = []
        for n, ((row, col), notes) in enumerate(sorted(cells.items()), start=1):
            text = _comment_text(notes)
            items.append(
                f'<comment ref="{_ref(row, col)}" authorId="0"><text><t xml:space="preserve">'
                f"{escape(text)}</t></text></comment>"
            )
            lines = sum(max(1, math.ceil(xlsx.display_width(t) / 44)) for t in text.split("\n"))
            height = min(600, 20 + 14 * lines)
            shapes.append(_vml_shape(number * 1024 + n, row - 1, col - 1, height))
        self.changed[comments_part] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<authors><author>{author}</author></authors><commentList>{''.join(items)}"
            "</commentList></comments>"
        ).encode()
        self.changed[vml_part] = (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/>'
            "</o:shapelayout>"
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f"{''.join(shapes)}</xml>"
        ).encode()
        rels_part = _rels_of(sheet.part)
        rels = self.read(rels_part).decode("utf-8") if rels_part in self.names else _empty_rels()
        rels, _ = _add_rel(rels, REL_NS + "/comments", _relative(sheet.part, comments_part))
        rels, vml_id = _add_rel(rels, REL_NS + "/vmlDrawing", _relative(sheet.part, vml_part))
        self.changed[rels_part] = rels.encode("utf-8")
        self._content_type(override=(comments_part, COMMENTS_CT), default=("vml", VML_CT))
        element = f'<legacyDrawing xmlns:r="{REL_NS}" r:id="{vml_id}"/>'
        return _insert_before(xml, element, _AFTER_LEGACY_DRAWING)

    def _add_notes_sheet(
        self,
        workbook_part: str,
        wb_rels_part: str,
        sheets: list[_Sheet],
        placed: list[tuple[str, str, str]],
        styles: Styles,
    ) -> None:
        from pipeline.annotate import _sheet_title

        used = {s.title.casefold() for s in sheets}
        title = _sheet_title(vocab.COPY_NOTES_SHEET, used)
        part = self._free(f"xl/worksheets/sheet{len(sheets) + 1}.xml")
        head = styles.notes_style(bold=True)
        body = styles.notes_style(bold=False)
        widths = (16, 8, 70)
        rows = []
        header = "".join(
            _inline(1, c, text, head) for c, text in enumerate(vocab.COPY_NOTES_HEADERS, start=1)
        )
        rows.append(f'<row r="1">{header}</row>')
        for r, (sheet_title, ref, text) in enumerate(placed, start=2):
            lines = sum(
                max(1, math.ceil(xlsx.display_width(t) / (widths[2] - 2))) for t in text.split("\n")
            )
            height = min(409.0, 15.0 * lines + 3)
            cells = "".join(
                _inline(r, c, value, body)
                for c, value in enumerate((sheet_title, ref, text), start=1)
            )
            rows.append(f'<row r="{r}" ht="{height:g}" customHeight="1">{cells}</row>')
        cols = "".join(
            f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
            for c, w in enumerate(widths, start=1)
        )
        self.changed[part] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0" '
            'cellComments="atEnd"/>'
            "</worksheet>"
        ).encode()
        rels = self.read(wb_rels_part).decode("utf-8")
        rels, rid = _add_rel(rels, REL_NS + "/worksheet", _relative(workbook_part, part))
        self.changed[wb_rels_part] = rels.encode("utf-8")
        wb_xml = self.read(workbook_part).decode("utf-8")
        ids = [int(i) for i in re.findall(r'<sheet\b[^>]*\bsheetId="(\d+)"', wb_xml)]
        # the namespace declared on the element itself: a workbook may declare it on each of
        # its <sheet> elements only, and a prefix bound nowhere makes the package unreadable
        element = (
            f'<sheet name={quoteattr(title)} sheetId="{max(ids, default=0) + 1}" '
            f'xmlns:r="{REL_NS}" r:id="{rid}"/>'
        )
        end = wb_xml.find("</sheets>")
        if end < 0:
            raise Unusual("no sheets element")
        index = len(re.findall(r"<(?:\w+:)?sheet\b", wb_xml[:end]))  # the new sheet's, 0-based
        wb_xml = wb_xml[:end] + element + wb_xml[end:]
        self.changed[workbook_part] = _with_print_titles(wb_xml, title, index).encode("utf-8")
        self._content_type(override=(part, SHEET_CT))

    def _set_marker(self) -> None:
        part = "docProps/custom.xml"
        prop = (
            f'<property fmtid="{CUSTOM_FMTID}" pid="{{pid}}" '
            f'name="{vocab.COPY_SOURCE_PROPERTY}"><vt:lpwstr>{self.digest}</vt:lpwstr></property>'
        )
        if part in self.names:
            xml = self.read(part).decode("utf-8")
            if _prefix_of(xml, VT_NS) != "vt" or "</Properties>" not in xml:
                raise Unusual("odd custom properties")
            pids = [int(p) for p in re.findall(r'\bpid="(\d+)"', xml)]
            end = xml.rindex("</Properties>")
            xml = xml[:end] + prop.replace("{pid}", str(max(pids, default=1) + 1)) + xml[end:]
        else:
            xml = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'custom-properties" xmlns:vt="{VT_NS}">{prop.replace("{pid}", "2")}</Properties>'
            )
            rels = self.read("_rels/.rels").decode("utf-8")
            rels, _ = _add_rel(rels, CUSTOM_REL, "docProps/custom.xml")
            self.changed["_rels/.rels"] = rels.encode("utf-8")
            self._content_type(override=(part, CUSTOM_CT))
        self.changed[part] = xml.encode("utf-8")

    # ----------------------------------------------------------------------------------
    def _free(self, name: str) -> str:
        """``name``, or a numbered variant, that no member of the package uses."""
        taken = {n.casefold() for n in (*self.names, *self.changed)}
        stem, ext = posixpath.splitext(name)
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate = f"{stem}_{n}{ext}"
            n += 1
        return candidate

    def _content_type(
        self, override: tuple[str, str] | None = None, default: tuple[str, str] | None = None
    ) -> None:
        xml = self.read("[Content_Types].xml").decode("utf-8")
        additions = ""
        if default is not None:
            ext, ctype = default
            if not re.search(rf'<Default\b[^>]*Extension="{ext}"', xml, re.IGNORECASE):
                additions += f'<Default Extension="{ext}" ContentType="{ctype}"/>'
        if override is not None:
            name, ctype = override
            additions += f'<Override PartName="/{name}" ContentType="{ctype}"/>'
        end = xml.rindex("</Types>")
        self.changed["[Content_Types].xml"] = (xml[:end] + additions + xml[end:]).encode("utf-8")

    def _write(self) -> bytes:
        # the parts not changed are copied as they are compressed (not inflated and deflated
        # again: that was ~40% of a copy's time); changed and new parts deflate fast
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            written = set()
            for info in self.zin.infolist():
                if info.filename in self.changed:
                    sheetxml.write_member(
                        zout, info.filename, self.changed[info.filename], info.date_time
                    )
                else:
                    sheetxml.copy_member(self.zin, info, zout)
                written.add(info.filename)
            for name, data in self.changed.items():
                if name not in written:
                    sheetxml.write_member(zout, name, data)
        return out.getvalue()


# --------------------------------------------------------------------------------------
# styles.xml: our fills on the cells' own formats
# --------------------------------------------------------------------------------------
class Styles:
    """styles.xml with the fills, borders and cell formats the copy adds."""

    def __init__(self, xml: str) -> None:
        self.text = xml
        self.fills = _block(xml, "fills", "fill")
        self.borders = _block(xml, "borders", "border")
        self.fonts = _block(xml, "fonts", "font")
        self.xfs = _block(xml, "cellXfs", "xf")
        if not self.xfs.items:
            raise Unusual("no cell formats")
        self.filled: dict[tuple[int, str], int] = {}
        self.fill_ids: dict[str, int] = {}
        self.notes: dict[bool, int] = {}
        self.dates: set[int] | None = None  # the formats showing a date (see give_page)

    def filled_xf(self, style: int, colour: str) -> int:
        """The index of cell format ``style`` with a solid ``colour`` fill (added once)."""
        key = (style, colour)
        if key in self.filled:
            return self.filled[key]
        if colour not in self.fill_ids:
            self.fill_ids[colour] = self.fills.add(
                f'<fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/>'
                f'<bgColor rgb="FF{colour}"/></patternFill></fill>'
            )
        base = self.xfs.items[style] if 0 <= style < len(self.xfs.items) else self.xfs.items[0]
        xf = _set_attrs(base, fillId=str(self.fill_ids[colour]), applyFill="1")
        self.filled[key] = self.xfs.add(xf)
        return self.filled[key]

    def normal_font(self) -> tuple[float, bool]:
        """(size, whether 宋体) of the Normal font (the first), which sizes a column unit."""
        first = self.fonts.items[0] if self.fonts.items else ""
        size = re.search(r'<sz\b[^>]*val="([\d.]+)"', first)
        name = re.search(r'<name\b[^>]*val="([^"]*)"', first)
        cjk = name is not None and _unescape(name.group(1)) in _CJK_NORMAL
        return (float(size.group(1)) if size else 11.0), cjk

    def notes_style(self, bold: bool) -> int:
        """A thin-bordered, wrapped, top-aligned format for the notes sheet."""
        if bold not in self.notes:
            border = self.borders.add(
                '<border><left style="thin"/><right style="thin"/><top style="thin"/>'
                '<bottom style="thin"/><diagonal/></border>'
            )
            font = 0
            if bold:
                font = self.fonts.add(
                    f'<font><b/><sz val="11"/><name val="{xlsx.FONT_NAME}"/></font>'
                )
            self.notes[bold] = self.xfs.add(
                f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="{border}" xfId="0" '
                'applyFont="1" applyBorder="1" applyAlignment="1">'
                '<alignment vertical="top" wrapText="1"/></xf>'
            )
        return self.notes[bold]

    def xml(self) -> str:
        text = self.text
        for block in sorted(
            (self.fills, self.borders, self.fonts, self.xfs), key=lambda b: b.start, reverse=True
        ):
            text = block.render(text)
        return text


@dataclass
class _Block:
    name: str
    start: int  # where the block's text starts in styles.xml (-1: absent)
    end: int
    head: str
    items: list[str]
    added: int = 0

    def add(self, item: str) -> int:
        if self.start < 0:
            raise Unusual(f"no {self.name} in styles")
        self.items.append(item)
        self.added += 1
        return len(self.items) - 1

    def render(self, text: str) -> str:
        if not self.added:
            return text
        head = _set_attrs(self.head, count=str(len(self.items)))
        return (
            text[: self.start] + head + "".join(self.items) + f"</{self.name}>" + text[self.end :]
        )


def _block(xml: str, name: str, item: str) -> _Block:
    match = re.search(rf"<{name}\b[^>]*?(/>|>(.*?)</{name}>)", xml, re.DOTALL)
    if match is None:
        return _Block(name, -1, -1, "", [])
    if match.group(1) == "/>":
        head = match.group(0)[:-2] + ">"
        inner = ""
    else:
        head = match.group(0)[: match.group(0).index(">") + 1]
        inner = match.group(2) or ""
    items = [
        m.group(0) for m in re.finditer(rf"<{item}\b[^>]*?(?:/>|>.*?</{item}>)", inner, re.DOTALL)
    ]
    return _Block(name, match.start(), match.end(), head, items)


# --------------------------------------------------------------------------------------
# small XML helpers
# --------------------------------------------------------------------------------------
def _comment_text(notes: list[Annotation]) -> str:
    from pipeline.annotate import _comment_text as text

    return text(notes, None, "")


def _ref(row: int, col: int) -> str:
    return f"{xlsx.col_letter(col - 1)}{row}"


def _cell_key(ref: str) -> tuple[int, int]:
    match = re.match(r"([A-Z]+)(\d+)", ref)
    assert match is not None
    return int(match.group(2)), xlsx.col_index(match.group(1))


def _top_left(xml: bytes, cells: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell -> the top-left of the merged range holding it (one pass over the ranges)."""
    found = {cell: cell for cell in cells}
    ordered = sorted(cells)
    rows = [r for r, _ in ordered]
    for m in _MERGE.finditer(xml):
        c0, r0 = xlsx.col_index(m.group(1).decode()) + 1, int(m.group(2))
        c1, r1 = xlsx.col_index(m.group(3).decode()) + 1, int(m.group(4))
        lo, hi = bisect.bisect_left(rows, r0), bisect.bisect_right(rows, r1)
        for row, col in ordered[lo:hi]:
            if c0 <= col <= c1:
                found[(row, col)] = (r0, c0)
    return found


def _mark_row(row_xml: str, number: int, cols: dict[int, str], styles: Styles) -> str:
    """A <row> with each column's cell given our fill (cells created where missing)."""
    if row_xml.endswith("/>"):
        head, inner, tail = row_xml[:-2] + ">", "", "</row>"
    else:
        cut = row_xml.index(">") + 1
        head, inner, tail = row_xml[:cut], row_xml[cut:-6], "</row>"
    head = re.sub(r'\sspans="[^"]*"', "", head)  # a hint a new cell could contradict
    head = _HIDDEN.sub("", head)  # a marked cell in a hidden row is shown
    cells = list(re.finditer(r'<c r="([A-Z]{1,3})\d+"[^>]*?(?:/>|>.*?</c>)', inner, re.DOTALL))
    pieces, pos = [], 0
    pending = sorted(cols)
    for m in cells:
        col = xlsx.col_index(m.group(1)) + 1
        while pending and pending[0] < col:
            c = pending.pop(0)
            pieces.append(inner[pos : m.start()])
            pos = m.start()
            pieces.append(f'<c r="{_ref(number, c)}" s="{styles.filled_xf(0, cols[c])}"/>')
        pieces.append(inner[pos : m.start()])
        if pending and pending[0] == col:
            c = pending.pop(0)
            pieces.append(_restyle(m.group(0), cols[c], styles))
        else:
            pieces.append(m.group(0))
        pos = m.end()
    pieces.append(inner[pos:])
    for c in pending:
        pieces.append(f'<c r="{_ref(number, c)}" s="{styles.filled_xf(0, cols[c])}"/>')
    return head + "".join(pieces) + tail


_HIDDEN = re.compile(r'\shidden="(?:1|true)"')
_STATE = re.compile(r'\sstate="(?:hidden|veryHidden)"')


def _show_columns(xml: str, cols: set[int]) -> str:
    """Hidden columns holding a marked cell shown (the sender would not see the mark)."""

    def show(m: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(m.group(0)))
        lo, hi = int(attrs.get("min", 0)), int(attrs.get("max", 0))
        if any(lo <= c <= hi for c in cols):
            return _HIDDEN.sub("", m.group(0))
        return m.group(0)

    block = re.search(r"<cols>.*?</cols>", xml, re.DOTALL)
    if block is None or not _HIDDEN.search(block.group(0)):
        return xml
    return xml[: block.start()] + _COL.sub(show, block.group(0)) + xml[block.end() :]


def _new_row(number: int, by_row: dict[int, dict[int, str]], styles: Styles) -> str:
    cells = "".join(
        f'<c r="{_ref(number, c)}" s="{styles.filled_xf(0, colour)}"/>'
        for c, colour in sorted(by_row[number].items())
    )
    return f'<row r="{number}">{cells}</row>'


def _restyle(cell_xml: str, colour: str, styles: Styles) -> str:
    cut = cell_xml.index(">")
    start = cell_xml[:cut]
    closing = start.endswith("/")
    if closing:
        start = start[:-1]
    match = re.search(r'\ss="(\d+)"', start)
    style = int(match.group(1)) if match else 0
    new = styles.filled_xf(style, colour)
    if match:
        start = start[: match.start()] + f' s="{new}"' + start[match.end() :]
    else:
        start = start + f' s="{new}"'
    return start + ("/" if closing else "") + cell_xml[cut:]


def _set_page_setup(xml: str) -> str:
    match = re.search(r"<pageSetup\b[^>]*?/?>", xml)
    if match:
        return (
            xml[: match.start()]
            + _set_attrs(match.group(0), cellComments="atEnd")
            + xml[match.end() :]
        )
    return _insert_before(xml, '<pageSetup cellComments="atEnd"/>', _AFTER_PAGE_SETUP)


# Elements that follow <definedNames> in a workbook (CT_Workbook order).
_AFTER_DEFINED_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def _with_print_titles(wb_xml: str, title: str, index: int, rows: str = "$1:$1") -> str:
    """``wb_xml`` with the sheet ``title`` (``index`` among the sheets) repeating its header
    ``rows`` on every printed page (the 批注清单 sheet's first, as the openpyxl copy's)."""
    quoted = "'" + title.replace("'", "''") + "'"
    name = (
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
        f"{escape(quoted)}!{rows}</definedName>"
    )
    root = re.search(r"<(\w+:)?workbook\b", wb_xml)
    tag = (root.group(1) or "") if root else ""  # a prefixed package's names are prefixed
    if tag:
        name = name.replace("<definedName", f"<{tag}definedName")
        name = name.replace("</definedName>", f"</{tag}definedName>")
    close = re.search(r"</(\w+:)?definedNames>", wb_xml)
    if close:
        return wb_xml[: close.start()] + name + wb_xml[close.start() :]
    block = f"<{tag}definedNames>{name}</{tag}definedNames>"
    empty = re.search(r"<(\w+:)?definedNames\b[^>]*/>", wb_xml)
    if empty:  # <definedNames/>: a second block would make the workbook invalid
        return wb_xml[: empty.start()] + block + wb_xml[empty.end() :]
    for successor in _AFTER_DEFINED_NAMES:
        found = re.search(rf"<(\w+:)?{successor}\b", wb_xml)
        if found:
            return wb_xml[: found.start()] + block + wb_xml[found.start() :]
    end = re.search(r"</(\w+:)?workbook>", wb_xml)
    if end is None:
        raise Unusual("no workbook element")
    return wb_xml[: end.start()] + block + wb_xml[end.start() :]


def _insert_before(xml: str, element: str, successors: tuple[str, ...]) -> str:
    """Insert ``element`` before the first of ``successors`` present, else before the end."""
    positions = [
        m.start() for name in successors if (m := re.search(rf"<{name}[\s>/]", xml)) is not None
    ]
    at = min(positions) if positions else xml.rindex("</worksheet>")
    return xml[:at] + element + xml[at:]


def _set_attrs(tag: str, **attrs: str) -> str:
    """An element (or its start tag) with attributes of the start tag set (replaced or
    added); a whole element such as ``<xf …><alignment/></xf>`` keeps its content."""
    first = tag.index(">") + 1
    tag, content = tag[:first], tag[first:]
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    start, close = tag[:end], tag[end:] + content
    for name, value in attrs.items():
        pattern = re.compile(rf'\s{name}="[^"]*"')
        if pattern.search(start):
            start = pattern.sub(f' {name}="{value}"', start, count=1)
        else:
            start += f' {name}="{value}"'
    return start + close


def _inline(row: int, col: int, text: str, style: int) -> str:
    clean = xlsx.cell_text(text) or ""
    return (
        f'<c r="{_ref(row, col)}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(clean)}</t></is></c>"
    )


def _vml_shape(shape_id: int, row0: int, col0: int, height: int) -> str:
    rows = max(3, height // 15)
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" '
        f'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:210pt;'
        f'height:{height}pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{col0 + 1}, 15, {row0}, 2, {col0 + 4}, 15, {row0 + rows}, 2</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row0}</x:Row><x:Column>{col0}</x:Column>"
        "</x:ClientData></v:shape>"
    )


def _rels(xml: str) -> list[dict[str, str]]:
    return [dict(_ATTR.findall(m.group(0))) for m in _REL.finditer(xml)]


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(owner: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


def _relative(owner: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(owner) or ".")


def _empty_rels() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>'
    )


def _add_rel(xml: str, rel_type: str, target: str) -> tuple[str, str]:
    ids = {a.get("Id", "") for a in _rels(xml)}
    n = 1
    while f"rIdLz{n}" in ids:
        n += 1
    rid = f"rIdLz{n}"
    element = f'<Relationship Id="{rid}" Type="{rel_type}" Target={quoteattr(target)}/>'
    if "</Relationships>" in xml:
        end = xml.rindex("</Relationships>")
        return xml[:end] + element + xml[end:], rid
    if re.search(r"<Relationships\b[^>]*/>", xml):
        return re.sub(
            r"<Relationships\b([^>]*)/>", rf"<Relationships\1>{element}</Relationships>", xml
        ), rid
    raise Unusual("odd relationships")


def _prefix_of(xml: str, namespace: str) -> str | None:
    match = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
    return match.group(1) if match else None


def _unescape(text: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text, {"&quot;": '"', "&apos;": "'"})


# --------------------------------------------------------------------------------------
# A print setup for sheets that have none of their own (a script's or a web export's)
# --------------------------------------------------------------------------------------
# pageSetup attributes that say a sheet was set up for paper by its writer or its user
_OWN_PAGE_ATTRS = re.compile(r'\s(?:paperSize|scale|fitToWidth|fitToHeight|orientation)="')
_FIT_TO_PAGE = re.compile(r'<pageSetUpPr\b[^>]*\bfitToPage="(?:1|true)"')
DEFAULT_WIDTH = 8.43  # Excel's column width when a sheet names none
DATE_WIDTH = 11.0  # a yyyy-mm-dd date in 11 pt text (8.43 printed it as ###)
# built-in number formats that show a date (ECMA-376 18.8.30, and the CJK ones)
_DATE_FORMATS = frozenset({*range(14, 18), 22, *range(27, 37), *range(50, 59)})
_DATE_CODE = re.compile(r"[ymd]|[年月日]", re.IGNORECASE)
_CJK_NORMAL = ("宋体", "SimSun", "新宋体", "NSimSun")


def has_own_page(sheet_xml: str, titled: bool) -> bool:
    """Whether a sheet has a print setup of its own: a paper, an orientation, a scale or a
    fit, or print titles (``titled``). xlsxwriter, openpyxl and most web exports write none."""
    if titled or _FIT_TO_PAGE.search(sheet_xml):
        return True
    match = re.search(r"<pageSetup\b[^>]*>", sheet_xml)
    return match is not None and _OWN_PAGE_ATTRS.search(match.group(0)) is not None


def page_plan(widths: list[float], normal_pt: float, cjk_normal: bool) -> tuple[bool, int]:
    """(landscape, scale) for a sheet of these column widths: portrait at 100 % when they
    fit, else landscape at the largest scale that fits them one page wide, never below what
    keeps the Normal font at 8 pt (the columns beyond then go on pages across). A column
    unit of a Normal font other than 宋体 10 prints wider in LibreOffice (Calibri 11 by 1.2)."""
    from pipeline import styles

    factor = normal_pt / 10.0 if cjk_normal else 1.2 * normal_pt / 11.0
    columns = [w * max(factor, 0.5) for w in widths]
    floor = min(100, math.ceil(100 * styles.MIN_PRINTED_PT / max(normal_pt, 1.0)))
    if styles.width_scale(columns, landscape=False) >= 100:
        return False, 100
    return True, max(floor, styles.width_scale(columns))


def footer_size(scale: int) -> int:
    """The page-number footer's size, to print at 8 pt or more at ``scale``."""
    from pipeline import styles

    return max(styles.FONT_SIZE, math.ceil(100 * styles.MIN_PRINTED_PT / scale))


def footer_text(scale: int) -> str:
    """The page-number footer, sized to print at 8 pt or more at ``scale``."""
    from pipeline import styles

    return styles.sized(vocab.PAGE_FOOTER, footer_size(scale))


def title_rows(grid: list[list[object]]) -> tuple[int, int] | None:
    """The table header's first and last row (1-based) of a form sheet's grid, or None."""
    from pipeline import layout

    header = layout.find_header(grid)
    return None if header is None else (header.start + 1, header.row + 1)


def _titled_sheets(wb_xml: str) -> set[int]:
    """The 0-based indexes of the sheets that have print titles."""
    found = re.finditer(
        r'<(?:\w+:)?definedName\b[^>]*name="_xlnm\.Print_Titles"[^>]*localSheetId="(\d+)"'
        r'|<(?:\w+:)?definedName\b[^>]*localSheetId="(\d+)"[^>]*name="_xlnm\.Print_Titles"',
        wb_xml,
    )
    return {int(m.group(1) or m.group(2)) for m in found}


def _date_styles(styles_xml: str, xfs: list[str]) -> set[int]:
    """The cell formats whose number format shows a date."""
    custom = {
        int(m.group(1))
        for m in re.finditer(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles_xml)
        if _DATE_CODE.search(re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", unescape(m.group(2))))
    }
    out = set()
    for n, xf in enumerate(xfs):
        match = re.search(r'\snumFmtId="(\d+)"', xf[: xf.index(">")])
        fmt = int(match.group(1)) if match else 0
        if fmt in _DATE_FORMATS or fmt in custom:
            out.add(n)
    return out


_COL = re.compile(r"<col\b[^>]*>")


def _widths(xml: str) -> tuple[float, list[tuple[int, int, float | None, str]]]:
    """(default width, [(min, max, width or None, element)]) of a sheet's columns."""
    fmt = re.search(r"<sheetFormatPr\b[^>]*>", xml)
    default = DEFAULT_WIDTH
    if fmt:
        attrs = dict(_ATTR.findall(fmt.group(0)))
        if "defaultColWidth" in attrs:
            default = float(attrs["defaultColWidth"])
        elif "baseColWidth" in attrs:
            default = float(attrs["baseColWidth"]) + 0.43
    cols = []
    block = re.search(r"<cols>(.*?)</cols>", xml, re.DOTALL)
    for m in _COL.finditer(block.group(1) if block else ""):
        attrs = dict(_ATTR.findall(m.group(0)))
        width = float(attrs["width"]) if "width" in attrs else None
        if attrs.get("hidden") in ("1", "true"):
            width = 0.0
        cols.append((int(attrs.get("min", 0)), int(attrs.get("max", 0)), width, m.group(0)))
    return default, cols


def _widen_dates(xml: str, dates: set[int], default: float, cols: list) -> str:
    """Columns of no width of their own that hold a date get one a date fits in."""
    if default >= DATE_WIDTH or not dates:
        return xml
    styled = "|".join(str(n) for n in sorted(dates))
    cell = re.compile(rf'<c r="([A-Z]{{1,3}})\d+"([^>]*?\ss="(?:{styled})"[^>]*?)>\s*<v>')
    wanted = {
        xlsx.col_index(m.group(1)) + 1
        for m in cell.finditer(xml)
        if ' t="' not in m.group(2) or ' t="n"' in m.group(2)
    }
    wanted = {c for c in wanted if not any(lo <= c <= hi for lo, hi, _, _ in cols)}
    if not wanted:
        return xml
    items = [(lo, element) for lo, _, _, element in cols]
    items += [
        (c, f'<col min="{c}" max="{c}" width="{DATE_WIDTH:g}" customWidth="1"/>') for c in wanted
    ]
    block = "<cols>" + "".join(e for _, e in sorted(items)) + "</cols>"
    found = re.search(r"<cols>.*?</cols>", xml, re.DOTALL)
    if found:
        return xml[: found.start()] + block + xml[found.end() :]
    at = xml.index("<sheetData")
    return xml[:at] + block + xml[at:]


def _used_columns(xml: str) -> int:
    refs = re.findall(r'<c r="([A-Z]{1,3})\d', xml)
    return max((xlsx.col_index(ref) + 1 for ref in set(refs)), default=0)


_MARGINS = (
    '<pageMargins left="0.3" right="0.3" top="0.6" bottom="0.6" header="0.25" footer="0.25"/>'
)


def give_page(xml: str, styles: Styles) -> str:
    """A sheet with no print setup of its own set up as the tool's own sheets are: A4,
    portrait or landscape at a scale that fits its columns one page wide at 8 pt or more,
    narrow margins, page numbers in the footer; a date in a column of no width of its own
    widened so that it prints as a date, not ###."""
    default, cols = _widths(xml)
    if styles.dates is None:
        styles.dates = _date_styles(styles.text, styles.xfs.items)
    xml = _widen_dates(xml, styles.dates, default, cols)
    default, cols = _widths(xml)
    widths = [
        next((w for lo, hi, w, _ in cols if lo <= c <= hi and w is not None), default)
        for c in range(1, _used_columns(xml) + 1)
    ]
    landscape, scale = page_plan(widths, *styles.normal_font())
    margins = re.search(r"<pageMargins\b[^>]*?/>", xml)
    if margins:
        xml = xml[: margins.start()] + _MARGINS + xml[margins.end() :]
    else:
        xml = _insert_before(xml, _MARGINS, ("pageSetup", *_AFTER_PAGE_SETUP))
    attrs = {
        "paperSize": "9",
        "scale": str(scale),
        "orientation": "landscape" if landscape else "portrait",
    }
    setup = re.search(r"<pageSetup\b[^>]*?/?>", xml)
    if setup:
        xml = xml[: setup.start()] + _set_attrs(setup.group(0), **attrs) + xml[setup.end() :]
    else:
        element = _set_attrs("<pageSetup/>", **attrs)
        xml = _insert_before(xml, element, _AFTER_PAGE_SETUP)
    if not re.search(r"<headerFooter[\s>/]", xml):
        footer = f"<headerFooter><oddFooter>{escape(footer_text(scale))}</oddFooter></headerFooter>"
        xml = _insert_before(xml, footer, _AFTER_PAGE_SETUP[1:])
    return xml


_GRID_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.DOTALL)
_GRID_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?:[^>]*?\st="(\w+)")?[^>]*?(?:/>|>(?:<f\b[^>]*/>|<f\b.*?</f>)?'
    r"(?:<v>([^<]*)</v>)?(.*?)</c>)",
    re.DOTALL,
)
_GRID_TEXT = re.compile(r"<t\b[^>]*>([^<]*)</t>")


def sheet_grid(xml: str, strings: list[str], rows: int) -> list[list[object]]:
    """The values of a sheet's first ``rows`` rows (text and numbers; merged ranges not
    carried), enough to find its table header."""
    grid: list[list[object]] = []
    for m in _GRID_ROW.finditer(xml):
        r = int(m.group(1))
        if r > rows:
            break
        while len(grid) < r:
            grid.append([])
        line = grid[r - 1]
        for ref, kind, v, rest in _GRID_CELL.findall(m.group(2) or ""):
            value: object = v or None
            if kind == "s":
                value = strings[int(v)] if v.isdigit() and int(v) < len(strings) else None
            elif kind == "inlineStr":
                value = _unescape("".join(_GRID_TEXT.findall(rest)))
            elif value is not None and kind == "str":
                value = _unescape(v)
            col = xlsx.col_index(ref)
            while len(line) <= col:
                line.append(None)
            line[col] = value
    return grid


def shared_strings(xml: str) -> list[str]:
    """The texts of a shared-string table (phonetic runs left out)."""
    out = []
    for item in re.finditer(r"<si>(.*?)</si>", xml, re.DOTALL):
        body = re.sub(r"<rPh\b.*?</rPh>", "", item.group(1), flags=re.DOTALL)
        out.append(_unescape("".join(re.findall(r"<t\b[^>]*>([^<]*)</t>", body))))
    return out


# --------------------------------------------------------------------------------------
# Dropdowns on the form's choice columns that have none (a rebuilt copy, a script's form)
# --------------------------------------------------------------------------------------
DROPDOWN_SPARE_ROWS = 20  # rows under the last one that get the dropdowns too (added points)
_AFTER_VALIDATIONS = ("hyperlinks", "printOptions", "pageMargins", "pageSetup", *_AFTER_PAGE_SETUP)


def dropdown_plan(grid: list[list[object]]) -> tuple[int, list[tuple[int, str, tuple[str, ...]]]]:
    """(first data row, [(column, label, choices)]) of a form sheet's enumerated columns
    (风险类别, 发生几率, 危害程度, 自评等级), 1-based; (0, []) when it has no table header."""
    from pipeline import layout

    header = layout.find_header(grid)
    if header is None:
        return 0, []
    columns = [
        (col + 1, vocab.COLUMN_LABELS.get(key, key), vocab.ENUMS[key])
        for key, col in sorted(header.keys.items(), key=lambda kv: kv[1])
        if key in vocab.ENUMS
    ]
    return header.row + 2, columns


def dropdown_message(choices: tuple[str, ...]) -> str:
    return vocab.MESSAGES["bad_enum"].fix.format(allowed=vocab.allowed_text(choices))[:255]


def _covered(sqref: str, row: int, col: int) -> bool:
    for part in sqref.split():
        m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?", part)
        if m is None:
            continue
        c0, r0 = xlsx.col_index(m.group(1)) + 1, int(m.group(2))
        c1 = xlsx.col_index(m.group(3)) + 1 if m.group(3) else c0
        r1 = int(m.group(4)) if m.group(4) else r0
        if r0 <= row <= r1 and c0 <= col <= c1:
            return True
    return False


def add_dropdowns(xml: str, grid: list[list[object]]) -> str:
    """A form sheet's enumerated columns with no validation of their own given a list of
    their choices, from the first point down to a few rows under the last row."""
    first, columns = dropdown_plan(grid)
    if not columns:
        return xml
    refs = re.findall(r'<dataValidation\b[^>]*\bsqref="([^"]*)"', xml)
    last = max((int(r) for r in re.findall(r'<row r="(\d+)"', xml)), default=first)
    last = max(last, first) + DROPDOWN_SPARE_ROWS
    items = []
    for col, label, choices in columns:
        if any(_covered(ref, first, col) for ref in refs):
            continue
        letter = xlsx.col_letter(col - 1)
        message = escape(dropdown_message(choices), {'"': "&quot;"})
        items.append(
            '<dataValidation type="list" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1" errorTitle="{escape(vocab.FORM_ERROR_TITLE_ENUM)}" '
            f'error="{message}" promptTitle="{escape(label[:32])}" prompt="{message}" '
            f'sqref="{letter}{first}:{letter}{last}">'
            f"<formula1>{escape(chr(34) + ','.join(choices) + chr(34))}</formula1>"
            "</dataValidation>"
        )
    if not items:
        return xml
    block = re.search(r"<dataValidations\b([^>]*?)(/>|>(.*?)</dataValidations>)", xml, re.DOTALL)
    if block:
        inner = (block.group(3) or "") + "".join(items)
        count = len(re.findall(r"<dataValidation\b", inner))
        head = re.sub(r'\scount="\d+"', "", block.group(1))
        element = f'<dataValidations count="{count}"{head}>{inner}</dataValidations>'
        return xml[: block.start()] + element + xml[block.end() :]
    element = f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'
    return _insert_before(xml, element, _AFTER_VALIDATIONS)
