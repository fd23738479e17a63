"""Errors of the knowledge base that a user or operator can act on (bilingual, see ``bot.errors``)."""

from __future__ import annotations

from bot.errors import InvalidInput, ServiceUnavailable, UserFacingError


class EmbedderMismatch(UserFacingError):
    """The stored vectors came from another embedder: mixing them would silently ruin retrieval."""

    def __init__(self, *, stored: str, configured: str) -> None:
        super().__init__(
            zh=(
                f"知识库是用嵌入模型 {stored} 建的，但当前配置的是 {configured}。"
                "请运行 `dealpilot kb reindex` 用新模型重建索引（或改回原来的配置）。"
            ),
            en=(
                f"The knowledge base was built with the embedder {stored}, but {configured} is configured. "
                "Run `dealpilot kb reindex` to rebuild it with the new embedder (or restore the old setting)."
            ),
        )
        self.stored = stored
        self.configured = configured


class KnowledgeUnavailable(ServiceUnavailable):
    """The vector store or the embedding service did not answer."""


class BadQuery(InvalidInput):
    """An empty or oversized search query."""
