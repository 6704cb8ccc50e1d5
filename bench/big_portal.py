"""A big county portal on disk, seeded, in the shape of real ones: a news centre, a disclosure
platform with the county's own sections and one section per department and township, each with
its columns (指南, 政策文件, 财政预决算, …, 年报) of paginated document lists, and the annual
reports among thousands of ordinary disclosure documents.

    python bench/big_portal.py OUT_DIR --pages 20000 [--seed 11]

Agencies are named as real ones are, words of the crawler's negative list included
(文化和旅游局, 文化广电体育和旅游局, 新闻出版局). Report columns are named and placed
differently from one agency to the next (年报, 政府信息公开年报, 年度报告, a column with a code name).
Writes OUT_DIR/expected.json: the start URL path and every report (agency, year, path).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from html import escape
from pathlib import Path

from demo.build_sites import make_report, prose_for
from demo.render import page, report_body

COUNTY = "青阳县"
SITE = "青阳县人民政府"
YEARS = range(2019, 2024)
DEPARTMENTS = [
    "文化旅游体育局", "文化和旅游局", "文化广电体育和旅游局", "新闻出版局", "教育局", "公安局", "民政局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "林业局", "城市管理局",
    "信访局", "司法局", "退役军人事务局", "数据资源管理局", "发展和改革委员会", "科学技术局", "经济和信息化局",
    "民族宗教事务局", "档案馆", "生态环境分局", "人民政府办公室", "乡村振兴局", "粮食和物资储备局", "体育中心",
    "广播电视局", "招商中心", "融媒体中心",
]
TOWNSHIPS = ["蓉城镇", "木镇镇", "庙前镇", "陵阳镇", "新河镇", "丁桥镇", "朱备镇", "杜村乡", "酉华镇", "乔木乡",
             "杨田镇", "九华乡", "柯村镇", "童埠镇", "南阳镇", "东堡镇", "西峰乡", "北岭镇", "石门街道", "城关街道"]
# (anchor, directory) of an agency's ordinary columns
COLUMNS = [("信息公开指南", "gkzn"), ("机构概况", "jggk"), ("政策文件", "zcwj"), ("规划计划", "ghjh"),
           ("财政预决算", "czyjs"), ("人事信息", "rsxx"), ("工作动态", "gzdt"), ("通知公告", "tzgg"),
           ("行政执法", "xzzf"), ("建议提案办理", "jyta")]
# how an agency names its report column (anchor, directory): real portals vary
REPORT_COLUMNS = [("政府信息公开年报", "ndbg"), ("信息公开年报", "xxgknb"), ("年度报告", "ndbg"),
                  ("年报", "nb"), ("政府信息公开年度报告", "col{n}")]
DOCUMENT_TITLES = ["关于印发《{a}{y}年工作要点》的通知", "{a}{y}年部门预算公开", "{a}{y}年部门决算公开",
                   "关于做好{y}年度安全生产工作的通知", "{a}关于开展专项整治行动的实施方案", "{a}{y}年工作总结",
                   "{a}权责清单", "关于公布{y}年度行政执法检查计划的公告", "{a}领导分工", "{a}内设机构及职责",
                   "关于{y}年度政府信息公开工作的通知", "{a}{y}年法治政府建设情况报告", "{a}召开{y}年度工作会议",
                   "关于征求《{a}{y}年行动计划》意见的公告", "{a}{y}年度统计年报"]
PER_LIST_PAGE = 20
SHAPE_VERSION = 3       # bump when the generated portal changes, so cached copies are rebuilt
NEWS_SHARE = 0.15


def nav() -> tuple:
    return (("/index.html", "首页"), ("/news/index.html", "新闻中心"), ("/xxgk/index.html", "政务公开"),
            ("/hdjl/index.html", "互动交流"), ("/whly/index.html", "文化旅游"), ("/wzdt.html", "网站地图"))


class Portal:
    def __init__(self, out: Path, pages: int, seed: int):
        self.out, self.rnd, self.pages = out, random.Random(seed), pages
        self.written = 0
        self.expected: list[dict] = []
        self.doc_id = 1000

    def write(self, path: str, html: str) -> None:
        target = self.out / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.written += 1

    def page(self, title: str, body: str, crumb: str, sidebar=()) -> str:
        return page(title, body, site=SITE, breadcrumb=crumb, nav=nav(), sidebar=list(sidebar))

    def list_pages(self, directory: str, title: str, crumb: str, items: list[tuple[str, str, str]], sidebar) -> None:
        """A column: its items over index.html, index_1.html … with TRS createPageHTML paging."""
        chunks = [items[i:i + PER_LIST_PAGE] for i in range(0, len(items), PER_LIST_PAGE)] or [[]]
        for n, chunk in enumerate(chunks):
            lis = "".join(f'<li><a href="{escape(h)}" title="{escape(t)}">{escape(t)}</a><span>{d}</span></li>' for h, t, d in chunk)
            script = (f'<script>createPageHTML({len(chunks)}, {n}, "index", "html");</script>' if len(chunks) > 1 else "")
            body = f'<div class="list-title">{escape(title)}</div><ul class="list">{lis}</ul><div class="page">{script}</div>'
            self.write(f"{directory}/{'index' if n == 0 else f'index_{n}'}.html", self.page(title, body, crumb, sidebar))

    def document(self, directory: str, agency: str, crumb: str, sidebar) -> tuple[str, str, str]:
        self.doc_id += 1
        year = self.rnd.choice(list(YEARS) + [2024])
        title = self.rnd.choice(DOCUMENT_TITLES).format(a=agency, y=year)
        date = f"{year}-{self.rnd.randint(1, 12):02d}-{self.rnd.randint(1, 28):02d}"
        path = f"{directory}/{date[:7].replace('-', '')}/t{date.replace('-', '')}_{self.doc_id}.html"
        paragraphs = "".join(f"<p>{escape(agency)}按照县委、县政府统一部署，认真落实各项工作任务，第{i}项工作进展顺利。</p>"
                             for i in range(self.rnd.randint(3, 12)))
        self.write(path, self.page(title, f'<h1 class="article-title">{escape(title)}</h1>{paragraphs}', crumb, sidebar))
        return path, title, date

    def report(self, directory: str, agency: str, year: int, crumb: str, sidebar) -> tuple[str, str, str]:
        published = f"{year + 1}-01-{self.rnd.randint(10, 28)}"
        report = make_report(agency, year, self.rnd.randint(0, 10**9), published)
        self.doc_id += 1
        path = f"{directory}/{year + 1}01/t{published.replace('-', '')}_{self.doc_id}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        body = report_body(report, prose_for(report))
        self.write(path, page(title, body, site=SITE, breadcrumb=crumb, nav=nav(), sidebar=list(sidebar),
                              meta_block={"发布机构": agency, "发布日期": published}))
        self.expected.append({"agency": agency, "year": year, "path": path})
        return path, title, published

    def reports(self, directory: str, agency: str, crumb: str, sidebar) -> list[tuple[str, str, str]]:
        """An agency's reports of every year, each with its 解读 beside it on some portals."""
        items = []
        explained = self.rnd.random() < 0.5
        for year in YEARS:
            items.append(self.report(directory, agency, year, crumb, sidebar))
            if explained:
                self.doc_id += 1
                path, title = f"{directory}/{year + 1}02/t{year + 1}0201_{self.doc_id}.html", f"《{items[-1][1]}》解读"
                self.write(path, self.page(title, f"<p>{escape(title)}：一、总体情况……</p>", crumb, sidebar))
                items.append((path, title, f"{year + 1}-02-01"))
        return items

    def agency_section(self, base: str, agency: str, documents: int, report_column: tuple[str, str], in_reports_column: bool):
        """An agency's disclosure section: a home listing its columns, each a paginated list."""
        anchor, directory = report_column
        directory = directory.format(n=self.rnd.randint(1000, 9999))
        columns = [*COLUMNS[: self.rnd.randint(6, len(COLUMNS))]]
        if not in_reports_column and ("通知公告", "tzgg") not in columns:
            columns.append(("通知公告", "tzgg"))
        sidebar = [(f"{base}/index.html", f"{agency}信息公开"), ("/xxgk/index.html", "政府信息公开")]
        crumb = f"首页 > 政府信息公开 > {agency}"
        spread = [documents // len(columns)] * len(columns)
        spread[0] += documents - sum(spread)
        for (col_anchor, col_dir), count in zip(columns, spread):
            items = [self.document(f"{base}/{col_dir}", agency, f"{crumb} > {col_anchor}", sidebar) for _ in range(count)]
            if not in_reports_column and col_dir == "tzgg":
                # some agencies publish their reports as notices, among everything else
                items += self.reports(f"{base}/{col_dir}", agency, f"{crumb} > {col_anchor}", sidebar)
                self.rnd.shuffle(items)
            items.sort(key=lambda item: item[2], reverse=True)
            self.list_pages(f"{base}/{col_dir}", col_anchor, f"{crumb} > {col_anchor}", items, sidebar)
        links = [(f"{base}/{d}/index.html", a) for a, d in columns]
        if in_reports_column:
            items = self.reports(f"{base}/{directory}", agency, f"{crumb} > {anchor}", sidebar)
            self.list_pages(f"{base}/{directory}", anchor, f"{crumb} > {anchor}", items[::-1], sidebar)
            links.insert(self.rnd.randint(0, len(links)), (f"{base}/{directory}/index.html", anchor))
        body = f'<h2>{escape(agency)}</h2><ul class="columns">' + "".join(
            f'<li><a href="{h}">{escape(a)}</a></li>' for h, a in links) + "</ul>"
        self.write(f"{base}/index.html", self.page(f"{agency}信息公开", body, crumb, sidebar))

    def build(self) -> dict:
        rnd = self.rnd
        agency_count = max(4, round(60 * self.pages / 20000))
        departments = [COUNTY + d for d in DEPARTMENTS]
        townships = [COUNTY + t for t in TOWNSHIPS]
        agencies = (departments[:4] + rnd.sample(departments[4:], len(departments) - 4) + townships)[:agency_count]
        # news, never to be fetched
        news = [self.document("/news/xwzx", SITE, "首页 > 新闻中心", ()) for _ in range(int(self.pages * NEWS_SHARE))]
        news.append(("/news/xwzx/fb.html", f"我县发布{max(YEARS)}年政府信息公开工作年度报告", f"{max(YEARS) + 1}-01-20"))
        self.write("/news/xwzx/fb.html", self.page(news[-1][1], "<p>近日，我县发布了年度报告。</p>", "首页 > 新闻中心"))
        self.list_pages("/news", "新闻中心", "首页 > 新闻中心", news, ())
        # the county government's own section: its reports in a column, the rest documents
        reserved = self.written + len(agencies) * (2 + len(COLUMNS) + 5 + 5) + 40
        per_agency = max(10, (self.pages - reserved) // (len(agencies) + 1))
        self.agency_section("/xxgk/xqzf", SITE, per_agency, ("政府信息公开年报", "ndbg"), True)
        sections = []
        for n, agency in enumerate(agencies):
            base = f"/xxgk/{'bm' if agency in departments else 'xz'}/a{n:03d}"
            column = REPORT_COLUMNS[n % len(REPORT_COLUMNS)]
            self.agency_section(base, agency, per_agency, column, in_reports_column=n % 7 != 6)
            sections.append((base, agency))
        for kind, title in (("bm", "部门信息公开"), ("xz", "乡镇信息公开")):
            links = "".join(f'<li><a href="{b}/index.html">{escape(a)}</a></li>' for b, a in sections if f"/{kind}/" in b)
            self.write(f"/xxgk/{kind}/index.html", self.page(title, f'<ul class="agencies">{links}</ul>', f"首页 > 政府信息公开 > {title}"))
        platform = [("/xxgk/xqzf/gkzn/index.html", "政府信息公开指南"), ("/xxgk/xqzf/index.html", "法定主动公开内容"),
                    ("/xxgk/xqzf/ndbg/index.html", "政府信息公开年报"), ("/xxgk/bm/index.html", "部门信息公开"),
                    ("/xxgk/xz/index.html", "乡镇信息公开"), ("/hdjl/index.html", "依申请公开")]
        body = "<ul>" + "".join(f'<li><a href="{h}">{escape(a)}</a></li>' for h, a in platform) + "</ul>"
        self.write("/xxgk/index.html", self.page("政府信息公开", body, "首页 > 政府信息公开"))
        for path, title in (("/hdjl/index.html", "互动交流"), ("/whly/index.html", "文化旅游"), ("/wzdt.html", "网站地图")):
            self.write(path, self.page(title, f"<p>{title}</p>", f"首页 > {title}"))
        home = "".join(f'<li><a href="{h}">{escape(a)}</a></li>' for h, a in nav())
        home += "".join(f'<li><a href="{h}">{escape(t)}</a></li>' for h, t, _ in news[:8])
        self.write("/index.html", self.page(SITE, f"<ul>{home}</ul>", "首页"))
        self.write("/robots.txt", "User-agent: *\nDisallow: /search/\n")
        expected = {"start": "/index.html", "pages": self.written, "agencies": len(agencies) + 1, "reports": self.expected}
        (self.out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
        return expected


def generate(out: Path, pages: int, seed: int = 11) -> dict:
    """Build the portal under `out` (reused when already built with the same size and seed)."""
    stamp = out / f".built-{pages}-{seed}-v{SHAPE_VERSION}"
    if stamp.exists():
        return json.loads((out / "expected.json").read_text(encoding="utf-8"))
    if out.exists():
        import shutil
        shutil.rmtree(out)
    out.mkdir(parents=True)
    expected = Portal(out, pages, seed).build()
    stamp.touch()
    return expected


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    expected = generate(args.out, args.pages, args.seed)
    print(f"{expected['pages']} pages, {expected['agencies']} agencies, {len(expected['reports'])} reports in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
