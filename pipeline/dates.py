"""Dates as users and Excel write them: the one date parser of the package (read, validate
and config call it; ``normalize`` applies it to columns).

Without pandas: the read workers parse the header dates and never import pandas. A value can
be one of pandas' objects (NA, NaT, Timestamp) only where pandas is imported (``_pandas``).
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from pipeline import vocab


def _pandas() -> Any:
    """pandas where this process has imported it, else None (then no value is its object)."""
    return sys.modules.get("pandas")


def _timestamp(value: Any) -> Any:
    """A numpy datetime64 as pandas converts it (numpy values come from pandas' frames)."""
    import pandas as pd

    return pd.Timestamp(value)


_EXCEL_EPOCH = date(1899, 12, 30)  # 1900 date system, serials from 61 on
_EXCEL_EPOCH_TIME = datetime(1899, 12, 30)
_EXCEL_LEAP_BUG_END = datetime(1900, 3, 1)
# Serials are only believed for plausible years (1950-2200): a bare '2012' typed as a date
# would otherwise become 1905-07-04, and 3.15 would become 1900-01-03.
_MIN_SERIAL = 18264  # 1950-01-01
_MAX_SERIAL = 110_000  # 2201-02-..
# separators as typed with a Chinese input method too: 2026。3。15, 2026、3、15
_DATE_TEXT = re.compile(
    r"(\d{4}|\d{2})\s*[-/.。、年]\s*(\d{1,2})\s*[-/.。、月]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?"
)
# A day without its year, as people type it: 3.15, 3-15, 3/15, 3月15日, 3月15号
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:[-/.。、]|月)\s*(\d{1,2})\s*[日号]?")
# the day of the week after a date, as calendars and phones write it: 星期日, 周一, （星期三）
_WEEKDAY = re.compile(r"\s*[(（]?\s*(?:星期|礼拜|周)[一二三四五六日天1-7]\s*[)）]?\s*$")
# the time of day after a date, as people write it: 上午, 下午3点, 下午3点半, 15时30分
_DAYTIME = re.compile(
    r"\s*(?:(?:上午|下午|中午|晚上|早上|凌晨)\s*(?:\d{1,2}\s*(?:[:：]\s*\d{2}|[时点]\s*"
    r"(?:\d{1,2}\s*分?|半)?))?|\d{1,2}\s*[时点]\s*(?:\d{1,2}\s*分?|半)?)\s*$"
)
_COMPACT = re.compile(r"(19|20|21)\d{6}")
_NUMERIC = re.compile(r"\d+(?:\.\d+)?")
# A run of Chinese numerals in a date: 二〇二六 (digit by digit), 十五, 三十一, 十
_CN_RUN = re.compile(f"[{vocab.DATE_CN_DIGITS}{vocab.DATE_CN_ZERO_LOOKALIKES}{vocab.DATE_CN_TEN}]+")
_CN_DIGIT = {c: str(i % 10) for i, c in enumerate(vocab.DATE_CN_DIGITS)}
_CN_DIGIT.update(dict.fromkeys(vocab.DATE_CN_ZERO_LOOKALIKES, "0"))


def _arabic(run: str) -> str:
    """One run of Chinese numerals as digits: 二〇二六 -> 2026, 十五 -> 15, 三十 -> 30
    (a run that is no number, such as 十十, is left as it is)."""
    tens, ten, units = run.partition(vocab.DATE_CN_TEN)
    if not ten:
        return "".join(_CN_DIGIT[c] for c in run)
    if len(tens) > 1 or len(units) > 1 or vocab.DATE_CN_TEN in units:
        return run
    return str(int(_CN_DIGIT.get(tens, "1")) * 10 + int(_CN_DIGIT.get(units, "0")))


def _with_arabic_numerals(text: str) -> str:
    """A date written in Chinese numerals (二〇二六年三月五日) in digits (2026年3月5日)."""
    if vocab.DATE_CN_MONTH not in text:
        return text
    return _CN_RUN.sub(lambda m: _arabic(m[0]), text)


def _from_serial(serial: float) -> str | None:
    if not (_MIN_SERIAL <= serial < _MAX_SERIAL):
        return None
    return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()


def _from_parts(year: object, month: object, day: object) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()  # type: ignore[call-overload]
    except (ValueError, TypeError):
        return None


def _disguised_number(value: datetime | date) -> str | None:
    """A number in a cell formatted as a date comes back as a day of 1900 (3.15 ->
    1900-01-03 03:36): give back the number as typed, '3.15'. None for real dates."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    if moment.year >= 1950:
        return None
    # Excel (and every reader) counts serials before 60 from 1899-12-31: it believes 1900-02-29
    epoch = _EXCEL_EPOCH_TIME + timedelta(days=1 if moment < _EXCEL_LEAP_BUG_END else 0)
    days = round((moment - epoch).total_seconds() / 86400, 6)
    return f"{days:.6f}".rstrip("0").rstrip(".")


def date_text(value: object) -> str | None:
    """What the user typed into a date cell, as text ('3.15' for a date-formatted 3.15)."""
    pd = _pandas()
    if isinstance(value, (datetime, date)) and not (pd and isinstance(value, pd.Timestamp)):
        disguised = _disguised_number(value)
        if disguised is not None:
            return disguised
    if value is None or (pd and (value is pd.NA or value is pd.NaT)):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


_TRAILING_PUNCT = "。.，,；;、 "


def read_date(value: object, year: int | None = None) -> tuple[str | None, bool]:
    """A date as users and Excel write it -> (ISO 'YYYY-MM-DD' or None, year_assumed).

    Full dates: datetime/date/Timestamp objects, Excel serial numbers (1900 system, 1950-2200,
    as numbers or numeric text), '2012/3/15', '2012.3.15', '2012-3-15', '2012年3月15日' (also in
    Chinese numerals, '二〇一二年三月十五日'), '2012。3。15' and '2012、3、15' (typed with a
    Chinese input method), '12.3.15' (a two-digit year is this century's), with or without a
    time or a day of the week after it ('星期四', '（周四）', '上午', '下午3点', '15时30分'), and '20120315'. With ``year`` also a day without its year — 3.15 (typed as
    a number or text), '3-15', '3/15', '3月15日' — in that year; ``year_assumed`` is then True.
    """
    pd = _pandas()
    if value is None or (pd and (value is pd.NA or value is pd.NaT)) or isinstance(value, bool):
        return None, False
    if pd and isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (datetime, date)):
        if _disguised_number(value) is None:
            return (value.date() if isinstance(value, datetime) else value).isoformat(), False
        return read_date(date_text(value), year)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        try:
            item = _timestamp(value) if "datetime" in str(value.dtype) else value.item()
        except (ValueError, TypeError, AttributeError):
            return None, False
        return read_date(item, year)
    if isinstance(value, (int, float)):
        if math.isnan(value):
            return None, False
        found = _compact_or_serial(float(value))
        if found is not None or float(value).is_integer():
            return found, False
        return read_date(repr(float(value)), year)
    text = _with_arabic_numerals(unicodedata.normalize("NFKC", str(value)).strip())
    text = text.rstrip(_TRAILING_PUNCT)  # a date line ended as a sentence: 2026年3月5日。
    if not text:
        return None, False
    if _NUMERIC.fullmatch(text):
        found = _compact_or_serial(float(text))
        if found is not None or "." not in text:
            return found, False
    text = _WEEKDAY.sub("", text) or text
    text = _DAYTIME.sub("", text) or text
    text = _WEEKDAY.sub("", text) or text  # 2026年3月15日（周日）上午
    match = _DATE_TEXT.fullmatch(text)
    if match:
        found_year, month, day = match.groups()
        if len(found_year) == 2:  # 26.3.15, 26年3月15日: this century's
            found_year = "20" + found_year
        return _from_parts(found_year, month, day), False
    match = _MONTH_DAY.fullmatch(text)
    if match and year:
        found = _from_parts(year, *match.groups())
        return found, found is not None
    return None, False


# A month without its day, as forms are often dated: 2026年3月, 2026-03, 2026/3, 二〇二六年三月
# (「2026年3月__日」: the day of the template's date line left blank is a month too)
_MONTH_ONLY = re.compile(
    r"(\d{4})\s*(?:年\s*(\d{1,2})\s*(?:月[\s_＿]*日?)?|[-/.。、]\s*(\d{1,2})\s*月?)"
)


def read_month(value: object) -> tuple[int, int] | None:
    """(year, month) of a text naming a month without its day ('2026年3月', '2026-03',
    '2026/3', '二〇二六年三月'), else None. Numbers are never months (2026.3 typed as a number is
    no date at all)."""
    if not isinstance(value, str):
        return None
    text = _with_arabic_numerals(unicodedata.normalize("NFKC", value).strip())
    match = _MONTH_ONLY.fullmatch(_WEEKDAY.sub("", text) or text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2) or match.group(3))
    if not (1950 <= year <= 2200 and 1 <= month <= 12):
        return None
    return year, month


def month_bounds(year: int, month: int) -> tuple[str, str]:
    """ISO first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first.isoformat(), (following - timedelta(days=1)).isoformat()


def parse_date(value: object, year: int | None = None) -> str | None:
    """``read_date``'s ISO date only."""
    return read_date(value, year)[0]


# A date line of the template left unfilled: 「    年  月  日」, 「2026年__月__日」 (the year printed)
_DATE_BLANK = re.compile(r"[\s_＿—-]*(?:\d{4})?[\s_＿—-]*年[\s_＿—-]*月[\s_＿—-]*日[\s_＿—-]*")


def is_blank_date(value: object) -> bool:
    """Whether a date cell holds only the template's 年 月 日 (a year at most): not filled in."""
    return (
        isinstance(value, str) and _DATE_BLANK.fullmatch(value.replace("\u3000", " ")) is not None
    )


def date_cell(value: object) -> str | None:
    """A header date cell as the reader hands it on: ISO when it is a full date, None when it
    holds only the template's 「  年  月  日」, else the text as written (validate resolves a day
    without its year and reports what it cannot read)."""
    if is_blank_date(value):
        return None
    return parse_date(value) or date_text(value)


def _compact_or_serial(number: float) -> str | None:
    if number.is_integer() and _COMPACT.fullmatch(str(int(number))):
        digits = str(int(number))
        return _from_parts(digits[:4], digits[4:6], digits[6:])
    return _from_serial(number)
