"""The grading and supervisor rules of SPEC.md as literal tables, written out by hand.

Nothing here is read from pipeline/grade.py, assign.py or settings: the nine cells of the
default likelihood × harm matrix, the default post-type floors, and who supervises each level
for each kind of submitter (SPEC Rules, the digest's table, docs/decisions.md "Supervisors").
``tests/result_factory.py`` builds its RunResult with it and ``tests/test_oracle.py`` checks the
real pipeline against it over every cell, post type and submitter kind.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# SPEC "Grading": rows 危害程度, columns 发生几率 高/中/低.
#   严重 → 一级/一级/二级; 较重 → 一级/二级/三级; 一般 → 二级/三级/三级.
MATRIX_LEVEL: dict[tuple[str, str], str] = {
    # (危害程度, 发生几率): 等级
    ("严重", "高"): "一级",
    ("严重", "中"): "一级",
    ("严重", "低"): "二级",
    ("较重", "高"): "一级",
    ("较重", "中"): "二级",
    ("较重", "低"): "三级",
    ("一般", "高"): "二级",
    ("一般", "中"): "三级",
    ("一般", "低"): "三级",
}
# SPEC "Default floors": 领导班子正职, 人财物管理, 民生密切相关 → 一级; others none.
POST_TYPE_FLOOR: dict[str, str | None] = {
    "领导班子正职": "一级",
    "人财物管理": "一级",
    "民生密切相关": "一级",
    "一般管理服务": None,
    "其他": None,
}
MOST_SEVERE_FIRST = ("一级", "二级", "三级")
# SPEC "Default handling measure by level".
MEASURE = {"一级": "诫勉纠错", "二级": "谈话提醒", "三级": "提醒纠错"}

# Who submitted a point, as far as supervision is concerned.
STAFF = "staff"
HEAD = "section head"
VICE = "vice-chair"
CHAIR = "chair"
UNIT = "unit form"  # a unit form is its section head's (docs/decisions.md, Supervisors)
SUBMITTER_KINDS = (STAFF, HEAD, VICE, CHAIR, UNIT)

# (直接管理, 负责领导) as roles, per submitter kind and level (SPEC "Supervisors").
SUPERVISORS: dict[str, dict[str, tuple[str, str]]] = {
    # the digest's table as it stands
    STAFF: {
        "一级": ("分管副主席", "主席"),
        "二级": ("科室负责人", "分管副主席"),
        "三级": ("科室负责人", "科室负责人"),
    },
    # "a section head's 三级 and 二级 points go to (分管副主席, 分管副主席), their 一级 points
    # stay (分管副主席, 主席)"
    HEAD: {
        "一级": ("分管副主席", "主席"),
        "二级": ("分管副主席", "分管副主席"),
        "三级": ("分管副主席", "分管副主席"),
    },
    UNIT: {
        "一级": ("分管副主席", "主席"),
        "二级": ("分管副主席", "分管副主席"),
        "三级": ("分管副主席", "分管副主席"),
    },
    # "a vice-chair's go to the chair"
    VICE: {
        "一级": ("主席", "主席"),
        "二级": ("主席", "主席"),
        "三级": ("主席", "主席"),
    },
    # "the chair's to the 上级监督机构"
    CHAIR: {
        "一级": ("上级监督机构", "上级监督机构"),
        "二级": ("上级监督机构", "上级监督机构"),
        "三级": ("上级监督机构", "上级监督机构"),
    },
}


def expected_level(post_type: str, harm: str, likelihood: str) -> str:
    """The more severe of the matrix cell and the post type's floor."""
    candidates = [MATRIX_LEVEL[(harm, likelihood)], POST_TYPE_FLOOR.get(post_type)]
    return min((c for c in candidates if c), key=MOST_SEVERE_FIRST.index)


def expected_reason(post_type: str, harm: str, likelihood: str, self_level: str | None) -> str:
    """评定依据: the matrix part always; the floor part when the floor is at least as severe
    as the matrix level (it then decides); 自评 appended when it differs."""
    matrix = MATRIX_LEVEL[(harm, likelihood)]
    floor = POST_TYPE_FLOOR.get(post_type)
    reason = f"发生几率{likelihood}×危害程度{harm}→{matrix}"
    if floor and MOST_SEVERE_FIRST.index(floor) <= MOST_SEVERE_FIRST.index(matrix):
        reason += f"；岗位类别：{post_type}→{floor}"
    level = expected_level(post_type, harm, likelihood)
    if self_level and self_level != level:
        reason += f"（自评{self_level}）"
    return reason


def graded(post_type: str, likelihood: str, harm: str, self_level: str | None) -> dict[str, Any]:
    """The grade columns of a point (frames.GRADE_COLUMNS) as SPEC's tables give them."""
    level = expected_level(post_type, harm, likelihood)
    floor = POST_TYPE_FLOOR.get(post_type)
    return {
        "post_type": post_type,
        "matrix_level": MATRIX_LEVEL[(harm, likelihood)],
        "floor_level": floor if floor else pd.NA,
        "level": level,
        "level_reason": expected_reason(post_type, harm, likelihood, self_level),
        "level_differs": bool(self_level) and self_level != level,
    }


def submitter_kind(roster: Any, unit_form: bool, name: str) -> str:
    """Which row of SUPERVISORS a point's submitter takes, from the roster's roles."""
    if unit_form:
        return UNIT
    if name == roster.chair:
        return CHAIR
    if name in set(roster.sections["vice_chair"]):
        return VICE
    heads = set(roster.sections["head"]) | set(roster.people.loc[roster.people["is_head"], "name"])
    return HEAD if name in heads else STAFF


def supervisors(roster: Any, section: str, kind: str, level: str) -> dict[str, str]:
    """直接管理, 负责领导 and 处置方式 of a point: SUPERVISORS' roles, named from the roster.
    The tables cover filled roles only: a vacant one is a precondition failure here."""
    sec = roster.sections.set_index("section").loc[section]
    holders = {
        "科室负责人": sec["head"],
        "分管副主席": sec["vice_chair"],
        "主席": roster.chair,
        "上级监督机构": roster.oversight,
    }
    direct, leader = SUPERVISORS[kind][level]
    assert holders[direct] and holders[leader], f"{section}: {direct}/{leader} vacant"
    return {"direct": holders[direct], "leader": holders[leader], "measure": MEASURE[level]}
