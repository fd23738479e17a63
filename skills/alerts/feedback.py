"""What people do with an alert: done / will do, snooze 7 days, not useful (with a reason).

A button press is accepted from the alert's recipients and from anyone who may see its account;
everyone else gets the same answer as for a missing alert (no hint that it exists).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.errors import NotFoundOrHidden
from bot.outbox import user_recipient
from skills.alerts.models import Alert, AlertFeedback

_GONE = NotFoundOrHidden(zh="找不到这条提醒，或你无权处理它。", en="I can't find that alert, or it isn't yours to handle.")
STATUS = {"ack": "acked", "snooze": "snoozed", "not_useful": "not_useful"}


def visible_alert(turn: Any, value: str) -> Alert:
    """The alert a button points at, if the presser may act on it."""
    try:
        alert_id = int(value)
    except (TypeError, ValueError):
        raise _GONE from None
    with turn.runtime.store.session() as s:
        alert = s.get(Alert, alert_id)
    if alert is None:
        raise _GONE
    if user_recipient(turn.viewer.user_id) in (alert.recipients or []):
        return alert
    if turn.crm.get_account(turn.viewer, alert.account_id) is not None:
        return alert
    raise _GONE


def record(store: Any, alert: Alert, user_id: str, kind: str, *, snooze: timedelta | None = None,
           today: date | None = None) -> date | None:
    """Store the feedback and move the alert's status; returns the snooze date for ``snooze``."""
    until = None
    with store.session() as s:
        row = s.get(Alert, alert.id)
        assert row is not None
        row.status = STATUS[kind]
        if snooze is not None:
            until = (today or date.today()) + snooze
            row.snoozed_until = until
        s.add(row)
        s.add(AlertFeedback(alert_id=row.id, user_id=user_id, kind=kind))
    return until


def add_reason(store: Any, alert_id: int, user_id: str, reason: str) -> None:
    """Attach the "why not useful" text to that user's latest not-useful feedback on the alert."""
    from sqlmodel import col, select

    with store.session() as s:
        row = s.exec(
            select(AlertFeedback)
            .where(AlertFeedback.alert_id == alert_id, AlertFeedback.user_id == user_id, AlertFeedback.kind == "not_useful")
            .order_by(col(AlertFeedback.id).desc())
        ).first()
        if row is not None:
            row.reason = reason
            s.add(row)
