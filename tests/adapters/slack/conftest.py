"""Slack fixtures: the local Slack peer, a SlackBot on the demo runtime, and both transports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from peers.slack_peer import APP_TOKEN, SlackPeer
from slack_support import BOB, LINA, STRANGER, SlackHttp, credentials

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.http import BackgroundServer, build_asgi_app
from bot.adapters.slack.socket import socket_mode_handler
from bot.runtime import Runtime

@pytest.fixture
def slack_peer() -> Iterator[SlackPeer]:
    with SlackPeer() as peer:
        peer.add_user(LINA, email="li.na@northstar.example", name="李娜")
        peer.add_user(BOB, email="Bob.Smith@northstar.example", name="Bob Smith")
        peer.add_user(STRANGER, email="someone@elsewhere.example", name="Stranger")
        yield peer


@pytest.fixture
def slack_bot(runtime: Runtime, slack_peer: SlackPeer) -> Iterator[SlackBot]:
    bot = SlackBot(runtime, credentials(slack_peer))
    yield bot
    bot.close()


@pytest.fixture
def slack_http(slack_bot: SlackBot) -> Iterator[SlackHttp]:
    server = BackgroundServer(build_asgi_app(slack_bot)).start()
    client = SlackHttp(server.url)
    yield client
    client.client.close()
    server.stop()


@pytest.fixture
def slack_socket(slack_bot: SlackBot, slack_peer: SlackPeer) -> Iterator[Any]:
    handler = socket_mode_handler(slack_bot, app_token=APP_TOKEN)
    handler.connect()
    slack_peer.wait_connected(1)
    yield handler
    # The built-in client blocks up to 3 s in recv() while closing; closing the server side first
    # (with reconnection off) lets it finish at once.
    handler.client.default_auto_reconnect_enabled = handler.client.auto_reconnect_enabled = False
    slack_peer.drop(all_sessions=True)
    handler.close()


# --- payload builders ---------------------------------------------------------------------------------
