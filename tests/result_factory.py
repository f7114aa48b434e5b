"""A small but realistic RunResult built by hand, for the writers' tests.

``make_result(tmp_path)`` writes a tiny inbox (real .xlsx forms in the decided layout, an old
superseded version and a stray text file) under ``tmp_path / 'inbox'`` and returns the
RunResult the pipeline would produce for it, satisfying the contract in pipeline/frames.py.

What it holds (so tests can rely on it):
- body 示例区妇女联合会, year 2026, run_time 2026-04-20T09:30:00, default settings.
- Sections 办公室 (two individual forms), 财务/审计科 (a name needing care in paths; one
  individual form of a 人财物管理 post), 社会联络部 (a unit form only, submitted late).
- 11 data rows: 10 accepted, 1 rejected (李四.xlsx E5, 发生几率 '=高').
- 9 points, all three levels; two rows of 李四 merged into one point (source_row '4；6').
- Tricky text: descriptions/measures starting with '=', '+', '-', '@'; a control character
  (``TEXT_CONTROL``); a 40,000-character measure (``LONG_TEXT``).
- Issues: a 退回 row issue with a cell, a 退回 file-level issue (说明.txt), several 提示.
Overrides: any RunResult field by keyword (e.g. ``body_name='x'``, ``points=...``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.workbook.defined_name import DefinedName

from pipeline import config, formlayout, frames, merge, vocab
from pipeline.templates import form_row
from tests import oracle

BODY = "示例区妇女联合会"
YEAR = 2026
RUN_TIME = "2026-04-20T09:30:00"
SECTION_OFFICE = "办公室"
SECTION_FINANCE = "财务/审计科"  # '/' must not become a folder level
SECTION_LIAISON = "社会联络部"
SECTIONS = (SECTION_OFFICE, SECTION_FINANCE, SECTION_LIAISON)

FILE_ZHANG = "办公室/张三-个人自查表.xlsx"
FILE_ZHANG_OLD = "办公室/张三-个人自查表(旧).xlsx"
FILE_LI = "办公室/李四.xlsx"
FILE_WANG = "财务审计科/王五.xlsx"
FILE_UNIT = "社会联络部/单位自查表.xlsx"
FILE_STRAY = "说明.txt"

TEXT_FORMULA = "=1+1 审核把关不严，以文代审"
TEXT_PHONE = "+86 10 12345678 设立监督电话"
TEXT_MINUS = "-abc 严格执行公文审核制度"
TEXT_AT = "@x 发现问题及时纠正并通报"
TEXT_CONTROL = "超标准接待\x07，虚报接待人数"
LONG_TEXT = ("定期检查档案借阅登记情况。" * 4000)[:40000]
BAD_LIKELIHOOD = "=高"

_MTIME = 1_774_000_000.0  # fixed modification times keep results deterministic


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------
def make_roster() -> config.Roster:
    people = [
        ("领导班子", "赵主席", "主席", "领导班子正职", False),
        ("领导班子", "钱副主席", "副主席", "其他", False),
        (SECTION_OFFICE, "张三", "办公室主任", "一般管理服务", True),
        (SECTION_OFFICE, "李四", "文秘", "一般管理服务", False),
        (SECTION_OFFICE, "周六", "档案管理员", "其他", False),
        (SECTION_FINANCE, "孙七", "科长", "人财物管理", True),
        (SECTION_FINANCE, "王五", "会计", "人财物管理", False),
        (SECTION_LIAISON, "吴八", "部长", "民生密切相关", True),
        (SECTION_LIAISON, "郑九", "帮扶专干", "民生密切相关", False),
        (SECTION_LIAISON, "冯十", "干事", "一般管理服务", False),
    ]
    people_frame = pd.DataFrame(
        [
            {"section": s, "name": n, "post": p, "post_type": t, "is_head": h, "excel_row": i}
            for i, (s, n, p, t, h) in enumerate(people, start=2)
        ]
    )
    sections = pd.DataFrame(
        [
            {"section": SECTION_OFFICE, "head": "张三", "vice_chair": "钱副主席", "excel_row": 2},
            {"section": SECTION_FINANCE, "head": "孙七", "vice_chair": "钱副主席", "excel_row": 3},
            {"section": SECTION_LIAISON, "head": "吴八", "vice_chair": "钱副主席", "excel_row": 4},
        ]
    )
    return config.Roster(
        people=people_frame,
        sections=sections,
        body_name=BODY,
        chair="赵主席",
        oversight="区纪委派驻纪检组",
    )


# --------------------------------------------------------------------------------------
# The forms in the inbox: the decided layout (formlayout.py), written with openpyxl and only
# a stub guide sheet, so the feedback tests see no template text
# --------------------------------------------------------------------------------------
def _set_text(ws: Any, ref: str, value: object) -> None:
    cell = ws[ref]
    if isinstance(value, str):
        value = frames_safe(value)
        cell.value = value
        cell.data_type = "s"  # '=...' stays text, never a formula
    else:
        cell.value = value


def frames_safe(text: str) -> str:
    """Text an xlsx cell can hold (openpyxl refuses control characters)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


_ref = formlayout.ref
header_cells = formlayout.header_value_refs  # header key -> the A1 cell holding its value
column_letters = formlayout.column_letters  # table column key -> its letter


def write_form(path: Path, form: dict[str, Any]) -> None:
    """One of ``_forms()`` as a filled form (title, header block, table from row 4)."""
    kind, header, rows = form["kind"], form["header"], form["rows"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = vocab.MAIN_SHEET[kind]
    letters = column_letters(kind)
    title = formlayout.TITLE_ROW
    ws[_ref(title, 0)] = vocab.FORM_TITLES[kind]
    ws.merge_cells(f"{_ref(title, 0)}:{_ref(title, len(letters) - 1)}")
    hrow = formlayout.HEADER_ROW
    for key, label_col, first, last in formlayout.HEADER_BLOCK[kind]:
        ws[_ref(hrow, label_col)] = vocab.HEADER_LABELS[key]
        _set_text(ws, _ref(hrow, first), header.get(key))
        if last > first:
            ws.merge_cells(f"{_ref(hrow, first)}:{_ref(hrow, last)}")
    first_row = formlayout.FIRST_DATA_ROW + 1
    for key, letter in letters.items():
        ws[f"{letter}{formlayout.TABLE_HEADER_ROW + 1}"] = vocab.COLUMN_LABELS[key]
    for offset, row in enumerate(rows):
        for key, letter in letters.items():
            value = row.get(key, offset + 1 if key == "seq" else None)
            if value is not None and value != "":
                _set_text(ws, f"{letter}{first_row + offset}", value)
    if kind == vocab.INDIVIDUAL:
        fl = formlayout
        label, value = fl.PLEDGE_LABEL_COL, fl.PLEDGE_VALUE_COL
        ps = wb.create_sheet(vocab.SHEET_PLEDGE)
        ps[_ref(fl.PLEDGE_TITLE_ROW, label)] = vocab.PLEDGE_TITLE
        ps.merge_cells(f"{_ref(fl.PLEDGE_TITLE_ROW, label)}:{_ref(fl.PLEDGE_TITLE_ROW, value)}")
        ps[_ref(fl.PLEDGE_INTRO_ROW, label)] = "本人郑重承诺，严格遵守廉洁从政各项规定。"
        ps[_ref(fl.PLEDGE_HEADER_ROW, label)] = vocab.COLUMN_LABELS["seq"]
        ps[_ref(fl.PLEDGE_HEADER_ROW, value)] = vocab.PLEDGE_ITEMS_LABEL
        items = form["pledge"] or []
        for i in range(fl.pledge_item_count(len(items))):
            ps[_ref(fl.PLEDGE_FIRST_ITEM_ROW + i, label)] = i + 1
            if i < len(items):
                _set_text(ps, _ref(fl.PLEDGE_FIRST_ITEM_ROW + i, value), items[i])
        for key, row in fl.pledge_sign_rows(len(items)).items():
            ps[_ref(row, label)] = vocab.PLEDGE_LABELS[key]
            if form[key]:
                ps[_ref(row, value)] = form[key]
    guide = wb.create_sheet(vocab.SHEET_GUIDE)
    guide["A1"] = vocab.SHEET_GUIDE
    lists = wb.create_sheet(vocab.SHEET_LISTS)
    for i, value in enumerate(vocab.LEVELS, start=1):
        lists[f"A{i}"] = value
    lists.sheet_state = "hidden"
    marker = f'"{kind}:{vocab.TEMPLATE_VERSION}"'
    wb.defined_names[vocab.TEMPLATE_MARKER_NAME] = DefinedName(
        vocab.TEMPLATE_MARKER_NAME, attr_text=marker
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


# --------------------------------------------------------------------------------------
# The data: one dict per data row as the user wrote it
# --------------------------------------------------------------------------------------
_PLEDGE = ["严格遵守中央八项规定精神。", "不利用职务之便谋取私利。", "自觉接受组织和群众监督。"]


def _forms() -> list[dict[str, Any]]:
    """Every form file with its header, rows and status."""
    zhang_rows = [
        form_row(
            "公文审核",
            "岗位职责风险",
            TEXT_FORMULA,
            "高",
            "较重",
            "一级",
            TEXT_MINUS,
            TEXT_PHONE,
            TEXT_AT,
            "@备注 以此为准",
        ),
        form_row(
            "公务接待",
            "业务流程风险",
            TEXT_CONTROL,
            "中",
            "一般",
            "三级",
            "严格执行接待标准\n实行一事一单",
            "每月公开接待费用",
            "超标准部分个人承担",
        ),
        form_row(
            "办公用品采购",
            "制度机制风险",
            "采购程序不规范，未比价",
            "中",
            "较重",
            "三级",
            "执行政府采购目录",
            "采购与验收分离",
            "追回损失并问责",
        ),
    ]
    archive_lending = form_row(
        "档案借阅",
        "岗位职责风险",
        "违规提供档案查阅",
        "低",
        "较重",
        "三级",
        "落实借阅审批制度",
        "借阅登记",
        "责令整改",
    )
    li_rows = [
        archive_lending,
        form_row(
            "会议组织",
            "业务流程风险",
            "会议费虚列支出",
            BAD_LIKELIHOOD,
            "较重",
            "二级",
            "按标准编制预算",
            "会后核对签到",
            "追回资金",
        ),
        dict(archive_lending),  # the same point again: merged, both rows kept as sources
        form_row(
            "印章管理",
            "岗位职责风险",
            "未经批准使用印章",
            "中",
            "严重",
            "一级",
            "用印审批",
            LONG_TEXT,
            "严肃追责",
        ),
    ]
    wang_rows = [
        form_row(
            "资金支付",
            "岗位职责风险",
            "-未按规定审核支付凭证",
            "低",
            "一般",
            "三级",
            "双人复核",
            "定期对账",
            "追责问责",
        ),
        form_row(
            "报销审核",
            "业务流程风险",
            "报销单据审核不严",
            "中",
            "较重",
            "二级",
            "细化报销标准",
            "抽查报销单据",
            "退回并通报",
        ),
    ]
    unit_rows = [
        form_row(
            "困难帮扶资金发放",
            "外部环境风险",
            "优亲厚友，虚报冒领帮扶资金",
            "高",
            "严重",
            "一级",
            "公开评审",
            "资金发放公示",
            "追回资金并移交",
            posts_involved="帮扶专干、部长",
        ),
        form_row(
            "活动场地租赁",
            "制度机制风险",
            "+租赁价格明显偏高",
            "低",
            "较重",
            "三级",
            "集体决策",
            "合同审核",
            "重新招租",
            posts_involved="干事",
        ),
    ]
    return [
        {
            "file": FILE_ZHANG_OLD,
            "kind": vocab.INDIVIDUAL,
            "status": frames.FILE_STATUS_SUPERSEDED,
            "header": {
                "section": SECTION_OFFICE,
                "name": "张三",
                "post": "办公室主任",
                "date": date(2026, 3, 10),
            },
            "rows": zhang_rows[:1],
            "pledge": _PLEDGE,
            "pledger": "张三",
            "pledge_date": date(2026, 3, 10),
        },
        {
            "file": FILE_ZHANG,
            "kind": vocab.INDIVIDUAL,
            "status": frames.FILE_STATUS_READ,
            "header": {
                "section": SECTION_OFFICE,
                "name": "张三",
                "post": "办公室主任",
                "date": date(2026, 3, 20),
            },
            "rows": zhang_rows,
            "pledge": _PLEDGE,
            "pledger": "张三",
            "pledge_date": date(2026, 3, 20),
        },
        {
            "file": FILE_LI,
            "kind": vocab.INDIVIDUAL,
            "status": frames.FILE_STATUS_READ,
            "header": {
                "section": SECTION_OFFICE,
                "name": "李四",
                "post": "文秘",
                "date": date(2026, 3, 25),
            },
            "rows": li_rows,
            "pledge": [],
            "pledger": None,
            "pledge_date": None,
        },
        {
            "file": FILE_WANG,
            "kind": vocab.INDIVIDUAL,
            "status": frames.FILE_STATUS_READ,
            "header": {
                "section": SECTION_FINANCE,
                "name": "王五",
                "post": "会计",
                "date": date(2026, 3, 28),
            },
            "rows": wang_rows,
            "pledge": _PLEDGE[:2],
            "pledger": "王五",
            "pledge_date": date(2026, 3, 28),
        },
        {
            "file": FILE_UNIT,
            "kind": vocab.UNIT,
            "status": frames.FILE_STATUS_READ,
            "header": {"section": SECTION_LIAISON, "head": "吴八", "date": date(2026, 4, 2)},
            "rows": unit_rows,
            "pledge": None,
            "pledger": None,
            "pledge_date": None,
        },
    ]


def _write_inbox(inbox: Path) -> list[dict[str, Any]]:
    forms = _forms()
    for i, form in enumerate(forms):
        path = inbox / form["file"]
        write_form(path, form)
        os.utime(path, (_MTIME + i, _MTIME + i))
    stray = inbox / FILE_STRAY
    stray.write_text("请查收附件。\n", encoding="utf-8")
    os.utime(stray, (_MTIME, _MTIME))
    return forms


def _file_record(inbox: Path, rel: str) -> dict[str, Any]:
    path = inbox / rel
    data = path.read_bytes()
    return {
        "file": rel,
        "size": len(data),
        "mtime": path.stat().st_mtime,
        "sha256": hashlib.sha256(data).hexdigest(),
        "ext": path.suffix.lower(),
    }


def _point_id(section: str, post: str, step: str, description: str) -> str:
    key = "|".join(vocab.fold(x) for x in (section, post, step, description))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _completeness_issue(code: str, section: str, name: str, **where: str) -> dict[str, Any]:
    """frames.issue() cannot fill {name}/{section} placeholders (they are its own keywords)."""
    action, problem, fix = vocab.message(code, name=name, section=section)
    row = frames.issue("missing_value", section=section, name=name, **where)
    row.update({"action": action, "code": code, "problem": problem, "fix": fix})
    return row


def issue_at(file: str, code: str, cell: str = "", **values: Any) -> dict[str, Any]:
    """An issue on one of the inbox forms: its sheet (when a cell is named), section and
    person filled in from the form."""
    form = next(f for f in _forms() if f["file"] == file)
    return frames.issue(
        code,
        file=file,
        sheet=vocab.MAIN_SHEET[form["kind"]] if cell else "",
        cell=cell,
        section=form["header"]["section"],
        name=form["header"].get("name", ""),
        **values,
    )


# --------------------------------------------------------------------------------------
# The RunResult
# --------------------------------------------------------------------------------------
def make_result(tmp_path: Path, **overrides: Any) -> frames.RunResult:
    """A RunResult for a small inbox written under ``tmp_path / 'inbox'``."""
    inbox = tmp_path / "inbox"
    settings = config.default_settings()
    roster = make_roster()
    forms = _write_inbox(inbox)
    post_types = {(r.section, r.post): r.post_type for r in roster.people.itertuples()}

    # files ---------------------------------------------------------------------------
    file_records = []
    for form in forms:
        header = form["header"]
        kind = form["kind"]
        superseded = form["status"] == frames.FILE_STATUS_SUPERSEDED
        file_records.append(
            {
                **_file_record(inbox, form["file"]),
                "kind": kind,
                "status": form["status"],
                "reason": "superseded" if superseded else pd.NA,
                "sheet": vocab.MAIN_SHEET[kind],
                "section": header.get("section", pd.NA),
                "name": header.get("name", pd.NA),
                "post": header.get("post", pd.NA),
                "head": header.get("head", pd.NA),
                "date": header["date"].isoformat(),
                "pledge_sheet": kind == vocab.INDIVIDUAL,
                "pledge_items": len(form["pledge"] or []),
                "pledger": form["pledger"] or pd.NA,
                "pledge_date": form["pledge_date"].isoformat() if form["pledge_date"] else pd.NA,
                "n_rows": len(form["rows"]),
                "colmap": column_letters(kind),
                "header_cells": header_cells(kind),
            }
        )
    file_records.append(
        {
            **_file_record(inbox, FILE_STRAY),
            "kind": pd.NA,
            "status": frames.FILE_STATUS_REJECTED,
            "reason": "not_excel",
            "sheet": pd.NA,
            "section": pd.NA,
            "name": pd.NA,
            "post": pd.NA,
            "head": pd.NA,
            "date": pd.NA,
            "pledge_sheet": False,
            "pledge_items": 0,
            "pledger": pd.NA,
            "pledge_date": pd.NA,
            "n_rows": 0,
            "colmap": {},
            "header_cells": {},
        }
    )
    files = pd.DataFrame(file_records, columns=list(frames.FILE_COLUMNS))
    files = files.sort_values("file", kind="stable").reset_index(drop=True)

    # rows ----------------------------------------------------------------------------
    row_records = []
    read_forms = sorted(
        (f for f in forms if f["status"] == frames.FILE_STATUS_READ), key=lambda f: f["file"]
    )
    for form in read_forms:
        header = form["header"]
        for offset, raw in enumerate(form["rows"]):
            rec = {
                "row_id": len(row_records) + 1,
                "file": form["file"],
                "sheet": vocab.MAIN_SHEET[form["kind"]],
                "kind": form["kind"],
                "section": header["section"],
                "name": header.get("name", pd.NA),
                "post": header.get("post", pd.NA),
                "head": header.get("head", pd.NA),
                "date": header["date"].isoformat(),
                "excel_row": formlayout.FIRST_DATA_ROW + 1 + offset,
                "seq": str(offset + 1),
                **{
                    k: (raw.get(k) if raw.get(k) not in (None, "") else pd.NA)
                    for k in frames.ROW_FIELDS
                    if k != "seq"
                },
                "accepted": raw["likelihood"] != BAD_LIKELIHOOD,
            }
            rec["measures"] = pd.NA
            row_records.append(rec)
    rows = pd.DataFrame(row_records, columns=list(frames.ROW_COLUMNS))
    rows["row_id"] = rows["row_id"].astype("int64")
    rows["excel_row"] = rows["excel_row"].astype("int64")
    rows["accepted"] = rows["accepted"].astype(bool)
    rows["measures"] = rows["measures"].astype("str")

    # points --------------------------------------------------------------------------
    point_records: dict[str, dict[str, Any]] = {}
    colmaps = {r["file"]: r["colmap"] for r in file_records}
    for rec in row_records:
        if not rec["accepted"]:
            continue
        unit = rec["kind"] == vocab.UNIT
        post = rec["posts_involved"] if unit else rec["post"]
        pid = _point_id(rec["section"], post, rec["step"], rec["description"])
        if pid in point_records:  # exact duplicate: merge, keep every source
            point = point_records[pid]
            point["sources"].append((rec["file"], rec["excel_row"]))
            continue
        if unit:
            involved = [p for p in str(rec["posts_involved"]).replace("，", "、").split("、") if p]
            floors = [post_types.get((rec["section"], p)) for p in involved]
            ranked = sorted(
                (t for t in floors if t and oracle.POST_TYPE_FLOOR.get(t)),
                key=lambda t: oracle.MOST_SEVERE_FIRST.index(oracle.POST_TYPE_FLOOR[t]),
            )
            known = [t for t in floors if t]
            post_type = ranked[0] if ranked else (known[0] if known else vocab.POST_TYPES[-1])
        else:
            post_type = post_types[(rec["section"], rec["post"])]
        graded = oracle.graded(post_type, rec["likelihood"], rec["harm"], rec["self_level"])
        submitter = oracle.submitter_kind(roster, unit, rec["name"])
        assigned = oracle.supervisors(roster, rec["section"], submitter, graded["level"])
        point_records[pid] = {
            **rec,
            "name": "" if unit else rec["name"],
            "post": post,
            "self_level_cell": f"{colmaps[rec['file']]['self_level']}{rec['excel_row']}",
            "point_id": pid,
            "sources": [(rec["file"], rec["excel_row"])],
            **graded,
            **assigned,
        }
    for point in point_records.values():
        point["names"] = point["name"]
        point["source_file"] = "；".join(dict.fromkeys(f for f, _ in point["sources"]))
        point["source_row"] = "；".join(str(r) for _, r in point["sources"])
    point_columns = [
        *frames.ROW_COLUMNS,
        "self_level_cell",
        *frames.MERGE_COLUMNS,
        *frames.GRADE_COLUMNS,
        *frames.ASSIGN_COLUMNS,
    ]
    points = pd.DataFrame(list(point_records.values()), columns=point_columns)
    points["level_differs"] = points["level_differs"].astype(bool)
    points = points.reset_index(drop=True)
    # readable IDs as merge gives them (科室-姓名-序号, unit points 科室-单位-序号)
    owner = points["name"].where(points["name"] != "", vocab.POINT_ID_UNIT)
    points["point_id"] = merge.point_ids(points["section"], owner)

    # posts ---------------------------------------------------------------------------
    post_records = []
    for (section, post), grp in points.groupby(["section", "post"], sort=True):
        worst = (
            grp.assign(rank=grp["level"].map(vocab.LEVEL_RANK))
            .sort_values("rank", kind="stable")
            .iloc[0]
        )
        counts = grp["level"].value_counts()
        names = "、".join(n for n in dict.fromkeys(grp["names"]) if n)
        post_records.append(
            {
                "section": section,
                "post": post,
                "names": names,
                "post_type": worst["post_type"],
                "level": worst["level"],
                "level_reason": worst["level_reason"],
                "n_points": len(grp),
                **{lv: int(counts.get(lv, 0)) for lv in vocab.LEVELS},
            }
        )
    posts = pd.DataFrame(post_records)

    # submissions and pledges ---------------------------------------------------------
    deadline = f"{YEAR}-{settings.deadlines[settings.late_phase]}"
    by_person = {
        (f["header"]["section"], f["header"].get("name")): f
        for f in forms
        if f["kind"] == vocab.INDIVIDUAL and f["status"] == frames.FILE_STATUS_READ
    }
    sub_records = []
    pledge_records = []
    for person in roster.people.itertuples():
        if person.section not in SECTIONS:
            continue
        form = by_person.get((person.section, person.name))
        if form is None:
            status, when, file, note = vocab.STATUS_MISSING, pd.NA, pd.NA, ""
        else:
            when = form["header"]["date"].isoformat()
            status = vocab.STATUS_LATE if when > deadline else vocab.STATUS_ON_TIME
            file, note = form["file"], ""
            if person.name == "张三":
                note = f"{vocab.STATUS_SUPERSEDED}：{FILE_ZHANG_OLD}"
        sub_records.append(
            {
                "section": person.section,
                "name": person.name,
                "post": person.post,
                "form": vocab.FORM_KIND_LABEL[vocab.INDIVIDUAL],
                "status": status,
                "date": when,
                "deadline": deadline,
                "file": file,
                "note": note,
            }
        )
        if form is None:
            pledge_status, items, pdate = vocab.PLEDGE_STATUS_NO_FORM, 0, pd.NA
        elif not form["pledge"]:
            pledge_status, items, pdate = vocab.PLEDGE_STATUS_EMPTY, 0, pd.NA
        else:
            pledge_status, items = vocab.PLEDGE_STATUS_OK, len(form["pledge"])
            pdate = form["pledge_date"].isoformat()
        pledge_records.append(
            {
                "section": person.section,
                "name": person.name,
                "post": person.post,
                "date": pdate,
                "items": items,
                "status": pledge_status,
            }
        )
    for section in SECTIONS:
        unit_form = next(
            (f for f in forms if f["kind"] == vocab.UNIT and f["header"]["section"] == section),
            None,
        )
        if unit_form is None:
            status, when, file = vocab.STATUS_MISSING, pd.NA, pd.NA
        else:
            when = unit_form["header"]["date"].isoformat()
            status = vocab.STATUS_LATE if when > deadline else vocab.STATUS_ON_TIME
            file = unit_form["file"]
        head = roster.sections.set_index("section").loc[section, "head"]
        sub_records.append(
            {
                "section": section,
                "name": head,
                "post": vocab.ROLE_HEAD,
                "form": vocab.FORM_KIND_LABEL[vocab.UNIT],
                "status": status,
                "date": when,
                "deadline": deadline,
                "file": file,
                "note": "",
            }
        )
    submissions = (
        pd.DataFrame(sub_records)
        .sort_values(["section", "form", "name"], kind="stable")
        .reset_index(drop=True)
    )
    pledges = pd.DataFrame(pledge_records)

    # issues --------------------------------------------------------------------------
    rejected = rows.loc[~rows["accepted"]].iloc[0]
    li_points = points[points["file"] == FILE_LI]
    long_point = li_points[li_points["monitor"].str.len() > 32767].iloc[0]
    issue_rows = [
        frames.issue("not_excel", file=FILE_STRAY, detail="文本文件 .txt"),
        issue_at(FILE_ZHANG_OLD, "superseded", detail="人（办公室 张三）"),
        issue_at(
            FILE_LI,
            "bad_enum",
            cell=f"E{rejected['excel_row']}",
            field_key="likelihood",
            value=BAD_LIKELIHOOD,
            row_id=int(rejected["row_id"]),
            allowed=vocab.allowed_text(vocab.LIKELIHOODS),
        ),
        issue_at(
            FILE_LI,
            "text_too_long",
            cell=f"I{long_point['excel_row']}",
            field_key="monitor",
            value=len(LONG_TEXT),
            row_id=int(long_point["row_id"]),
            limit=32767,
        ),
        issue_at(
            FILE_LI,
            "duplicate_point",
            cell="B6",
            row_id=int(
                rows.loc[(rows["file"] == FILE_LI) & (rows["excel_row"] == 6), "row_id"].iloc[0]
            ),
            detail="第4行",
        ),
    ]
    for point in points[points["level_differs"]].itertuples():
        issue_rows.append(
            frames.issue(
                "level_differs",
                file=point.file,
                sheet=point.sheet,
                cell=point.self_level_cell,
                field_key="self_level",
                value=point.self_level,
                section=point.section,
                name=point.name,
                row_id=int(point.row_id),
                level=point.level,
                reason=point.level_reason,
                advice=vocab.LEVEL_DIFFERS_FIX_LOWERED.format(
                    self_level=point.self_level, level=point.level
                )
                if vocab.LEVEL_RANK[point.self_level] < vocab.LEVEL_RANK[point.level]
                else vocab.LEVEL_DIFFERS_FIX_RAISED,
            )
        )
    issue_rows += [
        _completeness_issue(
            "pledge_empty", SECTION_OFFICE, "李四", file=FILE_LI, sheet=vocab.SHEET_PLEDGE
        ),
        _completeness_issue("not_submitted", SECTION_OFFICE, "周六"),
        _completeness_issue("no_unit_form", SECTION_OFFICE, ""),
        _completeness_issue("no_unit_form", SECTION_FINANCE, ""),
        issue_at(
            FILE_UNIT,
            "late",
            cell="H2",
            field_key="date",
            value="2026-04-02",
            phase=vocab.PHASES[settings.late_phase],
            deadline=deadline,
        ),
    ]
    issues = frames.issues_frame(issue_rows)

    # counts (as run.count computes them) ---------------------------------------------
    status = files["status"].value_counts()
    accepted = int(rows["accepted"].sum())
    counts = {
        "files": {
            "total": len(files),
            "read": int(status.get(frames.FILE_STATUS_READ, 0)),
            "rejected": int(status.get(frames.FILE_STATUS_REJECTED, 0)),
            "superseded": int(status.get(frames.FILE_STATUS_SUPERSEDED, 0)),
        },
        "rows": {
            "total": len(rows),
            "accepted": accepted,
            "rejected": len(rows) - accepted,
        },
        "levels": {lv: int((points["level"] == lv).sum()) for lv in vocab.LEVELS},
        "points": len(points),
    }

    fields: dict[str, Any] = {
        "files": files,
        "rows": rows,
        "points": points,
        "posts": posts,
        "submissions": submissions,
        "pledges": pledges,
        "issues": issues,
        "counts": counts,
        "body_name": BODY,
        "year": YEAR,
        "run_time": RUN_TIME,
        "settings": settings,
        "roster": roster,
        "inbox": inbox,
    }
    fields.update(overrides)
    return frames.RunResult(**fields)
