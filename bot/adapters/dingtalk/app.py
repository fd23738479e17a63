"""The DingTalk bot: the stream client, the handlers, and the worker that answers.

Flow: the SDK receives a CALLBACK frame -> a handler parses it and calls ``dispatch`` -> the ack
goes out -> in a worker thread the event id is claimed in the database (duplicates stop here),
``runtime.handle`` answers, and the sender posts the reply. Nothing blocking runs on the event
loop, so pings and acks of other messages are never delayed by a slow answer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
import uuid
from typing import Any

import httpx
from dingtalk_stream import Card_Callback_Router_Topic, ChatbotMessage, Credential

from bot.adapters.dingtalk.api import DEFAULT_API_URL, OpenApi, RetryPolicy
from bot.adapters.dingtalk.cards import CardClient
from bot.adapters.dingtalk.client import StreamClient, point_sdk_at
from bot.adapters.dingtalk.contacts import ContactDirectory
from bot.adapters.dingtalk.deliver import DingTalkDelivery
from bot.adapters.dingtalk.events import Inbound
from bot.adapters.dingtalk.handlers import BotMessageHandler, CardActionHandler
from bot.adapters.dingtalk.rooms import register as register_rooms
from bot.adapters.dingtalk.sender import DEFAULT_STREAM_THRESHOLD_BYTES, Delivery, DingTalkSender
from bot.config import Settings
from bot.identity import resolve_viewer
from bot.messages import Message
from bot.runtime import Runtime
from bot.streaming import stream_to

log = logging.getLogger("dealpilot.dingtalk")

DEFAULT_WATCHDOG_S = 90.0


class DingTalkConfigError(ValueError):
    """Settings needed to start the bot are missing; the message names them."""


def check_settings(settings: Settings) -> None:
    """Raise ``DingTalkConfigError`` naming every missing ``DEALPILOT_DINGTALK_*`` setting."""
    missing = []
    if not settings.dingtalk_client_id:
        missing.append("DEALPILOT_DINGTALK_CLIENT_ID")
    if settings.dingtalk_client_secret is None or not settings.dingtalk_client_secret.get_secret_value():
        missing.append("DEALPILOT_DINGTALK_CLIENT_SECRET")
    if missing:
        raise DingTalkConfigError(
            "DingTalk is not configured: set "
            + " and ".join(missing)
            + " (the app's Client ID / Client Secret from the DingTalk developer console;"
            + " see docs/dingtalk.md)."
        )


class DingTalkApp:
    """One Stream-mode bot process.

    Args:
        runtime: answers messages (``runtime.handle``) and owns the store used for de-duplication.
        settings: defaults to ``runtime.settings``; needs the client id and secret.
        watchdog_s: reconnect after this long without a ping or message.
        reconnect_delay_s: first wait after a failed connection (doubles, up to 30 s).
        stream_threshold_bytes: longer answers are streamed into an AI card.
        retry: backoff for throttled OpenAPI / webhook calls.
        contact_lookup: ask the contact API for the email of senders the chat-identity table lacks.
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        settings: Settings | None = None,
        watchdog_s: float = DEFAULT_WATCHDOG_S,
        reconnect_delay_s: float = 1.0,
        stream_threshold_bytes: int = DEFAULT_STREAM_THRESHOLD_BYTES,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        contact_lookup: bool = True,
    ) -> None:
        settings = settings or runtime.settings
        check_settings(settings)
        assert settings.dingtalk_client_id and settings.dingtalk_client_secret  # for the type checker
        self.runtime = runtime
        api_url = settings.dingtalk_api_url or DEFAULT_API_URL
        point_sdk_at(api_url)
        secret = settings.dingtalk_client_secret.get_secret_value()
        robot_code = settings.dingtalk_robot_code or settings.dingtalk_client_id
        self.api = OpenApi(
            base_url=api_url,
            client_id=settings.dingtalk_client_id,
            client_secret=secret,
            http=http,
            retry=retry,
        )
        self.sender = DingTalkSender(
            self.api,
            CardClient(self.api, robot_code=robot_code),
            robot_code=robot_code,
            stream_threshold_bytes=stream_threshold_bytes,
        )
        self.deliver = DingTalkDelivery(runtime, self.sender)
        """The outbox sender (``bot.scheduler.start_background(runtime, app.deliver)``)."""
        register_rooms(self.runtime, self.api, robot_code=robot_code, settings=settings)  # war rooms on DingTalk
        self.client = StreamClient(
            Credential(settings.dingtalk_client_id, secret),
            watchdog_s=watchdog_s,
            reconnect_delay_s=reconnect_delay_s,
        )
        self.client.register_callback_handler(ChatbotMessage.TOPIC, BotMessageHandler(self))
        self.client.register_callback_handler(Card_Callback_Router_Topic, CardActionHandler(self))
        self._work: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.delivered: list[
            tuple[str, Delivery]
        ] = []  # (event key, how), newest last; for tests and the bench
        self.duplicates = 0
        self.contacts = ContactDirectory(self.api) if contact_lookup else None

    # --- answering ------------------------------------------------------------------------------
    def dispatch(self, inbound: Inbound) -> None:
        """Schedule the answer to ``inbound`` and return at once (called from the SDK handler)."""
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self.answer, inbound))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    def answer(self, inbound: Inbound) -> Delivery | None:
        """Claim the event, answer it and send the reply (blocking; runs in a worker thread).

        Returns ``None`` for a duplicate. Never raises: a failure is logged with a reference id.
        """
        try:
            if not self.runtime.store.claim_event(inbound.event_key):
                self.duplicates += 1
                log.info("duplicate %s ignored", inbound.event_key)
                return None
            started = time.perf_counter()
            live = self.sender.live_card(inbound.context, key=inbound.event_key)
            message = self._identify(inbound.message)
            with stream_to(on_delta=live.delta):  # the LLM engine streams into an AI card as it writes
                reply = self.runtime.handle(message)
            delivery = self.sender.send(reply, inbound.context, key=inbound.event_key, live=live)
            self.delivered.append((inbound.event_key, delivery))
            log.info(
                "answered %s via %s in %.0f ms (skill=%s)",
                inbound.event_key,
                "+".join(delivery.routes),
                (time.perf_counter() - started) * 1000,
                reply.skill,
            )
            return delivery
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("dingtalk answer failed ref=%s event=%s", ref, inbound.event_key)
            return None

    def _identify(self, message: Message) -> Message:
        """Add the sender's work email when the chat-identity table does not know them (``contacts.py``)."""
        if self.contacts is None or resolve_viewer(self.runtime.crm, message) is not None:
            return message
        email = self.contacts.email(message.user)
        if email is None:
            return message
        return message.model_copy(update={"raw": {**message.raw, "user_email": email}})

    # --- running --------------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect and serve until ``stop``, then finish the answers in flight."""
        self._loop = asyncio.get_running_loop()
        await self.client.start()
        if self._work:
            await asyncio.gather(*self._work, return_exceptions=True)

    async def stop(self) -> None:
        """Ask ``run`` to return: no more reconnects, the socket is closed."""
        await self.client.stop()

    def run_forever(self) -> None:
        """Block until Ctrl-C (``dealpilot dingtalk``)."""
        try:
            asyncio.run(self.run())
        except KeyboardInterrupt:
            log.info("dingtalk bot stopped")
        finally:
            self.api.close()

    def start_in_thread(self, *, connect_timeout_s: float = 10.0) -> DingTalkApp:
        """Run the bot on its own event loop in a daemon thread; returns once it is connected."""
        ready = threading.Event()

        def _main() -> None:
            async def _serve() -> None:
                self._loop = asyncio.get_running_loop()
                ready.set()
                await self.run()

            asyncio.run(_serve())

        self._thread = threading.Thread(target=_main, name="dingtalk-bot", daemon=True)
        self._thread.start()
        ready.wait(connect_timeout_s)
        if not self.wait_connected(connect_timeout_s):
            self.stop_thread()
            raise TimeoutError("the DingTalk stream did not connect")
        return self

    def wait_connected(self, timeout_s: float, *, connections: int = 1) -> bool:
        """Wait until at least ``connections`` connections were made and one is open now."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.client.connections >= connections and self.client.connected.is_set():
                return True
            time.sleep(0.01)
        return False

    def stop_thread(self, timeout_s: float = 10.0) -> None:
        """Stop a bot started with ``start_in_thread`` and wait for its thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self.stop(), self._loop)
            try:
                future.result(timeout_s)
            except concurrent.futures.CancelledError:
                pass  # ``run`` finished first and its loop cancelled the rest: stopped all the same
            self._thread.join(timeout_s)
        self.api.close()
