"""Exactly-once answering: every delivery is claimed in the database before it is answered.

Slack redelivers (``X-Slack-Retry-Num``, Socket Mode retries) and sends one message twice when
it both mentions the bot and is a DM/thread message (``app_mention`` + ``message``). The claim is
an insert into ``bot_processed_event`` whose primary key makes it race-free across processes.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.store import Store


def event_keys(*, team_id: str, event_id: str | None, channel: str | None, ts: str | None) -> list[str]:
    """The keys one event claims: its ``event_id`` and, for messages, its (channel, ts)."""
    keys = []
    if event_id:
        keys.append(f"slack:{team_id}:event:{event_id}")
    if channel and ts:
        keys.append(f"slack:{team_id}:msg:{channel}:{ts}")
    return keys


def claim(store: Store, keys: Iterable[str]) -> bool:
    """True when every key was new: this process answers. False on the first already-claimed key."""
    return all(store.claim_event(key) for key in keys)
