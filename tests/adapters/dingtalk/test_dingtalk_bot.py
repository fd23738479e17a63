"""The real ``DingTalkStreamClient`` through the local gateway: the issue's "Done when" list.

Every test starts the local DingTalk (``peers.dingtalk_peer``), points the bot at it through
settings only, pushes frames the way DingTalk does and asserts on what DingTalk received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from dingtalk_support import FAST_RETRY, dingtalk_settings
from peers.dingtalk_peer import DingTalkPeer

from bot.adapters.dingtalk.app import DingTalkApp
from bot.config import Settings
from bot.lang import detect_language
from bot.runtime import Runtime

GROUP_SEND = "/v1.0/robot/groupMessages/send"
O2O_SEND = "/v1.0/robot/oToMessages/batchSend"


def _delivered_card(peer: DingTalkPeer):  # type: ignore[no-untyped-def]
    return next((c for c in peer.cards.values() if "deliver" in c.events), None)


def _webhook_texts(peer: DingTalkPeer) -> list[str]:
    return [c.body["markdown"]["text"] for c in peer.webhook_posts]


def test_group_at_message_gets_markdown_answer_mentioning_the_asker(
    bot: DingTalkApp, peer: DingTalkPeer
) -> None:
    frame = peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_li_na", nick="李娜")
    post = peer.wait_until(lambda p: p.webhook_posts and p.webhook_posts[0])
    body = post.body
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atUserIds": ["dt_li_na"], "isAtAll": False}
    text = body["markdown"]["text"]
    assert text.endswith("@dt_li_na")
    assert "艾克米" in text and detect_language(text) == "zh"
    assert "|" not in text  # DingTalk markdown has no tables
    ack = peer.acks[frame]
    assert ack.code == 200 and ack.at < post.at  # acked before the answer was sent
    # the brief's buttons follow as an interactive card in the same group
    card = peer.wait_until(_delivered_card)
    assert card.space == "dtv1.card//IM_GROUP.cidGroupEastSales=="
    assert [b["id"] for b in card.buttons] == ["insight:log_touch", "insight:brief"]


def test_direct_message_in_english_gets_an_english_answer(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(text="brief me on ACME", staff_id="dt_li_na", conversation_type="1")
    post = peer.wait_until(lambda p: p.webhook_posts and p.webhook_posts[0])
    text = post.body["markdown"]["text"]
    # English labels (CRM records themselves may hold Chinese text, so no language detection here)
    assert "ACME Manufacturing" in text and "**Owner**" in text and "**Sources**" in text
    assert "负责人" not in text and "来源" not in text
    assert "at" not in post.body  # no mention in a 1:1 chat
    card = peer.wait_until(_delivered_card)
    assert card.space == "dtv1.card//IM_ROBOT.dt_li_na"


def test_rich_text_message_is_understood(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(
        staff_id="dt_li_na",
        conversation_type="1",
        rich_text=[{"text": "brief me "}, {"downloadCode": "pic1"}, {"text": "on ACME"}],
    )
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert "ACME Manufacturing" in text and "**Owner**" in text


def test_card_button_callback_reaches_the_owning_skill(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(text="/probe buttons", staff_id="dt_li_na")
    card = peer.wait_until(_delivered_card)
    frame = peer.press(card.out_track_id, button=0, user="dt_li_na")
    message = peer.wait_until(lambda p: p.messages and p.messages[0])
    assert peer.acks[frame].code == 200
    # no session webhook on a card callback: answered through the OpenAPI, in the card's group
    assert message["kind"] == "group" and message["openConversationId"] == "cidGroupEastSales=="
    assert message["param"]["text"] == "probe pressed ping 7 by li.na"


def test_insight_button_refreshes_the_brief(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_li_na")
    card = peer.wait_until(_delivered_card)
    peer.press(card.out_track_id, button=1, user="dt_li_na")  # 刷新 / Refresh -> insight:brief
    message = peer.wait_until(lambda p: p.messages and p.messages[0])
    assert "艾克米" in message["param"]["text"]


def test_long_answer_streams_through_an_ai_card_in_order_and_finalizes(
    make_bot: Callable[..., DingTalkApp], dt_runtime: Runtime, peer: DingTalkPeer
) -> None:
    make_bot(dt_runtime, stream_threshold_bytes=1000)
    peer.push_bot_message(text="/probe long", staff_id="dt_li_na", nick="李娜")
    card = peer.wait_until(lambda p: next((c for c in p.cards.values() if "3" in c.statuses), None))
    assert card.events[:3] == ["create", "deliver", "update"]
    assert card.events[-1] == "update" and set(card.events[3:-1]) == {"stream"}
    assert card.statuses == ["1", "2", "3"]  # processing -> inputing -> finished
    assert len(card.streamed) >= 3
    for before, after in zip(card.streamed, card.streamed[1:], strict=False):
        assert after.startswith(before) and len(after) > len(before)  # arrives in order, only grows
    assert card.finalized
    assert card.streamed[-1].startswith("Paragraph 0") and "Paragraph 11" in card.streamed[-1]
    assert card.data["msgContent"] == card.streamed[-1]
    assert card.at_user_ids == {"dt_li_na": "李娜"}  # the asker is mentioned on the card
    assert [b["id"] for b in card.buttons] == ["probe:more"]
    assert peer.webhook_posts == []


def test_duplicate_msg_id_is_answered_once(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    data = peer.bot_message(text="/probe once", staff_id="dt_li_na")
    first = peer.push_bot_message(data)
    second = peer.push_bot_message(data)  # DingTalk redelivers with the same msgId
    peer.wait_until(lambda p: first in p.acks and second in p.acks)
    deadline = time.monotonic() + 5
    while bot.duplicates < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bot.duplicates == 1
    peer.wait_until(lambda p: p.webhook_posts)
    time.sleep(0.2)  # room for a second answer, were there one
    assert _webhook_texts(peer) == ["probe once\n\n@dt_li_na"]


def test_gateway_disconnect_is_recovered(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_disconnect()
    peer.wait_until(lambda p: p.connections == 2, timeout=5)
    assert len(peer.tickets_issued) == 2 and peer.rejected_tickets == 0
    assert bot.wait_connected(5, connections=2)
    peer.push_bot_message(text="/probe after-disconnect", staff_id="dt_li_na", conversation_type="1")
    assert peer.wait_until(lambda p: _webhook_texts(p)) == ["probe after-disconnect"]


def test_silent_dead_connection_is_noticed_and_recovered(
    make_bot: Callable[..., DingTalkApp], dt_runtime: Runtime, peer: DingTalkPeer
) -> None:
    bot = make_bot(dt_runtime, watchdog_s=0.6)
    time.sleep(1.0)  # pings keep a healthy connection alive past the watchdog timeout
    assert bot.client.watchdog_fired == 0 and peer.connections == 1
    started = time.monotonic()
    peer.go_silent()
    peer.wait_until(lambda p: p.connections == 2, timeout=5)
    assert time.monotonic() - started < 3  # not the SDK's 10 s + websocket timeouts
    assert bot.client.watchdog_fired == 1
    assert bot.wait_connected(5, connections=2)
    peer.push_bot_message(text="/probe after-silence", staff_id="dt_li_na", conversation_type="1")
    assert peer.wait_until(lambda p: _webhook_texts(p)) == ["probe after-silence"]


def test_expired_session_webhook_falls_back_to_the_openapi(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(text="/probe late", staff_id="dt_li_na", webhook_ttl_s=-60)
    message = peer.wait_until(lambda p: p.messages and p.messages[0])
    assert message["kind"] == "group" and message["openConversationId"] == "cidGroupEastSales=="
    assert message["msgKey"] == "sampleMarkdown" and message["param"]["text"] == "probe late"
    assert peer.calls_to(GROUP_SEND)[0].token in peer.tokens  # with a token from /v1.0/oauth2/accessToken
    peer.push_bot_message(
        text="/probe late-dm", staff_id="dt_li_na", conversation_type="1", webhook_ttl_s=-60
    )
    dm = peer.wait_until(lambda p: len(p.messages) > 1 and p.messages[1])
    assert dm["kind"] == "o2o" and dm["userIds"] == ["dt_li_na"]
    assert peer.webhook_posts == [] and not [c for c in peer.calls if c.path == "/robot/sendBySession"]
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 1  # token cached across replies


def test_webhook_refused_by_dingtalk_falls_back_to_the_openapi(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    data = peer.bot_message(text="/probe refused", staff_id="dt_li_na")
    peer.expire_sessions()  # the message still says the webhook is valid
    peer.push_bot_message(data)
    message = peer.wait_until(lambda p: p.messages and p.messages[0])
    assert message["param"]["text"] == "probe refused"
    assert len([c for c in peer.calls if c.path == "/robot/sendBySession"]) == 1


def test_throttled_webhook_is_retried(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.fail_next("/robot/sendBySession", status=429, times=2)
    peer.push_bot_message(text="/probe busy", staff_id="dt_li_na", conversation_type="1")
    assert peer.wait_until(lambda p: _webhook_texts(p)) == ["probe busy"]
    statuses = [c.status for c in peer.calls if c.path == "/robot/sendBySession"]
    assert statuses[:2] == [429, 429]


def test_unmapped_user_gets_a_friendly_reply_and_nothing_from_the_crm(
    bot: DingTalkApp, peer: DingTalkPeer
) -> None:
    peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_stranger")
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert "管理员" in text  # ask your admin to link the account
    assert "艾克米" not in text and "ACME" not in text.replace("ACME 最近怎么样", "")
    assert peer.cards == {}


def test_ack_is_fast_while_the_answer_is_slow(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    slow = peer.push_bot_message(text="/probe slow", staff_id="dt_li_na", conversation_type="1")
    quick = peer.push_bot_message(text="/probe quick", staff_id="dt_li_na", conversation_type="1")
    peer.wait_until(lambda p: slow in p.acks and quick in p.acks)
    assert peer.acks[slow].at - peer.pushed[slow] < 0.5
    assert peer.acks[quick].at - peer.pushed[quick] < 0.5
    texts = peer.wait_until(lambda p: len(p.webhook_posts) == 2 and _webhook_texts(p))
    assert texts == ["probe quick", "probe slow done"]  # the slow answer blocked nothing


def test_bad_payload_is_acked_400_and_changes_nothing(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    data = peer.bot_message(text="hello", staff_id="dt_li_na")
    data.pop("senderStaffId")
    frame = peer.push_bot_message(data)
    ack = peer.wait_until(lambda p: p.acks.get(frame))
    assert ack.code == 400 and "senderStaffId" in json.dumps(ack.data)
    time.sleep(0.2)
    assert peer.webhook_posts == [] and peer.messages == [] and bot.delivered == []
    assert bot.runtime.store.claim_event(f"dingtalk:{data['msgId']}")  # nothing was recorded for it


def test_subscriptions_and_tickets(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    topics = {s["topic"] for s in peer.subscriptions[0]}
    assert {"/v1.0/im/bot/messages/get", "/v1.0/card/instances/callback"} <= topics
    assert peer.connections == 1 and peer.rejected_tickets == 0


def test_llm_style_deltas_stream_live_into_an_ai_card(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.push_bot_message(text="/probe stream", staff_id="dt_li_na", nick="李娜")
    card = peer.wait_until(lambda p: next((c for c in p.cards.values() if "3" in c.statuses), None))
    assert card.statuses == ["1", "2", "3"] and card.finalized
    assert card.streamed[0].startswith("Part 0.")  # visible from the first delta, before the answer was done
    assert len(card.streamed) >= 3
    for before, after in zip(card.streamed, card.streamed[1:], strict=False):
        assert after.startswith(before.strip())
    assert card.data["msgContent"] == "Part 0. Part 1. Part 2. Part 3. Part 4. Part 5."
    assert [b["id"] for b in card.buttons] == ["probe:again"]
    assert card.at_user_ids == {"dt_li_na": "李娜"}
    assert peer.webhook_posts == []  # the card is the answer


def test_failing_card_api_still_delivers_the_streamed_answer(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.fail_next("/v1.0/card/instances", status=400, times=1)  # card create refused
    peer.push_bot_message(text="/probe stream", staff_id="dt_li_na", conversation_type="1")
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert text == "Part 0. Part 1. Part 2. Part 3. Part 4. Part 5."


def test_idle_healthy_connection_without_gateway_pings_is_kept(
    dt_runtime: Runtime, settings: Settings
) -> None:
    with DingTalkPeer(ping_interval_s=None) as quiet:  # a gateway that sends nothing while idle
        app = DingTalkApp(
            dt_runtime,
            settings=dingtalk_settings(settings, quiet),
            watchdog_s=0.4,
            reconnect_delay_s=0.05,
            retry=FAST_RETRY,
        ).start_in_thread()
        try:
            time.sleep(1.5)
            assert app.client.watchdog_probes >= 2  # silence was noticed and probed...
            assert app.client.watchdog_fired == 0 and quiet.connections == 1  # ...and the pong kept it
            quiet.push_bot_message(text="/probe still-here", staff_id="dt_li_na", conversation_type="1")
            assert quiet.wait_until(lambda p: _webhook_texts(p)) == ["probe still-here"]
        finally:
            app.stop_thread()


def test_every_installed_skill_loaded_the_question_still_reaches_insight(
    make_bot: Callable[..., DingTalkApp], runtime: Runtime, peer: DingTalkPeer
) -> None:
    """The product configuration (all skills from entry points), not just the ones these tests need."""
    make_bot(runtime, settings=dingtalk_settings(runtime.settings, peer))
    peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_li_na")
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert "艾克米" in text and text.endswith("@dt_li_na")


def test_unmapped_staff_id_is_identified_through_the_contact_api(
    bot: DingTalkApp, peer: DingTalkPeer
) -> None:
    peer.contacts["dt_new_phone_li_na"] = {
        "userid": "dt_new_phone_li_na",
        "name": "李娜",
        "org_email": "li.na@northstar.example",
    }
    peer.push_bot_message(text="ACME 最近怎么样", staff_id="dt_new_phone_li_na", conversation_type="1")
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert "艾克米" in text  # answered as li.na, who owns ACME
    lookups = [c for c in peer.calls if c.path == "/topapi/v2/user/get"]
    assert len(lookups) == 1 and lookups[0].token in peer.tokens
    # the mapping was recorded: the next message needs no lookup
    peer.push_bot_message(text="brief me on ACME", staff_id="dt_new_phone_li_na", conversation_type="1")
    peer.wait_until(lambda p: len(p.webhook_posts) == 2)
    assert len([c for c in peer.calls if c.path == "/topapi/v2/user/get"]) == 1


def test_stranger_unknown_to_contacts_gets_the_friendly_reply(bot: DingTalkApp, peer: DingTalkPeer) -> None:
    peer.contacts["dt_outsider"] = {
        "userid": "dt_outsider",
        "name": "Outsider",
        "org_email": "x@elsewhere.example",
    }
    peer.push_bot_message(text="brief me on ACME", staff_id="dt_outsider", conversation_type="1")
    text = peer.wait_until(lambda p: _webhook_texts(p))[0]
    assert "ask your admin" in text and "ACME Manufacturing" not in text
