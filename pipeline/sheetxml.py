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

import ctypes
import io
import itertools
import math
import re
import struct
import zipfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import is_not
from pathlib import Path
from typing import IO, Any, Self

import numpy as np
import pandas as pd

from pipeline import xlsx

try:  # ISA-L's deflate: ~4x faster than zlib's level 1 for the same size (see _fast_deflate)
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover - the dependency is declared; zlib still works
    _fast_zlib = None

LINE_HEIGHT = 15.0  # points per line of 11pt 宋体
DEFAULT_ROW_HEIGHT = 18.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def _text_of(value: str) -> str | None:
    """One distinct text -> its safe cell string (``xlsx.cell_text``), None when empty."""
    if xlsx.ILLEGAL_CHARACTERS_RE.search(value):
        value = xlsx.ILLEGAL_CHARACTERS_RE.sub("", value)
    if xlsx.over_cell(value):
        value = xlsx.cell_text(value) or ""
    return value or None


class _Measures:
    """Width-independent measures of a column's distinct values, taken once and shared by
    every slice of the column: display units of each value (non-text: 0) and, for values
    holding line breaks, the units of each paragraph."""

    def __init__(
        self,
        uniques: list[object],
        units: np.ndarray | None = None,
        multi: list[int] | None = None,
    ) -> None:
        """``units`` and ``multi`` (the values holding line breaks) when already known
        (then every value is a text)."""
        texts: list[str] = (
            uniques  # type: ignore[assignment]
            if units is not None
            else [v if v.__class__ is str else "" for v in uniques]
        )
        if multi is None:
            multi = [i for i, t in enumerate(texts) if "\n" in t]
        self.units = display_units(texts) if units is None else units
        self.multi = multi
        self._texts = texts
        self._paragraphs: tuple[np.ndarray, np.ndarray] | None = None  # made when first used

    def paragraphs(self) -> tuple[np.ndarray, np.ndarray]:
        """(the value each paragraph of the values holding line breaks is of, its units)."""
        if self._paragraphs is None:
            owners: list[int] = []
            paragraphs: list[str] = []
            for i in self.multi:
                parts = self._texts[i].split("\n")
                owners.extend([i] * len(parts))
                paragraphs.extend(parts)
            self._paragraphs = (np.array(owners, dtype=np.intp), display_units(paragraphs))
        return self._paragraphs

    def lines(self, usable: float | np.ndarray) -> np.ndarray:
        """Lines each distinct value needs at ``usable`` units a line (one for all, or one
        per value), each paragraph wrapping on its own."""
        lines = np.maximum(np.ceil(self.units / usable), 1)
        if self.multi:
            owners, units = self.paragraphs()
            at = usable[owners] if isinstance(usable, np.ndarray) else usable
            per_paragraph = np.maximum(np.ceil(units / at), 1)
            lines[self.multi] = 0
            np.add.at(lines, owners, per_paragraph)
        return lines


class Coded:
    """A column of cells as codes into its distinct values: ``codes[i]`` is record ``i``'s
    index into ``uniques``, -1 for an empty cell. Texts are safe cell strings (see
    ``text_column``), numbers Python numbers (``number_column``).

    What the writers need per cell is computed per distinct value (measures, cell XML) and
    taken by code, so a column of 100,000 records costs a few passes in C. ``Rows`` and
    ``row_heights`` take a ``Coded`` wherever they take a list; ``coded[a:b]`` is the slice
    of records ``a:b`` (same distinct values, measured once for all slices)."""

    __slots__ = ("_measures", "codes", "texts_only", "uniques")

    def __init__(self, codes: np.ndarray, uniques: list[object], texts_only: bool = False) -> None:
        # ``split``'s parts: small integers kept
        kept = isinstance(codes, np.ndarray) and codes.dtype in (np.int16, np.int32)
        self.codes = codes if kept else np.asarray(codes, dtype=np.intp)
        self.uniques = uniques
        self.texts_only = texts_only  # every distinct value is a non-empty str
        self._measures: list[_Measures] = []  # shared with slices: filled on first use

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key: slice) -> Coded:
        """Records ``key`` (a slice) as their own column: only the distinct values they
        hold, in their order of appearance (so a section's workbook never carries another
        section's texts), measured from this column's measures."""
        if not isinstance(key, slice):
            raise TypeError("a Coded column is sliced, not indexed; use tolist()")
        return Coded(self.codes[key], self.uniques, self.texts_only).compact(self)

    def compact(self, measured: Coded | None = None) -> Coded:
        """This column with only the distinct values its records use (itself when it uses
        them all); measures are taken from ``measured`` (same distinct values) if made."""
        held = self.codes[self.codes >= 0]
        n = len(self.uniques)
        if np.count_nonzero(np.bincount(held, minlength=n)) == n:
            if measured is not None:
                self._measures = measured._measures
            return self
        used = pd.unique(held)
        remap = np.full(len(self.uniques) + 1, -1, dtype=np.intp)  # index -1: empty
        remap[used] = np.arange(len(used))
        part = Coded(remap[self.codes], [self.uniques[i] for i in used.tolist()], self.texts_only)
        source = measured if measured is not None else self
        if source._measures:
            whole = source._measures[0]
            multi = np.flatnonzero(np.isin(used, whole.multi)).tolist() if whole.multi else []
            part._measures.append(_Measures(part.uniques, whole.units[used], multi))
        return part

    def split(self, bounds: Sequence[tuple[int, int]]) -> list[Coded]:
        """``self[a:b]`` of each of ``bounds`` (ascending, not overlapping: one section's
        records each), made in a few passes over the whole column: the same codes,
        distinct values (each part only its own) and measures as slicing one by one."""
        if not bounds:
            return []
        n = len(self.uniques)
        lengths = np.array([b - a for a, b in bounds], dtype=np.int64)
        ends = np.cumsum(lengths)
        offsets = np.concatenate(([0], ends))
        starts = np.array([a for a, _ in bounds], dtype=np.int64)
        part = np.repeat(np.arange(len(bounds), dtype=np.int64), lengths)
        codes = self.codes[np.arange(int(ends[-1]), dtype=np.int64) + (starts - offsets[:-1])[part]]
        held = codes >= 0
        # (part, value) pairs numbered in order of appearance: part by part, as the records
        pairs, keys = pd.factorize(part[held] * max(n, 1) + codes[held])
        keys = np.asarray(keys, dtype=np.int64)
        pair_part, pair_value = keys // max(n, 1), keys % max(n, 1)
        first = np.searchsorted(pair_part, np.arange(len(bounds) + 1))
        # every part's codes in one array, of the smallest type that holds every part's
        # (int16 or int32: a quarter or half the memory the run's parts hold)
        most = max(int(np.diff(first).max()), n if (np.diff(first) == n).any() else 0)
        small = np.int16 if most < np.iinfo(np.int16).max else np.int32
        local = np.full(len(codes), -1, dtype=small)
        local[held] = pairs - first[part[held]]
        table = self.table()
        whole = self._measures[0] if self._measures else None
        is_multi = np.zeros(n, dtype=bool)
        if whole is not None and whole.multi:
            is_multi[whole.multi] = True
        out = []
        for p in range(len(bounds)):
            a, b = int(offsets[p]), int(offsets[p + 1])
            if first[p + 1] - first[p] == n:  # every distinct value (as ``compact``: itself)
                local[a:b] = codes[a:b]
                coded = Coded(local[a:b], self.uniques, self.texts_only)
                coded._measures = self._measures
            else:
                values = pair_value[first[p] : first[p + 1]]
                coded = Coded(local[a:b], table[values].tolist(), self.texts_only)
                if whole is not None:
                    multi = np.flatnonzero(is_multi[values]).tolist()
                    coded._measures.append(_Measures(coded.uniques, whole.units[values], multi))
            out.append(coded)
        return out

    def table(self) -> np.ndarray:
        """Object array of the distinct values, None last (the value of code -1)."""
        table = np.empty(len(self.uniques) + 1, dtype=object)
        table[: len(self.uniques)] = self.uniques
        return table

    def tolist(self, empty: object = None) -> list[object]:
        """The cells as a list (``empty`` for empty ones: None, as ``texts``/``numbers``
        give them)."""
        table = self.table()
        table[-1] = empty
        return table[self.codes].tolist()

    def head(self, n: int) -> list[object]:
        """The distinct values among the first ``n`` records (None standing for empty)."""
        codes = dict.fromkeys(self.codes[:n].tolist())  # in order of appearance
        return [self.uniques[c] if c >= 0 else None for c in codes]

    def measures(self) -> _Measures:
        if not self._measures:
            self._measures.append(_Measures(self.uniques))
        return self._measures[0]

    def map_codes(self, table: Sequence[object] | np.ndarray, missing: object) -> np.ndarray:
        """``table[code]`` for each record (``missing`` for empty cells), by one take."""
        lookup = np.empty(len(self.uniques) + 1, dtype=np.asarray(table).dtype)
        lookup[: len(self.uniques)] = table
        lookup[-1] = missing
        return lookup[self.codes]


def _coded_from_factorized(codes: np.ndarray, uniques: list[object]) -> Coded:
    """Drop the distinct values that became None (empty), their records coded -1."""
    gone = [i for i, v in enumerate(uniques) if v is None]
    if gone:
        keep = np.ones(len(uniques), dtype=bool)
        keep[gone] = False
        remap = np.full(len(uniques) + 1, -1, dtype=np.intp)  # index -1: already empty
        remap[: len(uniques)][keep] = np.arange(int(keep.sum()))
        codes = remap[codes]
        uniques = [v for v in uniques if v is not None]
    return Coded(codes, uniques)


def _clean_texts(uniques: list[str]) -> list[str | None]:
    """``_text_of`` of each distinct text: one scan of all of them joined finds the few
    that need it (control characters, too long, empty)."""
    if not uniques:
        return []
    lengths = np.fromiter(map(len, uniques), np.int64, len(uniques))
    fix = set(np.flatnonzero(lengths == 0).tolist())
    fix |= {
        i for i in np.flatnonzero(2 * lengths > xlsx.MAX_CELL_CHARS) if xlsx.over_cell(uniques[i])
    }
    joined = "\n".join(uniques)  # a legal character: no match spans two texts
    if xlsx.ILLEGAL_CHARACTERS_RE.search(joined):
        starts = np.cumsum(lengths + 1) - (lengths + 1)
        for match in xlsx.ILLEGAL_CHARACTERS_RE.finditer(joined):
            fix.add(int(np.searchsorted(starts, match.start(), "right")) - 1)
    out: list[str | None] = list(uniques)
    for i in fix:
        out[i] = _text_of(uniques[i])
    return out


def _addresses(values: np.ndarray) -> np.ndarray:
    """The address of each object of a C-contiguous object array (what ``id`` gives), read
    from the array's own buffer of pointers; ``values`` must stay alive meanwhile."""
    pointers = (ctypes.c_size_t * len(values)).from_address(values.ctypes.data)
    return np.frombuffer(pointers, dtype=np.uintp).copy()


def _firsts(codes: np.ndarray) -> np.ndarray:
    """Index of each code's first record, for codes numbered in order of appearance (a
    record is the first of its code when its code passes every code before it)."""
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return np.flatnonzero(codes > before)


def _factorize_texts(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(code of each value, the distinct texts in order of appearance); anything not text
    (missing) and the empty text are coded -1 (an empty cell either way).

    Records holding the same object are told apart by its address first (a pass in C over
    the array's pointers, no object touched), then only the distinct objects are compared
    by value, in dicts (pd.factorize would encode every text to UTF-8 first and keep that
    copy on each string). The frames share one object per repeated text, so the distinct
    objects are few."""
    values = np.ascontiguousarray(values, dtype=object)
    by_object, _ = pd.factorize(_addresses(values))
    objects = values[_firsts(by_object)].tolist()
    distinct = dict.fromkeys(objects)
    if len(distinct) == len(objects):  # the usual case: one object per distinct text
        codes, uniques = np.asarray(by_object, dtype=np.intp), objects
    else:
        index = dict(zip(distinct, itertools.count()))
        codes = np.fromiter(map(index.__getitem__, objects), np.intp, len(objects))[by_object]
        uniques = list(index)
    if set(map(type, uniques)) <= {str}:  # nothing missing (None, NaN, NA): one pass in C
        if "" not in distinct:
            return codes, uniques  # type: ignore[return-value]
        gone = [uniques.index("")]
    else:  # None, NaN, NA
        gone = [i for i, v in enumerate(uniques) if not isinstance(v, str) or not v]
    if not gone:
        return codes, uniques  # type: ignore[return-value]
    keep = np.ones(len(uniques) + 1, dtype=bool)
    keep[gone] = False
    keep[-1] = False
    remap = np.where(keep, np.cumsum(keep) - 1, -1)
    return remap[codes], [v for v, k in zip(uniques, keep.tolist(), strict=False) if k]


# bytes other than the control characters XML cannot hold (what ``bytes.translate`` deletes
# to find those): tab, line feed and carriage return stay
MEASURE_BATCH = 20_000  # distinct texts checked and measured at a time
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in (0x09, 0x0A, 0x0D))


def _measured_texts(uniques: list[str]) -> Coded | None:
    """The usual case of ``text_column``'s distinct texts, checked and measured in a few
    passes over their UTF-8 joined by NUL (no control character, surrogate or U+FFFE/FFFF,
    none empty or too long): a ``Coded`` with codes to fill in and its measures, or None
    when some text needs cleaning. A batch of texts at a time (bounds the copies)."""
    n = len(uniques)
    chars = np.fromiter(map(len, uniques), np.int64, n)
    if not n or chars.min() == 0:
        return None
    if 2 * chars.max() > xlsx.MAX_CELL_CHARS and any(
        xlsx.over_cell(uniques[i]) for i in np.flatnonzero(2 * chars > xlsx.MAX_CELL_CHARS)
    ):
        return None
    units: list[np.ndarray] = []
    multi: list[int] = []
    for start in range(0, n, MEASURE_BATCH):
        batch = uniques[start : start + MEASURE_BATCH]
        joined = "\x00".join(batch)
        # U+FFFE, U+FFFF: one character each in the text (in its UTF-8 the search is several
        # times slower: full-width punctuation starts with the same byte, 0xEF)
        if "\ufffe" in joined or "\uffff" in joined:
            return None
        data = joined.encode("utf-8", "surrogatepass")
        if data.translate(None, _NOT_CONTROL) != b"\x00" * (len(batch) - 1):  # not only NULs
            return None
        if b"\xed" in data and xlsx.ILLEGAL_CHARACTERS_RE.search("".join(batch)):  # surrogates
            return None
        octets = np.frombuffer(data, np.uint8)
        ends = np.append(np.flatnonzero(octets == 0), len(octets))  # each text's end
        sizes = ends - np.concatenate(([0], ends[:-1] + 1))
        size_chars = chars[start : start + len(batch)]
        units.append(size_chars + (sizes - size_chars) / 2)  # as display_units
        breaks = np.searchsorted(ends, np.flatnonzero(octets == 10))
        multi.extend((np.unique(breaks) + start).tolist())
    coded = Coded(np.empty(0, dtype=np.intp), uniques, texts_only=True)
    measures = _Measures(uniques, np.concatenate(units), multi)  # type: ignore[arg-type]
    coded._measures.append(measures)
    return coded


def text_column(series: pd.Series) -> Coded:
    """A column of user text -> safe cell strings, coded (``Coded``): the same cells as
    ``texts``, each distinct text cleaned (``xlsx.cell_text``) once."""
    if len(series) == 0:
        return Coded(np.empty(0, dtype=np.intp), [], texts_only=True)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        values = series.to_numpy(dtype=object)
    else:
        missing = series.isna().to_numpy()
        values = np.empty(len(series), dtype=object)
        values[:] = [
            None if gone else (v if v.__class__ is str else str(v))
            for v, gone in zip(series.tolist(), missing.tolist(), strict=True)
        ]
    codes, uniques = _factorize_texts(values)
    coded = _measured_texts(uniques)
    if coded is not None:
        coded.codes = codes
        return coded
    coded = _coded_from_factorized(codes, _clean_texts(uniques))
    coded.texts_only = True
    return coded


def text_columns(columns: Sequence[np.ndarray]) -> list[Coded]:
    """``text_column`` of each of several columns of text (object arrays holding str or
    missing values only), made at once: their records factorized, checked and measured as
    one column, then each column compacted to its own distinct values (same cells, same
    measures; the fixed cost of a column is paid once for all of them)."""
    if len(columns) < 2:
        return [text_column(pd.Series(c, dtype=object, copy=False)) for c in columns]
    whole = text_column(pd.Series(np.concatenate(columns), dtype=object, copy=False))
    out, start = [], 0
    for column in columns:
        stop = start + len(column)
        out.append(Coded(whole.codes[start:stop], whole.uniques, whole.texts_only).compact(whole))
        start = stop
    return out


def texts(series: pd.Series) -> list[str | None]:
    """A column of user text -> safe cell strings (None for missing or empty).

    Same result as ``xlsx.cell_text`` per value; each distinct text is checked once (see
    ``text_column``, which keeps the column coded)."""
    return text_column(series).tolist()


def _number_of(v: object) -> object:
    v = xlsx.output_value(v)
    if isinstance(v, float):
        # counts read from a float column (NaN elsewhere) are still whole numbers;
        # infinities have no cell form
        v = int(v) if v.is_integer() else (v if math.isfinite(v) else None)
    return v


def numbers(series: pd.Series) -> list[object]:
    return number_column(series).tolist()


def number_column(series: pd.Series) -> Coded:
    """A column as number cells (``numbers``), coded: numeric columns are factorized in C
    and each distinct number converted once; any other column value by value."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return _coded_from_factorized(codes, [*map(_number_of, uniques.tolist())])
    return as_coded([*map(_number_of, series.tolist())])


def _by_identity(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, index of each code's first value), values told apart by
    identity: hashing object ids is a pass in C, where hashing fresh strings is not."""
    ids = np.fromiter(map(id, values), np.uint64, len(values))
    codes, _ = pd.factorize(ids)
    return codes, _firsts(codes)


def as_coded(values: Sequence[object] | Coded) -> Coded:
    """A column of cell values (list) as a ``Coded``; None is an empty cell.

    Distinct by identity, not by value (see ``_by_identity``): ``texts`` returns equal texts
    as one object, so its columns come out distinct by value; anything else is merely
    rendered once per object (the same output)."""
    if isinstance(values, Coded):
        return values
    if len(values) == 0:
        return Coded(np.empty(0, dtype=np.intp), [])
    codes, firsts = _by_identity(values)
    uniques = [values[i] for i in firsts.tolist()]
    if None in uniques:  # missing: code -1
        gone = uniques.index(None)
        codes = np.where(codes == gone, -1, codes - (codes > gone))
        del uniques[gone]
    return Coded(codes, uniques)


def display_units(texts: list[str]) -> np.ndarray:
    """Width of each text in column units: CJK (3 UTF-8 bytes) counts 2, ASCII 1."""
    chars = np.fromiter(map(len, texts), np.float64, len(texts))
    octets = np.fromiter(map(len, map(str.encode, texts)), np.float64, len(texts))
    return chars + (octets - chars) / 2


def _usable(width: float) -> float:
    """Column units a wrapped line holds at ``width``: Excel's 10-11 pt 宋体 fits a little
    more than ``width`` half-width characters less padding; the margin left covers
    line-breaking rules (no line starts with ，。)."""
    return max(width * 1.05 - 0.6, 1.0)


def line_counts(values: Sequence[object] | Coded, width: float) -> np.ndarray:
    """Lines a wrapped cell needs, each paragraph wrapping on its own.

    Estimated and vectorised: LibreOffice does not grow rows on load, so we set heights.
    Each distinct value is measured once."""
    usable = _usable(width)
    if len(values) == 0:
        return np.ones(0)
    coded = as_coded(values)
    return coded.map_codes(coded.measures().lines(usable), 1.0)


def _running_units(text: str) -> list[float]:
    """The display units (``display_units``) of each prefix of ``text``, from the empty one:
    a character of n UTF-8 bytes counts 1 + (n - 1) / 2."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    octets = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
    return [0.0, *np.cumsum(1 + (octets - 1) / 2).tolist()]


CUT_AFTER = frozenset("、，；。！？,; ")  # a long text is cut after these where it can


def _after_punctuation(paragraph: str, start: int, end: int) -> int:
    """Where to cut ``paragraph[start:end]``: after its last punctuation mark in the second
    half (a list of names is cut between names, 「职员189」 not 「职」 / 「员189」), else ``end``."""
    if end >= len(paragraph):
        return end
    for i in range(end - 1, start + (end - start) // 2, -1):
        if paragraph[i] in CUT_AFTER:
            return i + 1
    return end


def text_chunks(text: str, width: float, fits: int, most: int = 8, mark: str = "") -> list[str]:
    """``text`` cut, at line breaks where it can and else between characters, into pieces
    each needing at most ``fits`` lines at ``width`` (one line kept for 「（续）」); at most
    ``most`` pieces, the last ending in ``mark`` when the text goes on beyond them (a pasted
    blob of 30,000 characters is not worth sixty printed rows)."""
    room = max(fits - 1, 1)
    usable = _usable(width)

    def lines(piece: str) -> int:  # line_counts([piece], width)[0], without the arrays
        total = 0
        for paragraph in piece.split("\n"):
            chars = len(paragraph)
            units = chars + (len(paragraph.encode()) - chars) / 2
            total += max(math.ceil(units / usable), 1)
        return total

    def within(units: float) -> bool:
        return max(math.ceil(units / usable), 1) <= room

    pieces: list[str] = []
    # once the pieces hold more lines than ``most`` chunks can, the chunks kept are settled:
    # the rest of a pasted blob is not cut at all
    enough, held_lines = most * room, 0
    for paragraph in text.split("\n"):
        if held_lines > enough:
            break
        need = lines(paragraph)
        if need <= room:
            pieces.append(paragraph)
            held_lines += need
            continue
        # one paragraph too long for a row: cut it, each cut as long as a row holds
        # (its units from running sums: each cut's a subtraction, not a pass over it)
        cum = _running_units(paragraph)
        start, end = 0, len(paragraph)
        while not within(cum[end] - cum[start]) and held_lines <= enough:
            low, high = start + 1, end
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if within(cum[mid] - cum[start]) else (low, mid - 1)
            low = _after_punctuation(paragraph, start, low)
            pieces.append(paragraph[start:low])
            held_lines += lines(pieces[-1])
            start = low
        pieces.append(paragraph[start:])
        held_lines += lines(pieces[-1])
    chunks: list[str] = []
    current: list[str] = []
    held = 0  # the lines of current joined: each piece is a line break's paragraph of its own
    for piece in pieces:
        need = lines(piece)
        if current and held + need > room:
            chunks.append("\n".join(current))
            current, held = [], 0
        current.append(piece)
        held += need
    chunks.append("\n".join(current))
    if len(chunks) > most:
        last = chunks[most - 1]
        while last and lines(last + mark) > room:
            last = last[: -max(1, len(mark))]
        chunks = [*chunks[: most - 1], last.rstrip() + mark]
    return chunks


def line_counts_each(texts: Sequence[str], widths: Sequence[float]) -> np.ndarray:
    """``line_counts([text], width)[0]`` of each text at its own width, measured at once
    (a table's header cells)."""
    if len(texts) == 0:
        return np.ones(0)
    usable = np.maximum(np.asarray(widths, dtype=np.float64) * 1.05 - 0.6, 1.0)
    return _Measures([t if t.__class__ is str else "" for t in texts]).lines(usable)


def row_heights(
    values: Sequence[Sequence[object] | Coded],
    widths: Sequence[float],
    wraps: Sequence[bool],
    line_height: float = LINE_HEIGHT,
) -> np.ndarray:
    """Height of each record: enough lines for its tallest wrapped cell, within Excel's cap.
    ``values`` holds one list (or ``Coded``) per column; ``wraps[c]`` says whether column
    ``c`` wraps; ``line_height`` is the points one line of the sheet's font needs."""
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
    values: list[Any]  # per column: a list (str | number | None) or a ``Coded``
    styles: list[Any]  # per column: one xf index, or one per record (list or int array)
    heights: Any  # per record (list or float array)
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


def _xml_element(text: str, escape: bool = True) -> str:
    """The ``<t>`` element of an inline string."""
    if escape:
        text = _xml_text(text)
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _is_empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _value_pieces(
    uniques: list[object], strings: _Strings | None, texts_only: bool = False
) -> _Pieces:
    """What follows ``<c r="A12" s="7`` for each distinct value, and last for an empty
    cell. Text is a shared string (an index into ``strings``) or, without a table, an
    inline string: user text never becomes a formula or a link. With a table, made once
    per column of distinct values (``Coded`` slices and sheets showing the same column
    share them)."""
    if strings is not None:
        found = strings.pieces.get(id(uniques))
        if found is not None and found[0] is uniques:
            return found[1]
    empty = '"/>'
    if texts_only and strings is not None:  # each distinct value a text: its index only
        is_text = np.ones(len(uniques) + 1, dtype=bool)
        is_text[-1] = False
        done = _Pieces(None, is_text, ascii=True, sst=strings.indices(uniques))  # type: ignore[arg-type]
        strings.pieces[id(uniques)] = (uniques, done)
        return done
    pieces = [empty] * (len(uniques) + 1)
    is_text = np.zeros(len(uniques) + 1, dtype=bool)
    at = [i for i, v in enumerate(uniques) if isinstance(v, str) and v != ""]
    text = [uniques[i] for i in at]
    if strings is not None:
        rendered = [f'" t="s"><v>{i}</v></c>' for i in strings.indices(text)]
        is_text[at] = True
    else:
        rendered = [f'" t="inlineStr"><is>{_xml_element(t)}</is></c>' for t in text]
    for i, piece in zip(at, rendered, strict=True):
        pieces[i] = piece
    if len(at) < len(uniques):
        for i, v in enumerate(uniques):
            if not isinstance(v, str) and not _is_empty(v):
                pieces[i] = f'"><v>{v!r}</v></c>'
    table = np.empty(len(pieces), dtype=object)
    table[:] = pieces
    done = _Pieces(table, is_text, ascii=strings is not None)
    if strings is not None:
        strings.pieces[id(uniques)] = (uniques, done)
    return done


@dataclass
class _Pieces:
    table: np.ndarray  # object array of str: each distinct value's piece, the empty cell's last
    is_text: np.ndarray  # bool per piece: a reference to the shared-string table
    ascii: bool  # every piece is ASCII (no inline text)
    # every distinct value a shared string: their indices (then ``table`` is not made)
    sst: list[int] | None = None

    def tails(self, styles: list[int], values: list[int], glue: str) -> list[str]:
        """The cell ending of each (style, value index) pair (index ``len``: empty), each
        followed by ``glue``: one formatting per pair."""
        if self.sst is not None:
            sst, n = self.sst, len(self.sst)
            return [
                f'" s="{s}" t="s"><v>{sst[v]}</v></c>{glue}' if v < n else f'" s="{s}"/>{glue}'
                for s, v in zip(styles, values, strict=True)
            ]
        table = self.table.tolist()
        return [f'" s="{s}{table[v]}{glue}' for s, v in zip(styles, values, strict=True)]

    def style_tails(self, style: int, glue: str) -> list[str]:
        """The cell ending of each distinct value (the empty cell's last) in one style."""
        if self.sst is not None:
            head, tail = f'" s="{style}" t="s"><v>', f"</v></c>{glue}"
            return [f"{head}{i}{tail}" for i in self.sst] + [f'" s="{style}"/>{glue}']
        head = f'" s="{style}'
        return [f"{head}{p}{glue}" for p in self.table.tolist()]


class _Strings:
    """The package's shared-string table, extended by the spliced records: xlsxwriter's own
    strings keep their indices; each new distinct text is added once.

    Measured on the district workbook (200 archives x 100 people): the sheet XML is less
    than half the size of inline strings (less to join, encode and deflate), and the
    archive's catalogue reads back faster (calamine 20-25 -> 17 ms)."""

    _HEAD = re.compile(r'<sst\b[^>]*?\bcount="(\d+)"[^>]*?\buniqueCount="(\d+)"[^>]*>')
    BATCH = 20_000  # texts escaped and encoded at a time (bounds the copies in memory)

    def __init__(self, xml: str) -> None:
        match = self._HEAD.search(xml)
        if match is None or "</sst>" not in xml:
            raise ValueError("no shared-string table header")
        self.xml = xml
        self.match = match
        self.base = int(match.group(2))
        self.count = int(match.group(1))  # references to the table, kept up to date
        self.added: dict[str, int] = {}
        # id of a column's distinct values -> (those values, their pieces): see _value_pieces
        self.pieces: dict[int, tuple[list[object], _Pieces]] = {}

    def index(self, text: str) -> int:
        i = self.added.get(text)
        if i is None:
            i = self.added[text] = self.base + len(self.added)
        return i

    def indices(self, texts: list[str]) -> list[int]:
        """``index`` of each text (new ones added in order): one probe for a text already
        there, one insertion for a new one (measured faster than passes of C maps, which
        probe the growing table twice for every new text)."""
        added = self.added
        get = added.get
        following = self.base + len(added)
        out = []
        for text in texts:
            i = get(text)
            if i is None:
                i = added[text] = following
                following += 1
            out.append(i)
        return out

    def chunks(self) -> Iterator[bytes]:
        """The table as UTF-8 XML, in pieces: the new texts are escaped and joined a batch
        at a time."""
        head = self.match.group(0)
        head = re.sub(r'\bcount="\d+"', f'count="{self.count}"', head, count=1)
        head = re.sub(
            r'\buniqueCount="\d+"', f'uniqueCount="{self.base + len(self.added)}"', head, count=1
        )
        body = self.xml[self.match.end() : self.xml.rindex("</sst>")]
        yield "".join([self.xml[: self.match.start()], head, body]).encode("utf-8")
        added = list(self.added)
        for start in range(0, len(added), self.BATCH):
            yield _string_items(added[start : start + self.BATCH]).encode("utf-8")
        yield b"</sst>"


_ITEM = "</t></si><si><t>"
_ITEM_PRESERVE = '</t></si><si><t xml:space="preserve">'


def _string_items(texts: list[str]) -> str:
    """``<si><t>text</t></si>`` of each text (non-empty, safe): escaped in one pass over
    all of them joined; the separators become the item boundaries (cut apart only when
    some text needs ``xml:space``)."""
    if not texts:
        return ""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a text holding the separator (unsafe)
        return "".join(f"<si>{_xml_element(t)}</si>" for t in texts)
    n = len(texts)
    # stripping gives the text itself back unless it starts or ends with white space
    preserve = np.flatnonzero(np.fromiter(map(is_not, map(str.strip, texts), texts), bool, n))
    escaped = _xml_text(joined)
    if not len(preserve):
        return "".join(["<si><t>", escaped.replace("\x00", _ITEM), "</t></si>"])
    pieces = np.empty((n, 2), dtype=object)
    pieces[:, 0] = _ITEM
    pieces[preserve, 0] = _ITEM_PRESERVE
    pieces[:, 1] = escaped.split("\x00")
    pieces[0, 0] = pieces[0, 0][len("</t></si>") :]
    return "".join([*pieces.ravel().tolist(), "</t></si>"])


@dataclass
class _Column:
    """One column rendered: each record's code into ``tails``, the distinct cell endings,
    each followed by what starts the next cell (or ends the row and opens the next)."""

    codes: np.ndarray
    tails: np.ndarray  # object array of str
    ascii: bool
    longest: int = 0  # UTF-8 bytes of the longest tail, at most (a bound: see ``_Rendered``)


def _column_pieces(
    values: Sequence[object] | Coded, strings: _Strings | None
) -> tuple[np.ndarray, _Pieces]:
    """(each record's index into the pieces, the last one for an empty cell; the pieces of
    the column's distinct values): what joins the string table, in the order it joins."""
    coded = as_coded(values).compact()  # only texts the sheet shows join its string table
    n_values = len(coded.uniques)
    vcodes = np.where(coded.codes < 0, n_values, coded.codes)  # empty: the last piece
    pieces = _value_pieces(coded.uniques, strings, coded.texts_only)
    if strings is not None:  # references to the table: one per text cell
        strings.count += int(np.count_nonzero(pieces.is_text[vcodes]))
    return vcodes, pieces


def _render_column(
    values: Sequence[object] | Coded, style: Any, strings: _Strings | None, glue: str
) -> _Column:
    """Each distinct (style, value) rendered once; the records refer to them by code."""
    vcodes, pieces = _column_pieces(values, strings)
    return _column_tails(vcodes, pieces, style, glue)


def _column_tails(vcodes: np.ndarray, pieces: _Pieces, style: Any, glue: str) -> _Column:
    """A column's cell endings from its pieces (``_column_pieces``)."""
    if isinstance(style, (list, np.ndarray)):
        scodes, sunique = pd.factorize(np.asarray(style, dtype=np.int64))
        ns = len(sunique)
        codes, pairs = pd.factorize(vcodes.astype(np.int64) * ns + scodes)
        pairs = np.asarray(pairs)
        rendered = pieces.tails(
            np.asarray(sunique)[pairs % ns].tolist(), (pairs // ns).tolist(), glue
        )
    else:
        codes = vcodes
        rendered = pieces.style_tails(style, glue)
    tails = np.empty(len(rendered), dtype=object)
    tails[:] = rendered
    longest = max(map(len, rendered), default=0) * (1 if pieces.ascii else 4)  # UTF-8 at most
    return _Column(_small_codes(codes, len(tails)), tails, pieces.ascii, longest)


def _small_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Codes into ``n`` pieces in int32 when it holds them: a table's columns are held
    while it is written (the 20,000-form 异常清单's ten: 13 MiB less than intp)."""
    return np.asarray(codes, dtype=np.int32 if n < 2**31 else np.intp)


_NEXT_ROW = '</row><row r="'


class _RowNumbers:
    """The texts of Excel row numbers, shared by a package's tables: rows 1 .. ``kept`` made
    once (the tables but the largest fit), the largest table's rows past them made a chunk
    at a time (its all at once: 17 MiB at 330,000 rows, when it is rendered last)."""

    def __init__(self, kept: int = 0) -> None:
        self.texts = np.empty(kept, dtype=object)
        self.texts[:] = [*map(str, range(1, kept + 1))]

    def of(self, first: int, stop: int) -> np.ndarray:
        """Object array of the texts of rows ``first`` .. ``stop - 1``."""
        if stop - 1 <= len(self.texts):
            return self.texts[first - 1 : stop - 1]
        numbers = np.empty(max(stop - first, 0), dtype=object)
        numbers[:] = [*map(str, range(first, stop))]
        return numbers


@dataclass
class _Rendered:
    first: int  # the Excel row number of record 0
    openers: np.ndarray  # object array: what follows '<row r="N' up to the first cell's N
    columns: list[_Column]
    longest_opener: int = 0  # characters of the longest opener (ASCII)
    row_numbers: _RowNumbers = field(default_factory=_RowNumbers)

    def numbers(self, start: int, stop: int) -> np.ndarray:
        """Object array of the Excel row numbers of records ``start:stop`` as text."""
        return self.row_numbers.of(self.first + start, self.first + stop)

    def more_bytes_than(self, limit: int) -> bool:
        """Whether the rows' XML passes ``limit`` bytes (``n_bytes``): told from a bound (every
        row as long as the longest pieces could make it) when the bound is within ``limit``,
        with no pass over the records; counted exactly otherwise."""
        n = len(self.openers)
        longest_number = len(str(self.first + n - 1)) if n else 0
        row = (len(self.columns) + 1) * longest_number + self.longest_opener
        bound = n * (row + sum(col.longest for col in self.columns))
        return bound + len('<row r="') > limit and self.n_bytes() > limit

    def n_bytes(self) -> int:
        numbers_bytes = sum(map(len, self.numbers(0, len(self.openers)).tolist()))
        total = sum(map(len, self.openers.tolist())) + numbers_bytes * (len(self.columns) + 1)
        for col in self.columns:
            counts = np.bincount(col.codes, minlength=len(col.tails))
            tails = col.tails.tolist()
            sizes = np.fromiter(
                map(len, tails if col.ascii else map(str.encode, tails)), np.int64, len(tails)
            )
            total += int(counts @ sizes)
        return total + len('<row r="')


def _render(
    rows: Rows, strings: _Strings | None = None, row_numbers: _RowNumbers | None = None
) -> _Rendered:
    first = rows.header_row + 2  # 1-based Excel row of record 0
    k = len(rows.values)
    glues = [f'<c r="{xlsx.col_letter(c)}' for c in range(k)] + [_NEXT_ROW]
    heights = np.asarray(rows.heights, dtype=np.float64)
    hcodes, hunique = pd.factorize(heights)
    opener_of = [
        (f'" ht="{h:g}" customHeight="1">' if h > DEFAULT_ROW_HEIGHT else '">') + glues[0]
        for h in hunique.tolist()
    ]
    openers = np.empty(len(opener_of), dtype=object)
    openers[:] = opener_of
    columns = [
        _render_column(values, style, strings, glues[c + 1])
        for c, (values, style) in enumerate(zip(rows.values, rows.styles, strict=True))
    ]
    longest = max(map(len, opener_of), default=0)
    return _Rendered(first, openers[hcodes], columns, longest, row_numbers or _RowNumbers())


def _rows_text(done: _Rendered, start: int, stop: int) -> str:
    """The <row> elements of records ``start:stop``: one object array holding every piece
    (shared strings, no copies) in document order, joined once. Each piece after a row
    number carries what follows it up to the next row number."""
    if stop <= start:
        return ""
    numbers = done.numbers(start, stop)
    pieces = np.empty((stop - start, 2 * len(done.columns) + 2), dtype=object)
    pieces[:, 0] = numbers
    pieces[:, 1] = done.openers[start:stop]
    for c, col in enumerate(done.columns):
        pieces[:, 2 + 2 * c] = numbers
        pieces[:, 3 + 2 * c] = col.tails[col.codes[start:stop]]
    pieces[0, 0] = '<row r="' + pieces[0, 0]
    pieces[-1, -1] = pieces[-1, -1][: -len('<row r="')]  # the last row opens no other
    return "".join(pieces.ravel().tolist())


_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)?\d*:?([A-Z]+)?(\d+)?"/>')
CHUNK_ROWS = 5000
ZIP64_BYTES = 1_500_000_000  # Zip64 only when the sheet could pass 2 GiB


SHARED_STRINGS = "xl/sharedStrings.xml"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the timestamp of a member written anew (zip's earliest)


def _write_raw(dst: zipfile.ZipFile, entry: zipfile.ZipInfo, pieces: list[bytes]) -> None:
    """Write an entry whose compressed bytes are ``pieces`` (sizes and CRC set on
    ``entry``), as ``ZipFile.write`` does: local header, data, central directory at close."""
    if dst.fp is None:
        raise _NotReworked("closed")
    entry.flag_bits &= ~0x08  # sizes in the header, no data descriptor
    entry.header_offset = dst.fp.tell()
    dst.fp.write(entry.FileHeader(zip64=False))
    for piece in pieces:
        dst.fp.write(piece)
    dst.filelist.append(entry)
    dst.NameToInfo[entry.filename] = entry
    dst.start_dir = dst.fp.tell()
    dst._didModify = True  # close() writes the central directory then


def splice(base: Path | io.BytesIO, final: Path, pending: list[Rows]) -> None:
    """Copy the xlsxwriter package ``base`` to ``final``, inserting the queued records
    after each table's header row (entries keep xlsxwriter's fixed timestamps). Their texts
    join the package's shared-string table (inline strings if it has none).

    ``pending`` is emptied: each table's records are let go of once its part is written
    (the largest table, written last, is rendered without the others' records held)."""
    by_name = {f"xl/worksheets/sheet{p.sheet_number}.xml": p for p in pending}
    lasts = sorted(rows.header_row + 1 + rows.n_rows for rows in pending)
    row_numbers = _RowNumbers(lasts[-2] if len(lasts) > 1 else 0)
    pending.clear()
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
        # each table is rendered as its part is written, and let go after; only tables whose
        # parts follow the string table are rendered before it, so that it is complete
        names = src.namelist()
        after = names[names.index(SHARED_STRINGS) + 1 :] if strings is not None else []
        rendered = {
            name: _render(by_name[name], strings, row_numbers) for name in after if name in by_name
        }
        for info in src.infolist():
            rows = by_name.pop(info.filename, None)
            if info.filename == SHARED_STRINGS and strings is not None and strings.added:
                with dst.open(_entry(info), "w") as out, _writer(out, len(strings.added)) as write:
                    _fast_deflate(out)
                    for chunk in strings.chunks():
                        write(chunk)
                continue
            if rows is None:  # the writer's own part: its compressed bytes as they are
                copy_member(src, info, dst)
                continue
            xml = src.read(info.filename).decode("utf-8")
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
            done = rendered.pop(info.filename, None) or _render(rows, strings, row_numbers)
            entry = _entry(info)
            # Zip64 only when the sheet could pass 2 GiB: some Excel builds dislike it
            huge = done.more_bytes_than(ZIP64_BYTES - len(xml) * 3)
            with (
                dst.open(entry, "w", force_zip64=huge) as out,
                _writer(out, rows.n_rows) as write,
            ):
                _fast_deflate(out)
                write(head.encode("utf-8"))
                for start in range(0, rows.n_rows, CHUNK_ROWS):
                    stop = min(start + CHUNK_ROWS, rows.n_rows)
                    write(_rows_text(done, start, stop).encode("utf-8"))
                write(tail.encode("utf-8"))
            del done


def _entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A zip entry for generated XML, with ``info``'s name and timestamp: fast compression
    (level 1) costs ~20% size, saves seconds."""
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    level_attr = "compress_level" if hasattr(entry, "compress_level") else "_compresslevel"
    setattr(entry, level_attr, 1)
    return entry


def _fast_deflate(out: IO[bytes]) -> None:
    """Let ISA-L deflate a zip entry just opened for writing (before anything is written):
    the same deflate format, ~4x less CPU than zlib at level 1, like size (77 MB of sheet
    XML: 0.40 -> 0.11 s). zipfile has no public hook for the compressor, so its writer's
    ``_compressor`` (CPython 3.6+) is swapped when present; otherwise zlib stays."""
    if _fast_zlib is not None and getattr(out, "_compressor", None) is not None:
        out._compressor = _fast_zlib.compressobj(1, _fast_zlib.DEFLATED, -15)  # type: ignore[attr-defined]


SMALL_PART = CHUNK_ROWS  # rows (or new strings) up to which a part is deflated inline


class _Inline:
    """``_Writer``'s interface, writing on the caller's thread: for small parts, where a
    thread's start and hand-overs cost more than the deflate they would overlap."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def __call__(self, chunk: bytes) -> None:
        self.out.write(chunk)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _writer(out: IO[bytes], size: int) -> _Writer | _Inline:
    """The writer of one part of ``size`` rows (or strings)."""
    return _Inline(out) if size <= SMALL_PART else _Writer(out)


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


# --------------------------------------------------------------------------------------
# A previous package reworked: a few texts changed, one sheet replaced (a rerun's workbook
# whose data did not change)
# --------------------------------------------------------------------------------------
_PLAIN_TEXT = re.compile(r"[^\s&<>\"\x00-\x1f]([^&<>\"\x00-\x1f]*[^\s&<>\"\x00-\x1f])?")
_STRING_CELL = b't="s"><v>'
_STRING_REF = re.compile(rb't="s"><v>(\d+)</v>')
# xlsxwriter's header of the string table (attributes in this order)
_SST_HEAD = re.compile(rb'<sst( [^>]*? )count="(\d+)" uniqueCount="(\d+)">')
_STYLES = "xl/styles.xml"
_WORKBOOK = "xl/workbook.xml"
_DEFINED_NAME = re.compile(
    r'<definedName name="([^"]+)" localSheetId="(\d+)"[^>]*>[^<]*</definedName>'
)


class _NotReworked(Exception):
    """Something in the packages is not as ``rework`` expects: nothing is written."""


@dataclass(frozen=True)
class Donor:
    """A sheet to put into a previous package in place of its own: ``package`` (bytes of an
    xlsxwriter package) holds it as sheet ``sheet_number``, its string cells in its own
    shared-string table, its styles numbered as the previous package's below ``shared_xfs``
    (the formats both made in the same order)."""

    package: bytes
    sheet_number: int
    shared_xfs: int


def _items(xml: str, tag: str) -> list[str]:
    """The ``<tag>`` elements of one list of styles.xml (``fonts``, ``fills``...), as text."""
    start = xml.find(f"<{tag}s ")
    if start < 0:
        return []
    stop = xml.index(f"</{tag}s>", start)
    body = xml[xml.index(">", start) + 1 : stop]
    return re.findall(rf"<{tag}\b(?:[^>]*/>|.*?</{tag}>)", body)


def _cell_xfs(styles: str) -> list[str]:
    block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.DOTALL)
    return re.findall(r"<xf\b(?:[^>]*/>|.*?</xf>)", block.group(1)) if block else []


def _same_styles(old: str, new: str, shared: int) -> bool:
    """The first ``shared`` cell formats of two styles.xml are the same, with the fonts,
    fills and borders they use and the number formats."""
    xfs_old, xfs_new = _cell_xfs(old), _cell_xfs(new)
    if len(xfs_old) < shared or len(xfs_new) < shared or xfs_old[:shared] != xfs_new[:shared]:
        return False
    numfmts = re.compile(r"<numFmts\b.*?</numFmts>", re.DOTALL)
    if numfmts.findall(old) != numfmts.findall(new):
        return False
    for tag, attr in (("font", "fontId"), ("fill", "fillId"), ("border", "borderId")):
        used = [int(v) for v in re.findall(rf'\b{attr}="(\d+)"', "".join(xfs_old[:shared]))]
        n = max(used, default=-1) + 1
        a, b = _items(old, tag), _items(new, tag)
        if len(a) < n or len(b) < n or a[:n] != b[:n]:
            return False
    return True


def _xfs_count(styles: str) -> int:
    match = re.search(r'<cellXfs count="(\d+)"', styles)
    return int(match.group(1)) if match else -1


def rework(
    source: Path,
    final: Path,
    texts: dict[str, str],
    donor: Donor | None = None,
    texts_sheet: int = 1,
) -> bool:
    """Write the package ``source`` to ``final`` with the shared strings ``texts`` names
    (old -> new) changed and, with a ``donor``, its sheet of that number replaced by the
    donor's (its strings joined to the table, its styles and its sheet's defined names
    taken); everything else is copied as it is (the other sheets byte for byte, not even
    inflated). Each old text must be one item of the string table referenced by exactly one
    cell of sheet ``texts_sheet`` (that cell alone changes; the package's other sheets are
    ``splice``'s tables, whose records refer only to the texts it added after the writer's
    own, and headers), texts plain (nothing XML escapes, no outer white space). False, and
    ``final`` not written, when anything is not so: then the caller renders the workbook."""
    try:
        with zipfile.ZipFile(source) as src:
            members = _reworked(src, texts, donor, texts_sheet)
            with zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED) as dst:
                for info, data in members:
                    if data is None:
                        _copy_raw(src, info, dst)
                        continue
                    write_member(dst, info.filename, data, info.date_time)
    except (_NotReworked, OSError, zipfile.BadZipFile, ValueError, KeyError, RuntimeError):
        final.unlink(missing_ok=True)
        return False
    return True


def copy_member(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> None:
    """Copy one member of ``src`` into ``dst``: its compressed bytes as they are when the
    member is plain (no inflating, no deflating), else read and written again."""
    try:
        _copy_raw(src, info, dst)
    except _NotReworked:
        dst.writestr(info, src.read(info.filename))


def write_member(
    dst: zipfile.ZipFile, name: str, data: bytes, date_time: tuple[int, ...] = ZIP_EPOCH
) -> None:
    """Write one member of generated XML into ``dst``: deflated fast (level 1, ISA-L where
    installed), with ``date_time`` (a fixed one by default: the same input, the same bytes)."""
    entry = _entry(zipfile.ZipInfo(name, date_time=date_time))  # type: ignore[arg-type]
    with dst.open(entry, "w") as out:
        _fast_deflate(out)
        out.write(data)


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes as they are. zipfile has no public call for it:
    this writes the entry as ``ZipFile.write`` does (its local header, then the data, then
    the central directory at ``close``), through the attributes every CPython 3 has."""
    fp = src.fp
    if fp is None or dst.fp is None or info.file_size >= zipfile.ZIP64_LIMIT:
        raise _NotReworked("raw copy")
    fp.seek(info.header_offset)
    header = fp.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        raise _NotReworked("local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + zipfile.sizeFileHeader + name_length + extra_length)
    raw = fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise _NotReworked("member cut short")
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = info.compress_type
    entry.CRC, entry.compress_size, entry.file_size = info.CRC, info.compress_size, info.file_size
    entry.external_attr = info.external_attr
    entry.flag_bits = info.flag_bits
    _write_raw(dst, entry, [raw])


def _reworked(
    src: zipfile.ZipFile, texts: dict[str, str], donor: Donor | None, texts_sheet: int
) -> list[tuple[zipfile.ZipInfo, bytes | None]]:
    """The members of the reworked package, None for those copied as they are (in bytes
    throughout: nothing is decoded but the small parts)."""
    if not all(_PLAIN_TEXT.fullmatch(t) for pair in texts.items() for t in pair):
        raise _NotReworked("texts")
    infos = src.infolist()
    names = {info.filename for info in infos}
    replaced = f"xl/worksheets/sheet{donor.sheet_number}.xml" if donor else ""
    if donor and (
        replaced not in names or f"xl/worksheets/_rels/sheet{donor.sheet_number}.xml.rels" in names
    ):
        raise _NotReworked("sheet")
    stamped = f"xl/worksheets/sheet{texts_sheet}.xml"
    if stamped not in names or stamped == replaced:
        raise _NotReworked("sheet")
    untouched = {
        n
        for n in names
        if n.startswith("xl/worksheets/sheet")
        and n.endswith(".xml")
        and n not in (stamped, replaced)
    }
    data: dict[str, bytes | None] = {
        n: None if n in untouched else src.read(n) for n in (i.filename for i in infos)
    }
    sst = data[SHARED_STRINGS]
    assert sst is not None
    head = _SST_HEAD.search(sst)
    if head is None or sst.count(b"<si>") != int(head.group(3)):
        raise _NotReworked("table")
    refs = int(head.group(2))
    cover = data[stamped]
    assert cover is not None
    # every string cell of the parts read is written so (what the counts below rely on)
    for part in (cover, data[replaced] if replaced else b""):
        assert part is not None
        if part.count(b' t="s"') != part.count(_STRING_CELL):
            raise _NotReworked("references")
    for old, new in texts.items():
        item = f"<si><t>{old}</t></si>".encode()
        at = sst.find(item)
        if at < 0 or sst.find(item, at + 1) >= 0:
            raise _NotReworked("text")
        if cover.count(b"%s%d</v>" % (_STRING_CELL, sst.count(b"<si>", 0, at))) != 1:
            raise _NotReworked("text")
        sst = b"".join((sst[:at], f"<si><t>{new}</t></si>".encode(), sst[at + len(item) :]))
    if donor is not None:
        old_sheet = data[replaced]
        assert old_sheet is not None
        sst = _take_donor(donor, data, replaced, sst, cover)
        new_sheet = data[replaced]
        assert new_sheet is not None
        refs += new_sheet.count(_STRING_CELL) - old_sheet.count(_STRING_CELL)
    head = _SST_HEAD.search(sst)
    assert head is not None
    fixed = b'<sst%scount="%d" uniqueCount="%d">' % (head.group(1), refs, sst.count(b"<si>"))
    data[SHARED_STRINGS] = sst[: head.start()] + fixed + sst[head.end() :]
    return [(info, data[info.filename]) for info in infos]


def _take_donor(
    donor: Donor, data: dict[str, bytes | None], replaced: str, sst: bytes, cover: bytes
) -> bytes:
    """Put the donor's sheet into ``data`` (its string cells renumbered after ``sst``'s
    items, which are returned with the donor's added), with its styles and defined names."""
    with zipfile.ZipFile(io.BytesIO(donor.package)) as pkg:
        names = set(pkg.namelist())
        sheet = pkg.read(replaced)
        new_styles = pkg.read(_STYLES).decode("utf-8")
        workbook = pkg.read(_WORKBOOK).decode("utf-8")
        strings = pkg.read(SHARED_STRINGS) if SHARED_STRINGS in names else b""
    if f"xl/worksheets/_rels/sheet{donor.sheet_number}.xml.rels" in names:
        raise _NotReworked("donor sheet has parts")
    old_styles = (data[_STYLES] or b"").decode("utf-8")
    if not _same_styles(old_styles, new_styles, donor.shared_xfs):
        raise _NotReworked("styles")
    # the cover uses only the shared formats (the tables' are numbered when made, before)
    for number in range(donor.shared_xfs, _xfs_count(old_styles)):
        if b' s="%d"' % number in cover:
            raise _NotReworked("styles")
    # the donor's strings follow the previous table's items
    base = sst.count(b"<si>")
    items = b""
    if strings:
        head = _SST_HEAD.search(strings)
        if head is None or strings.count(b"<si>") != int(head.group(3)):
            raise _NotReworked("donor table")
        items = strings[head.end() : strings.rindex(b"</sst>")]
        if sheet.count(b' t="s"') != sheet.count(_STRING_CELL):
            raise _NotReworked("donor references")
        sheet = _STRING_REF.sub(lambda m: b"%s%d</v>" % (_STRING_CELL, base + int(m[1])), sheet)
    elif _STRING_CELL in sheet:
        raise _NotReworked("donor references")
    # the replaced sheet's defined names (print titles, filter range): the donor's
    local = str(donor.sheet_number - 1)
    workbook_old = (data[_WORKBOOK] or b"").decode("utf-8")
    old_names = [m for m in _DEFINED_NAME.finditer(workbook_old) if m.group(2) == local]
    new_names = [m for m in _DEFINED_NAME.finditer(workbook) if m.group(2) == local]
    if [m.group(1) for m in old_names] != [m.group(1) for m in new_names]:
        raise _NotReworked("defined names")
    for old, new in zip(reversed(old_names), reversed(new_names), strict=True):
        workbook_old = workbook_old[: old.start()] + new.group(0) + workbook_old[old.end() :]
    data[_WORKBOOK] = workbook_old.encode("utf-8")
    data[_STYLES] = new_styles.encode("utf-8")
    data[replaced] = sheet
    return sst[: sst.rindex(b"</sst>")] + items + b"</sst>"
