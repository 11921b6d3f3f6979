"""The cause taxonomy (shared/design/causes.md, v1) as data: ids, descriptions and Chinese cues.

Cues are written in both scripts where they differ; matching is done on text converted to
Simplified, so listing the Simplified form is enough, but Traditional forms are kept for readers.
"""

from __future__ import annotations

import re

from ..schemas import LabelInfo

TAXONOMY_VERSION = "causes-v1"


def _cues(*groups: str) -> list[str]:
    """Cues written as space-separated groups, one event family a line."""
    return [cue for group in groups for cue in group.split()]


# The words that make a sentence a report of hearsay: a rumour moving a market is an `other` driver,
# but a rumour denied is its content denied (candidates._report_denials), not "a rumour".
REPORT_CUES = ("传闻", "传言", "谣言")
# What an `other` driver is, by its cues: the claim's `note` names it.
OTHER_KINDS: tuple[tuple[str, str], ...] = (
    ("regulation", "监管 证监会 新规 禁令 反垄断 整顿 罚款 罚单 处罚 立案调查 稽查 管理办法 征求意见稿 草案"),
    (
        "a default or debt restructuring",
        "违约 债务重组 债务展期 展期 清盘 破产 倒闭 暴雷 爆雷 资不抵债 无力偿还 偿债 "
        "债务问题 债务压力 财务困境 财务危机 财务状况 房企债务 未付 未能兑付 未兑付 未能支付",
    ),
    ("a property-sector crisis", "房地产危机 地产危机 楼市危机 房地产风险 烂尾 断供 保交楼"),
    # Taiwan and Hong Kong write 駭客 (骇客 once simplified) where the mainland writes 黑客
    ("a trading halt", "暂停交易 停盘 叫停交易"),
    ("a hack or theft", "黑客 骇客 被盗 遭窃 失窃 被窃 盗币 攻击事件"),
    ("a natural disaster or epidemic", "地震 台风 洪水 疫情"),
    ("currency intervention", "干预"),  # in a market article, 干预 is the authorities stepping in
    ("the US dollar", "美元走强 美元指数 美元走弱"),
    # Supply shocks to a commodity: a strike, a shutdown, producers' output cuts.
    ("a supply disruption", "罢工 停产 停工 减产 供应中断 供给中断 供应担忧 供应短缺"),
    ("a stamp duty or transaction tax", "印花税 交易税"),
    ("a company's dividend cut", "暂停派息 暂停配息 暂停配发股利 停止派息 取消派息"),
    # The state buying or backing shares: China's 'national team', Taiwan's stabilisation fund.
    ("state support for the market", "国家队 护盘 救市 平准基金 国安基金 汇金"),
    (
        "an election or a political crisis",
        "大选 提前选举 选举 组阁 联合政府 执政联盟 政局 信任投票 不信任案 不信任动议 倒阁 内阁垮台 政府垮台 "
        "政府倒台 政治危机 政治动荡 政治不确定性 政治风险 政治僵局",
    ),
    ("a release of strategic reserves", "战略储备 石油储备 紧急储备 释放储备 抛储"),
    ("a rumour", " ".join(REPORT_CUES)),
)


def other_kind(simplified: str) -> str | None:
    """What an `other` driver in this text is ("regulation"), from its cues."""
    return next((kind for kind, cues in OTHER_KINDS if any(c in simplified for c in cues.split())), None)


# Each label's cues cover its definition in causes.md, by event family: the words an article uses
# when it says this drove a move. Matching runs on Simplified text, so new cues are Simplified only.
LABELS: tuple[LabelInfo, ...] = (
    LabelInfo(
        id="trade_policy",
        covers="tariffs, trade wars, export controls, trade retaliation, court rulings on tariffs",
        cues=_cues(
            "关税 對等關稅 对等关税 加征 报复性关税 贸易壁垒 贸易保护 贸易政策 MAGA",
            "贸易战 貿易戰 贸易摩擦 贸易紧张 贸易冲突 贸易协议 贸易协定 贸易谈判",
            "出口管制 出口禁令 芯片禁令 实体清单 稀土 反倾销 反补贴 进口限制 301调查",
        ),
    ),
    LabelInfo(
        id="ai_disruption",
        covers="an AI technology shock or AI competition moving prices: cheap/open models, AI replacing "
        "software, doubts about returns on AI spending",
        cues=[
            *_cues(
                "DeepSeek 深度求索 低成本AI 算力 AI泡沫 人工智能 人工智慧 大模型 AI竞争 AI",  # 智慧: Taiwan
                "生成式AI ChatGPT AI模型 AI应用",
            ),
            *("AI 竞争", "法律 AI"),  # as seed articles write them, with a space
        ],
    ),
    LabelInfo(
        id="monetary_policy",
        covers="central-bank rates, balance sheet, guidance, who chairs the central bank",
        cues=_cues(
            "美联储 美聯儲 聯準會 联准会 联储局 聯儲局 Fed FOMC",
            # who chairs the central bank is part of the label: its heads and nominees, by name
            "美联储主席 联准会主席 鲍威尔 鮑爾 沃什 華許 哈塞特 伯南克 植田和男 黑田东彦 拉加德 潘功胜",
            "央行 日本央行 日银 欧洲央行 欧央行 人民银行 人行 英伦银行",
            "降息 减息 升息 加息 降准 准备金率 利率 基准利率 政策利率 利率决议 议息 点阵图",
            "缩表 縮表 扩表 量化宽松 量化紧缩 货币政策 货币紧缩 货币宽松 鹰派 鷹派 鸽派 MLF LPR",
        ),
    ),
    LabelInfo(
        id="liquidity",
        covers="funding and deleveraging: Treasury cash (TGA), reserves, repo, carry-trade unwinds, margin "
        "hikes, forced selling of leveraged positions",
        cues=_cues(
            "流动性 流動性 资金面 资金紧张 钱荒 挤兑 赎回潮 TGA 回购 准备金",
            "套息 套利交易 保证金 保證金 追加保证金 追缴保证金 保证金要求 保证金比例 逼空 逼仓",
            "去杠杆 去槓桿 杠杆 融资余额 融资盘 强平 强制平仓 平仓 多头平仓 爆仓 斩仓 清算 抵押品 质押",
        ),
    ),
    LabelInfo(
        id="valuation",
        covers="stretched valuations, bubbles, concentration in mega-caps, profit-taking on high multiples",
        cues=_cues(
            "估值 估值过高 估值修正 高估 泡沫 泡沫化 过热 涨多 市盈率 本益比 巴菲特指标 巴菲特指標",
            "获利了结 獲利了結 获利回吐",
            # overextension: "rose too far/too high" is the valuation argument in plain words
            "涨太高 涨得太高 涨太多 涨过头 涨幅过大 升幅过大 超涨 过度上涨",
        ),
    ),
    LabelInfo(
        id="fiscal_policy",
        covers="deficits, government debt, spending cuts, public-sector layoffs, bond supply",
        cues=_cues(
            # 裁员 counts only for public-sector cuts (scopes._NOT_A_CUE_AFTER)
            "赤字 财政赤字 财政 预算 财政刺激 财政愚蠢 减税 税改 支出法案 削减开支 减支 DOGE 裁员 裁員",
            "国债 國債 公债 公債 发债 發債 发行国债 举债 公共债务 主权债务 债务上限 债务危机",
            "停摆 政府停摆 政府关门 政府关闭 政府持续关门 政府持续关闭",
        ),
    ),
    LabelInfo(
        id="macro_outlook",
        covers="recession, stagflation, inflation fears, weak data (GDP, jobs, PMI, confidence)",
        cues=_cues(
            "衰退 滞胀 滯脹 停滞性 经济放缓 增长放缓 经济下行 经济疲软 硬着陆 软着陆",
            # 景气 counts only for the economy, not an industry's cycle (scopes._NOT_A_CUE_AFTER)
            "需求疲弱 经济前景 经济增长 景气 经济基本面 宏观基本面 经济恶化 经济担忧 经济忧虑",
            "楼市降温 楼市低迷 房价下跌",
            "通胀 通膨 通胀数据 物价 CPI PPI GDP PMI",
            "就业 就业数据 就業數據 非农 失业率 零售销售 消费者信心 经济数据",
            "制造业活动 制造业指数 制造业数据 工业生产 工业产出",
        ),
    ),
    LabelInfo(
        id="earnings",
        covers="company results, guidance, capex plans of specific companies",
        cues=_cues(
            "财报 財報 季报 年报 业绩 業績 业绩预告 盈警 营收 營收 营业额 营收指引 财测 指引 上修 下修",
            "法说会 业绩会 成绩单",  # Taiwan's earnings call, and a results "report card"
            "盈利 获利 净利 利润 亏损 毛利率 出货 订单 资本开支 資本開支",
            # a company's or an industry's own fundamentals (an economy's are macro_outlook)
            "产业基本面 行业基本面 公司基本面 企业基本面",
        ),
    ),
    LabelInfo(
        id="geopolitics",
        covers="diplomatic or military tension, sanctions and bans justified by security (other than trade "
        "measures)",
        cues=_cues(
            "地缘政治 地緣政治 地缘 局势 紧张关系 关系紧张 关系恶化 俄乌 台海",
            "战争 戰爭 战事 战火 冲突 军事 军演 袭击 空袭 突袭 轰炸 攻击 导弹 核武 开战 入侵 停火",
            "恐袭 政变 封锁",
            "制裁 禁运 禁用 国家安全 國家安全",
            # territorial claims and the flashpoints that move markets by name
            "领土 主权争议 吞并 格陵兰 南海 红海 霍尔木兹 朝鲜半岛 加沙",
        ),
    ),
    LabelInfo(
        id="positioning",
        covers="market mechanics and sentiment: systematic/CTA selling, passive flows, volatility and "
        "fragility, rotation out of a market, 'an excuse to sell'",
        cues=_cues(
            "CTA 程序化交易 量化基金 趋势追随 被动型基金 被動型基金 被动基金 期权到期 止损",
            "资金外流 資金外流 资金流出 资金外逃 外资撤离 资金轮动 板块轮动 空头回补 轧空",
            "脆弱性 逢低买入 逢低買入 借口 抛售 技术面 技术性 技术指标 超买 超卖 避险 风险偏好 恐慌情绪",
            "恐慌性抛售 恐慌抛售 踩踏 散户",
            # short sellers' attack on a stock ("有人恶意做空"): the selling is the driver
            "做空 沽空 卖空 空头狙击",
        ),
    ),
    LabelInfo(
        id="other",
        covers="a stated driver that fits none of the above, such as regulation, a rumour, a default, a "
        "political crisis, a supply disruption or a hack (say what it is in `note`)",
        cues=[cue for _, cues in OTHER_KINDS for cue in cues.split()],
    ),
)

LABEL_IDS: tuple[str, ...] = tuple(label.id for label in LABELS)

# Each label's definition in one line (its `covers` up to the first ":"): what the model is told a
# label means, in the system prompt (prompts/v2) or beside each choice (prompts/v1).
COVERS: dict[str, str] = {info.id: info.covers.split(":")[0] for info in LABELS}


def definitions() -> str:
    """Each label and its whole definition, one a line: the prompts' $cause_labels (a system prompt
    is prefilled once and cached, so there the definitions can be complete)."""
    return "\n".join(f'- "{info.id}": {info.covers}' for info in LABELS)


# Labels that are always named when argued: a policy domain (a rate or a central bank, a tariff or
# trade, a deficit or debt, AI) and the economy (recession, inflation, growth, a data release). A
# paragraph with none of their words cannot carry them, so an open question offers them only where
# the paragraph names them: otherwise they invite a guess (a sentence about game regulation came back
# "monetary_policy"; a developer's debt and a sell-off's "担忧" came back "macro_outlook").
CLOSED_VOCABULARY = frozenset(
    {"monetary_policy", "trade_policy", "fiscal_policy", "ai_disruption", "macro_outlook"}
)
OPEN_CHOICES: tuple[str, ...] = tuple(label for label in LABEL_IDS if label not in CLOSED_VOCABULARY)


def cues_for(label: str) -> list[str]:
    for info in LABELS:
        if info.id == label:
            return info.cues
    raise KeyError(label)


# English cues per label, beside the Chinese ones: what English text (a bullet, a headline) says
# when it states that cause. The checks read English text against the article's claims with them.
EN_CUES: dict[str, re.Pattern[str]] = {
    "trade_policy": re.compile(r"tariff|trade war|trade polic|protectionis|export control|MAGA", re.I),
    "ai_disruption": re.compile(r"\bAI\b|artificial intelligence|DeepSeek", re.I),
    "monetary_policy": re.compile(
        r"Federal Reserve|\bFed\b|interest rate|rate (cut|hike)|hawkish|central bank", re.I
    ),
    "liquidity": re.compile(r"liquidity|deleverag|carry trade|margin", re.I),
    "valuation": re.compile(r"valuation|bubble|overvalued", re.I),
    "fiscal_policy": re.compile(r"deficit|government debt|spending cut|DOGE|layoff", re.I),
    "macro_outlook": re.compile(r"recession|stagflation|inflation", re.I),
    "earnings": re.compile(r"earnings|capital spending|capex|guidance", re.I),
    "geopolitics": re.compile(r"geopoliti|sanction|national security", re.I),
    "positioning": re.compile(r"\bCTA\b|passive fund|fragil|buy the dip|outflow", re.I),
}
