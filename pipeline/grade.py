"""Grade risk points: the likelihood × harm matrix, raised to the floor of the post's 岗位类别.

Every level carries its reason in Chinese built from ``vocab.REASON_*``. The work is done per
distinct combination (of harm and likelihood, of person, of 涉及岗位 text), never per row.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd

from pipeline import frames, normalize, vocab
from pipeline.config import Roster, Settings
from pipeline.frames import text_series
from pipeline.merge import NAME_JOIN, SOURCE_LEVEL_FIELDS, SOURCE_LEVELS

# 涉及岗位 written as the whole section (全体人员): every roster post of the section
_ALL_POSTS = frozenset(normalize.fold(w) for w in vocab.ALL_POSTS_WORDS)
# 涉及岗位 lists several posts: 会计、出纳 / 会计,出纳 / 会计/出纳 / 会计 出纳
POST_SPLIT = re.compile(r"[、，,/／;；\s\u3000]+")
# A word naming a roster post as offices write it, after vocab.fold: 会计岗, 会计岗位, 会计等,
# 会计(主管) name 会计; 科员和会计 / 科员及会计 / 科员与会计 name both (only when each is one)
_POST_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_POST_SUFFIX = re.compile(r"(?:岗位|岗|等)+$")
_POST_AND = re.compile(r"[和及与]")
_POST_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_POST_NUMBER = re.compile(r"^(?:\(\d+\)|\d+\)?|[一二三四五六七八九十]+|[A-Z]\))")
# Count columns of the posts frame are named by the level itself (the writers' headers).
LEVEL_COUNT_COLUMNS = {lv: lv for lv in vocab.LEVELS}
POST_COLUMNS = (
    "section",
    "post",
    "names",
    "post_type",
    "level",
    "level_reason",
    "n_points",
    *LEVEL_COUNT_COLUMNS.values(),
)
# Extra points column (not in frames.GRADE_COLUMNS): the 涉及岗位 that match no roster post.
UNMATCHED_COLUMN = "posts_unmatched"
_SEP = "\x1f"
_NO_RANK = 99
_LEVEL_AT = {key: i for i, key in enumerate(SOURCE_LEVEL_FIELDS)}  # a source's entry, by field


def _rank(level: object) -> int:
    return vocab.LEVEL_RANK.get(level, _NO_RANK) if isinstance(level, str) else _NO_RANK


def split_posts(text: object) -> list[str]:
    """The posts named in a 涉及岗位 cell, in order, without repeats."""
    if not isinstance(text, str):
        return []
    out: list[str] = []
    for part in POST_SPLIT.split(text):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


class _RosterPosts:
    """Roster lookups by folded section, name and post."""

    def __init__(self, roster: Roster, settings: Settings) -> None:
        people = roster.people
        self.floors = settings.floors
        self.by_person: dict[tuple[str, str], str] = {}
        self.post_of_person: dict[tuple[str, str], str] = {}
        # (section, folded post) -> [(roster post, post_type, name)] in roster order
        self.by_post: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        # the same by the post's core (_post_core: 会计岗, 会计(主管) -> 会计)
        self.by_core: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        # (section, folded name) -> [that person's post]: 涉及岗位 naming the people
        self.by_name: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        # folded section -> every roster post of it (涉及岗位 written as 全体人员)
        self.by_section: dict[str, list[tuple[str, str, str]]] = {}
        names = people["name"].tolist()
        posts = people["post"].tolist()
        # each distinct section, name and post folded once (10,000 people repeat them)
        for sec, name_key, name, post_key, clean_post, post_type in zip(
            normalize.fold_all(people["section"].tolist()),
            normalize.fold_all(names),
            normalize.stripped_all(names),
            normalize.fold_all(posts),
            normalize.stripped_all(posts),
            normalize.stripped_all(people["post_type"].tolist()),
            strict=True,
        ):
            person = (sec, name_key)
            self.by_person.setdefault(person, post_type)
            self.post_of_person.setdefault(person, clean_post)
            if clean_post:
                holder = (clean_post, post_type, name)
                self.by_post.setdefault((sec, post_key), []).append(holder)
                self.by_core.setdefault((sec, _post_core(post_key)), []).append(holder)
                self.by_name.setdefault((sec, name_key), [holder])
                self.by_section.setdefault(sec, []).append((clean_post, post_type, name))

    def floor(self, post_type: str) -> str | None:
        return self.floors.get(post_type) if post_type else None

    def post_type_of_post(self, section: str, post: str) -> str | None:
        """The post type of a roster post (the most severe floor among its holders)."""
        holders = self.by_post.get((normalize.fold(section), normalize.fold(post)))
        if not holders:
            return None
        return min((h[1] for h in holders), key=lambda t: _rank(self.floor(t)))

    def unit_floor(self, section: str, involved: str) -> tuple[str, list[str], list[str]]:
        """(deciding post type, roster posts named, tokens matching no roster post)."""
        matched: list[str] = []
        unmatched: list[str] = []
        best_type, best_rank = "", _NO_RANK + 1
        section_key = normalize.fold(section)
        for token in split_posts(involved):
            key = normalize.fold(token)
            if not _POST_SUFFIX.sub("", _POST_NUMBER.sub("", key)):
                continue  # 「会计 等」's 等, a lone 岗位, 「1、会计」's 1: no post, nothing to tell
            holders, posts = [], []
            for word in _post_words(key, section_key):
                holders, posts = self._holders(section_key, word)
                if holders:
                    break
            if not holders:
                unmatched.append(token)
                continue
            for post in posts:
                if post not in matched:
                    matched.append(post)
            for _, post_type, _ in holders:
                rank = _rank(self.floor(post_type))
                if rank < best_rank:
                    best_type, best_rank = post_type, rank
        return best_type, matched, unmatched

    def _holders(self, section: str, key: str) -> tuple[list[tuple[str, str, str]], list[str]]:
        """(holders, roster posts) that the folded word ``key`` names in folded ``section``."""
        if key in _ALL_POSTS:
            holders = self.by_section.get(section, [])
            return holders, list(dict.fromkeys(h[0] for h in holders))  # each of the section's
        named = self._named_posts(section, key)
        # each post once, in its roster spelling
        return [h for found in named for h in found], [found[0][0] for found in named]

    def _named_posts(self, section: str, key: str) -> list[list[tuple[str, str, str]]]:
        """The holders of each roster post of folded ``section`` that the folded word ``key``
        names: the post itself, else the post it names with a 岗/岗位/等 or a note in
        brackets around it, else the post of the section's person of that name, else the
        posts it joins with 和/及/与 when each part is one."""
        found = self._named_post(section, key)
        if found:
            return [found]
        parts = [part for part in _POST_AND.split(key) if part]
        if len(parts) < 2:
            return []
        each = [self._named_post(section, part) for part in parts]
        return [found for found in each if found] if all(each) else []

    def _named_post(self, section: str, key: str) -> list[tuple[str, str, str]]:
        return (
            self.by_post.get((section, key))
            or self.by_core.get((section, _post_core(key)))
            or self.by_name.get((section, key))
            or []
        )


def _post_words(key: str, section: str) -> list[str]:
    """A folded 涉及岗位 word, then (tried only when it names nothing) the same without what
    offices put around a post: quotes (「会计」), a list number (1.会计, ①会计, (1)会计: the
    dot is folded away), the section's own name (财务科会计, 财务科全体人员)."""
    words = [key]
    bare = _POST_QUOTES.sub("", key)
    bare = _POST_NUMBER.sub("", bare) or bare
    if bare != key:
        words.append(bare)
    if section and bare.startswith(section) and len(bare) > len(section):
        words.append(bare[len(section) :])
    return words


def _post_core(folded: str) -> str:
    """A folded post word without a note in brackets and a trailing 岗/岗位/等 (itself when
    nothing else is left)."""
    return _POST_SUFFIX.sub("", _POST_NOTE.sub("", folded)) or folded


def _distinct(*columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row's combination of values, first row of each code), codes in order
    of first appearance."""
    combo = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        code = pd.factorize(np.asarray(values, dtype=object))[0]
        combo = pd.factorize(combo * (int(code.max(initial=0)) + 1) + code)[0].astype(np.int64)
    first_row = np.empty(int(combo.max(initial=-1)) + 1, dtype=np.int64)
    first_row[combo[::-1]] = np.arange(len(combo))[::-1]  # the last write (first row) wins
    return combo, first_row


def _take(values: list[Any], codes: np.ndarray) -> np.ndarray:
    """``values[code]`` for every code, as an object array."""
    table = np.fromiter(values, dtype=object, count=len(values))  # tuples stay whole
    return table[codes]


def reason_text(
    likelihood: str, harm: str, matrix_level: str, post_type: str, floor_level: str, self_level: str
) -> tuple[str, str]:
    """(level, reason) for one combination; '' stands for missing."""
    level = min((lv for lv in (matrix_level, floor_level) if lv), key=_rank, default="")
    parts = []
    if matrix_level:
        parts.append(
            vocab.REASON_MATRIX.format(likelihood=likelihood, harm=harm, level=matrix_level)
        )
    # The floor is shown whenever it is at least as severe as the matrix: it then decides too.
    if floor_level and _rank(floor_level) <= _rank(matrix_level):
        parts.append(vocab.REASON_FLOOR.format(post_type=post_type, level=floor_level))
    reason = vocab.REASON_JOIN.join(parts)
    if self_level and level and self_level != level:
        reason += vocab.REASON_DIFFERS.format(self_level=self_level)
    return level, reason


def written_reason(
    self_level: str, post_type: str, floor_level: str, likelihood: str = "", harm: str = ""
) -> tuple[str, str]:
    """(level, reason) of a point graded by its written level and the post-type floor (its
    发生几率 or 危害程度, or both, not written)."""
    level = min((lv for lv in (self_level, floor_level) if lv), key=_rank)
    missing = [
        vocab.COLUMN_LABELS[k] for k, v in (("likelihood", likelihood), ("harm", harm)) if not v
    ]
    reason = vocab.REASON_WRITTEN.format(level=self_level, missing=vocab.LIST_SEP.join(missing))
    if floor_level and _rank(floor_level) <= _rank(self_level):
        reason += vocab.REASON_JOIN + vocab.REASON_FLOOR.format(
            post_type=post_type, level=floor_level
        )
    if level != self_level:
        reason += vocab.REASON_DIFFERS.format(self_level=self_level)
    return level, reason


def _graded(
    likelihood: str,
    harm: str,
    post_type: str,
    self_level: str,
    lookup: _RosterPosts,
    settings: Settings,
) -> tuple[str | None, str | None, str | None, str, bool]:
    """(matrix level, floor level, level, reason, level differs) of one combination."""
    matrix_level = settings.matrix.get(harm, {}).get(likelihood) or ""
    floor_level = lookup.floor(post_type) or ""
    if self_level and not (likelihood and harm):
        # a single-level form (or one without a 发生几率 or 危害程度 column: validate accepts
        # no other row without both): its written level stands where the matrix would
        level, reason = written_reason(self_level, post_type, floor_level, likelihood, harm)
        return None, floor_level or None, level, reason, self_level != level
    level, reason = reason_text(likelihood, harm, matrix_level, post_type, floor_level, self_level)
    return (
        matrix_level or None,
        floor_level or None,
        level or None,
        reason,
        bool(self_level and level and self_level != level),
    )


def _by_sources(
    df: pd.DataFrame,
    columns: list[list[Any]],
    combo: np.ndarray,
    involved: list[str],
    lookup: _RosterPosts,
    settings: Settings,
) -> None:
    """A merged point is never below any of its sources graded alone (SPEC Merging): the
    point's own grading takes the sources' most severe 发生几率 and 危害程度 and its first
    source's post, so a source graded by its written level alone (no 发生几率, 危害程度), or
    one whose person's 岗位类别 (or, for a unit source, its 涉及岗位) has a more severe floor,
    could be more severe than the point. Such a point takes that source's level, and its
    reason says which source and why. ``columns`` (matrix, floor, level, reason, differs, one
    entry per combination ``combo`` of each point) gets one combination more per raised
    point, and ``combo`` is pointed at it."""
    if SOURCE_LEVELS not in df:
        return
    several = np.flatnonzero(df[SOURCE_LEVELS].notna().to_numpy(bool))
    if not len(several):
        return
    lists = df[SOURCE_LEVELS].to_numpy(dtype=object)[several].tolist()
    owner = np.repeat(several, [len(sources) for sources in lists])
    # the sources' entries transposed, one tuple per field (merge writes these fields as text)
    fields = list(zip(*itertools.chain.from_iterable(lists), strict=True))

    def field(key: str) -> list[str]:
        return list(fields[_LEVEL_AT[key]])

    sections, names = field("section"), field("name")
    likelihoods, harms, self_levels = field("likelihood"), field("harm"), field("self_level")
    involved_of = [involved[p] for p in owner.tolist()]  # the point's post or 涉及岗位
    # each source's post type: its person's, or for a unit source its 涉及岗位's floor
    person, person_rows = _distinct(sections, names, involved_of)
    person_types = [
        lookup.by_person.get((normalize.fold(sections[r]), normalize.fold(names[r])))
        or lookup.post_type_of_post(sections[r], involved_of[r])
        or ""
        if names[r]
        else lookup.unit_floor(sections[r], involved_of[r])[0]
        for r in person_rows.tolist()
    ]
    types = _take(person_types, person).tolist()
    code, code_rows = _distinct(likelihoods, harms, types, self_levels)
    alone = [
        _graded(likelihoods[r], harms[r], types[r], self_levels[r], lookup, settings)
        for r in code_rows.tolist()
    ]
    source_rank = np.array([_rank(a[2]) for a in alone], dtype=np.int64)[code]
    point_rank = np.array([_rank(lv) for lv in columns[2]], dtype=np.int64)[combo[owner]]
    higher = np.flatnonzero(source_rank < point_rank)
    if not len(higher):
        return
    # per raised point, its first most severe source (sources are in order within a point)
    order = np.lexsort((higher, source_rank[higher], owner[higher]))
    firsts = higher[order[_run_starts(owner[higher][order])]]
    files = field("file")
    point_self = text_series(df["self_level"]).tolist() if "self_level" in df else None
    for i in firsts.tolist():
        row = int(owner[i])
        matrix, floor, _, reason, _ = (columns[k][combo[row]] for k in range(5))
        source = alone[code[i]]
        self_level = point_self[row] if point_self else ""
        level = source[2]
        base = _strip_differs(reason, self_level)
        why = vocab.REASON_SOURCE.format(
            file=files[i], reason=_strip_differs(source[3], self_levels[i])
        )
        reason = (base + vocab.REASON_JOIN if base else "") + why
        differs = bool(self_level and self_level != level)
        if differs:
            reason += vocab.REASON_DIFFERS.format(self_level=self_level)
        if source[1] and _rank(source[1]) < _rank(floor):
            floor = source[1]
        for k, value in enumerate((matrix, floor, level, reason, differs)):
            columns[k].append(value)
        combo[row] = len(columns[0]) - 1


def _strip_differs(reason: str, self_level: object) -> str:
    """A reason without its trailing 「（自评…）」 (nothing to strip without a 自评等级)."""
    if not isinstance(self_level, str) or not self_level:
        return reason
    return reason.removesuffix(vocab.REASON_DIFFERS.format(self_level=self_level))


def _empty(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = points.copy()
    for col in frames.GRADE_COLUMNS:
        out[col] = pd.Series([], dtype="bool" if col == "level_differs" else "str")
    out[UNMATCHED_COLUMN] = pd.Series([], dtype="str")
    return out, _posts_frame([])


def grade(
    points: pd.DataFrame, roster: Roster, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add post_type, matrix_level, floor_level, level, level_reason, level_differs; build posts."""
    if points.empty:
        return _empty(points)
    df = points.copy(deep=False)  # copy-on-write: the input frame is never changed
    lookup = _RosterPosts(roster, settings)
    n = len(df)
    sections = text_series(df["section"]).tolist()
    names = text_series(df["name"]).tolist() if "name" in df else [""] * n
    posts = text_series(df["post"]).tolist()
    unit = (df["kind"] == vocab.UNIT).fillna(False).to_numpy(bool)
    involved = text_series(df["posts_involved"]).tolist() if "posts_involved" in df else posts
    involved = [inv or post for inv, post in zip(involved, posts, strict=True)]

    # Individual points: the person's 岗位类别, else that of a roster post of the same name.
    # Unit points: the most severe floor among the roster posts named in 涉及岗位.
    # Each distinct (section, person) or (section, 涉及岗位) is looked up once.
    kinds = unit.tolist()
    person, person_rows = _distinct(kinds, sections, names, posts)
    unit_key, unit_rows = _distinct(kinds, sections, involved)
    person_types = [
        ""
        if unit[r]
        else lookup.by_person.get((normalize.fold(sections[r]), normalize.fold(names[r])))
        or lookup.post_type_of_post(sections[r], posts[r])
        or ""
        for r in person_rows.tolist()
    ]
    unit_found = [
        lookup.unit_floor(sections[r], involved[r]) if unit[r] else ("", [], [])
        for r in unit_rows.tolist()
    ]
    found = _take(unit_found, unit_key)
    post_type = np.where(
        unit, _take([f[0] for f in unit_found], unit_key), _take(person_types, person)
    )
    unmatched = [NAME_JOIN.join(f[2]) if u else "" for f, u in zip(found, unit, strict=True)]
    matched_posts = [f[1] if u else None for f, u in zip(found, unit, strict=True)]

    harms = text_series(df["harm"]).tolist()
    likelihoods = text_series(df["likelihood"]).tolist()
    self_levels = text_series(df["self_level"]).tolist() if "self_level" in df else [""] * n
    combo, combo_rows = _distinct(likelihoods, harms, post_type.tolist(), self_levels)
    graded = [
        _graded(likelihoods[r], harms[r], post_type[r], self_levels[r], lookup, settings)
        for r in combo_rows.tolist()
    ]
    columns = [list(c) for c in zip(*graded, strict=True)]
    _by_sources(df, columns, combo, involved, lookup, settings)
    df["post_type"] = pd.Series(post_type, index=df.index, dtype="str")
    for i, col in enumerate(("matrix_level", "floor_level", "level", "level_reason")):
        df[col] = pd.Series(_take(list(columns[i]), combo), index=df.index, dtype="str")
    df["level_differs"] = pd.Series(
        np.array(columns[4], dtype=bool)[combo], index=df.index, dtype="bool"
    )
    df[UNMATCHED_COLUMN] = pd.Series(unmatched, index=df.index, dtype="str")
    return df, _posts(df, unit, matched_posts, lookup, roster)


def _posts(
    df: pd.DataFrame,
    unit: np.ndarray,
    matched_posts: list[list[str] | None],
    lookup: _RosterPosts,
    roster: Roster,
) -> pd.DataFrame:
    """One row per (section, post): its most severe point decides its level."""
    base = pd.DataFrame(
        {
            "section": text_series(df["section"]),
            "post": text_series(df["post"]),
            "name": text_series(df["names"] if "names" in df else df["name"]),
            "point_id": text_series(df["point_id"]) if "point_id" in df else "",
            "level": df["level"],
            "level_reason": df["level_reason"],
            "post_type": df["post_type"],
            "order": np.arange(len(df)),
        },
        index=df.index,
    )
    individual = base[~unit].copy(deep=False)
    # A form without 岗位 counts for the post the roster gives its person.
    no_post = (individual["post"] == "").to_numpy()
    if no_post.any():
        individual.loc[no_post, "post"] = [
            lookup.post_of_person.get((normalize.fold(sec), normalize.fold(name)), "")
            for sec, name in zip(
                individual.loc[no_post, "section"],
                text_series(df["name"])[~unit][no_post],
                strict=True,
            )
        ]
    # A unit point counts for every roster post of its section that it names.
    unit_rows = base[unit].copy(deep=False)
    unit_rows["post"] = pd.Series(matched_posts, index=df.index, dtype="object")[unit]
    unit_rows["name"] = ""
    unit_rows["post_type"] = ""
    unit_rows = unit_rows.explode("post").dropna(subset=["post"])
    rows = pd.concat([individual, unit_rows], ignore_index=True)
    rows = rows[rows["post"] != ""]
    if rows.empty:
        return _posts_frame([])
    # Spell a post as the roster does when the roster knows it.
    canon = {k: v[0][0] for k, v in lookup.by_post.items()}
    # each distinct (section, post) folded and looked up once
    row_sections = rows["section"].to_numpy(dtype=object)
    row_posts = rows["post"].to_numpy(dtype=object)
    pair_code, pair_rows = _distinct(row_sections, row_posts)
    spelled = np.empty(len(pair_rows), dtype=object)
    spelled[:] = [
        canon.get(_folded(sec) + _SEP + _folded(post), post)
        for sec, post in zip(
            row_sections[pair_rows].tolist(), row_posts[pair_rows].tolist(), strict=True
        )
    ]
    rows["post"] = pd.Series(spelled[pair_code], index=rows.index).astype("str")
    rank = rows["level"].map(vocab.LEVEL_RANK).fillna(_NO_RANK).to_numpy()
    order = rows["order"].to_numpy()
    # (section, post) as one integer whose order is theirs (each text column ranked once)
    post_rank = normalize.sorted_ranks(rows["post"])
    pair = normalize.sorted_ranks(rows["section"]) * (int(post_rank.max(initial=0)) + 1) + post_rank
    # per (section, post), in their order: its most severe point (then the first) decides
    by_level = np.lexsort((order, rank, pair))
    firsts = by_level[_run_starts(pair[by_level])]
    top = rows.iloc[firsts].reset_index(drop=True)
    slot = np.empty(int(pair.max(initial=-1)) + 1, dtype=np.int64)
    slot[pair[firsts]] = np.arange(len(firsts))
    at = slot[pair]  # each row's (section, post) number, 0.. in their order
    point = pd.factorize(rows["point_id"].to_numpy(dtype=object))[0]
    distinct_points = pd.unique(at.astype(np.int64) * (int(point.max(initial=0)) + 1) + point)
    n_points = np.bincount(distinct_points // (int(point.max(initial=0)) + 1), minlength=len(top))
    levels = rows["level"].to_numpy(dtype=object, na_value=None)

    # Names: those who reported the post's points (in point order), then its roster holders.
    names: dict[tuple[str, str], list[str]] = {}
    by_point = np.lexsort((order, pair))
    # a (section, post, names) met again adds no name: each distinct one is read once
    reported = rows["name"].to_numpy(dtype=object)[by_point]
    name_code = pd.factorize(reported)[0]
    fresh = ~pd.Series(at[by_point] * (int(name_code.max(initial=0)) + 1) + name_code).duplicated()
    ordered = rows.iloc[by_point[fresh.to_numpy()]]
    for sec, post, text in zip(
        ordered["section"].tolist(), ordered["post"].tolist(), ordered["name"].tolist(), strict=True
    ):
        bucket = names.setdefault((sec, post), [])
        for n in text.split(NAME_JOIN):
            if n and n not in bucket:
                bucket.append(n)
    for sec, post, name in zip(
        roster.people["section"].tolist(),
        roster.people["post"].tolist(),
        roster.people["name"].tolist(),
        strict=True,
    ):
        bucket = names.get((normalize.stripped(sec), normalize.stripped(post)))
        if bucket is not None:
            name = normalize.stripped(name)
            if name and name not in bucket:
                bucket.append(name)

    keys = list(zip(top["section"].tolist(), top["post"].tolist(), strict=True))
    out = pd.DataFrame({"section": top["section"], "post": top["post"]})
    out["names"] = [NAME_JOIN.join(names.get(k, [])) for k in keys]
    roster_type = [lookup.post_type_of_post(sec, post) for sec, post in keys]
    out["post_type"] = [
        rt if rt else normalize.stripped(pt)
        for rt, pt in zip(roster_type, top["post_type"], strict=True)
    ]
    out["level"] = top["level"]
    out["level_reason"] = top["point_id"] + "：" + top["level_reason"].fillna("")
    out["n_points"] = n_points
    for lv, col in LEVEL_COUNT_COLUMNS.items():
        out[col] = np.bincount(at[levels == lv], minlength=len(top))
    return _posts_frame(out)


def _folded(value: object) -> str:
    """``fold_series``'s value for one cell: a missing one folds to ''."""
    return normalize.fold(value) if isinstance(value, str) else ""


def _run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """True at the first of each run of equal values."""
    return np.r_[True, sorted_values[1:] != sorted_values[:-1]] if len(sorted_values) else []


def _posts_frame(records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=list(POST_COLUMNS))
    ints = ["n_points", *LEVEL_COUNT_COLUMNS.values()]
    for col in POST_COLUMNS:
        frame[col] = frame[col].astype("int64" if col in ints else "str")
    return frame


def level_issues(points: pd.DataFrame) -> pd.DataFrame:
    """提示 level_differs for each point whose 自评等级 differs from the computed level, and
    posts_not_in_roster for unit points naming posts the roster does not have."""
    if points.empty or "level_differs" not in points:
        return frames.empty_issues()
    parts: list[pd.DataFrame] = []
    # A merged point's every source whose own 自评等级 differs is told, at its own cell.
    several = (
        points[SOURCE_LEVELS].notna().to_numpy(bool)
        if SOURCE_LEVELS in points
        else np.zeros(len(points), dtype=bool)
    )
    differs = points["level_differs"].fillna(False).astype(bool).to_numpy() & ~several
    at = np.flatnonzero(differs)
    if len(at):
        one = points.iloc[at]
        parts.append(
            frames.issues_table(
                "level_differs",
                len(at),
                file=_column(one, "file"),
                sheet=_column(one, "sheet"),
                cell=_column(one, "self_level_cell"),
                field_key="self_level",
                value=one["self_level"],
                section=_column(one, "section", None),
                name=_column(one, "name", None),
                row_id=_column(one, "row_id", None),
                level=one["level"],
                reason=_without_differs(one["level_reason"], one["self_level"]),
                advice=_differs_advice(one["self_level"].tolist(), one["level"].tolist()),
            )
        )
    at = np.flatnonzero(several)
    if len(at):
        many = points[[SOURCE_LEVELS, "level", "level_reason", "self_level"]].iloc[at]
        lists = many[SOURCE_LEVELS].tolist()
        owner = np.repeat(np.arange(len(at)), [len(sources) for sources in lists])
        # every source's entry as a row of one object table (SOURCE_LEVEL_FIELDS its columns)
        flat = np.empty((int(sum(len(sources) for sources in lists)), len(_LEVEL_AT)), dtype=object)
        flat[:] = list(itertools.chain.from_iterable(lists))
        level = many["level"].to_numpy(dtype=object, na_value=None)[owner]
        own_level = flat[:, _LEVEL_AT["self_level"]]
        # a source's 自评等级 is text ('' when blank); the point's level is text or None
        known = pd.notna(own_level) & (own_level != "") & pd.notna(level) & (level != "")
        told = known & (own_level != level)
        if told.any():
            sources = flat[told]
            owner, level = owner[told], level[told]
            reason = _without_differs(many["level_reason"], many["self_level"])[owner]

            def field(key: str) -> list[Any]:
                return sources[:, _LEVEL_AT[key]].tolist()

            parts.append(
                frames.issues_table(
                    "level_differs",
                    len(sources),
                    file=normalize.stripped_all(field("file")),
                    sheet=normalize.stripped_all(field("sheet")),
                    cell=normalize.stripped_all(field("cell")),
                    field_key="self_level",
                    value=field("self_level"),
                    section=field("section"),
                    name=field("name"),
                    row_id=field("row_id"),  # int or None each (merge.SOURCE_LEVELS)
                    level=level,
                    reason=reason,
                    advice=_differs_advice(field("self_level"), level.tolist()),
                )
            )
    if UNMATCHED_COLUMN in points:
        at = np.flatnonzero((text_series(points[UNMATCHED_COLUMN]) != "").to_numpy())
        if len(at):
            unmatched = points.iloc[at]
            parts.append(
                frames.issues_table(
                    "posts_not_in_roster",
                    len(at),
                    file=_column(unmatched, "file"),
                    sheet=_column(unmatched, "sheet"),
                    cell=_column(unmatched, "posts_involved_cell"),
                    field_key="posts_involved",
                    value=unmatched[UNMATCHED_COLUMN],
                    section=_column(unmatched, "section", None),
                    name=_column(unmatched, "name", None),
                    row_id=_column(unmatched, "row_id", None),
                )
            )
    return frames.concat_issues(*parts)


def _differs_advice(self_levels: list[Any], levels: list[Any]) -> np.ndarray:
    """The level_differs 修改建议 of each (自评等级, 评定等级): check the inputs when the
    computed level is more severe; say how to keep a more severe 自评 when it is less."""
    texts: dict[tuple[Any, Any], str] = {}
    out = np.empty(len(levels), dtype=object)
    for i, pair in enumerate(zip(self_levels, levels, strict=True)):
        text = texts.get(pair)
        if text is None:
            own, level = pair
            lowered = _rank(own) < _rank(level)
            text = texts[pair] = (
                vocab.LEVEL_DIFFERS_FIX_LOWERED.format(self_level=own, level=level)
                if lowered
                else vocab.LEVEL_DIFFERS_FIX_RAISED
            )
        out[i] = text
    return out


def _column(frame: pd.DataFrame, col: str, missing: object = "") -> Any:
    """A column as stripped text ('' for missing), or ``missing`` when there is no such
    column; with ``missing=None`` the raw column (frames.issues_table cleans it)."""
    if col not in frame:
        return missing
    if missing is None:
        return frame[col]
    return text_series(frame[col]).str.strip()


def _without_differs(reasons: pd.Series, self_levels: pd.Series) -> np.ndarray:
    """Each reason without its trailing 「（自评…）」 (the note says it in words), worked out
    once per distinct (reason, 自评等级)."""
    reason_code, reason_texts = pd.factorize(reasons.to_numpy(dtype=object), use_na_sentinel=False)
    level_code, level_texts = pd.factorize(
        self_levels.to_numpy(dtype=object), use_na_sentinel=False
    )
    pair, pairs = pd.factorize(reason_code.astype(np.int64) * (len(level_texts) + 1) + level_code)
    reason_texts, level_texts = reason_texts.tolist(), level_texts.tolist()
    done = np.empty(len(pairs), dtype=object)
    done[:] = [
        _strip_differs(
            str(reason_texts[p // (len(level_texts) + 1)]),
            level_texts[p % (len(level_texts) + 1)],
        )
        for p in pairs.tolist()
    ]
    return done[pair]
