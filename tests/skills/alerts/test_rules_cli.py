"""``dealpilot rules`` run / list / test / report / enable / disable on the demo company."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.config import get_settings


@pytest.fixture
def cli_home(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEALPILOT_HOME", str(demo_home))
    monkeypatch.delenv("DEALPILOT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield demo_home
    get_settings.cache_clear()


def test_run_list_test_toggle_and_report(cli_home: Path, tmp_path: Path) -> None:
    from skills.alerts.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0 and "renewal_risk" in listed.output and "v1" in listed.output
    tested = runner.invoke(app, ["test", "discount_approval"])
    assert tested.exit_code == 0 and "deal:4" in tested.output and "1 would fire" in tested.output
    ran = runner.invoke(app, ["run", "--deliver"])
    assert ran.exit_code == 0 and "5 new alerts" in ran.output and '"sent": 8' in ran.output
    again = runner.invoke(app, ["run"])
    assert "0 new alerts" in again.output
    denied = runner.invoke(app, ["disable", "stale_deal", "--as", "li.na"])
    assert denied.exit_code == 1 and "Only managers" in denied.output
    done = runner.invoke(app, ["disable", "stale_deal", "--as", "maria.garcia"])
    assert done.exit_code == 0 and "stale_deal is off (v2, by maria.garcia)" in done.output
    png = tmp_path / "chart.png"
    report = runner.invoke(app, ["report", "--png", str(png)])
    assert report.exit_code == 0 and "renewal_risk" in report.output and "holdout" not in report.output
    assert png.read_bytes()[:4] == b"\x89PNG"
