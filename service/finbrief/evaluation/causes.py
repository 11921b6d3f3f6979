"""`finbrief eval causes`: briefs of gold-labelled articles scored against the gold claims.

Gold format: ../shared/eval/seed_gold.json ({"articles": {id: {primary_any, supported, rejected,
must_entities, must_not, key_numbers}}}); article `id` is read from DIR/id.txt. Any gold file and
article folder of that shape works. Briefs can be saved and re-scored without running the model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GenerationFailed, InvalidInput
from ..schemas import Brief
from ..text.figures import english_numbers


@dataclass
class CausesEval:
    metrics: dict[str, Any]
    items: list[dict[str, Any]]


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    articles = data.get("articles", data)
    if not isinstance(articles, dict) or not articles:
        raise ValueError(f"{path}: expected {{'articles': {{id: gold}}}}")
    return articles


def article_path(articles: Path, article_id: str) -> Path:
    for candidate in (articles / f"{article_id}.txt", articles / article_id):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no article file for gold id {article_id!r} in {articles}")


def claimant_matches(predicted: str, gold_by: str) -> bool:
    """Gold 'by' is free text ("author; Bank of America (Nitin Saxena)"): the predicted claimant is
    right if it names one of its parts, or shares a surname-sized word with one."""
    p = predicted.lower().strip()
    parts = [x.strip().lower() for x in re.split(r"[;,()/:]", gold_by) if x.strip()]
    if p == "author":
        return any(part == "author" for part in parts)
    words = set(re.findall(r"[a-z]{4,}", p))
    return any(p in part or part in p or words & set(re.findall(r"[a-z]{4,}", part)) for part in parts)


def _english_blob(brief: Brief) -> str:
    texts = [brief.headline_en, *brief.summary_en]
    texts += [f"{k.value} {k.what}" for k in brief.key_figures]
    texts += [e.name_en for e in brief.entities]
    texts += [f"{c.claimant} {c.moved} {c.evidence_en}" for c in brief.causes]
    return "\n".join(texts)


def _number_found(gold: str, brief: Brief) -> bool:
    values = {k.value for k in brief.key_figures}
    if gold in values or gold in _english_blob(brief):
        return True
    want = english_numbers(gold)
    unit = "%" if "%" in gold else ("$" if "$" in gold else "x" if gold.endswith("x") else "")
    for k in brief.key_figures:
        got = english_numbers(k.value)
        same_unit = unit in k.value if unit else True
        if want and got and same_unit and want[0].value == got[0].value:
            return True
    return False


def score_one(gold: dict[str, Any], brief: Brief, text: str) -> dict[str, Any]:
    pred_sup = {c.label for c in brief.causes if c.stance == "supported"}
    pred_rej = {c.label for c in brief.causes if c.stance == "rejected"}
    gold_sup = {g["label"] for g in gold.get("supported", [])}
    gold_rej = {g["label"] for g in gold.get("rejected", [])}
    claimants = []
    for stance, gold_claims in (
        ("supported", gold.get("supported", [])),
        ("rejected", gold.get("rejected", [])),
    ):
        for g in gold_claims:
            preds = [c for c in brief.causes if c.label == g["label"] and c.stance == stance]
            if preds:
                claimants.append(any(claimant_matches(c.claimant, g["by"]) for c in preds))
    # What the brief says, not the source it quotes back: skipped lines and a fetched source_text are
    # the article's own words (seed 000's page title names "Janet Yellen"; the brief must not), and
    # `withheld` is what the checks refused to say.
    blob = brief.model_dump_json(exclude={"skipped", "source_text", "withheld"})
    english = _english_blob(brief)
    return {
        "primary": brief.primary_cause,
        "primary_ok": brief.primary_cause in gold.get("primary_any", []),
        "supported": {
            "tp": len(pred_sup & gold_sup),
            "fp": len(pred_sup - gold_sup),
            "fn": len(gold_sup - pred_sup),
        },
        "predicted_supported": sorted(pred_sup),
        "predicted_rejected": sorted(pred_rej),
        "rejected_found": sorted(gold_rej & pred_rej),
        "rejected_gold": sorted(gold_rej),
        "claimants_ok": sum(claimants),
        "claimants_scored": len(claimants),
        "entities_found": [e for e in gold.get("must_entities", []) if e in english],
        "entities_missing": [e for e in gold.get("must_entities", []) if e not in english],
        "must_not_hits": [m for m in gold.get("must_not", []) if m.lower() in blob.lower()],
        "numbers_found": [n for n in gold.get("key_numbers", []) if _number_found(n, brief)],
        "numbers_gold": gold.get("key_numbers", []),
        "evidence_ok": sum(
            1 for c in brief.causes if text[c.evidence_start : c.evidence_end] == c.evidence_zh
        ),
        "claims": len(brief.causes),
    }


def score_failed(gold: dict[str, Any]) -> dict[str, Any]:
    """No brief: nothing found, every gold item missed."""
    gold_sup = {g["label"] for g in gold.get("supported", [])}
    return {
        "primary": None,
        "primary_ok": False,
        "supported": {"tp": 0, "fp": 0, "fn": len(gold_sup)},
        "predicted_supported": [],
        "predicted_rejected": [],
        "rejected_found": [],
        "rejected_gold": sorted({g["label"] for g in gold.get("rejected", [])}),
        "claimants_ok": 0,
        "claimants_scored": 0,
        "entities_found": [],
        "entities_missing": list(gold.get("must_entities", [])),
        "must_not_hits": [],
        "numbers_found": [],
        "numbers_gold": gold.get("key_numbers", []),
        "evidence_ok": 0,
        "claims": 0,
    }


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def aggregate(items: list[dict[str, Any]]) -> dict[str, Any]:
    tp = sum(i["supported"]["tp"] for i in items)
    fp = sum(i["supported"]["fp"] for i in items)
    fn = sum(i["supported"]["fn"] for i in items)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "articles": len(items),
        "primary_accuracy": _ratio(sum(i["primary_ok"] for i in items), len(items)),
        "supported_f1": round(2 * precision * recall / (precision + recall), 4)
        if precision + recall
        else 0.0,
        "supported_precision": precision,
        "supported_recall": recall,
        "rejected_recall": _ratio(
            sum(len(i["rejected_found"]) for i in items), sum(len(i["rejected_gold"]) for i in items)
        ),
        "claimant_accuracy": _ratio(
            sum(i["claimants_ok"] for i in items), sum(i["claimants_scored"] for i in items)
        ),
        "must_entities_recall": _ratio(
            sum(len(i["entities_found"]) for i in items),
            sum(len(i["entities_found"]) + len(i["entities_missing"]) for i in items),
        ),
        "must_not_hits": sum(len(i["must_not_hits"]) for i in items),
        "key_numbers_recall": _ratio(
            sum(len(i["numbers_found"]) for i in items), sum(len(i["numbers_gold"]) for i in items)
        ),
        "evidence_verbatim_rate": _ratio(
            sum(i["evidence_ok"] for i in items), sum(i["claims"] for i in items)
        ),
    }


def evaluate(
    gold: dict[str, dict[str, Any]],
    articles: Path,
    brief_of: Callable[[str, str], Brief],
    on_article: Callable[[str], None] | None = None,
) -> CausesEval:
    """brief_of(article_id, text) -> Brief: runs the pipeline, or loads a saved brief."""
    items = []
    for article_id, g in gold.items():
        text = article_path(articles, article_id).read_text(encoding="utf-8")
        try:
            brief = brief_of(article_id, text)
        except (InvalidInput, GenerationFailed) as exc:  # this article's brief failed: it scores zero
            # (a model that cannot load is not an article's failure: that ends the run)
            items.append({"id": article_id, **score_failed(g), "error": f"{exc.code}: {exc.message}"})
        else:
            items.append(
                {"id": article_id, **score_one(g, brief, text), "brief": brief.model_dump(mode="json")}
            )
        if on_article:
            on_article(article_id)
    return CausesEval(aggregate(items), items)
