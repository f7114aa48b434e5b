"""The real grading and assignment against SPEC's tables (tests/oracle.py): every one of the
nine likelihood × harm cells, for every post type, for every kind of submitter (staff, section
head, vice-chair, chair, unit form), graded and assigned in one run of merge → grade → assign.
Also the tests' own RunResult (result_factory) agrees with the real stages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import assign, config, frames, grade, merge, vocab
from tests import oracle
from tests.builders import make_point, make_points, make_roster
from tests.result_factory import make_result

CHAIR = "陈主席"
VICE = "李副主席"
HEAD = "王芳"
STAFF = "小刘"
SECTION = "办公室"
LEADERS = "领导班子"
OVERSIGHT = "区纪委派驻纪检组"
STAFF_POST = "文秘"


def body(post_type: str) -> config.Roster:
    """A body whose every member holds ``post_type``: chair, vice-chair, 办公室's head and a
    staff member."""
    return make_roster(
        [
            (LEADERS, CHAIR, "主席", post_type, False),
            (LEADERS, VICE, "副主席", post_type, False),
            (SECTION, HEAD, "主任", post_type, True),
            (SECTION, STAFF, STAFF_POST, post_type, False),
        ],
        [(LEADERS, CHAIR, ""), (SECTION, HEAD, VICE)],
        chair=CHAIR,
        oversight=OVERSIGHT,
    )


SUBMITTERS = {
    # kind: (section, name, post) of the submitter; a unit form names the staff's post
    oracle.STAFF: (SECTION, STAFF, STAFF_POST),
    oracle.HEAD: (SECTION, HEAD, "主任"),
    oracle.VICE: (LEADERS, VICE, "副主席"),
    oracle.CHAIR: (LEADERS, CHAIR, "主席"),
    oracle.UNIT: (SECTION, "", ""),
}


def points_of_every_kind_and_cell() -> list[dict]:
    rows = []
    for k, kind in enumerate(oracle.SUBMITTER_KINDS):
        section, name, post = SUBMITTERS[kind]
        for c, (harm, likelihood) in enumerate(oracle.MATRIX_LEVEL):
            values = {
                "file": f"{section}/{kind}.xlsx",
                "excel_row": 4 + c,
                "section": section,
                "harm": harm,
                "likelihood": likelihood,
                "self_level": "三级",
                "description": f"风险点{k}-{c}",
            }
            if kind == oracle.UNIT:
                values.update(
                    kind=vocab.UNIT,
                    sheet=vocab.SHEET_UNIT,
                    name=pd.NA,
                    post=pd.NA,
                    posts_involved=STAFF_POST,
                )
            else:
                values.update(name=name, post=post)
            rows.append(make_point(**values))
    return rows


@pytest.mark.parametrize("post_type", list(oracle.POST_TYPE_FLOOR))
def test_every_cell_post_type_and_submitter_graded_and_assigned_as_spec_says(
    post_type: str,
) -> None:
    roster = body(post_type)
    settings = config.default_settings()
    rows = points_of_every_kind_and_cell()
    # precondition: every (kind, cell) is one distinct point, each level of the matrix occurs
    assert len(rows) == len(oracle.SUBMITTER_KINDS) * 9
    assert set(oracle.MATRIX_LEVEL.values()) == set(oracle.MOST_SEVERE_FIRST)
    points, _ = merge.merge(make_points(rows))
    assert len(points) == len(rows)
    points, _ = grade.grade(points, roster, settings)
    points = assign.assign(points, roster, settings)

    seen = set()
    for point in points.itertuples():
        kind = next(k for k in oracle.SUBMITTER_KINDS if point.source_file.endswith(f"/{k}.xlsx"))
        cell = (point.harm, point.likelihood)
        seen.add((kind, cell))
        want = oracle.graded(post_type, point.likelihood, point.harm, "三级")
        got = {key: getattr(point, key) for key in ("level", "level_reason", "level_differs")}
        assert got == {k: want[k] for k in got}, (kind, cell)
        assert point.matrix_level == oracle.MATRIX_LEVEL[cell]
        section = SUBMITTERS[kind][0]
        expected = oracle.supervisors(roster, section, kind, want["level"])
        assert (point.direct, point.leader, point.measure) == (
            expected["direct"],
            expected["leader"],
            expected["measure"],
        ), (kind, cell, want["level"])
    assert len(seen) == len(oracle.SUBMITTER_KINDS) * len(oracle.MATRIX_LEVEL)


def test_the_oracles_supervisor_table_names_each_kind_distinctly() -> None:
    """The table is not one row copied five times: staff, head and the leaders differ."""
    roster = body("其他")
    names = {
        kind: tuple(
            tuple(oracle.supervisors(roster, SUBMITTERS[kind][0], kind, level).values())
            for level in oracle.MOST_SEVERE_FIRST
        )
        for kind in oracle.SUBMITTER_KINDS
    }
    assert len({names[k] for k in (oracle.STAFF, oracle.HEAD, oracle.VICE, oracle.CHAIR)}) == 4
    assert names[oracle.UNIT] == names[oracle.HEAD]
    assert names[oracle.STAFF][2][:2] == (HEAD, HEAD)  # 三级: the section head, twice
    assert names[oracle.CHAIR][0][:2] == (OVERSIGHT, OVERSIGHT)


def test_the_writers_run_result_is_what_the_real_stages_compute(tmp_path: Path) -> None:
    """result_factory's hand-made points (graded by the oracle) match grade and assign run on
    the same rows and roster: the writers' tests are fed what the pipeline would hand them."""
    result = make_result(tmp_path)
    ours = result.points
    # precondition: the sample holds all three levels, a floor that decides, a unit point
    assert set(ours["level"]) == set(oracle.MOST_SEVERE_FIRST)
    assert (ours["floor_level"].notna() & (ours["level"] != ours["matrix_level"])).any()
    assert (ours["kind"] == vocab.UNIT).any()
    # the factory's points without what grade and assign add: the real stages add it again
    source = ours.drop(columns=[*frames.GRADE_COLUMNS, *frames.ASSIGN_COLUMNS])
    real, _ = grade.grade(source, result.roster, result.settings)
    real = assign.assign(real, result.roster, result.settings)
    columns = ["point_id", "level", "level_reason", "direct", "leader", "measure"]
    pd.testing.assert_frame_equal(
        real[columns].reset_index(drop=True), ours[columns].reset_index(drop=True)
    )
