"""combine: one district workbook from many bodies' archives, counts checked against the inputs."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import archives, config, prefill, vocab
from pipeline.cli import main
from pipeline.errors import ConfigError, PipelineError
from tests.builders import write_settings
from tests.conftest import make_demo

YEAR = 2026
YEAR_IN_STEM = re.compile(r"20\d{2}")


def _body(root: Path, name: str, seed: int, people: int = 12) -> Path:
    make_demo(root, people=people, seed=seed, error_rate=0.0)
    write_settings(root / "config", f'[body]\nname = "{name}"\nyear = {YEAR}\n')
    return root


def _process(body: Path, out: Path, run_time: str) -> Path:
    code = main(
        [
            "process",
            "--inbox",
            str(body / "inbox"),
            "--config",
            str(body / "config"),
            "--out",
            str(out),
            "--no-progress",
            "--run-time",
            run_time,
        ]
    )
    assert code == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    return archive


def _levels(archive: Path) -> dict[str, int]:
    frame = archives.read_catalogue(archive)
    return {lv: int((frame["level"] == lv).sum()) for lv in vocab.LEVELS} | {"n": len(frame)}


HAND_ROWS = [  # 科室, 岗位, 风险点描述, 风险等级 as a body typed them
    ("财务股", "会计", "虚列支出套取资金", "高"),
    ("财务股", "出纳", "挪用公款", "一级"),
    ("办公室", "驾驶员", "公车私用", "中"),
    ("办公室", "文印员", "泄露文件", "2级"),
    ("救助股", "经办人", "优亲厚友", "低"),
]


def _hand_made(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "风险点目录"
    ws.append(["甲区民政局廉政风险点目录"])
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    for i, row in enumerate(HAND_ROWS, start=1):
        ws.append([i, *row])
    wb.save(path)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("combine")
    filed = root / "filed"
    filed.mkdir()
    a = _body(root / "a", "甲区教育局", seed=21)
    old = _process(a, root / "a" / "out1", f"{YEAR}-04-01T09:00:00")
    (filed / "old").mkdir()
    stale = shutil.copy(old, filed / "old" / old.name)
    next(iter(sorted((a / "inbox").rglob("*.xlsx")))).unlink()  # the body corrected and reran
    latest = shutil.copy(_process(a, root / "a" / "out2", f"{YEAR}-04-20T09:00:00"), filed)
    b = _body(root / "b", "甲区卫生健康委员会", seed=22, people=16)
    other = shutil.copy(_process(b, root / "b" / "out", f"{YEAR}-04-25T10:00:00"), filed)
    hand = filed / f"{YEAR}_甲区民政局_风险点目录.xlsx"
    _hand_made(hand)
    pdf = filed / "说明.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    roster = shutil.copy(a / "config" / "roster.xlsx", filed / "名册.xlsx")
    expected = root / "应报单位.txt"
    expected.write_text(
        "甲区教育局\n甲区卫生健康委员会\n甲区民政局\n甲区财政局\n", encoding="utf-8"
    )
    out = root / "district"
    code = main(
        [
            "combine",
            str(filed),
            "--out",
            str(out),
            "--expected",
            str(expected),
            "--run-time",
            f"{YEAR}-05-10T09:00:00",
        ]
    )
    assert code == 0
    (book,) = out.glob("*.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    inputs = {"latest": Path(latest), "stale": Path(stale), "other": Path(other)}
    return book, sheets, inputs, {"hand": hand, "pdf": pdf, "roster": Path(roster)}


def _by_body(sheets: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    table = sheets[vocab.COMBINE_SHEET_BODIES]
    return {rec[vocab.COMBINE_BODY_LABEL]: rec for rec in table.to_dict("records")}


def test_per_body_counts_are_the_latest_archives(district):
    _, sheets, inputs, _ = district
    bodies = _by_body(sheets)
    latest, stale = _levels(inputs["latest"]), _levels(inputs["stale"])
    assert latest["n"] < stale["n"]  # precondition: the stale archive differs from the latest
    for body, archive in (("甲区教育局", "latest"), ("甲区卫生健康委员会", "other")):
        counts = _levels(inputs[archive])
        row = bodies[body]
        assert int(row[vocab.COMBINE_BODY_HEADERS["n_points"]]) == counts["n"]
        assert {lv: int(row[lv]) for lv in vocab.LEVELS} == {lv: counts[lv] for lv in vocab.LEVELS}
        assert row[vocab.COMBINE_BODY_HEADERS["status"]] == vocab.COMBINE_STATUS_FILED
    hand = bodies["甲区民政局"]
    assert {lv: int(hand[lv]) for lv in vocab.LEVELS} == {"一级": 2, "二级": 2, "三级": 1}
    assert (
        bodies["甲区财政局"][vocab.COMBINE_BODY_HEADERS["status"]] == vocab.COMBINE_STATUS_MISSING
    )
    assert int(bodies["甲区财政局"][vocab.COMBINE_BODY_HEADERS["n_points"]]) == 0


def test_one_catalogue_with_a_body_column_and_every_major_point(district):
    _, sheets, inputs, _ = district
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    per_body = catalogue[vocab.COMBINE_BODY_LABEL].value_counts().to_dict()
    assert per_body == {
        "甲区教育局": _levels(inputs["latest"])["n"],
        "甲区卫生健康委员会": _levels(inputs["other"])["n"],
        "甲区民政局": len(HAND_ROWS),
    }
    major = sheets[vocab.COMBINE_SHEET_MAJOR]
    level = vocab.CATALOGUE_COLUMNS["level"]
    assert len(major) == int((catalogue[level] == "一级").sum())
    assert set(major[level]) == {"一级"}
    assert "挪用公款" in set(major[vocab.CATALOGUE_COLUMNS["description"]])


def test_filing_lists_the_stale_archive_and_the_missing_body(district):
    _, sheets, inputs, _ = district
    filing = {
        r[vocab.COMBINE_BODY_LABEL]: r
        for r in sheets[vocab.COMBINE_SHEET_FILING].to_dict("records")
    }
    stale_col = vocab.COMBINE_FILING_HEADERS["stale"]
    assert inputs["stale"].name in filing["甲区教育局"][stale_col]
    assert filing["甲区教育局"][vocab.COMBINE_FILING_HEADERS["file"]].endswith(
        inputs["latest"].name
    )
    assert (
        filing["甲区财政局"][vocab.COMBINE_FILING_HEADERS["status"]] == vocab.COMBINE_STATUS_MISSING
    )


def test_foreign_files_are_reported_with_their_reason(district):
    _, sheets, inputs, others = district
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    file_col, action = vocab.ISSUE_COLUMNS["file"], vocab.ISSUE_COLUMNS["action"]
    problem = vocab.ISSUE_COLUMNS["problem"]

    def rows_for(path: Path) -> pd.DataFrame:
        return issues[issues[file_col].str.endswith(path.name)]

    pdf = rows_for(others["pdf"])
    assert list(pdf[action]) == [vocab.ACTION_REJECT] and "PDF" in pdf[problem].iloc[0]
    # told as the commission's file it is, not as a staff form (「自查表请用 .xlsx 格式报送」)
    fix = pdf[vocab.ISSUE_COLUMNS["fix"]].iloc[0]
    assert "廉政风险信息档案" in fix and "自查表" not in fix
    roster = rows_for(others["roster"])
    assert list(roster[action]) == [vocab.ACTION_REJECT]
    # named as the roster it is, not only 「没有找到风险点目录」
    assert roster[problem].tolist() == [vocab.MESSAGES["combine_is_roster"].problem]
    stale = rows_for(inputs["stale"])
    assert (
        list(stale[action]) == [vocab.ACTION_NOTE]
        and inputs["latest"].name in stale[problem].iloc[0]
    )
    assert list(rows_for(others["hand"])[action]) == [vocab.ACTION_NOTE]  # accepted, noted


def test_heat_map_and_native_charts(district):
    book, sheets, _, _ = district
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    likelihood, harm = vocab.CATALOGUE_COLUMNS["likelihood"], vocab.CATALOGUE_COLUMNS["harm"]
    wb = openpyxl.load_workbook(book)
    ws = wb[vocab.COMBINE_SHEET_STATS]
    corner = next(
        c for row in ws.iter_rows() for c in row if c.value == vocab.ARCHIVE_MATRIX_CORNER
    )
    for i, h in enumerate(vocab.HARMS, start=1):
        assert ws.cell(corner.row + i, corner.column).value == h
        for j, lk in enumerate(vocab.LIKELIHOODS, start=1):
            expected = int(((catalogue[harm] == h) & (catalogue[likelihood] == lk)).sum())
            assert ws.cell(corner.row + i, corner.column + j).value == expected
    assert ws.cell(corner.row + 1, corner.column + 1).fill.fgColor.rgb.endswith("F4CCCC")  # 一级
    with zipfile.ZipFile(book) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


def test_every_district_sheet_prints_at_8_pt_or_more(district) -> None:
    """The commission prints the district workbook: each sheet has an explicit print scale at
    which its 11 pt text is 8 pt or more on paper (a renderer's fit-to-page shrinks a
    17-column catalogue far below: LibreOffice printed it at ~3 pt)."""
    import openpyxl

    book, _, _, _ = district
    wb = openpyxl.load_workbook(book)
    assert len(wb.worksheets[3]["1"]) >= 14  # precondition: a wide table (风险点目录)
    for ws in wb.worksheets:
        fit = (
            ws.sheet_properties.pageSetUpPr is not None
            and ws.sheet_properties.pageSetUpPr.fitToPage
        )
        assert not fit, ws.title
        scale = ws.page_setup.scale or 100
        assert 11 * scale / 100 >= 8, (ws.title, scale)
        assert ws.page_setup.paperSize in (9, "9") and ws.oddFooter.center.text, ws.title


def test_an_archive_edited_by_hand_is_not_called_the_same_archive(district, tmp_path) -> None:
    """A body's archive saved again after a level was changed by hand in Excel/WPS keeps the
    tool's marker (body, run time, the hash of the catalogue as written). It is not 「同一份档案
    （内容和生成时间都相同）」 as its unedited copy: the edited one is named as edited, the other
    as a different catalogue of the same run, and the counts are the counted file's own."""
    import os

    _book, _sheets, inputs, _ = district
    original = inputs["other"]
    filed = tmp_path / "filed"
    filed.mkdir()
    unedited = Path(shutil.copy(original, filed / original.name))
    edited = filed / "卫健委档案（修改后）.xlsx"
    wb = openpyxl.load_workbook(original)
    ws = wb[vocab.ARCHIVE_SHEET_CATALOGUE]
    header = [c.value for c in ws[1]]
    level = header.index(vocab.CATALOGUE_COLUMNS["level"]) + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, level).value == "一级")
    ws.cell(row, level).value = "三级"
    wb.save(edited)
    later = unedited.stat().st_mtime + 60
    os.utime(edited, (later, later))
    unmarked = filed / "旧版本档案.xlsx"  # an earlier version's: no marker, same catalogue
    with zipfile.ZipFile(original) as zin, zipfile.ZipFile(unmarked, "w") as zout:
        for info in zin.infolist():
            if info.filename != archives.CUSTOM_XML:
                zout.writestr(info, zin.read(info))
    assert archives.read_identity(unmarked) is None  # precondition
    marker = archives.read_identity(edited)
    assert marker is not None and marker == archives.read_identity(unedited)  # precondition

    out = tmp_path / "district"
    args = ["combine", str(filed), "--out", str(out), "--run-time", f"{YEAR}-05-10T09:00:00"]
    assert main(args) == 0
    (book,) = out.glob("*.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    issues = sheets[vocab.COMBINE_SHEET_ISSUES].fillna("")
    by_file = {rec["文件"]: rec["问题"] for rec in issues.to_dict("records")}
    assert "同一份档案" not in by_file[f"filed/{unedited.name}"]
    assert "修改" in by_file[f"filed/{unedited.name}"]
    assert "修改过" in by_file[f"filed/{edited.name}"]
    assert "修改过" not in by_file[f"filed/{unmarked.name}"]  # no hash to tell: not said
    body = _by_body(sheets)[marker.body]
    counted = _levels(edited)
    assert int(body["一级"]) == counted["一级"] == _levels(unedited)["一级"] - 1
    assert len(sheets[vocab.COMBINE_SHEET_MAJOR]) == counted["一级"]


def test_a_district_workbook_is_no_last_archive(district, tmp_path) -> None:
    """The district workbook holds a catalogue too (with a 单位 column): given as a body's
    last year's archive it would compare the body with every body of the district."""
    book, *_ = district
    assert archives.read_catalogue(book) is not None  # precondition: it holds a catalogue
    config_dir = tmp_path / "config"
    write_settings(config_dir, f'[history]\nlast_archive = "{book}"\n')
    with pytest.raises(ConfigError) as found:
        config.load_settings(config_dir)
    assert "区级汇总表" in str(found.value) and str(book) in str(found.value)
    with pytest.raises(PipelineError) as found:
        prefill.load_last_archive(book)
    assert "区级汇总表" in str(found.value)


def test_every_bodys_categories_add_up_to_its_points(district) -> None:
    """A hand-made catalogue without 风险类别 counts its points as 未分类 (before, its points were
    in no category column: 风险点数 5, categories 0)."""
    _, sheets, _, _ = district
    table = sheets[vocab.COMBINE_SHEET_BODIES]
    assert vocab.UNCATEGORISED in table.columns
    for rec in _by_body(sheets).values():
        if rec[vocab.COMBINE_BODY_HEADERS["status"]] != vocab.COMBINE_STATUS_FILED:
            continue
        n = int(rec[vocab.COMBINE_BODY_HEADERS["n_points"]])
        cats = [int(rec[c]) for c in (*vocab.CATEGORIES, vocab.UNCATEGORISED)]
        assert sum(cats) == n, rec[vocab.COMBINE_BODY_LABEL]
    hand = _by_body(sheets)["甲区民政局"]
    assert int(hand[vocab.UNCATEGORISED]) == len(HAND_ROWS)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    mine = catalogue[catalogue[vocab.COMBINE_BODY_LABEL] == "甲区民政局"]
    assert set(mine["风险类别"]) == {vocab.UNCATEGORISED}


def _combined(tmp_path: Path, *books: Path) -> dict[str, pd.DataFrame]:
    out = tmp_path / "district"
    code = main(
        ["combine", *map(str, books), "--out", str(out), "--run-time", f"{YEAR}-05-10T09:00:00"]
    )
    assert code == 0
    (book,) = out.glob("*.xlsx")
    return pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)


def test_a_hand_made_catalogue_as_bodies_lay_them_out(tmp_path: Path) -> None:
    """A body's own catalogue with a section merged over its block of rows, a two-row header
    (防控措施 merged over 前期预防 | 中期监控 | 后期处置) and no 岗位 column: every point is read,
    with its section and its three measures. Before, such a file was 「没有找到风险点目录」 and
    a merged section left the block's later rows without one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乙区卫健委廉政风险防控一览表"])
    ws.append(["单位：乙区卫健委", None, None, None, None, "填报日期：2026年4月20日"])
    ws.append(["序号", "科室", "风险类别", "风险点", "风险等级", "防控措施", None, None])
    ws.append([None, None, None, None, None, "前期预防", "中期监控", "后期处置"])
    ws.append([1, "医政科", "岗位职责风险", "审批违规", "一级", "学习制度", "定期检查", "严肃问责"])
    ws.append([2, None, "业务流程风险", "收受红包", "中", "警示教育", "群众监督", "依纪处理"])
    ws.append([3, "药政科", "制度机制风险", "采购违规", "三级", "完善制度", "专项审计", "追究责任"])
    for merged in ("A1:H1", "F3:H3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "B5:B6"):
        ws.merge_cells(merged)
    book = tmp_path / f"{YEAR}_乙区卫健委_风险防控一览表.xlsx"
    wb.save(book)
    assert ws["B6"].value is None  # the precondition: the section is written once, merged
    sheets = _combined(tmp_path, book)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    mine = catalogue[catalogue[vocab.COMBINE_BODY_LABEL] == "乙区卫健委"]
    got = mine[["科室", "风险点描述", "评定等级", "前期预防措施", "中期监控措施", "后期处置措施"]]
    assert got.values.tolist() == [
        ["医政科", "审批违规", "一级", "学习制度", "定期检查", "严肃问责"],
        ["医政科", "收受红包", "二级", "警示教育", "群众监督", "依纪处理"],
        ["药政科", "采购违规", "三级", "完善制度", "专项审计", "追究责任"],
    ]
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert vocab.ACTION_REJECT not in issues.iloc[:, 0].tolist()  # the file is read, not 退回


def test_a_hand_made_catalogues_one_measures_column_is_split(tmp_path: Path) -> None:
    """One 防控措施 column, as most bodies keep it: its 事前/事中/事后 parts go to the three
    measure columns (as a form's are read); a text naming no stage is 前期预防措施."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "部门", "岗位", "廉政风险点", "风险等级", "防控措施"])
    ws.append(
        [1, "财务股", "会计", "虚列支出", "高", "事前：学习财经纪律；事中：双人审核；事后：追责"]
    )
    ws.append([2, "办公室", "驾驶员", "公车私用", "低", "派车登记"])
    book = tmp_path / f"{YEAR}_丙区民政局_风险点汇总.xlsx"
    wb.save(book)
    catalogue = _combined(tmp_path, book)[vocab.COMBINE_SHEET_CATALOGUE]
    got = catalogue[["风险点描述", "前期预防措施", "中期监控措施", "后期处置措施"]].fillna("")
    assert got.values.tolist() == [
        ["虚列支出", "学习财经纪律", "双人审核", "追责"],
        ["公车私用", "派车登记", "", ""],
    ]


def test_a_hand_made_workbook_of_one_sheet_per_section_counts_each_point_once(
    tmp_path: Path,
) -> None:
    """Every sheet holding a catalogue is read (before, only the first: the other sections'
    points were lost without a word); a sheet without 科室 takes its name as the section; a
    section's sheet repeating the 汇总 sheet's points is not counted again; a note merged
    across the table is no point; a bad level is told at its own sheet and cell."""
    wb = openpyxl.Workbook()
    whole = wb.active
    whole.title = "汇总"
    whole.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    whole.append([1, "办公室", "文秘", "泄露文件", "高"])
    whole.append([2, "财务科", "会计", "违规报销", "中"])
    whole.append([])
    whole.append(["注：风险等级分为一级、二级、三级。"])
    whole.merge_cells("A5:E5")
    office = wb.create_sheet("办公室")
    office.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    office.append([1, "办公室", "文秘", "泄露文件", "高"])
    works = wb.create_sheet("业务科")
    works.append(["序号", "岗位", "风险点描述", "风险等级"])
    works.append([1, "科员", "吃拿卡要", "特级"])
    works.append([2, "科员", "推诿扯皮", "三级"])
    other = wb.create_sheet("Sheet3")
    other.append(["序号", "岗位", "风险点描述", "风险等级"])
    other.append([1, "科员", "不属于任何科室", "三级"])
    book = tmp_path / f"{YEAR}_丁区司法局_风险点目录.xlsx"
    wb.save(book)
    sheets = _combined(tmp_path, book)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert sorted(catalogue[["科室", "风险点描述"]].values.tolist()) == [
        ["业务科", "吃拿卡要"],
        ["业务科", "推诿扯皮"],
        ["办公室", "泄露文件"],
        ["财务科", "违规报销"],
    ]
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    bad = issues[issues["原值"] == "特级"]
    assert bad[["工作表", "单元格"]].values.tolist() == [["业务科", "D2"]]


def test_a_district_or_feedback_workbook_fed_back_in_is_not_counted(district, tmp_path) -> None:
    """Last round's district workbook and a body's feedback workbooks put among the archives
    are the tool's own outputs, named so and not counted: before, the district workbook was
    read as a hand-made catalogue of the body 「各单位」, so every body's points were counted
    twice, and each 科室反馈表 became a body such as 「办公室反馈」."""
    book, _, inputs, _ = district
    feedback = sorted((inputs["latest"].parent.parent / "a" / "out2").rglob("*_反馈.xlsx"))
    assert feedback and archives.other_output(book) == vocab.OUTPUT_LABELS["district"]
    filed = tmp_path / "filed"
    filed.mkdir()
    for path in (book, inputs["latest"], feedback[0]):
        shutil.copy(path, filed)
    sheets = _combined(tmp_path, filed)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert len(catalogue) == _levels(inputs["latest"])["n"]
    assert set(sheets[vocab.COMBINE_SHEET_BODIES][vocab.COMBINE_BODY_LABEL]) == {"甲区教育局"}
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues["文件"].str.endswith((book.name, feedback[0].name))]
    assert len(told) == 2
    assert told["问题"].str.contains("本工具生成的").all()


def test_a_hand_made_catalogues_unit_column_names_its_bodies(tmp_path: Path) -> None:
    """A hand-made catalogue with a 单位 column, saved as 「风险点目录.xlsx」: its bodies are the
    column's, each counted with its own rows, and the counts add up to the catalogue. Before,
    the body was taken from the file name (「风险点目录」, with 0 points in 各单位汇总) while its
    rows stood under the column's names in 风险点目录 and in the totals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "单位", "科室", "岗位", "风险点描述", "风险等级"])
    ws.append([1, "甲区民政局", "办公室", "文秘", "泄露文件", "高"])
    ws.append([2, "甲区民政局", "救助股", "经办人", "优亲厚友", "低"])
    ws.append([3, "甲区殡葬管理所", "业务股", "收费员", "违规收费", "中"])
    ws.append([4, "甲区 殡葬管理所", "业务股", "收费员", "乱收费", "中"])  # the same, a space
    book = tmp_path / "风险点目录.xlsx"
    wb.save(book)
    assert "民政局" not in book.stem  # the precondition: the file name names no body
    sheets = _combined(tmp_path, book)
    bodies = sheets[vocab.COMBINE_SHEET_BODIES].set_index(vocab.COMBINE_BODY_LABEL)
    assert bodies[["风险点数", "一级", "二级", "三级"]].astype(int).to_dict("index") == {
        "甲区民政局": {"风险点数": 2, "一级": 1, "二级": 0, "三级": 1},
        "甲区殡葬管理所": {"风险点数": 2, "一级": 0, "二级": 2, "三级": 0},
    }
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert catalogue[vocab.COMBINE_BODY_LABEL].value_counts().to_dict() == {
        "甲区民政局": 2,
        "甲区殡葬管理所": 2,
    }
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert issues["问题"].str.contains("单位记为「甲区民政局」").any()
    assert issues["修改建议"].str.contains("「单位」列").any()


def test_a_hand_made_catalogue_naming_no_body_is_not_counted_under_its_file_name(
    tmp_path: Path,
) -> None:
    """A hand-made catalogue saved as 「风险点目录.xlsx」, with no 单位 column: its body is
    unknown, so it is 退回 with that reason and its points are counted under no made-up body.
    Before, the body was 「风险点目录」 (the file name), 已报送 among the district's bodies."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    ws.append([1, "办公室", "文秘", "泄露文件", "高"])
    book = tmp_path / "风险点目录.xlsx"
    wb.save(book)
    named = tmp_path / f"{YEAR}_甲区民政局_风险点目录.xlsx"
    shutil.copy(book, named)
    sheets = _combined(tmp_path, book, named)
    assert sheets[vocab.COMBINE_SHEET_BODIES][vocab.COMBINE_BODY_LABEL].tolist() == ["甲区民政局"]
    assert len(sheets[vocab.COMBINE_SHEET_CATALOGUE]) == 1
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues["文件"] == str(book)]
    assert told[["处理", "问题"]].values.tolist() == [
        [vocab.ACTION_REJECT, vocab.MESSAGES["combine_no_body"].problem]
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_expected_list_with_a_title_and_a_number_column(district, tmp_path, kind) -> None:
    """The list of expected bodies as the commission keeps it: a title row, then 序号 |
    单位名称 | 联系人 (a .csv saved from it in GBK, too). Before, the .xlsx list's bodies were
    its title, 「序号」 and 「1.0」 …, and each .csv line was one body 「1,甲区教育局」: every
    body that filed was 「不在应报名单中」 and the expected ones 未报送 under false names."""
    _, _, inputs, _ = district
    rows = [
        ["2026年度廉政风险信息档案应报单位名单", None, None],
        ["序号", "单位名称", "联系人"],
        [1, "甲区教育局", "张三"],
        [2, "甲区财政局", "李四"],
    ]
    listed = tmp_path / f"应报单位.{kind}"
    if kind == "xlsx":
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(listed)
    else:
        text = "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows)
        listed.write_bytes(text.encode("gbk"))
    assert listed.read_bytes()  # the precondition: the list has its title and 序号 column
    out = tmp_path / "district"
    argv = ["combine", str(inputs["latest"]), "--out", str(out), "--expected", str(listed)]
    assert main([*argv, "--run-time", f"{YEAR}-05-10T09:00:00"]) == 0
    (book,) = out.glob("*.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    table = sheets[vocab.COMBINE_SHEET_BODIES]
    got = dict(zip(table[vocab.COMBINE_BODY_LABEL], table["报送状态"], strict=True))
    assert got == {
        "甲区教育局": vocab.COMBINE_STATUS_FILED,
        "甲区财政局": vocab.COMBINE_STATUS_MISSING,
    }


def test_a_hand_made_catalogue_graded_by_ticks(tmp_path: Path) -> None:
    """风险等级 merged over 高 | 中 | 低 with √ under one, as some bodies grade: each point has
    the level it ticked, and the choices' row is no point. Before, that row was read as a
    point 「风险点描述」 of level 一级 and every real point had a level 「√」 or none."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级", None, None])
    ws.append([None, None, None, None, "高", "中", "低"])
    ws.append([1, "办公室", "文秘", "泄露文件", "√", None, None])
    ws.append([2, "办公室", "司机", "公车私用", None, "√", "×"])
    ws.append([3, "财务股", "会计", "虚列支出", None, None, "✓"])
    for merged in ("E1:G1", "A1:A2", "B1:B2", "C1:C2", "D1:D2"):
        ws.merge_cells(merged)
    book = tmp_path / f"{YEAR}_甲区水务局_风险点目录.xlsx"
    wb.save(book)
    assert ws["E2"].value == "高"  # the precondition: the levels are the header's second row
    sheets = _combined(tmp_path, book)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert catalogue[["风险点描述", "评定等级"]].values.tolist() == [
        ["泄露文件", "一级"],
        ["公车私用", "二级"],
        ["虚列支出", "三级"],
    ]
    (row,) = sheets[vocab.COMBINE_SHEET_BODIES].to_dict("records")
    assert [row[k] for k in ("风险点数", "一级", "二级", "三级")] == ["3", "1", "1", "1"]


def test_a_hand_made_point_without_a_level_is_said(tmp_path: Path) -> None:
    """A point of a hand-made catalogue whose 风险等级 is blank is listed but counted by no
    level, so the body's levels fall short of its 风险点数: a 提示 at its cell says so, as for
    an unreadable level. Before, nothing was said."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    ws.append([1, "办公室", "文秘", "泄露文件", "高"])
    ws.append([2, "办公室", "司机", "公车私用", None])
    book = tmp_path / f"{YEAR}_甲区林业局_风险点目录.xlsx"
    wb.save(book)
    sheets = _combined(tmp_path, book)
    (row,) = sheets[vocab.COMBINE_SHEET_BODIES].to_dict("records")
    assert [row[k] for k in ("风险点数", "一级", "二级", "三级")] == ["2", "1", "0", "0"]
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues["问题"].str.startswith("风险等级没有填写")]
    assert told[["工作表", "单元格", "科室"]].values.tolist() == [["Sheet", "E3", "办公室"]]


def test_a_copy_of_a_hand_made_catalogue_is_the_same_body_once(tmp_path: Path) -> None:
    """A body's hand-made catalogue sent twice (「… (1).xlsx」 as a mail client saves it again)
    and once more under a name with a date and an attachment number: one body, its points
    once, the byte-identical copy 重复. Before, the copy was the body 「甲区水务局1」 and the
    other 「20260415」, and all three were counted."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    ws.append([1, "办公室", "文秘", "泄露文件", "高"])
    book = tmp_path / f"{YEAR}_甲区水务局_风险点目录.xlsx"
    wb.save(book)
    copy = shutil.copy(book, tmp_path / f"{YEAR}_甲区水务局_风险点目录 (1).xlsx")
    ws.append([2, "办公室", "司机", "公车私用", "中"])
    dated = tmp_path / "附件3：甲区水务局风险点目录_20260415.xlsx"
    wb.save(dated)
    old = book.stat().st_mtime - 3600
    os.utime(dated, (old, old))  # saved before the other two
    assert book.read_bytes() == Path(copy).read_bytes()  # the precondition
    sheets = _combined(tmp_path, book, Path(copy), dated)
    bodies = sheets[vocab.COMBINE_SHEET_BODIES]
    assert bodies[vocab.COMBINE_BODY_LABEL].tolist() == ["甲区水务局"]
    assert len(sheets[vocab.COMBINE_SHEET_CATALOGUE]) == 1  # the latest version's point
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert issues["问题"].str.contains("是同一份档案").sum() == 1
    # which one counts is said by the time each was saved (before: 「生成于 时间不详」 twice)
    mine = issues.loc[issues["文件"] == str(dated), "问题"]
    (told,) = mine[mine.str.contains("未计入")].tolist()
    assert "时间不详" not in told
    saved = datetime.fromtimestamp(old).strftime("%Y-%m-%d %H:%M")
    assert told.endswith(f"本份（{saved}）未计入。"), told


def test_an_expected_name_written_with_a_space_is_the_body_that_filed(district, tmp_path) -> None:
    """「甲区 教育局」 (a space, full-width letters or a trailing blank typed into the list) is
    the 甲区教育局 that filed: one row, its points once. Before, it was matched for the status but
    the body was listed twice, both rows with its counts (「已报送 2 个单位」)."""
    _, _, inputs, _ = district
    listed = tmp_path / "应报单位.txt"
    listed.write_text("甲区 教育局\n甲区财政局\n", encoding="utf-8")
    assert vocab.fold("甲区 教育局") == vocab.fold("甲区教育局")  # the precondition
    out = tmp_path / "district"
    argv = ["combine", str(inputs["latest"]), "--out", str(out), "--expected", str(listed)]
    assert main([*argv, "--run-time", f"{YEAR}-05-10T09:00:00"]) == 0
    (book,) = out.glob("*.xlsx")
    table = pd.read_excel(book, sheet_name=vocab.COMBINE_SHEET_BODIES, engine="calamine", dtype=str)
    assert table[[vocab.COMBINE_BODY_LABEL, "报送状态", "风险点数"]].values.tolist() == [
        ["甲区教育局", vocab.COMBINE_STATUS_FILED, str(_levels(inputs["latest"])["n"])],
        ["甲区财政局", vocab.COMBINE_STATUS_MISSING, "0"],
    ]


def test_the_heat_map_says_the_points_it_cannot_place(district, tmp_path) -> None:
    """A hand-made catalogue gives no 发生几率 or 危害程度: its points are in no cell of the
    heat map, and a line under it says how many, so that the map and the catalogue add up.
    Before, the map held fewer points than the catalogue without a word."""
    _, _, inputs, hand = district
    sheets = _combined(tmp_path, inputs["latest"], hand["hand"])
    stats = sheets[vocab.COMBINE_SHEET_STATS]
    cells = stats.iloc[3:6, 1:4].astype(int).to_numpy().sum()
    total = len(sheets[vocab.COMBINE_SHEET_CATALOGUE])
    assert cells == _levels(inputs["latest"])["n"] and total == cells + len(HAND_ROWS)
    note = f"共 {total} 个风险点，其中 {len(HAND_ROWS)} 个没有填写发生几率或危害程度"
    assert stats.iloc[:, 0].fillna("").str.startswith(note).sum() == 1


def test_a_hand_made_catalogue_of_another_year_by_its_title_is_not_counted(
    tmp_path: Path,
) -> None:
    """Two bodies' own catalogues named without a year, their titles giving it: last year's
    (2025) is told as another year's and not counted with this year's. Before, a file name
    without a year counted in any year."""
    books = []
    for body, year in (("甲区审计局", YEAR - 1), ("甲区水务局", YEAR), ("甲区统计局", YEAR)):
        path = tmp_path / f"{body}风险点目录.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([f"{year}年度{body}廉政风险点目录"])
        ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
        for i, row in enumerate(HAND_ROWS, start=1):
            ws.append([i, *row])
        wb.save(path)
        assert not YEAR_IN_STEM.search(path.stem)  # the precondition: only the title has it
        books.append(path)
    sheets = _combined(tmp_path, *books)
    bodies = _by_body(sheets)
    assert "甲区水务局" in bodies and "甲区统计局" in bodies
    assert (
        "甲区审计局" not in bodies
        or int(bodies["甲区审计局"][vocab.COMBINE_BODY_HEADERS["n_points"]]) == 0
    )
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues[vocab.ISSUE_COLUMNS["file"]].str.contains("甲区审计局")]
    assert any(str(YEAR - 1) in text for text in told[vocab.ISSUE_COLUMNS["problem"]])
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert "甲区审计局" not in set(catalogue[vocab.COMBINE_BODY_LABEL])


def test_an_expected_body_written_short_is_the_body_that_filed(tmp_path: Path) -> None:
    """The commission's list says 水务局 where the body filed as 甲区水务局: one row, 已报送,
    with a 提示 saying the two were taken as one. Before, two rows: 水务局 未报送 and 甲区水务局
    已报送（不在应报名单中）."""
    water = _body(tmp_path / "water", "甲区水务局", seed=23)
    books = [_process(water, tmp_path / "water" / "out", f"{YEAR}-04-20T09:00:00")]
    assert archives.read_identity(books[0]).body == "甲区水务局"  # a marked archive
    path = tmp_path / f"{YEAR}_甲区统计局_风险点目录.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    for i, row in enumerate(HAND_ROWS, start=1):
        ws.append([i, *row])
    wb.save(path)
    books.append(path)
    expected = tmp_path / "应报单位.txt"
    expected.write_text("水务局\n甲区统计局\n甲区财政局\n", encoding="utf-8")
    out = tmp_path / "district"
    argv = ["combine", *map(str, books), "--out", str(out), "--expected", str(expected)]
    assert main([*argv, "--run-time", f"{YEAR}-05-10T09:00:00"]) == 0
    (book,) = out.glob("*.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    status = vocab.COMBINE_BODY_HEADERS["status"]
    got = {body: row[status] for body, row in _by_body(sheets).items()}
    assert got == {
        "甲区水务局": vocab.COMBINE_STATUS_FILED,
        "甲区统计局": vocab.COMBINE_STATUS_FILED,
        "甲区财政局": vocab.COMBINE_STATUS_MISSING,
    }
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues[vocab.ISSUE_COLUMNS["problem"]].str.contains("「水务局」", na=False)]
    assert len(told) == 1 and "甲区水务局" in told[vocab.ISSUE_COLUMNS["problem"]].iloc[0]


def test_a_hand_made_catalogues_formula_without_a_result_is_read_as_its_text(
    tmp_path: Path,
) -> None:
    """A catalogue written by a script (openpyxl) whose 风险点描述 of one row is a formula
    saved without a result (``=CONCATENATE(...)``, no cached value). combine read that cell
    as empty: the district catalogue showed the point without any description and nothing was
    said. Now it is read as its formula text (never evaluated), as process reads forms, with a
    提示 at its cell; nothing in the district workbook becomes a formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    ws.append([1, "办公室", "文秘", "泄露文件", "高"])
    ws.append([2, "办公室", "司机", '=CONCATENATE("公车","私用")', "二级"])
    book = tmp_path / f"{YEAR}_甲区林业局_风险点目录.xlsx"
    wb.save(book)
    with zipfile.ZipFile(book) as zf:  # precondition: a formula, no result saved
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="D3"[^>]*><f>CONCATENATE\("公车","私用"\)</f><v\s*/>', xml)

    sheets = _combined(tmp_path, book)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert catalogue["风险点描述"].tolist() == ["泄露文件", '=CONCATENATE("公车","私用")']
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues["问题"].str.contains("公式单元格没有保存计算结果")]
    assert told[["工作表", "单元格"]].values.tolist() == [["Sheet", "D3"]]
    (district,) = (tmp_path / "district").glob("*.xlsx")
    with zipfile.ZipFile(district) as zf:
        parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("CONCATENATE" in zf.read(n).decode() and "<f>" in zf.read(n).decode()
                       for n in parts)  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "above"),
    [
        ("附件2.xlsx", [f"{YEAR}年度甲区教育局岗位廉政风险点目录"]),  # only the title names it
        ("风险点目录.xlsx", ["填报单位（盖章）：", "甲区教育局", None, "填报日期：2026年4月20日"]),
        (
            f"教育局{YEAR}.xlsx",
            [f"甲区教育局{YEAR}年廉政风险点汇总表"],
        ),  # the file name shortens it
    ],
)
def test_a_hand_made_catalogue_whose_title_names_its_body(
    tmp_path: Path, file_name: str, above: list[object]
) -> None:
    """A body's own catalogue mailed as 「附件2.xlsx」 (or renamed short by the office) whose
    title or 填报单位 line names the body: its points are that body's, and the 提示 says where
    the name was taken from. Before, 附件2.xlsx was 退回 「文件名和表中都没有写单位名称」 — untrue,
    the title says it — and 教育局2026.xlsx was a body 「教育局」 beside 甲区教育局."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(above)
    ws.append(["序号", "部门", "岗位", "风险点", "风险等级"])
    for i, row in enumerate(HAND_ROWS, start=1):
        ws.append([i, *row])
    book = tmp_path / file_name
    wb.save(book)
    assert "甲区教育局" not in book.stem  # the precondition: the file name does not say it
    sheets = _combined(tmp_path, book)
    bodies = _by_body(sheets)
    assert list(bodies) == ["甲区教育局"]
    assert bodies["甲区教育局"][vocab.COMBINE_BODY_HEADERS["n_points"]] == str(len(HAND_ROWS))
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert vocab.ACTION_REJECT not in issues[vocab.ISSUE_COLUMNS["action"]].tolist()
    told = issues[issues[vocab.ISSUE_COLUMNS["file"]] == str(book)]
    assert told[vocab.ISSUE_COLUMNS["fix"]].tolist() == [
        vocab.MESSAGES["combine_hand_made_title"].fix
    ]


def _signed_catalogue(path: Path) -> None:
    """A body's catalogue as printed for signing: a 小计 row (its count under 风险等级) and a
    合计 row (「5个」 under 风险点描述), a blank row, the signature line (填表人 under 序号,
    审核人 under 岗位) and a note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"{YEAR}年度甲区水务局廉政风险点目录"])
    ws.append(["序号", "单位/科室", "岗位名称", "风险点表现形式", "风险等级", "防控措施", "责任人"])
    for i, (section, post, description, level) in enumerate(HAND_ROWS, start=1):
        ws.append([i, section, post, description, level, "加强监督", "张三"])
    ws.append([None, "小计", None, None, len(HAND_ROWS), None, None])  # a count under 风险等级
    ws.append(["合计", None, None, f"{len(HAND_ROWS)}个", None, None, None])
    ws.append([])
    ws.append(["填表人：王五", None, "审核人：赵六", None, None, "联系电话：", 13800000000])
    ws.append(["注：风险等级分为一级、二级、三级。"])
    wb.save(path)


def test_the_foot_of_a_hand_made_catalogue_is_no_point(tmp_path: Path) -> None:
    """「小计 … 5」, 「合计 … 5个」 and 「填表人：王五 … 审核人：赵六 … 联系电话：」 under a body's
    catalogue: none is a risk point, in the district nor in the catalogue prefill and 年度对比
    read as last year's. Before, the 小计 row was a 三级 point (its count 5 read as a level:
    the body's 三级 count was wrong), the 合计 row a point 「5个」 told 「风险等级没有填写」, and the
    signature line one more point with 岗位 「审核人：赵六」."""
    book = tmp_path / f"{YEAR}_甲区水务局_风险点目录.xlsx"
    _signed_catalogue(book)
    ws = openpyxl.load_workbook(book).active
    assert ws.cell(ws.max_row - 1, 3).value == "审核人：赵六"  # the precondition: under 岗位
    assert ws.cell(len(HAND_ROWS) + 3, 5).value == len(HAND_ROWS)  # a count under 风险等级
    sheets = _combined(tmp_path, book)
    bodies = _by_body(sheets)
    assert bodies["甲区水务局"][vocab.COMBINE_BODY_HEADERS["n_points"]] == str(len(HAND_ROWS))
    written = {"一级": 2, "二级": 2, "三级": 1}  # 高, 一级 | 中, 2级 | 低
    assert {lv: int(bodies["甲区水务局"][lv]) for lv in vocab.LEVELS} == written
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert "审核人：赵六" not in set(catalogue[vocab.CATALOGUE_COLUMNS["post"]])
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert vocab.MESSAGES["combine_no_level"].problem not in set(
        issues[vocab.ISSUE_COLUMNS["problem"]]
    )
    last_year = archives.read_catalogue(book)
    assert last_year["description"].tolist() == [row[2] for row in HAND_ROWS]


def test_a_self_check_form_among_the_archives_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A person's self-check form mailed to the commission by mistake is 退回 saying it is a
    form a person or section fills, not only 「没有找到风险点目录」."""
    make_demo(tmp_path / "body", people=4, seed=3, error_rate=0.0)
    form = next(p for p in sorted((tmp_path / "body" / "inbox").rglob("*.xlsx")))
    assert vocab.SHEET_INDIVIDUAL in openpyxl.load_workbook(form, read_only=True).sheetnames
    hand = tmp_path / f"{YEAR}_甲区民政局_风险点目录.xlsx"
    _hand_made(hand)
    sheets = _combined(tmp_path, form, hand)
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues[vocab.ISSUE_COLUMNS["file"]] == str(form)]
    assert told[
        [vocab.ISSUE_COLUMNS["action"], vocab.ISSUE_COLUMNS["problem"]]
    ].values.tolist() == [
        [
            vocab.ACTION_REJECT,
            vocab.MESSAGES["combine_is_form"].problem.format(detail=vocab.SHEET_INDIVIDUAL),
        ]
    ]


def test_an_archive_mailed_in_a_zip_is_read_from_the_zip(district, tmp_path: Path) -> None:
    """A body's archive mailed zipped (with a note beside it, and a zip inside the zip): the
    archive is read from the zip and counted under its body, shown as 报送材料.zip/…; the note is
    told as no Excel file and the inner zip is told to be unzipped. Before, the whole zip was
    退回 「请把压缩包解压…后重新汇总」 and the body counted as not filed."""
    _, _, inputs, _ = district
    packed = tmp_path / "报送材料.zip"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(inputs["other"], inputs["other"].name)
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(inputs["latest"], inputs["latest"].name)
        zf.writestr("说明.txt", "请查收。")
        zf.write(inner, "卫健委.zip")
    sheets = _combined(tmp_path, packed)
    bodies = _by_body(sheets)
    assert list(bodies) == ["甲区教育局"]
    row = bodies["甲区教育局"]
    assert int(row[vocab.COMBINE_BODY_HEADERS["n_points"]]) == _levels(inputs["latest"])["n"]
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = dict(
        zip(issues[vocab.ISSUE_COLUMNS["file"]], issues[vocab.ISSUE_COLUMNS["fix"]], strict=True)
    )
    assert told[f"{packed}/卫健委.zip"] == vocab.MESSAGES["combine_packed"].fix
    assert f"{packed}/说明.txt" in told
    assert str(packed) not in told  # the zip itself is no problem


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice converts the archive")
def test_an_archive_saved_as_xls_is_not_called_an_earlier_version(district, tmp_path) -> None:
    """This round's archive saved again as .xls (as an office does for an old PC) has lost its
    marker but keeps its cover: it is counted under its body, and 报送情况 does not call it an
    archive of an earlier version of the tool, which it is not."""
    import subprocess

    _, _, inputs, _ = district
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "xls")]
        + [str(inputs["other"])],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    (xls,) = (tmp_path / "xls").glob("*.xls")
    sheets = _combined(tmp_path, xls)
    filing = sheets[vocab.COMBINE_SHEET_FILING]
    (kind,) = filing[vocab.COMBINE_FILING_HEADERS["kind"]].tolist()
    assert kind == vocab.COMBINE_KINDS["tool"]
    assert "早期版本" in kind and "另存为" in kind  # not only 「早期版本」


@pytest.mark.parametrize(
    "header",
    [
        ["序号", "部门名称", "工作岗位", "职权名称", "主要风险点", "风险等级"],
        ["序号", "处（科）室", "岗位", "职责事项", "风险表现", "风险级别"],
        ["序号", "内设机构", "岗位名称", "权力事项", "廉政风险表现", "等级"],
    ],
)
def test_a_hand_made_catalogue_headed_in_a_bodys_own_words(tmp_path: Path, header) -> None:
    """Bodies head their own catalogues 部门名称 / 处（科）室 / 内设机构, 工作岗位, 职权名称 /
    职责事项, 主要风险点 / 风险表现: each such catalogue is read, in the district and as last
    year's catalogue for prefill and 年度对比. Before, 「没有找到风险点目录」 (部门名称, 处（科）室,
    内设机构 were no 科室; 主要风险点, 风险表现 no 风险点描述)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"{YEAR}年度甲区交通局廉政风险点目录"])
    ws.append(header)
    for i, (section, post, description, level) in enumerate(HAND_ROWS, start=1):
        ws.append([i, section, post, "审批", description, level])
    book = tmp_path / f"{YEAR}_甲区交通局_风险点目录.xlsx"
    wb.save(book)
    sheets = _combined(tmp_path, book)
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    got = catalogue[["科室", "岗位（职务）", "职权事项（工作环节）", "风险点描述"]]
    assert got.values.tolist() == [[s, p, "审批", d] for s, p, d, _ in HAND_ROWS]
    last_year = archives.read_catalogue(book)
    assert last_year is not None and last_year["description"].tolist() == [
        row[2] for row in HAND_ROWS
    ]


def test_the_district_folder_inside_the_archives_folder_is_not_read_again(
    district, tmp_path: Path
) -> None:
    """``combine 收到的档案 --out 收到的档案/汇总`` run twice: the second run does not read the
    first run's district workbook as one more file (「未能读取 1 个文件」 on every rerun)."""
    _, _, inputs, _ = district
    filed = tmp_path / "收到的档案"
    filed.mkdir()
    shutil.copy(inputs["other"], filed)
    out = filed / "汇总"
    runs = []
    for _ in range(2):
        runs.append(_combined_in(filed, out))
    assert list(out.glob("*.xlsx"))  # the precondition: the first run's workbook is in the folder
    issues = runs[1][vocab.COMBINE_SHEET_ISSUES]
    assert not len(issues[issues[vocab.ISSUE_COLUMNS["action"]] == vocab.ACTION_REJECT])
    assert runs[0][vocab.COMBINE_SHEET_BODIES].equals(runs[1][vocab.COMBINE_SHEET_BODIES])


def _combined_in(folder: Path, out: Path) -> dict[str, pd.DataFrame]:
    code = main(["combine", str(folder), "--out", str(out), "--run-time", f"{YEAR}-05-10T09:00:00"])
    assert code == 0
    (book,) = out.glob("*.xlsx")
    return pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)


def _hand_catalogue(book: Path) -> Path:
    """A hand-made catalogue of ``HAND_ROWS`` (序号, 科室, 岗位, 风险点描述, 风险等级) at ``book``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "科室", "岗位", "风险点描述", "风险等级"])
    for i, row in enumerate(HAND_ROWS, start=1):
        ws.append([i, *row])
    wb.save(book)
    return book


@pytest.mark.parametrize(
    "stem",
    [
        "甲区教育局风险点目录(修订版)",
        "甲区教育局-正式版",
        "甲区教育局廉政风险点目录（附件1）",
        "关于报送甲区教育局廉政风险点的报告",
        "副本 甲区教育局目录",
    ],
)
def test_a_hand_made_catalogues_file_name_with_a_version_names_its_body(
    tmp_path: Path, stem: str
) -> None:
    """A body's own catalogue named as offices name a version (修订版, 正式版, 附件1, a 关于报送
    …的报告, a 副本): its body is 甲区教育局. Before, the bodies were 「修订版」, 「甲区教育局正式版」,
    「附件1」 and 「关于」, and the 副本 was 退回 as naming no body."""
    sheets = _combined(tmp_path, _hand_catalogue(tmp_path / f"{stem}.xlsx"))
    assert list(_by_body(sheets)) == ["甲区教育局"]


@pytest.mark.parametrize(
    ("stem", "body"),
    [("甲区档案局风险点目录", "甲区档案局"), ("2026_甲区档案馆_廉政风险点目录", "甲区档案馆")],
)
def test_a_body_named_for_archives_keeps_its_whole_name(
    tmp_path: Path, stem: str, body: str
) -> None:
    """Every district has a 档案局 or 档案馆. 档案 is also a word of the document's name (信息档案),
    so the file name was cut there and the body was 「甲区」; it is 甲区档案局 / 甲区档案馆."""
    sheets = _combined(tmp_path, _hand_catalogue(tmp_path / f"{stem}.xlsx"))
    assert list(_by_body(sheets)) == [body]


def test_a_sheet_named_for_the_archives_room_is_its_section() -> None:
    """A hand-made catalogue with one sheet per section and no 科室 column: the 档案室 sheet is the
    档案室's points (档案 of the document's name does not make it a document word)."""
    assert archives.sheet_section("档案室") == "档案室"
    assert archives.sheet_section("风险点汇总") is None


def test_a_zip_bomb_among_the_archives_is_refused_and_the_rest_combined(tmp_path: Path) -> None:
    """A zip that inflates far beyond its size (2 MB of zeros in a few KB) is refused with the
    inbox's zip-bomb reason before anything is written out; the hand-made catalogue beside
    it is combined."""
    bomb = tmp_path / "档案.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("甲区教育局_廉政风险信息档案.xlsx", b"\0" * (2 * 1024 * 1024))
    assert bomb.stat().st_size * 400 < 2 * 1024 * 1024  # the precondition: past the ratio
    sheets = _combined(
        tmp_path, bomb, _hand_catalogue(tmp_path / "2026_甲区民政局_风险点目录.xlsx")
    )
    assert list(_by_body(sheets)) == ["甲区民政局"]
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    told = issues[issues[vocab.ISSUE_COLUMNS["file"]] == str(bomb)]
    assert (
        told[vocab.ISSUE_COLUMNS["problem"]].str.contains("解压后的体积异常").all()
        and len(told) == 1
    )


def test_file_names_with_a_line_break_or_a_right_to_left_override_are_shown_plainly(
    tmp_path: Path,
) -> None:
    """A catalogue named 甲区<RLO>xslx.xlsx and a damaged file with a tab and a line break in
    its name: 来源档案, 档案文件 and 异常清单 show the override as [不可见字符] and the control
    characters as spaces, as the inbox's names are. Before, the override turned the cell (and
    the message quoting it) backwards and the line break split the cell."""
    folder = tmp_path / "收到"
    folder.mkdir()
    book = folder / "甲区\u202excod.xlsx"
    _hand_made(book)
    (folder / "坏\t文件\n二.xlsx").write_bytes(b"not a workbook")
    assert sorted("\u202e" in p.name or "\n" in p.name for p in folder.iterdir()) == [True, True]
    sheets = _combined(tmp_path, folder)
    texts = [str(v) for frame in sheets.values() for v in frame.to_numpy().ravel()]
    assert not [t for t in texts if "\u202e" in t or "\n" in t and "文件" in t and "坏" in t]
    catalogue = sheets[vocab.COMBINE_SHEET_CATALOGUE]
    assert "收到/甲区[不可见字符]xcod.xlsx" in set(catalogue.iloc[:, -1])
    issues = sheets[vocab.COMBINE_SHEET_ISSUES]
    assert "收到/坏 文件 二.xlsx" in set(issues["文件"])
