"""Tolerant readers for vendor field values: a field with an unexpected type becomes ``None``
(and a warning naming the field), never a crashed answer or a half-written sync page."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Any

log = logging.getLogger("dealpilot.crm.remote")


def _bad(field: str, value: Any) -> None:
    log.warning("vendor field %s has an unexpected value of type %s; ignored", field, type(value).__name__)


def as_text(value: Any, field: str = "") -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    _bad(field, value)
    return None


def as_float(value: Any, field: str = "") -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        _bad(field, value)
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        _bad(field, value)
        return None


def as_bool(value: Any, field: str = "") -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    _bad(field, value)
    return None


def as_datetime(value: Any, field: str = "") -> datetime | None:
    """ISO-8601 text (``Z``, ``+0000`` or offset), epoch milliseconds, or a datetime -> aware UTC."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parsed = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
        elif isinstance(value, str) and value.isdigit():
            parsed = datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
        elif isinstance(value, str):
            text = value.replace("Z", "+00:00")
            if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Salesforce: +0000
                text = text[:-2] + ":" + text[-2:]
            parsed = datetime.fromisoformat(text)
        else:
            raise TypeError(type(value).__name__)
    except (TypeError, ValueError, OverflowError):
        _bad(field, value)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def as_date(value: Any, field: str = "") -> date | None:
    """``YYYY-MM-DD`` or a datetime (its UTC calendar day)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            _bad(field, value)
            return None
    parsed = as_datetime(value, field)
    return parsed.date() if parsed else None


def iso_z(moment: datetime) -> str:
    """UTC ``2026-01-02T03:04:05.000Z``: the form both vendors accept in filters."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
