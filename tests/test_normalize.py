from __future__ import annotations

import pytest

from finbrief.errors import EmptyText, NotChinese, TextTooShort
from finbrief.text.normalize import normalize
from finbrief.text.script import detect_script, simplified_aligned
from finbrief.text.segments import split_sentences

from .conftest import seed


def test_script_detection() -> None:
    assert detect_script("美國財政部長貝森特表示，美股暴跌主要是由於科技股大幅回調。") == "zh-Hant"
    assert detect_script("美国财政部长贝森特表示，美股暴跌主要是由于科技股大幅回调。") == "zh-Hans"
    assert detect_script("美國財政部長貝森特表示，美股暴跌。美国财政部长贝森特表示，美股暴跌。") == "mixed"
    assert (
        detect_script("Stocks fell sharply on Monday as investors fled technology shares.") == "not-chinese"
    )


@pytest.mark.parametrize("prefix,script", [("000", "zh-Hant"), ("003", "zh-Hant"), ("004", "zh-Hans")])
def test_seed_scripts(prefix: str, script: str) -> None:
    assert normalize(seed(prefix)).script == script


def test_offsets_index_the_text_as_received() -> None:
    text = seed("003")
    doc = normalize(text)
    for para in doc.body:
        assert text[para.start : para.end] == para.text
    assert len(doc.simplified) == len(text)


def test_boilerplate_removed_from_seed_003() -> None:
    doc = normalize(seed("003"))
    body = doc.body_text()
    assert "聲明" not in body and "免責聲明" not in body and "原文鏈接" not in body
    assert not any(p.text in ("喜歡", "收藏", "評論", "來源", "avatar") for p in doc.body)
    assert "流動性緊張+估值高企" in body  # the thesis survives
    assert doc.title is not None and "真兇不是 AI" in doc.title.text


def test_boilerplate_and_repeated_title_removed_from_seed_004() -> None:
    doc = normalize(seed("004"))
    body = doc.body_text()
    assert "新浪首页" not in body and "自媒体联盟" not in body
    assert doc.title is not None and "DeepSeek一夜干掉英伟达" in doc.title.text
    assert not any(p.text == doc.title.text for p in doc.body)  # the repeat is dropped
    assert any(reason == "repeated" for _, reason in doc.dropped)


def test_english_title_line_never_reaches_the_model() -> None:
    doc = normalize(seed("000"))
    assert "Yellen" not in doc.body_text()
    assert any("Yellen" in seg.text and reason == "not-chinese" for seg, reason in doc.dropped)


def test_empty_and_non_chinese_rejected() -> None:
    with pytest.raises(EmptyText):
        normalize("   \n ")
    with pytest.raises(NotChinese):
        normalize("This is an English article about the stock market and it is long enough.")
    with pytest.raises(TextTooShort):
        normalize("美股下跌了很多。", min_chars=20)


def test_sentence_split_offsets() -> None:
    text = "第一句。第二句！“第三句。”\n第四句"
    sents = split_sentences(text)
    assert [s.text for s in sents] == ["第一句。", "第二句！", "“第三句。”", "第四句"]
    assert all(text[s.start : s.end] == s.text for s in sents)


def test_simplified_aligned_keeps_length() -> None:
    t = "聯準會與輝達、貝森特"
    s = simplified_aligned(t)
    assert len(s) == len(t) and s == "联准会与辉达、贝森特"


def test_a_one_line_article_without_a_full_stop_is_the_body_not_a_title() -> None:
    text = "美股周一大跌，道指收跌逾800点，投资者担忧关税升级拖累企业盈利"
    doc = normalize(text)
    assert doc.title is None and [s.text for s in doc.body] == [text]
    # with a title line above it, that line is still the title
    titled = normalize("关税忧虑升温 美股全线重挫\n" + text)
    assert titled.title is not None and titled.title.text == "关税忧虑升温 美股全线重挫"
    assert len(titled.body) == 1
