"""A rich progress bar for ingestion: files done of total, rate, and running added/updated/... counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from knowledge.ingest import Progress


@contextmanager
def ingest_progress(*, stderr: bool = False) -> Iterator[Progress]:
    """Yield a ``progress`` callback for ``KnowledgeBase.ingest`` that drives a live bar."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    counts = {"chunks": 0, "added": 0, "updated": 0, "skipped": 0, "failed": 0, "removed": 0}
    columns = (
        TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]:.1f} files/s"),
        TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=Console(stderr=stderr)) as bar:
        task = bar.add_task("ingest", total=None, rate=0.0, detail="")

        def progress(event: str, info: dict[str, Any]) -> None:
            if event == "start":
                bar.update(task, total=info["total"])
                return
            outcome = info["outcome"]
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if outcome.status in ("added", "updated"):
                counts["chunks"] += outcome.chunks
            done = bar.tasks[0].completed + (0 if outcome.status == "removed" else 1)
            detail = (f"added {counts['added']} updated {counts['updated']} skipped {counts['skipped']} "
                      f"failed {counts['failed']} removed {counts['removed']} | {counts['chunks']} chunks")
            bar.update(task, completed=done, rate=done / (bar.tasks[0].elapsed or 1e-9), detail=detail)

        yield progress

