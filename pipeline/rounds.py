"""The correction rounds: what is still owed, what changed since the previous run in the same
OUT, and the outputs that make each round ready to send.

- ``pending``: per roster sender, what is still owed: a form never sent (未报送), a form sent but
  nothing of it counted (已报送但被退回), a form counted with some rows sent back; with the
  reason, from the 退回 issues of the file.
- ``state`` / ``previous_state``: what a run leaves for the next one to compare with,
  ``OUT/历次/<run time>/state.json`` beside that run's ``summary.json`` and ``催报名单.txt``.
- ``changes``: the 本轮变化 rows: 退回 problems fixed (已改正) or new (新退回), senders newly
  counted (新接受); what is still open is counted in the sheet's summary line.
- ``write_round_files``: ``科室反馈/<科室>.zip`` per section, ``催报名单.txt``, ``历次/…``.
- ``write_changes_sheet``: the 本轮变化 sheet of the archive and of each feedback workbook.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import frames, resubmit, sheetxml, styles, vocab, xlsx

HISTORY_STATE_FILE = "state.json"
STATE_FORMAT = 1
CHANGE_COLUMNS = ("change", "section", "name", "form", "file", "cell", "problem", "note")
PENDING_COLUMNS = ("section", "name", "form", "status", "file", "reason", "n_problems")
COUNTED = frozenset({vocab.STATUS_ON_TIME, vocab.STATUS_LATE})
PARTLY = "partly"  # pending status: counted, some rows sent back
RESENT = "resent"  # pending status: counted, a later version sent back
SHARED = "\0"  # in _reasons' keys: the file's problems name several people
RESENT_CODES = frozenset({"resend_sent_back", "unit_resend_sent_back"})
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SCREEN_LINES = 20  # how many sections' lines of names the terminal shows
REASON_MAX_CHARS = 120  # of a problem quoted in 催报名单 (异常清单 has it whole)
STRAY_LINES = 10  # unreadable files of nobody quoted in 催报名单 (the rest counted)
SCREEN_NAMES = 8  # names per kind on a section's line (the rest counted: 催报名单.txt has all)


# --------------------------------------------------------------------------------------
# What is still owed
# --------------------------------------------------------------------------------------
def _reasons(issues: pd.DataFrame) -> dict[tuple[str, str], tuple[str, int]]:
    """(file, '') -> (its first 退回 problem, with the cell; number of 退回 problems); for a file
    whose 退回 problems name several people (a section's table, one sheet per person), also
    (file, name) -> the same of that person's own problems, and (file, SHARED) is present."""
    rejecting = issues[(issues["action"] == vocab.ACTION_REJECT) & (issues["file"] != "")]
    if rejecting.empty:
        return {}
    rejecting = rejecting[rejecting["file"].notna()]
    files = rejecting["file"].astype(str).tolist()
    names = (
        rejecting["name"].fillna("").astype(str).tolist()
        if "name" in rejecting
        else [""] * len(files)
    )
    cells, problems = rejecting["cell"].tolist(), rejecting["problem"].tolist()
    named: dict[str, set[str]] = {}
    for file, name in zip(files, names, strict=True):
        named.setdefault(file, set()).add(name)
    counts: dict[tuple[str, str], int] = {}
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for file, name, cell, problem in zip(files, names, cells, problems, strict=True):
        keys = [(file, "")] + ([(file, name)] if len(named[file]) > 1 else [])
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
            if key in out:
                continue
            where, text = str(cell), str(problem).rstrip("。")
            if len(text) > REASON_MAX_CHARS:  # a pasted blob in the cell: 催报名单 is pasted text
                text = text[:REASON_MAX_CHARS] + vocab.ROUND_REASON_CUT
            out[key] = (f"{where}：{text}" if where else text, 0)
        if len(named[file]) > 1:
            out[file, SHARED] = ("", 0)
    return {key: (text, counts.get(key, 0)) for key, (text, _n) in out.items()}


def _reason_of(
    reasons: dict[tuple[str, str], tuple[str, int]], file: str, name: str
) -> tuple[str, int]:
    """A sender's first 退回 problem and count in ``file``: their own where the file's
    problems name several people (``_reasons``), else the file's."""
    if (file, SHARED) in reasons:
        return reasons.get((file, name), ("", 0))
    return reasons.get((file, ""), ("", 0))


def pending(result: frames.RunResult) -> pd.DataFrame:
    """The senders who still owe something, in 提交情况 order (PENDING_COLUMNS)."""
    subs = result.submissions
    if subs is None or subs.empty:
        return pd.DataFrame(columns=list(PENDING_COLUMNS))
    issues = result.issues
    reasons = _reasons(issues)
    owing = (vocab.STATUS_MISSING, vocab.STATUS_SENT_BACK)
    resent: dict[tuple[str, str], str] = {}  # (section, name) -> the later file sent back
    if len(issues) and "code" in issues:
        told = issues[issues["code"].isin(RESENT_CODES)]
        for section, name, file in zip(
            told["section"].tolist(), told["name"].tolist(), told["file"].tolist(), strict=True
        ):
            resent[str(section), str(name)] = str(file)
    columns = [subs[c].tolist() for c in ("section", "name", "form", "status", "file")]
    rows = []
    for section, name, form, status, file in zip(*columns, strict=True):
        status, file = str(status), str(file)
        reason, n = _reason_of(reasons, file, str(name))
        later = resent.get((str(section), str(name)))
        if status in COUNTED and later is not None:
            reason, n = _reason_of(reasons, later, str(name))
            rows.append((section, name, form, RESENT, later, reason, n))
            continue
        if status in COUNTED:
            if not n:
                continue
            status = PARTLY
        elif status not in owing:
            continue
        rows.append((section, name, form, status, file, reason, n))
    return pd.DataFrame(rows, columns=list(PENDING_COLUMNS))


def _by_section(owed: pd.DataFrame) -> dict[str, list[tuple[Any, ...]]]:
    """The owed records (PENDING_COLUMNS tuples) by section in order of first appearance, as
    ``groupby(sort=False)`` gives them (a missing section is left out, as there)."""
    groups: dict[str, list[tuple[Any, ...]]] = {}
    if owed.empty:
        return groups
    columns = [owed[c].tolist() for c in PENDING_COLUMNS]
    for rec in zip(*columns, strict=True):
        if not pd.isna(rec[0]):
            groups.setdefault(rec[0], []).append(rec)
    return groups


STATUS, FILE, REASON, N_PROBLEMS = 3, 4, 5, 6  # places in a PENDING_COLUMNS record


def _names(records: list[tuple[Any, ...]]) -> str:
    return "、".join(rec[1] for rec in records)


def _more(rec: tuple[Any, ...]) -> str:
    n = rec[N_PROBLEMS]
    return vocab.ROUND_MORE_PROBLEMS.format(n=n) if n > 1 else ""


def _dated_out(rec: tuple[Any, ...], dated_out: dict[str, list[str]]) -> str:
    later = dated_out.get(str(rec[FILE]))
    return vocab.ROUND_REMINDER_DATED_OUT.format(files="、".join(later)) if later else ""


def _with_reason(
    records: list[tuple[Any, ...]], dated_out: dict[str, list[str]] | None = None
) -> list[str]:
    return [
        f"{rec[1]}：{rec[REASON] or vocab.ROUND_SEE_ISSUES}{_more(rec)}"
        f"{_dated_out(rec, dated_out or {})}"
        for rec in records
    ]


def _people_and_unit(
    records: list[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    unit_label = vocab.FORM_KIND_LABEL[vocab.UNIT]
    people = [rec for rec in records if rec[2] != unit_label]
    return people, [rec for rec in records if rec[2] == unit_label]


def _unclaimed(
    result: frames.RunResult, owed: pd.DataFrame
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Section -> 「file：first problem」 of the forms of a roster section sent back as a whole
    that no sender is told of (a 姓名 left blank, a name the roster does not hold): they
    still have to be corrected, by someone the section knows; and, apart, of the files
    nothing could be read from (a damaged zip, a locked workbook) whose own name names one
    section (「组织宣传部报送材料.zip」) and no sender is told of: that section sent them."""
    files, issues = result.files, result.issues
    if files is None or files.empty or "section" not in files:
        return {}, {}
    forms, unread = _unclaimed_files(result, owed)
    reasons = _reasons(issues) if len(forms) or len(unread) else {}

    def lines(mine: pd.DataFrame) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for file, section in zip(
            frames.text_series(mine["file"]), frames.text_series(mine["section"]), strict=True
        ):
            reason, n = reasons.get((file, ""), ("", 0))
            more = vocab.ROUND_MORE_PROBLEMS.format(n=n) if n > 1 else ""
            out.setdefault(section, []).append(f"{file}：{reason or vocab.ROUND_SEE_ISSUES}{more}")
        return out

    return lines(forms), lines(unread)


def _unclaimed_files(
    result: frames.RunResult, owed: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The files of ``_unclaimed``: (forms of a roster section sent back as a whole that no
    sender is told of, files nothing could be read from named after one section), each with
    that section in ``section``."""
    files = result.files
    from pipeline.completeness import roster_sections, unread_of_sections  # (above rounds)

    sections = set(roster_sections(result.roster)) if result.roster is not None else set()
    told = set(owed["file"].astype(str).tolist()) if len(owed) else set()
    status = frames.text_series(files["status"])
    kinds = frames.text_series(files["kind"])
    own = frames.text_series(files["section"])
    rejected = status.eq(frames.FILE_STATUS_REJECTED)
    rejected &= ~frames.text_series(files["file"]).isin(told)
    forms = files[rejected & kinds.isin(list(vocab.FORM_KINDS)) & own.isin(sections)]
    return forms, unread_of_sections(files, sections, told)


def unclaimed_routes(result: frames.RunResult) -> dict[str, str]:
    """file -> section for every form 催报名单 lists under a section though no sender is told
    of it (``_unclaimed``: a 姓名 the roster does not hold, someone who left): the section is
    asked to see to it, so its package holds the reason, the copy and the 本轮变化 lines
    (write_feedback). (A file nothing could be read from, named after a section, stays the
    office's: its name is all that ties it to the section.)"""
    files = result.files
    if files is None or files.empty or "section" not in files:
        return {}
    forms, _unread = _unclaimed_files(result, pending(result))
    return dict(
        zip(frames.text_series(forms["file"]), frames.text_series(forms["section"]), strict=True)
    )


def reminder_text(result: frames.RunResult, owed: pd.DataFrame) -> str:
    """催报名单.txt: per section, who has not sent, whose form was sent back and for what,
    which unit form is missing, which form whose sender is not known was sent back; short
    lines to paste into a message."""
    date = str(result.run_time)[:10]
    lines = [vocab.ROUND_REMINDER_TITLE.format(body=result.body_name, year=result.year, date=date)]
    unclaimed, unread = _unclaimed(result, owed)
    later = resubmit.dated_out(result.files) if result.files is not None else {}
    if owed.empty and not unclaimed and not unread:
        lines += ["", vocab.ROUND_REMINDER_NOTHING]
    groups = _by_section(owed)
    for section in [*unclaimed, *unread]:
        groups.setdefault(section, [])
    for section, group in groups.items():
        lines += ["", vocab.ROUND_REMINDER_SECTION.format(section=section)]
        people, unit = _people_and_unit(group)
        missing = [rec for rec in people if rec[STATUS] == vocab.STATUS_MISSING]
        if missing:
            lines.append(vocab.ROUND_REMINDER_MISSING.format(names=_names(missing)))
        for status, label in (
            (vocab.STATUS_SENT_BACK, vocab.ROUND_REMINDER_SENT_BACK),
            (RESENT, vocab.ROUND_REMINDER_RESENT),
            (PARTLY, vocab.ROUND_REMINDER_PARTLY),
        ):
            part = [rec for rec in people if rec[STATUS] == status]
            if part:
                lines.append(label)
                lines += [f"    {line}" for line in _with_reason(part, later)]
        for rec in unit:
            if rec[STATUS] == vocab.STATUS_MISSING:
                lines.append(vocab.ROUND_REMINDER_UNIT_MISSING)
            else:
                label = {
                    vocab.STATUS_SENT_BACK: vocab.ROUND_REMINDER_UNIT_SENT_BACK,
                    RESENT: vocab.ROUND_REMINDER_UNIT_RESENT,
                }.get(rec[STATUS], vocab.ROUND_REMINDER_UNIT_PARTLY)
                label = label.format(file=rec[FILE])
                reason = rec[REASON] or vocab.ROUND_SEE_ISSUES
                lines.append(f"{label}{reason}{_more(rec)}{_dated_out(rec, later)}")
        if unclaimed.get(section):
            lines.append(vocab.ROUND_REMINDER_UNCLAIMED)
            lines += [f"    {line}" for line in unclaimed[section]]
        if unread.get(section):
            lines.append(vocab.ROUND_REMINDER_UNREAD)
            lines += [f"    {line}" for line in unread[section]]
    stray = _unread_of_nobody(result, owed)
    if stray:
        lines += ["", vocab.ROUND_REMINDER_STRAY, *[f"    {line}" for line in stray]]
    # how to correct: only under a form sent back (whole or in part) which has a copy to
    # correct; not under forms not yet sent, nor under 「全部人员和科室都已报送」, nor where
    # every file listed could not be opened (a password, a damaged file: there is no copy)
    if unclaimed or _has_copy(result, owed):
        lines += ["", vocab.ROUND_REMINDER_FOOTER]
    return "\r\n".join(lines) + "\r\n"


def _unread_of_nobody(result: frames.RunResult, owed: pd.DataFrame) -> list[str]:
    """「file：reason」 of the files nothing could be read from that name no sender and no one
    section (「附件3.xlsx」 with a password), when someone is still 未报送: theirs may be in one."""
    files = result.files
    if owed.empty or files is None or files.empty or "section" not in files:
        return []
    if not owed["status"].eq(vocab.STATUS_MISSING).any():
        return []
    from pipeline.completeness import roster_sections, unread_of_nobody  # (above rounds)

    sections = set(roster_sections(result.roster)) if result.roster is not None else set()
    told = set(frames.text_series(owed["file"]).tolist())
    stray = unread_of_nobody(files, sections, told)
    if not len(stray):
        return []
    reasons = _reasons(result.issues)
    names = frames.text_series(stray["file"]).tolist()
    lines = [
        f"{file}：{reasons.get((file, ''), ('', 0))[0] or vocab.ROUND_SEE_ISSUES}"
        for file in names[:STRAY_LINES]
    ]
    if len(names) > STRAY_LINES:
        lines.append(vocab.ROUND_REMINDER_STRAY_MORE.format(n=len(names) - STRAY_LINES))
    return lines


def _has_copy(result: frames.RunResult, owed: pd.DataFrame) -> bool:
    """Whether some form ``owed`` lists as sent back (whole or in part) was opened, so has an
    annotated copy in the feedback (write_feedback makes none of a file it could not open)."""
    if owed.empty:
        return False
    sent = frames.text_series(owed.loc[owed["status"] != vocab.STATUS_MISSING, "file"])
    if sent.empty:
        return False
    files = result.files
    if files is None or files.empty or "reason" not in files:
        return True
    unopened = files.loc[frames.text_series(files["reason"]).isin(frames.UNOPENABLE_REASONS)]
    return bool((~sent.isin(frames.text_series(unopened["file"]))).any())


def screen_lines(owed: pd.DataFrame, result: frames.RunResult | None = None) -> list[str]:
    """Who is missing or sent back, by name, one line per section (at most a screenful); with
    ``result``, also the files 催报名单 asks a section about though no sender is told of them
    (``_unclaimed``: a form naming no roster sender, a file named after it nothing was read
    from), counted, so a section 催报名单 lists is never missing from the screen."""
    lines = []
    unclaimed, unread = _unclaimed(result, owed) if result is not None else ({}, {})
    groups = _by_section(owed)
    for section in [*unclaimed, *unread]:
        groups.setdefault(section, [])
    unit_label = vocab.FORM_KIND_LABEL[vocab.UNIT]
    unit_status = {
        vocab.STATUS_MISSING: vocab.STATUS_MISSING,
        PARTLY: vocab.ROUND_SCREEN_PARTLY,
        RESENT: vocab.ROUND_SCREEN_RESENT,
    }
    for section, group in groups.items():
        parts = []
        people, unit = _people_and_unit(group)
        for status, label in (
            (vocab.STATUS_MISSING, vocab.STATUS_MISSING),
            (vocab.STATUS_SENT_BACK, vocab.ROUND_SCREEN_SENT_BACK),
            (RESENT, vocab.ROUND_SCREEN_RESENT),
            (PARTLY, vocab.ROUND_SCREEN_PARTLY),
        ):
            part = [rec for rec in people if rec[STATUS] == status]
            if len(part) > SCREEN_NAMES:
                names = vocab.ROUND_SCREEN_NAMES_MORE.format(
                    names=_names(part[:SCREEN_NAMES]), n=len(part)
                )
                parts.append(f"{label} {names}")
            elif part:
                parts.append(f"{label} {_names(part)}")
        for rec in unit:
            parts.append(
                f"{unit_label}{unit_status.get(rec[STATUS], vocab.ROUND_SCREEN_SENT_BACK)}"
            )
        if unclaimed.get(section):
            parts.append(vocab.ROUND_SCREEN_UNCLAIMED.format(n=len(unclaimed[section])))
        if unread.get(section):
            parts.append(vocab.ROUND_SCREEN_UNREAD.format(n=len(unread[section])))
        lines.append(f"    {section}：" + "；".join(parts))
    if len(lines) > SCREEN_LINES:
        rest = len(lines) - SCREEN_LINES + 1
        lines = [*lines[: SCREEN_LINES - 1], vocab.ROUND_SCREEN_MORE.format(n=rest)]
    return lines


def counts(result: frames.RunResult) -> dict[str, dict[str, int]]:
    """Submissions counted apart for people (个人表) and sections (单位表)."""
    subs = result.submissions
    out = {}
    for key, kind in (("people", vocab.INDIVIDUAL), ("units", vocab.UNIT)):
        part = subs[subs["form"] == vocab.FORM_KIND_LABEL[kind]] if len(subs) else subs
        status = part["status"] if len(part) else pd.Series(dtype="str")
        out[key] = {
            "expected": len(part),
            "counted": int(status.isin(COUNTED).sum()),
            "late": int((status == vocab.STATUS_LATE).sum()),
            "sent_back": int((status == vocab.STATUS_SENT_BACK).sum()),
            "missing": int((status == vocab.STATUS_MISSING).sum()),
        }
    return out


# --------------------------------------------------------------------------------------
# State kept for the next run, and what changed since the previous one
# --------------------------------------------------------------------------------------
_KEY_SEP = "\x1f"


def _problem_key(section: str, name: str, kind: str, code: str, field: str, cell: str, file: str):
    # who + what + where (the cell last: _moved pairs keys that differ only there); the file
    # only when nobody could be named (a form without 姓名)
    who = name if (name or kind == vocab.UNIT) else f"@{file}"
    return _KEY_SEP.join((section, who, kind, code, field, cell))


def state(result: frames.RunResult) -> dict[str, Any]:
    """What the next run compares with: every sender's state and every open 退回 problem."""
    files = result.files
    kind_of = dict(
        zip(frames.text_series(files["file"]), frames.text_series(files["kind"]), strict=True)
    )
    issues = result.issues
    rejecting = issues[issues["action"] == vocab.ACTION_REJECT]
    fields = ("section", "name", "code", "field", "cell", "file", "problem")
    problems = []
    columns = [rejecting[c].tolist() for c in fields] if len(rejecting) else [[]] * len(fields)
    for section, name, code, field, cell, file, problem in zip(*columns, strict=True):
        kind = kind_of.get(file, "")
        problems.append(
            {
                "key": _problem_key(section, name, kind, code, field, cell, file),
                "section": section,
                "name": name,
                "form": vocab.FORM_KIND_LABEL.get(kind, ""),
                "file": file,
                "cell": cell,
                "problem": problem,
            }
        )
    subs = result.submissions
    keys = ("section", "name", "form", "status", "file")
    senders = (
        [
            dict(zip(keys, values, strict=True))
            for values in zip(*(subs[c].tolist() for c in keys), strict=True)
        ]
        if len(subs)
        else []
    )
    return {
        "format": STATE_FORMAT,
        "year": int(result.year),  # rounds are of one year: another year's run is no round
        "body": str(result.body_name or ""),  # and of one body: another body's run is none
        "run_time": str(result.run_time),
        "senders": senders,
        "problems": problems,
        "superseded": _superseded(files),
        # every file of this run: a problem of last run whose file is not among them left
        # with its file (rounds.changes), it was not corrected
        "files": sorted(set(frames.text_series(files["file"]).tolist())),
    }


def _superseded(files: pd.DataFrame) -> dict[str, str]:
    if "superseded_by" not in files:
        return {}
    pairs = zip(
        frames.text_series(files["file"]), frames.text_series(files["superseded_by"]), strict=True
    )
    return {old: new for old, new in pairs if new}


def previous_state(out: Path, year: int | None = None) -> dict[str, Any] | None:
    """The state the latest earlier run of ``year`` saved in ``OUT/历次/`` (highest
    sequence), or None."""
    return previous_states(out, year)[0]


def previous_states(
    out: Path, year: int | None = None, body: str | None = None
) -> tuple[dict[str, Any] | None, set[int | str]]:
    """(the state the latest earlier run of ``year`` and ``body`` saved in ``OUT/历次/``,
    highest sequence, or None; the other years (int) and bodies (str) whose runs are
    there). A new year's first run in the OUT of last year's rounds compares with nothing:
    last year's 退回 were not 已改正 by this year's forms; nor does a body's first run in an
    OUT of another body's runs (the demo tried first): the demo's people were never this
    body's. A state saved before states named their year (body) counts as of any year
    (body), unless a run of another year (body) came after it."""
    history = out / vocab.HISTORY_DIR
    best: dict[str, Any] | None = None
    others: set[int | str] = set()
    if not history.is_dir():
        return None, others
    states = []
    for folder in sorted(history.iterdir()):
        try:
            data = json.loads((folder / HISTORY_STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not _valid_state(data):
            continue  # damaged or of another format: passed over like an unreadable one
        states.append(data)
    folded = vocab.fold(body) if body is not None else None

    def other(data: dict[str, Any]) -> int | str | None:
        """The state's year, else its body, when it is another's than this run's."""
        of_year, of_body = data.get("year"), data.get("body")
        if year is not None and isinstance(of_year, int) and of_year != year:
            return of_year
        if folded is not None and isinstance(of_body, str) and vocab.fold(of_body) != folded:
            return of_body
        return None

    other_since = {"year": -1, "body": -1}  # the latest run of another year, of another body
    for data in states:
        label = other(data)
        if label is not None:
            others.add(label)
            kind = "year" if isinstance(label, int) else "body"
            other_since[kind] = max(other_since[kind], data.get("sequence", 0))
    for data in states:
        if other(data) is not None:
            continue
        sequence = data.get("sequence", 0)
        if not isinstance(data.get("year"), int) and sequence <= other_since["year"]:
            continue  # unnamed, and another year's run came after it
        if not isinstance(data.get("body"), str) and sequence <= other_since["body"]:
            continue  # unnamed, and another body's run came after it
        if best is None or sequence >= best.get("sequence", 0):
            best = data
    return best, others


PROBLEM_FIELDS = ("key", "section", "name", "form", "file", "cell", "problem")
SENDER_FIELDS = ("section", "name", "form", "status", "file")


def _valid_state(data: object) -> bool:
    """Whether an earlier run's state.json has the shape ``changes`` reads: the format, an
    integer sequence, and lists of records with text fields (the office's folder holds it)."""
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        return False
    sequence = data.get("sequence", 0)
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        return False
    for name, fields in (("problems", PROBLEM_FIELDS), ("senders", SENDER_FIELDS)):
        records = data.get(name, [])
        if not isinstance(records, list):
            return False
        for rec in records:
            if not isinstance(rec, dict) or not all(isinstance(rec.get(f), str) for f in fields):
                return False
    return isinstance(data.get("run_time", ""), str)


def changes(previous: dict[str, Any] | None, current: dict[str, Any]) -> pd.DataFrame | None:
    """The 本轮变化 rows (CHANGE_COLUMNS) of ``current`` against ``previous`` (None: none)."""
    if previous is None:
        return None
    rows: list[tuple[str, ...]] = []
    replaced = current.get("superseded", {})
    before = {_successor_key(p, replaced): p for p in previous.get("problems", [])}
    now = {p["key"]: p for p in current["problems"]}
    moved = _moved(before, now)
    present = set(current["files"]) if "files" in current else None
    sent = {
        (s["section"], s["name"], s["form"]): s["file"]
        for s in current["senders"]
        if s["status"] != vocab.STATUS_MISSING and s["file"]
    }
    # files counted now: a problem gone with no newer file, its file counted, was settled by
    # the office (the roster or the settings changed), not by the sender
    counted_now = {s["file"] for s in current["senders"] if s["status"] in COUNTED}
    for key, p in before.items():
        if key not in now and key not in moved:
            change = vocab.ROUND_CHANGE_FIXED
            newer = replaced.get(p["file"], "")
            if not newer and present is not None and p["file"] and p["file"] not in present:
                # its file left the inbox: corrected only when the sender sent another since
                named = p["name"] or p["form"] == vocab.FORM_KIND_LABEL[vocab.UNIT]
                newer = sent.get((p["section"], p["name"], p["form"]), "") if named else ""
                if not newer:
                    change = vocab.ROUND_CHANGE_GONE
            note = vocab.ROUND_CHANGE_REPLACED.format(file=newer) if newer else ""
            if change == vocab.ROUND_CHANGE_GONE:
                note = vocab.ROUND_CHANGE_GONE_NOTE
            elif not newer and p["file"] in counted_now:
                note = vocab.ROUND_CHANGE_SAME_FILE
            section, name, form = p["section"], p["name"], p["form"]
            if change == vocab.ROUND_CHANGE_FIXED and newer:
                section, name, form = _closed_by(p, _latest(newer, replaced), current["senders"])
            rows.append(
                (change, section, name, form, p["file"], p["cell"], p["problem"], note)
            )  # fmt: skip
    for key, p in now.items():
        if key not in before and key not in moved:
            rows.append(
                (vocab.ROUND_CHANGE_NEW_REJECT, p["section"], p["name"], p["form"], p["file"],
                 p["cell"], p["problem"], "")
            )  # fmt: skip
    was = {(s["section"], s["name"], s["form"]): s["status"] for s in previous.get("senders", [])}
    # the files counted last run, by whom: a sender the roster moved or renamed whose same
    # file counts again under the new section was not newly accepted
    counted_files = {
        (s["file"], s["name"], s["form"])
        for s in previous.get("senders", [])
        if s["status"] in COUNTED and s["file"]
    }
    for s in current["senders"]:
        if (s["file"], s["name"], s["form"]) in counted_files:
            continue
        if s["status"] in COUNTED and was.get((s["section"], s["name"], s["form"])) not in COUNTED:
            note = was.get((s["section"], s["name"], s["form"]), "")
            rows.append(
                (vocab.ROUND_CHANGE_ACCEPTED, s["section"], s["name"], s["form"], s["file"], "",
                 s["status"], vocab.ROUND_CHANGE_WAS.format(status=note) if note else "")
            )  # fmt: skip
    rows += _dropped(previous, current)
    order = {c: i for i, c in enumerate(vocab.ROUND_CHANGES)}
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS)).astype("str")
    frame["_order"] = frame["change"].map(order)
    frame = frame.sort_values(["_order", "section", "name", "file", "cell"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def _dropped(previous: dict[str, Any], current: dict[str, Any]) -> list[tuple[str, ...]]:
    """不再计入 rows: a sender counted last run whose points left the catalogue, which must
    not happen without a word: nothing of theirs came in now (the file deleted or moved out
    of the inbox), their form is now sent back as a whole (it names the section the roster
    moved them from, a setting changed), or they are no longer in the roster. A sender the
    roster moved or renamed is found by the file last counted, else by name."""
    now = {(s["section"], s["name"], s["form"]): s for s in current["senders"]}
    by_file: dict[str, list[dict[str, Any]]] = {}
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in current["senders"]:
        if s["file"]:
            by_file.setdefault(s["file"], []).append(s)
        if s["name"]:
            by_name.setdefault((s["name"], s["form"]), []).append(s)
    rows = []
    for before in previous.get("senders", []):
        if before["status"] not in COUNTED:
            continue
        key = (before["section"], before["name"], before["form"])
        file = before["file"]
        s = now.get(key)
        if s is None:
            same = [c for c in by_file.get(file, []) if c["form"] == before["form"]]
            if not same and before["name"]:
                same = by_name.get((before["name"], before["form"]), [])
            if len(same) > 1:
                continue  # several candidates: nothing sure to say
            s = same[0] if same else None
        if s is None:  # taken out of the roster (a person who left, a section dissolved)
            rows.append(
                (vocab.ROUND_CHANGE_DROPPED, *key, file, "", vocab.ROUND_DROPPED_NOT_IN_ROSTER,
                 vocab.ROUND_CHANGE_DROPPED_ROSTER_NOTE)
            )  # fmt: skip
            continue
        if s["status"] in COUNTED:
            continue
        if s["status"] == vocab.STATUS_MISSING:
            note = vocab.ROUND_CHANGE_DROPPED_NOTE
        else:
            note = vocab.ROUND_CHANGE_DROPPED_SENT_BACK_NOTE.format(file=s["file"])
        if s["section"] != before["section"]:
            note = (
                vocab.ROUND_CHANGE_DROPPED_MOVED.format(was=before["section"], section=s["section"])
                + note
            )
        rows.append(
            (vocab.ROUND_CHANGE_DROPPED, s["section"], s["name"], s["form"], file, "",
             s["status"], note)
        )  # fmt: skip
    return rows


def _latest(file: str, replaced: dict[str, str]) -> str:
    """The end of ``file``'s chain of versions (``state``'s superseded map)."""
    seen = {file}
    while file in replaced and replaced[file] not in seen:
        file = replaced[file]
        seen.add(file)
    return file


def _closed_by(
    p: dict[str, Any], newer: str, senders: list[dict[str, Any]]
) -> tuple[str, str, str]:
    """(section, name, form) of an 已改正 line: the sender whose counted form ``newer``
    (else whose form sent back, when it is not counted) closed problem ``p``, not what the wrong form said (a blank 姓名, a misspelt name, the
    old section of a person who moved); ``p``'s own when it is among them or the file
    counts for several senders or none."""
    own = (p["section"], p["name"], p["form"])
    found = {
        (s["section"], s["name"], s["form"])
        for s in senders
        if s["file"] == newer and s["status"] in COUNTED
    }
    if not found:  # the newer version sent back in its turn: the sender it is told to
        found = {(s["section"], s["name"], s["form"]) for s in senders if s["file"] == newer}
    if own in found or len(found) != 1:
        return own
    return found.pop()


def dropped_part(dropped: int, gone: int = 0) -> str:
    """The words for forms no longer counted and problems that left with their files, in a
    summary line (none: nothing)."""
    return (vocab.ROUND_CHANGES_DROPPED_PART.format(dropped=dropped) if dropped else "") + (
        vocab.ROUND_CHANGES_GONE_PART.format(gone=gone) if gone else ""
    )


def _successor_key(p: dict[str, Any], replaced: dict[str, str]) -> str:
    """An earlier problem's key as its file's latest version would have it. A problem of a form
    that named nobody is keyed by its file; when that file is now superseded (its annotated copy
    came back), the same problem in the copy is the same sender's, still open, not 已改正 at
    the old file and 新退回 at the copy."""
    key, file = p["key"], p.get("file", "")
    section, sep, rest = key.partition(_KEY_SEP)
    if not rest.startswith(f"@{file}{_KEY_SEP}") or file not in replaced:
        return key
    seen = {file}
    while file in replaced and replaced[file] not in seen:
        file = replaced[file]
        seen.add(file)
    return f"{section}{sep}@{file}{rest[len(p['file']) + 1 :]}"


def _moved(before: dict[str, Any], now: dict[str, Any]) -> set[str]:
    """Keys of problems that only moved: the same person's same problem (reason, field and
    text) at another cell, as when a row was inserted or deleted above it while correcting.
    Such a pair is neither 已改正 nor 新退回; unpaired ones are (in cell order)."""

    def base(key: str, p: dict[str, Any]) -> str:
        return f"{key.rpartition(_KEY_SEP)[0]}{_KEY_SEP}{p.get('problem', '')}"

    gone: dict[str, list[str]] = {}
    for key, p in before.items():
        if key not in now:
            gone.setdefault(base(key, p), []).append(key)
    out: set[str] = set()
    for key, p in now.items():
        if key in before:
            continue
        olds = gone.get(base(key, p))
        if olds:
            out.update((olds.pop(0), key))
    return out


def still_open(current: dict[str, Any]) -> dict[str, int]:
    """Counts of what is still open (for the summary line of 本轮变化): ``problems`` those a
    section can fix, ``nobodys`` those of files that name no section, counted apart."""
    senders, problems = current["senders"], current["problems"]
    unit = vocab.FORM_KIND_LABEL[vocab.UNIT]
    # a problem of a file that names no section (an Excel lock file, the office's own
    # circular, a file no reader opened and no name traces) is no section's to fix
    nobodys = sum(not p["section"] for p in problems)
    return {
        "problems": len(problems) - nobodys,
        "nobodys": nobodys,
        "missing": sum(s["status"] == vocab.STATUS_MISSING and s["form"] != unit for s in senders),
        "sent_back": sum(
            s["status"] == vocab.STATUS_SENT_BACK and s["form"] != unit for s in senders
        ),
        "units": sum(s["status"] not in COUNTED and s["form"] == unit for s in senders),
    }


# --------------------------------------------------------------------------------------
# Files of the round
# --------------------------------------------------------------------------------------
def history_name(run_time: str, history: Path) -> str:
    """A folder name for ``历次/`` from the run time (no ':' for Windows), unique."""
    base = str(run_time).replace("T", "_").replace(":", "")[:17] or "run"
    name, n = base, 2
    while (history / name).exists():
        name = f"{base}-{n:02d}"
        n += 1
    return name


def write_round_files(
    result: frames.RunResult,
    root: Path,
    out: Path,
    current: dict[str, Any],
    previous: dict[str, Any] | None,
    summary: dict[str, Any],
) -> None:
    """Into the staging folder ``root``: the section zips, 催报名单.txt and this run's
    ``历次/<run time>/`` (summary.json, state.json, 催报名单.txt)."""
    feedback = root / vocab.FEEDBACK_DIR
    if feedback.is_dir():
        for folder in sorted(p for p in feedback.iterdir() if p.is_dir()):
            if folder.name != vocab.FEEDBACK_UNKNOWN_SECTION_DIR:
                zip_folder(folder, feedback / f"{folder.name}.zip")
    text = reminder_text(result, pending(result))
    (root / vocab.REMINDER_FILE).write_text(text, encoding="utf-8-sig", newline="")
    history = root / vocab.HISTORY_DIR / history_name(result.run_time, out / vocab.HISTORY_DIR)
    history.mkdir(parents=True)
    sequence = int(previous.get("sequence", 0)) + 1 if previous else 1
    (history / HISTORY_STATE_FILE).write_text(
        json.dumps({**current, "sequence": sequence}, ensure_ascii=False), encoding="utf-8"
    )
    (history / vocab.SUMMARY_FILE).write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (history / vocab.REMINDER_FILE).write_text(text, encoding="utf-8-sig", newline="")


def zip_folder(folder: Path, target: Path) -> None:
    """``target`` holds exactly ``folder``'s files under ``<folder name>/``, deterministic
    (sorted, fixed dates); workbooks are stored (they are zips already)."""
    with zipfile.ZipFile(target, "w") as zf:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                arcname = f"{folder.name}/{path.relative_to(folder).as_posix()}"
                info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
                info.external_attr = 0o644 << 16
                info.compress_type = (
                    zipfile.ZIP_STORED if name.endswith(".xlsx") else zipfile.ZIP_DEFLATED
                )
                zf.writestr(info, path.read_bytes())


# --------------------------------------------------------------------------------------
# The 本轮变化 sheet
# --------------------------------------------------------------------------------------
def sheet_args(
    result: frames.RunResult, section: str | None = None, known: set[str] | None = None
) -> tuple[pd.DataFrame | None, dict[str, int], str | None, str | None]:
    """The arguments of ``write_changes_sheet`` for the archive (no ``section``, no
    ``known``), one section's feedback, or (``section`` None, ``known`` the roster sections)
    the feedback of what belongs to no section."""
    info = result.round_state or {}
    current = info.get("current") or state(result)
    frame = result.changes

    def mine(value: str) -> bool:
        if known is not None:
            return value not in known
        return section is None or value == section

    if frame is not None:
        frame = frame[frame["section"].map(mine)] if len(frame) else frame
    subset = {
        "senders": [s for s in current["senders"] if mine(s["section"])],
        "problems": [p for p in current["problems"] if mine(p["section"])],
    }
    return frame, still_open(subset), info.get("previous_run"), _first_note(info)


def _first_note(info: dict[str, Any]) -> str | None:
    """The 本轮变化 line of a first run when the OUT holds runs of other years (or other
    bodies) only."""
    others = info.get("other_years") or set()
    years = sorted(y for y in others if isinstance(y, int))
    bodies = sorted(b for b in others if isinstance(b, str))
    if years:
        return vocab.ROUND_CHANGES_FIRST_OF_YEAR.format(
            year=info["current"]["year"], years="、".join(str(y) for y in years)
        )
    if bodies:
        return vocab.ROUND_CHANGES_FIRST_OF_BODY.format(
            body=info["current"].get("body", ""), bodies="」「".join(bodies)
        )
    return None


def section_sheet_args(
    result: frames.RunResult,
    sections: list[str],
    moved: dict[str, str | None] | None = None,
    placed: dict[tuple[str, ...], set[str | None]] | None = None,
    routes: dict[str, str | None] | None = None,
) -> dict[str | None, tuple[pd.DataFrame | None, dict[str, int], str | None, str | None]]:
    """``sheet_args`` of every section's feedback and (under None) of the feedback of what
    belongs to no section (``sections`` the roster sections), grouped in one pass each.
    ``moved``: file -> section (None: the feedback of no section) for the files the
    feedback sends elsewhere than the section they name (a sender's form naming a former or
    renamed section; a form of someone not in the roster): their problems and changes go
    with them. ``placed``: (file, section, name, cell, problem) -> the folders whose 异常清单
    list that 退回 (a row of another section's in a section's table is listed in both): this
    run's problems go there. ``routes``: file -> its feedback folder now, where a problem
    of the previous run that was settled is also told (the sender corrected its file)."""
    info = result.round_state or {}
    current = info.get("current") or state(result)
    frame = result.changes
    known = set(sections)
    moved = moved or {}
    placed = placed or {}
    routes = routes or {}

    def folder(section: str, file: str) -> str | None:
        if file in moved:
            return moved[file]
        return section if section in known else None

    def folders(p: dict[str, Any] | tuple[Any, ...], settled: bool = False) -> set[str | None]:
        if isinstance(p, dict):
            p = (p["section"], p["name"], p["file"], p["cell"], p["problem"])
        section, name, file, cell, problem = ("" if xlsx.is_missing(v) else str(v) for v in p)
        found = placed.get((file, section, name, cell, problem))
        if found:
            return found
        where = {folder(section, file)}
        if settled and routes.get(file) is not None:
            where.add(routes[file])
        return where

    senders: dict[str | None, list[dict[str, Any]]] = {}
    problems: dict[str | None, list[dict[str, Any]]] = {}
    for entry in current["senders"]:
        senders.setdefault(folder(entry["section"], ""), []).append(entry)
    for entry in current["problems"]:
        for where in folders(entry):
            problems.setdefault(where, []).append(entry)
    frames_by: dict[str | None, pd.DataFrame] = {}
    if frame is not None and len(frame):
        columns = [frame[c].tolist() for c in CHANGE_COLUMNS[:7]]
        settled = {vocab.ROUND_CHANGE_FIXED, vocab.ROUND_CHANGE_GONE}
        rows: dict[str | None, list[int]] = {}
        for i, (change, section, name, _, file, cell, problem) in enumerate(zip(*columns)):
            if change in settled or change == vocab.ROUND_CHANGE_NEW_REJECT:
                where = folders((section, name, file, cell, problem), change in settled)
            else:
                where = {folder(str(section), str(file))}
            for each in where:
                rows.setdefault(each, []).append(i)
        frames_by = {k: frame.iloc[v] for k, v in rows.items()}
    args = {}
    for section in [*sections, None]:
        part = frame
        if frame is not None and len(frame):
            part = frames_by.get(section, frame.iloc[0:0])
        subset = {"senders": senders.get(section, []), "problems": problems.get(section, [])}
        args[section] = (part, still_open(subset), info.get("previous_run"), _first_note(info))
    return args


def add_changes_sheet(wb: Any, result: frames.RunResult) -> None:
    """The archive's 本轮变化 sheet."""
    write_changes_sheet(wb, *sheet_args(result), header_left=xlsx.cell_text(result.body_name))


def write_changes_sheet(
    wb: Any,
    changes_frame: pd.DataFrame | None,
    open_counts: dict[str, int] | None,
    previous_run: str | None,
    first_note: str | None = None,
    header_left: str | None = None,
) -> None:
    """Add the 本轮变化 sheet to an xlsxwriter workbook: a summary line, then one row per
    change (CHANGE_COLUMNS), header on row 3; ``header_left``: the page header's left part
    (body, and section in a feedback), as on the workbook's other sheets."""
    ws = wb.add_worksheet(vocab.SHEET_CHANGES)
    base = {"font_name": xlsx.FONT_NAME, "font_size": 10, "valign": "top", "text_wrap": True}
    title = wb.add_format({**base, "bold": True, "font_size": 14, "text_wrap": False})
    plain = wb.add_format({**base, "text_wrap": False})
    wrapped = wb.add_format(base)
    header = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "D9E1F2"})
    cell = wb.add_format({**base, "border": 1})
    labels = [vocab.CHANGE_COLUMN_LABELS[c] for c in CHANGE_COLUMNS]
    widths = (8, 12, 8, 6, 30, 6, 40, 24)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    # explicit scale, one page wide, text never printed below 8 pt (styles.page_setup)
    styles.page_setup(
        ws, scale=styles.print_scale(widths), header_left=header_left, repeat_rows=(2, 2)
    )
    if changes_frame is None:
        ws.write_string(0, 0, vocab.ROUND_CHANGES_TITLE_FIRST, title)
        ws.write_string(1, 0, first_note or vocab.ROUND_CHANGES_FIRST_RUN, plain)
        rows = None  # no changes on a first run
    else:
        ws.write_string(0, 0, vocab.ROUND_CHANGES_TITLE.format(previous=previous_run or ""), title)
        n = changes_frame["change"].value_counts()
        summary = vocab.ROUND_CHANGES_SUMMARY.format(
            fixed=int(n.get(vocab.ROUND_CHANGE_FIXED, 0)),
            accepted=int(n.get(vocab.ROUND_CHANGE_ACCEPTED, 0)),
            new=int(n.get(vocab.ROUND_CHANGE_NEW_REJECT, 0)),
            dropped_part=dropped_part(
                int(n.get(vocab.ROUND_CHANGE_DROPPED, 0)), int(n.get(vocab.ROUND_CHANGE_GONE, 0))
            ),
            **(open_counts or {}),
        )
        nobodys = (open_counts or {}).get("nobodys", 0)
        if nobodys:
            summary += vocab.ROUND_CHANGES_NOBODYS_PART.format(n=nobodys)
        if changes_frame.empty:
            summary = vocab.ROUND_CHANGES_NONE + summary
        ws.merge_range(1, 0, 1, len(labels) - 1, summary, wrapped)
        # as tall as its wrapped lines over the merged width (at least two)
        (height,) = sheetxml.row_heights([[summary]], [sum(widths)], [True]).tolist()
        ws.set_row(1, max(30, height))
        rows = changes_frame
    for c, label in enumerate(labels):
        ws.write_string(2, c, label, header)
    n_rows = 0 if rows is None else len(rows)
    if n_rows:  # (a frame's itertuples costs ~1 ms even empty: once per section workbook)
        texts = [
            [xlsx.cell_text(value) or "" for value in values]
            for values in rows[list(CHANGE_COLUMNS)].itertuples(index=False)
        ]
        # LibreOffice does not grow rows on load: each row as tall as its wrapped lines
        heights = sheetxml.row_heights(
            [list(column) for column in zip(*texts, strict=True)], widths, [True] * len(widths)
        )
        for r, (values, height) in enumerate(zip(texts, heights.tolist(), strict=True), start=3):
            ws.set_row(r, height)
            for c, value in enumerate(values):
                ws.write_string(r, c, value, cell)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, 2 + n_rows, len(labels) - 1)
