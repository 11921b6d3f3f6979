"""Per-span checks: a rendering is read against the one sentence it rests on, in both scripts."""

from __future__ import annotations

from collections import Counter

import pytest

from finbrief.checks.grounding import (
    currency_traceable,
    direction_agrees,
    hedge_kept,
    negation_kept,
    opposites_kept,
    percent_is_percent,
    quotes_read_right,
)
from finbrief.checks.summary import GroundedChecks, repeats
from finbrief.schemas import CauseClaim
from finbrief.text.glossary import Glossary
from finbrief.text.normalize import normalize
from finbrief.text.salience import headline_source, key_sentences
from finbrief.text.script import to_simplified, to_traditional
from finbrief.text.segments import Segment

BOTH = pytest.mark.parametrize("script", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])

# (source sentence, a faithful rendering, an unfaithful one, the check that must catch it)
CASES = [
    ("恒生指数大涨500点，收报2万点。", "The Hang Seng Index jumped 500 points.",
     "The Hang Seng Index fell 500 points.", direction_agrees),
    ("美元兑日元升至152，创34年新高。", "The dollar rose to 152 yen, a 34-year high.",
     "The yen rose to 152 per dollar, a 34-year high.", quotes_read_right),
    ("美国10年期国债收益率飙升至4.8%。", "The US 10-year Treasury yield surged to 4.8%.",
     "US bond prices surged, with the 10-year at 4.8%.", quotes_read_right),
    ("特朗普拒绝排除经济衰退的可能性。", "Trump refused to rule out a recession.",
     "Trump denied that a recession is coming.", negation_kept),
    ("分析师指出，下跌与关税无关。", "Analysts said the fall had nothing to do with tariffs.",
     "Analysts said the fall was driven by tariffs.", negation_kept),
    ("市场预计美联储可能在9月降息。", "Markets expect the Fed may cut rates in September.",
     "The Fed cut rates in September.", hedge_kept),
    ("外资卖超新台币520亿元。", "Foreign investors net sold NT$52 billion.",
     "Foreign investors sold 52 billion yuan.", currency_traceable),
    ("布兰特原油期货收每桶100.46美元，上涨8.48美元，或9.2%。", "Brent rose $8.48, or 9.2%, to $100.46.",
     "Brent rose 8.48% to $100.46 a barrel.", percent_is_percent),
    # terms with an opposite: each word exists in a finance article, the flip is in the pairing
    ("中国通缩压力加剧，物价连续下跌。", "Deflation pressure in China grew as prices kept falling.",
     "Inflation pressure in China grew as prices kept falling.", opposites_kept),
    ("英伦银行宣布紧急购买长期国债。", "The Bank of England said it would buy long-dated gilts.",
     "The Bank of England said it would sell long-dated gilts.", opposites_kept),
    ("美联储宣布降息一码。", "The Fed announced a quarter-point rate cut.",
     "The Fed announced a quarter-point rate hike.", opposites_kept),
    ("外资本周净流出20亿美元。", "Foreign outflows reached $2 billion this week.",
     "Foreign inflows reached $2 billion this week.", opposites_kept),
    ("日本经常账户顺差扩大。", "Japan's current-account surplus widened.",
     "Japan's current-account deficit widened.", opposites_kept),
    ("穆迪下调美国主权信用评级。", "Moody's downgraded the US sovereign credit rating.",
     "Moody's upgraded the US sovereign credit rating.", opposites_kept),
]  # fmt: skip


@BOTH
@pytest.mark.parametrize(("zh", "good", "bad", "check"), CASES)
def test_each_check_catches_its_flip_and_passes_the_faithful_rendering(
    zh: str, good: str, bad: str, check: object, script: object
) -> None:
    span = to_simplified(script(zh))  # type: ignore[operator]  # checks read Simplified, as the pipeline does
    assert check(span, good) == []  # type: ignore[operator]
    assert check(span, bad) != []  # type: ignore[operator]


def test_a_span_reporting_both_directions_passes_either() -> None:
    span = "道指早盘下跌300点，尾盘反弹收高。"
    assert direction_agrees(span, "The Dow rebounded to close higher.") == []
    # 回落 then 攀高: the span reports both, so a rise is no flip (attribution2 b02)
    both = "A股早盘高开后一度有所回落,但此后逐渐攀高。"
    assert direction_agrees(both, "A-shares rise after good news.") == []
    assert direction_agrees(span, "The Dow fell 300 points early.") == []


def test_repeats_are_caught_but_different_facts_pass() -> None:
    assert repeats("Nvidia shares fell 17% on Monday.", ["Nvidia shares fell 17% on Monday, traders said."])
    assert not repeats("Nvidia shares fell 17% on Monday.", ["The Nasdaq lost 3% as chip stocks slid."])


TEXT = (
    "美股周一重挫，纳指下跌3%。\n"
    "分析师指出，抛售主要是由于关税升级，而非美联储政策。\n"
    "英伟达股价下跌17%，市值蒸发5890亿美元。"
)


def claim(start: int, end: int, label: str = "trade_policy", stance: str = "supported") -> CauseClaim:
    return CauseClaim(
        label=label, stance=stance, claimant="author", moved="US stocks", direction="down",  # type: ignore[arg-type]
        evidence_zh=TEXT[start:end], evidence_start=start, evidence_end=end, evidence_en="", confidence=0.8,
    )  # fmt: skip


def test_a_causal_bullet_needs_a_verified_claim_on_its_span() -> None:
    doc = normalize(TEXT)
    cause = doc.body[1]
    figures = doc.body[2]
    checks = GroundedChecks(Glossary.load(), doc, [claim(cause.start, cause.end)], Counter())
    ok = checks.problems(
        "Analysts said the sell-off was mainly due to escalating tariffs, not Fed policy.",
        Segment(cause.start, cause.end, cause.text), min_words=4, max_chars=260, earlier=[],
    )  # fmt: skip
    assert ok == []
    unbacked = checks.problems(
        "Nvidia fell 17% because of tariffs, losing $589 billion.",
        Segment(figures.start, figures.end, figures.text), min_words=4, max_chars=260, earlier=[],
    )  # fmt: skip
    assert any(p.startswith("causal link no verified claim backs") for p in unbacked)


@pytest.mark.parametrize(
    "source",
    [
        "随着美国中西部旱情持续加重，小麦期货价格大幅上涨。",
        "隨著美國中西部旱情持續加重，小麥期貨價格大幅上漲。",
    ],
)
def test_a_causal_bullet_may_render_the_link_its_own_span_gives(source: str) -> None:
    doc = normalize(source + "\n分析师称，价格仍有上行空间。")
    span = doc.body[0]
    checks = GroundedChecks(Glossary.load(), doc, [], Counter())
    found = checks.problems(
        "Wheat futures rose sharply as the drought in the US Midwest worsened, driven by the dry weather.",
        Segment(span.start, span.end, span.text), min_words=4, max_chars=260, earlier=[],
    )  # fmt: skip
    assert not any(p.startswith("causal link") for p in found)
    other = doc.body[1]
    invented = checks.problems(
        "Analysts said prices may rise further because of the drought.",
        Segment(other.start, other.end, other.text), min_words=4, max_chars=260, earlier=[],
    )  # fmt: skip
    assert any(p.startswith("causal link no verified claim backs") for p in invented)


def test_a_figure_from_elsewhere_in_the_article_fails_on_this_span() -> None:
    doc = normalize(TEXT)
    lead = doc.body[0]
    checks = GroundedChecks(Glossary.load(), doc, [], Counter())
    found = checks.problems(
        "The Nasdaq fell 17% on Monday.", Segment(lead.start, lead.end, lead.text),
        min_words=4, max_chars=260, earlier=[],
    )  # fmt: skip
    assert any(p.startswith("number not in the source: 17") for p in found)


def test_key_sentences_skip_the_headline_sentence_and_keep_document_order() -> None:
    doc = normalize("关税升级 美股大幅重挫\n" + TEXT)
    assert headline_source(doc).text == "关税升级 美股大幅重挫"
    spans = key_sentences(doc, 3)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert all(doc.text[s.start : s.end] == s.text for s in spans)
    assert len(spans) == 3 and "关税升级" in spans[1].text


def test_false_alarms_seen_on_the_attribution2_holdout_items() -> None:
    # Each a reading the checks got wrong on sentences a reader judged supported (after that set's
    # only run): 恐慌 is panic, not a hedge ...
    panic = "当天美股三大指数恐慌性抛售，大幅下跌。"
    assert hedge_kept(panic, "US stocks fell sharply in a panic sell-off.") == []
    assert hedge_kept("美股恐将进一步下跌。", "US stocks will fall further.") != []  # 恐将 still hedges
    # ... "the yen falls, the dollar rises against it" says the yen weakened, as the quote does ...
    quote = "日圆汇价则再度走弱，其中美元兑日圆一度升穿157水平。"
    assert quotes_read_right(quote, "Japanese yen falls, US dollar rises against yen.") == []
    assert quotes_read_right(quote, "The yen rose past 157 per dollar.") != []


def test_a_trade_war_is_no_war_and_treasury_yields_are_no_treasury() -> None:
    from finbrief import checks

    glossary = Glossary.load()
    zh = "特朗普宣布大幅调高钢铝关税，可能触发多边贸易战。"
    assert checks.causes_attested(zh, "Tariffs could trigger a multilateral trade war.") == []
    assert checks.causes_attested(zh, "Tariffs could trigger a war.") == ["cause not in the source: 'war'"]
    present = {h.term.english for h in glossary.find("穆迪下调美国主权信用评级，美债收益率上升。")}
    assert checks.unsupported_names("US Treasury yields rose after the downgrade.", glossary, present) == []


def test_a_term_and_its_opposite_both_named_pass() -> None:
    # "net sold" is said with both words; a market's "sell-off" is its fall, not someone selling
    net_sold = "Foreign investors sold more shares than they bought."
    assert opposites_kept("外资卖超新台币520亿元。", net_sold) == []
    assert opposites_kept("投资者逢低买入，美股反弹。", "US stocks rebounded after a sell-off.") == []
    assert opposites_kept("通胀与通缩之争。", "The debate over inflation.") == []
