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
