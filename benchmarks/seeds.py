"""Brief every article in a folder with one loaded model; print a table, write JSON results.

    python benchmarks/seeds.py ../shared/seeds --out eval/runs/<date>-seed-run/report.json

Per article: seconds end to end, prompt/completion/cached tokens, model calls, checks that fired,
primary cause, claims, warnings, and the error if the brief failed. Timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from finbrief.errors import FinbriefError
from finbrief.runtime import build_runtime
from finbrief.schemas import BriefRequest
from finbrief.settings import Settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--glob", default="*.txt")
    args = ap.parse_args()
    settings = Settings()
    rt = build_runtime(settings)
    started = time.perf_counter()
    rt.backend.warmup()
    load_s = time.perf_counter() - started
    rows = []
    for path in sorted(args.folder.glob(args.glob)):
        t0 = time.perf_counter()
        try:
            brief = rt.pipeline.run(BriefRequest(text=path.read_text(encoding="utf-8")))
            p = brief.provenance
            row = {
                "article": path.stem,
                "ok": True,
                "seconds": round(time.perf_counter() - t0, 1),
                "chars": len(path.read_text(encoding="utf-8")),
                "prompt_tokens": p.tokens.prompt,
                "completion_tokens": p.tokens.completion,
                "cached_tokens": p.tokens.cached,
                "calls": p.tokens.calls,
                "checks": p.checks,
                "primary": brief.primary_cause,
                "warnings": brief.warnings,
                "brief": brief.model_dump(),
            }
        except FinbriefError as exc:
            row = {
                "article": path.stem,
                "ok": False,
                "seconds": round(time.perf_counter() - t0, 1),
                "error": exc.code,
                "message": exc.message,
            }
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "brief"}, ensure_ascii=False), flush=True)
    print(
        f"\nmodel {rt.backend.model_id} ({rt.backend.name}), prompts {rt.pipeline.prompts.version}, "
        f"load+warmup {load_s:.1f}s"
    )
    print("| article | ok | s | prompt tok | completion tok | cached | calls | primary | checks fired |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['article']} | {r['ok']} | {r['seconds']} | {r.get('prompt_tokens', '')} | "
            f"{r.get('completion_tokens', '')} | {r.get('cached_tokens', '')} | {r.get('calls', '')} | "
            f"{r.get('primary', r.get('error'))} | {r.get('checks', '')} |"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "model": rt.backend.model_id,
                    "prompt_version": rt.pipeline.prompts.version,
                    "results": rows,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
