"""The cause taxonomy (shared/design/causes.md, v1) as data: ids, descriptions and Chinese cues.

Cues are written in both scripts where they differ; matching is done on text converted to
Simplified, so listing the Simplified form is enough, but Traditional forms are kept for readers.
"""

from __future__ import annotations

import re

from ..schemas import LabelInfo

TAXONOMY_VERSION = "causes-v1"

LABELS: tuple[LabelInfo, ...] = (
    LabelInfo(
        id="trade_policy",
        covers="tariffs, trade wars, export controls, trade retaliation, court rulings on tariffs",
        cues=[
            "关税",
            "對等關稅",
            "对等关税",
            "贸易战",
            "貿易戰",
            "出口管制",
            "稀土",
            "贸易保护",
            "贸易政策",
            "MAGA",
        ],
    ),
    LabelInfo(
        id="ai_disruption",
        covers="an AI technology shock or AI competition moving prices: cheap/open models, AI replacing "
        "software, doubts about returns on AI spending",
        cues=[
            "DeepSeek",
            "深度求索",
            "低成本AI",
            "算力",
            "AI泡沫",
            "人工智能",
            "大模型",
            "AI 竞争",
            "AI竞争",
            "法律 AI",
            "AI",
        ],
    ),
    LabelInfo(
        id="monetary_policy",
        covers="central-bank rates, balance sheet, guidance, who chairs the central bank",
        cues=[
            "美联储",
            "美聯儲",
            "聯準會",
            "联准会",
            "联储局",
            "聯儲局",
            "Fed",
            "降息",
            "升息",
            "加息",
            "缩表",
            "縮表",
            "鹰派",
            "鷹派",
            "利率",
            "央行",
        ],
    ),
    LabelInfo(
        id="liquidity",
        covers="funding and deleveraging: Treasury cash (TGA), reserves, repo, carry-trade unwinds, margin "
        "hikes, forced selling",
        cues=[
            "流动性",
            "流動性",
            "TGA",
            "套息",
            "套利交易",
            "保证金",
            "保證金",
            "去杠杆",
            "去槓桿",
            "回购",
            "准备金",
        ],
    ),
    LabelInfo(
        id="valuation",
        covers="stretched valuations, bubbles, concentration in mega-caps, profit-taking on high multiples",
        cues=["估值", "泡沫", "市盈率", "本益比", "巴菲特指标", "巴菲特指標", "获利了结", "獲利了結", "高估"],
    ),
    LabelInfo(
        id="fiscal_policy",
        covers="deficits, government debt, spending cuts, public-sector layoffs, bond supply",
        cues=[
            "赤字",
            "国债",
            "國債",
            "公债",
            "公債",
            "裁员",
            "裁員",
            "DOGE",
            "发债",
            "發債",
            "削减开支",
            "减支",
            "财政赤字",
            "财政刺激",
            "财政愚蠢",
            "债务上限",
        ],
    ),
    LabelInfo(
        id="macro_outlook",
        covers="recession, stagflation, inflation fears, weak data (GDP, jobs, PMI, confidence)",
        cues=[
            "衰退",
            "滞胀",
            "滯脹",
            "停滞性",
            "通胀",
            "通膨",
            "就业数据",
            "就業數據",
            "GDP",
            "PMI",
            "经济放缓",
        ],
    ),
    LabelInfo(
        id="earnings",
        covers="company results, guidance, capex plans of specific companies",
        cues=["财报", "財報", "营收", "營收", "资本开支", "資本開支", "指引", "盈利", "业绩", "業績"],
    ),
    LabelInfo(
        id="geopolitics",
        covers="diplomatic or military tension, sanctions and bans justified by security (other than trade "
        "measures)",
        cues=["地缘政治", "地緣政治", "制裁", "禁用", "国家安全", "國家安全", "战争", "戰爭"],
    ),
    LabelInfo(
        id="positioning",
        covers="market mechanics and sentiment: systematic/CTA selling, passive flows, volatility and "
        "fragility, rotation out of a market, 'an excuse to sell'",
        cues=[
            "CTA",
            "被动型基金",
            "被動型基金",
            "脆弱性",
            "逢低买入",
            "逢低買入",
            "资金外流",
            "資金外流",
            "借口",
            "抛售",
            "趋势追随",
        ],
    ),
    LabelInfo(
        id="other", covers="a stated driver that fits none of the above (say what it is in `note`)", cues=[]
    ),
)

LABEL_IDS: tuple[str, ...] = tuple(label.id for label in LABELS)


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
