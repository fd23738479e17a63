"""War-room fixtures: a runtime whose war-room skill has a fixed "today", and console helpers.

Why a fixed today: "周五前" / "by Friday" mean different days on different days. The skill takes a
``today`` callable (constructor injection, no clock mocking); we pick the first Wednesday on or
after the day the demo company was seeded, so the demo's relative facts (Wuxi overdue, Suzhou 15
days late) still hold and Friday / next Monday are known days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import pytest

from bot.adapters.console import console_message
from bot.messages import Reply
from bot.runtime import Runtime
from skills.warroom.channels import ConsoleRooms, room_platform
from skills.warroom.models import WarRoom
from tests.skills.warroom.warroom_helpers import warroom_skills

@pytest.fixture
def wr_runtime(settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    rt = Runtime(settings, skills=warroom_skills())
    yield rt
    rt.close()


@pytest.fixture
def say(wr_runtime: Runtime) -> Callable[..., Reply]:
    """``say(text, user, channel=...)`` through the console adapter's message parser."""

    def _say(text: str, user: str = "wang.wei", channel: str = "console") -> Reply:
        return wr_runtime.handle(console_message(text, user=user, channel=channel))

    return _say


@pytest.fixture
def console_rooms(wr_runtime: Runtime) -> ConsoleRooms:
    impl = room_platform(wr_runtime, "console")
    assert isinstance(impl, ConsoleRooms)
    return impl


@pytest.fixture
def room_5g(say, wr_runtime: Runtime) -> WarRoom:  # type: ignore[no-untyped-def]
    """The 5G deal's room, created in Chinese by its owner."""
    from skills.warroom import repo

    reply = say("给5G专网项目建个作战室", "wang.wei")
    assert reply.skill == "warroom" and reply.metadata.get("created") is True, reply.text
    room = repo.get_room(wr_runtime.store, reply.metadata["room_id"])
    assert room is not None
    return room
