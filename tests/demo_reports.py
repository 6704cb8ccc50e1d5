"""Demo-like report pages with chosen figures, stored through the real parse and store path:
what the dataset-level checks, reviews and exports are tested on."""
from crawler import store
from crawler.items import ReportItem
from crawler.jobs import parse_item
from demo.build_sites import make_report, prose_for
from demo.render import page, report_body

PORTAL = {"agency": "青阳县人民政府", "region_code": "341723", "level": "county", "start_url": "http://www.qingyang.gov.test/"}


def report(agency: str, year: int, new: int, carried: int = 0, forward: int = 0, licensing: int = 300,
           title: str | None = None, **active_2019) -> dict:
    """A balanced report (all applications from natural persons, all granted) with these figures."""
    made = make_report(agency, year, seed=year, published=f"{year + 1}-01-20", title=title)
    for values in made["applications"].values():
        for column in values:
            values[column] = 0
    handled = new + carried - forward
    for row, value in (("new_received", new), ("carried_over", carried), ("carried_forward", forward),
                       ("granted", handled), ("total_handled", handled)):
        made["applications"][row].update(natural_person=value, total=value)
    made["active"]["licensing"]["decisions"] = licensing
    for item, measures in active_2019.items():
        made["active"][item].update(measures)
    return made


def store_report(db, made: dict, url: str) -> dict:
    title = made.get("title") or f"{made['agency']}{made['year']}年政府信息公开工作年度报告"
    html = page(title, report_body(made, prose_for(made)), site="青阳县人民政府",
                meta_block={"发布机构": made["agency"], "发布日期": made["published"]})
    item = ReportItem(url=url, body=html.encode("utf-8"), headers={"Content-Type": "text/html"}, content_type="text/html",
                      fetched_at="2026-11-01T00:00:00+00:00", portal=PORTAL)
    return store.store_fetch(db, item, parse_item(item))
