"""Who published the report, for which year, when, and is it an annual report at all."""
from __future__ import annotations

import re
from datetime import date

from .spam import find_spam

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "O": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"[二][〇○零OＯ一二三四五六七八九]{3}(?=年)")
REPORT_NAME = r"(?:(?:政府|政务)?信息公开|政务公开)(?:工作)?的?(?:年度)?(?:报告|年报)"
# agency + year + report name, or year + agency + report name
_TITLE_AFTER = re.compile(rf"^(?P<agency>[^\n]{{0,60}}?)\s*(?:关于)?\s*(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?P<mid>[^\n]{{0,40}}?){REPORT_NAME}")
# "标题: …" in the header block archives and other crawlers write above the report's text
_ARCHIVE_LABEL = re.compile(r"^(?:标题|题名|文章标题|文件名称|名称|title)\s*[:：]\s*", re.I)
_TITLE_LINE = re.compile(rf"(?:19|20)\d{{2}}\s*年度?[^\n]{{0,60}}?{REPORT_NAME}")

# Pages about a report rather than the report: notices, 解读, 图解, news.
_NOT_A_TITLE = re.compile(r"关于.{0,40}(通知|公告|通报)|解读|图解|问答|的通知$|会议|情况说明|发布会")
_GOV_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|办公厅|办事处|委员会|管委会|管理委员会|委|局|厅|部|署|院|办|街道|镇|乡|中心|处|所|站|队|"
    r"分局|支队|大队|总队|监狱|海关|党校|林场|农场|法院|检察院|公司|集团|银行|学校|大学|学院|医院|馆|会|社|园区|开发区|新区|区|县|市|省|州|盟|旗|"
    r"台|室|兵团|师|团|支行|分行|中学|小学|段)$"      # 广播电视台, 气象台, 党史研究室; 生产建设兵团 and its 师 and 团;
    # 人民银行 branches, schools, 公路管理段
)
_NOT_AGENCY = re.compile(r"关于|印发|通知|[0-9]{4}|年度|报告|信息公开|[a-zA-Z]{3,}|[,，。;；:：!！?？]|"
                         r"^本(?:站|网|网站|单位|机关|局|委|办|部门)$|^我[局委办镇乡县区市厅院]|^该[局委办镇乡]|"
                         r"^全[县区市省]|^各[乡镇街部县区]")     # "来源：本站", "我局", "全县各乡镇": no name
# 县政府办 / 县政府办公室 / 县人民政府办公室 are one body; so are 市政府 and 市人民政府.
_SHORT_GOVERNMENT = re.compile(r"(?<!人民)(省|市|县|区|州|盟|旗|镇|乡)政府(办公室|办公厅|办)?$")
_OFFICE = {"办": "办公室", "办公室": "办公室", "办公厅": "办公厅", None: ""}

_META_FIELDS = {
    "index_no": r"索引号",
    "publisher": r"发布机构|发文机关|发布单位|信息来源|来源",
    # a bare 时间 last, and never the crawl's or the page's own time (采集时间, 页面生成时间, 更新时间)
    "published": r"发布日期|发文日期|发布时间|成文日期|公开日期|生成日期|发表时间|(?<![\u4e00-\u9fff])时间|(?<![\u4e00-\u9fff])日期",
}
_DATE = r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
# an article's info line that starts with its date: "2022-01-20 10:12 来源：本站 浏览：12"
_INFO_LINE_DATE = re.compile(rf"^\s*{_DATE}日?(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s+(?:来源|作者|浏览|点击|阅读|字号|【)", re.M)


# Fields that follow 来源 on an article's info line: "来源：文化路街道 浏览次数：165"
_NEXT_INFO_FIELD = re.compile(r"浏览|点击|阅读|访问|字号|作者|责任编辑|编辑|发布时间|发布日期|更新时间|打印|分享|收藏|【|\[")


def normalise_years(text: str) -> str:
    """二〇二〇年 → 2020年."""
    return _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group(0)), text)


def find_title(text: str) -> tuple[str | None, str | None, int | None]:
    """(title line, agency as printed, year) from the first lines naming an annual report."""
    head = "\n".join(text.split("\n")[:40])
    lines = head.split("\n")
    for i, line in enumerate(lines):
        line = _ARCHIVE_LABEL.sub("", line.strip(" |#*"))
        below = lines[i + 1].strip(" |#*") if i + 1 < len(lines) else ""
        if not _TITLE_LINE.search(line) and len(below) <= 12 and _TITLE_LINE.search(line + below):
            line += below       # a title broken over two lines: "2024 年上海市科委政府信息公开工作" / "年度报告"
        if len(line) > 120 or not _TITLE_LINE.search(line) or _NOT_A_TITLE.search(line):
            continue
        m = _TITLE_AFTER.search(line)
        if not m:
            continue
        agency = (m.group("agency") + m.group("mid")).strip(" ,，:：|《》“”\"")
        agency = re.sub(r"^关于", "", agency)
        # "瀛洲街道办事处\n2020年政府信息公开工作年度报告": the agency is the line above
        above = lines[i - 1].strip(" |#*") if i > 0 else ""
        if not agency and is_plausible_agency(above):
            agency, line = above, f"{above}{line}"
        return line, agency or None, int(m.group("year"))
    return None, None, None


_BODY_AGENCY = re.compile(
    r"(?:^|\n)\s*(?:(?:19|20)\d{2}年(?:度)?[,，]?\s*)?((?![全各我本该])[\u4e00-\u9fff]{2,30}?"
    r"(?:人民政府办公室|人民政府办公厅|人民政府|街道办事处|办事处|街道|委员会|管理委员会|办公室|局|厅|中心|镇|乡))"
    r"(?:认真|深入|坚持|严格|紧紧|始终|全面|以|在|按照|根据|高度)")


def _overview(text: str) -> str:
    """The start of 一、总体情况, where the report says what year and which body it is about."""
    return text[text.find("总体情况"):][:600] if "总体情况" in text else text[:600]


def agency_in_body(text: str) -> str | None:
    """'2020年，青阳县教育局认真贯彻…' → 青阳县教育局: the subject of the report's first sentences."""
    m = _BODY_AGENCY.search(_overview(text))
    return m.group(1) if m else None


def year_in_body(text: str) -> int | None:
    """'一、总体情况\n2020年，…' → 2020: the year the overview opens with."""
    m = re.search(r"总体情况[^\n]*\n\s*(?:[(（]?[一1][)）、.]?[^\n]{0,20}\n\s*)?((?:19|20)\d{2})\s*年度?[,，]", text[:20000])
    return int(m.group(1)) if m else None


def is_plausible_agency(name: str | None) -> bool:
    if not name or not (2 <= len(name) <= 40):
        return False
    if find_spam(name) or _NOT_AGENCY.search(name):
        return False
    if not re.fullmatch(r"[\u4e00-\u9fff()（）·]+", name):
        return False
    return bool(_GOV_SUFFIX.search(name))


def is_name_like(name: str | None) -> bool:
    """A body's name in form (Chinese, no spam, no title words) whose kind is not one the
    suffix list knows: kept as printed rather than replaced by the site's agency."""
    return bool(name) and 2 <= len(name) <= 40 and not find_spam(name) and not _NOT_AGENCY.search(name) \
        and bool(re.fullmatch(r"[\u4e00-\u9fff()（）·]+", name))


def canonical_agency(name: str | None) -> str | None:
    """One key for the agency however it is written: no spaces, known short forms expanded."""
    if not name:
        return None
    key = re.sub(r"[\s·]+", "", name)
    key = _SHORT_GOVERNMENT.sub(lambda m: f"{m.group(1)}人民政府{_OFFICE[m.group(2)]}", key)
    return re.sub(r"人民政府办$", "人民政府办公室", key)


def page_metadata(text: str) -> dict:
    """索引号 / 发布机构 / 发布日期 from the labelled block most CMS pages print above the report."""
    head = text[:3000]
    meta: dict = {}
    for field, labels in _META_FIELDS.items():
        for label in labels.split("|"):     # in order of preference: 发布日期 before 成文日期
            if label.isalnum() and label not in head:     # a plain label that is not there: no search
                continue
            if field == "published":
                m = re.search(rf"{label}\s*[:：|]\s*[|]?\s*{_DATE}", head)
                value = _iso_date(*m.groups()) if m else None
            else:
                m = re.search(rf"(?:^|[|\s]){label}\s*[:：|]\s*[|]?\s*([^\s|:：]{{2,40}})", head, re.M)
                value = m.group(1) if m and not re.fullmatch(r"(分类|发文日期|发布日期|主题分类|文号)", m.group(1)) else None
                if value:       # the next field of the info line, glued on when the page's spans lose their spaces
                    value = _NEXT_INFO_FIELD.split(value, 1)[0] or None
            if value:
                meta[field] = value
                break
    if "published" not in meta and (m := _INFO_LINE_DATE.search(head)):
        meta["published"] = _iso_date(*m.groups())
    return meta


def _iso_date(y, m, d) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None) -> str | None:
    if not text:
        return None
    m = re.search(_DATE, text)
    return _iso_date(*m.groups()) if m else None


# A date alone on its line, bare or in brackets: "（2026年1月23日）" under the title, "2024年1月17日" in the signature.
_DATE_LINE = re.compile(rf"^\s*[(（]?\s*{_DATE}\s*日?\s*[)）]?\s*$")


def document_date(text: str, year: int | None) -> str | None:
    """The date the report itself prints when the page gives none: a bracketed date line under
    the title, else the signature's date (落款) at the end. Only a date after the year reported
    on counts, so a statistics period or a crawl time elsewhere on the page is never taken."""
    if not year:
        return None
    lines = [line for line in text.split("\n") if line.strip()]
    for candidates in (lines[:8], reversed(lines[-8:])):
        for line in candidates:
            m = _DATE_LINE.match(line)
            found = _iso_date(*m.groups()) if m else None
            if found and f"{year + 1}-01-01" <= found <= f"{year + 3}-12-31":
                return found
    return None


def signature_agency(text: str) -> str | None:
    """The body that signs the report (落款): a plausible agency on the line above its closing date."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][-8:]
    for above, line in zip(lines, lines[1:]):
        if _DATE_LINE.match(line) and is_plausible_agency(above):
            return above
    return None


def expected_template(year: int | None) -> str | None:
    if year is None or year < 2019:
        return None
    return "2019" if year <= 2020 else "2021"
