"""The checks a summary's headline and bullets must pass, against the article and each other."""

from __future__ import annotations

from collections import Counter

from .. import checks
from ..model import grammar
from ..text.glossary import Glossary
from ..text.normalize import Document


class SummaryChecks:
    """Every check a headline or bullet must pass, against the article and the other fields."""

    def __init__(
        self, glossary: Glossary, doc: Document, present: set[str], rejected: set[str], counters: Counter[str]
    ) -> None:
        self.glossary, self.doc, self.present, self.rejected = glossary, doc, present, rejected
        self.counters = counters

    def field(self, name: str, text: str, others: dict[str, str]) -> list[str]:
        if not text:
            return ["empty"]
        headline = name == "headline"
        limit = grammar.HEADLINE_MAX_CHARS if headline else grammar.BULLET_MAX_CHARS
        simp = self.doc.simplified
        found = checks.english_problems([text], self.glossary, self.present)
        found += checks.numbers_faithful(simp, text, rounding=True, names=self.present)
        found += checks.complete_sentence(text, 1 if headline else 4)
        found += checks.details_traceable(simp, text)
        found += checks.causes_attested(simp, text)
        found += checks.contradicts_rejections(text, self.rejected)
        if len(text) >= limit:  # the grammar's bound stopped it: whatever it said is cut
            found.append(f"cut off at {limit} characters: {text[-30:]!r}")
        same = [k for k, v in others.items() if v and v.lower().rstrip(".") == text.lower().rstrip(".")]
        if same:
            found.append(f"repeats the {same[0]}: each field must state a different fact")
        return checks.record(self.counters, found)

    def all(self, fields: dict[str, str]) -> dict[str, list[str]]:
        """Problems per field; of two identical fields, the later one is the repeat."""
        out: dict[str, list[str]] = {}
        names = list(fields)
        for i, name in enumerate(names):
            earlier = {k: fields[k] for k in names[:i]}
            out[name] = self.field(name, fields[name], earlier) if fields[name] else []
        return out
