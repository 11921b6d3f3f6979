"""Which source sentences a brief rests on, chosen by code: the headline's (the title, else the lead
sentence) and the key sentences its bullets render, one bullet per sentence. A small model asked to
summarize a whole article composes facts from different places (one company's fall given to "the
market", an index's gain given to a stock); asked to render one chosen sentence, it rewrites one
place, and that place is what the bullet is checked against."""

from __future__ import annotations

from collections.abc import Sequence

from .figures import find_figures
from .normalize import Document
from .scopes import AHEAD_RE, CAUSE_RE, MOVE_RE, SAYS_RE, blames
from .script import cjk_count
from .segments import Segment, split_sentences

MIN_CJK = 10  # shorter sentences are datelines, captions and fragments
PER_PARAGRAPH = 2


def headline_source(doc: Document) -> Segment:
    """The title line if the article has one, else its first sentence."""
    if doc.title is not None:
        return doc.title
    first = doc.body[0]
    return next(iter(split_sentences(doc.text, first.start, first.end)), first)


def sentence_score(doc: Document, sent: Segment, paragraph: int, claim_spans: Sequence[Segment]) -> float:
    """How much a reader needs this sentence: the lead, a market move, a figure, a stated cause or
    someone's claim weigh most; a forecast and a sentence too long to render briefly weigh less."""
    simp = doc.simplified[sent.start : sent.end]
    figures = [f for f in find_figures(doc.text, sent.start, sent.end) if f.unit != "count"]
    score = 2.0 if paragraph == 0 else 1.0 if paragraph == 1 else 0.0
    score += 1.5 * bool(MOVE_RE.search(simp)) + min(len(figures), 2) * 0.75
    score += 1.0 * bool(CAUSE_RE.search(simp) or blames(simp)) + 0.5 * bool(SAYS_RE.search(simp))
    score += 1.5 * any(c.start < sent.end and sent.start < c.end for c in claim_spans)
    score -= 0.75 * bool(AHEAD_RE.search(simp)) + 0.75 * (len(sent.text) > 160)
    return score


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _alike(a: str, b: str) -> bool:
    x, y = _bigrams(a), _bigrams(b)
    return bool(x and y) and len(x & y) / min(len(x), len(y)) >= 0.6


def key_sentences(doc: Document, limit: int, claim_spans: Sequence[Segment] = ()) -> list[Segment]:
    """Up to `limit` sentences, in document order: the best-scored, at most two per paragraph, none
    that repeats the headline's sentence or one already chosen."""
    head = headline_source(doc)
    scored: list[tuple[float, int, Segment]] = []
    for i, para in enumerate(doc.body):
        for sent in split_sentences(doc.text, para.start, para.end):
            if cjk_count(sent.text) >= MIN_CJK and not (sent.start < head.end and head.start < sent.end):
                scored.append((sentence_score(doc, sent, i, claim_spans), i, sent))
    chosen: list[tuple[int, Segment]] = []
    for _, index, sent in sorted(scored, key=lambda t: (-t[0], t[2].start)):
        if len(chosen) == limit:
            break
        simp = doc.simplified[sent.start : sent.end]
        if sum(p == index for p, _ in chosen) >= PER_PARAGRAPH:
            continue
        if _alike(simp, doc.simplified[head.start : head.end]) or any(
            _alike(simp, doc.simplified[s.start : s.end]) for _, s in chosen
        ):
            continue
        chosen.append((index, sent))
    return sorted((s for _, s in chosen), key=lambda s: s.start)
