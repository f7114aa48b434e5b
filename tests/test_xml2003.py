"""Excel 2003 XML workbooks (SpreadsheetML, 「XML 电子表格 2003」) that report systems write,
often named .xls: read sheet by sheet with their types and merges, refused with the true
reason when they declare entities, annotated in a rebuilt copy."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from pipeline import config, vocab
from pipeline.workbook.xml2003 import load_xml2003
from tests.builders import CHILDREN_PEOPLE, CHILDREN_SECTIONS, write_config
from tests.conftest import process_cli

LIMITS = config.default_settings().limits
# the individual form's table header, as the template has it
COLUMNS = [vocab.COLUMN_LABELS[k] for k in vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]]
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
)


def cell(value: object, **attrs: object) -> str:
    extra = "".join(f' ss:{k}="{v}"' for k, v in attrs.items())
    if value is None:
        return f"<Cell{extra}/>"
    kind = "Number" if isinstance(value, (int, float)) else "String"
    if isinstance(value, datetime):
        kind, value = "DateTime", value.isoformat(timespec="milliseconds")
    return f'<Cell{extra}><Data ss:Type="{kind}">{escape(str(value))}</Data></Cell>'


def row(*cells: str, index: int | None = None) -> str:
    at = f' ss:Index="{index}"' if index else ""
    return f"<Row{at}>{''.join(cells)}</Row>"


def workbook(name: str, rows: list[list[object]], hidden_guide: bool = True) -> bytes:
    """An individual form as a report system writes it: the title merged over the table
    (MergeAcross), the header block with a real DateTime, a blank row skipped by ss:Index,
    the table, and a hidden 填表说明 sheet."""
    sheet = [
        '<Worksheet ss:Name="个人廉政风险自查表"><Table>',
        row(cell("个人廉政风险自查表", MergeAcross=len(COLUMNS) - 1)),
        row(
            cell("科室"),
            cell("家庭儿童工作部"),
            cell("姓名"),
            cell(name),
            cell("岗位（职务）"),
            cell("儿童工作干事"),
            cell("填表日期"),
            cell(datetime(2026, 3, 12)),
        ),
        row(*(cell(c) for c in COLUMNS), index=4),  # row 3 left out: blank
        *(row(*(cell(v) for v in r)) for r in rows),
        "</Table></Worksheet>",
    ]
    guide = [
        '<Worksheet ss:Name="填表说明"><Table>',
        row(cell("填表说明")),
        '</Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">',
        "<Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>",
    ]
    body = "\n".join(sheet + (guide if hidden_guide else []))
    return (HEAD + body + "\n</Workbook>\n").encode("utf-8")


ROW: list[object] = [1, "儿童之家项目审核", "业务流程风险", "项目审核不严", "中", "较重", "二级"]
ROW += ["公开申报条件", "集体评审", "实地验收", None]


def test_the_reader_places_cells_by_index_and_merges_across_and_down() -> None:
    data = (
        HEAD
        + '<Worksheet ss:Name="A"><Table>'
        + row(cell("t", MergeAcross=2, MergeDown=1), cell("d"))
        + row(cell(7, Index=5), index=3)
        + "</Table></Worksheet></Workbook>"
    ).encode()
    names, load, hidden = load_xml2003("x.xls", data, LIMITS)
    grid, merges = load("A")
    assert names == ["A"] and hidden == set()
    assert grid == [["t", "", "", "d"], [], ["", "", "", "", 7]]
    assert merges == [(0, 0, 1, 2)]


def test_an_excel_2003_xml_form_saved_as_xls_is_read(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "丁玲.xls").write_bytes(workbook("丁玲", [ROW]))
    other = [2, "物资发放", *ROW[2:]]
    (inbox / "范彩兰_自查表.xml").write_bytes(workbook("范彩兰", [other], hidden_guide=False))
    bomb = HEAD.replace("<Workbook", '<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<Workbook', 1)
    (inbox / "炸弹.xls").write_bytes((bomb + "</Workbook>").encode())
    assert process_cli(inbox, cfg, out) == 0
    (book,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE].set_index("姓名")
    assert catalogue.loc["丁玲", "职权事项（工作环节）"] == "儿童之家项目审核"
    assert catalogue.loc["范彩兰", "职权事项（工作环节）"] == "物资发放"
    assert catalogue.loc["丁玲", "评定等级"] == "二级"
    status = sheets[vocab.ARCHIVE_SHEET_SUBMISSIONS].dropna(subset=["姓名"]).set_index("姓名")
    assert status.loc["丁玲", "填表日期"] == "2026-03-12"  # the DateTime cell, as a date
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    bombed = issues[issues["文件"] == "炸弹.xls"]
    assert bombed["处理"].tolist() == [vocab.ACTION_REJECT]
    assert "实体" in bombed["问题"].iloc[0] or "DOCTYPE" in bombed["问题"].iloc[0]
    noted = issues[issues["问题"].str.contains("Excel 2003 XML")]
    assert sorted(noted["文件"]) == ["丁玲.xls", "范彩兰_自查表.xml"]


def test_the_annotated_copy_of_an_excel_2003_xml_form_marks_the_bad_cell(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    bad = list(ROW)
    bad[5] = "说不清"  # 危害程度: not a value
    (inbox / "丁玲.xls").write_bytes(workbook("丁玲", [bad]))
    assert process_cli(inbox, cfg, out) == 0
    copy = out / "科室反馈" / "家庭儿童工作部" / "丁玲_批注.xlsx"
    wb = openpyxl.load_workbook(copy)
    ws = wb["个人廉政风险自查表"]
    assert ws["F5"].value == "说不清" and ws["F5"].comment is not None
    assert "危害程度" in ws["F5"].comment.text
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}
    assert wb["填表说明"].sheet_state == "hidden"


def _encoded(text: str, how: str) -> bytes:
    """The workbook's text as other systems save it: declared GB 2312 (Chinese report
    systems), UTF-16 with a BOM (.NET writers), GBK bytes without a declaration."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    if how == "gb2312":
        return text.replace(declaration, '<?xml version="1.0" encoding="gb2312"?>').encode("gbk")
    if how == "utf-16":
        return text.replace(declaration, '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    return text.replace(declaration + "\n", "").encode("gbk")


@pytest.mark.parametrize("how", ["gb2312", "utf-16", "gbk_undeclared"])
def test_an_excel_2003_xml_form_in_gb2312_or_utf16_is_read(tmp_path: Path, how: str) -> None:
    """Before, the GB 2312 one was 「读取文件时出错（表格内容无法解析）」 (the XML parser reads no
    multi-byte encoding but UTF-8/16) and the UTF-16 one 「这不是 Excel 表格文件（网页文件）」."""
    cfg = write_config(tmp_path, CHILDREN_PEOPLE, CHILDREN_SECTIONS)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    bad = list(ROW)
    bad[5] = "说不清"  # 危害程度: not a value
    data = _encoded(workbook("丁玲", [ROW, [2, "物资发放", *bad[2:]]]).decode(), how)
    (inbox / "丁玲.xls").write_bytes(data)
    bomb = _encoded(HEAD.replace("<Workbook", '<!DOCTYPE x [<!ENTITY a "a">]>\n<Workbook', 1), how)
    (inbox / "炸弹.xls").write_bytes(bomb + _encoded("</Workbook>", how).lstrip(b"\xff\xfe"))
    assert "丁玲".encode() not in data  # the precondition: not UTF-8 text
    assert process_cli(inbox, cfg, out) == 0
    (book,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(book, sheet_name=None, engine="calamine", dtype=str)
    catalogue = sheets[vocab.ARCHIVE_SHEET_CATALOGUE]
    assert catalogue["职权事项（工作环节）"].tolist() == ["儿童之家项目审核"]
    issues = sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna("")
    sent_back = issues[issues["处理"] == vocab.ACTION_REJECT].set_index("文件")
    assert sent_back.loc["丁玲.xls", ["单元格", "字段"]].tolist() == ["F6", "危害程度"]
    assert (
        "实体" in sent_back.loc["炸弹.xls", "问题"]
        or "DOCTYPE" in sent_back.loc["炸弹.xls", "问题"]
    )
    ws = openpyxl.load_workbook(out / "科室反馈" / "家庭儿童工作部" / "丁玲_批注.xlsx")[
        "个人廉政风险自查表"
    ]
    assert ws["F6"].value == "说不清" and "危害程度" in ws["F6"].comment.text
