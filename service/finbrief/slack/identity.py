"""Bolt's `authorize`: the bot token at once, and who the bot is, learned off the request path.

Bolt's default single-workspace authorization calls auth.test on the first request (and on every
request until one succeeds). While Slack's Web API is unreachable, that call retries for seconds
inside the request and ends in a 500, past Slack's 3-second limit for an acknowledgement, so Slack
retries a request that could have been acknowledged. Here auth.test runs on a thread of its own,
from the first request that needs it and again while it has no answer, and a request never waits for
it: until the answer is in, requests are authorized with the bot token alone (the bot's user id,
which Bolt uses to ignore the bot's own events, joins when known; our message surfaces skip bot
posts by their bot_id anyway).
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient

log = logging.getLogger(__name__)


class BotIdentity(Authorize):
    def __init__(self, client: WebClient) -> None:
        super().__init__()
        self.client = client
        self.known: AuthorizeResult | None = None
        self._asking = threading.Lock()  # held while an auth.test is in flight: one at a time

    def learn(self) -> None:
        """Ask auth.test on a thread of its own, unless the answer is in or being asked for."""
        if self.known is None and self._asking.acquire(blocking=False):
            threading.Thread(target=self._ask, name="finbrief-slack-identity", daemon=True).start()

    def _ask(self) -> None:
        try:
            answer = self.client.auth_test()
            self.known = AuthorizeResult.from_auth_test_response(
                auth_test_response=answer, bot_token=self.client.token
            )
        except Exception as exc:  # unreachable or refused: asked again on the next request
            log.warning("slack auth.test failed (%s); requests are acknowledged without it", exc)
        finally:
            self._asking.release()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult:
        if self.known is not None:
            return self.known
        self.learn()
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=self.client.token
        )
