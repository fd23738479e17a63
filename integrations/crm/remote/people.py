"""Vendor users <-> DealPilot users, matched by email.

The user directory (teams, roles, managers, language) stays in the embedded store: vendors know
owners, not our roles. A vendor owner without a DealPilot user keeps a placeholder id
(``hubspot:123``) that no viewer has, so only admins see what such an owner holds.
"""

from __future__ import annotations

import threading
import time

from integrations.crm.entities import UserRecord
from integrations.crm.local.crm import LocalCRM
from integrations.crm.remote.source import VendorSource


class People:
    """Cached owner map and user directory (refreshed every ``ttl_s`` seconds)."""

    def __init__(self, source: VendorSource, local: LocalCRM, ttl_s: float = 300.0) -> None:
        self.source = source
        self.local = local
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._loaded_at = -1e18
        self._to_local: dict[str, str] = {}
        self._to_vendor: dict[str, str] = {}
        self._directory: dict[str, UserRecord] = {}

    def _refresh(self) -> None:
        if time.monotonic() - self._loaded_at < self.ttl_s and self._to_local:
            return
        directory = {u.id: u for u in self.local.list_users()}
        by_email = {u.email.strip().lower(): u.id for u in directory.values() if u.email}
        to_local: dict[str, str] = {}
        to_vendor: dict[str, str] = {}
        for vendor_user in self.source.users():
            local_id = by_email.get(vendor_user.email.strip().lower())
            if local_id is None:
                to_local[vendor_user.external_id] = f"{self.source.system}:{vendor_user.external_id}"
                continue
            to_local[vendor_user.external_id] = local_id
            if vendor_user.active or local_id not in to_vendor:
                to_vendor[local_id] = vendor_user.external_id
        with self._lock:
            self._directory, self._to_local, self._to_vendor = directory, to_local, to_vendor
            self._loaded_at = time.monotonic()

    def local_user(self, vendor_user_id: str | None) -> str | None:
        if not vendor_user_id:
            return None
        self._refresh()
        return self._to_local.get(vendor_user_id, f"{self.source.system}:{vendor_user_id}")

    def vendor_user(self, local_user_id: str) -> str | None:
        self._refresh()
        return self._to_vendor.get(local_user_id)

    def directory(self) -> dict[str, UserRecord]:
        self._refresh()
        return self._directory

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -1e18
