"""Checks of an English rendering against the one source span it rests on (a bullet, a headline, an
evidence translation): the direction of a move, the force of a negation or hedge, and the currency
of an amount must be the span's own. A rendering can use only words that exist *somewhere* in an
article and still say the opposite of the sentence it came from; these compare it with that sentence.

Every function takes the span in Simplified Chinese and the English, and returns problems (empty =
pass). They are deliberately lenient where a span says both things (a fall and a rebound): they exist
to catch a flip, not to grade style.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..text.figures import find_figures
from ..text.glossary import Glossary
from ..text.scopes import DOUBLE_NEG_RE, HEDGE_RE, negation_scopes
from .subjects import figure_subject_kept

# --- direction ------------------------------------------------------------------------------
ZH_UP = re.compile(
    r"涨|升(?!级)|走高|反弹|攀升|攀高|冲高|拉高|高开|收复|上扬|走强|劲扬|收高|扬升|回升|新高|突破|增长|增加|飙|劲升|"
    r"走升|拉升|大增|转强"
)
ZH_DOWN = re.compile(
    r"跌|降|抛售|卖压|走低|回落|下挫|挫|走弱|下滑|收低|跳水|崩|贬|萎缩|蒸发|失守|回调|新低|下探|低迷|减少|缩水|转弱|腰斩|走软"
)
EN_UP = re.compile(
    r"\b(?:ris(?:e|es|ing)|rose|risen|gain(?:s|ed|ing)?|climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|surg(?:e|es|ed|ing)|"
    r"soar(?:s|ed|ing)?|rall(?:y|ies|ied|ying)|rebound(?:s|ed|ing)?|advanc(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|"
    r"higher|strengthen(?:s|ed|ing)?|stronger|appreciat\w*|spik(?:e|es|ed|ing)|record high|up by)\b",
    re.I,
)
EN_DOWN = re.compile(
    r"\b(?:fall(?:s|ing|en)?|fell|drop(?:s|ped|ping)?|declin(?:e|es|ed|ing)|slid(?:e|es|ing)?|slump(?:s|ed|ing)?|"
    r"plung(?:e|es|ed|ing)|tumbl(?:e|es|ed|ing)|sank|sink(?:s|ing)?|lower|lost|los(?:e|es|ing)|crash(?:es|ed|ing)?|"
    r"retreat(?:s|ed|ing)?|weaken(?:s|ed|ing)?|weaker|depreciat\w*|dipp?(?:s|ed|ing)?|sell-?off|sold off|"
    r"decreas(?:e|es|ed|ing)|record low|down by)\b",
    re.I,
)


_COMPARISON = re.compile(r"\b(?:higher|lower|stronger|weaker)\s+than\b", re.I)


def direction_agrees(span_zh: str, english: str) -> list[str]:
    """A rise in the English needs a rise in the span, a fall a fall (an index's sharp rise reported
    as a fall). A span that reports both passes either way."""
    if _USD_JPY_QUOTE.search(span_zh):  # a quote's number and its currency move apart: see below
        return []
    up, down = bool(ZH_UP.search(span_zh)), bool(ZH_DOWN.search(span_zh))
    moves = _COMPARISON.sub(" ", english)  # "higher than expected" compares; it reports no move
    en_up, en_down = EN_UP.search(moves), EN_DOWN.search(moves)
    if en_up and down and not up:
        return [f"direction flipped: {en_up.group()!r}, where the source reports a fall"]
    if en_down and up and not down:
        return [f"direction flipped: {en_down.group()!r}, where the source reports a rise"]
    return []


# A quote of yen per dollar ("美元兑日元升至152", "日圆贬至152"): the number going up is the yen
# getting weaker.
_USD_JPY_QUOTE = re.compile(r"美元兑日[元圆币]|日[元圆币]兑(?:1|一)?美元|日[元圆币]汇率")
_ZH_YEN_STRONG = re.compile(r"日[元圆币][^，,。；]{0,6}(?:升值|走强|走升|反弹|强势)")
_EN_YEN_STRONG = re.compile(
    r"\byen\b[^.;,]{0,30}\b(?:rose|rises|rising|gain\w*|strengthen\w*|stronger|appreciat\w*|climb\w*|jump\w*|"
    r"surg\w*|soar\w*|rall\w*|rebound\w*)|\b(?:strong|stronger)(?:er)? yen\b",
    re.I,
)
_ZH_YIELD = re.compile(r"收益率|殖利率|孳息")
_ZH_BOND_PRICE = re.compile(r"债价|债券价格|公债价格|国债价格|债市上涨|债市下跌")
_EN_BOND_PRICE = re.compile(
    r"\bbond prices?\b|\bprices? of (?:the )?bonds?\b|\bbonds? (?:rallied|surged|rose|fell)\b", re.I
)


def quotes_read_right(span_zh: str, english: str) -> list[str]:
    """Quotes that invert: a higher yen-per-dollar quote is a weaker yen; a bond's yield moves
    against its price."""
    out = []
    if _USD_JPY_QUOTE.search(span_zh) and ZH_UP.search(span_zh) and not _ZH_YEN_STRONG.search(span_zh):
        m = _EN_YEN_STRONG.search(english)
        if m:
            out.append(f"yen direction flipped: {m.group()!r}; a higher yen-per-dollar quote is a weaker yen")
    if _ZH_YIELD.search(span_zh) and not _ZH_BOND_PRICE.search(span_zh):
        m = _EN_BOND_PRICE.search(english)
        if m:
            out.append(f"yields are not prices: {m.group()!r}, where the source reports bond yields")
    return out


# --- negation and modality ------------------------------------------------------------------
EN_NEGATION = re.compile(
    r"\bnot\b|n't|\bno\b|\bnor\b|\bnever\b|\bneither\b|rather than|instead of|unrelated|"
    r"den(?:y|ied|ies|ying)|dismiss\w*|reject\w*|\bwithout\b|little to do|nothing to do|unaffected|"
    r"\bdespite\b",
    re.I,
)
_EN_DENIAL = re.compile(r"\b(?:den(?:y|ied|ies|ying)|dismiss\w*|reject\w*)\b", re.I)
_EN_RULED_OUT = re.compile(r"\brul(?:e|es|ed|ing) out\b", re.I)
_EN_NOT_RULED_OUT = re.compile(
    r"(?:not|n't|refus\w*|declin\w*|unwilling|fail\w*)\s+(?:\w+\s+){0,2}(?:to\s+)?rul(?:e|es|ed|ing) out",
    re.I,
)
# Hedges that keep a claim but not as fact: may, could, expected to, feared.
EN_HEDGE = re.compile(
    r"\b(?:may|might|could|possib\w*|likely|unlikely|expect\w*|would|potential\w*|risk\w*|fear\w*|concern\w*|"
    r"worr\w*|if|forecast\w*|predict\w*|project\w*|outlook|warn\w*|anticipat\w*|seen as|chance|prospect\w*|"
    r"hope\w*|bet\w*|uncertain\w*|threat\w*|estimat\w*|rul(?:e|ed|ing) out)\b",
    re.I,
)


def negation_kept(span_zh: str, english: str) -> list[str]:
    """不排除/拒绝排除 (refuses to rule out) must not become a denial; a denied cause (而非, 并非,
    与…无关, 否认) must keep its "not" (a rejected cause stated as the cause)."""
    out = []
    double = [m.group() for m in DOUBLE_NEG_RE.finditer(span_zh) if "排除" in m.group()]
    if double:
        if _EN_DENIAL.search(english):
            out.append(f"negation reversed: the source does not rule it out ({double[0]}); English denies it")
        elif _EN_RULED_OUT.search(english) and not _EN_NOT_RULED_OUT.search(english):
            out.append(f"negation reversed: the source does not rule it out ({double[0]}); the English does")
    if negation_scopes(span_zh, 0, len(span_zh)) and not EN_NEGATION.search(english):
        out.append("negation lost: the source denies something, the English has no 'not'")
    return out


def hedge_kept(span_zh: str, english: str) -> list[str]:
    """A span that only says something may happen or is feared must not come back as fact."""
    m = HEDGE_RE.search(span_zh)
    if m and not EN_HEDGE.search(english):
        return [f"hedge lost: the source says {m.group()} (may, expected, feared); English says it as fact"]
    return []


# --- currency ---------------------------------------------------------------------------------
_NOT_BARE_YUAN = "美港台日欧韩澳加新坡币"
CURRENCIES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "NT dollars",
        re.compile(r"NT\$|\bNTD\b|(?:New )?Taiwan(?:ese)? dollars?", re.I),
        re.compile("台币|台湾元"),
    ),
    ("HK dollars", re.compile(r"HK\$|\bHKD\b|Hong Kong dollars?", re.I), re.compile(r"港元|港币|港纸")),
    (
        "yuan",
        re.compile(r"\byuan\b|\brenminbi\b|\bRMB\b|\bCNY\b|\bCNH\b", re.I),
        # a bare 元 is yuan only where the span names no other currency (新台币520亿元 is NT$)
        re.compile(
            rf"人民币|^(?!.*(?:台币|港币|港元|日元|日圆|美元|欧元|韩元)).*(?<![{_NOT_BARE_YUAN}])元(?!素)"
        ),
    ),
    ("yen", re.compile(r"\byen\b|\bJPY\b", re.I), re.compile(r"日元|日圆|日币")),
    ("euros", re.compile(r"\beuros?\b|€|\bEUR\b", re.I), re.compile(r"欧元")),
    ("won", re.compile(r"\d\s*(?:(?:b|m|tr)illion\s*)?won\b|\bKRW\b", re.I), re.compile(r"韩元|韩圜")),
    (
        "US dollars",
        re.compile(r"(?<![A-Z])\$|\bUS dollars?\b|\bUSD\b|\bdollars?\b(?!.{0,3}yen)", re.I),
        re.compile(r"美|\$|USD"),  # 美元, 美金; lenient: 美股's amounts are dollars
    ),
)


def currency_traceable(span_zh: str, english: str) -> list[str]:
    """An amount's currency is the span's own (a New Taiwan dollar amount is not yuan, nor $)."""
    text = re.sub(r"NT\$|HK\$|US\$|A\$|C\$|S\$", lambda m: m.group()[:-1] + "#", english)
    out = []
    for name, en_rx, zh_rx in CURRENCIES:
        probe = english if name != "US dollars" else text
        m = en_rx.search(probe)
        if m and not zh_rx.search(span_zh):
            out.append(f"currency not in the source: {m.group()!r} ({name})")
    return out


_EN_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)


def percent_is_percent(span_zh: str, english: str) -> list[str]:
    """A percentage in the English is a percentage in the span: "up 8.48 美元, or 9.2%" is not "up
    8.48%". (The numbers check compares values only, so a dollar change passes as a percent.)"""
    figures = find_figures(span_zh)
    percents = {f.value for f in figures if f.unit in ("%", "percentage points")}
    others = {f.value for f in figures if f.unit not in ("%", "percentage points")}
    out = []
    for m in _EN_PERCENT.finditer(english):
        value = Decimal(m.group(1))
        near = any(abs(value - p) < Decimal("0.5") for p in percents)
        if not near and value in others:
            out.append(f"unit changed: {m.group()!r}, where the source's {m.group(1)} is not a percentage")
    return out


# --- terms with an opposite -------------------------------------------------------------------
# Pairs of opposite terms: (name, the span's words, the English words) for each side. An English
# word for one side where the span names only the other is a flip that every word of which exists
# somewhere in an article (deflation rendered "inflation", a central bank buying bonds "selling").
Side = tuple[str, re.Pattern[str], re.Pattern[str]]
OPPOSITES: tuple[tuple[Side, Side], ...] = (
    (
        ("deflation", re.compile(r"通缩|通货紧缩"), re.compile(r"\bdeflation", re.I)),
        ("inflation", re.compile(r"通胀|通货膨胀|通膨"), re.compile(r"\binflation", re.I)),
    ),
    (
        (
            "a rate cut",
            re.compile(r"降息|减息"),
            re.compile(
                r"\brate cuts?\b|\bcut(?:s|ting)? (?:interest )?rates\b|\blower(?:s|ed|ing)? rates\b", re.I
            ),
        ),
        (
            "a rate hike",
            re.compile(r"加息|升息"),
            re.compile(
                r"\brate (?:hikes?|increases?)\b|\b(?:rais|hik)(?:e|es|ed|ing) (?:interest )?rates\b", re.I
            ),
        ),
    ),
    (
        (
            "buying",
            re.compile(r"买入|买进|购买|购入|增持|抄底|买超|净买|回购"),
            re.compile(r"\b(?:buy|buys|buying|bought|purchas\w+)\b", re.I),
        ),
        (
            "selling",
            re.compile(r"卖出|抛售|减持|出售|沽售|卖超|净卖|抛压|卖压"),
            # "sell-off" and "sold off" are a market's fall, said of any decline
            re.compile(r"\b(?:sell|sells|selling)\b(?!-?\s?off)|\bsold\b(?!\s?off)", re.I),
        ),
    ),
    (
        ("an inflow", re.compile(r"流入"), re.compile(r"\binflows?\b", re.I)),
        ("an outflow", re.compile(r"流出|外流|外逃|撤离"), re.compile(r"\boutflows?\b", re.I)),
    ),
    (
        ("a surplus", re.compile(r"顺差|盈余"), re.compile(r"\bsurplus", re.I)),
        ("a deficit", re.compile(r"逆差|赤字"), re.compile(r"\bdeficits?\b", re.I)),
    ),
    (
        (
            "an upgrade",
            re.compile(r"上调[^，,。]{0,8}评级|调升[^，,。]{0,8}评级|评级上调"),
            re.compile(r"\bupgrad", re.I),
        ),
        (
            "a downgrade",
            re.compile(r"下调[^，,。]{0,8}评级|调降[^，,。]{0,8}评级|评级下调|降级"),
            re.compile(r"\bdowngrad", re.I),
        ),
    ),
)


def opposites_kept(span_zh: str, english: str) -> list[str]:
    """A term with an opposite says what the span says: not "inflation" where the span says only
    通缩, not "selling" where it says only 购买. A span, or an English, that names both sides
    ("sold more than they bought") passes either way."""
    out = []
    for pair in OPPOSITES:
        for (name, zh_rx, en_rx), (other, other_zh, other_en) in (pair, pair[::-1]):
            said = en_rx.search(english)
            if said and other_zh.search(span_zh) and not (zh_rx.search(span_zh) or other_en.search(english)):
                out.append(f"opposite term: {said.group()!r} ({name}), where the source says {other}")
    return out


def span_problems(span_zh: str, english: str, glossary: Glossary | None = None) -> list[str]:
    """The per-span checks a rendering of one source span must pass, beyond the article-wide ones;
    with the glossary, also whose figure is whose."""
    return (
        (figure_subject_kept(span_zh, english, glossary) if glossary is not None else [])
        + direction_agrees(span_zh, english)
        + quotes_read_right(span_zh, english)
        + opposites_kept(span_zh, english)
        + negation_kept(span_zh, english)
        + hedge_kept(span_zh, english)
        + currency_traceable(span_zh, english)
        + percent_is_percent(span_zh, english)
    )
