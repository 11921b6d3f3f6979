from __future__ import annotations

import pytest

from finbrief.checks import (
    contradicts_rejections,
    evidence_verbatim,
    leftover_chinese,
    stance_consistent,
    unsupported_names,
)
from finbrief.checks.english import talks_about_the_task
from finbrief.checks.translation import translation_problems
from finbrief.text.glossary import Glossary


def test_leftover_chinese() -> None:
    assert leftover_chinese("Nvidia fell 17%") == []
    assert leftover_chinese("Nvidia (英伟达) fell") != []


def test_unknown_person_not_in_article_is_flagged() -> None:
    g = Glossary.load()
    present = {"Scott Bessent", "Donald Trump"}
    assert unsupported_names("Treasury Secretary Janet Yellen said stocks fell", g, present)
    assert unsupported_names("Yellen said so", g, present)
    assert unsupported_names("Scott Bessent said stocks fell, not because of Trump", g, present) == []


def test_evidence_must_be_verbatim_at_its_offsets() -> None:
    text = "美股暴跌,而非关税。"
    assert evidence_verbatim(text, "而非关税", 5, 9) == []
    assert evidence_verbatim(text, "而非关税", 4, 8) != []
    assert evidence_verbatim(text, "而非关税", 5, 99) != []


def test_rejected_needs_a_negating_cue() -> None:
    assert stance_consistent("美股暴跌主要是由于DeepSeek,而非特朗普的关税政策。", "rejected") == []
    assert stance_consistent("与特朗普的MAGA主义政策无关。", "rejected") == []
    assert stance_consistent("我认为以上皆是 Bullshit 。", "rejected") == []
    assert stance_consistent("关税政策导致美股暴跌。", "rejected") != []
    # supported: the label must be named outside every negation scope
    evidence = "美股暴跌主要是由于DeepSeek,而非特朗普的关税政策。"
    assert stance_consistent(evidence, "supported", "ai_disruption") == []
    assert stance_consistent(evidence, "supported", "trade_policy") == [
        "a supported claim's evidence negates trade_policy"
    ]


def test_bullet_that_flips_a_rejection_is_caught() -> None:
    rejected = {"trade_policy"}
    assert contradicts_rejections("The crash was caused by Trump's tariffs", rejected)
    assert contradicts_rejections("DeepSeek AI boom caused by Trump's trade protectionism", rejected)
    assert (
        contradicts_rejections("The crash was caused by DeepSeek rather than Trump's tariffs", rejected) == []
    )
    assert contradicts_rejections("Bessent says tariffs did not cause the fall", rejected) == []
    assert contradicts_rejections("Tariffs rose last year", rejected) == []  # not stated as a cause
    assert contradicts_rejections("The crash was caused by tariffs", set()) == []


def test_a_shared_surname_alone_is_no_known_person() -> None:
    g = Glossary.load()
    # "Su" is a surname millions share: only the whole name says Lisa Su
    assert unsupported_names("Analyst Su Wei said chip stocks fell", g, set()) == []
    assert unsupported_names("Lisa Su said AMD's orders grew", g, set())
    # a distinctive surname alone still names its person
    assert unsupported_names("Yellen said so", g, set())


@pytest.mark.parametrize(
    "english",
    [
        "The Chinese text is already in English.",
        "The Chinese text is translated into English as follows: stocks fell. It has these problems: none",
        "Here is the corrected translation: the index fell 2%.",
        "The original sentence states that the yen weakened.",
    ],
)
def test_a_rendering_about_the_task_is_flagged(english: str) -> None:
    assert talks_about_the_task(english)
    problems = translation_problems("日元走弱。", english, Glossary.load())
    assert any("talks about the task" in p for p in problems)


@pytest.mark.parametrize(
    "english",
    [
        "The text of the bill was published on Monday.",
        "Analysts said the original plan was scrapped as stocks fell 3%.",
        "The court's sentence for the former chairman was ten years.",
    ],
)
def test_news_that_mentions_texts_or_sentences_is_not_task_talk(english: str) -> None:
    assert talks_about_the_task(english) == []
