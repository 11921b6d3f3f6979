"""Details a small model adds from nowhere: a role, an expert, a weekday or a month."""

from __future__ import annotations

import re

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
