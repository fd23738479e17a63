"""The scheduler: jobs run on their period, once across processes, and one failing job spares the rest."""

from __future__ import annotations

from datetime import timedelta

from bot.outbox import now_utc
from bot.scheduler import Job, Scheduler, try_lease
from bot.store import Store


def test_lease_is_exclusive_until_it_expires(empty_store: Store) -> None:
    now = now_utc()
    assert try_lease(empty_store, "scan", holder="a", seconds=60, now=now)
    assert not try_lease(empty_store, "scan", holder="b", seconds=60, now=now + timedelta(seconds=30))
    assert try_lease(empty_store, "scan", holder="b", seconds=60, now=now + timedelta(seconds=61))
    assert try_lease(empty_store, "other", holder="a", seconds=60, now=now)


def test_two_schedulers_share_a_job_and_a_broken_job_spares_the_rest(empty_store: Store) -> None:
    runs: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    first, second = Scheduler(empty_store, holder="p1"), Scheduler(empty_store, holder="p2")
    for sched in (first, second):
        sched.register(Job("broken", 60, broken))
        sched.register(Job("scan", 60, lambda s=sched: runs.append(s.holder)))
    assert first.run_due(now_mono=0.0) == ["scan"]
    assert second.run_due(now_mono=0.0) == []  # p1 holds both leases
    assert first.run_due(now_mono=10.0) == []  # not due yet
    assert runs == ["p1"]


def test_skill_jobs_are_discovered_and_the_thread_runs_them(empty_store: Store) -> None:
    import threading

    done = threading.Event()

    class FakeSkill:
        def scheduled_jobs(self) -> list[Job]:
            return [Job("tick", 0.05, done.set)]

    sched = Scheduler(empty_store, tick_s=0.01)
    sched.register_skill_jobs({"x": FakeSkill(), "y": object()})
    assert list(sched.jobs) == ["tick"]
    sched.start()
    try:
        assert done.wait(5)
    finally:
        sched.stop()


def test_start_background_delivers_alerts_through_the_adapters_sender(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from bot.config import Settings
    from bot.messages import Reply
    from bot.outbox import enqueue
    from bot.runtime import Runtime
    from bot.scheduler import start_background

    runtime = Runtime(Settings(_env_file=None, home=tmp_path), skills=[])  # type: ignore[call-arg]
    with runtime.store.session() as s:
        enqueue(s, recipient="user:li.na", reply=Reply(text="hello"), idempotency_key="k", source="test")
    got = threading.Event()
    sched = start_background(runtime, lambda recipient, reply: got.set() or "ts", deliver_every_s=0.05)
    try:
        assert got.wait(5)
        assert "outbox.deliver" in sched.jobs
    finally:
        sched.stop()
        runtime.close()
