"""``dealpilot crm connect-user`` / ``disconnect-user``: the token comes from a file or stdin, is stored
for the user, and never appears in the output; bad input is refused and stores nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.config import get_settings
from bot.store import Store
from integrations.crm.cli import app
from integrations.crm.remote.user_tokens import UserToken, get_user_token

TOKEN = "pat-na1-user-secret-9999-8888-7777-abcdef123456"


@pytest.fixture
def store(tmp_path: Path, demo_db_template: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "dealpilot.db"
    shutil.copy(demo_db_template, path)
    monkeypatch.setenv("DEALPILOT_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DEALPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("DEALPILOT_CRM", "hubspot")
    get_settings.cache_clear()
    opened = Store.open(f"sqlite:///{path}")
    yield opened
    opened.dispose()
    get_settings.cache_clear()


def test_connect_from_file_then_disconnect(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text(TOKEN + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["connect-user", "li.na", "--token-file", str(secret),
                                      "--expires-at", "2030-01-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output and "****3456" in result.output
    saved = get_user_token(store, "hubspot", "li.na")
    assert saved is not None and saved.access_token == TOKEN and saved.expires_at is not None
    assert TOKEN not in repr(saved)

    gone = CliRunner().invoke(app, ["disconnect-user", "li.na"])
    assert gone.exit_code == 0 and get_user_token(store, "hubspot", "li.na") is None
    again = CliRunner().invoke(app, ["disconnect-user", "li.na"])
    assert again.exit_code == 1 and "no hubspot connection" in again.output


def test_connect_from_stdin_for_salesforce(store: Store) -> None:
    sf_token = "00Dpeer0000000!AQ0AQUserFromStdin0001"
    result = CliRunner().invoke(app, ["connect-user", "wang.wei", "--token-file", "-", "--vendor", "salesforce",
                                      "--instance-url", "https://acme.my.salesforce.com"], input=sf_token + "\n")
    assert result.exit_code == 0, result.output
    assert sf_token not in result.output
    saved = get_user_token(store, "salesforce", "wang.wei")
    assert saved == UserToken("salesforce", "wang.wei", sf_token, None, "https://acme.my.salesforce.com", None)


@pytest.mark.parametrize("args, stdin, message", [
    (["connect-user", "nobody.here", "--token-file", "-"], TOKEN, "No DealPilot user"),
    (["connect-user", "li.na", "--token-file", "-"], "  \n", "empty or malformed"),
    (["connect-user", "li.na", "--token-file", "-"], "two words", "empty or malformed"),
    (["connect-user", "li.na", "--token-file", "-", "--vendor", "local"], TOKEN, "hubspot and salesforce"),
    (["connect-user", "li.na", "--token-file", "/nonexistent/token"], None, "Cannot read the token file"),
    (["connect-user", "li.na", "--token-file", "-", "--expires-at", "tomorrow"], TOKEN, "--expires-at"),
])
def test_bad_input_stores_nothing(store: Store, args: list[str], stdin: str | None, message: str) -> None:
    result = CliRunner().invoke(app, args, input=stdin)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert TOKEN not in result.output
    assert get_user_token(store, "hubspot", "li.na") is None and get_user_token(store, "local", "li.na") is None
