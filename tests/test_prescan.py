"""The pre-scan's extent check looks reference by reference only where a reference can reach
the limits; a far cell is still found wherever it sits in a big sheet, and a sheet whose far
cells are only formatting is still read."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from pipeline import config, discover, frames, read, readform, vocab
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


# --------------------------------------------------------------------------------------
# The worker's (light) pre-scan: entity declarations are looked for in each part's prolog,
# small sheets are judged in one pass; what it refused before, it still refuses
# --------------------------------------------------------------------------------------
LIMITS = config.default_settings().limits
APP_XML = "docProps/app.xml"
DTD = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'


def _worker_read(path: Path, limits: Any = LIMITS) -> tuple[str, str]:
    """(reason, cell) of a worker's reading of ``path`` (its pre-scan, then the parse, which
    checks each sheet's extent before opening it); ("ok", "") when it is read."""
    result = readform.read_one(str(path), path.name, limits)
    if result["status"] == frames.FILE_STATUS_READ:
        return "ok", ""
    return result["reason"], result["issues"][0]["cell"]


def _worker_verdict(path: Path) -> str:
    return _worker_read(path)[0]


def _with_part(base: Path, dst: Path, part: str, xml: bytes) -> Path:
    with zipfile.ZipFile(base) as zf:
        assert part in zf.namelist() or part == APP_XML
    return rewrite_zip(base, dst, {part: xml})


@pytest.mark.parametrize(
    "prolog",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + DTD,
        # a comment longer than the first inflated bytes before the DTD
        b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + DTD,
        # a processing instruction, then the DTD
        b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>' + DTD,
        # spaces between '<!' and DOCTYPE, well past the first bytes
        b'<?xml version="1.0"?>' + b" " * 3000 + b"<!   DOCTYPE lolz>",
    ],
)
def test_a_dtd_in_a_side_part_is_refused_by_the_worker_pre_scan(
    tmp_path: Path, prolog: bytes
) -> None:
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    assert _worker_verdict(base) == "ok"  # the precondition: the form itself passes
    xml = prolog + b'<Properties xmlns="x"><Application>Excel</Application></Properties>'
    bad = _with_part(base, tmp_path / "dtd.xlsx", APP_XML, xml)

    assert _worker_verdict(bad) == "xml_entities"


def test_text_that_mentions_a_doctype_inside_a_part_does_not_refuse_it(tmp_path: Path) -> None:
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    xml = (
        b'<?xml version="1.0"?><Properties xmlns="x">'
        b"<Company>&lt;!DOCTYPE&gt; Ltd</Company></Properties>"
    )
    ok = _with_part(base, tmp_path / "text.xlsx", APP_XML, xml)

    assert _worker_verdict(ok) == "ok"


@pytest.mark.parametrize(
    ("extra", "code", "cell"),
    [
        (b'<row r="70000"><c r="C70000"><v>7</v></c></row>', "too_many_cells", "C70000"),
        (
            b'<row r="30"><c r="CW30" t="inlineStr"><is><t>x</t></is></c></row>',
            "too_many_cells",
            "CW30",
        ),
        (b'<row r="30"><c r="CV30" t="inlineStr"><is><t>x</t></is></c></row>', "ok", ""),
        (b'<row r="90000"><c r="CZ90000" s="0"/></row>', "ok", ""),
    ],
)
def test_a_small_sheet_is_judged_like_a_big_one(
    tmp_path: Path, extra: bytes, code: str, cell: str
) -> None:
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    with zipfile.ZipFile(base) as zf:
        xml = zf.read(SHEET_XML)
    assert len(xml) < read.SCAN_BLOCK  # the precondition: the one-pass check applies
    path = rewrite_zip(
        base,
        tmp_path / "f.xlsx",
        {SHEET_XML: xml.replace(b"</sheetData>", extra + b"</sheetData>")},
    )
    assert _worker_read(path) == (code, cell)


def test_a_file_that_passed_is_judged_again_under_other_limits(tmp_path: Path) -> None:
    """A worker remembers what passed (side parts by their bytes, parsed relationships): a
    sheet that passed under the default limits is refused under tighter ones."""
    import dataclasses

    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    path = rewrite_zip(
        base,
        tmp_path / "f.xlsx",
        {SHEET_XML: _sheet_with(base, b'<row r="40"><c r="C40"><v>7</v></c></row>')},
    )
    tight = dataclasses.replace(LIMITS, max_rows=30)
    assert _worker_verdict(path) == "ok"  # passed under the default limits

    assert _worker_read(path, tight) == ("too_many_cells", "C40")
    assert _worker_verdict(path) == "ok"


def _sheet_with(base: Path, extra: bytes) -> bytes:
    with zipfile.ZipFile(base) as zf:
        return zf.read(SHEET_XML).replace(b"</sheetData>", extra + b"</sheetData>")


def test_a_sheet_the_reader_never_opens_is_not_judged_by_its_extent(tmp_path: Path) -> None:
    """The 填表说明 sheet is never parsed: a stray value far out on it (a typing slip in
    XFD1048576) leaves the form readable, while the same value on the form's own sheet, which
    is parsed, still refuses the file (the extent is checked before calamine allocates)."""
    base = write_form(tmp_path / "base.xlsx", rows=[sample_row(1)])
    guide = "xl/worksheets/sheet3.xml"
    with zipfile.ZipFile(base) as zf:
        xml = zf.read(guide)
    assert b"<sheetData" in xml  # precondition: the third sheet is the guide's
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    stray = rewrite_zip(
        base,
        tmp_path / "stray.xlsx",
        {guide: _rows_added(xml, far)},
    )
    result = readform.read_one(str(stray), "stray.xlsx", LIMITS)
    assert result["status"] == frames.FILE_STATUS_READ
    assert len(result["excel_rows"]) == 1
    assert _worker_read(
        rewrite_zip(base, tmp_path / "far.xlsx", {SHEET_XML: _sheet_with(base, far)})
    ) == ("too_many_cells", "XFD1048576")


def _rows_added(xml: bytes, rows: bytes) -> bytes:
    """A sheet's XML with ``rows`` added at the end of its data (an empty one's too)."""
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>")
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")
