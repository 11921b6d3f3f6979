from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from finbrief.text.entities import extract_entities
from finbrief.text.figures import find_figures, render
from finbrief.text.glossary import Glossary, parse_tsv
from finbrief.text.normalize import normalize
from finbrief.text.script import simplified_aligned


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


@pytest.mark.parametrize(
    "zh,en",
    [
        ("川普", "Donald Trump"),
        ("特朗普", "Donald Trump"),
        ("貝森特", "Scott Bessent"),
        ("贝森特", "Scott Bessent"),
        ("輝達", "Nvidia"),
        ("英伟达", "Nvidia"),
        ("英偉達", "Nvidia"),
        ("聯準會", "Federal Reserve"),
        ("美联储", "Federal Reserve"),
        ("聯儲局", "Federal Reserve"),
        ("台積電", "TSMC"),
        ("納斯達克", "Nasdaq"),
    ],
)
def test_regional_variants_map_to_one_name(glossary: Glossary, zh: str, en: str) -> None:
    hits = glossary.find(simplified_aligned(f"据报道{zh}表示"))
    assert [h.term.english for h in hits] == [en]


def test_longest_match_and_latin_word_boundaries(glossary: Glossary) -> None:
    text = simplified_aligned("美國財政部長貝森特說Fed不會降息,但Federalist不是")
    names = [h.term.english for h in glossary.find(text)]
    assert names == ["US Treasury Secretary", "Scott Bessent", "Federal Reserve"]


def test_annotate_inserts_english_once(glossary: Glossary) -> None:
    shown = "川普說,川普的關稅"
    out = glossary.annotate(shown, simplified_aligned(shown))
    assert out == "川普(Donald Trump)說,川普的關稅"


def test_annotate_skips_names_already_glossed_in_text(glossary: Glossary) -> None:
    shown = "深度求索 (DeepSeek) 上線"
    assert glossary.annotate(shown, simplified_aligned(shown)) == shown


def test_user_glossary_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "g.tsv"
    extra.write_text("Acme Corp\tcompany\t阿克米\nNvidia\tcompany\t老黃家\n", encoding="utf-8")
    g = Glossary.load(extra)
    assert [h.term.english for h in g.find("阿克米和老黄家")] == ["Acme Corp", "Nvidia"]


def test_bad_glossary_line_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_tsv("Nvidia company 輝達\n")


@pytest.mark.parametrize(
    "zh,en,unit",
    [
        ("5950亿美元", "$595 billion", "USD"),
        ("560 万美元", "$5.6 million", "USD"),
        ("36兆美元", "$36 trillion", "USD"),
        ("3,500億美元", "$350 billion", "USD"),
        ("8932亿美元", "$893.2 billion", "USD"),
        ("１３％", "13%", "%"),
        ("22.0x", "22.0x", "x"),
        ("25个基点", "25 basis points", "bp"),
        ("人民币4.3万亿", "4.3 trillion yuan", "CNY"),
        ("0.5個百分點", "0.5 percentage points", "percentage points"),
        # The 元 after the number is generic; a currency named first decides (c2: "52 billion yuan"
        # for 新台幣520億元).
        ("外資賣超新台幣520億元", "NT$52 billion", "TWD"),
        ("港币约120亿元", "HK$12 billion", "HKD"),
        ("市值約3兆台幣", "NT$3 trillion", "TWD"),
        ("成交额1.2万亿元", "1.2 trillion yuan", "CNY"),
    ],
)
def test_figures_scale_and_render(zh: str, en: str, unit: str) -> None:
    figs = find_figures(zh)
    assert len(figs) == 1
    assert (figs[0].english(), figs[0].unit) == (en, unit)
    assert zh[figs[0].start : figs[0].end] == figs[0].surface


def test_render_small_amounts() -> None:
    assert render(Decimal(1500), "USD") == "$1500"
    assert render(Decimal(25000), "CNY") == "25,000 yuan"


def test_words_that_hold_a_name_are_not_the_name(glossary: Glossary) -> None:
    # 推高通胀 ("pushing up inflation") holds 高通 (Qualcomm); 北京东部 holds 京东 (JD.com).
    assert glossary.find("关税推高通胀预期，北京东部的工厂停工，市场中金价上涨。") == []
    assert [h.term.english for h in glossary.find("高通与京东股价下跌，中金公司表示")] == [
        "Qualcomm",
        "JD.com",
        "CICC",
    ]
    assert all(t.type != "none" for t in glossary.terms)


def test_market_terms_are_hinted_but_are_not_entities(glossary: Glossary) -> None:
    text = "A股三大指数集体大涨，TSLA股价下跌。"
    assert glossary.annotate(text, text) == "A股(A-shares)三大指数集体大涨，TSLA股价下跌。"
    doc = normalize(text, None, min_chars=1)
    assert "A-shares" not in {e.name_en for e in extract_entities(doc, glossary)}
