"""The port between war rooms and chat platforms: create a channel, post, update, pin, upload a picture.

Why a port: the skill decides *what* a room shows; Slack (``bot/adapters/slack/rooms.py``),
DingTalk (``bot/adapters/dingtalk/rooms.py``) and the console (below) decide *how*. Adapters never
import this module (layer rule): they register an object with these methods under the runtime
service ``ROOM_PLATFORMS_SERVICE`` when they start; the protocol is structural, so no import is
needed to satisfy it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol, runtime_checkable

from sqlmodel import select

from bot.messages import Reply
from bot.models import utcnow
from bot.store import Store
from integrations.crm.entities import UserRecord
from skills.warroom.models import ConsoleChannel, ConsolePost

ROOM_PLATFORMS_SERVICE = "room_platforms"
"""``runtime.service(ROOM_PLATFORMS_SERVICE, dict)`` is the registry: platform name -> implementation."""


@runtime_checkable
class RoomPlatform(Protocol):
    """What a chat platform must do for war rooms. Message refs and channel ids are opaque strings."""

    platform: str

    def create_channel(self, name: str, member_user_ids: list[str]) -> str:
        """Create a channel (or group) named ``name`` with these platform users in it; return its id."""

    def post(self, channel: str, reply: Reply) -> str:
        """Post ``reply`` as a new message; return a reference ``update``/``pin`` accept."""

    def update(self, channel: str, message_ref: str, reply: Reply) -> None:
        """Replace the content of a message posted earlier (the card updates in place)."""

    def pin(self, channel: str, message_ref: str) -> None:
        """Keep the message at the top of the channel (Slack pin, DingTalk top card)."""

    def upload_image(self, channel: str, path: str) -> str | None:
        """Share a PNG in the channel; ``None`` when the platform shows no pictures (text timeline instead)."""

    def lookup_user(self, user: UserRecord) -> str | None:
        """The platform's user id for a CRM user, when the chat-identity table has none (e.g. by email)."""


def register_room_platform(runtime: Any, platform: str, impl: Any) -> None:
    """Make ``impl`` the room platform for ``platform`` in this runtime (adapters do the same inline)."""
    runtime.service(ROOM_PLATFORMS_SERVICE, dict)[platform] = impl


def room_platform(runtime: Any, platform: str) -> RoomPlatform | None:
    """The registered implementation; the console and test platforms always have the store-backed one."""
    registry: dict[str, Any] = runtime.service(ROOM_PLATFORMS_SERVICE, dict)
    impl = registry.get(platform)
    if impl is None and platform in ("console", "test"):
        impl = registry.setdefault(platform, ConsoleRooms(runtime.store, platform=platform))
    return impl


def slug(name: str, *, limit: int = 60) -> str:
    """A channel-safe name: lower case, ASCII letters/digits and CJK kept, the rest dashes."""
    cleaned = re.sub(r"[^0-9a-z\u3400-\u9fff]+", "-", name.lower()).strip("-")
    return cleaned[:limit].strip("-") or "deal"


class ConsoleRooms:
    """The console's rooms: channels and posts live in the store, so a test can read the pinned card."""

    def __init__(self, store: Store, *, platform: str = "console") -> None:
        self.store = store
        self.platform = platform

    def create_channel(self, name: str, member_user_ids: list[str]) -> str:
        channel_id = f"wr-{uuid.uuid4().hex[:8]}-{slug(name, limit=40)}"
        with self.store.session() as s:
            s.add(ConsoleChannel(id=channel_id, name=name, members=list(member_user_ids)))
        return channel_id

    def post(self, channel: str, reply: Reply) -> str:
        with self.store.session() as s:
            row = ConsolePost(channel=channel, reply=reply.model_dump(mode="json"))
            s.add(row)
            s.flush()
            return str(row.id)

    def update(self, channel: str, message_ref: str, reply: Reply) -> None:
        with self.store.session() as s:
            row = s.get(ConsolePost, int(message_ref))
            if row is None or row.channel != channel:
                raise LookupError(f"no message {message_ref} in {channel}")
            row.reply = reply.model_dump(mode="json")
            row.updates += 1
            row.updated_at = utcnow()
            s.add(row)

    def pin(self, channel: str, message_ref: str) -> None:
        with self.store.session() as s:
            row = s.get(ConsolePost, int(message_ref))
            if row is None or row.channel != channel:
                raise LookupError(f"no message {message_ref} in {channel}")
            row.pinned = True
            s.add(row)

    def upload_image(self, channel: str, path: str) -> str | None:
        with self.store.session() as s:
            row = ConsolePost(channel=channel, kind="image", image_path=path)
            s.add(row)
            s.flush()
            return str(row.id)

    def lookup_user(self, user: UserRecord) -> str | None:
        return user.id  # console users are CRM users

    # --- reading (tests, ``dealpilot warroom show``) --------------------------------------------
    def members(self, channel: str) -> list[str]:
        with self.store.session() as s:
            row = s.get(ConsoleChannel, channel)
            return list(row.members) if row else []

    def posts(self, channel: str) -> list[ConsolePost]:
        with self.store.session() as s:
            return list(s.exec(select(ConsolePost).where(ConsolePost.channel == channel).order_by(ConsolePost.id)))  # type: ignore[arg-type]

    def pinned(self, channel: str) -> ConsolePost | None:
        return next((p for p in self.posts(channel) if p.pinned), None)
