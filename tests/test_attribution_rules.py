"""Attribution rules that must hold on articles nobody tuned for: every event family has cues, a move
with no cue word still gets an open question, `other` says what it is, the selling itself is not the
thesis when a driver is named, and names the glossary lacks still reach the brief."""

from __future__ import annotations

import pytest

from finbrief.pipeline.claims import primary_cause
from finbrief.schemas import CauseClaim
from finbrief.text.candidates import find_candidates
from finbrief.text.entities import extract_entities, pinyin_name
from finbrief.text.glossary import Glossary
from finbrief.text.normalize import normalize
from finbrief.text.script import to_traditional
from finbrief.text.taxonomy import other_kind

FAMILIES = [  # (sentence, label): one event family each, none of them in the original cue lists
    ("以色列对伊朗发动空袭，中东局势紧张，油价因此飙升。", "geopolitics"),
    ("芝商所上调白银期货保证金要求，引发多头平仓，银价暴跌。", "liquidity"),
    ("比特币爆仓潮导致价格重挫。", "liquidity"),
    ("美国政府停摆拖累美股走低。", "fiscal_policy"),
    ("非农就业人数远低于预期，失业率上升，导致美股下跌。", "macro_outlook"),
    ("公司季报亏损扩大，毛利率下滑，股价因此大跌。", "earnings"),
    ("日本央行意外加息，导致日股重挫。", "monetary_policy"),
    ("美国将更多中国企业列入实体清单，拖累科技股下跌。", "trade_policy"),
    ("市场避险情绪升温，资金流出新兴市场，导致股市下跌。", "positioning"),
    ("恒大清盘消息导致内房股下挫。", "other"),
]


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), FAMILIES)
def test_each_event_family_gives_a_candidate(sentence: str, label: str, traditional: bool) -> None:
    text = "市场快讯：今日金融市场出现明显波动。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    labels = {x for c in find_candidates(doc, 8) for x in c.supported}
    assert label in labels


def test_a_move_with_no_cue_word_gets_an_open_question() -> None:
    text = "国际油价周一飙升逾5%。\n霍尔木兹海峡航运受阻，油轮被迫绕道，导致布伦特原油期货大涨。"
    cands = find_candidates(normalize(text), 8)
    opened = [c for c in cands if c.open]
    assert len(opened) == 1 and "导致" in opened[0].span.text and len(opened[0].supported) >= 10
    assert all(text[c.span.start : c.span.end] == c.span.text for c in cands)
    # a move with no reason given is not a question about causes
    quiet = normalize("国际油价周一飙升逾5%，市场交投活跃。\n布伦特原油期货大涨，创下年内新高。")
    assert not [c for c in find_candidates(quiet, 8) if c.open]


def test_other_says_what_it_is() -> None:
    assert other_kind("证监会出台新规") == "regulation"
    assert other_kind("恒大清盘") == "a default or debt restructuring"
    assert other_kind("美联储降息") is None


def claim(label: str, start: int, zh: str = "市场下跌", conf: float = 0.8) -> CauseClaim:
    return CauseClaim(
        label=label, stance="supported", claimant="author", moved="stocks", direction="down",  # type: ignore[arg-type]
        evidence_zh=zh, evidence_start=start, evidence_end=start + len(zh), evidence_en="", confidence=conf,
    )  # fmt: skip


def test_the_selling_itself_is_not_the_thesis_when_a_driver_is_named() -> None:
    claims = [claim("positioning", 0, conf=0.9), claim("trade_policy", 200, conf=0.7)]
    assert primary_cause(claims, lead_end=50) == "trade_policy"
    # ... unless the lead argues the mechanics were the cause
    argued = [claim("positioning", 0, "这轮下跌的主因是程序化交易", 0.9), claim("trade_policy", 200)]
    assert primary_cause(argued, lead_end=50) == "positioning"


def test_names_the_glossary_lacks_reach_the_entities() -> None:
    text = (
        "芝加哥商业交易所集团（CME Group）周四上调保证金，银价暴跌。\n"
        "Blue Line Futures首席市场策略师Phil Streible表示，卖压来自杠杆资金。\n"
        "中金公司首席经济学家王磊表示，市场短期仍将波动。"
    )
    entities = {e.name_en: e for e in extract_entities(normalize(text), Glossary.load())}
    assert entities["CME Group"].source == "text" and entities["CME Group"].name_zh == "芝加哥商业交易所集团"
    assert {"Blue Line Futures", "Phil Streible"} <= set(entities)
    assert entities["Wang Lei"].source == "pinyin" and entities["Wang Lei"].name_zh == "王磊"
    assert not {"AI", "CEO", "GDP"} & set(entities)


def test_pinyin_reads_surnames_as_surnames() -> None:
    assert pinyin_name("王磊") == "Wang Lei"
    assert pinyin_name("曾志强") == "Zeng Zhiqiang"
