"""The blocks behind a "show more" button, kept in the database so any bot process can serve them.

A reply longer than Slack's 50 blocks is posted one page at a time; the rest waits here under a
random token carried by the button's value. The conversation-state table is reused (key
``slack-more:<token>``) so the adapter needs no table of its own.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.conversation import Conversation
from bot.store import Store

KEY_PREFIX = "slack-more:"


class PageStore:
    """Park the overflow of a long reply; hand it back once when "show more" is pressed."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, blocks: list[dict[str, Any]], *, language: str, text: str) -> str:
        token = secrets.token_urlsafe(12)
        Conversation(self.store, KEY_PREFIX + token).set(
            skill="slack", state="more", data={"blocks": blocks, "language": language, "text": text}
        )
        return token

    def take(self, token: str) -> dict[str, Any] | None:
        """The parked page data, or ``None`` for an unknown or already served token."""
        if not token or len(token) > 64:
            return None
        conversation = Conversation(self.store, KEY_PREFIX + token)
        row = conversation.load()
        if row is None or row.state != "more":
            return None
        conversation.clear()
        return dict(row.data)
