"""Ingestion: files and folders in, passages with vectors out, incrementally and per-file safely.

Each file is read, chunked, embedded and written on its own, so one bad file is reported and the
rest continue. Passage ids carry the content hash (``doc_id:hash:n``): a changed file writes its
new passages before deleting the old ones, and a re-run after an interruption finds a document
with missing passages and completes it, never duplicating.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.chunking import Chunk, chunk_text
from knowledge.documents import DEFAULT_MAX_BYTES, DocumentError, SourceDocument, load_document
from knowledge.embedcache import EmbeddingCache, embed_with_cache
from knowledge.tokenize import tokens
from knowledge.types import FileOutcome, IngestReport
from knowledge.vectorstore import VectorStore

PIPELINE_VERSION = 3
"""Bump when chunking, tokenizing or stored metadata changes: documents are re-processed (vectors of
unchanged text are reused). 3: citation sources relative to the ingest root."""

Progress = Callable[[str, dict[str, Any]], None]
"""``progress(event, info)``: ``("start", {"total"})`` then ``("file", {"outcome"})`` per file."""


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under ``paths`` (folders recursively, hidden entries skipped), in a stable order."""
    for _, path in discover_with_roots(paths):
        yield path


def discover_with_roots(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """``(root, file)`` for every file under ``paths``: the root is the argument it was found under."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in rel):
                    yield path, child
        else:
            yield path, path


def citation_source(root: Path, path: Path) -> str:
    """How citations name a file: relative to the ingest root, starting with the root folder's name.

    ``kb ingest knowledge/corpus/cases`` -> ``cases/en-saas-renewal-rescue.md``; a file given on its
    own -> its name. Absolute paths would leak the server's layout into chat and differ per machine.
    """
    if path == root:
        return path.name
    return (Path(root.resolve().name) / path.relative_to(root)).as_posix()


def embed_input(document: SourceDocument, chunk: Chunk) -> str:
    """The exact text embedded for a passage: title and section (context for the model), then the passage."""
    heading = "\n".join(p for p in (document.title, chunk.section) if p)
    return f"{heading}\n{chunk.text}"


def corpus_inputs(corpus: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """The embed inputs of every passage of every readable file under ``corpus`` (for the vector cache)."""
    out: list[str] = []
    for root, path in discover_with_roots([corpus]):
        try:
            document = load_document(path, source=citation_source(root, path), max_bytes=max_bytes)
        except (DocumentError, OSError):
            continue
        out.extend(embed_input(document, chunk) for chunk in chunk_text(document.text))
    return out


def ingest_paths(
    store: VectorStore,
    paths: Iterable[Path | str],
    *,
    prune: bool = False,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    vector_cache: EmbeddingCache | None = None,
) -> IngestReport:
    """Ingest files and folders into ``store``.

    Args:
        store: the collection to write.
        paths: files and/or folders.
        prune: also remove documents whose file under one of the given folders no longer exists.
        progress: called with events for a progress display.
        max_bytes: files larger than this are reported and skipped.
        vector_cache: precomputed vectors (``knowledge.embedcache``) used when a passage's text matches.
    """
    started = time.perf_counter()
    roots = [Path(p) for p in paths]
    report = IngestReport()
    files = list(discover_with_roots(r for r in roots if r.exists()))
    missing = [r for r in roots if not r.exists()]
    notify = progress or (lambda event, info: None)
    notify("start", {"total": len(files) + len(missing)})
    for root in missing:
        _emit(report, notify, FileOutcome(str(root), "failed", reason="not found"))
    known = _documents(store)
    seen: set[str] = set()
    for root, path in files:
        outcome = _ingest_one(store, root, path, known, max_bytes=max_bytes, vector_cache=vector_cache)
        if outcome.doc_id and outcome.status != "failed":
            seen.add(outcome.doc_id)
        _emit(report, notify, outcome)
    if prune:
        for outcome in _prune(store, roots, known, seen):
            _emit(report, notify, outcome)
    report.seconds = time.perf_counter() - started
    return report


def _emit(report: IngestReport, notify: Progress, outcome: FileOutcome) -> None:
    report.add(outcome)
    notify("file", {"outcome": outcome})


def _documents(store: VectorStore) -> dict[str, dict[str, Any]]:
    """What the store holds per document: passage ids, hash, expected passage count, source."""
    docs: dict[str, dict[str, Any]] = {}
    for chunk_id, meta in store.metadatas():
        doc = docs.setdefault(
            str(meta["doc_id"]),
            {"ids": [], "hash": meta.get("content_hash"), "n": meta.get("n_chunks"), "path": meta.get("source_path", "")},
        )
        doc["ids"].append(chunk_id)
        if meta.get("content_hash") != doc["hash"] or meta.get("pipeline") != PIPELINE_VERSION:
            doc["hash"] = None  # mixed generations: an interrupted update
    return docs


def _ingest_one(
    store: VectorStore, root: Path, path: Path, known: dict[str, dict[str, Any]], *, max_bytes: int,
    vector_cache: EmbeddingCache | None,
) -> FileOutcome:
    source = str(path)
    try:
        document = load_document(path, source=citation_source(root, path), max_bytes=max_bytes)
    except DocumentError as exc:
        return FileOutcome(source, "failed", reason=str(exc))
    except OSError as exc:
        return FileOutcome(source, "failed", reason=f"cannot read file: {exc.strerror or type(exc).__name__}")
    resolved = str(path.resolve())
    current = known.get(document.doc_id)
    if current and current["path"] != resolved and Path(current["path"]).exists():
        return FileOutcome(source, "failed", document.doc_id, reason=f"doc id '{document.doc_id}' is already used by {current['path']}")
    duplicate = next(
        (d for d, info in known.items() if d != document.doc_id and info["hash"] == document.content_hash), None
    )
    if duplicate is not None:
        return FileOutcome(source, "skipped", document.doc_id, reason=f"same content as '{duplicate}'")
    if current and current["hash"] == document.content_hash and len(current["ids"]) == current["n"]:
        return FileOutcome(source, "skipped", document.doc_id, chunks=len(current["ids"]), reason="unchanged")
    chunks = chunk_text(document.text)
    if not chunks:
        return FileOutcome(source, "failed", document.doc_id, reason="no readable text")
    ids, texts, metadatas, embed_inputs = _passages(document, chunks, resolved)
    vectors = _vectors(store, embed_inputs, metadatas, (current or {}).get("ids", []), vector_cache)
    store.bump_generation()  # before writing: an interrupted run must not leave a cached index looking current
    store.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)
    stale = [i for i in (current or {}).get("ids", []) if i not in set(ids)]
    if stale:
        store.delete(stale)
    store.bump_generation()  # and after: an index another process saved in the middle is not current either
    known[document.doc_id] = {"ids": ids, "hash": document.content_hash, "n": len(ids), "path": resolved}
    return FileOutcome(source, "updated" if current else "added", document.doc_id, chunks=len(ids))


def _vectors(
    store: VectorStore, inputs: list[str], metadatas: list[dict], old_ids: list[str], vector_cache: EmbeddingCache | None
) -> np.ndarray:
    """Vectors of the passages: stored ones of identical text (a re-chunk or a retag is cheap), then the
    precomputed cache, and only the rest is embedded."""
    reusable = store.vectors_by_input_hash(old_ids) if old_ids else {}
    missing = [i for i, m in enumerate(metadatas) if m["input_hash"] not in reusable]
    fresh = embed_with_cache(store.embedder, [inputs[i] for i in missing], vector_cache) if missing else None
    rows: list[np.ndarray] = []
    position = {i: n for n, i in enumerate(missing)}
    for i, meta in enumerate(metadatas):
        rows.append(fresh[position[i]] if i in position else reusable[meta["input_hash"]])  # type: ignore[index]
    return np.asarray(rows, dtype=np.float32)


def _passages(document: SourceDocument, chunks: list, resolved: str) -> tuple[list[str], list[str], list[dict], list[str]]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta = document.metadata
    base = {
        "doc_id": document.doc_id,
        "source": document.source,
        "source_path": resolved,
        "title": document.title,
        "language": document.language,
        "content_hash": document.content_hash,
        "n_chunks": len(chunks),
        "visibility": ",".join(document.visibility),
        "tags": ",".join(meta.get("tags", [])),
        "ingested_at": now,
        **{k: str(meta[k]) for k in ("industry", "region", "outcome", "date") if k in meta},
    }
    tag_words = " ".join(t.replace("_", " ") for t in meta.get("tags", []))
    ids, texts, metadatas, inputs = [], [], [], []
    for chunk in chunks:
        ids.append(f"{document.doc_id}:{document.content_hash[:12]}:{chunk.ordinal}")
        texts.append(chunk.text)
        heading = "\n".join(p for p in (document.title, chunk.section) if p)
        inputs.append(embed_input(document, chunk))
        metadatas.append({
            **base,
            "input_hash": hashlib.sha256(inputs[-1].encode("utf-8")).hexdigest()[:16],
            "pipeline": PIPELINE_VERSION,
            "section": chunk.section,
            "ordinal": chunk.ordinal,
            "tokens": " ".join(tokens(f"{heading} {tag_words} {chunk.text}")),
        })
    return ids, texts, metadatas, inputs


def _prune(store: VectorStore, roots: list[Path], known: dict[str, dict[str, Any]], seen: set[str]) -> Iterator[FileOutcome]:
    folders = [r.resolve() for r in roots if r.is_dir()]
    for doc_id, info in list(known.items()):
        path = Path(info["path"]) if info["path"] else None
        if doc_id in seen or path is None or path.exists():
            continue
        if any(path.is_relative_to(folder) for folder in folders) or path in {r.resolve() for r in roots}:
            store.bump_generation()
            store.delete(info["ids"])
            store.bump_generation()
            del known[doc_id]
            yield FileOutcome(str(path), "removed", doc_id, chunks=len(info["ids"]))
