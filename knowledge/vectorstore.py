"""The chromadb collection that holds every passage, its vector and its metadata.

Embedded (``PersistentClient`` under ``DEALPILOT_HOME/chroma``) by default, a Chroma server when
``DEALPILOT_CHROMA_URL`` is set. The collection is cosine-space, carries the registered embedding
function, and records the embedder's identity plus a ``generation`` that changes on every write,
so other processes notice they must reload.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from knowledge.embeddings import Embedder
from knowledge.errors import EmbedderMismatch, KnowledgeUnavailable
from knowledge.manifest import Manifest, ManifestState

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

COLLECTION = "dealpilot-cases"
SCHEMA_VERSION = 1
_PAGE = 2000


def open_client(*, home: Path, chroma_url: str | None) -> "ClientAPI":
    """A chroma client with telemetry off: the server at ``chroma_url``, else files under ``home``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise KnowledgeUnavailable(
                zh=f"DEALPILOT_CHROMA_URL 格式不对：{chroma_url}（应为 http://host:port）",
                en=f"DEALPILOT_CHROMA_URL is not a valid URL: {chroma_url} (expected http://host:port)",
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError on an unreachable server
            raise KnowledgeUnavailable(
                zh=f"连不上 Chroma 服务 {url.hostname}:{url.port}。", en=f"Cannot reach the Chroma server at {url.hostname}:{url.port}."
            ) from exc
    path = home / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def manifest_for(*, home: Path, chroma_url: str | None, name: str = COLLECTION) -> Manifest | None:
    """The local manifest of the embedded store; ``None`` for a Chroma server (other hosts write it too)."""
    if chroma_url:
        return None
    return Manifest(home / "kb-index" / f"{name}.manifest.json")


class VectorStore:
    """One collection plus the bookkeeping DealPilot needs (identity, generation, paging).

    Args:
        manifest: where every generation change is recorded for readers that skip chroma
            (``knowledge.manifest``); ``None`` for a Chroma server or a scratch collection.
    """

    def __init__(self, client: "ClientAPI", embedder: Embedder, *, name: str = COLLECTION, manifest: Manifest | None = None) -> None:
        self.client = client
        self.embedder = embedder
        self.name = name
        self.manifest = manifest
        self.collection = self._open()

    def _open(self) -> "Collection":
        from knowledge.chroma_ef import DealPilotEmbeddingFunction

        existing = {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}
        if self.name in existing:
            raw = self.client.get_collection(self.name, embedding_function=None)  # type: ignore[arg-type]
            stored = (raw.metadata or {}).get("embedder")
            if stored and stored != self.embedder.identity:
                raise EmbedderMismatch(stored=str(stored), configured=self.embedder.identity)
            return self.client.get_collection(self.name, embedding_function=DealPilotEmbeddingFunction(self.embedder))
        generation = uuid.uuid4().hex
        collection = self.client.create_collection(
            self.name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=self._metadata(generation=generation),
            embedding_function=DealPilotEmbeddingFunction(self.embedder),
            get_or_create=True,
        )
        if self.manifest is not None:
            self.sync_manifest(str((collection.metadata or {}).get("generation", generation)))
        return collection

    def _metadata(self, *, generation: str) -> dict[str, Any]:
        return {"embedder": self.embedder.identity, "generation": generation, "schema": SCHEMA_VERSION}

    # --- change tracking -------------------------------------------------------------------------
    def generation(self) -> str:
        """Changes whenever any process writes; a cheap staleness check for in-memory indexes."""
        fresh = self.client.get_collection(self.name, embedding_function=None)  # type: ignore[arg-type]
        return str((fresh.metadata or {}).get("generation", ""))

    def bump_generation(self) -> None:
        """Mark a write: a new generation in chroma and, in the same lock, in the manifest."""
        generation = uuid.uuid4().hex
        if self.manifest is None:
            self.collection.modify(metadata=self._metadata(generation=generation))
            return
        with self.manifest.locked():
            self.collection.modify(metadata=self._metadata(generation=generation))
            self.manifest.write(ManifestState(generation, self.embedder.identity, SCHEMA_VERSION))

    def sync_manifest(self, generation: str) -> None:
        """Record ``generation`` (what a reader just indexed) if it is still chroma's current one.

        Readers call this after rebuilding the saved index, so a home written before manifests
        existed (or whose manifest was lost) becomes fast to open again. Re-reading chroma inside the
        writers' lock means an older generation never overwrites a newer one.
        """
        if self.manifest is None:
            return
        with self.manifest.locked():
            if self.generation() == generation:
                self.manifest.write(ManifestState(generation, self.embedder.identity, SCHEMA_VERSION))

    # --- data --------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.collection.count()

    def upsert(self, *, ids: Sequence[str], embeddings: Any, documents: Sequence[str], metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), _PAGE):
            end = start + _PAGE
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=embeddings[start:end],
                documents=list(documents[start:end]),
                metadatas=list(metadatas[start:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self.collection.delete(ids=list(ids[start : start + _PAGE]))

    def vectors_by_input_hash(self, ids: Sequence[str]) -> dict[str, Any]:
        """Stored vectors keyed by the hash of the text that was embedded."""
        out: dict[str, Any] = {}
        for start in range(0, len(ids), _PAGE):
            page = self.collection.get(ids=list(ids[start : start + _PAGE]), include=["embeddings", "metadatas"])  # type: ignore[list-item]
            for vector, meta in zip(page["embeddings"], page["metadatas"]):
                if meta and meta.get("input_hash"):
                    out[str(meta["input_hash"])] = vector
        return out

    def metadatas(self, where: dict | None = None) -> list[tuple[str, dict]]:
        """(id, metadata) of every passage, or of those matching ``where``."""
        out: list[tuple[str, dict]] = []
        for page in self._pages(include=["metadatas"], where=where):
            out.extend(zip(page["ids"], page["metadatas"]))
        return out

    def everything(self) -> Iterator[dict[str, Any]]:
        """Pages of ids, vectors, texts and metadata, for building the in-memory index."""
        yield from self._pages(include=["embeddings", "documents", "metadatas"])

    def _pages(self, *, include: list[str], where: dict | None = None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self.collection.get(include=include, where=where, limit=_PAGE, offset=offset)  # type: ignore[arg-type]
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])
            if len(page["ids"]) < _PAGE:
                return

    def drop(self) -> None:
        if self.manifest is not None:
            self.manifest.clear()
        self.client.delete_collection(self.name)
