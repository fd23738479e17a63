"""``dealpilot slack`` (Socket Mode) and ``dealpilot serve --port P`` (HTTP mode), mounted by ``bot/cli.py``.

Heavy imports stay inside the functions so ``dealpilot ask`` does not pay for Bolt and uvicorn.
"""

from __future__ import annotations

from typing import Any

import typer


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


BACKGROUND_HELP = "Also run background jobs (rule scans, outbox delivery to Slack) in this process."


def run_slack(background: bool = typer.Option(True, "--background/--no-background", help=BACKGROUND_HELP)) -> None:
    """Run DealPilot as a Slack app over Socket Mode (needs the bot and app-level tokens)."""
    from bot.adapters.slack.app import SlackBot
    from bot.adapters.slack.credentials import SlackConfigError, SlackCredentials
    from bot.adapters.slack.socket import socket_mode_handler
    from bot.config import get_settings
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    try:
        credentials = SlackCredentials.from_settings(get_settings(), transport="socket")
    except SlackConfigError as exc:
        _fail(str(exc))
        return
    runtime = Runtime()
    bot = SlackBot(runtime, credentials)
    assert credentials.app_token is not None
    typer.echo("DealPilot is connecting to Slack over Socket Mode (Ctrl+C to stop)…")
    scheduler = _start_background(runtime, bot) if background else None
    try:
        socket_mode_handler(bot, app_token=credentials.app_token).start()
    finally:
        if scheduler is not None:
            scheduler.stop()
        bot.close()
        runtime.close()


def serve(
    port: int = typer.Option(3000, "--port", "-p", help="TCP port for /slack/events."),
    host: str = typer.Option("0.0.0.0", "--host", help="Interface to listen on."),
    background: bool = typer.Option(True, "--background/--no-background", help=BACKGROUND_HELP),
) -> None:
    """Serve the Slack HTTP Events API on /slack/events (needs the bot token and the signing secret)."""
    import uvicorn

    from bot.adapters.slack.app import SlackBot
    from bot.adapters.slack.credentials import SlackConfigError, SlackCredentials
    from bot.adapters.slack.http import EVENTS_PATH, build_asgi_app
    from bot.config import get_settings
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    try:
        credentials = SlackCredentials.from_settings(get_settings(), transport="http")
    except SlackConfigError as exc:
        _fail(str(exc))
        return
    runtime = Runtime()
    bot = SlackBot(runtime, credentials)
    typer.echo(f"DealPilot serves Slack events on http://{host}:{port}{EVENTS_PATH}")
    scheduler = _start_background(runtime, bot) if background else None
    try:
        uvicorn.run(build_asgi_app(bot), host=host, port=port, log_level="warning")
    finally:
        if scheduler is not None:
            scheduler.stop()
        bot.close()
        runtime.close()


def _start_background(runtime: Any, bot: Any) -> Any:
    """Skills' periodic jobs and outbox delivery through Slack (DB leases: safe with several workers)."""
    from bot.scheduler import start_background

    return start_background(runtime, bot.deliver)
