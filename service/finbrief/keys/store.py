"""API keys, stored hashed: the key file the CLI edits, and the key ring the service checks against.

A key is 32 random bytes (256 bits), shown once when it is made; only its sha256 is kept. A fast,
unsalted hash is enough here because nothing about the key is guessable: salts and slow hashes
(bcrypt, argon2) protect low-entropy passwords from dictionary attacks, and there is no dictionary
for 256 random bits. An unsalted digest also lets a key be found without knowing its name.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:  # settings.py imports KeyRecord from here: no import of it at run time
    from ..settings import Settings

log = logging.getLogger(__name__)
NAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
NAME_RE = re.compile(NAME_PATTERN)
KEY_PREFIX = "fb_"  # lets secret scanners (and people) recognise a leaked finbrief key


class KeyRecord(BaseModel):
    """One key as stored: in the key file, or in FINBRIEF_API_KEYS (a JSON list of these)."""

    name: str = Field(..., pattern=NAME_PATTERN, description="Who holds the key")
    sha256: str = Field(..., pattern=r"^[0-9a-f]{64}$", description="sha256 hex digest of the key")
    rate_per_min: int | None = Field(None, ge=1, description="Requests a minute (default: the setting)")
    daily_tokens: int | None = Field(None, ge=1, description="Model tokens a UTC day (default: the setting)")
    created_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class KeyFile(BaseModel):
    version: int = 1
    keys: list[KeyRecord] = Field(default_factory=list)


def key_file(settings: Settings) -> Path:
    """FINBRIEF_KEYS_PATH, else keys.json beside the model store (~/.cache/finbrief/keys.json)."""
    return settings.keys_path or settings.model_dir.parent / "keys.json"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class KeyStore:
    """The key file: read, add, revoke. Written whole, atomically, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[KeyRecord]:
        if not self.path.exists():
            return []
        return KeyFile.model_validate_json(self.path.read_bytes()).keys

    def add(self, name: str, *, rate_per_min: int | None = None, daily_tokens: int | None = None) -> str:
        """A new key for `name` (the plaintext, returned once and never stored). A revoked key of
        the same name is replaced; an active one is an error (revoke it first)."""
        if not NAME_RE.match(name):
            raise ValueError(f"{name!r}: a key name is 1-64 letters, digits, '.', '_' or '-'")
        records = self.load()
        if any(r.name == name and r.active for r in records):
            raise ValueError(f"an active key named {name!r} exists: revoke it first")
        key = new_key()
        record = KeyRecord(
            name=name,
            sha256=digest(key),
            rate_per_min=rate_per_min,
            daily_tokens=daily_tokens,
            created_at=datetime.now(UTC),
        )
        self._save([*(r for r in records if r.name != name), record])
        return key

    def revoke(self, name: str) -> bool:
        """Mark the active key of `name` revoked (kept, so `keys list` shows it); False if none."""
        records = self.load()
        found = [r for r in records if r.name == name and r.active]
        for r in found:
            r.revoked_at = datetime.now(UTC)
        if found:
            self._save(records)
        return bool(found)

    def _save(self, records: list[KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = KeyFile(keys=records).model_dump_json(indent=2, exclude_none=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data + "\n")
            os.replace(tmp, self.path)  # a reader sees the old file or the new one, never half of one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class KeyRing:
    """The keys the service accepts: the key file's active keys (re-read when it changes, so
    `finbrief keys revoke` takes effect without a restart) plus those given in the environment."""

    def __init__(self, path: Path, env_keys: list[KeyRecord]) -> None:
        self.store = KeyStore(path)
        self.env_keys = [k for k in env_keys if k.active]
        self._file_keys: list[KeyRecord] = []
        self._seen: tuple[int, int] | None = None

    def match(self, presented: str) -> KeyRecord | None:
        """The active key whose digest equals the presented key's, or None. Every candidate is
        compared, each in constant time, so the timing says nothing about which digest is close."""
        wanted = digest(presented)
        found = None
        for record in [*self._current_file_keys(), *self.env_keys]:
            if hmac.compare_digest(record.sha256, wanted):
                found = record
        return found

    def count(self) -> int:
        return len(self._current_file_keys()) + len(self.env_keys)

    def _current_file_keys(self) -> list[KeyRecord]:
        try:
            stat = self.store.path.stat()
        except FileNotFoundError:
            self._file_keys, self._seen = [], None
            return []
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            try:
                self._file_keys = [k for k in self.store.load() if k.active]
            except (OSError, ValueError):  # a bad edit: keep the keys last read, and say so
                log.exception("key file %s unreadable; keeping the %d keys last read", self.store.path,
                              len(self._file_keys))
            self._seen = seen
        return self._file_keys
