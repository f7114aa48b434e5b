"""prefill: pre-filled forms per section, read back through process unchanged and with edits."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import archives, vocab
from pipeline.cli import main
from tests.conftest import make_demo, process_cli

INPUT_FIELDS = (
    "section",
    "post",
    "step",
    "category",
    "description",
    "likelihood",
    "harm",
    "prevent",
    "monitor",
    "handle",
)


def _process(inbox: Path, config: Path, out: Path) -> Path:
    code = process_cli(inbox, config, out)
    assert code == 0
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    return archive


def _points(archive: Path) -> set[tuple[str, ...]]:
    frame = archives.read_catalogue(archive)
    assert frame is not None
    return {tuple(rec[k] for k in INPUT_FIELDS) for rec in frame.to_dict("records")}


def _rejected_files(archive: Path) -> set[str]:
    import pandas as pd

    issues = pd.read_excel(archive, sheet_name=vocab.ARCHIVE_SHEET_ISSUES, engine="calamine")
    rejected = issues[issues[vocab.ISSUE_COLUMNS["action"]] == vocab.ACTION_REJECT]
    return set(rejected[vocab.ISSUE_COLUMNS["file"]].astype(str))


@pytest.fixture(scope="module")
def last_year(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("prefill")
    make_demo(root, people=24, seed=5, error_rate=0.0)
    archive = _process(root / "inbox", root / "config", root / "out")
    pre = root / "pre"
    code = main(
        [
            "prefill",
            "--config",
            str(root / "config"),
            "--out",
            str(pre),
            "--last-archive",
            str(archive),
        ]
    )
    assert code == 0
    return root, archive, pre


def _copy_forms(pre: Path, inbox: Path) -> None:
    for folder in pre.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, inbox / folder.name)


def test_every_roster_person_gets_a_locked_form_in_their_section(last_year):
    root, _, pre = last_year
    roster = openpyxl.load_workbook(root / "config" / "roster.xlsx", read_only=True)
    people = [r for r in roster[vocab.ROSTER_SHEET_PEOPLE].iter_rows(min_row=2, values_only=True)]
    assert people
    for section, name, post, *_ in people:
        path = pre / section / f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"
        assert path.is_file(), path
        with zipfile.ZipFile(pre / f"{section}.zip") as zf:
            assert f"{section}/{path.name}" in zf.namelist()
    section, name, post, *_ = people[-1]
    wb = openpyxl.load_workbook(
        pre / section / f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"
    )
    ws = wb[vocab.SHEET_INDIVIDUAL]
    assert ws.protection.sheet and not ws.protection.password
    values = {ws.cell(2, c).value: ws.cell(2, c + 1) for c in (1, 4, 6)}
    assert values[vocab.HEADER_LABELS["section"]].value == section
    assert values[vocab.HEADER_LABELS["name"]].value == name
    assert values[vocab.HEADER_LABELS["post"]].value == post
    assert all(cell.protection.locked for cell in values.values())
    assert ws.cell(4, 2).protection.locked is False  # table input stays open
    lists = [dv for dv in ws.data_validations.dataValidation if "B2" in str(dv.sqref)]
    assert lists and lists[0].type == "list"  # the section offers the roster's sections


def test_unchanged_forms_read_back_as_last_year(last_year, tmp_path):
    root, archive, pre = last_year
    inbox = tmp_path / "inbox"
    _copy_forms(pre, inbox)
    again = _process(inbox, root / "config", tmp_path / "out")
    last = _points(archive)
    assert last  # precondition: last year had points to carry over
    assert _points(again) == last
    # the only files sent back are empty forms: of people (or sections) without points last year
    cat = archives.read_catalogue(archive)
    with_points = {(r["section"], n) for r in cat.to_dict("records") for n in r["name"].split("、")}
    for rel in _rejected_files(again):
        section, file = rel.split("/", 1)
        name = file.split("_", 1)[0]
        assert (section, "" if name == section else name) not in with_points  # unit form: ""


def test_two_edited_cells_read_back_as_exactly_those_edits(last_year, tmp_path):
    root, archive, pre = last_year
    inbox = tmp_path / "inbox"
    _copy_forms(pre, inbox)
    forms = sorted(inbox.rglob(f"*_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"))
    path = next(p for p in forms if openpyxl.load_workbook(p)[vocab.SHEET_INDIVIDUAL]["E5"].value)
    wb = openpyxl.load_workbook(path)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    columns = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    desc_col = columns[vocab.COLUMN_LABELS["description"]]
    harm_col = columns[vocab.COLUMN_LABELS["harm"]]
    old_desc = ws.cell(4, desc_col).value
    old_harm = ws.cell(5, harm_col).value
    new_harm = next(h for h in vocab.HARMS if h != old_harm)
    ws.cell(4, desc_col).value = old_desc + "（今年修订）"
    ws.cell(5, harm_col).value = new_harm
    second_desc = ws.cell(5, desc_col).value
    wb.save(path)

    edited = _points(_process(inbox, root / "config", tmp_path / "out"))
    last = _points(archive)
    gone = {p[INPUT_FIELDS.index("description")]: p for p in last - edited}
    new = {p[INPUT_FIELDS.index("description")]: p for p in edited - last}
    assert set(gone) == {old_desc, second_desc}
    assert set(new) == {old_desc + "（今年修订）", second_desc}

    def changed(a: tuple, b: tuple) -> list[str]:
        return [k for k, x, y in zip(INPUT_FIELDS, a, b, strict=True) if x != y]

    assert changed(gone[old_desc], new[old_desc + "（今年修订）"]) == ["description"]
    assert changed(gone[second_desc], new[second_desc]) == ["harm"]
    assert new[second_desc][INPUT_FIELDS.index("harm")] == new_harm


def _cells(path: Path) -> list[object]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]


def test_a_hand_made_last_year_workbook_of_one_sheet_per_section_fills_each_form_once(
    last_year, tmp_path
):
    """Last year's catalogue as a body kept it by hand: one sheet per section named after it
    (the first without a 科室 column, the second with one) and a 汇总 sheet repeating a point.
    Each person's form gets their point once; before, only the first sheet holding a
    catalogue with 科室 was read, so the first section's people got nothing."""
    root, _, _ = last_year
    roster = openpyxl.load_workbook(root / "config" / "roster.xlsx", read_only=True)
    people = list(roster[vocab.ROSTER_SHEET_PEOPLE].iter_rows(min_row=2, values_only=True))
    by_section: dict[str, tuple[str, str]] = {}
    for section, name, post, *_ in people:
        by_section.setdefault(section, (name, post))
    (s1, (n1, p1)), (s2, (n2, p2)) = list(by_section.items())[:2]
    header = ["岗位", "姓名", "风险点描述", "风险等级", "前期预防", "中期监控", "后期处置"]
    measures = ["学习制度", "定期检查", "严肃追责"]
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = s1
    first.append(header)
    first.append([p1, n1, f"{s1}去年的风险点", "二级", *measures])
    second = wb.create_sheet(s2)
    second.append(["科室", *header])
    second.append([s2, p2, n2, f"{s2}去年的风险点", "三级", *measures])
    summary = wb.create_sheet("汇总")
    summary.append(["科室", *header])
    summary.append([s1, p1, n1, f"{s1}去年的风险点", "二级", *measures])
    path = tmp_path / "去年廉政风险点汇总.xlsx"
    wb.save(path)
    frame = archives.read_catalogue(path)
    assert frame is not None
    assert sorted(zip(frame["section"], frame["description"], strict=True)) == sorted(
        [(s1, f"{s1}去年的风险点"), (s2, f"{s2}去年的风险点")]
    )
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(path)]) == 0
    for section, name in ((s1, n1), (s2, n2)):
        form = pre / section / f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"
        cells = _cells(form)
        assert cells.count(f"{section}去年的风险点") == 1, form
        assert "定期检查" in cells


def test_a_long_section_name_shows_in_full_in_the_header_block(tmp_path):
    """A section named in 60 characters fills the 科室 cell (two merged columns, 26 units) on
    five lines; the header row stayed two lines high, so the prefilled, locked name was cut
    on screen and on paper."""
    from pipeline import styles, templates

    section = ("家庭儿童工作与妇女权益保障及社会联络服务综合协调发展促进中心" * 2)[:60]
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    templates.write_roster(
        config_dir / "roster.xlsx",
        [
            {
                "section": "领导班子",
                "name": "丁慧梅",
                "post": "主席",
                "post_type": "领导班子正职",
                "is_head": True,
            },
            {
                "section": section,
                "name": "尹凤娥",
                "post": "部长",
                "post_type": "一般管理服务",
                "is_head": True,
            },
        ],
        [
            {"section": "领导班子", "head": "丁慧梅", "vice_chair": "丁慧梅"},
            {"section": section, "head": "尹凤娥", "vice_chair": "丁慧梅"},
        ],
        {"body": "测试单位", "chair": "丁慧梅", "oversight": "区纪委"},
    )
    pre = tmp_path / "pre"
    assert main(["prefill", "--config", str(config_dir), "--out", str(pre)]) == 0
    (person,) = pre.rglob(f"尹凤娥_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx")
    (unit,) = pre.rglob(f"*_{vocab.FORM_TITLES[vocab.UNIT]}.xlsx")
    for path in (person, unit):
        ws = openpyxl.load_workbook(path).worksheets[0]
        assert ws["B2"].value == section  # the precondition: the whole name is written
        merged = next(r for r in ws.merged_cells.ranges if "B2" in r)
        width = sum(
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
            for c in range(merged.min_col, merged.max_col + 1)
        )
        lines = styles.text_lines(section, width)
        assert lines >= 4  # the precondition: it needs more than the label's two lines
        assert ws.row_dimensions[2].height >= styles.line_height(11) * lines, path.name


def test_values_of_a_hand_made_last_year_catalogue_are_prefilled_as_their_dropdowns_offer(
    last_year, tmp_path
):
    """A body's own catalogue writes 流程风险, 较高, 重, 高 (or 2, Ⅲ级): they were copied into
    the prefilled form as written, cells whose dropdown offers only 业务流程风险, 高, 严重,
    一级 … (retyping the same word in them is refused by Excel). Now each is written as the
    value it stands for, and the form reads back with the same point."""
    root, _, _ = last_year
    roster = openpyxl.load_workbook(root / "config" / "roster.xlsx", read_only=True)
    people = list(roster[vocab.ROSTER_SHEET_PEOPLE].iter_rows(min_row=2, values_only=True))
    section, name, post, *_ = people[-1]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["科室", "岗位", "姓名", "风险环节", "风险类别", "风险点", "发生几率", "危害程度",
               "风险等级", "前期预防", "中期监控", "后期处置"])  # fmt: skip
    ws.append([section, post, name, "报销审核", "流程风险", "审核不严", "较高", "重", "高",
               "学习制度", "复核", "追责"])  # fmt: skip
    ws.append([section, post, name, "出纳", "2", "挪用资金", "小", "较大", "Ⅲ级",
               "对账", "抽查", "追回"])  # fmt: skip
    last = tmp_path / "去年目录.xlsx"
    wb.save(last)
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(last)]) == 0
    (form,) = pre.rglob(f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx")
    ws = openpyxl.load_workbook(form)[vocab.SHEET_INDIVIDUAL]
    columns = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    got = {
        key: [ws.cell(r, columns[vocab.COLUMN_LABELS[key]]).value for r in (4, 5)]
        for key in vocab.ENUMS
    }
    assert ws.cell(4, columns[vocab.COLUMN_LABELS["description"]]).value == "审核不严"
    assert got == {
        "category": ["业务流程风险", "业务流程风险"],
        "likelihood": ["高", "低"],
        "harm": ["严重", "较重"],
        "self_level": ["一级", "三级"],
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(form, inbox / form.name)
    frame = archives.read_catalogue(_process(inbox, root / "config", tmp_path / "out"))
    assert frame is not None
    assert sorted(zip(frame["description"], frame["likelihood"], frame["harm"], strict=True)) == [
        ("审核不严", "高", "严重"),
        ("挪用资金", "低", "较重"),
    ]


def _prefill_roster(tmp_path: Path, people: list[dict], sections: list[dict]) -> Path:
    """Write a roster of ``people`` and ``sections`` (body 测试单位, chair 丁慧梅) under
    tmp_path/config, run ``prefill`` into tmp_path/pre and return that folder."""
    from pipeline import templates

    config_dir = tmp_path / "config"
    config_dir.mkdir()
    unit = {"body": "测试单位", "chair": "丁慧梅", "oversight": "区纪委"}
    templates.write_roster(config_dir / "roster.xlsx", people, sections, unit)
    pre = tmp_path / "pre"
    assert main(["prefill", "--config", str(config_dir), "--out", str(pre)]) == 0
    return pre


def test_names_that_make_the_same_file_name_each_get_their_own_form(tmp_path):
    """「欧阳/娜」 and 「欧阳_娜」 are two roster people, 「财务/审计科」 and 「财务_审计科」 two
    sections, but a file name cannot hold '/': both were written to one path, the second
    overwriting the first (and the second section's rerun clean-up deleting the first's forms),
    while the command said it had written a form for each. Now each gets its own file (the
    later one with （2）) and every form names its own person."""

    def person(section: str, name: str, post: str, head: bool = False) -> dict:
        return {"section": section, "name": name, "post": post,
                "post_type": "一般管理服务", "is_head": head}  # fmt: skip

    people = [
        person("领导班子", "丁慧梅", "主席", True),
        person("财务/审计科", "郑海莉", "科长", True),
        person("财务/审计科", "欧阳/娜", "会计"),
        person("财务/审计科", "欧阳_娜", "出纳"),
        person("财务_审计科", "王五", "科长", True),
        person("财务_审计科", "Mary Smith", "会计"),
    ]
    sections = [
        {"section": s, "head": h, "vice_chair": "丁慧梅"}
        for s, h in (("领导班子", "丁慧梅"), ("财务/审计科", "郑海莉"), ("财务_审计科", "王五"))
    ]
    pre = _prefill_roster(tmp_path, people, sections)
    found = {}
    for path in pre.rglob("*.xlsx"):
        ws = openpyxl.load_workbook(path).worksheets[0]
        key = (ws["B2"].value, ws["E2"].value if ws.title == vocab.SHEET_INDIVIDUAL else None)
        found.setdefault(key, []).append(path.relative_to(pre).as_posix())
    want = {(p["section"], p["name"]) for p in people}
    want |= {(s, None) for s in ("财务/审计科", "财务_审计科")}  # the unit forms
    assert set(found) == want, found
    assert all(len(paths) == 1 for paths in found.values()), found
    for zipped in pre.glob("*.zip"):
        with zipfile.ZipFile(zipped) as zf:
            names = zf.namelist()
        folder = pre / zipped.stem
        assert sorted(names) == sorted(f"{folder.name}/{p.name}" for p in folder.iterdir())


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice or poppler not installed")  # fmt: skip
def test_the_blank_rows_under_last_years_points_never_print_a_page_of_their_own(
    last_year, tmp_path
):
    """A form holding ten of last year's points printed its ten blank rows' last three on a
    second page (the title and header again over three empty rows). Now the blank rows under
    the points stop where the points' page ends, when at least a few fit there."""
    import subprocess

    _, _, pre = last_year
    forms = sorted(pre.rglob(f"*_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"))

    def points(path: Path) -> int:
        ws = openpyxl.load_workbook(path, read_only=True)[vocab.SHEET_INDIVIDUAL]
        return sum(1 for r in ws.iter_rows(min_row=4, values_only=True) if r[3])

    form = max(forms, key=points)
    assert points(form) >= 8  # the precondition: points that fill most of a page
    out = tmp_path / "pdf"
    main_sheet = tmp_path / "main.xlsx"
    wb = openpyxl.load_workbook(form)
    for name in wb.sheetnames:
        if name != vocab.SHEET_INDIVIDUAL:
            del wb[name]
    wb.save(main_sheet)  # the main sheet alone (the dropdowns' list sheet is not printed)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(main_sheet)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    info = subprocess.run(
        ["pdfinfo", str(out / "main.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert "Pages:           1" in info, info
    ws = openpyxl.load_workbook(form)[vocab.SHEET_INDIVIDUAL]
    blank = ws.max_row - 3 - points(form)
    assert blank >= 3  # still rows to type new points in


def test_a_roster_field_left_blank_is_left_open_to_type_in(tmp_path):
    """A roster person without a 岗位（职务） got a form whose 岗位 cell was empty and locked on
    the protected sheet: the person could not write their post. Now a header field is locked
    only when prefill filled it; the form then reads back with the post typed in."""

    people = [
        {"section": "领导班子", "name": "丁慧梅", "post": "主席",
         "post_type": "领导班子正职", "is_head": True},
        {"section": "办公室", "name": "石梦凤", "post": "主任",
         "post_type": "一般管理服务", "is_head": True},
        {"section": "办公室", "name": "方怡", "post": "",
         "post_type": "一般管理服务", "is_head": False},
    ]  # fmt: skip
    sections = [
        {"section": "领导班子", "head": "丁慧梅", "vice_chair": "丁慧梅"},
        {"section": "办公室", "head": "石梦凤", "vice_chair": "丁慧梅"},
    ]
    pre = _prefill_roster(tmp_path, people, sections)
    (form,) = pre.rglob(f"方怡_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx")
    wb = openpyxl.load_workbook(form)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    assert ws.protection.sheet and ws["E2"].value == "方怡" and ws["G2"].value is None
    assert ws["B2"].protection.locked and ws["E2"].protection.locked
    assert not ws["G2"].protection.locked
    ws["G2"] = "文秘"
    ws["J2"] = "2026-03-20"
    row = ["1", "公文收发", "岗位职责风险", "泄露未公开信息", "中", "一般", "三级", "保密教育"]
    for col, value in enumerate(row, start=1):
        ws.cell(4, col).value = value
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb.save(inbox / form.name)
    frame = archives.read_catalogue(_process(inbox, tmp_path / "config", tmp_path / "out"))
    assert frame is not None
    assert list(zip(frame["name"], frame["post"], strict=True)) == [("方怡", "文秘")]


def test_names_listed_with_other_separators_each_get_the_shared_point(last_year, tmp_path):
    """A body's own catalogue lists a point's people as 「甲，乙」 or 「甲/乙」 (our archive
    joins them with 、): the cell was taken for one name nobody has, and the point went to
    neither person's form, without a word. Now names are split on 、，,；;/ as 涉及岗位 is."""
    root, _, _ = last_year
    roster = openpyxl.load_workbook(root / "config" / "roster.xlsx", read_only=True)
    people = list(roster[vocab.ROSTER_SHEET_PEOPLE].iter_rows(min_row=2, values_only=True))
    by_section: dict[str, list[tuple[str, str]]] = {}
    for section, name, post, *_ in people:
        by_section.setdefault(section, []).append((name, post))
    section, members = next((s, m) for s, m in by_section.items() if len(m) >= 3)
    (a, post), (b, _), (c, _) = members[:3]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["科室", "岗位", "姓名", "风险点描述", "风险等级", "前期预防"])
    ws.append([section, post, f"{a}，{b}", "逗号分隔的共同风险点", "二级", "学习制度"])
    ws.append([section, post, f"{b}/{c}", "斜杠分隔的共同风险点", "三级", "定期检查"])
    last = tmp_path / "去年目录.xlsx"
    wb.save(last)
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(last)]) == 0
    want = {a: ["逗号分隔的共同风险点"], b: ["逗号分隔的共同风险点", "斜杠分隔的共同风险点"],
            c: ["斜杠分隔的共同风险点"]}  # fmt: skip
    for name, descriptions in want.items():
        (form,) = pre.rglob(f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx")
        cells = _cells(form)
        assert [d for d in ("逗号分隔的共同风险点", "斜杠分隔的共同风险点") if d in cells] == (
            descriptions
        ), name


def test_the_locked_prefilled_header_cells_do_not_ask_to_be_filled_in(last_year):
    """The 姓名 and 岗位（职务） cells of a prefilled form are filled and locked, yet selecting one
    showed 「填写本人姓名，与组织名册一致。」: a hint to type where nothing can be typed. Now a
    locked prefilled cell's hint says it was filled from the roster and whom to ask."""
    _, _, pre = last_year
    form = next(pre.rglob(f"*_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx"))
    ws = openpyxl.load_workbook(form)[vocab.SHEET_INDIVIDUAL]
    for cell in ("E2", "G2"):
        assert ws[cell].value and ws[cell].protection.locked  # the precondition
        (dv,) = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
        assert dv.prompt == vocab.FORM_PREFILLED_HINT, cell
    (date,) = [dv for dv in ws.data_validations.dataValidation if "J2" in dv.sqref]
    assert date.prompt == vocab.FORM_HEADER_HINTS["date"]  # an open cell keeps its hint


def test_last_years_points_of_nobody_on_the_roster_are_named_not_dropped(
    last_year, tmp_path, capsys
):
    """A last-year point of someone who left (or was renamed) goes to no form; prefill said
    only 「带入上年风险点 N 条」, so the office never learnt a point was left behind. Now it
    names who those points belonged to and how many there were."""
    root, _, _ = last_year
    roster = openpyxl.load_workbook(root / "config" / "roster.xlsx", read_only=True)
    section, name, post, *_ = next(
        iter(roster[vocab.ROSTER_SHEET_PEOPLE].iter_rows(min_row=2, values_only=True))
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["科室", "岗位", "姓名", "风险点描述", "风险等级"])
    ws.append([section, post, name, "在册人员的风险点", "二级"])
    ws.append([section, post, "已调离的人", "调离人员的风险点", "三级"])
    ws.append(["已撤销的科室", "科长", "", "撤销科室的风险点", "三级"])
    last = tmp_path / "去年目录.xlsx"
    wb.save(last)
    argv = ["prefill", "--config", str(root / "config"), "--out", str(tmp_path / "pre")]
    capsys.readouterr()
    assert main([*argv, "--last-archive", str(last)]) == 0
    said = capsys.readouterr().out
    assert "带入上年风险点 1 条" in said  # the precondition: only the roster person's point
    assert (
        vocab.CLI_PREFILL_NOT_CARRIED.format(n=2, who=f"{section} 已调离的人、已撤销的科室") in said
    )


def test_a_section_named_like_anothers_package_gets_its_own_folder(tmp_path):
    """Sections 「财务」 and 「财务.zip」: each section's folder sits beside its package
    <folder>.zip, so 「财务」's package and 「财务.zip」's folder were one path. Now the later
    one is numbered, as the feedback folders are, and each package holds its own forms."""

    def person(section: str, name: str, head: bool = False) -> dict:
        return {"section": section, "name": name, "post": "科员",
                "post_type": "一般管理服务", "is_head": head}  # fmt: skip

    people = [
        person("领导班子", "丁慧梅", True),
        person("财务", "郑海莉", True),
        person("财务.zip", "王五", True),
    ]
    sections = [
        {"section": s, "head": h, "vice_chair": "丁慧梅"}
        for s, h in (("领导班子", "丁慧梅"), ("财务", "郑海莉"), ("财务.zip", "王五"))
    ]
    pre = _prefill_roster(tmp_path, people, sections)
    folders = [p for p in pre.iterdir() if p.is_dir()]
    packages = [p for p in pre.iterdir() if p.is_file() and p.suffix == ".zip"]
    assert len(folders) == len(packages) == 3, sorted(p.name for p in pre.iterdir())
    people_in = {}
    for folder in folders:
        with zipfile.ZipFile(pre / f"{folder.name}.zip") as zf:
            names = zf.namelist()
        assert sorted(names) == sorted(f"{folder.name}/{p.name}" for p in folder.iterdir())
        for path in folder.glob("*.xlsx"):
            ws = openpyxl.load_workbook(path).worksheets[0]
            people_in.setdefault(folder.name, set()).add(ws["B2"].value)
    assert sorted(map(sorted, people_in.values())) == [["财务"], ["财务.zip"], ["领导班子"]]


def test_a_person_who_moved_section_is_told_as_moved_not_as_off_the_roster(
    last_year, tmp_path, capsys
):
    """Someone who changed section since last year: last year's points were their old post's,
    so they go to neither section's forms — and the terminal says that this person moved
    (from where, to where). Before, it said their points 「不属于名册中的任何人或科室」, untrue
    for a person the roster lists, and sent the office hunting for a missing person."""
    root, archive, _ = last_year
    last = archives.read_catalogue(archive)
    config = tmp_path / "config"
    shutil.copytree(root / "config", config)
    wb = openpyxl.load_workbook(config / "roster.xlsx")
    ws = wb[vocab.ROSTER_SHEET_PEOPLE]
    sections = sorted({str(r[0]) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]})
    row = next(  # a person with points of their own last year, not a section head
        r
        for r in ws.iter_rows(min_row=2)
        if r[4].value == "否" and (last["name"] == r[1].value).any()
    )
    name, before = row[1].value, row[0].value
    now = next(s for s in sections if s != before)
    row[0].value = now
    wb.save(config / "roster.xlsx")
    own = int((last["name"] == name).sum())
    assert own > 0  # the precondition: the mover had points of their own (shared ones: none)
    capsys.readouterr()
    argv = ["prefill", "--config", str(config), "--out", str(tmp_path / "pre")]
    assert main([*argv, "--last-archive", str(archive)]) == 0
    said = capsys.readouterr().out
    owner = vocab.CLI_PREFILL_MOVED_OWNER.format(name=name, before=before, now=now)
    assert vocab.CLI_PREFILL_MOVED.format(n=own, who=owner) in said
    assert "不属于名册中的任何人" not in said
    (form,) = (tmp_path / "pre" / now).glob(f"{name}_*.xlsx")  # the new section's form
    ws = openpyxl.load_workbook(form)[vocab.FORM_TITLES[vocab.INDIVIDUAL]]
    label = vocab.COLUMN_LABELS["description"]
    (header,) = [c for row in ws.iter_rows() for c in row if c.value == label]
    below = [ws.cell(r, header.column).value for r in range(header.row + 1, ws.max_row + 1)]
    assert not any(below)  # none of the old post's points in it


def test_a_point_under_a_responsible_person_column_goes_to_them_only_when_surely_theirs(
    last_year, tmp_path, capsys
):
    """Some bodies' catalogues head the 姓名 column 「责任人」 and write there the section head
    who answers for the point, not its own person. prefill gave the head every such point on
    their own form. Now a point headed 责任人 goes to the named person only when its 岗位 is
    their roster post and they are no head; else to the section's unit form (涉及岗位 = last
    year's 岗位), told on the terminal. A 姓名 column beside 责任人 is the one read."""
    from pipeline import config

    root, _, _ = last_year
    roster = config.load_roster(root / "config")
    heads = {r["section"]: r["head"] for r in roster.sections.to_dict("records") if r["head"]}
    leaders = {roster.chair, *roster.sections["vice_chair"]}
    people = roster.people[~roster.people["name"].isin(leaders)]
    section = next(
        s
        for s, head in heads.items()
        if ((people["section"] == s) & (people["name"] != head) & (people["post"] != "")).any()
    )
    head = heads[section]
    staff = people[(people["section"] == section) & (people["name"] != head)].iloc[0]
    assert staff["post"] and not staff["is_head"]  # the precondition: a member, no head
    name, post = staff["name"], staff["post"]
    assert head in set(people[people["section"] == section]["name"])  # the head is a member
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["科室", "岗位", "责任人", "风险点描述", "风险等级", "前期预防"])
    ws.append([section, post, head, "科长负责监督的风险点", "二级", "学习制度"])
    ws.append([section, post, name, "本人岗位的风险点", "三级", "定期检查"])
    ws.append([section, "另一个岗位", name, "别的岗位的风险点", "三级", "严肃追责"])
    last = tmp_path / "2025目录.xlsx"
    wb.save(last)
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre)]
    capsys.readouterr()
    assert main([*argv, "--last-archive", str(last)]) == 0
    said = capsys.readouterr().out
    individual = vocab.FORM_TITLES[vocab.INDIVIDUAL]
    head_cells = _cells(next(pre.rglob(f"{head}_{individual}.xlsx")))
    own_cells = _cells(next(pre.rglob(f"{name}_{individual}.xlsx")))
    unit_cells = _cells(pre / section / f"{section}_{vocab.FORM_TITLES[vocab.UNIT]}.xlsx")
    assert "科长负责监督的风险点" not in head_cells
    assert "本人岗位的风险点" in own_cells and "别的岗位的风险点" not in own_cells
    assert {"科长负责监督的风险点", "别的岗位的风险点"} <= set(unit_cells)
    assert "本人岗位的风险点" not in unit_cells
    assert vocab.CLI_PREFILL_UNSURE.format(label="责任人", n=2) in said, said

    # a 姓名 column beside 责任人 says whose the point is, whichever stands first
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["科室", "岗位", "责任人", "姓名", "风险点描述", "风险等级"])
    ws.append([section, "另一个岗位", head, name, "写明姓名的风险点", "二级"])
    both = tmp_path / "2025目录（有姓名）.xlsx"
    wb.save(both)
    pre2 = tmp_path / "pre2"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre2)]
    assert main([*argv, "--last-archive", str(both)]) == 0
    said = capsys.readouterr().out
    assert "写明姓名的风险点" in _cells(next(pre2.rglob(f"{name}_{individual}.xlsx")))
    assert "写明姓名的风险点" not in _cells(next(pre2.rglob(f"{head}_{individual}.xlsx")))
    assert "监督责任人" not in said


def test_another_bodys_archive_is_not_prefilled_into_this_bodys_forms(last_year, tmp_path, capsys):
    """prefill with a neighbour body's archive filled this body's people's forms with that
    body's points wherever a section and name met (the same 办公室, a common name). Now it
    refuses, naming both bodies and what to do, and writes no form."""
    root, archive, _ = last_year
    theirs = archives.read_identity(archive)
    assert theirs is not None and theirs.body
    config = tmp_path / "config"
    shutil.copytree(root / "config", config)
    (config / vocab.SETTINGS_FILE).write_text('[body]\nname = "云溪区总工会"\n', encoding="utf-8")
    out = tmp_path / "pre"
    capsys.readouterr()
    argv = ["prefill", "--config", str(config), "--out", str(out), "--last-archive", str(archive)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"是「{theirs.body}」的廉政风险信息档案，不是本单位（云溪区总工会）的" in err
    assert not list(out.rglob("*.xlsx"))


def test_a_renamed_section_keeps_its_points_in_prefill_and_in_the_comparison(
    last_year, tmp_path, capsys
):
    """A section renamed in the roster (机构改革: 财务室 -> 财务科), its people unchanged: prefill
    told every one of them 「已调到其他科室」 and gave them and the unit form empty forms; the
    年度对比 then listed all the section's points as 删除 under the old name and 新增 under the
    new. Now the rename is recognised (the old section gone, all its people in one section new
    this year), said on the terminal and on the sheet, and the unchanged forms read back as
    exactly last year's points."""
    root, archive, _ = last_year
    last = archives.read_catalogue(archive)
    config = tmp_path / "config"
    shutil.copytree(root / "config", config)
    wb = openpyxl.load_workbook(config / "roster.xlsx")
    people = wb[vocab.ROSTER_SHEET_PEOPLE]
    counts = last[last["name"] != ""].groupby("section").size()
    old = next(s for s in counts.sort_values(ascending=False).index if s != "领导班子")
    new = f"{old}（新）"
    for sheet in (people, wb[vocab.ROSTER_SHEET_SECTIONS]):
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == old:
                row[0].value = new
    wb.save(config / "roster.xlsx")
    assert (last["section"] == old).sum() > 1  # the precondition: the section had points
    capsys.readouterr()
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(config), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(archive)]) == 0
    said = capsys.readouterr().out
    assert vocab.CLI_PREFILL_RENAMED.format(before=old, now=new) in said
    assert "已调到其他科室" not in said
    (config / vocab.SETTINGS_FILE).write_text(
        f'[body]\nyear = 2027\n\n[history]\nlast_archive = "{archive}"\n', encoding="utf-8"
    )
    inbox = tmp_path / "inbox"
    _copy_forms(pre, inbox)
    again = _process(inbox, config, tmp_path / "out")
    renamed = {
        tuple(new if k == 0 and v == old else v for k, v in enumerate(p)) for p in _points(archive)
    }
    assert _points(again) == renamed
    ws = openpyxl.load_workbook(again, read_only=True)[vocab.HISTORY_SHEET]
    found = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    labels = vocab.HISTORY_COUNT_LABELS
    assert (found[labels["new"]], found[labels["removed"]], found[labels["changed"]]) == (0, 0, 0)
    pair = vocab.HISTORY_RENAMED_PAIR.format(before=old, now=new)
    assert vocab.HISTORY_NOTE_RENAMED.format(renamed=pair) in found


def test_a_person_whose_post_was_renamed_keeps_their_points_as_changed_not_new(last_year, tmp_path):
    """A person's post renamed in the roster (报账员 -> 会计): prefill carries their points and
    writes the new post in the form's header, so the unchanged form read back had every point
    新增 under the new post and 删除 under the old, and the old post 「上年有风险点，本年没有」.
    Now a point of the same person, step and description under another post is one point
    whose post changed (变化, 岗位（职务）：old→new), and a post gone from the roster whose
    points all went with their people is not listed as left without points."""
    root, archive, _ = last_year
    last = archives.read_catalogue(archive)
    config = tmp_path / "config"
    shutil.copytree(root / "config", config)
    wb = openpyxl.load_workbook(config / "roster.xlsx")
    ws = wb[vocab.ROSTER_SHEET_PEOPLE]
    rows = list(ws.iter_rows(min_row=2))
    posts = [(r[0].value, r[2].value) for r in rows]
    row = next(  # a person alone in their post, with points of their own only
        r
        for r in rows
        if r[4].value == "否"
        and posts.count((r[0].value, r[2].value)) == 1
        and (last["name"] == r[1].value).any()
        and (last["post"] == r[2].value).sum() == (last["name"] == r[1].value).sum()
    )
    name, old = row[1].value, row[2].value
    own = int((last["name"] == name).sum())
    assert own > 0 and (last["post"] == old).sum() == own  # the precondition
    row[2].value = f"{old}（改）"
    wb.save(config / "roster.xlsx")
    pre = tmp_path / "pre"
    argv = ["prefill", "--config", str(config), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(archive)]) == 0
    (config / vocab.SETTINGS_FILE).write_text(
        f'[body]\nyear = 2027\n\n[history]\nlast_archive = "{archive}"\n', encoding="utf-8"
    )
    inbox = tmp_path / "inbox"
    _copy_forms(pre, inbox)
    again = _process(inbox, config, tmp_path / "out")
    ws = openpyxl.load_workbook(again)[vocab.HISTORY_SHEET]
    grid = [[c.value for c in r] for r in ws.iter_rows()]
    found = {r[0]: r[1] for r in grid if r and r[0]}
    labels = vocab.HISTORY_COUNT_LABELS
    assert (found[labels["new"]], found[labels["removed"]]) == (0, 0)
    assert found[labels["changed"]] == own
    part = vocab.HISTORY_CHANGE_PART.format(
        field=vocab.CATALOGUE_COLUMNS["post"], before=old, after=f"{old}（改）"
    )
    changed = [r for r in grid if r[0] == vocab.HISTORY_CHANGED]
    assert len(changed) == own and all(r[3] == name and r[-1] == part for r in changed)
    assert not any(r[1] == old for r in grid)  # the old post is not 「本年没有风险点」


def test_the_prefilled_forms_guide_shows_the_bodys_own_grading_rules(tmp_path):
    """A body that set its own matrix, floors, supervision and deadline in settings.toml handed
    out prefilled forms whose 填表说明 showed the built-in ones: people graded themselves by
    rules the run does not use (every point then a 自评 mismatch). The guide now shows the
    settings the forms will be graded by; the blank templates keep the defaults."""
    from pipeline import templates
    from tests.builders import write_settings

    config_dir = tmp_path / "config"
    people = [
        {"section": "办公室", "name": "石梦凤", "post": "主任",
         "post_type": "一般管理服务", "is_head": True},
    ]  # fmt: skip
    sections = [{"section": "办公室", "head": "石梦凤", "vice_chair": "丁慧梅"}]
    unit = {"body": "测试单位", "chair": "丁慧梅", "oversight": "区纪委"}
    config_dir.mkdir()
    templates.write_roster(config_dir / "roster.xlsx", people, sections, unit)
    write_settings(
        config_dir,
        '[deadlines]\nfind_risks = "03-20"\n'
        '[grading.matrix]\n"一般" = { "高" = "一级", "中" = "三级", "低" = "三级" }\n'
        '[grading.floors]\n"一般管理服务" = "二级"\n'
        '[supervision."三级"]\nmeasure = "批评教育"\n',
    )
    pre = tmp_path / "pre"
    assert main(["prefill", "--config", str(config_dir), "--out", str(pre)]) == 0
    blank = tmp_path / "blank"
    templates.write_templates(blank)

    def guide_rows(path: Path) -> list[list[str]]:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(vocab.SHEET_GUIDE)
        return [[str(c) for c in row if c != ""] for row in sheet.to_python()]

    for kind in vocab.FORM_KINDS:
        (form,) = pre.rglob(f"*_{vocab.FORM_TITLES[kind]}.xlsx")
        rows = guide_rows(form)
        assert ["一般", "一级", "三级", "三级"] in rows
        assert ["一般管理服务", "二级"] in rows
        assert ["三级", "科室负责人", "科室负责人", "批评教育"] in rows
        assert [vocab.PHASES["find_risks"], "3月20日"] in rows
        defaults = guide_rows(blank / templates.TEMPLATE_FILES[kind])
        assert ["一般", "二级", "三级", "三级"] in defaults  # the precondition: SPEC's matrix
        assert ["一般管理服务", vocab.GUIDE_NO_FLOOR] in defaults
        assert [vocab.PHASES["find_risks"], "3月31日"] in defaults
