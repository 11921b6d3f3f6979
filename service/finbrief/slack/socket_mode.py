"""Socket Mode (`finbrief slack --socket`): for workspaces that cannot give us a public URL.

The process opens a WebSocket to Slack (SDK's built-in client, no extra dependency) and owns its
own Engine and model, wired exactly like the HTTP app's.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from ..engine import Engine
from ..errors import ModelNotReady
from ..model.backends.base import Backend
from ..runtime import Runtime, build_runtime
from ..settings import Settings
from .bolt_app import build_slack_app
from .briefer import EngineBriefer

log = logging.getLogger(__name__)


class SocketModeService:
    def __init__(self, settings: Settings, backend: Backend | None = None) -> None:
        if settings.slack_app_token is None:
            raise ValueError("FINBRIEF_SLACK_APP_TOKEN (xapp-...) is needed for Socket Mode")
        self.settings, self._backend = settings, backend
        self._runtime: Runtime | None = None
        self.engine = Engine(workers=settings.parallel, queue_size=settings.queue_size)
        briefer = EngineBriefer(self.engine, self.runtime, settings)
        self.slack = build_slack_app(settings, briefer, socket_mode=True)
        self.handler = SocketModeHandler(
            self.slack.bolt,
            app_token=settings.slack_app_token.get_secret_value(),
            logger=logging.getLogger("finbrief.slack.socket"),
        )

    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise ModelNotReady("the model is still loading")
        return self._runtime

    def _load(self) -> None:
        rt = build_runtime(self.settings, self._backend)  # may pull the model: on the loader thread
        if self.settings.warmup:
            rt.backend.warmup()
        self._runtime = rt

    def connect(self) -> None:
        """Start loading the model and connect; events wait in the engine until it is ready."""
        self.engine.start_loading(self._load)
        self.handler.connect()

    def serve_forever(self) -> None:
        self.engine.start_loading(self._load)
        try:
            self.handler.start()  # connects, then blocks until the process is interrupted
        finally:
            self.close()

    def close(self) -> None:
        self.handler.close()
        self.slack.close()
        self.engine.shutdown()
        if self._runtime is not None:
            self._runtime.backend.close()
