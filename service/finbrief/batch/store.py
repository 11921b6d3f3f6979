"""The batch job's output: OUTPUT (one BatchRecord per line) and OUTPUT.errors.jsonl (one BatchError
per line), append-only, plus the index that --resume reads back from them.

Never lose or duplicate work:
- a line is written with one write(2) of the whole line and fsync'd before the job moves on, so a
  record the progress bar counted survives a crash or a power cut;
- a kill -9 can still tear the last line; opening the file cuts a torn tail back to the last
  newline (that article is simply done again);
- the job holds an exclusive lock on OUTPUT, so two runs can never append the same ids twice (the
  kernel drops the lock when the process dies, kill -9 included);
- the resume key is (content hash, model id, model sha256, prompt version): an id is skipped only
  if it was done with the same input, the same weights and the same prompts.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..schemas import BatchError, BatchRecord
from .article import TRANSIENT, Identity

log = logging.getLogger(__name__)


class StoreRefused(Exception):
    """The output cannot be used as asked (exists without --resume, or another job holds it)."""


@dataclass(frozen=True)
class ResumeKey:
    content_sha256: str
    identity: Identity


def errors_path_for(output: Path) -> Path:
    """results.jsonl -> results.errors.jsonl (results -> results.errors.jsonl)."""
    return output.with_name(f"{output.stem if output.suffix else output.name}.errors.jsonl")


class JsonlAppender:
    def __init__(self, path: Path, *, lock: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        if lock:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self.fd)
                raise StoreRefused(f"{path} is being written by another finbrief batch job") from None
        if created:  # the new directory entry must survive a crash too
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def truncate(self) -> None:
        os.ftruncate(self.fd, 0)
        os.fsync(self.fd)

    def cut_torn_tail(self) -> int:
        """Drop a last line that has no newline (a write torn by kill -9). Returns bytes dropped."""
        size = self.size()
        if size == 0 or os.pread(self.fd, 1, size - 1) == b"\n":
            return 0
        keep, pos, step = 0, size, 1 << 16
        while pos > 0:  # scan back for the last complete line's newline
            start = max(0, pos - step)
            chunk = os.pread(self.fd, pos - start, start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            pos = start
        os.ftruncate(self.fd, keep)
        os.fsync(self.fd)
        log.warning(
            "%s: dropped a torn last line (%d bytes) left by an interrupted run", self.path, size - keep
        )
        return size - keep

    def append(self, line: str) -> tuple[int, int]:
        """Write one line durably. Returns (offset, length) of the line, newline excluded."""
        data = line.encode("utf-8")
        if b"\n" in data:
            raise ValueError("a JSONL line cannot contain a newline")
        offset = self.size()  # single writer (the lock), so this is where O_APPEND will write
        view = memoryview(data + b"\n")
        try:
            while view:
                view = view[os.write(self.fd, view) :]
            os.fsync(self.fd)
        except OSError:
            os.ftruncate(self.fd, offset)  # e.g. disk full: leave no half line for the next append
            raise
        return offset, len(data)

    def read_at(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

    def lines(self) -> list[tuple[int, bytes]]:
        """(offset, line) for every complete line."""
        out, offset = [], 0
        with open(self.path, "rb") as f:
            for raw in f:
                if raw.endswith(b"\n") and raw.strip():
                    out.append((offset, raw.rstrip(b"\n")))
                offset += len(raw)
        return out

    def close(self) -> None:
        os.close(self.fd)  # also releases the lock


class ResultStore:
    def __init__(self, output: Path, *, resume: bool = False, overwrite: bool = False) -> None:
        self.output, self.errors_path = output, errors_path_for(output)
        self.results = JsonlAppender(output, lock=True)  # lock first: nothing below races another job
        self.errors = JsonlAppender(self.errors_path)
        if not resume:
            if (self.results.size() or self.errors.size()) and not overwrite:
                self.close()
                raise StoreRefused(
                    f"{output} already has records: pass --resume to continue that job, "
                    "or --overwrite to start again"
                )
            self.results.truncate()
            self.errors.truncate()
        self.torn = self.results.cut_torn_tail() + self.errors.cut_torn_tail()
        self.ok_keys: dict[str, set[ResumeKey]] = {}  # id -> keys it has a result under
        self.failed_keys: dict[str, set[ResumeKey]] = {}  # id -> keys it has an error under
        self._result_at: dict[ResumeKey, tuple[str, int, int]] = {}  # content -> (id, offset, length)
        self._failure: dict[ResumeKey, BatchError] = {}  # content -> its first error
        self._load()

    # --- the index ------------------------------------------------------------------------
    def _load(self) -> None:
        for offset, raw in self.results.lines():
            try:
                data = json.loads(raw)
                prov = data["provenance"]
                key = ResumeKey(
                    data["content_sha256"],
                    Identity(prov["model_id"], prov["model_sha256"], prov["prompt_version"]),
                )
                self._index_result(data["id"], key, offset, len(raw))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: unreadable line at byte %d skipped", self.output, offset)
        for offset, raw in self.errors.lines():
            try:
                self._index_error(BatchError.model_validate_json(raw))
            except ValueError:
                log.warning("%s: unreadable line at byte %d skipped", self.errors_path, offset)

    def _index_result(self, rid: str, key: ResumeKey, offset: int, length: int) -> None:
        self.ok_keys.setdefault(rid, set()).add(key)
        self._result_at.setdefault(key, (rid, offset, length))

    def _index_error(self, err: BatchError) -> None:
        if err.error in TRANSIENT:  # the engine's failure, not the article's: --resume tries it again
            return
        key = error_key(err)
        self.failed_keys.setdefault(err.id, set()).add(key)
        self._failure.setdefault(key, err)

    def has_result(self, rid: str, key: ResumeKey) -> bool:
        return key in self.ok_keys.get(rid, ())

    def has_error(self, rid: str, key: ResumeKey) -> bool:
        return key in self.failed_keys.get(rid, ())

    def earlier_result(self, key: ResumeKey) -> BatchRecord | None:
        """The stored record of an identical article (same content, model and prompts), if any."""
        found = self._result_at.get(key)
        if found is None:
            return None
        _, offset, length = found
        return BatchRecord.model_validate_json(self.results.read_at(offset, length))

    def earlier_failure(self, key: ResumeKey) -> BatchError | None:
        return self._failure.get(key)

    @property
    def ids_done(self) -> int:
        return len(self.ok_keys)

    # --- writing --------------------------------------------------------------------------
    def write_result(self, record: BatchRecord) -> None:
        offset, length = self.results.append(record.model_dump_json())
        prov = record.provenance
        key = ResumeKey(
            record.content_sha256, Identity(prov.model_id, prov.model_sha256, prov.prompt_version)
        )
        self._index_result(record.id, key, offset, length)

    def write_error(self, err: BatchError) -> None:
        self.errors.append(err.model_dump_json())
        self._index_error(err)

    def close(self) -> None:
        self.errors.close()
        self.results.close()


def error_key(err: BatchError) -> ResumeKey:
    return ResumeKey(err.content_sha256, Identity(err.model_id, err.model_sha256, err.prompt_version))
