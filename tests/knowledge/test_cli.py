"""``dealpilot kb`` and ``dealpilot eval retrieval`` through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import cli
from bot.config import get_settings


@pytest.fixture
def run(kb_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DEALPILOT_HOME", str(kb_home))
    get_settings.cache_clear()
    cli._mount() if not any(g.name == "kb" for g in cli.app.registered_groups) else None
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli.app, list(args))
    get_settings.cache_clear()


def test_ingest_search_stats(run, tiny_corpus: Path) -> None:  # type: ignore[no-untyped-def]
    (tiny_corpus / "notes.xyz").write_text("?", encoding="utf-8")
    result = run("kb", "ingest", str(tiny_corpus))
    assert result.exit_code == 0, result.output
    assert "ingest finished" in result.output and "notes.xyz" in result.output and "unsupported" in result.output
    again = run("kb", "ingest", str(tiny_corpus), "--json")
    assert json.loads(again.output)["summary"] == {"added": 0, "updated": 0, "skipped": 2, "failed": 1, "removed": 0}

    found = run("kb", "search", "超市被竞品降价抢走后怎么赢回", "-k", "2", "--json")
    hits = json.loads(found.output)
    assert [h["doc_id"] for h in hits][0] == "zh-supermarket-winback"
    assert set(hits[0]) == {"doc_id", "source", "title", "score", "snippet", "language"}
    only_en = json.loads(run("kb", "search", "客户续约", "--language", "en", "--json").output)
    assert {h["language"] for h in only_en} == {"en"}

    stats = json.loads(run("kb", "stats", "--json").output)
    assert stats["documents"] == 2 and stats["by_language"] == {"en": 1, "zh": 1}
    bad = run("kb", "search", "   ")
    assert bad.exit_code == 2 and "empty" in bad.output


def test_eval_retrieval_prints_metrics(run, tiny_corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        "- {id: a, query: '超市因为对手便宜停了合同，后来又回来了', expected: [zh-supermarket-winback], group: paraphrase_zh}\n"
        "- {id: b, query: 'supermarket chain came back after leaving for a cheaper rival', expected: [zh-supermarket-winback], group: cross_en_to_zh}\n"
        "- {id: c, query: '医院的高层支持者退休后续约被救回', expected: [en-hospital-renewal], group: cross_zh_to_en}\n",
        encoding="utf-8",
    )
    result = run("eval", "retrieval", "--queries", str(queries), "--corpus", str(tiny_corpus), "--fusion", "all")
    assert result.exit_code == 0, result.output
    assert "recall@1" in result.output and "MRR" in result.output and "OVERALL" in result.output
    assert "fusion=zscore" in result.output and "fusion=rrf" in result.output and "cross_en_to_zh" in result.output
    report = json.loads(run("eval", "retrieval", "--queries", str(queries), "--corpus", str(tiny_corpus), "--json").output)
    assert report["overall"]["n"] == 3 and report["overall"]["recall@3"] == 1.0
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {id: x, query: hi}\n", encoding="utf-8")
    assert run("eval", "retrieval", "--queries", str(broken), "--corpus", str(tiny_corpus)).exit_code != 0
