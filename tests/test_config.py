"""settings.toml and roster.xlsx: defaults, refusals with the key named, roster problems."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
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


@pytest.mark.parametrize("name", ["settings.toml.txt", "settings.txt", "Settings.TOML"])
def test_settings_under_another_name_are_refused_not_silently_defaulted(
    tmp_path: Path, name: str
) -> None:
    """The office made its settings as a text file in Explorer (extensions hidden) and named
    it 「settings.toml」: it is settings.toml.txt, and its deadline and matrix never applied —
    every form was graded and dated by the defaults without a word. Now the run is refused,
    naming the file and how to rename it (showing extensions). A lone settings.toml.bak is no
    settings file meant."""
    (tmp_path / name).write_text('[deadlines]\nfind_risks = "03-20"\n', encoding="utf-8")
    assert not (tmp_path / vocab.SETTINGS_FILE).exists()
    with pytest.raises(ConfigError) as err:
        config.load_settings(tmp_path)
    message = str(err.value)
    assert f"里没有 settings.toml，但有「{name}」" in message
    assert "全部按默认值处理" in message and "勾选「文件扩展名」" in message
    (tmp_path / name).rename(tmp_path / vocab.SETTINGS_FILE)
    assert config.load_settings(tmp_path).deadlines["find_risks"] == "03-20"
    (tmp_path / vocab.SETTINGS_FILE).rename(tmp_path / "settings.toml.bak")
    assert config.load_settings(tmp_path).deadlines["find_risks"] == "03-31"


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


def test_roster_sheets_left_as_sheet1_are_listed_with_what_to_rename(tmp_path: Path) -> None:
    """The office pasted its lists into a blank workbook (Sheet1, Sheet2, Sheet3): the message
    lists the sheets there are and says which to rename to 人员. Before, only 「缺少工作表「人员」」
    and to follow the template, though the lists were all there."""
    write_roster(
        tmp_path / vocab.ROSTER_FILE,
        [["办公室", "李明", "主任", "人财物管理", "是"]],
        [["办公室", "李明", "陈副"]],
        [["示例区妇联", "周主席", "区纪委派驻纪检组"]],
    )
    wb = openpyxl.load_workbook(tmp_path / vocab.ROSTER_FILE)
    for ws, name in zip(wb.worksheets, ["Sheet1", "Sheet2", "Sheet3"], strict=True):
        ws.title = name
    wb.save(tmp_path / vocab.ROSTER_FILE)
    assert openpyxl.load_workbook(tmp_path / vocab.ROSTER_FILE).sheetnames == [
        "Sheet1",
        "Sheet2",
        "Sheet3",
    ]
    with pytest.raises(ConfigError) as err:
        config.load_roster(tmp_path)
    message = str(err.value)
    assert "缺少工作表「人员」" in message
    assert "「Sheet1」、「Sheet2」、「Sheet3」" in message
    assert "列出全体人员的那张工作表在其中，请把它改名为「人员」" in message


def test_a_roster_named_roster_xlsx_xlsx_is_told_to_lose_the_extra_extension(
    tmp_path: Path,
) -> None:
    """Windows hides extensions: the office typed 「roster.xlsx」 and got roster.xlsx.xlsx,
    which Explorer shows as roster.xlsx. The message says the name has one extension too many
    and to rename it to roster. Before, it said to rename it to roster.xlsx — what Explorer
    already showed, and typing it again kept the doubled name."""
    write_roster(
        tmp_path / "roster.xlsx.xlsx",
        [["办公室", "李明", "主任", "人财物管理", "是"]],
        [["办公室", "李明", "陈副"]],
        [["示例区妇联", "周主席", "区纪委派驻纪检组"]],
    )
    assert not (tmp_path / vocab.ROSTER_FILE).exists()
    with pytest.raises(ConfigError) as err:
        config.load_roster(tmp_path)
    message = str(err.value)
    assert "「roster.xlsx.xlsx」文件名多了一个扩展名" in message
    assert "显示为「roster.xlsx」的，改为 roster；" in message


@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice to write an .xls")
@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_a_roster_saved_as_xls_or_ods_is_told_to_save_as_xlsx_not_to_rename(
    tmp_path: Path, ext: str
) -> None:
    """The roster kept as roster.xls (an older Excel's 另存为) or .ods: renaming it to
    roster.xlsx would give a file no reader opens (「不是有效的 .xlsx 文件」 on the next run).
    The message says to open it and 另存为 an Excel workbook named roster. Before, it said to
    rename it to roster.xlsx."""
    source = tmp_path / "src" / vocab.ROSTER_FILE
    source.parent.mkdir()
    write_roster(
        source,
        [["办公室", "李明", "主任", "人财物管理", "是"]],
        [["办公室", "李明", "陈副"]],
        [["示例区妇联", "周主席", "区纪委派驻纪检组"]],
    )
    folder = tmp_path / "config"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless"]
        + ["--convert-to", ext, "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = folder / f"roster.{ext}"
    assert saved.read_bytes()[:4] in (b"\xd0\xcf\x11\xe0", b"PK\x03\x04")  # a real workbook
    assert not (folder / vocab.ROSTER_FILE).exists()
    with pytest.raises(ConfigError) as err:
        config.load_roster(folder)
    message = str(err.value)
    assert f"「roster.{ext}」" in message
    assert "「另存为」，保存类型选「Excel 工作簿（*.xlsx）」，文件名填 roster" in message
    assert "改名为 roster.xlsx" not in message


def write_sheets(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    wb.close()


UNIT_SHEET = [list(vocab.ROSTER_UNIT_COLUMNS.values()), ["示例区妇联", "周主席", "区纪委"]]
SECTIONS_SHEET = [
    list(vocab.ROSTER_SECTION_COLUMNS.values()),
    ["办公室", "李明", "陈副"],
    ["财务科", "钱七", "陈副"],
]


def roster_problems(tmp_path: Path, people: list[list[object]], sections=SECTIONS_SHEET):
    write_sheets(
        tmp_path / vocab.ROSTER_FILE,
        {
            vocab.ROSTER_SHEET_PEOPLE: people,
            vocab.ROSTER_SHEET_SECTIONS: sections,
            vocab.ROSTER_SHEET_UNIT: UNIT_SHEET,
        },
    )
    roster = config.load_roster(tmp_path)
    return roster, {(p["code"], p["sheet"], p["cell"]): p for p in roster.problems}


def test_roster_slips_are_noted_at_their_true_cell_with_their_own_code(tmp_path: Path) -> None:
    """The office moved 岗位类别 to column A: every note names the column it is really in."""
    people = [
        ["岗位类别", "科室", "姓名", "岗位（职务）", "是否科室负责人"],
        ["人财物", "办公室", "李明", "主任", "是"],  # row 2: abbreviated
        ["管钱的", "办公室", "王芳", "文员", "否"],  # row 3: unknown
        ["", "财务科", "赵六", "会计", "否"],  # row 4: blank 岗位类别
        ["民生", "财务科", "孙八", "出纳", ""],  # row 5: blank 是否科室负责人
        ["正职", "领导班子", "陈副", "副主席", "否"],
        ["一般管理服务", "领导班子", "周主席", "主席", "否"],
    ]
    assert people[0][0] == "岗位类别" and people[2][0] == "管钱的"
    roster, found = roster_problems(tmp_path, people)
    types = dict(zip(roster.people["name"], roster.people["post_type"], strict=True))
    assert types["李明"] == "人财物管理" and types["孙八"] == "民生密切相关"
    assert types["陈副"] == "领导班子正职"
    folded = found[("roster_post_type_folded", "人员", "A2")]
    assert folded["value"] == "人财物" and "人财物管理" in folded["problem"]
    assert ("roster_post_type_unknown", "人员", "A3") in found
    assert "赵六" in found[("roster_post_type_blank", "人员", "A4")]["problem"]
    assert "孙八" in found[("roster_is_head_blank", "人员", "E5")]["problem"]
    # 钱七 heads 财务科 on the 科室 sheet but is not in 人员
    assert "钱七" in found[("roster_head_not_in_people", "科室", "B3")]["problem"]
    assert "roster_problem" not in {p["code"] for p in roster.problems}
    assert all(p["action"] == vocab.ACTION_NOTE and p["problem"] for p in roster.problems)


def test_a_section_head_named_differently_in_the_two_sheets_is_noted(tmp_path: Path) -> None:
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李明", "主任", "一般管理服务", "否"],
        ["办公室", "王芳", "副主任", "一般管理服务", "是"],
        ["财务科", "钱七", "科长", "人财物管理", "是"],
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
    ]
    _, found = roster_problems(tmp_path, people)
    differ = found[("roster_heads_differ", "科室", "B2")]
    assert differ["value"] == "李明" and "「王芳」（第3行）" in differ["problem"]
    assert not any(code == "roster_heads_differ" and cell == "B3" for code, _, cell in found)


def test_invisible_characters_in_roster_names_are_dropped(tmp_path: Path) -> None:
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李\u200b明", "主任", "一般管理服务", "是"],
        ["财务科", "钱七\ufeff", "科长", "人财物管理", "是"],
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
    ]
    roster, found = roster_problems(tmp_path, people)
    assert list(roster.people["name"]) == ["李明", "钱七", "陈副"]
    assert not any(code == "roster_head_not_in_people" for code, _, _ in found)


def test_roster_sheets_named_otherwise_are_found_and_named_as_they_are(tmp_path: Path) -> None:
    """人员名单 / 科室设置 / 单位信息, as offices rename their sheets: read by their role, and a
    roster note names the sheet the office sees (人员名单!D3), not 人员 (before: 「缺少工作表」)."""
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李明", "主任", "人财物管理", "是"],
        ["办公室", "王芳", "文员", "管钱的", "否"],
    ]
    write_sheets(
        tmp_path / vocab.ROSTER_FILE,
        {
            "说明": [["请按格式填写"]],
            "人员名单": people,
            "科室设置": SECTIONS_SHEET,
            "单位信息": UNIT_SHEET,
        },
    )
    roster = config.load_roster(tmp_path)
    assert roster.people["name"].tolist() == ["李明", "王芳"]
    assert roster.chair == "周主席"
    cells = {(p["sheet"], p["cell"]) for p in roster.problems}
    assert ("人员名单", "D3") in cells  # the unknown 岗位类别, on the sheet as it is named


def test_two_sheets_that_could_be_the_people_sheet_are_not_guessed(tmp_path: Path) -> None:
    people = [list(vocab.ROSTER_PEOPLE_COLUMNS.values()), ["办公室", "李明", "主任", "其他", "是"]]
    write_sheets(
        tmp_path / vocab.ROSTER_FILE,
        {"人员名单": people, "人员（旧）": people, "科室": SECTIONS_SHEET, "单位": UNIT_SHEET},
    )
    with pytest.raises(ConfigError, match="缺少工作表「人员」"):
        config.load_roster(tmp_path)


def test_a_roster_kept_with_merged_cells_gives_each_row_its_section(tmp_path: Path) -> None:
    """Offices keep the roster as they keep any list: a title merged over the table, each
    section merged over its people's rows, one 分管副主席 merged over the sections they oversee.
    Before, only the first person of a block had a section: the others' forms were all sent
    back, and 催报名单 listed them under a section with no name."""
    wb = xlsxwriter.Workbook(str(tmp_path / vocab.ROSTER_FILE))
    people = wb.add_worksheet(vocab.ROSTER_SHEET_PEOPLE)
    people.merge_range("A1:E1", "示例区妇联人员名册")
    people.write_row(1, 0, list(vocab.ROSTER_PEOPLE_COLUMNS.values()))
    rows = [
        ["办公室", "李明", "主任", "人财物管理", "是"],
        [None, "王芳", "文员", "一般管理服务", "否"],
        [None, "张三", "档案员", "一般管理服务", "否"],
        ["财务科", "钱七", "科长", "人财物管理", "是"],
        [None, "赵六", "出纳", "", "否"],  # row 7: blank 岗位类别
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
        [None, "周主席", "主席", "领导班子正职", "否"],
    ]
    for i, row in enumerate(rows, start=2):
        people.write_row(i, 0, row)
    people.merge_range("A3:A5", "办公室")
    people.merge_range("A6:A7", "财务科")
    people.merge_range("A8:A9", "领导班子")
    sections = wb.add_worksheet(vocab.ROSTER_SHEET_SECTIONS)
    sections.write_row(0, 0, list(vocab.ROSTER_SECTION_COLUMNS.values()))
    sections.write_row(1, 0, ["办公室", "李明", "陈副"])
    sections.write_row(2, 0, ["财务科", "钱七", None])
    sections.merge_range("C2:C3", "陈副")
    unit = wb.add_worksheet(vocab.ROSTER_SHEET_UNIT)
    for i, row in enumerate(UNIT_SHEET):
        unit.write_row(i, 0, row)
    wb.close()
    roster = config.load_roster(tmp_path)
    got = dict(zip(roster.people["name"], roster.people["section"], strict=True))
    assert got == {
        "李明": "办公室",
        "王芳": "办公室",
        "张三": "办公室",
        "钱七": "财务科",
        "赵六": "财务科",
        "陈副": "领导班子",
        "周主席": "领导班子",
    }
    assert roster.sections["vice_chair"].tolist() == ["陈副", "陈副"]
    found = {(p["code"], p["sheet"], p["cell"]) for p in roster.problems}
    assert ("roster_post_type_blank", "人员", "D7") in found  # the true row, title above


def test_a_roster_header_merged_over_two_rows_is_no_person(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / vocab.ROSTER_FILE))
    people = wb.add_worksheet(vocab.ROSTER_SHEET_PEOPLE)
    for c, label in enumerate(vocab.ROSTER_PEOPLE_COLUMNS.values()):
        people.merge_range(0, c, 1, c, label)
    people.write_row(2, 0, ["办公室", "李明", "主任", "人财物管理", "是"])
    for name, rows in ((vocab.ROSTER_SHEET_SECTIONS, SECTIONS_SHEET[:2]), ("单位", UNIT_SHEET)):
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    wb.close()
    roster = config.load_roster(tmp_path)
    assert roster.people["name"].tolist() == ["李明"]
    assert roster.people["excel_row"].tolist() == [3]


def test_a_person_or_section_listed_twice_counts_once_by_its_first_row(tmp_path: Path) -> None:
    """The 提示 says 「按第2行处理」: the repeated rows are not a second person to expect nor a
    second 科室 row whose head is compared with 人员."""
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李明", "主任", "一般管理服务", "是"],
        ["办公室", "王芳", "文员", "一般管理服务", "否"],
        ["办公室", "王 芳", "文员", "一般管理服务", "否"],  # row 4: 王芳 again
        ["财务科", "钱七", "科长", "人财物管理", "是"],
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
    ]
    sections = [*SECTIONS_SHEET, ["办公室", "王芳", "陈副"]]  # row 4: 办公室 again
    assert sections[1][0] == sections[3][0] == "办公室" and people[3][1] == "王 芳"
    roster, found = roster_problems(tmp_path, people, sections)
    assert ("roster_person_duplicate", "人员", "B4") in found
    assert ("roster_section_duplicate", "科室", "A4") in found
    assert roster.people["name"].tolist() == ["李明", "王芳", "钱七", "陈副"]
    assert roster.sections["section"].tolist() == ["办公室", "财务科"]
    assert roster.sections["head"].tolist() == ["李明", "钱七"]
    # the 科室 sheet's first row names the head 人员 flags: no difference to report
    assert not any(code == "roster_heads_differ" for code, _, _ in found)


def test_a_roster_row_without_name_or_section_is_noted_and_not_expected(tmp_path: Path) -> None:
    """A blank 姓名 or 科室 (typed so, or a formula saved without its result) is a 提示 at
    that cell; the row is nobody to expect. Before, it was silent: a nameless 未报送 and a
    person listed under 「【】」 in 催报名单."""
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李明", "主任", "一般管理服务", "是"],
        ["办公室", "", "文员", "一般管理服务", "否"],  # row 3: no name
        ["", "赵空", "科员", "其他", "否"],  # row 4: no section
        ["财务科", "钱七", "科长", "人财物管理", "是"],
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
    ]
    sections = [*SECTIONS_SHEET, ["", "孙九", "陈副"]]  # row 4: a head without its section
    assert people[2][1] == "" and people[3][0] == "" and sections[3][0] == ""
    roster, found = roster_problems(tmp_path, people, sections)
    assert roster.people["name"].tolist() == ["李明", "钱七", "陈副"]
    assert roster.sections["section"].tolist() == ["办公室", "财务科"]
    assert "文员" in found[("roster_name_blank", "人员", "B3")]["problem"]
    assert "赵空" in found[("roster_person_section_blank", "人员", "A4")]["problem"]
    assert "孙九" in found[("roster_section_row_blank", "科室", "A4")]["problem"]
    assert all(p["action"] == vocab.ACTION_NOTE for p in roster.problems)


@pytest.mark.parametrize(
    "text, repeated",
    [
        ('[body]\nname = "甲单位"\n\n[body]\nyear = 2026\n', "[body]"),
        ('[body]\nname = "甲单位"\nname = "乙单位"\n', 'name = "乙单位"'),
    ],
)
def test_a_table_or_key_written_twice_is_said_as_such(
    tmp_path: Path, text: str, repeated: str
) -> None:
    """A [table] or key written twice (a section pasted from the example again): the message
    names the repeated line and says it is there twice, not the list of quoting and
    punctuation slips a syntax error gets."""
    assert text.count(repeated.split(" ")[0]) == 2  # the precondition: written twice
    with pytest.raises(ConfigError) as exc:
        config.load_settings(write_settings(tmp_path, text))
    message = str(exc.value)
    assert f"「{repeated}」" in message and "重复" in message, message
    assert "中文标点" not in message, message


def test_last_archive_set_to_a_folder_names_the_archive_in_it(tmp_path: Path) -> None:
    """``last_archive = "上年输出"`` (the folder, not its archive): the message says it is a
    folder and names the archive there, not that the archive does not exist."""
    last_out = tmp_path / "上年输出"
    last_out.mkdir()
    (last_out / "2025_某单位_廉政风险信息档案.xlsx").write_bytes(b"PK")
    assert last_out.is_dir()  # the precondition: the setting names an existing folder
    folder = write_settings(tmp_path / "config", '[history]\nlast_archive = "../上年输出"\n')
    with pytest.raises(ConfigError) as exc:
        config.load_settings(folder)
    message = str(exc.value)
    assert "history.last_archive" in message and "不存在" not in message, message
    assert "是一个文件夹" in message and "2025_某单位_廉政风险信息档案.xlsx" in message, message


def test_last_archive_written_from_the_program_folder_is_found_and_told(tmp_path: Path) -> None:
    """``last_archive = "output/2025_….xlsx"``, written as seen from the folder 处理.bat is in
    (the path counts from config): the message only said the file does not exist, though it
    is one folder up. Now it names the file found there and the line to write."""
    name = "2025_某单位_廉政风险信息档案.xlsx"
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / name).write_bytes(b"PK")
    folder = write_settings(tmp_path / "config", f'[history]\nlast_archive = "output/{name}"\n')
    assert not (folder / "output" / name).exists()  # the precondition: not from config
    with pytest.raises(ConfigError) as exc:
        config.load_settings(folder)
    message = str(exc.value)
    assert str(tmp_path / "output" / name) in message, message
    assert f'last_archive = "../output/{name}"' in message, message


@pytest.mark.parametrize(
    "text, shown",
    [
        ("[limits]\nmax_rows = true\n", "「true」"),
        ("[body]\nyear = false\n", "「false」"),
        ('[submission]\nlate_phase = ["grade"]\n', '「["grade"]」'),
        ('[grading.floors]\n"人财物管理" = ["一级"]\n', '「["一级"]」'),
    ],
)
def test_a_refused_value_is_shown_as_it_is_written_in_the_file(
    tmp_path: Path, text: str, shown: str
) -> None:
    """The message quotes the value as the clerk wrote it (true, ["grade"]), not as Python
    prints it (True, ['grade'])."""
    with pytest.raises(ConfigError) as exc:
        config.load_settings(write_settings(tmp_path, text))
    message = str(exc.value)
    assert shown in message, message
    assert "True" not in message and "False" not in message and "['" not in message, message


def test_names_padded_with_spaces_in_the_roster_are_shown_tidy_with_one_notice(
    tmp_path: Path,
) -> None:
    """「闫  红」 (two spaces), 「丁　玲」 (a full-width space) and a padded head in 科室 are
    the people 闫红 and 丁玲 in the catalogue, its 直接管理 and the point ID, and 「领 导 班 子」
    is 领导班子; the office gets one 提示 naming every roster cell tidied, to correct it."""
    import pandas as pd

    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.forms import write_form

    people = [
        (s, {"闫红": "闫  红", "丁玲": "丁　玲"}.get(n, n), *rest)
        for s, n, *rest in CHILDREN_PEOPLE
    ]
    sections = [(s, "闫  红" if h == "闫红" else h, v) for s, h, v in CHILDREN_SECTIONS]
    sections[0] = ("领 导 班 子", *sections[0][1:])  # a section name padded on 科室 only
    cfg = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "丁玲.xlsx", header={"section": "家庭儿童工作部", "name": "丁玲"})
    pipeline_run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    point = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].iloc[0]
    assert (point["姓名"], point["直接管理"], point["风险点编号"]) == (
        "丁玲",
        "闫红",
        "家庭儿童工作部-丁玲-01",
    )
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    notes = issues[issues["问题"].str.contains("夹有空格")]
    assert len(notes) == 1
    text = notes["问题"].iloc[0]
    assert "「人员」工作表 B4「闫  红」→「闫红」" in text
    assert "「人员」工作表 B5「丁　玲」→「丁玲」" in text
    assert "「科室」工作表 B3「闫  红」→「闫红」" in text
    assert "「科室」工作表 A2「领 导 班 子」→「领导班子」" in text
    assert not issues["问题"].str.contains("只差全角/半角、空格或标点").any()
    folders = {p.name for p in (out / "科室反馈").iterdir()}
    assert "领导班子" in folders and "领 导 班 子" not in folders
    assert (notes["工作表"].iloc[0], notes["单元格"].iloc[0]) == ("人员", "B4")
    assert "尚未报送" not in " ".join(issues[issues["姓名"].eq("丁玲")]["问题"])


def test_a_head_written_with_a_note_in_brackets_is_the_person_of_the_people_sheet(
    tmp_path: Path,
) -> None:
    """The 科室 sheet names the head 「闫红（部长）」 and the vice-chair 「李副主席(分管)」: they
    are 闫红 and 李副主席 of the 人员 sheet. 直接管理 reads 闫红, and the office gets a 提示 at
    each cell, not 「不在「人员」工作表中」 nor 「负责人…不同」."""
    import pandas as pd

    from pipeline import run as pipeline_run
    from tests.builders import CHILDREN_PEOPLE, write_config
    from tests.forms import write_form

    sections = [("领导班子", "陈主席", ""), ("家庭儿童工作部", "闫红（部长）", "李副主席(分管)")]
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "丁玲.xlsx", header={"section": "家庭儿童工作部", "name": "丁玲"})
    pipeline_run.process(inbox, cfg, out, run_time="2026-03-25T09:00:00")
    sheets = pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, dtype=str, engine="calamine")
    point = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].iloc[0]
    assert (point["直接管理"], point["负责领导"]) == ("闫红", "李副主席")
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    roster = issues[issues["文件"] == "config/roster.xlsx"]
    assert list(zip(roster["单元格"], roster["问题"], strict=True)) == [
        (
            "B3",
            "科室负责人「闫红（部长）」按「人员」工作表第4行的「闫红」处理（括号中的说明不算姓名的一部分）。",
        ),
        (
            "C3",
            "分管副主席「李副主席(分管)」按「人员」工作表第3行的「李副主席」处理（括号中的说明不算姓名的一部分）。",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # written above every [table]: 「此处可用的键：body、deadlines…」 alone did not say where
        ("year = 2026\n", "「year」应写在 [body] 这一行的下面"),
        ("[body]\nyaer = 2026\n", "您是不是要写 year？"),
        ("[grading]\nmatrx = 1\n", "您是不是要写 matrix？"),
    ],
)
def test_an_unknown_settings_key_says_what_was_meant(tmp_path: Path, text: str, hint: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config.load_settings(write_settings(tmp_path, text))
    message = str(raised.value)
    assert "无法识别" in message  # the precondition: the key is refused
    assert hint in message, message


@pytest.mark.parametrize("lock", ["~$roster.xlsx", ".~lock.roster.xlsx#"])
def test_a_roster_open_in_excel_is_said_to_be_read_as_last_saved(tmp_path: Path, lock: str) -> None:
    """The office keeps roster.xlsx open in Excel (or WPS, LibreOffice) while it runs the tool:
    what was read is the last saved roster, not the one on the screen. The terminal says so,
    naming the lock file, and that a lock left by a crash may be deleted. Before, nothing."""
    from pipeline import run
    from tests.builders import office_of_two

    inbox, cfg = office_of_two(tmp_path)
    quiet = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T09:00:00")
    assert not [n for n in quiet.notices if "锁定文件" in n]
    (cfg / lock).write_bytes(b"\x06Office" + b"\x00" * 50)  # what Excel writes: the user's name
    result = run.process(inbox, cfg, tmp_path / "out", run_time="2026-04-01T10:00:00")
    told = [n for n in result.notices if f"「{lock}」" in n]
    expected = (
        f"组织名册 {cfg / vocab.ROSTER_FILE} 可能正在 Excel、WPS 等软件中打开（旁边有锁定文件「{lock}」）："
        "本次读取的是它最后一次保存的内容。如果刚修改过名册还没有保存，请保存后重新运行；"
        "如果名册并没有打开，这个锁定文件是软件异常退出时留下的，可以删除。"
    )
    assert told == [expected]
    assert result.counts["files"]["total"] == 1  # the config folder's lock is no inbox file


def test_a_chair_missing_from_the_people_sheet_is_noted_at_the_unit_sheet(
    tmp_path: Path,
) -> None:
    """The 单位 sheet's 主席 周主席 is on no row of 人员 (left out, or spelled otherwise there):
    their own form cannot be checked and their points would not reach the 上级监督机构."""
    people = [
        list(vocab.ROSTER_PEOPLE_COLUMNS.values()),
        ["办公室", "李明", "主任", "一般管理服务", "是"],
        ["财务科", "钱七", "科长", "人财物管理", "是"],
        ["领导班子", "陈副", "副主席", "领导班子正职", "否"],
    ]
    assert UNIT_SHEET[1][1] == "周主席"
    roster, found = roster_problems(tmp_path, people)
    assert roster.chair == "周主席"
    note = found[("roster_chair_not_in_people", "单位", "B2")]
    assert note["value"] == "周主席" and "不在「人员」工作表中" in note["problem"]
    assert note["action"] == vocab.ACTION_NOTE
    people.append(["领导班子", "周主席", "主席", "领导班子正职", "否"])
    _, found = roster_problems(tmp_path, people)
    assert not any(code.startswith("roster_chair") for code, _, _ in found)
