"""The App Home tab: a header plus whatever each skill shows in ``Skill.home(turn)``
(the user's deals, alerts, training progress), rendered to Block Kit and published with ``views.publish``.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from bot.conversation import Conversation
from bot.identity import resolve_viewer
from bot.lang import Language, pick
from bot.messages import Context, Divider, Header, Message, Section
from bot.render.slack import MAX_HOME_BLOCKS, render_blocks
from bot.turn import Turn

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("dealpilot.slack.home")


def home_view(runtime: "Runtime", message: Message) -> dict[str, Any]:
    """The ``home`` view for the user behind ``message`` (a friendly notice when they are not linked)."""
    viewer = resolve_viewer(runtime.crm, message)
    if viewer is None:
        blocks = render_blocks(
            [
                Header(text="DealPilot"),
                Section(
                    text="我还不认识你的账号：请让管理员把你的 Slack 账号关联到 CRM 用户。\n"
                    "I don't know who you are in the CRM yet: ask your admin to link your Slack account to your CRM user."
                ),
            ]
        )
        return {"type": "home", "blocks": blocks}
    language: Language = "zh" if viewer.language == "zh" else "en"
    turn = Turn(message, viewer, language, runtime, Conversation(runtime.store, message.conversation_key))
    models: list[Any] = [
        Header(text=pick(language, "DealPilot 销售助手", "DealPilot")),
        Context(
            text=pick(
                language,
                f"{viewer.name}，你好。在频道里 @DealPilot 或在这里私信我提问。",
                f"Hi {viewer.name}. Mention @DealPilot in a channel or DM me with a question.",
            )
        ),
    ]
    shown = 0
    for name, skill in sorted(runtime.skills.items()):
        try:
            items = [b for b in skill.home(turn) if isinstance(b, BaseModel)]
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("home blocks of skill %s failed ref=%s", name, ref)
            continue
        if items:
            models.extend([Divider(), *items])
            shown += 1
    if not shown:
        models.append(
            Section(
                text=pick(
                    language,
                    "这里会显示你的商机、预警和训练进度。试试问我：ACME 最近怎么样？",
                    "Your deals, alerts and training progress will show here. Try asking: how is ACME doing?",
                )
            )
        )
    return {"type": "home", "blocks": render_blocks(models)[:MAX_HOME_BLOCKS]}
