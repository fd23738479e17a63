"""Slack test support: ids, signed HTTP, and event/command/action payloads shaped like Slack's.

Kept out of conftest.py so tests import it by a unique module name (``from slack_support import ...``)
and every test shares one ``ts`` counter.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
from peers.slack_peer import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, SIGNING_SECRET, TEAM_ID, SlackPeer

from bot.adapters.slack.credentials import SlackCredentials

LINA = "U0LINA"


BOB = "U0BOB"


STRANGER = "U0STRANGER"


SALES = "C0SALES"


def credentials(peer: SlackPeer) -> SlackCredentials:
    return SlackCredentials(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SIGNING_SECRET, api_url=peer.api_url)


class SlackHttp:
    """Posts what Slack would post to ``/slack/events``: signed JSON events, form commands and actions."""

    def __init__(self, url: str) -> None:
        self.url = url + "/slack/events"
        self.client = httpx.Client(timeout=10)

    def post_raw(self, body: str, *, content_type: str, headers: dict[str, str] | None = None, sign: bool = True,
                 timestamp: int | None = None) -> httpx.Response:
        all_headers = {"Content-Type": content_type, **(SlackPeer.sign(body, timestamp=timestamp) if sign else {}), **(headers or {})}
        return self.client.post(self.url, content=body.encode(), headers=all_headers)

    def event(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.post_raw(json.dumps(payload), content_type="application/json", **kwargs)

    def form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.post_raw(str(httpx.QueryParams(fields)), content_type="application/x-www-form-urlencoded", **kwargs)

    def action(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.form({"payload": json.dumps(payload)}, **kwargs)


_ts_counter = iter(range(1, 10**9))


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ts_counter):06d}"


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0DEALPILOT",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def mention(text: str, *, user: str = LINA, channel: str = SALES, ts: str | None = None, thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "channel": channel, "ts": ts or new_ts(), "text": f"<@{BOT_USER_ID}> {text}",
             "team": TEAM_ID, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def channel_message(text: str, *, user: str = LINA, channel: str = SALES, ts: str | None = None,
                    thread_ts: str | None = None, channel_type: str = "channel") -> dict[str, Any]:
    event = {"type": "message", "user": user, "channel": channel, "ts": ts or new_ts(), "text": text,
             "channel_type": channel_type, "team": TEAM_ID}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def command(name: str, text: str, *, user: str = LINA, channel: str = SALES, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "northstar",
        "channel_id": channel,
        "channel_name": "sales",
        "user_id": user,
        "user_name": user.lower(),
        "command": name,
        "text": text,
        "api_app_id": "A0DEALPILOT",
        "response_url": response_url,
        "trigger_id": f"tr.{uuid.uuid4().hex}",
    }


def block_action(action_id: str, value: str, *, user: str = LINA, channel: str = SALES, message_ts: str,
                 thread_ts: str | None = None, response_url: str) -> dict[str, Any]:
    message = {"type": "message", "ts": message_ts, "bot_id": "B0DEALPILOT", "text": "…"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "northstar"},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": "A0DEALPILOT",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"tr.{uuid.uuid4().hex}",
        "channel": {"id": channel, "name": "sales"},
        "message": message,
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value,
                     "action_ts": f"{time.time():.6f}", "text": {"type": "plain_text", "text": "x"}}],
    }
