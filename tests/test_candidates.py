"""Claim candidates: verbatim spans and polarity decided from negation scope, by code."""

from __future__ import annotations

from finbrief.normalize import normalize
from finbrief.pipeline.candidates import find_candidates

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
