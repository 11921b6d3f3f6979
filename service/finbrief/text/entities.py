"""Entities with English names that are traceable to the source: glossary terms found in the text,
and "中文名 (English Name)" pairs the article itself gives."""

from __future__ import annotations

import re

from ..schemas import Entity
from .glossary import NOT_ENTITIES, Glossary
from .normalize import Document
from .script import HAN_RANGES, has_cjk

# 斯科特·魯伯納 (Scott Rubner): a transliterated name with its original in parentheses.
PAIR_RE = re.compile(
    rf"([{HAN_RANGES}]{{1,6}}(?:[·・][{HAN_RANGES}]{{1,8}})+)"  # 斯科特·魯伯納
    r"\s*[（(]\s*([A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,3})\s*[)）]"  # (Scott Rubner)
)


# 首席策略师王磊（Wang Lei）: a Chinese name has no "·", so only a role word before it (师, 主管,
# 总裁...) and a two- or three-word romanized name after it make it a person, not 摩根士丹利（Morgan
# Stanley）or 人工智能（AI）.
ROLE_PAIR_RE = re.compile(
    rf"(?<=[师師家管长長裁员員监監席理官人])([{HAN_RANGES}]{{2,3}})"
    r"\s*[（(]\s*([A-Z][a-z]+(?:-[a-z]+)?(?: [A-Z][a-z]+(?:-[a-z]+)?){1,2})\s*[)）]"
)


ROLE_END_RE = re.compile(r".*[师師员員裁管长長监監席理官人是]")


def text_pairs(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, str, int]]:
    """(Chinese name, English name, offset) for each person the article names in both scripts."""
    end = len(text) if end is None else end
    found = []
    for rx in (PAIR_RE, ROLE_PAIR_RE):
        for m in rx.finditer(text, start, end):
            # PAIR_RE's run of Chinese may start with the role ("策略师斯科特·鲁伯纳"): the name is
            # what follows the last role character.
            head = ROLE_END_RE.match(m.group(1)) if rx is PAIR_RE else None
            cut = head.end() if head and "·" not in head.group() and head.end() < m.group(1).index("·") else 0
            found.append((m.group(1)[cut:], m.group(2), m.start() + cut))
    return sorted(found, key=lambda pair: pair[2])


def extract_entities(doc: Document, glossary: Glossary) -> list[Entity]:
    out: dict[str, Entity] = {}
    for para in [doc.title, *doc.body] if doc.title else doc.body:
        for hit in glossary.find(doc.simplified, para.start, para.end):
            if hit.term.type in NOT_ENTITIES or hit.term.english in out:
                continue
            surface = doc.text[hit.start : hit.end]
            out[hit.term.english] = Entity(
                name_en=hit.term.english,
                name_zh=surface if has_cjk(surface) else "",
                type=hit.term.type,
                source="glossary",
            )
        for zh, en, _ in text_pairs(doc.text, para.start, para.end):
            if en not in out:
                out[en] = Entity(name_en=en, name_zh=zh, type="person", source="text")
    return list(out.values())
