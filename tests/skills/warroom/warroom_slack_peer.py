"""The local Slack peer plus the Web API methods war rooms use.

The shared peer (``tests/peers/slack_peer.py``) covers messaging; a war room also needs
``conversations.create``/``invite``, ``pins.add`` and ``users.lookupByEmail`` (file upload is in the
shared peer). They are added here by subclassing (the peer dispatches ``/api/<method>`` to
``_m_<method>``), keeping the shared peer untouched. Each method checks what Slack checks.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from peers.slack_peer import BOT_USER_ID, TEAM_ID, SlackPeer

class WarRoomSlackPeer(SlackPeer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.channels: dict[str, dict[str, Any]] = {}
        self.pins: dict[str, list[str]] = {}
        self._ids = itertools.count(1)

    # --- channels ---------------------------------------------------------------------------------
    def _m_conversations_create(self, p: dict[str, Any]) -> dict[str, Any]:
        name = str(p.get("name", ""))
        if not name or len(name) > 80 or name != name.lower() or any(c in name for c in " .,"):
            return {"ok": False, "error": "invalid_name_specials"}
        if any(c["name"] == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel_id = f"C0WR{next(self._ids):04d}"
        self.channels[channel_id] = {"id": channel_id, "name": name, "members": [BOT_USER_ID],
                                     "is_private": str(p.get("is_private", "false")).lower() == "true"}
        return {"ok": True, "channel": dict(self.channels[channel_id])}

    def _m_conversations_invite(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(p.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        users = [u for u in str(p.get("users", "")).split(",") if u]
        unknown = [u for u in users if u not in self.users]
        if unknown or not users:
            return {"ok": False, "error": "user_not_found"}
        channel["members"].extend(u for u in users if u not in channel["members"])
        return {"ok": True, "channel": dict(channel)}

    def _m_pins_add(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p.get("channel", "")), str(p.get("timestamp", ""))
        if not any(m["ts"] == ts for m in self.messages.get(channel, [])):
            return {"ok": False, "error": "message_not_found"}
        if ts in self.pins.get(channel, []):
            return {"ok": False, "error": "already_pinned"}
        self.pins.setdefault(channel, []).append(ts)
        return {"ok": True}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p.get("channel", "")), str(p.get("ts", ""))
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                message["text"], message["blocks"] = p.get("text", ""), p.get("blocks", [])
                message["edited"] = {"user": BOT_USER_ID, "ts": f"{time.time():.6f}"}
                return {"ok": True, "channel": channel, "ts": ts, "text": p.get("text", "")}
        return {"ok": False, "error": "message_not_found"}

    def _m_users_lookupByEmail(self, p: dict[str, Any]) -> dict[str, Any]:
        wanted = str(p.get("email", "")).lower()
        for user in self.users.values():
            if str(user["profile"].get("email", "")).lower() == wanted:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}


# --- payloads ------------------------------------------------------------------------------------------

_ts = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


def event_callback(event: dict[str, Any]) -> dict[str, Any]:
    return {"token": "t", "team_id": TEAM_ID, "api_app_id": "A0DEALPILOT", "event": event, "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def mention(text: str, *, user: str, channel: str) -> dict[str, Any]:
    ts = new_ts()
    return {"type": "app_mention", "user": user, "channel": channel, "ts": ts, "event_ts": ts, "team": TEAM_ID,
            "text": f"<@{BOT_USER_ID}> {text}"}


def slash(name: str, text: str, *, user: str, channel: str, response_url: str) -> dict[str, str]:
    return {"token": "t", "team_id": TEAM_ID, "team_domain": "northstar", "channel_id": channel, "channel_name": "x",
            "user_id": user, "user_name": user.lower(), "command": name, "text": text, "api_app_id": "A0DEALPILOT",
            "response_url": response_url, "trigger_id": f"tr.{uuid.uuid4().hex}"}
