"""A local OpenAI-compatible chat-completions server for tests (aiohttp on 127.0.0.1:0).

It speaks the wire protocol the real ``openai`` client and ``langchain-openai`` use: JSON
responses, SSE streaming chunks (``data: {...}`` … ``data: [DONE]``), tool calls, usage, and error
statuses with ``retry-after-ms``. Tests script what it answers and assert on what it received.

A script item is a dict:
    {"content": "text"}                                  a plain answer
    {"tool_calls": [("name", '{"json": "args"}'), ...]}  tool calls (arguments sent verbatim)
    {"status": 429}                                      an error status (retried by the client)
    {"delay": 2.0, ...}                                  sleep first (timeouts)
or a callable ``f(request_body) -> dict`` deciding from the conversation so far.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

Spec = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class OpenAIPeer:
    """Start with ``with OpenAIPeer() as peer:``; ``peer.base_url`` ends in ``/v1``."""

    def __init__(self, script: list[Spec] | None = None) -> None:
        self.script: list[Spec] = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.base_url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "OpenAIPeer":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"

    # --- protocol --------------------------------------------------------------------------------
    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self.script:
            return {"content": "(peer: script exhausted)"}
        spec = self.script[0] if len(self.script) == 1 and callable(self.script[0]) else self.script.pop(0)
        return spec(body) if callable(spec) else spec

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        spec = self._next(body)
        if spec.get("delay"):
            await asyncio.sleep(float(spec["delay"]))
        if spec.get("status"):
            return web.json_response(
                {"error": {"message": spec.get("message", "scripted error"), "type": "rate_limit_error"}},
                status=int(spec["status"]),
                headers={"retry-after-ms": "10"},
            )
        if body.get("stream"):
            return await self._stream(request, body, spec)
        return web.json_response(self._completion(body, spec))

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(str(t))), float(i), 1.0]}
            for i, t in enumerate(inputs)
        ]
        return web.json_response({"object": "list", "data": data, "model": body.get("model"),
                                  "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    @staticmethod
    def _tool_calls(spec: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function", "function": {"name": name, "arguments": args}}
            for name, args in spec.get("tool_calls", [])
        ]

    @staticmethod
    def _usage(body: dict[str, Any], spec: dict[str, Any]) -> dict[str, int]:
        prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4 + 1
        completion = len(spec.get("content", "")) // 4 + 1
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        calls = self._tool_calls(spec)
        message: dict[str, Any] = {"role": "assistant", "content": spec.get("content") if not calls else None}
        if calls:
            message["tool_calls"] = calls
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:10]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "peer"),
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": self._usage(body, spec),
        }

    async def _stream(self, request: web.Request, body: dict[str, Any], spec: dict[str, Any]) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        cid, created, model = f"chatcmpl-{uuid.uuid4().hex[:10]}", int(time.time()), body.get("model", "peer")

        async def send(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> None:
            chunk: dict[str, Any] = {
                "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if usage:
                chunk["usage"] = usage
            await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": ""})
        calls = self._tool_calls(spec)
        for i, call in enumerate(calls):
            args = call["function"]["arguments"]
            await send({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                        "function": {"name": call["function"]["name"], "arguments": ""}}]})
            for j in range(0, len(args), 8):
                await send({"tool_calls": [{"index": i, "function": {"arguments": args[j : j + 8]}}]})
        text = spec.get("content", "") if not calls else ""
        for j in range(0, len(text), 6):
            await send({"content": text[j : j + 6]})
        await send({}, finish="tool_calls" if calls else "stop")
        if (body.get("stream_options") or {}).get("include_usage"):
            await send({}, usage=self._usage(body, spec))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp


def tool_result_texts(body: dict[str, Any]) -> list[str]:
    """The tool messages the client sent back (what the model 'saw' from our tools)."""
    return [str(m.get("content")) for m in body.get("messages", []) if m.get("role") == "tool"]
