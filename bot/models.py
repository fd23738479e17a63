"""Runtime tables every skill shares: conversation state, processed events, audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: every datetime DealPilot stores is aware (SQLModel's UTCDateTime)."""
    return datetime.now(timezone.utc)


class ConversationState(SQLModel, table=True):
    """Per-thread state of a multi-turn flow (which skill owns the thread, and its data).

    Kept in the database, never in process memory, so a restart or a second bot worker picks the
    conversation up where it was.
    """

    __tablename__ = "bot_conversation_state"
    key: str = Field(primary_key=True)
    skill: str | None = None
    state: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list)
    )
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """An inbound event id already handled: the primary key makes de-duplication race-free across workers."""

    __tablename__ = "bot_processed_event"
    event_key: str = Field(primary_key=True)
    received_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who changed what, with before/after, for every write DealPilot makes."""

    __tablename__ = "bot_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
