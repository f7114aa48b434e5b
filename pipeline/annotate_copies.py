"""What an annotated copy is made from, as the main process knows it: the tasks, the copies'
names, the reuse key and the fills; light to import (no openpyxl). The copies are written by
``pipeline.annotate`` in the feedback workers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline import outputs, vocab, xlsx

# --------------------------------------------------------------------------------------
# Colours and limits (not user text)
# --------------------------------------------------------------------------------------
FILL_REJECT = "FFC7CE"
FILL_NOTE = "FFEB9C"
MAX_NAME_CHARS = 60  # folder and file names: room for suffixes within 255 bytes
# characters of <folder>/<file> under 科室反馈/: Excel will not open a file whose full path
# exceeds 218 characters, so an OUT of up to ~90 characters on the office PC (or a section's
# 下载 folder plus the unpacked package's own folder) still leaves every copy openable
FEEDBACK_PATH_CHARS = 120
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# What to annotate
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Annotation:
    """One note to put on a cell: ``cell`` is '' for a file-level note (goes on A1)."""

    sheet: str
    cell: str
    action: str
    problem: str
    fix: str


@dataclass(frozen=True)
class AnnotateTask:
    """Everything a worker needs to write one annotated copy (plain data: picklable)."""

    source: str
    target: str
    ext: str
    main_sheet: str
    notes: tuple[Annotation, ...]
    max_uncompressed: int
    inbox: str = ""  # the source must lie inside it (after resolving links), when given
    max_bytes: int = DEFAULT_MAX_FILE_BYTES  # never read more of the source than this
    sha256: str = ""  # what the reader read: a source changed since then gets no copy
    drop_sheets: tuple[str, ...] = ()  # sheets holding another section's form
    only_sheets: tuple[str, ...] = ()  # when given, the copy holds only these sheets
    # the previous run's copy made from the same inputs (see ``reuse_key``) and its
    # (size, mtime_ns) as that run wrote it: linked instead of written again while unchanged
    previous: str = ""
    previous_stat: tuple[int, int] = ()


COPY_FORMAT = "lianzheng-copy 1"
# the modules whose code shapes a copy: a new version of any makes every copy anew
_COPY_MODULES = (
    "annotate.py",
    "annotate_copies.py",
    "annotate_patch.py",
    "xlsx.py",
    "vocab.py",
    "workbook",
)


def _code_digest() -> str:
    """SHA-256 over the code that writes copies (and openpyxl's version)."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        digest = hashlib.sha256(f"{COPY_FORMAT}\0{metadata.version('openpyxl')}".encode())
        here = Path(__file__).parent
        for name in _COPY_MODULES:
            paths = sorted((here / name).rglob("*.py")) if (here / name).is_dir() else [here / name]
            for path in paths:
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    digest.update(b"?")
        _CODE_DIGEST = digest.hexdigest()
    return _CODE_DIGEST


_CODE_DIGEST: str | None = None


def reuse_key(task: AnnotateTask) -> str:
    """What a copy is made from: the source's bytes (their SHA-256), where it lies, the notes,
    the sheets kept or dropped, the limits and the code; '' when the bytes are not known."""
    if not task.sha256:
        return ""
    parts = [
        _code_digest(),
        task.source,
        task.sha256,
        task.ext,
        task.main_sheet,
        [(n.sheet, n.cell, n.action, n.problem, n.fix) for n in task.notes],
        task.max_uncompressed,
        task.max_bytes,
        list(task.drop_sheets),
        list(task.only_sheets),
    ]
    text = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------
def safe_name(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """User text as one file or folder name: no separators or '..', at most ``limit``
    characters (at least one), not a device name."""
    limit = max(1, limit)
    name = xlsx.safe_filename(text)[:limit].strip(" .") or xlsx.safe_filename("")
    return "_" + name[: limit - 1] if _WINDOWS_RESERVED.match(name) else name


def room_in(folder: str) -> int:
    """Characters a file name in 科室反馈/<folder>/ may have (see FEEDBACK_PATH_CHARS)."""
    return FEEDBACK_PATH_CHARS - len(folder) - 1


def copy_name(file: str, used: set[str], room: int = FEEDBACK_PATH_CHARS) -> str:
    """<stem>_批注.xlsx, made unique within the folder (same stem in two sub-folders) and at
    most ``room`` characters long (the stem is shortened). The copy of an annotated copy
    sent back is <stem>_批注.xlsx again, not <stem>_批注_批注.xlsx."""
    rel = Path(file)
    stem = rel.stem
    while stem.endswith(vocab.ANNOTATED_SUFFIX) and len(stem) > len(vocab.ANNOTATED_SUFFIX):
        stem = stem[: -len(vocab.ANNOTATED_SUFFIX)]
    tail = vocab.ANNOTATED_SUFFIX + ".xlsx"
    limit = min(MAX_NAME_CHARS, room - len(tail))
    stems = [stem, "_".join([*rel.parent.parts, stem]), rel.name]
    for stem in stems:
        name = safe_name(stem, limit) + tail
        if name.casefold() not in used:
            used.add(name.casefold())
            return name
    n = 2
    while True:
        name = f"{safe_name(stem, limit - len(f'({n})'))}({n}){tail}"
        if name.casefold() not in used:
            used.add(name.casefold())
            return name
        n += 1


def was_shortened(file: str, name: str) -> bool:
    """Whether ``name`` (from ``copy_name``) had to be cut to fit, rather than being one of
    the names ``copy_name`` gives ``file`` without a length limit."""
    rel = Path(file)
    stem = rel.stem
    while stem.endswith(vocab.ANNOTATED_SUFFIX) and len(stem) > len(vocab.ANNOTATED_SUFFIX):
        stem = stem[: -len(vocab.ANNOTATED_SUFFIX)]
    tail = vocab.ANNOTATED_SUFFIX + ".xlsx"
    full = [safe_name(s) + tail for s in (stem, "_".join([*rel.parent.parts, stem]), rel.name)]
    if name in full:
        return False
    numbered = re.fullmatch(r"(.*)\(\d+\)" + re.escape(tail), name)
    return numbered is None or numbered.group(1) != safe_name(rel.name)


# --------------------------------------------------------------------------------------
# Writing one copy (in a worker)
# --------------------------------------------------------------------------------------
def reuse_previous(task: AnnotateTask) -> bool:
    """Link (or copy) the previous run's copy to ``task.target`` when it is still the file
    that run wrote (same size and modification time): done where the task is planned, a
    system call or two, instead of sending the task to a worker."""
    if not task.previous or len(task.previous_stat) != 2:
        return False
    try:
        if not outputs.still_written(task.previous, task.previous_stat):
            return False
        outputs.link_or_copy(task.previous, task.target)
    except OSError:
        return False
    return True


def annotate_copy(task: AnnotateTask) -> str | None:
    """``pipeline.annotate.annotate_copy``, imported where the copy is written (the workers'
    fork server has it loaded already): the main process never imports openpyxl for it."""
    from pipeline import annotate

    return annotate.annotate_copy(task)
