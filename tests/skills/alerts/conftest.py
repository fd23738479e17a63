"""Fixtures of the alerts tests: a runtime on the demo company with only the alerts skill.

Only the alerts skill is loaded so these tests do not depend on other skills being importable.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from skills.alerts import AlertsSkill
from tests.conftest import private_pg_schema


@pytest.fixture
def alerts_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings, skills=[AlertsSkill()])
    yield rt
    rt.close()


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A private schema on the test PostgreSQL (skipped without DEALPILOT_TEST_DATABASE_URL)."""
    with private_pg_schema("alerts") as url:
        yield url
