"""The numbers and names checks shared by briefs and translations (pure functions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finbrief import checks
from finbrief.text.figures import chinese_numeral_values, english_numbers, source_values
from finbrief.text.glossary import Glossary, parse_tsv


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("英伟达市值蒸发5950亿美元", "Nvidia lost $595 billion in market value"),
        ("美债规模达36万亿美元", "US debt reached $36 trillion"),
        ("台積電市值達新台幣２０兆元", "TSMC is worth NT$20 trillion"),
        ("利率上升25个基点", "rates rose 25 basis points"),
        ("失业率上升0.3个百分点", "unemployment rose 0.3 percentage points"),
        ("股价下跌１７％", "shares fell 17%"),
        ("三年来首次", "the first time in three years"),
        ("两百万人受影响", "2 million people were affected"),
        ("营收为1.2345亿元", "revenue was 123 million yuan"),  # rounding an English rendering may do
        ("3月5日，股市下跌13%", "On March 5, stocks fell 13%"),
    ],
)
def test_faithful_numbers_pass(zh: str, en: str) -> None:
    assert checks.numbers_faithful(zh, en, require_all=True) == []


def test_a_dropped_zero_or_invented_number_fails() -> None:
    problems = checks.numbers_faithful(
        "英伟达市值蒸发5950亿美元", "Nvidia lost $59.5 billion", require_all=True
    )
    assert "number not in the source: 59.5 billion" in problems
    assert "figure missing: 5950亿美元 ($595 billion)" in problems
    assert checks.numbers_faithful("股价下跌", "shares fell 12%") == ["number not in the source: 12"]


def test_a_summary_may_omit_figures_but_a_translation_may_not() -> None:
    zh = "股价下跌17%，市值蒸发5950亿美元"
    assert checks.numbers_faithful(zh, "Shares fell 17%.") == []
    assert checks.numbers_faithful(zh, "Shares fell 17%.", require_all=True)


def test_number_parsers() -> None:
    assert {Decimal(3), Decimal(2019), Decimal(15_000_000)} <= chinese_numeral_values(
        "三年，二〇一九年，一千五百万"
    )
    assert Decimal(100) not in chinese_numeral_values("上升3个百分点")  # 百分 is "percent", not 100
    assert Decimal(30) in chinese_numeral_values("融资余额增加近三成")  # 三成 = 30%
    nums = english_numbers("$5.6 million, 2,048 chips, 45%, 5bn")
    assert [n.value for n in nums] == [Decimal("5600000"), Decimal(2048), Decimal(45), Decimal("5000000000")]
    assert Decimal("595000000000") in source_values("5950亿美元")


def test_names_traceable(glossary: Glossary) -> None:
    zh = "贝森特表示，股市下跌是因为人工智能，而非特朗普的关税政策。"
    assert (
        checks.names_traceable(
            zh, "Scott Bessent said stocks fell because of AI, not Trump's tariffs.", glossary
        )
        == []
    )
    bad = checks.names_traceable(zh, "Ben Satterfield said stocks fell because of AI, not tariffs.", glossary)
    assert any("Ben Satterfield" in p for p in bad) and any("Scott Bessent" in p for p in bad)
    assert any("Yellen" in p for p in checks.names_traceable(zh, "Janet Yellen said, Trump", glossary))


def test_glossary_avoid_column() -> None:
    (term,) = parse_tsv("Scott Bessent\tperson\t贝森特\tBen Satterfield|Bessant\n")
    assert term.avoid == ("Ben Satterfield", "Bessant")
    with pytest.raises(ValueError, match="line 1"):
        parse_tsv("Scott Bessent\tperson\n")


def test_decades_written_as_years() -> None:
    assert (
        checks.numbers_faithful("上世纪八十年代，他创办了公司", "In the 1980s, he founded the company") == []
    )
    assert checks.numbers_faithful("上世纪八十年代", "In the 1970s") == ["number not in the source: 1970s"]


def test_a_summary_may_round_but_not_change_a_number() -> None:
    assert checks.numbers_faithful("纳指下跌13.4%", "Nasdaq fell 13%", rounding=True) == []
    assert checks.numbers_faithful("市值1.23万亿美元", "worth $1.2 trillion", rounding=True) == []
    assert checks.numbers_faithful("纳指下跌13.6%", "Nasdaq fell 13%", rounding=True)  # 13.6 rounds to 14
    assert checks.numbers_faithful("纳指下跌13.4%", "Nasdaq fell 13%")  # a translation may not round


def test_digits_of_a_name_are_not_figures() -> None:
    zh = "英伟达称DeepSeek 的 R1 模型是一项出色的进步，H100芯片股价下跌17%。"
    assert (
        checks.numbers_faithful(
            zh,
            "Nvidia called DeepSeek's R1 model excellent progress; H100 chip shares fell 17%.",
            require_all=True,
        )
        == []
    )


def test_latin_script_names_are_copied_as_written() -> None:
    zh = "Baton Rouge 警察局表示，Dyteon Simpson（20岁）已被逮捕。"
    assert checks.latin_words_kept(zh, "Baton Rouge police said Dyteon Simpson, 20, was arrested.") == []
    (problem,) = checks.latin_words_kept(zh, "Baton Rouge police said Dyeton Simpson, 20, was arrested.")
    assert "'Dyteon'" in problem
    # Case and accents do not matter; a trailing full stop is not part of the word.
    zh = "墨西哥总统Andres Lopez称，DeepSeek APP 登顶U.S."
    assert checks.latin_words_kept(zh, "Andrés López said the DeepSeek app topped the U.S. charts") == []
    # A word inside a longer one does not count: "CME" is not kept by "CMEG"; an inflection does.
    assert checks.latin_words_kept("CME 提高保证金", "CMEG raised margins")
    assert checks.latin_words_kept("凤凰城国家气象局在推文 (tweet) 中说", "the weather service tweeted") == []
    # Dotted abbreviations come back spaced or without dots.
    assert checks.latin_words_kept("据 U.S. 干旱监测", "According to the U. S. Drought Monitor") == []
    assert checks.latin_words_kept("与 N.F.L. 争吵", "arguing with the NFL") == []


def test_a_scale_word_commits_the_english_to_its_scaled_value() -> None:
    # Found on the causes-challenge set: bullets said "2.2 million jobs" for 2.2万 (22,000) and
    # "$300 billion" for 300亿美元 ($30 billion); the bare 2.2 / 300 of the source let them pass.
    zh = "非农就业人数仅增加2.2万人，CTA基金合计抛售约300亿美元美股。"
    assert checks.numbers_faithful(zh, "only 2.2 million jobs were added", rounding=True)
    assert checks.numbers_faithful(zh, "funds sold about $300 billion of stocks", rounding=True)
    assert checks.numbers_faithful(zh, "22,000 jobs; $30 billion; 2.2 and 300", rounding=True) == []


def test_an_organization_the_source_does_not_name_fails(glossary: Glossary) -> None:
    # Found on the causes-challenge set: 摩根大通 (JPMorgan) came out as "Morgan Stanley", 中金 as
    # "Goldman Sachs".
    zh = "摩根大通策略师表示，美国财政部长称出口管制将持续评估。"
    present = {h.term.english for h in glossary.find(zh)}
    (problem,) = checks.unsupported_names("A Morgan Stanley strategist said", glossary, present)
    assert "Morgan Stanley" in problem
    fine = "A JPMorgan strategist said; the US Treasury Secretary"
    assert checks.unsupported_names(fine, glossary, present) == []
    # Session 4's c1 brief: 瑞银财富管理 (UBS Wealth Management) as "RBS Wealth Management". A bank a
    # model confuses with one in the source is caught once the glossary knows it.
    ubs = {h.term.english for h in glossary.find("瑞银财富管理首席投资官认为")}
    assert checks.unsupported_names("RBS Wealth Management's CIO said", glossary, ubs) == [
        "names RBS, which is not in the article"
    ]
    # a name inside a longer one the English says is not said on its own (attribution2 b02)
    pboc = {h.term.english for h in glossary.find("中国人民银行宣布降准")}
    assert checks.unsupported_names("The People's Bank of China cut the ratio", glossary, pboc) == []
    assert checks.unsupported_names("The People's Bank of China cut the ratio", glossary, set()) == [
        "names People's Bank of China, which is not in the article"  # and not Bank of China too
    ]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Mark Li said the decline was due to a", True),
        ("The decline was also due to", True),
        ("Bessent blamed DeepSeek, not", False),  # ends on a word a sentence can end on
        ("Nvidia fell 17%, its worst day on record.", False),
        ("Stocks fell as investors sold,", True),
        ("US stocks fall", False),
    ],
)
def test_a_bullet_cut_off_mid_sentence_fails(text: str, cut: bool) -> None:
    assert bool(checks.complete_sentence(text)) is cut


def test_a_corporate_role_the_source_does_not_name_fails() -> None:
    analyst = "伯恩斯坦分析师表示，这次下跌与人工智能泡沫无关。"
    assert checks.roles_traceable(
        analyst, "The chip maker's CEO said the fall was unrelated to an AI bubble."
    )
    assert checks.roles_traceable(analyst, "Its co-founder and chairwoman spoke.") == [
        "role not in the source: 'co-founder' (the source names no founder)",
        "role not in the source: 'chairwoman' (the source names no chairman)",
    ]
    assert not checks.roles_traceable(
        analyst, "A Bernstein analyst said the fall was unrelated to an AI bubble."
    )
    boss = "森宝利执行长表示，公司将增加非食品商品。董事长另有看法。"
    assert not checks.roles_traceable(boss, "Sainsbury's chief executive spoke; the chairman disagreed.")


def test_an_expert_the_source_does_not_quote_fails() -> None:
    # Seen on causes-holdout h1: the article quotes a Wells Fargo strategist and fund managers, the
    # bullet said "Economists say the rise in CPI is due to inflation".
    bank = "富国银行策略师李安娜表示，通胀数据高于预期，基金经理认为与企业盈利无关。"
    assert checks.roles_traceable(bank, "Economists say the rise in CPI is due to inflation.") == [
        "role not in the source: 'Economists' (the source names no economist)"
    ]
    assert not checks.roles_traceable(bank, "A Wells Fargo strategist said inflation was too high.")
    assert not checks.roles_traceable("经济学家普遍预计通胀回落。", "Economists expect inflation to ease.")
    assert checks.roles_traceable(bank, "Experts warn of more losses.")


def test_a_weekday_or_month_the_source_does_not_state_fails() -> None:
    # Seen on causes-holdout h5: "美股连三日重挫 那斯达克单周跌逾5%" rendered "...fell by 5% on Wednesday".
    title = "关税升级叠加降息预期降温 美股连三日重挫 那斯达克单周跌逾5%"
    assert checks.dates_traceable(title, "The Nasdaq fell 5% on Wednesday.") == [
        "date not in the source: 'Wednesday'"
    ]
    assert not checks.dates_traceable("美股周三下跌。", "US stocks fell on Wednesday.")
    assert not checks.dates_traceable("美股星期天前夕", "before Sunday")
    assert not checks.dates_traceable("一名消息人士向 Sunday Times 表示", "A source told The Sunday Times.")
    assert checks.dates_traceable("11月6日的选举", "the January 6 vote") == [
        "date not in the source: 'January'"
    ]
    assert not checks.dates_traceable("11月6日的选举", "the November 6 vote")
    assert not checks.dates_traceable("十二月的数据", "December data")
    assert not checks.dates_traceable("美国银行3/1日对美股的预测", "Bank of America's March 1 forecast")
    assert checks.dates_traceable("美国银行13/1日", "March 1")
    assert checks.dates_traceable("十二月的数据", "February data")  # 二月 inside 十二月 is not February
    assert not checks.dates_traceable("数据好于预期", "Rates may rise, analysts say.")
    assert checks.dates_traceable("数据好于预期", "Data due May 5.")


def test_regional_financial_names_are_known_and_their_bad_renderings_fail(glossary: Glossary) -> None:
    # Seen from the 1.5B model: 元大 -> "Yuan Majun Investment", 东证指数 -> "East China index".
    zh = "元大投顾主管表示，东证指数与恒生科技指数同步下跌，外资卖超新台币520亿元。"
    assert [h.term.english for h in glossary.find(zh)] == ["Yuanta", "TOPIX", "Hang Seng Tech Index"]
    assert checks.names_traceable(zh, "Yuan Majun Investment said the TOPIX fell.", glossary)
    assert not checks.names_traceable(zh, "Yuanta said TOPIX and the Hang Seng Tech Index fell.", glossary)


def test_a_cause_the_source_never_names_fails() -> None:
    # Seen in a brief (causes-challenge c6): the article names the Bank of Japan's hike and the carry
    # trade; the bullet added inflation and "the ongoing pandemic".
    zh = "日本央行意外加息，日元升值，套息交易被迫平仓，日经指数暴跌。"
    bad = "The yen has been under pressure due to inflation and the ongoing pandemic."
    assert checks.causes_attested(zh, bad) == [
        "cause not in the source: 'inflation'",
        "cause not in the source: 'pandemic'",
    ]
    assert not checks.causes_attested(
        zh, "The Nikkei fell as carry trades unwound after a rate hike by the central bank."
    )
    # What lifts a market is a cause as surely as what sinks it (attribution2 b32: a rate cut the
    # article never mentions "boosting stock prices")
    rally = "成都全面取消住房限购，刺激地产股大涨。"
    invented = "China's central bank lowered interest rates, boosting stock prices."
    assert checks.causes_attested(rally, invented)
    # Without a causal phrase, a mention is not a claim about why.
    assert not checks.causes_attested(zh, "Investors also watched the election.")
    assert not checks.causes_attested("竞选活动激起党内争论。", "The election campaign sparked a dispute.")


def test_digits_of_a_glossary_name_are_not_figures_and_one_sentence_checks_events_only() -> None:
    # Found on causes-challenge c6: the hint "日经指数 = Nikkei 225" made 225 "a number not in the source".
    zh = "日经指数周一暴跌5.8%。"
    en = "The Nikkei 225 plunged 5.8% on Monday."
    assert checks.numbers_faithful(zh, en, require_all=True) == ["number not in the source: 225"]
    assert checks.numbers_faithful(zh, en, require_all=True, names=["Nikkei 225"]) == []
    # A name's digits still count as written when the source's own figure is the name's ("标普500").
    sp = "标普500指数下跌1.4%。"
    assert checks.numbers_faithful(sp, "The S&P 500 fell 1.4%.", require_all=True, names=["S&P 500"]) == []
    carry = "借入低息日元的套息交易被迫平仓，是暴跌的真正原因。"
    said = "Forced unwinding of carry trades in low interest rate yen was the real cause of the plunge."
    assert checks.causes_attested(carry, said) == ["cause not in the source: 'interest rate'"]
    assert checks.causes_attested(carry, said, labels=False) == []
