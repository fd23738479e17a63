"""Reply -> DingTalk: markdown through the session webhook while it is valid, else the robot OpenAPI;
long answers streamed into an AI card; buttons as an interactive card.

Why this order: the session webhook needs no token and is the fastest path, but it expires
(``sessionWebhookExpiredTime``) and does not exist for card callbacks; the OpenAPI robot send
always works with an access token. Group answers mention the asker (``atUserIds``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.adapters.dingtalk.api import DingTalkApiError, OpenApi
from bot.adapters.dingtalk.cards import CardClient, LiveCard
from bot.adapters.dingtalk.events import DIRECT, GROUP, ReplyContext
from bot.lang import pick
from bot.messages import Reply
from bot.render.dingtalk import (
    MAX_PARAM_BYTES,
    card_buttons,
    json_size,
    split_markdown,
    title_of,
    to_markdown,
)

log = logging.getLogger("dealpilot.dingtalk.sender")

DEFAULT_STREAM_THRESHOLD_BYTES = 6_000
"""Answers longer than this (JSON-encoded UTF-8) are streamed into an AI card."""

_RESERVE_BYTES = 256  # title, mention and JSON around the text inside msgParam


def card_id(key: str, suffix: str) -> str:
    """A deterministic ``outTrackId``: a retried delivery of the same event reuses the same card."""
    return "dp" + hashlib.sha256(f"{key}|{suffix}".encode()).hexdigest()[:30]


@dataclass
class Delivery:
    """How a reply went out (for logs, tests and the bench)."""

    routes: list[str] = field(default_factory=list)
    parts: int = 0
    card: str | None = None


class DingTalkSender:
    """Sends one ``Reply`` to the conversation described by a ``ReplyContext``.

    Args:
        api: the OpenAPI client (token, retries).
        cards: the AI-card client.
        robot_code: the robot's code (the app's client id unless configured).
        stream_threshold_bytes: answers larger than this are streamed through an AI card.
        now_ms: wall-clock milliseconds, compared with ``sessionWebhookExpiredTime``.
    """

    def __init__(
        self,
        api: OpenApi,
        cards: CardClient,
        *,
        robot_code: str,
        stream_threshold_bytes: int = DEFAULT_STREAM_THRESHOLD_BYTES,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self.api = api
        self.cards = cards
        self.robot_code = robot_code
        self.stream_threshold_bytes = stream_threshold_bytes
        self._now_ms = now_ms

    def live_card(self, ctx: ReplyContext, *, key: str, title: str = "DealPilot") -> LiveCard:
        """A card the answer can stream into while it is written (opened on the first delta)."""
        return LiveCard(self.cards, ctx, out_track_id=card_id(key, "live"), title=title, mention=ctx.is_group)

    def send(self, reply: Reply, ctx: ReplyContext, *, key: str, live: LiveCard | None = None) -> Delivery:
        """Deliver ``reply``; when ``live`` already shows the answer streaming, finalize that card instead."""
        if live is not None and live.started and not live.broken:
            return self._finish_live(reply, live)
        if live is not None and live.started:
            live.fail()  # a half-written card stays visible; mark it failed and answer normally
        ctx = self._destination(reply, ctx)
        delivery = Delivery()
        markdown = to_markdown(reply)
        title = title_of(reply)
        mention = ctx.is_group and bool(ctx.sender_staff_id)  # a message the bot starts has nobody to @
        parts = split_markdown(
            markdown, limit_bytes=MAX_PARAM_BYTES - _RESERVE_BYTES, language=reply.language
        )
        delivery.parts = len(parts)
        buttons = card_buttons(
            reply.actions, extra={"cid": ctx.conversation_id, "ctype": ctx.conversation_type}
        )
        if json_size(markdown) > self.stream_threshold_bytes:
            out_track_id = card_id(key, "stream")
            try:
                self.cards.stream_answer(
                    ctx,
                    out_track_id=out_track_id,
                    title=title,
                    content=parts[0],
                    buttons=buttons or None,
                    mention=mention,
                )
                delivery.routes.append("ai_card")
                delivery.card = out_track_id
                rest = parts[1:]
            except DingTalkApiError as exc:
                log.warning("AI card failed (%s); sending markdown instead", exc)
                rest = parts
            for i, part in enumerate(rest):
                delivery.routes.append(
                    self._markdown(ctx, title, part, mention=mention and not delivery.card and i == 0)
                )
            return delivery
        for i, part in enumerate(parts):
            delivery.routes.append(self._markdown(ctx, title, part, mention=mention and i == 0))
        if buttons:
            out_track_id = card_id(key, "actions")
            try:
                self.cards.send_card(
                    ctx,
                    out_track_id=out_track_id,
                    title=title,
                    content=pick(reply.language, "可选操作：", "Actions:"),
                    buttons=buttons,
                    mention=False,
                )
                delivery.routes.append("card")
                delivery.card = out_track_id
            except DingTalkApiError as exc:
                log.warning("buttons card failed (%s); the answer was delivered without buttons", exc)
        return delivery

    def _finish_live(self, reply: Reply, live: LiveCard) -> Delivery:
        ctx = live.ctx
        markdown = to_markdown(reply)
        parts = split_markdown(
            markdown, limit_bytes=MAX_PARAM_BYTES - _RESERVE_BYTES, language=reply.language
        )
        buttons = card_buttons(
            reply.actions, extra={"cid": ctx.conversation_id, "ctype": ctx.conversation_type}
        )
        delivery = Delivery(parts=len(parts))
        title = title_of(reply)
        try:
            live.finish(content=parts[0], title=title, buttons=buttons or None)
            delivery.routes.append("live_card")
            delivery.card = live.out_track_id
            rest = parts[1:]
        except DingTalkApiError as exc:
            log.warning("live card could not be finalized (%s); sending markdown", exc)
            live.fail()
            rest = parts
        for i, part in enumerate(rest):
            delivery.routes.append(
                self._markdown(ctx, title, part, mention=ctx.is_group and not delivery.card and i == 0)
            )
        return delivery

    # --- routes ---------------------------------------------------------------------------------
    @staticmethod
    def _destination(reply: Reply, ctx: ReplyContext) -> ReplyContext:
        """DM/ephemeral answers go to the asker 1:1; an explicit other channel gets a group send."""
        if reply.target in ("dm", "ephemeral") and ctx.is_group:
            return ReplyContext(
                conversation_type=DIRECT,
                conversation_id=ctx.sender_staff_id,
                sender_staff_id=ctx.sender_staff_id,
                sender_nick=ctx.sender_nick,
            )
        if reply.channel and reply.channel != ctx.conversation_id:
            return ReplyContext(
                conversation_type=GROUP,
                conversation_id=reply.channel,
                sender_staff_id=ctx.sender_staff_id,
                sender_nick=ctx.sender_nick,
            )
        return ctx

    def _markdown(self, ctx: ReplyContext, title: str, text: str, *, mention: bool) -> str:
        if ctx.webhook_valid(self._now_ms()):
            body: dict[str, object] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
            if mention:
                body["markdown"] = {"title": title, "text": f"{text}\n\n@{ctx.sender_staff_id}"}
                body["at"] = {"atUserIds": [ctx.sender_staff_id], "isAtAll": False}
            try:
                self.api.post_webhook(ctx.session_webhook or "", body)
                return "webhook"
            except DingTalkApiError as exc:
                log.info("session webhook refused (%s); falling back to the OpenAPI", exc.code or exc.status)
        param = json.dumps({"title": title, "text": text}, ensure_ascii=False)
        if ctx.is_group:
            self.api.call(
                "POST",
                "/v1.0/robot/groupMessages/send",
                {
                    "robotCode": self.robot_code,
                    "openConversationId": ctx.conversation_id,
                    "msgKey": "sampleMarkdown",
                    "msgParam": param,
                },
            )
        else:
            self.api.call(
                "POST",
                "/v1.0/robot/oToMessages/batchSend",
                {
                    "robotCode": self.robot_code,
                    "userIds": [ctx.sender_staff_id],
                    "msgKey": "sampleMarkdown",
                    "msgParam": param,
                },
            )
        return "openapi"
