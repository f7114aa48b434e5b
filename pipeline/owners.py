"""Rows that name their own owner: section and whole-body tables, one sheet per person.

A table with ``科室`` / ``姓名`` / ``岗位`` columns (or a workbook of one form sheet per person)
says whose each risk point is; such a file needs no header block and is checked against the
roster row by row, not as a whole. The supervisors a form states itself (``直接责任人``,
``责任领导`` …) are kept and compared with the ones the roster gives.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from pipeline import frames, normalize, vocab
from pipeline.records import stripped_text as _text

_SEP = vocab.KEY_SEP
_NAMES_SPLIT = re.compile(vocab.ROW_NAMES_SPLIT)
_PERSON = "{name}（{section}）"


def files_with_row_owners(rows: pd.DataFrame) -> set[str]:
    """The files some of whose rows name their own section or person."""
    if rows.empty or "row_section" not in rows:
        return set()
    own = rows["row_section"].notna() | rows["row_name"].notna()
    return set(rows.loc[own, "file"].tolist())


def attribute(table: pd.DataFrame, index: Any) -> list[tuple[int, str, str, str, str]]:
    """Give each row of a file with row owners its own section, person, post, kind and sheet
    (in place, roster spelling); return the problems as (pos, code, field, value, detail).

    ``index`` is validate's roster index (find_person, find_section, sections_of_name)."""
    problems: list[tuple[int, str, str, str, str]] = []
    if table.empty or "row_section" not in table:
        return problems
    own = table["row_section"].notna() | table["row_name"].notna()
    own_files = set(table.loc[own, "file"].tolist())
    mine = table["file"].isin(own_files).to_numpy()
    if not mine.any():
        return problems
    cols = ("section", "name", "post", "kind", "sheet", "posts_involved")
    out = {c: table[c].astype("object").to_numpy(copy=True) for c in cols}
    row_section = table["row_section"].to_numpy(dtype=object, na_value=None)
    row_name = table["row_name"].to_numpy(dtype=object, na_value=None)
    row_post = table["row_post"].to_numpy(dtype=object, na_value=None)
    row_sheet = table["row_sheet"].to_numpy(dtype=object, na_value=None)
    file_kind = table["kind"].to_numpy(dtype=object, na_value=None)
    for pos in np.flatnonzero(mine):
        individual_file = file_kind[pos] != vocab.UNIT
        section = _text(row_section[pos]) or _text(out["section"][pos])
        name = _text(row_name[pos]) or (_text(out["name"][pos]) if individual_file else "")
        if row_sheet[pos]:
            out["sheet"][pos] = row_sheet[pos]
        if name and not section:
            found_in = index.sections_of_name.get(normalize.fold(name)) or []
            if len(found_in) == 1:
                section = found_in[0]
        if name:
            person = index.find_person(normalize.fold(section) + _SEP + normalize.fold(name))
            if person is None:
                field = "row_name" if row_name[pos] else "row_section"
                detail = _PERSON.format(name=name, section=section) if section else name
                code = "row_not_in_roster"
                if _many_people(name, section, index):
                    code, detail = "row_many_people", vocab.LIST_SEP.join(_NAMES_SPLIT.split(name))
                elif section and not index.sections_of_name.get(normalize.fold(name)):
                    # one character from a roster name of the row's section: ask, naming it
                    close = index.similar(normalize.fold(section), normalize.fold(name))
                    if close:
                        code = "row_not_in_roster_similar"
                        detail = vocab.LIST_SEP.join(f"「{nm}」" for _, nm in close)
                problems.append((int(pos), code, field, name, detail))
                out["section"][pos], out["name"][pos] = section or pd.NA, name
                continue
            out["section"][pos], out["name"][pos] = person
            out["kind"][pos] = vocab.INDIVIDUAL
            if row_post[pos]:
                out["post"][pos] = row_post[pos]
            continue
        if not section:
            problems.append((int(pos), "row_owner_missing", "row_section", "", ""))
            continue
        found = index.find_section(normalize.fold(section))
        if found is None:
            problems.append(
                (int(pos), "row_section_not_in_roster", "row_section", section, section)
            )
            out["section"][pos] = section
            continue
        # a row naming a section but no person is that section's (unit) point
        out["section"][pos], out["name"][pos] = found, pd.NA
        out["kind"][pos] = vocab.UNIT
        if row_post[pos] and not _text(out["posts_involved"][pos]):
            out["posts_involved"][pos] = row_post[pos]
    for c in cols:
        table[c] = pd.Series(out[c], index=table.index, dtype="str")
    return problems


def _many_people(name: str, section: str, index: Any) -> bool:
    """Whether a 姓名 cell names several roster people of the row's section (张三、李四)."""
    parts = [p.strip() for p in _NAMES_SPLIT.split(name) if p.strip()]
    if len(parts) < 2:
        return False
    prefix = normalize.fold(section) + _SEP
    return all(index.find_person(prefix + normalize.fold(p)) is not None for p in parts)


def stated_issues(points: pd.DataFrame, files: pd.DataFrame | None = None) -> pd.DataFrame:
    """A 提示 for every point whose stated supervisor differs from the computed one, at the
    stated cell (``files`` gives the column letters)."""
    records: list[dict[str, Any]] = []
    if points.empty or "stated_direct" not in points:
        return frames.issues_frame(records)
    colmaps: dict[str, dict[str, str]] = {}
    if files is not None and "colmap" in files:
        colmaps = {
            f: c for f, c in zip(files["file"], files["colmap"], strict=True) if isinstance(c, dict)
        }
    # each file's header of the column, as written (防控责任人), for the note to name it so
    labels: dict[str, dict[str, str]] = {}
    if files is not None and "labels" in files:
        labels = {f: c for f, c in zip(files["file"], files["labels"], strict=True) if c}
    for stated, computed in vocab.STATED_COMPARED.items():
        if computed not in points:
            continue
        said = points[stated].to_numpy(dtype=object, na_value=None)
        got = points[computed].to_numpy(dtype=object, na_value=None)
        role_col = f"{computed}_role"  # assign.ROLE_COLUMNS
        roles = (
            points[role_col].to_numpy(dtype=object, na_value=None) if role_col in points else None
        )
        for pos in np.flatnonzero([bool(s) for s in said]):
            s, g = _text(said[pos]), _text(got[pos])
            names = _stated_names(s)
            if normalize.fold(g) in names:
                continue
            if roles is not None and names & _ROLE_WORDS.get(_text(roles[pos]), frozenset()):
                continue  # 「分管领导」 for the vice-chair the roster gives
            rec = points.iloc[pos]
            sources = rec["sources"] if "sources" in points else None
            excel_row = int(sources[0][1]) if sources else int(rec["excel_row"])
            records.append(
                frames.issue(
                    "stated_supervisor_differs",
                    file=_text(rec["file"]),
                    sheet=_text(rec["sheet"]),
                    cell=_stated_cell(colmaps.get(_text(rec["file"]), {}), stated, excel_row),
                    field_key=stated,
                    value=s,
                    section=rec["section"],
                    name=rec["name"],
                    row_id=int(rec["row_id"]),
                    computed=g,
                    computed_label=vocab.SUPERVISOR_LABELS[computed],
                    field_label=labels.get(_text(rec["file"]), {}).get(stated),
                )
            )
    return frames.issues_frame(records)


# A stated supervisor cell naming several people (「王芳、李明」, 「王芳 李明」), or one with a
# note (「王芳（科长）」): each name, folded, without the note.
_STATED_SPLIT = re.compile(r"[、，,/／;；\s\u3000]+")
_STATED_NOTE = re.compile(r"[(（][^)）]*[)）]")


_ROLE_WORDS = {
    role: frozenset(normalize.fold(w) for w in words)
    for role, words in vocab.STATED_ROLE_WORDS.items()
}


def _stated_names(text: str) -> set[str]:
    """The folded names a stated supervisor cell holds: the whole text, and each person."""
    names = {normalize.fold(text)}
    for part in _STATED_SPLIT.split(_STATED_NOTE.sub(" ", text)):
        if part:
            names.add(normalize.fold(part))
    return names


def _stated_cell(colmap: dict[str, str], stated: str, excel_row: int) -> str:
    letter = colmap.get(stated, "")
    return f"{letter}{excel_row}" if letter else ""


def row_senders(read: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Extra submission records for completeness: every person (or section) whose accepted
    rows came in a file with row owners counts as having sent that file."""
    if points.empty or "row_name" not in points or read.empty:
        return read.iloc[0:0]
    own = points["row_section"].notna() | points["row_name"].notna()
    sent = points.loc[own, ["file", "kind", "section", "name"]].drop_duplicates()
    if sent.empty:
        return read.iloc[0:0]
    # a person (or section) who sent a form of their own is represented by that form, when
    # a row of their own in it counts (else by the table or sheet that holds their counted
    # rows: their own sheet of a workbook may have been replaced by a later form)
    plain = points.loc[~own & points["file"].isin(set(read["file"].tolist()))]
    own_keys = set(
        zip(
            plain["section"].fillna("").tolist(),
            plain["name"].fillna("").where(plain["kind"].eq(vocab.INDIVIDUAL), "").tolist(),
        )
    )
    named = sent["name"].fillna("").where(sent["kind"].eq(vocab.INDIVIDUAL), "")
    fresh = [k not in own_keys for k in zip(sent["section"].fillna("").tolist(), named.tolist())]
    sent = sent.loc[fresh]
    by_file = read.drop_duplicates("file").set_index("file")
    sent = sent[sent["file"].isin(by_file.index)]
    extra = by_file.loc[sent["file"]].reset_index()
    same = (
        (extra["section"].fillna("").to_numpy() == sent["section"].fillna("").to_numpy())
        & (extra["name"].fillna("").to_numpy() == sent["name"].fillna("").to_numpy())
        & (extra["kind"].fillna("").to_numpy() == sent["kind"].fillna("").to_numpy())
    )
    extra["kind"] = sent["kind"].to_numpy()
    extra["section"] = sent["section"].to_numpy()
    extra["name"] = sent["name"].where(sent["kind"].eq(vocab.INDIVIDUAL), "").to_numpy()
    # the file's pledge sheet is its own sender's, not every person its rows name; a workbook
    # of one sheet per person may hold each person's own (sheet_pledges, by folded name)
    own = [
        (sheets or {}).get(normalize.fold(person)) if isinstance(sheets, dict) else None
        for sheets, person in zip(
            extra["sheet_pledges"].tolist() if "sheet_pledges" in extra else [None] * len(extra),
            extra["name"].tolist(),
            strict=True,
        )
    ]
    extra["pledge_sheet"] = [p is not None for p in own]
    extra["pledge_items"] = [int(p[0]) if p is not None else 0 for p in own]
    pledger = [p[1] if p is not None else None for p in own]
    pledge_date = [p[2] if p is not None else None for p in own]
    extra["pledger"] = pd.Series(pledger, index=extra.index, dtype="str")
    extra["pledge_date"] = pd.Series(pledge_date, index=extra.index, dtype="str")
    own_sheet = [p[3] if p is not None and len(p) > 3 else None for p in own]
    extra["pledge_sheet_name"] = pd.Series(own_sheet, index=extra.index, dtype="str")
    own_cell = [p[4] if p is not None and len(p) > 4 and p[4] else None for p in own]
    extra["pledge_date_cell"] = pd.Series(own_cell, index=extra.index, dtype="str")
    _own_dates(extra)
    return extra.loc[~same]


def _own_dates(extra: pd.DataFrame) -> None:
    """A person of a workbook of one sheet per person is judged by their own sheet's 填表日期
    (``sheet_dates``, validated), at its own sheet and cell (in place)."""
    if "sheet_dates" not in extra or extra.empty:
        return
    own = [
        dates.get(normalize.fold(person)) if isinstance(dates, dict) else None
        for dates, person in zip(extra["sheet_dates"].tolist(), extra["name"].tolist(), strict=True)
    ]
    if not any(o is not None for o in own):
        return
    cols = {c: extra[c].to_numpy(dtype=object, copy=True) for c in ("date", "sheet")}
    written = (
        extra["date_written"].to_numpy(dtype=object, copy=True)
        if "date_written" in extra
        else np.full(len(extra), None, dtype=object)
    )
    cells = extra["header_cells"].to_numpy(dtype=object, copy=True)
    for i, entry in enumerate(own):
        if entry is None:
            continue
        day, cell, sheet = entry[0], entry[1], entry[2]
        cols["date"][i], cols["sheet"][i] = day, sheet
        written[i] = entry[4] if len(entry) > 4 else None
        cells[i] = {**(cells[i] if isinstance(cells[i], dict) else {}), "date": cell}
    for c, values in cols.items():
        extra[c] = pd.Series(values, index=extra.index, dtype="str")
    extra["date_written"] = pd.Series(written, index=extra.index, dtype="str")
    extra["header_cells"] = pd.Series(cells, index=extra.index, dtype=object)
