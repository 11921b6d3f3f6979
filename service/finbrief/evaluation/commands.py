"""The `finbrief eval ...` subcommands: argument parsing and wiring only; scoring lives beside."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ..settings import Settings
from . import causes as causes_eval
from . import translation as translation_eval
from .report import git_commit, print_table, write_report

LEVERS = ("prompt", "glossary", "figures", "ban_cjk", "to_simplified", "sentence_split", "repair")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),  # a log file or cron: plain lines instead (see _advance)
    )


def _advance(bar: Progress, task: TaskID, n: int) -> None:
    bar.advance(task, n)
    if bar.disable:
        t = bar.tasks[task]
        print(
            f"{t.description}: {t.completed:.0f}/{t.total or 0:.0f} in {t.elapsed or 0:.0f}s", file=sys.stderr
        )


def cmd_eval_translation(args: argparse.Namespace, settings: Settings) -> int:
    from ..model.call import Usage
    from ..pipeline.translation import Levers
    from ..runtime import build_runtime

    src = translation_eval.read_lines(args.src, args.limit)
    ref = translation_eval.read_lines(args.ref, args.limit)
    levers = Levers.raw() if args.system == "raw" else Levers().without(*args.without)
    code = git_commit()  # before the run: the code that produced it, not what the tree holds after
    runtime = build_runtime(settings)
    runtime.backend.warmup()
    translator = runtime.translator.variant(levers=levers, samples=args.samples)
    usage = Usage()
    # Resumable: a rerun with the same --out continues from the segments already done.
    checkpoint = args.out.with_name(args.out.name + ".partial.jsonl") if args.out else None
    with _progress() as bar:
        task = bar.add_task(f"translating ({args.system})", total=len(src))
        result = translation_eval.evaluate(
            src,
            ref,
            translation_eval.translator_fn(translator, usage),
            batch_size=args.batch_size,
            on_batch=lambda n: _advance(bar, task, n),
            checkpoint=checkpoint,
        )
    config = {
        "system": args.system,
        "levers": {k: getattr(levers, k) for k in LEVERS},
        "samples": translator.samples,
        "temperature": translator.sample_temperature if translator.samples > 1 else 0.0,
        "src": str(args.src),
        "ref": str(args.ref),
        "code": code,
        "model_id": runtime.backend.model_id,
        "prompt_version": runtime.prompts.version,
        "tokens": usage.tokens.model_dump(),
        "checks_fired": dict(usage.checks),
    }
    print_table(
        f"translation: {args.system} {'-' + ','.join(args.without) if args.without else ''}", result.metrics
    )
    if args.out:
        write_report(args.out, result.metrics, result.items, config=config)
        if checkpoint:
            checkpoint.unlink(missing_ok=True)
    return 0


def cmd_eval_causes(args: argparse.Namespace, settings: Settings) -> int:
    from ..runtime import Runtime, build_runtime
    from ..schemas import Brief, BriefRequest

    gold = causes_eval.load_gold(args.gold)
    # Saved briefs are reused (--briefs, or --save-briefs with --resume); the model is loaded only
    # when some article still needs a brief.
    reuse = args.briefs or (args.save_briefs if args.resume else None)
    runtime: list[Runtime] = []
    code = git_commit()  # of briefs made by this run; reused briefs carry their own provenance
    made_by: set[tuple[str, str]] = set()

    def brief_of(article_id: str, text: str) -> Brief:
        saved = Path(reuse) / f"{article_id}.json" if reuse else None
        if saved is not None and (saved.is_file() or args.briefs):
            return Brief.model_validate_json(saved.read_text(encoding="utf-8"))
        if not runtime:
            runtime.append(build_runtime(settings))
            runtime[0].backend.warmup()
        brief = runtime[0].pipeline.run(
            BriefRequest(text=text, title=None, url=None, source=None, published_at=None)
        )
        if args.save_briefs:
            args.save_briefs.mkdir(parents=True, exist_ok=True)
            (args.save_briefs / f"{article_id}.json").write_text(
                brief.model_dump_json(indent=1), encoding="utf-8"
            )
        return brief

    def noted(article_id: str, text: str) -> Brief:
        brief = brief_of(article_id, text)
        made_by.add((brief.provenance.model_id, brief.provenance.prompt_version))
        return brief

    with _progress() as bar:
        task = bar.add_task("briefing", total=len(gold))
        result = causes_eval.evaluate(gold, args.articles, noted, on_article=lambda _: _advance(bar, task, 1))
    print_table("cause attribution", result.metrics)
    if args.out:
        config = {
            "gold": str(args.gold),
            "articles": str(args.articles),
            "code": code if runtime else None,
            "models_and_prompts": sorted(made_by),
        }
        write_report(args.out, result.metrics, result.items, config=config)
    return 0


def cmd_eval_faithfulness(args: argparse.Namespace, settings: Settings) -> int:
    from ..text.glossary import Glossary
    from . import faithfulness

    items = faithfulness.load_items(args.items, args.half)
    if not items:
        print(
            f"no items in {args.items}" + (f" for half {args.half!r}" if args.half else ""), file=sys.stderr
        )
        return 2
    result = faithfulness.evaluate(items, args.root, args.briefs, Glossary.load(settings.glossary_path))
    shown = {k: v for k, v in result.metrics.items() if k != "checks_fired"}
    print_table(f"faithfulness checks ({args.half or 'all'})", shown)
    print_table("checks fired [item label]", result.metrics["checks_fired"])
    if args.out:
        config = {"items": str(args.items), "half": args.half, "code": git_commit()}
        write_report(args.out, result.metrics, result.items, config=config)
    return 0


def add_parser(sub: Any, run: Callable[[Callable[[argparse.Namespace, Settings], int]], Any]) -> None:
    """Register `eval translation`, `eval causes` and `eval faithfulness`; `run` wraps a command."""
    ev = sub.add_parser("eval", help="measure quality: translation (chrF++, BLEU) or cause attribution")
    kinds = ev.add_subparsers(dest="eval_command", required=True)
    tr = kinds.add_parser("translation", help="zh->en over aligned line files (sacreBLEU chrF++ and BLEU)")
    tr.add_argument("--src", type=Path, required=True, help="Chinese source, one segment per line")
    tr.add_argument("--ref", type=Path, required=True, help="English reference, aligned with --src")
    tr.add_argument("--limit", type=int, help="only the first N segments")
    tr.add_argument("--system", choices=["pipeline", "raw"], default="pipeline", help="raw = plain prompt")
    tr.add_argument("--without", nargs="*", default=[], choices=LEVERS, help="pipeline levers to switch off")
    tr.add_argument(
        "--samples", type=int, help="candidates per sentence, MBR pick (default FINBRIEF_TRANSLATE_SAMPLES)"
    )
    tr.add_argument("--batch-size", type=int, default=8)
    tr.add_argument("--out", type=Path, help="write {metrics, items} JSON here")
    tr.set_defaults(func=run(cmd_eval_translation))
    ca = kinds.add_parser("causes", help="briefs of gold-labelled articles against the gold claims")
    ca.add_argument("--gold", type=Path, required=True, help="gold JSON (format: shared/eval/seed_gold.json)")
    ca.add_argument("--articles", type=Path, required=True, help="folder with <id>.txt per gold article")
    ca.add_argument("--briefs", type=Path, help="score saved briefs (<id>.json) instead of running the model")
    ca.add_argument("--save-briefs", type=Path, help="also save each brief as <id>.json here")
    ca.add_argument("--resume", action="store_true", help="reuse briefs already in --save-briefs")
    ca.add_argument("--out", type=Path, help="write {metrics, items} JSON here")
    ca.set_defaults(func=run(cmd_eval_causes))
    fa = kinds.add_parser(
        "faithfulness", help="the checks over labelled English items: catch and false-alarm rates"
    )
    fa.add_argument(
        "--items", type=Path, required=True, help="labelled items (eval/faithfulness/items.jsonl)"
    )
    fa.add_argument("--half", choices=["dev", "holdout"], help="only this half of the items")
    fa.add_argument(
        "--root", type=Path, default=Path(), help="folder the items' article paths are relative to"
    )
    fa.add_argument(
        "--briefs", type=Path, help="saved briefs (<article>.json): their claims back causal bullets"
    )
    fa.add_argument("--out", type=Path, help="write {metrics, items} JSON here")
    fa.set_defaults(func=run(cmd_eval_faithfulness))
