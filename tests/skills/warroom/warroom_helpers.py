"""Shared war-room test helpers: the frozen day, the deal team, reading the console card."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.messages import Reply
from bot.skill import discover_skills
from skills.warroom import WarRoomSkill
from skills.warroom.channels import ConsoleRooms
from tests.conftest import TODAY

FROZEN = TODAY + timedelta(days=(2 - TODAY.weekday()) % 7)  # a Wednesday
FRIDAY = FROZEN + timedelta(days=2)
NEXT_MONDAY = FROZEN + timedelta(days=5)
DEAL_TEAM = {"wang.wei", "feng.tao", "li.si", "lin.hui", "tang.yu"}


def warroom_skills(today: date = FROZEN) -> list[Any]:
    """Every installed skill, with the war-room skill pinned to ``today``."""
    return [s for s in discover_skills() if s.name != "warroom"] + [WarRoomSkill(today=lambda: today)]


def pinned_card(rooms: ConsoleRooms, channel: str) -> Reply:
    post = rooms.pinned(channel)
    assert post is not None, "no pinned card"
    return Reply.model_validate(post.reply)


def card_text(card: Reply) -> str:
    """Everything the card shows, as one string (tables and fields flattened)."""
    from bot.messages import Fields, Section, Table

    parts = [card.text]
    for b in card.blocks:
        if isinstance(b, Section):
            parts.append(b.text)
        elif isinstance(b, Fields):
            parts.extend(f"{k}: {v}" for k, v in b.items)
        elif isinstance(b, Table):
            parts.append(b.title or "")
            parts.extend(" | ".join(row) for row in b.rows)
    return "\n".join(parts)
