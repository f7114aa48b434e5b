"""``make bench``: the fast pipeline against the straightforward approach and a careful user's
script, side by side in one run.

For each inbox size N (default 1,000, 10,000 and 20,000 forms):

1. a synthetic inbox is generated once with ``demo.write_demo`` (seed 7, error rate 0.05) and
   cached under ``DATA/N/`` behind a stamp file holding the generator parameters;
2. the fast path runs as ``python -m pipeline process ... --no-progress`` in a fresh subprocess
   on an empty output folder, so its wall time and the peak memory (PSS) of its process tree
   (workers included) can be read; per-stage seconds come from ``OUT/summary.json``;
3. 10 forms are changed (one risk description edited, as a resubmission would) and the same
   command runs again on the same output folder: the rerun time (read cache warm); the
   originals are put back afterwards;
4. at N <= ``baseline_max`` (default 10,000) the two baselines run on the WHOLE inbox, each in
   a fresh subprocess (``python -m pipeline.bench straightforward|careful FOLDER OUT``):
   (a) straightforward: ``pandas.read_excel(engine="openpyxl")`` per file, a naive header
   search and row frame, the same ``validate.validate``, and an archive written with
   ``DataFrame.to_excel``; (b) careful: ``pandas.read_excel(engine="calamine")`` in a
   2-process pool, the same naive frames, then the same ``validate.validate``.
   Nothing is extrapolated.

Results are printed and appended to the report (docs/benchmarks.md) as a Markdown section.
The bench measures; it asserts nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import frames, vocab, xlsx

SEED = 7
ERROR_RATE = 0.05
DEFAULT_SIZES = (1000, 10000, 20000)
BASELINE_MAX = 10000  # baselines run on the whole inbox up to this size
RERUN_CHANGED = 10  # files changed before the rerun
BASELINE_WORKERS = 2  # the careful script's pool
CHANGE_MARK = "（修订）"
STAMP_FILE = "bench-stamp.json"
SAMPLE_INTERVAL_S = 0.05
STAGES = ("discover", "read", "validate", "grade", "write")
FORM_SUFFIXES = (".xlsx", ".xlsm")
REPO_ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


# --------------------------------------------------------------------------------------
# Data: generated once per size, cached behind a stamp
# --------------------------------------------------------------------------------------
GENERATOR_SOURCES = ("demo.py", "templates.py")


def _generator_stamp(people: int) -> dict[str, Any]:
    """The generator parameters, plus a digest of the generator's code: a changed generator
    writes different forms, so its cached inboxes are stale."""
    digest = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        source = Path(__file__).with_name(name)
        if source.exists():
            digest.update(source.read_bytes())
    return {
        "people": people,
        "seed": SEED,
        "error_rate": ERROR_RATE,
        "generator": digest.hexdigest()[:16],
    }


def ensure_data(data: Path, people: int) -> tuple[Path, float | None]:
    """The cached demo body for ``people`` under ``data/people``; (folder, seconds generating
    or None when the cache was reused)."""
    folder = data / str(people)
    stamp_path = folder / STAMP_FILE
    wanted = _generator_stamp(people)
    if stamp_path.exists() and (folder / "inbox").is_dir():
        try:
            if json.loads(stamp_path.read_text(encoding="utf-8")) == wanted:
                return folder, None
        except (OSError, ValueError):
            pass
    from pipeline.demo import write_demo

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    write_demo(folder, people=people, seed=SEED, error_rate=ERROR_RATE)
    seconds = time.perf_counter() - start
    # the stamp is written last: an interrupted generation is redone next time
    stamp_path.write_text(json.dumps(wanted, indent=2), encoding="utf-8")
    return folder, seconds


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file())


# --------------------------------------------------------------------------------------
# Fast path: the real command in a subprocess, memory sampled from /proc
# --------------------------------------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: ppid is the 2nd field after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _status_kib(pid: int, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemorySampler(threading.Thread):
    """Samples the resident memory of a process and all its descendants every 50 ms.

    ``peak_rss`` is the highest sum of VmRSS (shared pages of forked workers counted in each),
    ``peak_pss`` the highest sum of PSS (shared pages split between sharers: the honest total).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stop = threading.Event()
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.peak_processes = 0
        self.samples = 0

    def run(self) -> None:
        use_pss = Path(f"/proc/{self.pid}/smaps_rollup").exists()
        while not self.stop.is_set():
            pids = _tree(self.pid)
            rss = sum(_status_kib(p, b"VmRSS:") for p in pids)
            pss = sum(_pss_kib(p) for p in pids) if use_pss else 0
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.samples += 1
            self.stop.wait(SAMPLE_INTERVAL_S)


# The archive's PDF (LibreOffice, when installed) is a courtesy rendering by another program;
# it is turned off for the timed runs (at 1,000 forms it alone took past its 180 s time limit).
BENCH_ENV = {"LIANZHENG_PDF": "0"}
# an office PC keeps Python's compiled bytecode after the first run; a shell that forbids it
# (PYTHONDONTWRITEBYTECODE) would make every measured run compile the package again
BENCH_ENV_DROP = ("PYTHONDONTWRITEBYTECODE",)


def compile_package() -> None:
    """Write the package's bytecode once, as the first run on an office PC does."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "pipeline")],
        check=False,
        cwd=REPO_ROOT,
    )


def measure(cmd: list[str], log_path: Path) -> dict[str, Any]:
    """Run ``cmd`` in a fresh subprocess: wall seconds, CPU seconds, peak memory of its tree."""
    env = {k: v for k, v in os.environ.items() if k not in BENCH_ENV_DROP} | BENCH_ENV
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)
        sampler = TreeMemorySampler(proc.pid)
        sampler.start()
        # wait4 gives the rusage of this child (ru_maxrss: the largest single process among
        # it and the descendants it waited for) without mixing in earlier children
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_tree_rss_mib": sampler.peak_rss_kib / 1024,
        "peak_tree_pss_mib": sampler.peak_pss_kib / 1024 if sampler.peak_pss_kib else None,
        "max_process_rss_mib": usage.ru_maxrss / 1024,
        "processes": sampler.peak_processes,
    }


def run_fast(folder: Path, fresh: bool = True) -> dict[str, Any]:
    """Run the real command on ``folder``'s inbox in a fresh subprocess and measure it;
    ``fresh`` starts from an empty output folder (no read cache), otherwise the folder (and
    its cache) of the previous run is reused."""
    out = folder / "out"
    if fresh and out.exists():
        shutil.rmtree(out)
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "process",
        "--inbox",
        str(folder / "inbox"),
        "--config",
        str(folder / "config"),
        "--out",
        str(out),
        "--no-progress",
    ]
    log_path = folder / ("process.log" if fresh else "rerun.log")
    m = measure(cmd, log_path)
    wall = m["wall_s"]
    result: dict[str, Any] = {
        **m,
        "end_to_end_s": wall,
        "stage_seconds": {},
        "counts": {},
        "read_cache": {},
    }
    summary_path = out / vocab.SUMMARY_FILE
    if m["exit_code"] == 0 and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        result["stage_seconds"] = {k: float(v) for k, v in summary.get("stage_seconds", {}).items()}
        result["counts"] = {k: summary.get(k) for k in ("files", "rows", "levels", "points")}
        result["read_cache"] = summary.get("read_cache") or {}
        result["stage_cpu"] = summary.get("stage_cpu") or {}
    else:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        result["error"] = tail
    return result


# --------------------------------------------------------------------------------------
# Baseline: read_excel(openpyxl) per file, naive frames, the same validation
# --------------------------------------------------------------------------------------
def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _naive_date(text: str) -> object:
    if not text:
        return pd.NA
    parsed = pd.to_datetime(text, errors="coerce")
    return pd.NA if pd.isna(parsed) else parsed.date().isoformat()


def _naive_header_block(block: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Header fields above the table: ``label：value`` in one cell, or label then the next
    non-empty cell to its right."""
    values: dict[str, str] = {}
    cells: dict[str, str] = {}
    for r, row in block.iterrows():
        texts = [_cell_text(v) for v in row.tolist()]
        for c, text in enumerate(texts):
            if not text:
                continue
            label, sep, rest = text.replace(":", "：").partition("：")
            key = vocab.HEADER_LOOKUP.get(vocab.fold(label))
            if key is None or key in values:
                continue
            if sep and rest.strip():
                values[key] = rest.strip()
                cells[key] = f"{xlsx.col_letter(c)}{r + 1}"
                continue
            for c2 in range(c + 1, len(texts)):
                if texts[c2]:
                    if vocab.HEADER_LOOKUP.get(vocab.fold(texts[c2])) is None:
                        values[key] = texts[c2]
                        cells[key] = f"{xlsx.col_letter(c2)}{r + 1}"
                    break
    return values, cells


def _naive_pledge(sheet: pd.DataFrame | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pledge_sheet": sheet is not None,
        "pledge_items": 0,
        "pledger": pd.NA,
        "pledge_date": pd.NA,
    }
    if sheet is None:
        return out
    labels = {vocab.fold(v): k for k, v in vocab.PLEDGE_LABELS.items()}
    item_col, in_items = None, False
    for _, row in sheet.iterrows():
        texts = [_cell_text(v) for v in row.tolist()]
        folded = [vocab.fold(t) for t in texts]
        found = next((labels[f] for f in folded if f in labels), None)
        if found:
            i = next(i for i, f in enumerate(folded) if f in labels)
            value = next((t for t in texts[i + 1 :] if t), "")
            if value:
                out[found] = _naive_date(value) if found == "pledge_date" else value
            in_items = False
            continue
        if vocab.fold(vocab.PLEDGE_ITEMS_LABEL) in folded:
            item_col, in_items = folded.index(vocab.fold(vocab.PLEDGE_ITEMS_LABEL)), True
            continue
        if in_items and item_col is not None and item_col < len(texts) and texts[item_col]:
            out["pledge_items"] += 1
    return out


def read_excel_openpyxl(path: Path) -> dict[str, pd.DataFrame]:
    """The straightforward read: every sheet as text through pandas and openpyxl."""
    return pd.read_excel(path, sheet_name=None, engine="openpyxl", dtype=str, header=None)


def naive_read(path: Path, rel: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The straightforward reader: one file -> (files record, row records)."""
    return naive_records(read_excel_openpyxl(path), path, rel)


def naive_records(
    sheets: dict[str, pd.DataFrame], path: Path, rel: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header search and row records over ``read_excel``'s frames, cell by cell."""
    stat = path.stat()
    record: dict[str, Any] = {c: pd.NA for c in frames.FILE_COLUMNS}
    record.update(
        file=rel,
        size=stat.st_size,
        mtime=stat.st_mtime,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        ext=path.suffix.lower(),
        status=frames.FILE_STATUS_READ,
        n_rows=0,
        colmap={},
        header_cells={},
    )
    name = next((s for s in sheets if s in vocab.MAIN_SHEET.values()), next(iter(sheets), None))
    if name is None:
        record.update(status=frames.FILE_STATUS_REJECTED, reason="empty_file")
        return record, []
    main = sheets[name]
    header_row, colmap = None, {}
    for r, row in main.iterrows():
        found = {}
        for c, value in enumerate(row.tolist()):
            key = vocab.COLUMN_LOOKUP.get(vocab.fold(_cell_text(value)))
            if key and key not in found:
                found[key] = c
        if all(k in found for k in vocab.REQUIRED_COLUMNS):
            header_row, colmap = r, found
            break
    kind = (
        vocab.UNIT if name == vocab.SHEET_UNIT or "posts_involved" in colmap else vocab.INDIVIDUAL
    )
    record.update(kind=kind, sheet=name)
    if header_row is None:
        record.update(status=frames.FILE_STATUS_REJECTED, reason="no_table_header")
        return record, []
    header, header_cells = _naive_header_block(main.iloc[:header_row])
    record.update(
        section=header.get("section", pd.NA),
        name=header.get("name", pd.NA),
        post=header.get("post", pd.NA),
        head=header.get("head", pd.NA),
        date=_naive_date(header.get("date", "")),
        colmap={k: xlsx.col_letter(c) for k, c in colmap.items()},
        header_cells=header_cells,
        **_naive_pledge(sheets.get(vocab.SHEET_PLEDGE)),
    )
    rows = []
    for r, row in main.iloc[header_row + 1 :].iterrows():
        values = row.tolist()
        fields = {
            k: (_cell_text(values[colmap[k]]) or pd.NA) if k in colmap else pd.NA
            for k in frames.ROW_FIELDS
        }
        if all(pd.isna(v) for v in fields.values()):
            continue
        rows.append(
            {
                "file": rel,
                "sheet": name,
                "kind": kind,
                "section": record["section"],
                "name": record["name"],
                "post": record["post"],
                "head": record["head"],
                "date": record["date"],
                "excel_row": int(r) + 1,
                **fields,
            }
        )
    record["n_rows"] = len(rows)
    return record, rows


def _naive_frames(
    records: list[dict[str, Any]], row_records: list[dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    files = pd.DataFrame(records, columns=list(frames.FILE_COLUMNS))
    rows = pd.DataFrame(row_records, columns=[c for c in frames.ROW_COLUMNS if c != "row_id"])
    rows.insert(0, "row_id", range(len(rows)))
    rows["excel_row"] = rows["excel_row"].astype("int64")
    rows["accepted"] = True
    text = [c for c in rows.columns if c not in ("row_id", "excel_row", "accepted")]
    rows[text] = rows[text].astype("str")
    return files, rows


def _frames_and_validate(
    inbox: Path, records: list[dict[str, Any]], row_records: list[dict[str, Any]]
) -> tuple[Any, float, float]:
    """Naive frames, then the same ``validate.validate`` the pipeline runs: (its result,
    seconds building the frames, seconds validating)."""
    from pipeline import config, validate

    config_dir = inbox.parent / "config"
    settings = config.load_settings(config_dir)
    roster = config.load_roster(config_dir)
    t0 = time.perf_counter()
    files_frame, rows_frame = _naive_frames(records, row_records)
    t1 = time.perf_counter()
    validated = validate.validate(files_frame, rows_frame, roster, settings)
    return validated, t1 - t0, time.perf_counter() - t1


def _read_form(args: tuple[str, str, str]) -> tuple[str, Any, Any]:
    """One form through ``pandas.read_excel`` with ``engine``: (status, files record, rows);
    a file read_excel cannot read is skipped (the scripts have no plan for a bad file)."""
    path, rel, engine = args
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine=engine, dtype=str, header=None)
    except Exception:  # noqa: BLE001 - the baseline scripts skip what they cannot read
        return "failed", None, None
    record, rows = naive_records(sheets, Path(path), rel)
    return "read", record, rows


def _baseline_forms(inbox: Path) -> list[tuple[str, str]]:
    return [
        (str(p), p.relative_to(inbox).as_posix())
        for p in inbox_files(inbox)
        if p.suffix.lower() in FORM_SUFFIXES
    ]


def _object_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding lists or dicts as their text: ``to_excel`` writes scalars only."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v if isinstance(v, str) else str(v))
    return frame


def baseline_main(kind: str, folder: Path, out: Path) -> dict[str, Any]:
    """One baseline on the whole inbox of ``folder`` (run in its own process by the bench).

    ``straightforward``: read_excel(openpyxl) per file, naive frames, validate, and an archive
    (catalogue, issues, files) written with ``DataFrame.to_excel``. ``careful``: read_excel
    (calamine) in a 2-process pool, naive frames, validate."""
    inbox = folder / "inbox"
    forms = _baseline_forms(inbox)
    t0 = time.perf_counter()
    if kind == "straightforward":
        results = [_read_form((path, rel, "openpyxl")) for path, rel in forms]
    elif kind == "careful":
        import multiprocessing as mp

        with mp.get_context("fork").Pool(BASELINE_WORKERS) as pool:
            tasks = [(path, rel, "calamine") for path, rel in forms]
            results = pool.map(_read_form, tasks, chunksize=16)
    else:
        raise ValueError(f"unknown baseline {kind!r}")
    read_s = time.perf_counter() - t0
    records = [r for status, r, _ in results if status == "read"]
    row_records = [row for status, _, rows in results if status == "read" for row in rows]
    (files, _rows, points, issues), build_s, validate_s = _frames_and_validate(
        inbox, records, row_records
    )
    archive_s = 0.0
    if kind == "straightforward":
        t0 = time.perf_counter()
        out.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(out / "archive.xlsx") as writer:
            _object_text(points).to_excel(writer, sheet_name="catalogue", index=False)
            _object_text(issues).to_excel(writer, sheet_name="issues", index=False)
            _object_text(files).to_excel(writer, sheet_name="files", index=False)
        archive_s = time.perf_counter() - t0
    return {
        "kind": kind,
        "forms": len(forms),
        "failed_files": len(results) - len(records),
        "rows": len(row_records),
        "points": len(points),
        "read_s": read_s,
        "build_s": build_s,
        "validate_s": validate_s,
        "archive_s": archive_s,
    }


def run_baseline(folder: Path, kind: str) -> dict[str, Any]:
    """Run one baseline on ``folder``'s whole inbox in a fresh subprocess and measure it."""
    out = folder / f"out-{kind}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    figures = out / "figures.json"
    cmd = [sys.executable, "-m", "pipeline.bench", kind, str(folder), str(out)]
    m = measure(cmd, folder / f"{kind}.log")
    result: dict[str, Any] = {**m}
    if m["exit_code"] == 0 and figures.exists():
        result.update(json.loads(figures.read_text(encoding="utf-8")))
    else:
        tail = (folder / f"{kind}.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        result["error"] = tail
    return result


# --------------------------------------------------------------------------------------
# Rerun: 10 forms changed as a resubmission would change them
# --------------------------------------------------------------------------------------
def _change_form(path: Path) -> bool:
    """Edit the first risk description of a form in place (openpyxl); False when the file
    holds no such table (a broken or foreign file: another one is picked)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path)
    except Exception:  # noqa: BLE001 - hostile and broken demo files are skipped
        return False
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=60):
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                if vocab.COLUMN_LOOKUP.get(vocab.fold(cell.value)) != "description":
                    continue
                below = ws.cell(row=cell.row + 1, column=cell.column)
                if not isinstance(below.value, str) or not below.value.strip():
                    return False
                below.value = below.value + CHANGE_MARK
                wb.save(path)
                return True
    return False


def change_forms(inbox: Path, count: int, backup: Path) -> list[tuple[Path, Path]]:
    """Change ``count`` forms spread over the inbox; their originals are copied to ``backup``
    first. Returns (changed file, its original copy) pairs."""
    if backup.exists():
        shutil.rmtree(backup)
    backup.mkdir(parents=True)
    forms = [p for p in inbox_files(inbox) if p.suffix.lower() == ".xlsx"]
    step = max(1, len(forms) // max(count, 1))
    changed: list[tuple[Path, Path]] = []
    for i in range(0, len(forms) * 2, step):
        if len(changed) >= count:
            break
        path = forms[i % len(forms)]
        if any(path == p for p, _ in changed):
            continue
        copy = backup / f"{len(changed)}{path.suffix}"
        shutil.copy2(path, copy)
        if _change_form(path):
            changed.append((path, copy))
        else:
            shutil.copy2(copy, path)
    return changed


def restore_forms(changed: list[tuple[Path, Path]]) -> None:
    for path, copy in changed:
        shutil.copy2(copy, path)  # copy2 keeps the original modification time


def run_rerun(folder: Path, count: int = RERUN_CHANGED) -> dict[str, Any]:
    """Change ``count`` forms, rerun on the previous run's output folder, put them back."""
    changed = change_forms(folder / "inbox", count, folder / "rerun-originals")
    try:
        result = run_fast(folder, fresh=False)
    finally:
        restore_forms(changed)
    result["changed"] = len(changed)
    return result


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 0
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": cores,
        "python": platform.python_version(),
        "pandas": version("pandas"),
        "python-calamine": version("python-calamine"),
        "openpyxl": version("openpyxl"),
        "pandera": version("pandera"),
        "platform": platform.platform(),
        "load_before": _load_average(),
    }


def _load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every figure."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "-"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


TABLE_HEADINGS = (
    "N",
    "files",
    "end-to-end s",
    "per-file ms",
    "rerun after 10 changed s",
    "parsed on rerun",
    "straightforward s",
    "straightforward ÷ fast",
    "careful script s",
    "careful ÷ fast",
    "peak MiB (PSS)",
)
STAGE_HEADINGS = (
    "N",
    *(f"{s} s" for s in STAGES),
    "rerun: " + " / ".join(STAGES),
    "CPU s",
    "peak MiB (RSS sum)",
    "largest process MiB",
)


def _baseline_s(r: dict[str, Any], kind: str) -> float | None:
    b = r["baselines"].get(kind)
    return b["wall_s"] if b and b.get("exit_code") == 0 else None


def _table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in results:
        rerun = r["rerun"]
        cache = rerun.get("read_cache") or {}
        out.append(
            [
                str(r["n"]),
                str(r["files"]),
                _fmt(r["fast"]["end_to_end_s"]),
                _fmt(r["per_file_ms"]),
                _fmt(rerun.get("end_to_end_s")),
                _fmt(cache.get("parsed")),
                _fmt(_baseline_s(r, "straightforward"), 1),
                _fmt(r["ratio_straightforward"], 1),
                _fmt(_baseline_s(r, "careful"), 1),
                _fmt(r["ratio_careful"], 1),
                _fmt(r["fast"]["peak_tree_pss_mib"], 0),
            ]
        )
    return out


def _stage_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in results:
        f, rerun = r["fast"], r["rerun"]
        stages, again = f["stage_seconds"], rerun.get("stage_seconds") or {}
        out.append(
            [
                str(r["n"]),
                *(_fmt(stages.get(s)) for s in STAGES),
                " / ".join(_fmt(again.get(s)) for s in STAGES),
                _fmt(f["cpu_s"], 1),
                _fmt(f["peak_tree_rss_mib"], 0),
                _fmt(f["max_process_rss_mib"], 0),
            ]
        )
    return out


CPU_HEADINGS = (
    "N",
    "run",
    "start",
    *STAGES,
    "outside stages (wall s)",
)


def _cpu_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    """Per stage, CPU seconds of the main process / of its workers (summary.json's
    ``stage_cpu``), for the first run and the rerun: where the time goes."""
    out = []
    for r in results:
        for label, run in (("first", r["fast"]), ("rerun", r["rerun"])):
            cpu = run.get("stage_cpu") or {}
            if not cpu:
                continue

            def cell(stage: str, cpu: dict[str, Any] = cpu) -> str:
                got = cpu.get(stage)
                if not isinstance(got, dict):
                    return "-"
                return f"{_fmt(got.get('main'))} / {_fmt(got.get('workers'))}"

            stages = run.get("stage_seconds") or {}
            outside = run.get("end_to_end_s")
            if outside is not None and stages:
                outside -= sum(stages.get(s, 0.0) for s in STAGES)
            out.append([str(r["n"]), label, *(cell(s) for s in ("start", *STAGES)), _fmt(outside)])
    return out


def _md_table(headings: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(headings) + " |",
        "|" + "|".join("---:" for _ in headings) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def markdown_section(info: dict[str, Any], results: list[dict[str, Any]]) -> str:
    machine = (
        f"- Machine: `nproc` = {info['nproc']}, Python {info['python']}, "
        f"pandas {info['pandas']}, python-calamine {info['python-calamine']}, "
        f"openpyxl {info['openpyxl']}, pandera {info['pandera']} ({info['platform']})."
    )
    load = (
        f"- Load average (1/5/15 min) before: {info['load_before']}; after: "
        f"{info.get('load_after', '-')} (on {info['nproc']} cores: anything above "
        f"{info['nproc']} means other work competed with the bench)."
    )
    data = (
        f"- Data: `demo.write_demo(people=N, seed={SEED}, error_rate={ERROR_RATE})`: "
        "N individual forms plus one unit form per section and a few hostile files."
    )
    fast = (
        "- Fast path: `python -m pipeline process ... --no-progress` in a fresh subprocess on "
        "an empty output folder; end-to-end is its wall time (interpreter start included); "
        "stage seconds from `summary.json`; peak memory is the highest total PSS over the "
        f"process tree (shared pages split between processes) sampled every "
        f"{int(SAMPLE_INTERVAL_S * 1000)} ms from /proc. Per-file ms = end-to-end ÷ files. "
        "The archive's PDF (LibreOffice) is off (`LIANZHENG_PDF=0`) in every timed run."
    )
    rerun = (
        f"- Rerun: {RERUN_CHANGED} forms edited (a risk description changed, saved with "
        "openpyxl), then the same command on the same output folder (its read cache warm); "
        "'parsed on rerun' is the read cache's count of files parsed again."
    )
    baselines = (
        f"- Baselines, each on the whole inbox (every .xlsx/.xlsm, nothing extrapolated) in a "
        f"fresh subprocess, at N ≤ {info.get('baseline_max', BASELINE_MAX):,}: "
        '**straightforward** = `pandas.read_excel(engine="openpyxl", sheet_name=None)` per '
        "file, a naive header search and row frame, the same `validate.validate`, and an "
        "archive (catalogue, issues, files) written with `DataFrame.to_excel`; **careful "
        'script** = `pandas.read_excel(engine="calamine")` in a '
        f"{BASELINE_WORKERS}-process pool, the same naive frames and `validate.validate`. "
        "Ratios are baseline wall time ÷ fast end-to-end time in the same run."
    )
    lines = [
        f"## Run of {info['date']}",
        "",
        machine,
        load,
        data,
        fast,
        rerun,
        baselines,
        "",
        "### Results",
        "",
        *_md_table(TABLE_HEADINGS, _table_rows(results)),
        "",
        "### Stages (seconds, from summary.json) and memory",
        "",
        *_md_table(STAGE_HEADINGS, _stage_rows(results)),
    ]
    cpu_rows = _cpu_rows(results)
    if cpu_rows:
        lines += [
            "",
            "### Where the time goes (CPU seconds per stage: main process / its workers)",
            "",
            (
                "From summary.json's `stage_cpu`: 'start' is the interpreter, the imports, the "
                "settings and the roster; the workers' share counts every process the run "
                "started (read pool, fork server and its section workers)."
            ),
            "",
            *_md_table(CPU_HEADINGS, cpu_rows),
        ]
    base_rows = []
    for r in results:
        for kind in ("straightforward", "careful"):
            b = r["baselines"].get(kind)
            if not b:
                continue
            base_rows.append(
                [
                    str(r["n"]),
                    kind,
                    _fmt(b.get("forms")),
                    _fmt(b.get("failed_files")),
                    _fmt(b.get("rows")),
                    _fmt(b.get("read_s")),
                    _fmt(b.get("build_s")),
                    _fmt(b.get("validate_s")),
                    _fmt(b.get("archive_s")),
                    _fmt(b.get("wall_s")),
                    _fmt(b.get("peak_tree_pss_mib"), 0),
                ]
            )
    if base_rows:
        heads = (
            "N",
            "baseline",
            "forms",
            "unreadable",
            "rows",
            "read s",
            "frames s",
            "validate s",
            "to_excel s",
            "wall s",
            "peak MiB (PSS)",
        )
        lines += ["", "### Baselines (whole inbox)", "", *_md_table(heads, base_rows)]
    lines += [
        "",
        "### Flatness (per-file time relative to the smallest N)",
        "",
        "| N | per-file ms | relative |",
        "|---:|---:|---:|",
    ]
    lines += [
        f"| {r['n']} | {_fmt(r['per_file_ms'])} | {_fmt(r['relative_per_file'])} |" for r in results
    ]
    lines += _target_lines(results)
    notes = []
    for r in results:
        f = r["fast"]
        for what, run in (("the run", f), ("the rerun", r["rerun"])):
            if run.get("exit_code") not in (0, None):
                notes.append(f"- N={r['n']}: {what} exited with status {run['exit_code']}.")
        for kind, b in r["baselines"].items():
            if b.get("exit_code") != 0:
                notes.append(
                    f"- N={r['n']}: the {kind} baseline failed: {b.get('error', '')!r:.200}"
                )
        counts = f.get("counts") or {}
        if counts.get("files"):
            fc, rc = counts["files"], counts.get("rows") or {}
            notes.append(
                f"- N={r['n']}: files {fc.get('total')} (read {fc.get('read')}, rejected "
                f"{fc.get('rejected')}, superseded {fc.get('superseded')}); rows "
                f"{rc.get('total')} (accepted {rc.get('accepted')}, rejected {rc.get('rejected')}); "
                f"CPU {_fmt(f['cpu_s'], 1)} s over {_fmt(f['end_to_end_s'], 1)} s wall; "
                f"rerun changed {r['rerun'].get('changed', 0)} files."
            )
    if notes:
        lines += ["", "### Notes", "", *notes]
    return "\n".join(lines) + "\n"


def _at(results: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """The result for size ``n``, else the largest size not above it, else the smallest."""
    below = [r for r in results if r["n"] <= n]
    return max(below, key=lambda r: r["n"]) if below else results[0]


def _target_lines(results: list[dict[str, Any]]) -> list[str]:
    """The SPEC targets next to the figures (reported, never asserted)."""
    if not results:
        return []
    r = _at(results, 10000)
    big = results[-1]
    flat = ", ".join(f"{x['n']}: {_fmt(x['relative_per_file'])}" for x in results)
    end_to_end = (
        f"- End to end at N={r['n']}: {_fmt(r['fast']['end_to_end_s'], 1)} s "
        "(target at 10,000: under 10 s)."
    )
    ratios = (
        f"- Straightforward ÷ fast at N={r['n']}: {_fmt(r['ratio_straightforward'], 1)}× "
        f"(target at least 10×); careful script ÷ fast: {_fmt(r['ratio_careful'], 1)}× "
        "(target at least 2×)."
    )
    rerun = (
        f"- Rerun after {RERUN_CHANGED} changed files at N={r['n']}: "
        f"{_fmt(r['rerun'].get('end_to_end_s'), 1)} s (target under 3 s)."
    )
    memory = (
        f"- Peak memory at N={big['n']}: {_fmt(big['fast']['peak_tree_pss_mib'], 0)} MiB PSS "
        "(target at 20,000: under 1,024 MiB)."
    )
    return [
        "",
        "### Against the SPEC targets (reported, not asserted)",
        "",
        end_to_end,
        ratios,
        rerun,
        memory,
        f"- Per-file time relative to N={results[0]['n']}: {flat} (target: flat).",
    ]


REPORT_INTRO = """# Benchmarks

Appended by `make bench` (`python -m pipeline bench --sizes 1000,10000,20000`): one section
per run, newest last. See `pipeline/bench.py` for the method and `docs/scaling.md` for where
the time goes. SPEC targets on a 2-core machine at 10,000 forms: end to end under 10 s, at
least 10× faster than the straightforward approach and 2× faster than a careful user's
script in the same run, a rerun after 10 changed files under 3 s, peak memory under 1 GiB at
20,000 forms, per-file time flat from 1,000 to 20,000. The bench measures and reports; it
asserts nothing.
"""


def append_report(report: Path, section: str) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    existing = report.read_text(encoding="utf-8") if report.exists() else REPORT_INTRO
    text = existing.rstrip("\n") + "\n\n" + section
    tmp = report.with_name(report.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(report)


def print_table(headings: tuple[str, ...], rows: list[list[str]]) -> None:
    rows = [list(headings), *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headings))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


# --------------------------------------------------------------------------------------
# combine: the commission's side (200 bodies' archives of 100 people each)
# --------------------------------------------------------------------------------------
COMBINE_BODIES = 200
COMBINE_PEOPLE = 100


def bench_combine(data: Path, bodies: int = COMBINE_BODIES, people: int = COMBINE_PEOPLE) -> dict:
    """Time ``python -m pipeline combine`` over ``bodies`` archives of ``people`` each: one real
    archive (demo body, processed), copied with each copy's identity marker naming its own body
    (so every file is read as a separate body's latest archive)."""
    import re
    import zipfile

    from pipeline import archives

    root = Path(data) / f"combine-{bodies}x{people}"
    folder = root / "archives"
    if len(list(folder.glob("*.xlsx"))) != bodies:
        from pipeline.demo import write_demo
        from pipeline.run import process

        shutil.rmtree(root, ignore_errors=True)
        write_demo(root / "body", people=people, seed=SEED, error_rate=ERROR_RATE)
        previous = os.environ.get("LIANZHENG_PDF")
        os.environ.update(BENCH_ENV)
        try:
            process(root / "body" / "inbox", root / "body" / "config", root / "out")
        finally:
            if previous is None:
                os.environ.pop("LIANZHENG_PDF", None)
            else:
                os.environ["LIANZHENG_PDF"] = previous
        (source,) = (root / "out").glob("*_廉政风险信息档案.xlsx")
        body = archives.read_identity(source).body
        folder.mkdir(parents=True)
        with zipfile.ZipFile(source) as src:
            parts = [(info, src.read(info)) for info in src.infolist()]
        for i in range(1, bodies + 1):
            name = f"{body}{i:03d}"
            with zipfile.ZipFile(folder / f"2026_{name}_廉政风险信息档案.xlsx", "w") as dst:
                for info, blob in parts:
                    if info.filename == archives.CUSTOM_XML:
                        blob = re.sub(f">{re.escape(body)}<".encode(), f">{name}<".encode(), blob)
                    dst.writestr(info, blob, compress_type=zipfile.ZIP_DEFLATED)
    out = root / "district"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "pipeline", "combine", str(folder), "--out", str(out)]
    result = measure(cmd, root / "combine.log")
    points = 0
    for book in out.glob("*.xlsx"):
        catalogue = pd.read_excel(
            book, sheet_name=vocab.COMBINE_SHEET_CATALOGUE, engine="calamine", usecols=[0]
        )
        points = len(catalogue)
    print(f"[bench] combine: {bodies} archives, {points} points, {result['wall_s']:.2f} s")
    return {**result, "bodies": bodies, "people": people, "points": points}


def combine_line(r: dict) -> str:
    return (
        f"- Combine (`python -m pipeline combine`, fresh subprocess): {r['bodies']} bodies' "
        f"archives of {r['people']} people ({r['points']:,} points) in {_fmt(r['wall_s'])} s, "
        f"peak {_fmt(r.get('peak_tree_pss_mib'), 0)} MiB PSS (target: seconds).\n"
    )


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------
def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def bench_size(data: Path, n: int, baseline_max: int = BASELINE_MAX) -> dict[str, Any]:
    print(f"[bench] N={n}: preparing data under {data / str(n)} ...", flush=True)
    folder, generate_s = ensure_data(data, n)
    files = len(inbox_files(folder / "inbox"))
    print(f"[bench] N={n}: {files} files; running the pipeline ...", flush=True)
    fast = run_fast(folder)
    print(f"[bench] N={n}: rerun after {RERUN_CHANGED} changed files ...", flush=True)
    rerun = run_rerun(folder)
    baselines: dict[str, dict[str, Any]] = {}
    if n <= baseline_max:
        for kind in ("straightforward", "careful"):
            print(f"[bench] N={n}: {kind} baseline on the whole inbox ...", flush=True)
            baselines[kind] = run_baseline(folder, kind)
    wall = fast["end_to_end_s"] if fast["exit_code"] == 0 else None
    result = {
        "n": n,
        "files": files,
        "generate_s": generate_s,
        "fast": fast,
        "rerun": rerun,
        "baselines": baselines,
        "files_per_s": files / wall if wall else None,
        "per_file_ms": wall / files * 1000 if files and wall else None,
    }
    result["ratio_straightforward"] = _ratio(_baseline_s(result, "straightforward"), wall)
    result["ratio_careful"] = _ratio(_baseline_s(result, "careful"), wall)
    return result


def run_bench(
    sizes: list[int] | tuple[int, ...] = DEFAULT_SIZES,
    data: Path = Path("bench-data"),
    report: Path = Path("docs/benchmarks.md"),
    baseline_max: int = BASELINE_MAX,
    combine: tuple[int, int] | None = (COMBINE_BODIES, COMBINE_PEOPLE),
) -> dict:
    """Measure every size, print the tables, append a section to ``report``; return figures.
    ``combine`` = (bodies, people) of the district measurement, None to skip it."""
    info = machine_info()
    info["baseline_max"] = baseline_max
    compile_package()
    results = [bench_size(Path(data), n, baseline_max) for n in sorted(sizes)]
    smallest = results[0]["per_file_ms"] if results else None
    for r in results:
        r["relative_per_file"] = _ratio(r["per_file_ms"], smallest)
    info["load_after"] = _load_average()
    print()
    print_table(TABLE_HEADINGS, _table_rows(results))
    print()
    print_table(STAGE_HEADINGS, _stage_rows(results))
    print()
    print_table(CPU_HEADINGS, _cpu_rows(results))
    section = markdown_section(info, results)
    if combine is not None:
        try:  # the sizes' figures are appended even when the combine measurement fails
            section += combine_line(bench_combine(Path(data), *combine))
        except Exception as exc:  # noqa: BLE001 - reported in the section, never lost
            section += f"- Combine measurement failed: {exc!r:.300}\n"
    append_report(Path(report), section)
    print(f"\n[bench] appended to {report}")
    return {"machine": info, "sizes": results}


def _main(argv: list[str]) -> int:
    """``python -m pipeline.bench straightforward|careful FOLDER OUT``: one baseline, its
    figures written to OUT/figures.json (the bench runs this in a fresh process)."""
    kind, folder, out = argv[0], Path(argv[1]), Path(argv[2])
    figures = baseline_main(kind, folder, out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
