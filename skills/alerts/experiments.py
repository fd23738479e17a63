"""A/B assignment: which arm a target is in, stable across scans, processes and restarts.

Why a hash and not a random draw stored somewhere: the same (experiment, target) must always land
in the same arm without any shared state, so two bot processes agree and an account does not hop
between "alerted" and "hold-out" from one scan to the next. SHA-256 of ``"<experiment>:<target>"``
gives a uniform number in [0, 1); the first ``holdout_pct`` percent is the hold-out arm (evaluated
and logged, never sent), the rest is split among the variants by weight.
"""

from __future__ import annotations

import hashlib

from skills.alerts.ruleset import RuleSpec

HOLDOUT = "holdout"
DEFAULT = "default"


def bucket(experiment: str, target: str) -> float:
    """A stable number in [0, 1) for this experiment and target."""
    digest = hashlib.sha256(f"{experiment}:{target}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(spec: RuleSpec, target: str) -> str:
    """The arm of ``target`` under ``spec``'s experiment: a variant name, ``holdout`` or ``default``."""
    experiment = spec.experiment
    if experiment is None:
        return DEFAULT
    u = bucket(experiment.name, target)
    holdout = experiment.holdout_pct / 100.0
    if u < holdout:
        return HOLDOUT
    total = sum(v.weight for v in experiment.variants)
    point = (u - holdout) / (1.0 - holdout) * total
    for variant in experiment.variants:
        if point < variant.weight:
            return variant.name
        point -= variant.weight
    return experiment.variants[-1].name


def arm_params(spec: RuleSpec, arm: str) -> dict[str, float]:
    """The rule's parameters with the variant's overrides (the hold-out arm uses the rule's own)."""
    params = dict(spec.params)
    if spec.experiment is not None:
        for variant in spec.experiment.variants:
            if variant.name == arm:
                params.update(variant.params)
    return params


def arms(spec: RuleSpec) -> list[str]:
    if spec.experiment is None:
        return [DEFAULT]
    names = [v.name for v in spec.experiment.variants]
    return [*names, HOLDOUT] if spec.experiment.holdout_pct > 0 else names
