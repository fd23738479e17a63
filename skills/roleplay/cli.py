"""``dealpilot roleplay ...``: trainer tools (validate scenario files, draft a persona, retrain the move classifier)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, help="Role-play trainer tools for trainers and managers.")


@app.command()
def train() -> None:
    """Retrain the move classifier from the training bank (after editing it or moves.yaml)."""
    from skills.roleplay.classifier import train_command

    train_command()


@app.command()
def validate(directory: Path = typer.Argument(None, help="Scenario directory (default: the shipped scenarios).")) -> None:
    """Load and validate every scenario and rubric; print what was found or the first clear error."""
    from bot.errors import UserFacingError
    from skills.roleplay.rubric import load_rubric
    from skills.roleplay.scenario import SCENARIO_DIR, load_scenarios

    try:
        scenarios = load_scenarios(directory or SCENARIO_DIR)
        for s in scenarios.values():
            load_rubric(s.rubric_id)
    except UserFacingError as exc:
        typer.echo(exc.en, err=True)
        raise typer.Exit(code=1) from None
    for s in scenarios.values():
        typer.echo(f"{s.id:<36} {s.level:<12} {s.difficulty:<7} facts={len(s.facts)} objections={len(s.active_objections())}")


@app.command()
def persona(
    account: str = typer.Argument(..., help="Account name or alias, e.g. ACME."),
    as_user: str = typer.Option(..., "--as", help="CRM user id; only accounts this user may see."),
) -> None:
    """Print an anonymised persona draft (JSON, zh + en) built from a CRM account."""
    from bot.config import get_settings
    from bot.runtime import build_crm
    from bot.store import Store
    from skills.roleplay.persona import persona_from_account

    settings = get_settings()
    store = Store.open(settings.resolved_database_url)
    try:
        crm = build_crm(settings, store)
        viewer = crm.viewer_for(as_user)
        if viewer is None:
            raise typer.BadParameter(f"unknown user {as_user!r}")
        hits = crm.find_accounts(viewer, account, limit=1)
        if not hits:
            typer.echo(f"No account matching {account!r} that {as_user} may see.", err=True)
            raise typer.Exit(code=1)
        typer.echo(json.dumps(persona_from_account(crm, viewer, hits[0].id), ensure_ascii=False, indent=2))
    finally:
        store.dispose()
