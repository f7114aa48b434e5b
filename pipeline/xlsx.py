"""Shared helpers for every workbook we write: safe text, CJK widths, atomic saving.

User text must never become a formula or a link, must not carry XML control characters,
and must fit in a cell. Writers call ``cell_text`` on every user value and create xlsxwriter
workbooks with ``new_workbook`` (formula and URL conversion off, fixed properties).
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from pipeline import vocab
from pipeline.workbook.cells import (  # noqa: F401
    MAX_CELL_CHARS,
    col_index,
    col_letter,
    excel_len,
    over_cell,
)

# Control characters openpyxl refuses (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), plus what
# XML (and UTF-8, for lone surrogates) cannot hold: U+FFFE, U+FFFF, surrogates.
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_PREFIXES = ("=", "+", "-", "@")
FONT_NAME = "宋体"
DEFAULT_FONT_SIZE = 10
FIXED_DATE = datetime(2000, 1, 1)  # document properties: same bytes for the same inbox


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object, limit: int = MAX_CELL_CHARS) -> str | None:
    """User value -> text safe for any cell: None for missing, control characters removed,
    cut visibly when too long. The caller writes it with ``write_string`` (never as formula)."""
    if is_missing(value):
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if over_cell(text, limit):
        # cut in UTF-16 units, as Excel counts (half an emoji is dropped, never written)
        units = 2 * (limit - len(vocab.TRUNCATION_MARK))
        kept = text.encode("utf-16-le", "surrogatepass")[:units]
        text = kept.decode("utf-16-le", "ignore") + vocab.TRUNCATION_MARK
    return text


def output_value(value: object) -> object:
    """Any frame value -> something xlsxwriter writes safely (numbers stay numbers)."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return cell_text(value)


# East Asian wide and full-width characters (the blocks met in practice: CJK, kana, hangul,
# full-width forms, CJK punctuation, emoji); each counts 2 columns.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)


def display_width(text: object) -> int:
    """Width of the longest line in Excel character units: East Asian wide/full count 2."""
    if is_missing(text):
        return 0
    text = str(text)
    if text.isascii():
        return max(map(len, text.split("\n")))
    return max(len(line) + len(_WIDE.findall(line)) for line in text.split("\n"))


def fit_width(values: Iterable[object], header: str, minimum: int = 6, maximum: int = 50) -> float:
    """A column width that fits the header and most values, capped so long text wraps."""
    widest = display_width(header)
    # a sample is enough (the first 2,000 values); each distinct text is measured once, and
    # the measuring stops as soon as one value reaches the cap
    sample = list(itertools.islice(values, 2000))
    distinct = [*dict.fromkeys(v for v in sample if v.__class__ is str)]
    distinct += [v for v in sample if v.__class__ is not str]
    for v in distinct:
        if widest + 2 >= maximum:
            break
        widest = max(widest, display_width(v))
    return float(min(max(widest + 2, minimum), maximum))


def new_workbook(
    path: Path | io.BytesIO, constant_memory: bool = False, in_memory: bool = False
) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns text into formulas or links, with fixed
    document properties so the same data gives the same file. ``path`` may be a buffer
    (then the workbook is built in memory)."""
    in_memory = in_memory or isinstance(path, io.BytesIO)
    wb = xlsxwriter.Workbook(
        path if isinstance(path, io.BytesIO) else str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": constant_memory,
            "in_memory": in_memory,
            "default_date_format": "yyyy-mm-dd",
            # the Normal style sets the column unit: 宋体 keeps it close in Excel and
            # LibreOffice (Calibri, absent on Linux, makes LibreOffice columns 35 % wider)
            "default_format_properties": {"font_name": FONT_NAME, "font_size": DEFAULT_FONT_SIZE},
        },
    )
    wb.set_properties({"created": FIXED_DATE, "author": "lianzheng-risk", "company": ""})
    return wb


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside ``final``; rename it over ``final`` only on success,
    so a crash leaves the previous good file."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; outputs are for other people to read
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def safe_filename(name: str) -> str:
    """A section or person name usable as a file or folder name on Windows and Linux."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", str(name)).strip(" .")
    return cleaned or "未命名"
