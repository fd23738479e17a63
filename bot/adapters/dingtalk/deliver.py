"""Messages DealPilot starts (alerts, digests, reminders): the outbox's sender for DingTalk.

The outbox addresses people by CRM user id (``user:li.na``) or a conversation
(``channel:<openConversationId>``). A user becomes a 1:1 robot message to their staff id, found by
the reverse lookup in the chat-identity table (``crm.chat_identities_of``); a conversation gets a
group robot message. Buttons travel as an interactive card, exactly as in answers. Card ids derive
from the outbox row's idempotency key, so a resend after a crash does not add a second card.
A failure raises, so the outbox retries with backoff.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from bot.adapters.dingtalk.events import DIRECT, GROUP, ReplyContext
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.messages import Reply
from bot.outbox import parse_recipient

if TYPE_CHECKING:
    from bot.runtime import Runtime

PLATFORM = "dingtalk"


class RecipientNotOnDingTalk(LookupError):
    """The CRM user has no DingTalk staff id in the chat-identity table."""


class DingTalkDelivery:
    """``delivery(recipient, reply) -> card id or route``: what ``bot.scheduler.start_background`` expects.

    Args:
        runtime: its CRM maps CRM users to staff ids.
        sender: the app's sender (webhooks are never used here: proactive messages have none).
    """

    def __init__(self, runtime: "Runtime", sender: DingTalkSender) -> None:
        self.runtime = runtime
        self.sender = sender

    def __call__(self, recipient: str, reply: Reply) -> str | None:
        kind, ident = parse_recipient(recipient)
        if kind == "channel":
            ctx = ReplyContext(conversation_type=GROUP, conversation_id=ident, sender_staff_id="")
        else:
            staff_id = self.staff_id(ident)
            ctx = ReplyContext(conversation_type=DIRECT, conversation_id=staff_id, sender_staff_id=staff_id)
        key = reply.idempotency_key or f"outbox:{recipient}:{hashlib.sha256(reply.text.encode()).hexdigest()[:16]}"
        delivery = self.sender.send(reply, ctx, key=key)
        return delivery.card or "+".join(delivery.routes) or None

    def staff_id(self, user_id: str) -> str:
        """The user's DingTalk staff id; raises ``RecipientNotOnDingTalk`` when none is mapped."""
        finder = getattr(self.runtime.crm, "chat_identities_of", None)
        found = finder(user_id, platform=PLATFORM) if callable(finder) else []
        if not found:
            raise RecipientNotOnDingTalk(f"CRM user {user_id!r} has no DingTalk staff id in the chat-identity table")
        return found[0]
