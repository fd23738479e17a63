"""Reads and writes of the war-room tables, one short transaction each.

Why a module of its own: the skill, the CLI and the periodic jobs all change rooms, tasks and
risks, and each change must be one transaction with its history row, whoever makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.models import utcnow
from bot.store import Store
from skills.warroom.models import (
    WarRoom,
    WarRoomMember,
    WarRoomReminder,
    WarRoomRisk,
    WarRoomTask,
    WarRoomTaskEvent,
)
from skills.warroom.risks import DerivedRisk

# --- rooms ----------------------------------------------------------------------------------------


def room_for_channel(store: Store, *, platform: str, workspace: str, channel: str) -> WarRoom | None:
    with store.session() as s:
        return s.exec(select(WarRoom).where(
            WarRoom.platform == platform, WarRoom.workspace == workspace, WarRoom.channel == channel,
            WarRoom.active == True,  # noqa: E712
        )).first()


def room_for_deal(store: Store, *, platform: str, workspace: str, opportunity_id: int) -> WarRoom | None:
    with store.session() as s:
        return s.exec(select(WarRoom).where(
            WarRoom.platform == platform, WarRoom.workspace == workspace, WarRoom.opportunity_id == opportunity_id,
        )).first()


def room_by_channel(store: Store, channel: str) -> WarRoom | None:
    """The active room on ``channel`` whatever the platform (channel ids are platform-unique in practice)."""
    with store.session() as s:
        return s.exec(select(WarRoom).where(WarRoom.channel == channel, WarRoom.active == True)  # noqa: E712
                      .order_by(col(WarRoom.id).desc())).first()


def rooms_for_deal(store: Store, opportunity_id: int) -> list[WarRoom]:
    """The deal's active rooms on every platform and workspace, oldest first."""
    with store.session() as s:
        return list(s.exec(select(WarRoom).where(
            WarRoom.opportunity_id == opportunity_id, WarRoom.active == True,  # noqa: E712
        ).order_by(col(WarRoom.id))))


def get_room(store: Store, room_id: int) -> WarRoom | None:
    with store.session() as s:
        return s.get(WarRoom, room_id)


def all_rooms(store: Store) -> list[WarRoom]:
    with store.session() as s:
        return list(s.exec(select(WarRoom).where(WarRoom.active == True).order_by(WarRoom.id)))  # type: ignore[arg-type]  # noqa: E712


def insert_room(store: Store, room: WarRoom, members: list[WarRoomMember]) -> tuple[WarRoom, bool]:
    """Insert ``room`` with its members; ``(existing, False)`` when another worker linked the deal first."""
    try:
        with store.session() as s:
            s.add(room)
            s.flush()
            for m in members:
                m.room_id = room.id  # type: ignore[assignment]
                s.add(m)
            s.flush()
            s.refresh(room)
            return room, True
    except IntegrityError:
        existing = room_for_deal(store, platform=room.platform, workspace=room.workspace,
                                 opportunity_id=room.opportunity_id)
        if existing is None:
            raise
        return existing, False


def save_room(store: Store, room_id: int, **values: Any) -> WarRoom:
    with store.session() as s:
        row = s.get(WarRoom, room_id)
        assert row is not None, f"room {room_id} vanished"
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)
        s.flush()
        s.refresh(row)
        return row


def members(store: Store, room_id: int) -> list[WarRoomMember]:
    with store.session() as s:
        return list(s.exec(select(WarRoomMember).where(WarRoomMember.room_id == room_id).order_by(WarRoomMember.joined_at)))  # type: ignore[arg-type]


def member(store: Store, room_id: int, user_id: str) -> WarRoomMember | None:
    with store.session() as s:
        return s.get(WarRoomMember, (room_id, user_id))


def note_message(store: Store, room_id: int, user_id: str, *, at: datetime | None = None) -> None:
    """Count a member's message (participation balance in ``/warroom health``)."""
    at = at or utcnow()
    with store.session() as s:
        row = s.get(WarRoomMember, (room_id, user_id))
        if row is not None:
            row.messages += 1
            row.last_message_at = at
            s.add(row)
        room = s.get(WarRoom, room_id)
        if room is not None:
            room.last_message_at = at
            s.add(room)


# --- tasks ----------------------------------------------------------------------------------------


def _task_fields(task: WarRoomTask) -> dict[str, Any]:
    return {"title": task.title, "owner_id": task.owner_id, "status": task.status,
            "due_date": task.due_date.isoformat() if task.due_date else None}


def add_task(store: Store, *, room: WarRoom, title: str, owner_id: str, due: date | None, actor: str) -> WarRoomTask:
    with store.session() as s:
        task = WarRoomTask(room_id=room.id, opportunity_id=room.opportunity_id, title=title, owner_id=owner_id,  # type: ignore[arg-type]
                           due_date=due, created_by=actor)
        s.add(task)
        s.flush()
        s.add(WarRoomTaskEvent(task_id=task.id, actor=actor, action="create", before=None, after=_task_fields(task)))  # type: ignore[arg-type]
        s.flush()
        s.refresh(task)
        return task


def get_task(store: Store, task_id: int) -> WarRoomTask | None:
    with store.session() as s:
        return s.get(WarRoomTask, task_id)


def change_task(store: Store, task_id: int, *, actor: str, action: str, **values: Any) -> WarRoomTask:
    """Apply ``values`` and record the change with before/after in the same transaction."""
    with store.session() as s:
        task = s.get(WarRoomTask, task_id)
        assert task is not None
        before = _task_fields(task)
        for key, value in values.items():
            setattr(task, key, value)
        s.add(task)
        s.add(WarRoomTaskEvent(task_id=task_id, actor=actor, action=action, before=before, after=_task_fields(task)))
        s.flush()
        s.refresh(task)
        return task


def tasks(store: Store, room_id: int, *, status: str | None = None) -> list[WarRoomTask]:
    query = select(WarRoomTask).where(WarRoomTask.room_id == room_id)
    if status:
        query = query.where(WarRoomTask.status == status)
    with store.session() as s:
        return list(s.exec(query.order_by(col(WarRoomTask.due_date).is_(None), WarRoomTask.due_date, WarRoomTask.id)))


def task_events(store: Store, task_id: int) -> list[WarRoomTaskEvent]:
    with store.session() as s:
        return list(s.exec(select(WarRoomTaskEvent).where(WarRoomTaskEvent.task_id == task_id).order_by(WarRoomTaskEvent.id)))  # type: ignore[arg-type]


def claim_reminder(store: Store, task_id: int, day: date, *, also: Callable[[Any], None] | None = None) -> bool:
    """``True`` the first time for (task, day) across all processes; ``False`` afterwards.

    ``also(session)`` runs in the same transaction as the claim (the owner's DM is enqueued into
    the outbox there), so the claim and the DM commit together or not at all: a crash between
    them can neither lose the DM nor send it twice.
    """
    try:
        with store.session() as s:
            s.add(WarRoomReminder(task_id=task_id, day=day))
            s.flush()
            if also is not None:
                also(s)
    except IntegrityError:
        return False
    return True


# --- risks ----------------------------------------------------------------------------------------


def open_risks(store: Store, room_id: int) -> list[WarRoomRisk]:
    with store.session() as s:
        return list(s.exec(select(WarRoomRisk).where(WarRoomRisk.room_id == room_id, WarRoomRisk.status == "open")
                           .order_by(WarRoomRisk.id)))  # type: ignore[arg-type]


def add_risk(store: Store, *, room_id: int, title: str, owner_id: str, actor: str) -> WarRoomRisk:
    with store.session() as s:
        risk = WarRoomRisk(room_id=room_id, title_zh=title, title_en=title, owner_id=owner_id, created_by=actor)
        s.add(risk)
        s.flush()
        s.refresh(risk)
        return risk


def sync_derived_risks(store: Store, room_id: int, derived: list[DerivedRisk]) -> None:
    """Open new derived risks, refresh their wording, close the ones whose cause is gone."""
    wanted = {r.code: r for r in derived}
    with store.session() as s:
        rows = list(s.exec(select(WarRoomRisk).where(WarRoomRisk.room_id == room_id, col(WarRoomRisk.code).is_not(None))))
        by_code = {r.code: r for r in rows}
        for code, risk in wanted.items():
            row = by_code.get(code)
            if row is None:
                s.add(WarRoomRisk(room_id=room_id, code=code, title_zh=risk.title_zh, title_en=risk.title_en,
                                  owner_id=risk.owner_id, created_by="dealpilot"))
                continue
            row.title_zh, row.title_en = risk.title_zh, risk.title_en
            if row.status != "open":
                row.status, row.closed_at = "open", None
            s.add(row)
        for row in rows:
            if row.code not in wanted and row.status == "open":
                row.status, row.closed_at = "closed", utcnow()
                s.add(row)
