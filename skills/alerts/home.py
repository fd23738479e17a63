"""The alerts part of the Slack App Home: the user's alerts of the last 14 days still waiting for them.

"The user's" = alerts sent to them or about their own accounts and deals; "waiting" = status open
(not done, snoozed or marked not useful). Names are read through the CRM as the viewer, so an
alert on something they can no longer see is left out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from bot.lang import pick
from bot.messages import Context, Header, Section, Table
from bot.outbox import user_recipient
from skills.alerts.delivery import SEVERITY_MARK
from skills.alerts.models import Alert

if TYPE_CHECKING:
    from bot.turn import Turn

WINDOW_DAYS = 14
MAX_SHOWN = 10


def open_alerts(turn: "Turn") -> list[Alert]:
    """Open alerts of the last ``WINDOW_DAYS`` days for ``turn.viewer``, newest first."""
    from skills.alerts.scan import local_today

    me = turn.viewer.user_id
    since = local_today(turn.runtime) - timedelta(days=WINDOW_DAYS)
    with turn.runtime.store.session() as s:
        rows = s.exec(
            select(Alert)
            .where(Alert.status == "open", Alert.delivered == True, col(Alert.fired_on) >= since)  # noqa: E712
            .order_by(col(Alert.fired_at).desc(), col(Alert.id).desc())
        ).all()
    return [a for a in rows if a.owner_id == me or user_recipient(me) in (a.recipients or [])]  # JSON list: in Python


def _target_name(turn: "Turn", alert: Alert) -> str | None:
    zh = turn.language == "zh"
    if alert.opportunity_id is not None:
        deal = turn.crm.get_opportunity(turn.viewer, alert.opportunity_id)
        return None if deal is None else deal.name if zh else (deal.name_en or deal.name)
    account = turn.crm.get_account(turn.viewer, alert.account_id)
    return None if account is None else account.name_zh if zh else account.name_en


def home_blocks(turn: "Turn") -> list[Any]:
    lang = turn.language
    header = Header(text=pick(lang, "我的提醒", "My alerts"))
    rows = []
    for alert in open_alerts(turn):
        name = _target_name(turn, alert)
        if name is None:
            continue
        rows.append([f"{SEVERITY_MARK.get(alert.severity, '')} {alert.rule_name}".strip(), name, alert.fired_on.isoformat()])
    if not rows:
        return [header, Section(text=pick(lang, f"近 {WINDOW_DAYS} 天没有待处理的提醒。",
                                          f"No open alerts in the last {WINDOW_DAYS} days."))]
    columns = [pick(lang, "规则", "Rule"), pick(lang, "对象", "About"), pick(lang, "日期", "Date")]
    note = pick(lang, f"近 {WINDOW_DAYS} 天待处理的提醒 {len(rows)} 条；在提醒消息上点“完成 / 推迟 / 没有用”即可处理。",
                f"{len(rows)} open alert(s) from the last {WINDOW_DAYS} days; use the buttons on each alert message to handle it.")
    return [header, Table(columns=columns, rows=rows[:MAX_SHOWN]), Context(text=note)]
