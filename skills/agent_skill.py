"""Owner of the LLM agent's buttons: Confirm / Cancel of a proposed write (``agent:confirm``).

The router sends button presses to the skill named before the colon; this skill runs (or drops)
the stored write as the person pressing, who must be the person who asked. It has no examples
and no description, so the offline engine never routes text here and help does not list it.
"""

from __future__ import annotations

from bot import agent_pending
from bot.errors import UserFacingError
from bot.messages import Reply
from bot.skill import Skill
from bot.turn import Turn


class AgentSkill(Skill):
    name = "agent"

    def handle(self, turn: Turn) -> Reply:
        action = turn.message.action
        if action is not None and action.verb == "confirm":
            return agent_pending.confirm(turn, action.value)
        if action is not None and action.verb == "cancel":
            return agent_pending.cancel(turn, action.value)
        if action is not None:
            raise UserFacingError(zh="这个按钮已经失效了。", en="That button is no longer valid.")
        agent = self.runtime.agent
        if agent is not None and agent.available():
            return agent.answer(turn)
        return self.runtime.router.offline(turn)
