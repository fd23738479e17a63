"""Live streaming: the LLM agent's answer appears in Slack while it is being written.

``bot.streaming.stream_to`` hands us each piece the agent writes; the first piece starts a
``chat.startStream`` message in the thread, later ones go through ``chat.appendStream`` (buffered
by slack_sdk's ``ChatStream``), and ``chat.stopStream`` closes it with the reply's buttons. The
offline engine never streams, so ``finish`` returns False and the sender posts the reply normally.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from bot.adapters.slack.sender import STREAM_BUFFER_CHARS, Destination, SlackSender
from bot.messages import Reply
from bot.render.slack import actions_only

log = logging.getLogger("dealpilot.slack.live")


class LiveStream:
    """One streamed answer in one thread; safe to feed from the worker thread that answers."""

    def __init__(self, client: WebClient, dest: Destination) -> None:
        assert dest.channel and dest.thread_ts, "streaming needs a thread"
        self.client = client
        self.dest = dest
        self._streamer: ChatStream | None = None
        self.failed = False
        self.streamed = ""

    def delta(self, text: str) -> None:
        if self.failed or not text:
            return
        try:
            if self._streamer is None:
                self._streamer = self.client.chat_stream(
                    channel=self.dest.channel,  # type: ignore[arg-type]
                    thread_ts=self.dest.thread_ts,  # type: ignore[arg-type]
                    recipient_team_id=self.dest.team or None,
                    recipient_user_id=self.dest.user,
                    buffer_size=STREAM_BUFFER_CHARS,
                )
            self._streamer.append(markdown_text=text)
            self.streamed += text
        except SlackApiError as exc:
            self.failed = True
            log.warning("live streaming refused (%s); the answer will be posted at the end", exc.response.get("error"))

    def finish(self, reply: Reply, sender: SlackSender) -> bool:
        """Close the stream with ``reply``'s buttons. False when nothing was streamed (post normally)."""
        if self._streamer is None:
            return False
        tail = f"\n\n{reply.text}" if reply.skill == "error" else None
        try:
            if self.failed:
                raise SlackApiError("stream failed earlier", {"ok": False, "error": "stream_failed"})  # type: ignore[arg-type]
            self._streamer.stop(markdown_text=tail, blocks=actions_only(reply) or None)
            return True
        except SlackApiError:
            if self._streamer.ts and self.dest.channel:
                sender.update(reply, self.dest.channel, self._streamer.ts)
                return True
            return False
