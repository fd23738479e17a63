"""The retrieval targets on the whole shipped library (~7 s: the shipped vectors make ingesting it cheap)."""

from __future__ import annotations

from pathlib import Path

from knowledge.evaluation import DEFAULT_CORPUS, DEFAULT_QUERIES, TARGET_RECALL_AT_1, TARGET_RECALL_AT_3, evaluate, load_queries, open_eval_kb


def test_recall_targets_on_the_shipped_corpus(tmp_path: Path) -> None:
    kb = open_eval_kb(tmp_path / "eval-kb", DEFAULT_CORPUS)
    result = evaluate(kb, load_queries(DEFAULT_QUERIES))
    assert result["overall"]["n"] >= 80
    assert result["overall"]["recall@3"] >= TARGET_RECALL_AT_3, result["groups"]
    assert result["overall"]["recall@1"] >= TARGET_RECALL_AT_1, result["groups"]
