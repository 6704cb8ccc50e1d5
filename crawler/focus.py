"""What a crawl learns about one portal while it goes: where its reports were listed, so that
the same kind of column elsewhere on the portal is opened first, and which links a page can do
without because it links to a report column of its own."""
from __future__ import annotations

from urllib.parse import urlsplit

LEARNED_SCORE = 70      # above any disclosure section, below the report columns themselves
WEAK_SCORE = 30         # a column known only by its URL: the first to go when a page has better
# Names of the ordinary columns of a disclosure section, which hold no reports when the section
# has a report column of its own. A column named otherwise (公开报告, 其他) is always opened.
ORDINARY_COLUMNS = ("指南", "制度", "机构", "职能", "职责", "概况", "领导", "政策", "文件", "规划", "计划", "财政", "资金",
                    "预决算", "预算", "决算", "人事", "任免", "动态", "要闻", "通知", "公告", "执法", "建议", "提案", "采购",
                    "招标", "统计", "应急", "价格", "收费", "项目", "审批", "许可", "处罚", "解读", "清单", "标准", "督查")


def column_name(url: str) -> str:
    """The directory a list lives in: /xxgk/bm/a003/tzgg/index_2.html → 'tzgg'."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and "." in parts[-1]:
        parts = parts[:-1]
    return parts[-1].lower() if parts else ""


class ReportTrail:
    """Per portal: the anchors and directory names of the lists where reports were found.
    A department that keeps its reports under 通知公告 teaches the crawl to open 通知公告 first
    in the other departments' sections too."""

    def __init__(self):
        self.anchors: set[str] = set()
        self.columns: set[str] = set()

    def learn(self, list_url: str, anchor: str = "") -> None:
        if anchor and len(anchor) <= 12:
            self.anchors.add(anchor.strip())
        name = column_name(list_url)
        if name:
            self.columns.add(name)

    def score(self, url: str, anchor: str, score: int) -> int:
        """The link's score, raised when it looks like a column where this portal lists reports."""
        if 0 < score < LEARNED_SCORE and (anchor.strip() in self.anchors or column_name(url) in self.columns):
            return LEARNED_SCORE
        return score


def ordinary_column(anchor: str) -> bool:
    return len(anchor) <= 12 and any(word in anchor for word in ORDINARY_COLUMNS)


def focused(scored: list[tuple[str, str, str, int]], unseen, sidebar_only: bool = False) -> list[tuple[str, str, str, int]]:
    """The links worth following from one page. A page that links to a report column or list
    not fetched yet (score 80 and up) loses its links to ordinary columns (政策文件, 财政预决算 …
    known only by their URL): the reports are where that link goes. So does a page whose links to
    its section's columns are only its sidebar's (`sidebar_only`: a list of reports, or a column
    itself, whose section's home decided about its columns). `unseen(url)` tells whether a URL is new."""
    if not sidebar_only and not any(score >= 80 and unseen(url) for url, _, _, score in scored):
        return scored
    return [link for link in scored if not (0 < link[3] <= WEAK_SCORE and ordinary_column(link[1] or link[2]))]


def lists_reports(scored: list[tuple[str, str, str, int]]) -> bool:
    """A list of reports or report columns, whose later pages are worth fetching: two links to
    reports or their columns, or one report itself (a department's reports among its notices,
    one on the first page and the rest on the next)."""
    return sum(1 for *_, score in scored if score >= 80) >= 2 or any(score >= 100 for *_, score in scored)
