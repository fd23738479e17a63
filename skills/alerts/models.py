"""Tables of the alerts skill (prefix ``alerts_``): rule versions, alerts, feedback, outcomes.

Why versions instead of editing a rule in place: every alert points at the exact rule text that
produced it, and the report can tell which threshold worked. Why the unique key on alerts:
(rule version, target, period) makes "the same situation alerts once per cool-down" a database
guarantee that holds across restarts and across several bot processes scanning at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models import utcnow


class RuleVersion(SQLModel, table=True):
    """One saved version of a rule: the YAML as written, who saved it, when, and whether it is on."""

    __tablename__ = "alerts_rule_version"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_alerts_rule_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    version: int
    spec: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    checksum: str
    enabled: bool = True
    origin: str = "file"  # file | chat | cli
    author: str
    change: str = "create"  # create | update | enable | disable
    created_at: datetime = Field(default_factory=utcnow)


class Alert(SQLModel, table=True):
    """One firing of a rule on one target in one cool-down period (hold-out firings included)."""

    __tablename__ = "alerts_alert"
    __table_args__ = (
        UniqueConstraint("rule_version_id", "target", "period", name="uq_alerts_alert_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_version_id: int = Field(index=True)
    rule_name: str = Field(index=True)
    target: str = Field(index=True)  # account:42 | deal:7
    period: str
    account_id: int = Field(index=True)
    opportunity_id: int | None = None
    owner_id: str | None = None
    experiment: str | None = None
    arm: str = "default"  # default | <variant name> | holdout
    delivered: bool = True  # False for the hold-out arm: evaluated and logged, never sent
    severity: str = "medium"
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    status: str = "open"  # open | acked | snoozed | not_useful | holdout
    snoozed_until: date | None = None
    fired_on: date = Field(index=True)
    fired_at: datetime = Field(default_factory=utcnow)


class AlertFeedback(SQLModel, table=True):
    """A button press on an alert: done / will do, snooze, not useful (with a reason)."""

    __tablename__ = "alerts_feedback"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(index=True)
    user_id: str
    kind: str  # ack | snooze | not_useful
    reason: str = ""
    at: datetime = Field(default_factory=utcnow)


class AlertOutcome(SQLModel, table=True):
    """What happened after an alert: acted on (ack or activity) and the business outcome."""

    __tablename__ = "alerts_outcome"
    __table_args__ = (UniqueConstraint("alert_id", "kind", name="uq_alerts_outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(index=True)
    kind: str  # acted_on | business
    detail: str = ""
    observed_on: date
