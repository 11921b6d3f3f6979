"""`finbrief batch INPUT OUTPUT`: the subcommand, its signals and its exit codes."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, Unavailable
from ..settings import Settings
from .inputs import count_inputs, read_inputs
from .progress import Stats, make_reporter
from .runner import StopFlag

if TYPE_CHECKING:  # imported lazily at run time: `finbrief --help` should not load the pipeline
    from ..runtime import Runtime
    from .article import Identity
    from .job import Job

EXIT_OK = 0  # every article has a result
EXIT_FAILURES = 1  # the job finished, and some articles are in OUTPUT.errors.jsonl
EXIT_USAGE = 2  # nothing was done: missing input, OUTPUT in use or already there without --resume
# 4: the model could not be provisioned or loaded (cli.py maps ModelError, as for every command)
# 5: the serving engine stayed down (Job.ENGINE_DOWN_AFTER articles in a row); --resume goes on
# 128 + signal number (130 SIGINT, 143 SIGTERM): stopped cleanly; --resume finishes the job

Command = Callable[[argparse.Namespace, Settings], int]


def add_parser(sub: Any, wrap: Callable[[Command], Callable[[argparse.Namespace], int]]) -> None:
    p = sub.add_parser(
        "batch",
        help="brief and translate every article of a JSONL file or a folder; resumable",
        description="Brief and fully translate many articles. Writes OUTPUT (JSONL, one record per "
        "article) and OUTPUT's .errors.jsonl (one line per failed article). See README 'Batch'.",
    )
    p.add_argument("input", type=Path, help="JSONL (id, text or url, ...) or a folder of .txt/.md/.html")
    p.add_argument("output", type=Path, help="results JSONL; errors go to <stem>.errors.jsonl beside it")
    p.add_argument("--resume", action="store_true", help="continue a job: skip ids already done")
    p.add_argument("--overwrite", action="store_true", help="start again, discarding OUTPUT's records")
    p.add_argument("--retry-errors", action="store_true", help="with --resume: run failed ids again")
    p.add_argument("--digest", type=Path, help="also write a readable digest (.md, or .html)")
    p.add_argument(
        "--concurrency",
        type=int,
        choices=range(1, 17),
        metavar="N",
        help="articles in flight (1-16): llama.cpp slots (local) or Ray workers (ray); "
        "default FINBRIEF_PARALLEL (1)",
    )
    p.add_argument("--engine", choices=["local", "ray"], default="local")
    p.add_argument("--ray-address", help="'auto' (on a Ray cluster node) or HEAD:6379; default: a local Ray")
    p.add_argument("--worker-cpus", type=float, default=1, help="CPUs each Ray worker reserves")
    p.add_argument("--worker-gpus", type=float, default=0, help="GPUs each Ray worker reserves")
    out = p.add_mutually_exclusive_group()
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing unless something failed")
    out.add_argument("--log-json", action="store_true", help="JSON lines on stdout (start, record, summary)")
    p.set_defaults(func=wrap(cmd_batch))


@contextmanager
def graceful_stop(stop: StopFlag) -> Iterator[None]:
    """SIGINT/SIGTERM: finish the articles in flight, write them, exit. A second signal ends the
    process at once (what was written is safe; --resume redoes the rest)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        stop.requested = signal.Signals(signum).name
        # os.write, not print: the handler may interrupt a print to stderr (a reentrant-call error).
        with contextlib.suppress(OSError, ValueError):
            os.write(sys.stderr.fileno(), f"batch: {stop.requested}: finishing what is in flight\n".encode())

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from .digest import write_digest
    from .job import Job
    from .store import ResultStore, StoreRefused

    if not args.input.exists():
        print(f"batch: {args.input} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = ResultStore(args.output, resume=args.resume, overwrite=args.overwrite)
    except StoreRefused as exc:
        print(f"batch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stats = Stats(total=count_inputs(args.input))
    reporter = make_reporter(stats, quiet=args.quiet, log_json=args.log_json)
    stop = StopFlag()
    concurrency = args.concurrency or settings.parallel
    try:
        with graceful_stop(stop):
            loading = time.monotonic()
            runtime, identity = _prepare(args.engine, settings, concurrency)
            stats.load_s = time.monotonic() - loading
            job = Job(store, identity, reporter, retry_errors=args.retry_errors)
            reporter.start(
                {
                    "input": str(args.input),
                    "engine": args.engine,
                    "concurrency": concurrency,
                    "model_id": identity.model_id,
                    "prompt_version": identity.prompt_version,
                }
            )
            stats.start_clock()
            try:
                _run(args, settings, runtime, job, concurrency, stop)
            finally:  # also on a fatal error: the counts so far, and the terminal restored
                stats.interrupted = stop.requested
                reporter.finish({"results": str(store.output), "errors": str(store.errors_path)})
    finally:
        store.close()
    if args.digest:
        write_digest(args.digest, store.output, store.errors_path)
    if stop.requested:
        return 128 + int(signal.Signals[stop.requested])
    return EXIT_FAILURES if stats.any_failed else EXIT_OK


def _prepare(engine: str, settings: Settings, concurrency: int) -> tuple[Runtime | None, Identity]:
    """The local engine loads the model here, once, before the clock starts (rates measure work);
    the Ray engine only needs the model's identity: its workers load the model."""
    from .article import Identity

    if engine == "ray":
        return None, Identity.of_settings(settings)
    from ..runtime import build_runtime

    # llama.cpp slots = articles in flight (each slot keeps its own KV cache).
    runtime = build_runtime(settings.model_copy(update={"parallel": concurrency}))
    try:
        runtime.backend.warmup()
    except Unavailable as exc:  # a model that will not load is a provisioning failure (exit 4)
        raise ModelError(exc.message, detail=exc.detail) from exc
    return runtime, Identity.of_runtime(runtime)


def _run(
    args: argparse.Namespace,
    settings: Settings,
    runtime: Runtime | None,
    job: Job,
    concurrency: int,
    stop: StopFlag,
) -> None:
    records = read_inputs(args.input)
    if runtime is None:
        from .ray_runner import run_ray

        run_ray(
            settings,
            records,
            job,
            concurrency=concurrency,
            stop=stop,
            address=args.ray_address,
            worker_cpus=args.worker_cpus,
            worker_gpus=args.worker_gpus,
        )
    else:
        from .runner import run_local

        run_local(runtime, records, job, concurrency=concurrency, stop=stop)
