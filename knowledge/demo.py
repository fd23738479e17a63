"""The case library shipped with DealPilot, ingested by ``dealpilot demo``.

Repeat runs are quick: unchanged files are recognised by their content hash and skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.api import get_knowledge_base
from knowledge.ingest import Progress
from knowledge.types import IngestReport

if TYPE_CHECKING:
    from bot.runtime import Runtime

CORPUS_DIR = Path(__file__).parent / "corpus"
CASES_DIR = CORPUS_DIR / "cases"


def ingest_demo_corpus(runtime: "Runtime", *, progress: Progress | None = None, show: bool = True) -> IngestReport:
    """Ingest ``knowledge/corpus/cases`` into the runtime's knowledge base (pruning cases removed from it).

    Args:
        runtime: whose knowledge base to fill.
        progress: a progress callback; by default a progress bar on stderr when ``show``.
        show: print the progress bar and a one-line summary (``dealpilot demo``).
    """
    kb = get_knowledge_base(runtime)
    if progress is not None or not show:
        return kb.ingest([CASES_DIR], prune=True, progress=progress)
    from rich.console import Console

    from knowledge.progress import ingest_progress

    with ingest_progress(stderr=True) as bar:
        report = kb.ingest([CASES_DIR], prune=True, progress=bar)
    summary = ", ".join(f"{k} {v}" for k, v in report.summary().items() if v)
    Console(stderr=True).print(f"[green]Case library ready[/]: {summary or 'nothing to do'} ({report.seconds:.1f}s)")
    return report
