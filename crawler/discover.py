"""Focused-crawl decisions as pure functions: which links lead to annual reports, which
pages are reports, and where a list's next pages are. The spider only applies them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .clean import CJK, to_simplified
from .extract import _DROP_TAGS, element_text, meta_tags, parse_html, strong_titles, text_nodes, weak_titles
from .identify import REPORT_NAME, normalise_years

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd")
_SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".svg", ".mp4", ".mp3", ".avi", ".flv", ".zip", ".rar",
                    ".7z", ".ppt", ".pptx", ".exe", ".apk", ".css", ".js", ".ico", ".swf")

# (pattern, score): anchor text / title / URL evidence that a link leads toward annual reports.
_REPORT = re.compile(r"(信息公开|政务公开)?(工作)?年度报告|信息公开年报|公开年报|^年报$|年报专栏|年度报告专栏")
_REPORT_URL = re.compile(r"ndbg|gknb|xxgknb|nianbao|niandubaogao|ndgzbg|gkndbg|zfxxgkndbg|gknr/nb|/nb/|annual", re.I)
_DISCLOSURE = re.compile(r"政府信息公开|信息公开|政务公开|公开目录|法定主动公开|主动公开|信息公开指南|部门信息公开|政府信息")
_DISCLOSURE_URL = re.compile(r"xxgk|zwgk|gkml|zfxxgk|openness|gov_?open|xxgkml|gk/", re.I)
_DEPARTMENTS = re.compile(r"部门|乡镇|街道|县直|区直|市直|委办局|单位|机构")
_SPACES = re.compile(r"\s+")
_PAGINATION = re.compile(r"^(下一页|下页|>|›|»|后一页|尾页|末页|\d{1,3})$")
_NEGATIVE = re.compile(r"新闻|要闻|动态|图片|视频|招聘|招考|旅游|文化|天气|English|邮箱|登录|注册|无障碍|长者|关怀|"
                       r"投诉|信箱|留言|调查|征集|访谈|直播|专题|下载中心|网站地图|联系我们|app|微博|微信")
# Documents in the disclosure catalogue ("关于做好政府信息公开工作的通知") lead nowhere further.
_DOCUMENT_TITLE = re.compile(r"^关于|的(通知|意见|办法|方案|决定|批复|函|公告|报告)$|〔\d{4}〕|\[\d{4}\]")
_NEGATIVE_URL = re.compile(r"news|video|photo|pic|login|register|search|english|/en/|mailbox|weibo|wechat|javascript:|mailto:|tel:", re.I)

# Pages that talk about a report or another kind of 年报 but are not a 政府信息公开工作年度报告.
_LOOKALIKE = re.compile(
    r"解读|图解|问答|新闻发布会|会议|培训|推进会|部署|通知|公告|通报|考核|评估|第三方评估|排名|"
    r"企业年报|企业年度报告|年报公示|统计年报|统计年鉴|财务报告|决算|预算|政府工作报告|年度工作报告|工作总结|工作计划|"
    r"工作要点|述职|社会责任报告|环境状况公报|质量报告|公报|更正|勘误|一图读懂|一图看懂|答记者问|"
    r"我[县区市省镇乡局委办]|发布|印发|公布|编制|完成|召开|举行|开展|顺利"     # news: "我县发布…年度报告"
)
# Look-alikes that never carry the report itself (a notice "关于公布…年度报告的通知" may): their
# links are not followed.
_COMMENTARY = re.compile(r"解读|图解|问答|答记者问|一图读懂|一图看懂|新闻发布会|培训|考核|评估|排名|企业年报|企业年度报告|年报公示|"
                         r"统计年报|统计年鉴|财务报告|决算|预算|政府工作报告|年度工作报告|工作总结|工作计划|工作要点|述职")
_ANNUAL_REPORT_TITLE = re.compile(rf"(?:19|20)\d{{2}}\s*年度?.{{0,40}}?{REPORT_NAME}")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
# An agency's own name (青阳县文化和旅游局, 新闻出版局, 蓉城镇) leads to its section: the negative
# words it may hold (文化, 旅游, 新闻) say nothing about where the link goes.
_AGENCY_SUFFIXES = ("局", "委员会", "委", "办公室", "办", "厅", "署", "镇", "乡", "街道", "街道办事处", "人民政府", "政府",
                    "管委会", "管理委员会", "馆", "院")
_AGENCY_NAME = re.compile(rf"^[{CJK}（）()]{{1,22}}?(?:{'|'.join(sorted(_AGENCY_SUFFIXES, key=len, reverse=True))})"
                          r"(?:政府)?(?:信息公开|政务公开|政府信息公开)?(?:专栏|目录|平台)?$")
# A single document in a disclosure section (t20210315_123.html, art_12_345.html, content_9.html,
# 202103/…, ?id=9): it is opened only when its title names a report.
_DOCUMENT_URL = re.compile(r"/t\d{8}_\d+|/art_\d+|/content_\d+|/\d{6}/|/\d{4}[-/]\d{2}[-/]\d{2}/|/\d{4}/\d{4}/|"
                           r"[?&](?:id|articleid|docid|infoid|contentid)=\d+|/(?:detail|article|view|show)[_/.-]", re.I)
_DOCUMENT_ANCHOR_LENGTH = 16      # column and section names are short; document titles long
_COLUMN_ANCHOR_LENGTH = 10        # 政府信息公开指南, 法定主动公开内容: a column at a document-like URL (?id=) is no longer
# a list entry cut short with no title attribute: "云岭县新闻出版局2024年政府信息公开工..."
_CUT_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?.{0,30}?(?:政府信息公开|政务公开|信息公开).{0,8}?(?:\.{2,}|…+)$")
_OTHER_ANNUAL_REPORT = re.compile(r"法治政府建设|网站(?:工作)?年度报表|统计年报|企业年报|企业年度报告|年报公示|"
                                  r"社会责任报告|财务报告|审计工作报告|政府工作报告")
_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})(?:年度?)?$")
# a column of a CMS whose URLs name no section (大汉 /col/col123/index.html, /channel/12/, catid=5)
_COLUMN_URL = re.compile(r"/col/col\d+|/channel[_/-]?\d+|[?&](?:catid|channelid|columnid|colid)=\d+", re.I)
# bodies named after a region and ending as no ministry does (县融媒体中心, 云岭县广播电视台)
_REGIONAL_BODY = re.compile(rf"^[{CJK}]{{0,8}}(?:省|市|县|区|州|旗|盟)[{CJK}]{{2,16}}(?:中心|台|站|所|队)$")
_DISCLOSURE_RULES = re.compile(r"指南|制度|规定|工作机构")


# What the page a link is on says about its links (page_context): on a report column a bare year
# is the column of that year's reports; in a disclosure section a column URL is one of its columns.
IN_REPORTS, IN_DISCLOSURE = "reports", "disclosure"


def page_context(url: str, title: str) -> str:
    title = to_simplified(_SPACES.sub("", title or ""))
    if _REPORT.search(title) and not _ANNUAL_REPORT_TITLE.search(normalise_years(title)):
        return IN_REPORTS
    if _DISCLOSURE.search(title) or _DISCLOSURE_URL.search(url):
        return IN_DISCLOSURE
    return ""


@lru_cache(maxsize=65536)
def link_score(url: str, anchor: str = "", title: str = "", context: str = "") -> int:
    """How promising a link is for finding annual reports: 0 = don't follow, higher = sooner.
    `context`: page_context of the page it is on. Cheap URL checks come first; the anchor is
    converted to Simplified only when it gets that far."""
    path = urlsplit(url).path.lower()
    if path.endswith(_SKIP_EXTENSIONS) or _NEGATIVE_URL.search(url):
        return 0
    raw = _SPACES.sub("", f"{anchor}{title}")
    text = to_simplified(raw) if raw and not raw.isascii() else raw
    if path.endswith(ATTACHMENT_EXTENSIONS):
        return 90 if (_REPORT.search(text) or _REPORT_URL.search(url)) else 0
    years = normalise_years(text)
    if _ANNUAL_REPORT_TITLE.search(years):
        if not _LOOKALIKE.search(text):
            return 100      # a report itself
        if _COMMENTARY.search(_title_without_report_name(years)):
            return 0        # 解读, 图解 … of a report: the report is listed beside it
    if _CUT_REPORT_TITLE.search(years) and not (_LOOKALIKE.search(text) or text.startswith("关于")):
        return 90           # "…2024年政府信息公开工..." with no title attribute: the page says what it is
    if _OTHER_ANNUAL_REPORT.search(text):
        return 0            # another kind of annual report, even in the disclosure reports' directory
    if _REPORT.search(text) or _REPORT_URL.search(url):
        return 80           # the report column or list
    if context == IN_REPORTS and _YEAR_COLUMN.match(years):
        return 80           # 年报 > 2021年
    if _PAGINATION.match(text):
        return 60           # scored again by the caller from the page it is on
    agency = bool(_AGENCY_NAME.match(text) or _REGIONAL_BODY.match(text))
    if not agency and (_NEGATIVE.search(text) or _DOCUMENT_TITLE.search(text)):
        return 0
    # a document that speaks of disclosure work (…政务公开工作制度 at art_…, …2024年度政务公开工作要点)
    document = ((len(text) > _COLUMN_ANCHOR_LENGTH and _DOCUMENT_URL.search(url))
                or (len(text) > _DOCUMENT_ANCHOR_LENGTH and _YEAR_IN_TITLE.search(years)))
    if _DISCLOSURE.search(text) and not (document and not agency):
        if _DISCLOSURE_RULES.search(text):
            return 30       # the guide and rules of disclosure: a column like any other
        return 40 if agency or _DEPARTMENTS.search(text) else 50
    if agency:
        return 40 if _DISCLOSURE_URL.search(url) else 20
    if _DOCUMENT_URL.search(url) or len(text) > _DOCUMENT_ANCHOR_LENGTH:
        return 0            # an ordinary document, whatever section it is in
    if _DISCLOSURE_URL.search(url) or (context and _COLUMN_URL.search(url)):
        return 30
    if _DEPARTMENTS.search(text):
        return 20
    return 0


def classify_page(title: str, text: str = "") -> str:
    """'report' when the page's title names a 政府信息公开工作年度报告 of a year (or the page holds
    the report's table 三 under a title that names the report at all, such as a 关于公布…的通知),
    'lookalike' for pages about reports or other 年报, 'index' for lists of many reports, else 'other'."""
    title = normalise_years(to_simplified(re.sub(r"\s+", "", title or "")))
    head = normalise_years(to_simplified(re.sub(r"[ \t]+", "", text or "")))
    has_tables = "本年新收" in head and "结转下年度" in head
    named = _ANNUAL_REPORT_TITLE.findall(head[:20000])
    if len(set(named)) >= 3 and not has_tables and not re.search(r"一、\s*总体情况|主动公开政府信息情况", head):
        return "index"
    if _ANNUAL_REPORT_TITLE.search(title):
        if _LOOKALIKE.search(_title_without_report_name(title)) and not has_tables:
            return "lookalike"
        return "report"
    if re.search(r"年报|年度报告", title):
        return "report" if has_tables else "lookalike"
    # Untitled pages (attachments, bare CMS pages) count by their first lines.
    first_lines = "\n".join(head.split("\n")[:6])
    if not title and _ANNUAL_REPORT_TITLE.search(first_lines) and not _LOOKALIKE.search(first_lines):
        return "report"
    return "other"


def _title_without_report_name(title: str) -> str:
    """Look-alike words count outside the report's own name: '…年度报告的解读' is a look-alike,
    '…工作年度报告' is not."""
    return _ANNUAL_REPORT_TITLE.sub("", title, count=1)


def column_year(anchor: str) -> int | None:
    """The year a sub-column of reports is named after: 2021, 2021年, 2021年度."""
    m = _YEAR_COLUMN.match(normalise_years(_SPACES.sub("", anchor or "")))
    return int(m.group(1)) if m else None


def title_year(title: str) -> int | None:
    m = _YEAR_IN_TITLE.search(normalise_years(title or ""))
    return int(m.group(1)) if m else None


def pagination_urls(page_url: str, html: str) -> list[str]:
    """Every list page a CMS pagination points to: createPageHTML(...) / countPage JS,
    index_N.html series and ?page=N links."""
    urls: list[str] = []
    call = re.search(r"createPageHTML\(([^)]*)\)", html)
    if call:
        # TRS/Hanweb variants: (5, 0, "index", "html") or ('page_div', 5, 1, 'fg', 'shtml', 345)
        args = [a.strip().strip("'\"") for a in call.group(1).split(",")]
        numbers = [int(a) for a in args if a.isascii() and a.isdigit() and len(a) < 7]
        words = [a for a in args if a and not a.isdigit()]
        ext = next((w for w in reversed(words) if w.lower() in ("html", "shtml", "htm", "jsp", "php")), "html")
        before = words[:words.index(ext)] if ext in words else words
        prefix = before[-1] if before else "index"
        count = numbers[0] if numbers else 0
        urls += [urljoin(page_url, f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}") for i in range(min(count, 200))]
    else:
        m = re.search(r"(?:countPage|pageCount|totalPage|page_count)\s*[=:]\s*['\"]?(\d{1,6})\b", html)
        if m and re.search(r"index(_\d+)?\.s?html?", page_url + html):
            count = int(m.group(1))
            urls += [urljoin(page_url, "index.html" if i == 0 else f"index_{i}.html") for i in range(min(count, 200))]
    return [u for u in dict.fromkeys(urls) if u != page_url]


def continuation_links(page_url: str, links: list[tuple[str, str]]) -> list[str]:
    """Later pages of one article split over several pages: foo.html → foo_2.html, or the same
    page with ?page=2 / ?pageNum=2, linked as 下一页, 2 or 第2页."""
    here = urlsplit(page_url)
    base = here.path.rsplit(".", 1)[0]
    found = []
    for href, anchor in links:
        if not (_PAGINATION.match(anchor.strip()) or re.search(r"第\s*\d+\s*页", anchor)):
            continue
        url = urljoin(page_url, href)
        there = urlsplit(url)
        numbered = re.fullmatch(re.escape(base) + r"_\d{1,2}\.[sj]?html?", there.path)
        paged = there.path == here.path and re.search(r"(?:^|&)(?:page|pagenum|pageno|pageindex|p)=\d+", there.query, re.I)
        if (numbered or paged) and url != page_url:
            found.append(url)
    return list(dict.fromkeys(found))


def absolute_links(base: str, links: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Links with absolute URLs. Most hrefs on a portal are root-relative (/xxgk/…): those are
    joined to the origin directly, the rest by urljoin (a third of a list page's cost otherwise)."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    return [(origin + href if href[:1] == "/" and href[1:2] != "/" and "/." not in href and "\\" not in href
             else urljoin(base, href), anchor, title) for href, anchor, title in links]


def host_allowed(host: str, allowed: set[str]) -> bool:
    """A host is the portal's own when it is one of its domains or a subdomain of one."""
    host = (host or "").lower().split(":")[0]
    return any(host == d or host.endswith("." + d) for d in allowed)


_TWO_LABEL_SUFFIXES = ("gov.cn", "com.cn", "org.cn", "net.cn", "edu.cn", "ac.cn", "gov.hk", "gov.mo", "gov.test")


def registrable_domain(host: str) -> str:
    """The portal's own domain, so that its subdomains count as the portal too:
    www.qingyang.gov.cn and xxgk.qingyang.gov.cn → qingyang.gov.cn; www.example.org → example.org."""
    host = (host or "").lower().split(":")[0].rstrip(".")
    if re.fullmatch(r"[\d.]+", host):
        return host
    for suffix in _TWO_LABEL_SUFFIXES:
        if host.endswith("." + suffix):
            return ".".join(host.split(".")[-3:])
    return host[4:] if host.startswith("www.") else host


@dataclass
class Outline:
    """What the spider needs to judge a page: its title and links at once, its visible text
    (a walk of the whole page) only when a decision asks for it."""
    title: str
    links: list[tuple[str, str, str]]   # (href, anchor text, title attribute)
    html: str
    base: str = ""                      # <base href>, which relative links resolve against
    tree: object = field(default=None, repr=False)

    @cached_property
    def text(self) -> str:
        return visible_lines(self.tree) if self.tree is not None else ""


def visible_lines(tree, limit: int = 30000) -> str:
    """The page's visible text, one text node per line, up to about `limit` characters: enough
    for the crawl's decisions, and lxml does the walk (the parser's page_text lays blocks out
    properly, at several times the cost). Drops the same chrome as page_text; changes the tree."""
    etree.strip_elements(tree, *_DROP_TAGS, with_tail=False)
    return text_nodes(tree, limit)


# A report's name may be in the title: any other page is judged by its links, not its text.
_TITLE_MAY_NAME_REPORT = re.compile(r"[报報]告|年[报報]")
_NAMES_REPORT = re.compile(r"(?:19|20|二〇|二0)\S{0,60}?(?:年度报告|年报|工作报告)")


def classify_outline(outline: Outline) -> str:
    """classify_page for a fetched page, reading its text only when the title leaves the kind
    open (it names a report or a 年报, or there is none). Any other page is 'other': a list of
    reports is known by its links."""
    if outline.title and not _TITLE_MAY_NAME_REPORT.search(outline.title):
        return "other"
    return classify_page(outline.title, outline.text)


def outline_html(html: str) -> Outline:
    tree = parse_html(html)
    if tree is None:
        return Outline("", [], html)
    links = [(a.get("href", "").strip(), element_text(a), (a.get("title") or "").strip()) for a in tree.iter("a") if a.get("href")]
    # many portals embed their disclosure platform in a frame
    links += [(f.get("src", "").strip(), "", (f.get("title") or f.get("name") or "").strip())
              for f in tree.iter("iframe", "frame") if f.get("src")]
    # Portals put the site name in <h1> as often as the article title; prefer a candidate naming a
    # report. <title> usually ends with the site name: "报告标题_青阳县人民政府". The weaker
    # candidates (a whole-page search) are only looked at when no strong one names a report.
    strong = strong_titles(tree, meta_tags(tree))
    named = [t for t in strong if _NAMES_REPORT.search(t)]
    if not named:
        weak = weak_titles(tree, strong)
        named = [t for t in weak if _NAMES_REPORT.search(t)] or strong[:1] or weak[:1]
    base = tree.find(".//base")
    return Outline((named or [""])[0], links, html, (base.get("href") or "").strip() if base is not None else "", tree)
