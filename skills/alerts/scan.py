"""Scans: compute features, evaluate the live rules, write alerts and their outbox rows once.

Idempotency is the database's job: an alert's key is (rule version, target, period) where the
period is the cool-down bucket the scan date falls in, inserted with ``ON CONFLICT DO NOTHING``;
only the process whose insert created the row writes its outbox rows, in the same transaction.
So two processes scanning together, or one scanning twice, produce each alert once. On top of the
key, a rule does not fire again on a target within its cool-down (across period buckets and rule
versions) or while the target's alert is snoozed.

Event triggers call ``rescan_accounts`` with the accounts an import or a CRM change touched; it
runs the same path on just those accounts, synchronously (well inside the 60-second target).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from skills.alerts.delivery import Directory, enqueue_alert
from skills.alerts.engine import CompiledRule, Firing, RuleRun, compile_rules, evaluate
from skills.alerts.experiments import HOLDOUT
from skills.alerts.features import compute_features
from skills.alerts.models import Alert
from skills.alerts.ruleset import STARTER_DIR
from skills.alerts.versions import active_rules, sync_files

log = logging.getLogger("dealpilot.alerts.scan")

BATCH = 200


@dataclass
class ScanReport:
    """What a scan did, for the CLI, the bench and the logs."""

    today: date
    targets: int = 0
    runs: list[RuleRun] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    cooled: int = 0
    features_s: float = 0.0
    eval_s: float = 0.0
    write_s: float = 0.0

    @property
    def fired(self) -> int:
        return sum(len(r.fired) for r in self.runs)

    def summary(self) -> str:
        return (f"{self.today}: {self.targets} targets, {len(self.runs)} rules, {self.fired} firings, "
                f"{len(self.created)} new alerts, {self.duplicates} already recorded, {self.cooled} in cool-down; "
                f"features {self.features_s:.2f}s, evaluation {self.eval_s:.2f}s, writes {self.write_s:.2f}s")


def period_for(today: date, cooldown_days: int) -> str:
    """The cool-down bucket ``today`` falls in: every process computes the same string for the same day."""
    start = date.fromordinal((today.toordinal() // cooldown_days) * cooldown_days)
    return f"{start.isoformat()}/{cooldown_days}d"


def rule_dirs(runtime: Any = None) -> list[Path]:
    """Where rule files live: the starter rules, plus ``<home>/rules`` for a team's own."""
    dirs = [STARTER_DIR]
    if runtime is not None:
        dirs.append(Path(runtime.settings.home) / "rules")
    return dirs


def load_live_rules(store: Any, *, runtime: Any = None, sync: bool = True) -> tuple[list[CompiledRule], dict[str, str]]:
    """Sync rule files into versions (broken files are logged, never fatal) and compile the enabled rules."""
    if sync:
        result = sync_files(store, rule_dirs(runtime))
        for issue in result.issues:
            log.warning("rule file problem: %s", issue.format("en"))
    return compile_rules(active_rules(store))


def _insert_alert(dialect: str) -> Any:
    table = Alert.__table__  # type: ignore[attr-defined]
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table), table


def _blocked(store: Any, firings: list[Firing], today: date) -> set[tuple[str, str]]:
    """(rule name, target) pairs in cool-down or snoozed, read before the write transaction starts."""
    if not firings:
        return set()
    longest = max(f.rule.spec.cooldown_days for f in firings)
    cooldowns = {f.rule.name: f.rule.spec.cooldown_days for f in firings}
    table = Alert.__table__  # type: ignore[attr-defined]
    blocked: set[tuple[str, str]] = set()
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.rule_name, table.c.target, table.c.fired_on, table.c.snoozed_until).where(
                table.c.rule_name.in_(sorted(cooldowns)),
                or_(table.c.fired_on > today - timedelta(days=longest), table.c.snoozed_until >= today),
            )
        )
        for name, target, fired_on, snoozed_until in rows:
            if fired_on > today - timedelta(days=cooldowns[name]):
                blocked.add((name, target))
            if snoozed_until is not None and snoozed_until >= today:
                blocked.add((name, target))
    return blocked


def record(store: Any, firings: list[Firing], *, today: date, directory: Directory,
           report: ScanReport | None = None) -> ScanReport:
    """Write each firing as an alert (once) and, unless it is in the hold-out arm, its outbox rows."""
    report = report or ScanReport(today=today)
    started = time.perf_counter()
    blocked = _blocked(store, firings, today)
    fresh = [f for f in firings if (f.rule.name, f.row.target) not in blocked]
    report.cooled += len(firings) - len(fresh)
    for i in range(0, len(fresh), BATCH):
        batch = fresh[i : i + BATCH]
        with store.session() as session:
            insert, table = _insert_alert(session.get_bind().dialect.name)
            for firing in batch:
                recipients = [] if firing.arm == HOLDOUT else directory.recipients(firing)
                stmt = insert.values(
                    rule_version_id=firing.rule.version_id or 0, rule_name=firing.rule.name, target=firing.row.target,
                    period=period_for(today, firing.rule.spec.cooldown_days), account_id=firing.row.account_id,
                    opportunity_id=firing.row.opportunity_id, owner_id=firing.row.owner_id,
                    experiment=firing.rule.spec.experiment.name if firing.rule.spec.experiment else None,
                    arm=firing.arm, delivered=firing.arm != HOLDOUT, severity=firing.rule.spec.severity,
                    facts=firing.facts, recipients=recipients, status="holdout" if firing.arm == HOLDOUT else "open",
                    fired_on=today,
                ).on_conflict_do_nothing().returning(table.c.id)
                alert_id = session.execute(stmt).scalar()
                if alert_id is None:
                    report.duplicates += 1
                    continue
                report.created.append(alert_id)
                if recipients:
                    enqueue_alert(session, firing, alert_id, recipients, directory)
    report.write_s += time.perf_counter() - started
    return report


def run_scan(
    store: Any,
    *,
    today: date,
    runtime: Any = None,
    account_ids: Sequence[int] | None = None,
    event: str | None = None,
    rules: list[CompiledRule] | None = None,
    write: bool = True,
) -> ScanReport:
    """One scan over all accounts (or ``account_ids``); ``event`` limits it to rules triggered by it."""
    report = ScanReport(today=today)
    if rules is None:
        rules, report.rejected = load_live_rules(store, runtime=runtime)
    if event is not None:
        rules = [r for r in rules if event in r.spec.triggers]
    started = time.perf_counter()
    frame = compute_features(store, today=today, account_ids=account_ids)
    report.features_s = time.perf_counter() - started
    report.targets = len(frame.accounts) + len(frame.deals)
    started = time.perf_counter()
    report.runs = evaluate(rules, frame)
    report.eval_s = time.perf_counter() - started
    if write:
        war_room = runtime.skills.get("warroom") if runtime is not None else None
        firings = [f for run in report.runs for f in run.fired]
        record(store, firings, today=today, directory=Directory(store, war_room=war_room), report=report)
    log.info("rule scan %s", report.summary())
    return report


SCHEDULE_PERIOD_S: dict[str, int] = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400}


def scan_scheduled(runtime: Any, schedule: str, *, today: date | None = None) -> ScanReport:
    """The periodic scan for the rules whose ``schedule`` is ``schedule`` (hourly, daily or weekly)."""
    rules, rejected = load_live_rules(runtime.store, runtime=runtime)
    report = run_scan(runtime.store, today=today or local_today(runtime), runtime=runtime,
                      rules=[r for r in rules if r.spec.schedule == schedule])
    report.rejected = rejected
    return report


def rescan_accounts(runtime: Any, account_ids: Iterable[int], *, event: str = "import",
                    today: date | None = None) -> ScanReport:
    """Re-evaluate the rules triggered by ``event`` on the accounts a CRM change or import touched.

    The CRM import and the activity-logging path call this right after their write commits.
    """
    return run_scan(runtime.store, today=today or local_today(runtime), runtime=runtime,
                    account_ids=sorted(set(account_ids)), event=event)


def local_today(runtime: Any = None) -> date:
    """Today in the company's time zone (``DEALPILOT_TIMEZONE``)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = runtime.settings.timezone if runtime is not None else "Asia/Shanghai"
    return datetime.now(ZoneInfo(tz)).date()
