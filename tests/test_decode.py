"""Bytes to text: lying charsets, GBK, Big5, stray bytes."""

from crawler.decode import decode_bytes
from crawler.report import parse_report
from tests.fixtures import SITES, assert_tables, parse_html_fixture
from tests.fixtures import html_cases as cases


def test_decode_variants():
    text = "<html><head><meta charset='gbk'></head><body>政府信息公开</body></html>"
    honest = decode_bytes(text.encode("gbk"))
    assert (honest.text, honest.encoding, honest.repaired) == (text, "gb18030", False)
    utf8_says_gbk = decode_bytes(text.encode("utf-8"))
    assert (utf8_says_gbk.text, utf8_says_gbk.repaired) == (text, True)
    header_wins = decode_bytes(text.encode("gbk"), "text/html; charset=GB2312")
    assert header_wins.encoding == "gb18030" and not header_wins.repaired
    garbage = decode_bytes(b"\xff\xfe\xfa" * 50 + "年度报告".encode())
    assert isinstance(garbage.text, str)


def test_one_bad_byte_does_not_turn_a_page_to_mojibake():
    page = ("<html><head><meta charset='utf-8'></head><body>" + "<p>政府信息公开工作年度报告</p>" * 20 + "</body></html>").encode()
    broken = page[:60] + b"\xff" + page[60:]
    decoded = decode_bytes(broken)
    assert decoded.encoding == "utf-8" and not decoded.repaired and "年度报告" in decoded.text
    gbk = "<html><head><meta charset='gbk'></head><body>政府信息公开工作年度报告</body></html>".encode("gbk")
    decoded = decode_bytes(gbk.replace(b"</body>", b"\x81</body>"))
    assert decoded.encoding == "gb18030" and not decoded.repaired and "政府信息公开" in decoded.text


def test_gbk_bytes_labelled_utf8_are_repaired():
    r = parse_html_fixture("gbk_says_utf8.html")
    assert_tables(r, cases.COUNTY_2020)
    assert [f["code"] for f in r["flags"]] == ["encoding_repaired"]
    assert r["source"]["encoding"] == "gb18030"


def test_big5_traditional_page_with_and_without_an_honest_meta():
    page = (SITES / "www.panshan.gov.test" / "zwgk" / "ndbg" / "202201"
            / "t20220128_1.html").read_text(encoding="utf-8")
    honest = parse_report(page.replace("charset=utf-8", "charset=big5").encode("big5hkscs", errors="replace"))
    lying = parse_report(page.encode("big5hkscs", errors="replace"))   # one variant character has no Big5 code
    for report in (honest, lying):
        assert (report["agency"], report["year"], report["source"]["encoding"]) == ("盘山县人民政府办公室", 2021, "big5hkscs")
    assert [f["code"] for f in honest["flags"]] == ["traditional_script"]
    assert [f["code"] for f in lying["flags"]] == ["encoding_repaired", "traditional_script"]
