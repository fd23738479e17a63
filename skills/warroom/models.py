"""Tables of the war-room skill (prefix ``warroom_``).

Why these shapes:
- A room is one chat channel linked to one deal on one platform/workspace; the unique keys make
  "create twice returns the existing room" and "which room is this channel?" database facts that
  hold across bot processes.
- The card's message reference and a hash of its content live on the room, so a periodic job can
  tell whether the CRM changed and update the card in place (never a new message).
- Tasks keep their full history (who, when, before/after) in their own table; reminders are one
  row per (task, day), so "remind once a day" survives restarts and concurrent schedulers.
- The console platform keeps its channels and posts here, so tests and ``dealpilot ask`` can read
  the pinned card exactly as Slack or DingTalk would show it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models import utcnow


class WarRoom(SQLModel, table=True):
    """One deal's channel: where it lives, which deal it follows, its card and digest settings."""

    __tablename__ = "warroom_room"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel", name="uq_warroom_room_channel"),
        UniqueConstraint("platform", "workspace", "opportunity_id", name="uq_warroom_room_deal"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    workspace: str
    channel: str = Field(index=True)
    name: str
    opportunity_id: int = Field(index=True)
    account_id: int
    language: str = "zh"
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    card_ref: str | None = None
    card_hash: str | None = None
    card_updates: int = 0
    gantt_hash: str | None = None
    digest_time: str = "09:00"
    digest_tz: str = "Asia/Shanghai"
    last_digest_on: date | None = None
    last_digest_at: datetime | None = None
    digest_state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    last_message_at: datetime | None = None
    active: bool = True


class WarRoomMember(SQLModel, table=True):
    """A person in a room: their CRM id, their id on the room's platform, and their role on the deal."""

    __tablename__ = "warroom_member"

    room_id: int = Field(primary_key=True)
    user_id: str = Field(primary_key=True, index=True)
    platform_user_id: str | None = None
    role: str = "member"  # owner | sales | presales | delivery | legal | asker
    messages: int = 0
    last_message_at: datetime | None = None
    joined_at: datetime = Field(default_factory=utcnow)


class WarRoomTask(SQLModel, table=True):
    """A task on the deal with one accountable owner and an optional due date."""

    __tablename__ = "warroom_task"

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(index=True)
    opportunity_id: int = Field(index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    owner_id: str = Field(index=True)
    due_date: date | None = None
    status: str = Field(default="open", index=True)  # open | done
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
    done_by: str | None = None


class WarRoomTaskEvent(SQLModel, table=True):
    """Every change to a task: who did what, when, and the fields before and after."""

    __tablename__ = "warroom_task_event"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str
    action: str  # create | done | reopen | reassign | remind
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class WarRoomReminder(SQLModel, table=True):
    """An overdue reminder already sent: the primary key makes it once per task per day."""

    __tablename__ = "warroom_reminder"

    task_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    sent_at: datetime = Field(default_factory=utcnow)


class WarRoomRisk(SQLModel, table=True):
    """An open risk with an owner: typed by the team, or derived from the CRM (``code`` set)."""

    __tablename__ = "warroom_risk"
    __table_args__ = (UniqueConstraint("room_id", "code", name="uq_warroom_risk_code"),)

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(index=True)
    code: str | None = None  # derived risks: e.g. "milestone_overdue:17"; None for typed ones
    title_zh: str = Field(sa_column=Column(Text, nullable=False))
    title_en: str = Field(sa_column=Column(Text, nullable=False))
    owner_id: str
    status: str = "open"  # open | closed
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class WarRoomDigest(SQLModel, table=True):
    """A digest posted to a room (what it said, for the next one and for audits)."""

    __tablename__ = "warroom_digest"

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(index=True)
    day: date
    posted_at: datetime = Field(default_factory=utcnow)
    text: str = Field(sa_column=Column(Text, nullable=False))
    message_ref: str | None = None


class ConsoleChannel(SQLModel, table=True):
    """A channel of the console platform (no chat server: the store is the chat)."""

    __tablename__ = "warroom_console_channel"

    id: str = Field(primary_key=True)
    name: str
    members: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    created_at: datetime = Field(default_factory=utcnow)


class ConsolePost(SQLModel, table=True):
    """A message (or picture) the bot posted in a console channel; ``updates`` counts in-place edits."""

    __tablename__ = "warroom_console_post"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True)
    kind: str = "message"  # message | image
    reply: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    image_path: str | None = None
    pinned: bool = False
    updates: int = 0
    posted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
