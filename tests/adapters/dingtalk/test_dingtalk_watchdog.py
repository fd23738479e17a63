"""The watchdog: fires after silence unless a probe shows the connection alive."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.dingtalk.watchdog import Watchdog


async def _run(dog: Watchdog, seconds: float) -> None:
    task = asyncio.create_task(dog.run())
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_fires_once_after_silence() -> None:
    fired: list[int] = []

    async def on_stale() -> None:
        fired.append(1)

    dog = Watchdog(0.2, on_stale)
    asyncio.run(_run(dog, 0.6))
    assert fired == [1] and dog.fired


def test_touches_keep_it_quiet() -> None:
    fired: list[int] = []

    async def on_stale() -> None:
        fired.append(1)

    async def scenario() -> None:
        dog = Watchdog(0.2, on_stale)
        task = asyncio.create_task(dog.run())
        for _ in range(8):
            await asyncio.sleep(0.05)
            dog.touch()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert fired == []


@pytest.mark.parametrize(("alive", "expect_fired"), [(True, False), (False, True)])
def test_probe_decides(alive: bool, expect_fired: bool) -> None:
    fired: list[int] = []

    async def on_stale() -> None:
        fired.append(1)

    async def probe() -> bool:
        return alive

    dog = Watchdog(0.2, on_stale, probe=probe)
    asyncio.run(_run(dog, 0.7))
    assert dog.probes >= 1
    assert bool(fired) is expect_fired


def test_rejects_a_non_positive_timeout() -> None:
    async def on_stale() -> None:
        return None

    with pytest.raises(ValueError):
        Watchdog(0, on_stale)
