"""The account 360 as data: what the brief says, computed from the CRM as a given viewer.

Kept apart from rendering so the same facts feed the chat reply, the LLM tool and the evals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.errors import ServiceUnavailable

from integrations.crm.base import CRM
from integrations.crm.entities import (
    AccountRecord,
    ActivityRecord,
    OpportunityRecord,
    UserRecord,
)
from integrations.crm.viewer import Viewer

TREND_DAYS = 90
SIGNAL_DAYS = 30
PURCHASE_DROP_PCT = -50.0
COMPETITOR_RISE_PCT = 40.0
QUIET_DAYS = 30
STALE_NEGOTIATION_DAYS = 45
DISCOUNT_ALERT_PCT = 25.0


def change_pct(recent: float, prior: float) -> float | None:
    """Percentage change from ``prior`` to ``recent``; ``None`` when there is no base to compare."""
    if prior == 0:
        return None
    return round((recent - prior) / prior * 100, 1)


@dataclass(frozen=True)
class Trend:
    recent: float
    prior: float

    @property
    def pct(self) -> float | None:
        return change_pct(self.recent, self.prior)


@dataclass(frozen=True)
class RiskFlag:
    """A reason for concern, with the evidence behind it (``code`` is stable for tests and rules)."""

    code: str
    value: float | None
    zh: str
    en: str


@dataclass
class AccountBrief:
    account: AccountRecord
    owner: UserRecord | None
    today: date
    order_count: Trend
    order_value: Trend
    competitor_30d: Trend
    competitor_90d: Trend
    top_competitors: list[tuple[str, int]]
    open_deals: list[OpportunityRecord]
    last_touches: list[ActivityRecord]
    days_since_last_touch: int | None
    authors: dict[str, str]
    risks: list[RiskFlag] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.open_deals[0].currency if self.open_deals else "CNY"


def _window_counts(dates: list[date], today: date, days: int) -> Trend:
    recent_start = today - timedelta(days=days)
    prior_start = today - timedelta(days=2 * days)
    recent = sum(1 for d in dates if recent_start < d <= today)
    prior = sum(1 for d in dates if prior_start < d <= recent_start)
    return Trend(recent, prior)


def build_brief(crm: CRM, viewer: Viewer, account_id: int, *, today: date | None = None) -> AccountBrief | None:
    """Gather the account 360 for ``viewer``; ``None`` when the account is missing or hidden."""
    today = today or date.today()
    account = crm.get_account(viewer, account_id)
    if account is None:
        return None
    since = today - timedelta(days=2 * TREND_DAYS)
    missing: list[str] = []

    def read(section: str, fetch: Callable[[], list[Any]]) -> list[Any]:
        """One section's records; a CRM outage empties that section only, and the brief says so."""
        try:
            return fetch()
        except ServiceUnavailable:
            missing.append(section)
            return []

    orders = read("orders", lambda: crm.list_orders(viewer, account_id, since=since))
    order_count = _window_counts([o.order_date for o in orders], today, TREND_DAYS)
    recent_start = today - timedelta(days=TREND_DAYS)
    order_value = Trend(
        round(sum(o.total_amount for o in orders if o.order_date > recent_start), 2),
        round(sum(o.total_amount for o in orders if o.order_date <= recent_start), 2),
    )
    signals = read("signals", lambda: crm.list_competitor_signals(viewer, account_id, since=since))
    signal_dates = [s.observed_at for s in signals]
    recent_signals = [s for s in signals if s.observed_at > recent_start]
    top = Counter(s.competitor for s in recent_signals).most_common(3)
    opportunities = read("deals", lambda: crm.list_opportunities(viewer, account_id=account_id, open_only=True))
    activities = read("touches", lambda: crm.list_activities(viewer, account_id=account_id, limit=20))
    touches = [a for a in activities if a.kind != "task"][:5]
    last_touch_days = (today - touches[0].occurred_at.date()).days if touches else None
    users = {u.id: u for u in read("users", crm.list_users)}
    brief = AccountBrief(
        account=account,
        owner=users.get(account.owner_id),
        today=today,
        order_count=order_count,
        order_value=order_value,
        competitor_30d=_window_counts(signal_dates, today, SIGNAL_DAYS),
        competitor_90d=_window_counts(signal_dates, today, TREND_DAYS),
        top_competitors=top,
        open_deals=sorted(opportunities, key=lambda o: (o.expected_close or date.max)),
        last_touches=touches,
        days_since_last_touch=last_touch_days,
        authors={uid: (u.name if viewer.language == "zh" else (u.name_en or u.name)) for uid, u in users.items()},
        unavailable=missing,
    )
    try:
        brief.risks = assess_risks(brief, crm, viewer)
    except ServiceUnavailable:
        brief.unavailable.append("risks")
    return brief


def assess_risks(brief: AccountBrief, crm: CRM, viewer: Viewer) -> list[RiskFlag]:
    """Risk flags, each carrying the number that triggered it."""
    risks: list[RiskFlag] = []
    freq = brief.order_count.pct
    if freq is not None and freq <= PURCHASE_DROP_PCT:
        risks.append(RiskFlag("purchase_drop", freq,
                              f"采购频次 {freq:+.0f}%（近 90 天 {brief.order_count.recent:.0f} 单，之前 90 天 {brief.order_count.prior:.0f} 单）",
                              f"purchase frequency {freq:+.0f}% ({brief.order_count.recent:.0f} orders in the last 90 days vs {brief.order_count.prior:.0f} before)"))
    elif brief.order_count.prior > 0 and brief.order_count.recent == 0:
        risks.append(RiskFlag("purchase_stop", -100.0, "近 90 天没有订单", "no orders in the last 90 days"))
    comp = brief.competitor_30d.pct
    if comp is not None and comp >= COMPETITOR_RISE_PCT:
        name = brief.top_competitors[0][0] if brief.top_competitors else ""
        risks.append(RiskFlag("competitor_rise", comp,
                              f"竞品提及 {comp:+.0f}%（近 30 天 {brief.competitor_30d.recent:.0f} 次，{name}）",
                              f"competitor mentions {comp:+.0f}% ({brief.competitor_30d.recent:.0f} in the last 30 days, {name})"))
    elif comp is None and brief.competitor_30d.recent >= 3:
        risks.append(RiskFlag("competitor_new", None,
                              f"近 30 天新出现 {brief.competitor_30d.recent:.0f} 次竞品提及",
                              f"{brief.competitor_30d.recent:.0f} new competitor mentions in the last 30 days"))
    if brief.days_since_last_touch is not None and brief.days_since_last_touch >= QUIET_DAYS:
        d = brief.days_since_last_touch
        risks.append(RiskFlag("quiet", float(d), f"已 {d} 天没有跟进", f"no touch for {d} days"))
    for deal in brief.open_deals:
        if deal.discount_pct >= DISCOUNT_ALERT_PCT:
            risks.append(RiskFlag("deep_discount", deal.discount_pct,
                                  f"{deal.name} 报价折扣 {deal.discount_pct:.0f}%，需经理审批",
                                  f"{deal.name_en or deal.name} is quoted at {deal.discount_pct:.0f}% discount (needs manager approval)"))
        if deal.stage == "negotiation":
            last = crm.list_activities(viewer, opportunity_id=deal.id, limit=1)
            quiet = (brief.today - last[0].occurred_at.date()).days if last else None
            if quiet is None or quiet >= STALE_NEGOTIATION_DAYS:
                days = quiet if quiet is not None else -1
                risks.append(RiskFlag("stale_deal", float(days),
                                      f"{deal.name} 处于谈判阶段但 {days} 天没有动作",
                                      f"{deal.name_en or deal.name} is in negotiation with no activity for {days} days"))
    return risks


def next_actions(brief: AccountBrief) -> list[tuple[str, str]]:
    """Two or three concrete next steps (zh, en), driven by the risks first."""
    codes = {r.code for r in brief.risks}
    owner_zh = brief.owner.name if brief.owner else "客户经理"
    owner_en = (brief.owner.name_en or brief.owner.name) if brief.owner else "the account manager"
    actions: list[tuple[str, str]] = []
    if codes & {"purchase_drop", "purchase_stop"}:
        actions.append((f"{owner_zh}本周回访采购负责人，了解订单下降原因",
                        f"{owner_en} to visit the buyer this week and find out why orders dropped"))
    if codes & {"competitor_rise", "competitor_new"}:
        comp = brief.top_competitors[0][0] if brief.top_competitors else "竞品"
        actions.append((f"准备针对{comp}的价值对比材料，避免单纯价格战",
                        f"Prepare a value comparison against {comp} rather than a pure price fight"))
    if "stale_deal" in codes or "quiet" in codes:
        actions.append(("约一次高层会议，重新确认决策时间表", "Book an executive meeting to re-confirm the decision timeline"))
    if "deep_discount" in codes:
        actions.append(("提交折扣审批，并准备用服务替代部分折扣", "Submit the discount for approval and offer services instead of part of it"))
    if not actions or len(actions) < 2:
        if brief.open_deals:
            d = brief.open_deals[0]
            actions.append((f"推进 {d.name} 到下一阶段：确认需求与预算", f"Advance {d.name_en or d.name}: confirm requirements and budget"))
        actions.append(("分享一个相似行业的成功案例", "Share a success story from a similar customer"))
    return actions[:3]
