"""The roleplay Alembic branch creates exactly its tables on a fresh database."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.store import Store


def test_migration_creates_roleplay_tables(empty_store: Store) -> None:
    tables = {t for t in inspect(empty_store.engine).get_table_names() if t.startswith("roleplay_")}
    assert tables == {"roleplay_session", "roleplay_turn", "roleplay_attempt", "roleplay_progress", "roleplay_learner"}
    with empty_store.engine.connect() as conn:
        heads = {r[0] for r in conn.exec_driver_sql("select version_num from alembic_version")}
    assert "0009_roleplay" in heads
