"""The feature catalog: the only signals a rule may use, each documented in zh and en with a unit.

Why a closed catalog: managers write rules, so every name they can type must mean one documented
thing, be computed the same way for every account, and be checkable at save time (lint suggests
the nearest name for a typo). Features are computed in bulk by ``features.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Target = Literal["account", "deal"]
FeatureType = Literal["number", "string", "bool"]


@dataclass(frozen=True)
class Feature:
    """One named signal.

    Attributes:
        name: the identifier used in conditions (snake_case, English).
        type: ``number``, ``string`` or ``bool``; lint checks comparisons against it.
        targets: which rule targets may use it (deal rules see their account's features too).
        unit_zh / unit_en: shown in messages and ``/rules show``.
        values: for enumerations, the allowed string values (lint checks literals against them).
    """

    name: str
    type: FeatureType
    targets: tuple[Target, ...]
    unit_zh: str
    unit_en: str
    description_zh: str
    description_en: str
    values: tuple[str, ...] = ()

    def describe(self, language: str) -> str:
        return self.description_zh if language == "zh" else self.description_en

    def unit(self, language: str) -> str:
        return self.unit_zh if language == "zh" else self.unit_en


BOTH: tuple[Target, ...] = ("account", "deal")
DEAL: tuple[Target, ...] = ("deal",)
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")

_FEATURES = (
    # --- account signals ---------------------------------------------------------------------------
    Feature("purchase_freq_change_pct_3m", "number", BOTH, "%", "%",
            "近3个月下单次数相对前3个月的变化（-60 表示下降 60%）",
            "Change in the number of orders over the last 3 months vs the 3 months before (-60 = down 60%)"),
    Feature("order_value_change_pct_3m", "number", BOTH, "%", "%",
            "近3个月订单金额相对前3个月的变化",
            "Change in order value over the last 3 months vs the 3 months before"),
    Feature("orders_3m", "number", BOTH, "单", "orders",
            "近3个月的订单数", "Orders placed in the last 3 months"),
    Feature("orders_prev_3m", "number", BOTH, "单", "orders",
            "再往前3个月（3-6个月前）的订单数", "Orders placed 3 to 6 months ago"),
    Feature("competitor_mentions_30d", "number", BOTH, "次", "mentions",
            "近30天竞品提及次数", "Competitor mentions in the last 30 days"),
    Feature("competitor_mentions_change_pct_30d", "number", BOTH, "%", "%",
            "近30天竞品提及次数相对前30天的变化", "Change in competitor mentions, last 30 days vs the 30 before"),
    Feature("days_since_last_activity", "number", BOTH, "天", "days",
            "距离上一次跟进（拜访、电话、邮件、会议、记录）的天数；商机规则按该商机计",
            "Days since the last touch (visit, call, email, meeting, note); per deal for deal rules"),
    Feature("days_since_account_activity", "number", BOTH, "天", "days",
            "距离该客户上一次任何跟进的天数", "Days since any touch on the account"),
    Feature("renewal_in_days", "number", BOTH, "天", "days",
            "距离最近一份已签合同到期的天数（没有则为空）", "Days until the nearest signed contract ends (empty if none)"),
    Feature("budget_deadline_notes_180d", "number", BOTH, "条", "notes",
            "近180天跟进记录中提到预算/财政资金期限的条数（预算、财政、budget、fiscal）",
            "Notes in the last 180 days that mention a budget or fiscal deadline (预算, 财政, budget, fiscal)"),
    Feature("industry", "string", BOTH, "", "", "客户所属行业（如 public_sector、manufacturing）",
            "The account's industry (e.g. public_sector, manufacturing)"),
    Feature("region", "string", BOTH, "", "", "客户所在区域", "The account's region"),
    Feature("tier", "string", BOTH, "", "", "客户分级（A/B/C）", "Account tier (A/B/C)", ("A", "B", "C")),
    Feature("open_deals", "number", BOTH, "个", "deals", "进行中的商机数", "Open deals on the account"),
    # --- deal signals ------------------------------------------------------------------------------
    Feature("stage", "string", DEAL, "", "", "商机阶段", "Deal stage", STAGES),
    Feature("days_in_stage", "number", DEAL, "天", "days", "在当前阶段停留的天数", "Days in the current stage"),
    Feature("discount_pct", "number", DEAL, "%", "%", "报价折扣", "Quoted discount"),
    Feature("amount_cny", "number", DEAL, "元", "CNY",
            "商机金额，折算为人民币", "Deal amount converted to CNY"),
    Feature("days_to_expected_close", "number", DEAL, "天", "days",
            "距离预计成交日的天数（已过期为负）", "Days until the expected close date (negative when past)"),
    Feature("closes_before_fiscal_year_end", "bool", DEAL, "", "",
            "预计在本财年（12月31日）结束前成交", "Expected to close before this fiscal year ends (Dec 31)"),
    Feature("days_to_fiscal_year_end", "number", DEAL, "天", "days",
            "距离本财年结束（12月31日）的天数", "Days until this fiscal year ends (Dec 31)"),
    Feature("stakeholder_coverage", "number", DEAL, "人", "people",
            "已关联到商机的客户决策人数量（经济决策人、技术决策人、财务、法务，或影响力高者）",
            "Decision-makers mapped on the deal (economic or technical buyer, finance, legal, or high influence)"),
    Feature("finance_contact_mapped", "bool", DEAL, "", "",
            "商机上是否关联了客户财务联系人", "Whether a customer finance contact is mapped on the deal"),
    Feature("is_key_deal", "bool", DEAL, "", "", "是否重点商机", "Whether the deal is marked as key"),
)

CATALOG: dict[str, Feature] = {f.name: f for f in _FEATURES}


def fields_for(target: str) -> dict[str, Feature]:
    """The features a rule on ``target`` may use."""
    return {name: f for name, f in CATALOG.items() if target in f.targets}
