"""Writes waiting for a yes: stored in the thread's conversation state, run and audited on Confirm.

A proposal lives under ``data["agent_pending"][<id>]`` of the thread's ``bot_conversation_state``
row (the skill/state columns are left alone, so no multi-turn flow is disturbed). Confirm takes the
proposal out of the row in the same transaction that reads it, so a double click or a second
worker can never run a write twice. Only the person who asked may confirm.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from bot.errors import UserFacingError
from bot.messages import Button, Buttons, Citation, Citations, Context, Reply, Section
from bot import audit
from bot.models import ConversationState

if TYPE_CHECKING:
    from bot.agent_tools import Proposal
    from bot.conversation import Conversation
    from bot.turn import Turn

KEY = "agent_pending"
TTL = timedelta(hours=1)
CONFIRM, CANCEL = "agent:confirm", "agent:cancel"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def save(conversation: "Conversation", *, user_id: str, proposals: list["Proposal"]) -> list[str]:
    """Store proposals for this thread; returns their ids (the buttons' values)."""
    ids: list[str] = []
    with conversation.store.session() as s:
        row = s.get(ConversationState, conversation.key) or ConversationState(key=conversation.key)
        data = dict(row.data or {})
        pending = {k: v for k, v in dict(data.get(KEY) or {}).items() if not _expired(v)}
        for proposal in proposals:
            pid = uuid.uuid4().hex[:12]
            pending[pid] = {
                "user": user_id,
                "tool": proposal.tool,
                "args": proposal.args,
                "preview": proposal.preview,
                "at": _now().isoformat(),
            }
            ids.append(pid)
        data[KEY] = pending
        row.data = data
        s.add(row)
    return ids


def _expired(item: dict[str, Any]) -> bool:
    try:
        return _now() - datetime.fromisoformat(item["at"]) > TTL
    except (KeyError, ValueError):
        return True


def _take(conversation: "Conversation", pid: str, user_id: str) -> dict[str, Any]:
    """Remove and return proposal ``pid`` if ``user_id`` may act on it; raise a friendly error otherwise."""
    with conversation.store.session() as s:
        row = s.exec(
            select(ConversationState).where(ConversationState.key == conversation.key).with_for_update()
        ).first()
        pending = dict((row.data or {}).get(KEY) or {}) if row else {}
        item = pending.get(pid)
        if item is None or _expired(item):
            raise UserFacingError(
                zh="这个操作已经处理过或已过期，没有写入任何内容。",
                en="That request was already handled or has expired; nothing was written.",
            )
        if item["user"] != user_id:
            raise UserFacingError(
                zh="只有提出这个操作的人才能确认或取消它。", en="Only the person who asked can confirm or cancel this."
            )
        del pending[pid]
        assert row is not None
        row.data = {**row.data, KEY: pending}
        s.add(row)
    return item


def proposal_blocks(turn: "Turn", proposals: list["Proposal"], ids: list[str]) -> list[Any]:
    """A preview paragraph and Confirm / Cancel buttons per proposed write."""
    blocks: list[Any] = []
    for proposal, pid in zip(proposals, ids):
        blocks.append(Section(text=turn.t("*待确认：* ", "*Waiting for your confirmation:* ") + proposal.preview))
        blocks.append(
            Buttons(
                buttons=[
                    Button(text=turn.t("确认", "Confirm"), action_id=CONFIRM, value=pid, style="primary"),
                    Button(text=turn.t("取消", "Cancel"), action_id=CANCEL, value=pid, style="danger"),
                ]
            )
        )
    return blocks


def confirm(turn: "Turn", pid: str) -> Reply:
    """Run the stored write as the pressing user, audit it, and say what was written."""
    from bot.agent_tools import available_tools

    item = _take(turn.conversation, pid, turn.viewer.user_id)
    entry = available_tools(turn.runtime).get(item["tool"])
    if entry is None or not entry[0].writes:
        raise UserFacingError(zh="这个操作已不再可用，没有写入任何内容。", en="That action is no longer available; nothing was written.")
    tool = entry[0]
    result = tool.run(turn.viewer, item["args"])  # a UserFacingError here means nothing was written
    data = result.data if isinstance(result.data, dict) else {"result": result.data}
    target = str(data.get("target") or item["tool"])
    audit.record(
        turn.runtime.store,
        actor=turn.viewer.user_id,
        action=f"agent:{item['tool']}",
        target=target,
        before=data.get("before"),
        after=data.get("after", data),
    )
    text = turn.t(f"已完成：{item['preview']}", f"Done: {item['preview']}")
    blocks: list[Any] = [Section(text=text), Context(text=turn.t("已记录审计日志。", "Recorded in the audit log."))]
    if target.startswith("crm://"):
        blocks.append(Citations(items=[Citation(source=target, title=item["preview"][:80])]))
    return Reply(text=text, blocks=blocks, language=turn.language, skill="agent", metadata={"audited": target})


def cancel(turn: "Turn", pid: str) -> Reply:
    item = _take(turn.conversation, pid, turn.viewer.user_id)
    text = turn.t(f"已取消，没有写入任何内容：{item['preview']}", f"Cancelled; nothing was written: {item['preview']}")
    return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill="agent")
