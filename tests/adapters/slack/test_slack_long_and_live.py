"""Replies beyond one Slack message ("show more" pages) and answers streamed live while written.

Uses two small skills written for these tests (skills are plugins; these are real ones, not
mocks): one answers with 120 blocks, one writes its answer through ``bot.streaming`` like the
LLM agent does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_support import SALES, SlackHttp, block_action, credentials, event_callback, mention
from peers.slack_peer import BOT_USER_ID, TEAM_ID, SlackPeer

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.http import BackgroundServer, build_asgi_app
from bot.config import Settings
from bot.messages import Button, Buttons, Image, Reply, Section
from bot.render.slack import MORE_ACTION_ID
from bot.runtime import Runtime
from bot.skill import Skill
from bot.streaming import current_sink
from bot.turn import Turn
from skills.help import HelpSkill

LIVE_PIECES = ("Looking at ", "**ACME**", ": orders are down 55% ", "and Lingyun is circling.")


class LongSkill(Skill):
    name = "longlist"
    description_en = description_zh = "A very long list"
    examples = ("give me the very long list", "show the full inventory list")

    def handle(self, turn: Turn) -> Reply:
        return Reply(text="120 items", language=turn.language, skill=self.name,
                     blocks=[Section(text=f"item {i}") for i in range(120)])


class LiveSkill(Skill):
    name = "live"
    description_en = description_zh = "Answers while thinking"
    examples = ("think out loud about the account", "stream your thoughts")

    def handle(self, turn: Turn) -> Reply:
        sink = current_sink()
        for piece in LIVE_PIECES:
            if sink is not None:
                sink.delta(piece)
        return Reply(text="".join(LIVE_PIECES), language=turn.language, skill=self.name,
                     blocks=[Section(text="".join(LIVE_PIECES)),
                             Buttons(buttons=[Button(text="Log a touch", action_id="live:log", value="1")])])


GANTT = Path(__file__).resolve().parents[3] / "docs" / "images" / "warroom-gantt.png"


class ChartSkill(Skill):
    name = "chart"
    description_en = description_zh = "Draws a chart"
    examples = ("draw the delivery chart", "show me the timeline picture")

    def handle(self, turn: Turn) -> Reply:
        return Reply(text="Delivery timeline", language=turn.language, skill=self.name,
                     blocks=[Section(text="Delivery timeline"),
                             Image(path=str(GANTT), alt="Delivery milestones", fallback_text="12 sites, 1 late")])


@pytest.fixture
def plugin_http(settings: Settings, slack_peer: SlackPeer) -> Iterator[tuple[SlackHttp, SlackBot]]:
    runtime = Runtime(settings, skills=[LongSkill(), LiveSkill(), ChartSkill(), HelpSkill()])
    bot = SlackBot(runtime, credentials(slack_peer))
    server = BackgroundServer(build_asgi_app(bot)).start()
    yield SlackHttp(server.url), bot
    server.stop()
    bot.close()
    runtime.close()


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_a_reply_longer_than_50_blocks_pages_behind_show_more(plugin_http: tuple[SlackHttp, SlackBot], slack_peer: SlackPeer) -> None:
    http, _ = plugin_http
    root = mention("give me the very long list")
    http.event(event_callback(root))
    pages = [slack_peer.wait_for("chat.postMessage")[0]]
    while True:
        last = pages[-1]["blocks"][-1]
        if last["type"] != "actions" or last["elements"][0]["action_id"] != MORE_ACTION_ID:
            break
        assert len(pages[-1]["blocks"]) == 50
        token = last["elements"][0]["value"]
        http.action(block_action(MORE_ACTION_ID, token, message_ts=f"17000002{len(pages)}.000100", thread_ts=root["ts"],
                                 response_url=slack_peer.response_url()))
        pages.append(slack_peer.wait_for("chat.postMessage", count=len(pages) + 1)[-1])
    assert len(pages) == 3
    assert all(p["thread_ts"] == root["ts"] for p in pages)
    shown = [t for p in pages for t in _texts(p["blocks"])]
    assert shown == [f"item {i}" for i in range(120)]

    http.action(block_action(MORE_ACTION_ID, token, message_ts="1700000300.000100", thread_ts=root["ts"],
                             response_url=slack_peer.response_url()))
    again = slack_peer.wait_for("chat.postMessage", count=4)[-1]
    assert "already shown" in again["text"]


def test_an_answer_written_live_is_streamed_into_the_thread(plugin_http: tuple[SlackHttp, SlackBot], slack_peer: SlackPeer) -> None:
    http, _ = plugin_http
    root = mention("think out loud about the account")
    http.event(event_callback(root))
    [stop] = slack_peer.wait_for("chat.stopStream")
    [start] = slack_peer.calls("chat.startStream")
    assert (start["channel"], start["thread_ts"], start["recipient_user_id"], start["recipient_team_id"]) == (
        SALES, root["ts"], "U0LINA", TEAM_ID)
    calls = [start, *slack_peer.calls("chat.appendStream"), stop]
    assert "".join(c["text"] for call in calls for c in call.get("chunks", [])) == "".join(LIVE_PIECES)
    assert [e["action_id"] for b in stop["blocks"] for e in b["elements"]] == ["live:log"]
    assert slack_peer.calls("chat.postMessage") == []


def test_when_streaming_is_refused_the_answer_is_posted_as_one_message(
    plugin_http: tuple[SlackHttp, SlackBot], slack_peer: SlackPeer
) -> None:
    http, _ = plugin_http
    slack_peer.fail("chat.startStream", times=5, status=200, error="not_allowed")
    root = mention("think out loud about the account")
    http.event(event_callback(root))
    [posted] = slack_peer.wait_for("chat.postMessage")
    assert posted["thread_ts"] == root["ts"] and posted["text"] == "".join(LIVE_PIECES)
    assert posted["blocks"][-1]["elements"][0]["action_id"] == "live:log"
    assert slack_peer.calls("chat.stopStream") == []
    assert BOT_USER_ID not in posted["text"]


def test_a_local_picture_is_uploaded_into_the_thread_under_its_answer(
    plugin_http: tuple[SlackHttp, SlackBot], slack_peer: SlackPeer
) -> None:
    http, _ = plugin_http
    root = mention("draw the delivery chart")
    http.event(event_callback(root))
    [posted] = slack_peer.wait_for("chat.postMessage")
    assert "12 sites, 1 late" in str(posted["blocks"])  # the text description is always in the message
    [done] = slack_peer.wait_for("files.completeUploadExternal")
    assert (done["channel_id"], done["thread_ts"]) == (SALES, root["ts"])
    [upload] = slack_peer.calls("upload.bytes")
    assert slack_peer.uploads[upload["file"]] == GANTT.read_bytes()
