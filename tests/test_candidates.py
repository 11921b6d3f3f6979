"""Claim candidates: verbatim spans and polarity decided from negation scope, by code."""

from __future__ import annotations

from finbrief.pipeline.claims import dedupe, primary_cause
from finbrief.schemas import CauseClaim
from finbrief.text.candidates import claim_score, find_candidates
from finbrief.text.normalize import normalize

from .conftest import seed


def test_rather_than_splits_supported_and_rejected() -> None:
    text = seed("000")
    doc = normalize(text)
    cands = find_candidates(doc, 8)
    lead = next(c for c in cands if "而非特朗普的關税政策" in c.span.text)
    assert "ai_disruption" in lead.supported and lead.rejected == ["trade_policy"]
    assert text[lead.span.start : lead.span.end] == lead.span.text


def test_unrelated_to_is_a_rejection() -> None:
    doc = normalize(seed("000"))
    quote = next(c for c in find_candidates(doc, 20) if "無關" in c.span.text)
    assert "trade_policy" in quote.rejected


def test_blanket_rejection_of_listed_explanations() -> None:
    text = seed("003")
    cands = find_candidates(normalize(text), 10)
    rejected = {label for c in cands for label in c.rejected}
    assert {"ai_disruption", "earnings", "monetary_policy"} <= rejected
    for c in cands:
        assert text[c.span.start : c.span.end] == c.span.text
        if c.claim_anchor is not None:
            assert "Bullshit" in c.claim_anchor.text and c.span.text.endswith(c.claim_anchor.text)
    thesis = next(c for c in cands if "流動性緊張+估值高企" in c.span.text)
    assert {"liquidity", "valuation"} <= set(thesis.supported) and not thesis.rejected


def test_plain_supported_claim_has_no_rejection() -> None:
    cands = find_candidates(normalize(seed("004")), 8)
    assert any("ai_disruption" in c.supported for c in cands)
    assert not any(c.rejected for c in cands)


def test_explicit_blame_and_a_speaker_outrank_a_bare_consequence() -> None:
    # Invented sentences: the same move, told three ways.
    bare = claim_score("芯片股引发抛售潮。", moves=True, causes=True, negated=False, lead=False)
    blamed = claim_score("分析师将芯片股暴跌归咎于关税。", moves=True, causes=True, negated=False, lead=False)
    ahead = claim_score("关税未来可能会导致股市下跌。", moves=True, causes=True, negated=False, lead=False)
    assert blamed > bare > ahead


def test_a_voice_that_denies_a_cause_does_not_also_support_it() -> None:
    def claim(label: str, stance: str, claimant: str, start: int) -> CauseClaim:
        return CauseClaim(
            label=label, stance=stance, claimant=claimant, moved="US stocks", direction="down",
            evidence_zh="x", evidence_start=start, evidence_end=start + 1, evidence_en="x",
            confidence=0.7, note=None,
        )  # fmt: skip

    kept = dedupe(
        [
            claim("monetary_policy", "rejected", "author", 10),
            claim("monetary_policy", "supported", "author", 50),  # same voice: contradiction, dropped
            claim("trade_policy", "rejected", "Scott Bessent", 0),
            claim("trade_policy", "supported", "Goldman Sachs", 90),  # another voice may disagree
        ]
    )
    assert [(c.label, c.stance, c.claimant) for c in kept] == [
        ("trade_policy", "rejected", "Scott Bessent"),
        ("monetary_policy", "rejected", "author"),
        ("trade_policy", "supported", "Goldman Sachs"),
    ]


def test_primary_cause_outside_the_lead_is_the_one_named_as_the_main_cause() -> None:
    def claim(label: str, zh: str, start: int, confidence: float) -> CauseClaim:
        return CauseClaim(
            label=label, stance="supported", claimant="author", moved="stocks", direction="down",
            evidence_zh=zh, evidence_start=start, evidence_end=start + len(zh), evidence_en="x",
            confidence=confidence, note=None,
        )  # fmt: skip

    named = claim("geopolitics", "分析人士认为，边境冲突升级才是这次抛售的主因。", 80, 0.7)
    implied = claim("liquidity", "保证金追缴引发被动卖盘，加剧了跌势。", 150, 0.85)
    also_implied = claim("liquidity", "融资盘平仓拖累大盘。", 200, 0.55)
    assert primary_cause([named, implied, also_implied], lead_end=40) == "geopolitics"
    # Without an explicit attribution, the weight of support across the article decides.
    assert (
        primary_cause([implied, also_implied, claim("geopolitics", "冲突升温。", 80, 0.7)], 40) == "liquidity"
    )
    # A supported claim in the title or lead wins outright.
    assert primary_cause([claim("earnings", "财报不及预期拖累股价。", 10, 0.6), named], 40) == "earnings"
    # "不只是X，而是Y" adds, it names no culprit: the weight of support decides, as without one.
    not_only = claim("geopolitics", "冲突影响的不只是油价，而是全球供应链。", 80, 0.7)
    assert primary_cause([implied, also_implied, not_only], lead_end=40) == "liquidity"
    # Two causes alike in the headline: the one the article goes on to develop.
    title = "关税升级叠加降息预期降温 美股重挫"
    both = [claim("monetary_policy", title, 0, 0.55), claim("trade_policy", title, 0, 0.55)]
    tariffs = claim("trade_policy", "市场将卖压归咎于关税。", 60, 0.85)
    assert primary_cause([*both, tariffs], lead_end=20) == "trade_policy"
    # ... which is only seen before dedupe keeps the more confident twin outside the headline.
    assert primary_cause(dedupe([*both, tariffs]), lead_end=20) == "monetary_policy"
