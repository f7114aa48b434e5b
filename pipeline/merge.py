"""Merge exact duplicate risk points of a section into one, keeping every source reference.

Two rows are the same risk point when their section, post, 职权事项 and 风险点描述 are equal
after ``vocab.fold`` (spacing, full-width forms and decoration ignored). For unit-form rows the
post is the 涉及岗位 text and there is no person. The merged point keeps the first source's
values (sources ordered by kind, post, name, file, row), the first non-empty text of each
measure line, every 姓名 and every (file, row) it came from, and a stable ``point_id`` derived
from its content only, so a point keeps its ID across runs, file orders and resubmissions.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline import frames, vocab

POINT_ID_PREFIX = "FX-"
POINT_ID_HEX = 10
NAME_JOIN = "、"
SOURCE_JOIN = "；"
KEY_FIELDS = ("section", "post", "step", "description")
# Kept from the first non-empty duplicate, line by line.
FIRST_NON_EMPTY = (*vocab.MEASURE_FIELDS, "remark")
KIND_ORDER = {vocab.INDIVIDUAL: 0, vocab.UNIT: 1}


def fold_series(values: pd.Series) -> pd.Series:
    """``vocab.fold`` over a column, computed once per distinct value."""
    text = text_series(values)
    table = {v: vocab.fold(v) for v in text.drop_duplicates().tolist()}
    return text.map(table).astype("str")


def text_series(values: pd.Series) -> pd.Series:
    """A column as ``str`` with '' for missing."""
    return values.astype("object").where(values.notna(), "").astype("str")


def point_id(key: str, digits: int = POINT_ID_HEX) -> str:
    return POINT_ID_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:digits]


def _point_ids(keys: pd.Series) -> pd.Series:
    ids = {k: point_id(k) for k in keys.drop_duplicates().tolist()}
    if len(set(ids.values())) < len(ids):
        # A 40-bit collision between two different points is very unlikely; lengthen those IDs.
        seen: dict[str, list[str]] = {}
        for k, pid in ids.items():
            seen.setdefault(pid, []).append(k)
        for colliding in seen.values():
            if len(colliding) > 1:
                for k in colliding:
                    ids[k] = point_id(k, 40)
    return keys.map(ids).astype("str")


def _empty_result(points: pd.DataFrame) -> pd.DataFrame:
    out = points.copy()
    for col in frames.MERGE_COLUMNS:
        out[col] = pd.Series([], dtype="object" if col == "sources" else "str")
    return out


def merge(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accepted rows -> one row per distinct risk point, plus 提示 duplicate_point issues."""
    if points.empty:
        return _empty_result(points), frames.empty_issues()
    df = points.copy()
    for col in ("section", "post", "name", "step", "description", "file"):
        if col not in df:
            df[col] = ""
        df[col] = text_series(df[col])
    unit = (df["kind"] == vocab.UNIT).fillna(False).to_numpy(bool)
    if unit.any():
        involved = df.loc[unit, "posts_involved"] if "posts_involved" in df else ""
        df.loc[unit, "post"] = text_series(pd.Series(involved, index=df.index[unit]))
        df.loc[unit, "name"] = ""

    key = fold_series(df["section"])
    for col in KEY_FIELDS[1:]:
        key = key + "|" + fold_series(df[col])
    df["_key"] = key
    df["_kind"] = df["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER)).astype(int)
    # Sources of a point in kind, file, row order; points ordered by section, kind, post, name
    # and first source. Both sorts are independent of the order files were read in.
    df = df.sort_values(["_kind", "file", "excel_row", "_key"], kind="stable")
    firsts = df.drop_duplicates("_key").sort_values(
        ["section", "_kind", "post", "name", "file", "excel_row", "_key"], kind="stable"
    )
    rank = pd.Series(range(len(firsts)), index=firsts["_key"].tolist())
    df["_rank"] = df["_key"].map(rank).to_numpy()
    df = df.sort_values("_rank", kind="stable").reset_index(drop=True)
    df["point_id"] = _point_ids(df["_key"])

    first = ~df.duplicated("_key", keep="first")
    out = df[first].copy()
    out["names"] = out["name"]
    out["source_file"] = out["file"]
    out["source_row"] = out["excel_row"].astype("int64").astype("str")
    out["sources"] = [
        [(f, int(r))] for f, r in zip(out["file"].tolist(), out["excel_row"].tolist(), strict=True)
    ]

    size = df.groupby("_key", sort=False)["_key"].transform("size")
    issues = frames.empty_issues()
    if (size > 1).any():
        multi = df[(size > 1).to_numpy()].copy()
        out = _merge_groups(out, multi)
        issues = _duplicate_issues(multi)

    out = out.drop(columns=["_key", "_kind", "_rank"]).reset_index(drop=True)
    for col in ("point_id", "names", "source_file", "source_row"):
        out[col] = out[col].astype("str")
    return out, issues


def _merge_groups(out: pd.DataFrame, multi: pd.DataFrame) -> pd.DataFrame:
    """Fill the merged columns of points that have more than one source (one pass over the
    sources in plain Python: groups are small and many, where pandas' per-group cost rules)."""
    names: dict[str, list[str]] = {}
    sources: dict[str, list[tuple[str, int]]] = {}
    for key, name, file, row in zip(
        multi["_key"].tolist(),
        multi["name"].tolist(),
        multi["file"].tolist(),
        multi["excel_row"].tolist(),
        strict=True,
    ):
        sources.setdefault(key, []).append((file, int(row)))
        group = names.setdefault(key, [])
        if name and name not in group:
            group.append(name)

    idx = out["_key"].isin(sources.keys()).to_numpy()
    keys = out.loc[idx, "_key"]
    key_list = keys.tolist()
    out.loc[idx, "names"] = [NAME_JOIN.join(names[k]) for k in key_list]
    out.loc[idx, "source_file"] = [SOURCE_JOIN.join(f for f, _ in sources[k]) for k in key_list]
    out.loc[idx, "source_row"] = [SOURCE_JOIN.join(str(r) for _, r in sources[k]) for k in key_list]
    merged = [
        sources.get(key, single)
        for key, single in zip(out["_key"].tolist(), out["sources"].tolist(), strict=True)
    ]
    out["sources"] = pd.Series(merged, index=out.index, dtype="object")

    for col in FIRST_NON_EMPTY:
        if col not in multi:
            continue
        values = multi[col].where(text_series(multi[col]).str.strip() != "")
        firsts = values.groupby(multi["_key"], sort=False).first()
        current = out.loc[idx, col]
        missing = (current.isna() | (text_series(current).str.strip() == "")).to_numpy()
        filled = keys.map(firsts)
        out.loc[out.index[idx][missing], col] = filled[missing].to_numpy()
    return out


def _duplicate_issues(multi: pd.DataFrame) -> pd.DataFrame:
    """One 提示 per source that was folded into an earlier one."""
    first = ~multi.duplicated("_key", keep="first")
    origin = multi[first]
    refs = [
        vocab.MERGE_ROW_REF.format(file=f, row=int(r))
        for f, r in zip(origin["file"].tolist(), origin["excel_row"].tolist(), strict=True)
    ]
    detail = multi.loc[~first, "_key"].map(dict(zip(origin["_key"].tolist(), refs, strict=True)))
    later = multi[~first]
    sheets = later["sheet"].tolist() if "sheet" in later else [""] * len(later)
    cells = later["description_cell"].tolist() if "description_cell" in later else [""] * len(later)
    row_ids = later["row_id"].tolist() if "row_id" in later else [None] * len(later)
    rows = [
        frames.issue(
            "duplicate_point",
            file=file,
            sheet=_text(sheet),
            cell=_text(cell),
            field_key="description",
            value=description,
            section=section,
            name=name,
            row_id=None if row_id is None or pd.isna(row_id) else int(row_id),
            detail=ref,
        )
        for file, sheet, cell, description, section, name, row_id, ref in zip(
            later["file"].tolist(),
            sheets,
            cells,
            later["description"].tolist(),
            later["section"].tolist(),
            later["name"].tolist(),
            row_ids,
            detail.tolist(),
            strict=True,
        )
    ]
    return frames.issues_frame(rows)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
