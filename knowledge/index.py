"""The in-memory search index: every passage's vector, BM25 postings and filterable metadata.

It is loaded from the collection (no re-embedding) and rebuilt when the collection's generation
changes. Exact dense search in numpy beats chroma's filtered HNSW queries at this scale
(measured: ~2 ms vs 30-65 ms at 10,000 passages with language and team filters), and it lets
every filter be a boolean mask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.lexical import BM25Index
from knowledge.tokenize import Vocabulary
from knowledge.vectorstore import VectorStore


@dataclass
class Snapshot:
    """Passages sorted by document, with per-document arrays for fast doc-level aggregation."""

    ids: list[str]
    vectors: np.ndarray  # (N, D) float32, L2-normalised
    texts: list[str]
    metas: list[dict[str, Any]]
    chunk_doc: np.ndarray  # (N,) document number of each passage
    doc_ids: list[str]
    doc_starts: np.ndarray  # (M,) first passage of each document
    doc_meta: list[dict[str, Any]]  # the first passage's metadata per document
    doc_language: np.ndarray  # (M,) "zh" / "en"
    bm25: BM25Index
    generation: str
    memo: dict[Any, Any] = field(default_factory=dict)  # per-snapshot caches (filter columns, masks)

    @property
    def size(self) -> int:
        return len(self.ids)

    def vocabulary(self) -> Vocabulary:
        """The indexed Chinese words, for segmenting queries without jieba (built once per snapshot)."""
        vocabulary = self.memo.get("vocabulary")
        if vocabulary is None:
            vocabulary = self.memo["vocabulary"] = Vocabulary(self.bm25.terms())  # type: ignore[assignment]
        return vocabulary  # type: ignore[return-value]

    @classmethod
    def empty(cls, generation: str = "") -> "Snapshot":
        return cls([], np.zeros((0, 1), np.float32), [], [], np.zeros(0, np.int32), [], np.zeros(0, np.int64), [],
                   np.zeros(0, dtype="<U2"), BM25Index([]), generation)

    def save(self, path: Path) -> None:
        """Write the index next to the data, so the next process loads it in a fraction of a second."""
        path.parent.mkdir(parents=True, exist_ok=True)
        slim = [{k: v for k, v in m.items() if k != "tokens"} for m in self.metas]
        payload = json.dumps({"ids": self.ids, "texts": self.texts, "metas": slim, "doc_ids": self.doc_ids}, ensure_ascii=False)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, vectors=self.vectors, chunk_doc=self.chunk_doc, doc_starts=self.doc_starts,
                 doc_language=self.doc_language, payload=np.frombuffer(payload.encode("utf-8"), dtype=np.uint8),
                 generation=np.asarray([self.generation]), **self.bm25.to_arrays())
        tmp.replace(path)

    @classmethod
    def from_file(cls, path: Path, generation: str) -> "Snapshot | None":
        """The cached index if it is of ``generation``; ``None`` when missing, stale or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["generation"][0]) != generation:
                    return None
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError):
            return None
        payload = json.loads(arrays["payload"].tobytes().decode("utf-8"))
        metas = payload["metas"]
        return cls(
            ids=payload["ids"], vectors=arrays["vectors"], texts=payload["texts"], metas=metas,
            chunk_doc=arrays["chunk_doc"], doc_ids=payload["doc_ids"], doc_starts=arrays["doc_starts"],
            doc_meta=[metas[int(s)] for s in arrays["doc_starts"]], doc_language=arrays["doc_language"],
            bm25=BM25Index.from_arrays(arrays), generation=generation,
        )

    @classmethod
    def load(cls, store: VectorStore, *, cache: Path | None = None) -> "Snapshot":
        """Read every passage from the store (vectors included) and index it.

        With ``cache``, a saved index of the store's current generation is used instead, and a
        freshly built one is saved there.
        """
        generation = store.generation()
        if cache is not None:
            cached = cls.from_file(cache, generation)
            if cached is not None:
                return cached
            built = cls._build(store, generation)
            try:
                built.save(cache)
            except OSError:
                pass  # a read-only home still works, just slower to open
            return built
        return cls._build(store, generation)

    @classmethod
    def _build(cls, store: VectorStore, generation: str) -> "Snapshot":
        rows: list[tuple[str, list[float], str, dict[str, Any]]] = []
        for page in store.everything():
            rows.extend(zip(page["ids"], page["embeddings"], page["documents"], page["metadatas"]))
        if not rows:
            return cls.empty(generation)
        rows.sort(key=lambda r: (str(r[3].get("doc_id", "")), int(r[3].get("ordinal", 0))))
        ids = [r[0] for r in rows]
        vectors = np.asarray([r[1] for r in rows], dtype=np.float32)
        texts = [r[2] or "" for r in rows]
        metas = [dict(r[3]) for r in rows]
        doc_ids: list[str] = []
        starts: list[int] = []
        chunk_doc = np.zeros(len(rows), dtype=np.int32)
        for i, meta in enumerate(metas):
            doc = str(meta.get("doc_id", ""))
            if not doc_ids or doc_ids[-1] != doc:
                doc_ids.append(doc)
                starts.append(i)
            chunk_doc[i] = len(doc_ids) - 1
        doc_meta = [metas[s] for s in starts]
        bm25 = BM25Index([str(m.get("tokens", "")).split() for m in metas])
        return cls(
            ids=ids,
            vectors=vectors,
            texts=texts,
            metas=metas,
            chunk_doc=chunk_doc,
            doc_ids=doc_ids,
            doc_starts=np.asarray(starts, dtype=np.int64),
            doc_meta=doc_meta,
            doc_language=np.asarray([str(m.get("language", "en")) for m in doc_meta]),
            bm25=bm25,
            generation=generation,
        )
