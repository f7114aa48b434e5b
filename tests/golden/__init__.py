"""Golden outputs: a fixed small body's archive and feedback, kept as CSV text.

``build`` generates the body (``demo.write_demo`` with a fixed seed) and processes it with a
fixed ``--run-time``; ``dump`` turns every workbook under OUT into one CSV text per sheet
(cell values as text, rows and columns as in the workbook) plus the summary without its
timings. ``tests/test_golden.py`` compares a fresh run with the files kept here; when a change
of the outputs is meant, regenerate them with one command and review the diff:

    .venv/bin/python -m tests.golden --update      (or: make golden)
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
PEOPLE = 24
SEED = 20261201
ERROR_RATE = 0.2
RUN_TIME = "2026-04-01T09:00:00"
VOLATILE_SUMMARY_KEYS = ("stage_seconds", "stage_cpu", "read_cache")
KEEP = ("__init__.py", "__main__.py")
PDF_ENV = "LIANZHENG_PDF"  # pipeline.printing.PDF_ENV
SKIPPED_SUFFIXES = (".pdf",)  # renderings by LibreOffice, when installed


def build(root: Path) -> Path:
    """Generate the fixed body under ``root`` and process it; returns the output folder."""
    from pipeline.cli import main
    from pipeline.demo import write_demo

    write_demo(root, people=PEOPLE, seed=SEED, error_rate=ERROR_RATE)
    out = root / "out"
    # the archive's PDF depends on LibreOffice being installed: never part of the golden run
    previous = os.environ.get(PDF_ENV)
    os.environ[PDF_ENV] = "0"
    try:
        code = _process(main, root, out)
    finally:
        if previous is None:
            os.environ.pop(PDF_ENV, None)
        else:
            os.environ[PDF_ENV] = previous
    if code != 0:
        raise RuntimeError(f"the golden body's run exited with status {code}")
    return out


def _process(main: Callable[[list[str]], int], root: Path, out: Path) -> int:
    return main(
        [
            "process",
            "--inbox",
            str(root / "inbox"),
            "--config",
            str(root / "config"),
            "--out",
            str(out),
            "--no-progress",
            "--run-time",
            RUN_TIME,
        ]
    )


def cell_text(value: object) -> str:
    """A cell value as stable text: whole floats without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def sheet_csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        texts = [cell_text(v) for v in row]
        while texts and texts[-1] == "":
            texts.pop()
        writer.writerow(texts)
    return buffer.getvalue().rstrip("\n") + "\n"


def dump(out: Path) -> dict[str, str]:
    """``{relative name: text}`` for every sheet of every workbook under ``out`` (the read
    cache excluded), the list of files, and the summary without its timings."""
    from python_calamine import CalamineWorkbook

    texts: dict[str, str] = {}
    files = sorted(
        p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != ".cache"
    )
    files = [p for p in files if p.suffix not in SKIPPED_SUFFIXES]
    names = [p.relative_to(out).as_posix() for p in files if p.name != "run.log"]
    texts["files.txt"] = "\n".join(names) + "\n"
    for path in files:
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".xlsx":
            book = CalamineWorkbook.from_path(str(path))
            for sheet in book.sheet_names:
                rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                texts[f"{rel}/{sheet}.csv"] = sheet_csv(rows)
        elif path.name == "summary.json":
            summary = json.loads(path.read_text(encoding="utf-8"))
            for key in VOLATILE_SUMMARY_KEYS:
                summary.pop(key, None)
            texts[rel] = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return texts


def stored() -> dict[str, str]:
    """The golden texts kept in this folder."""
    out = {}
    for path in sorted(GOLDEN_DIR.rglob("*")):
        rel = path.relative_to(GOLDEN_DIR).as_posix()
        if path.is_file() and rel not in KEEP and "__pycache__" not in path.parts:
            out[rel] = path.read_text(encoding="utf-8")
    return out


def update(texts: dict[str, str]) -> None:
    """Replace the golden files by ``texts``."""
    for entry in GOLDEN_DIR.iterdir():
        if entry.name in KEEP or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for rel, text in texts.items():
        target = GOLDEN_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
