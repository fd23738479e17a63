"""Alerts: manager-written rules over live CRM signals, delivered through the outbox, measured by A/B."""

from __future__ import annotations

from skills.alerts.skill import AlertsSkill

__all__ = ["AlertsSkill"]
