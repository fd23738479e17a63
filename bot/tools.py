"""Typed, permission-checked tools: the one way skills, the offline engine and the LLM agent reach data.

A tool's function always receives the viewer as its first argument, bound by the bot; the
argument schema the model sees never contains it, so no prompt can choose whose data is read.
Tools that change something (``writes=True``) are never run directly by the agent: the bot
shows a preview and waits for the user's confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from integrations.crm.viewer import Viewer


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: JSON-able data plus the citations that back it."""

    data: Any
    citations: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Tool:
    """A capability with a typed argument schema.

    Attributes:
        name: unique, snake_case (``crm_account_brief``).
        description: what it does and when to use it (shown to the LLM).
        args_schema: pydantic model of the arguments the caller supplies.
        func: ``func(viewer, **args) -> ToolResult``; must enforce the viewer's visibility.
        writes: True when it changes the CRM or posts outside the conversation.
        preview: for writes, ``preview(viewer, **args) -> str`` describing the change.
    """

    name: str
    description: str
    args_schema: type[BaseModel]
    func: Callable[..., ToolResult]
    writes: bool = False
    preview: Callable[..., str] | None = None

    def run(self, viewer: Viewer, arguments: dict[str, Any]) -> ToolResult:
        """Validate ``arguments`` against the schema, then call the tool as ``viewer``."""
        parsed = self.args_schema.model_validate(arguments)
        return self.func(viewer, **parsed.model_dump())
