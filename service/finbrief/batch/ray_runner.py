"""The Ray engine: the same per-article function as the local engine, as a Ray Data job.

- The driver (this process) reads the input, decides what to skip (resume), rejects bad lines,
  groups identical articles, and is the only writer of OUTPUT: exactly-once stays a one-process
  property however many machines do the work.
- Each worker is a Ray actor that builds the runtime and loads the model once (ArticleWorker's
  constructor), then briefs one article per call; `concurrency` actors, each reserving
  `worker_cpus` CPUs and `worker_gpus` GPUs, so a cluster schedules them where the cores are.
- Results stream back as they finish and are appended at once; stopping (signal) or losing the
  driver loses only articles in flight, which --resume does again.

Every node needs the same finbrief installed and the model available (pulled, or FINBRIEF_AUTO_PULL);
a worker whose model or prompts differ from the driver's refuses to start (ModelError) rather than
mix two models' output in one file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from ..errors import FinbriefError, ModelError
from ..runtime import build_runtime
from ..schemas import BatchRecord
from ..settings import Settings
from .article import FATAL, Failure, Identity, Outcome, attempt, make_fetcher
from .inputs import InputRecord
from .job import Job
from .runner import StopFlag


class ArticleWorker:
    """One per Ray actor: the model is loaded here, once, and used for every article it is given."""

    def __init__(self, settings: Settings, expected: Identity) -> None:
        self.runtime = build_runtime(settings)
        got = Identity.of_runtime(self.runtime)
        if got != expected:
            raise ModelError(
                f"this worker would run {got}, the driver expects {expected}: "
                "install the same finbrief and model on every node"
            )
        self.runtime.backend.warmup()
        self.fetcher = make_fetcher(settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"id": [], "ok": [], "payload": []}
        for raw in batch["record"]:
            rec = InputRecord.from_json(str(raw))
            outcome = attempt(self.runtime, rec, self.fetcher)
            out["id"].append(rec.id)
            out["ok"].append(isinstance(outcome, BatchRecord))
            # JSON strings keep the Arrow schema flat: briefs and errors differ in shape row to row.
            out["payload"].append(
                outcome.model_dump_json()
                if isinstance(outcome, BatchRecord)
                else json.dumps(dataclasses.asdict(outcome), ensure_ascii=False)
            )
        return out


def decode(row: dict[str, Any]) -> Outcome:
    if row["ok"]:
        return BatchRecord.model_validate_json(row["payload"])
    return Failure(**json.loads(row["payload"]))


def run_ray(
    settings: Settings,
    records: Iterable[InputRecord],
    job: Job,
    *,
    concurrency: int,
    stop: StopFlag,
    address: str | None = None,
    worker_cpus: float = 1,
    worker_gpus: float = 0,
) -> None:
    import ray
    import ray.data

    todo: list[InputRecord] = []
    for rec in records:  # resume skips, bad lines and identical articles are settled here, in order
        if stop.requested:
            return
        if job.admit(rec):
            todo.append(rec)
    if not todo:
        return
    started_here = not ray.is_initialized()
    if started_here:  # address None: a local Ray on this machine; "auto" or ray://host:10001: a cluster
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours is the progress display
        ctx.enable_auto_log_stats = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # article failures are in our records
        by_id = {rec.id: rec for rec in todo}  # admitted ids are unique
        # One article per block, so every actor gets work (articles take minutes; blocks are cheap).
        ds = ray.data.from_items([{"record": rec.to_json()} for rec in todo], override_num_blocks=len(todo))
        # A worker uses the cores it reserved, not every core of its node (llama.cpp's default).
        threads = settings.n_threads or max(1, int(worker_cpus))
        results = ds.map_batches(
            ArticleWorker,
            fn_constructor_kwargs={
                "settings": settings.model_copy(update={"n_threads": threads}),
                "expected": job.identity,
            },
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=concurrency),
            num_cpus=worker_cpus,
            num_gpus=worker_gpus,
        )
        _collect(results, by_id, job, stop)
    finally:
        if started_here:
            ray.shutdown()


def _collect(results: Any, by_id: dict[str, InputRecord], job: Job, stop: StopFlag) -> None:
    """Write each result as it streams back. A fatal finbrief error in a worker, or a worker that
    could not start, ends the job (ModelError: exit 4) instead of surfacing as Ray's exception."""
    try:
        for row in results.iter_rows():
            job.finish(by_id[row["id"]], decode(row))
            if stop.requested:
                break
    except Exception as exc:
        cause = _finbrief_cause(exc)
        if isinstance(cause, FATAL):
            raise cause from exc
        failed_start = _worker_start_failure(exc)
        if failed_start is not None:  # the model did not load (or differs): the job's failure
            raise ModelError(f"a Ray worker could not start: {failed_start}") from exc
        raise


def _chain(exc: BaseException) -> list[BaseException]:
    """Ray wraps a worker's exception (RayTaskError, UserCodeException, SystemException...)."""
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is not None and all(e is not o for o in out):
            out.append(e)
            todo += [e.__cause__, e.__context__, getattr(e, "cause", None)]
    return out


def _finbrief_cause(exc: BaseException) -> FinbriefError | None:
    return next((e for e in _chain(exc) if isinstance(e, FinbriefError)), None)


def _worker_start_failure(exc: BaseException) -> str | None:
    """The reason an ArticleWorker constructor failed. Ray keeps only its text (ActorDiedError)."""
    for e in _chain(exc):
        if getattr(e, "actor_init_failed", False):
            text = str(getattr(e, "error_msg", "") or e)
            ours = re.findall(r"finbrief\.errors\.\w+: [^\n]+", text)
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            return ours[-1] if ours else (lines[-1] if lines else type(e).__name__)
    return None
