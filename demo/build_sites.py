"""Build the bundled demo portals under demo/sites/<host>/ (committed; rebuild with
`.venv/bin/python -m demo.build_sites` after `pip install -r requirements-dev.txt`).

Eight agency portals and one spam mirror, each showing something real portals do (the three on
list platforms are built in demo/platform_sites.py). What the crawl must find is written to demo/expected.json for the integration test.
"""
from __future__ import annotations

import io
import json
import random
import re
import shutil
import sys
from html import escape
from pathlib import Path

from crawler.schema import (
    ACTIVE_ITEMS_BY_TEMPLATE,
    APPEAL_KINDS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICANT_PARTS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS,
    GROUP_LABELS,
    MEASURE_LABELS,
    OTHER_SUBROWS,
    OUTCOME_ROWS,
)
from demo.render import page, report_body

HERE = Path(__file__).resolve().parent

SITES = HERE / "sites"
SAMPLES = HERE.parent / "tests" / "fixtures" / "samples"
COLS = APPLICANT_COLUMNS
OUTCOMES = [r for r in OUTCOME_ROWS if r != "other"]
EXPECTED: list[dict] = []


# An agency's reports form a series: its figures keep their scale from one year to the next and
# a year carries over what the year before carried forward, so the dataset checks (carried-over
# balance, year-over-year jumps) stay quiet on the demo's honest reports. Two agencies have a
# shared sample as published beside a generated year; their scale follows the sample.
SCALE_OVERRIDES = {
    "盘山县人民政府办公室": {"licensing": 0, "penalty": 0},          # sample 001 is its 2022
    "新洲区科经局": {"applications": 6, "licensing": 0, "penalty": 0},  # sample 002 is its 2021
}
FORWARD_OVERRIDES = {("新洲区科经局", 2021): 0}                          # as sample 002 prints
# One report that, as real ones do, carries over more than its previous year carried forward:
# the dataset check (balance_mismatch, "carried_over vs 2020") must see it.
CARRIED_OVER_OVERRIDES = {("白水县人民政府", 2021): 6}


def agency_scale(agency: str) -> dict[str, int]:
    """The yearly level of an agency's applications, licensing and penalty decisions."""
    rnd = random.Random(agency)
    scale = {"applications": rnd.randint(8, 45), "licensing": rnd.randint(100, 9000), "penalty": rnd.randint(0, 500)}
    return scale | SCALE_OVERRIDES.get(agency, {})


def carried_forward(agency: str, year: int) -> int:
    """Applications by natural persons `agency` carried from `year` into the next."""
    return FORWARD_OVERRIDES.get((agency, year), random.Random(f"{agency} {year}").randint(0, 3))


def make_report(agency: str, year: int, seed: int, published: str, title: str | None = None) -> dict:
    """A balanced report with plausible numbers for `agency` and `year`, continuing its previous year."""
    rnd = random.Random(seed)
    template = "2019" if year <= 2020 else "2021"
    scale = agency_scale(agency)

    def row(*six):
        return dict(zip(COLS, [*six, sum(six)]))

    def near(level: int) -> int:
        return round(level * rnd.uniform(0.8, 1.25))

    new = row(max(4, near(scale["applications"])), rnd.randint(0, 3), 0, 0, rnd.randint(0, 2), rnd.randint(0, 2))
    carried = row(CARRIED_OVER_OVERRIDES.get((agency, year), carried_forward(agency, year - 1)), 0, 0, 0, 0, 0)
    forward = row(carried_forward(agency, year), 0, 0, 0, 0, 0)
    handled = {c: new[c] + carried[c] - forward[c] for c in COLS}
    rows = {k: row(0, 0, 0, 0, 0, 0) for k in OUTCOMES}
    for col in APPLICANT_PARTS:
        remaining = handled[col]
        for key in ("partially_granted", "unavailable_not_held", "rejected_duplicate"):
            take = rnd.randint(0, remaining // 3)
            rows[key][col] = take
            remaining -= take
        rows["granted"][col] = remaining
    for key in rows:
        rows[key]["total"] = sum(rows[key][c] for c in APPLICANT_PARTS)
    apps = {"new_received": new, "carried_over": carried, **rows}
    if template == "2021":
        apps.update({k: row(0, 0, 0, 0, 0, 0) for k in OTHER_SUBROWS})
    apps["other"] = row(0, 0, 0, 0, 0, 0)
    apps["total_handled"] = handled
    apps["carried_forward"] = forward
    if template == "2019":
        active = {"rules": {"made": 0, "published": 0, "total_public": 0},
                  "normative_documents": {"made": rnd.randint(0, 9), "published": 0, "total_public": rnd.randint(10, 90)},
                  "licensing": {"previous": rnd.randint(20, 300), "change": rnd.randint(-5, 5), "decisions": near(scale["licensing"])},
                  "other_services": {"previous": rnd.randint(0, 50), "change": 0, "decisions": rnd.randint(0, 900)},
                  "penalty": {"previous": rnd.randint(0, 400), "change": rnd.randint(-3, 3), "decisions": near(scale["penalty"])},
                  "coercion": {"previous": rnd.randint(0, 40), "change": 0, "decisions": rnd.randint(0, 30)},
                  "fees": {"previous": rnd.randint(0, 20), "change": 0},
                  "procurement": {"items": rnd.randint(1, 80), "amount_wan": round(rnd.uniform(10, 9000), 2)}}
        active["normative_documents"]["published"] = active["normative_documents"]["made"]
    else:
        active = {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                  "normative_documents": {"issued": rnd.randint(0, 9), "repealed": rnd.randint(0, 3), "in_force": rnd.randint(5, 60)},
                  "licensing": {"decisions": near(scale["licensing"])}, "penalty": {"decisions": near(scale["penalty"])},
                  "coercion": {"decisions": rnd.randint(0, 30)}, "fees": {"amount_wan": round(rnd.uniform(0, 300), 2)}}
    review_total = rnd.randint(0, 3)
    appeals = {"review": {"upheld": review_total, "corrected": 0, "other": 0, "pending": 0, "total": review_total},
               "suit_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
               "suit_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}}
    return {"agency": agency, "year": year, "template": template, "published": published, "title": title,
            "active": active, "applications": apps, "appeals": appeals}


def prose_for(report: dict) -> list[str]:
    new_total = report["applications"]["new_received"]["total"]
    return [f"{report['year']}年，{report['agency']}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
            f"全年共收到政府信息公开申请{new_total}件，均在法定期限内答复。",
            "（一）主动公开。严格落实公开属性源头认定，及时公开政策文件和重点领域信息。",
            "（二）政府信息管理。规范公文公开属性审查，动态更新政府信息公开目录。"]


def expect(portal: str, report: dict, url: str, flags: list[str] = (), via: str = "page") -> None:
    EXPECTED.append({"portal": portal, "agency": report["agency"], "year": report["year"], "url": url,
                     "flags": sorted(flags), "via": via})


def write(host: str, path: str, content: str | bytes, encoding: str = "utf-8") -> None:
    target = SITES / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))


def detail(host, path, report, site, *, encoding="utf-8", sidebar=()):
    """A report page; its <meta> always says UTF-8, whatever `encoding` the bytes are in."""
    title = report.get("title") or f"{report['agency']}{report['year']}年政府信息公开工作年度报告"
    html = page(title, report_body(report, prose_for(report)), site=site,
                meta_block={"发布机构": report["agency"], "发布日期": report["published"]}, sidebar=sidebar)
    write(host, path, html, encoding)


def list_page(title: str, site: str, items: list[tuple[str, str, str]], pagination: str = "") -> str:
    lis = "".join(f'<li><a href="{escape(h)}" title="{escape(t)}">{escape(t)}</a><span class="date">{d}</span></li>'
                  for h, t, d in items)
    body = f'<div class="list-title">{escape(title)}</div><ul class="list">{lis}</ul><div class="page">{pagination}</div>'
    return page(title, body, site=site, breadcrumb=f"首页 > 政府信息公开 > {title}")


def home(site: str, links: list[tuple[str, str]]) -> str:
    body = "<ul class=\"portal-nav\">" + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links) + "</ul>"
    return page(site, body + "<p>欢迎访问" + escape(site) + "。</p>", site=site, breadcrumb="首页")


# ------------------------------------------------------------------ portals

def qingyang():
    """County portal: createPageHTML list over three pages, a subdomain, robots.txt, 404/500, news to ignore."""
    host, site, portal = "www.qingyang.gov.test", "青阳县人民政府", "青阳县人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow: /xxgk/private/\nDisallow: /admin/\n")
    write(host, "index.html", home(site, [
        ("/xxgk/index.html", "政府信息公开"), ("/news/index.html", "新闻中心"), ("/hd/index.html", "互动交流"),
        ("http://www.gov.cn.test/", "中国政府网"), ("http://www.ah.gov.test/xxgk/ndbg/", "省政府信息公开年报"),
        ("http://www.gov.cn.test/zhengce/xxgk/ndbg.htm", "国务院部门政府信息公开工作年度报告"),
    ]))
    news = [(f"/news/{i}.html", f"青阳县召开第{i}次常务会议", "2021-03-01") for i in range(1, 25)]
    write(host, "news/index.html", list_page("新闻中心", site, news))
    for href, text, _ in news:
        write(host, href, page(text, f"<h1>{text}</h1><p>会议研究了政府信息公开工作年度报告编制事项。</p>", site=site))
    write(host, "xxgk/index.html", home(site, [
        ("/xxgk/zn.html", "政府信息公开指南"), ("/xxgk/zd.html", "政府信息公开制度"),
        ("/xxgk/ndbg/index.html", "政府信息公开年报"), ("http://xxgk.qingyang.gov.test:8808/bm/index.html", "部门信息公开"),
        ("/admin/login.html", "后台管理"),
    ]))
    write(host, "xxgk/zn.html", page("政府信息公开指南", "<h1>政府信息公开指南</h1><p>本指南说明申请方式。</p>", site=site))
    write(host, "xxgk/zd.html", page("政府信息公开制度", "<h1>政府信息公开制度</h1><p>保密审查制度。</p>", site=site))

    reports = [make_report(portal, y, 100 + y, f"{y + 1}-01-2{y % 7}") for y in (2019, 2020, 2021, 2022)]
    reports.append(make_report("青阳县发展和改革委员会", 2021, 7, "2022-01-25"))
    reports.append(make_report("青阳县教育局", 2020, 8, "2021-01-30"))
    items = []
    for i, r in enumerate(reports):
        path = f"/xxgk/ndbg/{r['year']}/art_{i + 1}.html"
        detail(host, path, r, site)
        expect(portal, r, f"http://{host}{path}")
        items.append((path, f"{r['agency']}{r['year']}年政府信息公开工作年度报告", r["published"]))
    lookalikes = {
        "jd2020.html": ("《青阳县人民政府2020年政府信息公开工作年度报告》解读", "一、年度报告的主要内容。全年共收到申请若干件。"),
        "qynb.html": ("关于开展2021年度企业年报公示工作的通知", "请各企业于6月30日前报送2021年度企业年度报告。"),
        "tjnb.html": ("青阳县2020年统计年报", "2020年全县地区生产总值增长4.1%。"),
    }
    for name, (title, text) in lookalikes.items():
        write(host, f"xxgk/ndbg/{name}", page(title, f"<h1>{title}</h1><p>{text}</p>", site=site))
        items.append((f"/xxgk/ndbg/{name}", title, "2021-02-01"))
    items += [
        ("/xxgk/ndbg/2022/missing.html", "青阳县卫生健康委员会2021年政府信息公开工作年度报告", "2022-01-30"),   # 404
        ("/xxgk/ndbg/2022/broken.html", "青阳县民政局2021年政府信息公开工作年度报告", "2022-01-30"),           # 500
        ("/xxgk/ndbg/2018/art_0.html", "青阳县人民政府2017年政府信息公开工作年度报告", "2018-03-01"),         # out of years
        ("/xxgk/private/czj2019.html", "青阳县财政局2019年政府信息公开工作年度报告", "2020-01-20"),           # robots.txt
    ]
    detail(host, "/xxgk/private/czj2019.html", make_report("青阳县财政局", 2019, 3, "2020-01-20"), site)
    pages = [items[i:i + 4] for i in range(0, len(items), 4)]
    for n, chunk in enumerate(pages):
        js = f'<script type="text/javascript">createPageHTML({len(pages)}, {n}, "index", "html");</script>'
        write(host, "xxgk/ndbg/index.html" if n == 0 else f"xxgk/ndbg/index_{n}.html",
              list_page("政府信息公开年报", site, chunk, js))

    sub = "xxgk.qingyang.gov.test"
    edu = make_report("青阳县教育局", 2022, 9, "2023-01-16")
    write(sub, "robots.txt", "User-agent: *\nAllow: /\n")
    write(sub, "index.html", home(site, [("/bm/index.html", "部门信息公开")]))
    write(sub, "bm/index.html", list_page("部门信息公开", site, [("/bm/jyj/ndbg.html", "青阳县教育局信息公开年报", "")]))
    write(sub, "bm/jyj/ndbg.html", list_page("青阳县教育局信息公开年报", site,
                                             [("/bm/jyj/2023/0116/a1.html", "青阳县教育局2022年政府信息公开工作年度报告", "2023-01-16")]))
    detail(sub, "/bm/jyj/2023/0116/a1.html", edu, site)
    expect(portal, edu, f"http://{sub}/bm/jyj/2023/0116/a1.html")


def panshan():
    """Traditional-Chinese county site; the 2022 report is sample 001 as published (flattened table, pinyin debris)."""
    host, site, portal = "www.panshan.gov.test", "盤山縣人民政府", "盘山县人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/zwgk/index.html", "政務公開"), ("/xwzx/index.html", "新聞中心")]))
    write(host, "zwgk/index.html", home(site, [("/zwgk/ndbg/index.html", "政府信息公開年度報告")]))
    sample = (next(SAMPLES.glob("001_*.txt"))).read_text(encoding="utf-8")
    title = sample.split("\n", 1)[0]
    body = "<h1>" + escape(title) + "</h1><div class=\"TRS_Editor\">" + "".join(
        f"<p>{escape(line)}</p>" for line in sample.split("\n")[1:]) + "</div>"
    write(host, "zwgk/ndbg/202301/t20230130_1.html", page(title, body, site=site))
    expect(portal, {"agency": "盘山县人民政府办公室", "year": 2022}, f"http://{host}/zwgk/ndbg/202301/t20230130_1.html",
           ["handled_total_mismatch", "handled_total_mismatch", "text_artifacts", "traditional_script"])
    import opencc
    s2t = opencc.OpenCC("s2t").convert
    r2021 = make_report("盘山县人民政府办公室", 2021, 21, "2022-01-28")
    html = s2t(page(f"{r2021['agency']}2021年政府信息公开工作年度报告", report_body(r2021, prose_for(r2021)), site="盘山县人民政府",
                    meta_block={"發布日期": "2022-01-28"}))
    write(host, "zwgk/ndbg/202201/t20220128_1.html", html)
    expect(portal, r2021, f"http://{host}/zwgk/ndbg/202201/t20220128_1.html", ["traditional_script"])
    write(host, "zwgk/ndbg/index.html", list_page("政府信息公開年度報告", site, [
        ("/zwgk/ndbg/202301/t20230130_1.html", title, "2023-01-30"),
        ("/zwgk/ndbg/202201/t20220128_1.html", s2t("盘山县人民政府办公室2021年政府信息公开工作年度报告"), "2022-01-28"),
    ]))


def xinzhou():
    """District site: 下一页 / ?page=N list, sample 002, and a report split over two pages."""
    host, site, portal = "www.xinzhou.gov.test", "新洲区人民政府", "新洲区人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/xxgk/list.html", "政府信息公开年报"), ("/news/list.html", "新洲要闻")]))
    sample = (next(SAMPLES.glob("002_*.txt"))).read_text(encoding="utf-8")
    lines = sample.split("\n")
    body = "<h1>" + escape(lines[0]) + "</h1>" + "".join(f"<p>{escape(line)}</p>" for line in lines[4:])
    meta = {"索引号": "574913941/2022-03607", "发布机构": "新洲区科经局", "发文日期": "2022-01-21"}
    write(host, "xxgk/kjj/202201/t20220121_1.html", page(lines[0], body, site=site, meta_block=meta))
    expect(portal, {"agency": "新洲区科经局", "year": 2021}, f"http://{host}/xxgk/kjj/202201/t20220121_1.html")

    split = make_report("新洲区科经局", 2022, 22, "2023-01-18")
    full = report_body(split, prose_for(split))
    cut = full.index("<p>三、收到和处理政府信息公开申请情况</p>")
    article = "/xxgk/kjj/202301/t20230118_2.html"
    meta2 = {"发布机构": "新洲区科经局", "发文日期": "2023-01-18"}
    title2 = f"{split['agency']}2022年政府信息公开工作年度报告"
    write(host, article, page(title2, full[:cut] + '<div class="pages">第1页 <a href="t20230118_2_2.html">下一页</a></div>', site=site, meta_block=meta2))
    write(host, article.replace(".html", "_2.html"), page(title2, full[cut:] + '<div class="pages"><a href="t20230118_2.html">上一页</a> 第2页</div>', site=site, meta_block=meta2))
    expect(portal, split, f"http://{host}{article}")

    gov = make_report(portal, 2020, 20, "2021-01-29")
    detail(host, "/xxgk/qzf/202101/t20210129_9.html", gov, site)
    expect(portal, gov, f"http://{host}/xxgk/qzf/202101/t20210129_9.html")
    first = [(article, title2, "2023-01-18"), ("/xxgk/kjj/202201/t20220121_1.html", lines[0], "2022-01-21")]
    write(host, "xxgk/list.html", list_page("政府信息公开年报", site, first, '<a href="list.html?page=2">下一页</a>'))
    # the server answers list.html?page=2 from this file (see server.py)
    write(host, "xxgk/list.html@page=2", list_page("政府信息公开年报", site, [
        ("/xxgk/qzf/202101/t20210129_9.html", "新洲区人民政府2020年政府信息公开工作年度报告", "2021-01-29")],
        '<a href="list.html?page=1">上一页</a>'))


def yingzhou_mirror():
    """A mirror of a street office's site, full of injected casino spam; sample 000."""
    host, site = "www.lyyingzhou.mirror.test", "瀛洲街道办事处"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    spam_links = [("http://www.lb-casino.test/", "立博官网"), ("http://www.lbpt.test/app", "立博平台app下载"),
                  ("http://www.6bd.test/", "六宝典")]
    write(host, "index.html", home(site, [("/zwgk/index.html", "立博平台,立博官网:政务公开"), *spam_links]))
    write(host, "zwgk/index.html", list_page("立博官网:政务公开", site, [
        ("/zwgk/2021/0125/1.html", "瀛洲街道办事处2020年政府信息公开工作年度报告", "2021-01-25"),
        *[(h, t, "") for h, t in spam_links]]))
    sample = (next(SAMPLES.glob("000_*.txt"))).read_text(encoding="utf-8")
    lines = sample.split("\n")
    body = "<h1>" + escape(lines[0] + lines[1]) + "</h1>" + "".join(f"<p>{escape(line)}</p>" for line in lines[2:])
    write(host, "zwgk/2021/0125/1.html", page(lines[0] + lines[1], body, site=site, sidebar=spam_links))
    expect("瀛洲街道办事处", {"agency": "瀛洲街道办事处", "year": 2020}, f"http://{host}/zwgk/2021/0125/1.html", ["spam_injection"])


def linjiang():
    """Municipal site in GBK whose <meta> claims UTF-8; a slow page; one report under two URLs; a late, unbalanced report."""
    host, site, portal = "www.linjiang.gov.test", "临江市人民政府", "临江市人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(host, "index.html", home(site, [("/zwgk/index.html", "政务公开"), ("/search/?q=年报", "搜索")]), "gbk")
    write(host, "zwgk/index.html", home(site, [("/zwgk/ndbg/index.html", "政府信息公开工作年度报告"), ("/xxgk/gkbg/index.html", "公开报告")]), "gbk")
    gov = make_report(portal, 2021, 121, "2022-01-27")
    detail(host, "/zwgk/ndbg/2022/0127/art_7.html", gov, site, encoding="gbk")
    expect(portal, gov, f"http://{host}/zwgk/ndbg/2022/0127/art_7.html", ["encoding_repaired"])
    bureau = make_report("临江市生态环境局", 2022, 122, "2023-02-15")
    bureau["applications"]["total_handled"] = {**bureau["applications"]["total_handled"]}
    bureau["applications"]["total_handled"]["natural_person"] += 1
    bureau["applications"]["total_handled"]["total"] += 1
    bureau["applications"]["granted"]["natural_person"] += 1
    bureau["applications"]["granted"]["total"] += 1
    for path in ("/zwgk/ndbg/2023/0215/art_9.html", "/xxgk/gkbg/art_9.html"):
        detail(host, path, bureau, site, encoding="gbk")
    # identical copies: the first URL in alphabetical order is shown
    expect(portal, bureau, f"http://{host}/xxgk/gkbg/art_9.html",
           ["balance_mismatch", "balance_mismatch", "encoding_repaired", "published_late"])
    write(host, "zwgk/ndbg/index.html", list_page("政府信息公开工作年度报告", site, [
        ("/zwgk/ndbg/2023/0215/art_9.html", "临江市生态环境局2022年政府信息公开工作年度报告", "2023-02-15"),
        ("/zwgk/ndbg/2022/0127/art_7.html", "临江市人民政府2021年政府信息公开工作年度报告", "2022-01-27"),
    ]), "gbk")
    write(host, "xxgk/gkbg/index.html", list_page("公开报告", site, [
        ("/xxgk/gkbg/art_9.html", "临江市生态环境局2022年政府信息公开工作年度报告", "2023-02-16"),
        ("/xxgk/gkbg/slow.html", "临江市政府信息公开工作年度报告（汇总）", "2023-02-20"),
    ]), "gbk")
    write(host, "xxgk/gkbg/slow.html", page("临江市政府信息公开工作年度报告（汇总）", "<h1>汇总</h1><p>见各部门报告。</p>", site=site), "gbk")


def dongpo():
    """District site: a report only as a PDF attachment, one as DOCX, look-alikes, and two versions that disagree."""
    host, site, portal = "www.dongpo.gov.test", "东坡区人民政府", "东坡区人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/xxgk/index.html", "政府信息公开"), ("/xxgk/gzbg.html", "2021年政府工作报告")]))
    justice = make_report("东坡区司法局", 2020, 31, "2021-01-22")
    write(host, "xxgk/ndbg/sfj2020.pdf", report_pdf(justice))
    write(host, "xxgk/ndbg/sfj2020.html", page("东坡区司法局2020年政府信息公开工作年度报告",
        '<h1>东坡区司法局2020年政府信息公开工作年度报告</h1><p>附件：<a href="sfj2020.pdf">东坡区司法局2020年政府信息公开工作年度报告.pdf</a></p>', site=site))
    expect(portal, justice, f"http://{host}/xxgk/ndbg/sfj2020.pdf", via="attachment")
    gov21 = make_report(portal, 2021, 32, "2022-01-20")
    write(host, "xxgk/ndbg/qzf2021.docx", report_docx(gov21))
    write(host, "xxgk/ndbg/qzf2021.html", page("东坡区人民政府2021年政府信息公开工作年度报告",
        '<h1>东坡区人民政府2021年政府信息公开工作年度报告</h1><p>附件：<a href="qzf2021.docx">下载</a></p>', site=site))
    expect(portal, gov21, f"http://{host}/xxgk/ndbg/qzf2021.docx", via="attachment")
    v1 = make_report(portal, 2020, 33, "2021-01-25")
    v2 = json.loads(json.dumps(v1))
    v2["published"] = "2021-03-02"
    for key in ("new_received", "granted", "total_handled"):
        v2["applications"][key]["natural_person"] += 2
        v2["applications"][key]["total"] += 2
    detail(host, "/xxgk/ndbg/qzf2020.html", v1, site)
    detail(host, "/xxgk/ndbg/qzf2020_xg.html", v2, site)
    expect(portal, v2, f"http://{host}/xxgk/ndbg/qzf2020_xg.html", ["conflicting_versions", "published_late"])
    write(host, "xxgk/gzbg.html", page("2021年东坡区政府工作报告", "<h1>2021年东坡区政府工作报告</h1><p>各位代表：现在，我代表区人民政府向大会报告工作。</p>", site=site))
    write(host, "xxgk/index.html", home(site, [("/xxgk/ndbg/index.html", "政府信息公开年度报告")]))
    write(host, "xxgk/ndbg/index.html", list_page("政府信息公开年度报告", site, [
        ("/xxgk/ndbg/qzf2021.html", "东坡区人民政府2021年政府信息公开工作年度报告", "2022-01-20"),
        ("/xxgk/ndbg/qzf2020_xg.html", "东坡区人民政府2020年政府信息公开工作年度报告（更正版）", "2021-03-02"),
        ("/xxgk/ndbg/qzf2020.html", "东坡区人民政府2020年政府信息公开工作年度报告", "2021-01-25"),
        ("/xxgk/ndbg/sfj2020.html", "东坡区司法局2020年政府信息公开工作年度报告", "2021-01-22"),
        ("/xxgk/ndbg/jd.html", "图解：东坡区2020年政府信息公开工作年度报告", "2021-02-03"),
        ("/xxgk/ndbg/tj.html", "东坡区2020年度统计年报", "2021-03-01"),
    ]))
    write(host, "xxgk/ndbg/jd.html", page("图解：东坡区2020年政府信息公开工作年度报告", "<h1>图解：东坡区2020年政府信息公开工作年度报告</h1><p>图片</p>", site=site))
    write(host, "xxgk/ndbg/tj.html", page("东坡区2020年度统计年报", "<h1>东坡区2020年度统计年报</h1><p>统计数据。</p>", site=site))


def shimen():
    """County site whose reports are pictures: one page shows its three tables as images (a red seal
    over one), one report is published only as a scanned, stamped PDF. Read by OCR."""
    from demo.scan import scanned_pdf, table_images
    host, site, portal = "www.shimen.gov.test", "石门县人民政府", "石门县人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/xxgk/index.html", "政府信息公开"), ("/news/index.html", "石门要闻")]))
    write(host, "xxgk/index.html", home(site, [("/xxgk/ndbg/index.html", "政府信息公开年度报告")]))
    gov = make_report(portal, 2021, 41, "2022-01-20")
    body = report_body(gov, prose_for(gov))
    images = iter(table_images(gov, 41))
    article = "/xxgk/ndbg/2022/art_1.html"

    def picture(_match):
        name, data = next(images)
        write(host, f"xxgk/ndbg/2022/images/{name}", data)
        return f'<p style="text-align:center"><img src="images/{name}" alt="" border="0"></p>'
    body = re.sub(r"<table.*?</table>", picture, body, flags=re.S)
    write(host, article, page(f"{portal}2021年政府信息公开工作年度报告", body, site=site,
                              meta_block={"发布机构": portal, "发布日期": gov["published"]}))
    expect(portal, gov, f"http://{host}{article}", OCR_FLAGS["images"])
    transport = make_report("石门县交通运输局", 2020, 42, "2021-01-20")
    write(host, "xxgk/ndbg/jtj2020.pdf", scanned_pdf(transport, prose_for(transport), 42))
    title = "石门县交通运输局2020年政府信息公开工作年度报告"
    write(host, "xxgk/ndbg/jtj2020.html", page(title, f'<h1>{title}</h1><p>附件：<a href="jtj2020.pdf">{title}（扫描件）.pdf</a></p>', site=site))
    expect(portal, transport, f"http://{host}/xxgk/ndbg/jtj2020.pdf", OCR_FLAGS["scan"], via="attachment")
    write(host, "xxgk/ndbg/index.html", list_page("政府信息公开年度报告", site, [
        (article, f"{portal}2021年政府信息公开工作年度报告", "2022-01-20"), ("/xxgk/ndbg/jtj2020.html", title, "2021-01-20")]))
    # the cells OCR must give: every figure of both reports
    truth = {"images": gov, "scan": transport}
    (HERE / "ocr_truth.json").write_text(json.dumps({k: {t: r[t] for t in ("agency", "year", "template", "active", "applications", "appeals")}
                                                     for k, r in truth.items()}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# What OCR of the two picture reports raises (a doubtful figure left blank is partial_table).
OCR_FLAGS = {"images": ["ocr", "partial_table"], "scan": ["ocr", "partial_table"]}


# ------------------------------------------------------------------ attachments

def _table_lines(report: dict) -> list[str]:
    """The three tables as a word processor's plain lines: a label, then the row's figures."""
    template = report["template"]
    lines = ["二、主动公开政府信息情况"]
    for item in ACTIVE_ITEMS_BY_TEMPLATE[template]:
        lines.append("信息内容 " + " ".join(MEASURE_LABELS[template][m] for m in item.measures))
        lines.append(item.label + " " + " ".join(f"{report['active'][item.key][m]:g}" for m in item.measures))
    lines += ["三、收到和处理政府信息公开申请情况", " ".join(APPLICANT_LABELS[c] for c in COLS)]
    group_starts = {"denied_state_secret": "denied", "unavailable_not_held": "unavailable", "rejected_complaints": "rejected",
                    "other_no_correction": "other"}
    for key in APPLICATION_ROWS:
        if key not in report["applications"] or (key == "other" and template == "2021"):
            continue
        if key in group_starts:
            lines.append(GROUP_LABELS[group_starts[key]])
        lines.append(APPLICATION_ROW_LABELS[key] + " " + " ".join(str(report["applications"][key][c]) for c in COLS))
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
              " ".join(str(report["appeals"][k][o]) for k in APPEAL_KINDS for o in APPEAL_OUTCOMES),
              "五、存在的主要问题及改进情况", "公开质量有待提高。", "六、其他需要报告的事项", "无。"]
    return lines


def report_pdf(report: dict) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    lines = [f"{report['agency']}{report['year']}年政府信息公开工作年度报告", "一、总体情况", *prose_for(report)[:1], *_table_lines(report)]
    y = 800
    for line in lines:
        for start in range(0, len(line), 46):
            if y < 50:
                pdf.showPage()
                y = 800
            pdf.setFont("STSong-Light", 10)
            pdf.drawString(40, y, line[start:start + 46])
            y -= 16
    pdf.save()
    return out.getvalue()


def report_docx(report: dict) -> bytes:
    import datetime

    import docx
    document = docx.Document()
    # fixed metadata, so rebuilding the sites gives the same bytes
    document.core_properties.created = document.core_properties.modified = datetime.datetime(2022, 1, 20)
    for line in [f"{report['agency']}{report['year']}年政府信息公开工作年度报告", "一、总体情况", *prose_for(report)[:1], *_table_lines(report)]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main():
    if SITES.exists():
        shutil.rmtree(SITES)
    sys.modules.setdefault("demo.build_sites", sys.modules[__name__])    # one EXPECTED, also when run as a script
    from demo.platform_sites import gkmlpt_catalogue, hanweb_county, js_only
    for build in (qingyang, panshan, xinzhou, yingzhou_mirror, linjiang, dongpo, hanweb_county, gkmlpt_catalogue, js_only, shimen):
        build()
    (HERE / "expected.json").write_text(json.dumps(EXPECTED, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"built {len(list(SITES.iterdir()))} hosts, {len(EXPECTED)} expected reports")


if __name__ == "__main__":
    main()
