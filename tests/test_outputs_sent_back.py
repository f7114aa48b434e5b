"""The tool's own outputs back in the inbox (a section mails its feedback package back with
its corrections, the clerk drops last run's archive in): told apart from forms, read as
nothing, and nobody's submission."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import frames, run, vocab
from tests import forms
from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config

SECTION = "家庭儿童工作部"


def _archive_sheets(out: Path) -> dict[str, pd.DataFrame]:
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    return pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("sent_back")
    config = write_config(root, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = root / "inbox"
    header = {"section": SECTION, "name": "丁玲", "post": "儿童工作干事"}
    forms.write_form(inbox / "丁玲.xlsx", header=header, rows=[forms.sample_row(1)])
    first = run.process(inbox, config, root / "out1", run_time="2026-04-01T09:00:00")
    # the section sends its feedback package back, and last run's archive is dropped in
    back = root / "inbox2"
    shutil.copytree(inbox, back)
    shutil.copy(root / "out1" / vocab.FEEDBACK_DIR / f"{SECTION}.zip", back)
    (archive,) = (root / "out1").glob("*_廉政风险信息档案.xlsx")
    shutil.copy(archive, back)
    second = run.process(back, config, root / "out2", run_time="2026-04-02T09:00:00")
    return {"first": first, "second": second, "sheets": _archive_sheets(root / "out2")}


def test_the_tools_own_archive_and_feedback_are_no_forms(runs: dict[str, object]) -> None:
    files = runs["second"].files.set_index("file")  # type: ignore[attr-defined]
    name = vocab.FEEDBACK_FILE_TEMPLATE.format(section=SECTION)
    feedback = [f for f in files.index if f.endswith(f"/{name}")]
    archive = [f for f in files.index if f.endswith("_廉政风险信息档案.xlsx")]
    # precondition: both outputs are in the inbox (the feedback inside the section's package)
    assert len(feedback) == 1 and feedback[0].startswith(f"{SECTION}.zip/")
    assert len(archive) == 1
    for file in (*feedback, *archive):
        assert (files.loc[file, "status"], files.loc[file, "reason"]) == (
            frames.FILE_STATUS_REJECTED,
            "tool_output",
        )
    issues = runs["sheets"][vocab.ARCHIVE_SHEET_ISSUES].fillna("")  # type: ignore[index]
    told = issues[issues["问题"].str.startswith("这是本工具生成的")]
    assert set(told["文件"]) == {*feedback, *archive}
    assert set(told["处理"]) == {vocab.ACTION_NOTE}
    assert "科室反馈表" in " ".join(told["问题"]) and "廉政风险信息档案" in " ".join(told["问题"])


def test_outputs_sent_back_add_no_point_and_no_submission(runs: dict[str, object]) -> None:
    first, second = runs["first"], runs["second"]
    assert len(second.points) == len(first.points)  # type: ignore[attr-defined]
    status = runs["sheets"][vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("")  # type: ignore[index]
    unit = status[
        (status["科室"] == SECTION) & (status["表格"] == vocab.FORM_KIND_LABEL[vocab.UNIT])
    ]
    # the feedback workbook named after the section is not its unit form sent back
    assert unit["提交状态"].tolist() == [vocab.STATUS_MISSING]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("ext", ["ods", "xls"])
def test_outputs_resaved_by_libreoffice_are_no_forms(tmp_path: Path, ext: str) -> None:
    """The section's feedback workbook and the archive, opened in LibreOffice and saved as
    .ods (or .xls), come back: LibreOffice keeps their custom properties, so they are still
    the tool's outputs, not forms. Before, only an .xlsx's were read: the feedback's and the
    archive's rows went into the catalogue as submitted risk points."""
    import subprocess

    config = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    header = {"section": SECTION, "name": "丁玲", "post": "儿童工作干事"}
    forms.write_form(inbox / "丁玲.xlsx", header=header, rows=[forms.sample_row(1)])
    run.process(inbox, config, tmp_path / "out1", run_time="2026-04-01T09:00:00")
    (archive,) = (tmp_path / "out1").glob("*_廉政风险信息档案.xlsx")
    feedback = (
        tmp_path / "out1" / vocab.FEEDBACK_DIR / SECTION
        / vocab.FEEDBACK_FILE_TEMPLATE.format(section=SECTION)
    )  # fmt: skip
    back = tmp_path / "inbox2"
    shutil.copytree(inbox, back)
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", ext, "--outdir", str(back), str(archive), str(feedback)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    resaved = sorted(back.glob(f"*.{ext}"))
    assert len(resaved) == 2, done.stderr  # precondition: both re-saved into the inbox
    second = run.process(back, config, tmp_path / "out2", run_time="2026-04-02T09:00:00")

    files = second.files.set_index("file")
    for path in resaved:
        assert files.loc[path.name, "reason"] == "tool_output", path.name
    catalogue = _archive_sheets(tmp_path / "out2")[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert set(catalogue["来源文件"].dropna()) == {"丁玲.xlsx"}
    assert len(catalogue) == 1
