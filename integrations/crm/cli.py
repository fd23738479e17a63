"""``dealpilot crm import DIR`` / ``dealpilot crm export DIR``: the spreadsheet door into the CRM.

Heavy modules load inside the commands so that mounting this app keeps ``dealpilot ask`` fast.
"""

from __future__ import annotations

from pathlib import Path

import typer

SHOWN_ERRORS = 100
app = typer.Typer(no_args_is_help=True, help="Embedded CRM: import and export (CSV or JSON, one file per entity).")


def _store():  # type: ignore[no-untyped-def]
    from bot.config import get_settings
    from bot.store import Store

    return Store.open(get_settings().resolved_database_url)


def _summary(title: str, counts: dict[str, int]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    table.add_row("[bold]total[/]", f"[bold]{sum(counts.values()):,}[/]")
    Console().print(table)


@app.command("export")
def export_command(
    directory: Path = typer.Argument(..., help="Folder to write the files into (created if missing)."),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
) -> None:
    """Write every CRM entity to DIR, one file per entity (see docs/crm-import.md)."""
    from bot.errors import InvalidInput
    from integrations.crm.io import export_crm

    store = _store()
    try:
        counts = export_crm(store, directory, fmt=fmt)  # type: ignore[arg-type]
    except InvalidInput as exc:
        typer.echo(exc.en, err=True)
        raise typer.Exit(2) from None
    finally:
        store.dispose()
    _summary(f"Exported to {directory} ({fmt})", {f"{k}.{fmt}": v for k, v in counts.items()})


@app.command("import")
def import_command(
    directory: Path = typer.Argument(..., help="Folder with <entity>.csv or <entity>.json files."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; write nothing."),
    events: bool = typer.Option(
        True, "--events/--no-events",
        help="After the import, tell the bot what changed (alert rules re-check the imported accounts at once).",
    ),
) -> None:
    """Validate DIR and import it in one transaction; any bad row means nothing is imported."""
    from integrations.crm.io import ImportFailed, import_batch

    store = _store()
    try:
        result = import_batch(store, directory, dry_run=dry_run)
        counts = result.counts
    except ImportFailed as exc:
        for error in exc.errors[:SHOWN_ERRORS]:
            typer.echo(str(error), err=True)
        if len(exc.errors) > SHOWN_ERRORS:
            typer.echo(f"... and {len(exc.errors) - SHOWN_ERRORS} more", err=True)
        typer.echo(f"Import failed: {len(exc.errors)} problem(s); nothing was imported.", err=True)
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    _summary("Validated (dry run, nothing written)" if dry_run else f"Imported from {directory}", counts)
    if events and not dry_run and result.account_ids:
        _publish(sorted(result.account_ids))


def _publish(account_ids: list[int]) -> None:
    """``bot.events.crm_changed(event="import")`` on a runtime of this install, so skills react now.

    The CRM layer never imports skills: the runtime discovers them, and they subscribed in ``bind``.
    """
    from bot.events import crm_changed
    from bot.runtime import Runtime

    try:
        runtime = Runtime()
    except Exception as exc:  # the import is committed; the periodic scan will catch up
        typer.echo(f"Imported, but the bot could not be started to react now ({type(exc).__name__}); "
                   "the next scheduled rule scan picks the change up.", err=True)
        return
    try:
        results = crm_changed(runtime, account_ids, event="import")
    finally:
        runtime.close()
    typer.echo(f"Reported the change on {len(account_ids)} account(s) to the bot.")
    for result in results:
        summary = getattr(result, "summary", None)
        if callable(summary):
            typer.echo(str(summary()))


# sync mode (issue #10): integrations/crm/sync_cli.py
from integrations.crm.sync_cli import sync_command  # noqa: E402

app.command("sync")(sync_command)

# delegated access (issue #10): integrations/crm/user_tokens_cli.py
from integrations.crm.user_tokens_cli import connect_user_command, disconnect_user_command  # noqa: E402

app.command("connect-user")(connect_user_command)
app.command("disconnect-user")(disconnect_user_command)
