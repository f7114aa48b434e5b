"""This year against last: the archive's ``年度对比`` sheet when ``[history] last_archive`` names
last year's archive.

Points are matched by section, post, step and description after ``merge.key_fold`` (the same
key merge uses within a year): a point only this year is 新增, only last year 删除, in both with a
different 风险类别, 发生几率, 危害程度 or 评定等级 变化 (the change is spelled out). Posts compare by
their level (the most severe of their individual points); posts that had points last year, or
that the roster names, and have none this year are listed. Last year's catalogue is read by its
header labels (``archives.read_catalogue``), so archives of earlier versions of this tool and
hand-made catalogues serve where their columns allow.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import archives, sheetxml, vocab, xlsx
from pipeline.errors import PipelineError
from pipeline.merge import NAME_JOIN, key_fold

log = logging.getLogger("pipeline.history")

KEY_FIELDS = ("section", "post", "step", "description")
COMPARED = ("category", "likelihood", "harm", "level")
SHOWN = ("section", "post", "name", "step", "description")
LEVEL_RANK = {lv: i for i, lv in enumerate(vocab.LEVELS)}


@dataclass
class Comparison:
    """The result of comparing this year's points with last year's catalogue."""

    source: str  # last year's archive as named in settings
    year: int  # last year's (from its marker, else 0: not known)
    points: pd.DataFrame  # change, section, post, name, step, description, last_level, level, what
    posts: pd.DataFrame  # section, post, last_level, level
    empty_posts: pd.DataFrame  # section, post, last_points, note
    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""  # how points were matched, when not on every key field
    renamed: str = ""  # last year's sections compared under the roster's new names


# a point's people: our archive joins them with 、; a body's own catalogue may write ，/ too
# (not spaces: a name may hold one, 「Mary Smith」)
NAME_SEPARATORS = re.compile(f"[{re.escape(NAME_JOIN)}，,；;/／]")


def folded_people(names: str) -> list[str]:
    """The people a point's 姓名 cell names (split on NAME_SEPARATORS), each ``vocab.fold``ed."""
    return [vocab.fold(n) for n in NAME_SEPARATORS.split(names) if n.strip()]


def renamed_sections(last: pd.DataFrame | None, roster: Any) -> dict[str, str]:
    """Last year's sections the roster has renamed: folded old section -> this year's roster
    section. A section of last year's catalogue that the roster no longer has is renamed to a
    roster section that last year's catalogue has not, when at least half of the old
    section's people (its points' 姓名) are on the roster and every one of them is in that
    section (财务室 -> 财务科; a section's people spread over several sections, or gone, is no
    rename, nor is moving into a section that existed last year)."""
    if last is None or not len(last) or roster is None or "section" not in last.columns:
        return {}
    from pipeline import completeness

    sections = {vocab.fold(s): s for s in completeness.roster_sections(roster)}
    people = getattr(roster, "people", None)
    if people is None or not len(people):
        return {}
    now_in: dict[str, set[str]] = {}
    for sec, name in zip(_text(people, "section"), _text(people, "name"), strict=True):
        if name:
            now_in.setdefault(vocab.fold(name), set()).add(sec)
    last_sections = _text(last, "section").map(vocab.fold)
    names = _text(last, "name")
    listed: dict[str, set[str]] = {}
    for sec, who in zip(last_sections, names, strict=True):
        if sec and sec not in sections:
            found = listed.setdefault(sec, set())
            found.update(folded_people(who))
    taken = set(last_sections)
    out: dict[str, str] = {}
    for old, who in listed.items():
        on_roster = [n for n in who if n in now_in]
        if not on_roster or 2 * len(on_roster) < len(who):
            continue
        targets = set().union(*(now_in[n] for n in on_roster))
        if len(targets) == 1:
            (target,) = targets
            if vocab.fold(target) not in taken:
                out[old] = target
    return out


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[key].astype(object).where(frame[key].notna(), "").map(str).str.strip()


# Punctuation a yearly revision retouches (，→；, quotes, brackets) without changing the
# point: left out of a step's and a description's key (after ``key_fold``'s NFKC, so the
# full-width forms are ASCII here). Not % + digits or letters: those say something.
_RETOUCHED = re.compile("[!\"'(),.:;?\\[\\]{}<>~`“”‘’「」『』《》〈〉【】〔〕〖〗…‥、。]+")
_TEXT_FIELDS = ("step", "description")


def _part(values: pd.Series, key: str) -> pd.Series:
    folded = values.map(key_fold)
    if key in _TEXT_FIELDS:
        return folded.map(lambda v: _RETOUCHED.sub("", v) or v)
    return folded


def _folded_key(frame: pd.DataFrame, fields: tuple[str, ...] = KEY_FIELDS) -> pd.Series:
    parts = [_part(_text(frame, k), k) for k in fields]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def key_fields(this_points: pd.DataFrame, last: pd.DataFrame) -> tuple[str, ...]:
    """The fields points are matched on: section, post, step and description; without step
    when either year wrote none (a hand-made catalogue without 职权事项（工作环节）, forms
    without one), else every point of that year would be 新增 and 删除 at once."""
    if all(_text(frame, "step").ne("").any() for frame in (this_points, last)):
        return KEY_FIELDS
    return tuple(k for k in KEY_FIELDS if k != "step")


def _normal(frame: pd.DataFrame, fields: tuple[str, ...] = KEY_FIELDS) -> pd.DataFrame:
    """The compared columns as canonical values (a hand-made 高 is 一级), shown columns as text."""
    out = pd.DataFrame(index=frame.index)
    for key in SHOWN:
        out[key] = _text(frame, key)
    lookups = {
        "category": vocab.ENUM_LOOKUP["category"],
        "likelihood": vocab.ENUM_LOOKUP["likelihood"],
        "harm": vocab.ENUM_LOOKUP["harm"],
        "level": vocab.ENUM_LOOKUP["self_level"],
    }
    for key, lookup in lookups.items():
        raw = _text(frame, key)
        out[key] = raw.map(lambda v, lk=lookup: lk.get(vocab.fold(v), v))
    out["_key"] = _folded_key(frame, fields)
    return out


def _post_levels(points: pd.DataFrame) -> pd.DataFrame:
    """(section, post) -> most severe level among individual points (those with a 姓名)."""
    own = points[(points["name"] != "") & points["level"].isin(vocab.LEVELS)]
    if not len(own):
        return pd.DataFrame(columns=["_post", "section", "post", "level"])
    own = own.assign(
        _post=own["section"].map(vocab.fold) + "\x1f" + own["post"].map(vocab.fold),
        _rank=own["level"].map(LEVEL_RANK),
    )
    top = own.sort_values("_rank", kind="stable").drop_duplicates("_post")
    return top[["_post", "section", "post", "level"]].reset_index(drop=True)


def compare(this_points: pd.DataFrame, last: pd.DataFrame, roster: Any = None) -> dict:
    """The three tables and their counts (pure: frames in, frames out). A section the roster
    renamed (``renamed_sections``) is compared under its new name."""
    renamed = renamed_sections(last, roster)
    spelled = {old: _spelled(last, old) for old in renamed}  # as last year wrote them
    if renamed:
        folded = _text(last, "section").map(vocab.fold)
        last = last.assign(
            section=[renamed.get(f, s) for f, s in zip(folded, last["section"], strict=True)]
        )
    fields = key_fields(this_points, last)
    now = _normal(this_points, fields).drop_duplicates("_key")
    before = _normal(last, fields).drop_duplicates("_key")
    now_keys, before_keys = set(now["_key"]), set(before["_key"])

    # a person's point under another post this year (the post renamed, or the person moved
    # post with the points prefill carried): the same point, its post changed
    moved = _same_persons(
        now[~now["_key"].isin(before_keys)], before[~before["_key"].isin(now_keys)]
    )
    moved_before = set(moved["_key_last"])
    now_keys |= moved_before
    before_keys |= set(moved["_key"])
    added = now[~now["_key"].isin(before_keys)].assign(change=vocab.HISTORY_NEW)
    added["last_level"] = ""
    added["what"] = ""
    removed = before[~before["_key"].isin(now_keys)].assign(change=vocab.HISTORY_REMOVED)
    removed["last_level"] = removed["level"]
    removed["level"] = ""
    removed["what"] = ""
    both = pd.concat(
        [now.merge(before, on="_key", suffixes=("", "_last")), moved], ignore_index=True
    )
    differs = pd.Series(False, index=both.index)
    what = pd.Series("", index=both.index, dtype=object)
    for key in ("post", *COMPARED):
        if key not in last.columns:  # a hand-made catalogue without 发生几率/危害程度: unknown
            continue
        if key == "post":  # matched on it (folded), unless moved: spelling is no change
            changed = both[key].map(vocab.fold) != both[f"{key}_last"].map(vocab.fold)
        else:
            changed = both[key] != both[f"{key}_last"]
        differs |= changed
        note = vocab.HISTORY_CHANGE_PART.format(
            field=vocab.CATALOGUE_COLUMNS[key], before="{before}", after="{after}"
        )
        texts = [
            note.format(before=b or vocab.HISTORY_BLANK, after=a or vocab.HISTORY_BLANK)
            for a, b in zip(both.loc[changed, key], both.loc[changed, f"{key}_last"], strict=True)
        ]
        what.loc[changed] = [
            f"{w}{vocab.HISTORY_CHANGE_JOIN}{t}" if w else t
            for w, t in zip(what.loc[changed], texts, strict=True)
        ]
    changed = both[differs.to_numpy()].assign(change=vocab.HISTORY_CHANGED)
    changed["last_level"] = changed["level_last"]
    changed["what"] = what[differs.to_numpy()]
    columns = ["change", *SHOWN, "last_level", "level", "what"]
    table = pd.concat(
        [changed[columns], added[columns], removed[columns]], ignore_index=True
    ).sort_values(["section", "post", "change"], kind="stable", ignore_index=True)

    posts_now, posts_before = _post_levels(now), _post_levels(before)
    merged = posts_now.merge(posts_before, on="_post", suffixes=("", "_last"))
    level_changes = merged[merged["level"] != merged["level_last"]].rename(
        columns={"level_last": "last_level"}
    )[["section", "post", "last_level", "level"]]

    # posts with no point this year: last year's (any point naming the post) and the roster's
    post_of = now["section"].map(vocab.fold) + "\x1f" + now["post"].map(vocab.fold)
    present = set(post_of)
    last_posts = before.assign(
        _post=before["section"].map(vocab.fold) + "\x1f" + before["post"].map(vocab.fold)
    )
    counts = (
        last_posts.assign(_moved=last_posts["_key"].isin(moved_before))
        .groupby("_post", sort=False)
        .agg(
            section=("section", "first"),
            post=("post", "first"),
            last_points=("_key", "size"),
            moved=("_moved", "sum"),
        )
    )
    # a post whose every point went with its person to another post is gone (renamed), not
    # left without points; unless the roster still has it (then it is listed)
    roster_posts = _roster_posts(roster)
    gone = (counts["moved"] == counts["last_points"]) & ~counts.index.isin(roster_posts)
    empty = counts[~counts.index.isin(present) & ~gone].reset_index(drop=True)
    empty["note"] = vocab.HISTORY_EMPTY_HAD
    if roster is not None and len(getattr(roster, "people", [])):
        people = roster.people
        listed = pd.DataFrame(
            {"section": _text(people, "section"), "post": _text(people, "post")}
        ).drop_duplicates()
        listed = listed[listed["post"] != ""]
        keys = listed["section"].map(vocab.fold) + "\x1f" + listed["post"].map(vocab.fold)
        seen = present | set(counts.index)
        extra = listed[~keys.isin(seen).to_numpy()].assign(
            last_points=0, note=vocab.HISTORY_EMPTY_ROSTER
        )
        empty = pd.concat([empty, extra], ignore_index=True)
    empty = empty[["section", "post", "last_points", "note"]]
    summary = {
        "new": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "post_levels": len(level_changes),
        "empty_posts": len(empty),
    }
    return {
        "points": table,
        "posts": level_changes.reset_index(drop=True),
        "empty_posts": empty.reset_index(drop=True),
        "counts": summary,
        "note": "" if fields == KEY_FIELDS else vocab.HISTORY_NOTE_NO_STEP,
        "renamed": vocab.HISTORY_NOTE_RENAMED.format(
            renamed=vocab.LIST_SEP.join(
                vocab.HISTORY_RENAMED_PAIR.format(before=spelled[old], now=new)
                for old, new in renamed.items()
            )
        )
        if renamed
        else "",
    }


def _person_key(frame: pd.DataFrame) -> pd.Series:
    """A point's key without its post: section, its people (folded, in order), step and
    description as ``_key`` folds them ('' for a point without a 姓名)."""
    names = _text(frame, "name").map(lambda t: "\x1f".join(sorted(folded_people(t))))
    rest = frame["_key"].str.split("\x1f", n=2).str[2]  # after section and post
    key = frame["section"].map(key_fold) + "\x1e" + names + "\x1e" + rest
    return key.where(names != "", "")


def _same_persons(added: pd.DataFrame, removed: pd.DataFrame) -> pd.DataFrame:
    """Points of this year (``added``) and last (``removed``) that differ only in their post
    and name the same people: pairs (this year's columns, then last year's with ``_last``),
    each point in one pair at most (a key found twice on a side pairs none of its points)."""
    columns = [*added.columns, *(f"{c}_last" for c in removed.columns)]
    if not len(added) or not len(removed):
        return pd.DataFrame(columns=columns)
    a = added.assign(_person=_person_key(added))
    r = removed.assign(_person=_person_key(removed))
    a = a[(a["_person"] != "") & ~a["_person"].duplicated(keep=False)]
    r = r[(r["_person"] != "") & ~r["_person"].duplicated(keep=False)]
    r = r.rename(columns={c: f"{c}_last" for c in removed.columns})
    pairs = a.merge(r, left_on="_person", right_on="_person", how="inner")
    return pairs.drop(columns="_person")[columns]


def _roster_posts(roster: Any) -> set[str]:
    """The roster's (folded section, folded post) keys."""
    people = getattr(roster, "people", None)
    if people is None or not len(people):
        return set()
    return set(
        _text(people, "section").map(vocab.fold) + "\x1f" + _text(people, "post").map(vocab.fold)
    )


def _spelled(frame: pd.DataFrame, folded: str) -> str:
    """The section ``folded`` as ``frame`` first writes it."""
    sections = _text(frame, "section")
    return next((s for s in sections if vocab.fold(s) == folded), folded)


def resolve(settings: Any) -> Path | None:
    path = getattr(settings, "last_archive", None)
    return Path(path) if path else None


def check_target(result: Any, target: Path) -> None:
    """Refuse a run whose archive ``target`` is the very file ``[history] last_archive``
    names (``body.year`` not changed for the new year, or last_archive set to this run's own
    archive): the run would compare the file with itself and then overwrite it; and one whose
    last_archive is of this run's year or a later one (its marker's, else its file name's
    year: a copy of this year's archive of an earlier round), which is no 上年. Raises
    PipelineError (exit 2) before anything is written."""
    path = resolve(result.settings)
    if path is None or not path.exists():
        return
    try:
        same = target.exists() and os.path.samefile(path, target)
    except OSError:
        same = False
    if same:
        raise PipelineError(
            vocab.SETTINGS_LAST_ARCHIVE_IS_OUTPUT.format(path=path, year=result.year)
        )
    year = archives.archive_year(path)
    if year and result.year and year >= result.year:  # this year's archive (a copy), or later
        raise PipelineError(
            vocab.SETTINGS_LAST_ARCHIVE_NOT_EARLIER.format(
                path=path, last=year, year=result.year, previous=result.year - 1
            )
        )


def check_body(settings: Any, roster: Any) -> None:
    """Refuse (PipelineError, exit 2, before anything is read or written) a ``[history]
    last_archive`` that is surely another body's archive (its marker or file name names a
    body other than the one this run's archive is of)."""
    path = resolve(settings)
    if path is None or not path.is_file():
        return
    ours = body_name(settings, roster)
    theirs = archives.other_body(path, ours)
    if theirs:
        raise PipelineError(
            vocab.SETTINGS_LAST_ARCHIVE_OTHER_BODY.format(path=path, theirs=theirs, ours=ours)
        )


def body_name(settings: Any, roster: Any) -> str:
    """The body this year's archive is of (settings' body.name, else the roster's 单位名称)."""
    return (settings.body_name or getattr(roster, "body_name", "") or "").strip()


# a year in a file name (2025目录, 2025年度风险点目录, 2025_某单位_廉政风险信息档案)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def named_year(stem: str, this_year: int) -> int:
    """The year of last year's catalogue that its file name gives (「2025目录」 -> 2025): one
    year named, before this run's; 0 when the name gives none, several, or this year or a
    later one (then it is not surely the catalogue's year)."""
    years = {int(y) for y in _YEAR_IN_NAME.findall(stem)}
    if len(years) != 1:
        return 0
    (year,) = years
    return year if year < this_year else 0


def for_run(result: Any) -> Comparison | None:
    """The comparison of a run with the archive ``[history] last_archive`` names (checked when
    the settings were loaded), or None without one."""
    path = resolve(result.settings)
    if path is None:
        return None
    last = archives.read_catalogue(path)
    if last is None:  # checked at start; the file changed since
        return None
    identity = archives.read_identity(path)
    tables = compare(result.points, last, result.roster)
    return Comparison(
        source=path.name,
        year=identity.year if identity else named_year(path.stem, result.year),
        points=tables["points"],
        posts=tables["posts"],
        empty_posts=tables["empty_posts"],
        counts=tables["counts"],
        note=tables["note"],
        renamed=tables["renamed"],
    )


# --------------------------------------------------------------------------------------
# Writing (hooks called by write_archive)
# --------------------------------------------------------------------------------------
def cover_rows(ws: Any, fmt: Any, comparison: Comparison | None, row: int) -> int:
    """The comparison's counts as rows of the cover's counts table; returns the next row."""
    if comparison is None:
        return row
    for key, label in vocab.HISTORY_COUNT_LABELS.items():
        ws.write_string(row, 0, label, fmt.label)
        ws.write_number(row, 1, int(comparison.counts.get(key, 0)), fmt.number)
        row += 1
    return row


def _table(ws: Any, fmt: Any, row: int, frame: pd.DataFrame, headers: dict[str, str]) -> int:
    for c, label in enumerate(headers.values()):
        ws.write_string(row, c, label, fmt.header)
    for rec in frame.to_dict("records"):
        row += 1
        for c, key in enumerate(headers):
            value = rec.get(key)
            if isinstance(value, int):
                ws.write_number(row, c, value, fmt.number)
            elif key in ("level", "last_level") and value in fmt.level:
                ws.write_string(row, c, value, fmt.level[value])
            else:
                ws.write_string(row, c, xlsx.cell_text(value) or "", fmt.text)
    return row + 2


def write_sheet(wb: Any, fmt: Any, comparison: Comparison | None) -> None:
    """The 年度对比 sheet: counts, post levels, posts without points, then every new, removed
    and changed point (that table last: it can be long, so its rows go in as sheet XML)."""
    if comparison is None:
        return
    ws = wb.add_worksheet(vocab.HISTORY_SHEET)
    ws.set_default_row(sheetxml.DEFAULT_ROW_HEIGHT)
    headers = vocab.HISTORY_POINT_HEADERS
    widths = [vocab_width(k) for k in headers]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_row(0, 28)
    ws.write_string(
        0,
        0,
        (
            vocab.HISTORY_TITLE.format(source=comparison.source, year=comparison.year)
            if comparison.year
            else vocab.HISTORY_TITLE_NO_YEAR.format(source=comparison.source)
        ),
        fmt.title,
    )
    notes = " ".join(n for n in (comparison.note, comparison.renamed) if n)
    if notes:
        ws.write_string(1, 0, notes, fmt.plain)
    row = 2
    for key, label in vocab.HISTORY_COUNT_LABELS.items():
        ws.write_string(row, 0, label, fmt.label)
        ws.write_number(row, 1, int(comparison.counts.get(key, 0)), fmt.number)
        row += 1
    row += 1
    ws.write_string(row, 0, vocab.HISTORY_POSTS_TITLE, fmt.subtitle)
    row = _table(ws, fmt, row + 1, comparison.posts, vocab.HISTORY_POST_HEADERS)
    ws.write_string(row, 0, vocab.HISTORY_EMPTY_TITLE, fmt.subtitle)
    row = _table(ws, fmt, row + 1, comparison.empty_posts, vocab.HISTORY_EMPTY_HEADERS)
    heading = vocab.HISTORY_POINTS_TITLE_NO_STEP if comparison.note else vocab.HISTORY_POINTS_TITLE
    ws.write_string(row, 0, heading, fmt.subtitle)
    row += 1
    header_row = row
    for c, label in enumerate(headers.values()):
        ws.write_string(header_row, c, label, fmt.header)
    frame = comparison.points
    if len(frame):
        values = [sheetxml.texts(frame[k]) for k in headers]
        levels = {lv: sheetxml.xf(f) for lv, f in fmt.level.items()}
        text = sheetxml.xf(fmt.text)
        styles: list[int | list[int]] = [
            [levels.get(v, text) for v in values[c]] if key in ("level", "last_level") else text
            for c, key in enumerate(headers)
        ]
        fmt.pending.append(
            sheetxml.Rows(
                sheet_number=ws.index + 1,
                header_row=header_row,
                values=[list(v) for v in values],
                styles=styles,
                heights=sheetxml.row_heights(values, widths, [True] * len(headers)).tolist(),
            )
        )
    ws.freeze_panes(header_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer(vocab.PAGE_FOOTER)


HISTORY_WIDTHS = {
    "change": 14,
    "section": 12,
    "post": 12,
    "name": 10,
    "step": 16,
    "description": 34,
    "last_level": 9,
    "level": 9,
    "what": 30,
}


def vocab_width(key: str) -> float:
    return float(HISTORY_WIDTHS.get(key, 12))
