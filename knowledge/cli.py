"""``dealpilot kb``: ingest, search, stats and reindex the case library from the command line.

Heavy libraries load inside the commands so that mounting this app keeps ``dealpilot`` fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

app = typer.Typer(no_args_is_help=True, help="The case-study knowledge base.")


def _kb() -> Any:
    import bot  # noqa: F401  (telemetry-off defaults)
    from bot.config import get_settings
    from knowledge.base import KnowledgeBase

    return KnowledgeBase.open(get_settings())


def _user_error(exc: Exception) -> None:
    typer.secho(str(getattr(exc, "en", exc)), fg="red", err=True)
    raise typer.Exit(2)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders (recursive): md, txt, pdf, docx, html."),
    prune: bool = typer.Option(False, "--prune", help="Remove documents whose file under these folders was deleted."),
    as_json: bool = typer.Option(False, "--json", help="Print the per-file report as JSON."),
) -> None:
    """Add or update documents; unchanged files are skipped by content hash."""
    from bot.errors import UserFacingError

    try:
        kb = _kb()
        if as_json:
            report = kb.ingest(paths, prune=prune)
        else:
            report = _with_progress(kb, paths, prune)
    except UserFacingError as exc:
        _user_error(exc)
        return
    if as_json:
        typer.echo(json.dumps({"summary": report.summary(), "chunks": report.chunks, "seconds": round(report.seconds, 2),
                               "files": [o.__dict__ for o in report.outcomes]}, ensure_ascii=False, indent=2))
        return
    _print_summary(report)


def _with_progress(kb: Any, paths: list[Path], prune: bool) -> Any:
    from knowledge.progress import ingest_progress

    with ingest_progress() as progress:
        return kb.ingest(paths, prune=prune, progress=progress)


def _print_summary(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"ingest finished in {report.seconds:.1f}s")
    for column in ("added", "updated", "skipped", "failed", "removed", "chunks written"):
        table.add_column(column, justify="right")
    summary = report.summary()
    table.add_row(*(str(summary[k]) for k in ("added", "updated", "skipped", "failed", "removed")), str(report.chunks))
    console.print(table)
    for outcome in report.outcomes:
        if outcome.status == "failed":
            console.print(f"[red]failed[/red]  {outcome.source}: {outcome.reason}", highlight=False)
        elif outcome.status == "removed":
            console.print(f"[yellow]removed[/yellow] {outcome.source}", highlight=False)


@app.command()
def search(
    query: str = typer.Argument(..., help="The question, Chinese or English."),
    k: int = typer.Option(3, "-k", "--k", help="How many documents."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of hits."),
    as_user: Optional[str] = typer.Option(None, "--as", help="Search as this CRM user (their team's visibility)."),
    industry: Optional[str] = typer.Option(None, help="Only this industry."),
    outcome: Optional[str] = typer.Option(None, help="Only won or lost cases."),
    language: Optional[str] = typer.Option(None, help="Only documents in zh or en."),
) -> None:
    """Search the case library (as an operator, who sees every team's documents, unless --as)."""
    from bot.errors import UserFacingError
    from integrations.crm.viewer import SYSTEM_VIEWER

    filters = {key: value for key, value in (("industry", industry), ("outcome", outcome), ("language", language)) if value}
    try:
        kb = _kb()
        viewer = SYSTEM_VIEWER if as_user is None else _viewer(as_user)
        hits = kb.search(query, viewer=viewer, k=k, filters=filters or None)
    except UserFacingError as exc:
        _user_error(exc)
        return
    if as_json:
        typer.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("no matching documents")
    for n, hit in enumerate(hits, 1):
        outcome_text = hit.metadata.get("outcome", "-")
        typer.secho(f"{n}. {hit.title}  [{hit.doc_id}, {hit.language}, {outcome_text}, score {hit.score:.3f}]", bold=True)
        typer.echo(f"   {hit.snippet}")
        typer.echo(f"   source: {hit.source}")


def _viewer(user_id: str) -> Any:
    from bot.errors import InvalidInput
    from bot.runtime import Runtime

    runtime = Runtime()
    try:
        viewer = runtime.crm.viewer_for(user_id)
    finally:
        runtime.store.dispose()
    if viewer is None:
        raise InvalidInput(zh=f"没有用户 {user_id}。", en=f"No CRM user {user_id}.")
    return viewer


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Documents and passages in the knowledge base, by language, industry and outcome."""
    from bot.errors import UserFacingError

    try:
        data = _kb().stats()
    except UserFacingError as exc:
        _user_error(exc)
        return
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"documents: {data['documents']}   chunks: {data['chunks']}   embedder: {data['embedder']}")
    typer.echo(f"restricted to teams: {data['restricted_documents']}")
    for key in ("by_language", "by_industry", "by_outcome"):
        typer.echo(f"{key.removeprefix('by_')}: " + ", ".join(f"{k} {v}" for k, v in data[key].items()))


@app.command("build-cache")
def build_cache(
    corpus: Optional[Path] = typer.Option(None, help="Folder of cases (default: the shipped knowledge/corpus/cases)."),
    out: Optional[Path] = typer.Option(None, help="The .npz to write (default: the shipped file for the configured embedder)."),
    full: bool = typer.Option(False, "--full", help="Re-embed every passage instead of reusing unchanged ones."),
) -> None:
    """Regenerate the precomputed passage vectors shipped with the case library (run after editing cases)."""
    import bot  # noqa: F401
    from rich.progress import Progress

    from bot.config import get_settings
    from knowledge.demo import CASES_DIR
    from knowledge.embedcache import build_cache as run_build
    from knowledge.embedcache import shipped_path
    from knowledge.embeddings import build_embedder

    embedder = build_embedder(get_settings())
    target = out or shipped_path(embedder.identity)
    with Progress(transient=True) as bar:
        task = bar.add_task("embedding", total=None)
        counts = run_build(corpus or CASES_DIR, embedder, target, reuse=not full,
                           progress=lambda done, n: bar.update(task, completed=done, total=n))
    size_kb = target.stat().st_size / 1024
    typer.echo(f"{target}: {counts['passages']} passages ({counts['embedded']} embedded, {counts['reused']} reused), "
               f"{size_kb:.0f} KiB, embedder {embedder.identity}")


@app.command()
def reindex() -> None:
    """Re-embed every stored passage with the configured embedder (after changing DEALPILOT_EMBEDDING_*)."""
    import bot  # noqa: F401
    from rich.progress import Progress

    from bot.config import get_settings
    from knowledge.reindex import reindex as run_reindex

    with Progress() as bar:
        task = bar.add_task("reindex", total=None)
        total = run_reindex(get_settings(), progress=lambda done, n: bar.update(task, completed=done, total=n))
    typer.echo(f"reindexed {total} chunks")
