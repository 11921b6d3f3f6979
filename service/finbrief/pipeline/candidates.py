"""Cause-claim candidates chosen by code, so evidence is verbatim by construction.

A candidate is a verbatim span of the received text plus the cause labels whose cues it contains,
split by stance: a cue inside a negation scope ("而非特朗普的关税政策", "与…无关", a list of
explanations followed by "以上皆是 Bullshit") is a *rejected* label, any other cue a *supported*
one. The model then only answers narrow questions about a candidate (is it a driver, who claims
it, what moved); it never copies spans and never decides polarity on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..normalize import Document
from ..taxonomy import LABELS
from ..textutil import Segment, split_sentences

# Negation cues whose scope runs to the end of the clause.
NEG_FORWARD_RE = re.compile(r"而非|而不是|并非|並非|不是|并不是|並不是|绝非|絕非|排除了?|否认|否認")
# "与/和 X 无关" - scope is X.
NEG_UNRELATED_RE = re.compile(r"[与與和跟][^，,。；;]{1,40}?(?:无关|無關|没有关系|沒有關係)")
# Blanket rejections of what was just listed.
NEG_BLANKET_RE = re.compile(
    r"(以上|上述|这些|這些)[^。；;]{0,8}(皆是|都是|均是|全是|皆为|都为)?[^。；;]{0,6}"
    r"(Bullshit|bullshit|噪音|胡扯|扯淡|无稽之谈|無稽之談|借口|藉口)|皆是\s*Bullshit"
)
CLAUSE_END_RE = re.compile(r"[，,。；;！？!?]")
# Words that make a sentence about a market move or its cause.
MOVE_RE = re.compile(
    r"暴跌|大跌|下跌|跌幅|下挫|重挫|崩盘|崩盤|抛售|拋售|回调|回調|回落|见顶|見頂|跳水|蒸发|蒸發|收跌|走低|"
    r"上涨|上漲|大涨|飙升|飆升|反弹|反彈|走高|波动|波動|震荡|震盪|熊市|牛市|跌|涨|漲"
)
CAUSE_RE = re.compile(
    r"导致|導致|引发|引發|触发|觸發|由于|由於|因为|因為|原因|拖累|冲击|衝擊|造成|推动|推動|驱动|"
    r"驅動|归咎|歸咎|罪魁|真凶|真兇|元凶|主因|受.{1,20}影响|受.{1,20}影響|担忧|擔憂|恐慌|所致|"
    # Verbs that make something a force on prices ("加剧了跌势", "推升殖利率", "只是导火线").
    r"加剧|加劇|加重|推升|推高|压低|壓低|打压|打壓|施压|施壓|引爆|导火线|導火線|催化剂|催化劑|促使"
)
# Explicit attribution: the sentence names a culprit ("blamed on", "the real culprit", "the main
# reason"), which is a stronger sign of a cause claim than a consequence connective like 引发.
BLAME_RE = re.compile(
    r"归咎|歸咎|罪魁|祸首|禍首|真凶|真兇|元凶|元兇|主因|主要原因|根本原因|核心原因|原因在于|原因在於|"
    r"起源在于|起源在於|主要是由于|主要是由於|主要因为|主要因為|真正原因|真正的原因|借口|藉口"
)
# Reported speech: a cause claim is someone's claim, and the claims worth labelling are attributed.
SAYS_RE = re.compile(
    r"表示|认为|認為|指出|强调|強調|警告|写道|寫道|看来|看來|分析师|分析師|策略师|策略師|[说說称稱]"
)
# Forward-looking hedges describe risks to come, not what moved the market.
AHEAD_RE = re.compile(r"未来|未來|将会|將會|可能会|可能會|或将|或將|展望")

# Words after which a label's cue names something else: "国债收益率" is a bond yield, a market price
# (the move, or rates), not deficits or debt supply.
_NOT_A_CUE_BEFORE: dict[str, str] = {"fiscal_policy": "收益率|殖利率|利率"}
# One pattern per label, compiled once: Latin cues ("AI", "Fed") must be whole words.
_LABEL_PATTERNS = [
    (
        info.id,
        re.compile(
            "(?:"
            + "|".join(
                re.escape(c) if not c.isascii() else rf"(?<![A-Za-z]){re.escape(c)}(?![A-Za-z])"
                for c in sorted(info.cues, key=len, reverse=True)
            )
            + ")"
            + (f"(?!{_NOT_A_CUE_BEFORE[info.id]})" if info.id in _NOT_A_CUE_BEFORE else "")
        ),
    )
    for info in LABELS
    if info.cues
]
_PATTERN_OF: dict[str, re.Pattern[str]] = dict(_LABEL_PATTERNS)


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


def negation_scopes(simp: str, start: int, end: int) -> list[tuple[int, int]]:
    scopes = []
    for m in NEG_FORWARD_RE.finditer(simp, start, end):
        stop = CLAUSE_END_RE.search(simp, m.end(), end)
        scopes.append((m.start(), stop.start() if stop else end))
    for m in NEG_UNRELATED_RE.finditer(simp, start, end):
        scopes.append((m.start(), m.end()))
    return scopes


def label_hits(simp: str, start: int, end: int) -> list[tuple[str, int]]:
    return [(label, m.start()) for label, rx in _LABEL_PATTERNS for m in rx.finditer(simp, start, end)]


# A cue just before one of these names the stocks that moved ("人工智能概念股", "AI服务器概念股").
_SECTOR_RE = re.compile(r"[^，,。；;\s]{0,4}?(?:概念股|概念|板块|类股|相关股)")


def asks_about(doc: Document, cand: Candidate, label: str) -> bool:
    """Whether a label the model left out of a sentence's drivers deserves its own yes/no question
    (pipeline/claims.label_followups): a small model says yes too easily, so only where the label
    has a cue that names a cause, in a sentence about what happened, not about what may come."""
    simp, start, end = doc.simplified, cand.span.start, cand.span.end
    rx = _PATTERN_OF.get(label)
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
    supported: list[str] = []
    rejected: list[str] = []
    for label, pos in label_hits(simp, seg.start, seg.end):
        negated = blanket or any(a <= pos < b for a, b in scopes)
        bucket = rejected if negated else supported
        if label not in bucket:
            bucket.append(label)
    return supported, rejected


def find_candidates(doc: Document, limit: int) -> list[Candidate]:
    simp = doc.simplified
    out: list[Candidate] = []
    units = doc.body if doc.title is None else [doc.title, *doc.body]
    lead_end = units[1].end if len(units) > 1 else units[0].end
    for para in units:
        sentences = split_sentences(doc.text, para.start, para.end)
        for sent in sentences:
            s_simp = simp[sent.start : sent.end]
            supported, rejected = _classify(simp, sent, blanket=False)
            if not (supported or rejected):
                continue
            moves, causes = bool(MOVE_RE.search(s_simp)), bool(CAUSE_RE.search(s_simp))
            negated = bool(rejected)
            if not (moves or causes or negated):
                continue
            score = claim_score(s_simp, moves, causes, negated, lead=sent.end <= lead_end)
            score += 0.2 * min(len(supported) + len(rejected), 3)
            out.append(Candidate(sent, supported, rejected, score, para))
    out.extend(_blanket_candidates(doc))
    # Keep the best, then restore document order (map steps walk the article front to back).
    return sorted(select(doc, out, limit), key=lambda c: c.span.start)


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
    return not AHEAD_RE.search(text) and bool(CAUSE_RE.search(text) or BLAME_RE.search(text))


def claim_score(sentence: str, moves: bool, causes: bool, negated: bool, *, lead: bool) -> float:
    """How likely a sentence is to carry a cause claim. Negation and the lead weigh most: a denied
    cause is rare and always worth a label, and the lead states the article's thesis."""
    score = 1.0 + moves + 1.5 * causes + 2.0 * negated + (1.5 if lead else 0.0)
    score += 1.0 if BLAME_RE.search(sentence) else 0.0
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
            stop = re.compile(r"[。！？!?]").search(doc.text, m.end(), para.end)
            if stop:
                end = stop.end()
            span = Segment(item.start, end, doc.text[item.start : end])
            anchor = Segment(m.start(), end, doc.text[m.start() : end])
            out.append(Candidate(span, [], rejected, 5.0, item, claim_anchor=anchor))
    return out
