"""Items for a blind faithfulness judgement, taken from saved briefs: every English sentence a brief
shipped (headline, bullets, each distinct evidence_en) and every rendering its checks held back
(`withheld`). A reader labels them without knowing which is which; then `finbrief eval faithfulness`
measures what the checks catch and what ships, on articles the checks were never tuned on.

    python benchmarks/brief_items.py --briefs eval/runs/<run>/briefs --articles eval/attribution2/holdout \
        --half attribution2-holdout --out eval/faithfulness/items-attribution2.jsonl --key /tmp/key.json

Items come out in a seeded shuffle with neutral ids (`<article>-NN`), so neither their order nor their
id tells shipped from withheld; `--key` writes that mapping separately, for after the labels are in.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def brief_sentences(brief: dict[str, Any]) -> list[tuple[str, str, list[list[int]], str]]:
    """(kind, text, spans, fate) for every English sentence of one brief; fate: shipped | withheld."""
    out: list[tuple[str, str, list[list[int]], str]] = []

    def spans(evidence: list[dict[str, Any]]) -> list[list[int]]:
        return [[e["start"], e["end"]] for e in evidence]

    if brief.get("headline"):
        out.append(("headline", brief["headline"]["text"], spans(brief["headline"]["evidence"]), "shipped"))
    out += [("bullet", b["text"], spans(b["evidence"]), "shipped") for b in brief.get("summary", [])]
    seen: set[tuple[int, int]] = set()
    for c in brief.get("causes", []):
        where = (c["evidence_start"], c["evidence_end"])
        if c["evidence_en"] and where not in seen:
            seen.add(where)
            out.append(("evidence", c["evidence_en"], [list(where)], "shipped"))
    out += [(w["kind"], w["text"], spans(w["evidence"]), "withheld") for w in brief.get("withheld", [])]
    return out


def items(briefs: Path, articles: Path, half: str, seed: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rows: list[dict[str, Any]] = []
    key: dict[str, str] = {}
    for path in sorted(briefs.glob("*.json")):
        brief = json.loads(path.read_text(encoding="utf-8"))
        if "provenance" not in brief:  # a saved error, not a brief
            continue
        article = path.stem
        found = brief_sentences(brief)
        random.Random(f"{seed}:{article}").shuffle(found)
        for n, (kind, text, spans, fate) in enumerate(found, 1):
            item_id = f"{article}-{n:02d}"
            key[item_id] = fate
            rows.append(
                {
                    "id": item_id,
                    "article": article,
                    "path": str((articles / f"{article}.txt").resolve().relative_to(ROOT)),
                    "kind": kind,
                    "text": text,
                    "spans": spans,
                    "label": None,
                    "errors": [],
                    "note": "",
                    "half": half,
                    "brief": str(path.resolve().relative_to(ROOT)),
                }
            )
    return rows, key


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--briefs", type=Path, required=True)
    ap.add_argument("--articles", type=Path, required=True)
    ap.add_argument("--half", required=True, help="the items' `half` field")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--key", type=Path, required=True, help="where to write item id -> shipped | withheld")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows, key = items(args.briefs, args.articles, args.half, args.seed)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    args.key.write_text(json.dumps(key, indent=1), encoding="utf-8")
    print(f"{len(rows)} items from {len({r['article'] for r in rows})} briefs -> {args.out}")


if __name__ == "__main__":
    main()
