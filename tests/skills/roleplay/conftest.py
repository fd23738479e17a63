"""Role-play fixtures: a runtime on the demo company with the role-play and help skills only.

Only these two skills are loaded so that the role-play tests do not depend on other skills being
importable; routing (command -> thread owner) is the real router.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.adapters.console import console_message
from bot.config import Settings
from bot.messages import Reply
from bot.runtime import Runtime
from skills.help import HelpSkill
from skills.roleplay import RolePlaySkill


@pytest.fixture
def rp_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings, skills=[RolePlaySkill(), HelpSkill()])
    yield rt
    rt.close()


@pytest.fixture
def say(rp_runtime: Runtime) -> Callable[..., Reply]:
    """``say(text, user="li.na", thread="t1") -> Reply`` through the console adapter and the router."""

    def _say(text: str, user: str = "li.na", thread: str = "t1") -> Reply:
        return rp_runtime.handle(console_message(text, user=user, thread=thread))

    return _say
