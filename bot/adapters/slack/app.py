"""The Bolt app: Slack interactions in, ``runtime.handle(message)`` in a worker thread, replies out.

Every listener acknowledges first (Bolt acks events itself; commands and buttons call ``ack()``
before any work) and answers afterwards on Bolt's listener pool, so Slack always gets its ack
well inside 3 seconds. Each delivery is claimed in the database before it is answered
(``dedupe``), which makes retries and double deliveries harmless across several bot processes.
Transports (``socket.py``, ``http.py``) only feed requests into ``SlackBot.app``.
"""

from __future__ import annotations

import logging
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.adapters.slack import dedupe
from bot.adapters.slack.credentials import SlackCredentials
from bot.adapters.slack.deliver import SlackDelivery
from bot.adapters.slack.events import (
    action_source,
    is_direct_channel,
    is_user_message,
    mentions,
    message_from_action,
    message_from_command,
    message_from_event,
)
from bot.adapters.slack.home import home_view
from bot.adapters.slack.identity import SlackDirectory
from bot.adapters.slack.live import LiveStream
from bot.adapters.slack.pages import PageStore
from bot.adapters.slack.rooms import register as register_rooms
from bot.adapters.slack.sender import Destination, SlackSender
from bot.conversation import Conversation
from bot.lang import detect_language, pick
from bot.messages import Message
from bot.render.slack import MORE_ACTION_ID
from bot.streaming import stream_to

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("dealpilot.slack")

DEFAULT_WORKERS = 16
RATE_LIMIT_RETRIES = 3

SUGGESTED_PROMPTS = (
    {"title": "ACME 最近怎么样？", "message": "ACME 最近怎么样？"},
    {"title": "How is Globex doing?", "message": "How is Globex doing?"},
    {"title": "5G专网项目还有什么风险？", "message": "5G专网项目还有什么风险？"},
    {"title": "Practise a price objection", "message": "I want to practise handling a price objection"},
)


def build_web_client(token: str, *, api_url: str | None) -> WebClient:
    """A ``WebClient`` for ``token`` aimed at ``api_url`` (a local peer in tests), retrying 429s."""
    kwargs: dict[str, Any] = {"token": token, "timeout": 15}
    if api_url:
        kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
    client = WebClient(**kwargs)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


class SlackBot:
    """A runtime exposed as a Slack app. Build once per process; serve it with ``socket`` or ``http``."""

    def __init__(
        self,
        runtime: "Runtime",
        credentials: SlackCredentials,
        *,
        workers: int = DEFAULT_WORKERS,
        verify_token: bool = True,
    ) -> None:
        self.runtime = runtime
        self.client = build_web_client(credentials.bot_token, api_url=credentials.api_url)
        self.directory = SlackDirectory(self.client)
        self.sender = SlackSender(self.client, PageStore(runtime.store))
        self.deliver = SlackDelivery(runtime, self.directory, self.sender)
        """The outbox sender (``bot.scheduler.start_background(runtime, bot.deliver)``)."""
        register_rooms(runtime, self.client)  # war rooms on Slack (the skill finds it in the runtime's registry)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dealpilot-slack")
        self.app = App(
            client=self.client,
            signing_secret=credentials.signing_secret or "",
            request_verification_enabled=credentials.signing_secret is not None,
            token_verification_enabled=verify_token,
            process_before_response=False,
            listener_executor=self.executor,
            logger=logging.getLogger("dealpilot.slack.bolt"),
        )
        self._register()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)

    # --- wiring ---------------------------------------------------------------------------------
    def _register(self) -> None:
        assistant = Assistant(logger=logging.getLogger("dealpilot.slack.assistant"))
        assistant.thread_started(self._on_assistant_started)
        assistant.user_message(self._on_assistant_message)
        self.app.assistant(assistant)
        self.app.event("app_mention")(self._on_message_event)
        self.app.event("message")(self._on_message_event)
        self.app.event("app_home_opened")(self._on_home)
        self.app.command(re.compile(r"^/[\w-]+$"))(self._on_command)
        self.app.action(re.compile(r".+"))(self._on_action)
        # Anything else we are subscribed to is acknowledged and ignored (an unhandled event
        # would get a 404, and Slack would retry it).
        self.app.event(re.compile(r".*"))(lambda: None)

    def known_commands(self) -> set[str]:
        return {c.lstrip("/").lower() for s in self.runtime.skills.values() for c in s.commands}

    # --- listeners (run on the worker pool, after the ack) ----------------------------------------
    def _on_message_event(self, body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if not is_user_message(event):
            return
        team = context.team_id or body.get("team_id") or ""
        message = message_from_event(event, team_id=team, bot_user_id=context.bot_user_id, event_id=body.get("event_id"))
        if event.get("type") == "message" and not is_direct_channel(event):
            addressed = mentions(event.get("text", ""), context.bot_user_id)
            if not addressed and not (event.get("thread_ts") and self._bot_in_thread(message)):
                return  # channel chatter that is not for us
        keys = dedupe.event_keys(team_id=team, event_id=body.get("event_id"), channel=event["channel"], ts=event.get("ts"))
        if not dedupe.claim(self.runtime.store, keys):
            return
        dest = Destination(channel=event["channel"], thread_ts=message.thread, user=message.user, team=team)
        self._answer(message, dest)

    def _on_assistant_started(self, say: Any, set_suggested_prompts: Any) -> None:
        say(
            "你好！我是 DealPilot，问我客户、商机，或者练习一次销售对话。\n"
            "Hi! I'm DealPilot: ask me about an account or a deal, or practise a sales conversation."
        )
        set_suggested_prompts(prompts=list(SUGGESTED_PROMPTS), title="Try / 试试")

    def _on_assistant_message(self, body: dict[str, Any], payload: dict[str, Any], set_status: Any, context: BoltContext) -> None:
        event = payload
        if not is_user_message(event):
            return
        team = context.team_id or body.get("team_id") or ""
        message = message_from_event(event, team_id=team, bot_user_id=context.bot_user_id, event_id=body.get("event_id"))
        keys = dedupe.event_keys(team_id=team, event_id=body.get("event_id"), channel=event["channel"], ts=event.get("ts"))
        if not dedupe.claim(self.runtime.store, keys):
            return
        language = detect_language(message.text, default=self.runtime.settings.default_language)

        def status(text: str) -> None:
            try:
                set_status(status=text)
            except Exception:  # the status is a nicety; never let it stop the answer
                log.warning("assistant.threads.setStatus failed", exc_info=True)

        status(pick(language, "正在思考…", "is thinking…"))
        dest = Destination(channel=event["channel"], thread_ts=event.get("thread_ts"), user=message.user, team=team, assistant=True)
        self._answer(message, dest, status=status)

    def _on_command(self, ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        team = context.team_id or str(body.get("team_id", ""))
        message = message_from_command(body, known_commands=self.known_commands())
        trigger = body.get("trigger_id")
        if trigger and not dedupe.claim(self.runtime.store, [f"slack:{team}:command:{trigger}"]):
            return
        dest = Destination(
            channel=body.get("channel_id"), thread_ts=None, user=message.user, team=team, response_url=body.get("response_url")
        )
        self._answer(message, dest)

    def _on_action(self, ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        if body.get("type") != "block_actions" or not body.get("actions"):
            return
        team = context.team_id or str((body.get("team") or {}).get("id", ""))
        message = message_from_action(body)
        action = body["actions"][0]
        key = f"slack:{team}:action:{message.user}:{action.get('action_ts') or body.get('trigger_id')}"
        if not dedupe.claim(self.runtime.store, [key]):
            return
        channel, thread_ts, _ = action_source(body)
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        dest = Destination(
            channel=channel,
            thread_ts=None if ephemeral else thread_ts,
            user=message.user,
            team=team,
            response_url=body.get("response_url") if ephemeral else None,
        )
        if message.action is not None and message.action.action_id == MORE_ACTION_ID:
            self._show_more(message, dest)
            return
        self._answer(message, dest)

    def _on_home(self, event: dict[str, Any], context: BoltContext, body: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        user = str(event.get("user", ""))
        team = context.team_id or body.get("team_id") or ""
        message = Message(platform="slack", workspace=team, channel=f"home:{user}", user=user, is_direct=True)
        try:
            self._fill_identity(message)
            self.client.views_publish(user_id=user, view=home_view(self.runtime, message))
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("app home failed ref=%s user=%s", ref, user)

    # --- answering ----------------------------------------------------------------------------------
    def _answer(self, message: Message, dest: Destination, *, status: Callable[[str], None] | None = None) -> None:
        """Identity, routing, delivery; any failure of ours becomes "something went wrong (ref …)"."""
        try:
            self._fill_identity(message)
            live = LiveStream(self.client, dest) if dest.channel and dest.thread_ts else None
            with stream_to(on_delta=live.delta if live else None, on_status=status):
                reply = self.runtime.handle(message)
            if live is None or not live.finish(reply, self.sender):
                self.sender.send(reply, dest)
        except Exception:
            self._apologise(message, dest)

    def _show_more(self, message: Message, dest: Destination) -> None:
        try:
            page = self.sender.pages.take(message.action.value if message.action else "")
            if page is None:
                language = self.runtime.settings.default_language
                self.sender.send_text(pick(language, "这部分内容已经显示过或已过期。", "That page was already shown or has expired."), dest)
                return
            self.sender.send_page(page, dest)
        except Exception:
            self._apologise(message, dest)

    def _fill_identity(self, message: Message) -> None:
        email = self.directory.email(message.user, team_id=message.workspace)
        if email:
            message.raw["user_email"] = email

    def _apologise(self, message: Message, dest: Destination) -> None:
        ref = uuid.uuid4().hex[:8]
        log.exception("slack handler failed ref=%s channel=%s user=%s", ref, message.channel, message.user)
        text = message.args if message.command else message.text
        language = detect_language(text or "", default=self.runtime.settings.default_language)
        notice = pick(language, f"出了点问题（参考号 {ref}），请稍后再试。", f"Something went wrong (ref {ref}). Please try again.")
        try:
            self.sender.send_text(notice, dest)
        except Exception:
            log.exception("could not deliver the error notice ref=%s", ref)

    def _bot_in_thread(self, message: Message) -> bool:
        """Whether DealPilot already talks in this thread (so a reply without a mention is for it)."""
        return Conversation(self.runtime.store, message.conversation_key).load() is not None
