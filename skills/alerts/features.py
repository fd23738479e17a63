"""Compute the catalog's features for every account and open deal in a handful of GROUP BY queries.

Why bulk SQL and not the ``CRM`` interface: a scan covers the whole company (100,000 accounts in
the bench) as the system, and per-account calls would be 100,000 round trips. The embedded CRM's
tables are read directly, once per table, grouped by account or deal; Python only joins the
grouped results by id. Visibility does not apply here (the system reads everything); who may *see*
an alert is decided at delivery and when buttons are pressed.

Empty means unknown: a feature that cannot be computed (no baseline to compute a change against,
no contract) is ``None`` and a rule that reads it does not fire for that target.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import String, and_, case, func, literal_column, or_, select, type_coerce

from integrations.crm.entities import OPEN_STAGES
from integrations.crm.local.models import (
    Account,
    Activity,
    CompetitorSignal,
    Contact,
    Contract,
    Opportunity,
    OpportunityContact,
    Order,
)

DECISION_ROLES = ("economic_buyer", "technical_buyer", "finance", "legal")
FX_TO_CNY = {"CNY": 1.0, "RMB": 1.0, "USD": 7.2, "EUR": 7.8, "HKD": 0.92, "GBP": 9.1, "JPY": 0.048, "SGD": 5.3}
BUDGET_WORDS = ("预算", "财政", "budget", "fiscal")
CHUNK = 900  # ids per IN (...) list, under SQLite's variable limit


@dataclass(slots=True)
class TargetRow:
    """One account or deal with its feature values and what delivery needs to address it."""

    target: str  # account:42 | deal:7
    account_id: int
    opportunity_id: int | None
    owner_id: str
    team_id: str | None
    account_name: dict[str, str]
    deal_name: dict[str, str] = field(default_factory=dict)
    amount: str = ""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeatureFrame:
    """Feature rows per target kind, computed as of ``today``."""

    today: date
    accounts: list[TargetRow]
    deals: list[TargetRow]

    _columns: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def rows(self, target: str) -> list[TargetRow]:
        return self.accounts if target == "account" else self.deals

    def column(self, target: str, name: str) -> list[Any]:
        """One feature's values for every target, in row order (cached: rules share columns)."""
        key = (target, name)
        if key not in self._columns:
            self._columns[key] = [row.values.get(name) for row in self.rows(target)]
        return self._columns[key]


def pct_change(current: float, previous: float) -> float | None:
    """Percent change; ``None`` when there is no baseline (nothing before, something now)."""
    if previous == 0:
        return 0.0 if current == 0 else None
    return round((current - previous) * 100.0 / previous, 1)


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _raw(expression: Any) -> Any:
    """Skip the timezone-aware datetime conversion on 100,000 rows: ``_day`` reads the raw value."""
    return type_coerce(expression, String)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _grouped(conn: Any, query: Any, column: Any, ids: Sequence[int] | None) -> list[Any]:
    """Run ``query`` for all rows, or for ``ids`` only (in chunks) when an event narrows the scan."""
    if ids is None:
        return conn.execute(query).fetchall()
    rows: list[Any] = []
    for chunk in _chunks(ids):
        rows.extend(conn.execute(query.where(column.in_(chunk))).fetchall())
    return rows


def compute_features(store: Any, *, today: date, account_ids: Sequence[int] | None = None) -> FeatureFrame:
    """Every catalog feature for every account (or just ``account_ids``) and their open deals."""
    ids = sorted(set(account_ids)) if account_ids is not None else None
    d30, d60 = today - timedelta(days=30), today - timedelta(days=60)
    d90, d180 = today - timedelta(days=90), today - timedelta(days=180)
    with store.engine.connect() as conn:
        sqlite_db = conn.dialect.name == "sqlite"

        def scan(column: Any) -> Any:
            """On SQLite, ``+column`` keeps the date filter but stops the planner from walking the date
            index (random row reads plus a sort for GROUP BY: 3x slower than scanning by account)."""
            if not sqlite_db:
                return column
            return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)

        accounts = _grouped(conn, select(
            Account.id, Account.name_zh, Account.name_en, Account.owner_id, Account.team_id,
            Account.industry, Account.region, Account.tier, _raw(Account.created_at),
        ), Account.id, ids)
        orders = {r[0]: r for r in _grouped(conn, select(
            Order.account_id,
            func.sum(case((Order.order_date > d90, 1), else_=0)),
            func.sum(case((Order.order_date <= d90, 1), else_=0)),
            func.sum(case((Order.order_date > d90, Order.total_amount), else_=0)),
            func.sum(case((Order.order_date <= d90, Order.total_amount), else_=0)),
        ).where(scan(Order.order_date) > d180, scan(Order.order_date) <= today).group_by(Order.account_id),
            Order.account_id, ids)}
        signals = {r[0]: r for r in _grouped(conn, select(
            CompetitorSignal.account_id,
            func.sum(case((CompetitorSignal.observed_at > d30, 1), else_=0)),
            func.sum(case((CompetitorSignal.observed_at <= d30, 1), else_=0)),
        ).where(scan(CompetitorSignal.observed_at) > d60, scan(CompetitorSignal.observed_at) <= today)
            .group_by(CompetitorSignal.account_id), CompetitorSignal.account_id, ids)}
        done = or_(Activity.kind != "task", Activity.status == "done")
        end_of_today = _start_of(today + timedelta(days=1))
        like = (lambda c, w: c.like(f"%{w}%")) if sqlite_db else (lambda c, w: c.ilike(f"%{w}%"))
        mentions = or_(*(like(c, w) for w in BUDGET_WORDS for c in (Activity.subject, Activity.summary)))
        recent = Activity.occurred_at >= _start_of(today - timedelta(days=180))
        activity = {r[0]: (_day(r[1]), int(r[2] or 0)) for r in _grouped(conn, select(
            Activity.account_id,
            _raw(func.max(case((done, Activity.occurred_at), else_=None))),
            func.sum(case((and_(recent, mentions), 1), else_=0)),
        ).where(scan(Activity.occurred_at) < end_of_today).group_by(Activity.account_id), Activity.account_id, ids)}
        touched = {aid: v[0] for aid, v in activity.items() if v[0] is not None}
        budget_notes = {aid: v[1] for aid, v in activity.items()}
        renewals = {r[0]: _day(r[1]) for r in _grouped(conn, select(Contract.account_id, func.min(Contract.end_date))
                    .where(Contract.signed.is_(True), Contract.end_date >= today).group_by(Contract.account_id),  # type: ignore[union-attr]
                    Contract.account_id, ids)}
        deals = _grouped(conn, select(
            Opportunity.id, Opportunity.account_id, Opportunity.name, Opportunity.name_en, Opportunity.stage,
            Opportunity.amount, Opportunity.currency, Opportunity.expected_close, Opportunity.owner_id,
            Opportunity.discount_pct, Opportunity.is_key, Opportunity.stage_changed_at, Opportunity.created_at,
        ).where(Opportunity.stage.in_(OPEN_STAGES)), Opportunity.account_id, ids)  # type: ignore[attr-defined]
        deal_ids = [d[0] for d in deals] if ids is not None else None  # a full scan needs no IN lists
        deal_touched = {r[0]: _day(r[1]) for r in _grouped(
            conn, select(Activity.opportunity_id, _raw(func.max(Activity.occurred_at)))
            .where(done, Activity.occurred_at < end_of_today, Activity.opportunity_id.is_not(None))  # type: ignore[union-attr]
            .group_by(Activity.opportunity_id), Activity.opportunity_id, deal_ids)}
        decision = case((or_(Contact.committee_role.in_(DECISION_ROLES), Contact.influence == "high"), 1), else_=0)  # type: ignore[attr-defined]
        committee = {r[0]: r for r in _grouped(conn, select(
            OpportunityContact.opportunity_id, func.sum(decision),
            func.sum(case((Contact.committee_role == "finance", 1), else_=0)),
        ).join(Contact, and_(Contact.id == OpportunityContact.contact_id)).group_by(OpportunityContact.opportunity_id),
            OpportunityContact.opportunity_id, deal_ids)}

    open_deals: dict[int, int] = {}
    for d in deals:
        open_deals[d[1]] = open_deals.get(d[1], 0) + 1
    account_rows: dict[int, TargetRow] = {}
    for a in accounts:
        aid = a[0]
        o = orders.get(aid)
        s = signals.get(aid)
        n3, p3, v3, pv3 = (int(o[1]), int(o[2]), float(o[3] or 0), float(o[4] or 0)) if o else (0, 0, 0.0, 0.0)
        c30, c60 = (int(s[1]), int(s[2])) if s else (0, 0)
        last = touched.get(aid)
        renewal = renewals.get(aid)
        created = _day(a[8])
        account_rows[aid] = TargetRow(
            target=f"account:{aid}", account_id=aid, opportunity_id=None, owner_id=a[3], team_id=a[4],
            account_name={"zh": a[1], "en": a[2]},
            values={
                "purchase_freq_change_pct_3m": pct_change(n3, p3),
                "order_value_change_pct_3m": pct_change(v3, pv3),
                "orders_3m": n3,
                "orders_prev_3m": p3,
                "competitor_mentions_30d": c30,
                "competitor_mentions_change_pct_30d": pct_change(c30, c60),
                "days_since_last_activity": (today - last).days if last else ((today - created).days if created else None),
                "days_since_account_activity": (today - last).days if last else ((today - created).days if created else None),
                "renewal_in_days": (renewal - today).days if renewal else None,
                "budget_deadline_notes_180d": budget_notes.get(aid, 0),
                "industry": a[5], "region": a[6], "tier": a[7],
                "open_deals": open_deals.get(aid, 0),
            },
        )
    fiscal_end = date(today.year, 12, 31)
    deal_rows: list[TargetRow] = []
    for d in deals:
        account = account_rows.get(d[1])
        if account is None:
            continue
        (oid, _aid, name, name_en, stage, amount, currency, expected, owner, discount, is_key, changed, created) = d
        expected = _day(expected)
        since = _day(changed) or _day(created)
        last = deal_touched.get(oid) or _day(created)
        members = committee.get(oid)
        values = dict(account.values)
        values.update({
            "stage": stage,
            "days_in_stage": (today - since).days if since else None,
            "discount_pct": round(float(discount or 0), 2),
            "amount_cny": round(float(amount or 0) * FX_TO_CNY.get((currency or "CNY").upper(), 1.0), 2),
            "days_to_expected_close": (expected - today).days if expected else None,
            "closes_before_fiscal_year_end": bool(expected and today <= expected <= fiscal_end),
            "days_to_fiscal_year_end": (fiscal_end - today).days,
            "stakeholder_coverage": int(members[1]) if members else 0,
            "finance_contact_mapped": bool(members and int(members[2]) > 0),
            "is_key_deal": bool(is_key),
            "days_since_last_activity": (today - last).days if last else None,
        })
        deal_rows.append(TargetRow(
            target=f"deal:{oid}", account_id=account.account_id, opportunity_id=oid, owner_id=owner,
            team_id=account.team_id, account_name=account.account_name,
            deal_name={"zh": name, "en": name_en or name}, amount=f"{float(amount or 0):,.0f} {currency}", values=values,
        ))
    return FeatureFrame(today=today, accounts=list(account_rows.values()), deals=deal_rows)
