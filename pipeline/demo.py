"""Synthetic bodies with ground truth: a roster, an inbox of filled forms and a manifest.

``write_demo`` builds a fictional district women's federation (all names invented), fills one
individual form per person and one unit form per section with plausible content, injects the
bad inputs of SPEC.md at a given rate and writes ``manifest.json`` saying exactly which file,
sheet and cell holds each fault. Everything is decided up front from ``random.Random(seed)``;
the files are then written in parallel, so the same seed gives the same bytes.

The Chinese text below is demo *content* (what staff would type into a form), not labels:
labels, sheet names and enumerations all come from vocab.py.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import random
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import config, formlayout, grade, templates, vocab, xlsx

DEFAULT_YEAR = 2026
MANIFEST_FILE = "manifest.json"
PARALLEL_MIN_FILES = 200  # below this, writing in-process beats starting worker processes

# --------------------------------------------------------------------------------------
# The fictional body
# --------------------------------------------------------------------------------------
BODY_NAME = "云溪区妇女联合会"
OVERSIGHT = "云溪区纪委监委派驻第五纪检监察组"
LEADERSHIP = vocab.LEADERSHIP_SECTION
CHAIR_POST = vocab.ROLE_CHAIR  # the chair's post is called after the role
VICE_POST = "副主席"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
# Given names: a first and a second character from these, or a single character.
GIVEN_FIRST = "秀桂玉淑海丽晓雅慧静欣思梦婉佳雪春美文红彩翠金月爱素凤艳建志国明卫立新永"
GIVEN_SECOND = "英芳兰珍燕娟红琴敏怡然雨洁清琪梅凤玲霞静华萍娥娜莉颖婷慧丹洁强军伟平"
CN_NUMBERS = "一二三四五六七八九十"

# Section kinds: base name, head post (type), other posts (type), content bank key.
SECTION_KINDS: list[dict[str, Any]] = [
    {
        "name": "办公室",
        "head": ("办公室主任", "一般管理服务"),
        "posts": [
            ("文秘", "一般管理服务"),
            ("综合管理员", "一般管理服务"),
            ("资产管理员", "人财物管理"),
            ("人事干事", "一般管理服务"),
            ("档案管理员", "一般管理服务"),
            ("驾驶员", "其他"),
        ],
    },
    {
        "name": "财务室",
        "head": ("财务室主任", "人财物管理"),
        "posts": [
            ("会计", "人财物管理"),
            ("出纳", "人财物管理"),
            ("报账员", "一般管理服务"),
            ("项目资金管理员", "人财物管理"),
        ],
    },
    {
        "name": "组织宣传部",
        "head": ("组织宣传部部长", "一般管理服务"),
        "posts": [
            ("组织干事", "一般管理服务"),
            ("宣传干事", "一般管理服务"),
            ("网络宣传员", "一般管理服务"),
            ("培训干事", "一般管理服务"),
            ("通讯员", "其他"),
        ],
    },
    {
        "name": "权益部",
        "head": ("权益部部长", "一般管理服务"),
        "posts": [
            ("信访接待员", "民生密切相关"),
            ("维权干事", "一般管理服务"),
            ("法律援助联络员", "民生密切相关"),
            ("救助资金管理员", "人财物管理"),
        ],
    },
    {
        "name": "家庭儿童工作部",
        "head": ("家庭儿童工作部部长", "一般管理服务"),
        "posts": [
            ("儿童工作干事", "一般管理服务"),
            ("家庭教育指导员", "一般管理服务"),
            ("项目联络员", "一般管理服务"),
            ("志愿服务管理员", "其他"),
        ],
    },
    {
        "name": "发展部",
        "head": ("发展部部长", "一般管理服务"),
        "posts": [
            ("创业就业指导员", "民生密切相关"),
            ("贷款推荐审核员", "人财物管理"),
            ("技能培训干事", "一般管理服务"),
            ("示范基地联络员", "一般管理服务"),
        ],
    },
]

# Risk bank: (职权事项, category index into vocab.CATEGORIES, 风险点描述, 前期, 中期, 后期).
# Measures avoid the words that label the three lines (前期/预防/监控/处置 …) so a combined
# 防控措施 cell written from them splits unambiguously.
Risk = tuple[str, int, str, str, str, str]


def _bank(text: str) -> list[Risk]:
    """Parse a bank: one risk point a line, fields separated by ``|``."""
    out: list[Risk] = []
    for line in text.strip().splitlines():
        step, cat, desc, prevent, monitor, handle = line.strip().split("|")
        out.append((step, int(cat), desc, prevent, monitor, handle))
    return out


COMMON_BANK = _bank("""
公务接待|1|超标准、超范围接待，虚报接待费用。|严格执行公务接待管理规定，接待事项事先审批。|接待清单与发票逐项核对，财务审核把关。|发现违规接待及时纠正，追回违规费用。
公务用车|2|公车私用，或未按规定登记派车。|建立派车登记制度，明确用车范围。|定期核对行车记录与油耗、里程。|对违规用车通报批评，费用由个人承担。
办公用品领用|1|办公用品领用无登记，造成浪费或私用。|实行领用登记制度。|办公室每季度盘点一次。|发现问题责令整改并通报。
外部人情往来|3|收受服务对象或合作单位的礼品、礼金、消费卡。|签订廉政承诺书，开展警示教育。|节假日前重申纪律要求，公开举报电话。|主动上交并登记，违者严肃问责。
请示报告|0|重要事项不请示不报告，擅自决定。|明确请示报告事项清单。|分管领导定期听取工作汇报。|对失职行为进行诫勉谈话。
差旅费报销|1|虚列差旅费用或重复报销。|严格执行差旅费管理办法。|报销单据逐项审核、签字。|发现虚报追回款项并问责。
信息保密|0|泄露工作秘密或服务对象个人信息。|开展保密教育，签订保密承诺。|规范文件流转登记。|发生泄密按规定追究责任。
会议培训组织|2|借会议、培训之名变相旅游或发放福利。|年初制定会议培训计划并报批。|会议费用据实结算并公开。|对违规费用予以追缴。
工作作风|3|受不良风气影响，吃拿卡要、推诿扯皮。|加强作风建设教育。|开展群众满意度测评。|对投诉查实的进行通报。
考勤管理|2|考勤记录不实，代签到或虚报加班。|完善考勤管理制度。|办公室不定期抽查在岗情况。|对虚报行为扣减绩效。
""")
SECTION_BANKS: dict[str, list[Risk]] = {
    "办公室": _bank(
        """
        固定资产管理|1|资产采购、报废不按程序，造成国有资产流失。|执行资产采购和报废审批规定。|建立资产台账，每年清查一次。|发现资产流失追究相关人员责任。
        政府采购|1|化整为零规避政府采购，指定供应商。|严格执行采购目录和限额标准。|采购过程多人参与、全程留痕。|对违规采购的责任人问责。
        人事管理|0|在人员招聘、考核、评先中优亲厚友。|公开招聘考核的标准和程序。|派驻纪检组全程参与。|查实违规的撤销结果并问责。
        印章管理|2|擅自使用公章或为他人出具虚假证明。|落实用印审批登记制度。|定期检查用印登记簿。|违规用印的追究责任。
        公文办理|0|公文办理拖延，或擅自改变文件内容。|规范公文流转程序和时限。|督办系统跟踪办理进度。|对延误事项通报批评。
        档案管理|2|档案借阅无登记，造成档案遗失或泄露。|执行档案借阅审批制度。|每半年核对一次借阅记录。|追究遗失、泄露责任。
        办公场所维修|1|维修不比价、不验收，虚增工程量。|小额维修实行三家比价。|维修完成后多人共同验收。|发现虚增的扣减款项。
        津贴补贴发放|0|违规发放津贴补贴。|严格执行津补贴政策。|工资表经审核后公示。|违规发放的全额追回。
        """
    ),
    "财务室": _bank(
        """
        资金支付|1|未经审批支付资金，或大额使用现金支付。|严格执行资金支付审批流程。|会计、出纳岗位分设，双人复核。|发现违规支付立即追回并报告。
        现金管理|2|坐支现金、公款私存、白条抵库。|执行现金管理制度，限定库存额度。|不定期盘点库存现金。|违规者调离岗位并依纪处理。
        票据管理|0|使用不合规票据，或私自开具收据。|规范票据领用和核销。|定期检查票据存根。|查实问题的严肃处理。
        预算编制执行|2|预算编制不实，随意改变预算用途。|预算编制经班子集体研究。|每季度分析预算执行情况。|超预算支出不予报销。
        专项资金管理|1|挤占、挪用项目专项资金。|专款专用，建立项目资金台账。|主动接受审计和检查。|挪用资金全额收回并问责。
        银行账户管理|2|私设银行账户或设立“小金库”。|账户开设须报批备案。|每月进行银行对账。|发现“小金库”依纪依法处理。
        会计核算|0|做假账、虚列支出。|持证上岗，加强业务培训。|内部审计定期检查账目。|依纪依法追究责任。
        往来款清理|1|借款长期不还，暂付款挂账不清。|明确借款审批权限和还款期限。|每季度清理一次往来款。|逾期借款从工资中扣回。
        """
    ),
    "组织宣传部": _bank(
        """
        评先评优推荐|1|三八红旗手等评选推荐不公开、不公正。|公布评选标准和名额。|推荐对象在单位内公示。|对弄虚作假的撤销荣誉。
        基层妇联组织换届|0|指导换届工作不规范，选举程序走过场。|制定换届工作方案。|全程指导换届选举。|程序违规的责令重新选举。
        宣传经费使用|1|宣传品制作不比价，虚报宣传费用。|执行采购比价程序。|验收宣传品数量和质量。|追回虚报的费用。
        培训班组织|2|培训对象确定不规范，培训经费超标准。|制定年度培训计划。|学员签到，培训经费公开。|超标准费用由责任人承担。
        新闻信息发布|0|发布信息未经审核，造成不良影响。|落实信息发布三审制度。|开展网络舆情日常跟踪。|及时删除更正并追究责任。
        妇女代表推选|3|受人情影响推荐不符合条件的人员。|严格资格审查。|征求派驻纪检组意见。|不符合条件的取消资格。
        网络宣传平台管理|3|收受好处为商业机构做宣传。|明确平台发布范围。|定期检查发布内容。|违规发布的追究责任。
        """
    ),
    "权益部": _bank(
        """
        信访接待办理|0|对来访妇女推诿、敷衍，不按时限办理。|公开信访办理程序和时限。|建立信访台账，跟踪督办。|对超期未办的通报批评。
        困难妇女救助|1|救助对象审核不严，优亲厚友或虚报冒领。|救助标准和对象名单公示。|入户核实，集体研究确定。|追回违规资金并问责。
        法律援助联络|3|向当事人收取好处费，或介绍律师从中牟利。|签订廉洁从业承诺。|定期回访当事人。|查实后严肃处理。
        维权案件协调|0|协调案件时偏袒一方，泄露当事人隐私。|执行回避和保密制度。|疑难案件集体讨论。|对违规人员调离岗位。
        反家暴工作|2|告诫、庇护工作无规范流程，办理随意。|制定工作流程和标准。|定期检查工作记录。|完善制度并追究责任。
        救助资金发放|1|截留、延迟发放救助资金。|资金通过银行直接发放到人。|随机回访受助对象。|截留资金全额追回。
        来信来电办理|2|群众来信来电登记不全，无人跟踪。|建立来信来电登记制度。|每月统计办结率。|对未办结事项督办。
        """
    ),
    "家庭儿童工作部": _bank(
        """
        儿童之家项目|1|项目申报审核不严，资金分配不公。|公开项目申报条件。|项目实地验收。|不合格项目收回资金。
        最美家庭评选|3|受人情干扰，评选结果不公。|公开评选标准。|评选结果公示。|查实舞弊的撤销称号。
        家庭教育讲座|1|讲课费发放不规范，虚列讲座场次。|讲座计划事先报批。|现场签到并留存影像记录。|虚报费用予以追回。
        留守儿童关爱|0|慰问物资发放不到位，虚报慰问对象。|慰问名单公示。|签收登记，抽查回访。|追究虚报责任。
        社会组织合作|3|向合作机构索取好处，指定合作方。|合作方公开遴选。|跟踪合同履行情况。|违规合作的终止并追责。
        志愿服务管理|2|志愿服务时长登记不实。|完善志愿服务记录制度。|定期抽查服务记录。|更正记录并批评教育。
        儿童活动组织|0|活动安全措施不到位，经费使用不透明。|活动方案事先审批。|活动经费公开。|出现问题追究责任。
        """
    ),
    "发展部": _bank(
        """
        创业担保贷款推荐|1|贷款推荐审核不严，收受申请人好处。|公开申请条件和程序。|集体审核，推荐名单公示。|违规推荐的取消资格并问责。
        技能培训补贴|1|虚报培训人数，套取培训补贴。|培训学员实名登记。|随机电话回访学员。|追回补贴并追究责任。
        巾帼示范基地评定|3|评定中接受宴请或礼品。|公开评定标准。|实地考察，集体评议。|撤销不合格基地称号。
        项目资金分配|2|项目资金分配无标准，凭个人意见决定。|制定资金分配办法。|分配方案集体研究。|违规分配的予以纠正。
        招商联络|3|利用职务便利为亲友企业谋利。|执行回避制度。|定期报告个人有关事项。|查实后依纪处理。
        就业信息发布|0|就业岗位信息审核不严，发布虚假招聘信息。|招聘信息审核登记。|跟踪回访用工单位。|及时撤回并通报。
        手工产品展销|1|展位分配不公开，收取费用不入账。|展位公开分配。|收费统一入账。|追缴未入账款项。
        """
    ),
    LEADERSHIP: _bank(
        """
        “三重一大”决策|2|重大事项不经集体研究，个人说了算。|落实“三重一大”集体决策制度。|会议记录存档备查。|违反程序的决策予以纠正并问责。
        干部选拔任用|0|在干部推荐、考察中任人唯亲。|严格执行干部选拔任用条例。|全程纪实，接受监督。|对违规用人严肃追责。
        大额资金审批|1|大额资金“一支笔”审批，缺乏制约。|大额资金使用集体研究。|定期公开财务收支。|追究违规审批责任。
        分管领域管理|0|对分管科室疏于管理，“一岗双责”落实不到位。|签订党风廉政建设责任书。|定期听取分管科室廉政情况汇报。|对失职失责进行问责。
        对外交往|3|接受管理服务对象宴请、礼金。|带头执行廉洁自律规定。|主动报告个人有关事项。|违规者依纪处理。
        工程和采购项目|1|干预插手工程项目和政府采购。|落实领导干部干预插手登记制度。|派驻纪检组跟踪督查。|依纪依法处理。
        民主生活会|2|批评与自我批评流于形式。|会前广泛征求意见。|上级派员列席指导。|整改不到位的重新召开。
        """
    ),
}

PLEDGE_BANK = (
    "严格遵守党的政治纪律和政治规矩，自觉维护党中央权威。",
    "严格执行中央八项规定精神，不违规公款吃喝，不公车私用。",
    "不利用职务之便为本人或他人谋取不正当利益。",
    "不收受服务对象和管理对象的礼品、礼金、消费卡和有价证券。",
    "不违规参与经营活动，不在企业或社会组织违规兼职取酬。",
    "严格执行财务制度，不虚报冒领，不挪用公款。",
    "在评先评优、救助帮扶中坚持公开公平公正，不优亲厚友。",
    "认真履行岗位职责，不推诿扯皮，不吃拿卡要。",
    "严守工作秘密，不泄露服务对象的个人信息。",
    "管好家属和身边工作人员，不为其谋取利益提供便利。",
    "自觉接受组织和群众监督，如实报告个人有关事项。",
    "如有违反，自愿接受组织处理。",
)
# Optional consequences appended to a description, so colleagues rarely write identical points.
DESCRIPTION_ENDINGS = (
    "",
    "",
    "，造成不良社会影响",
    "，损害妇联组织形象",
    "，造成经济损失",
    "，引发群众不满",
    "，影响工作公正性",
    "，滋生腐败问题",
)
REMARKS = ("已整改", "与科室表对应", "新增风险点", "上年度已查找")

# Junk values NOT in any synonym table (tests check this against vocab.ENUM_LOOKUP).
BAD_ENUM_VALUES = {
    "category": ("其他风险", "廉洁风险", "作风风险", "经济风险"),
    "likelihood": ("很可能", "偶尔", "不确定", "可能"),
    "harm": ("一般般", "不大", "很大", "待定"),
    "self_level": ("四级", "D级", "待定", "较低级"),
}
# Variants that fold to the canonical value: the first synonym vocab.py accepts for each.
_SYNONYMS = {
    "category": vocab.CATEGORY_SYNONYMS,
    "likelihood": vocab.LIKELIHOOD_SYNONYMS,
    "harm": vocab.HARM_SYNONYMS,
    "self_level": vocab.LEVEL_SYNONYMS,
}
FOLDED_VALUES = {
    field: {value: words[0] for value, words in synonyms.items()}
    for field, synonyms in _SYNONYMS.items()
}
# Real-world column and header labels: every synonym vocab.py accepts for these keys.
_RELABELLED = ("step", "posts_involved", "description", "self_level", *vocab.MEASURE_FIELDS)
COLUMN_VARIANTS = {key: vocab.COLUMN_SYNONYMS[key] for key in _RELABELLED}
HEADER_VARIANTS = {key: vocab.HEADER_SYNONYMS[key] for key in ("section", "date", "head")}
MEASURES_VARIANT_LABEL = vocab.COLUMN_LABELS["measures"]
EXTRA_COLUMN = ("完成时限", ("长期坚持", "2026年6月底前", "持续推进", "年底前"))
FORMULA_PREFIXES = ("=", "+", "-", "@")
LONG_TEXT_CHARS = 33000
UNKNOWN_SECTIONS = ("综合科", "妇女发展部", "宣传科", "儿童部")
STRAY_ATTACHMENT = "关于开展廉政风险防范管理工作的通知.pdf"

# Anomaly kinds with their weights. Each anomalous form gets exactly one.
ANOMALY_WEIGHTS = {
    "bad_enum": 4,
    "missing_value": 3,
    "missing_header_field": 1,
    "not_in_roster": 1,  # section_not_in_roster on a unit form
    "empty_form": 1,
    "corrupt": 1,
    "not_excel": 1,
    "encrypted": 1,
    "text_too_long": 1,
    "merged_cells": 1,
    "blank_rows_skipped": 1,
    "extra_column": 1,
    "foreign_layout": 1,  # synonyms, moved columns, header block moved and written inline
    "combined_measures": 1,
    "formula_text": 1,
    "folded_values": 1,
}
FILE_REJECTIONS = ("corrupt", "not_excel", "encrypted", "lock_file")

# Our template's layout (declared in formlayout) in Excel's terms: 1-based rows, and per
# header key its (label column, value column) letters.
HEADER_CELLS = {
    kind: {
        c.key: (xlsx.col_letter(c.label_col), xlsx.col_letter(c.first_col))
        for c in formlayout.HEADER_BLOCK[kind]
    }
    for kind in vocab.FORM_KINDS
}
HEADER_ROW = formlayout.HEADER_ROW + 1
TABLE_HEADER_ROW = formlayout.TABLE_HEADER_ROW + 1
FIRST_DATA_ROW = formlayout.FIRST_DATA_ROW + 1


# --------------------------------------------------------------------------------------
# The body: people, sections, unit
# --------------------------------------------------------------------------------------
def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        given = rng.choice(GIVEN_SECOND)
        if rng.random() < 0.85:
            given = rng.choice(GIVEN_FIRST) + given
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def build_body(rng: random.Random, people: int, sections: int | None) -> dict[str, Any]:
    """Roster data: people (section, name, post, post_type, is_head), sections, unit."""
    n_vice = min(3 if people >= 200 else 2, max(0, people - 1))
    business = people - 1 - n_vice
    n_sections = sections if sections else max(5, people // 100)
    n_sections = max(0, min(n_sections, business))
    taken: set[str] = set()
    names = _names(rng, people, taken)
    chair, vices = names[0], names[1 : 1 + n_vice]
    rest = names[1 + n_vice :]
    persons: list[dict[str, Any]] = [
        {
            "section": LEADERSHIP,
            "name": chair,
            "post": CHAIR_POST,
            "post_type": "领导班子正职",
            "is_head": True,
        }
    ]
    for i, vice in enumerate(vices):
        persons.append(
            {
                "section": LEADERSHIP,
                "name": vice,
                "post": VICE_POST,
                "post_type": "人财物管理" if i == 0 else "一般管理服务",
                "is_head": False,
            }
        )
    sec_rows = [
        {
            "section": LEADERSHIP,
            "head": chair,
            "vice_chair": vices[0] if vices else "",
            "kind": LEADERSHIP,
        }
    ]
    # sizes: every section has its head, the rest spread evenly (a little uneven on purpose)
    sizes = [1] * n_sections
    for j in range(len(rest) - n_sections):
        sizes[rng.randrange(n_sections) if rng.random() < 0.3 else j % n_sections] += 1
    pos = 0
    for s in range(n_sections):
        kind = SECTION_KINDS[s % len(SECTION_KINDS)]
        round_no = s // len(SECTION_KINDS)
        sec_name = kind["name"] + (f"{CN_NUMBERS[round_no % 10]}组" if round_no else "")
        if round_no >= 10:
            sec_name = f"{kind['name']}{round_no + 1}组"
        members = rest[pos : pos + sizes[s]]
        pos += sizes[s]
        vice = vices[s % len(vices)] if vices else ""
        head_post, head_type = kind["head"]
        sec_rows.append(
            {"section": sec_name, "head": members[0], "vice_chair": vice, "kind": kind["name"]}
        )
        head_post = head_post if not round_no else sec_name + "负责人"
        persons.append(
            {
                "section": sec_name,
                "name": members[0],
                "post": head_post,
                "post_type": head_type,
                "is_head": True,
            }
        )
        for name in members[1:]:
            post, ptype = rng.choice(kind["posts"])
            persons.append(
                {
                    "section": sec_name,
                    "name": name,
                    "post": post,
                    "post_type": ptype,
                    "is_head": False,
                }
            )
    unit = {"body": BODY_NAME, "chair": chair, "oversight": OVERSIGHT}
    return {"people": persons, "sections": sec_rows, "unit": unit, "taken": taken}


# --------------------------------------------------------------------------------------
# Content of one form
# --------------------------------------------------------------------------------------
# Most staff grade their points right. The usual mistake is a level one step too low, mostly
# a post-type floor overlooked; it is made on this share of the points above the lowest level.
SELF_LEVEL_MISTAKE_RATE = 0.12


def _risk_rows(
    rng: random.Random, kind: str, bank_key: str, n: int, posts: list[str]
) -> list[dict[str, Any]]:
    """n plausible risk points, 自评等级 not yet filled (see ``_self_assess``); a unit form
    names 1-3 of its section's ``posts`` in 涉及岗位."""
    own = SECTION_BANKS[bank_key]
    pool = own + rng.sample(COMMON_BANK, k=min(len(COMMON_BANK), max(3, n - len(own) + 3)))
    chosen = rng.sample(pool, k=min(n, len(pool)))
    rows = []
    for i, (step, cat, desc, prevent, monitor, handle) in enumerate(chosen, start=1):
        likelihood = rng.choices(vocab.LIKELIHOODS, weights=(2, 5, 4))[0]
        harm = rng.choices(vocab.HARMS, weights=(2, 5, 4))[0]
        involved = None
        if kind == vocab.UNIT:
            k = min(len(posts), rng.choice((1, 1, 2, 2, 3)))
            involved = "、".join(posts[p] for p in sorted(rng.sample(range(len(posts)), k=k)))
        description = desc[:-1] + rng.choice(DESCRIPTION_ENDINGS) + desc[-1]
        remark = rng.choice(REMARKS) if rng.random() < 0.08 else ""
        rows.append(
            {
                "seq": i,
                **templates.form_row(
                    step,
                    vocab.CATEGORIES[cat],
                    description,
                    likelihood,
                    harm,
                    None,
                    prevent,
                    monitor,
                    handle,
                    remark=remark,
                    posts_involved=involved,
                ),
            }
        )
    return rows


def _self_assess(
    rng: random.Random,
    forms: list[dict[str, Any]],
    roster: config.Roster,
    settings: config.Settings,
) -> None:
    """Fill every row's 自评等级 as staff do: by the rule the run grades with (grade.grade on
    the body's own roster and settings; the level is kept as ``_level``), except that about
    SELF_LEVEL_MISTAKE_RATE of the points above the lowest level are rated one level too low."""
    rows = [row for form in forms for row in form["rows"]]
    if not rows:
        return
    points = pd.DataFrame(
        [
            {
                "kind": form["kind"],
                "section": form["header"]["section"],
                "name": form["header"].get("name", ""),
                "post": form["header"].get("post", ""),
                "posts_involved": row["posts_involved"] or "",
                "likelihood": row["likelihood"],
                "harm": row["harm"],
            }
            for form in forms
            for row in form["rows"]
        ]
    )
    graded, _ = grade.grade(points, roster, settings)
    lowest = vocab.LEVELS[-1]
    for row, level in zip(rows, graded["level"].tolist(), strict=True):
        row["_level"] = level
        mistaken = rng.random() < SELF_LEVEL_MISTAKE_RATE and level != lowest
        row["self_level"] = vocab.LEVELS[vocab.LEVELS.index(level) + 1] if mistaken else level


def _public_rows(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with exactly the keys of formlayout.COLUMNS[kind] (what write_form takes)."""
    return [{k: r.get(k, "") for k in formlayout.COLUMNS[kind]} for r in rows]


def _form_date(rng: random.Random, year: int, late: bool, unit: bool) -> date:
    if late:
        return date(year, 4, 1) + timedelta(days=rng.randrange(14))
    start = date(year, 3, 18) if unit else date(year, 3, 2)
    return start + timedelta(days=rng.randrange((date(year, 3, 31) - start).days + 1))


# --------------------------------------------------------------------------------------
# Writing: the template writer for standard forms, a private writer for real-world variants
# --------------------------------------------------------------------------------------
def _cell_value(value: Any) -> Any:
    return "" if value is None else value


def _write_custom(path: Path, form: dict[str, Any]) -> None:
    """A filled form in a layout of our choosing (see ``_layout``): moved header block,
    inline labels, synonyms, moved/extra/combined columns, merged cells, blank rows."""
    kind, lay = form["kind"], form["layout"]
    wb = xlsx.new_workbook(path)
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_name": xlsx.FONT_NAME})
    bold = wb.add_format({"bold": True, "font_name": xlsx.FONT_NAME, "text_wrap": True})
    datef = wb.add_format({"num_format": "yyyy-mm-dd", "font_name": xlsx.FONT_NAME})
    ws = wb.add_worksheet(vocab.MAIN_SHEET[kind])
    ncols = len(lay["columns"])
    title_row = formlayout.TITLE_ROW
    ws.merge_range(title_row, 0, title_row, ncols - 1, vocab.FORM_TITLES[kind], bold)
    for r, text in lay.get("preamble", []):
        ws.write_string(r - 1, 0, text, wrap)
    hrow = lay["header_row"] - 1
    for key, (label_col, value_col) in lay["header_cells"].items():
        label = lay["header_labels"][key]
        value = form["header"].get(key)
        lc = xlsx.col_index(label_col)
        if lay.get("inline_header"):
            text = (
                ""
                if value is None
                else (value.isoformat() if isinstance(value, date) else str(value))
            )
            ws.write_string(hrow, lc, f"{label}：{text}", wrap)
            continue
        ws.write_string(hrow, lc, label, bold)
        if isinstance(value, date):
            ws.write_datetime(
                hrow, xlsx.col_index(value_col), datetime(value.year, value.month, value.day), datef
            )
        elif value:
            ws.write_string(hrow, xlsx.col_index(value_col), str(value), wrap)
    trow = lay["table_header_row"] - 1
    for c, (_key, label) in enumerate(lay["columns"]):
        ws.write_string(trow, c, label, bold)
        ws.set_column(c, c, 8 if _key in ("seq", "likelihood", "harm", "self_level") else 22)
    for row, excel_row in zip(form["rows"], lay["row_of"], strict=True):
        for c, (key, _label) in enumerate(lay["columns"]):
            value = row.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, int):
                ws.write_number(excel_row - 1, c, value, wrap)
            else:
                ws.write_string(excel_row - 1, c, str(value), wrap)
    for key, first, last in lay.get("merges", []):
        c = [k for k, _ in lay["columns"]].index(key)
        ws.merge_range(
            first - 1, c, last - 1, c, str(form["rows"][lay["row_of"].index(first)][key]), wrap
        )
    if lay.get("marker"):
        wb.define_name(vocab.TEMPLATE_MARKER_NAME, f'="{kind}:{vocab.TEMPLATE_VERSION}"')
        wb.set_custom_property(vocab.TEMPLATE_PROPERTY_KIND, kind)
        wb.set_custom_property(vocab.TEMPLATE_PROPERTY_VERSION, vocab.TEMPLATE_VERSION)
    if kind == vocab.INDIVIDUAL and form.get("pledge") != "missing":
        _write_pledge_sheet(wb, form, wrap, bold, datef)
    wb.close()


def _write_pledge_sheet(wb: Any, form: dict[str, Any], wrap: Any, bold: Any, datef: Any) -> None:
    fl = formlayout
    label_col, value_col = fl.PLEDGE_LABEL_COL, fl.PLEDGE_VALUE_COL
    ws = wb.add_worksheet(vocab.SHEET_PLEDGE)
    ws.set_column(value_col, value_col, 60)
    ws.merge_range(
        fl.PLEDGE_TITLE_ROW, label_col, fl.PLEDGE_TITLE_ROW, value_col, vocab.PLEDGE_TITLE, bold
    )
    ws.write_string(fl.PLEDGE_HEADER_ROW, label_col, vocab.COLUMN_LABELS["seq"], bold)
    ws.write_string(fl.PLEDGE_HEADER_ROW, value_col, vocab.PLEDGE_ITEMS_LABEL, bold)
    items = form.get("pledge_items") or []
    for i in range(fl.pledge_item_count(len(items))):
        ws.write_number(fl.PLEDGE_FIRST_ITEM_ROW + i, label_col, i + 1)
        if i < len(items):
            ws.write_string(fl.PLEDGE_FIRST_ITEM_ROW + i, value_col, items[i], wrap)
    rows = fl.pledge_sign_rows(len(items))
    ws.write_string(rows["pledger"], label_col, vocab.PLEDGE_LABELS["pledger"], bold)
    if form.get("pledger"):
        ws.write_string(rows["pledger"], value_col, form["pledger"])
    ws.write_string(rows["pledge_date"], label_col, vocab.PLEDGE_LABELS["pledge_date"], bold)
    if form.get("pledge_date"):
        d = date.fromisoformat(form["pledge_date"])
        ws.write_datetime(rows["pledge_date"], value_col, datetime(d.year, d.month, d.day), datef)


def _write_standard(path: Path, form: dict[str, Any]) -> None:
    pledge = form.get("pledge")
    templates.write_form(
        path,
        form["kind"],
        form["header"],
        _public_rows(form["kind"], form["rows"]),
        pledge_items=form.get("pledge_items") if pledge != "missing" else None,
        pledger=form.get("pledger"),
        pledge_date=form.get("pledge_date"),
    )


def _write_csv(path: Path, form: dict[str, Any]) -> None:
    """The form as a CSV copy (UTF-8 with BOM, as Excel saves it), same rows and columns."""
    kind = form["kind"]
    keys = formlayout.COLUMNS[kind]
    width = len(keys)
    lines: list[list[str]] = [[vocab.FORM_TITLES[kind]] + [""] * (width - 1)]
    header = [""] * width
    for key, (lc, vc) in HEADER_CELLS[kind].items():
        header[xlsx.col_index(lc)] = vocab.HEADER_LABELS[key]
        value = form["header"].get(key)
        header[xlsx.col_index(vc)] = (
            value.isoformat() if isinstance(value, date) else str(value or "")
        )
    lines.append(header)
    lines.append([vocab.COLUMN_LABELS[k] for k in keys])
    for row in form["rows"]:
        lines.append([str(_cell_value(row.get(k))) for k in keys])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


class _FixedNow(datetime):
    """``datetime`` whose ``now()`` is fixed: the OLE container stamps its creation time."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        return datetime(2000, 1, 1)


def _encrypt(data: bytes, password: str, seed: int) -> bytes:
    """OOXML agile encryption with msoffcrypto-tool, its random salts drawn from ``seed`` and
    its container timestamps fixed, so the same seed gives the same bytes."""
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    rng = random.Random(seed)
    saved = (ecma376_agile._random_buffer, ecma376_encrypted.datetime)
    ecma376_agile._random_buffer = lambda size: rng.randbytes(size)
    ecma376_encrypted.datetime = _FixedNow
    try:
        return ecma376_agile.ECMA376Agile.encrypt(password, io.BytesIO(data))
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved


def _can_encrypt() -> bool:
    try:
        from msoffcrypto.method import ecma376_agile

        return hasattr(ecma376_agile.ECMA376Agile, "encrypt")
    except ImportError:
        return False


def _write_task(root: Path, task: dict[str, Any]) -> None:
    path = root / task["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    how = task["how"]
    if how == "bytes":
        path.write_bytes(task["data"])
    elif how == "csv":
        _write_csv(path, task)
    else:
        if task.get("layout"):
            _write_custom(path, task)
        else:
            _write_standard(path, task)
        post = task.get("post")
        if post == "corrupt":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 3 // 5])
        elif post == "encrypt":
            path.write_bytes(_encrypt(path.read_bytes(), "123456", task["seed"]))
    os.utime(path, (task["mtime"], task["mtime"]))


def _write_chunk(root: str, tasks: list[dict[str, Any]]) -> int:
    for task in tasks:
        _write_task(Path(root), task)
    return len(tasks)


# --------------------------------------------------------------------------------------
# Layouts of the real-world variants
# --------------------------------------------------------------------------------------
def _standard_layout(kind: str, n_rows: int) -> dict[str, Any]:
    keys = formlayout.COLUMNS[kind]
    return {
        "marker": True,
        "header_row": HEADER_ROW,
        "header_cells": dict(HEADER_CELLS[kind]),
        "header_labels": {k: vocab.HEADER_LABELS[k] for k in HEADER_CELLS[kind]},
        "table_header_row": TABLE_HEADER_ROW,
        "columns": [(k, vocab.COLUMN_LABELS[k]) for k in keys],
        "row_of": [FIRST_DATA_ROW + i for i in range(n_rows)],
    }


def _col_of(layout: dict[str, Any], key: str) -> str:
    return xlsx.col_letter([k for k, _ in layout["columns"]].index(key))


def _foreign_layout(rng: random.Random, kind: str, n_rows: int) -> dict[str, Any]:
    """A form not made from our template: title, a 填报单位 line, the header block two rows
    down with label and value in one cell, synonym column labels and moved columns."""
    lay = _standard_layout(kind, n_rows)
    lay["marker"] = False
    offset = rng.choice((2, 3))
    lay["preamble"] = [(2, f"填报单位：{BODY_NAME}")]
    lay["inline_header"] = True
    lay["header_row"] = HEADER_ROW + offset
    lay["header_labels"] = {
        k: rng.choice(HEADER_VARIANTS.get(k, (v,))) for k, v in lay["header_labels"].items()
    }
    lay["table_header_row"] = TABLE_HEADER_ROW + offset
    cols = [(k, rng.choice(COLUMN_VARIANTS.get(k, (label,)))) for k, label in lay["columns"]]
    # move 风险类别 after 风险点描述 and 自评等级 to the end
    keys = [k for k, _ in cols]
    cat = cols.pop(keys.index("category"))
    cols.insert([k for k, _ in cols].index("description") + 1, cat)
    lvl = cols.pop([k for k, _ in cols].index("self_level"))
    cols.append(lvl)
    lay["columns"] = cols
    lay["row_of"] = [lay["table_header_row"] + 1 + i for i in range(n_rows)]
    return lay


# --------------------------------------------------------------------------------------
# Injection: one anomaly per chosen form, with the manifest entries it must produce
# --------------------------------------------------------------------------------------
def _entry(
    form: dict[str, Any], code: str, cell: str = "", excel_row: int | None = None, **extra: Any
) -> dict[str, Any]:
    sheet = form.get("sheet", "")
    out = {
        "file": form["path"],
        "sheet": sheet if cell else "",
        "cell": cell,
        "code": code,
        "action": vocab.MESSAGES[code].action,
        "excel_row": excel_row,
    }
    out.update(extra)
    return out


UNKNOWN_NAME_TRIES = 200
# compound surnames, none of whose characters is in SURNAMES: a 4-character name made with one
# is never one character from a roster name
COMPOUND_SURNAMES = ("欧阳", "司徒", "上官", "诸葛", "慕容", "令狐")


class _NearNames:
    """The roster's names and their one-character neighbours, as sets: ``near(w)`` is
    ``any(w == k or normalize.one_apart(w, k) for k in names)`` in constant time."""

    def __init__(self, names: set[str]) -> None:
        self.names = set(names)
        self.changed = {n[:i] + "\0" + n[i + 1 :] for n in names for i in range(len(n))}
        self.dropped = {n[:i] + n[i + 1 :] for n in names if len(n) > 1 for i in range(len(n))}

    def near(self, word: str) -> bool:
        if word in self.names or word in self.dropped:  # equal, or a known name less one char
            return True
        if any(word[:i] + "\0" + word[i + 1 :] in self.changed for i in range(len(word))):
            return True
        return len(word) > 1 and any(
            word[:i] + word[i + 1 :] in self.names for i in range(len(word))
        )


def _inject(
    rng: random.Random,
    form: dict[str, Any],
    anomaly: str,
    roster_names: _NearNames,
    sections: set[str],
) -> list[dict[str, Any]]:
    """Apply ``anomaly`` to ``form`` in place; return the manifest error entries it causes."""
    kind = form["kind"]
    n = len(form["rows"])
    keys = formlayout.COLUMNS[kind]
    form["anomaly"] = anomaly
    if anomaly == "bad_enum":
        i = rng.randrange(n)
        fld = rng.choice(tuple(BAD_ENUM_VALUES))
        value = rng.choice(BAD_ENUM_VALUES[fld])
        form["rows"][i][fld] = value
        form["rows"][i]["_clean"] = False
        cell = f"{xlsx.col_letter(keys.index(fld))}{FIRST_DATA_ROW + i}"
        return [_entry(form, "bad_enum", cell, FIRST_DATA_ROW + i, field=fld, value=value)]
    if anomaly == "missing_value":
        i = rng.randrange(n)
        fld = rng.choice(vocab.REQUIRED_VALUES)
        form["rows"][i][fld] = ""
        form["rows"][i]["_clean"] = False
        cell = f"{xlsx.col_letter(keys.index(fld))}{FIRST_DATA_ROW + i}"
        return [_entry(form, "missing_value", cell, FIRST_DATA_ROW + i, field=fld, value="")]
    if anomaly == "missing_header_field":
        fld = "name" if kind == vocab.INDIVIDUAL else "section"
        form["header"][fld] = ""
        form["reject_all"] = True
        cell = f"{HEADER_CELLS[kind][fld][1]}{HEADER_ROW}"
        return [_entry(form, "missing_header_field", cell, None, field=fld, value="")]
    if anomaly == "not_in_roster" and kind == vocab.INDIVIDUAL:
        # a name the roster does not know: not one character from any roster name either (a
        # one-character slip is that person with a 提示, see validate.name_similar)
        for attempt in range(UNKNOWN_NAME_TRIES):
            wrong = rng.choice(SURNAMES) + rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND)
            if attempt == UNKNOWN_NAME_TRIES - 1:  # a large roster fills the 3-character space
                wrong = rng.choice(COMPOUND_SURNAMES) + wrong[1:]
            if not roster_names.near(wrong):
                break
        form["header"]["name"] = wrong
        form["pledger"] = wrong
        form["reject_all"] = True
        form["name"] = wrong
        cell = f"{HEADER_CELLS[kind]['name'][1]}{HEADER_ROW}"
        return [_entry(form, "not_in_roster", cell, None, field="name", value=wrong)]
    if anomaly == "not_in_roster":  # unit form: section unknown
        choices = [s for s in UNKNOWN_SECTIONS if s not in sections]
        wrong = rng.choice(choices)
        form["header"]["section"] = wrong
        form["reject_all"] = True
        form["anomaly"] = "section_not_in_roster"
        cell = f"{HEADER_CELLS[kind]['section'][1]}{HEADER_ROW}"
        return [_entry(form, "section_not_in_roster", cell, None, field="section", value=wrong)]
    if anomaly == "empty_form":
        form["rows"] = []
        return [_entry(form, "empty_form")]
    if anomaly in ("corrupt", "encrypted"):
        form["post"] = "corrupt" if anomaly == "corrupt" else "encrypt"
        form["seed"] = rng.randrange(2**31)
        form["unreadable"] = True
        return [_entry(form, anomaly)]
    if anomaly == "not_excel":
        ext = rng.choice((".pdf", ".docx", ".txt"))
        form["path"] = str(Path(form["path"]).with_suffix(ext).as_posix())
        form["how"] = "bytes"
        form["data"] = _not_excel_bytes(ext, form)
        form["unreadable"] = True
        return [_entry(form, "not_excel")]
    if anomaly == "text_too_long":
        form["how"] = "csv"
        form["path"] = str(Path(form["path"]).with_suffix(".csv").as_posix())
        form["sheet"] = Path(form["path"]).stem
        i = rng.randrange(n)
        base = form["rows"][i]["description"]
        form["rows"][i]["description"] = (base * (LONG_TEXT_CHARS // len(base) + 1))[
            :LONG_TEXT_CHARS
        ]
        cell = f"{xlsx.col_letter(keys.index('description'))}{FIRST_DATA_ROW + i}"
        return [
            _entry(
                form,
                "text_too_long",
                cell,
                FIRST_DATA_ROW + i,
                field="description",
                value=str(LONG_TEXT_CHARS),
            )
        ]
    lay = _standard_layout(kind, n)
    form["layout"] = lay
    if anomaly == "merged_cells":
        # the user grouped the rows by category and merged each category's cells; we merge
        # one such run (one range, so exactly one note)
        rows = sorted(form["rows"], key=lambda r: vocab.CATEGORIES.index(r["category"]))
        for seq, r in enumerate(rows, start=1):
            r["seq"] = seq
        form["rows"] = rows
        runs = [i for i in range(n - 1) if rows[i]["category"] == rows[i + 1]["category"]]
        first = rng.choice(runs) if runs else 0
        while first > 0 and rows[first - 1]["category"] == rows[first]["category"]:
            first -= 1
        last = first + 1
        while last + 1 < n and rows[last + 1]["category"] == rows[first]["category"]:
            last += 1
        for r in rows[first + 1 : last + 1]:
            r["category"] = rows[first]["category"]
        top, bottom = lay["row_of"][first], lay["row_of"][last]
        col = _col_of(lay, "category")
        lay["merges"] = [("category", top, bottom)]
        cell = f"{col}{top}"
        return [_entry(form, "merged_cells", cell, top, range=f"{col}{top}:{col}{bottom}")]
    if anomaly == "blank_rows_skipped":
        gaps = sorted(rng.sample(range(1, n), k=min(n - 1, rng.choice((1, 2)))))
        shift, row_of = 0, []
        for i in range(n):
            if i in gaps:
                shift += 1
            row_of.append(FIRST_DATA_ROW + i + shift)
        lay["row_of"] = row_of
        return [_entry(form, "blank_rows_skipped", detail=len(gaps))]
    if anomaly == "extra_column":
        label, values = EXTRA_COLUMN
        lay["columns"].append(("extra", label))
        for r in form["rows"]:
            r["extra"] = rng.choice(values)
        cell = f"{xlsx.col_letter(len(lay['columns']) - 1)}{TABLE_HEADER_ROW}"
        return [_entry(form, "extra_column", cell, None, value=label)]
    if anomaly == "foreign_layout":
        form["layout"] = _foreign_layout(rng, kind, n)
        return []
    if anomaly == "combined_measures":
        cols = [c for c in lay["columns"] if c[0] not in vocab.MEASURE_FIELDS]
        cols.insert(
            [k for k, _ in cols].index("self_level") + 1, ("measures", MEASURES_VARIANT_LABEL)
        )
        lay["columns"] = cols
        lay["marker"] = False
        for r in form["rows"]:
            r["measures"] = "\n".join(
                vocab.MEASURE_LINE.format(marker=vocab.MEASURE_MARKERS[key][0], text=r[key])
                for key in vocab.MEASURE_FIELDS
            )
        return []
    if anomaly == "formula_text":
        cells = []
        for i, prefix in zip(
            rng.sample(range(n), k=min(n, 2)), rng.sample(FORMULA_PREFIXES, k=2), strict=False
        ):
            fld = rng.choice(("description", "prevent"))
            form["rows"][i][fld] = prefix + form["rows"][i][fld]
            cells.append(f"{_col_of(lay, fld)}{lay['row_of'][i]}")
        form["variant_cells"] = cells
        form["layout"] = None  # the template writer must keep them as text too
        return []
    if anomaly == "folded_values":
        for r in form["rows"]:
            fld = rng.choice(tuple(FOLDED_VALUES))
            r[fld] = FOLDED_VALUES[fld].get(r[fld], r[fld])
        form["layout"] = None
        return []
    raise ValueError(f"unknown anomaly {anomaly}")


def _not_excel_bytes(ext: str, form: dict[str, Any]) -> bytes:
    name = form["header"].get("name") or form["header"].get("section") or ""
    text = f"{name} 廉政风险自查表（扫描件）"
    if ext == ".txt":
        return (text + "\r\n").encode("utf-8")
    if ext == ".pdf":
        body = (
            "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            "trailer<</Root 1 0 R>>\n%%EOF\n"
        )
        return body.encode("ascii")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        parts = {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            + text
            + "</w:t></w:r></w:p></w:body></w:document>",
        }
        for part, content in parts.items():
            info = zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content.encode("utf-8"))
    return buf.getvalue()


def _lock_bytes(owner: str) -> bytes:
    """An Excel owner file (~$name.xlsx): the user name twice, padded to 165 bytes."""
    ansi = owner.encode("gbk")[:53]
    data = bytes([len(owner)]) + ansi.ljust(53, b" ")
    data += len(owner).to_bytes(2, "little") + owner.encode("utf-16-le")
    return data.ljust(165, b" ")[:165]


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------
def _mtime(day: date, seq: int) -> float:
    """A deterministic modification time: the form's day at 09:00 UTC plus ``seq`` seconds."""
    return float(calendar.timegm((day.year, day.month, day.day, 9, 0, 0)) + seq)


def _file_name(rng: random.Random, form: dict[str, Any]) -> str:
    section, name = form["section"], form.get("name", "")
    if form["kind"] == vocab.UNIT:
        return rng.choice(
            (
                f"{section}_单位廉政风险自查表.xlsx",
                f"单位廉政风险自查表（{section}）.xlsx",
                f"{section}单位自查表.xlsx",
            )
        )
    return rng.choice(
        (
            f"{name}_廉政风险自查表.xlsx",
            f"{section}_{name}_个人廉政风险自查表.xlsx",
            f"个人廉政风险自查表-{name}.xlsx",
            f"{name}.xlsx",
        )
    )


def write_demo(
    out: Path,
    people: int,
    seed: int,
    error_rate: float,
    sections: int | None = None,
    year: int = DEFAULT_YEAR,
    real_offices: bool = False,
) -> dict[str, Any]:
    """Write ``out/config/roster.xlsx``, ``out/inbox/…`` and ``out/manifest.json``; return the
    manifest, the ground truth a run is checked against:

    - ``files``: one entry per file under inbox: ``file`` (relative, '/'), ``kind``
      ('individual' | 'unit' | None for a stray file), ``section``, ``name``, ``date``, ``late``,
      ``rows`` (data rows the reader should find; 0 when unreadable), ``clean_rows`` (rows
      that should be accepted), ``level_differs`` (clean rows whose 自评等级 differs from the
      level grade.py gives them; the run notes once per merged point), ``anomaly``
      (the injected kind or None), ``pledge`` ('ok' | 'empty' | 'missing'), and
      ``superseded`` / ``superseded_by`` for the resubmission.
    - ``errors``: every issue the run must report: ``file``, ``sheet``, ``cell`` (A1, '' for
      the whole file), ``code`` (vocab.MESSAGES), ``action`` (退回 | 提示), ``excel_row``
      (int or None), plus ``field``/``value``/``range``/``detail`` where they apply. Each
      form has at most one. Silent variants (synonym headers, moved header block, combined
      防控措施, formula-like text, folded values) are only in ``files[].anomaly``.
    - ``not_submitted``, ``no_unit_form``, ``summary`` (counts; ``rows_total`` counts
      non-superseded files, as the run's summary.json does).
    """
    out = Path(out)
    rng = random.Random(seed)
    body = build_body(rng, people, sections)
    persons, sec_rows = body["people"], body["sections"]
    config_dir = out / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    templates.write_roster(
        config_dir / vocab.ROSTER_FILE,
        [{k: p[k] for k in ("section", "name", "post", "post_type", "is_head")} for p in persons],
        [{k: s[k] for k in ("section", "head", "vice_chair")} for s in sec_rows],
        body["unit"],
    )
    roster_names = _NearNames({p["name"] for p in persons})
    section_names = {s["section"] for s in sec_rows}
    kind_of = {s["section"]: s["kind"] for s in sec_rows}
    # section -> its roster posts, in roster order (what a unit form's 涉及岗位 names)
    posts_of: dict[str, list[str]] = {}
    for p in persons:
        posts = posts_of.setdefault(p["section"], [])
        if p["post"] not in posts:
            posts.append(p["post"])

    # who submits
    n_missing = round(0.03 * people) if people >= 10 else 0
    # the chair (index 0) always submits
    missing = set(rng.sample(range(1, len(persons)), k=n_missing)) if n_missing else set()
    business = [s for s in sec_rows if s["section"] != LEADERSHIP]
    no_unit = rng.choice(business)["section"] if len(business) >= 5 else None

    submitting = [i for i in range(len(persons)) if i not in missing]
    n_late = max(1, round(0.04 * len(submitting))) if people >= 10 else 0
    late_people = set(rng.sample(submitting, k=min(n_late, len(submitting))))
    late_units = set(rng.sample(range(len(sec_rows)), k=round(0.06 * len(sec_rows))))
    forms: list[dict[str, Any]] = []
    for idx, p in enumerate(persons):
        if idx in missing:
            continue
        late = idx in late_people
        d = _form_date(rng, year, late, unit=False)
        rows = _risk_rows(
            rng,
            vocab.INDIVIDUAL,
            kind_of[p["section"]],
            rng.choice((6, 7, 8, 8, 9, 10)),
            [p["post"]],
        )
        n_items = rng.randint(3, 6)
        forms.append(
            {
                "kind": vocab.INDIVIDUAL,
                "section": p["section"],
                "name": p["name"],
                "header": {
                    "section": p["section"],
                    "name": p["name"],
                    "post": p["post"],
                    "date": d,
                },
                "rows": rows,
                "pledge": "ok",
                "pledge_items": rng.sample(PLEDGE_BANK[:-1], k=n_items - 1) + [PLEDGE_BANK[-1]],
                "pledger": p["name"],
                "pledge_date": d.isoformat(),
                "date": d,
                "late": late,
            }
        )
    for j, s in enumerate(sec_rows):
        if s["section"] == no_unit:
            continue
        late = j in late_units
        d = _form_date(rng, year, late, unit=True)
        rows = _risk_rows(
            rng,
            vocab.UNIT,
            s["kind"],
            rng.choice((8, 9, 10, 10, 11, 12)),
            posts_of.get(s["section"], []),
        )
        forms.append(
            {
                "kind": vocab.UNIT,
                "section": s["section"],
                "name": "",
                "header": {"section": s["section"], "head": s["head"], "date": d},
                "rows": rows,
                "date": d,
                "late": late,
            }
        )
    # 自评等级 as the body's staff give it, graded by the body's own roster and settings (a
    # stream of its own, so the rest of the body does not depend on how many are mistaken)
    _self_assess(
        random.Random(f"{seed}:self_level"),
        forms,
        config.load_roster(config_dir),
        config.load_settings(config_dir),
    )
    for form in forms:
        form["how"] = "form"
        form["layout"] = None
        form["sheet"] = vocab.MAIN_SHEET[form["kind"]]
        for r in form["rows"]:
            r["_clean"] = True

    # file names and folders (most flat, a few in mail-client folders)
    used: set[str] = set()

    def unique(path: str) -> str:
        stem, _dot, ext = path.rpartition(".")
        candidate, k = path, 2
        while candidate.lower() in used:
            candidate = f"{stem}({k}).{ext}"
            k += 1
        used.add(candidate.lower())
        return candidate

    for form in forms:
        name = _file_name(rng, form)
        if rng.random() < 0.06:
            who = form["name"] or form["section"]
            folder = f"{form['date'].isoformat()} 来自{who}"
            name = f"{folder}/" + (f"附件{rng.randint(1, 3)}.xlsx" if rng.random() < 0.5 else name)
        form["path"] = unique(name)

    # the resubmission (chosen before anomalies so it stays clean)
    individual = [i for i, f in enumerate(forms) if f["kind"] == vocab.INDIVIDUAL]
    resubmit = rng.choice(individual) if people >= 10 and individual else None

    # anomalies at ``error_rate``: an exact count, kinds dealt round-robin from a shuffled deck
    pool = [i for i in range(len(forms)) if i != resubmit]
    n_forms = len(forms)
    n_bad = min(len(pool), round(error_rate * n_forms))
    chosen = sorted(rng.sample(pool, k=n_bad))
    kinds = [k for k in ANOMALY_WEIGHTS if k != "encrypted" or _can_encrypt()]
    deck = [k for k in kinds for _ in range(ANOMALY_WEIGHTS[k])]
    rng.shuffle(deck)
    # the first cards are the distinct kinds in shuffled order, so a small inbox shows variety
    distinct = list(dict.fromkeys(deck))
    order = distinct + deck
    errors: list[dict[str, Any]] = []
    for j, i in enumerate(chosen):
        errors += _inject(rng, forms[i], order[j % len(order)], roster_names, section_names)

    # pledges: a few missing or empty among the clean individual forms
    clean_ind = [i for i in individual if i != resubmit and not forms[i].get("anomaly")]
    n_pledge = max(1, round(0.03 * len(clean_ind))) if people >= 10 and len(clean_ind) > 4 else 0
    odd = rng.sample(clean_ind, k=min(len(clean_ind), 2 * n_pledge))
    for j, i in enumerate(odd):
        form = forms[i]
        if j % 2 == 0:
            form["pledge"] = "empty"
            form["pledge_items"] = []
            form["pledger"] = None
            form["pledge_date"] = None
        else:
            form["pledge"] = "missing"
            form["layout"] = _standard_layout(vocab.INDIVIDUAL, len(form["rows"]))
            form["pledge_items"], form["pledger"], form["pledge_date"] = [], None, None

    tasks: list[dict[str, Any]] = list(forms)
    superseded_files: list[dict[str, Any]] = []
    if resubmit is not None:
        newer = forms[resubmit]
        older = {
            **newer,
            "header": dict(newer["header"]),
            "rows": [dict(r) for r in newer["rows"][: max(1, len(newer["rows"]) - 2)]],
        }
        older_date = newer["date"] - timedelta(days=rng.randint(3, 8))
        newer_date = max(newer["date"], older_date + timedelta(days=3))
        older["header"]["date"] = older_date
        older["date"] = older_date
        older["pledge_date"] = older_date.isoformat()
        older["path"] = newer["path"]
        folder = f"{newer_date.isoformat()} 来自{newer['name']}"
        newer["path"] = unique(f"{folder}/{newer['name']}_廉政风险自查表(修改版).xlsx")
        newer["header"]["date"] = newer_date
        newer["date"] = newer_date
        newer["pledge_date"] = newer_date.isoformat()
        newer["supersedes"] = [older["path"]]
        older["superseded_by"] = newer["path"]
        tasks.append(older)
        superseded_files.append(older)
        errors.append(_entry(older, "superseded"))

    extras: list[dict[str, Any]] = []
    if people >= 10 and error_rate > 0:
        target = rng.choice([f for f in forms if f["path"].endswith(".xlsx")])
        parent, _, fname = target["path"].rpartition("/")
        lock_path = unique((parent + "/" if parent else "") + "~$" + fname)
        extras.append(
            {
                "how": "bytes",
                "path": lock_path,
                "data": _lock_bytes(target["name"] or target["section"]),
                "date": target["date"],
                "code": "lock_file",
            }
        )
        extras.append(
            {
                "how": "bytes",
                "path": unique(STRAY_ATTACHMENT),
                "data": _not_excel_bytes(".pdf", {"header": {"name": BODY_NAME}}),
                "date": date(year, 3, 1),
                "code": "not_excel",
            }
        )
    for extra in extras:
        errors.append(
            {
                "file": extra["path"],
                "sheet": "",
                "cell": "",
                "code": extra["code"],
                "action": vocab.MESSAGES[extra["code"]].action,
                "excel_row": None,
            }
        )
    tasks += extras

    for seq, task in enumerate(tasks):
        task["mtime"] = _mtime(task["date"], seq)

    # write the inbox in parallel chunks
    inbox = out / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    payload = [_task_payload(t) for t in tasks]
    _write_all(inbox, payload)

    manifest = _manifest(
        out,
        people,
        seed,
        error_rate,
        year,
        body,
        forms,
        superseded_files,
        extras,
        errors,
        missing,
        no_unit,
    )
    if real_offices:  # a section's zip, a mail, a pledge sent alone, a section table
        from pipeline.demo_real import add_real_office_files

        add_real_office_files(out, seed, year, body, forms, missing, no_unit, manifest)
    (out / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def _task_payload(task: dict[str, Any]) -> dict[str, Any]:
    """What a worker needs to write one file (picklable, no manifest bookkeeping)."""
    keep = (
        "how",
        "path",
        "data",
        "kind",
        "header",
        "rows",
        "layout",
        "pledge",
        "pledge_items",
        "pledger",
        "pledge_date",
        "post",
        "seed",
        "mtime",
    )
    return {k: task[k] for k in keep if k in task}


def _write_all(inbox: Path, tasks: list[dict[str, Any]]) -> None:
    workers = min(os.cpu_count() or 1, 8)
    if len(tasks) < PARALLEL_MIN_FILES or workers < 2:
        _write_chunk(str(inbox), tasks)
        return
    size = max(50, len(tasks) // (workers * 8))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(_write_chunk, [str(inbox)] * len(chunks), chunks):
            pass


STAGING_PREFIX = ".tmp-demo-"


def write_demo_staged(out: Path, **options: Any) -> dict[str, Any]:
    """``write_demo`` into a staging folder inside ``out``, then moved in place: a run stopped
    (Ctrl-C) or failing halfway leaves no half inbox, which the rerun would refuse as another
    body's files."""
    import shutil

    out = Path(out)
    for leftover in out.glob(STAGING_PREFIX + "*"):  # a run killed before it could clean up
        shutil.rmtree(leftover, ignore_errors=True)
    staging = out / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        manifest = write_demo(staging, **options)
        inbox = out / "inbox"
        if inbox.is_dir():
            inbox.rmdir()  # empty: the command refuses an inbox holding files
        os.replace(staging / "inbox", inbox)
        (out / "config").mkdir(exist_ok=True)
        for made in sorted((staging / "config").iterdir()):
            os.replace(made, out / "config" / made.name)
        os.replace(staging / MANIFEST_FILE, out / MANIFEST_FILE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _manifest(
    out: Path,
    people: int,
    seed: int,
    error_rate: float,
    year: int,
    body: dict[str, Any],
    forms: list[dict[str, Any]],
    superseded: list[dict[str, Any]],
    extras: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    missing: set[int],
    no_unit: str | None,
) -> dict[str, Any]:
    files = []
    for form in [*forms, *superseded]:
        readable = not form.get("unreadable")
        rows = len(form["rows"]) if readable else 0
        clean = 0
        differs = 0
        if readable and not form.get("reject_all"):
            good = [r for r in form["rows"] if r["_clean"]]
            clean = len(good)
            differs = sum(1 for r in good if _fold_level(r["self_level"]) != r["_level"])
        entry = {
            "file": form["path"],
            "kind": form["kind"],
            "section": form["header"].get("section", ""),
            "name": form["header"].get("name", "") if form["kind"] == vocab.INDIVIDUAL else "",
            "date": form["date"].isoformat(),
            "late": form["late"],
            "rows": rows,
            "clean_rows": clean,
            "level_differs": differs,
            "anomaly": form.get("anomaly"),
        }
        if form["kind"] == vocab.INDIVIDUAL:
            entry["pledge"] = form.get("pledge", "ok") if readable else None
            entry["pledge_items"] = len(form.get("pledge_items") or []) if readable else 0
        if form.get("supersedes"):
            entry["superseded"] = form["supersedes"]
        if form.get("superseded_by"):
            entry["superseded_by"] = form["superseded_by"]
        if form.get("variant_cells"):
            entry["variant_cells"] = form["variant_cells"]
        files.append(entry)
    for extra in extras:
        files.append(
            {
                "file": extra["path"],
                "kind": None,
                "section": "",
                "name": "",
                "date": extra["date"].isoformat(),
                "late": False,
                "rows": 0,
                "clean_rows": 0,
                "level_differs": 0,
                "anomaly": extra["code"],
            }
        )
    files.sort(key=lambda f: f["file"])
    errors = sorted(errors, key=lambda e: (e["file"], e["excel_row"] or 0, e["cell"], e["code"]))
    persons = body["people"]
    live = [f for f in files if "superseded_by" not in f]
    by_code: dict[str, int] = {}
    for e in errors:
        by_code[e["code"]] = by_code.get(e["code"], 0) + 1
    summary = {
        "files_total": len(files),
        "individual_forms": sum(1 for f in forms if f["kind"] == vocab.INDIVIDUAL),
        "unit_forms": sum(1 for f in forms if f["kind"] == vocab.UNIT),
        "forms_with_anomaly": sum(1 for f in forms if f.get("anomaly")),
        "superseded": len(superseded),
        "extras": len(extras),
        "rows_total": sum(f["rows"] for f in live),
        "rows_clean": sum(f["clean_rows"] for f in live),
        "rows_rejected": sum(f["rows"] - f["clean_rows"] for f in live),
        "errors_by_code": dict(sorted(by_code.items())),
        "rejections": sum(1 for e in errors if e["action"] == vocab.ACTION_REJECT),
        "notes": sum(1 for e in errors if e["action"] == vocab.ACTION_NOTE),
        "not_submitted": len(missing),
        "late": sum(1 for f in live if f.get("late") and f["kind"]),
    }
    return {
        "generator": {"people": people, "seed": seed, "error_rate": error_rate, "year": year},
        "body": {
            "name": BODY_NAME,
            "year": year,
            "chair": body["unit"]["chair"],
            "oversight": OVERSIGHT,
            "sections": [s["section"] for s in body["sections"]],
        },
        "files": files,
        "errors": errors,
        "not_submitted": [
            {"section": persons[i]["section"], "name": persons[i]["name"]} for i in sorted(missing)
        ],
        "no_unit_form": [no_unit] if no_unit else [],
        "summary": summary,
    }


def _fold_level(value: Any) -> str | None:
    return vocab.ENUM_LOOKUP["self_level"].get(vocab.fold(value))
