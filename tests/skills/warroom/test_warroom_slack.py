"""War rooms on Slack: the real Slack adapter (Bolt over Socket Mode) against the local peer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from peers.slack_peer import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from sqlmodel import select

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.credentials import SlackCredentials
from bot.adapters.slack.socket import socket_mode_handler
from bot.runtime import Runtime
from integrations.crm.local.models import Milestone
from skills.warroom import repo
from tests.skills.warroom.warroom_helpers import FRIDAY, FROZEN, NEXT_MONDAY, warroom_skills
from tests.skills.warroom.warroom_slack_peer import WarRoomSlackPeer, event_callback, mention, slash

PEOPLE = {"U0WANG": "wang.wei", "U0FENG": "feng.tao", "U0LISI": "li.si", "U0LIN": "lin.hui", "U0TANG": "tang.yu",
          "U0BOB": "bob.smith"}
SALES = "C0SALES"


@pytest.fixture
def peer() -> Iterator[WarRoomSlackPeer]:
    with WarRoomSlackPeer() as p:
        for slack_id, user in PEOPLE.items():
            p.add_user(slack_id, email=f"{user}@northstar.example", name=user)
        yield p


@pytest.fixture
def slack(settings, peer: WarRoomSlackPeer) -> Iterator[tuple[SlackBot, Runtime]]:  # type: ignore[no-untyped-def]
    runtime = Runtime(settings, skills=warroom_skills())
    bot = SlackBot(runtime, SlackCredentials(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SIGNING_SECRET,
                                             api_url=peer.api_url))
    handler = socket_mode_handler(bot, app_token=APP_TOKEN)
    handler.connect()
    peer.wait_connected(1)
    yield bot, runtime
    handler.close()
    bot.close()
    runtime.close()


def _command(peer: WarRoomSlackPeer, text: str, *, user: str, channel: str = SALES) -> dict[str, Any]:
    key = f"r{len(peer.calls('response_url'))}"
    peer.wait_ack(peer.push(slash("/warroom", text, user=user, channel=channel, response_url=peer.response_url(key)),
                            type="slash_commands"))
    return peer.wait_for("response_url", where=lambda p: p["_key"] == key, timeout=30)[0]


def _blocks_text(blocks: list[dict[str, Any]]) -> str:
    import json

    return json.dumps(blocks, ensure_ascii=False)


def test_a_war_room_on_slack(slack: tuple[SlackBot, Runtime], peer: WarRoomSlackPeer) -> None:
    _, runtime = slack
    answer = _command(peer, "5G专网项目", user="U0WANG")
    assert "作战室已建好" in answer["text"]
    [created] = peer.calls("conversations.create")
    assert created["name"].startswith("wr-") and created["name"] == created["name"].lower()
    room_channel = next(iter(peer.channels))
    # the invite list: the deal team from the CRM, mapped to Slack ids by email
    [invite] = peer.calls("conversations.invite")
    assert invite["channel"] == room_channel
    assert set(invite["users"].split(",")) == {"U0WANG", "U0FENG", "U0LISI", "U0LIN", "U0TANG"}
    assert {c["email"] for c in peer.calls("users.lookupByEmail")} >= {"feng.tao@northstar.example"}
    # the pinned card
    [pin] = peer.calls("pins.add")
    card = next(m for m in peer.messages[room_channel] if m["ts"] == pin["timestamp"])
    text = _blocks_text(card["blocks"])
    assert "周国平" in text and "林静怡" in text and "没有财务联系人" in text
    assert "0.1% 计违约金" in text and "99.99%" in text and "10% 预付款" in text
    assert "晚 15 天" in text and "逾期" in text and "无锡站点开通" in text
    assert "里程碑「无锡站点开通」已逾期" in text
    # the Gantt picture, uploaded with files_upload_v2
    [upload] = peer.calls("upload.bytes")
    assert upload["bytes"] > 10_000 and peer.uploads[upload["file"]][:8] == b"\x89PNG\r\n\x1a\n"
    assert peer.calls("files.completeUploadExternal")[0]["channel_id"] == room_channel

    # tasks in Chinese and English (a Slack mention as the owner), the card edited in place each time
    peer.wait_ack(peer.push(event_callback(mention("任务：周五前给张总发技术方案 @李四", user="U0WANG", channel=room_channel))))
    peer.wait_for("chat.update", count=1, timeout=30)
    peer.wait_ack(peer.push(event_callback(mention("task: send the revised quote to Huang Lihua by next Monday <@U0FENG>",
                                                   user="U0WANG", channel=room_channel))))
    updates = peer.wait_for("chat.update", count=2, timeout=30)
    assert all(u["channel"] == room_channel and u["ts"] == pin["timestamp"] for u in updates)
    room = repo.room_for_channel(runtime.store, platform="slack", workspace=TEAM_ID, channel=room_channel)
    assert room is not None
    tasks = {t.title: t for t in repo.tasks(runtime.store, room.id)}
    assert tasks["给张总发技术方案"].owner_id == "li.si" and tasks["给张总发技术方案"].due_date == FRIDAY
    assert tasks["send the revised quote to Huang Lihua"].owner_id == "feng.tao"
    assert tasks["send the revised quote to Huang Lihua"].due_date == NEXT_MONDAY
    assert "给张总发技术方案" in _blocks_text(updates[-1]["blocks"])

    # a milestone slips in the CRM: the periodic refresh edits the pinned card (chat.update)
    with runtime.store.session() as s:
        changzhou = s.exec(select(Milestone).where(Milestone.name == "常州站点开通")).one()
        new_date = changzhou.planned_date + timedelta(days=21)
        changzhou.planned_date = new_date
        s.add(changzhou)
    from skills.warroom import service

    assert service.refresh_all(runtime, today=FROZEN) == [room.id]
    last = peer.wait_for("chat.update", count=3, timeout=30)[-1]
    assert last["ts"] == pin["timestamp"] and new_date.isoformat() in _blocks_text(last["blocks"])

    # a question in the room, answered in its thread with citations
    question = mention("下一个里程碑是什么?", user="U0LISI", channel=room_channel)
    peer.wait_ack(peer.push(event_callback(question)))
    [qa] = peer.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == question["ts"], timeout=30)
    assert "无锡站点开通" in qa["text"] and "crm://milestone" not in qa["text"]
    assert any(b["type"] == "context" and "📎" in _blocks_text([b]) for b in qa["blocks"])

    # the digest, posted in the room
    _command(peer, "digest", user="U0WANG", channel=room_channel)
    [digest] = peer.wait_for("chat.postMessage", where=lambda p: p["channel"] == room_channel and "作战室日报" in p["text"],
                             timeout=30)
    assert "常州站点开通" in digest["text"] and "+21 天" in digest["text"]

    # a duplicate create returns the room; a rep outside the deal is refused, and nothing is created
    again = _command(peer, "5G专网项目", user="U0WANG")
    assert "已经有作战室" in again["text"]
    refused = _command(peer, "5G专网项目", user="U0BOB")
    assert "找不到" in refused["text"] and "江苏" not in refused["text"]
    assert len(peer.calls("conversations.create")) == 1
