"""Rebuild the collection with the configured embedder (after changing ``DEALPILOT_EMBEDDING_*``).

The stored passages and metadata are re-embedded into a new collection, which then replaces the
old one; until the swap, searches keep using the old vectors, and an interruption leaves the old
collection intact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from knowledge.embeddings import Embedder, build_embedder
from knowledge.embedcache import embed_with_cache, shipped_cache
from knowledge.vectorstore import COLLECTION, VectorStore, manifest_for, open_client

if TYPE_CHECKING:
    from bot.config import Settings

BATCH = 64


def reindex(settings: "Settings", *, embedder: Embedder | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-embed every stored passage with ``embedder`` (default: the configured one); returns the count."""
    embedder = embedder or build_embedder(settings)
    client = open_client(home=settings.home, chroma_url=settings.chroma_url)
    manifest = manifest_for(home=settings.home, chroma_url=settings.chroma_url)
    names = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    staging_name = f"{COLLECTION}-reindex"
    if staging_name in names:
        client.delete_collection(staging_name)  # a previous reindex was interrupted
    if COLLECTION not in names:
        VectorStore(client, embedder, manifest=manifest)
        return 0
    old = client.get_collection(COLLECTION, embedding_function=None)  # type: ignore[arg-type]
    rows: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": []}
    offset = 0
    while True:
        page = old.get(include=["documents", "metadatas"], limit=2000, offset=offset)  # type: ignore[list-item]
        if not page["ids"]:
            break
        for key in rows:
            rows[key].extend(page[key])  # type: ignore[literal-required]
        offset += len(page["ids"])
    staging = VectorStore(client, embedder, name=staging_name)
    shipped = shipped_cache(embedder.identity)
    total = len(rows["ids"])
    for start in range(0, total, BATCH):
        metas = rows["metadatas"][start : start + BATCH]
        texts = rows["documents"][start : start + BATCH]
        inputs = [
            "\n".join(p for p in (str(m.get("title", "")), str(m.get("section", ""))) if p) + "\n" + (t or "")
            for m, t in zip(metas, texts)
        ]
        staging.upsert(
            ids=rows["ids"][start : start + BATCH], embeddings=embed_with_cache(embedder, inputs, shipped), documents=texts,
            metadatas=metas,
        )
        if progress:
            progress(min(start + BATCH, total), total)
    client.delete_collection(COLLECTION)
    staging.collection.modify(name=COLLECTION)
    VectorStore(client, embedder, manifest=manifest).bump_generation()  # readers learn the new embedder and reload
    return total
