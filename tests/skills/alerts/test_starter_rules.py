"""Each starter rule fires on its planted story and nowhere else; Huakang (the healthy control) never."""

from __future__ import annotations

from bot.runtime import Runtime
from skills.alerts.scan import run_scan
from tests.conftest import TODAY

EXPECTED = {
    "renewal_risk": {"account:1"},  # ACME
    "stale_deal": {"deal:3"},  # Globex
    "discount_approval": {"deal:4"},  # Umbrella
    "stakeholder_coverage": {"deal:5"},  # Stark
    "budget_cycle": {"deal:6"},  # Hangzhou Data Bureau
}


def test_starter_rules_fire_exactly_on_their_stories(alerts_runtime: Runtime) -> None:
    report = run_scan(alerts_runtime.store, today=TODAY, runtime=alerts_runtime, write=False)
    fired = {run.rule: {f.row.target for f in run.fired} for run in report.runs}
    assert fired == EXPECTED
    assert all(run.errors == 0 and run.stopped is None for run in report.runs)
    huakang = {"account:7", "deal:7"}
    assert not any(huakang & targets for targets in fired.values())
