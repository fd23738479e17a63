"""The SDK's ``DingTalkStreamClient``, pointed at our API URL, with a watchdog and a stoppable loop.

Why a subclass: the SDK reads ``DINGTALK_OPENAPI_ENDPOINT`` once at import (into several of its
modules) and keeps ``OPEN_CONNECTION_API`` as a class attribute, so ``point_sdk_at`` is the one
place that redirects it (to ``settings.dingtalk_api_url``: the local gateway in tests). And its
``start`` loop cannot be stopped (it swallows cancellation), calls the blocking
``open_connection`` on the event loop, waits a fixed 10 s after a connection error and never
notices a silent dead socket. ``start`` is replaced; frame routing, acks, handlers and the
connection-open request are the SDK's own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import quote_plus

import websockets
from dingtalk_stream import Credential, DingTalkStreamClient

from bot.adapters.dingtalk.watchdog import Watchdog

log = logging.getLogger("dealpilot.dingtalk.stream")

OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
_SDK_MODULES = ("utils", "stream", "chatbot", "card_replier", "card_instance", "interactive_card")


def point_sdk_at(api_url: str) -> None:
    """Make every part of the ``dingtalk_stream`` SDK talk to ``api_url`` (no trailing slash needed)."""
    import importlib

    url = api_url.rstrip("/")
    for name in _SDK_MODULES:
        module = importlib.import_module(f"dingtalk_stream.{name}")
        if hasattr(module, "DINGTALK_OPENAPI_ENDPOINT"):
            module.DINGTALK_OPENAPI_ENDPOINT = url  # type: ignore[attr-defined]
    DingTalkStreamClient.OPEN_CONNECTION_API = url + OPEN_CONNECTION_PATH


class _QuietPings(logging.Filter):
    """The SDK logs every gateway ping as an "unknown message topic" warning; pings are normal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.msg == "unknown message topic, topic=%s, message=%s"
            and isinstance(record.args, tuple)
            and record.args[:1] == ("ping",)
        )


class StreamClient(DingTalkStreamClient):
    """Connects, routes frames through the SDK, reconnects with backoff, and can be stopped.

    Args:
        credential: the app's client id and secret.
        watchdog_s: drop the connection after this many seconds without a ping or message.
        reconnect_delay_s: first wait after a failed connection; doubles up to ``max_reconnect_delay_s``.
    """

    websocket: Any  # the open connection, or None between connections (the SDK's attribute)

    def __init__(
        self,
        credential: Credential,
        *,
        watchdog_s: float = 90.0,
        reconnect_delay_s: float = 1.0,
        max_reconnect_delay_s: float = 30.0,
        logger: logging.Logger | None = None,
    ) -> None:
        sdk_logger = logger or logging.getLogger("dingtalk_stream.client")
        if not any(isinstance(f, _QuietPings) for f in sdk_logger.filters):
            sdk_logger.addFilter(_QuietPings())
        super().__init__(credential, logger=sdk_logger)
        self.watchdog_s = watchdog_s
        self.reconnect_delay_s = reconnect_delay_s
        self.max_reconnect_delay_s = max_reconnect_delay_s
        self.connections = 0
        self.watchdog_fired = 0
        self.watchdog_probes = 0
        self.connected = asyncio.Event()
        self._stopping = asyncio.Event()
        self._frames: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.pre_start()
        failures = 0
        while not self._stopping.is_set():
            connection = await asyncio.to_thread(self.open_connection)
            if not connection:
                failures += 1
                await self._pause(failures)
                continue
            uri = f"{connection['endpoint']}?ticket={quote_plus(connection['ticket'])}"
            watchdog_task: asyncio.Task[None] | None = None
            try:
                async with websockets.connect(uri, close_timeout=2, max_size=None) as ws:
                    self.websocket = ws
                    self.connections += 1
                    failures = 0
                    self.connected.set()
                    log.info("dingtalk stream connected (connection %d)", self.connections)
                    watchdog = Watchdog(
                        self.watchdog_s, lambda: self._drop(ws), probe=lambda: self._probe(ws)
                    )
                    watchdog_task = asyncio.create_task(watchdog.run())
                    async for raw in ws:
                        watchdog.touch()
                        self._spawn(self.background_task(json.loads(raw)))
                log.info("dingtalk stream closed by %s", "us" if self._stopping.is_set() else "the gateway")
            except (
                websockets.ConnectionClosed,
                OSError,
                websockets.InvalidHandshake,
                json.JSONDecodeError,
            ) as exc:
                if not self._stopping.is_set():
                    failures += 1
                    log.warning("dingtalk stream connection lost: %s", type(exc).__name__)
            finally:
                self.connected.clear()
                self.websocket = None
                if watchdog_task is not None:
                    watchdog_task.cancel()
            if failures:
                await self._pause(failures)

        if self._frames:  # let frames in flight finish (their acks go nowhere now, which is fine)
            await asyncio.gather(*self._frames, return_exceptions=True)

    async def stop(self) -> None:
        """Stop reconnecting and close the socket; ``start`` then returns."""
        self._stopping.set()
        ws = self.websocket
        if ws is not None:
            await ws.close()

    async def route_message(self, json_message: dict[str, Any]) -> str:
        if self.websocket is None:  # the socket went away while the frame waited; the gateway redelivers
            return ""
        return await super().route_message(json_message)

    async def _probe(self, ws: Any) -> bool:
        """A websocket ping: a live gateway answers with a pong even when it has nothing to send."""
        self.watchdog_probes += 1
        try:
            pong = await ws.ping()
            await asyncio.wait_for(pong, timeout=min(5.0, self.watchdog_s / 2))
            return True
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            return False

    async def _drop(self, ws: Any) -> None:
        """Abort a silent socket at once: a close handshake would wait for a peer that never answers."""
        self.watchdog_fired += 1
        ws.transport.abort()

    async def _pause(self, failures: int) -> None:
        delay = min(self.max_reconnect_delay_s, self.reconnect_delay_s * 2 ** max(0, failures - 1))
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=delay)
        except TimeoutError:
            pass

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._frames.add(task)
        task.add_done_callback(self._frames.discard)
