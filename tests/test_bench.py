"""Smoke test of the bench harness on a tiny inbox: it runs, reports, and reuses its cache.

It never checks timings (SPEC: performance is measured by ``make bench``, not by tests).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.bench import FORM_SUFFIXES, STAMP_FILE, run_bench


def _digests(inbox: Path) -> dict[str, str]:
    return {
        p.relative_to(inbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(inbox.rglob("*"))
        if p.is_file()
    }


def test_bench_appends_a_report_section_with_both_baselines_and_the_rerun(
    tmp_path: Path,
) -> None:
    data, report = tmp_path / "bench-data", tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nan earlier run\n", encoding="utf-8")

    figures = run_bench([20], data, report, combine=(3, 4))

    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nan earlier run\n")  # appended, never rewritten
    headings = (
        "## Run of ",
        "### Results",
        "### Baselines (whole inbox)",
        "### Flatness",
        "### Where the time goes",
    )
    for heading in (*headings, "### Against"):
        assert text.count(heading) == 1, heading
    columns = (
        "end-to-end s",
        "per-file ms",
        "rerun after 10 changed s",
        "straightforward ÷ fast",
        "careful ÷ fast",
        "peak MiB (PSS)",
    )
    for column in columns:
        assert column in text
    assert "nproc" in text and "python-calamine" in text
    assert "Combine" in text and "failed" not in text  # the district measurement ran

    (size,) = figures["sizes"]
    inbox = data / "20" / "inbox"
    inbox_files = [p for p in inbox.rglob("*") if p.is_file()]
    forms = [p for p in inbox_files if p.suffix.lower() in FORM_SUFFIXES]
    assert size["n"] == 20 and size["files"] == len(inbox_files) >= 20
    assert size["fast"]["exit_code"] == 0, size["fast"].get("error")
    assert set(size["fast"]["stage_seconds"]) >= {"discover", "read", "validate", "grade", "write"}
    assert size["fast"]["peak_tree_pss_mib"] > 0
    # where the time goes: every stage's CPU, main and workers, within what the kernel
    # counted for the whole process tree (wait4); the tail after the write stage is outside
    cpu = size["fast"]["stage_cpu"]
    stages = ("start", "discover", "read", "validate", "grade", "write")
    assert set(cpu) >= set(stages) and cpu["workers_exact"] is True
    counted = sum(cpu[s]["main"] + cpu[s]["workers"] for s in stages)
    assert all(cpu[s]["main"] >= 0 and cpu[s]["workers"] >= 0 for s in stages)
    assert cpu["read"]["main"] > 0 and cpu["write"]["main"] > 0
    assert 0.5 * size["fast"]["cpu_s"] <= counted <= size["fast"]["cpu_s"] + 0.05
    assert size["fast"]["counts"]["files"]["total"] == len(inbox_files)
    # both baselines read every form of the inbox (nothing sampled) and validated the rows
    for kind in ("straightforward", "careful"):
        baseline = size["baselines"][kind]
        assert baseline["exit_code"] == 0, baseline.get("error")
        assert baseline["forms"] == len(forms)
        assert baseline["rows"] > 0 and baseline["points"] > 0
        assert baseline["wall_s"] > 0
    # the straightforward one wrote its archive with to_excel
    assert (data / "20" / "out-straightforward" / "archive.xlsx").stat().st_size > 0
    assert size["ratio_straightforward"] > 0 and size["ratio_careful"] > 0
    # the rerun changed forms, ran on the same output folder, and put the originals back
    assert size["rerun"]["exit_code"] == 0, size["rerun"].get("error")
    assert size["rerun"]["changed"] == 10
    assert size["relative_per_file"] == 1.0
    assert f"| 20 | {len(inbox_files)} |" in text

    # a second run reuses the cached inbox (same generator parameters, originals restored)
    stamp = data / "20" / STAMP_FILE
    stamped = stamp.stat().st_mtime_ns
    before = _digests(inbox)
    again = run_bench([20], data, report, baseline_max=0, combine=None)
    assert again["sizes"][0]["generate_s"] is None
    assert again["sizes"][0]["baselines"] == {}
    assert stamp.stat().st_mtime_ns == stamped
    assert _digests(inbox) == before
    assert report.read_text(encoding="utf-8").count("## Run of ") == 2
