"""The synthetic body generator: deterministic, valid where clean, faulty exactly where it says."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import msoffcrypto
import pytest
from python_calamine import CalamineWorkbook

from pipeline import config, demo, vocab

REPO = Path(__file__).resolve().parent.parent
SHIPPED = {"people": 30, "seed": 2026, "error_rate": 0.15, "real_offices": True}


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    """A sheet's cells from A1 (no empty area skipped), so A1 references index it directly."""
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cell_value(rows: list[list[object]], ref: str) -> object:
    letters = "".join(ch for ch in ref if ch.isalpha())
    row = int(ref[len(letters) :]) - 1
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    col -= 1
    if row >= len(rows) or col >= len(rows[row]):
        return ""
    return rows[row][col]


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """120 people, half the forms anomalous: every kind of fault appears."""
    root = tmp_path_factory.mktemp("big")
    manifest = demo.write_demo(root, people=120, seed=3, error_rate=0.5)
    return root, manifest


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("clean")
    return root, demo.write_demo(root, people=40, seed=5, error_rate=0.0)


# --------------------------------------------------------------------------------------
# The generator's word lists agree with vocab.py
# --------------------------------------------------------------------------------------
def test_junk_values_are_not_accepted_synonyms() -> None:
    for field, values in demo.BAD_ENUM_VALUES.items():
        for value in values:
            assert vocab.fold(value) not in vocab.ENUM_LOOKUP[field], (field, value)


def test_folded_values_and_synonym_labels_map_back() -> None:
    for field, table in demo.FOLDED_VALUES.items():
        for canonical, variant in table.items():
            assert vocab.ENUM_LOOKUP[field][vocab.fold(variant)] == canonical
    for key, labels in demo.COLUMN_VARIANTS.items():
        for label in labels:
            assert vocab.COLUMN_LOOKUP[vocab.fold(label)] == key, label
    for key, labels in demo.HEADER_VARIANTS.items():
        for label in labels:
            assert vocab.HEADER_LOOKUP[vocab.fold(label)] == key, label
    extra = vocab.fold(demo.EXTRA_COLUMN[0])
    assert extra not in vocab.COLUMN_LOOKUP and extra not in vocab.HEADER_LOOKUP
    assert vocab.COLUMN_LOOKUP[vocab.fold(demo.MEASURES_VARIANT_LABEL)] == "measures"


def test_measure_texts_do_not_contain_split_markers() -> None:
    """A combined 防控措施 cell built from them must split only at its own labels."""
    markers = [m for words in vocab.MEASURE_MARKERS.values() for m in words]
    banks = [demo.COMMON_BANK, *demo.SECTION_BANKS.values()]
    for bank in banks:
        for entry in bank:
            for text in entry[3:]:
                assert not any(m in text for m in markers), text


# --------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------
def test_same_seed_same_bytes_and_manifest(tmp_path: Path, monkeypatch) -> None:
    a = demo.write_demo(tmp_path / "a", people=25, seed=9, error_rate=0.4)
    # the second run writes through worker processes: chunking must not change anything
    monkeypatch.setattr(demo, "PARALLEL_MIN_FILES", 5)
    b = demo.write_demo(tmp_path / "b", people=25, seed=9, error_rate=0.4)
    assert a == b
    for part in ("inbox", "config"):
        assert tree(tmp_path / "a" / part) == tree(tmp_path / "b" / part)
    mtimes = [
        {p.relative_to(root).as_posix(): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}
        for root in (tmp_path / "a" / "inbox", tmp_path / "b" / "inbox")
    ]
    assert mtimes[0] == mtimes[1]
    assert (tmp_path / "a" / demo.MANIFEST_FILE).read_bytes() == (
        tmp_path / "b" / demo.MANIFEST_FILE
    ).read_bytes()
    c = demo.write_demo(tmp_path / "c", people=25, seed=10, error_rate=0.4)
    assert c != a
    assert tree(tmp_path / "c" / "inbox") != tree(tmp_path / "a" / "inbox")


# --------------------------------------------------------------------------------------
# Roster and clean forms
# --------------------------------------------------------------------------------------
def test_roster_round_trips_through_config(big: tuple[Path, dict]) -> None:
    root, manifest = big
    roster = config.load_roster(root / "config")
    assert roster.problems == []
    assert len(roster.people) == 120
    assert roster.people["name"].is_unique
    assert set(roster.people["post_type"]) <= set(vocab.POST_TYPES)
    assert roster.body_name == demo.BODY_NAME and roster.chair == manifest["body"]["chair"]
    assert roster.oversight == demo.OVERSIGHT
    sections = roster.sections.set_index("section")
    assert list(roster.sections["section"]) == manifest["body"]["sections"]
    assert demo.LEADERSHIP in sections.index and len(sections) == 1 + 5
    heads = roster.people[roster.people["is_head"]]
    assert sorted(heads["section"]) == sorted(sections.index)  # one head per section
    vice = roster.people[roster.people["post"] == demo.VICE_POST]["name"]
    assert 2 <= len(vice) <= 3
    assert set(sections.drop(demo.LEADERSHIP)["vice_chair"]) <= set(vice)


def test_clean_forms_hold_valid_vocabulary(clean: tuple[Path, dict]) -> None:
    root, manifest = clean
    roster = config.load_roster(root / "config")
    names = set(roster.people["name"])
    forms = [f for f in manifest["files"] if f["kind"]]
    assert forms and all(f["anomaly"] is None for f in forms)
    checked = 0
    for f in forms:
        kind = f["kind"]
        rows = sheet_rows(root / "inbox" / f["file"], vocab.MAIN_SHEET[kind])
        header = [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in rows[demo.TABLE_HEADER_ROW - 1]]
        assert header == list(vocab.TABLE_COLUMNS[kind])
        assert cell_value(rows, "B2") == f["section"]
        if kind == vocab.INDIVIDUAL:
            assert cell_value(rows, "E2") in names
        data = [r for r in rows[demo.FIRST_DATA_ROW - 1 :] if any(v != "" for v in r[1:])]
        assert len(data) == f["rows"] == f["clean_rows"]
        assert 4 <= len(data) <= 12  # a superseded first version has fewer
        for r in data:
            record = dict(zip(header, r, strict=False))
            for key in vocab.REQUIRED_VALUES:
                assert record[key] != "", key
            for key, allowed in vocab.ENUMS.items():
                assert record[key] in allowed, (key, record[key])
            assert all(record[k] for k in vocab.MEASURE_FIELDS)
            checked += 1
    assert checked > 200


def test_clean_inbox_has_no_rejections(clean: tuple[Path, dict]) -> None:
    _, manifest = clean
    assert all(e["action"] != vocab.ACTION_REJECT for e in manifest["errors"])
    assert [e["code"] for e in manifest["errors"]] == ["superseded"]
    assert manifest["summary"]["rows_clean"] == manifest["summary"]["rows_total"]


def test_completeness_has_something_to_report(big: tuple[Path, dict]) -> None:
    root, manifest = big
    assert manifest["not_submitted"] and manifest["no_unit_form"]
    files = manifest["files"]
    assert any(f.get("late") for f in files)
    assert {f.get("pledge") for f in files if f["kind"] == vocab.INDIVIDUAL} >= {
        "ok",
        "missing",
        "empty",
    }
    for f in files:
        if f.get("pledge") == "missing":
            wb = CalamineWorkbook.from_path(str(root / "inbox" / f["file"]))
            assert vocab.SHEET_PLEDGE not in wb.sheet_names
    received = {(f["section"], f["name"]) for f in files if f["kind"] == vocab.INDIVIDUAL}
    for person in manifest["not_submitted"]:
        assert (person["section"], person["name"]) not in received


def test_resubmission_is_later_and_recorded(big: tuple[Path, dict]) -> None:
    root, manifest = big
    newer = [f for f in manifest["files"] if f.get("superseded")]
    assert len(newer) == 1
    older = next(f for f in manifest["files"] if f["file"] == newer[0]["superseded"][0])
    assert older["date"] < newer[0]["date"]
    assert (older["section"], older["name"]) == (newer[0]["section"], newer[0]["name"])
    assert "/" in newer[0]["file"]  # saved by the mail client into its own folder
    assert (root / "inbox" / older["file"]).stat().st_mtime < (
        root / "inbox" / newer[0]["file"]
    ).stat().st_mtime
    codes = [(e["file"], e["code"]) for e in manifest["errors"] if e["code"] == "superseded"]
    assert codes == [(older["file"], "superseded")]


# --------------------------------------------------------------------------------------
# Injected faults
# --------------------------------------------------------------------------------------
def test_error_rate_is_respected(big: tuple[Path, dict], clean: tuple[Path, dict]) -> None:
    summary = big[1]["summary"]
    forms = summary["individual_forms"] + summary["unit_forms"]
    assert abs(summary["forms_with_anomaly"] / forms - 0.5) < 0.03
    assert clean[1]["summary"]["forms_with_anomaly"] == 0


def test_every_fault_kind_appears(big: tuple[Path, dict]) -> None:
    codes = {e["code"] for e in big[1]["errors"]}
    expected = {
        "bad_enum",
        "missing_value",
        "missing_header_field",
        "not_in_roster",
        "empty_form",
        "corrupt",
        "not_excel",
        "encrypted",
        "text_too_long",
        "merged_cells",
        "blank_rows_skipped",
        "extra_column",
        "lock_file",
        "superseded",
    }
    assert expected <= codes
    anomalies = {f["anomaly"] for f in big[1]["files"]}
    assert {"foreign_layout", "combined_measures", "formula_text", "folded_values"} <= anomalies
    assert set(codes) <= set(vocab.MESSAGES)


def test_each_form_has_at_most_one_fault(big: tuple[Path, dict]) -> None:
    per_file: dict[str, int] = {}
    for e in big[1]["errors"]:
        per_file[e["file"]] = per_file.get(e["file"], 0) + 1
    assert max(per_file.values()) == 1
    for e in big[1]["errors"]:
        assert e["action"] == vocab.MESSAGES[e["code"]].action
        assert set(e) >= {"file", "sheet", "cell", "code", "action", "excel_row"}


def test_manifest_cells_hold_the_injected_values(big: tuple[Path, dict]) -> None:
    root, manifest = big
    seen = set()
    for e in manifest["errors"]:
        if not e["cell"]:
            continue
        path = root / "inbox" / e["file"]
        if path.suffix == ".csv":
            value = cell_value(csv_rows(path), e["cell"])
            assert e["code"] == "text_too_long"
            assert len(value) == demo.LONG_TEXT_CHARS > 32767
        else:
            rows = sheet_rows(path, e["sheet"])
            value = cell_value(rows, e["cell"])
            if e["code"] in ("bad_enum", "not_in_roster", "section_not_in_roster", "extra_column"):
                assert value == e["value"], e
            elif e["code"] in ("missing_value", "missing_header_field"):
                assert value in ("", None), e
            elif e["code"] == "merged_cells":
                wb = CalamineWorkbook.from_path(str(path))
                merged = wb.get_sheet_by_name(e["sheet"]).merged_cell_ranges
                first, last = e["range"].split(":")
                r1, r2 = int(first[1:]) - 1, int(last[1:]) - 1
                c = ord(first[0]) - 65
                assert ((r1, c), (r2, c)) in merged
                assert value in vocab.CATEGORIES
        if e["excel_row"] is not None:
            assert e["cell"].endswith(str(e["excel_row"]))
        seen.add(e["code"])
    assert {"bad_enum", "missing_value", "missing_header_field", "merged_cells"} <= seen


def test_row_faults_leave_the_other_rows_clean(big: tuple[Path, dict]) -> None:
    root, manifest = big
    row_faults = {e["file"]: e for e in manifest["errors"] if e["code"] == "bad_enum"}
    for f in manifest["files"]:
        if f["file"] in row_faults:
            assert f["clean_rows"] == f["rows"] - 1
            e = row_faults[f["file"]]
            rows = sheet_rows(root / "inbox" / f["file"], e["sheet"])
            header = [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in rows[2]]
            for i, r in enumerate(rows[3 : 3 + f["rows"]], start=4):
                if i == e["excel_row"]:
                    continue
                record = dict(zip(header, r, strict=False))
                for key, allowed in vocab.ENUMS.items():
                    assert record[key] in allowed


def test_unreadable_files_are_really_unreadable(big: tuple[Path, dict]) -> None:
    root, manifest = big
    by_code: dict[str, list[Path]] = {}
    for e in manifest["errors"]:
        by_code.setdefault(e["code"], []).append(root / "inbox" / e["file"])
    for path in by_code["corrupt"]:
        with pytest.raises(Exception):  # noqa: B017 - calamine raises several types
            CalamineWorkbook.from_path(str(path))
    for path in by_code["encrypted"]:
        with path.open("rb") as fh:
            assert msoffcrypto.OfficeFile(fh).is_encrypted()
    for path in by_code["not_excel"]:
        assert path.suffix in (".pdf", ".docx", ".txt")
    for path in by_code["lock_file"]:
        assert path.name.startswith("~$") and path.stat().st_size == 165


def test_accepted_variants_read_back(big: tuple[Path, dict]) -> None:
    root, manifest = big
    for f in manifest["files"]:
        path = root / "inbox" / f["file"]
        if f["anomaly"] == "formula_text":
            rows = sheet_rows(path, vocab.MAIN_SHEET[f["kind"]])
            for ref in f["variant_cells"]:
                value = cell_value(rows, ref)
                assert isinstance(value, str) and value[0] in demo.FORMULA_PREFIXES
        elif f["anomaly"] == "combined_measures":
            rows = sheet_rows(path, vocab.MAIN_SHEET[f["kind"]])
            labels = [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in rows[2]]
            assert "measures" in labels and "prevent" not in labels
            text = rows[3][labels.index("measures")]
            assert text.startswith("前期：") and "\n中期：" in text and "\n后期：" in text
        elif f["anomaly"] == "foreign_layout":
            rows = sheet_rows(path, vocab.MAIN_SHEET[f["kind"]])
            found = [
                i
                for i, r in enumerate(rows)
                if "description" in [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in r]
            ]
            assert found and found[0] > demo.TABLE_HEADER_ROW - 1  # moved down
            labels = [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in rows[found[0]]]
            assert sorted(k for k in labels if k) == sorted(vocab.TABLE_COLUMNS[f["kind"]])
        elif f["anomaly"] == "folded_values":
            rows = sheet_rows(path, vocab.MAIN_SHEET[f["kind"]])
            header = [vocab.COLUMN_LOOKUP.get(vocab.fold(c)) for c in rows[2]]
            for r in rows[3 : 3 + f["rows"]]:
                record = dict(zip(header, r, strict=False))
                for key in vocab.ENUMS:
                    assert vocab.fold(record[key]) in vocab.ENUM_LOOKUP[key]


def test_summary_adds_up(big: tuple[Path, dict]) -> None:
    root, manifest = big
    s = manifest["summary"]
    on_disk = [p for p in (root / "inbox").rglob("*") if p.is_file()]
    assert s["files_total"] == len(on_disk) == len(manifest["files"])
    assert s["rows_total"] == s["rows_clean"] + s["rows_rejected"]
    assert {p.relative_to(root / "inbox").as_posix() for p in on_disk} == {
        f["file"] for f in manifest["files"]
    }
    assert any("/" in f["file"] for f in manifest["files"])  # some in mail-client folders
    assert json.loads((root / demo.MANIFEST_FILE).read_text(encoding="utf-8")) == manifest


# --------------------------------------------------------------------------------------
# The repository's shipped demo and settings
# --------------------------------------------------------------------------------------
def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_shipped_demo_is_what_the_generator_makes(tmp_path: Path) -> None:
    demo.write_demo(tmp_path, **SHIPPED)
    made, shipped = tmp_path / "inbox", REPO / "inbox"
    names = {p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file()}
    ours = {
        p.relative_to(shipped).as_posix()
        for p in shipped.rglob("*")
        if p.is_file() and p.name != "README.txt"
    }
    assert ours == names
    for name in sorted(names):
        a, b = made / name, shipped / name
        if a.read_bytes() == b.read_bytes():
            continue
        # a change of formatting in templates.py may change bytes: the cells must still agree
        assert a.suffix == ".xlsx", name
        assert workbook_cells(b) == workbook_cells(a), name
    assert workbook_cells(tmp_path / "config" / "roster.xlsx") == workbook_cells(
        REPO / "config" / "roster.xlsx"
    )


def test_shipped_settings_spell_out_the_defaults() -> None:
    settings = config.load_settings(REPO / "config")
    defaults = config.default_settings()
    assert settings.body_name == demo.BODY_NAME and settings.year == demo.DEFAULT_YEAR
    for field in ("deadlines", "late_phase", "matrix", "floors", "supervision", "limits"):
        assert getattr(settings, field) == getattr(defaults, field), field
    text = (REPO / "config" / "settings.toml").read_text(encoding="utf-8")
    for table, values in config.DEFAULTS.items():
        assert f"[{table}" in text, table
        for key in values:
            assert key in text, key


def test_many_sections_get_distinct_names(tmp_path: Path) -> None:
    manifest = demo.write_demo(tmp_path, people=40, seed=4, error_rate=0.0, sections=8)
    roster = config.load_roster(tmp_path / "config")
    assert roster.problems == []
    assert len(roster.sections) == 1 + 8 and roster.sections["section"].is_unique
    assert len(manifest["no_unit_form"]) == 1
    units = {f["section"] for f in manifest["files"] if f["kind"] == vocab.UNIT}
    assert units == set(roster.sections["section"]) - set(manifest["no_unit_form"])


def test_command_line_writes_a_demo(tmp_path: Path) -> None:
    from pipeline.cli import main

    args = ["demo-data", "--people", "12", "--seed", "1", "--error-rate", "0.2"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "config" / vocab.ROSTER_FILE).exists()
    manifest = json.loads((tmp_path / demo.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["generator"] == {"people": 12, "seed": 1, "error_rate": 0.2, "year": 2026}
    assert len(list((tmp_path / "inbox").rglob("*.xlsx"))) >= 12
