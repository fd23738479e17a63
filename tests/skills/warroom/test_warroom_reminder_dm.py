"""Issue #6: an overdue task's owner gets a personal DM once per task per day, through the outbox.

Real store, real outbox table, the console platform end to end: the reminder job is run as the
scheduler would (twice the same day, by a second process, and the next day), the DM is read back
from ``bot_outbox``, and its Done button is pressed from a DM (no room channel).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.messages import Buttons, Fields, Reply
from bot.outbox import OutboxMessage
from bot.runtime import Runtime
from skills.warroom import repo, service
from skills.warroom.models import WarRoomMember
from tests.conftest import press
from tests.skills.warroom.warroom_helpers import FROZEN, card_text, pinned_card, warroom_skills

TOMORROW = FROZEN + timedelta(days=1)


def _dm_rows(runtime: Runtime, user: str) -> list[OutboxMessage]:
    """The war-room DMs queued for ``user`` (task writes may also queue rule alerts for them)."""
    with runtime.store.session() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.recipient == f"user:{user}",
                                                       OutboxMessage.source == "warroom").order_by(OutboxMessage.id)))


def _buttons(reply: Reply) -> list[tuple[str, str, str]]:
    return [(b.text, b.action_id, b.value) for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]


def test_one_dm_per_task_per_day_in_chinese(room_5g, say, wr_runtime, console_rooms, settings) -> None:
    task_id = say("任务：今天提交签约审批 @王伟", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    assert service.remind_overdue(wr_runtime, today=FROZEN) == [] and _dm_rows(wr_runtime, "wang.wei") == []
    assert service.remind_overdue(wr_runtime, today=TOMORROW) == [task_id]
    assert service.remind_overdue(wr_runtime, today=TOMORROW) == []  # the job runs every 15 minutes
    other = Runtime(settings, skills=warroom_skills(TOMORROW))  # a second bot process, same day
    try:
        assert service.remind_overdue(other, today=TOMORROW) == []
    finally:
        other.close()
    rows = _dm_rows(wr_runtime, "wang.wei")
    assert len(rows) == 1
    row = rows[0]
    assert row.idempotency_key == f"warroom:remind:{task_id}:{TOMORROW.isoformat()}"
    assert row.source == "warroom" and row.capped is True and row.status == "pending"
    dm = Reply.model_validate(row.reply)
    assert dm.language == "zh" and dm.target == "dm" and dm.idempotency_key == row.idempotency_key
    assert "提交签约审批" in dm.text and "江苏能源5G专网项目" in dm.text and "逾期 1 天" in dm.text
    assert FROZEN.isoformat() in dm.text
    fields = dict(next(b for b in dm.blocks if isinstance(b, Fields)).items)
    assert fields["截止日期"] == FROZEN.isoformat() and fields["逾期"] == "1 天"
    assert _buttons(dm) == [("完成", "warroom:task_done", str(task_id)), ("改派", "warroom:task_reassign", str(task_id))]
    # the next day: a second DM, now two days late; the room post is still made each day
    assert service.remind_overdue(wr_runtime, today=TOMORROW + timedelta(days=1)) == [task_id]
    rows = _dm_rows(wr_runtime, "wang.wei")
    assert len(rows) == 2 and "逾期 2 天" in Reply.model_validate(rows[1].reply).text
    room_posts = [p for p in console_rooms.posts(room_5g.channel) if "⏰" in p.reply.get("text", "")]
    assert len(room_posts) == 2
    # nobody else was DMed about the task
    with wr_runtime.store.session() as s:
        assert {r.recipient for r in s.exec(select(OutboxMessage).where(OutboxMessage.source == "warroom"))} == {"user:wang.wei"}


def test_dm_is_in_english_for_an_english_owner(say, wr_runtime) -> None:
    created = say("open a war room for the Globex deal", "bob.smith")
    assert created.metadata.get("created") is True, created.text
    task_id = say("task: send the revised quote to Maria today", "bob.smith", channel=created.metadata["channel"]).metadata["task_id"]
    assert service.remind_overdue(wr_runtime, today=FROZEN + timedelta(days=3)) == [task_id]
    (row,) = _dm_rows(wr_runtime, "bob.smith")
    dm = Reply.model_validate(row.reply)
    assert dm.language == "en"
    assert "send the revised quote to Maria" in dm.text and "Globex Global Rollout" in dm.text
    assert "3 days overdue" in dm.text and f"due {FROZEN.isoformat()}" in dm.text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in dm.text)
    assert _buttons(dm) == [("Done", "warroom:task_done", str(task_id)), ("Reassign", "warroom:task_reassign", str(task_id))]


def test_done_pressed_in_the_dm_closes_the_task_and_refreshes_the_room_card(room_5g, say, wr_runtime, console_rooms) -> None:
    task_id = say("任务：今天提交签约审批 @唐宇", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    service.remind_overdue(wr_runtime, today=TOMORROW)
    (row,) = _dm_rows(wr_runtime, "tang.yu")
    (_, action_id, value), _ = _buttons(Reply.model_validate(row.reply))
    assert "提交签约审批" in card_text(pinned_card(console_rooms, room_5g.channel))
    before = repo.get_room(wr_runtime.store, room_5g.id).card_updates  # type: ignore[union-attr]

    refused = press(wr_runtime, user="li.na", action_id=action_id, value=value)  # not in the room, not the owner
    assert refused.skill == "error" and "提交签约审批" not in refused.text
    assert repo.get_task(wr_runtime.store, task_id).status == "open"  # type: ignore[union-attr]

    reply = press(wr_runtime, user="tang.yu", action_id=action_id, value=value)  # the DM: channel "console", no room
    assert reply.skill == "warroom" and f"#{task_id}" in reply.text, reply.text
    task = repo.get_task(wr_runtime.store, task_id)
    assert task is not None and task.status == "done" and task.done_by == "tang.yu"
    assert repo.get_room(wr_runtime.store, room_5g.id).card_updates == before + 1  # type: ignore[union-attr]
    assert "提交签约审批" not in card_text(pinned_card(console_rooms, room_5g.channel))
    again = press(wr_runtime, user="tang.yu", action_id=action_id, value=value)
    assert "之前已经完成" in again.text or "already done" in again.text


def test_the_owner_may_press_even_after_leaving_the_room(room_5g, say, wr_runtime) -> None:
    task_id = say("任务：今天提交签约审批 @唐宇", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    with wr_runtime.store.session() as s:
        s.delete(s.get(WarRoomMember, (room_5g.id, "tang.yu")))
    reply = press(wr_runtime, user="tang.yu", action_id="warroom:task_done", value=str(task_id))
    assert reply.skill == "warroom" and repo.get_task(wr_runtime.store, task_id).status == "done"  # type: ignore[union-attr]


def test_reassign_from_the_dm_offers_the_rooms_members(room_5g, say, wr_runtime) -> None:
    task_id = say("任务：今天提交签约审批 @唐宇", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    choices = press(wr_runtime, user="tang.yu", action_id="warroom:task_reassign", value=str(task_id))
    targets = {b.value for b in choices.blocks if isinstance(b, Buttons) for b in b.buttons}
    assert f"{task_id}>li.si" in targets and f"{task_id}>tang.yu" not in targets
    done = press(wr_runtime, user="tang.yu", action_id="warroom:task_reassign", value=f"{task_id}>li.si")
    assert done.skill == "warroom" and repo.get_task(wr_runtime.store, task_id).owner_id == "li.si"  # type: ignore[union-attr]
    refused = press(wr_runtime, user="bob.smith", action_id="warroom:task_reassign", value=f"{task_id}>bob.smith")
    assert refused.skill == "error" and repo.get_task(wr_runtime.store, task_id).owner_id == "li.si"  # type: ignore[union-attr]
