"""Where the table is and what its columns mean: the layout-finding rules in one place.

Real forms put the table anywhere under a title, word its columns many ways, split
``防控措施`` into sub-columns on a second header row, name the owner of each row in columns of
their own and mix in example and note rows. Every word these rules use is data in
``vocab.py`` (synonyms, sub-column labels, owner columns, fallback labels, example 序号,
note prefixes); this module only says how a grid of cells is read with them.

Grids are lists of rows of raw cell values, merged ranges already carried (read.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from pipeline import vocab

HEADER_SCAN_ROWS = 60  # the table header must start within these rows
LABEL_MAX_CHARS = 40  # longer cells are never labels
# A hint in brackets after a label: 风险等级（一级、二级、三级）, 姓名（签字）, 风险点描述【必填】.
_LABEL_HINT = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")
# Keys whose text is kept in 备注 when a second column carries them (never enums or 序号).
_TEXT_KEYS = frozenset((*vocab.TEXT_FIELDS, "measures"))
_FALLBACKS = {vocab.fold(k): v for k, v in vocab.COLUMN_FALLBACK_LABELS.items()}
_EXAMPLE_SEQ = frozenset(vocab.fold(s) for s in vocab.EXAMPLE_SEQ)
_NOTE_START = re.compile(
    r"^\s*(?:注\s*(?:[:：\d１-９一二三四五六七八九]|意)|"
    + "|".join(re.escape(p) for p in vocab.NOTE_ROW_PREFIXES if p != "注")
    + ")"
)

# 合计 / 小计 … (spaced out or not) alone or before a colon, a number or a bracket
_TOTAL_START = re.compile(
    r"^\s*(?:"
    + "|".join(r"\s*".join(map(re.escape, w)) for w in vocab.TOTAL_ROW_WORDS)
    + r")\s*(?:$|[:：\d(（])"
)
_TOTAL_FIRST = frozenset(w[0] for w in vocab.TOTAL_ROW_WORDS)


_UNIT_WORDS = frozenset(vocab.fold(w) for w in vocab.UNIT_LABEL_WORDS)
# Marks of a required column before or after its label (★风险点描述, ※姓名, 风险点描述▲), as
# ``*`` is (``fold`` drops that one).
_REQUIRED_MARKS = re.compile(f"^[{vocab.REQUIRED_MARKS}]+|[{vocab.REQUIRED_MARKS}]+$")


def lookup_label(table: dict[str, str], folded: str) -> str | None:
    """The key ``table`` gives a folded label: the label itself, else without a mark of a
    required column (★风险点描述), else without a bracketed hint after it (风险等级（一二三级）), else, after 单位, the label in its brackets (单位（部门）)."""
    key = table.get(folded)
    if key is None and folded:
        unmarked = _REQUIRED_MARKS.sub("", folded)
        if unmarked != folded:
            return lookup_label(table, unmarked) if unmarked else None
        bare = _LABEL_HINT.sub("", folded)
        if bare and bare != folded:
            key = table.get(bare)
            if key is None and bare in _UNIT_WORDS:  # 单位（部门）: the label in brackets
                inner = _LABEL_HINT.search(folded)
                key = table.get(inner[0][1:-1]) if inner else None
    return key


@lru_cache(maxsize=8192)
def _key_of_folded(folded: str) -> str | None:
    return lookup_label(vocab.COLUMN_LOOKUP, folded)


@lru_cache(maxsize=16384)
def _label(text: str) -> tuple[str | None, tuple[str, ...]]:
    """(column key, fallback keys) of a short text (see ``column_key``, ``_fallback_keys``)."""
    f = vocab.fold(text)
    if not f:
        return None, ()
    fallbacks = _FALLBACKS.get(f) or _FALLBACKS.get(_LABEL_HINT.sub("", f)) or ()
    return _key_of_folded(f), tuple(fallbacks)


def column_key(value: object) -> str | None:
    """The table column key of a header cell (None for anything that is not a known label)."""
    if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
        return None
    return _label(value)[0]


def _fallback_keys(value: object) -> tuple[str, ...]:
    if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
        return ()
    return _label(value)[1]


def _filled(value: object) -> bool:
    return value is not None and not (type(value) is str and not value.strip())


def row_keys(row: list[Any]) -> tuple[dict[str, int], list[int], list[tuple[int, str]]]:
    """(column key -> index, unknown filled columns, columns kept in 备注 as (index, label))
    of a row read as a table header.

    A label that only stands in for a missing column (``风险名称`` for 风险点描述) takes the key
    when no column has it; a second column of a text key already taken (``权力`` and
    ``风险环节`` both name the step) is kept in 备注 rather than dropped."""
    keys: dict[str, int] = {}
    unknown: list[int] = []
    kept: list[tuple[int, str]] = []
    fallbacks: list[tuple[int, str, str]] = []
    for c, value in enumerate(row):
        # column_key / _fallback_keys / _filled, inlined: this runs for every header cell
        if type(value) is str:
            if not value or len(value) > LABEL_MAX_CHARS:
                key, fb = None, ()
            else:
                key, fb = _label(value)
        else:
            key, fb = None, ()
        if fb:
            if not any(f[2] == value for f in fallbacks):  # a merged title counts once
                fallbacks.append((c, fb, str(value).strip()))
            continue
        if key is None:
            if value is not None and not (type(value) is str and not value.strip()):
                unknown.append(c)
            continue
        if key not in keys:
            keys[key] = c
        elif keys[key] != c and row[keys[key]] != value:  # not the same merged label
            if key in _TEXT_KEYS:
                kept.append((c, str(value).strip()))
            else:
                unknown.append(c)
    for c, candidates, label in fallbacks:
        free = next((k for k in candidates if k not in keys), None)
        if free is not None:
            keys[free] = c
        else:
            kept.append((c, label))
    return keys, unknown, sorted(kept)


def _is_sub_header(top: list[Any], sub: list[Any]) -> bool:
    """Whether ``sub`` is the second row of a two-row header: only labels (or the merged
    label above carried down) and choices (``choice_columns``), at least one of its own."""
    own = 0
    for c, value in enumerate(sub):
        if not _filled(value):
            continue
        above = top[c] if c < len(top) else None
        if value == above:
            continue  # a label merged over both rows
        if column_key(value) is None and not _fallback_keys(value):
            if _choice_at(top, c, value) is None:
                return False
        elif not (_is_group_cell(top, c) or _is_centred_group(top, sub, c)):
            return False  # a label under another label: two separate rows, not one header
        own += 1
    if own and any(len(cols) < 2 for _key, cols in _choices(top, sub)):
        return False  # one value alone under a label is no set of choices
    return own > 0


def _group_field(top: list[Any], c: int) -> tuple[str, int] | None:
    """(key, column) of the enumerated field's label standing over column ``c``: at ``c``
    (merged over the group, carried to each column) or the nearest label to its left with
    only blanks between (a label centred across the group)."""
    for j in range(min(c, len(top) - 1), -1, -1):
        above = top[j]
        if _filled(above):
            key = column_key(above)
            return (key, j) if key in vocab.ENUM_LOOKUP else None
    return None


@lru_cache(maxsize=4096)
def choice_value(key: str, text: str) -> str | None:
    """The canonical value a sub-column label names for the enumerated field ``key``, read as
    any written value (``vocab.enum_value``: 高 under 风险等级 is 一级), else None."""
    return vocab.enum_value(text, key)


def _choice_at(top: list[Any], c: int, value: object) -> tuple[str, str] | None:
    """(field key, value) when ``value`` under column ``c`` is one of the choices of the
    enumerated field labelled above it (风险等级 over 高 | 中 | 低, ticked per row)."""
    if type(value) is not str or not value or len(value) > LABEL_MAX_CHARS:
        if type(value) is not int or isinstance(value, bool):
            return None
        value = str(value)
    field = _group_field(top, c)
    if field is None:
        return None
    found = choice_value(field[0], value)
    return None if found is None else (field[0], found)


def _choices(top: list[Any], sub: list[Any]) -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """Per enumerated field whose label stands over sub-columns naming its values, the
    (column, label as written) of each: a row ticks one of them."""
    found: dict[str, list[tuple[int, str]]] = {}
    for c, value in enumerate(sub):
        if not _filled(value) or value == (top[c] if c < len(top) else None):
            continue
        if column_key(value) is not None or _fallback_keys(value):
            continue
        hit = _choice_at(top, c, value)
        if hit is not None:
            found.setdefault(hit[0], []).append((c, str(value).strip()))  # as written
    return tuple((key, tuple(cols)) for key, cols in found.items())


def choice_columns(grid: list[list[Any]], header: Header) -> dict[str, tuple[tuple[int, str], ...]]:
    """The tick columns of ``header``'s table (see ``_choices``): field key -> (column, value)
    of each choice; empty for a table whose fields are written as values."""
    hr = header.row
    if hr == header.start or hr == 0:
        return {}
    return dict(_choices(grid[hr - 1], grid[hr]))


def is_ticked(text: str | None) -> bool:
    """Whether a tick cell is marked: anything written but a 'no' mark (×, 否, 无, /, -, 0)."""
    return text is not None and vocab.fold(text) not in _NO_TICKS


_NO_TICKS = frozenset(vocab.fold(t) for t in vocab.TICK_NO_MARKS)


def _is_group_cell(top: list[Any], c: int) -> bool:
    """Whether a sub-column label may stand under ``top[c]``: nothing there, a label merged
    over several columns (carried to each), or the group label 防控措施 itself."""
    above = top[c] if c < len(top) else None
    if not _filled(above):
        return True
    left = top[c - 1] if c > 0 else None
    right = top[c + 1] if c + 1 < len(top) else None
    return above in (left, right) or column_key(above) == "measures"


def _is_centred_group(top: list[Any], sub: list[Any], c: int) -> bool:
    """Whether ``top[c]`` is a group label centred across the columns to its right (跨列居中,
    or a merge a converter lost): blank above the next sub-column label, in a row that is a
    table header itself (two column labels or more: not a title, not a header block)."""
    if c + 1 >= len(top) or c + 1 >= len(sub) or _filled(top[c + 1]) or not _filled(sub[c + 1]):
        return False
    above = top[c]
    if type(above) is not str or vocab.HEADER_LOOKUP.get(vocab.fold(above)) is not None:
        return False
    if any(mark in above for mark in ":："):
        return False  # 科室：办公室, a header block's label with its value
    return sum(column_key(v) is not None for v in top) >= 2


def _combined(top: list[Any], sub: list[Any]) -> list[Any]:
    """One header row from two: a sub-column label wins over the merged label above it; the
    choices of a field (高 | 中 | 低 under 风险等级) are its columns, labelled as the field."""
    width = max(len(top), len(sub))
    out: list[Any] = []
    for c in range(width):
        t = top[c] if c < len(top) else None
        s = sub[c] if c < len(sub) else None
        out.append(s if _filled(s) else t)
    for _key, cols in _choices(top, sub):
        field = _group_field(top, cols[0][0])
        label = top[field[1]] if field is not None else None
        for c, _value in cols:
            out[c] = label
    return out


def _split_labels(top: list[Any], sub: list[Any]) -> list[Any] | None:
    """One header row from two whose labels are split over both (``发生`` over ``几率``, a
    narrow column's label typed in two cells): each filled cell of ``sub`` completes the text
    above it to a column label; None unless every one does, two at least."""
    out = list(top) + [None] * (len(sub) - len(top))
    n = 0
    for c, s in enumerate(sub):
        if not _filled(s):
            continue
        t = top[c] if c < len(top) else None
        if type(s) is not str or type(t) is not str or not t.strip():
            return None
        joined = t.strip() + s.strip()
        key = column_key(joined)
        if key is None or column_key(s) not in (None, key) or _fallback_keys(s):
            return None  # no label joined, or another label of its own below
        out[c] = joined
        n += 1
    return out if n >= 2 else None


def _two_rows(top: list[Any], sub: list[Any]) -> list[Any] | None:
    """The labels of a two-row header ``top`` / ``sub``, or None when ``sub`` is no part of it."""
    if _is_sub_header(top, sub):
        return _combined(top, sub)
    return _split_labels(top, sub)


def header_row(grid: list[list[Any]], r: int) -> tuple[int, list[Any]]:
    """(last header row, the header's labels) of a table header starting at row ``r``."""
    if r + 1 < len(grid):
        labels = _two_rows(grid[r], grid[r + 1])
        if labels is not None:
            return r + 1, labels
    return r, grid[r]


def _may_describe(row: list[Any]) -> bool:
    """Whether a cell of ``row`` is a label that can take the ``description`` key (its own,
    or as a fallback label): ``row_keys`` finds that key only then."""
    for value in row:
        if type(value) is str and value and len(value) <= LABEL_MAX_CHARS:
            key, fallbacks = _label(value)
            if key == "description" or "description" in fallbacks:
                return True
    return False


class Header(NamedTuple):
    """A table header found in a grid."""

    row: int  # its last row
    keys: dict[str, int]  # column key -> index
    unknown: list[int]  # unknown header columns
    start: int  # its first row
    kept: list[tuple[int, str]]  # the columns kept in 备注, as (index, label)


def find_header(grid: list[list[Any]]) -> Header | None:
    """The best table header: the row (or pair of rows) with the most known labels, one of
    them 风险点描述."""
    best: Header | None = None
    found_at = -1
    n = min(len(grid), HEADER_SCAN_ROWS)
    # whether a row holds a cell that can name the 风险点描述 column: a row without one, with
    # the row below (a two-row header) without one either, is no table header
    below = n > 0 and _may_describe(grid[0])
    for r in range(n):
        if found_at >= 0 and r > found_at + 2:
            break  # a two-row header is the most we look past the first match
        here, below = below, r + 1 < len(grid) and _may_describe(grid[r + 1])
        if not (here or below):
            continue
        hr, labels = header_row(grid, r)
        keys, unknown, kept = row_keys(labels)
        if "description" not in keys or len(keys) < 2:
            continue
        if best is None or len(keys) > len(best.keys):
            best = Header(hr, keys, unknown, r, kept)
        if found_at < 0:
            found_at = r
    return best


def kept_columns(grid: list[list[Any]], header: Header) -> list[tuple[int, str]]:
    """The columns of ``header`` whose text is kept in 备注: those of the header that ends at
    its last row (read again when that one starts elsewhere)."""
    hr = header.row
    start = hr - 1 if hr > 0 and _two_rows(grid[hr - 1], grid[hr]) is not None else hr
    if start == header.start:
        return header.kept  # the same rows' labels: the same columns
    return row_keys(header_row(grid, start)[1])[2]


def with_kept(remark: str | None, kept: list[tuple[str, str | None]]) -> str | None:
    """备注 with the kept columns' texts appended as 「label：text」 lines."""
    lines = [remark] if remark else []
    lines += [vocab.REMARK_KEPT.format(label=label, text=t) for label, t in kept if t]
    return "\n".join(lines) or None


@lru_cache(maxsize=4096)
def is_example_row(seq: str | None) -> bool:
    """A row whose 序号 says it is an example (例, 示例 …)."""
    if seq is None or len(seq) > 6:
        return False
    f = vocab.fold(seq).strip("()[]【】")
    return f in _EXAMPLE_SEQ or (f.startswith(("例", "示例")) and f[-1:].isdigit())


def is_note_row(texts: list[str | None], filled: list[int]) -> bool:
    """A 注：… / 填表说明 … line under or above the table (one or two cells), not a point."""
    if not filled or len(filled) > 2:
        return False
    first = texts[filled[0]] or ""
    return bool(_NOTE_START.match(first))


# the numbering of a heading line: 一、 （一） (1) 1. 1、 第一类
_HEADING_NUMBER = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十]+\s*(?:类|部分)?\s*[、.．:：]?|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]"
    r"|\d+\s*[、.．])\s*"
)
HEADING_MAX_CHARS = 24


@lru_cache(maxsize=4096)
def category_heading(text: str, merged: bool) -> str | None:
    """The 风险类别 a heading line inside the table names (「一、岗位职责风险」 over the points
    of that category), else None. A lone cell needs its numbering to be a heading; a line
    merged across the table may go without."""
    if len(text) > HEADING_MAX_CHARS:
        return None
    number = _HEADING_NUMBER.match(text)
    if not merged and (number is None or not number.group(0).strip()):
        return None
    rest = vocab.fold(text[number.end() :] if number else text).rstrip(":")
    if not rest or rest.isdigit():
        return None
    table = vocab.ENUM_LOOKUP["category"]
    for candidate in (rest, rest.removesuffix("点"), rest.replace("类风险", "风险")):
        if candidate in table and not candidate.isdigit():
            return table[candidate]
    return None


# A part's numbering in Chinese numerals (一、 （三） 第二部分), as a heading line starts
_PART_NUMBER = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十]+\s*(?:类|部分)?\s*[、.．:：]|[(（]\s*[一二三四五六七八九十]+\s*[)）])\s*"
)
_PART_SENTENCE = re.compile("[，,。；;！!？?]")


def part_heading(text: str) -> str | None:
    """The name a lone heading line gives a block of points (「一、办公室」, 「（三）组织宣传部」:
    a section's or a part's), else None: a short text numbered in Chinese numerals, no
    sentence after it."""
    if len(text) > HEADING_MAX_CHARS:
        return None
    number = _PART_NUMBER.match(text)
    if number is None:
        return None
    rest = text[number.end() :].strip()
    if not rest or rest.isdigit() or _PART_SENTENCE.search(rest):
        return None
    return rest


def is_total_row(first: str) -> bool:
    """A 合计 / 小计 line under the table (``first``: its first filled cell's text), not a point."""
    return first.lstrip()[:1] in _TOTAL_FIRST and bool(_TOTAL_START.match(first))


def single_level(keys: dict[str, int]) -> bool:
    """A table graded by one written level: no 发生几率 and no 危害程度 column."""
    return "self_level" in keys and "likelihood" not in keys and "harm" not in keys


def uniform(values: list[str | None]) -> str | None:
    """The one value every filled cell of an owner column holds, else None."""
    seen = {v for v in values if v is not None}
    return seen.pop() if len(seen) == 1 else None
