"""Completeness against the roster: who submitted, on time or late, pledges, unit forms.

- Only files with status 'read' count as a submission; a rejected file leaves its sender 未提交
  (with a note); superseded files are not the submission.
- Lateness compares the form's 填表日期 with ``year``-MM-DD of the ``settings.late_phase``
  deadline; without a 填表日期 the file's modification date (local time) stands in, and the
  note says so.
- Every roster section owes a unit form, except the leadership section: one whose roster
  members are all body leaders (the 主席 and the 分管副主席). A unit form received from such a
  section is still listed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from pipeline import frames, normalize, owners, resubmit, vocab
from pipeline.config import Roster, Settings
from pipeline.merge import fold_series, text_series
from pipeline.pledges import register as register_pledges
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
    "date_written",  # set by validate when the 填表日期 could not be read
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


def _latest(files: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """One file per sender (key -> files record): the latest by 填表日期, then the mail
    folder's date, then modification time, then path (resubmit.ORDER_COLUMNS)."""
    order = files.iloc[resubmit.latest_order(files)]
    latest = order.iloc[resubmit.last_of_each(order["_key"].to_numpy(dtype=object))]
    columns = [latest[c].tolist() if c in latest else [None] * len(latest) for c in _FILE_FIELDS]
    records = [dict(zip(_FILE_FIELDS, values, strict=True)) for values in zip(*columns)]
    return dict(zip(latest["_key"].tolist(), records, strict=True))


def _sender_keys(files: pd.DataFrame, section_key: pd.Series, name_key: pd.Series) -> pd.Series:
    """科室|姓名 (folded) of an individual form's sender, 科室| of a unit form's."""
    individual = text_series(files["kind"]) == vocab.INDIVIDUAL
    return section_key + "|" + name_key.where(individual, "")


def _bounced(rejected: pd.DataFrame, roster: Roster) -> dict[str, dict[str, str]]:
    """Rejected forms by sender key -> file. The sender is read from the header when it names a
    roster person (or section, for unit forms); otherwise a roster name (a section name, for
    unit forms) written in the file's path identifies it, when exactly one matches."""
    persons: dict[str, list[str]] = {}  # folded name -> sender keys
    names = roster.people["name"].tolist()
    for section, name, clean in zip(
        roster.people["section"].tolist(), names, normalize.stripped_all(names), strict=True
    ):
        if clean:
            folded = normalize.fold(name)
            persons.setdefault(folded, []).append(normalize.fold(section) + "|" + folded)
    person_keys = {k for keys in persons.values() for k in keys}
    sections = {normalize.fold(sec): sec for sec in roster_sections(roster)}
    longest = max((len(n) for n in persons), default=0)
    out: dict[str, dict[str, str]] = {vocab.INDIVIDUAL: {}, vocab.UNIT: {}}
    ordered = rejected.sort_values("file", kind="stable")
    for key, kind, file in zip(
        ordered["_key"].tolist(),
        text_series(ordered["kind"]).tolist(),
        text_series(ordered["file"]).tolist(),
        strict=True,
    ):
        if kind != vocab.UNIT and key in person_keys:
            out[vocab.INDIVIDUAL].setdefault(key, file)
            continue
        if kind == vocab.UNIT and key.removesuffix("|") in sections:
            out[vocab.UNIT].setdefault(key, file)
            continue
        path = normalize.fold(file)
        if kind == vocab.UNIT:
            found = {f"{sec}|" for sec in sections if sec and sec in path}
            # 组织宣传部 contains 宣传部: the longest section name written wins
            found = {k for k in found if not any(k[:-1] in o and k != o for o in found)}
            if len(found) == 1:
                out[vocab.UNIT].setdefault(found.pop(), file)
            continue
        words = {path[i : i + n] for n in range(2, longest + 1) for i in range(len(path) - n + 1)}
        matches = {k for w in words & persons.keys() for k in persons[w]}
        if len(matches) == 1:
            out[vocab.INDIVIDUAL].setdefault(matches.pop(), file)
    return out


def completeness(
    files: pd.DataFrame, points: pd.DataFrame, roster: Roster, settings: Settings, year: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(submissions, pledges, issues) of the roster against the files received."""
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
    read_by = {k: _latest(read[text_series(read["kind"]) == k]) for k in vocab.FORM_KINDS}
    bounced = _bounced(rejected, roster)
    accepted_files = set(text_series(points["file"]).tolist()) if "file" in points else set()

    leadership = leadership_sections(roster)
    people = roster.people
    by_section: dict[str, list[tuple[str, str]]] = {}  # (name, post), cleaned
    for section, name, post in zip(
        normalize.stripped_all(people["section"].tolist()),
        normalize.stripped_all(people["name"].tolist()),
        normalize.stripped_all(people["post"].tolist()),
        strict=True,
    ):
        by_section.setdefault(section, []).append((name, post))
    unit_sent = set(read_by[vocab.UNIT])

    submissions: list[dict[str, Any]] = []
    pledges: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []

    def submission(
        section: str, name: str, post: str, form: str, key: str
    ) -> dict[str, Any] | None:
        found = read_by[form].get(key)
        row = {
            "section": section,
            "name": name,
            "post": post,
            "form": vocab.FORM_KIND_LABEL[form],
            "deadline": deadline,
        }
        notes: list[str] = []
        if found is None and key in bounced[form]:
            # sent, but nothing of it can be counted: not the same as never sent
            file = bounced[form][key]
            row.update(status=vocab.STATUS_SENT_BACK, date="", file=file)
            notes.append(_note("note_rejected", file=file))
            code = "sent_back" if form == vocab.INDIVIDUAL else "unit_sent_back"
            issues.append(_issue(code, section=section, name=name, about=file))
        elif found is None:
            row.update(status=vocab.STATUS_MISSING, date="", file="")
            if form == vocab.INDIVIDUAL:
                issues.append(_issue("not_submitted", section=section, name=name))
            else:
                issues.append(_issue("no_unit_form", section=section, name=""))
        else:
            date = normalize.stripped(found["date"])
            if not date:
                date = _mtime_date(found["mtime"])
                written = normalize.stripped(
                    found.get("date_written")
                )  # an unreadable 填表日期 (validate)
                if written:
                    notes.append(_note("note_bad_date", value=written, date=date))
                else:
                    notes.append(_note("note_no_date", date=date))
            late = bool(date) and date > deadline
            row.update(
                status=vocab.STATUS_LATE if late else vocab.STATUS_ON_TIME,
                date=date,
                file=normalize.stripped(found["file"]),
            )
            if row["file"] not in accepted_files:
                # read, but every row was sent back: nothing of it counts yet
                row["status"], late = vocab.STATUS_SENT_BACK, False
                notes.append(_note("note_no_points"))
                code = "sent_back" if form == vocab.INDIVIDUAL else "unit_sent_back"
                issues.append(_issue(code, section=section, name=name, about=row["file"]))
            if late:
                cells = found["header_cells"]
                issues.append(
                    frames.issue(
                        "late",
                        file=row["file"],
                        sheet=normalize.stripped(found["sheet"]),
                        cell=normalize.stripped(cells.get("date"))
                        if isinstance(cells, dict)
                        else "",
                        field_key="date",
                        value=date,
                        section=section,
                        name=name,
                        phase=phase,
                        deadline=deadline,
                    )
                )
        if replaced.get(row["file"]):
            notes.append(vocab.NOTE_REPLACED.format(files="、".join(replaced[row["file"]])))
        row["note"] = NOTE_JOIN.join(notes)
        submissions.append(row)
        return found

    sections = roster_sections(roster)
    if "" in by_section:
        sections.append("")  # people the roster gives no section still owe their form
    for section in sections:
        sec_fold = normalize.fold(section)
        owes_unit = section != "" and section not in leadership
        if owes_unit or sec_fold + "|" in unit_sent:
            submission(section, "", "", vocab.UNIT, sec_fold + "|")
        for name, post in by_section.get(section, []):
            found = submission(
                section, name, post, vocab.INDIVIDUAL, sec_fold + "|" + normalize.fold(name)
            )
            pledges.append(_pledge(section, name, post, found, issues))
    # a pledge sent on its own (a scanned PDF, a Word file) registers its person's pledge
    register_pledges(pledges, issues, standalone_pledges(files))

    return (
        _frame(submissions, SUBMISSION_COLUMNS),
        _pledge_frame(pledges),
        frames.issues_frame(issues),
    )


def _issue(
    code: str, *, section: str, name: str, file: str = "", sheet: str = "", about: str = ""
) -> dict[str, Any]:
    """An issue row whose message names the person and section ({name}, {section}) and, as
    ``{file}``, the file ``about`` (the row itself names ``file``).

    ``frames.issue`` keeps ``section``/``name`` for the columns and does not pass them to the
    message template (a KeyError for these codes), so the row is built here the same way."""
    action, problem, fix = vocab.message(code, section=section, name=name, file=about)
    return {
        "action": action,
        "code": code,
        "file": file,
        "sheet": sheet,
        "cell": "",
        "field": "",
        "value": "",
        "problem": problem,
        "fix": fix,
        "section": section,
        "name": name,
        "row_id": None,
    }


def _pledge(
    section: str, name: str, post: str, found: dict[str, Any] | None, issues: list[dict[str, Any]]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "section": section,
        "name": name,
        "post": post,
        "date": "",
        "items": None,
    }
    if found is None:
        row["status"] = vocab.PLEDGE_STATUS_NO_FORM
        return row
    items = found["pledge_items"]
    items = 0 if items is None or pd.isna(items) else int(items)
    row.update(date=normalize.stripped(found["pledge_date"]), items=items)
    file = normalize.stripped(found["file"])
    has_sheet = found["pledge_sheet"]
    if has_sheet is None or pd.isna(has_sheet) or not bool(has_sheet):
        row["status"] = vocab.PLEDGE_STATUS_MISSING
        issues.append(_issue("pledge_missing", file=file, section=section, name=name))
    elif items == 0:
        row["status"] = vocab.PLEDGE_STATUS_EMPTY
        issues.append(
            _issue("pledge_empty", file=file, sheet=vocab.SHEET_PLEDGE, section=section, name=name)
        )
    else:
        row["status"] = vocab.PLEDGE_STATUS_OK
    return row


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({c: "str" for c in columns})


def _pledge_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(PLEDGE_COLUMNS))
    items = frame["items"]
    frame = frame.astype({c: "str" for c in PLEDGE_COLUMNS if c != "items"})
    frame["items"] = pd.array(items.tolist(), dtype="Int64")
    return frame
