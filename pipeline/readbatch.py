"""Many files' read results, column-wise: what the read stage assembles and the cache keeps.

A per-file result (``read.parse``: status, reason, meta, rows, issues) is small; ten thousand
of them as dicts are millions of small objects to pickle, decode and walk. A batch holds the
same values as a few flat lists: one entry per file (``files``, ``meta``), one per row
(``rows``) and one per issue (``issues``), each file's rows and issues contiguous and counted
(``n_out``, ``n_issues``). Batches are plain dicts of lists (pickled without any class), taken
apart and joined with numpy index arrays (imported where used: the read workers build
batches without numpy, pipeline/readform.py).
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pipeline import records

if TYPE_CHECKING:
    import numpy as np

Batch = dict[str, dict[str, list[Any]]]

FILE_KEYS = ("index", "status", "reason", "n_out", "n_issues", "has_meta")
META_KEYS = ("kind", "copy_of", *records.FORM_FIELDS)
ROW_KEYS = ("sheet", "excel_row", "accepted", *records.ROW_FIELDS)
ISSUE_KEYS = records.ISSUE_COLUMNS
PARTS = {"files": FILE_KEYS, "meta": META_KEYS, "rows": ROW_KEYS, "issues": ISSUE_KEYS}


def empty() -> Batch:
    return {part: {k: [] for k in keys} for part, keys in PARTS.items()}


def from_results(results: dict[int, dict[str, Any]]) -> Batch:
    """The per-file results (file index -> result) as one batch, in file index order."""
    out = empty()
    fl, ml, rl, il = out["files"], out["meta"], out["rows"], out["issues"]
    row_fields = records.ROW_FIELDS
    for i in sorted(results):
        res = results[i]
        meta = res["meta"]
        rows = res["excel_rows"]
        unread = res.get("unread_rows") or []
        issues = res["issues"]
        n, m = len(rows), len(unread)
        fl["index"].append(i)
        fl["status"].append(res["status"])
        fl["reason"].append(res["reason"])
        fl["n_out"].append(n + m)
        fl["n_issues"].append(len(issues))
        fl["has_meta"].append(bool(meta))
        for k in META_KEYS:
            ml[k].append(meta.get(k))
        if n:
            rl["sheet"].extend([meta.get("sheet")] * n)
            rl["excel_row"].extend(rows)
            rl["accepted"].extend([True] * n)
            values = res["values"]
            for c in row_fields:
                rl[c].extend(values.get(c) or [None] * n)
        if m:
            rl["sheet"].extend(sheet for sheet, _ in unread)
            rl["excel_row"].extend(r for _, r in unread)
            rl["accepted"].extend([False] * m)
            for c in row_fields:
                rl[c].extend([None] * m)
        for issue in issues:
            for k in ISSUE_KEYS:
                il[k].append(issue.get(k))
    return out


def _spans(counts: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """The element positions of the picked files' spans, in pick order (counts per file)."""
    import numpy as np

    starts = np.cumsum(counts) - counts
    n = counts[pick]
    total = int(n.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(starts[pick] - (np.cumsum(n) - n), n)
    return first + np.arange(total, dtype=np.int64)


def _runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """The (start, stop) of each run of consecutive positions, in order."""
    import numpy as np

    if not len(positions):
        return []
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    starts = positions[np.concatenate(([0], breaks))]
    stops = positions[np.concatenate((breaks - 1, [len(positions) - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _take_part(part: dict[str, list[Any]], positions: np.ndarray) -> dict[str, list[Any]]:
    runs = _runs(positions)
    if len(runs) * 8 > len(positions):  # mostly scattered: value by value
        at = positions.tolist()
        return {k: [values[j] for j in at] for k, values in part.items()}
    # a rerun keeps most files in place: whole runs copied as list slices
    out: dict[str, list[Any]] = {}
    for k, values in part.items():
        col: list[Any] = []
        for a, b in runs:
            col += values[a:b]
        out[k] = col
    return out


def take(batch: Batch, pick: list[int] | np.ndarray) -> Batch:
    """The batch of the files at positions ``pick`` (in that order)."""
    import numpy as np

    pick = np.asarray(pick, dtype=np.int64)
    if len(pick) == len(batch["files"]["index"]) and bool((pick == np.arange(len(pick))).all()):
        return {part: {k: list(v) for k, v in cols.items()} for part, cols in batch.items()}
    at = _positions(batch, pick)
    return {part: _take_part(batch[part], at[part]) for part in PARTS}


def _positions(batch: Batch, pick: np.ndarray) -> dict[str, np.ndarray]:
    """Per part, the positions of the values of the files at positions ``pick``: the files'
    own (files, meta), and the spans of their rows and issues."""
    import numpy as np

    fl = batch["files"]
    return {
        "files": pick,
        "meta": pick,
        "rows": _spans(np.asarray(fl["n_out"], dtype=np.int64), pick),
        "issues": _spans(np.asarray(fl["n_issues"], dtype=np.int64), pick),
    }


def concat(batches: list[Batch]) -> Batch:
    out = empty()
    for b in batches:
        for part, cols in out.items():
            for k, values in cols.items():
                values.extend(b[part][k])
    return out


def in_index_order(batch: Batch) -> Batch:
    """The batch with its files sorted by file index."""
    import numpy as np

    index = batch["files"]["index"]
    if all(a < b for a, b in pairwise(index)):
        return batch
    return take(batch, np.argsort(np.asarray(index, dtype=np.int64), kind="stable"))


def valid(batch: object) -> bool:
    """Whether ``batch`` has the shape of a batch (every part, every column, the lengths
    that the counts say)."""
    if not isinstance(batch, dict) or set(batch) != set(PARTS):
        return False
    for part, keys in PARTS.items():
        cols = batch[part]
        if not isinstance(cols, dict) or set(cols) != set(keys):
            return False
        if any(not isinstance(v, list) for v in cols.values()):
            return False
        if len({len(v) for v in cols.values()}) > 1:
            return False
    fl = batch["files"]
    n_files = len(fl["index"])
    if len(batch["meta"]["kind"]) != n_files:
        return False
    try:
        n_rows, n_issues = sum(fl["n_out"]), sum(fl["n_issues"])
    except TypeError:
        return False
    return n_rows == len(batch["rows"]["sheet"]) and n_issues == len(batch["issues"]["code"])


def shared(batch: Batch, pick: np.ndarray | None = None) -> Batch:
    """The batch with equal texts as one object each (a column repeats its sheet names,
    levels, categories and messages thousands of times): pickled, each repeat is a
    reference, smaller to store and faster to load.

    With ``pick`` (file positions), only the values of those files are shared (among
    themselves), in place, and the batch itself is returned: the cost follows the files
    picked, not the batch (a rerun's newly parsed files among cached ones)."""
    seen: dict[str, str] = {}
    if pick is None:
        out: Batch = {}
        for part, cols in batch.items():
            out[part] = {
                k: [seen.setdefault(v, v) if type(v) is str else v for v in values]
                for k, values in cols.items()
            }
        return out
    import numpy as np

    at = _positions(batch, np.asarray(pick, dtype=np.int64))
    for part, cols in batch.items():
        positions = at[part].tolist()
        for values in cols.values():
            for j in positions:
                v = values[j]
                if type(v) is str:
                    values[j] = seen.setdefault(v, v)
    return batch
