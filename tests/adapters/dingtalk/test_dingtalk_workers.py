"""Several bot workers on one PostgreSQL database answer a redelivered message exactly once."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dingtalk_support import FAST_RETRY, ProbeSkill, dingtalk_settings
from peers.dingtalk_peer import DingTalkPeer

from bot.adapters.dingtalk.app import DingTalkApp
from bot.adapters.dingtalk.events import message_from_callback
from bot.config import Settings
from bot.runtime import Runtime

SERVER_URL = os.environ.get("DEALPILOT_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A private, empty database on the PostgreSQL server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server")
    name = "dealpilot_dt_" + uuid.uuid4().hex[:10]
    admin.execute(f'CREATE DATABASE "{name}"')
    base = SERVER_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_workers_share_deduplication_through_the_database(
    pg_database: str, peer: DingTalkPeer, tmp_path: Path
) -> None:
    from skills.help import HelpSkill

    runtimes = [
        Runtime(
            dingtalk_settings(
                Settings(_env_file=None, home=tmp_path / f"w{i}", database_url=pg_database),  # type: ignore[call-arg]
                peer,
            ),
            skills=[ProbeSkill(), HelpSkill()],
        )
        for i in range(2)
    ]
    apps = [DingTalkApp(rt, retry=FAST_RETRY) for rt in runtimes]  # two workers; not connected: we call them
    try:
        inbound = message_from_callback(
            peer.bot_message(text="/probe once", staff_id="dt_li_na", conversation_type="1")
        )
        barrier = threading.Barrier(4)
        results: list[object] = []

        def worker(app: DingTalkApp) -> None:
            barrier.wait()
            results.append(app.answer(inbound))

        threads = [threading.Thread(target=worker, args=(app,)) for app in apps for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert len(results) == 4
        assert sum(r is not None for r in results) == 1
        assert sum(app.duplicates for app in apps) == 3
        assert len(peer.webhook_posts) == 1
    finally:
        for app, rt in zip(apps, runtimes, strict=True):
            app.api.close()
            rt.close()
