"""Slack payloads -> platform-neutral ``Message``s (pure functions, no Slack calls).

Kept apart from the Bolt wiring so the translation rules (which thread a mention belongs to, how
``/dealpilot insight ACME`` becomes a command, how a button's ``action_id`` finds its skill) are
readable in one place and testable without a server.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from bot.messages import Action, Message
from bot.render.slack import base_action_id

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")

#: Message subtypes that are still a person talking to the bot; every other subtype is ignored.
USER_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})

ROOT_COMMAND = "dealpilot"


def clean_text(text: str, *, bot_user_id: str | None) -> str:
    """Slack mrkdwn -> what the user typed: bot mention removed, links and entities unescaped."""
    text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else f"@{m.group(1)}", text or "")
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and any(m.group(1) == user_id for m in _MENTION.finditer(text or ""))


def is_user_message(event: dict[str, Any]) -> bool:
    """A message a person wrote (not a bot, not an edit/deletion/join notice)."""
    return (
        event.get("subtype") in USER_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("channel"))
    )


def is_direct_channel(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def message_from_event(
    event: dict[str, Any], *, team_id: str, bot_user_id: str | None, event_id: str | None
) -> Message:
    """A mention, DM or thread reply as a ``Message``.

    In channels the bot answers in a thread, so the conversation is the thread rooted at the
    mention (``thread_ts`` or, for a top-level mention, its own ``ts``). In a DM a top-level
    message continues the DM conversation itself.
    """
    direct = is_direct_channel(event)
    thread = event.get("thread_ts") or (None if direct else event.get("ts"))
    return Message(
        platform="slack",
        workspace=team_id,
        channel=event["channel"],
        thread=thread,
        user=event["user"],
        text=clean_text(event.get("text", ""), bot_user_id=bot_user_id),
        is_direct=direct,
        event_id=event_id,
        raw={"ts": event.get("ts"), "thread_ts": event.get("thread_ts"), "channel_type": event.get("channel_type")},
    )


def message_from_command(payload: dict[str, Any], *, known_commands: Collection[str]) -> Message:
    """``/dealpilot insight ACME`` -> command ``insight``; ``/insight ACME`` -> the same.

    ``/dealpilot`` followed by free text (``/dealpilot ACME 最近怎么样``) is a plain question for
    the router, and a bare ``/dealpilot`` asks for help.
    """
    name = str(payload.get("command", "")).lstrip("/").lower()
    text = str(payload.get("text", "")).strip()
    command: str | None = name
    args = text
    if name == ROOT_COMMAND:
        first, _, rest = text.partition(" ")
        if not text:
            command, args = "help", ""
        elif first.lower() in known_commands:
            command, args = first.lower(), rest.strip()
        else:
            command = None
    channel = str(payload.get("channel_id", ""))
    return Message(
        platform="slack",
        workspace=str(payload.get("team_id", "")),
        channel=channel,
        thread=None,
        user=str(payload.get("user_id", "")),
        text=text,
        is_direct=channel.startswith("D"),
        command=command,
        args=args,
        raw={"trigger_id": payload.get("trigger_id")},
    )


def action_source(payload: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(channel, thread_ts, message_ts) of the message a button was on; channel is None for App Home."""
    container = payload.get("container") or {}
    message = payload.get("message") or {}
    channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
    message_ts = message.get("ts") or container.get("message_ts")
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    if channel and not str(channel).startswith("D"):
        thread_ts = thread_ts or message_ts  # in channels the conversation is the thread under the message
    return channel, thread_ts, message_ts


def action_value(action: dict[str, Any]) -> str:
    if "value" in action:
        return str(action["value"] or "")
    selected = action.get("selected_option") or {}
    return str(selected.get("value", ""))


def message_from_action(payload: dict[str, Any]) -> Message:
    """A ``block_actions`` button press as a ``Message`` whose ``action`` the router sends to the owning skill."""
    action = payload["actions"][0]
    channel, thread_ts, _ = action_source(payload)
    user = payload.get("user") or {}
    team = (payload.get("team") or {}).get("id") or user.get("team_id", "")
    return Message(
        platform="slack",
        workspace=str(team),
        channel=str(channel or f"home:{user.get('id', '')}"),
        thread=thread_ts,
        user=str(user.get("id", "")),
        is_direct=not channel or str(channel).startswith("D"),
        action=Action(action_id=base_action_id(str(action.get("action_id", ""))), value=action_value(action)),
        raw={"trigger_id": payload.get("trigger_id"), "action_ts": action.get("action_ts")},
    )
