"""Faithfulness checks. Each is a small pure function returning the problems it found (empty = pass)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from .figures import EnglishNumber, english_numbers, english_values, find_figures, same_number, source_values
from .glossary import Glossary
from .pipeline.candidates import NEG_BLANKET_RE, NEG_FORWARD_RE, NEG_UNRELATED_RE, label_hits, negation_scopes
from .taxonomy import LABEL_IDS
from .textutil import CJK_RE


def record(tally: Counter[str], problems: list[str]) -> list[str]:
    """Count each problem under a stable key (its text up to the first colon) and pass them through."""
    tally.update(p.split(":")[0][:60] for p in problems)
    return problems


def leftover_chinese(english: str) -> list[str]:
    return (
        [f"Chinese characters in English text: {''.join(CJK_RE.findall(english))[:20]}"]
        if CJK_RE.search(english)
        else []
    )


def unsupported_names(english: str, glossary: Glossary, present: set[str]) -> list[str]:
    """Known people and organizations the source does not mention must not appear in the English (the
    "Janet Yellen" failure: a real person, confidently wrong; "Morgan Stanley" for 摩根大通).
    `present` = English names of glossary terms found in the source. A person's surname counts, unless
    it is also part of a present name; an organization's whole name counts, unless it is part of a
    present name ("US Treasury" in "US Treasury Secretary")."""
    problems = []
    present_words = {w for name in present for w in name.split()}
    for term in glossary.terms:
        if term.english in present:
            continue
        if term.type == "person":
            surname = term.english.split()[-1]
            if surname not in present_words and _word_in(surname, english):
                problems.append(f"names {term.english}, who is not in the article")
        elif (
            term.type in ("company", "organization")
            and not any(term.english in name for name in present)
            and _word_in(term.english, english)
        ):
            problems.append(f"names {term.english}, which is not in the article")
    return problems


def names_traceable(simplified_zh: str, english: str, glossary: Glossary) -> list[str]:
    """Every known person the source names appears under their canonical name (a surname is enough),
    no known-wrong rendering appears, and no known person the source does not name appears."""
    hits = glossary.find(simplified_zh)
    present = {h.term.english for h in hits}
    problems = unsupported_names(english, glossary, present)
    for hit in hits:
        term = hit.term
        if term.type == "person" and not _word_in(term.english.split()[-1], english):
            problems.append(f"names {simplified_zh[hit.start : hit.end]} but not as {term.english}")
    for term in glossary.terms:
        problems += [
            f"known-wrong rendering: {bad!r} (for {term.english})" for bad in term.avoid if bad in english
        ]
    return list(dict.fromkeys(problems))


# A Latin-script word of the source: a name, a ticker, a domain ("Dyteon", "CME", "weather.com").
LATIN_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’&.\-]*[A-Za-zÀ-ÿ0-9]")


def latin_words_kept(zh: str, english: str) -> list[str]:
    """Latin-script words the source already writes (names, tickers) appear in the translation as
    written: a small model "corrects" them ("Dyteon" -> "Dyeton") or drops them. Case and accents
    are ignored ("APP" -> "app", "Andres" -> "Andrés")."""
    target = _fold(english)
    words = dict.fromkeys(m.group().rstrip(".") for m in LATIN_WORD_RE.finditer(zh))
    missing = [w for w in words if not _kept(_fold(w), target)]
    return [f"the source's {w!r} is not in the translation (copy it as written)" for w in missing]


def _kept(word: str, target: str) -> bool:
    # An inflection still keeps the word ("tweet" -> "tweeted"); a longer word does not ("CME" -> "CMEG").
    # Dotted abbreviations may come back spaced or without dots ("U.S." -> "U. S.", "N.F.L." -> "NFL").
    forms = {word}
    if "." in word:
        forms.add(word.replace(".", ""))
        target += " " + re.sub(r"(?<=\.)\s+(?=[a-z]\.)", "", target)
    return any(
        re.search(rf"(?<![a-z0-9]){re.escape(f)}(?:s|es|d|ed|ing|'s|’s)?(?![a-z0-9])", target) for f in forms
    )


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text) is not None


_DECADE_RE = re.compile(r"\d{2}[1-9]?0s")
# Month and day numbers are routinely written as words or dropped ("3月5日" -> "March 5").
_DATE_PART_RE = re.compile(r"^\s*(月|日|号|號|时|時|点|點|分)")


def numbers_faithful(
    zh: str,
    english: str,
    *,
    require_all: bool = False,
    rounding: bool = False,
    names: Iterable[str] = (),
) -> list[str]:
    """Numbers in the English must come from the source, compared as values after unit scaling
    (5950亿 = 595 billion; １２％ = 12%; 三 = 3). With require_all, the source's figures must also all
    appear in the English (a translation must not drop a number; a summary may). With rounding, a
    number may be a source value rounded to the precision it is written with (a summary's "13%" for
    13.4%; never "14%"). Digits inside `names` (the glossary's English for names the source has,
    "Nikkei 225" for 日经指数) are part of a name, not figures."""
    unnamed = english
    for name in sorted((n for n in names if any(c.isdigit() for c in n)), key=len, reverse=True):
        unnamed = unnamed.replace(name, " ")
    allowed = source_values(zh)
    problems = [
        f"number not in the source: {n.surface}"
        for n in english_numbers(unnamed)
        # Compared as scaled: "2.2 million" must not pass on the bare 2.2 of 2.2万 (22,000).
        if not any(same_number(n.value, v) for v in allowed)
        and not (_DECADE_RE.fullmatch(n.surface) and n.written % 100 in allowed)  # 八十年代 = the 1980s
        and not (rounding and any(_rounds_to(n, v) for v in allowed))
    ]
    if require_all:
        stated = english_values(english)
        for f in find_figures(zh):
            if f.unit == "count" and _DATE_PART_RE.match(zh, f.end):
                continue
            written = source_values(f.surface)
            if not any(same_number(v, e) for v in {f.value, *written} for e in stated):
                problems.append(f"figure missing: {f.surface} ({f.english()})")
    return list(dict.fromkeys(problems))


def _rounds_to(n: EnglishNumber, v: Decimal) -> bool:
    """v rounded half-up to n's written precision is n, as scaled ("13%" for 13.4%)."""
    exponent = n.written.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    scale = n.value / n.written if n.written else Decimal(1)
    step = scale * Decimal(10) ** -places
    return bool(step) and abs(v - n.value) <= step / 2


# Words an English sentence does not end on: a bullet ending on one was cut off (under a grammar that
# bans CJK, a model about to quote 「…」 in Chinese closes the string instead).
_DANGLING_RE = re.compile(
    r"(?:\b(?:a|an|the|to|of|by|with|and|or|for|in|on|at|from|as|that|which|than|due|because|its|their)"
    r"|[,:;(\-–—])\s*$",
    re.I,
)


def complete_sentence(english: str, min_words: int = 1) -> list[str]:
    """A bullet or headline must not stop mid-sentence ("…said the decline was due to a"), nor be a
    fragment ("Goldman Sachs") where a sentence is asked for (min_words)."""
    text = english.strip()
    if len(text.split()) < min_words:
        return [f"not a sentence: {text!r}"]
    return [f"ends mid-sentence: …{text[-30:]!r}"] if _DANGLING_RE.search(text) else []


def evidence_verbatim(text: str, zh: str, start: int, end: int) -> list[str]:
    if 0 <= start < end <= len(text) and text[start:end] == zh:
        return []
    return [f"evidence is not the verbatim span text[{start}:{end}]"]


def stance_consistent(simplified_evidence: str, stance: str, label: str | None = None) -> list[str]:
    """A rejected claim's evidence carries a negating cue; a supported claim's label is named outside
    every negation scope ("是关税，而非AI" supports trade_policy and cannot support ai_disruption)."""
    negated = any(rx.search(simplified_evidence) for rx in (NEG_FORWARD_RE, NEG_UNRELATED_RE, NEG_BLANKET_RE))
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


# Roles a small model attaches to whoever is quoted ("Micron's CEO" for a Bernstein analyst), and
# experts it invents as speakers ("Economists say..." where the article quotes a bank): the English
# may name one only where the source names it. English pattern -> (role, Chinese pattern).
ROLE_SOURCES: dict[str, tuple[str, str]] = {
    r"CEO|chief executive": ("chief executive", r"首席执行官|执行长|行政总裁|总裁|总经理|CEO"),
    r"CFO|chief financial officer": ("chief financial officer", r"首席财务官|财务长|财务总监|CFO"),
    r"(?:co-)?founder": ("founder", r"创始人|创办人|创办|创立|创建"),
    r"chair(?:man|woman)": ("chairman", r"主席|董事长|会长|理事长"),
    r"economist": ("economist", r"经济学家|经济师"),
    r"strategist": ("strategist", r"策略师|策略分析|策略主管"),
    r"expert": ("expert", r"专家|学者"),
}
_ROLE_PATTERNS = [
    (re.compile(rf"\b(?:{en})s?\b", re.I), role, re.compile(zh, re.I))
    for en, (role, zh) in ROLE_SOURCES.items()
]


def roles_traceable(simplified_zh: str, english: str) -> list[str]:
    out = []
    for en_re, role, zh_re in _ROLE_PATTERNS:
        m = en_re.search(english)
        if m and not zh_re.search(simplified_zh):
            out.append(f"role not in the source: {m.group()!r} (the source names no {role})")
    return out


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_ZH = ("一", "二", "三", "四", "五", "六", "[日天]")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ZH_MONTH_NUMERALS = ("一|元", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_DATE_WORDS = [
    (re.compile(rf"\b{day}s?\b"), day, re.compile(rf"(?:周|星期|礼拜){zh}"))
    for day, zh in zip(_WEEKDAYS, _WEEKDAY_ZH, strict=True)
] + [
    (
        # "may" is a verb: the month only before a day number
        re.compile(rf"\b{month}\b" + (r"(?=\s+\d)" if month == "May" else "")),
        month,
        # 3月, 三月, or a month/day date (3/1日, 3/8)
        re.compile(rf"(?<![0-9０-９一二三四五六七八九十])(?:(?:0?{i}|{zh})\s*月|0?{i}/[0-3]?[0-9](?![0-9]))"),
    )
    for i, (month, zh) in enumerate(zip(_MONTHS, _ZH_MONTH_NUMERALS, strict=True), start=1)
]


def dates_traceable(simplified_zh: str, english: str) -> list[str]:
    """A weekday or month the source does not state (a headline's "连三日" rendered "on Wednesday"):
    dates are facts, and a small model fills them in from nowhere."""
    return [
        f"date not in the source: {en_word!r}"
        for en_re, en_word, zh_re in _DATE_WORDS
        # "The Sunday Times" in the source's own Latin script is a name, not a date
        if en_re.search(english) and not zh_re.search(simplified_zh) and en_word not in simplified_zh
    ]


def details_traceable(simplified_zh: str, english: str) -> list[str]:
    """Details a small model adds from nowhere (a role, an expert, a weekday or month): the
    translation and summary checks share this list, so a new such check is added once."""
    return roles_traceable(simplified_zh, english) + dates_traceable(simplified_zh, english)


def english_problems(texts: Iterable[str], glossary: Glossary, present: set[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out += leftover_chinese(t) + unsupported_names(t, glossary, present)
    return out


# English cues per label, for checking English text against the article's rejected claims.
EN_LABEL_CUES: dict[str, re.Pattern[str]] = {
    "trade_policy": re.compile(r"tariff|trade war|trade polic|protectionis|export control|MAGA", re.I),
    "ai_disruption": re.compile(r"\bAI\b|artificial intelligence|DeepSeek", re.I),
    "monetary_policy": re.compile(
        r"Federal Reserve|\bFed\b|interest rate|rate (cut|hike)|hawkish|central bank", re.I
    ),
    "liquidity": re.compile(r"liquidity|deleverag|carry trade|margin", re.I),
    "valuation": re.compile(r"valuation|bubble|overvalued", re.I),
    "fiscal_policy": re.compile(r"deficit|government debt|spending cut|DOGE|layoff", re.I),
    "macro_outlook": re.compile(r"recession|stagflation|inflation", re.I),
    "earnings": re.compile(r"earnings|capital spending|capex|guidance", re.I),
    "geopolitics": re.compile(r"geopoliti|sanction|national security", re.I),
    "positioning": re.compile(r"\bCTA\b|passive fund|fragil|buy the dip|outflow", re.I),
}
EN_CAUSAL = re.compile(r"caus|due to|driven by|drove|trigger|led to|because|blame|result of|spark|fuel", re.I)
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
        if label in EN_LABEL_CUES and EN_LABEL_CUES[label].search(english)
    ]


# Events a model adds as background ("…under pressure due to the ongoing pandemic"): English cue,
# and the Chinese that must be in the source for the English to say it.
EN_EVENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "pandemic": (
        re.compile(r"pandemic|COVID|coronavirus|epidemic", re.I),
        re.compile(r"疫情|新冠|肺炎|病毒|流行病"),
    ),
    "war": (
        re.compile(r"\bwars?\b|invasion|military conflict", re.I),
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
        for label, rx in EN_LABEL_CUES.items()
        if labels and label not in present and (m := rx.search(english))
    ]
    out += [
        f"cause not in the source: {m.group()!r}"
        for en_rx, zh_rx in EN_EVENTS.values()
        if (m := en_rx.search(english)) and not zh_rx.search(simplified_zh)
    ]
    return out
