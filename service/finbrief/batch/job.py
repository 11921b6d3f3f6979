"""Per-run bookkeeping, the same for both engines: which records to skip (resume), which are
repeated ids, which are identical to an article already done or in flight, and writing every
outcome exactly once. Only the runner's main thread calls it, so it needs no locks.
"""

from __future__ import annotations

from ..errors import DuplicateId, EngineUnavailable
from ..schemas import BatchError, BatchRecord
from .article import TRANSIENT, Failure, Identity, Outcome, now
from .inputs import InputRecord
from .progress import Reporter
from .store import ResultStore, ResumeKey


class Job:
    # An engine outage fails the articles in flight (each gets an error record); this many in a row
    # means the engine is down, not flaky, and the job stops rather than fail every article left.
    ENGINE_DOWN_AFTER = 3

    def __init__(
        self, store: ResultStore, identity: Identity, reporter: Reporter, *, retry_errors: bool = False
    ) -> None:
        self.store, self.identity, self.reporter = store, identity, reporter
        self.stats = reporter.stats
        self.retry_errors = retry_errors
        self._seen: set[str] = set()  # ids taken by an article of this input (first one wins)
        self._waiting: dict[str, list[InputRecord]] = {}  # content hash -> records in flight with it
        self._engine_failures = 0  # consecutive articles the engine failed

    def key(self, rec: InputRecord) -> ResumeKey:
        return ResumeKey(rec.content_sha256, self.identity)

    def admit(self, rec: InputRecord) -> bool:
        """True if the record must go through the model; otherwise it has been dealt with here."""
        key = self.key(rec)
        if self.store.has_result(rec.id, key):
            self._seen.add(rec.id)
            self.stats.skipped_ok += 1
            self.reporter.update()
            return False
        if self.store.has_error(rec.id, key) and not self.retry_errors:
            self._seen.add(rec.id)
            self.stats.skipped_failed += 1
            self.reporter.update()
            return False
        if rec.problem is not None:  # an unreadable line does not claim its (salvaged) id
            self._write_failure(rec, Failure.of(rec.problem))
            return False
        if rec.id in self._seen:
            self._write_failure(
                rec,
                Failure.of(DuplicateId(f"the id {rec.id!r} is used by an earlier article of this input")),
            )
            return False
        self._seen.add(rec.id)
        if rec.content_sha256 in self._waiting:  # identical article in flight: reuse its outcome
            self._waiting[rec.content_sha256].append(rec)
            return False
        earlier = self.store.earlier_result(key)
        if earlier is not None:  # identical article done in an earlier run of this job
            self._write_result(rec, _copy(earlier, rec), copy=True)
            return False
        failed_before = None if self.retry_errors else self.store.earlier_failure(key)
        if failed_before is not None:
            again = Failure(failed_before.error, failed_before.message, failed_before.detail)
            self._write_failure(rec, again, duplicate_of=failed_before.id)
            return False
        self._waiting[rec.content_sha256] = [rec]
        return True

    def finish(self, rec: InputRecord, outcome: Outcome) -> None:
        """Write the outcome of a computed record, and of every identical record that waited on it."""
        first, *copies = self._waiting.pop(rec.content_sha256, [rec])
        if isinstance(outcome, BatchRecord):
            self._write_result(first, outcome, copy=False)
            for other in copies:
                self._write_result(other, _copy(outcome, other), copy=True)
        else:
            self._write_failure(first, outcome)
            for other in copies:
                self._write_failure(other, outcome, duplicate_of=first.id)
        self._engine_failures = self._engine_failures + 1 if _transient(outcome) else 0
        if self._engine_failures >= self.ENGINE_DOWN_AFTER:
            raise EngineUnavailable(
                f"the serving engine failed {self._engine_failures} articles in a row; the job stopped. "
                "Their error records are written; `--resume` runs them again once the engine answers",
                detail={"consecutive_failures": self._engine_failures},
            )

    @property
    def in_flight(self) -> int:
        return len(self._waiting)

    # --- writing --------------------------------------------------------------------------
    def _write_result(self, rec: InputRecord, record: BatchRecord, *, copy: bool) -> None:
        self.store.write_result(record)
        self.stats.ok += 1
        if copy:
            self.stats.copies += 1
        else:
            self.stats.add_work(record)
        self.reporter.record(rec.id, "ok", record=record)

    def _write_failure(self, rec: InputRecord, failure: Failure, **extra: str) -> None:
        err: BatchError = failure.to_error(rec, self.identity, **extra)
        self.store.write_error(err)
        self.stats.failed += 1
        self.reporter.record(rec.id, "failed", error=err)


def _transient(outcome: Outcome) -> bool:
    return isinstance(outcome, Failure) and outcome.code in TRANSIENT


def _copy(record: BatchRecord, rec: InputRecord) -> BatchRecord:
    return record.model_copy(
        update={
            "id": rec.id,
            "meta": rec.meta,
            "duplicate_of": record.duplicate_of or record.id,
            "finished_at": now(),
        }
    )
