"""Who says a sentence, read off its grammar: "<name>…表示/指出/认为", "在<name>看来", "他强调".

A 1.5B model asked who makes a claim answers "author" for most sentences that plainly name their
speaker ("中金公司首席策略师王磊表示，此轮上涨并非…"). Chinese reported speech puts the speaker right
before the reporting verb, so code can read it; the model's answer stands where code finds no
speaker. Only names the article gives in English (glossary terms, "王磊（Wang Lei）" pairs) can
be speakers, so the result is always one of the claimant options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import name_mentions
from .glossary import Glossary
from .normalize import Document
from .scopes import CAUSE_RE, MOVE_RE
from .segments import Segment, split_sentences

# Reporting verbs. 称/说 only after a name-like run (see _speaker_before): "据称" or "所说的" are not
# someone speaking.
REPORT_RE = re.compile(r"表示|认为|指出|强调|警告|写道|提醒|坦言|直言|分析称|解释|称|说")
# "在巴克莱银行以及摩根士丹利的策略师们看来": the speaker is inside the frame.
VIEW_RE = re.compile(r"在([^，,。；;]{1,40}?)看来")
# A pronoun subject, with the adverbs that may follow it: "他强调", "她则进一步指出".
PRONOUN_RE = re.compile(r"^[他她][们們]?(?:则|也|还|更|亦|并|又|同时|进一步|再次)*$")
GLOSS_RE = re.compile(r"[（(][^）)]{1,40}[）)]")
# Role and title words between a name and its verb: "首席经济学家汪涛", "在立法院", "对此".
MAX_SUBJECT_GAP = 12
CLAUSE_BREAK_RE = re.compile(r"[，,。；;：:！？!?「」“”\"]")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    english: str
    person: bool


def mentions(doc: Document, glossary: Glossary, start: int, end: int) -> list[Mention]:
    """People and institutions named in doc.text[start:end], with their traceable English names."""
    return [
        Mention(m.start, m.end, m.english, m.type == "person")
        for m in name_mentions(doc, glossary, start, end)
        if m.type in ("person", "organization", "company")
    ]


def speaker(
    doc: Document, glossary: Glossary, sentence: Segment, paragraph: Segment | None = None
) -> str | None:
    """The English name of whoever the sentence reports, or None when its grammar names nobody."""
    simp = doc.simplified
    frame = VIEW_RE.search(simp, sentence.start, sentence.end)
    if frame:
        inside = mentions(doc, glossary, frame.start(1), frame.end(1))
        if inside:
            return inside[0].english
    for verb in REPORT_RE.finditer(simp, sentence.start, sentence.end):
        clause_start = sentence.start
        for brk in CLAUSE_BREAK_RE.finditer(simp, sentence.start, verb.start()):
            clause_start = brk.end()
        subject = simp[clause_start : verb.start()]
        if PRONOUN_RE.match(subject.strip()) and paragraph is not None:
            return _previous_speaker(doc, glossary, paragraph, sentence)
        found = _speaker_before(doc, glossary, clause_start, verb.start())
        if found:
            return found
    return None


def _speaker_before(doc: Document, glossary: Glossary, start: int, verb: int) -> str | None:
    """The person named nearest before the verb in its clause, else the nearest organization
    ("中金公司首席策略师王磊表示" with no English for 王磊 -> CICC). A name is the subject only if
    little stands between it and the verb, and no event: in "特朗普关税引发的抛售令投资者认为" the
    speaker is the investors, not Trump."""
    named = [
        m for m in mentions(doc, glossary, start, verb) if m.end <= verb and _subject_gap(doc, m.end, verb)
    ]
    people = [m for m in named if m.person]
    pick = (people or named)[-1:] if named else []
    return pick[0].english if pick else None


def _subject_gap(doc: Document, end: int, verb: int) -> bool:
    gap = GLOSS_RE.sub("", doc.simplified[end:verb])  # "王磊（Wang Lei）表示": the gloss is not a gap
    return len(gap) <= MAX_SUBJECT_GAP and not (MOVE_RE.search(gap) or CAUSE_RE.search(gap))


def _previous_speaker(doc: Document, glossary: Glossary, paragraph: Segment, sentence: Segment) -> str | None:
    """'他强调' continues the last named speaker, in this paragraph or the one before it."""
    paras = [*[p for p in doc.body if p.end <= sentence.start][-1:], paragraph]
    earlier = [s for p in paras for s in split_sentences(doc.text, p.start, p.end) if s.end <= sentence.start]
    for prev in reversed(earlier[-3:]):
        found = speaker(doc, glossary, prev)
        if found:
            return found
    return None
