"""Opening for search without chroma or jieba: the manifest and the saved index, across processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.manifest import ManifestState
from tests.knowledge.kb_helpers import kb_settings

REPO = Path(__file__).resolve().parents[2]
READER = """
import json, sys
from pathlib import Path
import bot  # telemetry-off defaults, as the CLI does
from bot.config import Settings
from knowledge.base import KnowledgeBase

kb = KnowledgeBase.open(Settings(_env_file=None, home=Path(sys.argv[1])))
hits = kb.search(sys.argv[2], k=1)
print(json.dumps({"doc": hits[0].doc_id, "source": hits[0].source, "store_open": kb.store_is_open,
                  "chromadb": "chromadb" in sys.modules, "jieba": "jieba" in sys.modules}))
"""


def read_in_another_process(home: Path, query: str) -> dict:
    done = subprocess.run([sys.executable, "-c", READER, str(home), query], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_reader_process_needs_neither_chroma_nor_jieba(tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path) -> None:
    tiny_kb.ingest([tiny_corpus])
    seen = read_in_another_process(kb_home, "超市被竞品降价抢走后怎么赢回")
    assert seen == {"doc": "zh-supermarket-winback", "source": "corpus/zh-supermarket-winback.md", "store_open": False,
                    "chromadb": False, "jieba": False}
    # A write by another process is seen by the next reader, still without chroma (the writer saved the index).
    (tiny_corpus / "en-third.md").write_text("# Third case\n\nA telecom tender won on service levels, not on price.", encoding="utf-8")
    tiny_kb.ingest([tiny_corpus])
    seen = read_in_another_process(kb_home, "telecom tender service levels")
    assert seen["doc"] == "en-third" and not seen["chromadb"] and not seen["store_open"]


def test_missing_or_stale_manifest_falls_back_to_chroma(tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path) -> None:
    tiny_kb.ingest([tiny_corpus])
    assert tiny_kb.manifest is not None
    state = tiny_kb.manifest.read()
    assert state is not None and state.generation == tiny_kb.store.generation()

    tiny_kb.manifest.clear()  # a home written before manifests existed
    reader = KnowledgeBase.open(kb_settings(kb_home))
    assert reader.store_is_open, "without a manifest the collection is opened (and the embedder checked) at once"
    assert reader.stats()["documents"] == 2
    assert tiny_kb.manifest.read() == state, "the reader re-records the current generation"
    assert not KnowledgeBase.open(kb_settings(kb_home)).store_is_open

    # The manifest names a generation whose saved index does not exist (a write whose writer died before
    # saving it): the reader must rebuild from chroma, not serve the old index.
    tiny_kb.manifest.write(ManifestState("not-saved-yet", state.embedder, state.schema))
    stale = KnowledgeBase.open(kb_settings(kb_home))
    assert stale.stats()["documents"] == 2 and stale.store_is_open
    assert tiny_kb.manifest.read() == state


def test_reader_of_a_lazily_opened_store_follows_writes(
    tiny_kb: KnowledgeBase, tiny_corpus: Path, kb_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.base

    monkeypatch.setattr(knowledge.base, "REFRESH_SECONDS", 0.0)
    tiny_kb.ingest([tiny_corpus])
    reader = KnowledgeBase.open(kb_settings(kb_home))
    assert reader.stats()["documents"] == 2 and not reader.store_is_open
    (tiny_corpus / "en-hospital-renewal.md").unlink()
    tiny_kb.ingest([tiny_corpus], prune=True)
    assert reader.stats()["documents"] == 1 and not reader.store_is_open
    assert all(h.doc_id != "en-hospital-renewal" for h in reader.search("hospital renewal sponsor", k=5))
