"""One file -> its read result as plain Python: the read workers' task.

The per-file half of the read stage (``pipeline/read.py`` builds the frames): pre-scan
(``guard.prescan``), grids (``books.open_book``), the form found in them (``layout``) and
read: header fields, table rows (as text), pledge sheet, the file's issues. Nothing here
imports pandas, numpy (only for a long text, see ``vocab.fold``) or a writer: where workers are
spawned (Windows), each worker imports this module and what it needs, and nothing else
(tests/test_read.py checks it).
"""

from __future__ import annotations

import gc
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from pipeline import dates, layout, measuresplit, readbatch, records, vocab
from pipeline.limits import Limits
from pipeline.workbook import biff, books, ods, xlsb
from pipeline.workbook.cells import a1, col_letter
from pipeline.workbook.grid import Book, Grid, Merge, carry_merges
from pipeline.workbook.guard import Opened, Refused, Zip, prescan

log = logging.getLogger("pipeline.read")

MB = 1024 * 1024
HEADER_SCAN_ROWS = 60  # the table header must start within these rows
HEADER_BLOCK_ROWS = 20  # header fields are looked for in these rows above the table
LABEL_MAX_CHARS = 40  # longer cells are never labels
PLEDGE_SCAN_ROWS = 200

_LABEL_COLON = re.compile(r"([^\s：:]{1,20})\s*[：:]")
_COLONS = ("：", ":")
_SIGNATURE_LABELS = frozenset(vocab.fold(w) for w in vocab.SIGNATURE_LABELS)
_SIGNATURE_ENDINGS = tuple(vocab.fold(w) for w in vocab.SIGNATURE_ENDINGS)
_OPINION_ENDINGS = tuple(vocab.fold(w) for w in vocab.SIGNATURE_OPINION_ENDINGS)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return vocab.fold(text)


# A hint in brackets after a label: 风险等级（一级、二级、三级）, 姓名（签字）, 风险点描述【必填】.
_LABEL_HINT = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")
# the hint that ends a folded label, its text apart: 单位(盖章) -> 盖章
_LAST_HINT = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]$")


_lookup_label = layout.lookup_label  # a label's key, its bracketed hint or 单位（科室） aside


@lru_cache(maxsize=8192)
def _column_key(folded: str) -> str | None:
    """Table column key of a folded label (a bracketed hint after the label is ignored)."""
    return _lookup_label(vocab.COLUMN_LOOKUP, folded)


@lru_cache(maxsize=8192)
def _header_key(folded: str) -> str | None:
    """Header field key of a folded label (a bracketed hint after the label is ignored)."""
    return _lookup_label(vocab.HEADER_LOOKUP, folded)


def _label_fold(value: object) -> str:
    """Folded text of a cell that could be a label ('' for anything else)."""
    if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
        return ""
    return _fold(value)


def seen_text(value: object) -> str | None:
    """A cell value as the text the user sees; None when empty."""
    t = type(value)
    if t is str:
        if not value:
            return None
        s = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return s or None
    if value is None:
        return None
    if t is float:
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if t is int:
        return str(value)
    if t is bool:
        return "TRUE" if value else "FALSE"
    if t is datetime:
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if t is date:
        return value.isoformat()
    if t is time:
        return value.isoformat(timespec="seconds")
    if t is timedelta:
        return str(value)
    s = str(value).strip()
    return s or None


def iso_date(value: object) -> str | None:
    """A date cell -> 'YYYY-MM-DD' when it is a full date, else its text as written (validate
    resolves a day without its year and reports the rest). The package's one date parser is
    ``dates.read_date``."""
    return dates.date_cell(value)


def _find_table_header(grid: Grid) -> layout.Header | None:
    """The best table header of a grid (``layout.find_header``)."""
    return layout.find_header(grid)


_COLON = re.compile("[：:]")
_PAIR_LABEL_MAX = 30  # characters before a colon a label may take, spacing included
_PAIR_SEPARATORS = "，,；;、"  # between one pair and the next (科室：办公室，姓名：张三)


def _is_pair_gap(char: str) -> bool:
    return char.isspace() or char in _PAIR_SEPARATORS


def _split_pair(text: str) -> list[tuple[str, str]]:
    """'科室：办公室  姓名：张三' -> [(header key, value), ...]; [] unless it starts with a label.
    A label may be spaced out as forms align it (姓　　名：张三, 职  务：科员): it starts where
    the text or a space does."""
    text = text.strip()
    hits = []
    after = 0  # where the value of the last label found starts
    for m in _COLON.finditer(text):
        colon = m.start()
        for j in range(max(after, colon - _PAIR_LABEL_MAX), colon):
            if text[j].isspace() or (j > after and not _is_pair_gap(text[j - 1])):
                continue
            key = _header_key(_fold(text[j:colon]))
            if key:
                hits.append((j, m.end(), key))
                after = m.end()
                break
    if not hits or hits[0][0] != 0:
        return []
    pairs = []
    for j, (_start, end, key) in enumerate(hits):
        stop = hits[j + 1][0] if j + 1 < len(hits) else len(text)
        value = text[end:stop]
        other = _OTHER_LABEL.search(value)  # 填表人：张三  联系电话：138…: the value ends there
        if other is not None:
            value = value[: other.start()]
        pairs.append((key, value.strip().rstrip(_PAIR_SEPARATORS).strip()))
    return pairs


# a label the header block does not read (联系电话：, 手机：) after a space or separator
_OTHER_LABEL = re.compile(r"[\s，,；;]\s*[^\s\d：:，,；;]{1,8}\s*[：:]")


_SPACE_PAIR_MAX = 40  # a longer cell is no 'label value' pair


@lru_cache(maxsize=8192)
def _space_pairs(text: str) -> list[tuple[str, str]]:
    """'姓名 张三  岗位 科员' (labels, each with its value after spaces; no colon) ->
    [(header key, value), ...]; [] unless it starts with a label and every label has a value."""
    words = text.split()
    if len(words) < 2 or len(text) > _SPACE_PAIR_MAX:
        return []
    pairs: list[tuple[str, list[str]]] = []
    for word in words:
        key = _header_key(_fold(word)) if len(word) <= LABEL_MAX_CHARS else None
        if key is not None:
            if pairs and not pairs[-1][1]:
                return []  # labels side by side (科室 姓名): no pair
            pairs.append((key, []))
        elif not pairs or _has_pair(word):
            return []
        else:
            pairs[-1][1].append(word)
    if not pairs[-1][1]:
        return []
    return [(key, " ".join(value)) for key, value in pairs]


@lru_cache(maxsize=8192)
def _text_header_key(text: str) -> str | None:
    """Header field key of a text cell that is a header label (see ``_label_fold``)."""
    f = _label_fold(text)
    return _header_key(f) if f else None


@lru_cache(maxsize=8192)
def _has_pair(text: str) -> bool:
    """Whether a text cell starts with a header label and its colon (``_split_pair``)."""
    return bool(_split_pair(text))


def _header_fields(grid: Grid, rows: range, found: dict[str, tuple[object, str]]) -> None:
    """Look for header labels in ``rows``; ``found`` gets key -> (raw value, A1 cell)."""
    for r in rows:
        row = grid[r]
        for c, value in enumerate(row):
            if type(value) is not str or not value:
                continue
            key = _text_header_key(value)
            if key:
                if key in found:
                    continue
                raw: object = None
                where = a1(r, c)
                blank = None  # the first cell right of the label: where an empty value goes
                for cc in range(c + 1, len(row)):
                    v = row[cc]
                    if v == value:  # the label's own merged range
                        continue
                    if blank is None:
                        blank = cc
                    if seen_text(v) is None:
                        continue
                    if type(v) is str and (_text_header_key(v) or _has_pair(v)):
                        break  # the next label: this one has no value
                    raw, where = v, a1(r, cc)
                    break
                if raw is None and r + 1 in rows:
                    # labels side by side with their values in the row below
                    # (科室 | 姓名 | …  /  办公室 | 张三 | …)
                    below = _value_below(grid, r + 1, c)
                    if below is not None:
                        raw, where = below, a1(r + 1, c)
                        found[key] = (raw, where)
                        continue
                if raw is None:
                    where = a1(r, blank if blank is not None else c + 1)
                found[key] = (raw, where)
            elif "：" in value or ":" in value:  # _COLONS
                for key2, text in _split_pair(value):
                    if key2 not in found:
                        found[key2] = (text or None, a1(r, c))
            else:  # 姓名 张三, no colon
                for key2, text in _space_pairs(value):
                    if key2 not in found:
                        found[key2] = (text, a1(r, c))


def _is_label_cell(value: object) -> bool:
    return type(value) is str and _is_label_text(value)


@lru_cache(maxsize=8192)
def _is_label_text(text: str) -> bool:
    f = _label_fold(text)
    return bool(f and (_header_key(f) or _column_key(f) or _split_pair(text)))


def _value_below(grid: Grid, r: int, c: int) -> object | None:
    """The value under a header label, when the row below holds values only (no labels)."""
    row = grid[r]
    if c >= len(row) or seen_text(row[c]) is None:
        return None
    if any(_is_label_cell(v) for v in row):
        return None
    return row[c]


@lru_cache(maxsize=8192)
def _is_label_start(text: str) -> bool:
    """Whether a text cell is a header label or starts with one and its colon."""
    return bool(_text_header_key(text) or _has_pair(text))


@lru_cache(maxsize=8192)
def _is_footer_label(text: str) -> bool:
    """A cell of a signature line that is no value: a header label, a 'label：value' pair, or a
    signature label such as 审核人 / 审核人：李四 / 联系电话."""
    if _is_label_start(text):
        return True
    if len(text) > LABEL_MAX_CHARS:
        return False
    return _is_signature_label(text)


@lru_cache(maxsize=8192)
def _is_signature_label(text: str) -> bool:
    """审核人 / 审核人：李四 / 联系电话, or any label ending in 签字 / 签名 / 盖章 (填表人签字：)."""
    if len(text) > LABEL_MAX_CHARS:
        return False
    match = _LABEL_COLON.match(text.strip())
    folded = _fold(match[1] if match else text)
    word = _LABEL_HINT.sub("", folded)
    if match is not None and word.endswith(_OPINION_ENDINGS):
        return True  # 审核意见：同意, 科室负责人意见： (with its colon: 征求意见 may be a step)
    if word in _SIGNATURE_LABELS or word.endswith(_SIGNATURE_ENDINGS):
        return True
    # 单位（盖章）, 本人（签字）：: the signing word in the brackets that end the label
    hint = _LAST_HINT.search(folded)
    return hint is not None and hint[1] in _SIGNATURE_ENDINGS


def _is_headerish(grid_row: list[Any]) -> bool:
    """A row below the table that holds header fields (e.g. '填表人：张三', or a signature line
    of labels and values: 填表人 | 张三 | 审核人 | 李四 | 日期 | 2026.3.11), not a risk point."""
    # seen_text(v) is not None, for a text: not only white space
    texts = [
        v for v in grid_row if (v.strip() != "" if type(v) is str else seen_text(v) is not None)
    ]
    if not texts or type(texts[0]) is not str:
        return False
    first = texts[0]
    if not (
        _is_label_start(first)
        or _is_signature_label(first)
        # 审核意见 | 同意 | 审核人 | 李四: an opinion's label without its colon, on a line
        # that names who signs it
        or (
            len(first) <= LABEL_MAX_CHARS
            and _LABEL_HINT.sub("", _fold(first)).endswith(_OPINION_ENDINGS)
            and any(type(v) is str and _is_signature_label(v) for v in texts[1:])
        )
    ):
        return False
    if len(texts) <= 4:
        return True
    # longer: a line of labels each followed by at most one value
    labels = sum(1 for v in texts if type(v) is str and _is_footer_label(v))
    return 2 * labels >= len(texts)


def _ranges_text(ranges: list[tuple[int, int, int, int]]) -> str:
    return "、".join(f"{a1(r0, c0)}:{a1(r1, c1)}" for r0, c0, r1, c1 in ranges)


_PLEDGE_ITEMS_FOLD = _fold(vocab.PLEDGE_ITEMS_LABEL)
_PLEDGE_LABEL_FOLDS = {_fold(v): k for k, v in vocab.PLEDGE_LABELS.items()}
_PLEDGE_LABEL_FOLDS.update(
    {_fold(w): k for k, words in vocab.PLEDGE_LABEL_SYNONYMS.items() for w in words}
)
# a numbered item inside a line: 「1.」「2、」「（3）」「一、」 after the line's start or a stop
_PLEDGE_ITEM_MARK = re.compile(
    r"(?:^|[：:；;。，,\s（(])(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.．)）]"
)
PLEDGE_TITLE_MAX_CHARS = 12  # a short line naming the 承诺书 is its title, not an item


def _pledge(
    grid: Grid, cells: dict[str, str] | None = None, row0: int = 0
) -> tuple[int, object, object]:
    """(number of pledge items, pledger, pledge date) of a 廉政承诺书 sheet; ``cells`` gets
    the A1 cell of the date (``row0``: the sheet row of the grid's first row)."""
    items_label = _PLEDGE_ITEMS_FOLD
    found: dict[str, tuple[object, str]] = {}
    items_at: tuple[int, int] | None = None
    pledger_row = None
    labels = _PLEDGE_LABEL_FOLDS
    n = min(len(grid), PLEDGE_SCAN_ROWS)
    for r in range(n):
        row = grid[r]
        for c, value in enumerate(row):
            # _label_fold, inlined: this runs for every cell of the sheet
            if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
                continue
            f = _fold(value)
            if not f:
                continue
            if f == items_label and items_at is None:
                items_at = (r, c)
                continue
            key = labels.get(f)
            label_text = value
            inline = None
            if key is None:
                for colon in _COLONS:
                    if colon in value:
                        left, _, right = value.partition(colon)
                        key = labels.get(_fold(left))
                        inline = right.strip() or None
                        break
            if key is None or key in found:
                continue
            if key == "pledger" and pledger_row is None:
                pledger_row = r
            raw: object = inline
            at = c
            if inline is None:
                for cc in range(c + 1, len(row)):
                    v = row[cc]
                    if seen_text(v) is None or v == label_text:
                        continue
                    if labels.get(_label_fold(v)):
                        break
                    raw, at = v, cc
                    break
            found[key] = (raw, f"{col_letter(at)}{r + row0 + 1}")
    stop = pledger_row if pledger_row is not None else n
    items = 0
    if items_at is not None:
        r0, c0 = items_at
        for r in range(r0 + 1, stop):
            row = grid[r]
            if c0 < len(row) and seen_text(row[c0]) is not None:
                items += 1
    else:  # a pledge written as text (no 承诺事项 column): its lines and numbered items
        items = _written_items(grid, stop)
    pledger = seen_text(found.get("pledger", (None, ""))[0])
    raw_date, date_cell = found.get("pledge_date", (None, ""))
    if cells is not None and date_cell:
        cells["pledge_date"] = date_cell
    return items, pledger, iso_date(raw_date)


def _pledge_below(
    grid: Grid, start: int, cells: dict[str, str] | None = None
) -> tuple[int, object, object] | None:
    """The 廉政承诺书 written under a table on the table's own sheet, from its first line that
    names 承诺 (its title, 本人郑重承诺：…, 承诺人：…), as ``_pledge`` reads a sheet; None
    without a title naming 承诺书 or a 承诺人 / 承诺日期 label (「本人承诺以上内容属实」 alone
    under a table is no pledge)."""
    first = None
    for r in range(start, min(len(grid), start + PLEDGE_SCAN_ROWS)):
        texts = [v for v in grid[r] if type(v) is str and "承诺" in v]
        if not texts:
            continue
        if first is None:
            first = r
        for text in texts:
            label = _fold(text.split("：")[0].split(":")[0])
            if "承诺书" in text or (_PLEDGE_LABEL_FOLDS.get(label) and "承诺" in label):
                return _pledge(grid[first:], cells, first)
    return None


def _written_items(grid: Grid, stop: int) -> int:
    """Pledge items of a 承诺书 written as text above its signature: each numbered item of a
    line (「一、严守纪律；」, 「1.遵纪守法；2.廉洁自律」), else each line that is no title (廉洁从政
    承诺书), no lead-in ending in a colon (本人郑重承诺：) and no label."""
    items = 0
    for r in range(min(stop, len(grid))):
        # a merged line is carried to every cell of its range: each run of one text counts once
        row = grid[r]
        texts = [
            t
            for c, t in enumerate(seen_text(v) for v in row)
            if t and (c == 0 or row[c - 1] != row[c])
        ]
        if not texts:
            continue
        line = " ".join(texts)
        folded = _fold(line)
        if "承诺" in folded and len(folded) <= PLEDGE_TITLE_MAX_CHARS and "、" not in line:
            continue  # the title
        if any(_PLEDGE_LABEL_FOLDS.get(_fold(t.split("：")[0].split(":")[0])) for t in texts):
            continue  # a 承诺人 / 日期 line above the signature
        marks = len(_PLEDGE_ITEM_MARK.findall(line))
        if marks:
            items += marks
        elif not line.rstrip().endswith(("：", ":")):
            items += 1
    return items


_PLEDGE_SHEET_FOLD = _fold(vocab.SHEET_PLEDGE)
_PLEDGE_SHEET_LABELS = frozenset(
    (_fold(vocab.PLEDGE_ITEMS_LABEL), _fold(vocab.PLEDGE_LABELS["pledger"]))
)


def _pledge_sheet(names: list[str], table_sheet: str, hidden: set[str], grid_of: Any) -> str | None:
    """The 廉政承诺书 sheet: by its name, else a sheet whose name has 承诺 in it, else a visible
    sheet (not the table's, nor the guide) that holds the 承诺事项 / 承诺人 labels."""
    pledge_fold = _PLEDGE_SHEET_FOLD
    for n in names:
        if _fold(n) == pledge_fold:
            return n
    candidates = [n for n in names if n != table_sheet and not _is_side_sheet(n)]
    for n in candidates:
        if vocab.PLEDGE_SHEET_HINT in _fold(n):
            return n
    labels = _PLEDGE_SHEET_LABELS
    for n in candidates:
        if n in hidden:
            continue
        grid = grid_of(n)
        if any(_label_fold(v) in labels for row in grid[:PLEDGE_SCAN_ROWS] for v in row):
            return n
    return None


def _own_pledges(
    names: list[str], hidden: set[str], people: list[str | None], sheet_grid: Any
) -> dict[str, tuple[int, object, object, str, str]]:
    """Person -> (items, pledger, date, sheet name, date cell) of their own 承诺书 sheet in a workbook of
    one sheet per person: the visible 承诺 sheet whose 承诺人 is that person, else whose name
    holds theirs."""
    pledges = []
    for n in names:
        if n not in hidden and vocab.PLEDGE_SHEET_HINT in _fold(n):
            cells: dict[str, str] = {}
            items, pledger, when = _pledge(sheet_grid(n)[0], cells)
            found = (items, pledger, when, n, cells.get("pledge_date", ""))
            pledges.append((_fold(n), seen_text(pledger), found))
    out: dict[str, tuple[int, object, object, str, str]] = {}
    for person in people:
        if person is None or person in out:
            continue
        folded = _fold(person)
        by_pledger = [p for s, who, p in pledges if who is not None and _fold(who) == folded]
        by_sheet = [p for s, who, p in pledges if folded and folded in s]
        found = by_pledger or by_sheet
        if found:
            out[person] = found[0]
    return out


_TITLE_FOLDS = frozenset(_fold(t) for t in vocab.FORM_TITLES.values())


def _sheet_order(names: list[str]) -> list[str]:
    """Sheets to look for the table in: the form titles first, the other form sheets last."""
    titles, last = _TITLE_FOLDS, _SIDE_SHEETS
    first = [n for n in names if _fold(n) in titles]
    end = [n for n in names if _fold(n) in last or _is_side_sheet(n)]
    middle = [n for n in names if n not in first and n not in end]
    return first + middle + end


_SIDE_SHEETS = frozenset(
    _fold(n) for n in (vocab.SHEET_PLEDGE, vocab.SHEET_GUIDE, vocab.SHEET_LISTS)
)
_PLACEHOLDERS = frozenset(_fold(t) for t in vocab.PLACEHOLDER_TEXTS)


_TEMPLATE_SHEETS = frozenset(_fold(n) for n in (vocab.SHEET_GUIDE, vocab.SHEET_LISTS))


_GUIDE_SHEETS = frozenset(vocab.fold(n) for n in vocab.GUIDE_SHEET_NAMES)
_SHEET_NUMBERING = re.compile(r"[\d()（）\[\]【】<>《》\s._\-—]+")


@lru_cache(maxsize=1024)
def _is_side_sheet(name: str) -> bool:
    """The pledge, guide and list sheets of the template, and a guide or example sheet of
    another body's form (说明, 填报须知, 示例 …): never a form of its own."""
    folded = _fold(name)
    return folded in _SIDE_SHEETS or _SHEET_NUMBERING.sub("", folded) in _GUIDE_SHEETS


PLACEHOLDER_MAX_CHARS = 12  # longer texts are never placeholders


@lru_cache(maxsize=4096)
def _is_short_placeholder(text: str) -> bool:
    """'以下空白', '无', '/', '——' …: a text (of at most ``PLACEHOLDER_MAX_CHARS``
    characters; longer ones never are) that says there is nothing here."""
    return _fold(text).strip("()[]【】") in _PLACEHOLDERS or not _fold(text).strip("/\\()[]【】")


def _written_labels(grid: Grid, header: layout.Header, keys: tuple[str, ...]) -> dict[str, str]:
    """The header text of each of ``keys``' columns as the form wrote it (the lowest filled
    cell of a two-row header), for notes that name the column so."""
    out: dict[str, str] = {}
    for key in keys:
        c = header.keys.get(key)
        if c is None:
            continue
        for r in range(header.row, header.start - 1, -1):
            value = grid[r][c] if c < len(grid[r]) else None
            if isinstance(value, str) and value.strip():
                out[key] = " ".join(value.split())
                break
    return out


def _row_keys(row: list[Any]) -> tuple[dict[str, int], list[int]]:
    """(column key -> index, unknown filled columns) of a row read as a table header."""
    keys, unknown, _kept = layout.row_keys(row)
    return keys, unknown


def _has_rows(grid: Grid, hr: int) -> bool:
    """Whether anything but a 序号 is filled below the table header at ``hr``."""
    for row in grid[hr + 1 :]:
        # seen_text(v) is not None, for a text: not only white space
        filled = [
            v for v in row if (v.strip() != "" if type(v) is str else seen_text(v) is not None)
        ]
        if len(filled) > 1 or (filled and not isinstance(filled[0], (int, float))):
            return True
    return False


_PROBE_KEYS = ("description", "step")  # a later header row names one of these columns
_NON_TEXT_PROBE = _column_key(_label_fold(None)) in _PROBE_KEYS  # (False)


@lru_cache(maxsize=8192)
def _is_probe_label(text: str) -> bool:
    """Whether a text cell is the label of a ``_PROBE_KEYS`` column."""
    return _column_key(_label_fold(text)) in _PROBE_KEYS


@lru_cache(maxsize=8192)
def _is_table_label(text: str) -> bool:
    """Whether a text cell is the label of a 序号 or ``_PROBE_KEYS`` column."""
    return _column_key(_label_fold(text)) in ("seq", *_PROBE_KEYS)


_TABLE_HEADING = re.compile(r"[(（]?[一二三四五六七八九十]{1,3}[)）、.．]")


def _is_table_heading(row: list[Any]) -> bool:
    """A line of one short text numbered as a part of the form (「二、防控措施」) or naming its
    措施: the heading of a table under the form."""
    texts = [t for t in (seen_text(v) for v in row) if t is not None]
    if len(texts) != 1 or len(texts[0]) > LABEL_MAX_CHARS:
        return False
    return bool(_TABLE_HEADING.match(texts[0])) or "措施" in texts[0]


@lru_cache(maxsize=1024)
def _is_seq_label(text: str) -> bool:
    """Whether a text cell is the label of the 序号 column."""
    return _column_key(_label_fold(text)) == "seq"


def _next_form(
    grid: Grid, hr: int, keys: dict[str, int], own: dict[str, tuple[object, str]] | None = None
) -> tuple[int, int | None]:
    """(end of this form's rows, header row of the next form or None) in one sheet.

    A later row that reads as a table header again starts another form; its title and
    header block (label rows, a title line, blank rows) just above it go with it. A header
    repeated with a 续表 line or this form's own title and header block (``own``: the same
    科室 and 姓名, or none) is this form going on over a page break."""
    probes = [keys[k] for k in _PROBE_KEYS if k in keys]
    seq = keys.get("seq", min(keys.values(), default=-1))  # else the table's first column
    for r in range(hr + 1, len(grid)):
        row = grid[r]
        n = len(row)
        for c in probes:
            if c < n and (_is_probe_label(v) if type(v := row[c]) is str else _NON_TEXT_PROBE):
                break
        else:
            # a table whose 风险点 is in another column (a measures table: 序号 | 风险点 | 前期 …
            # under a table with 科室 | 姓名 first) starts with the 序号 label where ours does
            # (or, ours having none, in our first column), or one moved across (its 序号 and
            # 风险点 both in other columns than ours) names them somewhere in its row
            if not (0 <= seq < n and type(v := row[seq]) is str and _is_seq_label(v)) and not any(
                type(v) is str and _is_table_label(v) for v in row
            ):
                continue
        found, _ = _row_keys(row)
        if "description" not in found or len(found) < 3:
            continue
        start = r
        while start - 1 > hr and _is_form_top(grid[start - 1]):
            start -= 1
        while start < r and all(seen_text(v) is None for v in grid[start]):
            start += 1  # the next form starts at its first filled row
        if start == r:
            # the header again under the rows (a page's repeat, a pasted block): no title nor
            # header block of its own, so the same form goes on (_table_rows skips it); but a
            # table of other columns under it (a second table of the form) is read with its own
            again = layout.find_header(grid[r:])
            if again is None or again.keys == keys:
                continue
            # its heading line (「二、防控措施」) goes with it, not with this form's rows
            return (r - 1 if r - 1 > hr and _is_table_heading(grid[r - 1]) else r), r
        if own is not None and _continues(grid, start, r, hr, own):
            continue  # 续表, or this form's own title and header block again: the same form
        return start, r
    return len(grid), None


_CONTINUED_FOLDS = frozenset(_fold(w) for w in vocab.CONTINUED_TABLE_WORDS)


def _is_title_line(text: str) -> bool:
    """A 序号 cell that is a table's title or 续表 (as ``_is_form_top`` takes a title)."""
    return len(text) <= LABEL_MAX_CHARS and ("表" in text or _fold(text) in _CONTINUED_FOLDS)


def _continues(grid: Grid, start: int, r: int, hr: int, own: dict[str, tuple[object, str]]) -> bool:
    """Whether the lines ``start``..``r - 1`` above a repeated table header carry on the form
    above: each a 续表 line, a title this form has above its own header, or its header block
    naming the same 科室 and 姓名 (a copied top of the page), and no other person."""
    titles = {
        _fold(t)
        for row in grid[max(0, hr - HEADER_BLOCK_ROWS) : hr]
        for t in (seen_text(v) for v in row)
        if t is not None
    }
    again: dict[str, tuple[object, str]] = {}
    _header_fields(grid, range(start, r), again)
    for key in ("section", "name", "head"):
        theirs = seen_text(again.get(key, (None, ""))[0])
        if theirs is not None:
            mine = seen_text(own.get(key, (None, ""))[0])
            if mine is None or _fold(mine) != _fold(theirs):
                return False  # another person's (or section's) form
    for row in grid[start:r]:
        texts = [t for t in (seen_text(v) for v in row) if t is not None]
        if not texts or any(
            _header_key(_label_fold(v)) or _split_pair(v) for v in row if type(v) is str
        ):
            continue  # blank, or the header block checked above
        folded = {_fold(t) for t in texts}
        if not folded <= (titles | _CONTINUED_FOLDS):
            return False
    return True


def _is_header_again(row: list[Any], keys: dict[str, int]) -> bool:
    """Whether a row under the table is its header again (``_next_form``: not a new form)."""
    for k in _PROBE_KEYS:
        c = keys.get(k, -1)
        if 0 <= c < len(row) and type(v := row[c]) is str and _is_probe_label(v):
            found, _ = _row_keys(row)
            return "description" in found and len(found) >= 3
    return False


def _is_form_top(row: list[Any]) -> bool:
    """A row above a table header that belongs to that form: blank, labels, a title."""
    texts = [t for t in (seen_text(v) for v in row) if t is not None]
    if not texts:
        return True
    if any(_header_key(_label_fold(v)) or _split_pair(v) for v in row if type(v) is str):
        return True
    return len(set(texts)) == 1 and len(texts[0]) <= LABEL_MAX_CHARS and "表" in texts[0]


def _stacked_forms(
    grid: Grid,
    sheet: str,
    keys: dict[str, int],
    stop: int,
    next_header: int | None,
    others: list[dict[str, Any]],
    measures: list[tuple[int, layout.Header, int]],
) -> list[tuple[layout.Header, dict[str, tuple[object, str]], int]]:
    """(table header, header fields, end of rows) of each form stacked below a sheet's first
    one (``_next_form``'s ``stop`` and ``next_header``): another person's form pasted under
    the first is read as its own submission, with the owner its own header block names, as a
    form on a sheet of its own is. A table of measures only (「二、防控措施」: 序号 | 风险点 |
    前期 | 中期 | 后期) goes to ``measures`` as (the form above it: -1 the sheet's first, else
    its index here; its header; end of its rows), to be joined to that form's points. A form
    whose columns differ from the first's (``keys``) is read with its own when a header block
    of its own names its 科室, 姓名 or 科室负责人 (another person's form from another template);
    a table of other columns without one, or whose header cannot be read, is ``others``'
    (not read, reported with its rows counted), and so is everything under it."""
    forms: list[tuple[layout.Header, dict[str, tuple[object, str]], int]] = []
    while next_header is not None:
        found = layout.find_header(grid[next_header:])
        if found is not None and found.keys != keys and _is_measures_table(found.keys):
            found = found._replace(row=found.row + next_header, start=found.start + next_header)
            stop, next_header = _next_form(grid, found.row, found.keys)
            measures.append((len(forms) - 1, found, stop))
            continue
        own: dict[str, tuple[object, str]] = {}
        if found is not None:
            found = found._replace(row=found.row + next_header, start=found.start + next_header)
            block = range(max(stop, found.start - HEADER_BLOCK_ROWS), found.start)
            _header_fields(grid, block, own)
        if found is None or (
            found.keys != keys
            and all(seen_text(own.get(k, (None, ""))[0]) is None for k in _OWNERS)
        ):
            other = _other_form(grid, sheet, stop, next_header, same_sheet=True)
            if found is not None:
                other["code"] = "second_table"
            others.append(other)
            break
        stop, next_header = _next_form(grid, found.row, found.keys, own)
        forms.append((found, own, stop))
    return forms


# The columns of a table of measures under the form: which point (序号, 风险点 or 职权事项),
# its measures and a 备注, nothing else
_MEASURES_TABLE_KEYS = frozenset(
    ("seq", "step", "description", "measures", *vocab.MEASURE_FIELDS, "remark")
)


def _is_measures_table(keys: dict[str, int]) -> bool:
    """Whether a table header under the form heads a table of measures of its points."""
    return keys.keys() <= _MEASURES_TABLE_KEYS and bool(
        keys.keys() & {"measures", *vocab.MEASURE_FIELDS}
    )


def _seq_key(text: str | None) -> str | None:
    """A 序号 as the measures table and the points may both write it (1, 1.0, （1）, 01)."""
    if text is None:
        return None
    t = unicodedata.normalize("NFKC", text).strip().strip("()[].、 ")
    return str(int(t)) if t.isdigit() else _fold(t) or None


def _join_measures(
    target: _TableRows,
    target_keys: dict[str, int],
    table: _TableRows,
) -> tuple[list[int], list[int], list[int]]:
    """Add each row of a measures table to the point of ``target`` it names: by its 风险点描述
    (folded; one point holding it), else by its 序号 (one point numbered so). Each measure
    text is appended on a line of its own to the point's cell of the same kind; a table of one
    防控措施 column under a form of three is split on its 前期/中期/后期 labels into the three
    cells of a point that has some (no label: all to 前期, the row listed as unsplit), else
    goes to the point's 防控措施 (split by validate, as a combined column is); three columns
    under a form of one 防控措施 are appended to it labelled 前期预防措施：… (split the same
    way); a 备注 (and what the table keeps in 备注) to the point's 备注. Returns (the table's
    rows joined, the rows naming no point, the rows whose 防控措施 had no label to split on)."""
    n = len(target.rows)
    fields = [k for k in ("measures", *vocab.MEASURE_FIELDS, "remark") if k in table.values]
    three = [k for k in vocab.MEASURE_FIELDS if k in target_keys]
    combined = "measures" in target_keys and not three
    by_desc: dict[str, list[int]] = {}
    for i, d in enumerate(target.values.get("description") or []):
        if d is not None:
            by_desc.setdefault(_fold(d), []).append(i)
    by_seq: dict[str, list[int]] = {}
    if "seq" in target_keys:
        for i, q in enumerate(target.values.get("seq") or []):
            if (k := _seq_key(q)) is not None:
                by_seq.setdefault(k, []).append(i)
    else:  # a form without 序号: the table's 1, 2, 3 … count its points in order
        by_seq = {str(i + 1): [i] for i in range(n)}
    values = target.values
    for k in ("measures", *vocab.MEASURE_FIELDS, "remark"):
        if values.get(k) is None:
            values[k] = [None] * n

    def append(key: str, i: int, text: str) -> None:
        before = values[key][i]
        values[key][i] = text if before is None else f"{before}\n{text}"

    joined: list[int] = []
    unmatched: list[int] = []
    unsplit: list[int] = []
    for j, r in enumerate(table.rows):
        desc = (table.values.get("description") or [None] * len(table.rows))[j]
        seq = _seq_key((table.values.get("seq") or [None] * len(table.rows))[j])
        hits = by_desc.get(_fold(desc), []) if desc is not None else []
        if len(hits) != 1:
            hits = by_seq.get(seq, []) if seq is not None else []
        if len(hits) != 1:
            unmatched.append(r)
            continue
        i = hits[0]
        joined.append(r)
        for key in fields:
            text = table.values[key][j]
            if text is None:
                continue
            if key == "remark":
                append("remark", i, text)
            elif combined:
                label = "" if key == "measures" else f"{vocab.COLUMN_LABELS[key]}："
                append("measures", i, label + text)
            elif key == "measures" and any(values[f][i] is not None for f in vocab.MEASURE_FIELDS):
                *parts, split_ok = measuresplit.split_text(text)
                if not split_ok:
                    unsplit.append(r)
                for f, part in zip(vocab.MEASURE_FIELDS, parts, strict=True):
                    if part is not None:
                        append(f, i, part)
            else:
                append(key, i, text)
    return joined, unmatched, unsplit


def _other_form(grid: Grid, sheet: str, start: int, hr: int, same_sheet: bool) -> dict[str, Any]:
    """What the second_form issue says about a form that is not read."""
    found: dict[str, tuple[object, str]] = {}
    _header_fields(grid, range(max(start, hr - HEADER_BLOCK_ROWS), hr), found)
    section, name = (seen_text(found.get(k, (None, ""))[0]) for k in ("section", "name"))
    who = " ".join(t for t in (section, name) if t)
    rows = [
        r + 1
        for r in range(hr + 1, len(grid))
        if any(seen_text(v) is not None for v in grid[r][1:])
    ]
    n_rows = len(rows)
    keys, _ = _row_keys(grid[hr])
    return {
        "section": section,
        "name": name,
        "excel_rows": rows,
        "sheet": sheet,
        "cell": a1(hr, min(keys.values()) if keys else 0),
        "where": vocab.SECOND_FORM_ROWS.format(row=start + 1)
        if same_sheet
        else vocab.SECOND_FORM_SHEET.format(sheet=sheet),
        "who": vocab.SECOND_FORM_WHO.format(who=who) if who else "",
        "n": n_rows,
    }


def _kind_of(
    marker: str | None,
    keys: dict[str, int],
    header: dict[str, Any],
    sheet: str,
    grid: Grid,
    hr: int,
) -> str:
    if marker in vocab.FORM_KINDS:
        return marker
    if "posts_involved" in keys:
        return vocab.UNIT
    if "name" in header:
        return vocab.INDIVIDUAL
    title_folds = {_fold(sheet)} | {
        _label_fold(v) for row in grid[: min(hr, HEADER_BLOCK_ROWS)] for v in row
    }
    for kind, title in vocab.FORM_TITLES.items():
        if _fold(title) in title_folds:
            return kind
    if "head" in header:
        return vocab.UNIT
    return vocab.INDIVIDUAL


# Header block field -> the per-row owner column that can stand in for it.
_HEADER_OWNER = {"section": "row_section", "name": "row_name", "post": "row_post"}


@dataclass
class _TableRows:
    """The data rows of one table: Excel rows (0-based), values by field, skipped rows and
    example rows (row, 序号)."""

    rows: list[int]
    values: dict[str, list[str | None]]
    skipped: list[int]
    examples: list[tuple[int, str]]
    # every row read has a 风险类别 from a heading line above it (「一、岗位职责风险」)
    headed: bool = False
    # lines of only measures joined to the point above: (row, its first cell's column,
    # the point's row)
    joined: list[tuple[int, int, int]] = _field(default_factory=list)
    # lines of a point's text running on (序号 blank, no value of its own): (row, its first
    # own cell's column, the point's row)
    continued: list[tuple[int, int, int]] = _field(default_factory=list)
    # lines holding only choices (风险类别, 发生几率, 等级 … as a dropdown left them) and no
    # text: a template line not used, (row, its first choice's column); not read
    unused: list[tuple[int, int]] = _field(default_factory=list)


def _is_date_value(value: object) -> bool:
    """Whether a cell holds a full date: a date cell, or a text such as 2026年3月15日 (a number
    alone is no date here: it may be a 序号 or a serial typed by mistake)."""
    if type(value) in (datetime, date):
        return True
    if type(value) is not str or len(value) > 20 or value.strip().isdigit():
        return False
    return dates.read_date(value)[0] is not None


# Columns filled from a dropdown: a line holding only these (and a 序号) is no risk point
_CHOICE_KEYS = ("category", "likelihood", "harm", "self_level")
# Columns a point's text may run on in (the row below, its 序号 blank): free text, no values
_RUN_ON_KEYS = frozenset(("step", "description", "remark", "measures", *vocab.MEASURE_FIELDS))
_RUN_ON_NEEDS = frozenset(("step", "description"))  # one of them must run on
_SENTENCE_END = tuple("。；;！!？?")


def _continues_point(
    texts: list[str | None],
    filled: list[int],
    r: int,
    carried: set[tuple[int, int]],
    keys: dict[str, int],
    above: list[str | None],
) -> bool:
    """Whether row ``r`` holds the text of the point above running on: the table numbers its
    points, the point above has its 序号 and this row none of its own (blank, or the point's
    merged down over both rows), and every cell of its own (not carried from a merged range)
    is a free-text cell, a 风险点描述 or 职权事项 among them."""
    seq = keys.get("seq")
    if seq is None or seq >= len(above) or above[seq] is None:
        return False
    if seq < len(texts) and texts[seq] is not None and (r, seq) not in carried:
        return False  # its own 序号 (one merged down from the point's row is the point's)
    own = {c for c in filled if (r, c) not in carried}
    if not own:
        return False
    run_on = {keys[k] for k in _RUN_ON_KEYS if k in keys}
    needs = {keys[k] for k in _RUN_ON_NEEDS if k in keys}
    return own <= run_on and bool(own & needs)


def _run_on(before: str | None, text: str, measure: bool) -> str:
    """A cell's text with the next row's run-on text: a new line for a measure or after a
    sentence's end, else straight on (违规借出涉密档案 + ，导致信息泄露)."""
    if before is None:
        return text
    if measure or before.endswith(_SENTENCE_END):
        return f"{before}\n{text}"
    return before + text


def _table_rows(
    grid: Grid,
    hr: int,
    keys: dict[str, int],
    carried: set[tuple[int, int]],
    stop: int,
    header_raw: dict[str, tuple[object, str]],
    header: layout.Header,
    run_on: bool = True,
    choices: dict[str, tuple[tuple[int, str], ...]] | None = None,
) -> _TableRows:
    """Read the rows below the header at ``hr`` up to ``stop``; header fields found below the
    table (填表人：…) go into ``header_raw``. Without ``run_on`` (a measures table, whose
    风险点 names a point) a line without 序号 is never the text of the line above going on.
    ``choices``: the tick columns (高 | 中 | 低 under 风险等级) when they are another sheet's
    (points going on on a sheet without a header), else ``header``'s own."""
    field_cols = [(k, keys[k]) for k in records.ROW_FIELDS if k in keys]
    kept = layout.kept_columns(grid, header)
    seq_col = keys.get("seq", -1)
    out = _TableRows([], {}, [], [])
    skipped = out.skipped
    read_texts: list[list[str | None]] = []  # the cell texts of each row read
    heading: str | None = None  # the 风险类别 of the last heading line (「一、岗位职责风险」)
    headings: list[str | None] = []  # of each row read
    step_col = keys.get("step", -1)
    desc_col = keys.get("description", -1)
    step_heading: str | None = None  # the 职权事项 of the last 「（一）| 公文处理」 line
    step_headings: list[str | None] = []  # of each row read
    measure_cols = frozenset(keys[k] for k in (*vocab.MEASURE_FIELDS, "measures") if k in keys)
    choice_cols = frozenset(keys[k] for k in _CHOICE_KEYS if k in keys)
    last_read = -2  # the row of the last point read (or of a line joined to it)
    in_notes = False  # a 注：… line was seen under the points: its numbered lines follow
    for r in range(hr + 1, stop):
        row = grid[r]
        # seen_text, inlined for the common text cell without a carriage return
        texts = [
            (v.strip() or None) if type(v) is str and "\r" not in v else seen_text(v) for v in row
        ]
        filled = [c for c, t in enumerate(texts) if t is not None]
        if not filled:
            skipped.append(r)
            continue
        n_filled = len(filled)
        across = n_filled >= 3 and carried and all((r, c) in carried for c in filled[1:])
        if n_filled == 1 or across:
            category = layout.category_heading(texts[filled[0]], bool(across))  # type: ignore[arg-type]
            if category is not None:
                heading = category  # the points below belong to it
                continue
        if across or (n_filled >= 3 and carried and _labelled_line(row, r, filled, carried)):
            # one merged note line across the table (e.g. 注：…), or a label and one text
            # merged across the rest (个人承诺 | 本人承诺以上内容属实。): not a risk point
            in_notes = in_notes or (bool(out.rows) and layout.is_note_row(texts, filled[:1]))
            continue
        if (
            n_filled == 2
            and seq_col >= 0
            and step_col >= 0
            and filled == sorted((seq_col, step_col))
            and _STEP_HEADING.fullmatch(texts[seq_col])  # type: ignore[arg-type]
        ):
            step_heading = texts[step_col]  # 「（一）| 公文处理」: the points below are of it
            continue
        if filled == [seq_col]:  # a numbered but empty line of the form
            seq_text: str = texts[seq_col]  # type: ignore[assignment]
            if not (_is_title_line(seq_text) or layout.part_heading(seq_text)):
                skipped.append(r)  # (续表, a title over a repeated header or a heading line
            continue  # such as 二、财务室 is no blank line; other text is told, not dropped)
        for c in filled:  # every filled cell but the 序号 a placeholder (以下空白, 无 …)?
            if c != seq_col:
                t = texts[c]
                if len(t) > PLACEHOLDER_MAX_CHARS or not _is_short_placeholder(t):  # type: ignore[arg-type]
                    break
        else:
            skipped.append(r)  # nothing to read
            continue
        first_text: str = texts[filled[0]]  # type: ignore[assignment]
        if n_filled <= 2 and layout.is_note_row(texts, filled):
            in_notes = bool(out.rows)
            continue  # 注：… / 填表说明 under the table
        if (
            in_notes
            and n_filled <= 3
            and _NOTE_ITEM.match(first_text)
            and all(_is_signature_label(texts[c]) for c in filled[1:])  # type: ignore[arg-type]
        ):
            continue  # the note's further items (2.…  3.… 科室盖章)
        if n_filled <= 2 and all(_is_date_value(row[c]) for c in filled):
            # the date of a signature line under the table (本人签字： … 2026年3月15日)
            if out.rows and seen_text(header_raw.get("date", (None, ""))[0]) is None:
                header_raw["date"] = (row[filled[0]], a1(r, filled[0]))
            continue
        if layout.is_total_row(first_text):
            continue  # 合计 / 小计 under the table
        if n_filled >= 3 and _is_header_again(row, keys):
            continue  # the table's header repeated under its rows: no point
        if (n_filled <= 4 or _is_label_start(first_text)) and _is_headerish(row):
            _header_fields(grid, range(r, r + 1), header_raw)
            continue
        chosen = [c for c in filled if c != seq_col]
        if len(chosen) >= 2 and choice_cols.issuperset(chosen):
            # only the choices of dropdowns (two or more; one value alone is a row missing
            # its fields), no text of a point: a template line not used
            out.unused.append((r, chosen[0]))
            continue
        if not out.rows and n_filled >= 3 and _is_column_numbers(texts, filled):
            continue  # the columns' numbers under the header (栏次: 1 2 3 … or A B C …)
        if 0 <= seq_col < len(texts) and layout.is_example_row(texts[seq_col]):
            out.examples.append((r, texts[seq_col] or ""))
            continue
        if last_read == r - 1 and _measures_line(filled, r, carried, measure_cols, desc_col):
            # only measures, right under a point: its further measures, one per line (the
            # point's own cells merged down over its lines of measures are the point's)
            point = read_texts[-1]
            # (a cell merged down from the point's row is the point's already)
            mine = [c for c in filled if (r, c) not in carried] or filled
            for c in mine:
                before = point[c] if c < len(point) else None
                if c >= len(point):
                    point.extend([None] * (c + 1 - len(point)))
                point[c] = texts[c] if before is None else f"{before}\n{texts[c]}"
            out.joined.append((r, mine[0], out.rows[-1]))
            last_read = r
            continue
        if (
            run_on
            and last_read == r - 1
            and _continues_point(texts, filled, r, carried, keys, read_texts[-1])
        ):
            # the point's text running on in the row below, 序号 blank (a description typed
            # over two rows): appended to the point's cells
            point = read_texts[-1]
            own = [c for c in filled if (r, c) not in carried]
            for c in own:
                if c >= len(point):
                    point.extend([None] * (c + 1 - len(point)))
                point[c] = _run_on(point[c], texts[c], c in measure_cols)  # type: ignore[arg-type]
            out.continued.append((r, own[0], out.rows[-1]))
            last_read = r
            continue
        if (
            n_filled == 1
            and filled[0] != desc_col
            and (r, filled[0]) not in carried
            and layout.part_heading(first_text) is not None
        ):
            # a lone heading line over a block of points (一、办公室 / （三）组织宣传部, typed
            # in some column but the 风险点描述): no point; under 职权事项 it heads its points
            if filled[0] == step_col:
                step_heading = layout.part_heading(first_text)
            continue
        out.rows.append(r)
        read_texts.append(texts)
        headings.append(heading)
        step_headings.append(step_heading)
        last_read = r
    # the values column by column, from the texts of the rows read (rows as wide as the
    # widest column read, as a rule: then no row's width is asked cell by cell)
    wide = not read_texts or max((c for _, c in field_cols), default=-1) < min(map(len, read_texts))
    if wide:
        out.values = {k: [t[c] for t in read_texts] for k, c in field_cols}
    else:
        out.values = {k: [t[c] if c < len(t) else None for t in read_texts] for k, c in field_cols}
    if heading is not None or any(headings):
        # a row's own 风险类别 wins; a blank one (or no such column) takes its heading's
        own = out.values.get("category") or [None] * len(headings)
        out.values["category"] = [
            c if c is not None else h for c, h in zip(own, headings, strict=True)
        ]
        out.headed = all(h is not None for h in headings)
    if step_heading is not None:
        # a blank 职权事项 takes its heading line's; a row's own is kept after the heading's
        # (公文处理：收文登记) unless it already says it
        own = out.values.get("step") or [None] * len(step_headings)
        out.values["step"] = [_under_heading(s, h) for s, h in zip(own, step_headings, strict=True)]
    if choices is None:
        choices = layout.choice_columns(grid, header)
    for key, cols in choices.items():
        # 风险等级 over 高 | 中 | 低: the value is the one choice ticked (several: all of them,
        # which validate reports)
        out.values[key] = [_ticked(t, cols) for t in read_texts]
    if kept:
        remarks = out.values.get("remark") or [None] * len(out.rows)
        out.values["remark"] = [
            layout.with_kept(rm, [(label, t[c] if c < len(t) else None) for c, label in kept])
            for rm, t in zip(remarks, read_texts, strict=True)
        ]
    return out


def _measures_line(
    filled: list[int],
    r: int,
    carried: set[tuple[int, int]],
    measure_cols: frozenset[int],
    desc_col: int,
) -> bool:
    """Whether row ``r`` under a point holds only further measures of it: every filled cell a
    measure, or every cell but its own measures merged down from the point's row with its
    风险点描述 (a point merged over one line per measure)."""
    if measure_cols.issuperset(filled):
        return True
    if (r, desc_col) not in carried:
        return False
    own = [c for c in filled if (r, c) not in carried]
    return bool(own) and measure_cols.issuperset(own)


# an item of a note under the table (2.风险等级按高、中、低填写。): a number, then a sentence
_NOTE_ITEM = re.compile(r"\s*[(（]?\d{1,2}\s*[.、．)）]\s*\S.{4,}", re.DOTALL)


def _labelled_line(
    row: list[Any], r: int, filled: list[int], carried: set[tuple[int, int]]
) -> bool:
    """Whether a row is a label and one text merged across the rest of it (its cells after
    the second all carried from the second, holding the same text)."""
    rest = filled[2:]
    if not all((r, c) in carried for c in rest):
        return False
    text = row[filled[1]]
    return (
        type(text) is str and len(text) > LABEL_MAX_CHARS // 4 and all(row[c] == text for c in rest)
    )


def _under_heading(step: str | None, heading: str | None) -> str | None:
    """The 职权事项 of a point under a heading line: its own, after the heading's."""
    if heading is None or step is None:
        return step if step is not None else heading
    if _fold(heading) in _fold(step):
        return step
    return vocab.STEP_UNDER_HEADING.format(heading=heading, step=step)


# the 序号 of a line heading a block of points (一、 （一） 二.): a part, not a point
_STEP_HEADING = re.compile(r"[(（]?[一二三四五六七八九十]{1,3}[)）、.．]?")
_COLUMN_NUMBER = re.compile(r"[(（\[【]?(\d{1,2}|[A-Za-z])[)）\]】.、]?")


def _is_column_numbers(texts: list[str | None], filled: list[int]) -> bool:
    """Whether a row's filled cells number the columns (1 2 3 …, A B C …, （1）（2）…: 栏次
    under a table header, as many official forms print), each one more than the last."""
    numbers = []
    for c in filled:
        found = _COLUMN_NUMBER.fullmatch(unicodedata.normalize("NFKC", texts[c] or "").strip())
        if found is None:
            return False
        mark = found[1]
        numbers.append(int(mark) if mark.isdigit() else ord(mark.upper()) - ord("A") + 1)
    return numbers[0] <= 2 and all(b == a + 1 for a, b in pairwise(numbers))


def _ticked(texts: list[str | None], cols: tuple[tuple[int, str], ...]) -> str | None:
    """The value of a row's tick columns: the choice marked, the choices joined when several
    are, None when none is."""
    marked = [value for c, value in cols if c < len(texts) and layout.is_ticked(texts[c])]
    return vocab.TICK_JOIN.join(marked) if marked else None


def parse(path: str, rel: str, opened: Opened, limits: Limits) -> dict[str, Any]:
    """Parse one pre-scanned file; returns the plain result dict (see ``read_one``).

    A package or old workbook python-calamine cannot read (though Excel opens it) is read by
    the next maintained reader: openpyxl for .xlsx/.xlsm, xlrd for .xls. When that fails too,
    the first reader's error names the reason."""
    if opened.output:  # the tool's own archive or feedback sent back: nothing of it is a form
        raise Refused("tool_output", detail=vocab.OUTPUT_LABELS[opened.output])
    try:
        result = _parse(path, rel, opened, limits, books.open_book(path, opened, limits))
    except Refused as exc:
        if exc.code == "unknown_template" and opened.legacy == vocab.LEGACY_WEB_PAGE_NAME:
            # a web page holding no form (a saved mail, a page of layout tables): a web page
            raise Refused("not_excel", detail=vocab.FORMAT_NAMES["html"]) from None
        raise
    except (MemoryError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a native panic included: try the other reader
        if opened.fmt not in ("xlsx", "xls") or books.no_fallback(exc):
            raise
        log.info("calamine could not read %s (%s): trying the next reader", rel, exc)
        opened.formula_text.clear()
        opened.picture_cells.clear()
        try:
            book = books.fallback_book(path, opened, limits)
            assert book is not None  # .xlsx and .xls have a next reader
            result = _parse(path, rel, opened, limits, book)
        except (Refused, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - neither reader could: the first one's error says why
            raise exc from None
    meta = result["meta"]
    for code, found in (
        ("formula_text", opened.formula_text),
        ("cell_pictures", opened.picture_cells),
    ):
        cells = found.get(meta.get("sheet") or "")
        if cells:
            result["issues"].append(
                records.issue(
                    code,
                    file=rel,
                    sheet=meta["sheet"],
                    cell=cells[0],
                    section=meta.get("section"),
                    name=meta.get("name"),
                    detail=len(cells),
                )
            )
    return result


def _parse(path: str, rel: str, opened: Opened, limits: Limits, book: Book) -> dict[str, Any]:
    names, load, hidden = book
    loaded: dict[str, tuple[Grid, list[Merge], set[tuple[int, int]]]] = {}

    def sheet_grid(name: str) -> tuple[Grid, list[Merge], set[tuple[int, int]]]:
        if name not in loaded:
            grid, merges = load(name)
            loaded[name] = (grid, merges, carry_merges(grid, merges))
        return loaded[name]

    order = _sheet_order(names)
    form_sheets = [n for n in order if n not in hidden and not _is_side_sheet(n)]
    # the first visible form sheet whose table has rows, else the first visible form sheet
    # with a table, else a table on a hidden or the pledge sheet; never the template's own
    # 填表说明 (its examples are no one's risk points) or list sheet
    table = None
    headers: dict[str, layout.Header | None] = {}
    fallback = [n for n in order if n not in form_sheets and _fold(n) not in _TEMPLATE_SHEETS]
    for name in form_sheets + fallback:
        grid = sheet_grid(name)[0]
        found = headers[name] = _find_table_header(grid)
        if found is None:
            continue
        if name in form_sheets and not _has_rows(grid, found.row):
            table = table or (name, found)
            continue
        table = table or (name, found)
        if name in form_sheets:
            table = (name, found)
        break
    if table is None:
        return _pledge_book(names, hidden, lambda n: sheet_grid(n)[0], opened)
    sheet, found_header = table
    hr, keys, unknown = found_header.row, found_header.keys, found_header.unknown
    grid, merges, carried = loaded[sheet]

    header_raw: dict[str, tuple[object, str]] = {}
    # (above the table header's first row: a two-row header's 岗位 | 风险点 is no 岗位 field)
    h0 = found_header.start
    _header_fields(grid, range(max(0, h0 - HEADER_BLOCK_ROWS), h0), header_raw)

    # data rows
    issues: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []  # other forms in this workbook: reported, not read
    unmatched: list[tuple[str, int]] = []  # rows of measures tables naming no point
    measure_keys: set[str] = set()  # the measure columns measures tables gave the points
    measure_parts: list[tuple[str, _TableRows, dict[str, int]]] = []  # measures tables read
    stop, next_header = _next_form(grid, hr, keys, header_raw)
    measures: list[tuple[int, layout.Header, int]] = []
    stacked = _stacked_forms(grid, sheet, keys, stop, next_header, others, measures)
    table_rows = _table_rows(grid, hr, keys, carried, stop, header_raw, found_header)
    data_rows, values, skipped = table_rows.rows, table_rows.values, table_rows.skipped
    examples = [(sheet, r, seq) for r, seq in table_rows.examples]
    # every other visible sheet holding a form with rows is a submission of its own (one sheet
    # per person, as sections collect them): its rows are read with the owner its header names
    extra: list[tuple[str, _TableRows, dict[str, tuple[object, str]], dict[str, int], int]] = []
    continued: set[str] = set()  # sheets of points going on with no header of their own
    # the other form sheets whose table is empty: (sheet, header fields, header row, columns)
    empty_parts: list[tuple[str, dict[str, tuple[object, str]], int, dict[str, int]]] = []

    def join_measures(
        name: str,
        parts: list[tuple[_TableRows, layout.Header, dict[str, tuple[object, str]]]],
        tables: list[tuple[int, layout.Header, int]],
        o_carried: set[tuple[int, int]],
    ) -> None:
        # each measures table's rows go to the points of the form right above it
        o_grid = sheet_grid(name)[0]
        for at, m_found, m_stop in tables:
            part, p_found, p_header = parts[at + 1]
            m_rows = _table_rows(
                o_grid, m_found.row, m_found.keys, o_carried, m_stop, p_header, m_found, False
            )
            joined, lost, unsplit = _join_measures(part, p_found.keys, m_rows)
            measure_parts.append((name, m_rows, m_found.keys))
            measure_keys.update(k for k in m_found.keys if k in _MEASURES_TABLE_KEYS)
            who = {k: seen_text(p_header.get(k, (None, ""))[0]) or "" for k in ("section", "name")}
            for c in m_found.unknown:  # a column the join does not read (责任人, 完成时限)
                if (m_found.row, c) not in o_carried:
                    lr, label = _column_label(o_grid, m_found, c)
                    issues.append(
                        records.issue(
                            "extra_column",
                            file=rel,
                            sheet=name,
                            cell=a1(lr, c),
                            value=label,
                            detail=label,
                            **who,
                        )
                    )
            n_lines = len(m_rows.rows) + len(m_rows.joined) + len(m_rows.continued)
            first = min(m_found.keys.values())
            if joined:
                issues.append(
                    records.issue(
                        "measures_table_joined",
                        file=rel,
                        sheet=name,
                        cell=a1(m_found.start, first),
                        detail=n_lines,
                        row=m_found.start + 1,
                        **who,
                    )
                )
            m_values = m_rows.values
            for r in unsplit:  # one 防控措施 with no 前期/中期/后期 label: all went to 前期
                issues.append(
                    records.issue(
                        "measures_unsplit",
                        file=rel,
                        sheet=name,
                        cell=a1(r, m_found.keys["measures"]),
                        field_key="measures",
                        value=m_values["measures"][m_rows.rows.index(r)],
                        **who,
                    )
                )
            for r in lost:
                j = m_rows.rows.index(r)
                seq = (m_values.get("seq") or [None] * len(m_rows.rows))[j]
                desc = (m_values.get("description") or [None] * len(m_rows.rows))[j]
                issues.append(
                    records.issue(
                        "measures_table_unmatched",
                        file=rel,
                        sheet=name,
                        cell=a1(r, m_found.keys.get("seq", m_found.keys["description"])),
                        value=seq or desc or "",
                        detail=r + 1,
                        what=vocab.MEASURES_TABLE_POINT.format(
                            seq=f"序号「{seq}」，" if seq else "", desc=desc or ""
                        ),
                        **who,
                    )
                )
                unmatched.append((name, r + 1))

    def read_stacked(
        name: str,
        forms: list[Any],
        o_carried: set[tuple[int, int]],
        first: tuple[_TableRows, layout.Header, dict[str, tuple[object, str]]] | None = None,
        tables: list[tuple[int, layout.Header, int]] | None = None,
    ) -> None:
        o_grid = sheet_grid(name)[0]
        read = [
            (
                _table_rows(
                    o_grid, s_found.row, s_found.keys, o_carried, s_stop, s_header, s_found
                ),
                s_found,
                s_header,
            )
            for s_found, s_header, s_stop in forms
        ]
        if tables:
            join_measures(name, [first, *read] if first else read, tables, o_carried)
        for s_rows, s_found, s_header in read:
            if s_rows.rows:
                extra.append((name, s_rows, s_header, s_found.keys, s_found.row))
                examples.extend((name, r, seq) for r, seq in s_rows.examples)
            else:
                empty_parts.append((name, s_header, s_found.row, s_found.keys))

    read_stacked(sheet, stacked, carried, (table_rows, found_header, header_raw), measures)
    # a hidden sheet holding a form with rows (one person's sheet of a section's workbook,
    # hidden) is read like the visible ones, with a 提示: nothing a file holds is dropped
    hidden_forms = [
        n
        for n in order
        if n in hidden and not _is_side_sheet(n) and _fold(n) not in _TEMPLATE_SHEETS
    ]
    for name in form_sheets + hidden_forms:
        if name == sheet:
            continue
        other_grid, _merges, other_carried = sheet_grid(name)
        found = headers[name] if name in headers else _find_table_header(other_grid)
        if name in hidden and (found is None or not _has_rows(other_grid, found.row)):
            continue  # a hidden blank copy or list: nobody's form
        if found is None:
            # points going on on a sheet of their own with no header (表1, 表2): read with
            # this form's columns, as this form's, with one 提示 saying so
            go_on = _continued_sheet(name, other_grid, keys)
            if go_on is not None:
                at = found_header._replace(row=go_on, start=go_on)  # (no header row there)
                ticks = layout.choice_columns(grid, found_header)  # the form's tick columns
                more = _table_rows(
                    other_grid, go_on, keys, other_carried, len(other_grid), {}, at, choices=ticks
                )
                if more.rows:
                    extra.append((name, more, {}, keys, go_on))
                    continued.add(name)
                    examples.extend((name, r, seq) for r, seq in more.examples)
                    issues.append(
                        records.issue(
                            "sheet_without_header",
                            file=rel,
                            sheet=name,
                            cell=a1(more.rows[0], keys["description"]),
                            detail=len(more.rows),
                            here=name,
                            other=sheet,
                        )
                    )
            continue
        o_hr, o_keys = found.row, found.keys
        o_header: dict[str, tuple[object, str]] = {}
        o_h0 = found.start
        _header_fields(other_grid, range(max(0, o_h0 - HEADER_BLOCK_ROWS), o_h0), o_header)
        if name in hidden:
            issues.append(
                records.issue(
                    "hidden_sheet_read",
                    file=rel,
                    sheet=name,
                    cell=a1(found.start, min(found.keys.values())),
                    here=name,
                    **{
                        k: seen_text(o_header.get(k, (None, ""))[0]) or ""
                        for k in ("section", "name")
                    },
                )
            )
        if not _has_rows(other_grid, found.row):
            empty_parts.append((name, o_header, o_hr, o_keys))
            continue
        o_stop, o_next = _next_form(other_grid, o_hr, o_keys, o_header)
        o_measures: list[tuple[int, layout.Header, int]] = []
        o_stacked = _stacked_forms(other_grid, name, o_keys, o_stop, o_next, others, o_measures)
        read_stacked(name, [(found, o_header, o_stop), *o_stacked], other_carried, None, o_measures)
    sheet_colmaps: dict[str, dict[str, str]] = {}
    above: dict[str, dict[str, str]] = {}  # each sheet's columns of the last form read
    if extra:
        # owners per row: each sheet's rows carry the person its own header block names
        parts = [(sheet, table_rows, header_raw, keys, hr), *extra]
        data_rows, values = [], {k: [] for k in records.ROW_FIELDS}
        for part_sheet, part, part_header, part_keys, part_hr in parts:
            # the sheets' columns, for the checks that depend on a column being there at all
            # and for cell references; a form stacked under another in other columns has its
            # own from its header row on (records.BLOCK_SEP)
            colmap = _colmap(part_keys, measure_keys)
            if part_sheet not in sheet_colmaps:
                sheet_colmaps[part_sheet] = colmap
            elif colmap != above[part_sheet]:
                sheet_colmaps[f"{part_sheet}{records.BLOCK_SEP}{part_hr + 1}"] = colmap
            above[part_sheet] = colmap
            if part_sheet != sheet and part.rows and part_sheet not in continued:
                # (a sheet going on with the form's columns: told at the form's header)
                issues += _missing_optional(rel, part_sheet, part_hr, part_keys, part.headed)
            n = len(part.rows)
            if not n:
                continue
            data_rows += part.rows
            for k in records.ROW_FIELDS:
                values[k] += part.values.get(k) or [None] * n
            values["row_sheet"][-n:] = [part_sheet] * n
            for hkey, okey in _HEADER_OWNER.items():
                own = seen_text(part_header.get(hkey, (None, ""))[0])
                column = values[okey][-n:]
                values[okey][-n:] = [v if v is not None else own for v in column]
    else:
        # a table whose owner columns all name one section / person stands for the header
        for hkey, okey in _HEADER_OWNER.items():
            if seen_text(header_raw.get(hkey, (None, ""))[0]) is None and okey in keys:
                one = layout.uniform(values.get(okey, []))
                if one is not None:
                    first = next(i for i, v in enumerate(values[okey]) if v is not None)
                    header_raw[hkey] = (one, a1(data_rows[first], keys[okey]))
    # lines joined to the point above: a run-on description, a line of measures only
    for code, lines_of in (
        ("point_line_continued", lambda t: t.continued),
        ("measures_line_joined", lambda t: t.joined),
    ):
        for l_sheet, l_rows in [
            (sheet, lines_of(table_rows)),
            *((p[0], lines_of(p[1])) for p in extra),
        ]:
            for r, c, point_row in l_rows:
                issues.append(
                    records.issue(
                        code,
                        file=rel,
                        sheet=l_sheet,
                        cell=a1(r, c),
                        detail=r + 1,
                        point_row=point_row + 1,
                    )
                )
    for u_sheet, part in [(sheet, table_rows), *((p[0], p[1]) for p in extra)]:
        if part.unused:
            (r, c), last = part.unused[0], part.unused[-1][0]
            issues.append(
                records.issue(
                    "choices_only_rows",
                    file=rel,
                    sheet=u_sheet,
                    cell=a1(r, c),
                    detail=len(part.unused),
                    rows=vocab.ROW_SPAN.format(first=r + 1, last=last + 1)
                    if last > r
                    else vocab.ROW_ONE.format(row=r + 1),
                )
            )
    issues += _hidden_notes(
        rel,
        opened,
        limits,
        [(sheet, table_rows, keys), *((p[0], p[1], p[3]) for p in extra), *measure_parts],
    )
    for ex_sheet, r, seq in examples:
        issues.append(
            records.issue(
                "example_row",
                file=rel,
                sheet=ex_sheet,
                cell=a1(r, keys.get("seq", 0)),
                value=seq,
                detail=r + 1,
            )
        )
    if data_rows and layout.single_level(keys):
        issues.append(
            records.issue("single_level", file=rel, sheet=sheet, cell=a1(hr, keys["self_level"]))
        )
    elif data_rows and "self_level" in keys and not ("likelihood" in keys and "harm" in keys):
        lacking = "likelihood" if "likelihood" not in keys else "harm"
        issues.append(
            records.issue(
                "single_level_partial",
                file=rel,
                sheet=sheet,
                cell=a1(hr, keys["self_level"]),
                detail=vocab.COLUMN_LABELS[lacking],
            )
        )
    if data_rows:
        # no 风险类别 / 职权事项 column at all (real 风险清单 forms): validate files the rows
        # with the placeholder (未分类, 未注明)
        issues += _missing_optional(rel, sheet, hr, keys, table_rows.headed)
    blank_between = 0
    own_rows = table_rows.rows  # the first form's (a form stacked under it has its own)
    if own_rows:
        first, last = own_rows[0], own_rows[-1]
        blank_between = sum(1 for r in skipped if first < r < last)

    if not extra and not any(k in header_raw or _HEADER_OWNER.get(k) in keys for k in _OWNERS):
        # no header block on the table's sheet: a cover sheet before it may hold it (封面)
        _cover_fields(names, sheet, hidden, sheet_grid, header_raw)
    header: dict[str, Any] = {}
    header_cells: dict[str, str] = {}
    for key, (raw, where) in header_raw.items():
        header[key] = iso_date(raw) if key == "date" else seen_text(raw)
        header_cells[key] = where
    kind = _kind_of(opened.marker, keys, header, sheet, grid, hr)
    section, name = header.get("section"), header.get("name")
    if (
        kind == vocab.UNIT
        and not extra
        and "row_post" in keys
        and not {"posts_involved", "row_name"} & keys.keys()
    ):
        # a section's table with a 岗位 column and nobody named per row: each row's 岗位 is
        # the post its point involves (涉及岗位), graded by that post's floor
        keys = {("posts_involved" if k == "row_post" else k): c for k, c in keys.items()}
        values["posts_involved"] = values.pop("row_post", None) or [None] * len(data_rows)

    def note(code: str, **kw: Any) -> None:
        issues.append(records.issue(code, file=rel, sheet=sheet, section=section, name=name, **kw))

    if not extra:
        # the notes on the table's lines made before its owner was known (a line joined to
        # the point above, an example row, a single level column): the form's own section
        for item in issues:
            if not item["section"] and item["sheet"] == sheet:
                item["section"] = records.text(section)
                item["name"] = "" if kind == vocab.UNIT else records.text(name)

    for other in others:
        issues.append(
            records.issue(
                other.get("code", "second_form"),
                file=rel,
                sheet=other["sheet"],
                cell=other["cell"],
                section=other["section"] or section,  # the form's own person, not the first's
                name=other["name"] or "",
                where=other["where"],
                who=other["who"],
                n=other["n"],
            )
        )
    for c in unknown:
        if (hr, c) in carried:
            continue
        lr, label = _column_label(grid, found_header, c)
        note("extra_column", cell=a1(lr, c), value=label, detail=label)
    if blank_between:
        first_blank = next(r for r in skipped if own_rows[0] < r < own_rows[-1])
        note("blank_rows_skipped", cell=a1(first_blank, 0), detail=blank_between)
    if data_rows:
        data_set = set(data_rows)
        # a range carried to the points (rows) or the cells (columns) it covers; one merged
        # down over a point's own lines of measures carries nothing (measures_line_joined)
        in_data = sorted(
            m
            for m in merges
            if m[2] > hr
            and (n := sum(r in data_set for r in range(m[0], m[2] + 1)))
            and (n >= 2 or m[3] > m[1])
        )
        if in_data:
            note(
                "merged_cells", cell=a1(in_data[0][0], in_data[0][1]), detail=_ranges_text(in_data)
            )
    if opened.legacy or opened.fmt in vocab.LEGACY_FORMAT_NAMES:
        note("legacy_format", detail=opened.legacy or vocab.LEGACY_FORMAT_NAMES[opened.fmt])

    pledge_sheet = False
    pledge_sheet_name = None  # the sheet the pledge was read from, as the workbook names it
    pledge_cells: dict[str, str] = {}  # the cell of its 承诺日期 on that sheet
    pledge_items, pledger, pledge_date = 0, None, None
    sheet_pledges: dict[str, list[Any]] = {}
    sheet_dates: dict[str, list[Any]] = {}
    if extra:
        # one sheet per person: each person's own 填表日期 (validate reads it as the first's)
        for part_sheet, _part, part_header, _keys, _hr in extra:
            person = seen_text(part_header.get("name", (None, ""))[0])
            raw, where = part_header.get("date", (None, ""))
            if person is not None and _fold(person) not in sheet_dates:
                sheet_dates[_fold(person)] = [iso_date(raw), where, part_sheet, person]
        # one sheet per person: each person's own 承诺书 sheet (by its 承诺人 or its name)
        people = [(part[0], seen_text(part[2].get("name", (None, ""))[0])) for part in extra]
        # the same person's form on two sheets (a copy kept as a draft or backup): both are
        # read; say so at the later sheet's 姓名
        first_sheet = {(_fold(section or ""), _fold(name)): sheet} if name is not None else {}
        for (part_sheet, person), part in zip(people, extra, strict=True):
            if person is None:
                continue
            part_section = seen_text(part[2].get("section", (None, ""))[0]) or section
            who = (_fold(part_section or ""), _fold(person))
            if who not in first_sheet:
                first_sheet[who] = part_sheet
                continue
            stacked = first_sheet[who] == part_sheet  # twice on one sheet, one under another
            issues.append(
                records.issue(
                    "same_person_stacked" if stacked else "same_person_sheets",
                    file=rel,
                    sheet=part_sheet,
                    cell=part[2]["name"][1],
                    section=part_section,
                    name=person,
                    detail=person,
                    first=first_sheet[who],
                    later=part_sheet,
                    row=part[4] + 1,
                )
            )
        own = _own_pledges(names, hidden, [name, *(p for _, p in people)], sheet_grid)
        for _sheet_name, person in people:
            if person is not None and person in own:
                sheet_pledges[_fold(person)] = list(own[person])
        if name is not None and name in own:
            pledge_sheet = True
            pledge_items, pledger, pledge_date, pledge_sheet_name, date_cell = own[name]
            pledge_cells["pledge_date"] = date_cell
    empty_sheets = _empty_sheets(empty_parts, name, [part[2] for part in extra])
    pledge_name = (
        None if pledge_sheet else _pledge_sheet(names, sheet, hidden, lambda n: sheet_grid(n)[0])
    )
    if pledge_name is not None:
        pledge_sheet, pledge_sheet_name = True, pledge_name
        pledge_items, pledger, pledge_date = _pledge(sheet_grid(pledge_name)[0], pledge_cells)
    elif not pledge_sheet and kind == vocab.INDIVIDUAL:
        below = _pledge_below(grid, (data_rows[-1] if data_rows else hr) + 1, pledge_cells)
        if below is not None:  # a 承诺书 written under the table on its own sheet
            pledge_sheet, pledge_sheet_name = True, sheet
            pledge_items, pledger, pledge_date = below

    return {
        "status": records.FILE_STATUS_READ,
        "reason": None,
        "meta": {
            "kind": kind,
            "copy_of": opened.copy_source,
            "sheet": sheet,
            "section": section,
            "name": header.get("name"),
            "post": header.get("post"),
            "head": header.get("head"),
            "date": header.get("date"),
            "pledge_sheet": pledge_sheet,
            "pledge_items": pledge_items,
            "pledger": pledger,
            "pledge_date": pledge_date,
            "pledge_sheet_name": pledge_sheet_name,
            "pledge_date_cell": pledge_cells.get("pledge_date") or None,
            "n_rows": len(data_rows),
            "colmap": _colmap(keys, measure_keys),
            "header_cells": header_cells,
            "sheet_colmaps": sheet_colmaps,
            "sheet_pledges": sheet_pledges,
            "sheet_dates": sheet_dates,
            "empty_sheets": empty_sheets,
            "labels": _written_labels(grid, found_header, vocab.STATED_KEYS),
        },
        "excel_rows": [r + 1 for r in data_rows],
        "values": values,
        "issues": issues,
        # rows of the forms not read (second_form): counted, as rejected rows
        "unread_rows": [(o["sheet"], r) for o in others for r in o["excel_rows"]] + unmatched,
    }


_HIDDEN_ROW = re.compile(rb'<row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d{1,7})"')


def _column_label(grid: Grid, header: layout.Header, c: int) -> tuple[int, str | None]:
    """(row, text) of the label of column ``c`` of a table header: its last row's, else, in a
    two-row header, the row above's (责任人 written over both rows, the cell below blank)."""
    for r in range(header.row, header.start - 1, -1):
        text = seen_text(grid[r][c]) if c < len(grid[r]) else None
        if text is not None:
            return r, text
    return header.row, None


_CONTINUED_MIN_CELLS = 3  # a row of points has at least so many cells filled


def _continued_sheet(name: str, grid: Grid, keys: dict[str, int]) -> int | None:
    """The row above the first row of points on a sheet without a table header whose rows fit
    the form's columns ``keys`` (a text in its 风险点描述 column, at least
    ``_CONTINUED_MIN_CELLS`` cells filled): the points going on from the form's sheet; None
    for any other sheet (a pledge sheet, notes, a sheet of one column)."""
    col = keys.get("description")
    if col is None or vocab.PLEDGE_SHEET_HINT in _fold(name):
        return None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if col >= len(row) or type(v := row[col]) is not str or seen_text(v) is None:
            continue
        if sum(1 for x in row if seen_text(x) is not None) >= _CONTINUED_MIN_CELLS:
            return r - 1
    return None


def _hidden_rows(
    opened: Opened, sheet: str, limits: Limits, whole: list[dict[str, set[int]]]
) -> frozenset[int]:
    """The rows (0-based) a workbook hides on ``sheet``: an .xlsx's ``<row hidden="1">`` (one
    search of the sheet's XML, inflated once by the guard, in the common case), an .xls's,
    .xlsb's or .ods's hidden rows (those of every sheet of an .xls or .ods read once, into
    ``whole``); none in other formats."""
    if opened.fmt in ("xls", "ods"):
        if not whole:
            data = opened.package or opened.data
            whole.append(biff.hidden_rows(data) if opened.fmt == "xls" else ods.hidden_rows(data))
        return frozenset(whole[0].get(sheet, ()))
    if opened.fmt == "xlsb":
        return frozenset(xlsb.hidden_rows(opened.package or opened.data, sheet))
    if opened.fmt != "xlsx":
        return frozenset()
    for part, name in opened.sheet_xml.items():
        if name == sheet:
            break
    else:
        return frozenset()
    z = opened.zip
    if z is None:  # pre-scanned in this process: the package it checked
        package = opened.package or opened.data
        if not package:
            return frozenset()
        try:
            z = Zip(package)
        except Refused:  # (checked whole by the pre-scan) a note is never worth a refusal
            return frozenset()
    info = z.by_name.get(part)
    if info is None:
        return frozenset()
    memo = z._inflated(info)  # the bytes the guard inflated (small parts), else read again
    data = memo[0] if memo is not None else z.read(part, limits.max_uncompressed_bytes)
    if data.find(b' hidden="') < 0:
        return frozenset()
    found = (_ROW_NUMBER.search(tag) for tag in _HIDDEN_ROW.findall(data))
    return frozenset(int(m[1]) - 1 for m in found if m is not None)


def _row_list(rows: list[int]) -> str:
    """Excel rows (0-based, sorted) as 第 5–6、8 行."""
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    parts = [f"{a + 1}–{b + 1}" if b > a else f"{a + 1}" for a, b in spans]
    return vocab.ROW_ONE.format(row="、".join(parts))


def _hidden_notes(
    rel: str,
    opened: Opened,
    limits: Limits,
    parts: list[tuple[str, _TableRows, dict[str, int]]],
) -> list[dict[str, Any]]:
    """One 提示 per sheet naming the hidden rows read into points (old points a sender hid
    instead of deleting: the office counts what the sender may not see)."""
    out: list[dict[str, Any]] = []
    whole: list[dict[str, set[int]]] = []
    for sheet in dict.fromkeys(p[0] for p in parts):
        hidden = _hidden_rows(opened, sheet, limits, whole)
        if not hidden:
            continue  # (the common case: nothing else is looked at)
        mine = [(part, keys) for s, part, keys in parts if s == sheet and part.rows]
        if not mine:
            continue
        col = min(mine[0][1].values())
        read = [
            r
            for part, _keys in mine
            for r in (*part.rows, *(j[0] for j in part.joined), *(j[0] for j in part.continued))
        ]
        rows = sorted(hidden.intersection(read))
        if rows:
            out.append(
                records.issue(
                    "hidden_rows_read",
                    file=rel,
                    sheet=sheet,
                    cell=a1(rows[0], col),
                    rows=_row_list(rows),
                    detail=len(rows),
                )
            )
    return out


def _colmap(keys: dict[str, int], measure_keys: set[str]) -> dict[str, str]:
    """Column key -> letter; a measure column a measures table under the form gave its points
    has no cell in the points' rows: it is there, with no letter (no note points at a cell of
    another table, and none says the form has no measures column)."""
    out = {k: col_letter(c) for k, c in keys.items()}
    for k in measure_keys - {"seq", "step", "description", "remark"}:
        out.setdefault(k, "")
    return out


def _empty_sheets(
    parts: list[tuple[str, dict[str, tuple[object, str]], int, dict[str, int]]],
    name: str | None,
    read_headers: list[dict[str, tuple[object, str]]],
) -> dict[str, list[Any]]:
    """Folded name -> [sheet, 科室 (None when not written), name, table header cell] of each
    person whose own sheet of a workbook of one sheet per person holds an empty table (their
    form came, empty: completeness tells them so instead of 未报送). A sheet naming nobody (a
    spare blank copy) or someone whose rows another sheet holds is left out."""
    people = {_fold(name)} if name else set()
    for header in read_headers:
        person = seen_text(header.get("name", (None, ""))[0])
        if person is not None:
            people.add(_fold(person))
    out: dict[str, list[Any]] = {}
    for sheet, header, hr, keys in parts:
        person = seen_text(header.get("name", (None, ""))[0])
        if person is None or _fold(person) in people or _fold(person) in out:
            continue
        section = seen_text(header.get("section", (None, ""))[0])
        out[_fold(person)] = [sheet, section, person, a1(hr, min(keys.values()) if keys else 0)]
    return out


def _only_pictures(names: list[str], hidden: set[str], grid_of: Any, opened: Opened) -> bool:
    """Whether a workbook without a table holds pictures and no text at all: a scanned or
    photographed form pasted into Excel (xlsx, ods)."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(opened.data)) as zf:
            media = [n for n in zf.namelist() if n.startswith(("xl/media/", "Pictures/"))]
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if not media:
        return False
    visible = [n for n in names if n not in hidden]
    return not any(seen_text(v) is not None for n in visible for row in grid_of(n) for v in row)


def _pledge_book(
    names: list[str], hidden: set[str], grid_of: Any, opened: Opened
) -> dict[str, Any]:
    """A workbook without a table that holds a 廉政承诺书 (sent apart from the form): read as a
    pledge (kind ``pledge``, its 承诺人 as the name; pledges.find says whose it is), else
    unknown_template."""
    sheet = _pledge_sheet(names, "", hidden, grid_of)
    unknown = "template_without_table" if opened.marker else "unknown_template"
    if sheet is None:
        if _only_pictures(names, hidden, grid_of, opened):
            raise Refused("only_pictures")
        raise _turned_table(names, sheet, hidden, grid_of) or Refused(unknown)
    for other in names:
        # another sheet with something written on it: a form whose table was not recognised
        # (its sender must be told), not a pledge sent alone
        if other == sheet or other in hidden or _is_side_sheet(other):
            continue
        if any(seen_text(v) is not None for row in grid_of(other) for v in row):
            raise _turned_table(names, sheet, hidden, grid_of) or Refused(unknown)
    cells: dict[str, str] = {}
    items, pledger, pledge_date = _pledge(grid_of(sheet), cells)
    if not items and pledger is None:
        raise Refused("unknown_template")  # a pledge sheet's labels, nothing filled in
    meta: dict[str, Any] = dict.fromkeys(records.FORM_FIELDS)
    meta.update(
        kind=vocab.PLEDGE_KIND,
        copy_of=opened.copy_source,
        sheet=sheet,
        name=pledger,
        pledge_sheet=True,
        pledge_items=items,
        pledger=pledger,
        pledge_date=pledge_date,
        pledge_date_cell=cells.get("pledge_date") or None,
        n_rows=0,
    )
    return {
        "status": records.FILE_STATUS_READ,
        "reason": None,
        "meta": meta,
        "excel_rows": [],
        "values": {},
        "issues": [],
    }


_TURNED_COLUMNS = 10  # the columns looked at for a table written with its fields as rows


def _turned_table(
    names: list[str], pledge: str | None, hidden: set[str], grid_of: Any
) -> Refused | None:
    """A table written turned (its labels down a column, one risk point per column: 风险点描述
    in A9, the points in B9, C9 …), which the reader does not read: Refused naming the sheet
    and the column of labels, else None."""
    for name in names:
        if name == pledge or name in hidden or _is_side_sheet(name):
            continue
        grid = grid_of(name)[: HEADER_SCAN_ROWS * 2]
        width = min(max((len(row) for row in grid), default=0), _TURNED_COLUMNS)
        turned = [[row[c] if c < len(row) else None for row in grid] for c in range(width)]
        found = layout.find_header(turned)
        if found is not None and len(found.keys) >= 3:
            col, row = found.start, found.keys["description"]
            return Refused("turned_table", detail=col_letter(col), sheet=name, cell=a1(row, col))
    return None


_OWNERS = ("section", "name", "head")  # header fields that say whose a form is


def _cover_fields(
    names: list[str],
    table_sheet: str,
    hidden: set[str],
    sheet_grid: Any,
    header_raw: dict[str, tuple[object, str]],
) -> None:
    """The header fields of the first visible sheet without a table (a 封面, not the pledge,
    guide or list sheet) that names whose the form is; its cells are on another sheet than
    the table's, so they are given no cell (a message then names the field, not a cell)."""
    for n in names:
        if n == table_sheet or n in hidden or _is_side_sheet(n):
            continue
        if vocab.PLEDGE_SHEET_HINT in _fold(n):
            continue
        grid = sheet_grid(n)[0]
        if _find_table_header(grid) is not None:
            continue
        found: dict[str, tuple[object, str]] = {}
        _header_fields(grid, range(min(len(grid), HEADER_BLOCK_ROWS)), found)
        if any(seen_text(found.get(k, (None, ""))[0]) is not None for k in _OWNERS):
            for key, (raw, _where) in found.items():
                header_raw.setdefault(key, (raw, ""))
            return


def _missing_optional(
    rel: str, sheet: str, hr: int, keys: dict[str, int], headed: bool = False
) -> list[dict[str, Any]]:
    """The 提示 of a sheet whose table lacks an optional column (``vocab.OPTIONAL_COLUMNS``:
    its rows are filed with the placeholder), one a missing column; ``headed``: every row
    has its 风险类别 from a heading line, as good as a column."""
    cell = a1(hr, min(keys.values())) if keys else ""
    return [
        records.issue(f"no_{field}_column", file=rel, sheet=sheet, cell=cell, field_key=field)
        for field in vocab.OPTIONAL_COLUMNS
        if field not in keys and not (headed and field == "category")
    ]


def _rejected(rel: str, exc: Refused) -> dict[str, Any]:
    return {
        "status": records.FILE_STATUS_REJECTED,
        "reason": exc.code,
        "meta": {},
        "excel_rows": [],
        "values": {},
        "issues": [
            records.issue(exc.code, file=rel, sheet=exc.sheet, cell=exc.cell, detail=exc.detail)
        ],
    }


def _crashed(rel: str, detail: str) -> dict[str, Any]:
    return _rejected(rel, Refused("worker_crashed", detail=detail))


def read_one(path: str, rel: str, limits: Limits, opened: Opened | None = None) -> dict[str, Any]:
    """Pre-scan (unless done) and parse one file in a worker; never raises for a bad file."""
    try:
        if opened is None:
            opened = prescan(path, limits, thorough=False)
        return parse(path, rel, opened, limits)
    except Refused as exc:
        return _rejected(rel, exc)
    except MemoryError:
        return _crashed(rel, _memory_detail(limits))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native panic (pyo3) is a BaseException
        return _rejected(rel, books.classify(exc))


def _memory_detail(limits: Limits) -> str:
    return vocab.CRASH_DETAIL_MEMORY.format(mb=limits.worker_memory_bytes / MB)


# --------------------------------------------------------------------------------------
# The read workers' task (pipeline/workers.py runs it, pipeline/read.py hands it out)
# --------------------------------------------------------------------------------------
def read_chunk(
    tasks: list[tuple[int, str, str]], limits: Limits
) -> list[tuple[int, readbatch.Batch]]:
    """Read a chunk in a worker; its results go back as one batch (a few flat lists are
    cheaper to send and to receive than a dict per file), keyed by its first file, with its
    repeated texts shared (sent once each: the main process decodes far fewer objects)."""
    with no_gc():  # a chunk's grids hold no reference cycles: collections found nothing
        results = {i: read_one(path, rel, limits) for i, path, rel in tasks}
        batch = readbatch.shared(readbatch.from_results(results))
        return [(tasks[0][0], batch)] if tasks else []


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's garbage collector paused: building thousands of results' containers would
    otherwise trigger full collections over the whole heap, with nothing to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
