"""The output folder's lifecycle: a run is built aside and swapped in at the end, the tool
deletes only what it wrote, and what a killed run left behind is cleaned up by the next one.

OUT holds, besides the outputs users read:

- ``.lianzheng-outputs.json`` (the manifest): every file the tool wrote into OUT, as paths
  relative to OUT. Only files it lists (or, in a folder written before manifests existed, files
  named as the tool names them) are ever removed from ``科室反馈/``; anything else there is the
  office's and is kept, with a notice.
- ``.lianzheng-running.json`` while a run is under way. A run that finds one left behind knows
  the run before it was killed: its outputs never reached OUT (they were being built in the
  staging folder), so OUT still holds the last complete run.
- ``.lianzheng-staging-<id>/`` the run's outputs while they are written. ``commit`` moves them
  into place file by file (renames within one folder tree: no copying, no extra disk). Before it
  starts, the manifest records the swap, so a kill during the swap is finished by the next run.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import vocab

log = logging.getLogger("pipeline.outputs")

MANIFEST_FILE = ".lianzheng-outputs.json"
RUNNING_FILE = ".lianzheng-running.json"
STAGING_PREFIX = ".lianzheng-staging-"
TMP_PREFIX = ".tmp-"  # xlsx.atomic_path's temporary files
TMP_SUFFIX = ".tmp"  # run.write_text_atomic's temporary files
MANIFEST_FORMAT = 1
STATE_SWAPPING = "swapping"
STATE_COMPLETE = "complete"
# Names the tool gives inside 科室反馈/ (for folders written before the manifest existed).
_LEGACY_SUFFIXES = (
    vocab.FEEDBACK_FILE_TEMPLATE.format(section=""),  # _反馈.xlsx
    vocab.ANNOTATED_SUFFIX + ".xlsx",  # _批注.xlsx
)
_FEEDBACK = vocab.FEEDBACK_DIR + "/"


@dataclass
class Staging:
    """One run's place to build its outputs (``root``, inside ``out``)."""

    out: Path
    root: Path
    notices: list[str] = field(default_factory=list)  # Chinese lines for the terminal
    done: bool = False


def begin(out: Path) -> Staging:
    """Clean up what earlier runs left, mark this run as under way and make its staging
    folder. Raises OSError when OUT cannot be written."""
    out.mkdir(parents=True, exist_ok=True)
    notices = cleanup(out)
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    _write_json(out / RUNNING_FILE, {"pid": os.getpid(), "started": started})
    root = out / f"{STAGING_PREFIX}{os.getpid()}-{time.time_ns()}"
    root.mkdir()
    return Staging(out=out, root=root, notices=notices)


def abandon(staging: Staging) -> None:
    """A run that failed: remove its staging folder and its running mark (OUT keeps the
    previous run's outputs, whole)."""
    if staging.done:
        return
    shutil.rmtree(staging.root, ignore_errors=True)
    _unlink(staging.out / RUNNING_FILE)
    staging.done = True


def commit(staging: Staging) -> list[str]:
    """Move the staged outputs into OUT, remove the files of the previous run that this run
    did not write again, and return the files under 科室反馈/ that are not the tool's (kept)."""
    out, root = staging.out, staging.root
    old = _ours_before(out)
    new = _files_under(root)
    new_set = set(new)
    drop = sorted(
        f for f in old if f not in new_set and (f.startswith(_FEEDBACK) or _companion(f, new_set))
    )
    plan = {
        "format": MANIFEST_FORMAT,
        "state": STATE_SWAPPING,
        "staging": root.name,
        "new": new,
        "old": sorted(old),
        "drop": drop,
    }
    previous = _read_json(out / MANIFEST_FILE)
    _write_json(out / MANIFEST_FILE, plan)
    swap = _Swap()
    try:
        kept = _apply(out, plan, swap)
    except OSError:
        if swap.moved == 0:  # nothing changed: OUT is the previous run's, as its manifest says
            if previous:
                _write_json(out / MANIFEST_FILE, previous)
            else:
                _unlink(out / MANIFEST_FILE)
        else:  # half swapped: keep the plan and the staging folder; the next run finishes it
            staging.done = True
            _unlink(out / RUNNING_FILE)
        raise
    staging.done = True
    return kept


def cleanup(out: Path) -> list[str]:
    """Finish an interrupted swap, remove staging folders and temporary files earlier runs
    left; return Chinese notices for the terminal (also logged)."""
    notices: list[str] = []
    manifest = _read_json(out / MANIFEST_FILE)
    if manifest.get("state") == STATE_SWAPPING:
        log.warning("the previous run was interrupted while replacing the outputs: finishing")
        _apply(out, manifest)
        notices.append(vocab.OUT_SWAP_FINISHED)
    running = _read_json(out / RUNNING_FILE)
    if (out / RUNNING_FILE).exists():
        started = str(running.get("started", ""))
        log.warning("the run started at %s did not finish (killed?)", started or "?")
        notices.append(vocab.OUT_RUN_UNFINISHED.format(started=started or "?"))
        _unlink(out / RUNNING_FILE)
    removed = 0
    for entry in _entries(out):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        elif _is_tmp(entry.name) and _is_file(entry):
            _unlink(entry)
            removed += 1
    feedback = out / vocab.FEEDBACK_DIR
    if feedback.is_dir() and not feedback.is_symlink():
        for dirpath, _dirs, filenames in os.walk(feedback):
            for name in filenames:
                if name.startswith(TMP_PREFIX):
                    _unlink(Path(dirpath) / name)
                    removed += 1
    if removed:
        log.info("removed %d leftover temporary files or staging folders from %s", removed, out)
    return notices


# --------------------------------------------------------------------------------------
# The swap
# --------------------------------------------------------------------------------------
class _Swap:
    """Counts the moves of a swap, so a failure before the first one can be undone."""

    def __init__(self) -> None:
        self.moved = 0


def _apply(out: Path, plan: dict[str, Any], swap: _Swap | None = None) -> list[str]:
    """Carry out a swap plan (also one an interrupted run left: every step may be redone)."""
    swap = swap or _Swap()
    root = out / str(plan.get("staging", ""))
    new = [str(f) for f in plan.get("new", [])]
    old = {str(f) for f in plan.get("old", [])}
    drop = [str(f) for f in plan.get("drop", [])]
    # top-level files first, the archive workbook before them all (its PDF sorts before it): a
    # workbook held open (Excel) stops the swap before it changed anything
    order = lambda f: (f.startswith(_FEEDBACK), "/" in f, not f.endswith(".xlsx"), f)
    for rel in sorted(new, key=order):
        src, dst = root / rel, out / rel
        if not _is_file(src):
            continue  # moved before an interruption
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel.startswith(_FEEDBACK) and rel not in old and _is_file(dst):
            aside = _aside_name(dst)
            log.warning("kept the office's file %s as %s", dst, aside.name)
            os.replace(dst, aside)
        os.replace(src, dst)
        swap.moved += 1
        if swap.moved == 1:  # only once a move succeeded: a refused first one changed nothing
            for gone in drop:
                if _is_file(out / gone):
                    _unlink(out / gone)
    for gone in drop:
        if _is_file(out / gone):
            _unlink(out / gone)
        _remove_empty_parents(out / gone, out / vocab.FEEDBACK_DIR)
    shutil.rmtree(root, ignore_errors=True)
    ours = sorted({f for f in (*new, *old) if _is_file(out / f)})
    manifest = {"format": MANIFEST_FORMAT, "state": STATE_COMPLETE, "files": ours}
    _write_json(out / MANIFEST_FILE, manifest)
    _unlink(out / RUNNING_FILE)
    ours_set = set(ours)
    kept = [
        f for f in _files_under(out / vocab.FEEDBACK_DIR, vocab.FEEDBACK_DIR) if f not in ours_set
    ]
    if kept:
        log.warning("kept files under %s the tool did not write: %s", vocab.FEEDBACK_DIR, kept)
    return kept


def _companion(rel: str, new: set[str]) -> bool:
    """A rendering of ours (``<archive>.pdf``) whose workbook this run wrote again: a PDF of
    an older archive must not stay beside the new one."""
    return "/" not in rel and rel.endswith(".pdf") and rel[: -len(".pdf")] + ".xlsx" in new


def _ours_before(out: Path) -> set[str]:
    """The files the tool wrote into OUT before: the manifest's, or (no manifest) those under
    科室反馈/ named as the tool names its outputs."""
    manifest = _read_json(out / MANIFEST_FILE)
    if manifest.get("state") == STATE_COMPLETE and isinstance(manifest.get("files"), list):
        return {str(f) for f in manifest["files"]}
    ours = set()
    for rel in _files_under(out / vocab.FEEDBACK_DIR, vocab.FEEDBACK_DIR):
        name = rel.rsplit("/", 1)[-1]
        depth = rel.count("/")
        if name.endswith(_LEGACY_SUFFIXES) or (depth == 1 and name.endswith(".zip")):
            ours.add(rel)
    return ours


def _aside_name(path: Path) -> Path:
    n = 1
    while True:
        label = vocab.OUT_KEPT_SUFFIX if n == 1 else f"{vocab.OUT_KEPT_SUFFIX}{n}"
        candidate = path.with_name(f"{path.stem}{label}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
def _files_under(folder: Path, prefix: str = "") -> list[str]:
    """Regular files (and links) under ``folder`` as sorted posix paths (with ``prefix``)."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for name in [*filenames, *(d for d in dirnames if (base / d).is_symlink())]:
            rel = (base / name).relative_to(folder).as_posix()
            found.append(f"{prefix}/{rel}" if prefix else rel)
    return sorted(found)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _is_tmp(name: str) -> bool:
    """A temporary file of the tool's: ``.tmp-*`` or one of its top-level files + ``.tmp``."""
    ours = (vocab.SUMMARY_FILE, MANIFEST_FILE, RUNNING_FILE)
    return (
        name.startswith(TMP_PREFIX)
        or name.removesuffix(TMP_SUFFIX) in ours
        and name.endswith(TMP_SUFFIX)
    )


def still_written(path: str | Path, size_mtime: Sequence[int]) -> bool:
    """Whether ``path`` is still the regular file a previous run wrote there: the size and
    modification time (ns) it recorded. Raises OSError when it cannot be looked at."""
    info = os.stat(path, follow_symlinks=False)
    return stat.S_ISREG(info.st_mode) and (info.st_size, info.st_mtime_ns) == tuple(size_mtime)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Put the previous run's ``source`` at ``target`` (replacing what is there): a hard link,
    or where links are impossible (another volume, FAT) a copy keeping its time."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _is_file(path: Path) -> bool:
    return path.is_symlink() or path.is_file()


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + TMP_SUFFIX)
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
