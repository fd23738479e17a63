"""``dealpilot crm sync``: pull the configured vendor CRM into the embedded store (sync mode).

Run it on a schedule (cron, systemd timer, Kubernetes CronJob). The first run is a full pull with
a progress bar; later runs fetch what changed since the cursor; a run that crashed resumes from
its last committed page. Heavy imports stay inside the command so ``dealpilot ask`` starts fast.
"""

from __future__ import annotations

import typer


def sync_command(
    page_size: int = typer.Option(100, "--page-size", min=1, max=2000, help="Records per vendor page."),
) -> None:
    """Pull changes from HubSpot / Salesforce (DEALPILOT_CRM) into the embedded CRM."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.config import get_settings
    from bot.errors import UserFacingError
    from bot.store import Store
    from integrations.crm.factory import build_source
    from integrations.crm.sync import Syncer

    settings = get_settings()
    console = Console()
    if settings.crm == "local":
        console.print("DEALPILOT_CRM is 'local': there is no vendor CRM to sync from.")
        raise typer.Exit(2)
    store = Store.open(settings.resolved_database_url)
    try:
        syncer = Syncer(build_source(settings), store, page_size=page_size)
        full = any(syncer.state(k).cursor is None for k in ("account", "contact", "opportunity", "activity"))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=not full) as bar:
            tasks: dict[str, int] = {}

            def progress(kind: str, done: int, total: int | None) -> None:
                if kind not in tasks:
                    tasks[kind] = bar.add_task(f"{settings.crm} {kind}s", total=total)
                bar.update(tasks[kind], completed=done, total=max(total or 0, done) or None)

            report = syncer.run(progress=progress)
    except UserFacingError as exc:
        console.print(f"[red]{exc.en}[/]")
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    for k in report.kinds:
        console.print(f"{k.kind}: {k.upserted:,} updated, {k.deleted:,} deleted, {k.pages} page(s)"
                      + (" (resumed)" if k.resumed else ""))
