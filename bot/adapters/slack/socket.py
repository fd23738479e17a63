"""Socket Mode: a websocket from the bot to Slack, for teams without a public URL.

Uses Bolt's built-in ``SocketModeHandler`` (no extra dependency). ``apps.connections.open`` goes
through the bot's ``WebClient``, so ``DEALPILOT_SLACK_API_URL`` redirects it too; the client acks
each envelope as soon as Bolt has acknowledged it and reconnects on ``disconnect``.
"""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.adapters.slack.app import SlackBot

CONCURRENCY = 10


def socket_mode_handler(bot: SlackBot, *, app_token: str, ping_interval: float = 10.0) -> SocketModeHandler:
    """A handler ready to ``connect()`` (background) or ``start()`` (blocks the calling thread)."""
    return SocketModeHandler(
        bot.app,
        app_token=app_token,
        web_client=bot.client,
        concurrency=CONCURRENCY,
        ping_interval=ping_interval,
    )
