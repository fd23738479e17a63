"""A scripted chat model for agent-loop tests: each step is an ``AIMessage`` or a function of the
conversation so far, so a test can emit tool calls and then answer from what the tools returned."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """Plays ``steps`` in order; records the messages and tool schemas it was given."""

    steps: list[Any]
    seen: list[list[BaseMessage]] = []
    tool_schemas: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> "ScriptedChatModel":  # type: ignore[override]
        self.tool_schemas = [convert_to_openai_tool(t) for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        self.seen.append(list(messages))
        step = self.steps.pop(0) if self.steps else AIMessage("(script exhausted)")
        message = step(messages) if callable(step) else step
        return ChatResult(generations=[ChatGeneration(message=message)])


def call(name: str, **args: Any) -> AIMessage:
    """An assistant turn that calls one tool."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{name}", "type": "tool_call"}])


def last_tool_data(messages: list[BaseMessage]) -> Any:
    """The ``data`` of the latest tool result (what our tools wrap their output in)."""
    tool = next(m for m in reversed(messages) if isinstance(m, ToolMessage))
    payload = json.loads(str(tool.content).removesuffix(" …(truncated)"))
    return payload.get("data", payload)
