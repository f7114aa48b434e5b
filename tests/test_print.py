"""Paper: what a section or the commission prints, rendered by LibreOffice as a user would.

One module-scoped render (the archive's PDF is the pipeline's own; one LibreOffice start for
a feedback workbook, the three templates and a calibration sheet). Asserted from the PDFs:
no page's text is smaller than 8 pt, and every cell's text is on paper (LibreOffice does not
draw the lines a row is too short for, so a clipped cell loses its last line)."""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from pipeline import printing, run, styles, templates, vocab
from tests.conftest import make_demo

pytestmark = pytest.mark.skipif(
    printing.soffice() is None or __import__("shutil").which("pdftotext") is None,
    reason="LibreOffice or poppler not installed",
)

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
CALIBRATION = "calibration.xlsx"


def _calibration(path: Path) -> None:
    """One line of 8 pt 宋体 at 100 %: the word height that 8 pt text gives in this PDF."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("8pt")
    ws.set_column(0, 0, 40)
    ws.write_string(0, 0, "八磅文字 ABC 2026", wb.add_format({"font_name": "宋体", "font_size": 8}))
    ws.set_paper(9)
    wb.close()


def _pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in found]
        for found in (WORD.findall(page) for page in out.split("<page ")[1:])
    ]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _printed_text(pages: list) -> str:
    """The PDF's text read down each table column: words grouped by their left edge, centre
    and right edge (left-aligned, centred and right-aligned cells), with and without joining
    words on one line, each group top to bottom; plus the plain text."""
    groups: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
    plain = []
    for n, page in enumerate(pages):
        rows: dict[int, list] = defaultdict(list)
        for word in page:
            rows[round(word[3])].append(word)
            plain.append(word[4])
        for y, words in rows.items():
            words.sort()
            pieces = [(w[0], w[2], w[4]) for w in words]
            joined: list[tuple[float, float, str]] = []
            for x0, x1, text in pieces:
                size = words[0][3] - words[0][1]
                if joined and x0 - joined[-1][1] < 0.32 * size:
                    joined[-1] = (joined[-1][0], x1, joined[-1][2] + text)
                else:
                    joined.append((x0, x1, text))
            for kind, items in (("w", pieces), ("j", joined)):
                for x0, x1, text in items:
                    for edge, x in (("l", x0), ("c", (x0 + x1) / 2), ("r", x1)):
                        groups[(kind, edge, n, round(x))].append((y, text))
    columns = ["".join(t for _, t in sorted(g)) for g in groups.values()]
    return "\0".join([*columns, "".join(plain)])


def _on_paper(value: str, printed: str) -> bool:
    """The whole text, or (when neighbouring cells interleave with it) its first and last
    characters: a clipped cell loses its last line."""
    text = _norm(value)
    if text in printed:
        return True
    return text[:4] in printed and text[-4:] in printed


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("print")
    make_demo(root, people=24, seed=7, error_rate=0.3)
    out = root / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv(printing.PDF_ENV, "1")
    try:
        result = run.process(root / "inbox", root / "config", out, run_time="2026-04-01T09:00:00")
    finally:
        mp.undo()
    archive = next(out.glob("*.xlsx"))
    feedback = max((out / vocab.FEEDBACK_DIR).glob("*/*_反馈.xlsx"), key=lambda p: p.stat().st_size)
    forms = templates.write_templates(root / "templates")
    _calibration(root / CALIBRATION)
    rendered = printing.render_pdfs([feedback, *forms, root / CALIBRATION], root / "pdf")
    assert len(rendered) == len(forms) + 2
    pdfs = {p.stem: p for p in rendered}
    books = {
        "archive": (archive, printing.pdf_path(archive)),
        "feedback": (feedback, pdfs[feedback.stem]),
        **{f.stem: (f, pdfs[f.stem]) for f in forms},
        "calibration": (root / CALIBRATION, pdfs[Path(CALIBRATION).stem]),
    }
    assert len(result.points) > 0
    return books


def test_the_run_writes_a_pdf_beside_the_archive(printed):
    archive, pdf = printed["archive"]
    assert pdf.parent == archive.parent and pdf.name == archive.stem + ".pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not list(archive.parent.glob(".tmp-*")) and not list(archive.parent.glob("lz-pdf-*"))


PRINTED = ["archive", "feedback", *(Path(n).stem for n in templates.TEMPLATE_FILES.values())]
PRINTED.append(Path(templates.ROSTER_TEMPLATE_FILE).stem)


@pytest.mark.parametrize("name", PRINTED)
def test_no_page_prints_text_below_8_pt(printed, name):
    calibration = _pages(printed["calibration"][1])
    eight_pt = min(w[3] - w[1] for page in calibration for w in page)
    pages = _pages(printed[name][1])
    assert pages
    for number, page in enumerate(pages, start=1):
        assert page, f"page {number} is empty"
        smallest = min(w[3] - w[1] for w in page)
        assert smallest >= eight_pt * 0.98, (name, number, smallest / eight_pt * 8)


@pytest.mark.parametrize("name", PRINTED)
def test_no_cell_text_is_cut_on_paper(printed, name):
    workbook, pdf = printed[name]
    on_paper = _printed_text(_pages(pdf))
    wb = openpyxl.load_workbook(workbook)
    missing = [
        (ws.title, cell.coordinate, cell.value)
        for ws in wb.worksheets
        if ws.sheet_state == "visible"
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and cell.value.strip()
        and not _on_paper(cell.value, on_paper)
    ]
    assert not missing, missing[:5]


def test_every_description_and_issue_text_of_the_run_is_in_the_archive_pdf(printed):
    archive, pdf = printed["archive"]
    on_paper = _printed_text(_pages(pdf))
    wb = openpyxl.load_workbook(archive, read_only=True)
    issues = list(wb[vocab.ARCHIVE_SHEET_ISSUES].iter_rows(values_only=True))
    header = issues[0]
    wanted = [
        row[header.index(vocab.ISSUE_COLUMNS[key])]
        for row in issues[1:]
        for key in ("value", "problem", "fix")
    ]
    catalogue = list(wb[vocab.ARCHIVE_SHEET_CATALOGUE].iter_rows(values_only=True))
    col = catalogue[0].index(vocab.CATALOGUE_COLUMNS["description"])
    wanted += [row[col] for row in catalogue[1:]]
    texts = [t for t in wanted if isinstance(t, str) and t.strip()]
    assert len(texts) > 20  # the precondition: real descriptions and issue texts
    assert [t for t in texts if not _on_paper(t, on_paper)] == []


def test_no_soffice_means_no_pdf_and_a_log_line(tmp_path, monkeypatch, caplog):
    book = tmp_path / "档案.xlsx"
    book.write_bytes(b"not rendered")
    stale = printing.pdf_path(book)
    stale.write_bytes(b"%PDF old")  # a PDF of an older archive must not stay beside it
    monkeypatch.setenv(printing.PDF_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with caplog.at_level(logging.INFO, logger="pipeline.printing"):
        assert printing.archive_pdf(book, 10) is None
    assert not stale.exists()
    assert "soffice" in caplog.text


def test_print_scales_keep_8_pt(printed):
    wb = openpyxl.load_workbook(printed["feedback"][0])
    for ws in wb.worksheets:
        scale = int(ws.page_setup.scale or 100)
        assert scale * styles.FONT_SIZE / 100 >= styles.MIN_PRINTED_PT, ws.title


def test_the_archive_statistics_print_on_one_page(printed):
    """统计 (tables and both charts) is one sheet of paper for a body of a few sections: no
    second page holding only the bottom edge of a chart."""
    _, pdf = printed["archive"]
    pages = _pages(pdf)
    # the page header names the sheet at the top of every page it prints on
    stats = [
        page for page in pages if any(w[4] == vocab.ARCHIVE_SHEET_STATS and w[3] < 60 for w in page)
    ]
    assert stats, "the 统计 sheet is printed"
    assert len(stats) == 1


def _page_of(heights: list[float], title: float, scale: int, breaks=frozenset()) -> list[int]:
    """The page each row prints on, by the page's full height at ``scale`` (LibreOffice
    breaks pages so), ``title`` the repeated header row's height."""
    room = (595.28 - (styles.MARGIN_TOP + styles.MARGIN_BOTTOM) * 72) * 100 / scale
    used, page, pages = 0.0, 1, []
    for r, height in enumerate(heights, start=1):
        if (used + height > room and used > title) or r - 1 in breaks:
            page, used = page + 1, title
        used += height
        pages.append(page)
    return pages


def _notice_rows(archive: Path) -> tuple[list[float], int, set[int], int]:
    """The 公示's row heights, print scale, manual breaks and the row of its last point."""
    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_NOTICE]
    heights = [
        ws.row_dimensions[r].height or styles.DEFAULT_ROW_HEIGHT for r in range(1, ws.max_row + 1)
    ]
    last_point = max(r for r in range(3, ws.max_row + 1) if ws.cell(r, 4).value)
    breaks = {b.id for b in ws.row_breaks.brk}
    return heights, int(ws.page_setup.scale or 100), breaks, last_point


def test_the_notice_closing_lines_print_when_they_begin_a_page(tmp_path):
    """After 300 risk points of one section the 公示's closing lines (公示期 text, signature)
    were not in the PDF: LibreOffice left out the last page, which held only them. A manual
    page break before them makes it print that page."""
    from pipeline.write_archive import write_archive
    from tests import result_factory as rf

    result = rf.make_result(tmp_path)
    texts = result.points[["description", "prevent", "monitor", "handle"]].astype(str)
    short = result.points[texts.apply(lambda c: c.str.len()).max(axis=1) < 60].iloc[[0]]
    tall = short.copy()  # a row near Excel's greatest height (409 pt), as in that archive
    tall["description"] = "在干部推荐、考察、公示、任用各环节中，" * 23
    tall["prevent"] = "\n".join(f"{i}. 严格执行干部选拔任用条例第{i}条的规定。" for i in range(20))
    four = short.copy()  # a fourth line of measures: a taller row
    four["prevent"] = "建立审批登记制度。\n定期抽查。"

    def archive_of(n_short: int, n_four: int, name: str) -> Path:
        points = pd.concat([tall, *[short] * n_short, *[four] * n_four], ignore_index=True)
        return write_archive(dataclasses.replace(result, points=points), tmp_path / name)

    heights, scale, _, first = _notice_rows(archive_of(1, 1, "kinds"))
    top, (h_tall, h_short, h_four), tail = heights[: first - 3], heights[2:5], heights[first:]
    assert h_short != h_four and h_tall > 300
    # over 10 pages (no nudge of the scale), the counts that put the closing lines' first
    # row (the blank one under the table) at the top of a page
    counts = next(
        (s, f)
        for s in range(100, 140)
        for f in range(12)
        if len(
            {
                *_page_of([*top, h_tall, *[h_short] * s, *[h_four] * f, *tail], top[1], scale)[
                    -len(tail) - 1 : -len(tail) + 1
                ]
            }
        )
        == 2
    )
    archive = archive_of(*counts, "spilled")
    heights, scale, breaks, last_point = _notice_rows(archive)
    pages = _page_of(heights, heights[1], scale)
    assert pages[last_point] > pages[last_point - 1]  # the precondition, in the written sheet
    pdf = printing.render_pdfs([archive], tmp_path / "pdf")[0]
    printed = _norm("".join(w[4] for page in _pages(pdf) for w in page))
    assert _norm(vocab.ARCHIVE_NOTICE_FOOTER) in printed
    assert _norm(f"{rf.BODY}廉政风险防控工作领导小组办公室") in printed
    assert breaks == {last_point + 1}  # a manual break before the closing text


def test_the_statistics_of_a_body_with_a_long_section_name_print_on_one_page(tmp_path):
    """A section named in 24 characters: its taller row in 统计's table pushed the category
    chart (anchored at a row) onto a second page, and LibreOffice turned the level chart's
    labels on their side (the plot squeezed, its text at 7.2 pt)."""
    from pipeline.write_archive import write_archive
    from tests import result_factory as rf

    long_name = "妇女儿童权益保障与家庭教育指导服务中心综合协调科"
    result = rf.make_result(tmp_path)
    points = result.points.copy()
    points.loc[points["section"] == rf.SECTION_OFFICE, "section"] = long_name
    archive = write_archive(dataclasses.replace(result, points=points), tmp_path / "out")
    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_STATS]
    assert long_name in [c.value for c in ws["A"]]  # the precondition
    _calibration(tmp_path / CALIBRATION)
    pdfs = printing.render_pdfs([archive, tmp_path / CALIBRATION], tmp_path / "pdf")
    eight_pt = min(w[3] - w[1] for page in _pages(pdfs[1]) for w in page)
    stats = [
        page
        for page in _pages(pdfs[0])
        if any(w[4] == vocab.ARCHIVE_SHEET_STATS and w[3] < 60 for w in page)
    ]
    assert len(stats) == 1
    assert min(w[3] - w[1] for w in stats[0]) >= eight_pt * 0.98


def test_the_annotated_copy_of_a_csv_form_prints_its_columns_on_one_page_readably(tmp_path):
    """The copy of a .csv form (rebuilt as .xlsx) had no look of its own: 11 columns of the
    default width, text cut at each cell's edge (「受人情影响」 of a long 风险点描述), portrait,
    the measures on a second page across. Rebuilt web tables and 2003 XML copies were
    fit-to-width, which can go far below 8 pt. Now they share widths that fit, wrapped text
    and an explicit scale: one page wide at 8 pt or more."""
    import csv

    from tests.builders import write_config
    from tests.conftest import process_cli

    config = write_config(
        tmp_path,
        [("领导班子", "陈主席", "主席", "领导班子正职", False),
         ("办公室", "张三", "科员", "一般管理服务", True)],
        [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")],
    )  # fmt: skip
    description = "受人情影响推荐不符合条件的人员，造成不良社会影响，损害妇联组织形象。"
    labels = [vocab.COLUMN_LABELS[k] for k in ("seq", "step", "category", "description")]
    labels += [vocab.COLUMN_LABELS[k] for k in ("likelihood", "harm", "self_level")]
    labels += [vocab.COLUMN_LABELS[k] for k in ("prevent", "monitor", "handle", "remark")]
    header = [vocab.HEADER_LABELS[k] for k in ("section", "name", "post", "date")]
    rows = [
        [vocab.FORM_TITLES[vocab.INDIVIDUAL]],
        [header[0], "办公室", "", header[1], "张三", header[2], "科员", "", header[3], "2026-03-10"],
        labels,
        *[
            [i, f"公文处理{i}", "岗位职责风险", description, "很多" if i == 1 else "中", "较重",
             "二级", "严格执行公文管理制度，落实登记。", "定期检查公文流转登记。",
             "发现泄密按规定追究责任。", ""]
            for i in range(1, 6)
        ],
    ]  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with open(inbox / "张三.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    assert process_cli(inbox, config, tmp_path / "out") == 0
    (copy,) = (tmp_path / "out" / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    _calibration(tmp_path / CALIBRATION)
    pdf, calibration = printing.render_pdfs([copy, tmp_path / CALIBRATION], tmp_path / "pdf")
    eight_pt = min(w[3] - w[1] for page in _pages(calibration) for w in page)
    table = openpyxl.load_workbook(copy).worksheets[0]
    assert table["E4"].comment is not None  # the precondition: the bad cell is marked
    first, *_ = _pages(pdf)
    words = {w[4] for w in first}
    assert {labels[0], labels[-1], labels[-2]} <= words  # every column on the first page
    assert min(w[3] - w[1] for w in first) >= eight_pt * 0.98
    assert _norm(description) in _printed_text([first])


def test_the_guide_prints_on_two_pages_without_a_page_of_leftover_lines(tmp_path):
    """填表说明 is two pages (how to fill; grading, supervision and deadlines). In the
    individual form the post-type names wrapped in their 12-unit column, their rows took two
    lines each, and the deadline table's last two rows and its note printed on a third page
    of their own."""
    forms = [
        p for p in templates.write_templates(tmp_path / "templates") if p.stem in TEMPLATE_STEMS
    ]
    pdfs = printing.render_pdfs(forms, tmp_path / "pdf")
    assert len(pdfs) == len(TEMPLATE_STEMS)
    first_heading = _norm(vocab.GUIDE_HEADINGS[0])
    for pdf in pdfs:
        texts = [_norm("".join(w[4] for w in page)) for page in _pages(pdf)]
        start = next(n for n, text in enumerate(texts) if first_heading in text)
        guide = texts[start:]
        assert _norm(vocab.GUIDE_DEADLINE_NOTE) in "".join(guide)  # the precondition
        assert len(guide) == 2, (pdf.name, [t[:30] for t in guide])


TEMPLATE_STEMS = {Path(n).stem for n in templates.TEMPLATE_FILES.values()}


LIST_OF_RISKS = next(
    iter(Path("/work/shared/corpus/public/luanshenhui+java").rglob("List_of_risks.xlsx")), None
)


@pytest.mark.skipif(LIST_OF_RISKS is None, reason="corpus not present")
@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_the_notes_list_of_an_annotated_copy_prints_at_8_pt(tmp_path, monkeypatch, patched):
    """A real 纪检 风险清单 template (its Normal font smaller than ours) annotated: the copy's
    last sheet 批注清单 (16 + 8 + 70 units) was portrait and fit-to-width, which LibreOffice
    printed at 7.4 pt. It is landscape now, where its columns fit at 100 %."""
    from pipeline import annotate
    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy

    source = tmp_path / "inbox" / "List_of_risks.xlsx"
    source.parent.mkdir()
    shutil.copyfile(LIST_OF_RISKS, source)
    sheet = openpyxl.load_workbook(source).sheetnames[0]
    notes = tuple(
        Annotation(sheet, f"A{r}", vocab.ACTION_REJECT, "「风险等级」没有填写。" * 3, "请填写。")
        for r in range(3, 9)
    )
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    copy = tmp_path / "out" / "List_of_risks_批注.xlsx"
    task = AnnotateTask(
        str(source), str(copy), ".xlsx", sheet, notes, 100 * 2**20, inbox=str(source.parent)
    )
    assert annotate_copy(task)
    assert openpyxl.load_workbook(copy).sheetnames[-1] == vocab.COPY_NOTES_SHEET
    _calibration(tmp_path / CALIBRATION)
    pdf, calibration = printing.render_pdfs([copy, tmp_path / CALIBRATION], tmp_path / "pdf")
    eight_pt = min(w[3] - w[1] for page in _pages(calibration) for w in page)
    listed = [p for p in _pages(pdf) if any(w[4] == vocab.COPY_NOTES_HEADERS[2] for w in p)]
    assert listed  # the precondition: the list is printed
    for page in listed:
        assert min(w[3] - w[1] for w in page) >= eight_pt * 0.98


@pytest.fixture(scope="module")
def filled_form_xls_ods(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The individual template, filled, saved by LibreOffice as .xls and as .ods."""
    folder = tmp_path_factory.mktemp("xls_ods")
    form = next(
        p for p in templates.write_templates(folder / "t") if p.stem == vocab.SHEET_INDIVIDUAL
    )
    wb = openpyxl.load_workbook(form)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    ws["B2"], ws["E2"], ws["G2"], ws["J2"] = "办公室", "张三", "科员", "2026-03-10"
    row = [1, "公文处理", "岗位职责风险", "未按规定登记审批，擅自用印。", "很多", "较重", "二级",
           "严格执行公文管理制度。", "定期检查。", "追究责任。", "无"]  # fmt: skip
    for c, value in enumerate(row, start=1):
        ws.cell(4, c, value)
    source = folder / "张三.xlsx"
    wb.save(source)
    out = {}
    with tempfile.TemporaryDirectory(prefix="lz-test-lo-") as profile:
        for ext in ("xls", "ods"):
            subprocess.run(
                [printing.soffice(), f"-env:UserInstallation={Path(profile).as_uri()}",
                 "--headless", "--convert-to", ext, "--outdir", str(folder), str(source)],
                check=True, capture_output=True, timeout=180,
            )  # fmt: skip
            out[ext] = folder / f"张三.{ext}"
    return out


@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_the_annotated_copy_of_an_xls_or_ods_form_prints_one_page_wide(
    filled_form_xls_ods, tmp_path, ext
):
    """The template saved as .xls (or .ods) prints its 11 columns one page wide, landscape.
    Its annotated copy is rebuilt (values, widths, borders, fonts) but had no page setup:
    portrait at 100 %, the columns over three pages across, no page numbers; its Normal font
    (Calibri 11) also made LibreOffice print every kept width ~20 % wider. Now the copy is
    A4 landscape at a scale where its columns fit, its text at 8 pt or more."""
    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy

    source = filled_form_xls_ods[ext]
    copy = tmp_path / f"张三_{ext}_批注.xlsx"
    note = Annotation(
        vocab.SHEET_INDIVIDUAL, "E4", vocab.ACTION_REJECT, "「很多」不在可选范围内。", "请选择。"
    )
    task = AnnotateTask(
        str(source), str(copy), f".{ext}", vocab.SHEET_INDIVIDUAL, (note,), 100 * 2**20,
        inbox=str(source.parent),
    )  # fmt: skip
    assert annotate_copy(task)
    assert openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]["E4"].comment is not None
    _calibration(tmp_path / CALIBRATION)
    pdf, calibration = printing.render_pdfs([copy, tmp_path / CALIBRATION], tmp_path / "pdf")
    eight_pt = min(w[3] - w[1] for page in _pages(calibration) for w in page)
    first = _pages(pdf)[0]
    words = {w[4] for w in first}
    first_label, last_label = vocab.COLUMN_LABELS["seq"], vocab.COLUMN_LABELS["remark"]
    assert {first_label, last_label, "很多"} <= words  # every column on the first page
    assert min(w[3] - w[1] for w in first) >= eight_pt * 0.98
    assert any(w[4] == "第" for w in first)  # the page number


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_the_copy_of_a_form_with_no_print_setup_prints_on_a4_with_its_header_on_every_page(
    tmp_path, monkeypatch, patched
):
    """A form written by a script or a web export (xlsxwriter here) has no print setup: its
    copy printed portrait on Letter, the 11 columns on pages across, no page numbers, the
    table header on the first page only, and the 填表日期 (a date in a column of the default
    width) as ###. The copy now prints as the tool's own sheets do: A4 landscape, every
    column on the page at 8 pt or more, the header on every page, page numbers, the date."""
    from pipeline import annotate
    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy
    from tests.forms import sample_row, write_form

    source = write_form(
        tmp_path / "inbox" / "张三.xlsx",
        rows=[sample_row(i, likelihood="很多" if i == 1 else "中") for i in range(1, 41)],
    )
    sheet = vocab.SHEET_INDIVIDUAL
    original = openpyxl.load_workbook(source)[sheet]
    assert original.page_setup.orientation is None and not original.print_title_rows
    assert original["K2"].is_date and "K" not in original.column_dimensions  # the precondition
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    copy = tmp_path / "out" / "张三_批注.xlsx"
    note = Annotation(sheet, "E4", vocab.ACTION_REJECT, "「很多」不在可选范围内。", "请选择。")
    task = AnnotateTask(
        str(source), str(copy), ".xlsx", sheet, (note,), 100 * 2**20, inbox=str(source.parent)
    )
    assert annotate_copy(task)
    assert openpyxl.load_workbook(copy)[sheet]["E4"].comment is not None
    _calibration(tmp_path / CALIBRATION)
    pdf, calibration = printing.render_pdfs([copy, tmp_path / CALIBRATION], tmp_path / "pdf")
    eight_pt = min(w[3] - w[1] for page in _pages(calibration) for w in page)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info.stdout)  # A4 landscape
    pages = [p for p in _pages(pdf) if any("公文处理" in w[4] for w in p)]
    assert len(pages) >= 2  # the precondition: the table goes on over pages
    first_label, last_label = vocab.COLUMN_LABELS["seq"], vocab.COLUMN_LABELS["remark"]
    for page in pages:
        words = {w[4] for w in page}
        assert {first_label, last_label} <= words  # every column, the header on each page
        assert "第" in words  # the page number
        assert min(w[3] - w[1] for w in page) >= eight_pt * 0.98
    first = " ".join(w[4] for w in pages[0])
    assert "2026-03-10" in first and "###" not in first


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "openpyxl"])
def test_the_copy_keeps_the_print_setup_of_a_form_that_has_one(tmp_path, monkeypatch, patched):
    """A form the sender set up for paper (portrait, 85 %, its own margins and header rows)
    keeps that setup in its copy: only the comments are set to print at the end."""
    from pipeline import annotate
    from pipeline.annotate import AnnotateTask, Annotation, annotate_copy
    from tests.forms import form_grid

    source = tmp_path / "inbox" / "张三.xlsx"
    source.parent.mkdir()
    wb = xlsxwriter.Workbook(str(source))
    ws = wb.add_worksheet(vocab.SHEET_INDIVIDUAL)
    for r, row in enumerate(form_grid()):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    ws.set_portrait()
    ws.set_paper(1)
    ws.set_print_scale(85)
    ws.set_margins(left=1.0, right=1.0)
    wb.close()
    if not patched:
        monkeypatch.setattr(annotate, "PATCH_EXTS", frozenset())
    copy = tmp_path / "out" / "张三_批注.xlsx"
    note = Annotation(vocab.SHEET_INDIVIDUAL, "E4", vocab.ACTION_REJECT, "问题。", "请修改。")
    task = AnnotateTask(
        str(source), str(copy), ".xlsx", vocab.SHEET_INDIVIDUAL, (note,), 100 * 2**20,
        inbox=str(source.parent),
    )  # fmt: skip
    assert annotate_copy(task)
    kept = openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]
    assert kept["E4"].comment is not None  # the precondition: the copy is annotated
    setup = kept.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("portrait", 1, 85)
    assert kept.page_margins.left == 1.0 and not kept.print_title_rows
