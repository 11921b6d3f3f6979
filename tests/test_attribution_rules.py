"""Attribution rules that must hold on articles nobody tuned for: every event family has cues, a move
with no cue word still gets an open question, `other` says what it is, the selling itself is not the
thesis when a driver is named, and names the glossary lacks still reach the brief."""

from __future__ import annotations

import pytest

from finbrief.pipeline.claims import primary_cause
from finbrief.schemas import CauseClaim
from finbrief.text.candidates import find_candidates, open_choices
from finbrief.text.entities import extract_entities, pinyin_name
from finbrief.text.glossary import Glossary
from finbrief.text.normalize import normalize
from finbrief.text.script import to_simplified, to_traditional
from finbrief.text.taxonomy import OPEN_CHOICES, other_kind

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
    # added with the second attribution set: each a family's plain words, in invented sentences
    ("中美紧张关系升级，打压风险偏好，A股收低。", "geopolitics"),
    ("德国工业生产意外萎缩，拖累欧股下跌。", "macro_outlook"),
    ("美国政府持续关闭，导致美股走低。", "fiscal_policy"),
    ("房地产危机加剧，拖累内房股下跌。", "other"),
    ("散户恐慌性抛售导致小盘股暴跌。", "positioning"),
    ("日本当局进行干预，日元应声大涨。", "other"),
    ("该开发商无力偿还美元债，股价暴跌。", "other"),
    # what lifts a market, and a causative with the market as its object
    ("央行意外降准，提振投资者信心。", "monetary_policy"),
    ("最新通胀数据低于预期，让投资人燃起希望。", "macro_outlook"),
    ("美国联邦政府再度停摆，比特币被视为避险工具而上涨。", "fiscal_policy"),
    ("空头遭逼空，铜价暴涨。", "liquidity"),
    ("受俄罗斯和乌克兰局势影响，镍价飙升。", "geopolitics"),
    ("美军突袭委内瑞拉，油价上涨。", "geopolitics"),
    ("全国楼市降温，地产股下跌。", "macro_outlook"),
    ("房企债务危机拖累地产股下跌。", "other"),
    ("交易所暂停交易后，金属价格全面跳水。", "other"),
    # drivers outside the taxonomy, by kind (`other`): supply, a market tax, a company's payout, the
    # state buying shares, an election, reserves released, hearsay, a missed payment
    ("智利铜矿罢工引发供应担忧，铜价创新高。", "other"),
    ("政府宣布上调股票交易印花税，港股应声下跌。", "other"),
    ("该公司宣布暂停派息，股价盘后暴跌。", "other"),
    ("国家队进场护盘，带动A股尾盘拉升。", "other"),
    ("首相宣布提前大选，日元应声下跌。", "other"),
    ("七国集团考虑释放石油储备，油价回落。", "other"),
    ("网上传闻监管部门将限制教育企业上市，导致教育股急跌。", "other"),
    ("该开发商未能兑付债券利息，内房股下挫。", "other"),
]


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), FAMILIES)
def test_each_event_family_gives_a_candidate(sentence: str, label: str, traditional: bool) -> None:
    text = "市场快讯：今日金融市场出现明显波动。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    labels = {x for c in find_candidates(doc, 8) for x in c.supported}
    assert label in labels


def test_a_move_with_no_cue_word_gets_an_open_question() -> None:
    text = "国际油价周一飙升逾5%。\n美国最大炼油厂突发大火，导致汽油期货大涨。"
    cands = find_candidates(normalize(text), 8)
    opened = [c for c in cands if c.open]
    assert len(opened) == 1 and "导致" in opened[0].span.text
    # the labels that can be argued without their words; no policy domain the paragraph never names
    assert set(opened[0].supported) == set(OPEN_CHOICES)
    assert all(text[c.span.start : c.span.end] == c.span.text for c in cands)
    # a move with no reason given is not a question about causes
    quiet = normalize("国际油价周一飙升逾5%，市场交投活跃。\n布伦特原油期货大涨，创下年内新高。")
    assert not [c for c in find_candidates(quiet, 8) if c.open]


def test_other_says_what_it_is() -> None:
    assert other_kind("证监会出台新规") == "regulation"
    assert other_kind("恒大清盘") == "a default or debt restructuring"
    assert other_kind("美联储降息") is None
    # Taiwan writes 駭客 for hacker; simplified by OpenCC it is 骇客, not the mainland's 黑客
    assert other_kind(to_simplified("交易所遭駭客入侵")) == "a hack or theft"
    assert other_kind(to_simplified("智利銅礦罷工")) == "a supply disruption"
    assert other_kind(to_simplified("調升股票印花稅")) == "a stamp duty or transaction tax"
    assert other_kind(to_simplified("國安基金進場護盤")) == "state support for the market"
    assert other_kind(to_simplified("法國的政治不確定性引發拋售")) == "an election or a political crisis"
    # the Fed's aim of a strong dollar is not the dollar moving (seed 003: "维护强势美元")
    assert other_kind("美联储要维护强势美元") is None


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("sentence", "label", "counts"),
    [
        ("某科技公司宣布大规模裁员，股价下跌。", "fiscal_policy", False),  # a company's layoffs
        ("英特尔拟裁员15%，股价暴跌20%。", "fiscal_policy", False),  # a company by name (attribution2 b19)
        ("联邦政府大规模裁员，拖累消费股下跌。", "fiscal_policy", True),
        ("半导体景气复苏，带动芯片股大涨。", "macro_outlook", False),  # an industry's cycle
        ("市场担心景气走弱，导致股市下跌。", "macro_outlook", True),
        ("房企债务危机拖累地产股下跌。", "fiscal_policy", False),  # a developer's, not public debt
        ("欧洲主权债务危机拖累股市下跌。", "fiscal_policy", True),
        ("央行下调存款准备金率，带动A股大涨。", "liquidity", False),  # a policy ratio: monetary
        ("银行准备金骤降，资金面紧张导致债市下跌。", "liquidity", True),
        ("法国债市遭抛售，公债殖利率飙升9个基点。", "monetary_policy", False),  # a yield that moved
        ("央行意外上调利率，导致股市下跌。", "monetary_policy", True),
    ],
)
def test_a_cue_counts_only_where_its_words_before_do_not_name_something_else(
    sentence: str, label: str, counts: bool, traditional: bool
) -> None:
    text = "市场快讯：今日金融市场出现明显波动。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    assert (label in {x for c in find_candidates(doc, 8) for x in c.supported}) is counts


def test_taiwan_words_for_ai_and_results_are_cues() -> None:
    # OpenCC's t2s keeps vocabulary: Taiwan's 人工智慧 and 法說會 stay as they are once simplified
    text = "台積電週四法說會繳出亮眼成績單，ADR收盤大漲。\n受惠於人工智慧晶片強勁需求，台積電獲利創新高。"
    labels = {x for c in find_candidates(normalize(text), 8) for x in c.supported}
    assert {"earnings", "ai_disruption"} <= labels


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
def test_a_market_reacting_to_the_news_gets_an_open_question(traditional: bool) -> None:
    text = "游戏股周五大跌。\n主管部门公布限制未成年人游戏时间的方案，消息传出后，游戏股应声下跌。"
    doc = normalize(to_traditional(text) if traditional else text)
    opened = [c for c in find_candidates(doc, 8) if c.open]
    assert len(opened) == 1 and "other" in opened[0].supported
    # the news in one paragraph, the market's reaction in the next
    text = "双方宣布即日起停火。\n尽管细节不明，市场反应迅速，布伦特原油价格下跌近5%。"
    doc = normalize(to_traditional(text) if traditional else text)
    opened = [c for c in find_candidates(doc, 8) if c.open]
    assert len(opened) == 1 and "geopolitics" in opened[0].supported


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


def test_a_guess_is_not_the_thesis_where_a_named_cause_is_given() -> None:
    # an open question's answer in the lead: its evidence names no cue of its label
    guess = claim("liquidity", 0, "市场反应迅速，油价大跌。", 0.6)
    named = claim("geopolitics", 300, "双方宣布停火，中东冲突降温。", 0.55)
    assert primary_cause([guess, named], lead_end=50) == "geopolitics"
    assert primary_cause([guess], lead_end=50) == "liquidity"  # nothing named: the guess stands


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


def test_an_open_question_offers_a_policy_domain_only_where_the_paragraph_names_it() -> None:
    text = "美股周五重挫。\n特朗普威胁加征关税，股市下挫的导火线来自他在 Truth Social 的贴文。"
    para = normalize(text).body[-1]
    assert "trade_policy" in open_choices(normalize(text).simplified, para)
    game = normalize("游戏股暴跌。\n网络游戏近年来一直因为诱导未成年消费而受到批评，股价重挫。")
    assert "monetary_policy" not in open_choices(game.simplified, game.body[-1])
    # the economy is named when argued too: a developer's debts are no recession
    debt = normalize("地产股暴跌。\n该开发商岌岌可危的财务状况引起市场担忧，股价重挫。")
    assert "macro_outlook" not in open_choices(debt.simplified, debt.body[-1])
    slump = normalize("美股周一暴跌，三大指数全线收低。\n投资者担心经济衰退，股价重挫。")
    assert "macro_outlook" in open_choices(slump.simplified, slump.body[-1])


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    "sentence",
    [
        "分析指出，比特币的跌势并非与结构性问题有关，而是与全球市场转向避险同步。",
        "交易员反驳了有关假期交投清淡导致金价下跌的说法。",
        "财长表示，这些走势完全未反映公司的实际经营，日元应声下跌。",
    ],
)
def test_a_denied_cause_with_no_cue_word_gets_an_open_denial(sentence: str, traditional: bool) -> None:
    text = "市场快讯：比特币、白银与日元大幅下跌。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    denials = [c for c in find_candidates(doc, 8, open_denials=True) if c.open and c.rejected]
    assert len(denials) == 1 and not denials[0].supported
    assert not [c for c in find_candidates(doc, 8) if c.open and c.rejected]  # off by default
    assert doc.text[denials[0].span.start : denials[0].span.end] == denials[0].span.text


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("历史上白银的暴跌从不是因为“涨太高”，而是高杠杆的必然结果。", "valuation"),  # overextension
        ("财长表示，这些走势属于投机行为，完全未反映经济基本面，日元应声下跌。", "macro_outlook"),
        ("贝森特反驳了有关格陵兰岛问题导致美国股市下跌的说法。", "geopolitics"),  # a flashpoint
    ],
)
def test_a_denied_cause_named_by_its_kind_is_labelled_by_code(
    sentence: str, label: str, traditional: bool
) -> None:
    text = "市场快讯：比特币、白银与日元大幅下跌。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    assert label in {x for c in find_candidates(doc, 8) if not c.open for x in c.rejected}


@pytest.mark.parametrize(
    "sentence",
    [
        "然而，市场对此的回应却不是喝彩，而是恐慌性抛售。",  # denies a reaction, not a cause
        "这不是股市第一次下跌。",
        "分析师认为，未来股价可能并非一路下跌。",  # a forecast
    ],
)
def test_a_denial_that_is_not_about_a_cause_asks_nothing(sentence: str) -> None:
    doc = normalize("市场快讯：股市大幅下跌。\n" + sentence)
    assert not [c for c in find_candidates(doc, 8, open_denials=True) if c.open and c.rejected]


def test_an_open_denial_does_not_offer_the_cause_the_sentence_gives() -> None:
    doc = normalize("比特币大跌。\n分析师称，回档主要是因为周末流动性偏低，而非源自加密货币的特定事件。")
    (denial,) = [c for c in find_candidates(doc, 8, open_denials=True) if c.open and c.rejected]
    assert "liquidity" not in denial.rejected and "other" in denial.rejected


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
def test_a_conceded_cause_is_not_a_driver(traditional: bool) -> None:
    text = "比特币大跌。\n分析师指出，这波跌势凸显市场流动性偏弱，即使美联储上周降息了，也未能重振数字资产。"
    doc = normalize(to_traditional(text) if traditional else text)
    labels = {x for c in find_candidates(doc, 8) for x in (*c.supported, *c.rejected)}
    assert "liquidity" in labels and "monetary_policy" not in labels


def test_a_currency_move_is_a_move() -> None:
    doc = normalize("日元急贬。\n财务大臣表示，政府准备进场干预，必要时出手遏止日元急贬。")
    assert any("other" in c.supported for c in find_candidates(doc, 8))


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("text", "first"),
    [
        # the news in the paragraph before the reaction names the domain
        ("特朗普宣布暂停加征关税90天，对华关税升至125%。\n消息一经发布，美股应声大涨。", "trade_policy"),
        # the article's subject leads the choices: a small model leans to the first one it sees
        ("中东战事升级，以色列空袭伊朗，冲突持续。\n尽管细节不明，市场反应迅速，油价大涨。", "geopolitics"),
    ],
)
def test_an_open_question_offers_the_articles_subject_first(text: str, first: str, traditional: bool) -> None:
    doc = normalize(to_traditional(text) if traditional else text)
    (opened,) = [c for c in find_candidates(doc, 8) if c.open]
    assert opened.supported[0] == first and "none" not in opened.supported


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("sentence", "positioning"),
    [
        # a sell-off another named driver set off is the move (causes.md), not a positioning driver
        ("监管部门整顿校外培训，触发香港市场全面抛售教育股。", False),
        ("美联储意外加息，导致科技股遭到大幅抛售。", False),
        # the selling as the cause, or set off by nothing else the sentence names: the mechanics
        ("散户恐慌性抛售导致小盘股暴跌。", True),
        ("股指跌破3000点心理关口，引发了恐慌性抛售，股市大跌。", True),
    ],
)
def test_a_sell_off_set_off_by_a_named_driver_is_the_move(
    sentence: str, positioning: bool, traditional: bool
) -> None:
    text = "市场快讯：今日金融市场出现明显波动。\n" + sentence
    doc = normalize(to_traditional(text) if traditional else text)
    supported = {x for c in find_candidates(doc, 8) for x in c.supported}
    assert ("positioning" in supported) is positioning
    assert positioning or supported  # the driver that set it off is still offered
