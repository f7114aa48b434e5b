"""Table rows written straight into worksheet XML, for tables too big for xlsxwriter's cells.

xlsxwriter spends ~15 µs per cell, far too slow for 100,000 risk points. The writers lay out
a sheet (header row, widths, formats, print setup) with xlsxwriter, queue the records as
``Rows``, and after ``close()`` ``splice`` copies the package inserting the records' XML after
each table's header row. Text is always a string cell (never a formula or link), in the
package's shared-string table; control characters and what XML cannot hold are dropped, and
row heights are estimated for wrapped text (LibreOffice does not grow rows on load).

Fast on purpose: each column's distinct values are rendered once (``texts`` hands equal
texts back as one object; records are coded by identity in C), a chunk of rows is one
``str.join`` over an object array of shared pieces, and deflate runs on a second thread.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

import numpy as np
import pandas as pd

from pipeline import xlsx

LINE_HEIGHT = 15.0  # points per line of 11pt 宋体
DEFAULT_ROW_HEIGHT = 18.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def _text_of(value: str) -> str | None:
    """One distinct text -> its safe cell string (``xlsx.cell_text``), None when empty."""
    if xlsx.ILLEGAL_CHARACTERS_RE.search(value):
        value = xlsx.ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > xlsx.MAX_CELL_CHARS:
        value = xlsx.cell_text(value) or ""
    return value or None


def texts(series: pd.Series) -> list[str | None]:
    """A column of user text -> safe cell strings (None for missing or empty).

    Same result as ``xlsx.cell_text`` per value, but each distinct text is checked once and
    the column is rebuilt by one take in C; equal texts come back as the same string object,
    which the row renderer relies on to render each once. Distinct objects are found by
    identity first (a pass in C), then only those are compared by value."""
    n = len(series)
    if n == 0:
        return []
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        array = series.to_numpy(dtype=object)
        by_id, firsts = _by_identity(array)
        codes, uniques = pd.factorize(array[firsts], use_na_sentinel=True)
        table = np.array([*map(_text_of, uniques.tolist()), None], dtype=object)
        codes = np.where(codes < 0, len(table) - 1, codes)  # missing: the trailing None
        return table[codes[by_id]].tolist()
    missing = series.isna().to_numpy()
    values = [
        None if gone else (v if v.__class__ is str else str(v))
        for v, gone in zip(series.tolist(), missing.tolist(), strict=True)
    ]
    return [_text_of(v) if v else None for v in values]


def numbers(series: pd.Series) -> list[object]:
    out: list[object] = []
    for v in (xlsx.output_value(v) for v in series.tolist()):
        if isinstance(v, float):
            # counts read from a float column (NaN elsewhere) are still whole numbers;
            # infinities have no cell form
            v = int(v) if v.is_integer() else (v if math.isfinite(v) else None)
        out.append(v)
    return out


def _by_identity(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, index of each code's first value), values told apart by
    identity: hashing object ids is a pass in C, where hashing fresh strings is not."""
    ids = np.fromiter(map(id, values), np.uint64, len(values))
    codes, _ = pd.factorize(ids)
    # codes number the ids in order of appearance: a value is the first of its code when
    # its code passes every code before it
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return codes, np.flatnonzero(codes > before)


def _factorize(values: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """(code of each value, the distinct values); None gets code -1.

    Distinct by identity, not by value (see ``_by_identity``): ``texts`` returns equal texts
    as one object, so its columns come out distinct by value; anything else is merely
    rendered once per object (the same output)."""
    codes, firsts = _by_identity(values)
    uniques = [values[i] for i in firsts.tolist()]
    if None in uniques:  # missing: code -1, as pandas does
        gone = uniques.index(None)
        codes = np.where(codes == gone, -1, codes - (codes > gone))
        del uniques[gone]
    return codes, uniques


def display_units(texts: list[str]) -> np.ndarray:
    """Width of each text in column units: CJK (3 UTF-8 bytes) counts 2, ASCII 1."""
    chars = np.fromiter(map(len, texts), np.float64, len(texts))
    octets = np.fromiter(map(len, map(str.encode, texts)), np.float64, len(texts))
    return chars + (octets - chars) / 2


def line_counts(values: Sequence[object], width: float) -> np.ndarray:
    """Lines a wrapped cell needs, each paragraph wrapping on its own.

    Estimated and vectorised: LibreOffice does not grow rows on load, so we set heights.
    Each distinct value is measured once."""
    # Excel's 10-11 pt 宋体 fits a little more than ``width`` half-width characters less
    # padding; the margin left covers line-breaking rules (no line starts with ，。)
    usable = max(width * 1.05 - 0.6, 1.0)
    if len(values) == 0:
        return np.ones(0)
    codes, uniques = _factorize(values)
    texts = [v if v.__class__ is str else "" for v in uniques]
    texts.append("")  # code -1: missing
    lines = np.maximum(np.ceil(display_units(texts) / usable), 1)
    multi = [i for i, t in enumerate(texts) if "\n" in t]
    if multi:
        owners: list[int] = []
        paragraphs: list[str] = []
        for i in multi:
            parts = texts[i].split("\n")
            owners.extend([i] * len(parts))
            paragraphs.extend(parts)
        per_paragraph = np.maximum(np.ceil(display_units(paragraphs) / usable), 1)
        lines[multi] = 0
        np.add.at(lines, np.array(owners), per_paragraph)
    return lines[codes]


def row_heights(
    values: Sequence[Sequence[object]],
    widths: Sequence[float],
    wraps: Sequence[bool],
    line_height: float = LINE_HEIGHT,
) -> np.ndarray:
    """Height of each record: enough lines for its tallest wrapped cell, within Excel's cap.
    ``values`` holds one list per column; ``wraps[c]`` says whether column ``c`` wraps;
    ``line_height`` is the points one line of the sheet's font needs."""
    n = len(values[0]) if values else 0
    lines = np.ones(n)
    for wrap, column_values, width in zip(wraps, values, widths, strict=True):
        if wrap and n:
            lines = np.maximum(lines, line_counts(column_values, width))
    heights = np.where(lines > 1, lines * line_height + 4, DEFAULT_ROW_HEIGHT)
    return np.minimum(heights, MAX_ROW_HEIGHT)


def xf(f: Any) -> int:
    # The style index xlsxwriter gives a format when a cell uses it (stable once assigned).
    return f._get_xf_index()


@dataclass
class Rows:
    """Table records to splice into ``xl/worksheets/sheet<sheet_number>.xml``."""

    sheet_number: int
    header_row: int  # 0-based row of the header; records follow it
    values: list[list[object]]  # per column: str | number | None
    styles: list[int | list[int]]  # per column: one xf index, or one per record
    heights: list[float]
    # per column: holds & < > or _x that XML needs escaped. No longer needed (every distinct
    # text is escaped as it is rendered); kept so existing callers still work.
    escape: list[bool] | None = None

    @property
    def n_rows(self) -> int:
        return len(self.heights)


_XML_ESCAPED_MARK = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _xml_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "_x" in text:  # a literal _x0041_ would otherwise be read as an escaped character
        text = _XML_ESCAPED_MARK.sub(r"_x005F_\1", text)
    return text


def needs_escape(values: Sequence[object]) -> bool:
    """Whether a column holds text XML needs escaped (a hint ``Rows`` no longer needs)."""
    try:
        joined = "\n".join(filter(None, values))  # type: ignore[arg-type]
    except TypeError:  # numbers among the texts
        joined = "\n".join(v for v in values if v.__class__ is str)
    return any(mark in joined for mark in ("&", "<", ">", "_x"))


def _xml_element(text: str, escape: bool = True) -> str:
    """The ``<t>`` element of an inline string."""
    if escape:
        text = _xml_text(text)
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _tail(style: int, value: object, strings: _Strings | None = None) -> str:
    """What follows ``<c r="A12`` for one value in one style. Text is a shared string (an
    index into ``strings``) or, without a table, an inline string: user text never becomes
    a formula or a link."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return f'" s="{style}"/>'
    if isinstance(value, str):
        if strings is not None:
            return f'" s="{style}" t="s"><v>{strings.index(value)}</v></c>'
        return f'" s="{style}" t="inlineStr"><is>{_xml_element(value)}</is></c>'
    return f'" s="{style}"><v>{value!r}</v></c>'


class _Strings:
    """The package's shared-string table, extended by the spliced records: xlsxwriter's own
    strings keep their indices; each new distinct text is added once.

    Measured on the district workbook (200 archives x 100 people): the sheet XML is less
    than half the size of inline strings (less to join, encode and deflate), and the
    archive's catalogue reads back faster (calamine 20-25 -> 17 ms)."""

    _HEAD = re.compile(r'<sst\b[^>]*?\bcount="(\d+)"[^>]*?\buniqueCount="(\d+)"[^>]*>')

    def __init__(self, xml: str) -> None:
        match = self._HEAD.search(xml)
        if match is None or "</sst>" not in xml:
            raise ValueError("no shared-string table header")
        self.xml = xml
        self.match = match
        self.base = int(match.group(2))
        self.count = int(match.group(1))  # references to the table, kept up to date
        self.added: dict[str, int] = {}

    def index(self, text: str) -> int:
        i = self.added.get(text)
        if i is None:
            i = self.added[text] = self.base + len(self.added)
        return i

    def to_xml(self) -> str:
        head = self.match.group(0)
        head = re.sub(r'\bcount="\d+"', f'count="{self.count}"', head, count=1)
        head = re.sub(
            r'\buniqueCount="\d+"', f'uniqueCount="{self.base + len(self.added)}"', head, count=1
        )
        body = self.xml[self.match.end() : self.xml.rindex("</sst>")]
        new = [f"<si>{_xml_element(t)}</si>" for t in self.added]
        return "".join([self.xml[: self.match.start()], head, body, *new, "</sst>"])


@dataclass
class _Column:
    """One column rendered: each record's code into ``tails`` (the distinct cell endings)."""

    prefix: str  # '<c r="B'
    codes: np.ndarray
    tails: np.ndarray  # object array of str

    def n_bytes(self, numbers_bytes: int) -> int:
        counts = np.bincount(self.codes, minlength=len(self.tails))
        sizes = np.fromiter(map(len, map(str.encode, self.tails)), np.int64, len(self.tails))
        return int(counts @ sizes) + len(self.codes) * len(self.prefix) + numbers_bytes


def _render_column(
    c: int, values: Sequence[object], style: int | list[int], strings: _Strings | None
) -> _Column:
    """Each distinct (style, value) rendered once; the records refer to them by code."""
    vcodes, uniques = _factorize(values)
    uniques.append(None)  # code -1 (missing) -> the last entry
    vcodes = np.where(vcodes < 0, len(uniques) - 1, vcodes)
    if isinstance(style, list):
        scodes, sunique = pd.factorize(np.asarray(style, dtype=np.int64))
        codes, pairs = pd.factorize(vcodes.astype(np.int64) * len(sunique) + scodes)
        keys = [(int(sunique[p % len(sunique)]), uniques[p // len(sunique)]) for p in pairs]
    else:
        codes, keys = vcodes, [(style, v) for v in uniques]
    codes = np.asarray(codes, dtype=np.intp)
    if strings is not None:  # references to the table: one per text cell
        counts = np.bincount(codes, minlength=len(keys))
        is_text = np.fromiter((isinstance(v, str) and v != "" for _, v in keys), bool, len(keys))
        strings.count += int(counts[is_text].sum())
    table = np.empty(len(keys), dtype=object)
    table[:] = [_tail(s, v, strings) for s, v in keys]
    return _Column(f'<c r="{xlsx.col_letter(c)}', codes, table)


@dataclass
class _Rendered:
    numbers: np.ndarray  # object array: each record's Excel row number as text
    openers: np.ndarray  # object array: what follows '<row r="N'
    columns: list[_Column]

    def n_bytes(self) -> int:
        numbers_bytes = sum(map(len, self.numbers.tolist()))
        openers = sum(map(len, self.openers.tolist()))
        n = len(self.numbers)
        return (
            n * len('<row r="</row>')
            + numbers_bytes
            + openers
            + sum(col.n_bytes(numbers_bytes) for col in self.columns)
        )


def _render(rows: Rows, strings: _Strings | None = None) -> _Rendered:
    first = rows.header_row + 2  # 1-based Excel row of record 0
    n = rows.n_rows
    numbers = np.empty(n, dtype=object)
    numbers[:] = [str(i) for i in range(first, first + n)]
    heights = np.asarray(rows.heights, dtype=np.float64)
    hcodes, hunique = pd.factorize(heights)
    opener_of = [
        f'" ht="{h:g}" customHeight="1">' if h > DEFAULT_ROW_HEIGHT else '">' for h in hunique
    ]
    openers = np.empty(len(opener_of), dtype=object)
    openers[:] = opener_of
    columns = [
        _render_column(c, values, style, strings)
        for c, (values, style) in enumerate(zip(rows.values, rows.styles, strict=True))
    ]
    return _Rendered(numbers, openers[hcodes], columns)


def _rows_text(done: _Rendered, start: int, stop: int) -> str:
    """The <row> elements of records ``start:stop``: one object array holding every piece
    (shared strings, no copies) in document order, joined once."""
    k = len(done.columns)
    numbers = done.numbers[start:stop]
    pieces = np.empty((stop - start, 3 * k + 4), dtype=object)
    pieces[:, 0] = '<row r="'
    pieces[:, 1] = numbers
    pieces[:, 2] = done.openers[start:stop]
    for c, col in enumerate(done.columns):
        pieces[:, 3 + 3 * c] = col.prefix
        pieces[:, 4 + 3 * c] = numbers
        pieces[:, 5 + 3 * c] = col.tails[col.codes[start:stop]]
    pieces[:, -1] = "</row>"
    return "".join(pieces.ravel().tolist())


def rows_xml(rows: Rows, start: int, stop: int) -> str:
    """The <row> elements for records ``start:stop``."""
    return _rows_text(_render(rows), start, stop)


_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)?\d*:?([A-Z]+)?(\d+)?"/>')
CHUNK_ROWS = 5000
ZIP64_BYTES = 1_500_000_000  # Zip64 only when the sheet could pass 2 GiB


SHARED_STRINGS = "xl/sharedStrings.xml"


def splice(base: Path | io.BytesIO, final: Path, pending: list[Rows]) -> None:
    """Copy the xlsxwriter package ``base`` to ``final``, inserting the queued records
    after each table's header row (entries keep xlsxwriter's fixed timestamps). Their texts
    join the package's shared-string table (inline strings if it has none)."""
    by_name = {f"xl/worksheets/sheet{p.sheet_number}.xml": p for p in pending}
    with (
        zipfile.ZipFile(base) as src,
        zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        strings: _Strings | None = None
        if SHARED_STRINGS in src.namelist():
            try:
                strings = _Strings(src.read(SHARED_STRINGS).decode("utf-8"))
            except ValueError:
                strings = None
        # every table rendered first: the string table is complete whatever the part order
        rendered = {name: _render(rows, strings) for name, rows in by_name.items()}
        for info in src.infolist():
            data = src.read(info.filename)
            rows = by_name.get(info.filename)
            if info.filename == SHARED_STRINGS and strings is not None and strings.added:
                dst.writestr(info, strings.to_xml().encode("utf-8"))
                continue
            if rows is None:
                dst.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            header = re.search(f'<row r="{rows.header_row + 1}"[ >]', xml)
            if header is None:
                raise RuntimeError(f"header row missing in {info.filename}")  # a bug, not input
            at = xml.index("</row>", header.start()) + len("</row>")
            head, tail = xml[:at], xml[at:]
            last_row = rows.header_row + 1 + rows.n_rows
            match = _DIMENSION.search(head)
            if match:
                ref = _dimension(match, last_row, len(rows.values))
                head = head[: match.start()] + ref + head[match.end() :]
            done = rendered.pop(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # big generated XML: fast compression (level 1) costs ~20% size, saves seconds
            level_attr = "compress_level" if hasattr(entry, "compress_level") else "_compresslevel"
            setattr(entry, level_attr, 1)
            # Zip64 only when the sheet could pass 2 GiB: some Excel builds dislike it
            huge = done.n_bytes() + len(data) > ZIP64_BYTES
            with dst.open(entry, "w", force_zip64=huge) as out, _Writer(out) as write:
                write(head.encode("utf-8"))
                for start in range(0, rows.n_rows, CHUNK_ROWS):
                    stop = min(start + CHUNK_ROWS, rows.n_rows)
                    write(_rows_text(done, start, stop).encode("utf-8"))
                write(tail.encode("utf-8"))


class _Writer:
    """Writes chunks into a zip entry on one background thread, so deflate (zlib releases
    the GIL) runs on the second core while the next chunk is rendered; at most two chunks
    wait, and the first error is raised in the caller."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetxml")
        self.waiting: deque[Future[Any]] = deque()

    def __call__(self, chunk: bytes) -> None:
        while len(self.waiting) >= 2:
            self.waiting.popleft().result()
        self.waiting.append(self.pool.submit(self.out.write, chunk))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            while self.waiting:
                self.waiting.popleft().result()
        finally:
            self.pool.shutdown(wait=True)


def _dimension(match: re.Match[str], last_row: int, n_cols: int) -> str:
    """Widen the sheet's used range to cover the spliced records."""
    last_col = match.group(2) or match.group(1) or "A"
    rows = int(match.group(3) or 1)
    cols = max(xlsx.col_index(last_col), n_cols - 1)
    return f'<dimension ref="A1:{xlsx.col_letter(cols)}{max(rows, last_row)}"/>'
