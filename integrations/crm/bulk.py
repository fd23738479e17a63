"""Bulk writes to the embedded CRM tables: insert many rows fast, wipe, keep id sequences right.

The demo generator and the importer both write tens of thousands of rows with ids chosen up front
(so references between rows are known before anything is written). Core ``executemany`` inserts do
that in well under a second on SQLite; on PostgreSQL the id sequences are then moved past the
largest id, or the next ``log_activity`` would collide with a seeded row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Integer, delete, func, select, text
from sqlmodel import Session, SQLModel

from integrations.crm.local.models import ALL_TABLES

CHUNK = 5000


def model_defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Field defaults of ``model`` (callables resolved per row by ``complete_rows``)."""
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            defaults[name] = info.default_factory
        elif info.default is not PydanticUndefined:
            defaults[name] = info.default
    return defaults


def complete_rows(model: type[SQLModel], rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Give every row every column (``executemany`` needs identical keys), filling model defaults.

    Raises:
        KeyError: a row names a column the table does not have, or misses a required one.
    """
    columns = [c.name for c in model.__table__.columns]  # type: ignore[attr-defined]
    known = set(columns)
    defaults = model_defaults(model)
    out: list[dict[str, Any]] = []
    for row in rows:
        extra = set(row) - known
        if extra:
            raise KeyError(f"{model.__tablename__}: unknown columns {sorted(extra)}")
        full: dict[str, Any] = {}
        for name in columns:
            if name in row:
                full[name] = row[name]
            elif name in defaults:
                value = defaults[name]
                full[name] = value() if callable(value) else value
            else:
                raise KeyError(f"{model.__tablename__}: missing required column {name!r}")
        out.append(full)
    return out


def insert_rows(session: Session, model: type[SQLModel], rows: list[Mapping[str, Any]]) -> int:
    """Insert ``rows`` into ``model``'s table in chunks; returns how many were written."""
    table = model.__table__  # type: ignore[attr-defined]
    full = complete_rows(model, rows)
    for start in range(0, len(full), CHUNK):
        session.execute(table.insert(), full[start : start + CHUNK])
    return len(full)


def wipe_crm(session: Session) -> None:
    """Delete every row of every ``crm_*`` table (children first, though no FKs bind them)."""
    for model in reversed(ALL_TABLES):
        session.execute(delete(model))


def crm_counts(session: Session) -> dict[str, int]:
    """Row count per CRM table name."""
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()  # type: ignore[misc]
        for model in ALL_TABLES
    }


def sync_id_sequences(session: Session) -> None:
    """On PostgreSQL, move each serial ``id`` sequence past the largest id written explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in ALL_TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        id_col = table.columns.get("id")
        if id_col is None or not isinstance(id_col.type, Integer):
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
