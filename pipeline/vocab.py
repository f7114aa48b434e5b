"""Every Chinese word users see: labels, synonyms, enumerated values, sheet names, messages.

Nothing else in the package spells a Chinese header, sheet name or message. Code refers to
fields by their English key (``"category"``) and looks the Chinese up here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --------------------------------------------------------------------------------------
# Form kinds and the template marker
# --------------------------------------------------------------------------------------
INDIVIDUAL = "individual"
UNIT = "unit"
FORM_KINDS = (INDIVIDUAL, UNIT)
FORM_TITLES = {INDIVIDUAL: "个人廉政风险自查表", UNIT: "单位廉政风险自查表"}
FORM_KIND_LABEL = {INDIVIDUAL: "个人表", UNIT: "单位表"}

# A workbook-level defined name carries the marker, e.g. LZ_FORM = "individual:1".
TEMPLATE_MARKER_NAME = "LZ_FORM"
TEMPLATE_VERSION = 1
# The same marker as custom document properties (docProps/custom.xml).
TEMPLATE_PROPERTY_KIND = "lianzheng_form"
TEMPLATE_PROPERTY_VERSION = "lianzheng_form_version"

# --------------------------------------------------------------------------------------
# Sheet names
# --------------------------------------------------------------------------------------
SHEET_INDIVIDUAL = "个人廉政风险自查表"
SHEET_UNIT = "单位廉政风险自查表"
SHEET_PLEDGE = "廉政承诺书"
SHEET_GUIDE = "填表说明"
SHEET_LISTS = "可选值"  # hidden sheet holding dropdown lists in templates
MAIN_SHEET = {INDIVIDUAL: SHEET_INDIVIDUAL, UNIT: SHEET_UNIT}

ROSTER_FILE = "roster.xlsx"
SETTINGS_FILE = "settings.toml"
ROSTER_TITLE = "组织名册"
ROSTER_SHEET_PEOPLE = "人员"
ROSTER_SHEET_SECTIONS = "科室"
ROSTER_SHEET_UNIT = "单位"

# Archive sheets, in the order SPEC lists them.
ARCHIVE_SHEET_COVER = "说明"
ARCHIVE_SHEET_CATALOGUE = "岗位廉政风险和等级目录"
ARCHIVE_SHEET_POSTS = "岗位等级汇总"
ARCHIVE_SHEET_MATRIX = "防控措施矩阵"
ARCHIVE_SHEET_SECTIONS = "科室汇总"
ARCHIVE_SHEET_PLEDGES = "承诺书登记"
ARCHIVE_SHEET_SUBMISSIONS = "提交情况"
ARCHIVE_SHEET_NOTICE = "公示"
ARCHIVE_SHEET_ISSUES = "异常清单"
ARCHIVE_SHEET_STATS = "统计"
ARCHIVE_SHEETS = (
    ARCHIVE_SHEET_COVER,
    ARCHIVE_SHEET_CATALOGUE,
    ARCHIVE_SHEET_POSTS,
    ARCHIVE_SHEET_MATRIX,
    ARCHIVE_SHEET_SECTIONS,
    ARCHIVE_SHEET_PLEDGES,
    ARCHIVE_SHEET_SUBMISSIONS,
    ARCHIVE_SHEET_NOTICE,
    ARCHIVE_SHEET_ISSUES,
    ARCHIVE_SHEET_STATS,
)
ARCHIVE_FILE_TEMPLATE = "{year}_{body}_廉政风险信息档案.xlsx"
FEEDBACK_DIR = "科室反馈"
FEEDBACK_FILE_TEMPLATE = "{section}_反馈.xlsx"
ANNOTATED_SUFFIX = "_批注"  # 张三.xlsx -> 张三_批注.xlsx
SUMMARY_FILE = "summary.json"
LOG_FILE = "run.log"

# --------------------------------------------------------------------------------------
# Fields: English key -> canonical Chinese label, and accepted synonyms
# --------------------------------------------------------------------------------------
# Header block fields (above the table).
HEADER_LABELS = {
    "section": "科室",
    "name": "姓名",
    "post": "岗位（职务）",
    "date": "填表日期",
    "head": "科室负责人",
}
HEADER_SYNONYMS = {
    "section": ("部门", "单位/科室", "处室", "科室名称", "所在科室"),
    "name": ("填表人",),
    "post": ("岗位", "职务", "职位", "岗位名称"),
    "date": ("日期", "填报日期"),
    "head": ("部门负责人", "负责人"),
}
HEADER_FIELDS = {
    INDIVIDUAL: ("section", "name", "post", "date"),
    UNIT: ("section", "head", "date"),
}
# Header fields a form cannot be processed without.
REQUIRED_HEADER_FIELDS = {INDIVIDUAL: ("section", "name"), UNIT: ("section",)}

# Table columns.
COLUMN_LABELS = {
    "seq": "序号",
    "step": "职权事项（工作环节）",
    "posts_involved": "涉及岗位",
    "category": "风险类别",
    "description": "风险点描述",
    "likelihood": "发生几率",
    "harm": "危害程度",
    "self_level": "自评等级",
    "prevent": "前期预防措施",
    "monitor": "中期监控措施",
    "handle": "后期处置措施",
    "measures": "防控措施",  # combined column of real-world variants, split on reading
    "remark": "备注",
}
COLUMN_SYNONYMS = {
    "seq": ("编号", "序"),
    "step": ("职权事项", "工作环节", "重要环节", "关键环节", "业务事项", "职权事项(工作环节)"),
    "posts_involved": ("风险点涉及的岗位", "涉及关键岗位", "涉及的岗位"),
    "category": ("风险类型", "类别"),
    "description": (
        "风险点",
        "廉政风险点",
        "廉洁风险点",
        "风险点表现形式",
        "廉政风险主要内容及表现形式",
        "风险描述",
    ),
    "likelihood": ("发生概率", "几率", "可能性"),
    "harm": ("危害程序", "危害", "影响程度"),
    "self_level": ("风险等级", "等级", "自评风险等级"),
    "prevent": ("前期预防", "事前预防措施", "预防措施"),
    "monitor": ("中期监控", "事中监控措施", "监控措施"),
    "handle": ("后期处置", "事后处置措施", "处置措施"),
    "measures": ("防范措施", "防控要点及防控措施", "预防和控制措施", "防控要点"),
    "remark": ("说明",),
}
TABLE_COLUMNS = {
    INDIVIDUAL: (
        "seq",
        "step",
        "category",
        "description",
        "likelihood",
        "harm",
        "self_level",
        "prevent",
        "monitor",
        "handle",
        "remark",
    ),
    UNIT: (
        "seq",
        "step",
        "posts_involved",
        "category",
        "description",
        "likelihood",
        "harm",
        "self_level",
        "prevent",
        "monitor",
        "handle",
        "remark",
    ),
}
# Columns whose label must be present for the table header to be recognised.
REQUIRED_COLUMNS = ("description",)
# Columns a risk point must have a value in.
REQUIRED_VALUES = ("step", "category", "description", "likelihood", "harm")
MEASURE_FIELDS = ("prevent", "monitor", "handle")
TEXT_FIELDS = ("step", "posts_involved", "description", "prevent", "monitor", "handle", "remark")

# Markers that split a combined 防控措施 text into the three lines.
MEASURE_MARKERS = {
    "prevent": ("前期", "事前", "预防"),
    "monitor": ("中期", "事中", "监控"),
    "handle": ("后期", "事后", "处置"),
}

# Pledge sheet.
PLEDGE_LABELS = {"pledger": "承诺人", "pledge_date": "承诺日期"}
PLEDGE_TITLE = "廉政承诺书"
PLEDGE_ITEMS_LABEL = "承诺事项"

# --------------------------------------------------------------------------------------
# Enumerations: canonical values and accepted variants (folded text -> canonical)
# --------------------------------------------------------------------------------------
CATEGORIES = ("岗位职责风险", "业务流程风险", "制度机制风险", "外部环境风险")
CATEGORY_SYNONYMS = {
    "岗位职责风险": ("岗位职责", "职责风险", "岗位风险", "1"),
    "业务流程风险": ("业务流程", "流程风险", "2"),
    "制度机制风险": ("制度机制", "制度风险", "机制风险", "3"),
    "外部环境风险": ("外部环境", "环境风险", "外部风险", "4"),
}
LIKELIHOODS = ("高", "中", "低")
LIKELIHOOD_SYNONYMS = {
    "高": ("较高", "大", "较大", "很高", "高风险"),
    "中": ("中等", "一般", "较中"),
    "低": ("较低", "小", "较小", "很低"),
}
HARMS = ("严重", "较重", "一般")
HARM_SYNONYMS = {
    "严重": ("重", "重大", "高", "很严重", "特别严重"),
    "较重": ("较大", "中", "较严重", "中等"),
    "一般": ("轻", "较轻", "轻微", "低"),
}
LEVELS = ("一级", "二级", "三级")  # 一级 is the most severe
LEVEL_SYNONYMS = {
    "一级": ("1", "1级", "Ⅰ级", "I级", "一", "高", "Ⅰ", "I", "一级风险"),
    "二级": ("2", "2级", "Ⅱ级", "II级", "二", "中", "Ⅱ", "II", "二级风险"),
    "三级": ("3", "3级", "Ⅲ级", "III级", "三", "低", "Ⅲ", "III", "三级风险"),
}
LEVEL_RANK = {"一级": 1, "二级": 2, "三级": 3}
NO_FLOOR = "无"

POST_TYPES = ("领导班子正职", "人财物管理", "民生密切相关", "一般管理服务", "其他")
YES_NO_TRUE = ("是", "Y", "YES", "TRUE", "1", "√", "是的")

# Supervisor roles, in the chain of rank (lowest first).
ROLE_HEAD = "科室负责人"
ROLE_VICE = "分管副主席"
ROLE_CHAIR = "主席"
ROLE_OVERSIGHT = "上级监督机构"
ROLE_CHAIN = (ROLE_HEAD, ROLE_VICE, ROLE_CHAIR, ROLE_OVERSIGHT)
MEASURES_BY_LEVEL = {"三级": "提醒纠错", "二级": "谈话提醒", "一级": "诫勉纠错"}

# Roster columns.
ROSTER_PEOPLE_COLUMNS = {
    "section": "科室",
    "name": "姓名",
    "post": "岗位（职务）",
    "post_type": "岗位类别",
    "is_head": "是否科室负责人",
}
ROSTER_SECTION_COLUMNS = {"section": "科室", "head": "科室负责人", "vice_chair": "分管副主席"}
ROSTER_UNIT_COLUMNS = {"body": "单位名称", "chair": "主席", "oversight": "上级监督机构"}

# Phases and their deadlines (month-day; the year comes from settings).
PHASES = {"find_risks": "查找风险", "grade": "确定等级", "archive": "建立档案"}

# --------------------------------------------------------------------------------------
# Output column headers
# --------------------------------------------------------------------------------------
# Catalogue columns in SPEC's exact order: output key -> header.
CATALOGUE_COLUMNS = {
    "section": "科室",
    "post": "岗位（职务）",
    "name": "姓名",
    "step": "职权事项（工作环节）",
    "category": "风险类别",
    "description": "风险点描述",
    "likelihood": "发生几率",
    "harm": "危害程度",
    "self_level": "自评等级",
    "level": "评定等级",
    "level_reason": "评定依据",
    "direct": "直接管理",
    "leader": "负责领导",
    "measure": "处置方式",
    "prevent": "前期预防措施",
    "monitor": "中期监控措施",
    "handle": "后期处置措施",
    "source_file": "来源文件",
    "source_row": "来源行",
}
ISSUE_COLUMNS = {
    "action": "处理",
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "field": "字段",
    "value": "原值",
    "problem": "问题",
    "fix": "修改建议",
    "section": "科室",
    "name": "姓名",
}
ACTION_REJECT = "退回"
ACTION_NOTE = "提示"

POINT_ID_LABEL = "风险点编号"
STATUS_ON_TIME = "按时"
STATUS_LATE = "逾期"
STATUS_MISSING = "未提交"
STATUS_SUPERSEDED = "已被新版本替代"
PLEDGE_STATUS_OK = "已签署"
PLEDGE_STATUS_MISSING = "缺少承诺书"
PLEDGE_STATUS_EMPTY = "承诺书为空"
PLEDGE_STATUS_NO_FORM = "未提交自查表"


# --------------------------------------------------------------------------------------
# Messages: stable reason code -> (problem, how to fix). Placeholders use str.format.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """One user-facing message: what is wrong and how to fix it, plus how it is handled."""

    problem: str
    fix: str
    action: str = ACTION_REJECT


MESSAGES: dict[str, Message] = {
    # files
    "lock_file": Message(
        "这是 Excel 打开文件时生成的临时锁定文件（~$ 开头），不是报送的表格。",
        "无需处理；如果这是唯一的一份，请让报送人重新发送原文件。",
    ),
    "not_excel": Message(
        "这不是 Excel 表格文件（{detail}），未读取。",
        "请确认附件是否发错；自查表请用 .xlsx 格式报送。",
    ),
    "empty_file": Message(
        "文件是空的（0 字节），可能在保存或下载时出错。",
        "请让报送人重新发送文件。",
    ),
    "corrupt": Message(
        "文件已损坏或不完整，无法打开（{detail}）。",
        "请让报送人用 Excel 或 WPS 打开确认后重新保存、重新发送。",
    ),
    "encrypted": Message(
        "文件设置了打开密码，无法读取。",
        "请让报送人取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新发送。",
    ),
    "too_large": Message(
        "文件过大（{detail}），超过了允许的上限，为安全起见未读取。",
        "自查表通常只有几十 KB；请检查是否误插入图片或大量空白格式，删除后重新保存发送。",
    ),
    "zip_bomb": Message(
        "文件解压后的体积异常（{detail}），可能是恶意构造的文件，已拒绝读取。",
        "请联系报送人核实；如确为自查表，请复制内容到新模板后重新发送。",
    ),
    "xml_entities": Message(
        "文件内部包含不安全的 XML 实体声明，可能是恶意构造的文件，已拒绝读取。",
        "请联系报送人核实；如确为自查表，请复制内容到新模板后重新发送。",
    ),
    "too_many_cells": Message(
        "工作表的范围过大（{detail}），超过了允许的上限，为安全起见未读取。",
        "请删除表格下方或右侧多余的空白行列（或其中误填的内容）后重新保存发送。",
    ),
    "read_failed": Message(
        "读取文件时出错（{detail}），文件可能已损坏或格式异常。",
        "请让报送人用 Excel 或 WPS 打开、另存为 .xlsx 后重新发送。",
    ),
    "legacy_format": Message(
        "文件是 {detail} 格式，已尝试读取；批注副本另存为 .xlsx。",
        "今后请使用下发的 .xlsx 模板填写。",
        ACTION_NOTE,
    ),
    "unknown_template": Message(
        "无法识别这个表格：既没有模板标记，也找不到自查表的表头（如「风险点描述」）。",
        "请使用下发的《个人廉政风险自查表》或《单位廉政风险自查表》模板填写后重新发送。",
    ),
    "missing_header_field": Message(
        "表头缺少「{detail}」，无法确定是谁、哪个科室报送的。",
        "请在表格上方的表头处填写「{detail}」后重新发送。",
    ),
    "missing_column": Message(
        "表格缺少「{detail}」列。",
        "请使用下发的模板，或补上「{detail}」列后重新发送。",
    ),
    "extra_column": Message(
        "表格中有模板之外的列「{detail}」，其内容未读取。",
        "如该列内容重要，请移到「备注」列。",
        ACTION_NOTE,
    ),
    "not_in_roster": Message(
        "「{detail}」不在组织名册中，整份表格未计入。",
        "请核对科室和姓名的写法是否与名册一致；如是新同事，请办公室先把他加入 config/roster.xlsx。",
    ),
    "section_not_in_roster": Message(
        "科室「{detail}」不在组织名册中，整份表格未计入。",
        "请核对科室名称是否与名册一致（如「办公室」「组织宣传部」），修改后重新发送。",
    ),
    "empty_form": Message(
        "表格中没有填写任何风险点。",
        "请在表格中至少填写一条风险点（职权事项、风险类别、风险点描述、发生几率、危害程度）后重新发送。",
    ),
    "duplicate_file": Message(
        "与文件「{detail}」内容完全相同，按重复文件处理，未重复计入。",
        "无需处理。",
        ACTION_NOTE,
    ),
    "superseded": Message(
        "同一{detail}后来又报送了新版本，本文件已被替代，未计入。",
        "无需处理；如果本文件才是最终版本，请把填表日期改为最新后重新发送。",
        ACTION_NOTE,
    ),
    "worker_crashed": Message(
        "读取文件时超出了资源限制（{detail}），为保护整批处理已停止读取该文件。",
        "请用 Excel 或 WPS 打开，删除多余的空白行列后另存为新文件重新发送。",
    ),
    "blank_rows_skipped": Message(
        "表格中有 {detail} 个空行，已跳过。",
        "无需处理；也可以删除这些空行。",
        ACTION_NOTE,
    ),
    "merged_cells": Message(
        "合并单元格 {detail} 已按区域展开，每一行都使用了合并格中的值。",
        "请核对展开后的内容是否正确；建议不要合并单元格，逐行填写。",
        ACTION_NOTE,
    ),
    # rows
    "missing_value": Message(
        "「{field}」没有填写。",
        "请填写「{field}」。",
    ),
    "bad_enum": Message(
        "{field}「{value}」不在可选范围内：{allowed}。",
        "请从下拉列表中选择：{allowed}。",
    ),
    "bad_date": Message(
        "{field}「{value}」不是可识别的日期。",
        "请写成 2026-03-15 或 2026年3月15日 的形式。",
    ),
    "text_too_long": Message(
        "「{field}」的内容有 {value} 个字，超过了一个单元格能容纳的 {limit} 个字，已截断。",
        "请精简内容，或分成几条风险点填写。",
        ACTION_NOTE,
    ),
    "level_differs": Message(
        "自评等级「{value}」与评定等级「{level}」不一致（{reason}）。",
        "请科室核对发生几率、危害程度和岗位类别；以评定等级为准。",
        ACTION_NOTE,
    ),
    "measures_unsplit": Message(
        "「防控措施」没有按前期/中期/后期分开，已全部放入「前期预防措施」。",
        "请分别填写前期预防、中期监控、后期处置三类措施，或用「前期：…中期：…后期：…」的方式标注。",
        ACTION_NOTE,
    ),
    "measures_missing": Message(
        "没有填写任何防控措施。",
        "请至少填写前期预防、中期监控、后期处置措施中的一项。",
        ACTION_NOTE,
    ),
    "duplicate_point": Message(
        "与{detail}的风险点完全相同，已合并为一条。",
        "无需处理。",
        ACTION_NOTE,
    ),
    "posts_not_in_roster": Message(
        "涉及岗位「{value}」在名册的本科室岗位中找不到，无法按岗位类别定级。",
        "请按名册中的岗位名称填写涉及岗位，多个岗位用顿号分隔。",
        ACTION_NOTE,
    ),
    # completeness (no file)
    "not_submitted": Message(
        "{name}（{section}）尚未报送个人廉政风险自查表。",
        "请提醒本人填写后发送。",
        ACTION_NOTE,
    ),
    "pledge_missing": Message(
        "{name} 的自查表中没有「廉政承诺书」工作表。",
        "请使用下发模板，在「廉政承诺书」工作表中填写承诺事项并签名。",
        ACTION_NOTE,
    ),
    "pledge_empty": Message(
        "{name} 的「廉政承诺书」没有填写承诺事项。",
        "请在「廉政承诺书」工作表中填写承诺事项、承诺人和承诺日期。",
        ACTION_NOTE,
    ),
    "no_unit_form": Message(
        "科室「{section}」尚未报送单位廉政风险自查表。",
        "请科室负责人组织填写后发送。",
        ACTION_NOTE,
    ),
    "late": Message(
        "填表日期 {value} 晚于「{phase}」阶段截止日期 {deadline}。",
        "请今后按时报送。",
        ACTION_NOTE,
    ),
    # appended by discover/read
    "symlink": Message(
        "这是一个快捷方式（符号链接），指向的不是收件文件夹中的普通文件，为安全起见未读取。",
        "请把原文件本身（而不是快捷方式）放进收件文件夹。",
    ),
    # appended by merge/grade/assign/completeness: notes in 提交情况 (problem text is the note)
    "note_rejected": Message(
        "已报送但被退回（文件「{file}」），原因见异常清单。",
        "请按异常清单修改后重新报送。",
        ACTION_NOTE,
    ),
    "note_no_date": Message(
        "未填写填表日期，按文件修改日期 {date} 判断是否逾期。",
        "请在表头填写填表日期。",
        ACTION_NOTE,
    ),
    "note_no_points": Message(
        "已报送，但其中的风险点全部被退回，原因见异常清单。",
        "请按异常清单修改后重新报送。",
        ACTION_NOTE,
    ),
    # validate: more precise wordings of not_in_roster / superseded (same reason codes)
    "not_in_roster_section": Message(
        "「{detail}」不在组织名册中：名册中的「{person}」属于「{roster_section}」，整份表格未计入。",
        "请核对表头的「科室」：如应为「{roster_section}」，请改正后重新发送；"
        "如本人已调到现科室，请办公室先更新 config/roster.xlsx。",
    ),
    "superseded_by": Message(
        "同一{detail}后来又报送了新版本「{newer}」，本文件已被替代，未计入。",
        "无需处理；如果本文件才是最终版本，请把填表日期改为最新后重新发送。",
        ACTION_NOTE,
    ),
}


def message(code: str, **values: object) -> tuple[str, str, str]:
    """Return (action, problem, fix) for a reason code with its placeholders filled."""
    m = MESSAGES[code]
    return m.action, m.problem.format(**values), m.fix.format(**values)


def allowed_text(values: tuple[str, ...]) -> str:
    return "、".join(values)


# --------------------------------------------------------------------------------------
# Folding: how labels and enumerated values are compared
# --------------------------------------------------------------------------------------
_SPACE_PUNCT = re.compile(r"[\s\u3000*＊:：_\-—·.。、]+")


def fold(text: object) -> str:
    """Fold a label or value for comparison: NFKC (full-width to half-width), no spacing,
    no decoration such as ``*`` or a trailing colon, upper case Latin letters."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _SPACE_PUNCT.sub("", s).upper()


def _lookup(canonical: dict[str, str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, label in canonical.items():
        table[fold(label)] = key
    for key, words in synonyms.items():
        for w in words:
            table.setdefault(fold(w), key)
    return table


HEADER_LOOKUP = _lookup(HEADER_LABELS, HEADER_SYNONYMS)  # folded label -> header key
COLUMN_LOOKUP = _lookup(COLUMN_LABELS, COLUMN_SYNONYMS)  # folded label -> column key


def _enum_lookup(
    canonical: tuple[str, ...], synonyms: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    table = {fold(v): v for v in canonical}
    for value, words in synonyms.items():
        for w in words:
            table.setdefault(fold(w), value)
    return table


ENUMS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "likelihood": LIKELIHOODS,
    "harm": HARMS,
    "self_level": LEVELS,
}
ENUM_LOOKUP: dict[str, dict[str, str]] = {
    "category": _enum_lookup(CATEGORIES, CATEGORY_SYNONYMS),
    "likelihood": _enum_lookup(LIKELIHOODS, LIKELIHOOD_SYNONYMS),
    "harm": _enum_lookup(HARMS, HARM_SYNONYMS),
    "self_level": _enum_lookup(LEVELS, LEVEL_SYNONYMS),
}


def field_label(key: str) -> str:
    """The Chinese label of a header field or table column key."""
    return COLUMN_LABELS.get(key) or HEADER_LABELS.get(key) or PLEDGE_LABELS.get(key) or key


# --------------------------------------------------------------------------------------
# Grading reasons, terminal and cover texts
# --------------------------------------------------------------------------------------
REASON_MATRIX = "发生几率{likelihood}×危害程度{harm}→{level}"
REASON_FLOOR = "岗位类别：{post_type}→{level}"
REASON_JOIN = "；"
REASON_DIFFERS = "（自评{self_level}）"

CONFIG_ERROR_PREFIX = "配置有误："
EXIT_HINT = "请按提示修改后重新运行 make process。"
