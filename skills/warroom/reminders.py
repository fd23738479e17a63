"""The owner's personal overdue-task reminder: a DM through the outbox, in the owner's language.

Why a DM as well as the room post: issue #6 promises the *owner* is reminded once a day, and a
mention in a busy room is easy to miss. Why the outbox: the DM is written in the same transaction
as the (task, day) reminder claim, retried until delivered, capped with the owner's other pings,
and keyed ``warroom:remind:<task id>:<day>`` so two bot processes or a restart never send it twice.
The buttons carry the task id only; the skill finds the room from the task when pressed in a DM.
"""

from __future__ import annotations

from datetime import date

from bot.messages import Button, Buttons, Context, Fields, Header, Reply, Section
from integrations.crm.entities import UserRecord
from skills.warroom.models import WarRoom, WarRoomTask

SOURCE = "warroom"


def reminder_key(task_id: int, day: date) -> str:
    """The outbox idempotency key: one DM per task per (room-local) day."""
    return f"warroom:remind:{task_id}:{day.isoformat()}"


def owner_language(owner: UserRecord | None, room: WarRoom) -> str:
    """The owner's CRM language; the room's when the CRM has no usable one."""
    if owner is not None and owner.language in ("zh", "en"):
        return owner.language
    return room.language if room.language in ("zh", "en") else "zh"


def reminder_dm(*, task: WarRoomTask, room: WarRoom, owner: UserRecord | None, deal_name: str, day: date) -> Reply:
    """The DM: which task, on which deal, due when, how late, and the Done/Reassign buttons."""
    assert task.id is not None and task.due_date is not None
    language = owner_language(owner, room)
    late = (day - task.due_date).days
    zh = language == "zh"
    if zh:
        title = "⏰ 任务逾期提醒"
        text = f"你的任务 #{task.id}「{task.title}」（商机：{deal_name}）已逾期 {late} 天，截止日期 {task.due_date.isoformat()}。"
        fields = [("任务", task.title), ("商机", deal_name), ("截止日期", task.due_date.isoformat()), ("逾期", f"{late} 天"),
                  ("作战室", room.name)]
        small = "完成了就点「完成」；该由别人负责就点「改派」。每个逾期任务每天提醒一次。"
        done, reassign = "完成", "改派"
    else:
        title = "⏰ Overdue task"
        text = (f"Your task #{task.id} '{task.title}' on {deal_name} is {late} day{'s' if late != 1 else ''} overdue "
                f"(due {task.due_date.isoformat()}).")
        fields = [("Task", task.title), ("Deal", deal_name), ("Due", task.due_date.isoformat()),
                  ("Overdue", f"{late} day{'s' if late != 1 else ''}"), ("War room", room.name)]
        small = "Press Done when it is finished, or Reassign if someone else should own it. Reminded once a day per overdue task."
        done, reassign = "Done", "Reassign"
    value = str(task.id)
    return Reply(
        text=text, language=language, skill="warroom", target="dm",  # type: ignore[arg-type]
        blocks=[Header(text=title), Section(text=text), Fields(items=fields), Context(text=small),
                Buttons(buttons=[Button(text=done, action_id="warroom:task_done", value=value, style="primary"),
                                 Button(text=reassign, action_id="warroom:task_reassign", value=value)])],
        metadata={"task_id": task.id, "room_id": room.id, "opportunity_id": room.opportunity_id,
                  "due": task.due_date.isoformat(), "days_overdue": late},
    )
