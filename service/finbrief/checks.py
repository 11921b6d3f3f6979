"""Faithfulness checks. Each is a small pure function returning the problems it found (empty = pass)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .glossary import Glossary
from .pipeline.candidates import NEG_BLANKET_RE, NEG_FORWARD_RE, NEG_UNRELATED_RE
from .taxonomy import LABEL_IDS
from .textutil import CJK_RE


def leftover_chinese(english: str) -> list[str]:
    return (
        [f"Chinese characters in English text: {''.join(CJK_RE.findall(english))[:20]}"]
        if CJK_RE.search(english)
        else []
    )


def unsupported_names(english: str, glossary: Glossary, present: set[str]) -> list[str]:
    """Known people the source does not mention must not appear in the English (the "Janet Yellen"
    failure: a real person, confidently wrong). `present` = English names of glossary terms found in
    the source. A surname counts, unless it is also part of a present name."""
    problems = []
    present_words = {w for name in present for w in name.split()}
    for term in glossary.terms:
        if term.type != "person" or term.english in present:
            continue
        surname = term.english.split()[-1]
        if surname in present_words:
            continue
        if re.search(rf"(?<![A-Za-z]){re.escape(surname)}(?![A-Za-z])", english):
            problems.append(f"names {term.english}, who is not in the article")
    return problems


def evidence_verbatim(text: str, zh: str, start: int, end: int) -> list[str]:
    if 0 <= start < end <= len(text) and text[start:end] == zh:
        return []
    return [f"evidence is not the verbatim span text[{start}:{end}]"]


def stance_consistent(simplified_evidence: str, stance: str) -> list[str]:
    negated = any(rx.search(simplified_evidence) for rx in (NEG_FORWARD_RE, NEG_UNRELATED_RE, NEG_BLANKET_RE))
    if stance == "rejected" and not negated:
        return ["a rejected claim's evidence has no negating cue"]
    return []


def label_known(label: str) -> list[str]:
    return [] if label in LABEL_IDS else [f"label {label!r} is not in the taxonomy"]


def english_problems(texts: Iterable[str], glossary: Glossary, present: set[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out += leftover_chinese(t) + unsupported_names(t, glossary, present)
    return out
