"""Negation that knows its scope: a rejection needs the cause itself denied; two negations (refusing
to rule out, not without) raise the cause. Each pattern in both scripts, through the candidate
finder (what the model is asked) and the stance check (what a claim must pass)."""

from __future__ import annotations

import pytest

from finbrief.checks import stance_consistent
from finbrief.text.candidates import find_candidates
from finbrief.text.normalize import normalize
from finbrief.text.scopes import blames
from finbrief.text.script import to_simplified, to_traditional

LEAD = "美股周一大幅下跌，道指收跌逾800点。\n"

RAISES = [  # (sentence, label it supports)
    ("特朗普拒绝排除经济衰退的可能性，引发市场恐慌，美股大跌。", "macro_outlook"),
    ("分析师表示，不排除经济衰退的可能，这导致投资者抛售股票。", "macro_outlook"),
    ("美联储主席不能排除再次加息，导致美股下跌。", "monetary_policy"),
    ("市场无法排除关税升级的风险，拖累股市走低。", "trade_policy"),
    ("经济衰退并非毫无可能，投资者担忧情绪导致美股下挫。", "macro_outlook"),
    ("他并未否认估值过高的问题，科技股因此重挫。", "valuation"),
    ("这次下跌不是没有原因，关税才是主因。", "trade_policy"),
]
DENIES = [  # (sentence, label it rejects)
    ("分析师指出，美股下跌主要是估值过高，而非关税政策。", "trade_policy"),
    ("他表示，这次下跌并非因为美联储加息。", "monetary_policy"),
    ("策略师认为，美股下跌与关税无关。", "trade_policy"),
    ("官员否认央行降息是股市下跌的原因。", "monetary_policy"),
    ("交易员表示，金价下跌不受美联储降息预期影响。", "monetary_policy"),
    ("美股下跌不是因为经济衰退，而是因为估值过高。", "macro_outlook"),
    ("市场焦点不在利率，而是经济衰退的风险，导致比特币下跌。", "monetary_policy"),
    ("这次下跌并非产业基本面转坏，而是估值过高。", "earnings"),
    ("股价暴跌不是因为交易所倒闭，而是杠杆过高。", "other"),
]


def _labels(sentence: str) -> tuple[set[str], set[str]]:
    doc = normalize(LEAD + sentence)
    cands = [c for c in find_candidates(doc, 10) if c.span.start >= len(LEAD)]
    return {x for c in cands for x in c.supported}, {x for c in cands for x in c.rejected}


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), RAISES)
def test_double_negation_raises_the_cause(sentence: str, label: str, convert: object) -> None:
    text = convert(sentence)  # type: ignore[operator]
    supported, rejected = _labels(text)
    assert label in supported and label not in rejected
    assert stance_consistent(to_simplified(text), "rejected") != []  # no denial to stand on
    assert stance_consistent(to_simplified(text), "supported", label) == []


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), DENIES)
def test_a_denied_cause_is_a_rejection(sentence: str, label: str, convert: object) -> None:
    text = convert(sentence)  # type: ignore[operator]
    _, rejected = _labels(text)
    assert label in rejected
    assert stance_consistent(to_simplified(text), "rejected") == []
    assert stance_consistent(to_simplified(text), "supported", label) != []


NOT_DENIALS = [  # (sentence, label it still supports): a negation that denies no cause
    ("这已经不是特朗普第一次对格陵兰岛表现出兴趣，美股因此大跌。", "geopolitics"),
    ("分析师表示，关税并不是股市下跌的唯一原因。", "trade_policy"),
    ("美元走强并非单一事件驱动，而是美国经济数据强劲的结果，新台币因此贬值。", "macro_outlook"),
    # "not as X usually does": a comparison (attribution2 holdout b36, after its run; seed 000 too)
    ("央行加息只防止了日元下跌，而不是像通常的加息那样推高日元，日元因此走弱。", "monetary_policy"),
]


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), NOT_DENIALS)
def test_not_the_first_or_the_only_denies_nothing(sentence: str, label: str, convert: object) -> None:
    supported, rejected = _labels(convert(sentence))  # type: ignore[operator]
    assert label in supported and not rejected


REPORT_DENIALS = [  # (text, label the denier rejects): a report, then its denial
    ("伦镍暴涨。\n市场传闻，某巨头在镍市场逼空空头。\n该公司回应称，上述说法完全是胡说八道。", "liquidity"),
    ("教育股周三暴跌。\n网传监管部门将出台新规限制教育股，教育企业纷纷澄清消息不实。", "other"),
    ("油价大跌。\n有报道称中东爆发军事冲突，官方否认有关传闻。", "geopolitics"),
    # a rumour whose content names no cause: the rumour itself (`other`) is what is denied
    ("某地产股周五暴跌66%。\n该公司今日公告称，有关公司的传闻不实且虚假，营运一切正常。", "other"),
    ("复星医药股价大跌。\n董事长召开紧急会议澄清相关谣言，称有人恶意做空。", "other"),
]


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("text", "label"), REPORT_DENIALS)
def test_a_denied_report_is_a_rejection_by_its_denier(text: str, label: str, convert: object) -> None:
    source = convert(text)  # type: ignore[operator]
    denial = next(c for c in find_candidates(normalize(source), 10) if c.claim_anchor is not None)
    assert denial.rejected == [label] and source[denial.span.start : denial.span.end] == denial.span.text
    assert denial.span.text.endswith(denial.claim_anchor.text)  # the denier's sentence: the claimant
    assert stance_consistent(to_simplified(denial.span.text), "rejected") == []


DISMISSES = [  # (sentence, label it rejects): the denied cause is the subject, before the dismissal
    ("川普宣布对欧洲国家加征关税对美国市场的影响有限。", "trade_policy"),
    ("分析师认为，降息预期并不是这次金价下跌的主因，美元走强才是。", "monetary_policy"),
    ("策略师表示，美联储加息对股市的冲击十分有限，美股仍然收涨。", "monetary_policy"),
    ("交易员说，这轮抛售与估值关系不大。", "valuation"),
]


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(("sentence", "label"), DISMISSES)
def test_a_dismissed_cause_is_a_rejection(sentence: str, label: str, convert: object) -> None:
    text = convert(sentence)  # type: ignore[operator]
    supported, rejected = _labels(text)
    assert label in rejected and label not in supported
    assert stance_consistent(to_simplified(text), "rejected") == []


def test_a_dismissal_covers_only_its_own_clause() -> None:
    # The tariffs are dismissed; the rate cut in the next clause still drives the move.
    supported, rejected = _labels("关税的影响有限，美联储降息预期降温导致美股下跌。")
    assert "trade_policy" in rejected and "monetary_policy" in supported


@pytest.mark.parametrize("convert", [to_simplified, to_traditional], ids=["zh-Hans", "zh-Hant"])
def test_a_contrast_within_one_cause_is_no_denial_of_it(convert: object) -> None:
    # "not an artificial recession but a real stagflationary one": the recession is argued
    text = convert("市场担心，政策一旦失控，可能并非『人造衰退』，而是货真价实的『停滞性衰退』。")  # type: ignore[operator]
    supported, rejected = _labels(text)
    assert "macro_outlook" in supported and "macro_outlook" not in rejected


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("股市下跌不是因为关税，而是因为美联储加息。", True),  # corrective: names the real cause
        ("股市下跌不是因為關稅，而是因為聯準會升息。", True),
        ("分析师认为，这次抛售的主因是估值过高。", True),
        ("AI影响的不只是经济，而是全球竞争格局。", False),  # additive: "not only … but"
        ("AI 影響的不只是經濟,而是全球競爭格局。", False),
        ("这不仅仅是一场贸易战，而是科技竞争。", False),
        ("这不仅是一场贸易战，而是科技竞争；股市下跌不是因为关税，而是因为加息。", True),
    ],
)
def test_a_culprit_is_named_by_a_correction_not_by_not_only_but(text: str, culprit: bool) -> None:
    assert blames(text) is culprit
