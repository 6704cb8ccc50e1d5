"""The cheap checks that let the parser skip a search (bench/parse_bench.py) never skip a match:
each case below is what the full search finds, at the edge of what the check lets through."""
import pytest

from crawler import limits
from crawler.clean import clean_text, join_split_words
from crawler.extract import _flatten_huge_spans, element_text, parse_html, text_nodes, weak_titles
from crawler.spam import find_spam, strip_spam


@pytest.mark.parametrize("phrase", [
    "BET365官网注册", "Bob体育app下载", "KY棋牌官网", "\u212aY棋牌官网",   # brands in any case (a Kelvin sign K too)
    "彩票APP下载",                                                       # a gambling word with its advertisement
    "香港六合彩资料大全", "新澳门精准资料大全免费", "免费资料大全", "管家婆一码一肖",   # lottery tipsters
])
def test_every_kind_of_injected_phrase_is_still_found(phrase):
    assert find_spam(f"本机关2023年度报告。{phrase}。") == [phrase]
    assert strip_spam(phrase) == ""


def test_text_without_a_gambling_term_is_left_alone():
    assert find_spam("严厉打击赌博违法犯罪，规范体育彩票投注站") == []
    assert strip_spam("打击赌博") == "打击赌博"


def test_glosses_chained_after_one_character_are_all_removed():
    # the second gloss is found only once the first is gone: text and flag as before
    assert clean_text("規(guī)(wǎng)定") == ("规定", [
        {"code": "text_artifacts", "detail": "1 inline pinyin glosses removed, e.g. 規(guī)"},
        {"code": "traditional_script", "detail": "50% of Han characters were Traditional; converted to Simplified"}])
    assert clean_text("规(guī)定 网（wǎng）站")[0] == "规定网站"


def test_chrome_labels_count_at_the_start_of_a_line_only():
    text, _ = clean_text("联系电话：0731-1234\n请拨打联系电话：123\n  打印 \n】：\n正文 商业 企业\t 个人")
    assert text == "请拨打联系电话:123\n正文商业企业个人"


def test_spaces_are_joined_only_between_han_characters():
    assert [join_split_words(t) for t in ("商业 企业", "商业\t \t企业", "a 企业", "商业  a", " 企业")] == \
        ["商业企业", "商业企业", "a 企业", "商业  a", " 企业"]


def test_text_nodes_cells_and_titles_read_as_a_walk_of_the_tree_would():
    tree = parse_html("<html><body><div class='x-title'>A</div><p id='subtitle' class='title'>B<b>c</b>d</p>tail"
                      "<table><tr><td>1</td><td><p>2</p> 3</td></tr></table></body></html>")
    assert text_nodes(tree, 100) == "A\nB\nc\nd\ntail\n1\n2\n3"
    assert text_nodes(tree, 2) == "A\nB\nc"
    assert [element_text(e) for e in tree.iter("td")] == ["1", "2 3"]
    assert weak_titles(tree) == ["A", "Bcd"]      # once each, in page order


@pytest.mark.parametrize("cells, flattened", [(4, False), (5, True)])
def test_spans_are_dropped_from_a_table_just_over_the_limit(monkeypatch, cells, flattened):
    monkeypatch.setattr(limits, "TABLE_MAX_CELLS", 20)
    # 5 cells of 2x2 are 20 positions, at the limit; the outer layout table holds them and its own cell: 21
    inner = "<table><tr>" + '<td colspan="2" rowspan="2">1</td>' * cells + "</tr></table>"
    tree = parse_html(f"<html><body><table><tr><td>{inner}</td></tr></table></body></html>")
    _flatten_huge_spans(tree)
    spanned = [td for td in tree.iter("td") if td.get("colspan")]
    assert len(spanned) == (0 if flattened else cells)
