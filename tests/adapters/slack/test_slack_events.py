"""Slack payloads -> Message: threads, DMs, slash commands and buttons map to what the router expects."""

from __future__ import annotations

from bot.adapters.slack.events import (
    clean_text,
    is_user_message,
    message_from_action,
    message_from_command,
    message_from_event,
)

BOT = "U0DEALPILOT"


def test_a_channel_mention_is_a_thread_rooted_at_the_mention_with_the_mention_removed() -> None:
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "171.000100", "text": f"<@{BOT}> ACME 最近怎么样"}
    message = message_from_event(event, team_id="T1", bot_user_id=BOT, event_id="Ev1")
    assert (message.platform, message.workspace, message.channel, message.thread) == ("slack", "T1", "C1", "171.000100")
    assert message.text == "ACME 最近怎么样" and not message.is_direct and message.event_id == "Ev1"


def test_a_reply_in_a_thread_keeps_the_thread_and_a_dm_is_its_own_conversation() -> None:
    reply = {"type": "message", "user": "U1", "channel": "C1", "ts": "172.1", "thread_ts": "171.000100", "text": "and their deals?"}
    assert message_from_event(reply, team_id="T1", bot_user_id=BOT, event_id=None).thread == "171.000100"
    dm = {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "ts": "173.1", "text": "hi"}
    message = message_from_event(dm, team_id="T1", bot_user_id=BOT, event_id=None)
    assert message.is_direct and message.thread is None


def test_slack_markup_is_unescaped() -> None:
    text = f"<@{BOT}> compare <#C42|sales> &amp; <https://acme.example|ACME> with <@U77> &lt;now&gt;"
    assert clean_text(text, bot_user_id=BOT) == "compare #sales & ACME with @U77 <now>"


def test_bots_edits_and_joins_are_not_user_messages() -> None:
    base = {"type": "message", "user": "U1", "channel": "C1", "ts": "1.1", "text": "x"}
    assert is_user_message(base)
    assert not is_user_message({**base, "bot_id": "B1"})
    assert not is_user_message({**base, "subtype": "message_changed"})
    assert not is_user_message({**base, "subtype": "channel_join"})
    assert is_user_message({**base, "subtype": "file_share"})


def test_slash_commands_map_to_skill_commands() -> None:
    base = {"team_id": "T1", "channel_id": "C1", "user_id": "U1", "trigger_id": "tr"}
    known = {"insight", "help", "roleplay"}
    sub = message_from_command({**base, "command": "/dealpilot", "text": "insight ACME"}, known_commands=known)
    assert (sub.command, sub.args) == ("insight", "ACME")
    direct = message_from_command({**base, "command": "/insight", "text": "ACME "}, known_commands=known)
    assert (direct.command, direct.args) == ("insight", "ACME")
    bare = message_from_command({**base, "command": "/dealpilot", "text": ""}, known_commands=known)
    assert bare.command == "help"
    free = message_from_command({**base, "command": "/dealpilot", "text": "ACME 最近怎么样"}, known_commands=known)
    assert free.command is None and free.text == "ACME 最近怎么样"


def test_a_button_press_routes_to_the_owning_skill_and_undoes_duplicate_suffixes() -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "180.1", "channel_id": "C1"},
        "message": {"ts": "180.1", "thread_ts": "171.000100"},
        "actions": [{"action_id": "insight:deal#2", "value": "7", "action_ts": "181.2"}],
    }
    message = message_from_action(payload)
    assert message.action is not None
    assert (message.action.action_id, message.action.skill, message.action.value) == ("insight:deal", "insight", "7")
    assert (message.channel, message.thread, message.user) == ("C1", "171.000100", "U1")
