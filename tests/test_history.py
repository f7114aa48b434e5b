"""[history] last_archive: the archive's 年度对比 lists exactly the points added, removed and
re-graded since last year, with counts on the cover; a bad setting stops the run in Chinese."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline import archives, vocab
from tests.builders import write_settings
from tests.conftest import make_demo, process_cli

ADDED = "本年新发现：借调人员经手的补贴发放未经复核"


def _process(inbox: Path, config: Path, out: Path, run_time: str) -> tuple[int, Path | None]:
    code = process_cli(inbox, config, out, run_time)
    found = sorted(out.glob("*_廉政风险信息档案.xlsx"))
    return code, (found[0] if found else None)


def _columns(ws) -> dict[str, int]:
    return {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(3, c).value}


def _single_sources(catalogue):
    rows = catalogue[
        (catalogue["name"] != "")
        & ~catalogue["source_file"].str.contains("；")
        & catalogue["source_file"].str.contains(vocab.FORM_TITLES[vocab.INDIVIDUAL])
    ]
    return rows.to_dict("records")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("history")
    make_demo(root, people=16, seed=31, error_rate=0.0)
    write_settings(root / "config", "[body]\nyear = 2025\n")
    code, last = _process(root / "inbox", root / "config", root / "out1", "2025-04-01T09:00:00")
    assert code == 0 and last is not None
    catalogue = archives.read_catalogue(last)
    candidates = _single_sources(catalogue)
    removed = candidates[0]
    regraded = next(
        p
        for p in candidates
        if p["source_file"] != removed["source_file"] and p["level"] in ("二级", "三级")
    )
    added_to = next(
        p["source_file"]
        for p in candidates
        if p["source_file"] not in (removed["source_file"], regraded["source_file"])
    )

    inbox = root / "inbox2"
    shutil.copytree(root / "inbox", inbox)
    sheet = vocab.SHEET_INDIVIDUAL
    # removed: the row deleted from its form
    wb = openpyxl.load_workbook(inbox / removed["source_file"])
    ws = wb[sheet]
    assert (
        ws.cell(int(removed["source_row"]), _columns(ws)["风险点描述"]).value
        == removed["description"]
    )
    ws.delete_rows(int(removed["source_row"]))
    wb.save(inbox / removed["source_file"])
    # re-graded: likelihood 高 and harm 严重 (the matrix gives 一级)
    wb = openpyxl.load_workbook(inbox / regraded["source_file"])
    ws = wb[sheet]
    cols = _columns(ws)
    row = int(regraded["source_row"])
    assert ws.cell(row, cols["风险点描述"]).value == regraded["description"]
    ws.cell(row, cols["发生几率"]).value = "高"
    ws.cell(row, cols["危害程度"]).value = "严重"
    wb.save(inbox / regraded["source_file"])
    # added: one more row after the form's last point
    wb = openpyxl.load_workbook(inbox / added_to)
    ws = wb[sheet]
    cols = _columns(ws)
    last_row = max(r for r in range(4, ws.max_row + 1) if ws.cell(r, cols["风险点描述"]).value)
    new = {
        "职权事项（工作环节）": "补贴发放复核",
        "风险类别": "业务流程风险",
        "风险点描述": ADDED,
        "发生几率": "低",
        "危害程度": "一般",
        "自评等级": "三级",
        "前期预防措施": "明确复核程序。",
    }
    for label, value in new.items():
        ws.cell(last_row + 1, cols[label]).value = value
    wb.save(inbox / added_to)

    config = root / "config2"
    shutil.copytree(root / "config", config)
    write_settings(config, f'[body]\nyear = 2026\n\n[history]\nlast_archive = "{last}"\n')
    code, this = _process(inbox, config, root / "out2", "2026-04-01T09:00:00")
    assert code == 0 and this is not None
    return this, {"removed": removed, "regraded": regraded}


def _points_table(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[vocab.HISTORY_SHEET]
    labels = list(vocab.HISTORY_POINT_HEADERS.values())
    start = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == labels[0])
    keys = list(vocab.HISTORY_POINT_HEADERS)
    assert [ws.cell(start, c + 1).value for c in range(len(keys))] == labels
    rows = []
    for r in range(start + 1, ws.max_row + 1):
        values = [ws.cell(r, c + 1).value for c in range(len(keys))]
        if any(values):
            rows.append(dict(zip(keys, values, strict=True)))
    return rows


def test_year_on_year_lists_exactly_the_added_removed_and_regraded_points(two_years):
    archive, known = two_years
    rows = _points_table(archive)
    by_change: dict[str, set[str]] = {}
    for row in rows:
        by_change.setdefault(row["change"], set()).add(row["description"])
    assert by_change == {
        vocab.HISTORY_NEW: {ADDED},
        vocab.HISTORY_REMOVED: {known["removed"]["description"]},
        vocab.HISTORY_CHANGED: {known["regraded"]["description"]},
    }
    (changed,) = [r for r in rows if r["change"] == vocab.HISTORY_CHANGED]
    assert changed["last_level"] == known["regraded"]["level"] and changed["level"] == "一级"
    assert f"评定等级：{known['regraded']['level']}→一级" in changed["what"]
    (removed,) = [r for r in rows if r["change"] == vocab.HISTORY_REMOVED]
    assert removed["last_level"] == known["removed"]["level"] and not removed["level"]


def test_cover_counts_the_comparison(two_years):
    archive, _ = two_years
    ws = openpyxl.load_workbook(archive)[vocab.ARCHIVE_SHEET_COVER]
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    labels = vocab.HISTORY_COUNT_LABELS
    assert (found[labels["new"]], found[labels["removed"]], found[labels["changed"]]) == (1, 1, 1)


def test_no_comparison_sheet_without_last_archive(demo_run):
    (archive,) = demo_run.out.glob("*_廉政风险信息档案.xlsx")
    assert vocab.HISTORY_SHEET not in openpyxl.load_workbook(archive, read_only=True).sheetnames


@pytest.mark.parametrize("kind", ["missing", "not_archive"])
def test_a_bad_last_archive_stops_the_run_in_chinese(demo_run, tmp_path, capsys, kind):
    config = tmp_path / "config"
    shutil.copytree(demo_run.config, config)
    target = tmp_path / "nowhere.xlsx" if kind == "missing" else config / vocab.ROSTER_FILE
    write_settings(config, f'[history]\nlast_archive = "{target}"\n')
    code, _ = _process(demo_run.inbox, config, tmp_path / "out", "2026-04-01T09:00:00")
    assert code == 2
    err = capsys.readouterr().err
    assert "history.last_archive" in err and str(target) in err
    assert ("不存在" in err) if kind == "missing" else ("不是廉政风险信息档案" in err)


@pytest.mark.parametrize(
    ("file_name", "year"),
    [("去年风险点目录.xlsx", 0), ("2025目录.xlsx", 2025), ("2026年风险点目录.xlsx", 0)],
)
def test_a_hand_made_last_year_catalogue_compares_only_what_it_holds(
    two_years, tmp_path, file_name, year
):
    """Last year's catalogue typed by hand (科室, 岗位, 姓名, 职权事项, 风险类别, 风险点描述,
    评定等级; no 发生几率/危害程度, no marker): a point that kept its level is no 变化 for the
    columns the catalogue never had, and the title names the year its file name gives
    (「2025目录.xlsx」: 2025年度; before, no year) and none it cannot know (no year in the name,
    or this run's year 2026, which is not surely the catalogue's)."""
    this, changed = two_years
    root = this.parent.parent
    (last,) = (root / "out1").glob("*_廉政风险信息档案.xlsx")
    kept = ("section", "post", "name", "step", "category", "description", "level")
    catalogue = archives.read_catalogue(last)
    hand = tmp_path / file_name
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([vocab.CATALOGUE_COLUMNS[k] for k in kept])
    for rec in catalogue.to_dict("records"):
        ws.append([rec[k] for k in kept])
    wb.save(hand)
    config = tmp_path / "config"
    shutil.copytree(root / "config2", config)
    write_settings(config, f'[body]\nyear = 2026\n\n[history]\nlast_archive = "{hand}"\n')
    code, archive = _process(root / "inbox2", config, tmp_path / "out", "2026-04-02T09:00:00")
    assert code == 0 and archive is not None

    rows = _points_table(archive)
    regraded = [r for r in rows if r["change"] == vocab.HISTORY_CHANGED]
    assert [r["description"] for r in regraded] == [changed["regraded"]["description"]]
    assert vocab.CATALOGUE_COLUMNS["likelihood"] not in str(regraded[0]["what"])
    title = openpyxl.load_workbook(archive)[vocab.HISTORY_SHEET].cell(1, 1).value
    assert archives.read_identity(hand) is None  # the precondition: no marker gives the year
    if year:
        assert title == vocab.HISTORY_TITLE.format(source=hand.name, year=year)
    else:
        assert title == vocab.HISTORY_TITLE_NO_YEAR.format(source=hand.name)


def test_last_years_archive_in_out_is_not_overwritten_when_the_year_was_not_changed(
    tmp_path, capsys
):
    """The office set last_archive to last year's archive in OUT but left body.year at last
    year's: the run compared the archive with itself and wrote this year's points over it
    (last year's archive gone, the next 年度对比 against this year's own). Now the run stops
    with exit 2 before writing, saying to change body.year, and the archive is untouched."""
    from tests.builders import write_config
    from tests.forms import HEADER, sample_row, write_form

    people = [("领导班子", "陈主席", "主席", "领导班子正职", False)]
    people.append(("办公室", "张三", "科员", "一般管理服务", True))
    config = write_config(
        tmp_path, people, [("领导班子", "陈主席", ""), ("办公室", "张三", "陈主席")]
    )
    write_settings(config, "[body]\nyear = 2026\n")
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(1)])
    code, last = _process(inbox, config, out, "2026-04-01T09:00:00")
    assert code == 0 and last is not None
    before = last.read_bytes()

    write_form(inbox / "张三.xlsx", header=dict(HEADER, name="张三"), rows=[sample_row(5)])
    write_settings(config, f'[body]\nyear = 2026\n\n[history]\nlast_archive = "{last}"\n')
    capsys.readouterr()
    assert process_cli(inbox, config, out, "2027-03-20T09:00:00") == 2
    err = capsys.readouterr().err
    assert "history.last_archive" in err and "body.year" in err and "覆盖" in err, err
    assert last.read_bytes() == before
    assert sorted(p.name for p in out.glob("*_廉政风险信息档案.xlsx")) == [last.name]

    write_settings(config, f'[body]\nyear = 2027\n\n[history]\nlast_archive = "{last}"\n')
    code, _ = _process(inbox, config, out, "2027-03-21T09:00:00")
    assert code == 0 and last.read_bytes() == before  # with the year changed, it runs
    assert (out / last.name.replace("2026", "2027")).exists()


def test_last_years_archive_given_as_its_pdf_names_the_workbook_beside_it(
    demo_run, tmp_path, capsys
):
    """Every archive has its PDF beside it, and a clerk picks the file that opens: the PDF
    named as last year's archive (settings or prefill --last-archive) was 「不是廉政风险信息
    档案：其中找不到「岗位廉政风险和等级目录」」. Now the message says it is the PDF and names
    the .xlsx beside it."""
    from pipeline.cli import main

    (archive,) = demo_run.out.glob("*_廉政风险信息档案.xlsx")
    last = tmp_path / "last" / archive.name
    last.parent.mkdir()
    shutil.copy(archive, last)
    pdf = last.with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    config = tmp_path / "config"
    shutil.copytree(demo_run.config, config)
    write_settings(config, f'[history]\nlast_archive = "{pdf}"\n')
    capsys.readouterr()
    code, _ = _process(demo_run.inbox, config, tmp_path / "out", "2026-04-01T09:00:00")
    err = capsys.readouterr().err
    assert code == 2 and "history.last_archive" in err
    assert "PDF" in err and last.name in err, err
    args = ["prefill", "--config", str(demo_run.config), "--out", str(tmp_path / "pre")]
    assert main([*args, "--last-archive", str(pdf)]) == 2
    err = capsys.readouterr().err
    assert "PDF" in err and last.name in err, err


def test_a_last_year_catalogue_without_steps_matches_points_on_their_description(
    two_years, tmp_path
):
    """Last year's catalogue typed by hand with 科室, 岗位, 姓名, 风险点 and 风险等级 (高/中/低)
    but no 职权事项（工作环节）, as most bodies' own catalogues are: the points kept since
    last year are neither 新增 nor 删除, and the sheet says how points were matched. Before,
    every point of this year was 新增 and every one of last year 删除 (their steps differed:
    blank against written), a 年度对比 that said the whole catalogue was replaced."""
    this, changed = two_years
    root = this.parent.parent
    (last,) = (root / "out1").glob("*_廉政风险信息档案.xlsx")
    catalogue = archives.read_catalogue(last)
    assert catalogue["step"].str.strip().ne("").all()  # the precondition: this year has steps
    as_word = {"一级": "高", "二级": "中", "三级": "低"}
    hand = tmp_path / "2025年度风险点目录.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年度廉政风险点目录"])
    ws.append(["序号", "科室", "岗位", "姓名", "风险点", "风险等级"])
    for i, rec in enumerate(catalogue.to_dict("records"), start=1):
        ws.append([i, rec["section"], rec["post"], rec["name"], rec["description"]])
        ws.cell(ws.max_row, 6).value = as_word[rec["level"]]
    wb.save(hand)
    config = tmp_path / "config"
    shutil.copytree(root / "config2", config)
    write_settings(config, f'[body]\nyear = 2026\n\n[history]\nlast_archive = "{hand}"\n')
    code, archive = _process(root / "inbox2", config, tmp_path / "out", "2026-04-02T09:00:00")
    assert code == 0 and archive is not None

    rows = _points_table(archive)
    by_change = {c: [r["description"] for r in rows if r["change"] == c] for c in ("新增", "删除")}
    assert by_change[vocab.HISTORY_NEW] == [ADDED]
    assert by_change[vocab.HISTORY_REMOVED] == [changed["removed"]["description"]]
    regraded = [r["description"] for r in rows if r["change"] == vocab.HISTORY_CHANGED]
    assert changed["regraded"]["description"] in regraded
    ws = openpyxl.load_workbook(archive)[vocab.HISTORY_SHEET]
    assert ws.cell(2, 1).value == vocab.HISTORY_NOTE_NO_STEP


@pytest.mark.parametrize("renamed_file", [False, True])
def test_another_bodys_archive_as_last_year_stops_the_run_kindly(
    two_years, tmp_path, capsys, renamed_file
):
    """A neighbour body's archive named as last year's (sent as an example, picked from the
    commission's folder) compared silently: every point was 新增 and 删除 against someone else's
    catalogue. Now the run stops before reading anything, naming both bodies. The body is the
    marker's, or, for a copy that lost it (re-saved as .xls), the archive's file name's."""
    this, _ = two_years
    theirs = archives.read_identity(this)
    assert theirs is not None and theirs.body  # the precondition: a marked archive
    last = tmp_path / this.name
    shutil.copy(this, last)
    if renamed_file:  # no marker: the body from <year>_<body>_廉政风险信息档案
        stripped = tmp_path / f"2026_{theirs.body}_廉政风险信息档案.xlsx"
        wb = openpyxl.load_workbook(last)
        wb.custom_doc_props.props.clear()
        wb.save(stripped)
        assert archives.read_identity(stripped) is None
        last = stripped
    config = tmp_path / "config"
    shutil.copytree(this.parents[1] / "config", config)
    write_settings(
        config,
        f'[body]\nname = "云溪区总工会"\nyear = 2027\n\n[history]\nlast_archive = "{last}"\n',
    )
    code, made = _process(
        this.parents[1] / "inbox", config, tmp_path / "out", "2027-04-01T09:00:00"
    )
    assert code == 2 and made is None
    err = capsys.readouterr().err
    assert f"是「{theirs.body}」的廉政风险信息档案" in err and "（云溪区总工会）" in err
    # the same body's archive (the name folded, or cut in a file name) is no other body's
    assert archives.other_body(last, f" {theirs.body} ") is None
    assert archives.other_body(last, theirs.body[:4]) is None


def test_a_description_retouched_in_punctuation_is_the_same_point_a_rewritten_one_is_not(
    tmp_path,
):
    """A yearly revision retouches punctuation (，→；, a quote, brackets, spaces): the 年度对比
    listed such a point as 删除 and 新增 at once. Now step and description match without
    punctuation; a description really rewritten is still 删除 and 新增."""
    from pipeline.cli import main

    root = tmp_path
    make_demo(root, people=16, seed=31, error_rate=0.0)
    write_settings(root / "config", "[body]\nyear = 2025\n")
    code, last = _process(root / "inbox", root / "config", root / "out1", "2025-04-01T09:00:00")
    assert code == 0 and last is not None
    catalogue = archives.read_catalogue(last)
    pre = root / "pre"
    argv = ["prefill", "--config", str(root / "config"), "--out", str(pre)]
    assert main([*argv, "--last-archive", str(last)]) == 0
    own = catalogue[~catalogue["name"].str.contains("、") & (catalogue["name"] != "")]
    name = next(
        n
        for n, g in own.groupby("name")
        if len(g) >= 2 and g["description"].str.contains("，|、").any()
    )
    (form,) = pre.rglob(f"{name}_{vocab.FORM_TITLES[vocab.INDIVIDUAL]}.xlsx")
    wb = openpyxl.load_workbook(form)
    ws = wb[vocab.SHEET_INDIVIDUAL]
    col = _columns(ws)["风险点描述"]
    rows = {ws.cell(r, col).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, col).value}
    mine = set(own.loc[own["name"] == name, "description"])
    retouched = next(d for d in rows if d in mine and ("，" in d or "、" in d))
    rewritten = next(d for d in rows if d in mine and d != retouched)
    touched = f"“{retouched.replace('，', '；').replace('、', '，')}” ".rstrip("。")
    assert touched != retouched  # the precondition: the text as written differs
    ws.cell(rows[retouched], col).value = touched
    ws.cell(rows[rewritten], col).value = "本年改写：" + rewritten[::-1]
    wb.save(form)
    inbox = root / "inbox2"
    for folder in pre.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, inbox / folder.name)
    config = root / "config2"
    shutil.copytree(root / "config", config)
    write_settings(config, f'[body]\nyear = 2026\n\n[history]\nlast_archive = "{last}"\n')
    code, this = _process(inbox, config, root / "out2", "2026-04-01T09:00:00")
    assert code == 0 and this is not None
    table = _points_table(this)
    new = [r["description"] for r in table if r["change"] == vocab.HISTORY_NEW]
    removed = [r["description"] for r in table if r["change"] == vocab.HISTORY_REMOVED]
    assert (new, removed) == (["本年改写：" + rewritten[::-1]], [rewritten])


def test_this_years_own_archive_as_last_year_stops_the_run(two_years, tmp_path, capsys):
    """An office that copies this year's archive of an earlier round into config as 「上年档案」
    got a 年度对比 titled 「与上年档案…（2026年度）对比」 on a 2026 run, comparing the year with
    itself. Now an archive whose marker (or file name) gives this run's year or a later one
    stops the run, naming both years and what to do."""
    this, _ = two_years
    identity = archives.read_identity(this)
    assert identity is not None and identity.year == 2026  # the precondition
    config = tmp_path / "config"
    shutil.copytree(this.parents[1] / "config", config)
    copy = config / "上年档案.xlsx"
    shutil.copy(this, copy)
    write_settings(config, '[body]\nyear = 2026\n\n[history]\nlast_archive = "上年档案.xlsx"\n')
    capsys.readouterr()
    code, made = _process(
        this.parents[1] / "inbox", config, tmp_path / "out", "2026-05-01T09:00:00"
    )
    assert code == 2 and made is None
    err = capsys.readouterr().err
    assert "是 2026 年度的档案，不是本次处理的 2026 年度的上一年度" in err
