"""DingTalk callbacks -> ``Message``: bot messages (text, rich text, commands) and card button presses.

Why separate from the handlers: parsing is pure and easy to test; the handlers only ack and
schedule. Along with the ``Message`` we keep a ``ReplyContext`` -- where and how to answer
(session webhook and its expiry, conversation type, whom to mention) -- which never enters the
platform-neutral layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dingtalk_stream import CardCallbackMessage, ChatbotMessage

from bot.messages import Action, Message

GROUP = "2"
DIRECT = "1"
WEBHOOK_SAFETY_MS = 5_000
"""A session webhook this close to expiry is treated as expired: the send itself takes time."""


class InvalidEvent(ValueError):
    """The callback lacks what we need to answer it; it is acked with 400 and nothing is done."""


@dataclass(frozen=True)
class ReplyContext:
    """Where the answer goes, as DingTalk needs it."""

    conversation_type: str
    conversation_id: str
    sender_staff_id: str
    sender_nick: str = ""
    session_webhook: str | None = None
    session_webhook_expires_ms: int | None = None

    @property
    def is_group(self) -> bool:
        return self.conversation_type == GROUP

    def webhook_valid(self, now_ms: int) -> bool:
        """Whether the session webhook may still be used (present and not about to expire)."""
        if not self.session_webhook or self.session_webhook_expires_ms is None:
            return False
        return now_ms + WEBHOOK_SAFETY_MS < self.session_webhook_expires_ms


@dataclass(frozen=True)
class Inbound:
    """One parsed callback: the neutral message, how to answer, and its de-duplication key."""

    message: Message
    context: ReplyContext
    event_key: str


def split_command(text: str) -> tuple[str | None, str]:
    """``"/insight ACME"`` -> ``("insight", "ACME")``; ``"/dealpilot help"`` -> ``("help", "")``."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2 or stripped.startswith("//"):
        return None, ""
    command, _, args = stripped[1:].partition(" ")
    if command.lower() == "dealpilot" and args.strip():
        command, _, args = args.strip().partition(" ")
    return command.lower(), args.strip()


def _text_of(msg: ChatbotMessage) -> str:
    if msg.message_type == "text" and msg.text is not None:
        return (msg.text.content or "").strip()
    if msg.message_type == "richText" and msg.rich_text_content is not None:
        return "".join(
            item["text"] for item in msg.rich_text_content.rich_text_list or [] if "text" in item
        ).strip()
    return ""  # pictures, files, audio: the router answers an empty message with what it can do


def message_from_callback(data: dict[str, Any]) -> Inbound:
    """Parse the ``/v1.0/im/bot/messages/get`` callback payload (group @ or 1:1)."""
    try:
        msg = ChatbotMessage.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidEvent(f"malformed bot message: {exc}") from exc
    missing = [
        name
        for name, value in (
            ("msgId", msg.message_id),
            ("senderStaffId", msg.sender_staff_id),
            ("conversationId", msg.conversation_id),
        )
        if not value
    ]
    if missing:
        raise InvalidEvent("bot message without " + ", ".join(missing))
    if msg.conversation_type not in (GROUP, DIRECT):
        raise InvalidEvent(f"unknown conversationType {msg.conversation_type!r}")
    text = _text_of(msg)
    command, args = split_command(text)
    workspace = str(data.get("corpId") or msg.chatbot_corp_id or msg.sender_corp_id or "*")
    message = Message(
        platform="dingtalk",
        workspace=workspace,
        channel=msg.conversation_id,
        user=msg.sender_staff_id,
        is_direct=msg.conversation_type == DIRECT,
        text=text,
        command=command,
        args=args,
        event_id=msg.message_id,
        raw={"msgtype": msg.message_type, "conversationTitle": msg.conversation_title or ""},
    )
    context = ReplyContext(
        conversation_type=msg.conversation_type,
        conversation_id=msg.conversation_id,
        sender_staff_id=msg.sender_staff_id,
        sender_nick=msg.sender_nick or "",
        session_webhook=msg.session_webhook,
        session_webhook_expires_ms=msg.session_webhook_expired_time,
    )
    return Inbound(message=message, context=context, event_key=f"dingtalk:{msg.message_id}")


def action_from_card_callback(data: dict[str, Any], *, frame_id: str) -> Inbound:
    """Parse a card button press (topic ``/v1.0/card/instances/callback``) into an ``Action`` message.

    The button's params (set by ``bot.render.dingtalk.card_buttons``) carry the action id, its
    value and the conversation to answer in; ``actionIds`` and ``spaceType``/``spaceId`` are the
    fallbacks DingTalk always sends.
    """
    try:
        cb = CardCallbackMessage.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"malformed card callback: {exc}") from exc
    private = cb.content.get("cardPrivateData", {}) if isinstance(cb.content, dict) else {}
    params = private.get("params") or {}
    action_ids = private.get("actionIds") or []
    action_id = str(params.get("action_id") or (action_ids[0] if action_ids else ""))
    if ":" not in action_id:
        raise InvalidEvent("card callback without a '<skill>:<verb>' action id")
    if not cb.user_id:
        raise InvalidEvent("card callback without userId")
    space_type = str(data.get("spaceType", ""))
    conversation_type = str(params.get("ctype") or (GROUP if space_type == "IM_GROUP" else DIRECT))
    conversation_id = str(params.get("cid") or data.get("spaceId") or cb.user_id)
    message = Message(
        platform="dingtalk",
        workspace=str(cb.corp_id or "*"),
        channel=conversation_id,
        user=cb.user_id,
        is_direct=conversation_type == DIRECT,
        action=Action(action_id=action_id, value=str(params.get("value", ""))),
        event_id=frame_id,
        raw={"outTrackId": cb.card_instance_id},
    )
    context = ReplyContext(
        conversation_type=conversation_type, conversation_id=conversation_id, sender_staff_id=cb.user_id
    )
    return Inbound(message=message, context=context, event_key=f"dingtalk:card:{frame_id}")
