"""Hybrid ranking: dense (E5) and BM25 scores per document, calibrated per language, then fused.

Why per language: with one mixed index, a cross-language query's same-language documents score
higher on cosine than the right document in the other language. Scoring each language's
documents against their own distribution (a z-score of the best passage's cosine within that
language) puts the right document first in either language; BM25 then adds evidence within the
query's language. ``fusion="rrf"`` (reciprocal rank fusion of per-language dense lists and BM25)
is kept for comparison; ``dealpilot eval retrieval --fusion`` measures both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.index import Snapshot

FILTER_KEYS = ("industry", "outcome", "language", "region", "doc_id")
SNIPPET_CHARS = 220


@dataclass(frozen=True)
class RankConfig:
    """The knobs of the fusion; defaults are the best measured on the retrieval eval."""

    fusion: str = "zscore"  # zscore | rrf | dense
    bm25_weight: float = 0.15
    rrf_k: float = 60.0
    second_passage_weight: float = 0.4


@dataclass(frozen=True)
class RankedDoc:
    doc: int
    score: float
    best_chunk: int


def allowed_mask(snapshot: Snapshot, *, teams: frozenset[str] | None, filters: dict[str, Any] | None) -> np.ndarray:
    """Which documents the viewer may see and the filters keep (``teams=None``: every team)."""
    keep = np.ones(len(snapshot.doc_ids), dtype=bool)
    if teams is not None:
        key = ("teams", teams)
        if key not in snapshot.memo:
            snapshot.memo[key] = np.fromiter(
                (_visible(str(m.get("visibility", "all")), teams) for m in snapshot.doc_meta), dtype=bool, count=len(keep)
            )
        keep &= snapshot.memo[key]
    for name, wanted in (filters or {}).items():
        column = ("column", name)
        if column not in snapshot.memo:
            snapshot.memo[column] = np.asarray([str(m.get(name, "")).lower() for m in snapshot.doc_meta], dtype=str)
        values = [str(v).lower() for v in (wanted if isinstance(wanted, (list, tuple, set)) else [wanted])]
        keep &= np.isin(snapshot.memo[column], values)
    return keep


def _visible(visibility: str, teams: frozenset[str]) -> bool:
    allowed = set(visibility.split(","))
    return "all" in allowed or bool(allowed & teams)


def rank(
    snapshot: Snapshot,
    *,
    query_vector: np.ndarray,
    query_tokens: Sequence[str],
    doc_mask: np.ndarray,
    k: int,
    config: RankConfig = RankConfig(),
) -> list[RankedDoc]:
    """The top ``k`` documents among ``doc_mask`` for the query."""
    if snapshot.size == 0 or not doc_mask.any():
        return []
    dense = snapshot.vectors @ query_vector
    lexical = snapshot.bm25.scores(query_tokens) if query_tokens else np.zeros(snapshot.size, np.float32)
    chunk_score = dense + 0.02 * (lexical / (lexical.max() or 1.0))
    best_chunk = _doc_argmax(snapshot, chunk_score)
    dense_doc = _doc_top2(snapshot, dense, config.second_passage_weight)
    lexical_doc = np.maximum.reduceat(lexical, snapshot.doc_starts)
    if config.fusion == "rrf":
        fused = _rrf(snapshot, dense_doc, lexical_doc, doc_mask, config)
    elif config.fusion == "dense":
        fused = _per_language_z(snapshot, dense_doc, doc_mask)
    else:
        fused = _per_language_z(snapshot, dense_doc, doc_mask)
        top = lexical_doc[doc_mask].max() if doc_mask.any() else 0.0
        if top > 0:
            fused = fused + config.bm25_weight * lexical_doc / top
    fused = np.where(doc_mask, fused, -np.inf)
    order = np.argsort(-fused, kind="stable")[: max(k, 0)]
    return [RankedDoc(int(d), float(fused[d]), int(best_chunk[d])) for d in order if np.isfinite(fused[d])]


def _doc_argmax(snapshot: Snapshot, values: np.ndarray) -> np.ndarray:
    best = np.maximum.reduceat(values, snapshot.doc_starts)
    is_best = values >= best[snapshot.chunk_doc]
    first = np.full(len(snapshot.doc_ids), -1, dtype=np.int64)
    for i in np.flatnonzero(is_best)[::-1]:
        first[snapshot.chunk_doc[i]] = i
    return first


def _doc_top2(snapshot: Snapshot, dense: np.ndarray, weight: float) -> np.ndarray:
    """Best passage's cosine plus a little of the second best: a whole case on topic beats one line."""
    best = np.maximum.reduceat(dense, snapshot.doc_starts)
    if weight <= 0:
        return best
    masked = np.where(dense >= best[snapshot.chunk_doc], -np.inf, dense)
    second = np.maximum.reduceat(masked, snapshot.doc_starts)
    second = np.where(np.isfinite(second), second, best)
    return best + weight * (second - best)


MIN_LANGUAGE_DOCS = 8


def _per_language_z(snapshot: Snapshot, dense_doc: np.ndarray, doc_mask: np.ndarray) -> np.ndarray:
    """Each document's cosine as a z-score within its language (pooled when a language is tiny)."""
    out = np.zeros_like(dense_doc)
    for language in np.unique(snapshot.doc_language):
        members = snapshot.doc_language == language
        reference = dense_doc[members] if members.sum() >= MIN_LANGUAGE_DOCS else dense_doc
        spread = float(reference.std()) if reference.size > 1 else 0.0
        out[members] = (dense_doc[members] - float(reference.mean())) / (spread or 1.0)
    return out


def _rrf(snapshot: Snapshot, dense_doc: np.ndarray, lexical_doc: np.ndarray, doc_mask: np.ndarray, config: RankConfig) -> np.ndarray:
    fused = np.zeros_like(dense_doc)
    lists: list[np.ndarray] = []
    for language in np.unique(snapshot.doc_language):
        members = np.flatnonzero((snapshot.doc_language == language) & doc_mask)
        lists.append(members[np.argsort(-dense_doc[members], kind="stable")])
    hits = np.flatnonzero((lexical_doc > 0) & doc_mask)
    lists.append(hits[np.argsort(-lexical_doc[hits], kind="stable")])
    for ranked in lists:
        fused[ranked] += 1.0 / (config.rrf_k + 1 + np.arange(len(ranked)))
    return fused + 1e-6 * dense_doc


def snippet(text: str, query_tokens: Iterable[str], *, limit: int = SNIPPET_CHARS) -> str:
    """The passage trimmed to ``limit`` characters, starting at its sentence richest in query words."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    wanted = {t for t in query_tokens if len(t) > 1}
    sentences = re.split(r"(?<=[。！？；.!?])\s*", text)
    best, best_hits, offset, best_offset = 0, 0, 0, 0
    for i, sentence in enumerate(sentences):
        hits = sum(1 for t in wanted if t in sentence.lower())
        if hits > best_hits:
            best, best_hits, best_offset = i, hits, offset
        offset += len(sentence)
    start = text.find(sentences[best]) if best_hits else 0
    start = max(0, min(start if start >= 0 else best_offset, len(text) - limit))
    piece = text[start : start + limit].rstrip()
    return ("…" if start else "") + piece + ("…" if start + limit < len(text) else "")
