"""``dealpilot crm sync`` end to end against the HubSpot peer, configured through DEALPILOT_* settings."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.config import get_settings
from tests.peers import hubspot_peer


@pytest.mark.slow
def test_crm_sync_command(remote, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if remote.name != "hubspot":
        return  # one vendor is enough for the command's wiring; the engine is tested for both
    from integrations.crm.cli import app

    monkeypatch.setenv("DEALPILOT_DATABASE_URL", remote.store.url)
    monkeypatch.setenv("DEALPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("DEALPILOT_CRM", "hubspot")
    monkeypatch.setenv("DEALPILOT_CRM_MODE", "sync")
    monkeypatch.setenv("DEALPILOT_HUBSPOT_HOST", remote.peer.url)
    monkeypatch.setenv("DEALPILOT_HUBSPOT_ACCESS_TOKEN", hubspot_peer.TOKEN)
    remote.peer.page_cap = 200
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["sync", "--page-size", "200"])
        assert result.exit_code == 0, result.output
        assert "account: 200 updated" in result.output
        assert hubspot_peer.TOKEN not in result.output
        again = CliRunner().invoke(app, ["sync"])
        assert again.exit_code == 0 and "account: 200 updated" not in again.output
        monkeypatch.setenv("DEALPILOT_HUBSPOT_ACCESS_TOKEN", hubspot_peer.EXPIRED_TOKEN)
        get_settings.cache_clear()
        expired = CliRunner().invoke(app, ["sync"])
        assert expired.exit_code == 1 and "renew the access token" in " ".join(expired.output.split())
    finally:
        remote.peer.page_cap = 37
        get_settings.cache_clear()
