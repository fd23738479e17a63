"""Per-user rate limit, counted in the database so every bot worker shares one budget.

A fixed one-minute window per (scope, user): one row whose counter is incremented atomically in
SQL (``count = count + 1``), so concurrent workers on PostgreSQL or SQLite never lose a hit.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from bot.store import Store

KEEP_WINDOWS = timedelta(hours=1)


class RateCounter(SQLModel, table=True):
    """Hits of one user in one window (``key`` = ``scope:user:window-start``)."""

    __tablename__ = "bot_rate_limit"
    key: str = Field(primary_key=True)
    window_start: datetime = Field(index=True)
    count: int = 0


class RateLimiter:
    """``hit(user)`` counts a request and says whether it is within ``limit`` per ``window_s``."""

    def __init__(self, store: Store, *, limit: int, window_s: int = 60, scope: str = "llm") -> None:
        self.store = store
        self.limit = limit
        self.window_s = window_s
        self.scope = scope

    def _window(self, now: datetime) -> datetime:
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.window_s, tz=timezone.utc)

    def hit(self, user_id: str, *, now: datetime | None = None) -> bool:
        """Count one request by ``user_id``; ``False`` when it goes over the limit."""
        if self.limit <= 0:
            return True
        window = self._window(now or datetime.now(timezone.utc))
        key = f"{self.scope}:{user_id}:{window.isoformat()}"
        for _ in range(3):
            count = self._increment(key)
            if count is not None:
                return count <= self.limit
            try:
                with self.store.session() as s:
                    s.add(RateCounter(key=key, window_start=window, count=1))
                    s.exec(delete(RateCounter).where(RateCounter.window_start < window - KEEP_WINDOWS))  # type: ignore[call-overload]
                return 1 <= self.limit
            except IntegrityError:
                continue  # another worker created the row first: increment it
        return False

    def _increment(self, key: str) -> int | None:
        with self.store.session() as s:
            result = s.exec(  # type: ignore[call-overload]
                update(RateCounter)
                .where(RateCounter.key == key)  # type: ignore[arg-type]
                .values(count=RateCounter.count + 1)
                .returning(RateCounter.count)
            )
            row = result.first()
            return int(row[0]) if row else None
