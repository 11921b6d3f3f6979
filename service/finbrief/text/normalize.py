"""Normalization: detect the script and separate the article body from page boilerplate,
keeping every offset into the text exactly as received."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import EmptyText, NotChinese, TextTooShort
from ..schemas import Script
from .script import cjk_count, detect_script, has_cjk, simplified_aligned, to_simplified
from .segments import Segment, lines

# Whole lines that are page furniture, not article content. Checked on Simplified text.
BOILERPLATE_LINE_RES = [
    re.compile(p)
    for p in (
        r"^(免责)?声明[:：]",
        r"^免责声明",
        r"^原文(链接|地址)[:：]",
        r"^(来源|作者|编辑|责任编辑|责编)[:：]?\s*\S{0,30}$",
        r"^(来源|source)$",
        r"^(喜欢|收藏|评论|分享|点赞|转发|打赏|关注|举报|返回顶部|avatar)(\s+\S{1,6})*$",
        r"(新浪首页|语音播报|相关新闻|返回顶部|更多自媒体作者|自媒体联盟)",
        r"^(本文|本文为|以上内容).{0,40}(转载|观点|不构成|投资建议)",
        r"不构成(任何)?投资建议",
        r"^\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?(\s+\d{1,2}:\d{2})?$",
        r"^https?://\S+$",
        r"^\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(\s+\S{1,12})?$",
        r"^(APP|app)?\s*(下载|扫码)",
    )
]


@dataclass
class Document:
    """The article as received plus what normalization learned about it."""

    text: str
    script: Script
    title: Segment | None
    body: list[Segment]  # kept paragraphs, in order
    dropped: list[tuple[Segment, str]] = field(default_factory=list)
    simplified: str = ""  # same length as text: offsets carry over

    @property
    def units(self) -> list[Segment]:
        """The title (where there is one) and the kept paragraphs, in order: what is read."""
        return self.body if self.title is None else [self.title, *self.body]

    def body_text(self) -> str:
        return "\n".join(p.text for p in self.body)


def _boilerplate_reason(line: Segment, simp: str, seen: set[str]) -> str | None:
    s = simp[line.start : line.end]
    if not has_cjk(s):
        # An English line in a Chinese article is a page title or furniture; seed 000's own English
        # title misnames its subject, so it must never reach the model.
        return "not-chinese"
    if s in seen:
        return "repeated"
    for rx in BOILERPLATE_LINE_RES:
        if rx.search(s):
            return "boilerplate"
    if cjk_count(s) <= 4 and not re.search(r"[。！？，,]", s):
        return "fragment"  # bylines, outlet names, lone labels
    return None


def normalize(text: str, title: str | None = None, *, min_chars: int = 20) -> Document:
    if not text or not text.strip():
        raise EmptyText("the text is empty")
    script = detect_script(text)
    if script == "not-chinese":
        raise NotChinese(
            "the text is not Chinese: finbrief briefs Chinese (Simplified or Traditional) articles",
            detail={"han_characters": cjk_count(text)},
        )
    if cjk_count(text) < min_chars:
        raise TextTooShort(
            f"the text has fewer than {min_chars} Chinese characters: too short to brief",
            detail={"min": min_chars},
        )
    simp = simplified_aligned(text)
    seen: set[str] = set()
    if title:
        seen.add(to_simplified(title.strip()))
    doc_title: Segment | None = None
    body: list[Segment] = []
    dropped: list[tuple[Segment, str]] = []
    for line in lines(text):
        reason = _boilerplate_reason(line, simp, seen)
        if reason is None and doc_title is None and not body and title is None and _looks_like_title(line):
            doc_title = line
        elif reason is None:
            body.append(line)
        else:
            dropped.append((line, reason))
        seen.add(simp[line.start : line.end])
    if not body and doc_title is not None:  # one short line without 。 is the article, not its title
        body, doc_title = [doc_title], None
    if not body:
        raise EmptyText("no article text is left after removing page boilerplate")
    return Document(text=text, script=script, title=doc_title, body=body, dropped=dropped, simplified=simp)


def _looks_like_title(line: Segment) -> bool:
    return len(line.text) <= 80 and not re.search(r"[。]$", line.text)
