"""Printed labels matched to the template's by similarity, only when clearly closest."""
from crawler.labels import bare, closest_label
from crawler.schema import APPLICATION_ROW_LABELS


def test_numbering_and_punctuation_are_not_wording():
    assert bare("（三）3．危及“三安全一稳定”") == "危及三安全一稳定"
    assert bare("三 2.其他法律行政止公开") == "其他法律行政止公开"


def test_a_mistyped_label_is_the_closest_template_row():
    assert closest_label("2.其他法律行政止公开", APPLICATION_ROW_LABELS) == "denied_prohibited_by_law"
    assert closest_label("1.本机关不掌握有关政府信息", APPLICATION_ROW_LABELS) == "unavailable_not_held"


def test_text_that_is_no_label_matches_nothing():
    assert closest_label("申请人情况", APPLICATION_ROW_LABELS) is None
    assert closest_label("本年度办理结果", APPLICATION_ROW_LABELS) is None
    assert closest_label("其他", APPLICATION_ROW_LABELS) is None
