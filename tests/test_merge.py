"""Merging exact duplicate risk points: one point, every source kept, a stable ID."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from pipeline import frames, merge, run, vocab
from tests.builders import (
    CHILDREN_PEOPLE,
    CHILDREN_SECTIONS,
    make_point,
    make_points,
    write_config,
)
from tests.forms import sample_row, write_form

ZHANG = {"file": "办公室/张三.xlsx", "name": "张三", "post": "文秘"}
LI = {"file": "办公室/李四.xlsx", "name": "李四", "post": "文秘"}
UNIT_FORM = {"kind": vocab.UNIT, "file": "办公室/单位.xlsx", "name": pd.NA}


def duplicates() -> list[dict]:
    """Two people of 办公室 report the same point; the second writes it with other spacing and
    full-width characters. A third row is a different point."""
    return [
        make_point(**ZHANG, excel_row=4, step="公文处理", description="泄露未公开信息", monitor=""),
        make_point(**ZHANG, excel_row=5, step="印章管理", description="违规用印"),
        make_point(
            **LI,
            excel_row=6,
            step=" 公文 处理 ",
            description="泄露未公开信息。",
            prevent="李四的预防",
            monitor="李四的监控",
        ),
    ]


def test_same_post_step_and_description_in_two_files_become_one_point() -> None:
    rows = duplicates()
    assert rows[0]["prevent"] != rows[2]["prevent"] and rows[0]["monitor"] == ""
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 2
    merged = points[points["description"] == "泄露未公开信息"].iloc[0]
    assert merged["names"] == "张三、李四"
    assert merged["sources"] == [("办公室/张三.xlsx", 4), ("办公室/李四.xlsx", 6)]
    assert merged["source_file"] == "办公室/张三.xlsx；办公室/李四.xlsx"
    assert merged["source_row"] == "4；6"
    # every distinct measure text of every source is kept, in source order
    assert merged["name"] == "张三"
    assert merged["prevent"] == "加强保密教育\n李四的预防"
    assert merged["monitor"] == "李四的监控"
    assert merged["handle"] == "发现即纠正"  # the same text twice is kept once
    # every accepted row is still cited by exactly one point
    assert sum(len(s) for s in points["sources"]) == 3
    # the measures differ, so the two are not called 完全相同
    assert list(issues["code"]) == ["merged_point"]
    note = issues.iloc[0]
    assert note["action"] == vocab.ACTION_NOTE
    assert (note["file"], note["name"], note["section"]) == ("办公室/李四.xlsx", "李四", "办公室")
    assert "「办公室/张三.xlsx」" in note["problem"] and "完全相同" not in note["problem"]
    assert note["row_id"] == 2


def test_only_sources_equal_in_every_field_are_called_identical() -> None:
    rows = [
        make_point(**ZHANG, excel_row=4),
        make_point(**LI, excel_row=6, prevent="加强保密教育。"),
    ]
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 1 and points.iloc[0]["prevent"] == "加强保密教育"
    assert list(issues["code"]) == ["duplicate_point"]
    assert "完全相同" in issues.iloc[0]["problem"]
    assert "「办公室/张三.xlsx」第4行" in issues.iloc[0]["problem"]


CELLS = {
    "category_cell": "C{r}",
    "likelihood_cell": "E{r}",
    "harm_cell": "F{r}",
    "self_level_cell": "G{r}",
    "description_cell": "D{r}",
}


def cells(row: int) -> dict[str, str]:
    return {k: v.format(r=row) for k, v in CELLS.items()}


def test_the_most_severe_likelihood_and_harm_win_and_both_sources_are_told() -> None:
    """丁玲's 高×较重 (一级) merged with 范彩兰's 中×一般 (三级): the point keeps 高 and 较重,
    and each of them is told the other's file, cell and value."""
    fan = {"file": "范彩兰.xlsx", "name": "范彩兰", "post": "干事", "section": "家庭儿童工作部"}
    ding = {
        "file": "个人廉政风险自查表-丁玲.xlsx",
        "name": "丁玲",
        "post": "干事",
        "section": "家庭儿童工作部",
    }
    common = {"step": "儿童之家项目", "description": "项目资金使用不规范"}
    rows = [
        make_point(
            **fan,
            **common,
            **cells(5),
            excel_row=5,
            likelihood="中",
            harm="一般",
            self_level="三级",
            category="业务流程风险",
        ),
        make_point(
            **ding,
            **common,
            **cells(4),
            excel_row=4,
            likelihood="高",
            harm="较重",
            self_level="一级",
            category="岗位职责风险",
            prevent="丁玲的预防",
        ),
    ]
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 1
    point = points.iloc[0]
    assert (point["likelihood"], point["harm"], point["self_level"]) == ("高", "较重", "一级")
    assert point["category"] == "岗位职责风险"  # the first source (file order) names it
    assert "丁玲的预防" in point["prevent"] and "加强保密教育" in point["prevent"]
    assert set(issues["code"]) == {"merge_conflict"}
    by = {(r.file, r.field): r for r in issues.itertuples()}
    assert len(by) == 8  # four differing fields, told to each of the two sources
    fan_likelihood = by[("范彩兰.xlsx", "发生几率")]
    assert fan_likelihood.cell == "E5" and fan_likelihood.value == "中"
    assert "「个人廉政风险自查表-丁玲.xlsx」E4为「高」" in fan_likelihood.problem
    ding_harm = by[("个人廉政风险自查表-丁玲.xlsx", "危害程度")]
    assert ding_harm.cell == "F4" and "「范彩兰.xlsx」F5为「一般」" in ding_harm.problem
    assert "较重" in ding_harm.problem and ding_harm.row_id == 1
    assert all("商定" in fix for fix in issues["fix"])


def test_a_differing_self_level_is_not_said_to_set_the_catalogue_level(tmp_path: Path) -> None:
    """李四 wrote 高×一般, 自评 二级; the section's unit form the same point 低×较重, 自评 三级.
    The point is filed 高×较重 → 一级, and the 自评等级 note said 「目录中按其中较严重的「二级」
    定级」 beside a catalogue level of 一级. It now says the 自评等级 is recorded as 二级 and
    the level comes from likelihood, harm and post type."""
    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, UNIT_HEADER

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "张三", "主任", "一般管理服务", True),
        ("办公室", "李四", "科员", "一般管理服务", False),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    inbox = tmp_path / "inbox"
    write_form(inbox / "李四.xlsx", header=dict(HEADER, name="李四"),
               rows=[sample_row(3, likelihood="高", harm="一般", self_level="二级")])  # fmt: skip
    write_form(inbox / "办公室单位表.xlsx", vocab.UNIT, header=dict(UNIT_HEADER, head="张三"),
               rows=[sample_row(3, posts_involved="科员", likelihood="低", harm="较重",
                                self_level="三级")])  # fmt: skip
    assert process_cli(inbox, config, tmp_path / "out") == 0
    (book,) = (tmp_path / "out").glob("*_廉政风险信息档案.xlsx")
    read = lambda name: pd.read_excel(book, sheet_name=name, dtype=str, engine="openpyxl")
    catalogue = read(vocab.ARCHIVE_SHEET_CATALOGUE)
    assert catalogue["评定等级"].tolist() == ["一级"]  # precondition: merged, graded 一级
    issues = read(vocab.ARCHIVE_SHEET_ISSUES)
    notes = issues.loc[
        (issues["字段"] == "自评等级") & issues["问题"].str.contains("已合并为一条"), "问题"
    ].tolist()
    assert len(notes) == 2 and not any("「二级」定级" in n for n in notes), notes
    assert all("自评等级记为其中较严重的「二级」" in n for n in notes), notes


def test_a_blank_value_is_filled_from_another_source_without_a_conflict() -> None:
    rows = [make_point(**ZHANG, self_level=pd.NA), make_point(**LI, excel_row=6)]
    points, issues = merge.merge(make_points(rows))
    assert points.iloc[0]["self_level"] == "二级"
    assert list(issues["code"]) == ["merged_point"]


def test_point_ids_are_stable_across_runs_and_file_orders() -> None:
    rows = duplicates()
    first, _ = merge.merge(make_points(rows))
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again, _ = merge.merge(make_points(shuffled[::-1]))
    cols = ["point_id", "names", "source_file", "source_row", "description", "monitor"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    assert list(first["sources"]) == list(again["sources"])


def test_point_ids_are_readable_section_person_and_number() -> None:
    rows = [
        make_point(**ZHANG, excel_row=5, step="印章管理", description="违规用印"),
        make_point(**ZHANG, excel_row=4),
        make_point(**LI, excel_row=4, step="会议组织", description="泄露会议信息"),
        make_point(**UNIT_FORM, post=pd.NA, posts_involved="文秘", step="采购", excel_row=4),
        make_point(section="财务科", file="财务科/王五.xlsx", name="王五", post="会计"),
    ]
    points, _ = merge.merge(make_points(rows))
    ids = dict(zip(points["description"] + "@" + points["name"], points["point_id"], strict=True))
    assert ids["泄露未公开信息@张三"] == "办公室-张三-01"  # row 4 before row 5
    assert ids["违规用印@张三"] == "办公室-张三-02"
    assert ids["泄露会议信息@李四"] == "办公室-李四-01"
    assert ids["泄露未公开信息@"] == "办公室-单位-01"
    assert ids["泄露未公开信息@王五"] == "财务科-王五-01"
    # the same inbox gives the same IDs, whatever order the rows come in
    again, _ = merge.merge(make_points(rows[::-1]))
    assert sorted(again["point_id"]) == sorted(points["point_id"])
    assert not points["point_id"].str.contains("FX-").any()


def test_a_hundred_points_of_one_person_get_three_digits() -> None:
    rows = [make_point(excel_row=4 + i, description=f"风险{i}") for i in range(100)]
    points, _ = merge.merge(make_points(rows))
    assert points["point_id"].iloc[0] == "办公室-张三-001"
    assert points["point_id"].iloc[-1] == "办公室-张三-100" and points["point_id"].is_unique


@pytest.mark.parametrize(
    "change",
    [
        {"section": "财务科"},
        {"post": "档案员"},
        {"step": "会议组织"},
        {"description": "泄露会议信息"},
    ],
)
def test_points_differing_in_section_post_step_or_description_stay_apart(change: dict) -> None:
    rows = [make_point(**ZHANG), make_point(**{**LI, **change})]
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 2 and issues.empty
    assert points["point_id"].is_unique


def test_a_vertical_bar_in_a_key_text_merges_and_keeps_apart_as_any_text() -> None:
    # "|" joins the folded key parts: a point whose texts hold one is still told apart from
    # one differing elsewhere, and merged with its own duplicate
    rows = [
        make_point(**ZHANG, excel_row=4, step="公文|处理", description="泄露|信息"),
        make_point(**LI, excel_row=5, step="公文|处理", description="泄露|信息"),
        make_point(**LI, excel_row=6, step="公文", description="泄露|信息"),
    ]
    assert all("|" in r["description"] for r in rows)
    points, _ = merge.merge(make_points(rows))
    assert len(points) == 2
    merged = points[points["step"] == "公文|处理"].iloc[0]
    assert merged["sources"] == [("办公室/张三.xlsx", 4), ("办公室/李四.xlsx", 5)]
    assert points["point_id"].is_unique


def test_texts_whose_joined_key_collides_stay_two_points() -> None:
    # "公文|处理" + "泄露|信息" and "公文" + "处理|泄露|信息" read alike once joined by "|":
    # they are still two risk points, each graded on its own sources
    rows = [
        make_point(
            **ZHANG, excel_row=4, step="公文|处理", description="泄露|信息", self_level="一级"
        ),
        make_point(
            **ZHANG, excel_row=5, step="公文", description="处理|泄露|信息", self_level="三级"
        ),
    ]
    joined = ["|".join((r["section"], r["post"], r["step"], r["description"])) for r in rows]
    assert joined[0] == joined[1]  # the case: the joined keys are equal
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 2
    assert sorted(points["step"]) == ["公文", "公文|处理"]
    by_step = points.set_index("step")
    assert by_step.loc["公文|处理", "sources"] == [("办公室/张三.xlsx", 4)]
    assert by_step.loc["公文", "sources"] == [("办公室/张三.xlsx", 5)]
    assert by_step.loc["公文|处理", "self_level"] == "一级"
    assert by_step.loc["公文", "self_level"] == "三级"
    assert "merge_conflict" not in set(issues["code"])
    assert points["point_id"].is_unique


def test_unit_points_use_posts_involved_as_post_and_no_person() -> None:
    rows = [
        make_point(**UNIT_FORM, post=pd.NA, posts_involved="文秘、档案员", excel_row=4),
        make_point(**UNIT_FORM, post=pd.NA, posts_involved="文秘 、档案员", excel_row=5),
        make_point(**ZHANG, excel_row=4),
    ]
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 2 and len(issues) == 1
    individual, unit = points.iloc[0], points.iloc[1]
    assert individual["kind"] == vocab.INDIVIDUAL  # individual points come first
    assert unit["kind"] == vocab.UNIT
    assert (unit["post"], unit["name"], unit["names"]) == ("文秘、档案员", "", "")
    assert unit["source_row"] == "4；5"
    assert list(issues["code"]) == ["duplicate_point"]


def test_an_individual_and_a_unit_point_on_the_same_post_merge() -> None:
    rows = [
        make_point(**UNIT_FORM, posts_involved="文秘"),
        make_point(**ZHANG),
    ]
    points, _ = merge.merge(make_points(rows))
    assert len(points) == 1
    point = points.iloc[0]
    assert point["kind"] == vocab.INDIVIDUAL and point["names"] == "张三"
    assert point["sources"] == [("办公室/张三.xlsx", 4), ("办公室/单位.xlsx", 4)]


def test_merge_adds_the_declared_columns_and_handles_no_points() -> None:
    points, issues = merge.merge(make_points([make_point()]))
    assert set(frames.MERGE_COLUMNS) <= set(points.columns)
    assert issues.empty and list(issues.columns) == list(frames.ISSUE_COLUMNS)
    empty, no_issues = merge.merge(make_points([make_point()]).iloc[0:0])
    assert empty.empty and no_issues.empty
    assert set(frames.MERGE_COLUMNS) <= set(empty.columns)


def test_many_rows_merge_in_one_pass() -> None:
    """Hundreds of forms, each point reported twice: half the points, all sources kept."""
    rows = [
        make_point(
            file=f"科室{i % 7}/{who}{i}.xlsx",
            section=f"科室{i % 7}",
            name=f"{who}{i}",
            excel_row=4 + j,
            description=f"风险点{i}-{j}",
        )
        for i in range(300)
        for j in range(8)
        for who in ("甲", "乙")
    ]
    points, issues = merge.merge(make_points(rows))
    assert len(points) == 300 * 8
    assert len(issues) == 300 * 8
    assert sum(len(s) for s in points["sources"]) == len(rows)
    assert (points["names"].str.count("、") == 1).all()


def test_the_archive_files_a_merged_point_at_its_most_severe_sources_level(
    tmp_path: Path,
) -> None:
    """The shipped demo's case, built: 丁玲 grades 儿童之家项目 高×较重 (一级), 范彩兰 the same
    point 中×一般 (三级) with other measures. The archive has one 一级 point citing both files,
    every measure of both, and each file's 异常清单 note names the other's cell and value."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    common = {"step": "儿童之家项目", "description": "项目申报审核不严，资金分配不公。"}
    header = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    ding = sample_row(1, **common, likelihood="高", harm="较重", self_level="一级")
    fan = sample_row(
        1,
        **common,
        likelihood="中",
        harm="一般",
        self_level="三级",
        category="业务流程风险",
        prevent="公开项目申报条件",
        monitor="项目实地验收",
        handle="不合格项目收回资金",
    )
    # as in the demo, 范彩兰's file sorts first (a mail folder), so it is the first source
    fan_file = "2026-03-05 来自范彩兰/范彩兰.xlsx"
    ding_file = "个人廉政风险自查表-丁玲.xlsx"
    write_form(inbox / ding_file, header={**header, "name": "丁玲"}, rows=[ding])
    write_form(inbox / fan_file, header={**header, "name": "范彩兰"}, rows=[fan])
    assert (ding["likelihood"], ding["harm"], fan["likelihood"], fan["harm"]) == (
        "高",
        "较重",
        "中",
        "一般",
    )
    out = tmp_path / "out"
    run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    archive = next(out.glob("*.xlsx"))
    sheets = pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    rows = catalogue[catalogue["职权事项（工作环节）"] == "儿童之家项目"]
    assert len(rows) == 1
    point = rows.iloc[0]
    assert (point["发生几率"], point["危害程度"], point["评定等级"]) == ("高", "较重", "一级")
    assert point["来源文件"] == f"{fan_file}；{ding_file}"
    assert point["姓名"] == "范彩兰、丁玲"
    for field in ("前期预防措施", "中期监控措施", "后期处置措施"):
        assert ding[vocab_key(field)] in point[field] and fan[vocab_key(field)] in point[field]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    notes = issues[issues["字段"] == "发生几率"].set_index("文件")
    assert notes.at[fan_file, "单元格"] == "E4" and notes.at[fan_file, "原值"] == "中"
    assert f"「{ding_file}」E4为「高」" in notes.at[fan_file, "问题"]
    assert f"「{fan_file}」E4为「中」" in notes.at[ding_file, "问题"]
    categories = issues[issues["字段"] == "风险类别"]
    assert set(categories["文件"]) == {ding_file, fan_file}
    assert not issues["问题"].str.contains("完全相同").any()
    # the point is named by its first source's section, person and number, never by a hash
    assert point[vocab.POINT_ID_LABEL] == "家庭儿童工作部-范彩兰-01"
    posts = sheets[vocab.ARCHIVE_SHEET_POSTS]
    reasons = posts.loc[posts["岗位（职务）"] == "儿童工作干事", "评定依据"].tolist()
    assert reasons == ["家庭儿童工作部-范彩兰-01：发生几率高×危害程度较重→一级"]


def vocab_key(label: str) -> str:
    return next(k for k, v in vocab.COLUMN_LABELS.items() if v == label)


def test_a_measure_line_two_sources_both_wrote_is_kept_once(tmp_path: Path) -> None:
    """丁玲 writes 前期预防 「公开项目申报条件」, 范彩兰 the same line and one more under it in
    one cell. The merged point lists each line once, in source order, not 「公开项目申报条件」
    twice because the two cells differ as a whole."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    common = {"step": "儿童之家项目", "description": "项目申报审核不严"}
    header = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    ding = sample_row(1, **common, prevent="公开项目申报条件", monitor="项目实地验收")
    fan = sample_row(
        1, **common, prevent="公开项目申报条件。\n集体研究审批", monitor="项目实地验收"
    )
    write_form(inbox / "丁玲.xlsx", header={**header, "name": "丁玲"}, rows=[ding])
    write_form(inbox / "范彩兰.xlsx", header={**header, "name": "范彩兰"}, rows=[fan])
    assert ding["prevent"] in fan["prevent"] and ding["prevent"] != fan["prevent"]
    out = tmp_path / "out"
    run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    archive = next(out.glob("*.xlsx"))
    catalogue = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE, engine="calamine", dtype=str
    )
    point = catalogue[catalogue["职权事项（工作环节）"] == "儿童之家项目"]
    assert len(point) == 1 and point.iloc[0]["来源文件"] == "丁玲.xlsx；范彩兰.xlsx"
    assert point.iloc[0]["前期预防措施"] == "公开项目申报条件\n集体研究审批"
    assert point.iloc[0]["中期监控措施"] == "项目实地验收"


def test_a_description_copied_with_its_list_number_and_semicolon_is_the_same_point(
    tmp_path: Path,
) -> None:
    """丁玲 and 范彩兰 copy the same list item, one with its number and 「；」: one point, both
    sources."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox = tmp_path / "inbox"
    header = {"section": "家庭儿童工作部", "post": "儿童工作干事"}
    texts = {"丁玲": "1. 项目资金使用不规范；", "范彩兰": "项目资金使用不规范"}
    for name, text in texts.items():
        row = sample_row(1, step="儿童之家项目；", description=text)
        write_form(inbox / f"{name}.xlsx", header={**header, "name": name}, rows=[row])
    out = tmp_path / "out"
    run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    catalogue = pd.read_excel(
        next(out.glob("*.xlsx")),
        sheet_name=vocab.ARCHIVE_SHEET_CATALOGUE,
        engine="calamine",
        dtype=str,
    )
    assert len(catalogue) == 1
    assert catalogue.iloc[0]["来源文件"] == "丁玲.xlsx；范彩兰.xlsx"
    assert catalogue.iloc[0]["风险点描述"] == texts["丁玲"]  # the first source's text, as written
    # the two texts are not 完全相同: the note says they were merged, not that they are equal
    issues = pd.read_excel(
        next(out.glob("*.xlsx")), sheet_name=vocab.ARCHIVE_SHEET_ISSUES, engine="calamine"
    )
    (note,) = issues.loc[issues["字段"] == "风险点描述", "问题"]
    assert "同一风险点" in note and "完全相同" not in note
