"""The archive workbook: written from a hand-built RunResult, read back as a user would."""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline import sheetxml, styles, vocab, xlsx
from pipeline.write_archive import (
    LEVEL_FILLS,
    MATRIX_HEADERS,
    NOTICE_HEADERS,
    REJECT_FILL,
    write_archive,
)
from tests import result_factory as rf

CATALOGUE = vocab.ARCHIVE_SHEET_CATALOGUE
# 序号 first, then SPEC's 19 columns in their order, then the point's ID
CATALOGUE_HEADERS = [
    vocab.COLUMN_LABELS["seq"],
    *vocab.CATALOGUE_COLUMNS.values(),
    vocab.POINT_ID_LABEL,
]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("archive")
    result = rf.make_result(root)
    path = write_archive(result, root / "out")
    return result, path


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written[1])


@pytest.fixture(scope="module")
def sheets(written):
    return pd.read_excel(written[1], sheet_name=None, engine="openpyxl", dtype=str)


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


def _find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not found on {ws.title}")


def _header_index(ws, header_row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[header_row] if c.value is not None}


# --------------------------------------------------------------------------------------
# File and sheets
# --------------------------------------------------------------------------------------
def test_file_name_and_no_leftover_temp_files(written):
    path = written[1]
    assert path.name == f"2026_{rf.BODY}_廉政风险信息档案.xlsx"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_sheets_are_named_and_ordered_as_spec(book):
    assert book.sheetnames == list(vocab.ARCHIVE_SHEETS)


def test_catalogue_headers_in_spec_order(sheets):
    assert list(sheets[CATALOGUE].columns) == CATALOGUE_HEADERS
    # 序号 counts the points 1..n in catalogue order
    assert sheets[CATALOGUE]["序号"].tolist() == [
        str(i) for i in range(1, len(sheets[CATALOGUE]) + 1)
    ]


def test_catalogue_has_one_row_per_point_with_sources(written, sheets):
    result, _ = written
    catalogue = sheets[CATALOGUE]
    assert len(catalogue) == len(result.points)
    assert sorted(catalogue[vocab.POINT_ID_LABEL]) == sorted(result.points["point_id"])
    merged = catalogue[catalogue[vocab.CATALOGUE_COLUMNS["source_row"]] == "4；6"]
    assert merged[vocab.CATALOGUE_COLUMNS["source_file"]].tolist() == [rf.FILE_LI]
    unit = catalogue[catalogue[vocab.CATALOGUE_COLUMNS["section"]] == rf.SECTION_LIAISON]
    assert set(unit[vocab.CATALOGUE_COLUMNS["post"]]) == {"帮扶专干、部长", "干事"}


def test_catalogue_rows_grouped_by_section_in_roster_order(sheets):
    sections = sheets[CATALOGUE][vocab.CATALOGUE_COLUMNS["section"]].tolist()
    assert sections == sorted(sections, key=list(rf.SECTIONS).index)


def test_cover_counts_equal_run_counts(written, book):
    result, _ = written
    ws = book[vocab.ARCHIVE_SHEET_COVER]
    cells = {row[0].value: row[1].value for row in ws.iter_rows(max_col=2) if row[0].value}
    for (group, key), label in vocab.ARCHIVE_COUNT_LABELS.items():
        assert cells[label] == result.counts[group][key], label
    assert cells[vocab.ARCHIVE_POINTS_LABEL] == result.counts["points"]
    assert rf.BODY in ws["A1"].value and "2026" in ws["A1"].value
    assert cells["生成时间"] == rf.RUN_TIME.replace("T", " ")


def test_cover_documents_the_rules_this_run_used(tmp_path):
    settings = rf.config.default_settings()
    matrix = {h: {lk: "三级" for lk in vocab.LIKELIHOODS} for h in vocab.HARMS}
    matrix["严重"]["高"] = "二级"
    result = rf.make_result(tmp_path, settings=dataclasses.replace(settings, matrix=matrix))
    ws = openpyxl.load_workbook(write_archive(result, tmp_path / "out"))[vocab.ARCHIVE_SHEET_COVER]
    row, col = _find(ws, vocab.ARCHIVE_MATRIX_CORNER)
    grid = [[ws.cell(row + 1 + r, col + 1 + c).value for c in range(3)] for r in range(3)]
    assert grid == [["二级", "三级", "三级"], ["三级"] * 3, ["三级"] * 3]
    assert _fill(ws.cell(row + 1, col + 1)) == LEVEL_FILLS["二级"][1:]
    values = {c.value for r in ws.iter_rows() for c in r}
    assert {"人财物管理", "分管副主席", "诫勉纠错", "2026-03-31"} <= values


# --------------------------------------------------------------------------------------
# Text safety
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", [rf.TEXT_FORMULA, rf.TEXT_PHONE, rf.TEXT_MINUS, rf.TEXT_AT, "-未按规定审核支付凭证"]
)
def test_formula_like_text_is_stored_as_text(book, text):
    hits = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value == text
    ]
    assert hits, text
    assert all(cell.data_type == "s" for cell in hits)


def test_no_formulas_anywhere(written):
    with zipfile.ZipFile(written[1]) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<f[ >]", zf.read(name)), name


def test_sheet_xml_is_well_formed_with_rows_and_cells_in_order(written):
    """Excel refuses a sheet whose rows or cells are out of order; the tables are spliced
    into xlsxwriter's XML, so check what Excel would."""
    from defusedxml import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(written[1]) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert len(names) == len(vocab.ARCHIVE_SHEETS)
        for name in names:
            root = ElementTree.fromstring(zf.read(name))
            rows = [int(r.get("r")) for r in root.iter(f"{ns}row")]
            assert rows == sorted(set(rows)), name
            for row in root.iter(f"{ns}row"):
                cols = [
                    openpyxl.utils.column_index_from_string(re.sub(r"\d", "", c.get("r")))
                    for c in row.iter(f"{ns}c")
                ]
                assert cols == sorted(set(cols)), (name, row.get("r"))
            dimension = root.find(f"{ns}dimension").get("ref")
            assert int(re.sub(r"^.*?(\d+)$", r"\1", dimension)) >= rows[-1], name


def test_xml_special_text_round_trips(tmp_path):
    result = rf.make_result(tmp_path)
    points = result.points.copy()
    tricky = " A & B <c> _x0041_ 结尾 "
    points.loc[0, "description"] = tricky
    path = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")
    catalogue = pd.read_excel(path, sheet_name=CATALOGUE, engine="calamine", dtype=str)
    assert tricky in catalogue[vocab.CATALOGUE_COLUMNS["description"]].tolist()


def test_every_kind_of_awkward_text_reads_back_as_cell_text_gives_it(tmp_path):
    # texts the coded columns clean in bulk or one by one: each cell holds exactly what
    # xlsx.cell_text makes of the value, whatever its neighbours in the column
    result = rf.make_result(tmp_path)
    points = result.points.copy()
    awkward = [
        "한국어 위험",  # Hangul: its UTF-8 shares a lead byte with lone surrogates
        "代理\ud800人",  # a lone surrogate: dropped
        "\ufffe标记\uffff",  # not characters: dropped
        "\x01\x02",  # only control characters: the cell stays empty
        "  ",  # white space kept as it is
        "第一行\n\n第三行 ",  # line breaks kept, trailing space kept
    ]
    assert len(points) >= len(awkward)  # the precondition: one point for each text
    points = points.astype({"description": object})
    for i, text in enumerate(awkward):
        points.loc[i, "description"] = text
    path = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None  # every entry inflates to what its CRC says
    ws = openpyxl.load_workbook(path)[CATALOGUE]
    headers = _header_index(ws)
    ids, column = headers[vocab.POINT_ID_LABEL], headers[vocab.CATALOGUE_COLUMNS["description"]]
    cells = {ws.cell(r, ids).value: ws.cell(r, column).value for r in range(2, ws.max_row + 1)}
    for i, text in enumerate(awkward):
        assert cells[points.loc[i, "point_id"]] == (xlsx.cell_text(text) or None), repr(text)


def test_bad_value_in_issues_is_text(written, book):
    ws = book[vocab.ARCHIVE_SHEET_ISSUES]
    row, col = _find(ws, rf.BAD_LIKELIHOOD)
    assert ws.cell(row, col).data_type == "s"


def test_control_characters_are_stripped(book, sheets):
    for name, frame in sheets.items():
        text = frame.to_csv(index=False)
        assert not xlsx.ILLEGAL_CHARACTERS_RE.search(text), name
    descriptions = sheets[CATALOGUE][vocab.CATALOGUE_COLUMNS["description"]].tolist()
    assert "超标准接待，虚报接待人数" in descriptions


def test_long_text_is_cut_visibly(sheets):
    monitor = sheets[CATALOGUE][vocab.CATALOGUE_COLUMNS["monitor"]].dropna()
    long = [t for t in monitor if len(t) > 1000]
    assert len(long) == 1
    assert len(long[0]) == xlsx.MAX_CELL_CHARS
    assert long[0].endswith(vocab.TRUNCATION_MARK)
    notice = sheets[vocab.ARCHIVE_SHEET_NOTICE].to_csv(index=False)
    # on the 公示 it goes on over a few continuation rows, then is cut visibly
    assert vocab.CONTINUED_CUT_MARK in notice


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------
def test_level_cells_are_coloured_and_disagreements_marked(written, book):
    result, _ = written
    ws = book[CATALOGUE]
    headers = _header_index(ws)
    level_col = headers[vocab.CATALOGUE_COLUMNS["level"]]
    id_col = headers[vocab.POINT_ID_LABEL]
    differs = dict(zip(result.points["point_id"], result.points["level_differs"], strict=True))
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, level_col)
        assert _fill(cell) == LEVEL_FILLS[cell.value][1:]
        marked = bool(cell.font.b and cell.font.i)
        assert marked == differs[ws.cell(r, id_col).value]
    assert any(differs.values())


def test_fonts_are_songti(book):
    ws = book[CATALOGUE]
    assert ws["A1"].font.name == xlsx.FONT_NAME and ws["A1"].font.b
    assert ws["A2"].font.name == xlsx.FONT_NAME and ws["A2"].font.sz == styles.FONT_SIZE


TABLE_SHEETS = [
    (vocab.ARCHIVE_SHEET_CATALOGUE, 1),
    (vocab.ARCHIVE_SHEET_POSTS, 1),
    (vocab.ARCHIVE_SHEET_MATRIX, 1),
    (vocab.ARCHIVE_SHEET_SECTIONS, 1),
    (vocab.ARCHIVE_SHEET_PLEDGES, 1),
    (vocab.ARCHIVE_SHEET_SUBMISSIONS, 1),
    (vocab.ARCHIVE_SHEET_NOTICE, 2),
    (vocab.ARCHIVE_SHEET_ISSUES, 1),
]


@pytest.mark.parametrize(("sheet", "header_row"), TABLE_SHEETS)
def test_tables_have_frozen_header_filter_and_print_titles(book, sheet, header_row):
    ws = book[sheet]
    assert ws.freeze_panes is not None
    assert int(re.sub(r"\D", "", ws.freeze_panes)) == header_row + 1
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{header_row}:")
    assert ws.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"


@pytest.mark.parametrize("sheet", vocab.ARCHIVE_SHEETS)
def test_every_sheet_prints_a4_landscape_legibly_with_page_numbers(book, sheet):
    ws = book[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    # an explicit scale that keeps 10 pt text at 8 pt or more, never a renderer's own fit
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert styles.MIN_SCALE <= int(ws.page_setup.scale or 100) <= 100  # 100 is left out
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text


def test_catalogue_prints_in_two_halves_with_who_repeated(book):
    ws = book[CATALOGUE]
    headers = _header_index(ws)
    second = headers[vocab.CATALOGUE_COLUMNS["direct"]]  # 1-based
    assert [b.id for b in ws.col_breaks.brk] == [second - 1]
    assert ws.print_title_cols.replace("$", "") == "A:D"
    assert ws.page_setup.pageOrder == "overThenDown"


def test_long_text_columns_wrap_and_fit(book):
    ws = book[CATALOGUE]
    headers = _header_index(ws)
    col = openpyxl.utils.get_column_letter(headers[vocab.CATALOGUE_COLUMNS["description"]])
    assert ws[f"{col}2"].alignment.wrap_text
    assert 10 <= ws.column_dimensions[col].width <= 40


# --------------------------------------------------------------------------------------
# Other sheets
# --------------------------------------------------------------------------------------
def test_notice_is_public_version(written, book, sheets):
    result, _ = written
    ws = book[vocab.ARCHIVE_SHEET_NOTICE]
    assert rf.BODY in ws["A1"].value and "公示" in ws["A1"].value
    headers = [c.value for c in ws[2] if c.value is not None]
    assert headers == list(NOTICE_HEADERS.values())
    for hidden in ("自评等级", "备注", "来源文件", "来源行", "姓名"):
        assert hidden not in headers
    last_data = 2 + len(result.points)
    footer = [ws.cell(r, 1).value for r in range(last_data + 1, ws.max_row + 1)]
    assert any(text and rf.BODY in text and "2026年4月20日" in text for text in footer)
    measures = ws.cell(3, headers.index("防控措施") + 1).value
    assert measures.splitlines() == [
        f"前期：{rf.TEXT_MINUS}",
        f"中期：{rf.TEXT_PHONE}",
        f"后期：{rf.TEXT_AT}",
    ]


def test_issues_sheet_lists_every_issue_with_rejections_highlighted(written, book, sheets):
    result, _ = written
    frame = sheets[vocab.ARCHIVE_SHEET_ISSUES]
    assert list(frame.columns) == list(vocab.ISSUE_COLUMNS.values())
    assert len(frame) == len(result.issues)
    ws = book[vocab.ARCHIVE_SHEET_ISSUES]
    for r in range(2, ws.max_row + 1):
        rejected = ws.cell(r, 1).value == vocab.ACTION_REJECT
        assert (_fill(ws.cell(r, 7)) == REJECT_FILL[1:]) == rejected
    bad = frame[frame["原值"] == rf.BAD_LIKELIHOOD].iloc[0]
    assert (bad["处理"], bad["文件"], bad["单元格"]) == (vocab.ACTION_REJECT, rf.FILE_LI, "E5")


def test_section_summary_counts(written, sheets):
    result, _ = written
    frame = sheets[vocab.ARCHIVE_SHEET_SECTIONS]
    assert list(frame.columns) == list(vocab.ARCHIVE_SECTION_HEADERS.values())
    table = frame.set_index("科室")
    office = table.loc[rf.SECTION_OFFICE]
    assert office["风险点数"] == "5"
    assert (office["一级"], office["二级"], office["三级"]) == ("2", "1", "2")
    assert office["退回行数"] == "1" and office["自评不一致"] == "1"
    assert table.loc[rf.SECTION_FINANCE, "自评不一致"] == "2"
    assert table.loc[vocab.ARCHIVE_TOTAL_LABEL, "风险点数"] == str(len(result.points))


def test_posts_submissions_and_pledges_have_a_row_each(written, sheets):
    result, _ = written
    assert len(sheets[vocab.ARCHIVE_SHEET_POSTS]) == len(result.posts)
    submissions = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS]
    assert len(submissions) == len(result.submissions)
    assert set(submissions[vocab.SUBMISSION_COLUMNS["status"]]) == {
        vocab.STATUS_ON_TIME,
        vocab.STATUS_LATE,
        vocab.STATUS_MISSING,
    }
    assert len(sheets[vocab.ARCHIVE_SHEET_PLEDGES]) == len(result.pledges)


def test_stats_has_native_charts(written):
    with zipfile.ZipFile(written[1]) as zf:
        charts = [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) >= 2
        xml = b"".join(zf.read(n) for n in charts)
    assert b"<c:barChart>" in xml and b'<c:grouping val="stacked"/>' in xml


def test_heat_map_counts_and_colours(written, book):
    result, _ = written
    ws = book[vocab.ARCHIVE_SHEET_STATS]
    row, _ = _find(ws, vocab.ARCHIVE_STATS_HEAT_TITLE)
    assert ws.cell(row + 1, 1).value == vocab.ARCHIVE_MATRIX_CORNER
    assert [ws.cell(row + 1, c).value for c in (2, 3, 4)] == list(vocab.LIKELIHOODS)
    expected = result.points.groupby(["harm", "likelihood"]).size()
    for r, harm in enumerate(vocab.HARMS, start=row + 2):
        assert ws.cell(r, 1).value == harm
        for c, likelihood in enumerate(vocab.LIKELIHOODS, start=2):
            cell = ws.cell(r, c)
            assert cell.value == expected.get((harm, likelihood), 0), (harm, likelihood)
            level = result.settings.matrix[harm][likelihood]
            assert _fill(cell) == LEVEL_FILLS[level][1:]


# --------------------------------------------------------------------------------------
# Determinism, robustness, rendering
# --------------------------------------------------------------------------------------
def test_two_writes_give_identical_files(written, tmp_path):
    result, first = written
    second = write_archive(result, tmp_path)
    a = pd.read_excel(first, sheet_name=None, engine="calamine")
    b = pd.read_excel(second, sheet_name=None, engine="calamine")
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert first.read_bytes() == second.read_bytes()


def test_chunked_table_writing_gives_the_same_file(written, tmp_path, monkeypatch):
    result, first = written
    monkeypatch.setattr(sheetxml, "CHUNK_ROWS", 2)
    assert write_archive(result, tmp_path).read_bytes() == first.read_bytes()


def test_a_large_catalogue_keeps_every_point_in_order(tmp_path):
    result = rf.make_result(tmp_path)
    small = result.points[result.points["monitor"].str.len() < 1000]
    n = 12_000
    points = small.iloc[[i % len(small) for i in range(n)]].reset_index(drop=True)
    points["point_id"] = [f"P{i:06d}" for i in range(n)]
    points["section"] = rf.SECTION_OFFICE
    path = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")
    catalogue = pd.read_excel(path, sheet_name=CATALOGUE, engine="calamine", dtype=str)
    assert catalogue[vocab.POINT_ID_LABEL].tolist() == points["point_id"].tolist()
    level = vocab.CATALOGUE_COLUMNS["level"]
    assert catalogue[level].tolist() == points["level"].tolist()


def test_an_empty_run_still_gives_a_complete_archive(tmp_path):
    full = rf.make_result(tmp_path)
    result = rf.make_result(
        tmp_path,
        points=full.points.iloc[0:0],
        posts=full.posts.iloc[0:0],
        rows=full.rows.iloc[0:0],
        issues=full.issues.iloc[0:0],
        submissions=pd.DataFrame(),
        pledges=pd.DataFrame(),
    )
    path = write_archive(result, tmp_path / "out")
    frames_back = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert list(frames_back) == list(vocab.ARCHIVE_SHEETS)
    assert list(frames_back[CATALOGUE].columns) == CATALOGUE_HEADERS
    assert frames_back[CATALOGUE].empty


def test_body_name_needing_care_gives_a_safe_file_name(tmp_path):
    result = rf.make_result(tmp_path, body_name="示例区/妇联:办公室")
    path = write_archive(result, tmp_path / "out")
    assert path.parent == tmp_path / "out" and path.exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_converts_it_to_pdf(written, tmp_path):
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written[1]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / written[1].with_suffix(".pdf").name
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_a_long_section_name_in_the_statistics_table_has_rows_for_its_lines(tmp_path):
    """统计's table of levels by section kept every row one line tall: a 24-character section
    name printed as its first line only (「妇女儿童权益保障与家庭教育指」), the rest cut off."""
    long_name = "妇女儿童权益保障与家庭教育指导服务中心综合协调科"
    result = rf.make_result(tmp_path)
    points = result.points.copy()
    points.loc[points["section"] == rf.SECTION_OFFICE, "section"] = long_name
    path = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")
    ws = openpyxl.load_workbook(path)[vocab.ARCHIVE_SHEET_STATS]
    width = ws.column_dimensions["A"].width
    rows = [c.row for c in ws["A"] if c.value == long_name]
    assert rows and styles.text_lines(long_name, width) > 1  # the precondition
    for row in rows:
        assert ws.cell(row, 1).alignment.wrap_text
        needed = styles.lines_height(styles.text_lines(long_name, width))
        height = ws.row_dimensions[row].height or styles.DEFAULT_ROW_HEIGHT
        assert height >= needed - 0.75  # the writer rounds heights to whole pixels


def test_section_summary_total_counts_the_rejected_rows_of_forms_of_no_roster_section(
    tmp_path,
) -> None:
    """张三 wrote 科室 「某某区妇联」 (the body, no roster section) on his form of three points:
    the whole form is 退回. The cover said 退回的数据行 4 (his three and one row of 王芳's),
    but 科室汇总's 合计 said 1: rows of no roster section were left out of it. Now they have a
    row 未能识别科室 (the feedback folder they go to) and 合计 is the cover's count; 统计,
    which charts the sections' points, has no such row."""
    import json

    from tests.builders import write_config
    from tests.conftest import process_cli
    from tests.forms import HEADER, sample_row, write_form

    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", False),
        ("办公室", "王芳", "主任", "一般管理服务", True),
        ("办公室", "张三", "科员", "一般管理服务", False),
    ]
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "王芳", "陈主席")]
    )
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, section="某某区妇联", name="张三"),
               rows=[sample_row(i) for i in range(1, 4)])  # fmt: skip
    write_form(inbox / "王芳.xlsx", header=dict(HEADER, name="王芳", post="主任"),
               rows=[sample_row(1), sample_row(2, harm="很重很重")])  # fmt: skip
    assert process_cli(inbox, config, out) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["rejected"] == 4  # precondition: his 3 rows and her 1

    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    table = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_SECTIONS, dtype=str, engine="calamine"
    )
    table = table.set_index("科室")
    assert table.loc["办公室", "退回行数"] == "1"
    assert table.loc[vocab.FEEDBACK_UNKNOWN_SECTION_DIR, "退回行数"] == "3"
    assert table.loc[vocab.ARCHIVE_TOTAL_LABEL, "退回行数"] == "4"
    cover = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_COVER, header=None, dtype=str, engine="calamine"
    )
    assert "4" in set(cover[cover[0] == "退回的数据行"][1])
    stats = pd.read_excel(
        archive, sheet_name=vocab.ARCHIVE_SHEET_STATS, header=None, dtype=str, engine="calamine"
    )
    assert vocab.FEEDBACK_UNKNOWN_SECTION_DIR not in set(stats[0])


def _column_width(ws, col: int) -> float:
    """A column's width, also when xlsxwriter wrote it in a range of equal columns (openpyxl
    keys such a range by its first letter only)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    raise AssertionError(f"column {col} has no width")


def test_a_point_taller_than_a_row_goes_on_over_continuation_rows_of_the_matrix(tmp_path):
    """防控措施矩阵 is printed for its measures: a point whose 前期预防措施 is 39 numbered
    measures (and whose 中期监控措施 is a 400-character paragraph) needs more than the 409 pt a
    row can be, so its one row printed the first ~25 lines and cut the rest off the paper.
    Now it goes on over continuation rows (「（续）」, 科室, 岗位, 姓名 and 风险点编号 said
    again), each tall enough for its text, and every measure is on the sheet."""
    result = rf.make_result(tmp_path)
    point = result.points.iloc[[0]].copy()
    measures = [f"{i}. 建立健全制度措施第{i}条，严格执行审批程序。" for i in range(1, 40)]
    paragraph = "对申请材料逐项审核把关，违反规定程序办理的及时纠正并通报，" * 14
    point["prevent"], point["monitor"] = "\n".join(measures), paragraph
    points = pd.concat([point, result.points.iloc[1:]], ignore_index=True)
    archive = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")

    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_MATRIX]
    header = [c.value for c in ws[1]]
    col = {k: header.index(v) + 1 for k, v in MATRIX_HEADERS.items()}
    width = _column_width(ws, col["prevent"])
    assert sheetxml.line_counts(["\n".join(measures)], width)[0] * styles.line_height() > 409
    first = next(
        r
        for r in range(2, ws.max_row + 1)
        if str(ws.cell(r, col["prevent"]).value).startswith("1.")
    )

    def continues(r: int) -> bool:
        cells = [str(ws.cell(r, col[k]).value or "") for k in ("prevent", "monitor")]
        return any(c.startswith(vocab.CONTINUED_MARK) for c in cells)

    block = [first, *itertools.takewhile(continues, range(first + 1, ws.max_row + 1))]
    assert len(block) > 1
    texts = {}
    for key in ("prevent", "monitor"):
        cells = [ws.cell(r, col[key]).value or "" for r in block]
        assert all(c.startswith(vocab.CONTINUED_MARK) for c in cells[1:] if c)
        texts[key] = "".join(c.removeprefix(vocab.CONTINUED_MARK) for c in cells)
        width = _column_width(ws, col[key])
        for r, text in zip(block, cells, strict=True):
            lines = sheetxml.line_counts([text], width)[0]
            assert lines * styles.line_height() + 4 <= ws.row_dimensions[r].height <= 409
    assert all(m in texts["prevent"] for m in measures)
    assert texts["monitor"] == paragraph
    for r in block[1:]:  # graded once; whose point it is said again
        assert ws.cell(r, col["level"]).value is None
        for key in ("section", "post", "name", "point_id"):
            assert ws.cell(r, col[key]).value == ws.cell(first, col[key]).value


def test_a_post_held_by_a_whole_section_prints_every_name_of_it(tmp_path):
    """A post that 200 people of one section hold (「执法队员」) names them all in one cell of
    岗位等级汇总: 1,400 characters that need far more than the 409 pt a row can be, so the
    paper showed the first ~45 names and cut the rest. Now the names go on over
    continuation rows (「（续）」, 科室 and 岗位 said again, the counts once), cut between
    names, never inside one."""
    result = rf.make_result(tmp_path)
    names = [f"执法队员{i:03d}" for i in range(200)]
    posts = result.posts.copy()
    posts.loc[0, "names"] = "、".join(names)
    archive = write_archive(dataclasses.replace(result, posts=posts), tmp_path / "out")

    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_POSTS]
    header = [c.value for c in ws[1]]
    col = {v: header.index(v) + 1 for v in header}
    name_col = col[vocab.ARCHIVE_POST_HEADERS["names"]]
    width = _column_width(ws, name_col)
    assert sheetxml.line_counts(["、".join(names)], width)[0] * styles.line_height() > 409
    post_col = col[vocab.ARCHIVE_POST_HEADERS["post"]]
    rows = [
        r for r in range(2, ws.max_row + 1) if ws.cell(r, post_col).value == posts.loc[0, "post"]
    ]
    assert len(rows) > 1
    cells = [str(ws.cell(r, name_col).value) for r in rows]
    assert all(c.startswith(vocab.CONTINUED_MARK) for c in cells[1:])
    printed = "".join(c.removeprefix(vocab.CONTINUED_MARK) for c in cells)
    assert printed == "、".join(names)
    for cell in cells:  # each row's piece is whole names
        piece = cell.removeprefix(vocab.CONTINUED_MARK).strip("、")
        assert all(name in names for name in piece.split("、")), cell
    for r, text in zip(rows, cells, strict=True):
        lines = sheetxml.line_counts([text], width)[0]
        assert lines * styles.line_height() + 4 <= ws.row_dimensions[r].height <= 409
    points_col = col[vocab.ARCHIVE_POST_HEADERS["n_points"]]
    assert ws.cell(rows[0], points_col).value == posts.loc[0, "n_points"]
    assert all(ws.cell(r, points_col).value is None for r in rows[1:])  # counted once


def test_a_point_taller_than_a_row_goes_on_over_continuation_rows_of_the_notice(tmp_path):
    """A point with 39 numbered measures and a description of 1,200 characters: Excel's rows
    end at 409 pt, so the 公示's one row printed the first 23 measures and cut the rest (and
    the description's end) off the paper. Now the point goes on over continuation rows
    (「（续）」, 科室 and 岗位 repeated), each tall enough for its text, and the whole text
    is on the sheet."""
    result = rf.make_result(tmp_path)
    point = result.points.iloc[[0]].copy()
    description = "在审核补助资金申报材料、组织项目评审和验收拨付资金过程中，" * 40 + "优亲厚友。"
    measures = [f"{i}. 建立健全制度措施第{i}条，严格执行审批程序。" for i in range(1, 40)]
    point["description"], point["prevent"] = description, "\n".join(measures)
    points = pd.concat([point, result.points.iloc[1:]], ignore_index=True)
    archive = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")

    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_NOTICE]
    header = [c.value for c in ws[2]]
    col = {k: header.index(v) + 1 for k, v in NOTICE_HEADERS.items()}
    rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, col["post"]).value]
    first = next(r for r in rows if str(ws.cell(r, col["description"]).value).startswith("在审核"))

    def continues(r: int) -> bool:
        cells = [str(ws.cell(r, col[k]).value or "") for k in ("description", "measures")]
        return any(c.startswith(vocab.CONTINUED_MARK) for c in cells)

    block = [first, *itertools.takewhile(continues, range(first + 1, ws.max_row + 1))]
    assert len(block) > 1
    texts = {}
    for key in ("description", "measures"):
        cells = [ws.cell(r, col[key]).value or "" for r in block]
        assert all(c.startswith(vocab.CONTINUED_MARK) for c in cells[1:] if c)
        texts[key] = "".join(c.removeprefix(vocab.CONTINUED_MARK) for c in cells)
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(col[key])].width
        for r, text in zip(block, cells, strict=True):
            lines = sheetxml.line_counts([text], width)[0]
            assert lines * styles.line_height() + 4 <= ws.row_dimensions[r].height <= 409
    assert texts["description"] == description
    assert all(m in texts["measures"] for m in measures)
    for r in block[1:]:  # graded and counted once; its place said again
        assert ws.cell(r, col["level"]).value is None
        assert ws.cell(r, col["section"]).value == ws.cell(first, col["section"]).value
