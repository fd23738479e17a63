"""Tasks typed in a room: "任务：周五前给张总发技术方案 @李四" / "task: send the revised quote by Friday @bob".

Parsing is pure (text + today -> title, due date, owner mention); resolving the owner needs the
room's members, and storing goes through ``skills.warroom.service``. Why owners must be room
members: a task title is deal content, and only people in the room may see it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from integrations.crm.entities import UserRecord
from skills.warroom.dates import find_due_date

BOT_NAMES = ("dealpilot",)
_PREFIX = re.compile(
    r"^\s*(?:@\S+\s*)*(?:任务|待办|新任务|task|todo|to-do|action item)\s*[:：]\s*", re.IGNORECASE
)
_RISK_PREFIX = re.compile(r"^\s*(?:@\S+\s*)*(?:风险|risk)\s*[:：]\s*", re.IGNORECASE)
_MENTION = re.compile(r"@([^\s@，,。;；:：]+)")
_ZH_DUE_TAIL = r"(?:之前|以前|前|截止|为止)?"
_EN_DUE_HEAD = r"(?:\b(?:by|before|on|due|until|no later than)\s+)?"
_TRIM = " \t\r\n,，。.;；:：-—"


@dataclass(frozen=True)
class ParsedTask:
    """What a task message says. ``owner`` is the raw mention (``"李四"``, ``"bob"``), if any."""

    title: str
    due: date | None
    owner: str | None
    due_text: str | None = None


def is_task(text: str) -> bool:
    return bool(_PREFIX.match(text or ""))


def is_risk(text: str) -> bool:
    return bool(_RISK_PREFIX.match(text or ""))


def _mentions(text: str) -> list[str]:
    return [m for m in _MENTION.findall(text) if m.lower() not in BOT_NAMES]


def _strip_mentions(text: str) -> str:
    return _MENTION.sub(" ", text)


def _remove_due(text: str, matched: str) -> str:
    """Drop the date phrase with its connector ("周五前", "by Friday") from the title."""
    pattern = _EN_DUE_HEAD + re.escape(matched) + _ZH_DUE_TAIL
    return re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)


def parse_task(text: str, *, today: date, command: bool = False) -> ParsedTask:
    """Parse a task message (with its ``任务：``/``task:`` prefix, or the arguments of ``/task``).

    Args:
        text: the message text.
        today: the room's local date, which relative dates count from.
        command: ``True`` for ``/task`` arguments (no prefix expected).
    """
    body = text if command else _PREFIX.sub("", text, count=1)
    mentions = _mentions(body)
    owner = mentions[-1] if mentions else None
    rest = _strip_mentions(body)
    due = find_due_date(rest, today=today)
    if due is not None:
        rest = _remove_due(rest, due.matched)
    title = re.sub(r"\s{2,}", " ", rest).strip(_TRIM)
    return ParsedTask(title=title, due=due.day if due else None, owner=owner, due_text=due.matched if due else None)


def parse_risk(text: str) -> tuple[str, str | None]:
    """``"风险：客户财务总监没见过 @王伟"`` -> (title, owner mention)."""
    body = _RISK_PREFIX.sub("", text, count=1)
    mentions = _mentions(body)
    title = re.sub(r"\s{2,}", " ", _strip_mentions(body)).strip(_TRIM)
    return title, (mentions[-1] if mentions else None)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip(_TRIM).lower()


def user_keys(user: UserRecord) -> set[str]:
    """Every way a colleague may be @-mentioned: id, id's first part, names, first English name."""
    keys = {user.id, user.id.split(".")[0], user.name, user.name_en, user.name_en.replace(" ", "")}
    if user.name_en:
        keys.add(user.name_en.split()[0])
    if user.email:
        keys.add(user.email.split("@")[0])
    return {_fold(k) for k in keys if k}


def match_users(mention: str, users: Iterable[UserRecord], *, platform_ids: dict[str, str] | None = None) -> list[UserRecord]:
    """The users ``mention`` may mean (empty: nobody; several: ambiguous).

    Args:
        mention: the text after ``@``.
        users: who it may be (the room's members, or every CRM user to explain a refusal).
        platform_ids: chat user id -> CRM user id (Slack mentions arrive as ``@U0123``).
    """
    users = list(users)
    key = _fold(mention)
    if platform_ids and mention in platform_ids:
        return [u for u in users if u.id == platform_ids[mention]]
    exact = [u for u in users if key in (_fold(u.id), _fold(u.name), _fold(u.name_en))]
    if exact:
        return exact
    return [u for u in users if key in user_keys(u)]
