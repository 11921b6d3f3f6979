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
            ok = isinstance(outcome, BatchRecord)
            out["id"].append(rec.id)
            out["ok"].append(ok)
            # JSON strings keep the Arrow schema flat: briefs and errors differ in shape row to row.
            out["payload"].append(
                outcome.model_dump_json() if ok else json.dumps(dataclasses.asdict(outcome))  # type: ignore[union-attr,arg-type]
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
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        by_id = {rec.id: rec for rec in todo}  # admitted ids are unique
        # One article per block, so every actor gets work (articles take minutes; blocks are cheap).
        ds = ray.data.from_items([{"record": rec.to_json()} for rec in todo], override_num_blocks=len(todo))
        results = ds.map_batches(
            ArticleWorker,
            fn_constructor_kwargs={"settings": settings, "expected": job.identity},
            batch_size=1,
            concurrency=concurrency,
            num_cpus=worker_cpus,
            num_gpus=worker_gpus,
        )
        try:
            for row in results.iter_rows():
                job.finish(by_id[row["id"]], decode(row))
                if stop.requested:
                    break
        except Exception as exc:
            cause = _finbrief_cause(exc)
            if isinstance(cause, FATAL):
                raise cause from exc
            raise
    finally:
        if started_here:
            ray.shutdown()


def _finbrief_cause(exc: BaseException) -> FinbriefError | None:
    """Ray wraps a worker's exception (RayTaskError, UserCodeException...): find ours in the chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, FinbriefError):
            return e
        todo += [e.__cause__, e.__context__, getattr(e, "cause", None)]
    return None
