"""Small pure helpers over Chinese text. Offsets always index the text as received."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Sentence ends: Chinese and ASCII terminators, with any closing quotes/brackets that follow.
SENTENCE_END_RE = re.compile(r"[。！？!?；;]+[”’」』）)\"']*|\n+")


def has_cjk(s: str) -> bool:
    return CJK_RE.search(s) is not None


def cjk_count(s: str) -> int:
    return len(CJK_RE.findall(s))


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


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    from opencc import OpenCC

    return OpenCC(config)


def to_simplified(s: str) -> str:
    return str(_converter("t2s").convert(s))


def to_traditional(s: str) -> str:
    return str(_converter("s2t").convert(s))


def simplified_aligned(s: str) -> str:
    """Simplified text of the same length as `s`, so offsets carry over. OpenCC's phrase rules can
    change length in rare cases; then fall back to character-by-character conversion."""
    out = to_simplified(s)
    if len(out) == len(s):
        return out
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, to_simplified(ch)) for ch in s))
