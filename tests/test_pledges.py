"""Pledges sent on their own (a scanned PDF, a photo, a Word file) register their person's
廉政承诺书 in 承诺书登记 as 单独报送（文件名）, instead of being refused as stray attachments."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline import completeness, config, containers, frames, pledges, vocab
from tests.forms import write_form
from tests.test_realforms import graded
from tests.test_validate import make_roster

SETTINGS = config.default_settings()
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    """A minimal Word document (what Word saves: content types, document.xml)."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
            f"{body}</w:body></w:document>",
        )
    return path


def scanned_pdf(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/XObject/Subtype/Image>>\n%%EOF\n"
    )
    return path


def registered(inbox: Path):
    roster = make_roster()
    files, _rows, points, issues = graded(inbox)
    files = containers.settle(files)
    files, issues = pledges.find(files, issues, roster, inbox, SETTINGS)
    _subs, register, more = completeness.completeness(files, points, roster, SETTINGS, 2026)
    return files, register.set_index("name"), frames.concat_issues(issues, more)


@pytest.mark.parametrize("kind", ["pdf", "docx", "jpg", "ofd", "heic"])
def test_pledge_sent_alone_registers_its_person(tmp_path: Path, kind: str) -> None:
    inbox = tmp_path / "inbox"
    # 张三's form has no pledge sheet: the pledge came as a separate file
    write_form(inbox / "张三.xlsx", pledge=[])
    name = f"张三_廉政承诺书.{kind}"
    if kind == "docx":
        write_docx(inbox / name, ["廉政承诺书", "本人承诺：不收受礼金。", "承诺人：张三"])
    elif kind == "pdf":
        scanned_pdf(inbox / name)
    elif kind == "ofd":  # China's fixed-layout format (GB/T 33190), a zip of XML
        with zipfile.ZipFile(inbox / name, "w") as zf:
            zf.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
            zf.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    elif kind == "heic":  # a photo taken on an iPhone
        (inbox / name).write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
    else:
        (inbox / name).write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    files, register, issues = registered(inbox)
    rec = files.set_index("file").loc[name]
    assert (rec["status"], rec["kind"], rec["name"]) == (frames.FILE_STATUS_READ, "pledge", "张三")
    assert register.loc["张三", "status"] == f"单独报送（{name}）"
    assert issues[issues["file"] == name].empty  # not refused as a stray attachment
    assert not ((issues["code"] == "pledge_empty") & (issues["name"] == "张三")).any()
    # 李四 sent nothing: still listed as such
    assert register.loc["李四", "status"] == vocab.PLEDGE_STATUS_NO_FORM


def test_a_word_pledge_is_recognised_by_its_text(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_docx(
        inbox / "附件1.docx", ["廉政承诺书", "本人郑重承诺……", "承诺人：李四", "2026年3月1日"]
    )
    files, register, issues = registered(inbox)
    assert files.set_index("file").loc["附件1.docx", "name"] == "李四"
    assert register.loc["李四", "status"] == "单独报送（附件1.docx）"
    assert issues[issues["file"] == "附件1.docx"].empty


def test_other_documents_are_still_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_docx(inbox / "工作总结.docx", ["2026年工作总结", "张三"])
    scanned_pdf(inbox / "某某_廉政承诺书.pdf")  # nobody of the roster
    files, _register, issues = registered(inbox)
    by_file = files.set_index("file")
    assert (by_file["status"] == frames.FILE_STATUS_REJECTED).all()
    assert by_file.loc["工作总结.docx", "reason"] == "not_excel"
    assert by_file.loc["某某_廉政承诺书.pdf", "reason"] == "pledge_file_unknown"
    assert sorted(issues.loc[issues["file"] != "", "file"]) == sorted(files["file"])


@pytest.mark.parametrize(
    ("where", "person"),
    [
        ("2026-03-24 来自张三/廉政承诺书.pdf", "张三"),  # a mail client's attachment folder
        ("财务科/王五/承诺书.jpg", "王五"),
        ("李四.zip/廉政承诺书.pdf", "李四"),
    ],
)
def test_a_pledge_whose_own_name_says_nobody_is_its_folders_persons(
    tmp_path: Path, where: str, person: str
) -> None:
    """A scan saved from a person's mail (or sent in their zip) is often just 「廉政承诺书.pdf」:
    the folder, zip or mail it came in names whose it is. Before, it was 「这不是 Excel 表格文件」
    and its person, whose folder it sat in, was told their form had been sent back."""
    inbox = tmp_path / "inbox"
    if ".zip/" in where:
        outer, inner = where.split("/", 1)
        pdf = scanned_pdf(tmp_path / "scan.pdf")
        inbox.mkdir()
        with zipfile.ZipFile(inbox / outer, "w") as zf:
            zf.writestr(inner, pdf.read_bytes())
    elif where.endswith(".jpg"):
        (inbox / where).parent.mkdir(parents=True)
        (inbox / where).write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    else:
        scanned_pdf(inbox / where)
    assert person not in Path(where).name  # the precondition: the file's own name says nobody
    files, register, issues = registered(inbox)
    rec = files.set_index("file").loc[where]
    assert (rec["status"], rec["kind"], rec["name"]) == (frames.FILE_STATUS_READ, "pledge", person)
    assert register.loc[person, "status"] == f"单独报送（{Path(where).name}）"
    assert issues[issues["file"] == where].empty
    assert not issues["code"].isin(["note_rejected", "sent_back"]).any()


def test_scans_nobody_is_found_in_say_how_to_name_a_pledge(tmp_path: Path) -> None:
    """A 承诺书 in a folder that names nobody is told as a pledge whose person is not known
    (not 「这不是 Excel 表格文件」); a photo named by the camera keeps its reason with how to
    name a pledge so that it is registered."""
    inbox = tmp_path / "inbox"
    scanned_pdf(inbox / "附件" / "廉政承诺书.pdf")
    (inbox / "IMG_0012.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    files, register, issues = registered(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["附件/廉政承诺书.pdf", "reason"] == "pledge_file_unknown"
    assert by_file.loc["IMG_0012.jpg", "reason"] == "not_excel"
    told = issues.set_index("file")
    assert "廉政承诺书" in told.loc["附件/廉政承诺书.pdf", "problem"]
    assert "Excel" not in told.loc["附件/廉政承诺书.pdf", "problem"]
    assert "姓名_廉政承诺书.pdf" in told.loc["附件/廉政承诺书.pdf", "fix"]
    assert "图片" in told.loc["IMG_0012.jpg", "problem"]
    assert "姓名_廉政承诺书.jpg" in told.loc["IMG_0012.jpg", "fix"]
    assert (register["status"] != vocab.PLEDGE_STATUS_ALONE.format(file="廉政承诺书.pdf")).all()


def test_a_joint_pledge_in_a_persons_folder_is_not_taken_for_that_persons(tmp_path: Path) -> None:
    """The folder decides only when the file's own name names nobody: 「张三李四承诺书.pdf」 in
    张三's mail folder names two people and is registered for neither."""
    inbox = tmp_path / "inbox"
    scanned_pdf(inbox / "2026-03-24 来自张三" / "张三李四承诺书.pdf")
    files, register, _issues = registered(inbox)
    assert files.loc[0, "status"] == frames.FILE_STATUS_REJECTED
    assert not register["status"].str.startswith("单独报送").any()


def write_pledge_book(path: Path, pledger: str | None, items: list[str], sheet: str = "") -> Path:
    """A workbook holding only a 廉政承诺书 sheet, as people send when the form went separately
    (or the office asked for the pledge later)."""
    from tests.forms import pledge_grid, write_xlsx

    return write_xlsx(path, {sheet or vocab.SHEET_PLEDGE: pledge_grid(items, pledger=pledger)})


def test_a_workbook_of_only_a_signed_pledge_registers_its_signer(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", pledge=[])  # 张三's form came without its pledge sheet
    write_pledge_book(inbox / "承诺书.xlsx", "张三", ["不收受礼金", "不违规吃喝"])
    files, register, issues = registered(inbox)
    rec = files.set_index("file").loc["承诺书.xlsx"]
    assert (rec["status"], rec["kind"], rec["name"]) == (frames.FILE_STATUS_READ, "pledge", "张三")
    assert register.loc["张三", "status"] == "单独报送（承诺书.xlsx）"
    assert issues[issues["file"] == "承诺书.xlsx"].empty  # not 退回 as an unknown template
    assert not ((issues["code"] == "pledge_missing") & (issues["name"] == "张三")).any()
    assert register.loc["李四", "status"] == vocab.PLEDGE_STATUS_NO_FORM


def test_an_unsigned_pledge_workbook_is_known_by_its_file_name(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_pledge_book(inbox / "李四廉政承诺书.xlsx", None, ["不收受礼金"], sheet="Sheet1")
    files, register, issues = registered(inbox)
    assert files.set_index("file").loc["李四廉政承诺书.xlsx", "name"] == "李四"
    assert register.loc["李四", "status"] == "单独报送（李四廉政承诺书.xlsx）"
    assert issues[issues["file"] == "李四廉政承诺书.xlsx"].empty


def test_a_pledge_workbook_of_nobody_is_sent_back_saying_what_it_is(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_pledge_book(inbox / "附件3.xlsx", None, ["不收受礼金"])
    write_pledge_book(inbox / "承诺书-周九.xlsx", "周九", ["不收受礼金"])  # not in the roster
    files, _register, issues = registered(inbox)
    assert set(files["status"]) == {frames.FILE_STATUS_REJECTED}
    assert set(files["reason"]) == {"pledge_unknown"}
    text = issues.set_index("file")
    assert "承诺书" in text.loc["附件3.xlsx", "problem"]
    assert "承诺人" in text.loc["附件3.xlsx", "fix"]
    assert "周九" in text.loc["承诺书-周九.xlsx", "problem"]  # the name written, not in the roster


def test_a_pledge_beside_a_table_not_recognised_is_still_an_unknown_template(
    tmp_path: Path,
) -> None:
    """A form whose table the reader cannot make out, with its pledge sheet filled in: its
    sender must hear that the table was not read, so it stays 退回 as unknown_template."""
    from tests.forms import pledge_grid, write_xlsx

    inbox = tmp_path / "inbox"
    write_xlsx(
        inbox / "张三.xlsx",
        {
            "自查": [["我的岗位风险"], ["公文处理时可能泄露信息", "加强保密"]],
            vocab.SHEET_PLEDGE: pledge_grid(["不收受礼金"], pledger="张三"),
        },
    )
    files, register, _issues = registered(inbox)
    assert files.set_index("file").loc["张三.xlsx", "reason"] == "unknown_template"
    assert register.loc["张三", "status"] != "单独报送（张三.xlsx）"


@pytest.mark.parametrize(
    ("grid", "items"),
    [
        (  # items as lines, signed 「承诺人（签名）：」, dated 「日期：」
            [
                ["廉洁从政承诺书"],
                ["本人郑重承诺："],
                ["一、严守政治纪律；"],
                ["二、不收受礼金；"],
                ["三、不违规用车。"],
                [],
                ["承诺人（签名）：张三"],
                ["日期：2026年3月10日"],
            ],
            3,
        ),
        (  # numbered items in one paragraph, the labels in their own cells
            [
                ["廉政承诺书"],
                ["本人承诺：1.遵纪守法；2.廉洁自律；3.接受监督。"],
                [None, "承诺人：", "张三"],
                [None, "承诺时间：", "2026.3.10"],
            ],
            3,
        ),
        (
            [
                ["廉政承诺书"],
                ["本人郑重承诺："],
                [],
                ["承诺人：", "张三", "承诺日期：", "2026-03-10"],
            ],
            0,
        ),
    ],
)
def test_a_pledge_written_as_text_counts_its_items(
    tmp_path: Path, grid: list[list[object]], items: int
) -> None:
    """承诺书 as people write them, without the template's 承诺事项 column: their lines and numbered
    items are counted (before: 「承诺书为空」 for a pledge of three items), and the date under
    a hand-written label is read; a lead-in with nothing after it is still empty."""
    inbox = tmp_path / "inbox"
    write_form(inbox / "张三.xlsx", pledge=grid)
    _files, register, issues = registered(inbox)
    zhang = register.loc["张三"]
    assert int(zhang["items"]) == items
    if items:
        assert zhang["status"] == vocab.PLEDGE_STATUS_OK and zhang["date"] == "2026-03-10"
        assert "pledge_empty" not in issues["code"].tolist()
    else:
        assert zhang["status"] == vocab.PLEDGE_STATUS_EMPTY


def test_an_empty_pledge_is_told_at_the_sheet_it_is_on(tmp_path: Path) -> None:
    """A 承诺书 sheet named otherwise (廉洁从政承诺书) with nothing pledged: the 提示 names that
    sheet, where the annotated copy marks it (before: always 「廉政承诺书」, a sheet it lacks)."""
    from tests.forms import form_grid, write_xlsx

    inbox = tmp_path / "inbox"
    pledge = [["廉洁从政承诺书"], ["本人郑重承诺："], [], ["承诺人：", "张三"]]
    write_xlsx(inbox / "张三.xlsx", {"个人廉政风险自查表": form_grid(), "廉洁从政承诺书": pledge})
    _files, register, issues = registered(inbox)
    assert register.loc["张三", "status"] == vocab.PLEDGE_STATUS_EMPTY
    empty = issues[issues["code"] == "pledge_empty"]
    assert empty["sheet"].tolist() == ["廉洁从政承诺书"]


def test_a_pledge_of_merged_lines_counts_each_item_once(tmp_path: Path) -> None:
    """承诺书 lines merged across the page (as every printed 承诺书 has them): the merged text is
    carried to each cell of its range, and each copy was counted (three items → 19)."""
    inbox = tmp_path / "inbox"
    pledge = [
        ["廉政承诺书", *[None] * 5],
        ["本人郑重承诺：", *[None] * 5],
        ["一、严守纪律；二、不谋私利；三、接受监督。", *[None] * 5],
        [],
        ["承诺人：", "张三", "承诺日期：", "2026-03-10"],
    ]
    merges = {"个人廉政风险自查表": ["A1:D1"], vocab.SHEET_PLEDGE: ["A1:F1", "A2:F2", "A3:F3"]}
    write_form(inbox / "张三.xlsx", pledge=pledge, merges=merges)
    _files, register, _issues = registered(inbox)
    zhang = register.loc["张三"]
    assert int(zhang["items"]) == 3
    assert zhang["status"] == vocab.PLEDGE_STATUS_OK and zhang["date"] == "2026-03-10"


def test_scans_in_a_folder_of_pledges_are_their_named_persons(tmp_path: Path) -> None:
    """A section collects its members' signed pledges in a folder 「廉政承诺书」 of its zip,
    each photo named after its person: 「办公室.zip/廉政承诺书/李四.jpg」 is 李四's pledge (was
    「这不是 Excel 表格文件（图片）」); a camera-named photo there is a pledge of nobody known."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    with zipfile.ZipFile(inbox / "办公室.zip", "w") as zf:
        zf.writestr("廉政承诺书/李四.jpg", photo)
        zf.writestr("廉政承诺书/IMG_0012.jpg", photo + b"\x01")
    files, register, issues = registered(inbox)
    by_file = files.set_index("file")
    assert by_file.loc["办公室.zip/廉政承诺书/李四.jpg", "kind"] == "pledge"
    assert register.loc["李四", "status"] == "单独报送（李四.jpg）"
    assert by_file.loc["办公室.zip/廉政承诺书/IMG_0012.jpg", "reason"] == "pledge_file_unknown"
    told = issues.set_index("file").loc["办公室.zip/廉政承诺书/IMG_0012.jpg"]
    assert "姓名_廉政承诺书.jpg" in told["fix"]
