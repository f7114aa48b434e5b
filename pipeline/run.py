"""One run: the stages of the pipeline called in order. ``process()`` is the library entry point."""

from __future__ import annotations

import errno
import gc
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock
import pandas as pd

from pipeline import (
    assign,
    cache,
    completeness,
    config,
    containers,
    cpuclock,
    discover,
    frames,
    grade,
    history,
    merge,
    normalize,
    outputs,
    owners,
    read,
    resubmit,
    rounds,
    validate,
    vocab,
    workers,
    write_archive,
    write_feedback,
)
from pipeline import pledges as pledge_files
from pipeline.cli import LogFormatter
from pipeline.errors import AccountingError, PipelineError

log = logging.getLogger("pipeline")
# an inbox this large has enough sections and copies for the feedback pool (write_feedback)
PRESTART_MIN_FILES = 200


def _year_from_forms(files: pd.DataFrame) -> int:
    """The year most read forms' 填表日期 share (validate resolves dates with the same rule)."""
    read_dates = files.loc[files["status"] == frames.FILE_STATUS_READ, "date"]
    return normalize.common_year(read_dates) or datetime.now().year


def count(result_files: pd.DataFrame, rows: pd.DataFrame, points: pd.DataFrame) -> dict[str, Any]:
    """The accounting of SPEC's summary.json; raises AccountingError when it does not add up."""
    # files inside containers are counted apart: files.total is what lies under INBOX
    result_files, contained = containers.counts(result_files)
    status = result_files["status"].value_counts()
    files = {
        "total": len(result_files),
        "read": int(status.get(frames.FILE_STATUS_READ, 0)),
        "rejected": int(status.get(frames.FILE_STATUS_REJECTED, 0)),
        "superseded": int(status.get(frames.FILE_STATUS_SUPERSEDED, 0)),
    }
    accepted = int(rows["accepted"].sum()) if len(rows) else 0
    row_counts = {"total": len(rows), "accepted": accepted, "rejected": len(rows) - accepted}
    levels = {lv: int((points["level"] == lv).sum()) if len(points) else 0 for lv in vocab.LEVELS}
    if files["total"] != files["read"] + files["rejected"] + files["superseded"]:
        raise AccountingError(f"file counts do not add up: {files}")
    if len(points):
        in_points = sum(len(s) for s in points["sources"])
        if in_points != accepted:
            raise AccountingError(
                f"{accepted} accepted rows but the merged points cite {in_points} sources"
            )
    return {
        "files": files,
        "contained_files": contained,
        "rows": row_counts,
        "levels": levels,
        "points": len(points),
    }


LOCK_FILE = "run.lock"  # in OUT/.cache: held by the run writing OUT (``hold_out``)


@contextmanager
def hold_out(out: Path) -> Iterator[None]:
    """Hold OUT for one run: a second run into the same OUT while one is writing it (处理.bat
    double-clicked twice) is refused with a Chinese message instead of truncating the first
    one's run.log, removing its staging folder or mixing the two runs' files. An operating
    system lock (``filelock``: flock, or msvcrt on Windows), released when the run ends or
    its process dies, so a crashed run never leaves OUT locked; nested holds in one thread
    (the command line's, then ``process``'s) are one. Where the file system cannot lock,
    the run goes on unlocked, as before."""
    folder = out / cache.CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(
        folder / LOCK_FILE,
        timeout=0,
        is_singleton=True,
        fallback_to_soft=False,  # a file's mere existence would outlive a crashed run
        preserve_lock_file=True,
    )
    try:
        lock.acquire()
        held = True
    except filelock.Timeout:
        raise PipelineError(vocab.OUT_BUSY.format(out=out)) from None
    except (OSError, NotImplementedError) as exc:
        log.warning("OUT not locked (%s): %s", folder / LOCK_FILE, exc)
        held = False
    try:
        yield
    finally:
        if held:
            lock.release()


def process(
    inbox: Path,
    config_dir: Path,
    out: Path,
    *,
    progress: bool = False,
    run_time: str | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> frames.RunResult:
    """Read every file under ``inbox``, grade and assign, and write the archive and feedback."""
    check_paths(inbox, config_dir, out)
    gc.freeze()  # the imported modules' objects: no full collection walks them again
    try:
        with hold_out(out):
            return _process(inbox, config_dir, out, progress, run_time, on_stage)
    finally:
        gc.unfreeze()  # what the run froze is collectable again (library callers run many)


def _process(
    inbox: Path,
    config_dir: Path,
    out: Path,
    progress: bool,
    run_time: str | None,
    on_stage: Callable[[str], None] | None,
) -> frames.RunResult:
    settings = config.load_settings(config_dir)
    roster = config.load_roster(config_dir)
    history.check_body(settings, roster)  # last year's archive of another body
    if (out / vocab.SUMMARY_FILE).is_file() and not discover.has_entries(inbox):
        # an inbox emptied after a run (or attachments saved elsewhere): writing would replace
        # the last archive and feedback with ones where everyone is 未报送. A first run on an
        # empty inbox goes on: its 提交情况 and 催报名单 list everyone still to send
        raise PipelineError(vocab.INBOX_EMPTY.format(inbox=_shown_path(inbox)))
    _ensure_log(out)
    try:
        staging = outputs.begin(out)
    except OSError as exc:
        raise _out_error(exc, out) from exc
    try:
        clock = cpuclock.StageClock()
        result = _run(
            inbox, settings, roster, progress, run_time, on_stage, out / cache.CACHE_DIR, clock
        )
        result.notices[:0] = [*staging.notices, *_roster_open_elsewhere(config_dir)]
        history.check_target(result, write_archive.archive_path(result, out))
        previous, other_years = rounds.previous_states(out, result.year, result.body_name)
        current = rounds.state(result)
        result.round_state = {
            "current": current,
            "previous_run": previous.get("run_time") if previous else None,
            "other_years": other_years,
        }
        result.changes = rounds.changes(previous, current)
        gc.freeze()  # as at every stage (see _run's stage)
        result.stage_seconds["write"] = time.perf_counter()
        clock.start("write")
        archive_path = _write_outputs(result, staging.root)
        result.stage_seconds["write"] = round(
            time.perf_counter() - result.stage_seconds["write"], 3
        )
        clock.stop("write")
        result.stage_cpu = clock.summary()
        summary = _summary(result, archive_path.name)
        write_text_atomic(
            staging.root / vocab.SUMMARY_FILE, json.dumps(summary, ensure_ascii=False, indent=2)
        )
        rounds.write_round_files(result, staging.root, out, current, previous, summary)
        kept = outputs.commit(staging)
    except OSError as exc:
        log.exception("writing the outputs failed")
        raise _out_error(exc, out) from exc
    finally:
        outputs.abandon(staging)
    # an open workbook's lock file (Excel, WPS: ~$name; LibreOffice: .~lock.name#) is not a
    # file the office put there to keep: it is told apart, without the advice to move it
    locks = [f for f in kept if _is_lock_file(f)]
    for template, files in (
        (vocab.OUT_KEPT_FILES, [f for f in kept if not _is_lock_file(f)]),
        (vocab.OUT_KEPT_LOCKS, locks),
    ):
        if files:
            shown = "、".join(files[:10]) + ("……" if len(files) > 10 else "")
            result.notices.append(
                template.format(feedback=vocab.FEEDBACK_DIR, n=len(files), files=shown)
            )
    _log_run(result)
    return result


def _run(
    inbox: Path,
    settings: config.Settings,
    roster: config.Roster,
    progress: bool,
    run_time: str | None,
    on_stage: Callable[[str], None] | None,
    cache_dir: Path | None = None,
    clock: cpuclock.StageClock | None = None,
) -> frames.RunResult:
    """The stages, discover to completeness: everything a run knows before it writes
    (``clock``: where each stage's CPU seconds are kept)."""
    seconds: dict[str, float] = {}
    clock = clock or cpuclock.StageClock()

    def stage(name: str) -> None:
        # what the run holds so far (forms read, frames validated) lives to the end: the
        # collector's full passes skip it instead of walking it again and again (at 10,000
        # forms they cost ~1.1 CPU s of the main process, ~0.7 s with this)
        gc.freeze()
        seconds[name] = time.perf_counter()
        clock.start(name)
        if on_stage:
            on_stage(name)

    def done(name: str) -> None:
        seconds[name] = round(time.perf_counter() - seconds[name], 3)
        clock.stop(name)
        log.info("stage %s: %.3f s", name, seconds[name])

    stage("discover")
    files, discover_issues = discover.discover(inbox, settings)
    done("discover")

    stage("read")
    read_cache: dict[str, int] = {}
    files, rows, read_issues = read.read_files(
        files, inbox, settings, progress, cache_dir=cache_dir, cache_stats=read_cache
    )
    files, (discover_issues, read_issues) = discover.still_changing(
        files, inbox, discover_issues, read_issues
    )
    done("read")

    stage("validate")
    if len(files) >= PRESTART_MIN_FILES and workers.worker_count(settings.limits.workers, 2) > 1:
        # the middle is serial: the feedback workers' fork server imports on the idle core
        workers.prestart_fresh(write_feedback.WORKER_PRELOAD)
    today = (run_time or datetime.now().isoformat())[:10]
    files, rows, points, validate_issues = validate.validate(
        files, rows, roster, settings, today=today
    )
    files = containers.settle(files)
    # pledges sent on their own (PDF, Word, photo) are taken back from the refused files
    files, discover_issues = pledge_files.find(files, discover_issues, roster, inbox, settings)
    # a form sent back as a whole, then its sender's good form: the latter replaces it
    files, rows, resent_issues = completeness.replace_sent_back(files, rows, roster)
    validate_issues = frames.concat_issues(validate_issues, resent_issues)
    done("validate")

    stage("grade")
    # completeness counts a file by its accepted rows, not by the merged points: a file whose
    # every row merged into a point another file came first in was still counted
    accepted = points
    points, merge_issues = merge.merge(points)
    points, posts = grade.grade(points, roster, settings)
    points = assign.assign(points, roster, settings)
    grade_issues = frames.concat_issues(
        grade.level_issues(points), owners.stated_issues(points, files)
    )
    year = settings.year or _year_from_forms(files)
    submissions, pledges, completeness_issues = completeness.completeness(
        files, accepted, roster, settings, year, rows=rows
    )
    del accepted
    done("grade")

    issues = frames.concat_issues(
        frames.issues_frame(roster.problems),
        discover_issues,
        read_issues,
        validate_issues,
        merge_issues,
        grade_issues,
        completeness_issues,
    )
    issues = resubmit.drop_superseded_issues(issues, files)
    issues = completeness.name_sent_back_issues(issues, submissions)
    submissions = completeness.note_unread(submissions, files, roster)
    counts = count(files, rows, points)
    if on_stage:
        on_stage("write")
    return frames.RunResult(
        files=files,
        rows=rows,
        points=points,
        posts=posts,
        submissions=submissions,
        pledges=pledges,
        issues=issues,
        counts=counts,
        body_name=settings.body_name or roster.body_name or vocab.BODY_FALLBACK,
        year=year,
        run_time=run_time or datetime.now().isoformat(timespec="seconds"),
        settings=settings,
        roster=roster,
        inbox=inbox,
        stage_seconds=seconds,
        stage_cpu=clock.summary(),
        read_cache=read_cache,
    )


def _ensure_log(out: Path) -> None:
    """Called as a library (no handler set up by the command line), a run still writes
    OUT/run.log."""
    root = logging.getLogger("pipeline")
    if root.handlers:
        return
    out.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out / vocab.LOG_FILE, mode="w", encoding="utf-8")
    handler.setFormatter(LogFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _write_outputs(result: frames.RunResult, root: Path) -> Path:
    """Write the archive and the section feedback into ``root`` (the staging folder)."""
    # section workbooks and annotated copies are written by workers while the archive is
    feedback = write_feedback.start_feedback(result, root)
    result.history = history.for_run(result)  # 年度对比 when [history] names last year's
    try:
        archive_path = write_archive.write_archive(result, root)
    except BaseException:
        feedback.close()
        raise
    feedback.finish()
    return archive_path


def _summary(result: frames.RunResult, archive_name: str) -> dict[str, Any]:
    issues, submissions = result.issues, result.submissions
    return {
        **result.counts,
        "issues": {
            "total": len(issues),
            vocab.ACTION_REJECT: int((issues["action"] == vocab.ACTION_REJECT).sum()),
            vocab.ACTION_NOTE: int((issues["action"] == vocab.ACTION_NOTE).sum()),
        },
        "missing_submissions": int(
            (submissions["status"] == vocab.STATUS_MISSING).sum() if len(submissions) else 0
        ),
        "submissions": rounds.counts(result),
        "changes": (
            None
            if result.changes is None
            else {c: int((result.changes["change"] == c).sum()) for c in vocab.ROUND_CHANGES}
        ),
        "archive": archive_name,
        "body": result.body_name,
        "year": result.year,
        "run_time": result.run_time,
        "stage_seconds": result.stage_seconds,
        "stage_cpu": result.stage_cpu,
        "read_cache": result.read_cache,
    }


def _out_error(exc: OSError, out: Path) -> PipelineError:
    """The Chinese message for an output that could not be written: a full disk, a file held
    open (Windows: Excel/WPS), or another refusal."""
    where = _shown(Path(str(exc.filename2 or exc.filename or out)))
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return PipelineError(vocab.OUT_DISK_FULL.format(path=where, out=out))
    named = Path(str(exc.filename2 or exc.filename or out))
    if isinstance(exc, IsADirectoryError) or (
        isinstance(exc, PermissionError) and named != out and named.is_dir()
    ):  # a folder under an output's name (Windows says PermissionError for it)
        return PipelineError(vocab.OUT_NAME_IS_FOLDER.format(path=where))
    if isinstance(exc, PermissionError):
        return PipelineError(vocab.OUT_FILE_BUSY.format(path=where))
    blocking = _file_in_the_way(named, out) if exc.errno in (errno.ENOTDIR, errno.EEXIST) else None
    if blocking is not None:  # a file under the name of a folder the outputs need
        return PipelineError(vocab.OUT_FILE_IN_THE_WAY.format(path=_shown(blocking)))
    reason = f"{vocab.OUT_REASON_OTHER}（{where}）"
    return PipelineError(vocab.OUT_UNUSABLE.format(path=out, reason=reason))


def _roster_open_elsewhere(config_dir: Path) -> list[str]:
    """A notice when roster.xlsx is open in Excel/WPS (~$roster.xlsx) or LibreOffice
    (.~lock.roster.xlsx#): the run read what was last saved, not what is on the screen."""
    roster = config_dir / vocab.ROSTER_FILE
    for lock in (discover.LOCK_PREFIX + vocab.ROSTER_FILE, f".~lock.{vocab.ROSTER_FILE}#"):
        if (config_dir / lock).is_file():
            return [vocab.ROSTER_OPEN_ELSEWHERE.format(path=roster, lock=lock)]
    return []


def _is_lock_file(rel: str) -> bool:
    name = rel.rpartition("/")[2]
    return name.startswith(discover.LOCK_PREFIX) or (
        name.startswith(".~lock.") and name.endswith("#")
    )


def _file_in_the_way(path: Path, out: Path) -> Path | None:
    """The file (not a folder) at ``path`` or at one of its folders up to ``out``, if any."""
    for candidate in (path, *path.parents):
        if candidate == out.parent:
            break
        try:
            if candidate.exists() and not candidate.is_dir():
                return candidate
        except OSError:
            return None
        if candidate == out:
            break
    return None


def _log_run(result: frames.RunResult) -> None:
    """What the run read, refused and why, and the stage times, into run.log."""
    files, issues = result.files, result.issues
    rejecting = issues[(issues["action"] == vocab.ACTION_REJECT) & (issues["file"] != "")]
    reason_of = dict(zip(rejecting["file"].tolist(), rejecting["problem"].tolist(), strict=True))
    lines = [f"run {result.run_time}: inbox {result.inbox}", f"counts: {result.counts}"]
    columns = (files[c].tolist() for c in ("file", "status", "reason"))  # lists: no per-cell pandas
    for file, status, reason in zip(*columns, strict=True):
        status = str(status)
        why = "" if reason is None or pd.isna(reason) else str(reason)
        if status == frames.FILE_STATUS_READ:
            problem = reason_of.get(file)
            lines.append(
                f"read      {file}" + (f"  (rows sent back: {problem})" if problem else "")
            )
        else:
            lines.append(f"{status:<9} {file}  [{why}] {reason_of.get(file, '')}".rstrip())
    for notice in result.notices:
        lines.append(f"notice: {notice}")
    stages = ", ".join(f"{k} {v:.3f} s" for k, v in result.stage_seconds.items())
    lines.append(f"stage times: {stages}")
    log.info("\n".join(lines))


def _shown(path: Path) -> Path:
    """A temporary file's name as the user knows it (``.tmp-xyz.xlsx`` is not theirs)."""
    return path.parent if path.name.startswith(".tmp-") else path


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _shown_path(path: Path) -> str:
    """A folder as typed, with where it is when typed relative (处理.bat's ``inbox``)."""
    return str(path) if path.is_absolute() else f"{path}（{path.absolute()}）"


def check_paths(inbox: Path, config_dir: Path, out: Path) -> None:
    """Refuse folder layouts that would make a run read its own outputs or delete its inputs
    (``out/科室反馈`` is rebuilt on every run); raises PipelineError with a Chinese message."""
    if not inbox.is_dir():
        if inbox.exists():
            raise PipelineError(vocab.INBOX_IS_FILE.format(inbox=inbox))
        raise PipelineError(vocab.INBOX_MISSING.format(inbox=_shown_path(inbox)))
    if out.exists() and not out.is_dir():
        raise PipelineError(vocab.OUT_UNUSABLE.format(path=out, reason=vocab.OUT_REASON_NOT_FOLDER))
    if _inside(out, inbox):
        raise PipelineError(vocab.OUT_INSIDE_INBOX.format(out=out, inbox=inbox))
    feedback = out / vocab.FEEDBACK_DIR
    for what, folder in ((vocab.INBOX_LABEL, inbox), (vocab.CONFIG_LABEL, config_dir)):
        if _inside(folder, feedback):
            raise PipelineError(
                vocab.INBOX_INSIDE_FEEDBACK.format(
                    what=what, path=folder, feedback=vocab.FEEDBACK_DIR
                )
            )


def write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
