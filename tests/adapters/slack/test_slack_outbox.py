"""Messages DealPilot starts (alerts, digests) leave through the outbox and reach Slack DMs and channels."""

from __future__ import annotations

from peers.slack_peer import SlackPeer

from bot.adapters.slack.app import SlackBot
from bot.messages import text_reply
from bot.outbox import channel_recipient, deliver_pending, enqueue, user_recipient


def test_outbox_messages_reach_a_dm_by_email_and_a_channel(slack_bot: SlackBot, slack_peer: SlackPeer) -> None:
    store = slack_bot.runtime.store
    with store.session() as session:
        enqueue(session, recipient=user_recipient("li.na"), reply=text_reply("ACME 续约风险上升", language="zh"),
                idempotency_key="slack-test-1", source="test")
        enqueue(session, recipient=channel_recipient("C0ALERTS"), reply=text_reply("Weekly digest", language="en"),
                idempotency_key="slack-test-2", source="test")
        enqueue(session, recipient=user_recipient("wang.wei"), reply=text_reply("not on Slack", language="en"),
                idempotency_key="slack-test-3", source="test")
    stats = deliver_pending(store, slack_bot.deliver)
    assert stats["sent"] == 2 and stats["retry"] == 1
    posted = {p["channel"]: p["text"] for p in slack_peer.calls("chat.postMessage")}
    assert posted == {"D0LINA": "ACME 续约风险上升", "C0ALERTS": "Weekly digest"}
    assert slack_peer.calls("users.lookupByEmail") == [{"email": "li.na@northstar.example"},
                                                      {"email": "wang.wei@northstar.example"}]
    assert slack_peer.calls("conversations.open") == [{"users": "U0LINA"}]
