"""Cue words and negation scopes over Simplified text: where a label's cue is, whether a sentence
reports a move, gives a cause, names a culprit, quotes someone or looks ahead, and which stretches
a negation covers. Pure regular expressions, no model."""

from __future__ import annotations

import re

from .taxonomy import LABELS

# Negation cues whose scope runs to the end of the clause: the claim itself is denied ("而非关税",
# "并非因为降息", "否认…是原因", "不能归咎于…").
NEG_FORWARD_RE = re.compile(
    r"而非|而不是|并非|不是|并不是|绝非|排除了?|否认|非因|不能归咎|不应归咎|不该归咎|不可归咎|"
    # "rebutted the claim that X drove it", "the moves do not reflect the fundamentals"
    r"反驳|驳斥|(?:并|完全)?未(?:能)?反映|没有反映|不反映|"
    # "the focus is not rates but growth": 焦点不在利率，而是景气
    r"(?:焦点|重点|关键|原因|问题|症结)(?:并|也|还)?不在(?:于)?"
)
# Two negations make an affirmation: refusing to rule out a recession raises it ("不排除衰退",
# "拒绝排除", "并非毫无可能", "并未否认", "难道不是…"). A negation cue inside one of these is not a
# rejection. (Matched on Simplified text, like every pattern here.)
DOUBLE_NEG_RE = re.compile(
    r"(?:不|未|没有|并未|无法|不能|难以|未能|拒绝|不愿|不可|无从)排除|排除不了|"
    r"(?:不|未|没有|并未|并没有|无法|不能|难以)否认|"
    r"(?:并非|不是|并不是|绝非)(?:不|没有|毫无|无|没)|不无|难道不是|难道不|岂不是"
)
# "与/和 X 无关" - scope is X; "不受/未受 X 影响" (X did not move it) likewise.
NEG_UNRELATED_RE = re.compile(
    r"[与和跟][^，,。；;]{1,40}?(?:无关|没有关系|毫无关系|没有关联|无关联|关系不大|没有太大关系|关联不大)"
    r"|(?:不受|未受|并未受到|没有受到|未受到)[^，,。；;]{1,30}?影响"
)
# Dismissals whose scope runs BACK to the clause start, the denied cause being their subject:
# "关税对市场的影响有限" (the tariffs' impact was limited), "降息预期不是主因" (not the main reason).
# Not "只是借口": an excuse to sell is the positioning label's own cue.
NEG_BACKWARD_RE = re.compile(
    r"(?:的)?(?:影响|冲击|作用)(?:相当|十分|非常|较为|比较|仍然|仍|也|都)?"
    r"(?:有限|不大|甚微|轻微|微乎其微|不明显|不显著)"
    r"|(?:不是|并非|绝非)[^，,。；;]{0,12}?"
    r"(?:主因|主要原因|真正原因|真正的原因|根本原因|罪魁祸首|元凶|主要推手|主要驱动因素|主要动力)"
)
# Blanket rejections of what was just listed.
NEG_BLANKET_RE = re.compile(
    r"(以上|上述|这些|這些)[^。；;]{0,8}(皆是|都是|均是|全是|皆为|都为)?[^。；;]{0,6}"
    r"(Bullshit|bullshit|噪音|胡扯|扯淡|无稽之谈|無稽之談|借口|藉口)|皆是\s*Bullshit"
)
# Denying a claim just reported ("上述说法完全是胡说八道", "澄清消息不实", "否认有关传闻"): what the
# report said is denied by whoever denies it; its scope is the report before it
# (candidates._report_denials).
DENIES_A_REPORT_RE = re.compile(
    r"(?:上述|这种|该|此|这一|有关|相关|以上)(?:这种)?(?:说法|传闻|传言|报道|消息|指控)[^。；;]{0,12}?"
    r"(?:胡说八道|一派胡言|无稽之谈|不实|不属实|失实|谣言|子虚乌有|毫无根据|并非事实|不是事实)"
    r"|(?:澄清|否认|驳斥|辟谣)[^。；;]{0,10}?(?:传闻|传言|谣言|谣传|不实信息|消息|说法|报道)"
    r"|(?:消息|传闻|传言|说法|报道)(?:纯属|完全|并)?(?:不实|失实|谣言|子虚乌有)"
)
# Denials that are about what caused something, whatever is denied ("而非…", "与…无关", "反驳…的说法",
# "未反映基本面"). A bare 不是 is not enough, even with 而是: "回应不是喝彩，而是抛售" denies no cause.
DENIES_A_CAUSE_RE = re.compile(r"而非|并非|无关|没有关系|反驳|驳斥|反映|不受|未受")
CLAUSE_END_RE = re.compile(r"[，,。；;！？!?]")
# A concession names something that did NOT decide the move: "即使美联储降息了，也未能重振" (the cut
# failed to lift prices), "尽管利差缩小，但日元走弱". A cue inside one is neither a driver nor a denial.
CONCESSIVE_RE = re.compile(r"即使|即便|尽管|虽然|虽说|纵然|哪怕")
# Words that make a sentence about a market move or its cause.
MOVE_RE = re.compile(
    r"暴跌|大跌|下跌|跌幅|下挫|重挫|崩盘|崩盤|抛售|拋售|回调|回調|回档|回檔|回落|见顶|見頂|跳水|蒸发|蒸發|收跌|走低|挫|"
    r"上涨|上漲|大涨|飙升|飆升|反弹|反彈|走高|波动|波動|震荡|震盪|熊市|牛市|跌|涨|漲|贬|貶|升值"
)
CAUSE_RE = re.compile(
    r"导致|導致|引发|引發|触发|觸發|由于|由於|因为|因為|原因|拖累|冲击|衝擊|造成|推动|推動|驱动|"
    r"驅動|归咎|歸咎|罪魁|真凶|真兇|元凶|主因|受.{1,20}影响|受.{1,20}影響|担忧|擔憂|疑虑|疑慮|恐慌|所致|源于|源自|"
    # "as the drought worsened, wheat futures rose": 随着 ties a change to the move beside it
    r"随着|隨著|"
    # Verbs that make something a force on prices ("加剧了跌势", "推升殖利率", "只是导火线").
    r"加剧|加劇|加重|推升|推高|压低|壓低|打压|打壓|打击|打擊|施压|施壓|引爆|导火线|導火線|导火索|導火索|"
    r"催化剂|催化劑|促使|带动|帶動|"
    # A market's reaction to the news just told ("消息传出后，比特币应声下跌"): the move has a reason,
    # given in the sentence or the paragraph before.
    r"应声|應聲|随即|隨即|随之|隨之|旋即|消息传出|消息傳出|消息传来|消息傳來|消息一出|市场反应|市場反應|"
    # What lifts a market names its cause as surely as what sinks one ("受惠于AI需求", "利好提振").
    r"提振|支撑|支撐|激励|激勵|受惠|受益|得益|利好|助推|点燃|點燃|刺激|拉抬|"
    # A causative with the market as its object: "让投资人燃起希望". Not 令 or 使: "令投资者持续观望"
    # says what investors did, not why prices moved.
    r"(?:让|讓|使得)(?:投资人|投资者|投資人|投資者|市场|市場|交易员|交易員|股市|资金|資金|板块|板塊)"
)
# Explicit attribution: the sentence names a culprit ("blamed on", "the real culprit", "the main
# reason"), which is a stronger sign of a cause claim than a consequence connective like 引发.
BLAME_RE = re.compile(
    r"归咎|歸咎|罪魁|祸首|禍首|真凶|真兇|元凶|元兇|主因|主要原因|根本原因|核心原因|原因在于|原因在於|"
    r"起源在于|起源在於|主要是由于|主要是由於|主要因为|主要因為|真正原因|真正的原因|借口|藉口"
)
# "不是X，而是Y": the contrast names Y as the real cause. "不只是X，而是Y" / "不仅…而是" ("not only X
# but Y") adds Y to X and names no culprit, so its 而是 is not an attribution.
RATHER_RE = re.compile(r"而是")
NOT_ONLY_RE = re.compile(r"(?:不只|不仅|不僅|不单|不單|不止|不光|不僅僅|不仅仅)是?[^。！？!?；;]{0,60}$")


def blames(text: str, start: int = 0, end: int | None = None) -> bool:
    """The text (or text[start:end]) names a culprit: an explicit attribution ("主因", "归咎于",
    "真正原因") or a corrective "不是X，而是Y" that is not an additive "不只是X，而是Y"."""
    end = len(text) if end is None else end
    if BLAME_RE.search(text, start, end):
        return True
    return any(
        not NOT_ONLY_RE.search(text, max(start, m.start() - 60), m.start())
        for m in RATHER_RE.finditer(text, start, end)
    )


# Reported speech: a cause claim is someone's claim, and the claims worth labelling are attributed.
SAYS_RE = re.compile(
    r"表示|认为|認為|指出|强调|強調|警告|写道|寫道|看来|看來|分析师|分析師|策略师|策略師|[说說称稱]"
)
# Hedges keep a claim but not as fact: "may", "is expected to" (不排除 raises a possibility). Not 预期
# ("高于预期" is "than expected", a fact) nor 担忧 (a worry is a sentiment the sentence reports).
# 恐 alone is "is feared to"; 恐慌 and 恐惧 are panic and fear, a sentiment reported as fact.
HEDGE_RE = re.compile(r"可能|或将|或许|也许|恐将|恐怕|有望|预计|料将|不排除|或会|恐(?!慌|惧|怖)")
# Forward-looking hedges describe risks to come, not what moved the market.
AHEAD_RE = re.compile(r"未来|未來|将会|將會|可能会|可能會|或将|或將|展望")

# Words after which a label's cue names something else: "国债收益率" is a bond yield, a market price
# (the move, or rates), not deficits or debt supply.
_NOT_A_CUE_BEFORE: dict[str, str] = {
    "fiscal_policy": "收益率|殖利率|利率",
    "earnings": "了结|回吐|盘",  # 获利了结 is profit-taking (valuation), not a company's profit
    "liquidity": "率",  # 存款准备金率 is a policy ratio the central bank sets (monetary_policy)
}
# Words before a label's cue that make it name something else: an industry's cycle ("记忆体景气复苏")
# is not the economy, a developer's debt crisis is not public debt.
_NOT_A_CUE_AFTER: dict[str, dict[str, re.Pattern[str]]] = {
    "fiscal_policy": {
        # a developer's or a company's debt crisis is a credit event (`other`), not public debt
        "债务危机": re.compile(r"(?:房企|开发商|地产|公司|企业|集团|恒大|碧桂园)[^，,。；;]{0,4}$"),
    },
    "macro_outlook": {
        "景气": re.compile(r"(?:记忆体|内存|存储|半导体|芯片|晶片|面板|产业|行业|航运|零售业|科技业)$")
    },
    # 殖利率 is a bond's yield, a market price that moved ("公债殖利率飙升9个基点"), not a policy rate
    "monetary_policy": {"利率": re.compile(r"殖$")},
}
# One pattern per label, compiled once: Latin cues ("AI", "Fed") must be whole words.
_LABEL_PATTERNS = [
    (
        info.id,
        re.compile(
            "(?:"
            + "|".join(
                re.escape(c) if not c.isascii() else rf"(?<![A-Za-z]){re.escape(c)}(?![A-Za-z])"
                for c in sorted(info.cues, key=len, reverse=True)
            )
            + ")"
            + (f"(?!{_NOT_A_CUE_BEFORE[info.id]})" if info.id in _NOT_A_CUE_BEFORE else "")
        ),
    )
    for info in LABELS
    if info.cues
]
PATTERN_OF: dict[str, re.Pattern[str]] = dict(_LABEL_PATTERNS)


# "Not the first time", "not the only reason", "not driven by a single event": the negation denies
# that X is first, only or alone, not X itself.
NOT_EXCLUSIVE_RE = re.compile(r"[^，,。；;]{0,12}?(?:第一次|首次|头一次|头一回|唯一|单一)")
# "而不是像通常的加息那样推高日元": not as X usually does; a comparison, no cause denied.
NOT_AS_USUAL_RE = re.compile(r"\s*(?:像|如|如同|和|跟)[^，,。；;]{0,20}?(?:那样|一样|般|那般)")


def negation_scopes(simp: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of simp[start:end] a denial covers. A negation that is half of a double negation
    ("不排除", "并未否认") denies nothing: the claim stands, so it opens no scope; nor does one that
    denies only that X is the first or the only ("不是唯一原因"), or compares with what X usually does
    ("而不是像通常的加息那样")."""
    doubles = [(m.start(), m.end()) for m in DOUBLE_NEG_RE.finditer(simp, start, end)]
    scopes = []
    for m in NEG_FORWARD_RE.finditer(simp, start, end):
        if any(a < m.end() and m.start() < b for a, b in doubles):
            continue
        stop = CLAUSE_END_RE.search(simp, m.end(), end)
        clause_end = stop.start() if stop else end
        if any(rx.match(simp, m.end(), clause_end) for rx in (NOT_EXCLUSIVE_RE, NOT_AS_USUAL_RE)):
            continue
        scopes.append((m.start(), clause_end))
    for m in NEG_UNRELATED_RE.finditer(simp, start, end):
        scopes.append((m.start(), m.end()))
    for m in NEG_BACKWARD_RE.finditer(simp, start, end):
        if any(a < m.end() and m.start() < b for a, b in doubles):
            continue
        clause_start = max(simp.rfind(p, start, m.start()) for p in "，,。；;！？!?") + 1  # -1 if none
        scopes.append((max(clause_start, start), m.start()))
    return scopes


def concessive_scopes(simp: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of simp[start:end] a concession covers: from its word to the clause end."""
    scopes = []
    for m in CONCESSIVE_RE.finditer(simp, start, end):
        stop = CLAUSE_END_RE.search(simp, m.end(), end)
        scopes.append((m.start(), stop.start() if stop else end))
    return scopes


def label_hits(simp: str, start: int, end: int) -> list[tuple[str, int]]:
    """Each label cue in simp[start:end] and where it is, but not a cue whose words before it make it
    name something else (_NOT_A_CUE_AFTER)."""
    return [
        (label, m.start())
        for label, rx in _LABEL_PATTERNS
        for m in rx.finditer(simp, start, end)
        if not _names_something_else(simp, label, m)
    ]


# Cues that count only after words naming what the label is about: layoffs are fiscal policy where
# the employer is the state ("对联邦机构大裁员", "政府效率部裁员"), not a company ("英特尔拟裁员15%").
_ONLY_AFTER: dict[str, dict[str, re.Pattern[str]]] = {
    "fiscal_policy": {
        "裁员": re.compile(r"(?:政府|联邦|公务员|公共部门|机构|DOGE|马斯克|效率)[^。；;]{0,12}$"),
    },
}


# A sell-off that another named driver set off ("整顿，触发…全面抛售", "意外加息，导致科技股遭到
# 大幅抛售") is the move, not a positioning driver (causes.md); the same words before the connective
# are one ("散户恐慌性抛售导致小盘股暴跌"), and so are they where nothing else is named before them
# ("跌破3000点…引发了恐慌性的抛售": the mechanics are the story).
_SET_OFF = re.compile(r"(?:导致|触发|引发|引起|造成|遭到|遭遇|招致)[^，,。；;]{0,10}$")
_SELLING = frozenset(
    ["抛售", "恐慌性抛售", "恐慌抛售", "踩踏", "资金外流", "资金流出", "资金外逃", "外资撤离"]
)


def _set_off_by_another(simp: str, label: str, m: re.Match[str]) -> bool:
    if label != "positioning" or m.group() not in _SELLING:
        return False
    said = max(simp.rfind(p, 0, m.start()) for p in "。！？；;\n") + 1  # the sentence so far
    if not (link := _SET_OFF.search(simp, max(said, m.start() - 12), m.start())):
        return False
    return any(other != label for other, _ in label_hits(simp, said, link.start()))


def _names_something_else(simp: str, label: str, m: re.Match[str]) -> bool:
    if _set_off_by_another(simp, label, m):
        return True
    before = simp[max(0, m.start() - 20) : m.start()]
    not_after = _NOT_A_CUE_AFTER.get(label, {}).get(m.group())
    only_after = _ONLY_AFTER.get(label, {}).get(m.group())
    return bool(
        (not_after and not_after.search(before[-12:])) or (only_after and not only_after.search(before))
    )
