"""HTTP mode: an ASGI app serving ``POST /slack/events`` for events, slash commands and interactivity.

Bolt verifies ``X-Slack-Signature`` and rejects timestamps older than five minutes (401) before
any listener runs. ``App.dispatch`` is synchronous, so it runs in a thread to keep the event loop
free; it returns as soon as the request is acknowledged, the answer continues on Bolt's pool.
"""

from __future__ import annotations

from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.adapters.slack.app import SlackBot

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000
"""Slack payloads are a few kilobytes; anything this large is not from Slack."""


def build_asgi_app(bot: SlackBot) -> Starlette:
    """The ASGI application (``uvicorn`` serves it in ``dealpilot serve``)."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("payload too large", status_code=413)
        bolt_response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
