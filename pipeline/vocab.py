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
# in the name of a file no reader could open: a unit form (「权益部单位自查表.xlsx」)
UNIT_FILE_WORD = "单位"

# A workbook-level defined name carries the marker, e.g. LZ_FORM = "individual:1".
TEMPLATE_MARKER_NAME = "LZ_FORM"
TEMPLATE_VERSION = 1
# The same marker as custom document properties (docProps/custom.xml).
TEMPLATE_PROPERTY_KIND = "lianzheng_form"
TEMPLATE_PROPERTY_VERSION = "lianzheng_form_version"
# Every annotated copy the tool writes carries its source file's SHA-256 (hex) as this custom
# document property (docProps/custom.xml), so a returned copy supersedes its original (SPEC
# Resubmission). Written by annotate, read by discover/read and completeness.
COPY_SOURCE_PROPERTY = "lianzheng_source_sha256"
# The archive's machine-readable identity (custom document properties of the archive workbook):
# format version, body, year, run time, content hash. Written by write_archive, read by combine.
ARCHIVE_PROPERTY_PREFIX = "lianzheng_archive_"
# The tool's other outputs name their kind in this custom document property, so that one sent
# back into the inbox is told apart from a form (readform.parse): feedback, district.
OUTPUT_PROPERTY = "lianzheng_output"
OUTPUT_FEEDBACK = "feedback"
OUTPUT_DISTRICT = "district"
OUTPUT_ARCHIVE = "archive"
OUTPUT_LABELS = {
    OUTPUT_ARCHIVE: "廉政风险信息档案",
    OUTPUT_FEEDBACK: "科室反馈表",
    OUTPUT_DISTRICT: "区级汇总表",
}

# --------------------------------------------------------------------------------------
# Sheet names
# --------------------------------------------------------------------------------------
SHEET_INDIVIDUAL = "个人廉政风险自查表"
SHEET_UNIT = "单位廉政风险自查表"
SHEET_PLEDGE = "廉政承诺书"
SHEET_GUIDE = "填表说明"
SHEET_LISTS = "可选值"  # hidden sheet holding dropdown lists in templates
# Sheets other bodies' forms put beside the form to guide or show how to fill it: never a
# form of their own (their example rows are no one's risk points); read only when no other
# sheet holds a table. Compared folded, digits and brackets aside (说明（1）, 填表说明2).
GUIDE_SHEET_NAMES = (
    "说明",
    "填表说明",
    "填报说明",
    "填写说明",
    "使用说明",
    "说明事项",
    "有关说明",
    "相关说明",
    "须知",
    "填表须知",
    "填报须知",
    "填写须知",
    "注意事项",
    "填表要求",
    "填报要求",
    "填写要求",
    "示例",
    "填表示例",
    "填报示例",
    "填写示例",
    "样表",
    "样例",
    "范例",
    "填表范例",
)
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
ARCHIVE_SHEET_CHANGES = "本轮变化"  # since the previous run in the same OUT (rounds.py)
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
    ARCHIVE_SHEET_CHANGES,
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
# A label of the body's word with the header label in brackets after it (单位（科室）,
# 填报单位（部门）) is that header label.
UNIT_LABEL_WORDS = ("单位", "填报单位", "填表单位", "所在单位", "报送单位")
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
# The unit form's table; the individual form's is the same without 涉及岗位.
UNIT_ONLY_COLUMNS = ("posts_involved",)
_UNIT_TABLE = (
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
)
TABLE_COLUMNS = {
    INDIVIDUAL: tuple(k for k in _UNIT_TABLE if k not in UNIT_ONLY_COLUMNS),
    UNIT: _UNIT_TABLE,
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
# how pledges written by hand label the two (read on a pledge sheet only)
PLEDGE_LABEL_SYNONYMS = {
    "pledger": (
        "承诺人（签名）",
        "承诺人（签字）",
        "承诺人签名",
        "承诺人签字",
        "签名",
        "签字",
        "本人签名",
        "承诺人（签章）",
    ),
    "pledge_date": ("承诺时间", "签订日期", "签署日期", "签名日期", "日期", "时间"),
}
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
# The 风险类别 of a point read from a table without a 风险类别 column (real 风险清单 forms):
# accepted, shown as this placeholder, counted as its own category where present.
UNCATEGORISED = "未分类"
# The 职权事项 of a point read from a table without any 职权事项 column (simple public forms:
# 风险点 | 风险等级 | 防控措施): accepted, shown as this placeholder, with one 提示 a table.
NO_STEP = "未注明"
# Columns a table may lack as a whole: its rows are filed with the placeholder, not 退回.
OPTIONAL_COLUMNS = {"category": UNCATEGORISED, "step": NO_STEP}
LIKELIHOODS = ("高", "中", "低")
LIKELIHOOD_SYNONYMS = {
    "高": ("较高", "大", "较大", "很高", "高风险"),
    "中": ("中等", "一般", "较中"),
    "低": ("较低", "小", "较小", "很低"),
}
HARMS = ("严重", "较重", "一般")
HARM_SYNONYMS = {
    "严重": ("重", "重大", "高", "很严重", "特别严重", "大"),
    "较重": ("较大", "中", "较严重", "中等"),
    "一般": ("轻", "较轻", "轻微", "低", "小", "较小"),
}
LEVELS = ("一级", "二级", "三级")  # 一级 is the most severe
LEVEL_SYNONYMS = {
    "一级": ("1", "1级", "Ⅰ级", "I级", "一", "高", "Ⅰ", "I", "一级风险", "高风险"),
    "二级": ("2", "2级", "Ⅱ级", "II级", "二", "中", "Ⅱ", "II", "二级风险", "中风险"),
    "三级": ("3", "3级", "Ⅲ级", "III级", "三", "低", "Ⅲ", "III", "三级风险", "低风险"),
}
# 一类 / 二类 / 三类 (风险), as some bodies number their levels
for _level, _marks in zip(
    LEVELS, (("一", "1", "Ⅰ", "I"), ("二", "2", "Ⅱ", "II"), ("三", "3", "Ⅲ", "III")), strict=True
):
    LEVEL_SYNONYMS[_level] += tuple(f"{m}类" for m in _marks)
# 较高 / 中等 / 较低 (风险), as 发生几率 is written: the level 高 / 中 / 低 means
for _level, _words in zip(LEVELS, (("较高", "很高"), ("中等",), ("较低", "很低")), strict=True):
    LEVEL_SYNONYMS[_level] += (*_words, *(f"{w}风险" for w in _words))
# A/B/C grading (「风险等级分为 A、B、C 三级」, A the highest), as some bodies' forms write it
# and 重大 / 较大 / 一般 (风险), as risk registers grade
for _level, _letter, _word in zip(LEVELS, "ABC", ("重大", "较大", "一般"), strict=True):
    LEVEL_SYNONYMS[_level] += (_letter, f"{_letter}级", f"{_letter}类", _word, f"{_word}风险")
# Stars, as some bodies' forms mark the level (★★★ the highest: more stars, more risk)
for _level, _n in zip(LEVELS, (3, 2, 1), strict=True):
    LEVEL_SYNONYMS[_level] += ("★" * _n, "☆" * _n, f"{'★' * _n}级", f"{'☆' * _n}级")
# A level column graded 较高 / 一般 / 较低 (three words, as 发生几率 is written): its 一般 is the
# middle one, 二级. A column with 重大 or 较大 keeps the register's 一般 = 三级 (above).
LEVEL_MIDDLE_WORD = "一般"
LEVEL_HIGH_LOW_WORDS = ("较高", "较低")
LEVEL_REGISTER_WORDS = ("重大", "较大")
# 涉及岗位 written as the whole section (unit forms): every roster post of that section
ALL_POSTS_WORDS = (
    "全体",
    "全体人员",
    "全体岗位",
    "全体干部",
    "全体职工",
    "全体工作人员",
    "所有岗位",
    "所有人员",
    "全员",
    "各岗位",
    "科室全体",
    "科室全体人员",
    "本科室全体人员",
    "本科室所有岗位",
    "本科室",
    "本科室人员",
    "本科室所有人员",
    "全科",
    "全科人员",
    "全科室",
    "全部岗位",
    "全部人员",
    "各岗位人员",
)
LEVEL_RANK = {"一级": 1, "二级": 2, "三级": 3}
NO_FLOOR = "无"

POST_TYPES = ("领导班子正职", "人财物管理", "民生密切相关", "一般管理服务", "其他")
YES_NO_TRUE = ("是", "Y", "YES", "TRUE", "1", "√", "是的")
YES_NO_FALSE = ("否", "N", "NO", "FALSE", "0", "×", "不是", "无")
# 岗位类别 as offices abbreviate it (config folds them with a 提示)
POST_TYPE_SYNONYMS = {
    "领导班子正职": ("正职", "班子正职", "领导正职", "主要领导", "一把手"),
    "人财物管理": ("人财物", "人财物岗", "人财物管理岗位"),
    "民生密切相关": ("民生", "民生相关", "民生密切", "与民生密切相关"),
    "一般管理服务": ("一般管理", "管理服务", "一般", "一般岗位"),
    "其他": ("其它",),
}

# Supervisor roles, in the chain of rank (lowest first).
ROLE_HEAD = "科室负责人"
ROLE_VICE = "分管副主席"
ROLE_CHAIR = "主席"
ROLE_OVERSIGHT = "上级监督机构"
ROLE_CHAIN = (ROLE_HEAD, ROLE_VICE, ROLE_CHAIR, ROLE_OVERSIGHT)
# The 科室 the roster may give the chair and vice-chairs.
LEADERSHIP_SECTION = "领导班子"
MEASURES_BY_LEVEL = {"三级": "提醒纠错", "二级": "谈话提醒", "一级": "诫勉纠错"}

# Roster columns (the header block's labels where they name the same thing).
_WHO = ("section", "name", "post")
ROSTER_PEOPLE_COLUMNS = {
    **{key: HEADER_LABELS[key] for key in _WHO},
    "post_type": "岗位类别",
    "is_head": "是否科室负责人",
}
ROSTER_SECTION_COLUMNS = {
    "section": HEADER_LABELS["section"],
    "head": HEADER_LABELS["head"],
    "vice_chair": ROLE_VICE,
}
ROSTER_UNIT_COLUMNS = {"body": "单位名称", "chair": ROLE_CHAIR, "oversight": ROLE_OVERSIGHT}

# Phases and their deadlines (month-day; the year comes from settings).
PHASES = {"find_risks": "查找风险", "grade": "确定等级", "archive": "建立档案"}

# --------------------------------------------------------------------------------------
# Output column headers
# --------------------------------------------------------------------------------------
# Catalogue columns in SPEC's exact order: output key -> header.
CATALOGUE_COLUMNS = {
    **{key: HEADER_LABELS[key] for key in ("section", "post", "name")},
    **{
        key: COLUMN_LABELS[key]
        for key in ("step", "category", "description", "likelihood", "harm", "self_level")
    },
    "level": "评定等级",
    "level_reason": "评定依据",
    "direct": "直接管理",
    "leader": "负责领导",
    "measure": "处置方式",
    **{key: COLUMN_LABELS[key] for key in MEASURE_FIELDS},
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
    "section": HEADER_LABELS["section"],
    "name": HEADER_LABELS["name"],
}
ACTION_REJECT = "退回"
ACTION_NOTE = "提示"

POINT_ID_LABEL = "风险点编号"
# readable point IDs: 科室-姓名-序号, a unit form's points 科室-单位-序号
POINT_ID_SEP = "-"
POINT_ID_UNIT = "单位"
STATUS_ON_TIME = "按时"
STATUS_LATE = "逾期"
STATUS_MISSING = "未报送"
STATUS_SUPERSEDED = "已被新版本替代"
PLEDGE_STATUS_OK = "已签署"
PLEDGE_STATUS_MISSING = "缺少承诺书"
PLEDGE_STATUS_EMPTY = "承诺书为空"
PLEDGE_STATUS_OTHER_SIGNER = "承诺人不是本人"
PLEDGE_STATUS_NO_FORM = "没有可计入的自查表"
# the 承诺书登记 states its person should put right (the feedback marks and counts them)
PLEDGE_STATUSES_TO_FIX = frozenset(
    {PLEDGE_STATUS_MISSING, PLEDGE_STATUS_EMPTY, PLEDGE_STATUS_OTHER_SIGNER}
)


# --------------------------------------------------------------------------------------
# Messages: stable reason code -> (problem, how to fix). Placeholders use str.format.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """One user-facing message: what is wrong and how to fix it, plus how it is handled."""

    problem: str
    fix: str
    action: str = ACTION_REJECT


# How measures_table_unmatched names the row: its 序号 (when written) and 风险点
MEASURES_TABLE_POINT = "{seq}风险点「{desc}」"

MESSAGES: dict[str, Message] = {
    # files
    "lock_file": Message(
        "这是 Excel 打开文件时生成的临时锁定文件（~$ 开头），不是报送的表格。",
        "无需处理；如果这是唯一的一份，请让报送人重新发送原文件。",
    ),
    "mac_metadata": Message(
        "这是苹果电脑（macOS）复制或压缩文件时附带生成的隐藏文件（「._」开头，只记录文件的属性），"
        "不是报送的表格。",
        "无需处理；报送的表格是去掉「._」后同名的那个文件。",
    ),
    "zone_identifier": Message(
        "这是 Windows 给下载的文件附带记录来源的隐藏信息（「:Zone.Identifier」），"
        "被复制成了单独的文件，不是报送的表格。",
        "无需处理；报送的表格是去掉「:Zone.Identifier」后同名的那个文件。",
    ),
    "folder_system_file": Message(
        "这是 Windows 或苹果电脑在文件夹里自动生成的隐藏文件（「{detail}」，记录缩略图或文件夹的"
        "显示设置），不是报送的表格。",
        "无需处理。",
    ),
    "download_unfinished": Message(
        "这是浏览器或下载工具还没有下载完的临时文件（文件名以「{detail}」结尾），"
        "内容不完整，未读取。",
        "请等下载完成，或重新下载这个附件，把下载好的表格放入收件箱后重新运行；"
        "这个临时文件可以删除。",
    ),
    "not_excel": Message(
        "这不是 Excel 表格文件（{detail}），未读取。",
        "请确认附件是否发错；自查表请用 .xlsx 格式报送。",
    ),
    "empty_file": Message(
        "文件是空的（0 字节），可能在保存或下载时出错。",
        "请让报送人重新发送文件。",
    ),
    "file_changing": Message(
        "这个文件在本次处理过程中还在变化（大小或修改时间变了），可能仍在复制、下载或保存中，"
        "本次读到的内容不完整，未计入。",
        "请等文件复制（或下载、保存）完成后重新运行，无需让报送人重新发送；"
        "如果它一直在变化，请检查是否有程序正在写入这个文件。",
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
    "too_large_container": Message(
        "这个{detail}超过了单个文件的大小上限，为安全起见未打开，其中的文件未读取。",
        "请把其中的自查表解压（或从邮件中另存）出来放入收件箱后重新运行；"
        "如确需整个读取，可请办公室在 settings.toml 的 [limits] 中调高 max_file_mb。",
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
    # the file could not be opened here (no permission, locked by a program, gone): nothing
    # is wrong with what the sender sent
    "cannot_open": Message(
        "无法打开这个文件：可能没有读取权限，或正被其他程序占用（例如还在下载、复制中，"
        "或被杀毒软件、同步盘锁定），本次未读取。",
        "请关闭正在使用这个文件的程序（或等下载、复制完成），确认当前用户能打开它后重新运行；"
        "无需让报送人重新发送。",
    ),
    "read_failed": Message(
        "读取文件时出错（{detail}），文件可能已损坏或格式异常。",
        "请让报送人用 Excel 或 WPS 打开、另存为 .xlsx 后重新发送。",
    ),
    "legacy_format": Message(
        "文件是「{detail}」格式，已尝试读取；批注副本另存为 .xlsx。",
        "今后请使用下发的 .xlsx 模板填写。",
        ACTION_NOTE,
    ),
    "pledge_unknown": Message(
        "这是一份单独报送的廉政承诺书，但看不出是谁的{detail}，未登记。",
        "请在「承诺人」处签上名册中的姓名（或在文件名中写明姓名，如「张三_廉政承诺书.xlsx」），改正后重新发送。",
    ),
    "only_pictures": Message(
        "这个表格里只有图片（可能是扫描件或照片），没有可以读取的文字。",
        "请在下发的电子表格模板中直接填写（不要粘贴扫描图片）后重新发送；"
        "签字的纸质件请另行交办公室存档。",
    ),
    "template_without_table": Message(
        "这是下发的自查表模板，但其中找不到风险点表格：表格的表头行（「序号」「风险点描述」等）"
        "已被删除或改动，或者自查表工作表是空的。",
        "请在下发的模板中填写表头和风险点（不要删除或改动表格的表头行）后重新发送。",
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
    "tool_output": Message(
        "这是本工具生成的{detail}，不是收到的自查表，未读取。",
        "无需处理。科室如要改正风险点，请修改批注副本（文件名以「_批注」结尾）后重新报送。",
        ACTION_NOTE,
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
    "ticked_several": Message(
        "{field}选了不止一项：{value}。",
        "「{field}」只能选一项：请只打一个勾（或只写一个值）后重新发送。",
    ),
    "bad_date": Message(
        "{field}「{value}」不是可识别的日期。",
        "请写成 2026-03-15 或 2026年3月15日 的形式。",
    ),
    "date_month_only": Message(
        "{field}「{value}」只写到了月份，没有写是哪一天。",
        "请写明日期，如 2026-03-15。",
    ),
    "date_year_assumed": Message(
        "{field}「{value}」没有写年份，按 {date} 处理。",
        "请写完整的日期，如 {date}。",
        ACTION_NOTE,
    ),
    "date_out_of_year": Message(
        "{field} {date} 不在 {year} 年前后一年之内，可能写错了年份。",
        "请核对日期；如写错，请改正后重新发送。",
        ACTION_NOTE,
    ),
    "settings_year_unshared": Message(
        "设置文件中的年份 body.year = {year}，但收到的表格的填表日期没有一份在 {year} 年"
        "（多数在 {forms_year} 年）；是否逾期按 {year} 年的截止日期判断。",
        "如果沿用了往年的 settings.toml，请把 [body] 下的 year 改为 {forms_year} 后重新运行。",
        ACTION_NOTE,
    ),
    "text_too_long": Message(
        "「{field}」的内容有 {value} 个字，超过了一个单元格能容纳的 {limit} 个字，已截断。",
        "请精简内容，或分成几条风险点填写。",
        ACTION_NOTE,
    ),
    # a text of exactly a cell's most characters: Excel holds no more, and the reader
    # (python-calamine) cuts a longer one written by a script to that length
    "text_at_limit": Message(
        "「{field}」的内容有 {value} 个字，正好是一个单元格最多能容纳的字数，后面的内容可能已被截掉。",
        "请核对这一格的内容是否完整；内容过长时请精简，或分成几条风险点填写。",
        ACTION_NOTE,
    ),
    "level_differs": Message(
        "自评等级「{value}」与评定等级「{level}」不一致（{reason}）。", "{advice}", ACTION_NOTE
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
        "与{detail}的风险点完全相同（每一项都一样），已合并为一条。",
        "无需处理。",
        ACTION_NOTE,
    ),
    "merged_point": Message(
        "与{detail}是同一风险点（岗位、职权事项、风险点描述相同），已合并为一条；"
        "两处填写的防控措施和备注都已保留。",
        "无需处理；如两处的措施需要统一，请科室商定后修改。",
        ACTION_NOTE,
    ),
    "merge_conflict": Message(
        "本条与别处填写的同一风险点（岗位、职权事项、风险点描述相同）已合并为一条，"
        "但{field}不一致：本处为「{value}」，{others}；{outcome}。",
        "请科室商定「{field}」后统一填写，改正后重新发送。",
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
        "{name}的自查表中没有「廉政承诺书」工作表。",
        "请使用下发模板，在「廉政承诺书」工作表中填写承诺事项并签名。",
        ACTION_NOTE,
    ),
    "pledge_empty": Message(
        "{name}的「廉政承诺书」没有填写承诺事项。",
        "请在「廉政承诺书」工作表中填写承诺事项、承诺人和承诺日期。",
        ACTION_NOTE,
    ),
    "pledge_other_signer": Message(
        "{name}的「廉政承诺书」中承诺人写的是「{value}」，不是{name}本人。",
        "请由{name}本人在「廉政承诺书」的承诺人处签名；如表格是照他人的改写的，"
        "请一并核对承诺事项，改正后重新发送。",
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
    # no readable 填表日期: the file's modification date decided (never shown as 填表日期)
    # a 填表日期 after the day the file was sent: the folder's date (else the file's) decided
    "late_date_ahead": Message(
        "填表日期「{value}」晚于报送的日子，不会是真的填表日期；按文件修改日期 {date} 判断，晚于「{phase}」阶段截止日期 {deadline}。",
        "请把填表日期改为实际填表的日期；如确实按时报送，可不必处理。",
        ACTION_NOTE,
    ),
    "late_date_ahead_folder": Message(
        "填表日期「{value}」晚于邮件到达的日子，不会是真的填表日期；按邮件文件夹的日期 {date} 判断，晚于「{phase}」阶段截止日期 {deadline}。",
        "请把填表日期改为实际填表的日期；如确实按时报送，可不必处理。",
        ACTION_NOTE,
    ),
    "late_by_mtime": Message(
        "表中没有可识别的填表日期，按文件修改日期 {date} 判断，晚于「{phase}」阶段截止日期 {deadline}。",
        "请在表头填写填表日期（如 {deadline}）；如确实按时报送，可不必处理。",
        ACTION_NOTE,
    ),
    # appended by discover/read
    "shortcut_file": Message(
        "这是一个快捷方式文件（.lnk / .url），不是表格本身；为安全起见，它指向的文件未打开。",
        "请把原文件本身（而不是快捷方式）放进收件文件夹。",
    ),
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
    "note_no_date_folder": Message(
        "未填写填表日期，按邮件文件夹的日期 {date} 判断是否逾期。",
        "请在表头填写填表日期。",
        ACTION_NOTE,
    ),
    "note_bad_date_folder": Message(
        "填表日期「{value}」无法识别，按邮件文件夹的日期 {date} 判断是否逾期。",
        "请把填表日期写成 2026-03-15 的形式。",
        ACTION_NOTE,
    ),
    "late_by_folder_date": Message(
        "表中没有可识别的填表日期，按邮件文件夹的日期 {date} 判断，晚于「{phase}」阶段截止日期 {deadline}。",
        "请在表头填写填表日期（如 {deadline}）；如确实按时报送，可不必处理。",
        ACTION_NOTE,
    ),
    "note_month_on_time": Message(
        "填表日期只写到月份（{value}），整个月都不晚于截止日期 {deadline}，按按时计。",
        "请今后写明填表日期（如 2026-03-15）。",
        ACTION_NOTE,
    ),
    "note_month_late": Message(
        "填表日期只写到月份（{value}），整个月都晚于截止日期 {deadline}，按逾期计。",
        "请今后按时报送，并写明填表日期。",
        ACTION_NOTE,
    ),
    "note_month_by_mtime": Message(
        "填表日期只写到月份（{value}），截止日期 {deadline} 在这个月内，按文件修改日期 {date} 判断是否逾期。",
        "请写明填表日期（如 2026-03-15）。",
        ACTION_NOTE,
    ),
    "note_month_by_folder": Message(
        "填表日期只写到月份（{value}），截止日期 {deadline} 在这个月内，按邮件文件夹的日期 {date} 判断是否逾期。",
        "请写明填表日期（如 2026-03-15）。",
        ACTION_NOTE,
    ),
    "late_by_month": Message(
        "填表日期只写到月份（{value}），整个月都晚于「{phase}」阶段截止日期 {deadline}。",
        "请今后按时报送，并写明填表日期（如 {deadline}）。",
        ACTION_NOTE,
    ),
    "note_date_ahead": Message(
        "填表日期「{value}」晚于报送的日子，不会是真的填表日期，按文件修改日期 {date} 判断是否逾期。",
        "请把填表日期改为实际填表的日期。",
        ACTION_NOTE,
    ),
    "note_date_ahead_folder": Message(
        "填表日期「{value}」晚于邮件到达的日子，不会是真的填表日期，按邮件文件夹的日期 {date} 判断是否逾期。",
        "请把填表日期改为实际填表的日期。",
        ACTION_NOTE,
    ),
    "note_bad_date": Message(
        "填表日期「{value}」无法识别，按文件修改日期 {date} 判断是否逾期。",
        "请把填表日期写成 2026-03-15 的形式。",
        ACTION_NOTE,
    ),
    "note_rows_rejected": Message(
        "已报送但被退回：在「{file}」中填报的风险点全部被退回，原因见异常清单。",
        "请按异常清单修改后重新报送。",
        ACTION_NOTE,
    ),
    "note_first_on_time": Message(
        "按时：截止日期前已报送「{file}」（{date}），现计入的是之后的修改版本。",
        "无需处理。",
        ACTION_NOTE,
    ),
    "note_name_similar": Message(
        "表中姓名写作「{value}」，与名册差一个字，已按本人计入，请核对是否本人的表格。",
        "如是本人写错，以后请按名册填写姓名；如不是本人的表格，请本人另行报送。",
        ACTION_NOTE,
    ),
    "note_no_points": Message(
        "已报送，但其中的风险点全部被退回，原因见异常清单。",
        "请按异常清单修改后重新报送。",
        ACTION_NOTE,
    ),
    # validate: more precise wordings of not_in_roster / superseded (same reason codes)
    "section_not_in_roster_head": Message(
        "科室「{detail}」不在组织名册中：名册中「{head}」负责的科室是「{roster_section}」，整份表格未计入。",
        "如这是「{roster_section}」的单位表，请把表头的「科室」改为「{roster_section}」后重新发送；"
        "如是新设的科室，请办公室先把它加入 config/roster.xlsx。",
    ),
    "not_in_roster_section": Message(
        "「{detail}」不在组织名册中：名册中的「{person}」属于「{roster_section}」，整份表格未计入。",
        "请核对表头的「科室」：如应为「{roster_section}」，请改正后重新发送；"
        "如本人已调到现科室，请办公室先更新 config/roster.xlsx。",
    ),
    "section_similar": Message(
        "科室写作「{value}」，与组织名册不一致：名册中的「{person}」属于「{roster_section}」，"
        "已按「{roster_section}」计入。",
        "以后请按名册填写科室名称；如本人已调到其他科室，请办公室更新 config/roster.xlsx。",
        ACTION_NOTE,
    ),
    "section_from_roster": Message(
        "表头没有填写「科室」：组织名册中「{person}」属于「{roster_section}」，已按「{roster_section}」计入。",
        "以后请在表头填写科室；如本人已调到其他科室，请办公室更新 config/roster.xlsx。",
        ACTION_NOTE,
    ),
    "owner_from_file_name": Message(
        "表头没有填写「姓名」：{source}写的是「{person}」，组织名册中只有「{roster_section}」的"
        "「{person}」，已按{roster_section}{person}报送的表计入。",
        "如这不是{person}的表，请在表头写明科室和姓名后重新发送；以后请在表头填写科室、姓名。",
        ACTION_NOTE,
    ),
    "section_from_file_name": Message(
        "表头没有填写「科室」：{source}写的是组织名册中的「{roster_section}」，"
        "已按{roster_section}的单位表计入。",
        "如这不是{roster_section}的单位表，请在表头写明科室后重新发送；以后请在表头填写科室。",
        ACTION_NOTE,
    ),
    "section_similar_unit": Message(
        "科室写作「{value}」，组织名册中没有这个科室，最接近的是「{roster_section}」，"
        "已按「{roster_section}」的单位表计入。",
        "如不是「{roster_section}」的单位表，请改正科室名称后重新发送；"
        "如是新设的科室，请办公室先把它加入 config/roster.xlsx。",
        ACTION_NOTE,
    ),
    "not_in_roster_similar": Message(
        "「{detail}」不在组织名册中，整份表格未计入；名册中有「{roster_name}」，是否写错？"
        "（{difference}）",
        "如是写错，请改正表头的姓名后重新发送；如是新同事，请办公室先把他加入 config/roster.xlsx。",
    ),
    "level_middle_word": Message(
        "本表的等级按「较高、一般、较低」三档填写，「一般」是中间一档，已按二级计入（共 {n} 处）。",
        "如「一般」本意是三级，请改填「三级」或「较低」后重新报送。",
        ACTION_NOTE,
    ),
    "not_in_roster_similar_post": Message(
        "「{detail}」不在组织名册中，整份表格未计入；名册中有「{roster_name}」（{difference}），"
        "但其岗位是「{roster_post}」，表中写的是「{post}」，看来不是同一个人。",
        "如确是「{roster_name}」的表格，请改正表头的姓名和岗位后重新发送；"
        "如是已调离的同事或新同事，请办公室核对 config/roster.xlsx（新同事请先加入名册）。",
    ),
    "post_differs": Message(
        "岗位（职务）写的是「{value}」，组织名册中{person}的岗位是「{roster_post}」。"
        "评定等级按名册的岗位类别确定。",
        "请核对：如是写错，请改正表头的岗位（职务）；如岗位已变动，请办公室更新 config/roster.xlsx"
        "（岗位和岗位类别）。",
        ACTION_NOTE,
    ),
    "head_differs": Message(
        "科室负责人写的是「{value}」，组织名册中本科室的负责人是「{roster_head}」。"
        "直接管理人按名册确定。",
        "请核对：如是写错，请改正表头的科室负责人；如负责人已变动，请办公室更新 config/roster.xlsx"
        "（「科室」工作表的科室负责人）。",
        ACTION_NOTE,
    ),
    "post_from_roster": Message(
        "表中没有填写岗位（职务），已按名册记为「{post}」。",
        "如名册中的岗位不对，请在表头填写岗位（职务）后重新报送；办公室也可修改 config/roster.xlsx。",
        ACTION_NOTE,
    ),
    "name_similar": Message(
        "姓名「{value}」在名册中找不到；名册中有「{roster_name}」，是否写错？（{difference}）"
        "已按「{roster_name}」计入。",
        "如是写错，请改正姓名；如确是另一个人，请办公室把他加入 config/roster.xlsx。",
        ACTION_NOTE,
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
    return m.action, shown(m.problem.format(**values)), shown(m.fix.format(**values))


def shown(text: str) -> str:
    """A message quoting what a user wrote, with its direction controls as ``INVISIBLE_MARK``:
    a right-to-left override pasted into a cell (「\u202e很高」) turned the rest of the
    message around it backwards."""
    return BIDI.sub(INVISIBLE_MARK, text) if BIDI.search(text) else text


def allowed_text(values: tuple[str, ...]) -> str:
    return "、".join(values)


# --------------------------------------------------------------------------------------
# Folding: how labels and enumerated values are compared
# --------------------------------------------------------------------------------------
# Where a form's owner was read when its header names none (owner_from_file_name): the
# file's own name, or the one folder (a mail's) or zip it came in.
OWNER_SOURCES = {
    "file": "文件名「{part}」",
    "folder": "所在的文件夹「{part}」",
    "container": "所在的压缩包（邮件）「{part}」",
}

# What a file or folder name holds besides its owner's name (taken out before the rest is
# matched to the roster, folded): dates, numbers and Latin text (v2, zhangsan@…), the form's
# words, drafts and copies, a mail folder's 来自 / a subject's 回复, and brackets.
PATH_FILLER = re.compile(
    r"[0-9]+(?:年度|年|月|日|号)?|[A-Z@~#&+=!$%^'`,;]+|[()\[\]{}<>【】《》〔〕「」『』“”‘’\"]"
    r"|(?:个人|单位|科室|部门|岗位|本人|我的|的)?(?:廉政|廉洁)?(?:风险点?|风险防控|防控)?"
    r"(?:自查|排查|登记|信息|防控|承诺|一览|汇总|统计)(?:表格?|书|单)?"
    r"|廉政|廉洁|风险点?|防控|清单|附件|报送|上报|提交|填报|修改稿?|修订版?|修订|更正|终稿|定稿"
    r"|最新版?|新版|副本|复件|来自|发件人|回复|答复|转发|邮件"
)

# The 职权事项 of a point with its own under a line heading its block (「（一）| 公文处理」).
STEP_UNDER_HEADING = "{heading}：{step}"

# Marks some bodies put before (or after) the label of a required column instead of *: ★ ☆ ※ ▲
# △ ● ◆ ■ ✱ ✳ (read as the label without them; the characters of a regex class).
REQUIRED_MARKS = "★☆※▲△●◆■✱✳"

# (the middle dot of names such as 阿不都·热合曼 in every form people type it: · • ‧ ∙ ・)
_SPACE_PUNCT = re.compile(r"[\s\u3000*＊:：_\-—·.。、\u2022\u2027\u2219\u30fb]+")


# Characters that show nothing (zero-width space/joiners, direction marks, BOM, soft hyphen,
# word joiner, Mongolian vowel separator): pasted from web pages and chat apps into names.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")

# The invisible characters that reorder the text after them when shown (direction marks,
# embeddings, overrides, isolates): in a file's name or a quoted value they turn the name and
# the rest of the message backwards (张三\u202excod.xlsx shows as 张三xslx.docx).
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


# Traditional characters (Hong Kong, Taiwan and Macao offices, forms typed with a traditional
# input method) folded to the simplified ones of the labels and values: 風險點描述 is
# 风险点描述, 嚴重 is 严重, 崗位職責風險 is 岗位职责风险. Pairs (traditional, simplified) of the
# characters of the vocabulary's words and of common section and post names; NFKC leaves them
# as they are.
TRADITIONAL_PAIRS = (
    "與与 業业 嚴严 個个 為为 爲为 舉举 義义 書书 於于 優优 會会 體体 餘余 兒儿 關关 內内 冊册 "
    "寫写 況况 幾几 擊击 刪删 別别 辦办 務务 動动 區区 單单 歷历 壓压 參参 雙双 發发 變变 號号 "
    "後后 員员 響响 圍围 圖图 壞坏 處处 備备 復复 複复 夾夹 婦妇 對对 導导 崗岗 幫帮 幹干 並并 "
    "應应 異异 錄录 態态 總总 損损 據据 數数 斷断 無无 舊旧 時时 顯显 機机 權权 條条 來来 構构 "
    "樣样 檔档 沒没 匯汇 彙汇 潔洁 點点 狀状 獨独 環环 現现 電电 監监 蓋盖 碼码 確确 稱称 簽签 "
    "類类 係系 糾纠 級级 納纳 組组 織织 結结 給给 絕绝 統统 續续 維维 緩缓 編编 縮缩 網网 聯联 "
    "節节 範范 薦荐 規规 見见 計计 訂订 認认 議议 記记 設设 訪访 評评 識识 話话 詳详 誡诫 誤误 "
    "說说 請请 諾诺 讀读 談谈 負负 財财 責责 購购 資资 輪轮 輕轻 較较 輸输 過过 運运 進进 郵邮 "
    "裡里 裏里 錯错 鍵键 長长 門门 問问 間间 陣阵 階阶 險险 頁页 項项 預预 領领 題题 風风 饋馈 "
    "審审 註注 傳传 紀纪 檢检 擔担 帳账 賬账 產产 證证 線线 歸归 專专 練练 違违 廳厅 黨党 決决 "
    "採采 價价 費费 補补 貼贴 撥拨 齡龄 護护 勞劳 災灾 濟济 衛卫 醫医 藥药 園园 學学 習习 實实 "
    "際际 質质 職职 報报 選选 鑒鉴 塊块 營营 擬拟 覈核 辭辞 讓让 縣县 鎮镇 鄉乡"
)
_PAIRED = TRADITIONAL_PAIRS.replace(" ", "")
_TRADITIONAL = str.maketrans(_PAIRED[0::2], _PAIRED[1::2])
_TRADITIONAL_ANY = re.compile(f"[{_PAIRED[0::2]}]")


INVISIBLE_MARK = "[不可见字符]"
NAME_DIFF_CHANGED = "写的「{written}」，名册是「{roster}」"
NAME_DIFF_EXTRA = "多了「{char}」"
NAME_DIFF_MISSING = "少了「{char}」"


def visible(text: str) -> str:
    """``text`` without the characters that show nothing (see ``INVISIBLE``)."""
    return INVISIBLE.sub("", text) if text else text


# White space inside a name as it is typed to line names up (陈  红, 王　芳): none between
# Chinese characters, one plain space between others (Latin letters of a foreign name).
_NAME_SPACE = re.compile(r"\s+")
_CJK_CHAR = re.compile("[\u2e80-\u9fff\uf900-\ufaff\u00b7\u2022\u2027\u30fb]")


def tidy_name(text: str) -> str:
    """A person's name as shown everywhere: no invisible characters, no padding spaces
    (ASCII, full-width or no-break) between Chinese characters, none at either end."""
    if not text:
        return text
    s = INVISIBLE.sub("", text).strip()
    if not _NAME_SPACE.search(s):
        return s

    def space(match: re.Match[str]) -> str:
        before = s[match.start() - 1] if match.start() else ""
        after = s[match.end()] if match.end() < len(s) else ""
        return "" if _CJK_CHAR.match(before) or _CJK_CHAR.match(after) else " "

    return _NAME_SPACE.sub(space, s)


def fold(text: object) -> str:
    """Fold a label or value for comparison: NFKC (full-width to half-width), traditional
    characters as simplified (``TRADITIONAL_PAIRS``), no spacing, no invisible characters, no
    decoration such as ``*`` or a trailing colon, upper case Latin letters."""
    if text is None:
        return ""
    s = INVISIBLE.sub("", str(text))
    if len(s) <= _LONG_TEXT:
        s = unicodedata.normalize("NFKC", s)
    else:  # the same, cheaper: NFKC's full pass over long Chinese text is slow
        if _FULL_WIDTH.search(s):
            s = _half_width(s)  # NFKC's own mapping of ，（） and the ideographic space
        s = _UNSTABLE_RUN.sub(_nfkc_match, s)  # NFKC only where it can change anything
    if _TRADITIONAL_ANY.search(s):
        s = s.translate(_TRADITIONAL)
    return _SPACE_PUNCT.sub("", s).upper()


# Joins the folded parts of a key (section and name, file and sheet): ``fold`` removes it
# (it is white space to Python), so no folded part holds it and two keys are equal only when
# every part is. A printable separator such as '|' would let 「A|B」+「C」 equal 「A」+「B|C」.
KEY_SEP = "\x1f"


_LONG_TEXT = 200
# Full-width ASCII forms and the ideographic space, which NFKC maps to ASCII and a space.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
# Characters NFKC leaves as they are and that never combine with a neighbour (ASCII, CJK
# ideographs, the usual Chinese punctuation and quotes): NFKC of a text is NFKC of each run of
# other characters, taken with the ASCII letter before it (é may be e + a combining accent).
# tests/test_normalize.py checks these properties of the class and the result on random text.
NFKC_STABLE = "\x00-\x7f\u2012-\u2016\u2018-\u2023\u3001-\u3029\u4e00-\u9fff"
_UNSTABLE_RUN = re.compile(f"[\\x00-\\x7f]?[^{NFKC_STABLE}]+")


def _nfkc_match(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match[0])


def _half_width(text: str) -> str:
    """``text`` with its full-width ASCII forms and ideographic spaces as NFKC maps them."""
    import numpy as np  # here: the read workers fold short texts, and import no numpy

    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    code[(code >= 0xFF01) & (code <= 0xFF5E)] -= 0xFEE0
    code[code == 0x3000] = 0x20
    return code.tobytes().decode("utf-32-le", "surrogatepass")


def _lookup(canonical: dict[str, str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, label in canonical.items():
        table[fold(label)] = key
    for key, words in synonyms.items():
        for w in words:
            table.setdefault(fold(w), key)
    return table


HEADER_LOOKUP = _lookup(HEADER_LABELS, HEADER_SYNONYMS)  # folded label -> header key
POST_TYPE_LOOKUP = _lookup({t: t for t in POST_TYPES}, POST_TYPE_SYNONYMS)  # folded -> 岗位类别
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


# fold drops '.', so a synonym such as '1.0' folds to '10'; numbers are looked up by
# their integer value instead (see enum_value) and multi-digit keys are left out here.
_ENUM_TABLES: dict[str, dict[str, str]] = {
    field: {k: v for k, v in table.items() if not (k.isdigit() and len(k) > 1)}
    for field, table in ENUM_LOOKUP.items()
}
_NUMBER = re.compile(r"\d+(?:\.0*)?")


# A hint in brackets after a value (NFKC made full-width brackets ASCII): 一级(高), 中(一般)
_VALUE_HINT = re.compile(r"\s*[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]\s*$")


def _enum_exact(plain: str, table: dict[str, str]) -> str | None:
    if _NUMBER.fullmatch(plain):
        number = int(plain.split(".")[0])
        return table.get(str(number)) if number < 10 else None
    return table.get(fold(plain))


def enum_value(text: str, field: str) -> str | None:
    """The canonical value of a cell of the enumerated ``field`` (``ENUMS``): the value itself,
    else the value before a hint in brackets that does not say otherwise (一级（高）, not
    二级（高）), else the value before a trailing 风险 or 风险点 (1级风险, 一级风险点; for a
    category also 类风险 or 类: 岗位职责类), else the value after its field's word (可能性较高,
    危害较大, 等级：二级); None when it names none."""
    table = _ENUM_TABLES[field]
    found = _enum_value(text, table)
    if found is not None or field not in _ENUM_PREFIXES:
        return found
    plain = unicodedata.normalize("NFKC", text).strip()
    for prefix in _ENUM_PREFIXES[field]:
        if plain.startswith(prefix):
            rest = plain[len(prefix) :].lstrip(" :：-—")
            return _enum_value(rest, table) if rest else None
    return None


def _enum_value(text: str, table: dict[str, str]) -> str | None:
    plain = unicodedata.normalize("NFKC", text).strip()
    found = _enum_exact(plain, table)
    if found is not None:
        return found
    hint = _VALUE_HINT.search(plain)
    if hint is not None and hint.start() > 0:
        found = _enum_value(plain[: hint.start()], table)
        said = _enum_exact(hint[1].strip(), table) if hint[1].strip() else None
        return found if said in (None, found) else None
    suffixes = ENUM_VALUE_SUFFIXES
    if table is _ENUM_TABLES.get("category"):
        suffixes = (*CATEGORY_VALUE_SUFFIXES, *suffixes)
    for suffix in suffixes:
        if plain.endswith(suffix) and len(plain) > len(suffix):
            found = _enum_exact(plain[: -len(suffix)].strip(), table)
            if found is not None:
                return found
    return None


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
# a merged point raised to the level one of its sources has alone (grade._by_sources)
REASON_SOURCE = "来源「{file}」：{reason}"

# Headers of the guide sheet's tables of the rules (the rest are the archive cover's).
LEVEL_LABEL = "等级"
SUPERVISION_LEADER_LABEL = "负责"  # the digest's word for the leader column
# How a combined 防控措施 cell labels its three lines: 前期：…\n中期：…\n后期：…
MEASURE_LINE = "{marker}：{text}"

CONFIG_ERROR_PREFIX = "配置有误："
EXIT_HINT = "请按提示修改后重新运行：{command}"

# --------------------------------------------------------------------------------------
# Appended by the robustness sweep (read/discover/validate): real-world variants
# --------------------------------------------------------------------------------------
# More header labels seen in the wild (above the table).
HEADER_SYNONYMS_MORE = {
    "date": ("填表时间", "填报时间", "报送日期", "报送时间", "时间", "填写日期"),
    "name": ("填报人", "姓名签字"),
}
for _key, _words in HEADER_SYNONYMS_MORE.items():
    for _w in _words:
        HEADER_LOOKUP.setdefault(fold(_w), _key)
# A whole row of these (besides 序号) is a placeholder such as 「以下空白」, not a risk point.
PLACEHOLDER_TEXTS = (
    "以下空白",
    "以下无正文",
    "以下无内容",
    "以下为空白",
    "此页以下空白",
    "空白",
    "无",
)
# A sheet holding the pledge under another name: its name contains this.
PLEDGE_SHEET_HINT = "承诺"
PLEDGE_KIND = "pledge"  # a file that is a 廉政承诺书 sent on its own (pipeline/pledges.py)
PLEDGE_SIGNED_UNKNOWN = "（承诺人写的是「{name}」，组织名册中没有此人）"
# What is wrong with a file that cannot be opened ({detail} of corrupt / read_failed).
DETAIL_BROKEN_ZIP = "文件结构不完整，可能在下载或保存时中断"
DETAIL_NOT_SPREADSHEET = "文件内容不是 Excel 表格，可能是扩展名被改过"
DETAIL_BROKEN_PART = "工作簿内部数据损坏"
DETAIL_BROKEN_OLE = "旧版 Excel（.xls）文件结构损坏"
DETAIL_TEXT_ENCODING = "文本文件的文字编码无法识别"
DETAIL_BROKEN_TEXT = "文本表格的格式无法解析"
DETAIL_UNREADABLE = "表格内容无法解析"
DETAIL_CANNOT_OPEN = "无法打开文件，可能没有读取权限或正被其他程序占用"
DETAIL_PART_INFLATES = "部件「{part}」解压后超过其声明的 {mb:.1f} MB"
DETAIL_PARSER_PANIC = "表格读取组件解析其内部数据时中止"
DETAIL_NO_WORKBOOK = "文件中缺少工作簿的主体部分"
DETAIL_HUGE_SHARED_STRING = (
    "其中一段共享文字有 {n} 字，超过单元格上限 {limit} 字，引用它的每个单元格都会重复展开"
)
TOO_MANY_ROWS_DETAIL = "工作表「{sheet}」有 {n} 行内容，上限为 {limit} 行"
DETAIL_UNKNOWN_PARTS = "如 Excel 4.0 宏表、对话框工作表或非标准的工作表属性"
DETAIL_HUGE_DECLARED = "工作表声明的单元格数量异常巨大"
LEGACY_BIFF_NAME = "Excel {version}.0 旧版（.xls）"
LEGACY_BIFF5_NAME = "Excel 5.0/95 旧版（.xls）"
LEGACY_WEB_ARCHIVE_NAME = "单个文件网页（.mht，Excel「另存为 › 单个文件网页」的格式）"
DETAIL_WORKER_SIGNAL = "读取进程意外终止，信号 {signal}"
# reader (pipeline/read.py, pipeline/workbook/*): progress bar, format names, crash details
READ_PROGRESS_DESC = "读取表格"
READ_PROGRESS_UNIT = "份"
LEGACY_FORMAT_NAMES = {
    "xls": "Excel 97-2003（.xls）",
    "ods": "OpenDocument（.ods）",
    "csv": "文本表格（CSV，逗号或制表符分隔）",
    "html": "网页表格（网页系统导出的 .xls，Excel 打开时会提示格式不一致）",
    "xml2003": "Excel 2003 XML 表格（XML 电子表格）",
}
ROW_SPAN = "第 {first}–{last} 行"
ROW_ONE = "第 {row} 行"
LEGACY_WEB_PAGE_NAME = "网页（.htm/.html，Excel 或 WPS 另存为网页）"
LEGACY_FLAT_ODS_NAME = "LibreOffice 单文件 XML 表格（.fods）"
CRASH_DETAIL_MEMORY = "内存上限 {mb:.0f} MB"
CRASH_DETAIL_TIME = "时间上限 {seconds:.0f} 秒"
EXTENT_DETAIL = "{cell}，上限为 {rows} 行 × {cols} 列"
# What a rejected file most likely is, for the not_excel message ({detail}; discover).
FORMAT_NAMES = {
    "pdf": "PDF 文档",
    "ofd": "OFD 版式文档",
    "word": "Word 文档",
    "powerpoint": "PowerPoint 演示文稿",
    "image": "图片",
    "archive": "压缩包",
    "iwork": "苹果 Numbers/Pages 文档，请在 Numbers 中用「导出为 › Excel」另存为 .xlsx",
    "flat_ods": "LibreOffice 单文件 XML 表格（.fods），请在 LibreOffice 中用「另存为」保存为 .xlsx",
    "sylk": "SYLK 表格（.slk），请在 Excel 或 WPS 中打开后「另存为」.xlsx",
    "dif": "DIF 数据交换表格（.dif），请在 Excel 或 WPS 中打开后「另存为」.xlsx",
    "text": "文本文件",
    "html": "网页文件",
    "email": "邮件文件",
    "special": "特殊文件",
    "shortcut": "快捷方式",
    "other": "无法识别的文件类型",
}
MESSAGES.update(
    {
        "formula_text": Message(
            "表格中有 {detail} 个公式单元格没有保存计算结果（文件可能由程序或网页导出生成），"
            "已按公式原文当作文字读取，没有计算。",
            "请核对这些单元格的内容；建议在 Excel 或 WPS 中打开后保存一次（会保存公式结果），"
            "或直接填写文字。",
            ACTION_NOTE,
        ),
        "cell_pictures": Message(
            "表格中有 {detail} 个单元格里是嵌入单元格的图片（WPS「嵌入单元格」），"
            "图片中的文字无法读取，这些单元格按空白处理。",
            "图片是照片或签名的，无需处理；图片中是要填写的内容（如风险点描述）的，"
            "请删除图片，直接输入文字后重新发送。",
            ACTION_NOTE,
        ),
        "too_many_rows": Message(
            "{detail}，超过了允许的上限，为安全起见未读取。",
            "一份自查表通常只有几十行：请确认是否误把其他表格的内容粘贴了进来；"
            "如这些内容确需报送，请分成几个文件（每个不超过上限）发送，"
            "或请办公室在 settings.toml 的 [limits] 中调高 max_rows 后重新运行。",
        ),
        "unsupported_content": Message(
            "文件中含有本工具的读取组件不支持的内容（{detail}），无法读取；文件本身可能是完好的。",
            "请在 Excel 或 WPS 中打开，「另存为」Excel 工作簿（.xlsx）后重新发送。",
        ),
        "error_value": Message(
            "「{field}」单元格是错误值 {value}（公式计算出错），不是填写的内容。",
            "请改正该单元格的公式，或直接填写「{field}」的内容后重新发送。",
        ),
        "reader_crashed": Message(
            "这个文件的内部数据不合规范，无法读取（{detail}）；为保护整批处理，已跳过该文件，"
            "其他文件照常处理。",
            "请让报送人用 Excel 或 WPS 打开，确认内容完整后另存为新的 .xlsx 文件重新发送；"
            "如打不开，说明文件已损坏，请重新填写。",
        ),
    }
)
MESSAGES.update(
    {
        "second_form": Message(
            "{where}还有另一份自查表{who}，共 {n} 行，未读取：找不到它的表头（如「风险点描述」）。",
            "请补全这份表的表头，或把每人（或每个科室）的自查表分别保存为单独的文件后重新发送。",
        ),
        "second_table": Message(
            "{where}还有一个表格{who}，共 {n} 行，它的列与上面的表格不同，未读取。",
            "如果它是另一个人（或科室）的自查表，请另存为单独的文件；如果是上面风险点的防控措施"
            "等内容，请并入上面的表格（每个风险点一行）后重新发送。",
        ),
        "blank_template": Message(
            "这是一份没有填写的空白模板：表头和风险点都是空的。",
            "请填写表头（科室、姓名等）和至少一条风险点后重新发送。",
        ),
        "measures_no_column": Message(
            "表格中没有防控措施列（前期预防、中期监控、后期处置或「防控措施」），这个风险点没有防控措施。",
            "请在表格中加上前期预防、中期监控、后期处置措施三列（或一个「防控措施」列），"
            "为每个风险点填写措施后重新发送。",
        ),
        "missing_column_value": Message(
            "表格中没有「{field}」列，这一项无法填写。",
            "请使用下发的模板，或在表格中加上「{field}」列并逐行填写后重新发送。",
        ),
    }
)
# Excel error values: a cell holding one is an error, never the submitter's text (typing
# #N/A into Excel makes the error value itself).
EXCEL_ERRORS = (
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
)
SECOND_FORM_ROWS = "本工作表第 {row} 行起"
SECOND_FORM_SHEET = "工作表「{sheet}」中"
SECOND_FORM_WHO = "（{who}）"


# --------------------------------------------------------------------------------------
# 档案工作簿（write_archive）的标题、表头和说明文字
# --------------------------------------------------------------------------------------
ARCHIVE_COVER_TITLE = "{body}{year}年度岗位廉政风险信息档案"
ARCHIVE_COVER_INFO = {
    "body": "单位",
    "year": "年度",
    "run_time": "生成时间",
    "source": "评级设置来源",
}
ARCHIVE_COVER_COUNTS_TITLE = "一、处理统计"
ARCHIVE_COVER_COUNTS_HEADER = ("项目", "数量")
ARCHIVE_COUNT_LABELS: dict[tuple[str, str], str] = {
    ("files", "total"): "收到文件总数",
    ("files", "read"): "已读取的文件",
    ("files", "rejected"): "退回的文件",
    ("files", "superseded"): "被新版本替代的文件",
    ("rows", "total"): "数据行总数",
    ("rows", "accepted"): "计入目录的数据行",
    ("rows", "rejected"): "退回的数据行",
    ("levels", "一级"): "一级风险点",
    ("levels", "二级"): "二级风险点",
    ("levels", "三级"): "三级风险点",
}
# the files inside .zip/.eml containers, counted apart (each container is one of the files
# above): shown only when there are any
ARCHIVE_CONTAINED_LABELS: dict[str, str] = {
    "total": "压缩包、邮件里的文件",
    "read": "其中已读取",
    "rejected": "其中退回",
    "superseded": "其中被新版本替代",
}
ARCHIVE_POINTS_LABEL = "风险点总数（合并重复后）"
ARCHIVE_COVER_COUNTS_NOTE = "文件总数 = 已读取 + 退回 + 被替代；数据行总数 = 计入 + 退回；计入的数据行合并重复后形成风险点。"
ARCHIVE_FILING_TITLE = "报送"
ARCHIVE_FILING_LABELS = ("报送单位（盖章）", "负责人", "报送日期")
ARCHIVE_COVER_SHEETS_TITLE = "二、各工作表说明"
ARCHIVE_COVER_SHEETS_HEADER = ("工作表", "内容")
ARCHIVE_SHEET_HELP = {
    ARCHIVE_SHEET_COVER: "本页：档案概况、处理统计和本次评定所用的规则。",
    ARCHIVE_SHEET_CATALOGUE: "每个风险点一行：科室、岗位、填报人、风险内容、自评与评定等级、"
    "评定依据、监管人、防控措施及来源文件和行号；评定等级与自评不一致的以粗斜体标出。",
    ARCHIVE_SHEET_POSTS: "每个岗位一行：岗位类别、岗位等级（取该岗位最严重的风险点等级）和各等级风险点数。",
    ARCHIVE_SHEET_MATRIX: "每个风险点的前期预防、中期监控、后期处置措施，以及直接管理人和负责领导。",
    ARCHIVE_SHEET_SECTIONS: "每个科室的风险点数，按等级和风险类别分列，并列出自评不一致和退回的行数。",
    ARCHIVE_SHEET_PLEDGES: "名册中每个人的廉政承诺书签署情况。",
    ARCHIVE_SHEET_SUBMISSIONS: "名册中每个人（个人表）和每个科室（单位表）的报送情况：按时、逾期、已报送但被退回或未报送。",
    ARCHIVE_SHEET_NOTICE: "可直接打印张贴的公示版本，不含备注、自评和来源信息。",
    ARCHIVE_SHEET_ISSUES: "所有退回的文件和数据行（红色底纹）以及需要核对的提示，注明单元格、问题和修改建议。",
    ARCHIVE_SHEET_CHANGES: "与上一次运行（同一输出文件夹）相比：已改正的问题、新接受的表格、新退回的问题，以及仍未解决的数量。",
    ARCHIVE_SHEET_STATS: "各科室风险等级分布、风险类别分布图，以及发生几率×危害程度分布热力图。",
}
ARCHIVE_COVER_RULES_TITLE = "三、本次评定使用的规则（以后修改设置不影响本档案）"
ARCHIVE_MATRIX_TITLE = "（一）风险等级评定矩阵：行为危害程度，列为发生几率"
ARCHIVE_MATRIX_CORNER = "危害程度＼发生几率"
ARCHIVE_FLOORS_TITLE = "（二）岗位类别等级下限：风险点等级不低于其岗位类别的下限"
ARCHIVE_FLOORS_HEADER = ("岗位类别", "等级下限")
ARCHIVE_SUPERVISION_TITLE = (
    "（三）监管责任与处置方式（监管人是本人或职级不高于本人时，依次上移："
    "科室负责人→分管副主席→主席→上级监督机构）"
)
ARCHIVE_SUPERVISION_HEADER = ("评定等级", "直接管理", "负责领导", "处置方式")
ARCHIVE_DEADLINES_TITLE = "（四）各阶段截止日期"
ARCHIVE_DEADLINES_HEADER = ("阶段", "截止日期")
ARCHIVE_LEADERSHIP_TITLE = "（五）单位领导"
ARCHIVE_POST_HEADERS = {
    "section": CATALOGUE_COLUMNS["section"],
    "post": CATALOGUE_COLUMNS["post"],
    "names": CATALOGUE_COLUMNS["name"],
    "post_type": ROSTER_PEOPLE_COLUMNS["post_type"],
    "level": "岗位等级",
    "level_reason": CATALOGUE_COLUMNS["level_reason"],
    "n_points": "风险点数",
    **{lv: lv for lv in LEVELS},
}
ARCHIVE_SECTION_HEADERS = {
    "section": CATALOGUE_COLUMNS["section"],
    "n_points": "风险点数",
    **{lv: lv for lv in LEVELS},
    **{cat: cat for cat in CATEGORIES},
    "differs": "自评不一致",
    "rejected": "退回行数",
}
ARCHIVE_TOTAL_LABEL = "合计"
ARCHIVE_PLEDGE_HEADERS = {
    "section": CATALOGUE_COLUMNS["section"],
    "name": CATALOGUE_COLUMNS["name"],
    "post": CATALOGUE_COLUMNS["post"],
    "date": PLEDGE_LABELS["pledge_date"],
    "items": "承诺事项数",
    "status": "状态",
}
CONTINUED_MARK = "（续）"  # a text continued on the next printed row
# the end of a text too long even for its continuation rows (the whole text is in the cells
# of the catalogue and the form)
CONTINUED_CUT_MARK = "……（以下从略，全文见原表格）"
ARCHIVE_NOTICE_TITLE = "{body}{year}年度岗位廉政风险点及风险等级公示"
ARCHIVE_NOTICE_FOOTER = (
    "公示期为五个工作日。如对上述风险点、风险等级或防控措施有意见和建议，"
    "请向单位廉政风险防控工作领导小组办公室反映。"
)
ARCHIVE_NOTICE_SIGNATURE = "{body}廉政风险防控工作领导小组办公室　　{date}"
ARCHIVE_STATS_TITLE = "{body}{year}年度廉政风险点统计"
ARCHIVE_STATS_LEVELS_TITLE = "各科室风险点等级分布"
ARCHIVE_STATS_CATEGORY_TITLE = "风险类别分布"
ARCHIVE_STATS_CATEGORY_HEADER = (CATALOGUE_COLUMNS["category"], "风险点数")
COMBINE_HEAT_LEFT_OUT = (
    "共 {total} 个风险点，其中 {n} 个没有填写发生几率或危害程度（多为手工整理的目录），未计入上表。"
)
ARCHIVE_STATS_HEAT_TITLE = "发生几率×危害程度分布（格中为风险点数，底色为该格对应的评定等级）"
ARCHIVE_STATS_LEGEND = "图例："
ARCHIVE_AXIS_COUNT = "风险点数"
ARCHIVE_DATE_FORMAT = "{y}年{m}月{d}日"

# --------------------------------------------------------------------------------------
# 科室反馈工作簿（write_feedback）的标题、表头和说明文字
# --------------------------------------------------------------------------------------
FEEDBACK_UNKNOWN_SECTION_DIR = "未能识别科室"
FEEDBACK_SHEET_POINTS = "风险点"
FEEDBACK_COMMENT_AUTHOR = "廉政风险自查处理"
FEEDBACK_COMMENT_OLD_NOTE = "原批注："
COPY_LINK_REMOVED = (
    "【提示】原文件此单元格带有链接（{target}）。为安全起见，批注副本中已去掉该链接，原文件未改动。"
)
COPY_LINK_UNNAMED = "未注明地址"
COPY_PICTURES_DROPPED = "原文件中有 {n} 张图片（如签名、印章），批注副本中未能保留，原文件未改动。"
COPY_PICTURES_DROPPED_FIX = "请在原文件上修改后重新发送；或在批注副本中修改后把图片重新插入。"
COPY_MACROS_DROPPED = (
    "原文件中带有宏（VBA 代码）。批注副本是普通的 .xlsx 表格，没有保留这些宏，原文件未改动。"
)
COPY_MACROS_DROPPED_FIX = "如果表格要用宏才能正常填写，请在原文件上修改后重新发送。"
COPY_THREAD_REPLY = "回复（{who}）：{text}"  # a reply of a threaded comment (Excel 365)
COPY_THREAD_SOMEONE = "他人"
COPY_NOTES_SHEET = "批注清单"  # the last sheet of an annotated copy: every comment, printable
COPY_NOTES_HEADERS = ("工作表", "单元格", "批注内容")
FEEDBACK_COVER_TITLE = "{body}{year}年廉政风险自查反馈：{section}"
FEEDBACK_COVER_TITLE_UNKNOWN = "{body}{year}年廉政风险自查：未能识别科室的文件和问题"
FEEDBACK_COVER_LABEL_SECTION = "科室"
FEEDBACK_COVER_LABEL_RUN_TIME = "处理时间"
FEEDBACK_COVER_LABEL_FILE_PROBLEMS = "整份文件的问题"
FEEDBACK_COVER_LABEL_FILES = "收到的文件"
FEEDBACK_COVER_FILES_TEXT = (
    "共 {total} 份：已读取 {read} 份，退回 {rejected} 份，已被新版本替代 {superseded} 份"
)
FEEDBACK_COVER_LABEL_POINTS = "风险点"
FEEDBACK_COVER_POINTS_TEXT = "共 {total} 条：一级 {一级} 条，二级 {二级} 条，三级 {三级} 条"
FEEDBACK_COVER_LABEL_ISSUES = "异常"
FEEDBACK_COVER_ISSUES_TEXT = "退回 {reject} 条，提示 {note} 条"
FEEDBACK_COVER_LABEL_PEOPLE = "人员报送"
FEEDBACK_COVER_PEOPLE_TEXT = (
    "应报送 {total} 人：未报送 {missing} 人，已报送但被退回 {sent_back} 人，逾期 {late} 人，"
    "承诺书缺少或为空 {pledge} 人"
)
FEEDBACK_COVER_LABEL_COPIES = "批注副本"
FEEDBACK_COVER_COPIES_TEXT = (
    "{n} 份：有「退回」问题的文件各一份，文件名以「{suffix}」结尾，问题单元格已标色并加批注"
)
FEEDBACK_COVER_LABEL_NEXT = "下一步"
FEEDBACK_COVER_NEXT_TEXT = (
    "1. 在「异常清单」中查看每个问题；标「退回」的必须修改，标「提示」的请核对。\n"
    "2. 打开本文件夹中的批注副本：红色单元格为退回，黄色单元格为提示，鼠标移到单元格上可看批注。\n"
    "3. 直接在批注副本中修改（也可以改原来的表格文件），保存后重新报送；改好的批注副本会替代原表。\n"
    "4. 「提交情况」中未报送、逾期或承诺书缺少的同志，请提醒其尽快补报。"
)
FEEDBACK_COVER_NEXT_TEXT_UNKNOWN = (
    "1. 这些文件或问题无法对应到组织名册中的科室（文件无法打开、不是自查表、科室或姓名不在名册中等）。\n"
    "2. 请在「异常清单」中逐条核对原因：联系报送人重新发送，或先在 config/roster.xlsx 中补充名册。\n"
    "3. 能打开的文件另有批注副本，问题单元格已标色并加批注。"
)
FEEDBACK_COVER_LABEL_SHEETS = "各工作表"
FEEDBACK_COVER_SHEETS_TEXT = (
    "风险点：本科室的每条风险点及评定等级、评定依据、直接管理、负责领导和处置方式。\n"
    "异常清单：本科室被退回的条目和需要核对的提示，退回在前。\n"
    "提交情况：本科室人员的报送、逾期和承诺书情况。\n"
    "本轮变化：与上一次处理相比，哪些问题已改正、哪些表格新计入、哪些新被退回。"
)
FEEDBACK_COVER_SHEETS_TEXT_UNKNOWN = (
    "异常清单：无法归入科室的文件和问题及其原因。\n"
    "本轮变化：与上一次处理相比，哪些问题已改正、哪些表格新计入、哪些新被退回。"
)
FEEDBACK_COVER_NONE = "无"
FEEDBACK_COVER_PROBLEMS_MORE = "……另有 {n} 条整份文件的问题，这里列不下，请在「异常清单」工作表中查看（「单元格」一栏为空的行）。"

# --------------------------------------------------------------------------------------
# 合并重复风险点（merge）
# --------------------------------------------------------------------------------------
# where another source of a merged point is: 「办公室/张三.xlsx」E4 (or 第4行 without the
# column), with the sheet when it is not the form's usual one
MERGE_FILE = "「{file}」"
MERGE_ROW = "第{row}行"
MERGE_SHEET = "工作表「{sheet}」"
MERGE_OTHER_VALUE = "{where}为「{value}」"
MERGE_OTHERS_JOIN = "，"
MERGE_KEPT_SEVERE = "目录中按其中较严重的「{value}」定级"
MERGE_KEPT_CATEGORY = "目录中暂记为「{value}」"
# 自评等级 does not set the level: 「按…「二级」定级」 was untrue beside a 评定等级 of 一级
MERGE_KEPT_SELF_LEVEL = (
    "目录中的自评等级记为其中较严重的「{value}」，评定等级另按发生几率、危害程度和岗位类别确定"
)

# --------------------------------------------------------------------------------------
# 单元格文字
# --------------------------------------------------------------------------------------
TRUNCATION_MARK = "…（内容过长，已截断）"


# --------------------------------------------------------------------------------------
# 档案和科室反馈共用
# --------------------------------------------------------------------------------------
PAGE_FOOTER = "&C第 &P 页 共 &N 页"
# 提交情况 sheet (archive) and its section part (feedback; the archive has 承诺书登记 instead
# of the pledge column)
SUBMISSION_COLUMNS = {
    "section": HEADER_LABELS["section"],
    "name": HEADER_LABELS["name"],
    "post": HEADER_LABELS["post"],
    "form": "表格",
    "status": "提交状态",
    "date": HEADER_LABELS["date"],
    "deadline": "截止日期",
    "pledge": "承诺书",
    "file": ISSUE_COLUMNS["file"],
    "note": COLUMN_LABELS["remark"],
}


# --------------------------------------------------------------------------------------
# 命令行（cli.py、run.py）
# --------------------------------------------------------------------------------------
CLI_SUMMARY = (
    "处理完成：{body} {year} 年廉政风险自查\n"
    "  文件：共 {files[total]} 个，读取 {files[read]} 个，退回 {files[rejected]} 个，"
    "被新版本替代 {files[superseded]} 个\n"
    "{contained}"
    "  风险点行：共 {rows[total]} 行，计入 {rows[accepted]} 行，退回 {rows[rejected]} 行\n"
    "  评定等级：{levels}\n"
    "  个人表：应报送 {people[expected]} 人，已计入 {people[counted]} 人（其中逾期 {people[late]} 人），"
    "已报送但被退回 {people[sent_back]} 人，未报送 {people[missing]} 人\n"
    "  单位表：应报送 {units[expected]} 份，已计入 {units[counted]} 份（其中逾期 {units[late]} 份），"
    "已报送但被退回 {units[sent_back]} 份，未报送 {units[missing]} 份\n"
    "  异常清单：{issues} 条（见档案的「{issues_sheet}」工作表）\n"
    "  档案：{archive}\n"
    "  科室反馈：{feedback}（每个科室另有同名 .zip，可直接发送）\n"
    "  催报名单：{reminder}"
)
CLI_SUMMARY_LEVEL = "{level} {n} 个"
# under the files line when containers (.zip, .eml) held files: they are counted apart
CLI_SUMMARY_CONTAINED = (
    "  压缩包、邮件里的文件：共 {c[total]} 个，读取 {c[read]} 个，退回 {c[rejected]} 个，"
    "被新版本替代 {c[superseded]} 个\n"
)
CLI_UNRECOGNIZED_HINT = "（路径中有空格时，请用英文双引号把整个路径括起来）"
CLI_PATH_WITH_SPACE = (
    "路径「{path}」中有空格，命令行把它拆成了几段。请用英文双引号把整个路径括起来后重新运行，例如：\n"
    "  {example}"
)
CLI_USAGE_ERROR = "命令行参数有误：{message}\n请运行 {prog} --help 查看用法。"
CLI_DID_YOU_MEAN = "您是不是要输入 {word}？"
CLI_NOT_IN_TOOL_FOLDER = (
    "当前文件夹 {cwd} 里既没有 {inbox}（收件文件夹）也没有 {config}（配置文件夹）："
    "多半不是在工具所在的文件夹里运行的。请先进入工具文件夹（Windows：cd /d 工具文件夹的路径）"
    "后重新运行，或用 --inbox 和 --config 写出完整路径；也可以直接双击工具文件夹里的 处理.bat。"
)
CLI_DASH_HINT = (
    "「{typed}」前面是中文的破折号或全角横线（从 Word 复制或用中文输入法时常被改成这样），"
    "请改为两个英文减号：{option}。"
)
CLI_BAD_NUMBER = "「{value}」不是{what}，请用阿拉伯数字写"
CLI_NOT_A_NUMBER = {"int": "整数（如 30）", "float": "数（如 0.05）"}
CLI_UNKNOWN_COMMAND = "没有「{value}」这个命令（可用的命令：{choices}）。"
CLI_INTERRUPTED = "已中断，本次没有写出新的结果；重新运行即可。"
CLI_INTERRUPTED_PREFILL = (
    "已中断：{out} 中的预填表可能只生成了一部分。请先重新运行同一命令（会重新生成全部预填表），"
    "再把各科室的文件夹或 .zip 发出。"
)
# How the user started the tool, for "run it again" hints: set by the Makefile and 处理.bat.
LAUNCHER_ENV = "LIANZHENG_LAUNCHER"
LAUNCHER_BAT_HINT = "双击 处理.bat"
CLI_DESCRIPTION = (
    "廉政风险自查表处理工具：读取收件箱里的全部自查表，校验、合并、评定等级、确定监督责任人，"
    "写出上报的廉政风险信息档案和发回各科室的反馈表。"
)
CLI_EPILOG = "例如：{prog} process --inbox inbox --config config --out output"
CLI_COMMANDS_TITLE = "可用的命令"
CLI_COMMAND_METAVAR = "命令"
CLI_HELP = {
    "help": "显示本帮助后退出",
    "process": "处理收件箱：读取、校验、评定等级，写出档案和科室反馈",
    "process.inbox": "收件文件夹（默认 inbox）",
    "process.config": "配置文件夹，内有 roster.xlsx（组织名册），可有 settings.toml（默认 config）",
    "process.out": "输出文件夹（默认 output）",
    "process.no_progress": "不显示进度条",
    "process.run_time": "封面上显示的处理时间（ISO 格式，如 2026-04-30T09:00:00）；固定它可使两次结果逐字相同",
    "templates": "生成空白表格（个人表、单位表、组织名册）",
    "templates.out": "写到哪个文件夹（默认 input_templates）",
    "demo-data": "生成一个虚构单位的示例数据：输出文件夹中的 inbox 和 config",
    "demo-data.people": "人数（默认 30）",
    "demo-data.seed": "随机种子（相同种子得到相同数据）",
    "demo-data.error_rate": "带错误的表格所占比例，0 到 1（默认 0.05）",
    "demo-data.out": "写到哪个文件夹",
    "demo-data.sections": "科室数（0 表示自动）",
    "demo-data.real_offices": "再加上实际工作中常见的报送方式：科室压缩包、邮件、单独的承诺书、按行填写科室姓名的汇总表",
    "bench": "测量处理速度，并与常规做法对比",
    "bench.sizes": "收件箱规模，逗号分隔",
    "bench.data": "示例收件箱的缓存文件夹",
    "bench.report": "结果追加写入的文件",
    "bench.baseline_max": "常规做法只在不超过这个规模的收件箱上计时",
}
# argparse's own messages (it looks them up through argparse._ at call time), in Chinese.
ARGPARSE_MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助后退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有「%(value)s」这个选项（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "「%(value)s」不是有效的值",
    "expected one argument": "后面需要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "参数 %s 至少要给一个",
    "unexpected option string: %s": "意外的选项：%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：%(message)s\n",
}
CLI_BAD_RUN_TIME = "「{value}」不是 ISO 格式的时间，请写成 2026-04-30T09:00:00 或 2026-04-30"
CLI_BAD_SIZES = "「{value}」不是有效的规模，请写正整数，多个用英文逗号分隔，如 1000,10000"
CLI_NO_COMMAND = "请指定要做的事，例如 process（处理收件箱）。"
CLI_WROTE = "已生成 {path}"
CLI_DEMO_ARGS = (
    "--people 应为正整数，--error-rate 应在 0 到 1 之间，--sections 应为 0（自动）或正整数。"
)
CLI_DEMO_NOT_EMPTY = (
    "{inbox} 里已经有文件：示例数据只写进空文件夹，否则新旧文件会混在一起。"
    "请换一个 --out 文件夹，或先清空它。"
)
CLI_DEMO_WROTE = "已生成示例数据：{inbox}，名册：{config}"
INBOX_MISSING = "找不到收件文件夹 {inbox}。请新建这个文件夹，把收到的表格放进去后重新运行。"
# an inbox holding no file at all: nothing is written (the last run's archive is kept)
INBOX_EMPTY = (
    "收件文件夹 {inbox} 里没有任何文件，本次没有处理，上次的结果保持不变。"
    "请把收到的自查表（邮件附件）保存到这个文件夹（可以按邮件分子文件夹）后重新运行。"
)
INBOX_IS_FILE = (
    "{inbox} 是一个文件，不是收件文件夹。--inbox 应当写存放收到的表格的文件夹（例如 inbox），"
    "请把这个文件放进该文件夹后重新运行。"
)
CONFIG_IS_FILE = (
    "{path} 是一个文件，不是配置文件夹。--config 应当写存放 roster.xlsx（和 settings.toml）"
    "的文件夹，例如 {folder}。"
)
BODY_FALLBACK = "本单位"


# --------------------------------------------------------------------------------------
# Appended by the output/configuration sweep: settings, roster, output folder
# --------------------------------------------------------------------------------------
SETTINGS_NOT_UTF8 = (
    "{path} 的文字编码无法识别。请用记事本打开，「另存为」时把编码选为 UTF-8 后重新运行。"
)
SETTINGS_SYNTAX = (
    "{path} 第 {line} 行第 {column} 列附近的写法有误，不是有效的设置文件。"
    "常见原因：文字没有用英文双引号括起、方括号或引号不成对、用了中文标点（＝、“”）。"
    "请对照 config/settings.toml 示例修改。"
)
SETTINGS_DUPLICATE = (
    "{path} 第 {line} 行「{text}」重复了：前面已经写过同一个 [表名] 或同一个键，"
    "在设置文件中每个只能写一次。请删去重复的一处（或把两处的设置合并到一起）后重新运行。"
)
SETTINGS_SYNTAX_NO_PLACE = (
    "{path} 的写法有误，不是有效的设置文件。"
    "常见原因：文字没有用英文双引号括起、方括号或引号不成对、用了中文标点（＝、“”）。"
    "请对照 config/settings.toml 示例修改。"
)
SETTINGS_UNREADABLE = (
    "无法读取设置文件 {path}（它不是普通文件，或没有读取权限）。请检查后重新运行。"
)
SETTINGS_BAD_TEXT = "settings.toml 中「{where}」的值「{value}」无效，应为{expected}。"
SETTINGS_EXPECT_PHASE = "阶段名：{phases}"
SETTINGS_EXPECT_WHOLE = "大于 0 的整数"
SETTINGS_EXPECT_POSITIVE = "大于 0 的数"
SETTINGS_EXPECT_WORKERS = "0（自动）或正整数"
ROSTER_UNREADABLE = (
    "组织名册 {path} 无法打开：它不是有效的 .xlsx 文件（可能已损坏、被加密，或是其他格式）。"
    "请用 Excel 打开确认后「另存为」Excel 工作簿（.xlsx）。"
)
ROSTER_IS_FOLDER = (
    "组织名册 {path} 是一个文件夹，不是 Excel 文件。请把名册文件 roster.xlsx 放到配置文件夹。"
)
ROSTER_MISSING_COLUMNS = "组织名册 {path} 的工作表「{sheet}」缺少列：{missing}。请补上后重新运行。"
ROSTER_SECTION_VARIANT = (
    "科室「{value}」与{first_sheet}工作表第{first_row}行的「{first}」只差全角/半角、空格或标点，"
    "按同一个科室「{first}」处理。"
)
ROSTER_SECTION_VARIANT_FIX = "请统一科室名称的写法；如确是两个不同的科室，请改用能区分的名称。"
ROSTER_SECTION_DUPLICATE = "科室「{section}」在「科室」工作表中出现了多次（{rows}），按第{first_row}行填写的负责人和分管副主席处理。"
ROSTER_SECTION_DUPLICATE_FIX = "请删去重复的行，每个科室只写一行。"
ROSTER_PERSON_DUPLICATE = (
    "「{name}」在科室「{section}」中出现了多次（{rows}），按第{first_row}行处理。"
)
ROSTER_PERSON_DUPLICATE_FIX = (
    "请删去重复的行；如确为重名的两个人，请在姓名后加以区分（如 张伟（大））。"
)
_ROSTER_CHOOSE_TYPE = "请从下拉列表中选择岗位类别：" + "、".join(POST_TYPES) + "。"
_ROSTER_YES_NO = "请填写「是」或「否」。"
_ROSTER_FILL_TEXT = "请填写{what}；如果这一格是公式，请改为直接填写文字。"
# level_differs' 修改建议: the computed level is more severe than 自评等级 (the matrix or the
# post type raised it), or less severe (the person judged the risk higher than their 发生几率
# and 危害程度 give: asking them to check 岗位类别 would not help; tell them how to keep it)
LEVEL_DIFFERS_FIX_RAISED = "请科室核对发生几率、危害程度和岗位类别；以评定等级为准。"
LEVEL_DIFFERS_FIX_LOWERED = (
    "评定等级按发生几率、危害程度和岗位类别确定，低于自评。如确属{self_level}风险，请相应提高发生几率或危害程度；"
    "否则请把自评等级改为「{level}」。"
)
# Problems of the roster: 提示 for the office at the cell to fix (config.load_roster)
MESSAGES.update(
    {
        "roster_section_variant": Message(
            ROSTER_SECTION_VARIANT, ROSTER_SECTION_VARIANT_FIX, ACTION_NOTE
        ),
        "roster_section_duplicate": Message(
            ROSTER_SECTION_DUPLICATE, ROSTER_SECTION_DUPLICATE_FIX, ACTION_NOTE
        ),
        "roster_person_duplicate": Message(
            ROSTER_PERSON_DUPLICATE, ROSTER_PERSON_DUPLICATE_FIX, ACTION_NOTE
        ),
        "roster_names_tidied": Message(
            "名册中有 {count} 处姓名或科室名称夹有空格或看不见的字符，已去掉后使用（档案、反馈和"
            "风险点编号中都按去掉后的写法）：{cells}。",
            "请在 config/roster.xlsx 的这些单元格中删去其中的空格，今后各处写法就与名册一致；"
            "不改也不影响本次处理。",
            ACTION_NOTE,
        ),
        "roster_role_note": Message(
            "{role}「{value}」按「{sheet_name}」工作表第{person_row}行的「{person}」处理（括号中的说明不算"
            "姓名的一部分）。",
            "请在这一格只填写姓名「{person}」，与「{sheet_name}」工作表的写法一致；职务等说明"
            "请写在「{sheet_name}」工作表的「岗位（职务）」列。",
            ACTION_NOTE,
        ),
        "roster_name_in_sections": Message(
            "「{value}」出现在多个科室（{rows}：{sections}），按同一人处理：只需报送一份个人"
            "廉政风险自查表，从哪个科室报送就计入哪个科室；尚未报送时列在「{first}」。",
            "一人只能属于一个科室：请在名册「{sheet_name}」工作表中删去不对的那一行；如确为重名的"
            "两个人，请在姓名后加以区分（如 张伟（办公室）），并请本人在表中照此填写姓名。",
            ACTION_NOTE,
        ),
        "roster_post_type_unknown": Message(
            "岗位类别「{value}」不在可选范围内：{allowed}，按无等级下限处理。",
            _ROSTER_CHOOSE_TYPE,
            ACTION_NOTE,
        ),
        "roster_post_type_folded": Message(
            "岗位类别「{value}」按「{canonical}」处理。",
            "请从下拉列表中选择完整的岗位类别「{canonical}」。",
            ACTION_NOTE,
        ),
        "roster_post_type_blank": Message(
            "{name}（{section}）没有填写岗位类别，其风险点按无等级下限定级。",
            _ROSTER_CHOOSE_TYPE,
            ACTION_NOTE,
        ),
        "roster_name_blank": Message(
            "「{sheet_name}」工作表的这一行（科室「{section}」，岗位「{post}」）没有填写姓名，"
            "未计入应报送名单。",
            _ROSTER_FILL_TEXT.format(what="姓名"),
            ACTION_NOTE,
        ),
        "roster_person_section_blank": Message(
            "{name}的「科室」没有填写，无法确定其所在科室和监管人，未计入应报送名单。",
            _ROSTER_FILL_TEXT.format(what="所在科室（与「科室」工作表中的写法一致）"),
            ACTION_NOTE,
        ),
        "roster_section_row_blank": Message(
            "「{sheet_name}」工作表的这一行填写了负责人「{value}」，却没有填写科室名称，这一行未使用。",
            _ROSTER_FILL_TEXT.format(what="科室名称"),
            ACTION_NOTE,
        ),
        "roster_is_head_blank": Message(
            "{name}（{section}）的「是否科室负责人」没有填写，按「否」处理。",
            _ROSTER_YES_NO,
            ACTION_NOTE,
        ),
        "roster_is_head_unknown": Message(
            "「是否科室负责人」的值「{value}」无法识别，按「否」处理。", _ROSTER_YES_NO, ACTION_NOTE
        ),
        "roster_head_missing": Message(
            "科室「{section}」没有填写科室负责人，其风险点的监管人将上移到分管副主席。",
            "请填写科室负责人。",
            ACTION_NOTE,
        ),
        "roster_head_not_in_people": Message(
            "科室「{section}」的科室负责人「{value}」不在「人员」工作表中，"
            "无法核对其本人的报送，却要监管本科室的风险点。",
            "请把科室负责人也列入「人员」工作表（「是否科室负责人」填「是」）。",
            ACTION_NOTE,
        ),
        "roster_heads_differ": Message(
            "科室「{section}」的负责人在「科室」工作表中是「{value}」，而「人员」工作表中"
            "标为科室负责人的是{marked}；按「科室」工作表的「{value}」确定监管人。",
            "请统一两个工作表中的科室负责人。",
            ACTION_NOTE,
        ),
        "roster_vice_missing": Message(
            "科室「{section}」没有填写分管副主席，其风险点的监管人将上移到主席。",
            "请填写分管副主席。",
            ACTION_NOTE,
        ),
        "roster_vice_not_in_people": Message(
            "分管副主席「{value}」不在「人员」工作表中。",
            "请把分管副主席也列入「人员」工作表（科室可填「领导班子」）。",
            ACTION_NOTE,
        ),
        "roster_chair_missing": Message(
            "「{sheet_name}」工作表没有填写主席：一级风险点的负责领导和各分管副主席本人的风险点，"
            "其监管人都将上移到上级监督机构{oversight}。",
            "请在「{sheet_name}」工作表的「主席」列填写主席的姓名（与「人员」工作表的写法一致）。",
            ACTION_NOTE,
        ),
        "roster_chair_not_in_people": Message(
            "主席「{value}」不在「人员」工作表中，无法核对其本人的报送；如果是姓名写法不一致，"
            "主席本人报送的风险点将无法按主席上报上级监督机构。",
            "请把主席也列入「人员」工作表（科室可填「领导班子」），两处姓名写法一致。",
            ACTION_NOTE,
        ),
        "roster_section_unlisted": Message(
            "「人员」工作表中的科室「{value}」没有列在「科室」工作表中，无法确定其负责人和分管副主席。",
            "请在「科室」工作表中补上这个科室。",
            ACTION_NOTE,
        ),
    }
)
OUT_UNUSABLE = (
    "无法写入输出文件夹 {path}：{reason}。请换一个输出文件夹（--out），或检查文件夹权限后重新运行。"
)
OUT_REASON_NOT_FOLDER = "同名的文件已存在，它不是文件夹"
OUT_REASON_DENIED = "没有写入权限"
OUT_REASON_OTHER = "系统拒绝写入"
OUT_NAME_IS_FOLDER = (
    "无法保存 {path}：那里是一个文件夹，占用了输出文件的名字。"
    "请把这个文件夹改名或移到别处后重新运行。"
)
OUT_FILE_IN_THE_WAY = (
    "无法在 {path} 建立文件夹：那里有一个同名的文件，占用了输出文件夹的名字。"
    "请把这个文件改名或移到别处后重新运行。"
)
OUT_FILE_BUSY = (
    "无法保存 {path}：文件可能正在 Excel 或 WPS 中打开，或没有写入权限。"
    "请关闭这个文件后重新运行（该文件仍是上一次运行的结果）。"
)
OUT_BUSY = (
    "输出文件夹 {out} 正由另一次处理使用（可能是「处理.bat」被双击了两次，或另一个窗口还在处理）。"
    "两次处理同时写入会互相覆盖，所以这一次没有开始。请等另一次处理结束（它的窗口显示“处理完成”）后再运行；"
    "如果要同时处理另一批表格，请换一个输出文件夹（--out）。"
)
OUT_INSIDE_INBOX = (
    "输出文件夹 {out} 位于收件文件夹 {inbox} 之内（或就是它），下次运行会把输出当作收到的表格读取。"
    "请另选一个输出文件夹（--out）。"
)
INBOX_INSIDE_FEEDBACK = (
    "{what} {path} 位于输出文件夹的「{feedback}」之内；每次运行都会重新生成该文件夹，运行会读到自己的输出。"
    "请把它移到别处后重新运行。"
)
INBOX_LABEL = "收件文件夹"
CONFIG_LABEL = "配置文件夹"
# the cover's 评级设置来源 when no settings.toml exists (else "<folder>/settings.toml", no
# absolute path: the archive is filed upward)
SETTINGS_DEFAULT_SOURCE = "默认设置"

# --------------------------------------------------------------------------------------
# Settings defaults and settings/roster messages (config.py)
# --------------------------------------------------------------------------------------
# SPEC's default grading matrix: rows 危害程度, keys inside 发生几率.
DEFAULT_MATRIX = {
    "严重": {"高": "一级", "中": "一级", "低": "二级"},
    "较重": {"高": "一级", "中": "二级", "低": "三级"},
    "一般": {"高": "二级", "中": "三级", "低": "三级"},
}
# SPEC's default post-type floors (NO_FLOOR: none).
DEFAULT_FLOORS = {
    "领导班子正职": "一级",
    "人财物管理": "一级",
    "民生密切相关": "一级",
    "一般管理服务": NO_FLOOR,
    "其他": NO_FLOOR,
}
# The digest's supervisor table: roles per level and the default handling measure.
DEFAULT_SUPERVISION = {
    "一级": {"direct": ROLE_VICE, "leader": ROLE_CHAIR, "measure": MEASURES_BY_LEVEL["一级"]},
    "二级": {"direct": ROLE_HEAD, "leader": ROLE_VICE, "measure": MEASURES_BY_LEVEL["二级"]},
    "三级": {"direct": ROLE_HEAD, "leader": ROLE_HEAD, "measure": MEASURES_BY_LEVEL["三级"]},
}
LIST_SEP = "、"  # between the items of a list in a message
NONE_LISTED = "（无）"
SETTINGS_UNKNOWN_KEY = "settings.toml 中的键「{where}」无法识别。此处可用的键：{known}。"
SETTINGS_KEY_MEANT = "您是不是要写 {key}？"
SETTINGS_KEY_UNDER = (
    "「{key}」应写在 [{table}] 这一行的下面（它是 [{table}] 的设置），请把它移过去。"
)
SETTINGS_NOT_TABLE = "settings.toml 中的「{where}」应当是一个表（[{where}]）。"
SETTINGS_BAD_LEVEL = "settings.toml 中「{where}」的值「{value}」无效，应为：{allowed}。"
SETTINGS_BODY_NAME = "settings.toml 中「body.name」应为文字，现为「{value}」。"
SETTINGS_BODY_YEAR = "settings.toml 中「body.year」的值「{value}」无效，应为年份，如 2026。"
SETTINGS_DEADLINE = (
    'settings.toml 中「deadlines.{phase}」的值「{value}」无效，应写成 "MM-DD"，如 "03-31"。'
)
SETTINGS_MATRIX_ROW_MISSING = (
    "settings.toml 的评级矩阵 [grading.matrix] 缺少危害程度「{harm}」这一行。"
)
SETTINGS_MATRIX_CELL_MISSING = (
    "settings.toml 的评级矩阵缺少格「{harm}×{likelihood}」（grading.matrix.{harm}.{likelihood}）。"
)
SETTINGS_MATRIX_EXTRA_LIKELIHOOD = (
    "settings.toml 的评级矩阵「{harm}」行有无法识别的发生几率：{extra}；应为：{allowed}。"
)
SETTINGS_MATRIX_EXTRA_HARM = (
    "settings.toml 的评级矩阵有无法识别的危害程度：{extra}；应为：{allowed}。"
)
SETTINGS_ROLE_BAD = (
    "settings.toml 中「supervision.{level}.{role_key}」的值「{value}」无效，应为：{allowed}。"
)
SETTINGS_MEASURE_BAD = (
    "settings.toml 中「supervision.{level}.measure」应为处置方式文字，如「提醒纠错」。"
)
ROSTER_SHEET_MISSING = (
    "组织名册 {path} 缺少工作表「{sheet}」。请按 input_templates/组织名册.xlsx 的格式补上。"
)
# the roster's sheets carry other names (Sheet1, Sheet2…): which ones it has, what to rename
ROSTER_SHEET_MISSING_NAMES = (
    "组织名册 {path} 缺少工作表「{sheet}」（这个文件里的工作表是：{names}）。"
    "如果{role}在其中，请把它改名为「{sheet}」；否则请按 input_templates/组织名册.xlsx 的格式补上。"
)
ROSTER_SHEET_ROLES = {
    ROSTER_SHEET_PEOPLE: "列出全体人员的那张工作表",
    ROSTER_SHEET_SECTIONS: "列出各科室负责人和分管副主席的那张工作表",
    ROSTER_SHEET_UNIT: "填写单位名称、主席和上级监督机构的那张工作表",
}
ROSTER_NO_HEADER = "组织名册 {path} 的工作表「{sheet}」找不到表头（应有：{labels}）。"
# settings.toml missing but a file meant as it there (settings.toml.txt: made as a text file
# in Explorer with extensions hidden): its values would silently not apply
SETTINGS_OTHER_NAME = (
    "配置文件夹 {folder} 里没有 settings.toml，但有{names}：设置文件的文件名必须是 settings.toml，"
    "否则其中的设置（评级矩阵、截止日期等）不会生效，全部按默认值处理。请把它改名为 settings.toml"
    "（Windows 隐藏扩展名时，它在资源管理器里可能显示为「settings.toml」，实际多了「.txt」；"
    "改名时看不到「.txt」的，请在资源管理器的「查看」中勾选「文件扩展名」后再改）后重新运行；"
    "如果不需要自定义设置，删除它即可。"
)
# roster.xlsx open in Excel/WPS (its ~$roster.xlsx beside it) or LibreOffice: what was read
ROSTER_OPEN_ELSEWHERE = (
    "组织名册 {path} 可能正在 Excel、WPS 等软件中打开（旁边有锁定文件「{lock}」）：本次读取的是它最后"
    "一次保存的内容。如果刚修改过名册还没有保存，请保存后重新运行；如果名册并没有打开，这个锁定文件"
    "是软件异常退出时留下的，可以删除。"
)
ROSTER_MISSING = (
    "找不到组织名册 {path}。请把名册放到配置文件夹"
    "（可复制 input_templates/组织名册.xlsx，改名为 roster.xlsx 后填写）。"
)
ROSTER_MISSING_OTHER_NAME = (
    "找不到组织名册 {path}：配置文件夹里有{names}，但名册的文件名必须是 {file}。"
    "如果它就是组织名册，请把它改名为 {file} 后重新运行"
    "（资源管理器不显示「.xlsx」时，只需改为 roster，不要再加 .xlsx）。"
)
# the roster saved as .xls/.ods/.xlsm: renaming it to roster.xlsx would not open
ROSTER_MISSING_OTHER_FORMAT = (
    "找不到组织名册 {path}：配置文件夹里有{names}，但名册必须是 Excel 工作簿（.xlsx），"
    "文件名为 {file}。如果它就是组织名册，请用 Excel 或 WPS 打开它，点「文件」→「另存为」，"
    "保存类型选「Excel 工作簿（*.xlsx）」，文件名填 roster，保存到配置文件夹后重新运行"
    "（只改文件名，文件仍是原来的格式，打不开）。"
)
# roster.xlsx.xlsx: Windows hides the extension, so it shows as roster.xlsx in Explorer
ROSTER_MISSING_DOUBLE_EXT = (
    "找不到组织名册 {path}：配置文件夹里的{names}文件名多了一个扩展名"
    "（Windows 默认隐藏扩展名，资源管理器里它显示为「{file}」）。请把它改名："
    "资源管理器里显示为「{file}」的，改为 roster；显示完整文件名的，删去末尾多余的扩展名，"
    "改为 {file}。然后重新运行。"
)
ROSTER_PEOPLE_EMPTY = "组织名册 {path} 的「{sheet}」工作表是空的。请填写全体人员后重新运行。"
ROSTER_ROW = "第{row}行"  # a roster row in a message (rows="第3行、第7行")
ROSTER_TIDIED_CELL = "「{sheet}」工作表 {cell}「{value}」→「{tidy}」"
ROSTER_TIDIED_MORE = "等（共 {count} 处）"
ROSTER_TIDIED_SHOWN = 20  # cells listed in the one notice
ROSTER_MARKED_HEAD = "「{name}」（第{row}行）"  # a person marked 是否科室负责人 in 人员

# --------------------------------------------------------------------------------------
# Texts only the forms show (templates.py): hints, the guide, the pledge, the roster notes
# --------------------------------------------------------------------------------------
FORM_ERROR_TITLE_ENUM = "输入值不在可选范围内"
FORM_HEADER_HINTS = {
    "section": "填写科室全称，与组织名册一致，如「办公室」。",
    "name": "填写本人姓名，与组织名册一致。",
    "post": "填写本人岗位或职务，与组织名册一致，如「会计」。",
    "date": "填写日期，如 2026-03-15。",
    "head": "填写本科室负责人姓名。",
    "pledger": "承诺人本人签名（填写姓名）。",
    "pledge_date": "填写日期，如 2026-03-15。",
}
# a header cell prefill filled from the roster and locked: nothing to type there
FORM_PREFILLED_HINT = "已按组织名册填好，不用填写；如有错误，请告知领导小组办公室。"
FORM_COLUMN_HINTS = {
    "step": "填写行使职权的具体事项或工作环节，如「经费报销审核」。",
    "posts_involved": "填写名册中本科室的岗位名称，多个岗位用顿号分隔，如「会计、出纳」。",
    "description": "具体写出可能发生的廉政风险，一条风险点填一行。",
    "self_level": "按「填表说明」中的评级矩阵自评：一级风险最高，三级最低。",
    "prevent": "事前预防措施：教育、制度、公开、承诺等。",
    "monitor": "事中监控措施：审核、复核、检查、台账等。",
    "handle": "事后处置措施：发现问题后如何纠正、追责。",
}
FORM_PLEDGE_INTRO = (
    "本人根据所在岗位查找出的廉政风险点，郑重作出以下承诺，自觉接受组织和群众监督，"
    "落实情况与年度工作目标考核挂钩。"
)
FORM_PLEDGE_ITEM_HINT = "每行填写一条承诺事项，如「严格执行财务制度，不违规报销」。"

GUIDE_HEADINGS = (
    "一、填表方法",
    "二、四类风险及填写示例",
    "三、风险等级评定",
    "四、分级监控与处置",
    "五、报送时间",
)
GUIDE_STEPS = {
    INDIVIDUAL: (
        "1. 每人填写一份，针对本人岗位，对行使职权的每个环节逐一查找可能存在的廉政风险。",
        "2. 在表头填写科室、姓名、岗位（职务）和填表日期，写法与组织名册一致。",
        (
            "3. 每个风险点填一行：职权事项（工作环节）、风险类别、风险点描述、发生几率、危害程度必填；"
            "风险类别、发生几率、危害程度、自评等级请从下拉列表选择。"
        ),
        "4. 防控措施分前期预防、中期监控、后期处置三类分别填写；一个单元格内可换行（Alt+Enter）。",
        "5. 行数不够时，可在表格中间插入行；请不要修改、删除表头，不要合并单元格。",
        "6. 在「廉政承诺书」工作表中逐条填写承诺事项，并填写承诺人和承诺日期。",
        "7. 保存为 .xlsx 格式，以附件形式发送给领导小组办公室；修改后重新发送的，以填表日期最新的一份为准。",
    ),
    UNIT: (
        "1. 每个科室填写一份：科室在审核个人自查表的基础上，对本科室职权行使的每个工作环节归纳查找风险点。",
        "2. 在表头填写科室、科室负责人和填表日期，写法与组织名册一致。",
        (
            "3. 每个风险点填一行：职权事项（工作环节）、风险类别、风险点描述、发生几率、危害程度必填；"
            "风险类别、发生几率、危害程度、自评等级请从下拉列表选择。"
        ),
        (
            "4. 「涉及岗位」填写名册中本科室的岗位名称，多个岗位用顿号分隔；"
            "风险点的最低等级按其中岗位类别最高的岗位确定。"
        ),
        "5. 防控措施分前期预防、中期监控、后期处置三类分别填写；一个单元格内可换行（Alt+Enter）。",
        "6. 行数不够时，可在表格中间插入行；请不要修改、删除表头，不要合并单元格。",
        "7. 保存为 .xlsx 格式，以附件形式发送给领导小组办公室；修改后重新发送的，以填表日期最新的一份为准。",
    ),
}
GUIDE_MEANING_LABEL = "含义"
GUIDE_CATEGORY_MEANINGS = {
    "岗位职责风险": "由于工作岗位的特殊性，可能造成在岗人员不履行或不正确履行职责的因素。",
    "业务流程风险": "由于工作程序和个人自由裁量空间过大，可能造成权力失控和行为失范的因素。",
    "制度机制风险": "由于缺乏制度的明确覆盖及工作时限、标准、质量等明确规定，可能导致行为失控的因素。",
    "外部环境风险": "行业“潜规则”对岗位的干扰，以及生活圈、社交圈对个人的不利影响等因素。",
}
# One worked example per category: step, posts involved, description, likelihood, harm,
# prevention, monitoring, handling. The example's 自评等级 is computed from the matrix.
GUIDE_CATEGORY_EXAMPLES = {
    "岗位职责风险": (
        "妇女儿童维权信访接待",
        "信访接待员",
        "对群众反映的问题推诿拖延，不及时登记转办，损害群众利益。",
        "中",
        "较重",
        "学习信访工作规定，公开办理流程和时限。",
        "建立信访台账，科室负责人每周检查办理进度。",
        "对推诿拖延的提醒纠错，督促限期办结。",
    ),
    "业务流程风险": (
        "救助资金审核发放",
        "会计、出纳",
        "审核发放程序不规范，可能优亲厚友或虚报冒领。",
        "中",
        "严重",
        "制定发放标准和审批流程，名单集体研究并公示。",
        "分管副主席审核，财务与业务科室双人复核。",
        "发现违规的追回资金，按规定严肃处理。",
    ),
    "制度机制风险": (
        "办公用品采购",
        "采购员",
        "缺少采购比价和验收制度，可能虚报价格或以次充好。",
        "低",
        "较重",
        "建立采购比价、验收制度，明确审批权限。",
        "每季度公开采购明细，财务逐笔核对。",
        "对违规采购责令整改，追究相关人员责任。",
    ),
    "外部环境风险": (
        "评先评优推荐",
        "科室负责人",
        "受人情关系干扰，说情打招呼影响推荐的公正性。",
        "中",
        "一般",
        "公开推荐条件和程序，签订廉洁承诺。",
        "推荐结果集体研究并公示，接受群众监督。",
        "对说情干扰的登记报告，查实的严肃处理。",
    ),
}
GUIDE_GRADING_RULES = (
    (
        "评定等级取以下两者中更严重的一级：（1）发生几率与危害程度在下面矩阵中对应的等级；"
        "（2）岗位类别对应的最低等级（单位表按涉及岗位中最高的一个；岗位类别见组织名册）。"
    ),
    "一级风险最高，三级风险最低。自评等级与评定等级不一致时，以评定等级为准，并在反馈中提示。",
)
GUIDE_MATRIX_CORNER = ARCHIVE_MATRIX_CORNER
GUIDE_FLOOR_HEADER = (ROSTER_PEOPLE_COLUMNS["post_type"], "最低等级")
GUIDE_NO_FLOOR = "无（按矩阵评定）"
GUIDE_LEVEL_MEANINGS = {
    "一级": "风险度最高：单位领导班子正职岗位，与经济发展和人民群众生产生活密切相关的岗位，"
    "从事人财物等管理的岗位，以及可能造成严重后果的风险点。",
    "二级": "可能产生严重违规、违章行为的具有一般经济管理、社会事务管理、公共服务等职能的岗位。",
    "三级": "可能产生轻微违规、违章行为，造成不良社会影响或一定经济损失的风险点。",
}
GUIDE_LEVEL_HEADER = (LEVEL_LABEL,)
GUIDE_SUPERVISION_HEADER = (
    LEVEL_LABEL,
    CATALOGUE_COLUMNS["direct"],
    SUPERVISION_LEADER_LABEL,
    CATALOGUE_COLUMNS["measure"],
)
GUIDE_SUPERVISION_NOTE = (
    "监管人不能是本人或职级低于本人的人：按 科室负责人→分管副主席→主席→上级监督机构 的顺序"
    "上移到第一个职级高于本人的人。"
)
GUIDE_DEADLINE_HEADER = ARCHIVE_DEADLINES_HEADER
GUIDE_MONTH_DAY = "{month}月{day}日"  # a deadline in the guide: 3月31日
GUIDE_DEADLINE_NOTE = (
    "个人和单位自查表请在「查找风险」阶段截止日期前报送；具体年份以办公室通知为准。"
)

ROSTER_NOTES_SHEET = "说明"
ROSTER_NOTES = (
    "组织名册由领导小组办公室维护，放在 config/roster.xlsx，每次处理时据此核对报送情况、确定监管人。",
    "「人员」：列出所有应当报送个人自查表的人，一人一行。科室、姓名的写法要与自查表中的一致。",
    "「岗位类别」从下拉列表选择："
    + allowed_text(POST_TYPES)
    + "；"
    + "、".join(t for t, floor in DEFAULT_FLOORS.items() if floor in LEVELS)
    + "岗位的风险点有最低等级（见自查表的「填表说明」）。",
    (
        "「是否科室负责人」填「是」或「否」。分管副主席、主席也请列入「人员」"
        f"（科室可填「{LEADERSHIP_SECTION}」）。"
    ),
    "「科室」：每个科室一行，填写科室负责人和分管副主席的姓名。",
    "「单位」：只填一行：单位名称、主席姓名、上级监督机构（如 区纪委派驻纪检组）。",
    "请不要修改各工作表第一行的表头。",
)


# --------------------------------------------------------------------------------------
# 离线安装包（make wheelhouse）
# --------------------------------------------------------------------------------------
WHEELHOUSE_README_FILE = "说明.txt"
WHEELHOUSE_README = (
    "这个文件夹是廉政风险自查表处理工具的离线安装包。\r\n"
    "把它整个放在工具文件夹里（与 处理.bat 同一层，名字保持 wheelhouse），"
    "双击 处理.bat 即可在不联网的电脑上完成安装。\r\n"
    "手动安装：pip install --no-index --find-links wheelhouse lianzheng-risk\r\n"
)
WHEELHOUSE_WROTE = "已写出离线安装包：{out}（{n} 个文件）"
WHEELHOUSE_HELP = {
    "description": "生成离线安装包：把本工具需要的全部安装文件放进一个文件夹，供不能上网的电脑安装",
    "out": "写到哪个文件夹（默认 工具文件夹里的 wheelhouse）",
    "platform": "为另一种电脑生成，如 win_amd64（64 位 Windows）；不写则为本机生成",
    "python": "另一种电脑的 Python 版本，如 3.12（只在写了 --platform 时使用，默认 3.11）",
}
WHEELHOUSE_FAILED = (
    "离线安装包没有生成完（上面是 pip 的提示）。请确认这台电脑能上网；为另一种电脑生成时，"
    "--platform 和 --python 要写那台电脑的（本次：{platform}，Python {python}），"
    "例如 --platform win_amd64 --python 3.12。改正后重新运行 make wheelhouse。"
)

# --------------------------------------------------------------------------------------
# The yearly cycle and the district (archives, prefill, history, combine)
# --------------------------------------------------------------------------------------
# Labels a catalogue column is also known by (archives of earlier versions, hand-made
# catalogues): output key -> synonyms.
CATALOGUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    # bodies' own catalogues also head their columns 部门名称, 处（科）室, 工作岗位, 主要风险点 …
    "section": (*HEADER_SYNONYMS["section"], "部门名称", "处（科）室", "处科室", "内设机构"),
    "post": (*HEADER_SYNONYMS["post"], "工作岗位", "岗位职务"),
    "name": ("填报人", "填表人", "责任人"),
    "step": (
        *COLUMN_SYNONYMS["step"],
        "风险环节",
        "权力事项",
        "业务环节",
        "职权名称",
        "职责事项",
    ),
    "category": COLUMN_SYNONYMS["category"],
    "description": (
        *COLUMN_SYNONYMS["description"],
        "风险内容",
        "主要表现形式",
        "廉政风险点表现形式",
        "主要风险点",
        "风险表现",
        "风险点表现",
        "廉政风险表现",
    ),
    "likelihood": COLUMN_SYNONYMS["likelihood"],
    "harm": COLUMN_SYNONYMS["harm"],
    "level": ("风险等级", "等级", "风险级别", "岗位风险等级"),
    "prevent": COLUMN_SYNONYMS["prevent"],
    "monitor": COLUMN_SYNONYMS["monitor"],
    "handle": COLUMN_SYNONYMS["handle"],
    "measure": ("处置措施方式",),
}
COMBINE_BODY_LABEL = "单位"
COMBINE_BODY_SYNONYMS = ("单位名称", "报送单位")
# the column of bodies in a list of expected bodies (--expected), besides the above
COMBINE_EXPECTED_LABELS = ("应报单位", "单位全称", "单位名单", "名称", "机构名称")
LAST_ARCHIVE_MISSING = (
    "找不到上年档案 {path}。请检查文件名和所在文件夹后重新运行"
    "（上年档案是上年处理生成的「……廉政风险信息档案.xlsx」）。"
)
LAST_ARCHIVE_IS_FOLDER = (
    "{path} 是一个文件夹，不是上年档案文件。请写出档案文件本身的路径（{found}）后重新运行。"
)
LAST_ARCHIVE_FOLDER_HOLDS = "这个文件夹里有：{names}"
LAST_ARCHIVE_FOLDER_EMPTY = "上年处理生成的「……廉政风险信息档案.xlsx」"
LAST_ARCHIVE_OTHER_OUTPUT = "{path} 是本工具生成的{what}，不是本单位的廉政风险信息档案。请指定本单位上年处理生成的档案文件。"
LAST_ARCHIVE_OTHER_BODY = (
    "{path} 是「{theirs}」的廉政风险信息档案，不是本单位（{ours}）的，所以没有生成预填表"
    "（带入别的单位的风险点，本单位的人会收到不属于自己的内容）。请指定本单位上年处理生成的档案后重新运行；"
    "如果本单位已经改名、这正是改名前的档案，请不带 --last-archive 运行，生成只填好名册信息的表。"
)
LAST_ARCHIVE_IS_PDF = "{path} 是 PDF 文件（档案的打印版本），读不出其中的风险点。请改为指定上年档案的 .xlsx 文件{beside}。"
LAST_ARCHIVE_PDF_TWIN = "（就在它旁边：{xlsx}）"
LAST_ARCHIVE_NOT_ARCHIVE = (
    "{path} 不是廉政风险信息档案：其中找不到「岗位廉政风险和等级目录」"
    "（或带有 科室、岗位、风险点描述、风险等级 表头的目录）。请指定上年处理生成的档案文件。"
)
CLI_HELP.update(
    {
        "prefill": "按组织名册为每个科室生成预填好科室、姓名、岗位的自查表（可带入上年风险点）",
        "prefill.config": "配置文件夹，内有 roster.xlsx（组织名册）（默认 config）",
        "prefill.out": "输出文件夹：每个科室一个文件夹和一个同名 .zip",
        "prefill.last_archive": "上年的档案（……廉政风险信息档案.xlsx）：带入每人、每个科室上年的风险点和防控措施",
    }
)
CLI_PREFILL_NOT_CARRIED = (
    "上年档案中另有 {n} 条风险点不属于名册中的任何人或科室，未带入：{who}。"
    "如是人员调动或改名，请核对组织名册。"
)
CLI_PREFILL_MOVED = (
    "上年档案中另有 {n} 条风险点属于已调到其他科室的人，未带入新科室的表"
    "（风险点随原岗位，请本人按新岗位填写）：{who}。如名册写错了科室，请改正组织名册后重新生成。"
)
CLI_PREFILL_RENAMED = (
    "名册中已没有上年的科室「{before}」，其人员现都在「{now}」（上年没有这个科室），已按科室改名处理："
    "「{before}」上年的风险点带入了「{now}」的表。如果不是改名，请检查这些表中的内容。"
)
CLI_PREFILL_MOVED_OWNER = "{name}（上年在{before}，名册中现在{now}）"
# a catalogue's 姓名 column headed 责任人: in some bodies' catalogues the supervisor, not the
# point's own person (prefill gives such a point to the person only when it is surely theirs)
NAME_UNSURE_WORDS = ("责任人",)
CLI_PREFILL_UNSURE = (
    "上年目录的「{label}」列在有的单位写的是监督责任人，不一定是风险点的本人：其中 {n} 条风险点"
    "不能确定属于所写的人（岗位与名册不同，或此人是科室负责人、单位领导，或不在该科室），"
    "已放进所在科室的单位表（涉及岗位一栏为上年的岗位），没有放进个人的表。"
    "请各科室核对：属于个人的风险点，请本人填到自己的表里。"
)
CLI_PREFILL_WROTE = (
    "已生成预填的自查表：{sections} 个科室，共 {forms} 份（带入上年风险点 {points} 条），"
    "在 {out}（每个科室一个文件夹，另有同名 .zip 可直接发送）。"
)

# --------------------------------------------------------------------------------------
# What real offices send (layout.py, containers.py, pledges.py): layouts, owners, containers
# --------------------------------------------------------------------------------------
# More wording of the table columns seen on public forms (SPEC "What real offices send").
COLUMN_SYNONYMS_MORE = {
    "step": (
        "风险环节",
        "权力事项",
        "权力",
        "业务环节",
        "工作职责",
        "主要职责",
        "岗位职责",  # (a column's label; 岗位职责 as a 风险类别 value is another thing)
        "职责事项",
        # the template's two names of the column in one label, as forms write it
        "职权事项/工作环节",
        "职权事项、工作环节",
        "工作环节/职权事项",
        "职权事项及工作环节",
    ),
    "category": ("风险种类", "风险分类"),
    "description": (
        "风险点描述及表现形式",
        "主要风险点",
        "岗位廉政风险点",
        "岗位风险点",
        "风险内容",
        "主要表现形式",
        "廉政风险点表现形式",
        "风险表现形式",
        "廉政风险内容",
        "风险点及表现形式",
        "廉政风险点描述",
        "风险点内容",
        "风险内容描述",
        "风险描述及表现形式",
        "风险点具体描述",
        "具体表现形式",
    ),
    "self_level": ("风险级别", "风险等级评定", "等级评定", "风险定级"),
    "likelihood": ("发生可能性", "风险发生几率", "发生机率", "机率"),  # 機率: as Taiwan writes it
    "harm": ("危害后果", "影响后果", "后果严重程度", "危害程度及后果"),
    "measures": ("防控措施", "风险防控措施", "防范措施及要求", "主要防控措施", "廉政风险防控措施"),
    # sub-columns under a merged 防控措施 (two-row headers)
    "prevent": ("前期", "事前", "事前预防", "前期防控", "事前防范"),
    "monitor": ("中期", "事中", "事中监控", "中期防控", "事中监督"),
    "handle": ("后期", "事后", "事后处置", "后期防控", "事后处理"),
}
# Per-row owner columns: whose risk point this row is (section and whole-body tables).
OWNER_COLUMN_LABELS = {
    "row_section": "科室",
    "row_name": "姓名",
    "row_post": "岗位（职务）",
}
OWNER_COLUMN_SYNONYMS = {
    "row_section": (
        "单位/科室",
        "部门",
        "处室",
        "科室名称",
        "所在科室",
        "单位（科室）",
        "科室/单位",
        "责任科室",
        "责任部门",
        "责任处室",
    ),
    "row_name": ("责任人姓名", "人员姓名"),
    "row_post": ("岗位", "职务", "职位", "岗位名称", "所在岗位", "风险岗位"),
}
# Hand-made catalogues (combine, last year's archive) are worded as the forms are: the forms'
# further labels, 涉及岗位 as the post, a combined 防控措施 (split as on reading, key
# "measures") and its sub-columns under a merged label (two-row headers).
CATALOGUE_SYNONYMS_MORE = {
    "section": OWNER_COLUMN_SYNONYMS["row_section"],
    "post": (
        *OWNER_COLUMN_SYNONYMS["row_post"],
        COLUMN_LABELS["posts_involved"],
        *COLUMN_SYNONYMS["posts_involved"],
    ),
    "name": OWNER_COLUMN_SYNONYMS["row_name"],
    "step": COLUMN_SYNONYMS_MORE["step"],
    "description": COLUMN_SYNONYMS_MORE["description"],
    "level": COLUMN_SYNONYMS_MORE["self_level"],
    "likelihood": COLUMN_SYNONYMS_MORE["likelihood"],
    "measures": (
        COLUMN_LABELS["measures"],
        *COLUMN_SYNONYMS["measures"],
        *COLUMN_SYNONYMS_MORE["measures"],
    ),
    "prevent": COLUMN_SYNONYMS_MORE["prevent"],
    "monitor": COLUMN_SYNONYMS_MORE["monitor"],
    "handle": COLUMN_SYNONYMS_MORE["handle"],
}
# Supervisors the form states itself: kept beside the computed 直接管理 / 负责领导.
STATED_COLUMN_LABELS = {"stated_direct": "直接责任人", "stated_leader": "责任领导"}
STATED_COLUMN_SYNONYMS = {
    "stated_direct": (
        "部门负责人",
        "部门责任人",
        "科室负责人",
        "直接管理",
        "直接管理人",
        "直接监管人",
        "防控责任人",
        "监管责任人",
        "监督责任人",
    ),
    "stated_leader": ("分管领导", "负责领导", "分管副主席", "领导责任人", "主管领导"),
}
OWNER_KEYS = tuple(OWNER_COLUMN_LABELS)
STATED_KEYS = tuple(STATED_COLUMN_LABELS)
# Which computed column each stated one is compared with.
STATED_COMPARED = {"stated_direct": "direct", "stated_leader": "leader"}
# A stated supervisor written as a role, not a name (public forms often do): it agrees with a
# computed supervisor who holds that role for the point.
STATED_ROLE_WORDS = {
    ROLE_HEAD: (
        ROLE_HEAD,
        "部门负责人",
        "处室负责人",
        "科室主要负责人",
        "部门主要负责人",
        "科室领导",
        "部门领导",
        "科室主任",
        "部门主任",
        "科长",
        "部长",
        "主任",
        "股长",
    ),
    ROLE_VICE: (
        ROLE_VICE,
        "分管领导",
        "分管负责人",
        "分管副职",
        "分管班子成员",
        "分管副主任",
        "分管副局长",
        "主管领导",
        "副主席",
    ),
    ROLE_CHAIR: (
        ROLE_CHAIR,
        "主要领导",
        "主要负责人",
        "单位主要负责人",
        "单位负责人",
        "一把手",
        "党组书记",
    ),
    ROLE_OVERSIGHT: (ROLE_OVERSIGHT, "纪检组", "派驻纪检组", "纪检监察组", "纪委"),
}
# A short title column: it takes the first of its keys no other column has (风险名称 is the
# description only when there is no description column); otherwise its text is kept in 备注
# as 「风险名称：…」. 风险点 beside a longer 廉政风险主要内容及表现形式 names the step.
COLUMN_FALLBACK_LABELS = {
    "风险名称": ("description",),
    "风险点名称": ("description",),
    "风险点": ("description", "step"),
    "廉政风险点": ("description", "step"),
}
HEADER_SYNONYMS_REAL = {
    "section": (
        "填报单位",
        "填报科室",
        "填报部门",
        "所在部门",
        "部门名称",
        "处室名称",
        "所在处室",
        *("责任科室", "责任部门", "责任处室"),  # a form of 责任科室：财务科 names the section
    ),
    "post": ("职务名称", "现任职务", "岗位（职位）", "所在岗位"),
    "date": ("填报时间", "填表时间", "报送日期", "报送时间"),
}
for _key, _words in HEADER_SYNONYMS_REAL.items():
    for _w in _words:
        HEADER_LOOKUP.setdefault(fold(_w), _key)
# A known column whose key another column already holds keeps its text in 备注 this way.
REMARK_KEPT = "{label}：{text}"
# A tick column (风险等级 over 高 | 中 | 低, a mark under one): these marks say "not this one"
TICK_NO_MARKS = ("×", "✕", "✗", "✘", "╳", "否", "无", "不是", "/", "-", "—", "0")
# the values of a row that ticked more than one choice, as validate reports them
TICK_JOIN = "、"
# 序号 values that mark an example row (skipped with a note).
EXAMPLE_SEQ = ("例", "示例", "举例", "范例", "样例", "例子", "填写示例", "例1", "示例1")
# A row starting with one of these is a note of the form, not a risk point.
NOTE_ROW_PREFIXES = ("注", "备注：", "说明：", "填表说明", "填报说明", "填写说明", "附注")

for _key, _words in COLUMN_SYNONYMS_MORE.items():
    for _w in _words:
        COLUMN_LOOKUP.setdefault(fold(_w), _key)
for _labels, _synonyms in (
    (OWNER_COLUMN_LABELS, OWNER_COLUMN_SYNONYMS),
    (STATED_COLUMN_LABELS, STATED_COLUMN_SYNONYMS),
):
    for _key, _label in _labels.items():
        COLUMN_LOOKUP.setdefault(fold(_label), _key)
    for _key, _words in _synonyms.items():
        for _w in _words:
            COLUMN_LOOKUP.setdefault(fold(_w), _key)
COLUMN_LABELS_MORE = {**OWNER_COLUMN_LABELS, **STATED_COLUMN_LABELS}

# Grading a single-level form (no 发生几率 / 危害程度).
REASON_WRITTEN = "按填报的风险等级：{level}；未填{missing}"
SUPERVISOR_LABELS = {"direct": "直接管理", "leader": "负责领导"}

MESSAGES.update(
    {
        "single_level": Message(
            "表格只有一个「风险等级」列，没有「发生几率」「危害程度」：已按填报的等级和岗位类别定级。",
            "建议加上「发生几率」（高/中/低）和「危害程度」（严重/较重/一般）两列，按矩阵评定等级更准确。",
            ACTION_NOTE,
        ),
        "single_level_partial": Message(
            "表格有「风险等级」列，但没有「{detail}」列：已按填报的等级和岗位类别定级。",
            "建议加上「{detail}」列，与已有的一列一起按矩阵评定等级更准确。",
            ACTION_NOTE,
        ),
        "no_category_column": Message(
            f"表格中没有「风险类别」列：这张表的风险点按「{UNCATEGORISED}」登记（不因此退回）。",
            "请在表头加上「风险类别」一列，逐行填写岗位职责风险、业务流程风险、制度机制风险或"
            "外部环境风险之一，再重新报送。",
            ACTION_NOTE,
        ),
        "no_step_column": Message(
            "表格中没有「职权事项（工作环节）」列：这张表的风险点的职权事项按「"
            f"{NO_STEP}」登记（不因此退回）。",
            "请在表头加上「职权事项（工作环节）」一列，逐行写明风险点所在的职权事项或工作环节"
            "（如「经费报销审核」），再重新报送。",
            ACTION_NOTE,
        ),
        "same_person_stacked": Message(
            "工作表「{first}」第 {row} 行起又有一份{detail}的自查表，两份的风险点都已计入"
            "（完全相同的已合并）。",
            "如其中一份是旧稿或备份，请删除后重新发送；如确需两份，可不必处理。",
            ACTION_NOTE,
        ),
        "same_person_sheets": Message(
            "工作表「{first}」和「{later}」都是{detail}的自查表，两张表的风险点都已计入"
            "（完全相同的已合并）。",
            "如其中一张是旧稿或备份，请删除后重新发送；如确需两张，可不必处理。",
            ACTION_NOTE,
        ),
        "turned_table": Message(
            "表格是竖着填的：「风险点描述」等项目写在 {detail} 列，每个风险点占一列；"
            "本工具按「每个风险点一行」读取，这份表格未能读取。",
            "请把表格改成每个风险点一行（选中表格复制，再用「选择性粘贴」→「转置」粘贴），"
            "或改用下发的模板填写后重新发送。",
        ),
        "choices_only_rows": Message(
            "{rows}共 {detail} 行只有下拉选项（风险类别、发生几率、等级等），没有填写职权事项、"
            "风险点描述和防控措施，视为没有使用的空行，未计入。",
            "如果这些行是要填报的风险点，请补填风险点描述等内容后重新发送；否则可以删除这些行。",
            ACTION_NOTE,
        ),
        "point_line_continued": Message(
            "第 {detail} 行没有自己的序号（空着，或与上一行合并），只填写了文字，"
            "已作为上一个风险点（第 {point_row} 行）的续行，"
            "接在该风险点相应的单元格后面。",
            "请核对；一个风险点的文字可以写在同一个单元格里（按 Alt+Enter 换行）。"
            "如果这一行是另一个风险点，请填写序号和风险类别、等级等各项后重新发送。",
            ACTION_NOTE,
        ),
        "measures_table_joined": Message(
            "第 {row} 行起的防控措施表（共 {detail} 行）已按序号或风险点描述并入上面表格对应的风险点。",
            "请核对各风险点的防控措施；以后可以直接填在上面表格每个风险点的措施栏中。",
            ACTION_NOTE,
        ),
        "measures_table_unmatched": Message(
            "防控措施表第 {detail} 行（{what}）在上面的表格中找不到对应的风险点，这一行的措施未计入。",
            "请把序号或风险点描述改成与上面表格中的风险点一致（或把这些措施填入上面表格对应的"
            "风险点行）后重新发送。",
        ),
        "sheet_without_header": Message(
            "工作表「{here}」没有表头，其中的 {detail} 行已按工作表「{other}」的表格各列读取，"
            "作为同一份自查表的风险点。",
            "请核对这些行各项是否对应正确；建议在该工作表第一行复制上表头，"
            "或把这些行移到工作表「{other}」的表格中。",
            ACTION_NOTE,
        ),
        "hidden_sheet_read": Message(
            "工作表「{here}」是隐藏的（打开时看不到），其中的自查表已照常读取。",
            "请取消隐藏（右键单击任一工作表标签→取消隐藏）核对这张表；如果是不再需要的旧表，"
            "请删除该工作表后重新发送。",
            ACTION_NOTE,
        ),
        "hidden_rows_read": Message(
            "{rows}在表格中是隐藏的（打开时看不到），已照常读取（共 {detail} 行）。",
            "请取消隐藏（选中这几行上下的行号→右键→取消隐藏）核对这些风险点；如果是不再需要的"
            "旧内容，请删除这些行后重新发送。",
            ACTION_NOTE,
        ),
        "measures_line_joined": Message(
            "第 {detail} 行只填写了防控措施，已并入上一个风险点（第 {point_row} 行）的措施中。",
            "请核对；同一风险点的几条措施可以写在同一个单元格里（按 Alt+Enter 换行）。",
            ACTION_NOTE,
        ),
        "example_row": Message(
            "第 {detail} 行是填写示例（序号为「{value}」），未计入。",
            "无需处理；如这是真实的风险点，请把序号改为数字。",
            ACTION_NOTE,
        ),
        "row_not_in_roster": Message(
            "这一行的「{detail}」不在组织名册中，该行未计入。",
            "请核对这一行的科室和姓名是否与名册一致；如是新同事，请办公室先把他加入 config/roster.xlsx。",
        ),
        "row_not_in_roster_similar": Message(
            "这一行的姓名「{value}」不在组织名册中，该行未计入；名册中本科室有{detail}，是否写错？",
            "如是写错，请把这一行的姓名改为名册中的写法后重新发送；如是新同事，"
            "请办公室先把他加入 config/roster.xlsx。",
        ),
        "row_many_people": Message(
            "这一行的「姓名」写了多个人（{detail}），一个风险点只能登记在一个人名下，该行未计入。",
            "请每行只填一个人：几个人都有的风险点，请分成几行各填一次；属于整个科室的，"
            "请填在科室的单位廉政风险自查表中。",
        ),
        "row_section_not_in_roster": Message(
            "这一行的科室「{detail}」不在组织名册中，该行未计入。",
            "请核对科室名称是否与名册一致，修改后重新发送。",
        ),
        "row_owner_missing": Message(
            "这一行没有填写科室或姓名，无法确定是谁的风险点，该行未计入。",
            "请在这一行填写「科室」（个人的风险点还要填写「姓名」）。",
        ),
        "stated_supervisor_differs": Message(
            "表中填写的{field}「{value}」与按名册确定的{computed_label}「{computed}」不同。",
            "请核对：监管责任人按名册和风险等级确定（{computed_label}：{computed}）；如名册有误，请办公室修改 config/roster.xlsx。",
            ACTION_NOTE,
        ),
    }
)
COLUMN_LABELS.update(COLUMN_LABELS_MORE)


# --------------------------------------------------------------------------------------
# Output folder lifecycle and rounds (outputs.py, rounds.py, run.py, cli.py)
# --------------------------------------------------------------------------------------
OUT_SWAP_FINISHED = "上一次运行在替换输出文件时中断，本次已先把它的输出替换完整。"
OUT_RUN_UNFINISHED = (
    "上一次运行（开始于 {started}）没有正常结束（可能被中止）；它没有改动输出文件夹中的结果，"
    "留下的临时文件已清理。"
)
OUT_KEPT_SUFFIX = "（原有文件）"
OUT_KEPT_FILES = (
    "「{feedback}」中有 {n} 个文件不是本工具生成的，已保留、未删除：{files}。"
    "科室反馈文件夹每次运行都会重新生成，请把自己的文件放到别处。"
)
# names under 科室反馈/ cut to fit Windows (Excel opens no file whose full path exceeds 218
# characters): {files} are 「原文件」→「科室文件夹/新文件名」
FEEDBACK_NAMES_SHORTENED = (
    "「{feedback}」中有 {n} 个文件的名称过长（在 Windows 上，完整路径超过 218 个字符的文件 Excel "
    "打不开），已缩短文件名，内容不变：{files}。"
)
OUT_KEPT_LOCKS = (
    "「{feedback}」中有 {n} 个 Excel 或 WPS 打开表格时留下的锁定文件，已保留：{files}。"
    "它们不影响本次结果；如果这些表格已经关闭，可以删除这些文件。"
)
OUT_DISK_FULL = (
    "磁盘空间不足，无法写入 {path}。请清理磁盘空间（或用 --out 换到空间充足的磁盘）后重新运行；"
    "输出文件夹 {out} 中仍是上一次运行的完整结果。"
)
MESSAGES["folder_unreadable"] = Message(
    "这个文件夹无法打开（没有读取权限或已损坏），其中的文件都没有读取。",
    "请检查该文件夹的权限（或把其中的文件复制到收件文件夹的普通文件夹中）后重新运行。",
)


MESSAGES.update(
    {
        "combine_not_excel": Message(
            "这不是 Excel 表格文件（{detail}），不是廉政风险信息档案，未计入汇总。",
            "请确认文件是否发错；请各单位报送本工具生成的「…_廉政风险信息档案.xlsx」，"
            "或 Excel 格式的风险点目录。",
        ),
        "combine_no_catalogue": Message(
            "这个工作簿里没有找到风险点目录：既没有「岗位廉政风险和等级目录」工作表，"
            "也没有表头含 科室、风险点描述、风险等级 的工作表，不是廉政风险信息档案。",
            "请确认文件是否发错；手工整理的目录请在表头写上 科室、风险点描述、风险等级（有岗位的另写 岗位）后重新报送。",
        ),
        "combine_packed": Message(
            "这是一个压缩包（或压缩包里的压缩包），汇总时只打开直接放入的 .zip 压缩包，其中的档案未计入汇总。",
            "请把压缩包解压，把其中的「…_廉政风险信息档案.xlsx」放进汇总的文件夹后重新汇总。",
        ),
        "combine_is_form": Message(
            "这是个人或科室填写的表（「{detail}」），不是单位汇总后报送的廉政风险信息档案，未计入汇总。",
            "请确认文件是否发错；自查表由各单位汇总处理，请该单位报送处理后生成的"
            "「…_廉政风险信息档案.xlsx」。",
        ),
        "combine_is_roster": Message(
            "这是一份组织名册（有「人员」「科室」工作表），不是廉政风险信息档案，未计入汇总。",
            "请确认文件是否发错；请该单位报送处理后生成的「…_廉政风险信息档案.xlsx」。",
        ),
        "combine_tool_output": Message(
            "这是本工具生成的{detail}，不是单位报送的廉政风险信息档案，未计入汇总"
            "（其中的风险点已在各单位的档案中，再计入就会重复）。",
            "无需处理；如是误放进来的，可从汇总的文件夹中移走。"
            "各单位请报送「年度_单位_廉政风险信息档案.xlsx」。",
        ),
        "combine_no_level": Message(
            "风险等级没有填写：这个风险点列入目录，但不计入等级统计。",
            "请让该单位补填 一级、二级、三级（或 高、中、低）后重新报送。",
            ACTION_NOTE,
        ),
        "combine_bad_level": Message(
            "风险等级「{value}」无法识别：这个风险点列入目录，但不计入等级统计。",
            "请让该单位改写为 一级、二级、三级（或 高、中、低）后重新报送。",
            ACTION_NOTE,
        ),
        "combine_hand_made": Message(
            "这是手工整理的风险点目录（不是本工具生成的档案）：按表头读取了 {n} 个风险点，单位记为「{body}」。",
            "请核对单位名称是否正确（取自文件名）；今后请报送本工具生成的档案。",
            ACTION_NOTE,
        ),
        "combine_hand_made_column": Message(
            "这是手工整理的风险点目录（不是本工具生成的档案）：按表头读取了 {n} 个风险点，单位记为「{body}」。",
            "请核对单位名称是否正确（取自表中的「单位」列）；今后请报送本工具生成的档案。",
            ACTION_NOTE,
        ),
        "combine_hand_made_title": Message(
            "这是手工整理的风险点目录（不是本工具生成的档案）：按表头读取了 {n} 个风险点，单位记为「{body}」。",
            "请核对单位名称是否正确（取自表格标题或「填报单位」一行）；今后请报送本工具生成的档案。",
            ACTION_NOTE,
        ),
        "combine_no_body": Message(
            "无法确定这份目录属于哪个单位：文件名、表格标题和表中都没有写单位名称，未计入汇总。",
            "请在文件名中写明单位名称（如「2026_某某局_风险点目录.xlsx」），"
            "或在表中加一列「单位」，然后重新汇总。",
        ),
        "combine_expected_variant": Message(
            "应报名单中的「{value}」与已报送的「{body}」写法不完全相同，按同一单位计。",
            "如果不是同一单位，请在应报名单中写出全称后重新汇总。",
            ACTION_NOTE,
        ),
        "combine_other_year": Message(
            "这是{body} {value} 年度的档案，与本次汇总的 {year} 年度不同，未计入汇总。",
            "如需汇总该年度，请把该年度的档案单独汇总；否则请让该单位报送 {year} 年度的档案。",
            ACTION_NOTE,
        ),
        "combine_duplicate": Message(
            "与「{other}」是同一份档案（内容和生成时间都相同），只计一次。",
            "无需处理。",
            ACTION_NOTE,
        ),
        "combine_edited": Message(
            "这份档案的风险点目录在生成后被修改过（与档案中的标记不一致），按表中现有的内容汇总。",
            "请向{body}核实这份修改过的档案是否为正式报送的版本；如不是，请让该单位重新报送本工具生成的档案。",
            ACTION_NOTE,
        ),
        "combine_same_run_differs": Message(
            "与「{other}」是同一次生成的档案，但风险点目录不同（其中一份生成后被修改过）：已按修改时间较晚的「{other}」汇总，本份未计入。",
            "请向{body}核实哪一份是正式报送的版本；如不是「{other}」，请只保留正式的一份后重新汇总。",
            ACTION_NOTE,
        ),
        "combine_stale_saved": Message(
            "{body}报送了不止一份目录（都不是本工具生成的档案，没有生成时间）：已按保存时间较晚的"
            "「{other}」（{newer_time}）汇总，本份（{run_time}）未计入。",
            "请向{body}核实哪一份是正式报送的版本；如不是「{other}」，请只保留正式的一份后重新汇总。",
            ACTION_NOTE,
        ),
        "combine_stale": Message(
            "{body}的这份档案（生成于 {run_time}）不是最新版本：「{other}」生成于 {newer_time}，已按最新版本汇总，本份未计入。",
            "无需处理；如最新版本有误，请让该单位重新报送。",
            ACTION_NOTE,
        ),
    }
)
COMBINE_NO_RUN_TIME = "时间不详"
COMBINE_STATUS_FILED = "已报送"
COMBINE_STATUS_MISSING = "未报送"
COMBINE_STATUS_UNEXPECTED = "已报送（不在应报名单中）"
COMBINE_KINDS = {
    "marked": "本工具生成的档案",
    "tool": "本工具生成的档案（没有识别信息：早期版本，或另存为 .xls 等格式）",
    "hand": "手工整理的目录",
}
COMBINE_ARCHIVE_MISSING = (
    "找不到要汇总的档案：{paths}。请检查文件名或文件夹名"
    "（路径中有空格时请用英文双引号括起）后重新运行。"
)
COMBINE_EXPECTED_IS_FOLDER = (
    "{path} 是一个文件夹，不是应报单位名单。请写出名单文件本身"
    "（每行一个单位的 .txt，或有「单位名称」列的 Excel 表）后重新运行。"
)
COMBINE_EXPECTED_MISSING = "找不到应报单位名单 {path}。请检查文件名后重新运行（名单每行一个单位，或 Excel 的「单位名称」列）。"
COMBINE_EXPECTED_UNREADABLE = "应报单位名单 {path} 无法读取。请保存为 .xlsx（「单位名称」列）或 UTF-8 文本（每行一个单位）后重新运行。"
COMBINE_FILE_TEMPLATE = "{year}_各单位廉政风险信息汇总.xlsx"
COMBINE_TITLE = "{year}年度各单位廉政风险信息汇总"
COMBINE_SHEET_COVER = "说明"
COMBINE_SHEET_BODIES = "各单位汇总"
COMBINE_SHEET_MAJOR = "一级风险点"
COMBINE_SHEET_CATALOGUE = "风险点目录"
COMBINE_SHEET_STATS = "统计"
COMBINE_SHEET_FILING = "报送情况"
COMBINE_SHEET_ISSUES = "异常清单"
COMBINE_INFO = {"year": "汇总年度", "run_time": "生成时间", "files": "收到的文件"}
COMBINE_FILES_TEXT = "共 {total} 个：计入 {current} 个，非最新版本 {stale} 个，重复 {duplicate} 个，其他年度 {other_year} 个，未能读取 {rejected} 个"
COMBINE_COUNTS_TITLE = "一、汇总统计"
COMBINE_COUNT_LABELS = {
    "expected": "应报单位",
    "filed": "已报送单位",
    "missing": "未报送单位",
    "unexpected": "不在应报名单中的单位",
    "stale": "非最新版本的档案（未计入）",
    "rejected": "未能读取的文件",
    "points": "风险点总数",
    **{lv: f"{lv}风险点" for lv in LEVELS},
}
COMBINE_BODIES_TITLE = "二、各单位风险点数"
COMBINE_SHEETS_TITLE = "三、各工作表说明"
COMBINE_SHEET_HELP = {
    COMBINE_SHEET_COVER: "本页：汇总概况、各单位风险点数。",
    COMBINE_SHEET_BODIES: "每个单位一行：报送状态，风险点数，按等级和风险类别分列。",
    COMBINE_SHEET_MAJOR: "各单位全部一级风险点，含监管人和防控措施。",
    COMBINE_SHEET_CATALOGUE: "各单位全部风险点，第一列为单位。",
    COMBINE_SHEET_STATS: "各单位等级分布图、风险类别分布图，以及发生几率×危害程度分布热力图。",
    COMBINE_SHEET_FILING: "每个单位的报送情况：已报送的档案、生成时间、被替代的较早版本；未报送的单位。",
    COMBINE_SHEET_ISSUES: "未能读取的文件及原因，非最新版本、重复和其他年度的档案，以及需要核对的提示。",
}
COMBINE_BODY_HEADERS = {
    "body": COMBINE_BODY_LABEL,
    "status": "报送状态",
    "sections": "科室数",
    "n_points": "风险点数",
    **{lv: lv for lv in LEVELS},
    **{cat: cat for cat in CATEGORIES},
}
COMBINE_FILING_HEADERS = {
    "body": COMBINE_BODY_LABEL,
    "status": "报送状态",
    "file": "档案文件",
    "kind": "类型",
    "run_time": "生成时间",
    "stale": "较早版本（未计入）",
}
COMBINE_SOURCE_LABEL = "来源档案"
COMBINE_STATS_LEVELS_TITLE = "各单位风险点等级分布"
COMBINE_WROTE = (
    "汇总完成：{year} 年度，已报送 {filed} 个单位{missing}，风险点 {points} 个"
    "（一级 {一级}，二级 {二级}，三级 {三级}）；未能读取 {rejected} 个文件，非最新版本 {stale} 个。\n"
    "  汇总表：{path}"
)
COMBINE_WROTE_MISSING = "，未报送 {n} 个"
CLI_HELP.update(
    {
        "combine": "汇总各单位报送的档案，生成一份区级汇总表（区纪委使用）",
        "combine.archives": "各单位的档案文件，或存放档案的文件夹（可写多个）",
        "combine.out": "输出文件夹",
        "combine.expected": "应报单位名单：文本文件（每行一个单位）或 Excel（「单位名称」列）",
        "combine.run_time": "汇总表上显示的生成时间（ISO 格式）；固定它可使两次结果逐字相同",
    }
)
COMBINE_CRASH_DETAIL = "读取时超出内存上限 {mb} MB 或读取程序异常退出"

HISTORY_SHEET = "年度对比"
HISTORY_TITLE = "与上年档案「{source}」（{year}年度）对比"
HISTORY_TITLE_NO_YEAR = "与上年档案「{source}」对比"  # a hand-made catalogue: no year known
HISTORY_NOTE_NO_STEP = "上年目录或本年各表没有填写「职权事项（工作环节）」，风险点按科室、岗位（职务）和风险点描述对应。"
HISTORY_NOTE_RENAMED = "组织名册中的科室改了名称：{renamed}；上年这些科室的风险点按新名称对比。"
HISTORY_RENAMED_PAIR = "上年的「{before}」现为「{now}」"
HISTORY_NEW = "新增"
HISTORY_REMOVED = "删除"
HISTORY_CHANGED = "变化"
HISTORY_BLANK = "（空）"
HISTORY_CHANGE_PART = "{field}：{before}→{after}"
HISTORY_CHANGE_JOIN = "；"
HISTORY_EMPTY_HAD = "上年有风险点，本年没有"
HISTORY_EMPTY_ROSTER = "名册中的岗位，本年和上年都没有风险点"
HISTORY_COUNT_LABELS = {
    "new": "与上年相比：新增风险点",
    "removed": "与上年相比：删除风险点",
    "changed": "与上年相比：岗位、类别或等级有变化的风险点",
    "post_levels": "与上年相比：岗位等级有变化的岗位",
    "empty_posts": "本年没有风险点的岗位",
}
HISTORY_POSTS_TITLE = "一、岗位等级的变化（岗位等级取该岗位个人风险点中最高的等级）"
HISTORY_EMPTY_TITLE = "二、本年没有风险点的岗位"
HISTORY_POINTS_TITLE = "三、新增、删除和有变化的风险点（按科室、岗位、职权事项和风险点描述对应；同一人的风险点换了岗位的，列为变化）"
HISTORY_POINTS_TITLE_NO_STEP = "三、新增、删除和有变化的风险点（按科室、岗位和风险点描述对应；同一人的风险点换了岗位的，列为变化）"
HISTORY_POST_HEADERS = {
    "section": CATALOGUE_COLUMNS["section"],
    "post": CATALOGUE_COLUMNS["post"],
    "last_level": "上年岗位等级",
    "level": "本年岗位等级",
}
HISTORY_EMPTY_HEADERS = {
    "section": CATALOGUE_COLUMNS["section"],
    "post": CATALOGUE_COLUMNS["post"],
    "last_points": "上年风险点数",
    "note": "说明",
}
HISTORY_POINT_HEADERS = {
    "change": "对比",
    "section": CATALOGUE_COLUMNS["section"],
    "post": CATALOGUE_COLUMNS["post"],
    "name": CATALOGUE_COLUMNS["name"],
    "step": CATALOGUE_COLUMNS["step"],
    "description": CATALOGUE_COLUMNS["description"],
    "last_level": "上年评定等级",
    "level": "本年评定等级",
    "what": "变化内容",
}
ARCHIVE_SHEET_HELP[HISTORY_SHEET] = (
    "设置了上年档案（settings.toml 的 [history] last_archive）时：与上年相比新增、删除和有变化的风险点，"
    "岗位等级的变化，以及本年没有风险点的岗位。"
)
SETTINGS_LAST_ARCHIVE_MISSING = (
    "settings.toml 中「history.last_archive」指定的上年档案 {path} 不存在。"
    "请写上上年档案的文件名（可以是相对 config 文件夹的路径），或删去这一行。"
)
SETTINGS_LAST_ARCHIVE_FROM_PARENT = (
    "settings.toml 中「history.last_archive」指定的上年档案 {path} 不存在：这个路径是从 config 文件夹算起的。"
    '在 config 的上一级文件夹里有 {found}，如果指的是它，请写成 last_archive = "{value}"。'
)
SETTINGS_LAST_ARCHIVE_FOLDER = "settings.toml 中「history.last_archive」：{message}"
SETTINGS_LAST_ARCHIVE_OTHER_OUTPUT = (
    "settings.toml 中「history.last_archive」指定的文件 {path} 是本工具生成的{what}，"
    "不是本单位的廉政风险信息档案。请指定本单位上年处理生成的档案文件，或删去这一行。"
)
SETTINGS_LAST_ARCHIVE_NOT_ARCHIVE = (
    "settings.toml 中「history.last_archive」指定的文件 {path} 不是廉政风险信息档案："
    "其中找不到「岗位廉政风险和等级目录」（或带有 科室、岗位、风险点描述、风险等级 表头的目录）。"
    "请指定上年处理生成的档案文件，或删去这一行。"
)
SETTINGS_LAST_ARCHIVE_OTHER_BODY = (
    "settings.toml 中「history.last_archive」指定的 {path} 是「{theirs}」的廉政风险信息档案，"
    "不是本单位（{ours}）的，与它对比得出的新增、删除都不真实，所以没有运行。"
    "请改为本单位上年处理生成的档案；如果本单位已经改名、这正是改名前的档案，请删去这一行（本年不作年度对比）。"
)
SETTINGS_LAST_ARCHIVE_NOT_EARLIER = (
    "settings.toml 中「history.last_archive」指定的 {path} 是 {last} 年度的档案，"
    "不是本次处理的 {year} 年度的上一年度，与它对比得不出与上年相比的变化，所以没有运行。"
    "请改为上一年度处理生成的档案（通常是「{previous}_…_廉政风险信息档案.xlsx」）；"
    "如果 settings.toml 中「body.year」还没有改为本年度，请先改正。"
)
SETTINGS_LAST_ARCHIVE_IS_OUTPUT = (
    "settings.toml 中「history.last_archive」指定的上年档案 {path} 就是本次要写出的 {year} 年度档案，"
    "照此运行会用本次结果覆盖它，所以没有运行。请先确认 settings.toml 中「body.year」已改为本年度"
    "（现在是 {year}）；如果确实要重新处理 {year} 年度，请把上年档案改为上一年度的档案，或删去这一行。"
)
SETTINGS_EXPECT_PATH = "上年档案的文件名（文字，用英文双引号括起）"

# Containers (containers.py): .zip and .eml opened, .rar/.7z reported
ARCHIVE_NAMES = {
    "zip": "ZIP 压缩包",
    "eml": "邮件",
    "emlx": "Apple 邮件（.emlx）",
    "mbox": "邮件导出包（mbox，多封邮件存在一个文件里）",
    "msg": "Outlook 邮件",
    "tnef": "Outlook 邮件附件包（winmail.dat）",
    "rar": "RAR 压缩包",
    "7z": "7z 压缩包",
}
# a zip cut short right after a whole member: what came after it is named nowhere
ZIP_REST_NAME = "（压缩包中断处之后的文件）"
SPLIT_VOLUME = "第 {n} 卷"
# one mail of an mbox file, as the files inside it are shown: 导出.mbox/邮件2/张三.xlsx
MBOX_MAIL = "邮件{n}"
# the row of a mail's download link that stands beside its attachments: 来信.eml/（正文中的下载链接）
MAIL_LINK_NAME = "（正文中的下载链接）"
SPLIT_LAST_VOLUME = "最后一卷（前面的各卷名为 .z01、.z02 ……）"
SPLIT_MISSING = "{volume}，但同一文件夹里缺少{missing}"
SPLIT_TOO_LARGE = "分卷压缩包（各卷合计 {mb:.1f} MB > {limit:.0f} MB）"
SPLIT_ARCHIVE = "分卷压缩包的一卷"
CONTAINER_UNNAMED = "未命名附件（{type}）"
DETAIL_BROKEN_MAIL = "邮件文件的格式无法解析"
DETAIL_MAIL_OBJECT = "邮件正文里嵌入的对象，不是附件文件"
DETAIL_CONTAINER_LIES = "解压后的大小超过压缩包目录中声明的大小"
DETAIL_INBOX_UNPACKED = "{mb:.0f} MB 或 {files} 个文件"
DETAIL_CONTAINER_TREE = "整个压缩包（连同其中套着的压缩包、邮件）解压后合计超过 {mb:.0f} MB 或 {files} 个文件，其余文件未解压"
MESSAGES.update(
    {
        "archive_split": Message(
            "这是分卷压缩包的{detail}，本工具只能合并直接放在收件箱同一个文件夹里的各卷"
            "（不能是快捷方式或链接，也不能在邮件或压缩包里），这一卷未能合并，其中的文件未读取。",
            "请把同一压缩包的所有分卷另存出来，放在收件箱的同一个文件夹里后重新运行；"
            "也可以用 7-Zip 或 WinRAR 打开第一卷解压，把解压出的表格放入收件箱；"
            "如缺少某一卷，请让报送人补发。",
        ),
        "archive_split_missing": Message(
            "这是分卷压缩包的{detail}，各卷不全，压缩包无法打开，其中的文件未读取。",
            "请让报送人补发缺少的分卷，放在其他各卷所在的同一个文件夹里（文件名不要改），"
            "再重新运行。",
        ),
        "mail_object_book": Message(
            "这是插入在邮件正文里的 Excel 表格对象（Excel 97-2003 格式），不是附件文件，"
            "本工具无法从中取出表格，未读取。",
            "请在 Outlook 中双击打开这个对象，另存为 .xlsx 文件放入收件箱后重新运行，"
            "或请报送人把自查表作为附件（不要插入正文）重新发送。",
        ),
        "mail_link_beside": Message(
            "这封邮件的正文里还有文件的下载链接（{detail}），可能是超大附件、网盘或在线文档；"
            "本工具不会打开链接，链接里的文件未读取（邮件的附件已另行读取）。",
            "请打开链接把文件下载下来放入收件箱后重新运行（超大附件有有效期，请尽快下载）；"
            "如链接里不是自查表，可不必处理。",
        ),
        "archive_unsupported": Message(
            "这是一个{detail}，本工具不能直接打开，其中的文件未读取。",
            "请解压后放入收件箱（把解压出的表格放进收件文件夹），再重新运行。",
        ),
        "container_empty": Message(
            "这个{detail}中没有任何文件。",
            "请确认附件是否发错，让报送人重新发送。",
        ),
        "mail_web_page": Message(
            "这是一封另存为网页文件（.mht）的邮件，只保存了邮件正文，没有附件"
            "（邮件另存为网页时，附件不会一起保存），其中没有可读取的表格。",
            "请在邮件程序中打开这封邮件，把其中的附件另存下来放入收件箱"
            "（或把整封邮件另存为 .eml / .msg 后放入），再重新运行。",
        ),
        "mail_link_only": Message(
            "这封邮件没有附件，正文里只有下载链接（{detail}），可能是网盘或超大附件；"
            "本工具不会打开链接，其中的文件未读取。",
            "请打开链接把文件下载下来放入收件箱后重新运行（超大附件有有效期，请尽快下载），"
            "或请报送人把表格直接作为附件发送。",
        ),
        "container_too_many": Message(
            "压缩包（或邮件）中的文件过多（{detail} 个），为安全起见未打开。",
            "请解压后只把自查表放入收件箱，再重新运行。",
        ),
        "container_corrupt": Message(
            "这个{detail}已损坏或不完整（可能在下载或保存时中断），无法打开，其中的文件未读取。",
            "请让报送人重新打包发送，或把其中的表格直接作为附件发送。",
        ),
        "mail_corrupt": Message(
            "这个{detail}文件已损坏或不完整（可能在保存或下载时中断），无法打开，其中的附件未读取。",
            "请让报送人把附件直接重新发送，或在邮件程序中把这封邮件重新另存一次后放入收件箱。",
        ),
        "unsafe_member_name": Message(
            "压缩包中这个文件的名称（「{detail}」）指向压缩包以外的位置，为安全起见未解压、未读取。",
            "请让报送人把表格直接作为附件发送，或重新打包（文件名中不要带「..」或盘符）后发送。",
        ),
        "zip_encrypted_whole": Message(
            "这个{detail}设置了解压密码（连其中的文件名也加了密），无法打开，其中的文件未读取。",
            "请让报送人不设密码重新打包发送（或把表格直接作为附件发送）；"
            "也可向报送人要来密码，解压后把表格放入收件箱，再重新运行。",
        ),
        "zip_encrypted": Message(
            "压缩包中的这个文件设置了解压密码，无法读取。",
            "请让报送人不设密码重新打包发送（或把表格直接作为附件发送）；"
            "也可向报送人要来密码，解压后把表格放入收件箱，再重新运行。",
        ),
        "scratch_failed": Message(
            "这个文件没能从压缩包（或邮件）中解压到临时文件夹（磁盘空间不足，或临时文件夹被清理），未读取。",
            "请清理本机磁盘空间后重新运行；文件本身不一定有问题，无需让报送人重发。",
        ),
        "inbox_unpack_limit": Message(
            "收件箱中的压缩包和邮件合计解压已超过 {detail}（设置项 limits.max_inbox_unpacked_mb），"
            "为防止占满磁盘，这个文件未解压、未读取。",
            "请把已经处理过的压缩包、邮件移出收件箱，或解压后分批放入；如果它们都是正常的报送材料，"
            "可在 settings.toml 的 [limits] 中调高 max_inbox_unpacked_mb 后重新运行，无需让报送人重发。",
        ),
        "mail_cut_short": Message(
            "这个{detail}文件不完整（可能在保存或下载时中断），这个附件在邮件中被截断，未读取。",
            "请让报送人重新发送这个附件，或在邮件程序中把这封邮件重新另存一次后放入收件箱。",
        ),
        "zip_cut_short": Message(
            "这个{detail}不完整（可能在下载、复制或保存时中断），从这个文件起的内容都没有收到，未读取；"
            "它前面的文件已照常读取。",
            "请让报送人重新发送完整的压缩包（或把表格直接作为附件发送）；"
            "重新收到后放入收件箱，再重新运行。",
        ),
        "mail_part_apart": Message(
            "这封 Apple 邮件（.partial.emlx）里只存了正文，这个附件被邮件程序另存在别处，"
            "不在收件箱中，未读取。",
            "请在「邮件」程序中打开这封邮件，把附件直接存储（拖出）到收件箱，再重新运行。",
        ),
        "mail_part_detached": Message(
            "这个附件已被邮件程序（如 Thunderbird）从邮件中分离出来，另存到了{detail}，"
            "邮件里只剩一条说明，没有表格本身，未读取。",
            "请在那台电脑上找到这个文件（或请报送人重新发送），放入收件箱后重新运行。",
        ),
        "mail_part_deleted": Message(
            "这个附件已在邮件程序中被删除，邮件里只剩一条说明，没有表格本身，未读取。",
            "请报送人重新发送这个附件，放入收件箱后重新运行。",
        ),
        "mail_part_reference": Message(
            "这个附件只是指向邮件之外一个文件的引用{detail}，邮件里没有表格本身；"
            "为安全起见，不打开收件箱以外的文件，未读取。",
            "请把原文件本身放入收件箱（或请报送人把表格作为附件重新发送），再重新运行。",
        ),
        "container_too_deep": Message(
            "压缩包中套着压缩包，超过了 {detail} 层，为安全起见未打开。",
            "请解压后放入收件箱，再重新运行。",
        ),
    }
)

# Pledges sent on their own (pledges.py)
PLEDGE_STATUS_ALONE = "单独报送（{file}）"
MESSAGES["pledge_file_unknown"] = Message(
    "这像是一份单独报送的廉政承诺书（{detail}），但从文件名和所在的文件夹、压缩包或邮件都看不出是谁的，"
    "未登记。",
    "请把文件名改为「姓名_廉政承诺书{ext}」（姓名与组织名册一致）后放入收件箱，再重新运行。",
)
# the fix of a scan, photo or Word file refused as not a spreadsheet (not_excel)
NOT_EXCEL_PLEDGE_FIX = (
    "请确认附件是否发错，自查表请用 .xlsx 格式报送；"
    "如果这是廉政承诺书的扫描件、照片或 Word 文件，请把文件名改为「姓名_廉政承诺书{ext}」"
    "（姓名与组织名册一致）后放入收件箱，再重新运行。"
)

# A file sent back as a whole, then its sender's form read later (completeness.replace_sent_back)
MESSAGES["superseded_sent_back"] = Message(
    "同一{detail}后来又报送了「{newer}」，已读取计入；本文件已被它替代，原来的问题不再需要处理。",
    "无需处理；如果本文件才是最终版本，请改正后重新发送。",
    ACTION_NOTE,
)
# ... and the sender's later version, itself sent back (completeness._later_sent_back)
MESSAGES["superseded_by_sent_back"] = Message(
    "同一{detail}后来又报送了「{newer}」；本文件已被它替代，原来的问题不再需要处理，"
    "请按新文件的退回原因修改。",
    "无需处理本文件；请修改「{newer}」后重新发送。",
    ACTION_NOTE,
)
WHO_PERSON = "人（{section} {name}）"
WHO_SECTION = "科室（{section}）"
# one sheet of a workbook of one sheet per person replaced by that person's later form
MESSAGES["superseded_sheet_by"] = Message(
    "同一{detail}后来又报送了新版本「{newer}」，本文件中此人的工作表已被替代，未计入；"
    "其他人的工作表照常计入。",
    "无需处理；如果这张工作表才是最终版本，请把它的填表日期改为最新后重新发送。",
    ACTION_NOTE,
)
# the file lost by 填表日期 though it was sent after the one kept (a correction keeping, or
# turning back, the old date): "后来又报送了" would be untrue (validate._supersede)
MESSAGES["superseded_by_date"] = Message(
    "同一{detail}的另一份表格「{newer}」填表日期是 {newer_date}，晚于本文件的 {value}；"
    "几份表格按填表日期以最晚的为准（不看哪一份后发来），本文件已被替代，未计入。",
    "如果本文件才是改正后的最终版本，请把它的填表日期改为今天的日期后重新发送；否则无需处理。",
    ACTION_NOTE,
)
# A 填表日期 later than the day its file was sent (validate._check_date_sent, resubmit.credible_dates)
MESSAGES["date_after_sent"] = Message(
    "填表日期 {date} 晚于本文件所在邮件文件夹的日期 {sent}，不会是实际填表的日期（可能写错了）；"
    "同一人或同一科室报送了几份表格时，不按这个日期判断哪一份是最新版本。",
    "请核对填表日期；如写错，请改正后重新发送。",
    ACTION_NOTE,
)
MESSAGES["date_after_today"] = Message(
    "填表日期 {date} 晚于今天（{sent}），不会是实际填表的日期（可能写错了）；"
    "同一人或同一科室报送了几份表格时，不按这个日期判断哪一份是最新版本。",
    "请核对填表日期；如写错，请改正后重新发送。",
    ACTION_NOTE,
)
# A counted version with fewer rows than the one it replaced (validate._note_fewer_rows)
MESSAGES["fewer_rows_than_replaced"] = Message(
    "本文件有 {count} 条风险点，比它替代的旧版本「{older}」（{older_count} 条）少 {fewer} 条；"
    "按最新版本计入，旧版本中多出的风险点不再计入目录。",
    "如果是漏填或误删，请补上后重新发送；如果确实删去了这些风险点，无需处理。",
    ACTION_NOTE,
)
# Two forms of one sender in one mail (validate._supersede): neither was sent later
MESSAGES["superseded_same_mail"] = Message(
    "同一{detail}在同一封邮件里发来了两份表格，按填表日期、修改时间和文件名以「{newer}」为准，"
    "本文件未计入（它不是先报送的旧版本）。",
    "请报送人确认哪一份是最终版本；如果本文件才是，请只把它重新发送一次。",
    ACTION_NOTE,
)
MESSAGES["superseded_by_copy"] = Message(
    "本文件的批注副本「{newer}」已修改后重新报送，本文件已被它替代，未计入，原来的问题不再需要处理。",
    "无需处理。",
    ACTION_NOTE,
)
# An annotated copy sent back untouched (validate._supersede, resubmit.unchanged_copies)
MESSAGES["unchanged_copy"] = Message(
    "这是表格「{detail}」的批注副本，发回时没有任何改动（多半是整个反馈压缩包原样发回），"
    "不作为新版本，按原表格计入或退回。",
    "如果想改正，请在批注副本里改好后再发回；已经另行改正发回的，无需处理。",
    ACTION_NOTE,
)
# A sender counted with an earlier form whose later one was sent back (completeness._judge)
MESSAGES["resend_sent_back"] = Message(
    "{name}（{section}）后来又报送了这份文件，但它被退回（原因见本文件的「退回」行）；目前仍按较早的「{file}」计入。",
    "请本人按退回原因改正后重新报送；如不需要修改，可不必处理。",
    ACTION_NOTE,
)
MESSAGES["unit_resend_sent_back"] = Message(
    "科室「{section}」后来又报送了这份单位廉政风险自查表，但它被退回（原因见本文件的「退回」行）；目前仍按较早的「{file}」计入。",
    "请科室负责人组织按退回原因改正后重新报送；如不需要修改，可不必处理。",
    ACTION_NOTE,
)
MESSAGES["sent_back"] = Message(
    "{name}（{section}）报送的个人廉政风险自查表被退回（文件「{file}」），目前没有可以计入的版本。",
    "请本人按异常清单和批注副本修改后重新报送。",
    ACTION_NOTE,
)
MESSAGES["unit_sent_back"] = Message(
    "科室「{section}」报送的单位廉政风险自查表被退回（文件「{file}」），目前没有可以计入的版本。",
    "请科室负责人组织按异常清单和批注副本修改后重新报送。",
    ACTION_NOTE,
)
# the fix of sent_back/unit_sent_back when the file could not be opened (no annotated copy)
SENT_BACK_FIX_NO_COPY = {
    INDIVIDUAL: "请本人按异常清单中这份文件的退回原因处理后重新报送（这份文件无法打开，没有批注副本）。",
    UNIT: "请科室负责人组织按异常清单中这份文件的退回原因处理后重新报送（这份文件无法打开，没有批注副本）。",
}
MESSAGES["empty_sheet"] = Message(
    "{name}（{section}）的自查表（工作表「{tab}」）的表格中没有填写任何风险点，这一份未计入。",
    "请本人在这张工作表的表格中至少填写一条风险点（职权事项、风险点描述、发生几率、危害程度等）"
    "后重新报送。",
    ACTION_REJECT,
)
MESSAGES["rows_sent_back"] = Message(
    "{name}（{section}）的风险点报在汇总表「{file}」中，但全部被退回，目前没有可以计入的内容。",
    "请按异常清单和批注副本修改这些行后重新报送（或本人单独报送个人廉政风险自查表）。",
    ACTION_NOTE,
)
MESSAGES["unit_rows_sent_back"] = Message(
    "科室「{section}」的风险点报在汇总表「{file}」中，但全部被退回，目前没有可以计入的内容。",
    "请科室负责人组织按异常清单和批注副本修改这些行后重新报送（或单独报送单位廉政风险自查表）。",
    ACTION_NOTE,
)
# 提交情况: the state of a sender who sent a form that could not be counted (not 未报送)
STATUS_SENT_BACK = "已报送但被退回"
# 提交情况 备注 of the submission that replaced older files (never on the replaced ones' rows)
NOTE_REPLACED = "替代了旧版本：{files}"
FEEDBACK_COVER_LABEL_UNIT = "单位表报送"
FEEDBACK_COVER_UNIT_NOT_OWED = "本科室无需报送单位表"
HISTORY_DIR = "历次"
REMINDER_FILE = "催报名单.txt"
SHEET_CHANGES = ARCHIVE_SHEET_CHANGES
CHANGE_COLUMN_LABELS = {
    "change": "变化",
    "section": HEADER_LABELS["section"],
    "name": HEADER_LABELS["name"],
    "form": "表格",
    "file": ISSUE_COLUMNS["file"],
    "cell": ISSUE_COLUMNS["cell"],
    "problem": "内容",
    "note": "说明",
}
ROUND_CHANGE_FIXED = "已改正"
ROUND_CHANGE_ACCEPTED = "新接受"
ROUND_CHANGE_NEW_REJECT = "新退回"
ROUND_CHANGE_DROPPED = "不再计入"  # counted last run, and this run nothing of theirs came in
# a 退回 of last run whose file is no longer in the inbox and whose sender sent nothing since:
# nobody corrected it, it only left with its file
ROUND_CHANGE_GONE = "文件已移出"
ROUND_CHANGES = (
    ROUND_CHANGE_FIXED,
    ROUND_CHANGE_ACCEPTED,
    ROUND_CHANGE_NEW_REJECT,
    ROUND_CHANGE_DROPPED,
    ROUND_CHANGE_GONE,
)
ROUND_CHANGE_GONE_NOTE = (
    "这份文件这次不在收件箱中，这个问题并未改正，只是不再列出；"
    "如是误删或移走，请放回收件箱后重新运行"
)
ROUND_CHANGES_GONE_PART = "，{gone} 处问题随文件移出收件箱（未改正）"
ROUND_CHANGE_DROPPED_NOTE = (
    "上次已按这份表格计入，这次收件箱中没有它，其风险点已不在目录中；"
    "如是误删或移走，请放回收件箱后重新运行"
)
ROUND_CHANGES_DROPPED_PART = "，不再计入 {dropped} 份"
# 不再计入 for other reasons than a file gone (rounds._dropped)
ROUND_CHANGE_DROPPED_SENT_BACK_NOTE = (
    "上次已计入，这次整份表格被退回（文件「{file}」，原因见「新退回」和异常清单），"
    "其风险点已不在目录中；请按批注副本修改后重新报送"
)
ROUND_CHANGE_DROPPED_MOVED = "组织名册中已从「{was}」改为「{section}」；"
ROUND_DROPPED_NOT_IN_ROSTER = "已不在组织名册中"
ROUND_CHANGE_DROPPED_ROSTER_NOTE = (
    "上次已计入，这次组织名册中已没有这名报送人（或这个科室），其风险点已不在目录中；"
    "如是名册漏填，请补入组织名册后重新运行"
)
ROUND_CHANGE_REPLACED = "已由新版本「{file}」替代"
ROUND_CHANGE_SAME_FILE = "没有新版本：组织名册或设置修改后，同一文件现已计入"
ROUND_CHANGE_WAS = "上次：{status}"
ROUND_CHANGES_TITLE = "本轮变化（与上一次运行 {previous} 相比）"
ROUND_CHANGES_TITLE_FIRST = "本轮变化"
ROUND_CHANGES_FIRST_RUN = "这是在本输出文件夹中的第一次运行，没有可以比较的上一次结果。"
ROUND_CHANGES_FIRST_OF_YEAR = (
    "这是 {year} 年度在本输出文件夹中的第一次运行：此前的运行属于 {years} 年度，不作比较。"
)
ROUND_CHANGES_FIRST_OF_BODY = "这是「{body}」在本输出文件夹中的第一次运行：此前的运行属于「{bodies}」（如试运行的示例数据），不作比较。"
ROUND_CHANGES_NONE = "与上一次运行相比没有变化。"
# after the summary: the 退回 of files that name no section (rounds.still_open), not counted
# among the problems to fix, which could then never reach 0
ROUND_CHANGES_NOBODYS_PART = (
    "另有 {n} 处退回是对应不到任何科室的文件（如 Excel 临时锁定文件「~$…」、通知等非自查表文件），"
    "无需科室修改，请办公室在「异常清单」中查看，不需要的可从收件箱移走。"
)
ROUND_CHANGES_SUMMARY = (
    "已改正 {fixed} 处，新接受 {accepted} 份，新退回 {new} 处{dropped_part}。"
    "仍未解决：退回的问题 {problems} 处，未报送 {missing} 人，已报送但被退回 {sent_back} 人，"
    "单位表未报送或被退回 {units} 份（见「异常清单」「提交情况」）。"
)
ROUND_SEE_ISSUES = "原因见异常清单"
# after a sent-back form's reason: a later mail of theirs lost by its older 填表日期
ROUND_REMINDER_DATED_OUT = "（后来发来的「{files}」填表日期较早，未计入；如它是改正后的版本，请把填表日期改为今天后重新发送）"
ROUND_REASON_CUT = "……（全文见异常清单）"  # a long problem cut in 催报名单
ROUND_MORE_PROBLEMS = "（共 {n} 处问题，见批注副本）"
ROUND_REMINDER_TITLE = "{body}{year}年廉政风险自查：催报名单（{date}）"
ROUND_REMINDER_NOTHING = "全部人员和科室都已报送，没有被退回的表格。"
ROUND_REMINDER_SECTION = "【{section}】"
ROUND_REMINDER_MISSING = "  尚未报送个人自查表：{names}"
ROUND_REMINDER_SENT_BACK = "  个人自查表被退回，请修改后重新报送："
ROUND_REMINDER_PARTLY = "  个人自查表已计入，但有风险点被退回，请修改后重新报送："
ROUND_REMINDER_UNIT_MISSING = "  单位自查表：尚未报送"
ROUND_REMINDER_UNCLAIMED = (
    "  以下表格被退回，但对应不到名册中的报送人，请科室确认是谁的表格，修改后重新报送："
)
ROUND_REMINDER_UNREAD = (
    "  以下文件无法读取，其中可能有本科室的表格，请确认后重新发送（表格也可以单独作为附件发送）："
)
NOTE_UNREAD_PARCEL = (
    "本科室报送的{files}无法读取（原因见异常清单），其中可能有这份表格，请确认后重新发送。"
)
ROUND_REMINDER_STRAY = (
    "另有以下文件无法读取，也看不出是谁报送的；上面列为尚未报送的人中，可能有人已经发送过"
    "（请对照自己发送的文件名，按原因处理后重新发送）："
)
ROUND_REMINDER_STRAY_MORE = "……另有 {n} 个，见异常清单"
ROUND_REMINDER_UNIT_SENT_BACK = "  单位自查表「{file}」被退回，请修改后重新报送："
ROUND_REMINDER_UNIT_PARTLY = "  单位自查表「{file}」已计入，但有风险点被退回："
ROUND_REMINDER_RESENT = "  重新报送的个人自查表被退回（目前仍按上一版计入），请修改后重新报送："
ROUND_REMINDER_UNIT_RESENT = "  重新报送的单位自查表「{file}」被退回（目前仍按上一版计入）："
ROUND_SCREEN_RESENT = "新版本被退回"
ROUND_REMINDER_FOOTER = "修改时可以直接在科室反馈的批注副本中修改（文件名以「_批注」结尾）后发回，也可以改原表格后发回。"
ROUND_SCREEN_SENT_BACK = "被退回"
ROUND_SCREEN_PARTLY = "部分风险点被退回"
ROUND_SCREEN_UNCLAIMED = "被退回但对应不到报送人的表格 {n} 份"
ROUND_SCREEN_UNREAD = "无法读取的文件 {n} 个"
ROUND_SCREEN_NAMES_MORE = "{names} 等 {n} 人"  # a section's line on the terminal, names cut
ROUND_SCREEN_MORE = "    ……另有 {n} 个科室，见 催报名单.txt"
CLI_SUMMARY_OWED = "  还需要催报或修改的（详见催报名单）："
CLI_SUMMARY_CHANGES = "  与上一次运行相比：已改正 {fixed} 处，新接受 {accepted} 份，新退回 {new} 处{dropped_part}（见「{sheet}」工作表）"

# Chinese numerals of dates as official documents write them (二〇二六年三月五日, 三月十五日):
# the digits 0-9 (零 is 0 too), ten, and the month word without which no text is read so.
DATE_CN_DIGITS = "〇一二三四五六七八九零"
# what input methods give for 〇 as often as 〇 itself: the circles ○ (U+25CB) and ◯ (U+25EF)
DATE_CN_ZERO_LOOKALIKES = "○◯"
DATE_CN_TEN = "十"
DATE_CN_MONTH = "月"

# Lines under a table that are no risk point: a 合计 / 小计 line (its first filled cell starts
# with one of these words), and the labels of a signature line besides the header labels
# (填表人 | 张三 | 审核人 | 李四 | 日期 | …).
TOTAL_ROW_WORDS = ("合计", "小计", "总计", "共计")
SIGNATURE_LABELS = (
    "审核人",
    "审核",
    "复核人",
    "审批人",
    "制表人",
    "制表",
    "联系电话",
    "电话",
    "联系人",
    "联系方式",
    "手机",
    "办公电话",
    "经办人",
    "审定人",
    "批准人",
    "签字",
    "签名",
    "盖章",
    "负责人签字",
    "领导签字",
    # a 廉政承诺书 written under the table on its own sheet signs off the same way
    "承诺人",
    "承诺日期",
    "承诺时间",
)
# A line over a table header repeated after a page break: the same table going on
CONTINUED_TABLE_WORDS = ("续表", "续", "（续）", "（续表）", "续上表", "接上表", "接上页", "续前表")
# A label ending in one of these is a signature line's too (填表人签字：, 科室负责人签名)
SIGNATURE_ENDINGS = ("签字", "签名", "盖章")
# A label ending in one of these before its colon is a sign-off line's (审核意见：同意)
SIGNATURE_OPINION_ENDINGS = ("意见",)
# Several people named in one 姓名 cell of a table with row owners: 张三、李四 / 张三，李四
ROW_NAMES_SPLIT = "[、，,/／;；]+"
# An enumerated value with this word after it is that value (1级风险, 中等风险 …), as the
# forms write it; tried only when the value itself is unknown.
# generic words after an enumerated value (1级风险, 一级风险点; a category also 业务流程类风险,
# 岗位职责类): the value before them is tried, longest first
ENUM_VALUE_SUFFIXES = ("风险点", "风险")
# The words of a field before its value in a cell (可能性较高, 发生几率：高, 危害较大, 影响一般,
# 风险等级：二级), as staff write a choice out: the value after them is tried, longest first
ENUM_VALUE_PREFIXES = {
    "likelihood": (
        "发生的可能性",
        "发生可能性",
        "发生几率",
        "发生概率",
        "发生机率",
        "可能性",
        "几率",
        "概率",
        "机率",
        "可能",
    ),
    "harm": ("危害程度", "危害性", "危害", "影响程度", "影响", "后果"),
    "self_level": ("风险等级", "风险级别", "等级", "级别", "风险"),
}
_ENUM_PREFIXES = {
    field: tuple(unicodedata.normalize("NFKC", w) for w in sorted(words, key=len, reverse=True))
    for field, words in ENUM_VALUE_PREFIXES.items()
}
CATEGORY_VALUE_SUFFIXES = ("类风险", "类")

# Where Thunderbird saved an attachment it detached, when its mail does not say
DETACHED_SOMEWHERE = "别处"
# Where an attachment by reference points (mail_part_reference)
REFERENCE_TO = "（「{where}」）"
