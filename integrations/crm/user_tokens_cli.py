"""``dealpilot crm connect-user USER --token-file F`` / ``dealpilot crm disconnect-user USER``.

The token is read from a file (or ``-`` for stdin), never from the command line, so it does not land
in shell history or ``ps``; what is printed shows only its masked tail.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import typer


def _vendor(vendor: str | None) -> str:
    from bot.config import get_settings

    return vendor or get_settings().crm


def _read_secret(source: Path) -> str:
    if str(source) == "-":
        return sys.stdin.read()
    try:
        return source.read_text(encoding="utf-8")
    except OSError as exc:
        typer.echo(f"Cannot read the token file {source}: {exc.strerror or type(exc).__name__}.", err=True)
        raise typer.Exit(2) from None


def _expiry(expires_at: str | None) -> datetime | None:
    if not expires_at:
        return None
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        typer.echo(f"--expires-at must be an ISO time such as 2026-12-31T18:00:00Z, not {expires_at!r}.", err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def connect_user_command(
    user: str = typer.Argument(..., help="DealPilot user id (e.g. li.na)."),
    token_file: Path = typer.Option(..., "--token-file", help="File holding the user's access token; '-' reads stdin."),
    vendor: str = typer.Option(None, "--vendor", help="hubspot or salesforce (default: DEALPILOT_CRM)."),
    instance_url: str = typer.Option(None, "--instance-url", help="Salesforce: the user's org URL (default: settings)."),
    refresh_token_file: Path = typer.Option(None, "--refresh-token-file", help="Optional file with the refresh token."),
    expires_at: str = typer.Option(None, "--expires-at", help="When the access token expires (ISO time)."),
) -> None:
    """Store USER's own CRM token: live reads then happen as USER, with the CRM's own sharing."""
    from bot.errors import InvalidInput
    from integrations.crm.cli import _store
    from integrations.crm.local.crm import LocalCRM
    from integrations.crm.remote.user_tokens import mask, save_user_token

    system = _vendor(vendor)
    expiry = _expiry(expires_at)
    secret = _read_secret(token_file)
    refresh = _read_secret(refresh_token_file) if refresh_token_file else None
    store = _store()
    try:
        if LocalCRM(store).get_user(user) is None:
            typer.echo(f"No DealPilot user {user!r}; nothing was stored.", err=True)
            raise typer.Exit(2)
        saved = save_user_token(store, system=system, user_id=user, access_token=secret, refresh_token=refresh,
                                instance_url=instance_url, expires_at=expiry)
    except InvalidInput as exc:
        typer.echo(f"{exc.en} Nothing was stored.", err=True)
        raise typer.Exit(2) from None
    finally:
        store.dispose()
    typer.echo(f"Connected {user} to {system} with token {mask(saved.access_token)}"
               + (f", expires {expiry.isoformat()}" if expiry else "") + ".")


def disconnect_user_command(
    user: str = typer.Argument(..., help="DealPilot user id."),
    vendor: str = typer.Option(None, "--vendor", help="hubspot or salesforce (default: DEALPILOT_CRM)."),
) -> None:
    """Forget USER's own CRM token: their live reads go back to the integration token and DealPilot's rules."""
    from integrations.crm.cli import _store
    from integrations.crm.remote.user_tokens import delete_user_token

    system = _vendor(vendor)
    store = _store()
    try:
        removed = delete_user_token(store, system, user)
    finally:
        store.dispose()
    if not removed:
        typer.echo(f"{user} had no {system} connection.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Disconnected {user} from {system}.")
