"""The war-room skill in chat: create rooms, answer in rooms, tasks and their buttons, health.

Routing: ``/warroom …`` and ``/task …`` are its commands; ``warroom:*`` buttons come here; and
``claims`` takes every message posted inside a linked room, where a message is a task
("任务：…"/"task: …"), a risk ("风险：…"/"risk: …"), or a question about the room's deal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.errors import InvalidInput, NotFoundOrHidden
from bot.messages import Citation, Citations, Button, Buttons, Fields, Reply, Section
from bot.skill import Skill
from bot.turn import Turn
from integrations.crm.viewer import SYSTEM_VIEWER
from skills.warroom import repo, service
from skills.warroom.deal import TEAM_ROLE_NAMES, label, load_snapshot
from skills.warroom.health import render_health, room_health
from skills.warroom.models import WarRoom
from skills.warroom.qa import answer
from skills.warroom.resolve import CREATE_INTENT, deal_phrase, pick_deal, rank_deals
from skills.warroom.tasks import is_risk, is_task, match_users, parse_risk, parse_task

log = logging.getLogger("dealpilot.warroom")

NOT_IN_ROOM = InvalidInput(
    zh="任务和风险要在作战室里创建。先用「给<商机>建个作战室」或 /warroom <商机> 建一个。",
    en="Tasks and risks live in a war room. Open one first: 'open a war room for <deal>' or /warroom <deal>.",
)


class WarRoomSkill(Skill):
    name = "warroom"
    description_zh = "交易作战室：每个重点商机一个群，实时卡片、任务责任人、日报和商机问答"
    description_en = "Deal war-rooms: one channel per key deal with a live card, owned tasks, digests and deal Q&A"
    commands = ("warroom", "task")
    examples = (
        "给{deal}建个作战室", "给 {deal} 建一个作战室", "为{deal}创建作战室", "开个{deal}的作战室", "建个作战室",
        "{account} 的商机建个作战室", "拉个{deal}作战室群",
        "open a war room for {deal}", "open a war room for the {account} deal", "create a war room for {deal}",
        "set up a war room for {deal}", "start a deal room for {deal}", "war room for {deal}",
        "任务：周五前给客户发方案 @{person}", "任务：明天确认到货", "task: send the quote by Friday @{person}",
        "task: call the customer tomorrow", "风险：客户预算未批 @{person}", "risk: budget not approved @{person}",
    )

    def __init__(self, *, today: Callable[[], date] | None = None) -> None:
        """``today``: which day it is (tests pass a fixed day); defaults to the room's local date."""
        self._today = today

    def today(self, room: WarRoom | None = None) -> date:
        if self._today is not None:
            return self._today()
        return service.room_today(room, default_tz=self.runtime.settings.timezone)

    # --- routing ----------------------------------------------------------------------------------
    def claims(self, turn: Turn) -> bool:
        return self._room(turn) is not None

    def _room(self, turn: Turn) -> WarRoom | None:
        m = turn.message
        return repo.room_for_channel(self.runtime.store, platform=m.platform, workspace=m.workspace, channel=m.channel)

    def handle(self, turn: Turn) -> Reply:
        message = turn.message
        if message.action is not None:
            return self._action(turn)
        room = self._room(turn)
        if message.command == "task":
            if room is None:
                raise NOT_IN_ROOM
            self._member(turn, room)
            return self._task(turn, room, command=True)
        if message.command == "warroom":
            return self._command(turn, room)
        if room is not None:
            self._member(turn, room)
            repo.note_message(self.runtime.store, room.id, turn.viewer.user_id)  # type: ignore[arg-type]
            if is_task(turn.text):
                return self._task(turn, room)
            if is_risk(turn.text):
                return self._risk(turn, room)
            if CREATE_INTENT.search(turn.text) and deal_phrase(turn.text):
                return self._create(turn, turn.text)
            return self._answer(turn, room)
        if is_task(turn.text) or is_risk(turn.text):
            raise NOT_IN_ROOM
        return self._create(turn, turn.text)

    def _member(self, turn: Turn, room: WarRoom) -> None:
        service.require_member(self.runtime, room, turn.viewer.user_id)

    # --- /warroom ---------------------------------------------------------------------------------
    def _command(self, turn: Turn, room: WarRoom | None) -> Reply:
        verb, _, rest = turn.text.strip().partition(" ")
        verb = verb.lower()
        if verb in ("health", "健康", "健康度"):
            return self._health(turn)
        if verb in ("list", "列表", ""):
            if room is not None and verb == "":
                self._member(turn, room)
                return self._show_card(turn, room)
            return self._list(turn)
        if verb in ("digest", "日报"):
            if room is None:
                raise NOT_IN_ROOM
            self._member(turn, room)
            return self._digest(turn, room, rest.strip())
        if verb in ("card", "卡片", "refresh", "刷新"):
            if room is None:
                raise NOT_IN_ROOM
            self._member(turn, room)
            return self._show_card(turn, room)
        return self._create(turn, turn.text)

    def _show_card(self, turn: Turn, room: WarRoom) -> Reply:
        updated = service.refresh_card(self.runtime, room, today=self.today(room))
        text = turn.t("卡片已更新。" if updated else "卡片已是最新。", "The card was updated." if updated else "The card is up to date.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def _digest(self, turn: Turn, room: WarRoom, rest: str) -> Reply:
        parts = rest.split()
        if parts and parts[0] in ("time", "时间") and len(parts) >= 2:
            room = service.set_digest_time(self.runtime, room, at=parts[1], tz=parts[2] if len(parts) > 2 else None)
            text = turn.t(f"日报时间已设为每天 {room.digest_time}（{room.digest_tz}）。",
                          f"The digest now goes out daily at {room.digest_time} ({room.digest_tz}).")
            return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
        service.post_digest(self.runtime, room, today=self.today(room))
        text = turn.t("日报已发到作战室。", "The digest was posted in the room.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def _list(self, turn: Turn) -> Reply:
        rooms = [r for r in service.rooms_for(self.runtime, turn.viewer) if r.platform == turn.message.platform]
        if not rooms:
            text = turn.t("你能看到的商机还没有作战室。", "There are no war rooms on deals you can see.")
            return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
        text = turn.t("作战室：", "War rooms:") + "\n" + "\n".join(f"• {r.name} — {r.channel}" for r in rooms)
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def _health(self, turn: Turn) -> Reply:
        rows = []
        for room in service.rooms_for(self.runtime, turn.viewer):
            today = self.today(room)
            snapshot = load_snapshot(self.runtime.crm, turn.viewer, room.opportunity_id, today=today)
            if snapshot is None:
                continue
            rows.append(room_health(room, snapshot, repo.members(self.runtime.store, room.id),  # type: ignore[arg-type]
                                    repo.tasks(self.runtime.store, room.id), today=today))  # type: ignore[arg-type]
        return render_health(rows, language=turn.language)

    # --- create -----------------------------------------------------------------------------------
    def _create(self, turn: Turn, text: str, *, deal_id: int | None = None) -> Reply:
        if deal_id is None:
            accounts = {int(e.id) for e in turn.entities if e.kind == "account"}
            linked = [int(e.id) for e in turn.entities if e.kind == "deal"]
            if len(linked) == 1:
                deal_id = linked[0]
            else:
                if not deal_phrase(text) and not accounts:
                    raise InvalidInput(zh="要给哪个商机建作战室？例如：给5G专网项目建个作战室",
                                       en="Which deal is the war room for? e.g. open a war room for the Globex deal")
                deal, choices = pick_deal(rank_deals(turn.crm, turn.viewer, text, account_ids=accounts))
                if deal is None and choices:
                    return self._choose(turn, choices)
                if deal is None:
                    raise service.DEAL_HIDDEN
                deal_id = deal.id
        m = turn.message
        result = service.create_room(self.runtime, viewer=turn.viewer, platform=m.platform, workspace=m.workspace,
                                     opportunity_id=deal_id, language=turn.language, today=self.today())
        room = result.room
        if not result.created:
            text = turn.t(f"这个商机已经有作战室了：{room.name}（{room.channel}）。",
                          f"This deal already has a war room: {room.name} ({room.channel}).")
            reply = Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
            reply.metadata.update(room_id=room.id, channel=room.channel, created=False)
            return reply
        invited = "、".join(f"{self._user(m.user_id, turn.language)}（{label(TEAM_ROLE_NAMES, m.role, 'zh')}）" for m in result.invited) \
            if turn.language == "zh" else \
            ", ".join(f"{self._user(m.user_id, 'en')} ({label(TEAM_ROLE_NAMES, m.role, 'en')})" for m in result.invited)
        text = turn.t(f"作战室已建好：{room.name}（{room.channel}），卡片已置顶。",
                      f"War room ready: {room.name} ({room.channel}); the live card is pinned.")
        fields = [(turn.t("频道", "Channel"), room.channel), (turn.t("已邀请", "Invited"), invited or "–")]
        if result.not_invited:
            missing = ", ".join(self._user(u.id, turn.language) for u in result.not_invited)
            fields.append((turn.t("未能邀请（没有聊天账号）", "Not invited (no chat account)"), missing))
        deal_cite = Citation(source=f"crm://opportunity/{room.opportunity_id}", title=room.name)
        reply = Reply(text=text, blocks=[Section(text=text), Fields(items=fields), Citations(items=[deal_cite])],
                      language=turn.language, skill=self.name)
        reply.metadata.update(room_id=room.id, channel=room.channel, created=True)
        return reply

    def _choose(self, turn: Turn, choices: list[Any]) -> Reply:
        text = turn.t("有几个商机符合，要给哪一个建作战室？", "Several deals match. Which one is the war room for?")
        buttons = [Button(text=(d.name if turn.language == "zh" else (d.name_en or d.name))[:75], action_id="warroom:create",
                          value=str(d.id)) for d in choices]
        return Reply(text=text, blocks=[Section(text=text), Buttons(buttons=buttons)], language=turn.language, skill=self.name)

    def _user(self, user_id: str | None, language: str) -> str:
        user = self.runtime.crm.get_user(user_id or "")
        if user is None:
            return user_id or "–"
        return user.name if language == "zh" or not user.name_en else user.name_en

    # --- inside a room ----------------------------------------------------------------------------
    def _owner(self, turn: Turn, room: WarRoom, mention: str | None) -> str:
        """The CRM user a mention means among the room's members (the asker when there is none)."""
        if mention is None:
            return turn.viewer.user_id
        members = repo.members(self.runtime.store, room.id)  # type: ignore[arg-type]
        users = [u for u in (self.runtime.crm.get_user(m.user_id) for m in members) if u is not None]
        platform_ids = {m.platform_user_id: m.user_id for m in members if m.platform_user_id}
        found = match_users(mention, users, platform_ids=platform_ids)
        if len(found) == 1:
            return found[0].id
        if len(found) > 1:
            names = ", ".join(f"{u.name} (@{u.id})" for u in found)
            raise InvalidInput(zh=f"@{mention} 对应多个人：{names}。请写得更具体一些，例如 @{found[0].id}。",
                               en=f"@{mention} could be several people: {names}. Be more specific, e.g. @{found[0].id}.")
        raise InvalidInput(zh=f"@{mention} 不是这个作战室的成员，任务只能分给成员。",
                           en=f"@{mention} is not a member of this war room; tasks go to members only.")

    def _task(self, turn: Turn, room: WarRoom, *, command: bool = False) -> Reply:
        today = self.today(room)
        parsed = parse_task(turn.text, today=today, command=command)
        owner = self._owner(turn, room, parsed.owner)
        task = service.create_task(self.runtime, room=room, actor=turn.viewer.user_id, title=parsed.title,
                                   owner_id=owner, due=parsed.due, today=today)
        due = task.due_date.isoformat() if task.due_date else turn.t("未设", "none")
        who = self._user(owner, turn.language)
        text = turn.t(f"已创建任务 #{task.id}：{task.title} — 负责人 {who}，截止 {due}。",
                      f"Task #{task.id} created: {task.title} — owner {who}, due {due}.")
        reply = Reply(text=text, language=turn.language, skill=self.name, blocks=[
            Section(text=text),
            Buttons(buttons=[
                Button(text=turn.t("完成", "Done"), action_id="warroom:task_done", value=str(task.id), style="primary"),
                Button(text=turn.t("改派", "Reassign"), action_id="warroom:task_reassign", value=str(task.id)),
            ]),
        ])
        reply.metadata.update(task_id=task.id, owner_id=owner, due=task.due_date.isoformat() if task.due_date else None)
        return reply

    def _risk(self, turn: Turn, room: WarRoom) -> Reply:
        title, mention = parse_risk(turn.text)
        if not title:
            raise InvalidInput(zh="风险内容是空的，例如：风险：财务总监还没接触 @王伟", en="The risk is empty, e.g. risk: no finance contact yet @wang.wei")
        owner = self._owner(turn, room, mention)
        risk = repo.add_risk(self.runtime.store, room_id=room.id, title=title[:500], owner_id=owner, actor=turn.viewer.user_id)  # type: ignore[arg-type]
        service.refresh_card(self.runtime, room, today=self.today(room))
        text = turn.t(f"已记录风险 #{risk.id}：{risk.title_zh} — 负责人 {self._user(owner, 'zh')}。",
                      f"Risk #{risk.id} recorded: {risk.title_en} — owner {self._user(owner, 'en')}.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def _answer(self, turn: Turn, room: WarRoom) -> Reply:
        # Room members read the deal as the team sees it; the room exists because they may.
        snapshot = load_snapshot(self.runtime.crm, SYSTEM_VIEWER, room.opportunity_id, today=self.today(room))
        if snapshot is None:
            raise service.DEAL_HIDDEN
        return answer(turn.text, snapshot=snapshot, tasks=repo.tasks(self.runtime.store, room.id),  # type: ignore[arg-type]
                      risks=repo.open_risks(self.runtime.store, room.id), language=turn.language)  # type: ignore[arg-type]

    # --- buttons ----------------------------------------------------------------------------------
    def _action(self, turn: Turn) -> Reply:
        action = turn.message.action
        assert action is not None
        verb, value = action.verb, action.value.strip()
        if verb == "create" and value.isdigit():
            return self._create(turn, "", deal_id=int(value))
        if verb == "task_done" and value.isdigit():
            task, changed = service.complete_task(self.runtime, task_id=int(value), actor=turn.viewer.user_id,
                                                  today=self._today() if self._today else None)
            text = turn.t(f"任务 #{task.id} 已完成。" if changed else f"任务 #{task.id} 之前已经完成了。",
                          f"Task #{task.id} is done." if changed else f"Task #{task.id} was already done.")
            return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
        if verb == "task_reassign":
            task_id, _, target = value.partition(">")
            if not task_id.isdigit():
                raise NotFoundOrHidden(zh="这个按钮已经失效了。", en="That button is no longer valid.")
            if not target:
                return self._reassign_choices(turn, int(task_id))
            task = service.reassign_task(self.runtime, task_id=int(task_id), actor=turn.viewer.user_id, owner_id=target,
                                         today=self._today() if self._today else None)
            text = turn.t(f"任务 #{task.id} 已改派给 {self._user(task.owner_id, 'zh')}。",
                          f"Task #{task.id} reassigned to {self._user(task.owner_id, 'en')}.")
            return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
        raise NotFoundOrHidden(zh="这个按钮已经失效了。", en="That button is no longer valid.")

    def _reassign_choices(self, turn: Turn, task_id: int) -> Reply:
        task, room = service._task_in_room(self.runtime, task_id, turn.viewer.user_id)  # noqa: SLF001
        members = [m for m in repo.members(self.runtime.store, room.id) if m.user_id != task.owner_id]  # type: ignore[arg-type]
        text = turn.t(f"把任务 #{task.id}「{task.title}」改派给谁？", f"Reassign task #{task.id} '{task.title}' to whom?")
        buttons = [Button(text=self._user(m.user_id, turn.language), action_id="warroom:task_reassign",
                          value=f"{task.id}>{m.user_id}") for m in members]
        return Reply(text=text, blocks=[Section(text=text), Buttons(buttons=buttons)], language=turn.language, skill=self.name)

    # --- background -------------------------------------------------------------------------------
    def scheduled_jobs(self) -> list[Any]:
        """Card refresh on CRM changes, due digests, daily overdue reminders (the scheduler runs them)."""
        from bot.scheduler import Job

        return [
            Job("warroom.refresh_cards", 300.0, lambda: service.refresh_all(self.runtime)),
            Job("warroom.digests", 60.0, lambda: service.post_due_digests(self.runtime)),
            Job("warroom.reminders", 900.0, lambda: service.remind_overdue(self.runtime)),
        ]

    def channel_for_deal(self, opportunity_id: int, *, platform: str | None = None) -> str | None:
        """The deal's war-room channel (per platform when given): the alerts skill posts deal alerts there."""
        return service.channel_for_deal(self.runtime, opportunity_id, platform=platform)

    def language_for_channel(self, channel: str) -> str | None:
        """The language a room was opened in (alerts posted there are written in it)."""
        room = repo.room_by_channel(self.runtime.store, channel)
        return room.language if room is not None else None

    def refresh_card(self, room: WarRoom, *, today: date | None = None) -> bool:
        """Update ``room``'s card in place if the deal, its tasks or risks changed."""
        return service.refresh_card(self.runtime, room, today=today or self.today(room))
