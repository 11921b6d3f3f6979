"""Validate items.jsonl against the articles and briefs, and print the count tables used in README.md.

    python eval/faithfulness/stats.py            # from the repository root

Checks: every label/error tag is known; every span lies inside its article; evidence spans equal the
brief's evidence offsets and text; every headline, bullet and evidence_en of every brief that has
items is labelled exactly once. Reads no finbrief code.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LABELS = ["supported", "partly", "unsupported", "contradicts"]
ERRORS = {"direction", "figure_value", "figure_unit_or_currency", "figure_subject", "negation_or_modality",
          "invented_cause", "invented_detail", "wrong_entity", "meaning_lost", "repeat", "not_english"}


def brief_items(brief: dict) -> list[tuple[str, str, str]]:
    out = [("h", "headline", brief["headline_en"])]
    out += [(f"b{i}", "bullet", s) for i, s in enumerate(brief.get("summary_en") or [], 1)]
    out += [(f"e{i}", "evidence", c["evidence_en"]) for i, c in enumerate(brief.get("causes") or [], 1)]
    return out


def main() -> int:
    rows = [json.loads(line) for line in (HERE / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    bad = []
    by_article = collections.defaultdict(dict)
    for r in rows:
        text = (ROOT / r["path"]).read_text(encoding="utf-8")
        if r["label"] not in LABELS or not set(r["errors"]) <= ERRORS:
            bad.append(f"{r['id']}: unknown label or error tag")
        if r["label"] != "supported" and not r["note"]:
            bad.append(f"{r['id']}: non-supported item without a note")
        for s, e in r["spans"]:
            if not 0 <= s < e <= len(text):
                bad.append(f"{r['id']}: span {s}-{e} outside the article")
        if r["kind"] == "evidence" and text[r["spans"][0][0]:r["spans"][0][1]] != r["evidence_zh"]:
            bad.append(f"{r['id']}: evidence span does not hold evidence_zh")
        by_article[r["article"]][r["id"].rsplit("-", 1)[1]] = r
    for art, got in by_article.items():
        brief = json.loads((HERE / "briefs" / f"{art}.json").read_text(encoding="utf-8"))
        want = brief_items(brief)
        if {i for i, _, _ in want} != set(got):
            bad.append(f"{art}: items {sorted(got)} do not match the brief's {[i for i, _, _ in want]}")
        for iid, kind, english in want:
            if iid in got and (got[iid]["kind"], got[iid]["text"]) != (kind, english):
                bad.append(f"{art}-{iid}: kind/text differs from the brief")
    print("\n".join(bad) or "items.jsonl: OK")

    def table(rs, title):
        print(f"\n{title}: {len(rs)} items from {len({r['article'] for r in rs})} articles\n")
        print("| kind | " + " | ".join(LABELS) + " | total | not supported |")
        print("|---|" + "---:|" * (len(LABELS) + 2))
        for kind in ["headline", "bullet", "evidence", None]:
            sel = [r for r in rs if kind is None or r["kind"] == kind]
            c = collections.Counter(r["label"] for r in sel)
            n, nbad = len(sel), len(sel) - c["supported"]
            print(f"| {kind or '**all**'} | " + " | ".join(str(c[x]) for x in LABELS)
                  + f" | {n} | {nbad} ({nbad / n:.0%}) |")

    table(rows, "All")
    for half in ["dev", "holdout"]:
        table([r for r in rows if r["half"] == half], half)
    print("\nError tags (items carrying each tag):")
    for kind in ["headline", "bullet", "evidence"]:
        c = collections.Counter(t for r in rows if r["kind"] == kind for t in r["errors"])
        print(f"- {kind}: " + ", ".join(f"{t} {n}" for t, n in c.most_common()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
