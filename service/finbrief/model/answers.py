"""The pipeline's answers, each defined once as a spec (spec.py): every engine gets its own
rendering of the same shape (GBNF, JSON schema, choices or regex)."""

from __future__ import annotations

from collections.abc import Sequence

from .spec import CharClass, English, JsonAnswer, ListOf, OneOf, OneWord, PlainLine

HEADLINE_MAX_CHARS, BULLET_MAX_CHARS = 140, 260
DIRECTIONS = ("down", "up", "volatile")
# No digits: a figure's value is rendered by code; a description that restates it can only add errors.
NO_DIGIT = CharClass("nd-char", r"[ !#-/:-\[\]-~\u00C0-\u017F\u2013\u2014\u2018\u2019]")


def headline_answer() -> JsonAnswer:
    return JsonAnswer("headline", (("headline", English(HEADLINE_MAX_CHARS)),))


def bullet_answer() -> JsonAnswer:
    """One bullet: the rendering of one source sentence. At least 20 characters: asked to repair, a
    small model otherwise answers with fragments ("down", "Goldman Sachs") that pass every check."""
    return JsonAnswer("bullet", (("bullet", English(BULLET_MAX_CHARS, min_chars=20)),))


def claim_answer(
    labels: Sequence[str],
    claimants: Sequence[str],
    allow_none: bool = True,
    max_drivers: int | None = None,
) -> JsonAnswer:
    # "drivers" is a list: one sentence can name several causes ("流动性紧张+估值高企").
    drivers = (*labels, "none") if allow_none else tuple(labels)
    return JsonAnswer(
        "claim",
        (
            ("drivers", ListOf("driver", drivers, 1, max_drivers or len(labels))),
            ("claimant", OneOf(tuple(claimants))),
            ("moved", English(60)),
            ("direction", OneOf(DIRECTIONS)),
        ),
    )


def yes_no_answer() -> OneWord:
    """One generated token, read with its probability (spec.OneWord), as {"answer": ..., "probs": ...}."""
    return OneWord("answer", ("yes", "no"), name="yes_no")


def translation_answer(max_chars: int = 600) -> JsonAnswer:
    return JsonAnswer("translation", (("en", English(max_chars)),))


def figure_answer() -> JsonAnswer:
    return JsonAnswer("figure", (("what", English(90, char=NO_DIGIT, first="[A-Za-z]")),))


def english_line(max_chars: int) -> PlainLine:
    """The translation step's output: one line of English (see PlainLine)."""
    return PlainLine(max_chars)
