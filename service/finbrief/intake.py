"""What runs where an article arrives, before any model work is queued: fetching a URL-only
request's article, and the input checks.

Every front end (HTTP, Slack, batch, CLI) refuses a text here, so a bad input is a 413/422 (or its
Slack/CLI analogue) whether or not the model has finished loading, and never waits in the queue.
The checks are the pipeline's own: the one size limit, and `normalize()` with the arguments the
brief and translation pipelines use (the pipelines normalize again on the worker; the work is
milliseconds for a typical article and keeps the pipelines' inputs unchanged).
"""

from __future__ import annotations

from typing import Protocol

from .errors import EmptyText, TextTooLarge
from .schemas import MAX_TITLE_CHARS, Brief, BriefRequest
from .settings import Settings
from .text.normalize import Document, normalize


class Page(Protocol):
    @property
    def final_url(self) -> str: ...  # after redirects
    @property
    def title(self) -> str | None: ...
    @property
    def text(self) -> str: ...


class Fetcher(Protocol):
    """slack/fetch.py's ArticleFetcher: SSRF-guarded fetch and article extraction."""

    def fetch(self, url: str) -> Page: ...


def check_size(text: str, limit: int) -> None:
    """The one size limit (413 over HTTP, exit code 2 in the CLI)."""
    if len(text) > limit:
        raise TextTooLarge(
            f"the text has {len(text):,} characters; the limit is {limit:,}",
            detail={"limit": limit, "chars": len(text)},
        )


def admit_brief(req: BriefRequest, settings: Settings, fetcher: Fetcher) -> BriefRequest:
    """The request with its article text (fetched if it gave only a url), checked."""
    return as_article(with_article_text(req, fetcher), settings)


def as_article(req: BriefRequest, settings: Settings) -> BriefRequest:
    """The request, checked, as the pipeline is to brief it. A text that is one headline-like line
    and nothing else (a one-line article without a closing 。) is the article, not a headline with
    no article under it: the request then says it has no separate title (`""`), which keeps
    normalize() from taking that line as one. Any other refusal stands."""
    try:
        check_brief_input(req, settings)
        return req
    except EmptyText:
        if req.title is not None:
            raise
    untitled = req.model_copy(update={"title": ""})
    check_brief_input(untitled, settings)  # all boilerplate, or empty: refused all the same
    return untitled


def check_brief_input(req: BriefRequest, settings: Settings) -> Document:
    """What `BriefPipeline.run` would refuse: too large, empty, not Chinese, too short."""
    check_size(req.text, settings.max_text_chars)
    return normalize(req.text, req.title, min_chars=settings.min_text_chars)


def check_translation_input(text: str, settings: Settings) -> Document:
    """What `Translator.plan` would refuse (too large, empty, not Chinese), and a text shorter than
    a brief's minimum: the service takes one kind of article, whatever it is asked to do with it."""
    check_size(text, settings.max_text_chars)
    return normalize(text, min_chars=settings.min_text_chars)


def with_article_text(req: BriefRequest, fetcher: Fetcher) -> BriefRequest:
    """A request that gives only a `url` gets the page's article text and title (UrlRefused or
    FetchFailed, both 422, when the link is private or yields no article). Given text wins."""
    if req.text or req.url is None:
        return req
    page = fetcher.fetch(req.url)
    # A page's <title> is bounded like a request's own (it goes into the prompt the same way).
    title = req.title or (page.title or "")[:MAX_TITLE_CHARS] or None
    return req.model_copy(update={"text": page.text, "title": title, "url": page.final_url})


def with_fetched_text(brief: Brief, asked: BriefRequest, briefed: BriefRequest) -> Brief:
    """The brief of a page fetched from the request's `url` carries the text it was made from: its
    offsets point into that text, which the caller never had. A brief of a given text does not
    send the text back."""
    if asked.text or asked.url is None:
        return brief
    return brief.model_copy(update={"source_text": briefed.text})
