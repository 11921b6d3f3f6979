"""Numbers in Chinese text: find them with their units and render them in English, deterministically.

The model never writes a figure's value: 5950亿美元 becomes "$595 billion" by arithmetic, not by a
language model that may drop a zero. Handles full-width digits, thousands separators, 万/亿/兆/万亿
scaling (兆 = 10^12, the Taiwan/HK usage in financial news), currencies, %, percentage points, bp, x.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

SCALES = {
    "万亿": Decimal(10) ** 12,
    "兆": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "億": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "萬": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
}
CURRENCIES = {
    "美元": "USD",
    "美金": "USD",
    "人民币": "CNY",
    "人民幣": "CNY",
    "元": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "港幣": "HKD",
    "日元": "JPY",
    "日圓": "JPY",
    "日圆": "JPY",
    "欧元": "EUR",
    "歐元": "EUR",
    "新台币": "TWD",
    "新台幣": "TWD",
    "台币": "TWD",
    "台幣": "TWD",
    "英镑": "GBP",
    "英鎊": "GBP",
}
_NUM = r"[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?"
FIGURE_RE = re.compile(
    # Not after a Latin letter: the digits of a name (DeepSeek R1, GPT-4, H100) are not figures.
    rf"(?<![A-Za-z0-9０-９.．])(?P<num>{_NUM})\s*(?P<scale>万亿|萬億|兆|亿|億|万|萬|千)?\s*"
    rf"(?P<unit>美元|美金|人民币|人民幣|港元|港币|港幣|日元|日圓|日圆|欧元|歐元|新台币|新台幣|台币|台幣|英镑|英鎊|元|"
    rf"%|％|个百分点|個百分點|基点|基點|个基点|個基點|倍|[xX](?![A-Za-z]))?"
)
# The currency may come first: "US$5 billion", "人民币1.5万亿元", "新台幣約520億元" (where the 元 after the
# number is only the generic "dollars/yuan" and the prefix says which).
PREFIX_UNITS = {"US$": "USD", "HK$": "HKD", "NT$": "TWD", "$": "USD", "¥": "JPY", "€": "EUR", **CURRENCIES}
PREFIX_CURRENCY_RE = re.compile(
    "("
    + "|".join(re.escape(k) for k in sorted(PREFIX_UNITS, key=len, reverse=True) if k != "元")
    + r")\s*(?:约|約|逾|近|超过|超過|达|達|高达|高達)?\s*$"
)


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    surface: str
    value: Decimal  # in base units (e.g. USD, not billions)
    unit: str  # USD, CNY, ..., "%", "percentage points", "bp", "x", "count"

    def english(self) -> str:
        return render(self.value, self.unit)


def _to_decimal(num: str) -> Decimal | None:
    s = unicodedata.normalize("NFKC", num).replace(",", "").replace("，", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def find_figures(text: str, start: int = 0, end: int | None = None) -> list[Figure]:
    end = len(text) if end is None else end
    out = []
    for m in FIGURE_RE.finditer(text, start, end):
        value = _to_decimal(m.group("num"))
        if value is None:
            continue
        scale, unit_zh = m.group("scale"), m.group("unit")
        if scale:
            value *= SCALES["万亿" if scale in ("万亿", "萬億") else scale]
        prefix = PREFIX_CURRENCY_RE.search(text[max(0, m.start() - 8) : m.start()])
        if unit_zh in CURRENCIES and not (unit_zh == "元" and prefix):
            unit = CURRENCIES[unit_zh]
        elif unit_zh in ("%", "％"):
            unit = "%"
        elif unit_zh and "百分" in unit_zh:
            unit = "percentage points"
        elif unit_zh and "基" in unit_zh:
            unit = "bp"
        elif unit_zh in ("倍", "x", "X"):
            unit = "x"
        else:
            unit = PREFIX_UNITS[prefix.group(1)] if prefix else "count"
        end_pos = m.end()
        while end_pos > m.start() and text[end_pos - 1].isspace():
            end_pos -= 1
        out.append(Figure(m.start(), end_pos, text[m.start() : end_pos], value, unit))
    return out


def _fmt(d: Decimal) -> str:
    q = d.quantize(Decimal("0.001")).normalize()
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _scaled(value: Decimal) -> str:
    for size, word in (
        (Decimal(10) ** 12, "trillion"),
        (Decimal(10) ** 9, "billion"),
        (Decimal(10) ** 6, "million"),
    ):
        if abs(value) >= size:
            return f"{_fmt(value / size)} {word}"
    if value == value.to_integral_value() and abs(value) >= 10000:
        return f"{int(value):,}"
    return _fmt(value)


SYMBOL = {"USD": "$", "HKD": "HK$", "TWD": "NT$", "EUR": "€", "GBP": "£"}
WORD = {"CNY": "yuan", "JPY": "yen"}


def render(value: Decimal, unit: str) -> str:
    if unit in SYMBOL:
        return f"{SYMBOL[unit]}{_scaled(value)}"
    if unit in WORD:
        return f"{_scaled(value)} {WORD[unit]}"
    # Ratios keep the precision the source wrote ("22.0x" stays "22.0x").
    if unit == "%":
        return f"{value}%"
    if unit == "percentage points":
        return f"{value} percentage points"
    if unit == "bp":
        return f"{value} basis points"
    if unit == "x":
        return f"{value}x"
    return _scaled(value)


# --- numbers written out in Chinese (三, 十二, 两百, 一千五百万) --------------------------------------
_CN_DIGITS = {
    **{"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4},
    **{"五": 5, "六": 6, "七": 7, "八": 8, "九": 9},
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_NUMERAL_RE = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")


def _cn_value(s: str) -> int | None:
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch in _CN_BIG:
            total = (total + section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
    value = total + section + (digit or 0)
    return value if value or "零" in s or "〇" in s else None


def chinese_numeral_values(text: str) -> set[Decimal]:
    """Values of numbers spelled with Chinese numerals, including digit-by-digit years (二〇一九)."""
    out: set[Decimal] = set()
    text = re.sub(r"百分|十分|万一|一些|一直|一起|统一|唯一|一样|一般|一致|一定", "  ", text)  # not numbers
    for m in CN_NUMERAL_RE.finditer(text):
        s = m.group(0)
        if all(ch in _CN_DIGITS for ch in s) and len(s) > 1:
            out.add(Decimal("".join(str(_CN_DIGITS[ch]) for ch in s)))  # 二〇一九 = 2019
        value = _cn_value(s)
        if value is not None:
            out.add(Decimal(value))
            if text.startswith("成", m.end()) and value <= 10:
                out.add(Decimal(value) * 10)  # 三成 = 30%
    return out


@lru_cache(maxsize=64)
def source_values(text: str) -> frozenset[Decimal]:
    """Every value a faithful English rendering of `text` may write in digits: figures scaled by
    their Chinese unit (5950亿 -> 5.95e11), the bare number as written (5950), and spelled-out numerals.
    Cached: a summary checks every bullet, and every repair, against the same article."""
    out = chinese_numeral_values(text)
    for m in re.finditer(_NUM, text):
        d = _to_decimal(m.group(0))
        if d is not None:
            out.add(d)
    out.update(f.value for f in find_figures(text))
    return frozenset(out)


# --- numbers written in English ("$595 billion", "3.5 percentage points", "1,200") ---------------------
EN_SCALES = {
    **{"thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6},
    **{"billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12},
}
EN_NUMBER_RE = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th|s)?"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|mn|bn|tn)\b|(?P<short>[mbk])\b)?",
    re.I,
)


@dataclass(frozen=True)
class EnglishNumber:
    surface: str
    value: Decimal  # scaled: "595 billion" -> 5.95e11
    written: Decimal  # as written: 595


def english_numbers(text: str) -> list[EnglishNumber]:
    out = []
    for m in EN_NUMBER_RE.finditer(text):
        written = Decimal(m.group("num").replace(",", ""))
        scale = (m.group("scale") or m.group("short") or "").lower()
        out.append(EnglishNumber(m.group(0), written * EN_SCALES.get(scale, 1), written))
    return out


def same_number(a: Decimal, b: Decimal) -> bool:
    """Equal, or equal after the rounding an English rendering may apply (595.3 billion -> 595 billion;
    at most 1% off, and only for numbers large enough that rounding is normal)."""
    if a == b:
        return True
    big = max(abs(a), abs(b))
    return big >= 100 and abs(a - b) <= big * Decimal("0.01")


_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
WORD_VALUES = {
    **{w: i for i, w in enumerate(_WORDS)},
    **{w: i for i, w in enumerate(_ORDINALS)},
    **{w: i + 1 for i, w in enumerate(_MONTHS)},
    **{"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90},
    **{"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12},
    **{"dozen": 12, "half": 50, "double": 2, "twice": 2, "triple": 3, "once": 1, "single": 1},
    **{"decade": 10, "century": 100, "percent": 100, "quarter": 25},
}


def english_values(text: str) -> set[Decimal]:
    """Every value the English states, in digits or in words (a faithful "three years" for 三年)."""
    out: set[Decimal] = set()
    for n in english_numbers(text):
        out.update((n.value, n.written))
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in WORD_VALUES:
            out.add(Decimal(WORD_VALUES[w]))
    return out


def conversions(text: str, limit: int = 12) -> str:
    """ "240万 = 2.4 million; 5950亿美元 = $595 billion": the figures whose English differs from how
    the Chinese writes them, as a hint line. A small model copies a given rendering far more
    reliably than it scales 万 and 亿 itself."""
    pairs = {f.surface: f.english() for f in find_figures(text) if f.english() != f.surface}
    return "; ".join(f"{k} = {v}" for k, v in list(pairs.items())[:limit])
