"""The report schema's vocabulary, once: tables, rows, columns and measures with their Chinese
labels per template, the flag codes with their groups and meaning, and the typed records that
cross module boundaries. Everything else (parser, validation, store, CLI, demo builders, test
fixtures) imports its keys and labels from here. The contract is ../shared/spec/report-schema.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple, NotRequired, TypedDict

# ---------------------------------------------------------------- tables

TABLES = ("active", "applications", "appeals")
# the tables' headings as the template prints them (the report page, crawler.printed; OCR snaps to them)
TABLE_LABELS = {"active": "二、主动公开政府信息情况", "applications": "三、收到和处理政府信息公开申请情况",
                "appeals": "四、政府信息公开行政复议、行政诉讼情况"}
TABLE_NAMES = {"active": "table 二 (主动公开)", "applications": "table 三 (依申请公开)", "appeals": "table 四 (复议诉讼)"}

# The largest figure the schema holds: beyond 2^53 a number is no longer exact as a float (the
# cells table's REAL, JSON readers) and SQLite's INTEGER ends at 2^63. No report prints one;
# a longer figure is noise (glued cells, a hostile page) and is stored as null with a flag.
MAX_FIGURE = 2**53 - 1

# ---------------------------------------------------------------- table 二 (active)


class ActiveItem(NamedTuple):
    key: str
    label: str                 # as printed in the row's label cell
    article: str               # the 第二十条 section the item belongs to
    measures: tuple[str, ...]  # its columns


_MADE = ("made", "published", "total_public")
_PROJECTS = ("previous", "change", "decisions")
_ISSUED = ("issued", "repealed", "in_force")
# Items per template, in printed order.
ACTIVE_ITEMS_BY_TEMPLATE: dict[str, tuple[ActiveItem, ...]] = {
    "2019": (
        ActiveItem("rules", "规章", "第二十条第(一)项", _MADE),
        ActiveItem("normative_documents", "规范性文件", "第二十条第(一)项", _MADE),
        ActiveItem("licensing", "行政许可", "第二十条第(五)项", _PROJECTS),
        ActiveItem("other_services", "其他对外管理服务事项", "第二十条第(五)项", _PROJECTS),
        ActiveItem("penalty", "行政处罚", "第二十条第(六)项", _PROJECTS),
        ActiveItem("coercion", "行政强制", "第二十条第(六)项", _PROJECTS),
        ActiveItem("fees", "行政事业性收费", "第二十条第(八)项", ("previous", "change")),
        ActiveItem("procurement", "政府集中采购", "第二十条第(九)项", ("items", "amount_wan")),
    ),
    "2021": (
        ActiveItem("rules", "规章", "第二十条第(一)项", _ISSUED),
        ActiveItem("normative_documents", "行政规范性文件", "第二十条第(一)项", _ISSUED),
        ActiveItem("licensing", "行政许可", "第二十条第(五)项", ("decisions",)),
        ActiveItem("penalty", "行政处罚", "第二十条第(六)项", ("decisions",)),
        ActiveItem("coercion", "行政强制", "第二十条第(六)项", ("decisions",)),
        ActiveItem("fees", "行政事业性收费", "第二十条第(八)项", ("amount_wan",)),
    ),
}
# The measures (columns) of each item, per template.
ACTIVE_ITEMS = {template: {item.key: list(item.measures) for item in items}
                for template, items in ACTIVE_ITEMS_BY_TEMPLATE.items()}
# The 2019 template has every item; 2021 prints 规范性文件 as 行政规范性文件.
ACTIVE_LABELS = {item.key: item.label for item in ACTIVE_ITEMS_BY_TEMPLATE["2019"]}
# Header cell of each measure, as each template prints it.
MEASURE_LABELS = {
    "2019": {"made": "本年新制作数量", "published": "本年新公开数量", "total_public": "对外公开总数量",
             "previous": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
             "items": "采购项目数量", "amount_wan": "采购总金额(单位:万元)"},
    "2021": {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
             "decisions": "本年处理决定数量", "amount_wan": "本年收费金额(单位:万元)"},
}
# Measures the template states in 万元 (stored as floats).
MONEY_MEASURES = frozenset({"amount_wan"})
# The largest figure a table 二 document count can plausibly be (a province's in-force normative
# documents run to hundreds, about a thousand at most): a split of glued digits that needs more
# is not taken (crawler/infer.py). Counts of decisions and money have no such bound.
ACTIVE_PLAUSIBLE_MAX = {"issued": 2000, "repealed": 2000, "in_force": 2000, "made": 2000, "published": 2000,
                        "total_public": 5000}
MEASURES_2019_ONLY = frozenset({"made", "published", "total_public", "previous", "change", "items"})
MEASURES_2021_ONLY = frozenset({"issued", "repealed", "in_force"})

# ---------------------------------------------------------------- table 三 (applications)

APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
APPLICANT_LABELS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "nonprofit": "社会公益组织",
                    "legal_services": "法律服务机构", "other_org": "其他", "total": "总计"}
APPLICANT_SHORT_LABELS = {**APPLICANT_LABELS, "nonprofit": "公益组织", "legal_services": "法律服务"}
# The six columns whose sum is `total`.
APPLICANT_PARTS = APPLICANT_COLUMNS[:-1]

# The groups of outcome rows (三、本年度办理结果), with their printed labels.
GROUP_LABELS = {"denied": "(三)不予公开", "unavailable": "(四)无法提供", "rejected": "(五)不予处理", "other": "(六)其他处理"}


class ApplicationRow(NamedTuple):
    key: str
    label: str               # as the template prints it
    short: str               # for terminals and charts
    group: str | None        # key of GROUP_LABELS
    number: int | None       # the item's number within its group
    template: str | None     # "2019" / "2021" when only that template has the row


APPLICATION_ROW_SPECS = (
    ApplicationRow("new_received", "一、本年新收政府信息公开申请数量", "一、本年新收", None, None, None),
    ApplicationRow("carried_over", "二、上年结转政府信息公开申请数量", "二、上年结转", None, None, None),
    ApplicationRow("granted", "(一)予以公开", "(一)予以公开", None, None, None),
    ApplicationRow("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(二)部分公开", None, None, None),
    ApplicationRow("denied_state_secret", "1.属于国家秘密", "(三)1.国家秘密", "denied", 1, None),
    ApplicationRow("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", "(三)2.法律法规禁止", "denied", 2, None),
    ApplicationRow("denied_three_safeties", "3.危及“三安全一稳定”", "(三)3.三安全一稳定", "denied", 3, None),
    ApplicationRow("denied_third_party", "4.保护第三方合法权益", "(三)4.第三方权益", "denied", 4, None),
    ApplicationRow("denied_internal_affairs", "5.属于三类内部事务信息", "(三)5.内部事务", "denied", 5, None),
    ApplicationRow("denied_process_info", "6.属于四类过程性信息", "(三)6.过程性信息", "denied", 6, None),
    ApplicationRow("denied_enforcement_files", "7.属于行政执法案卷", "(三)7.执法案卷", "denied", 7, None),
    ApplicationRow("denied_query_matters", "8.属于行政查询事项", "(三)8.查询事项", "denied", 8, None),
    ApplicationRow("unavailable_not_held", "1.本机关不掌握相关政府信息", "(四)1.不掌握", "unavailable", 1, None),
    ApplicationRow("unavailable_needs_creation", "2.没有现成信息需要另行制作", "(四)2.需另行制作", "unavailable", 2, None),
    ApplicationRow("unavailable_unclear", "3.补正后申请内容仍不明确", "(四)3.补正后不明确", "unavailable", 3, None),
    ApplicationRow("rejected_complaints", "1.信访举报投诉类申请", "(五)1.信访举报投诉", "rejected", 1, None),
    ApplicationRow("rejected_duplicate", "2.重复申请", "(五)2.重复申请", "rejected", 2, None),
    ApplicationRow("rejected_publications", "3.要求提供公开出版物", "(五)3.公开出版物", "rejected", 3, None),
    ApplicationRow("rejected_excessive", "4.无正当理由大量反复申请", "(五)4.大量反复", "rejected", 4, None),
    ApplicationRow("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", "(五)5.确认或重新出具", "rejected", 5, None),
    ApplicationRow("other", "(六)其他处理", "(六)其他处理", None, None, None),
    ApplicationRow("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                   "(六)1.逾期不补正", "other", 1, "2021"),
    ApplicationRow("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                   "(六)2.逾期未缴费", "other", 2, "2021"),
    ApplicationRow("other_misc", "3.其他", "(六)3.其他", "other", 3, "2021"),
    ApplicationRow("total_handled", "(七)总计", "(七)总计", None, None, None),
    ApplicationRow("carried_forward", "四、结转下年度继续办理", "四、结转下年度", None, None, None),
)
APPLICATION_ROWS = tuple(row.key for row in APPLICATION_ROW_SPECS)
APPLICATION_ROW_LABELS = {row.key: row.label for row in APPLICATION_ROW_SPECS}
APPLICATION_ROW_SHORT_LABELS = {row.key: row.short for row in APPLICATION_ROW_SPECS}
# 2021's three (六) sub-rows; the schema's "other" is their sum.
OTHER_SUBROWS = tuple(row.key for row in APPLICATION_ROW_SPECS if row.template == "2021")
# The rows whose sum is total_handled ("other" stands for its 2021 sub-rows).
OUTCOME_ROWS = tuple(r for r in APPLICATION_ROWS[2:] if r not in (*OTHER_SUBROWS, "total_handled", "carried_forward"))
# new + carried over = handled + carried forward, in every column.
BALANCE_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")
# Item numbers within their group, as a numbering column prints them.
ROW_NUMBERS = {row.key: row.number for row in APPLICATION_ROW_SPECS if row.number}


def rows_in_group(group: str) -> tuple[str, ...]:
    return tuple(row.key for row in APPLICATION_ROW_SPECS if row.group == group)


def expected_application_rows(template: str | None) -> tuple[str, ...]:
    """The rows a report of this template prints (2019: the single 其他处理 row; 2021: also its sub-rows)."""
    return tuple(r for r in APPLICATION_ROWS if r not in OTHER_SUBROWS or template == "2021")


# ---------------------------------------------------------------- table 四 (appeals)

APPEAL_KINDS = ("review", "suit_direct", "suit_after_review")
APPEAL_KIND_LABELS = {"review": "行政复议", "suit_direct": "未经复议直接起诉", "suit_after_review": "复议后起诉"}
APPEAL_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
APPEAL_OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
APPEAL_OUTCOME_SHORT_LABELS = {"upheld": "维持", "corrected": "纠正", "other": "其他", "pending": "未审结", "total": "总计"}
APPEAL_PARTS = APPEAL_OUTCOMES[:-1]
APPEAL_CELLS = tuple(f"{kind}.{outcome}" for kind in APPEAL_KINDS for outcome in APPEAL_OUTCOMES)

# ---------------------------------------------------------------- flags


class FlagCode(NamedTuple):
    code: str
    group: str
    meaning: str


# group: consistency (the figures disagree among themselves), structure (tables or rows not found),
# source (the copy itself is doubtful), identity (who and when), repair (what was fixed on the way
# in), dataset (checks across reports). The store ranks a report's versions by these groups.
FLAG_CODES = (
    FlagCode("balance_mismatch", "consistency", "per column: new_received + carried_over ≠ total_handled + carried_forward"),
    FlagCode("row_total_mismatch", "consistency", "a row's total ≠ the sum of its six applicant columns"),
    FlagCode("handled_total_mismatch", "consistency", "total_handled ≠ the sum of the outcome rows, in some column"),
    FlagCode("appeal_total_mismatch", "consistency", "an appeal kind's total ≠ upheld + corrected + other + pending"),
    FlagCode("narrative_mismatch", "consistency", "a figure in the prose (e.g. 共收到申请46件) disagrees with the table"),
    FlagCode("missing_table", "structure", "a table could not be found"),
    FlagCode("partial_table", "structure", "a header or rows of a table could not be found"),
    FlagCode("template_mismatch", "identity", "the template does not fit the year"),
    FlagCode("published_late", "identity", "published after 31 January of the following year"),
    FlagCode("spam_injection", "source", "casino / lottery / SEO text injected into the page (removed)"),
    FlagCode("agency_suspect", "source", "the agency name is not a plausible Chinese government body"),
    FlagCode("traditional_script", "repair", "the page was in Traditional Chinese and was converted"),
    FlagCode("text_artifacts", "repair", "inline pinyin glosses or other conversion debris were removed"),
    FlagCode("encoding_repaired", "repair", "the declared encoding was wrong and the text was re-decoded"),
    FlagCode("conflicting_versions", "consistency", "two versions of the same agency-year print different figures"),
    FlagCode("cells_inferred", "repair", "glued cell boundaries were recovered from the template's arithmetic"),
    FlagCode("unit_converted", "repair", "a figure printed in another unit (元 for 万元) was converted"),
    FlagCode("ocr", "repair", "the figures were read by OCR from a scanned page or an image of a table"),
    FlagCode("agency_respelled", "identity",
             "a version printed the agency's place name misspelled by one character and was merged with the correct spelling"),
    FlagCode("hierarchy_mismatch", "dataset", "a government's figures differ from the sum of its bodies' reports"),
    FlagCode("yoy_outlier", "dataset", "a figure changed from the agency's previous year beyond the threshold"),
)
FLAGS = {f.code: f for f in FLAG_CODES}


def flags_in_group(group: str) -> frozenset[str]:
    return frozenset(f.code for f in FLAG_CODES if f.group == group)


CONSISTENCY_FLAGS = flags_in_group("consistency")
STRUCTURE_FLAGS = flags_in_group("structure")
SOURCE_FLAGS = flags_in_group("source")


class Flag(TypedDict):
    code: str
    detail: str


def flag(code: str, detail: str) -> Flag:
    """A flag of a known code (a typo in a code is a bug, not a new flag)."""
    if code not in FLAGS:
        raise KeyError(f"unknown flag code {code!r}: add it to crawler.schema.FLAG_CODES and the spec")
    return {"code": code, "detail": detail}


# ---------------------------------------------------------------- records


class Source(TypedDict):
    url: str | None
    format: str | None        # html | text | pdf | docx | doc | xlsx | xls | image
    encoding: str | None
    ocr: NotRequired[dict]    # {"read": pages or pictures read by OCR, "seconds": their cost}


class Report(TypedDict):
    """A parsed report: the spec's keys, then the additive ones (README)."""
    agency: str | None
    agency_raw: str | None
    year: int | None
    template: str | None
    published: str | None
    active: dict[str, dict[str, float | int | None]]
    applications: dict[str, dict[str, int | None]]
    appeals: dict[str, dict[str, int | None]]
    flags: list[Flag]
    title: str | None
    publisher: str | None
    index_no: str | None
    agency_key: str | None
    source: Source
    parser_version: str


ParseStatus = Literal["report", "not_a_report", "unreadable", "error", "limit_exceeded"]
LIMIT_EXCEEDED = "limit_exceeded"       # a parse stopped by one of crawler/limits.py's limits


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one fetched item gave: a report, or the reason there is none."""
    status: ParseStatus
    report: Report | None = None
    reason: str | None = None

    @property
    def is_report(self) -> bool:
        return self.status == "report"
