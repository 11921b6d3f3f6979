"""Batch inputs: a JSONL file (one article per line) or a directory of .txt / .md / .html files.

Reading never raises for one bad article: a line that is not JSON, not an object, has no id or
neither `text` nor `url` comes back as an InputRecord carrying its `problem`, so the job writes
an error record for it and goes on. Records are yielded one at a time (an archive can be large);
texts of URL records are fetched later, by the worker that briefs them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import FinbriefError, InvalidRecord
from ..schemas import BriefRequest
from ..text.extract import extract_article

FILE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
HTML_SUFFIXES = {".html", ".htm"}
# Fields the pipeline reads; every other field of a JSONL record is passed through in `meta`.
ARTICLE_FIELDS = ("title", "source", "url", "published_at")
_ID_RE = re.compile(r'"id"\s*:\s*"([^"\\]{1,200})"')


@dataclass
class InputRecord:
    id: str
    where: str  # "file.jsonl:12" or the file's path: for people reading the error file
    content_sha256: str  # of the input as given: the resume and duplicate-content key
    text: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # passed through to the output record
    problem: FinbriefError | None = None

    def to_json(self) -> str:
        """A plain JSON form for shipping to a Ray worker (no exceptions, no datetimes)."""
        data = {k: v for k, v in self.__dict__.items() if k not in ("problem", "published_at")}
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return json.dumps(data, ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, raw: str) -> InputRecord:
        data = json.loads(raw)
        when = data.pop("published_at")
        return cls(**data, published_at=datetime.fromisoformat(when) if when else None)


Reject = Callable[[str, str], InputRecord]  # (message, id) -> a record carrying InvalidRecord


def content_sha256(text: str | None, url: str | None, title: str | None) -> str:
    # The title is part of the content: it changes the brief. A URL record is keyed by its URL
    # (its text is only known after fetching).
    payload = ["text", title or "", text] if text is not None else ["url", title or "", url]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def read_inputs(path: Path) -> Iterator[InputRecord]:
    if path.is_dir():
        yield from _read_dir(path)
    else:
        yield from _read_jsonl(path)


def count_inputs(path: Path) -> int:
    """How many records read_inputs will yield (for the progress bar), without parsing them."""
    if path.is_dir():
        return sum(1 for _ in _files(path))
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


# --- JSONL ----------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> Iterator[InputRecord]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if raw.strip():
                yield parse_line(raw, f"{path.name}:{number}", number)


def parse_line(raw: bytes, where: str, number: int) -> InputRecord:
    fallback_id = f"line:{number}"
    raw_sha = hashlib.sha256(raw.strip()).hexdigest()

    def bad(message: str, rid: str = fallback_id) -> InputRecord:
        return InputRecord(rid, where, raw_sha, problem=InvalidRecord(message, detail={"where": where}))

    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return bad("the line is not UTF-8")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        # Salvage the id of a truncated line so the error file names the article, not just the line.
        m = _ID_RE.search(line)
        message = f"the line is not valid JSON: {exc.msg} (column {exc.colno})"
        return bad(message, m.group(1) if m else fallback_id)
    if not isinstance(data, dict):
        return bad(f"the line is JSON {type(data).__name__}, not an object")
    rid = data.get("id")
    if isinstance(rid, bool) or not isinstance(rid, str | int) or str(rid).strip() == "":
        return bad("the record has no id (a non-empty string or integer)")
    return build_record(str(rid), where, data, bad)


def build_record(rid: str, where: str, data: dict[str, Any], bad: Reject) -> InputRecord:
    text, url = data.get("text"), data.get("url")
    if text is not None and not isinstance(text, str):
        return bad("`text` must be a string", rid)
    if url is not None and not isinstance(url, str):
        return bad("`url` must be a string", rid)
    if text is None and not url:
        return bad("the record has neither `text` nor `url`", rid)
    try:  # the service's own request schema validates title, source, url and published_at
        req = BriefRequest(text="", **{k: data.get(k) for k in ARTICLE_FIELDS})
    except ValidationError as exc:
        first = exc.errors()[0]
        return bad(f"`{'.'.join(map(str, first['loc']))}`: {first['msg']}", rid)
    meta = {k: v for k, v in data.items() if k not in ("id", "text")}
    return InputRecord(
        id=rid,
        where=where,
        content_sha256=content_sha256(text, url, req.title),
        text=text,
        url=url,
        title=req.title,
        source=req.source,
        published_at=req.published_at,
        meta=meta,
    )


# --- directories ----------------------------------------------------------------------------
def _files(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in p.relative_to(root).parts)
        if p.is_file() and p.suffix.lower() in FILE_SUFFIXES and not hidden:
            yield p


def _read_dir(root: Path) -> Iterator[InputRecord]:
    for p in _files(root):
        # The id is the path under the input folder without its suffix: stable across runs (resume)
        # and readable. a.txt and a.html collide; the second becomes a duplicate_id error.
        rid = p.relative_to(root).with_suffix("").as_posix()
        where = str(p)
        try:
            body = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            sha = hashlib.sha256(p.read_bytes()).hexdigest()
            yield InputRecord(rid, where, sha, problem=InvalidRecord("the file is not UTF-8"))
            continue
        title = None
        if p.suffix.lower() in HTML_SUFFIXES:
            body, title = html_to_text(body)
        yield InputRecord(
            rid, where, content_sha256(body, None, title), text=body, title=title, meta={"path": where}
        )


# --- HTML -----------------------------------------------------------------------------------
def html_to_text(html: str) -> tuple[str, str | None]:
    """Article text and title. trafilatura (as the Slack fetcher uses) removes navigation and page
    furniture; a page it finds no article in falls back to all visible text, which normalize()
    then trims like any other boilerplate."""
    text, title = extract_article(html)
    if text:
        return text, title
    parser = _VisibleText()
    parser.feed(html)
    return parser.text(), parser.title or None


_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"})
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template"})


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if tag in _HIDDEN_TAGS and self._hidden:
            self._hidden -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        return "\n".join(line.strip() for line in "".join(self.parts).split("\n") if line.strip())
