"""Which vendor client answers for a viewer: their own token when they connected one, else the integration.

A rep's own token makes the vendor's sharing rules decide what DealPilot may show them (issue #10).
A 401 on that token, or a token past its ``expires_at``, is that user's "reconnect" message: never a
silent fallback to the integration token, which sees more than the user may.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from bot.store import Store
from integrations.crm.remote.errors import CRMAuthExpired, crm_user_auth_expired
from integrations.crm.remote.source import VendorSource
from integrations.crm.remote.user_tokens import UserToken, get_user_token
from integrations.crm.viewer import Viewer

INTEGRATION = "integration"
MAX_CLIENTS = 256


class AsUser:
    """A ``VendorSource`` called with one user's token; its 401s become that user's reconnect message."""

    def __init__(self, source: VendorSource, label: str) -> None:
        self._source = source
        self._label = label

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._source, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = attr(*args, **kwargs)
            except CRMAuthExpired:
                raise crm_user_auth_expired(self._label) from None
            return self._guarded(result) if isinstance(result, Iterator) else result
        return call

    def _guarded(self, rows: Iterator[Any]) -> Iterator[Any]:
        """Listings page lazily, so a 401 can arrive while iterating."""
        try:
            yield from rows
        except CRMAuthExpired:
            raise crm_user_auth_expired(self._label) from None


class Delegation:
    """``source_for(viewer)`` -> (client, cache scope); clients are kept per token, never per request."""

    def __init__(self, source: VendorSource, store: Store,
                 lookup: Callable[[Store, str, str], UserToken | None] = get_user_token) -> None:
        self.source = source
        self.store = store
        self._lookup = lookup
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def token_of(self, viewer: Viewer) -> UserToken | None:
        return self._lookup(self.store, self.source.system, viewer.user_id)

    def source_for(self, viewer: Viewer) -> tuple[Any, str]:
        """The client to call for ``viewer`` and the cache scope of its answers (a token fingerprint,
        so a new or removed token never reuses the old token's cached view)."""
        token = self.token_of(viewer)
        if token is None:
            return self.source, INTEGRATION
        if token.expired():
            raise crm_user_auth_expired(self.source.label)
        key = (viewer.user_id, token.fingerprint)
        with self._lock:
            client = self._clients.get(key)
        if client is None:
            own = self.source.for_user(token)
            if own is None:  # the vendor cannot act as a user: DealPilot's rules alone apply
                return self.source, INTEGRATION
            client = AsUser(own, self.source.label)
            with self._lock:
                if len(self._clients) >= MAX_CLIENTS:
                    self._clients.clear()
                self._clients[key] = client
        return client, token.fingerprint
