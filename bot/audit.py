"""The audit log: every write DealPilot makes on someone's behalf, with before and after."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.models import AuditEntry
from bot.store import Store


def record(store: Store, *, actor: str, action: str, target: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    with store.session() as s:
        s.add(AuditEntry(actor=actor, action=action, target=target, before=before, after=after))


def entries(store: Store, *, target: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)  # type: ignore[arg-type]
    if target is not None:
        query = query.where(AuditEntry.target == target)
    with store.session() as s:
        return list(s.exec(query))
