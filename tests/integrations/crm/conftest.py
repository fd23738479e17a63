"""Fixtures for the CRM tests: read-only access to the shared demo template, private copies to write."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.store import Store
from integrations.crm.local.crm import LocalCRM


@pytest.fixture(scope="session")
def demo_today(demo_db_template: Path) -> date:
    """The day the shared template was seeded for (tests/conftest.py seeds it with ``date.today()``)."""
    return date.today()


@pytest.fixture(scope="module")
def demo_store(demo_db_template: Path) -> Iterator[Store]:
    """The shared demo template, opened without migrating; tests here only read it."""
    store = Store.open(f"sqlite:///{demo_db_template}", migrate_schema=False)
    yield store
    store.dispose()


@pytest.fixture
def db(demo_store: Store) -> Iterator[Session]:
    with Session(demo_store.engine) as session:
        yield session


@pytest.fixture(scope="module")
def demo_crm(demo_store: Store) -> LocalCRM:
    return LocalCRM(demo_store)


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db_template: Path) -> Iterator[Store]:
    """A private, writable copy of the demo company."""
    path = tmp_path / "demo-copy.db"
    shutil.copy(demo_db_template, path)
    store = Store.open(f"sqlite:///{path}", migrate_schema=False)
    yield store
    store.dispose()
