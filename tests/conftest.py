"""Shared fixtures: a migrated database, the demo company (seeded once per session), a runtime."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

import bot  # noqa: F401  (telemetry-off defaults before any library loads)
from bot.config import Settings
from bot.messages import Message, Reply
from bot.runtime import Runtime
from bot.store import Store

TODAY = date.today()


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and ``.env``."""
    return Settings(_env_file=None, home=home, **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company seeded once into a SQLite file; tests get a copy each."""
    from integrations.crm.demo import seed_demo

    path = tmp_path_factory.mktemp("demo-template") / "dealpilot.db"
    store = Store.open(f"sqlite:///{path}")
    seed_demo(store, today=TODAY)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture
def demo_home(tmp_path: Path, demo_db_template: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_db_template, home / "dealpilot.db")
    return home


@pytest.fixture
def settings(demo_home: Path) -> Settings:
    return make_settings(demo_home)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime on a private copy of the demo company, offline engine (no LLM configured)."""
    rt = Runtime(settings)
    yield rt
    rt.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    yield store
    store.dispose()


@pytest.fixture
def ask(runtime: Runtime):  # type: ignore[no-untyped-def]
    """``ask(text, user, **message_fields) -> Reply`` through the console path."""

    def _ask(text: str, user: str = "li.na", **fields: object) -> Reply:
        from bot.adapters.console import console_message

        return runtime.handle(console_message(text, user=user, **fields))  # type: ignore[arg-type]

    return _ask


def postgres_url() -> str | None:
    return os.environ.get("DEALPILOT_TEST_DATABASE_URL")


@contextmanager
def private_pg_schema(prefix: str = "t") -> Iterator[str]:
    """A database URL whose search_path is a fresh schema on the test PostgreSQL, dropped afterwards.

    Each test gets its own schema so parallel runs (and other projects' tests) on the shared
    ``test`` database never see each other's tables. Skips the test when no server is configured.
    """
    from urllib.parse import quote

    from sqlalchemy import text

    from bot.store import make_engine

    base = postgres_url()
    if not base:
        pytest.skip("DEALPILOT_TEST_DATABASE_URL not set")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def press(runtime: Runtime, *, user: str, action_id: str, value: str = "", channel: str = "console",
          thread: str | None = None) -> Reply:
    """Press a button as ``user`` (console platform), in the thread where the button was shown."""
    from bot.messages import Action

    return runtime.handle(Message(platform="console", user=user, channel=channel, thread=thread,
                                  action=Action(action_id=action_id, value=value)))
