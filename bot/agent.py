"""The LLM engine: a langchain 1.x tool-calling agent over the skills' tools, guarded.

``build_agent(runtime)`` is called by ``Runtime.agent`` when ``DEALPILOT_LLM_*`` is configured;
the router sends free text to ``agent.answer(turn)`` while ``agent.available()``. One answer:

1. per-user rate limit (in the database); over it, or with the provider down (circuit breaker),
   the offline engine answers and the user is told once;
2. tools bound to the asking viewer, the thread's memory trimmed to the token budget, the system
   prompt (tool text is data, never instructions);
3. ``create_agent`` runs the loop; answer text streams to ``bot.streaming`` sinks;
4. the reply carries the tools' citations, proposed writes as Confirm / Cancel buttons, usage.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage

from bot import agent_pending
from bot.agent_memory import estimate_tokens, history_messages
from bot.agent_prompt import system_prompt
from bot.agent_tools import RunLog, available_tools, bind_tool
from bot.llm import CircuitBreaker, is_provider_failure
from bot.messages import Citations, Context, Reply, Section
from bot.streaming import StreamSink, TextCallback, current_sink

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.ratelimit import RateLimiter
    from bot.runtime import Runtime
    from bot.turn import Turn

log = logging.getLogger("dealpilot.agent")

MAX_MODEL_CALLS = 8
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class Agent:
    """Answers free text with an LLM and tools; falls back to the offline engine when it must."""

    def __init__(
        self,
        model: "BaseChatModel",
        *,
        token_budget: int = 6000,
        rate_limit_per_minute: int = 20,
        breaker: CircuitBreaker | None = None,
        max_model_calls: int = MAX_MODEL_CALLS,
    ) -> None:
        self.model = model
        self.token_budget = token_budget
        self.rate_limit_per_minute = rate_limit_per_minute
        self.breaker = breaker or CircuitBreaker()
        self.max_model_calls = max_model_calls

    # --- the router's interface -------------------------------------------------------------------
    def available(self) -> bool:
        """False while the circuit breaker is open (the router then uses the offline engine)."""
        return self.breaker.allow()

    def stream(self, turn: "Turn", on_delta: TextCallback, on_status: TextCallback | None = None) -> Reply:
        """``answer`` with its text sent to ``on_delta`` as it is written."""
        return self.answer(turn, on_delta=on_delta, on_status=on_status)

    def answer(
        self, turn: "Turn", *, on_delta: TextCallback | None = None, on_status: TextCallback | None = None
    ) -> Reply:
        """Answer one free-text turn. Provider failures fall back to the offline engine."""
        sink = StreamSink(on_delta, on_status) if (on_delta or on_status) else current_sink()
        if not self._limiter(turn.runtime).hit(turn.viewer.user_id):
            return self._offline(
                turn,
                turn.t(
                    "你这一分钟的 AI 提问次数已用完，这次由离线引擎回答。",
                    "You've reached this minute's limit of AI questions; the offline engine answered this one.",
                ),
                reason="rate_limited",
            )
        started = time.perf_counter()
        try:
            reply = self._run(turn, sink)
        except Exception as exc:
            if not is_provider_failure(exc):
                raise
            self.breaker.record_failure()
            log.warning("llm provider failure (%s); breaker=%s", type(exc).__name__, self.breaker.state)
            notice = None
            if self.breaker.should_tell(turn.viewer.user_id):
                notice = turn.t(
                    "AI 服务暂时不可用，DealPilot 已切换到离线引擎回答。",
                    "The AI service is unavailable right now; DealPilot fell back to its offline engine.",
                )
            return self._offline(turn, notice, reason="provider_down")
        self.breaker.record_success()
        reply.metadata["llm_ms"] = (time.perf_counter() - started) * 1000
        return reply

    # --- internals ----------------------------------------------------------------------------------
    def _limiter(self, runtime: "Runtime") -> "RateLimiter":
        from bot.ratelimit import RateLimiter

        return runtime.service("agent.ratelimit", lambda: RateLimiter(runtime.store, limit=self.rate_limit_per_minute))

    def _offline(self, turn: "Turn", notice: str | None, *, reason: str) -> Reply:
        reply = turn.runtime.router.offline(turn)
        if notice:
            reply.blocks.insert(0, Context(text=notice))
            reply.text = f"{notice}\n\n{reply.text}"
        reply.metadata.update(engine="offline", fallback=reason)
        return reply

    def _run(self, turn: "Turn", sink: StreamSink | None) -> Reply:
        from langchain.agents import create_agent
        from langchain.agents.middleware import ModelCallLimitMiddleware

        run = RunLog()
        owners = available_tools(turn.runtime)
        tools = [bind_tool(t, viewer=turn.viewer, run=run, sink=sink, language=turn.language) for t, _ in owners.values()]
        prompt = system_prompt(turn)
        memory_budget = max(self.token_budget - estimate_tokens(prompt) - estimate_tokens(turn.text) - 500, 0)
        messages: list[BaseMessage] = [
            *history_messages(turn.conversation.history(), budget=memory_budget),
            HumanMessage(turn.text),
        ]
        graph = create_agent(
            self.model,
            tools,
            system_prompt=prompt,
            middleware=[ModelCallLimitMiddleware(run_limit=self.max_model_calls, exit_behavior="end")],
        )
        state = self._invoke(graph, messages, sink)
        final = _last_ai(state)
        if final is not None and final.invalid_tool_calls and not final.tool_calls:
            # Malformed tool arguments: tell the model what was wrong and let it try once more.
            repair = [
                ToolMessage(
                    content=json.dumps({"error": f"invalid arguments: {bad.get('error') or 'not valid JSON'}; "
                                        "call the tool again with valid JSON arguments"}),
                    tool_call_id=bad.get("id") or "invalid",
                )
                for bad in final.invalid_tool_calls
            ]
            state = self._invoke(graph, [*state["messages"], *repair], sink)
            final = _last_ai(state)
        return self._reply(turn, state, final, run, owners)

    def _invoke(self, graph: Any, messages: list[BaseMessage], sink: StreamSink | None) -> dict[str, Any]:
        config = {"recursion_limit": 4 * self.max_model_calls + 4}
        if sink is None or sink.on_delta is None:
            return graph.invoke({"messages": messages}, config=config)
        state: dict[str, Any] = {"messages": messages}
        for mode, payload in graph.stream({"messages": messages}, config=config, stream_mode=["messages", "values"]):
            if mode == "values":
                state = payload
            elif mode == "messages":
                chunk, meta = payload
                if isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "model" and chunk.text:
                    sink.delta(chunk.text)
        return state

    def _reply(
        self, turn: "Turn", state: dict[str, Any], final: AIMessage | None, run: RunLog, owners: dict[str, Any]
    ) -> Reply:
        text = (final.text if final is not None else "").strip()
        notes: list[str] = []
        if not text and final is not None and final.invalid_tool_calls:
            text = turn.t(
                "抱歉，AI 模型生成了无效的工具调用，我没能查到数据。请换个说法再问一次。",
                "Sorry, the AI model produced an invalid tool call and I couldn't look the data up. Please rephrase.",
            )
        elif not text and not run.proposals:
            text = turn.t("抱歉，我没能生成回答。请换个说法再问一次。", "Sorry, I couldn't produce an answer. Please rephrase.")
        unverified = unverified_numbers(text, [turn.text, *(m.text for m in state.get("messages", []) if isinstance(m, ToolMessage))])
        if unverified:
            notes.append(turn.t(
                f"注意：以下数字未能在数据来源中核对：{', '.join(unverified)}。",
                f"Note: these figures could not be matched to a source: {', '.join(unverified)}.",
            ))
        blocks: list[Any] = [Section(text=text)] if text else []
        if run.proposals:
            ids = agent_pending.save(turn.conversation, user_id=turn.viewer.user_id, proposals=run.proposals)
            blocks.extend(agent_pending.proposal_blocks(turn, run.proposals, ids))
        if run.citations:
            blocks.append(Citations(items=run.citations))
        blocks.extend(Context(text=n) for n in notes)
        usage = _usage(state.get("messages", []))
        skills_used = sorted({owners[name][1] for name in run.tools_called if name in owners})
        return Reply(
            text=text or "\n".join(p.preview for p in run.proposals),
            blocks=blocks,
            language=turn.language,
            skill="agent",
            metadata={
                "engine": "llm",
                "tools": run.tools_called,
                "skills_used": skills_used,
                "usage": usage,
                "pending_writes": len(run.proposals),
            },
        )


def _last_ai(state: dict[str, Any]) -> AIMessage | None:
    return next((m for m in reversed(state.get("messages", [])) if isinstance(m, AIMessage)), None)


def _usage(messages: list[BaseMessage]) -> dict[str, int]:
    total = {"input_tokens": 0, "output_tokens": 0, "model_calls": 0}
    for m in messages:
        if isinstance(m, AIMessage):
            total["model_calls"] += 1
            if m.usage_metadata:
                total["input_tokens"] += int(m.usage_metadata.get("input_tokens", 0))
                total["output_tokens"] += int(m.usage_metadata.get("output_tokens", 0))
    return total


def unverified_numbers(answer: str, sources: list[str]) -> list[str]:
    """Figures of 3+ digits in ``answer`` that appear in no source: the model may have computed them."""
    haystack = " ".join(s.replace(",", "") for s in sources)
    out: list[str] = []
    for raw in _NUMBER.findall(answer):
        plain = raw.replace(",", "").rstrip(".")
        if sum(ch.isdigit() for ch in plain) >= 3 and plain not in haystack and raw not in out:
            out.append(raw)
    return out


def build_agent(runtime: "Runtime", *, model: "BaseChatModel | None" = None, http_client: Any = None) -> Agent:
    """The agent for ``runtime``'s settings (``model`` overrides the configured provider, for tests)."""
    from bot.llm import build_chat_model

    settings = runtime.settings
    return Agent(
        model or build_chat_model(settings, http_client=http_client),
        token_budget=settings.llm_token_budget,
        rate_limit_per_minute=settings.llm_rate_limit_per_minute,
    )
