"""SDK callback handlers: parse, schedule the work, and ack at once.

Why: the SDK sends the ack only after ``process`` returns, and DingTalk redelivers a message
whose ack is late. So ``process`` only parses and hands the work to the app (which runs it in a
worker thread); a payload we cannot use is acked with 400 and nothing else happens.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dingtalk_stream import AckMessage, CallbackHandler, CallbackMessage, ChatbotHandler

from bot.adapters.dingtalk.events import InvalidEvent, action_from_card_callback, message_from_callback

if TYPE_CHECKING:
    from bot.adapters.dingtalk.app import DingTalkApp

log = logging.getLogger("dealpilot.dingtalk.handlers")


class BotMessageHandler(ChatbotHandler):
    """Topic ``/v1.0/im/bot/messages/get``: group @ messages and 1:1 messages."""

    def __init__(self, app: DingTalkApp) -> None:
        super().__init__()
        self.app = app

    async def process(self, callback: CallbackMessage) -> tuple[int, Any]:
        try:
            inbound = message_from_callback(callback.data)
        except InvalidEvent as exc:
            log.warning("ignored bot message %s: %s", callback.headers.message_id, exc)
            return AckMessage.STATUS_BAD_REQUEST, str(exc)
        self.app.dispatch(inbound)
        return AckMessage.STATUS_OK, "OK"


class CardActionHandler(CallbackHandler):
    """Topic ``/v1.0/card/instances/callback``: a button on one of our cards was pressed."""

    def __init__(self, app: DingTalkApp) -> None:
        super().__init__()
        self.app = app

    async def process(self, callback: CallbackMessage) -> tuple[int, Any]:
        try:
            inbound = action_from_card_callback(
                callback.data, frame_id=str(callback.headers.message_id or "")
            )
        except InvalidEvent as exc:
            log.warning("ignored card callback %s: %s", callback.headers.message_id, exc)
            return AckMessage.STATUS_BAD_REQUEST, str(exc)
        self.app.dispatch(inbound)
        return AckMessage.STATUS_OK, {}
