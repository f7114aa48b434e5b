"""The archive's identity marker: written on every archive, read back cheaply, and its content
hash matches the catalogue's cells (and stops matching when a cell is edited)."""

from __future__ import annotations

import shutil

import openpyxl

from pipeline import archives, vocab


def _archive(demo_run):
    (path,) = demo_run.out.glob("*_廉政风险信息档案.xlsx")
    return path


def test_archive_carries_its_identity(demo_run):
    path = _archive(demo_run)
    identity = archives.read_identity(path)
    assert identity is not None
    assert identity.format_version == archives.FORMAT_VERSION
    assert path.name == vocab.ARCHIVE_FILE_TEMPLATE.format(year=identity.year, body=identity.body)
    assert identity.run_time == "2026-04-01T09:00:00"
    props = archives.custom_properties(path)
    assert set(props) >= {vocab.ARCHIVE_PROPERTY_PREFIX + k for k in archives.PROPERTY_KEYS}


def test_content_hash_is_the_catalogues_cells(demo_run, tmp_path):
    path = _archive(demo_run)
    identity = archives.read_identity(path)
    catalogue = archives.read_catalogue(path)
    assert catalogue is not None and len(catalogue)
    assert archives.content_hash(archives.catalogue_cells(catalogue)) == identity.content_hash

    edited = tmp_path / path.name
    shutil.copy(path, edited)
    wb = openpyxl.load_workbook(edited)
    ws = wb[vocab.ARCHIVE_SHEET_CATALOGUE]
    col = [c.value for c in ws[1]].index(vocab.CATALOGUE_COLUMNS["description"]) + 1
    ws.cell(2, col).value = str(ws.cell(2, col).value) + "（手工改动）"
    wb.save(edited)
    changed = archives.read_catalogue(edited)
    assert archives.read_identity(edited).content_hash == identity.content_hash  # marker kept
    assert archives.content_hash(archives.catalogue_cells(changed)) != identity.content_hash


def test_files_without_a_marker_have_no_identity(demo_run):
    form = next(demo_run.inbox.rglob("*.xlsx"))
    assert archives.read_identity(form) is None
    assert archives.read_identity(demo_run.config / vocab.ROSTER_FILE) is None


def test_a_hand_made_last_year_catalogue_is_read_as_laid_out(tmp_path):
    """Last year's catalogue as the body typed it (for 年度对比 and prefill): the section merged
    over its people's rows is every row's, 防控措施 merged over its three stages is read as the
    three, a combined 防控措施 would be split. Before, the merged rows had no section (every one
    of them 「新增」 and 「删除」 in 年度对比) and the measures were lost."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["甲区民政局2025年廉政风险点目录"])
    ws.append(["科室", "岗位", "姓名", "风险点描述", "风险等级", "防控措施", None, None])
    ws.append([None, None, None, None, None, "事前预防", "事中监控", "事后处置"])
    ws.append(["财务股", "会计", "张三", "虚列支出", "高", "学习", "审核", "追责"])
    ws.append([None, "出纳", "李四", "挪用公款", "一级", "教育", "对账", "处理"])
    for merged in ("A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:H2", "A4:A5"):
        ws.merge_cells(merged)
    path = tmp_path / "去年风险点目录.xlsx"
    wb.save(path)
    assert ws["A5"].value is None  # the precondition: written once, merged down
    frame = archives.read_catalogue(path)
    got = frame[["section", "post", "description", "level", "prevent", "monitor", "handle"]]
    assert got.values.tolist() == [
        ["财务股", "会计", "虚列支出", "高", "学习", "审核", "追责"],
        ["财务股", "出纳", "挪用公款", "一级", "教育", "对账", "处理"],
    ]
    assert frame["excel_row"].tolist() == ["4", "5"]
