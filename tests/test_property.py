"""Property test: mutated valid forms never crash the reader, every row is accounted for,
and every injected fault is reported at its cell."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsxwriter.utility import xl_col_to_name

from pipeline import config, discover, read, validate, vocab
from tests.forms import form_grid, pledge_grid, sample_row, write_xlsx

OPTIONAL = ("seq", "self_level", "prevent", "monitor", "handle", "remark")
JUNK = ("其他风险", "很可能", "一般般", "xyz", "？")
FAULT_FIELDS = ("category", "likelihood", "harm", "description")


def roster() -> config.Roster:
    people = pd.DataFrame(
        [
            {
                "section": "办公室",
                "name": "张三",
                "post": "科员",
                "post_type": "一般管理服务",
                "is_head": False,
                "excel_row": 2,
            },
            {
                "section": "办公室",
                "name": "李四",
                "post": "主任",
                "post_type": "人财物管理",
                "is_head": True,
                "excel_row": 3,
            },
        ]
    )
    sections = pd.DataFrame(
        [{"section": "办公室", "head": "李四", "vice_chair": "王五", "excel_row": 2}]
    )
    return config.Roster(
        people=people,
        sections=sections,
        body_name="示例",
        chair="赵主席",
        oversight="区纪委派驻纪检组",
    )


@st.composite
def mutated_form(draw):
    n = draw(st.integers(1, 6))
    dropped = draw(st.sets(st.sampled_from(OPTIONAL), max_size=3))
    columns = [c for c in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL] if c not in dropped]
    columns = draw(st.permutations(columns))
    labels = {}
    for key in columns:
        choices = [vocab.COLUMN_LABELS[key], *vocab.COLUMN_SYNONYMS.get(key, ())]
        # a bare synonym like 等级 or 说明 is fine for the reader; keep the label table honest
        labels[key] = draw(st.sampled_from(choices))
    if len(set(labels.values())) < len(labels):
        labels = {k: vocab.COLUMN_LABELS[k] for k in columns}
    faults: dict[int, tuple[str, str]] = {}
    for i in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            field = draw(st.sampled_from(FAULT_FIELDS))
            value = "" if field == "description" else draw(st.sampled_from(("", *JUNK)))
            faults[i] = (field, value)
    merge_len = draw(st.integers(0, n))
    return n, list(columns), labels, faults, merge_len


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_form())
def test_mutated_forms_are_read_and_every_fault_reported(case) -> None:
    n, columns, labels, faults, merge_len = case
    rows = []
    for i in range(n):
        row = sample_row(i + 1, step="公文处理" if i < merge_len else f"环节{i}")
        if i in faults:
            field, value = faults[i]
            row[field] = value or None
        rows.append(row)
    grid = form_grid(vocab.INDIVIDUAL, rows=rows, columns=columns, labels=labels)
    step_col = columns.index("step")
    merges = [f"A1:{xl_col_to_name(len(columns) - 1)}1"]
    if merge_len >= 2:
        letter = xl_col_to_name(step_col)
        merges.append(f"{letter}4:{letter}{3 + merge_len}")
        for i in range(1, merge_len):
            grid[3 + i][step_col] = None  # only the top-left holds the value
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        write_xlsx(
            inbox / "form.xlsx",
            {vocab.SHEET_INDIVIDUAL: grid, vocab.SHEET_PLEDGE: pledge_grid(["廉洁自律"])},
            merges={vocab.SHEET_INDIVIDUAL: merges},
        )
        s = config.default_settings()
        files, _ = discover.discover(inbox, s)
        files, raw, _ = read.read_files(files, inbox, s)
        files, rows_out, points, issues = validate.validate(files, raw, roster(), s)

    assert len(rows_out) == n
    assert rows_out["accepted"].sum() == len(points)
    rejected = issues[issues["action"] == vocab.ACTION_REJECT]
    for i in range(n):
        excel_row = 4 + i
        accepted = bool(rows_out.loc[rows_out["excel_row"] == excel_row, "accepted"].iloc[0])
        if i in faults:
            field, _ = faults[i]
            cell = f"{xl_col_to_name(columns.index(field))}{excel_row}"
            assert not accepted
            assert cell in set(rejected["cell"]), (cell, rejected[["cell", "problem"]])
        else:
            assert accepted, issues[["cell", "problem"]].to_string()
    if merge_len >= 2:
        merged_steps = points.loc[points["excel_row"] < 4 + merge_len, "step"]
        assert (merged_steps == "公文处理").all()
