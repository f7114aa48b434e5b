"""Pre-filled forms for the year's first round: ``python -m pipeline prefill``.

Per roster section, a folder (and a zip of it, ready to mail) holding each roster person's
individual form and the section's unit form, written by ``templates.write_form`` exactly like
the blank templates: 科室/姓名/岗位（职务） filled in from the roster and locked (the sheet is
protected without a password; every input cell stays unlocked), the 科室 cell offering the
roster's sections as its list. With last year's archive, each form also holds the person's
(or, for the unit form, the section's) accepted risk points and measures of last year, to
revise instead of retyping: points are matched by section and name after ``vocab.fold``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import archives, completeness, config, formlayout, history, templates, vocab, xlsx
from pipeline.errors import PipelineError

NAME_SEPARATORS = history.NAME_SEPARATORS  # 、，,；;/ between a point's people
BLANK_ROWS = 10  # empty input rows below last year's points
ROW_KEYS = (
    "step",
    "category",
    "description",
    "likelihood",
    "harm",
    "prevent",
    "monitor",
    "handle",
)


@dataclass
class PrefillResult:
    """What ``prefill`` wrote: per section its folder, zip and forms."""

    folders: dict[str, Path] = field(default_factory=dict)
    zips: dict[str, Path] = field(default_factory=dict)
    forms: list[Path] = field(default_factory=list)
    points: int = 0  # last year's points filled in
    # last year's points that went to no form (nobody on the roster): who they belonged to
    not_carried: int = 0
    not_carried_owners: list[str] = field(default_factory=list)
    # ... of roster people now in another section (a post's points stay with the post)
    moved: int = 0
    moved_owners: list[str] = field(default_factory=list)
    # points named in a column headed 责任人 not surely the named person's: on unit forms
    unsure: int = 0
    unsure_label: str = ""
    # last year's sections the roster renamed (their points went to the new name's forms)
    renamed: list[tuple[str, str]] = field(default_factory=list)


def folder_given(path: Path) -> str:
    """The message for a folder given as last year's archive, naming the archives in it."""
    names = archives.archives_in(path)
    found = (
        vocab.LAST_ARCHIVE_FOLDER_HOLDS.format(names=names)
        if names
        else vocab.LAST_ARCHIVE_FOLDER_EMPTY
    )
    return vocab.LAST_ARCHIVE_IS_FOLDER.format(path=path, found=found)


def load_last_archive(path: Path) -> pd.DataFrame:
    """Last year's catalogue (read by header labels), or PipelineError in Chinese when the file
    is missing or holds no catalogue."""
    path = Path(path)
    if path.is_dir():
        raise PipelineError(folder_given(path))
    if not path.is_file():
        raise PipelineError(vocab.LAST_ARCHIVE_MISSING.format(path=path))
    pdf = archives.pdf_message(path)
    if pdf:
        raise PipelineError(pdf)
    other = archives.other_output(path)  # a district workbook holds a catalogue too
    if other:
        raise PipelineError(vocab.LAST_ARCHIVE_OTHER_OUTPUT.format(path=path, what=other))
    try:
        frame = archives.read_catalogue(path)
    except Exception as exc:  # calamine's errors for a file that is no workbook
        raise PipelineError(vocab.LAST_ARCHIVE_NOT_ARCHIVE.format(path=path)) from exc
    if frame is None:
        raise PipelineError(vocab.LAST_ARCHIVE_NOT_ARCHIVE.format(path=path))
    return frame


def _text(value: object) -> str:
    return "" if xlsx.is_missing(value) else str(value).strip()


def _as_listed(value: str, key: str) -> str:
    """An enumerated value as its dropdown offers it (a hand-made catalogue's 流程风险, 较高,
    Ⅲ级 …); a value that names none stays as written, for the reader to report."""
    return (vocab.enum_value(value, key) or value) if value else value


def _rows(points: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """Catalogue points -> form rows; 自评等级 is last year's 评定等级 (the accepted level)."""
    out = []
    for rec in points.to_dict("records"):
        row = {key: _text(rec.get(key, "")) for key in ROW_KEYS}
        row["self_level"] = _text(rec.get("level", "")) or _text(rec.get("self_level", ""))
        for key in vocab.ENUMS:
            row[key] = _as_listed(row[key], key)
        if kind == vocab.UNIT:
            row["posts_involved"] = _text(rec.get("post", ""))
        out.append(row)
    return out


def _sure_owners(roster: Any) -> dict[tuple[str, str], str | None]:
    """(folded section, folded name) -> the person's folded roster post, for the roster people
    a point headed 责任人 may surely be given to; None for a section's head or a body leader
    (in a catalogue that names supervisors there, those are the names it gives)."""
    leaders = {vocab.fold(roster.chair)} | {
        vocab.fold(_text(v)) for v in roster.sections["vice_chair"].tolist()
    }
    heads = {
        (vocab.fold(_text(r["section"])), vocab.fold(_text(r["head"])))
        for r in roster.sections.to_dict("records")
    }
    out: dict[tuple[str, str], str | None] = {}
    for rec in roster.people.to_dict("records"):
        key = (vocab.fold(_text(rec["section"])), vocab.fold(_text(rec["name"])))
        supervisor = key in heads or key[1] in leaders or bool(rec.get("is_head"))
        out[key] = None if supervisor else vocab.fold(_text(rec["post"]))
    return out


def _surely_theirs(
    key: tuple[str, str], post: str, owners: dict[tuple[str, str], str | None]
) -> bool:
    """A point of a catalogue whose 姓名 column is headed 责任人 is the named person's when
    they are in its section and the point's 岗位 is their roster post, or, for a point without
    a 岗位, when they are no head or leader of it."""
    if key not in owners:
        return False
    roster_post = owners[key]
    if post:
        return roster_post is not None and roster_post == post
    return roster_post is not None


def _split_last(
    last: pd.DataFrame | None, roster: Any = None, renamed: dict[str, str] | None = None
) -> tuple[dict, dict, int]:
    """Last year's points by (folded section, folded name) and, for unit points (no 姓名),
    by folded section (a renamed section's under its new name, ``history.renamed_sections``);
    and how many points named a person in a column headed 责任人 but were not surely theirs
    (given to the section's unit form instead)."""
    people: dict[tuple[str, str], list[int]] = {}
    units: dict[str, list[int]] = {}
    if last is None or not len(last):
        return people, units, 0
    renamed = renamed or {}
    sections = [vocab.fold(s) for s in last["section"].tolist()]
    sections = [vocab.fold(renamed[s]) if s in renamed else s for s in sections]
    names = last["name"].tolist() if "name" in last.columns else [""] * len(last)
    posts = last["post"].tolist() if "post" in last.columns else [""] * len(last)
    unsure = roster is not None and archives.name_unsure(last.attrs.get("name_label", ""))
    owners = _sure_owners(roster) if unsure else {}
    roster_sections = {key[0] for key in owners}
    moved_to_section = 0
    for i, (sec, names_text) in enumerate(zip(sections, names, strict=True)):
        listed = history.folded_people(str(names_text))
        if unsure and listed:
            post = vocab.fold(_text(posts[i]))
            sure = [n for n in listed if _surely_theirs((sec, n), post, owners)]
            if not sure and sec in roster_sections:
                moved_to_section += 1
                listed = []
            elif sure:
                listed = sure
        if not listed:
            units.setdefault(sec, []).append(i)
        for name in listed:
            people.setdefault((sec, name), []).append(i)
    return people, units, moved_to_section


def _unique(name: str, used: set[str], package: bool = False) -> str:
    """``name`` (a safe file or folder name), or with （2）, （3）… when a name already used
    is the same on Windows (no case; 欧阳/娜 and 欧阳_娜 are both 欧阳_娜): never one path for
    two people or sections. ``package``: a section's folder, which has <folder>.zip beside
    it, so neither may be a name taken (a section 「财务.zip」 beside 「财务」's package)."""

    def taken(candidate: str) -> bool:
        return candidate.casefold() in used or (package and f"{candidate}.zip".casefold() in used)

    candidate, n = name, 2
    while taken(candidate):
        candidate, n = f"{name}（{n}）", n + 1
    used.add(candidate.casefold())
    if package:
        used.add(f"{candidate}.zip".casefold())
    return candidate


def _form_name(who: str, kind: str, used: set[str]) -> str:
    return f"{_unique(xlsx.safe_filename(who), used)}_{vocab.FORM_TITLES[kind]}.xlsx"


def _zip_folder(folder: Path, target: Path) -> None:
    """Zip ``folder`` (its name as the top folder inside), atomically and deterministically."""
    with xlsx.atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.flag_bits |= 0x800  # names in UTF-8
            zf.writestr(info, path.read_bytes())


def prefill(config_dir: Path, out: Path, last_archive: Path | None = None) -> PrefillResult:
    """Write the pre-filled forms of every roster section into ``out``."""
    config_dir, out = Path(config_dir), Path(out)
    # a bad settings file stops here, as for process; its rules go in every form's 填表说明
    settings = config.load_settings(config_dir)
    roster = config.load_roster(config_dir)
    last = load_last_archive(last_archive) if last_archive is not None else None
    if last_archive is not None:
        ours = history.body_name(settings, roster)
        theirs = archives.other_body(Path(last_archive), ours)
        if theirs:
            raise PipelineError(
                vocab.LAST_ARCHIVE_OTHER_BODY.format(path=last_archive, theirs=theirs, ours=ours)
            )
    renamed = history.renamed_sections(last, roster)
    by_person, by_section, unsure = _split_last(last, roster, renamed)
    sections = completeness.roster_sections(roster)
    leadership = completeness.leadership_sections(roster)
    heads = {_text(r["section"]): _text(r["head"]) for r in roster.sections.to_dict("records")}
    choices = {"section": tuple(sections)}
    result = PrefillResult()
    if renamed and last is not None:
        spelled = {vocab.fold(s): _text(s) for s in reversed(last["section"].tolist())}
        result.renamed = [(spelled[old], new) for old, new in renamed.items()]
    if unsure and last is not None:
        result.unsure, result.unsure_label = unsure, last.attrs.get("name_label", "")
    out.mkdir(parents=True, exist_ok=True)
    people = roster.people
    folders: set[str] = set()
    used: set[int] = set()  # last year's rows that went to a form
    for section in sections:
        folder = out / _unique(xlsx.safe_filename(section), folders, package=True)
        names: set[str] = set()
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.xlsx"):  # a rerun rebuilds the folder's forms
            stale.unlink()
        members = people[people["section"].map(_text) == section]
        for person in members.to_dict("records"):
            name, post = _text(person["name"]), _text(person["post"])
            if not name:
                continue
            picked = by_person.get((vocab.fold(section), vocab.fold(name)), [])
            used.update(picked)
            rows = _rows(last.iloc[picked], vocab.INDIVIDUAL) if picked else []
            path = folder / _form_name(name, vocab.INDIVIDUAL, names)
            _write(
                path,
                vocab.INDIVIDUAL,
                {"section": section, "name": name, "post": post},
                rows,
                choices,
                settings,
            )
            result.forms.append(path)
            result.points += len(rows)
        picked = by_section.get(vocab.fold(section), [])
        used.update(picked)
        if section not in leadership or picked:  # leaders owe none, but keep last year's
            rows = _rows(last.iloc[picked], vocab.UNIT) if picked else []
            header = {"section": section, "head": heads.get(section, "")}
            path = folder / _form_name(section, vocab.UNIT, names)
            _write(path, vocab.UNIT, header, rows, choices, settings)
            result.forms.append(path)
            result.points += len(rows)
        result.folders[section] = folder
        target = out / f"{folder.name}.zip"
        _zip_folder(folder, target)
        result.zips[section] = target
    if last is not None:
        now_in: dict[str, list[str]] = {}  # folded name -> the roster sections they are in
        for rec in people.to_dict("records"):
            if _text(rec["name"]):
                now_in.setdefault(vocab.fold(_text(rec["name"])), []).append(_text(rec["section"]))
        _not_carried(last, used, result, now_in)
    return result


def _not_carried(
    last: pd.DataFrame, used: set[int], result: PrefillResult, now_in: dict[str, list[str]]
) -> None:
    """Count last year's rows that went to no form and name their owners (科室 姓名, or the
    科室 of a unit point), in catalogue order, each once; apart, those whose people the roster
    now has in another section (moved: their points were the old post's, not the new one's)."""
    names = last["name"].tolist() if "name" in last.columns else [""] * len(last)
    owners: list[str] = []
    moved: list[str] = []
    for i, (section, who) in enumerate(zip(last["section"].tolist(), names, strict=True)):
        if i in used:
            continue
        listed = [n.strip() for n in NAME_SEPARATORS.split(_text(who)) if n.strip()]
        # a shared point went to the listed people still in its section; it is left behind
        # for the others, who moved or left
        gone = [n for n in listed if vocab.fold(n) not in now_in] or ([] if listed else [""])
        went = [n for n in listed if vocab.fold(n) in now_in]
        if gone:
            result.not_carried += 1
            for n in gone:
                owner = " ".join(t for t in (_text(section), n) if t)
                if owner not in owners:
                    owners.append(owner)
        elif went:
            result.moved += 1
        for n in went:
            owner = vocab.CLI_PREFILL_MOVED_OWNER.format(
                name=n, before=_text(section), now="、".join(now_in[vocab.fold(n)])
            )
            if owner not in moved:
                moved.append(owner)
    result.not_carried_owners = owners
    result.moved_owners = moved


def _write(
    path: Path,
    kind: str,
    header: dict[str, Any],
    rows: list[dict[str, Any]],
    choices: dict[str, tuple[str, ...]],
    settings: config.Settings,
) -> None:
    with xlsx.atomic_path(path) as tmp:
        templates.write_form(
            tmp,
            kind,
            header,
            rows,
            blank_rows=BLANK_ROWS if rows else 0,
            # locked only where filled: a field the roster leaves blank stays open to type in
            locked=frozenset(k for k in formlayout.ROSTER_FILLED[kind] if _text(header.get(k))),
            choices=choices,
            settings=settings,
        )
