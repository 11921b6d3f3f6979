"""Checks on cause claims and on English that states causes: verbatim evidence, stance against the
negation scopes, known labels, no rejected or unattested cause stated as one."""

from __future__ import annotations

import re

from ..text.scopes import DENIES_A_REPORT_RE, NEG_BLANKET_RE, label_hits, negation_scopes
from ..text.taxonomy import EN_CUES, LABEL_IDS


def evidence_verbatim(text: str, zh: str, start: int, end: int) -> list[str]:
    if 0 <= start < end <= len(text) and text[start:end] == zh:
        return []
    return [f"evidence is not the verbatim span text[{start}:{end}]"]


def stance_consistent(simplified_evidence: str, stance: str, label: str | None = None) -> list[str]:
    """A rejected claim's evidence carries a negating cue; a supported claim's label is named outside
    every negation scope ("是关税，而非AI" supports trade_policy and cannot support ai_disruption)."""
    negated = bool(negation_scopes(simplified_evidence, 0, len(simplified_evidence))) or any(
        rx.search(simplified_evidence) for rx in (NEG_BLANKET_RE, DENIES_A_REPORT_RE)
    )
    if stance == "rejected" and not negated:
        return ["a rejected claim's evidence has no negating cue"]
    if stance == "supported" and label is not None:
        scopes = negation_scopes(simplified_evidence, 0, len(simplified_evidence))
        hits = [
            pos for lab, pos in label_hits(simplified_evidence, 0, len(simplified_evidence)) if lab == label
        ]
        if hits and all(any(a <= pos < b for a, b in scopes) for pos in hits):
            return [f"a supported claim's evidence negates {label}"]
    return []


def label_known(label: str) -> list[str]:
    return [] if label in LABEL_IDS else [f"label {label!r} is not in the taxonomy"]


EN_CAUSAL = re.compile(
    r"caus|due to|driven by|drove|trigger|led to|because|blame|result of|spark|fuel|push(?:ed|ing)?\b|"
    # what lifts a market is a cause too ("boosting stock prices"); not "lift", which also says a
    # rule was lifted
    r"boost(?:s|ed|ing)?\b|buoy(?:s|ed|ing)?\b|spurr?(?:s|ed|ing)?\b|"
    r"weigh(?:ed|s|ing)? on|dragg?(?:ed|ing)?\b|on (?:fears|worries|concerns) (?:of|about|over|that)",
    re.I,
)
EN_NEGATION = re.compile(
    r"\bnot\b|n't|rather than|instead of|\bno\b|unrelated|den(y|ied|ies)|dismiss|reject|never", re.I
)


def contradicts_rejections(english: str, rejected_labels: set[str]) -> list[str]:
    """A sentence that presents, without any negation, a cause the article explicitly rejects (the
    "dropped 'rather than Trump's tariffs'" failure). Only labels that no claim supports are passed in."""
    if not EN_CAUSAL.search(english) or EN_NEGATION.search(english):
        return []
    return [
        f"states {label} as a cause, but the article rejects it"
        for label in sorted(rejected_labels)
        if label in EN_CUES and EN_CUES[label].search(english)
    ]


# Events a model adds as background ("…under pressure due to the ongoing pandemic"): English cue,
# and the Chinese that must be in the source for the English to say it.
EN_EVENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "pandemic": (
        re.compile(r"pandemic|COVID|coronavirus|epidemic", re.I),
        re.compile(r"疫情|新冠|肺炎|病毒|流行病"),
    ),
    "war": (
        # not a trade, price or currency war (贸易战 is trade policy, checked by its label)
        re.compile(r"(?<!trade )(?<!price )(?<!currency )\bwars?\b|invasion|military conflict", re.I),
        re.compile(r"战争|战事|冲突|入侵|开战|军事"),
    ),
    "election": (re.compile(r"election", re.I), re.compile(r"选举|大选|竞选|选情|投票")),
    "natural disaster": (
        re.compile(r"earthquake|hurricane|typhoon|flood", re.I),
        re.compile(r"地震|飓风|台风|洪水|水灾"),
    ),
}


def causes_attested(simplified_zh: str, english: str, *, labels: bool = True) -> list[str]:
    """A sentence that gives a cause ("due to", "driven by") may only give one the source names: a
    cause label whose Chinese cues the source lacks, or an event it never mentions, was added.
    `labels=False` checks events only: one sentence is too little source for the broad English label
    cues (低息日元 is rendered "low interest rate yen", but 低息 is no monetary-policy cue)."""
    if not EN_CAUSAL.search(english):
        return []
    present = {label for label, _ in label_hits(simplified_zh, 0, len(simplified_zh))} if labels else set()
    out = [
        f"cause not in the source: {m.group()!r}"
        for label, rx in EN_CUES.items()
        if labels and label not in present and (m := rx.search(english))
    ]
    out += [
        f"cause not in the source: {m.group()!r}"
        for en_rx, zh_rx in EN_EVENTS.values()
        if (m := en_rx.search(english)) and not zh_rx.search(simplified_zh)
    ]
    return out
