"""Header, roster, resubmission and row checks: files + rows -> accepted risk points + issues.

``validate`` runs the checks in the order SPEC's rules imply:

a. header fields every form needs (科室, and 姓名 on individual forms); dates to ISO;
b. the submitter against the roster (names and sections canonicalised to the roster spelling);
c. resubmission: the latest form of a person or section wins, the others are superseded
   and their rows leave the ``rows`` frame;
d. empty forms;
e. every data row in ONE lazy pandera validation (all columns as text, checks that parse);
f. the combined 防控措施 column split into the three measure lines;
g. ``points``: the accepted rows with canonical values.

User problems become issue rows; a pandera failure that cannot be mapped to a cell is a bug
and raises ``ValidationBug``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline import dates, frames, layout, normalize, owners, records, resubmit, vocab
from pipeline.config import Roster, Settings
from pipeline.discover import parcels
from pipeline.records import text as _text
from pipeline.workbook.cells import MAX_CELL_CHARS, excel_len, over_cell
from pipeline.xlsx import cell_text

ENUM_FIELDS = tuple(vocab.ENUMS)
TEXT_FIELDS = tuple(f for f in frames.ROW_FIELDS if f not in ENUM_FIELDS)
HEADER_TEXT_FIELDS = ("section", "name", "post", "head", "pledger")
# date fields of a file -> the sheet their cell is on (None: the form's own sheet)
DATE_FIELDS = {"date": None, "pledge_date": vocab.SHEET_PLEDGE}
_FIELD_ORDER = {f: i for i, f in enumerate(frames.ROW_FIELDS)}
_KEY_SEP = vocab.KEY_SEP
# Who a superseded form belonged to, for the 「同一{detail}」 of the superseded message.
_WHO_PERSON = "人（{section} {name}）"
_WHO_SECTION = vocab.HEADER_LABELS["section"] + "（{section}）"
_PERSON_DETAIL = "{name}（{section}）"

# pandera check names -> (reason code, action override or None)
_CHECK_CODES = {
    "missing_value": ("missing_value", None),
    "missing_posts": ("missing_value", vocab.ACTION_NOTE),
    "bad_enum": ("bad_enum", None),
    "text_too_long": ("text_too_long", None),
    "error_value": ("error_value", None),
    "error_value_note": ("error_value", vocab.ACTION_NOTE),
}
_REJECTING_CHECKS = ("missing_value", "bad_enum", "error_value")


class ValidationBug(RuntimeError):
    "Raised when pandera reports a failure that maps to no row (a crashed check): a bug."


def validate(
    files: pd.DataFrame,
    rows: pd.DataFrame,
    roster: Roster,
    settings: Settings,
    today: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Check files and rows; return ``(files, rows, points, issues)``.

    ``files`` gets status/reason updates, canonical section/name and ISO dates; ``rows`` loses
    the rows of superseded files and gets ``accepted``; ``points`` are the accepted rows with
    canonical values (see frames.py); ``issues`` is an issues frame in (file, row, column) order.
    ``today``: the run's day (ISO; default the clock's): no 填表日期 can be later.
    """
    log = _IssueLog()
    files = _prepare_files(files)
    rows = rows.copy(deep=False)  # copy-on-write: the columns changed here are copied
    was_read = files["status"].eq(frames.FILE_STATUS_READ)

    index = _RosterIndex(roster)
    # every file (also those the reader rejected) gets the roster's spelling of its section,
    # so each issue reaches the right section's feedback
    found_section = normalize.map_unique(
        normalize.fold_series(files["section"]), index.find_section
    )
    files["section"] = found_section.fillna(files["section"])
    # files whose rows name their own owner are checked row by row (owners.attribute)
    per_row = files["file"].isin(owners.files_with_row_owners(rows))
    _owner_from_path(files, index, log, skip=per_row)
    _section_from_roster(files, index, log, skip=per_row)
    _check_headers(files, log, skip=per_row)
    _check_roster(files, index, log, skip=per_row)
    _check_dates(files, was_read, log, settings)
    files["date_bound"] = resubmit.date_bounds(files, today or datetime.now().date().isoformat())
    _check_date_sent(files, log)
    rows = _supersede(files, rows, log)
    _note_fewer_rows(files, log)
    _reject_empty(files, rows, log)
    _compare_with_roster(files, index, log, skip=per_row)
    rows = _copy_file_fields(files, rows)

    read_files = files.loc[files["status"].eq(frames.FILE_STATUS_READ), "file"].unique()
    # rows the reader counted but did not read as a form's (a second form) are never accepted
    checked = rows["file"].isin(read_files).to_numpy() & _read_as_form(rows)
    table, coded = _row_table(rows, checked)
    owner_problems = owners.attribute(table, index)
    _keep_row_owners(rows, checked, table)
    colmaps = _RowColmaps.of(table, files)
    # rows of tables without a 风险类别 / 职权事项 column: filed with the placeholder
    lacking = {field: colmaps.without(field) for field in vocab.OPTIONAL_COLUMNS}
    # rows of tables with a level column but no 发生几率 or no 危害程度 column
    lacking.update({field: colmaps.without(field) for field in ("likelihood", "harm")})
    row_issues = _RowIssues(table, colmaps)
    rejected = _check_rows(table, settings, row_issues, lacking, coded)
    for pos, code, field, value, detail in owner_problems:
        row_issues.add(pos, code, field, value, detail=detail)
        rejected[pos] = True
    _split_measures(table, row_issues)
    log.extend(row_issues.records)

    accepted = np.zeros(len(rows), dtype=bool)
    accepted[np.flatnonzero(checked)] = ~rejected
    rows["accepted"] = accepted
    # the codes of the accepted rows, for the columns nothing replaced (owners.attribute) or
    # wrote into (_split_measures fills the three measure columns in place) since coding
    kept = {
        field: (codes[~rejected], distinct)
        for field, (array, codes, distinct) in coded.items()
        if table[field].array is array and field not in vocab.MEASURE_FIELDS
    }
    points = _points(
        table.loc[~rejected],
        colmaps.take(~rejected),
        settings,
        {field: mask[~rejected] for field, mask in lacking.items()},
        kept,
    )
    _post_from_roster(points, files, roster, log)
    _middle_level(points, table.loc[~rejected, "self_level"], log)
    return files, rows, points, log.frame()


def _level_word(text: object) -> str:
    """The word of a level cell as written (风险 after it and spacing dropped), folded."""
    plain = normalize.fold(text)
    for suffix in vocab.ENUM_VALUE_SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix):
            return plain[: -len(suffix)]
    return plain


def _middle_level(points: pd.DataFrame, written: pd.Series, log: _IssueLog) -> None:
    """In a file whose 自评等级 column grades 较高 / 一般 / 较低 (and never 重大 or 较大, the
    risk register's scale where 一般 is 三级), its 一般 is the middle level, 二级; one 提示 per
    file and sheet at the first such cell."""
    if points.empty:
        return
    codes, uniques = pd.factorize(np.asarray(written.array, dtype=object), use_na_sentinel=True)
    words = np.array([_level_word(u) for u in uniques.tolist()] + [""], dtype=object)[codes]
    middle = words == vocab.LEVEL_MIDDLE_WORD
    if not middle.any():
        return
    file_codes, _ = pd.factorize(points["file"].astype("object").to_numpy())
    n_files = int(file_codes.max()) + 1
    high_low = np.bincount(file_codes, np.isin(words, vocab.LEVEL_HIGH_LOW_WORDS), n_files)
    register = np.bincount(file_codes, np.isin(words, vocab.LEVEL_REGISTER_WORDS), n_files)
    scale = (high_low > 0) & (register == 0)
    change = middle & scale[file_codes]
    if not change.any():
        return
    points.loc[change, "self_level"] = vocab.LEVELS[1]
    told = points.loc[change, ["file", "sheet", "section", "name", "excel_row", "self_level_cell"]]
    for (file, sheet), group in told.groupby(["file", "sheet"], sort=False, dropna=False):
        first = group.iloc[0]
        log.add(
            "level_middle_word",
            excel_row=int(first["excel_row"]),
            column="self_level",
            file=file,
            sheet=_text(sheet),
            cell=_text(first["self_level_cell"]),
            section=_text(first["section"]),
            name=_text(first["name"]),
            field_key="self_level",
            value=vocab.LEVEL_MIDDLE_WORD,
            n=len(group),
        )


def _post_from_roster(
    points: pd.DataFrame, files: pd.DataFrame, roster: Roster, log: _IssueLog
) -> None:
    """An individual point whose form leaves 岗位（职务） blank takes its person's roster post
    (the catalogue and 公示 list points by post), with one 提示 per person's sheet."""
    if points.empty:
        return
    blank = points["kind"].eq(vocab.INDIVIDUAL).fillna(False).astype(bool)
    blank &= points["post"].fillna("").astype("str").eq("")
    if not blank.any():
        return
    people = roster.people
    post_of = {}
    for sec, nm, post in zip(
        normalize.fold_all(people["section"].tolist()),
        normalize.fold_all(people["name"].tolist()),
        normalize.stripped_all(people["post"].tolist()),
        strict=True,
    ):
        if post:
            post_of.setdefault((sec, nm), post)
    posts = [
        post_of.get((normalize.fold(_text(sec)), normalize.fold(_text(nm))), "")
        for sec, nm in zip(points.loc[blank, "section"], points.loc[blank, "name"], strict=True)
    ]
    points.loc[blank, "post"] = posts
    by_file = files.drop_duplicates("file").set_index("file")
    told: set[tuple[str, str, str, str]] = set()
    for (file, sheet, sec, nm), post in zip(
        points.loc[blank, ["file", "sheet", "section", "name"]].itertuples(index=False),
        posts,
        strict=True,
    ):
        key = (file, _text(sheet), _text(sec), _text(nm))
        if not post or key in told:
            continue
        told.add(key)
        cell = ""
        if file in by_file.index:
            rec = by_file.loc[file]
            cells = rec["header_cells"] if isinstance(rec["header_cells"], dict) else {}
            if _text(rec["sheet"]) == key[1] and _text(rec["name"]) == key[3]:
                cell = cells.get("post", "")
        log.add(
            "post_from_roster",
            file=file,
            sheet=key[1],
            cell=cell,
            section=key[2],
            name=key[3],
            field_key="post",
            value="",
            post=post,
        )


# --------------------------------------------------------------------------------------
# Issues
# --------------------------------------------------------------------------------------
class _IssueLog:
    """Collects issue dicts with sort keys; ``frame()`` gives the ordered issues frame."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def add(
        self,
        code: str,
        *,
        excel_row: int = 0,
        column: str = "",
        text_code: str | None = None,
        action: str | None = None,
        **kwargs: Any,
    ) -> None:
        record = frames.issue(code, **kwargs)
        if text_code:  # a more precise wording of the same reason code
            placeholders = {
                k: v
                for k, v in kwargs.items()
                if k not in ("file", "sheet", "cell", "field_key", "value", "section", "name")
                and k != "row_id"
            }
            _, record["problem"], record["fix"] = vocab.message(
                text_code, field=record["field"], value=record["value"], **placeholders
            )
        if action:
            record["action"] = action
        record["_row"] = excel_row
        record["_col"] = _FIELD_ORDER.get(column, -1)
        self.records.append(record)

    def extend(self, records: list[dict[str, Any]]) -> None:
        self.records.extend(records)

    def frame(self) -> pd.DataFrame:
        if not self.records:
            return frames.empty_issues()
        table = pd.DataFrame(self.records)
        table["_seq"] = np.arange(len(table))
        table = table.sort_values(["file", "_row", "_col", "_seq"], kind="stable")
        table = table.reset_index(drop=True)[list(frames.ISSUE_COLUMNS)]
        text_cols = [c for c in frames.ISSUE_COLUMNS if c != "row_id"]
        table[text_cols] = table[text_cols].fillna("").astype("str")
        table["row_id"] = pd.array(table["row_id"], dtype="Int64")
        return table


def _file_issue(log: _IssueLog, rec: Any, code: str, key: str, **kwargs: Any) -> None:
    """A file-level issue at the header cell of ``key``, carrying the file's section/name."""
    cells = rec.header_cells if isinstance(rec.header_cells, dict) else {}
    kwargs.setdefault("sheet", _text(rec.sheet))
    log.add(
        code,
        file=rec.file,
        cell=kwargs.pop("cell", None) or cells.get(key, ""),
        section=_text(rec.section),
        name="" if rec.kind == vocab.UNIT else _text(rec.name),
        **kwargs,
    )


# --------------------------------------------------------------------------------------
# a. header fields and dates
# --------------------------------------------------------------------------------------
def _prepare_files(files: pd.DataFrame) -> pd.DataFrame:
    files = files.copy(deep=False)
    for col in frames.FILE_COLUMNS:
        if col not in files:
            files[col] = pd.NA
    for col in HEADER_TEXT_FIELDS:
        files[col] = normalize.clean_text(files[col])
    for col in ("post", "head"):  # 科室 and 姓名 take the roster's spelling when matched
        files[col] = normalize.map_unique(files[col], vocab.visible)
    files["status"] = files["status"].astype("str")
    files["reason"] = files["reason"].astype("str")
    return files


def _reject(files: pd.DataFrame, mask: pd.Series, reason: str) -> None:
    files.loc[mask, "status"] = frames.FILE_STATUS_REJECTED
    files.loc[mask, "reason"] = reason


def _is_blank(files: pd.DataFrame) -> pd.Series:
    """Forms with no header value and no table row: an unfilled template sent back."""
    no_rows = pd.to_numeric(files["n_rows"], errors="coerce").fillna(0).eq(0)
    no_header = files[["section", "name", "post", "head", "date"]].isna().all(axis=1)
    return no_rows & no_header


def _check_headers(files: pd.DataFrame, log: _IssueLog, skip: pd.Series | None = None) -> None:
    # an unfilled template gets one empty_form issue, not one per missing field
    blank = _read_forms(files) & _is_blank(files)
    for rec in files.loc[blank].itertuples():
        log.add("empty_form", file=rec.file, sheet=_text(rec.sheet), text_code="blank_template")
    _reject(files, blank, "empty_form")
    read = files["status"].eq(frames.FILE_STATUS_READ)
    if skip is not None:
        read &= ~skip
    bad = pd.Series(False, index=files.index)
    for kind, required in vocab.REQUIRED_HEADER_FIELDS.items():
        of_kind = read & files["kind"].eq(kind).fillna(False).astype(bool)
        for key in required:
            missing = of_kind & files[key].isna()
            for rec in files.loc[missing].itertuples():
                label = vocab.field_label(key)
                _file_issue(log, rec, "missing_header_field", key, field_key=key, detail=label)
            bad |= missing
    _reject(files, bad, "missing_header_field")


def _take_section(
    files: pd.DataFrame,
    log: _IssueLog,
    idx: Any,
    code: str,
    person: tuple[str, str | None],
) -> None:
    """Give file ``idx`` the roster's section (and, for a person, name) of ``person`` and tell
    it with the 提示 ``code`` at its 科室 cell, quoting what the form wrote there."""
    section, name = person
    written = _text(files.at[idx, "section"])
    files.loc[idx, "section"] = section
    if name is not None:
        files.loc[idx, "name"] = name
    _file_issue(
        log,
        next(files.loc[[idx]].itertuples()),
        code,
        "section",
        field_key="section",
        value=written,
        person=name or "",
        roster_section=section,
    )


def _path_parts(file: str) -> list[tuple[str, str]]:
    """(kind, part) of the parts of an inbox path that may name a form's owner, nearest
    first: the file's own name ('file'), then each folder or container around it ('folder'),
    a mail client's folder (2026-03-02 来自张三) by what follows its date."""
    parts = file.split("/")
    out = [("file", parts[-1])]
    for i in range(len(parts) - 2, -1, -1):
        out.append(("folder", "/".join(parts[: i + 1])))
    return out


def _named_in(text: str, index: _RosterIndex) -> tuple[str | None, list[str]]:
    """(section, folded names) a file or folder name holds: what is left once the roster's
    section names, the form's words (廉政风险自查表, 修改稿, 来自), dates, numbers and Latin
    text are taken out. The section is None when none is named (or two are)."""
    stem = text.rsplit("/", 1)[-1]
    stem = _FILE_SUFFIX.sub("", stem)
    folded = normalize.fold(stem)
    sections: list[str] = []
    for key in sorted(index.section, key=len, reverse=True):
        if key and key in folded:
            sections.append(index.section[key])
            folded = folded.replace(key, vocab.KEY_SEP)
    folded = vocab.PATH_FILLER.sub(vocab.KEY_SEP, folded)
    names = [n for n in folded.split(vocab.KEY_SEP) if n]
    return (sections[0] if len(set(sections)) == 1 else None), names


def _owner_from_path(
    files: pd.DataFrame, index: _RosterIndex, log: _IssueLog, skip: pd.Series
) -> None:
    """A form with no 科室 and no 姓名 label at all (an individual form: no 姓名), whose file
    name, or the one folder (a mail's, 2026-03-02 来自张三) or zip holding it as its only form,
    names exactly one roster person (a unit form: one section): theirs, with a 提示 saying
    where the name came from. Never a guess: a name two sections share, two names, or a name
    the form's own 科室 does not list attribute nothing (the form stays 退回)."""
    read = files["status"].eq(frames.FILE_STATUS_READ) & ~skip
    kind = files["kind"].astype("object")
    wanting = read & (
        (kind.eq(vocab.INDIVIDUAL) & files["name"].isna())
        | (kind.eq(vocab.UNIT) & files["section"].isna())
    ).fillna(False).astype(bool)
    if not wanting.any():
        return
    forms = files.loc[
        kind.isin([vocab.INDIVIDUAL, vocab.UNIT]).fillna(False).astype(bool)
        & ~files["status"].eq(frames.FILE_STATUS_SUPERSEDED),
        "file",
    ].astype("str")
    held: dict[str, int] = {}  # folder or container -> how many forms lie under it
    for file in forms:
        for _, part in _path_parts(file)[1:]:
            held[part] = held.get(part, 0) + 1
    for idx in files.index[wanting]:
        cells = files.at[idx, "header_cells"]
        key = "section" if files.at[idx, "kind"] == vocab.UNIT else "name"
        if isinstance(cells, dict) and key in cells:
            continue  # the form has the label, left blank: the sender is asked to fill it
        file = _text(files.at[idx, "file"])
        written = _text(files.at[idx, "section"])
        for where, part in _path_parts(file):
            if where == "folder" and held.get(part, 0) != 1:
                continue
            section, names = _named_in(part, index)
            if written:
                if section is not None and section != written:
                    break  # the name's section is not the form's: no guess
                section = written
            if files.at[idx, "kind"] == vocab.UNIT:
                if section is None or names:
                    continue
                person: tuple[str, str | None] | None = (section, None)
            else:
                if not names:
                    if section is None:
                        continue
                    break  # a section's name alone names no one of it
                if len(names) > 1:
                    break
                found = (
                    index.find_person(normalize.fold(section) + _KEY_SEP + names[0])
                    if section is not None
                    else index.only_person(names[0])
                )
                if found is None:
                    break
                person = found
            _take_owner(files, log, idx, person, where, part)
            break


def _take_owner(
    files: pd.DataFrame,
    log: _IssueLog,
    idx: Any,
    person: tuple[str, str | None],
    where: str,
    part: str,
) -> None:
    section, name = person
    files.loc[idx, "section"] = section
    if name is not None:
        files.loc[idx, "name"] = name
    rec = next(files.loc[[idx]].itertuples())
    part = part.rsplit("/", 1)[-1]
    if where == "folder" and _CONTAINER_SUFFIX.search(part):
        where = "container"
    source = vocab.OWNER_SOURCES[where].format(part=part)
    log.add(
        "owner_from_file_name" if name is not None else "section_from_file_name",
        file=rec.file,
        sheet=_text(rec.sheet),
        section=section,
        name=name or "",
        field_key="name" if name is not None else "section",
        source=source,
        person=name or "",
        roster_section=section,
    )


_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_CONTAINER_SUFFIX = re.compile(r"\.(?:zip|eml|rar|7z|msg)$", re.IGNORECASE)


def _section_from_roster(
    files: pd.DataFrame, index: _RosterIndex, log: _IssueLog, skip: pd.Series
) -> None:
    """An individual form whose 科室 is blank, by a person the roster lists in one section
    only: that section, with a 提示 (the form was 退回 for the blank 科室)."""
    blank = (
        files["status"].eq(frames.FILE_STATUS_READ)
        & files["kind"].eq(vocab.INDIVIDUAL).fillna(False).astype(bool)
        & files["section"].isna()
        & files["name"].notna()
        & ~skip
    )
    for idx in files.index[blank]:
        person = index.only_person(normalize.fold(_text(files.at[idx, "name"])))
        if person is not None:
            _take_section(files, log, idx, "section_from_roster", person)


def _check_dates(
    files: pd.DataFrame, was_read: pd.Series, log: _IssueLog, settings: Settings
) -> None:
    """Dates to ISO. A day without its year (3.15, 3-15, 3月15日) is in the body's year (the
    settings' year, else the year most forms' full dates share) with a 提示; a date outside that
    year ±1 is a 提示; an unreadable one is a 提示 quoting what was written, which is kept in
    ``<key>_written`` for the notes of later stages."""
    written = {key: normalize.clean_text(files[key]) for key in DATE_FIELDS}
    full = normalize.parse_dates(written["date"].where(was_read))
    forms_year = normalize.common_year(full)
    year = settings.year or forms_year or datetime.now().year
    for key, sheet in DATE_FIELDS.items():
        shown = written[key]
        iso, marks = _read_dates(shown, year)
        for code, mask in marks.items():
            mask = was_read & mask
            if not mask.any():
                continue
            for rec, value, day in zip(files.loc[mask].itertuples(), shown[mask], iso[mask]):
                # the pledge's date is on the sheet the pledge was read from (承诺书 or, written
                # under the table, the form's own)
                where = (_text(getattr(rec, "pledge_sheet_name", "")) or sheet) if sheet else None
                cell = _text(getattr(rec, "pledge_date_cell", "")) if sheet else ""
                _file_issue(
                    log,
                    rec,
                    code,
                    key,
                    field_key=key,
                    value=value,
                    action=vocab.ACTION_NOTE,
                    date=day,
                    year=year,
                    cell=cell,
                    **({"sheet": where} if where else {}),
                )
        files[key] = iso
        files[f"{key}_written"] = shown.where(shown.notna() & iso.isna())
    _check_sheet_dates(files, was_read, log, year)
    if settings.year and forms_year and not (full.str.slice(0, 4) == str(settings.year)).any():
        log.add(
            "settings_year_unshared",
            file=settings.source,
            value=settings.year,
            year=settings.year,
            forms_year=forms_year,
        )


def _check_date_sent(files: pd.DataFrame, log: _IssueLog) -> None:
    """A 提示 on each read form whose 填表日期 is later than the day it was sent (its mail
    folder's date, else today: resubmit.credible_dates): no true date, so it decides no
    resubmission order."""
    forms = files.loc[
        files["status"].eq(frames.FILE_STATUS_READ) & files["kind"].isin(vocab.FORM_KINDS)
    ]
    if forms.empty:
        return
    date = frames.text_series(forms["date"])
    wrong = date.ne("") & resubmit.credible_dates(forms).eq("")
    for rec in forms.loc[wrong.to_numpy(bool)].itertuples():
        folder = _text(getattr(rec, "folder_date", ""))
        _file_issue(
            log,
            rec,
            "date_after_sent" if folder else "date_after_today",
            "date",
            field_key="date",
            value=_text(rec.date),
            date=_text(rec.date),
            sent=folder or _day_before(_text(rec.date_bound)),
        )


def _day_before(day: str) -> str:
    """The ISO day before ``day`` ('' stays '')."""
    return (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat() if day else ""


def _check_sheet_dates(files: pd.DataFrame, was_read: pd.Series, log: _IssueLog, year: int) -> None:
    """The 填表日期 of each other person's sheet of a workbook of one sheet per person
    (``sheet_dates``) to ISO by the same rules as the first's, with the same notes at its own
    sheet and cell; what cannot be read stays as written (its note quotes it)."""
    if "sheet_dates" not in files:
        return
    entries: list[tuple[Any, str, list[Any]]] = []
    for idx, by_person in zip(files.index, files["sheet_dates"], strict=True):
        if was_read.at[idx] and isinstance(by_person, dict) and by_person:
            entries += [(idx, person, entry) for person, entry in by_person.items()]
    if not entries:
        return
    shown = normalize.clean_text(
        pd.Series([e[2][0] for e in entries], dtype=object).where(
            pd.Series([e[2][0] is not None for e in entries])
        )
    )
    iso, marks = _read_dates(shown, year)
    code_of = np.full(len(entries), None, dtype=object)
    for code, mask in marks.items():  # at most one of them holds for a date
        code_of[mask.to_numpy(bool)] = code
    fixed: dict[Any, dict[str, list[Any]]] = {}
    for i, (idx, folded, (_raw, cell, sheet, person)) in enumerate(entries):
        value, day = shown.iat[i], iso.iat[i]
        written = None if pd.isna(value) else str(value)
        code = code_of[i]
        if code is not None:
            log.add(
                code,
                file=files.at[idx, "file"],
                sheet=sheet,
                cell=cell,
                section=_text(files.at[idx, "section"]),
                name=person,
                field_key="date",
                value=written or "",
                action=vocab.ACTION_NOTE,
                date=None if pd.isna(day) else day,
                year=year,
            )
        iso_day = None if pd.isna(day) else str(day)
        unread = written if iso_day is None else None
        fixed.setdefault(idx, {})[folded] = [iso_day, cell, sheet, person, unread]
    col = files["sheet_dates"].to_numpy(dtype=object, copy=True)
    for idx, by_person in fixed.items():
        col[files.index.get_loc(idx)] = by_person
    files["sheet_dates"] = pd.Series(col, index=files.index, dtype=object)


def _read_dates(shown: pd.Series, year: int) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Dates as written -> (ISO dates, each note's mask: unreadable, year assumed, outside
    the body's year ±1); at most one note holds for a date."""
    iso, assumed = normalize.read_dates(shown, year)
    off = _years_off(iso, year)
    unread = shown.notna() & iso.isna()
    month_only = unread.copy()
    if unread.any():
        months = {v: dates.read_month(v) is not None for v in shown[unread].unique().tolist()}
        month_only[unread] = shown[unread].map(months).astype(bool)
    return iso, {
        "bad_date": unread & ~month_only,
        "date_month_only": month_only,
        "date_year_assumed": assumed,
        "date_out_of_year": off.astype(bool) & ~assumed,
    }


def _years_off(iso: pd.Series, year: int) -> pd.Series:
    """ISO dates more than a year from ``year`` (missing: False), each distinct date once."""
    codes, days = pd.factorize(iso, use_na_sentinel=True)
    off = [abs(float(str(day)[:4]) - year) > 1 for day in np.asarray(days, dtype=object).tolist()]
    return pd.Series(np.array([*off, False], dtype=bool)[codes], index=iso.index)


# --------------------------------------------------------------------------------------
# b. roster
# --------------------------------------------------------------------------------------
class _RosterIndex:
    """Folded lookups into the roster: person (科室+姓名), name -> its sections, section."""

    def __init__(self, roster: Roster) -> None:
        people = roster.people
        section = normalize.clean_text(people["section"]).fillna("").tolist()
        name = normalize.clean_text(people["name"]).fillna("").tolist()
        section_key = normalize.fold_series(pd.Series(section, dtype="str")).tolist()
        name_key = normalize.fold_series(pd.Series(name, dtype="str")).tolist()
        self.person: dict[str, tuple[str, str]] = {}
        self.sections_of_name: dict[str, list[str]] = {}
        # (section, name) as the roster spells them -> the person's 岗位（职务）
        self.post_of: dict[tuple[str, str], str] = {}
        posts = normalize.stripped_all(people["post"].tolist())
        # a roster name with a note in brackets (丁玲（借调）) by the name without it: a form of
        # 丁玲 is theirs when no one else of the section is so named (namesakes told apart by
        # a note, 张伟（大） and 张伟（小）, are not guessed between)
        self.noted: dict[str, list[tuple[str, str]]] = {}
        for sec, nm, skey, nkey, post in zip(section, name, section_key, name_key, posts):
            if not nkey:
                continue
            self.person.setdefault(skey + _KEY_SEP + nkey, (sec, nm))
            bare = _bare(nkey)
            if bare and bare != nkey:
                noted = self.noted.setdefault(skey + _KEY_SEP + bare, [])
                if (sec, nm) not in noted:
                    noted.append((sec, nm))
            self.post_of.setdefault((sec, nm), post)
            if sec not in self.sections_of_name.setdefault(nkey, []):
                self.sections_of_name[nkey].append(sec)
        # folded section -> [(folded name, section, name)], for names one character apart
        self.names_in_section: dict[str, list[tuple[str, str, str]]] = {}
        for sec, nm, skey, nkey in zip(section, name, section_key, name_key):
            if nkey:
                self.names_in_section.setdefault(skey, []).append((nkey, sec, nm))
        self.section: dict[str, str] = {}
        listed = normalize.clean_text(roster.sections["section"]).dropna().tolist()
        for sec in [*listed, *section]:
            if sec:
                self.section.setdefault(normalize.fold(sec), sec)
        # folded 科室负责人 -> the sections (spelled) they head in the 科室 sheet
        self.headed: dict[str, list[str]] = {}
        # section as the roster spells it -> its 科室负责人 (the 科室 sheet's, else the people
        # flagged 是否科室负责人 in it)
        self.head_of: dict[str, list[str]] = {}
        heads = normalize.clean_text(roster.sections["head"]).fillna("").tolist()
        secs = normalize.clean_text(roster.sections["section"]).fillna("").tolist()
        for sec, head in zip(secs, heads, strict=True):
            if sec and head:
                self.headed.setdefault(normalize.fold(head), []).append(sec)
                self.head_of.setdefault(sec, [head])
        flagged = people["is_head"].fillna(False).astype(bool).tolist()
        headed = set(self.head_of)  # a flag only fills a head the 科室 sheet leaves blank
        for sec, nm, is_head in zip(section, name, flagged, strict=True):
            if is_head and sec and nm and sec not in headed:
                self.head_of.setdefault(sec, []).append(nm)

    def similar(self, section_key: str, name_key: str) -> list[tuple[str, str]]:
        """(section, name) of the roster people of a section whose folded name is one
        character (added, dropped or changed) from ``name_key``."""
        return [
            (sec, nm)
            for nkey, sec, nm in self.names_in_section.get(section_key, [])
            if normalize.one_apart(nkey, name_key)
        ]

    def only_person(self, name_key: str) -> tuple[str, str] | None:
        """(section, name) of the roster person of a folded name, when the roster lists that
        name in one section only."""
        sections = self.sections_of_name.get(name_key) or []
        if len(sections) != 1:
            return None
        return self.person.get(normalize.fold(sections[0]) + _KEY_SEP + name_key)

    def close_sections(self, folded: str) -> list[str]:
        """Roster sections (their spelling) a folded section that is none of them is a slip
        of: one holds the other (区妇联财务科, 财务), or one character differs that is no
        numeral (财务室 for 财务科; 业务二科 is not 业务一科)."""
        if not folded or self.find_section(folded) is not None:
            return []
        bare = _bare(folded)
        out = []
        for key, spelled in self.section.items():
            if len(key) < 2 or len(bare) < 2:
                continue
            close = key in bare or bare in key or _one_letter_apart(key, bare)
            if close and spelled not in out:
                out.append(spelled)
        return out

    def find_section(self, folded: str) -> str | None:
        """The roster's spelling of a folded section; a bracketed remark is ignored."""
        found = self.section.get(folded)
        if found is None and _bare(folded) != folded:
            found = self.section.get(_bare(folded))
        return found

    def find_person(self, key: str) -> tuple[str, str] | None:
        """(section, name) of a folded '科室<sep>姓名' key; bracketed remarks are ignored, the
        form's and the roster's (丁玲 is the section's one 丁玲（借调）)."""
        found = self.person.get(key)
        if found is None and _bare(key) != key:
            found = self.person.get(_bare(key))
        if found is None:
            noted = self.noted.get(_bare(key), [])
            found = noted[0] if len(noted) == 1 else None
        return found


_bare = normalize.without_note


# Characters that number sections (业务一科, 第二党支部): two sections differing in one of
# them are two sections, not a slip.
_NUMERALS = frozenset("〇零一二三四五六七八九十百0123456789ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ甲乙丙丁")


def _one_letter_apart(a: str, b: str) -> bool:
    """Same length, one character changed, and neither of the two a numeral."""
    if len(a) != len(b):
        return False
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(changed) == 1 and not ({*changed[0]} & _NUMERALS)


# A post's note in brackets and a trailing 岗/岗位 (会计岗, 会计（兼）): the same post.
_POST_TRIM = re.compile(r"(岗位|岗)$")


def _posts_agree(written: str, roster: str) -> bool:
    """Whether a form's 岗位（职务） may be the roster post: either is blank, or one holds
    the other once notes in brackets and a trailing 岗/岗位 are left out."""
    a = _POST_TRIM.sub("", _bare(normalize.fold(written)))
    b = _POST_TRIM.sub("", _bare(normalize.fold(roster)))
    return not a or not b or a in b or b in a


def _difference(written: str, roster: str) -> str:
    """How a name differs from the roster's, in words: 「杰」与名册的「洁」不同."""
    a, b = normalize.fold(written), normalize.fold(roster)
    if len(a) == len(b):
        i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        return vocab.NAME_DIFF_CHANGED.format(written=a[i], roster=b[i])
    if len(a) > len(b):
        i = next((i for i in range(len(b)) if a[i] != b[i]), len(b))
        return vocab.NAME_DIFF_EXTRA.format(char=a[i])
    i = next((i for i in range(len(a)) if a[i] != b[i]), len(a))
    return vocab.NAME_DIFF_MISSING.format(char=b[i])


def _shown_name(text: str) -> str:
    """A name with its invisible characters made visible, for messages."""
    return vocab.INVISIBLE.sub(vocab.INVISIBLE_MARK, text)


def _check_roster(
    files: pd.DataFrame, index: _RosterIndex, log: _IssueLog, skip: pd.Series | None = None
) -> None:
    read = files["status"].eq(frames.FILE_STATUS_READ)
    if skip is not None:
        read &= ~skip
    section_key = normalize.fold_series(files["section"])
    name_key = normalize.fold_series(files["name"])

    # individual forms: (科室, 姓名) must be a roster person
    individual = read & files["kind"].eq(vocab.INDIVIDUAL).fillna(False).astype(bool)
    keys = section_key + _KEY_SEP + name_key
    found = normalize.map_unique(keys, index.find_person, dtype=None)
    matched = individual & found.notna()
    if matched.any():
        files.loc[matched, "section"] = [p[0] for p in found[matched]]
        files.loc[matched, "name"] = [p[1] for p in found[matched]]
    unknown = individual & found.isna()
    # a name one character from a roster name of the same section: that person, with a 提示,
    # unless the roster person sent a form of their own, or another name took them (then it
    # may be someone else); every version a person sends under one spelling is theirs
    claimed: dict[tuple[str, str], str] = {tuple(p): "" for p in found[matched]}
    for idx, skey, nkey in zip(files.index[unknown], section_key[unknown], name_key[unknown]):
        if index.sections_of_name.get(nkey):
            continue
        close = index.similar(skey, nkey)
        if len(close) != 1 or claimed.get(close[0], nkey) != nkey:
            continue
        # another post than the roster person's: someone else (a colleague who left the
        # body, whose name is one character from theirs), not a slip of the pen
        if not _posts_agree(_text(files.at[idx, "post"]), index.post_of.get(close[0], "")):
            continue
        claimed[close[0]] = nkey
        rec = next(files.loc[[idx]].itertuples())
        _file_issue(
            log,
            rec,
            "name_similar",
            "name",
            field_key="name",
            value=_shown_name(_text(rec.name)),
            roster_name=close[0][1],
            difference=_difference(_text(rec.name), close[0][1]),
            action=vocab.ACTION_NOTE,
        )
        # the name as written, for 提交情况 to say whose spelling was counted (completeness)
        files.loc[idx, "name_written"] = _text(rec.name)
        files.loc[idx, ["section", "name"]] = list(close[0])
        unknown.loc[idx] = False
    # the person's name is theirs alone in the roster, and the 科室 written is no roster
    # section but a slip of theirs (财务室 for 财务科): that person, with a 提示
    for idx, skey, nkey in zip(files.index[unknown], section_key[unknown], name_key[unknown]):
        person = index.only_person(nkey)
        if person is not None and person[0] in index.close_sections(skey):
            _take_section(files, log, idx, "section_similar", person)
            unknown.loc[idx] = False
    for rec, skey, nkey in zip(
        files.loc[unknown].itertuples(), section_key[unknown], name_key[unknown]
    ):
        shown = _shown_name(_text(rec.name))
        detail = _PERSON_DETAIL.format(name=shown, section=_text(rec.section))
        elsewhere = index.sections_of_name.get(nkey)
        close = index.similar(skey, nkey)
        # the same reason; a more precise wording when the name is one character from a
        # roster name of the section, or is a roster person of another section
        field, value, wording = "name", shown, {}
        if close and not elsewhere:
            wording = {
                "text_code": "not_in_roster_similar",
                "roster_name": "」「".join(nm for _, nm in close),
                "difference": _difference(_text(rec.name), close[0][1]),
            }
            roster_post = index.post_of.get(close[0], "")
            if len(close) == 1 and not _posts_agree(_text(rec.post), roster_post):
                wording.update(
                    text_code="not_in_roster_similar_post",
                    post=_text(rec.post),
                    roster_post=roster_post,
                )
        elif elsewhere:
            field, value = "section", _text(rec.section)
            wording = {
                "text_code": "not_in_roster_section",
                "person": _text(rec.name),
                "roster_section": vocab.allowed_text(tuple(elsewhere)),
            }
        _file_issue(
            log,
            rec,
            "not_in_roster",
            field,
            field_key=field,
            value=value,
            detail=detail,
            **wording,
        )
    _reject(files, unknown, "not_in_roster")

    # unit forms: 科室 must be a roster section (already spelled as the roster does)
    unit = read & files["kind"].eq(vocab.UNIT).fillna(False).astype(bool)
    unknown = unit & ~section_key.isin(list(index.section))
    # a 科室 that is a slip of exactly one roster section: that section, with a 提示
    for idx, skey in zip(files.index[unknown], section_key[unknown]):
        close = index.close_sections(skey)
        if len(close) == 1:
            _take_section(files, log, idx, "section_similar_unit", (close[0], None))
            unknown.loc[idx] = False
    for rec in files.loc[unknown].itertuples():
        # its 科室负责人 heads one roster section (the section renamed in the roster): say which
        headed = index.headed.get(normalize.fold(_text(rec.head)), []) if _text(rec.head) else []
        wording = (
            {
                "text_code": "section_not_in_roster_head",
                "head": _text(rec.head),
                "roster_section": headed[0],
            }
            if len(headed) == 1
            else {}
        )
        _file_issue(
            log,
            rec,
            "section_not_in_roster",
            "section",
            field_key="section",
            value=_text(rec.section),
            detail=_text(rec.section),
            **wording,
        )
    _reject(files, unknown, "section_not_in_roster")


def _compare_with_roster(
    files: pd.DataFrame, index: _RosterIndex, log: _IssueLog, skip: pd.Series
) -> None:
    """A 提示 where a counted form's header disagrees with the roster: an individual form's
    岗位（职务） that is not the person's roster post, a unit form's 科室负责人 who is not the
    section's head (the roster decides floors and supervisors, so one of the two is wrong)."""
    read = files["status"].eq(frames.FILE_STATUS_READ) & ~skip
    kind = files["kind"]
    individual = files.index[read & kind.eq(vocab.INDIVIDUAL).fillna(False).astype(bool)]
    # column lists, and each distinct (written, roster) post pair compared once: 10,000 forms
    agree: dict[tuple[str, str], bool] = {}
    for idx, section, name, written in zip(
        individual,
        normalize.stripped_all(files.loc[individual, "section"].tolist()),
        normalize.stripped_all(files.loc[individual, "name"].tolist()),
        normalize.stripped_all(files.loc[individual, "post"].tolist()),
        strict=True,
    ):
        person = (section, name)
        pair = (written, index.post_of.get(person, ""))
        if pair not in agree:
            agree[pair] = _posts_agree(*pair)
        if not agree[pair]:
            roster_post = pair[1]
            rec = next(files.loc[[idx]].itertuples())
            _file_issue(
                log, rec, "post_differs", "post", field_key="post", value=written,
                person=person[1], roster_post=roster_post,
            )  # fmt: skip
    for idx in files.index[read & kind.eq(vocab.UNIT).fillna(False).astype(bool)]:
        section, written = _text(files.at[idx, "section"]), _text(files.at[idx, "head"])
        heads = index.head_of.get(section, [])
        folded = _bare(normalize.fold(written))
        if not written or not heads or any(normalize.fold(h) in folded for h in heads):
            continue
        rec = next(files.loc[[idx]].itertuples())
        _file_issue(
            log, rec, "head_differs", "head", field_key="head", value=written,
            roster_head=vocab.allowed_text(tuple(heads)),
        )  # fmt: skip


# --------------------------------------------------------------------------------------
# c. resubmission, d. empty forms
# --------------------------------------------------------------------------------------
def _supersede(files: pd.DataFrame, rows: pd.DataFrame, log: _IssueLog) -> pd.DataFrame:
    """Keep the latest form per person (individual) or section (unit); drop the rows of the
    others. A corrected annotated copy first replaces its original; then latest = 填表日期
    (missing sorts oldest), mail-folder date, mtime, file path (see resubmit.py). An
    annotated copy that reads as its original is that original's duplicate, no version."""
    for idx, original in resubmit.unchanged_copies(files, rows).items():
        rec = next(files.loc[[idx]].itertuples())
        _file_issue(
            log,
            rec,
            "duplicate_file",
            "date",
            value=_text(rec.date),
            detail=original,
            text_code="unchanged_copy",
        )
        # like discover's byte-identical duplicates: no superseded_by (it replaces nothing,
        # and its original replaced nothing of it)
        files.loc[idx, ["status", "reason"]] = [frames.FILE_STATUS_SUPERSEDED, "duplicate_file"]
    for idx, newer in resubmit.copied_originals(files).items():
        rec = next(files.loc[[idx]].itertuples())
        kept = _left_out_of_copy(files, rows, idx, newer)
        if kept.any():  # the copy replaces its own sections' sheets; the others still count
            mine = (rows["file"] == rec.file).to_numpy(bool) & ~kept
            sheets = _row_sheets(rows)
            for sheet_name in dict.fromkeys(sheets[mine].tolist()):
                group = rows.loc[mine & (sheets == sheet_name)]
                section, name = _first_owner(group)
                log.add(
                    "superseded",
                    file=rec.file,
                    sheet=_text(sheet_name),
                    section=section,
                    name=name,
                    field_key="date",
                    text_code="superseded_sheet_by",
                    detail=_WHO_PERSON.format(section=section, name=name),
                    newer=newer,
                )
            rows = rows.loc[~mine].reset_index(drop=True)
            continue
        _file_issue(
            log,
            rec,
            "superseded",
            "date",
            value=_text(rec.date),
            detail="",
            text_code="superseded_by_copy",
            newer=newer,
        )
        files.loc[idx, ["status", "reason", "superseded_by"]] = [
            frames.FILE_STATUS_SUPERSEDED,
            "superseded",
            newer,
        ]
    read = files["status"].eq(frames.FILE_STATUS_READ)
    candidates = files.loc[read & files["kind"].isin(vocab.FORM_KINDS)]
    section_key = normalize.fold_series(candidates["section"])
    name_key = normalize.fold_series(candidates["name"])
    is_unit = candidates["kind"].eq(vocab.UNIT)
    key = np.asarray(
        np.where(
            is_unit,
            "u" + _KEY_SEP + section_key,
            "i" + _KEY_SEP + section_key + _KEY_SEP + name_key,
        ),
        dtype=object,
    )
    # a workbook of one sheet per person holds one submission per sheet (SPEC): each of its
    # people competes on their own, and a later form of one of them replaces that sheet only
    units, sheet_owner = _sheet_units(candidates, rows, key)
    unit_key = units["_key"].to_numpy(dtype=object)
    # sorted by key, then 填表日期, folder date, mtime, path: the last of each key is the latest
    order = resubmit.latest_order(units, units["_key"])
    latest = order[resubmit.last_of_each(unit_key[order])]
    path = resubmit.order_keys(units)["_file"].to_numpy(dtype=object)
    newer = dict(zip(unit_key[latest].tolist(), path[latest].tolist(), strict=True))
    lost = np.ones(len(units), dtype=bool)
    lost[latest] = False
    # a file is superseded when every one of its submissions is; else only those sheets are
    whole = pd.Series(lost, index=units.index).groupby(level=0).all()
    old = candidates.index[whole.reindex(candidates.index).to_numpy(bool)]
    key_of = pd.Series(key, index=candidates.index)
    superseded_by = []
    for idx, rec in zip(old, files.loc[old].itertuples(), strict=True):
        if rec.kind == vocab.UNIT or not _text(rec.name):  # a section's table names nobody
            who = _WHO_SECTION.format(section=_text(rec.section))
        else:
            who = _WHO_PERSON.format(section=_text(rec.section), name=_text(rec.name))
        own = key_of.at[idx]
        later = newer.get(own) or newer[unit_key[np.flatnonzero(units.index == idx)[0]]]
        kept = files.loc[files["file"].eq(later)]
        by_date = len(kept) and resubmit.sent_after(rec, next(kept.itertuples()))
        # two forms of one mail (its folder, zip or .eml): the kept one was not sent later
        together = len(kept) and bool(
            parcels(rec.file, getattr(rec, "container", None))
            & parcels(later, kept["container"].iloc[0] if "container" in kept else None)
        )
        _file_issue(
            log,
            rec,
            "superseded",
            "date",
            field_key="date",
            value=_text(rec.date),
            detail=who,
            text_code="superseded_by_date"
            if by_date
            else ("superseded_same_mail" if together else "superseded_by"),
            newer=later,
            newer_date=_text(kept["date"].iloc[0]) if len(kept) else "",
        )
        superseded_by.append(later)
    if len(old):
        files.loc[old, "superseded_by"] = superseded_by
    files.loc[old, "status"] = frames.FILE_STATUS_SUPERSEDED
    files.loc[old, "reason"] = "superseded"
    gone = files.loc[files["status"].eq(frames.FILE_STATUS_SUPERSEDED), "file"].unique()
    drop = rows["file"].isin(gone).to_numpy(bool, copy=True)
    # the sheets replaced in a workbook that keeps others
    partly = lost & ~units.index.isin(old) & (sheet_owner != "")
    row_owner = _row_owner_keys(rows) if partly.any() else None
    for i in np.flatnonzero(partly).tolist():
        rec = next(files.loc[[units.index[i]]].itertuples())
        mine = (rows["file"] == rec.file).to_numpy(bool) & (row_owner == sheet_owner[i])
        section, name = _first_owner(rows.loc[mine])
        log.add(
            "superseded",
            file=rec.file,
            sheet=_first_text(rows.loc[mine, "row_sheet"]),
            section=section,
            name=name,
            field_key="date",
            text_code="superseded_sheet_by",
            detail=_WHO_PERSON.format(section=section, name=name),
            newer=newer[unit_key[i]],
        )
        drop |= mine
    if not drop.any():
        return rows
    return rows.loc[~drop].reset_index(drop=True)


def _left_out_of_copy(files: pd.DataFrame, rows: pd.DataFrame, idx: int, copy: str) -> np.ndarray:
    """Which rows of ``rows`` are the original's (file at ``idx``) on sheets its annotated copy
    ``copy`` left out as another section's (a section's copy holds only its own sheets): a
    sheet the copy lacks whose rows are of sections none of the copy's rows is of."""
    kept = np.zeros(len(rows), dtype=bool)
    if "row_section" not in rows or "row_sheet" not in rows or rows.empty:
        return kept
    section = normalize.fold_series(rows["row_section"].fillna(rows["section"]))
    mine = (rows["file"] == files.at[idx, "file"]).to_numpy(bool)
    theirs = (rows["file"] == copy).to_numpy(bool)
    if not theirs.any():
        return kept
    sheets = _row_sheets(rows)
    copy_sheets = set(sheets[theirs])
    copy_sections = set(section[theirs])
    for sheet_name in set(sheets[mine]) - copy_sheets:
        on = mine & (sheets == sheet_name)
        if not copy_sections & set(section[on]):
            kept |= on
    return kept


def _row_sheets(rows: pd.DataFrame) -> np.ndarray:
    """Each row's own sheet (a workbook of one sheet per person), else its file's."""
    return frames.text_series(rows["row_sheet"].fillna(rows["sheet"])).to_numpy(dtype=object)


def _row_owner_keys(rows: pd.DataFrame) -> np.ndarray:
    """Each row's own person as a resubmission key ('' for rows without one)."""
    if "row_name" not in rows or "row_sheet" not in rows:
        return np.full(len(rows), "", dtype=object)
    section = normalize.fold_series(rows["row_section"].fillna(rows["section"]))
    name = normalize.fold_series(rows["row_name"])
    has = rows["row_name"].notna().to_numpy(bool) & rows["row_sheet"].notna().to_numpy(bool)
    keys = np.asarray("i" + _KEY_SEP + section + _KEY_SEP + name, dtype=object)
    return np.where(has & (name != "").to_numpy(bool), keys, "")


def _note_fewer_rows(files: pd.DataFrame, log: _IssueLog) -> None:
    """A 提示 on each counted form with fewer table rows than a version it replaced (the
    one with most): the latest wins, so the rows only the old version had leave the catalogue,
    and the sender is asked whether that was meant. Workbooks of one sheet per person
    compete sheet by sheet and are left out."""
    if "superseded_by" not in files:
        return
    replaced = files.loc[
        files["status"].eq(frames.FILE_STATUS_SUPERSEDED)
        & files["reason"].eq("superseded")
        & frames.text_series(files["superseded_by"]).ne("")
    ]
    if replaced.empty:
        return
    n_rows = pd.to_numeric(files["n_rows"], errors="coerce").fillna(0).astype(int)
    by_file = dict(zip(files["file"].tolist(), files.index.tolist(), strict=True))

    def single(idx: Any) -> bool:
        sheets = files.at[idx, "sheet_colmaps"] if "sheet_colmaps" in files else None
        return not (isinstance(sheets, dict) and _sheet_count(sheets) > 1)

    most: dict[Any, Any] = {}  # kept file's index -> the replaced version with most rows
    for old, new in zip(replaced.index, frames.text_series(replaced["superseded_by"]), strict=True):
        kept = by_file.get(new)
        if kept is None or not single(old) or not single(kept):
            continue
        if kept not in most or n_rows.at[old] > n_rows.at[most[kept]]:
            most[kept] = old
    for kept, old in most.items():
        if files.at[kept, "status"] != frames.FILE_STATUS_READ or n_rows.at[old] <= n_rows.at[kept]:
            continue
        rec = next(files.loc[[kept]].itertuples())
        _file_issue(
            log,
            rec,
            "fewer_rows_than_replaced",
            "",
            count=int(n_rows.at[kept]),
            older=_text(files.at[old, "file"]),
            older_count=int(n_rows.at[old]),
            fewer=int(n_rows.at[old] - n_rows.at[kept]),
        )


def _sheet_units(
    candidates: pd.DataFrame, rows: pd.DataFrame, key: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The submissions competing for 'latest' (indexed by their file's index): one per file,
    or for a workbook of one sheet per person one per person its sheets hold; with the
    owner key of each ('' for a whole file)."""
    units = candidates.assign(_key=key)
    owner = np.full(len(units), "", dtype=object)
    colmaps = candidates.get("sheet_colmaps")
    if colmaps is None or rows.empty:
        return units, owner
    several = [
        f
        for f, sheets in zip(candidates["file"].tolist(), colmaps.tolist(), strict=True)
        if isinstance(sheets, dict) and _sheet_count(sheets) > 1
    ]
    if not several:
        return units, owner
    in_several = rows["file"].isin(several).to_numpy(bool)
    owners = pd.DataFrame(
        {
            "file": rows["file"].to_numpy(dtype=object)[in_several],
            "_owner": _row_owner_keys(rows)[in_several],
        }
    )
    owners = owners[owners["_owner"] != ""].drop_duplicates()
    if owners.empty:
        return units, owner
    single = units[~units["file"].isin(set(owners["file"]))]
    split = units[units["file"].isin(set(owners["file"]))]
    split = (
        split.reset_index()
        .merge(owners, on="file", how="left", sort=False)
        .set_index(split.index.name or "index")
    )
    split["_key"] = split["_owner"]
    if "sheet_dates" in split:
        # each person's sheet is as recent as its own 填表日期 (the first sheet's: the file's)
        split["date"] = [
            own[folded][0] if isinstance(own, dict) and folded in own else day
            for own, folded, day in zip(
                split["sheet_dates"].tolist(),
                [k.rpartition(_KEY_SEP)[2] for k in split["_owner"].tolist()],
                split["date"].tolist(),
                strict=True,
            )
        ]
        split["date"] = split["date"].astype("str")
    units = pd.concat([single, split.drop(columns="_owner")])
    owner = np.concatenate(
        [np.full(len(single), "", dtype=object), split["_owner"].to_numpy(dtype=object)]
    )
    return units, owner


def _first_owner(rows: pd.DataFrame) -> tuple[str, str]:
    """(section, name) a sheet's rows give their person."""
    section = _first_text(rows["row_section"]) or _first_text(rows["section"])
    return section, _first_text(rows["row_name"])


def _first_text(values: pd.Series) -> str:
    found = values.dropna()
    return _text(found.iloc[0]) if len(found) else ""


def _read_as_form(rows: pd.DataFrame) -> np.ndarray:
    """Rows the reader read as a form's (``accepted`` from read); the others are counted only."""
    if "accepted" not in rows:
        return np.ones(len(rows), dtype=bool)
    return rows["accepted"].fillna(True).to_numpy(dtype=bool)


def _read_forms(files: pd.DataFrame) -> pd.Series:
    """Files read as forms (not a 廉政承诺书 sent on its own, which has no table)."""
    kind = files["kind"].isin(vocab.FORM_KINDS).fillna(False).astype(bool)
    return files["status"].eq(frames.FILE_STATUS_READ) & kind


def _reject_empty(files: pd.DataFrame, rows: pd.DataFrame, log: _IssueLog) -> None:
    read = _read_forms(files)
    empty = read & ~files["file"].isin(rows.loc[_read_as_form(rows), "file"].unique())
    for rec in files.loc[empty].itertuples():
        log.add(
            "empty_form",
            file=rec.file,
            sheet=_text(rec.sheet),
            section=_text(rec.section),
            name="" if rec.kind == vocab.UNIT else _text(rec.name),
        )
    _reject(files, empty, "empty_form")


def _copy_file_fields(files: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows carry their file's (canonical) header values."""
    rows = rows.copy(deep=False)
    by_file = files.drop_duplicates("file").set_index("file")
    at = by_file.index.get_indexer(rows["file"])  # -1: a file not in ``files`` (missing)
    for col in ("sheet", "kind", "section", "name", "post", "head", "date"):
        values = by_file[col].array.take(at, allow_fill=True)
        rows[col] = pd.Series(values, index=rows.index).astype("str")
    return rows


def _keep_row_owners(rows: pd.DataFrame, checked: np.ndarray, table: pd.DataFrame) -> None:
    """The rows frame takes each checked row's own sheet, section and person as
    ``owners.attribute`` gave them (a workbook of one sheet per person, a table with 科室/姓名
    columns): the feedback routes a sheet and its rejected rows by them, 科室汇总 counts by them."""
    mine = table["file"].isin(owners.files_with_row_owners(table)).to_numpy()
    if not mine.any():
        return
    at = np.flatnonzero(checked)[mine]
    for col in ("sheet", "section", "name"):
        values = rows[col].to_numpy(dtype=object, copy=True)
        values[at] = table[col].to_numpy(dtype=object)[mine]
        rows[col] = pd.Series(values, index=rows.index).astype("str")


def _colmaps(files: pd.DataFrame) -> dict[str, dict[str, str]]:
    return {
        f: cm if isinstance(cm, dict) else {}
        for f, cm in zip(files["file"].tolist(), files["colmap"].tolist())
    }


# --------------------------------------------------------------------------------------
# e. row validation (pandera)
# --------------------------------------------------------------------------------------
# field -> (the table column's array when it was coded, codes (-1: blank), distinct values)
Coded = dict[str, tuple[Any, np.ndarray, np.ndarray]]


def _row_table(rows: pd.DataFrame, checked: np.ndarray) -> tuple[pd.DataFrame, Coded]:
    """The ``checked`` rows, every field as ``str`` (stripped, blank = NA), on a RangeIndex,
    and the codes of the fields it could code (``Coded``). ``rows`` keeps its values, with
    equal texts of a field held as one object."""
    table = rows.loc[checked].reset_index(drop=True)
    coded: Coded = {}
    for field in frames.ROW_FIELDS:
        if field not in rows:
            table[field] = normalize.clean_text(pd.Series(pd.NA, index=table.index))
            continue
        rows[field], clean, codes = normalize.shared_clean_coded(rows[field])
        table[field] = clean.array[checked]
        if codes is not None:
            coded[field] = (table[field].array, codes[0][checked], codes[1])
    return table, coded


class _Distinct:
    """The distinct values of the column the checks are reading and each row's code into them,
    computed once for all the checks of a column (pandera hands each check the same array)."""

    def __init__(self, known: dict[str, tuple[Any, np.ndarray, np.ndarray]] | None = None) -> None:
        self._array: object = None
        self._codes = np.empty(0, dtype=np.intp)
        self._uniques = pd.Series([], dtype=object)
        # column -> (its array, codes, distinct values) worked out before (validate's table)
        self._known = known or {}

    def _coded(self, s: pd.Series) -> tuple[np.ndarray, pd.Series]:
        array = s.array
        if array is not self._array or len(self._codes) != len(s):
            known = self._known.get(s.name)  # type: ignore[call-overload]
            if known is not None and known[0] is array and len(known[1]) == len(s):
                codes, uniques = known[1], known[2]
            else:
                codes, uniques = pd.factorize(np.asarray(array, dtype=object))
            self._array, self._codes = array, codes
            self._uniques = pd.Series(uniques, dtype=s.dtype)
        return self._codes, self._uniques

    def present(self, s: pd.Series) -> pd.Series:
        return pd.Series(self._coded(s)[0] != -1, index=s.index)

    def judge(self, s: pd.Series, check: Any, blank: bool) -> pd.Series:
        """``check`` (distinct values -> bool Series) for every row; ``blank`` for blank rows."""
        codes, uniques = self._coded(s)
        verdict = np.append(np.asarray(check(uniques), dtype=bool), blank)
        return pd.Series(verdict[codes], index=s.index)  # code -1 (blank) picks the last


def row_schema(
    kinds: pd.Series,
    settings: Settings,
    written: pd.Series | None = None,
    lacking: dict[str, pd.Series] | None = None,
    known: dict[str, tuple[Any, np.ndarray, np.ndarray]] | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema of data rows. ``kinds`` (aligned with the frame) makes 涉及岗位
    required on unit forms only; every column is text, and every check parses it itself.
    ``written`` marks rows graded by their written level alone (a 风险等级 but neither 发生几率
    nor 危害程度): those need no likelihood or harm; ``lacking`` marks, per optional column
    (``vocab.OPTIONAL_COLUMNS``), the rows of tables without it: those need no value there. ``known``: column -> (the array the frame will
    hold, its codes and distinct values), so that the checks need not factorize it again."""
    limit = settings.limits.max_cell_chars

    def present(s: pd.Series) -> pd.Series:
        return distinct.present(s)

    def present_unless_written(s: pd.Series) -> pd.Series:
        if written is None:
            return distinct.present(s)
        return distinct.present(s) | written.reindex(s.index).fillna(False).astype(bool)

    def present_unless_lacking(field: str) -> Any:
        mask = (lacking or {}).get(field)

        def check(s: pd.Series) -> pd.Series:
            if mask is None:
                return distinct.present(s)
            return distinct.present(s) | mask.reindex(s.index).fillna(False).astype(bool)

        return check

    def posts_present(s: pd.Series) -> pd.Series:
        return distinct.present(s) | kinds.reindex(s.index).ne(vocab.UNIT)

    # Every check reads a blank cell itself (ignore_na=False): pandera's own NA handling
    # would copy each column once per check. Checks judge each distinct value once.
    distinct = _Distinct(known)

    def fits(s: pd.Series) -> pd.Series:
        def short(u: pd.Series) -> pd.Series:
            chars = u.str.len()
            long = (2 * chars).gt(min(limit, MAX_CELL_CHARS)).fillna(False)
            if long.any():  # as Excel counts: an emoji is two
                chars = chars.where(~long, u[long].map(excel_len))
            return ~(chars.gt(limit) | chars.eq(MAX_CELL_CHARS)).fillna(False)

        return distinct.judge(s, short, blank=True)

    def no_error(s: pd.Series) -> pd.Series:
        return distinct.judge(s, lambda u: ~u.isin(vocab.EXCEL_ERRORS), blank=True)

    def enum_check(field: str) -> pa.Check:
        def valid(s: pd.Series) -> pd.Series:  # an error value gets its own message
            return distinct.judge(
                s,
                lambda u: ~normalize.fold_enum(u, field)[1] | u.isin(vocab.EXCEL_ERRORS),
                blank=True,
            )

        return pa.Check(valid, ignore_na=False, name="bad_enum")

    columns = {}
    for field in frames.ROW_FIELDS:
        checks = []
        if field in vocab.REQUIRED_VALUES:
            check = present_unless_written if field in ("likelihood", "harm") else present
            if field in vocab.OPTIONAL_COLUMNS:
                check = present_unless_lacking(field)
            checks.append(pa.Check(check, ignore_na=False, name="missing_value"))
        # an Excel error value (#N/A) is reported as such: 退回 in a required field
        required = field in vocab.REQUIRED_VALUES
        checks.append(
            pa.Check(
                no_error, ignore_na=False, name="error_value" if required else "error_value_note"
            )
        )
        if field == "posts_involved":
            checks.append(pa.Check(posts_present, ignore_na=False, name="missing_posts"))
        if field in ENUM_FIELDS:
            checks.append(enum_check(field))
        checks.append(pa.Check(fits, ignore_na=False, name="text_too_long"))
        columns[field] = pa.Column(str, nullable=True, checks=checks)
    return pa.DataFrameSchema(columns, strict=False)


def _block_keys(
    key: pd.Series, table: pd.DataFrame, by_sheet: dict[str, dict[str, dict[str, str]]]
) -> pd.Series:
    """Rows of a form stacked under another on its sheet in other columns take the colmap of
    its block (``records.BLOCK_SEP``: from its header row on; a later block wins)."""
    blocks = sorted(
        (int(row), f, f"{f}{_KEY_SEP}{sheet}", f"{f}{_KEY_SEP}{s}")
        for f, sheets in by_sheet.items()
        for s in sheets
        if records.BLOCK_SEP in s
        for sheet, _, row in [s.partition(records.BLOCK_SEP)]
    )
    if not blocks:
        return key
    excel_rows = pd.to_numeric(table["excel_row"], errors="coerce").to_numpy()
    base = key.to_numpy(dtype=object)
    out = base.copy()
    for row, _f, sheet_key, block_key in blocks:
        out[(base == sheet_key) & (excel_rows >= row)] = block_key
    return pd.Series(out, index=key.index, dtype=object)


def _sheet_count(sheets: dict[str, Any]) -> int:
    """The sheets a file's sheet_colmaps name (its blocks of other columns aside)."""
    return sum(1 for s in sheets if records.BLOCK_SEP not in s)


class _RowColmaps:
    """Each row's colmap (column key -> letter): its file's, or in a workbook of one sheet per
    person its own sheet's. ``codes`` number the rows' distinct colmaps ``maps``."""

    def __init__(self, codes: np.ndarray, maps: list[dict[str, str]]) -> None:
        self.codes, self.maps = codes, maps

    @classmethod
    def of(cls, table: pd.DataFrame, files: pd.DataFrame) -> _RowColmaps:
        if table.empty:
            return cls(np.zeros(0, dtype=np.intp), [{}])
        by_file = _colmaps(files)
        by_sheet: dict[str, dict[str, dict[str, str]]] = {}
        if "sheet_colmaps" in files:
            for f, sheets in zip(files["file"].tolist(), files["sheet_colmaps"].tolist()):
                if isinstance(sheets, dict) and sheets:
                    by_sheet[f] = {str(s).strip(): cm for s, cm in sheets.items()}
        key = table["file"].astype("object")
        if by_sheet and "row_sheet" in table:
            own = (key.isin(list(by_sheet)) & table["row_sheet"].notna()).to_numpy()
            if own.any():
                key = key.copy()
                key[own] = key[own] + _KEY_SEP + table["row_sheet"].astype("object")[own]
                key = _block_keys(key, table, by_sheet)
        codes, keys = pd.factorize(key.to_numpy(dtype=object))
        maps = []
        for k in keys.tolist():
            file, _, sheet = k.partition(_KEY_SEP)
            cm = by_sheet.get(file, {}).get(sheet) if sheet else None
            maps.append(cm if isinstance(cm, dict) else by_file.get(file, {}))
        return cls(codes, [*maps, {}])  # code -1 (no file) picks the last

    def at(self, pos: int) -> dict[str, str]:
        return self.maps[self.codes[pos]]

    def take(self, mask: np.ndarray) -> _RowColmaps:
        return _RowColmaps(self.codes[mask], self.maps)

    def without(self, field: str) -> np.ndarray:
        """Rows whose table has columns but not ``field`` (a known layout without it)."""
        lacking = np.array([bool(cm) and field not in cm for cm in self.maps], dtype=bool)
        return lacking[self.codes]


def _failures(
    table: pd.DataFrame,
    settings: Settings,
    lacking: dict[str, np.ndarray],
    coded: Coded | None = None,
) -> pd.DataFrame:
    """Run the schema once, lazily; failure cases as (pos, field, check). ``coded``: the
    table's columns' codes (``_row_table``)."""
    empty = pd.DataFrame({"pos": pd.Series([], dtype=int), "field": [], "check": []})
    if table.empty:
        return empty
    written = table["self_level"].notna() & table["likelihood"].isna() & table["harm"].isna()
    for field in ("likelihood", "harm"):  # a table without one of the two: graded by its level
        if field in lacking:
            written |= table["self_level"].notna() & pd.Series(lacking[field], index=table.index)
    no_column = {field: pd.Series(mask, index=table.index) for field, mask in lacking.items()}
    frame = table[list(frames.ROW_FIELDS)]
    # a column replaced since it was coded (owners.attribute gives rows their own owner) is
    # factorized again by the checks; nothing writes into the table's columns in between
    known = {
        field: (frame[field].array, codes, distinct)
        for field, (array, codes, distinct) in (coded or {}).items()
        if table[field].array is array
    }
    schema = row_schema(table["kind"], settings, written, no_column, known)
    try:
        # inplace: the schema coerces nothing, so the frame need not be copied, and the
        # checks see the very arrays whose codes ``known`` holds
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return empty
    unmapped = cases["index"].isna() | ~cases["check"].isin(_CHECK_CODES)
    if unmapped.any():
        raise ValidationBug(
            "row validation failed without a row to blame (a check crashed or the frame has a "
            f"wrong column type):\n{cases.loc[unmapped].to_string()}"
        )
    out = pd.DataFrame(
        {
            "pos": cases["index"].astype(int).to_numpy(),
            "field": cases["column"].astype(str).to_numpy(),
            "check": cases["check"].astype(str).to_numpy(),
        }
    )
    return out.drop_duplicates().reset_index(drop=True)


def _cell(colmap: dict[str, str], field: str, excel_row: object) -> str:
    letter = colmap.get(field, "")
    if not letter or excel_row is None or excel_row is pd.NA:
        return ""
    return f"{letter}{int(excel_row)}"  # type: ignore[call-overload]


_MEASURE_KEYS = frozenset((*vocab.MEASURE_FIELDS, "measures"))
# owners.attribute's row problems
_OWNER_CODES = frozenset(
    (
        "row_not_in_roster",
        "row_not_in_roster_similar",
        "row_many_people",
        "row_section_not_in_roster",
        "row_owner_missing",
    )
)


def _row_cell(colmap: dict[str, str], excel_row: object) -> str:
    """The row's first table cell (its leftmost known column), e.g. 'A7'."""
    letters = [v for v in colmap.values() if v]
    if not letters or excel_row is None or excel_row is pd.NA:
        return ""
    first = min(letters, key=lambda v: (len(v), v))
    return f"{first}{int(excel_row)}"  # type: ignore[call-overload]


class _RowIssues:
    """Issue rows for cells of ``table``; texts are built once per (code, field, value)."""

    def __init__(self, table: pd.DataFrame, colmaps: _RowColmaps) -> None:
        self.table = table
        self.colmaps = colmaps
        self.excel_rows = table["excel_row"].to_numpy()
        self.row_ids = table["row_id"].to_numpy()
        self.texts: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.records: list[dict[str, Any]] = []
        # columns are read only at the rows with an issue: nothing is copied for the others
        self._arrays: dict[str, Any] = {}

    def _at(self, field: str, pos: int) -> object:
        array = self._arrays.get(field)
        if array is None:
            array = self._arrays[field] = self.table[field].array
        value = array[pos]
        return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value

    def value(self, field: str, pos: int) -> object:
        """The row's value of ``field`` (None when blank)."""
        return self._at(field, pos)

    def _text(self, field: str, pos: int) -> object:
        value = self._at(field, pos)
        return "" if value is None else value

    def add(
        self,
        pos: int,
        code: str,
        field: str,
        value: object = "",
        action: str | None = None,
        **placeholders: Any,
    ) -> None:
        file = self._at("file", pos)
        colmap = self.colmaps.at(pos)
        cell = _cell(colmap, field, self.excel_rows[pos])
        text_code = None
        if not cell and code == "missing_value" and colmap:
            # the form has no such column at all: say so, and point at the row
            text_code = "missing_column_value"
            cell = _row_cell(colmap, self.excel_rows[pos])
        elif not cell and code == "measures_missing" and colmap:
            # no measure column at all: say so; or the measures came from a measures table
            # under the form (a column with no letter here): point at the row
            if not _MEASURE_KEYS & colmap.keys():
                text_code = "measures_no_column"
            cell = _row_cell(colmap, self.excel_rows[pos])
        elif not cell and code in _OWNER_CODES and colmap:
            # the owner came from the sheet's header block (one sheet per person), not a
            # column of the row: point at the row, so each row sent back has its own cell
            cell = _row_cell(colmap, self.excel_rows[pos])
        key = (code, field, value, action, text_code, *placeholders.values())
        text = self.texts.get(key)
        if text is None:
            text = frames.issue(code, field_key=field, value=value, **placeholders)
            if text_code:
                _, text["problem"], text["fix"] = vocab.message(
                    text_code, field=text["field"], value=text["value"]
                )
            if action:
                text["action"] = action
            self.texts[key] = text
        record = dict(text)
        record.update(
            file=file,
            sheet=self._text("sheet", pos),
            cell=cell,
            section=self._text("section", pos),
            name="" if self._at("kind", pos) == vocab.UNIT else self._text("name", pos),
            row_id=int(self.row_ids[pos]),
            _row=int(self.excel_rows[pos]),
            _col=_FIELD_ORDER.get(field, -1),
        )
        self.records.append(record)


def _ticked_several(field: str, raw: str) -> bool:
    """Whether a value is the choices of a row that ticked more than one (readform joins
    them): every part a value of the field."""
    parts = raw.split(vocab.TICK_JOIN) if raw else []
    return len(parts) > 1 and all(layout.choice_value(field, p) is not None for p in parts)


def _check_rows(
    table: pd.DataFrame,
    settings: Settings,
    out: _RowIssues,
    lacking: dict[str, np.ndarray],
    coded: Coded | None = None,
) -> np.ndarray:
    """Validate every row; add its issues; return the rejected mask over ``table``."""
    rejected = np.zeros(len(table), dtype=bool)
    failures = _failures(table, settings, lacking, coded)
    if failures.empty:
        return rejected
    rejecting = failures["check"].isin(_REJECTING_CHECKS).to_numpy()
    rejected[failures.loc[rejecting, "pos"].to_numpy()] = True
    limit = settings.limits.max_cell_chars
    for pos, field, check in failures.itertuples(index=False):
        code, action = _CHECK_CODES[check]
        raw = out.value(field, pos)
        if code == "bad_enum" and _ticked_several(field, raw):
            out.add(pos, "ticked_several", field, raw, action)
        elif code == "bad_enum":
            allowed = vocab.allowed_text(vocab.ENUMS[field])
            out.add(pos, code, field, raw, action, allowed=allowed)
        elif code == "text_too_long":
            chars = excel_len(raw)
            at_limit = chars == MAX_CELL_CHARS and chars <= limit
            out.add(pos, "text_at_limit" if at_limit else code, field, chars, action, limit=limit)
        elif code == "error_value":
            out.add(pos, code, field, raw, action)
        else:
            out.add(pos, code, field, "", action)
    return rejected


# --------------------------------------------------------------------------------------
# f. combined 防控措施
# --------------------------------------------------------------------------------------
def _split_measures(table: pd.DataFrame, out: _RowIssues) -> None:
    """Fill prevent/monitor/handle from 防控措施 where all three are empty (in place)."""
    if table.empty:
        return
    three_empty = table[list(vocab.MEASURE_FIELDS)].isna().all(axis=1)
    has_combined = table["measures"].notna()
    to_split = three_empty & has_combined
    if to_split.any():
        split = normalize.split_measures_series(table.loc[to_split, "measures"])
        for field in vocab.MEASURE_FIELDS:
            table.loc[to_split, field] = split[field]
        unsplit = split.index[~split["split_ok"]]
        for pos in unsplit:
            out.add(pos, "measures_unsplit", "measures", out.value("measures", pos))
    for pos in np.flatnonzero((three_empty & ~has_combined).to_numpy()):
        file_cols = out.colmaps.at(int(pos))
        field = "measures" if "measures" in file_cols and "prevent" not in file_cols else "prevent"
        out.add(int(pos), "measures_missing", field)


# --------------------------------------------------------------------------------------
# g. points
# --------------------------------------------------------------------------------------
# Points carry the A1 reference of these fields' cells, for the notes later stages attach to them
CELL_FIELDS = ("category", "likelihood", "harm", "self_level", "description", "posts_involved")


def _points(
    table: pd.DataFrame,
    colmaps: _RowColmaps,
    settings: Settings,
    lacking: dict[str, np.ndarray],
    coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """The accepted rows as points; ``coded``: (codes, distinct values) of columns of
    ``table`` known already (code -1: blank)."""
    coded = coded or {}
    points = table.reset_index(drop=True)
    for field in ENUM_FIELDS:
        points[field] = normalize.fold_enum(points[field], field, coded.get(field))[0]
    for field, placeholder in vocab.OPTIONAL_COLUMNS.items():
        filed = lacking[field] & points[field].isna().to_numpy()
        if filed.any():
            points.loc[filed, field] = placeholder
    limit = settings.limits.max_cell_chars
    for field in TEXT_FIELDS:
        codes, texts = coded.get(field) or pd.factorize(
            np.asarray(points[field].array, dtype=object)
        )
        long = [isinstance(t, str) and over_cell(t, limit) for t in texts.tolist()]
        too_long = np.append(np.array(long, dtype=bool), False)[codes]  # -1: blank
        if too_long.any():
            points.loc[too_long, field] = [cell_text(v, limit) for v in points.loc[too_long, field]]
    points["post"] = normalize.clean_text(points["post"])
    unit = points["kind"].eq(vocab.UNIT).fillna(False).astype(bool)
    points.loc[unit, "post"] = points.loc[unit, "posts_involved"]
    points.loc[unit, "name"] = ""
    points["accepted"] = True
    # each distinct (column letter, row) is written once; the points holding it share it
    row_codes, excel_rows = pd.factorize(points["excel_row"].astype(int).to_numpy())
    row_text = np.array([str(r) for r in excel_rows.tolist()], dtype=object)
    codes, maps = colmaps.codes, colmaps.maps
    for field in CELL_FIELDS:
        letter_codes, letters = pd.factorize(
            np.array([cm.get(field, "") for cm in maps] + [""], dtype=object)
        )
        letter = letter_codes[codes]  # code -1 (no file) picks the last slot
        combo, pairs = pd.factorize(letter * len(excel_rows) + row_codes)
        texts = np.array(
            [
                letters[p // len(excel_rows)] + row_text[p % len(excel_rows)]
                if letters[p // len(excel_rows)]
                else ""
                for p in pairs.tolist()
            ],
            dtype=object,
        )
        points[f"{field}_cell"] = normalize.text_column(texts, combo, points.index)
    columns = [c for c in frames.ROW_COLUMNS if c in points] + [f"{f}_cell" for f in CELL_FIELDS]
    return points[columns]
