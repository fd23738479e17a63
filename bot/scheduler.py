"""A small in-process scheduler: periodic jobs (rule scans, outbox delivery) on one daemon thread.

Why not cron or Celery: one bot process should be complete on its own. Why a database lease:
several bot processes each run a scheduler, and a job such as "scan the rules every 15 minutes"
should run once per period across all of them. Before running, a process claims the job's lease
row with one atomic UPDATE (works the same on SQLite and PostgreSQL); whoever loses skips that
turn. Jobs must still be idempotent (rule scans and the outbox are), because a lease can expire
while a slow job runs.

Skills contribute jobs by defining ``scheduled_jobs(self) -> list[Job]``; the adapters (which own
the platform sender) add the outbox delivery job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from bot.outbox import now_utc, worker_id

log = logging.getLogger("dealpilot.scheduler")


class SchedulerLease(SQLModel, table=True):
    """Who may run a job until when; the row makes "once per period across processes" atomic."""

    __tablename__ = "bot_scheduler_lease"
    job: str = Field(primary_key=True)
    holder: str | None = None
    lease_until: datetime = Field(default_factory=now_utc)
    last_run_at: datetime | None = None


@dataclass(frozen=True)
class Job:
    """A periodic job. ``func()`` takes no arguments; ``every_s`` is the period in seconds."""

    name: str
    every_s: float
    func: Callable[[], Any]


def try_lease(store: Any, job: str, *, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take ``job``'s lease for ``seconds`` if nobody holds a live one. Atomic across processes."""
    now = now or now_utc()
    t = SchedulerLease.__table__  # type: ignore[attr-defined]
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(t).values(job=job, holder=None, lease_until=now - timedelta(seconds=1)))
    except IntegrityError:
        pass  # the row exists already
    with store.engine.begin() as conn:
        taken = conn.execute(
            update(t)
            .where(t.c.job == job, or_(t.c.lease_until <= now, t.c.holder == holder))
            .values(holder=holder, lease_until=now + timedelta(seconds=seconds), last_run_at=now)
        ).rowcount
    return taken == 1


class Scheduler:
    """Runs registered jobs on a daemon thread; each job at most once per period across processes."""

    def __init__(self, store: Any, *, tick_s: float = 1.0, holder: str | None = None) -> None:
        self.store = store
        self.tick_s = tick_s
        self.holder = holder or worker_id()
        self.jobs: dict[str, Job] = {}
        self._next_due: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, job: Job) -> None:
        self.jobs[job.name] = job
        self._next_due.setdefault(job.name, 0.0)

    def register_skill_jobs(self, skills: dict[str, Any]) -> None:
        """Add every ``scheduled_jobs()`` a skill offers (duck-typed: skills need no base-class change)."""
        for skill in skills.values():
            offer = getattr(skill, "scheduled_jobs", None)
            if callable(offer):
                for job in offer():
                    self.register(job)

    def run_due(self, *, now_mono: float | None = None) -> list[str]:
        """Run the jobs whose period has come and whose lease this process wins; returns their names."""
        now_mono = time.monotonic() if now_mono is None else now_mono
        ran: list[str] = []
        for name, job in list(self.jobs.items()):
            if now_mono < self._next_due.get(name, 0.0):
                continue
            self._next_due[name] = now_mono + job.every_s
            if not try_lease(self.store, name, holder=self.holder, seconds=job.every_s * 0.9):
                continue
            try:
                job.func()
                ran.append(name)
            except Exception:  # one broken job must not stop the others
                log.exception("scheduled job %s failed", name)
        return ran

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="dealpilot-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(self.tick_s)


def start_background(runtime: Any, sender: Any = None, *, deliver_every_s: float = 10.0,
                     daily_cap: int | None = None) -> Scheduler:
    """What a bot process calls once at start: skills' jobs, plus outbox delivery through ``sender``.

    Args:
        runtime: the process's ``Runtime`` (its store and skills).
        sender: the adapter's ``sender(recipient, reply) -> platform ref``; no delivery job without one.
        deliver_every_s: how often due outbox rows are sent.
        daily_cap: alerts per person per day before the rest go into a digest (outbox default if None).
    """
    from bot.outbox import DEFAULT_DAILY_CAP, deliver_pending

    scheduler = Scheduler(runtime.store)
    scheduler.register_skill_jobs(runtime.skills)
    if sender is not None:
        cap = DEFAULT_DAILY_CAP if daily_cap is None else daily_cap
        scheduler.register(Job("outbox.deliver", deliver_every_s,
                               lambda: deliver_pending(runtime.store, sender, daily_cap=cap)))
    scheduler.start()
    return scheduler
