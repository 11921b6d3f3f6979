"""Who a sentence quotes, read by code: invented sentences, none from the seeds or eval sets."""

from __future__ import annotations

from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.runtime import build_runtime
from finbrief.schemas import BriefRequest
from finbrief.settings import Settings
from finbrief.text.entities import text_pairs
from finbrief.text.glossary import Glossary
from finbrief.text.normalize import normalize
from finbrief.text.segments import split_sentences
from finbrief.text.speakers import speaker

GLOSSARY = Glossary.load()


def speakers_of(text: str) -> list[str | None]:
    doc = normalize(text, None, min_chars=1)
    out = []
    for para in doc.body:
        for sent in split_sentences(doc.text, para.start, para.end):
            out.append(speaker(doc, GLOSSARY, sent, para))
    return out


def test_the_name_before_the_reporting_verb_is_the_speaker() -> None:
    assert speakers_of(
        "高盛分析师李明（Ming Li）指出，铜价下跌主要是由于需求放缓。\n"
        "瑞银首席经济学家汪涛表示，出口数据好于预期，人民币因此走强。\n"
        "市场普遍担忧美联储加息，据称部分基金已经减仓。"
    ) == ["Ming Li", "UBS", None]  # 汪涛 has no English form: her institution speaks


def test_a_view_frame_and_a_pronoun_take_their_speaker() -> None:
    assert speakers_of(
        "在巴克萊銀行的策略師們看來，債市拋售源於通膨預期升溫。\n"
        "野村證券策略師松本隆（Takashi Matsumoto）表示，日圓急升觸發平倉潮。他也強調，這與企業盈利無關。"
    ) == ["Barclays", "Takashi Matsumoto", "Takashi Matsumoto"]


def test_role_prefixed_chinese_names_with_english_forms_are_people_and_company_names_are_not() -> None:
    text = (
        "摩根士丹利（Morgan Stanley）首席策略師王磊（Wang Lei）與交易員約翰·史密斯（John Smith）均表示看空。"
    )
    assert [(zh, en) for zh, en, _ in text_pairs(text)] == [
        ("王磊", "Wang Lei"),
        ("約翰·史密斯", "John Smith"),
    ]
    for zh, _, pos in text_pairs(text):
        assert text[pos : pos + len(zh)] == zh


def test_a_brief_claim_names_the_quoted_speaker_even_when_the_model_says_author() -> None:
    # The scripted backend answers the first claimant option, "author", to every claim question.
    text = (
        "港股周三大幅下跌，恒生指数收跌2.1%。\n"
        "高盛分析师李明（Ming Li）指出，这轮下跌主要是由于美国扩大芯片出口管制。\n"
        "另有交易员认为，资金流出也加剧了跌势。"
    )
    runtime = build_runtime(Settings(backend="scripted"), ScriptedBackend())
    brief = runtime.pipeline.run(
        BriefRequest(text=text, title=None, url=None, source=None, published_at=None)
    )
    by_label = {c.label: c.claimant for c in brief.causes}
    assert by_label["trade_policy"] == "Ming Li"


def test_a_name_inside_an_event_is_not_the_speaker() -> None:
    assert speakers_of(
        "特朗普关税引发的抛售令不少投资者认为，美股将继续下跌。\n"
        "中央银行总裁杨金龙（Yang Chin-long）在立法院表示，升息幅度有限。"
    ) == [
        None,
        "Yang Chin-long",
    ]
