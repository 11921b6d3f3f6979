"""Every faithfulness check, in one package. Each is a small pure function over the source text and
the English, returning the problems it found (empty = pass); they import `text/` only.

- english: no Chinese left, names the source has (and no others), Latin names kept, whole sentences
- numbers: figures are the source's, after unit scaling
- details: no role, expert, weekday or month the source does not state
- causes: verbatim evidence, stance against negation scopes, no rejected or unattested cause
- summary / translation: the bundles a summary field and a sentence translation must pass
"""

from __future__ import annotations

from collections import Counter

from .causes import (
    causes_attested,
    contradicts_rejections,
    evidence_verbatim,
    label_known,
    stance_consistent,
)
from .details import dates_traceable, details_traceable, roles_traceable
from .english import (
    LATIN_WORD_RE,
    complete_sentence,
    english_problems,
    latin_words_kept,
    leftover_chinese,
    names_traceable,
    unsupported_names,
)
from .numbers import numbers_faithful


def record(tally: Counter[str], problems: list[str]) -> list[str]:
    """Count each problem under a stable key (its text up to the first colon) and pass them through."""
    tally.update(p.split(":")[0][:60] for p in problems)
    return problems


__all__ = [
    "LATIN_WORD_RE",
    "causes_attested",
    "complete_sentence",
    "contradicts_rejections",
    "dates_traceable",
    "details_traceable",
    "english_problems",
    "evidence_verbatim",
    "label_known",
    "latin_words_kept",
    "leftover_chinese",
    "names_traceable",
    "numbers_faithful",
    "record",
    "roles_traceable",
    "stance_consistent",
    "unsupported_names",
]
