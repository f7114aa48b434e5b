"""Web tables saved as .xls (what OA systems and other web exports send, and Excel opens): read
as the sheet Excel shows, colspan/rowspan as merged cells; a web page without a table is still
refused as 网页文件; the annotated copy is a workbook of the same cells."""

from __future__ import annotations

import quopri
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline import annotate, config, vocab
from pipeline.workbook.guard import Refused
from pipeline.workbook.html import html_grid
from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
from tests.conftest import process_cli

LIMITS = config.default_settings().limits
# the individual form's table header, as the template has it
COLUMNS = [vocab.COLUMN_LABELS[k] for k in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]]


def web_form(name: str, rows: list[list[str]], charset: str = "utf-8") -> bytes:
    """An individual form as a web system exports it: one <table>, a title over every column
    (colspan), the header block, the table; styles in <head> as Excel's web format has."""
    cells = lambda row, tag="td": "".join(f"<{tag}>{v}</{tag}>" for v in row)
    page = [
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        "<style>td {mso-number-format:'\\@'; border: .5pt solid windowtext}</style></head>",
        "<body><table border=1>",
        f'<tr><td colspan="{len(COLUMNS)}"><b>个人廉政风险自查表</b></td></tr>',
        "<tr>"
        + cells(["科室", "家庭儿童工作部", "姓名", name, "岗位（职务）", "儿童工作干事"])
        + cells(["填表日期", "2026年3月10日"])
        + "</tr>",
        f"<tr>{cells(COLUMNS, 'th')}</tr>",
        *(f"<tr>{cells(r)}</tr>" for r in rows),
        "</table></body></html>",
    ]
    return "\n".join(page).encode("gb18030" if charset != "utf-8" else "utf-8")


ROW = [
    "1",
    "儿童之家项目审核",
    "业务流程风险",
    "审核不严，<br>向关系单位倾斜",
    "中",
    "较重",
    "二级",
]
ROW += ["公开&nbsp;申报条件", "集体评审", "实地验收", ""]


def archive(out: Path) -> dict[str, pd.DataFrame]:
    (book,) = out.glob("*_廉政风险信息档案.xlsx")
    return pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)


def test_the_grid_of_a_web_table_has_its_spans_as_merged_cells() -> None:
    page = (
        b"<table><tr><td colspan=3>T</td></tr>"
        b"<tr><td rowspan=2>A</td><td>b1</td><td>c1</td></tr>"
        b"<tr><td>b2</td><td>c2<br/>second line</td></tr></table>"
    )
    grid, merges = html_grid(page, LIMITS, "t")
    assert grid == [["T"], ["A", "b1", "c1"], ["", "b2", "c2\nsecond line"]]
    assert merges == [(0, 0, 0, 2), (1, 0, 2, 0)]  # 0-based, inclusive, as every reader's


def test_a_span_beyond_the_limits_is_refused_not_allocated() -> None:
    page = b'<table><tr><td colspan="99999999" rowspan="99999999">x</td><td>y</td></tr></table>'
    try:
        html_grid(page, LIMITS, "t")
    except Refused as exc:
        assert exc.code == "too_many_cells"
    else:
        raise AssertionError("a row wider than the column limit was read")


def test_web_exports_saved_as_xls_are_read_as_forms(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "丁玲.xls").write_bytes(web_form("丁玲", [ROW]))
    other = [ROW[0], "物资发放", *ROW[2:]]  # another 职权事项: not merged with 丁玲's
    (inbox / "范彩兰.xls").write_bytes(web_form("范彩兰", [other], charset="gb2312"))
    utf16 = web_form("闫红", [[ROW[0], "儿童之家建设", *ROW[2:]]]).decode("utf-8")
    (inbox / "闫红.xls").write_bytes(utf16.replace("utf-8", "utf-16").encode("utf-16"))
    (inbox / "通知.xls").write_bytes("<html><body><p>请各科室报送自查表</p></body></html>".encode())
    (inbox / "空表.xls").write_bytes(b"<html><table></table></html>")  # a table, no cell
    assert (inbox / "范彩兰.xls").read_bytes().startswith(b"<html")  # the precondition
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].set_index("姓名")
    for person in ("丁玲", "范彩兰", "闫红"):
        point = catalogue.loc[person]
        assert point["风险点描述"] == "审核不严，\n向关系单位倾斜"  # <br> is a line break
        assert point["前期预防措施"] == "公开 申报条件"  # &nbsp; is a space
        assert (point["发生几率"], point["危害程度"], point["评定等级"]) == ("中", "较重", "二级")
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    for page in ("通知.xls", "空表.xls"):
        notice = issues[issues["文件"] == page]
        assert notice["处理"].tolist() == [vocab.ACTION_REJECT]
        assert notice["问题"].tolist() == ["这不是 Excel 表格文件（网页文件），未读取。"]
    legacy = issues[issues["问题"].str.contains("网页表格")]
    assert sorted(legacy["文件"]) == ["丁玲.xls", "范彩兰.xls", "闫红.xls"]
    assert (legacy["处理"] == vocab.ACTION_NOTE).all()


def test_a_form_saved_as_a_web_page_is_read(tmp_path: Path) -> None:
    """A form saved by Excel or WPS as 「网页」 (.htm/.html) and mailed so: it was 退回
    「这不是 Excel 表格文件（网页文件）」 though Excel opens it as the same sheet. A page that
    holds no form (a saved mail of layout tables, a notice) is still a web page."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    excel_head = (
        b'<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        b'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<!--[if gte mso 9]><xml>'
        b"<x:ExcelWorkbook></x:ExcelWorkbook></xml><![endif]-->\n"
    )
    (inbox / "丁玲.htm").write_bytes(excel_head + web_form("丁玲", [ROW]).split(b"\n", 1)[1])
    (inbox / "范彩兰.html").write_bytes(web_form("范彩兰", [[ROW[0], "物资发放", *ROW[2:]]]))
    mail = "<html><body><table><tr><td>各位好：</td></tr><tr><td>附件是自查表。</td></tr></table>"
    (inbox / "邮件正文.html").write_text(mail + "</body></html>", encoding="utf-8")
    (inbox / "通知.htm").write_text("<html><body><p>请报送</p></body></html>", encoding="utf-8")
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert sorted(catalogue["来源文件"]) == ["丁玲.htm", "范彩兰.html"]
    assert set(catalogue["风险点描述"]) == {"审核不严，\n向关系单位倾斜"}
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("").set_index("文件")
    for page in ("邮件正文.html", "通知.htm"):
        assert issues.loc[page, "问题"] == "这不是 Excel 表格文件（网页文件），未读取。"
    legacy = issues[issues["问题"].str.contains("另存为网页")]
    assert sorted(legacy.index) == ["丁玲.htm", "范彩兰.html"]
    assert (legacy["处理"] == vocab.ACTION_NOTE).all()


def test_the_annotated_copy_of_a_web_table_marks_the_bad_cell(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    bad = list(ROW)
    bad[4] = "说不准"  # 发生几率: not a value
    (inbox / "丁玲.xls").write_bytes(web_form("丁玲", [bad]))
    assert process_cli(inbox, cfg, out) == 0
    copy = out / "科室反馈" / "家庭儿童工作部" / "丁玲_批注.xlsx"
    assert copy.exists()
    ws = openpyxl.load_workbook(copy).active
    assert ws["E4"].value == "说不准" and ws["D4"].value == "审核不严，\n向关系单位倾斜"
    assert ws["E4"].comment is not None and "发生几率" in ws["E4"].comment.text
    assert ws["E4"].fill.fill_type == "solid"
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}  # the title's colspan
    # it prints as a table: 职权事项 wide enough for its text, the two-line row tall enough
    # (narrowed, as far as GRID_NARROWEST, so that the 11 columns are one page wide)
    assert ws.column_dimensions["B"].width >= annotate.GRID_NARROWEST
    assert ws.row_dimensions[4].height >= 2 * 14
    # an explicit scale (fit-to-width could print far below 8 pt): 11 pt text at 8 pt or more
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.scale * 11 / 100 >= 8


def _libreoffice_page(sheets: dict[str, str]) -> bytes:
    """A workbook as LibreOffice saves it as a web page (HTML Document (Calc)): an overview
    of links, then each sheet's table under a heading 「Sheet N: <em>name</em>」."""
    links = "".join(f'<A HREF="#table{i}">{name}</A><br>' for i, name in enumerate(sheets))
    body = "".join(
        f'<A NAME="table{i}"><h1>Sheet {i + 1}: <em>{name}</em></h1></A>'
        f'<table cellspacing="0" border="0">{table}</table>'
        for i, (name, table) in enumerate(sheets.items())
    )
    head = '<meta http-equiv="content-type" content="text/html; charset=utf-8"/>'
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body><hr><p><center><h1>Overview</h1>"
        f"{links}</center></p><hr>{body}</body></html>"
    ).encode()


def test_a_workbook_saved_as_a_web_page_reads_each_sheet_as_its_own(tmp_path: Path) -> None:
    """LibreOffice saves every sheet of a workbook into one web page: the pledge and the
    填表说明 after the form are their own sheets, not rows of the form to send back."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    form = web_form(
        "丁玲", [ROW, [*ROW[:1], "物资发放", "业务流程风险", "虚报", "说不准", *ROW[5:]]]
    )
    form_table = form.decode().split("<table border=1>")[1].split("</table>")[0]
    rows = lambda grid: "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in grid
    )
    pledge = rows(
        [
            ["廉政承诺书"],
            ["序号", "承诺事项"],
            ["1", "严格遵守廉洁自律各项规定"],
            ["2", "不利用职务之便谋取私利"],
            ["承诺人", "丁玲"],
            ["承诺日期", "2026年3月10日"],
        ]
    )
    guide = rows([["等级", "说明"], ["一级", "风险度最高"], ["二级", "风险度较高"]])
    page = _libreoffice_page(
        {"个人廉政风险自查表": form_table, "廉政承诺书": pledge, "填表说明": guide}
    )
    (inbox / "丁玲.xls").write_bytes(page)
    assert page.count(b"<table") == 3 and page.count(b"<em>") == 3  # the precondition
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue["来源文件"].tolist() == ["丁玲.xls"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    sent_back = issues[(issues["文件"] == "丁玲.xls") & (issues["处理"] == vocab.ACTION_REJECT)]
    # the one bad row of the form is sent back, at its cell on the form's sheet; nothing of
    # the pledge or the guide is a risk point
    assert sent_back[["工作表", "单元格", "字段"]].values.tolist() == [
        ["个人廉政风险自查表", "E5", "发生几率"]
    ]
    pledges = sheets[vocab.ARCHIVE_SHEET_PLEDGES].set_index("姓名")
    assert pledges.loc["丁玲", "承诺事项数"] == "2"
    copy = out / "科室反馈" / "家庭儿童工作部" / "丁玲_批注.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[:3] == ["个人廉政风险自查表", "廉政承诺书", "填表说明"]
    ws = wb["个人廉政风险自查表"]
    assert ws["E5"].value == "说不准" and "发生几率" in ws["E5"].comment.text


def _web_archive(pages: dict[str, bytes]) -> bytes:
    """A workbook as Excel saves it as 「单个文件网页」 (.mht): a MIME message whose frame
    page names each sheet and the part that holds it (quoted-printable, GB 2312)."""
    boundary = "----=_NextPart_01DA0000.12345678"
    sheets = "".join(
        f"<x:ExcelWorksheet><x:Name>{name}</x:Name>"
        f'<x:WorksheetSource HRef="book.files/sheet{i:03}.htm"/></x:ExcelWorksheet>'
        for i, name in enumerate(pages, 1)
    )
    frame = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta http-equiv=Content-Type content="text/html; charset=gb2312">'
        f"<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets>{sheets}"
        "</x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]--></head>"
        '<frameset rows="*,39"><frame src="book.files/sheet001.htm" name="frSheet"></frameset>'
        "</html>"
    ).encode("gb18030")
    parts = [("book.htm", frame)] + [
        (f"book.files/sheet{i:03}.htm", page) for i, page in enumerate(pages.values(), 1)
    ]
    lines = [
        "MIME-Version: 1.0",
        "X-Document-Type: Workbook",
        f'Content-Type: multipart/related; boundary="{boundary}"',
        "",
        "此文档为“单个文件网页”，也称为“Web 档案”文件。",
    ]
    for where, page in parts:
        lines += [
            "",
            f"--{boundary}",
            f"Content-Location: file:///C:/D1A2B3C4/{where}",
            "Content-Transfer-Encoding: quoted-printable",
            'Content-Type: text/html; charset="gb2312"',
            "",
            quopri.encodestring(page).decode("ascii"),
        ]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode("gb18030")


def test_a_single_file_web_page_is_read_as_its_sheets(tmp_path: Path) -> None:
    """Excel's 「单个文件网页」 (.mht), also what report systems send as "xls": the form on its
    sheet, the pledge on its own; before, it was read as comma text (「无法识别这个表格」) or,
    named .mht, as a mail holding no file."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    bad = [*ROW[:1], "物资发放", "业务流程风险", "虚报", "说不准", *ROW[5:]]
    form = web_form("丁玲", [ROW, bad], charset="gb2312")
    pledge = (
        "<html><body><table><tr><td>廉政承诺书</td></tr><tr><td>序号</td><td>承诺事项</td></tr>"
        "<tr><td>1</td><td>严格遵守廉洁自律各项规定</td></tr>"
        "<tr><td>承诺人</td><td>丁玲</td></tr><tr><td>承诺日期</td><td>2026年3月10日</td></tr>"
        "</table></body></html>"
    ).encode("gb18030")
    archive_bytes = _web_archive({"个人廉政风险自查表": form, "廉政承诺书": pledge})
    (inbox / "丁玲.xls").write_bytes(archive_bytes)
    single = _web_archive({"Sheet1": web_form("范彩兰", [[ROW[0], "物资发放", *ROW[2:]]])})
    (inbox / "范彩兰.mht").write_bytes(single)
    # the precondition: MIME text, its pages quoted-printable (「=3D」), no markup at its start
    assert archive_bytes.startswith(b"MIME-Version") and b"=3D" in archive_bytes
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive(out)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert sorted(catalogue["来源文件"]) == ["丁玲.xls", "范彩兰.mht"]
    assert catalogue.set_index("姓名").loc["丁玲", "风险点描述"] == "审核不严，\n向关系单位倾斜"
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    sent_back = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert sent_back[["文件", "工作表", "单元格", "字段"]].values.tolist() == [
        ["丁玲.xls", "个人廉政风险自查表", "E5", "发生几率"]
    ]
    pledges = sheets[vocab.ARCHIVE_SHEET_PLEDGES].set_index("姓名")
    assert pledges.loc["丁玲", "承诺事项数"] == "1"
    legacy = issues[issues["问题"].str.contains("格式，已尝试读取")].set_index("文件")["问题"]
    assert all("单个文件网页（.mht" in legacy[f] for f in ("丁玲.xls", "范彩兰.mht"))
    ws = openpyxl.load_workbook(out / "科室反馈" / "家庭儿童工作部" / "丁玲_批注.xlsx")[
        "个人廉政风险自查表"
    ]
    assert ws["E5"].value == "说不准" and "发生几率" in ws["E5"].comment.text


def test_text_running_over_empty_cells_in_excels_web_format_is_no_merge(tmp_path: Path) -> None:
    """Excel's web format writes a text running on over the empty cells to its right as a
    colspan it ignores itself (``mso-ignore:colspan``): those cells stay empty, so a
    description over an empty 发生几率 leaves it empty (「没有填写」), not the description,
    and no merged cells are reported."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    overflow = "<td colspan=2 style='mso-ignore:colspan'>{}</td>"
    rows = [
        ROW[:-2] + ["实地验收并公示结果", ""],
        [ROW[0], "物资发放", ROW[2], "虚报冒领", "", *ROW[5:]],
    ]
    page = web_form("丁玲", rows).decode()
    page = page.replace(
        "<td>实地验收并公示结果</td><td></td>", overflow.format("实地验收并公示结果")
    )
    page = page.replace("<td>虚报冒领</td><td></td>", overflow.format("虚报冒领"))
    assert page.count("mso-ignore:colspan") == 2  # the precondition
    (inbox / "丁玲.xls").write_bytes(page.encode())
    assert process_cli(inbox, cfg, out) == 0
    sheets = archive(out)
    point = (
        sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
        .set_index("职权事项（工作环节）")
        .loc["儿童之家项目审核"]
    )
    assert point["后期处置措施"] == "实地验收并公示结果"
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    sent_back = issues[issues["处理"] == vocab.ACTION_REJECT]
    assert sent_back[["单元格", "问题"]].values.tolist() == [["E5", "「发生几率」没有填写。"]]
    assert not issues["问题"].str.contains("合并单元格").any()
