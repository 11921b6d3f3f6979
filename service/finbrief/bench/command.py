"""`finbrief bench`: argument parsing, the printed table, the JSON report and docs/PERFORMANCE.md."""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..settings import Settings
from . import measure
from .doc import render_doc

Command = Callable[[argparse.Namespace, Settings], int]
SEEDS = Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds"
SHORT_LIST = Path(__file__).resolve().parents[3] / "eval" / "speed" / "short.txt"


def _variant(text: str) -> tuple[str, dict[str, Any]]:
    """NAME:KEY=VALUE[,KEY=VALUE…] → (NAME, settings overrides), validated by Settings itself."""
    name, _, pairs = text.partition(":")
    if not pairs:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME:KEY=VALUE[,KEY=VALUE…]")
    overrides: dict[str, Any] = {}
    for pair in pairs.split(","):
        key, eq, value = pair.partition("=")
        if not eq or key not in Settings.model_fields:
            raise argparse.ArgumentTypeError(f"{pair!r}: not KEY=VALUE with KEY a setting (FINBRIEF_KEY)")
        overrides[key] = json.loads(value) if value[:1] in "0123456789-[{tf" and value != "" else value
    try:
        Settings(**overrides)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from exc
    return name, overrides


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from ..evaluation.report import git_commit

    if args.from_report:  # the doc again from a finished run: no model, nothing timed
        report = json.loads(args.from_report.read_text(encoding="utf-8"))
        _print(report)
        if args.doc:
            args.doc.write_text(render_doc(report, args.from_report), encoding="utf-8")
        return 0
    seeds = args.seed if args.seed is not None else sorted(SEEDS.glob("00[02]_*.txt"))
    short = None if args.no_short else args.short
    articles = measure.read_articles(seeds, short)
    if not articles:
        print("finbrief bench: no articles (give --seed PATH or a --short list)", file=sys.stderr)
        return 2
    code = git_commit()
    settings = settings.model_copy(update={"cache_enabled": False})  # every brief is made, not looked up
    report = measure.bench(
        settings, articles, dict(args.compare or []), naive=args.naive, save_briefs=args.save_briefs
    )
    report["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "code": code,
        "command": "finbrief bench " + shlex.join(sys.argv[2:]),
        "model": settings.model,
        "backend": settings.backend,
        "n_threads": settings.n_threads,
        "machine": f"{platform.machine()}, {_cores()} cores",
    }
    _print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.doc:
        args.doc.write_text(render_doc(report, args.out), encoding="utf-8")
    return 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _print(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="finbrief bench")
    for col in ("variant", "article", "s", "floor s", "x floor", "calls", "prompt", "cached", "completion"):
        table.add_column(col, justify="left" if col in ("variant", "article") else "right")
    for r in report["runs"]:
        table.add_row(
            r["variant"],
            r["article"],
            str(r["seconds"]) if r["ok"] else f"failed: {r['error']}",
            str(r["floor_s"] or "-"),
            str(r["vs_floor"] or "-"),
            str(r["calls"]),
            str(r["prompt"]),
            str(r["cached"]),
            str(r["completion"]),
        )
    console = Console()
    console.print(table)
    console.print_json(data=report["summary"])
    for n in report["naive"]:
        if "error" in n:
            console.print(f"naive baseline on {n['article']}: could not run: {n['error']}")
            continue
        console.print(
            f"naive baseline on {n['article']}: {n['seconds']} s ({n['completion']} tokens, {n['finish']})"
        )


def add_parser(sub: Any, wrap: Callable[[Command], Callable[[argparse.Namespace], int]]) -> None:
    p = sub.add_parser(
        "bench",
        help="time briefs beside the engine floor (and the naive baseline); docs/PERFORMANCE.md",
    )
    p.add_argument(
        "--seed", type=Path, action="append", help="an article to time (default: seeds 000 and 002)"
    )
    p.add_argument("--short", type=Path, default=SHORT_LIST, help="list of short articles (p50 reported)")
    p.add_argument("--no-short", action="store_true", help="skip the short-article set")
    p.add_argument(
        "--compare",
        type=_variant,
        action="append",
        metavar="NAME:KEY=VALUE[,…]",
        help="also run the seed articles with these settings changed, in the same run (repeatable)",
    )
    p.add_argument(
        "--naive", type=int, default=0, metavar="N", help="run the naive baseline on the first N articles"
    )
    p.add_argument("--out", type=Path, help="write the JSON report here")
    p.add_argument("--from-report", type=Path, help="print (and --doc) a finished run's report; runs nothing")
    p.add_argument("--save-briefs", type=Path, help="keep each brief as DIR/<variant>/<article>.json")
    p.add_argument(
        "--doc", type=Path, help="regenerate this markdown file (docs/PERFORMANCE.md) from the run"
    )
    p.set_defaults(func=wrap(cmd_bench))
