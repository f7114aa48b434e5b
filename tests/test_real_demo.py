"""The demo with what real offices send (a section's zip, a mail, a PDF pledge, a section table
with owners per row), processed through the real run: each is read and the counts add up."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline import demo, run, vocab

RUN_TIME = "2026-04-01T09:00:00"


def test_real_office_files_of_the_demo_are_read(tmp_path: Path) -> None:
    manifest = demo.write_demo(tmp_path, people=30, seed=2026, error_rate=0.15, real_offices=True)
    added = {
        f["anomaly"]: f
        for f in manifest["files"]
        if f["anomaly"] in ("zip", "eml", "pledge", "row_owners")
    }
    assert set(added) == {"zip", "eml", "pledge", "row_owners"}  # the precondition
    inbox = tmp_path / "inbox"
    result = run.process(inbox, tmp_path / "config", tmp_path / "out", run_time=RUN_TIME)
    summary = json.loads((tmp_path / "out" / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    on_disk = [p for p in inbox.rglob("*") if p.is_file()]
    assert summary["files"]["total"] == len(on_disk) == manifest["summary"]["files_total"]
    files = summary["files"]
    assert files["total"] == files["read"] + files["rejected"] + files["superseded"]
    assert summary["contained_files"]["total"] == 4 and summary["contained_files"]["rejected"] == 0
    assert summary["rows"]["total"] == manifest["summary"]["rows_total"]
    assert summary["rows"]["accepted"] == manifest["summary"]["rows_clean"]

    by_file = result.files.set_index("file")
    for entry in (added["zip"], added["eml"]):
        assert by_file.loc[entry["file"], "status"] == "read"
        inside = result.files[result.files["container"] == entry["file"]]
        assert len(inside) == 2 and (inside["status"] == "read").all()
    # the form inside the zip counts as its person's submission, its Word pledge as the pledge
    who = added["zip"]["name"]
    subs = result.submissions.set_index(["name", "form"])
    assert (
        subs.loc[(who, vocab.FORM_KIND_LABEL[vocab.INDIVIDUAL]), "status"] == vocab.STATUS_ON_TIME
    )
    pledges = result.pledges.set_index("name")
    assert pledges.loc[who, "status"].startswith("单独报送（")
    assert (
        pledges.loc[added["pledge"]["name"], "status"] == f"单独报送（{added['pledge']['file']}）"
    )
    # the mail brought the unit form the section had not sent
    unit = added["eml"]["section"]
    every = result.submissions
    unit_rows = every[
        (every["section"] == unit) & (every["form"] == vocab.FORM_KIND_LABEL[vocab.UNIT])
    ]
    assert unit_rows["status"].tolist() == [vocab.STATUS_ON_TIME]
    # the section table: every row attributed to its person, graded by its written level
    table = result.points[result.points["file"] == added["row_owners"]["file"]]
    assert len(table) == added["row_owners"]["rows"]
    assert set(table["section"]) == {added["row_owners"]["section"]}
    assert table["name"].map(lambda n: isinstance(n, str) and n != "").all()
    assert table["level_reason"].str.startswith("按填报的风险等级：").all()
    assert not pd.Series(result.issues["action"] == vocab.ACTION_REJECT)[
        result.issues["file"].isin([f["file"] for f in added.values()])
    ].any()
