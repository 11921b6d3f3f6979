"""Several causes in one sentence: the candidate selection covers every argued cause, and the
labels the model leaves out of a causal answer are asked about one at a time."""

from __future__ import annotations

import json

import pytest

from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.scripted import ScriptedBackend, default_responder
from finbrief.runtime import build_runtime
from finbrief.schemas import BriefRequest
from finbrief.settings import Settings
from finbrief.text.candidates import asks_about, find_candidates
from finbrief.text.normalize import normalize
from finbrief.text.taxonomy import LABEL_IDS

TWO_CAUSES = (
    "美股周一全线下跌，纳斯达克指数重挫3%。"
    "摩根士丹利策略师表示，关税和美联储长期维持高利率的担忧共同拖累了股市。"
    "分析师指出，投资者将密切关注本周公布的数据。"
)


def brief(settings: Settings, answer_yes_for: set[str]) -> tuple[dict[str, list[str]], ScriptedBackend]:
    def responder(req: GenerationRequest) -> str:
        if req.tag == "claim:label":
            asked = req.user.rsplit("»", 1)[1]  # the ask after the quoted sentence names the label
            label = next(label for label in LABEL_IDS if f'"{label}"' in asked)
            return "yes" if label in answer_yes_for else "no"  # one word, as the grammar allows
        return default_responder(req)

    backend = ScriptedBackend(responder)
    result = build_runtime(settings, backend).pipeline.run(BriefRequest(text=TWO_CAUSES))
    by_stance: dict[str, list[str]] = {}
    for c in result.causes:
        by_stance.setdefault(c.stance, []).append(c.label)
    return by_stance, backend


@pytest.fixture
def on(settings: Settings) -> Settings:
    return settings.model_copy(update={"claim_label_followups": True})


def test_a_left_out_label_confirmed_on_its_own_becomes_a_claim(on: Settings) -> None:
    # The scripted model names only the first candidate label (trade_policy), like the real one.
    causes, backend = brief(on, {"monetary_policy"})
    assert sorted(causes["supported"]) == ["monetary_policy", "trade_policy"]
    asked = [c for c in backend.calls if c.tag == "claim:label"]
    assert len(asked) == 1 and '"monetary_policy"' in asked[0].user and "关税和美联储" in asked[0].user
    # The yes/no question shares the article prefix with every other step (prefix cache).
    claim = next(c for c in backend.calls if c.tag == "claim:supported")
    assert asked[0].user.split("Task:")[0] == claim.user.split("Task:")[0]


def test_a_no_adds_nothing_and_the_lever_is_off_by_default(settings: Settings, on: Settings) -> None:
    causes, _ = brief(on, set())
    assert causes["supported"] == ["trade_policy"]
    assert not settings.claim_label_followups
    causes, backend = brief(settings, {"monetary_policy"})
    assert causes["supported"] == ["trade_policy"]
    assert not [c for c in backend.calls if c.tag == "claim:label"]


def test_no_followup_when_the_model_says_the_sentence_gives_no_cause(on: Settings) -> None:
    def responder(req: GenerationRequest) -> str:
        if req.tag == "claim:supported":
            return json.dumps(
                {"drivers": ["none"], "claimant": "author", "moved": "stocks", "direction": "down"}
            )
        return default_responder(req)

    backend = ScriptedBackend(responder)
    result = build_runtime(on, backend).pipeline.run(BriefRequest(text=TWO_CAUSES))
    assert not result.causes
    assert not [c for c in backend.calls if c.tag == "claim:label"]


@pytest.mark.parametrize("limit", [1, 2])
def test_every_cause_argued_in_a_causal_sentence_gets_a_candidate(limit: int) -> None:
    tariffs = "".join(f"美股第{i}天下跌，关税政策拖累股市，市场大跌。" for i in range(1, 7))
    text = (
        tariffs
        + "此外，投资者对人工智能投资回报的担忧也导致芯片股下跌。"
        + "估值这个词只是顺带一提，股市下跌。"  # a cue next to a move, with no reason given
    )
    chosen = find_candidates(normalize(text), limit)
    labels = [set(c.supported) for c in chosen]
    assert {"trade_policy"} in labels
    assert ({"ai_disruption"} in labels) == (limit >= 2)
    # By score alone the AI sentence loses to the tariff ones; the uncaused valuation cue never
    # takes a slot from them.
    assert not any("valuation" in c.supported for c in find_candidates(normalize(text), 3))
    # Nor does a forecast: it gives no reason for what happened.
    ahead = tariffs + "分析师认为，人工智能的冲击未来可能会导致芯片股下跌。"
    assert not any("ai_disruption" in c.supported for c in find_candidates(normalize(ahead), 2))
    assert [c.span.start for c in chosen] == sorted(c.span.start for c in chosen)


def test_a_force_verb_makes_a_sentence_causal() -> None:
    # "Forced selling deepened the fall" and "rate bets pushed yields up" give reasons without
    # 导致/引发: they are candidates, and the label they carry is covered.
    text = (
        "".join(f"美股第{i}天下跌，关税政策拖累股市。" for i in range(1, 5))
        + "市场人士指出，部分基金遭遇追缴保证金，被迫卖出持股，加剧了跌势。"
        "交易员减少降息押注，推升了美债收益率。"
    )
    chosen = find_candidates(normalize(text), 3)
    assert [c.supported for c in chosen] == [["trade_policy"], ["liquidity"], ["monetary_policy"]]
    assert chosen[0].span.text.startswith("美股第1天")


def test_a_bond_yield_is_not_a_fiscal_cue() -> None:
    # Seen on causes-holdout h5: "十年期公债殖利率升至4.62%" made a rates sentence a fiscal candidate.
    yields = find_candidates(
        normalize("降息预期降温推升了美债收益率，十年期公债殖利率升至4.62%，拖累股市。"), 4
    )
    assert [c.supported for c in yields] == [["monetary_policy"]]
    debt = find_candidates(normalize("市场担忧美国公债利息负担持续加重，拖累股市全线下跌。"), 4)
    assert [c.supported for c in debt] == [["fiscal_policy"]]


def test_no_followup_for_a_cue_that_is_the_move_a_sector_or_a_forecast() -> None:
    # Seen on causes-challenge: yes/no follow-ups said yes to positioning for "…是本轮抛售的主因"
    # (the sell-off is the move), to ai_disruption for "人工智能概念股估值偏高，未来可能…" (the
    # stocks that moved, and a forecast).
    text = (
        "市场普遍认为，地缘政治紧张是本轮抛售的主因。"
        "分析师指出，人工智能概念股估值偏高拖累大盘。"
        "分析师提醒，人工智能泡沫未来可能会引发更大回调。"
        "交易员表示，关税和美联储维持高利率的担忧拖累股市。"
    )
    doc = normalize(text)
    by_text = {c.span.text[:6]: c for c in find_candidates(doc, 8)}
    assert not asks_about(doc, by_text["市场普遍认为"], "positioning")
    assert not asks_about(doc, by_text["分析师指出，"], "ai_disruption")
    assert asks_about(doc, by_text["分析师指出，"], "valuation")
    assert not asks_about(doc, by_text["分析师提醒，"], "valuation")
    assert asks_about(doc, by_text["交易员表示，"], "monetary_policy")
    # The hedge must be in the cue's own clause (seed 001: "…加上关税和美联储长期维系高利率担忧，
    # 这种情况可能会…" names its causes before the forecast).
    tail = normalize("科技股剧烈波动，加上关税和美联储维持高利率的担忧，这种情况可能会持续，股市下跌。")
    (cand,) = find_candidates(tail, 2)
    assert asks_about(tail, cand, "monetary_policy")
