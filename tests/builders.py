"""Builders shared by the rule tests (merge, grade, assign, completeness): rosters, points
as validate hands them on, settings files, and the sample body's leaders and 办公室."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import config, frames, templates, vocab

CHAIR = "陈主席"
LEADERSHIP = "领导班子"
OFFICE_HEAD = ("办公室", "王芳", "主任", "一般管理服务", True)
LEADERSHIP_SECTION = (LEADERSHIP, CHAIR, "")
OFFICE_SECTION = ("办公室", "王芳", "李副主席")


def leadership(
    post_type: str, vice_chairs: tuple[str, ...] = ("李副主席",)
) -> list[tuple[str, str, str, str, bool]]:
    """The roster rows of the chair and the vice-chairs, all of one 岗位类别."""
    return [(LEADERSHIP, CHAIR, "主席", post_type, False)] + [
        (LEADERSHIP, vice, "副主席", post_type, False) for vice in vice_chairs
    ]


def sample_body(
    leaders_post_type: str,
    people: list[tuple[str, str, str, str, bool]],
    sections: list[tuple[str, str, str]],
    vice_chairs: tuple[str, ...] = ("李副主席",),
) -> tuple[list[tuple[str, str, str, str, bool]], list[tuple[str, str, str]]]:
    """(people, sections) of the sample body: its leaders (all of ``leaders_post_type``), 办公室
    headed by 王芳 under 李副主席, then the given ``people`` and ``sections``."""
    return (
        [*leadership(leaders_post_type, vice_chairs), OFFICE_HEAD, *people],
        [LEADERSHIP_SECTION, OFFICE_SECTION, *sections],
    )


def make_roster(
    people: list[tuple[str, str, str, str, bool]],
    sections: list[tuple[str, str, str]],
    chair: str = CHAIR,
    oversight: str = "区纪委派驻纪检组",
) -> config.Roster:
    """A Roster shaped like config.load_roster's: people (section, name, post, post_type,
    is_head) and sections (section, head, vice_chair)."""
    people_frame = pd.DataFrame(
        [
            {"section": s, "name": n, "post": p, "post_type": t, "is_head": h, "excel_row": i}
            for i, (s, n, p, t, h) in enumerate(people, start=2)
        ],
        columns=["section", "name", "post", "post_type", "is_head", "excel_row"],
    )
    section_frame = pd.DataFrame(
        [
            {"section": s, "head": h, "vice_chair": v, "excel_row": i}
            for i, (s, h, v) in enumerate(sections, start=2)
        ],
        columns=["section", "head", "vice_chair", "excel_row"],
    )
    return config.Roster(
        people=people_frame,
        sections=section_frame,
        body_name="示例区妇联",
        chair=chair,
        oversight=oversight,
    )


def make_point(**values: Any) -> dict[str, Any]:
    """One accepted, normalised row as validate hands it on (defaults: a clean individual row)."""
    row: dict[str, Any] = {
        "row_id": 0,
        "file": "办公室/张三.xlsx",
        "sheet": vocab.SHEET_INDIVIDUAL,
        "kind": vocab.INDIVIDUAL,
        "section": "办公室",
        "name": "张三",
        "post": "文秘",
        "head": pd.NA,
        "date": "2026-03-20",
        "excel_row": 4,
        "seq": "1",
        "step": "公文处理",
        "posts_involved": pd.NA,
        "category": "岗位职责风险",
        "description": "泄露未公开信息",
        "likelihood": "中",
        "harm": "较重",
        "self_level": "二级",
        "prevent": "加强保密教育",
        "monitor": "定期检查",
        "handle": "发现即纠正",
        "remark": pd.NA,
        "measures": pd.NA,
        "accepted": True,
        "self_level_cell": "G4",
    }
    row.update(values)
    return row


def make_points(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["row_id"] = range(len(frame))
    return frame


def write_settings(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / vocab.SETTINGS_FILE).write_text(text, encoding="utf-8")
    return folder


# A small body with one section, for tests that run the whole pipeline on real files.
CHILDREN_PEOPLE = [
    ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
    ("领导班子", "李副主席", "副主席", "领导班子正职", "否"),
    ("家庭儿童工作部", "闫红", "部长", "一般管理服务", "是"),
    ("家庭儿童工作部", "丁玲", "儿童工作干事", "一般管理服务", "否"),
    ("家庭儿童工作部", "范彩兰", "儿童工作干事", "一般管理服务", "否"),
]
CHILDREN_SECTIONS = [("领导班子", "陈主席", ""), ("家庭儿童工作部", "闫红", "李副主席")]


def write_config(
    root: Path,
    people: list[tuple[Any, ...]],
    sections: list[tuple[Any, ...]],
    settings: str | None = None,
) -> Path:
    """root/config: roster.xlsx through the project's writer (people rows: 科室, 姓名, 岗位,
    岗位类别, 是否科室负责人; sections: 科室, 科室负责人, 分管副主席), optional settings.toml."""
    cfg = root / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    templates.write_roster(
        cfg / vocab.ROSTER_FILE,
        [dict(zip(vocab.ROSTER_PEOPLE_COLUMNS, p, strict=True)) for p in people],
        [dict(zip(vocab.ROSTER_SECTION_COLUMNS, s, strict=True)) for s in sections],
        {"body": "测试妇联", "chair": "陈主席", "oversight": "区纪委派驻纪检组"},
    )
    if settings is not None:
        write_settings(cfg, settings)
    return cfg


def office_of_two(tmp_path: Path) -> tuple[Path, Path]:
    """(inbox, config) of a body of two, the chair and 张三 heading 办公室, with 张三's form of
    one risk point in the inbox."""
    from tests.forms import sample_row, write_form

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(
        inbox / "张三.xlsx", header={"name": "张三", "section": "办公室"}, rows=[sample_row(1)]
    )
    people = [
        ("领导班子", "陈主席", "主席", "其他", "否"),
        ("办公室", "张三", "文秘", "其他", "是"),
    ]
    cfg = write_config(tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "")])
    return inbox, cfg


def add_file(result: frames.RunResult, rel: str, **fields: object) -> None:
    """Register a file of the inbox in result.files (like discover/read would)."""
    path = result.inbox / rel
    data = path.read_bytes()
    record = {col: pd.NA for col in frames.FILE_COLUMNS}
    record.update(
        file=rel,
        size=len(data),
        mtime=path.stat().st_mtime,
        sha256=hashlib.sha256(data).hexdigest(),
        ext=path.suffix.lower(),
        status=frames.FILE_STATUS_READ,
        pledge_sheet=False,
        pledge_items=0,
        n_rows=0,
        colmap={},
        header_cells={},
    )
    record.update(fields)
    result.files = pd.concat([result.files, pd.DataFrame([record])], ignore_index=True)
