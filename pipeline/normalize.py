"""Vocabulary folding, dates, combined 防控措施 splitting and text clean-up.

Column functions work on the column's *unique* values (``map_unique``) and map the result
back, so 100,000 rows with a few hundred distinct spellings cost a few hundred calls.
User text is never NFKC-normalised: only surrounding whitespace is removed. NFKC is used for
comparison (``vocab.fold``) and for reading dates and numbers.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from pipeline import measuresplit, vocab
from pipeline.dates import (  # noqa: F401 - the date parser, for the callers of normalize
    date_cell,
    date_text,
    parse_date,
    read_date,
)

# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------


def text_column(
    table: np.ndarray, codes: np.ndarray, index: pd.Index | None = None, name: Any = None
) -> pd.Series:
    """``pd.Series(table[codes], dtype="str")``, with the distinct values of ``table`` made
    ``str`` once instead of every row checked (``table`` holds ``str`` or None; code -1 picks
    its last slot)."""
    array = pd.array(table, dtype="str").take(codes)
    return pd.Series(array, index=index, name=name)


def stripped(value: object) -> str:
    """A value as stripped text, "" when missing (None, NaN, pd.NA): the roster's and the
    frames' text cells as the middle compares them."""
    if type(value) is str:
        return value.strip()
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    return str(value).strip()


def stripped_all(values: list[Any]) -> list[str]:
    """``stripped`` of every value (a column as a list), each distinct value once."""
    done = {v: stripped(v) for v in dict.fromkeys(values)}
    return [done[v] for v in values]


def _scalar_text(value: object) -> str | None:
    """One cell value -> stripped text, None when blank. Integral floats lose their '.0'
    (a number typed into a text column comes back from Excel as 1.0)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
        return str(float(value))  # np.float64's repr would be 'np.float64(1.5)'
    if isinstance(value, (datetime, date, pd.Timestamp)):
        iso = parse_date(value)
        return iso if iso is not None else str(value)
    text = str(value).strip()
    return text or None


def clean_text(series: pd.Series) -> pd.Series:
    """Any column -> ``str`` dtype with surrounding whitespace removed (inner newlines kept)
    and blank cells missing. Non-text cells (numbers, dates) become their text."""
    values = series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # text only: strip each distinct value once (pd.factorize hashes in C)
        # the rows holding one text share one object (the reader gives each cell its own)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        stripped = [u.strip() or None for u in uniques.tolist()]
        table = np.empty(len(stripped) + 1, dtype=object)
        table[:-1] = stripped
        table[-1] = None  # code -1 (missing) picks the last slot
        return text_column(table, codes, series.index, series.name)
    else:
        # a plain loop over an object array is several times faster than .str.strip() here
        out = [
            (v.strip() or None) if type(v) is str else None if v is None else _scalar_text(v)
            for v in values
        ]
    return pd.Series(out, index=series.index, dtype="str", name=series.name)


def shared_and_clean(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(``series`` with equal texts held as one object, ``clean_text(series)``) from one pass
    over the distinct values. The reader gives every cell its own ``str``: 80,000 rows repeat
    a few hundred texts. A column that is not ``str`` is given back as it is."""
    shared, clean, _ = shared_clean_coded(series)
    return shared, clean


def shared_clean_coded(
    series: pd.Series,
) -> tuple[pd.Series, pd.Series, tuple[np.ndarray, np.ndarray] | None]:
    """``shared_and_clean`` and, for a ``str`` column, the clean column's (codes, distinct
    values): code -1 for blank, the distinct values in no particular order (None for a column
    that is not ``str``), worked out from the same single pass."""
    if series.dtype != "str":
        return series, clean_text(series), None
    codes, uniques = pd.factorize(np.asarray(series.array, dtype=object))  # NaN: missing
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = uniques
    table[-1] = None  # code -1 (missing) picks the last slot
    shared = text_column(table, codes, series.index, series.name)
    table[:-1] = [u.strip() or None for u in uniques.tolist()]
    clean = text_column(table, codes, series.index, series.name)
    # distinct raw texts that strip to one text share its code; a blank one is missing (-1)
    recode = np.full(len(uniques) + 1, -1, dtype=np.intp)
    recode[:-1], distinct = pd.factorize(table[:-1])
    return shared, clean, (recode[codes], np.asarray(distinct, dtype=object))


def sorted_places(distinct: list[Any]) -> np.ndarray:
    """Each of the ``distinct`` values' place in their sorted order (Python's sort)."""
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[order] = np.arange(len(distinct))
    return rank


def sorted_ranks(values: pd.Series | np.ndarray) -> np.ndarray:
    """Each value's place among the sorted distinct values (for ``np.lexsort``); -1 for
    missing. The distinct values are sorted by Python's sort, several times faster on ``str``
    than numpy's comparison sort of an object array (``pd.factorize(sort=True)``); same
    order."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    rank = sorted_places(uniques.tolist())
    return np.where(codes >= 0, rank[codes], -1)


def map_unique(
    series: pd.Series, func: Callable[[Any], Any], dtype: str | None = "str"
) -> pd.Series:
    """``func`` applied once per distinct non-missing value of ``series``; missing -> None.

    ``pd.factorize`` does the hashing in C; only the distinct values reach Python.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(u) for u in np.asarray(uniques, dtype=object)]
    mapped[-1] = None  # code -1 (missing) picks the last slot
    if dtype == "str":
        return text_column(mapped, codes, series.index, series.name)
    return pd.Series(mapped[codes], index=series.index, dtype=dtype, name=series.name)


def fold_series(series: pd.Series) -> pd.Series:
    """``vocab.fold`` over a column (once per distinct value); missing -> ''."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [fold(u) for u in np.asarray(uniques, dtype=object)]
    table[-1] = ""  # code -1 (missing) picks the last slot
    return text_column(table, codes, series.index, series.name)


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _fold_cached(text: object) -> str:
    return vocab.fold(text)


def fold(text: object) -> str:
    """``vocab.fold``, remembered: the same roster names and sections are folded by every
    stage (validate, grade, assign, completeness, pledges), 10,000 people each time."""
    try:
        return _fold_cached(text)
    except TypeError:  # unhashable
        return vocab.fold(text)


def fold_all(values: list[Any]) -> list[str]:
    """``fold`` of every value (a column as a list), each distinct value once."""
    done = {v: fold(v) for v in dict.fromkeys(values)}
    return [done[v] for v in values]


# A remark in brackets after a name or section: 张三（科员）, 办公室（党办）.
_BRACKETED = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")


def without_note(folded: str) -> str:
    """A folded name or section without its remarks in brackets (张三(科员) -> 张三)."""
    return _BRACKETED.sub("", folded)


def one_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one character changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# --------------------------------------------------------------------------------------
# Enumerations
# --------------------------------------------------------------------------------------
def fold_enum(
    series: pd.Series, field: str, coded: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Fold an enumerated column to its canonical values.

    Returns ``(canonical, bad)``: ``canonical`` is a ``str`` column (missing for blank or
    unknown values), ``bad`` is True where a non-blank value is not in the vocabulary.
    ``coded``: the column's (codes, distinct values) when known already (-1: missing).
    """
    codes, uniques = coded if coded is not None else pd.factorize(series, use_na_sentinel=True)
    canonical = np.empty(len(uniques) + 1, dtype=object)  # the last slot: missing (code -1)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(np.asarray(uniques, dtype=object).tolist()):
        text = _scalar_text(value)
        if text is not None:
            canonical[i] = vocab.enum_value(text, field)
            bad[i] = canonical[i] is None
    return (
        text_column(canonical, codes, series.index, series.name),
        pd.Series(bad[codes], index=series.index, name=series.name),
    )


# --------------------------------------------------------------------------------------
# Dates over columns (the one date parser is pipeline/dates.py)
# --------------------------------------------------------------------------------------
def parse_dates(series: pd.Series, year: int | None = None) -> pd.Series:
    """``parse_date`` over a column (once per distinct value) -> ``str`` column, NA if invalid."""
    return map_unique(series, lambda v: parse_date(v, year))


def read_dates(series: pd.Series, year: int | None = None) -> tuple[pd.Series, pd.Series]:
    """``read_date`` over a column (once per distinct value) -> (ISO ``str`` column with NA
    where not a date, bool column: the year was assumed)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    iso = np.empty(len(uniques) + 1, dtype=object)  # the last slot: missing (code -1)
    assumed = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(np.asarray(uniques, dtype=object).tolist()):
        found = read_date(value, year)
        if isinstance(found, tuple):
            iso[i], assumed[i] = found[0], bool(found[1])
    return (
        text_column(iso, codes, series.index, series.name),
        pd.Series(assumed[codes], index=series.index, dtype=bool, name=series.name),
    )


def common_year(iso_dates: pd.Series) -> int | None:
    """The year most of these ISO dates share (ties: the later year), None without any."""
    codes, uniques = pd.factorize(iso_dates, use_na_sentinel=True)  # each distinct date once
    rows_of = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: dict[str, int] = {}
    for value, n in zip(np.asarray(uniques, dtype=object).tolist(), rows_of.tolist()):
        year = str(value)[:4]
        if _YEAR.fullmatch(year):
            counts[year] = counts.get(year, 0) + n
    if not counts:
        return None
    most = max(counts.values())
    return int(max(year for year, n in counts.items() if n == most))


_YEAR = re.compile(r"\d{4}")


# --------------------------------------------------------------------------------------
# Combined 防控措施 -> 前期预防 / 中期监控 / 后期处置
# --------------------------------------------------------------------------------------
def split_measures(text: object) -> tuple[str | None, str | None, str | None, bool]:
    """Split a combined 防控措施 text into (prevent, monitor, handle, split_ok)
    (``measuresplit.split_text``; an empty cell is (None, None, None, True))."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return None, None, None, True
    raw = str(text).strip()
    if not raw:
        return None, None, None, True
    return measuresplit.split_text(raw)


def split_measures_series(series: pd.Series) -> pd.DataFrame:
    """``split_measures`` over a column (once per distinct text) -> frame with columns
    prevent, monitor, handle (``str``) and split_ok (bool), on the column's index."""
    text = clean_text(series)
    out = pd.DataFrame(index=series.index)
    for key in vocab.MEASURE_FIELDS:
        out[key] = pd.Series(pd.NA, index=series.index, dtype="str")
    out["split_ok"] = True
    present = text.dropna()
    if present.empty:
        return out
    mapping = {v: split_measures(v) for v in present.unique()}
    parts = [mapping[v] for v in present.to_numpy()]
    for i, key in enumerate(vocab.MEASURE_FIELDS):
        out.loc[present.index, key] = [p[i] for p in parts]
    out.loc[present.index, "split_ok"] = [p[3] for p in parts]
    out["split_ok"] = out["split_ok"].astype(bool)
    return out
