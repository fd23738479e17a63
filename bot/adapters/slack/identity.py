"""Slack user id -> the email ``bot.identity.resolve_viewer`` maps to a CRM user, via ``users.info``.

Slack only tells us a user id; the CRM knows people by email. ``users.info`` (scope
``users:read.email``) gives the email, cached per process because it rarely changes and every
message needs it. The cache is an optimisation, not state: losing it costs one API call.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("dealpilot.slack.identity")

FOUND_TTL_S = 3600.0
MISSING_TTL_S = 300.0
"""A user without a visible email is asked again after 5 minutes (an admin may have fixed it)."""


class SlackDirectory:
    """Emails of workspace members, looked up once per TTL."""

    def __init__(self, client: WebClient, *, ttl_s: float = FOUND_TTL_S, missing_ttl_s: float = MISSING_TTL_S) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.missing_ttl_s = missing_ttl_s
        self._cache: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}

    def email(self, user_id: str, *, team_id: str = "") -> str | None:
        """The member's email, or ``None`` when Slack does not show one (bots, guests, missing scope).

        Concurrent first messages from one user share a single ``users.info`` call.
        """
        key = (team_id, user_id)
        with self._lock:
            hit = self._fresh(key)
            if hit is not None:
                return hit[1]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._fresh(key)
            if hit is not None:
                return hit[1]
            email = self._lookup(user_id)
            ttl = self.ttl_s if email else self.missing_ttl_s
            with self._lock:
                self._cache[key] = (time.monotonic() + ttl, email)
            return email

    def _fresh(self, key: tuple[str, str]) -> tuple[float, str | None] | None:
        cached = self._cache.get(key)
        return cached if cached and cached[0] > time.monotonic() else None

    def user_for_email(self, email: str) -> str | None:
        """The Slack user id behind an email (``users.lookupByEmail``), for messages DealPilot starts."""
        key = ("email", email.strip().lower())
        with self._lock:
            hit = self._fresh(key)
        if hit is not None:
            return hit[1]
        try:
            user = self.client.users_lookupByEmail(email=key[1]).get("user") or {}
            found = str(user["id"]) if user.get("id") and not user.get("deleted") else None
        except SlackApiError as exc:
            log.info("users.lookupByEmail found nobody: %s", exc.response.get("error"))
            found = None
        with self._lock:
            self._cache[key] = (time.monotonic() + (self.ttl_s if found else self.missing_ttl_s), found)
        return found

    def _lookup(self, user_id: str) -> str | None:
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        user = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        email = (user.get("profile") or {}).get("email")
        return str(email).strip().lower() if email else None
