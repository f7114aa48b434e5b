"""settings.toml + roster.xlsx -> validated Settings and Roster.

Every default of SPEC.md lives in ``DEFAULTS`` below; ``config/settings.toml`` may override any
of them. Unknown keys and bad values stop the run with a Chinese message (ConfigError).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import logging
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from pipeline import frames, normalize, prehash, vocab, xlsx
from pipeline.errors import ConfigError
from pipeline.limits import Limits  # its own module: the read workers import no pandas
from pipeline.workbook.grid import carry_merges

log = logging.getLogger("pipeline.config")

DEFAULTS: dict[str, Any] = {
    "body": {"name": "", "year": 0},
    "deadlines": {"find_risks": "03-31", "grade": "04-15", "archive": "04-30"},
    # Which phase's deadline a form's 填表日期 is checked against for lateness.
    "submission": {"late_phase": "find_risks"},
    "grading": {
        # rows: 危害程度; keys inside: 发生几率
        "matrix": copy.deepcopy(vocab.DEFAULT_MATRIX),
        "floors": dict(vocab.DEFAULT_FLOORS),
    },
    "supervision": copy.deepcopy(vocab.DEFAULT_SUPERVISION),
    # Last year's archive for the 年度对比 sheet (a path, relative to the config folder).
    "history": {"last_archive": ""},
    "limits": {
        "max_file_mb": prehash.MAX_BYTES // (1024 * 1024),  # 20
        "max_uncompressed_mb": 100,
        "max_compression_ratio": 200,
        "max_inbox_unpacked_mb": 2048,
        "max_rows": 5000,
        "max_columns": 100,
        "max_cell_chars": 32767,
        "worker_memory_mb": 1536,
        "worker_timeout_s": 60,
        "workers": 0,
    },
}


@dataclass(frozen=True)
class Settings:
    """Validated settings. ``matrix[harm][likelihood]`` and ``floors[post_type]`` give levels."""

    body_name: str
    year: int  # 0 = not set: taken from the forms' 填表日期
    deadlines: dict[str, str]
    late_phase: str
    matrix: dict[str, dict[str, str]]
    floors: dict[str, str | None]
    supervision: dict[str, dict[str, str]]
    limits: Limits
    source: str = ""  # where the settings came from, for the cover sheet
    last_archive: Path | None = None  # [history] last_archive, resolved and checked

    def measure_for(self, level: str) -> str:
        return self.supervision[level]["measure"]


@dataclass
class Roster:
    """The organisation roster: people, sections and the body's leadership."""

    people: pd.DataFrame  # section, name, post, post_type, is_head, excel_row
    sections: pd.DataFrame  # section, head, vice_chair, excel_row
    body_name: str
    chair: str
    oversight: str
    problems: list[dict[str, Any]] = field(default_factory=list)  # issue rows (提示)


def _fail(msg: str) -> ConfigError:
    return ConfigError(vocab.CONFIG_ERROR_PREFIX + msg)


def _key_hint(key: str, base: dict[str, Any], path: str) -> str:
    """What an unknown settings key was most likely meant to be: a key of the same table it
    is close to (yaer → year), or, written above every [table], the table it belongs under
    (year = 2026 before [body]); "" when nothing is close."""
    close = difflib.get_close_matches(key, [str(k) for k in base], n=1, cutoff=0.6)
    if close:
        return vocab.SETTINGS_KEY_MEANT.format(key=close[0])
    if not path:
        tables = [t for t, v in base.items() if isinstance(v, dict) and key in v]
        if tables:
            return vocab.SETTINGS_KEY_UNDER.format(key=key, table=tables[0])
    return ""


def _merge(base: dict[str, Any], override: dict[str, Any], path: str = "") -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}.{key}" if path else key
        if key not in base:
            known = vocab.LIST_SEP.join(base) or vocab.NONE_LISTED
            message = vocab.SETTINGS_UNKNOWN_KEY.format(where=where, known=known)
            raise _fail(message + _key_hint(key, base, path))
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise _fail(vocab.SETTINGS_NOT_TABLE.format(where=where))
            # grading.matrix / floors / supervision replace whole rows but keep key checks
            out[key] = _merge(base[key], value, where)
        else:
            out[key] = value
    return out


def _written(value: object) -> str:
    """A settings value for a message as TOML writes it (true, ["grade"]), not as Python
    prints it (True, ['grade'])."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _check_level(value: object, where: str, allow_none: bool = False) -> str | None:
    if allow_none and (value in ("", None) or value == vocab.NO_FLOOR):
        return None
    if value not in vocab.LEVELS:
        allowed = vocab.LIST_SEP.join(vocab.LEVELS + ((vocab.NO_FLOOR,) if allow_none else ()))
        raise _fail(
            vocab.SETTINGS_BAD_LEVEL.format(where=where, value=_written(value), allowed=allowed)
        )
    return str(value)


def _bad(where: str, value: object, expected: str) -> ConfigError:
    return _fail(
        vocab.SETTINGS_BAD_TEXT.format(where=where, value=_written(value), expected=expected)
    )


def _number(value: object, where: str, *, whole: bool = True, zero_ok: bool = False) -> float:
    """A limit: a finite number above 0 (or 0 when ``zero_ok``), a whole one when ``whole``.
    Refused otherwise: 0.5 would truncate to 0 and inf/nan cannot be compared or converted."""
    if zero_ok:
        expected = vocab.SETTINGS_EXPECT_WORKERS
    else:
        expected = vocab.SETTINGS_EXPECT_WHOLE if whole else vocab.SETTINGS_EXPECT_POSITIVE
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(where, value, expected)
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        raise _bad(where, value, expected)
    if whole and not float(value).is_integer():
        raise _bad(where, value, expected)
    return value


def _positive_int(value: object, where: str, zero_ok: bool = False) -> int:
    return int(_number(value, where, zero_ok=zero_ok))


def _read_settings_text(path: Path) -> str:
    """settings.toml as text: UTF-8 (a BOM, as Windows Notepad writes, is fine), else GB18030
    (Notepad's "ANSI" on Chinese Windows)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(vocab.SETTINGS_UNREADABLE.format(path=path)) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(vocab.SETTINGS_NOT_UTF8.format(path=path))


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")
# tomllib's words for a [table] or key written a second time
_TOML_REPEATED = ("Cannot declare", "Cannot overwrite", "Duplicate")


def check_config_dir(config_dir: Path) -> None:
    """Refuse a config "folder" that is a file (``--config config/roster.xlsx``): the roster
    would be looked for inside it and reported missing."""
    if config_dir.exists() and not config_dir.is_dir():
        raise _fail(vocab.CONFIG_IS_FILE.format(path=config_dir, folder=config_dir.parent))


# settings.toml as a hidden extension or a text file makes it: settings.toml.txt, settings.txt,
# settings.toml.toml, Settings.TOML (found on Windows, not elsewhere), 「settings.toml 」
_SETTINGS_LOOKALIKE = re.compile(r"settings(\.toml)?(\.toml|\.txt)?\s*", re.IGNORECASE)


def _refuse_settings_under_other_name(config_dir: Path) -> None:
    """With no settings.toml, a file meant as it (``_SETTINGS_LOOKALIKE``) is a ConfigError:
    running on the defaults would grade and date every form otherwise than the office set."""
    try:
        names = sorted(
            p.name
            for p in config_dir.iterdir()
            if p.name != vocab.SETTINGS_FILE
            and _SETTINGS_LOOKALIKE.fullmatch(p.name)
            and p.is_file()
        )
    except OSError:
        return
    if names:
        shown = vocab.LIST_SEP.join(f"「{n}」" for n in names)
        raise _fail(vocab.SETTINGS_OTHER_NAME.format(folder=config_dir, names=shown))


def load_settings(config_dir: Path) -> Settings:
    """Read ``settings.toml`` if present (else all defaults) and validate every value."""
    check_config_dir(config_dir)
    path = config_dir / vocab.SETTINGS_FILE
    raw: dict[str, Any] = {}
    if path.exists() or path.is_symlink():
        text = _read_settings_text(path)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib's own text is English: only its line and column are passed on
            place = _TOML_PLACE.search(str(exc))
            if place and str(exc).startswith(_TOML_REPEATED):
                line = int(place.group(1))
                lines = text.split("\n")  # as tomllib counts lines
                msg = vocab.SETTINGS_DUPLICATE.format(
                    path=path,
                    line=line,
                    text=lines[line - 1].strip() if 0 < line <= len(lines) else "",
                )
            elif place:
                msg = vocab.SETTINGS_SYNTAX.format(
                    path=path, line=place.group(1), column=place.group(2)
                )
            else:
                msg = vocab.SETTINGS_SYNTAX_NO_PLACE.format(path=path)
            raise _fail(msg) from exc
    else:
        _refuse_settings_under_other_name(config_dir)
    data = _merge(DEFAULTS, raw)
    settings = settings_from_dict(
        data,
        source=f"{path.parent.name}/{path.name}"
        if path.exists()
        else vocab.SETTINGS_DEFAULT_SOURCE,
    )
    last = _last_archive(data["history"]["last_archive"], config_dir)
    return dataclasses.replace(settings, last_archive=last) if last else settings


def _last_archive(value: object, config_dir: Path) -> Path | None:
    """``[history] last_archive``: '' for none; else a file (relative to the config folder)
    that holds an archive catalogue, or ConfigError in Chinese."""
    if not isinstance(value, str):
        raise _bad("history.last_archive", value, vocab.SETTINGS_EXPECT_PATH)
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    if not path.is_absolute():
        path = config_dir / path
    if path.is_dir():
        from pipeline.prefill import folder_given

        raise _fail(vocab.SETTINGS_LAST_ARCHIVE_FOLDER.format(message=folder_given(path)))
    if not path.is_file():
        beside = Path(value.strip()).expanduser()
        beside = config_dir.parent / beside if not beside.is_absolute() else beside
        if beside != path and beside.is_file():  # written from the folder 处理.bat is in
            raise _fail(
                vocab.SETTINGS_LAST_ARCHIVE_FROM_PARENT.format(
                    path=path, found=beside, value=f"../{value.strip()}"
                )
            )
        raise _fail(vocab.SETTINGS_LAST_ARCHIVE_MISSING.format(path=path))
    from pipeline import archives

    pdf = archives.pdf_message(path)
    if pdf:
        raise _fail(vocab.SETTINGS_LAST_ARCHIVE_FOLDER.format(message=pdf))
    other = archives.other_output(path)  # a district workbook holds a catalogue too
    if other:
        raise _fail(vocab.SETTINGS_LAST_ARCHIVE_OTHER_OUTPUT.format(path=path, what=other))
    try:
        found = archives.read_catalogue(path) is not None
    except Exception:  # noqa: BLE001 - calamine's errors for a file that is no workbook
        found = False
    if not found:
        raise _fail(vocab.SETTINGS_LAST_ARCHIVE_NOT_ARCHIVE.format(path=path))
    return path


def settings_from_dict(data: dict[str, Any], source: str = "") -> Settings:
    """Validate a full settings mapping (defaults already merged in)."""
    body = data["body"]
    if not isinstance(body["name"], str):
        raise _fail(vocab.SETTINGS_BODY_NAME.format(value=_written(body["name"])))
    year = body["year"]
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not (year == 0 or 2000 <= year <= 2100)
    ):
        raise _fail(vocab.SETTINGS_BODY_YEAR.format(value=_written(year)))
    deadlines = {}
    for phase, value in data["deadlines"].items():
        try:
            month, day = (int(x) for x in str(value).split("-"))
            # a set year must hold the day (02-29); with the year from the forms a leap year
            pd.Timestamp(year=year or 2024, month=month, day=day)
        except (ValueError, TypeError) as exc:
            raise _fail(vocab.SETTINGS_DEADLINE.format(phase=phase, value=_written(value))) from exc
        deadlines[phase] = f"{month:02d}-{day:02d}"
    late_phase = data["submission"]["late_phase"]
    if not isinstance(late_phase, str) or late_phase not in vocab.PHASES:
        raise _bad(
            "submission.late_phase",
            late_phase,
            vocab.SETTINGS_EXPECT_PHASE.format(phases=vocab.LIST_SEP.join(vocab.PHASES)),
        )
    matrix: dict[str, dict[str, str]] = {}
    raw_matrix = data["grading"]["matrix"]
    for harm in vocab.HARMS:
        row = raw_matrix.get(harm)
        if not isinstance(row, dict):
            raise _fail(vocab.SETTINGS_MATRIX_ROW_MISSING.format(harm=harm))
        matrix[harm] = {}
        for likelihood in vocab.LIKELIHOODS:
            if likelihood not in row:
                raise _fail(
                    vocab.SETTINGS_MATRIX_CELL_MISSING.format(harm=harm, likelihood=likelihood)
                )
            matrix[harm][likelihood] = _check_level(
                row[likelihood], f"grading.matrix.{harm}.{likelihood}"
            )  # type: ignore[assignment]
        extra = set(row) - set(vocab.LIKELIHOODS)
        if extra:
            raise _fail(
                vocab.SETTINGS_MATRIX_EXTRA_LIKELIHOOD.format(
                    harm=harm,
                    extra=vocab.LIST_SEP.join(sorted(extra)),
                    allowed=vocab.LIST_SEP.join(vocab.LIKELIHOODS),
                )
            )
    extra = set(raw_matrix) - set(vocab.HARMS)
    if extra:
        raise _fail(
            vocab.SETTINGS_MATRIX_EXTRA_HARM.format(
                extra=vocab.LIST_SEP.join(sorted(extra)), allowed=vocab.LIST_SEP.join(vocab.HARMS)
            )
        )
    floors = {
        post_type: _check_level(value, f"grading.floors.{post_type}", allow_none=True)
        for post_type, value in data["grading"]["floors"].items()
    }
    supervision: dict[str, dict[str, str]] = {}
    for level in vocab.LEVELS:
        entry = data["supervision"][level]
        for role_key in ("direct", "leader"):
            if entry.get(role_key) not in vocab.ROLE_CHAIN:
                raise _fail(
                    vocab.SETTINGS_ROLE_BAD.format(
                        level=level,
                        role_key=role_key,
                        value=_written(entry.get(role_key)),
                        allowed=vocab.LIST_SEP.join(vocab.ROLE_CHAIN),
                    )
                )
        if not isinstance(entry.get("measure"), str) or not entry["measure"].strip():
            raise _fail(vocab.SETTINGS_MEASURE_BAD.format(level=level))
        supervision[level] = {k: str(entry[k]) for k in ("direct", "leader", "measure")}
    lim = data["limits"]
    mb = 1024 * 1024
    limits = Limits(
        max_file_bytes=_positive_int(lim["max_file_mb"], "limits.max_file_mb") * mb,
        max_uncompressed_bytes=_positive_int(
            lim["max_uncompressed_mb"], "limits.max_uncompressed_mb"
        )
        * mb,
        max_compression_ratio=float(
            _number(lim["max_compression_ratio"], "limits.max_compression_ratio", whole=False)
        ),
        max_rows=_positive_int(lim["max_rows"], "limits.max_rows"),
        max_columns=_positive_int(lim["max_columns"], "limits.max_columns"),
        max_cell_chars=min(_positive_int(lim["max_cell_chars"], "limits.max_cell_chars"), 32767),
        worker_memory_bytes=_positive_int(lim["worker_memory_mb"], "limits.worker_memory_mb") * mb,
        worker_timeout_s=float(
            _number(lim["worker_timeout_s"], "limits.worker_timeout_s", whole=False)
        ),
        workers=_positive_int(lim["workers"], "limits.workers", zero_ok=True),
        max_inbox_unpacked_bytes=_positive_int(
            lim["max_inbox_unpacked_mb"], "limits.max_inbox_unpacked_mb"
        )
        * mb,
    )
    return Settings(
        body_name=body["name"].strip(),
        year=year,
        deadlines=deadlines,
        late_phase=late_phase,
        matrix=matrix,
        floors=floors,
        supervision=supervision,
        limits=limits,
        source=source,
    )


def default_settings() -> Settings:
    return settings_from_dict(copy.deepcopy(DEFAULTS), source=vocab.SETTINGS_DEFAULT_SOURCE)


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------
def _clean(value: object) -> str:
    if value.__class__ is str:  # most roster cells: text, never a whole-number float
        text = value.strip()  # type: ignore[union-attr]
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        return text
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


ROSTER_SHEETS = (vocab.ROSTER_SHEET_PEOPLE, vocab.ROSTER_SHEET_SECTIONS, vocab.ROSTER_SHEET_UNIT)


def roster_sheet_names(names: list[str]) -> dict[str, str]:
    """Each roster sheet (人员, 科室, 单位) -> the workbook's sheet that holds it: the sheet of
    that name (spacing and full-width forms aside), else the one sheet whose name contains it
    (人员名单, 科室设置, 单位信息) that no other roster sheet took; left out when none is."""
    folded = {n: normalize.fold(n) for n in names}
    found: dict[str, str] = {}
    for canonical in ROSTER_SHEETS:
        exact = [n for n in names if folded[n] == normalize.fold(canonical)]
        if exact:
            found[canonical] = exact[0]
    for canonical in ROSTER_SHEETS:
        if canonical in found:
            continue
        taken = set(found.values())
        holding = [n for n in names if normalize.fold(canonical) in folded[n] and n not in taken]
        if len(holding) == 1:
            found[canonical] = holding[0]
    return found


def _read_table(
    path: Path, sheets: dict[str, list[list[object]]], sheet: str, columns: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows of a roster sheet as dicts keyed by English column key, header found by label, and
    the column letter of every key (where the office put it; '' for a column it left out)."""
    if sheet not in sheets:
        raise _fail(vocab.ROSTER_SHEET_MISSING.format(path=path, sheet=sheet))
    data = sheets[sheet]
    wanted = {normalize.fold(label): key for key, label in columns.items()}
    for r, row in enumerate(data[:20]):
        found = {}
        for c, cell in enumerate(row):
            key = wanted.get(normalize.fold(cell)) or vocab.HEADER_LOOKUP.get(normalize.fold(cell))
            if key in columns and key not in found:
                found[key] = c
        if len(found) >= min(2, len(columns)):
            required = [k for k in columns if k not in ("is_head", "post_type", "oversight")]
            missing = [columns[k] for k in required if k not in found]
            if missing:
                raise _fail(
                    vocab.ROSTER_MISSING_COLUMNS.format(
                        path=path, sheet=sheet, missing=vocab.LIST_SEP.join(missing)
                    )
                )
            out = []
            labels = {k: _clean(row[c]) for k, c in found.items()}
            for i, values in enumerate(data[r + 1 :], start=r + 2):
                record = {k: _clean(values[c]) if c < len(values) else "" for k, c in found.items()}
                if record == labels:  # the header merged over two rows: no person
                    continue
                for k in columns:
                    record.setdefault(k, "")
                if any(record.values()):
                    record["excel_row"] = i
                    out.append(record)
            letters = {k: xlsx.col_letter(found[k]) if k in found else "" for k in columns}
            return out, letters
    raise _fail(
        vocab.ROSTER_NO_HEADER.format(
            path=path, sheet=sheet, labels=vocab.LIST_SEP.join(columns.values())
        )
    )


def _roster_grid(wb: Any, name: str) -> list[list[object]]:
    """A roster sheet's cells from A1 (rows are Excel rows), each merged range's value in
    every cell it covers: a section merged over its people's rows is each person's."""
    sheet = wb.get_sheet_by_name(name)
    grid = sheet.to_python(skip_empty_area=False)
    ranges = getattr(sheet, "merged_cell_ranges", None) or []
    carry_merges(grid, [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges])
    return grid


def _looks_like_roster(path: Path) -> bool:
    """A workbook in the config folder that is a roster under another name: 名册 in its name,
    or a 人员 sheet (last year's archive beside it is not one)."""
    from python_calamine import CalamineWorkbook

    if path.name.startswith("~$") or path.suffix.lower() not in (".xlsx", ".xls", ".xlsm", ".ods"):
        return False
    if "名册" in path.stem:
        return path.is_file()
    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # noqa: BLE001 - an unreadable file is no roster to point at
        return False
    return vocab.ROSTER_SHEET_PEOPLE in roster_sheet_names(list(names))


def _other_name_message(path: Path, others: list[str]) -> str:
    """What to do with the roster-like files in the config folder when roster.xlsx is not
    there: an .xlsx under another name is renamed; a roster.xlsx.xlsx (the name typed in with
    Windows hiding extensions) loses its extra extension; an .xls/.ods/.xlsm is saved again
    as .xlsx (renamed, it would not open)."""
    xlsx_ext = Path(vocab.ROSTER_FILE).suffix
    doubled = [n for n in others if Path(n).stem.casefold() == vocab.ROSTER_FILE.casefold()]
    plain = [n for n in others if n.casefold().endswith(xlsx_ext) and n not in doubled]
    shown = vocab.LIST_SEP.join(f"「{n}」" for n in plain or doubled or others)
    if plain:
        template = vocab.ROSTER_MISSING_OTHER_NAME
    elif doubled:
        template = vocab.ROSTER_MISSING_DOUBLE_EXT
    else:
        template = vocab.ROSTER_MISSING_OTHER_FORMAT
    return template.format(path=path, names=shown, file=vocab.ROSTER_FILE)


def load_roster(config_dir: Path) -> Roster:
    """Read ``roster.xlsx``; structural problems raise ConfigError, content problems become
    ``problems`` (issue rows with the cell to fix)."""
    from python_calamine import CalamineWorkbook

    check_config_dir(config_dir)
    path = config_dir / vocab.ROSTER_FILE
    if not path.exists():
        # the template is 组织名册.xlsx: copied in under its own name, it is the roster meant
        others = sorted(p.name for p in config_dir.glob("*") if _looks_like_roster(p))
        if others:
            raise _fail(_other_name_message(path, others))
        raise _fail(vocab.ROSTER_MISSING.format(path=path))
    if path.is_dir():
        raise _fail(vocab.ROSTER_IS_FOLDER.format(path=path))
    try:
        wb = CalamineWorkbook.from_path(str(path))
        actual = roster_sheet_names(list(wb.sheet_names))
        # each roster sheet under the name the office gave it (人员名单 for 人员): read by its
        # role, named as it is in every note and message
        sheets = {name: _roster_grid(wb, name) for name in actual.values()}
    except Exception as exc:  # calamine raises several types for bad files
        log.info("roster %s unreadable: %r", path, exc)
        raise _fail(vocab.ROSTER_UNREADABLE.format(path=path)) from exc
    missing = [canonical for canonical in ROSTER_SHEETS if canonical not in actual]
    if missing and set(wb.sheet_names) - set(actual.values()):
        # sheets left under other names (Sheet1, Sheet2…): name them and what to rename
        raise _fail(
            vocab.ROSTER_SHEET_MISSING_NAMES.format(
                path=path,
                sheet=missing[0],
                names=vocab.LIST_SEP.join(f"「{n}」" for n in wb.sheet_names),
                role=vocab.ROSTER_SHEET_ROLES[missing[0]],
            )
        )
    shown = {canonical: actual.get(canonical, canonical) for canonical in ROSTER_SHEETS}

    people_rows, people_cols = _read_table(
        path, sheets, shown[vocab.ROSTER_SHEET_PEOPLE], vocab.ROSTER_PEOPLE_COLUMNS
    )
    section_rows, section_cols = _read_table(
        path, sheets, shown[vocab.ROSTER_SHEET_SECTIONS], vocab.ROSTER_SECTION_COLUMNS
    )
    unit_rows, unit_cols = _read_table(
        path, sheets, shown[vocab.ROSTER_SHEET_UNIT], vocab.ROSTER_UNIT_COLUMNS
    )
    unit = unit_rows[0] if unit_rows else {"body": "", "chair": "", "oversight": ""}

    problems: list[dict[str, Any]] = []
    file_label = f"config/{vocab.ROSTER_FILE}"
    cols = {
        vocab.ROSTER_SHEET_PEOPLE: people_cols,
        vocab.ROSTER_SHEET_SECTIONS: section_cols,
        vocab.ROSTER_SHEET_UNIT: unit_cols,
    }
    labels = {
        vocab.ROSTER_SHEET_PEOPLE: vocab.ROSTER_PEOPLE_COLUMNS,
        vocab.ROSTER_SHEET_SECTIONS: vocab.ROSTER_SECTION_COLUMNS,
        vocab.ROSTER_SHEET_UNIT: vocab.ROSTER_UNIT_COLUMNS,
    }

    def problem(code: str, sheet: str, key: str, row: int, value: str, **placeholders: Any) -> None:
        """A 提示 about the roster at its true cell (the column where the office put ``key``)."""
        letter = cols[sheet].get(key, "")
        record = frames.issue(
            code,
            file=file_label,
            sheet=shown.get(sheet, sheet),  # the sheet as the office named it
            cell=f"{letter}{row}" if letter and row else "",
            field_key=labels[sheet][key],
            value=value,
            **placeholders,
        )
        record["section"] = record["name"] = ""  # for the office, not for a section
        record["row_id"] = None
        problems.append(record)

    tidied = _tidy_names(
        [
            (vocab.ROSTER_SHEET_PEOPLE, people_rows, ("section", "name")),
            (vocab.ROSTER_SHEET_SECTIONS, section_rows, ("section", "head", "vice_chair")),
            (vocab.ROSTER_SHEET_UNIT, unit_rows[:1], ("chair",)),
        ],
        cols,
    )
    if tidied:
        sheet, key, row, value = tidied[0][:4]
        cells = [
            vocab.ROSTER_TIDIED_CELL.format(sheet=shown[t[0]], cell=t[4], value=t[3], tidy=t[5])
            for t in tidied[: vocab.ROSTER_TIDIED_SHOWN]
        ]
        more = len(tidied) > vocab.ROSTER_TIDIED_SHOWN
        problem(
            "roster_names_tidied",
            sheet,
            key,
            row,
            value,
            count=len(tidied),
            cells=vocab.LIST_SEP.join(cells)
            + (vocab.ROSTER_TIDIED_MORE.format(count=len(tidied)) if more else ""),
        )
    section_rows, people_rows = _rows_without_owner(section_rows, people_rows, shown, problem)
    if not people_rows:  # none at all, or none with a 姓名 and a 科室
        raise _fail(
            vocab.ROSTER_PEOPLE_EMPTY.format(path=path, sheet=shown[vocab.ROSTER_SHEET_PEOPLE])
        )
    _canonical_sections(section_rows, people_rows, problem)
    _duplicate_rows(section_rows, people_rows, problem)
    # the 提示 says the first row counts: a repeated row is no second person to expect, nor a
    # second 科室 row whose head is compared with 人员
    section_rows = _first_rows(section_rows, lambda rec: rec["section"])
    people_rows = _first_rows(
        people_rows,
        lambda rec: (rec["section"], normalize.fold(rec["name"])) if rec["name"] else "",
    )
    for rec in people_rows:
        rec["name"] = vocab.visible(rec["name"])
        rec["post"] = vocab.visible(rec["post"])
    for rec in section_rows:
        rec["head"] = vocab.visible(rec["head"])
        rec["vice_chair"] = vocab.visible(rec["vice_chair"])
    _roles_with_notes(
        [
            (vocab.ROSTER_SHEET_SECTIONS, section_rows, ("head", "vice_chair")),
            (vocab.ROSTER_SHEET_UNIT, unit_rows[:1], ("chair",)),
        ],
        people_rows,
        shown,
        problem,
    )

    people = pd.DataFrame(people_rows, columns=[*vocab.ROSTER_PEOPLE_COLUMNS, "excel_row"])
    _check_people(people, people_cols, problem)
    name_key = people["name"].map(normalize.fold)
    dup = people[name_key.duplicated(keep=False) & (name_key != "")]
    for _key, grp in dup.groupby(name_key[dup.index], sort=True):
        name = grp["name"].iloc[0]
        if grp["section"].map(normalize.fold).nunique() > 1:
            problem(
                "roster_name_in_sections",
                vocab.ROSTER_SHEET_PEOPLE,
                "name",
                int(grp["excel_row"].iloc[1]),
                str(name),
                rows=_rows(grp["excel_row"]),
                sections=vocab.LIST_SEP.join(grp["section"]),
                first=_first_section(grp["section"].tolist(), section_rows),
                sheet_name=shown[vocab.ROSTER_SHEET_PEOPLE],
            )
    sections = pd.DataFrame(section_rows, columns=[*vocab.ROSTER_SECTION_COLUMNS, "excel_row"])
    _check_sections(sections, people, unit, problem)
    _check_chair(unit, people, shown[vocab.ROSTER_SHEET_UNIT], problem)
    return Roster(
        people=people,
        sections=sections,
        body_name=unit.get("body", ""),
        chair=unit.get("chair", ""),
        oversight=unit.get("oversight", ""),
        problems=problems,
    )


def _tidy_names(
    tables: list[tuple[str, list[dict[str, Any]], tuple[str, ...]]],
    cols: dict[str, dict[str, str]],
) -> list[tuple[str, str, int, str, str, str]]:
    """Every roster name (人员's 姓名, 科室's 科室负责人 and 分管副主席, 单位's 主席) and section
    (科室 on 人员 and 科室) tidied in place as ``vocab.tidy_name`` shows names (陈  红 -> 陈红,
    财 务 科 -> 财务科), so the catalogue, the point IDs, the feedback folders and every
    message spell them one way; returns (sheet, key, row, written, cell, tidy) of each cell
    changed, for the office's one notice."""
    changed = []
    for sheet, rows, keys in tables:
        for rec in rows:
            for key in keys:
                written = rec.get(key) or ""
                tidy = vocab.tidy_name(written)
                if tidy == written:
                    continue
                rec[key] = tidy
                letter = cols[sheet].get(key, "")
                cell = f"{letter}{rec['excel_row']}" if letter else ""
                changed.append((sheet, key, int(rec["excel_row"]), written, cell, tidy))
    return changed


# A note in brackets after a name: 王芳（主任）, 李明(兼), 陈红【主持工作】.
_NAME_NOTE = re.compile(r"\s*[(（\[【〔][^()（）\[\]【】〔〕]*[)）\]】〕]\s*")


def _roles_with_notes(
    tables: list[tuple[str, list[dict[str, Any]], tuple[str, ...]]],
    people_rows: list[dict[str, Any]],
    shown: dict[str, str],
    problem: Any,
) -> None:
    """A 科室负责人, 分管副主席 or 主席 written with a note in brackets (王芳（主任）) that is no
    人员 name as it stands but is exactly one without the note is that person, spelled as the
    人员 sheet spells them, with a 提示 at the cell. Before, 直接管理 read 「王芳（主任）」 and the
    office was told the head is not on the 人员 sheet."""
    people: dict[str, list[dict[str, Any]]] = {}
    for rec in people_rows:
        people.setdefault(normalize.fold(rec["name"]), []).append(rec)
    for sheet, rows, keys in tables:
        for rec in rows:
            for key in keys:
                written = rec.get(key) or ""
                if not written or normalize.fold(written) in people:
                    continue
                bare = _NAME_NOTE.sub("", written)
                found = people.get(normalize.fold(bare), []) if bare != written else []
                if len({normalize.fold(p["section"]) for p in found}) != 1:
                    continue  # nobody, or namesakes of several sections: not guessed
                person = found[0]
                rec[key] = person["name"]
                problem(
                    "roster_role_note",
                    sheet,
                    key,
                    int(rec["excel_row"]),
                    written,
                    role=vocab.ROSTER_SECTION_COLUMNS.get(key) or vocab.ROSTER_UNIT_COLUMNS[key],
                    person=person["name"],
                    person_row=person["excel_row"],
                    sheet_name=shown[vocab.ROSTER_SHEET_PEOPLE],
                )


def _first_section(sections: list[str], section_rows: list[dict[str, Any]]) -> str:
    """Of a repeated name's sections, the one whose form is owed while none was sent: the
    first in the 科室 sheet's order, as 提交情况 lists sections (completeness)."""
    order = {rec["section"]: i for i, rec in reversed(list(enumerate(section_rows)))}
    return min(sections, key=lambda sec: order.get(sec, len(order)))


def _rows(rows: Any) -> str:
    """Roster rows for a message: 第3行、第7行."""
    return vocab.LIST_SEP.join(vocab.ROSTER_ROW.format(row=r) for r in rows)


def _post_type(value: str) -> tuple[str, bool]:
    """(canonical 岗位类别, known): an abbreviation such as 人财物, 民生 or 正职 is folded to the
    one type it names; an unknown value is returned as it is with known=False."""
    if value in vocab.POST_TYPES:
        return value, True
    folded = normalize.fold(value)
    found = vocab.POST_TYPE_LOOKUP.get(folded)
    if found is None and len(folded) >= 2:
        # a part of exactly one type's name (人财物), or a type's name with more (人财物管理岗)
        hits = [
            t
            for t in vocab.POST_TYPES
            if folded in normalize.fold(t) or normalize.fold(t) in folded
        ]
        found = hits[0] if len(hits) == 1 else None
    return (found, True) if found else (value, False)


class _Person(NamedTuple):
    name: str
    section: str
    post_type: str
    is_head: str
    excel_row: int


def _check_people(people: pd.DataFrame, letters: dict[str, str], problem: Any) -> None:
    """岗位类别 folded or noted, 是否科室负责人 read or noted; is_head becomes bool."""
    heads: list[bool] = []
    folded: dict[str, str] = {}  # is_head spellings repeat: fold each once
    columns = ("name", "section", "post_type", "is_head", "excel_row")
    records = zip(*(people[c].tolist() for c in columns), strict=True)  # lists: no per-cell pandas
    for i, values in enumerate(records):
        rec = _Person(*values)
        who = {"name": rec.name or "", "section": rec.section or ""}
        canonical, known = _post_type(rec.post_type) if rec.post_type else ("", True)
        if not rec.post_type:
            problem(
                "roster_post_type_blank",
                vocab.ROSTER_SHEET_PEOPLE,
                "post_type",
                rec.excel_row,
                "",
                **who,
            )
        elif not known:
            problem(
                "roster_post_type_unknown",
                vocab.ROSTER_SHEET_PEOPLE,
                "post_type",
                rec.excel_row,
                rec.post_type,
                allowed=vocab.allowed_text(vocab.POST_TYPES),
            )
        elif canonical != rec.post_type:
            problem(
                "roster_post_type_folded",
                vocab.ROSTER_SHEET_PEOPLE,
                "post_type",
                rec.excel_row,
                rec.post_type,
                canonical=canonical,
            )
            people.iat[i, people.columns.get_loc("post_type")] = canonical
        flag = folded.get(rec.is_head)
        if flag is None:
            flag = folded[rec.is_head] = normalize.fold(rec.is_head)
        heads.append(flag in vocab.YES_NO_TRUE)
        if not letters.get("is_head"):
            continue  # the roster has no such column: 科室 sheet names the heads
        if not flag:
            problem(
                "roster_is_head_blank",
                vocab.ROSTER_SHEET_PEOPLE,
                "is_head",
                rec.excel_row,
                "",
                **who,
            )
        elif flag not in vocab.YES_NO_TRUE and flag not in vocab.YES_NO_FALSE:
            problem(
                "roster_is_head_unknown",
                vocab.ROSTER_SHEET_PEOPLE,
                "is_head",
                rec.excel_row,
                rec.is_head,
            )
    people["is_head"] = pd.Series(heads, index=people.index, dtype=bool)


def _check_sections(
    sections: pd.DataFrame, people: pd.DataFrame, unit: dict[str, Any], problem: Any
) -> None:
    """Heads and vice-chairs named, listed in 人员, and the same head in 人员 and 科室."""
    names, secs, rows = (people[c].tolist() for c in ("name", "section", "excel_row"))
    known = {normalize.fold(n) for n in names}
    flagged: dict[str, list[tuple[str, int]]] = {}
    for sec, name, is_head, row in zip(secs, names, people["is_head"].tolist(), rows, strict=True):
        if is_head and name:
            flagged.setdefault(normalize.fold(sec), []).append((name, int(row)))
    for rec in sections.itertuples():
        where = (vocab.ROSTER_SHEET_SECTIONS, rec.excel_row)
        if not rec.head:
            problem("roster_head_missing", where[0], "head", where[1], "", section=rec.section)
        elif normalize.fold(rec.head) not in known:
            problem(
                "roster_head_not_in_people",
                where[0],
                "head",
                where[1],
                rec.head,
                section=rec.section,
            )
        marked = flagged.get(normalize.fold(rec.section), [])
        if (
            rec.head
            and marked
            and normalize.fold(rec.head) not in {normalize.fold(n) for n, _ in marked}
        ):
            problem(
                "roster_heads_differ",
                where[0],
                "head",
                where[1],
                rec.head,
                section=rec.section,
                marked=vocab.LIST_SEP.join(
                    vocab.ROSTER_MARKED_HEAD.format(name=n, row=r) for n, r in marked
                ),
            )
        if not rec.vice_chair:
            if normalize.fold(rec.head) == normalize.fold(unit.get("chair", "")):
                continue  # the leadership section, headed by the chair, has none above it
            problem(
                "roster_vice_missing", where[0], "vice_chair", where[1], "", section=rec.section
            )
        elif normalize.fold(rec.vice_chair) not in known:
            problem("roster_vice_not_in_people", where[0], "vice_chair", where[1], rec.vice_chair)
    listed = set(sections["section"].tolist())
    first_row = {}
    for sec, row in zip(secs, rows, strict=True):
        first_row.setdefault(sec, int(row))
    for sec in sorted(set(secs) - listed - {""}):
        problem(
            "roster_section_unlisted", vocab.ROSTER_SHEET_PEOPLE, "section", first_row[sec], sec
        )


def _check_chair(unit: dict[str, Any], people: pd.DataFrame, sheet_name: str, problem: Any) -> None:
    """The 单位 sheet's 主席 named and listed in 人员: a blank one sends every 一级 point's
    负责领导 and every vice-chair's point to the 上级监督机构 (assign.Chain); one the 人员 sheet
    does not hold (a slip) leaves the real chair ranked as staff."""
    chair, row = unit.get("chair", ""), int(unit.get("excel_row") or 0)
    if not chair:
        oversight = unit.get("oversight", "")
        problem(
            "roster_chair_missing",
            vocab.ROSTER_SHEET_UNIT,
            "chair",
            row,
            "",
            sheet_name=sheet_name,
            oversight=f"「{oversight}」" if oversight else "",
        )
    elif normalize.fold(chair) not in {normalize.fold(n) for n in people["name"].tolist()}:
        problem("roster_chair_not_in_people", vocab.ROSTER_SHEET_UNIT, "chair", row, chair)


def _canonical_sections(
    section_rows: list[dict[str, Any]], people_rows: list[dict[str, Any]], problem: Any
) -> None:
    """Give every spelling of one section (full/half width, spacing, punctuation: the same
    after ``vocab.fold``) the first spelling met, 科室 sheet first, with one 提示 per variant.
    Otherwise 「ＡＢ科」 and 「AB科」 would be two sections sharing one head and one unit form."""
    first: dict[str, tuple[str, str, int]] = {}  # folded -> (spelling, sheet, excel row)
    reported: set[tuple[str, str]] = set()
    for sheet, rows, column in (
        (vocab.ROSTER_SHEET_SECTIONS, section_rows, "A"),
        (vocab.ROSTER_SHEET_PEOPLE, people_rows, "A"),
    ):
        for rec in rows:
            section = rec["section"]
            if not section:
                continue
            spelling, first_sheet, first_row = first.setdefault(
                normalize.fold(section), (section, sheet, rec["excel_row"])
            )
            if section == spelling:
                continue
            rec["section"] = spelling
            if (sheet, section) in reported:
                continue
            reported.add((sheet, section))
            problem(
                "roster_section_variant",
                sheet,
                "section",
                rec["excel_row"],
                section,
                first=spelling,
                first_sheet=f"「{first_sheet}」",
                first_row=first_row,
            )


def _rows_without_owner(
    section_rows: list[dict[str, Any]],
    people_rows: list[dict[str, Any]],
    shown: dict[str, str],
    problem: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A 人员 row without 姓名 or 科室 (left blank, or a formula saved without its result, which
    reads as blank) is nobody to expect and a 科室 row without its name is no section: each is
    left out with a 提示 at the blank cell. Before, a nameless person was 未报送 and a person
    of no section was listed under 「【】」."""
    people_sheet = vocab.ROSTER_SHEET_PEOPLE
    sections_sheet = vocab.ROSTER_SHEET_SECTIONS
    kept_people = []
    for rec in people_rows:
        if not rec["name"]:
            problem(
                "roster_name_blank",
                people_sheet,
                "name",
                rec["excel_row"],
                "",
                sheet_name=shown[people_sheet],
                section=rec["section"],
                post=rec["post"],
            )
        elif not rec["section"]:
            problem(
                "roster_person_section_blank",
                people_sheet,
                "section",
                rec["excel_row"],
                "",
                name=rec["name"],
            )
        else:
            kept_people.append(rec)
    kept_sections = []
    for rec in section_rows:
        if rec["section"]:
            kept_sections.append(rec)
        elif rec["head"] or rec["vice_chair"]:
            problem(
                "roster_section_row_blank",
                sections_sheet,
                "section",
                rec["excel_row"],
                rec["head"] or rec["vice_chair"],
                sheet_name=shown[sections_sheet],
            )
    return kept_sections, kept_people


def _first_rows(rows: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """The rows whose ``key`` no earlier row had (rows of an empty key are all kept)."""
    seen: set[Any] = set()
    kept = []
    for rec in rows:
        k = key(rec)
        if k and k in seen:
            continue
        seen.add(k)
        kept.append(rec)
    return kept


def _duplicate_rows(
    section_rows: list[dict[str, Any]], people_rows: list[dict[str, Any]], problem: Any
) -> None:
    """A section listed twice on the 科室 sheet, or a person twice in one section: the first
    row counts (as before), and the office is told which rows repeat."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for rec in section_rows:
        if rec["section"]:
            sections.setdefault(rec["section"], []).append(rec)
    for section, recs in sections.items():
        if len(recs) > 1:
            problem(
                "roster_section_duplicate",
                vocab.ROSTER_SHEET_SECTIONS,
                "section",
                recs[1]["excel_row"],
                section,
                section=section,
                rows=_rows(r["excel_row"] for r in recs),
                first_row=recs[0]["excel_row"],
            )
    people: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in people_rows:
        if rec["name"]:
            people.setdefault((rec["section"], normalize.fold(rec["name"])), []).append(rec)
    for (section, _name), recs in people.items():
        if len(recs) > 1:
            problem(
                "roster_person_duplicate",
                vocab.ROSTER_SHEET_PEOPLE,
                "name",
                recs[1]["excel_row"],
                recs[1]["name"],
                name=recs[0]["name"],
                section=section,
                rows=_rows(r["excel_row"] for r in recs),
                first_row=recs[0]["excel_row"],
            )
