"""Blank forms (input_templates/) and the writer of filled forms used by demo.py.

OWNED BY THE TEMPLATES HELPER — this stub only fixes the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_templates(out: Path) -> list[Path]:
    """Write 个人廉政风险自查表.xlsx, 单位廉政风险自查表.xlsx and 组织名册.xlsx to ``out``."""
    raise NotImplementedError


def write_form(
    path: Path,
    kind: str,
    header: dict[str, Any],
    rows: list[dict[str, Any]],
    pledge_items: list[str] | None = None,
    pledger: str | None = None,
    pledge_date: str | None = None,
    blank_rows: int = 0,
) -> None:
    """Write a filled form exactly like the template (same sheets, layout, marker)."""
    raise NotImplementedError


def write_roster(
    path: Path,
    people: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    unit: dict[str, Any] | None,
) -> None:
    """Write a roster workbook (人员 / 科室 / 单位 sheets); empty lists give the blank template."""
    raise NotImplementedError
