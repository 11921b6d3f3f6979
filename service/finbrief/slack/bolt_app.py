"""The Bolt app: Web API client, middleware and listeners, the same for HTTP and Socket Mode.

Protocol work is Bolt's and the SDK's: request signatures and the 5-minute replay window
(RequestVerification -> 401), url_verification, ignoring the bot's own messages, acks, lazy
listeners, Socket Mode envelopes, and 429 handling (RateLimitErrorRetryHandler sleeps for
Retry-After and retries the same call).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from ..settings import Settings
from .briefer import HostBriefer
from .dedupe import Deduper
from .fetch import ArticleFetcher
from .handlers import SlackSurfaces
from .identity import BotIdentity

log = logging.getLogger(__name__)


class _TokenIsUsed(logging.Filter):
    """Bolt warns at start-up that the client's token "will be ignored" when `authorize` is given;
    it is not: BotIdentity authorizes every request with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be ignored" not in record.getMessage()


logging.getLogger("finbrief.slack.bolt").addFilter(_TokenIsUsed())


def web_client(settings: Settings) -> WebClient:
    if settings.slack_bot_token is None:
        raise ValueError("FINBRIEF_SLACK_BOT_TOKEN is not set")
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        logger=logging.getLogger("finbrief.slack.web"),
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=settings.slack_rate_limit_retries),
        ],
    )


@dataclass
class SlackApp:
    bolt: App
    surfaces: SlackSurfaces
    briefer: HostBriefer
    executor: ThreadPoolExecutor

    def close(self) -> None:
        """Stop waiting for briefs and drop queued Slack work: the process is going away."""
        self.briefer.close()
        self.executor.shutdown(wait=False, cancel_futures=True)


def build_slack_app(settings: Settings, briefer: HostBriefer, *, socket_mode: bool = False) -> SlackApp:
    if not socket_mode and settings.slack_signing_secret is None:
        raise ValueError("FINBRIEF_SLACK_SIGNING_SECRET is not set (needed for HTTP mode)")
    # Each lazy listener waits on one brief; this pool bounds how many wait at once, and Bolt queues
    # the rest in it (a burst queues rather than failing). Acks never wait on it: with
    # process_before_response they run inline in the request's own thread.
    executor = ThreadPoolExecutor(max_workers=settings.slack_workers, thread_name_prefix="finbrief-slack")
    secret = settings.slack_signing_secret
    client = web_client(settings)
    identity = BotIdentity(client)  # no auth.test on the request path: acks never wait on Slack
    bolt = App(
        client=client,
        authorize=identity,
        signing_secret=secret.get_secret_value() if secret is not None else "",
        request_verification_enabled=not socket_mode,  # Socket Mode has no HTTP requests to sign
        token_verification_enabled=False,  # start-up needs no Slack (auth.test: on the first request)
        process_before_response=True,
        listener_executor=executor,
        logger=logging.getLogger("finbrief.slack.bolt"),
    )
    surfaces = SlackSurfaces(
        settings, briefer, ArticleFetcher.from_settings(settings), Deduper(settings.slack_dedupe_ttl_s)
    )
    bolt.middleware(surfaces.drop_redeliveries)
    bolt.command(settings.slack_command)(ack=surfaces.ack_command, lazy=[surfaces.brief_command])
    bolt.shortcut(settings.slack_shortcut_id)(ack=surfaces.ack_only, lazy=[surfaces.brief_shortcut])
    bolt.event("app_mention")(ack=surfaces.ack_only, lazy=[surfaces.brief_mention])
    bolt.event("message", matchers=[surfaces.is_auto_candidate])(
        ack=surfaces.ack_only, lazy=[surfaces.auto_brief]
    )
    # Every other message event is acknowledged and ignored: an unhandled event is a 404, which
    # Slack retries and eventually counts against the app.
    bolt.event("message")(surfaces.ack_only)
    return SlackApp(bolt, surfaces, briefer, executor)
