"""The room's daily digest: what changed since the last one.

How it knows: each digest (and the room's creation) stores a small state of the deal -- stage,
milestone dates and statuses, task statuses, when -- and the next digest compares the CRM with it.
Activities, competitor signals and rule alerts are read "since the last digest" by time.
Pure functions; ``service.post_digest`` posts and saves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.lang import pick
from bot.messages import Citation, Citations, Context, Header, Reply, Section
from skills.warroom.card import milestone_status
from skills.warroom.deal import STAGES, DealSnapshot, label
from skills.warroom.models import WarRoomTask


def snapshot_state(snapshot: DealSnapshot, tasks: list[WarRoomTask], *, today: date, at: datetime | None = None) -> dict[str, Any]:
    """What the next digest compares against (JSON-able)."""
    from bot.models import utcnow

    return {
        "as_of": today.isoformat(),
        "at": (at or utcnow()).isoformat(),
        "stage": snapshot.opportunity.stage,
        "milestones": {
            str(v.milestone.id): [v.milestone.planned_date.isoformat(),
                                  v.milestone.actual_date.isoformat() if v.milestone.actual_date else None,
                                  v.milestone.status, v.overdue]
            for v in snapshot.milestones
        },
        "tasks": {str(t.id): t.status for t in tasks},
    }


def _alerts_for(store: Any, opportunity_id: int, account_id: int, since: datetime) -> list[Any]:
    """Rule alerts about this deal since ``since``, when the alerts package is installed."""
    try:
        from skills.alerts.models import Alert
    except ModuleNotFoundError:
        return []
    from sqlmodel import or_, select

    with store.session() as s:
        rows = s.exec(select(Alert).where(
            or_(Alert.opportunity_id == opportunity_id, Alert.target == f"deal:{opportunity_id}"),
            Alert.delivered == True,  # noqa: E712
        )).all()
    return [a for a in rows if getattr(a, "fired_at", None) is None or _aware(a.fired_at) > since]


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def build_digest(
    *, snapshot: DealSnapshot, tasks: list[WarRoomTask], previous: dict[str, Any], signals: list[Any],
    alerts: list[Any], language: str, today: date,
) -> Reply:
    """The digest reply: one line per change, citations for the records behind them."""
    since = _aware(datetime.fromisoformat(previous["at"])) if previous.get("at") else None
    lines: list[str] = []
    cites: list[Citation] = []
    o = snapshot.opportunity
    if previous.get("stage") and previous["stage"] != o.stage:
        lines.append(pick(language, f"• 阶段：{label(STAGES, previous['stage'], 'zh')} → {label(STAGES, o.stage, 'zh')}",
                          f"• Stage: {label(STAGES, previous['stage'], 'en')} → {label(STAGES, o.stage, 'en')}"))
        cites.append(Citation(source=f"crm://opportunity/{o.id}", title=snapshot.deal_name(language)))
    before_ms: dict[str, list[Any]] = previous.get("milestones", {})
    for view in snapshot.milestones:
        m = view.milestone
        old = before_ms.get(str(m.id))
        name = view.name(language)
        if old is None:
            continue
        old_planned, old_actual, _old_status, old_overdue = old
        if old_planned != m.planned_date.isoformat():
            shift = (m.planned_date - date.fromisoformat(old_planned)).days
            lines.append(pick(language, f"• 里程碑「{name}」计划日期 {old_planned} → {m.planned_date}（{shift:+d} 天）",
                              f"• Milestone '{name}' moved {old_planned} → {m.planned_date} ({shift:+d} days)"))
        elif m.actual_date is not None and old_actual is None:
            lines.append(pick(language, f"• 里程碑「{name}」完成：{milestone_status(view, 'zh')}",
                              f"• Milestone '{name}' finished: {milestone_status(view, 'en')}"))
        elif view.overdue and not old_overdue:
            lines.append(pick(language, f"• 里程碑「{name}」已逾期", f"• Milestone '{name}' is now overdue"))
        else:
            continue
        cites.append(Citation(source=f"crm://milestone/{m.id}", title=name))
    before_tasks: dict[str, str] = previous.get("tasks", {})
    for t in tasks:
        if t.status == "done" and before_tasks.get(str(t.id)) != "done":
            lines.append(pick(language, f"• 任务 #{t.id}「{t.title}」已完成（{snapshot.user_name(t.done_by, 'zh')}）",
                              f"• Task #{t.id} '{t.title}' done ({snapshot.user_name(t.done_by, 'en')})"))
        elif str(t.id) not in before_tasks:
            lines.append(pick(language, f"• 新任务 #{t.id}「{t.title}」→ {snapshot.user_name(t.owner_id, 'zh')}",
                              f"• New task #{t.id} '{t.title}' → {snapshot.user_name(t.owner_id, 'en')}"))
    overdue = [t for t in tasks if t.status == "open" and t.due_date is not None and t.due_date < today]
    for t in overdue:
        lines.append(pick(language, f"• ⚠ 任务 #{t.id}「{t.title}」逾期 {(today - t.due_date).days} 天（{snapshot.user_name(t.owner_id, 'zh')}）",  # type: ignore[operator]
                          f"• ⚠ Task #{t.id} '{t.title}' overdue {(today - t.due_date).days}d ({snapshot.user_name(t.owner_id, 'en')})"))  # type: ignore[operator]
    new_activities = [a for a in snapshot.activities if since is None or _aware(a.occurred_at) > since]
    for a in new_activities[:10]:
        who = snapshot.user_name(a.author_id, language)
        lines.append(pick(language, f"• 新跟进：{a.occurred_at.date()} {who} {a.kind}「{a.subject or a.summary[:40]}」",
                          f"• New activity: {a.occurred_at.date()} {who} {a.kind} '{a.subject or a.summary[:40]}'"))
        cites.append(Citation(source=f"crm://activity/{a.id}", title=a.subject or a.kind, snippet=a.summary[:200]))
    for sig in signals[:5]:
        lines.append(pick(language, f"• 竞品信号：{sig.competitor}（{sig.source}，{sig.observed_at}）{sig.note[:60]}",
                          f"• Competitor signal: {sig.competitor} ({sig.source}, {sig.observed_at}) {sig.note[:60]}"))
        cites.append(Citation(source=f"crm://competitor_signal/{sig.id}", title=sig.competitor))
    for alert in alerts[:5]:
        lines.append(pick(language, f"• 预警：{alert.rule_name}（{alert.severity}）", f"• Alert: {alert.rule_name} ({alert.severity})"))
    head = pick(language, f"作战室日报 · {snapshot.deal_name('zh')} · {today}", f"War-room digest · {snapshot.deal_name('en')} · {today}")
    if not lines:
        lines.append(pick(language, "自上次日报以来没有变化。", "No changes since the last digest."))
    since_text = previous.get("as_of", "–")
    blocks: list[Any] = [Header(text=head), Section(text="\n".join(lines)),
                         Context(text=pick(language, f"对比基准：{since_text}", f"Compared with: {since_text}"))]
    if cites:
        blocks.append(Citations(items=cites))
    return Reply(text=head + "\n" + "\n".join(lines), blocks=blocks, language=language, skill="warroom")  # type: ignore[arg-type]


def alerts_since(store: Any, snapshot: DealSnapshot, since: datetime | None) -> list[Any]:
    if since is None:
        return []
    return _alerts_for(store, snapshot.opportunity.id, snapshot.account.id, since)
