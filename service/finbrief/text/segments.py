"""Segments of the text as received: sentences, lines, trimmed spans. Offsets always index the text
as received."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentence ends: Chinese and ASCII terminators, with any closing quotes/brackets that follow.
SENTENCE_END_RE = re.compile(r"[。！？!?；;]+[”’」』）)\"']*|\n+")


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of text[start:end], trimmed of whitespace, with absolute offsets. A window that runs
    past either end of the text is clipped (callers ask for "300 characters around a figure")."""
    start, end = max(0, start), len(text) if end is None else min(end, len(text))
    out: list[Segment] = []
    pos = start
    for m in SENTENCE_END_RE.finditer(text, start, end):
        _append_trimmed(text, pos, m.end(), out)
        pos = m.end()
    _append_trimmed(text, pos, end, out)
    return out


def _append_trimmed(text: str, a: int, b: int, out: list[Segment]) -> None:
    seg = trimmed(text, a, b)
    if seg is not None:
        out.append(seg)


def trimmed(text: str, a: int, b: int) -> Segment | None:
    """text[a:b] without surrounding whitespace, as a Segment with absolute offsets (None if blank)."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Segment(a, b, text[a:b]) if b > a else None


def lines(text: str) -> list[Segment]:
    """Non-blank lines, trimmed, with absolute offsets."""
    out, pos = [], 0
    for line in text.split("\n"):
        seg = trimmed(text, pos, pos + len(line))
        pos += len(line) + 1
        if seg is not None:
            out.append(seg)
    return out
