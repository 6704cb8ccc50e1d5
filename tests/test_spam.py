"""Casino and lottery text injected into pages: found precisely, removed, flagged."""

from crawler.report import parse_report
from crawler.spam import find_spam
from tests.fixtures import HTML


def test_spam_terms_are_precise():
    assert find_spam("民政局福利彩票公益金使用情况") == []
    assert find_spam("打击赌博违法犯罪专项行动") == []
    assert find_spam("体育彩票投注站管理") == []
    # crime-fighting and market-regulation prose names gambling without advertising it
    assert find_spam("严厉打击网络博彩犯罪，查处老虎机12台，规范互联网彩票平台") == []
    assert find_spam("北京赛车pk10官网开户") == ["北京赛车pk10官网开户"]
    assert find_spam("六宝典app下载，六宝典官网") == ["六宝典app下载，六宝典官网"]


def test_casino_links_on_an_otherwise_clean_page_are_flagged():
    html = (HTML / "county_2020_rowspan.html").read_text(encoding="utf-8")
    html = html.replace("<h3>相关链接</h3>", '<h3>相关链接</h3><a href="http://x.test/">澳门新葡京娱乐城</a>')
    r = parse_report(html.encode())
    assert [(f["code"], f["detail"]) for f in r["flags"]] == [("spam_injection", "gambling links on the page: 新葡京娱乐城")]
