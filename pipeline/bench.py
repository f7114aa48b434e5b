"""``make bench``: the fast pipeline against the straightforward approach, side by side.

For each inbox size N:

1. a synthetic inbox is generated once with ``demo.write_demo`` (seed 7, error rate 0.05) and
   cached under ``DATA/N/`` behind a stamp file holding the generator parameters;
2. the fast path runs as ``python -m pipeline process ... --no-progress`` in a fresh subprocess,
   so its wall time and the peak memory of its process tree (workers included) can be read;
   per-stage seconds come from ``OUT/summary.json``;
3. the baseline (the straightforward approach) runs in this process on a sample of files:
   ``pandas.read_excel(engine="openpyxl")`` per file, a naive header search and row frame, then
   the same ``validate.validate``; its seconds per file are extrapolated linearly to N.

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


def run_fast(folder: Path) -> dict[str, Any]:
    """Run the real command on ``folder``'s inbox in a fresh subprocess and measure it."""
    out = folder / "out"
    if out.exists():
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
    log_path = folder / "process.log"
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        sampler = TreeMemorySampler(proc.pid)
        sampler.start()
        # wait4 gives the rusage of this child (ru_maxrss: the largest single process among
        # it and the descendants it waited for) without mixing in earlier children
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "exit_code": proc.returncode,
        "end_to_end_s": wall,
        "peak_tree_rss_mib": sampler.peak_rss_kib / 1024,
        "peak_tree_pss_mib": sampler.peak_pss_kib / 1024 if sampler.peak_pss_kib else None,
        "max_process_rss_mib": usage.ru_maxrss / 1024,
        "processes": sampler.peak_processes,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "stage_seconds": {},
        "counts": {},
    }
    summary_path = out / vocab.SUMMARY_FILE
    if proc.returncode == 0 and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        result["stage_seconds"] = {k: float(v) for k, v in summary.get("stage_seconds", {}).items()}
        result["counts"] = {k: summary.get(k) for k in ("files", "rows", "levels", "points")}
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


def _sample(paths: list[Path], size: int) -> list[Path]:
    """``size`` files spread evenly over the sorted list (all when the inbox is smaller)."""
    if size >= len(paths):
        return list(paths)
    step = len(paths) / size
    return [paths[int(i * step)] for i in range(size)]


def run_baseline(folder: Path, files_total: int, sample_size: int) -> dict[str, Any]:
    """Time the straightforward approach on a sample and extrapolate it to ``files_total``."""
    from pipeline import config, validate

    inbox = folder / "inbox"
    settings = config.load_settings(folder / "config")
    roster = config.load_roster(folder / "config")
    forms = [p for p in inbox_files(inbox) if p.suffix.lower() in FORM_SUFFIXES]
    sample = _sample(forms, max(1, sample_size))
    records, row_records = [], []
    read_excel_s = build_s = 0.0
    failed = 0
    for path in sample:
        rel = path.relative_to(inbox).as_posix()
        t0 = time.perf_counter()
        try:
            sheets = read_excel_openpyxl(path)
        except Exception:  # noqa: BLE001 - the straightforward approach has no plan for a bad file
            failed += 1
            read_excel_s += time.perf_counter() - t0
            continue
        t1 = time.perf_counter()
        record, rows = naive_records(sheets, path, rel)
        t2 = time.perf_counter()
        read_excel_s += t1 - t0
        build_s += t2 - t1
        records.append(record)
        row_records.extend(rows)
    t0 = time.perf_counter()
    files_frame, rows_frame = _naive_frames(records, row_records)
    build_s += time.perf_counter() - t0
    method = "naive frames + validate.validate"
    t0 = time.perf_counter()
    try:
        validate.validate(files_frame, rows_frame, roster, settings)
    except Exception as exc:  # noqa: BLE001 - fall back to the fast reader's frames
        method = f"validate.validate on the fast reader's frames (naive frames failed: {exc!r:.80})"
        validate_s = _validate_on_fast_frames(inbox, sample, settings, roster)
    else:
        validate_s = time.perf_counter() - t0
    n = len(sample)
    per_file = (read_excel_s + build_s + validate_s) / n
    return {
        "sample": n,
        "sample_rows": len(row_records),
        "failed_files": failed,
        "method": method,
        "read_s": read_excel_s,
        "build_s": build_s,
        "validate_s": validate_s,
        "read_excel_ms_per_file": read_excel_s / n * 1000,
        "build_ms_per_file": build_s / n * 1000,
        "ms_per_file": per_file * 1000,
        "extrapolated_s": per_file * files_total,
    }


def _validate_on_fast_frames(inbox: Path, sample: list[Path], settings: Any, roster: Any) -> float:
    """Validation seconds for the sample when validated on frames the real reader built."""
    from pipeline import discover, read, validate

    files, _ = discover.discover(inbox, settings)
    wanted = {p.relative_to(inbox).as_posix() for p in sample}
    files = files[files["file"].isin(wanted)].reset_index(drop=True)
    files, rows, _ = read.read_files(files, inbox, settings, progress=False)
    t0 = time.perf_counter()
    validate.validate(files, rows, roster, settings)
    return time.perf_counter() - t0


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
    "files/s",
    *(f"{s} s" for s in STAGES),
    "per-file ms",
    "baseline s (extrapolated)",
    "baseline ÷ fast (discover+read+validate)",
    "baseline ÷ fast (end-to-end)",
    "peak MiB (PSS)",
    "peak MiB (RSS sum)",
)


def _table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in results:
        stages = r["fast"]["stage_seconds"]
        out.append(
            [
                str(r["n"]),
                str(r["files"]),
                _fmt(r["fast"]["end_to_end_s"]),
                _fmt(r["files_per_s"], 0),
                *(_fmt(stages.get(s)) for s in STAGES),
                _fmt(r["per_file_ms"]),
                _fmt(r["baseline"]["extrapolated_s"], 1),
                _fmt(r["ratio_read_validate"], 1),
                _fmt(r["ratio_end_to_end"], 1),
                _fmt(r["fast"]["peak_tree_pss_mib"], 0),
                _fmt(r["fast"]["peak_tree_rss_mib"], 0),
            ]
        )
    return out


def markdown_section(info: dict[str, Any], results: list[dict[str, Any]]) -> str:
    machine = (
        f"- Machine: `nproc` = {info['nproc']}, Python {info['python']}, "
        f"pandas {info['pandas']}, python-calamine {info['python-calamine']}, "
        f"openpyxl {info['openpyxl']}, pandera {info['pandera']} ({info['platform']})."
    )
    data = (
        f"- Data: `demo.write_demo(people=N, seed={SEED}, error_rate={ERROR_RATE})`: "
        "N individual forms plus one unit form per section."
    )
    fast = (
        "- Fast path: `python -m pipeline process ... --no-progress` in a fresh subprocess; "
        "end-to-end is its wall time (interpreter start included); stage seconds from "
        "`summary.json`; peak memory is the highest total over the process tree (main process "
        f"and read workers) sampled every {int(SAMPLE_INTERVAL_S * 1000)} ms from /proc: PSS "
        "(shared pages split between processes) and the plain sum of RSS."
    )
    baseline = (
        '- Baseline: per file `pandas.read_excel(path, sheet_name=None, engine="openpyxl", '
        "dtype=str, header=None)`, a naive header search and row frame, then the same "
        "`validate.validate` on the sample's concatenated frame. Measured on a sample, "
        "**extrapolated linearly: seconds per file × files**."
    )
    sample_head = (
        "| N | files timed | rows | read_excel ms/file | naive frame ms/file "
        "| validate s (sample) | total ms/file | method |"
    )
    load = (
        f"- Load average (1/5/15 min) before: {info['load_before']}; after: "
        f"{info.get('load_after', '-')} (on {info['nproc']} cores: anything above "
        f"{info['nproc']} means other work competed with the bench)."
    )
    lines = [
        f"## Run of {info['date']}",
        "",
        machine,
        load,
        data,
        fast,
        baseline,
        "",
        "### Results",
        "",
        "| " + " | ".join(TABLE_HEADINGS) + " |",
        "|" + "|".join("---:" for _ in TABLE_HEADINGS) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _table_rows(results)]
    lines += [
        "",
        "### Baseline sample",
        "",
        sample_head,
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        b = r["baseline"]
        lines.append(
            f"| {r['n']} | {b['sample']} | {b['sample_rows']} "
            f"| {_fmt(b['read_excel_ms_per_file'])} | {_fmt(b['build_ms_per_file'])} "
            f"| {_fmt(b['validate_s'], 3)} | {_fmt(b['ms_per_file'])} | {b['method']} |"
        )
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
        if f["exit_code"] != 0:
            notes.append(f"- N={r['n']}: the process exited with status {f['exit_code']}.")
        counts = f.get("counts") or {}
        if counts.get("files"):
            fc, rc = counts["files"], counts.get("rows") or {}
            notes.append(
                f"- N={r['n']}: files {fc.get('total')} (read {fc.get('read')}, rejected "
                f"{fc.get('rejected')}, superseded {fc.get('superseded')}); rows "
                f"{rc.get('total')} (accepted {rc.get('accepted')}, rejected {rc.get('rejected')}); "
                f"largest single process {_fmt(f['max_process_rss_mib'], 0)} MiB RSS; "
                f"CPU {_fmt(f['cpu_s'], 1)} s over {_fmt(f['end_to_end_s'], 1)} s wall."
            )
    if notes:
        lines += ["", "### Notes", "", *notes]
    return "\n".join(lines) + "\n"


def _target_lines(results: list[dict[str, Any]]) -> list[str]:
    """The SPEC targets next to the largest size's figures (reported, never asserted)."""
    if not results:
        return []
    r = results[-1]
    f = r["fast"]
    flat = ", ".join(f"{x['n']}: {_fmt(x['relative_per_file'])}" for x in results)
    ratios = (
        f"- Baseline ÷ fast: {_fmt(r['ratio_read_validate'], 1)}× on discover+read+validate, "
        f"{_fmt(r['ratio_end_to_end'], 1)}× on the whole run (target at least 10×)."
    )
    memory = (
        f"- Peak memory: {_fmt(f['peak_tree_pss_mib'], 0)} MiB PSS, "
        f"{_fmt(f['peak_tree_rss_mib'], 0)} MiB RSS sum (target under 1,024 MiB)."
    )
    return [
        "",
        f"### Against the SPEC targets (N={r['n']}; reported, not asserted)",
        "",
        f"- End to end: {_fmt(f['end_to_end_s'], 1)} s (target under 30 s).",
        ratios,
        memory,
        f"- Per-file time relative to N={results[0]['n']}: {flat} (target: flat).",
    ]


REPORT_INTRO = """# Benchmarks

Appended by `make bench` (`python -m pipeline bench --sizes 1000,5000,10000`): one section
per run, newest last. See `pipeline/bench.py` for the method and `docs/scaling.md` for where
the time goes. SPEC targets on a 2-core machine at 10,000 forms: end to end under 30 s, at
least 10× faster than the baseline, peak memory under 1 GiB, per-file time flat from 1,000
to 10,000. The bench measures and reports; it asserts nothing.
"""


def append_report(report: Path, section: str) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    existing = report.read_text(encoding="utf-8") if report.exists() else REPORT_INTRO
    text = existing.rstrip("\n") + "\n\n" + section
    tmp = report.with_name(report.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(report)


def print_table(results: list[dict[str, Any]]) -> None:
    rows = [list(TABLE_HEADINGS), *_table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADINGS))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------
def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def bench_size(data: Path, n: int, baseline_sample: int) -> dict[str, Any]:
    print(f"[bench] N={n}: preparing data under {data / str(n)} ...", flush=True)
    folder, generate_s = ensure_data(data, n)
    files = len(inbox_files(folder / "inbox"))
    print(f"[bench] N={n}: {files} files; running the pipeline ...", flush=True)
    fast = run_fast(folder)
    print(f"[bench] N={n}: baseline on {min(baseline_sample, files)} files ...", flush=True)
    baseline = run_baseline(folder, files, baseline_sample)
    stages = fast["stage_seconds"]
    read_validate = sum(stages.get(s, 0.0) for s in ("discover", "read", "validate")) or None
    wall = fast["end_to_end_s"]
    return {
        "n": n,
        "files": files,
        "generate_s": generate_s,
        "fast": fast,
        "baseline": baseline,
        "files_per_s": files / wall if wall else None,
        "per_file_ms": wall / files * 1000 if files else None,
        "ratio_read_validate": _ratio(baseline["extrapolated_s"], read_validate),
        "ratio_end_to_end": _ratio(baseline["extrapolated_s"], wall),
    }


def run_bench(sizes: list[int], data: Path, report: Path, baseline_sample: int) -> dict:
    """Measure every size, print the table, append a section to ``report``; return figures."""
    info = machine_info()
    results = [bench_size(Path(data), n, baseline_sample) for n in sorted(sizes)]
    smallest = results[0]["per_file_ms"] if results else None
    for r in results:
        r["relative_per_file"] = _ratio(r["per_file_ms"], smallest)
    info["load_after"] = _load_average()
    print()
    print_table(results)
    section = markdown_section(info, results)
    append_report(Path(report), section)
    print(f"\n[bench] appended to {report}")
    return {"machine": info, "sizes": results}
