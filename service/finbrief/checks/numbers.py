"""Numbers in English must be the source's numbers, compared as values after unit scaling."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ..text.figures import (
    EnglishNumber,
    english_numbers,
    english_values,
    find_figures,
    same_number,
    source_values,
)

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
