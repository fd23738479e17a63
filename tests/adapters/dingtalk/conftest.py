"""DingTalk fixtures: the local gateway (``peers.dingtalk_peer``) and a bot connected to it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr
from peers.dingtalk_peer import DingTalkPeer

from bot.adapters.dingtalk.api import RetryPolicy
from bot.adapters.dingtalk.app import DingTalkApp
from bot.config import Settings
from bot.messages import Button, Buttons, Reply, Section, text_reply
from bot.runtime import Runtime
from bot.skill import Skill
from bot.streaming import current_sink
from bot.turn import Turn

FAST_RETRY = RetryPolicy(attempts=4, base_s=0.01, max_s=0.05)


@pytest.fixture
def peer() -> Iterator[DingTalkPeer]:
    with DingTalkPeer(ping_interval_s=0.2) as p:
        yield p


def dingtalk_settings(settings: Settings, peer: DingTalkPeer) -> Settings:
    """The test settings pointed at the local gateway: the only thing that differs from production."""
    return settings.model_copy(update={
        "dingtalk_client_id": peer.client_id,
        "dingtalk_client_secret": SecretStr(peer.client_secret),
        "dingtalk_api_url": peer.base_url,
    })


@pytest.fixture
def make_bot(peer: DingTalkPeer) -> Iterator[Callable[..., DingTalkApp]]:
    """``make_bot(runtime, **app_options)`` -> a ``DingTalkApp`` connected to the peer; stopped after the test."""
    started: list[DingTalkApp] = []

    def _make(runtime: Runtime, **options: object) -> DingTalkApp:
        options.setdefault("watchdog_s", 2.0)
        options.setdefault("reconnect_delay_s", 0.05)
        options.setdefault("retry", FAST_RETRY)
        app = DingTalkApp(runtime, **options)  # type: ignore[arg-type]
        started.append(app)
        return app.start_in_thread()

    yield _make
    for app in started:
        app.stop_thread()


class ProbeSkill(Skill):
    """A test-only skill: proves routing (commands, buttons) and lets tests make answers slow or long."""

    name = "probe"
    description_zh = "测试探针"
    description_en = "Test probe"
    commands = ("probe",)

    def handle(self, turn: Turn) -> Reply:
        action = turn.message.action
        if action is not None:
            return text_reply(f"probe pressed {action.verb} {action.value} by {turn.viewer.user_id}",
                              language=turn.language, skill=self.name)
        arg = turn.text.strip()
        if arg == "slow":
            time.sleep(1.0)
            return text_reply("probe slow done", language=turn.language, skill=self.name)
        if arg == "buttons":
            return Reply(text="probe buttons", language=turn.language, skill=self.name, blocks=[
                Section(text="Pick one"),
                Buttons(buttons=[Button(text="Ping", action_id="probe:ping", value="7")]),
            ])
        if arg == "stream":  # what the LLM engine does: deltas through the current stream sink
            sink = current_sink()
            pieces = [f"Part {i}. " for i in range(6)]
            for piece in pieces:
                if sink is not None:
                    sink.delta(piece)
                time.sleep(0.1)
            return Reply(text="".join(pieces), language=turn.language, skill=self.name, blocks=[
                Section(text="".join(pieces).strip()),
                Buttons(buttons=[Button(text="Again", action_id="probe:again", value="s")])])
        if arg == "long":
            paragraphs = [Section(text=f"Paragraph {i}: " + "pipeline detail " * 40) for i in range(12)]
            return Reply(text="probe long", language=turn.language, skill=self.name, blocks=[
                *paragraphs, Buttons(buttons=[Button(text="More", action_id="probe:more", value="x")])])
        return text_reply(f"probe {arg}", language=turn.language, skill=self.name)


@pytest.fixture
def dt_runtime(settings: Settings, peer: DingTalkPeer) -> Iterator[Runtime]:
    """The demo company, with the insight and help skills plus the probe, configured for the peer."""
    from skills.help import HelpSkill
    from skills.insight import InsightSkill

    rt = Runtime(dingtalk_settings(settings, peer), skills=[InsightSkill(), HelpSkill(), ProbeSkill()])
    yield rt
    rt.close()


@pytest.fixture
def bot(make_bot: Callable[..., DingTalkApp], dt_runtime: Runtime) -> DingTalkApp:
    return make_bot(dt_runtime)
