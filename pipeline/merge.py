"""Merge risk points of a section that are the same point into one, keeping every source.

Two rows are the same risk point when their section, post, 职权事项 and 风险点描述 are equal
after ``vocab.fold`` (spacing, full-width forms and decoration ignored), without a leading
list number or trailing punctuation (「1.…不规范；」 is 「…不规范」). For unit-form rows the
post is the 涉及岗位 text and there is no person. Merging never hides or changes what a
submitter wrote (SPEC Merging):

- the point's 发生几率, 危害程度 and 自评等级 are the most severe among its sources, so its
  评定等级 is never below any source's; its 风险类别 is the first source's;
- every distinct measure line (前期/中期/后期) and 备注 line of every source is kept, in source
  order, each once (compared after ``vocab.fold``), one per line;
- where sources differ in 风险类别, 发生几率, 危害程度 or 自评等级, each of them gets a 提示
  ``merge_conflict`` naming the other sources' file, cell and value; a source that agrees with
  the first is told ``duplicate_point`` (完全相同) only when every field is equal, else
  ``merged_point``.

Sources are ordered individual before unit, then file, then row; ``sources`` lists them all.
Points are numbered per person (or section, for unit-form points) in catalogue order:
``point_id`` is ``科室-姓名-序号`` (``办公室-何佳-03``, ``办公室-单位-02``), never a hash.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd

from pipeline import frames, vocab
from pipeline.frames import text_series
from pipeline.normalize import sorted_places, sorted_ranks, text_column

NAME_JOIN = "、"
SOURCE_JOIN = "；"
TEXT_JOIN = "\n"
KEY_FIELDS = ("section", "post", "step", "description")
# Every distinct text of every source is kept, line by line.
JOINED_FIELDS = (*vocab.MEASURE_FIELDS, "remark")
# Sources differing in these get a merge_conflict note each.
CONFLICT_FIELDS = ("category", "likelihood", "harm", "self_level")
# The most severe of the sources' values is the point's (lower rank = more severe).
SEVERITY = {
    "likelihood": {v: i for i, v in enumerate(vocab.LIKELIHOODS)},
    "harm": {v: i for i, v in enumerate(vocab.HARMS)},
    "self_level": dict(vocab.LEVEL_RANK),
}
# A source is 完全相同 to the first only when all of these are equal (and the step and
# description, folded as written).
COMPARED_FIELDS = (*CONFLICT_FIELDS, *JOINED_FIELDS)
_WRITTEN_KEY_FIELDS = ("step", "description")
# Column holding, for points with several sources, each source's 自评等级 and where it is
# (grade checks every source's 自评等级 against the point's level); None for single sources.
SOURCE_LEVELS = "source_levels"
# What each source's entry of SOURCE_LEVELS holds, in order (a tuple per source).
# A source's own 发生几率 and 危害程度 let grade grade it alone: the point is never below it.
SOURCE_LEVEL_FIELDS = (
    "file",
    "sheet",
    "cell",
    "self_level",
    "section",
    "name",
    "row_id",
    "likelihood",
    "harm",
)
KIND_ORDER = {vocab.INDIVIDUAL: 0, vocab.UNIT: 1}
# The columns of a merged point's sources that the merge reads.
_SOURCE_FIELDS = (
    "file",
    "sheet",
    "excel_row",
    "row_id",
    "section",
    "name",
    "step",
    "description",
    *COMPARED_FIELDS,
    *(f"{f}_cell" for f in (*CONFLICT_FIELDS, "description")),
)
_SEP = "|"


def fold_series(values: pd.Series) -> pd.Series:
    """``vocab.fold`` over a column, computed once per distinct value."""
    text = text_series(values)
    codes, uniques = pd.factorize(np.asarray(text.array, dtype=object))
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [vocab.fold(v) for v in uniques.tolist()]
    table[-1] = ""  # not met: text_series leaves nothing missing
    return text_column(table, codes, text.index, text.name)


def point_ids(section: pd.Series, owner: pd.Series) -> pd.Series:
    """Readable IDs ``办公室-何佳-03`` for points in catalogue order: the section, the person
    (``vocab.POINT_ID_UNIT`` for a unit form's points) and the point's number among that
    person's points, at least two digits (more when someone has 100 or more)."""
    sections = text_series(section).to_numpy(dtype=object)
    owners = text_series(owner).to_numpy(dtype=object)
    # the prefix text of each distinct (section, owner), written once
    pair, first = _combos(sections, owners)
    prefix, prefixes = pd.factorize(sections[first] + vocab.POINT_ID_SEP + owners[first])
    code = prefix[pair]
    seq = pd.Series(code).groupby(code, sort=False).cumcount().to_numpy() + 1
    width = np.maximum(2, np.char.str_len(np.bincount(code).astype(str)))[code]
    number, numbers = pd.factorize(seq * 16 + width)  # a few distinct (number, width)
    number_text = np.array([str(v // 16).zfill(v % 16) for v in numbers.tolist()], dtype=object)
    lead = np.asarray(prefixes, dtype=object) + vocab.POINT_ID_SEP
    return pd.Series(lead[code] + number_text[number], index=section.index, dtype="str")


def _combos(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row's combination of values, first row of each code)."""
    combo = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        code = pd.factorize(values)[0]
        combo = pd.factorize(combo * (int(code.max(initial=0)) + 1) + code)[0].astype(np.int64)
    first_row = np.empty(int(combo.max(initial=-1)) + 1, dtype=np.int64)
    first_row[combo[::-1]] = np.arange(len(combo))[::-1]  # the last write (first row) wins
    return combo, first_row


def _point_keys(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(point number of each row, sort rank of each point's key): rows are one point when
    their folded section, post, step and description are each equal; points are ordered by
    the joined key section|post|step|description. The fold and the joined key are computed
    once per distinct combination, never per row."""
    codes = []
    folded = []
    for col in KEY_FIELDS:
        code, uniques = pd.factorize(df[col].to_numpy(dtype=object))
        codes.append(code)
        folded.append(np.array([key_fold(u) for u in uniques], dtype=object))
    combo = codes[0].astype(np.int64)
    for code in codes[1:]:
        combo = pd.factorize(combo * (int(code.max()) + 1) + code)[0].astype(np.int64)
    first_row = _first_rows(combo)
    keys = folded[0][codes[0][first_row]]
    for fold, code in zip(folded[1:], codes[1:], strict=True):
        keys = keys + _SEP + fold[code[first_row]]
    # rows are one point when every folded part is equal: the combinations are told apart
    # by the parts' codes (a joined key is not enough: "|" may be in a text, and
    # "公文|处理" + "泄露" joins like "公文" + "处理|泄露")
    key = np.zeros(len(first_row), dtype=np.int64)
    for fold, code in zip(folded, codes, strict=True):
        part = pd.factorize(fold)[0][code[first_row]]
        key = pd.factorize(key * (int(part.max(initial=0)) + 1) + part)[0].astype(np.int64)
    firsts = _first_rows(key)
    order_keys: list[Any] = keys[firsts].tolist()
    if any(_SEP in text for fold in folded for text in fold.tolist()):
        # two points whose joined keys are equal are ordered by their parts
        parts = [
            fold[code[first_row]][firsts].tolist() for fold, code in zip(folded, codes, strict=True)
        ]
        order_keys = list(zip(order_keys, *parts, strict=True))
    return key[combo], sorted_places(order_keys)


# Punctuation a text may end with or not, as people copy a list item (「…不规范；」): no part of
# what the point is. (vocab.fold already drops 。 and spacing.)
_KEY_TRAILING = ";,!?…"


# A list number in front of a text (「1.」「2、」「（3）」「4)」「⑤」), as a point copied from a
# numbered list carries it: no part of what the point is either.
_KEY_NUMBER = re.compile(
    r"^\s*(?:[(（]\d{1,2}[)）]|\d{1,2}(?:[.．](?!\d)|[、)）])|[\u2460-\u2473])\s*"
)


def key_fold(text: object) -> str:
    """``vocab.fold`` of a key part without a leading list number or trailing ; , ! ? …
    (after NFKC, full-width too)."""
    if isinstance(text, str):
        text = _KEY_NUMBER.sub("", text, count=1) or text
    folded = vocab.fold(text)
    return folded.rstrip(_KEY_TRAILING) or folded


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row holding each of the codes 0..n-1."""
    first_row = np.empty(int(codes.max()) + 1, dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes))[::-1]  # the last write (first row) wins
    return first_row


def _kind_order(kinds: pd.Series) -> np.ndarray:
    """Each row's place in ``KIND_ORDER`` (after them all for another or no kind)."""
    values = kinds.to_numpy(dtype=object, na_value=None)
    out = np.full(len(values), len(KIND_ORDER), dtype=np.int64)
    for kind, place in KIND_ORDER.items():
        out[values == kind] = place
    return out


def _empty_result(points: pd.DataFrame) -> pd.DataFrame:
    out = points.copy()
    for col in frames.MERGE_COLUMNS:
        out[col] = pd.Series([], dtype="object" if col == "sources" else "str")
    out[SOURCE_LEVELS] = pd.Series([], dtype="object")
    return out


def merge(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accepted rows -> one row per distinct risk point, plus the 提示 of merged sources."""
    if points.empty:
        return _empty_result(points), frames.empty_issues()
    df = points.copy(deep=False)  # copy-on-write: only the columns changed here are copied
    for col in ("section", "post", "name", "step", "description", "file"):
        if col not in df:
            df[col] = ""
        df[col] = text_series(df[col])
    unit = (df["kind"] == vocab.UNIT).fillna(False).to_numpy(bool)
    if unit.any():
        involved = df.loc[unit, "posts_involved"] if "posts_involved" in df else ""
        df.loc[unit, "post"] = text_series(pd.Series(involved, index=df.index[unit]))
        df.loc[unit, "name"] = ""

    group, key_rank = _point_keys(df)
    kind = _kind_order(df["kind"])
    file_rank = sorted_ranks(df["file"])
    row = df["excel_row"].to_numpy()
    # Sources of a point in kind, file, row order; points ordered by section, kind, post, name
    # and first source. Both orders are independent of the order files were read in.
    by_source = np.lexsort((key_rank[group], row, file_rank, kind))
    firsts = by_source[~pd.Series(group[by_source]).duplicated().to_numpy()]
    by_point = np.lexsort(
        (
            key_rank[group[firsts]],
            row[firsts],
            file_rank[firsts],
            sorted_ranks(df["name"].iloc[firsts]),
            sorted_ranks(df["post"].iloc[firsts]),
            kind[firsts],
            sorted_ranks(df["section"].iloc[firsts]),
        )
    )
    rank = np.empty(len(firsts), dtype=np.int64)
    rank[group[firsts[by_point]]] = np.arange(len(firsts))
    order = by_source[np.argsort(rank[group[by_source]], kind="stable")]
    point = rank[group[order]]  # each source's point number, 0.. in catalogue order

    first = np.r_[True, point[1:] != point[:-1]]
    out = df.take(order[first]).reset_index(drop=True)  # each point's first source
    is_unit = (out["kind"] == vocab.UNIT).fillna(False).to_numpy(bool)
    owner = out["name"].where(~is_unit & (out["name"] != ""), vocab.POINT_ID_UNIT)
    out["point_id"] = point_ids(out["section"], owner)
    out["names"] = out["name"]
    out["source_file"] = out["file"]
    out["source_row"] = out["excel_row"].astype("int64").astype("str")
    rows = out["excel_row"].astype("int64").tolist()
    out["sources"] = [[pair] for pair in zip(out["file"].tolist(), rows, strict=True)]
    out[SOURCE_LEVELS] = pd.Series(None, index=out.index, dtype="object")

    several = np.bincount(point)[point] > 1
    issues = frames.empty_issues()
    if several.any():
        wanted = [c for c in _SOURCE_FIELDS if c in df]
        multi = df[wanted].take(order[several]).reset_index(drop=True)
        out, issues = _merge_groups(out, multi, point[several])

    out = out.reset_index(drop=True)
    for col in ("point_id", "names", "source_file", "source_row"):
        out[col] = out[col].astype("str")
    return out, issues


def _value(value: object) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _values(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A column as stripped text ('' for missing or absent), as an object array; the
    stripping is done once per distinct value."""
    return _values_folded(frame, col, fold=False)[0]


def _stripped_table(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, the stripped text of each code): one ``_value`` per distinct value,
    code -1 (missing) picking the last slot, ''."""
    if column.dtype == "str":  # its object array: the extension array's factorize is slower
        column = np.asarray(column.array, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [_value(u) for u in np.asarray(uniques, dtype=object)]
    table[-1] = ""
    return codes, table


def _values_folded(
    frame: pd.DataFrame, col: str, fold: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(stripped text, its ``vocab.fold``) of a column, both once per distinct value."""
    if col not in frame:
        blank = np.full(len(frame), "", dtype=object)
        return blank, blank
    codes, table = _stripped_table(frame[col])
    if not fold:
        return table[codes], table[codes]
    folded = np.array([vocab.fold(v) for v in table.tolist()], dtype=object)
    return table[codes], folded[codes]


def _coded_folded(
    frame: pd.DataFrame, col: str
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, int]]:
    """``_values_folded`` of a column and the codes of both: (stripped text, its fold,
    (code of each stripped text, the distinct texts), (code of each fold, how many)); equal
    texts share a code, numbered in no particular order."""
    if col not in frame:
        blank = np.full(len(frame), "", dtype=object)
        none = np.zeros(len(frame), dtype=np.intp)
        return blank, blank, (none, np.array([""], dtype=object)), (none, 1)
    codes, table = _stripped_table(frame[col])
    folded = np.array([vocab.fold(v) for v in table.tolist()], dtype=object)
    text_code, texts = pd.factorize(table)  # distinct raw values may strip to one text
    fold_code, folds = pd.factorize(folded)
    return (
        table[codes],
        folded[codes],
        (text_code[codes], np.asarray(texts, dtype=object)),
        (fold_code[codes], len(folds)),
    )


def _first_of_pair(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """True where a (group, value) pair is met for the first time."""
    code, uniques = pd.factorize(values)
    pair = group.astype(np.int64) * (len(uniques) + 1) + code
    return ~pd.Series(pair).duplicated().to_numpy()


def _group_join(group: np.ndarray, values: np.ndarray, sep: str, n_groups: int) -> np.ndarray:
    """Per group (``group`` sorted, codes 0..n_groups-1), its ``values`` joined with ``sep``
    in order; '' for a group without values. Lists are concatenated the same way."""
    out = np.full(n_groups, "", dtype=object)
    if not len(values):
        return out
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    parts = values.astype(object, copy=True)
    if sep:
        rest = np.ones(len(parts), dtype=bool)
        rest[starts] = False
        parts[rest] = sep + parts[rest]
    out[group[starts]] = np.add.reduceat(parts, starts)
    return out


def _joined_lines(group: np.ndarray, texts: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (``group`` sorted), the lines of its ``texts`` in order, each distinct line
    (compared after ``vocab.fold``) once, joined with TEXT_JOIN: a line two sources both wrote
    is listed once even when one of them wrote more lines in the same cell. Each distinct
    text is split, and each distinct line folded, once."""
    code, uniques = pd.factorize(texts)
    split = [[ln.strip() for ln in str(t).splitlines() if ln.strip()] for t in uniques.tolist()]
    counts = np.array([len(lines) for lines in split], dtype=np.int64)[code]
    line_group = np.repeat(group, counts)
    lines = np.empty(int(counts.sum()), dtype=object)
    lines[:] = list(itertools.chain.from_iterable(split[c] for c in code.tolist()))
    line_code, distinct = pd.factorize(lines)
    folded = np.array([vocab.fold(v) or v for v in distinct.tolist()], dtype=object)
    kept = _first_of_pair(line_group, folded[line_code]) if len(lines) else np.zeros(0, bool)
    return _group_join(line_group[kept], lines[kept], TEXT_JOIN, n_groups)


def _slices(items: list[Any], bounds: list[int]) -> np.ndarray:
    """``items`` cut into the lists between consecutive ``bounds``, as an object array."""
    out = np.empty(len(bounds) - 1, dtype=object)
    out[:] = [items[a:b] for a, b in itertools.pairwise(bounds)]
    return out


def _places(src: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(「file」 with 工作表「sheet」 when it is not the form's own, 第N行) of every source: the
    two halves of a source's place in the notes (``prefix + cell``, or ``prefix + row`` when
    the form has no such column), each written once per distinct file and sheet, or row."""
    pair, first = _combos(src["file"], src["sheet"])
    file, sheet = src["file"][first], src["sheet"][first]
    prefix = _formatted(vocab.MERGE_FILE, file=file)
    other_sheet = (sheet != "") & ~pd.Series(sheet).isin(list(vocab.MAIN_SHEET.values())).to_numpy()
    if other_sheet.any():
        prefix[other_sheet] = prefix[other_sheet] + _formatted(
            vocab.MERGE_SHEET, sheet=sheet[other_sheet]
        )
    row, first_row = _combos(src["row"])
    return prefix[pair], _formatted(vocab.MERGE_ROW, row=src["row_text"][first_row])[row]


def _formatted(template: str, **columns: np.ndarray) -> np.ndarray:
    """``template.format(**row)`` for every row of equally long ``str`` object arrays."""
    n = len(next(iter(columns.values())))
    return frames.fill_template(template, columns, n, share=False)  # parts of notes only


def _merge_groups(
    out: pd.DataFrame, multi: pd.DataFrame, point: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the merged columns of points that have more than one source and build their notes,
    column-wise over all such sources at once (``multi`` holds them grouped, in source order;
    ``point`` is their point's row in ``out``)."""
    group, at = pd.factorize(point)  # groups numbered in catalogue order
    n_groups = len(at)
    pos = multi.groupby(group, sort=False).cumcount().to_numpy()
    first_of = np.flatnonzero(pos == 0)  # each group's first source, by group number
    src = {
        "file": multi["file"].to_numpy(dtype=object),
        "section": multi["section"].to_numpy(dtype=object),
        "name": multi["name"].to_numpy(dtype=object),
        "description": multi["description"].to_numpy(dtype=object),
        "sheet": _values(multi, "sheet"),
        "row": multi["excel_row"].astype("int64").to_numpy(),
    }
    src["row_text"] = src["row"].astype(str).astype(object)
    row_id = multi["row_id"] if "row_id" in multi else pd.Series([None] * len(multi))
    whole = pd.api.types.is_integer_dtype(row_id.dtype) and not row_id.isna().any()
    src["row_id"] = (
        row_id.to_numpy(dtype=np.int64) if whole else row_id.to_numpy(dtype=object, na_value=None)
    )
    folded: dict[str, np.ndarray] = {}
    text_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    fold_codes: dict[str, tuple[np.ndarray, int]] = {}
    for f in COMPARED_FIELDS:
        src[f], folded[f], text_codes[f], fold_codes[f] = _coded_folded(multi, f)
    # the key texts as written (folded, list number and end punctuation kept): 完全相同 only
    # when they are equal too
    for f in _WRITTEN_KEY_FIELDS:
        folded[f] = _values_folded(multi, f)[1]
    for f in (*CONFLICT_FIELDS, "description"):
        src[f"{f}_cell"] = _values(multi, f"{f}_cell")

    merged: dict[str, np.ndarray] = {}
    named = src["name"] != ""
    distinct = named & _first_of_pair(group, src["name"])
    merged["names"] = _group_join(group[distinct], src["name"][distinct], NAME_JOIN, n_groups)
    merged["source_file"] = _group_join(group, src["file"], SOURCE_JOIN, n_groups)
    merged["source_row"] = _group_join(group, src["row_text"], SOURCE_JOIN, n_groups)
    bounds = [*first_of.tolist(), len(multi)]  # groups are contiguous runs of ``multi``
    pairs = list(zip(src["file"].tolist(), src["row"].tolist(), strict=True))
    merged["sources"] = _slices(pairs, bounds)
    if whole:
        row_ids = src["row_id"].tolist()
    else:
        row_ids = [None if r is None else int(r) for r in src["row_id"].tolist()]
    # one tuple per source, fields as SOURCE_LEVEL_FIELDS (a dict each would weigh 3 times more)
    levels = list(
        zip(
            src["file"].tolist(),
            src["sheet"].tolist(),
            src["self_level_cell"].tolist(),
            src["self_level"].tolist(),
            src["section"].tolist(),
            src["name"].tolist(),
            row_ids,
            src["likelihood"].tolist(),
            src["harm"].tolist(),
            strict=True,
        )
    )
    merged[SOURCE_LEVELS] = _slices(levels, bounds)
    # a real category wins over 未分类 (a source without a 风险类别 column); 未分类 only alone
    has_category = (src["category"] != "") & (src["category"] != vocab.UNCATEGORISED)
    merged["category"] = np.full(n_groups, "", dtype=object)
    merged["category"][group[src["category"] == vocab.UNCATEGORISED]] = vocab.UNCATEGORISED
    firsts = has_category & ~pd.Series(np.where(has_category, group, -1)).duplicated().to_numpy()
    merged["category"][group[firsts]] = src["category"][firsts]
    for f, ranks in SEVERITY.items():
        codes, values = text_codes[f]  # '' (no value) ranks after any unknown value
        known = [len(ranks) + 1 if v == "" else ranks.get(v, len(ranks)) for v in values.tolist()]
        rank = np.asarray(known, dtype=np.int64)[codes]
        order = np.lexsort((np.arange(len(rank)), rank, group))
        top = order[np.r_[True, group[order][1:] != group[order][:-1]]]
        merged[f] = np.where(rank[top] <= len(ranks), src[f][top], "").astype(object)
    for f in JOINED_FIELDS:
        present = np.flatnonzero(src[f] != "")
        merged[f] = _joined_lines(group[present], src[f][present], n_groups)

    # the merged columns go to the group's row of ``out`` (its first source), each column
    # written whole (a positional setitem per column costs several times more)
    for col in ("names", "source_file", "source_row"):
        _put(out, col, at, merged[col], "str")
    for col in ("sources", SOURCE_LEVELS):
        _put(out, col, at, merged[col], "object")
    for col in (*SEVERITY, "category", *JOINED_FIELDS):
        if col in out:  # '' (no source has a value): missing
            kind = "str" if out[col].dtype == "str" else "object"
            _put(out, col, at, np.where(merged[col] != "", merged[col], pd.NA), kind)
    return out, _notes(src, folded, text_codes, group, pos, first_of, merged)


def _put(frame: pd.DataFrame, col: str, rows: np.ndarray, values: np.ndarray, dtype: str) -> None:
    """``frame[col]`` with ``values`` at the positions ``rows``, as a new column of ``dtype``."""
    column = frame[col].to_numpy(dtype=object, copy=True)
    column[rows] = values
    frame[col] = pd.Series(column, index=frame.index, dtype=dtype)


def _notes(
    src: dict[str, np.ndarray],
    folded: dict[str, np.ndarray],
    text_codes: dict[str, tuple[np.ndarray, np.ndarray]],
    group: np.ndarray,
    pos: np.ndarray,
    first_of: np.ndarray,
    merged: dict[str, np.ndarray],
) -> pd.DataFrame:
    """merge_conflict for each source differing from another in a graded field; a later source
    with no conflict gets duplicate_point (every field equal to the first) or merged_point.
    Notes come per group, conflicts first (field by field, sources in order), then the others.
    Column-wise over all sources (``group`` is sorted: a group's sources are one run)."""
    n = len(group)
    n_groups = len(merged["names"])
    prefix, row_place = _places(src)
    parts: list[tuple[dict[str, Any], int]] = []
    order: list[np.ndarray] = []
    in_conflict = np.zeros(n, dtype=bool)
    for fi, f in enumerate(CONFLICT_FIELDS):
        value = src[f]
        present = value != ""
        if f == "category":  # 未分类 is no value to settle: the real category wins
            present &= value != vocab.UNCATEGORISED
        code, values = text_codes[f]
        width = len(values)
        # a group is in conflict when its sources hold two or more distinct values
        pairs = pd.unique(group[present].astype(np.int64) * width + code[present])
        conflicted = np.bincount(pairs // width, minlength=n_groups) >= 2
        rows = np.flatnonzero(present & conflicted[group])
        if not len(rows):
            continue
        in_conflict[rows] = True
        cell = src[f"{f}_cell"][rows]
        # each source names every other source holding another value: «where»为「value」
        entry = _formatted(
            vocab.MERGE_OTHER_VALUE,
            where=prefix[rows] + np.where(cell == "", row_place[rows], cell),
            value=value[rows],
        )
        # the (group, value) of each source: the sources holding one share one message
        which, wanted = pd.factorize(group[rows].astype(np.int64) * width + code[rows])
        wanted_group, wanted_value = wanted // width, wanted % width
        # every (group, value) against its group's sources (a run of ``rows``), in order
        start = np.searchsorted(group[rows], wanted_group, side="left")
        size = np.searchsorted(group[rows], wanted_group, side="right") - start
        w = np.repeat(np.arange(len(wanted)), size)
        at = np.repeat(start - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
        other = code[rows][at] != wanted_value[w]
        others = _group_join(w[other], entry[at[other]], vocab.MERGE_OTHERS_JOIN, len(wanted))
        kept = {
            "category": vocab.MERGE_KEPT_CATEGORY,
            "self_level": vocab.MERGE_KEPT_SELF_LEVEL,
        }.get(f, vocab.MERGE_KEPT_SEVERE)
        outcome = _formatted(kept, value=merged[f][wanted_group].astype(object))
        parts.append(
            _source_notes(
                "merge_conflict",
                src,
                rows,
                f,
                value[rows],
                message_of=which,
                others=others,
                outcome=outcome,
            )
        )
        order.append(
            np.column_stack(
                [group[rows], np.zeros(len(rows), int), np.full(len(rows), fi), pos[rows]]
            )
        )
    later = np.flatnonzero((pos > 0) & ~in_conflict)
    if len(later):
        head = first_of[group[later]]
        same = np.ones(len(later), dtype=bool)
        for f in (*COMPARED_FIELDS, *_WRITTEN_KEY_FIELDS):
            same &= folded[f][later] == folded[f][head]
        detail = prefix[head] + row_place[head]
        for code_, mask in (("duplicate_point", same), ("merged_point", ~same)):
            rows = later[mask]
            if not len(rows):
                continue
            parts.append(
                _source_notes(
                    code_, src, rows, "description", src["description"][rows], detail=detail[mask]
                )
            )
            order.append(
                np.column_stack(
                    [group[rows], np.ones(len(rows), int), np.zeros(len(rows), int), pos[rows]]
                )
            )
    if not parts:
        return frames.empty_issues()
    keys = np.concatenate(order)
    sequence = np.lexsort((keys[:, 3], keys[:, 2], keys[:, 1], keys[:, 0]))
    return frames.stacked_issues(parts, sequence)


def _source_notes(
    code: str,
    src: dict[str, np.ndarray],
    rows: np.ndarray,
    field: str,
    value: np.ndarray,
    message_of: np.ndarray | None = None,
    **placeholders: np.ndarray,
) -> tuple[dict[str, Any], int]:
    """The notes of ``code`` at the ``field`` cell of the sources ``rows`` (``message_of``:
    see ``frames.issues_table``), as ``frames.issue_columns``."""
    columns = frames.issue_columns(
        code,
        len(rows),
        file=src["file"][rows],
        sheet=src["sheet"][rows],
        cell=src[f"{field}_cell"][rows],
        field_key=field,
        value=value,
        section=src["section"][rows],
        name=src["name"][rows],
        row_id=src["row_id"][rows],
        message_of=message_of,
        **placeholders,
    )
    return columns, len(rows)


def _row_id(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]
