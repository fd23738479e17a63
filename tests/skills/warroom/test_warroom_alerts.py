"""Alerts about a deal go into its war room (``WarRoomSkill.channel_for_deal``) and the room's digest
lists them; task writes in a room report the change through ``bot.events``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.events import on_crm_change
from bot.messages import Reply
from bot.outbox import OutboxMessage
from bot.runtime import Runtime
from skills.alerts.models import Alert
from skills.alerts.scan import run_scan
from skills.warroom import repo, service
from skills.warroom.channels import ConsoleRooms
from tests.conftest import TODAY


def _outbox(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.store.session() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_a_stale_deal_alert_goes_to_the_globex_room_and_its_digest(
    say: Callable[..., Reply], wr_runtime: Runtime, console_rooms: ConsoleRooms
) -> None:
    created = say("open a war room for the Globex deal", "bob.smith")
    assert created.metadata.get("created") is True, created.text
    room = repo.get_room(wr_runtime.store, created.metadata["room_id"])
    assert room is not None and room.opportunity_id == 3 and room.language == "en"
    warroom = wr_runtime.skills["warroom"]
    assert warroom.channel_for_deal(3) == room.channel  # type: ignore[attr-defined]
    assert warroom.channel_for_deal(3, platform="console") == room.channel  # type: ignore[attr-defined]
    assert warroom.channel_for_deal(3, platform="slack") is None  # type: ignore[attr-defined]
    assert warroom.channel_for_deal(1) is None  # type: ignore[attr-defined]  # ACME has no room

    run_scan(wr_runtime.store, today=TODAY, runtime=wr_runtime)
    with wr_runtime.store.session() as s:
        stale = s.execute(select(Alert).where(Alert.rule_name == "stale_deal")).scalar_one()
    assert stale.target == "deal:3" and stale.recipients == ["user:bob.smith", f"channel:{room.channel}"]
    [in_room] = [r for r in _outbox(wr_runtime) if r.recipient == f"channel:{room.channel}"]
    reply = Reply.model_validate(in_room.reply)
    assert reply.target == "channel" and reply.channel == room.channel and "Globex Global Rollout" in reply.text
    assert [b.action_id for b in reply.actions] == ["alerts:ack", "alerts:snooze", "alerts:not_useful"]
    # deals without a room still alert their owner only (ACME's renewal risk, Stark's thin committee)
    assert not [r for r in _outbox(wr_runtime) if r.recipient.startswith("channel:") and r.recipient != f"channel:{room.channel}"]

    digest = say("/warroom digest", "bob.smith", channel=room.channel)
    assert "digest was posted" in digest.text
    posted = Reply.model_validate(console_rooms.posts(room.channel)[-1].reply)
    assert "War-room digest" in posted.text and "Alert: stale_deal (medium)" in posted.text


def test_the_digest_of_a_chinese_room_lists_the_alert_in_chinese(
    say: Callable[..., Reply], wr_runtime: Runtime, console_rooms: ConsoleRooms
) -> None:
    created = say("给Globex全球部署建个作战室", "bob.smith")
    assert created.metadata.get("created") is True and created.language == "zh", created.text
    channel = created.metadata["channel"]
    run_scan(wr_runtime.store, today=TODAY, runtime=wr_runtime)
    [in_room] = [r for r in _outbox(wr_runtime) if r.recipient == f"channel:{channel}"]
    reply = Reply.model_validate(in_room.reply)  # written in the room's language, not Bob's English
    assert reply.language == "zh" and "商机停滞" in reply.text and "Globex 全球部署" in reply.text
    assert [r for r in _outbox(wr_runtime) if r.recipient == "user:bob.smith"][0].reply["language"] == "en"
    say("/warroom 日报", "bob.smith", channel=channel)
    posted = Reply.model_validate(console_rooms.posts(channel)[-1].reply)
    assert "作战室日报" in posted.text and "预警：stale_deal（medium）" in posted.text


def test_task_writes_in_a_room_report_the_change(say: Callable[..., Reply], wr_runtime: Runtime, room_5g) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[list[int], str]] = []
    on_crm_change(wr_runtime, lambda _rt, ids, event: seen.append((ids, event)))
    task = say("任务：周五前给客户发方案 @李四", "wang.wei", channel=room_5g.channel)
    assert task.metadata.get("task_id") and seen == [([2], "activity")]
    service.complete_task(wr_runtime, task_id=task.metadata["task_id"], actor="wang.wei")
    assert seen == [([2], "activity"), ([2], "activity")]
