"""The contact API as the second way to know who is asking: staff id -> work email.

Why: the chat-identity table is the first source, but an admin should not have to map every new
rep by hand. When a staff id is not mapped, the adapter asks DingTalk's contact API
(``/topapi/v2/user/get``, permission 成员信息读权限) for the user's email and passes it on in
``Message.raw["user_email"]``; ``bot.identity.resolve_viewer`` then finds the CRM user by email
and records the mapping, so the lookup happens once per person. The adapter decides nothing
about CRM users itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.adapters.dingtalk.api import DingTalkApiError, OpenApi

log = logging.getLogger("dealpilot.dingtalk.contacts")

USER_GET_PATH = "/topapi/v2/user/get"
MISS_TTL_S = 600.0


class ContactDirectory:
    """Looks up a staff member's work email; remembers misses briefly so strangers cost one call per TTL."""

    def __init__(
        self, api: OpenApi, *, miss_ttl_s: float = MISS_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.api = api
        self.miss_ttl_s = miss_ttl_s
        self._clock = clock
        self._misses: dict[str, float] = {}
        self._lock = threading.Lock()
        self.lookups = 0

    def email(self, staff_id: str) -> str | None:
        """The user's org email (else personal email), or ``None`` if unknown or not permitted."""
        with self._lock:
            missed_at = self._misses.get(staff_id)
        if missed_at is not None and self._clock() - missed_at < self.miss_ttl_s:
            return None
        self.lookups += 1
        try:
            data = self.api.call_oapi(USER_GET_PATH, {"userid": staff_id, "language": "zh_CN"})
        except DingTalkApiError as exc:
            log.warning("contact lookup failed (%s); only the chat-identity table identifies users", exc.code)
            data = {}
        result = data.get("result") or {}
        email = str(result.get("org_email") or result.get("email") or "").strip() or None
        if email is None:
            with self._lock:
                self._misses[staff_id] = self._clock()
        return email
