"""Does a rule help? Outcomes per alert, and per rule and arm: fired, acted-on, outcome vs hold-out, precision.

Definitions (also in docs/rules.md):
- acted on: the alert was acknowledged ("done / will do"), or an activity was logged on its account
  within the rule's ``acted_on_days`` after it fired (hold-out alerts can only be acted on the second way);
- business outcome: within ``business_days`` an order was placed on the account (``order_placed``),
  or the deal moved to a later stage or was won (``deal_advanced``); ``any`` accepts either;
- precision: useful / (useful + not useful) over alerts that got feedback, where "done / will do" is
  useful and "not useful" is not; snoozes say nothing;
- rates carry a 95 % Wilson interval; "lift" is the arm's outcome rate minus the hold-out's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from integrations.crm.local.models import Activity, Opportunity, Order
from skills.alerts.models import Alert, AlertFeedback, AlertOutcome, RuleVersion

STAGE_RANK = {"prospecting": 0, "qualification": 1, "proposal": 2, "negotiation": 3, "closed_won": 4, "closed_lost": -1}
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 0) when there is nothing to measure."""
    if n <= 0:
        return 0.0, 0.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class ArmStats:
    rule: str
    arm: str
    fired: int
    delivered: int
    acted_on: int
    outcomes: int
    useful: int
    not_useful: int
    acted_rate: float = 0.0
    acted_ci: tuple[float, float] = (0.0, 0.0)
    outcome_rate: float = 0.0
    outcome_ci: tuple[float, float] = (0.0, 0.0)
    lift_vs_holdout: float | None = None
    precision: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)


def track_outcomes(store: Any, *, today: date, lookback_days: int = 180) -> int:
    """Record acted-on and business outcomes for recent alerts; returns how many outcomes were new."""
    new = 0
    with store.session() as s:
        alerts = s.execute(select(Alert).where(Alert.fired_on >= today - timedelta(days=lookback_days))).scalars().all()
        specs = {v.id: v.spec for v in s.execute(select(RuleVersion)).scalars().all()}
        known = {(o.alert_id, o.kind) for o in s.execute(select(AlertOutcome)).scalars().all()}
        acked = {f.alert_id: f.at for f in s.execute(select(AlertFeedback).where(AlertFeedback.kind == "ack")).scalars().all()}
    for alert in alerts:
        outcome = (specs.get(alert.rule_version_id) or {}).get("outcome") or {}
        found: list[tuple[str, str, date]] = []
        if (alert.id, "acted_on") not in known:
            hit = _acted_on(store, alert, int(outcome.get("acted_on_days", 7)), acked.get(alert.id), today)
            if hit:
                found.append(("acted_on", *hit))
        if (alert.id, "business") not in known:
            hit = _business(store, alert, outcome.get("business", "any"), int(outcome.get("business_days", 30)), today)
            if hit:
                found.append(("business", *hit))
        for kind, detail, observed in found:
            try:
                with store.session() as s:
                    s.add(AlertOutcome(alert_id=alert.id, kind=kind, detail=detail, observed_on=observed))
                new += 1
            except IntegrityError:  # another process recorded it first
                pass
    return new


def _acted_on(store: Any, alert: Alert, days: int, acked_at: datetime | None, today: date) -> tuple[str, date] | None:
    end = alert.fired_on + timedelta(days=days)
    if acked_at is not None and acked_at.date() <= end:
        return "ack", acked_at.date()
    with store.engine.connect() as conn:
        first = conn.execute(
            select(func.min(Activity.occurred_at)).where(
                Activity.account_id == alert.account_id, Activity.occurred_at >= alert.fired_at.replace(microsecond=0),
                Activity.occurred_at < _at(min(end, today) + timedelta(days=1)), Activity.kind != "task",
            )
        ).scalar()
    if first is None:
        return None
    return "activity", first.date() if isinstance(first, datetime) else datetime.fromisoformat(str(first)).date()


def _business(store: Any, alert: Alert, kind: str, days: int, today: date) -> tuple[str, date] | None:
    end = min(alert.fired_on + timedelta(days=days), today)
    with store.engine.connect() as conn:
        if kind in ("order_placed", "any"):
            first = conn.execute(select(func.min(Order.order_date)).where(
                Order.account_id == alert.account_id, Order.order_date > alert.fired_on, Order.order_date <= end)).scalar()
            if first is not None:
                return "order_placed", first if isinstance(first, date) else date.fromisoformat(str(first))
        if kind in ("deal_advanced", "any") and alert.opportunity_id is not None:
            row = conn.execute(select(Opportunity.stage, Opportunity.stage_changed_at).where(
                Opportunity.id == alert.opportunity_id)).first()
            before = STAGE_RANK.get(str((alert.facts or {}).get("stage", "")), None)
            if row is not None and row[1] is not None:
                changed = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(str(row[1]))
                changed_day = changed.date()
                advanced = STAGE_RANK.get(row[0], -1) > (before if before is not None else -1) or row[0] == "closed_won"
                if advanced and alert.fired_on < changed_day <= end:
                    return f"deal_advanced:{row[0]}", changed_day
    return None


def build_report(store: Any, *, rule: str | None = None) -> list[ArmStats]:
    """Per rule and arm: counts, rates with Wilson intervals, lift vs hold-out, precision."""
    with store.session() as s:
        query = select(Alert)
        if rule:
            query = query.where(Alert.rule_name == rule)
        alerts = s.execute(query).scalars().all()
        outcomes = {(o.alert_id, o.kind) for o in s.execute(select(AlertOutcome)).scalars().all()}
        verdict: dict[int, str] = {}
        for f in s.execute(select(AlertFeedback).order_by(AlertFeedback.id)).scalars().all():
            if f.kind in ("ack", "not_useful"):
                verdict[f.alert_id] = f.kind  # the latest judgement counts
    groups: dict[tuple[str, str], list[Alert]] = {}
    for a in alerts:
        groups.setdefault((a.rule_name, a.arm), []).append(a)
    stats: list[ArmStats] = []
    for (rule_name, arm), rows in sorted(groups.items()):
        ids = [a.id for a in rows]
        st = ArmStats(
            rule=rule_name, arm=arm, fired=len(rows), delivered=sum(1 for a in rows if a.delivered),
            acted_on=sum(1 for i in ids if (i, "acted_on") in outcomes),
            outcomes=sum(1 for i in ids if (i, "business") in outcomes),
            useful=sum(1 for i in ids if verdict.get(i) == "ack"),
            not_useful=sum(1 for i in ids if verdict.get(i) == "not_useful"),
        )
        st.acted_rate = st.acted_on / st.fired if st.fired else 0.0
        st.acted_ci = wilson(st.acted_on, st.fired)
        st.outcome_rate = st.outcomes / st.fired if st.fired else 0.0
        st.outcome_ci = wilson(st.outcomes, st.fired)
        judged = st.useful + st.not_useful
        st.precision = st.useful / judged if judged else None
        stats.append(st)
    holdouts = {s.rule: s for s in stats if s.arm == "holdout"}
    for st in stats:
        base = holdouts.get(st.rule)
        if base is not None and st.arm != "holdout":
            st.lift_vs_holdout = st.outcome_rate - base.outcome_rate
    return stats


def format_report(stats: list[ArmStats], language: str = "en") -> str:
    """A plain-text table for the terminal."""
    zh = language == "zh"
    head = (["规则", "分组", "触发", "已发送", "已行动", "行动率 [95%CI]", "结果率 [95%CI]", "相对对照", "精确率"] if zh else
            ["rule", "arm", "fired", "sent", "acted", "acted rate [95% CI]", "outcome rate [95% CI]", "vs hold-out", "precision"])
    lines = [head]
    for s in stats:
        lines.append([
            s.rule, s.arm, str(s.fired), str(s.delivered), str(s.acted_on),
            f"{s.acted_rate:.0%} [{s.acted_ci[0]:.0%}-{s.acted_ci[1]:.0%}]",
            f"{s.outcome_rate:.0%} [{s.outcome_ci[0]:.0%}-{s.outcome_ci[1]:.0%}]",
            "-" if s.lift_vs_holdout is None else f"{s.lift_vs_holdout:+.0%}",
            "-" if s.precision is None else f"{s.precision:.0%} ({s.useful}/{s.useful + s.not_useful})",
        ])
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in lines)


def render_chart(stats: list[ArmStats], path: Path, language: str = "en") -> Path:
    """A PNG of acted-on and outcome rates per rule and arm, with their 95 % intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{s.rule}\n{s.arm}" for s in stats] or ["-"]
    x = list(range(len(labels)))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(labels)), 4.2), dpi=110)
    for offset, attr, ci, name in ((-0.2, "acted_rate", "acted_ci", "acted on"), (0.2, "outcome_rate", "outcome_ci", "outcome")):
        values = [getattr(s, attr) for s in stats] or [0.0]
        low = [max(0.0, v - getattr(s, ci)[0]) for s, v in zip(stats, values)] or [0.0]
        high = [max(0.0, getattr(s, ci)[1] - v) for s, v in zip(stats, values)] or [0.0]
        ax.bar([i + offset for i in x], values, width=0.4, label=name, yerr=[low, high], capsize=3)
    for i, s in enumerate(stats):
        if s.precision is not None:
            ax.annotate(f"precision {s.precision:.0%}", (i, 1.02), ha="center", fontsize=7)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("rate (95% Wilson CI)")
    ax.set_title("Alert rules: acted-on and outcome rate by arm")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
