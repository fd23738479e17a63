"""The report's numbers match a hand-computed example; outcomes are tracked from real CRM changes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.store import Store
from integrations.crm.local.models import Order
from skills.alerts.feedback import record
from skills.alerts.models import Alert, AlertFeedback, AlertOutcome
from skills.alerts.report import build_report, format_report, render_chart, track_outcomes, wilson
from skills.alerts.scan import run_scan
from tests.conftest import TODAY


def _seed_example(store: Store) -> None:
    """Rule r: arm "a" 10 alerts (6 acted on, 4 outcomes, feedback 3 useful / 1 not useful);
    hold-out 10 alerts (2 acted on, 1 outcome)."""
    with store.session() as s:
        for arm, n, acted, outcomes in (("a", 10, 6, 4), ("holdout", 10, 2, 1)):
            for i in range(n):
                alert = Alert(rule_version_id=1, rule_name="r", target=f"account:{arm}{i}", period="p", account_id=i,
                              arm=arm, delivered=arm != "holdout", fired_on=date(2026, 1, 1))
                s.add(alert)
                s.flush()
                if i < acted:
                    s.add(AlertOutcome(alert_id=alert.id, kind="acted_on", observed_on=date(2026, 1, 2)))
                if i < outcomes:
                    s.add(AlertOutcome(alert_id=alert.id, kind="business", observed_on=date(2026, 1, 9)))
                if arm == "a" and i < 4:
                    # alert 0 was first judged not useful, then useful: the latest judgement counts
                    if i == 0:
                        s.add(AlertFeedback(alert_id=alert.id, user_id="u", kind="not_useful"))
                    s.add(AlertFeedback(alert_id=alert.id, user_id="u", kind="not_useful" if i == 3 else "ack"))
                if arm == "a" and i == 5:
                    s.add(AlertFeedback(alert_id=alert.id, user_id="u", kind="snooze"))  # says nothing


def test_report_matches_the_hand_computed_example(empty_store: Store) -> None:
    _seed_example(empty_store)
    a, holdout = build_report(empty_store)
    assert (a.arm, a.fired, a.delivered, a.acted_on, a.outcomes) == ("a", 10, 10, 6, 4)
    assert (holdout.arm, holdout.fired, holdout.delivered, holdout.acted_on, holdout.outcomes) == ("holdout", 10, 0, 2, 1)
    assert a.acted_rate == 0.6 and a.outcome_rate == 0.4 and holdout.outcome_rate == 0.1
    # Wilson 95 % for 4/10, by hand: centre (0.4 + 1.96²/20) / (1 + 1.96²/10) = 0.42775,
    # half-width 1.96·sqrt(0.4·0.6/10 + 1.96²/400) / 1.38415 = 0.25958 -> [0.1682, 0.6873]
    assert a.outcome_ci == pytest.approx((0.1682, 0.6873), abs=5e-4)
    assert holdout.outcome_ci == pytest.approx((0.0179, 0.4042), abs=5e-4)  # 1/10
    assert a.lift_vs_holdout == pytest.approx(0.3) and holdout.lift_vs_holdout is None
    assert (a.useful, a.not_useful, a.precision) == (3, 1, 0.75) and holdout.precision is None
    text = format_report([a, holdout])
    assert "40% [17%-69%]" in text and "+30%" in text and "75% (3/4)" in text
    assert "规则" in format_report([a, holdout], "zh")


def test_wilson_edges() -> None:
    assert wilson(0, 0) == (0.0, 0.0)
    low, high = wilson(0, 5)
    assert low == 0.0 and 0.4 < high < 0.45
    assert wilson(5, 5)[1] == 1.0


def test_chart_is_a_png(empty_store: Store, tmp_path: Path) -> None:
    _seed_example(empty_store)
    path = render_chart(build_report(empty_store), tmp_path / "report.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_outcomes_are_tracked_from_crm_changes(alerts_runtime: Runtime) -> None:
    store = alerts_runtime.store
    run_scan(store, today=TODAY, runtime=alerts_runtime)
    with store.session() as s:
        alerts = {a.target: a for a in s.execute(select(Alert)).scalars()}
    viewer = alerts_runtime.crm.viewer_for("li.na")
    assert viewer is not None
    alerts_runtime.crm.log_activity(viewer, account_id=1, kind="call", summary="回访王建国，确认续约意向")
    record(store, alerts["deal:4"], "sun.hao", "ack")
    with store.session() as s:
        s.add(Order(account_id=1, order_date=TODAY + timedelta(days=5), total_amount=1000.0))
    assert track_outcomes(store, today=TODAY + timedelta(days=10)) == 3
    assert track_outcomes(store, today=TODAY + timedelta(days=10)) == 0  # idempotent
    with store.session() as s:
        got = {(o.alert_id, o.kind, o.detail) for o in s.execute(select(AlertOutcome)).scalars()}
    acme, umbrella = alerts["account:1"].id, alerts["deal:4"].id
    assert got == {(acme, "acted_on", "activity"), (acme, "business", "order_placed"), (umbrella, "acted_on", "ack")}
    stats = {(s.rule, s.arm): s for s in build_report(store)}
    assert stats[("renewal_risk", "sensitive")].outcome_rate == 1.0
    assert stats[("discount_approval", "default")].precision == 1.0
