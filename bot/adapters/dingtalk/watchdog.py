"""Notice a dead stream connection: no ping and no message for ``timeout_s`` seconds.

Why: a connection can die without closing (a NAT or proxy drops it, the gateway hangs). The
socket then looks open forever and no message arrives. The gateway sends SYSTEM pings
regularly, so silence longer than a few ping intervals means the connection is gone: the
watchdog calls ``on_stale`` (which aborts the socket) and the client reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger("dealpilot.dingtalk.watchdog")


class Watchdog:
    """Fires ``on_stale`` once when ``touch`` has not been called for ``timeout_s`` seconds."""

    def __init__(
        self,
        timeout_s: float,
        on_stale: Callable[[], Awaitable[None]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("watchdog timeout must be positive")
        self.timeout_s = timeout_s
        self._on_stale = on_stale
        self._clock = clock
        self._last = clock()
        self.fired = False

    def touch(self) -> None:
        """Something arrived (a ping or a message): the connection is alive."""
        self._last = self._clock()

    @property
    def silent_for(self) -> float:
        return self._clock() - self._last

    async def run(self) -> None:
        """Check a few times per timeout until the connection goes silent, then fire and stop."""
        interval = max(0.05, min(1.0, self.timeout_s / 4))
        while True:
            await asyncio.sleep(interval)
            if self.silent_for >= self.timeout_s:
                self.fired = True
                log.warning(
                    "no ping or message for %.1fs; dropping the connection to reconnect", self.silent_for
                )
                await self._on_stale()
                return
