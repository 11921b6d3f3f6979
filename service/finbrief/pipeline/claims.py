"""Turning code-chosen candidates into verified cause claims with the model's narrow answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..model import answers
from ..model.prompts import PromptSet
from ..schemas import CauseClaim
from ..text import speakers
from ..text.candidates import Candidate, asks_about
from ..text.entities import name_mentions
from ..text.glossary import Glossary
from ..text.normalize import Document
from ..text.scopes import CAUSE_RE, HEDGE_RE, blames, label_hits
from ..text.script import to_simplified
from ..text.taxonomy import COVERS, other_kind

MAX_CLAIMANTS = 8


@dataclass
class ClaimQuestion:
    candidate: Candidate
    side: str  # "supported" | "rejected"
    labels: list[str]
    claimants: list[str]


def claimants_for(doc: Document, glossary: Glossary, cand: Candidate) -> list[str]:
    """'author' plus people/institutions named around the evidence, nearest first. The grammar
    makes these the only possible answers: the model cannot invent a claimant."""
    if cand.claim_anchor is not None:
        paras = [next((p for p in doc.body if p.start <= cand.claim_anchor.start < p.end), cand.claim_anchor)]
        start, end = paras[0].start, cand.claim_anchor.end
    else:
        paras = [p for p in doc.body if p.end <= cand.span.end][-2:] or [cand.paragraph or cand.span]
        start, end = min(p.start for p in paras), max(cand.span.end, *(p.end for p in paras))
    names = [
        (abs(m.start - cand.span.start), m.english)
        for m in name_mentions(doc, glossary, start, end)
        if m.type in ("person", "organization", "company")
    ]
    ordered = ["author"]
    for _, name in sorted(names):
        if name not in ordered:
            ordered.append(name)
    return ordered[: MAX_CLAIMANTS + 1]


def questions_for(doc: Document, glossary: Glossary, cand: Candidate) -> list[ClaimQuestion]:
    claimants = claimants_for(doc, glossary, cand)
    out = []
    if cand.supported:
        out.append(ClaimQuestion(cand, "supported", cand.supported, claimants))
    if cand.rejected:
        out.append(ClaimQuestion(cand, "rejected", cand.rejected, claimants))
    return out


def render_question(
    prompts: PromptSet, article: str, sentence: str, q: ClaimQuestion
) -> tuple[str, answers.JsonAnswer, int, str]:
    options = ", ".join(f'"{label}" ({COVERS[label]})' for label in q.labels)
    # "none" is offered unless code found the label's cue inside the denial itself.
    allow_none = q.side == "supported" or q.candidate.open
    if q.side == "rejected" and q.candidate.open:
        # Code found a denial about a cause, but no cue word inside it ("并非短线技术指标"): the
        # model names the kind of cause denied, or "none" when the sentence denies no cause.
        question = (
            "This sentence may DENY or DISMISS something as the cause of a market move "
            '("not X", "X has nothing to do with it", "rebutted the claim that X caused it"). '
            'Which kind of cause is denied, and who denies it? If it denies no cause, answer ["none"].'
        )
        options += ', or "none"'
    elif q.side == "rejected":
        # Code found the label's cue inside a negation ("而非…", "与…无关", "以上皆是 Bullshit"): the
        # question is only which denied cause and who denies it.
        question = (
            "This sentence DENIES or DISMISSES a cause of a market move. "
            "Which cause does it deny, and who denies it?"
        )
    else:
        question = 'Does it present a cause of a market move? If not, answer ["none"] as drivers.'
        options += ', or "none"'
    claimants = ", ".join(f'"{c}"' for c in q.claimants)
    # prompts/v1 asks inline (question and labels with their definitions); v2 names the task and the
    # choices only, its system prompt holding the rest (a shorter uncached tail per question).
    labels = ", ".join(f'"{label}"' for label in [*q.labels, *(["none"] if allow_none else [])])
    task = "DENIED CAUSE" if q.side == "rejected" else "CAUSE"
    if q.side == "rejected" and q.candidate.open:
        task += ' (answer ["none"] if it denies no cause)'
    user = prompts.render(
        "claim",
        article=article,
        sentence=sentence,
        options=options,
        claimants=claimants,
        question=question,
        labels=labels,
        task=task,
    )
    # An open question offers every label: one answer, or a small model names half the taxonomy.
    gram = answers.claim_answer(
        q.labels, q.claimants, allow_none=allow_none, max_drivers=1 if q.candidate.open else None
    )
    return user, gram, 90, f"claim:{q.side}"


def label_followups(
    doc: Document, pending: list[tuple[ClaimQuestion, dict[str, Any] | None]]
) -> list[tuple[ClaimQuestion, dict[str, Any], str]]:
    """(question, its answer, label) for each candidate label the model left out of a causal answer.

    A small model asked to pick the drivers of a sentence that names several ("关税和美联储长期
    维系高利率担忧") names one of them and stops. Once it has said the sentence does present a
    cause, each label it left out is asked about on its own: a narrower question than a pick
    from a list, though still yes-biased, hence the gate in `asks_about`."""
    out = []
    for q, answer in pending:
        named = drivers(answer)
        if q.side != "supported" or answer is None or not named or q.candidate.open:
            continue
        out += [
            (q, answer, label)
            for label in q.labels
            if label not in named and asks_about(doc, q.candidate, label)
        ]
    return out


def render_label_question(
    prompts: PromptSet, article: str, sentence: str, label: str
) -> tuple[str, answers.OneWord, int, str]:
    user = prompts.render(
        "claim_label", article=article, sentence=sentence, label=f'"{label}"', covers=COVERS[label]
    )
    return user, answers.yes_no_answer(), 1, "claim:label"  # one token: "yes" or "no"


def confirmed(
    followups: list[tuple[ClaimQuestion, dict[str, Any], str]], answers: list[dict[str, Any] | None]
) -> list[tuple[ClaimQuestion, dict[str, Any] | None]]:
    """The follow-up labels answered "yes", as answers of their original question naming only that
    label: claimant, what moved and direction are the sentence's, already given; build_claim
    validates them like any other answer (stance, verbatim evidence, English)."""
    return [
        (q, {**answer, "drivers": [label]})
        for (q, answer, label), reply in zip(followups, answers, strict=True)
        if reply is not None and reply.get("answer") == "yes"
    ]


def build_claim(
    doc: Document,
    glossary: Glossary,
    present: set[str],
    q: ClaimQuestion,
    answer: dict[str, Any] | None,
    counters: Counter[str],
) -> tuple[list[CauseClaim], list[str]]:
    """Validate one answer into claims (one per driver); ([], problems) when it cannot be stood behind.
    evidence_en is left empty: the translator fills it in, with its own checks, once per span."""
    labels = drivers(answer)
    if answer is None:
        return [], ["no parseable answer"]
    if not labels:
        return [], []
    stray = [label for label in labels if label not in q.labels]
    if stray:
        return [], [f"driver {stray[0]!r} is not one of the candidate's labels"]
    span = q.candidate.span
    claimant = str(answer.get("claimant")) if answer.get("claimant") in q.claimants else "author"
    # Who is quoted is grammar, read by code where the sentence names its speaker; the model's
    # answer stands only where it does not (see speakers.py).
    said_by = speakers.speaker(doc, glossary, q.candidate.claim_anchor or span, q.candidate.paragraph)
    if said_by in q.claimants:
        claimant = str(said_by)
    direction = answer.get("direction") if answer.get("direction") in ("down", "up", "volatile") else "down"
    moved = str(answer.get("moved", "")).strip()
    problems = (
        checks.evidence_verbatim(doc.text, span.text, span.start, span.end)
        + [
            p
            for label in labels
            for p in checks.stance_consistent(doc.simplified[span.start : span.end], q.side, label)
        ]
        + [p for label in labels for p in checks.label_known(label)]
        + checks.english_problems([moved], glossary, present)
    )
    if checks.record(counters, problems):
        return [], problems
    simp = doc.simplified[span.start : span.end]
    confidence = _confidence(q, simp, claimant)
    return (
        [
            CauseClaim(
                label=label,
                stance=q.side,
                claimant=claimant,
                moved=moved or "the market",
                direction=direction,
                evidence_zh=span.text,
                evidence_start=span.start,
                evidence_end=span.end,
                evidence_en="",
                confidence=confidence,
                note=(other_kind(simp) or "a driver outside the taxonomy") if label == "other" else None,
            )
            for label in labels
        ],
        [],
    )


def _confidence(q: ClaimQuestion, simp: str, claimant: str) -> float:
    """How sure a claim is, from what code knows of its sentence: one candidate label, a causal
    connective and a named claimant raise it; an open question and a hedge lower it."""
    confidence = 0.45 if q.candidate.open else 0.55  # an open question's label rests on the model alone
    confidence += 0.15 if len(q.labels) == 1 else 0.0
    confidence += 0.15 if CAUSE_RE.search(simp) else 0.0
    confidence += 0.1 if claimant != "author" else 0.0
    confidence -= 0.1 if HEDGE_RE.search(simp) else 0.0  # "may have", "is feared": the claim, less sure
    return round(min(confidence, 0.95), 2)


def drivers(answer: dict[str, Any] | None) -> list[str]:
    """The labels an answer names, without "none" and without repeats."""
    raw = answer.get("drivers") if answer else None
    if not isinstance(raw, list):
        return []
    return [str(x) for x in dict.fromkeys(raw) if x != "none"]


def uncontradicted(claims: list[CauseClaim]) -> list[CauseClaim]:
    """A voice that denies a cause is not also taken to support it: the denial was found by code in
    a negation scope, the support is only the model's yes, so the support goes (different voices
    may still disagree)."""
    denied = {(c.label, c.claimant) for c in claims if c.stance == "rejected"}
    return [c for c in claims if not (c.stance == "supported" and (c.label, c.claimant) in denied)]


def dedupe(claims: list[CauseClaim]) -> list[CauseClaim]:
    """One claim per (label, stance, claimant), the most confident, of the uncontradicted ones."""
    best: dict[tuple[str, str, str], CauseClaim] = {}
    for c in uncontradicted(claims):
        key = (c.label, c.stance, c.claimant)
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    return sorted(best.values(), key=lambda c: c.evidence_start)


def primary_cause(claims: list[CauseClaim], lead_end: int) -> str | None:
    """The label the headline or thesis advances: the most confident supported claim in the title or
    lead paragraph; failing that, the label with the most supported weight across the article,
    counting only explicit attributions ("…是主因", "真正原因") where there are any: naming the
    main cause outranks a cause merely implied ("引发", "拖累").

    Pass the claims before dedupe: a headline claim is often the less confident twin of the same
    label's claim further down, and dedupe would move it out of the lead."""
    supported = [c for c in uncontradicted(claims) if c.stance == "supported"]
    # The thesis is a cause the article names: a label its evidence never names is an open
    # question's guess (the attribution2 dev half: three wrong primaries from one), the thesis only
    # where nothing named supports a cause.
    supported = [c for c in supported if names_its_label(c)] or supported
    # The selling itself is the thesis only where the article argues the mechanics were the cause
    # (its lead blames them outright), or names no other driver behind it.
    argued = any(
        c.label == "positioning" and c.evidence_start < lead_end and blames(c.evidence_zh)
        for c in supported
    )
    drivers = [c for c in supported if c.label != "positioning"]
    supported = supported if argued else drivers or supported
    weight: dict[str, float] = {}
    for c in supported:
        weight[c.label] = weight.get(c.label, 0.0) + c.confidence
    lead = [c for c in supported if c.evidence_start < lead_end]
    if lead:
        # Two causes stated alike in the headline ("关税升级叠加降息预期降温"): the one the article
        # goes on to develop is its thesis.
        top = max(c.confidence for c in lead)
        tied = [c for c in lead if c.confidence == top]
        return max(tied, key=lambda c: (weight[c.label], -c.evidence_start)).label
    blamed = [c for c in supported if blames(c.evidence_zh)]
    scores: dict[str, float] = {}
    for c in blamed or supported:
        scores[c.label] = scores.get(c.label, 0.0) + c.confidence
    return max(scores, key=lambda k: scores[k]) if scores else None


def names_its_label(claim: CauseClaim) -> bool:
    """The claim's evidence holds a cue of its label (not so for an open question's answer)."""
    simp = to_simplified(claim.evidence_zh)
    return any(label == claim.label for label, _ in label_hits(simp, 0, len(simp)))
