"""Platform-neutral messages: what adapters produce (``Message``) and what skills return (``Reply``).

These are the contracts between layers. Adapters never pass SDK objects inward and skills never
build platform payloads; renderers translate ``Reply`` blocks into Block Kit, DingTalk markdown or
terminal output.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field

from bot.lang import Language

Platform = Literal["console", "slack", "dingtalk", "test"]


class Action(BaseModel):
    """A button press: which button (``action_id`` is ``"<skill>:<verb>"``) and its value."""

    action_id: str
    value: str = ""

    @property
    def skill(self) -> str:
        return self.action_id.split(":", 1)[0]

    @property
    def verb(self) -> str:
        return self.action_id.split(":", 1)[1] if ":" in self.action_id else ""


class Message(BaseModel):
    """One inbound user message or action, already stripped of platform specifics."""

    platform: Platform = "console"
    workspace: str = "local"
    channel: str = "console"
    thread: str | None = None
    user: str
    text: str = ""
    is_direct: bool = True
    command: str | None = None
    args: str = ""
    action: Action | None = None
    event_id: str | None = None
    received_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    raw: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def conversation_key(self) -> str:
        """Stable key of the conversation this message belongs to.

        A thread is shared by everyone in it; outside a thread each person has their own
        conversation, so one rep's practice session or pending write never captures a colleague's
        messages in the same channel.
        """
        if self.thread:
            return f"{self.platform}:{self.workspace}:{self.channel}:{self.thread}"
        return f"{self.platform}:{self.workspace}:{self.channel}:-:{self.user}"


# --- Reply blocks -----------------------------------------------------------------------------


class Header(BaseModel):
    type: Literal["header"] = "header"
    text: str


class Section(BaseModel):
    """A paragraph of lightweight markdown (``*bold*``, ``_italic_``, ``-`` bullets)."""

    type: Literal["section"] = "section"
    text: str


class Fields(BaseModel):
    """Label/value pairs shown as a compact grid."""

    type: Literal["fields"] = "fields"
    items: list[tuple[str, str]]


class Table(BaseModel):
    type: Literal["table"] = "table"
    columns: list[str]
    rows: list[list[str]]
    title: str | None = None


class Button(BaseModel):
    text: str
    action_id: str
    value: str = ""
    style: Literal["primary", "danger", "default"] = "default"


class Buttons(BaseModel):
    type: Literal["buttons"] = "buttons"
    buttons: list[Button]


class Image(BaseModel):
    """A picture (e.g. a Gantt chart). ``path`` is a local PNG; adapters upload or describe it."""

    type: Literal["image"] = "image"
    path: str
    alt: str
    fallback_text: str = ""


class Citation(BaseModel):
    """Where a fact came from: a CRM record (``crm://account/42``) or a document."""

    source: str
    title: str
    snippet: str = ""
    url: str | None = None


class Citations(BaseModel):
    type: Literal["citations"] = "citations"
    items: list[Citation]


class Context(BaseModel):
    """Small print under an answer (data freshness, hints)."""

    type: Literal["context"] = "context"
    text: str


class Divider(BaseModel):
    type: Literal["divider"] = "divider"


Block = Annotated[
    Union[Header, Section, Fields, Table, Buttons, Image, Citations, Context, Divider],
    Field(discriminator="type"),
]

ReplyTarget = Literal["thread", "channel", "dm", "ephemeral"]


class Reply(BaseModel):
    """What a skill answers: a plain-text fallback plus rich blocks, and where to post it."""

    text: str
    blocks: list[Block] = Field(default_factory=list)
    language: Language = "en"
    skill: str | None = None
    target: ReplyTarget = "thread"
    channel: str | None = None
    idempotency_key: str | None = None
    update_ref: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def citations(self) -> list[Citation]:
        return [c for b in self.blocks if isinstance(b, Citations) for c in b.items]

    @property
    def actions(self) -> list[Button]:
        return [btn for b in self.blocks if isinstance(b, Buttons) for btn in b.buttons]

    def to_json(self, *, elapsed_ms: float | None = None) -> dict[str, Any]:
        """The scripting interface's JSON shape (``dealpilot ask --json``)."""
        return {
            "skill": self.skill,
            "language": self.language,
            "text": self.text,
            "blocks": [b.model_dump(mode="json") for b in self.blocks],
            "citations": [c.model_dump(mode="json") for c in self.citations],
            "actions": [a.model_dump(mode="json") for a in self.actions],
            "elapsed_ms": round(elapsed_ms, 1) if elapsed_ms is not None else None,
        }


def text_reply(text: str, *, language: Language, skill: str | None = None) -> Reply:
    """A reply that is just one paragraph."""
    return Reply(text=text, blocks=[Section(text=text)], language=language, skill=skill)
