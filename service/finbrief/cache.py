"""The result cache: a brief or translation already made for the same article, by the same model,
prompts, code and output-affecting settings, is answered from a local SQLite file, not the model.

The key is the article's content and everything else that shapes the output (`fingerprint`). The
content is the text as received up to its last non-blank line: normalization (text/normalize.py)
keeps every offset into the text as received, and a brief's evidence spans, key figures and
`source_script` (a translation's segments and skipped lines too) point into that text verbatim. So
the only difference normalization can absorb without making a stored answer wrong for the new
text is whitespace after the article; a Traditional text and its Simplified twin, or the same
lines with other spacing, are different keys.

A hit is answered before the request takes a place in the model queue (host.py), and says so in
`provenance.cache` ("hit" / "miss" / "off"), which is also the hook for counting hits. The store
never breaks the service: an unreadable or corrupt file is logged and the service runs uncached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError

from . import __version__
from .model.backends.base import Backend
from .schemas import Brief, BriefRequest, TranslatedSegment, Translation
from .settings import Settings

log = logging.getLogger(__name__)

CacheStatus = Literal["hit", "miss", "off"]
Result = TypeVar("Result", Brief, Translation)

# The settings that change what the pipeline writes, in one place. Every other setting (threads,
# queue, ports, Slack, fetch limits, where files live) changes only how fast or where it runs.
# Model id and sha256, backend, prompt version, glossary file and code are in the fingerprint too.
OUTPUT_SETTINGS = (
    "n_ctx",  # a prompt that no longer fits changes the answer
    "chunk_chars",
    "summary_bullets",
    "max_key_figures",
    "max_claim_candidates",
    "claim_label_followups",
    "open_denials",
    "repair_attempts",
    "to_simplified",
    "translate_samples",
    "translate_temperature",
)
# Package folders whose code shapes an output: a change there (a check, a prompt step, the bundled
# glossary) must not be answered by a result the old code made, even at the same version number.
OUTPUT_CODE = ("pipeline", "text", "checks", "model", "data")


def cache_path(settings: Settings) -> Path:
    """FINBRIEF_CACHE_PATH, else cache.sqlite3 beside the model store (~/.cache/finbrief/)."""
    return settings.cache_path or settings.model_dir.parent / "cache.sqlite3"


def cache_lookup_allowed(cache_control: str | None) -> bool:
    """False when an HTTP request says `Cache-Control: no-cache`: answer fresh (and store it)."""
    directives = {d.strip().lower() for d in (cache_control or "").split(",")}
    return "no-cache" not in directives


@cache
def code_digest() -> str:
    """sha256 over the package's output-shaping source and data files (OUTPUT_CODE)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in OUTPUT_CODE:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(settings: Settings, backend: Backend, prompt_version: str) -> str:
    """Everything besides the article that a stored result depends on, as one digest."""
    glossary = settings.glossary_path
    parts = {
        "finbrief": __version__,
        "code": code_digest(),
        "model_id": backend.model_id,
        "model_sha256": backend.model_sha256,
        "backend": backend.name,
        "prompt_version": prompt_version,
        "glossary": hashlib.sha256(glossary.read_bytes()).hexdigest() if glossary else None,
        "settings": {name: getattr(settings, name) for name in OUTPUT_SETTINGS},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def content(text: str) -> str:
    """The text as received up to the end of its last non-blank line (see the module docstring):
    `lines()` trims with str.isspace, as rstrip does, so this is where normalize's last line ends."""
    return text.rstrip()


async def replay(translation: Translation) -> AsyncIterator[TranslatedSegment | Translation]:
    """A stored translation as the stream of a fresh one: its segments, then the whole."""
    for segment in translation.segments:
        yield segment
    yield translation


class SqliteStore:
    """Key -> JSON text in one SQLite table, bounded in entries and bytes; the least recently used
    go first. One connection shared by all threads behind a lock (a sqlite3 connection must not be
    used by two threads at once); WAL, so a batch job and the server can share the file."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS results (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            created_ns INTEGER NOT NULL,
            used_ns INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS results_by_use ON results (used_ns);
    """
    TOTALS = "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM results"

    def __init__(self, path: Path, *, max_entries: int, max_bytes: int) -> None:
        """Opens (creating) the file; sqlite3.Error or OSError if it is not a usable database."""
        self.path, self.max_entries, self.max_bytes = path, max_entries, max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=5.0, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(self.SCHEMA)
        except sqlite3.Error:
            self._db.close()
            raise

    def get(self, key: str) -> str | None:
        """The stored payload (and it counts as used now), or None."""
        with self._lock, self._db:
            row = self._db.execute("SELECT payload FROM results WHERE key = ?", (key,)).fetchone()
            if row is not None:
                self._db.execute("UPDATE results SET used_ns = ? WHERE key = ?", (time.time_ns(), key))
        return None if row is None else str(row[0])

    def put(self, key: str, kind: str, payload: str) -> None:
        """Store (or replace) one payload, then evict down to the bounds."""
        size = len(payload.encode())
        if size > self.max_bytes:  # it would evict everything, itself included
            return
        now = time.time_ns()
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results (key, kind, payload, bytes, created_ns, used_ns)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind, payload, size, now, now),
            )
            self._evict()

    def _evict(self) -> None:
        count, total = self._db.execute(self.TOTALS).fetchone()
        if count <= self.max_entries and total <= self.max_bytes:
            return
        victims = []
        oldest_first = self._db.execute("SELECT key, bytes FROM results ORDER BY used_ns, rowid").fetchall()
        for key, size in oldest_first:
            if count <= self.max_entries and total <= self.max_bytes:
                break
            victims.append((key,))
            count, total = count - 1, total - size
        self._db.executemany("DELETE FROM results WHERE key = ?", victims)

    def size(self) -> tuple[int, int]:
        """(entries, payload bytes) stored."""
        with self._lock:
            count, total = self._db.execute(self.TOTALS).fetchone()
        return int(count), int(total)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class ResultCache:
    """Briefs and translations by content and fingerprint. Lookups and stores that fail (a file
    corrupted or locked under a running service) are logged and count as misses."""

    def __init__(self, store: SqliteStore, fingerprint: str) -> None:
        self.store, self.fingerprint = store, fingerprint
        self.hits = self.misses = 0  # since this process opened it (a metrics gauge may read them)
        self._count = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, backend: Backend, prompt_version: str) -> ResultCache | None:
        """The cache these settings ask for; None when it is switched off or cannot be opened."""
        if not settings.cache_enabled:
            return None
        path = cache_path(settings)
        try:
            store = SqliteStore(
                path, max_entries=settings.cache_max_entries, max_bytes=settings.cache_max_bytes
            )
        except (sqlite3.Error, OSError) as exc:
            log.warning("result cache %s is unusable (%s); continuing without a cache", path, exc)
            return None
        return cls(store, fingerprint(settings, backend, prompt_version))

    # --- keys -----------------------------------------------------------------------------
    def brief_key(self, req: BriefRequest) -> str:
        # The title is prompted as given; url, source and published_at are provenance only.
        return self._key("brief", content(req.text), req.title or "")

    def translation_key(self, text: str, skip_boilerplate: bool) -> str:
        return self._key("translation", content(text), skip_boilerplate)

    def _key(self, kind: str, *parts: object) -> str:
        material = json.dumps([kind, self.fingerprint, *parts], ensure_ascii=False)
        return hashlib.sha256(material.encode()).hexdigest()

    # --- briefs and translations ------------------------------------------------------------
    def find_brief(self, req: BriefRequest, *, queue_s: float = 0.0) -> Brief | None:
        return self._find(self.brief_key(req), Brief, queue_s)

    def keep_brief(self, req: BriefRequest, brief: Brief) -> None:
        self._keep(self.brief_key(req), "brief", brief)

    def find_translation(
        self, text: str, skip_boilerplate: bool, *, queue_s: float = 0.0
    ) -> Translation | None:
        return self._find(self.translation_key(text, skip_boilerplate), Translation, queue_s)

    def keep_translation(self, text: str, skip_boilerplate: bool, translation: Translation) -> None:
        self._keep(self.translation_key(text, skip_boilerplate), "translation", translation)

    def _find(self, key: str, kind: type[Result], queue_s: float) -> Result | None:
        """The stored result as this request's answer: `cache` "hit", and its own total and queue
        seconds (tokens, checks and model seconds stay those of the run that made it)."""
        started = time.perf_counter()
        try:
            payload = self.store.get(key)
            found = None if payload is None else kind.model_validate_json(payload)
        except (sqlite3.Error, ValidationError) as exc:  # a damaged row or file: answer fresh
            log.warning("result cache lookup failed (%s); answering without it", type(exc).__name__)
            found = None
        with self._count:
            self.hits, self.misses = self.hits + (found is not None), self.misses + (found is None)
        if found is None:
            return None
        elapsed = time.perf_counter() - started
        timings = found.provenance.timings.model_copy(
            update={"total_s": round(elapsed + queue_s, 3), "queue_s": round(queue_s, 3)}
        )
        found.provenance = found.provenance.model_copy(update={"timings": timings, "cache": "hit"})
        return found

    def _keep(self, key: str, kind: str, result: BaseModel) -> None:
        try:
            self.store.put(key, kind, result.model_dump_json())
        except sqlite3.Error as exc:
            log.warning("result cache store failed (%s); the result is answered, not kept", exc)
