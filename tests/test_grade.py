"""Grading: the nine matrix cells × every post-type floor, custom and broken matrices,
unit-form floors from 涉及岗位, reasons in Chinese, the posts summary and level_differs notes."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import config, frames, grade, merge, run, vocab
from pipeline.errors import ConfigError
from tests import oracle
from tests.builders import (
    CHILDREN_PEOPLE,
    CHILDREN_SECTIONS,
    OFFICE_SECTION,
    make_point,
    make_points,
    make_roster,
    write_config,
    write_settings,
)
from tests.forms import sample_row, write_form

# SPEC's default matrix and floors, spelled out in the test oracle (not read from the code)
SPEC_MATRIX = oracle.MATRIX_LEVEL
SPEC_FLOORS = oracle.POST_TYPE_FLOOR
RANK = {"一级": 1, "二级": 2, "三级": 3}


def graded(rows: list[dict[str, Any]], roster: config.Roster, settings=None):
    settings = settings or config.default_settings()
    points, _ = merge.merge(make_points(rows))
    return grade.grade(points, roster, settings)


ONE_PERSON_PER_TYPE = [
    ("办公室", f"人员{i}", f"岗位{i}", post_type, False)
    for i, post_type in enumerate(vocab.POST_TYPES)
]
SECTIONS = [OFFICE_SECTION]


def expected(harm: str, likelihood: str, post_type: str) -> tuple[str, str]:
    matrix = SPEC_MATRIX[(harm, likelihood)]
    floor = SPEC_FLOORS[post_type]
    reason = f"发生几率{likelihood}×危害程度{harm}→{matrix}"
    level = matrix
    if floor and RANK[floor] <= RANK[matrix]:
        reason += f"；岗位类别：{post_type}→{floor}"
        level = floor
    return level, reason


# ------------------------------------------------------------------------------------------
# The matrix and the floors
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("post_type", vocab.POST_TYPES)
@pytest.mark.parametrize("harm, likelihood", list(SPEC_MATRIX))
def test_every_matrix_cell_with_every_post_type_floor(
    harm: str, likelihood: str, post_type: str
) -> None:
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    i = vocab.POST_TYPES.index(post_type)
    level, reason = expected(harm, likelihood, post_type)
    points, _ = graded(
        [
            make_point(
                name=f"人员{i}", post=f"岗位{i}", harm=harm, likelihood=likelihood, self_level=level
            )
        ],
        roster,
    )
    got = points.iloc[0]
    assert got["matrix_level"] == SPEC_MATRIX[(harm, likelihood)]
    assert got["post_type"] == post_type
    assert got["level"] == level
    assert got["level_reason"] == reason
    assert not got["level_differs"]


def test_grade_adds_the_declared_columns_as_text() -> None:
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    points, posts = graded([make_point(name="人员0", post="岗位0")], roster)
    for col in frames.GRADE_COLUMNS:
        assert col in points
    assert points["level_differs"].dtype == bool
    assert list(posts.columns) == list(grade.POST_COLUMNS)


def test_a_post_type_without_floor_leaves_the_matrix_alone() -> None:
    """一般管理服务 has no floor: the reason is the matrix alone."""
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    points, _ = graded(
        [make_point(name="人员3", post="岗位3", harm="一般", likelihood="低", self_level="三级")],
        roster,
    )
    assert points.iloc[0]["level_reason"] == "发生几率低×危害程度一般→三级"
    assert pd.isna(points.iloc[0]["floor_level"])


@pytest.mark.parametrize(
    "self_level, differs",
    [("三级", True), ("一级", False), (pd.NA, False)],
)
def test_a_differing_self_level_is_shown_in_the_reason_and_noted(
    self_level: object, differs: bool
) -> None:
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    points, _ = graded(
        [
            make_point(
                name="人员1",
                post="岗位1",
                harm="较重",
                likelihood="低",
                self_level=self_level,
                self_level_cell="G7",
            )
        ],
        roster,
    )
    got = points.iloc[0]
    base = "发生几率低×危害程度较重→三级；岗位类别：人财物管理→一级"
    assert got["level"] == "一级"
    assert bool(got["level_differs"]) is differs
    assert got["level_reason"] == (base + "（自评三级）" if differs else base)
    issues = grade.level_issues(points)
    if differs:
        assert len(issues) == 1
        note = issues.iloc[0]
        assert note["code"] == "level_differs" and note["action"] == vocab.ACTION_NOTE
        assert (note["cell"], note["value"], note["file"]) == ("G7", "三级", "办公室/张三.xlsx")
        assert "「三级」" in note["problem"] and "「一级」" in note["problem"]
        assert base in note["problem"] and "（自评三级）" not in note["problem"]
        assert (note["section"], note["name"]) == ("办公室", "人员1")
    else:
        assert issues.empty


def test_each_merged_source_whose_self_level_differs_is_noted_at_its_own_cell() -> None:
    """Two people report the same point 低×较重 (三级); one self-grades 三级, the other 二级. The
    point is 三级; only the second source's 自评等级 differs, and it is told at its own cell."""
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    common = {"post": "岗位3", "harm": "较重", "likelihood": "低"}
    rows = [
        make_point(file="办公室/甲.xlsx", name="人员3", self_level="三级", **common),
        make_point(
            file="办公室/乙.xlsx", name="人员4", self_level="二级", self_level_cell="G9", **common
        ),
    ]
    assert roster.people.set_index("name").at["人员3", "post_type"] == "一般管理服务"
    points, _ = graded(rows, roster)
    assert len(points) == 1 and points.iloc[0]["level"] == "三级"
    notes = grade.level_issues(points)
    assert list(notes["code"]) == ["level_differs"]
    note = notes.iloc[0]
    assert (note["file"], note["cell"], note["value"]) == ("办公室/乙.xlsx", "G9", "二级")
    assert (note["name"], note["row_id"]) == ("人员4", 1)
    assert "「三级」" in note["problem"]


def test_person_missing_from_roster_falls_back_to_a_roster_post_of_that_name() -> None:
    roster = make_roster([("财务科", "刘会计", "会计", "人财物管理", False)], [("财务科", "", "")])
    points, _ = graded(
        [make_point(section="财务科", name="新同事", post="会计", harm="一般", likelihood="低")],
        roster,
    )
    assert points.iloc[0]["post_type"] == "人财物管理"
    assert points.iloc[0]["level"] == "一级"


# ------------------------------------------------------------------------------------------
# Custom and broken settings
# ------------------------------------------------------------------------------------------
def test_a_custom_matrix_and_floor_from_settings_toml(tmp_path: Path) -> None:
    settings = config.load_settings(
        write_settings(
            tmp_path,
            '[grading.matrix."一般"]\n"低" = "二级"\n\n'
            '[grading.floors]\n"一般管理服务" = "二级"\n"人财物管理" = "无"\n',
        )
    )
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    rows = [
        make_point(name="人员4", post="岗位4", harm="一般", likelihood="低", self_level="三级"),
        make_point(name="人员3", post="岗位3", harm="一般", likelihood="中", description="二"),
        make_point(name="人员1", post="岗位1", harm="一般", likelihood="中", description="三"),
    ]
    points, _ = graded(rows, roster, settings)
    by_name = points.set_index("name")
    assert by_name.loc["人员4", "level"] == "二级"
    assert by_name.loc["人员4", "level_reason"] == "发生几率低×危害程度一般→二级（自评三级）"
    assert by_name.loc["人员3", "level"] == "二级"
    assert by_name.loc["人员3", "level_reason"] == (
        "发生几率中×危害程度一般→三级；岗位类别：一般管理服务→二级"
    )
    # 人财物管理 has no floor any more: the matrix alone decides
    assert by_name.loc["人员1", "level"] == "三级"


@pytest.mark.parametrize(
    "text, needle",
    [
        ('[grading.matrix."严重"]\n"高" = "四级"\n', "grading.matrix.严重.高"),
        ('[grading.matrix."较重"]\n"中" = ""\n', "grading.matrix.较重.中"),
        ('[grading.matrix."严重"]\n"极高" = "一级"\n', "grading.matrix.严重.极高"),
        ('[grading.matrix."极严重"]\n"高" = "一级"\n', "grading.matrix.极严重"),
        ('[grading.floors]\n"人财物管理" = "顶级"\n', "grading.floors.人财物管理"),
        ('[grading.floors]\n"临时岗位" = "一级"\n', "grading.floors.临时岗位"),
    ],
)
def test_a_broken_matrix_or_floor_in_settings_toml_is_refused(
    tmp_path: Path, text: str, needle: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        config.load_settings(write_settings(tmp_path, text))
    assert needle in str(exc.value)


@pytest.mark.parametrize("harm, likelihood", [("严重", "高"), ("一般", "低")])
def test_a_matrix_missing_a_cell_is_refused_naming_the_cell(harm: str, likelihood: str) -> None:
    data = copy.deepcopy(config.DEFAULTS)
    del data["grading"]["matrix"][harm][likelihood]
    with pytest.raises(ConfigError) as exc:
        config.settings_from_dict(data)
    assert f"{harm}×{likelihood}" in str(exc.value)


# ------------------------------------------------------------------------------------------
# Unit-form points: the floor of the posts named in 涉及岗位
# ------------------------------------------------------------------------------------------
FINANCE = [
    ("财务科", "孙科长", "科长", "一般管理服务", True),
    ("财务科", "刘会计", "会计", "一般管理服务", False),
    ("财务科", "周出纳", "出纳", "人财物管理", False),
    ("财务科", "吴文员", "文员", "其他", False),
    ("办公室", "郑出纳", "档案员", "民生密切相关", False),
]
FINANCE_SECTIONS = [("财务科", "孙科长", "李副主席"), OFFICE_SECTION]


def unit_point(involved: str, **values: Any) -> dict[str, Any]:
    base = {
        "kind": vocab.UNIT,
        "file": "财务科/单位表.xlsx",
        "sheet": vocab.SHEET_UNIT,
        "section": "财务科",
        "name": pd.NA,
        "post": pd.NA,
        "head": "孙科长",
        "posts_involved": involved,
        "harm": "一般",
        "likelihood": "低",
        "self_level": "三级",
        "self_level_cell": "H4",
        "step": "报销审核",
        "description": "审核把关不严",
    }
    base.update(values)
    return make_point(**base)


@pytest.mark.parametrize(
    "involved, post_type, level, unmatched",
    [
        ("会计、出纳", "人财物管理", "一级", ""),
        ("会计，出纳", "人财物管理", "一级", ""),
        ("会计,出纳", "人财物管理", "一级", ""),
        ("会计/出纳", "人财物管理", "一级", ""),
        ("会计 出纳", "人财物管理", "一级", ""),
        ("会计\u3000出纳", "人财物管理", "一级", ""),
        ("ＡＢ、出纳 ", "人财物管理", "一级", "ＡＢ"),
        ("会计、文员", "一般管理服务", "三级", ""),
        ("出 纳", "", "三级", "出、纳"),
        ("档案员", "", "三级", "档案员"),  # a post of another section does not count
        ("科长、司机", "一般管理服务", "三级", "司机"),
        # the whole section: its most severe post (出纳, 人财物管理), never another section's
        ("全体人员", "人财物管理", "一级", ""),
        ("本科室全体人员", "人财物管理", "一级", ""),
        # a roster post as offices write it: with 岗/岗位/等 or a note, or two joined by 和/及
        ("出纳岗", "人财物管理", "一级", ""),
        ("文员岗、出纳岗位", "人财物管理", "一级", ""),
        ("出纳（兼）", "人财物管理", "一级", ""),
        ("会计和出纳", "人财物管理", "一级", ""),
        ("文员及出纳等", "人财物管理", "一级", ""),
        ("会计和司机", "", "三级", "会计和司机"),  # 司机 is no post: the word stays unmatched
        # the people of the section by name (their posts), the section in other words
        ("周出纳", "人财物管理", "一级", ""),
        ("吴文员、刘会计", "其他", "三级", ""),
        ("郑出纳", "", "三级", "郑出纳"),  # a person of another section does not count
        ("本科室", "人财物管理", "一级", ""),
        ("全科人员", "人财物管理", "一级", ""),
    ],
)
def test_unit_point_floor_comes_from_the_posts_it_names(
    involved: str, post_type: str, level: str, unmatched: str
) -> None:
    roster = make_roster(FINANCE, FINANCE_SECTIONS)
    points, _ = graded([unit_point(involved)], roster)
    got = points.iloc[0]
    assert got["post"] == involved and got["name"] == ""
    assert got["post_type"] == post_type
    assert got["level"] == level
    assert got[grade.UNMATCHED_COLUMN] == unmatched
    issues = grade.level_issues(points)
    missing = issues[issues["code"] == "posts_not_in_roster"]
    if unmatched:
        assert len(missing) == 1 and missing.iloc[0]["value"] == unmatched
        assert missing.iloc[0]["section"] == "财务科"
    else:
        assert missing.empty


def _children_unit_form_run(tmp_path: Path, rows: list[dict]) -> dict[str, pd.DataFrame]:
    """The archive's sheets of a run on one unit form of 家庭儿童工作部 (``rows``), its
    儿童工作干事 a 人财物管理 post (floor 一级) in the roster."""
    people = [
        (*p[:3], "人财物管理", p[4]) if p[2] == "儿童工作干事" else p for p in CHILDREN_PEOPLE
    ]
    cfg = write_config(tmp_path, people, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(
        inbox / "单位表.xlsx",
        vocab.UNIT,
        header={"section": "家庭儿童工作部", "head": "闫红"},
        rows=rows,
    )
    run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    return pd.read_excel(next(out.glob("*.xlsx")), sheet_name=None, engine="calamine", dtype=str)


def test_a_unit_form_naming_posts_as_offices_write_them_gets_their_floor(tmp_path: Path) -> None:
    """A real unit form of 家庭儿童工作部 names 「儿童工作干事岗」, 「部长和儿童工作干事」 and two
    of its 干事 by name; the roster's 儿童工作干事 is 人财物管理 (floor 一级). Every point is
    一级 by that floor, the post's summary counts them, and nobody is told the posts are not in
    the roster."""
    words = ["儿童工作干事岗", "部长和儿童工作干事", "丁玲、范彩兰"]  # the last: her people
    rows = [
        sample_row(
            i,
            description=f"风险{i}",
            posts_involved=w,
            likelihood="低",
            harm="一般",
            self_level=None,
        )
        for i, w in enumerate(words, start=1)
    ]
    assert oracle.expected_level("一般管理服务", "一般", "低") == "三级"  # the matrix alone
    sheets = _children_unit_form_run(tmp_path, rows)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].set_index("岗位（职务）")
    for word in words:
        assert catalogue.at[word, "评定等级"] == "一级"
        assert "岗位类别：人财物管理→一级" in catalogue.at[word, "评定依据"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    assert not issues["字段"].eq("涉及岗位").any()
    posts = sheets[vocab.ARCHIVE_SHEET_POSTS].set_index("岗位（职务）")
    assert posts.at["儿童工作干事", "岗位等级"] == "一级"
    assert posts.at["儿童工作干事", "风险点数"] == "3"


def test_unit_post_names_match_after_folding() -> None:
    roster = make_roster([("财务科", "周出纳", "出纳员", "人财物管理", False)], FINANCE_SECTIONS)
    points, _ = graded([unit_point("出纳员：")], roster)
    assert points.iloc[0]["level"] == "一级"


# ------------------------------------------------------------------------------------------
# The posts summary
# ------------------------------------------------------------------------------------------
def test_posts_take_their_most_severe_point_and_count_unit_points_for_each_named_post() -> None:
    roster = make_roster(FINANCE, FINANCE_SECTIONS)
    rows = [
        make_point(section="财务科", name="刘会计", post="会计", harm="一般", likelihood="低"),
        make_point(
            section="财务科",
            name="刘会计",
            post="会计",
            harm="较重",
            likelihood="中",
            description="报销单据审核不严",
            excel_row=5,
        ),
        make_point(section="财务科", name="吴文员", post="文员", harm="一般", likelihood="中"),
        unit_point("会计、出纳", harm="严重", likelihood="中"),
    ]
    points, posts = graded(rows, roster)
    table = posts.set_index("post")
    assert list(posts["section"].unique()) == ["财务科"]
    assert set(table.index) == {"会计", "出纳", "文员"}
    # 会计: its own 三级 and 二级 points plus the unit point (一级 by the matrix)
    assert table.loc["会计", "level"] == "一级"
    assert table.loc["会计", "n_points"] == 3
    assert table.loc["会计", list(vocab.LEVELS)].tolist() == [1, 1, 1]
    unit = points[points["kind"] == vocab.UNIT].iloc[0]
    assert unit["level_reason"].startswith(
        "发生几率中×危害程度严重→一级；岗位类别：人财物管理→一级"
    )
    assert table.loc["会计", "level_reason"] == f"{unit['point_id']}：{unit['level_reason']}"
    assert table.loc["会计", "names"] == "刘会计"
    # 出纳 is named only by the unit point; its holder is listed from the roster
    assert table.loc["出纳", "n_points"] == 1 and table.loc["出纳", "names"] == "周出纳"
    assert table.loc["出纳", "post_type"] == "人财物管理"
    assert table.loc["文员", "level"] == "三级" and table.loc["文员", "post_type"] == "其他"


def test_empty_points_give_empty_frames_with_the_columns() -> None:
    roster = make_roster(FINANCE, FINANCE_SECTIONS)
    empty = make_points([make_point()]).iloc[0:0]
    merged, _ = merge.merge(empty)
    points, posts = grade.grade(merged, roster, config.default_settings())
    assert points.empty and posts.empty
    assert set(frames.GRADE_COLUMNS) <= set(points.columns)
    assert list(posts.columns) == list(grade.POST_COLUMNS)
    assert grade.level_issues(points).empty


def test_grading_is_per_combination_and_independent_of_row_order() -> None:
    roster = make_roster(ONE_PERSON_PER_TYPE, SECTIONS)
    rows = [
        make_point(
            name=f"人员{i}", post=f"岗位{i}", harm=h, likelihood=lk, description=f"描述{i}{h}{lk}"
        )
        for i, (h, lk) in itertools.product(range(5), SPEC_MATRIX)
    ]
    forward, posts_forward = graded(rows, roster)
    backward, posts_backward = graded(rows[::-1], roster)
    cols = ["point_id", "level", "level_reason"]
    pd.testing.assert_frame_equal(
        forward[cols].reset_index(drop=True), backward[cols].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(posts_forward, posts_backward)


def test_a_form_without_post_counts_for_the_roster_post_of_its_person() -> None:
    roster = make_roster(FINANCE, FINANCE_SECTIONS)
    _, posts = graded([make_point(section="财务科", name="周出纳", post=pd.NA)], roster)
    assert posts[["section", "post", "names", "level"]].values.tolist() == [
        ["财务科", "出纳", "周出纳", "一级"]
    ]


# SPEC's tables, as SPEC writes them (Rules: Grading, Supervisors), read end to end.
SPEC_LEVELS = {  # 危害程度 -> 发生几率 高/中/低
    "严重": ("一级", "一级", "二级"),
    "较重": ("一级", "二级", "三级"),
    "一般": ("二级", "三级", "三级"),
}
SPEC_FLOOR_LEVELS = {"领导班子正职": "一级", "人财物管理": "一级", "民生密切相关": "一级"}
SPEC_STAFF_SUPERVISORS = {  # level -> (直接管理, 负责领导) by role
    "一级": ("分管副主席", "主席"),
    "二级": ("科室负责人", "分管副主席"),
    "三级": ("科室负责人", "科室负责人"),
}
SPEC_MEASURES = {"三级": "提醒纠错", "二级": "谈话提醒", "一级": "诫勉纠错"}


def test_specs_grading_and_supervisor_tables_end_to_end(tmp_path: Path) -> None:
    """Forms as staff send them, run through the real command: every matrix cell (a post
    without floor), every post type's floor on a 低×一般 point, and who supervises whom."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import sample_row, write_form

    holders = {"主席": "陈主席", "分管副主席": "李副主席", "科室负责人": "赵科长"}
    types = ["人财物管理", "民生密切相关", "一般管理服务", "其他"]
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("领导班子", "李副主席", "副主席", "领导班子正职", "否"),
        ("业务科", "赵科长", "科长", "一般管理服务", "是"),
        *[("业务科", f"人员{i}", f"岗位{i}", t, "否") for i, t in enumerate(types)],
    ]
    sections = [("领导班子", "陈主席", ""), ("业务科", "赵科长", "李副主席")]
    cfg = write_config(tmp_path, people, sections)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    matrix = [
        (harm, likelihood, level)
        for harm, levels in SPEC_LEVELS.items()
        for likelihood, level in zip(("高", "中", "低"), levels, strict=True)
    ]
    general = types.index("一般管理服务")
    for i, post_type in enumerate(types):
        cells = matrix if i == general else [("一般", "低", "三级")]
        rows = [
            sample_row(n, harm=h, likelihood=lk, self_level="三级")
            for n, (h, lk, _) in enumerate(cells, start=1)
        ]
        header = {"section": "业务科", "name": f"人员{i}", "post": f"岗位{i}"}
        write_form(inbox / f"人员{i}.xlsx", header=header, rows=rows)
    # the chain of rank: nobody is supervised by themselves or by someone below them
    escalated = {  # (name, post, 危害程度, 发生几率) -> (直接管理, 负责领导)
        ("赵科长", "科长", "一般", "低"): ("李副主席", "李副主席"),
        ("赵科长", "科长", "严重", "高"): ("李副主席", "陈主席"),
        ("李副主席", "副主席", "一般", "低"): ("陈主席", "陈主席"),
        ("陈主席", "主席", "一般", "低"): ("区纪委派驻纪检组", "区纪委派驻纪检组"),
    }
    for name, post in dict.fromkeys((name, post) for name, post, *_ in escalated):
        section = "业务科" if name == "赵科长" else "领导班子"
        rows = [
            sample_row(n, harm=harm, likelihood=likelihood, self_level="三级")
            for n, (who, _, harm, likelihood) in enumerate(escalated, start=20)
            if who == name
        ]
        header = {"section": section, "name": name, "post": post}
        write_form(inbox / f"{name}.xlsx", header=header, rows=rows)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    catalogue = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE, dtype=str, engine="calamine"
    )
    for (name, _post, harm, likelihood), supervisors in escalated.items():
        (row,) = catalogue[
            (catalogue["姓名"] == name) & (catalogue["危害程度"] == harm)
        ].itertuples()
        assert (row.发生几率, (row.直接管理, row.负责领导)) == (likelihood, supervisors)
    catalogue = catalogue[catalogue["科室"].eq("业务科") & catalogue["姓名"].ne("赵科长")]
    got = {
        (r.姓名, r.危害程度, r.发生几率): (
            r.评定等级,
            r.评定依据,
            r.直接管理,
            r.负责领导,
            r.处置方式,
        )
        for r in catalogue.itertuples()
    }
    assert len(got) == len(catalogue) == len(matrix) + len(types) - 1
    for harm, likelihood, level in matrix:
        reason, direct, leader, measure = got[(f"人员{general}", harm, likelihood)][1:]
        assert got[(f"人员{general}", harm, likelihood)][0] == level
        assert reason.startswith(f"发生几率{likelihood}×危害程度{harm}→{level}")
        roles = SPEC_STAFF_SUPERVISORS[level]
        assert (direct, leader) == (holders[roles[0]], holders[roles[1]])
        assert measure == SPEC_MEASURES[level]
    for i, post_type in enumerate(types):
        level, reason, *_ = got[(f"人员{i}", "一般", "低")]
        floor = SPEC_FLOOR_LEVELS.get(post_type)
        assert level == (floor or "三级")
        assert (f"岗位类别：{post_type}→{floor}" in reason) == bool(floor)


def test_a_self_level_above_the_computed_one_is_told_how_to_keep_it(tmp_path: Path) -> None:
    """丁玲 judged a 低×一般 point 一级: it is filed 三级 (SPEC: the matrix and the floor decide)
    and the 提示 says so and how to keep 一级 (raise 发生几率 or 危害程度), not to 「核对岗位类别」,
    which can only raise a level. A point the matrix raises above 自评 keeps that advice."""
    from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
    from tests.conftest import process_cli

    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rows = [
        sample_row(1, likelihood="低", harm="一般", self_level="一级"),
        sample_row(2, likelihood="高", harm="严重", self_level="三级"),
    ]
    header = {"section": "家庭儿童工作部", "name": "丁玲", "post": "儿童工作干事"}
    write_form(inbox / "丁玲.xlsx", header=header, rows=rows)
    assert process_cli(inbox, cfg, out) == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, dtype=str, engine="calamine")
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    got = catalogue[["自评等级", "评定等级"]].values.tolist()
    assert sorted(got) == [["一级", "三级"], ["三级", "一级"]]  # the precondition
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    differs = issues[issues["字段"] == "自评等级"].set_index("原值")
    lowered = differs.loc["一级", "修改建议"]
    assert "低于自评" in lowered and "如确属一级风险，请相应提高发生几率或危害程度" in lowered
    assert "否则请把自评等级改为「三级」" in lowered and "岗位类别；以评定等级为准" not in lowered
    assert differs.loc["三级", "修改建议"] == vocab.LEVEL_DIFFERS_FIX_RAISED
    assert "自评等级「一级」与评定等级「三级」不一致" in differs.loc["一级", "问题"]


def test_a_unit_forms_numbered_quoted_or_section_named_posts_get_their_floor(
    tmp_path: Path,
) -> None:
    """Offices number the posts in a 涉及岗位 cell (1.儿童工作干事 2.部长, 1、…), quote them
    (“儿童工作干事”), write the section's name before them (家庭儿童工作部全体人员) or add 等 as a
    word of its own. Each named no roster post: the 人财物管理 floor was missed (filed 三级
    instead of 一级) and the section was told the posts are not in the roster."""
    words = [
        "1.部长 2.儿童工作干事",
        "1、部长\n2、儿童工作干事",
        "（1）儿童工作干事",
        "“儿童工作干事”、“部长”",
        "家庭儿童工作部全体人员",
        "家庭儿童工作部儿童工作干事",
        "儿童工作干事 等",
    ]
    rows = [
        sample_row(i, description=f"风险{i}", posts_involved=w, likelihood="低", harm="一般")
        for i, w in enumerate(words, start=1)
    ]
    rows.append(sample_row(9, description="风险9", posts_involved="1.司机", self_level="二级"))
    assert oracle.expected_level("一般管理服务", "一般", "低") == "三级"  # the matrix alone
    sheets = _children_unit_form_run(tmp_path, rows)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].set_index("岗位（职务）")
    for word in words:
        assert catalogue.at[word, "评定等级"] == "一级", word
        assert "岗位类别：人财物管理→一级" in catalogue.at[word, "评定依据"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    told = issues.loc[issues["字段"].eq("涉及岗位"), "原值"].tolist()
    assert told == ["1.司机"]  # a post the roster does not have is still told, as written
    posts = sheets[vocab.ARCHIVE_SHEET_POSTS].set_index("岗位（职务）")
    assert posts.at["儿童工作干事", "风险点数"] == str(len(words))
    assert posts.at["部长", "风险点数"] == "4"  # 1.部长, 1、部长, “部长”, 全体人员
