"""The store on SQLite always, and on PostgreSQL when DEALPILOT_TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.conversation import Conversation
from bot.store import Store
from tests.conftest import private_pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 's.db'}")
        yield s
        s.dispose()
        return
    with private_pg_schema("store") as url:
        s = Store.open(url)
        yield s
        s.dispose()


def test_migrations_create_crm_and_runtime_tables(store: Store) -> None:
    for table in ("crm_account", "crm_opportunity", "bot_conversation_state", "bot_processed_event", "alembic_version"):
        assert store.has_table(table), table


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    s = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    s.dispose()


def test_migrating_twice_is_a_no_op(store: Store) -> None:
    from bot.store import migrate

    migrate(store.engine)
    assert store.has_table("crm_account")


def test_claim_event_is_true_once(store: Store) -> None:
    assert store.claim_event("slack:Ev1") is True
    assert store.claim_event("slack:Ev1") is False
    assert store.claim_event("slack:Ev2") is True


def test_conversation_state_survives_a_new_store_object(store: Store) -> None:
    Conversation(store, "k1").set(skill="roleplay", state="playing", data={"turn": 3})
    reopened = Store(store.url)
    try:
        row = Conversation(reopened, "k1").load()
        assert row is not None and row.skill == "roleplay" and row.data == {"turn": 3}
    finally:
        reopened.dispose()


def test_conversation_history_is_trimmed(store: Store) -> None:
    conv = Conversation(store, "k2")
    for i in range(50):
        conv.append_history("user", f"m{i}")
    history = conv.history()
    assert len(history) == 40 and history[-1]["text"] == "m49"


def test_declared_heads_match_alembics_own_view(tmp_path) -> None:
    from alembic.script import ScriptDirectory

    from bot.store import alembic_config, declared_heads

    s = Store(f"sqlite:///{tmp_path / 'h.db'}")
    assert declared_heads() == set(ScriptDirectory.from_config(alembic_config(s.engine)).get_heads())
    s.dispose()


def test_schema_is_current_only_after_migrating(tmp_path) -> None:
    from bot.store import migrate, schema_is_current

    s = Store(f"sqlite:///{tmp_path / 'c.db'}")
    assert not schema_is_current(s.engine)
    migrate(s.engine)
    assert schema_is_current(s.engine)
    s.dispose()
