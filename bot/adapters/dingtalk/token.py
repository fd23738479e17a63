"""The OpenAPI access token, cached and refreshed before it expires.

Why: DingTalk tokens live about two hours and the token endpoint is rate limited; fetching one
per reply would be slow and would be throttled. The cache is shared by the worker threads that
send replies, so it is guarded by a lock and fetches at most once per refresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_REFRESH_MARGIN_S = 300.0


class AccessTokenCache:
    """Holds one token; ``get`` returns it, fetching a new one when it is close to expiry.

    Args:
        fetch: returns ``(token, expires_in_seconds)``; called under the lock.
        refresh_margin_s: refresh this long before expiry (capped at half the lifetime, so a
            short-lived token is still used for a while).
        clock: monotonic seconds; injectable so tests can move time.
    """

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        refresh_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._margin = refresh_margin_s
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.fetches = 0

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                token, expires_in = self._fetch()
                self.fetches += 1
                margin = min(self._margin, max(0.0, expires_in) / 2)
                self._token = token
                self._refresh_at = self._clock() + max(0.0, expires_in) - margin
            return self._token

    def invalidate(self, token: str | None = None) -> None:
        """Drop the cached token (after a 401); only if it is still ``token`` when one is given."""
        with self._lock:
            if token is None or token == self._token:
                self._token = None
