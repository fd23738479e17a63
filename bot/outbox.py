"""The outbox every skill posts through: durable, retried, idempotent, capped per person per day.

Why an outbox: a skill decides to tell someone something (an alert, a reminder) inside a database
transaction; the message must go out even if the process dies right after the commit, and must not
go out twice if it dies after sending. So the message is written as a row in the *same* transaction
as the decision (``enqueue``), and a delivery loop (``deliver_pending``) claims rows, calls the
platform's sender and marks them sent. The idempotency key is unique (one row per logical message)
and is handed to the sender on the ``Reply`` so a platform can drop a resend after a crash between
"sent" and "marked sent".

Several bot processes may deliver at once: PostgreSQL claims rows with ``FOR UPDATE SKIP LOCKED``,
SQLite with one atomic ``UPDATE ... RETURNING`` (SQLite serialises writers). A claim is a lease:
a row stuck in ``sending`` (its worker died) is claimable again after ``LEASE_SECONDS``.

A recipient is platform-neutral: ``user:<crm user id>`` or ``channel:<channel id>``; the adapter's
sender maps it to a DM or a channel post.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, and_, func, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Field, SQLModel, col, select

from bot.messages import Context, Header, Reply, Section

log = logging.getLogger("dealpilot.outbox")

LEASE_SECONDS = 300
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
DEFAULT_DAILY_CAP = 5

#: ``sender(recipient, reply) -> platform message ref or None``; raises on failure.
Sender = Callable[[str, Reply], "str | None"]

PENDING, SENDING, SENT, FAILED, HELD, DIGESTED = "pending", "sending", "sent", "failed", "held", "digested"


def now_utc() -> datetime:
    """An aware UTC timestamp (the store's datetime columns are timezone-aware)."""
    return datetime.now(timezone.utc)


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient, written in the same transaction as whatever caused it."""

    __tablename__ = "bot_outbox"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_bot_outbox_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str
    recipient: str = Field(index=True)
    reply: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = "bot"
    capped: bool = False
    status: str = Field(default=PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=now_utc, index=True)
    locked_by: str | None = None
    locked_at: datetime | None = None
    created_at: datetime = Field(default_factory=now_utc)
    sent_at: datetime | None = None
    sent_day: date | None = Field(default=None, index=True)
    platform_ref: str | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def user_recipient(user_id: str) -> str:
    return f"user:{user_id}"


def channel_recipient(channel: str) -> str:
    return f"channel:{channel}"


def parse_recipient(recipient: str) -> tuple[str, str]:
    """``"user:li.na"`` -> ``("user", "li.na")``; raises ``ValueError`` on anything else."""
    kind, _, ident = recipient.partition(":")
    if kind not in ("user", "channel") or not ident:
        raise ValueError(f"bad outbox recipient {recipient!r}")
    return kind, ident


def enqueue(
    session: Any,
    *,
    recipient: str,
    reply: Reply,
    idempotency_key: str,
    source: str,
    capped: bool = False,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the caller's open session (it commits with the caller's transaction).

    The caller guarantees the key is new (e.g. derived from a row it just inserted under a unique
    key); a duplicate key fails the caller's transaction, which is the point.
    """
    parse_recipient(recipient)
    reply = reply.model_copy(update={"idempotency_key": idempotency_key})
    row = OutboxMessage(
        idempotency_key=idempotency_key,
        recipient=recipient,
        reply=reply.model_dump(mode="json"),
        source=source,
        capped=capped,
        next_attempt_at=now or now_utc(),
        created_at=now or now_utc(),
    )
    session.add(row)
    return row


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _table() -> Any:
    return OutboxMessage.__table__  # type: ignore[attr-defined]


def claim(store: Any, *, worker: str, limit: int = 50, now: datetime | None = None) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows to ``worker``; rows leased to a dead worker come back after the lease."""
    now = now or now_utc()
    t = _table()
    due = or_(
        and_(t.c.status == PENDING, t.c.next_attempt_at <= now),
        and_(t.c.status == SENDING, t.c.locked_at < now - timedelta(seconds=LEASE_SECONDS)),
    )
    lease = {"status": SENDING, "locked_by": worker, "locked_at": now}
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            ids = list(
                conn.execute(
                    select(t.c.id).where(due).order_by(t.c.id).limit(limit).with_for_update(skip_locked=True)
                ).scalars()
            )
            if ids:
                conn.execute(update(t).where(t.c.id.in_(ids)).values(**lease))
        else:  # SQLite: one statement takes the write lock, so two workers never claim the same row
            subq = select(t.c.id).where(due).order_by(t.c.id).limit(limit).scalar_subquery()
            ids = list(conn.execute(update(t).where(t.c.id.in_(subq)).values(**lease).returning(t.c.id)).scalars())
    if not ids:
        return []
    with store.session() as s:
        rows = s.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).order_by(OutboxMessage.id)).all()
        return [r for r in rows if r.locked_by == worker]


def _sent_today(store: Any, recipient: str, day: date) -> int:
    t = _table()
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(t).where(
                    t.c.recipient == recipient, t.c.capped.is_(True), t.c.status == SENT, t.c.sent_day == day
                )
            ).scalar_one()
        )


def _finish(store: Any, row_id: int, worker: str, **values: Any) -> None:
    """Update a row this worker still holds (a reclaimed lease belongs to someone else now).

    One UPDATE statement, so SQLite takes the write lock at once (a read-then-write transaction
    could fail with a stale snapshot when another worker wrote in between).
    """
    table = _table()
    stmt = (
        update(table)
        .where(table.c.id == row_id, table.c.locked_by == worker, table.c.status == SENDING)
        .values(locked_by=None, locked_at=None, **values)
    )
    with store.engine.begin() as conn:
        conn.execute(stmt)


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s ... capped at an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def deliver_pending(
    store: Any,
    sender: Sender,
    *,
    daily_cap: int = DEFAULT_DAILY_CAP,
    now: datetime | None = None,
    worker: str | None = None,
    limit: int = 200,
) -> dict[str, int]:
    """Send what is due: claim, send, mark; failures retry with backoff; over-cap rows wait for a digest.

    Returns counts by outcome (``sent``, ``retry``, ``failed``, ``held``, ``digests``).
    """
    now = now or now_utc()
    worker = worker or worker_id()
    stats: dict[str, int] = defaultdict(int)
    try:
        stats["digests"] = flush_digests(store, before_day=now.date(), now=now)
    except (IntegrityError, OperationalError):  # another worker is digesting the same rows
        log.info("digest flush skipped: another worker holds it")
    sent_counts: dict[str, int] = {}
    for row in claim(store, worker=worker, limit=limit, now=now):
        assert row.id is not None
        if row.capped:
            if row.recipient not in sent_counts:
                sent_counts[row.recipient] = _sent_today(store, row.recipient, now.date())
            if sent_counts[row.recipient] >= daily_cap:
                _finish(store, row.id, worker, status=HELD, sent_day=now.date())
                stats["held"] += 1
                continue
        try:
            ref = sender(row.recipient, Reply.model_validate(row.reply))
        except Exception as exc:  # the platform said no: retry later, never lose the row
            attempts = row.attempts + 1
            status = FAILED if attempts >= MAX_ATTEMPTS else PENDING
            log.warning("outbox send failed id=%s attempt=%s error=%s", row.id, attempts, type(exc).__name__)
            _finish(
                store, row.id, worker, status=status, attempts=attempts,
                next_attempt_at=now + backoff(attempts), last_error=f"{type(exc).__name__}: {exc}"[:500],
            )
            stats["failed" if status == FAILED else "retry"] += 1
            continue
        _finish(store, row.id, worker, status=SENT, attempts=row.attempts + 1, sent_at=now,
                sent_day=now.date(), platform_ref=str(ref) if ref is not None else None)
        if row.capped:
            sent_counts[row.recipient] = sent_counts.get(row.recipient, 0) + 1
        stats["sent"] += 1
    return dict(stats)


def flush_digests(store: Any, *, before_day: date, now: datetime | None = None) -> int:
    """Fold held (over-cap) rows of days before ``before_day`` into one digest per recipient and day.

    The digest is itself an outbox row (key ``digest:<recipient>:<day>``, not capped), so it is
    sent, retried and de-duplicated like everything else.
    """
    now = now or now_utc()
    with store.session() as s:
        held = s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == HELD, col(OutboxMessage.sent_day) < before_day)
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
        ).all()
        groups: dict[tuple[str, date], list[OutboxMessage]] = defaultdict(list)
        for row in held:
            assert row.sent_day is not None
            groups[(row.recipient, row.sent_day)].append(row)
        for (recipient, day), rows in groups.items():
            key = f"digest:{recipient}:{day.isoformat()}"
            if s.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None:
                key = f"{key}:{rows[0].id}"
            enqueue(s, recipient=recipient, reply=digest_reply([Reply.model_validate(r.reply) for r in rows], day),
                    idempotency_key=key, source="outbox", now=now)
            for r in rows:
                r.status = DIGESTED
                s.add(r)
        return len(groups)


def digest_reply(replies: list[Reply], day: date) -> Reply:
    """One message listing the alerts that did not fit under the day's cap."""
    language = replies[0].language if replies else "en"
    lines = "\n".join(f"- {(r.text or '').splitlines()[0][:200]}" for r in replies)
    if language == "zh":
        title, intro = "提醒汇总", f"{day.isoformat()} 还有 {len(replies)} 条提醒（为避免打扰已合并）："
        small = "每人每天单独推送的提醒有上限，其余合并为这份汇总。"
    else:
        title, intro = "Alert digest", f"{len(replies)} more alerts from {day.isoformat()} (bundled to spare your inbox):"
        small = "Alerts sent one by one are capped per person per day; the rest come in this digest."
    body = f"{intro}\n{lines}"
    return Reply(
        text=body, language=language, skill="outbox", target="dm",
        blocks=[Header(text=title), Section(text=body), Context(text=small)],
    )


def pending_count(store: Any) -> int:
    t = _table()
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t).where(t.c.status.in_([PENDING, SENDING]))).scalar_one())
