"""GBNF grammars for the pipeline's answers: the GBNF rendering of the answer specs (answers.py).

Kept for callers that want the grammar text itself (llama.cpp); new code passes the spec, which
also renders as a JSON schema, a regex or a list of choices for other engines (spec.py).
"""

from __future__ import annotations

from . import answers
from .answers import BULLET_MAX_CHARS, HEADLINE_MAX_CHARS
from .spec import EN_CHAR, HEADER, NOT_CJK, array, en_string, enum, obj

__all__ = [
    "BULLET_MAX_CHARS",
    "EN_CHAR",
    "HEADER",
    "HEADLINE_MAX_CHARS",
    "NOT_CJK",
    "array",
    "bullet_grammar",
    "claim_grammar",
    "en_string",
    "enum",
    "figure_grammar",
    "headline_grammar",
    "obj",
    "plain_english_grammar",
    "translation_grammar",
    "yes_no_grammar",
]


def headline_grammar() -> str:
    return answers.headline_answer().gbnf()


def bullet_grammar() -> str:
    return answers.bullet_answer().gbnf()


def claim_grammar(
    labels: list[str], claimants: list[str], allow_none: bool = True, max_drivers: int | None = None
) -> str:
    return answers.claim_answer(labels, claimants, allow_none, max_drivers).gbnf()


def yes_no_grammar() -> str:
    return answers.yes_no_answer().gbnf()


def translation_grammar(max_chars: int = 600) -> str:
    return answers.translation_answer(max_chars).gbnf()


def figure_grammar() -> str:
    return answers.figure_answer().gbnf()


def plain_english_grammar(max_chars: int) -> str:
    """One line of free text with no Chinese in it: the translation step's output."""
    return answers.english_line(max_chars).gbnf()
