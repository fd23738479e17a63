"""``dealpilot dingtalk``: a clear error naming the missing settings, and nothing started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.adapters.dingtalk.app import DingTalkApp, DingTalkConfigError, check_settings
from bot.adapters.dingtalk.cli import run_dingtalk
from bot.config import Settings, get_settings
from bot.runtime import Runtime


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "API_URL", "ROBOT_CODE"):
        monkeypatch.delenv(f"DEALPILOT_DINGTALK_{name}", raising=False)
    monkeypatch.setenv("DEALPILOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # no developer .env
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(run_dingtalk)
    return app


def test_missing_settings_are_named(clean_env: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), [])
    assert result.exit_code == 2
    assert (
        "DEALPILOT_DINGTALK_CLIENT_ID" in result.output
        and "DEALPILOT_DINGTALK_CLIENT_SECRET" in result.output
    )
    assert not (tmp_path / "home" / "dealpilot.db").exists()  # nothing was started or created


def test_missing_secret_only_names_the_secret(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALPILOT_DINGTALK_CLIENT_ID", "dingabc")
    result = CliRunner().invoke(_cli(), [])
    assert result.exit_code == 2
    assert "DEALPILOT_DINGTALK_CLIENT_SECRET" in result.output
    assert "DEALPILOT_DINGTALK_CLIENT_ID " not in result.output


def test_app_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, home=tmp_path)  # type: ignore[call-arg]
    with pytest.raises(DingTalkConfigError, match="DEALPILOT_DINGTALK_CLIENT_ID"):
        check_settings(settings)
    runtime = Runtime(settings, skills=[])
    try:
        with pytest.raises(DingTalkConfigError):
            DingTalkApp(runtime)
    finally:
        runtime.close()


def test_cli_entry_point_is_where_bot_cli_mounts_it() -> None:
    from bot.cli import BENCH_COMMANDS, TOP_COMMANDS

    assert ("dingtalk", "bot.adapters.dingtalk.cli:run_dingtalk") in TOP_COMMANDS
    assert ("dingtalk", "bot.adapters.dingtalk.bench:bench_dingtalk") in BENCH_COMMANDS
