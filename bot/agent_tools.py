"""Our ``Tool``s as langchain tools, with the viewer bound in a closure for one answer.

The argument schema the model sees is the tool's own pydantic model: it has no viewer field, so
no prompt can choose whose data is read. Reads run and record their citations in the run's
``RunLog``; writes are *not* run: they are recorded as proposals, which the bot shows with
Confirm / Cancel buttons. Tool output is wrapped as data and truncated to a budget.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.tools import StructuredTool

from bot.errors import UserFacingError
from bot.messages import Citation
from bot.streaming import StreamSink
from bot.tools import Tool
from integrations.crm.viewer import Viewer

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("dealpilot.agent")

MAX_TOOL_CHARS = 6000
MAX_CITATIONS = 8


@dataclass
class Proposal:
    """A write the model asked for, waiting for the user's yes."""

    tool: str
    args: dict[str, Any]
    preview: str


@dataclass
class RunLog:
    """What happened during one answer: tools called, their citations, raw outputs, proposals."""

    tools_called: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    def cite(self, items: list[dict[str, str]]) -> None:
        seen = {c.source for c in self.citations}
        for item in items:
            if item.get("source") and item["source"] not in seen and len(self.citations) < MAX_CITATIONS:
                self.citations.append(Citation(**{k: v for k, v in item.items() if k in Citation.model_fields}))
                seen.add(item["source"])


def available_tools(runtime: "Runtime") -> dict[str, tuple[Tool, str]]:
    """Every tool the agent may offer, by name, with the skill that owns it (skills win over generic CRM tools)."""
    from bot.crm_tools import build_crm_tools

    tools: dict[str, tuple[Tool, str]] = {}
    for skill in runtime.skills.values():
        for tool in skill.tools():
            tools.setdefault(tool.name, (tool, skill.name))
    for tool in build_crm_tools(runtime.crm):
        tools.setdefault(tool.name, (tool, "crm"))
    return tools


def _status_text(tool: Tool, args: dict[str, Any], language: str) -> str:
    subject = next((str(v) for k, v in args.items() if k in ("account", "query", "name", "deal") and v), "")
    label = tool.name.replace("_", " ")
    if language == "zh":
        return f"正在查询 {subject}（{label}）…" if subject else f"正在查询（{label}）…"
    return f"looking up {subject} ({label})…" if subject else f"looking up ({label})…"


def _error_text(exc: Exception, language: str) -> str:
    if isinstance(exc, UserFacingError):
        return json.dumps({"error": exc.message(language)}, ensure_ascii=False)
    return json.dumps({"error": "the tool failed; tell the user you could not look this up"})


def bind_tool(tool: Tool, *, viewer: Viewer, run: RunLog, sink: StreamSink | None, language: str) -> StructuredTool:
    """A langchain tool that runs ``tool`` as ``viewer`` (reads) or records a proposal (writes)."""

    def call(**kwargs: Any) -> str:
        run.tools_called.append(tool.name)
        if sink is not None:
            sink.status(_status_text(tool, kwargs, language))
        try:
            if tool.writes:
                return _propose(tool, viewer=viewer, run=run, arguments=kwargs)
            result = tool.run(viewer, kwargs)
        except Exception as exc:  # the model gets a clear error and may recover; nothing leaks
            if not isinstance(exc, (UserFacingError, ValueError)):
                log.exception("tool %s failed", tool.name)
            return _error_text(exc, language)
        run.cite(result.citations)
        text = json.dumps(
            {"data": result.data, "sources": [c.get("source") for c in result.citations]},
            ensure_ascii=False,
            default=str,
        )
        if len(text) > MAX_TOOL_CHARS:
            text = text[:MAX_TOOL_CHARS] + " …(truncated)"
        run.outputs.append(text)
        return text

    return StructuredTool.from_function(
        func=call, name=tool.name, description=tool.description, args_schema=tool.args_schema
    )


def _propose(tool: Tool, *, viewer: Viewer, run: RunLog, arguments: dict[str, Any]) -> str:
    parsed = tool.args_schema.model_validate(arguments)
    preview = tool.preview(viewer, **parsed.model_dump()) if tool.preview else f"{tool.name} {parsed.model_dump_json()}"
    run.proposals.append(Proposal(tool=tool.name, args=parsed.model_dump(mode="json"), preview=preview))
    return json.dumps(
        {
            "status": "proposed, NOT written yet",
            "preview": preview,
            "next": "The user sees Confirm / Cancel buttons. Tell them what will be written and that it waits for "
            "their confirmation. Do not claim it is done.",
        },
        ensure_ascii=False,
    )
