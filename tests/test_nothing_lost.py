"""Nothing lost, counted from outside (SPEC "Nothing lost"): a random inbox (fixed seed) of good
forms, forms with bad rows, the same points sent by several people of a section, resubmissions
(a later 填表日期), unit forms, forms of people not in the roster, workbooks of one sheet per
person, a .zip of forms and broken files, run twice: the second time with the first run's
annotated copies corrected and mailed back. Each file's data rows are counted with openpyxl
(never the pipeline's reader), and after each run:

- every data row is in the catalogue's 来源 (file + row) or sent back at its own row in
  异常清单, or its file is refused as a whole or superseded, and 异常清单 says so;
- summary.json adds up: files.total is every file under INBOX, rows.total = accepted +
  rejected = the rows counted here of every file not superseded;
- each section's feedback folder (and its .zip) holds only that section's rows, issues and
  copies.

``check_seed`` serves the many-seed runs done by hand (``python -m tests.test_nothing_lost
FIRST LAST``); the suite runs one seed.
"""

from __future__ import annotations

import io
import json
import random
import re
import sys
import tempfile
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from pipeline import frames, run, vocab
from tests import forms
from tests.builders import write_config

SEED = 7
SECTIONS = ("办公室", "财务科", "宣传部")
NAMES = {
    "办公室": ("王芳", "何佳", "刘洋", "孙磊"),
    "财务科": ("赵敏", "钱军", "周静", "吴强"),
    "宣传部": ("郑丽", "冯涛", "何佳", "卫明"),  # 何佳: a namesake of 办公室's
}
POSTS = ("科员", "会计", "出纳", "干事")
STEPS = ("公文处理", "车辆管理", "采购", "报销", "招聘", "宣传稿审核")
DESCRIPTIONS = ("泄露信息", "公车私用", "虚报冒领", "优亲厚友", "=1+1", "@提醒", "-违规")
GOOD = {
    "category": ("岗位职责风险", "业务流程风险", "制度风险", "2"),
    "likelihood": ("高", "中", "低", "较高", "一般"),
    "harm": ("严重", "较重", "一般", "重大", "轻微"),
    "self_level": ("一级", "二级", "三级", "1", "Ⅱ级", None),
}
BAD = {
    "category": ("其他风险", "xyz"),
    "likelihood": ("很可能", "？"),
    "harm": ("极严重", "一般般"),
    "description": (None,),
}
DESCRIPTION_LABEL = vocab.COLUMN_LABELS["description"]
MEASURE_LABELS = {vocab.COLUMN_LABELS[k] for k in vocab.MEASURE_FIELDS}
JOINED = "joined:"
READ, REJECTED, SUPERSEDED = (
    frames.FILE_STATUS_READ,
    frames.FILE_STATUS_REJECTED,
    frames.FILE_STATUS_SUPERSEDED,
)


def _roster() -> tuple[list[tuple[str, ...]], list[tuple[str, str, str]]]:
    people = [
        ("领导班子", "陈主席", "主席", "领导班子正职", "否"),
        ("领导班子", "李副主席", "副主席", "一般管理服务", "否"),
    ]
    sections = [("领导班子", "陈主席", "")]
    for s_i, section in enumerate(SECTIONS):
        for i, name in enumerate(NAMES[section]):
            post = "科长" if i == 0 else POSTS[(i + s_i) % len(POSTS)]
            post_type = ("人财物管理", "一般管理服务", "民生密切相关", "其他")[(i + s_i) % 4]
            people.append((section, name, post, post_type, "是" if i == 0 else "否"))
        sections.append((section, NAMES[section][0], "李副主席"))
    return people, sections


def _row(rnd: random.Random, i: int, bad: float, shared: list[dict[str, Any]]) -> dict[str, Any]:
    if shared and rnd.random() < 0.25:  # the same point as another person of the section
        return dict(rnd.choice(shared), seq=i)
    row = forms.sample_row(
        i,
        step=rnd.choice(STEPS) + str(rnd.randint(1, 3)),
        description=rnd.choice(DESCRIPTIONS) + str(rnd.randint(1, 9)),
        **{k: rnd.choice(v) for k, v in GOOD.items()},
    )
    if rnd.random() < bad:
        field = rnd.choice(sorted(BAD))
        row[field] = rnd.choice(BAD[field])
    else:
        shared.append(row)
    return row


class Inbox:
    """The files written, by path relative to INBOX (zip members as ``外层.zip/内层.xlsx``)."""

    def __init__(self, root: Path, rnd: random.Random) -> None:
        self.root = root
        self.rnd = rnd
        self.shared: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
        self.zipped: dict[str, bytes] = {}

    def form(
        self, section: str, name: str, post: str, kind: str, when: datetime, written: str = ""
    ) -> bytes:
        """A form of ``section``'s people; ``written``: the 科室 its header names instead."""
        rnd = self.rnd
        rows = [_row(rnd, i + 1, 0.3, self.shared[section]) for i in range(rnd.randint(0, 5))]
        header = {"section": written or section, "name": name, "post": post, "date": when}
        if kind == vocab.UNIT:
            header["head"] = NAMES[section][0]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "f.xlsx"
            if kind == vocab.INDIVIDUAL and rnd.random() < 0.2:  # one sheet per person
                members = rnd.sample(range(1, len(NAMES[section])), 2)
                sheets = {
                    NAMES[section][m]: forms.form_grid(
                        kind,
                        header=dict(header, name=NAMES[section][m], post=POSTS[m]),
                        rows=[
                            _row(rnd, i + 1, 0.3, self.shared[section])
                            for i in range(rnd.randint(1, 4))
                        ],
                    )
                    for m in members
                }
                forms.write_xlsx(path, {k: self.lines(g) for k, g in sheets.items()})
                if rnd.random() < 0.3:  # a person's sheet hidden
                    wb = openpyxl.load_workbook(path)
                    wb.worksheets[-1].sheet_state = "hidden"
                    wb.save(path)
            else:
                grid = self.lines(forms.form_grid(kind, header=header, rows=rows))
                forms.write_form(path, kind=kind, grid=grid, marker=rnd.random() < 0.7)
            if rnd.random() < 0.15:  # a row hidden
                wb = openpyxl.load_workbook(path)
                ws = wb.worksheets[0]
                ws.row_dimensions[rnd.randint(4, max(4, ws.max_row))].hidden = True
                wb.save(path)
            return path.read_bytes()

    def lines(self, grid: list[list[Any]]) -> list[list[Any]]:
        """Blank rows among the points, a line of only measures under one, a 注： line."""
        rnd = self.rnd
        width = len(grid[2])
        head, data = grid[:3], grid[3:]
        out: list[list[Any]] = []
        for row in data:
            out.append(row)
            if rnd.random() < 0.1:
                out.append([None] * width)
            if rnd.random() < 0.1:
                out.append(
                    [
                        rnd.choice(("加强学习", "定期抽查")) if label in MEASURE_LABELS else None
                        for label in grid[2]
                    ]
                )
        if rnd.random() < 0.15:
            out.append(["注：风险等级按填表说明评定。"] + [None] * (width - 1))
        return head + out

    def table(self, section: str) -> bytes:
        """A section's table of many people's points, 科室 and 姓名 on every row."""
        rnd = self.rnd
        columns = list(vocab.TABLE_COLUMNS[vocab.INDIVIDUAL])
        head = ["科室", "姓名", "岗位"] + [vocab.COLUMN_LABELS[c] for c in columns]
        grid: list[list[Any]] = [[section + "廉政风险点汇总表"], head]
        for i in range(rnd.randint(1, 6)):
            m = rnd.randrange(len(NAMES[section]))
            name = NAMES[section][m] if rnd.random() < 0.9 else "王小明"
            row = _row(rnd, i + 1, 0.3, self.shared[section])
            grid.append([section, name, POSTS[m]] + [row.get(c) for c in columns])
        with tempfile.TemporaryDirectory() as tmp:
            path = forms.write_xlsx(Path(tmp) / "t.xlsx", {"汇总": grid})
            return path.read_bytes()

    def put(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def write_inbox(root: Path, seed: int) -> Path:
    rnd = random.Random(seed)
    inbox = Inbox(root / "inbox", rnd)
    for k in range(rnd.randint(14, 22)):
        section = rnd.choice(SECTIONS)
        m = rnd.randrange(len(NAMES[section]))
        name, post = NAMES[section][m], ("科长" if m == 0 else POSTS[m])
        kind = vocab.UNIT if rnd.random() < 0.15 else vocab.INDIVIDUAL
        odd = rnd.random()
        if odd < 0.08:
            name = "王小明"  # not in the roster
        elif odd < 0.12 and kind == vocab.INDIVIDUAL:
            name = ""  # 姓名 left blank
        elif odd < 0.16:
            section = rnd.choice([s for s in SECTIONS if s != section])  # 科室 written wrong
        written = "综合科" if 0.16 <= odd < 0.19 else ""  # a section not in the roster
        when = datetime(2026, 3, rnd.randint(1, 28))
        data = inbox.form(section, name, post, kind, when, written)
        stem = f"{section}_{name}" + ("_单位" if kind == vocab.UNIT else "")
        where = rnd.random()
        if where < 0.15:
            inbox.zipped[f"{k:02d}_{stem}.xlsx"] = data
        elif where < 0.3:
            inbox.put(f"2026-03-{rnd.randint(10, 28):02d} 来自{name}/{stem}.xlsx", data)
        else:
            inbox.put(f"{k:02d}_{stem}.xlsx", data)
        if rnd.random() < 0.08:  # the same attachment saved twice
            inbox.put(f"{k:02d}_{stem}_副本.xlsx", data)
        if rnd.random() < 0.2:  # a resubmission, later dated
            later = when.replace(day=min(28, when.day + rnd.randint(1, 5)))
            inbox.put(f"{k:02d}_{stem}_修改版.xlsx", inbox.form(section, name, post, kind, later))
    for k in range(rnd.randint(0, 2)):  # a section's table, an owner on each row
        section = rnd.choice(SECTIONS)
        inbox.put(f"汇总{k}_{section}.xlsx", inbox.table(section))
    if inbox.zipped:
        if rnd.random() < 0.5:
            inbox.zipped["坏的.xlsx"] = b"PK\x03\x04" + bytes(40)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for member, data in inbox.zipped.items():
                folder = "材料/" if rnd.random() < 0.5 else ""
                z.writestr(folder + member, data)
        inbox.put("各科室材料.zip", buf.getvalue())
    some = next(iter((root / "inbox").rglob("*.xlsx")), None)
    if some is not None and rnd.random() < 0.7:
        data = some.read_bytes()
        inbox.put("损坏_截断.xlsx", data[: len(data) // 2])
    if rnd.random() < 0.5:
        inbox.put("~$办公室_何佳.xlsx", b"\x00" * 165)
    if rnd.random() < 0.5:
        inbox.put("说明.xlsx", "这不是表格".encode())
    if rnd.random() < 0.3:
        inbox.put("空文件.xlsx", b"")
    return root / "inbox"


def count_rows(data: bytes) -> dict[str, list[int]] | None:
    """Data rows (sheet -> Excel row numbers) under each sheet's table header, by openpyxl;
    None for a file openpyxl cannot open."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - the broken files: whatever openpyxl raises
        return None
    found: dict[str, list[int]] = {}
    for ws in wb.worksheets:
        labels: tuple[Any, ...] = ()
        under_point = False
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if not labels:
                if DESCRIPTION_LABEL in values:
                    labels = values
                    found[ws.title] = []
                continue
            filled = [i for i, v in enumerate(values) if v is not None and str(v).strip()]
            if not filled or str(values[filled[0]]).startswith("注："):
                under_point = False
                continue
            if under_point and all(labels[i] in MEASURE_LABELS for i in filled):
                found.setdefault(JOINED + ws.title, []).append(r)  # the point above's measures
                continue
            found[ws.title].append(r)
            under_point = True
    return found


def inbox_counts(inbox: Path) -> dict[str, dict[str, list[int]] | None]:
    counted: dict[str, dict[str, list[int]] | None] = {}
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        rel = path.relative_to(inbox).as_posix()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    if not member.endswith("/"):
                        counted[f"{rel}/{member}"] = count_rows(z.read(member))
        else:
            counted[rel] = count_rows(path.read_bytes())
    return counted


def read_outputs(out: Path) -> dict[str, Any]:
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    sheets = pd.read_excel(archive, sheet_name=None, engine="calamine", dtype=str)
    return {
        "catalogue": sheets[vocab.ARCHIVE_SHEET_CATALOGUE].fillna(""),
        "issues": sheets[vocab.ARCHIVE_SHEET_ISSUES].fillna(""),
        "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")),
    }


def check_run(inbox: Path, out: Path, result: frames.RunResult) -> list[str]:
    """Every violation of the accounting, as text (empty: all adds up)."""
    problems: list[str] = []
    o = read_outputs(out)
    catalogue, issues, summary = o["catalogue"], o["issues"], o["summary"]
    counted = inbox_counts(inbox)
    status = result.files.set_index("file")["status"].to_dict()
    missing = set(counted) - set(status)
    if missing:
        problems.append(f"files under INBOX not in the run's files: {sorted(missing)}")
    top = sum(1 for p in inbox.rglob("*") if p.is_file())
    if summary["files"]["total"] != top:
        problems.append(f"files.total {summary['files']['total']} != {top} under INBOX")
    rows = summary["rows"]
    if rows["total"] != rows["accepted"] + rows["rejected"]:
        problems.append(f"rows do not add up: {rows}")
    sources: Counter[tuple[str, int]] = Counter()
    for files_text, rows_text in zip(catalogue["来源文件"], catalogue["来源行"], strict=True):
        for file, row in zip(files_text.split("；"), rows_text.split("；"), strict=True):
            sources[(file, int(row))] += 1
    if sum(sources.values()) != rows["accepted"]:
        problems.append(f"catalogue sources {sum(sources.values())} != accepted {rows}")
    rejects = issues[issues["处理"] == vocab.ACTION_REJECT]
    sent_back: dict[str, set[tuple[str, int]]] = {}
    whole: set[str] = set()
    for rec in rejects.itertuples():
        found = re.fullmatch(r"[A-Z]+(\d+)", rec.单元格)
        if found:
            sent_back.setdefault(rec.文件, set()).add((rec.工作表, int(found.group(1))))
        whole.add(rec.文件)
    listed = set(issues["文件"])
    expected_total = 0
    for file, sheets in counted.items():
        state = status.get(file)
        if state != READ and file not in listed:
            problems.append(f"{file}: {state} but not in 异常清单")
        if state == SUPERSEDED or sheets is None:
            continue
        replaced = {
            rec.工作表
            for rec in issues[
                (issues["文件"] == file) & (issues["处理"] == vocab.ACTION_NOTE)
            ].itertuples()
            if "工作表已被替代" in rec.问题
        }
        joined = {s[len(JOINED) :]: r for s, r in sheets.items() if s.startswith(JOINED)}
        live = {s: r for s, r in sheets.items() if s not in replaced and not s.startswith(JOINED)}
        if state == READ:
            noted = {
                (rec.工作表, int(m.group(1)))
                for rec in issues[issues["文件"] == file].itertuples()
                if (m := re.fullmatch(r"[A-Z]+(\d+)", rec.单元格))
            }
            for sheet, rs in joined.items():
                if sheet in live:
                    for r in rs:
                        if (sheet, r) not in noted:
                            problems.append(f"{file}!{sheet}!{r}: measures line, no note")
        n = sum(len(r) for r in live.values())
        expected_total += n
        if not n:
            continue
        accepted = sum(c for (f, _), c in sources.items() if f == file)
        back = {at for at in sent_back.get(file, set()) if at[1] in live.get(at[0], ())}
        if state == REJECTED:
            if accepted or file not in whole:
                problems.append(f"{file}: rejected, {accepted} rows in the catalogue")
            continue
        if accepted + len(back) != n:
            problems.append(f"{file}: {n} rows, {accepted} in the catalogue, {len(back)} sent back")
        all_rows = {r for rs in live.values() for r in rs}
        for f, r in sources:
            if f == file and r not in all_rows:
                problems.append(f"{file}: catalogue names row {r}, no data row")
        if len(live) == 1:
            ((sheet, rs),) = live.items()
            for r in rs:
                if ((file, r) in sources) == ((sheet, r) in back):
                    problems.append(f"{file}!{r}: in the catalogue {(file, r) in sources}")
    if rows["total"] != expected_total:
        problems.append(f"rows.total {rows['total']} != {expected_total} counted by openpyxl")
    problems += check_feedback(out)
    return problems


def check_feedback(out: Path) -> list[str]:
    problems: list[str] = []
    for folder in sorted(p for p in (out / "科室反馈").iterdir() if p.is_dir()):
        section = folder.name
        books = list(folder.glob("*_反馈.xlsx"))
        if len(books) != 1:
            problems.append(f"{section}: {len(books)} feedback workbooks")
            continue
        sheets = pd.read_excel(books[0], sheet_name=None, engine="calamine", dtype=str)
        for name in ("风险点", "异常清单", "提交情况"):
            frame = sheets.get(name)
            if frame is None or "科室" not in frame:
                continue
            frame = frame.fillna("")
            if name == "异常清单":  # a form naming the wrong 科室 goes to its person's section
                frame = frame[~frame["姓名"].isin(NAMES.get(section, ()))]
            other = set(frame["科室"]) - {section, ""}
            if other and section != "未能识别科室":
                problems.append(f"{section}/{name} holds rows of {sorted(other)}")
        package = folder.with_suffix(".zip")
        if package.exists():
            with zipfile.ZipFile(package) as z:
                names = {Path(n).name for n in z.namelist() if not n.endswith("/")}
            here = {p.name for p in folder.rglob("*") if p.is_file()}
            if names != here:
                problems.append(f"{section}.zip holds {sorted(names ^ here)} unlike its folder")
    return problems


def correct_copies(out: Path, inbox: Path, rnd: random.Random) -> list[str]:
    """Mail the first run's annotated copies back, most corrected at their 退回 cells, some
    untouched, in a later mail folder or zipped by their section; returns their paths."""
    placed: list[str] = []
    zipped: dict[str, list[tuple[str, bytes]]] = {}
    fixes = {
        vocab.COLUMN_LABELS["category"]: "岗位职责风险",
        vocab.COLUMN_LABELS["likelihood"]: "中",
        vocab.COLUMN_LABELS["harm"]: "较重",
    }
    for copy in sorted((out / "科室反馈").rglob(f"*{vocab.ANNOTATED_SUFFIX}.xlsx")):
        if rnd.random() < 0.15:  # sent back untouched
            data = copy.read_bytes()
        else:
            data = _corrected(copy, fixes)
        section = copy.parent.name
        if rnd.random() < 0.3:
            zipped.setdefault(section, []).append((copy.name, data))
            placed.append(f"2026-04-02 来自{section}/{section}改正.zip/{copy.name}")
        else:
            target = inbox / "2026-04-02 来自各科室" / section / copy.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            placed.append(target.relative_to(inbox).as_posix())
    for section, members in zipped.items():
        target = inbox / f"2026-04-02 来自{section}" / f"{section}改正.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w") as z:
            for name, data in members:
                z.writestr(name, data)
    return placed


def _corrected(copy: Path, fixes: dict[str, str]) -> bytes:
    """The copy with every cell marked 退回 set right, as a section corrects it."""
    wb = openpyxl.load_workbook(copy)
    for ws in wb.worksheets:
        columns: dict[int, str] = {}
        for row in ws.iter_rows():
            if not columns:
                if any(c.value == DESCRIPTION_LABEL for c in row):
                    columns = {c.column: str(c.value) for c in row if c.value}
                continue
            for c in row:
                label = columns.get(c.column)
                if c.comment is None or "【退回】" not in c.comment.text:
                    continue
                if label in fixes:
                    c.value = fixes[label]
                elif label == DESCRIPTION_LABEL:
                    c.value = f"补填的风险点{c.row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_seed(seed: int, root: Path) -> tuple[list[str], dict[str, Any]]:
    """Both runs of one seed; (violations, what the draw held)."""
    people, sections = _roster()
    cfg = write_config(root, people, sections)
    inbox = write_inbox(root, seed)
    out = root / "out"
    first = run.process(inbox, cfg, out, run_time="2026-04-01T09:00:00")
    problems = [f"run 1: {p}" for p in check_run(inbox, out, first)]
    copies = correct_copies(out, inbox, random.Random(seed))
    second = run.process(inbox, cfg, out, run_time="2026-04-03T09:00:00")
    problems += [f"run 2: {p}" for p in check_run(inbox, out, second)]
    status = second.files.set_index("file")["status"].to_dict()
    for copy in copies:  # a copy mailed back replaces its original, or is its duplicate
        stem = Path(copy).stem.removesuffix(vocab.ANNOTATED_SUFFIX)
        originals = [  # (a copy's name holds its original's folders: 来自张三_张三_批注)
            f
            for f in status
            if f not in copies and stem in (Path(f).stem, f.rsplit(".", 1)[0].replace("/", "_"))
        ]
        if status.get(copy) != SUPERSEDED and not any(status[f] == SUPERSEDED for f in originals):
            problems.append(f"run 2: {copy} ({status.get(copy)}) replaced none of {originals}")
    held = {
        "copies": len(copies),
        "status": Counter(first.files["status"]),
        "status2": Counter(second.files["status"]),
        "contained": int(first.files["container"].notna().sum()),
    }
    return problems, held


def test_every_row_and_file_is_accounted_for_over_two_rounds(tmp_path: Path) -> None:
    problems, held = check_seed(SEED, tmp_path)
    # precondition: the draw holds every case
    assert held["copies"] >= 1, held
    assert {READ, REJECTED, SUPERSEDED} <= set(held["status"]), held
    assert held["status2"][SUPERSEDED] > held["status"][SUPERSEDED], held
    assert held["contained"] >= 1, held
    assert not problems, "\n".join(problems)


if __name__ == "__main__":  # many seeds by hand: python -m tests.test_nothing_lost 0 50
    first_seed, last_seed = int(sys.argv[1]), int(sys.argv[2])
    for s in range(first_seed, last_seed):
        with tempfile.TemporaryDirectory() as tmp:
            found, what = check_seed(s, Path(tmp))
        print(s, "OK" if not found else "FAIL", dict(what["status"]), what["copies"], flush=True)
        for p in found:
            print("   ", p, flush=True)
