"""Completeness against the roster: who submitted, on time or late, pledges, unit forms.

- Only files with status 'read' count as a submission; a rejected file leaves its sender 未提交
  (with a note); superseded files are not the submission.
- Lateness compares the form's 填表日期 with ``year``-MM-DD of the ``settings.late_phase``
  deadline; without a 填表日期 the date of the mail folder the file was saved in stands in
  (``2026-03-24 来自…``: when the mail came), else the file's modification date (local time),
  and the note says which.
- Every roster section owes a unit form, except the leadership section: one whose roster
  members are all body leaders (the 主席 and the 分管副主席). A unit form received from such a
  section is still listed.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import dates, discover, frames, normalize, owners, resubmit, vocab
from pipeline.config import Roster, Settings
from pipeline.frames import text_series
from pipeline.merge import fold_series
from pipeline.pledges import standalone as standalone_pledges

SUBMISSION_COLUMNS = (
    "section",
    "name",
    "post",
    "form",
    "status",
    "date",
    "deadline",
    "file",
    "note",
)
PLEDGE_COLUMNS = ("section", "name", "post", "date", "items", "status")
NOTE_JOIN = "；"
# what a computer writes beside a file it copies (a Mac's ``._张三.xlsx``, Windows'
# ``张三.xlsx:Zone.Identifier``, a folder's Thumbs.db): nobody's submission
NOBODYS_FILES = ("mac_metadata", "zone_identifier", "folder_system_file")
# The notes about a person's pledge that a pledge sent on its own answers.
_PLEDGE_NOTES = ("pledge_missing", "pledge_empty", "pledge_other_signer")
# The files columns completeness reads.
_FILE_FIELDS = (
    "file",
    "sheet",
    "date",
    "mtime",
    "header_cells",
    "pledge_sheet",
    "pledge_items",
    "pledge_date",
    "pledger",
    "pledge_sheet_name",
    "date_written",  # set by validate when the 填表日期 could not be read
    "name_written",  # set by validate when a close 姓名 was counted as the roster's
    "folder_date",  # the mail folder's (discover): when the mail came, without a 填表日期
    "date_bound",  # the last day its 填表日期 can be (validate): a later one cannot be true
)


def _note(code: str, **values: object) -> str:
    return vocab.MESSAGES[code].problem.format(**values)


def _mtime_date(mtime: object) -> str:
    try:
        return datetime.fromtimestamp(float(mtime)).date().isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def roster_sections(roster: Roster) -> list[str]:
    """Sections in roster order: the 科室 sheet first, then sections only the 人员 sheet names."""
    values = [*roster.sections["section"].tolist(), *roster.people["section"].tolist()]
    # each distinct value once, in order of first appearance (dict keys keep it)
    cleaned = (normalize.stripped(sec) for sec in dict.fromkeys(values))
    return [sec for sec in dict.fromkeys(cleaned) if sec]


def leadership_sections(roster: Roster) -> set[str]:
    """Sections whose members are all body leaders (主席, 分管副主席): no unit form is owed."""
    leaders = {normalize.fold(roster.chair)} | {
        normalize.fold(v) for v in roster.sections["vice_chair"].tolist() if normalize.stripped(v)
    }
    leaders.discard("")
    out = set()
    for sec, grp in roster.people.groupby("section", sort=False):
        members = {normalize.fold(n) for n in grp["name"].tolist() if normalize.stripped(n)}
        if members and members <= leaders:
            out.add(normalize.stripped(sec))
    return out


def _latest(
    files: pd.DataFrame, kinds: np.ndarray, order: np.ndarray, kind: str
) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """One file of ``kind`` per sender: (sender keys, each field of ``_FILE_FIELDS`` as an
    object array in their order): the latest by 填表日期, then the mail folder's date, then
    modification time, then path (``order``: resubmit.latest_order of ``files``)."""
    mine = order[kinds[order] == kind]  # the order of all files keeps that of a kind's
    chosen = mine[resubmit.last_of_each(files["_key"].to_numpy(dtype=object)[mine])]
    n = len(chosen)
    columns = {
        c: np.fromiter(
            files[c].take(chosen).tolist() if c in files else [None] * n, dtype=object, count=n
        )
        for c in _FILE_FIELDS
    }  # fromiter: a dict or list value stays one element
    return pd.Index(files["_key"].take(chosen).tolist(), dtype=object), columns


def _sent_on_time_before(
    files: pd.DataFrame, replaced: dict[str, list[str]], deadline: str
) -> dict[str, list[tuple[str, str]]]:
    """file -> the versions it replaced whose 填表日期 (else mail folder's date) is on or
    before ``deadline``, as (version, its date), earliest first."""
    if not replaced:
        return {}
    superseded = files[text_series(files["status"]) == frames.FILE_STATUS_SUPERSEDED]
    when = resubmit.credible_dates(superseded)  # a 填表日期 after the mail's day is none
    if "folder_date" in superseded:
        when = when.where(when != "", text_series(superseded["folder_date"]))
    sent = dict(zip(text_series(superseded["file"]), when, strict=True))
    out: dict[str, tuple[str, str]] = {}
    for new, olds in replaced.items():
        dated = sorted((sent[o], o) for o in olds if sent.get(o) and sent[o][:10] <= deadline)
        if dated:
            out[new] = [(o, when) for when, o in dated]
    return out


def _version_senders(files: pd.DataFrame, name_key: pd.Series) -> dict[str, str]:
    """file -> 'kind:sender key' of each form naming its sender (a unit form its section,
    an individual form its 姓名): ``_own_versions``' owners."""
    kind = text_series(files["kind"])
    named = (kind == vocab.UNIT) | ((kind == vocab.INDIVIDUAL) & (name_key != ""))
    return dict(
        zip(
            text_series(files["file"])[named],
            (kind + ":" + text_series(files["_key"]))[named],
            strict=True,
        )
    )


def _own_versions(
    olds: list[str], key: str, old_keys: dict[str, str], senders: set[str]
) -> list[str]:
    """Of the versions a file replaced, those of the sender ``key``: a file holding several
    people's forms (one sheet each, a section head's corrections for two staff) replaced
    each one's earlier form, and each is told only of their own. A version that names no
    other sender of the roster (no 姓名) stays."""
    return [o for o in olds if old_keys.get(o, key) == key or old_keys.get(o) not in senders]


def _sender_keys(files: pd.DataFrame, section_key: pd.Series, name_key: pd.Series) -> pd.Series:
    """科室, KEY_SEP, 姓名 (folded) of an individual form's sender; 科室, KEY_SEP of a unit form's."""
    individual = text_series(files["kind"]) == vocab.INDIVIDUAL
    return section_key + vocab.KEY_SEP + name_key.where(individual, "")


def _bounced(
    rejected: pd.DataFrame, roster: Roster, read: pd.DataFrame | None = None
) -> dict[str, dict[str, str]]:
    """Rejected forms by sender key -> file (see ``_attributed``): of several, the latest by
    resubmit's order (填表日期, mail folder date, mtime, path), the version its sender sent last
    and is told about."""
    out: dict[str, dict[str, str]] = {vocab.INDIVIDUAL: {}, vocab.UNIT: {}}
    if rejected.empty:
        return out
    rank = dict(zip(rejected.index[resubmit.latest_order(rejected)], range(len(rejected))))
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for idx, bucket, key, file in _attributed(rejected, roster, read):
        if (bucket, key) not in best or rank[idx] > best[bucket, key][0]:
            best[bucket, key] = (rank[idx], file)
    for (bucket, key), (_rank, file) in best.items():
        out[bucket][key] = file
    return out


def _rows_bounced(rows: pd.DataFrame | None, read: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Sender key -> file, by form kind, of the rows sent back from read tables that name
    each row's owner (validate gave such a row its roster section and person): a person (or
    section) with nothing counted whose rows are among them sent that file."""
    out: dict[str, dict[str, str]] = {vocab.INDIVIDUAL: {}, vocab.UNIT: {}}
    if rows is None or rows.empty or "row_section" not in rows or "accepted" not in rows:
        return out
    back = ~rows["accepted"].fillna(True).astype(bool)
    back &= rows["row_section"].notna() | rows["row_name"].notna()
    back &= rows["file"].isin(set(read["file"].tolist()))
    mine = rows.loc[back, ["file", "section", "name"]].sort_values("file", kind="stable")
    for file, section, name in zip(mine["file"], mine["section"], mine["name"], strict=True):
        if not normalize.stripped(section):
            continue
        person = normalize.fold(normalize.stripped(name))
        bucket = vocab.INDIVIDUAL if person else vocab.UNIT
        out[bucket].setdefault(normalize.fold(section) + vocab.KEY_SEP + person, file)
    return out


def _empty_sheets(files: pd.DataFrame, sec_key: pd.Series) -> dict[str, dict[str, Any]]:
    """Sender key -> (file, sheet, cell, section, name) of each person whose own sheet of a
    workbook of one sheet per person came with an empty table (``empty_sheets``; its 科室,
    else the workbook's): the first such sheet in path order."""
    out: dict[str, dict[str, Any]] = {}
    if "empty_sheets" not in files:
        return out
    has = [isinstance(v, dict) and bool(v) for v in files["empty_sheets"].tolist()]
    mine = files[np.array(has, dtype=bool)].sort_values("file", kind="stable")
    for idx, file, sheets in zip(mine.index, mine["file"], mine["empty_sheets"], strict=True):
        for entry in sheets.values():
            sheet, section, person, cell = (list(entry) + [None] * 4)[:4]
            own = normalize.fold(normalize.stripped(section)) if section else sec_key[idx]
            if not own or not normalize.stripped(person):
                continue
            key = own + vocab.KEY_SEP + normalize.fold(normalize.stripped(person))
            out.setdefault(key, {"file": file, "sheet": sheet, "cell": cell})
    return out


def _own_folders(read: pd.DataFrame | None) -> set[tuple[str, str]]:
    """(folded folder, sender key) of every read individual form: the mail folders whose
    sender's own form is there."""
    if read is None or read.empty:
        return set()
    individual = read[text_series(read["kind"]) == vocab.INDIVIDUAL]
    keys = _sender_keys(
        individual, fold_series(individual["section"]), fold_series(individual["name"])
    )
    folders = [normalize.fold(f.rpartition("/")[0]) for f in text_series(individual["file"])]
    return set(zip(folders, keys.tolist(), strict=True))


def _attributed(
    rejected: pd.DataFrame, roster: Roster, read: pd.DataFrame | None = None
) -> list[tuple[Any, str, str, str]]:
    """(index, form kind, sender key, file) of each rejected file that names a roster sender,
    in path order. The sender is read from the header when it names a roster person (or
    section, for unit forms), or a name only one roster person has; otherwise a roster name (a section name, for unit forms) written
    in the file's path identifies it, when exactly one matches (the file's name first; a
    mail folder named after a person whose own form (of ``read``) lies in it names them no
    other form of another post: the colleague's form they sent along is not theirs); a unit
    form none names
    is the section its 科室负责人 alone heads (a section renamed in the roster)."""
    own = _own_folders(read)
    persons: dict[str, list[str]] = {}  # folded name -> sender keys
    post_of: dict[str, str] = {}  # sender key -> folded roster post
    names = roster.people["name"].tolist()
    for section, folded, clean, post in zip(
        normalize.fold_all(roster.people["section"].tolist()),
        normalize.fold_all(names),
        normalize.stripped_all(names),
        normalize.fold_all(text_series(roster.people["post"]).tolist()),
        strict=True,
    ):
        if clean:
            persons.setdefault(folded, []).append(section + vocab.KEY_SEP + folded)
            post_of.setdefault(section + vocab.KEY_SEP + folded, post)
    person_keys = {k for keys in persons.values() for k in keys}
    sections = {normalize.fold(sec): sec for sec in roster_sections(roster)}
    # folded 科室负责人 -> the sections they head: a unit form under a section name the roster
    # no longer has (renamed between rounds) is the section its 科室负责人 heads
    headed: dict[str, list[str]] = {}
    for section, head in zip(
        normalize.fold_all(roster.sections["section"].tolist()),
        normalize.fold_all(text_series(roster.sections["head"]).tolist()),
        strict=True,
    ):
        if head and section in sections:
            headed.setdefault(head, []).append(section + vocab.KEY_SEP)
    heads = (
        normalize.fold_all(text_series(rejected["head"]).tolist())
        if "head" in rejected
        else [""] * len(rejected)
    )
    head_of = dict(zip(rejected.index.tolist(), heads, strict=True))
    longest = max((len(n) for n in persons), default=0)
    out: list[tuple[Any, str, str, str]] = []
    # the tool's own outputs sent back (a section's feedback workbook) are nobody's form
    # nor is what a Mac writes beside a file it copies (``._张三.xlsx``)
    ordered = rejected[~text_series(rejected["reason"]).isin(("tool_output", *NOBODYS_FILES))]
    ordered = ordered.sort_values("file", kind="stable")
    posts = (
        normalize.fold_all(text_series(ordered["post"]).tolist())
        if "post" in ordered
        else [""] * len(ordered)
    )
    for idx, key, kind, file, post in zip(
        ordered.index.tolist(),
        ordered["_key"].tolist(),
        text_series(ordered["kind"]).tolist(),
        text_series(ordered["file"]).tolist(),
        posts,
        strict=True,
    ):
        if kind != vocab.UNIT and key in person_keys:
            out.append((idx, vocab.INDIVIDUAL, key, file))
            continue
        # the header names one roster person under another 科室 (a roster section or not):
        # that person sent it, and is told it came back, not that nothing came
        named = persons.get(key.partition(vocab.KEY_SEP)[2], []) if kind != vocab.UNIT else []
        if len(named) == 1:
            out.append((idx, vocab.INDIVIDUAL, named[0], file))
            continue
        if kind == vocab.UNIT and key.removesuffix(vocab.KEY_SEP) in sections:
            out.append((idx, vocab.UNIT, key, file))
            continue
        path = normalize.fold(file)
        if kind == vocab.UNIT:
            found = {sec + vocab.KEY_SEP for sec in sections if sec and sec in path}
            # 组织宣传部 contains 宣传部: the longest section name written wins
            found = {k for k in found if not any(k[:-1] in o and k != o for o in found)}
            if len(found) == 1:
                out.append((idx, vocab.UNIT, found.pop(), file))
            elif not found and len(headed.get(head_of[idx], ())) == 1:
                out.append((idx, vocab.UNIT, headed[head_of[idx]][0], file))
            continue
        folder, _, leaf = file.rpartition("/")
        matches = _named_in(normalize.fold(leaf), persons, longest)
        if len(matches) != 1:
            at = normalize.fold(folder)
            # (unless the form is of their post: then it is another version of their own)
            matches = {
                k
                for k in _named_in(path, persons, longest)
                if (at, k) not in own or (post and post == post_of.get(k))
            }
        if len(matches) == 1:
            out.append((idx, vocab.INDIVIDUAL, matches.pop(), file))
        elif not matches and not kind and vocab.UNIT_FILE_WORD in normalize.fold(leaf):
            # a file no reader opened (a password, damage) named 「权益部单位自查表」 is
            # that section's unit form, as a form of a person is theirs by its name
            # (the section's name in the file's name, else in its folder's: 「财务室.zip/单位表.xlsx」)
            for where in (normalize.fold(leaf), path):
                found = {sec + vocab.KEY_SEP for sec in sections if sec and sec in where}
                found = {k for k in found if not any(k[:-1] in o and k != o for o in found)}
                if found:
                    break
            if len(found) == 1:
                out.append((idx, vocab.UNIT, found.pop(), file))
    return out


def _named_in(text: str, persons: dict[str, list[str]], longest: int) -> set[str]:
    """The sender keys of the roster names written in ``text`` (folded)."""
    words = {text[i : i + n] for n in range(2, longest + 1) for i in range(len(text) - n + 1)}
    return {k for w in words & persons.keys() for k in persons[w]}


def _came_later(newer: Any, older: Any) -> bool:
    """Whether file record ``newer`` came after ``older``: on the first of 填表日期, the mail
    folder's date and the modification time that both have and that differ (resubmit's
    order, a missing value skipped rather than sorted oldest); a tie is later. Two files of
    one zip, mail or mail folder came together: neither is later (a damaged file beside a
    person's form in their zip is no earlier version of it, and keeps its own 退回)."""
    if discover.parcels(newer.file, getattr(newer, "container", None)) & discover.parcels(
        older.file, getattr(older, "container", None)
    ):
        return False
    # a 填表日期 later than the day its file was sent decides nothing (resubmit.credible_date)
    for a, b in (
        (resubmit.credible_date(newer), resubmit.credible_date(older)),
        (
            normalize.stripped(getattr(newer, "folder_date", "")),
            normalize.stripped(getattr(older, "folder_date", "")),
        ),
    ):
        if a and b and a != b:
            return a > b
    a, b = (pd.to_numeric(getattr(r, "mtime", None), errors="coerce") for r in (newer, older))
    if pd.notna(a) and pd.notna(b) and a != b:
        return bool(a > b)
    return True


_KIND_SEP = "\x1e"  # between a form kind and a sender key (neither holds it)


def name_sent_back_issues(issues: pd.DataFrame, submissions: pd.DataFrame) -> pd.DataFrame:
    """``issues`` with 科室 and 姓名 filled on the rows of a file that names neither (no
    reader opened it: a password, damage) when 提交情况 counts it as one sender's form sent
    back (by its file name): the office filters 异常清单 by 科室, and 本轮变化 tells that
    section when the file is corrected."""
    if issues.empty or submissions is None or submissions.empty:
        return issues
    sent = submissions[text_series(submissions["status"]).eq(vocab.STATUS_SENT_BACK)]
    sent = sent[text_series(sent["file"]).ne("")]
    sent = sent[~sent["file"].duplicated(keep=False)]  # a file several senders claim: as it is
    if sent.empty:
        return issues
    files = text_series(issues["file"])
    blank = text_series(issues["section"]).eq("") & text_series(issues["name"]).eq("")
    mask = blank & files.isin(set(sent["file"].tolist()))
    if not mask.any():
        return issues
    issues = issues.copy()
    for column in ("section", "name"):
        of = dict(zip(sent["file"].tolist(), text_series(sent[column]).tolist(), strict=True))
        issues.loc[mask, column] = files[mask].map(of)
    return issues


def replace_sent_back(
    files: pd.DataFrame, rows: pd.DataFrame, roster: Roster
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(files, rows, issues): a file rejected as a whole that names a roster sender (as the
    提交情况 note reads it: header, else path) is superseded by that sender's form read later
    (SPEC Resubmission: the latest wins; a correction ends its original's 退回). A password
    file, a corrupt one, a form under a wrong 科室 followed by a good form stayed 退回 in
    异常清单, the section's feedback and 本轮变化's open problems after it was put right.
    Lock files (``~$``) are no submission and stay as they are; a rejected file that came
    after the read form stays 退回 (the newer version is the one to fix)."""
    status = text_series(files["status"])
    rejected = files[
        status.eq(frames.FILE_STATUS_REJECTED)
        & ~text_series(files["reason"]).isin(("lock_file", *NOBODYS_FILES))
    ]
    read = files[status.eq(frames.FILE_STATUS_READ) & files["kind"].isin(vocab.FORM_KINDS)]
    if rejected.empty:
        return files, rows, frames.issues_frame([])
    keyed = lambda part: part.assign(
        _key=_sender_keys(part, fold_series(part["section"]), fold_series(part["name"]))
    )
    rejected = keyed(rejected)
    # the people the rejected forms name that the roster does not hold (who left, a new hire
    # not yet entered): their other rejected files are theirs too, the latest wins
    roster = _with_unlisted(rejected, roster)
    attributed = _attributed(rejected, roster, read)
    if not attributed:
        return files, rows, frames.issues_frame([])
    # only the read forms of those senders (a few), column by column
    wanted = {kind + _KIND_SEP + key for _idx, kind, key, _file in attributed}
    read = read.iloc[0:0] if read.empty else read
    keys = _sender_keys(read, fold_series(read["section"]), fold_series(read["name"]))
    kinds = text_series(read["kind"]).to_numpy(dtype=object)
    keys = keys.to_numpy(dtype=object)
    mine = pd.Series(kinds + _KIND_SEP + keys).isin(wanted).to_numpy()
    read, kinds, keys = read[mine], kinds[mine], keys[mine]
    order = resubmit.latest_order(read)
    latest = {
        (kind, key): rec
        for kind, key, rec in zip(
            kinds[order].tolist(), keys[order].tolist(), read.take(order).itertuples(), strict=True
        )
    }  # the last of each sender wins
    replaced: dict[Any, str] = {}
    issues = []
    for idx, kind, key, file in attributed:
        newer = latest.get((kind, key))
        old = rejected.loc[idx]
        if newer is None or not _came_later(newer, old):
            continue
        replaced[idx] = newer.file
        section = normalize.stripped(newer.section)
        name = normalize.stripped(newer.name) if kind == vocab.INDIVIDUAL else ""
        who = (
            vocab.WHO_PERSON.format(section=section, name=name)
            if name
            else vocab.WHO_SECTION.format(section=section)
        )
        record = frames.issue(
            "superseded_sent_back",
            file=file,
            sheet=normalize.stripped(old.get("sheet")),
            section=section,
            name=name,
            detail=who,
            newer=newer.file,
        )
        issues.append(record)
    issues += _later_sent_back(rejected, attributed, replaced, roster)
    if not replaced:
        return files, rows, frames.issues_frame([])
    files = files.copy()
    at = list(replaced)
    files.loc[at, "status"] = frames.FILE_STATUS_SUPERSEDED
    files.loc[at, "reason"] = "superseded"
    files.loc[at, "superseded_by"] = list(replaced.values())
    gone = set(files.loc[at, "file"].tolist())
    if len(rows) and rows["file"].isin(gone).any():
        rows = rows.loc[~rows["file"].isin(gone)].reset_index(drop=True)
    return files, rows, frames.issues_frame(issues)


def _with_unlisted(rejected: pd.DataFrame, roster: Roster) -> Roster:
    """``roster`` with the senders of the individual forms rejected as not in the roster
    (科室 and 姓名 as written) added to its people, for telling whose other rejected files
    are (``replace_sent_back``): the Word version a person who left sent before her form
    stays replaced by her form, as it was while she was in the roster."""
    reason = text_series(rejected["reason"])
    mine = rejected[reason.eq("not_in_roster") & text_series(rejected["kind"]).eq(vocab.INDIVIDUAL)]
    if mine.empty:
        return roster
    names = normalize.stripped_all(text_series(mine["name"]).tolist())
    sections = normalize.stripped_all(text_series(mine["section"]).tolist())
    posts = (
        normalize.stripped_all(text_series(mine["post"]).tolist())
        if "post" in mine
        else [""] * len(names)
    )
    # a roster name under another 科室 is that roster person's (``_attributed``)
    listed = set(normalize.fold_all(text_series(roster.people["name"]).tolist()))
    extra = [
        {"section": section, "name": name, "post": post}
        for section, name, post in zip(sections, names, posts, strict=True)
        # (a one-character name would be found in any path)
        if section and len(name) >= 2 and normalize.fold(name) not in listed
    ]
    if not extra:
        return roster
    people = pd.concat([roster.people, pd.DataFrame(extra)], ignore_index=True)
    return dataclasses.replace(roster, people=people.drop_duplicates(["section", "name"]))


def _later_sent_back(
    rejected: pd.DataFrame,
    attributed: list[tuple[Any, str, str, str]],
    replaced: dict[Any, str],
    roster: Roster,
) -> list[dict[str, Any]]:
    """Among a roster sender's files rejected as a whole that no read form replaced, the
    latest supersedes the earlier ones (SPEC Resubmission: the latest wins): into
    ``replaced``, and the 提示 of each. A person moved to another section in the roster
    between rounds has every version naming the former section 退回: the earlier ones stood
    as forms of nobody (催报名单 asked the former section whose they were), and the problem
    the later one corrected was not told as 已改正 to the section that must act."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for idx, kind, key, _file in attributed:
        if idx not in replaced:
            groups.setdefault((kind, key), []).append(idx)
    # only a form that was opened (and sent back as a whole) replaces: a file nothing could
    # be read from (a download not finished, a damaged file) is no later version of a form,
    # so two such files each keep their own reason
    opened = ~text_series(rejected["reason"]).isin(frames.UNOPENABLE_REASONS)
    shown: dict[str, tuple[str, str]] = {}
    for section, name in zip(
        text_series(roster.people["section"]).tolist(),
        text_series(roster.people["name"]).tolist(),
        strict=True,
    ):
        key = normalize.fold(section) + vocab.KEY_SEP + normalize.fold(name)
        shown.setdefault(key, (normalize.stripped(section), normalize.stripped(name)))
    issues = []
    for (kind, key), idxs in groups.items():
        if len(idxs) < 2:
            continue
        mine = rejected.loc[idxs]
        order = resubmit.latest_order(mine)
        openers = [i for i, at in enumerate(order) if opened.loc[mine.index[at]]]
        if not openers:
            continue
        last = openers[-1]  # the latest opened form; files after it stay as they are
        latest = mine.iloc[order[last]]
        for idx in mine.index[order[:last]].tolist():
            old = rejected.loc[idx]
            if not _came_later(latest, old):
                continue
            replaced[idx] = str(latest["file"])
            if kind == vocab.UNIT:
                section, name = key.removesuffix(vocab.KEY_SEP), ""
                for sec in roster_sections(roster):
                    if normalize.fold(sec) == section:
                        section = sec
                who = vocab.WHO_SECTION.format(section=section)
            else:
                section, name = shown.get(key, (key.partition(vocab.KEY_SEP)[0], ""))
                who = vocab.WHO_PERSON.format(section=section, name=name)
            issues.append(
                frames.issue(
                    "superseded_by_sent_back",
                    file=str(old["file"]),
                    sheet=normalize.stripped(old.get("sheet")),
                    section=section,
                    name=name,
                    detail=who,
                    newer=str(latest["file"]),
                )
            )
    return issues


class _Accepted:
    """Which received files count for which sender. ``points`` are validate's accepted rows,
    before merging (run.py): a form whose points all merged into another's (a colleague's
    copy, the unit form repeating its people's points) has rows there, though no catalogue
    point is filed under its name. A file with an accepted row counts for a section's unit
    form; for a person only when an accepted row of it is theirs (a workbook of one sheet per
    person whose sheet was replaced by a later form is not theirs by a colleague's sheet)."""

    def __init__(self, points: pd.DataFrame) -> None:
        self.files: set[str] = set()
        self.people: dict[str, set[str]] = {}  # file -> the individual senders of its rows
        if "file" not in points or points.empty:
            return
        files = text_series(points["file"])
        self.files = set(files.tolist())
        individual = text_series(points["kind"]).eq(vocab.INDIVIDUAL) if "kind" in points else None
        if individual is None or not individual.any():
            return
        mine = points[individual.to_numpy()]
        keys = _sender_keys(mine, fold_series(mine["section"]), fold_series(mine["name"]))
        for file, key in zip(files[individual].tolist(), keys.tolist(), strict=True):
            self.people.setdefault(file, set()).add(key)

    def counts(self, file: str, key: str) -> bool:
        """Whether ``file`` holds accepted rows that count for the sender ``key``."""
        if file not in self.files:
            return False
        if key.endswith(vocab.KEY_SEP):  # a section's unit form
            return True
        return key in self.people.get(file, ())


def completeness(
    files: pd.DataFrame,
    points: pd.DataFrame,
    roster: Roster,
    settings: Settings,
    year: int,
    rows: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(submissions, pledges, issues) of the roster against the files received; ``points``
    are the accepted rows as validate hands them on (before merging), ``rows`` every row
    (a person whose only rows, in a table of many people's, were sent back did submit)."""
    deadline = f"{year:04d}-{settings.deadlines[settings.late_phase]}"
    phase = vocab.PHASES[settings.late_phase]
    files = files.copy(deep=False)  # copy-on-write: the columns changed here are copied
    for col in frames.FILE_COLUMNS:
        if col not in files:
            files[col] = pd.NA
    status = text_series(files["status"])
    sec_key = fold_series(files["section"])  # folded once per distinct value
    name_key = fold_series(files["name"])
    files["_key"] = _sender_keys(files, sec_key, name_key)
    read = files[status == frames.FILE_STATUS_READ]
    # the people and sections whose own rows came in a section or body table sent it too
    senders = owners.row_senders(read, points)
    if len(senders):
        senders = senders.copy(deep=False)
        senders["_key"] = _sender_keys(
            senders, fold_series(senders["section"]), fold_series(senders["name"])
        )
    read = pd.concat([read, senders], ignore_index=True)
    rejected = files[status == frames.FILE_STATUS_REJECTED]
    replaced = resubmit.replaced_by(files)
    on_time_before = _sent_on_time_before(files, replaced, deadline)
    kinds = text_series(read["kind"]).to_numpy(dtype=object)
    accepted = _Accepted(points)
    order = resubmit.latest_order(read)
    # a sender's form with rows in the catalogue stands for them before one whose every row
    # was sent back (their own form sent back, their rows of a section table counted)
    counted = np.array(
        [accepted.counts(f, k) for f, k in zip(read["file"], read["_key"], strict=True)], bool
    )
    order = order[np.argsort(counted[order], kind="stable")]
    read_by = {k: _latest(read, kinds, order, k) for k in vocab.FORM_KINDS}
    bounced = _bounced(rejected, roster, read)
    by_rows = _rows_bounced(rows, read)
    empty = _empty_sheets(files[status != frames.FILE_STATUS_SUPERSEDED], sec_key)
    lock_files = frozenset(
        text_series(rejected["file"])[text_series(rejected["reason"]).eq("lock_file")].tolist()
    )
    # the files inside a zip or mail or in a mail folder, by what they came in (files that
    # came together)
    containers = files["container"] if "container" in files else pd.Series(None, files.index)
    parcels = {
        f: p
        for f, c in zip(text_series(files["file"]), containers.tolist(), strict=True)
        if (p := discover.parcels(f, c))
    }
    # files that could not be opened get no annotated copy: their senders are not sent to one
    no_copy = frozenset(
        text_series(rejected["file"])[
            text_series(rejected["reason"]).isin(frames.UNOPENABLE_REASONS)
        ].tolist()
    )

    leadership = leadership_sections(roster)
    people = roster.people
    by_section: dict[str, list[tuple[str, str, str]]] = {}  # (name, post) cleaned, folded name
    clean_names = normalize.stripped_all(people["name"].tolist())
    for section, name, post, name_key in zip(
        normalize.stripped_all(people["section"].tolist()),
        clean_names,
        normalize.stripped_all(people["post"].tolist()),
        normalize.fold_all(clean_names),
        strict=True,
    ):
        by_section.setdefault(section, []).append((name, post, name_key))
    # a unit form received from the leadership section, read or sent back, is listed too
    unit_sent = set(read_by[vocab.UNIT][0]) | set(bounced[vocab.UNIT])

    sections = roster_sections(roster)
    if "" in by_section:
        sections.append("")  # people the roster gives no section still owe their form
    # the forms owed, in order: each section's unit form, then its people's own
    slots: list[tuple[str, str, str, str, str]] = []
    for section in sections:
        sec_fold = normalize.fold(section)
        owes_unit = section != "" and section not in leadership
        if owes_unit or sec_fold + vocab.KEY_SEP in unit_sent:
            slots.append((section, "", "", vocab.UNIT, sec_fold + vocab.KEY_SEP))
        for name, post, name_key in by_section.get(section, []):
            slots.append(
                (section, name, post, vocab.INDIVIDUAL, sec_fold + vocab.KEY_SEP + name_key)
            )
    sent = {*read_by[vocab.INDIVIDUAL][0], *bounced[vocab.INDIVIDUAL], *by_rows[vocab.INDIVIDUAL]}
    slots = _one_form_per_name(slots, sent)
    submissions, pledges, issues = _judge(
        slots,
        read_by,
        bounced,
        accepted,
        replaced,
        deadline,
        phase,
        lock_files,
        by_rows,
        empty,
        no_copy,
        parcels,
        on_time_before,
        _version_senders(files, name_key),
    )
    # a pledge sent on its own (a scanned PDF, a Word file) registers its person's pledge
    issues = _register_alone(pledges, issues, standalone_pledges(files))
    return submissions, pledges, frames.issues_frame(issues)


NOBODYS_REASONS = frozenset({"lock_file", "tool_output", *NOBODYS_FILES})


def named_section(files: pd.Series, sections: set[str]) -> pd.Series:
    """The roster section each file's own name names (the longest of several where one
    contains another: 组织宣传部 before 宣传部), or '' when none or two."""
    folded = {normalize.fold(s): s for s in sections if s}
    out = []
    for file in files.tolist():
        leaf = normalize.fold(file.rpartition("/")[2])
        found = {k for k in folded if k in leaf}
        found = {k for k in found if not any(k in o and k != o for o in found)}
        out.append(folded[found.pop()] if len(found) == 1 else "")
    return pd.Series(out, index=files.index, dtype=object)


def _unread(
    files: pd.DataFrame | None, sections: set[str], told: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """The rejected files nothing could be read from (no kind, no section: a damaged zip or
    mail, a locked workbook), not those a sender is told of (``told``) nor nobody's (lock
    files, the tool's outputs, Mac metadata); in ``section`` the one roster section the
    file's own name names, or ''."""
    if files is None or files.empty or "section" not in files:
        return pd.DataFrame(columns=list(frames.FILE_COLUMNS))
    rejected = text_series(files["status"]).eq(frames.FILE_STATUS_REJECTED)
    rejected &= ~text_series(files["file"]).isin(told)
    unread = files[
        rejected
        & text_series(files["kind"]).eq("")
        & text_series(files["section"]).eq("")
        & ~text_series(files["reason"]).isin(NOBODYS_REASONS)
    ]
    named = named_section(text_series(unread["file"]), sections)
    return unread.assign(section=named.to_numpy())


def unread_of_sections(
    files: pd.DataFrame | None, sections: set[str], told: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """The rejected files nothing could be read from (no kind, no section: a damaged zip or
    mail, a locked workbook) whose own name names exactly one roster section
    (「组织宣传部报送材料.zip」), that section in ``section``; not the files a sender is told
    of (``told``) nor nobody's (lock files, the tool's outputs, Mac metadata)."""
    unread = _unread(files, sections, told)
    return unread[text_series(unread["section"]).ne("").to_numpy()] if len(unread) else unread


# why a file that may be someone's form could not be opened (not a PDF, a text file or a
# workbook of another kind: those are no form)
MAYBE_A_FORM = frozenset(
    {
        "corrupt",
        "encrypted",
        "empty_file",
        "read_failed",
        "cannot_open",
        "download_unfinished",
        "zip_encrypted",
        "zip_encrypted_whole",
        "container_corrupt",
        "mail_corrupt",
    }
)


def unread_of_nobody(
    files: pd.DataFrame | None, sections: set[str], told: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """The files of ``_unread`` that may be a form but could not be opened (MAYBE_A_FORM) and
    whose name names no one section (「附件3.xlsx」 locked): they may hold the form of someone
    still 未报送, of any section."""
    unread = _unread(files, sections, told)
    if not len(unread):
        return unread
    unopened = text_series(unread["reason"]).isin(MAYBE_A_FORM)
    return unread[(text_series(unread["section"]).eq("") & unopened).to_numpy()]


def note_unread(submissions: pd.DataFrame, files: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """``submissions`` with a note on each form of a section still 未报送 when a file that
    section sent could not be read at all (a damaged zip named after it): the form may be
    inside, so 提交情况 says so beside 未报送 (as 催报名单 lists the file under the section)."""
    if not len(submissions):
        return submissions
    told = set(text_series(submissions["file"]).tolist()) - {""}
    unread = unread_of_sections(files, set(roster_sections(roster)), told)
    if not len(unread):
        return submissions
    note = text_series(submissions["note"]).to_numpy(dtype=object).copy()
    missing = text_series(submissions["status"]).eq(vocab.STATUS_MISSING).to_numpy()
    section = text_series(submissions["section"]).to_numpy(dtype=object)
    by_section: dict[str, list[str]] = {}
    for file, sec in zip(text_series(unread["file"]), unread["section"], strict=True):
        by_section.setdefault(sec, []).append(f"「{file}」")
    for sec, names in by_section.items():
        text = vocab.NOTE_UNREAD_PARCEL.format(files="、".join(names))
        for i in np.flatnonzero(missing & (section == sec)).tolist():
            note[i] = NOTE_JOIN.join([note[i].removesuffix("。"), text]) if note[i] else text
    return submissions.assign(note=pd.Series(note, index=submissions.index, dtype="str"))


def _one_form_per_name(
    slots: list[tuple[str, str, str, str, str]], sent: set[str]
) -> list[tuple[str, str, str, str, str]]:
    """A name the roster lists in several sections (its 提示 ``roster_name_in_sections``) owes
    one individual form, not one per section: the slots of the sections it sent from stay
    (two such forms are two people of one name), else the first. Before, 王芳 sending from
    办公室 was still 「王芳（财务科）尚未报送」."""
    by_name: dict[str, list[int]] = {}
    for i, (_section, name, _post, kind, key) in enumerate(slots):
        if kind == vocab.INDIVIDUAL and name:
            by_name.setdefault(key.partition(vocab.KEY_SEP)[2], []).append(i)
    drop: set[int] = set()
    for places in by_name.values():
        if len(places) > 1:
            keep = [i for i in places if slots[i][4] in sent] or places[:1]
            drop.update(i for i in places if i not in keep)
    return [slot for i, slot in enumerate(slots) if i not in drop] if drop else slots


def _judge(
    slots: list[tuple[str, str, str, str, str]],
    read_by: dict[str, tuple[pd.Index, dict[str, np.ndarray]]],
    bounced: dict[str, dict[str, str]],
    accepted: _Accepted,
    replaced: dict[str, list[str]],
    deadline: str,
    phase: str,
    lock_files: frozenset[str] = frozenset(),
    by_rows: dict[str, dict[str, str]] | None = None,
    empty: dict[str, dict[str, Any]] | None = None,
    no_copy: frozenset[str] = frozenset(),
    parcels: dict[str, frozenset[str]] | None = None,
    on_time_before: dict[str, list[tuple[str, str]]] | None = None,
    old_keys: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """(submissions, pledges, issue rows) of the forms owed (``slots``: section, name, post,
    form kind, sender key), column by column; only the few forms with a note or an issue are
    looked at one by one."""
    n = len(slots)
    if not n:
        return _frame([], SUBMISSION_COLUMNS), _pledge_frame([]), []
    section, name, post, form, key = (np.array(c, dtype=object) for c in zip(*slots, strict=True))
    old_keys = old_keys or {}
    slot_of = [f"{k}:{s}" for k, s in zip(form.tolist(), key.tolist(), strict=True)]
    slot_keys = set(slot_of)

    def own(olds: list[str], i: int) -> list[str]:
        return _own_versions(olds, slot_of[i], old_keys, slot_keys)

    # each slot's received file (the latest of its sender), None where nothing was read
    rec = {f: np.full(n, None, dtype=object) for f in _FILE_FIELDS}
    found = np.zeros(n, dtype=bool)
    for kind in vocab.FORM_KINDS:
        mine = np.flatnonzero(form == kind)
        keys, columns = read_by[kind]
        if not len(mine) or not len(keys):
            continue
        at = keys.get_indexer(key[mine])
        hit = at >= 0
        found[mine[hit]] = True
        for f in _FILE_FIELDS:
            rec[f][mine[hit]] = columns[f][at[hit]]
    status = np.full(n, vocab.STATUS_MISSING, dtype=object)
    date = np.full(n, "", dtype=object)
    file = np.full(n, "", dtype=object)
    notes: dict[int, list[str]] = {}
    # (slot, place among the slot's issues, issue): issues come slot by slot
    told: list[tuple[int, int, dict[str, Any]]] = []

    got = np.flatnonzero(found)
    date[got] = normalize.stripped_all(rec["date"][got].tolist())
    file[got] = normalize.stripped_all(rec["file"][got].tolist())
    # a 填表日期 later than the day its file was sent cannot be true (a typo, typed ahead): it
    # decides lateness no more than the order of versions (resubmit.credible_date); the mail
    # folder's date, else the modification time, stands in as for a missing one
    bound = normalize.stripped_all(rec["date_bound"][got].tolist())
    ahead = {
        int(i): d
        for i, d, b in zip(got.tolist(), date[got].tolist(), bound, strict=True)
        if d and b and d[:10] > b
    }
    for i in ahead:
        date[i] = ""
    by_mtime = got[date[got] == ""].tolist()
    by_folder = set()  # the mail folder's date is when the mail came; the mtime, when saved
    by_month: dict[int, bool] = {}  # a 填表日期 of a month only that decides: slot -> late
    for i in by_mtime:
        folder = normalize.stripped(rec["folder_date"][i])
        date[i] = folder or _mtime_date(rec["mtime"][i])
        if folder:
            by_folder.add(i)
        written = normalize.stripped(rec["date_written"][i])  # an unreadable 填表日期 (validate)
        suffix = "_folder" if folder else ""
        month = dates.read_month(written) if written else None
        if month is not None:
            # 2026年3月: the whole month before the deadline is on time, after it late; a
            # deadline inside the month leaves it to the folder's or the file's date
            first, last = dates.month_bounds(*month)
            shown = f"{month[0]:04d}-{month[1]:02d}"
            if last <= deadline or first > deadline:
                by_month[i] = first > deadline
                date[i] = shown
                code = "note_month_late" if by_month[i] else "note_month_on_time"
                notes[i] = [_note(code, value=written, deadline=deadline)]
            else:
                code = "note_month_by_folder" if folder else "note_month_by_mtime"
                notes[i] = [_note(code, value=written, deadline=deadline, date=date[i])]
        elif i in ahead:
            notes[i] = [_note("note_date_ahead" + suffix, value=ahead[i], date=date[i])]
        elif written:
            notes[i] = [_note("note_bad_date" + suffix, value=written, date=date[i])]
        else:
            notes[i] = [_note("note_no_date" + suffix, date=date[i])]
    for i in got.tolist():
        written = normalize.stripped(rec["name_written"][i])
        if written:  # counted under a name one character from the roster's: say so
            notes.setdefault(i, []).append(_note("note_name_similar", value=written))
    late = np.zeros(n, dtype=bool)
    late[got] = [bool(d) and d > deadline for d in date[got].tolist()]
    for i, month_late in by_month.items():
        late[i] = month_late
    # a version the sender sent by the deadline makes them on time: the later one corrects it
    for i in np.flatnonzero(late).tolist():
        mine = set(own([o for o, _when in (on_time_before or {}).get(file[i], [])], i))
        first = next((v for v in (on_time_before or {}).get(file[i], []) if v[0] in mine), None)
        if first is not None:
            late[i] = False
            notes.setdefault(i, []).append(
                _note("note_first_on_time", file=first[0], date=first[1])
            )
    status[got] = np.where(late[got], vocab.STATUS_LATE, vocab.STATUS_ON_TIME)
    # read, but every row was sent back: nothing of it counts yet
    no_points = np.zeros(n, dtype=bool)
    no_points[got] = [not accepted.counts(file[i], key[i]) for i in got.tolist()]
    for i in np.flatnonzero(no_points).tolist():
        status[i], late[i] = vocab.STATUS_SENT_BACK, False
        notes.setdefault(i, []).append(_note("note_no_points"))
        code = "sent_back" if form[i] == vocab.INDIVIDUAL else "unit_sent_back"
        told.append((i, 0, _issue(code, section=section[i], name=name[i], about=file[i])))
    # counted, but a later version was sent back (replace_sent_back left only such files):
    # the sender is told, in their section, that the resend did not count
    for i in got.tolist():
        resent = bounced[form[i]].get(key[i])
        parcel = (parcels or {}).get(resent or "", frozenset())
        if parcel & (parcels or {}).get(file[i], frozenset()):
            resent = None  # it came with the counted form, in one zip or mail: not resent
        if resent is not None and not no_points[i] and resent not in lock_files:
            code = "resend_sent_back" if form[i] == vocab.INDIVIDUAL else "unit_resend_sent_back"
            told.append(
                (i, 2, _issue(code, section=section[i], name=name[i], file=resent, about=file[i]))
            )
    from_mtime = set(by_mtime) - set(by_month)
    for i in np.flatnonzero(late).tolist():
        cells = rec["header_cells"][i]
        mtime = i in from_mtime  # what the form wrote (if anything) is no date: say so
        undated = "late_by_folder_date" if i in by_folder else "late_by_mtime"
        if i in by_month:  # 2026年4月 for a deadline of 03-31: late whatever the day
            undated, mtime = "late_by_month", True
        elif i in ahead:  # a date after the sending day: the folder's or the file's decided
            undated = "late_date_ahead_folder" if i in by_folder else "late_date_ahead"
        issue = frames.issue(
            undated if mtime else "late",
            file=file[i],
            sheet=normalize.stripped(rec["sheet"][i]),
            cell=normalize.stripped(cells.get("date")) if isinstance(cells, dict) else "",
            field_key="date",
            value=ahead[i]
            if i in ahead
            else (normalize.stripped(rec["date_written"][i]) if mtime else date[i]),
            date=date[i],
            section=section[i],
            name=name[i],
            phase=phase,
            deadline=deadline,
        )
        told.append((i, 1, issue))
    for i in np.flatnonzero(~found).tolist():
        sent = bounced[form[i]].get(key[i])
        table = (by_rows or {}).get(form[i], {}).get(key[i]) if sent is None else None
        blank = None
        if sent is None and table is None and form[i] == vocab.INDIVIDUAL:
            blank = (empty or {}).get(key[i])
        if blank is not None:
            # their own sheet of a workbook of one sheet per person came with an empty table
            sent = blank["file"]
            told.append(
                (
                    i,
                    0,
                    frames.issue(
                        "empty_sheet",
                        file=sent,
                        sheet=normalize.stripped(blank["sheet"]),
                        cell=normalize.stripped(blank["cell"]),
                        section=section[i],
                        name=name[i],
                        tab=normalize.stripped(blank["sheet"]),
                    ),
                )
            )
        if sent is not None:
            # sent, but nothing of it can be counted: not the same as never sent
            status[i], file[i] = vocab.STATUS_SENT_BACK, sent
            notes[i] = [_note("note_rejected", file=sent)]
            code = "sent_back" if form[i] == vocab.INDIVIDUAL else "unit_sent_back"
            issue = _issue(code, section=section[i], name=name[i], about=sent)
            if sent in no_copy:  # it could not be opened: there is no annotated copy to use
                issue["fix"] = vocab.SENT_BACK_FIX_NO_COPY[form[i]]
        elif table is not None:
            # their rows came in a table of many people's, and every one was sent back
            status[i], file[i] = vocab.STATUS_SENT_BACK, table
            notes[i] = [_note("note_rows_rejected", file=table)]
            code = "rows_sent_back" if form[i] == vocab.INDIVIDUAL else "unit_rows_sent_back"
            issue = _issue(code, section=section[i], name=name[i], about=table)
        elif form[i] == vocab.INDIVIDUAL:
            issue = _issue("not_submitted", section=section[i], name=name[i])
        else:
            issue = _issue("no_unit_form", section=section[i], name="")
        told.append((i, 0, issue))
    if replaced:
        for i, file_ in enumerate(file.tolist()):
            if mine := own(replaced.get(file_, []), i):
                notes.setdefault(i, []).append(vocab.NOTE_REPLACED.format(files="、".join(mine)))
    note = np.full(n, "", dtype=object)
    for i, parts in notes.items():
        # sentences joined: 「…判断是否逾期；替代了旧版本：…」, not 「…逾期。；替代…」
        note[i] = NOTE_JOIN.join(
            part.removesuffix("。") if k < len(parts) - 1 else part for k, part in enumerate(parts)
        )
    labels = {k: vocab.FORM_KIND_LABEL[k] for k in vocab.FORM_KINDS}
    submissions = pd.DataFrame(
        {
            "section": section,
            "name": name,
            "post": post,
            "form": pd.Series(form).map(labels).to_numpy(dtype=object),
            "status": status,
            "date": date,
            "deadline": np.full(n, deadline, dtype=object),
            "file": file,
            "note": note,
        }
    ).astype(dict.fromkeys(SUBMISSION_COLUMNS, "str"))
    pledges = _pledges(
        np.flatnonzero(form == vocab.INDIVIDUAL), section, name, post, found, rec, told
    )
    told.sort(key=lambda t: (t[0], t[1]))  # stable: a slot's issues keep their order
    return submissions, pledges, [issue for _, _, issue in told]


def _pledges(
    person: np.ndarray,
    section: np.ndarray,
    name: np.ndarray,
    post: np.ndarray,
    found: np.ndarray,
    rec: dict[str, np.ndarray],
    told: list[tuple[int, int, dict[str, Any]]],
) -> pd.DataFrame:
    """The 承诺书登记 of the people (``person``: their slots), from their received form's
    承诺书 sheet; the notes of missing or empty pledges go to ``told``."""
    m = len(person)
    status = np.full(m, vocab.PLEDGE_STATUS_NO_FORM, dtype=object)
    date = np.full(m, "", dtype=object)
    items = np.full(m, None, dtype=object)
    for j, i in enumerate(person.tolist()):
        if not found[i]:
            continue
        count = rec["pledge_items"][i]
        count = 0 if count is None or pd.isna(count) else int(count)
        items[j] = count
        date[j] = normalize.stripped(rec["pledge_date"][i])
        has_sheet = rec["pledge_sheet"][i]
        if has_sheet is None or pd.isna(has_sheet) or not bool(has_sheet):
            status[j] = vocab.PLEDGE_STATUS_MISSING
            file = normalize.stripped(rec["file"][i])
            told.append(
                (i, 2, _issue("pledge_missing", file=file, section=section[i], name=name[i]))
            )
        elif count == 0:
            status[j] = vocab.PLEDGE_STATUS_EMPTY
            file = normalize.stripped(rec["file"][i])
            issue = _issue(
                "pledge_empty",
                file=file,
                sheet=normalize.stripped(rec["pledge_sheet_name"][i]) or vocab.SHEET_PLEDGE,
                section=section[i],
                name=name[i],
            )
            told.append((i, 2, issue))
        elif _signed_by_another(rec["pledger"][i], name[i]):
            # a colleague's form taken over, its 承诺书 still theirs
            status[j] = vocab.PLEDGE_STATUS_OTHER_SIGNER
            issue = _issue(
                "pledge_other_signer",
                file=normalize.stripped(rec["file"][i]),
                sheet=normalize.stripped(rec["pledge_sheet_name"][i]) or vocab.SHEET_PLEDGE,
                section=section[i],
                name=name[i],
                value=normalize.stripped(rec["pledger"][i]),
            )
            told.append((i, 2, issue))
        else:
            status[j] = vocab.PLEDGE_STATUS_OK
    frame = pd.DataFrame(
        {
            "section": section[person],
            "name": name[person],
            "post": post[person],
            "date": date,
            "items": items,
            "status": status,
        }
    )
    return _pledge_frame(frame)


def _signed_by_another(pledger: object, name: object) -> bool:
    """Whether a 承诺人 is written and does not hold the person's name (「周科员（签字）」 holds
    周科员's; spacing and full-width forms folded away; 丁玲 is the roster's 丁玲（借调）)."""
    signed, own = normalize.fold(normalize.stripped(pledger)), normalize.fold(name)
    bare = normalize.without_note(own)
    return bool(signed and own) and own not in signed and not (bare and bare in signed)


def _register_alone(
    pledges: pd.DataFrame, issues: list[dict[str, Any]], sent: dict[str, str]
) -> list[dict[str, Any]]:
    """``pledges.register`` over the 承诺书登记 frame: the people who sent their pledge on its
    own are marked (in place), and the 缺少承诺书 / 承诺书为空 notes about them dropped."""
    if not sent or pledges.empty:
        return issues
    keys = (fold_series(pledges["section"]) + vocab.KEY_SEP + fold_series(pledges["name"])).tolist()
    alone = [k in sent for k in keys]
    if not any(alone):
        return issues
    status = pledges["status"].to_numpy(dtype=object, copy=True)
    done: set[tuple[str, str]] = set()
    for i in np.flatnonzero(alone).tolist():
        status[i] = vocab.PLEDGE_STATUS_ALONE.format(file=Path(sent[keys[i]]).name)
        done.add((pledges["section"].iat[i], pledges["name"].iat[i]))
    pledges["status"] = pd.Series(status, index=pledges.index, dtype="str")
    return [
        i for i in issues if not (i["code"] in _PLEDGE_NOTES and (i["section"], i["name"]) in done)
    ]


def _issue(
    code: str,
    *,
    section: str,
    name: str,
    file: str = "",
    sheet: str = "",
    about: str = "",
    value: str = "",
) -> dict[str, Any]:
    """An issue row whose message names the person and section ({name}, {section}) and, as
    ``{file}``, the file ``about`` (the row itself names ``file``).

    ``frames.issue`` keeps ``section``/``name`` for the columns and does not pass them to the
    message template (a KeyError for these codes), so the row is built here the same way."""
    action, problem, fix = vocab.message(code, section=section, name=name, file=about, value=value)
    return {
        "action": action,
        "code": code,
        "file": file,
        "sheet": sheet,
        "cell": "",
        "field": vocab.PLEDGE_LABELS["pledger"] if value else "",
        "value": value,
        "problem": problem,
        "fix": fix,
        "section": section,
        "name": name,
        "row_id": None,
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({c: "str" for c in columns})


def _pledge_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(PLEDGE_COLUMNS))
    items = frame["items"]
    frame = frame.astype({c: "str" for c in PLEDGE_COLUMNS if c != "items"})
    frame["items"] = pd.array(items.tolist(), dtype="Int64")
    return frame
