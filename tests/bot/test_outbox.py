"""The outbox: sends once, survives crashes, retries with backoff, caps per person, shares work safely."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from bot.messages import Reply
from bot.outbox import (
    HELD,
    LEASE_SECONDS,
    OutboxMessage,
    claim,
    deliver_pending,
    enqueue,
    now_utc,
)
from bot.store import Store
from tests.conftest import private_pg_schema

REPO = Path(__file__).resolve().parents[2]


class Platform:
    """A stand-in chat platform: records what arrives and, like Slack's client_msg_id, drops a resend."""

    def __init__(self, fail_times: int = 0) -> None:
        self.received: list[tuple[str, str, str]] = []
        self.seen: set[str] = set()
        self.fail_times = fail_times

    def __call__(self, recipient: str, reply: Reply) -> str:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("platform down")
        assert reply.idempotency_key
        if reply.idempotency_key not in self.seen:
            self.seen.add(reply.idempotency_key)
            self.received.append((recipient, reply.idempotency_key, reply.text))
        return f"ts-{len(self.received)}"


def _put(store: Store, key: str, *, recipient: str = "user:li.na", capped: bool = False, text_: str = "hi") -> None:
    with store.session() as s:
        enqueue(s, recipient=recipient, reply=Reply(text=text_, language="en"), idempotency_key=key,
                source="test", capped=capped)


def _rows(store: Store) -> list[OutboxMessage]:
    from sqlmodel import select

    with store.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_sends_once_and_marks_sent(empty_store: Store) -> None:
    _put(empty_store, "k1")
    platform = Platform()
    assert deliver_pending(empty_store, platform)["sent"] == 1
    assert deliver_pending(empty_store, platform).get("sent", 0) == 0
    assert [r[1] for r in platform.received] == ["k1"]
    row = _rows(empty_store)[0]
    assert row.status == "sent" and row.platform_ref == "ts-1" and row.attempts == 1


def test_duplicate_key_is_rejected_and_changes_nothing(empty_store: Store) -> None:
    _put(empty_store, "same")
    with pytest.raises(IntegrityError):
        _put(empty_store, "same")
    assert len(_rows(empty_store)) == 1


def test_bad_recipient_is_refused(empty_store: Store) -> None:
    with pytest.raises(ValueError):
        _put(empty_store, "k", recipient="li.na")
    assert _rows(empty_store) == []


def test_failure_retries_with_backoff_then_sends_once(empty_store: Store) -> None:
    _put(empty_store, "k1")
    platform = Platform(fail_times=2)
    now = now_utc()
    assert deliver_pending(empty_store, platform, now=now)["retry"] == 1
    row = _rows(empty_store)[0]
    assert row.status == "pending" and row.attempts == 1 and "ConnectionError" in (row.last_error or "")
    assert row.next_attempt_at >= now + timedelta(seconds=29)
    # not due yet: nothing happens
    assert deliver_pending(empty_store, platform, now=now + timedelta(seconds=5)).get("retry", 0) == 0
    assert deliver_pending(empty_store, platform, now=now + timedelta(seconds=31))["retry"] == 1
    second = _rows(empty_store)[0]
    assert second.next_attempt_at >= now + timedelta(seconds=31 + 59)  # doubled
    assert deliver_pending(empty_store, platform, now=now + timedelta(hours=1))["sent"] == 1
    assert len(platform.received) == 1 and _rows(empty_store)[0].attempts == 3


def test_gives_up_after_max_attempts(empty_store: Store) -> None:
    from bot.outbox import MAX_ATTEMPTS

    _put(empty_store, "k1")
    platform = Platform(fail_times=100)
    now = now_utc()
    for i in range(MAX_ATTEMPTS):
        deliver_pending(empty_store, platform, now=now + timedelta(hours=2 * i))
    assert _rows(empty_store)[0].status == "failed"
    assert deliver_pending(empty_store, platform, now=now + timedelta(days=3)).get("retry", 0) == 0


def test_a_lease_of_a_dead_worker_is_taken_over_only_after_it_expires(empty_store: Store) -> None:
    _put(empty_store, "k1")
    now = now_utc()
    assert [r.idempotency_key for r in claim(empty_store, worker="dead", now=now)] == ["k1"]
    platform = Platform()
    assert deliver_pending(empty_store, platform, worker="alive", now=now + timedelta(seconds=10)).get("sent", 0) == 0
    later = now + timedelta(seconds=LEASE_SECONDS + 1)
    assert deliver_pending(empty_store, platform, worker="alive", now=later)["sent"] == 1
    assert len(platform.received) == 1


def test_daily_cap_holds_and_overflow_becomes_one_digest(empty_store: Store) -> None:
    for i in range(7):
        _put(empty_store, f"a{i}", capped=True, text_=f"alert {i}")
    _put(empty_store, "other", recipient="user:wang.wei", capped=True)
    _put(empty_store, "system", capped=False)
    platform = Platform()
    now = now_utc()
    stats = deliver_pending(empty_store, platform, daily_cap=5, now=now)
    assert stats["sent"] == 7 and stats["held"] == 2  # 5 capped + wang.wei + the uncapped one
    li_na = [r for r in platform.received if r[0] == "user:li.na"]
    assert len(li_na) == 6
    assert sum(1 for r in _rows(empty_store) if r.status == HELD) == 2
    # same day: the cap still holds, nothing new
    assert deliver_pending(empty_store, platform, daily_cap=5, now=now + timedelta(minutes=5)).get("sent", 0) == 0
    # next day: one digest with the two held alerts, sent once
    tomorrow = now + timedelta(days=1)
    stats = deliver_pending(empty_store, platform, daily_cap=5, now=tomorrow)
    assert stats["digests"] == 1 and stats["sent"] == 1
    digest = platform.received[-1]
    assert digest[1].startswith("digest:user:li.na:") and "alert 5" in digest[2] and "alert 6" in digest[2]
    assert deliver_pending(empty_store, platform, daily_cap=5, now=tomorrow + timedelta(minutes=1)).get("digests") == 0
    assert {r.status for r in _rows(empty_store)} == {"sent", "digested"}


# --- several OS processes -----------------------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import json, os, sys
    from bot.outbox import deliver_pending
    from bot.store import Store

    url, log_path, crash_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(url)
    count = 0

    def sender(recipient, reply):
        global count
        count += 1
        if crash_after and count > crash_after:
            os._exit(17)  # the process dies mid-send: nothing after this line runs
        with open(log_path, "a") as fh:
            fh.write(json.dumps([recipient, reply.idempotency_key]) + "\\n")
        return "ok"

    for _ in range(20):
        if not deliver_pending(store, sender, limit=7, daily_cap=10_000).get("sent"):
            break
    """
)


def _spawn(url: str, log: Path, crash_after: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _WORKER, url, str(log), str(crash_after)], cwd=REPO)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database two processes can share: a SQLite file, or a private schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outbox.db'}"
        return
    with private_pg_schema("outbox") as url:
        yield url


def test_two_processes_deliver_each_message_exactly_once(shared_url: str, tmp_path: Path) -> None:
    store = Store.open(shared_url)
    for i in range(120):
        _put(store, f"m{i}", recipient=f"user:u{i % 9}")
    log = tmp_path / "sent.log"
    procs = [_spawn(shared_url, log), _spawn(shared_url, log)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    keys = [json.loads(line)[1] for line in log.read_text().splitlines()]
    assert sorted(keys) == sorted(f"m{i}" for i in range(120))  # all sent, none twice
    assert {r.status for r in _rows(store)} == {"sent"}
    store.dispose()


def test_a_crash_mid_send_loses_nothing_and_a_resend_is_recognised(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    store = Store.open(url)
    for i in range(10):
        _put(store, f"m{i}")
    log = tmp_path / "sent.log"
    assert _spawn(url, log, crash_after=3).wait(timeout=60) == 17
    assert len(log.read_text().splitlines()) == 3
    stuck = [r for r in _rows(store) if r.status == "sending"]
    assert stuck, "the dead worker's claimed rows stay leased"
    # a fresh worker after the lease expires delivers the rest; the platform dedups by key
    platform = Platform()
    for line in log.read_text().splitlines():
        platform.seen.add(json.loads(line)[1])
    later = now_utc() + timedelta(seconds=LEASE_SECONDS + 5)
    deliver_pending(store, platform, now=later)
    delivered = sorted(platform.seen)
    assert delivered == sorted(f"m{i}" for i in range(10))
    assert len(platform.received) == 7  # the other seven, each once
    assert {r.status for r in _rows(store)} == {"sent"}
    store.dispose()
