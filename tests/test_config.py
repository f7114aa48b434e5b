"""settings.toml and roster.xlsx: defaults, refusals with the key named, roster problems."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from pipeline import config, vocab
from pipeline.errors import ConfigError


def write_settings(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / vocab.SETTINGS_FILE).write_text(text, encoding="utf-8")
    return folder


def test_no_settings_file_gives_spec_defaults(tmp_path: Path) -> None:
    s = config.load_settings(tmp_path)
    assert s.matrix["严重"] == {"高": "一级", "中": "一级", "低": "二级"}
    assert s.matrix["较重"] == {"高": "一级", "中": "二级", "低": "三级"}
    assert s.matrix["一般"] == {"高": "二级", "中": "三级", "低": "三级"}
    assert s.floors["人财物管理"] == "一级" and s.floors["其他"] is None
    assert s.deadlines == {"find_risks": "03-31", "grade": "04-15", "archive": "04-30"}
    assert s.supervision["二级"] == {
        "direct": "科室负责人",
        "leader": "分管副主席",
        "measure": "谈话提醒",
    }


def test_shipped_settings_equal_the_defaults() -> None:
    shipped = config.load_settings(Path("config"))
    defaults = config.default_settings()
    assert shipped.matrix == defaults.matrix
    assert shipped.floors == defaults.floors
    assert shipped.supervision == defaults.supervision
    assert shipped.limits == defaults.limits
    assert shipped.body_name and shipped.year


@pytest.mark.parametrize(
    "text, needle",
    [
        ('[body]\nname = "x"\ncolour = "red"\n', "body.colour"),
        ("[unknown]\na = 1\n", "「unknown」"),
        ('[body]\nyear = "今年"\n', "body.year"),
        ('[deadlines]\nfind_risks = "13-40"\n', "deadlines.find_risks"),
        ('[grading.matrix."严重"]\n"高" = "四级"\n', "grading.matrix.严重.高"),
        ('[grading.floors]\n"人财物管理" = "顶级"\n', "grading.floors.人财物管理"),
        ('[supervision."一级"]\ndirect = "处长"\n', "supervision.一级.direct"),
        ("[limits]\nmax_rows = -5\n", "limits.max_rows"),
        ("this is not toml", "第 1 行第 6 列附近的写法有误"),
        # wrong types and values that used to crash or slip through
        ('[submission]\nlate_phase = ["grade"]\n', "submission.late_phase"),
        ("[limits]\nmax_file_mb = inf\n", "limits.max_file_mb"),
        ("[limits]\nmax_rows = nan\n", "limits.max_rows"),
        ("[limits]\nmax_rows = 0\n", "limits.max_rows"),
        ("[limits]\nmax_rows = 2.5\n", "limits.max_rows"),
        ('[limits]\nworkers = "2"\n', "limits.workers"),
        ('[grading.matrix."较重"]\n"中" = "特级"\n', "grading.matrix.较重.中"),
        ('[grading.matrix."较重"]\n"很高" = "一级"\n', "grading.matrix.较重.很高"),
        ('[body]\nyear = 2026\n[deadlines]\ngrade = "02-29"\n', "deadlines.grade"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as exc:
        config.load_settings(write_settings(tmp_path, text))
    assert needle in str(exc.value)
    assert str(exc.value).startswith(vocab.CONFIG_ERROR_PREFIX)


def test_custom_matrix_cell_overrides_default(tmp_path: Path) -> None:
    s = config.load_settings(write_settings(tmp_path, '[grading.matrix."一般"]\n"高" = "一级"\n'))
    assert s.matrix["一般"]["高"] == "一级"
    assert s.matrix["一般"]["中"] == "三级"  # the rest keeps its default


def write_roster(path: Path, people, sections, unit) -> None:
    wb = xlsxwriter.Workbook(str(path))
    for name, header, rows in (
        (vocab.ROSTER_SHEET_PEOPLE, list(vocab.ROSTER_PEOPLE_COLUMNS.values()), people),
        (vocab.ROSTER_SHEET_SECTIONS, list(vocab.ROSTER_SECTION_COLUMNS.values()), sections),
        (vocab.ROSTER_SHEET_UNIT, list(vocab.ROSTER_UNIT_COLUMNS.values()), unit),
    ):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
    wb.close()


def test_roster_reads_and_reports_problems_with_cells(tmp_path: Path) -> None:
    write_roster(
        tmp_path / vocab.ROSTER_FILE,
        [
            ["办公室", "李明", "主任", "人财物管理", "是"],
            ["办公室", "王芳", "文员", "一般管理服务", "否"],
            ["财务科", "王芳", "会计", "人财物管理", ""],
            ["财务科", "赵六", "出纳", "管钱的", ""],
        ],
        [["办公室", "李明", "陈副"], ["财务科", "", ""]],
        [["示例区妇联", "周主席", "区纪委派驻纪检组"]],
    )
    roster = config.load_roster(tmp_path)
    assert list(roster.people["name"]) == ["李明", "王芳", "王芳", "赵六"]
    assert roster.people["is_head"].tolist() == [True, False, False, False]
    assert roster.chair == "周主席" and roster.oversight == "区纪委派驻纪检组"
    cells = {(p["sheet"], p["cell"]) for p in roster.problems}
    assert ("人员", "D5") in cells  # unknown 岗位类别
    assert ("人员", "B4") in cells  # 王芳 in two sections
    assert ("科室", "B3") in cells  # 财务科 without head
    assert ("科室", "C3") in cells  # 财务科 without vice-chair
    assert ("科室", "C2") in cells  # 陈副 not in 人员
    assert all(p["action"] == vocab.ACTION_NOTE for p in roster.problems)


def test_roster_missing_sheet_is_a_config_error(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / vocab.ROSTER_FILE))
    wb.add_worksheet("Sheet1").write_row(0, 0, ["科室", "姓名"])
    wb.close()
    with pytest.raises(ConfigError, match="缺少工作表「人员」"):
        config.load_roster(tmp_path)
