"""Slack front end: the brief pipeline behind a Bolt app (HTTP events or Socket Mode).

bolt_app     the Bolt app factory: Web API client, middleware, listeners
handlers     the surfaces (slash command, message shortcut, mention, auto-brief) and delivery
blocks       Block Kit rendering within Slack's limits
replies      finbrief errors -> polite Slack messages (the Slack analogue of api/errors.py)
mrkdwn       Slack markup in (decode) and out (escape)
fetch        SSRF-safe article fetching + text extraction (trafilatura)
briefer      runs briefs on the model host, waiting for queue room (or the model) instead of failing
dedupe       remembers event/trigger ids so Slack's retries brief once
http_mode    POST /slack/events in the FastAPI app
socket_mode  `finbrief slack --socket`
"""
