"""Socket Mode end to end: the built-in SocketModeClient connects to the peer's websocket."""

from __future__ import annotations

from typing import Any

from slack_support import LINA, SALES, block_action, channel_message, command, event_callback, mention
from peers.slack_peer import APP_TOKEN, SlackPeer


def test_a_mention_over_the_socket_is_acked_and_answered_in_thread(slack_socket: Any, slack_peer: SlackPeer) -> None:
    event = mention("ACME 最近怎么样")
    envelope = slack_peer.push(event_callback(event))
    ack = slack_peer.wait_ack(envelope)
    assert ack.at - slack_peer.pushed[envelope] < 0.5
    [posted] = slack_peer.wait_for("chat.postMessage")
    assert posted["channel"] == SALES and posted["thread_ts"] == event["ts"] and "艾克米" in posted["text"]
    [opened] = slack_peer.calls_of("apps.connections.open")
    assert opened.token == APP_TOKEN


def test_slash_commands_and_buttons_over_the_socket(slack_socket: Any, slack_peer: SlackPeer) -> None:
    envelope = slack_peer.push(command("/dealpilot", "insight ACME", response_url=slack_peer.response_url("c1")),
                               type="slash_commands")
    slack_peer.wait_ack(envelope)
    [answer] = slack_peer.wait_for("response_url")
    assert "艾克米" in answer["text"] or "ACME" in answer["text"]
    refresh = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"].startswith("insight:brief"))
    envelope = slack_peer.push(block_action(refresh["action_id"], refresh["value"], message_ts="1700000001.000100",
                                            response_url=slack_peer.response_url("b1")), type="interactive")
    slack_peer.wait_ack(envelope)
    [pressed] = slack_peer.wait_for("chat.postMessage")
    assert pressed["thread_ts"] == "1700000001.000100" and pressed["blocks"][0]["type"] == "header"


def test_a_redelivered_envelope_is_answered_once(slack_socket: Any, slack_peer: SlackPeer) -> None:
    payload = event_callback(mention("ACME 最近怎么样"))
    slack_peer.wait_ack(slack_peer.push(payload))
    slack_peer.wait_ack(slack_peer.push(payload, retry_attempt=1))
    slack_peer.wait_for("chat.postMessage")
    slack_peer.settle()
    assert len(slack_peer.calls("chat.postMessage")) == 1


def test_the_client_reconnects_after_a_disconnect_and_keeps_answering(slack_socket: Any, slack_peer: SlackPeer) -> None:
    slack_peer.wait_ack(slack_peer.push(event_callback(mention("ACME 最近怎么样"))))
    slack_peer.wait_for("chat.postMessage")
    slack_peer.disconnect()
    slack_peer.wait_connected(2)
    assert slack_peer.connections_opened == 2
    envelope = slack_peer.push(event_callback(mention("How is ACME doing?")))
    slack_peer.wait_ack(envelope)
    _, second = slack_peer.wait_for("chat.postMessage", count=2)
    assert "ACME Manufacturing" in second["text"]


def test_an_assistant_thread_suggests_prompts_and_streams_the_answer(slack_socket: Any, slack_peer: SlackPeer) -> None:
    thread_ts = "1700000100.000100"
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": LINA, "channel_id": "D0LINA", "thread_ts": thread_ts,
                             "context": {"channel_id": SALES, "team_id": "T0NORTH"}},
        "event_ts": thread_ts,
    }
    slack_peer.wait_ack(slack_peer.push(event_callback(started)))
    [prompts] = slack_peer.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts["channel_id"] == "D0LINA" and prompts["thread_ts"] == thread_ts
    assert any("ACME" in p["message"] for p in prompts["prompts"])
    [greeting] = slack_peer.wait_for("chat.postMessage")
    assert greeting["thread_ts"] == thread_ts and "DealPilot" in greeting["text"]

    question = channel_message("ACME 最近怎么样", channel="D0LINA", channel_type="im", thread_ts=thread_ts)
    slack_peer.wait_ack(slack_peer.push(event_callback(question)))
    [stop] = slack_peer.wait_for("chat.stopStream")
    [status] = slack_peer.calls("assistant.threads.setStatus")
    assert status == {"channel_id": "D0LINA", "thread_ts": thread_ts, "status": "正在思考…", "team_id": "T0NORTH"}
    [start] = slack_peer.calls("chat.startStream")
    assert start["channel"] == "D0LINA" and start["thread_ts"] == thread_ts and start["recipient_user_id"] == LINA
    streamed = "".join(
        chunk["text"]
        for call in [start, *slack_peer.calls("chat.appendStream"), stop]
        for chunk in call.get("chunks", [])
    )
    assert "**艾克米" in streamed and len(slack_peer.calls("chat.appendStream")) >= 1
    buttons = [e["action_id"] for b in stop["blocks"] for e in b["elements"]]
    assert any(a.startswith("insight:") for a in buttons)
    assert len(slack_peer.calls("chat.postMessage")) == 1  # only the greeting; the answer was streamed

    changed = {"type": "assistant_thread_context_changed",
               "assistant_thread": {"user_id": LINA, "channel_id": "D0LINA", "thread_ts": thread_ts,
                                    "context": {"channel_id": "C0OTHER", "team_id": "T0NORTH"}},
               "event_ts": "1700000101.000100"}
    slack_peer.wait_ack(slack_peer.push(event_callback(changed)))
    [saved] = slack_peer.wait_for("chat.update")  # Bolt keeps the thread context on the greeting's metadata
    assert saved["metadata"]["event_payload"] == {"channel_id": "C0OTHER", "team_id": "T0NORTH"}
