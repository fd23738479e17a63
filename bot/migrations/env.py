"""Alembic environment: runs against the engine the caller hands over (or DEALPILOT settings)."""

from __future__ import annotations

from alembic import context

from bot.schema import load_all_models

target_metadata = load_all_models().metadata


def _engine():  # type: ignore[no-untyped-def]
    engine = context.config.attributes.get("engine")
    if engine is None:
        from bot.config import get_settings
        from bot.store import make_engine

        engine = make_engine(get_settings().resolved_database_url)
    return engine


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
