"""Entities with English names that are traceable to the source: glossary terms found in the text,
and "中文名 (English Name)" pairs the article itself gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..schemas import Entity, EntityType
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


# A name the article gives in Latin script after its Chinese form: 芝加哥商业交易所（CME Group）.
# The Chinese run stops at a function word, so "由于摩根大通（JPMorgan）" yields 摩根大通.
ORG_PAIR_RE = re.compile(
    rf"([{HAN_RANGES}]{{2,14}})\s*[（(]\s*([A-Z][A-Za-z0-9.&'’\-]*(?: [A-Za-z0-9.&'’\-]+){{0,5}})\s*[)）]"
)
_FUNCTION_CHARS = "的在由与和及向对将把被为是从据於于等让使称说受"
# A run of capitalized Latin words in the Chinese text: a name the article writes as is ("Bybit",
# "Landsberg Bennett", "Michael Landsberg").
LATIN_NAME_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9](?: [A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]){0,3}"
)
# Acronyms and words that are terms, not names: never entities on their own.
_TERMS = "AI GDP CPI PPI PMI ETF ETFs IPO CEO CFO CTO COO US USA UK EU IT API APP App PC PE PB EPS ROE"
_MORE = "REUTERS TPG AFP HK TW CN QE QT YoY MoM Q1 Q2 Q3 Q4 H1 H2 OK TV NFT DeFi VIX EV EVs M2 M1 LPR MLF RRR"
_MORE += " FOMC RSI MACD CTA G7 G20"
NOT_NAMES = frozenset(f"{_TERMS} {_MORE}".split(" "))
_ORG_WORDS = re.compile(
    r"Bank|Fund|Commission|Authority|Ministry|Department|Exchange|Group|Association|Bureau|Agency|Council|"
    r"Reserve|Office|Institute|University|Securities|Capital|Partners|Management|Holdings|Research"
)
# Common single-character surnames, and the readings they take as surnames (曾 Zeng, not Ceng).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤游翁庄骆柯蔡洪施"
)
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "乐": "yue",
    "覃": "qin",
}
# A Chinese personal name as the subject of reported speech, after a role word: 首席经济学家王磊表示.
ROLE_NAME_RE = re.compile(
    rf"(?<=[师家管长裁员监席理官人者])([{SURNAMES}](?:(?![时后中已将在对称说表指认也则还并更])[{HAN_RANGES}]){{1,2}}?)"
    r"(?=(?:则|也|还|并|更)?(?:表示|指出|认为|称|说|强调|预计|坦言|直言|提醒|警告|分析|预期|估计|透露))"
)


@dataclass(frozen=True)
class NameMention:
    """A name in the article with a traceable English form, and where that form came from."""

    start: int
    end: int
    zh: str  # the form in the text ("" when the text writes the name in Latin script)
    english: str
    type: EntityType
    source: Literal["glossary", "text", "pinyin"]  # "text": the article's own English


def pinyin_name(simplified: str) -> str:
    """王磊 -> "Wang Lei": the standard romanization of a Mainland personal name (surname first)."""
    from pypinyin import lazy_pinyin  # the well-kept pinyin library; loaded only when a name is found

    syllables = lazy_pinyin(simplified)
    surname = SURNAME_READINGS.get(simplified[0], syllables[0])
    return f"{surname.capitalize()} {''.join(syllables[1:]).capitalize()}"


def _pair_mentions(doc: Document, start: int, end: int) -> list[NameMention]:
    out = [
        NameMention(pos, pos + len(zh), zh, en, "person", "text")
        for zh, en, pos in text_pairs(doc.text, start, end)
    ]
    taken = {m.start for m in out}
    for m in ORG_PAIR_RE.finditer(doc.text, start, end):
        zh, en = m.group(1), m.group(2).strip()
        cut = max(zh.rfind(c) for c in _FUNCTION_CHARS) + 1
        zh, pos = zh[cut:], m.start(1) + cut
        short_caps = en.isupper() and len(en.replace(" ", "")) <= 5 and not _ORG_WORDS.search(zh)
        if len(zh) < 2 or en in NOT_NAMES or short_caps or any(abs(pos - t) < len(zh) for t in taken):
            continue  # a term (人工智能（AI）) or a ticker (微软（MSFT）), or a person already found
        kind: EntityType = "organization" if _ORG_WORDS.search(en) else "company"
        out.append(NameMention(pos, pos + len(zh), zh, en, kind, "text"))
    return out


def _latin_mentions(doc: Document, start: int, end: int) -> list[NameMention]:
    out = []
    for m in LATIN_NAME_RE.finditer(doc.text, start, end):
        name = re.sub(r"\s+US-[A-Z]+$", "", m.group()).rstrip(".")  # "Caterpillar Inc. US-CAT": a ticker
        if (
            name in NOT_NAMES
            or len(name) < 3
            or doc.text[m.end() : m.end() + 3].startswith(("-US", "-TW", "-HK"))
        ):
            continue
        before, after = doc.text[max(0, m.start() - 40) : m.start()], doc.text[m.end() : m.end() + 40]
        if re.search(r"[（(][^（()）]*$", before) and re.match(r"[^（()）]*[)）]", after):
            continue  # inside an English gloss after a Chinese name: the pair has it
        out.append(NameMention(m.start(), m.start() + len(name), "", name, "other", "text"))
    return out


def _pinyin_mentions(doc: Document, start: int, end: int) -> list[NameMention]:
    return [
        NameMention(
            m.start(), m.end(), doc.text[m.start() : m.end()], pinyin_name(m.group()), "person", "pinyin"
        )
        for m in ROLE_NAME_RE.finditer(doc.simplified, start, end)
    ]


def name_mentions(
    doc: Document, glossary: Glossary, start: int = 0, end: int | None = None
) -> list[NameMention]:
    """Every name in doc.text[start:end] with a traceable English form, in text order: glossary terms
    first, then the article's own English (pairs, Latin-script names), then pinyin for a personal
    name the article writes only in Chinese. Where two overlap, the earlier source wins."""
    end = len(doc.text) if end is None else end
    found = [
        NameMention(h.start, h.end, doc.text[h.start : h.end], h.term.english, h.term.type, "glossary")  # type: ignore[arg-type]
        for h in glossary.find(doc.simplified, start, end)
        if h.term.type not in NOT_ENTITIES
    ]
    for extra in (
        _pair_mentions(doc, start, end),
        _latin_mentions(doc, start, end),
        _pinyin_mentions(doc, start, end),
    ):
        for m in extra:
            if not any(o.start < m.end and m.start < o.end for o in found):
                found.append(m)
    return sorted(found, key=lambda m: m.start)


def extract_entities(doc: Document, glossary: Glossary) -> list[Entity]:
    out: dict[str, Entity] = {}
    for para in doc.units:
        for m in name_mentions(doc, glossary, para.start, para.end):
            if m.english in out:
                continue
            zh = m.zh if has_cjk(m.zh) else ""
            out[m.english] = Entity(name_en=m.english, name_zh=zh, type=m.type, source=m.source)
    return list(out.values())
