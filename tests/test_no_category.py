"""Real 风险清单 forms have no 风险类别 column, simple ones no 职权事项 column either: their rows
are filed as 未分类 / 未注明 with one 提示 per file, never 退回; a blank cell of an existing
column is still 退回."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pipeline import merge, vocab
from pipeline.cli import main
from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, make_point, make_points, write_config
from tests.conftest import process_cli
from tests.forms import sample_row, write_form, write_xlsx

REAL_TEMPLATE = Path(
    "/work/shared/corpus/public/luanshenhui+java/vip/dcapp/src/main/resources/template/"
    "List_of_risks.xlsx"
)
# the header row of the 纪检 app's 风险清单 (List_of_risks.xlsx), exactly
RISK_LIST_HEADER = ["序号", "权力", "风险名称", "风险环节", "风险内容", "风险等级", "防范措施"]
RISK_LIST_ROWS = [
    [
        "例",
        "0101重大决策",
        "提交资料风险",
        "提交投资资料文件",
        "利用职务之便，故意人为引导公司作出错误投资决策，以为自己或他人谋取私利",
        "高",
        "严格按照制度汇编执行，提交的投资资料要符合相关规定",
    ],
    [
        1,
        "儿童之家项目审核",
        "项目审核风险",
        "项目申报",
        "项目申报审核不严，向关系单位倾斜资金",
        "高",
        "前期：公开申报条件\n中期：集体评审\n后期：实地验收",
    ],
    [
        2,
        "公务接待",
        "接待风险",
        "接待审批",
        "超标准接待，虚列接待费用",
        "中",
        "严格执行接待标准，接待清单逐项审核",
    ],
    [
        3,
        "物资发放",
        "发放风险",
        "登记发放",
        "慰问物资发放不登记，截留私分",
        "低",
        "双人登记，公示发放名单",
    ],
]


def risk_list_grid(owner: list[object]) -> list[list[object]]:
    """The real template's title row and header row, an owner block row between them, and the
    example row plus three filled rows."""
    return [
        ["风险清单_模板", *[None] * 6],
        owner,
        list(RISK_LIST_HEADER),
        *[list(r) for r in RISK_LIST_ROWS],
    ]


def categorised_grid(name: str, post: str, categories: list[str | None]) -> list[list[object]]:
    """A 风险清单 sheet of 家庭儿童工作部's ``name`` with a 风险类别 column (one value per row)."""
    return [
        ["风险清单_模板", *[None] * 7],
        ["科室", "家庭儿童工作部", "姓名", name, "岗位", post, None, None],
        [*RISK_LIST_HEADER, vocab.COLUMN_LABELS["category"]],
        *[[*r, c] for r, c in zip(RISK_LIST_ROWS[1:], categories, strict=True)],
    ]


def two_person_archive(tmp_path: Path, first: list[list[object]], second: list[list[object]]):
    """Process one workbook of two sheets (丁玲's, 范彩兰's); the archive's sheets."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_xlsx(inbox / "家庭儿童工作部自查表.xlsx", {"丁玲": first, "范彩兰": second})
    assert process_cli(inbox, cfg, out) == 0
    return archive_sheets(out)


def archive_sheets(out: Path) -> dict[str, pd.DataFrame]:
    (archive,) = sorted(out.glob("*_廉政风险信息档案.xlsx"))
    return pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)


def test_a_risk_list_without_category_column_files_every_row_as_uncategorised(
    tmp_path: Path,
) -> None:
    if REAL_TEMPLATE.exists():  # the corpus is not part of the repository
        real = load_workbook(REAL_TEMPLATE, read_only=True).active
        rows = list(real.iter_rows(min_row=1, max_row=2, values_only=True))
        assert list(rows[1]) == RISK_LIST_HEADER and rows[0][0] == "风险清单_模板"
    assert vocab.COLUMN_LABELS["category"] not in RISK_LIST_HEADER  # the precondition
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    owner = ["科室", "家庭儿童工作部", "姓名", "丁玲", "岗位", "儿童工作干事", None]
    write_xlsx(
        inbox / "风险清单-丁玲.xlsx",
        {"Sheet1": risk_list_grid(owner)},
        merges={"Sheet1": ["A1:G1"]},
    )
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive_sheets(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue["风险点描述"].tolist() == [r[4] for r in RISK_LIST_ROWS[1:]]
    assert catalogue["风险类别"].tolist() == [vocab.UNCATEGORISED] * 3
    assert catalogue["评定等级"].tolist() == ["一级", "二级", "三级"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert (issues["处理"] != vocab.ACTION_REJECT).all()  # nothing 退回
    missing = issues[issues["问题"].str.contains("没有「风险类别」列")]
    assert len(missing) == 1  # one 提示 per file, at the table header row
    note = missing.iloc[0]
    assert (note["处理"], note["单元格"], note["文件"]) == ("提示", "A3", "风险清单-丁玲.xlsx")
    assert vocab.UNCATEGORISED in note["问题"] and "业务流程风险" in note["修改建议"]
    # 统计: the four categories and 未分类 as its own row, nothing lost
    stats = sheets[vocab.ARCHIVE_SHEET_STATS].fillna("")
    assert category_counts(stats) == {
        **dict.fromkeys(vocab.CATEGORIES, "0"),
        vocab.UNCATEGORISED: "3",
    }
    # the section's feedback workbook lists the points as 未分类 and carries the 提示
    feedback = pd.read_excel(
        out / "科室反馈" / "家庭儿童工作部" / "家庭儿童工作部_反馈.xlsx",
        sheet_name=None,
        engine="calamine",
        dtype=str,
    )
    assert feedback["风险点"]["风险类别"].tolist() == [vocab.UNCATEGORISED] * 3
    cells = feedback[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert cells.loc[cells["问题"].str.contains("没有「风险类别」列"), "单元格"].tolist() == ["A3"]
    # 科室汇总: a 未分类 column beside the four categories, its counts adding up to 风险点数
    sections = sheets[vocab.ARCHIVE_SHEET_SECTIONS].set_index("科室")
    family = sections.loc["家庭儿童工作部"]
    assert family[vocab.UNCATEGORISED] == "3" and family["风险点数"] == "3"
    assert [family[c] for c in vocab.CATEGORIES] == ["0"] * 4
    # the district workbook counts the body's 未分类 points too (per body and in 统计)
    filed = tmp_path / "filed"
    filed.mkdir()
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    shutil.copy(archive, filed)
    district = tmp_path / "district"
    args = ["combine", str(filed), "--out", str(district), "--run-time", "2026-05-10T09:00:00"]
    assert main(args) == 0
    (book,) = district.glob("*.xlsx")
    combined = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    (body,) = combined[vocab.COMBINE_SHEET_BODIES].to_dict("records")
    assert body[vocab.UNCATEGORISED] == "3" and body["风险点数"] == "3"
    assert combined[vocab.COMBINE_SHEET_CATALOGUE]["风险类别"].tolist() == [vocab.UNCATEGORISED] * 3
    assert category_counts(combined[vocab.COMBINE_SHEET_STATS].fillna("")) == {
        **dict.fromkeys(vocab.CATEGORIES, "0"),
        vocab.UNCATEGORISED: "3",
    }


def category_counts(stats: pd.DataFrame) -> dict[str, str]:
    """The 统计 sheet's 风险类别 | 风险点数 rows (category names in column A)."""
    names = (*vocab.CATEGORIES, vocab.UNCATEGORISED)
    return {r.iloc[0]: r.iloc[1] for _, r in stats.iterrows() if r.iloc[0] in names}


def test_a_blank_cell_of_an_existing_category_column_is_still_returned(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    rows = [sample_row(1), sample_row(2, category=None)]
    assert rows[1]["category"] is None and rows[0]["category"] == "岗位职责风险"
    write_form(inbox / "丁玲.xlsx", header=header, rows=rows)
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive_sheets(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue["风险类别"].tolist() == ["岗位职责风险"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    blank = issues[issues["字段"] == "风险类别"]
    assert blank["处理"].tolist() == [vocab.ACTION_REJECT]
    assert not issues["问题"].str.contains("没有「风险类别」列").any()
    # no 未分类 row in 统计 and no 未分类 column in 科室汇总 when no point is uncategorised
    stats = sheets[vocab.ARCHIVE_SHEET_STATS].fillna("")
    assert category_counts(stats) == {**dict.fromkeys(vocab.CATEGORIES, "0"), "岗位职责风险": "1"}
    assert list(sheets[vocab.ARCHIVE_SHEET_SECTIONS].columns) == list(
        vocab.ARCHIVE_SECTION_HEADERS.values()
    )


def test_a_real_category_wins_over_uncategorised_without_a_conflict_note() -> None:
    same = {"step": "公务接待", "description": "超标准接待"}
    points = make_points(
        [
            make_point(file="办公室/张三-风险清单.xlsx", category=vocab.UNCATEGORISED, **same),
            make_point(file="办公室/张三.xlsx", category="业务流程风险", **same),
            make_point(file="办公室/张三-旧.xlsx", category=vocab.UNCATEGORISED, step="收文"),
        ]
    )
    merged, notes = merge.merge(points)
    by_step = merged.set_index("step")["category"]
    assert by_step["公务接待"] == "业务流程风险"
    assert by_step["收文"] == vocab.UNCATEGORISED  # alone, it stays 未分类
    conflicts = notes[notes["code"] == "merge_conflict"]
    assert not (conflicts["field"] == "风险类别").any()
    assert len(merged) == 2


def test_a_risk_list_with_owners_per_row_files_every_row_as_uncategorised(
    tmp_path: Path,
) -> None:
    """The same 风险清单 columns as one section's table: 科室 | 姓名 per row, no header block."""
    header = [*RISK_LIST_HEADER, "科室", "姓名"]
    assert vocab.COLUMN_LABELS["category"] not in header  # the precondition
    owners = [
        ("家庭儿童工作部", "丁玲"),
        ("家庭儿童工作部", "范彩兰"),
        ("家庭儿童工作部", "范彩兰"),
    ]
    grid = [
        ["风险清单_模板", *[None] * 8],
        header,
        *[[*row, sec, name] for row, (sec, name) in zip(RISK_LIST_ROWS[1:], owners, strict=True)],
    ]
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_xlsx(
        inbox / "家庭儿童工作部风险清单.xlsx", {"Sheet1": grid}, merges={"Sheet1": ["A1:I1"]}
    )
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive_sheets(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert sorted(catalogue["姓名"]) == sorted(name for _, name in owners)
    assert catalogue["风险类别"].tolist() == [vocab.UNCATEGORISED] * 3
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert (issues["处理"] != vocab.ACTION_REJECT).all()
    missing = issues[issues["问题"].str.contains("没有「风险类别」列")]
    assert missing["单元格"].tolist() == ["A2"] and missing["处理"].tolist() == ["提示"]


def test_one_sheet_per_person_where_only_a_later_sheet_has_no_category_column(
    tmp_path: Path,
) -> None:
    """A section's workbook of one sheet per person: the first sheet has a 风险类别 column, the
    second (a 风险清单 without one) does not. The second person's rows are 未分类 with the
    提示 at their own sheet's header, never 退回 for a column their sheet does not have."""
    first = categorised_grid("丁玲", "儿童工作干事", ["岗位职责风险"] * 3)
    second = risk_list_grid(["科室", "家庭儿童工作部", "姓名", "范彩兰", "岗位", "副部长", None])
    assert vocab.COLUMN_LABELS["category"] in first[2]  # the precondition: only the first has it
    assert vocab.COLUMN_LABELS["category"] not in second[2]
    sheets = two_person_archive(tmp_path, first, second)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    by_name = catalogue.groupby("姓名")["风险类别"].agg(list).to_dict()
    assert by_name == {"丁玲": ["岗位职责风险"] * 3, "范彩兰": [vocab.UNCATEGORISED] * 3}
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    assert (issues["处理"] != vocab.ACTION_REJECT).all()
    missing = issues[issues["问题"].str.contains("没有「风险类别」列")]
    assert missing["工作表"].tolist() == ["范彩兰"] and missing["单元格"].tolist() == ["A3"]


def test_one_sheet_per_person_where_only_the_first_sheet_has_no_category_column(
    tmp_path: Path,
) -> None:
    """The other way round: the first sheet has no 风险类别 column, the second has one with a
    blank cell. That blank cell is 退回 as on any form with the column; the first sheet's rows
    are 未分类."""
    first = risk_list_grid(["科室", "家庭儿童工作部", "姓名", "丁玲", "岗位", "儿童工作干事", None])
    second = categorised_grid("范彩兰", "副部长", [None, "岗位职责风险", "岗位职责风险"])
    assert second[3][-1] is None  # the precondition: a blank 风险类别 cell on the second sheet
    sheets = two_person_archive(tmp_path, first, second)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    by_name = catalogue.groupby("姓名")["风险类别"].agg(list).to_dict()
    assert by_name == {"丁玲": [vocab.UNCATEGORISED] * 3, "范彩兰": ["岗位职责风险"] * 2}
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    returned = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert returned["字段"].tolist() == ["风险类别"]
    assert returned["工作表"].tolist() == ["范彩兰"] and returned["单元格"].tolist() == ["H4"]


def test_a_simple_form_without_step_column_files_its_rows_as_unnamed_step(tmp_path: Path) -> None:
    """风险点 | 风险等级 | 防控措施, as simple public forms are: every row is a catalogue point
    whose 职权事项 is 未注明, with one 提示 naming the missing column; a blank cell of a table
    that has the column is still 退回."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    header = ["序号", "风险点", "风险等级", "防控措施"]
    simple = [
        ["个人廉政风险点及防控措施", None, None, None],
        ["部门", "家庭儿童工作部", "姓名", "丁玲"],
        header,
        [1, "审批把关不严，优亲厚友", "高", "事前：公开标准；事中：集体审核；事后：公示"],
        [2, "资金拨付延迟", "中", "建立台账"],
    ]
    assert not any(h in vocab.COLUMN_SYNONYMS["step"] for h in header)  # the precondition
    write_xlsx(inbox / "丁玲.xlsx", {"Sheet1": simple})
    with_step = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=with_step, rows=[sample_row(1, step=None)])
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive_sheets(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue["风险点描述"].tolist() == ["审批把关不严，优亲厚友", "资金拨付延迟"]
    assert catalogue["职权事项（工作环节）"].tolist() == [vocab.NO_STEP] * 2
    assert catalogue["评定等级"].tolist() == ["一级", "二级"]
    assert catalogue["后期处置措施"].tolist()[0] == "公示"
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    mine = issues[issues["文件"] == "丁玲.xlsx"]
    assert (mine["处理"] != vocab.ACTION_REJECT).all()
    note = mine[mine["问题"].str.contains("没有「职权事项（工作环节）」列")]
    assert note["单元格"].tolist() == ["A3"]
    assert vocab.NO_STEP in note.iloc[0]["问题"] and "工作环节" in note.iloc[0]["修改建议"]
    # the form that has the column but left it blank: that row is sent back, as before
    blank = issues[(issues["文件"] == "范彩兰.xlsx") & (issues["字段"] == "职权事项（工作环节）")]
    assert blank["处理"].tolist() == [vocab.ACTION_REJECT]
    assert "范彩兰" not in catalogue["姓名"].tolist()
