"""Forms as a section's people fill them, drawn at random (fixed seed): header wording,
column order and choice, values and blanks, lines under the table, workbooks of one sheet per
person, tables with owner columns, resubmissions. The real pipeline runs once on them all and
the archive is read back: every data row is in the catalogue or sent back at its own row (or
its file is refused or replaced, with a reason), and every point is graded and supervised as
SPEC's tables say (tests/oracle.py)."""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import frames, run, vocab
from tests import forms, oracle
from tests.builders import write_config

SEED = 20261202
N_FILES = 36
SECTIONS = ("办公室", "财务科", "宣传部")
LIKELIHOODS = ("高", "中", "低", "较高", "一般", "较低", "大", "小", "", "很高")
HARMS = ("严重", "较重", "一般", "重大", "较大", "轻微", "", "极严重")
LEVELS = ("一级", "二级", "三级", "1", "3", "Ⅰ级", "高", "中", "", "四级", "一级（高）")
CATEGORIES = (
    "岗位职责风险",
    "业务流程风险",
    "制度机制风险",
    "职责风险",
    "流程风险",
    "",
    "其他风险",
    "4",
)
STEPS = ("公文处理", "车辆管理", "采购", "报销", "招聘")
DESCRIPTIONS = ("泄露信息", "公车私用", "虚报冒领", "优亲厚友", "=1+1", "+86 电话", "@提醒")


def _people(rnd: random.Random) -> tuple[list[tuple[str, ...]], list[tuple[str, str, str]]]:
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("领导班子", "李副主席", "副主席", "一般管理服务", "否"),
    ]
    sections = [("领导班子", "陈主席", "")]
    family, given = (
        "赵钱孙周吴郑王冯褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平",
    )
    used: set[str] = set()
    for section in SECTIONS:
        members = []
        while len(members) < 6:
            name = rnd.choice(family) + rnd.choice(given) + rnd.choice(given)
            if name not in used:
                used.add(name)
                members.append(name)
        for i, name in enumerate(members):
            post = "科长" if i == 0 else rnd.choice(("科员", "会计", "出纳", "干事"))
            post_type = rnd.choice(("一般管理服务", "人财物管理", "民生密切相关", "其他"))
            people.append((section, name, post, post_type, "是" if i == 0 else "否"))
        sections.append((section, members[0], "李副主席"))
    return people, sections


def _rows(rnd: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(rnd.randint(0, 8)):
        row = forms.sample_row(
            i + 1,
            step=rnd.choice(STEPS) + str(rnd.randint(1, 4)),
            description=rnd.choice(DESCRIPTIONS) + str(rnd.randint(1, 3)),
            likelihood=rnd.choice(LIKELIHOODS),
            harm=rnd.choice(HARMS),
            self_level=rnd.choice(LEVELS),
            category=rnd.choice(CATEGORIES),
            posts_involved=rnd.choice(("科员", "会计、出纳", "全体人员", "", "司机")),
            measures=rnd.choice(("1.事前：教育；2.事中：检查；3.事后：问责", "加强管理", "")),
            remark=rnd.choice((None, "无", "见附件")),
        )
        for key in ("description", "step"):
            if rnd.random() < 0.05:
                row[key] = None
        rows.append(row)
    return rows


def _columns(rnd: random.Random, kind: str) -> tuple[list[str], dict[str, str]]:
    columns = list(vocab.TABLE_COLUMNS[kind])
    if rnd.random() < 0.3:
        columns = [c for c in columns if c not in ("likelihood", "harm")]
    if rnd.random() < 0.2:
        columns = [c for c in columns if c != "category"]
    if rnd.random() < 0.25:
        columns = [c for c in columns if c not in vocab.MEASURE_FIELDS] + ["measures"]
    if rnd.random() < 0.3:
        rest = columns[1:]
        rnd.shuffle(rest)
        columns = columns[:1] + rest
    labels = {
        c: rnd.choice(vocab.COLUMN_SYNONYMS[c])
        for c in columns
        if vocab.COLUMN_SYNONYMS.get(c) and rnd.random() < 0.4
    }
    return columns, labels


def _write_inbox(root: Path) -> tuple[Path, list[tuple[str, ...]], list, dict[str, int]]:
    """The random inbox; returns (config, people, sections, data rows of each file)."""
    rnd = random.Random(SEED)
    people, sections = _people(rnd)
    config = write_config(root, people, sections)
    inbox = root / "inbox"
    heads = {s[0]: s[1] for s in sections}
    counted: dict[str, int] = {}
    for k in range(N_FILES):
        section = rnd.choice(SECTIONS)
        members = [p for p in people if p[0] == section]
        who = rnd.choice(members)
        kind = vocab.UNIT if rnd.random() < 0.15 else vocab.INDIVIDUAL
        columns, labels = _columns(rnd, kind)
        rows = _rows(rnd)
        when = rnd.choice(
            (datetime(2026, 3, rnd.randint(1, 28)), datetime(2026, 4, 15), "2026.3.5", "三月五日")
        )
        header = {
            "section": section,
            "name": rnd.choice(("王小明", who[1] + " ")) if rnd.random() < 0.05 else who[1],
            "post": who[2],
            "head": heads[section],
            "date": when,
        }
        name = f"{k:03d}_{section}_{who[1]}{'_单位' if kind == vocab.UNIT else ''}.xlsx"
        variant = rnd.random()
        if variant < 0.15 and kind == vocab.INDIVIDUAL:  # a section table, owners per row
            head_row = ["科室", "姓名", "岗位"] + [
                labels.get(c, vocab.COLUMN_LABELS[c]) for c in columns
            ]
            grid: list[list[Any]] = [[section + "廉政风险点汇总表"], head_row]
            for row in rows:
                owner = rnd.choice(members)
                grid.append([section, owner[1], owner[2]] + [row.get(c) for c in columns])
            forms.write_xlsx(inbox / name, {"汇总": grid})
            counted[name] = len(rows)
            continue
        if variant < 0.3 and kind == vocab.INDIVIDUAL:  # one sheet per person
            sheets = {
                m[1]: forms.form_grid(
                    kind,
                    header=dict(header, name=m[1], post=m[2]),
                    rows=rows,
                    columns=columns,
                    labels=labels,
                )
                for m in rnd.sample(members, 2)
            }
            forms.write_xlsx(inbox / name, sheets)
            counted[name] = 2 * len(rows)
            continue
        grid = forms.form_grid(kind, header=header, rows=rows, columns=columns, labels=labels)
        if rnd.random() < 0.2:
            grid.insert(3, [None] * len(columns))  # a blank line under the header
        if rnd.random() < 0.2:
            grid.append(["合计", None, f"共{len(rows)}条"])
        if rnd.random() < 0.2:
            grid.append(["填表人签字：", None, None, "日期："])
        forms.write_form(inbox / name, kind=kind, grid=grid, marker=rnd.random() < 0.7)
        counted[name] = len(rows)
    return config, people, sections, counted


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("random")
    config, people, sections, counted = _write_inbox(root)
    result = run.process(root / "inbox", config, root / "out", run_time="2026-04-20T09:00:00")
    (archive,) = (root / "out").glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)
    return {
        "files": result.files,
        "catalogue": sheets[vocab.ARCHIVE_SHEET_CATALOGUE].fillna(""),
        "issues": sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna(""),
        "people": people,
        "sections": sections,
        "counted": counted,
    }


def test_every_data_row_is_in_the_catalogue_or_sent_back_or_its_file_is_accounted(
    office: dict[str, Any],
) -> None:
    files = office["files"].set_index("file")
    status = files["status"]
    # precondition: the draw holds every case (read, refused, replaced; several sheets)
    assert {frames.FILE_STATUS_READ, frames.FILE_STATUS_REJECTED} <= set(status)
    assert (status == frames.FILE_STATUS_SUPERSEDED).any()
    issues = office["issues"]
    for file in status.index:  # a file refused or replaced says why
        if status[file] != frames.FILE_STATUS_READ:
            assert (issues["文件"] == file).any(), file
    # each catalogue source (file, row) and each row sent back at its own cell
    sources: dict[str, list[tuple[str, int]]] = {}
    for files_text, rows_text in zip(
        office["catalogue"]["来源文件"], office["catalogue"]["来源行"], strict=True
    ):
        for file, row in zip(files_text.split("；"), rows_text.split("；"), strict=True):
            sources.setdefault(file, []).append(("", int(row)))
    sent_back: dict[str, set[tuple[str, int]]] = {}
    for rec in issues[issues["处理"] == vocab.ACTION_REJECT].itertuples():
        found = re.fullmatch(r"[A-Z]+(\d+)", rec.单元格)
        if found:
            sent_back.setdefault(rec.文件, set()).add((rec.工作表, int(found.group(1))))
    checked = 0
    for file, n in office["counted"].items():
        if status[file] != frames.FILE_STATUS_READ or not n:
            continue
        accepted = len(sources.get(file, []))
        rejected = {at for at in sent_back.get(file, set()) if at[1] > 2}  # not a header cell
        replaced = issues[(issues["文件"] == file) & issues["问题"].str.contains("工作表已被替代")]
        # a replaced sheet of a workbook of one sheet per person is half of its rows
        expected = n // 2 if len(replaced) else n
        assert accepted + len(rejected) == expected, (file, accepted, rejected, n)
        checked += 1
    assert checked >= 10


def test_every_point_is_graded_and_supervised_as_specs_tables_say(
    office: dict[str, Any],
) -> None:
    post_type = {(p[0], p[1]): p[3] for p in office["people"]}
    heads = {s[0]: s[1] for s in office["sections"]}
    ranks = list(oracle.MOST_SEVERE_FIRST)
    catalogue = office["catalogue"]
    assert len(catalogue) >= 30  # precondition: enough points drawn
    for point in catalogue.itertuples():
        names = [n for n in point.姓名.split("、") if n]
        section = point.科室
        candidates = [oracle.POST_TYPE_FLOOR.get(post_type.get((section, n), "")) for n in names]
        if point.发生几率 and point.危害程度:
            candidates.append(oracle.MATRIX_LEVEL[(point.危害程度, point.发生几率)])
        elif point.自评等级:
            candidates.append(point.自评等级)
        candidates = [c for c in candidates if c]
        if candidates:  # a unit point's floor comes from its posts (test_grade): not below
            least = min(candidates, key=ranks.index)
            assert ranks.index(point.评定等级) <= ranks.index(least), point
        # nobody supervises a point they sent (a unit form is its section head's)
        senders = names or [heads[section]]
        assert point.直接管理 not in senders and point.负责领导 not in senders, point
