"""The plain parts of the frames (pipeline/frames.py): the names of the columns a read form
gives, the files' statuses and one issue row, in plain Python: the read workers build their
results from these without importing pandas."""

from __future__ import annotations

import math
import sys
from typing import Any

from pipeline import vocab

# What the reader learns of a read form (its sheet, header block, pledge, row count, column
# map and header cells): the files frame's columns and the read batch's per-file record.
FORM_FIELDS = (
    "sheet",
    "section",
    "name",
    "post",
    "head",
    "date",
    "pledge_sheet",
    "pledge_items",
    "pledger",
    "pledge_date",
    "pledge_sheet_name",
    "pledge_date_cell",
    "n_rows",
    "colmap",
    "header_cells",
    "sheet_colmaps",
    "sheet_pledges",
    "sheet_dates",
    "empty_sheets",
    "labels",
)
# sheet_colmaps: "<sheet><BLOCK_SEP><Excel row>" holds the columns of the forms stacked on that
# sheet from that row on, when they differ from the form above (no sheet name holds a NUL)
BLOCK_SEP = "\x00"
FILE_STATUS_READ = "read"
FILE_STATUS_REJECTED = "rejected"
FILE_STATUS_SUPERSEDED = "superseded"

# A file rejected for one of these reasons was never parsed (or is hostile): no copy.
UNOPENABLE_REASONS = frozenset(
    {
        "lock_file",
        "not_excel",
        "empty_file",
        "corrupt",
        "encrypted",
        "too_large",
        "too_large_container",
        "zip_bomb",
        "xml_entities",
        "too_many_cells",
        "read_failed",
        "cannot_open",
        "worker_crashed",
        "reader_crashed",
        "symlink",
        "unsupported_content",
        "too_many_rows",
        "zip_encrypted",
        "mac_metadata",
        "zone_identifier",
        "folder_system_file",
        "download_unfinished",
        "pledge_file_unknown",
        "scratch_failed",
        "inbox_unpack_limit",
        "mail_part_apart",
        "mail_part_detached",
        "mail_part_deleted",
        "mail_part_reference",
        "mail_cut_short",
        "zip_cut_short",
        "file_changing",
        "mail_web_page",
        "unsafe_member_name",
    }
)

# Every table column a form may have (the unit form's), plus a combined 防控措施 column.
# Tables that name each row's owner (section and whole-body tables, one sheet per person) add
# the row's own section/name/post (and sheet), and the supervisors the form states itself.
ROW_FIELDS = (
    *vocab.TABLE_COLUMNS[vocab.UNIT],
    "measures",
    *vocab.OWNER_KEYS,
    "row_sheet",
    *vocab.STATED_KEYS,
)
ISSUE_COLUMNS = (
    "action",
    "code",
    "file",
    "sheet",
    "cell",
    "field",
    "value",
    "problem",
    "fix",
    "section",
    "name",
    "row_id",
)


def issue(
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    cell: str = "",
    field_key: str = "",
    value: object = "",
    section: object = "",
    name: object = "",
    row_id: int | None = None,
    **placeholders: object,
) -> dict[str, Any]:
    """One issue row built from a reason code; placeholders fill the message template.

    ``field`` and ``value`` are available to the template as ``{field}`` / ``{value}``;
    ``field_label`` (a placeholder) names the field as the form's header wrote it.
    """
    label = placeholders.pop("field_label", None) or (
        vocab.field_label(field_key) if field_key else ""
    )
    text_value = (
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    )
    placeholders.setdefault("section", text(section))
    placeholders.setdefault("name", text(name))
    action, problem, fix = vocab.message(code, field=label, value=text_value, **placeholders)
    return {
        "action": action,
        "code": code,
        "file": file,
        "sheet": sheet,
        "cell": cell,
        "field": label,
        "value": text_value,
        "problem": problem,
        "fix": fix,
        "section": text(section),
        "name": text(name),
        "row_id": row_id,
    }


def text(value: object) -> str:
    """A frame value as text: '' for a missing one (None, NaN, pandas' NA), else ``str``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or _is_na(value):
        return ""
    return str(value)


def stripped_text(value: object) -> str:
    """``text`` without the white space around it."""
    return text(value).strip()


def _is_na(value: object) -> bool:
    """``value is pd.NA``; without pandas imported no value is (the read workers)."""
    pd = sys.modules.get("pandas")
    return pd is not None and value is pd.NA
