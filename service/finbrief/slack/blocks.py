"""A Brief as a Block Kit message, always within Slack's limits.

Slack rejects the whole message (invalid_blocks) if any limit is broken, so everything here is
measured and cut before it is sent: whole lines are dropped before any line is clipped, dropped
items are counted, and the message says what was left out. Model output and article text are
escaped: they are data, not markup.
"""

from __future__ import annotations

from typing import Any

from ..schemas import Brief, CauseClaim, GroundedText, KeyFigure
from .mrkdwn import escape

MAX_BLOCKS = 50  # per message
SECTION_CHARS = 3000  # section / context text
HEADER_CHARS = 150  # header plain_text
FALLBACK_CHARS = 300  # the notification text; the blocks carry the brief
EVIDENCE_EN_CHARS = 220
EVIDENCE_ZH_CHARS = 90

Block = dict[str, Any]
STANCE = {"supported": "✅ supported", "rejected": "🚫 rejected"}
ARROW = {"down": "↓", "up": "↑", "volatile": "↕"}


def slack_len(text: str) -> int:
    """Length as Slack may count it (UTF-16 units): never less than Python's len()."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    if slack_len(text) <= limit:
        return text
    out = text[: limit - 1]
    while slack_len(out) > limit - 1:  # characters outside the BMP count twice
        out = out[:-1]
    return out.rstrip() + "…"


def fit_lines(head: str, lines: list[str], limit: int = SECTION_CHARS) -> tuple[str, int, bool]:
    """head plus as many whole lines as fit: (text, lines left out, whether a line was clipped)."""
    text = head
    for i, line in enumerate(lines):
        candidate = f"{text}\n{line}" if text else line
        if slack_len(candidate) <= limit:
            text = candidate
        elif i == 0:  # not even one whole line fits: show the start of it
            return clip(candidate, limit), len(lines) - 1, True
        else:
            return text, len(lines) - i, False
    return text, 0, False


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}]}


def _figure_line(f: KeyFigure) -> str:
    return f"• *{escape(f.value)}* — {escape(f.what)}"


def _claim_text(c: CauseClaim) -> str:
    label = f"`{c.label}`" + (f" ({escape(c.note)})" if c.label == "other" and c.note else "")
    who = "the author" if c.claimant == "author" else escape(c.claimant)
    head = (
        f"{label} · {STANCE[c.stance]} · claimed by {who}"
        f" · {escape(c.moved)} {ARROW.get(c.direction, escape(c.direction))}"
    )
    en, zh = clip(c.evidence_en, EVIDENCE_EN_CHARS), clip(c.evidence_zh, EVIDENCE_ZH_CHARS)
    quote = (f"> {escape(en)}\n" if en else "") + f"> 「{escape(zh)}」"  # en "" = withheld, see warnings
    return clip(f"{head}\n{quote}", SECTION_CHARS)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def footer_text(brief: Brief, source_url: str | None = None) -> str:
    p = brief.provenance
    parts = [
        f"model `{escape(p.model_id)}`",
        f"prompt `{escape(p.prompt_version)}`",
        f"finbrief {escape(p.finbrief_version)}",
        f"{p.timings.total_s:.1f} s",
    ]
    if source_url:
        safe = escape(source_url).replace("|", "%7C")
        parts.append(f"<{safe}|source>")
    return " · ".join(parts)


def _bullet_line(g: GroundedText, quote_chars: int = 40) -> str:
    zh = g.evidence[0].zh
    quote = zh if len(zh) <= quote_chars else zh[: quote_chars - 1] + "…"
    return f"• {escape(g.text)}\n      _「{escape(quote)}」_"


def brief_blocks(brief: Brief, *, source_url: str | None = None) -> list[Block]:
    trimmed: list[str] = []
    blocks: list[Block] = []

    headline = brief.headline_en.strip() or "English brief"
    if slack_len(headline) > HEADER_CHARS:
        trimmed.append("the headline was shortened")
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": clip(headline, HEADER_CHARS)}})

    if brief.summary:  # each bullet with the Chinese it rests on, for the reader to check it against
        text, left, cut = fit_lines("", [_bullet_line(g) for g in brief.summary])
        blocks.append(_section(text))
        if left or cut:
            trimmed.append(_plural(left, "bullet") if left else "a bullet was shortened")

    if brief.key_figures:
        text, left, cut = fit_lines("*Key figures*", [_figure_line(f) for f in brief.key_figures])
        blocks.append(_section(text))
        if left or cut:
            trimmed.append(_plural(left, "key figure") if left else "a key figure was shortened")

    # Fixed blocks still to come: the claims heading, the trimmed note, warnings, the footer.
    tail = 1 + 1 + (1 if brief.warnings else 0) + 1
    if brief.causes:
        room = MAX_BLOCKS - len(blocks) - tail
        shown = brief.causes[: max(room, 0)]
        blocks.append(_section("*Cause claims* (what the article says moved the market, and who says so)"))
        blocks.extend(_section(_claim_text(c)) for c in shown)
        if len(shown) < len(brief.causes):
            trimmed.append(_plural(len(brief.causes) - len(shown), "cause claim"))

    if trimmed:
        blocks.append(
            _context(
                "✂️ Trimmed to fit Slack: "
                + "; ".join(trimmed)
                + ". The full brief is available from the finbrief API (`POST /v1/brief`)."
            )
        )
    if brief.warnings:
        blocks.append(_context("⚠️ " + escape("; ".join(brief.warnings))))
    blocks.append(_context(footer_text(brief, source_url)))
    return blocks


def fallback_text(brief: Brief) -> str:
    """The notification / screen-reader text that accompanies the blocks."""
    return clip(f"English brief: {escape(brief.headline_en)}", FALLBACK_CHARS)


def plain_brief_text(brief: Brief, source_url: str | None = None) -> str:
    """The brief without blocks: the fallback if Slack ever refuses the layout."""
    lines = [f"*{escape(brief.headline_en)}*", *(f"• {escape(b)}" for b in brief.summary_en)]
    lines.append(footer_text(brief, source_url))
    return clip("\n".join(lines), SECTION_CHARS)
