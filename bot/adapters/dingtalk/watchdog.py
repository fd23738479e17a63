"""Notice a dead stream connection: no ping and no message for ``timeout_s`` seconds.

Why: a connection can die without closing (a NAT or proxy drops it, the gateway hangs). The
socket then looks open forever and no message arrives. The gateway sends SYSTEM pings
regularly; after ``timeout_s`` of silence the watchdog first probes (a websocket ping: an idle but
healthy connection answers with a pong) and only when that goes unanswered calls ``on_stale``
(which aborts the socket) so the client reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger("dealpilot.dingtalk.watchdog")


class Watchdog:
    """Fires ``on_stale`` once when ``touch`` has not been called for ``timeout_s`` seconds.

    Args:
        timeout_s: silence that makes the connection suspect.
        on_stale: called once when it is judged dead.
        probe: optional liveness check run before firing (``True``: alive, keep watching).
    """

    def __init__(
        self,
        timeout_s: float,
        on_stale: Callable[[], Awaitable[None]],
        *,
        probe: Callable[[], Awaitable[bool]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("watchdog timeout must be positive")
        self.timeout_s = timeout_s
        self._on_stale = on_stale
        self._probe = probe
        self.probes = 0
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
            if self.silent_for < self.timeout_s:
                continue
            if self._probe is not None:
                self.probes += 1
                if await self._probe():
                    self.touch()
                    continue
            self.fired = True
            log.warning("no ping, message or pong for %.1fs; dropping the connection", self.silent_for)
            await self._on_stale()
            return
