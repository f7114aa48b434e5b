"""The blank forms and the form writer: read the written workbooks back as a user's Excel would."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from python_calamine import CalamineWorkbook

from pipeline import config, formlayout, templates, vocab

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "input_templates"
KINDS = (vocab.INDIVIDUAL, vocab.UNIT)
SHEETS = {
    vocab.INDIVIDUAL: [
        vocab.SHEET_INDIVIDUAL,
        vocab.SHEET_PLEDGE,
        vocab.SHEET_GUIDE,
        vocab.SHEET_LISTS,
    ],
    vocab.UNIT: [vocab.SHEET_UNIT, vocab.SHEET_GUIDE, vocab.SHEET_LISTS],
}
ENUM_KEYS = tuple(vocab.ENUMS)
FIRST_INPUT_ROW = 4
LAST_TEMPLATE_ROW = FIRST_INPUT_ROW + templates.TEMPLATE_ROWS - 1


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    paths = templates.write_templates(out)
    return {p.name: p for p in paths}


def template(generated: dict[str, Path], kind: str) -> Path:
    return generated[templates.TEMPLATE_FILES[kind]]


def validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def validation_covering(ws, cell: str):
    found = [dv for dv in validations(ws) if cell in dv.sqref]
    return found[0] if found else None


def list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """Follow a dropdown's source (a range on the 可选值 sheet, or an inline list)."""
    formula = formula.lstrip("=")
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [
        ws.cell(row=r, column=c).value
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def column_of(kind: str, key: str) -> str:
    return get_column_letter(vocab.TABLE_COLUMNS[kind].index(key) + 1)


# --------------------------------------------------------------------------------------
# Structure of the blank forms
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_sheets_are_in_the_decided_order_and_the_lists_sheet_is_hidden(generated, kind):
    wb = openpyxl.load_workbook(template(generated, kind))
    assert wb.sheetnames == SHEETS[kind]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states.pop(vocab.SHEET_LISTS) == "hidden"
    assert set(states.values()) == {"visible"}
    assert wb.active.title == vocab.MAIN_SHEET[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_template_marker_names_the_kind(generated, kind):
    wb = openpyxl.load_workbook(template(generated, kind))
    marker = wb.defined_names[vocab.TEMPLATE_MARKER_NAME].value
    assert marker.strip('="') == f"{kind}:{vocab.TEMPLATE_VERSION}"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props[vocab.TEMPLATE_PROPERTY_KIND] == kind
    assert props[vocab.TEMPLATE_PROPERTY_VERSION] == vocab.TEMPLATE_VERSION


@pytest.mark.parametrize("kind", KINDS)
def test_title_header_block_and_table_header_use_the_vocab_labels(generated, kind):
    ws = openpyxl.load_workbook(template(generated, kind))[vocab.MAIN_SHEET[kind]]
    n = len(vocab.TABLE_COLUMNS[kind])
    assert ws["A1"].value == vocab.FORM_TITLES[kind]
    assert f"A1:{get_column_letter(n)}1" in {str(r) for r in ws.merged_cells.ranges}
    row3 = [ws.cell(row=3, column=c).value for c in range(1, n + 1)]
    assert row3 == [vocab.COLUMN_LABELS[k] for k in vocab.TABLE_COLUMNS[kind]]
    assert ws.cell(row=3, column=n + 1).value is None
    row2 = [c.value for c in ws[2] if c.value is not None]
    assert row2 == [vocab.HEADER_LABELS[k] for k in vocab.HEADER_FIELDS[kind]]
    # every header label is followed by its (empty, unlocked) value cell
    for key, label_col, first, _last in formlayout.HEADER_BLOCK[kind]:
        assert ws.cell(row=2, column=label_col + 1).value == vocab.HEADER_LABELS[key]
        assert ws.cell(row=2, column=first + 1).protection.locked is False
    # 30 empty input rows, nothing below
    assert ws.max_row == LAST_TEMPLATE_ROW
    assert all(c.value is None for row in ws.iter_rows(min_row=FIRST_INPUT_ROW) for c in row)
    assert ws.freeze_panes == f"A{FIRST_INPUT_ROW}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", ENUM_KEYS)
def test_enumerated_columns_have_dropdowns_with_the_canonical_values(generated, kind, key):
    wb = openpyxl.load_workbook(template(generated, kind))
    ws = wb[vocab.MAIN_SHEET[kind]]
    col = column_of(kind, key)
    dv = validation_covering(ws, f"{col}{FIRST_INPUT_ROW}")
    assert dv is not None and dv.type == "list"
    assert f"{col}{LAST_TEMPLATE_ROW}" in dv.sqref
    assert vocab.SHEET_LISTS in dv.formula1
    assert list_values(wb, dv.formula1) == list(vocab.ENUMS[key])
    assert dv.showInputMessage and dv.promptTitle == vocab.COLUMN_LABELS[key]
    assert all(v in dv.prompt for v in vocab.ENUMS[key])
    assert dv.showErrorMessage


@pytest.mark.parametrize("kind", KINDS)
def test_only_enumerated_columns_have_dropdowns_and_text_columns_have_hints(generated, kind):
    ws = openpyxl.load_workbook(template(generated, kind))[vocab.MAIN_SHEET[kind]]
    list_cols = {
        re.sub(r"\d", "", str(dv.sqref).split(":")[0])
        for dv in validations(ws)
        if dv.type == "list"
    }
    assert list_cols == {column_of(kind, k) for k in ENUM_KEYS}
    for key in ("step", "description", "prevent", "monitor", "handle"):
        dv = validation_covering(ws, f"{column_of(kind, key)}{FIRST_INPUT_ROW}")
        assert dv is not None and dv.prompt, key
    date_col = get_column_letter(formlayout.HEADER_BLOCK[kind][-1][2] + 1)
    assert "2026-03-15" in validation_covering(ws, f"{date_col}2").prompt


@pytest.mark.parametrize("kind", KINDS)
def test_print_setup_is_a4_landscape_with_repeated_header_rows(generated, kind):
    ws = openpyxl.load_workbook(template(generated, kind))[vocab.MAIN_SHEET[kind]]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$3"
    # an explicit scale keeping 11 pt text at 8 pt or more (never a renderer's own fit)
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert templates.MIN_SCALE <= int(ws.page_setup.scale or 100) <= 100
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    # no fixed print area: a filled form prints every row people added
    assert not ws.print_area


def test_roster_template_prints_every_person_it_will_hold(generated):
    wb = openpyxl.load_workbook(generated[templates.ROSTER_TEMPLATE_FILE])
    for ws in wb.worksheets:
        assert not ws.print_area, ws.title


@pytest.mark.parametrize("kind", KINDS)
def test_sheet_is_protected_without_password_with_labels_locked_and_inputs_unlocked(
    generated, kind
):
    wb = openpyxl.load_workbook(template(generated, kind))
    ws = wb[vocab.MAIN_SHEET[kind]]
    p = ws.protection
    assert p.sheet and not p.password
    # openpyxl flags say "prohibited": users may still format and insert/delete rows
    assert not p.formatCells and not p.insertRows and not p.deleteRows
    assert ws["A1"].protection.locked and ws["A2"].protection.locked
    assert all(c.protection.locked for c in ws[3])
    n = len(vocab.TABLE_COLUMNS[kind])
    for row in (FIRST_INPUT_ROW, LAST_TEMPLATE_ROW):
        assert all(ws.cell(row=row, column=c).protection.locked is False for c in range(1, n + 1))
    assert ws["B2"].font.name == "宋体" and ws["A3"].font.name == "宋体"
    for sheet in wb.sheetnames:
        assert wb[sheet].protection.sheet and not wb[sheet].protection.password


@pytest.mark.parametrize("kind", KINDS)
def test_columns_are_wide_enough_for_their_chinese_labels(generated, kind):
    ws = openpyxl.load_workbook(template(generated, kind))[vocab.MAIN_SHEET[kind]]
    for i, key in enumerate(vocab.TABLE_COLUMNS[kind], start=1):
        width = ws.column_dimensions[get_column_letter(i)].width
        label_width = 2 * len(vocab.COLUMN_LABELS[key])
        assert width >= label_width / 2 + 2, key  # at most two lines in the header row
    desc = ws.column_dimensions[column_of(kind, "description")].width
    assert desc >= 30
    assert ws.cell(
        row=FIRST_INPUT_ROW, column=vocab.TABLE_COLUMNS[kind].index("description") + 1
    ).alignment.wrap_text


@pytest.mark.parametrize("kind", KINDS)
def test_guide_explains_categories_grading_and_supervision(generated, kind):
    ws = openpyxl.load_workbook(template(generated, kind))[vocab.SHEET_GUIDE]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    text = "\n".join(str(v) for row in cells for v in row if v is not None)
    for category in vocab.CATEGORIES:
        assert category in text
    # each category has a worked example row: category, its meaning, then a full risk point
    examples = [row for row in cells if row[0] in vocab.CATEGORIES]
    assert [row[0] for row in examples] == list(vocab.CATEGORIES)
    for row in examples:
        assert all(v not in (None, "") for v in row), row
    # the matrix exactly as settings default it
    matrix = config.DEFAULTS["grading"]["matrix"]
    assert [vocab.LIKELIHOODS] == [
        tuple(r[1:4]) for r in cells if r[0] == vocab.GUIDE_MATRIX_CORNER
    ]
    for harm in vocab.HARMS:
        assert [harm, *(matrix[harm][lk] for lk in vocab.LIKELIHOODS)] in [r[:4] for r in cells]
    for post_type, floor in config.DEFAULTS["grading"]["floors"].items():
        floor_rows = [r for r in cells if r[0] == post_type]
        assert floor_rows and (floor in vocab.LEVELS) == (floor_rows[0][1] == floor)
    for level, entry in config.DEFAULTS["supervision"].items():
        assert [level, entry["direct"], entry["leader"], entry["measure"]] in [r[:4] for r in cells]
    example_header = next(r for r in cells if vocab.GUIDE_MEANING_LABEL in r)
    assert (vocab.COLUMN_LABELS["posts_involved"] in example_header) == (kind == vocab.UNIT)


def test_pledge_sheet_layout(generated):
    ws = openpyxl.load_workbook(template(generated, vocab.INDIVIDUAL))[vocab.SHEET_PLEDGE]
    assert ws["A1"].value == vocab.PLEDGE_TITLE
    assert ws["A2"].value
    assert [ws["A3"].value, ws["B3"].value] == [
        vocab.COLUMN_LABELS["seq"],
        vocab.PLEDGE_ITEMS_LABEL,
    ]
    assert [ws.cell(row=r, column=1).value for r in range(4, 14)] == list(range(1, 11))
    assert all(ws.cell(row=r, column=2).value is None for r in range(4, 14))
    assert all(ws.cell(row=r, column=2).protection.locked is False for r in range(4, 16))
    assert ws["A14"].value == vocab.PLEDGE_LABELS["pledger"]
    assert ws["A15"].value == vocab.PLEDGE_LABELS["pledge_date"]
    assert ws.protection.sheet


@pytest.mark.parametrize("kind", vocab.FORM_KINDS)
def test_forms_hold_exactly_the_declared_layout(tmp_path, kind):
    """formlayout's declaration (which demo, prefill and a reader's fast path rely on) is where
    the written form has its cells, a pledge longer than the blank sheet's rows included."""
    path = tmp_path / "form.xlsx"
    header = {"section": "办公室", "name": "张三", "post": "会计", "head": "王芳"}
    header["date"] = "2026-03-15"
    items = [f"承诺事项{i}" for i in range(formlayout.PLEDGE_ROWS + 2)]  # more than the blank rows
    templates.write_form(path, kind, header, ROWS[:1], items, "张三", "2026-03-16")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(formlayout.SHEETS[kind])
    ws = wb[vocab.MAIN_SHEET[kind]]
    assert ws[formlayout.ref(formlayout.TITLE_ROW, 0)].value == vocab.FORM_TITLES[kind]
    labels = formlayout.header_label_refs(kind)
    values = formlayout.header_value_refs(kind)
    assert set(labels) == set(vocab.HEADER_FIELDS[kind])
    for key in labels:
        assert ws[labels[key]].value == vocab.HEADER_LABELS[key]
        assert ws[values[key]].value not in (None, ""), key
    for key, letter in formlayout.column_letters(kind).items():
        assert ws[f"{letter}{formlayout.TABLE_HEADER_ROW + 1}"].value == vocab.COLUMN_LABELS[key]
        value = ws[f"{letter}{formlayout.FIRST_DATA_ROW + 1}"].value
        assert value == ROWS[0].get(key, 1 if key == "seq" else None), key
    if kind == vocab.INDIVIDUAL:
        ps = wb[vocab.SHEET_PLEDGE]
        first = formlayout.PLEDGE_FIRST_ITEM_ROW
        col = formlayout.PLEDGE_VALUE_COL
        assert [ps[formlayout.ref(first + i, col)].value for i in range(len(items))] == items
        rows = formlayout.pledge_sign_rows(len(items))
        assert rows["pledger"] == first + len(items)  # right below the last item
        for key, want in (("pledger", "张三"), ("pledge_date", dt.datetime(2026, 3, 16))):
            label = ps[formlayout.ref(rows[key], formlayout.PLEDGE_LABEL_COL)].value
            assert label == vocab.PLEDGE_LABELS[key]
            assert ps[formlayout.ref(rows[key], col)].value == want


# --------------------------------------------------------------------------------------
# Filled forms (the demo generator's writer)
# --------------------------------------------------------------------------------------
ROWS = [
    {
        "step": "经费报销审核",
        "category": "岗位职责风险",
        "description": "审核把关不严，\n对不合规票据予以报销",
        "likelihood": "中",
        "harm": "较重",
        "self_level": "二级",
        "prevent": "学习财务制度",
        "monitor": "科室负责人复核",
        "handle": "责令退回",
        "remark": "=SUM(A1:A2)",
    },
    {
        "seq": 7,
        "step": "+86 电话接访",
        "category": "外部环境风险",
        "description": "@某人 说情打招呼",
        "likelihood": "较高",  # a synonym: written as the user wrote it
        "harm": "一般",
        "prevent": "-公开程序",
    },
]


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_filled_individual_form_reads_back_with_calamine(tmp_path):
    path = tmp_path / "张三.xlsx"
    header = {"section": "办公室", "name": "张三", "post": "会计", "date": "2026-03-15"}
    items = ["严格执行财务制度，不违规报销。", "不收受礼品礼金。"]
    templates.write_form(
        path, vocab.INDIVIDUAL, header, ROWS, items, "张三", "2026-03-16", blank_rows=2
    )
    rows = sheet_rows(path, vocab.SHEET_INDIVIDUAL)
    cols = vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]
    assert rows[1][:11] == [
        "科室", "办公室", "", "姓名", "张三", "岗位（职务）", "会计", "", "填表日期",
        dt.date(2026, 3, 15), "",
    ]  # fmt: skip
    data = [dict(zip(cols, r, strict=True)) for r in rows[3:]]
    assert len(data) == 2  # blank rows hold no values
    for n, (got, want) in enumerate(zip(data, ROWS, strict=True), start=1):
        assert got["seq"] == want.get("seq", n)
        for key in cols[1:]:
            assert got[key] == want.get(key, ""), key
    pledge = sheet_rows(path, vocab.SHEET_PLEDGE)
    assert [r[1] for r in pledge[3:5]] == items
    assert pledge[13] == [vocab.PLEDGE_LABELS["pledger"], "张三"]
    assert pledge[14] == [vocab.PLEDGE_LABELS["pledge_date"], dt.date(2026, 3, 16)]

    ws = openpyxl.load_workbook(path)[vocab.SHEET_INDIVIDUAL]
    assert ws.max_row == 3 + len(ROWS) + 2
    assert ws["K4"].data_type == "s" and ws["K4"].value == "=SUM(A1:A2)"  # text, not formula
    assert validation_covering(ws, f"C{3 + len(ROWS) + 2}") is not None  # blank rows too
    assert ws.row_dimensions[4].height > 15  # the two-line description shows in full


def test_filled_unit_form_and_bad_values_stay_as_written(tmp_path):
    path = tmp_path / "办公室.xlsx"
    header = {"section": "办公室", "head": "李四", "date": "2026年3月15日"}
    rows = [{**ROWS[0], "posts_involved": "会计、出纳", "self_level": 1}]
    templates.write_form(path, vocab.UNIT, header, rows)
    data = sheet_rows(path, vocab.SHEET_UNIT)
    assert data[1][:8] == [
        "科室",
        "办公室",
        "",
        "科室负责人",
        "李四",
        "",
        "填表日期",
        "2026年3月15日",
    ]
    cols = vocab.TABLE_COLUMNS[vocab.UNIT]
    got = dict(zip(cols, data[3], strict=True))
    assert got["posts_involved"] == "会计、出纳" and got["self_level"] == 1
    assert len(data) == 4
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS[vocab.UNIT]
    assert wb.defined_names[vocab.TEMPLATE_MARKER_NAME].value == '"unit:1"'


def test_same_input_gives_the_same_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (a, b):
        templates.write_form(path, vocab.INDIVIDUAL, {"name": "张三"}, ROWS)
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------
PEOPLE = [
    {
        "section": "办公室",
        "name": "李四",
        "post": "主任",
        "post_type": "一般管理服务",
        "is_head": True,
    },
    {
        "section": "办公室",
        "name": "张三",
        "post": "会计",
        "post_type": "人财物管理",
        "is_head": False,
    },
    {
        "section": "领导班子",
        "name": "王五",
        "post": "副主席",
        "post_type": "领导班子正职",
        "is_head": False,
    },
    {
        "section": "领导班子",
        "name": "赵六",
        "post": "主席",
        "post_type": "领导班子正职",
        "is_head": False,
    },
]
SECTIONS = [
    {"section": "办公室", "head": "李四", "vice_chair": "王五"},
    {"section": "领导班子", "head": "赵六", "vice_chair": "王五"},
]
UNIT = {"body": "某区妇联", "chair": "赵六", "oversight": "区纪委派驻纪检组"}


def test_roster_round_trips_through_load_roster(tmp_path):
    templates.write_roster(tmp_path / vocab.ROSTER_FILE, PEOPLE, SECTIONS, UNIT)
    roster = config.load_roster(tmp_path)
    people = roster.people[list(vocab.ROSTER_PEOPLE_COLUMNS)].to_dict("records")
    assert people == PEOPLE
    sections = roster.sections[list(vocab.ROSTER_SECTION_COLUMNS)].to_dict("records")
    assert sections == SECTIONS
    assert (roster.body_name, roster.chair, roster.oversight) == tuple(UNIT.values())
    assert roster.problems == []


def test_roster_template_has_sheets_headers_and_dropdowns(generated):
    wb = openpyxl.load_workbook(generated[templates.ROSTER_TEMPLATE_FILE])
    assert wb.sheetnames == [
        vocab.ROSTER_SHEET_PEOPLE,
        vocab.ROSTER_SHEET_SECTIONS,
        vocab.ROSTER_SHEET_UNIT,
        vocab.ROSTER_NOTES_SHEET,
    ]
    for sheet, columns in (
        (vocab.ROSTER_SHEET_PEOPLE, vocab.ROSTER_PEOPLE_COLUMNS),
        (vocab.ROSTER_SHEET_SECTIONS, vocab.ROSTER_SECTION_COLUMNS),
        (vocab.ROSTER_SHEET_UNIT, vocab.ROSTER_UNIT_COLUMNS),
    ):
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == list(columns.values())
        assert ws.max_row == 1
    ws = wb[vocab.ROSTER_SHEET_PEOPLE]
    keys = list(vocab.ROSTER_PEOPLE_COLUMNS)
    post_type = validation_covering(ws, f"{get_column_letter(keys.index('post_type') + 1)}2")
    assert list_values(wb, post_type.formula1) == list(vocab.POST_TYPES)
    is_head = validation_covering(ws, f"{get_column_letter(keys.index('is_head') + 1)}2")
    assert list_values(wb, is_head.formula1) == ["是", "否"]


# --------------------------------------------------------------------------------------
# The committed input_templates/ are what the code writes now
# --------------------------------------------------------------------------------------
def workbook_snapshot(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    snap: dict = {
        "sheets": wb.sheetnames,
        "names": {n: d.value for n, d in wb.defined_names.items()},
        "props": sorted((p.name, p.value) for p in wb.custom_doc_props.props),
    }
    for ws in wb.worksheets:
        snap[ws.title] = {
            "state": ws.sheet_state,
            "cells": [
                [(c.value, c.protection.locked, c.number_format) for c in row]
                for row in ws.iter_rows()
            ],
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.promptTitle, dv.prompt)
                for dv in validations(ws)
            ),
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items())},
            "print": (ws.print_title_rows, ws.print_area, ws.page_setup.orientation),
            "protected": ws.protection.sheet,
        }
    return snap


@pytest.mark.parametrize(
    "name",
    [*templates.TEMPLATE_FILES.values(), templates.ROSTER_TEMPLATE_FILE],
)
def test_committed_templates_match_the_generator(generated, name):
    committed = COMMITTED / name
    assert committed.exists(), f"run `make templates` to write {committed}"
    assert workbook_snapshot(committed) == workbook_snapshot(generated[name]), (
        "input_templates/ is stale: run `make templates`"
    )


# --------------------------------------------------------------------------------------
# LibreOffice opens, prints and round-trips the templates
# --------------------------------------------------------------------------------------
def soffice(tmp_path: Path, fmt: str, files: list[Path], outdir: Path) -> None:
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_and_round_trips_the_templates(generated, tmp_path):
    files = [template(generated, kind) for kind in KINDS]
    pdf_dir, xlsx_dir = tmp_path / "pdf", tmp_path / "xlsx"
    soffice(tmp_path, "pdf", files, pdf_dir)
    for f in files:
        pdf = (pdf_dir / f.name).with_suffix(".pdf")
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
        assert pdf.stat().st_size > 5000
    soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", files, xlsx_dir)
    for kind, f in zip(KINDS, files, strict=True):
        wb = openpyxl.load_workbook(xlsx_dir / f.name)
        ws = wb[vocab.MAIN_SHEET[kind]]
        assert [c.value for c in ws[3]][: len(vocab.TABLE_COLUMNS[kind])] == [
            vocab.COLUMN_LABELS[k] for k in vocab.TABLE_COLUMNS[kind]
        ]
        for key in ENUM_KEYS:
            dv = validation_covering(ws, f"{column_of(kind, key)}{FIRST_INPUT_ROW}")
            assert dv is not None and dv.type == "list", key
            assert list_values(wb, dv.formula1) == list(vocab.ENUMS[key])
        assert ws.protection.sheet
        assert ws.print_title_rows == "$1:$3"
