"""Odd-but-real configurations, folders and text, run through the real command: the outputs
are read back, and a bad configuration stops at start with exit 2 and a Chinese message."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from pipeline import config, templates, vocab
from pipeline.cli import main
from tests.forms import form_grid, sample_row, write_form, write_xlsx

RUN_TIME = "2026-04-01T09:00:00"
LEADERS = [
    ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
    ("领导班子", "李副主席", "副主席", "领导班子正职", "否"),
]


def write_body(
    root: Path,
    people: list[tuple[str, str, str, str, str]],
    sections: list[tuple[str, str, str]],
    body: str = "测试单位",
    settings: str | bytes | None = None,
) -> Path:
    """root/config (roster via the project's writer, optional settings.toml) and root/inbox."""
    cfg = root / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    keys = list(vocab.ROSTER_PEOPLE_COLUMNS)
    section_keys = list(vocab.ROSTER_SECTION_COLUMNS)
    templates.write_roster(
        cfg / vocab.ROSTER_FILE,
        [dict(zip(keys, p, strict=True)) for p in [*LEADERS, *people]],
        [dict(zip(section_keys, s, strict=True)) for s in [("领导班子", "陈主席", ""), *sections]],
        {"body": body, "chair": "陈主席", "oversight": "区纪委派驻纪检组"},
    )
    if isinstance(settings, str):
        (cfg / vocab.SETTINGS_FILE).write_text(settings, encoding="utf-8")
    elif isinstance(settings, bytes):
        (cfg / vocab.SETTINGS_FILE).write_bytes(settings)
    (root / "inbox").mkdir(exist_ok=True)
    return root


def process(root: Path, capsys, out: Path | None = None, inbox: Path | None = None):
    code = main(
        [
            "process",
            "--inbox",
            str(inbox or root / "inbox"),
            "--config",
            str(root / "config"),
            "--out",
            str(out or root / "out"),
            "--no-progress",
            "--run-time",
            RUN_TIME,
        ]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def archive(out: Path) -> Path:
    (found,) = [p for p in out.glob("*_廉政风险信息档案.xlsx") if not p.name.startswith("~$")]
    return found


def rows_of(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=False)) for row in values[1:]]


def no_live_formulas(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        return not any(re.search(rb"<f[ >]", zf.read(n)) for n in sheets)


OFFICE = [
    ("办公室", "张三", "科员", "一般管理服务", "否"),
    ("办公室", "王五", "主任", "其他", "是"),
]
OFFICE_SECTION = [("办公室", "王五", "李副主席")]


# --------------------------------------------------------------------------------------
# Configuration: refused at start, exit 2, a Chinese message naming what to fix
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings, needle",
    [
        ('[submission]\nlate_phase = ["grade"]\n', "submission.late_phase"),
        ("[limits]\nmax_file_mb = inf\n", "limits.max_file_mb"),
        ('[grading.matrix."一般"]\n"中" = "特级"\n', "grading.matrix.一般.中"),
        ("[body\nname = 1\n", "第 1 行"),
    ],
)
def test_bad_settings_exit_2_with_a_chinese_message(
    tmp_path: Path, capsys, settings: str, needle: str
) -> None:
    code, _, err = process(write_body(tmp_path, OFFICE, OFFICE_SECTION, settings=settings), capsys)
    assert code == 2
    assert needle in err and err.startswith(vocab.CONFIG_ERROR_PREFIX)
    assert "Traceback" not in err and "Error" not in err


def test_settings_saved_by_windows_notepad_are_read(tmp_path: Path) -> None:
    """Notepad writes UTF-8 with a BOM, or GB18030 ("ANSI") on Chinese Windows."""
    text = '[body]\nname = "记事本单位"\n'
    for data in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gb18030")):
        folder = tmp_path / str(len(data))
        folder.mkdir()
        (folder / vocab.SETTINGS_FILE).write_bytes(data)
        assert config.load_settings(folder).body_name == "记事本单位"


@pytest.mark.parametrize("case", ["roster_not_excel", "roster_folder", "settings_folder"])
def test_unusable_config_files_exit_2_in_chinese(tmp_path: Path, capsys, case: str) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    cfg = root / "config"
    if case == "roster_not_excel":
        (cfg / vocab.ROSTER_FILE).write_text("姓名,科室\n", encoding="utf-8")
    elif case == "roster_folder":
        (cfg / vocab.ROSTER_FILE).unlink()
        (cfg / vocab.ROSTER_FILE).mkdir()
    else:
        (cfg / vocab.SETTINGS_FILE).mkdir()
    code, _, err = process(root, capsys)
    assert code == 2
    assert err.startswith(vocab.CONFIG_ERROR_PREFIX)
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", err.split("\n")[0].replace(str(cfg), ""))


def test_roster_lists_only_the_required_missing_columns(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / vocab.ROSTER_FILE,
        {
            vocab.ROSTER_SHEET_PEOPLE: [["科室", "姓名"], ["办公室", "张三"]],
            vocab.ROSTER_SHEET_SECTIONS: [["科室", "科室负责人", "分管副主席"]],
            vocab.ROSTER_SHEET_UNIT: [["单位名称", "主席", "上级监督机构"]],
        },
    )
    with pytest.raises(config.ConfigError) as exc:
        config.load_roster(tmp_path)
    assert "缺少列：岗位（职务）。" in str(exc.value)  # 岗位类别 and 是否科室负责人 are optional


# --------------------------------------------------------------------------------------
# Output folder layouts
# --------------------------------------------------------------------------------------
def test_output_folder_that_is_a_file_or_inside_the_inbox_is_refused(
    tmp_path: Path, capsys
) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    before = sorted(p.name for p in (root / "inbox").rglob("*"))
    (root / "out").write_text("x")
    assert process(root, capsys)[0] == 2
    code, _, err = process(root, capsys, out=root / "inbox" / "output")
    assert code == 2 and "收件文件夹" in err
    assert sorted(p.name for p in (root / "inbox").rglob("*")) == before  # no run.log left
    # an inbox inside 科室反馈 would be deleted by the rebuild of that folder
    inbox = root / "out2" / vocab.FEEDBACK_DIR / "收件"
    inbox.mkdir(parents=True)
    code, _, err = process(root, capsys, out=root / "out2", inbox=inbox)
    assert code == 2 and vocab.FEEDBACK_DIR in err and inbox.is_dir()


def test_an_archive_that_cannot_be_replaced_stops_with_a_chinese_message(
    tmp_path: Path, capsys
) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    assert process(root, capsys)[0] == 0
    target = archive(root / "out")
    target.unlink()
    target.mkdir()  # stands in for a workbook Windows will not let go of
    code, _, err = process(root, capsys)
    assert code == 2 and target.name in err and "Traceback" not in err


def test_stale_feedback_and_excel_lock_files_do_not_disturb_a_run(tmp_path: Path, capsys) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    stale = root / "out" / vocab.FEEDBACK_DIR / "旧科室"
    stale.mkdir(parents=True)
    (stale / "旧科室_反馈.xlsx").write_bytes(b"old")
    lock = root / "out" / "~$2026_测试单位_廉政风险信息档案.xlsx"
    lock.write_bytes(b"\x00" * 162)
    assert process(root, capsys)[0] == 0
    assert not stale.exists() and lock.exists()
    assert archive(root / "out").name == "2026_测试单位_廉政风险信息档案.xlsx"


def test_a_very_long_body_name_still_gives_an_archive(tmp_path: Path, capsys) -> None:
    body = "某某省某某市某某区" * 15  # 135 characters: 400 bytes of file name uncut
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION, body=body)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    code, out, _ = process(root, capsys)
    assert code == 0
    path = archive(root / "out")
    assert len(path.name.encode("utf-8")) <= 255
    assert str(path) in out  # the summary names the file that was written
    summary = json.loads((root / "out" / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["archive"] == path.name and summary["body"] == body
    cover = openpyxl.load_workbook(path)[vocab.ARCHIVE_SHEET_COVER]
    assert body in cover["A1"].value  # the cover keeps the whole name


# --------------------------------------------------------------------------------------
# Roster: spellings that differ only by width, spacing or punctuation
# --------------------------------------------------------------------------------------
def test_sections_differing_only_in_width_are_one_section(tmp_path: Path, capsys) -> None:
    people = [
        ("ＡＢ科", "甲", "科长", "其他", "是"),
        ("ＡＢ科", "乙", "科员", "其他", "否"),
        ("AB科", "丙", "科长", "其他", "是"),
        ("AB科", "丁", "科员", "其他", "否"),
    ]
    sections = [("ＡＢ科", "甲", "李副主席"), ("AB科", "丙", "李副主席")]
    root = write_body(tmp_path, people, sections)
    for name, section in (("乙", "ＡＢ科"), ("丁", "AB科")):
        rows = [sample_row(1, description=f"{name}的风险", likelihood="低", harm="一般")]
        write_form(
            root / "inbox" / f"{name}.xlsx", header={"section": section, "name": name}, rows=rows
        )
    assert process(root, capsys)[0] == 0
    path = archive(root / "out")
    catalogue = rows_of(path, vocab.ARCHIVE_SHEET_CATALOGUE)
    assert {r["科室"] for r in catalogue} == {"ＡＢ科"}
    # one section, one head: the head named first, never a head of a "different" section
    assert {r["直接管理"] for r in catalogue} == {"甲"}
    notes = [r for r in rows_of(path, vocab.ARCHIVE_SHEET_ISSUES) if r["原值"] == "AB科"]
    assert {(r["工作表"], r["单元格"]) for r in notes} >= {("科室", "A4"), ("人员", "A6")}
    assert all("按同一个科室「ＡＢ科」处理" in r["问题"] for r in notes)
    folders = sorted(p.name for p in (root / "out" / vocab.FEEDBACK_DIR).iterdir())
    assert "AB科" not in folders and "ＡＢ科" in folders


def test_roster_rows_repeated_are_reported(tmp_path: Path) -> None:
    people = [("办公室", "张三", "科员", "其他", "否"), ("办公室", "张 三", "科员", "其他", "否")]
    sections = [("办公室", "王五", "李副主席"), ("办公室", "赵六", "李副主席")]
    write_body(tmp_path, people, sections)
    roster = config.load_roster(tmp_path / "config")
    cells = {(p["sheet"], p["cell"]): p["problem"] for p in roster.problems}
    assert "出现了多次（第3行、第4行），按第3行" in cells[("科室", "A4")]
    assert "「张三」在科室「办公室」中出现了多次" in cells[("人员", "B5")]
    # the leadership section, headed by the chair, has no vice-chair above it: no note
    assert ("科室", "C2") not in cells


# --------------------------------------------------------------------------------------
# Annotated copies: what the writer puts in them must reopen, and hold no live formula
# --------------------------------------------------------------------------------------
def test_csv_copy_with_characters_xml_cannot_hold_reopens(tmp_path: Path, capsys) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    keys = vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]
    lines = [
        [vocab.FORM_TITLES[vocab.INDIVIDUAL]],
        ["科室", "办公室", "姓名", "张三", "岗位（职务）", "科员", "填表日期", "2026-03-10"],
        [vocab.COLUMN_LABELS[k] for k in keys],
        [str(sample_row(1, description="不可见\ufffe字符\uffff").get(k) or "") for k in keys],
        [str(sample_row(2, likelihood="未知").get(k) or "") for k in keys],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    (root / "inbox" / "张三.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    assert process(root, capsys)[0] == 0
    (copy,) = (root / "out" / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    ws = openpyxl.load_workbook(copy).active
    assert ws["D4"].value == "不可见字符"
    assert ws["E5"].comment is not None


def test_text_of_emoji_past_excels_cell_length_is_cut_everywhere(tmp_path: Path, capsys) -> None:
    """Excel counts a cell's 32,767 characters in UTF-16 units: an emoji is two. A description
    of 20,000 emoji (20,002 characters to Python) is past the limit: Excel reports every
    workbook holding it whole as damaged. It is cut, with the 提示 that says so, in the
    archive, the feedback workbook and the annotated copy alike."""
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    keys = vocab.TABLE_COLUMNS[vocab.INDIVIDUAL]
    long = "风险" + "😀" * 20_000
    assert len(long) < 32_767 < len(long.encode("utf-16-le")) // 2
    lines = [
        [vocab.FORM_TITLES[vocab.INDIVIDUAL]],
        ["科室", "办公室", "姓名", "张三", "岗位（职务）", "科员", "填表日期", "2026-03-10"],
        [vocab.COLUMN_LABELS[k] for k in keys],
        [str(sample_row(1, description=long).get(k) or "") for k in keys],
        [str(sample_row(2, likelihood="未知").get(k) or "") for k in keys],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    (root / "inbox" / "张三.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    assert process(root, capsys)[0] == 0
    out = root / "out"
    (copy,) = (out / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    (book,) = (out / vocab.FEEDBACK_DIR / "办公室").glob("*_反馈.xlsx")
    for path in (archive(out), book, copy):
        sheets = {
            ws.title: [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
            for ws in openpyxl.load_workbook(path).worksheets
        }
        everything = [v for ws_texts in sheets.values() for v in ws_texts]
        assert max(len(t.encode("utf-16-le")) // 2 for t in everything) <= 32_767, path.name
        # a printed sheet (公示, the feedback's 风险点) takes a long point over continuation
        # rows (（续）) and ends it visibly (以下从略); every other cell is cut with the mark
        continued = [t for t, texts in sheets.items() if any(v.startswith("（续）") for v in texts)]
        for title in continued:
            pieces = [v for v in sheets[title] if "😀😀" in v]
            assert pieces[-1].endswith(vocab.CONTINUED_CUT_MARK), (path.name, title)
            sheets[title] = [v for v in sheets[title] if v not in pieces]
        cut = [t for texts in sheets.values() for t in texts if t.startswith("风险😀")]
        assert cut or continued, path.name  # the text is somewhere
        assert all(t.endswith(vocab.TRUNCATION_MARK) for t in cut), path.name
    notes = rows_of(archive(out), vocab.ARCHIVE_SHEET_ISSUES)
    assert any(n["单元格"] == "D4" and "超过" in str(n["问题"]) for n in notes)


def test_copy_of_a_form_with_formulas_holds_values_not_formulas(tmp_path: Path, capsys) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    grid = form_grid(
        header={"section": "办公室", "name": "张三"},
        rows=[sample_row(1), sample_row(2, likelihood="未知")],
    )
    grid[3][0] = "=ROW()-3"  # 序号 by formula, as some offices do
    grid[4][0] = '=HYPERLINK("http://example.invalid","链接")'
    path = write_form(root / "inbox" / "张三.xlsx", grid=grid)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:  # the helper writes text: turn the two cells into formulas
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert no_live_formulas(path)
    sheet = _as_formula(sheet, "A4", "ROW()-3", "1")
    sheet = _as_formula(sheet, "A5", 'HYPERLINK("http://example.invalid","链接")', "链接")
    _replace_part(path, "xl/worksheets/sheet1.xml", sheet.encode())
    assert not no_live_formulas(path) and path.read_bytes() != data
    assert process(root, capsys)[0] == 0
    (copy,) = (root / "out" / vocab.FEEDBACK_DIR / "办公室").glob("*_批注.xlsx")
    assert no_live_formulas(copy)
    ws = openpyxl.load_workbook(copy)[vocab.SHEET_INDIVIDUAL]
    assert (ws["A4"].value, ws["A5"].value) == (1, "链接")
    for produced in (root / "out").rglob("*.xlsx"):
        assert no_live_formulas(produced), produced


def _as_formula(sheet_xml: str, ref: str, formula: str, cached: str) -> str:
    """Replace the cell ``ref`` of a sheet's XML by a formula with a cached value."""
    cell = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', sheet_xml)
    assert cell is not None
    escaped = formula.replace("&", "&amp;").replace('"', "&quot;")
    kind = ' t="str"' if not cached.isdigit() else ""
    new = f'<c r="{ref}"{kind}><f>{escaped}</f><v>{cached}</v></c>'
    return sheet_xml[: cell.start()] + new + sheet_xml[cell.end() :]


def _replace_part(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for part, content in parts.items():
            zout.writestr(part, content)


# --------------------------------------------------------------------------------------
# Supervision in odd but real bodies
# --------------------------------------------------------------------------------------
def test_vice_chair_heading_a_section_and_a_headless_section(tmp_path: Path, capsys) -> None:
    people = [
        ("办公室", "李副主席", "主任", "其他", "是"),
        ("办公室", "张三", "科员", "其他", "否"),
        ("财务科", "钱七", "出纳", "其他", "否"),
    ]
    sections = [("办公室", "李副主席", "李副主席"), ("财务科", "", "李副主席")]
    root = write_body(tmp_path, people, sections)
    low = {"likelihood": "低", "harm": "一般", "self_level": "三级"}
    for section, name in (("办公室", "张三"), ("办公室", "李副主席"), ("财务科", "钱七")):
        rows = [sample_row(1, description=f"{name}风险", **low)]
        write_form(
            root / "inbox" / f"{name}.xlsx",
            header={"section": section, "name": name, "date": datetime(2026, 3, 10)},
            rows=rows,
        )
    rows = [sample_row(1, description="主席风险", **low)]
    write_form(
        root / "inbox" / "陈主席.xlsx", header={"section": "领导班子", "name": "陈主席"}, rows=rows
    )
    assert process(root, capsys)[0] == 0
    catalogue = rows_of(archive(root / "out"), vocab.ARCHIVE_SHEET_CATALOGUE)
    who = {r["姓名"]: (r["直接管理"], r["负责领导"]) for r in catalogue}
    assert who["张三"] == ("李副主席", "李副主席")  # 三级: the head is the vice-chair
    assert who["李副主席"] == ("陈主席", "陈主席")  # never themselves
    assert who["钱七"] == ("李副主席", "李副主席")  # no head: passes up to the vice-chair
    assert who["陈主席"] == ("区纪委派驻纪检组", "区纪委派驻纪检组")


def test_a_second_run_into_the_same_out_is_refused_until_the_first_ends(
    tmp_path: Path, capsys
) -> None:
    import subprocess
    import sys

    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    assert process(root, capsys)[0] == 0
    out = root / "out"
    log_before = (out / vocab.LOG_FILE).read_bytes()
    archive_before = archive(out).read_bytes()
    # another process holds OUT as a run does (处理.bat double-clicked twice)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys; from pathlib import Path; from pipeline.run import hold_out\n"
                "with hold_out(Path(sys.argv[1])):\n"
                "    print('held', flush=True); sys.stdin.read()"
            ),
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, _, err = process(root, capsys)
        assert code == 2 and "正由另一次处理使用" in err and str(out) in err
        assert "Traceback" not in err
        # the first run's log and outputs are untouched
        assert (out / vocab.LOG_FILE).read_bytes() == log_before
        assert archive(out).read_bytes() == archive_before
    finally:
        holder.kill()  # a run that dies leaves no lock behind
        holder.wait()
    assert process(root, capsys)[0] == 0


def test_a_file_where_an_output_folder_goes_is_named(tmp_path: Path, capsys) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    assert process(root, capsys)[0] == 0
    out = root / "out"
    rounds_dir = next(p for p in out.iterdir() if p.is_dir() and p.name == "历次")
    import shutil

    shutil.rmtree(rounds_dir)
    rounds_dir.write_text("误放的文件", encoding="utf-8")  # a file under the folder's name
    code, _, err = process(root, capsys)
    assert code == 2 and "Traceback" not in err
    assert str(rounds_dir) in err and "同名的文件" in err and "改名或移到别处" in err


def test_an_open_feedback_workbooks_lock_file_is_not_called_the_offices_file(
    tmp_path: Path, capsys
) -> None:
    root = write_body(tmp_path, OFFICE, OFFICE_SECTION)
    write_form(root / "inbox" / "张三.xlsx", header={"section": "办公室", "name": "张三"})
    assert process(root, capsys)[0] == 0
    folder = root / "out" / vocab.FEEDBACK_DIR / "办公室"
    (book,) = folder.glob("*_反馈.xlsx")
    (folder / ("~$" + book.name)).write_bytes(b"\x00" * 162)  # Excel has it open
    (folder / "我的笔记.docx").write_bytes(b"notes")  # the office's own file
    code, out_text, _ = process(root, capsys)
    assert code == 0
    lock_line = next(line for line in out_text.splitlines() if "锁定文件" in line)
    assert "~$" + book.name in lock_line and "放到别处" not in lock_line
    kept_line = next(line for line in out_text.splitlines() if "不是本工具生成的" in line)
    assert "我的笔记.docx" in kept_line and "~$" not in kept_line
