"""Fixtures of the alerts tests: a runtime on the demo company with only the alerts skill.

Only the alerts skill is loaded so these tests do not depend on other skills being importable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.runtime import Runtime
from skills.alerts import AlertsSkill
from tests.conftest import postgres_url


@pytest.fixture
def alerts_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings, skills=[AlertsSkill()])
    yield rt
    rt.close()


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A private schema on the test PostgreSQL (skipped without DEALPILOT_TEST_DATABASE_URL)."""
    base = postgres_url()
    if not base:
        pytest.skip("DEALPILOT_TEST_DATABASE_URL not set")
    schema = f"t_alerts_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
