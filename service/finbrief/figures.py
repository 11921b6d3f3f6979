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
    "英镑": "GBP",
    "英鎊": "GBP",
}
_NUM = r"[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?"
FIGURE_RE = re.compile(
    rf"(?P<num>{_NUM})\s*(?P<scale>万亿|萬億|兆|亿|億|万|萬|千)?\s*"
    rf"(?P<unit>美元|美金|人民币|人民幣|港元|港币|港幣|日元|日圓|日圆|欧元|歐元|新台币|新台幣|台币|英镑|英鎊|元|"
    rf"%|％|个百分点|個百分點|基点|基點|个基点|個基點|倍|[xX](?![A-Za-z]))?"
)
# "美元" sometimes precedes: "1,000亿美元" is the common order, but also "US$"/"$" prefixes.
PREFIX_CURRENCY_RE = re.compile(r"(US\$|\$|HK\$|¥|€|人民币|人民幣)\s*$")
PREFIX_UNITS = {
    "US$": "USD",
    "$": "USD",
    "HK$": "HKD",
    "¥": "JPY",
    "€": "EUR",
    "人民币": "CNY",
    "人民幣": "CNY",
}


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
        if unit_zh in CURRENCIES:
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
            prefix = PREFIX_CURRENCY_RE.search(text[max(0, m.start() - 4) : m.start()])
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


SYMBOL = {"USD": "$", "HKD": "HK$", "EUR": "€", "GBP": "£"}
WORD = {"CNY": "yuan", "JPY": "yen", "TWD": "New Taiwan dollars"}


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
