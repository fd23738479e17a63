"""War rooms on DingTalk: the real DingTalk adapter (stream SDK) against the local gateway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.adapters.dingtalk.api import RetryPolicy
from bot.adapters.dingtalk.app import DingTalkApp
from bot.runtime import Runtime
from integrations.crm.local.models import Milestone
from skills.warroom import repo, service
from tests.skills.warroom.warroom_dingtalk_peer import WarRoomDingTalkPeer
from tests.skills.warroom.warroom_helpers import FRIDAY, FROZEN, NEXT_MONDAY, warroom_skills

TEAM = {"dt_wang_wei", "dt_feng_tao", "dt_li_si", "dt_lin_hui", "dt_tang_yu"}


@pytest.fixture
def peer() -> Iterator[WarRoomDingTalkPeer]:
    with WarRoomDingTalkPeer(ping_interval_s=0.5) as p:
        yield p


@pytest.fixture
def dingtalk(settings, peer: WarRoomDingTalkPeer) -> Iterator[tuple[DingTalkApp, Runtime]]:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={
        "dingtalk_client_id": peer.client_id, "dingtalk_client_secret": SecretStr(peer.client_secret),
        "dingtalk_api_url": peer.base_url, "dingtalk_scene_group_template_id": "tpl-warroom",
    })
    runtime = Runtime(configured, skills=warroom_skills())
    app = DingTalkApp(runtime, watchdog_s=5.0, reconnect_delay_s=0.05, retry=RetryPolicy(attempts=3, base_s=0.01, max_s=0.05))
    app.start_in_thread()
    yield app, runtime
    app.stop_thread()
    runtime.close()


def _say(peer: WarRoomDingTalkPeer, text: str, *, staff: str, cid: str | None = None) -> str:
    """Send a message (1:1 without ``cid``, else in that group) and wait for the answer's webhook post."""
    before = len(peer.webhook_posts)
    kind = "2" if cid else "1"
    peer.push_bot_message(text=text, staff_id=staff, conversation_type=kind, conversation_id=cid)
    post = peer.wait_until(lambda p: len(p.webhook_posts) > before and p.webhook_posts[before], timeout=30)
    return post.body["markdown"]["text"]


def _card_text(peer: WarRoomDingTalkPeer, out_track_id: str) -> str:
    return peer.cards[out_track_id].data["msgContent"]


def test_a_war_room_on_dingtalk(dingtalk: tuple[DingTalkApp, Runtime], peer: WarRoomDingTalkPeer) -> None:
    _, runtime = dingtalk
    answer = _say(peer, "给5G专网项目建个作战室", staff="dt_wang_wei")
    assert "作战室已建好" in answer
    [(cid, group)] = peer.groups.items()
    # the invite list: the deal team, by the chat-identity table; the asker owns the group
    assert set(group["members"]) == TEAM and group["owner"] == "dt_wang_wei" and group["template_id"] == "tpl-warroom"
    assert group["title"].startswith("作战室-江苏能源5G专网项目")
    # the live card: in the group and on top of it
    [top] = peer.top_cards[cid]
    card = peer.cards[top]
    assert card.space == f"dtv1.card//IM_GROUP.{cid}" and "top" in card.events
    text = _card_text(peer, top)
    assert "周国平" in text and "没有财务联系人" in text
    assert "0.1% 计违约金" in text and "99.99%" in text and "续约价格涨幅不超过 3%" in text
    assert "晚 15 天" in text and "无锡站点开通" in text and "逾期" in text
    assert "里程碑「无锡站点开通」已逾期" in text

    # tasks in both languages, typed in the group; the card is updated in place each time
    assert "李四" in _say(peer, "任务：周五前给张总发技术方案 @李四", staff="dt_wang_wei", cid=cid)
    assert "Feng Tao" in _say(peer, "task: send the revised quote to Huang Lihua by next Monday @feng.tao",
                              staff="dt_wang_wei", cid=cid)
    assert card.events.count("update") == 2
    room = repo.room_for_channel(runtime.store, platform="dingtalk", workspace=peer.corp_id, channel=cid)
    assert room is not None
    tasks = {t.title: t for t in repo.tasks(runtime.store, room.id)}
    assert tasks["给张总发技术方案"].owner_id == "li.si" and tasks["给张总发技术方案"].due_date == FRIDAY
    assert tasks["send the revised quote to Huang Lihua"].due_date == NEXT_MONDAY
    assert "给张总发技术方案" in _card_text(peer, top)

    # a button on the card: li.si marks her task done from the top card
    done_index = next(i for i, b in enumerate(card.buttons) if b["params"]["value"] == str(tasks["给张总发技术方案"].id)
                      and b["params"]["action_id"] == "warroom:task_done")
    peer.press(top, button=done_index, user="dt_li_si")
    peer.wait_until(lambda p: p.cards[top].events.count("update") >= 3, timeout=30)
    assert "给张总发技术方案" not in _card_text(peer, top)
    assert [e.action for e in repo.task_events(runtime.store, tasks["给张总发技术方案"].id)] == ["create", "done"]

    # a milestone slips: the periodic refresh updates the same card
    with runtime.store.session() as s:
        changzhou = s.exec(select(Milestone).where(Milestone.name == "常州站点开通")).one()
        new_date = changzhou.planned_date + timedelta(days=21)
        changzhou.planned_date = new_date
        s.add(changzhou)
    assert service.refresh_all(runtime, today=FROZEN) == [room.id]
    assert new_date.isoformat() in _card_text(peer, top)

    # questions in the group, answered with sources
    reply = _say(peer, "what did legal say about the penalty clause?", staff="dt_tang_yu", cid=cid)
    assert "0.1%" in reply and "Sources" in reply
    reply = _say(peer, "下一个里程碑是什么?", staff="dt_li_si", cid=cid)
    assert "无锡站点开通" in reply and "来源" in reply

    # the digest goes into the group as a new card
    cards_before = set(peer.cards)
    _say(peer, "/warroom digest", staff="dt_wang_wei", cid=cid)
    [digest] = [peer.cards[k] for k in set(peer.cards) - cards_before]
    assert "作战室日报" in digest.data["msgContent"] and "+21 天" in digest.data["msgContent"]
    assert digest.space == f"dtv1.card//IM_GROUP.{cid}"

    # duplicate create, refused create, and an outsider inside the group
    assert "已经有作战室" in _say(peer, "给5G专网项目建个作战室", staff="dt_wang_wei")
    refused = _say(peer, "给5G专网项目建个作战室", staff="dt_bob_smith")
    assert "找不到" in refused and "江苏" not in refused
    outsider = _say(peer, "下一个里程碑是什么?", staff="dt_bob_smith", cid=cid)
    assert "无锡" not in outsider and "成员" in outsider
    assert len(peer.groups) == 1
    assert peer.calls_to("/topapi/im/chat/scenegroup/create")[0].query["access_token"].startswith("tok-")
