"""The checks a headline or bullet must pass against the source span it renders, and against the
brief's verified claims: each word of a bullet may exist *somewhere* in an article and the bullet
still say the opposite of the sentence it came from, so every figure, name, date, currency,
direction and negation is read against that sentence."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..schemas import CauseClaim
from ..text.glossary import Glossary
from ..text.normalize import Document
from ..text.scopes import CAUSE_RE, blames
from ..text.segments import Segment
from . import record
from .causes import EN_CAUSAL, causes_attested, contradicts_rejections
from .details import details_traceable
from .english import complete_sentence, english_problems
from .grounding import span_problems
from .numbers import numbers_faithful

_WORD_RE = re.compile(r"[a-z0-9]+")


def repeats(text: str, earlier: Sequence[str]) -> list[str]:
    """Two bullets with the same content: most of their words shared."""
    words = set(_WORD_RE.findall(text.lower()))
    for other in earlier:
        theirs = set(_WORD_RE.findall(other.lower()))
        if words and theirs and len(words & theirs) / min(len(words), len(theirs)) >= 0.8:
            return [f"repeats another bullet: {other[:40]!r}"]
    return []


class GroundedChecks:
    """Every check a headline or bullet must pass, against its own span and the brief's claims."""

    def __init__(
        self, glossary: Glossary, doc: Document, claims: Sequence[CauseClaim], counters: Counter[str]
    ) -> None:
        self.glossary, self.doc, self.counters = glossary, doc, counters
        supported = [c for c in claims if c.stance == "supported"]
        self.backing = [(c.evidence_start, c.evidence_end) for c in supported]
        self.rejected = {str(c.label) for c in claims if c.stance == "rejected"} - {
            c.label for c in supported
        }

    def problems(
        self, text: str, span: Segment, *, min_words: int, max_chars: int, earlier: Sequence[str]
    ) -> list[str]:
        if not text:
            return record(self.counters, ["empty"])
        simp = self.doc.simplified[span.start : span.end]
        # Names may come from the span's paragraph: "他" in the span is the person named before it.
        para = next((p for p in self.doc.body if p.start <= span.start < p.end), span)
        present = {h.term.english for h in self.glossary.find(self.doc.simplified, para.start, para.end)}
        present |= {h.term.english for h in self.glossary.find(self.doc.simplified, span.start, span.end)}
        found = english_problems([text], self.glossary, present)
        found += numbers_faithful(simp, text, rounding=True, names=present)
        found += complete_sentence(text, min_words)
        found += details_traceable(simp, text)
        found += causes_attested(simp, text)
        found += contradicts_rejections(text, self.rejected)
        found += span_problems(simp, text, self.glossary)
        found += self.causal_link_backed(text, span)
        found += repeats(text, earlier)
        if len(text) >= max_chars:  # the grammar's bound stopped it: whatever it said is cut
            found.append(f"cut off at {max_chars} characters: {text[-30:]!r}")
        return record(self.counters, found)

    def causal_link_backed(self, text: str, span: Segment) -> list[str]:
        """A bullet may say "because" only where a verified supported claim rests on its span, or
        where the span itself gives the link ("主要由于光学业务改善", "随着旱情加重，期货上涨"): then
        the bullet renders its own sentence, and causes_attested has checked the cause it names. A
        link the span lacks is the invented kind ("…attributed to the global financial crisis")."""
        if not EN_CAUSAL.search(text):
            return []
        if any(a < span.end and span.start < b for a, b in self.backing):
            return []
        simp = self.doc.simplified[span.start : span.end]
        if CAUSE_RE.search(simp) or blames(simp):
            return []
        return ["causal link no verified claim backs: state the facts without the 'because'"]
