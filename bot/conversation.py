"""Per-thread conversation state, persisted in the store (``bot_conversation_state``)."""

from __future__ import annotations

from typing import Any

from bot.models import ConversationState, utcnow
from bot.store import Store

MAX_HISTORY = 40


class Conversation:
    """Read and change one thread's state. Every change is written through immediately."""

    def __init__(self, store: Store, key: str) -> None:
        self.store = store
        self.key = key

    def load(self) -> ConversationState | None:
        with self.store.session() as s:
            return s.get(ConversationState, self.key)

    @property
    def owner(self) -> str | None:
        """The skill that owns an active multi-turn flow in this thread, if any."""
        row = self.load()
        return row.skill if row and row.state else None

    def set(self, *, skill: str, state: str | None, data: dict[str, Any] | None = None) -> None:
        with self.store.session() as s:
            row = s.get(ConversationState, self.key) or ConversationState(key=self.key)
            row.skill, row.state = skill, state
            if data is not None:
                row.data = data
            row.updated_at = utcnow()
            s.add(row)

    def get_data(self, key: str, default: Any = None) -> Any:
        row = self.load()
        return (row.data or {}).get(key, default) if row else default

    def put_data(self, key: str, value: Any) -> None:
        """Set one key of the thread's data without touching which skill owns the thread."""
        with self.store.session() as s:
            row = s.get(ConversationState, self.key) or ConversationState(key=self.key)
            data = dict(row.data or {})
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            row.data = data
            row.updated_at = utcnow()
            s.add(row)

    def clear(self) -> None:
        with self.store.session() as s:
            row = s.get(ConversationState, self.key)
            if row:
                row.skill, row.state, row.data = None, None, {}
                row.updated_at = utcnow()
                s.add(row)

    def append_history(self, role: str, text: str, **extra: Any) -> None:
        """Remember a turn (trimmed to the newest ``MAX_HISTORY``) for follow-ups and the LLM's memory."""
        with self.store.session() as s:
            row = s.get(ConversationState, self.key) or ConversationState(key=self.key)
            history = list(row.history or [])
            history.append({"role": role, "text": text[:4000], **extra})
            row.history = history[-MAX_HISTORY:]
            row.updated_at = utcnow()
            s.add(row)

    def history(self) -> list[dict[str, Any]]:
        row = self.load()
        return list(row.history) if row else []

    def last_entities(self) -> dict[str, Any]:
        """The entities of the latest turn that had any: what a vague follow-up ("and their deals?") means."""
        for item in reversed(self.history()):
            if item.get("entities"):
                return dict(item["entities"])
        return {}
