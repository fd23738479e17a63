"""BM25 over an inverted index in numpy: fast enough at 10,000+ passages to score every query.

``rank_bm25`` loops over all documents in Python for each query term; with postings arrays a
query costs only the passages that contain its terms.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25Index:
    """Okapi BM25 (k1, b) over token lists; immutable once built."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        lengths = np.fromiter((len(d) for d in documents), dtype=np.float32, count=self.size)
        avg = float(lengths.mean()) if self.size else 0.0
        norm = k1 * (1 - b + b * lengths / avg) if avg else np.full(self.size, k1, dtype=np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for index, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                entry = postings.get(term)
                if entry is None:
                    postings[term] = ([index], [tf])
                else:
                    entry[0].append(index)
                    entry[1].append(tf)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            idx = np.asarray(ids, dtype=np.int32)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            self._postings[term] = (idx, (idf * tf * (k1 + 1) / (tf + norm[idx])).astype(np.float32))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every indexed passage for the query (0 where no term occurs)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, count in Counter(query_tokens).items():
            entry = self._postings.get(term)
            if entry is not None:
                out[entry[0]] += entry[1] * count
        return out
