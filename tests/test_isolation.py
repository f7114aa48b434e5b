"""One file never stops the run: whatever a reader library does with it, the run goes on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import read, vocab
from tests.conftest import make_demo

CORPUS = Path("/work/shared/corpus/public")
# a fuzzer-minimised BIFF8 file that makes python-calamine raise pyo3's PanicException
PANIC_FILE = (
    CORPUS
    / "apache+poi/test-data/spreadsheet/clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls"
)
REPO = Path(__file__).resolve().parents[1]


def process(inbox: Path, config_dir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "process", "--inbox", str(inbox)]
        + ["--config", str(config_dir), "--out", str(out), "--no-progress"],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        # buffered as on an office PC (the quick exit must flush what the run printed)
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )


def _panics(path: Path) -> str:
    """The exception python-calamine raises on the file, run in a child process."""
    code = (
        "import sys\nfrom python_calamine import CalamineWorkbook\n"
        "try:\n    wb = CalamineWorkbook.from_path(sys.argv[1])\n"
        "    [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n"
        "except BaseException as exc:\n    print(type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=False, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(not PANIC_FILE.is_file(), reason="the public corpus is not on this machine")
def test_a_file_that_makes_the_parser_panic_costs_only_itself(tmp_path: Path) -> None:
    # precondition: the file really makes the parser panic (a BaseException, not an Exception)
    assert _panics(PANIC_FILE) == "PanicException"
    # enough forms that every file goes through the worker pool, the culprit among them
    _, manifest = make_demo(tmp_path, people=read.IN_PROCESS_MAX_FILES, seed=5, error_rate=0)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    culprit = "附件/" + PANIC_FILE.name
    (inbox / "附件").mkdir()
    shutil.copyfile(PANIC_FILE, inbox / culprit)

    done = process(inbox, tmp_path / "config", out)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    # the quick exit (cli.exit_now, no interpreter teardown) still flushed the whole summary
    first, *_, last = vocab.CLI_SUMMARY.splitlines()
    assert first.split("{")[0] in done.stdout and last.split("{")[0] in done.stdout
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    sources = {f for cell in catalogue["来源文件"] for f in cell.split("；")}
    superseded = {e["file"] for e in manifest["errors"] if e["code"] == "superseded"}
    valid = [f for f in manifest["files"] if f["file"] not in superseded]
    assert {f["file"] for f in valid} <= sources
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["rows"]["accepted"] == sum(f["clean_rows"] for f in valid)
    assert summary["files"]["rejected"] == 1
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    (line,) = issues[issues["文件"] == culprit].to_dict("records")
    assert line["处理"] == vocab.ACTION_REJECT
    assert vocab.DETAIL_PARSER_PANIC in line["问题"]
    assert "PanicException" not in line["问题"] and "扩展名" not in line["问题"]


READ_POOL = "read._new_pool(1, config.default_settings().limits)"
WRITE_POOL = "workers.new_pool(1, 0, freeze_gc=True, fresh=True)"  # the feedback writers' pool


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("pool", [READ_POOL, WRITE_POOL], ids=["read", "write"])
def test_workers_die_with_the_run(tmp_path: Path, pool: str) -> None:
    """A run killed with SIGKILL (no clean-up of its own) leaves no worker process behind,
    neither a reader nor a feedback writer (nor the fork server the writers come from)."""
    script = (
        "import os, signal, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from pipeline import config, read, workers\n"
        f"pool = {pool}\n"
        "print(pool.submit(os.getpid).result(), pool.submit(os.getppid).result(), flush=True)\n"
        "pool.submit(time.sleep, 120)\n"
        "time.sleep(0.5)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -9
    worker, parent = map(int, done.stdout.split()[:2])
    # the worker was busy sleeping: only the run's death can end it this soon
    for _ in range(100):
        if not _alive(worker) and not _alive(parent):
            break
        time.sleep(0.1)
    assert not _alive(worker)
    assert not _alive(parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][:1] != "Z"
