"""Chinese script: the one definition of a CJK character, and Traditional/Simplified conversion."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..schemas import Script

# Han ideographs (CJK Unified, Extension A, Compatibility): what makes text Chinese.
HAN_RANGES = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{HAN_RANGES}]")
# Han plus CJK punctuation, kana and full-width forms: what English output must never contain.
CJK_TEXT_RANGES = rf"\u3000-\u30ff{HAN_RANGES}\uff00-\uffef"


def has_cjk(s: str) -> bool:
    return CJK_RE.search(s) is not None


def cjk_count(s: str) -> int:
    return len(CJK_RE.findall(s))


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


def detect_script(text: str) -> Script:
    """zh-Hant / zh-Hans / mixed / not-chinese, from which characters OpenCC would change."""
    han = cjk_count(text)
    if han == 0 or han < 0.2 * len("".join(text.split())):
        return "not-chinese"
    trad_only = sum(1 for a, b in zip(text, to_simplified(text), strict=False) if a != b and has_cjk(a))
    simp_only = sum(1 for a, b in zip(text, to_traditional(text), strict=False) if a != b and has_cjk(a))
    if trad_only + simp_only == 0:
        return "zh-Hans"  # only characters shared by both scripts; Simplified is the safe reading
    share = trad_only / (trad_only + simp_only)
    if share >= 0.8:
        return "zh-Hant"
    if share <= 0.2:
        return "zh-Hans"
    return "mixed"
