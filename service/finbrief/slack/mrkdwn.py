"""Slack's markup, both ways: message text in (links, mentions, entities) and mrkdwn out."""

from __future__ import annotations

import html
import re

from ..text.script import cjk_count

# <https://x|label>, <https://x>, <@U123>, <@U123|name>, <#C123|general>, <!here>, <!subteam^S1|@team>
_TOKEN_RE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_URL_RE = re.compile(r"https?://\S+", re.I)


def _token(m: re.Match[str]) -> str:
    target, label = m.group(1), m.group(2)
    if target.startswith("@") or target.startswith("!"):
        return ""  # mentions and broadcasts carry no article text
    if target.startswith("#"):
        return f"#{label}" if label else ""
    return label or target  # a link: what the reader saw


def to_plain(text: str) -> str:
    """Slack message text as the reader sees it, for briefing."""
    return html.unescape(_TOKEN_RE.sub(_token, text)).strip()


def only_url(text: str) -> str | None:
    """The URL, if the message is nothing but one link (Slack-formatted or bare), mentions aside."""
    stripped = re.sub(r"<[@!][^<>]*>", "", text).strip()
    m = re.fullmatch(r"<(https?://[^<>|\s]+)(?:\|[^<>]*)?>", stripped, re.I) or re.fullmatch(
        r"(https?://\S+)", stripped, re.I
    )
    return html.unescape(m.group(1)) if m else None


def mostly_chinese(text: str, *, min_chars: int, min_ratio: float) -> bool:
    """Long enough and mostly Chinese: the auto-brief test. Links do not count either way."""
    visible = "".join(_URL_RE.sub("", to_plain(text)).split())
    han = cjk_count(visible)
    return han >= min_chars and han >= min_ratio * max(len(visible), 1)


def escape(text: str) -> str:
    """Model output and article text are data, never markup: `<!channel>` must not ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
