"""What a war room does, independent of how it was asked: create, refresh the card, tasks, reminders.

The skill (chat), the CLI and the periodic jobs all call these functions. Every function that
depends on the date takes ``today`` (the room's local date) so callers and tests decide which day
it is; background work reads the CRM as the system viewer and only ever posts into the room.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot import audit
from bot.errors import InvalidInput, NotFoundOrHidden, UserFacingError
from bot.lang import pick
from bot.messages import Reply, Section
from integrations.crm.entities import UserRecord
from integrations.crm.viewer import SYSTEM_VIEWER, Viewer
from skills.warroom import repo
from skills.warroom.card import build_card, card_hash
from skills.warroom.channels import ROOM_PLATFORMS_SERVICE, RoomPlatform, room_platform
from skills.warroom.deal import DealSnapshot, load_snapshot
from skills.warroom.digest import snapshot_state
from skills.warroom.gantt import render_gantt, timeline_hash
from skills.warroom.models import WarRoom, WarRoomMember, WarRoomTask
from skills.warroom.risks import derive_risks

log = logging.getLogger("dealpilot.warroom")

DEAL_HIDDEN = NotFoundOrHidden(zh="我找不到你有权限查看的这个商机。", en="I can't find a deal you have access to.")
NO_PLATFORM = UserFacingError(zh="这个聊天平台暂时不支持创建作战室。", en="War rooms are not available on this chat platform yet.")


@dataclass
class Created:
    """The outcome of a create: the room, whether it is new, who was invited and who could not be."""

    room: WarRoom
    created: bool
    invited: list[WarRoomMember] = field(default_factory=list)
    not_invited: list[UserRecord] = field(default_factory=list)


def room_today(room: WarRoom | None, *, default_tz: str = "Asia/Shanghai", now: datetime | None = None) -> date:
    """The calendar day in the room's time zone (relative task dates and digests count from it)."""
    tz = ZoneInfo(room.digest_tz if room else default_tz)
    return (now or datetime.now(tz)).astimezone(tz).date()


def chat_identity_of(crm: Any, *, platform: str, workspace: str, user_id: str) -> str | None:
    """The user's chat id on ``platform`` from the identity mapping table, when the CRM keeps one.

    The ``CRM`` interface maps chat id -> user only; the reverse is read from the embedded CRM's
    mapping table here (other connectors fall back to the platform's own lookup, e.g. by email).
    """
    finder = getattr(crm, "chat_identities_of", None)
    if callable(finder):
        found = finder(user_id, platform=platform, workspace=workspace)
        return found[0] if found else None
    raw_session = getattr(crm, "raw_session", None)
    if raw_session is None:
        return None
    from integrations.crm.local.models import ChatIdentity

    with raw_session() as s:
        rows = list(s.exec(select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.user_id == user_id)))
    exact = [r for r in rows if r.workspace == workspace] or [r for r in rows if r.workspace == "*"]
    return exact[0].external_id if exact else None


def platform_for(runtime: Any, room_or_platform: WarRoom | str) -> RoomPlatform:
    name = room_or_platform if isinstance(room_or_platform, str) else room_or_platform.platform
    impl = room_platform(runtime, name)
    if impl is None:
        raise NO_PLATFORM
    return impl


# --- create -----------------------------------------------------------------------------------------


def create_room(
    runtime: Any, *, viewer: Viewer, platform: str, workspace: str, opportunity_id: int, language: str, today: date,
) -> Created:
    """Create the deal's room (or return the existing one): channel, invites, link, pinned card.

    Raises ``NotFoundOrHidden`` when ``viewer`` cannot see the deal, before anything is created.
    """
    snapshot = load_snapshot(runtime.crm, viewer, opportunity_id, today=today)
    if snapshot is None:
        raise DEAL_HIDDEN
    existing = repo.room_for_deal(runtime.store, platform=platform, workspace=workspace, opportunity_id=opportunity_id)
    if existing is not None:
        return Created(room=existing, created=False)
    impl = platform_for(runtime, platform)
    people: list[tuple[UserRecord, str]] = [(m.user, m.role) for m in snapshot.team]
    if not any(u.id == viewer.user_id for u, _ in people):
        asker = runtime.crm.get_user(viewer.user_id)
        if asker is not None:
            people.append((asker, "asker"))
    invited: list[WarRoomMember] = []
    not_invited: list[UserRecord] = []
    for user, role in people:
        ext = chat_identity_of(runtime.crm, platform=platform, workspace=workspace, user_id=user.id) or impl.lookup_user(user)
        if ext is None:
            not_invited.append(user)
            continue
        invited.append(WarRoomMember(room_id=0, user_id=user.id, platform_user_id=ext, role=role))
    invited.sort(key=lambda m: m.user_id != viewer.user_id)  # the asker first: DingTalk makes them the group owner
    name = pick(language, f"作战室-{snapshot.deal_name('zh')}", f"war-room-{snapshot.deal_name('en')}")  # type: ignore[arg-type]
    channel = impl.create_channel(name, [m.platform_user_id for m in invited if m.platform_user_id])
    room = WarRoom(
        platform=platform, workspace=workspace, channel=channel, name=name, opportunity_id=opportunity_id,
        account_id=snapshot.account.id, language=language, created_by=viewer.user_id,
        digest_tz=runtime.settings.timezone, digest_state=snapshot_state(snapshot, [], today=today),
    )
    room, created = repo.insert_room(runtime.store, room, invited)
    if not created:
        return Created(room=room, created=False)
    audit.record(runtime.store, actor=viewer.user_id, action="warroom.create", target=f"warroom://{room.id}",
                 after={"channel": channel, "platform": platform, "opportunity_id": opportunity_id,
                        "members": [m.user_id for m in invited]})
    room = publish_card(runtime, room, snapshot=snapshot)
    return Created(room=room, created=True, invited=invited, not_invited=not_invited)


# --- the card -----------------------------------------------------------------------------------------


def _card_for(runtime: Any, room: WarRoom, snapshot: DealSnapshot) -> Reply:
    repo.sync_derived_risks(runtime.store, room.id, derive_risks(snapshot))  # type: ignore[arg-type]
    return build_card(snapshot, tasks=repo.tasks(runtime.store, room.id, status="open"),  # type: ignore[arg-type]
                      risks=repo.open_risks(runtime.store, room.id), language=room.language)  # type: ignore[arg-type]


def gantt_path(runtime: Any, room: WarRoom) -> Path:
    return Path(runtime.settings.home) / "warroom" / f"room-{room.id}-gantt.png"


def _share_gantt(runtime: Any, room: WarRoom, snapshot: DealSnapshot, impl: RoomPlatform) -> str | None:
    """Draw and share the timeline picture when it changed; returns the new timeline hash."""
    if not snapshot.milestones:
        return room.gantt_hash
    digest = timeline_hash(snapshot.milestones, snapshot.today)
    if digest == room.gantt_hash:
        return digest
    path = render_gantt(snapshot.milestones, today=snapshot.today, path=gantt_path(runtime, room),
                        title_zh=f"{snapshot.deal_name('zh')} · 交付里程碑", title_en=f"{snapshot.deal_name('en')} · delivery milestones",
                        language=room.language)
    try:
        impl.upload_image(room.channel, str(path))
    except Exception:  # the picture is a nicety; the card's text timeline carries the facts
        log.warning("gantt upload failed room=%s", room.id, exc_info=True)
        return room.gantt_hash
    return digest


def publish_card(runtime: Any, room: WarRoom, *, snapshot: DealSnapshot) -> WarRoom:
    """Post and pin the first card (and the timeline picture)."""
    impl = platform_for(runtime, room)
    card = _card_for(runtime, room, snapshot)
    ref = impl.post(room.channel, card)
    try:
        impl.pin(room.channel, ref)
    except Exception:
        log.warning("pin failed room=%s", room.id, exc_info=True)
    gantt = _share_gantt(runtime, room, snapshot, impl)
    return repo.save_room(runtime.store, room.id, card_ref=ref, card_hash=card_hash(card), gantt_hash=gantt)  # type: ignore[arg-type]


def refresh_card(runtime: Any, room: WarRoom, *, today: date | None = None, force: bool = False) -> bool:
    """Update the pinned card in place when what it shows changed; ``True`` when it was updated."""
    today = today or room_today(room)
    snapshot = load_snapshot(runtime.crm, SYSTEM_VIEWER, room.opportunity_id, today=today)
    if snapshot is None:
        log.warning("room %s: deal %s is gone", room.id, room.opportunity_id)
        return False
    impl = platform_for(runtime, room)
    if room.card_ref is None:
        publish_card(runtime, room, snapshot=snapshot)
        return True
    card = _card_for(runtime, room, snapshot)
    digest = card_hash(card)
    gantt = _share_gantt(runtime, room, snapshot, impl)
    if digest == room.card_hash and not force:
        if gantt != room.gantt_hash:
            repo.save_room(runtime.store, room.id, gantt_hash=gantt)  # type: ignore[arg-type]
        return False
    impl.update(room.channel, room.card_ref, card)
    repo.save_room(runtime.store, room.id, card_hash=digest, card_updates=room.card_updates + 1, gantt_hash=gantt)  # type: ignore[arg-type]
    return True


def refresh_all(runtime: Any, *, today: date | None = None) -> list[int]:
    """The periodic job: refresh every room whose card changed; returns the rooms updated."""
    updated = []
    for room in repo.all_rooms(runtime.store):
        if room_platform(runtime, room.platform) is None:
            continue  # that platform's adapter does not run in this process
        try:
            if refresh_card(runtime, room, today=today):
                updated.append(room.id)  # type: ignore[arg-type]
        except Exception:
            log.exception("card refresh failed room=%s", room.id)
    return updated


# --- tasks ----------------------------------------------------------------------------------------------


def require_member(runtime: Any, room: WarRoom, user_id: str) -> WarRoomMember:
    found = repo.member(runtime.store, room.id, user_id)  # type: ignore[arg-type]
    if found is None:
        raise NotFoundOrHidden(zh="只有作战室成员可以查看和操作作战室内容。", en="Only members of this war room can see or change its content.")
    return found


def create_task(runtime: Any, *, room: WarRoom, actor: str, title: str, owner_id: str, due: date | None,
                today: date) -> WarRoomTask:
    if not title.strip():
        raise InvalidInput(zh="任务内容是空的，请写上要做什么，例如：任务：周五前发技术方案 @李四",
                           en="The task is empty. Say what needs doing, e.g. task: send the proposal by Friday @bob")
    if len(title) > 500:
        raise InvalidInput(zh="任务内容太长了（最多 500 字）。", en="That task is too long (500 characters at most).")
    require_member(runtime, room, owner_id)
    task = repo.add_task(runtime.store, room=room, title=title.strip(), owner_id=owner_id, due=due, actor=actor)
    refresh_card(runtime, room, today=today)
    _publish_task_write(runtime, room)
    return task


def _publish_task_write(runtime: Any, room: WarRoom) -> None:
    """Tell ``bot.events`` subscribers (the alert rules) that work on the room's deal changed."""
    from bot.events import crm_changed

    crm_changed(runtime, [room.account_id], event="activity")


def _task_in_room(runtime: Any, task_id: int, actor: str) -> tuple[WarRoomTask, WarRoom]:
    """The task and its room, found from the task (a press in a DM has no room channel).

    Only the task's owner or a member of its room may act on it; anyone else gets the same answer
    as for a missing task (a task title is deal content).
    """
    task = repo.get_task(runtime.store, task_id)
    room = repo.get_room(runtime.store, task.room_id) if task else None
    allowed = task is not None and room is not None and (
        task.owner_id == actor or repo.member(runtime.store, room.id, actor) is not None)  # type: ignore[arg-type]
    if task is None or room is None or not allowed:
        raise NotFoundOrHidden(zh="找不到这个任务，或者你不是它所在作战室的成员。",
                               en="I can't find that task, or you are not a member of its war room.")
    return task, room


def complete_task(runtime: Any, *, task_id: int, actor: str, today: date | None = None) -> tuple[WarRoomTask, bool]:
    """Mark done; ``(task, False)`` when it was already done (nothing changes)."""
    task, room = _task_in_room(runtime, task_id, actor)
    if task.status == "done":
        return task, False
    from bot.models import utcnow

    task = repo.change_task(runtime.store, task_id, actor=actor, action="done", status="done", done_at=utcnow(), done_by=actor)
    refresh_card(runtime, room, today=today)
    _publish_task_write(runtime, room)
    return task, True


def reassign_task(runtime: Any, *, task_id: int, actor: str, owner_id: str, today: date | None = None) -> WarRoomTask:
    task, room = _task_in_room(runtime, task_id, actor)
    require_member(runtime, room, owner_id)
    if task.owner_id == owner_id:
        return task
    task = repo.change_task(runtime.store, task_id, actor=actor, action="reassign", owner_id=owner_id)
    refresh_card(runtime, room, today=today)
    _publish_task_write(runtime, room)
    return task


def remind_overdue(runtime: Any, *, today: date | None = None) -> list[int]:
    """Remind each overdue task's owner once per task per day; returns the task ids reminded.

    Two reminders: a post in the room mentioning the owner, and a DM to the owner enqueued in the
    outbox (``skills.warroom.reminders``) in the same transaction as the (task, day) claim.
    """
    from bot.outbox import enqueue, user_recipient
    from skills.warroom.reminders import SOURCE, reminder_dm, reminder_key

    reminded: list[int] = []
    for room in repo.all_rooms(runtime.store):
        impl = room_platform(runtime, room.platform)
        if impl is None:
            continue
        day = today or room_today(room)
        deal = None
        for task in repo.tasks(runtime.store, room.id, status="open"):  # type: ignore[arg-type]
            if task.due_date is None or task.due_date >= day:
                continue
            owner = runtime.crm.get_user(task.owner_id)
            if deal is None:
                deal = runtime.crm.get_opportunity(SYSTEM_VIEWER, room.opportunity_id)
            deal_name = room.name if deal is None else (
                deal.name if (owner.language if owner else room.language) == "zh" or not deal.name_en else deal.name_en)
            dm = reminder_dm(task=task, room=room, owner=owner, deal_name=deal_name, day=day)
            # an unknown or inactive owner gets no DM; the room post still names the task
            also = None if owner is None or not owner.active else partial(
                enqueue, recipient=user_recipient(task.owner_id), reply=dm,
                idempotency_key=reminder_key(task.id, day), source=SOURCE, capped=True)  # type: ignore[arg-type]
            if not repo.claim_reminder(runtime.store, task.id, day, also=also):  # type: ignore[arg-type]
                continue
            member = repo.member(runtime.store, room.id, task.owner_id)  # type: ignore[arg-type]
            mention = _mention(room.platform, member, owner)
            late = (day - task.due_date).days
            text = pick(room.language,  # type: ignore[arg-type]
                        f"⏰ {mention} 任务 #{task.id}「{task.title}」已逾期 {late} 天（截止 {task.due_date}）。完成后请点卡片上的「完成」。",
                        f"⏰ {mention} task #{task.id} '{task.title}' is {late} days overdue (due {task.due_date}). "
                        "Press Done on the card when it is finished.")
            try:
                impl.post(room.channel, Reply(text=text, blocks=[Section(text=text)], language=room.language, skill="warroom"))  # type: ignore[arg-type]
            except Exception:  # the DM is already queued durably; a failed room post must not stop other rooms
                log.warning("room reminder post failed room=%s task=%s", room.id, task.id, exc_info=True)
            repo.change_task(runtime.store, task.id, actor="dealpilot", action="remind")  # type: ignore[arg-type]
            reminded.append(task.id)  # type: ignore[arg-type]
    return reminded


def _mention(platform: str, member: WarRoomMember | None, user: UserRecord | None) -> str:
    if platform == "slack" and member and member.platform_user_id:
        return f"<@{member.platform_user_id}>"
    if user is None:
        return "@?"
    return f"@{user.name}"


def channel_for_deal(runtime: Any, opportunity_id: int, *, platform: str | None = None) -> str | None:
    """The channel of the deal's war room, where alerts about the deal go (``skills.alerts.delivery``).

    With ``platform``, only a room on that platform counts. Without it, a room on a platform this
    process serves comes first (its adapter is the one that will deliver), then the newest room.
    """
    rooms = [r for r in repo.rooms_for_deal(runtime.store, opportunity_id) if platform is None or r.platform == platform]
    if not rooms:
        return None
    served = set(runtime.service(ROOM_PLATFORMS_SERVICE, dict))
    rooms.sort(key=lambda r: (r.platform not in served, -(r.id or 0)))
    return rooms[0].channel


def rooms_for(runtime: Any, viewer: Viewer) -> list[WarRoom]:
    """Rooms whose deal ``viewer`` may see (managers see their teams' rooms)."""
    visible = {o.id for o in runtime.crm.list_opportunities(viewer)}
    return [r for r in repo.all_rooms(runtime.store) if r.opportunity_id in visible]


def tasks_for_card(runtime: Any, room: WarRoom) -> list[WarRoomTask]:
    return repo.tasks(runtime.store, room.id)  # type: ignore[arg-type]



# --- digest ---------------------------------------------------------------------------------------------


def post_digest(runtime: Any, room: WarRoom, *, today: date | None = None, now: datetime | None = None) -> Reply:
    """Post what changed since the last digest into the room and remember the new state."""
    from bot.models import utcnow
    from skills.warroom.digest import alerts_since, build_digest
    from skills.warroom.models import WarRoomDigest

    today = today or room_today(room)
    now = now or utcnow()
    snapshot = load_snapshot(runtime.crm, SYSTEM_VIEWER, room.opportunity_id, today=today)
    if snapshot is None:
        raise DEAL_HIDDEN
    previous = dict(room.digest_state or {})
    since_day = date.fromisoformat(previous["as_of"]) if previous.get("as_of") else None
    signals = runtime.crm.list_competitor_signals(SYSTEM_VIEWER, room.account_id, since=since_day) if since_day else []
    signals = [s for s in signals if since_day is None or s.observed_at > since_day]
    since_at = datetime.fromisoformat(previous["at"]) if previous.get("at") else None
    all_tasks = repo.tasks(runtime.store, room.id)  # type: ignore[arg-type]
    reply = build_digest(snapshot=snapshot, tasks=all_tasks, previous=previous, signals=signals,
                         alerts=alerts_since(runtime.store, snapshot, since_at), language=room.language, today=today)
    ref = platform_for(runtime, room).post(room.channel, reply)
    with runtime.store.session() as s:
        s.add(WarRoomDigest(room_id=room.id, day=today, text=reply.text, message_ref=ref))  # type: ignore[arg-type]
    repo.save_room(runtime.store, room.id, digest_state=snapshot_state(snapshot, all_tasks, today=today, at=now),  # type: ignore[arg-type]
                   last_digest_on=today, last_digest_at=now)
    return reply


def digest_due(room: WarRoom, *, now: datetime) -> bool:
    """Whether the room's digest time has passed today (room time zone) and today's is not out yet."""
    tz = ZoneInfo(room.digest_tz)
    local = now.astimezone(tz)
    hour, _, minute = room.digest_time.partition(":")
    due_at = local.replace(hour=int(hour), minute=int(minute or 0), second=0, microsecond=0)
    return local >= due_at and room.last_digest_on != local.date()


def post_due_digests(runtime: Any, *, now: datetime | None = None) -> list[int]:
    """The periodic job: post every digest whose time has come; returns the room ids."""
    from bot.models import utcnow

    now = now or utcnow()
    posted = []
    for room in repo.all_rooms(runtime.store):
        if room_platform(runtime, room.platform) is None or not digest_due(room, now=now):
            continue
        try:
            post_digest(runtime, room, today=now.astimezone(ZoneInfo(room.digest_tz)).date(), now=now)
            posted.append(room.id)  # type: ignore[arg-type]
        except Exception:
            log.exception("digest failed room=%s", room.id)
    return posted


def set_digest_time(runtime: Any, room: WarRoom, *, at: str, tz: str | None = None) -> WarRoom:
    """Change when the digest goes out (``"18:30"``, optional IANA time zone)."""
    import re

    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if match is None:
        raise InvalidInput(zh="时间格式应为 HH:MM，例如 18:30。", en="Use HH:MM for the time, e.g. 18:30.")
    zone = tz or room.digest_tz
    try:
        ZoneInfo(zone)
    except Exception:
        raise InvalidInput(zh=f"不认识的时区：{zone}", en=f"Unknown time zone: {zone}") from None
    return repo.save_room(runtime.store, room.id, digest_time=f"{int(match[1]):02d}:{match[2]}", digest_tz=zone)  # type: ignore[arg-type]
