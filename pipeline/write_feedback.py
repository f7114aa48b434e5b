"""Per-section feedback: a workbook of the section's own rows, grades and problems, and an
annotated copy of each of its files that has a problem (bad cells filled and commented).

A section's folder holds only that section's data. Files and problems that cannot be placed in
a roster section go to one extra folder for the office. Originals are only ever read: annotated
copies are opened from ``result.inbox`` and saved (atomically) under ``out``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import logging
import math
import os
import shutil
import threading
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import (
    cache,
    containers,
    frames,
    normalize,
    outputs,
    rounds,
    sheetxml,
    styles,
    vocab,
    xlsx,
)
from pipeline import workers as pipeline_workers
from pipeline.annotate_copies import (
    DEFAULT_MAX_FILE_BYTES,
    FILL_NOTE,
    FILL_REJECT,
    AnnotateTask,
    Annotation,
    annotate_copy,
    copy_name,
    reuse_key,
    reuse_previous,
    room_in,
    safe_name,
    was_shortened,
)
from pipeline.workbook.cells import A1_START

log = logging.getLogger("pipeline.write_feedback")

# --------------------------------------------------------------------------------------
# Chinese texts vocab.py does not have yet (to move there: see the report of this module)
# --------------------------------------------------------------------------------------
FEEDBACK_SHEET_COVER = vocab.ARCHIVE_SHEET_COVER  # 说明
FEEDBACK_SHEET_ISSUES = vocab.ARCHIVE_SHEET_ISSUES  # 异常清单
FEEDBACK_SHEET_SUBMISSIONS = vocab.ARCHIVE_SHEET_SUBMISSIONS  # 提交情况
FOOTER = vocab.PAGE_FOOTER
LINE_HEIGHT = styles.line_height()  # points per line of 10pt 宋体 (LibreOffice's pitch)
SUBMISSION_LABELS = vocab.SUBMISSION_COLUMNS
COVER_FILE_PROBLEM_LINE = "【{action}】{file}：{problem}{fix_label}：{fix}"

# --------------------------------------------------------------------------------------
# Colours and limits (not user text)
# --------------------------------------------------------------------------------------
# one palette for both writers (pipeline/styles.py)
LEVEL_FILLS = {level: fill.lstrip("#") for level, fill in styles.LEVEL_FILLS.items()}
HEADER_FILL = styles.HEADER_FILL
ACTION_FILLS = {vocab.ACTION_REJECT: FILL_REJECT, vocab.ACTION_NOTE: FILL_NOTE}
ACTION_RANK = {vocab.ACTION_REJECT: 0, vocab.ACTION_NOTE: 1}
# A file gets an annotated copy when one of its issues has one of these actions; the copy then
# carries all its issues. Not 提示: most forms carry a 提示 (a self-assessed level differing
# from the computed one), and a copy costs ~20-30 ms of openpyxl per file.
COPY_ACTIONS = frozenset({vocab.ACTION_REJECT})

# A file rejected for one of these reasons was never parsed (or is hostile): no copy.
UNOPENABLE_REASONS = frames.UNOPENABLE_REASONS
# A file rejected for one of these reasons cannot be trusted to belong to the section it names.
UNROUTABLE_REASONS = frozenset({"not_in_roster", "section_not_in_roster"})
PARALLEL_MIN_JOBS = 24  # workbooks + copies; below this a process pool costs more than it saves
WORKER_PRELOAD = (
    "pipeline.write_feedback",
    "pipeline.annotate",
)  # imported once by the workers' fork server
DEFAULT_MAX_UNCOMPRESSED = 100 * 1024 * 1024


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------
def write_feedback(result: frames.RunResult, out: Path) -> list[Path]:
    """Write ``out/科室反馈/<科室>/`` for every section (and one folder for what has no section).

    Previous contents of ``out/科室反馈`` are removed first, so fixed files leave no stale copies.
    Returns the paths written, sorted.
    """
    return start_feedback(result, out).finish()


def start_feedback(result: frames.RunResult, out: Path) -> FeedbackJobs:
    """Plan every section workbook and annotated copy and start writing them: in worker
    processes when there are many (the caller writes the archive meanwhile), else on
    ``finish()``."""
    pipeline_workers.return_free_memory()  # what the middle freed: the write stage's peak
    root = out / vocab.FEEDBACK_DIR
    _clear(root)
    root.mkdir(parents=True, exist_ok=True)

    sections = _known_sections(result)
    file_routes = _route_files(result.files, sections)
    owners = _sheet_owners(result, file_routes, sections)
    # after the sheets' owners: an attributed file's sheets all go to its sender's section
    file_routes.update(_sent_back_routes(result, file_routes, sections))
    # what 催报名单 asks a section to see to though no sender is told of it (a form of someone
    # the roster does not hold, a damaged zip named after the section): in its package
    for file, section in rounds.unclaimed_routes(result).items():
        if file in file_routes and file_routes[file] is None and section in sections:
            file_routes[file] = section
    superseded = _superseded_routes(result.files, file_routes)
    file_routes.update(superseded)
    for file in superseded:  # (its sheets were the section it names)
        owners.pop(file, None)
    # routed here; each folder's issues are sorted by the worker that writes its workbook
    issues = _route_issues(result.issues, file_routes, sections, owners)
    issues = _with_row_owners_copies(issues, sections)
    points = _frame(result.points)
    submissions = _with_pledges(_frame(result.submissions), _frame(result.pledges))
    files = _frame(result.files)
    files = files.assign(_route=files["file"].map(file_routes)) if len(files) else files

    folders = _folder_names(sections)
    unplaced = bool(len(issues)) and bool(issues["_route"].isna().any())
    cells = _row_cells(result.rows, issues)
    candidates = _copy_candidates(files, issues)
    # the issues of the files that may get a copy, sorted (a cell's notes keep that order),
    # by folder
    wanted = issues["file"].isin(set(candidates["file"].tolist())) & ~issues[ECHO]
    copy_issues = _split(_sorted_issues(_filled(issues[wanted])), "_route")
    candidates = _records(candidates) if len(candidates) else {}
    plans: list[tuple[str | None, Path, int]] = []
    copies: list[AnnotateTask] = []
    empty_issues = issues.iloc[0:0]
    shortened: list[str] = []
    for section in [*sections, None]:
        if section is None and not unplaced:
            continue
        folder = root / folders[section]
        folder.mkdir(parents=True, exist_ok=True)
        sec_copies = _annotate_tasks(
            result,
            candidates,
            copy_issues.get(section, empty_issues),
            folder,
            cells,
            section,
            owners,
            shortened,
        )
        copies.extend(sec_copies)
        plans.append((section, folder, len(sec_copies)))
    # the workbooks' own names are cut to fit the same way (the section's name is their stem)
    for section, folder, _ in plans:
        name = feedback_name(folders[section])
        if name != vocab.FEEDBACK_FILE_TEMPLATE.format(section=folders[section]):
            shortened.append(f"「{section or folders[section]}」→「{folders[section]}/{name}」")
    if shortened:
        shown = "、".join(shortened[:5]) + ("……" if len(shortened) > 5 else "")
        result.notices.append(
            vocab.FEEDBACK_NAMES_SHORTENED.format(
                feedback=vocab.FEEDBACK_DIR, n=len(shortened), files=shown
            )
        )
    # an unchanged file's copy from the previous run is linked, not made again
    index = _copies_index(out)
    keys = {task.target: reuse_key(task) for task in copies}
    if index is not None:
        copies = _with_previous(copies, keys, index, out)
    # the copies start now; the workbooks follow once their sheets are prepared
    jobs = FeedbackJobs(None, copies, result, n_books=len(plans))
    jobs.index = (index, keys, out)
    try:
        books, data = _section_tasks(
            result, plans, folders, sections, issues, files, points, submissions
        )
        # an unchanged section's workbook from the previous run is reused, not rendered again
        books_index = _load_index(out, BOOKS_INDEX, BOOKS_INDEX_FORMAT)
        if books_index is not None:
            context = books_context(result)
            books = [_with_previous_book(book, context, books_index, out) for book in books]
            jobs.books_out = out
        jobs.start_books(books, data)
    except BaseException:
        jobs.close()
        raise
    return jobs


COPIES_INDEX = "feedback-copies.json"  # in OUT/.cache: the copies the last run wrote
COPIES_INDEX_FORMAT = "lianzheng-copies 1"


def _copies_index(out: Path) -> dict[str, Any] | None:
    """The previous run's copies (path under OUT -> [reuse key, size, mtime_ns]) when the
    outputs are built in a staging folder of OUT (``outputs.begin``), else None."""
    return _load_index(out, COPIES_INDEX, COPIES_INDEX_FORMAT)


def _load_index(out: Path, name: str, format_name: str) -> dict[str, Any] | None:
    """The files the previous run recorded in ``OUT/.cache/<name>`` (path under OUT -> its
    entry) when the outputs are built in a staging folder of OUT (``outputs.begin``), else
    None; empty when there is none, it is of another format or damaged (ignored whole)."""
    if not out.name.startswith(outputs.STAGING_PREFIX):
        return None
    try:
        data = json.loads((out.parent / cache.CACHE_DIR / name).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != format_name:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _with_previous(
    copies: list[AnnotateTask], keys: dict[str, str], index: dict[str, Any], out: Path
) -> list[AnnotateTask]:
    """The copy tasks, those whose inputs match the previous run's copy at the same place
    told to link it (``AnnotateTask.previous``)."""
    tasks = []
    for task in copies:
        rel = Path(task.target).relative_to(out).as_posix()
        entry = index.get(rel)
        key = keys[task.target]
        if (
            key
            and isinstance(entry, list)
            and len(entry) == 3
            and entry[0] == key
            and all(isinstance(v, int) for v in entry[1:])
        ):
            task = replace(task, previous=str(out.parent / rel), previous_stat=(entry[1], entry[2]))
        tasks.append(task)
    return tasks


def _save_copies_index(written: list[Path], keys: dict[str, str], out: Path) -> None:
    """Record the copies this run wrote (for the next run in the same OUT)."""
    files = {}
    for path in written:
        key = keys.get(str(path))
        if not key:
            continue
        try:
            info = path.stat()
        except OSError:
            continue
        files[path.relative_to(out).as_posix()] = [key, info.st_size, info.st_mtime_ns]
    _save_index(out, COPIES_INDEX, COPIES_INDEX_FORMAT, files)


def _save_index(out: Path, name: str, format_name: str, files: dict[str, Any]) -> None:
    """Write ``OUT/.cache/<name>`` atomically (a failure only loses the next run's shortcut)."""
    folder = out.parent / cache.CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (name + ".tmp")
        data = {"format": format_name, "files": files}
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / name)
    except OSError as exc:
        log.warning("could not record %s: %s", name, exc)


# --------------------------------------------------------------------------------------
# Section workbooks reused on a rerun
# --------------------------------------------------------------------------------------
# A section's workbook is a function of its task (records, counts, round state, names) and of
# the code: ``book_key`` digests exactly that. Two things in it change at every run whatever
# the data: the run time on the 说明 sheet and the previous run's time in the 本轮变化 title
# (the "stamps"); they are left out of the key and, when they differ from the previous
# run's, changed in a copy of its workbook (``sheetxml.restamp``).
BOOKS_INDEX = "feedback-books.json"  # in OUT/.cache: path -> [key, size, mtime_ns, stamps]
BOOKS_INDEX_FORMAT = "lianzheng-books 1"
WRITER_LIBRARIES = ("xlsxwriter", "isal", "numpy", "pandas")
# the run time and the round are not in the key (see _reuse_book), nor where the previous
# workbook is
NOT_IN_KEY = frozenset({"run_time", "changes", "context", "previous", "previous_entry"})
MAX_REWORKS = 8


def books_context(result: frames.RunResult) -> str:
    """What every section workbook depends on besides its task: the tool's version, code
    and settings (the read cache's context) and the writing libraries' versions."""
    settings = result.settings
    parts = [cache.context_digest(settings) if settings is not None else cache.source_digest()]
    for dist in WRITER_LIBRARIES:
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} -")
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class _NoKey(Exception):
    """A value ``book_key`` cannot digest faithfully: the workbook is rendered."""


def _tagged(value: object) -> dict[str, str]:
    """A non-JSON value in an object column, told apart from any text by its shape."""
    return {"\0type": f"{type(value).__module__}.{type(value).__qualname__}", "r": repr(value)}


def _digest_into(digest: Any, value: object) -> None:
    """Feed ``value`` (task fields: columns, frames, containers, scalars) into ``digest``
    unambiguously: equal digests, equal values of equal types (as rendered)."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            items = value.tolist()
            if set(map(type, items)) <= {str}:  # texts only (the usual): lengths, then texts
                digest.update(b"S%d:" % len(items))
                digest.update(np.fromiter(map(len, items), np.int64, len(items)).tobytes())
                digest.update("".join(items).encode("utf-8", "surrogatepass"))
            else:
                text = json.dumps(items, ensure_ascii=False, default=_tagged)
                digest.update(b"O%d:" % len(items))
                digest.update(text.encode("utf-8", "surrogatepass"))
        else:
            array = np.ascontiguousarray(value)
            digest.update(f"A{array.dtype.str}{array.shape}:".encode())
            digest.update(array.view(np.uint8).data if array.size else b"")
    elif isinstance(value, pd.DataFrame):
        digest.update(b"F")
        _digest_into(digest, [str(c) for c in value.columns])
        _digest_into(digest, [str(d) for d in value.dtypes])
        for i in range(value.shape[1]):
            _digest_into(digest, value.iloc[:, i].to_numpy(dtype=object))
    elif isinstance(value, dict):
        digest.update(b"D%d:" % len(value))
        for k, v in value.items():
            _digest_into(digest, k)
            _digest_into(digest, v)
    elif isinstance(value, (list, tuple)):
        digest.update(b"L%d:" % len(value))
        for v in value:
            _digest_into(digest, v)
    elif value is None or isinstance(value, (str, int, float)):
        digest.update(b"J")
        digest.update(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    else:
        raise _NoKey(type(value).__name__)


def book_key(task: SectionTask) -> str:
    """The digest of everything ``write_section`` renders from but the run time and the
    round (``changes``): every other field of the task as sent (its place under 科室反馈,
    records, counts, names) and its ``context``; '' when not known (no context, a value it
    cannot digest)."""
    if not task.context:
        return ""
    digest = hashlib.sha256(f"{BOOKS_INDEX_FORMAT}\0{task.context}\0".encode())
    try:
        for field in dataclasses.fields(task):
            if field.name in NOT_IN_KEY:
                continue
            value = getattr(task, field.name)
            if field.name == "path":  # the folder and file name, not the staging folder
                value = list(Path(value).parts[-2:])
            _digest_into(digest, field.name)
            _digest_into(digest, value)
    except _NoKey:
        return ""
    return digest.hexdigest()


def changes_key(task: SectionTask) -> str:
    """The digest of the 本轮变化 sheet's arguments (the previous run's time included)."""
    digest = hashlib.sha256(b"changes\0")
    try:
        _digest_into(digest, task.changes)
    except _NoKey:
        return ""
    return digest.hexdigest()


def _with_previous_book(
    task: SectionTask, context: str, index: dict[str, Any], out: Path
) -> SectionTask:
    """The task with its ``context`` and, when the previous run recorded a workbook at the
    same place, that workbook and its entry (the worker decides whether it still holds)."""
    rel = Path(task.path).relative_to(out).as_posix()
    entry = index.get(rel)
    if not (
        isinstance(entry, list)
        and len(entry) == 6
        and isinstance(entry[0], str)
        and all(isinstance(v, int) for v in (entry[1], entry[2], entry[5]))
        and isinstance(entry[3], str)
        and isinstance(entry[4], str)
    ):
        return replace(task, context=context)
    return replace(
        task, context=context, previous=str(out.parent / rel), previous_entry=tuple(entry)
    )


def _changes_donor(task: SectionTask) -> sheetxml.Donor | None:
    """This run's 本轮变化 sheet in a workbook of its own whose formats are numbered as in
    the section's workbook (the cover's and the headers' made first, in the order
    ``write_section`` uses them), for ``sheetxml.rework``; None when there is no such sheet."""
    if task.changes is None:
        return None
    base = io.BytesIO()
    wb = xlsx.new_workbook(base)
    fmt = _Formats(wb)
    for used in (fmt.title, fmt.label, fmt.header):
        sheetxml.xf(used)
    shared = len(wb.xf_format_indices) + 1  # with the implicit General format
    before = 2 if task.section is None else 4  # the cover and the data sheets
    for i in range(before):
        wb.add_worksheet(f"_{i}")
    rounds.write_changes_sheet(wb, *task.changes, header_left=_page_header(task))
    wb.close()
    return sheetxml.Donor(base.getvalue(), before + 1, shared)


def _reuse_book(task: SectionTask, key: str, changes: str) -> int | None:
    """Put the previous run's workbook at ``task.path`` when it was made from the same key
    and is still the file that run wrote (same size and modification time): linked (or
    copied) when its run time and round are this run's too, else a copy with the run time
    changed and, for another round, the 本轮变化 sheet made anew (``sheetxml.rework``).
    The number of sheets made anew in the file since it was rendered (each leaves its old
    texts in the string table: a file reworked MAX_REWORKS times is rendered again), or
    None when the workbook must be rendered."""
    entry = task.previous_entry
    if not task.previous or len(entry) != 6 or entry[0] != key:
        return None
    old_time, new_time = xlsx.cell_text(entry[3]) or "", xlsx.cell_text(task.run_time) or ""
    if styles.text_lines(entry[3], COVER_WIDTHS[1]) != styles.text_lines(
        task.run_time, COVER_WIDTHS[1]
    ):
        return None  # the run time's row would change height
    same_round = changes == entry[4]
    reworks = entry[5] + (0 if same_round else 1)
    if reworks > MAX_REWORKS:
        return None
    try:
        if not outputs.still_written(task.previous, entry[1:3]):
            return None
        target = Path(task.path)
        if same_round and old_time == new_time:
            outputs.link_or_copy(task.previous, target)
            return reworks
        target.parent.mkdir(parents=True, exist_ok=True)
        texts = {old_time: new_time} if old_time != new_time else {}
        donor = None if same_round else _changes_donor(task)
        if donor is None and not same_round:
            return None  # no 本轮变化 sheet now: was there one? rendered
        with xlsx.atomic_path(target) as tmp:
            if not sheetxml.rework(Path(task.previous), tmp, texts, donor):
                raise _NoKey("not reworked")  # nothing written: rendered instead
        return reworks
    except (OSError, _NoKey):
        return None


def _reused(task: SectionTask) -> tuple[str, str, int | None]:
    """The task's key and round key ('' when it is never reused) and, when the previous
    run's workbook was put in place (``_reuse_book``), its reworks (else None)."""
    key = book_key(task)
    changes = changes_key(task) if key else ""
    reworks = None
    if key and changes:
        try:
            reworks = _reuse_book(task, key, changes)
        except Exception:  # a shortcut that fails is not taken: the workbook is rendered
            log.warning("previous workbook not reused: %s", task.path, exc_info=True)
    return key, changes, reworks


def write_section_job(task: SectionTask) -> tuple[str, tuple[str, str, int] | None]:
    """Write (or reuse, see ``book_key``) one section's workbook: its path and what the
    index records of it (key, round key, reworks; None: not to be reused)."""
    return write_books_job(_BookData.of_task(task))[0]


def write_books_job(batch: BooksBatch) -> list[tuple[str, tuple[str, str, int] | None]]:
    """Write (or reuse, see ``book_key``) the workbooks of a batch of folders: each one's
    path and what the index records of it (key, round key, reworks; None: not to be
    reused), in the batch's order. The folders not reused are prepared together
    (``_prepare``), then each laid out and rendered."""
    tasks = [batch.task(i) for i in range(len(batch.tasks))]
    done: list[tuple[str, str, int | None]] = [_reused(task) for task in tasks]
    render = [i for i, (_key, _changes, reworks) in enumerate(done) if reworks is None]
    if render:
        for i, prepared in zip(render, _prepare([tasks[i] for i in render]), strict=True):
            write_section(tasks[i], prepared)
    out = []
    for task, (key, changes, reworks) in zip(tasks, done, strict=True):
        record = (key, changes, reworks or 0) if key and changes else None
        out.append((task.path, record))
    return out


def _section_tasks(
    result: frames.RunResult,
    plans: list[tuple[str | None, Path, int]],
    folders: dict[str | None, str],
    sections: list[str],
    issues: pd.DataFrame,
    files: pd.DataFrame,
    points: pd.DataFrame,
    submissions: pd.DataFrame,
) -> tuple[list[SectionTask], _BookData]:
    """One workbook task per folder (``plans``: section, folder, copies planned), without
    its records, and the records of all folders grouped folder by folder (``_BookData``):
    a batch of folders is sent their rows (``_BookData.batch``), and the worker sorts,
    codes and renders them, so this process only routes and groups."""
    # files whose issues go elsewhere than the section they name (a sent-back sender's form
    # to the sender's section, an unplaced file's to the office's folder): so do their
    # 本轮变化 rows
    moved: dict[str, str | None] = {}
    if "_route" in files:
        names, owners = _text_column(files, "file"), _text_column(files, "section")
        for file, route, own in zip(names, files["_route"].tolist(), owners, strict=True):
            unplaced = route is None or pd.isna(route)
            if unplaced and not own:
                continue  # a file naming no section (unopened): its problems name theirs
            if unplaced or route != own:
                moved[file] = None if route is None or pd.isna(route) else str(route)
    # the folders whose 异常清单 list each 退回 (a row of another section's is in both)
    placed: dict[tuple[str, ...], set[str | None]] = {}
    rejects = issues[issues["action"] == vocab.ACTION_REJECT]
    if len(rejects):
        keys = ("file", "section", "name", "cell", "problem")
        columns = [_text_column(rejects, c).tolist() for c in keys]
        for *key, where in zip(*columns, rejects["_route"].tolist(), strict=True):
            placed.setdefault(tuple(key), set()).add(None if pd.isna(where) else str(where))
    file_routes = {}
    if "_route" in files:
        for file, where in zip(_text_column(files, "file"), files["_route"].tolist(), strict=True):
            file_routes[file] = None if where is None or pd.isna(where) else str(where)
    changes = rounds.section_sheet_args(result, sections, moved, placed, file_routes)
    sub_columns = {k: _text_column(submissions, k) for k in SUBMISSION_FRAME_COLUMNS}
    route = files["_route"] if "_route" in files else pd.Series([None] * len(files), dtype=object)
    data = _BookData(
        issues=_Slices(_issue_columns(issues), issues["_route"], sections),
        points=_Slices(_point_columns(points), _section_of(points), sections, False),
        submissions=_Slices(sub_columns, _section_of(submissions), sections, False),
        files=_Slices({"status": _text_column(files, "status")}, route, sections),
    )
    books: list[SectionTask] = []
    for section, folder, n_copies in plans:
        books.append(
            SectionTask(
                path=str(folder / feedback_name(folders[section])),
                body=xlsx.cell_text(result.body_name) or "",
                year=result.year,
                run_time=str(result.run_time),
                section=section,
                issues=None,
                points=None,
                submissions=None,
                files=None,
                n_copies=n_copies,
                changes=changes[section],
            )
        )
    return books, data


Columns = dict[str, np.ndarray]  # a table's records as one array per column

ISSUE_TEXT_COLUMNS = tuple(c for c in frames.ISSUE_COLUMNS if c != "row_id")
POINT_SORT_COLUMNS = ("post", "name", "source_file", "source_row", "description")
SUBMISSION_FRAME_COLUMNS = tuple(dict.fromkeys([*SUBMISSION_LABELS, "section", "form", "status"]))


def _section_of(frame: pd.DataFrame) -> pd.Series:
    return _text_column(frame, "section")


def _issue_columns(issues: pd.DataFrame) -> dict[str, pd.Series | np.ndarray]:
    """Every issue column as text ("" for missing); row_id as floats (NaN for none)."""
    columns: dict[str, pd.Series | np.ndarray] = {
        # the routed columns are text already (``_route_issues``)
        c: issues[c] if c in ROUTED_TEXT_COLUMNS else _text_column(issues, c)
        for c in ISSUE_TEXT_COLUMNS
    }
    row_id = issues["row_id"] if "row_id" in issues else pd.Series([None] * len(issues))
    columns["row_id"] = pd.to_numeric(row_id, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return columns


def _point_columns(points: pd.DataFrame) -> dict[str, pd.Series | np.ndarray]:
    """The 风险点 sheet's columns as the frame holds them (rendered by kind: numbers stay
    numbers), the name column listing every name of a merged point, and the sort keys as
    text ("_post" ...)."""
    columns: dict[str, pd.Series | np.ndarray] = {}
    for key in styles.point_headers():
        if key == styles.SEQ_KEY:
            continue  # numbered per section by the worker
        column = "names" if key == "name" and "names" in points else key
        if column not in points:
            columns[key] = np.full(len(points), None, dtype=object)
            continue
        series = points[column]
        native = isinstance(series.dtype, np.dtype) and series.dtype != object
        columns[key] = series.to_numpy() if native else series.to_numpy(dtype=object)
    name_source = "names" if "names" in points else "name"
    for col in POINT_SORT_COLUMNS:
        columns["_" + col] = _text_column(points, name_source if col == "name" else col)
    # rows in their number's order (as text 「10」 sorted before 「4」); a merged point's
    # 「4；9」 by its first row
    first_row = columns["_source_row"].str.extract(r"(\d+)", expand=False)
    columns["_source_row"] = pd.to_numeric(first_row, errors="coerce").fillna(np.inf).to_numpy()
    return columns


class _Slices:
    """Records (``columns``: one array or Series per column) grouped by section (``key``:
    the section of each record, in ``sections`` or, with ``none_last``, missing for what
    has no section; any other value is left out), each section's in their order, the
    sections in the order of ``sections`` (None last); ``rows`` gives where one section's
    records are."""

    def __init__(
        self,
        columns: dict[str, pd.Series | np.ndarray],
        key: pd.Series,
        sections: list[str],
        none_last: bool = True,
    ) -> None:
        codes = _section_codes(key, sections, none_last) if len(key) else np.zeros(0, np.int64)
        kept = np.flatnonzero(codes >= 0)
        order = kept[np.argsort(codes[kept], kind="stable")]
        self.columns = {
            name: (c.to_numpy() if isinstance(c, pd.Series) else np.asarray(c))[order]
            for name, c in columns.items()
        }
        self.place = {name: i for i, name in enumerate([*sections, None])}
        at = np.arange(len(self.place) + 1)
        self.offsets = np.searchsorted(codes[order], at, side="left").tolist()

    def rows(self, section: str | None) -> tuple[int, int]:
        """(start, stop) of ``section``'s records."""
        i = self.place.get(section)
        return (0, 0) if i is None else (self.offsets[i], self.offsets[i + 1])

    def of(self, sections: list[str | None]) -> tuple[Columns, tuple[tuple[int, int], ...]]:
        """The records of ``sections`` (one row range when they are consecutive, as a
        batch's are) and where each one's are among them."""
        spans = [self.rows(s) for s in sections]
        contiguous = all(a == b for (_, b), (a, _) in itertools.pairwise(spans))
        if contiguous and spans:
            lo, hi = spans[0][0], spans[-1][1]
            columns = {name: values[lo:hi] for name, values in self.columns.items()}
        else:
            columns = {
                name: np.concatenate([values[a:b] for a, b in spans] or [values[:0]])
                for name, values in self.columns.items()
            }
        lengths = np.array([b - a for a, b in spans], dtype=np.int64)
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return columns, tuple(zip(starts, ends, strict=True))


@dataclass(frozen=True)
class _BookData:
    """Every folder's records for the workbooks (issues and files: the folder of what has
    no section last)."""

    issues: _Slices
    points: _Slices
    submissions: _Slices
    files: _Slices

    def records(self, section: str | None) -> int:
        """How many records (issues, points, people, files) ``section``'s folder has."""
        tables = (self.issues, self.points, self.submissions, self.files)
        return sum(b - a for a, b in (table.rows(section) for table in tables))

    @staticmethod
    def of_task(task: SectionTask) -> BooksBatch:
        """A batch of one task holding its own records."""
        empty: Columns = {}
        parts = [task.issues or empty, task.points or empty]
        parts += [task.submissions or empty, task.files or empty]
        spans = tuple((0, _n(p)) for p in parts)
        bare = replace(task, issues=None, points=None, submissions=None, files=None)
        return BooksBatch((bare,), *parts, spans=(spans,))  # type: ignore[arg-type]

    def batch(self, tasks: list[SectionTask]) -> BooksBatch:
        """The job writing ``tasks``' workbooks: their records, and where each folder's are."""
        sections = [t.section for t in tasks]
        issues, issue_spans = self.issues.of(sections)
        points, point_spans = self.points.of(sections)
        subs, sub_spans = self.submissions.of(sections)
        files, file_spans = self.files.of(sections)
        return BooksBatch(
            tasks=tuple(tasks),
            issues=issues,
            points=points,
            submissions=subs,
            files=files,
            spans=tuple(zip(issue_spans, point_spans, sub_spans, file_spans, strict=True)),
        )


@dataclass(frozen=True)
class BooksBatch:
    """The section workbooks one worker writes in one job (picklable): each folder's task
    without its records, the records of all of them (one array per column) and, per
    folder, where its issues, points, people and files are among them."""

    tasks: tuple[SectionTask, ...]
    issues: Columns
    points: Columns
    submissions: Columns
    files: Columns
    spans: tuple[tuple[tuple[int, int], ...], ...]

    def task(self, i: int) -> SectionTask:
        """Folder ``i``'s task with its own records (views: no other folder's)."""
        task = self.tasks[i]
        (ia, ib), (pa, pb), (sa, sb), (fa, fb) = self.spans[i]
        has_section = task.section is not None  # what has no section has no points, people
        return replace(
            task,
            issues={k: v[ia:ib] for k, v in self.issues.items()},
            points={k: v[pa:pb] for k, v in self.points.items()} if has_section else None,
            submissions=(
                {k: v[sa:sb] for k, v in self.submissions.items()} if has_section else None
            ),
            files={k: v[fa:fb] for k, v in self.files.items()},
        )


class _Part:
    """The records of several folders, one folder's after the other (``codes``: each
    record's folder, ascending; ``spans``: where each folder's are)."""

    def __init__(self, columns: Columns, codes: np.ndarray, spans: list[tuple[int, int]]) -> None:
        self.columns, self.codes, self.spans = columns, codes, spans

    @classmethod
    def join(cls, parts: list[Columns]) -> _Part:
        lengths = np.array([_n(p) for p in parts], dtype=np.int64)
        ends = np.cumsum(lengths)
        spans = list(zip((ends - lengths).tolist(), ends.tolist(), strict=True))
        keys = next((list(p) for p in parts if p), [])
        columns = {k: np.concatenate([p[k] for p in parts if p]) for k in keys}
        codes = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)
        return cls(columns, codes, spans)

    def sorted(self, order: np.ndarray) -> _Part:
        """The same records reordered by ``order`` (which keeps each folder's in place)."""
        columns = {name: values[order] for name, values in self.columns.items()}
        return _Part(columns, self.codes, self.spans)

    def of(self, i: int) -> Columns:
        a, b = self.spans[i]
        return {name: values[a:b] for name, values in self.columns.items()}


def _prepare(tasks: list[SectionTask]) -> list[tuple[tuple[Table, ...], Cover]]:
    """The data sheets and 说明 lines of each folder's workbook, from its records: each
    table of all the folders sorted and coded in one pass, then cut per folder (each part
    only its own folder's texts: ``sheetxml.Coded.split``)."""
    issue_part = _Part.join([t.issues or {} for t in tasks])
    issue_sheets, issues = _issue_tables(issue_part)
    sectioned = [i for i, t in enumerate(tasks) if t.section is not None]
    point_sheets: list[Table] = []
    sub_sheets: list[Table] = []
    subs_part = _Part.join([tasks[i].submissions or {} for i in sectioned])
    if sectioned:
        point_sheets = _point_tables(_Part.join([tasks[i].points or {} for i in sectioned]))
        sub_sheets = _submission_tables(subs_part)
    out = []
    at = {i: j for j, i in enumerate(sectioned)}
    for i, task in enumerate(tasks):
        files = task.files or {}
        if task.section is None:
            levels = sheetxml.Coded(np.zeros(0, dtype=np.intp), [])
            cover = _cover(None, files, issues.of(i), levels, {})
            out.append(((issue_sheets[i],), cover))
            continue
        j = at[i]
        points = point_sheets[j]
        levels = points.values[points.keys.index("level")]
        cover = _cover(task.section, files, issues.of(i), levels, subs_part.of(j))
        out.append(((points, issue_sheets[i], sub_sheets[j]), cover))
    return out


def _n(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


# --------------------------------------------------------------------------------------
# Which section owns what
# --------------------------------------------------------------------------------------
def _frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    return frame if frame is not None else pd.DataFrame()


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype="object")
    series = frame[column]
    if isinstance(series.dtype, pd.StringDtype):  # already text: only the gaps to fill
        if isinstance(series.dtype.na_value, float):  # NaN for missing (not pd.NA)
            # the array's own objects, gaps (NaN: the one value unequal to itself) filled
            # in a copy: half the cost of to_numpy(na_value=""), which tests each record
            values = np.asarray(series.array, dtype=object)
            present = np.equal(values, values)
            if not present.all():
                values = np.where(present, values, "")
        else:
            values = series.to_numpy(dtype=object, na_value="")
        return pd.Series(values, index=frame.index, dtype="object")
    if series.dtype == object:
        values = series.to_numpy(dtype=object).copy()
        values[series.isna().to_numpy()] = ""
        if set(map(type, values)) <= {str}:  # all text (one pass in C)
            return pd.Series(values, index=frame.index, dtype="object")
    # one vectorised isna, then plain str(): four pandas passes cost more on small frames
    missing = series.isna().to_numpy().tolist()
    values = ["" if gone else str(v) for v, gone in zip(series.tolist(), missing, strict=True)]
    return pd.Series(values, index=frame.index, dtype="object")


def _known_sections(result: frames.RunResult) -> list[str]:
    """Roster sections (科室 sheet and people's sections) plus any section holding points."""
    names: set[str] = set()
    roster = result.roster
    if roster is not None:
        for frame in (roster.sections, roster.people):
            if frame is not None and "section" in frame:
                names.update(_text_column(frame, "section"))
    points = _frame(result.points)
    if "section" in points:
        names.update(_text_column(points, "section"))
    names.discard("")
    return sorted(names)


def _route_files(files: pd.DataFrame | None, sections: list[str]) -> dict[str, str | None]:
    """file -> its section, or None when it belongs to no (trustworthy) roster section."""
    files = _frame(files)
    if files.empty:
        return {}
    known = set(sections)
    section = _text_column(files, "section")
    reason = _text_column(files, "reason")
    ok = section.isin(known) & ~reason.isin(UNROUTABLE_REASONS)
    routes = section.where(ok, None)
    return dict(zip(_text_column(files, "file"), routes, strict=True))


def _sent_back_routes(
    result: frames.RunResult, file_routes: dict[str, str | None], sections: list[str]
) -> dict[str, str]:
    """file -> section for the unplaced files (route None) that completeness names as a roster
    sender's sent-back form (提交情况: 已报送但被退回, 原因见异常清单): the section is told so,
    so the reason and the copy go to it. Only when one section claims it; a form naming the
    person's former section (moved in the roster between rounds) goes to the one they are in,
    as 催报名单 tells it."""
    subs = _frame(result.submissions)
    files = _frame(result.files)
    if subs.empty or files.empty or not {"status", "file", "section"} <= set(subs.columns):
        return {}
    known = set(sections)
    sent = subs[(_text_column(subs, "status") == vocab.STATUS_SENT_BACK)]
    claims: dict[str, set[str]] = {}
    for file, section in zip(
        _text_column(sent, "file"), _text_column(sent, "section"), strict=True
    ):
        if file and section in known and file in file_routes and file_routes[file] is None:
            claims.setdefault(file, set()).add(section)
    # a counted sender's later version sent back (completeness's 提示 names file and section)
    issues = _frame(result.issues)
    if not issues.empty and "code" in issues:
        told = issues[issues["code"].isin(rounds.RESENT_CODES)]
        for file, section in zip(
            _text_column(told, "file"), _text_column(told, "section"), strict=True
        ):
            if file and section in known and file in file_routes and file_routes[file] is None:
                claims.setdefault(file, set()).add(section)
    if not claims:
        return {}
    routes = {}
    for file, owners in claims.items():
        if len(owners) == 1:
            (routes[file],) = owners
    return routes


def _superseded_routes(
    files: pd.DataFrame | None, file_routes: dict[str, str | None]
) -> dict[str, str]:
    """file -> the folder of its latest version, for a superseded file whose latest version
    goes to a section: its 提示 (本文件已被它替代) and the 已改正 lines of its old problems
    belong to the sender, where the version to act on is (a person moved to another section
    between rounds, whose earlier version names the former one; a nameless file)."""
    files = _frame(files)
    if files.empty or "superseded_by" not in files:
        return {}
    replaced = {
        old: new
        for old, new in zip(
            _text_column(files, "file"), _text_column(files, "superseded_by"), strict=True
        )
        if new
    }
    routes = {}
    for old, new in replaced.items():
        seen = {old, new}
        while new in replaced and replaced[new] not in seen:
            new = replaced[new]
            seen.add(new)
        where = file_routes.get(new)
        if where is not None and file_routes.get(old) != where:
            routes[old] = where
    return routes


def _sheet_owners(
    result: frames.RunResult, file_routes: dict[str, str | None], sections: list[str]
) -> dict[str, dict[str, str | None]]:
    """file -> {sheet: section} for the sheets of a routable file that hold a form: the
    section of the rows read from it, the file's own section for the sheet its form was read
    from, the file's own section for a sheet holding rows of several sections (it cannot be
    split), None for a form whose section is not known (another form left unread, a section
    not in the roster). A file's data goes only to the folders of the sections its sheets
    hold."""
    known = set(sections)
    owners: dict[str, dict[str, str | None]] = {}
    rows = _frame(result.rows)
    if len(rows) and {"file", "sheet", "section"} <= set(rows.columns):
        seen = zip(*(_text_column(rows, c).tolist() for c in ("file", "sheet", "section")))
        for file, sheet, section in dict.fromkeys(seen):  # distinct, in order
            if file_routes.get(file) is None or not section:
                continue
            sheets = owners.setdefault(file, {})
            owner = section if section in known else None
            # rows of two sections on one sheet cannot be split: it stays with the file's own
            sheets[sheet] = owner if sheets.get(sheet, owner) == owner else file_routes[file]
    files = _frame(result.files)
    if len(files) and "sheet" in files:
        for file, sheet in zip(
            _text_column(files, "file"), _text_column(files, "sheet"), strict=True
        ):
            if file_routes.get(file) is not None and sheet:
                owners.setdefault(file, {}).setdefault(sheet, file_routes[file])
    _pledge_sheet_owners(owners, files, rows)
    issues = _frame(result.issues)
    if len(issues) and {"code", "file", "sheet"} <= set(issues.columns):
        other = issues[_text_column(issues, "code") == "second_form"]
        for file, sheet in zip(
            _text_column(other, "file"), _text_column(other, "sheet"), strict=True
        ):
            if file_routes.get(file) is not None and sheet:
                owners.setdefault(file, {}).setdefault(sheet, None)
    return owners


def _pledge_sheet_owners(
    owners: dict[str, dict[str, str | None]], files: pd.DataFrame, rows: pd.DataFrame
) -> None:
    """In a workbook of one sheet per person, each person's own 承诺书 sheet (files'
    ``sheet_pledges``) belongs to the section of that person's rows (in place)."""
    if "sheet_pledges" not in files or not len(rows) or "name" not in rows:
        return
    shared = [
        (f, p)
        for f, p in zip(files["file"], files["sheet_pledges"], strict=True)
        if isinstance(p, dict) and p and f in owners
    ]
    if not shared:
        return
    mine = rows[rows["file"].isin({f for f, _ in shared})]
    sections: dict[tuple[str, str], str] = {}
    for file, name, sheet in zip(
        mine["file"].tolist(),
        _text_column(mine, "name").tolist(),
        _text_column(mine, "sheet"),
        strict=True,
    ):
        section = owners[file].get(sheet)
        if name and section:
            sections.setdefault((file, normalize.fold(name)), section)
    for file, pledges in shared:
        for folded, pledge in dict(pledges).items():
            section = sections.get((file, folded))
            if section and len(pledge) > 3 and pledge[3]:
                owners[file].setdefault(str(pledge[3]), section)


def _route_issues(
    issues: pd.DataFrame | None,
    file_routes: dict[str, str | None],
    sections: list[str],
    owners: dict[str, dict[str, str | None]] | None = None,
) -> pd.DataFrame:
    """Issues with a ``_route`` column: the section of the issue's sheet when that sheet of
    the file holds another roster section's form, else the file's section when the issue
    names a known file, else the issue's own section when it is a roster section, else None."""
    issues = _frame(issues)
    if issues.empty:
        issues = frames.empty_issues()
    issues = issues.copy()
    for col in ROUTED_TEXT_COLUMNS:
        issues[col] = _text_column(issues, col)
    own = issues["section"].where(issues["section"].isin(set(sections)), None)
    known = issues["file"].isin(set(file_routes))
    by_file = issues["file"].map(file_routes).where(known, None)
    route = by_file.where(known, own).astype("object")
    route = route.where(route.notna(), None)
    owners = owners or {}
    if owners:
        # the owner of the issue's sheet, when the file's sheets have owners and one is named
        sheet_owner = {
            (file, sheet): owner
            for file, sheets in owners.items()
            for sheet, owner in sheets.items()
            if owner
        }
        pairs = zip(issues["file"].tolist(), issues["sheet"].tolist(), strict=True)
        owner = pd.Series(map(sheet_owner.get, pairs), index=issues.index, dtype="object")
        # an issue on no owned sheet (钱七 has no 承诺书) goes to its own section when that
        # section holds a sheet of the file
        held = {
            f: those
            for f, sheets in owners.items()
            if len(those := {o for o in sheets.values() if o}) > 1
        }
        if held:
            shared = issues[issues["file"].isin(set(held)) & owner.isna()]
            pairs = zip(shared["file"].tolist(), shared["section"].tolist(), strict=True)
            holds = [s in held[f] for f, s in pairs]
            owner.loc[shared.index[holds]] = shared["section"][holds]
        named = owner.notna() & route.notna()
        route = owner.where(named, route).astype("object")
        route = route.where(route.notna(), None)
    issues["_route"] = route
    return issues


# an issue listed again for the section of the row it is about (``_with_row_owners_copies``)
ECHO = "_echo"
# the problems of a row's own owner: its section cannot be trusted, so it is told nothing
OWNER_CODES = frozenset(
    {
        "row_not_in_roster",
        "row_not_in_roster_similar",
        "row_section_not_in_roster",
        "row_owner_missing",
        "row_many_people",
    }
)


def _with_row_owners_copies(issues: pd.DataFrame, sections: list[str]) -> pd.DataFrame:
    """Issues (``_route``d) plus, for each row issue routed elsewhere than the roster section
    of the row it is about (a table with 科室/姓名 columns listing several sections' people, in
    a section's file or in one of no section), the same issue for that section's 异常清单
    (``ECHO``: it makes no copy there, the file holds others' rows)."""
    issues = issues.assign(**{ECHO: False})
    if issues.empty or "row_id" not in issues:
        return issues
    echo = (
        issues["row_id"].notna().to_numpy()
        & issues["section"].isin(set(sections)).to_numpy()
        & (issues["section"] != issues["_route"].fillna("")).to_numpy()
        & ~issues["code"].isin(OWNER_CODES).to_numpy()
    )
    if not echo.any():
        return issues
    again = issues[echo].assign(**{"_route": issues["section"][echo], ECHO: True})
    return pd.concat([issues, again], ignore_index=True)


# the issue columns made text before routing (the others: ``_filled``, by each worker)
ROUTED_TEXT_COLUMNS = ("action", "file", "sheet", "cell", "section")


def _filled(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues with every column but row_id as text ("" for missing)."""
    issues = issues.copy()
    for col in frames.ISSUE_COLUMNS:
        if col != "row_id":
            issues[col] = _text_column(issues, col)
    return issues


def _split(frame: pd.DataFrame, column: str) -> dict[str | None, pd.DataFrame]:
    """Rows of ``frame`` by the value of ``column`` (missing values under None), in one pass."""
    if frame.empty or column not in frame:
        return {}
    missing = frame[column].isna()
    parts: dict[str | None, pd.DataFrame] = {}
    if missing.any():
        parts[None] = frame[missing]
    present = frame[~missing]
    for key, grp in present.groupby(present[column].astype(str), sort=False):
        parts[str(key)] = grp
    return parts


def _folder_names(sections: list[str]) -> dict[str | None, str]:
    """Section -> folder name: safe (no path separators, no '..'), short and unique, also
    against the packages beside the folders (科室反馈/<folder>.zip): a section named 「财务.zip」
    is not given the name of 「财务」's package."""
    used: set[str] = set()
    names: dict[str | None, str] = {}
    for section in [None, *sections]:
        base = vocab.FEEDBACK_UNKNOWN_SECTION_DIR if section is None else safe_name(section)
        name, n = base, 2
        while name.casefold() in used or f"{name}.zip".casefold() in used:
            name = f"{base}({n})"
            n += 1
        used.update((name.casefold(), f"{name}.zip".casefold()))
        names[section] = name
    return names


def feedback_name(folder: str) -> str:
    """<folder>_反馈.xlsx, the folder's part shortened so that <folder>/<name> fits Windows."""
    tail = vocab.FEEDBACK_FILE_TEMPLATE.format(section="")
    return vocab.FEEDBACK_FILE_TEMPLATE.format(
        section=safe_name(folder, room_in(folder) - len(tail))
    )


def _clear(root: Path) -> None:
    """Remove a previous run's feedback folder (only that folder, never what a link points to)."""
    if root.is_symlink() or root.is_file():
        root.unlink()
    elif root.exists():
        shutil.rmtree(root)


def _with_pledges(submissions: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
    """Submissions with the person's pledge status as a ``pledge`` column."""
    if submissions.empty:
        return submissions
    subs = submissions.copy()
    if pledges.empty or not {"section", "name", "status"} <= set(pledges.columns):
        subs["pledge"] = ""
        return subs
    # tuple keys: pandas' string columns drop "\0" in a concatenation, so joined texts could
    # make 办公+室张三 and 办公室+张三 one key
    key = zip(_text_column(pledges, "section"), _text_column(pledges, "name"), strict=True)
    status = dict(zip(key, _text_column(pledges, "status"), strict=True))
    individual = _text_column(subs, "form") != vocab.FORM_KIND_LABEL[vocab.UNIT]
    sub_key = zip(_text_column(subs, "section"), _text_column(subs, "name"), strict=True)
    found = [status.get(k, "") for k in sub_key]
    subs["pledge"] = pd.Series(found, index=subs.index, dtype=object).where(individual, "")
    return subs


# --------------------------------------------------------------------------------------
# The feedback workbook
# --------------------------------------------------------------------------------------
class _Formats:
    """The xlsxwriter formats of one workbook, created once."""

    def __init__(self, wb: Any) -> None:
        base = {
            "font_name": styles.FONT_NAME,
            "font_size": styles.FONT_SIZE,
            "valign": "top",
            "text_wrap": True,
        }
        cell = {**base, "border": 1}
        self.text = wb.add_format(cell)
        self.header = wb.add_format(
            {**cell, "bold": True, "bg_color": HEADER_FILL, "align": "center", "valign": "vcenter"}
        )
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": styles.TITLE_SIZE, "valign": "vcenter"}
        )
        self.label = wb.add_format({**cell, "bold": True, "bg_color": HEADER_FILL})
        self.fills = {
            colour: wb.add_format({**cell, "bg_color": colour})
            for colour in sorted({*LEVEL_FILLS.values(), *ACTION_FILLS.values()})
        }
        centred = {**cell, "align": "center"}
        self.fills_centred = {
            colour: wb.add_format({**centred, "bg_color": colour}) for colour in self.fills
        }
        # Data rows are written as XML by ``_table``: fix the formats' style numbers now.
        self.styles = {key: sheetxml.xf(f) for key, f in self.fills.items()}
        self.styles_centred = {key: sheetxml.xf(f) for key, f in self.fills_centred.items()}
        self.plain = sheetxml.xf(self.text)
        self.plain_centred = sheetxml.xf(wb.add_format(centred))

    def style(self, colour: object) -> int:
        """Style number of a data cell with this fill colour (plain when none)."""
        return self.styles.get(colour, self.plain) if isinstance(colour, str) else self.plain

    def style_centred(self, colour: object) -> int:
        """The same, centred (levels, short enumerated values, dates)."""
        if isinstance(colour, str):
            return self.styles_centred.get(colour, self.plain_centred)
        return self.plain_centred


@dataclass(frozen=True)
class Table:
    """One data sheet of a section's workbook with its cells prepared (picklable)."""

    name: str
    headers: list[str]
    keys: list[str]
    values: list[Any]  # per column: cells (str | number | None), a list or sheetxml.Coded
    # key -> fill colour of each record (coloured columns): uniques colours, None or -1 none
    colours: dict[str, sheetxml.Coded]
    caps: dict[str, int]
    split: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.values[0]) if self.values else 0


@dataclass(frozen=True)
class Cover:
    """The lines of a section's 说明 sheet (label, text); the copies line goes at
    ``copies_at`` once the copies written are known."""

    lines: tuple[tuple[str, str], ...]
    copies_at: int


@dataclass(frozen=True)
class SectionTask:
    """Everything a worker needs to write one section's feedback workbook (picklable)."""

    path: str
    body: str
    year: int
    run_time: str
    section: str | None
    # the records (None while the task waits in the main process: ``BooksBatch`` sends them)
    issues: Columns | None  # the folder's issues (``_issue_columns``), in the run's order
    points: Columns | None  # the section's points (``_point_columns``; None: no section)
    submissions: Columns | None  # its people and unit form, with pledges (as text)
    files: Columns | None  # the folder's files: status
    n_copies: int
    changes: tuple[Any, ...] | None = None  # rounds.write_changes_sheet's arguments
    context: str = ""  # code, settings and libraries (``books_context``): '' never reused
    previous: str = ""  # the previous run's workbook at the same place (``_reuse_book``)
    previous_entry: tuple[Any, ...] = ()  # its BOOKS_INDEX entry


def write_section(
    task: SectionTask, prepared: tuple[tuple[Table, ...], Cover] | None = None
) -> str:
    """Write one ``<科室>_反馈.xlsx`` (``prepared``: its sheets and 说明 lines, else made from
    the task's records); returns its path."""
    sheets, cover = prepared if prepared is not None else _prepare([task])[0]
    with xlsx.atomic_path(Path(task.path)) as tmp:
        base = io.BytesIO()  # a section's workbook is small: built in memory, then spliced
        wb = xlsx.new_workbook(base)
        wb.set_custom_property(vocab.OUTPUT_PROPERTY, vocab.OUTPUT_FEEDBACK)  # not a form
        fmt = _Formats(wb)
        _cover_sheet(wb, fmt, task, cover)
        header = _page_header(task)
        tables = [_table(wb, fmt, table, header) for table in sheets]
        if task.changes is not None:
            rounds.write_changes_sheet(wb, *task.changes, header_left=header)
        wb.close()
        base.seek(0)
        sheetxml.splice(base, tmp, [t for t in tables if t is not None])
    return task.path


def _page_header(task: SectionTask) -> str:
    """The page header's left part: body and section, so a loose page says whose it is."""
    return " ".join(t for t in (task.body, task.section or "") if t)


def _setup_page(
    ws: Any,
    n_rows: int,
    n_cols: int,
    widths: list[float],
    heights: list[float],
    header: str,
    split: bool,
    keys: list[str],
) -> None:
    if n_cols:
        ws.repeat_rows(0)
        ws.freeze_panes(1, len(styles.POINT_REPEAT_KEYS) if split else 0)
        ws.autofilter(0, 0, max(n_rows, 1), n_cols - 1)
    if split:
        styles.point_table_page(ws, widths, keys, header)
        return
    scale = styles.print_scale(widths, heights, heights[0] if heights else 0.0)
    styles.page_setup(ws, scale=scale, header_left=header, repeat_rows=(0, 0))


def _sample_text(value: object) -> object:
    """A value shortened for width fitting (widths are capped anyway): keeps big sheets fast."""
    if isinstance(value, str) and len(value) > 60:
        return "\n".join(line[:60] for line in value.split("\n"))
    return value


NUMERIC_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "boolean"})


def _cell_columns(columns: list[np.ndarray | None], numbers: bool = True) -> list[Any]:
    """Each column as cells, coded: with ``numbers`` a numeric column as numbers, anything
    else safe text; the columns of text made at once
    (``sheetxml.text_columns``: one pass of the fixed costs for all); None stays None."""
    out: list[Any] = [None] * len(columns)
    texts: list[int] = []
    for i, column in enumerate(columns):
        if column is None:
            continue
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if numbers and kind in NUMERIC_KINDS:
            out[i] = sheetxml.number_column(_object_series(column))
        elif kind in ("string", "empty") and column.dtype == object:
            texts.append(i)
        else:
            out[i] = sheetxml.text_column(_object_series(column))
    for i, coded in zip(texts, sheetxml.text_columns([columns[i] for i in texts]), strict=True):
        out[i] = coded
    return out


def _head(values: list[object] | sheetxml.Coded, n: int) -> list[object]:
    """The cells among the first ``n`` records a width is fitted to (for a coded column
    each distinct one once, None for empty ones: the same widest)."""
    return values.head(n) if isinstance(values, sheetxml.Coded) else values[:n]


def _table(wb: Any, fmt: _Formats, table: Table, page_header: str) -> sheetxml.Rows | None:
    """One data sheet: header row and layout by xlsxwriter; the data rows are returned to be
    spliced in as XML after ``close()`` (see ``sheetxml``). ``table.caps`` bounds each
    column's width (by key) so the sheet prints legibly; ``table.split`` prints the
    risk-point table in two halves side by side (see ``styles.point_table_page``)."""
    ws = wb.add_worksheet(table.name)
    headers, keys, values, n = table.headers, table.keys, table.values, table.n_rows
    widths = []
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, fmt.header)
        sample = [_sample_text(v) for v in _head(values[c], 100)]
        cap = table.caps.get(keys[c], 24)
        # a header wraps onto two lines at most: it counts up to half its width
        width = xlsx.fit_width(sample, "", minimum=4, maximum=cap)
        widths.append(max(width, min(cap, -(-xlsx.display_width(header) // 2) + 2)))
    if table.split:
        widths = styles.balance_halves(widths, keys)
    header_lines = int(sheetxml.line_counts_each(headers, widths).max()) if headers else 1
    header_height = styles.lines_height(header_lines)
    if table.split:
        table = _continued(table, widths, header_height)
        values, n = table.values, table.n_rows
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.set_row(0, header_height)
    heights = (
        sheetxml.row_heights(values, widths, [True] * len(headers), LINE_HEIGHT).tolist()
        if n
        else []
    )
    _setup_page(
        ws, n, len(headers), widths, [header_height, *heights], page_header, table.split, keys
    )
    if not n:
        return None
    cell_styles: list[int | list[int]] = []
    for key in keys:
        style = fmt.style_centred if key in CENTRED else fmt.style
        colours = table.colours.get(key)
        if colours is None:
            cell_styles.append(style(None))
        else:
            of = np.array([*map(style, colours.uniques), style(None)], dtype=np.int64)
            cell_styles.append(of[colours.codes])
    return sheetxml.Rows(
        sheet_number=ws.index + 1,
        header_row=0,
        values=values,
        styles=cell_styles,
        heights=heights,
    )


def _continued(table: Table, widths: list[float], header_height: float) -> Table:
    """``table`` with each record whose text needs more lines than one row holds
    split over continuation rows, as the archive's 公示 (``write_archive._continued``): the
    first keeps every cell, each further row repeats 科室, 岗位, 姓名 and the point's ID and
    holds the rest of each long text after 「（续）」, the other cells blank. A point that fits
    one row stays one; a taller one's rows hold an equal share of a printed page (rows never
    split over pages): two rows of 288 pt fill a page where rows of 352 pt left a third blank."""
    fits = _page_row_lines(widths, table.keys, header_height)
    n = table.n_rows
    counts = [sheetxml.line_counts(v, w) for v, w in zip(table.values, widths, strict=True)]
    tall = np.zeros(n, dtype=bool)
    for lines in counts:
        tall |= lines > ROW_LINES  # a point that fits one row stays one row
    if not tall.any():
        return table

    def cells(column: Any) -> list[Any]:
        if isinstance(column, sheetxml.Coded):
            return [column.uniques[c] if c >= 0 else None for c in column.codes.tolist()]
        return list(column)

    repeat = {"section", "post", "name", styles.POINT_ID_KEY}
    most = -(-CONTINUED_LINES // fits)  # as many lines on paper however a page divides
    columns = [cells(v) for v in table.values]
    colours = {k: cells(c) for k, c in table.colours.items()}
    out: list[list[Any]] = [[] for _ in columns]
    out_colours: dict[str, list[Any]] = {k: [] for k in colours}
    for i in range(n):
        chunks = {
            c: sheetxml.text_chunks(
                col[i], widths[c], fits, most=most, mark=vocab.CONTINUED_CUT_MARK
            )
            for c, col in enumerate(columns)
            if tall[i] and isinstance(col[i], str) and counts[c][i] > fits
        }
        for j in range(max((len(v) for v in chunks.values()), default=1)):
            for c, col in enumerate(columns):
                if c in chunks:
                    part = chunks[c][j] if j < len(chunks[c]) else None
                    cell = part if j == 0 or part is None else vocab.CONTINUED_MARK + part
                else:
                    cell = col[i] if j == 0 or table.keys[c] in repeat else None
                out[c].append(cell)
            for key, colour in colours.items():
                out_colours[key].append(colour[i] if j == 0 else None)

    def coded(values: list[Any]) -> sheetxml.Coded:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        return sheetxml.Coded(codes, list(uniques))

    return replace(table, values=out, colours={k: coded(v) for k, v in out_colours.items()})


ROW_LINES = int((sheetxml.MAX_ROW_HEIGHT - 4) / LINE_HEIGHT * 0.9)  # one row holds
CONTINUED_LINES = 8 * ROW_LINES  # a text printed over continuation rows, then 以下从略


def _page_row_lines(widths: list[float], keys: list[str], header_height: float) -> int:
    """Lines a continuation row of the two-halves risk-point table holds: the printed page
    under its header row, at the table's scale, in equal rows of at most 409 pt."""
    scale = styles.split_scale(
        widths, len(styles.POINT_REPEAT_KEYS), list(keys).index(styles.POINT_SECOND_HALF)
    )
    room = styles.printable_height() * 100 / scale - header_height
    rows = max(1, math.ceil(room / sheetxml.MAX_ROW_HEIGHT))
    return max(2, int((room / rows - styles.ROW_PADDING) / LINE_HEIGHT))


COVER_WIDTHS = (18, 100)
CENTRED = frozenset(
    {k for k, (kind, _w) in styles.POINT_COLUMNS.items() if kind in ("center", "level")}
    | {"action", "cell", "form", "status", "date", "deadline", "pledge"}
)
POINT_CAPS = {key: width for key, (_kind, width) in styles.POINT_COLUMNS.items()}
ISSUE_CAPS = {
    "action": 6,
    "file": 18,
    "sheet": 10,
    "cell": 7,
    "field": 10,
    "value": 18,
    "problem": 30,
    "fix": 26,
    "section": 8,
    "name": 7,
}
SUBMISSION_CAPS = {
    "section": 12,
    "name": 10,
    "post": 14,
    "form": 8,
    "status": 10,
    "date": 12,
    "deadline": 12,
    "pledge": 12,
    "file": 24,
    "note": 28,
}


def _section_codes(section: pd.Series, sections: list[str], none_last: bool) -> np.ndarray:
    """Each record's place in ``sections`` (-1: not a roster section; with ``none_last``,
    missing values count as one more section after them)."""
    code = section.map({s: i for i, s in enumerate(sections)})
    if none_last:
        code = code.where(section.notna(), len(sections))
    return code.fillna(-1).to_numpy(dtype=np.int64)


def _object_series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=values.dtype, copy=False)


def _sliced_cells(
    columns: list[np.ndarray | None], spans: list[tuple[int, int]], numbers: bool = True
) -> list[list[Any]]:
    """Per span (one folder's records), each column's cells as ``_cell_columns`` of the
    span's records gives them, made once for all spans and cut (``Coded.split``: each part
    holds only its own texts); a column of objects mixing numbers and text, whose kind may
    differ from span to span, is made span by span."""
    per_column: list[list[Any]] = []
    for column in columns:
        if column is None:
            per_column.append([None] * len(spans))
            continue
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if numbers and kind in NUMERIC_KINDS:
            coded = sheetxml.number_column(_object_series(column))
        elif numbers and column.dtype == object and kind not in ("string", "empty"):
            # numbers and text: each span its own kind
            per_column.append([_cell_columns([column[a:b]], numbers)[0] for a, b in spans])
            continue
        else:
            coded = sheetxml.text_column(_object_series(column))
        per_column.append(coded.split(spans))
    return [list(row) for row in zip(*per_column, strict=True)] if columns else [[] for _ in spans]


def _colour_column(values: np.ndarray, colour_of: Any) -> sheetxml.Coded:
    """Each record's fill colour (``colour_of`` its value; None: none), coded by value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return sheetxml.Coded(codes, [colour_of(v) for v in np.asarray(uniques).tolist()])


def _point_tables(part: _Part) -> list[Table]:
    """The 风险点 sheet of each folder of ``part``: by level (一级 first), post, name, file,
    row, description (every folder's records sorted in one pass, folder first)."""
    columns = styles.point_headers()
    keys = list(columns)
    points = part.columns
    n = len(part.codes)
    levels = points.get("level", np.full(n, None, dtype=object))
    level_codes, level_values = pd.factorize(np.asarray(levels, dtype=object))
    ranks = np.array([*map(_level_rank, np.asarray(level_values).tolist()), 9], dtype=np.float64)
    sort = {
        "_section": part.codes,
        "_rank": ranks[level_codes],
        **{"_" + c: points["_" + c] for c in POINT_SORT_COLUMNS},
    }
    order = _lexsort(sort, list(sort), 4, n)
    spans = part.spans
    cells = _sliced_cells(
        [None if key == styles.SEQ_KEY else points[key][order] for key in keys], spans
    )
    # only the level cell is coloured: whole coloured rows print as stripes
    colours = _colour_column(
        np.asarray(levels, dtype=object)[order],
        lambda v: LEVEL_FILLS.get(v) if isinstance(v, str) else None,
    ).split(spans)
    seq = keys.index(styles.SEQ_KEY)
    tables = []
    for i, (a, b) in enumerate(spans):
        values = cells[i]
        values[seq] = sheetxml.Coded(np.arange(b - a), list(range(1, b - a + 1)))
        tables.append(
            Table(
                name=vocab.FEEDBACK_SHEET_POINTS,
                headers=list(columns.values()),
                keys=keys,
                values=values,
                colours={"level": colours[i]},
                caps=POINT_CAPS,
                split=True,
            )
        )
    return tables


def _level_rank(level: object) -> float:
    return vocab.LEVEL_RANK.get(level, 9) if isinstance(level, str) else 9


def _issue_order(issues: Columns, section: np.ndarray | None = None) -> np.ndarray:
    """退回 first, then by file, sheet and cell in reading order; fully deterministic
    (``issues``: the text columns, as ``_issue_columns`` gives them); with ``section``
    (each record's folder) folder by folder first."""
    n = _n(issues)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    # each distinct cell reference parsed once
    codes, cells = pd.factorize(issues["cell"], use_na_sentinel=False)
    rows = np.zeros(len(cells), dtype=np.float64)
    cols = np.zeros(len(cells), dtype=np.int64)
    for i, cell in enumerate(cells.tolist()):
        found = A1_START.search(str(cell).upper())
        if found:
            rows[i] = float(found.group(2))
            cols[i] = xlsx.col_index(found.group(1)) + 1
    action_codes, actions = pd.factorize(issues["action"], use_na_sentinel=False)
    rank = np.array([ACTION_RANK.get(a, 2) for a in actions.tolist()], dtype=np.float64)
    keys = {
        **({} if section is None else {"_section": section}),
        "_action": rank[action_codes],
        "file": issues["file"],
        "sheet": issues["sheet"],
        "_row": rows[codes],
        "_col": cols[codes],
        **{c: issues[c] for c in ISSUE_TEXT_COLUMNS if c != "action"},
    }
    return _lexsort(keys, list(keys), 6 if section is None else 7, n)


def _sorted_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues (every column text but row_id) sorted as ``_issue_order`` sorts them."""
    if issues.empty:
        return issues
    columns = {c: issues[c].to_numpy(dtype=object) for c in ISSUE_TEXT_COLUMNS}
    return issues.iloc[_issue_order(columns)]


def _lexsort(columns: dict[str, np.ndarray], keys: list[str], primary: int, n: int) -> np.ndarray:
    """Positions of the records sorted by ``keys`` (stable), as ``sort_values(keys,
    kind="stable")`` gives them: one lexsort by the first ``primary`` keys, then the records
    tied on those (usually few) sorted by the rest, so long texts are compared only there."""
    codes = []
    for key in keys[:primary]:
        values = np.asarray(columns[key])
        codes.append(pd.factorize(values, sort=True)[0] if values.dtype == object else values)
    order = np.lexsort(codes[::-1]) if codes else np.arange(n)
    if n < 2 or primary >= len(keys):
        return order
    same = np.ones(n - 1, dtype=bool)
    for code in codes:
        ranked = code[order]
        same &= ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    tied = np.zeros(n, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    rows = order[at]
    group = np.concatenate(([0], np.cumsum(~same)))[at]
    rest = [k for k in keys[primary:] if k not in keys[:primary]]
    sub = pd.DataFrame({"_g": group, **{k: np.asarray(columns[k])[rows] for k in rest}})
    order[at] = rows[sub.sort_values(["_g", *rest], kind="stable").index.to_numpy()]
    return order


def _issue_tables(part: _Part) -> tuple[list[Table], _Part]:
    """The 异常清单 sheet of each folder of ``part`` (its issues sorted by ``_issue_order``,
    all folders' in one pass), and the issues so sorted."""
    issues = part.sorted(_issue_order(part.columns, part.codes))
    spans = issues.spans
    keys = list(vocab.ISSUE_COLUMNS)
    cells = _sliced_cells([issues.columns[k] for k in keys], spans, False)
    colours = _colour_column(issues.columns["action"], ACTION_FILLS.get).split(spans)
    tables = [
        Table(
            name=FEEDBACK_SHEET_ISSUES,
            headers=list(vocab.ISSUE_COLUMNS.values()),
            keys=keys,
            values=cells[i],
            colours={"action": colours[i]},
            caps=ISSUE_CAPS,
        )
        for i in range(len(spans))
    ]
    return tables, issues


def _submission_tables(part: _Part) -> list[Table]:
    """The 提交情况 sheet of each folder of ``part``: missing and sent back first, then
    late, then no pledge (all folders' records sorted in one pass)."""
    keys = list(SUBMISSION_LABELS)
    subs = part.columns
    n = len(part.codes)
    form_codes, form_values = pd.factorize(subs["form"], use_na_sentinel=False)
    labels = np.asarray(form_values).tolist()
    form = np.empty(len(labels), dtype=object)
    form[:] = [vocab.FORM_KIND_LABEL.get(f, f) for f in labels]
    frame = {**subs, "form": form[form_codes]}
    bad = vocab.PLEDGE_STATUSES_TO_FIX
    pledge_bad = np.fromiter(map(bad.__contains__, subs["pledge"].tolist()), bool, n)
    status_rank = {vocab.STATUS_MISSING: 0, vocab.STATUS_SENT_BACK: 0, vocab.STATUS_LATE: 1}
    rank = [
        status_rank.get(s, 1.5 if b else 2.0)
        for s, b in zip(subs["status"].tolist(), pledge_bad.tolist(), strict=True)
    ]
    sort = {"_section": part.codes, "_rank": np.array(rank, dtype=np.float64), **frame}
    order = _lexsort(sort, ["_section", "_rank", "form", "name", "file", "date"], 4, n)
    spans = part.spans
    cells = _sliced_cells([frame[k][order] for k in keys], spans, False)
    status_fill = {
        vocab.STATUS_MISSING: FILL_REJECT,
        vocab.STATUS_SENT_BACK: FILL_REJECT,
        vocab.STATUS_LATE: FILL_NOTE,
    }
    statuses = _colour_column(subs["status"][order], status_fill.get).split(spans)
    pledges = sheetxml.Coded(np.where(pledge_bad[order], 0, -1), [FILL_NOTE]).split(spans)
    return [
        Table(
            name=FEEDBACK_SHEET_SUBMISSIONS,
            headers=list(SUBMISSION_LABELS.values()),
            keys=keys,
            values=cells[i],
            colours={"status": statuses[i], "pledge": pledges[i]},
            caps=SUBMISSION_CAPS,
        )
        for i in range(len(spans))
    ]


def _cover(
    section: str | None, files: Columns, issues: Columns, levels: sheetxml.Coded, subs: Columns
) -> Cover:
    """A folder's 说明 lines (``files`` its files' statuses, ``issues`` sorted, ``levels``
    the 风险点 sheet's level cells, ``subs`` with pledges)."""
    problems: list[str] = []
    n_issues = _n(issues)
    if n_issues:
        wanted = (issues["cell"] == "") & (issues["file"] != "") & np.isnan(issues["row_id"])
        for at in np.flatnonzero(wanted).tolist():
            problems.append(
                COVER_FILE_PROBLEM_LINE.format(
                    action=issues["action"][at],
                    file=issues["file"][at],
                    problem=issues["problem"][at],
                    fix_label=vocab.ISSUE_COLUMNS["fix"],
                    fix=issues["fix"][at],
                )
            )
    file_status = Counter(files["status"].tolist()) if files else Counter()
    n_files = _n(files)
    action = issues["action"] if n_issues else np.zeros(0, dtype=object)
    actions = {
        a: int(np.count_nonzero(action == a)) for a in (vocab.ACTION_REJECT, vocab.ACTION_NOTE)
    }
    lines: list[tuple[str, str]] = []
    if section is not None:
        lines.append((vocab.FEEDBACK_COVER_LABEL_SECTION, section))
    lines.append((vocab.FEEDBACK_COVER_LABEL_RUN_TIME, ""))  # the run time: filled in
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_FILE_PROBLEMS,
            _listed_problems(problems),
        )
    )
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_FILES,
            vocab.FEEDBACK_COVER_FILES_TEXT.format(
                total=n_files,
                read=file_status.get(frames.FILE_STATUS_READ, 0),
                rejected=file_status.get(frames.FILE_STATUS_REJECTED, 0),
                superseded=file_status.get(frames.FILE_STATUS_SUPERSEDED, 0),
            ),
        )
    )
    if section is not None:
        held = levels.codes[levels.codes >= 0]
        counts = np.bincount(held, minlength=len(levels.uniques)).tolist()
        found: Counter[object] = Counter()
        for value, count in zip(levels.uniques, counts, strict=True):
            found[value] += count
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_POINTS,
                vocab.FEEDBACK_COVER_POINTS_TEXT.format(
                    total=len(levels), **{lv: int(found.get(lv, 0)) for lv in vocab.LEVELS}
                ),
            )
        )
    lines.append(
        (
            vocab.FEEDBACK_COVER_LABEL_ISSUES,
            vocab.FEEDBACK_COVER_ISSUES_TEXT.format(
                reject=actions.get(vocab.ACTION_REJECT, 0), note=actions.get(vocab.ACTION_NOTE, 0)
            ),
        )
    )
    if section is not None:
        unit_label = vocab.FORM_KIND_LABEL[vocab.UNIT]
        forms = subs["form"].tolist() if _n(subs) else []
        statuses = subs["status"].tolist() if forms else []
        pledges = subs["pledge"].tolist() if forms else []
        people = [i for i, f in enumerate(forms) if f != unit_label]
        people_status = Counter(statuses[i] for i in people)
        bad = {vocab.PLEDGE_STATUS_MISSING, vocab.PLEDGE_STATUS_EMPTY}  # as the cover says
        units = [statuses[i] for i, f in enumerate(forms) if f == unit_label]
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_PEOPLE,
                vocab.FEEDBACK_COVER_PEOPLE_TEXT.format(
                    total=len(people),
                    missing=people_status.get(vocab.STATUS_MISSING, 0),
                    sent_back=people_status.get(vocab.STATUS_SENT_BACK, 0),
                    late=people_status.get(vocab.STATUS_LATE, 0),
                    pledge=sum(1 for i in people if pledges[i] in bad),
                ),
            )
        )
        lines.append(
            (
                vocab.FEEDBACK_COVER_LABEL_UNIT,
                units[0] if units else vocab.FEEDBACK_COVER_UNIT_NOT_OWED,
            )
        )
    copies_at = len(lines)
    if section is None:
        lines.append((vocab.FEEDBACK_COVER_LABEL_NEXT, vocab.FEEDBACK_COVER_NEXT_TEXT_UNKNOWN))
        lines.append((vocab.FEEDBACK_COVER_LABEL_SHEETS, vocab.FEEDBACK_COVER_SHEETS_TEXT_UNKNOWN))
    else:
        lines.append((vocab.FEEDBACK_COVER_LABEL_NEXT, vocab.FEEDBACK_COVER_NEXT_TEXT))
        lines.append((vocab.FEEDBACK_COVER_LABEL_SHEETS, vocab.FEEDBACK_COVER_SHEETS_TEXT))
    return Cover(tuple(lines), copies_at)


def _listed_problems(problems: list[str]) -> str:
    """The cover's 整份文件的问题 cell: the problems in 异常清单's order (退回 first), as many
    as one row prints (409 pt), then how many more the 异常清单 lists. A section whose 30
    people copied one file (30 「承诺人写的是…」) had them all in one cell: the paper showed
    the first dozen and cut the rest mid-line under the next row's text."""
    if not problems:
        return vocab.FEEDBACK_COVER_NONE
    width = COVER_WIDTHS[1]
    listed: list[str] = []
    used = 0
    for i, text in enumerate(problems):
        lines = styles.text_lines(text, width)
        rest = len(problems) - i - 1
        more = vocab.FEEDBACK_COVER_PROBLEMS_MORE.format(n=rest + 1)
        reserve = styles.text_lines(more, width) if rest else 0
        if listed and used + lines + reserve > COVER_PROBLEM_LINES:
            return "\n".join([*listed, more])
        listed.append(text)
        used += lines
    return "\n".join(listed)


COVER_PROBLEM_LINES = ROW_LINES  # the lines of whole-file problems the cover's row holds


def _cover_sheet(wb: Any, fmt: _Formats, task: SectionTask, cover: Cover) -> None:
    section = task.section
    ws = wb.add_worksheet(FEEDBACK_SHEET_COVER)
    for c, width in enumerate(COVER_WIDTHS):
        ws.set_column(c, c, width)
    styles.page_setup(ws, scale=styles.print_scale(COVER_WIDTHS), header_left=_page_header(task))
    body, year = task.body, task.year
    if section is None:
        title = vocab.FEEDBACK_COVER_TITLE_UNKNOWN.format(body=body, year=year)
    else:
        title = vocab.FEEDBACK_COVER_TITLE.format(body=body, year=year, section=section)
    ws.merge_range(0, 0, 0, 1, "", fmt.title)
    ws.write_string(0, 0, xlsx.cell_text(title) or "", fmt.title)
    ws.set_row(0, 28)

    lines = [
        (label, task.run_time if label == vocab.FEEDBACK_COVER_LABEL_RUN_TIME else text)
        for label, text in cover.lines
    ]
    copies = vocab.FEEDBACK_COVER_COPIES_TEXT.format(n=task.n_copies, suffix=vocab.ANNOTATED_SUFFIX)
    lines.insert(cover.copies_at, (vocab.FEEDBACK_COVER_LABEL_COPIES, copies))
    for r, (label, text) in enumerate(lines, start=2):
        ws.write_string(r, 0, label, fmt.label)
        ws.write_string(r, 1, xlsx.cell_text(text) or "", fmt.text)
        n_lines = styles.text_lines(text, COVER_WIDTHS[1])
        if n_lines > 1:
            ws.set_row(r, styles.lines_height(n_lines))


# --------------------------------------------------------------------------------------
# Annotated copies of the section's files
# --------------------------------------------------------------------------------------
COPY_RECORD_COLUMNS = (
    "file",
    "reason",
    "kind",
    "ext",
    "sheet",
    "sha256",
    "source_path",
    "container",
    "_route",
)


def _copy_candidates(files: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """The records (only the columns a copy needs) of the files with an issue asking for an
    annotated copy (COPY_ACTIONS): the only files ``_annotate_tasks`` may copy."""
    if files.empty or issues.empty:
        return files.iloc[0:0]
    wanted = set(issues.loc[issues["action"].isin(COPY_ACTIONS), "file"].tolist())
    columns = [c for c in COPY_RECORD_COLUMNS if c in files.columns]
    return files.loc[files["file"].isin(wanted), columns]


def _records(files: pd.DataFrame) -> dict[str, Any]:
    """file -> its (first) record, as ``itertuples`` gives it."""
    records = files.sort_values("file", kind="stable").drop_duplicates("file")
    # itertuples names a column starting with "_" by its position: the route is ``route``
    records = records.rename(columns={"_route": "route"})
    return {rec.file: rec for rec in records.itertuples()}


def _annotate_tasks(
    result: frames.RunResult,
    files: pd.DataFrame | dict[str, Any],
    issues: pd.DataFrame,
    folder: Path,
    cells: dict[int, str],
    section: str | None = None,
    owners: dict[str, dict[str, str | None]] | None = None,
    shortened: list[str] | None = None,
) -> list[AnnotateTask]:
    """One task per openable file with an issue routed to this folder whose action is in
    COPY_ACTIONS (``issues`` sorted by ``_sorted_issues``: a cell's notes keep that order).

    The copy holds only this section's sheets of the file: in the file's own section's folder
    every sheet but those holding another's form, in another section's folder only the sheets
    holding that section's form."""
    if result.inbox is None or len(files) == 0 or issues.empty:
        return []
    inbox = Path(result.inbox)
    limits = result.settings.limits if result.settings is not None else None
    max_bytes = limits.max_uncompressed_bytes if limits else DEFAULT_MAX_UNCOMPRESSED
    max_file = limits.max_file_bytes if limits else DEFAULT_MAX_FILE_BYTES
    owners = owners or {}
    # only files with an issue asking for a copy get one: their issues alone are collected
    names = ("file", "sheet", "cell", "action", "problem", "fix", "row_id")
    columns = [issues[c].tolist() for c in names]
    wanted = {f for f, a in zip(columns[0], columns[3], strict=True) if a in COPY_ACTIONS}
    wanted.discard("")
    if not wanted:
        return []
    notes_by_file: dict[str, list[Annotation]] = {}
    for file, sheet, cell, action, problem, fix, row_id in zip(*columns, strict=True):
        if file not in wanted:
            continue
        if not cell and not xlsx.is_missing(row_id):
            cell = cells.get(int(row_id), "")
        notes_by_file.setdefault(file, []).append(Annotation(sheet, cell, action, problem, fix))
    if isinstance(files, pd.DataFrame):
        files = _records(files)
    used: set[str] = set()
    tasks = []
    for rec in (files[f] for f in sorted(notes_by_file) if f in files):
        notes = notes_by_file[rec.file]
        if not any(n.action in COPY_ACTIONS for n in notes):
            continue
        reason = "" if xlsx.is_missing(rec.reason) else str(rec.reason)
        if reason in UNOPENABLE_REASONS:
            continue
        kind = getattr(rec, "kind", None)
        if xlsx.is_missing(kind) and not any(n.cell for n in notes):
            # not a form and nothing to point at: a copy would repeat the 异常清单 line on an
            # unmarked stranger's workbook (the corpus has hundreds), so none is made
            continue
        source = containers.source_of(inbox, rec)
        ext = str(rec.ext).lower() if not xlsx.is_missing(rec.ext) else source.suffix.lower()
        sheet = "" if xlsx.is_missing(rec.sheet) else str(rec.sheet)
        if not sheet and not xlsx.is_missing(getattr(rec, "kind", None)):
            sheet = vocab.MAIN_SHEET.get(str(rec.kind), "")
        sheets = owners.get(rec.file, {})
        own = getattr(rec, "route", None)
        if section is None or xlsx.is_missing(own) or own == section:
            drop = tuple(sorted(sh for sh, o in sheets.items() if o != section))
            only: tuple[str, ...] = ()
        else:
            drop, only = (), tuple(sorted(sh for sh, o in sheets.items() if o == section))
            if not only:
                continue
        digest = "" if xlsx.is_missing(rec.sha256) else str(rec.sha256)
        target = folder / copy_name(rec.file, used, room_in(folder.name))
        if shortened is not None and was_shortened(rec.file, target.name):
            shortened.append(f"「{rec.file}」→「{folder.name}/{target.name}」")
        tasks.append(
            AnnotateTask(
                str(source),
                str(target),
                ext,
                sheet,
                tuple(notes),
                max_bytes,
                inbox=str(containers.root_of(inbox, rec)),
                max_bytes=max_file,
                sha256=digest,
                drop_sheets=drop if section is not None else (),
                only_sheets=only,
            )
        )
    return tasks


def _row_cells(rows: pd.DataFrame | None, issues: pd.DataFrame) -> dict[int, str]:
    """row_id -> 'A<excel_row>' for the row issues that name no cell."""
    rows = _frame(rows)
    if rows.empty or issues.empty or not {"row_id", "excel_row"} <= set(rows.columns):
        return {}
    wanted = issues.loc[(issues["cell"] == "") & issues["row_id"].notna(), "row_id"]
    found = rows[rows["row_id"].isin({int(r) for r in wanted})]
    return {int(r): f"A{int(e)}" for r, e in zip(found["row_id"], found["excel_row"], strict=True)}


# A job writes the workbooks of a batch of folders (``write_books_job``): each table of the
# batch is sorted and coded in one pass. The batches get smaller towards the end (each about
# 1/BATCH_SHARE of a worker's share of the folders left, at most BATCH_MAX_FOLDERS), so the
# workers finish together; a worker holds only its batch's records. At least
# BATCH_MIN_FOLDERS: the pass has a cost per column that one folder alone does not repay (the
# 102 workbooks at 10,000 forms, CPU s: 11.4-12.1 one folder a job, 7.7 four, 6.9-7.5 8-34).
# At most 6: each folder of a batch costs a worker ~3.5 MiB, and with 16 the whole run's peak
# at 20,000 forms passed 1 GiB (PSS 1,045 MiB; 975 with 6, 935 with one folder a job).
# And at most BATCH_MAX_RECORDS records (issues, points, people and files) unless it is one
# folder: a worker's memory follows its records, and one large section (a folder of
# thousands of issues) would make its batch large (~1.7 KiB a record; at 20,000 forms a
# folder has ~2,100 records, so batches there are still cut by their count of folders).
BATCH_MAX_FOLDERS = 6
BATCH_MIN_FOLDERS = 4
BATCH_SHARE = 3
BATCH_MAX_RECORDS = 20_000


def _batches(records: list[int], workers: int) -> list[range]:
    """The folders ``0 .. n-1`` (``records``: each one's count of records) in consecutive
    batches, smaller towards the end, each of at most ``BATCH_MAX_RECORDS`` records unless
    it is one folder."""
    n = len(records)
    out, start = [], 0
    while start < n:
        share = -(-(n - start) // (max(workers, 1) * BATCH_SHARE))
        size = max(1, min(BATCH_MAX_FOLDERS, max(BATCH_MIN_FOLDERS, share)))
        stop, held = start + 1, records[start]
        while stop < min(n, start + size) and held + records[stop] <= BATCH_MAX_RECORDS:
            held += records[stop]
            stop += 1
        out.append(range(start, stop))
        start = stop
    return out


def _linked(task: AnnotateTask) -> Future[str | None]:
    """A finished job: the copy linked from the previous run's (``reuse_previous``)."""
    future: Future[str | None] = Future()
    future.set_result(task.target)
    return future


class FeedbackJobs:
    """Writes the section workbooks and annotated copies: in worker processes, started at
    once so they work while the caller writes the archive, when there are many; else on
    ``finish()``. A workbook that fails is a bug and fails the run; a copy that fails is a bad
    user file and is only logged (the file stays listed in its section's 异常清单).

    A section's workbook is written after its copies, so its cover counts the copies that
    were really written."""

    def __init__(
        self,
        books: list[SectionTask] | None,
        copies: list[AnnotateTask],
        result: frames.RunResult,
        n_books: int = 0,
        data: _BookData | None = None,
    ) -> None:
        """``books`` None: the workbooks follow with ``start_books`` (``n_books`` of them),
        the copies start at once; else ``data`` holds their records."""
        self.books = books or []
        self.data: _BookData | None = None
        self.copies = copies
        self._by_folder: dict[str, list[int]] | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.book_futures: list[Any] = []
        self.copy_futures: list[Any] = []
        self.written_copies: list[Path] = []
        # workbook written -> what the index records (``write_section_job``)
        self.book_keys: dict[str, tuple[str, str, int] | None] = {}
        self.books_out: Path | None = None  # the staging root, when the keys are recorded
        self._feeder: threading.Thread | None = None
        self._feeder_error: BaseException | None = None
        # (previous copies index or None, reuse key by target, staging root): see finish()
        self.index: tuple[dict[str, Any] | None, dict[str, str], Path] | None = None
        limits = result.settings.limits if result.settings is not None else None
        jobs = (n_books if books is None else len(books)) + len(copies)
        workers = pipeline_workers.worker_count(limits.workers if limits else 0, jobs)
        self.n_workers = max(workers, 1)
        self._books_ready = threading.Event()
        self._closing = False
        if workers > 1 and jobs >= PARALLEL_MIN_JOBS:
            # capped, dies with the run; started fresh (a fork server's children), so they
            # hold none of this process's frames, only what each task is sent (workers.py)
            memory = limits.worker_memory_bytes if limits else 0
            self.pool = pipeline_workers.new_pool(
                workers, memory, freeze_gc=True, fresh=True, preload=WORKER_PRELOAD
            )
            # submitted from a thread: the first submission waits for the fork server
            self._feeder = threading.Thread(target=self._feed_books, daemon=True)
            self._feeder.start()
        if books is not None and data is not None:
            self.start_books(books, data)

    def start_books(self, books: list[SectionTask], data: _BookData) -> None:
        """Hand over the section workbooks (``data``: their records): a batch of folders is
        written once the copies of its folders are."""
        self.books = books
        self.data = data
        self._books_ready.set()

    def _batch(self, folders: range, done: dict[int, str | None]) -> BooksBatch:
        """The job of the workbooks of ``folders`` (indexes in ``books``), copies counted."""
        assert self.data is not None
        return self.data.batch([self._counted(self.books[i], done) for i in folders])

    def _records(self) -> list[int]:
        """Each workbook's count of records (what its batch's job is sent)."""
        data = self.data
        return [data.records(book.section) if data else 0 for book in self.books]

    def _folder_copies(self) -> dict[str, list[int]]:
        """Folder -> indexes of its copies (made once: the copies do not change)."""
        if self._by_folder is None:
            by_folder: dict[str, list[int]] = {}
            for i, task in enumerate(self.copies):
                by_folder.setdefault(os.path.dirname(task.target), []).append(i)
            self._by_folder = by_folder
        return self._by_folder

    def _counted(self, book: SectionTask, done: dict[int, str | None]) -> SectionTask:
        indexes = self._folder_copies().get(os.path.dirname(book.path), [])
        return replace(book, n_copies=sum(1 for i in indexes if done.get(i)))

    def _feed_books(self) -> None:
        """Submit each section's workbook as soon as its copies are done (in a thread: the
        caller writes the archive meanwhile)."""
        try:
            assert self.pool is not None
            # copies first: each costs more than a small workbook, so the pool ends level;
            # the previous run's copy of an unchanged file is linked here, after the others
            # are submitted (a link is cheaper than sending the task to a worker)
            futures_of: dict[int, Any] = {
                i: self.pool.submit(annotate_copy, task)
                for i, task in enumerate(self.copies)
                if not task.previous
            }
            for i, task in enumerate(self.copies):
                if i not in futures_of:
                    futures_of[i] = _linked(task) if reuse_previous(task) else None
                    if futures_of[i] is None:
                        futures_of[i] = self.pool.submit(annotate_copy, task)
            self.copy_futures = [futures_of[i] for i in range(len(self.copies))]
            self._books_ready.wait()
            if self._closing:
                return
            by_folder = self._folder_copies()
            batches = _batches(self._records(), self.n_workers)
            batch_of = {
                os.path.dirname(self.books[i].path): b for b, r in enumerate(batches) for i in r
            }
            waiting = [
                sum(len(by_folder.get(os.path.dirname(self.books[i].path), [])) for i in r)
                for r in batches
            ]
            futures: dict[int, Any] = {}
            done: dict[int, str | None] = {}
            for b, folders in enumerate(batches):
                if not waiting[b]:
                    futures[b] = self.pool.submit(write_books_job, self._batch(folders, done))
            index = {id(f): i for i, f in enumerate(self.copy_futures)}
            for future in as_completed(self.copy_futures):
                i = index[id(future)]
                try:
                    done[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker means no copy of it
                    log.warning("no annotated copy of %s: %s", self.copies[i].source, exc)
                    done[i] = None
                b = batch_of.get(os.path.dirname(self.copies[i].target))
                if b is None:
                    continue
                waiting[b] -= 1
                if not waiting[b]:
                    futures[b] = self.pool.submit(write_books_job, self._batch(batches[b], done))
            self.written_copies = [Path(t) for t in done.values() if t]
            self.book_futures = [futures[i] for i in sorted(futures)]
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish()
            self._feeder_error = exc

    def finish(self) -> list[Path]:
        """Wait for (or do) every job; the paths written, sorted."""
        written = self._finish()
        if self.index is not None and self.index[0] is not None:
            copies = {t.target for t in self.copies}
            _save_copies_index([p for p in written if str(p) in copies], *self.index[1:])
        if self.books_out is not None:
            self._save_books_index(self.books_out)
        return written

    def _save_books_index(self, out: Path) -> None:
        """Record the workbooks this run wrote with their keys and stamps (for the next run)."""
        files = {}
        for book in self.books:
            recorded = self.book_keys.get(book.path)
            if not recorded:
                continue
            try:
                info = os.stat(book.path)
            except OSError:
                continue
            key, changes, reworks = recorded
            rel = Path(book.path).relative_to(out).as_posix()
            files[rel] = [key, info.st_size, info.st_mtime_ns, book.run_time, changes, reworks]
        _save_index(out, BOOKS_INDEX, BOOKS_INDEX_FORMAT, files)

    def _finish(self) -> list[Path]:
        try:
            if self.pool is None:
                done = dict(enumerate(map(annotate_copy, self.copies)))
                written = [Path(t) for t in done.values() if t]
                batches = _batches(self._records(), 1)
                books = [p for r in batches for p in write_books_job(self._batch(r, done))]
                self.book_keys = dict(books)
                return sorted([*written, *(Path(path) for path, _key in books)])
            assert self._feeder is not None
            self._feeder.join()
            if self._feeder_error is not None:
                raise self._feeder_error
            books = [p for future in self.book_futures for p in future.result()]
            self.book_keys = dict(books)
            return sorted([*(Path(path) for path, _key in books), *self.written_copies])
        finally:
            self.close()

    def close(self) -> None:
        self._closing = True
        self._books_ready.set()  # a feeder still waiting for the workbooks gives up
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
