"""HTTP mode end to end: signed requests into ``/slack/events``, answers captured by the local Slack peer."""

from __future__ import annotations

import json
import time

from slack_support import (
    LINA,
    SALES,
    STRANGER,
    SlackHttp,
    block_action,
    channel_message,
    command,
    event_callback,
    mention,
)
from peers.slack_peer import BOT_ID, BOT_USER_ID, TEAM_ID, SlackPeer

from bot.adapters.console import console_message
from bot.adapters.slack.app import SlackBot
from bot.conversation import Conversation
from bot.render.slack import render_reply


def test_signed_mention_gets_a_threaded_block_kit_answer_from_insight(
    slack_http: SlackHttp, slack_peer: SlackPeer, slack_bot: SlackBot
) -> None:
    event = mention("ACME 最近怎么样")
    started = time.perf_counter()
    response = slack_http.event(event_callback(event))
    ack_s = time.perf_counter() - started
    assert response.status_code == 200 and ack_s < 1.0

    [posted] = slack_peer.wait_for("chat.postMessage")
    expected = render_reply(slack_bot.runtime.handle(console_message("ACME 最近怎么样", user="li.na", channel="check")))
    assert expected.blocks[0]["type"] == "header"
    assert posted == {"channel": SALES, "thread_ts": event["ts"], "text": expected.text, "blocks": expected.blocks}
    assert "艾克米" in posted["text"]
    assert slack_peer.calls("users.info") == [{"user": LINA}]


def test_an_english_question_is_answered_in_english_and_the_email_lookup_is_cached(
    slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    slack_http.event(event_callback(mention("How is ACME doing?")))
    slack_http.event(event_callback(mention("how are things with ACME")))
    first, second = slack_peer.wait_for("chat.postMessage", count=2)
    for posted in (first, second):
        assert "ACME Manufacturing" in posted["text"]
        assert "艾克米" not in posted["blocks"][0]["text"]["text"]
    assert len(slack_peer.calls("users.info")) == 1


def test_a_thread_follow_up_without_a_mention_keeps_the_conversation(
    slack_http: SlackHttp, slack_peer: SlackPeer, slack_bot: SlackBot
) -> None:
    root = mention("ACME 最近怎么样")
    slack_http.event(event_callback(root))
    slack_peer.wait_for("chat.postMessage")
    slack_http.event(event_callback(channel_message("那它的情况呢", thread_ts=root["ts"])))
    _, follow_up = slack_peer.wait_for("chat.postMessage", count=2)
    assert follow_up["thread_ts"] == root["ts"]
    history = Conversation(slack_bot.runtime.store, f"slack:{TEAM_ID}:{SALES}:{root['ts']}").history()
    assert [h["text"] for h in history if h["role"] == "user"] == ["ACME 最近怎么样", "那它的情况呢"]


def test_channel_chatter_and_the_bots_own_messages_are_ignored(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_http.event(event_callback(channel_message("lunch anyone?")))
    slack_http.event(event_callback(channel_message("ACME 最近怎么样", thread_ts="1700000000.000001")))
    own = channel_message("I am the bot", user=BOT_USER_ID)
    own["bot_id"] = BOT_ID
    slack_http.event(event_callback(own))
    slack_http.event(event_callback({**channel_message("edited"), "subtype": "message_changed"}))
    slack_peer.settle()
    assert slack_peer.calls("chat.postMessage") == []


def test_a_direct_message_is_answered_in_the_dm(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    dm = channel_message("ACME 最近怎么样", channel="D0LINA", channel_type="im")
    slack_http.event(event_callback(dm))
    [posted] = slack_peer.wait_for("chat.postMessage")
    assert posted["channel"] == "D0LINA" and "thread_ts" not in posted
    assert "艾克米" in posted["text"]


def test_slash_commands_answer_privately_through_the_response_url(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    url = slack_peer.response_url("cmd1")
    started = time.perf_counter()
    response = slack_http.form(command("/insight", "ACME", response_url=url))
    assert response.status_code == 200 and response.text == "" and time.perf_counter() - started < 1.0
    [answer] = slack_peer.wait_for("response_url")
    assert answer["_key"] == "cmd1" and answer["response_type"] == "ephemeral"
    assert "艾克米" in answer["text"] or "ACME" in answer["text"]
    assert answer["blocks"][0]["type"] == "header"

    slack_http.form(command("/dealpilot", "help", response_url=slack_peer.response_url("cmd2")))
    help_answer = slack_peer.wait_for("response_url", where=lambda p: p["_key"] == "cmd2")[0]
    assert "DealPilot" in json.dumps(help_answer["blocks"], ensure_ascii=False)


def test_a_button_press_is_routed_to_the_owning_skill_and_answered_in_the_thread(
    slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    root = mention("ACME 最近怎么样")
    slack_http.event(event_callback(root))
    [brief] = slack_peer.wait_for("chat.postMessage")
    buttons = [e for b in brief["blocks"] if b["type"] == "actions" for e in b["elements"]]
    refresh = next(b for b in buttons if b["action_id"].startswith("insight:brief"))
    bot_ts = slack_peer.messages[SALES][0]["ts"]
    response = slack_http.action(
        block_action(refresh["action_id"], refresh["value"], message_ts=bot_ts, thread_ts=root["ts"],
                     response_url=slack_peer.response_url())
    )
    assert response.status_code == 200
    _, pressed = slack_peer.wait_for("chat.postMessage", count=2)
    assert pressed["thread_ts"] == root["ts"] and pressed["blocks"] == brief["blocks"]


def test_an_unlinked_slack_user_is_asked_to_see_their_admin_and_sees_no_crm_data(
    slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    slack_http.event(event_callback(mention("How is ACME doing?", user=STRANGER)))
    slack_http.event(event_callback(mention("ACME 最近怎么样", user="U0NOBODY")))
    english, chinese = sorted(slack_peer.wait_for("chat.postMessage", count=2), key=lambda p: p["text"].isascii(), reverse=True)
    assert "ask your admin" in english["text"]
    assert "管理员" in chinese["text"]
    dumped = json.dumps([english, chinese], ensure_ascii=False)
    assert "Manufacturing" not in dumped and "艾克米" not in dumped and "li.na" not in dumped


def test_the_app_home_tab_is_published_for_the_user(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_http.event(event_callback({"type": "app_home_opened", "user": LINA, "channel": "D0LINA", "tab": "home"}))
    [published] = slack_peer.wait_for("views.publish")
    assert published["user_id"] == LINA
    view = published["view"]
    assert view["type"] == "home" and view["blocks"][0]["type"] == "header"
    assert "李娜" in json.dumps(view["blocks"], ensure_ascii=False)
