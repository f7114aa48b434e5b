"""normalize: enum folding, dates, combined 防控措施 splitting, text clean-up."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from pipeline import normalize, vocab

# SPEC's vocabulary table, every example it gives, plus spacing/width variants users type.
SPEC_SYNONYMS = [
    ("category", "岗位职责", "岗位职责风险"),
    ("category", "职责风险", "岗位职责风险"),
    ("category", "流程风险", "业务流程风险"),
    ("category", "制度风险", "制度机制风险"),
    ("category", "环境风险", "外部环境风险"),
    ("category", "1", "岗位职责风险"),
    ("category", "2", "业务流程风险"),
    ("category", "3", "制度机制风险"),
    ("category", "4", "外部环境风险"),
    ("category", "４", "外部环境风险"),
    ("category", "1.0", "岗位职责风险"),
    ("category", " 业务流程风险 ", "业务流程风险"),
    ("likelihood", "较高", "高"),
    ("likelihood", "大", "高"),
    ("likelihood", "较大", "高"),
    ("likelihood", "中等", "中"),
    ("likelihood", "一般", "中"),
    ("likelihood", "较低", "低"),
    ("likelihood", "小", "低"),
    ("likelihood", "较小", "低"),
    ("harm", "重", "严重"),
    ("harm", "重大", "严重"),
    ("harm", "高", "严重"),
    ("harm", "较大", "较重"),
    ("harm", "中", "较重"),
    ("harm", "轻", "一般"),
    ("harm", "较轻", "一般"),
    ("harm", "轻微", "一般"),
    ("harm", "低", "一般"),
    ("self_level", "1", "一级"),
    ("self_level", "1级", "一级"),
    ("self_level", "Ⅰ级", "一级"),
    ("self_level", "I级", "一级"),
    ("self_level", "i级", "一级"),
    ("self_level", "一", "一级"),
    ("self_level", "高", "一级"),
    ("self_level", "2", "二级"),
    ("self_level", "Ⅱ级", "二级"),
    ("self_level", "中", "二级"),
    ("self_level", "3", "三级"),
    ("self_level", "3.0", "三级"),
    ("self_level", "Ⅲ级", "三级"),
    ("self_level", "低", "三级"),
    ("self_level", "三 级", "三级"),
    # a single 风险等级 column of many public forms: 高风险 / 中风险 / 低风险
    ("self_level", "高风险", "一级"),
    ("self_level", "中风险", "二级"),
    ("self_level", "低风险", "三级"),
    # a dropdown's hint in brackets after the value, and 风险 after a digit level
    ("self_level", "一级（高）", "一级"),
    ("self_level", "高（一级）", "一级"),
    ("self_level", "三级 (低)", "三级"),
    ("self_level", "1级风险", "一级"),
    ("self_level", "Ⅱ级风险", "二级"),
    # A/B/C grading, A the highest
    ("self_level", "A级", "一级"),
    ("self_level", "b", "二级"),
    ("self_level", "C级风险", "三级"),
    ("self_level", "Ｂ类", "二级"),
    # 重大 / 较大 / 一般 as risk registers grade
    ("self_level", "重大", "一级"),
    ("self_level", "较大风险", "二级"),
    ("self_level", "一般", "三级"),
    # 风险点 after a level, 类 or 类风险 after a category (other bodies' dropdowns)
    ("self_level", "一级风险点", "一级"),
    ("self_level", "高风险点", "一级"),
    ("category", "岗位职责类", "岗位职责风险"),
    ("category", "业务流程类风险", "业务流程风险"),
    ("category", "外部环境类", "外部环境风险"),
    ("likelihood", "中（一般）", "中"),
    ("likelihood", "中等风险", "中"),
    ("harm", "严重【高】", "严重"),
]


@pytest.mark.parametrize(("field", "raw", "canonical"), SPEC_SYNONYMS)
def test_spec_synonyms_fold_to_canonical(field, raw, canonical):
    values, bad = normalize.fold_enum(pd.Series([raw], dtype="str"), field)
    assert values.tolist() == [canonical] and not bad.any()


@pytest.mark.parametrize(
    ("field", "raw", "canonical"),
    [
        (field, word, value)
        for field, synonyms in (
            ("category", vocab.CATEGORY_SYNONYMS),
            ("likelihood", vocab.LIKELIHOOD_SYNONYMS),
            ("harm", vocab.HARM_SYNONYMS),
            ("self_level", vocab.LEVEL_SYNONYMS),
        )
        for value, words in synonyms.items()
        for word in (value, *words)
    ],
)
def test_every_vocab_synonym_folds(field, raw, canonical):
    values, bad = normalize.fold_enum(pd.Series([raw]), field)
    assert values.tolist() == [canonical] and not bad.any()


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("category", "其他风险"),
        ("category", "5"),
        ("category", "高"),
        ("likelihood", "严重"),
        ("harm", "四级"),
        ("self_level", "10"),  # '1.0' folds to '10' in vocab.fold: must not pass as 一级
        ("self_level", "四级"),
        ("self_level", "1.5"),
        ("self_level", "*"),
        ("self_level", "二级（高）"),  # the hint says otherwise: not guessed
        ("self_level", "（高）"),
        ("self_level", "风险"),
        ("self_level", "五级风险"),
    ],
)
def test_unknown_values_are_bad(field, raw):
    values, bad = normalize.fold_enum(pd.Series([raw]), field)
    assert values.isna().all() and bad.all()


def test_blanks_stay_missing_and_are_not_bad():
    values, bad = normalize.fold_enum(pd.Series([None, "", "  ", np.nan, "高"]), "likelihood")
    assert values.isna().tolist() == [True, True, True, True, False]
    assert bad.tolist() == [False] * 5
    assert values.dtype == "str" and bad.dtype == bool


def test_numbers_from_excel_cells_fold():
    values, bad = normalize.fold_enum(pd.Series([1.0, 2, 3.0, None], dtype=object), "self_level")
    assert values.tolist()[:3] == ["一级", "二级", "三级"] and not bad.any()


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        (45000, "2023-03-15"),
        (45000.75, "2023-03-15"),
        ("45000", "2023-03-15"),
        (np.float64(46096), "2026-03-15"),
        ("2012/3/15", "2012-03-15"),
        ("2012.3.15", "2012-03-15"),
        ("2012-3-15", "2012-03-15"),
        ("2012-03-15", "2012-03-15"),
        ("2012年3月15日", "2012-03-15"),
        ("2012 年 3 月 15 日", "2012-03-15"),
        ("２０１２年３月１５日", "2012-03-15"),
        ("二〇一二年三月十五日", "2012-03-15"),  # Chinese numerals, as official papers write
        ("二零二六年十二月三十一日", "2026-12-31"),
        ("二〇二六年十月十日", "2026-10-10"),
        ("二○二六年三月十五日", "2026-03-15"),  # 〇 typed as the circle ○ (U+25CB)
        ("二◯二六年三月十五日", "2026-03-15"),  # or as ◯ (U+25EF)
        ("2012-03-15 08:30:00", "2012-03-15"),
        ("2012/3/15 8:30", "2012-03-15"),
        ("2012-03-15T08:30:00", "2012-03-15"),
        ("20120315", "2012-03-15"),
        # as people type them: a day of the week after it, a Chinese input method's separators,
        # a two-digit year
        ("2026年03月15日 星期日", "2026-03-15"),
        ("2026年3月15日（周日）", "2026-03-15"),
        ("2026/3/15 礼拜天", "2026-03-15"),
        ("2026。3。15", "2026-03-15"),
        ("2026、3、15", "2026-03-15"),
        ("26.3.15", "2026-03-15"),
        ("26年3月15日", "2026-03-15"),
        # the time of day after it, as people write it
        ("2026年03月15日上午", "2026-03-15"),
        ("2026年3月15日 下午3点", "2026-03-15"),
        ("2026年3月15日下午三点半", "2026-03-15"),
        ("2026-03-15 15时30分", "2026-03-15"),
        ("2026年3月15日（周日）上午", "2026-03-15"),
        # the date line ended as a sentence
        ("2026年3月15日。", "2026-03-15"),
        ("2026.3.15.", "2026-03-15"),
        (datetime(2026, 3, 1, 14, 5), "2026-03-01"),
        (date(2026, 3, 1), "2026-03-01"),
        (pd.Timestamp("2026-03-01 10:00"), "2026-03-01"),
        (np.datetime64("2026-03-01"), "2026-03-01"),
    ],
)
def test_dates_parse_to_iso(raw, iso):
    assert normalize.parse_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        None,
        pd.NA,
        pd.NaT,
        np.nan,
        "",
        "  ",
        "不详",
        "2012/2/30",
        "2012/13/1",
        "2012",
        12,
        True,
        "3月15日",
        "15/3/2012",
        "二〇一二年三月",
        "一二三",
    ],
)
def test_invalid_dates_are_none(raw):
    assert normalize.parse_date(raw) is None


@pytest.mark.parametrize(
    "raw, iso",
    [
        (3.15, "2026-03-15"),  # typed as a number
        ("3.15", "2026-03-15"),
        ("3月15日", "2026-03-15"),
        ("3月15号", "2026-03-15"),
        ("３月１５日", "2026-03-15"),
        ("三月十五日", "2026-03-15"),
        ("十二月二十日", "2026-12-20"),
        ("3-15", "2026-03-15"),
        ("03/15", "2026-03-15"),
        ("3。15", "2026-03-15"),
        ("3月15日 星期日", "2026-03-15"),
        (12.31, "2026-12-31"),
        # a number in a cell formatted as a date reads as a day of January 1900
        (datetime(1900, 1, 3, 3, 36), "2026-03-15"),
        (datetime(1900, 1, 12, 7, 26, 24), "2026-12-31"),
    ],
)
def test_a_day_without_its_year_is_in_the_given_year(raw, iso):
    assert normalize.read_date(raw, 2026) == (iso, True)
    assert normalize.read_date(raw) == (None, False)  # no year known: not a date
    assert normalize.parse_date(raw, 2026) == iso


@pytest.mark.parametrize("raw", ["2月30日", "13.5", "0.15", "3月", "二月三十日", "十十月一日"])
def test_impossible_days_without_a_year_are_not_dates(raw):
    assert normalize.read_date(raw, 2026) == (None, False)


def test_full_dates_are_not_assumed_and_serials_share_one_window():
    assert normalize.read_date("2025-03-15", 2026) == ("2025-03-15", False)
    assert normalize.read_date(46096, 2026) == ("2026-03-15", False)
    # the reader and validate use the same window: a bare year is never a serial
    assert normalize.date_cell(2026) == "2026" and normalize.parse_date(2026) is None
    assert normalize.date_cell(46096.0) == "2026-03-15"
    assert normalize.date_cell(datetime(1900, 1, 3, 3, 36)) == "3.15"


def test_the_year_most_dates_share():
    dates = pd.Series(["2026-03-01", "2025-12-30", "2026-03-02", None], dtype="str")
    assert normalize.common_year(dates) == 2026
    assert normalize.common_year(pd.Series(["2025-01-01", "2026-01-01"])) == 2026  # tie: later
    assert normalize.common_year(pd.Series([None], dtype="str")) is None


def test_parse_dates_column():
    out = normalize.parse_dates(pd.Series(["2026/3/1", None, "x", 46082.0], dtype=object))
    assert out.tolist()[0] == "2026-03-01" and out.isna().tolist() == [False, True, True, False]
    assert out.dtype == "str"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "前期预防：加强教育\n中期监控：定期检查\n后期处置：严肃追责",
            ("加强教育", "定期检查", "严肃追责", True),
        ),
        (
            "1.事前：明确审批权限；2.事中：双人复核；3.事后：定期审计",
            ("明确审批权限", "双人复核", "定期审计", True),
        ),
        (
            "（一）事前预防 严格执行制度\n（二）事中监控 加强检查\n（三）事后处置 追究责任",
            ("严格执行制度", "加强检查", "追究责任", True),
        ),
        ("（一）事中加强监督\n（二）事后通报", (None, "加强监督", "通报", True)),
        ("前期：学习…中期：检查…后期：问责", ("学习…", "检查…", "问责", True)),
        (
            "一、预防：签订承诺书 二、监控：抽查 三、处置：约谈",
            ("签订承诺书", "抽查", "约谈", True),
        ),
        ("① 事前：a ② 事后：b", ("a", None, "b", True)),
        ("总体要求如下。\n前期：学习\n后期：问责", ("总体要求如下。\n学习", None, "问责", True)),
        ("预防：学习\n预防：签承诺书", ("学习\n签承诺书", None, None, True)),
        ("防控措施：前期：学习；后期：问责", ("防控措施：\n学习", None, "问责", True)),
        ("一是事前预防，签承诺书；二是事中监控，抽查", ("签承诺书", "抽查", None, True)),
        ("加强学习，定期检查", ("加强学习，定期检查", None, None, False)),
        ("预防为主，加强监控：每月一次", ("预防为主，加强监控：每月一次", None, None, False)),
        ("1. 加强学习\n2. 定期检查", ("1. 加强学习\n2. 定期检查", None, None, False)),
        ("  \n ", (None, None, None, True)),
        (None, (None, None, None, True)),
    ],
)
def test_split_measures(text, expected):
    assert normalize.split_measures(text) == expected


def test_split_measures_series_keeps_index_and_blanks():
    series = pd.Series(["前期：a 中期：b", None, "随时检查"], index=[7, 8, 9], dtype="str")
    out = normalize.split_measures_series(series)
    assert out.index.tolist() == [7, 8, 9]
    assert out.loc[7, ["prevent", "monitor"]].tolist() == ["a", "b"]
    assert out["split_ok"].tolist() == [True, True, False]
    assert out.loc[9, "prevent"] == "随时检查" and pd.isna(out.loc[8, "prevent"])


def test_clean_text_strips_but_keeps_inner_lines_and_width():
    raw = pd.Series(["  第一行\n第二行  ", "\u3000", None, "ＡＢＣ", 12.0, 1.5], dtype=object)
    out = normalize.clean_text(raw)
    assert out.tolist()[0] == "第一行\n第二行"
    assert out.isna().tolist() == [False, True, True, False, False, False]
    assert out.tolist()[3:] == ["ＡＢＣ", "12", "1.5"]  # no NFKC on user text
    assert out.dtype == "str"


def test_fold_series_compares_widths_and_spacing():
    out = normalize.fold_series(pd.Series(["办 公 室", "办公室：", None]))
    assert out.tolist() == ["办公室", "办公室", ""]


def _plain_fold(text: str) -> str:
    """vocab.fold as SPEC words it: NFKC of the whole text, spacing and decoration dropped."""
    s = unicodedata.normalize("NFKC", vocab.INVISIBLE.sub("", text))
    return vocab._SPACE_PUNCT.sub("", s).upper()


def test_the_characters_fold_skips_are_ones_nfkc_never_changes_or_combines():
    stable = re.compile(f"[{vocab.NFKC_STABLE}]")
    in_pairs = set()  # both halves of every canonical composition
    for cp in range(0x110000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            in_pairs.update(chr(int(p, 16)) for p in parts)
    for cp in range(0x10000):
        c = chr(cp)
        if not stable.match(c):
            continue
        assert unicodedata.normalize("NFKC", c) == c, hex(cp)
        assert unicodedata.combining(c) == 0, hex(cp)
        # ASCII letters start compositions (e + U+0301): fold takes the one before a run along
        assert c not in in_pairs or cp < 0x80, hex(cp)


def test_long_texts_fold_as_plain_nfkc_would():
    # long Chinese text with full-width punctuation, ellipses, circled numbers, decomposed
    # accents, Hangul jamo, compatibility ideographs and Japanese voiced kana
    pool = [
        *"考勤记录不实，代签到或虚报加班。（）【】“”‘’、；：！？ …①②Ⅻ㎡℃",
        *"abcABC<=>e",
        *(chr(c) for c in range(0x300, 0x370)),
        *(chr(c) for c in (0x1100, 0x1161, 0x11A8, 0xAC00, 0xF900, 0x2F00, 0x304B, 0x3099)),
        *(chr(c) for c in (0x0B47, 0x0B3E, 0x212B, 0xFB01, 0x00A0, 0x3000, 0xFF21, 0x200B)),
    ]
    rng = random.Random(11)
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(150, 600))) for _ in range(3000)]
    assert any(len(t) > 200 for t in texts)
    for text in texts:
        assert vocab.fold(text) == _plain_fold(text), repr(text)


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("2026年3月", (2026, 3)),
        ("2026 年 12 月", (2026, 12)),
        ("2026-03", (2026, 3)),
        ("2026/3", (2026, 3)),
        ("二〇二六年三月", (2026, 3)),
        ("二○二六年三月", (2026, 3)),  # 〇 typed as the circle ○
        ("2026年3月__日", (2026, 3)),  # the template's day left blank
        ("2026年13月", None),  # no such month
        ("2026年3月15日", None),  # a day: read_date's, not a month
        (2026.3, None),  # a number is never a month
        ("三月", None),  # no year
    ],
)
def test_a_month_without_its_day_is_read_as_that_month(value: object, month: object) -> None:
    from pipeline import dates

    assert dates.read_month(value) == month


def test_month_bounds_end_on_the_months_last_day() -> None:
    from pipeline import dates

    assert dates.month_bounds(2026, 2) == ("2026-02-01", "2026-02-28")
    assert dates.month_bounds(2028, 2) == ("2028-02-01", "2028-02-29")
    assert dates.month_bounds(2026, 12) == ("2026-12-01", "2026-12-31")


@pytest.mark.parametrize(
    "value", ["    年  月  日", "2026年  月  日", "____年__月__日", "\u3000年\u3000月\u3000日"]
)
def test_the_templates_unfilled_date_line_is_no_date_at_all(value: str) -> None:
    """「    年  月  日」 as the template prints it: not filled in (validate says 未填写), not a
    date 「不是可识别的日期」."""
    from pipeline import dates

    assert dates.is_blank_date(value) and dates.date_cell(value) is None
    assert dates.date_cell("2026年3月15日") == "2026-03-15"  # a filled one is read
