"""What real offices send, added to a demo inbox (``write_demo(real_offices=True)``).

Four more files, decided from their own random stream so the rest of the demo is unchanged:

- a section's ``.zip`` (GBK names, a folder inside) holding a form of a person who had not
  submitted, without its pledge sheet, and that person's pledge written in Word;
- a saved ``.eml`` with two attachments: the unit form of the section that had sent none, and
  a photographed pledge of a person whose form has none;
- a scanned PDF pledge of another such person;
- a section table of the 亳州 kind: title row, one 风险等级 column (高/中/低), 科室, 姓名, 岗位
  merged over each person's block, a combined 防控措施 and the stated 部门负责人 / 责任领导.

The Chinese here is demo content (what offices write), not labels: labels come from vocab.py.
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import zipfile
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import xlsxwriter

from pipeline import config, templates, vocab

ZIP_DATE = (2026, 3, 20, 9, 30, 0)
MAIL_BOUNDARY = "----=_lianzheng_demo_boundary"
XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TABLE_TITLE = "{section}岗位廉政风险防控表"
TABLE_HEADER = (
    "序号",
    "科室",
    "姓名",
    "岗位",
    "风险环节",
    "风险类别",
    "风险点",
    "廉政风险主要内容及表现形式",
    "风险等级",
    "防控措施",
    "部门负责人",
    "责任领导",
)
TABLE_NOTE = "注：风险等级分高、中、低三级，按岗位实际填写。"
WRITTEN_LEVELS = ("高", "中", "低")
PLEDGE_TEXT = (
    "廉政承诺书",
    "本人郑重承诺：严格遵守廉洁自律各项规定，不以权谋私，不收受礼金礼品。",
    "自觉接受组织和群众监督。",
    "承诺人：{name}",
    "{date}",
)


def _form_bytes(form: dict[str, Any], with_pledge: bool) -> bytes:
    from pipeline.demo import _public_rows

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        templates.write_form(
            path,
            form["kind"],
            form["header"],
            _public_rows(form["kind"], form["rows"]),
            pledge_items=form.get("pledge_items") if with_pledge else None,
            pledger=form.get("pledger"),
            pledge_date=form.get("pledge_date"),
        )
        return path.read_bytes()


def _docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (
            (
                "[Content_Types].xml",
                (
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxml'
                    'formats.org/package/2006/content-types"><Override PartName="/word/document.xml"'
                    ' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                    'document.main+xml"/></Types>'
                ),
            ),
            (
                "word/document.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
                    f"{body}</w:body></w:document>"
                ),
            ),
        ):
            zf.writestr(zipfile.ZipInfo(name, ZIP_DATE), text)
    return buf.getvalue()


def _scan(kind: str, who: str) -> bytes:
    """Stand-ins for a scanned PDF and a phone photo of a signed pledge."""
    if kind == "pdf":
        return (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% scanned pledge of "
            + who.encode("utf-8")
            + b"\n%%EOF\n"
        )
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)


class _GbkName(zipfile.ZipInfo):
    """A zip member named in GBK without the UTF-8 flag, as Chinese Windows writes it."""

    def _encodeFilenameFlags(self):  # zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(_GbkName(name, ZIP_DATE), data)
    return buf.getvalue()


def _mail(sender: str, subject: str, sent: str, attachments: dict[str, bytes]) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender} <office@example.cn>"
    msg["To"] = "lianzheng@example.cn"
    msg["Subject"] = subject
    msg["Date"] = sent
    msg.set_content(f"{subject}，请查收附件。")
    for name, data in attachments.items():
        if name.endswith(".xlsx"):
            maintype, subtype = XLSX_MIME
        else:
            maintype, subtype = "image", "jpeg"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    msg.set_boundary(MAIL_BOUNDARY)
    return msg.as_bytes()


def _table(rows: list[list[Any]], merges: list[tuple[int, int, int, int]], title: str) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": datetime(2026, 3, 20)})
    ws = wb.add_worksheet("Sheet1")
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    head = wb.add_format({"border": 1, "bold": True, "align": "center"})
    big = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    width = len(TABLE_HEADER)
    ws.merge_range(0, 0, 0, width - 1, title, big)
    for c, label in enumerate(TABLE_HEADER):
        ws.write_string(1, c, label, head)
    merged = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in (c0,)}
    for r0, c0, r1, _c1 in merges:
        ws.merge_range(r0, c0, r1, c0, rows[r0 - 2][c0], cell)
    for i, row in enumerate(rows):
        r = i + 2
        for c, value in enumerate(row):
            if (r, c) in merged or value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value, cell)
            else:
                ws.write_number(r, c, value, cell)
    last = len(rows) + 2
    ws.merge_range(last, 0, last, width - 1, TABLE_NOTE)
    ws.set_column(0, width - 1, 14)
    wb.close()
    return buf.getvalue()


def add_real_office_files(
    out: Path,
    seed: int,
    year: int,
    body: dict[str, Any],
    forms: list[dict[str, Any]],
    missing: set[int],
    no_unit: str | None,
    manifest: dict[str, Any],
) -> list[dict[str, Any]]:
    """Write the four files into ``out/inbox`` and return their manifest entries (the files
    and the ground truth are updated in ``manifest``)."""
    from pipeline.demo import SECTION_BANKS, _risk_rows, _self_assess

    rng = random.Random(f"{seed}:real_offices")
    roster = config.load_roster(out / "config")
    settings = config.load_settings(out / "config")
    persons = body["people"]
    sections = {s["section"]: s for s in body["sections"]}
    business = [s for s in body["sections"] if s["section"] != vocab.LEADERSHIP_SECTION]
    inbox = out / "inbox"
    entries: list[dict[str, Any]] = []
    new_forms: list[dict[str, Any]] = []

    def bank(section: str) -> str:
        kind = sections[section]["kind"]
        return kind if kind in SECTION_BANKS else next(iter(SECTION_BANKS))

    def person_form(p: dict[str, Any], day: date) -> dict[str, Any]:
        rows = _risk_rows(rng, vocab.INDIVIDUAL, bank(p["section"]), 5, [p["post"]])
        return {
            "kind": vocab.INDIVIDUAL,
            "header": {"section": p["section"], "name": p["name"], "post": p["post"], "date": day},
            "rows": rows,
            "pledger": p["name"],
            "pledge_date": day.isoformat(),
        }

    no_pledge = [
        f
        for f in forms
        if f["kind"] == vocab.INDIVIDUAL and f.get("pledge") in ("missing", "empty")
    ]
    # 1. a section's zip: the form of a person who had not submitted, and their Word pledge
    late_comer = persons[min(missing)] if missing else rng.choice(persons[1:])
    section = late_comer["section"]
    zip_form = person_form(late_comer, date(year, 3, 20))
    new_forms.append(zip_form)
    # 2. a mail: the missing unit form and a photographed pledge
    unit_section = no_unit or rng.choice(business)["section"]
    posts = [p["post"] for p in persons if p["section"] == unit_section]
    unit_form = {
        "kind": vocab.UNIT,
        "header": {
            "section": unit_section,
            "head": sections[unit_section]["head"],
            "date": date(year, 3, 25),
        },
        "rows": _risk_rows(rng, vocab.UNIT, bank(unit_section), 6, list(dict.fromkeys(posts))),
    }
    new_forms.append(unit_form)
    _self_assess(rng, new_forms, roster, settings)
    day = f"{year}-03-20"
    name = late_comer["name"]
    zip_name = f"{section}报送材料.zip"
    (inbox / zip_name).write_bytes(
        _zip(
            {
                f"{section}/{name}_廉政风险自查表.xlsx": _form_bytes(zip_form, with_pledge=False),
                f"{section}/{name}_廉政承诺书.docx": _docx(
                    [t.format(name=name, date=day) for t in PLEDGE_TEXT]
                ),
            }
        )
    )
    entries.append(_entry(zip_name, "zip", section, name, day, len(zip_form["rows"])))

    photo_of = no_pledge[0] if no_pledge else None
    attachments = {f"单位廉政风险自查表（{unit_section}）.xlsx": _form_bytes(unit_form, False)}
    if photo_of is not None:
        attachments[f"{photo_of['name']}承诺书.jpg"] = _scan("jpg", photo_of["name"])
    mail_name = f"{year}-03-25 来自{unit_section}/{unit_section}报送.eml"
    (inbox / mail_name).parent.mkdir(parents=True, exist_ok=True)
    (inbox / mail_name).write_bytes(
        _mail(
            unit_section,
            f"{unit_section}单位廉政风险自查表",
            "Wed, 25 Mar 2026 10:00:00 +0800",
            attachments,
        )
    )
    entries.append(
        _entry(mail_name, "eml", unit_section, "", f"{year}-03-25", len(unit_form["rows"]))
    )

    # 3. a scanned PDF pledge
    pdf_of = no_pledge[1] if len(no_pledge) > 1 else None
    if pdf_of is not None:
        pdf_name = f"{pdf_of['name']}_廉政承诺书.pdf"
        (inbox / pdf_name).write_bytes(_scan("pdf", pdf_of["name"]))
        entries.append(_entry(pdf_name, "pledge", pdf_of["section"], pdf_of["name"], day, 0))

    # 4. a section table with owners per row and one written level
    table_section = rng.choice([s for s in business if s["section"] != section])["section"]
    members = [p for p in persons if p["section"] == table_section][:2]
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []
    head = sections[table_section]["head"]
    vice = sections[table_section]["vice_chair"]
    for p in members:
        start = len(rows) + 2
        picked = rng.sample(SECTION_BANKS[bank(table_section)], k=2)
        for j, (step, cat, desc, prevent, monitor, handle) in enumerate(picked):
            rows.append(
                [
                    len(rows) + 1,
                    p["section"] if j == 0 else None,
                    p["name"] if j == 0 else None,
                    p["post"] if j == 0 else None,
                    step,
                    vocab.CATEGORIES[cat],
                    step + "风险",
                    desc,
                    rng.choice(WRITTEN_LEVELS),
                    f"前期：{prevent}\n中期：{monitor}\n后期：{handle}",
                    head if j == 0 else None,
                    vice if j == 0 else None,
                ]
            )
        end = len(rows) + 1
        merges += [(start, c, end, c) for c in (1, 2, 3, 10, 11)]
    table_name = f"{table_section}岗位廉政风险防控表.xlsx"
    (inbox / table_name).write_bytes(
        _table(rows, merges, TABLE_TITLE.format(section=table_section))
    )
    entries.append(_entry(table_name, "row_owners", table_section, "", day, len(rows)))

    for entry in entries:  # the day each was received (lateness goes by it without a 填表日期)
        when = datetime.fromisoformat(entry["date"]).replace(hour=9).timestamp()
        os.utime(inbox / entry["file"], (when, when))
    _update(manifest, entries, late_comer, unit_section)
    return entries


def _entry(file: str, anomaly: str, section: str, name: str, day: str, rows: int) -> dict:
    return {
        "file": file,
        "kind": None,
        "section": section,
        "name": name,
        "date": day,
        "late": False,
        "rows": rows,
        "clean_rows": rows,
        "level_differs": 0,
        "anomaly": anomaly,
    }


def _update(
    manifest: dict[str, Any], entries: list[dict[str, Any]], late_comer: dict, unit: str
) -> None:
    manifest["files"] = sorted([*manifest["files"], *entries], key=lambda f: f["file"])
    manifest["not_submitted"] = [
        p
        for p in manifest["not_submitted"]
        if (p["section"], p["name"]) != (late_comer["section"], late_comer["name"])
    ]
    manifest["no_unit_form"] = [s for s in manifest["no_unit_form"] if s != unit]
    s = manifest["summary"]
    s["files_total"] += len(entries)
    s["real_office_files"] = len(entries)
    s["rows_total"] += sum(e["rows"] for e in entries)
    s["rows_clean"] += sum(e["clean_rows"] for e in entries)
    s["not_submitted"] = len(manifest["not_submitted"])
