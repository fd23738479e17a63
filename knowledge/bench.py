"""``dealpilot bench kb --chunks 10000``: ingest rate, reload time and query latency at scale.

Embedding 10,000 passages with the offline model takes ~15 minutes on two cores, so the bench
measures the ingest rate on real cases with the real embedder, then fills the store to
``--chunks`` passages made from those cases (sentences reshuffled, vectors perturbed around the
real ones) and measures what depends on size: reload without re-embedding and query latency
(query embedding included). Targets: query p95 <= 50 ms, reload <= 2 s.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Optional

import typer

TARGET_P95_MS = 50.0
TARGET_RELOAD_S = 2.0
QUERIES = (
    "有没有客户因为竞品降价流失又挽回的案例?", "any cases where we beat a competitor's price cut?", "折扣审批", "POC extension",
    "医院信息系统招标预算周期", "warehouse pilot without an economic buyer", "门店促销拉新", "lead quality from trade shows",
    "续约风险信号", "multi-stakeholder buying committee in insurance", "5G 专网 钢厂", "tender lost on certification",
)


_COLD_READER = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
import bot
from bot.config import Settings
from knowledge.base import KnowledgeBase
kb = KnowledgeBase.open(Settings(_env_file=None, home=Path(sys.argv[1])))
kb.search("有没有客户因为竞品降价流失又挽回的案例?", k=3)
print(json.dumps({"seconds": time.perf_counter() - started, "chromadb": "chromadb" in sys.modules, "jieba": "jieba" in sys.modules}))
"""


def _cold_reader(home: Path) -> dict:
    """What a fresh ``dealpilot ask`` pays for the knowledge base: a new process opens and searches."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _COLD_READER, str(home)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_kb(
    chunks: int = typer.Option(10000, help="Passages in the store for the reload and query measurements."),
    sample_docs: int = typer.Option(12, help="Real cases embedded to measure the ingest rate."),
    queries: int = typer.Option(200, help="Queries to time."),
    keep: Optional[Path] = typer.Option(None, help="Build the store in this folder and keep it (for profiling)."),
) -> None:
    """Print ingest rate, reload time and query latency p50/p95 against the targets."""
    import bot  # noqa: F401
    import numpy as np

    from bot.config import Settings
    from knowledge.base import KnowledgeBase
    from knowledge.demo import CASES_DIR

    home = keep or Path(tempfile.mkdtemp(prefix="dealpilot-bench-kb-"))
    try:
        settings = Settings(_env_file=None, home=home)  # type: ignore[call-arg]
        sample = home / "sample"
        sample.mkdir(parents=True)
        for path in sorted(CASES_DIR.glob("*.md"))[: max(sample_docs, 1)]:
            shutil.copy(path, sample / path.name)
        kb = KnowledgeBase.open(settings, vector_cache=None)  # measure the embedder, not the shipped vectors
        kb.embedder.embed_query("warm up")  # model load is not ingest work
        report = kb.ingest([sample])
        typer.echo(f"ingest (real embedder {kb.embedder.identity}): {report.summary()['added']} docs, {report.chunks} chunks "
                   f"in {report.seconds:.1f}s = {report.chunks / report.seconds:.1f} chunks/s, "
                   f"{report.summary()['added'] / report.seconds:.2f} docs/s")

        real = kb.store.collection.get(include=["embeddings", "documents", "metadatas"])
        vectors = np.asarray(real["embeddings"], dtype=np.float32)
        rng = np.random.default_rng(7)
        shuffler = random.Random(7)
        started = time.perf_counter()
        extra = max(chunks - len(real["ids"]), 0)
        batch_ids, batch_vecs, batch_docs, batch_meta = [], [], [], []
        for n in range(extra):
            i = n % len(real["ids"])
            meta = dict(real["metadatas"][i])
            doc = f"bench-{n // 5:05d}"
            sentences = real["documents"][i].replace("。", "。\n").replace(". ", ".\n").splitlines()
            shuffler.shuffle(sentences)
            vector = vectors[i] + rng.normal(0, 0.02, vectors.shape[1]).astype(np.float32)
            meta.update(doc_id=doc, ordinal=n % 5, n_chunks=5, source=f"bench/{doc}.md", source_path=f"/bench/{doc}.md",
                        title=f"{meta.get('title', '')} #{n // 5}")
            batch_ids.append(f"{doc}:bench:{n % 5}")
            batch_vecs.append(vector / np.linalg.norm(vector))
            batch_docs.append(" ".join(sentences))
            batch_meta.append(meta)
            if len(batch_ids) == 1000 or n == extra - 1:
                kb.store.upsert(ids=batch_ids, embeddings=np.asarray(batch_vecs), documents=batch_docs, metadatas=batch_meta)
                batch_ids, batch_vecs, batch_docs, batch_meta = [], [], [], []
        kb.store.bump_generation()
        fill = time.perf_counter() - started
        typer.echo(f"store filled to {kb.store.count()} chunks (precomputed vectors) in {fill:.1f}s")
        kb.close()

        started = time.perf_counter()
        first = KnowledgeBase.open(settings)
        size = first.snapshot().size
        cold = time.perf_counter() - started
        first.close()
        typer.echo(f"first open after the writes (index rebuilt from chroma, then saved): {size} chunks in {cold:.2f}s")
        started = time.perf_counter()
        reopened = KnowledgeBase.open(settings)
        snap = reopened.snapshot()
        reload_s = time.perf_counter() - started
        typer.echo(f"reload of the existing store without re-embedding: {snap.size} chunks in {reload_s:.2f}s "
                   f"(target <= {TARGET_RELOAD_S}s: {'MET' if reload_s <= TARGET_RELOAD_S else 'NOT MET'})")

        reopened.search("warm up", k=3)
        latencies = []
        for n in range(queries):
            text = f"{QUERIES[n % len(QUERIES)]} {n}"  # distinct text: no query-vector cache hits
            t0 = time.perf_counter()
            reopened.search(text, k=3)
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95) - 1]
        typer.echo(f"query latency at {snap.size} chunks ({queries} queries, embedding included): p50 {p50:.1f} ms, "
                   f"p95 {p95:.1f} ms (target p95 <= {TARGET_P95_MS:.0f} ms: {'MET' if p95 <= TARGET_P95_MS else 'NOT MET'})")
        ranking = []
        for n in range(queries):  # the same texts again: their vectors are cached, this is tokenising + ranking
            t0 = time.perf_counter()
            reopened.search(f"{QUERIES[n % len(QUERIES)]} {n}", k=3)
            ranking.append((time.perf_counter() - t0) * 1000)
        ranking.sort()
        typer.echo(f"ranking only (query vectors cached): p50 {statistics.median(ranking):.1f} ms, "
                   f"p95 {ranking[int(len(ranking) * 0.95) - 1]:.1f} ms")
        reopened.close()
        cold = _cold_reader(home)
        typer.echo(f"cold reader process (imports, open, first zh search incl. model load): {cold['seconds']:.2f}s; "
                   f"chromadb imported: {cold['chromadb']}, jieba imported: {cold['jieba']}")
    finally:
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)
