"""War rooms end to end on the console adapter and the demo company's 5G deal."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.messages import Buttons, Citations, Image
from bot.runtime import Runtime
from integrations.crm.local.models import Milestone
from skills.warroom import repo
from skills.warroom.models import ConsoleChannel, WarRoomTaskEvent
from tests.conftest import press

from tests.skills.warroom.warroom_helpers import DEAL_TEAM, FRIDAY, FROZEN, NEXT_MONDAY, card_text, pinned_card, warroom_skills


def _milestone(runtime: Runtime, name: str) -> Milestone:
    with runtime.store.session() as s:
        return s.exec(select(Milestone).where(Milestone.name == name)).one()


def test_create_invites_the_deal_team_and_pins_the_card(room_5g, console_rooms) -> None:
    assert set(console_rooms.members(room_5g.channel)) == DEAL_TEAM
    assert {m.role for m in repo.members(console_rooms.store, room_5g.id)} == {"owner", "presales", "delivery", "legal"}
    text = card_text(pinned_card(console_rooms, room_5g.channel))
    # stakeholders and the finance coverage gap
    for name in ("周国平", "吴海峰", "郑晓东", "钱立新", "马文博", "黄丽华", "林静怡"):
        assert name in text
    assert "没有财务联系人" in text
    # contract terms
    assert "10% 预付款" in text and "0.1% 计违约金" in text and "99.99%" in text and "续约价格涨幅不超过 3%" in text
    # milestones, late ones flagged
    assert "苏州站点开通" in text and "晚 15 天" in text
    assert "无锡站点开通" in text and "逾期" in text
    # risks with owners: the overdue milestone is the delivery lead's, the gap the owner's
    assert "里程碑「无锡站点开通」已逾期" in text and "林慧" in text
    assert "客户侧没有财务联系人（覆盖缺口） | 王伟" in text


def test_gantt_picture_is_shared_in_the_room(room_5g, console_rooms) -> None:
    from pathlib import Path

    images = [p for p in console_rooms.posts(room_5g.channel) if p.kind == "image"]
    assert len(images) == 1 and images[0].image_path and Path(images[0].image_path).stat().st_size > 10_000


def test_english_create_gets_an_english_card(say, console_rooms) -> None:
    reply = say("open a war room for the Jiangsu Energy 5G deal", "wang.wei")
    assert reply.skill == "warroom" and reply.language == "en" and reply.metadata["created"] is True
    text = card_text(pinned_card(console_rooms, reply.metadata["channel"]))
    assert "Stakeholder map" in text and "no contact with finance" in text
    assert "done 15d late" in text and "overdue" in text and "Penalties" in text


def test_creating_twice_returns_the_existing_room(room_5g, say, wr_runtime) -> None:
    again = say("/warroom 5G专网项目", "wang.wei")
    assert again.metadata == {**again.metadata, "created": False, "room_id": room_5g.id}
    assert "已经有作战室" in again.text
    with wr_runtime.store.session() as s:
        assert len(s.exec(select(ConsoleChannel)).all()) == 1


def test_a_rep_outside_the_deal_is_refused_without_a_leak(say, wr_runtime) -> None:
    for text in ("给5G专网项目建个作战室", "open a war room for the Jiangsu Energy 5G deal", "/warroom 5G专网项目"):
        reply = say(text, "bob.smith")
        assert reply.skill == "error"
        assert "江苏" not in reply.text and "Jiangsu" not in reply.text and "5G" not in reply.text
    with wr_runtime.store.session() as s:
        assert s.exec(select(ConsoleChannel)).all() == []
    assert repo.all_rooms(wr_runtime.store) == []


def test_ambiguous_deal_asks_with_buttons_then_creates(say, wr_runtime) -> None:
    viewer = wr_runtime.crm.viewer_for("wang.wei")
    matching = [o for o in wr_runtime.crm.list_opportunities(viewer, open_only=True) if "维保续约" in o.name]
    assert len(matching) >= 2, "the demo should give wang.wei several support-renewal deals"
    reply = say("/warroom 维保续约", "wang.wei")
    assert reply.actions and {a.action_id for a in reply.actions} == {"warroom:create"}
    assert {int(a.value) for a in reply.actions} == {o.id for o in matching}
    created = press(wr_runtime, user="wang.wei", action_id="warroom:create", value=reply.actions[0].value)
    assert created.metadata.get("created") is True


def test_tasks_in_chinese_and_english_get_owner_and_due_date(room_5g, say, console_rooms, wr_runtime) -> None:
    zh = say("@DealPilot 任务：周五前给张总发技术方案 @李四", "wang.wei", channel=room_5g.channel)
    assert zh.skill == "warroom" and zh.language == "zh", zh.text
    assert zh.metadata["owner_id"] == "li.si" and zh.metadata["due"] == FRIDAY.isoformat()
    en = say("task: send the revised quote to Huang Lihua by next Monday @feng.tao", "wang.wei", channel=room_5g.channel)
    assert en.language == "en" and en.metadata["owner_id"] == "feng.tao" and en.metadata["due"] == NEXT_MONDAY.isoformat()
    assert {a.action_id for a in en.actions} == {"warroom:task_done", "warroom:task_reassign"}
    card = pinned_card(console_rooms, room_5g.channel)
    text = card_text(card)
    assert "给张总发技术方案 | 李四 | " + FRIDAY.isoformat() in text
    assert "send the revised quote to Huang Lihua | 冯涛" in text
    assert console_rooms.pinned(room_5g.channel).updates == 2  # updated in place, once per task
    history = repo.task_events(wr_runtime.store, zh.metadata["task_id"])
    assert [(e.action, e.actor) for e in history] == [("create", "wang.wei")]


def test_bad_tasks_change_nothing(room_5g, say, wr_runtime) -> None:
    for text, user in (("任务：", "wang.wei"), ("task: call the CFO by Friday @bob", "wang.wei"),
                       ("任务：周五前发方案 @李", "wang.wei")):
        reply = say(text, user, channel=room_5g.channel)
        assert reply.skill == "error", reply.text
    assert repo.tasks(wr_runtime.store, room_5g.id) == []
    outside = say("task: call the CFO by Friday", "wang.wei")
    assert outside.skill == "error" and "war room" in outside.text


def test_done_and_reassign_buttons_keep_history(room_5g, say, wr_runtime, console_rooms) -> None:
    task_id = say("任务：明天确认无锡到货 @林慧", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    choices = press(wr_runtime, user="wang.wei", action_id="warroom:task_reassign", value=str(task_id), channel=room_5g.channel)
    assert "feng.tao" in {a.value.split(">")[1] for a in choices.actions}
    moved = press(wr_runtime, user="wang.wei", action_id="warroom:task_reassign", value=f"{task_id}>feng.tao", channel=room_5g.channel)
    assert "Feng Tao" in moved.text or "冯涛" in moved.text
    assert press(wr_runtime, user="bob.smith", action_id="warroom:task_done", value=str(task_id)).skill == "error"
    done = press(wr_runtime, user="feng.tao", action_id="warroom:task_done", value=str(task_id), channel=room_5g.channel)
    again = press(wr_runtime, user="feng.tao", action_id="warroom:task_done", value=str(task_id), channel=room_5g.channel)
    assert "#%d" % task_id in done.text and again.text != done.text
    events = repo.task_events(wr_runtime.store, task_id)
    assert [(e.action, e.actor) for e in events] == [("create", "wang.wei"), ("reassign", "wang.wei"), ("done", "feng.tao")]
    assert events[1].before["owner_id"] == "lin.hui" and events[1].after["owner_id"] == "feng.tao"
    assert "确认无锡到货" not in card_text(pinned_card(console_rooms, room_5g.channel))


def test_card_updates_in_place_after_a_milestone_slips(room_5g, wr_runtime, console_rooms) -> None:
    skill = wr_runtime.skills["warroom"]
    assert skill.refresh_card(room_5g, today=FROZEN) is False  # nothing changed: no API call
    changzhou = _milestone(wr_runtime, "常州站点开通")
    new_date = changzhou.planned_date + timedelta(days=21)
    with wr_runtime.store.session() as s:
        row = s.get(Milestone, changzhou.id)
        row.planned_date = new_date
        s.add(row)
    room = repo.get_room(wr_runtime.store, room_5g.id)
    assert skill.refresh_card(room, today=FROZEN) is True
    posts = console_rooms.posts(room_5g.channel)
    assert len([p for p in posts if p.kind == "message"]) == 1  # the same message, edited
    assert f"常州站点开通 | {new_date.isoformat()}" in card_text(pinned_card(console_rooms, room_5g.channel))
    assert len([p for p in posts if p.kind == "image"]) == 2  # the timeline picture is redrawn


def test_digest_reports_what_changed_with_citations(room_5g, say, wr_runtime, console_rooms) -> None:
    task_id = say("任务：今天发会议纪要 @王伟", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    press(wr_runtime, user="wang.wei", action_id="warroom:task_done", value=str(task_id), channel=room_5g.channel)
    changzhou = _milestone(wr_runtime, "常州站点开通")
    with wr_runtime.store.session() as s:
        row = s.get(Milestone, changzhou.id)
        row.planned_date = changzhou.planned_date + timedelta(days=10)
        s.add(row)
    wang = wr_runtime.crm.viewer_for("wang.wei")
    wr_runtime.crm.log_activity(wang, account_id=room_5g.account_id, opportunity_id=room_5g.opportunity_id,
                                kind="call", subject="财务对接", summary="约了集团财务部下周见面")
    reply = say("/warroom digest", "wang.wei", channel=room_5g.channel)
    assert reply.skill == "warroom"
    from bot.messages import Reply

    digest = Reply.model_validate(console_rooms.posts(room_5g.channel)[-1].reply)
    assert "作战室日报" in digest.text
    assert "常州站点开通" in digest.text and "+10 天" in digest.text
    assert "发会议纪要" in digest.text and "已完成" in digest.text
    assert "财务对接" in digest.text
    sources = {c.source for c in digest.citations}
    assert f"crm://milestone/{changzhou.id}" in sources and any(s.startswith("crm://activity/") for s in sources)
    # the next digest starts from here: nothing new
    say("/warroom digest", "wang.wei", channel=room_5g.channel)
    latest = Reply.model_validate(console_rooms.posts(room_5g.channel)[-1].reply)
    assert "没有变化" in latest.text


def test_room_questions_are_answered_with_citations_in_both_languages(room_5g, say) -> None:
    zh = say("下一个里程碑是什么?", "li.si", channel=room_5g.channel)
    assert zh.language == "zh" and "无锡站点开通" in zh.text and "逾期" in zh.text
    assert any(c.source.startswith("crm://milestone/") for c in zh.citations)
    en = say("what did legal say about the penalty clause?", "tang.yu", channel=room_5g.channel)
    assert en.language == "en" and "0.1%" in en.text and "Tang Yu" in en.text
    assert any(c.source.startswith("crm://contract/") for c in en.citations)
    assert any(c.source.startswith("crm://activity/") for c in en.citations)
    met = say("which stakeholders haven't we met yet?", "wang.wei", channel=room_5g.channel)
    assert "finance" in met.text and any(b for b in met.blocks if isinstance(b, Citations))
    zh_met = say("哪些干系人还没见过？", "wang.wei", channel=room_5g.channel)
    assert "财务" in zh_met.text and zh_met.language == "zh"


def test_only_members_see_room_content(room_5g, say) -> None:
    for user in ("bob.smith", "li.na", "zhao.lei"):
        reply = say("下一个里程碑是什么?", user, channel=room_5g.channel)
        assert reply.skill == "error" and "无锡" not in reply.text
    assert say("task: anything by Friday", "bob.smith", channel=room_5g.channel).skill == "error"


def test_overdue_tasks_are_flagged_and_reminded_once_a_day(room_5g, say, wr_runtime, console_rooms, settings) -> None:
    from skills.warroom import service

    task_id = say("任务：今天提交签约审批 @唐宇", "wang.wei", channel=room_5g.channel).metadata["task_id"]
    tomorrow = FROZEN + timedelta(days=1)
    assert service.remind_overdue(wr_runtime, today=FROZEN) == []  # due today: not overdue yet
    assert service.remind_overdue(wr_runtime, today=tomorrow) == [task_id]
    assert service.remind_overdue(wr_runtime, today=tomorrow) == []  # once per day
    other = Runtime(settings, skills=warroom_skills(tomorrow))  # a second worker, same day
    try:
        assert service.remind_overdue(other, today=tomorrow) == []
    finally:
        other.close()
    assert service.remind_overdue(wr_runtime, today=tomorrow + timedelta(days=1)) == [task_id]
    reminders = [p for p in console_rooms.posts(room_5g.channel) if "⏰" in p.reply.get("text", "")]
    assert len(reminders) == 2 and "@唐宇" in reminders[0].reply["text"]
    service.refresh_card(wr_runtime, repo.get_room(wr_runtime.store, room_5g.id), today=tomorrow)
    assert "逾期 1 天" in card_text(pinned_card(console_rooms, room_5g.channel))
    with wr_runtime.store.session() as s:
        actions = [e.action for e in s.exec(select(WarRoomTaskEvent).where(WarRoomTaskEvent.task_id == task_id))]
    assert actions == ["create", "remind", "remind"]


def test_health_lists_visible_rooms_only(room_5g, say) -> None:
    manager = say("/warroom health", "zhao.lei")
    assert manager.skill == "warroom" and "江苏能源5G专网项目" in manager.text or any(
        "江苏能源5G专网项目" in str(b) for b in manager.blocks)
    outsider = say("/warroom health", "bob.smith")
    assert "江苏" not in str(outsider.model_dump()) and "no war rooms" in outsider.text
    zh = say("/warroom 健康度", "wang.wei")
    assert zh.language == "zh" and "作战室健康度" in zh.text


def test_card_blocks_render_for_every_platform(room_5g, console_rooms) -> None:
    from bot.render.dingtalk import to_markdown
    from bot.render.slack import render_reply

    card = pinned_card(console_rooms, room_5g.channel)
    assert not any(isinstance(b, Image) for b in card.blocks)
    assert len(render_reply(card).blocks) <= 50
    assert "无锡站点开通" in to_markdown(card)
    assert not [b for b in card.blocks if isinstance(b, Buttons)]  # no open tasks yet, no task buttons
