"""Supervisors: the digest's table, escalated so nobody is supervised by themselves or by
someone at or below their rank; vacant roles pass up the chain; measures by level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import assign, config, frames, grade, merge, templates, vocab
from tests.builders import make_point, make_points, make_roster, sample_body, write_settings

OVERSIGHT = "区纪委派驻纪检组"
# Leaders get the post type 其他 here so their points can be of every level (with 领导班子正职
# the floor makes them all 一级, which test_grade covers).
PEOPLE, SECTIONS = sample_body(
    "其他",
    people=[
        ("办公室", "小刘", "文秘", "一般管理服务", False),
        ("财务科", "周会计", "会计", "一般管理服务", False),
        ("宣传部", "赵部长", "部长", "一般管理服务", True),
        ("宣传部", "钱干事", "干事", "一般管理服务", False),
    ],
    sections=[
        ("财务科", "", "张副主席"),  # section without a head
        ("宣传部", "赵部长", ""),  # vice-chair missing
    ],
    vice_chairs=("李副主席", "张副主席"),
)
# Each level is produced by the matrix alone (every post type here has no floor).
LEVEL_INPUT = {"一级": ("严重", "高"), "二级": ("较重", "中"), "三级": ("一般", "低")}


def assigned(rows: list[dict], roster: config.Roster, settings=None) -> pd.DataFrame:
    settings = settings or config.default_settings()
    points, _ = merge.merge(make_points(rows))
    points, _ = grade.grade(points, roster, settings)
    return assign.assign(points, roster, settings)


def point_at(level: str, section: str, name: str, kind: str = vocab.INDIVIDUAL) -> dict:
    harm, likelihood = LEVEL_INPUT[level]
    values = {"harm": harm, "likelihood": likelihood, "section": section, "self_level": level}
    if kind == vocab.UNIT:
        values.update(kind=kind, name=pd.NA, posts_involved="司机", post=pd.NA)
    else:
        values.update(name=name, post="岗位")
    return make_point(**values)


def by_level(third: tuple, second: tuple, first: tuple) -> dict[str, tuple[str, str]]:
    """Expected (直接管理, 负责领导) for the 三级, 二级 and 一级 points."""
    return {"三级": third, "二级": second, "一级": first}


def everything_to(who: str) -> dict[str, tuple[str, str]]:
    return by_level((who, who), (who, who), (who, who))


def as_section_head(vice_chair: str) -> dict[str, tuple[str, str]]:
    """A section head's points: 三级 and 二级 pass to the vice-chair, 一级 stays."""
    return by_level((vice_chair, vice_chair), (vice_chair, vice_chair), (vice_chair, "陈主席"))


ESCALATION = [
    # (who, section, name, kind, expected)
    # staff: the digest's table as it stands
    (
        "staff",
        "办公室",
        "小刘",
        vocab.INDIVIDUAL,
        by_level(("王芳", "王芳"), ("王芳", "李副主席"), ("李副主席", "陈主席")),
    ),
    ("head", "办公室", "王芳", vocab.INDIVIDUAL, as_section_head("李副主席")),
    ("vice-chair", "领导班子", "李副主席", vocab.INDIVIDUAL, everything_to("陈主席")),
    ("chair", "领导班子", "陈主席", vocab.INDIVIDUAL, everything_to(OVERSIGHT)),
    # section without a head: the head's role passes to the vice-chair
    ("staff, no head", "财务科", "周会计", vocab.INDIVIDUAL, as_section_head("张副主席")),
    # vice-chair missing: the vice-chair's role passes to the chair
    (
        "staff, no vice-chair",
        "宣传部",
        "钱干事",
        vocab.INDIVIDUAL,
        by_level(("赵部长", "赵部长"), ("赵部长", "陈主席"), ("陈主席", "陈主席")),
    ),
    ("head, no vice-chair", "宣传部", "赵部长", vocab.INDIVIDUAL, everything_to("陈主席")),
    # unit forms are the head's: escalated like the head's own points
    ("unit form", "办公室", "", vocab.UNIT, as_section_head("李副主席")),
    ("unit form, no head", "财务科", "", vocab.UNIT, as_section_head("张副主席")),
]


@pytest.mark.parametrize("who, section, name, kind, expected", ESCALATION)
def test_escalation(who: str, section: str, name: str, kind: str, expected: dict) -> None:
    roster = make_roster(PEOPLE, SECTIONS, oversight=OVERSIGHT)
    rows = [
        {**point_at(level, section, name, kind), "description": f"风险{level}", "excel_row": i}
        for i, level in enumerate(vocab.LEVELS, start=4)
    ]
    points = assigned(rows, roster)
    got = {r["level"]: (r["direct"], r["leader"]) for r in points.to_dict("records")}
    assert got == expected, who


def test_vice_chair_whose_section_is_not_on_the_sections_sheet_goes_to_the_chair() -> None:
    roster = make_roster(PEOPLE, SECTIONS[1:], oversight=OVERSIGHT)
    points = assigned([point_at("三级", "领导班子", "张副主席")], roster)
    assert (points.iloc[0]["direct"], points.iloc[0]["leader"]) == ("陈主席", "陈主席")


def test_without_an_oversight_body_the_chair_is_supervised_by_the_role_name() -> None:
    roster = make_roster(PEOPLE, SECTIONS, oversight="")
    points = assigned([point_at("二级", "领导班子", "陈主席")], roster)
    assert points.iloc[0]["direct"] == vocab.ROLE_OVERSIGHT


@pytest.mark.parametrize("level, measure", list(vocab.MEASURES_BY_LEVEL.items()))
def test_measure_by_level(level: str, measure: str) -> None:
    roster = make_roster(PEOPLE, SECTIONS, oversight=OVERSIGHT)
    points = assigned([point_at(level, "办公室", "小刘")], roster)
    assert points.iloc[0]["measure"] == measure
    assert set(frames.ASSIGN_COLUMNS) <= set(points.columns)


def test_custom_supervision_and_measure_from_settings_toml(tmp_path: Path) -> None:
    settings = config.load_settings(
        write_settings(
            tmp_path,
            '[supervision."三级"]\ndirect = "分管副主席"\nleader = "主席"\nmeasure = "批评教育"\n',
        )
    )
    roster = make_roster(PEOPLE, SECTIONS, oversight=OVERSIGHT)
    points = assigned([point_at("三级", "办公室", "小刘")], roster, settings)
    got = points.iloc[0]
    assert (got["direct"], got["leader"], got["measure"]) == ("李副主席", "陈主席", "批评教育")


def test_supervisors_are_names_not_roles() -> None:
    roster = make_roster(PEOPLE, SECTIONS, oversight=OVERSIGHT)
    rows = [
        {**point_at(lv, "办公室", "小刘"), "description": lv, "excel_row": i}
        for i, lv in enumerate(vocab.LEVELS, start=4)
    ]
    points = assigned(rows, roster)
    names = set(points["direct"]) | set(points["leader"])
    assert names <= {"王芳", "李副主席", "陈主席"}
    assert not any("（" in n or n in vocab.ROLE_CHAIN for n in names)


def test_empty_points_keep_the_columns() -> None:
    roster = make_roster(PEOPLE, SECTIONS)
    points = assign.assign(
        pd.DataFrame({"level": pd.Series([], dtype="str")}), roster, config.default_settings()
    )
    assert points.empty and set(frames.ASSIGN_COLUMNS) <= set(points.columns)


def test_a_staff_member_named_like_another_sections_head_has_her_own_head(
    tmp_path: Path,
) -> None:
    """Two 王芳: one heads 财务科, the other is a 科员 of 办公室 under 刘主任. The 科员's
    三级 and 二级 points go to her own head 刘主任 (the digest's table), not up to 李副主席
    as if she were a section head; the head 王芳's stay with 李副主席."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import pledge_grid, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("领导班子", "李副主席", "副主席", "领导班子正职", "否"),
        ("财务科", "王芳", "科长", "一般管理服务", "是"),
        ("办公室", "刘主任", "主任", "一般管理服务", "是"),
        ("办公室", "王芳", "科员", "一般管理服务", "否"),
    ]
    sections = [
        ("领导班子", "陈主席", ""),
        ("财务科", "王芳", "李副主席"),
        ("办公室", "刘主任", "李副主席"),
    ]
    cfg = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [
        sample_row(1, description="三级点", harm="一般", likelihood="低", self_level="三级"),
        sample_row(2, description="二级点", harm="较重", likelihood="中", self_level="二级"),
    ]
    for section, post in (("办公室", "科员"), ("财务科", "科长")):
        write_form(
            inbox / section / "王芳.xlsx",
            header={"section": section, "name": "王芳", "post": post},
            rows=rows,
            pledge=pledge_grid(["不收受礼金"], pledger="王芳"),
        )
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    catalogue = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE, dtype=str, engine="calamine"
    )
    got = {
        (r.科室, r.评定等级): (r.直接管理, r.负责领导)
        for r in catalogue[catalogue["姓名"] == "王芳"].itertuples()
    }
    assert got == {
        ("办公室", "三级"): ("刘主任", "刘主任"),
        ("办公室", "二级"): ("刘主任", "李副主席"),
        ("财务科", "三级"): ("李副主席", "李副主席"),
        ("财务科", "二级"): ("李副主席", "李副主席"),
    }


def test_a_stated_supervisor_cell_naming_several_people_agrees_when_one_is_computed(
    tmp_path: Path,
) -> None:
    """A form with its own 直接责任人 and 责任领导 columns: 「闫红、丁玲」, 「丁玲 闫红」 and
    「闫红（部长）」 all name the computed 闫红, so no 提示 says they differ; 「李副主席」 where
    the roster gives 闫红 does get one, at its cell."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    columns = [*vocab.TABLE_COLUMNS[vocab.INDIVIDUAL], "直接责任人", "责任领导"]
    stated = [("闫红、丁玲", "闫红"), ("丁玲 闫红", "李副主席"), ("闫红（部长）", "闫红（部长）")]
    rows = [
        {
            **sample_row(i, harm="一般", likelihood="低", self_level="三级"),
            "直接责任人": direct,
            "责任领导": leader,
        }
        for i, (direct, leader) in enumerate(stated, start=1)
    ]
    header = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=header, rows=rows, columns=columns)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert set(catalogue["直接管理"]) == set(catalogue["负责领导"]) == {"闫红"}  # 三级: the head
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    differs = issues[issues["问题"].str.contains("按名册确定")]
    assert differs[["单元格", "原值"]].values.tolist() == [["M5", "李副主席"]]


def test_supervisors_are_shown_as_the_people_sheet_spells_them(tmp_path: Path) -> None:
    """The 科室 sheet types the head 「闫　红」 and the vice-chair 「李 副主席」 (padded, as names
    often are), the 人员 sheet 闫红 and 李副主席: the catalogue's 直接管理 / 负责领导 show the one
    spelling the rest of the archive uses, so a filter on 闫红 finds all her points."""
    from tests.builders import CHILDREN_PEOPLE, write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    sections = [("领导班子", "陈主席", ""), ("家庭儿童工作部", "闫\u3000红", "李 副主席")]
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [
        sample_row(1, harm="一般", likelihood="低", self_level="三级"),
        sample_row(2, harm="较重", likelihood="中", self_level="二级"),
    ]
    header = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=header, rows=rows)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    catalogue = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE, dtype=str, engine="calamine"
    )
    got = catalogue[["评定等级", "直接管理", "负责领导"]].values.tolist()
    assert sorted(got) == [["三级", "闫红", "闫红"], ["二级", "闫红", "李副主席"]]


@pytest.mark.parametrize("label", ["防控责任人", "监管责任人", "直接责任人"])
def test_a_stated_supervisor_differing_is_named_as_the_forms_column(
    tmp_path: Path, label: str
) -> None:
    """A form heads its stated-supervisor column 防控责任人: the 提示 that it differs from the
    roster's 直接管理 names that column, as the section sees it on its form, not 直接责任人."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    columns = [*vocab.TABLE_COLUMNS[vocab.INDIVIDUAL], label]
    row = {**sample_row(1, harm="一般", likelihood="低", self_level="三级"), label: "李副主席"}
    header = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=header, rows=[row], columns=columns)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    issues = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_ISSUES, dtype=str, engine="calamine"
    )
    (hit,) = issues[issues["问题"].fillna("").str.contains("按名册确定")].itertuples()
    assert (hit.单元格, hit.字段, hit.原值) == ("L4", label, "李副主席")
    assert hit.问题.startswith(f"表中填写的{label}「李副主席」与按名册确定的直接管理「闫红」不同")


def test_a_stated_supervisor_written_as_a_role_agrees_with_the_holder_of_that_role(
    tmp_path: Path,
) -> None:
    """Public forms often fill 直接责任人 / 责任领导 with roles: 「科室负责人」 / 「分管领导」 on a
    二级 point is what the roster gives (闫红, the head; 李副主席, the vice-chair), so no
    提示; 「分管领导」 as 直接责任人 of a 三级 point (the head's) does get one."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    columns = [*vocab.TABLE_COLUMNS[vocab.INDIVIDUAL], "直接责任人", "责任领导"]
    cases = [  # (危害程度, 发生几率, 直接责任人, 责任领导)
        ("较重", "中", "科室负责人", "分管领导"),  # 二级: (闫红, 李副主席)
        ("较重", "中", "部长", "分管副主席"),
        ("一般", "低", "分管领导", "部门负责人"),  # 三级: (闫红, 闫红)
    ]
    rows = [
        {
            **sample_row(i, harm=harm, likelihood=likelihood, self_level=None),
            "直接责任人": direct,
            "责任领导": leader,
        }
        for i, (harm, likelihood, direct, leader) in enumerate(cases, start=1)
    ]
    header = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=header, rows=rows, columns=columns)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].set_index("职权事项（工作环节）")
    assert catalogue.loc["公文处理1", ["评定等级", "直接管理", "负责领导"]].tolist() == [
        "二级",
        "闫红",
        "李副主席",
    ]
    assert catalogue.loc["公文处理3", ["评定等级", "直接管理"]].tolist() == ["三级", "闫红"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    differs = issues[issues["问题"].str.contains("按名册确定")]
    assert differs[["单元格", "原值"]].values.tolist() == [["L6", "分管领导"]]


def test_a_roster_without_a_chair_says_where_the_chairs_points_go(tmp_path: Path) -> None:
    """The office left the 单位 sheet's 主席 blank: every 一级 point's 负责领导 and every point of
    a vice-chair go to the 上级监督机构. That is no silent change of who supervises: 异常清单
    has a 提示 at the 主席 cell saying so."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    cfg = tmp_path / "config"
    cfg.mkdir()
    templates.write_roster(
        cfg / vocab.ROSTER_FILE,
        [dict(zip(vocab.ROSTER_PEOPLE_COLUMNS, p, strict=True)) for p in CHILDREN_PEOPLE],
        [dict(zip(vocab.ROSTER_SECTION_COLUMNS, s, strict=True)) for s in CHILDREN_SECTIONS],
        {"body": "测试妇联", "chair": "", "oversight": "区纪委派驻纪检组"},
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [sample_row(1, harm="严重", likelihood="高", self_level="一级")]
    header = {"section": "家庭儿童工作部", "name": "范彩兰", "post": "儿童工作干事"}
    write_form(inbox / "范彩兰.xlsx", header=header, rows=rows)
    header = {"section": "领导班子", "name": "李副主席", "post": "副主席"}
    write_form(inbox / "李副主席.xlsx", header=header, rows=[sample_row(1)])
    roster = config.load_roster(cfg)
    assert roster.chair == "" and roster.oversight == "区纪委派驻纪检组"  # the precondition
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    got = catalogue[["姓名", "评定等级", "直接管理", "负责领导"]].values.tolist()
    assert sorted(got) == [
        ["李副主席", "一级", "区纪委派驻纪检组", "区纪委派驻纪检组"],  # 领导班子正职 floor
        ["范彩兰", "一级", "李副主席", "区纪委派驻纪检组"],
    ]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    chair = issues[(issues["工作表"] == vocab.ROSTER_SHEET_UNIT) & (issues["字段"] == "主席")]
    assert chair[["处理", "单元格"]].values.tolist() == [["提示", "B2"]]
    (problem,) = chair["问题"].tolist()
    assert "没有填写主席" in problem and "上级监督机构「区纪委派驻纪检组」" in problem
