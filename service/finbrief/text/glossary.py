"""Glossary: canonical English names for entities across regional Chinese variants.

Data lives in data/glossary.tsv (plus an optional user file); matching runs on the offset-aligned
Simplified text, so one variant per script pair is enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from ..schemas import EntityType
from .script import has_cjk, to_simplified

_TYPES = {"person", "organization", "company", "place", "index", "product", "other", "role", "term", "none"}
# Glossary types that guide the model but are not entities: titles ("US Treasury Secretary"), market
# terms ("A股" = A-shares, which a small model reads as "Agriculture"), and "none" (see below).
NOT_ENTITIES = ("role", "term", "none")


@dataclass(frozen=True)
class Term:
    english: str
    type: EntityType | Literal["role", "term", "none"]  # see NOT_ENTITIES
    variants: tuple[str, ...]
    # Known-wrong English renderings seen from models (貝森特 -> "Ben Satterfield"): always a failure.
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    term: Term
    start: int
    end: int


class Glossary:
    def __init__(self, terms: list[Term]) -> None:
        # Type "none" lists words that contain a name but are not one (推高通胀 holds 高通, Qualcomm):
        # they take part in longest-match and are then dropped, so the name inside never matches.
        self.terms = [t for t in terms if t.type != "none"]
        self._by_variant: dict[str, Term] = {}
        for term in terms:
            # The canonical English name is a variant too: articles often write "Sam Altman" as is.
            names = term.variants if term.type == "none" else (*term.variants, term.english)
            for v in names:
                self._by_variant.setdefault(to_simplified(v) if has_cjk(v) else v, term)
        keys = sorted(self._by_variant, key=len, reverse=True)  # longest match wins
        alts = [_pattern(k) for k in keys]
        # A lookahead on the first characters lets the engine skip most positions without trying
        # every alternative: ~3x faster finds with ~800 terms, same matches.
        first = "".join(sorted({re.escape(k[0]) for k in keys}))
        self._rx = re.compile(f"(?=[{first}])(?:" + "|".join(alts) + ")") if alts else None

    @classmethod
    def load(cls, extra: Path | None = None) -> Glossary:
        text = resources.files("finbrief").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
        terms = parse_tsv(text)
        if extra is not None:
            user = parse_tsv(Path(extra).read_text(encoding="utf-8"))
            overridden = {t.english for t in user}
            terms = user + [t for t in terms if t.english not in overridden]
        return cls(terms)

    def find(self, simplified: str, start: int = 0, end: int | None = None) -> list[Hit]:
        """Non-overlapping glossary mentions in simplified[start:end] (absolute offsets)."""
        if self._rx is None:
            return []
        end = len(simplified) if end is None else end
        hits = (
            Hit(self._by_variant[m.group(0)], m.start(), m.end())
            for m in self._rx.finditer(simplified, start, end)
        )
        return [h for h in hits if h.term.type != "none"]

    def annotate(self, display: str, simplified: str) -> str:
        """Insert the canonical English name after the first mention of each term, e.g.
        贝森特 -> 贝森特(Scott Bessent). Small models copy these instead of guessing a transliteration.
        `simplified` is `display` converted with offsets preserved; matching runs on it."""
        seen: set[str] = set()
        out, pos = [], 0
        for hit in self.find(simplified):
            out.append(display[pos : hit.end])
            pos = hit.end
            already = re.match(r"\s*[(（]\s*[A-Za-z]", display[hit.end : hit.end + 4])
            if hit.term.english in seen or not has_cjk(simplified[hit.start : hit.end]) or already:
                continue
            seen.add(hit.term.english)
            if hit.term.type not in ("place", "role"):
                out.append(f"({hit.term.english})")
        out.append(display[pos:])
        return "".join(out)


def _pattern(variant: str) -> str:
    """Latin variants ("Fed", "DOGE") must be whole words; CJK ones cannot have word boundaries, but
    one that starts with a Latin letter ("A股") must not continue a Latin word ("TSLA股价")."""
    if not has_cjk(variant):
        return rf"(?<![A-Za-z]){re.escape(variant)}(?![A-Za-z])"
    return (r"(?<![A-Za-z])" if variant[0].isascii() and variant[0].isalpha() else "") + re.escape(variant)


def parse_tsv(text: str) -> list[Term]:
    terms = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) not in (3, 4) or cols[1] not in _TYPES:
            raise ValueError(
                f"glossary line {lineno}: expected 'english<TAB>type<TAB>variants[<TAB>avoid]', got {raw!r}"
            )
        variants = tuple(v.strip() for v in cols[2].split("|") if v.strip())
        avoid = tuple(v.strip() for v in cols[3].split("|") if v.strip()) if len(cols) == 4 else ()
        terms.append(Term(cols[0].strip(), cols[1], variants, avoid))  # type: ignore[arg-type]
    return terms
