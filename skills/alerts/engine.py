"""Evaluate linted rules over a feature frame with zen-engine: compiled once, run under a time limit.

Guards, because a bad expression can take the process down or stall a scan:
- only rules that lint clean are compiled (catalog fields and parameters only, no ranges, no
  closures, no function nodes beyond abs/round/floor/ceil);
- each rule gets a time budget; it is checked every ``CHECK_EVERY`` targets and a rule that runs
  over is stopped and reported, its partial results dropped (all or nothing per rule);
- an evaluation error on one target is counted, not raised; a rule with too many errors is stopped.
Decimal arithmetic is zen's (85 * 1.4 == 119 holds).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import zen

from skills.alerts.catalog import fields_for
from skills.alerts.experiments import arm_params, arms, assign
from skills.alerts.expressions import referenced_fields
from skills.alerts.features import FeatureFrame, TargetRow
from skills.alerts.lint import RuleContext, lint_rule
from skills.alerts.ruleset import RuleSpec

log = logging.getLogger("dealpilot.alerts.engine")

CHECK_EVERY = 1024
DEFAULT_TIME_LIMIT_S = 3.0
MAX_ERRORS = 50


class RuleRejected(ValueError):
    """The rule did not pass lint, so it is never compiled."""


@dataclass
class Firing:
    """A rule matched a target: which arm it was in and the values that made it fire."""

    rule: "CompiledRule"
    row: TargetRow
    arm: str
    facts: dict[str, Any]


@dataclass
class RuleRun:
    """How one rule's evaluation went."""

    rule: str
    evaluated: int = 0
    skipped_missing: int = 0
    errors: int = 0
    fired: list[Firing] = field(default_factory=list)
    stopped: str | None = None  # why the rule was stopped (time limit, errors)
    seconds: float = 0.0


class CompiledRule:
    """A rule ready to run: one compiled zen expression, the fields it reads and each arm's parameters."""

    def __init__(self, spec: RuleSpec, *, version_id: int | None = None, version_number: int = 0) -> None:
        issues = lint_rule(spec.to_dict(), RuleContext(file="<saved>", index=0))
        if issues:
            raise RuleRejected("; ".join(i.format("en") for i in issues))
        self.spec = spec
        self.version_id = version_id
        self.version_number = version_number
        self.fields = referenced_fields(spec.condition, fields_for(spec.target))
        self.expression = zen.compile_expression(spec.condition)
        self.params = {arm: arm_params(spec, arm) for arm in arms(spec)}

    @property
    def name(self) -> str:
        return self.spec.name

    def run(self, frame: FeatureFrame, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> RuleRun:
        """Evaluate over every target of the rule's kind; all-or-nothing under the time limit."""
        result = RuleRun(rule=self.name)
        started = time.perf_counter()
        deadline = started + time_limit_s
        fields = self.fields
        evaluate = self.expression.evaluate
        experiment = self.spec.experiment is not None
        default_params = self.params[next(iter(self.params))]
        rows = frame.rows(self.spec.target)
        columns = [frame.column(self.spec.target, f) for f in fields]
        for i, values in enumerate(zip(*columns) if columns else ((),) * len(rows)):
            if i % CHECK_EVERY == 0 and i and time.perf_counter() > deadline:
                result.stopped = f"time limit {time_limit_s:.1f}s exceeded after {i} targets"
                result.fired.clear()
                break
            if None in values:
                result.skipped_missing += 1
                continue
            context = dict(zip(fields, values))
            row = rows[i]
            arm = assign(self.spec, row.target) if experiment else "default"
            context.update(self.params[arm] if experiment else default_params)
            result.evaluated += 1
            try:
                matched = evaluate(context)
            except Exception:  # zen raises RuntimeError on type errors in data; count, don't crash the scan
                result.errors += 1
                if result.errors > MAX_ERRORS:
                    result.stopped = f"more than {MAX_ERRORS} evaluation errors"
                    result.fired.clear()
                    break
                continue
            if matched is True:
                result.fired.append(Firing(self, row, arm, dict(zip(fields, values))))
        result.seconds = time.perf_counter() - started
        if result.stopped:
            log.warning("rule %s stopped: %s", self.name, result.stopped)
        return result

    def explain(self, firing: Firing, language: str) -> str:
        """Why it fired, as ``field = value`` pairs (for ``/rules test`` and the alert's small print)."""
        from skills.alerts.catalog import CATALOG

        parts = []
        for name, value in firing.facts.items():
            unit = CATALOG[name].unit(language)
            shown = format_value(value)
            parts.append(f"{name} = {shown}{(' ' + unit) if unit and unit != '%' else unit}")
        return ", ".join(parts)


def format_value(value: Any) -> str:
    """A feature value as people read it: 86,400,000 not 8.64e+07; 60 not 60.0."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:g}"
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def compile_rules(specs: list[tuple[Any, ...]]) -> tuple[list[CompiledRule], dict[str, str]]:
    """Compile ``(spec, version id[, version number])`` that pass lint; a bad one is reported, never fatal."""
    compiled: list[CompiledRule] = []
    rejected: dict[str, str] = {}
    for spec, version_id, *rest in specs:
        try:
            compiled.append(CompiledRule(spec, version_id=version_id, version_number=rest[0] if rest else 0))
        except Exception as exc:
            rejected[spec.name] = str(exc)
    return compiled, rejected


def evaluate(rules: list[CompiledRule], frame: FeatureFrame, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> list[RuleRun]:
    return [rule.run(frame, time_limit_s=time_limit_s) for rule in rules]
