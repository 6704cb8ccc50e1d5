"""Text layouts real sites produce, and the units under the parser."""
from pathlib import Path

from crawler.clean import clean_text
from crawler.decode import decode_bytes
from crawler.identify import canonical_agency, find_title, is_plausible_agency
from crawler.report import parse_report
from crawler.spam import find_spam
from crawler.tables import parse_applications, text_tokens
from html_cases import COLS

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
HEAD = "东坡区司法局2020年政府信息公开工作年度报告\n一、总体情况\n2020年，全年共收到政府信息公开申请7件。\n"
ROWS_2019 = [
    ("一、本年新收政府信息公开申请数量", [5, 1, 0, 0, 1, 0, 7]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果", None), ("(一)予以公开", [3, 1, 0, 0, 0, 0, 4]),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", [1, 0, 0, 0, 0, 0, 1]),
    ("(三)不予公开", None), ("1.属于国家秘密", [0] * 7), ("2.其他法律行政法规禁止公开", [0] * 7),
    ("3.危及“三安全一稳定”", [0] * 7), ("4.保护第三方合法权益", [0] * 7), ("5.属于三类内部事务信息", [0] * 7),
    ("6.属于四类过程性信息", [0] * 7), ("7.属于行政执法案卷", [0] * 7), ("8.属于行政查询事项", [0] * 7),
    ("(四)无法提供", None), ("1.本机关不掌握相关政府信息", [1, 0, 0, 0, 1, 0, 2]), ("2.没有现成信息需要另行制作", [0] * 7),
    ("3.补正后申请内容仍不明确", [0] * 7), ("(五)不予处理", None), ("1.信访举报投诉类申请", [0] * 7), ("2.重复申请", [0] * 7),
    ("3.要求提供公开出版物", [0] * 7), ("4.无正当理由大量反复申请", [0] * 7), ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("(六)其他处理", [0] * 7), ("(七)总计", [5, 1, 0, 0, 1, 0, 7]), ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
]
HEADERS = ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况", "自然人", "法人或其他组织", "总计",
           "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def one_cell_per_line(headers=HEADERS, rows=ROWS_2019):
    lines = ["三、收到和处理政府信息公开申请情况", *headers]
    for label, values in rows:
        lines.append(label)
        lines += [str(v) for v in values or []]
    return "\n".join(lines)


def expected_rows():
    return {k: v for k, v in {
        "new_received": [5, 1, 0, 0, 1, 0, 7], "granted": [3, 1, 0, 0, 0, 0, 4],
        "unavailable_not_held": [1, 0, 0, 0, 1, 0, 2], "total_handled": [5, 1, 0, 0, 1, 0, 7],
        "carried_forward": [1, 0, 0, 0, 0, 0, 1]}.items()}


def check(apps):
    for key, values in expected_rows().items():
        assert apps[key] == dict(zip(COLS, values)), key
    assert len(apps) == 23


def test_one_cell_per_line():
    apps, problems = parse_applications(text_tokens(one_cell_per_line()))
    check(apps)
    assert problems == []


def test_natural_person_header_dropped_still_seven_values():
    apps, _ = parse_applications(text_tokens(one_cell_per_line(headers=[h for h in HEADERS if h != "自然人"])))
    check(apps)


def test_rows_on_one_line_separated_by_spaces():
    text = "\n".join(["三、收到和处理政府信息公开申请情况", " ".join(HEADERS)] +
                     [f"{label} {' '.join(map(str, values or []))}" for label, values in ROWS_2019])
    apps, _ = parse_applications(text_tokens(text))
    check(apps)


def test_label_split_over_lines_and_spaces_inside_labels():
    text = one_cell_per_line().replace("一、本年新收政府信息公开申请数量", "一、本年新收政府信息\n公开申请数量").replace("商业企业", "商业 企业")
    cleaned, _ = clean_text(text)
    apps, _ = parse_applications(text_tokens(cleaned))
    check(apps)


def test_rows_collapsed_to_one_value():
    rows = [(label, [0] if values == [0] * 7 else values) for label, values in ROWS_2019]
    apps, _ = parse_applications(text_tokens(one_cell_per_line(rows=rows)))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["granted"] == dict(zip(COLS, [3, 1, 0, 0, 0, 0, 4]))


def test_wrong_count_is_reported_not_guessed():
    rows = [(label, values[:4] if label.startswith("(一)") else values) for label, values in ROWS_2019]
    apps, problems = parse_applications(text_tokens(one_cell_per_line(rows=rows)))
    assert "granted" not in apps
    assert problems == ["applications: row granted has 4 values, expected 7 or 1"]


def test_full_text_report_with_narrative_mismatch():
    body = HEAD.replace("7件", "9件") + one_cell_per_line()
    r = parse_report(body.encode())
    assert ("narrative_mismatch", "text says 9 applications received, table 三 new_received total is 7") in \
        [(f["code"], f["detail"]) for f in r["flags"]]
    assert {"missing_table"} <= {f["code"] for f in r["flags"]}   # no table 二 or 四 in this text


def test_narrative_about_another_year_is_not_compared():
    body = HEAD.replace("全年共收到政府信息公开申请7件", "较2019年收到申请9件有所下降") + one_cell_per_line()
    r = parse_report(body.encode())
    assert "narrative_mismatch" not in {f["code"] for f in r["flags"]}


def test_spam_in_title_agency_recovered_from_metadata():
    text = (SAMPLES / "002_df1cbcf456d1d70c.txt").read_text().replace(
        "新洲区科经局2021年度政府信息公开工作年度报告", "立博官网2021年度政府信息公开工作年度报告", 1)
    r = parse_report(text.encode())
    assert r["agency"] == "新洲区科经局"
    assert r["agency_raw"] == "立博官网"
    assert {"spam_injection", "agency_suspect"} <= {f["code"] for f in r["flags"]}


def test_spam_in_title_and_no_other_source_gives_null_agency():
    text = (SAMPLES / "000_8000bc9f9e439cef.txt").read_text().replace("瀛洲街道办事处\n2020年", "立博平台2020年", 1)
    r = parse_report(text.encode())
    assert r["agency"] is None
    assert any(f["code"] == "agency_suspect" for f in r["flags"])


def test_decode_variants():
    text = "<html><head><meta charset='gbk'></head><body>政府信息公开</body></html>"
    honest = decode_bytes(text.encode("gbk"))
    assert (honest.text, honest.encoding, honest.repaired) == (text, "gb18030", False)
    utf8_says_gbk = decode_bytes(text.encode("utf-8"))
    assert (utf8_says_gbk.text, utf8_says_gbk.repaired) == (text, True)
    header_wins = decode_bytes(text.encode("gbk"), "text/html; charset=GB2312")
    assert header_wins.encoding == "gb18030" and not header_wins.repaired
    garbage = decode_bytes(b"\xff\xfe\xfa" * 50 + "年度报告".encode("utf-8"))
    assert isinstance(garbage.text, str)


def test_spam_terms_are_precise():
    assert find_spam("民政局福利彩票公益金使用情况") == []
    assert find_spam("打击赌博违法犯罪专项行动") == []
    assert find_spam("体育彩票投注站管理") == []
    # crime-fighting and market-regulation prose names gambling without advertising it
    assert find_spam("严厉打击网络博彩犯罪，查处老虎机12台，规范互联网彩票平台") == []
    assert find_spam("北京赛车pk10官网开户") == ["北京赛车pk10官网开户"]
    assert find_spam("六宝典app下载，六宝典官网") == ["六宝典app下载，六宝典官网"]


def test_identity_helpers():
    assert find_title("2020年青阳县人民政府政府信息公开工作年度报告")[1:] == ("青阳县人民政府", 2020)
    assert find_title("关于印发2020年度政府信息公开工作年度报告的通知") == (None, None, None)
    assert is_plausible_agency("瀛洲街道办事处") and not is_plausible_agency("立博官网")
    assert canonical_agency("盘山 县政府办") == canonical_agency("盘山县人民政府办公室") == "盘山县人民政府办公室"
    assert canonical_agency("盘山县政府办公室") == canonical_agency("盘山县人民政府办") == "盘山县人民政府办公室"
    assert canonical_agency("辽宁省政府办公厅") == "辽宁省人民政府办公厅"
    assert canonical_agency("青阳县政府") == "青阳县人民政府" != canonical_agency("青阳县政府办")


def test_casino_links_on_an_otherwise_clean_page_are_flagged():
    html = (Path(__file__).parent / "fixtures" / "html" / "county_2020_rowspan.html").read_text(encoding="utf-8")
    html = html.replace("<h3>相关链接</h3>", '<h3>相关链接</h3><a href="http://x.test/">澳门新葡京娱乐城</a>')
    r = parse_report(html.encode())
    assert [(f["code"], f["detail"]) for f in r["flags"]] == [("spam_injection", "gambling links on the page: 新葡京娱乐城")]


def test_template_that_does_not_fit_the_year():
    text = (SAMPLES / "002_df1cbcf456d1d70c.txt").read_text().replace("2021年度政府信息公开工作年度报告", "2020年度政府信息公开工作年度报告")
    r = parse_report(text.encode())
    assert (r["year"], r["template"]) == (2020, "2021")
    assert ("template_mismatch", "report on 2020 uses the 2021 template; 2019 expected") in [(f["code"], f["detail"]) for f in r["flags"]]


def test_title_variants():
    assert find_title("青阳县人民政府关于2020年政府信息公开工作的年度报告")[1:] == ("青阳县人民政府", 2020)
    assert find_title("《青阳县教育局2019年度政府信息公开工作报告》")[1:] == ("青阳县教育局", 2019)
    assert find_title("2021年度青阳县财政局政府信息公开工作年度报告")[1:] == ("青阳县财政局", 2021)
    assert find_title("临江市生态环境局2021年政务公开工作年度报告")[1:] == ("临江市生态环境局", 2021)


def test_one_bad_byte_does_not_turn_a_page_to_mojibake():
    page = ("<html><head><meta charset='utf-8'></head><body>" + "<p>政府信息公开工作年度报告</p>" * 20 + "</body></html>").encode()
    broken = page[:60] + b"\xff" + page[60:]
    decoded = decode_bytes(broken)
    assert decoded.encoding == "utf-8" and not decoded.repaired and "年度报告" in decoded.text
    gbk = "<html><head><meta charset='gbk'></head><body>政府信息公开工作年度报告</body></html>".encode("gbk")
    decoded = decode_bytes(gbk.replace(b"</body>", b"\x81</body>"))
    assert decoded.encoding == "gb18030" and not decoded.repaired and "政府信息公开" in decoded.text


def test_agency_missing_from_title_is_read_from_the_first_sentence():
    body = "2020年政府信息公开工作年度报告\n一、总体情况\n2020年，东坡区司法局认真贯彻落实条例。\n" + one_cell_per_line()
    r = parse_report(body.encode())
    assert (r["agency"], r["agency_raw"]) == ("东坡区司法局", None)
    assert "agency_suspect" not in {f["code"] for f in r["flags"]}


def test_agency_taken_from_the_site_name_is_marked_suspect():
    html = ("<html><head><meta name='SiteName' content='东坡区人民政府门户网站'></head><body><h1>2020年政府信息公开工作年度报告</h1>"
            "<p>一、总体情况</p><p>全年工作有序开展。</p><pre>" + one_cell_per_line() + "</pre></body></html>")
    r = parse_report(html.encode())
    assert r["agency"] == "东坡区人民政府"
    assert ("agency_suspect", "no agency in the title; taken from the site name") in [(f["code"], f["detail"]) for f in r["flags"]]


def test_item_numbers_separated_by_a_space_are_not_values():
    text = "\n".join(["三、收到和处理政府信息公开申请情况", "(三)不予公开 0",
                      "1 属于国家秘密 0", "2 其他法律行政法规禁止公开 1 0 0 0 0 0 1"])
    apps, _ = parse_applications(text_tokens(text))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["denied_prohibited_by_law"]["natural_person"] == 1


def test_numbered_sub_heading_in_the_overview_is_not_table_two():
    from crawler.tables import split_sections
    text = (SAMPLES / "000_8000bc9f9e439cef.txt").read_text().replace(
        "(二)严格按照规定", "1.主动公开政府信息情况\n行政许可\n3\n(二)严格按照规定")
    sections = split_sections(clean_text(text)[0])
    assert sections["active"].startswith("二、主动公开政府信息情况")
    r = parse_report(text.encode())
    assert r["active"]["licensing"] == {"previous": 0, "change": 0, "decisions": 0}


def test_numbering_column_in_pipe_rows():
    text = ("三、收到和处理政府信息公开申请情况\n| | (三)不予公开 |\n| 1 | 属于国家秘密 | 0 |\n"
            "| 2 | 其他法律行政法规禁止公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n| 3 | 危及“三安全一稳定” | 0 |")
    apps, problems = parse_applications(text_tokens(text))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["denied_prohibited_by_law"] == dict(zip(COLS, [3, 0, 0, 0, 0, 0, 3]))
    assert apps["denied_three_safeties"] == {c: (0 if c == "total" else None) for c in COLS}
    assert problems == []


def test_group_label_on_the_same_line_as_its_first_row():
    lines = ["三、收到和处理政府信息公开申请情况",
             "(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 1 0 0 0 0 0 1",
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
             "3.其他 2 0 0 0 0 0 2", "(七)总计 3 0 0 0 0 0 3"]
    apps, _ = parse_applications(text_tokens("\n".join(lines)))
    assert apps["other_no_correction"]["total"] == 1
    assert apps["other_misc"] == dict(zip(COLS, [2, 0, 0, 0, 0, 0, 2]))
    assert apps["other"] == dict(zip(COLS, [3, 0, 0, 0, 0, 0, 3]))


def test_values_glued_to_their_label():
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量：46\n二、上年结转政府信息公开申请数量0\n(一)予以公开 40 0 0 0 0 0 40"
    apps, _ = parse_applications(text_tokens(text))
    assert apps["new_received"]["total"] == 46 and apps["carried_over"]["total"] == 0
    assert apps["granted"]["natural_person"] == 40


def test_year_and_agency_from_the_overview_when_the_title_has_neither():
    body = "政府信息公开工作年度报告\n一、总体情况\n2020年，东坡区司法局认真贯彻落实条例。\n" + one_cell_per_line()
    r = parse_report(body.encode())
    assert (r["agency"], r["year"], r["template"]) == ("东坡区司法局", 2020, "2019")
