"""The one place where finbrief errors become Slack replies: what went wrong, and what to do.

The Slack analogue of api/errors.py. A reply never contains a stack trace or a secret; anything
unexpected is logged in full and the user gets a generic apology.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from ..errors import (
    EmptyText,
    FetchFailed,
    FinbriefError,
    GenerationFailed,
    ModelError,
    NotChinese,
    TextTooLarge,
    TextTooShort,
    Unavailable,
    UrlRefused,
    VerificationFailed,
)
from .mrkdwn import escape

SORRY = ":warning: Sorry —"

# Most specific first: the first matching class wins.
_REPLIES: list[tuple[type[FinbriefError], str]] = [
    (UrlRefused, "I won't fetch that link: {message}. Paste the article text instead."),
    (FetchFailed, "I couldn't get the article from that link ({message}). Paste the article text instead."),
    (
        EmptyText,
        "there is no text here to brief (files and images are not read). "
        "Share the article text, or a link to it.",
    ),
    (
        TextTooShort,
        "that is too short to brief ({message}). Paste the whole article, or a link to it.",
    ),
    (
        NotChinese,
        "this doesn't look like a Chinese article, so there is nothing for me to translate. "
        "I brief Chinese financial articles: paste one, or a link to one.",
    ),
    (TextTooLarge, "that article is too long for me ({message}). Try pasting its main part."),
    (
        VerificationFailed,
        "I couldn't produce a brief I can stand behind: the draft failed my faithfulness checks, and "
        "I never post an unchecked brief. Trying again sometimes helps; if not, paste a cleaner excerpt.",
    ),
    (GenerationFailed, "the model didn't give a usable answer this time. Please try again in a minute."),
    (
        Unavailable,
        "I'm too busy (or still starting up) to brief this now. Please try again in a few minutes.",
    ),
    (ModelError, "my model isn't available right now; an operator has to look at it. Please try later."),
]

UNEXPECTED = (
    "something went wrong on my side and I couldn't brief this. It has been logged; please try again later."
)


def apology(exc: BaseException) -> str:
    """A polite, actionable thread message for any failure of a brief."""
    if isinstance(exc, SlackApiError):
        error = escape(str(exc.response.get("error", "error")))
        return f"{SORRY} Slack refused one of my requests ({error}). Make sure I'm a member of this channel."
    if isinstance(exc, FinbriefError):
        for cls, template in _REPLIES:
            if isinstance(exc, cls):
                return f"{SORRY} {template.format(message=escape(exc.message))}"
    return f"{SORRY} {UNEXPECTED}"


HELP = (
    "Hi! I post English briefs of Chinese financial articles. Mention me in a thread to brief its first "
    "message, use the *Brief in English* message shortcut, or `{command} <article text or link>`."
)
ALREADY = "This message already has a brief (or one is on its way) in this thread."
CANT_POST = (
    f"{SORRY} I can't post in this conversation ({{error}}). Invite me with `/invite @finbrief` "
    "and try again, or use the command in a channel I'm in."
)
WORKING = "👀 Working on it: the brief will appear in a thread in this channel, usually within a minute."
