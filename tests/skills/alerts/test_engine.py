"""The engine: decimal arithmetic, missing values, guards (lint first, time limit, error budget), A/B."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from skills.alerts.engine import CompiledRule, RuleRejected
from skills.alerts.experiments import HOLDOUT, assign, bucket
from skills.alerts.features import FeatureFrame, TargetRow, pct_change
from skills.alerts.ruleset import spec_from_dict

MESSAGES = {"zh": "提醒 {account}", "en": "Alert {account}"}


def _spec(condition: str, **extra: object):  # type: ignore[no-untyped-def]
    return spec_from_dict({"name": "t1", "target": "account", "condition": condition, "messages": MESSAGES, **extra})


def _frame(values: list[dict[str, object]]) -> FeatureFrame:
    rows = [TargetRow(target=f"account:{i}", account_id=i, opportunity_id=None, owner_id="li.na", team_id=None,
                      account_name={"zh": f"客户{i}", "en": f"A{i}"}, values=v) for i, v in enumerate(values, 1)]
    return FeatureFrame(today=date(2026, 1, 1), accounts=rows, deals=[])


def test_decimal_arithmetic_85_times_1_4_is_119() -> None:
    rule = CompiledRule(_spec("orders_3m * 1.4 == 119"))
    run = rule.run(_frame([{"orders_3m": 85}, {"orders_3m": 84}]))
    assert [f.row.account_id for f in run.fired] == [1]


def test_missing_values_never_fire() -> None:
    rule = CompiledRule(_spec("competitor_mentions_change_pct_30d > 40"))
    run = rule.run(_frame([{"competitor_mentions_change_pct_30d": None}, {"competitor_mentions_change_pct_30d": 41}]))
    assert [f.row.account_id for f in run.fired] == [2] and run.skipped_missing == 1
    assert pct_change(3, 0) is None and pct_change(0, 0) == 0.0 and pct_change(8, 5) == 60.0


def test_a_rule_that_fails_lint_is_never_compiled() -> None:
    with pytest.raises(RuleRejected, match="map"):
        CompiledRule(_spec("map([1, 2], # > 1) == [true]"))


def test_bad_data_is_counted_not_raised() -> None:
    rule = CompiledRule(_spec("orders_3m > 2"))
    run = rule.run(_frame([{"orders_3m": "three"}, {"orders_3m": 5}]))
    assert run.errors == 1 and [f.row.account_id for f in run.fired] == [2] and run.stopped is None


def test_time_limit_stops_the_rule_and_drops_partial_results() -> None:
    rule = CompiledRule(_spec("orders_3m > 2"))
    run = rule.run(_frame([{"orders_3m": 5}] * 5000), time_limit_s=0.0)
    assert run.stopped and "time limit" in run.stopped and run.fired == []


def test_assignment_is_stable_and_follows_weights_and_holdout() -> None:
    spec = _spec("orders_3m > 2", params={"n": 1}, experiment={
        "name": "exp1", "holdout_pct": 10,
        "variants": [{"name": "a", "params": {"n": 1}, "weight": 3}, {"name": "b", "params": {"n": 2}, "weight": 1}]})
    targets = [f"account:{i}" for i in range(20000)]
    first = [assign(spec, t) for t in targets]
    assert first == [assign(spec, t) for t in targets]  # stable
    counts = Counter(first)
    assert abs(counts[HOLDOUT] / 20000 - 0.10) < 0.01
    assert abs(counts["a"] / 20000 - 0.675) < 0.015 and abs(counts["b"] / 20000 - 0.225) < 0.015
    assert bucket("exp1", "account:1") != bucket("exp2", "account:1")  # experiments are independent


def test_variants_use_their_own_thresholds() -> None:
    spec = _spec("orders_3m >= n", params={"n": 5}, experiment={
        "name": "thr", "holdout_pct": 0,
        "variants": [{"name": "low", "params": {"n": 1}, "weight": 1}, {"name": "high", "params": {"n": 100}, "weight": 1}]})
    run = CompiledRule(spec).run(_frame([{"orders_3m": 3}] * 400))
    assert {f.arm for f in run.fired} == {"low"}
    assert len(run.fired) == sum(1 for i in range(1, 401) if assign(spec, f"account:{i}") == "low")
