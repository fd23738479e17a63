"""One turn of a conversation, as a skill sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.conversation import Conversation
from bot.lang import Language, pick
from bot.messages import Message
from integrations.crm.viewer import Viewer

if TYPE_CHECKING:
    from bot.intent import EntityMatch
    from bot.runtime import Runtime


@dataclass
class Turn:
    """A message plus everything needed to answer it: who asks, in which language, and the runtime."""

    message: Message
    viewer: Viewer
    language: Language
    runtime: "Runtime"
    conversation: Conversation
    entities: list["EntityMatch"] = field(default_factory=list)
    intent_score: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def crm(self):  # type: ignore[no-untyped-def]
        return self.runtime.crm

    @property
    def text(self) -> str:
        """What the user typed: the command's arguments for a slash command, else the message text."""
        return self.message.args if self.message.command else self.message.text

    def t(self, zh: str, en: str) -> str:
        return pick(self.language, zh, en)

    def entity(self, kind: str) -> "EntityMatch | None":
        """The best linked entity of ``kind`` (``account``, ``deal``, ``person``) in this turn."""
        return next((e for e in self.entities if e.kind == kind), None)
