"""Measure a new translation check without a full rerun: re-translate only the segments of an eval
report that the current checks flag and its run did not, and splice them into a new report.

Decoding is greedy, so every other segment would come out as it did; the rerun costs the segments the
new check fires on (minutes), not the whole set (an hour on 2 cores). The new report's config names
the report it was spliced from and the segments redone.

Usage: python benchmarks/rerun_flagged.py eval/runs/2026-11-22-ntrex-zh-TW-pipeline-f02e2d5/report.json \
           --out eval/runs/<date>-ntrex-zh-TW-pipeline-spliced/report.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import sacrebleu

from finbrief.evaluation.report import git_commit, print_table, write_report
from finbrief.evaluation.translation import metrics_of, translator_fn
from finbrief.model.call import Usage
from finbrief.pipeline.translation import Levers
from finbrief.runtime import build_runtime
from finbrief.settings import Settings
from finbrief.text.script import CJK_RE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    old = json.loads(args.report.read_text(encoding="utf-8"))
    items = old["items"]
    levers = Levers(**old["config"]["levers"])
    runtime = build_runtime(Settings())
    translator = runtime.translator.variant(levers=levers)
    # Segments where a check fires now that did not fire in the original run.
    redo = [
        i for i, it in enumerate(items) if set(translator.problems(it["src"], it["hyp"])) - set(it["flags"])
    ]
    print(f"{len(redo)} of {len(items)} segments fail a check the original run did not have")
    usage = Usage()
    answers = translator_fn(translator, usage)([items[i]["src"] for i in redo])
    for i, (en, problems) in zip(redo, answers, strict=True):
        en = " ".join(en.split())
        items[i] = {
            **items[i],
            "hyp": en,
            "previous_hyp": items[i]["hyp"],
            "chrf++": round(sacrebleu.sentence_chrf(en, [items[i]["ref"]], word_order=2).score, 2),
            "leftover_chinese": bool(CJK_RE.search(en)),
            "flags": problems,
        }
    metrics = metrics_of(items)
    config = {
        **old["config"],
        "code": git_commit(),
        "spliced_from": {"report": str(args.report), "code": old["config"].get("code"), "redone": redo},
        "checks_fired_in_rerun": dict(usage.checks),
    }
    print_table(f"{args.report.name} with {len(redo)} segments redone", metrics)
    write_report(args.out, metrics, items, config=config)


if __name__ == "__main__":
    main()
