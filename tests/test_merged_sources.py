"""A merged point as the office sees it: never below any of its sources, and every file
whose rows went into it counted as sent (the real command on real files, archive read back)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import vocab
from pipeline.cli import main
from tests import forms
from tests.builders import write_config

PEOPLE = [
    ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
    ("领导班子", "李副主席", "副主席", "一般管理服务", "否"),
    ("办公室", "王芳", "主任", "一般管理服务", "是"),
    ("办公室", "张三", "科员", "一般管理服务", "否"),
    ("办公室", "李明", "科员", "一般管理服务", "否"),
    ("办公室", "赵六", "科员", "人财物管理", "否"),
    ("办公室", "钱八", "文秘", "一般管理服务", "否"),
]
SECTIONS = [("领导班子", "陈主席", ""), ("办公室", "王芳", "李副主席")]
LOW = {"likelihood": "低", "harm": "一般", "self_level": "三级"}  # 低×一般 → 三级


def _row(i: int, step: str, description: str, **over: object) -> dict[str, object]:
    return forms.sample_row(i, step=step, description=description, **{**LOW, **over})


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    root = tmp_path_factory.mktemp("merged")
    inbox = root / "inbox"
    config = write_config(root, PEOPLE, SECTIONS)
    # 张三 grades both points 三级 by the matrix; his file sorts first, so it is the first
    # source of each merged point
    forms.write_form(
        inbox / "张三.xlsx",
        header={"name": "张三", "post": "科员"},
        rows=[_row(1, "车辆管理", "公车私用"), _row(2, "报销审核", "虚报冒领")],
    )
    # 李明's form has one 风险等级 column, no 发生几率 / 危害程度: his 一级 is his level
    single = [c for c in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL] if c not in ("likelihood", "harm")]
    forms.write_form(
        inbox / "李明.xlsx",
        header={"name": "李明", "post": "科员"},
        columns=single,
        rows=[forms.sample_row(1, step="车辆管理", description="公车私用", self_level="一级")],
    )
    # 赵六 is a 科员 too, but of 人财物管理: alone, his point is 一级 by the floor
    forms.write_form(
        inbox / "赵六.xlsx",
        header={"name": "赵六", "post": "科员"},
        rows=[_row(1, "报销审核", "虚报冒领")],
    )
    # 钱八's 二级, which the unit form (the head's) repeats
    forms.write_form(
        inbox / "钱八.xlsx",
        header={"name": "钱八", "post": "文秘"},
        rows=[_row(1, "会议管理", "虚报会议", likelihood="中", harm="较重", self_level="二级")],
    )
    # the section head's own point, and the unit form repeating it word for word
    forms.write_form(
        inbox / "王芳.xlsx",
        header={"name": "王芳", "post": "主任"},
        rows=[_row(1, "印章管理", "违规用印")],
    )
    forms.write_form(
        inbox / "办公室单位表.xlsx",
        kind=vocab.UNIT,
        header={"section": "办公室", "head": "王芳"},
        rows=[
            _row(1, "印章管理", "违规用印", posts_involved="主任"),
            _row(
                2,
                "会议管理",
                "虚报会议",
                likelihood="中",
                harm="较重",
                self_level="二级",
                posts_involved="文秘",
            ),
        ],
    )
    out = root / "out"
    code = main(
        ["process", "--inbox", str(inbox), "--config", str(config), "--out", str(out)]
        + ["--run-time", "2026-04-01T09:00:00"]
    )
    assert code == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    return pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)


def _point(sheets: dict[str, pd.DataFrame], step: str) -> pd.Series:
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    found = catalogue[catalogue["职权事项（工作环节）"] == step]
    assert len(found) == 1, found
    return found.iloc[0]


def test_a_source_graded_by_its_written_level_alone_keeps_the_point_at_that_level(
    office: dict[str, pd.DataFrame],
) -> None:
    point = _point(office, "车辆管理")
    # precondition: one point of both files, and the first source is the matrix's 三级
    assert point["来源文件"] == "张三.xlsx；李明.xlsx"
    assert (point["发生几率"], point["危害程度"]) == ("低", "一般")
    assert point["评定等级"] == "一级"
    assert "来源「李明.xlsx」：按填报的风险等级：一级" in point["评定依据"]
    # 一级 goes to the vice-chair and the chair
    assert (point["直接管理"], point["负责领导"]) == ("李副主席", "陈主席")


def test_a_source_whose_post_type_has_a_floor_keeps_the_point_at_it(
    office: dict[str, pd.DataFrame],
) -> None:
    point = _point(office, "报销审核")
    assert point["来源文件"] == "张三.xlsx；赵六.xlsx"
    assert point["评定等级"] == "一级"
    assert "来源「赵六.xlsx」：" in point["评定依据"]
    assert "岗位类别：人财物管理→一级" in point["评定依据"]
    # 张三's own 三级 is told to differ, at his cell, with the point's true level
    issues = office[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    told = issues[(issues["文件"] == "张三.xlsx") & issues["问题"].str.contains("评定等级「一级」")]
    assert set(told["单元格"]) == {"G4", "G5"}


def test_a_point_the_head_sent_too_is_not_supervised_by_the_head(
    office: dict[str, pd.DataFrame],
) -> None:
    point = _point(office, "会议管理")
    # precondition: 钱八's row comes first, the unit form (the head's) second
    assert point["来源文件"] == "钱八.xlsx；办公室单位表.xlsx"
    assert point["评定等级"] == "二级"
    # 钱八's 二级 alone would go to (王芳, 李副主席); 王芳 sent it too, so it passes up
    assert (point["直接管理"], point["负责领导"]) == ("李副主席", "李副主席")


def test_every_file_whose_rows_merged_into_a_point_counts_as_sent(
    office: dict[str, pd.DataFrame],
) -> None:
    # precondition: the unit form's only point is the head's, which comes first
    assert _point(office, "印章管理")["来源文件"] == "王芳.xlsx；办公室单位表.xlsx"
    status = office[vocab.ARCHIVE_SHEET_SUBMISSIONS].fillna("")
    by_file = dict(zip(status["文件"], status["提交状态"], strict=True))
    for file in ("办公室单位表.xlsx", "李明.xlsx", "赵六.xlsx"):
        assert by_file[file] == vocab.STATUS_ON_TIME, (file, by_file)
    issues = office[vocab.ARCHIVE_SHEET_ISSUES]
    assert not issues["问题"].str.contains("被退回").any()
