"""Answer specs: one description of an answer's shape, rendered for every kind of engine.

A spec renders as a GBNF grammar (llama.cpp, llama-server, SGLang's `ebnf`), as a JSON schema (vLLM,
Ollama, OpenAI-style `response_format`), as a regex (plain text) or as the list of every possible
answer (vLLM's `choice`). Each rendering is derived from the same fields, so they cannot drift.

English strings are restricted to printable ASCII plus Latin letters with accents and typographic
punctuation: CJK cannot be emitted at all (the "leftover Chinese" failure is prevented, not just
detected). The same character classes are the GBNF classes and the schema `pattern`s (the class
syntax used here means the same in GBNF, Python `re` and ECMA-262). Every string and list is
length-bounded so a looping model cannot run away.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..text.script import CJK_TEXT_RANGES

EN_CHAR = r"[ !#-\[\]-~\u00C0-\u017F\u2013\u2014\u2018\u2019\u201C\u201D\u20AC\u00A3]"
# The first character is not a space: blocks the degenerate "" / "   " answers.
EN_FIRST = r"[!#-\[\]-~\u00C0-\u017F]"
HEADER = f"""ws ::= [ \\n]{{0,3}}
en-char ::= {EN_CHAR}
"""
# Anything but CJK ideographs, CJK/full-width punctuation, kana and line breaks.
NOT_CJK = rf"[^\n\r{CJK_TEXT_RANGES}]"
NOT_CJK_FIRST = rf"[^ \n\r{CJK_TEXT_RANGES}]"
MAX_CHOICES = 64  # more possible answers than this: a grammar or schema, not a list of choices


# --- GBNF building blocks ----------------------------------------------------------------------
def _lit(s: str) -> str:
    return json.dumps(json.dumps(s))  # a GBNF literal matching the JSON string "s"


def en_string(
    name: str, max_chars: int, char: str = "en-char", first: str = EN_FIRST, min_chars: int = 1
) -> str:
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


# --- field specs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CharClass:
    """A set of characters: `rule` is its GBNF rule name, `body` the class itself."""

    rule: str
    body: str


EN = CharClass("en-char", EN_CHAR)  # defined by HEADER in every grammar


@dataclass(frozen=True)
class English:
    """A JSON string of English, `min_chars` to `max_chars` long, its first character from `first`."""

    max_chars: int
    min_chars: int = 1
    char: CharClass = EN
    first: str = EN_FIRST

    def regex(self) -> str:
        return f"{self.first}{self.char.body}{{{self.min_chars - 1},{self.max_chars - 1}}}"

    def schema(self) -> dict[str, Any]:
        # Length twice: some engines honour only `pattern` (llama.cpp's converter), some only lengths.
        return {
            "type": "string",
            "minLength": self.min_chars,
            "maxLength": self.max_chars,
            "pattern": f"^{self.regex()}$",
        }


@dataclass(frozen=True)
class OneOf:
    """One of a few strings (a label, a claimant, a direction)."""

    values: tuple[str, ...]

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True)
class ListOf:
    """A list of `min_items` to `max_items` strings, each one of `values`; `item` names its GBNF rule."""

    item: str
    values: tuple[str, ...]
    min_items: int
    max_items: int

    def schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "enum": list(self.values)},
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }


FieldSpec = English | OneOf | ListOf


# --- answer specs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class JsonAnswer:
    """A JSON object whose keys come in this order, each with its field spec."""

    name: str  # the schema's title (and OpenAI's required json_schema.name)
    fields: tuple[tuple[str, FieldSpec], ...]

    def gbnf(self) -> str:
        """Rules in a fixed order (root, choice rules, strings, extra classes, shared header): the
        same bytes as the grammars written by hand before specs existed, so the prompt cache and
        the recorded evaluations stay comparable."""
        root: list[tuple[str, str]] = []
        choices, strings, classes = "", "", ""
        for key, spec in self.fields:
            if isinstance(spec, ListOf):
                root.append((key, array(spec.item, spec.min_items, spec.max_items)))
                choices += enum(spec.item, list(spec.values))
            elif isinstance(spec, OneOf):
                root.append((key, key))
                choices += enum(key, list(spec.values))
            else:
                root.append((key, key))
                strings += en_string(key, spec.max_chars, spec.char.rule, spec.first, spec.min_chars)
                if spec.char != EN and f"{spec.char.rule} ::=" not in classes:
                    classes += f"{spec.char.rule} ::= {spec.char.body}\n"
        return obj(root) + choices + strings + classes + HEADER

    def json_schema(self) -> dict[str, Any]:
        return {
            "title": self.name,
            "type": "object",
            "properties": {key: spec.schema() for key, spec in self.fields},
            "required": [key for key, _ in self.fields],
            "additionalProperties": False,
        }

    def choices(self) -> list[str] | None:
        """Every possible answer as JSON text, when every field is a OneOf and there are few; else None."""
        if not all(isinstance(spec, OneOf) for _, spec in self.fields):
            return None
        options = [spec.values for _, spec in self.fields if isinstance(spec, OneOf)]
        if len(list(itertools.islice(itertools.product(*options), MAX_CHOICES + 1))) > MAX_CHOICES:
            return None
        keys = [key for key, _ in self.fields]
        return [json.dumps(dict(zip(keys, combo, strict=True))) for combo in itertools.product(*options)]


@dataclass(frozen=True)
class PlainLine:
    """One line of free text with no Chinese in it, not starting with a space (the translation step:
    fewer tokens than JSON, and quotes inside need no escaping)."""

    max_chars: int
    name: str = "line"

    def gbnf(self) -> str:
        return f"root ::= {NOT_CJK_FIRST} rest\nrest ::= {NOT_CJK}{{0,{self.max_chars - 1}}}\n"

    def regex(self) -> str:
        return f"{NOT_CJK_FIRST}{NOT_CJK}{{0,{self.max_chars - 1}}}"


@dataclass(frozen=True)
class OneWord:
    """A bare word out of a few ("yes" / "no"), asked for as ONE generated token and read with its
    probabilities where the engine returns `top_logprobs`: no JSON around it to decode, and a
    confidence instead of a bare pick. `key` is the field the pipeline reads the word as.

    The words are chosen to be one token in common tokenizers; where an engine splits one, the
    first token still names it: the answer is the word the generated text is a prefix of."""

    key: str
    values: tuple[str, ...]
    name: str = "one_word"
    max_tokens: int = 1
    top_logprobs: int = 10  # alternatives asked for: enough to see every word's first token

    def gbnf(self) -> str:
        return "root ::= " + " | ".join(json.dumps(v) for v in self.values) + "\n"

    def regex(self) -> str:
        return "(" + "|".join(re.escape(v) for v in self.values) + ")"

    def json_schema(self) -> dict[str, Any]:
        """A bare JSON string (Ollama's `format`): the answer comes quoted, `read` unquotes it."""
        return {"type": "string", "enum": list(self.values)}

    def choices(self) -> list[str]:
        return list(self.values)

    def word(self, token: str) -> str | None:
        """The word a generated piece names: the one value it is a prefix of (any case), if one."""
        piece = token.strip().strip('"').lower()
        named = [v for v in self.values if piece and v.lower().startswith(piece)]
        return named[0] if len(named) == 1 else None

    def read(self, text: str, top_logprobs: Sequence[dict[str, float]] = ()) -> dict[str, Any] | None:
        """{key: word, "probs": {word: p}} from the answer and its first token's alternatives (probs
        summed per word over its spellings and renormalised over the words; empty where the engine
        gave none, and then the generated word is the answer), or None when it names no word. A
        JSON object answer ({"answer": "yes"}, from an engine that ignored the constraint) is read
        by its key."""
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                stripped = str(json.loads(stripped).get(self.key, ""))
            except (json.JSONDecodeError, AttributeError):
                return None
        word = self.word(stripped)
        if word is None:
            return None
        mass = dict.fromkeys(self.values, 0.0)
        for token, logprob in (top_logprobs[0] if top_logprobs else {}).items():
            if (named := self.word(token)) is not None:
                mass[named] += math.exp(logprob)
        total = sum(mass.values())
        if total <= 0:
            return {self.key: word, "probs": {}}
        probs = {v: round(m / total, 4) for v, m in mass.items()}
        # The word with the most probability over all its spellings is the answer: a grammar that
        # admits only "yes"/"no" can force the rarer lowercase word where the model says "No".
        return {self.key: max(probs, key=lambda v: probs[v]), "probs": probs}


AnswerSpec = JsonAnswer | PlainLine | OneWord
