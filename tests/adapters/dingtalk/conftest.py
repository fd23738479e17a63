"""DingTalk fixtures: the local gateway (``peers.dingtalk_peer``) and a bot connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from dingtalk_support import FAST_RETRY, ProbeSkill, dingtalk_settings
from peers.dingtalk_peer import DingTalkPeer

from bot.adapters.dingtalk.app import DingTalkApp
from bot.config import Settings
from bot.runtime import Runtime


@pytest.fixture
def peer() -> Iterator[DingTalkPeer]:
    with DingTalkPeer(ping_interval_s=0.2) as p:
        yield p


@pytest.fixture
def make_bot(peer: DingTalkPeer) -> Iterator[Callable[..., DingTalkApp]]:
    """``make_bot(runtime, **options)`` -> a ``DingTalkApp`` connected to the peer; stopped after the test."""
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
