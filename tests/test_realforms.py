"""What real offices send: layouts of public bodies' forms, read through discover, read,
validate, merge, grade and assign, and checked row by row (section, person, level, 评定依据)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline import (
    assign,
    completeness,
    config,
    discover,
    frames,
    grade,
    layout,
    merge,
    owners,
    read,
    vocab,
)
from pipeline.validate import validate
from tests import builders
from tests.conftest import process_cli
from tests.forms import form_grid, pledge_grid, sample_row, write_form, write_xlsx
from tests.test_validate import make_roster

SETTINGS = config.default_settings()


def graded(inbox: Path):
    """(files, points, issues) of ``inbox`` through every stage up to assign."""
    roster = make_roster()
    files, found = discover.discover(inbox, SETTINGS)
    files, rows, read_issues = read.read_files(files, inbox, SETTINGS)
    files, rows, points, checked = validate(files, rows, roster, SETTINGS)
    points, merged = merge.merge(points)
    points, _posts = grade.grade(points, roster, SETTINGS)
    points = assign.assign(points, roster, SETTINGS)
    issues = frames.concat_issues(
        found,
        read_issues,
        checked,
        merged,
        grade.level_issues(points),
        owners.stated_issues(points, files),
    )
    return files, rows, points, issues


def codes(issues: pd.DataFrame) -> list[str]:
    return sorted(issues["code"].tolist())


# --------------------------------------------------------------------------------------
# 亳州's 廉政风险防控表: no header block, 单位/科室 and leaders merged over blocks, 高/中/低
# --------------------------------------------------------------------------------------
BOZHOU_HEADER = [
    "序号",
    "单位/科室",
    "风险类别",
    "风险点",
    "廉政风险主要内容及表现形式",
    "风险等级",
    "防控措施",
    "部门负责人",
    "责任领导",
]


def bozhou_grid() -> list[list[object]]:
    title = ["示例区妇联廉政风险防控表", *[None] * 8]
    return [
        title,
        BOZHOU_HEADER,
        [
            1,
            "办公室",
            "岗位职责风险",
            "公文管理",
            "泄露未公开文件内容",
            "低",
            "严格保密制度",
            "张三",
            "孙七",
        ],
        [
            2,
            None,
            "业务流程风险",
            "公务接待",
            "超标准接待",
            "中",
            "前期：定标准\n中期：审批\n后期：公示",
            None,
            None,
        ],
        [3, "财务科", "制度机制风险", "资金支付", "违规审批支付", "高", "双人复核", "王五", "孙七"],
        [4, None, "外部环境风险", "政府采购", "与供应商串通", "中", "公开招标", None, None],
        ["注：风险等级分为高、中、低三级。", None, None, None, None, None, None, None, None],
    ]


def test_bozhou_table_is_read_row_by_row_against_the_roster(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = bozhou_grid()
    assert grid[3][1] is None and grid[3][7] is None  # the blocks are merged, not repeated
    write_xlsx(
        inbox / "廉政风险防控表.xlsx",
        {"Sheet1": grid},
        merges={"Sheet1": ["A1:I1", "B3:B4", "H3:H4", "I3:I4", "B5:B6", "H5:H6", "I5:I6"]},
    )
    files, rows, points, issues = graded(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert rows["accepted"].all() and len(rows) == 4  # the 注： line is not a risk point
    got = points.sort_values("excel_row")
    assert got["section"].tolist() == ["办公室", "办公室", "财务科", "财务科"]
    assert got["kind"].tolist() == [vocab.UNIT] * 4  # a section's rows, no person named
    # 风险点 names the step here: the longer column is the description
    assert got["step"].tolist() == ["公文管理", "公务接待", "资金支付", "政府采购"]
    assert got["description"].tolist()[0] == "泄露未公开文件内容"
    assert got["self_level"].tolist() == ["三级", "二级", "一级", "二级"]
    assert got["level"].tolist() == ["三级", "二级", "一级", "二级"]
    assert got["level_reason"].tolist()[1] == "按填报的风险等级：二级；未填发生几率、危害程度"
    # the combined measures were split where labelled
    assert got["monitor"].tolist()[1] == "审批"
    # one note per file suggests the two columns; the header block is not required
    assert codes(issues).count("single_level") == 1
    assert "missing_header_field" not in codes(issues)
    # stated supervisors are kept and compared: the 部门负责人 is not the computed 直接管理
    assert got["stated_direct"].tolist() == ["张三", "张三", "王五", "王五"]
    differs = issues[issues["code"] == "stated_supervisor_differs"]
    direct = differs[differs["field"] == "部门负责人"]  # the column as the form heads it
    assert set(direct["value"]) == {"张三", "王五"}  # a unit point's 直接管理 is the 分管副主席
    assert "孙七" in direct.iloc[0]["problem"] and direct.iloc[0]["action"] == vocab.ACTION_NOTE
    assert direct["cell"].tolist() == ["H3", "H4", "H5", "H6"]  # the stated cell
    # 责任领导 孙七 is right for the 二级/三级 points; the 一级 one goes to the chair 周八
    leader = differs[differs["field"] == "责任领导"]
    assert leader["value"].tolist() == ["孙七"] and "周八" in leader.iloc[0]["problem"]


def test_an_owner_column_headed_unit_with_its_word_in_brackets(tmp_path: Path) -> None:
    """The 亳州 table with its 单位/科室 column headed 「单位（部门）」: the column was an extra
    one, nobody owned the rows, and the file was refused for a missing 科室."""
    inbox = tmp_path / "inbox"
    grid = bozhou_grid()
    grid[1] = ["单位（部门）" if v == "单位/科室" else v for v in grid[1]]
    assert grid[1][1] == "单位（部门）"  # precondition
    write_xlsx(
        inbox / "廉政风险防控表.xlsx",
        {"Sheet1": grid},
        merges={"Sheet1": ["A1:I1", "B3:B4", "H3:H4", "I3:I4", "B5:B6", "H5:H6", "I5:I6"]},
    )
    files, rows, points, issues = graded(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert rows["accepted"].all() and len(rows) == 4
    got = points.sort_values("excel_row")
    assert got["section"].tolist() == ["办公室", "办公室", "财务科", "财务科"]
    assert "extra_column" not in codes(issues)


# --------------------------------------------------------------------------------------
# a whole-body table: 科室 | 姓名 | 岗位 per row, merged over blocks, one level column
# --------------------------------------------------------------------------------------
def test_a_row_naming_several_people_says_so_not_that_they_are_unknown(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    header = ["序号", "科室", "姓名", "风险环节", "风险类别", "风险描述", "风险等级", "防范措施"]
    grid = [
        header,
        [1, "办公室", "张三、李四", "印章", "岗位职责风险", "违规用印", "三级", "登记"],
        [2, "办公室", "张三，钱九", "档案", "业务流程风险", "泄露档案", "二级", "登记"],
        [3, "办公室", "李四", "公文", "业务流程风险", "泄密", "二级", "登记"],
    ]
    write_xlsx(inbox / "汇总表.xlsx", {"汇总": grid})
    _files, _rows, points, issues = graded(inbox)
    assert points["excel_row"].tolist() == [4]
    many = issues[issues["code"] == "row_many_people"]
    assert many["cell"].tolist() == ["C2"] and many["action"].tolist() == [vocab.ACTION_REJECT]
    assert "（张三、李四）" in many["problem"].iloc[0]
    # a name the roster does not have among them: that is what the row is told
    unknown = issues[issues["code"] == "row_not_in_roster"]
    assert unknown["cell"].tolist() == ["C3"]


def test_a_rows_name_one_character_from_a_roster_name_asks_whether_it_is_a_slip(
    tmp_path: Path,
) -> None:
    """A body table's row names 李泗 of 办公室, whose roster lists 李四: the row is sent back
    asking whether 李四 was meant (as a form's header is), not only 「不在组织名册中」."""
    inbox = tmp_path / "inbox"
    header = ["序号", "科室", "姓名", "风险环节", "风险类别", "风险描述", "风险等级", "防范措施"]
    grid = [
        header,
        [1, "办公室", "李泗", "印章", "岗位职责风险", "违规用印", "三级", "登记"],
        [2, "办公室", "李四", "公文", "业务流程风险", "泄密", "二级", "登记"],
    ]
    write_xlsx(inbox / "汇总表.xlsx", {"汇总": grid})
    _files, _rows, points, issues = graded(inbox)
    assert points["excel_row"].tolist() == [3]
    (hit,) = issues[issues["cell"] == "C2"].itertuples()
    assert (hit.action, hit.value) == (vocab.ACTION_REJECT, "李泗")
    assert "名册中本科室有「李四」，是否写错？" in hit.problem


@pytest.mark.parametrize("dot", ["•", "・", "‧", "∙", "･"])
def test_a_name_whose_middle_dot_is_typed_otherwise_is_the_roster_person(
    tmp_path: Path, dot: str
) -> None:
    inbox = tmp_path / "inbox"
    roster = builders.make_roster(
        [
            ("办公室", "阿不都·热合曼", "科员", "其他", False),
            ("办公室", "张三", "主任", "其他", True),
        ],
        [("办公室", "张三", "")],
    )
    write_form(inbox / "a.xlsx", header={"name": f"阿不都{dot}热合曼"})
    files, _found = discover.discover(inbox, SETTINGS)
    files, rows, _read_issues = read.read_files(files, inbox, SETTINGS)
    assert dot in files.loc[0, "name"]  # precondition: the form's own dot
    files, rows, points, issues = validate(files, rows, roster, SETTINGS)
    assert points["name"].tolist() == ["阿不都·热合曼"] and rows["accepted"].all()
    assert issues.empty, codes(issues)  # not even 「是否写错？」: it is the same name


def test_body_table_attributes_each_row_to_its_person(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    header = [
        "序号",
        "科室",
        "姓名",
        "岗位",
        "风险环节",
        "风险类别",
        "风险描述",
        "风险等级",
        "防范措施",
    ]
    grid = [
        ["2026年度岗位廉政风险点汇总表", *[None] * 8],
        ["填报单位：示例区妇联", *[None] * 8],
        header,
        [1, "办公室", "李四", "文员", "印章管理", "岗位职责风险", "违规用印", "三级", "登记审批"],
        [2, None, None, None, "档案管理", "业务流程风险", "泄露档案", "二级", "查阅登记"],
        [3, "财务科", "赵六", "出纳", "现金管理", "岗位职责风险", "挪用现金", "三级", "日清月结"],
        [4, "财务科", "钱九", "会计", "报销审核", "业务流程风险", "虚假报销", "二级", "复核"],
    ]
    write_xlsx(
        inbox / "汇总表.xlsx",
        {"汇总": grid},
        merges={"汇总": ["A1:I1", "A2:I2", "B4:B5", "C4:C5", "D4:D5"]},
    )
    _files, rows, points, issues = graded(inbox)
    by_row = points.set_index("excel_row")
    assert by_row.loc[4, ["section", "name", "post"]].tolist() == ["办公室", "李四", "文员"]
    assert by_row.loc[5, ["section", "name"]].tolist() == ["办公室", "李四"]  # merged block
    # 赵六 is 出纳 (人财物管理): the post floor raises the written 三级 to 一级
    assert by_row.loc[6, "level"] == "一级"
    assert by_row.loc[6, "level_reason"] == (
        "按填报的风险等级：三级；未填发生几率、危害程度；岗位类别：人财物管理→一级（自评三级）"
    )
    assert by_row.loc[4, "level_reason"] == "按填报的风险等级：三级；未填发生几率、危害程度"
    # 钱九 is not in the roster: that row (and only it) is sent back, at its 姓名 cell
    bad = issues[issues["code"] == "row_not_in_roster"]
    assert bad[["cell", "action"]].values.tolist() == [["C7", vocab.ACTION_REJECT]]
    assert rows.set_index("excel_row")["accepted"].to_dict() == {
        4: True,
        5: True,
        6: True,
        7: False,
    }
    assert "missing_header_field" not in codes(issues)


def test_a_person_whose_own_form_was_sent_back_counts_by_their_rows_of_a_table(
    tmp_path: Path,
) -> None:
    """李四's own form has every row sent back, but the section's table holds his rows and
    they count: he has points in the catalogue, so he is no 「已报送但被退回」."""
    inbox = tmp_path / "inbox"
    grid = [
        ["办公室廉政风险点汇总表", *[None] * 6],
        ["科室", "姓名", "岗位", "风险环节", "风险类别", "风险描述", "风险等级"],
        ["办公室", "李四", "文员", "印章管理", "岗位职责风险", "违规用印", "三级"],
        ["办公室", "张三", "科员", "公文处理", "岗位职责风险", "泄露信息", "三级"],
    ]
    write_xlsx(inbox / "汇总表.xlsx", {"汇总": grid})
    write_form(
        inbox / "李四.xlsx",
        header={"name": "李四", "post": "文员", "date": "2026-03-20"},
        rows=[sample_row(1, harm=None)],  # 危害程度 blank: the row is sent back
    )
    files, rows, points, _issues = graded(inbox)
    # precondition: his own form is read with no row counted; the table's row counts
    assert set(files["status"]) == {frames.FILE_STATUS_READ}
    assert not rows.loc[rows["file"] == "李四.xlsx", "accepted"].any()
    assert points[["file", "name"]].values.tolist() == [
        ["汇总表.xlsx", "李四"],
        ["汇总表.xlsx", "张三"],
    ]
    subs, _pledges, issues = completeness.completeness(files, points, make_roster(), SETTINGS, 2026)
    li = subs.set_index("name").loc["李四"]
    # counted by the table (逾期 by its modification date: the table has no 填表日期)
    assert li["file"] == "汇总表.xlsx"
    assert li["status"] in (vocab.STATUS_ON_TIME, vocab.STATUS_LATE)
    assert "sent_back" not in codes(issues)


def test_a_person_whose_only_rows_of_a_table_were_sent_back_is_not_shown_as_missing(
    tmp_path: Path,
) -> None:
    """张三 sent nothing of his own; the section's table holds one row of his, sent back (its
    风险等级 is no level). He did submit: 已报送但被退回, told which file, never 未报送."""
    inbox = tmp_path / "inbox"
    grid = [
        ["办公室廉政风险点汇总表", *[None] * 6],
        ["科室", "姓名", "岗位", "风险环节", "风险类别", "风险描述", "风险等级"],
        ["办公室", "李四", "文员", "印章管理", "岗位职责风险", "违规用印", "三级"],
        ["办公室", "张三", "科员", "公文处理", "岗位职责风险", "泄露信息", "特别严重"],
    ]
    write_xlsx(inbox / "汇总表.xlsx", {"汇总": grid})
    files, rows, points, _issues = graded(inbox)
    # precondition: the table is read, 张三's only row is sent back, 李四's counts
    assert set(files["status"]) == {frames.FILE_STATUS_READ}
    assert rows.set_index("name")["accepted"].to_dict() == {"李四": True, "张三": False}
    subs, _pledges, issues = completeness.completeness(
        files, points, make_roster(), SETTINGS, 2026, rows=rows
    )
    zhang = subs.set_index("name").loc["张三"]
    assert (zhang["status"], zhang["file"]) == (vocab.STATUS_SENT_BACK, "汇总表.xlsx")
    told = issues[issues["name"] == "张三"]
    assert "not_submitted" not in codes(told)
    assert told["problem"].str.contains("汇总表.xlsx").any()
    # 王五 (财务科) sent nothing at all: still 未报送
    assert subs.set_index("name").loc["王五", "status"] == vocab.STATUS_MISSING


# --------------------------------------------------------------------------------------
# a two-row header (防控措施 over 前期预防 | 中期监控 | 后期处置), example row, 注 row
# --------------------------------------------------------------------------------------
def test_two_row_header_with_example_and_note_rows(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    top = [
        "序号",
        "权力事项",
        "风险类别",
        "廉政风险点表现形式",
        "发生几率",
        "危害程度",
        "风险等级",
        "防控措施",
        None,
        None,
    ]
    sub = [None, None, None, None, None, None, None, "事前", "事中", "事后"]
    grid = [
        ["个人岗位廉政风险点登记表", *[None] * 9],
        [
            "科室：财务科",
            None,
            None,
            "姓名：王五",
            None,
            None,
            "填报日期：2026年3月20日",
            None,
            None,
            None,
        ],
        top,
        sub,
        [
            "例",
            "资金审批",
            "岗位职责风险",
            "示例：违规审批",
            "高",
            "严重",
            "一级",
            "学习",
            "检查",
            "问责",
        ],
        [1, "资金支付", "岗位职责风险", "违规支付", "中", "一般", "三级", "制度", "复核", "追责"],
        [2, "票据管理", "业务流程风险", "虚开票据", "低", "较重", "二级", "登记", "盘点", "处理"],
        ["填表说明：风险等级按矩阵评定。", None, None, None, None, None, None, None, None, None],
    ]
    merges = ["A1:J1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:J3"]
    write_xlsx(inbox / "王五.xlsx", {"Sheet1": grid}, merges={"Sheet1": merges})
    files, rows, points, issues = graded(inbox)
    rec = files.iloc[0]
    assert (rec["status"], rec["section"], rec["name"], rec["date"]) == (
        frames.FILE_STATUS_READ,
        "财务科",
        "王五",
        "2026-03-20",
    )
    assert rows["excel_row"].tolist() == [6, 7]  # the example row is skipped, the 说明 too
    example = issues[issues["code"] == "example_row"]
    assert example[["cell", "action"]].values.tolist() == [["A5", vocab.ACTION_NOTE]]
    got = points.sort_values("excel_row")
    assert got[["prevent", "monitor", "handle"]].values.tolist()[0] == ["制度", "复核", "追责"]
    # 王五 is 会计 (人财物管理): the floor decides
    assert got["level"].tolist() == ["一级", "一级"]
    assert got["level_reason"].tolist()[0] == (
        "发生几率中×危害程度一般→三级；岗位类别：人财物管理→一级（自评三级）"
    )
    assert "extra_column" not in codes(issues) and "single_level" not in codes(issues)


# --------------------------------------------------------------------------------------
# a two-row header whose group labels are centred across their columns (跨列居中), not merged
# --------------------------------------------------------------------------------------
def test_two_row_header_centred_across_without_merge(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    top = ["序号", "职权事项", "风险类别", "风险点描述", "风险等级评定", None, None]
    top += ["防控措施", None, None]
    sub = [None, None, None, None, "发生几率", "危害程度", "等级", "前期", "中期", "后期"]
    grid = [
        ["个人廉政风险自查表", *[None] * 9],
        ["科室", "财务科", "姓名", "王五", None, None, "填表日期", "2026-03-20", None, None],
        top,
        sub,
        [1, "资金支付", "岗位职责风险", "违规支付", "中", "一般", "三级", "制度", "复核", "追责"],
        [2, "票据管理", "业务流程风险", "虚开票据", "低", "较重", "二级", "登记", "盘点", "处理"],
    ]
    write_xlsx(inbox / "王五.xlsx", {"Sheet1": grid})  # no merged ranges at all
    assert grid[2][4] == "风险等级评定" and grid[2][5] is None and grid[3][4] == "发生几率"
    files, rows, points, issues = graded(inbox)
    assert files.iloc[0]["status"] == frames.FILE_STATUS_READ
    assert rows["excel_row"].tolist() == [5, 6]  # the sub-header row is no risk point
    got = points.sort_values("excel_row")
    assert got[["likelihood", "harm", "self_level"]].values.tolist() == [
        ["中", "一般", "三级"],
        ["低", "较重", "二级"],
    ]
    assert got[["prevent", "monitor", "handle"]].values.tolist() == [
        ["制度", "复核", "追责"],
        ["登记", "盘点", "处理"],
    ]
    assert "single_level" not in codes(issues)
    assert (issues["action"] == vocab.ACTION_REJECT).sum() == 0


# --------------------------------------------------------------------------------------
# the 纪检 app's 风险清单: 权力 and 风险环节 both name the step, 风险名称 kept in 备注
# --------------------------------------------------------------------------------------
def test_risk_list_template_keeps_every_column(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    header = [
        "序号",
        "权力",
        "风险名称",
        "风险环节",
        "风险内容",
        "风险类别",
        "风险等级",
        "防范措施",
    ]
    grid = [
        ["风险清单", *[None] * 7],
        ["科室", "办公室", "姓名", "李四", None, None, None, None],
        header,
        [
            "例",
            "0101重大决策",
            "提交资料风险",
            "提交资料",
            "引导错误决策",
            "岗位职责风险",
            "高",
            "按制度执行",
        ],
        [1, "0102采购", "采购风险", "询价", "指定供应商", "业务流程风险", "中", "三家比价"],
        [2, None, None, None, None, None, None, None],
    ]
    write_xlsx(inbox / "风险清单.xlsx", {"Sheet1": grid}, merges={"Sheet1": ["A1:H1"]})
    _files, rows, points, issues = graded(inbox)
    assert len(rows) == 1 and rows["accepted"].all()
    point = points.iloc[0]
    assert (point["section"], point["name"], point["level"]) == ("办公室", "李四", "二级")
    assert point["step"] == "0102采购" and point["description"] == "指定供应商"
    assert point["remark"] == "风险名称：采购风险\n风险环节：询价"
    assert codes(issues).count("example_row") == 1
    assert "extra_column" not in codes(issues)


def test_the_blank_risk_list_template_of_the_corpus_is_an_empty_form(tmp_path: Path) -> None:
    src = Path(
        "/work/shared/corpus/public/luanshenhui+java/vip/dcapp/src/main/resources/template/"
        "List_of_risks.xlsx"
    )
    if not src.exists():  # the corpus is not part of the repository
        return
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / src.name).write_bytes(src.read_bytes())
    files, _rows, _points, issues = graded(inbox)
    assert files.loc[0, "reason"] == "empty_form"
    assert "unknown_template" not in codes(issues)
    assert codes(issues).count("example_row") == 1


# --------------------------------------------------------------------------------------
# one sheet per person
# --------------------------------------------------------------------------------------
def test_each_person_of_a_workbook_of_sheets_has_their_own_pledge(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    zhang = form_grid(rows=[sample_row(1)])
    li = form_grid(header={"name": "李四", "post": "文员"}, rows=[sample_row(7)])
    wang = form_grid(header={"section": "财务科", "name": "王五"}, rows=[sample_row(9)])
    write_xlsx(
        inbox / "科室汇总.xlsx",
        {
            "张三": zhang,
            "李四": li,
            "王五": wang,
            # 李四's pledge first: the first person must not take it for theirs
            "李四承诺书": pledge_grid(["不收礼", "不吃请"], pledger="李四"),
            "张三承诺书": pledge_grid(["不收礼"], pledger="张三"),
        },
    )
    files, _rows, points, _issues = graded(inbox)
    roster = make_roster()
    _subs, pledges, issues = completeness.completeness(files, points, roster, SETTINGS, 2026)
    got = pledges.set_index("name")
    assert got.loc["张三", "items"] == 1 and got.loc["李四", "items"] == 2
    assert got.loc["张三", "status"] == got.loc["李四", "status"] == vocab.PLEDGE_STATUS_OK
    assert got.loc["王五", "status"] == vocab.PLEDGE_STATUS_MISSING  # none of their own
    missing = issues[issues["code"] == "pledge_missing"]
    assert missing["name"].tolist() == ["王五"]


def test_every_form_sheet_of_a_workbook_is_its_own_submission(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    zhang = form_grid(rows=[sample_row(1)])
    li = form_grid(header={"name": "李四", "post": "文员"}, rows=[sample_row(7), sample_row(8)])
    wang = form_grid(header={"section": "财务科", "name": "王五"}, rows=[sample_row(9)])
    write_xlsx(
        inbox / "科室汇总.xlsx",
        {"张三": zhang, "李四": li, "王五": wang, vocab.SHEET_PLEDGE: pledge_grid(["不收礼"])},
    )
    _files, rows, points, issues = graded(inbox)
    assert len(rows) == 4 and rows["accepted"].all()  # none skipped, all rows counted
    by_desc = points.set_index("description")
    assert by_desc.loc["泄露未公开信息1", ["name", "sheet"]].tolist() == ["张三", "张三"]
    assert by_desc.loc["泄露未公开信息7", ["name", "post", "sheet"]].tolist() == [
        "李四",
        "文员",
        "李四",
    ]
    assert by_desc.loc["泄露未公开信息9", ["section", "name"]].tolist() == ["财务科", "王五"]
    assert by_desc.loc["泄露未公开信息9", "level"] == "一级"  # 会计: 人财物管理
    assert "second_form" not in codes(issues)


def test_rows_of_a_sheet_whose_header_names_nobody_of_the_roster_are_sent_back_each_at_its_row(
    tmp_path: Path,
) -> None:
    """A workbook of one sheet per person whose second sheet's header names 王五 in a 综合科
    the roster lacks: its rows were 退回 「这一行的「王五（综合科）」不在组织名册中」 with no
    cell, so neither 异常清单 nor the annotated copy said which row. Each is at its row now."""
    inbox = tmp_path / "inbox"
    zhang = form_grid(rows=[sample_row(1)])
    wang = form_grid(
        header={"section": "综合科", "name": "王五"}, rows=[sample_row(8), sample_row(9)]
    )
    assert wang[1][1] == "综合科" and len(wang) == 5  # precondition: points on rows 4 and 5
    write_xlsx(inbox / "科室汇总.xlsx", {"张三": zhang, "王五": wang})
    _files, rows, _points, issues = graded(inbox)
    assert rows.set_index(["sheet", "excel_row"])["accepted"].to_dict() == {
        ("张三", 4): True,
        ("王五", 4): False,
        ("王五", 5): False,
    }
    bad = issues[issues["code"] == "row_not_in_roster"]
    assert bad[["sheet", "cell", "action"]].values.tolist() == [
        ["王五", "A4", vocab.ACTION_REJECT],
        ["王五", "A5", vocab.ACTION_REJECT],
    ]


def _section_workbook(inbox: Path, when: object) -> Path:
    """办公室's workbook of one sheet per person (张三, 李四), both sheets dated ``when``."""
    zhang = form_grid(header={"date": when}, rows=[sample_row(1), sample_row(2)])
    li = form_grid(header={"name": "李四", "post": "文员", "date": when}, rows=[sample_row(7)])
    return write_xlsx(inbox / "办公室汇总.xlsx", {"张三": zhang, "李四": li})


def test_a_later_form_of_one_person_replaces_only_their_sheet_of_a_workbook(
    tmp_path: Path,
) -> None:
    """张三's own corrected form, sent after the section's workbook, replaces his sheet of it;
    李四's sheet still counts (it was dropped with the whole workbook, without a word)."""
    inbox = tmp_path / "inbox"
    _section_workbook(inbox, "2026-03-10")
    write_form(inbox / "张三.xlsx", header={"date": "2026-03-20"}, rows=[sample_row(5)])
    files, rows, points, issues = graded(inbox)
    status = files.set_index("file")["status"]
    # precondition: the workbook's own person is 张三, who also sent a later form
    assert files.set_index("file").loc["办公室汇总.xlsx", "name"] == "张三"
    assert status["办公室汇总.xlsx"] == status["张三.xlsx"] == frames.FILE_STATUS_READ
    got = sorted(zip(points["file"], points["name"], points["description"], strict=True))
    assert got == [
        ("办公室汇总.xlsx", "李四", "泄露未公开信息7"),
        ("张三.xlsx", "张三", "泄露未公开信息5"),
    ]
    told = issues[(issues["file"] == "办公室汇总.xlsx") & (issues["code"] == "superseded")]
    assert told["sheet"].tolist() == ["张三"] and told["name"].tolist() == ["张三"]
    assert "张三.xlsx" in told["problem"].iloc[0]
    # 张三's sheet rows are gone from the count; 李四's one row stays
    assert sorted(rows.loc[rows["file"] == "办公室汇总.xlsx", "excel_row"]) == [4]


def test_a_person_whose_sheet_a_sent_back_form_replaced_is_not_counted_by_a_colleagues_sheet(
    tmp_path: Path,
) -> None:
    """张三's later form replaces his sheet of the section's workbook, and every row of it is
    sent back: he is 已报送但被退回 (his latest form), not 按时 by the workbook, where only
    李四's sheet still counts."""
    inbox = tmp_path / "inbox"
    _section_workbook(inbox, "2026-03-10")
    write_form(inbox / "张三.xlsx", header={"date": "2026-03-20"}, rows=[sample_row(5, harm=None)])
    files, rows, points, _issues = graded(inbox)
    # precondition: the workbook is read and stands under 张三's name; his later form is read
    # with no row counted, his sheet of the workbook replaced
    assert files.set_index("file").loc["办公室汇总.xlsx", ["status", "name"]].tolist() == [
        frames.FILE_STATUS_READ,
        "张三",
    ]
    assert not rows.loc[rows["file"] == "张三.xlsx", "accepted"].any()
    assert points["name"].tolist() == ["李四"]
    subs, _pledges, _issues = completeness.completeness(
        files, points, make_roster(), SETTINGS, 2026, rows=rows
    )
    by_name = subs.set_index("name")
    assert (by_name.loc["张三", "status"], by_name.loc["张三", "file"]) == (
        vocab.STATUS_SENT_BACK,
        "张三.xlsx",
    )
    assert by_name.loc["李四", "file"] == "办公室汇总.xlsx"
    assert by_name.loc["李四", "status"] in (vocab.STATUS_ON_TIME, vocab.STATUS_LATE)


def test_a_person_whose_replaced_sheet_stood_for_them_counts_by_their_rows_of_a_table(
    tmp_path: Path,
) -> None:
    """张三's sheet of the workbook is replaced by his later form, which is all sent back; a
    section table also holds a row of his, and it counts: he is counted by that table."""
    inbox = tmp_path / "inbox"
    _section_workbook(inbox, "2026-03-10")
    write_form(inbox / "张三.xlsx", header={"date": "2026-03-20"}, rows=[sample_row(5, harm=None)])
    grid = [
        ["办公室廉政风险点汇总表", *[None] * 6],
        ["科室", "姓名", "岗位", "风险环节", "风险类别", "风险描述", "风险等级"],
        ["办公室", "张三", "科员", "公文处理", "岗位职责风险", "泄露信息", "三级"],
        ["办公室", "李四", "文员", "印章管理", "岗位职责风险", "违规用印", "三级"],
    ]
    write_xlsx(inbox / "汇总表.xlsx", {"汇总": grid})
    files, rows, points, _issues = graded(inbox)
    # precondition: his counted row is the table's; the workbook counts for 李四 only
    assert sorted(zip(points["file"], points["name"], strict=True)) == [
        ("办公室汇总.xlsx", "李四"),
        ("汇总表.xlsx", "张三"),
        ("汇总表.xlsx", "李四"),
    ]
    subs, _pledges, _issues = completeness.completeness(
        files, points, make_roster(), SETTINGS, 2026, rows=rows
    )
    zhang = subs.set_index("name").loc["张三"]
    assert zhang["file"] == "汇总表.xlsx"
    assert zhang["status"] in (vocab.STATUS_ON_TIME, vocab.STATUS_LATE)


def _dated_workbook(inbox: Path, zhang: object, li: object) -> Path:
    """办公室's workbook of one sheet per person, each sheet with its own 填表日期."""
    sheets = {
        "张三": form_grid(header={"date": zhang}, rows=[sample_row(1)]),
        "李四": form_grid(
            header={"name": "李四", "post": "文员", "date": li}, rows=[sample_row(7)]
        ),
    }
    return write_xlsx(inbox / "办公室汇总.xlsx", sheets)


def test_each_person_of_a_workbook_is_judged_by_their_own_sheets_date(tmp_path: Path) -> None:
    """张三 filled his sheet on 3月10日, 李四 his on 4月20日 (no year written): 李四 is 逾期, told
    at his own sheet's date cell, and the year assumed is noted there; 张三 stays 按时."""
    inbox = tmp_path / "inbox"
    _dated_workbook(inbox, "2026-03-10", "4月20日")
    files, rows, points, issues = graded(inbox)
    # precondition: both sheets read, each person's row counts
    assert sorted(points["name"]) == ["张三", "李四"]
    assumed = issues[(issues["code"] == "date_year_assumed")]
    assert assumed[["sheet", "name", "value"]].values.tolist() == [["李四", "李四", "4月20日"]]
    subs, _pledges, more = completeness.completeness(
        files, points, make_roster(), SETTINGS, 2026, rows=rows
    )
    by_name = subs.set_index("name")
    assert by_name.loc["张三", ["status", "date"]].tolist() == [vocab.STATUS_ON_TIME, "2026-03-10"]
    assert by_name.loc["李四", ["status", "date"]].tolist() == [vocab.STATUS_LATE, "2026-04-20"]
    late = more[more["code"] == "late"]
    assert late[["sheet", "name"]].values.tolist() == [["李四", "李四"]]
    cell = assumed["cell"].iloc[0]
    assert cell and late["cell"].iloc[0] == cell  # his own 填表日期 cell, on his own sheet


def test_a_persons_later_sheet_replaces_their_earlier_own_form(tmp_path: Path) -> None:
    """李四 sent his own form on 4月1日, then the section's workbook came with his sheet dated
    4月20日 (its first sheet, 张三's, is older): his sheet is the later one and counts."""
    inbox = tmp_path / "inbox"
    write_form(
        inbox / "李四.xlsx",
        header={"name": "李四", "post": "文员", "date": "2026-04-01"},
        rows=[sample_row(3)],
    )
    _dated_workbook(inbox, "2026-03-10", "2026-04-20")
    files, _rows, points, _issues = graded(inbox)
    status = files.set_index("file")["status"]
    assert status["办公室汇总.xlsx"] == frames.FILE_STATUS_READ
    assert status["李四.xlsx"] == frames.FILE_STATUS_SUPERSEDED
    assert sorted(zip(points["file"], points["name"], strict=True)) == [
        ("办公室汇总.xlsx", "张三"),
        ("办公室汇总.xlsx", "李四"),
    ]


def test_a_later_workbook_replaces_each_persons_own_earlier_form(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(
        inbox / "李四.xlsx",
        header={"name": "李四", "post": "文员", "date": "2026-03-01"},
        rows=[sample_row(3)],
    )
    _section_workbook(inbox, "2026-03-10")
    files, _rows, points, _issues = graded(inbox)
    status = files.set_index("file")["status"]
    # precondition: 李四 is not the workbook's own person (its first sheet is 张三's)
    assert files.set_index("file").loc["办公室汇总.xlsx", "name"] == "张三"
    assert status["李四.xlsx"] == frames.FILE_STATUS_SUPERSEDED
    assert files.set_index("file").loc["李四.xlsx", "superseded_by"] == "办公室汇总.xlsx"
    assert status["办公室汇总.xlsx"] == frames.FILE_STATUS_READ
    assert sorted(points["description"]) == [
        "泄露未公开信息1",
        "泄露未公开信息2",
        "泄露未公开信息7",
    ]


def _submissions(inbox: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(submissions by name, completeness issues) of ``inbox`` against the test roster."""
    files, rows, points, _issues = graded(inbox)
    subs, _pledges, issues = completeness.completeness(
        files, points, make_roster(), SETTINGS, 2026, rows=rows
    )
    return subs.set_index("name"), issues


def test_a_person_whose_own_sheet_of_a_workbook_is_empty_was_sent_back_not_missing(
    tmp_path: Path,
) -> None:
    """李四's sheet of the section's workbook has his header and an empty table: his form came,
    empty; he is told so at his own sheet (退回), not listed as never having sent one."""
    inbox = tmp_path / "inbox"
    zhang = form_grid(rows=[sample_row(1)])
    li = form_grid(header={"name": "李四", "post": "文员"}, rows=[])
    wang = form_grid(header={"section": "财务科", "name": "王五"}, rows=[sample_row(9)])
    assert len(li) == 3 and li[1][4] == "李四"  # the precondition: his header, no data row
    write_xlsx(inbox / "科室汇总.xlsx", {"张三": zhang, "李四": li, "王五": wang})
    subs, issues = _submissions(inbox)
    assert subs.loc["张三", "status"] != vocab.STATUS_SENT_BACK
    assert subs.loc["王五", "status"] != vocab.STATUS_SENT_BACK
    assert (subs.loc["李四", "status"], subs.loc["李四", "file"]) == (
        vocab.STATUS_SENT_BACK,
        "科室汇总.xlsx",
    )
    empty = issues[issues["code"] == "empty_sheet"]
    assert empty[["action", "file", "sheet", "cell", "section", "name"]].values.tolist() == [
        [vocab.ACTION_REJECT, "科室汇总.xlsx", "李四", "A3", "办公室", "李四"]
    ]
    assert "李四" in empty["problem"].iloc[0] and "没有填写任何风险点" in empty["problem"].iloc[0]
    assert not (issues["code"].eq("not_submitted") & issues["name"].eq("李四")).any()


def test_every_person_of_an_empty_workbook_of_sheets_was_sent_back(tmp_path: Path) -> None:
    """No sheet has a row: the workbook is 退回 as a whole for its first person, and every
    other person whose sheet names them is sent back too, none of them 未报送. A spare blank
    sheet naming nobody says nothing."""
    inbox = tmp_path / "inbox"
    sheets = {
        "张三": form_grid(rows=[]),
        "李四": form_grid(header={"name": "李四", "post": "文员"}, rows=[]),
        "王五": form_grid(header={"section": "财务科", "name": "王五"}, rows=[]),
        "空白": form_grid(header={"section": None, "name": None, "post": None}, rows=[]),
    }
    write_xlsx(inbox / "科室汇总.xlsx", sheets)
    subs, issues = _submissions(inbox)
    for person in ("张三", "李四", "王五"):
        assert subs.loc[person, "status"] == vocab.STATUS_SENT_BACK, person
        assert subs.loc[person, "file"] == "科室汇总.xlsx"
    assert subs.loc["赵六", "status"] == vocab.STATUS_MISSING  # who sent nothing still is
    empty = issues[issues["code"] == "empty_sheet"]
    assert sorted(zip(empty["sheet"], empty["name"], strict=True)) == [
        ("李四", "李四"),
        ("王五", "王五"),
    ]


def test_an_empty_sheet_of_someone_counted_elsewhere_is_no_sending_back(tmp_path: Path) -> None:
    """李四's empty sheet in the section's workbook, and his own filled form: he is counted by
    his form, and his blank sheet is not held against him; 张三's spare blank copy of his own
    sheet neither."""
    inbox = tmp_path / "inbox"
    sheets = {
        "张三": form_grid(rows=[sample_row(1)]),
        "张三 (2)": form_grid(rows=[]),
        "李四": form_grid(header={"name": "李四", "post": "文员"}, rows=[]),
    }
    write_xlsx(inbox / "科室汇总.xlsx", sheets)
    write_form(inbox / "李四.xlsx", header={"name": "李四", "post": "文员"}, rows=[sample_row(4)])
    subs, issues = _submissions(inbox)
    assert subs.loc["李四", "status"] != vocab.STATUS_SENT_BACK
    assert subs.loc["李四", "file"] == "李四.xlsx"
    assert subs.loc["张三", "status"] != vocab.STATUS_SENT_BACK
    assert "empty_sheet" not in issues["code"].tolist()


def test_the_reminder_quotes_each_persons_own_problem_of_a_shared_workbook(
    tmp_path: Path,
) -> None:
    """催报名单 and the terminal: each person of an empty workbook of sheets is listed as sent
    back with their own problem (their own sheet), not the workbook's count of everyone's."""
    cfg = builders.write_config(tmp_path, builders.CHILDREN_PEOPLE, builders.CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    head = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    sheets = {
        "丁玲": form_grid(header={**head, "name": "丁玲"}, rows=[]),
        "范彩兰": form_grid(header={**head, "name": "范彩兰"}, rows=[]),
    }
    write_xlsx(inbox / "部门汇总.xlsx", sheets)
    assert process_cli(inbox, cfg, out) == 0
    text = (out / "催报名单.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    ding = next(line for line in lines if line.startswith("丁玲："))
    fan = next(line for line in lines if line.startswith("范彩兰："))
    assert "没有填写任何风险点" in ding and "共 2 处问题" not in ding
    assert "工作表「范彩兰」" in fan and "共 2 处问题" not in fan
    missing = [line for line in lines if line.startswith("尚未报送个人自查表")]
    assert not any("丁玲" in line or "范彩兰" in line for line in missing)


@pytest.mark.parametrize(
    ("written", "phase", "status", "shown", "note"),
    [
        ("2026年3月", "find_risks", vocab.STATUS_ON_TIME, "2026-03", "整个月都不晚于截止日期"),
        ("二〇二六年五月", "find_risks", vocab.STATUS_LATE, "2026-05", "整个月都晚于截止日期"),
        ("2026-04", "grade", None, None, "截止日期 2026-04-15 在这个月内"),
    ],
)
def test_a_form_dated_by_its_month_only_is_judged_by_that_month(
    tmp_path: Path, written: str, phase: str, status: str | None, shown: str | None, note: str
) -> None:
    """填表日期 「2026年3月」: a 提示 that the day is missing (not 「不是可识别的日期」), and lateness
    by the month against the deadline — the file's own date only when the deadline falls in
    that month (before, always the file's modification date, so a March form saved in
    December was 逾期)."""
    import dataclasses

    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", header={"date": written}, rows=[sample_row(1)])
    os.utime(inbox / "张三.xlsx", (1_795_000_000, 1_795_000_000))  # saved 2026-11-18
    settings = dataclasses.replace(SETTINGS, late_phase=phase)
    files, _found = discover.discover(inbox, settings)
    files, rows, _ = read.read_files(files, inbox, settings)
    files, rows, points, checked = validate(files, rows, make_roster(), settings)
    assert files.loc[0, "date"] is pd.NA or pd.isna(files.loc[0, "date"])  # no day was read
    assert checked["code"].tolist().count("date_month_only") == 1
    assert "bad_date" not in checked["code"].tolist()
    subs, _pledges, issues = completeness.completeness(files, points, make_roster(), settings, 2026)
    zhang = subs.set_index("name").loc["张三"]
    assert note in zhang["note"]
    if status is None:  # the deadline inside the month: the file's date (November) decides
        assert zhang["status"] == vocab.STATUS_LATE and zhang["date"] == "2026-11-18"
        return
    assert (zhang["status"], zhang["date"]) == (status, shown)
    late = issues[issues["code"] == "late_by_month"]
    assert len(late) == (status == vocab.STATUS_LATE)


def test_an_unfilled_date_line_is_told_as_not_filled_in(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", header={"date": "    年  月  日"}, rows=[sample_row(1)])
    files, _rows, points, issues = graded(inbox)
    assert pd.isna(files.loc[0, "date"])
    assert "bad_date" not in issues["code"].tolist()
    subs, _pledges, _ = completeness.completeness(files, points, make_roster(), SETTINGS, 2026)
    assert "未填写填表日期" in subs.set_index("name").loc["张三", "note"]


# --------------------------------------------------------------------------------------
# Tick columns: 风险等级 merged over 一级 | 二级 | 三级, 发生几率 centred over 高 | 中 | 低
# --------------------------------------------------------------------------------------
def _ticked_form(inbox: Path) -> Path:
    top = ["序号", "工作环节", "风险点描述", "发生几率", None, None, "危害程度"]
    top += ["风险等级", None, None, "防控措施"]
    sub = [None, None, None, "高", "中", "低", None, "一级", "二级", "三级", None]
    grid = [
        ["个人廉政风险点自查表", *[None] * 10],
        ["科室：办公室", None, "姓名：李四", None, None, "填表日期：2026年3月20日", *[None] * 5],
        top,
        sub,
        [1, "公文收发", "泄露未公开文件", "√", None, None, "较重", None, "√", None, "专人登记"],
        [2, "物品采购", "违规指定供应商", "×", "×", "✓", "一般", "×", "×", "✓", "三家比价"],
        [3, "会议安排", "超标准安排会议", "√", "√", None, "严重", "√", None, None, "按标准审核"],
    ]
    # 风险等级 merged over its three choices; 发生几率 only written above the first (centred)
    merges = ["A3:A4", "B3:B4", "C3:C4", "G3:G4", "H3:J3", "K3:K4"]
    return write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid}, merges={"Sheet1": merges})


def test_a_value_ticked_under_its_choices_is_that_value(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _ticked_form(inbox)
    files, rows, points, issues = graded(inbox)
    assert files["status"].tolist() == [frames.FILE_STATUS_READ]
    assert rows["excel_row"].tolist() == [5, 6, 7]  # the choices' row is header, not a point
    got = points.sort_values("excel_row")
    assert got["excel_row"].tolist() == [5, 6]
    assert got["likelihood"].tolist() == ["高", "低"]  # ✓ counts, × does not
    assert got["self_level"].tolist() == ["二级", "三级"]
    assert "unknown_column" not in codes(issues) and "extra_column" not in codes(issues)
    # a row that ticked two choices is sent back, naming them as the form writes them
    several = issues[issues["code"] == "ticked_several"]
    assert several[["cell", "field", "action"]].values.tolist() == [
        ["D7", "发生几率", vocab.ACTION_REJECT]
    ]
    assert "高、中" in several["problem"].iloc[0]


def test_two_levels_typed_into_one_cell_are_not_told_as_ticks(tmp_path: Path) -> None:
    """「高、中」 typed into a plain level column: sent back as two choices, in words that
    fit a typed cell (no tick columns on this form)."""
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", rows=[{**sample_row(1), "self_level": "高、中"}])
    _files, _rows, _points, issues = graded(inbox)
    several = issues[issues["code"] == "ticked_several"]
    assert several["field"].tolist() == [vocab.COLUMN_LABELS["self_level"]]
    assert "高、中" in several["problem"].iloc[0]
    assert "勾选" not in several["problem"].iloc[0] + several["fix"].iloc[0]


def test_a_table_of_values_under_a_label_row_is_no_set_of_choices(tmp_path: Path) -> None:
    """One value under a label (a data row right under a one-row header) stays a point."""
    inbox = tmp_path / "inbox"
    grid = [
        ["个人廉政风险点自查表", *[None] * 5],
        ["科室：办公室", None, "姓名：李四", None, "填表日期：2026年3月20日", None],
        ["序号", "工作环节", "风险点描述", "风险等级", "防控措施", None],
        [None, None, None, "高", None, None],
        [1, "公文收发", "泄露未公开文件", "中", "专人登记", None],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, points, _issues = graded(inbox)
    assert rows["excel_row"].tolist() == [4, 5]
    assert sorted(points["self_level"].dropna().tolist()) == ["二级"]


# --------------------------------------------------------------------------------------
# 风险类别 as heading lines: 「一、岗位职责风险」 over the points of that category
# --------------------------------------------------------------------------------------
def test_points_under_a_category_heading_line_have_that_category(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = [
        ["个人廉政风险点自查表", *[None] * 5],
        ["科室：办公室", None, "姓名：李四", None, "填表日期：2026年3月20日", None],
        ["序号", "工作环节", "风险点描述", "风险等级", "防控措施", "备注"],
        ["一、岗位职责风险", *[None] * 5],  # merged across the table
        [1, "公文收发", "泄露未公开文件", "二级", "专人登记", None],
        ["（二）业务流程风险", *[None] * 5],  # in its first cell only, numbered
        [2, "物品采购", "违规指定供应商", "三级", "三家比价", None],
        [3, "会议安排", "超标准安排会议", "三级", "按标准审核", None],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid}, merges={"Sheet1": ["A4:F4"]})
    _files, rows, points, issues = graded(inbox)
    assert rows["excel_row"].tolist() == [5, 7, 8]  # the headings are no points
    got = points.sort_values("excel_row")
    assert got["category"].tolist() == ["岗位职责风险", "业务流程风险", "业务流程风险"]
    assert "no_category_column" not in codes(issues)  # the headings stand for the column


def test_a_lone_category_cell_without_numbering_is_still_a_row(tmp_path: Path) -> None:
    """A row holding only 「岗位职责风险」 (no numbering, not merged) is a row with its fields
    missing, reported as such, not taken for a heading."""
    inbox = tmp_path / "inbox"
    grid = [
        ["科室：办公室", None, "姓名：李四", None, "填表日期：2026年3月20日"],
        ["序号", "风险类别", "风险点描述", "风险等级", "防控措施"],
        [None, "岗位职责风险", None, None, None],
        [1, "岗位职责风险", "泄露未公开文件", "二级", "专人登记"],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, _points, _issues = graded(inbox)
    assert rows["excel_row"].tolist() == [3, 4]
    assert not rows["accepted"].iloc[0] and rows["accepted"].iloc[1]


def test_the_table_header_repeated_under_its_rows_is_the_same_form(tmp_path: Path) -> None:
    """A header repeated on a later page (or pasted with a block of rows), with no title or
    header block of its own, continues the form: its rows are read, the repeat is no point."""
    inbox = tmp_path / "inbox"
    header = ["序号", "工作环节", "风险类别", "风险点描述", "风险等级", "防控措施"]
    grid = [
        ["科室：办公室", None, "姓名：李四", None, "填表日期：2026年3月20日", None],
        header,
        [1, "公文收发", "岗位职责风险", "泄露未公开文件", "二级", "专人登记"],
        header,
        [2, "物品采购", "业务流程风险", "违规指定供应商", "三级", "三家比价"],
        [None] * 6,
        header,
        [3, "会议安排", "业务流程风险", "超标准安排会议", "三级", "按标准审核"],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, points, issues = graded(inbox)
    assert rows["excel_row"].tolist() == [3, 5, 8]
    assert rows["accepted"].all()
    assert len(points) == 3
    assert "second_form" not in codes(issues)


def test_a_header_whose_labels_are_split_over_two_rows(tmp_path: Path) -> None:
    """Narrow columns' labels typed in two cells, one under the other (发生 / 几率, 风险 /
    类别): the second row was read as a risk point (危害程度「程度」) and the table as one
    without 风险类别, 发生几率 and 自评等级, every row sent back."""
    inbox = tmp_path / "inbox"
    top = ["序号", "职权事项", "风险", "风险点", "发生", "危害", "自评", "前期预防"]
    top += ["中期监控", "后期处置"]
    sub = [None, "（工作环节）", "类别", "描述", "几率", "程度", "等级", "措施", "措施", "措施"]
    grid = [
        ["个人廉政风险自查表", *[None] * 9],
        ["科室", "财务科", "姓名", "王五", None, None, "填表日期", "2026-03-20", None, None],
        top,
        sub,
        [1, "资金支付", "岗位职责风险", "违规支付", "中", "一般", "三级", "制度", "复核", "追责"],
    ]
    write_xlsx(inbox / "王五.xlsx", {"Sheet1": grid})
    assert layout.column_key("发生") is None and layout.column_key("发生几率") == "likelihood"
    files, rows, points, issues = graded(inbox)
    assert files.iloc[0]["status"] == frames.FILE_STATUS_READ
    assert rows["excel_row"].tolist() == [5]
    point = points.iloc[0]
    assert (point["category"], point["likelihood"], point["harm"], point["self_level"]) == (
        "岗位职责风险",
        "中",
        "一般",
        "三级",
    )
    assert (point["step"], point["prevent"], point["handle"]) == ("资金支付", "制度", "追责")
    assert (issues["action"] == vocab.ACTION_REJECT).sum() == 0
    assert "extra_column" not in codes(issues)


# --------------------------------------------------------------------------------------
# a form whose 岗位（职务） is left blank: the catalogue and 公示 name the roster post
# --------------------------------------------------------------------------------------
def test_a_form_without_its_post_takes_the_roster_post_with_a_note(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    grid = form_grid(header={"section": "财务科", "name": "王五", "post": None})
    assert "岗位（职务）" in grid[1] and grid[1][grid[1].index("岗位（职务）") + 1] is None
    write_form(inbox / "王五.xlsx", grid=grid)
    files, _rows, points, issues = graded(inbox)
    assert files.iloc[0]["status"] == frames.FILE_STATUS_READ
    assert points["post"].tolist() == ["会计"]  # the roster's post of 财务科 王五
    note = issues[issues["code"] == "post_from_roster"]
    assert note[["action", "section", "name", "value"]].values.tolist() == [
        [vocab.ACTION_NOTE, "财务科", "王五", ""]
    ]
    assert "会计" in note.iloc[0]["problem"]


def test_a_pledge_dates_note_names_the_sheet_and_cell_it_is_on(tmp_path: Path) -> None:
    """A 承诺日期 without its year is noted at its own cell: on the pledge sheet as the body
    named it (廉洁从政承诺书), or on the form's own sheet when the pledge is written under the
    table. Before, the note named no cell, and always the sheet 廉政承诺书."""
    inbox = tmp_path / "inbox"
    main = vocab.MAIN_SHEET[vocab.INDIVIDUAL]
    pledge = pledge_grid(["严守纪律"], pledger="张三", when="3月5日")
    assert pledge[14][:2] == [vocab.PLEDGE_LABELS["pledge_date"], "3月5日"]  # B15
    write_xlsx(
        inbox / "a.xlsx",
        {main: form_grid(rows=[sample_row(1)]), "廉洁从政承诺书": pledge},
    )
    grid = form_grid(header={"name": "李四"}, rows=[sample_row(2)])
    width = len(grid[2])
    grid += [
        [],
        ["廉政承诺书", *[None] * (width - 1)],
        ["本人郑重承诺：一、严守纪律；二、不谋私利。", *[None] * (width - 1)],
        ["承诺人：李四", None, None, None, None, None, "承诺日期：3月10日"],
    ]
    under = len(grid)  # the 承诺日期 line's Excel row
    write_xlsx(inbox / "b.xlsx", {main: grid})
    _files, _rows, _points, issues = graded(inbox)
    dated = issues[issues["field"] == vocab.PLEDGE_LABELS["pledge_date"]]
    got = sorted(zip(dated["file"], dated["sheet"], dated["cell"], strict=True))
    assert got == [("a.xlsx", "廉洁从政承诺书", "B15"), ("b.xlsx", main, f"G{under}")]


# --------------------------------------------------------------------------------------
# forms typed in traditional characters (Hong Kong, Taiwan, a traditional input method)
# --------------------------------------------------------------------------------------
def test_a_form_in_traditional_characters_is_read_as_the_template(tmp_path: Path) -> None:
    """風險點描述 | 發生幾率 | 嚴重 | 崗位職責風險: before, 「无法识别这个表格」 and the file 退回."""
    inbox = tmp_path / "inbox"
    grid = [
        ["個人廉政風險自查表"],
        ["科室", "財務科", "姓名", "王五", "崗位（職務）", "會計", "填表日期", "2026年3月11日"],
        [
            "序號",
            "職權事項（工作環節）",
            "風險類別",
            "風險點描述",
            "發生機率",
            "危害程度",
            "自評等級",
            "前期預防措施",
            "中期監控措施",
            "後期處置措施",
            "備註",
        ],
        [1, "現金收付", "崗位職責風險", "挪用公款", "高", "嚴重", "一級", "教育", "對賬", "追責"],
        [2, "票據管理", "業務流程風險", "虛開票據", "較低", "較重", "三級", "制度", "檢查", "處理"],
    ]
    assert "風險點描述" in grid[2] and "崗位職責風險" in grid[3]  # precondition
    write_xlsx(inbox / "王五.xlsx", {"個人廉政風險自查表": grid})
    files, rows, points, issues = graded(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert files.loc[0, "section"] == "财务科" and files.loc[0, "name"] == "王五"
    assert rows["accepted"].all() and len(rows) == 2
    got = points.sort_values("excel_row")
    assert got["category"].tolist() == ["岗位职责风险", "业务流程风险"]
    assert got["likelihood"].tolist() == ["高", "低"]
    assert got["harm"].tolist() == ["严重", "较重"]
    assert got["step"].tolist() == ["現金收付", "票據管理"]  # the text as written
    assert got["prevent"].tolist() == ["教育", "制度"]
    assert (
        got["level_reason"].tolist()[0] == "发生几率高×危害程度严重→一级；岗位类别：人财物管理→一级"
    )
    assert not {"extra_column", "bad_enum", "no_step_column"} & set(codes(issues))


# --------------------------------------------------------------------------------------
# the person's details as 「label：value」 cells, the labels spaced out to align them
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cells",
    [
        ["科　室：财务科", "姓　　名：王五", "职  务：会计"],
        ["科室：财务科 姓 名：王五", None, "岗位：会计"],
        ["科室：财务科，姓名：王五，岗位：会计", None, None],
        ["科室 财务科", "姓名　王五", "岗位 会计"],  # no colon: a label, spaces, the value
        ["科室 财务科  姓名 王五  岗位 会计", None, None],
    ],
)
def test_spaced_labels_in_label_value_cells_name_the_person(
    tmp_path: Path, cells: list[str | None]
) -> None:
    """姓　　名：王五 in one cell: before, the file was 退回 「表头缺少「姓名」」."""
    inbox = tmp_path / "inbox"
    grid = form_grid()
    grid[1] = [cells[0], None, None, cells[1], None, cells[2], None, "填表日期：2026年3月9日"]
    assert not any(v in ("姓名", "科室") for v in grid[1])  # precondition: no label cells
    write_xlsx(inbox / "自查表.xlsx", {"Sheet1": grid})
    files, rows, _points, issues = graded(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert (files.loc[0, "section"], files.loc[0, "name"]) == ("财务科", "王五")
    assert files.loc[0, "post"] == "会计" and files.loc[0, "date"] == "2026-03-09"
    assert rows["accepted"].all()
    assert "missing_header_field" not in codes(issues)


# --------------------------------------------------------------------------------------
# a section's table of another body: 责任科室 above, 岗位名称 | 工作职责 | 风险点 | 风险级别,
# 防控责任人 per row
# --------------------------------------------------------------------------------------
def test_a_sections_table_with_a_post_column_is_graded_by_each_rows_post(tmp_path: Path) -> None:
    """Before: 「表头缺少「科室」」 and the file 退回; with 科室 found, the 岗位名称 column was
    not the 涉及岗位, so 出纳's point kept 二级 instead of the 人财物管理 floor 一级."""
    inbox = tmp_path / "inbox"
    grid = [
        ["财务科廉政风险点防控一览表", None, None, None, None, None, None, None],
        ["责任科室：财务科", None, None, "科室负责人：王五", None, "日期：2026.3.20", None, None],
        [
            "序号",
            "岗位名称",
            "工作职责",
            "风险点",
            "风险类型",
            "风险级别",
            "防控措施",
            "防控责任人",
        ],
        [1, "出纳", "现金管理", "坐支现金", "岗位职责风险", "中", "前期：培训 中期：盘点", "王五"],
        [2, "会计", "记账", "做假账", "业务流程风险", "低", "前期：学习 后期：追责", "赵六"],
    ]
    write_xlsx(inbox / "财务科单位表.xlsx", {"单位": grid})
    files, rows, points, issues = graded(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_READ
    assert (files.loc[0, "kind"], files.loc[0, "section"]) == (vocab.UNIT, "财务科")
    assert rows["accepted"].all() and len(rows) == 2
    got = points.sort_values("excel_row")
    assert got["posts_involved"].tolist() == ["出纳", "会计"]
    assert got["step"].tolist() == ["现金管理", "记账"]
    assert got["level"].tolist() == ["一级", "一级"]  # both posts are 人财物管理
    assert got["level_reason"].tolist()[0] == (
        "按填报的风险等级：二级；未填发生几率、危害程度；岗位类别：人财物管理→一级（自评二级）"
    )
    assert got["stated_direct"].tolist() == ["王五", "赵六"]  # 防控责任人, kept and compared
    assert not {"extra_column", "missing_header_field", "missing_posts"} & set(codes(issues))


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("较高", "一级"),
        ("中等", "二级"),
        ("较低", "三级"),
        ("較低", "三级"),
        ("较低风险", "三级"),
        ("一类", "一级"),  # 一类 / 二类 / 三类 (风险), as some bodies number their levels
        ("Ⅱ类", "二级"),
        ("三类风险", "三级"),
    ],
)
def test_a_level_written_as_likelihood_is_written_is_read(
    tmp_path: Path, written: str, level: str
) -> None:
    """风险等级 「较高」/「较低」, as 发生几率 is written: before, the row was 退回 「自评等级「较高」
    不在可选范围内」."""
    inbox = tmp_path / "inbox"
    grid = [
        ["科室", "办公室", "姓名", "李四", "岗位", "文员"],
        ["序号", "工作环节", "风险类别", "风险点", "风险等级", "防控措施"],
        [1, "公文", "岗位职责风险", "泄露文件内容", written, "前期：教育 中期：检查 后期：追责"],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, points, issues = graded(inbox)
    assert rows["accepted"].all() and len(points) == 1
    assert points["self_level"].tolist() == [level] and points["level"].tolist() == [level]
    assert points["level_reason"].tolist() == [f"按填报的风险等级：{level}；未填发生几率、危害程度"]
    assert "bad_enum" not in codes(issues)


def test_a_form_without_any_measure_column_says_so_at_each_row(tmp_path: Path) -> None:
    """风险点 rows and no 防控措施 column at all: each row's 提示 「没有填写任何防控措施」 had no
    cell, so neither the list nor the annotated copy said which row."""
    inbox = tmp_path / "inbox"
    grid = [
        ["科室", "办公室", "姓名", "李四", "岗位", "文员"],
        ["序号", "工作环节", "风险类别", "风险点描述", "风险等级"],
        [1, "公文起草", "岗位职责风险", "泄露文件内容", "二级"],
        [2, "会议记录", "岗位职责风险", "篡改会议记录", "三级"],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, points, issues = graded(inbox)
    assert rows["accepted"].all() and len(points) == 2  # accepted, as before
    notes = issues[issues["code"] == "measures_missing"]
    assert notes["cell"].tolist() == ["A3", "A4"]
    assert (notes["action"] == vocab.ACTION_NOTE).all()
    assert notes["problem"].str.contains("表格中没有防控措施列").all()


@pytest.mark.parametrize(
    ("column", "value", "missing"),
    [("发生几率", "高", "危害程度"), ("危害程度", "严重", "发生几率")],
)
def test_a_level_table_with_only_one_of_likelihood_and_harm_is_graded_by_its_level(
    tmp_path: Path, column: str, value: str, missing: str
) -> None:
    """风险等级 beside 发生几率 but no 危害程度 column: every row was 退回 「表格中没有「危害程度」
    列」, while the same table without 发生几率 too was accepted by its level."""
    inbox = tmp_path / "inbox"
    grid = [
        ["科室", "办公室", "姓名", "李四", "岗位", "文员"],
        ["序号", "工作环节", "风险类别", "风险点描述", column, "风险等级", "防控措施"],
        [1, "公文", "岗位职责风险", "泄露文件内容", value, "二级", "前期：教育 中期：检查"],
    ]
    write_xlsx(inbox / "李四.xlsx", {"Sheet1": grid})
    _files, rows, points, issues = graded(inbox)
    assert rows["accepted"].all() and len(points) == 1
    point = points.iloc[0]
    assert point["level"] == "二级"
    assert point["level_reason"] == f"按填报的风险等级：二级；未填{missing}"
    assert value in (point["likelihood"], point["harm"])  # what was written is kept
    note = issues[issues["code"] == "single_level_partial"]
    assert note["cell"].tolist() == ["F2"] and f"没有「{missing}」列" in note["problem"].iloc[0]
    assert not (issues["action"] == vocab.ACTION_REJECT).any()


# --------------------------------------------------------------------------------------
# a form that starts at its table: the owner read from the file's name or its one mail
# --------------------------------------------------------------------------------------
def test_a_form_without_header_block_is_its_owners_by_file_name_or_mail_folder(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "in"

    def table(i: int, kind: str = vocab.INDIVIDUAL) -> list[list[object]]:
        return form_grid(kind, rows=[sample_row(i)])[2:]  # the table header and one point

    write_xlsx(inbox / "2026年张三个人廉政风险点自查表（修改稿）.xlsx", {"自查表": table(1)})
    write_xlsx(inbox / "办公室-李四-自查表.xlsx", {"自查表": table(2)})
    # a mail holding one form: its sender's
    write_xlsx(inbox / "2026-03-02 来自赵六" / "自查表.xlsx", {"自查表": table(3)})
    # a section head mails two forms: the one named by its file is its person's, the other
    # is no one's (not the sender's)
    write_xlsx(inbox / "2026-03-03 来自王五" / "孙七.xlsx", {"自查表": table(4)})
    write_xlsx(inbox / "2026-03-03 来自王五" / "自查表.xlsx", {"自查表": table(5)})
    write_xlsx(inbox / "张三丰.xlsx", {"自查表": table(6)})  # no one of the roster
    write_xlsx(inbox / "张三李四.xlsx", {"自查表": table(7)})  # two people: no guess
    write_xlsx(inbox / "财务科廉政风险自查表.xlsx", {"自查表": table(8, vocab.UNIT)})
    for grid in (table(1), table(8, vocab.UNIT)):  # no 科室 or 姓名 label on the forms
        assert not {"科室", "姓名"} & {v for row in grid for v in row if isinstance(v, str)}

    files, _rows, points, issues = graded(inbox)
    owner = {
        rec.file: (rec.status, rec.section if isinstance(rec.section, str) else None)
        for rec in files.itertuples()
    }
    assert owner["2026年张三个人廉政风险点自查表（修改稿）.xlsx"] == ("read", "办公室")
    assert owner["财务科廉政风险自查表.xlsx"] == ("read", "财务科")
    for file in ("2026-03-03 来自王五/自查表.xlsx", "张三丰.xlsx", "张三李四.xlsx"):
        assert owner[file] == ("rejected", None), file
    by_person = points.groupby(["section", "name"])["description"].apply(sorted).to_dict()
    assert by_person == {
        ("办公室", "张三"): ["泄露未公开信息1"],
        ("办公室", "李四"): ["泄露未公开信息2"],
        ("财务科", "赵六"): ["泄露未公开信息3"],
        ("领导班子", "孙七"): ["泄露未公开信息4"],
        ("财务科", ""): ["泄露未公开信息8"],
    }
    told = issues[issues["code"].isin(["owner_from_file_name", "section_from_file_name"])]
    assert set(told["action"]) == {vocab.ACTION_NOTE}
    problem = dict(zip(told["file"], told["problem"]))
    assert "文件名「办公室-李四-自查表.xlsx」写的是「李四」" in problem["办公室-李四-自查表.xlsx"]
    assert "所在的文件夹「2026-03-02 来自赵六」" in problem["2026-03-02 来自赵六/自查表.xlsx"]
    assert "已按财务科赵六报送的表计入" in problem["2026-03-02 来自赵六/自查表.xlsx"]
    assert "「财务科」，已按财务科的单位表计入" in problem["财务科廉政风险自查表.xlsx"]
    assert len(problem) == 5
    sent_back = issues[issues["code"].eq("missing_header_field")]
    assert set(sent_back["file"]) == {
        "2026-03-03 来自王五/自查表.xlsx",
        "张三丰.xlsx",
        "张三李四.xlsx",
    }
