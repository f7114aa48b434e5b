"""Merging exact duplicate risk points: one point, every source kept, a stable ID."""

from __future__ import annotations

import hashlib
import random

import pandas as pd
import pytest

from pipeline import frames, merge, vocab
from tests.builders import make_point, make_points

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
    points, issues = merge.merge(make_points(duplicates()))
    assert len(points) == 2
    merged = points[points["description"] == "泄露未公开信息"].iloc[0]
    assert merged["names"] == "张三、李四"
    assert merged["sources"] == [("办公室/张三.xlsx", 4), ("办公室/李四.xlsx", 6)]
    assert merged["source_file"] == "办公室/张三.xlsx；办公室/李四.xlsx"
    assert merged["source_row"] == "4；6"
    # the first source's values stay; an empty measure line is taken from the duplicate
    assert merged["name"] == "张三" and merged["prevent"] == "加强保密教育"
    assert merged["monitor"] == "李四的监控"
    # every accepted row is still cited by exactly one point
    assert sum(len(s) for s in points["sources"]) == 3
    assert list(issues["code"]) == ["duplicate_point"]
    note = issues.iloc[0]
    assert note["action"] == vocab.ACTION_NOTE
    assert (note["file"], note["name"], note["section"]) == ("办公室/李四.xlsx", "李四", "办公室")
    assert "「办公室/张三.xlsx」第4行" in note["problem"]
    assert note["row_id"] == 2


def test_point_ids_are_stable_across_runs_and_file_orders() -> None:
    rows = duplicates()
    first, _ = merge.merge(make_points(rows))
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again, _ = merge.merge(make_points(shuffled[::-1]))
    cols = ["point_id", "names", "source_file", "source_row", "description", "monitor"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    assert list(first["sources"]) == list(again["sources"])


def test_point_id_is_a_hash_of_the_folded_content() -> None:
    points, _ = merge.merge(make_points([make_point()]))
    key = "|".join(vocab.fold(v) for v in ("办公室", "文秘", "公文处理", "泄露未公开信息"))
    assert points.iloc[0]["point_id"] == "FX-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    # the same point in a resubmitted file (other name, other row) keeps its ID
    again, _ = merge.merge(make_points([make_point(file="办公室/张三(2).xlsx", excel_row=9)]))
    assert again.iloc[0]["point_id"] == points.iloc[0]["point_id"]


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
