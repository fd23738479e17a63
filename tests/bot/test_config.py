import json

from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import make_settings


def test_masked_settings_hide_secrets(tmp_path) -> None:
    settings = make_settings(tmp_path, slack_bot_token="xoxb-123-secret", llm_api_key="sk-abcdefghijkl",
                             database_url="postgresql://u:hunter2@db/x")
    shown = settings.masked()
    dumped = json.dumps(shown, default=str)
    assert "xoxb-123-secret" not in dumped and "sk-abcdefghijkl" not in dumped and "hunter2" not in dumped
    assert shown["slack_bot_token"] == "********"


def test_default_database_is_sqlite_under_home(tmp_path) -> None:
    assert make_settings(tmp_path).resolved_database_url.endswith(f"{tmp_path}/dealpilot.db")


def test_config_command_prints_masked_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DEALPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("DEALPILOT_SLACK_BOT_TOKEN", "xoxb-999-top-secret")
    from bot.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["config"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "xoxb-999-top-secret" not in result.output
    assert json.loads(result.output)["home"] == str(tmp_path)
