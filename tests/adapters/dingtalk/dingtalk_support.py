"""Helpers shared by the DingTalk tests: fast retries, settings pointed at the peer, a probe skill."""

from __future__ import annotations

import time

from peers.dingtalk_peer import DingTalkPeer
from pydantic import SecretStr

from bot.adapters.dingtalk.api import RetryPolicy
from bot.config import Settings
from bot.messages import Button, Buttons, Reply, Section, text_reply
from bot.skill import Skill
from bot.streaming import current_sink
from bot.turn import Turn

FAST_RETRY = RetryPolicy(attempts=4, base_s=0.01, max_s=0.05)


def dingtalk_settings(settings: Settings, peer: DingTalkPeer) -> Settings:
    """The test settings pointed at the local gateway: the only thing that differs from production."""
    return settings.model_copy(
        update={
            "dingtalk_client_id": peer.client_id,
            "dingtalk_client_secret": SecretStr(peer.client_secret),
            "dingtalk_api_url": peer.base_url,
        }
    )


class ProbeSkill(Skill):
    """A test-only skill: proves routing (commands, buttons) and lets tests make answers slow or long."""

    name = "probe"
    description_zh = "测试探针"
    description_en = "Test probe"
    commands = ("probe",)

    def handle(self, turn: Turn) -> Reply:
        action = turn.message.action
        if action is not None:
            return text_reply(
                f"probe pressed {action.verb} {action.value} by {turn.viewer.user_id}",
                language=turn.language,
                skill=self.name,
            )
        arg = turn.text.strip()
        if arg == "slow":
            time.sleep(1.0)
            return text_reply("probe slow done", language=turn.language, skill=self.name)
        if arg == "buttons":
            return Reply(
                text="probe buttons",
                language=turn.language,
                skill=self.name,
                blocks=[
                    Section(text="Pick one"),
                    Buttons(buttons=[Button(text="Ping", action_id="probe:ping", value="7")]),
                ],
            )
        if arg == "stream":  # what the LLM engine does: deltas through the current stream sink
            sink = current_sink()
            pieces = [f"Part {i}. " for i in range(6)]
            for piece in pieces:
                if sink is not None:
                    sink.delta(piece)
                time.sleep(0.1)
            return Reply(
                text="".join(pieces),
                language=turn.language,
                skill=self.name,
                blocks=[
                    Section(text="".join(pieces).strip()),
                    Buttons(buttons=[Button(text="Again", action_id="probe:again", value="s")]),
                ],
            )
        if arg == "long":
            paragraphs = [Section(text=f"Paragraph {i}: " + "pipeline detail " * 40) for i in range(12)]
            return Reply(
                text="probe long",
                language=turn.language,
                skill=self.name,
                blocks=[
                    *paragraphs,
                    Buttons(buttons=[Button(text="More", action_id="probe:more", value="x")]),
                ],
            )
        return text_reply(f"probe {arg}", language=turn.language, skill=self.name)
