"""Block Kit rendering: every brief fits Slack's limits, trimmed with a note, and stays data."""

from __future__ import annotations

from typing import Any

from finbrief.schemas import (
    Brief,
    CauseClaim,
    GroundedText,
    KeyFigure,
    Provenance,
    Span,
    Timings,
    TokenCounts,
)
from finbrief.slack.blocks import HEADER_CHARS, MAX_BLOCKS, SECTION_CHARS, brief_blocks, clip, slack_len
from finbrief.slack.mrkdwn import mostly_chinese, only_url, to_plain

from .conftest import seed
from .fake_slack import block_kit_error


def make_brief(*, claims: int = 2, figures: int = 2, long: int = 0, headline: str = "Stocks fall") -> Brief:
    filler = "word " * long
    return Brief(
        headline_en=headline,
        summary_en=[f"Bullet {i}. {filler}" for i in range(5)],
        summary=[
            GroundedText(text=f"Bullet {i}. {filler}", evidence=[Span(zh="美股暴跌", start=0, end=4)])
            for i in range(5)
        ],
        key_figures=[
            KeyFigure(
                value=f"${i} billion",
                unit="USD",
                what=f"figure {i} {filler}",
                evidence=Span(zh="5950亿美元", start=0, end=7),
            )
            for i in range(figures)
        ],
        entities=[],
        causes=[
            CauseClaim(
                label="ai_disruption" if i % 2 else "trade_policy",
                stance="rejected" if i % 2 else "supported",
                claimant="Scott Bessent",
                moved="Nasdaq",
                direction="down",
                evidence_zh="美股暴跌主要是由于 DeepSeek 开源 AI 大模型的流行" * (1 + long // 50),
                evidence_start=0,
                evidence_end=10,
                evidence_en=f"Claim {i}: stocks fell because of DeepSeek. {filler}",
                confidence=0.9,
            )
            for i in range(claims)
        ],
        primary_cause="ai_disruption",
        source_script="zh-Hans",
        provenance=Provenance(
            model_id="qwen-test",
            model_sha256=None,
            backend="scripted",
            prompt_version="v1+abcd1234",
            finbrief_version="0.1.0",
            timings=Timings(total_s=12.34),
            tokens=TokenCounts(),
        ),
    )


def all_text(blocks: list[dict[str, Any]]) -> str:
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", [])]
    return "\n".join(out)


def test_a_normal_brief_has_every_part_and_no_trim_note() -> None:
    blocks = brief_blocks(make_brief(), source_url="https://news.example/a?b=1&c=2")
    assert block_kit_error(blocks) is None
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Stocks fall"}}
    text = all_text(blocks)
    assert "• Bullet 0." in text and "「美股暴跌」" in text  # each bullet with its source
    assert "*Key figures*" in text and "*$1 billion* — figure 1" in text
    assert "`trade_policy` · ✅ supported · claimed by Scott Bessent · Nasdaq ↓" in text
    assert (
        "`ai_disruption` · 🚫 rejected" in text and "> Claim 1: stocks fell" in text and "「美股暴跌" in text
    )
    footer = blocks[-1]["elements"][0]["text"]
    assert "model `qwen-test`" in footer and "prompt `v1+abcd1234`" in footer and "12.3 s" in footer
    assert "<https://news.example/a?b=1&amp;c=2|source>" in footer
    assert "Trimmed" not in text


def test_huge_briefs_are_trimmed_to_slack_limits_with_a_note() -> None:
    brief = make_brief(claims=120, figures=80, long=400, headline="H" * 400)
    blocks = brief_blocks(brief)
    assert block_kit_error(blocks) is None  # the same checks the fake Slack server applies
    assert len(blocks) <= MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= HEADER_CHARS
    for b in blocks:
        if b["type"] == "section":
            assert 0 < slack_len(b["text"]["text"]) <= SECTION_CHARS
    note = next(b for b in blocks if b["type"] == "context" and "Trimmed" in b["elements"][0]["text"])
    text = note["elements"][0]["text"]
    assert "cause claims" in text and "key figure" in text and "headline" in text
    assert blocks[-1]["elements"][0]["text"].startswith("model `qwen-test`")  # the footer survives


def test_model_output_cannot_ping_or_inject_markup() -> None:
    brief = make_brief(headline="<!channel> alert")
    brief.summary[0].text = "Buy now <!everyone> <https://evil.example|click> & more"
    brief.summary[1].evidence[0].zh = "<!here> 美股"
    text = all_text(brief_blocks(brief))
    assert "<!everyone>" not in text and "&lt;!everyone&gt;" in text and "&amp; more" in text
    assert "<!here>" not in text
    assert "<https://evil.example" not in text


def test_clip_counts_like_slack() -> None:
    assert clip("abc", 3) == "abc" and clip("abcd", 3) == "ab…"
    assert slack_len(clip("🚫" * 10, 5)) <= 5  # astral characters are two UTF-16 units


def test_slack_markup_in_and_the_auto_brief_test() -> None:
    assert to_plain("<@U1> look: <https://x.example/a|this> &amp; <#C1|markets> <!here>") == (
        "look: this & #markets"
    )
    assert only_url(" <https://x.example/a?b=1&amp;c=2|x.example> ") == "https://x.example/a?b=1&c=2"
    assert only_url("https://x.example/a") == "https://x.example/a"
    assert only_url("see https://x.example/a") is None and only_url("<@U1>") is None
    assert only_url("<@UBOT> <https://x.example/a>") == "https://x.example/a"
    article = seed("004")
    assert mostly_chinese(article, min_chars=300, min_ratio=0.5)
    assert not mostly_chinese(article[:100], min_chars=300, min_ratio=0.5)
    assert not mostly_chinese("Markets fell sharply today. " * 50 + "美股", min_chars=1, min_ratio=0.5)
