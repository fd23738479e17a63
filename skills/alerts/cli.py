"""``dealpilot rules``: check, list, test, run, report, enable / disable.

Heavy imports stay inside the commands so that ``dealpilot ask`` does not pay for them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="Alert rules: lint, run, test, measure.")


def _runtime():  # type: ignore[no-untyped-def]
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    return Runtime()


def _today(value: Optional[str]) -> date:
    if value is None:
        from skills.alerts.scan import local_today

        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD") from None


@app.command()
def check(
    files: list[Path] = typer.Argument(..., help="Rule files or folders (*.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="Print issues as JSON."),
) -> None:
    """Lint rule files: file, rule, field and a fix hint in the author's language. Exit 1 on any issue."""
    from skills.alerts.ruleset import load_paths

    missing = [str(f) for f in files if not f.exists()]
    if missing:
        typer.echo(f"not found: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    result = load_paths(files)
    if as_json:
        typer.echo(json.dumps({"rules": [r.name for r in result.rules], "issues": [i.to_json() for i in result.issues]},
                              ensure_ascii=False, indent=2))
    else:
        for issue in result.issues:
            typer.echo(issue.format())
        typer.echo(f"{len(result.rules)} rule(s) OK, {len(result.issues)} issue(s)")
    raise typer.Exit(1 if result.issues else 0)


@app.command("list")
def list_rules() -> None:
    """The saved rules, newest version of each, with state and author."""
    from skills.alerts.scan import rule_dirs
    from skills.alerts.versions import latest_versions, sync_files

    runtime = _runtime()
    sync_files(runtime.store, rule_dirs(runtime))
    for v in latest_versions(runtime.store):
        state = "on " if v.enabled else "off"
        typer.echo(f"{state} {v.name:<28} v{v.version:<3} {v.author:<12} {v.created_at:%Y-%m-%d %H:%M}  {v.spec.get('condition')}")


@app.command()
def test(name: str, today: Optional[str] = typer.Option(None, help="Evaluate as of YYYY-MM-DD.")) -> None:
    """Dry run one rule: which targets would fire now, and why. Sends nothing."""
    from skills.alerts.engine import CompiledRule
    from skills.alerts.features import compute_features
    from skills.alerts.ruleset import spec_from_dict
    from skills.alerts.scan import rule_dirs
    from skills.alerts.versions import latest, sync_files

    runtime = _runtime()
    sync_files(runtime.store, rule_dirs(runtime))
    version = latest(runtime.store, name)
    if version is None:
        typer.echo(f"no rule named {name}", err=True)
        raise typer.Exit(2)
    rule = CompiledRule(spec_from_dict(version.spec), version_id=version.id, version_number=version.version)
    run = rule.run(compute_features(runtime.store, today=_today(today)))
    for f in run.fired:
        label = f.row.deal_name.get("en") or f.row.account_name.get("en")
        typer.echo(f"{f.row.target:<12} {f.arm:<10} {label}: {rule.explain(f, 'en')}")
    typer.echo(f"{len(run.fired)} would fire, {run.evaluated} evaluated, {run.skipped_missing} skipped (missing values)")


@app.command()
def run(
    today: Optional[str] = typer.Option(None, help="Scan as of YYYY-MM-DD (default: today)."),
    deliver: bool = typer.Option(False, help="Also deliver due outbox rows, printing them (console sender)."),
) -> None:
    """Scan every account and deal now: write alerts (once) and their outbox rows."""
    from skills.alerts.scan import run_scan

    runtime = _runtime()
    report = run_scan(runtime.store, today=_today(today), runtime=runtime)
    for name, why in report.rejected.items():
        typer.echo(f"rule {name} skipped: {why}", err=True)
    typer.echo(report.summary())
    if deliver:
        from bot.outbox import deliver_pending

        def console_sender(recipient: str, reply) -> str:  # type: ignore[no-untyped-def]
            typer.echo(f"-> {recipient}: {reply.text}")
            return "console"

        typer.echo(json.dumps(deliver_pending(runtime.store, console_sender)))


@app.command()
def report(
    rule: Optional[str] = typer.Option(None, help="Only this rule."),
    png: Optional[Path] = typer.Option(None, help="Also write a PNG chart here."),
    as_json: bool = typer.Option(False, "--json"),
    language: str = typer.Option("en", help="zh or en"),
    track: bool = typer.Option(True, help="Update outcomes before reporting."),
) -> None:
    """Per rule and arm: fired, acted-on rate, outcome rate vs hold-out (95% Wilson CI), precision."""
    from skills.alerts.report import build_report, format_report, render_chart, track_outcomes
    from skills.alerts.scan import local_today

    runtime = _runtime()
    if track:
        track_outcomes(runtime.store, today=local_today(runtime))
    stats = build_report(runtime.store, rule=rule)
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in stats], ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(stats, "zh" if language == "zh" else "en"))
    if png is not None:
        typer.echo(f"chart: {render_chart(stats, png)}")


def _toggle(name: str, as_user: str, enabled: bool) -> None:
    from bot.errors import UserFacingError
    from skills.alerts.versions import set_enabled

    runtime = _runtime()
    viewer = runtime.crm.viewer_for(as_user)
    if viewer is None:
        typer.echo(f"unknown user {as_user}", err=True)
        raise typer.Exit(2)
    try:
        version = set_enabled(runtime.store, name, enabled, viewer=viewer, origin="cli")
    except UserFacingError as exc:
        typer.echo(exc.message("en"), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{name} is {'on' if enabled else 'off'} (v{version.version}, by {viewer.user_id})")


@app.command()
def enable(name: str, as_user: str = typer.Option(..., "--as", help="A manager or admin.")) -> None:
    """Switch a rule on (a new version, authored by --as)."""
    _toggle(name, as_user, True)


@app.command()
def disable(name: str, as_user: str = typer.Option(..., "--as", help="A manager or admin.")) -> None:
    """Switch a rule off (a new version, authored by --as)."""
    _toggle(name, as_user, False)
