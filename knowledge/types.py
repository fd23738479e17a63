"""The knowledge base's public value types: what a search returns and what an ingest did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One retrieved document, with the passage that matched best (the citation).

    Attributes:
        doc_id: stable id; the file name without extension for ingested files.
        source: where the document came from (path as ingested), for citations.
        title: the document title (front-matter, first heading, or file name).
        score: fused relevance, higher is better; comparable only within one result list.
        snippet: the best-matching passage, trimmed for display.
        language: ``zh`` or ``en``, the document's language.
        metadata: front-matter fields (industry, region, outcome, date, tags, section...).
    """

    doc_id: str
    source: str
    title: str
    score: float
    snippet: str
    language: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``dealpilot kb search --json`` shape."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "language": self.language,
        }


FileStatus = str  # added | updated | skipped | failed | removed


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file during an ingest."""

    source: str
    status: FileStatus
    doc_id: str | None = None
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    """The summary of one ingest run: per-file outcomes and totals."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)

    def count(self, status: FileStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "updated", "skipped", "failed", "removed")}
