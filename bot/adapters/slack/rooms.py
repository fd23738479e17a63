"""War rooms on Slack: the room platform the war-room skill posts through.

``conversations.create`` + ``conversations.invite`` make the room, ``chat.postMessage`` /
``chat.update`` the live card, ``pins.add`` keeps it on top, ``files_upload_v2`` shares the
timeline picture, ``users.lookupByEmail`` finds colleagues who never talked to the bot. It knows
Slack and nothing about deals: what the card says comes in as a ``Reply``.

Registered by ``SlackBot`` at start-up under the runtime service ``room_platforms`` (the
registry the skill reads; adapters do not import skills).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.messages import Reply
from bot.render.slack import render_reply

log = logging.getLogger("dealpilot.slack.rooms")

ROOM_PLATFORMS_SERVICE = "room_platforms"
NAME_CHARS = 80
NAME_ATTEMPTS = 5


def channel_name(name: str) -> str:
    """A valid Slack channel name: lower-case ASCII, digits, ``-``/``_``, at most 80 characters.

    Names with little ASCII in them (Chinese deal names) keep what there is plus a short hash,
    so two deals never fight over ``wr-5g``.
    """
    ascii_part = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    ascii_part = re.sub(r"-{2,}", "-", ascii_part)
    if len(ascii_part) < 8:
        ascii_part = f"{ascii_part}-{hashlib.sha1(name.encode()).hexdigest()[:6]}".strip("-")
    if not ascii_part.startswith(("wr-", "war-room")):
        ascii_part = "wr-" + ascii_part
    return ascii_part[:NAME_CHARS].strip("-")


class SlackRooms:
    """The room platform for one workspace's bot token."""

    platform = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def create_channel(self, name: str, member_user_ids: list[str]) -> str:
        base = channel_name(name)
        channel_id = None
        for attempt in range(NAME_ATTEMPTS):
            candidate = base if attempt == 0 else f"{base[: NAME_CHARS - 3]}-{attempt + 1}"
            try:
                channel_id = self.client.conversations_create(name=candidate, is_private=False)["channel"]["id"]
                break
            except SlackApiError as exc:
                if exc.response.get("error") != "name_taken":
                    raise
        if channel_id is None:
            raise RuntimeError(f"no free Slack channel name for {base!r}")
        if member_user_ids:
            self.client.conversations_invite(channel=channel_id, users=",".join(member_user_ids))
        return str(channel_id)

    def post(self, channel: str, reply: Reply) -> str:
        message = render_reply(reply)
        return str(self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)["ts"])

    def update(self, channel: str, message_ref: str, reply: Reply) -> None:
        message = render_reply(reply)
        self.client.chat_update(channel=channel, ts=message_ref, text=message.text, blocks=message.blocks)

    def pin(self, channel: str, message_ref: str) -> None:
        self.client.pins_add(channel=channel, timestamp=message_ref)

    def upload_image(self, channel: str, path: str) -> str | None:
        file = Path(path)
        response = self.client.files_upload_v2(channel=channel, file=str(file), filename=file.name, title=file.stem)
        uploaded: Any = response.get("file") or {}
        return str(uploaded.get("id")) if uploaded.get("id") else None

    def lookup_user(self, user: Any) -> str | None:
        email = getattr(user, "email", "")
        if not email:
            return None
        try:
            return str(self.client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as exc:
            log.info("users.lookupByEmail found nobody for a deal member (%s)", exc.response.get("error"))
            return None


def register(runtime: Any, client: WebClient) -> None:
    """Offer war rooms on Slack in this runtime (called once when the Slack bot starts)."""
    runtime.service(ROOM_PLATFORMS_SERVICE, dict)["slack"] = SlackRooms(client)
