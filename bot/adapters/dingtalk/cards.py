"""AI cards through the card OpenAPI: create -> deliver -> streaming updates -> finalize.

Why: a long answer should appear at once and grow, not arrive after a silent wait, and buttons
need an interactive card (markdown messages cannot call back). The same AI card template
carries both: streamed ``msgContent`` and ``msgButtons`` whose presses come back on the stream.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot.adapters.dingtalk.api import DingTalkApiError, OpenApi
from bot.adapters.dingtalk.events import ReplyContext
from bot.render.dingtalk import AICardStatus, ai_card_data

log = logging.getLogger("dealpilot.dingtalk.cards")

AI_CARD_TEMPLATE_ID = "382e4302-551d-4880-bf29-a30acfab2e71.schema"
"""DingTalk's public AI markdown card template (the one the SDK's ``AIMarkdownCardInstance`` uses)."""

CONTENT_KEY = "msgContent"
DEFAULT_MAX_UPDATES = 8


def stream_steps(content: str, max_updates: int = DEFAULT_MAX_UPDATES) -> list[str]:
    """Growing prefixes of ``content`` cut at paragraph ends, at most ``max_updates`` of them.

    Every step is the full text so far (``isFull``), so a lost update is healed by the next.
    """
    paragraphs = [p for p in content.split("\n\n")]
    if len(paragraphs) <= 1 or max_updates <= 1:
        return [content]
    per_step = -(-len(paragraphs) // max_updates)  # ceil
    steps = ["\n\n".join(paragraphs[: i + per_step]) for i in range(0, len(paragraphs), per_step)]
    steps[-1] = content
    return steps


class CardClient:
    """Creates, delivers, streams and finalizes AI cards for one robot."""

    def __init__(
        self,
        api: OpenApi,
        *,
        robot_code: str,
        template_id: str = AI_CARD_TEMPLATE_ID,
        max_updates: int = DEFAULT_MAX_UPDATES,
    ) -> None:
        self.api = api
        self.robot_code = robot_code
        self.template_id = template_id
        self.max_updates = max_updates

    # --- the four calls -------------------------------------------------------------------------
    def create(self, out_track_id: str, data: dict[str, str]) -> None:
        self.api.call(
            "POST",
            "/v1.0/card/instances",
            {
                "cardTemplateId": self.template_id,
                "outTrackId": out_track_id,
                "cardData": {"cardParamMap": data},
                "callbackType": "STREAM",
                "imGroupOpenSpaceModel": {"supportForward": True},
                "imRobotOpenSpaceModel": {"supportForward": True},
            },
        )

    def deliver(self, out_track_id: str, ctx: ReplyContext, *, mention: bool) -> None:
        body: dict[str, Any] = {"outTrackId": out_track_id, "userIdType": 1}
        if ctx.is_group:
            body["openSpaceId"] = f"dtv1.card//IM_GROUP.{ctx.conversation_id}"
            model: dict[str, Any] = {"robotCode": self.robot_code}
            if mention:
                model["atUserIds"] = {ctx.sender_staff_id: ctx.sender_nick or ctx.sender_staff_id}
            body["imGroupOpenDeliverModel"] = model
        else:
            body["openSpaceId"] = f"dtv1.card//IM_ROBOT.{ctx.sender_staff_id}"
            body["imRobotOpenDeliverModel"] = {"spaceType": "IM_ROBOT", "robotCode": self.robot_code}
        self.api.call("POST", "/v1.0/card/instances/deliver", body)

    def update(self, out_track_id: str, data: dict[str, str]) -> None:
        self.api.call(
            "PUT", "/v1.0/card/instances", {"outTrackId": out_track_id, "cardData": {"cardParamMap": data}}
        )

    def stream(self, out_track_id: str, content: str, *, finalize: bool, error: bool = False) -> None:
        self.api.call(
            "PUT",
            "/v1.0/card/streaming",
            {
                "outTrackId": out_track_id,
                "guid": uuid.uuid4().hex,
                "key": CONTENT_KEY,
                "content": content,
                "isFull": True,
                "isFinalize": finalize,
                "isError": error,
            },
        )

    # --- whole flows ----------------------------------------------------------------------------
    def send_card(
        self,
        ctx: ReplyContext,
        *,
        out_track_id: str,
        title: str,
        content: str,
        buttons: list[dict[str, Any]] | None,
        mention: bool,
    ) -> None:
        """A finished (non-streamed) card, e.g. the buttons under an answer."""
        self.create(
            out_track_id,
            ai_card_data(content=content, title=title, status=AICardStatus.FINISHED, buttons=buttons),
        )
        self.deliver(out_track_id, ctx, mention=mention)

    def stream_answer(
        self,
        ctx: ReplyContext,
        *,
        out_track_id: str,
        title: str,
        content: str,
        buttons: list[dict[str, Any]] | None,
        mention: bool,
    ) -> int:
        """Stream ``content`` into a new card and finalize it; returns the number of streaming updates.

        On a failure after the card is visible, the card is marked failed (best effort) and the
        error re-raised so the sender can fall back to a plain message.
        """
        self.create(out_track_id, ai_card_data(content="", title=title, status=AICardStatus.PROCESSING))
        self.deliver(out_track_id, ctx, mention=mention)
        try:
            self.update(out_track_id, ai_card_data(content="", title=title, status=AICardStatus.INPUTING))
            steps = stream_steps(content, self.max_updates)
            for i, step in enumerate(steps):
                self.stream(out_track_id, step, finalize=i == len(steps) - 1)
            self.update(
                out_track_id,
                ai_card_data(content=content, title=title, status=AICardStatus.FINISHED, buttons=buttons),
            )
            return len(steps)
        except DingTalkApiError:
            try:
                self.update(out_track_id, ai_card_data(content="", title=title, status=AICardStatus.FAILED))
            except DingTalkApiError:
                log.warning("could not mark card %s failed", out_track_id)
            raise


class LiveCard:
    """An AI card fed while the answer is still being written (the LLM engine's deltas).

    Why: an LLM answer takes seconds; showing it as it is written is the point of AI cards. The
    card is created on the first delta only, so answers that do not stream (the offline engine,
    commands, buttons) never open one. Updates are throttled to one per ``min_interval_s``.
    A failing card API never breaks the answer: the card is abandoned and the sender falls back.
    """

    def __init__(
        self,
        cards: CardClient,
        ctx: ReplyContext,
        *,
        out_track_id: str,
        title: str,
        mention: bool,
        min_interval_s: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cards = cards
        self.ctx = ctx
        self.out_track_id = out_track_id
        self.title = title
        self.mention = mention
        self.min_interval_s = min_interval_s
        self._clock = clock
        self.text = ""
        self.started = False
        self.broken = False
        self.updates = 0
        self._last = 0.0

    def delta(self, piece: str) -> None:
        """Append ``piece`` and push the text so far (at most once per interval)."""
        if self.broken:
            return
        self.text += piece
        try:
            if not self.started:
                self.cards.create(
                    self.out_track_id,
                    ai_card_data(content="", title=self.title, status=AICardStatus.PROCESSING),
                )
                self.started = True
                self.cards.deliver(self.out_track_id, self.ctx, mention=self.mention)
                self.cards.update(
                    self.out_track_id,
                    ai_card_data(content="", title=self.title, status=AICardStatus.INPUTING),
                )
            if self._clock() - self._last >= self.min_interval_s:
                self.cards.stream(self.out_track_id, self.text, finalize=False)
                self.updates += 1
                self._last = self._clock()
        except DingTalkApiError as exc:
            log.warning("live card %s abandoned: %s", self.out_track_id, exc)
            self.broken = True

    def finish(self, *, content: str, title: str, buttons: list[dict[str, Any]] | None) -> None:
        """Replace the streamed text with the final rendered answer and finalize the card."""
        self.cards.stream(self.out_track_id, content, finalize=True)
        self.updates += 1
        self.cards.update(
            self.out_track_id,
            ai_card_data(content=content, title=title, status=AICardStatus.FINISHED, buttons=buttons),
        )

    def fail(self) -> None:
        try:
            self.cards.update(
                self.out_track_id,
                ai_card_data(content=self.text, title=self.title, status=AICardStatus.FAILED),
            )
        except DingTalkApiError:
            log.warning("could not mark card %s failed", self.out_track_id)
