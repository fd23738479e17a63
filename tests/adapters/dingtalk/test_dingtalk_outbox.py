"""Messages DealPilot starts (alerts) leave through the outbox and reach DingTalk: a 1:1 robot message
to the user's staff id (the chat-identity table, read backwards) with the alert's buttons on a card,
or a group message; ``dealpilot dingtalk`` runs the scheduler that delivers them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dingtalk_support import dingtalk_settings
from peers.dingtalk_peer import DingTalkPeer
from sqlmodel import select

from bot.adapters.dingtalk.app import DingTalkApp
from bot.config import Settings
from bot.messages import Button, Buttons, Reply, Section, text_reply
from bot.outbox import SENT, OutboxMessage, channel_recipient, deliver_pending, enqueue, user_recipient
from bot.runtime import Runtime
from bot.scheduler import start_background
from skills.alerts.models import Alert
from skills.alerts.scan import run_scan
from tests.conftest import TODAY

ACK_BUTTONS = ["alerts:ack", "alerts:snooze", "alerts:not_useful"]


@pytest.fixture
def alerts_dt_runtime(settings: Settings, peer: DingTalkPeer) -> Iterator[Runtime]:
    """The demo company with the alerts skill (its buttons) and insight, configured for the peer."""
    from skills.alerts import AlertsSkill
    from skills.insight import InsightSkill

    rt = Runtime(dingtalk_settings(settings, peer), skills=[AlertsSkill(), InsightSkill()])
    yield rt
    rt.close()


def _o2o(peer: DingTalkPeer, staff_id: str) -> list[dict]:
    return [m for m in peer.messages if m["kind"] == "o2o" and m["userIds"] == [staff_id]]


def _dm_cards(peer: DingTalkPeer, staff_id: str) -> list:
    return [c for c in peer.cards.values() if c.space == f"dtv1.card//IM_ROBOT.{staff_id}"]


def test_an_alert_is_delivered_once_as_a_dm_with_its_buttons_and_the_button_works(
    make_bot: Callable[..., DingTalkApp], alerts_dt_runtime: Runtime, peer: DingTalkPeer
) -> None:
    runtime = alerts_dt_runtime
    bot = make_bot(runtime)
    run_scan(runtime.store, today=TODAY, runtime=runtime)  # the ACME renewal-risk alert goes to li.na (zh)
    scheduler = start_background(runtime, bot.deliver, deliver_every_s=0.2)
    try:
        peer.wait_until(lambda p: _o2o(p, "dt_li_na") and _dm_cards(p, "dt_li_na"), timeout=20)
        peer.wait_until(lambda p: len([m for m in p.messages if m["kind"] == "o2o"]) >= 8, timeout=20)
    finally:
        scheduler.stop()
    [message] = _o2o(peer, "dt_li_na")
    assert "艾克米制造" in message["param"]["text"] and "续约风险" in message["param"]["text"]
    assert message["robotCode"] == peer.robot_code and "at" not in message  # nobody to @ in a message we start
    [card] = _dm_cards(peer, "dt_li_na")
    assert [b["params"]["action_id"] for b in card.buttons] == ACK_BUTTONS
    # every recipient of the scan got exactly one DM, English for Bob (staff ids from the identity table)
    recipients = sorted(m["userIds"][0] for m in peer.messages if m["kind"] == "o2o")
    assert recipients == sorted(["dt_li_na", "dt_zhao_lei", "dt_bob_smith", "dt_sun_hao", "dt_chen_jing",
                                 "dt_alice_chen", "dt_he_jun", "dt_liu_yang"])
    assert "Stale deal" in _o2o(peer, "dt_bob_smith")[0]["param"]["text"]
    # delivered once: nothing is left to send, and a second run sends nothing
    with runtime.store.session() as s:
        rows = s.exec(select(OutboxMessage)).all()
    assert rows and all(r.status == SENT for r in rows)
    assert deliver_pending(runtime.store, bot.deliver).get("sent", 0) == 0
    assert len(_o2o(peer, "dt_li_na")) == 1
    # the card's first button (done / will do) reaches the alerts skill as li.na
    with runtime.store.session() as s:
        acme = s.exec(select(Alert).where(Alert.target == "account:1")).one()
    assert card.buttons[0]["params"]["value"] == str(acme.id)
    before = len(peer.messages)
    peer.press(card.out_track_id, button=0, user="dt_li_na")
    answer = peer.wait_until(lambda p: len(p.messages) > before and p.messages[-1])
    assert answer["userIds"] == ["dt_li_na"]
    assert "已记录" in answer["param"]["text"] or "Noted as done" in answer["param"]["text"]  # (router picks the language)
    with runtime.store.session() as s:
        assert s.get(Alert, acme.id).status == "acked"  # type: ignore[union-attr]


def test_a_channel_row_is_a_group_message_and_an_unmapped_user_is_retried(
    make_bot: Callable[..., DingTalkApp], alerts_dt_runtime: Runtime, peer: DingTalkPeer
) -> None:
    runtime = alerts_dt_runtime
    bot = make_bot(runtime)
    room = "cidWarRoomGlobex=="
    reply = Reply(text="Weekly digest", language="en", skill="test",
                  blocks=[Section(text="Weekly digest"), Buttons(buttons=[Button(text="Ack", action_id="alerts:ack", value="1")])])
    with runtime.store.session() as s:
        enqueue(s, recipient=channel_recipient(room), reply=reply, idempotency_key="dt-test-1", source="test")
        enqueue(s, recipient=user_recipient("nobody.here"), reply=text_reply("lost", language="en"),
                idempotency_key="dt-test-2", source="test")
    stats = deliver_pending(runtime.store, bot.deliver)
    assert stats["sent"] == 1 and stats["retry"] == 1
    [group] = [m for m in peer.messages if m["kind"] == "group"]
    assert group["openConversationId"] == room and group["param"]["text"] == "Weekly digest"
    assert "at" not in group and "@" not in group["param"]["text"]
    [card] = [c for c in peer.cards.values() if c.space == f"dtv1.card//IM_GROUP.{room}"]
    assert card.at_user_ids == {} and card.buttons[0]["params"]["cid"] == room
    assert not [m for m in peer.messages if m["kind"] == "o2o"]
    with runtime.store.session() as s:
        lost = s.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == "dt-test-2")).one()
    assert lost.status == "pending" and "nobody.here" in (lost.last_error or "")


def _env(home: Path, peer: DingTalkPeer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALPILOT_")}
    env.update({
        "DEALPILOT_HOME": str(home), "DEALPILOT_DINGTALK_CLIENT_ID": peer.client_id,
        "DEALPILOT_DINGTALK_CLIENT_SECRET": peer.client_secret, "DEALPILOT_DINGTALK_API_URL": peer.base_url,
    })
    return env


def _run_cli(demo_home: Path, peer: DingTalkPeer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "dingtalk", *args], cwd=demo_home,
                            env=_env(demo_home, peer), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_dealpilot_dingtalk_runs_the_scan_and_delivers_alerts(demo_home: Path, peer: DingTalkPeer) -> None:
    process = _run_cli(demo_home, peer)
    try:
        peer.wait_until(lambda p: _o2o(p, "dt_li_na") and _dm_cards(p, "dt_li_na"), timeout=60)
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "艾克米制造" in _o2o(peer, "dt_li_na")[0]["param"]["text"]
    assert [b["params"]["action_id"] for b in _dm_cards(peer, "dt_li_na")[0].buttons] == ACK_BUTTONS
    assert peer.client_secret not in output


def test_dealpilot_dingtalk_no_background_sends_nothing_by_itself(demo_home: Path, peer: DingTalkPeer) -> None:
    process = _run_cli(demo_home, peer, "--no-background")
    try:
        peer.wait_until(lambda p: p.connections >= 1, timeout=60)
        peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_li_na")  # it answers, so it is running
        peer.wait_until(lambda p: p.webhook_posts, timeout=30)
    finally:
        process.terminate()
        process.communicate(timeout=20)
    assert peer.messages == []  # no scan, no outbox delivery: no robot message was started
    assert not [c for c in peer.cards.values() if any(b["id"].startswith("alerts:") for b in c.buttons)]
