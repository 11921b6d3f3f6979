"""Whose figure is it: a percentage or a point move in the English belongs to the subject the span
gives it ("腾讯跌12.35%，网易跌22.56%" is not "NetEase fell 12.35%"; "日圆兑美元下跌1.4%" is not "the
dollar fell 1.4%"). Every word of such a sentence is in the source, so only reading who the figure
is attached to catches it.

Lenient by design: it speaks only when both sides name a subject for the same, unambiguous figure,
the subjects differ, and the English never names the span's subject before the figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..text.glossary import Glossary

# Names that can carry a move. Places are left out: they are mostly adjectives ("日本股市", "Japanese
# stocks"), and a market named by its place is not a wrong subject.
_SUBJECT_TYPES = ("person", "organization", "company", "index", "product")

# Currencies, which the glossary does not list: (English name, Chinese, English pattern).
_CURRENCIES: tuple[tuple[str, str, str], ...] = (
    ("yen", "日元|日圆|日币", r"\byen\b"),
    ("euro", "欧元", r"\beuros?\b"),
    ("yuan", "人民币", r"\byuan\b|\brenminbi\b"),
    ("NT dollar", "新台币|台币", r"Taiwan(?:ese)? dollars?|NT\$"),
    ("HK dollar", "港元|港币", r"Hong Kong dollars?|HK\$"),
    ("US dollar", "美元", r"(?<!Taiwan )(?<!Taiwanese )(?<!Kong )\b(?:US )?dollars?\b|\bgreenback\b"),
)

# A figure: a percentage or index points, in each language.
_ZH_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|％|个百分点|点)")
_EN_FIGURE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|points?\b)", re.I)
# A name right after these is the other side of a quote or a comparison, not the subject.
# (also a list of them: "日元兑欧元、美元和澳币分别下跌")
_ZH_COUNTER = re.compile(r"[兑对較较比](?:[^，,。；;\d\s]{1,6}[、和及与])*\s*$")
_EN_COUNTER = re.compile(
    r"\b(?:against|versus|vs\.?|relative to|compared (?:with|to)|per|than)\s+(?:the\s+)?$", re.I
)
_ZH_SENTENCE_END = re.compile(r"[。！？；;!?]")
_EN_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")


@dataclass(frozen=True)
class Subject:
    english: str
    zh_at: tuple[int, ...]  # where the span names it
    en_rx: re.Pattern[str]  # how English names it
    kind: str = "currency"  # the glossary type, or "currency"


# The market as a whole: one company's or person's figure given to it is given to the wrong subject.
_EN_MARKET = re.compile(r"\b(?:the market|markets?|stocks|equities|bourses?|the index)\b", re.I)


def _english_pattern(english: str, kind: str) -> re.Pattern[str]:
    """The full name, or the short form English uses: a person's surname ("Trump"), a company's or
    index's first word ("Nasdaq", "Dow")."""
    words = english.split()
    short = words[-1] if kind == "person" else words[0]
    alts = [re.escape(english)] + ([re.escape(short)] if len(words) > 1 and len(short) >= 3 else [])
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(alts) + r")(?![A-Za-z])", re.I)


def span_subjects(span_zh: str, glossary: Glossary) -> list[Subject]:
    at: dict[tuple[str, str], list[int]] = {}  # (English name, glossary type) -> where the span names it
    for hit in glossary.find(span_zh):
        if hit.term.type in _SUBJECT_TYPES:
            at.setdefault((hit.term.english, str(hit.term.type)), []).append(hit.start)
    out = [Subject(name, tuple(pos), _english_pattern(name, kind), kind) for (name, kind), pos in at.items()]
    for name, zh, en in _CURRENCIES:
        pos = tuple(m.start() for m in re.finditer(zh, span_zh))
        if pos:
            out.append(Subject(name, pos, re.compile(en, re.I)))
    return out


def _zh_subject(span_zh: str, at: int, subjects: list[Subject]) -> Subject | None:
    """The name nearest before the figure in its sentence, the counter side of a quote skipped."""
    start = max((m.end() for m in _ZH_SENTENCE_END.finditer(span_zh, 0, at)), default=0)
    named = [
        (pos, s)
        for s in subjects
        for pos in s.zh_at
        if start <= pos < at and not _ZH_COUNTER.search(span_zh[max(start, pos - 16) : pos])
    ]
    return max(named, key=lambda x: x[0])[1] if named else None


# "890 points on the Dow", "a 4% increase in the value of the yen": the subject after the figure.
_EN_AFTER = re.compile(
    r"\s*(?:(?:increase|decrease|rise|fall|drop|gain|decline|jump|loss|surge|plunge|slide|rally|move|"
    r"change|value|price|prices|shares|the|a|an|in|on|of|for|by)\s+){1,6}",
    re.I,
)


_EN_ADJECTIVE = re.compile(r"[A-Z][a-z]+\s+")  # "the Japanese yen"


def _en_subject(english: str, figure: re.Match[str], subjects: list[Subject]) -> tuple[Subject | None, str]:
    """The name the English attaches the figure to: named just after it through a preposition, or
    else the nearest before it in its sentence (the counter side of a comparison skipped)."""
    after = _EN_AFTER.match(english, figure.end())
    if after:
        adjective = _EN_ADJECTIVE.match(english, after.end())
        name_at = [after.end()] + ([adjective.end()] if adjective else [])
        for s in subjects:
            if any(s.en_rx.match(english, pos) for pos in name_at):
                return s, english[: figure.start()]
    at = figure.start()
    start = max((m.end() for m in _EN_SENTENCE_END.finditer(english, 0, at)), default=0)
    before = english[start:at]
    named = [
        (m.start(), s)
        for s in subjects
        for m in s.en_rx.finditer(before)
        if not _EN_COUNTER.search(before[: m.start()])
    ]
    return (max(named, key=lambda x: x[0])[1] if named else None), before


def figure_subject_kept(span_zh: str, english: str, glossary: Glossary) -> list[str]:
    subjects = span_subjects(span_zh, glossary)
    if not subjects:
        return []
    zh_figures = [(Decimal(m.group(1)), m.start()) for m in _ZH_FIGURE.finditer(span_zh)]
    out = []
    for m in _EN_FIGURE.finditer(english):
        value = Decimal(m.group(1).replace(",", ""))
        places = [pos for v, pos in zh_figures if v == value]
        if len(places) != 1:  # absent (another check's business) or ambiguous
            continue
        theirs = _zh_subject(span_zh, places[0], subjects)
        ours, before = _en_subject(english, m, subjects)
        if theirs is None or ours == theirs or theirs.en_rx.search(before):
            continue
        if ours is None:
            # no name on the English side: wrong only where it gives a company's figure to the market
            market = _EN_MARKET.search(before)
            if theirs.kind not in ("company", "person") or not market:
                continue
            whose = f"{theirs.english}'s, not {market.group()}'"
        else:
            whose = f"{theirs.english}'s, not {ours.english}'s"
        out.append(f"figure given to the wrong subject: {m.group()!r} is {whose}")
    return out
