"""Whose figure is it: checks/subjects.py, in both scripts."""

from __future__ import annotations

import pytest

from finbrief.checks.subjects import figure_subject_kept
from finbrief.text.glossary import Glossary
from finbrief.text.script import to_simplified, to_traditional

GLOSSARY = Glossary.load()
YEN = "升息后，日元兑欧元、美元和澳币分别下跌了 1.3%、1.4% 和 1.5%"
DOW = "道琼斯工业指数下跌890点，标普500指数跌2.7%。"


def check(zh: str, en: str, traditional: bool) -> list[str]:
    # the checks read Simplified text; a Traditional source reaches them converted
    source = to_simplified(to_traditional(zh)) if traditional else zh
    return figure_subject_kept(source, en, GLOSSARY)


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("zh", "en"),
    [
        # a quote's counter currencies are not its subject
        (YEN, "The dollar fell 1.4% and the euro 1.3%"),
        # one company's fall given to another
        ("腾讯股价大跌12.35%，网易跌幅更是高达22.56%。", "NetEase shares plunged 12.35%"),
        # an index's points given to a stock
        ("上证指数上涨30点，贵州茅台跌2%。", "Kweichow Moutai gained 30 points"),
        # named after the figure
        (DOW, "Stocks fell 2.7% on the Dow Jones Industrial Average"),
    ],
)
def test_a_figure_given_to_another_subject_is_flagged(zh: str, en: str, traditional: bool) -> None:
    assert any("wrong subject" in p for p in check(zh, en, traditional))


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize(
    ("zh", "en"),
    [
        (YEN, "The yen fell 1.4% against the dollar"),
        ("腾讯股价大跌12.35%，网易跌幅更是高达22.56%。", "Tencent fell 12.35% and NetEase 22.56%"),
        (DOW, "The Dow lost 890 points; the S&P 500 fell 2.7%"),
        (DOW, "Stocks fell by 890 points on the Dow and 2.7% on the S&P 500"),
        # no subject on one side: nothing to compare
        ("腾讯股价大跌12.35%，网易跌幅更是高达22.56%。", "Shares fell as much as 22.56%"),
        # a figure the span has twice is ambiguous: another check's business
        ("腾讯跌2%，网易跌2%。", "NetEase fell 2%"),
    ],
)
def test_a_figure_with_its_own_subject_passes(zh: str, en: str, traditional: bool) -> None:
    assert check(zh, en, traditional) == []


@pytest.mark.parametrize("traditional", [False, True], ids=["zh-Hans", "zh-Hant"])
def test_a_company_figure_given_to_the_market_is_flagged(traditional: bool) -> None:
    zh = "腾讯股价大跌12.35%，港股收低。"
    flagged = check(zh, "Hong Kong stocks fell 12.35%", traditional)
    assert any("not stocks" in p for p in flagged)
    assert check(zh, "Tencent shares fell 12.35% as Hong Kong stocks closed lower", traditional) == []
    # an index's figure is the market's
    assert check("恒生指数下跌2%。", "Hong Kong stocks fell 2%", traditional) == []
