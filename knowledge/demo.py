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


def ingest_demo_corpus(runtime: "Runtime", *, progress: Progress | None = None) -> IngestReport:
    """Ingest ``knowledge/corpus`` into the runtime's knowledge base (prunes cases removed from it)."""
    return get_knowledge_base(runtime).ingest([CORPUS_DIR], prune=True, progress=progress)
