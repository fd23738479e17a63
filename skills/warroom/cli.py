"""``dealpilot warroom``: list rooms, post digests now, show room health (mounted by ``bot/cli.py``).

The commands act on the console platform's rooms directly and on other platforms' rooms only
where their adapter runs in this process (a digest must go out through the room's platform).
"""

from __future__ import annotations

import json
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="Deal war-rooms: list, digests, health.")


def _runtime():  # type: ignore[no-untyped-def]
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    return Runtime()


@app.command("list")
def list_rooms(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every war room: id, platform, channel, deal, open tasks."""
    from skills.warroom import repo

    runtime = _runtime()
    try:
        rows = [{"id": r.id, "platform": r.platform, "channel": r.channel, "name": r.name, "opportunity_id": r.opportunity_id,
                 "open_tasks": len(repo.tasks(runtime.store, r.id, status="open")),  # type: ignore[arg-type]
                 "card_updates": r.card_updates, "digest": f"{r.digest_time} {r.digest_tz}"}
                for r in repo.all_rooms(runtime.store)]
    finally:
        runtime.close()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("no war rooms yet")
    for row in rows:
        typer.echo(f"#{row['id']} [{row['platform']}] {row['name']} — {row['channel']} · open tasks {row['open_tasks']}")


@app.command()
def digest(
    now: bool = typer.Option(False, "--now", help="Post now instead of only the digests that are due."),
    room: Optional[int] = typer.Option(None, "--room", help="Only this room id."),
) -> None:
    """Post digests: those due by their time and zone, or (``--now``) immediately."""
    from skills.warroom import repo, service

    runtime = _runtime()
    try:
        if not now:
            posted = service.post_due_digests(runtime)
            typer.echo(f"posted {len(posted)} digest(s)")
            return
        rooms = [r for r in repo.all_rooms(runtime.store) if room is None or r.id == room]
        if room is not None and not rooms:
            typer.echo(f"no war room #{room}", err=True)
            raise typer.Exit(code=2)
        for r in rooms:
            if service.room_platform(runtime, r.platform) is None:
                typer.echo(f"#{r.id}: skipped ({r.platform} is not connected in this process)")
                continue
            reply = service.post_digest(runtime, r)
            typer.echo(f"#{r.id}: {reply.text.splitlines()[0]}")
    finally:
        runtime.close()


@app.command()
def health(
    as_user: str = typer.Option("admin", "--as", help="Whose view: only rooms on deals this user can see."),
    language: str = typer.Option("en", "--lang", help="zh or en."),
) -> None:
    """Room health: quiet days, participation by role, stakeholder coverage, overdue tasks."""
    from bot.adapters.console import print_reply
    from skills.warroom import repo
    from skills.warroom.deal import load_snapshot
    from skills.warroom.health import render_health, room_health
    from skills.warroom.service import room_today, rooms_for

    runtime = _runtime()
    try:
        viewer = runtime.crm.viewer_for(as_user)
        if viewer is None:
            typer.echo(f"unknown user {as_user!r}", err=True)
            raise typer.Exit(code=2)
        rows = []
        for r in rooms_for(runtime, viewer):
            today = room_today(r)
            snapshot = load_snapshot(runtime.crm, viewer, r.opportunity_id, today=today)
            if snapshot is not None:
                rows.append(room_health(r, snapshot, repo.members(runtime.store, r.id),  # type: ignore[arg-type]
                                        repo.tasks(runtime.store, r.id), today=today))  # type: ignore[arg-type]
        print_reply(render_health(rows, language="zh" if language == "zh" else "en"))
    finally:
        runtime.close()
