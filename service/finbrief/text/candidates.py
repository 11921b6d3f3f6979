"""Cause-claim candidates chosen by code, so evidence is verbatim by construction.

A candidate is a verbatim span of the received text plus the cause labels whose cues it contains,
split by stance: a cue inside a negation scope ("而非特朗普的关税政策", "与…无关", a list of
explanations followed by "以上皆是 Bullshit") is a *rejected* label, any other cue a *supported*
one. The model then only answers narrow questions about a candidate (is it a driver, who claims
it, what moved); it never copies spans and never decides polarity on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .normalize import Document
from .scopes import (
    AHEAD_RE,
    CAUSE_RE,
    CLAUSE_END_RE,
    DENIES_A_CAUSE_RE,
    DENIES_A_REPORT_RE,
    MOVE_RE,
    NEG_BLANKET_RE,
    PATTERN_OF,
    SAYS_RE,
    blames,
    concessive_scopes,
    label_hits,
    negation_scopes,
)
from .segments import Segment, split_sentences
from .taxonomy import CLOSED_VOCABULARY, LABEL_IDS, OPEN_CHOICES, REPORT_CUES


@dataclass
class Candidate:
    span: Segment  # verbatim evidence, offsets into the received text
    supported: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    score: float = 0.0
    paragraph: Segment | None = None
    # For a blanket rejection, the rejecting sentence: its speaker is the claimant, not the people
    # named in the rejected explanations.
    claim_anchor: Segment | None = None
    # An open question: a reason (or a denied reason) with no cue word for any label; the labels that
    # can be argued without their cue words are the choices (taxonomy.OPEN_CHOICES), "none" too.
    open: bool = False


_SENTENCE_END_RE = re.compile(r"[。！？!?]")
# A cue just before one of these names the stocks that moved ("人工智能概念股", "AI服务器概念股").
_SECTOR_RE = re.compile(r"[^，,。；;\s]{0,4}?(?:概念股|概念|板块|类股|相关股)")


def asks_about(doc: Document, cand: Candidate, label: str) -> bool:
    """Whether a label the model left out of a sentence's drivers deserves its own yes/no question
    (pipeline/claims.label_followups): a small model says yes too easily, so only where the label
    has a cue that names a cause, in a sentence about what happened, not about what may come."""
    simp, start, end = doc.simplified, cand.span.start, cand.span.end
    rx = PATTERN_OF.get(label)
    for m in rx.finditer(simp, start, end) if rx else ():
        is_move = MOVE_RE.fullmatch(m.group())  # "抛售" is the sell-off itself
        sector = _SECTOR_RE.match(simp, m.end(), end)
        clause_start = max(simp.rfind(p, start, m.start()) for p in "，,；;") + 1  # rfind: -1 if none
        clause_end = CLAUSE_END_RE.search(simp, m.end(), end)
        clause = simp[max(clause_start, start) : clause_end.start() if clause_end else end]
        if not (is_move or sector or AHEAD_RE.search(clause)):
            return True
    return False


def _classify(simp: str, seg: Segment, blanket: bool) -> tuple[list[str], list[str]]:
    scopes = negation_scopes(simp, seg.start, seg.end)
    conceded = concessive_scopes(simp, seg.start, seg.end)
    supported: list[str] = []
    rejected: list[str] = []
    for label, pos in label_hits(simp, seg.start, seg.end):
        if not blanket and any(a <= pos < b for a, b in conceded):
            continue  # "即使美联储降息了，也未能…": not what moved it
        negated = blanket or any(a <= pos < b for a, b in scopes)
        bucket = rejected if negated else supported
        if label not in bucket:
            bucket.append(label)
    return supported, rejected


def _rather(simp: str, sent: Segment) -> set[str]:
    """Labels named as the real cause after 而是 ("并非X，而是Y"). Denied in X too, the label is a
    contrast within one cause, not a denial of it: "并非『人造衰退』，而是货真价实的『停滞性衰退』"
    argues a recession. (A label denied and then discussed, "与降息预期无关，市场对降息的押注没有
    变化", stays denied: no 而是 names it.)"""
    m = re.search("而是", simp[sent.start : sent.end])
    return {label for label, _ in label_hits(simp, sent.start + m.end(), sent.end)} if m else set()


def find_candidates(doc: Document, limit: int, *, open_denials: bool = False) -> list[Candidate]:
    simp = doc.simplified
    out: list[Candidate] = []
    units = doc.units
    lead_end = units[1].end if len(units) > 1 else units[0].end
    for para in units:
        sentences = split_sentences(doc.text, para.start, para.end)
        for sent in sentences:
            s_simp = simp[sent.start : sent.end]
            supported, denied = _classify(simp, sent, blanket=False)
            rejected = [label for label in denied if label not in _rather(simp, sent)]
            if not (supported or rejected):
                continue
            moves, causes = bool(MOVE_RE.search(s_simp)), bool(CAUSE_RE.search(s_simp))
            negated = bool(denied)
            if not (moves or causes or negated):
                continue
            score = claim_score(s_simp, moves, causes, negated, lead=sent.end <= lead_end)
            score += 0.2 * min(len(supported) + len(rejected), 3)
            out.append(Candidate(sent, supported, rejected, score, para))
    out.extend(_blanket_candidates(doc))
    out.extend(_report_denials(doc))
    # Keep the best, then restore document order (map steps walk the article front to back).
    chosen = select(doc, out, limit) + open_candidates(doc, out)
    chosen += open_denied_causes(doc) if open_denials else []
    return sorted(chosen, key=lambda c: c.span.start)


MAX_OPEN = 2


def open_candidates(doc: Document, found: list[Candidate]) -> list[Candidate]:
    """Where a paragraph reports a market move and gives a reason for it ("原因是…", "受…影响") but no
    cue word gave it a candidate, that reason's sentence is asked about openly, every label a choice
    and "none" allowed: a cause the cue lists lack then costs recall on one label, not the whole
    claims list. A paragraph whose only candidates are denials still counts as uncovered: "主要受到
    日本市场影响，并反驳了有关格陵兰岛问题导致…的说法" gives its driver without a cue word. Lead first,
    at most MAX_OPEN."""
    simp, out = doc.simplified, list[Candidate]()
    counts = _named_counts(simp)  # once per article: the choices' order and its most-named label
    covered = {c.paragraph.start for c in found if c.paragraph is not None and c.supported}
    paras = doc.units
    for idx, para in enumerate(paras):
        if len(out) == MAX_OPEN:
            break
        if para.start in covered or not MOVE_RE.search(simp, para.start, para.end):
            continue
        reasons = [
            s
            for s in split_sentences(doc.text, para.start, para.end)
            if (CAUSE_RE.search(simp[s.start : s.end]) or blames(simp, s.start, s.end))
            and not AHEAD_RE.search(simp[s.start : s.end])
        ]
        # the reason given with the move itself first ("受…影响，指数下跌1.3%")
        reasons.sort(key=lambda s: not MOVE_RE.search(simp, s.start, s.end))
        if reasons:
            # not a label the sentence itself denies ("X对市场的冲击有限，美股仍收涨")
            _, denied = _classify(simp, reasons[0], blanket=False)
            # the news a market reacts to is often told in the paragraph before ("消息一出，美股应声大涨")
            named = Segment(paras[idx - 1].start, para.end, "") if idx else para
            # ... or anywhere in an article about it: its most-named label is always a choice
            top = [label for label, _ in counts.most_common(1)]
            choices = [label for label in {*open_choices(simp, named), *top} if label not in denied]
            out.append(Candidate(reasons[0], by_salience(choices, counts), [], 1.0, para, open=True))
    return out


def open_denied_causes(doc: Document) -> list[Candidate]:
    """A sentence that denies a cause no cue list knows ("并非短线技术指标", "从不是因为'涨太高'",
    "完全未反映经济基本面", "反驳了有关格陵兰岛问题导致…的说法"): code finds the denial and its scope,
    the model names the denied cause from the open choices or answers "none". Only a denial about a
    cause (DENIES_A_CAUSE_RE or a cause connective), outside a forecast, in a paragraph that reports a
    move. A label the same sentence supports by its cues is not offered: one voice does not deny what it
    just gave as the cause ("主要是因为流动性偏低，而非源自…特定事件"). Lead first, at most MAX_OPEN."""
    simp, out = doc.simplified, list[Candidate]()
    counts = _named_counts(simp)
    for para in doc.units:
        if not MOVE_RE.search(simp, para.start, para.end):
            continue
        for sent in split_sentences(doc.text, para.start, para.end):
            s_simp = simp[sent.start : sent.end]
            if len(out) == MAX_OPEN or AHEAD_RE.search(s_simp):
                continue
            # the denied thing is a cause: a denial that can only be about one, or a cause inside it
            # ("从不是因为…"); "回应不是喝彩" denies no cause
            denied_causes = [
                (a, b)
                for a, b in negation_scopes(simp, sent.start, sent.end)
                if not label_hits(simp, a, b)
                and (any(rx.search(simp, a, b) for rx in (DENIES_A_CAUSE_RE, CAUSE_RE)) or blames(simp, a, b))
            ]
            if not denied_causes:
                continue
            supported, _ = _classify(simp, sent, blanket=False)
            choices = [label for label in open_choices(simp, para) if label not in supported]
            out.append(Candidate(sent, [], by_salience(choices, counts), 1.0, para, open=True))
    return out


def by_salience(labels: list[str], counts: Counter[str]) -> list[str]:
    """An open question's choices, the labels the article names most first. A small model leans to
    the first choice it is shown (on the attribution2 dev half, 3 of 4 open questions answered the
    first-listed "liquidity", all wrong); the article's own subject is the better first guess."""
    return sorted(labels, key=lambda label: (-counts[label], LABEL_IDS.index(label)))


def _named_counts(simp: str) -> Counter[str]:
    """How often the article names each label (a denied cause is named too)."""
    return Counter(label for label, _ in label_hits(simp, 0, len(simp)))


def open_choices(simp: str, para: Segment) -> list[str]:
    """An open question's labels: those that can be argued without their cue words, plus each policy
    domain the paragraph names ("导火线来自川普的贴文" after a paragraph on tariffs can be trade policy;
    a paragraph on game regulation cannot be monetary policy)."""
    named = {label for label, _ in label_hits(simp, para.start, para.end)} & CLOSED_VOCABULARY
    return [label for label in LABEL_IDS if label in OPEN_CHOICES or label in named]


def select(doc: Document, candidates: list[Candidate], limit: int) -> list[Candidate]:
    """The `limit` best candidates, with every cause the article argues in a causal sentence given
    a question: first the best such candidate of each label, then the rest by score. By score
    alone, a long article that dwells on one cause spends every slot on it (seed 002: 16 tariff
    and deficit sentences, none of its AI or bubble paragraphs)."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    chosen: list[Candidate] = []
    covered: set[str] = set()
    for cand in ranked:
        labels = {*cand.supported, *cand.rejected}
        if len(chosen) < limit and labels - covered and _states_cause(doc, cand):
            chosen.append(cand)
            covered |= labels
    taken = {id(c) for c in chosen}
    chosen += [c for c in ranked if id(c) not in taken][: limit - len(chosen)]
    return chosen


def _states_cause(doc: Document, cand: Candidate) -> bool:
    """A cause connective or a negation, outside a forecast: the sentence gives a reason for what
    happened, not just a cue word near a move."""
    if cand.rejected:
        return True
    text = doc.simplified[cand.span.start : cand.span.end]
    # a forecast is not a reason for what happened
    return not AHEAD_RE.search(text) and bool(CAUSE_RE.search(text) or blames(text))


def claim_score(sentence: str, moves: bool, causes: bool, negated: bool, *, lead: bool) -> float:
    """How likely a sentence is to carry a cause claim. Negation and the lead weigh most: a denied
    cause is rare and always worth a label, and the lead states the article's thesis."""
    score = 1.0 + moves + 1.5 * causes + 2.0 * negated + (1.5 if lead else 0.0)
    score += 1.0 if blames(sentence) else 0.0
    score += 0.5 if SAYS_RE.search(sentence) else 0.0
    score -= 0.5 if AHEAD_RE.search(sentence) else 0.0
    return score


def _blanket_candidates(doc: Document) -> list[Candidate]:
    """ "Explanations A, B, C ... I think all of the above is nonsense": each listed item becomes a
    rejected candidate whose evidence runs from the item through the rejecting sentence."""
    simp, out = doc.simplified, []
    taken: set[tuple[int, str]] = set()
    for idx, para in enumerate(doc.body):
        m = NEG_BLANKET_RE.search(simp, para.start, para.end)
        if not m:
            continue
        items = doc.body[max(0, idx - 5) : idx]
        for item in items:
            _, rejected = _classify(simp, item, blanket=True)
            rejected = [label for label in rejected if (item.start, label) not in taken]
            if not rejected:
                continue
            taken.update((item.start, label) for label in rejected)
            end = para.end
            stop = _SENTENCE_END_RE.search(doc.text, m.end(), para.end)
            if stop:
                end = stop.end()
            span = Segment(item.start, end, doc.text[item.start : end])
            anchor = Segment(m.start(), end, doc.text[m.start() : end])
            out.append(Candidate(span, [], rejected, 5.0, item, claim_anchor=anchor))
    return out


def _report_denials(doc: Document) -> list[Candidate]:
    """ "A report said X; the company called that nonsense": the labels the report names are rejected
    by the denier. The report is what comes before the denial in its paragraph, or, where that names
    no cause, the paragraph before. Evidence runs from the report through the denying sentence."""
    simp, out = doc.simplified, []
    paras = doc.units
    for idx, para in enumerate(paras):
        m = DENIES_A_REPORT_RE.search(simp, para.start, para.end)
        if not m:
            continue
        start = para.start
        rejected = _named(simp, start, m.start(), but_not=REPORT_CUES)
        if not rejected and idx > 0:
            start = paras[idx - 1].start
            rejected = _named(simp, start, paras[idx - 1].end, but_not=REPORT_CUES)
        if not rejected and _denies_hearsay(simp, m):
            # A rumour whose content names no cause ("有关正荣的传闻不实"): the rumour itself, the
            # `other` driver the article reports, is what the denier rejects.
            start, rejected = para.start, ["other"]
        if not rejected:
            continue
        stop = _SENTENCE_END_RE.search(doc.text, m.end(), para.end)
        end = stop.end() if stop else para.end
        said = max(doc.text.rfind(p, para.start, m.start()) for p in "。！？!?") + 1  # -1 if none
        anchor = Segment(max(said, para.start), end, doc.text[max(said, para.start) : end])
        span = Segment(start, end, doc.text[start:end])
        out.append(Candidate(span, [], rejected, 5.0, para, claim_anchor=anchor))
    return out


def _denies_hearsay(simp: str, denial: re.Match[str]) -> bool:
    """The denial is of a rumour (传闻, 谣言 …) in an article about a market move."""
    hearsay = any(cue in denial.group() for cue in (*REPORT_CUES, "谣传", "不实信息"))
    return hearsay and bool(MOVE_RE.search(simp))


def _named(simp: str, start: int, end: int, but_not: tuple[str, ...] = ()) -> list[str]:
    """The labels whose cues simp[start:end] holds, leaving out hits on the words `but_not`."""
    hits = label_hits(simp, start, end)
    return list(dict.fromkeys(label for label, at in hits if not simp.startswith(but_not, at)))
