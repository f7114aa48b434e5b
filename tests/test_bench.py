"""Smoke test of the bench harness on a tiny inbox: it runs, reports, and reuses its cache.

It never checks timings (SPEC: performance is measured by ``make bench``, not by tests).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.bench import STAMP_FILE, run_bench


def test_bench_appends_a_report_section_with_ratios(tmp_path: Path) -> None:
    data, report = tmp_path / "bench-data", tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nan earlier run\n", encoding="utf-8")

    figures = run_bench([20], data, report, baseline_sample=4)

    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nan earlier run\n")  # appended, never rewritten
    headings = ("## Run of ", "### Results", "### Baseline sample", "### Flatness", "### Against")
    for heading in headings:
        assert text.count(heading) == 1, heading
    columns = (
        "end-to-end s",
        "per-file ms",
        "baseline ÷ fast (discover+read+validate)",
        "peak MiB",
    )
    for column in columns:
        assert column in text
    assert "nproc" in text and "python-calamine" in text

    (size,) = figures["sizes"]
    inbox_files = [p for p in (data / "20" / "inbox").rglob("*") if p.is_file()]
    assert size["n"] == 20 and size["files"] == len(inbox_files) >= 20
    assert size["fast"]["exit_code"] == 0, size["fast"].get("error")
    assert set(size["fast"]["stage_seconds"]) >= {"discover", "read", "validate", "grade", "write"}
    assert size["fast"]["peak_tree_rss_mib"] > 0
    assert size["fast"]["counts"]["files"]["total"] == len(inbox_files)
    # the baseline really read forms and found their rows, then extrapolated to every file
    baseline = size["baseline"]
    assert baseline["sample"] == 4 and baseline["sample_rows"] > 0
    assert baseline["extrapolated_s"] > 0
    assert size["ratio_read_validate"] > 0 and size["ratio_end_to_end"] > 0
    assert size["relative_per_file"] == 1.0
    assert f"| 20 | {len(inbox_files)} |" in text

    # a second run reuses the cached inbox (same generator parameters) and appends again
    stamp = data / "20" / STAMP_FILE
    stamped = stamp.stat().st_mtime_ns
    again = run_bench([20], data, report, baseline_sample=4)
    assert again["sizes"][0]["generate_s"] is None
    assert stamp.stat().st_mtime_ns == stamped
    assert report.read_text(encoding="utf-8").count("## Run of ") == 2
