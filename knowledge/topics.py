"""Sales topics in both languages: labels for the case tags and the words that signal them.

Used to say *why* a case matches ("same situation: competitor price cut, win-back") and to show
tags in the reader's language. Data, not code: extend the table as the library grows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    zh: str
    en: str
    zh_words: tuple[str, ...]
    en_words: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "competitor_price_cut": Topic("竞品降价", "competitor price cut", ("竞品降价", "降价", "低价", "便宜", "价格战", "压价", "跟价"),
                                  ("price cut", "undercut", "cheaper", "price war", "lower price", "competitor pric")),
    "churn": Topic("客户流失", "churn", ("流失", "丢了客户", "不续", "转投", "换了别家"), ("churn", "left us", "cancel", "switched", "lost the customer")),
    "win_back": Topic("流失挽回", "win-back", ("挽回", "赢回", "回流", "拿回来", "回来"), ("win back", "won back", "win-back", "came back", "return")),
    "renewal": Topic("续约", "renewal", ("续约", "续费", "续签"), ("renew",)),
    "renewal_risk_signal": Topic("续约风险信号", "renewal risk signals", ("预警", "风险信号", "下单频次", "采购频次"), ("warning sign", "risk signal", "order frequency", "early warning")),
    "price_objection": Topic("价格异议", "price objection", ("太贵", "价格异议", "嫌贵", "报价高", "预算不够"), ("too expensive", "price objection", "pricey", "costs too much")),
    "discount_discipline": Topic("折扣纪律", "discount discipline", ("折扣", "让价", "底价", "特价"), ("discount", "price floor", "concession")),
    "discount_approval": Topic("折扣审批", "discount approval", ("折扣审批", "特批", "审批"), ("discount approval", "deal desk", "approval")),
    "tender": Topic("招投标", "tenders", ("招标", "投标", "标书"), ("tender", "rfp", "bid")),
    "budget_cycle": Topic("预算周期", "budget cycle", ("预算", "财年", "年底"), ("budget", "fiscal year", "year-end")),
    "poc": Topic("POC 试点", "POC / pilot", ("poc", "试点", "测试", "验证", "试用"), ("poc", "pilot", "proof of concept", "trial")),
    "multi_stakeholder": Topic("多方决策", "buying committee", ("决策链", "多个部门", "委员会", "关键人", "高层"), ("stakeholder", "committee", "decision maker", "champion")),
    "onboarding": Topic("上线交付", "onboarding", ("上线", "实施", "交付", "部署"), ("onboarding", "implementation", "go-live", "rollout")),
    "store_promotion": Topic("门店促销", "store promotion", ("促销", "门店活动", "满减", "买赠"), ("promotion", "promo", "in-store")),
    "lead_quality": Topic("线索质量", "lead quality", ("线索", "商机质量", "展会"), ("lead", "mql", "qualification")),
    "5g_private_network": Topic("5G 专网", "5G private network", ("5g", "专网"), ("5g", "private network")),
    "competitor_mention": Topic("竞品提及", "competitor mentions", ("竞品", "对手"), ("competitor", "rival")),
}


def label(tag: str, language: str) -> str:
    """The tag in the reader's language (unknown tags: underscores become spaces)."""
    topic = TOPICS.get(tag)
    if topic is None:
        return tag.replace("_", " ")
    return topic.zh if language == "zh" else topic.en


def matched_topics(query: str, tags: list[str]) -> list[str]:
    """The document's tags whose signal words occur in the query (either language)."""
    text = query.lower()
    return [t for t in tags if t in TOPICS and any(w in text for w in (*TOPICS[t].zh_words, *TOPICS[t].en_words))]
