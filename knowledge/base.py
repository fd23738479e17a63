"""``KnowledgeBase``: the one object skills and the CLI use to search and fill the case library."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.embeddings import Embedder, build_embedder
from knowledge.errors import BadQuery
from knowledge.index import Snapshot
from knowledge.ingest import Progress, ingest_paths
from knowledge.manifest import Manifest
from knowledge.retrieval import FILTER_KEYS, RankConfig, allowed_mask, rank, snippet
from knowledge.tokenize import query_tokens as segment_query
from knowledge.types import Hit, IngestReport
from knowledge.vectorstore import COLLECTION, VectorStore, manifest_for, open_client

if TYPE_CHECKING:
    from bot.config import Settings
    from knowledge.embedcache import EmbeddingCache
    from integrations.crm.viewer import Viewer

SHIPPED = "shipped"
"""``vector_cache`` default: the vectors shipped for the configured embedder, if any."""
MAX_QUERY_CHARS = 2000
MAX_K = 50
REFRESH_SECONDS = 2.0
PUBLIC: frozenset[str] = frozenset({"all"})


def teams_for(viewer: "Viewer | None") -> frozenset[str] | None:
    """Teams whose documents ``viewer`` may read; ``None`` means every team (admins).

    Without a viewer only documents visible to all are returned: a caller that forgets the
    viewer must not leak a team's material.
    """
    if viewer is None:
        return PUBLIC
    if viewer.is_admin:
        return None
    teams = {"all", *viewer.managed_team_ids}
    if viewer.team_id:
        teams.add(viewer.team_id)
    return frozenset(teams)


class KnowledgeBase:
    """Hybrid bilingual retrieval over the case library, with sources.

    Searching needs only the saved in-memory index; the chroma collection (whose import and client
    cost ~1.2 s) is opened on the first write, or when the saved index is missing or stale.

    Args:
        store: the chroma collection wrapper, already open (tests, tools); or ``None`` with
            ``open_store`` to open it on first use.
        embedder: embeds queries (default: the store's).
        open_store: opens the collection when it is first needed.
        manifest: the generation record that lets a reader skip chroma (``knowledge.manifest``).
        rank_config: fusion settings (the defaults are the measured best).
        cache_dir: where the in-memory index is saved between processes.
        vector_cache: precomputed passage vectors for ingest; by default the ones shipped for this
            embedder (``knowledge.embedcache``), ``None`` to always embed.
    """

    def __init__(
        self,
        store: VectorStore | None = None,
        *,
        embedder: Embedder | None = None,
        open_store: Callable[[], VectorStore] | None = None,
        manifest: Manifest | None = None,
        rank_config: RankConfig | None = None,
        cache_dir: Path | None = None,
        name: str = COLLECTION,
        vector_cache: "EmbeddingCache | None | str" = SHIPPED,
    ) -> None:
        if store is None and open_store is None:
            raise ValueError("KnowledgeBase needs a store or a way to open one")
        self._store = store
        self._open_store = open_store
        self.name = store.name if store is not None else name
        self.embedder: Embedder = embedder or store.embedder  # type: ignore[union-attr]
        self.manifest = manifest if manifest is not None else (store.manifest if store is not None else None)
        self.cache_file = cache_dir / f"{self.name}.npz" if cache_dir is not None else None
        self.rank_config = rank_config or RankConfig()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.RLock()
        self._query_cache: dict[str, Any] = {}
        self._vector_cache = vector_cache

    @classmethod
    def open(
        cls, settings: "Settings", *, embedder: Embedder | None = None, vector_cache: "EmbeddingCache | None | str" = SHIPPED
    ) -> "KnowledgeBase":
        """Open the configured knowledge base; raises ``EmbedderMismatch`` on a changed embedder.

        With a current manifest of the same embedder, chroma is not touched until a write or a
        stale index needs it; otherwise the collection is opened (or created) right away.
        """
        embedder = embedder or build_embedder(settings)
        manifest = manifest_for(home=settings.home, chroma_url=settings.chroma_url)

        def open_store() -> VectorStore:
            client = open_client(home=settings.home, chroma_url=settings.chroma_url)
            return VectorStore(client, embedder, manifest=manifest)

        kb = cls(embedder=embedder, open_store=open_store, manifest=manifest, cache_dir=settings.home / "kb-index",
                 vector_cache=vector_cache)
        state = manifest.read() if manifest is not None else None
        if state is None or state.embedder != embedder.identity:
            kb.store  # noqa: B018  (open now: creates the collection, or raises EmbedderMismatch)
        return kb

    @property
    def store(self) -> VectorStore:
        """The chroma collection, opened on first use (writes, stale or missing saved index)."""
        with self._lock:
            if self._store is None:
                assert self._open_store is not None
                self._store = self._open_store()
            return self._store

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    # --- reading ---------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The in-memory index, reloaded when another process (or an ingest) changed the store."""
        now = time.monotonic()
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._load()
                self._checked = now
            elif now - self._checked > REFRESH_SECONDS:
                self._checked = now
                if self._current_generation() != self._snapshot.generation:
                    self._snapshot = self._load()
            return self._snapshot

    def _current_generation(self) -> str:
        """The latest generation: from the manifest when there is one, else from chroma."""
        state = self.manifest.read() if self.manifest is not None else None
        if state is not None and state.embedder == self.embedder.identity:
            return state.generation
        return self.store.generation()

    def _load(self) -> Snapshot:
        """The saved index when the manifest says it is current; otherwise rebuilt from chroma."""
        state = self.manifest.read() if self.manifest is not None else None
        if state is not None and state.embedder == self.embedder.identity and self.cache_file is not None:
            saved = Snapshot.from_file(self.cache_file, state.generation)
            if saved is not None:
                return saved
        store = self.store
        snapshot = Snapshot.load(store, cache=self.cache_file)
        if self.cache_file is not None and (
            state is None or (state.generation, state.embedder) != (snapshot.generation, self.embedder.identity)
        ):
            store.sync_manifest(snapshot.generation)
        return snapshot

    def search(
        self,
        query: str,
        *,
        viewer: "Viewer | None" = None,
        k: int = 3,
        filters: dict[str, Any] | None = None,
    ) -> list[Hit]:
        """The ``k`` most relevant documents ``viewer`` may read, each with its best passage.

        Args:
            query: the question, in Chinese or English (cross-language matches are found).
            viewer: who asks; ``None`` sees only documents visible to all.
            k: how many documents.
            filters: exact-match metadata filters, e.g. ``{"industry": "retail", "outcome": "won"}``;
                a value may be a list of accepted values.
        """
        text = (query or "").strip()
        if not text:
            raise BadQuery(zh="搜索内容不能为空。", en="The search query is empty.")
        if len(text) > MAX_QUERY_CHARS:
            raise BadQuery(zh=f"搜索内容太长（上限 {MAX_QUERY_CHARS} 字）。", en=f"The query is too long (limit {MAX_QUERY_CHARS} characters).")
        if not 1 <= k <= MAX_K:
            raise BadQuery(zh=f"k 必须在 1 到 {MAX_K} 之间。", en=f"k must be between 1 and {MAX_K}.")
        unknown = sorted(set(filters or {}) - set(FILTER_KEYS))
        if unknown:
            raise BadQuery(
                zh=f"不支持的过滤条件：{', '.join(unknown)}（可用：{', '.join(FILTER_KEYS)}）",
                en=f"Unknown filter {', '.join(unknown)} (available: {', '.join(FILTER_KEYS)}).",
            )
        snap = self.snapshot()
        mask = allowed_mask(snap, teams=teams_for(viewer), filters=filters)
        if snap.size == 0 or not mask.any():
            return []
        query_tokens = segment_query(text, snap.vocabulary())
        ranked = rank(
            snap, query_vector=self._query_vector(text), query_tokens=query_tokens, doc_mask=mask, k=k, config=self.rank_config
        )
        return [self._hit(snap, r.doc, r.best_chunk, r.score, query_tokens) for r in ranked]

    def _query_vector(self, text: str) -> Any:
        vector = self._query_cache.get(text)
        if vector is None:
            vector = self.embedder.embed_query(text)
            if len(self._query_cache) > 512:
                self._query_cache.clear()
            self._query_cache[text] = vector
        return vector

    @staticmethod
    def _hit(snap: Snapshot, doc: int, chunk: int, score: float, query_tokens: list[str]) -> Hit:
        meta = snap.metas[chunk]
        public = {k: meta[k] for k in ("industry", "region", "outcome", "date", "section", "visibility") if k in meta}
        public["tags"] = [t for t in str(meta.get("tags", "")).split(",") if t]
        return Hit(
            doc_id=snap.doc_ids[doc],
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            score=score,
            snippet=snippet(snap.texts[chunk], query_tokens),
            language=str(meta.get("language", "")),
            metadata=public,
        )

    def stats(self) -> dict[str, Any]:
        """Counts for ``dealpilot kb stats``: documents, passages, by language / industry / outcome."""
        snap = self.snapshot()
        by = lambda key: dict(sorted(Counter(str(m.get(key, "-")) for m in snap.doc_meta).items()))  # noqa: E731
        return {
            "documents": len(snap.doc_ids),
            "chunks": snap.size,
            "embedder": self.embedder.identity,
            "by_language": by("language"),
            "by_industry": by("industry"),
            "by_outcome": by("outcome"),
            "restricted_documents": sum(1 for m in snap.doc_meta if m.get("visibility", "all") != "all"),
        }

    # --- writing ---------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str], *, prune: bool = False, progress: Progress | None = None) -> IngestReport:
        """Add or update files and folders (see ``knowledge.ingest``).

        After a change the saved index is rebuilt here, by the writer, so the next reading process
        loads it without opening chroma.
        """
        try:
            report = ingest_paths(self.store, paths, prune=prune, progress=progress, vector_cache=self._cache_for_ingest())
        finally:
            with self._lock:
                self._snapshot = None
        with self._lock:
            if self.cache_file is not None and (report.chunks or report.count("removed")):
                self._snapshot = self._load()
                self._checked = time.monotonic()
        return report

    def _cache_for_ingest(self) -> "EmbeddingCache | None":
        if self._vector_cache == SHIPPED:
            from knowledge.embedcache import shipped_cache

            return shipped_cache(self.embedder.identity)
        return self._vector_cache  # type: ignore[return-value]

    def close(self) -> None:
        with self._lock:
            self._snapshot = None
            self._query_cache.clear()
