"""Socket Mode (`finbrief slack --socket`): for workspaces that cannot give us a public URL.

The process opens a WebSocket to Slack (SDK's built-in client, no extra dependency) and owns its
own model host, wired exactly like the HTTP app's.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from ..host import ModelHost
from ..model.backends.base import Backend
from ..settings import Settings
from .bolt_app import build_slack_app
from .briefer import HostBriefer

log = logging.getLogger(__name__)


class SocketModeService:
    def __init__(self, settings: Settings, backend: Backend | None = None) -> None:
        if settings.slack_app_token is None:
            raise ValueError("FINBRIEF_SLACK_APP_TOKEN (xapp-...) is needed for Socket Mode")
        self.settings = settings
        self.host = ModelHost(settings, backend)
        self.slack = build_slack_app(settings, HostBriefer(self.host), socket_mode=True)
        self.handler = SocketModeHandler(
            self.slack.bolt,
            app_token=settings.slack_app_token.get_secret_value(),
            logger=logging.getLogger("finbrief.slack.socket"),
        )

    def connect(self) -> None:
        """Start loading the model and connect; events wait for the model host until it is ready."""
        self.host.start_loading()
        self.handler.connect()

    def serve_forever(self) -> None:
        self.host.start_loading()
        try:
            self.handler.start()  # connects, then blocks until the process is interrupted
        finally:
            self.close()

    def close(self) -> None:
        self.handler.close()
        self.slack.close()
        self.host.close()
