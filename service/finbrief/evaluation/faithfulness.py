"""`finbrief eval faithfulness`: the checks run over English items a careful reader has labelled, each
against the source span(s) it rests on; how many bad items they catch, how many good ones they flag.

Item format (eval/faithfulness/items.jsonl, one JSON object a line): `id`, `article` (id), `path`
(the article, relative to the items file's repository), `kind` ("headline" | "bullet" | "evidence"),
`text` (the English), `spans` ([[start, end], ...] into the article as received; [] when nothing in
the article supports it), `label` ("supported" | "partly" | "unsupported" | "contradicts"), and
optionally `half` ("dev" | "holdout") and `brief` (the saved brief the item came from, for the claims
a causal bullet needs). No model is run: the checks are pure functions.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks.summary import GroundedChecks
from ..checks.translation import translation_problems
from ..model import grammar
from ..schemas import Brief, CauseClaim
from ..text.glossary import Glossary
from ..text.normalize import Document, normalize
from ..text.segments import Segment

BAD = ("unsupported", "contradicts")


@dataclass
class FaithfulnessEval:
    metrics: dict[str, Any]
    items: list[dict[str, Any]]


def load_items(path: Path, half: str | None = None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if half is None or i.get("half") == half]


def _claims(brief_path: Path | None) -> list[CauseClaim]:
    if brief_path is None or not brief_path.is_file():
        return []
    try:
        return Brief.model_validate_json(brief_path.read_text(encoding="utf-8")).causes
    except ValueError:  # a saved error body, not a brief
        return []


def item_problems(
    item: dict[str, Any], doc: Document, glossary: Glossary, claims: list[CauseClaim]
) -> list[str]:
    """The problems the pipeline's checks find in one item, read against its own span(s); an item
    resting on nothing is read against the whole article (the most lenient reading)."""
    bounds = item.get("spans") or [[0, len(doc.text)]]
    start, end = min(a for a, _ in bounds), max(b for _, b in bounds)
    span = Segment(start, end, doc.text[start:end])
    if item["kind"] == "evidence":
        return translation_problems(span.text, item["text"], glossary)
    checker = GroundedChecks(glossary, doc, claims, Counter())
    headline = item["kind"] == "headline"
    limit = grammar.HEADLINE_MAX_CHARS if headline else grammar.BULLET_MAX_CHARS
    return checker.problems(item["text"], span, min_words=1 if headline else 4, max_chars=limit, earlier=[])


def evaluate(
    items: list[dict[str, Any]], root: Path, briefs: Path | None, glossary: Glossary
) -> FaithfulnessEval:
    docs: dict[str, Document] = {}
    out = []
    for item in items:
        if item["path"] not in docs:
            docs[item["path"]] = normalize((root / item["path"]).read_text(encoding="utf-8"), min_chars=1)
        claims = _claims(briefs / f"{item['article']}.json" if briefs else None)
        problems = item_problems(item, docs[item["path"]], glossary, claims)
        out.append({**item, "problems": problems, "flagged": bool(problems)})
    return FaithfulnessEval(metrics(out), out)


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def metrics(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Catch rate on bad items, false alarms on good ones, per kind and per check; and the share of
    bad items among those the checks let through (what would ship)."""
    m: dict[str, Any] = {"items": len(items)}
    for kind in ("all", "headline", "bullet", "evidence"):
        of = [i for i in items if kind == "all" or i["kind"] == kind]
        bad = [i for i in of if i["label"] in BAD]
        good = [i for i in of if i["label"] == "supported"]
        passed = [i for i in of if not i["flagged"]]
        m[f"{kind}_bad"] = len(bad)
        m[f"{kind}_catch_rate"] = _rate(sum(i["flagged"] for i in bad), len(bad))
        m[f"{kind}_false_alarm_rate"] = _rate(sum(i["flagged"] for i in good), len(good))
        m[f"{kind}_bad_share_before"] = _rate(len(bad), len(of))
        m[f"{kind}_bad_share_shipped"] = _rate(sum(i["label"] in BAD for i in passed), len(passed))
    fired: Counter[str] = Counter()
    for i in items:
        for key in {p.split(":")[0][:40] for p in i["problems"]}:
            fired[f"{key} [{'bad' if i['label'] in BAD else i['label']}]"] += 1
    m["checks_fired"] = dict(sorted(fired.items()))
    return m
