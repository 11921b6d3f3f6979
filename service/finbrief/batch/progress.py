"""Progress of a batch job, four ways: a rich bar (a terminal), plain lines (stderr is a log file),
JSON lines on stdout (--log-json: cron, dashboards), or silence unless something failed (--quiet).

Rates count only this run's work: articles/min is articles briefed and translated by the model per
minute of wall time since the model was loaded (resumed skips, identical-content copies and
result-cache hits are free, so they are left out); tokens/s is generated tokens per wall second,
all workers together.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..schemas import BatchError, BatchRecord


@dataclass
class Stats:
    total: int
    ok: int = 0  # results written this run (identical-content copies included)
    failed: int = 0  # error records written this run
    skipped_ok: int = 0  # --resume: already had a result under the same key
    skipped_failed: int = 0  # --resume: already had an error under the same key
    copies: int = 0  # results reused from an identical article
    computed: int = 0  # results the model produced this run
    cached: int = 0  # results answered by the result cache (brief and translation both)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    load_s: float = 0.0
    started: float = field(default_factory=time.monotonic)
    interrupted: str | None = None  # the signal's name, when one stopped the job

    def start_clock(self) -> None:
        self.started = time.monotonic()

    def add_work(self, record: BatchRecord) -> None:
        # A cache hit's tokens were spent by an earlier run: they are not this run's work.
        made = [p for p in (record.brief.provenance, record.translation.provenance) if p.cache != "hit"]
        if not made:
            self.cached += 1
            return
        self.computed += 1
        self.prompt_tokens += sum(p.tokens.prompt for p in made)
        self.completion_tokens += sum(p.tokens.completion for p in made)

    @property
    def handled(self) -> int:
        return self.ok + self.failed + self.skipped_ok + self.skipped_failed

    @property
    def elapsed_s(self) -> float:
        return max(time.monotonic() - self.started, 1e-6)

    @property
    def articles_per_min(self) -> float:
        return self.computed / self.elapsed_s * 60

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.elapsed_s

    @property
    def eta_s(self) -> float | None:
        rate = (self.ok + self.failed) / self.elapsed_s
        return (self.total - self.handled) / rate if rate > 0 else None

    @property
    def any_failed(self) -> bool:
        return self.failed + self.skipped_failed > 0

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "ok": self.ok,
            "failed": self.failed,
            "skipped_ok": self.skipped_ok,
            "skipped_failed": self.skipped_failed,
            "identical_copies": self.copies,
            "computed": self.computed,
            "cached": self.cached,
            "elapsed_s": round(self.elapsed_s, 2),
            "load_s": round(self.load_s, 2),
            "articles_per_min": round(self.articles_per_min, 3),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens_per_s": round(self.tokens_per_s, 2),
            "prompt_and_completion_tokens_per_s": round(
                (self.prompt_tokens + self.completion_tokens) / self.elapsed_s, 2
            ),
            "interrupted": self.interrupted,
        }

    def line(self) -> str:
        skipped = self.skipped_ok + self.skipped_failed
        return (
            f"batch: {self.ok} ok, {self.failed} failed"
            + (f", {skipped} already done (resume)" if skipped else "")
            + (f", {self.copies} identical to another article" if self.copies else "")
            + (f", {self.cached} from the result cache" if self.cached else "")
            + f" in {_duration(self.elapsed_s)}; {self.articles_per_min:.2f} articles/min, "
            f"{self.tokens_per_s:.1f} tokens/s generated"
            + (f"; interrupted by {self.interrupted}: --resume to finish" if self.interrupted else "")
        )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


class Reporter:
    """Silent base (--quiet): says something only when the job failed somewhere or was stopped."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def start(self, info: dict[str, Any]) -> None:
        pass

    def update(self) -> None:
        pass

    def record(
        self, rid: str, status: str, *, record: BatchRecord | None = None, error: BatchError | None = None
    ) -> None:
        pass

    def finish(self, paths: dict[str, str]) -> None:
        if self.stats.any_failed or self.stats.interrupted:
            print(f"{self.stats.line()}; errors: {paths['errors']}", file=sys.stderr)


class PlainReporter(Reporter):
    """One line per article on stderr: readable in a log file, where a live bar would be noise."""

    def start(self, info: dict[str, Any]) -> None:
        print(f"batch: {self.stats.total} records from {info['input']} ({info['engine']})", file=sys.stderr)

    def record(
        self, rid: str, status: str, *, record: BatchRecord | None = None, error: BatchError | None = None
    ) -> None:
        s = self.stats
        what = (
            f"ok {record.provenance.timings.total_s:.1f}s" + (" (identical)" if record.duplicate_of else "")
            if record is not None
            else f"FAILED {error.error}: {error.message}"
            if error is not None
            else status
        )
        print(f"[{s.handled}/{s.total}] {rid}: {what}", file=sys.stderr, flush=True)

    def finish(self, paths: dict[str, str]) -> None:
        print(f"{self.stats.line()}\nresults: {paths['results']}  errors: {paths['errors']}", file=sys.stderr)


class JsonReporter(Reporter):
    """--log-json: one JSON object per line on stdout (events: start, record, summary)."""

    def _emit(self, event: str, **fields: Any) -> None:
        print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)

    def start(self, info: dict[str, Any]) -> None:
        self._emit("start", total=self.stats.total, **info)

    def record(
        self, rid: str, status: str, *, record: BatchRecord | None = None, error: BatchError | None = None
    ) -> None:
        s = self.stats
        fields: dict[str, Any] = {"id": rid, "status": status, "done": s.handled, "total": s.total}
        if record is not None:
            fields |= {
                "seconds": record.provenance.timings.total_s,
                "tokens": record.provenance.tokens.completion,
                "duplicate_of": record.duplicate_of,
            }
        if error is not None:
            fields |= {"error": error.error, "message": error.message}
        self._emit("record", **fields, ok=s.ok, failed=s.failed)

    def finish(self, paths: dict[str, str]) -> None:
        self._emit("summary", **self.stats.summary(), **paths)


class RichReporter(Reporter):
    """The live bar: done/failed counts, articles/min, tokens/s and ETA, on stderr."""

    def __init__(self, stats: Stats) -> None:
        super().__init__(stats)
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[failed]} failed[/]"),
            TextColumn("{task.fields[apm]} art/min  {task.fields[tps]} tok/s"),
            TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}"),
            console=self.console,
            refresh_per_second=2,
        )
        self.task = self.progress.add_task(
            "batch", total=stats.total, ok=0, failed=0, apm="-", tps="-", eta="?"
        )

    def start(self, info: dict[str, Any]) -> None:
        self.console.print(f"batch: {self.stats.total} records from {info['input']} ({info['engine']})")
        self.progress.start()

    def update(self) -> None:
        s = self.stats
        self.progress.update(
            self.task,
            completed=s.handled,
            ok=s.ok + s.skipped_ok,
            failed=s.failed + s.skipped_failed,
            apm=f"{s.articles_per_min:.1f}",
            tps=f"{s.tokens_per_s:.0f}",
            eta=_duration(s.eta_s),
        )

    def record(
        self, rid: str, status: str, *, record: BatchRecord | None = None, error: BatchError | None = None
    ) -> None:
        if error is not None:
            self.progress.console.print(f"[red]{escape(rid)}[/]: {error.error}: {escape(error.message)}")
        self.update()

    def finish(self, paths: dict[str, str]) -> None:
        self.update()
        self.progress.stop()
        self.console.print(self.stats.line())
        self.console.print(f"results: {paths['results']}  errors: {paths['errors']}")


def make_reporter(stats: Stats, *, quiet: bool, log_json: bool) -> Reporter:
    if log_json:
        return JsonReporter(stats)
    if quiet:
        return Reporter(stats)
    return RichReporter(stats) if sys.stderr.isatty() else PlainReporter(stats)
