"""How far can picking among several translations go? Greedy vs MBR vs an oracle, from one sampling run.

For each segment the translator makes its greedy draft plus N-1 sampled ones (Translator.drafts, the
same requests the pipeline sends). From those candidates this scores, with corpus chrF++:
- greedy: the first candidate (the pipeline's default draft, before repair);
- mbr@k: `pick_mbr` over the first k candidates (fewest failed checks, then most agreement);
- oracle@k: the candidate closest to the *reference* (sentence chrF++), an upper bound that no
  reranker, quality-estimation model or MBR over these k candidates can beat.
If oracle@N stays below a target, no selection over this model's samples reaches it.

Repair is not applied to any of them, so the rows compare like with like. Candidates are checkpointed
to OUT.candidates.jsonl, so a killed run resumes.

Usage: python benchmarks/sample_bound.py --src eval/ntrex300/zh-TW.txt --ref eval/ntrex300/en.txt \
           --limit 100 --samples 6 --out eval/runs/<date>-ntrex-zh-TW-100-sample-bound/report.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import sacrebleu

from finbrief.evaluation.report import git_commit, print_table, write_report
from finbrief.evaluation.translation import read_lines
from finbrief.model.call import Usage
from finbrief.pipeline.translation import Translator, pick_mbr
from finbrief.runtime import build_runtime
from finbrief.settings import Settings

Pool = list[tuple[str, list[str]]]


def line_pools(translator: Translator, lines: list[str], usage: Usage) -> list[Pool]:
    """Candidates per whole line: a line the translator splits is re-joined piece by piece, k-th
    candidate with k-th candidate (its problems are the union of its pieces')."""
    pieces = [[seg.text for seg in translator.split_line(line)] or [line] for line in lines]
    flat = translator.drafts([p for ps in pieces for p in ps], usage)
    out, at = [], 0
    for ps in pieces:
        parts, at = flat[at : at + len(ps)], at + len(ps)
        out.append(
            [
                (" ".join(part[k][0] for part in parts), [p for part in parts for p in part[k][1]])
                for k in range(translator.samples)
            ]
        )
    return out


def score(hyps: list[str], refs: list[str]) -> float:
    return round(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--ref", type=Path, required=True)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--samples", type=int, default=6)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    src, ref = read_lines(args.src, args.limit), read_lines(args.ref, args.limit)
    code = git_commit()
    settings = Settings()
    runtime = build_runtime(settings)
    translator = runtime.translator.variant(samples=args.samples)
    usage = Usage()
    checkpoint = args.out.with_name(args.out.name + ".candidates.jsonl")
    pools: list[Pool] = []
    if checkpoint.is_file():
        pools = [json.loads(line)["pool"] for line in checkpoint.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    with checkpoint.open("a", encoding="utf-8") as f:
        for i in range(len(pools), len(src), 4):
            for j, pool in enumerate(line_pools(translator, src[i : i + 4], usage)):
                f.write(json.dumps({"i": i + j, "pool": pool}, ensure_ascii=False) + "\n")
                f.flush()
                pools.append(pool)
            print(f"{len(pools)}/{len(src)} in {time.perf_counter() - started:.0f}s", flush=True)

    metrics: dict[str, float] = {"greedy": score([p[0][0] for p in pools], ref)}
    chrf = sacrebleu.CHRF(word_order=2)

    def closest(pool: Pool, reference: str) -> str:
        return max((c[0] for c in pool), key=lambda en: chrf.sentence_score(en, [reference]).score)

    for k in range(2, args.samples + 1):
        metrics[f"mbr@{k}"] = score([pick_mbr(p[:k])[0] for p in pools], ref)
        oracle = [closest(p[:k], r) for p, r in zip(pools, ref, strict=True)]
        metrics[f"oracle@{k}"] = score(oracle, ref)
    metrics["flagged_greedy"] = sum(1 for p in pools if p[0][1])
    metrics["flagged_mbr"] = sum(1 for p in pools if pick_mbr(p)[1])
    items = [
        {"src": s, "ref": r, "greedy": p[0][0], "mbr": pick_mbr(p)[0], "candidates": [c[0] for c in p]}
        for s, r, p in zip(src, ref, pools, strict=True)
    ]
    config = {
        "src": str(args.src),
        "ref": str(args.ref),
        "samples": args.samples,
        "temperature": settings.translate_temperature,
        "code": code,
        "model_id": runtime.backend.model_id,
        "prompt_version": runtime.prompts.version,
        "repair": False,
    }
    print_table(f"greedy / MBR / oracle over {args.samples} candidates", metrics)
    write_report(args.out, metrics, items, config=config)


if __name__ == "__main__":
    main()
