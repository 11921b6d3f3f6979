"""Entities with English names that are traceable to the source: glossary terms found in the text,
and "中文名 (English Name)" pairs the article itself gives."""

from __future__ import annotations

import re

from .glossary import Glossary
from .normalize import Document
from .schemas import Entity
from .textutil import has_cjk

# 斯科特·魯伯納 (Scott Rubner): a transliterated name with its original in parentheses.
PAIR_RE = re.compile(
    r"([\u4e00-\u9fff]{1,6}(?:[·・][\u4e00-\u9fff]{1,8})+)"  # 斯科特·魯伯納
    r"\s*[（(]\s*([A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,3})\s*[)）]"  # (Scott Rubner)
)


def text_pairs(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, str, int]]:
    end = len(text) if end is None else end
    return [(m.group(1), m.group(2), m.start()) for m in PAIR_RE.finditer(text, start, end)]


def extract_entities(doc: Document, glossary: Glossary) -> list[Entity]:
    out: dict[str, Entity] = {}
    for para in [doc.title, *doc.body] if doc.title else doc.body:
        for hit in glossary.find(doc.simplified, para.start, para.end):
            if hit.term.type == "role" or hit.term.english in out:
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
