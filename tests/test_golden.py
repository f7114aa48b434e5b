"""Golden outputs: the fixed body's archive and feedback sheets, as CSV text, are exactly the
kept ones (tests/golden/). When a change of the outputs is meant, regenerate them with
``.venv/bin/python -m tests.golden --update`` (or ``make golden``) and review the diff."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests import golden

UPDATE_HINT = (
    "If this change of the outputs is meant, regenerate the golden files with `make golden` "
    "(.venv/bin/python -m tests.golden --update), review `git diff tests/golden` and commit them."
)


def test_archive_and_feedback_sheets_match_the_golden_files(tmp_path: Path) -> None:
    kept = golden.stored()
    # the precondition: the kept files cover the archive, the feedback workbooks and copies
    assert "summary.json" in kept and "files.txt" in kept
    assert any(name.endswith("_反馈.xlsx/风险点.csv") for name in kept)
    assert any("档案.xlsx/" in name for name in kept)

    now = golden.dump(golden.build(tmp_path))

    assert sorted(now) == sorted(kept), f"sheets added or removed. {UPDATE_HINT}"
    for name in sorted(now):
        if now[name] != kept[name]:
            diff = "\n".join(
                difflib.unified_diff(
                    kept[name].splitlines(), now[name].splitlines(), "golden", "now", lineterm=""
                )
            )
            raise AssertionError(
                f"{name} differs from the golden file. {UPDATE_HINT}\n{diff[:4000]}"
            )
