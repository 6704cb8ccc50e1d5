"""Demo portals on the list platforms real agency sites run (built by demo/build_sites.py):
a Hanweb county whose records sit behind the data proxy, a GKMLPT catalogue app reading a JSON
API that needs its site id, and a portal whose list only JavaScript writes."""
from __future__ import annotations

import json
from html import escape

from demo.apis import PROXY_PATH, record_html
from demo.build_sites import EXPECTED, expect, home, make_report, prose_for, write
from demo.render import page, report_body

FILLER = ["关于印发《{0}2022年政务公开工作要点》的通知", "{0}2021年法治政府建设情况报告", "{0}政府信息公开指南",
          "{0}2022年部门预算公开", "{0}关于调整城乡居民医疗保险缴费标准的通知", "{0}2021年重点民生实事进展情况",
          "{0}行政事业性收费目录清单", "{0}政府信息公开制度"]


def _article(host, path, title, body, site, publisher, date, pages=None, sidebar=()):
    """A Hanweb article: the CMS's ArticleTitle / PubDate / ContentSource metas over the page."""
    head = (f'<meta name="PubDate" content="{date} 09:30">\n<meta name="ContentSource" content="{escape(publisher)}">\n'
            f'<meta name="ColumnName" content="政府信息公开年报">\n')
    html = page(title, body + (pages or ""), site=site, meta_block={"发布机构": publisher, "发布日期": date}, extra_head=head,
                sidebar=sidebar)
    write(host, path, html)


def _jpage(unit: str, column: int, webid: int, site: str, records: list[str], per_page: int, group: int) -> str:
    """A Hanweb list widget: the first group of records embedded, the rest behind the proxy."""
    first = records[:per_page * group]
    store = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in first)
    nextgroup = (f'<a href="{PROXY_PATH}?page=1&amp;webid={webid}&amp;path=/&amp;columnid={column}&amp;unitid={unit}'
                 f'&amp;webname={escape(site)}&amp;permissiontype=0"></a>')
    return f"""<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{store}</recordset>
</datastore></script></div>
<script language="javascript" src="/module/web/jpage/jquery.min.js"></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">
$(document).ready(function () {{
  $('#{unit}').jpage({{
    dataStore: dataStore{unit},
    proxyUrl: '{PROXY_PATH}',
    perPage: {per_page},
    groupSize: {group},
    totalRecord: {len(records)},
    barPosition: 'bottom',
    ajaxParam: {{col: 1, appid: 1, webid: {webid}, path: '/', columnid: {column}, sourceContentType: 1, unitid: '{unit}', webname: '{site}', permissiontype: 0}}
  }});
}});
</script>"""


def hanweb_county():
    """Hanweb county: column pages whose records are embedded in <datastore> (10 of 24) and paged through
    the POST data proxy; look-alikes in the list; a news widget of 300 records on the home page; a report
    split over two pages whose first page ends before table 三 and, by its headings and its sidebar of other
    reports, looks like a list of reports."""
    host, site, webid = "www.baishui.gov.test", "白水县人民政府", 37
    write(host, "robots.txt", "User-agent: *\nDisallow: /module/web/jpage/jpage.js\n")
    news = [record_html(f"/art/2022/3/{d % 28 + 1}/art_1002_{d}.html", f"白水县召开第{d}次县政府常务会议", f"2022-03-{d % 28 + 1:02d}")
            for d in range(1, 301)]
    body = ('<ul class="portal-nav"><li><a href="/col/col1001/index.html">政府信息公开</a></li>'
            '<li><a href="/col/col1002/index.html">工作动态</a></li></ul><h3>工作动态</h3>'
            + _jpage("4601", 1002, webid, site, news, 5, 2))
    write(host, "index.html", page(site, body, site=site, breadcrumb="首页"))
    for r in news[:10]:         # the embedded news exist; the other 290 are never asked for
        href = r.split('href="')[1].split('"')[0]
        title = r.split('title="')[1].split('"')[0]
        write(host, href, page(title, f"<h1>{escape(title)}</h1><p>会议研究了政府信息公开工作年度报告编制事项。</p>", site=site))
    for col, name in (("1003", "政府信息公开指南"), ("1004", "政府信息公开制度"), ("1005", "法定主动公开内容")):
        write(host, f"col/col{col}/index.html", page(name, f"<h1>{name}</h1><p>本栏目内容更新中。</p>", site=site))
    write(host, "col/col1001/index.html", home(site, [
        ("/col/col1003/index.html", "政府信息公开指南"), ("/col/col1004/index.html", "政府信息公开制度"),
        ("/col/col1229/index.html", "政府信息公开年报"), ("/col/col1005/index.html", "法定主动公开内容")]))

    reports = [make_report(site, y, 300 + y, f"{y + 1}-01-1{y % 9}") for y in (2022, 2021, 2020, 2019)]
    reports += [make_report("白水县教育局", 2021, 311, "2022-01-24"), make_report("白水县卫生健康局", 2021, 312, "2022-01-26"),
                make_report("白水县自然资源局", 2022, 313, "2023-01-17"), make_report("城关街道办事处", 2022, 314, "2023-01-19"),
                make_report("白水县民政局", 2020, 315, "2021-01-22")]
    split = make_report("白水县财政局", 2022, 316, "2023-01-18")
    lookalikes = [("《白水县人民政府2021年政府信息公开工作年度报告》解读", "一、年度报告的主要内容。全年共收到申请若干件。"),
                  ("图解：白水县2022年政府信息公开工作年度报告", "图片"),
                  ("白水县2021年度统计年报", "2021年全县地区生产总值增长4.1%。"),
                  ("白水县召开政府信息公开工作年度报告编制培训会", "会议部署了年度报告编制工作。"),
                  ("白水县2022年政府工作报告", "各位代表：现在，我代表县人民政府向大会报告工作。"),
                  ("关于做好2022年度政府信息公开工作年度报告编制发布工作的通知", "各乡镇、县直各部门：请于1月31日前发布。")]
    records = []
    n = 0
    for i, item in enumerate(reports + [split] + lookalikes + FILLER):
        n += 1
        date = item["published"] if isinstance(item, dict) else f"2022-0{i % 9 + 1}-15"
        y, m, d = date.split("-")
        path = f"/art/{y}/{int(m)}/{int(d)}/art_1229_{n}.html"
        if isinstance(item, dict) and item is split:
            title = f"{split['agency']}{split['year']}年政府信息公开工作年度报告"
            full = report_body(split, prose_for(split)).replace("一、总体情况", "一、基本情况").replace(
                "二、主动公开政府信息情况", "二、主动公开情况")
            cut = full.index("<p>三、收到和处理政府信息公开申请情况</p>")
            second = path.replace(".html", "_2.html")
            related = [("/art/2022/1/15/art_1229_2.html", "白水县人民政府2021年政府信息公开工作年度报告"),
                       ("/art/2021/1/14/art_1229_3.html", "白水县人民政府2020年政府信息公开工作年度报告"),
                       ("/art/2020/1/13/art_1229_4.html", "白水县人民政府2019年政府信息公开工作年度报告")]
            _article(host, path, title, full[:cut], site, split["agency"], date,
                     f'<div class="pages">第1页 <a href="{second.rsplit("/", 1)[1]}">下一页</a></div>', sidebar=related)
            _article(host, second, title, full[cut:], site, split["agency"], date,
                     f'<div class="pages"><a href="{path.rsplit("/", 1)[1]}">上一页</a> 第2页</div>')
            expect(site, split, f"http://{host}{path}")
        elif isinstance(item, dict):
            title = f"{item['agency']}{item['year']}年政府信息公开工作年度报告"
            _article(host, path, title, report_body(item, prose_for(item)), site, item["agency"], date)
            expect(site, item, f"http://{host}{path}")
        elif isinstance(item, tuple):
            title = item[0]
            _article(host, path, title, f"<h1>{escape(title)}</h1><p>{escape(item[1])}</p>", site, site, date)
        else:
            title = item.format("白水县")
            _article(host, path, title, f"<h1>{escape(title)}</h1><p>正文。</p>", site, site, date)
        records.append((date, record_html(path, title, date)))
    # newest first, as the CMS lists them: reports end up both in the embedded group and behind the proxy
    records = [r for _, r in sorted(records, key=lambda x: x[0], reverse=True)]
    write(host, "col/col1229/index.html", page("政府信息公开年报", '<div class="list-title">政府信息公开年报</div>'
                                                + _jpage("4611", 1229, webid, site, records, 5, 2), site=site))
    data = {"webid": webid, "columns": {"1229": {"unitid": "4611", "records": records},
                                        "1002": {"unitid": "4601", "records": news}}}
    write(host, "_data/hanweb.json", json.dumps(data, ensure_ascii=False, indent=0))


def gkmlpt_catalogue():
    """GKMLPT-style catalogue app: an empty shell whose script reads the category tree and the lists from
    /gkmlpt/api/…?sid=…; the report categories span two pages; article pages are server-rendered."""
    host, site, sid = "www.songhu.gov.test", "松湖区人民政府", "755031"
    base = f"http://{host}:8808"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/gkmlpt/index", "政府信息公开"), ("/xwzx/index.html", "新闻中心")]))
    shell = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开_{site}</title>
<script>window._CONFIG = {{SID: '{sid}', SITE_NAME: '{site}', THEME: 'blue', IS_MOBILE: false}};</script>
<script src="/gkmlpt/static/js/app.js"></script></head>
<body><div id="app"></div></body></html>"""
    write(host, "gkmlpt/index", shell)
    app = """(function () {
  var sid = window._CONFIG.SID, app = document.getElementById('app');
  fetch('/gkmlpt/api/tree?sid=' + sid).then(function (r) { return r.json(); }).then(function (tree) {
    app.innerHTML = tree.map(function (c) { return '<div class="cat" data-id="' + c.id + '">' + c.name + '</div>'; }).join('');
  });
})();"""
    write(host, "gkmlpt/static/js/app.js", app)

    gov = [make_report(site, y, 400 + y, f"{y + 1}-01-2{y % 8}") for y in (2023, 2022, 2021, 2020, 2019)]
    depts = [make_report("松湖区发展和改革局", 2022, 421, "2023-01-16"), make_report("松湖区教育局", 2022, 422, "2023-01-20"),
             make_report("松湖区司法局", 2021, 423, "2022-01-21"), make_report("松湖街道办事处", 2022, 424, "2023-01-28")]
    articles: dict[str, list] = {"12": [], "13": [], "3": []}
    post = 8100000

    def publish(category, title, body, agency, date):
        nonlocal post
        post += 7
        path = f"/gkmlpt/content/8/{post // 1000}/post_{post}.html"
        write(host, path, page(title, body, site=site, meta_block={"发布机构": agency, "发布日期": date},
                               breadcrumb="首页 > 政府信息公开 > 政府信息公开目录"))
        articles[category].append({"id": post, "title": title, "url": f"{base}{path}#{category}", "publisher": agency,
                                    "date": date, "identifier": f"11440300MB2C{post % 10000:04d}/{date[:4]}-00{post % 97:03d}"})
        return path

    for r in gov:
        path = publish("12", f"{r['agency']}{r['year']}年政府信息公开工作年度报告", report_body(r, prose_for(r)), r["agency"], r["published"])
        expect(site, r, f"http://{host}{path}")
    publish("12", "《松湖区人民政府2022年政府信息公开工作年度报告》政策解读", "<h1>政策解读</h1><p>一、年度报告的主要内容。</p>", site, "2023-02-01")
    publish("12", "图解：松湖区2021年政府信息公开工作年度报告", "<h1>图解</h1><p>图片</p>", site, "2022-02-03")
    for r in depts:
        path = publish("13", f"{r['agency']}{r['year']}年政府信息公开工作年度报告", report_body(r, prose_for(r)), r["agency"], r["published"])
        expect(site, r, f"http://{host}{path}")
    for i, title in enumerate(FILLER):
        publish("3", title.format("松湖区"), "<h1>文件</h1><p>正文。</p>", site, f"2022-0{i + 1}-10")
    tree = [{"id": 1, "name": "机构职能", "children": []},
            {"id": 3, "name": "政策文件", "children": [{"id": 31, "name": "区政府文件", "children": []}]},
            {"id": 11, "name": "政府信息公开年报", "children": [
                {"id": 12, "name": "区政府信息公开年报", "children": []},
                {"id": 13, "name": "部门信息公开年报", "children": []}]},
            {"id": 20, "name": "财政预决算", "children": []}]
    write(host, "_data/gkmlpt.json", json.dumps({"sid": sid, "tree": tree, "articles": articles, "page_size": 5},
                                                ensure_ascii=False, indent=0))


def js_only():
    """A portal whose report list exists only after its script runs: no link, no data an adapter can read."""
    host, site = "www.yunxi.gov.test", "云溪区人民政府"
    write(host, "robots.txt", "User-agent: *\nDisallow:\n")
    write(host, "index.html", home(site, [("/zwgk/index.html", "政务公开")]))
    write(host, "zwgk/index.html", home(site, [("/zwgk/ndbg/index.html", "政府信息公开年报"), ("/zwgk/zn.html", "政府信息公开指南")]))
    write(host, "zwgk/zn.html", page("政府信息公开指南", "<h1>政府信息公开指南</h1><p>本指南说明申请方式。</p>", site=site))
    reports = [make_report(site, 2022, 501, "2023-01-18"), make_report(site, 2021, 502, "2022-01-20"),
               make_report("云溪区财政局", 2022, 503, "2023-01-29")]
    rows = []
    for i, r in enumerate(reports, start=1):
        y, m, d = r["published"].split("-")
        path = f"/zwgk/ndbg/{y}{m}/t{y}{m}{d}_{i}.html"
        write(host, path, page(f"{r['agency']}{r['year']}年政府信息公开工作年度报告", report_body(r, prose_for(r)), site=site,
                               meta_block={"发布机构": r["agency"], "发布日期": r["published"]}))
        expect(site, r, f"http://{host}{path}")
        EXPECTED[-1]["needs_browser"] = True      # found only where Chromium renders the list
        rows.append(f"[{y}, '{m}{d}', {i}, {json.dumps(r['agency'], ensure_ascii=False)}, {r['year']}]")
    write(host, "zwgk/ndbg/202302/t20230205_9.html", page("云溪区2022年政府信息公开工作年度报告解读",
                                                          "<h1>解读</h1><p>年度报告的主要内容。</p>", site=site))
    rows.append("[2023, '0205', 9, '云溪区', 2022, '解读']")
    script = """<script>
(function () {
  var rows = [ROWS];
  var list = document.getElementById('list');
  // a statistics beacon to a host that is not the portal's: the rendering browser must not send it
  try { fetch('http://hm.tongji.test:8808/collect?site=yunxi&p=' + encodeURIComponent(location.pathname)); } catch (e) {}
  rows.forEach(function (r) {
    var li = document.createElement('li'), a = document.createElement('a');
    a.href = '/zwgk/ndbg/' + r[0] + r[1].slice(0, 2) + '/t' + r[0] + r[1] + '_' + r[2] + '.html';
    a.textContent = r[3] + r[4] + '年政府信息公开' + '工作年度报告' + (r[5] || '');
    li.appendChild(a); list.appendChild(li);
  });
})();
</script>""".replace("ROWS", ", ".join(rows))
    write(host, "zwgk/ndbg/index.html", page("政府信息公开年报", f'<div class="list-title">政府信息公开年报</div><ul id="list"></ul>{script}',
                                             site=site))
