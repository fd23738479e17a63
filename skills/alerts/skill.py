"""Placeholder; replaced below."""
from bot.skill import Skill


class AlertsSkill(Skill):
    name = "alerts"
    commands = ("rules",)

    def handle(self, turn):  # type: ignore[no-untyped-def]
        raise NotImplementedError
