"""Unchecked renderings for the faithfulness set: what the model writes before any check runs.

For each article: the grounded summary's drafts (the headline's sentence and the key sentences, each
rendered as the pipeline renders it) and first-draft translations of its cause-candidate sentences
(what becomes `evidence_en`), none of them checked or repaired. A reader labels them; then
`finbrief eval faithfulness` measures what the checks catch among them. Labels must be written before
the checks are run on these items.

    python benchmarks/render_items.py eval/faithfulness/articles/*.txt --out eval/faithfulness/raw_items.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from finbrief.model.call import Usage
from finbrief.pipeline.brief import BriefPipeline
from finbrief.pipeline.summary import Draft
from finbrief.runtime import build_runtime
from finbrief.settings import Settings
from finbrief.text.candidates import find_candidates
from finbrief.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]


def render(pipeline: BriefPipeline, path: Path, max_evidence: int) -> list[dict[str, object]]:
    text = path.read_text(encoding="utf-8")
    doc = normalize(text)
    ctx = pipeline._context(doc)
    candidates = find_candidates(doc, pipeline.settings.max_claim_candidates)
    drafts: list[Draft] = pipeline._drafts(doc, candidates)
    for chunk in pipeline._chunks(doc):
        in_chunk = [d for d in drafts if chunk.holds(d.span.start)]
        for d in in_chunk:
            d.article = chunk.prompt_text
        pipeline.summary.render(ctx, in_chunk)
    evidence = [c.span for c in candidates][:max_evidence]
    translator = pipeline.translator.variant(levers=pipeline.translator.levers.without("repair"))
    english = translator.sentences([s.text for s in evidence], Usage())
    rel = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
    items: list[dict[str, object]] = []
    for i, d in enumerate(drafts):
        kind = d.kind
        items.append({"id": f"{path.stem}-r{kind[0]}{i}", "article": path.stem, "path": rel, "kind": kind,
                      "text": d.text, "spans": [[d.span.start, d.span.end]]})  # fmt: skip
    for i, (span, (en, _)) in enumerate(zip(evidence, english, strict=True)):
        items.append({"id": f"{path.stem}-re{i}", "article": path.stem, "path": rel, "kind": "evidence",
                      "text": en, "spans": [[span.start, span.end]]})  # fmt: skip
    return [i for i in items if i["text"]]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("articles", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-evidence", type=int, default=3)
    args = ap.parse_args()
    runtime = build_runtime(Settings())
    runtime.backend.warmup()
    done = set()
    if args.out.exists():  # resumable: articles already rendered are skipped
        done = {json.loads(line)["article"] for line in args.out.read_text(encoding="utf-8").splitlines()}
    with args.out.open("a", encoding="utf-8") as out:
        for path in args.articles:
            if path.stem in done:
                continue
            for item in render(runtime.pipeline, path, args.max_evidence):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
            out.flush()
            print(f"rendered {path.stem}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
