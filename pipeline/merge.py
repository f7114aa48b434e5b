"""Merge risk points of a section that are the same point into one, keeping every source.

Two rows are the same risk point when their section, post, 职权事项 and 风险点描述 are equal
after ``vocab.fold`` (spacing, full-width forms and decoration ignored). For unit-form rows the
post is the 涉及岗位 text and there is no person. Merging never hides or changes what a
submitter wrote (SPEC Merging):

- the point's 发生几率, 危害程度 and 自评等级 are the most severe among its sources, so its
  评定等级 is never below any source's; its 风险类别 is the first source's;
- every distinct measure text (前期/中期/后期) and 备注 of every source is kept, in source order,
  each once (compared after ``vocab.fold``), one per line;
- where sources differ in 风险类别, 发生几率, 危害程度 or 自评等级, each of them gets a 提示
  ``merge_conflict`` naming the other sources' file, cell and value; a source that agrees with
  the first is told ``duplicate_point`` (完全相同) only when every field is equal, else
  ``merged_point``.

Sources are ordered individual before unit, then file, then row; ``sources`` lists them all.
Points are numbered per person (or section, for unit-form points) in catalogue order:
``point_id`` is ``科室-姓名-序号`` (``办公室-何佳-03``, ``办公室-单位-02``), never a hash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import frames, vocab

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
# A source is 完全相同 to the first only when all of these are equal.
COMPARED_FIELDS = (*CONFLICT_FIELDS, *JOINED_FIELDS)
# Column holding, for points with several sources, each source's 自评等级 and where it is
# (grade checks every source's 自评等级 against the point's level); None for single sources.
SOURCE_LEVELS = "source_levels"
KIND_ORDER = {vocab.INDIVIDUAL: 0, vocab.UNIT: 1}
_SEP = "|"


def fold_series(values: pd.Series) -> pd.Series:
    """``vocab.fold`` over a column, computed once per distinct value."""
    text = text_series(values)
    table = {v: vocab.fold(v) for v in text.drop_duplicates().tolist()}
    return text.map(table).astype("str")


def text_series(values: pd.Series) -> pd.Series:
    """A column as ``str`` with '' for missing."""
    return values.astype("object").where(values.notna(), "").astype("str")


def point_ids(section: pd.Series, owner: pd.Series) -> pd.Series:
    """Readable IDs ``办公室-何佳-03`` for points in catalogue order: the section, the person
    (``vocab.POINT_ID_UNIT`` for a unit form's points) and the point's number among that
    person's points, at least two digits (more when someone has 100 or more)."""
    prefix = section.astype("str") + vocab.POINT_ID_SEP + owner.astype("str")
    seq = prefix.groupby(prefix, sort=False).cumcount() + 1
    width = seq.groupby(prefix, sort=False).transform("max").astype("str").str.len().clip(lower=2)
    numbers = [str(n).zfill(w) for n, w in zip(seq.tolist(), width.tolist(), strict=True)]
    return (prefix + vocab.POINT_ID_SEP + pd.Series(numbers, index=prefix.index)).astype("str")


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
        key = key + _SEP + fold_series(df[col])
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

    first = ~df.duplicated("_key", keep="first")
    out = df[first].copy()
    is_unit = (out["kind"] == vocab.UNIT).fillna(False).to_numpy(bool)
    owner = out["name"].where(~is_unit & (out["name"] != ""), vocab.POINT_ID_UNIT)
    out["point_id"] = point_ids(out["section"], owner)
    out["names"] = out["name"]
    out["source_file"] = out["file"]
    out["source_row"] = out["excel_row"].astype("int64").astype("str")
    out["sources"] = [
        [(f, int(r))] for f, r in zip(out["file"].tolist(), out["excel_row"].tolist(), strict=True)
    ]
    out[SOURCE_LEVELS] = pd.Series(None, index=out.index, dtype="object")

    size = df.groupby("_key", sort=False)["_key"].transform("size")
    issues = frames.empty_issues()
    if (size > 1).any():
        multi = df[(size > 1).to_numpy()].copy()
        out, records = _merge_groups(out, multi)
        issues = frames.issues_frame(records)

    out = out.drop(columns=["_key", "_kind", "_rank"]).reset_index(drop=True)
    for col in ("point_id", "names", "source_file", "source_row"):
        out[col] = out[col].astype("str")
    return out, issues


def _value(value: object) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _most_severe(values: list[str], field: str) -> str:
    ranks = SEVERITY[field]
    present = [v for v in values if v]
    return min(present, key=lambda v: ranks.get(v, len(ranks))) if present else ""


def _joined(values: list[str]) -> str:
    """Every distinct text (compared after folding) in source order, one per line."""
    kept: dict[str, str] = {}
    for text in values:
        if text and vocab.fold(text) not in kept:
            kept[vocab.fold(text)] = text
    return TEXT_JOIN.join(kept.values())


def _where(src: dict[str, Any], field: str) -> str:
    """「file」C6 — a source's cell of ``field`` (its row when the form has no such column)."""
    cell = _value(src.get(f"{field}_cell"))
    sheet = _value(src.get("sheet"))
    place = cell or vocab.MERGE_ROW.format(row=int(src["excel_row"]))
    if sheet and sheet not in vocab.MAIN_SHEET.values():
        place = vocab.MERGE_SHEET.format(sheet=sheet) + place
    return vocab.MERGE_FILE.format(file=src["file"]) + place


def _merge_groups(out: pd.DataFrame, multi: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Fill the merged columns of points that have more than one source and build their notes
    (one pass over the sources in plain Python: groups are small and many, where pandas'
    per-group cost rules)."""
    fields = ["_key", "file", "sheet", "excel_row", "row_id", "section", "name", "description"]
    fields += [*COMPARED_FIELDS, *(f"{f}_cell" for f in (*CONFLICT_FIELDS, "description"))]
    cols = [c for c in fields if c in multi]
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in multi[cols].to_dict("records"):
        for f in COMPARED_FIELDS:
            rec[f] = _value(rec.get(f))
        groups.setdefault(rec["_key"], []).append(rec)

    merged: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    for key, group in groups.items():
        names: list[str] = []
        for src in group:
            if src["name"] and src["name"] not in names:
                names.append(src["name"])
        values: dict[str, Any] = {
            "names": NAME_JOIN.join(names),
            "source_file": SOURCE_JOIN.join(s["file"] for s in group),
            "source_row": SOURCE_JOIN.join(str(int(s["excel_row"])) for s in group),
            "sources": [(s["file"], int(s["excel_row"])) for s in group],
            SOURCE_LEVELS: [_source_level(s) for s in group],
            "category": next((s["category"] for s in group if s["category"]), ""),
        }
        for f in SEVERITY:
            values[f] = _most_severe([s[f] for s in group], f)
        for f in JOINED_FIELDS:
            values[f] = _joined([s[f] for s in group])
        merged[key] = values
        records.extend(_group_notes(group, values))

    idx = out["_key"].isin(merged.keys()).to_numpy()
    key_list = out.loc[idx, "_key"].tolist()
    for col in ("names", "source_file", "source_row"):
        out.loc[idx, col] = [merged[k][col] for k in key_list]
    for col in ("sources", SOURCE_LEVELS):
        column = out[col].astype("object").tolist()
        for pos in [i for i, flag in enumerate(idx) if flag]:
            column[pos] = merged[out["_key"].iat[pos]][col]
        out[col] = pd.Series(column, index=out.index, dtype="object")
    for col in (*SEVERITY, "category", *JOINED_FIELDS):
        if col in out:
            out.loc[idx, col] = [merged[k][col] or pd.NA for k in key_list]
    return out, records


def _source_level(src: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": src["file"],
        "sheet": _value(src.get("sheet")),
        "cell": _value(src.get("self_level_cell")),
        "self_level": src["self_level"],
        "section": src["section"],
        "name": src["name"],
        "row_id": _row_id(src.get("row_id")),
    }


def _group_notes(group: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """merge_conflict for each source differing from another in a graded field; a later source
    with no conflict gets duplicate_point (every field equal to the first) or merged_point."""
    notes: list[dict[str, Any]] = []
    in_conflict: set[int] = set()
    for field in CONFLICT_FIELDS:
        if len({s[field] for s in group if s[field]}) < 2:
            continue
        for i, src in enumerate(group):
            if not src[field]:
                continue
            others = [
                vocab.MERGE_OTHER_VALUE.format(where=_where(o, field), value=o[field])
                for o in group
                if o[field] and o[field] != src[field]
            ]
            outcome = (
                vocab.MERGE_KEPT_CATEGORY if field == "category" else vocab.MERGE_KEPT_SEVERE
            ).format(value=values[field])
            notes.append(
                _note(
                    "merge_conflict",
                    src,
                    field,
                    src[field],
                    others=vocab.MERGE_OTHERS_JOIN.join(others),
                    outcome=outcome,
                )
            )
            in_conflict.add(i)
    head = group[0]
    for i, src in enumerate(group[1:], start=1):
        if i in in_conflict:
            continue
        same = all(vocab.fold(src[f]) == vocab.fold(head[f]) for f in COMPARED_FIELDS)
        where = _where({**head, "description_cell": ""}, "description")  # the whole row
        notes.append(
            _note(
                "duplicate_point" if same else "merged_point",
                src,
                "description",
                src["description"],
                detail=where,
            )
        )
    return notes


def _note(code: str, src: dict[str, Any], field: str, value: str, **placeholders: Any) -> dict:
    return frames.issue(
        code,
        file=src["file"],
        sheet=_value(src.get("sheet")),
        cell=_value(src.get(f"{field}_cell")),
        field_key=field,
        value=value,
        section=src["section"],
        name=src["name"],
        row_id=_row_id(src.get("row_id")),
        **placeholders,
    )


def _row_id(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]
