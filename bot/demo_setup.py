"""``dealpilot demo``: the embedded workspace a new user can try in a minute, fully offline."""

from __future__ import annotations

import importlib

from rich.console import Console

from bot.runtime import Runtime

_console = Console(stderr=True)


def seed_demo_workspace(runtime: Runtime, *, force: bool = False) -> None:
    """Seed the demo company (once, unless ``force``) and ingest the shipped case library."""
    from integrations.crm.demo import demo_present, seed_demo

    if force or not demo_present(runtime.store):
        summary = seed_demo(runtime.store, force=force)
        _console.print(f"[green]Demo company seeded[/] under {runtime.settings.home}: {summary}")
    else:
        _console.print(f"[dim]Demo company already present under {runtime.settings.home} (use --force to re-seed).[/]")
    runtime.invalidate_entities()
    try:
        kb_demo = importlib.import_module("knowledge.demo")
    except ModuleNotFoundError as exc:
        if not (exc.name and "knowledge.demo".startswith(exc.name)):
            raise
        return
    kb_demo.ingest_demo_corpus(runtime)
