"""The real command on a generated body: outputs read back and checked like a user would."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline import vocab
from pipeline.cli import main
from tests.conftest import DemoRun, hash_tree


def archive_path(run: DemoRun) -> Path:
    found = sorted(run.out.glob("*_廉政风险信息档案.xlsx"))
    assert len(found) == 1, found
    return found[0]


def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="calamine", dtype=str)


def test_run_succeeds_and_counts_add_up(demo_run: DemoRun) -> None:
    assert demo_run.exit_code == 0
    summary = json.loads((demo_run.out / "summary.json").read_text(encoding="utf-8"))
    files, rows = summary["files"], summary["rows"]
    assert files["total"] == len([p for p in demo_run.inbox.rglob("*") if p.is_file()])
    assert files["total"] == files["read"] + files["rejected"] + files["superseded"]
    assert rows["total"] == rows["accepted"] + rows["rejected"]
    assert rows["rejected"] > 0 and files["rejected"] > 0 and files["superseded"] >= 1
    assert sum(summary["levels"][lv] for lv in vocab.LEVELS) == summary["points"]


def test_archive_sheets_and_catalogue_columns(demo_run: DemoRun) -> None:
    sheets = read_sheets(archive_path(demo_run))
    assert list(sheets) == list(vocab.ARCHIVE_SHEETS)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    # 序号 first, then SPEC's catalogue columns in their order
    expected = [vocab.COLUMN_LABELS["seq"], *vocab.CATALOGUE_COLUMNS.values()]
    assert list(catalogue.columns[: len(expected)]) == expected
    summary = json.loads((demo_run.out / "summary.json").read_text(encoding="utf-8"))
    assert len(catalogue) == summary["points"]
    for lv in vocab.LEVELS:
        assert (catalogue["评定等级"] == lv).sum() == summary["levels"][lv]
    # every point is graded, explained and supervised
    for col in ("评定等级", "评定依据", "直接管理", "负责领导", "处置方式"):
        assert catalogue[col].notna().all(), col


def test_every_injected_error_is_reported_at_its_cell(demo_run: DemoRun) -> None:
    """Recall: each fault in the generator's ground truth appears in 异常清单 at its cell."""
    issues = read_sheets(archive_path(demo_run))[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    reported = {(r["文件"], r["单元格"], r["处理"]) for _, r in issues.iterrows()}
    reported_files = {(r["文件"], r["处理"]) for _, r in issues.iterrows()}
    expected = [e for e in demo_run.manifest["errors"] if e["action"] == vocab.ACTION_REJECT]
    # precondition: the body holds injected faults, both at a cell and of whole files
    assert any(e["cell"] for e in expected) and any(not e["cell"] for e in expected), expected
    missing = []
    for err in expected:
        if err["cell"]:
            hit = (err["file"], err["cell"], err["action"]) in reported
        else:
            hit = (err["file"], err["action"]) in reported_files
        if not hit:
            missing.append(err)
    recall = 1 - len(missing) / max(len(expected), 1)
    print(
        f"recall of injected errors: {recall:.1%} ({len(expected) - len(missing)}/{len(expected)})"
    )
    assert not missing


def test_no_clean_row_is_rejected(demo_run: DemoRun) -> None:
    """Precision: rows the generator left clean are never 退回."""
    issues = read_sheets(archive_path(demo_run))[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    rejected = issues[issues["处理"] == vocab.ACTION_REJECT]
    bad_files = {
        e["file"] for e in demo_run.manifest["errors"] if e["action"] == vocab.ACTION_REJECT
    }
    # precondition: there are rejections to check, and forms the generator left clean
    clean_files = {f["file"] for f in demo_run.manifest["files"]} - bad_files
    assert len(rejected) > 0 and clean_files
    wrong = rejected[~rejected["文件"].isin(bad_files) & (rejected["文件"] != "")]
    total = len(rejected)
    print(
        f"precision of rejections: {1 - len(wrong) / max(total, 1):.1%} ({total - len(wrong)}/{total})"
    )
    assert wrong.empty, wrong.to_string()


def test_inputs_are_never_modified(demo_run: DemoRun) -> None:
    assert hash_tree(demo_run.inbox) == demo_run.input_hashes


def formula_parts(out: Path) -> tuple[int, list[tuple[str, str]]]:
    """(sheets looked at, [(workbook, sheet part) holding a formula]) over every output .xlsx."""
    looked, found = 0, []
    for path in sorted(out.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    looked += 1
                    data = zf.read(name)
                    if b"<f>" in data or b"<f " in data:
                        found.append((str(path.relative_to(out)), name))
    return looked, found


def test_no_formula_anywhere_in_outputs(demo_run: DemoRun) -> None:
    """No output cell is a formula (totals are values). User text that looks like a formula
    is checked the same way in test_formula_like_text_is_kept_as_text, whose inbox holds it."""
    looked, found = formula_parts(demo_run.out)
    # precondition: the archive, feedback workbooks and annotated copies were all looked at
    assert len(list(demo_run.out.rglob("*_反馈.xlsx"))) > 1
    assert list(demo_run.out.rglob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx"))
    assert looked > len(vocab.ARCHIVE_SHEETS)
    assert not found, found


def test_feedback_folders_hold_only_their_section(demo_run: DemoRun) -> None:
    feedback = demo_run.out / vocab.FEEDBACK_DIR
    sections = [p for p in feedback.iterdir() if p.is_dir()]
    catalogue = read_sheets(archive_path(demo_run))[vocab.ARCHIVE_SHEET_CATALOGUE]
    all_sections = set(catalogue["科室"])
    # precondition: several sections, each with its folder
    assert len(all_sections) > 1 and all_sections <= {p.name for p in sections}
    checked = 0
    for folder in sections:
        book = folder / vocab.FEEDBACK_FILE_TEMPLATE.format(section=folder.name)
        if folder.name not in all_sections:
            continue
        assert book.exists(), book
        for name, frame in read_sheets(book).items():
            if "科室" in frame.columns:
                values = set(frame["科室"].dropna())
                assert values <= {folder.name}, (book, name, values)
                checked += bool(values)
    assert checked >= len(all_sections)  # every section's rows were looked at


def test_two_runs_give_identical_cells(demo_run: DemoRun, tmp_path: Path) -> None:
    out2 = tmp_path / "again"
    args = ["process", "--inbox", str(demo_run.inbox), "--config", str(demo_run.config)]
    code = main([*args, "--out", str(out2), "--no-progress", "--run-time", "2026-04-01T09:00:00"])
    assert code == 0
    first = read_sheets(archive_path(demo_run))
    second = read_sheets(next(out2.glob("*_廉政风险信息档案.xlsx")))
    assert list(first) == list(second)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], obj=name)


FORMULA_LIKE = ('=HYPERLINK("http://example.com","点此")', "+1 审批", "-2 经费报销", "@财务室")


def _formula_like_form(src: Path, dst: Path) -> Path:
    """A copy of a demo form whose first risk descriptions are text that looks like formulas
    (string cells, as a user typing them into a text-formatted cell leaves them)."""
    for path in sorted(src.rglob("*.xlsx")):
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        header = next(
            (
                cell
                for row in ws.iter_rows(max_row=30)
                for cell in row
                if isinstance(cell.value, str)
                and vocab.COLUMN_LOOKUP.get(vocab.fold(cell.value)) == "description"
            ),
            None,
        )
        if header is None:
            continue
        below = [ws.cell(row=header.row + 1 + k, column=header.column) for k in range(4)]
        if not all(isinstance(c.value, str) and c.value.strip() for c in below):
            continue
        for cell, text in zip(below, FORMULA_LIKE, strict=True):
            cell.value = text
            cell.data_type = "s"  # text, not a formula
        dst.mkdir(parents=True)
        target = dst / path.name
        wb.save(target)
        return target
    raise AssertionError("no demo form with four risk descriptions")


def test_formula_like_text_is_kept_as_text(tmp_path: Path, demo_run: DemoRun) -> None:
    form = _formula_like_form(demo_run.inbox, tmp_path / "inbox")
    # the precondition: the input holds formula-like text as text cells
    typed = {
        c.value: c.data_type
        for row in load_workbook(form).worksheets[0].iter_rows()
        for c in row
        if c.value in FORMULA_LIKE
    }
    assert typed == dict.fromkeys(FORMULA_LIKE, "s")
    out = tmp_path / "out"
    args = ["process", "--inbox", str(tmp_path / "inbox"), "--config", str(demo_run.config)]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0

    books = [next(out.glob("*_廉政风险信息档案.xlsx")), *sorted(out.rglob("*_反馈.xlsx"))]
    found: dict[str, set[str]] = {}
    for book in books:
        for ws in load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value in FORMULA_LIKE:
                        found.setdefault(ws.title, set()).add(cell.value)
                        assert cell.data_type == "s", (book.name, ws.title, cell.coordinate)
    # every text reached the catalogue (and the section's risk sheet) unchanged, as text
    assert found[vocab.ARCHIVE_SHEET_CATALOGUE] == set(FORMULA_LIKE)
    assert sum(len(v) for v in found.values()) >= 2 * len(FORMULA_LIKE)
    # and no sheet of any output workbook holds a formula
    looked, formulas = formula_parts(out)
    assert looked >= len(vocab.ARCHIVE_SHEETS) + 1
    assert not formulas, formulas


@pytest.mark.parametrize(
    "args, needle",
    [
        (["process", "--bogus"], "命令行参数有误"),
        (["nonsense"], "命令行参数有误"),
    ],
)
def test_bad_command_line_exits_2_in_chinese(args: list[str], needle: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err


def test_missing_roster_exits_2_with_advice(tmp_path: Path, capsys) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "config").mkdir()
    code = main(
        [
            "process",
            "--inbox",
            str(tmp_path / "inbox"),
            "--config",
            str(tmp_path / "config"),
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "找不到组织名册" in err and "roster.xlsx" in err


def test_unknown_settings_key_exits_2_naming_it(demo_run: DemoRun, tmp_path: Path, capsys) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "roster.xlsx").write_bytes((demo_run.config / "roster.xlsx").read_bytes())
    (config / "settings.toml").write_text('[body]\nname = "x"\ncolour = "red"\n', encoding="utf-8")
    code = main(
        [
            "process",
            "--inbox",
            str(demo_run.inbox),
            "--config",
            str(config),
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
        ]
    )
    assert code == 2
    assert "body.colour" in capsys.readouterr().err


def test_every_command_has_help(capsys) -> None:
    for command in ("process", "templates", "demo-data", "bench"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert "--" in capsys.readouterr().out


def test_every_note_on_a_table_field_names_its_cell(demo_run: DemoRun) -> None:
    """A note about a table column (风险点描述, 自评等级, 涉及岗位, …) says which cell, so the
    annotated copy and the clerk can find it: duplicates and level notes included."""
    issues = read_sheets(archive_path(demo_run))[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    table_fields = set(vocab.COLUMN_LABELS.values())
    on_fields = issues[issues["字段"].isin(table_fields) & (issues["文件"] != "")]
    assert len(on_fields) > 0
    kinds = set(on_fields["问题"].str.slice(0, 6))
    assert len(kinds) > 3, kinds  # several kinds of note, not one
    blank = on_fields[on_fields["单元格"] == ""]
    assert blank.empty, blank[["文件", "字段", "问题"]].to_string()
