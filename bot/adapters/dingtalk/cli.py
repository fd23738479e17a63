"""``dealpilot dingtalk``: run DealPilot as a DingTalk Stream-mode robot."""

from __future__ import annotations

import typer


def run_dingtalk(
    watchdog_seconds: float = typer.Option(
        90.0, "--watchdog-seconds", min=1.0, help="Reconnect after this long without a ping or message."
    ),
    stream_threshold: int = typer.Option(
        6000,
        "--stream-threshold",
        min=256,
        help="Stream answers longer than this many bytes into an AI card.",
    ),
    background: bool = typer.Option(
        True,
        "--background/--no-background",
        help="Also run background jobs (rule scans, outbox delivery to DingTalk) in this process.",
    ),
) -> None:
    """Connect to DingTalk in Stream mode (needs DEALPILOT_DINGTALK_CLIENT_ID and _CLIENT_SECRET)."""
    from bot.adapters.dingtalk.app import DingTalkApp, DingTalkConfigError, check_settings
    from bot.config import get_settings
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime
    from bot.scheduler import start_background

    settings = get_settings()
    try:
        check_settings(settings)
    except DingTalkConfigError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    configure_logging()
    runtime = Runtime(settings)
    app = DingTalkApp(runtime, watchdog_s=watchdog_seconds, stream_threshold_bytes=stream_threshold)
    typer.echo(f"DealPilot DingTalk bot connecting to {app.api.base_url} (Ctrl-C to stop)")
    scheduler = start_background(runtime, app.deliver) if background else None
    try:
        app.run_forever()
    finally:
        if scheduler is not None:
            scheduler.stop()
        runtime.close()
