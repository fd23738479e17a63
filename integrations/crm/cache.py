"""A short per-viewer TTL cache for live mode.

A brief makes a dozen CRM reads and a thread asks follow-ups within seconds; without a cache each
would be a vendor round trip (and a step towards its rate limit). Entries are keyed by viewer, so
one user's visible set is never served to another; writes clear the cache so a logged note shows
up at once. Memory only and short-lived: the vendor remains the source of truth.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_TTL_S = 30.0
DEFAULT_MAX_ENTRIES = 2048


class ViewerCache:
    """``get_or_load((viewer_id, what, *args), loader)`` with expiry and an LRU bound."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S, max_entries: int = DEFAULT_MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_load(self, key: Hashable, loader: Callable[[], T]) -> T:
        if self.ttl_s <= 0:
            return loader()
        now = self._clock()
        with self._lock:
            item = self._items.get(key)
            if item is not None and now - item[0] < self.ttl_s:
                self._items.move_to_end(key)
                self.hits += 1
                return item[1]  # type: ignore[no-any-return]
            self.misses += 1
        value = loader()  # outside the lock: a slow vendor call must not block other viewers
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
