"""The pre-scan's extent check looks reference by reference only where a reference can reach
the limits; a far cell is still found wherever it sits in a big sheet, and a sheet whose far
cells are only formatting is still read."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline import config, discover, frames, read, vocab
from tests.forms import rewrite_zip, sample_row, write_form

SHEET_XML = "xl/worksheets/sheet1.xml"
# about 2 MiB of empty styled rows (two scan blocks and more) before what is appended
PADDING = b"".join(b'<row r="%d"><c r="A%d" s="0"/></row>' % (r, r) for r in range(60, 4060))


def _with_rows(base: Path, dst: Path, extra: bytes) -> None:
    with zipfile.ZipFile(base) as zf:
        xml = zf.read(SHEET_XML)
    padded = xml.replace(b"</sheetData>", PADDING * 16 + extra + b"</sheetData>")
    rewrite_zip(base, dst, {SHEET_XML: padded})


def _read(inbox: Path):
    st = config.default_settings()
    files, found = discover.discover(inbox, st)
    files, rows, issues = read.read_files(files, inbox, st)
    return files.set_index("file"), rows, frames.concat_issues(found, issues)


def test_a_far_value_cell_after_megabytes_of_rows_is_refused_with_its_cell(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    inbox.mkdir()
    _with_rows(base, inbox / "far.xlsx", b'<row r="70000"><c r="C70000"><v>7</v></c></row>')
    with zipfile.ZipFile(inbox / "far.xlsx") as zf:  # the precondition: far beyond one block
        xml = zf.read(SHEET_XML)
    assert len(xml) > 2 * read.SCAN_BLOCK and xml.index(b'r="C70000"') > 2 * read.SCAN_BLOCK

    files, _rows, issues = _read(inbox)

    assert files.loc["far.xlsx", "reason"] == "too_many_cells"
    (issue,) = issues[issues["file"] == "far.xlsx"].to_dict("records")
    assert (issue["code"], issue["sheet"], issue["cell"]) == (
        "too_many_cells",
        vocab.SHEET_INDIVIDUAL,
        "C70000",
    )


def test_far_formatting_alone_does_not_refuse_a_form(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1), sample_row(2)])
    inbox.mkdir()
    _with_rows(base, inbox / "styled.xlsx", b'<row r="90000"><c r="CZ90000" s="0"/></row>')

    files, rows, _issues = _read(inbox)

    assert files.loc["styled.xlsx", "status"] == frames.FILE_STATUS_READ
    assert len(rows[rows["file"] == "styled.xlsx"]) == 2
