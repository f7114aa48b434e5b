"""Read every form that discover kept: header fields, table rows (as text) and pledge sheet.

One file is ``pipeline/readform.py``'s business (pre-scan, grids, the form found in them, its
result as plain lists: the read workers' task, without pandas); the bytes-and-cells work is
``pipeline/workbook/``. This module runs the files in capped worker processes
(``pipeline/workers.py``: a file that still kills its worker costs only itself,
``worker_crashed``), keeps the read cache and builds the frames column-wise.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import cache, frames, readbatch, vocab, workers
from pipeline.config import Limits, Settings
from pipeline.readform import (  # noqa: F401 - parse, read_one: for tests and combine
    _crashed,
    _memory_detail,
    _rejected,
    no_gc,
    parse,
    read_chunk,
    read_one,
)
from pipeline.workbook import books, calamine, guard, text
from pipeline.workbook.grid import Book
from pipeline.workbook.guard import (  # noqa: F401 - SCAN_BLOCK, ZIP_MAGIC: for tests and combine
    SCAN_BLOCK,
    ZIP_MAGIC,
    Opened,
    Refused,
    prescan,
)
from pipeline.workbook.text import csv_dialect, decode_text  # noqa: F401 - annotate, combine

log = logging.getLogger(__name__)

IN_PROCESS_MAX_FILES = 50  # below this, files that pass the pre-scan are parsed in-process


def _failed(task: tuple[Any, ...], failure: workers.Failure, limits: Limits) -> dict[str, Any]:
    """The result of a file whose worker hung, died or could not send the result back."""
    rel = task[2]
    if failure.kind == "timeout":
        detail = vocab.CRASH_DETAIL_TIME.format(seconds=limits.worker_timeout_s)
        return _crashed(rel, detail)
    if failure.kind == "error":
        log.warning("reading %s failed: %s", rel, failure.error)
        return _rejected(rel, Refused("reader_crashed", detail=vocab.DETAIL_PARSER_PANIC))
    # died: out of memory (the address-space cap makes the parser abort, or the system's OOM
    # killer sends SIGKILL), else killed by another signal
    log.warning("the worker reading %s died (exit codes %s)", rel, failure.exit_codes)
    if failure.out_of_memory():
        return _crashed(rel, _memory_detail(limits))
    detail = vocab.DETAIL_WORKER_SIGNAL.format(signal=failure.signals()[0])
    return _rejected(rel, Refused("reader_crashed", detail=detail))


def _read_pooled(
    tasks: list[tuple[int, str, str]], limits: Limits, bar: Any
) -> list[readbatch.Batch]:
    """Read ``tasks`` in capped worker processes (pipeline/workers.py): a file that kills or
    hangs its worker gets worker_crashed, every other file its result (as batches)."""
    if not tasks:
        return []

    def failed(task: tuple[Any, ...], failure: workers.Failure) -> readbatch.Batch:
        return readbatch.from_results({task[0]: _failed(task, failure, limits)})

    batches = workers.run_chunks(
        read_chunk,
        tasks,
        (limits,),
        workers=limits.workers,
        memory_bytes=limits.worker_memory_bytes,
        timeout=limits.worker_timeout_s,
        on_failure=failed,
        progress=bar.update,
    )
    return list(batches.values())


# Entry points other stages and tests use (combine.py reads archives like forms).
_Zip = guard.Zip
_check_zip_directory = guard.check_zip_directory
_classify = books.classify


def _new_pool(n: int, limits: Limits) -> Any:
    return workers.new_pool(n, limits.worker_memory_bytes, quiet=True)


def _load_calamine(path: str, opened: Opened, limits: Limits) -> Book:
    if not opened.data:
        opened.data = Path(path).read_bytes()
    return calamine.load(path, opened, limits)


def _load_csv(path: str, limits: Limits) -> Book:
    return text.load_csv(path, Path(path).read_bytes(), limits)


# --------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------
class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def read_files(
    files: pd.DataFrame,
    inbox: Path,
    settings: Settings,
    progress: bool = False,
    cache_dir: Path | None = None,
    cache_stats: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read every file whose status is NA; return (files, rows, issues).

    With ``cache_dir``, files whose result is in the read cache are not parsed again
    (pipeline/cache.py); ``cache_stats`` receives its counts."""
    limits = settings.limits
    files = files.reset_index(drop=True).copy()
    todo = [int(i) for i in files.index[files["status"].isna()]]
    names = files["file"].tolist()
    # a file inside a container (or under a decoded name) is read from where its bytes are
    sources = files["source_path"].tolist() if "source_path" in files else [None] * len(files)
    top = str(inbox)  # joined as strings: a Path per file costs more than reading it
    top = top if top.endswith(os.sep) else top + os.sep  # os.path.join of a relative name
    tasks = [
        (i, sources[i] if isinstance(sources[i], str) else top + names[i], names[i]) for i in todo
    ]
    results: dict[int, dict[str, Any]] = {}
    read_cache = None
    hits: readbatch.Batch | None = None
    if cache_dir is not None:
        with no_gc():  # ten thousand files' results: nothing here is garbage
            read_cache = cache.ReadCache(cache_dir, settings)
            tasks, keys, hits = cache.split_tasks(read_cache, files, tasks)

    bar: Any = _NoBar()
    if progress and tasks:
        from tqdm import tqdm

        bar = tqdm(
            total=len(tasks),
            desc=vocab.READ_PROGRESS_DESC,
            unit=vocab.READ_PROGRESS_UNIT,
            file=sys.stderr,
        )
    try:
        pooled = tasks
        if len(tasks) < IN_PROCESS_MAX_FILES:
            pooled = []
            for i, path, rel in tasks:
                try:
                    opened = prescan(path, limits)
                except Refused as exc:
                    results[i] = _rejected(rel, exc)
                    bar.update(1)
                    continue
                except (KeyboardInterrupt, SystemExit):
                    raise
                # as in a worker (read_one): one file never stops the run
                except BaseException as exc:  # noqa: BLE001 - a native panic is one too
                    results[i] = _rejected(rel, books.classify(exc))
                    bar.update(1)
                    continue
                if opened.fmt in ("xlsx", "csv", "html"):  # extents checked: safe in process
                    results[i] = read_one(path, rel, limits, opened)
                    bar.update(1)
                else:
                    pooled.append((i, path, rel))
        parts = _read_pooled(pooled, limits, bar)
    finally:
        bar.close()
    with no_gc():
        if results:
            parts.append(readbatch.from_results(results))
        if hits is not None:
            parts.append(hits)
        batch = readbatch.in_index_order(readbatch.concat(parts)) if parts else readbatch.empty()
        if read_cache is not None:
            cache.store(read_cache, keys, batch)
            if cache_stats is not None:
                cache_stats.update(read_cache.stats())
        return _assemble(files, batch)


def _object_column(values: list[Any]) -> pd.Series:
    """A Series of arbitrary objects (dicts) without pandas trying to unpack them."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return pd.Series(arr, dtype="object")


def _objects(values: list[Any]) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _issues_frame(cols: dict[str, list[Any]]) -> pd.DataFrame:
    """``frames.issues_frame`` of issues given column-wise."""
    if not cols["code"]:
        return frames.empty_issues()
    data: dict[str, Any] = {}
    for c in frames.ISSUE_COLUMNS:
        arr = _objects(cols[c])
        if c == "row_id":
            data[c] = pd.array(arr, dtype="Int64")
        else:
            arr[pd.isna(arr)] = ""
            data[c] = pd.Series(arr, dtype="str")
    return pd.DataFrame(data, columns=list(frames.ISSUE_COLUMNS))


def _assemble(
    files: pd.DataFrame, batch: readbatch.Batch
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fold the read results (one batch, in file order) into the files frame and build the
    rows and issues frames column by column."""
    fl, ml, rl = batch["files"], batch["meta"], batch["rows"]
    index = np.asarray(fl["index"], dtype=np.int64)
    status = files["status"].to_numpy(dtype=object, na_value=pd.NA).copy()
    reason = files["reason"].to_numpy(dtype=object, na_value=pd.NA).copy()
    status[index] = _objects(fl["status"])
    got = _objects(fl["reason"])
    got[pd.isna(got)] = pd.NA
    reason[index] = got
    files["status"] = pd.Series(status, dtype="str")
    files["reason"] = pd.Series(reason, dtype="str")
    with_meta = np.asarray(fl["has_meta"], dtype=bool)
    at = index[with_meta]
    for c in readbatch.META_KEYS:
        values = _objects(ml[c])[with_meta]
        if c in ("pledge_items", "n_rows"):
            col = files[c].to_numpy(dtype=object).copy()
            col[at] = values
            files[c] = pd.Series(col, dtype="int64")
        elif c == "pledge_sheet":
            col = files[c].to_numpy(dtype=object).copy()
            col[at] = values
            files[c] = pd.Series(col, dtype="bool")
        elif c in frames.DICT_FILE_COLUMNS:
            col = files[c].to_numpy(dtype=object).copy()
            col[at] = values
            files[c] = _object_column([v if isinstance(v, dict) else {} for v in col])
        else:
            col = files[c].to_numpy(dtype=object, na_value=pd.NA).copy()
            values[pd.isna(values)] = pd.NA
            col[at] = values
            files[c] = pd.Series(col, dtype="str")

    # each row carries its file's name and header fields (meta)
    n_out = np.asarray(fl["n_out"], dtype=np.int64)
    names = files["file"].to_numpy(dtype=object)
    per_file = {"file": names[index]}
    for c in ("kind", "section", "name", "post", "head", "date"):
        per_file[c] = _objects(ml[c])
    n_total = int(n_out.sum())
    columns: dict[str, Any] = {"row_id": pd.Series(np.arange(n_total), dtype="int64")}
    # a per-file text made a text array once per file, then repeated per row by position
    of_row = np.repeat(np.arange(len(index)), n_out)
    for c in frames.ROW_COLUMNS:
        if c == "row_id":
            continue
        if c in per_file:
            columns[c] = pd.Series(pd.array(per_file[c], dtype="str").take(of_row))
        elif c == "excel_row":
            columns[c] = pd.Series(np.asarray(rl[c], dtype=np.int64), dtype="int64")
        elif c == "accepted":
            columns[c] = pd.Series(np.asarray(rl[c], dtype=bool), dtype="bool")
        else:
            columns[c] = pd.Series(_objects(rl[c]), dtype="str")
    rows = pd.DataFrame(columns, columns=list(frames.ROW_COLUMNS))
    return files, rows, _issues_frame(batch["issues"])
