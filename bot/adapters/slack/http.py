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


class BackgroundServer:
    """Serve an ASGI app from a daemon thread (benchmarks, tests, embedding in another process).

    ``port=0`` picks a free port; ``url`` tells which.
    """

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket
        import threading

        import uvicorn

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.url = f"http://{host}:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, name="slack-http", daemon=True
        )

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        import time

        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Slack HTTP server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)
        self._socket.close()
