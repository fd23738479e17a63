"""``Reply`` -> Slack Web API calls: where to post (thread, channel, DM, ephemeral, response_url),
Block Kit pages, and streamed answers in Assistant threads.

The sender knows Slack's delivery mechanics and nothing about skills; what a reply contains was
decided by the skill, how it looks by ``bot.render.slack``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.adapters.slack.pages import PageStore
from bot.lang import Language
from bot.messages import Image, Reply
from bot.render.slack import (
    MAX_BLOCKS,
    SlackMessage,
    actions_only,
    fallback_text,
    paginate,
    render_reply,
    to_markdown,
)

log = logging.getLogger("dealpilot.slack.sender")

STREAM_PIECE_CHARS = 600
"""Markdown is appended paragraph by paragraph in pieces up to this size (the API takes 12,000)."""
STREAM_BUFFER_CHARS = 256

UNLIMITED = 10**9
_SLACK_TS = re.compile(r"^\d{9,}\.\d{1,6}$")


@dataclass(frozen=True)
class Destination:
    """Where the answer to one inbound Slack interaction goes.

    Attributes:
        channel: the conversation id (None for App Home buttons: the answer goes to the DM).
        thread_ts: reply in this thread (None: top level, e.g. a DM).
        user: who asked (ephemeral messages, DMs, stream recipient).
        team: the workspace (stream recipient).
        response_url: slash commands and buttons answer through it when set.
        assistant: an Assistant thread: the answer is streamed.
        in_channel: a ``response_url`` answer is visible to the channel (else only to the user).
    """

    channel: str | None
    thread_ts: str | None
    user: str
    team: str
    response_url: str | None = None
    assistant: bool = False
    in_channel: bool = False


class SlackSender:
    """Post replies for one workspace's bot token."""

    def __init__(self, client: WebClient, pages: PageStore) -> None:
        self.client = client
        self.pages = pages

    # --- entry points ---------------------------------------------------------------------------
    def send(self, reply: Reply, dest: Destination) -> str | None:
        """Deliver ``reply``; returns the posted message's ``ts`` when Slack gives one."""
        if reply.update_ref and _SLACK_TS.match(reply.update_ref) and dest.channel:
            return self.update(reply, dest.channel, reply.update_ref)
        if dest.assistant and reply.target == "thread" and dest.channel and dest.thread_ts:
            return self.stream(reply, dest)
        message = self._render(reply)
        if reply.target == "ephemeral" or (dest.response_url and reply.target == "thread" and not dest.thread_ts):
            return self._respond(message, dest, in_channel=dest.in_channel and reply.target != "ephemeral")
        if reply.target == "dm" or dest.channel is None:
            channel, thread_ts = self._dm_channel(dest.user), None
        elif reply.target == "channel":
            channel, thread_ts = reply.channel or dest.channel, None
        else:
            channel, thread_ts = dest.channel, dest.thread_ts
        ts = self._post(message, channel=channel, thread_ts=thread_ts)
        self._upload_images(reply, channel=channel, thread_ts=thread_ts or ts)
        return ts

    def post(self, reply: Reply, *, channel: str, thread_ts: str | None = None) -> str | None:
        """Post ``reply`` to a known conversation (proactive messages: alerts, digests)."""
        ts = self._post(self._render(reply), channel=channel, thread_ts=thread_ts)
        self._upload_images(reply, channel=channel, thread_ts=thread_ts or ts)
        return ts

    def _upload_images(self, reply: Reply, *, channel: str, thread_ts: str | None) -> None:
        """Share the reply's local pictures (charts, Gantt) under the message; Block Kit only takes URLs.

        The message already carries each picture's text description, so a refused upload (no
        ``files:write`` scope) loses nothing but the picture.
        """
        for block in reply.blocks:
            if not isinstance(block, Image) or block.path.startswith(("http://", "https://")):
                continue
            path = Path(block.path)
            if not path.is_file():
                continue
            try:
                self.client.files_upload_v2(channel=channel, file=str(path), filename=path.name,
                                            title=block.alt[:250] or path.stem, thread_ts=thread_ts)
            except SlackApiError as exc:
                log.warning("image upload refused (%s); the text description stays", exc.response.get("error"))

    def open_dm(self, user: str) -> str:
        """The DM channel with a Slack user (``conversations.open``)."""
        return self._dm_channel(user)

    def send_page(self, page: dict[str, Any], dest: Destination) -> str | None:
        """Post the next page of a long reply (after "show more")."""
        message = self._page(list(page["blocks"]), text=str(page.get("text") or "…"), language=page.get("language", "en"))
        if dest.channel is None:
            return self._post(message, channel=self._dm_channel(dest.user), thread_ts=None)
        if dest.response_url and not dest.in_channel:
            return self._respond(message, dest, in_channel=False)
        return self._post(message, channel=dest.channel, thread_ts=dest.thread_ts)

    def stream(self, reply: Reply, dest: Destination) -> str | None:
        """Stream the answer as markdown (``chat.startStream``/``appendStream``/``stopStream``),
        buttons attached at the end; falls back to one Block Kit message if streaming is refused."""
        assert dest.channel and dest.thread_ts
        streamer = self.client.chat_stream(
            channel=dest.channel,
            thread_ts=dest.thread_ts,
            recipient_team_id=dest.team or None,
            recipient_user_id=dest.user,
            buffer_size=STREAM_BUFFER_CHARS,
        )
        try:
            for piece in stream_pieces(to_markdown(reply)):
                streamer.append(markdown_text=piece)
            actions = actions_only(reply)
            streamer.stop(blocks=actions or None)
            return streamer.ts
        except SlackApiError as exc:
            log.warning("streaming refused (%s); posting the answer as one message", exc.response.get("error"))
            message = self._render(reply)
            if streamer.ts:
                return self._update_rendered(message, dest.channel, streamer.ts)
            return self._post(message, channel=dest.channel, thread_ts=dest.thread_ts)

    def send_text(self, text: str, dest: Destination) -> None:
        """A one-line notice (errors): in the thread, or through the response_url for commands."""
        message = SlackMessage(text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
        if dest.response_url and not dest.thread_ts:
            self._respond(message, dest, in_channel=False)
        elif dest.channel is None:
            self._post(message, channel=self._dm_channel(dest.user), thread_ts=None)
        else:
            self._post(message, channel=dest.channel, thread_ts=dest.thread_ts)

    # --- mechanics -------------------------------------------------------------------------------
    def _render(self, reply: Reply) -> SlackMessage:
        blocks = render_reply(reply, limit=UNLIMITED).blocks
        return self._page(blocks, text=fallback_text(reply), language=reply.language)

    def _page(self, blocks: list[dict[str, Any]], *, text: str, language: Language) -> SlackMessage:
        """At most 50 blocks; the rest is parked in the store behind a "show more" button."""
        if len(blocks) <= MAX_BLOCKS:
            return SlackMessage(text=text, blocks=blocks)
        first, rest = paginate(blocks, language=language, more_value="-")
        token = self.pages.put(rest, language=language, text=text)
        first, _ = paginate(blocks, language=language, more_value=token)
        return SlackMessage(text=text, blocks=first)

    def _post(self, message: SlackMessage, *, channel: str, thread_ts: str | None) -> str | None:
        kwargs: dict[str, Any] = {"channel": channel, "text": message.text, "blocks": message.blocks}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        response = self.client.chat_postMessage(**kwargs)
        return response.get("ts")

    def update(self, reply: Reply, channel: str, ts: str) -> str | None:
        return self._update_rendered(self._render(reply), channel, ts)

    def _update_rendered(self, message: SlackMessage, channel: str, ts: str) -> str | None:
        self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        return ts

    def _respond(self, message: SlackMessage, dest: Destination, *, in_channel: bool) -> str | None:
        if not dest.response_url:
            if dest.channel is None:
                return self._post(message, channel=self._dm_channel(dest.user), thread_ts=None)
            self.client.chat_postEphemeral(channel=dest.channel, user=dest.user, text=message.text, blocks=message.blocks)
            return None
        response = WebhookClient(dest.response_url, timeout=10).send(
            text=message.text,
            blocks=message.blocks,
            response_type="in_channel" if in_channel else "ephemeral",
            replace_original=False,
        )
        if response.status_code >= 300:
            raise SlackApiError(f"response_url answered {response.status_code}", response.body)  # type: ignore[arg-type]
        return None

    def _dm_channel(self, user: str) -> str:
        response = self.client.conversations_open(users=user)
        return str(response["channel"]["id"])


def stream_pieces(markdown: str, *, size: int = STREAM_PIECE_CHARS) -> list[str]:
    """Split markdown into paragraph-aligned pieces of at most ``size`` characters (keeps separators)."""
    pieces: list[str] = []
    current = ""
    for paragraph in markdown.split("\n\n"):
        chunk = paragraph + "\n\n"
        while len(chunk) > size:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(chunk[:size])
            chunk = chunk[size:]
        if len(current) + len(chunk) > size and current:
            pieces.append(current)
            current = ""
        current += chunk
    if current.strip():
        pieces.append(current.rstrip("\n"))
    return [p for p in pieces if p]
