"""The Slack surfaces, from payload to exactly one threaded brief.

Every surface is split the way Bolt's lazy listeners want it: an *ack* part that runs inline,
calls no Web API and answers Slack within its 3-second limit, and a *lazy* part that runs in
Bolt's listener pool and does the slow work (fetch, model, posting). Dedupe happens twice:
`drop_redeliveries` (middleware) drops a repeated event/trigger id before any listener runs, and
each message-based surface claims its target message so a shortcut, a mention and an auto-brief
of the same message still end in one brief.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..errors import EmptyText, FinbriefError
from ..intake import with_article_text
from ..schemas import Brief, BriefRequest
from ..settings import Settings
from ..text.script import has_cjk
from . import replies
from .blocks import brief_blocks, clip, fallback_text, plain_brief_text
from .dedupe import Deduper
from .fetch import ArticleFetcher
from .mrkdwn import escape, mostly_chinese, only_url, to_plain

log = logging.getLogger(__name__)
Briefer = Callable[[BriefRequest], Brief]
Payload = dict[str, Any]
LAYOUT_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks"}


def redelivery_key(body: Payload) -> str | None:
    """What makes a delivery unique: Slack resends an event with the same event_id."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):  # slash commands and shortcuts: a replay inside the signature window
        return f"trigger:{body['trigger_id']}"
    return None


def target_key(channel: str, ts: str) -> str:
    return f"message:{channel}:{ts}"


class SlackSurfaces:
    def __init__(
        self, settings: Settings, briefer: Briefer, fetcher: ArticleFetcher, dedupe: Deduper
    ) -> None:
        self.settings, self.briefer, self.fetcher, self.dedupe = settings, briefer, fetcher, dedupe

    # --- middleware -----------------------------------------------------------------------
    def drop_redeliveries(self, body: Payload, next_: Callable[[], None]) -> BoltResponse | None:
        key = redelivery_key(body)
        if key is not None and not self.dedupe.claim(key):
            log.info("dropped a repeated delivery (%s)", key)
            return BoltResponse(status=200, body="")  # acknowledged, so Slack stops retrying
        next_()
        return None

    # --- ack parts: inline, fast, no Web API calls -----------------------------------------
    def ack_only(self, ack: Ack) -> None:
        ack()

    def ack_command(self, ack: Ack, command: Payload) -> None:
        if not command.get("text", "").strip():
            ack(text=replies.HELP.format(command=self.settings.slack_command))
        else:
            ack(text=replies.WORKING)  # ephemeral: only the requester sees the progress note

    def is_auto_candidate(self, event: Payload) -> bool:
        s = self.settings
        return (
            event.get("channel") in s.slack_auto_channels
            and not event.get("subtype")  # edits, joins, bot posts...
            and not event.get("thread_ts")  # replies are conversation, not shared articles
            and not event.get("bot_id")
            and mostly_chinese(
                event.get("text", ""), min_chars=s.slack_auto_min_chars, min_ratio=s.slack_auto_min_cjk_ratio
            )
        )

    # --- lazy parts: Bolt's listener pool ---------------------------------------------------
    def brief_command(self, command: Payload, client: WebClient, respond: Respond) -> None:
        text = command.get("text", "").strip()
        if not text:
            return
        channel, user = command["channel_id"], command["user_id"]
        url = only_url(text)
        what = (
            f"<{escape(url)}>"
            if url
            else f"a pasted article ({len(text):,} characters): “{escape(clip(to_plain(text), 80))}”"
        )
        try:  # a parent message to thread the brief under: a slash command has no message of its own
            parent = client.chat_postMessage(
                channel=channel,
                text=f"📰 <@{user}> asked for an English brief of {what}",
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            log.info("cannot post in %s: %s", channel, exc.response.get("error"))
            respond(
                text=replies.CANT_POST.format(error=exc.response.get("error", "error")),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        self.deliver(client, channel=channel, thread_ts=str(parent["ts"]), text=lambda: text)

    def brief_shortcut(self, shortcut: Payload, client: WebClient) -> None:
        message, channel, user = shortcut["message"], shortcut["channel"]["id"], shortcut["user"]["id"]
        ts = message["ts"]
        thread_ts = message.get("thread_ts") or ts
        key = target_key(channel, ts)
        if not self.dedupe.claim(key):
            self._ephemeral(client, channel, user, thread_ts, replies.ALREADY)
            return
        text = str(message.get("text", ""))
        self.deliver(client, channel=channel, thread_ts=thread_ts, text=lambda: text, react_ts=ts, target=key)

    def brief_mention(self, event: Payload, client: WebClient) -> None:
        channel, ts, user = event["channel"], event["ts"], event.get("user", "")
        thread_ts = event.get("thread_ts")
        if thread_ts and thread_ts != ts:  # in a thread: brief the thread's parent message
            key = target_key(channel, thread_ts)
            if not self.dedupe.claim(key):
                self._ephemeral(client, channel, user, thread_ts, replies.ALREADY)
                return

            def parent_text() -> str:
                found = client.conversations_replies(channel=channel, ts=thread_ts, limit=1, inclusive=True)
                messages = found.get("messages") or []
                return str(messages[0].get("text", "")) if messages else ""

            self.deliver(
                client, channel=channel, thread_ts=thread_ts, text=parent_text, react_ts=ts, target=key
            )
            return
        own = event.get("text", "")
        if not (only_url(own) or has_cjk(own)):  # "@finbrief hi": say what I do
            help_text = replies.HELP.format(command=self.settings.slack_command)
            self._post(client, channel=channel, thread_ts=ts, text=help_text)
            return
        key = target_key(channel, ts)
        if self.dedupe.claim(key):
            self.deliver(client, channel=channel, thread_ts=ts, text=lambda: own, react_ts=ts, target=key)

    def auto_brief(self, event: Payload, client: WebClient) -> None:
        channel, ts, text = event["channel"], event["ts"], str(event.get("text", ""))
        key = target_key(channel, ts)
        if not self.dedupe.claim(key):
            return  # already briefed through another surface: stay quiet
        self.deliver(client, channel=channel, thread_ts=ts, text=lambda: text, react_ts=ts, target=key)

    # --- delivery -------------------------------------------------------------------------
    def deliver(
        self,
        client: WebClient,
        *,
        channel: str,
        thread_ts: str,
        text: Callable[[], str],
        react_ts: str | None = None,
        target: str | None = None,
    ) -> None:
        """Progress reaction, brief, one threaded reply (the brief or a polite error)."""
        if react_ts:
            self._react(client, "add", channel, react_ts)
        try:
            request, url = self.request_for(text())
            brief = self.briefer(request)
            self._post_brief(client, channel, thread_ts, brief, url)
        except Exception as exc:
            if target:
                self.dedupe.release(target)  # a failed brief may be asked for again
            if isinstance(exc, FinbriefError):
                log.info("slack brief failed in %s: %s (%s)", channel, exc.code, exc.message)
            else:
                log.exception("slack brief failed in %s", channel)
            self._post(client, channel=channel, thread_ts=thread_ts, text=replies.apology(exc))
        finally:
            if react_ts:
                self._react(client, "remove", channel, react_ts)

    def request_for(self, text: str) -> tuple[BriefRequest, str | None]:
        """A message is either one link (fetched, article text extracted) or the article itself."""
        url = only_url(text)
        if url is None:
            plain = to_plain(text)
            if not plain:
                raise EmptyText("the message has no text")
            return BriefRequest(text=plain), None
        return with_article_text(BriefRequest(url=url), self.fetcher), url

    def _post_brief(
        self, client: WebClient, channel: str, thread_ts: str, brief: Brief, url: str | None
    ) -> None:
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=fallback_text(brief),
                blocks=brief_blocks(brief, source_url=url),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:  # should not happen (limits are enforced); never lose the brief
            if exc.response.get("error") not in LAYOUT_ERRORS:
                raise
            log.warning(
                "slack refused the brief's layout (%s); posting it as text", exc.response.get("error")
            )
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=plain_brief_text(brief, url))

    def _post(self, client: WebClient, *, channel: str, thread_ts: str, text: str) -> None:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            log.warning("could not post to %s: %s", channel, exc.response.get("error"))

    def _ephemeral(self, client: WebClient, channel: str, user: str, thread_ts: str, text: str) -> None:
        try:
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            log.info("could not post an ephemeral note in %s: %s", channel, exc.response.get("error"))

    def _react(self, client: WebClient, how: str, channel: str, ts: str) -> None:
        """Progress is a courtesy: a missing scope or an existing reaction must not stop a brief."""
        name = self.settings.slack_progress_reaction
        try:
            if how == "add":
                client.reactions_add(channel=channel, timestamp=ts, name=name)
            else:
                client.reactions_remove(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            log.debug("reactions.%s failed: %s", how, exc.response.get("error"))
