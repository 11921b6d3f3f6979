"""GBNF grammars for the pipeline's JSON answers.

English strings are restricted to printable ASCII plus Latin letters with accents and typographic
punctuation: CJK cannot be emitted at all (the "leftover Chinese" failure is prevented, not just
detected). Every string and list is length-bounded so a looping model cannot run away.
"""

from __future__ import annotations

import json

from ..text.script import CJK_TEXT_RANGES

EN_CHAR = r"[ !#-\[\]-~\u00C0-\u017F\u2013\u2014\u2018\u2019\u201C\u201D\u20AC\u00A3]"
HEADER = f"""ws ::= [ \\n]{{0,3}}
en-char ::= {EN_CHAR}
"""


def _lit(s: str) -> str:
    return json.dumps(json.dumps(s))  # a GBNF literal matching the JSON string "s"


def en_string(
    name: str,
    max_chars: int,
    char: str = "en-char",
    first: str = r"[!#-\[\]-~\u00C0-\u017F]",
    min_chars: int = 1,
) -> str:
    # The first character is not a space: blocks the degenerate "" / "   " answers.
    return f'{name} ::= "\\"" {first} {char}{{{min_chars - 1},{max_chars - 1}}} "\\""\n'


def enum(name: str, values: list[str]) -> str:
    return f"{name} ::= " + " | ".join(_lit(v) for v in values) + "\n"


def obj(fields: list[tuple[str, str]]) -> str:
    parts = [f'"\\"{key}\\"" ws ":" ws {rule}' for key, rule in fields]
    return 'root ::= "{" ws ' + ' ws "," ws '.join(parts) + ' ws "}"\n'


def array(item: str, min_items: int, max_items: int) -> str:
    required = ' ws "," ws '.join([item] * min_items)
    optional = "".join(f' (ws "," ws {item}' for _ in range(max_items - min_items)) + ")?" * (
        max_items - min_items
    )
    return f'"[" ws {required}{optional} ws "]"'


HEADLINE_MAX_CHARS, BULLET_MAX_CHARS = 140, 260


def headline_grammar() -> str:
    return obj([("headline", "headline")]) + en_string("headline", HEADLINE_MAX_CHARS) + HEADER


def bullet_grammar() -> str:
    """One bullet: the rendering of one source sentence. At least 20 characters: asked to repair, a
    small model otherwise answers with fragments ("down", "Goldman Sachs") that pass every check."""
    return obj([("bullet", "bullet")]) + en_string("bullet", BULLET_MAX_CHARS, min_chars=20) + HEADER


def claim_grammar(
    labels: list[str], claimants: list[str], allow_none: bool = True, max_drivers: int | None = None
) -> str:
    # "drivers" is a list: one sentence can name several causes ("流动性紧张+估值高企").
    return (
        obj(
            [
                ("drivers", array("driver", 1, max_drivers or len(labels))),
                ("claimant", "claimant"),
                ("moved", "moved"),
                ("direction", "direction"),
            ]
        )
        + enum("driver", [*labels, "none"] if allow_none else labels)
        + enum("claimant", claimants)
        + enum("direction", ["down", "up", "volatile"])
        + en_string("moved", 60)
        + HEADER
    )


def yes_no_grammar() -> str:
    return obj([("answer", "answer")]) + enum("answer", ["yes", "no"]) + HEADER


def translation_grammar(max_chars: int = 600) -> str:
    return obj([("en", "en")]) + en_string("en", max_chars) + HEADER


def figure_grammar() -> str:
    # No digits: the value is rendered by code; a description that restates it can only add errors.
    no_digit = "nd-char ::= [ !#-/:-\\[\\]-~\\u00C0-\\u017F\\u2013\\u2014\\u2018\\u2019]\n"
    return obj([("what", "what")]) + en_string("what", 90, "nd-char", "[A-Za-z]") + no_digit + HEADER


# Anything but CJK ideographs, CJK/full-width punctuation, kana and line breaks.
NOT_CJK = rf"[^\n\r{CJK_TEXT_RANGES}]"


def plain_english_grammar(max_chars: int) -> str:
    """One line of free text with no Chinese in it: the translation step's output. Plain text rather
    than JSON: fewer tokens, and quotes inside the translation need no escaping. No leading space."""
    return f"root ::= [^ \\n\\r{CJK_TEXT_RANGES}] rest\nrest ::= {NOT_CJK}{{0,{max_chars - 1}}}\n"
