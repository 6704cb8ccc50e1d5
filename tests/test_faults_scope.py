"""Fault suite, scope: a crawl stays on its portal's host, scheme and port, never reaches a
private or loopback address it was not given, and counts redirect hops against its budget.
Every server is on loopback; the guard is shown to refuse before connecting."""
import ipaddress
import re

import pytest
import sqlite_utils
from twisted.internet import reactor

from crawler.resolver import RefusedAddress, StaticHostsResolver
from crawler.scope import AddressPolicy, allowed_origins, classify_address, scope_refusal
from tests.hostile import HostileServer, crawl, index_html, link, page, redirect, report_html

PORTAL = "www.hostile.gov.test"
INTRANET = "intranet.hostile.gov.test"


@pytest.fixture(scope="module")
def scope_crawl(tmp_path_factory):
    """A portal whose pages, redirects, refreshes, frames and robots.txt all point at the same
    host on another port, or at a subdomain that resolves to 127.0.0.2."""
    other = HostileServer({"/": page(report_html()), "/robots.txt": page("User-agent: *\n", ctype="text/plain")})
    with other:
        elsewhere = f"http://{PORTAL}:{other.port}"
        routes = {
            "/robots.txt": redirect(f"{elsewhere}/robots.txt"),
            "/redirect-port.html": redirect(f"{elsewhere}/ndbg/redirected.html"),
            "/redirect-intranet.html": redirect("http://{intranet}/ndbg/redirected.html"),
            "/refresh.html": page(index_html(head=f'<meta http-equiv="refresh" content="0; url={elsewhere}/ndbg/refreshed.html">')),
            "/base.html": page(index_html(link("ndbg/based.html"), head=f'<base href="{elsewhere}/">')),
            "/frame.html": page(index_html().replace("</body>", f'<iframe src="{elsewhere}/ndbg/framed.html"></iframe></body>')),
            "/ndbg/2021.html": page(report_html()),
        }
        with HostileServer(routes) as portal:
            intranet_address = f"{INTRANET}:{portal.port}"
            routes["/redirect-intranet.html"] = redirect(f"http://{intranet_address}/ndbg/redirected.html")
            routes["/"] = page(index_html(
                link(f"{elsewhere}/ndbg/other-port.html"), link(f"https://{PORTAL}:{portal.port}/ndbg/other-scheme.html"),
                link(f"http://127.0.0.1:{portal.port}/ndbg/by-address.html"), link(f"http://{intranet_address}/ndbg/intranet.html"),
                link("/redirect-port.html", "2020年政府信息公开工作年度报告"), link("/redirect-intranet.html", "2019年政府信息公开工作年度报告"),
                link("/refresh.html", "信息公开年报"), link("/base.html", "年报专栏"), link("/frame.html", "年度报告专栏"),
                link("/ndbg/2021.html")))
            # the subdomain listens too, on 127.0.0.2: it must never see a connection
            with HostileServer(routes, address="127.0.0.2", port=portal.port) as intranet:
                db = tmp_path_factory.mktemp("scope") / "reports.db"
                result = crawl(f"http://{PORTAL}:{portal.port}/", db,
                               "-s", f"RESOLVE={PORTAL}=127.0.0.1,{INTRANET}=127.0.0.2",
                               "-s", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1")
                return {"result": result, "portal": list(portal.requests), "other": list(other.requests),
                        "other_connections": other.connections, "intranet_connections": intranet.connections, "db": db}


def test_the_portal_itself_is_crawled(scope_crawl):
    result = scope_crawl["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    paths = {path for _, path in scope_crawl["portal"]}
    assert {"/", "/ndbg/2021.html", "/redirect-port.html", "/refresh.html", "/base.html", "/frame.html"} <= paths
    db = sqlite_utils.Database(scope_crawl["db"])
    assert [(r["agency"], r["year"]) for r in db.query("SELECT agency, year FROM reports")] == [("青阳县人民政府", 2021)]


def test_nothing_reaches_the_same_host_on_another_port(scope_crawl):
    """Links, <base href>, iframes, 3xx redirects, meta refresh and robots.txt redirects."""
    assert scope_crawl["other"] == []
    assert scope_crawl["other_connections"] == 0


def test_a_subdomain_on_a_loopback_address_is_refused_before_connecting(scope_crawl):
    assert scope_crawl["intranet_connections"] == 0


def test_refusals_are_counted_by_reason(scope_crawl):
    refused = scope_crawl["result"].counts("refused by reason")
    assert refused.get("loopback_address", 0) >= 2        # the intranet link and the redirect to it
    assert refused.get("offsite_port", 0) >= 3            # redirect, refresh and robots.txt redirect
    # other port, other scheme, by address, through <base href>, in an iframe
    dropped = re.search(r"off-domain links dropped: (\d+)", scope_crawl["result"].stat("pages fetched"))
    assert int(dropped.group(1)) >= 5


def test_redirect_hops_spend_the_page_budget(tmp_path):
    """Each of 20 report links redirects 15 times: a budget of 20 pages stays 20 requests."""
    routes = {"/robots.txt": page("User-agent: *\nAllow: /\n", ctype="text/plain")}
    for n in range(20):
        for hop in range(15):
            routes[f"/r/{n}/{hop}.html"] = redirect(f"/r/{n}/{hop + 1}.html")
        routes[f"/r/{n}/15.html"] = page(report_html(year=2021))
    routes["/"] = page(index_html(*(link(f"/r/{n}/0.html", f"{2000 + n}年政府信息公开工作年度报告") for n in range(20))))
    with HostileServer(routes) as server:
        result = crawl(f"http://127.0.0.1:{server.port}/", tmp_path / "budget.db", "-a", "max_pages=20", "-a", "years=2000-2030")
    assert result.returncode == 0, result.stderr[-3000:]
    pages = [p for _, p in server.requests if p != "/robots.txt"]
    assert len(pages) <= 20
    assert result.counts("refused by reason").get("redirect_budget", 0) >= 1


def test_redirect_loops_end(tmp_path):
    routes = {"/": page(index_html(link("/loop/a.html"))), "/loop/a.html": redirect("/loop/b.html"),
              "/loop/b.html": redirect("/loop/a.html?again")}
    routes["/loop/a.html?again"] = redirect("/loop/b.html?again")
    routes["/loop/b.html?again"] = redirect("/loop/a.html")
    with HostileServer(routes) as server:
        result = crawl(f"http://127.0.0.1:{server.port}/", tmp_path / "loop.db")
    assert result.returncode == 0
    assert len(server.requests) <= 30


def test_loopback_start_urls_are_allowed_and_nothing_else_is(tmp_path):
    """An explicit http://127.0.0.1:PORT/ start URL is the user's own server: crawled without a setting."""
    with HostileServer({"/": page(index_html(link("/ndbg/2021.html"))), "/ndbg/2021.html": page(report_html())}) as server:
        result = crawl(f"http://127.0.0.1:{server.port}/", tmp_path / "local.db")
    assert result.returncode == 0 and result.counts("refused by reason") == {}
    assert ("127.0.0.1", "/ndbg/2021.html") in server.requests


def test_a_portal_name_on_a_loopback_address_is_refused_without_the_setting(tmp_path):
    with HostileServer({"/": page(report_html())}) as server:
        result = crawl(f"http://{PORTAL}:{server.port}/", tmp_path / "refused.db", "-s", f"RESOLVE={PORTAL}=127.0.0.1")
    assert result.returncode == 0
    assert server.connections == 0
    assert result.counts("refused by reason") == {"loopback_address": 1}


# ------------------------------------------------------------------ the pure functions

@pytest.mark.parametrize("address, kind", [
    ("8.8.8.8", None), ("2001:4860:4860::8888", None), ("114.114.114.114", None),
    ("127.0.0.1", "loopback"), ("127.255.0.2", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
    ("172.32.0.1", None), ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"),
    ("169.254.10.10", "link_local"), ("fe80::1", "link_local"), ("fe80::1%eth0", "link_local"),
    ("fc00::1", "unique_local"), ("fd12:3456::1", "unique_local"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("100.64.0.1", "shared"), ("224.0.0.1", "multicast"),
    ("192.0.2.1", "reserved"), ("255.255.255.255", "reserved"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.1.2.3", "private"), ("::ffff:8.8.8.8", None),
    ("64:ff9b::a9fe:a9fe", "metadata"), ("2002:c0a8:0101::1", "private"), ("not-an-address", "invalid"),
])
def test_address_classifier(address, kind):
    assert classify_address(address) == kind


def test_policy_allows_only_what_it_was_given():
    policy = AddressPolicy.for_crawl("10.20.0.0/16", ["http://127.0.0.1:8000/", "https://www.gov.cn/"])
    assert policy.refusal("127.0.0.1") is None and policy.refusal("10.20.3.4") is None
    assert policy.refusal("127.0.0.2") == "loopback_address"
    assert policy.refusal("10.21.0.1") == "private_address"
    assert policy.refusal("169.254.169.254") == "metadata_address"
    assert policy.refusal("202.108.22.5") is None
    assert AddressPolicy.for_crawl("", ["http://localhost:8000/"]).refusal("::1") is None
    assert AddressPolicy.for_crawl("", ["http://10.0.0.1/"]).refusal("10.0.0.1") == "private_address"
    assert all(isinstance(n, (ipaddress.IPv4Network, ipaddress.IPv6Network)) for n in policy.allowed)


def test_scope_is_host_and_port_and_scheme():
    domains = {"ly.gov.cn"}
    assert scope_refusal("https://xxgk.ly.gov.cn/a.html", "http://www.ly.gov.cn/", domains) is None
    assert scope_refusal("http://www.ly.gov.cn:8080/a.html", "http://www.ly.gov.cn/", domains) == "offsite_port"
    assert scope_refusal("http://www.ly.gov.cn.evil.test/", "http://www.ly.gov.cn/", domains) == "offsite_host"
    assert scope_refusal("ftp://www.ly.gov.cn/", "http://www.ly.gov.cn/", domains) == "offsite_scheme"
    assert scope_refusal("http://www.ly.gov.cn:8080/b", "http://www.ly.gov.cn:8080/", domains) is None
    assert scope_refusal("http://www.ly.gov.cn/b", "http://www.ly.gov.cn:8080/", domains) == "offsite_port"
    assert scope_refusal("https://www.ly.gov.cn:8080/b", "http://www.ly.gov.cn:8080/", domains) == "offsite_scheme"
    assert scope_refusal("http://www.ly.gov.cn:99999/", "http://www.ly.gov.cn/", domains) == "offsite_port"
    assert allowed_origins("http://www.ly.gov.cn:80/") == {("http", 80), ("https", 443)}


def test_the_resolver_refuses_at_resolution_time():
    resolver = StaticHostsResolver(reactor, 0, 5, {"intranet.hostile.gov.test": "127.0.0.2", "public.test": "202.108.22.5"})
    failures = []
    resolver.getHostByName("intranet.hostile.gov.test").addErrback(failures.append)
    assert failures and failures[0].check(RefusedAddress) and failures[0].value.reason == "loopback_address"
    answers = []
    resolver.getHostByName("public.test").addCallback(answers.append)
    assert answers == ["202.108.22.5"]
