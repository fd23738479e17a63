""""The CRM changed on these accounts": a tiny in-process hook registry, one per ``Runtime``.

Why: whoever writes CRM data (the import CLI, the activity skill after a confirmed write, war-room
task writes) must let others react at once -- the alerts skill re-checks its rules on just those
accounts -- without importing them (integrations must not import skills, skills should not import
each other). Publishers call ``crm_changed``; subscribers register with ``on_crm_change`` in their
``Skill.bind``. Hooks run synchronously in the publisher's call, after its write committed; a failing
hook is logged and never undoes or fails the write.

``event`` names what changed, in the alert rules' trigger vocabulary: ``import``, ``activity``,
``deal_change``, ``order``, ``competitor_signal``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("dealpilot.events")

CRM_CHANGE_SERVICE = "crm_change_hooks"
EVENTS = ("import", "activity", "deal_change", "order", "competitor_signal")

#: ``hook(runtime, account_ids, event) -> anything`` (the result is handed back to the publisher).
CrmChangeHook = Callable[[Any, list[int], str], Any]


def _hooks(runtime: Any) -> list[CrmChangeHook]:
    hooks: list[CrmChangeHook] = runtime.service(CRM_CHANGE_SERVICE, list)
    return hooks


def on_crm_change(runtime: Any, hook: CrmChangeHook) -> None:
    """Call ``hook`` whenever ``crm_changed`` is published on ``runtime`` (registering twice is a no-op)."""
    hooks = _hooks(runtime)
    if hook not in hooks:
        hooks.append(hook)


def crm_changed(runtime: Any, account_ids: Iterable[int], *, event: str) -> list[Any]:
    """Tell the subscribers that ``account_ids`` changed; returns the hooks' non-``None`` results.

    Raises:
        ValueError: for an event name outside ``EVENTS`` (a typo would silently trigger nothing).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown CRM change event {event!r} (expected one of {', '.join(EVENTS)})")
    ids = sorted({int(a) for a in account_ids})
    if not ids:
        return []
    results: list[Any] = []
    for hook in list(_hooks(runtime)):
        try:
            result = hook(runtime, ids, event)
        except Exception:  # the write already happened; a subscriber's failure must not undo or fail it
            log.exception("crm change hook %s failed ref=%s event=%s accounts=%d",
                          getattr(hook, "__qualname__", hook), uuid.uuid4().hex[:8], event, len(ids))
            continue
        if result is not None:
            results.append(result)
    return results
