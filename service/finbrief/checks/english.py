"""Checks on English text against the source's names: no Chinese left, no person or company the
source does not name, Latin-script names kept as written, whole sentences."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..text.glossary import Glossary
from ..text.script import CJK_RE


def leftover_chinese(english: str) -> list[str]:
    return (
        [f"Chinese characters in English text: {''.join(CJK_RE.findall(english))[:20]}"]
        if CJK_RE.search(english)
        else []
    )


# Surnames many people share (Chinese in pinyin, Wade-Giles and Cantonese; Korean; Southeast Asian
# Chinese): "Su" or "Lee" in an English sentence is no sign of Lisa Su or John Lee, so for these the
# whole name must appear before a person counts as named.
_SHARED = (
    """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie
    Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su Wei Lu Ding
    Ren Shen Yao Cui Zhong Tan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan
    Duan Lei Hou Long Tao Gu Mao Hao Gong Shao Wan Qian Dai Mo Kong Xiang Weng Zhuang Hong Shan Lee Wong
    Chan Cheung Chang Tsai Hsu Kuo Ho Kao Lo Hsieh Sung Teng Tsao Tseng Hsiao Tung Chiang Tu Yeh Ting Jen
    Tsui Chung Chin Shih Chia Hsia Pai Tsou Hsiung Chiu Hsueh Yen Tuan Lung Ku Kung Chien Tai Hsiang
    Chuang Hung Lam Ng Chow Leung Yip Tse Lau Kwok Fung Mak Choi Kwan Tam Yeung Chu Siu Poon Ko Lai Law
    Tsang Kim Park Jung Kang Cho Yoon Jang Lim Oh Seo Shin Kwon Hwang Ahn Yoo Jeon Moon Goh Teo Ong Koh
    Chua Wee Toh Yeo"""
)
SHARED_SURNAMES = frozenset(_SHARED.split())


def unsupported_names(english: str, glossary: Glossary, present: set[str]) -> list[str]:
    """Known people and organizations the source does not mention must not appear in the English (the
    "Janet Yellen" failure: a real person, confidently wrong; "Morgan Stanley" for 摩根大通).
    `present` = English names of glossary terms found in the source. A person's surname counts, unless
    it is also part of a present name; an organization's whole name counts, unless it is part of a
    present name ("US Treasury" in "US Treasury Secretary")."""
    problems = []
    present_words = {w for name in present for w in name.split()}
    # a name inside a longer one the English says is not said on its own: "Bank of China" in
    # "People's Bank of China"
    said = [
        t.english for t in glossary.terms if t.type in ("company", "organization") and t.english in english
    ]
    for term in glossary.terms:
        if term.english in present:
            continue
        if term.type == "person":
            surname = term.english.split()[-1]
            named = term.english if surname in SHARED_SURNAMES else surname
            if surname not in present_words and _word_in(named, english):
                problems.append(f"names {term.english}, who is not in the article")
        elif (
            term.type in ("company", "organization")
            and not any(term.english in name for name in present)
            and _names_org(term.english, english)
            and not any(term.english in longer and term.english != longer for longer in said)
        ):
            problems.append(f"names {term.english}, which is not in the article")
    return problems


def names_traceable(simplified_zh: str, english: str, glossary: Glossary) -> list[str]:
    """Every known person the source names appears under their canonical name (a surname is enough),
    no known-wrong rendering appears, and no known person the source does not name appears."""
    hits = glossary.find(simplified_zh)
    present = {h.term.english for h in hits}
    problems = unsupported_names(english, glossary, present)
    for hit in hits:
        term = hit.term
        if term.type == "person" and not _word_in(term.english.split()[-1], english):
            problems.append(f"names {simplified_zh[hit.start : hit.end]} but not as {term.english}")
    for term in glossary.terms:
        problems += [
            f"known-wrong rendering: {bad!r} (for {term.english})" for bad in term.avoid if bad in english
        ]
    return list(dict.fromkeys(problems))


# A Latin-script word of the source: a name, a ticker, a domain ("Dyteon", "CME", "weather.com").
LATIN_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’&.\-]*[A-Za-zÀ-ÿ0-9]")


def latin_words_kept(zh: str, english: str) -> list[str]:
    """Latin-script words the source already writes (names, tickers) appear in the translation as
    written: a small model "corrects" them ("Dyteon" -> "Dyeton") or drops them. Case and accents
    are ignored ("APP" -> "app", "Andres" -> "Andrés")."""
    target = _fold(english)
    words = dict.fromkeys(m.group().rstrip(".") for m in LATIN_WORD_RE.finditer(zh))
    missing = [w for w in words if not _kept(_fold(w), target)]
    return [f"the source's {w!r} is not in the translation (copy it as written)" for w in missing]


def _kept(word: str, target: str) -> bool:
    # An inflection still keeps the word ("tweet" -> "tweeted"); a longer word does not ("CME" -> "CMEG").
    # Dotted abbreviations may come back spaced or without dots ("U.S." -> "U. S.", "N.F.L." -> "NFL").
    forms = {word}
    if "." in word:
        forms.add(word.replace(".", ""))
        target += " " + re.sub(r"(?<=\.)\s+(?=[a-z]\.)", "", target)
    return any(
        re.search(rf"(?<![a-z0-9]){re.escape(f)}(?:s|es|d|ed|ing|'s|’s)?(?![a-z0-9])", target) for f in forms
    )


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


# "US Treasury yields" names a market, not the department: an organization's name before an
# instrument's is not the organization acting.
_INSTRUMENT = r"\s+(?:yields?|bonds?|notes?|bills?|securities|debt|market|prices?)\b"


def _names_org(name: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])(?!{_INSTRUMENT})", text) is not None


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text) is not None


# Words an English sentence does not end on: a bullet ending on one was cut off (under a grammar that
# bans CJK, a model about to quote 「…」 in Chinese closes the string instead).
_DANGLING_RE = re.compile(
    r"(?:\b(?:a|an|the|to|of|by|with|and|or|for|in|on|at|from|as|that|which|than|due|because|its|their)"
    r"|[,:;(\-–—])\s*$",
    re.I,
)


def complete_sentence(english: str, min_words: int = 1) -> list[str]:
    """A bullet or headline must not stop mid-sentence ("…said the decline was due to a"), nor be a
    fragment ("Goldman Sachs") where a sentence is asked for (min_words)."""
    text = english.strip()
    if len(text.split()) < min_words:
        return [f"not a sentence: {text!r}"]
    return [f"ends mid-sentence: …{text[-30:]!r}"] if _DANGLING_RE.search(text) else []


# Words about the task instead of the article: a small model asked to repair a rendering sometimes
# answers with the prompt ("The Chinese text is translated into English as follows… It has these
# problems: …") or a remark on its input ("The Chinese text is already in English."). News does not
# talk about Chinese text, drafts, translations or the checks it failed.
_TASK_TALK_RE = re.compile(
    r"\b(?:the|this|original|given|source)\s+(?:Chinese\s+)?(?:text|sentence|passage)\s+(?:is|was|says|"
    r"states|means|reads|has|translates|can be)\b|"
    r"\bChinese\s+(?:text|sentence|passage)\b|\btranslat\w*\s+(?:in)?to\s+English\b|"
    r"\bEnglish\s+translation\b|\b(?:draft|corrected)\s+(?:translation|version|bullet)\b|"
    r"\bhas these problems\b|\bfailed these checks\b|\bas follows\s*:|"
    r"^\s*(?:Here is|Sure|I cannot|I'm sorry)\b",
    re.I,
)


def talks_about_the_task(english: str) -> list[str]:
    """A rendering must be of the article, not about the task or its own input."""
    m = _TASK_TALK_RE.search(english)
    return [f"talks about the task, not the article: {m.group()!r}"] if m else []


def english_problems(texts: Iterable[str], glossary: Glossary, present: set[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out += leftover_chinese(t) + unsupported_names(t, glossary, present) + talks_about_the_task(t)
    return out
