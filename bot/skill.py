"""What a skill is, and how the bot finds skills (Python entry points, group ``dealpilot.skills``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.messages import Reply
    from bot.runtime import Runtime
    from bot.tools import Tool
    from bot.turn import Turn

ENTRY_POINT_GROUP = "dealpilot.skills"


class Skill(ABC):
    """A capability users call from chat.

    A skill declares its name, a bilingual description, example utterances (the offline intent
    engine learns from them), the slash commands it owns, and implements ``handle``. Button
    actions whose ``action_id`` starts with ``"<name>:"`` come to ``handle`` too (``turn.message.action``).
    A skill never imports a platform SDK: it returns ``Reply`` objects.
    """

    name: str = ""
    description_zh: str = ""
    description_en: str = ""
    examples: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    #: The intent engine only routes to this skill when a linked entity of one of these kinds is present.
    needs_entity: tuple[str, ...] = ()

    def bind(self, runtime: "Runtime") -> None:
        """Called once when the runtime starts; keep the runtime for tools and background jobs."""
        self.runtime = runtime

    @abstractmethod
    def handle(self, turn: "Turn") -> "Reply":
        """Answer one turn (a message, a command or a button press)."""

    def claims(self, turn: "Turn") -> bool:
        """Whether this skill owns the turn regardless of intent (e.g. messages inside a war-room)."""
        return False

    def tools(self) -> list["Tool"]:
        """Tools this skill offers the LLM agent."""
        return []

    def home(self, turn: "Turn") -> list[Any]:
        """Blocks for the user's home view (Slack App Home); empty when the skill has nothing to show."""
        return []


def discover_skills(exclude: set[str] | None = None) -> list[Skill]:
    """Load every installed skill from entry points, skipping packages not present in this install."""
    skills: list[Skill] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if exclude and ep.name in exclude:
            continue
        try:
            obj = ep.load()
        except ModuleNotFoundError as exc:
            if exc.name and ep.value.split(":")[0].startswith(exc.name):
                continue  # declared but not shipped in this build
            raise
        skills.append(obj() if isinstance(obj, type) else obj)
    return skills
