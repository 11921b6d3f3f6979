"""The checks one sentence's English rendering must pass against its own Chinese source."""

from __future__ import annotations

from ..text.glossary import Glossary
from ..text.script import cjk_count, to_simplified
from .causes import causes_attested
from .details import details_traceable
from .english import latin_words_kept, leftover_chinese, names_traceable, talks_about_the_task
from .grounding import span_problems
from .numbers import numbers_faithful

# Problems that say a rendering left something out or stopped early; every other problem says it
# states something its source does not (a number, a name, a direction, a denial, a currency).
OMISSIONS = (
    "figure missing",
    "the translation is much shorter",
    "the source's",
    "the translation was cut off",
)


def meaning_changed(problems: list[str]) -> list[str]:
    """The problems that make a rendering say something else than its source, not merely less."""
    return [p for p in problems if not p.startswith(OMISSIONS)]


def translation_problems(zh: str, en: str, glossary: Glossary, *, cut_off: bool = False) -> list[str]:
    """Every faithfulness check a sentence translation must pass; `cut_off`: the model stopped at its
    token limit (too long, or looping)."""
    if not en:
        return ["the translation is empty"]
    simp = to_simplified(zh)
    names = [h.term.english for h in glossary.find(simp)]
    found = (
        leftover_chinese(en)
        + talks_about_the_task(en)
        + names_traceable(simp, en, glossary)
        + numbers_faithful(simp, en, require_all=True, names=names)
        + latin_words_kept(zh, en)
        + details_traceable(simp, en)
        + causes_attested(simp, en, labels=False)
        + span_problems(simp, en, glossary)
    )
    if cut_off:
        found.append("the translation was cut off (too long or looping)")
    if len(en) < 0.8 * cjk_count(zh):
        found.append("the translation is much shorter than the source: something was left out")
    return found
